//! End-to-end: `ghl-migrate plan` recommends the right successor, with its reasons and the exact scopes.
mod support;
use serde_json::Value;
use support::bin;
use support::{integration, strings};

fn plan_json(dir: &str) -> Value {
    support::json(bin().args([
        "plan",
        "--format",
        "json",
        "-q",
        "--as-of",
        "2026-11-22",
        dir,
    ]))
}

/// One string field of every integration of the plan, in order.
fn integration_fields<'a>(p: &'a Value, field: &str) -> Vec<&'a str> {
    p["integrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i[field].as_str().unwrap_or(""))
        .collect()
}

fn reasons(i: &Value) -> String {
    strings(&i["successor"]["reasons"]).join(" | ")
}

#[test]
fn one_location_gets_a_pit_for_the_keys_location() {
    let p = plan_json("fixtures/plan/one-location-pit");
    assert_eq!(p["schema"], "ghl-migrate/plan/v1");
    let i = integration(&p, "one-location-pit");
    assert_eq!(i["successor"]["kind"], "pit");
    assert_eq!(strings(&i["location_ids"]), ["Pq4Lm8Zx2Cv6Bn0Mk3Jh"]);
    assert_eq!(
        strings(&i["scopes"]),
        ["contacts.readonly", "contacts.write"]
    );
    assert_eq!(
        strings(&i["scope_reasons"]["contacts.readonly"]),
        ["contacts.lookup"]
    );
    assert!(reasons(i).contains("one sub-account"), "{}", reasons(i));
    assert_eq!(i["successor"]["requires_tier"], "any");
    assert_eq!(i["v1_keys"][0]["kind"], "v1_location_key");
    assert!(
        i["credential_changes"][0]
            .as_str()
            .unwrap()
            .contains("`GHL_API_KEY`")
    );
}

#[test]
fn agency_endpoints_need_an_oauth_company_app_with_location_tokens() {
    let p = plan_json("fixtures/plan/agency-oauth");
    let i = integration(&p, "agency-oauth");
    assert_eq!(i["successor"]["kind"], "oauth_company");
    assert_eq!(i["successor"]["location_token"], true);
    assert_eq!(i["company_id"], "Ag7Kd2Ls9Qw4Er6Ty1Ui");
    assert_eq!(strings(&i["scopes"]), ["contacts.write", "locations.write"]);
    let r = reasons(i);
    assert!(
        r.contains("no location-level V2 route: locations.create (onboard.py:9)")
            && r.contains("/oauth/locationToken"),
        "{r}"
    );
    assert_eq!(i["successor"]["requires_tier"], "agency_pro");
}

#[test]
fn several_locations_need_an_oauth_app() {
    let p = plan_json("fixtures/plan/multi-location");
    let i = integration(&p, "multi-location");
    assert_eq!(i["successor"]["kind"], "oauth_location");
    assert_eq!(
        strings(&i["location_ids"]),
        ["Ma1Sd3Fg5Hj7Kl9Zx1Cv", "Mb2Nx4Cz6Vb8Nm0Qa2Ws"]
    );
    assert_eq!(strings(&i["scopes"]), ["opportunities.readonly"]);
    assert!(reasons(i).contains("reaches 2 locations"), "{}", reasons(i));
}

#[test]
fn config_names_location_marks_distribution_and_warns_about_the_tier() {
    let p = plan_json("fixtures/plan/configured");
    let i = integration(&p, "client-widget");
    assert_eq!(i["kind"], "configured");
    assert_eq!(i["successor"]["kind"], "oauth_location");
    assert_eq!(strings(&i["location_ids"]), ["Wd5Fr7Gt9Hy1Ju3Ki5Lo"]);
    assert_eq!(
        strings(&i["scopes"]),
        ["calendars.readonly", "calendars/events.write"]
    );
    assert!(reasons(i).contains("distributed"), "{}", reasons(i));
    assert!(
        i["successor"]["tier_warning"]
            .as_str()
            .unwrap()
            .contains("Agency Pro")
    );
}

#[test]
fn mixed_repository_plan() {
    let p = plan_json("fixtures/example/agency-repo");
    let ids: Vec<&str> = p["integrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["agency-tools", "booking-widget", "crm-sync", "scripts"]
    );
    let crm = integration(&p, "crm-sync");
    assert_eq!(crm["successor"]["kind"], "pit");
    assert_eq!(
        strings(&crm["scopes"]),
        [
            "contacts.readonly",
            "contacts.write",
            "opportunities.readonly"
        ]
    );
    let tools = integration(&p, "agency-tools");
    assert_eq!(tools["successor"]["kind"], "oauth_company");
    assert_eq!(
        strings(&tools["scopes"]),
        [
            "locations.readonly",
            "locations.write",
            "snapshots.readonly",
            "users.write"
        ]
    );
    assert!(
        tools["successor"]["alternative"]
            .as_str()
            .unwrap()
            .contains("Agency-level Private Integration Token")
    );
    let widget = integration(&p, "booking-widget");
    assert!(strings(&widget["successor"]["open_questions"])[0].contains("location_id"));
    // The V2-only project is not an integration to migrate, but its broken URL is listed.
    let mentions = serde_json::to_string(&p["mentions"]).unwrap();
    assert!(mentions.contains("reports/src/pipelineReport.js:16"));
    assert_eq!(p["summary"]["keys"], 4);
}

