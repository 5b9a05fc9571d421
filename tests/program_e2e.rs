//! End-to-end: the program model on synthetic projects, one per shape and language
//! (`fixtures/program/<lang>/<shape>/`). Each holds `expected.calls`, written by hand: one line per V1
//! request the scan must report, and nothing else —
//!
//! ```text
//! path:line METHOD /v1/path rule trail=path:line,path:line
//! ```
//!
//! `METHOD` is `?` when the code does not say, `rule` is `-` for an unknown endpoint, and the trail lists
//! the `path:line` of each step (base definition … request site). Lines starting with `#` are comments.
//! An empty file is a negative: no V1 call at all. Only code-context calls are compared.
//!
//! Conventions: a request is reported where the call that sends it starts, or at the call of a wrapper
//! whose endpoint comes from its arguments; a function whose endpoint is written in it (only ids or query
//! values from parameters) is reported at its own send. A join that drops `/v1` still sends to the V1
//! host and is an unknown endpoint at the path actually sent. Trails list the bindings the URL text flows
//! through (not object properties), the client construction, then the call sites outermost first.
//!
//! A fixture with a `KNOWN_GAP` file (saying what is missing) documents a shape the tool does not solve
//! yet: the test checks it still differs, so fixing it means removing the marker.
use serde_json::Value;
use std::path::{Path, PathBuf};

mod support;
use support::bin;

fn fixture_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = walkdir::WalkDir::new("fixtures/program")
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "expected.calls")
        .map(|e| e.path().parent().unwrap().to_path_buf())
        .collect();
    dirs.sort();
    dirs
}

fn render(f: &Value) -> String {
    let trail: Vec<String> = f["trail"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(|s| s.as_str())
                .filter_map(|s| s.split_whitespace().next())
                .filter(|s| s.contains(':'))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    format!(
        "{}:{} {} {} {} trail={}",
        f["path"].as_str().unwrap_or(""),
        f["line"],
        f["method"].as_str().unwrap_or("?"),
        f["v1_path"].as_str().unwrap_or("?"),
        f["rule"].as_str().unwrap_or("-"),
        trail.join(",")
    )
}

fn scan_calls(dir: &Path) -> Vec<String> {
    let v = support::json(
        bin()
            .args(["scan", "--format", "json", "--exit-zero", "-q"])
            .arg(dir),
    );
    let mut out: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "call" && f["context"] == "code")
        .map(render)
        .collect();
    out.sort();
    out
}

#[test]
fn every_program_fixture_reports_exactly_its_requests() {
    let dirs = fixture_dirs();
    assert!(!dirs.is_empty(), "no program fixtures");
    let mut failures = Vec::new();
    for dir in &dirs {
        let text = std::fs::read_to_string(dir.join("expected.calls")).unwrap();
        let mut want: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        want.sort();
        let got = scan_calls(dir);
        if dir.join("KNOWN_GAP").exists() {
            if got == want {
                failures.push(format!("{}: now passes; remove KNOWN_GAP", dir.display()));
            }
            continue;
        }
        if got != want {
            let missing: Vec<&String> = want.iter().filter(|w| !got.contains(w)).collect();
            let extra: Vec<&String> = got.iter().filter(|g| !want.contains(g)).collect();
            failures.push(format!(
                "{}:\n  missing: {missing:#?}\n  extra:   {extra:#?}",
                dir.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} program fixture(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
