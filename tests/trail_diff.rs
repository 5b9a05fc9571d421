//! End-to-end: `diff` rewrites a request's path where it is written, away from the line that sends it,
//! and never half of one. Each test diffs a synthetic tree, applies the patch with `git apply`, checks the
//! files' exact new text, re-scans (only the marked requests are still V1, none half-migrated), and runs
//! `diff` again (nothing left to change).
mod support;
use std::path::Path;
use support::migrate::{diff_and_apply, findings, second_diff_is_empty, still_compiles, v1_calls};
use support::tree;

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

fn no_half_migrated(dir: &Path) {
    let half: Vec<_> = findings(dir)
        .into_iter()
        .filter(|f| f["category"] == "half_migrated")
        .collect();
    assert!(half.is_empty(), "half-migrated after the diff: {half:?}");
}

/// The path is on a later line of the statement (a formatter's line breaks), not on the call's line.
#[test]
fn path_on_a_continuation_line_of_the_statement_is_rewritten_there() {
    let t = tree(&[(
        "slots.py",
        "import requests\n\nBASE_URL = \"https://rest.gohighlevel.com/v1\"\n\n\ndef notes(contact_id, key):\n    return requests.get(\n        f\"{BASE_URL}/contacts/{contact_id}/notes/\",\n        headers={\"Authorization\": f\"Bearer {key}\"},\n    )\n",
    )]);
    diff_and_apply(t.path());
    assert_eq!(
        read(t.path(), "slots.py"),
        "import requests\n\nBASE_URL = \"https://services.leadconnectorhq.com\"\n\n\ndef notes(contact_id, key):\n    return requests.get(\n        f\"{BASE_URL}/contacts/{contact_id}/notes\",\n        headers={\"Authorization\": f\"Bearer {key}\", \"Version\": \"2021-07-28\"},\n    )\n"
    );
    still_compiles(t.path(), "slots.py");
    assert!(v1_calls(t.path()).is_empty());
    no_half_migrated(t.path());
    second_diff_is_empty(t.path());
}

/// The URL is built in two statements before the send (`url = BASE + '/contacts/' + id`, then
/// `url += '/tags/'`): both pieces move.
#[test]
fn path_built_over_two_statements_is_rewritten_in_both() {
    let t = tree(&[(
        "tags.js",
        "const BASE = 'https://rest.gohighlevel.com/v1';\n\nasync function untag(contactId, tag, key) {\n  let url = BASE + '/contacts/' + contactId;\n  url += '/tags/';\n  return fetch(url, {\n    method: 'DELETE',\n    headers: { Authorization: `Bearer ${key}` },\n    body: JSON.stringify({ tags: [tag] }),\n  });\n}\n\nmodule.exports = { untag };\n",
    )]);
    diff_and_apply(t.path());
    assert_eq!(
        read(t.path(), "tags.js"),
        "const BASE = 'https://services.leadconnectorhq.com';\n\nasync function untag(contactId, tag, key) {\n  let url = BASE + '/contacts/' + contactId;\n  url += '/tags';\n  return fetch(url, {\n    method: 'DELETE',\n    headers: { Authorization: `Bearer ${key}`, Version: '2021-07-28' },\n    body: JSON.stringify({ tags: [tag] }),\n  });\n}\n\nmodule.exports = { untag };\n"
    );
    still_compiles(t.path(), "tags.js");
    assert!(v1_calls(t.path()).is_empty());
    second_diff_is_empty(t.path());
}

/// One path constant serves a request that can move and one that cannot: changing it would break the
/// second, so neither changes and both say why.
#[test]
fn a_path_line_shared_with_a_request_that_stays_is_left_with_a_marker() {
    let t = tree(&[(
        "crm.py",
        "import requests\n\nBASE = \"https://rest.gohighlevel.com/v1\"\n\n\nclass Crm:\n    def __init__(self):\n        self.notes_url = BASE + \"/contacts/{}/notes/\"\n\n    def add_note(self, cid, body):\n        return requests.post(self.notes_url.format(cid), json=body)\n\n    def notes(self, cid):\n        return requests.get(self.notes_url.format(cid))\n\n    def remove_note(self, cid, note_id):\n        return requests.delete(self.notes_url.format(cid) + note_id)\n",
    )]);
    let before = v1_calls(t.path());
    assert_eq!(before.len(), 3, "{before:?}");
    let (_, summary) = diff_and_apply(t.path());
    let after = read(t.path(), "crm.py");
    assert!(
        after.contains("        self.notes_url = BASE + \"/contacts/{}/notes/\"\n"),
        "{after}"
    );
    assert!(
        after.contains("BASE = \"https://rest.gohighlevel.com/v1\"\n"),
        "{after}"
    );
    assert!(summary.contains("together with"), "{summary}");
    still_compiles(t.path(), "crm.py");
    assert_eq!(v1_calls(t.path()).len(), 3);
    no_half_migrated(t.path());
    second_diff_is_empty(t.path());
}

/// The V1 prefix added on its own line (`V1 = HOST + "/v1"`) goes when the base moves: otherwise every
/// request would go to `services.leadconnectorhq.com/v1/…`.
#[test]
fn a_v1_prefix_added_apart_from_the_host_goes_with_the_base() {
    let t = tree(&[(
        "api.js",
        "const HOST = 'https://rest.gohighlevel.com';\nconst API = HOST + '/v1';\n\nconst contact = (id, key) =>\n  fetch(`${API}/contacts/${id}`, { headers: { Authorization: `Bearer ${key}` } });\n\nmodule.exports = { contact };\n",
    )]);
    diff_and_apply(t.path());
    let after = read(t.path(), "api.js");
    assert!(
        after.starts_with(
            "const HOST = 'https://services.leadconnectorhq.com';\nconst API = HOST + '';\n"
        ),
        "{after}"
    );
    still_compiles(t.path(), "api.js");
    assert!(v1_calls(t.path()).is_empty());
    no_half_migrated(t.path());
    second_diff_is_empty(t.path());
}

