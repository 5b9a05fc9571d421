//! Make (Integromat) blueprints: HTTP modules anywhere in the flow tree and HighLevel app modules.
use super::request::{self, Request};
use super::{Cx, Loc};
use crate::method::Method;
use crate::scan::finding::{Confidence, Kind};
use serde_json::Value;

pub fn scan(cx: &mut Cx, v: &Value) {
    walk(cx, v, &Loc::here(""));
}

/// Every object with a `module`, wherever routers, error handlers or subflows nest it.
fn walk(cx: &mut Cx, v: &Value, at: &Loc) {
    match v {
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                walk(cx, x, &at.join(i));
            }
        }
        Value::Object(o) => {
            if let Some(m) = o.get("module").and_then(Value::as_str) {
                module(cx, v, m, at);
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

fn module(cx: &mut Cx, v: &Value, m: &str, at: &Loc) {
    let id = v
        .get("id")
        .map(|i| i.to_string())
        .unwrap_or_else(|| "?".into());
    if m.starts_with("highlevel:") {
        let mut f = cx.finding(Kind::Mention, &at.join("module"));
        f.confidence = Confidence::Low;
        f.note = Some(format!(
            "HighLevel app module — check whether its connection is a deprecated API-key connection (Make module {id}, {m})"
        ));
        cx.push(f);
        return;
    }
    if !matches!(m, "http:ActionSendData" | "http:MakeRequest") && !m.starts_with("http:") {
        return;
    }
    let Some(mapper) = v.get("mapper").filter(|x| x.is_object()) else {
        return;
    };
    let mloc = at.join("mapper");
    let mut r = Request {
        label: format!("Make module {id} ({m})"),
        ..Request::default()
    };
    if let Some(u) = mapper.get("url").and_then(Value::as_str) {
        r.url = Some((u.to_string(), mloc.join("url")));
    }
    r.method = request::method(mapper.get("method"), "Make HTTP module mapper.method");
    if mapper.get("method").is_none() {
        r.method = Some((Method::Get, "default GET of Make HTTP module".into()));
    }
    r.headers = request::headers(mapper.get("headers"), &mloc.join("headers"));
    cx.request(r);
}
