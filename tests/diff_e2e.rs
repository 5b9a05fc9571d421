//! End-to-end: `ghl-migrate diff` produces patches that `git apply` accepts, that never print a key, that
//! leave the files parseable, and that come out empty on a second run; and each fixture's patch is exactly
//! its stored `expected.patch`.
//!
//! `GHL_BLESS=1 cargo test --test diff_e2e` rewrites the `expected.patch` files from the current output;
//! review `git diff fixtures/` before committing them.
mod support;
use std::path::Path;
use std::process::Command as Std;
use support::bin;

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    Std::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git is installed")
}

fn diff(dir: &Path) -> (String, String) {
    support::run_ok(bin().args(["diff", "-q", "."]).current_dir(dir))
}

/// Every project fixture (code, plan and export fixtures, plus the bundled example).
fn fixture_dirs() -> Vec<String> {
    let mut dirs = vec!["fixtures/example/agency-repo".to_string()];
    for parent in ["fixtures/code", "fixtures/plan", "fixtures/exports"] {
        for e in walkdir::WalkDir::new(parent)
            .min_depth(1)
            .max_depth(2)
            .into_iter()
            .filter_map(Result::ok)
        {
            let p = e.path();
            let depth = p.strip_prefix(parent).unwrap().components().count();
            let is_case = if parent != "fixtures/plan" {
                depth == 2
            } else {
                depth == 1
            };
            if e.file_type().is_dir() && is_case {
                dirs.push(p.display().to_string());
            }
        }
    }
    dirs.sort();
    dirs
}

