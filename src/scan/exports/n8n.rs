//! n8n workflow exports: the HighLevel node (v1 = V1 API, credential `highLevelApi`) and HTTP Request nodes.
//!
//! The resource/operation → V1 endpoint table comes from `n8n-nodes-base@2.41.2`
//! `dist/nodes/HighLevel/v1/description/*.js`; defaults are resource `contact`, operation `create`.
use super::{json_str, line_of};
use crate::method::Method;
use crate::pathmatch::normalize;
use crate::rules::RuleSet;
use crate::scan::extract::{FileScan, apply_rule};
use crate::scan::finding::{Confidence, Context, Finding, Kind};
use crate::scan::url::{self, HostKind};
use serde_json::Value;

/// (resource, operation, method, V1 path) of the n8n HighLevel v1 node.
pub const V1_OPERATIONS: &[(&str, &str, Method, &str)] = &[
    ("contact", "create", Method::Post, "/v1/contacts/"),
    (
        "contact",
        "delete",
        Method::Delete,
        "/v1/contacts/{contactId}",
    ),
    ("contact", "get", Method::Get, "/v1/contacts/{contactId}"),
    ("contact", "getAll", Method::Get, "/v1/contacts/"),
    ("contact", "lookup", Method::Get, "/v1/contacts/lookup"),
    ("contact", "update", Method::Put, "/v1/contacts/{contactId}"),
    (
        "opportunity",
        "create",
        Method::Post,
        "/v1/pipelines/{pipelineId}/opportunities/",
    ),
    (
        "opportunity",
        "delete",
        Method::Delete,
        "/v1/pipelines/{pipelineId}/opportunities/{opportunityId}",
    ),
    (
        "opportunity",
        "get",
        Method::Get,
        "/v1/pipelines/{pipelineId}/opportunities/{opportunityId}",
    ),
    (
        "opportunity",
        "getAll",
        Method::Get,
        "/v1/pipelines/{pipelineId}/opportunities",
    ),
    (
        "opportunity",
        "update",
        Method::Put,
        "/v1/pipelines/{pipelineId}/opportunities/{opportunityId}",
    ),
    (
        "task",
        "create",
        Method::Post,
        "/v1/contacts/{contactId}/tasks/",
    ),
    (
        "task",
        "delete",
        Method::Delete,
        "/v1/contacts/{contactId}/tasks/{taskId}",
    ),
    (
        "task",
        "get",
        Method::Get,
        "/v1/contacts/{contactId}/tasks/{taskId}",
    ),
    (
        "task",
        "getAll",
        Method::Get,
        "/v1/contacts/{contactId}/tasks/",
    ),
    (
        "task",
        "update",
        Method::Put,
        "/v1/contacts/{contactId}/tasks/{taskId}",
    ),
];

fn expression_re() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| regex::Regex::new(r"\{\{.*?\}\}").unwrap())
}

/// The workflows in an n8n export: one workflow object, or an array of them (n8n API export).
fn workflow_nodes(w: &Value) -> Option<&Vec<Value>> {
    w.get("nodes")
        .and_then(Value::as_array)
        .filter(|_| w.get("connections").is_some())
}

fn workflows(v: &Value) -> Vec<(String, &Vec<Value>)> {
    let one = workflow_nodes;
    match v {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, w)| one(w).map(|n| (format!("/{i}/nodes"), n)))
            .collect(),
        w => one(w)
            .map(|n| vec![("/nodes".to_string(), n)])
            .unwrap_or_default(),
    }
}

