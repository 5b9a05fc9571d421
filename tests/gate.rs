//! The CI gate (issue #15): what fails it, what a person can accept (inline, ignore file, --exclude,
//! baseline), and failing closed on inputs that cannot be read. Trees are written by each test.
mod support;

use std::path::Path;
use support::{bin, run_ok, tree};

/// (exit code, JSON report) of `scan --format json` with `args`.
fn scan(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let o = bin()
        .args(["scan", "-q", "--format", "json"])
        .args(args)
        .arg(dir)
        .output()
        .unwrap();
    let code = o.status.code().unwrap();
    let report = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&o.stderr)));
    (code, report)
}

fn summary(r: &serde_json::Value, key: &str) -> u64 {
    r["summary"][key].as_u64().unwrap()
}

const V2_CALL: &str = "export const list = () => fetch('https://services.leadconnectorhq.com/contacts/?locationId=x', { headers: { Version: '2021-07-28' } });\n";

#[test]
fn gate_v2_only_repository_with_prose_is_green_unless_asked() {
    let dir = tree(&[
        ("src/contacts.js", V2_CALL),
        (
            "src/legacy.js",
            "// The old host https://rest.gohighlevel.com/v1/contacts/ now answers 404.\nexport const x = 1;\n",
        ),
        (
            "README.md",
            "# Notes\n- deprecated: `https://rest.gohighlevel.com/v1/contacts/` (V1, retired)\n",
        ),
        (
            "src/server.js",
            "app.use(helmet({ contentSecurityPolicy: { directives: { connectSrc: [\"'self'\", \"https://rest.gohighlevel.com\"] } } }));\nconst retired = \"V1 (rest.gohighlevel.com) was retired on 2025-12-31\";\nconsole.log('was https://rest.gohighlevel.com/v1/contacts/');\n",
        ),
        (
            "nginx.conf",
            "add_header Content-Security-Policy \"connect-src 'self' https://rest.gohighlevel.com\";\n",
        ),
        (
            "src/__tests__/contacts.test.js",
            "const mock = { nextPageUrl: 'https://rest.gohighlevel.com/v1/contacts/?startAfter=1' };\nfetch('https://rest.gohighlevel.com/v1/contacts/');\n",
        ),
    ]);
    let (code, r) = scan(dir.path(), &[]);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(summary(&r, "gate_failures"), 0);
    let contexts: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["context"].as_str().unwrap())
        .collect();
    assert!(contexts.contains(&"test"), "{contexts:?}");
    assert!(contexts.contains(&"docs"), "{contexts:?}");
    assert!(contexts.contains(&"comment"), "{contexts:?}");
    let (code, _) = scan(dir.path(), &["--fail-on", "docs,comment,test"]);
    assert_eq!(code, 1);
    let (code, _) = scan(dir.path(), &["--fail-on", "test"]);
    assert_eq!(code, 1);
    let o = bin()
        .args(["scan", "--fail-on", "prose"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn gate_open_markers_fail_until_removed() {
    // A file without any HighLevel host: only the marker `diff` left.
    let dir = tree(&[(
        "src/users.js",
        "// ghl-migrate: users.list — companyId (query, required for /users/search)\nexport const users = () => api.get(USERS_PATH);\n",
    )]);
    let (code, r) = scan(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(r["findings"][0]["category"], "migration_todo");
    std::fs::write(
        dir.path().join("src/users.js"),
        "export const users = () => api.get(USERS_PATH);\n",
    )
    .unwrap();
    assert_eq!(scan(dir.path(), &[]).0, 0);
}

const V1_CALLS: &str = "\
fetch('https://rest.gohighlevel.com/v1/contacts/');
// ghl-migrate: ignore[users.list] proxied through our gateway, migrated there
fetch('https://rest.gohighlevel.com/v1/users/');
fetch('https://rest.gohighlevel.com/v1/tags/'); // ghl-migrate: ignore[*] removed with the tags page
";

#[test]
fn gate_inline_suppressions_are_counted_not_dropped() {
    let dir = tree(&[("a.js", V1_CALLS)]);
    let (code, r) = scan(dir.path(), &[]);
    assert_eq!(code, 1, "the contacts call is not suppressed");
    assert_eq!(summary(&r, "gate_failures"), 1);
    assert_eq!(summary(&r, "suppressed"), 2);
    let users = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "users.list")
        .unwrap();
    assert_eq!(users["suppressed"]["kind"], "inline");
    assert_eq!(
        users["suppressed"]["justification"],
        "proxied through our gateway, migrated there"
    );
    // SARIF carries them as suppressions.
    let o = bin()
        .args(["scan", "-q", "--format", "sarif"])
        .arg(dir.path())
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let suppressed = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["suppressions"][0]["kind"] == "inSource")
        .count();
    assert_eq!(suppressed, 2);
}

#[test]
fn gate_bare_ignore_is_reported_and_suppresses_nothing() {
    let dir = tree(&[(
        "a.js",
        "// ghl-migrate: ignore\nfetch('https://rest.gohighlevel.com/v1/contacts/');\n",
    )]);
    let (code, r) = scan(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(summary(&r, "suppressed"), 0);
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["category"] == "suppression_without_reason")
    );
}

