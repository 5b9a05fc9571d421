//! Helpers shared by the end-to-end tests.
#![allow(dead_code)]
use assert_cmd::Command;

pub mod migrate;
pub mod v2server;

pub fn bin() -> Command {
    Command::cargo_bin("ghl-migrate").unwrap()
}

/// A temporary tree holding `files` (relative path, text); parents are created.
pub fn tree<T: AsRef<str>>(files: &[(&str, T)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text.as_ref()).unwrap();
    }
    dir
}

/// Runs `cmd`, fails the test with its stderr unless it succeeded, and returns (stdout, stderr).
pub fn run_ok(cmd: &mut Command) -> (String, String) {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

/// Runs `cmd` and parses its stdout as JSON.
pub fn json(cmd: &mut Command) -> serde_json::Value {
    serde_json::from_str(&run_ok(cmd).0).unwrap()
}

/// The plan integration with this id.
pub fn integration<'a>(p: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    p["integrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no integration {id} in {p}"))
}

/// A JSON array of strings.
pub fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// Runs `ghl-migrate ARGS` and saves its stdout as `dir/name` (a plan or scan report for the next step).
pub fn save_output(args: &[&str], dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let out = bin().args(args).output().unwrap();
    let path = dir.join(name);
    std::fs::write(&path, &out.stdout).unwrap();
    path
}
