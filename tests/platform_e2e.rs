//! End-to-end: HighLevel's platform rules on the `fixtures/platform/` cases — Enhanced Account Security,
//! V1 user endpoints that already fail, key hygiene (shared, committed, short, old keys, PITs), the plan
//! tier, V2 `Version` headers and PITs sent to V1 — through `scan` and `plan` of the built binary.
mod support;
use serde_json::Value;
use support::bin;
use support::{integration, strings};

const AS_OF: &str = "2026-11-22";

fn fixture(name: &str) -> String {
    format!("fixtures/platform/{name}")
}

fn scan_json(dir: &str) -> Value {
    support::json(
        bin()
            .args(["scan", "--format", "json", "--exit-zero", "-q"])
            .arg(dir),
    )
}

fn plan_json(dir: &str) -> Value {
    support::json(
        bin()
            .args(["plan", "--format", "json", "-q", "--as-of", AS_OF])
            .arg(dir),
    )
}

fn plan_markdown(dir: &str) -> String {
    support::run_ok(
        bin()
            .args(["plan", "--format", "markdown", "-q", "--as-of", AS_OF])
            .arg(dir),
    )
    .0
}

fn findings(scan: &Value) -> &Vec<Value> {
    scan["findings"].as_array().unwrap()
}

/// The single finding at `path:line` of `kind` (`call`, `credential`, `mention`, …).
fn at<'a>(scan: &'a Value, path: &str, line: u64, kind: &str) -> &'a Value {
    let hits: Vec<&Value> = findings(scan)
        .iter()
        .filter(|f| f["path"] == path && f["line"] == line && f["kind"] == kind)
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "expected one {kind} at {path}:{line}, got {hits:?}"
    );
    hits[0]
}

/// `path:line` of every finding in `category`, in report order.
fn in_category(scan: &Value, category: &str) -> Vec<String> {
    findings(scan)
        .iter()
        .filter(|f| f["category"] == category)
        .map(|f| format!("{}:{}", f["path"].as_str().unwrap(), f["line"]))
        .collect()
}

fn note(f: &Value) -> &str {
    f["note"].as_str().unwrap_or("")
}

fn key<'a>(p: &'a Value, kind: &str) -> &'a Value {
    let keys: Vec<&Value> = p["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["kind"] == kind)
        .collect();
    assert_eq!(keys.len(), 1, "one {kind} key expected: {keys:?}");
    keys[0]
}

/// The Markdown of one integration's section (`## name` up to the next `## `).
fn section<'a>(md: &'a str, heading: &str) -> &'a str {
    let start = md
        .find(&format!("\n## {heading}\n"))
        .unwrap_or_else(|| panic!("no section {heading}:\n{md}"))
        + 1;
    let end = md[start + 3..]
        .find("\n## ")
        .map_or(md.len(), |e| start + 3 + e + 1);
    &md[start..end]
}

const FIX_FIRST: &str = "**Fix first — failing or wrong today:**";

// ---------------------------------------------------------------------------------------------------
// Enhanced Account Security: API keys in Location responses

