//! n8n workflows: the dedicated HighLevel node (v1 = V1 API) and HTTP Request nodes.
use super::request::{self, Request};
use super::{Cx, Loc};
use crate::method::Method;
use crate::pathmatch::normalize;
use crate::scan::extract::apply_rule;
use crate::scan::finding::{Confidence, Kind};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// `rules/reference/n8n-highlevel-v1.yaml`.
#[derive(Debug, Deserialize)]
pub struct Table {
    pub package: String,
    pub version: String,
    pub base_url: String,
    pub default_resource: String,
    pub default_operation: String,
    pub operations: BTreeMap<String, Op>,
}

#[derive(Debug, Deserialize)]
pub struct Op {
    pub method: Method,
    pub path: String,
}

/// The embedded operation → V1 endpoint table.
pub fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        serde_norway::from_str(include_str!(
            "../../../rules/reference/n8n-highlevel-v1.yaml"
        ))
        .expect("rules/reference/n8n-highlevel-v1.yaml")
    })
}

pub fn scan(cx: &mut Cx, v: &Value) {
    if let Some(a) = v.as_array() {
        for (i, w) in a.iter().enumerate() {
            workflow(cx, w, &Loc::here(format!("/{i}")));
        }
    } else if let Some(a) = v.get("data").and_then(Value::as_array) {
        for (i, w) in a.iter().enumerate() {
            workflow(cx, w, &Loc::here(format!("/data/{i}")));
        }
    } else {
        workflow(cx, v, &Loc::here(""));
    }
}

fn version(node: &Value) -> f64 {
    match node.get("typeVersion") {
        Some(Value::Number(n)) => n.as_f64().unwrap_or(1.0),
        Some(Value::String(s)) => s.parse().unwrap_or(1.0),
        _ => 1.0,
    }
}

fn workflow(cx: &mut Cx, w: &Value, at: &Loc) {
    let Some(nodes) = w.get("nodes").and_then(Value::as_array) else {
        return;
    };
    for (i, node) in nodes.iter().enumerate() {
        let loc = at.join("nodes").join(i);
        let ty = node.get("type").and_then(Value::as_str).unwrap_or("");
        let name = node.get("name").and_then(Value::as_str).unwrap_or("?");
        let ver = version(node);
        let creds = node.get("credentials").and_then(Value::as_object);
        let v1_cred = creds.is_some_and(|c| c.contains_key("highLevelApi"));
        match ty.strip_prefix("n8n-nodes-base.") {
            Some("highLevel") if ver < 2.0 => highlevel_v1(cx, node, name, ver, &loc),
            Some("highLevel" | "highLevelTool") if v1_cred => {
                let mut f =
                    cx.finding(Kind::Mention, &loc.join("credentials").join("highLevelApi"));
                f.confidence = Confidence::Medium;
                f.note = Some(format!(
                    "n8n node '{name}' ({} v{ver}) is a V2 node but references the V1 API-key credential highLevelApi: inconsistent, switch it to highLevelOAuth2Api",
                    ty.trim_start_matches("n8n-nodes-base.")
                ));
                cx.push(f);
            }
            Some("httpRequest" | "httpRequestTool") => http(cx, node, name, ver, v1_cred, &loc),
            _ => {}
        }
    }
}

fn highlevel_v1(cx: &mut Cx, node: &Value, name: &str, ver: f64, loc: &Loc) {
    let t = table();
    let p = node.get("parameters");
    let param = |k: &str| p.and_then(|p| p.get(k)).and_then(Value::as_str);
    let resource = param("resource").unwrap_or(&t.default_resource);
    let operation = param("operation").unwrap_or(&t.default_operation);
    let op_name = format!("{resource}.{operation}");
    let mut f = cx.finding(Kind::ExportNode, &loc.join("type"));
    f.host = Some("rest.gohighlevel.com".into());
    f.base_source = Some(format!(
        "n8n highLevel v1 node base URL {} ({} {})",
        t.base_url, t.package, t.version
    ));
    let mut note = format!(
        "n8n node '{name}' (highLevel v{ver}, {op_name}): replace with the HighLevel v2 node and a highLevelOAuth2Api credential"
    );
    match t.operations.get(&op_name) {
        Some(op) => {
            f.method = Some(op.method);
            f.method_source = Some(format!(
                "n8n highLevel v1 operation {op_name} ({} {})",
                t.package, t.version
            ));
            apply_rule(cx.rules, &mut f, &normalize(&op.path));
            if let Some(n) = f.note.take() {
                note.push_str(&format!("; {n}"));
            }
        }
        None => {
            f.confidence = Confidence::Medium;
            note.push_str("; operation not in the n8n-nodes-base table");
        }
    }
    f.note = Some(note);
    cx.push(f);
}

fn http(cx: &mut Cx, node: &Value, name: &str, ver: f64, v1_cred: bool, loc: &Loc) {
    let Some(p) = node.get("parameters").filter(|p| p.is_object()) else {
        return;
    };
    let ploc = loc.join("parameters");
    let mut r = Request {
        label: format!(
            "n8n node '{name}' ({} v{ver})",
            node.get("type")
                .and_then(Value::as_str)
                .unwrap_or("")
                .trim_start_matches("n8n-nodes-base.")
        ),
        ..Request::default()
    };
    if let Some(u) = p.get("url").and_then(Value::as_str) {
        r.url = Some((u.to_string(), ploc.join("url")));
    }
    r.method =
        request::method(p.get("method"), "n8n httpRequest parameters.method").or_else(|| {
            request::method(
                p.get("requestMethod"),
                "n8n httpRequest parameters.requestMethod",
            )
        });
    if r.method.is_none() && p.get("method").is_none() && p.get("requestMethod").is_none() {
        r.method = Some((Method::Get, "default GET of n8n httpRequest".into()));
    }
    for key in ["headerParameters", "headerParametersUi", "headers"] {
        r.headers
            .extend(request::headers(p.get(key), &ploc.join(key)));
    }
    if p.get("nodeCredentialType").and_then(Value::as_str) == Some("highLevelApi") {
        r.v1_credential = Some((
            ploc.join("nodeCredentialType"),
            "authenticates with n8n's V1 API-key credential highLevelApi".into(),
        ));
    } else if v1_cred {
        r.v1_credential = Some((
            loc.join("credentials").join("highLevelApi"),
            "authenticates with n8n's V1 API-key credential highLevelApi".into(),
        ));
    }
    cx.request(r);
}
