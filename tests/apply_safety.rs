//! `diff --apply` and the patch against hostile trees (issue #18, "Writes that lose or corrupt data"): one
//! test per defect class, two applies racing, and a deterministic run of the fuzz harness
//! (`fuzz/src/apply.rs`) over a few hundred random trees, since CI does not run cargo-fuzz.
#![cfg(unix)]
mod support;

#[path = "../fuzz/src/apply.rs"]
mod harness;

use ghl_migrate::diff::{self, Filters};
use ghl_migrate::rules::RuleSet;
use ghl_migrate::scan::{self, WalkOptions};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use support::bin;

const CALL: &str = "const r = await fetch('https://rest.gohighlevel.com/v1/contacts/' + id);\n";

fn apply_cmd(dir: &Path, extra: &[&str]) -> std::process::Output {
    bin()
        .args(["diff", "-q", "--apply"])
        .args(extra)
        .arg(".")
        .current_dir(dir)
        .output()
        .unwrap()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// What a clean `--apply` makes of `files` (name, bytes), in a scratch tree.
fn intended(files: &[(&str, &[u8])]) -> Vec<Vec<u8>> {
    let tmp = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(tmp.path().join(name), bytes).unwrap();
    }
    let out = apply_cmd(tmp.path(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    files
        .iter()
        .map(|(n, _)| std::fs::read(tmp.path().join(n)).unwrap())
        .collect()
}

fn utf16(text: &str, le: bool, bom: bool) -> Vec<u8> {
    bom.then_some(0xFEFF)
        .into_iter()
        .chain(text.encode_utf16())
        .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
        .collect()
}

fn rules() -> RuleSet {
    RuleSet::embedded()
}

fn no_filters() -> Filters {
    Filters {
        rules: Vec::new(),
        paths: None,
    }
}

#[test]
fn apply_refuses_write_through_directory_symlink_outside_root_even_with_follow() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("victim.js"), CALL).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("own.js"), CALL).unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.join("vendor")).unwrap();
    let out = apply_cmd(dir, &["--follow"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = stderr(&out);
    assert!(
        err.contains("vendor is a symlink leading outside the root")
            && err.contains("no file was written"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(outside.path().join("victim.js")).unwrap(),
        CALL
    );
    assert_eq!(std::fs::read_to_string(dir.join("own.js")).unwrap(), CALL);
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 1);
}

#[test]
fn apply_keeps_utf16_without_bom_and_never_splices_utf8() {
    let text = CALL.repeat(2);
    for (le, bom) in [(true, false), (false, false), (true, true), (false, true)] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        std::fs::write(dir.join("w.js"), utf16(&text, le, bom)).unwrap();
        // The patch leaves it out (git treats UTF-16 as binary) and says so.
        let (patch, err) = support::run_ok(bin().args(["diff", "-q", "."]).current_dir(dir));
        assert_eq!(patch, "", "{patch}");
        assert!(
            err.contains("w.js: UTF-16 text, left out of the patch"),
            "{err}"
        );
        let out = apply_cmd(dir, &[]);
        assert!(out.status.success(), "{}", stderr(&out));
        let now = std::fs::read(dir.join("w.js")).unwrap();
        assert_eq!(now.len() % 2, 0);
        let body = if bom {
            let mark = if le { [0xFF, 0xFE] } else { [0xFE, 0xFF] };
            assert_eq!(now[..2], mark, "BOM kept");
            &now[2..]
        } else {
            &now[..]
        };
        let units = ghl_migrate::scan::walk::utf16_units(body, le);
        let decoded = String::from_utf16(&units).expect("still UTF-16 of the same byte order");
        assert_ne!(decoded, text, "rewritten");
        assert!(decoded.contains("ghl-migrate"), "{decoded}");
        assert_eq!(now, utf16(&decoded, le, bom));
    }
}

#[test]
fn apply_refuses_file_changed_between_scan_and_apply() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().canonicalize().unwrap();
    std::fs::write(dir.join("a.js"), CALL).unwrap();
    std::fs::write(dir.join("b.js"), CALL).unwrap();
    let rules = rules();
    let report = scan::scan(
        std::slice::from_ref(&dir),
        &WalkOptions::default(),
        &rules,
        None,
    );
    let (patches, _) = diff::plan_patches(&report, &rules, &dir, &no_filters());
    assert_eq!(patches.len(), 2);
    // Someone else's write lands between the plan and the apply.
    std::fs::write(dir.join("b.js"), "// theirs\n").unwrap();
    let err = format!("{:#}", diff::apply(&patches, &dir, false).unwrap_err());
    assert_eq!(
        err,
        "b.js refused: no file was written: b.js changed since it was scanned: not applied (run diff again)"
    );
    assert_eq!(std::fs::read_to_string(dir.join("a.js")).unwrap(), CALL);
    assert_eq!(
        std::fs::read_to_string(dir.join("b.js")).unwrap(),
        "// theirs\n"
    );
}

