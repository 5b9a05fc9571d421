//! End-to-end: `diff` never turns a working call into a broken one when calls share a base URL or a
//! headers object. A base shared with a call that cannot move gets a V2 twin beside it (same scope, same
//! style) and only the movable calls point at it; the patch applies with `git apply`, the files still
//! parse, a re-scan lists exactly the calls that stayed, and a second `diff` is empty. A headers object
//! shared by endpoint families that need different `Version` values gets a marker naming both.
mod support;
use std::path::Path;
use support::migrate::{second_diff_is_empty, still_compiles, v1_calls};
use support::tree;

/// Diffs `dir`, applies the patch with `git apply`, and returns the patch.
fn diff_and_apply(dir: &Path) -> String {
    support::migrate::diff_and_apply(dir).0
}

const PY_SHARED: &str = r#"import requests

BASE_URL = "https://rest.gohighlevel.com/v1"


def get_contact(cid, key):
    return requests.get(f"{BASE_URL}/contacts/{cid}", headers={"Authorization": f"Bearer {key}"})


def frobnicate(key):
    return requests.get(BASE_URL + "/frobnicate/", headers={"Authorization": f"Bearer {key}"})
"#;

#[test]
fn shared_base_gets_a_v2_twin_and_only_movable_calls_move() {
    let t = tree(&[("api.py", PY_SHARED)]);
    let patch = diff_and_apply(t.path());
    let after = std::fs::read_to_string(t.path().join("api.py")).unwrap();
    // The V1 base stays for the call that cannot move; its twin sits right under it.
    assert!(
        after.contains(
            "BASE_URL = \"https://rest.gohighlevel.com/v1\"\nBASE_URL_V2 = \"https://services.leadconnectorhq.com\"\n"
        ),
        "{patch}"
    );
    assert!(after.contains(
        "requests.get(f\"{BASE_URL_V2}/contacts/{cid}\", headers={\"Authorization\": f\"Bearer {key}\", \"Version\": \"2021-07-28\"})"
    ));
    // The call that cannot move keeps the V1 base and gets no V2 header.
    assert!(after.contains(
        "    return requests.get(BASE_URL + \"/frobnicate/\", headers={\"Authorization\": f\"Bearer {key}\"})"
    ));
    still_compiles(t.path(), "api.py");
    // Only the call that stayed is still V1 usage.
    assert_eq!(v1_calls(t.path()), vec!["api.py:13 ?".to_string()]);
    second_diff_is_empty(t.path());
}

#[test]
fn base_moves_in_place_when_every_call_on_it_moves() {
    let only_movable = PY_SHARED.split("\n\ndef frobnicate").next().unwrap();
    let t = tree(&[("api.py", format!("{only_movable}\n"))]);
    let patch = diff_and_apply(t.path());
    assert!(patch.contains("+BASE_URL = \"https://services.leadconnectorhq.com\""));
    assert!(!patch.contains("BASE_URL_V2"), "{patch}");
    assert!(v1_calls(t.path()).is_empty());
}

/// A client built over several lines from a setting with a default, the setting in `.env` files: the
/// twin client reads `NAME_V2`, which both `.env` files get beside `NAME`.
#[test]
fn client_object_shared_with_a_staying_call_gets_a_twin_client_and_setting() {
    let t = tree(&[
        (
            "svc/.env",
            "PORT=3000\nGHL_BASE_URL=https://rest.gohighlevel.com/v1\n",
        ),
        (
            "svc/.env.example",
            "GHL_BASE_URL=https://rest.gohighlevel.com/v1\n",
        ),
        (
            "svc/src/ghl.js",
            "const axios = require('axios');\n\nconst ghl = axios.create({\n  baseURL: process.env.GHL_BASE_URL || 'https://rest.gohighlevel.com/v1',\n  headers: { Authorization: `Bearer ${process.env.GHL_TOKEN}` },\n});\n\nasync function tag(id, tags) {\n  return ghl.post(`/contacts/${id}/tags/`, { tags });\n}\n\nasync function odd() {\n  return ghl.get('/frobnicate/');\n}\n\nmodule.exports = { tag, odd };\n",
        ),
    ]);
    diff_and_apply(t.path());
    let js = std::fs::read_to_string(t.path().join("svc/src/ghl.js")).unwrap();
    assert!(js.contains(
        "});\nconst ghlV2 = axios.create({\n  baseURL: process.env.GHL_BASE_URL_V2 || 'https://services.leadconnectorhq.com',\n  headers: { Authorization: `Bearer ${process.env.GHL_TOKEN}`, Version: '2021-07-28' },\n});\n"
    ), "{js}");
    assert!(js.contains("return ghlV2.post(`/contacts/${id}/tags`, { tags });"));
    assert!(js.contains("return ghl.get('/frobnicate/');"));
    assert!(js.contains("baseURL: process.env.GHL_BASE_URL || 'https://rest.gohighlevel.com/v1',"));
    for env in ["svc/.env", "svc/.env.example"] {
        let text = std::fs::read_to_string(t.path().join(env)).unwrap();
        assert!(
            text.contains(
                "GHL_BASE_URL=https://rest.gohighlevel.com/v1\nGHL_BASE_URL_V2=https://services.leadconnectorhq.com\n"
            ),
            "{env}: {text}"
        );
    }
    still_compiles(t.path(), "svc/src/ghl.js");
    assert_eq!(v1_calls(t.path()), vec!["svc/src/ghl.js:18 ?".to_string()]);
    second_diff_is_empty(t.path());
}

