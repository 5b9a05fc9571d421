//! `verify` end to end: the binary against a HighLevel V2 look-alike on 127.0.0.1 (tests/support/v2server.rs).
//! Every token here is synthetic (made-up UUIDs and JWT payloads); nothing touches the internet.
mod support;

use ghl_migrate::credential::synthetic_jwt;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};
use support::v2server::{Recorded, TokenSpec, V2Server};
use support::{bin, json, save_output};

const LOC: &str = "Pq4Lm8Zx2Cv6Bn0Mk3Jh";
const OTHER_LOC: &str = "Zz9Yy8Xx7Ww6Vv5Uu4Tt";
const COMPANY: &str = "CoMp4nY0000000000001";
const PIT: &str = "pit-3f2a9c1e-7b4d-4e8a-9c2f-5d1e8b7a6c40";
const PIT_OTHER: &str = "pit-8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f";

/// A plan with one PIT integration for `LOC` needing `scopes`.
fn plan(dir: &Path, scopes: &[&str]) -> std::path::PathBuf {
    plan_with(dir, "backend", "pit", &[LOC], None, scopes)
}

fn plan_with(
    dir: &Path,
    id: &str,
    kind: &str,
    locations: &[&str],
    company: Option<&str>,
    scopes: &[&str],
) -> std::path::PathBuf {
    let p = dir.join("plan.json");
    let doc = serde_json::json!({
        "schema": "ghl-migrate/plan/v1",
        "integrations": [{
            "id": id,
            "name": id,
            "successor": {"kind": kind},
            "location_ids": locations,
            "company_id": company,
            "scopes": scopes,
            "v1_keys": [{"fingerprint": "sha256:0123456789ab", "kind": "v1_location_key"}],
        }]
    });
    std::fs::write(&p, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    p
}

fn pit_server(scopes: &[&str]) -> V2Server {
    V2Server::start(vec![TokenSpec::location(PIT, LOC, COMPANY, scopes)])
}

/// `verify --format json` with the token in an env var; returns (exit code, report, stderr).
fn verify(server: &V2Server, token: &str, args: &[&str]) -> (i32, serde_json::Value, String) {
    let mut cmd = bin();
    cmd.arg("verify")
        .args(args)
        .args(["--token-env", "GHL_TEST_TOKEN", "--format", "json"])
        .args(["--base-url", &server.url()])
        .args(["--retry-base-ms", "10", "--max-wait-ms", "2000"])
        .env("GHL_TEST_TOKEN", token);
    if !args.contains(&"--timeout") {
        cmd.args(["--timeout", "2"]);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stdout.contains(token), "token leaked to stdout");
    assert!(!stderr.contains(token), "token leaked to stderr");
    let report = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\nstderr: {stderr}"));
    (out.status.code().unwrap(), report, stderr)
}

/// What every verify run must respect, whatever the answers were.
fn assert_safe_traffic(reqs: &[Recorded], tokens: &[&str]) {
    assert!(!reqs.is_empty(), "no request reached the server");
    for r in reqs {
        assert!(
            r.method == "GET" || r.path == "/oauth/locationToken",
            "a {} {} was sent",
            r.method,
            r.path
        );
        if !r.path.starts_with("/v1/") {
            assert!(
                ["2021-07-28", "2021-04-15"].contains(&r.headers["version"].as_str()),
                "{} without a Version header",
                r.path
            );
        }
        let auth = r.authorization().expect("Authorization header");
        assert!(auth.starts_with("Bearer "), "{auth:.12}");
        // Credentials travel only in the Authorization header.
        for t in tokens {
            assert!(!r.path.contains(t) && !r.query.contains(t) && !r.body.contains(t));
        }
    }
}

fn scope<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["integrations"][0]["locations"][0]["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["scope"] == name)
        .unwrap_or_else(|| panic!("no line for {name}: {report:#}"))
}

#[test]
fn all_scopes_present_is_ready() {
    let scopes = [
        "locations.readonly",
        "contacts.readonly",
        "contacts.write",
        "opportunities.readonly",
        "calendars.readonly",
    ];
    let server = pit_server(&scopes);
    let dir = tempfile::tempdir().unwrap();
    let p = plan(dir.path(), &scopes);
    let (code, r, _) = verify(&server, PIT, &["--plan", p.to_str().unwrap()]);
    assert_eq!(code, 0, "{r:#}");
    let i = &r["integrations"][0];
    assert_eq!(r["schema"], "ghl-migrate/verify/v1");
    assert_eq!(i["ready"], true);
    assert_eq!(i["credential"]["kind"], "pit");
    assert_eq!(i["locations"][0]["binding"]["status"], "bound");
    assert_eq!(i["verdict"], "ready to revoke V1 key sha256:0123456789ab");
    for s in [
        "locations.readonly",
        "contacts.readonly",
        "opportunities.readonly",
    ] {
        assert_eq!(scope(&r, s)["status"], "verified", "{s}");
    }
    // A write scope is never written to: reported, not sent, not blocking by default.
    assert_eq!(
        scope(&r, "contacts.write")["status"],
        "not_provable_read_only"
    );
    // Headroom from the server's X-RateLimit-* headers.
    let rl = &i["locations"][0]["rate_limit"];
    assert_eq!(rl["max"], 100, "{rl:#}");
    assert!(rl["remaining"].as_u64().unwrap() >= 90);
    let reqs = server.requests();
    assert_safe_traffic(&reqs, &[PIT]);
    assert!(reqs.iter().all(|r| r.method == "GET"));
    assert!(
        reqs.iter()
            .all(|r| r.authorization() == Some(&format!("Bearer {PIT}")[..]))
    );

    // --strict: the unprovable write scope blocks.
    let (code, r, _) = verify(&server, PIT, &["--plan", p.to_str().unwrap(), "--strict"]);
    assert_eq!(code, 1);
    assert!(
        r["integrations"][0]["verdict"]
            .as_str()
            .unwrap()
            .contains("contacts.write")
    );
}

#[test]
fn a_missing_scope_is_named() {
    let server = pit_server(&["locations.readonly", "contacts.readonly"]);
    let dir = tempfile::tempdir().unwrap();
    let p = plan(
        dir.path(),
        &[
            "locations.readonly",
            "contacts.readonly",
            "calendars.readonly",
        ],
    );
    let (code, r, _) = verify(&server, PIT, &["--plan", p.to_str().unwrap()]);
    assert_eq!(code, 1);
    let i = &r["integrations"][0];
    assert_eq!(i["ready"], false);
    assert_eq!(i["credential"]["valid"], true);
    assert_eq!(i["locations"][0]["binding"]["status"], "bound");
    let cal = scope(&r, "calendars.readonly");
    assert_eq!(cal["status"], "missing");
    assert_eq!(cal["http_status"], 401);
    assert_eq!(
        cal["message"],
        "The token is not authorized for this scope."
    );
    assert_eq!(scope(&r, "contacts.readonly")["status"], "verified");
    let verdict = i["verdict"].as_str().unwrap();
    assert!(verdict.starts_with("not ready"), "{verdict}");
    assert!(verdict.contains("calendars.readonly"), "{verdict}");
    assert!(!verdict.contains("contacts.readonly"), "{verdict}");
    assert_safe_traffic(&server.requests(), &[PIT]);

    // The text report says the same to a human.
    let out = bin()
        .args(["verify", "--plan", p.to_str().unwrap(), "--token-env", "T"])
        .args(["--base-url", &server.url()])
        .env("T", PIT)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text.contains("calendars.readonly"), "{text}");
    assert!(text.to_lowercase().contains("missing"), "{text}");
    assert!(text.contains("0 of 1 integration(s) ready"), "{text}");
    assert!(!text.contains(PIT));
}

