//! The fuzz harness: one function per target, each feeding arbitrary bytes through a public entry point of
//! `ghl_migrate` and checking what must always hold (no panic, lines inside the file, no key in clear).
//!
//! `fuzz_targets/*.rs` call these; `tests/fuzz_regressions.rs` in the main crate includes this file too
//! (`#[path]`), so every saved crashing input is replayed through exactly the same code by `cargo test`.
#![allow(dead_code)]

use ghl_migrate::credential;
use ghl_migrate::method::Method;
use ghl_migrate::pathmatch::{self, Seg};
use ghl_migrate::redact;
use ghl_migrate::rules::RuleSet;
use ghl_migrate::scan::exports::{self, Format, Outcome};
use ghl_migrate::scan::extract::{self, FileScan};
use ghl_migrate::scan::finding::Finding;
use ghl_migrate::scan::lang::Lang;
use ghl_migrate::scan::{scan_text, secrets, walk};
use serde_json::Value;
use std::path::Path;
use std::sync::OnceLock;

fn rules() -> &'static RuleSet {
    static R: OnceLock<RuleSet> = OnceLock::new();
    R.get_or_init(RuleSet::embedded)
}

/// File names the source target picks from (first input byte): one per language and naming rule.
pub const SOURCE_NAMES: &[&str] = &[
    "a.js",
    "a.ts",
    "a.py",
    "a.php",
    "a.rb",
    "a.sh",
    "a.go",
    "A.java",
    "a.kt",
    "A.cs",
    "a.dart",
    "a.rs",
    "a.swift",
    "a.c",
    "a.json",
    "a.yaml",
    "a.toml",
    ".env",
    "a.ini",
    "a.xml",
    "README.md",
    "a.txt",
    "a.html",
    "Dockerfile",
    "script",
    "a.vue",
    "a.tsx",
    "a.gradle",
    "a.env",
    "a.erb",
    "a.postman_collection.json",
    "x.postman_environment.json",
];

/// Which name an input's first byte selects, and the rest of the input.
pub fn split_name<'a>(data: &'a [u8], names: &[&'static str]) -> Option<(&'static str, &'a [u8])> {
    let (&sel, rest) = data.split_first()?;
    Some((names[sel as usize % names.len()], rest))
}

/// Source extractor: one in-memory file of arbitrary bytes, decoded as `scan` decodes files.
pub fn source(data: &[u8]) {
    let Some((name, bytes)) = split_name(data, SOURCE_NAMES) else {
        return;
    };
    let Ok(text) = walk::decode(bytes.to_vec()) else {
        return; // binary: the scanner skips it
    };
    let src = match &text {
        walk::Text::Utf8(s) | walk::Text::Decoded(s, _) => s.as_str(),
    };
    let scan = scan_text(Path::new(name), name, src, rules());
    check_scan(src, &scan);
}

/// Path matcher: normalise arbitrary text, look it up with a method chosen by the first byte.
pub fn pathmatch(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let Ok(raw) = std::str::from_utf8(rest) else {
        return;
    };
    let method = [
        None,
        Some(Method::Get),
        Some(Method::Post),
        Some(Method::Put),
        Some(Method::Patch),
        Some(Method::Delete),
        Some(Method::Any),
    ][sel as usize % 7];
    let p = pathmatch::normalize(raw);
    for s in &p.segments {
        if let Seg::Lit(l) = s {
            assert!(!l.is_empty(), "empty literal segment from {raw:?}");
            assert!(!l.contains('/'), "'/' in a segment from {raw:?}");
        }
    }
    let shown = p.to_string();
    assert!(shown.starts_with('/'));
    let _ = rules().matcher().lookup(method, &p);
    let _ = rules().matcher().lookup(method, &p.with_v1_prefix());
    let _ = pathmatch::template_segments(raw);
    // The normalised form is a fixed point (a literal with `%` may read as a printf verb once
    // lower-cased: `%V` → `%v`, so those are left out).
    if !shown.contains('%') {
        let again = pathmatch::normalize(&shown);
        assert_eq!(again.segments, p.segments, "{raw:?} → {shown:?}");
    }
}