#[test]
fn plans_are_deterministic_and_never_hold_keys() {
    let run = |fmt: &str| {
        bin()
            .args([
                "plan",
                "-q",
                "--as-of",
                "2026-11-22",
                "--format",
                fmt,
                "fixtures/example/agency-repo",
            ])
            .output()
            .unwrap()
            .stdout
    };
    for fmt in ["json", "markdown"] {
        let a = run(fmt);
        assert_eq!(a, run(fmt), "{fmt} output differs between runs");
        let text = String::from_utf8(a).unwrap();
        assert!(
            !text.contains("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ"),
            "{fmt} plan holds a raw JWT"
        );
        assert!(
            !text.contains("8578d351-fb22"),
            "{fmt} plan holds a raw PIT"
        );
    }
}

#[test]
fn a_key_shared_by_two_services_gets_one_credential_each() {
    let p = plan_json("fixtures/plan/shared-key");
    for (id, other) in [("billing", "support"), ("support", "billing")] {
        let i = integration(&p, id);
        assert_eq!(i["successor"]["kind"], "pit");
        let changes = strings(&i["credential_changes"]).join(" | ");
        assert!(
            changes.contains(&format!(
                "is shared with {other}: give each integration its own V2 credential"
            )),
            "{changes}"
        );
    }
    let keys = p["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert!(
        strings(&keys[0]["advice"])
            .iter()
            .any(|a| a.contains("used by 2 integrations"))
    );
}

#[test]
fn v2_code_without_a_version_header_is_flagged_but_is_not_v1_usage() {
    let out = bin()
        .args([
            "scan",
            "--format",
            "json",
            "-q",
            "fixtures/plan/v2-only-no-version",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "no V1 usage: exit 0");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["category"], "version_header");
    assert!(
        f["note"]
            .as_str()
            .unwrap()
            .contains("version header was not found")
    );
}