/// Every key in a fixture's files (raw), as the scanner's key finder sees them.
fn fixture_keys(dir: &Path) -> Vec<String> {
    let mut keys = Vec::new();
    for e in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
    {
        let Ok(text) = std::fs::read_to_string(e.path()) else {
            continue;
        };
        for h in ghl_migrate::scan::secrets::find(&text, true) {
            keys.push(text[h.start..h.end].to_string());
        }
        // Keys known only by the name of their field (`api_key`, `{key: "token", value}`) in exports.
        let v = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .or_else(|| serde_norway::from_str(&text).ok());
        if let Some(v) = v {
            key_values(&v, None, &mut keys);
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

fn key_values(v: &serde_json::Value, name: Option<&str>, out: &mut Vec<String>) {
    use serde_json::Value;
    match v {
        Value::String(s) if name.is_some_and(ghl_migrate::scan::exports::key_like) => {
            let t = s.trim().trim_start_matches("Bearer ").trim();
            if t.len() >= 16 && !t.contains("{{") && !t.contains(char::is_whitespace) {
                out.push(t.to_string());
            }
        }
        Value::Array(a) => a.iter().for_each(|x| key_values(x, None, out)),
        Value::Object(o) => {
            let pair = o
                .get("key")
                .or_else(|| o.get("name"))
                .and_then(Value::as_str);
            for (k, x) in o {
                let n = if k == "value" {
                    pair.or(Some(k))
                } else {
                    Some(k.as_str())
                };
                key_values(x, n, out);
            }
        }
        _ => {}
    }
}

#[test]
fn patches_match_expected_apply_never_leak_and_are_idempotent() {
    let pit = regex::Regex::new(r"pit-[0-9a-f]{8}-[0-9a-f]{4}-").unwrap();
    let bless = std::env::var_os("GHL_BLESS").is_some();
    let mut mismatches = Vec::new();
    for fixture in fixture_dirs() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        support::migrate::copy_fixture(Path::new(&fixture), dir);
        let keys = fixture_keys(dir);
        let has_key = std::fs::read_to_string(Path::new(&fixture).join("expected.json"))
            .is_ok_and(|e| e.contains("\"kind\": \"credential\""));
        assert!(
            !has_key || !keys.is_empty(),
            "{fixture}: its keys were not found"
        );
        git(dir, &["init", "-q"]);
        let (patch, summary) = diff(dir);
        assert!(summary.contains("file(s) changed"), "{summary}");
        let expected = Path::new(&fixture).join("expected.patch");
        if bless {
            std::fs::write(&expected, &patch).unwrap();
        } else {
            let want = std::fs::read_to_string(&expected)
                .unwrap_or_else(|_| panic!("{}: missing (GHL_BLESS=1)", expected.display()));
            if want != patch {
                mismatches.push(format!("{fixture}:\n{}", first_difference(&want, &patch)));
            }
        }
        // No key, in the patch or the summary.
        for text in [&patch, &summary] {
            assert!(
                !text.contains("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ"),
                "{fixture}: a JWT leaked"
            );
            assert!(!pit.is_match(text), "{fixture}: a PIT leaked");
            for k in &keys {
                assert!(
                    !text.contains(k.as_str()),
                    "{fixture}: a fixture key leaked"
                );
            }
        }
        if patch.is_empty() {
            // Only acceptable for V2-only code, when every change is held back by a key next to it, or when
            // every V1 request needs a human (the summary says why).
            assert!(
                fixture.contains("v2-only")
                    || summary.contains("holding a key")
                    || summary.contains("next to a key")
                    || summary.contains("marked for review"),
                "{fixture}: no patch and no reason:\n{summary}"
            );
            continue;
        }
        std::fs::write(dir.join("x.patch"), &patch).unwrap();
        let check = git(dir, &["apply", "--check", "x.patch"]);
        assert!(
            check.status.success(),
            "{fixture}: git apply --check: {}\n{patch}",
            String::from_utf8_lossy(&check.stderr)
        );
        assert!(git(dir, &["apply", "x.patch"]).status.success());
        std::fs::remove_file(dir.join("x.patch")).unwrap();
        // Still parseable where we can tell.
        for e in walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| {
                e.file_type().is_file() && !e.path().components().any(|c| c.as_os_str() == ".git")
            })
        {
            let p = e.path();
            let text = std::fs::read_to_string(p).unwrap_or_default();
            match p.extension().and_then(|x| x.to_str()) {
                Some("json") => assert!(
                    serde_json::from_str::<serde_json::Value>(&text).is_ok(),
                    "{}",
                    p.display()
                ),
                Some("yaml" | "yml") => assert!(
                    serde_norway::from_str::<serde_norway::Value>(&text).is_ok(),
                    "{}",
                    p.display()
                ),
                Some("rs") => assert!(syn::parse_file(&text).is_ok(), "{}", p.display()),
                _ => {}
            }
        }
        let (again, _) = diff(dir);
        assert_eq!(
            again, "",
            "{fixture}: a second run still changes things:\n{again}"
        );
    }
    assert!(
        mismatches.is_empty(),
        "{} fixture patch(es) differ from expected.patch (GHL_BLESS=1 to accept):\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// The first differing line of two patches, with its neighbours.
fn first_difference(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let n = w.iter().zip(&g).take_while(|(a, b)| a == b).count();
    let show = |v: &[&str]| v[n.saturating_sub(2)..(n + 3).min(v.len())].join("\n");
    format!(
        "  line {}:\n  want:\n{}\n  got:\n{}",
        n + 1,
        show(&w),
        show(&g)
    )
}

#[test]
fn apply_writes_files_and_scan_then_lists_the_open_steps() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    support::migrate::copy_fixture(Path::new("fixtures/example/agency-repo"), dir);
    bin()
        .args(["diff", "-q", "--apply", "--backup", "."])
        .current_dir(dir)
        .assert()
        .success();
    let js = std::fs::read_to_string(dir.join("crm-sync/src/ghl.js")).unwrap();
    // `ghl` keeps serving the call that cannot move (opportunities); the others use its V2 twin.
    assert!(js.contains("'https://services.leadconnectorhq.com'"));
    assert!(js.contains("ghlV2.get('/contacts/search/duplicate'"));
    assert!(js.contains("ghl.get(`/pipelines/${pipelineId}/opportunities`"));
    assert!(js.contains("Version: '2021-07-28'"));
    assert!(js.contains("// ghl-migrate: opportunities.list"));
    assert!(dir.join("crm-sync/src/ghl.js.orig").exists());
    let out = bin()
        .args(["scan", "-q", "--exit-zero", "--format", "json", "."])
        .current_dir(dir)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let todos = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["category"] == "migration_todo")
        .count();
    assert!(todos >= 5, "{todos} open steps");
}

#[test]
fn filters_limit_the_patch() {
    let tmp = tempfile::tempdir().unwrap();
    support::migrate::copy_fixture(Path::new("fixtures/example/agency-repo"), tmp.path());
    let out = bin()
        .args([
            "diff",
            "-q",
            "--path",
            "crm-sync/**",
            "--rule",
            "contacts.lookup",
            ".",
        ])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let patch = String::from_utf8(out.stdout).unwrap();
    assert!(patch.contains("b/crm-sync/src/ghl.js"));
    assert!(!patch.contains("booking-widget"));
    assert!(
        !patch.contains("/contacts/upsert"),
        "only the filtered rule is rewritten"
    );
}

/// `--apply --backup` never overwrites or writes through an existing backup path, never replaces a
/// symlinked file, and says which files were written before it stopped.
#[cfg(unix)]
#[test]
fn apply_refuses_existing_backups_and_symlinks() {
    const CALL: &str = "fetch('https://rest.gohighlevel.com/v1/contacts/' + id);\n";
    // An existing backup that is a symlink to a file outside the tree.
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("keep.txt");
    std::fs::write(&secret, "outside, must stay as is\n").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("a.js"), CALL).unwrap();
    std::os::unix::fs::symlink(&secret, dir.join("a.js.orig")).unwrap();
    let out = bin()
        .args(["diff", "-q", "--apply", "--backup", "."])
        .current_dir(dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("a.js.orig") && err.contains("no file was written"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&secret).unwrap(),
        "outside, must stay as is\n"
    );
    assert_eq!(std::fs::read_to_string(dir.join("a.js")).unwrap(), CALL);

    // An existing regular backup is not overwritten either.
    std::fs::remove_file(dir.join("a.js.orig")).unwrap();
    std::fs::write(dir.join("a.js.orig"), "an earlier backup\n").unwrap();
    let out = bin()
        .args(["diff", "-q", "--apply", "--backup", "."])
        .current_dir(dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(
        std::fs::read_to_string(dir.join("a.js.orig")).unwrap(),
        "an earlier backup\n"
    );
    assert_eq!(std::fs::read_to_string(dir.join("a.js")).unwrap(), CALL);

    // A symlinked source file (scanned with --follow) is not replaced by a regular file.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let target = outside.path().join("real.js");
    std::fs::write(&target, CALL).unwrap();
    std::os::unix::fs::symlink(&target, dir.join("link.js")).unwrap();
    let out = bin()
        .args(["diff", "-q", "--follow", "--apply", "."])
        .current_dir(dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("link.js is a symlink"),
        "{out:?}"
    );
    assert!(
        std::fs::symlink_metadata(dir.join("link.js"))
            .unwrap()
            .file_type()
            .is_symlink(),
        "{out:?}"
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), CALL);
}

