//! `ghl-migrate scan` as a user meets it: exit codes, reports, and hostile input that must be reported,
//! never fatal.
use predicates::prelude::*;
use std::fs;
use std::path::Path;

mod support;
use support::bin;

fn scan_json(dir: &Path, extra: &[&str]) -> serde_json::Value {
    support::json(
        bin()
            .args(["scan", "--format", "json", "--exit-zero", "-q"])
            .args(extra)
            .arg(dir),
    )
}

fn write(dir: &Path, rel: &str, text: &[u8]) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

const V1_CALL: &str = "fetch('https://rest.gohighlevel.com/v1/contacts/' + id)\n";

#[test]
fn exit_codes() {
    let clean = tempfile::tempdir().unwrap();
    write(
        clean.path(),
        "a.js",
        b"fetch('https://services.leadconnectorhq.com/contacts/')\n",
    );
    bin()
        .args(["scan", "-q"])
        .arg(clean.path())
        .assert()
        .code(0);
    let dirty = tempfile::tempdir().unwrap();
    write(dirty.path(), "a.js", V1_CALL.as_bytes());
    bin()
        .args(["scan", "-q"])
        .arg(dirty.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("GET /v1/contacts/{id}"));
    bin()
        .args(["scan", "-q", "--exit-zero"])
        .arg(dirty.path())
        .assert()
        .code(0);
    bin()
        .args(["scan", "/definitely/not/here"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no such file"));
}

#[test]
fn json_contract_fields() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "src/a.js", V1_CALL.as_bytes());
    let v = scan_json(d.path(), &[]);
    assert_eq!(v["schema"], "ghl-migrate/scan/v1");
    let f = &v["findings"][0];
    for k in [
        "kind",
        "path",
        "line",
        "column",
        "context",
        "method",
        "method_source",
        "v1_path",
        "rule",
        "v2",
        "confidence",
    ] {
        assert!(f.get(k).is_some(), "missing {k} in {f}");
    }
    assert_eq!(f["path"], "src/a.js");
    assert_eq!(f["rule"], "contacts.get");
    assert_eq!(f["v2"]["path"], "/contacts/{contactId}");
    assert_eq!(v["summary"]["v1_usage"], 1);
}

#[test]
fn hostile_files_are_reported_not_fatal() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    write(p, "good.js", V1_CALL.as_bytes());
    // A binary with a source-code name.
    let mut bin_js = b"fetch('https://rest.gohighlevel.com/v1/tags/')\0\0\x01\x02".to_vec();
    bin_js.extend(std::iter::repeat_n(0u8, 100));
    write(p, "binary.js", &bin_js);
    // Invalid UTF-8 around a V1 URL: scanned with replacement characters, with a warning.
    write(
        p,
        "latin1.php",
        b"<?php // caf\xe9\n$u = 'https://rest.gohighlevel.com/v1/pipelines/';\n",
    );
    // UTF-16 with a BOM.
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "x = \"https://rest.gohighlevel.com/v1/users/\"\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    write(p, "utf16.py", &utf16);
    // Larger than the limit.
    let mut big = V1_CALL.repeat(2);
    big.push_str(&"x".repeat(300_000));
    write(p, "big.js", big.as_bytes());
    // CRLF line endings keep line numbers right.
    write(
        p,
        "crlf.js",
        b"// a\r\n// b\r\nfetch('https://rest.gohighlevel.com/v1/forms/')\r\n",
    );
    // A minified one-liner within the limit.
    let mini = format!(
        "{}fetch(\"https://rest.gohighlevel.com/v1/surveys/\");{}",
        "var a=1;".repeat(10_000),
        "b=2;".repeat(10_000)
    );
    write(p, "app.min.js", mini.as_bytes());
    #[cfg(unix)]
    std::os::unix::fs::symlink(p, p.join("loop")).unwrap();

    let v = scan_json(p, &["--max-filesize", "200K", "--follow"]);
    let skipped = v["skipped"].as_array().unwrap();
    let reason = |name: &str| {
        skipped
            .iter()
            .find(|s| s["path"].as_str().unwrap().ends_with(name))
            .map(|s| s["reason"].as_str().unwrap().to_string())
    };
    assert!(
        reason("binary.js").unwrap().contains("binary"),
        "{skipped:?}"
    );
    // Over the limit: searched by the prefilter, its two calls reported at their lines; a warning, not a
    // skip.
    assert_eq!(reason("big.js"), None, "{skipped:?}");
    let big_lines: Vec<u64> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == "big.js")
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(big_lines, [1, 2]);
    #[cfg(unix)]
    assert!(
        skipped
            .iter()
            .any(|s| s["reason"].as_str().unwrap().contains("symlink loop")),
        "{skipped:?}"
    );
    let warnings = v["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| w["path"] == "latin1.php"),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(
            |w| w["path"] == "big.js" && w["reason"].as_str().unwrap().contains("max-filesize")
        ),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w["path"] == "utf16.py"),
        "{warnings:?}"
    );
    let found = |path: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .cloned()
    };
    assert_eq!(found("good.js").unwrap()["rule"], "contacts.get");
    assert_eq!(found("latin1.php").unwrap()["line"], 2);
    assert_eq!(found("utf16.py").unwrap()["v1_path"], "/v1/users");
    assert_eq!(found("crlf.js").unwrap()["line"], 3);
    assert_eq!(found("app.min.js").unwrap()["rule"], "surveys.list");
    assert!(found("binary.js").is_none());
    assert_eq!(
        v["summary"]["skipped"].as_u64().unwrap() as usize,
        skipped.len()
    );
}