/// Credential classifier, redaction and the secret finder.
pub fn credential(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for c in [
        credential::classify(text),
        credential::classify_by_use(text, true),
        credential::classify_by_use(text, false),
    ]
    .into_iter()
    .flatten()
    {
        for now in [0, 1_700_000_000, i64::MAX, i64::MIN] {
            let _ = c.age_days(now);
        }
        let t = text.trim();
        if t.chars().count() >= 12 {
            assert!(!c.redacted.contains(t), "redacted form shows the key");
        }
        let _ = serde_json::to_string(&c).unwrap();
    }
    let _ = credential::decode_jwt(text);
    let _ = credential::is_placeholder(text);
    let r = redact::redact(text);
    if text.chars().count() >= 12 {
        assert!(!r.contains(text), "redact({text:?}) = {r:?}");
    }
    let _ = redact::fingerprint(text);
    let pieces: Vec<&str> = text.split(' ').collect();
    let _ = redact::scrub(text, &pieces);
    let line = secrets::redact_line(text);
    for v1 in [false, true] {
        for h in secrets::find(text, v1) {
            let tok = &text[h.start..h.end];
            if !h.by_use {
                assert!(!line.contains(tok), "redact_line leaks {tok:?}: {line:?}");
            }
        }
    }
}

/// Names the raw export targets pick from (detection is by content; the name only matters for Postman
/// environments and YAML).
const JSON_NAMES: &[&str] = &[
    "export.json",
    "workflow.json",
    "a.postman_collection.json",
    "a.postman_environment.json",
];

/// Any JSON document through export detection (and the text fallback, as `scan` does).
pub fn export_json(data: &[u8]) {
    let Some((name, rest)) = split_name(data, JSON_NAMES) else {
        return;
    };
    if let Ok(src) = std::str::from_utf8(rest) {
        export_doc(name, src, Lang::Json, None);
    }
}

/// Any YAML document through export detection.
pub fn export_yaml(data: &[u8]) {
    if let Ok(src) = std::str::from_utf8(data) {
        export_doc("insomnia.yaml", src, Lang::Yaml, None);
    }
}

