//! Helpers shared by the end-to-end tests.
#![allow(dead_code)]
use assert_cmd::Command;

pub mod v2server;

pub fn bin() -> Command {
    Command::cargo_bin("ghl-migrate").unwrap()
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
