//! Bounded time and memory on hostile inputs (issue #18): many findings on one line, deeply nested
//! documents, command-line paths naming FIFOs or devices, and servers that never give a usable answer.
//! Every key here is synthetic; the only network is 127.0.0.1. The time bounds are generous upper bounds
//! that guard against hangs (each case used to take minutes).
mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};
use support::bin;

const LOC: &str = "Pq4Lm8Zx2Cv6Bn0Mk3Jh";
/// A made-up PIT.
const PIT: &str = "pit-3f2a9c1e-7b4d-4e8a-9c2f-5d1e8b7a6c40";

/// Runs `cmd`, which must stop within 20 s with exit 2 and a message holding `says`.
fn refused_quickly(cmd: &mut assert_cmd::Command, says: &str) {
    let started = Instant::now();
    let out = cmd.output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(says), "{stderr}");
}

#[test]
fn many_calls_on_one_line_scan_in_linear_time() {
    // 20,000 V1 calls on one 1 MB line: ~340 s in a debug build when each finding cost its whole line,
    // ~20 s now (the bound leaves room for a loaded CI machine).
    let dir = tempfile::tempdir().unwrap();
    let call = r#"fetch("https://rest.gohighlevel.com/v1/contacts/");"#;
    std::fs::write(dir.path().join("min.js"), call.repeat(20_000) + "\n").unwrap();
    let started = Instant::now();
    let out = bin()
        .args(["scan", "--format", "json", "-q"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(90),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(1));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["summary"]["findings"], 20_000);
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["snippet"].as_str().unwrap().chars().count() <= 201)
    );
}

#[test]
fn snippet_window_on_a_long_line_still_hides_a_key_known_by_use() {
    // The key is recognised by `Bearer` next to it; the finding's window starts after that word.
    let key = "8c0e6a4e-5d2b-4f1a-9e3c-7b6a5d4c3b2a"; // synthetic
    let call = format!(
        r#"fetch("https://rest.gohighlevel.com/v1/contacts/", {{headers: {{t: '{key}'}}}})"#
    );
    let line = format!(
        "const h = {{Authorization: 'Bearer {key}'}};{}x({call});",
        " ".repeat(2500)
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.js"), line + "\n").unwrap();
    let out = bin()
        .args(["scan", "--format", "json", "-q"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("/v1/contacts"), "{stdout}");
    assert!(!stdout.contains("5d2b-4f1a"), "key shown: {stdout}");
}

/// A YAML workflow export nested `depth` levels deep in flow style around a V1 URL.
fn deep_yaml(depth: usize) -> String {
    format!(
        "url: https://rest.gohighlevel.com/v1/contacts/\nnodes: {}1{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    )
}

#[test]
fn diff_of_a_deeply_nested_yaml_export_is_bounded() {
    // 100,000 levels in 200 KB: `diff` took 82 s parsing it.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("workflow.yaml"), deep_yaml(100_000)).unwrap();
    let started = Instant::now();
    let out = bin().arg("diff").arg(dir.path()).output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.code().is_some(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn config_nested_too_deep_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("cfg.yaml");
    std::fs::write(&cfg, deep_yaml(100_000)).unwrap();
    refused_quickly(
        bin().args(["plan", "--config"]).arg(&cfg).arg(dir.path()),
        "nested deeper than 128 levels",
    );
}

#[test]
fn rules_file_nested_too_deep_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("deep.yaml"), deep_yaml(100_000)).unwrap();
    refused_quickly(
        bin()
            .args(["scan", "--rules"])
            .arg(dir.path())
            .arg(dir.path()),
        "nested deeper than 128 levels",
    );
}

#[test]
fn oversized_config_is_refused_before_it_is_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("big.yaml");
    std::fs::write(&cfg, format!("tier: starter\n#{}\n", "x".repeat(5 << 20))).unwrap();
    let out = bin()
        .args(["plan", "--config"])
        .arg(&cfg)
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("larger than the 4 MiB limit"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn config_naming_a_fifo_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("cfg.yaml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        return; // no mkfifo on this system
    }
    refused_quickly(
        bin().args(["plan", "--config"]).arg(&fifo).arg(dir.path()),
        "is not a regular file",
    );
}

/// A one-integration PIT plan for `LOC`.
fn plan(dir: &Path, scopes: &[&str]) -> std::path::PathBuf {
    let p = dir.join("plan.json");
    let doc = serde_json::json!({
        "schema": "ghl-migrate/plan/v1",
        "integrations": [{
            "id": "backend", "name": "backend",
            "successor": {"kind": "pit"},
            "location_ids": [LOC],
            "scopes": scopes,
        }]
    });
    std::fs::write(&p, doc.to_string()).unwrap();
    p
}

#[test]
fn token_file_naming_a_device_is_refused() {
    if !Path::new("/dev/zero").exists() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = plan(dir.path(), &["contacts.readonly"]);
    refused_quickly(
        bin()
            .args([
                "verify",
                "--token-file",
                "/dev/zero",
                "--base-url",
                "http://127.0.0.1:9",
                "--plan",
            ])
            .arg(&p),
        "is not a regular file",
    );
}

/// A server on 127.0.0.1 giving every request the same answer. Returns its base URL.
fn fixed_server(status: u16, headers: &'static str, body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let _ = stream.read(&mut buf);
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{headers}\r\n{body}",
                    body.len()
                );
            });
        }
    });
    url
}