/// An arbitrary JSON value placed where each format reads: `HOLE` in these skeletons is replaced by it.
fn skeletons(f: Format) -> &'static [&'static str] {
    match f {
        Format::N8n => &[
            r#"{"nodes":[{"type":"n8n-nodes-base.httpRequest","typeVersion":4,"parameters":HOLE}]}"#,
            r#"{"nodes":[{"type":"n8n-nodes-base.highLevel","typeVersion":1,"parameters":HOLE,"credentials":HOLE}]}"#,
            r#"{"nodes":[{"type":"n8n-nodes-base.set"},HOLE]}"#,
            r#"[{"nodes":[{"type":"n8n-nodes-base.code","parameters":{"jsCode":HOLE}}]}]"#,
            r#"{"data":[{"nodes":[{"type":"n8n-nodes-base.httpRequest","parameters":{"url":"https://rest.gohighlevel.com/v1/contacts/","headerParameters":HOLE,"method":HOLE}}]}]}"#,
        ],
        Format::Make => &[
            r#"{"flow":[{"module":"http:ActionSendData","mapper":HOLE}]}"#,
            r#"{"flow":[{"module":"x"},HOLE]}"#,
            r#"{"subflows":[{"flow":[{"module":"highlevel:x","parameters":HOLE,"routes":HOLE}]}]}"#,
            r#"{"flow":[{"module":"builtin:BasicRouter","routes":[{"flow":HOLE}]}]}"#,
        ],
        Format::Postman => &[
            r#"{"info":{"schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},"item":[HOLE],"variable":HOLE}"#,
            r#"{"info":{"_postman_id":"x"},"item":[{"name":"r","request":HOLE}],"auth":HOLE}"#,
            r#"{"info":{"_postman_id":"x"},"item":[{"item":[{"request":{"url":HOLE,"method":"GET","header":HOLE}}]}]}"#,
            r#"{"_postman_variable_scope":"environment","values":HOLE}"#,
            r#"{"_postman_variable_scope":"environment","values":[{"key":"k","value":HOLE}]}"#,
        ],
        Format::InsomniaV4 | Format::InsomniaV5 => &[
            r#"{"_type":"export","__export_format":4,"resources":[HOLE]}"#,
            r#"{"_type":"export","__export_format":4,"resources":[{"_type":"request","url":HOLE,"method":HOLE,"headers":HOLE,"authentication":HOLE}]}"#,
            r#"{"_type":"export","__export_format":4,"resources":[{"_type":"environment","data":HOLE},{"_type":"request","url":"{{ _.base }}/contacts/"}]}"#,
            r#"{"type":"collection.insomnia.rest/5.0","collection":[HOLE],"environments":HOLE}"#,
            r#"{"type":"collection.insomnia.rest/5.0","collection":[{"name":"f","children":[HOLE]}]}"#,
        ],
        Format::HighLevelWorkflow => &[
            r#"{"$schema":"ghl-workflow-export/1","workflow":HOLE}"#,
            r#"{"templates":[{"type":"webhook","attributes":HOLE}]}"#,
            r#"{"workflowData":{"templates":[HOLE,{"type":"custom_webhook","attributes":{"url":"https://rest.gohighlevel.com/v1/contacts/","headers":HOLE}}]}}"#,
        ],
        Format::Zapier => &[
            r#"{"zaps":[{"steps":[HOLE]}]}"#,
            r#"{"zaps":[{"steps":[{"app":"WebHookCLIAPI","action":"post","params":HOLE}]}]}"#,
            r#"{"steps":{"1":{"app":"WebHookCLIAPI@1.0.0","params":HOLE,"meta":HOLE}}}"#,
        ],
        Format::PostmanEnvironment => &[],
    }
}

fn path_for(f: Format, yaml: bool) -> &'static str {
    match (f, yaml) {
        (_, true) => "insomnia.yaml",
        (Format::PostmanEnvironment, _) => "a.postman_environment.json",
        (Format::Postman, _) => "a.postman_collection.json",
        _ => "export.json",
    }
}

/// A format's target: the input as a whole document (seeded with that format's fixtures), then, when the
/// input is a JSON value, grafted into each skeleton of the format (compact, pretty and as YAML).
pub fn export_format(f: Format, data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    export_doc(path_for(f, false), src, Lang::Json, None);
    if matches!(f, Format::InsomniaV4 | Format::InsomniaV5) {
        export_doc("insomnia.yaml", src, Lang::Yaml, None);
    }
    let Ok(hole) = serde_json::from_str::<Value>(src) else {
        return;
    };
    let compact = serde_json::to_string(&hole).unwrap();
    for (i, sk) in skeletons(f).iter().enumerate() {
        let doc = sk.replace("HOLE", &compact);
        let Ok(v) = serde_json::from_str::<Value>(&doc) else {
            continue; // deeper than serde_json's recursion limit
        };
        let want = exports::detect(&v, Path::new(path_for(f, false)));
        let text = if (data.len() + i).is_multiple_of(2) {
            doc
        } else {
            serde_json::to_string_pretty(&v).unwrap()
        };
        export_doc(path_for(f, false), &text, Lang::Json, want);
        if matches!(f, Format::InsomniaV4 | Format::InsomniaV5)
            && let Ok(y) = serde_norway::to_string(&v)
        {
            export_doc("insomnia.yaml", &y, Lang::Yaml, None);
        }
    }
}

