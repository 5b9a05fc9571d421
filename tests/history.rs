//! `scan --history`: keys ever committed, each once, where it first appeared — also those since removed.
//! Fixture keys are synthetic (`synthetic_jwt`, made-up claims).
use ghl_migrate::credential::synthetic_jwt;
use std::path::Path;

mod support;
use support::bin;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git is installed");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Commits `files` (path, text; `None` deletes) at a fixed date, returns the commit id.
fn commit(dir: &Path, files: &[(&str, Option<&str>)], date: &str) -> String {
    for (rel, text) in files {
        let p = dir.join(rel);
        match text {
            Some(t) => {
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(&p, t).unwrap();
            }
            None => std::fs::remove_file(&p).unwrap(),
        }
    }
    git(dir, &["add", "-A"]);
    let out = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args(["-c", "commit.gpgsign=false", "commit", "-q", "-m", "c"])
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    git(dir, &["rev-parse", "HEAD"])
}

fn key(loc: &str) -> String {
    synthetic_jwt(&format!(
        r#"{{"location_id":"{loc}","version":1,"iat":1700000000000}}"#
    ))
}

#[test]
fn history_lists_a_removed_key_once_at_its_first_commit_and_marks_the_one_still_present() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    git(p, &["init", "-q"]);
    let gone = key("LOCsyntheticHistory01");
    let kept = key("LOCsyntheticHistory02");
    let first = commit(
        p,
        &[
            (
                "src/config.js",
                Some(&format!("const GHL_KEY = '{gone}';\n")),
            ),
            ("README.md", Some("# app\n")),
        ],
        "2024-01-01T00:00:00Z",
    );
    // The same key moves to another file (a new blob): still reported once, at its first commit.
    commit(
        p,
        &[(
            "lib/keys.js",
            Some(&format!("\nexport const k = '{gone}';\n")),
        )],
        "2024-02-01T00:00:00Z",
    );
    let third = commit(
        p,
        &[
            (
                "src/config.js",
                Some("const GHL_KEY = process.env.GHL_KEY;\n"),
            ),
            ("lib/keys.js", None),
            (".env", Some(&format!("GHL_API_KEY={kept}\n"))),
        ],
        "2024-03-01T00:00:00Z",
    );
    // A branch holding an older version is read too.
    git(p, &["branch", "old", &first]);
    let out = bin()
        .args(["scan", "--history", "--format", "json", "--exit-zero"])
        .arg(p)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    for k in [&gone, &kept] {
        assert!(!stdout.contains(&k[10..30]), "a key leaked");
    }
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let h = &report["history"];
    assert_eq!(h["commits"], 3);
    let keys: Vec<(&str, &str, u64, bool, &str)> = h["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["commit"].as_str().unwrap(),
                k["path"].as_str().unwrap(),
                k["line"].as_u64().unwrap(),
                k["in_worktree"].as_bool().unwrap(),
                k["credential"]["location_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        keys,
        [
            (
                first.as_str(),
                "src/config.js",
                1,
                false,
                "LOCsyntheticHistory01"
            ),
            (third.as_str(), ".env", 1, true, "LOCsyntheticHistory02"),
        ]
    );
    // Text: the removed key is flagged for rotation.
    let text = bin()
        .args(["scan", "--history", "--exit-zero", "--color", "never"])
        .arg(p)
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("history: 2 key(s) in 3 commits"), "{text}");
    assert!(
        text.contains(&format!(
            "first in {} src/config.js:1 — only in history: in every clone, rotate it",
            &first[..12]
        )),
        "{text}"
    );
}

#[test]
fn history_outside_a_repository_or_on_stdin_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["scan", "--history"])
        .arg(d.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is not in a git repository"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = bin()
        .args(["scan", "--history", "-", "--stdin-name", "a.js"])
        .write_stdin("x")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn without_history_the_json_report_has_no_history_field() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("a.js"), "x\n").unwrap();
    let out = bin()
        .args(["scan", "--format", "json"])
        .arg(d.path())
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report.get("history").is_none());
}

/// `--history=all` also lists V1 calls once per file and endpoint at their first commit, and says
/// whether the work tree still makes them; plain `--history` lists keys only.
#[test]
fn history_all_lists_v1_calls_once_at_their_first_commit() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    git(p, &["init", "-q"]);
    let call = "fetch('https://rest.gohighlevel.com/v1/contacts/' + id);\n";
    // (Identical files are one blob, read once: b.js differs so that it is read at its own path.)
    let first = commit(
        p,
        &[
            ("src/a.js", Some(call)),
            ("src/b.js", Some(&format!("// b\n{call}"))),
        ],
        "2024-01-01T00:00:00Z",
    );
    // a.js changes (a new blob, same endpoint: not listed again); b.js migrates.
    commit(
        p,
        &[
            ("src/a.js", Some(&format!("// sync\n{call}"))),
            (
                "src/b.js",
                Some("fetch('https://services.leadconnectorhq.com/contacts/' + id);\n"),
            ),
        ],
        "2024-02-01T00:00:00Z",
    );
    let json = |args: &[&str]| -> serde_json::Value {
        let out = bin()
            .arg("scan")
            .args(args)
            .args(["--format", "json", "--exit-zero"])
            .arg(p)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let r = json(&["--history=all"]);
    let calls: Vec<(&str, &str, u64, bool)> = r["history"]["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["commit"].as_str().unwrap(),
                c["path"].as_str().unwrap(),
                c["line"].as_u64().unwrap(),
                c["in_worktree"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            (first.as_str(), "src/a.js", 1, true),
            (first.as_str(), "src/b.js", 2, false),
        ]
    );
    assert!(json(&["--history"])["history"].get("calls").is_none());
}

/// `--branch` reads only what a ref reaches, `--since` only newer commits; an unknown ref is exit 2.
#[test]
fn history_can_be_limited_to_a_branch_and_a_date() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    git(p, &["init", "-q"]);
    let old_key = key("LOCsyntheticHistory07");
    let new_key = key("LOCsyntheticHistory08");
    let first = commit(
        p,
        &[("a.js", Some(&format!("const k = '{old_key}';\n")))],
        "2023-01-01T00:00:00Z",
    );
    commit(
        p,
        &[("a.js", Some(&format!("const k = '{new_key}';\n")))],
        "2025-01-01T00:00:00Z",
    );
    git(p, &["branch", "old", &first]);
    let locations = |args: &[&str]| -> Vec<String> {
        let out = bin()
            .args(["scan", "--format", "json", "--exit-zero"])
            .args(args)
            .arg(p)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        r["history"]["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["credential"]["location_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        locations(&["--history"]),
        ["LOCsyntheticHistory07", "LOCsyntheticHistory08"]
    );
    assert_eq!(
        locations(&["--history", "--branch", "old"]),
        ["LOCsyntheticHistory07"]
    );
    assert_eq!(
        locations(&["--history", "--since", "2024-06-01"]),
        ["LOCsyntheticHistory08"]
    );
    let out = bin()
        .args(["scan", "--history", "--branch", "nope", "--exit-zero"])
        .arg(p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--branch \"nope\""));
}
