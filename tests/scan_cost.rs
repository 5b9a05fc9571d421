//! Scan cost bounded by the work (#19): one generic name, a root-level client or an inline source map
//! must not make every file of a tree a candidate for analysis, and files over `--max-filesize` are
//! searched, not skipped. Costs are checked through `summary.files_read` (files analysed), never timed.
use ghl_migrate::rules::RuleSet;
use ghl_migrate::scan::{self, ScanReport, WalkOptions};
use std::fs;
use std::path::Path;

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(&p, text).unwrap();
}

fn scan_dir(dir: &Path) -> ScanReport {
    scan::scan(
        &[dir.to_path_buf()],
        &WalkOptions::default(),
        &RuleSet::embedded(),
        None,
    )
}

/// `(path, line)` of every finding that counts as V1 usage.
fn usage(r: &ScanReport) -> Vec<(String, usize)> {
    let mut v: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.is_v1_usage())
        .map(|f| (f.path.clone(), f.line))
        .collect();
    v.sort();
    v
}

/// Ordinary files calling API paths V1 also has (`/contacts/`, `/users/`) through their own clients.
fn ordinary_files(dir: &Path, n: usize) {
    for i in 0..n {
        write(
            dir,
            &format!("pkg{}/src/f{i}.js", i % 7),
            &format!(
                "import {{ http }} from './http';\n\
                 // the index of {i} users\n\
                 const USERS_{i} = 'https://api.example.com/users';\n\
                 export const get{i} = (id) => http.get(`${{USERS_{i}}}/contacts/${{id}}`);\n\
                 export const list{i} = () => fetch(USERS_{i} + '/users/');\n"
            ),
        );
    }
}

#[test]
fn root_v1_client_does_not_make_every_path_file_a_candidate() {
    let d = tempfile::tempdir().unwrap();
    ordinary_files(d.path(), 60);
    write(
        d.path(),
        "api.js",
        "import axios from 'axios';\n\
         export const api = axios.create({ baseURL: 'https://rest.gohighlevel.com/v1' });\n",
    );
    // Evidence of use: an import of the client's module, and a bare request option below it.
    write(
        d.path(),
        "pkg1/contacts.js",
        "import { api } from '../api';\nexport const one = (id) => api.get(`/contacts/${id}`);\n",
    );
    write(
        d.path(),
        "pkg2/notes.js",
        "export const add = (id) => request({ method: 'POST', url: '/contacts/' + id + '/notes/' });\n",
    );
    let r = scan_dir(d.path());
    assert_eq!(
        usage(&r),
        [
            ("api.js".to_string(), 2),
            ("pkg1/contacts.js".to_string(), 2),
            ("pkg2/notes.js".to_string(), 1)
        ]
    );
    // The client's file, and the two path files with evidence: none of the 60 ordinary ones.
    assert_eq!(r.summary.files_read, 3);
}

#[test]
fn index_module_name_links_only_through_an_import_of_its_directory() {
    let d = tempfile::tempdir().unwrap();
    ordinary_files(d.path(), 40);
    write(
        d.path(),
        "lib/index.js",
        "const HOST = 'https://rest.gohighlevel.com/v1';\nmodule.exports = { HOST };\n",
    );
    write(
        d.path(),
        "app/sync.js",
        "const { HOST } = require('../lib');\n\
         // see the index\n\
         exports.sync = (id) => fetch(`${HOST}/contacts/${id}`, { method: 'PUT' });\n",
    );
    let r = scan_dir(d.path());
    assert_eq!(
        usage(&r),
        [
            ("app/sync.js".to_string(), 3),
            ("lib/index.js".to_string(), 1)
        ]
    );
    assert_eq!(r.summary.files_read, 2);
}