/// The URL is assigned on each branch of an `if`: every branch moves, or the request would go to V1 on
/// one branch and V2 on the other.
#[test]
fn a_url_assigned_on_each_branch_moves_on_every_branch() {
    let t = tree(&[(
        "lookup.php",
        "<?php\nfunction lookup($email, $fallback, $key) {\n    if ($email !== '') {\n        $url = 'https://rest.gohighlevel.com/v1/contacts/lookup?email=' . $email;\n    } elseif ($fallback !== '') {\n        $url = 'https://rest.gohighlevel.com/v1/contacts/lookup?email=' . $fallback;\n    } else {\n        $url = 'https://rest.gohighlevel.com/v1/contacts/';\n    }\n    $ch = curl_init($url);\n    curl_setopt($ch, CURLOPT_HTTPHEADER, array(\n        'Authorization: Bearer ' . $key\n    ));\n    return curl_exec($ch);\n}\n",
    )]);
    diff_and_apply(t.path());
    let after = read(t.path(), "lookup.php");
    assert!(!after.contains("rest.gohighlevel.com"), "{after}");
    assert_eq!(
        after
            .matches("services.leadconnectorhq.com/contacts/search/duplicate?email=")
            .count(),
        2,
        "{after}"
    );
    // The header list's last element gets a comma and the `Version` sibling.
    assert!(
        after.contains(
            "        'Authorization: Bearer ' . $key,\n        'Version: 2021-07-28'\n    ));"
        ),
        "{after}"
    );
    still_compiles(t.path(), "lookup.php");
    assert!(v1_calls(t.path()).is_empty());
    no_half_migrated(t.path());
    second_diff_is_empty(t.path());
}

/// A request whose path cannot move (its parameters change) keeps its V1 host too: moving only the host
/// would send a V1 path to V2.
#[test]
fn a_request_that_cannot_move_keeps_its_v1_host() {
    let t = tree(&[(
        "tags.ts",
        "export async function tags(key: string) {\n  const res = await fetch(\n    'https://rest.gohighlevel.com/v1/tags/',\n    { headers: { Authorization: `Bearer ${key}` } },\n  );\n  return res.json();\n}\n",
    )]);
    let (_, summary) = diff_and_apply(t.path());
    let after = read(t.path(), "tags.ts");
    assert!(
        after.contains("    'https://rest.gohighlevel.com/v1/tags/',\n"),
        "{after}"
    );
    assert!(summary.contains("parameters move"), "{summary}");
    assert_eq!(v1_calls(t.path()).len(), 1);
    no_half_migrated(t.path());
    second_diff_is_empty(t.path());
}

/// Spring: the base is a property in `application.yml` injected with `@Value`, and one request on it
/// cannot move. The movable one gets a twin field reading `ghl.base-url-v2`, which the YAML gets beside
/// `base-url`; the other keeps the V1 field and property.
#[test]
fn an_injected_config_base_gets_a_v2_property_and_field() {
    let java = "package acme;\n\nimport org.springframework.beans.factory.annotation.Value;\nimport org.springframework.web.client.RestTemplate;\n\npublic class Crm {\n    @Value(\"${ghl.base-url}\")\n    private String baseUrl;\n\n    private final RestTemplate rest = new RestTemplate();\n\n    public String contact(String id) {\n        return rest.getForObject(baseUrl + \"/contacts/\" + id, String.class);\n    }\n\n    public String tags() {\n        return rest.getForObject(baseUrl + \"/tags/\", String.class);\n    }\n}\n";
    for (config, text, want) in [
        (
            "src/main/resources/application.yml",
            "ghl:\n  base-url: https://rest.gohighlevel.com/v1\n  timeout: 5\n",
            "ghl:\n  base-url: https://rest.gohighlevel.com/v1\n  base-url-v2: https://services.leadconnectorhq.com\n  timeout: 5\n",
        ),
        (
            "src/main/resources/application.properties",
            "ghl.base-url=https://rest.gohighlevel.com/v1\nghl.timeout=5\n",
            "ghl.base-url=https://rest.gohighlevel.com/v1\nghl.base-url-v2=https://services.leadconnectorhq.com\nghl.timeout=5\n",
        ),
    ] {
        let t = tree(&[("src/main/java/acme/Crm.java", java), (config, text)]);
        diff_and_apply(t.path());
        assert_eq!(read(t.path(), config), want);
        let after = read(t.path(), "src/main/java/acme/Crm.java");
        assert!(
            after.contains("    @Value(\"${ghl.base-url}\")\n    private String baseUrl;\n    @Value(\"${ghl.base-url-v2}\")\n    private String baseUrlV2;\n"),
            "{after}"
        );
        assert!(
            after.contains("rest.getForObject(baseUrlV2 + \"/contacts/\" + id, String.class)"),
            "{after}"
        );
        assert!(
            after.contains("rest.getForObject(baseUrl + \"/tags/\", String.class)"),
            "{after}"
        );
        assert_eq!(v1_calls(t.path()).len(), 1, "{after}");
        no_half_migrated(t.path());
        second_diff_is_empty(t.path());
    }
}
