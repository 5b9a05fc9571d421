//! How `scan` fits a team's tools: `--verbose` says why each file was or was not read, `-q` keeps only
//! the findings, and `scan -` reads standard input as one file.
mod support;
use support::{bin, tree};

const V1_CALL: &str = "fetch('https://rest.gohighlevel.com/v1/contacts/' + id)\n";

/// stderr of a `scan` run, one line per entry.
fn stderr_lines(out: &std::process::Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(str::to_string)
        .collect()
}

/// `stderr` lines of `scan -v --exit-zero` over `dir`.
fn verbose_lines(dir: &std::path::Path) -> Vec<String> {
    let out = bin()
        .args(["scan", "-v", "--exit-zero"])
        .arg(dir)
        .output()
        .unwrap();
    stderr_lines(&out)
}

/// Every reason `--verbose` gave for the path ending in `/file`, in order (pass 1, then pass 2).
fn reasons_for<'a>(lines: &'a [String], file: &str) -> Vec<&'a str> {
    let suffix = format!("/{file}: ");
    lines
        .iter()
        .filter_map(|l| l.split_once(&suffix).map(|(_, why)| why))
        .collect()
}

/// The line `--verbose` printed for the path ending in `file`.
fn reason_for<'a>(lines: &'a [String], file: &str) -> &'a str {
    let suffix = format!("/{file}: ");
    lines
        .iter()
        .find_map(|l| l.split_once(&suffix).map(|(_, why)| why))
        .unwrap_or_else(|| panic!("no --verbose line for {file} in {lines:#?}"))
}

#[test]
fn verbose_names_why_each_file_was_or_was_not_read() {
    let d = tree(&[
        ("big.js", V1_CALL.repeat(10)),
        ("app.js", V1_CALL.to_string()),
        ("notes.txt", "nothing about any CRM here\n".to_string()),
        ("plain.js", "export const answer = 42;\n".to_string()),
        ("logo.png", "not an image".to_string()),
        (".gitignore", "dist/\n".to_string()),
        ("dist/bundle.js", V1_CALL.to_string()),
        ("legacy/old.js", V1_CALL.to_string()),
        ("x.js.orig", V1_CALL.to_string()),
    ]);
    let out = bin()
        .args(["scan", "--verbose", "--exit-zero", "--max-filesize", "100"])
        .args(["--exclude", "legacy/"])
        .arg(d.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let lines = stderr_lines(&out);
    assert_eq!(
        reason_for(&lines, "big.js"),
        "read in part: larger than --max-filesize (560 > 100 bytes): searched for HighLevel hosts, keys and markers only"
    );
    assert_eq!(reason_for(&lines, "app.js"), "read");
    assert_eq!(
        reason_for(&lines, "notes.txt"),
        "not read: prefilter (no HighLevel host, JWT, PIT or setting name)"
    );
    assert_eq!(
        reason_for(&lines, "plain.js"),
        "not read: prefilter (no HighLevel host, JWT, PIT or setting name); code the program \
         model may still link"
    );
    assert_eq!(
        reason_for(&lines, "logo.png"),
        "not read: not a file type scan reads (extension or shebang)"
    );
    assert_eq!(
        reason_for(&lines, "dist"),
        "not read: ignore rule (.gitignore, .ignore or git exclude)"
    );
    assert_eq!(
        reason_for(&lines, "legacy"),
        "not read: ignore rule (--exclude, .ghl-migrateignore or scan.exclude)"
    );
    assert_eq!(
        reason_for(&lines, "x.js.orig"),
        "not read: patch leftover (.orig/.rej)"
    );
    // A directory left out by an ignore rule is named once, not each file below it.
    assert!(!lines.iter().any(|l| l.contains("bundle.js")), "{lines:#?}");
    // The excluded count in the summary is the first walk's, not doubled by the second.
    let json = bin()
        .args(["scan", "--verbose", "--format", "json", "--exit-zero"])
        .args(["--exclude", "legacy/"])
        .arg(d.path())
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["summary"]["excluded"], 1);
}

#[test]
fn verbose_reports_weak_files_linked_or_not_in_pass_2() {
    let d = tree(&[
        (
            "config.js",
            "export const CRM_BASE = 'https://rest.gohighlevel.com/v1';\n".to_string(),
        ),
        (
            "client.js",
            "import { CRM_BASE } from './config';\nfetch(CRM_BASE + '/contacts/');\n".to_string(),
        ),
        ("router.rb", "get '/contacts/' do\nend\n".to_string()),
    ]);
    let lines = verbose_lines(d.path());
    assert_eq!(
        reasons_for(&lines, "client.js"),
        [
            "V1-looking paths only: held for pass 2",
            "read in pass 2 (linked to a V1 base URL defined elsewhere)"
        ]
    );
    assert_eq!(
        reasons_for(&lines, "router.rb"),
        [
            "V1-looking paths only: held for pass 2",
            "not read: V1-looking paths only, and nothing links it to a V1 base URL"
        ]
    );
}