#[test]
fn inline_source_maps_are_not_key_candidates() {
    let d = tempfile::tempdir().unwrap();
    // `{"version":3,…}` in base64: starts with `eyJ` like every JWT.
    let map = "eyJ2ZXJzaW9uIjozLCJzb3VyY2VzIjpbImEudHMiXSwibWFwcGluZ3MiOiJBQUFBIn0=";
    for i in 0..30 {
        write(
            d.path(),
            &format!("dist/f{i}.js"),
            &format!(
                "fetch('/contacts/' + id);\n//# sourceMappingURL=data:application/json;base64,{map}\n"
            ),
        );
    }
    // A real (synthetic) key still brings its file in.
    let key = ghl_migrate::credential::synthetic_jwt(
        r#"{"location_id":"SYNTHETICLOC0000000001","version":1}"#,
    );
    write(d.path(), "config.js", &format!("const KEY = '{key}';\n"));
    let r = scan_dir(d.path());
    assert_eq!(r.summary.files_read, 1);
    assert!(
        r.findings
            .iter()
            .all(|f| f.path == "config.js" && f.credential.is_some()),
        "{:?}",
        r.findings
    );
}

#[test]
fn n8n_export_over_max_filesize_reports_its_v1_node_and_line() {
    let d = tempfile::tempdir().unwrap();
    let mut nodes = Vec::new();
    for i in 0..12_000 {
        nodes.push(serde_json::json!({
            "parameters": {"url": format!("https://api.example.com/users/{i}"), "options": {}},
            "id": format!("00000000-0000-4000-8000-{i:012}"),
            "name": format!("HTTP Request {i}"),
            "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2, "position": [0, 0]
        }));
    }
    nodes.insert(
        6_000,
        serde_json::json!({
            "parameters": {"method": "PUT", "url": "https://rest.gohighlevel.com/v1/contacts/{{$json.id}}"},
            "id": "00000000-0000-4000-8000-ffffffffffff", "name": "Update GHL contact",
            "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2, "position": [0, 0]
        }),
    );
    let text = serde_json::to_string_pretty(&serde_json::json!({
        "name": "Big export", "nodes": nodes, "connections": {}
    }))
    .unwrap();
    let line = text[..text.find("rest.gohighlevel.com").unwrap()]
        .matches('\n')
        .count()
        + 1;
    let opts = WalkOptions {
        max_filesize: 1 << 20,
        ..WalkOptions::default()
    };
    assert!(text.len() as u64 > opts.max_filesize);
    write(d.path(), "workflows.json", &text);
    let r = scan::scan(&[d.path().to_path_buf()], &opts, &RuleSet::embedded(), None);
    assert!(r.skipped.is_empty(), "{:?}", r.skipped);
    let f: Vec<_> = r.findings.iter().filter(|f| f.is_v1_usage()).collect();
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].line, line);
    assert_eq!(f[0].rule.as_deref(), Some("contacts.update"));
    assert!(
        f[0].note
            .as_deref()
            .unwrap_or("")
            .contains("Update GHL contact"),
        "{:?}",
        f[0].note
    );
}

#[test]
fn over_limit_file_hits_are_reported_at_their_line_and_nothing_else_is_read() {
    let d = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..40_000 {
        text.push_str(&format!(
            "const u{i} = 'https://api.example.com/users/{i}';\n"
        ));
    }
    text.push_str(
        "fetch('https://rest.gohighlevel.com/v1/contacts/' + id, { method: 'DELETE' });\n",
    );
    text.push_str(&"// padding\n".repeat(1000));
    write(d.path(), "big.js", &text);
    let opts = WalkOptions {
        max_filesize: 64 << 10,
        ..WalkOptions::default()
    };
    let r = scan::scan(&[d.path().to_path_buf()], &opts, &RuleSet::embedded(), None);
    assert!(r.skipped.is_empty(), "{:?}", r.skipped);
    assert_eq!(usage(&r), [("big.js".to_string(), 40_001)]);
    assert!(r.summary.bytes_read < 16 << 10, "{}", r.summary.bytes_read);
    assert_eq!(r.warnings.len(), 1);
    assert!(r.warnings[0].reason.contains("--max-filesize"));
}