/// Two sends of one endpoint: each rewrite lands on its own line, once (the second used to be applied to
/// the first line again, doubling its path).
#[test]
fn two_sends_of_one_endpoint_are_each_rewritten_once() {
    let dir = support::tree(&[(
        "b.py",
        "import requests\nrequests.get(\"https://rest.gohighlevel.com/v1/contacts/xyz789\")\n\nrequests.get(\"https://rest.gohighlevel.com/v1/contacts/abc123\")\n",
    )]);
    let (patch, _) = support::run_ok(bin().arg("diff").arg(dir.path()));
    let changed: Vec<&str> = patch
        .lines()
        .filter(|l| l.starts_with("+requests") || l.starts_with("-requests"))
        .collect();
    assert_eq!(
        changed,
        [
            "-requests.get(\"https://rest.gohighlevel.com/v1/contacts/xyz789\")",
            "+requests.get(\"https://services.leadconnectorhq.com/contacts/xyz789\")",
            "-requests.get(\"https://rest.gohighlevel.com/v1/contacts/abc123\")",
            "+requests.get(\"https://services.leadconnectorhq.com/contacts/abc123\")",
        ],
        "{patch}"
    );
}

/// A path that fits a rule only by accident (a query written into a segment) is an unknown endpoint:
/// a marker, no rewrite.
#[test]
fn accidental_rule_matches_are_marked_not_rewritten() {
    let dir = support::tree(&[(
        "b.py",
        "import requests\ndef f(s, e):\n    return requests.get(f\"https://rest.gohighlevel.com/v1/appointments/startDate={s}&endDate={e}\")\n",
    )]);
    let (patch, stderr) = support::run_ok(bin().arg("diff").arg(dir.path()));
    assert!(!patch.contains("+    return"), "no rewrite: {patch}");
    assert!(
        patch.contains("+    # ghl-migrate: V1 call left as is: unknown V1 endpoint"),
        "{patch}"
    );
    assert!(
        stderr.contains("a path segment holds `=` or `&`"),
        "{stderr}"
    );
}

