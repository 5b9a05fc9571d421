//! Zapier "export Zap data" JSON: Webhooks by Zapier steps (`url`, `method`, `headers`).
use super::request::{self, Request};
use super::{Cx, Loc};
use crate::method::Method;
use serde_json::Value;

fn app(step: &Value) -> Option<&str> {
    step.get("selected_api")
        .or_else(|| step.get("app"))
        .and_then(Value::as_str)
}

fn steps(zap: &Value) -> bool {
    match zap.get("nodes").or_else(|| zap.get("steps")) {
        Some(Value::Object(o)) => o.values().any(|s| app(s).is_some()),
        Some(Value::Array(a)) => a.iter().any(|s| app(s).is_some()),
        _ => false,
    }
}

pub fn is_zap_export(v: &Value) -> bool {
    v.get("zaps")
        .and_then(Value::as_array)
        .is_some_and(|z| z.iter().any(steps))
        || steps(v)
}

pub fn scan(cx: &mut Cx, v: &Value) {
    if let Some(zaps) = v.get("zaps").and_then(Value::as_array) {
        for (i, z) in zaps.iter().enumerate() {
            zap(cx, z, &Loc::here(format!("/zaps/{i}")));
        }
    } else {
        zap(cx, v, &Loc::here(""));
    }
}

fn zap(cx: &mut Cx, z: &Value, at: &Loc) {
    let title = z.get("title").and_then(Value::as_str).unwrap_or("?");
    let list: Vec<(String, &Value)> = match (z.get("nodes"), z.get("steps")) {
        (Some(Value::Object(o)), _) => o.iter().map(|(k, s)| (format!("nodes/{k}"), s)).collect(),
        (_, Some(Value::Array(a))) => a
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("steps/{i}"), s))
            .collect(),
        _ => Vec::new(),
    };
    for (rel, s) in list {
        let Some(api) = app(s) else { continue };
        if !api.to_ascii_lowercase().contains("webhook") {
            continue;
        }
        let mut loc = at.clone();
        for t in rel.split('/') {
            loc = loc.join(t);
        }
        let params_key = if s.get("params").is_some() {
            "params"
        } else {
            "parameters"
        };
        let Some(p) = s.get(params_key).filter(|p| p.is_object()) else {
            continue;
        };
        let ploc = loc.join(params_key);
        let action = s.get("action").and_then(Value::as_str).unwrap_or("");
        let step_title = s.get("title").and_then(Value::as_str).unwrap_or(action);
        let mut r = Request {
            label: format!("Zap '{title}' step '{step_title}' (Webhooks by Zapier {action})"),
            ..Request::default()
        };
        if let Some(u) = p.get("url").and_then(Value::as_str) {
            r.url = Some((u.to_string(), ploc.join("url")));
        }
        r.method =
            request::method(p.get("method"), "Webhooks by Zapier params.method").or_else(|| {
                Method::parse(action).map(|m| (m, format!("Webhooks by Zapier action {action}")))
            });
        r.headers = request::headers(p.get("headers"), &ploc.join("headers"));
        cx.request(r);
    }
}