/// Reads an n8n workflow export; `None` when `v` is not one.
pub fn extract(rel: &str, src: &str, v: &Value, rules: &RuleSet) -> Option<FileScan> {
    let wfs = workflows(v);
    if wfs.is_empty() {
        return None;
    }
    let mut out = FileScan::default();
    let mut cursor = 0;
    for (base, nodes) in wfs {
        for (i, node) in nodes.iter().enumerate() {
            let ptr = format!("{base}/{i}");
            let name = node.get("name").and_then(Value::as_str).unwrap_or("");
            let node_from = cursor;
            let (line, at) = line_of(src, &json_str(name), cursor);
            cursor = at;
            let ty = node.get("type").and_then(Value::as_str).unwrap_or("");
            let version = node
                .get("typeVersion")
                .and_then(Value::as_f64)
                .unwrap_or(1.0);
            let creds = node.get("credentials");
            let has = |c: &str| creds.and_then(|x| x.get(c)).is_some();
            let params = node.get("parameters").cloned().unwrap_or(Value::Null);
            let mk = |kind: Kind, line: usize, pointer: String| {
                let mut f = Finding::new(kind, rel, line, 1, Context::Export);
                f.json_pointer = Some(pointer);
                f.lang = Some("n8n");
                f.snippet = crate::scan::secrets::redact_line(
                    src.lines().nth(line - 1).unwrap_or("").trim(),
                );
                f
            };
            if ty == "n8n-nodes-base.highLevel" || ty == "n8n-nodes-base.highLevelTool" {
                let v1 = (version < 2.0 || has("highLevelApi")) && !has("highLevelOAuth2Api");
                if !v1 {
                    if has("highLevelApi") {
                        let mut f = mk(Kind::Mention, line, ptr.clone());
                        f.note = Some(format!(
                            "n8n node '{name}' is the V2 node but uses the V1 `highLevelApi` credential: inconsistent"
                        ));
                        f.confidence = Confidence::Medium;
                        out.findings.push(f);
                    }
                    continue;
                }
                let resource = params
                    .get("resource")
                    .and_then(Value::as_str)
                    .unwrap_or("contact");
                let operation = params
                    .get("operation")
                    .and_then(Value::as_str)
                    .unwrap_or("create");
                let mut f = mk(Kind::ExportNode, line, ptr.clone());
                f.host = Some("rest.gohighlevel.com".into());
                match V1_OPERATIONS
                    .iter()
                    .find(|(r, o, _, _)| *r == resource && *o == operation)
                {
                    Some((_, _, m, path)) => {
                        f.method = Some(*m);
                        f.method_source = Some(format!(
                            "n8n HighLevel v1 node operation {resource}.{operation}"
                        ));
                        apply_rule(rules, &mut f, &normalize(path));
                        f.note = Some(format!(
                            "n8n node '{name}' (highLevel v{version}, {resource}.{operation}): replace with the HighLevel v2 node and a highLevelOAuth2Api credential"
                        ));
                    }
                    None => {
                        f.note = Some(format!(
                            "n8n node '{name}': unknown HighLevel v1 operation {resource}.{operation}"
                        ))
                    }
                }
                out.findings.push(f);
            } else if ty == "n8n-nodes-base.httpRequest" {
                let Some(u) = params.get("url").and_then(Value::as_str) else {
                    continue;
                };
                // n8n expressions (`{{ $json.id }}`) are run-time parts of the path.
                let url_text = expression_re()
                    .replace_all(u.trim_start_matches('=').trim(), "{}")
                    .into_owned();
                for h in url::find_urls(&url_text)
                    .into_iter()
                    .filter(|h| h.kind == HostKind::V1)
                {
                    let (uline, _) = line_of(src, &json_str(u), node_from);
                    let mut f = mk(Kind::ExportNode, uline, format!("{ptr}/parameters/url"));
                    f.host = Some(h.host.clone());
                    let (m, how) = match params
                        .get("method")
                        .or(params.get("requestMethod"))
                        .and_then(Value::as_str)
                    {
                        Some(m) => (
                            Method::parse(m),
                            format!("n8n HTTP Request node method {m}"),
                        ),
                        None => (
                            Some(Method::Get),
                            "n8n HTTP Request node default GET".to_string(),
                        ),
                    };
                    f.method = m;
                    f.method_source = Some(how);
                    apply_rule(rules, &mut f, &normalize(&h.rest));
                    f.note = Some(format!("n8n HTTP Request node '{name}'"));
                    out.findings.push(f);
                }
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_match_rules() {
        let rules = RuleSet::embedded();
        for (r, o, m, p) in V1_OPERATIONS {
            let mut f = Finding::new(Kind::ExportNode, "x", 1, 1, Context::Export);
            f.method = Some(*m);
            apply_rule(&rules, &mut f, &normalize(p));
            assert!(f.rule.is_some(), "{r}.{o} → {m} {p} has no rule");
        }
    }

    #[test]
    fn reads_v1_nodes_and_defaults() {
        let src = r#"{"name":"wf","nodes":[
 {"name":"Create HL","type":"n8n-nodes-base.highLevel","typeVersion":1,"parameters":{},"credentials":{"highLevelApi":{"id":"1","name":"HL"}}},
 {"name":"Get opp","type":"n8n-nodes-base.highLevel","typeVersion":1,"parameters":{"resource":"opportunity","operation":"get"}},
 {"name":"V2","type":"n8n-nodes-base.highLevel","typeVersion":2,"parameters":{},"credentials":{"highLevelOAuth2Api":{"id":"2"}}},
 {"name":"Call","type":"n8n-nodes-base.httpRequest","typeVersion":4.2,"parameters":{"url":"= https://rest.gohighlevel.com/v1/contacts/{{$json.id}}","method":"PUT"}}
],"connections":{}}"#;
        let v: Value = serde_json::from_str(src).unwrap();
        let out = extract("wf.json", src, &v, &RuleSet::embedded()).unwrap();
        let got: Vec<(Option<String>, usize, Option<String>)> = out
            .findings
            .iter()
            .map(|f| (f.rule.clone(), f.line, f.json_pointer.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some("contacts.create".into()), 2, Some("/nodes/0".into())),
                (Some("opportunities.get".into()), 3, Some("/nodes/1".into())),
                (
                    Some("contacts.update".into()),
                    5,
                    Some("/nodes/3/parameters/url".into())
                ),
            ]
        );
    }
}