/// `verify --format json` against `url` with the synthetic PIT; (exit code, report, elapsed).
fn verify(url: &str, extra: &[&str]) -> (i32, serde_json::Value, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let p = plan(dir.path(), &["locations.readonly", "contacts.readonly"]);
    let started = Instant::now();
    let out = bin()
        .args([
            "verify",
            "--token-env",
            "GHL_TEST_TOKEN",
            "--format",
            "json",
            "--base-url",
            url,
        ])
        .arg("--plan")
        .arg(&p)
        .args(extra)
        .env("GHL_TEST_TOKEN", PIT)
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stdout.contains("7b4d-4e8a") && !stderr.contains("7b4d-4e8a"),
        "token leaked"
    );
    let report = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\nstderr: {stderr}"));
    (out.status.code().unwrap(), report, elapsed)
}

fn scopes(r: &serde_json::Value) -> Vec<serde_json::Value> {
    r["integrations"][0]["locations"][0]["scopes"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn verify_against_429_forever_with_a_huge_retry_after_stops_at_max_time() {
    // Used to run 363–720 s for two scopes: --timeout bounds one request, nothing bounded the waits.
    for retry_after in ["Retry-After: 999999\r\n", "Retry-After: soon-ish\r\n"] {
        let url = fixed_server(
            429,
            retry_after,
            r#"{"statusCode":429,"message":"Too Many Requests"}"#,
        );
        let (code, r, elapsed) = verify(&url, &["--max-time", "3s", "--scope-time", "2s"]);
        assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
        eprintln!("429 forever ({retry_after:?}): {elapsed:?}");
        assert_eq!(code, 1, "{r:#}");
        assert_eq!(r["ready"], false);
        for s in scopes(&r) {
            assert_eq!(s["status"], "inconclusive", "{s}");
            assert_eq!(s["detail"], "not verified: time budget exhausted", "{s}");
        }
    }
}

#[test]
fn verify_against_400_bad_token_everywhere_is_not_ready() {
    // Used to say "bound / verified / ready to revoke", exit 0.
    let url = fixed_server(400, "", r#"{"statusCode":400,"message":"bad token"}"#);
    let (code, r, _) = verify(&url, &[]);
    assert_eq!(code, 1, "{r:#}");
    assert_eq!(r["ready"], false);
    let loc = &r["integrations"][0]["locations"][0];
    assert_ne!(loc["binding"]["status"], "bound", "{loc:#}");
    for s in scopes(&r) {
        assert_eq!(s["status"], "inconclusive", "{s}");
    }
}

#[test]
fn verify_400_on_made_up_ids_without_any_2xx_proves_nothing() {
    // A plain validation 400 (no word about the token) still does not count until some probe answers 2xx.
    let url = fixed_server(
        400,
        "",
        r#"{"statusCode":400,"message":"contactId must be a valid id"}"#,
    );
    let (code, r, _) = verify(&url, &[]);
    assert_eq!(code, 1, "{r:#}");
    for s in scopes(&r) {
        assert_eq!(s["status"], "inconclusive", "{s}");
        assert!(
            s["detail"].as_str().unwrap().contains("answered 2xx"),
            "{s}"
        );
    }
}

#[test]
fn verify_time_bounds_come_from_the_settings_file_when_not_given() {
    let url = fixed_server(
        429,
        "Retry-After: 999999\r\n",
        r#"{"statusCode":429,"message":"Too Many Requests"}"#,
    );
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("ghl-migrate.yaml");
    std::fs::write(&cfg, "verify:\n  max_time: 3s\n  scope_time: 2s\n").unwrap();
    let (code, r, elapsed) = verify(&url, &["--config", cfg.to_str().unwrap()]);
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
    assert_eq!(code, 1, "{r:#}");
    assert!(
        scopes(&r)
            .iter()
            .all(|s| s["detail"] == "not verified: time budget exhausted"),
        "{r:#}"
    );
    // A bad duration in the file is an error naming it.
    std::fs::write(&cfg, "verify:\n  max_time: soon\n").unwrap();
    refused_quickly(bin().args(["config", "check"]).arg(&cfg), "verify.max_time");
}
