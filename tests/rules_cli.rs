//! End-to-end tests of `ghl-migrate rules …`.
use predicates::prelude::*;

mod support;
use support::bin;

#[test]
fn list_prints_at_least_90_rules() {
    let out = bin()
        .args(["rules", "list", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let rules: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let rules = rules.as_array().unwrap();
    assert!(rules.len() >= 90, "{} rules", rules.len());
    let documented = rules
        .iter()
        .filter(|r| r["v1_status"] == "documented")
        .count();
    assert_eq!(documented, 90, "every catalogued V1 endpoint has a rule");
}

#[test]
fn list_text_is_a_table_with_a_summary() {
    bin()
        .args(["rules", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("contacts.get"))
        .stdout(predicate::str::contains("GET /v1/contacts/{id}"))
        .stdout(predicate::str::contains("GET /contacts/{contactId}"))
        .stdout(predicate::str::contains(
            "inferred mappings are claims to check",
        ));
}

#[test]
fn list_filters_by_group() {
    let out = bin()
        .args(["rules", "list", "--group", "tasks", "--format", "json"])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 6);
    bin()
        .args(["rules", "list", "--group", "nope"])
        .assert()
        .code(2);
}

#[test]
fn show_explains_one_rule() {
    bin()
        .args(["rules", "show", "opportunities.list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("GET /opportunities/search"))
        .stdout(predicate::str::contains("opportunities.readonly"))
        .stdout(predicate::str::contains("location_id"));
    bin()
        .args(["rules", "show", "calendars.teams.list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("an inference: check it"));
    bin()
        .args(["rules", "show", "contacts.nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("contacts.get"));
}

#[test]
fn check_builtin_rules_is_clean() {
    bin()
        .args(["rules", "check"])
        .assert()
        .success()
        .stdout(predicate::str::contains(" 0 errors"));
}

#[test]
fn check_reports_yaml_errors_with_file_and_line() {
    bin()
        .args(["rules", "check", "tests/data/rules-broken"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("broken.yaml:9:"))
        .stdout(predicate::str::contains("unknown field `levle`"));
}

#[test]
fn check_rejects_a_mistyped_v2_path() {
    bin()
        .args(["rules", "check", "tests/data/rules-bad-v2-path"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("contacts.yaml:8:"))
        .stdout(predicate::str::contains(
            "GET /contact/{contactId} is not in HighLevel's V2 OpenAPI spec",
        ));
}

#[test]
fn check_reports_semantic_errors() {
    let out = bin()
        .args(["rules", "check", "tests/data/rules-semantic"])
        .assert()
        .code(2);
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    for want in [
        "rules.yaml:9: error: rule demo.one: unknown scope \"contacts.read\"",
        "rules.yaml:15: error: rule demo.one: duplicate id",
        "rules.yaml:20: error: rule demo.one: scope \"contacts.write\" is not declared",
        "Version \"2021-04-15\" is not accepted",
        "overlaps rule demo.one",
        "v1.path \"contacts\": must start with /v1/",
        "`v2: none` needs a `reason`",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
}

#[test]
fn a_broken_rules_dir_is_refused_by_other_commands() {
    bin()
        .args(["--rules", "tests/data/rules-bad-v2-path", "rules", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is not in HighLevel's V2 OpenAPI spec",
        ));
}

#[test]
fn rules_dir_override_is_used() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mine.yaml"),
        "group: mine\nrules:\n  - id: mine.contacts\n    v1: {method: GET, path: \"/v1/contacts/\"}\n    v2:\n      method: POST\n      path: \"/contacts/search\"\n      scopes: [contacts.readonly]\n      version: \"2021-07-28\"\n    level: location\n    v1_status: documented\n    source: inferred\n",
    )
    .unwrap();
    let out = bin()
        .args([
            "--rules",
            dir.path().to_str().unwrap(),
            "rules",
            "list",
            "--format",
            "json",
        ])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["id"], "mine.contacts");
}