#[test]
fn gate_exclude_and_ignore_file_leave_paths_out_and_count_them() {
    let call = "fetch('https://rest.gohighlevel.com/v1/contacts/');\n";
    let dir = tree(&[
        ("src/a.js", call),
        ("legacy/b.js", call),
        ("vendor/c.js", call),
        (".ghl-migrateignore", "# archived code\nlegacy/\n"),
    ]);
    let (code, r) = scan(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(summary(&r, "findings"), 2);
    assert_eq!(summary(&r, "excluded"), 1);
    let (_, r) = scan(
        dir.path(),
        &["--exclude", "vendor/**", "--exclude", "src/*.js"],
    );
    assert_eq!(summary(&r, "findings"), 0);
    assert_eq!(summary(&r, "excluded"), 3);
    let o = bin()
        .args(["scan", "--exclude", "legacy/{a,b", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--exclude"));
}

#[test]
fn gate_baseline_round_trip_fails_only_on_new_findings() {
    let dir = tree(&[(
        "a.js",
        "fetch('https://rest.gohighlevel.com/v1/contacts/');\nfetch('https://rest.gohighlevel.com/v1/users/');\n",
    )]);
    let base = dir.path().join("baseline.json");
    let o = bin()
        .args(["scan", "-q", "--write-baseline"])
        .arg(&base)
        .arg(dir.path().join("a.js"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let text = std::fs::read_to_string(&base).unwrap();
    assert!(text.contains("\"fingerprint\": \"sha256:"), "{text}");
    assert!(
        !text.contains("rest.gohighlevel.com"),
        "no code in the baseline"
    );
    // Lines move, one new call arrives: only it fails.
    std::fs::write(
        dir.path().join("a.js"),
        "// moved down\n\nfetch('https://rest.gohighlevel.com/v1/users/');\nfetch('https://rest.gohighlevel.com/v1/contacts/');\nfetch('https://rest.gohighlevel.com/v1/tags/');\n",
    )
    .unwrap();
    let (code, r) = scan(
        &dir.path().join("a.js"),
        &["--baseline", base.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    assert_eq!(summary(&r, "gate_failures"), 1);
    assert_eq!(summary(&r, "suppressed"), 2);
    let failing: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"].is_null())
        .map(|f| f["rule"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(failing, ["tags.list"]);
}

#[test]
fn gate_fails_closed_on_inputs_it_cannot_use() {
    let dir = tree(&[(
        "a.js",
        "fetch('https://rest.gohighlevel.com/v1/contacts/');\n",
    )]);
    let root = dir.path().to_str().unwrap();
    let missing = dir.path().join("missing");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["scan", "/dev/null"], "/dev/null"),
        (vec!["scan", missing.to_str().unwrap()], "missing"),
        (
            vec!["diff", "--rule", "contacts.lsit", root],
            "contacts.lsit",
        ),
        (vec!["diff", "--backup", root], "--backup"),
        (vec!["diff", "--apply", "-o", "x.patch", root], "--apply"),
        (vec!["scan", "--baseline", "nope.json", root], "nope.json"),
    ];
    for (args, named) in cases {
        let o = bin().args(&args).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(named), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: one line: {err}");
    }
}

#[test]
fn gate_half_migrated_call_fails_until_fixed_and_diff_never_makes_one() {
    // One base shared by a call diff can rewrite and one it cannot (its parameters move).
    let original = "import requests\n\nBASE = \"https://rest.gohighlevel.com/v1\"\n\n\ndef slots(cal):\n    return requests.get(BASE + \"/appointments/slots?calendarId=\" + cal)\n\n\ndef contacts():\n    return requests.get(BASE + \"/contacts/\")\n";
    let dir = tree(&[("ghl.py", original)]);
    run_ok(bin().args(["diff", "--apply"]).arg(dir.path()));
    let (code, r) = scan(dir.path(), &[]);
    assert_eq!(code, 1, "the call that stayed V1 still fails the gate");
    let half = |r: &serde_json::Value| -> Vec<serde_json::Value> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["category"] == "half_migrated")
            .cloned()
            .collect()
    };
    assert!(half(&r).is_empty(), "diff made a half-migrated call: {r:#}");
    // A hand edit moves the base for every call: the call whose parameters move is half-migrated.
    std::fs::write(
        dir.path().join("ghl.py"),
        original.replace("rest.gohighlevel.com/v1", "services.leadconnectorhq.com"),
    )
    .unwrap();
    let (code, r) = scan(dir.path(), &[]);
    assert_eq!(code, 1);
    let half = half(&r);
    assert_eq!(half.len(), 1, "{r:#}");
    assert_eq!(half[0]["rule"], "appointments.slots");
    assert_eq!(half[0]["v2"]["path"], "/calendars/{calendarId}/free-slots");
    assert_eq!(half[0]["line"], 7);
    // A person finishes the job: the V2 path, markers removed.
    let text = std::fs::read_to_string(dir.path().join("ghl.py")).unwrap();
    let fixed: String = text
        .lines()
        .filter(|l| !l.contains("ghl-migrate:"))
        .map(|l| {
            l.replace(
                "BASE + \"/appointments/slots?calendarId=\" + cal",
                "BASE + \"/calendars/\" + cal + \"/free-slots\"",
            ) + "\n"
        })
        .collect();
    std::fs::write(dir.path().join("ghl.py"), fixed).unwrap();
    let (code, r) = scan(dir.path(), &[]);
    assert_eq!(code, 0, "{r:#}");
}

#[test]
fn gate_settings_file_at_the_git_top_is_read_by_scan_and_checked() {
    let call = "fetch('https://rest.gohighlevel.com/v1/contacts/');\n";
    let dir = tree(&[
        ("svc/legacy/a.js", call),
        ("svc/b.js", call),
        (
            "svc/README.md",
            "Old host: https://rest.gohighlevel.com/v1/contacts/\n",
        ),
        (
            "ghl-migrate.yaml",
            "scan:\n  exclude: [\"legacy/\"]\n  fail_on: [docs]\n  baseline: base.json\n",
        ),
    ]);
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    // No baseline file yet: a clear error naming it.
    let svc = dir.path().join("svc");
    let o = bin().args(["scan", "-q"]).arg(&svc).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("base.json"));
    // Record it (svc/b.js and the docs line), then only new findings fail; legacy/ stays excluded.
    let o = bin()
        .args(["scan", "-q", "--write-baseline"])
        .arg(dir.path().join("base.json"))
        .arg(&svc)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let (code, r) = scan(&svc, &[]);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(summary(&r, "excluded"), 1);
    assert_eq!(summary(&r, "suppressed"), 2);
    std::fs::write(
        svc.join("README.md"),
        "Old host: https://rest.gohighlevel.com/v1/users/\n",
    )
    .unwrap();
    assert_eq!(
        scan(&svc, &[]).0,
        1,
        "docs fail: the settings file says fail_on: [docs]"
    );
    // config check: ok, then an unknown key with its line and column.
    run_ok(bin().args(["config", "check"]).current_dir(&svc));
    std::fs::write(
        dir.path().join("ghl-migrate.yaml"),
        "scan:\n  exclud: [x]\n",
    )
    .unwrap();
    let o = bin()
        .args(["config", "check"])
        .current_dir(&svc)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("ghl-migrate.yaml:2:3") && err.contains("exclud"),
        "{err}"
    );
}

#[test]
fn gate_keys_uuid_settings_in_a_v1_tree_vendor_keys_and_unreadable_jwts() {
    let uuid = "8c0e6a4e-5d2b-4f1a-9e3c-7b6a5d4c3b29"; // synthetic
    let env = format!("# synthetic\nGHL_API_KEY={uuid}\n");
    let js = "// synthetic\nconst key = 'sk-ant-api03-Zk3qP9x2Lm7vR4tY8wB1nQ5s';\nfetch('https://rest.gohighlevel.com/v1/contacts/', { headers: { Authorization: `Bearer ${key}` } });\nfetch('https://rest.gohighlevel.com/v1/users/', { headers: { Authorization: 'Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJub3QtanNvbi1hdC1hbGwtMTIzNDU2.c2lnbmF0dXJlc2lnbmF0dXJl' } });\n";
    let kinds = |dir: &Path| -> Vec<String> {
        let (_, r) = scan(dir, &[]);
        let mut k: Vec<String> = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["credential"]["kind"].as_str().map(str::to_string))
            .collect();
        k.sort();
        k
    };
    // Alone, the UUID setting is a secret of unknown kind; in a tree that calls V1 it is an old V1 key.
    let alone = tree(&[(".env", env.clone())]);
    assert_eq!(kinds(alone.path()), ["unknown_secret"]);
    let v1 = tree(&[(".env", env), ("app.js", js.to_string())]);
    assert_eq!(
        kinds(v1.path()),
        ["unknown_secret", "v1_short_key", "v1_unreadable_key"],
        "the sk-ant- key is another vendor's"
    );
}
