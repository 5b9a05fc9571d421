//! HighLevel's own workflow export: Webhook / Custom Webhook action steps.
use super::request::{self, Request};
use super::{Cx, Loc};
use crate::method::Method;
use serde_json::Value;

fn is_webhook_step(v: &Value) -> bool {
    matches!(
        v.get("type").and_then(Value::as_str),
        Some("custom_webhook" | "webhook")
    ) && v.get("attributes").is_some_and(Value::is_object)
}

fn any_step(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.iter().any(any_step),
        Value::Object(o) => is_webhook_step(v) || o.values().any(any_step),
        _ => false,
    }
}

/// The `ghl-workflow-export` envelope, or a workflow with `templates[]` steps holding a webhook action.
pub fn is_workflow_export(v: &Value) -> bool {
    v.get("$schema")
        .and_then(Value::as_str)
        .is_some_and(|x| x.starts_with("ghl-workflow-export"))
        || ["workflow", "workflowData", "templates"]
            .iter()
            .any(|k| v.get(k).is_some_and(any_step))
}

pub fn scan(cx: &mut Cx, v: &Value) {
    walk(cx, v, &Loc::here(""));
}

fn walk(cx: &mut Cx, v: &Value, at: &Loc) {
    match v {
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                walk(cx, x, &at.join(i));
            }
        }
        Value::Object(o) => {
            if is_webhook_step(v) {
                step(cx, v, at);
            }
            for (k, x) in o {
                if x.is_array() || x.is_object() {
                    walk(cx, x, &at.join(k));
                }
            }
        }
        _ => {}
    }
}

fn step(cx: &mut Cx, v: &Value, at: &Loc) {
    let attrs = &v["attributes"];
    let aloc = at.join("attributes");
    let ty = v.get("type").and_then(Value::as_str).unwrap_or("");
    let name = v.get("name").and_then(Value::as_str).unwrap_or("?");
    let mut r = Request {
        label: format!("HighLevel workflow step '{name}' ({ty})"),
        ..Request::default()
    };
    if let Some(u) = attrs.get("url").and_then(Value::as_str) {
        r.url = Some((u.to_string(), aloc.join("url")));
    }
    r.method = request::method(
        attrs.get("method"),
        "HighLevel webhook action attributes.method",
    );
    if attrs.get("method").is_none() {
        r.method = Some((
            Method::Post,
            "default POST of HighLevel webhook action".into(),
        ));
    }
    r.headers = request::headers(attrs.get("headers"), &aloc.join("headers"));
    cx.request(r);
}
