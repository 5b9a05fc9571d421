//! SARIF 2.1.0 for GitHub code scanning: rule ids are the rule table's ids, so alerts link to
//! `ghl-migrate rules show <id>` and the V2 docs page.
use crate::rules::RuleSet;
use crate::scan::ScanReport;
use crate::scan::finding::{Finding, Kind};
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub fn build(r: &ScanReport, rules: &RuleSet) -> Value {
    let mut used: BTreeMap<String, Value> = BTreeMap::new();
    let mut results = Vec::new();
    let prefix = prefix_in_git_top(r);
    for f in &r.findings {
        let id = super::rule_id(f);
        used.entry(id.clone())
            .or_insert_with(|| descriptor(&id, f, rules));
        results.push(result(&id, f, &prefix));
    }
    let rule_list: Vec<Value> = used.into_values().collect();
    let index: BTreeMap<String, usize> = rule_list
        .iter()
        .enumerate()
        .map(|(i, r)| (r["id"].as_str().unwrap_or("").to_string(), i))
        .collect();
    for res in &mut results {
        let id = res["ruleId"].as_str().unwrap_or("").to_string();
        if let Some(i) = index.get(&id) {
            res["ruleIndex"] = json!(i);
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "ghl-migrate",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://marketplace.gohighlevel.com/docs/",
                "rules": rule_list,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The top of the git work tree holding the scanned root (the scanned root outside git)."}}},
            "results": results,
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": r.skipped.iter().map(|s| json!({
                    "level": "warning",
                    "message": {"text": format!("skipped {}: {}", s.path, s.reason)},
                })).collect::<Vec<_>>(),
            }],
        }],
    })
}

fn descriptor(id: &str, f: &Finding, rules: &RuleSet) -> Value {
    if let Some(rule) = rules.get(id) {
        let v2 = match &rule.v2 {
            Some(t) => format!(
                "{} {} (scopes: {}; Version: {})",
                t.method,
                t.path,
                t.scopes.join(", "),
                t.version
            ),
            None => format!(
                "no V2 equivalent: {}",
                rule.workaround.as_deref().unwrap_or("")
            ),
        };
        let changes: Vec<String> = rule
            .actionable_changes()
            .map(|c| format!("- {}", c.text))
            .collect();
        let mut d = json!({
            "id": id,
            "name": id.replace('.', "_"),
            "shortDescription": {"text": format!("V1 {} {} → V2 {}", rule.v1.method, rule.v1.path, v2)},
            "fullDescription": {"text": format!("HighLevel V1 endpoint {} {} is past end of support. Migrate to {}.", rule.v1.method, rule.v1.path, v2)},
            "help": {"text": changes.join("\n"), "markdown": changes.join("\n")},
            "defaultConfiguration": {"level": "warning"},
            "properties": {"tags": ["highlevel", "v1-migration", rule.group.as_str()], "mapping-source": rule.source.as_str()},
        });
        if let Some(doc) = &rule.docs {
            d["helpUri"] = json!(doc);
        }
        return d;
    }
    let (short, level) = match f.kind {
        Kind::Credential => (
            "A HighLevel key or token is committed to the repository",
            "error",
        ),
        Kind::BaseUrl => ("A HighLevel V1 base URL is configured", "warning"),
        Kind::Mention => ("A HighLevel API reference worth checking", "note"),
        _ => (
            "A call to a V1 endpoint that is not in the rule table",
            "warning",
        ),
    };
    json!({
        "id": id,
        "name": id.replace(['.', '-'], "_"),
        "shortDescription": {"text": short},
        "defaultConfiguration": {"level": level},
        "properties": properties(f),
    })
}

/// Tags, and for committed keys the `security-severity` GitHub uses to rank alerts (a V1 key grants the
/// whole sub-account or agency: high; other tokens: medium-high).
fn properties(f: &Finding) -> Value {
    let tags = json!(["highlevel", "v1-migration"]);
    match f.credential.as_ref().filter(|_| f.kind == Kind::Credential) {
        Some(c) => json!({
            "tags": ["highlevel", "v1-migration", "security"],
            "security-severity": if c.kind.is_v1() { "8.8" } else { "7.5" },
        }),
        None => json!({ "tags": tags }),
    }
}

/// Where the scanned root sits in its git work tree (`services/api/` for a scan of that folder), so that
/// result URIs are relative to the repository top as code scanning expects; empty outside git.
fn prefix_in_git_top(r: &ScanReport) -> String {
    let [root] = r.roots.as_slice() else {
        return String::new();
    };
    let Ok(root) = std::path::Path::new(root).canonicalize() else {
        return String::new();
    };
    if !root.is_dir() {
        return String::new();
    }
    let top = crate::scan::git_top(&root);
    match top.as_deref().and_then(|t| root.strip_prefix(t).ok()) {
        Some(rel) if !rel.as_os_str().is_empty() => {
            format!("{}/", rel.to_string_lossy().replace('\\', "/"))
        }
        _ => String::new(),
    }
}

fn result(id: &str, f: &Finding, prefix: &str) -> Value {
    let level = match f.kind {
        Kind::Credential => "error",
        Kind::Mention => "note",
        _ => "warning",
    };
    let mut text = super::describe(f);
    if let Some(n) = &f.note
        && f.kind != Kind::Mention
    {
        text.push_str(&format!(" ({n})"));
    }
    let fp = crate::scan::baseline::fingerprint(f);
    let mut r = json!({
        "ruleId": id,
        "level": level,
        "message": {"text": text},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": format!("{prefix}{}", f.path), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": f.line, "startColumn": f.column, "snippet": {"text": f.snippet}},
        }}],
        "partialFingerprints": {"ghlMigrateFinding/v1": fp},
    });
    // Accepted findings stay in the log, marked the way code scanning reads them.
    if let Some(s) = &f.suppressed {
        r["suppressions"] = json!([{
            "kind": if s.kind == "inline" { "inSource" } else { "external" },
            "justification": s.justification,
        }]);
    }
    r
}
