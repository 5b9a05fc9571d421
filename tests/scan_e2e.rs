//! End-to-end: `ghl-migrate scan` over every fixture with an `expected.json`, field by field.
//!
//! `GHL_BLESS=1 cargo test --test scan_e2e` rewrites the expected files from the current output; review
//! the diff (`git diff fixtures/`) before committing it.
use serde_json::Value;
use std::path::{Path, PathBuf};

mod support;
use support::bin;

fn scan_json(dir: &Path) -> Value {
    support::json(
        bin()
            .args(["scan", "--format", "json", "--exit-zero", "-q"])
            .arg(dir),
    )
}

fn expected_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = walkdir::WalkDir::new("fixtures")
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "expected.json")
        .map(|e| e.path().parent().unwrap().to_path_buf())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_fixture_matches_its_expected_inventory() {
    let dirs = expected_dirs();
    assert!(!dirs.is_empty(), "no fixtures with expected.json");
    let bless = std::env::var_os("GHL_BLESS").is_some();
    let mut failures = Vec::new();
    for dir in &dirs {
        let got = scan_json(dir);
        let got = serde_json::json!({"findings": got["findings"], "skipped": got["skipped"]});
        let path = dir.join("expected.json");
        if bless {
            std::fs::write(&path, serde_json::to_string_pretty(&got).unwrap() + "\n").unwrap();
            continue;
        }
        let want: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if got != want {
            failures.push(describe_diff(dir, &want, &got));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The first difference, readably: a missing, extra or changed finding.
fn describe_diff(dir: &Path, want: &Value, got: &Value) -> String {
    let key = |f: &Value| {
        format!(
            "{}:{} {}",
            f["path"].as_str().unwrap_or(""),
            f["line"],
            f["kind"].as_str().unwrap_or("")
        )
    };
    let w = want["findings"].as_array().cloned().unwrap_or_default();
    let g = got["findings"].as_array().cloned().unwrap_or_default();
    for (a, b) in w.iter().zip(&g) {
        if a != b {
            return format!(
                "{}: expected {}\n  want {a}\n  got  {b}",
                dir.display(),
                key(a)
            );
        }
    }
    if w.len() != g.len() {
        let extra: Vec<String> = if g.len() > w.len() {
            g[w.len()..].iter().map(key).collect()
        } else {
            w[g.len()..]
                .iter()
                .map(|f| format!("missing {}", key(f)))
                .collect()
        };
        return format!(
            "{}: {} findings expected, {} found: {}",
            dir.display(),
            w.len(),
            g.len(),
            extra.join(", ")
        );
    }
    format!(
        "{}: skipped entries differ: want {} got {}",
        dir.display(),
        want["skipped"],
        got["skipped"]
    )
}

/// V2-only fixtures (a directory named `v2-only…`) must yield no V1 usage at all.
#[test]
fn v2_only_fixtures_yield_no_v1_findings() {
    let dirs: Vec<PathBuf> = walkdir::WalkDir::new("fixtures")
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_type().is_dir() && e.file_name().to_string_lossy().starts_with("v2-only")
        })
        .map(|e| e.path().to_path_buf())
        .collect();
    for dir in dirs {
        let got = scan_json(&dir);
        for f in got["findings"].as_array().unwrap() {
            let kind = f["kind"].as_str().unwrap();
            assert!(
                !matches!(kind, "call" | "base_url" | "export_node"),
                "{}: V1 finding {f}",
                dir.display()
            );
        }
        bin().args(["scan", "-q"]).arg(&dir).assert().code(
            if got["summary"]["gate_failures"] == 0 {
                0
            } else {
                1
            },
        );
    }
}

/// Every raw key or token written in any fixture file.
fn fixture_secrets() -> Vec<String> {
    let jwt = regex::Regex::new(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
        .unwrap();
    let pit = regex::Regex::new(r"pit-[0-9a-fA-F]{8}-[0-9a-fA-F-]{27}").unwrap();
    let bearer_uuid = regex::Regex::new(
        r"(?i)bearer\s+([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})",
    )
    .unwrap();
    // Old UUID keys set on a key-like name (`GHL_KEY="…"`, `api_key: …`), not only sent as a bearer.
    let named_uuid = regex::Regex::new(
        r#"(?i)(?:key|token)\w*["']?\s*[:=]\s*["']?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"#,
    )
    .unwrap();
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new("fixtures")
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
    {
        if e.file_name() == "expected.json" {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(e.path()) else {
            continue;
        };
        out.extend(jwt.find_iter(&text).map(|m| m.as_str().to_string()));
        out.extend(pit.find_iter(&text).map(|m| m.as_str().to_string()));
        out.extend(bearer_uuid.captures_iter(&text).map(|c| c[1].to_string()));
        out.extend(named_uuid.captures_iter(&text).map(|c| c[1].to_string()));
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn no_output_format_contains_a_fixture_key() {
    let secrets = fixture_secrets();
    assert!(
        secrets.len() >= 4,
        "the fixtures should hold synthetic keys to test redaction"
    );
    for format in ["text", "json", "sarif", "markdown", "csv"] {
        let out = bin()
            .args([
                "scan",
                "fixtures",
                "--exit-zero",
                "-q",
                "--color",
                "always",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        for s in &secrets {
            assert!(
                !text.contains(s.as_str()),
                "{format} output leaks a fixture key ({}…)",
                &s[..8]
            );
            // Not even the middle of it.
            let mid = &s[s.len() / 3..s.len() / 3 + 10];
            assert!(
                !text.contains(mid),
                "{format} output leaks part of a fixture key"
            );
        }
    }
}

#[test]
fn expected_files_never_hold_a_key() {
    let secrets = fixture_secrets();
    for dir in expected_dirs() {
        let text = std::fs::read_to_string(dir.join("expected.json")).unwrap();
        for s in &secrets {
            assert!(
                !text.contains(s.as_str()),
                "{} holds a raw key",
                dir.display()
            );
        }
    }
}
