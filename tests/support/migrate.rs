//! Helpers for tests that apply `diff`'s patch and check what is left: `git apply`, the re-scan, a
//! second `diff`, and the machine's own compilers where it has them.
use super::{bin, run_ok};
use std::path::Path;

pub fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git is installed")
}

/// Diffs `dir` (a fresh git repository is made there), applies the patch with `git apply`, and returns
/// the patch and the summary.
pub fn diff_and_apply(dir: &Path) -> (String, String) {
    git(dir, &["init", "-q"]);
    let (patch, summary) = run_ok(bin().args(["diff", "-q", "."]).current_dir(dir));
    if patch.is_empty() {
        return (patch, summary);
    }
    std::fs::write(dir.join("x.patch"), &patch).unwrap();
    let check = git(dir, &["apply", "x.patch"]);
    assert!(
        check.status.success(),
        "{}: git apply: {}\n{patch}",
        dir.display(),
        String::from_utf8_lossy(&check.stderr)
    );
    std::fs::remove_file(dir.join("x.patch")).unwrap();
    (patch, summary)
}

/// The findings of a scan of `dir`.
pub fn findings(dir: &Path) -> Vec<serde_json::Value> {
    let (out, _) = run_ok(
        bin()
            .args(["scan", "-q", "--exit-zero", "--format", "json", "."])
            .current_dir(dir),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["findings"].as_array().unwrap().clone()
}

/// The V1 calls (outside comments) a scan of `dir` reports, as `path:line rule`.
pub fn v1_calls(dir: &Path) -> Vec<String> {
    let mut calls: Vec<String> = findings(dir)
        .iter()
        .filter(|f| f["kind"] == "call" && f["context"] != "comment")
        .map(|f| {
            format!(
                "{}:{} {}",
                f["path"].as_str().unwrap(),
                f["line"],
                f["rule"].as_str().unwrap_or("?")
            )
        })
        .collect();
    calls.sort();
    calls.dedup();
    calls
}

pub fn second_diff_is_empty(dir: &Path) {
    let (again, _) = run_ok(bin().args(["diff", "-q", "."]).current_dir(dir));
    assert_eq!(
        again,
        "",
        "{}: a second diff still changes things:\n{again}",
        dir.display()
    );
}

/// Checks a file with the machine's own tools when it has them (`python3 -m py_compile`, `node --check`,
/// `php -l`); silently nothing where the tool is missing.
pub fn still_compiles(dir: &Path, file: &str) {
    let (prog, args): (&str, &[&str]) = match file.rsplit('.').next() {
        Some("py") => ("python3", &["-m", "py_compile"]),
        Some("js" | "mjs" | "cjs") => ("node", &["--check"]),
        Some("php") => ("php", &["-l"]),
        _ => return,
    };
    let Ok(out) = std::process::Command::new(prog)
        .args(args)
        .arg(file)
        .current_dir(dir)
        .output()
    else {
        return; // not installed here
    };
    assert!(
        out.status.success(),
        "{}/{file} no longer compiles: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Copies a fixture directory, leaving out its recorded expectations (`expected.*`).
pub fn copy_fixture(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_map(Result::ok)
    {
        let rel = e.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else if !e.file_name().to_string_lossy().starts_with("expected.") {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}