#[test]
fn plan_refuses_file_changed_since_scan_not_diff_own_read() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().canonicalize().unwrap();
    std::fs::write(dir.join("a.js"), CALL).unwrap();
    let rules = rules();
    let report = scan::scan(
        std::slice::from_ref(&dir),
        &WalkOptions::default(),
        &rules,
        None,
    );
    // The findings were made from CALL; the file now holds other lines where they pointed.
    std::fs::write(dir.join("a.js"), format!("// moved down\n{CALL}")).unwrap();
    let (patches, summary) = diff::plan_patches(&report, &rules, &dir, &no_filters());
    assert!(patches.is_empty());
    assert_eq!(
        summary.refused,
        ["a.js: changed since it was scanned (run diff again); left unchanged"]
    );
}

#[test]
fn apply_stopping_early_names_exactly_the_files_and_backups_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().canonicalize().unwrap();
    std::fs::write(dir.join("a.js"), CALL).unwrap();
    let rules = rules();
    let report = scan::scan(
        std::slice::from_ref(&dir),
        &WalkOptions::default(),
        &rules,
        None,
    );
    let (mut patches, _) = diff::plan_patches(&report, &rules, &dir, &no_filters());
    // The same file twice: both pass the checks before writing, the second finds it changed by the first.
    let p = &patches[0];
    let twin = diff::FilePatch {
        path: p.path.clone(),
        abs: p.abs.clone(),
        before: p.before.clone(),
        after: p.after.clone(),
        before_hash: p.before_hash.clone(),
        encoding: p.encoding,
        patch: p.patch.clone(),
    };
    patches.push(twin);
    let err = format!("{:#}", diff::apply(&patches, &dir, true).unwrap_err());
    assert_eq!(
        err,
        "stopped at a.js (already written: a.js; backups written: a.js.orig): a.js changed since it was scanned: not applied (run diff again)"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("a.js.orig")).unwrap(),
        CALL
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("a.js")).unwrap(),
        patches[0].after
    );
}

#[test]
fn apply_refuses_read_only_file_instead_of_replacing_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let f = dir.join("a.js");
    std::fs::write(&f, CALL).unwrap();
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = apply_cmd(dir, &[]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        stderr(&out).contains("a.js is read-only: not replaced (make it writable to apply)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&f).unwrap(), CALL);
    assert_eq!(
        std::fs::metadata(&f).unwrap().permissions().mode() & 0o777,
        0o444
    );
}

#[test]
fn apply_keeps_permissions() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("a.js");
    std::fs::write(&f, CALL).unwrap();
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o751)).unwrap();
    let out = apply_cmd(tmp.path(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ne!(std::fs::read_to_string(&f).unwrap(), CALL);
    assert_eq!(
        std::fs::metadata(&f).unwrap().permissions().mode() & 0o777,
        0o751
    );
}

#[test]
fn cr_only_line_endings_are_refused_not_marked_at_the_top() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let text = format!("const x = 1;\r{}", CALL.replace('\n', "\r"));
    std::fs::write(dir.join("mac.js"), &text).unwrap();
    let (patch, err) = support::run_ok(bin().args(["diff", "-q", "."]).current_dir(dir));
    assert_eq!(patch, "");
    assert!(
        err.contains(
            "mac.js: CR-only line endings (`\\r` without `\\n`): edit by hand; left unchanged"
        ),
        "{err}"
    );
    let out = apply_cmd(dir, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(dir.join("mac.js")).unwrap(), text);
}

#[test]
fn crlf_file_stays_crlf_and_its_patch_applies() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let text = format!("const x = 1;\r\n{}// end\r\n", CALL.replace('\n', "\r\n"));
    std::fs::write(dir.join("win.js"), &text).unwrap();
    let want = &intended(&[("win.js", text.as_bytes())])[0];
    let got = String::from_utf8(want.clone()).unwrap();
    assert_ne!(got, text);
    assert_eq!(
        got.matches('\n').count(),
        got.matches("\r\n").count(),
        "{got:?}"
    );
    // The patch, applied by git, gives the same bytes as --apply.
    let (patch, _) = support::run_ok(bin().args(["diff", "-q", "."]).current_dir(dir));
    std::fs::write(tmp.path().join("x.patch"), &patch).unwrap();
    git(dir, &["init", "-q"]);
    let out = git(dir, &["apply", "x.patch"]);
    assert!(out.status.success(), "{out:?}\n{patch}");
    assert_eq!(&std::fs::read(dir.join("win.js")).unwrap(), want);
}

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git is installed")
}

