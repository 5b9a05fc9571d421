//! Workflow exports: hostile inputs never panic and say why they fell back; the n8n operation table agrees
//! with n8n-nodes-base; every export finding's line holds the value its JSON pointer names.
use assert_cmd::Command;
use ghl_migrate::rules::RuleSet;
use ghl_migrate::scan::exports::{self, Format, Outcome};
use ghl_migrate::scan::lang::Lang;
use serde_json::Value;
use std::path::Path;

fn analyze(name: &str, src: &str) -> Outcome {
    let lang = if name.ends_with(".yaml") {
        Lang::Yaml
    } else {
        Lang::Json
    };
    exports::analyze(Path::new(name), name, src, lang, &RuleSet::embedded())
}

fn fallback_reason(o: Outcome) -> String {
    match o {
        Outcome::Fallback(why) => why,
        other => panic!("expected a fallback, got {other:?}"),
    }
}

#[test]
fn truncated_json_falls_back_to_text_with_a_reason() {
    let src = r#"{"name": "wf", "nodes": [{"type": "n8n-nodes-base.httpRequest", "parameters": {"url": "https://rest.gohighlevel.com/v1/contacts/""#;
    let why = fallback_reason(analyze("wf.json", src));
    assert!(why.contains("not parseable as JSON"), "{why}");
    // The plain text scan still sees the V1 URL.
    let scan =
        ghl_migrate::scan::scan_text(Path::new("wf.json"), "wf.json", src, &RuleSet::embedded());
    assert!(
        scan.findings
            .iter()
            .any(|f| f.host.as_deref() == Some("rest.gohighlevel.com"))
    );
}

#[test]
fn deep_json_hits_the_recursion_limit_not_the_stack() {
    let n = 10_000;
    let src = format!(
        r#"{{"nodes": [{{"type": "n8n-nodes-base.httpRequest", "parameters": {}"https://rest.gohighlevel.com/v1/contacts/"{}}}]}}"#,
        "[".repeat(n),
        "]".repeat(n)
    );
    let why = fallback_reason(analyze("deep.json", &src));
    assert!(why.contains("recursion limit"), "{why}");
}

#[test]
fn deep_yaml_is_refused_before_parsing() {
    // 10 000 nested block sequences on one line (`- - - … a`).
    let src = format!(
        "__export_format: 4\n_type: export\nresources:\n  {}a\n",
        "- ".repeat(10_000)
    );
    let why = fallback_reason(analyze("deep.yaml", &src));
    assert!(why.contains("nested deeper"), "{why}");
    let flow = format!(
        "__export_format: 4\nresources: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert!(fallback_reason(analyze("flow.yaml", &flow)).contains("nested deeper"));
}

#[test]
fn yaml_alias_bomb_is_refused() {
    let src = "_type: export\n__export_format: 4\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\nresources: *i\n";
    let why = fallback_reason(analyze("bomb.yaml", src));
    assert!(why.contains("alias"), "{why}");
}

#[test]
fn huge_json_is_not_parsed() {
    let mut src = String::with_capacity(100 << 20);
    src.push_str(r#"{"nodes": [], "pad": ""#);
    src.push_str(&"x".repeat(100 << 20));
    src.push_str("\"}");
    let why = fallback_reason(analyze("huge.json", &src));
    assert!(why.contains("larger than"), "{why}");
}

#[test]
fn wrong_typed_n8n_does_not_panic() {
    let src = r#"{"nodes": [
      {"type": "n8n-nodes-base.httpRequest", "typeVersion": "four", "parameters": "oops"},
      {"type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2, "parameters": {"url": {"x": 1}, "method": 7,
        "headerParameters": 3, "headers": [1, null, ["Authorization"]], "headerParametersUi": {"parameter": "no"}}},
      {"type": "n8n-nodes-base.highLevel", "typeVersion": null, "parameters": {"resource": 5, "operation": ["x"]}, "credentials": []},
      {"type": "n8n-nodes-base.highLevel", "typeVersion": 1, "parameters": {"resource": "contact", "operation": "nope"}},
      {"type": 12}, "string node", null
    ], "connections": 0}"#;
    let Outcome::Export(Format::N8n, scan) = analyze("bad.json", src) else {
        panic!("not read as n8n");
    };
    // The two highLevel v1 nodes are still reported: defaults (contact.create) and an unknown operation.
    let notes: Vec<&str> = scan
        .findings
        .iter()
        .filter_map(|f| f.note.as_deref())
        .collect();
    assert_eq!(scan.findings.len(), 2, "{notes:?}");
    assert!(notes.iter().any(|n| n.contains("contact.create")));
    assert!(
        notes
            .iter()
            .any(|n| n.contains("not in the n8n-nodes-base table"))
    );
}