#[test]
fn eas_location_create_flags_every_api_key_read_with_the_create_specific_note() {
    let dir = fixture("eas-location-create");
    let s = scan_json(&dir);
    assert_eq!(
        in_category(&s, "enhanced_account_security"),
        [
            "client-portal/src/locationKeys.js:22",
            "client-portal/src/locationKeys.js:28",
            "onboarding/provision_client.py:42",
            "onboarding/provision_client.py:51",
        ]
    );
    let create = at(&s, "onboarding/provision_client.py", 33, "call");
    assert_eq!(create["rule"], "locations.create");
    assert_eq!(create["method"], "POST");
    // The script creates the location: the note says new locations get no key at all.
    for line in [42, 51] {
        let f = at(&s, "onboarding/provision_client.py", line, "mention");
        assert_eq!(f["context"], "code");
        assert!(
            note(f).starts_with(
                "expects the new location's API key: keys are no longer generated for new locations"
            ),
            "{f}"
        );
        assert!(note(f).contains("Enhanced Account Security"));
    }
    // `location["apiKey"]` in the INSERT, `location.get("apiKey")` in the check.
    assert!(
        at(&s, "onboarding/provision_client.py", 42, "mention")["snippet"]
            .as_str()
            .unwrap()
            .contains(r#"location["apiKey"]"#)
    );
    // The V2 portal only reads: `location.apiKey` and `const { name, apiKey } = …`.
    for line in [22, 28] {
        let f = at(&s, "client-portal/src/locationKeys.js", line, "mention");
        assert!(
            note(f).starts_with("relies on keys in Location responses: they come back empty under Enhanced Account Security"),
            "{f}"
        );
        assert!(note(f).contains("/oauth/locationToken"));
    }
    // The portal sends a correct Version header: no version finding there.
    assert!(in_category(&s, "version_header").is_empty());
}

#[test]
fn eas_location_create_plan_fixes_the_key_read_first_and_warns_about_the_tier() {
    let dir = fixture("eas-location-create");
    let p = plan_json(&dir);
    assert_eq!(p["tier"], "unlimited");
    assert!(
        p["config"]
            .as_str()
            .unwrap()
            .ends_with("eas-location-create/ghl-migrate.yaml")
    );
    assert_eq!(p["integrations"].as_array().unwrap().len(), 1);
    let i = integration(&p, "onboarding");
    assert_eq!(i["successor"]["kind"], "oauth_company");
    assert_eq!(i["successor"]["requires_tier"], "agency_pro");
    let warning = i["successor"]["tier_warning"].as_str().unwrap();
    assert!(
        warning.contains("Unlimited") && warning.contains("need the Agency Pro plan"),
        "{warning}"
    );
    let fix = strings(&i["fix_first"]);
    assert_eq!(fix.len(), 2, "{fix:?}");
    assert!(
        fix[0].starts_with("onboarding/provision_client.py:42: expects the new location's API key")
    );
    assert!(fix[1].starts_with("onboarding/provision_client.py:51: "));
    // The V2-only portal has nothing to migrate, but its broken key reads are listed for cleanup.
    let mentions = serde_json::to_string(&p["mentions"]).unwrap();
    assert!(
        mentions
            .contains("client-portal/src/locationKeys.js:22 (relies on keys in Location responses"),
        "{mentions}"
    );

    let md = plan_markdown(&dir);
    assert!(md.contains("Account plan (from `ghl-migrate.yaml`): `unlimited`."));
    let onboarding = section(&md, "onboarding");
    assert!(onboarding.contains("- Plan tier: Agency Pro plan required"));
    assert!(onboarding.contains("- ⚠ the account is on Unlimited: OAuth and agency-level API access need the Agency Pro plan"));
    let fix_at = onboarding.find(FIX_FIRST).expect("Fix first section");
    let calls_at = onboarding.find("**Calls**").unwrap();
    assert!(fix_at < calls_at, "Fix first comes before the calls");
    assert!(
        onboarding
            .contains("- onboarding/provision_client.py:42: expects the new location's API key")
    );
    assert!(section(&md, "Also to clean up").contains("client-portal/src/locationKeys.js:28"));
}

// ---------------------------------------------------------------------------------------------------
// Enhanced Account Security: V1 user endpoints already fail

#[test]
fn v1_user_create_update_delete_are_already_broken_and_contact_calls_are_not() {
    let dir = fixture("v1-user-management");
    let s = scan_json(&dir);
    let php = "src/StaffSync.php";
    for (line, rule, method) in [
        (27, "users.create", "POST"),
        (43, "users.update", "PUT"),
        (51, "users.delete", "DELETE"),
    ] {
        let f = at(&s, php, line, "call");
        assert_eq!(f["rule"], rule);
        assert_eq!(f["method"], method);
        assert_eq!(f["base_source"], "client http defined at line 16");
        let b = f["already_broken"].as_str().unwrap();
        assert!(
            b.contains("disabled under Enhanced Account Security") && b.contains("already fails"),
            "{b}"
        );
    }
    for (line, rule) in [
        (52, "contacts.lookup"),
        (54, "contacts.tags.add"),
        (60, "contacts.create"),
    ] {
        let f = at(&s, php, line, "call");
        assert_eq!(f["rule"], rule);
        assert!(f["already_broken"].is_null(), "{f}");
    }
    let key = at(&s, ".env", 2, "credential");
    assert_eq!(key["credential"]["kind"], "v1_agency_key");
    assert_eq!(key["credential"]["company_id"], "Pf6Ag2Nc9Ym4Qs7Lt1Wd");
    // The text report says it too.
    let (text, _) = support::run_ok(bin().args(["scan", "-q", "--exit-zero"]).arg(&dir));
    assert_eq!(text.matches("ALREADY BROKEN").count(), 3, "{text}");
}

#[test]
fn v1_user_management_plan_lists_exactly_the_user_calls_under_fix_first() {
    let dir = fixture("v1-user-management");
    let p = plan_json(&dir);
    let i = integration(&p, "v1-user-management");
    assert_eq!(i["successor"]["kind"], "oauth_company");
    assert_eq!(i["company_id"], "Pf6Ag2Nc9Ym4Qs7Lt1Wd");
    let fix = strings(&i["fix_first"]);
    let places: Vec<&str> = fix.iter().map(|f| f.split(": ").next().unwrap()).collect();
    assert_eq!(
        places,
        [
            "src/StaffSync.php:27",
            "src/StaffSync.php:43",
            "src/StaffSync.php:51"
        ]
    );
    let broken: Vec<u64> = i["calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !c["already_broken"].is_null())
        .map(|c| c["line"].as_u64().unwrap())
        .collect();
    assert_eq!(broken, [27, 43, 51]);
    // No config: no account plan line; the agency app needs Agency Pro but there is nothing to warn about.
    assert!(p.get("tier").is_none());
    assert!(i["successor"].get("tier_warning").is_none());

    let md = plan_markdown(&dir);
    assert!(!md.contains("Account plan (from"));
    let sec = section(&md, "v1-user-management");
    let fix_md = &sec[sec.find(FIX_FIRST).unwrap()..sec.find("**Calls**").unwrap()];
    assert_eq!(
        fix_md.matches("\n- src/StaffSync.php:").count(),
        3,
        "{fix_md}"
    );
    assert!(!fix_md.contains(":52:") && !fix_md.contains(":60:"));
}

// ---------------------------------------------------------------------------------------------------
// Key hygiene: a key shared by services, one location reached with two keys

#[test]
fn shared_key_across_languages_gets_one_credential_per_integration() {
    let dir = fixture("shared-key");
    let s = scan_json(&dir);
    let a = at(&s, "crm-bridge/.env", 2, "credential");
    let b = at(&s, "lead-scorer/.env", 2, "credential");
    let c = at(&s, "invoice-sync/config.yaml", 4, "credential");
    assert_eq!(
        a["credential"]["fingerprint"],
        b["credential"]["fingerprint"]
    );
    assert_ne!(
        a["credential"]["fingerprint"],
        c["credential"]["fingerprint"]
    );
    for k in [a, b, c] {
        assert_eq!(k["credential"]["kind"], "v1_location_key");
        assert_eq!(k["credential"]["location_id"], "Sh4Rd8Lo2Ca7Ti3On5Xy");
    }
    let shared_fp = a["credential"]["fingerprint"].as_str().unwrap().to_string();
    let newer_fp = c["credential"]["fingerprint"].as_str().unwrap().to_string();

    let p = plan_json(&dir);
    let ids: Vec<&str> = p["integrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["crm-bridge", "invoice-sync", "lead-scorer"]);
    for (id, other) in [("crm-bridge", "lead-scorer"), ("lead-scorer", "crm-bridge")] {
        let i = integration(&p, id);
        assert_eq!(i["successor"]["kind"], "pit");
        assert_eq!(strings(&i["location_ids"]), ["Sh4Rd8Lo2Ca7Ti3On5Xy"]);
        let changes = strings(&i["credential_changes"]).join(" | ");
        assert!(
            changes.contains(&format!(
                "key {shared_fp} is shared with {other}: give each integration its own V2 credential"
            )),
            "{changes}"
        );
        assert!(
            changes.contains(&format!(
                "location Sh4Rd8Lo2Ca7Ti3On5Xy is also reached with another V1 key: {newer_fp} (used by invoice-sync)"
            )),
            "{changes}"
        );
    }
    let inv = strings(&integration(&p, "invoice-sync")["credential_changes"]).join(" | ");
    assert!(
        inv.contains("`api_key` holds a V1 location API key"),
        "{inv}"
    );
    assert!(
        inv.contains(&format!("{shared_fp} (used by crm-bridge, lead-scorer)")),
        "{inv}"
    );
    assert!(!inv.contains("is shared with"), "{inv}");

    let keys = p["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    let shared = keys.iter().find(|k| k["fingerprint"] == shared_fp).unwrap();
    let newer = keys.iter().find(|k| k["fingerprint"] == newer_fp).unwrap();
    assert_eq!(
        strings(&shared["integrations"]),
        ["crm-bridge", "lead-scorer"]
    );
    assert_eq!(
        strings(&shared["found_in"]),
        ["crm-bridge/.env:2", "lead-scorer/.env:2"]
    );
    let sa = strings(&shared["advice"]).join(" | ");
    assert!(
        sa.contains("used by 2 integrations: replace it with one credential per integration"),
        "{sa}"
    );
    assert!(sa.contains("location Sh4Rd8Lo2Ca7Ti3On5Xy is reached with 2 different V1 keys"));
    // Issued 2023-01-01, the other 2024-01-01: regenerating stopped the older one.
    assert_eq!(shared["issued"], "2023-01-01");
    assert!(sa.contains("this one is older than 2024-01-01"), "{sa}");
    let na = strings(&newer["advice"]).join(" | ");
    assert!(na.contains("reached with 2 different V1 keys") && !na.contains("older than"));
    assert!(!na.contains("used by 2 integrations"));

    let md = plan_markdown(&dir);
    let keys_md = section(&md, "Keys found in the repository");
    assert!(keys_md.contains("  - used by: crm-bridge, lead-scorer"));
    assert!(
        keys_md.contains("used by 2 integrations: replace it with one credential per integration")
    );
    assert!(
        !md.contains(FIX_FIRST),
        "nothing is broken by a platform rule here"
    );
}

// ---------------------------------------------------------------------------------------------------
// A committed PIT, once next to a V1 base URL

#[test]
fn committed_pit_is_a_leak_everywhere_and_a_mismatch_next_to_v1() {
    let dir = fixture("committed-pit");
    let out = bin()
        .args(["scan", "--format", "json", "-q"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "V1 calls: exit 1");
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ts = "form-worker/src/index.ts";
    let code_pit = at(&s, ts, 6, "credential");
    let export_pit = at(
        &s,
        "postman/Lead-Intake-V2.postman_collection.json",
        10,
        "credential",
    );
    assert_eq!(code_pit["credential"]["kind"], "v2_pit");
    assert_eq!(export_pit["credential"]["kind"], "v2_pit");
    assert_eq!(export_pit["context"], "export");
    assert_eq!(export_pit["json_pointer"], "/auth/bearer/0/value");
    assert_eq!(
        code_pit["credential"]["fingerprint"],
        export_pit["credential"]["fingerprint"]
    );
    // Only the copy next to the V1 base URL is a mismatch; the export calls V2.
    assert_eq!(in_category(&s, "credential_mismatch"), [format!("{ts}:6")]);
    let m = at(&s, ts, 6, "mention");
    assert!(
        note(m).contains("V1 rejects PITs (\"Api key is invalid\")")
            && note(m).contains("services.leadconnectorhq.com"),
        "{m}"
    );
    assert!(
        m["credential"].is_null(),
        "the mismatch note carries no key"
    );
    // The calls go through the `ghl(method, path)` helper on the GHL_API constant.
    for (line, rule) in [(30, "contacts.create"), (40, "notes.create")] {
        let c = at(&s, ts, line, "call");
        assert_eq!(c["rule"], rule);
        assert_eq!(c["method"], "POST");
        assert_eq!(c["base_source"], "client ghl defined at line 16");
    }
    assert!(in_category(&s, "version_header").is_empty());
}

#[test]
fn committed_pit_plan_says_rotate_and_fix_the_base_url_first() {
    let dir = fixture("committed-pit");
    let p = plan_json(&dir);
    let i = integration(&p, "form-worker");
    let fix = strings(&i["fix_first"]);
    assert_eq!(fix.len(), 1, "{fix:?}");
    assert!(fix[0].starts_with(
        "form-worker/src/index.ts:6: a V2 Private Integration Token configured next to a V1 base URL"
    ));
    let changes = strings(&i["credential_changes"]).join(" | ");
    assert!(
        changes
            .contains("form-worker/src/index.ts:6: a V2 Private Integration Token is hard-coded"),
        "{changes}"
    );
    // A PIT is not a V1 key: nothing to revoke on V1, but it is a key to rotate.
    assert!(i["v1_keys"].as_array().unwrap().is_empty());
    let k = key(&p, "v2_pit");
    assert_eq!(
        strings(&k["found_in"]),
        [
            "form-worker/src/index.ts:6",
            "postman/Lead-Intake-V2.postman_collection.json:10"
        ]
    );
    let advice = strings(&k["advice"]).join(" | ");
    assert!(
        advice.contains("committed to the repository: rotate it"),
        "{advice}"
    );
    assert!(
        advice.contains("a V2 Private Integration Token in the repository is still a leak: rotate it (Rotate and expire now)"),
        "{advice}"
    );
    assert!(
        !advice.contains("90 days"),
        "the V1 sweep is not about PITs"
    );

    let md = plan_markdown(&dir);
    assert!(section(&md, "form-worker").contains(FIX_FIRST));
    assert!(md.contains("- **V2 Private Integration Token** `pit-ec…52e7 [40 chars]`"));
}

// ---------------------------------------------------------------------------------------------------
// V2 Version header

#[test]
fn v2_calls_without_or_with_an_unpublished_version_are_flagged_and_the_correct_one_is_not() {
    let dir = fixture("v2-no-version");
    let out = bin()
        .args(["scan", "--format", "json", "-q"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "no V1 usage: exit 0");
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["summary"]["v1_usage"], 0);
    assert_eq!(
        in_category(&s, "version_header"),
        [
            "BookingBridge/CalendarClient.cs:16",
            "pipeline-report/weekly.py:7"
        ]
    );
    assert_eq!(findings(&s).len(), 2, "nothing else: {s}");
    let missing = at(&s, "pipeline-report/weekly.py", 7, "mention");
    assert!(note(missing).contains("without a `Version` header"));
    assert!(note(missing).contains("\"version header was not found\""));
    assert_eq!(missing["host"], "services.leadconnectorhq.com");
    // The wrong value is reported on the line that sets it.
    let wrong = at(&s, "BookingBridge/CalendarClient.cs", 16, "mention");
    assert!(
        note(wrong).starts_with("`Version: 2023-02-21` is not a published V2 version"),
        "{wrong}"
    );
    assert!(note(wrong).contains("\"version header is invalid\""));
    assert!(
        !findings(&s)
            .iter()
            .any(|f| f["path"].as_str().unwrap().starts_with("sms-relay/"))
    );
}

#[test]
fn a_v2_only_plan_has_no_integration_tier_key_or_eas_sections() {
    for dir in [
        fixture("v2-no-version"),
        "fixtures/plan/v2-only-no-version".to_string(),
    ] {
        let p = plan_json(&dir);
        assert!(p["integrations"].as_array().unwrap().is_empty(), "{dir}");
        assert!(p["keys"].as_array().unwrap().is_empty(), "{dir}");
        let md = plan_markdown(&dir);
        for absent in [
            FIX_FIRST,
            "Enhanced Account Security",
            "Plan tier:",
            "Account plan (from",
            "## Keys found in the repository",
            "90 days",
        ] {
            assert!(!md.contains(absent), "{dir}: plan shows {absent:?}:\n{md}");
        }
        // The version problems are still listed for cleanup.
        assert!(
            section(&md, "Also to clean up").contains("Version"),
            "{dir}"
        );
    }
    let md = plan_markdown(&fixture("v2-no-version"));
    let cleanup = section(&md, "Also to clean up");
    assert!(
        cleanup.contains(
            "- `BookingBridge`: BookingBridge/CalendarClient.cs:16 (`Version: 2023-02-21`"
        )
    );
    assert!(cleanup.contains(
        "- `pipeline-report`: pipeline-report/weekly.py:7 (V2 request(s) without a `Version` header"
    ));
    assert!(!cleanup.contains("sms-relay"));
}

// ---------------------------------------------------------------------------------------------------
// Old keys: short UUID format, age from iat, the 90-day sweep

#[test]
fn old_short_and_old_jwt_keys_get_age_and_sweep_advice() {
    let dir = fixture("old-short-key");
    let s = scan_json(&dir);
    let short = at(&s, "legacy-cron/export_contacts.sh", 6, "credential");
    assert_eq!(short["credential"]["kind"], "v1_short_key");
    assert_eq!(short["credential"]["redacted"], "037…94d [36 chars]");
    assert!(note(short).contains("recognised by use"));
    let java = "lead-importer/src/main/java/com/acmeagency/leads/GhlImporter.java";
    let jwt = at(&s, java, 11, "credential");
    assert_eq!(jwt["credential"]["kind"], "v1_location_key");
    assert_eq!(jwt["credential"]["issued"], "2019-09-01");
    assert_eq!(jwt["credential"]["location_id"], "Ol8Dk2Ey5Lo9Ca3Ti7On");
    // Reported where the request is sent (`http.send(request, …)`), not where its URL is built.
    assert_eq!(at(&s, java, 22, "call")["rule"], "contacts.create");
    assert_eq!(
        at(&s, "legacy-cron/export_contacts.sh", 9, "call")["rule"],
        "contacts.list"
    );

    let p = plan_json(&dir);
    let old = key(&p, "v1_location_key");
    // 2019-09-01 → 2026-11-22.
    assert_eq!(old["age_days"], 2639);
    assert_eq!(old["issued"], "2019-09-01");
    let sk = key(&p, "v1_short_key");
    assert!(sk.get("age_days").is_none(), "a UUID key carries no date");
    for k in [old, sk] {
        let a = strings(&k["advice"]).join(" | ");
        assert!(
            a.contains("committed to the repository: rotate it even after migrating"),
            "{a}"
        );
        assert!(
            a.contains("HighLevel deletes keys unused for 90 days in a quarterly sweep, with in-app warnings 15, 7 and 1 day before"),
            "{a}"
        );
    }
    assert!(
        strings(&sk["advice"])
            .iter()
            .any(|a| a.contains("old short/UUID-format key: regenerated keys are 250+ characters"))
    );
    assert!(
        !strings(&old["advice"])
            .iter()
            .any(|a| a.contains("short/UUID"))
    );
    let li = integration(&p, "lead-importer");
    assert_eq!(li["successor"]["kind"], "pit");
    assert_eq!(strings(&li["location_ids"]), ["Ol8Dk2Ey5Lo9Ca3Ti7On"]);
    assert!(
        strings(&li["credential_changes"])[0].contains("a V1 location API key (JWT) is hard-coded")
    );
    let cron = integration(&p, "legacy-cron");
    assert_eq!(cron["v1_keys"][0]["kind"], "v1_short_key");

    let md = plan_markdown(&dir);
    assert!(md.contains("issued 2019-09-01 (2639 days ago)"), "{md}");
    assert!(!md.contains(FIX_FIRST));
    // The age follows --as-of.
    let earlier = support::json(
        bin()
            .args(["plan", "--format", "json", "-q", "--as-of", "2020-01-01"])
            .arg(&dir),
    );
    assert_eq!(key(&earlier, "v1_location_key")["age_days"], 122);
}

// ---------------------------------------------------------------------------------------------------
// The bundled example: sections only where they apply

#[test]
fn example_plan_shows_fix_first_tier_and_key_sections_only_where_they_apply() {
    let dir = "fixtures/example/agency-repo";
    let md = plan_markdown(dir);
    // No ghl-migrate.yaml: no account plan line, no tier warning.
    assert!(!md.contains("Account plan (from"));
    assert!(!md.contains("⚠ the account is on"));
    assert_eq!(md.matches(FIX_FIRST).count(), 1, "{md}");
    let tools = section(&md, "agency-tools");
    assert!(tools.contains(FIX_FIRST));
    assert!(tools.contains("- Plan tier: Agency Pro plan required"));
    assert!(tools.contains("agency-tools/agency_tools/subaccounts.py:40: V1 user create/update/delete endpoints are disabled under Enhanced Account Security"));
    assert!(tools.contains(
        "agency-tools/agency_tools/subaccounts.py:29: expects the new location's API key"
    ));
    for pit_only in ["crm-sync", "booking-widget", "scripts"] {
        let sec = section(&md, pit_only);
        assert!(!sec.contains(FIX_FIRST), "{pit_only}");
        assert!(!sec.contains("Enhanced Account Security"), "{pit_only}");
        assert!(
            sec.contains("- Plan tier: available on every plan"),
            "{pit_only}"
        );
    }
    let keys = section(&md, "Keys found in the repository");
    assert!(keys.contains("(1667 days ago)"));
    assert!(keys.contains("quarterly sweep"));
    assert!(keys.contains("a V2 Private Integration Token in the repository is still a leak"));
    assert!(
        !keys.contains("used by 2 integrations"),
        "no key is shared there"
    );
    assert!(!keys.contains("different V1 keys"));
    // The V2-only reports project is not an integration and gets no plan-tier or Fix-first line.
    assert!(!md.contains("\n## reports\n"));
    assert!(section(&md, "Also to clean up").contains("reports/src/pipelineReport.js:16"));

    let p = plan_json(dir);
    assert!(p.get("tier").is_none());
    for i in p["integrations"].as_array().unwrap() {
        let fix = i["fix_first"].as_array().unwrap();
        assert_eq!(!fix.is_empty(), i["id"] == "agency-tools", "{}", i["id"]);
    }
}

// ---------------------------------------------------------------------------------------------------
// Redaction across every platform case

#[test]
fn platform_plans_never_hold_a_raw_key() {
    let jwt = regex::Regex::new(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
        .unwrap();
    let pit = regex::Regex::new(r"pit-[0-9a-f]{8}-[0-9a-f-]{27}").unwrap();
    let uuid = regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}")
        .unwrap();
    let mut secrets = Vec::new();
    for e in walkdir::WalkDir::new("fixtures/platform")
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.file_name() != "expected.json")
    {
        let text = std::fs::read_to_string(e.path()).unwrap();
        secrets.extend(jwt.find_iter(&text).map(|m| m.as_str().to_string()));
        secrets.extend(pit.find_iter(&text).map(|m| m.as_str().to_string()));
        if text.contains("GHL_KEY=") {
            secrets.extend(uuid.find_iter(&text).map(|m| m.as_str().to_string()));
        }
    }
    secrets.sort();
    secrets.dedup();
    // 1 agency key, 2 shared-key keys, 1 PIT, the old UUID key and the old JWT.
    assert_eq!(secrets.len(), 6, "{secrets:?}");
    for case in [
        "eas-location-create",
        "v1-user-management",
        "shared-key",
        "committed-pit",
        "v2-no-version",
        "old-short-key",
    ] {
        let dir = fixture(case);
        let outputs = [
            serde_json::to_string(&plan_json(&dir)).unwrap(),
            plan_markdown(&dir),
        ];
        for out in &outputs {
            for s in &secrets {
                assert!(!out.contains(s.as_str()), "{case}: plan leaks {}…", &s[..8]);
                let mid = &s[s.len() / 3..s.len() / 3 + 10];
                assert!(!out.contains(mid), "{case}: plan leaks part of a key");
            }
        }
    }
}