#[test]
fn a_token_for_another_location_is_caught() {
    let server = V2Server::start(vec![TokenSpec::location(
        PIT_OTHER,
        OTHER_LOC,
        COMPANY,
        &["locations.readonly", "contacts.readonly"],
    )]);
    let dir = tempfile::tempdir().unwrap();
    let p = plan(dir.path(), &["locations.readonly", "contacts.readonly"]);
    let (code, r, _) = verify(&server, PIT_OTHER, &["--plan", p.to_str().unwrap()]);
    assert_eq!(code, 1);
    let i = &r["integrations"][0];
    assert_eq!(i["locations"][0]["binding"]["status"], "wrong_location");
    assert_eq!(i["locations"][0]["binding"]["http_status"], 403);
    assert!(i["verdict"].as_str().unwrap().contains("another location"));
    // Once the binding is refuted the scopes are not probed.
    assert_eq!(scope(&r, "contacts.readonly")["status"], "not_checked");
    assert_eq!(server.requests().len(), 1);

    // An OAuth Location token whose claims name another location is caught without a request.
    let before = server.requests().len();
    let oauth = synthetic_jwt(&format!(
        r#"{{"authClass":"Location","authClassId":"{OTHER_LOC}","oauthMeta":{{"scopes":["contacts.readonly"],"client":"0123456789abcdef01234567"}},"iat":1900000000,"exp":4102444800}}"#
    ));
    let p = plan_with(
        dir.path(),
        "app",
        "oauth_location",
        &[LOC],
        None,
        &["contacts.readonly"],
    );
    let (code, r, _) = verify(&server, &oauth, &["--plan", p.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(
        r["integrations"][0]["locations"][0]["binding"]["status"],
        "wrong_location"
    );
    assert_eq!(server.requests().len(), before, "claims settle it locally");
}

#[test]
fn expired_and_revoked_tokens_are_caught() {
    let server = pit_server(&["contacts.readonly"]);
    let dir = tempfile::tempdir().unwrap();
    let p = plan_with(
        dir.path(),
        "app",
        "oauth_location",
        &[LOC],
        None,
        &["contacts.readonly"],
    );
    // Expired OAuth token: caught from its claims, nothing sent.
    let expired = synthetic_jwt(&format!(
        r#"{{"authClass":"Location","authClassId":"{LOC}","oauthMeta":{{"scopes":["contacts.readonly"]}},"iat":1600000000,"exp":1600086400}}"#
    ));
    let (code, r, _) = verify(&server, &expired, &["--plan", p.to_str().unwrap()]);
    assert_eq!(code, 1);
    let i = &r["integrations"][0];
    assert_eq!(i["credential"]["valid"], false);
    assert!(i["verdict"].as_str().unwrap().contains("expired"), "{i:#}");
    assert!(server.requests().is_empty());

    // A revoked PIT (unknown to the server): 401 "Invalid Private Integration token".
    let p = plan(dir.path(), &["contacts.readonly"]);
    let (code, r, _) = verify(&server, PIT_OTHER, &["--plan", p.to_str().unwrap()]);
    assert_eq!(code, 1);
    let i = &r["integrations"][0];
    assert_eq!(i["credential"]["valid"], false);
    assert_eq!(i["locations"][0]["binding"]["status"], "invalid_credential");
    assert_eq!(
        i["locations"][0]["binding"]["message"],
        "Invalid Private Integration token"
    );
    assert_safe_traffic(&server.requests(), &[PIT_OTHER]);
}

#[test]
fn a_429_storm_completes_within_the_limiter() {
    let scopes = [
        "locations.readonly",
        "contacts.readonly",
        "opportunities.readonly",
        "calendars.readonly",
        "users.readonly",
    ];
    let server = pit_server(&scopes);
    // The server allows 6 requests per second per location and answers 429 beyond; the contacts
    // probe also meets three scripted 429s in a row.
    server.with(|s| {
        s.rl_max = 6;
        s.rl_interval = Duration::from_secs(1);
        s.rl_advertised_ms = 1000;
    });
    server.fault("/contacts", &[429, 429, 429]);
    let dir = tempfile::tempdir().unwrap();
    let p = plan(dir.path(), &scopes);
    let started = Instant::now();
    // A client limit above the server's so the server's headers and 429s have to do the pacing.
    let (code, r, _) = verify(
        &server,
        PIT,
        &["--plan", p.to_str().unwrap(), "--rate-limit", "50/1s"],
    );
    assert_eq!(code, 0, "{r:#}");
    for s in scopes {
        assert_eq!(scope(&r, s)["status"], "verified", "{s}");
    }
    let reqs = server.requests();
    assert_eq!(reqs.iter().filter(|r| r.status == 429).count(), 3);
    assert!(server.peak_per_bucket(Duration::from_secs(1)) <= 6);
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_safe_traffic(&reqs, &[PIT]);
}

#[test]
fn the_client_limiter_keeps_under_the_burst_limit() {
    // 40 scopes' worth of GET probes on one location with a client limit of 10 per second: the server
    // must never see more than 10 in any second and never answer 429 of its own.
    let readable: Vec<String> = ghl_migrate::verify::probes::ProbeTable::get()
        .iter()
        .filter(|p| p.kind == ghl_migrate::verify::probes::ProbeKind::Get)
        .filter(|p| p.path.as_deref().is_some_and(|x| !x.contains("companyId")))
        .map(|p| p.scope.clone())
        .take(25)
        .collect();
    let refs: Vec<&str> = readable.iter().map(String::as_str).collect();
    let server = pit_server(&refs);
    let dir = tempfile::tempdir().unwrap();
    let p = plan(dir.path(), &refs);
    let (_, r, _) = verify(
        &server,
        PIT,
        &["--plan", p.to_str().unwrap(), "--rate-limit", "10/1s"],
    );
    let reqs = server.requests();
    assert!(reqs.len() >= 20, "{} requests: {r:#}", reqs.len());
    assert!(reqs.iter().all(|r| !r.server_limited));
    let peak = server.peak_per_bucket(Duration::from_secs(1));
    assert!(peak <= 10, "peak {peak} per second");
}

#[test]
fn timeouts_and_server_errors_are_inconclusive_not_fatal() {
    let server = pit_server(&[
        "locations.readonly",
        "contacts.readonly",
        "calendars.readonly",
    ]);
    server.with(|s| s.slow.push(("/calendars".into(), Duration::from_secs(4))));
    server.fault("/contacts", &[500, 502, 503, 504, 500, 500]);
    let dir = tempfile::tempdir().unwrap();
    let p = plan(
        dir.path(),
        &[
            "locations.readonly",
            "contacts.readonly",
            "calendars.readonly",
        ],
    );
    let started = Instant::now();
    let (code, r, _) = verify(
        &server,
        PIT,
        &["--plan", p.to_str().unwrap(), "--timeout", "0.5"],
    );
    assert_eq!(code, 1);
    assert_eq!(scope(&r, "locations.readonly")["status"], "verified");
    let cal = scope(&r, "calendars.readonly");
    assert_eq!(cal["status"], "inconclusive");
    assert!(
        cal["detail"].as_str().unwrap().contains("timed out"),
        "{cal:#}"
    );
    let contacts = scope(&r, "contacts.readonly");
    assert_eq!(contacts["status"], "inconclusive");
    assert_eq!(
        contacts["http_status"], 504,
        "the last of 1 try + 3 retries"
    );
    // 1 try + 3 retries, then reported.
    let tries = server
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/contacts"))
        .count();
    assert_eq!(tries, 4);
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn unsafe_base_urls_are_refused_before_anything_is_sent() {
    for url in [
        "http://services.leadconnectorhq.com",
        "http://10.1.2.3:8080",
        "ftp://127.0.0.1",
    ] {
        let out = bin()
            .args(["verify", "--location", LOC, "--scopes", "contacts.readonly"])
            .args(["--token-env", "T", "--base-url", url])
            .env("T", PIT)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{url}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("base URL"), "{err}");
        assert!(!err.contains(PIT));
    }
}

#[test]
fn redirects_are_not_followed() {
    let server = pit_server(&["contacts.readonly"]);
    let elsewhere = pit_server(&["contacts.readonly"]);
    server.with(|s| s.redirect_to = Some(format!("{}/contacts/", elsewhere.url())));
    let (code, _, _) = verify(
        &server,
        PIT,
        &["--location", LOC, "--scopes", "contacts.readonly"],
    );
    assert_eq!(code, 1);
    assert!(
        elsewhere.requests().is_empty(),
        "credential followed a redirect"
    );
}

#[test]
fn credentials_are_never_arguments() {
    for args in [
        vec!["--token", PIT],
        vec!["--token"],
        vec![PIT],
        vec!["--v1-key", "abc"],
    ] {
        let out = bin()
            .args(["verify", "--location", LOC, "--scopes", "contacts.readonly"])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains(PIT), "{err}");
        assert!(
            err.contains("env") || err.contains("file") || err.contains("stdin"),
            "{err}"
        );
    }
}

#[test]
fn standalone_with_token_from_stdin_and_file() {
    let server = pit_server(&["locations.readonly", "contacts.readonly"]);
    let base = [
        "--location",
        LOC,
        "--scopes",
        "locations.readonly,contacts.readonly",
    ];
    let out = bin()
        .arg("verify")
        .args(base)
        .args([
            "--token-stdin",
            "--base-url",
            &server.url(),
            "--format",
            "json",
        ])
        .write_stdin(format!("{PIT}\n"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("token");
    std::fs::write(&f, format!("  {PIT}\r\n")).unwrap();
    let r = json(
        bin()
            .arg("verify")
            .args(base)
            .args(["--token-file", f.to_str().unwrap()])
            .args(["--base-url", &server.url(), "--format", "json"]),
    );
    assert_eq!(r["ready"], true);
    // No location given and none in a plan: a usage error, not a guess.
    let out = bin()
        .args([
            "verify",
            "--scopes",
            "contacts.readonly",
            "--token-env",
            "T",
        ])
        .args(["--base-url", &server.url()])
        .env("T", PIT)
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
}

#[test]
fn v1_key_liveness_is_reported() {
    let v1_live = synthetic_jwt(&format!(
        r#"{{"location_id":"{LOC}","version":1,"iat":1650000000000,"sub":"synthetic"}}"#
    ));
    let v1_dead = synthetic_jwt(&format!(
        r#"{{"location_id":"{LOC}","version":1,"iat":1650000000001,"sub":"synthetic"}}"#
    ));
    let server = pit_server(&["locations.readonly", "contacts.readonly"]);
    server.with(|s| s.v1_keys.push(v1_live.clone()));
    let dir = tempfile::tempdir().unwrap();
    let p = plan(dir.path(), &["locations.readonly", "contacts.readonly"]);
    let v1_base = format!("{}/v1", server.url());
    for (key, status) in [(&v1_live, "still_live"), (&v1_dead, "not_answering")] {
        let out = bin()
            .args(["verify", "--plan", p.to_str().unwrap(), "--format", "json"])
            .args(["--token-env", "T", "--v1-key-env", "K"])
            .args(["--base-url", &server.url(), "--v1-base-url", &v1_base])
            .env("T", PIT)
            .env("K", key)
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(!stdout.contains(key.as_str()) && !stdout.contains(PIT));
        let r: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(r["integrations"][0]["v1_key"]["status"], status, "{r:#}");
    }
    let v1_calls: Vec<Recorded> = server
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/v1/"))
        .collect();
    assert_eq!(v1_calls.len(), 2);
    assert!(v1_calls.iter().all(|r| r.method == "GET"));
}

#[test]
fn agency_tokens_mint_only_when_allowed() {
    let agency = synthetic_jwt(&format!(
        r#"{{"authClass":"Company","authClassId":"{COMPANY}","oauthMeta":{{"scopes":["locations.readonly","contacts.readonly","oauth.write"],"client":"0123456789abcdef01234567"}},"iat":1900000000,"exp":4102444800}}"#
    ));
    let server = V2Server::start(vec![TokenSpec {
        token: agency.clone(),
        locations: vec![LOC.into()],
        company: Some(COMPANY.into()),
        scopes: ["locations.readonly", "contacts.readonly", "oauth.write"]
            .iter()
            .map(|s| s.to_string())
            .collect::<BTreeSet<_>>(),
        agency: true,
    }]);
    let dir = tempfile::tempdir().unwrap();
    let p = plan_with(
        dir.path(),
        "agency",
        "oauth_company",
        &[LOC],
        Some(COMPANY),
        &["locations.readonly", "contacts.readonly", "oauth.write"],
    );
    // Default: no POST at all; location scopes are "not checked" with the reason.
    let (code, r, _) = verify(&server, &agency, &["--plan", p.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(server.requests().iter().all(|r| r.method == "GET"));
    let c = scope(&r, "contacts.readonly");
    assert_eq!(c["status"], "not_checked");
    assert!(
        c["detail"]
            .as_str()
            .unwrap()
            .contains("--allow-token-exchange")
    );

    // Opted in: one POST /oauth/locationToken, then the minted token probes the location.
    let (code, r, _) = verify(
        &server,
        &agency,
        &["--plan", p.to_str().unwrap(), "--allow-token-exchange"],
    );
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(scope(&r, "oauth.write")["status"], "verified");
    assert_eq!(scope(&r, "contacts.readonly")["status"], "verified");
    let reqs = server.requests();
    let posts: Vec<_> = reqs.iter().filter(|r| r.method == "POST").collect();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].path, "/oauth/locationToken");
    // The minted token is synthetic and known only to the server: it must not appear in the report.
    let minted: Vec<String> = server.with(|s| {
        s.tokens
            .iter()
            .filter(|t| t.token != agency)
            .map(|t| t.token.clone())
            .collect()
    });
    assert_eq!(minted.len(), 1);
    assert!(!r.to_string().contains(&minted[0]));
    assert_safe_traffic(&reqs, &[&agency, &minted[0]]);
}

#[test]
fn the_plan_from_plan_feeds_verify() {
    // The real pipeline: plan JSON from a fixture, verified against the look-alike.
    let dir = tempfile::tempdir().unwrap();
    let args = ["plan", "fixtures/plan/one-location-pit", "--format", "json"];
    let p = save_output(&args, dir.path(), "plan.json");
    let plan: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    let i = &plan["integrations"][0];
    let loc = i["location_ids"][0].as_str().unwrap();
    let scopes: Vec<&str> = i["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let server = V2Server::start(vec![TokenSpec::location(PIT, loc, COMPANY, &scopes)]);
    let (code, r, _) = verify(&server, PIT, &["--plan", p.to_str().unwrap()]);
    assert_eq!(code, 0, "{r:#}");
    let fp = i["v1_keys"][0]["fingerprint"].as_str().unwrap();
    assert_eq!(
        r["integrations"][0]["verdict"],
        format!("ready to revoke V1 key {fp}")
    );
}

#[test]
fn scopes_can_come_from_a_scan_report() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["scan", "fixtures/plan/one-location-pit", "--format", "json"];
    let scan = save_output(&args, dir.path(), "scan.json");
    let server = pit_server(&["contacts.readonly"]);
    let (code, r, _) = verify(
        &server,
        PIT,
        &["--location", LOC, "--calls", scan.to_str().unwrap()],
    );
    // The fixture's calls need contacts.readonly (held) and contacts.write (not provable read-only).
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(scope(&r, "contacts.readonly")["status"], "verified");
    assert_eq!(
        scope(&r, "contacts.write")["status"],
        "not_provable_read_only"
    );
}

#[test]
fn one_credential_per_integration_from_a_tokens_file() {
    let server = V2Server::start(vec![
        TokenSpec::location(PIT, LOC, COMPANY, &["contacts.readonly"]),
        TokenSpec::location(PIT_OTHER, OTHER_LOC, COMPANY, &["calendars.readonly"]),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.json");
    let doc = serde_json::json!({
        "schema": "ghl-migrate/plan/v1",
        "integrations": [
            {"id": "crm-sync", "successor": {"kind": "pit"}, "location_ids": [LOC], "scopes": ["contacts.readonly"]},
            {"id": "booking", "successor": {"kind": "pit"}, "location_ids": [OTHER_LOC], "scopes": ["calendars.readonly"]},
        ]
    });
    std::fs::write(&plan, doc.to_string()).unwrap();
    std::fs::write(dir.path().join("booking.pit"), PIT_OTHER).unwrap();
    let tokens = dir.path().join("tokens.yaml");
    std::fs::write(
        &tokens,
        "crm-sync: {env: CRM_PIT}\nbooking: {file: booking.pit}\n",
    )
    .unwrap();
    let out = bin()
        .args([
            "verify",
            "--plan",
            plan.to_str().unwrap(),
            "--format",
            "json",
        ])
        .args([
            "--tokens",
            tokens.to_str().unwrap(),
            "--base-url",
            &server.url(),
        ])
        .env("CRM_PIT", PIT)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(!stdout.contains(PIT) && !stdout.contains(PIT_OTHER));
    let r: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(r["ready"], true);
    // Each credential went only to its own location.
    for req in server.requests() {
        let loc = if req.authorization() == Some(&format!("Bearer {PIT}")[..]) {
            LOC
        } else {
            OTHER_LOC
        };
        assert!(req.path.contains(loc) || req.query.contains(loc), "{req:?}");
    }
    // Without --tokens, a multi-integration plan needs --integration.
    let out = bin()
        .args([
            "verify",
            "--plan",
            plan.to_str().unwrap(),
            "--token-env",
            "CRM_PIT",
        ])
        .args(["--base-url", &server.url()])
        .env("CRM_PIT", PIT)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--integration"));
}

#[test]
fn search_posts_are_sent_only_when_allowed() {
    let scopes = ["locations.readonly", "locations/tasks.readonly"];
    let server = pit_server(&scopes);
    let dir = tempfile::tempdir().unwrap();
    let p = plan(dir.path(), &scopes);
    let (code, r, _) = verify(&server, PIT, &["--plan", p.to_str().unwrap()]);
    assert_eq!(code, 1);
    let t = scope(&r, "locations/tasks.readonly");
    assert_eq!(t["status"], "not_checked");
    assert!(
        t["detail"]
            .as_str()
            .unwrap()
            .contains("--allow-search-posts")
    );
    assert!(server.requests().iter().all(|r| r.method == "GET"));

    let (code, r, _) = verify(
        &server,
        PIT,
        &["--plan", p.to_str().unwrap(), "--allow-search-posts"],
    );
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(scope(&r, "locations/tasks.readonly")["status"], "verified");
    let posts: Vec<Recorded> = server
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].path, format!("/locations/{LOC}/tasks/search"));
}

/// `verify --plan PLAN --format json` against `server`, with extra `args` and environment, run in `cwd`.
fn verify_in(
    cwd: &Path,
    server: &V2Server,
    plan: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> (i32, serde_json::Value) {
    let mut cmd = bin();
    cmd.current_dir(cwd)
        .args([
            "verify",
            "--plan",
            plan.to_str().unwrap(),
            "--format",
            "json",
        ])
        .args(["--token-env", "GHL_TEST_TOKEN", "--base-url", &server.url()])
        .args([
            "--v1-base-url",
            &server.url(),
            "--retry-base-ms",
            "10",
            "--timeout",
            "2",
        ])
        .args(args)
        .env("GHL_TEST_TOKEN", PIT);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    for (_, v) in env {
        assert!(!stdout.contains(v), "a secret leaked");
    }
    (
        out.status.code().unwrap(),
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}")),
    )
}

/// A V1 key whose decoded location is another than the one verified blocks "ready", naming both ids;
/// a V1 key that names no location is a warning.
#[test]
fn a_v1_key_for_another_location_blocks_ready_to_revoke() {
    let server = pit_server(&["contacts.readonly"]);
    let dir = tempfile::tempdir().unwrap();
    let p = plan(dir.path(), &["contacts.readonly"]);
    let key = synthetic_jwt(&format!(
        r#"{{"location_id":"{OTHER_LOC}","version":1,"iat":1700000000000}}"#
    ));
    let v1 = ["--v1-key-env", "GHL_TEST_V1"];
    let (code, r) = verify_in(dir.path(), &server, &p, &v1, &[("GHL_TEST_V1", &key)]);
    assert_eq!(code, 1);
    let blockers = support::strings(&r["integrations"][0]["blockers"]).join(" | ");
    assert!(
        blockers.contains(&format!("belongs to location {OTHER_LOC}")) && blockers.contains(LOC),
        "{blockers}"
    );
    // An old UUID-format key names no location: a warning, and the run can still be ready.
    let uuid = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    let (code, r) = verify_in(dir.path(), &server, &p, &v1, &[("GHL_TEST_V1", uuid)]);
    let warnings = support::strings(&r["integrations"][0]["warnings"]).join(" | ");
    assert!(warnings.contains("names no location"), "{warnings}");
    assert_eq!(code, 0, "{r:#}");
}

/// `--plan` with `--location` verifies the chosen integration at that location, and the blocker
/// without one suggests what works with a plan.
#[test]
fn plan_and_location_combine_for_one_integration() {
    let server = pit_server(&["contacts.readonly"]);
    let dir = tempfile::tempdir().unwrap();
    let p = plan_with(
        dir.path(),
        "backend",
        "pit",
        &[],
        None,
        &["contacts.readonly"],
    );
    let (code, r) = verify_in(dir.path(), &server, &p, &[], &[]);
    assert_eq!(code, 1);
    let b = support::strings(&r["integrations"][0]["blockers"]).join(" | ");
    assert!(
        b.contains("--location") && b.contains("ghl-migrate.yaml"),
        "{b}"
    );
    let (code, r) = verify_in(dir.path(), &server, &p, &["--location", LOC], &[]);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["integrations"][0]["locations"][0]["location_id"], LOC);
}

/// A location missing from the plan comes from ghl-migrate.yaml's integration of the same name.
#[test]
fn plan_locations_come_from_the_settings_file() {
    let server = pit_server(&["contacts.readonly"]);
    let dir = tempfile::tempdir().unwrap();
    let p = plan_with(
        dir.path(),
        "backend",
        "pit",
        &[],
        None,
        &["contacts.readonly"],
    );
    std::fs::write(
        dir.path().join("ghl-migrate.yaml"),
        format!("integrations:\n  - name: backend\n    location_id: {LOC}\n"),
    )
    .unwrap();
    let (code, r) = verify_in(dir.path(), &server, &p, &[], &[]);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["integrations"][0]["locations"][0]["location_id"], LOC);
}

/// Nothing listening: exit 2 with the error ("could not do the job"), not exit 1 ("not ready").
#[test]
fn an_unreachable_server_is_exit_2_not_not_ready() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }; // closed again: connections are refused
    let out = bin()
        .args(["verify", "--location", LOC, "--scopes", "contacts.readonly"])
        .args(["--token-env", "GHL_TEST_TOKEN"])
        .args(["--base-url", &format!("http://127.0.0.1:{port}")])
        .args(["--retry-base-ms", "10", "--timeout", "2"])
        .env("GHL_TEST_TOKEN", PIT)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("could not reach"), "{err}");
    assert!(!err.contains(PIT));
}

