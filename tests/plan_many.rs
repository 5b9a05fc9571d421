//! Many repositories (#17): each scanned on its own (a CI matrix job), `plan --from REPORT…` plans across
//! the saved reports, `merge` combines them into one report that plans the same.
mod support;
use ghl_migrate::credential::synthetic_jwt;
use serde_json::Value;
use std::path::{Path, PathBuf};
use support::{bin, integration, strings};

const LOC: &str = "LOCsyntheticMANY0001";

/// A synthetic V1 location key (made-up claims and signature) for location `loc`.
fn key(loc: &str, sub: &str) -> String {
    synthetic_jwt(&format!(
        r#"{{"location_id":"{loc}","company_id":"COMPsyntheticMANY001","version":1,"iat":1700000000000,"sub":"{sub}"}}"#
    ))
}

/// Writes `files` under `root/name`.
fn repo(root: &Path, name: &str, files: &[(&str, String)]) -> PathBuf {
    let dir = root.join(name);
    for (rel, text) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

/// `scan --format json` of `dir` into `out` (extra flags such as `--repo` first).
fn scan(dir: &Path, out: &Path, extra: &[&str]) {
    let o = bin()
        .args(["scan", "--format", "json", "-q", "--exit-zero", "-o"])
        .arg(out)
        .args(extra)
        .arg(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Runs `ghl-migrate ARGS`: (exit code, stdout, stderr).
fn run(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let o = bin().current_dir(cwd).args(args).output().unwrap();
    (
        o.status.code().unwrap(),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn plan_json(args: &[&str], cwd: &Path) -> Value {
    let mut argv = vec![
        "plan",
        "--format",
        "json",
        "--as-of",
        "2026-11-22",
        "--from",
    ];
    argv.extend(args);
    let (code, out, err) = run(&argv, cwd);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// Two repositories using one V1 location key: `billing` (named by `--repo`) keeps it in `.env`, `crm`
/// (named after its folder) hard-codes it. Returns the temp dir (holding `a.json`, `b.json`) and the key.
fn two_repositories() -> (tempfile::TempDir, String) {
    let d = tempfile::tempdir().unwrap();
    let k = key(LOC, "SUBsyntheticMANY0001");
    let billing = repo(
        d.path(),
        "billing",
        &[
            (".env", format!("GHL_API_KEY={k}\n")),
            (
                "src/contacts.js",
                "export const get = (id) => fetch('https://rest.gohighlevel.com/v1/contacts/' + id, { headers: { Authorization: `Bearer ${process.env.GHL_API_KEY}` } });\n".into(),
            ),
        ],
    );
    let crm = repo(
        d.path(),
        "crm",
        &[(
            "app.js",
            format!(
                "const KEY = '{k}';\nfetch('https://rest.gohighlevel.com/v1/contacts/' + id, {{ headers: {{ Authorization: 'Bearer ' + KEY }} }});\n"
            ),
        )],
    );
    scan(&billing, &d.path().join("a.json"), &["--repo", "billing"]);
    scan(&crm, &d.path().join("b.json"), &[]);
    (d, k)
}

#[test]
fn one_key_in_two_repositories_is_one_key_entry_with_one_cutover_and_its_location_named() {
    let (d, _k) = two_repositories();
    let a: Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("a.json")).unwrap()).unwrap();
    let b: Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("b.json")).unwrap()).unwrap();
    assert_eq!(a["repository"], "billing", "--repo names the report");
    assert_eq!(
        b["repository"], "crm",
        "the scanned folder's name by default"
    );

    let p = plan_json(&["a.json", "b.json"], d.path());
    assert_eq!(strings(&p["roots"]), ["billing", "crm"]);
    let billing = integration(&p, "billing");
    assert_eq!(billing["repository"], "billing");
    assert_eq!(billing["root"], "billing:.");
    assert_eq!(billing["calls"][0]["path"], "billing:src/contacts.js");
    assert_eq!(integration(&p, "crm")["calls"][0]["path"], "crm:app.js");

    let keys = p["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "one entry per key: {keys:?}");
    let k = &keys[0];
    let fp = k["fingerprint"].as_str().unwrap();
    assert_eq!(strings(&k["repositories"]), ["billing", "crm"]);
    assert_eq!(strings(&k["integrations"]), ["billing", "crm"]);
    assert_eq!(strings(&k["found_in"]), ["billing:.env:1", "crm:app.js:1"]);
    let cutover = strings(&k["cutover"]);
    let redacted = k["redacted"].as_str().unwrap();
    assert_eq!(
        cutover,
        [
            "Create the successor of `billing` (repository `billing`): a Private Integration Token in sub-account LOCsyntheticMANY0001 (scopes: contacts.readonly)".to_string(),
            "Create the successor of `crm` (repository `crm`): a Private Integration Token in sub-account LOCsyntheticMANY0001 (scopes: contacts.readonly)".to_string(),
            format!("Verify `billing`: `ghl-migrate verify --plan plan.json --integration billing --location {LOC} --token-env NEW_TOKEN_VAR`"),
            format!("Verify `crm`: `ghl-migrate verify --plan plan.json --integration crm --location {LOC} --token-env NEW_TOKEN_VAR`"),
            "Deploy every one of them (billing, crm) and watch each for 401/403/422 from services.leadconnectorhq.com".to_string(),
            format!("Then revoke the V1 key {fp} ({redacted}) once (the API key of sub-account {LOC}): only after all 2 integrations run on V2"),
        ]
    );
    // Each integration's own checklist leaves the revocation to the key's.
    for id in ["billing", "crm"] {
        let steps = strings(&integration(&p, id)["checklist"]);
        assert!(
            !steps.iter().any(|s| s.starts_with("Revoke the V1 key")),
            "{steps:?}"
        );
        assert_eq!(
            steps
                .iter()
                .filter(|s| s.starts_with(&format!("Do not revoke the V1 key {fp}")))
                .count(),
            1
        );
    }
    assert_eq!(
        p["shared_locations"],
        serde_json::json!([{"location_id": LOC, "repositories": ["billing", "crm"], "integrations": ["billing", "crm"]}])
    );

    let (code, md, err) = run(
        &[
            "plan",
            "--as-of",
            "2026-11-22",
            "--from",
            "a.json",
            "b.json",
        ],
        d.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        md.matches("cutover checklist for this key").count(),
        1,
        "{md}"
    );
    assert!(
        md.contains(&format!(
            "## Sub-accounts reached from several repositories\n\nTheir V1 key (one per sub-account) and their V2 credentials concern every team listed: agree on one cutover.\n\n- location `{LOC}`: repositories billing, crm; integrations billing, crm\n"
        )),
        "{md}"
    );
    assert!(md.contains("  - repositories: billing, crm\n"), "{md}");
}

#[test]
fn a_location_reached_with_different_keys_from_two_repositories_is_named() {
    let d = tempfile::tempdir().unwrap();
    let call = "fetch('https://rest.gohighlevel.com/v1/contacts/' + id, { headers: { Authorization: 'Bearer ' + KEY } });\n";
    for (name, sub) in [
        ("shop", "SUBsyntheticMANY0002"),
        ("ops", "SUBsyntheticMANY0003"),
    ] {
        let dir = repo(
            d.path(),
            name,
            &[(
                "index.js",
                format!("const KEY = '{}';\n{call}", key(LOC, sub)),
            )],
        );
        scan(&dir, &d.path().join(format!("{name}.json")), &[]);
    }
    let p = plan_json(&["shop.json", "ops.json"], d.path());
    assert_eq!(p["keys"].as_array().unwrap().len(), 2);
    for k in p["keys"].as_array().unwrap() {
        assert!(k.get("cutover").is_none(), "one user per key: {k}");
    }
    assert_eq!(
        p["shared_locations"],
        serde_json::json!([{"location_id": LOC, "repositories": ["ops", "shop"], "integrations": ["ops", "shop"]}])
    );
}

#[test]
fn merged_report_plans_the_same_as_the_separate_reports() {
    let (d, _k) = two_repositories();
    let (code, _, err) = run(&["merge", "a.json", "b.json", "-o", "all.json"], d.path());
    assert_eq!(code, 0, "{err}");
    let all: Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("all.json")).unwrap()).unwrap();
    assert_eq!(all["schema"], "ghl-migrate/scan/v1");
    assert!(all.get("repository").is_none());
    assert_eq!(strings(&all["roots"]), ["billing", "crm"]);
    let tags: Vec<&str> = all["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["repository"].as_str().unwrap())
        .collect();
    assert!(
        tags.contains(&"billing") && tags.contains(&"crm"),
        "{tags:?}"
    );
    assert_eq!(
        all["summary"]["findings"],
        tags.len(),
        "summaries are added up"
    );

    let separate = plan_json(&["a.json", "b.json"], d.path());
    let reversed = plan_json(&["b.json", "a.json"], d.path());
    let merged = plan_json(&["all.json"], d.path());
    assert_eq!(merged, separate);
    assert_eq!(
        reversed, separate,
        "the order of the reports does not matter"
    );
    // Merging a merged report with one of its own repositories again would mix two scans of it.
    let (code, _, err) = run(&["plan", "--from", "all.json", "b.json"], d.path());
    assert_eq!(code, 2);
    assert!(
        err.contains("repository `crm` is in both all.json and b.json"),
        "{err}"
    );
}

#[test]
fn a_report_naming_no_repository_is_named_by_its_file_stem() {
    let (d, _k) = two_repositories();
    let mut b: Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("b.json")).unwrap()).unwrap();
    b.as_object_mut().unwrap().remove("repository");
    std::fs::write(d.path().join("legacy-crm.json"), b.to_string()).unwrap();
    let p = plan_json(&["a.json", "legacy-crm.json"], d.path());
    assert_eq!(strings(&p["roots"]), ["billing", "legacy-crm"]);
    assert_eq!(
        integration(&p, "legacy-crm")["calls"][0]["path"],
        "legacy-crm:app.js"
    );
}