#[test]
fn patch_headers_quote_names_with_control_characters_so_git_apply_accepts_them() {
    let names = [
        "tab\there.js",
        "new\nline.js",
        "esc\u{1b}[31m.js",
        "quo\"te.js",
        "back\\slash.js",
        "caf\u{e9}.js",
        "with space.js",
        "plain.js",
    ];
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for n in names {
        std::fs::write(dir.join(n), CALL).unwrap();
    }
    let (patch, _) = support::run_ok(bin().args(["diff", "-q", "."]).current_dir(dir));
    assert!(
        patch.contains("diff --git \"a/tab\\there.js\" \"b/tab\\there.js\"\n"),
        "{patch}"
    );
    assert!(patch.contains("--- \"a/new\\nline.js\"\n"), "{patch}");
    assert!(patch.contains("+++ \"b/esc\\033[31m.js\"\n"), "{patch}");
    assert!(patch.contains("--- \"a/caf\\303\\251.js\"\n"), "{patch}");
    assert!(patch.contains("--- a/with space.js\t\n"), "{patch}");
    assert!(!patch.contains('\u{1b}'), "raw ESC in the patch");
    std::fs::write(tmp.path().join("x.patch"), &patch).unwrap();
    git(dir, &["init", "-q"]);
    let check = git(dir, &["apply", "--check", "x.patch"]);
    assert!(check.status.success(), "{check:?}\n{patch}");
    assert!(git(dir, &["apply", "x.patch"]).status.success());
    let want = intended(&[("plain.js", CALL.as_bytes())]).remove(0);
    for n in names {
        assert_eq!(std::fs::read(dir.join(n)).unwrap(), want, "{n:?}");
    }
}

#[test]
fn text_output_escapes_control_characters_from_file_names() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("evil\u{1b}[2J\nfake.js"), CALL).unwrap();
    let out = bin()
        .args(["scan", "-q", "--exit-zero", "--color", "never", "."])
        .current_dir(dir)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(text.contains("evil\\u{1b}[2J\\nfake.js\n"), "{text}");
}

#[test]
fn csv_cells_that_start_a_formula_are_neutralised() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for n in ["=cmd.js", "@sum.js", "+x.js", "-y.js"] {
        std::fs::write(dir.join(n), CALL).unwrap();
    }
    let out = bin()
        .args(["scan", "-q", "--exit-zero", "--format", "csv", "."])
        .current_dir(dir)
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    let paths: std::collections::BTreeSet<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        paths.into_iter().collect::<Vec<_>>(),
        ["'+x.js", "'-y.js", "'=cmd.js", "'@sum.js"]
    );
}

#[test]
fn second_apply_while_one_holds_the_lock_fails_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("a.js"), CALL).unwrap();
    let held = std::fs::File::open(dir).unwrap();
    held.try_lock().unwrap();
    let out = apply_cmd(dir, &[]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        stderr(&out).contains("another `ghl-migrate diff --apply` is writing to"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(dir.join("a.js")).unwrap(), CALL);
    drop(held);
    assert!(apply_cmd(dir, &[]).status.success());
}

/// Two applies racing over the same tree: each file ends either untouched or exactly the intended
/// result (no doubled markers, no `/searchsearch`).
#[test]
fn racing_applies_never_garble_a_file() {
    const FILES: usize = 300;
    let lines = [
        CALL,
        "const dup = await fetch(`https://rest.gohighlevel.com/v1/contacts/search/duplicate?email=${e}`);\n",
        "await axios.post('https://rest.gohighlevel.com/v1/opportunities/', body);\n",
    ];
    let content = |i: usize| format!("// file {i}\n{}", lines[i % lines.len()]);
    let want: Vec<Vec<u8>> = {
        let files: Vec<(String, Vec<u8>)> = (0..FILES)
            .map(|i| (format!("f{i}.js"), content(i).into_bytes()))
            .collect();
        let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), &b[..])).collect();
        intended(&refs)
    };
    for round in 0..3 {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        for i in 0..FILES {
            std::fs::write(dir.join(format!("f{i}.js")), content(i)).unwrap();
        }
        let spawn = || {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("ghl-migrate"))
                .args(["diff", "-q", "--apply", "."])
                .current_dir(dir)
                .stderr(std::process::Stdio::piped())
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        for out in [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()] {
            assert!(
                matches!(out.status.code(), Some(0 | 2)),
                "round {round}: {out:?}"
            );
        }
        for (i, want) in want.iter().enumerate() {
            let got = std::fs::read(dir.join(format!("f{i}.js"))).unwrap();
            assert!(
                got == content(i).as_bytes() || got == *want,
                "round {round}, f{i}.js garbled:\n{}",
                String::from_utf8_lossy(&got)
            );
        }
        let entries = std::fs::read_dir(dir).unwrap().count();
        assert_eq!(entries, FILES, "round {round}: temp or lock files left");
    }
}

/// The fuzz target's harness over 300 deterministic random trees (6 scans of 50 trees each).
#[test]
fn apply_on_random_hostile_trees_writes_only_intended_results_inside_the_root() {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 24) as u8
    };
    let mut written = 0;
    let started = std::time::Instant::now();
    for batch in 0..6 {
        let inputs: Vec<Vec<u8>> = (0..50).map(|_| (0..64).map(|_| next()).collect()).collect();
        let refs: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
        let follow = batch % 2 == 1;
        match std::panic::catch_unwind(|| harness::run_batch(follow, &refs)) {
            Ok(n) => written += n,
            Err(e) => panic!(
                "batch {batch} (follow {follow}, inputs {inputs:?}): {}",
                e.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            ),
        }
    }
    assert!(
        written >= 100,
        "only {written} files rewritten: the cases test little"
    );
    // A bound against hangs, not a benchmark.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(120),
        "took {:?}",
        started.elapsed()
    );
}