/// Findings of `scan --format json` over `dir` (path, line, kind, sorted), with or without
/// `--verbose`, and the number of files read.
fn findings_and_reads(dir: &std::path::Path, verbose: bool) -> (Vec<(String, u64, String)>, u64) {
    let out = bin()
        .args(["scan", "--format", "json", "--exit-zero"])
        .args(verbose.then_some("--verbose"))
        .arg(dir)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut found: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("path"), f["line"].as_u64().unwrap_or(0), s("kind"))
        })
        .collect();
    found.sort();
    (found, report["summary"]["files_read"].as_u64().unwrap())
}

#[test]
fn code_with_v1_paths_is_linked_in_pass_2_without_verbose_and_read_once() {
    // Without `--verbose`, code is searched for V1 path segments only in pass 2: a bare request
    // option below a V1 client is found all the same, and code already read in pass 1 (it holds a
    // key) is not read by the extractor again.
    let key = ghl_migrate::credential::synthetic_jwt(r#"{"note":"synthetic test key"}"#);
    let d = tree(&[
        (
            "api.js",
            "import axios from 'axios';\n\
             export const api = axios.create({ baseURL: 'https://rest.gohighlevel.com/v1' });\n"
                .to_string(),
        ),
        (
            "pkg/notes.js",
            "export const add = (id) => request({ method: 'POST', url: '/contacts/' + id });\n"
                .to_string(),
        ),
        (
            "keyed.js",
            format!(
                "import {{ api }} from './api';\nconst KEY = '{key}';\n\
                 export const one = (id) => api.get(`/users/${{id}}`, {{ headers: {{ KEY }} }});\n"
            ),
        ),
        ("router.rb", "get '/contacts/' do\nend\n".to_string()),
    ]);
    let (quiet, read) = findings_and_reads(d.path(), false);
    assert_eq!((quiet.clone(), read), findings_and_reads(d.path(), true));
    // api.js and keyed.js in pass 1, pkg/notes.js in pass 2.
    assert_eq!(read, 3, "{quiet:#?}");
    let calls = |path: &str| {
        quiet
            .iter()
            .filter(|(p, _, k)| p == path && k == "call")
            .map(|(_, l, _)| *l)
            .collect::<Vec<_>>()
    };
    assert_eq!(calls("pkg/notes.js"), [1], "{quiet:#?}");
    assert_eq!(calls("keyed.js"), [3], "{quiet:#?}");
    assert!(!quiet.iter().any(|(p, ..)| p == "router.rb"), "{quiet:#?}");
}

#[test]
fn without_verbose_stderr_has_no_per_file_lines() {
    let d = tree(&[("app.js", V1_CALL), ("notes.txt", "hello\n")]);
    let out = bin()
        .args(["scan", "--exit-zero"])
        .arg(d.path())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn quiet_drops_the_summary_but_keeps_findings_and_the_exit_code() {
    let d = tree(&[("app.js", V1_CALL)]);
    let out = bin().args(["scan", "-q"]).arg(d.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("app.js"), "{stdout}");
    assert!(stdout.contains("/v1/contacts/"), "{stdout}");
    for summary in ["summary:", "gate:"] {
        assert!(!stdout.contains(summary), "{summary} in {stdout}");
    }
    let loud = bin().args(["scan"]).arg(d.path()).output().unwrap();
    assert!(String::from_utf8_lossy(&loud.stdout).contains("summary:"));
}

#[test]
fn quiet_silences_the_baseline_note() {
    let d = tree(&[("app.js", V1_CALL)]);
    let baseline = d.path().join("baseline.json");
    let out = bin()
        .args(["scan", "-q", "--write-baseline"])
        .arg(&baseline)
        .arg(d.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert!(baseline.is_file());
}

const PY_V1: &str = "import requests\n\ndef contacts(key):\n    return requests.get(\"https://rest.gohighlevel.com/v1/contacts/\", headers={\"Authorization\": \"Bearer \" + key})\n";

#[test]
fn stdin_with_a_name_finds_a_v1_call_in_python() {
    let out = bin()
        .args(["scan", "-", "--stdin-name", "x.py", "--format", "json"])
        .write_stdin(PY_V1)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["roots"], serde_json::json!(["x.py"]));
    let calls: Vec<(&str, u64, &str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "call")
        .map(|f| {
            (
                f["path"].as_str().unwrap(),
                f["line"].as_u64().unwrap(),
                f["method"].as_str().unwrap(),
                f["rule"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(calls, [("x.py", 4, "GET", "contacts.list")]);
}

#[test]
fn stdin_name_sets_the_context_and_cannot_leave_the_private_folder() {
    let out = bin()
        .args([
            "scan",
            "-",
            "--stdin-name",
            "../tests/test_x.py",
            "--format",
            "json",
        ])
        .write_stdin(PY_V1)
        .output()
        .unwrap();
    // Test code is reported, not failing the gate by default.
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &report["findings"][0];
    assert_eq!(f["path"], "tests/test_x.py");
    assert_eq!(f["context"], "test");
}

#[test]
fn stdin_over_max_filesize_is_an_error_not_a_green_gate() {
    let out = bin()
        .args(["scan", "-", "--stdin-name", "x.py", "--max-filesize", "64"])
        .write_stdin(PY_V1)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "ghl-migrate: error: standard input (see --max-filesize) is larger than the 64 bytes limit\n"
    );
}

#[test]
fn stdin_without_a_language_is_an_error_not_a_green_gate() {
    let out = bin()
        .args(["scan", "-"])
        .write_stdin(V1_CALL)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot tell its language from the name \"<stdin>\""),
        "{err}"
    );
    // A shebang says it.
    let out = bin()
        .args(["scan", "-", "--exit-zero", "--format", "json"])
        .write_stdin(format!("#!/usr/bin/env node\n{V1_CALL}"))
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["findings"][0]["path"], "<stdin>");
}

#[test]
fn stdin_cannot_be_combined_with_paths_or_read_by_plan() {
    let out = bin()
        .args(["scan", "-", "."])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be combined"));
    let out = bin().args(["plan", "-"]).write_stdin("").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("read by `scan` only"));
}

#[test]
fn a_folder_of_projects_links_files_within_their_project() {
    // Client repositories side by side. The V1 base is defined in client-a; client-b uses the
    // same name for its own base, which is not V1, so nothing there may be linked to client-a's; a
    // script outside every project may import from any of them; a root `.env` outside every project
    // may be read by any.
    let uses = "import { CRM_BASE } from './config';\nfetch(CRM_BASE + '/contacts/');\n";
    let d = tree(&[
        ("client-a/package.json", "{\"name\": \"a\"}\n".to_string()),
        (
            "client-a/src/config.js",
            "export const CRM_BASE = 'https://rest.gohighlevel.com/v1';\n".to_string(),
        ),
        ("client-a/src/contacts.js", uses.to_string()),
        // A repository without a manifest at its root: its `.git` marks the project.
        ("client-b/.git/HEAD", "ref: refs/heads/main\n".to_string()),
        (
            "client-b/src/config.js",
            "export const CRM_BASE = process.env.CRM_URL;\n".to_string(),
        ),
        ("client-b/src/contacts.js", uses.to_string()),
        (
            "client-c/pyproject.toml",
            "[project]\nname = \"c\"\n".to_string(),
        ),
        (
            "client-c/sync.py",
            "import os, requests\nrequests.get(os.environ['GHL_URL'] + '/contacts/')\n".to_string(),
        ),
        (
            "scripts/sync.js",
            "import { CRM_BASE } from '../client-a/src/config';\nfetch(CRM_BASE + '/users/');\n"
                .to_string(),
        ),
    ]);
    let (found, _) = findings_and_reads(d.path(), false);
    let calls: Vec<&str> = found
        .iter()
        .filter(|(_, _, k)| k == "call")
        .map(|(p, _, _)| p.as_str())
        .collect();
    assert_eq!(
        calls,
        ["client-a/src/contacts.js", "scripts/sync.js"],
        "{found:#?}"
    );
    assert_eq!(
        reasons_for(&verbose_lines(d.path()), "client-b/src/contacts.js"),
        [
            "V1-looking paths only: held for pass 2",
            "not read: V1-looking paths only, in a project (package manifest or repository) with no \
             V1 base URL or request"
        ]
    );

    // A setting outside every project holding the V1 base: client-c's read of it is linked.
    std::fs::write(
        d.path().join(".env"),
        "GHL_URL=https://rest.gohighlevel.com/v1\n",
    )
    .unwrap();
    let (found, _) = findings_and_reads(d.path(), false);
    assert!(
        found
            .iter()
            .any(|(p, l, k)| p == "client-c/sync.py" && *l == 2 && k == "call"),
        "{found:#?}"
    );
}