#[test]
fn bad_report_files_exit_2_naming_the_file() {
    let (d, _k) = two_repositories();
    std::fs::write(d.path().join("broken.json"), "{\"schema\": ").unwrap();
    std::fs::write(
        d.path().join("plan.json"),
        r#"{"schema":"ghl-migrate/plan/v1","integrations":[]}"#,
    )
    .unwrap();
    std::fs::write(
        d.path().join("shape.json"),
        r#"{"schema":"ghl-migrate/scan/v1","findings":"none"}"#,
    )
    .unwrap();
    std::fs::create_dir(d.path().join("folder.json")).unwrap();
    let cases = [
        (
            "broken.json",
            "broken.json is not a `ghl-migrate scan --format json` report (not JSON)",
        ),
        (
            "plan.json",
            "plan.json is not a ghl-migrate/scan/v1 report (it declares another schema)",
        ),
        (
            "shape.json",
            "shape.json: not a valid ghl-migrate/scan/v1 report",
        ),
        ("missing.json", "reading scan report missing.json"),
        (
            "folder.json",
            "scan report folder.json is not a regular file",
        ),
    ];
    for (file, said) in cases {
        for cmd in [
            &["plan", "--from", "a.json", file][..],
            &["merge", "a.json", file],
        ] {
            let (code, out, err) = run(cmd, d.path());
            assert_eq!(code, 2, "{cmd:?}: {err}");
            assert!(out.is_empty(), "{cmd:?}: {out}");
            assert!(err.contains(said), "{cmd:?}: {err}");
        }
    }
}