/// A scope that is not a V2 scope is refused before any request.
#[test]
fn unknown_scopes_are_refused_before_any_request() {
    let server = pit_server(&["contacts.readonly"]);
    let out = bin()
        .args([
            "verify",
            "--location",
            LOC,
            "--scopes",
            "contacts.readonly,nonsense.scope",
        ])
        .args(["--token-env", "GHL_TEST_TOKEN", "--base-url", &server.url()])
        .env("GHL_TEST_TOKEN", PIT)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"nonsense.scope\" is not a V2 scope"));
    assert!(server.requests().is_empty());
}

/// The binding line names the probe that decided it; once decided by the binding probe, a later
/// probe's 401 is not shown as the binding's words; no "not checked: not checked".
#[test]
fn binding_shows_its_own_evidence_and_no_doubled_prefixes() {
    let server = V2Server::start(vec![TokenSpec::location(
        PIT_OTHER,
        OTHER_LOC,
        COMPANY,
        &["locations.readonly", "contacts.readonly"],
    )]);
    let dir = tempfile::tempdir().unwrap();
    let p = plan(dir.path(), &["locations.readonly", "contacts.readonly"]);
    let out = bin()
        .args(["verify", "--plan", p.to_str().unwrap()])
        .args(["--token-env", "GHL_TEST_TOKEN", "--base-url", &server.url()])
        .args(["--retry-base-ms", "10", "--timeout", "2"])
        .env("GHL_TEST_TOKEN", PIT_OTHER)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("GET /locations/{locationId} answered 403"),
        "{text}"
    );
    assert!(!text.contains("not checked: not checked"), "{text}");
}