/// A base exported by one module and imported by another: the twin is exported beside it and the import
/// is extended.
#[test]
fn imported_base_gets_a_twin_and_the_import_is_extended() {
    let t = tree(&[
        (
            "config.js",
            "export const GHL_BASE = 'https://rest.gohighlevel.com/v1';\n",
        ),
        (
            "use.js",
            "import { GHL_BASE } from './config.js';\nexport const notes = (id) => fetch(`${GHL_BASE}/contacts/${id}/notes`, { method: 'GET' });\nexport const odd = () => fetch(`${GHL_BASE}/frobnicate`, { method: 'GET' });\n",
        ),
    ]);
    diff_and_apply(t.path());
    let config = std::fs::read_to_string(t.path().join("config.js")).unwrap();
    assert_eq!(
        config,
        "export const GHL_BASE = 'https://rest.gohighlevel.com/v1';\nexport const GHL_BASE_V2 = 'https://services.leadconnectorhq.com';\n"
    );
    let used = std::fs::read_to_string(t.path().join("use.js")).unwrap();
    assert!(used.starts_with("import { GHL_BASE, GHL_BASE_V2 } from './config.js';\n"));
    assert!(used.contains("fetch(`${GHL_BASE_V2}/contacts/${id}/notes`"));
    assert!(used.contains("fetch(`${GHL_BASE}/frobnicate`"));
    assert_eq!(v1_calls(t.path()).len(), 1);
    second_diff_is_empty(t.path());
}

/// Where no safe twin can be written (a typed object's field), the movable call stays V1 too, marked:
/// never a V2 path on the V1 base nor a V1 path on the V2 base.
#[test]
fn no_safe_twin_means_every_call_on_the_base_stays_v1_and_is_marked() {
    let src = "interface Cfg { base: string }\nconst cfg: Cfg = {\n  base: 'https://rest.gohighlevel.com/v1',\n};\nexport const notes = (id: string) => fetch(`${cfg.base}/contacts/${id}/notes`, { method: 'GET' });\nexport const odd = () => fetch(`${cfg.base}/frobnicate`, { method: 'GET' });\n";
    let t = tree(&[("api.ts", src)]);
    let patch = diff_and_apply(t.path());
    let after = std::fs::read_to_string(t.path().join("api.ts")).unwrap();
    assert!(
        after.contains("  base: 'https://rest.gohighlevel.com/v1',\n"),
        "{patch}"
    );
    assert!(after.contains("fetch(`${cfg.base}/contacts/${id}/notes`"));
    assert!(after.contains("// ghl-migrate: V1 call left as is: its base URL (api.ts:3) is shared with calls that stay on V1"), "{after}");
    assert_eq!(v1_calls(t.path()).len(), 2);
    second_diff_is_empty(t.path());
}

/// One headers object for calendars (`Version: 2021-04-15`) and contacts (`2021-07-28`) calls: no single
/// value is added; a marker names both values and the calls.
#[test]
fn shared_headers_needing_two_versions_get_a_marker_naming_both() {
    let src = "import requests\n\nBASE = \"https://rest.gohighlevel.com/v1\"\nHEADERS = {\"Authorization\": \"Bearer \" + TOKEN}\n\n\ndef contact(cid):\n    return requests.get(f\"{BASE}/contacts/{cid}\", headers=HEADERS)\n\n\ndef teams():\n    return requests.get(f\"{BASE}/calendars/teams\", headers=HEADERS)\n";
    let t = tree(&[("api.py", src)]);
    diff_and_apply(t.path());
    let after = std::fs::read_to_string(t.path().join("api.py")).unwrap();
    assert!(after.contains(
        "# ghl-migrate: V2 needs a different `Version` header per request here: `2021-04-15` for calendars.teams.list (line 12); `2021-07-28` for contacts.get (line 8); set it per request\nHEADERS = {\"Authorization\": \"Bearer \" + TOKEN}\n"
    ), "{after}");
    assert!(!after.contains("\"Version\""));
    still_compiles(t.path(), "api.py");
    second_diff_is_empty(t.path());
}

/// The same calls, each building its own headers: each gets its own value.
#[test]
fn per_request_headers_get_each_call_its_own_version() {
    let src = "import requests\n\nBASE = \"https://rest.gohighlevel.com/v1\"\n\n\ndef contact(cid):\n    return requests.get(f\"{BASE}/contacts/{cid}\", headers={\"Authorization\": \"Bearer \" + TOKEN})\n\n\ndef teams():\n    return requests.get(f\"{BASE}/calendars/teams\", headers={\"Authorization\": \"Bearer \" + TOKEN})\n";
    let t = tree(&[("api.py", src)]);
    diff_and_apply(t.path());
    let after = std::fs::read_to_string(t.path().join("api.py")).unwrap();
    assert!(after.contains("f\"{BASE}/contacts/{cid}\", headers={\"Authorization\": \"Bearer \" + TOKEN, \"Version\": \"2021-07-28\"})"), "{after}");
    assert!(after.contains("f\"{BASE}/calendars/groups\", headers={\"Authorization\": \"Bearer \" + TOKEN, \"Version\": \"2021-04-15\"})"), "{after}");
    assert!(!after.contains("different `Version`"));
    still_compiles(t.path(), "api.py");
}