#[test]
fn hostile_files_through_the_cli_complete() {
    let dir = tempfile::tempdir().unwrap();
    let n = 10_000;
    std::fs::write(
        dir.path().join("deep.json"),
        format!(
            r#"{{"u": "https://rest.gohighlevel.com/v1/contacts/", "x": {}{}}}"#,
            "[".repeat(n),
            "]".repeat(n)
        ),
    )
    .unwrap();
    let mut yaml =
        String::from("__export_format: 4\nurl: https://rest.gohighlevel.com/v1/contacts/\n");
    yaml.push_str(&format!("x:\n  {}a\n", "- ".repeat(n)));
    std::fs::write(dir.path().join("deep.yaml"), yaml).unwrap();
    std::fs::write(
        dir.path().join("bomb.yaml"),
        "__export_format: 4\nurl: https://rest.gohighlevel.com/v1/users/\na: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("trunc.postman_collection.json"),
        r#"{"info": {"schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}, "item": [{"request": {"url": "https://rest.gohighlevel.com/v1/tags/""#,
    )
    .unwrap();
    let out = Command::cargo_bin("ghl-migrate")
        .unwrap()
        .args(["scan", "--format", "json", "--exit-zero", "-q"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Each file fell back to the text scan, which still reports its V1 URL.
    for name in [
        "deep.json",
        "deep.yaml",
        "bomb.yaml",
        "trunc.postman_collection.json",
    ] {
        assert!(
            v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["path"] == name),
            "{name}: {}",
            v["findings"]
        );
    }
}

/// `{{…}}`, `{name}` and `:name` path parameters all become `{}`.
fn shape(path: &str) -> String {
    let re = regex::Regex::new(r"\{\{[^}]*\}\}|\{[^}]*\}").unwrap();
    re.replace_all(path.trim_start_matches('='), "{}")
        .into_owned()
}

#[test]
fn n8n_table_agrees_with_n8n_nodes_base() {
    let facts: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/data/n8n-nodes-base-2.41.2-highlevel-v1.json").unwrap(),
    )
    .unwrap();
    let t = exports::n8n::table();
    assert_eq!(facts["package"], t.package.as_str());
    assert_eq!(facts["version"], t.version.as_str());
    assert_eq!(facts["base_url"], t.base_url.as_str());
    assert_eq!(facts["default_resource"], t.default_resource.as_str());
    assert_eq!(
        facts["default_operation"][&t.default_resource],
        t.default_operation.as_str()
    );
    let ops = facts["operations"].as_object().unwrap();
    assert_eq!(ops.len(), t.operations.len(), "operation sets differ");
    let base_path = t
        .base_url
        .trim_start_matches("https://rest.gohighlevel.com");
    for (name, f) in ops {
        let ours = t
            .operations
            .get(name)
            .unwrap_or_else(|| panic!("{name} missing from our table"));
        assert_eq!(f["method"], ours.method.as_str(), "{name}");
        let theirs = format!("{base_path}{}", shape(f["url"].as_str().unwrap()));
        assert_eq!(theirs, shape(&ours.path), "{name}");
    }
}

#[test]
fn every_export_finding_sits_on_the_line_of_its_value() {
    let mut checked = 0;
    for e in walkdir::WalkDir::new("fixtures/exports")
        .into_iter()
        .filter_map(Result::ok)
    {
        if e.file_name() != "expected.json" {
            continue;
        }
        let dir = e.path().parent().unwrap();
        let want: Value =
            serde_json::from_str(&std::fs::read_to_string(e.path()).unwrap()).unwrap();
        for f in want["findings"].as_array().unwrap() {
            let path = dir.join(f["path"].as_str().unwrap());
            let Some(ptr) = f["json_pointer"].as_str() else {
                continue;
            };
            let yaml = path.extension().is_some_and(|x| x == "yaml");
            let text = std::fs::read_to_string(&path).unwrap();
            let doc: Value = if yaml {
                serde_norway::from_str(&text).unwrap()
            } else {
                serde_json::from_str(&text).unwrap()
            };
            let value = doc
                .pointer(ptr)
                .unwrap_or_else(|| panic!("{ptr} not in {}", path.display()));
            let line = text
                .lines()
                .nth(f["line"].as_u64().unwrap() as usize - 1)
                .unwrap();
            let expect = match value {
                Value::String(s) if yaml => s.clone(),
                Value::String(s) => serde_json::to_string(s).unwrap(),
                Value::Array(_) => "[".into(),
                Value::Object(_) => "{".into(),
                other => other.to_string(),
            };
            let head: String = expect.chars().take(24).collect();
            assert!(
                line.contains(&head),
                "{}:{} {ptr}: {line:?} lacks {head:?}",
                path.display(),
                f["line"]
            );
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} findings checked");
}