#[cfg(unix)]
#[test]
fn unreadable_files_are_skipped_with_a_reason() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "secret.js", V1_CALL.as_bytes());
    let f = d.path().join("secret.js");
    fs::set_permissions(&f, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&f).is_ok() {
        return; // running as root: permissions do not apply
    }
    let v = scan_json(d.path(), &[]);
    assert_eq!(v["skipped"][0]["reason"], "permission denied");
}

#[test]
fn gitignore_hidden_and_env_files() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    write(p, ".gitignore", b"dist/\n");
    write(p, "dist/bundle.js", V1_CALL.as_bytes());
    write(p, ".cache/x.js", V1_CALL.as_bytes());
    write(p, ".env", b"GHL_BASE_URL=https://rest.gohighlevel.com/v1\n");
    write(p, "src/a.js", V1_CALL.as_bytes());
    // Hidden directories that hold code are read by default; caches are not.
    write(p, ".claude/hooks/notify.js", V1_CALL.as_bytes());
    write(p, ".netlify/functions/lead.js", V1_CALL.as_bytes());
    let paths = |v: serde_json::Value| -> Vec<String> {
        let mut p: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_string())
            .collect();
        p.dedup();
        p
    };
    let code = [
        ".claude/hooks/notify.js",
        ".env",
        ".netlify/functions/lead.js",
    ];
    let with = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = code.iter().chain(extra).map(|s| s.to_string()).collect();
        v.sort();
        v
    };
    assert_eq!(paths(scan_json(p, &[])), with(&["src/a.js"]));
    assert_eq!(
        paths(scan_json(p, &["--no-ignore"])),
        with(&["dist/bundle.js", "src/a.js"])
    );
    assert_eq!(
        paths(scan_json(p, &["--hidden"])),
        with(&[".cache/x.js", "src/a.js"])
    );
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let out = bin()
        .args([
            "scan",
            "fixtures/example",
            "--format",
            "sarif",
            "--exit-zero",
            "-q",
        ])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // SARIF 2.1.0 schema (rtm.5), vendored from npm @microsoft/jest-sarif 1.0.0-beta.0 (MIT).
    let schema: serde_json::Value =
        serde_json::from_str(&fs::read_to_string("tests/data/sarif-2.1.0-rtm.5.json").unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "contacts.create"));
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(
        rules.iter().any(|r| r["id"] == "contacts.create"
            && r["helpUri"].as_str().unwrap().starts_with("https://"))
    );
}

#[test]
fn other_formats_render() {
    for (fmt, needle) in [
        ("markdown", "| line | kind |"),
        ("csv", "path,line,column,kind"),
        ("text", "summary:"),
    ] {
        bin()
            .args([
                "scan",
                "fixtures/example",
                "--exit-zero",
                // Not `-q`: it drops the text summary.
                "--color",
                "never",
                "--format",
                fmt,
            ])
            .assert()
            .success()
            .stdout(predicate::str::contains(needle));
    }
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("r.json");
    bin()
        .args(["scan", "fixtures/example", "-q", "--format", "json", "-o"])
        .arg(&out)
        .assert()
        .code(1)
        .stdout("");
    assert!(
        fs::read_to_string(out)
            .unwrap()
            .contains("ghl-migrate/scan/v1")
    );
}

#[test]
fn minified_lines_never_leak_a_key_in_snippets() {
    let d = tempfile::tempdir().unwrap();
    let key = ghl_migrate::credential::synthetic_jwt(
        r#"{"location_id":"MiNiFiEdLoCaTiOn0001","version":1,"iat":1650000000000}"#,
    );
    let mini = format!(
        "{}var k=\"{key}\";fetch(\"https://rest.gohighlevel.com/v1/contacts/\"+i,{{headers:{{Authorization:\"Bearer \"+k}}}});{}",
        "var a=1;".repeat(5_000),
        "b=2;".repeat(5_000)
    );
    write(d.path(), "bundle.min.js", mini.as_bytes());
    for format in ["json", "text", "sarif", "csv", "markdown"] {
        let out = bin()
            .args(["scan", "--exit-zero", "-q", "--format", format])
            .arg(d.path())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("contacts"), "{format}: the call is reported");
        let payload = key.split('.').nth(1).unwrap();
        assert!(
            !text.contains(&key) && !text.contains(&payload[..20]),
            "{format} leaks the key"
        );
        assert!(
            text.len() < 200_000,
            "{format}: snippets stay small on minified lines"
        );
    }
}

#[test]
fn a_pit_next_to_a_v1_base_url_is_a_misconfiguration() {
    let d = tempfile::tempdir().unwrap();
    // Synthetic token.
    write(d.path(), ".env", b"GHL_PIT_TOKEN=pit-3f2a9c1e-7b4d-4e8a-9c2f-5d1e8b7a6c40\nGHL_API_URL=https://rest.gohighlevel.com/v1\n");
    let v = scan_json(d.path(), &[]);
    let notes: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["category"] == "credential_mismatch")
        .collect();
    assert_eq!(notes.len(), 1, "{v}");
    assert!(
        notes[0]["note"]
            .as_str()
            .unwrap()
            .contains("V1 rejects PITs")
    );
    assert!(!v.to_string().contains("7b4d-4e8a-9c2f"), "the PIT leaks");
}