#[test]
fn no_report_plan_or_error_holds_the_raw_key() {
    let (d, k) = two_repositories();
    // A wrong-schema file holding the key: the error names the file, never its content.
    std::fs::write(d.path().join("odd.json"), format!("{{\"schema\":\"{k}\"}}")).unwrap();
    let mut seen = Vec::new();
    for args in [
        &["merge", "a.json", "b.json", "-o", "all.json"][..],
        &["merge", "a.json", "b.json"],
        &["plan", "--from", "all.json"],
        &["plan", "--from", "a.json", "b.json", "--format", "json"],
        &["plan", "--from", "a.json", "b.json", "-o", "plan.md"],
        &["plan", "--from", "a.json", "odd.json"],
    ] {
        let (_, out, err) = run(args, d.path());
        seen.push((format!("{args:?}"), out + &err));
    }
    for f in ["a.json", "b.json", "all.json", "plan.md"] {
        let text = std::fs::read_to_string(d.path().join(f)).unwrap();
        assert!(
            text.contains("sha256:"),
            "{f} names the key by its fingerprint"
        );
        seen.push((f.into(), text));
    }
    // The payload and signature segments: any part of the key that is not the JWT's fixed header.
    let parts: Vec<&str> = k.split('.').skip(1).collect();
    for (what, text) in &seen {
        assert!(!text.contains(&k), "{what} holds the key");
        for p in &parts {
            assert!(!text.contains(p), "{what} holds part of the key");
        }
    }
}
