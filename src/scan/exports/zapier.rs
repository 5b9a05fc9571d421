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
    // Each step's location, joined token by token: node ids are object keys and may hold `/` or `~`,
    // which the pointer must escape.
    let list: Vec<(Loc, &Value)> = match (z.get("nodes"), z.get("steps")) {
        (Some(Value::Object(o)), _) => o
            .iter()
            .map(|(k, s)| (at.join("nodes").join(k), s))
            .collect(),
        (_, Some(Value::Array(a))) => a
            .iter()
            .enumerate()
            .map(|(i, s)| (at.join("steps").join(i), s))
            .collect(),
        _ => Vec::new(),
    };
    for (loc, s) in list {
        let Some(api) = app(s) else { continue };
        if !api.to_ascii_lowercase().contains("webhook") {
            continue;
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

#[cfg(test)]
mod tests {
    use crate::rules::RuleSet;
    use crate::scan::exports::{Outcome, analyze};
    use crate::scan::lang::Lang;
    use std::path::Path;

    #[test]
    fn node_ids_with_slashes_are_escaped_in_pointers() {
        // Found by fuzzing (fuzz target `export_zapier`): a node id holding `/` was split into two
        // pointer tokens, so the pointer named no value and the finding fell back to line 1.
        let src = "{\"zaps\": [{\"title\": \"z\", \"nodes\": {\n\"1/2~3\": {\"selected_api\": \"WebHookCLIAPI@1.0.31\", \"action\": \"post\",\n\"params\": {\"url\": \"https://rest.gohighlevel.com/v1/contacts/\"}}}}]}";
        let Outcome::Export(_, scan) = analyze(
            Path::new("zap.json"),
            "zap.json",
            src,
            Lang::Json,
            &RuleSet::embedded(),
        ) else {
            panic!("not read as a Zap export");
        };
        let f = scan
            .findings
            .iter()
            .find(|f| {
                f.json_pointer
                    .as_deref()
                    .is_some_and(|p| p.ends_with("/url"))
            })
            .unwrap();
        assert_eq!(
            f.json_pointer.as_deref(),
            Some("/zaps/0/nodes/1~12~03/params/url")
        );
        assert_eq!(f.line, 3);
        let v: serde_json::Value = serde_json::from_str(src).unwrap();
        assert!(v.pointer(f.json_pointer.as_deref().unwrap()).is_some());
    }
}