pub fn export_n8n(data: &[u8]) {
    export_format(Format::N8n, data)
}
pub fn export_make(data: &[u8]) {
    export_format(Format::Make, data)
}
pub fn export_postman(data: &[u8]) {
    export_format(Format::Postman, data)
}
pub fn export_insomnia(data: &[u8]) {
    export_format(Format::InsomniaV4, data)
}
pub fn export_highlevel(data: &[u8]) {
    export_format(Format::HighLevelWorkflow, data)
}
pub fn export_zapier(data: &[u8]) {
    export_format(Format::Zapier, data)
}

/// One document through `exports::analyze`, then the text scan when it is not an export (as
/// `scan_text` does). `want`: the format detection found on the parsed value, which analyze must agree on.
pub fn export_doc(name: &str, src: &str, lang: Lang, want: Option<Format>) {
    let path = Path::new(name);
    match exports::analyze(path, name, src, lang, rules()) {
        Outcome::Export(format, scan) => {
            if let Some(w) = want {
                assert_eq!(format, w);
            }
            check_scan(src, &scan);
            if lang == Lang::Json {
                let v: Value = serde_json::from_str(src.trim_start_matches('\u{feff}')).unwrap();
                for f in &scan.findings {
                    if let Some(p) = &f.json_pointer {
                        assert!(
                            v.pointer(p).is_some(),
                            "pointer {p} of a finding names no value"
                        );
                    }
                }
            }
        }
        Outcome::NotExport | Outcome::Fallback(_) => {
            let scan = extract::extract(name, src, lang, rules());
            check_scan(src, &scan);
        }
    }
}

/// What every scan result must satisfy: lines inside the file, and no key found by its shape shown in
/// clear anywhere in a finding.
pub fn check_scan(src: &str, scan: &FileScan) {
    let lines = src.split('\n').count();
    let keys: Vec<&str> = secrets::find(src, false)
        .into_iter()
        .filter(|h| !h.by_use)
        .map(|h| &src[h.start..h.end])
        .collect();
    for f in &scan.findings {
        check_finding(f, lines, &keys);
    }
    for p in &scan.pending {
        check_finding(&p.finding, lines, &keys);
    }
}

fn check_finding(f: &Finding, lines: usize, keys: &[&str]) {
    assert!(
        f.line >= 1 && f.line <= lines,
        "line {} outside 1..={lines}",
        f.line
    );
    assert!(f.column >= 1, "column 0");
    if let Some(e) = f.end_line {
        assert!(e >= f.line && e <= lines, "end_line {e}");
    }
    let shown = serde_json::to_string(f).unwrap();
    for k in keys {
        assert!(!shown.contains(k), "a key is shown in clear: {shown}");
    }
}

/// File names the program target picks from (first input byte): one directory per language, up to three
/// files each (names that import one another in the seeds: `./api`, `config`, `Api.php`, …).
pub const PROGRAM_NAMES: &[[&str; 3]] = &[
    ["src/api.js", "src/client.js", "src/index.js"],
    ["src/api.ts", "src/client.ts", "src/index.ts"],
    ["src/Api.tsx", "src/client.tsx", "src/App.tsx"],
    ["pkg/config.py", "pkg/client.py", "pkg/__init__.py"],
    ["src/Api.php", "src/Client.php", "src/index.php"],
    ["lib/api.rb", "lib/client.rb", "lib/tasks.rake"],
    ["bin/env.sh", "bin/lib.bash", "bin/deploy.sh"],
    ["scripts/Api.psm1", "scripts/Client.ps1", "scripts/run.ps1"],
    ["crm/api.go", "crm/client.go", "crm/main.go"],
    ["com/x/Api.java", "com/x/Client.java", "com/x/Main.java"],
    ["com/x/Api.kt", "com/x/Client.kt", "com/x/Main.kt"],
    ["App/Api.cs", "App/Client.cs", "App/Program.cs"],
    ["lib/api.dart", "lib/client.dart", "lib/main.dart"],
    ["web/index.html", "web/app.js", "web/page.vue"],
];

/// Separator between the synthetic files of one program input.
pub const PROGRAM_SEP: u8 = 0;