/// Backups and rejects of patch tools are not code: `scan` leaves `*.orig` / `*.rej` alone.
#[test]
fn scan_ignores_patch_backups_and_rejects() {
    let call = "fetch('https://rest.gohighlevel.com/v1/contacts/');\n";
    let dir = support::tree(&[("a.js.orig", call), ("a.js.rej", call), ("a.js", call)]);
    let out = bin()
        .args(["scan", "-q", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["a.js"]);
}

/// `diff sub/`, `diff .` from inside it and `diff /abs/file` all give patches `git apply` takes from the top
/// of the work tree.
#[test]
fn patches_apply_from_the_git_top_whatever_was_named() {
    let dir = support::tree(&[(
        "svc/api/ghl.py",
        "import requests\nrequests.get(\"https://rest.gohighlevel.com/v1/contacts/xyz789\")\n",
    )]);
    let top = dir.path();
    let git = |args: &[&str]| {
        let o = Std::new("git")
            .args(args)
            .current_dir(top)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    git(&["init", "-q"]);
    let file = top.join("svc/api/ghl.py");
    let runs: Vec<(Vec<String>, std::path::PathBuf)> = vec![
        (vec!["svc".into()], top.to_path_buf()),
        (vec![".".into()], top.join("svc/api")),
        (vec![file.to_string_lossy().into_owned()], top.join("svc")),
    ];
    for (args, cwd) in runs {
        let (patch, stderr) = support::run_ok(bin().arg("diff").args(&args).current_dir(&cwd));
        assert!(patch.contains("--- a/svc/api/ghl.py"), "{args:?}: {patch}");
        assert!(stderr.contains("relative to"), "{stderr}");
        let p = top.join("p.patch");
        std::fs::write(&p, &patch).unwrap();
        git(&["apply", "--check", "p.patch"]);
    }
}

/// Saved reports, expected outputs and snapshots are data: listed, not rewritten, unless --path names them.
#[test]
fn data_files_are_listed_not_rewritten_unless_named() {
    let call = "{\"url\": \"https://rest.gohighlevel.com/v1/contacts/\", \"method\": \"GET\"}\n";
    let dir = support::tree(&[
        ("tests/expected.json", call),
        ("__snapshots__/api.json", call),
        (
            "report.json",
            "{\"schema\": \"ghl-migrate/scan/v1\", \"findings\": [{\"snippet\": \"fetch('https://rest.gohighlevel.com/v1/contacts/')\"}]}\n",
        ),
    ]);
    let (patch, stderr) = support::run_ok(bin().arg("diff").arg(dir.path()));
    assert_eq!(patch, "", "{stderr}");
    for (file, kind) in [
        ("tests/expected.json", "a recorded expected output"),
        ("__snapshots__/api.json", "a test snapshot"),
        ("report.json", "a saved ghl-migrate report"),
    ] {
        assert!(
            stderr.contains(&format!("{file}: {kind}")),
            "{file}: {stderr}"
        );
    }
    let (patch, _) = support::run_ok(
        bin()
            .args(["diff", "--path", "tests/*.json"])
            .arg(dir.path()),
    );
    assert!(patch.contains("+++ b/tests/expected.json"), "{patch}");
}

/// `diff` takes one PATH, and says so in its synopsis.
#[test]
fn diff_synopsis_and_parser_agree_on_one_path() {
    let (help, _) = support::run_ok(bin().args(["diff", "--help"]));
    assert!(
        help.contains("Usage: ghl-migrate diff [OPTIONS] [PATH]\n"),
        "{help}"
    );
    let out = bin().args(["diff", "a", "b"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