#[test]
fn a_key_that_lives_only_in_ci_secrets_is_traced_to_its_setting() {
    let p = plan_json("fixtures/plan/key-in-ci-secret");
    let i = integration(&p, "key-in-ci-secret");
    // The location comes from GHL_LOCATION_ID: there is no key to decode it from.
    assert_eq!(strings(&i["location_ids"]), vec!["Ks8Lm2Nb4Vc6Xz0Qw1Er"]);
    assert_eq!(i["successor"]["kind"], "pit");
    assert!(
        i["successor"]["open_questions"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let changes = strings(&i["credential_changes"]).join("\n");
    for place in [".env.example:2", ".github/workflows/nightly.yml:9"] {
        assert!(
            changes.contains(&format!(
                "{place}: `GHL_API_KEY` is where the key is set at deploy time"
            )),
            "{changes}"
        );
    }
    assert!(changes.contains("read by src/sync.js:3"), "{changes}");
    assert!(i["fix_first"].as_array().unwrap().is_empty());
}

/// A tree without any manifest (loose scripts in folders, not a git checkout) is one integration.
#[test]
fn a_tree_without_manifests_is_one_integration() {
    let call = |p: &str| format!("fetch('https://rest.gohighlevel.com/v1/{p}/');\n");
    let dir = support::tree(&[
        ("sync/contacts.js", call("contacts")),
        ("reports/users.js", call("users")),
    ]);
    let p = plan_json(dir.path().to_str().unwrap());
    assert_eq!(integration_fields(&p, "root"), ["."], "{p:#}");
}

/// A tree with one synthetic V1 location key in `.env` and `code` in `app.py`.
fn location_keyed_tree(code: &str) -> tempfile::TempDir {
    let key = ghl_migrate::credential::synthetic_jwt(
        r#"{"location_id":"LOCsyntheticRoute001","version":1,"iat":1700000000000}"#,
    );
    support::tree(&[
        (".env", format!("GHL_API_KEY={key}\n")),
        ("app.py", code.to_string()),
    ])
}

const LOCATION_USERS: &str = "import os, requests\nBASE = 'https://rest.gohighlevel.com/v1'\nH = {'Authorization': 'Bearer ' + os.environ['GHL_API_KEY']}\n\ndef users():\n    return requests.get(BASE + '/users/', headers=H)\n\ndef contact(cid):\n    return requests.get(BASE + '/contacts/' + cid, headers=H)\n";

/// `GET /v1/users/` with a location key listed that location's users: V2's location-level `GET /users/`
/// serves it with a PIT; no agency app, no Agency Pro plan.
#[test]
fn location_key_on_an_agency_endpoint_gets_the_location_route_and_a_pit() {
    let t = location_keyed_tree(LOCATION_USERS);
    let p = plan_json(t.path().to_str().unwrap());
    let i = &p["integrations"][0];
    assert_eq!(i["successor"]["kind"], "pit", "{}", reasons(i));
    assert_eq!(i["successor"]["requires_tier"], "any");
    assert!(
        reasons(i).contains("users.list → `GET /users/`"),
        "{}",
        reasons(i)
    );
    let users = i["calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == "users.list")
        .unwrap();
    assert_eq!(users["v2"]["path"], "/users/");
    assert!(strings(&users["changes"])[0].starts_with("location-level route `GET /users/`"));
    assert_eq!(
        strings(&i["scopes"]),
        ["contacts.readonly", "users.readonly"]
    );
}

/// An endpoint with no location-level V2 route forces Company OAuth, and the plan names the call.
#[test]
fn company_oauth_only_when_no_location_route_exists_and_the_call_is_named() {
    let code = format!(
        "{LOCATION_USERS}\ndef snapshots():\n    return requests.get(BASE + '/snapshots/', headers=H)\n"
    );
    let t = location_keyed_tree(&code);
    let p = plan_json(t.path().to_str().unwrap());
    let i = &p["integrations"][0];
    assert_eq!(i["successor"]["kind"], "oauth_company", "{}", reasons(i));
    let r = reasons(i);
    assert!(r.contains("snapshots.list (app.py:12)"), "{r}");
    assert!(!r.contains("users.list (app.py"), "{r}");
}

/// An n8n node folder (`nodes/<Name>/` with `description/`) is one integration, whatever version
/// subfolders and description files hold its V1 calls.
#[test]
fn an_n8n_node_folder_is_one_integration() {
    let call = |p: &str| format!("export const u = 'https://rest.gohighlevel.com/v1{p}';\n");
    let t = support::tree(&[
        ("docs/package.json", "{\"name\": \"docs\"}\n".to_string()),
        ("nodes/HighLevel/HighLevel.node.ts", call("/contacts/")),
        (
            "nodes/HighLevel/v1/HighLevelV1.node.ts",
            call("/opportunities/"),
        ),
        (
            "nodes/HighLevel/description/ContactDescription.ts",
            call("/contacts/lookup"),
        ),
        ("nodes/HighLevel/v2/GenericFunctions.ts", call("/tasks/")),
    ]);
    let p = plan_json(t.path().to_str().unwrap());
    assert_eq!(integration_fields(&p, "id"), ["nodes-highlevel"], "{p:#}");
    assert_eq!(p["integrations"][0]["root"], "nodes/HighLevel");
}

/// The checklist's commands run from where `plan` was run: the diff target and the plan file are the
/// paths the user typed, not paths relative to the scanned folder.
#[test]
fn checklist_commands_are_runnable_from_where_plan_ran() {
    let t = support::tree(&[
        ("work/repo/svc/package.json", "{\"name\": \"svc\"}\n"),
        (
            "work/repo/svc/index.js",
            "fetch('https://rest.gohighlevel.com/v1/contacts/');\n",
        ),
        ("work/out/.keep", ""),
    ]);
    support::run_ok(
        bin()
            .args([
                "plan",
                "-q",
                "--format",
                "json",
                "-o",
                "out/plan.json",
                "repo",
            ])
            .current_dir(t.path().join("work")),
    );
    let p: Value = serde_json::from_str(
        &std::fs::read_to_string(t.path().join("work/out/plan.json")).unwrap(),
    )
    .unwrap();
    let steps = strings(&integration(&p, "svc")["checklist"]).join("\n");
    assert!(steps.contains("`ghl-migrate diff repo/svc`"), "{steps}");
    assert!(
        steps.contains("`ghl-migrate verify --plan out/plan.json --integration svc"),
        "{steps}"
    );
    // And the diff command it names works from there.
    support::run_ok(
        bin()
            .args(["diff", "-q", "repo/svc"])
            .current_dir(t.path().join("work")),
    );
}

/// A base URL set in a settings file is named in the plan, with a checklist step for deployments that
/// set their own value (the repository's `.env` is not what production reads).
#[test]
fn base_url_settings_are_listed_for_the_deploy() {
    let p = plan_json("fixtures/example/agency-repo");
    let i = integration(&p, "crm-sync");
    let settings = strings(&i["base_settings"]);
    assert!(
        settings.contains(&"crm-sync/.env:3 GHL_BASE_URL".to_string()),
        "{settings:?}"
    );
    let steps = strings(&i["checklist"]).join("\n");
    assert!(
        steps.contains(
            "set the V2 base (https://services.leadconnectorhq.com) in every environment that sets"
        ) && steps.contains("crm-sync/.env:3 GHL_BASE_URL"),
        "{steps}"
    );
    // An integration whose base is a constant in code has none.
    assert!(
        integration(&p, "agency-tools")
            .get("base_settings")
            .is_none()
    );
}