/// Program model: up to three files of one language (split on [`PROGRAM_SEP`]) parsed with
/// `facts_all` and solved together. Every fact and every request must lie inside its file.
pub fn program(data: &[u8]) {
    use ghl_migrate::program::parse::facts_all;
    use ghl_migrate::program::solve::{self, Unit};
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let names = &PROGRAM_NAMES[sel as usize % PROGRAM_NAMES.len()];
    let mut lines = std::collections::HashMap::new();
    let mut units = Vec::new();
    for (name, bytes) in names.iter().zip(rest.splitn(3, |&b| b == PROGRAM_SEP)) {
        let Ok(src) = std::str::from_utf8(bytes) else {
            continue;
        };
        let Some(lang) = Lang::detect(Path::new(name), bytes) else {
            continue;
        };
        let n = src.split('\n').count();
        lines.insert(name.to_string(), n);
        for (lang, facts) in facts_all(lang, name, src) {
            check_facts(name, n, &facts);
            units.push(Unit {
                path: name.to_string(),
                lang,
                facts,
            });
        }
    }
    if units.is_empty() {
        return;
    }
    // The scanner solves on a thread with a 256 MiB stack (`SOLVER_STACK`); so does the harness.
    let reqs = std::thread::scope(|sc| {
        std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn_scoped(sc, || {
                let all: Vec<usize> = (0..units.len()).collect();
                let _ = solve::v1_names(&units, &all);
                solve::solve(&units, std::collections::HashMap::new())
            })
            .unwrap()
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
    });
    for r in &reqs {
        let n = *lines
            .get(&r.path)
            .unwrap_or_else(|| panic!("request in an unknown file {:?}", r.path));
        assert!(
            r.line >= 1 && r.line <= n,
            "{}: request line {} outside 1..={n}",
            r.path,
            r.line
        );
        assert!(r.column >= 1, "{}:{}: request column 0", r.path, r.line);
        assert!(
            r.end_line >= r.line && r.end_line <= n,
            "{}:{}: request end_line {} outside {}..={n}",
            r.path,
            r.line,
            r.end_line,
            r.line
        );
        assert!(
            r.stmt_line >= 1 && r.stmt_line <= n,
            "{}:{}: statement line {} outside 1..={n}",
            r.path,
            r.line,
            r.stmt_line
        );
    }
}

/// Lines and columns of every fact are 1-based and inside the file (`n` lines).
fn check_facts(name: &str, n: usize, f: &ghl_migrate::program::facts::FileFacts) {
    let ok = |what: &str, line: usize| {
        assert!(
            line >= 1 && line <= n,
            "{name}: {what} line {line} outside 1..={n}"
        );
    };
    assert!(!f.functions.is_empty(), "{name}: no top-level function");
    for i in &f.imports {
        ok("import", i.line);
    }
    for c in &f.classes {
        ok("class", c.line);
    }
    for (id, func) in f.functions.iter().enumerate() {
        ok("function", func.line);
        if id == 0 {
            continue; // the top level ends at `usize::MAX` (the whole file)
        }
        ok("function end", func.end_line);
        assert!(
            func.end_line >= func.line,
            "{name}: function {id} ends at {} before its start {}",
            func.end_line,
            func.line
        );
        let p = func
            .parent
            .expect("a function other than the top level has a parent");
        assert!(p < f.functions.len(), "{name}: parent {p} of function {id}");
        if let Some(c) = func.class {
            assert!(c < f.classes.len(), "{name}: class {c} of function {id}");
        }
    }
    for b in &f.bindings {
        ok("binding", b.line);
    }
    for c in &f.calls {
        ok("call", c.call.line);
        ok("call end", c.call.end_line);
        ok("statement", c.stmt_line);
        assert!(c.call.column >= 1, "{name}:{}: call column 0", c.call.line);
        assert!(
            c.func < f.functions.len(),
            "{name}: call in function {}",
            c.func
        );
    }
}
