//! The one helper every format uses: a request (URL + method + headers + auth) → findings; plus header
//! shapes and `{{var}}` resolution shared by the formats.
use super::{Cx, Loc};
use crate::method::Method;
use crate::pathmatch::normalize;
use crate::scan::extract::apply_rule;
use crate::scan::finding::{Confidence, Kind};
use crate::scan::url::{self, HostKind, UrlHit};
use serde_json::Value;
use std::collections::HashMap;

/// A request node as read from an export.
#[derive(Debug, Default, Clone)]
pub struct Request {
    /// Names the node in notes: `n8n node 'Get contact' (httpRequest v4.2)`.
    pub label: String,
    /// The URL as written (or after variable resolution) and where it sits.
    pub url: Option<(String, Loc)>,
    /// How variables in the URL were resolved.
    pub base_source: Option<String>,
    /// The method and where it came from (`n8n httpRequest parameters.method`).
    pub method: Option<(Method, String)>,
    pub headers: Vec<Header>,
    /// Bearer tokens from the auth settings (already resolved) and where their value sits.
    pub tokens: Vec<(String, Loc)>,
    /// The node authenticates with a V1 credential type (n8n `highLevelApi`), and why we think so.
    pub v1_credential: Option<(Loc, String)>,
}

#[derive(Debug, Clone)]
pub struct Header {
    pub name: String,
    pub value: String,
    pub loc: Loc,
}

/// The URL text without n8n's `=` expression marker or surrounding blanks, and with `{{ expr }}` holes
/// collapsed (so that URL matching does not stop at the blanks inside them).
pub fn clean_url(raw: &str) -> String {
    let t = raw.trim();
    let t = t.strip_prefix('=').unwrap_or(t).trim();
    let mut out = String::with_capacity(t.len());
    let mut rest = t;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        match rest[i..].find("}}") {
            Some(j) => {
                out.push_str("{var}");
                rest = &rest[i + j + 2..];
            }
            None => {
                rest = &rest[i..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A mention for HighLevel URLs that are not V1 but worth a look (broken V2, made-up hosts).
pub fn mention(cx: &mut Cx, loc: &Loc, h: &UrlHit, label: Option<&str>) {
    let note = match h.kind {
        HostKind::V2 if url::base_has_v1(&h.rest) && !url::is_bare_base(&h.rest) => {
            "V2 host with a V1-style /v1 path: a broken V2 call (V2 paths have no /v1 prefix)"
        }
        HostKind::Suspicious => "api.gohighlevel.com is neither the V1 nor the V2 API host",
        _ => return,
    };
    let mut f = cx.finding(Kind::Mention, loc);
    f.host = Some(h.host.clone());
    f.confidence = Confidence::Low;
    f.note = Some(match label {
        Some(l) => format!("{l}: {note}"),
        None => note.into(),
    });
    cx.push(f);
}

/// Header names whose value is a credential.
fn auth_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "authorization"
        || n.contains("token")
        || n.contains("api-key")
        || n.contains("apikey")
        || n.contains("api_key")
}

/// The token in an auth header value: `=Bearer x`, `Bearer x`, `x`. `None` for expressions.
pub fn bearer_token(value: &str) -> Option<&str> {
    let v = value.trim();
    let v = v.strip_prefix('=').unwrap_or(v).trim();
    let v = match v.get(..7) {
        Some(p) if p.eq_ignore_ascii_case("bearer ") => v[7..].trim(),
        _ => v,
    };
    (!v.is_empty() && !v.contains("{{") && !v.contains(char::is_whitespace)).then_some(v)
}

impl Cx<'_> {
    /// Findings for one request: an `export_node` for a V1 URL (or a V1 credential type), mentions for
    /// broken/suspicious HighLevel URLs, `credential` findings for inline tokens.
    pub fn request(&mut self, r: Request) {
        let mut v1 = false;
        if let Some((raw, loc)) = &r.url {
            let clean = clean_url(raw);
            let hit = url::find_urls(&clean).into_iter().next();
            match hit {
                Some(h) if h.kind == HostKind::V1 => {
                    v1 = true;
                    let mut f = self.finding(Kind::ExportNode, loc);
                    f.host = Some(h.host.clone());
                    if let Some((m, src)) = &r.method {
                        f.method = Some(*m);
                        f.method_source = Some(src.clone());
                    }
                    f.base_source = r.base_source.clone();
                    let p = normalize(&h.rest);
                    let extra = match p.first_literal() {
                        Some("v1") => {
                            apply_rule(self.rules, &mut f, &p);
                            f.note.take()
                        }
                        Some("v2") => {
                            f.v1_path = Some(p.to_string());
                            Some(
                                "V1 host with a made-up /v2 path: this has never worked (404)"
                                    .into(),
                            )
                        }
                        _ if url::is_bare_base(&h.rest) => {
                            f.v1_path = Some(p.to_string());
                            Some("request to the bare V1 base URL".into())
                        }
                        _ => {
                            f.v1_path = Some(p.to_string());
                            Some("V1 host without the /v1 prefix".into())
                        }
                    };
                    let mut note = r.label.clone();
                    if let Some((_, why)) = &r.v1_credential {
                        note.push_str(&format!("; {why}"));
                    }
                    if let Some(x) = extra {
                        note.push_str(&format!("; {x}"));
                    }
                    f.note = Some(note);
                    self.push(f);
                }
                Some(h) => mention(self, loc, &h, Some(&r.label)),
                None => {}
            }
        }
        if !v1 && let Some((loc, why)) = &r.v1_credential {
            v1 = true;
            let mut f = self.finding(Kind::ExportNode, loc);
            f.host = Some("rest.gohighlevel.com".into());
            if let Some((m, src)) = &r.method {
                f.method = Some(*m);
                f.method_source = Some(src.clone());
            }
            f.confidence = Confidence::Medium;
            let mut note = format!("{}; {why}", r.label);
            // `{{ $env.BASE }}/contacts/` with a V1 credential: the path is a V1 path under the V1 base.
            let clean = r
                .url
                .as_ref()
                .map(|(u, _)| clean_url(u))
                .unwrap_or_default();
            if let Some(rest) = clean.strip_prefix("{var}").filter(|x| x.starts_with('/')) {
                let p = normalize(rest);
                let p = if p.first_literal() == Some("v1") {
                    p
                } else {
                    p.with_v1_prefix()
                };
                f.base_source = Some(
                    "base URL not written; assumed https://rest.gohighlevel.com/v1 (V1 credential)"
                        .into(),
                );
                apply_rule(self.rules, &mut f, &p);
                if let Some(n) = f.note.take() {
                    note.push_str(&format!("; {n}"));
                }
            }
            f.note = Some(note);
            self.push(f);
        }
        for h in &r.headers {
            if auth_header(&h.name)
                && let Some(t) = bearer_token(&h.value)
            {
                let note = format!("inline token in header '{}' of {}", h.name, r.label);
                self.credential(t, &h.loc, v1, note);
            }
        }
        for (t, loc) in &r.tokens {
            if let Some(t) = bearer_token(t) {
                let note = format!("bearer token of {}", r.label);
                self.credential(t, loc, v1, note);
            }
        }
    }
}

/// Headers in every shape exports use: `{name: value}` maps, `[{name|key, value, disabled}]`,
/// `{parameters: [...]}` / `{parameter: [...]}` (n8n), `[[name, value]]`.
pub fn headers(v: Option<&Value>, loc: &Loc) -> Vec<Header> {
    let mut out = Vec::new();
    let Some(v) = v else { return out };
    match v {
        Value::Object(o) => {
            for key in ["parameters", "parameter"] {
                if let Some(inner) = o.get(key).filter(|x| x.is_array()) {
                    return headers(Some(inner), &loc.join(key));
                }
            }
            for (k, x) in o {
                if let Some(s) = x.as_str() {
                    out.push(Header {
                        name: k.clone(),
                        value: s.to_string(),
                        loc: loc.join(k),
                    });
                }
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let at = loc.join(i);
                match x {
                    Value::Object(o) => {
                        if o.get("disabled").and_then(Value::as_bool) == Some(true)
                            || o.get("enabled").and_then(Value::as_bool) == Some(false)
                        {
                            continue;
                        }
                        let name = o
                            .get("name")
                            .or_else(|| o.get("key"))
                            .and_then(Value::as_str);
                        if let (Some(n), Some(val)) = (name, o.get("value").and_then(Value::as_str))
                        {
                            out.push(Header {
                                name: n.to_string(),
                                value: val.to_string(),
                                loc: at.join("value"),
                            });
                        }
                    }
                    Value::Array(pair) => {
                        if let (Some(n), Some(val)) = (
                            pair.first().and_then(Value::as_str),
                            pair.get(1).and_then(Value::as_str),
                        ) {
                            out.push(Header {
                                name: n.to_string(),
                                value: val.to_string(),
                                loc: at.join(1),
                            });
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    out
}

/// A variable's value, where it is defined, and what defined it (for `base_source`).
#[derive(Debug, Clone)]
pub struct Var {
    pub value: String,
    pub loc: Loc,
    pub origin: String,
}

/// `{{var}}` / `{{ _.var }}` variables; later inserts override earlier ones.
#[derive(Debug, Clone, Default)]
pub struct Vars(pub HashMap<String, Var>);

impl Vars {
    pub fn set(&mut self, name: &str, value: &str, loc: Loc, origin: &str) {
        self.0.insert(
            name.to_string(),
            Var {
                value: value.to_string(),
                loc,
                origin: origin.to_string(),
            },
        );
    }

    /// Adds every string member of an object (`{name: value}`, Insomnia environments).
    pub fn set_object(&mut self, v: Option<&Value>, loc: &Loc, origin: &str) {
        if let Some(o) = v.and_then(Value::as_object) {
            for (k, x) in o {
                if let Some(s) = x.as_str() {
                    self.set(k, s, loc.join(k), origin);
                }
            }
        }
    }

    /// Adds `[{key, value, disabled|enabled}]` lists (Postman variables and environments).
    pub fn set_list(&mut self, v: Option<&Value>, loc: &Loc, origin: &str) {
        if let Some(a) = v.and_then(Value::as_array) {
            for (i, x) in a.iter().enumerate() {
                if x.get("disabled").and_then(Value::as_bool) == Some(true)
                    || x.get("enabled").and_then(Value::as_bool) == Some(false)
                {
                    continue;
                }
                let key = x
                    .get("key")
                    .or_else(|| x.get("name"))
                    .and_then(Value::as_str);
                if let (Some(k), Some(val)) = (key, x.get("value").and_then(Value::as_str)) {
                    self.set(k, val, loc.join(i).join("value"), origin);
                }
            }
        }
    }

    fn get(&self, expr: &str) -> Option<&Var> {
        let name = expr.trim();
        let name = name.strip_prefix("_.").unwrap_or(name).trim();
        self.0.get(name)
    }

    /// `s` with known variables replaced (a few rounds for variables defined through others), and the
    /// variables used.
    pub fn resolve(&self, s: &str) -> (String, Vec<(String, Var)>) {
        let mut cur = s.to_string();
        let mut used = Vec::new();
        for _ in 0..4 {
            let mut out = String::with_capacity(cur.len());
            let mut rest = cur.as_str();
            let mut changed = false;
            while let Some(i) = rest.find("{{") {
                let Some(j) = rest[i..].find("}}") else { break };
                let expr = &rest[i + 2..i + j];
                out.push_str(&rest[..i]);
                match self.get(expr) {
                    Some(v) if out.len() + v.value.len() < 8192 => {
                        out.push_str(&v.value);
                        used.push((expr.trim().to_string(), v.clone()));
                        changed = true;
                    }
                    _ => out.push_str(&rest[i..i + j + 2]),
                }
                rest = &rest[i + j + 2..];
            }
            out.push_str(rest);
            cur = out;
            if !changed {
                break;
            }
        }
        (cur, used)
    }

    /// The value of a token written as exactly one variable (`{{token}}`), with its location.
    pub fn token(&self, written: &str, at: &Loc) -> (String, Loc) {
        let t = written.trim();
        if let Some(inner) = t.strip_prefix("{{").and_then(|x| x.strip_suffix("}}"))
            && !inner.contains("{{")
            && let Some(v) = self.get(inner)
        {
            return (v.value.clone(), v.loc.clone());
        }
        if let Some(rest) = t.get(..7).filter(|p| p.eq_ignore_ascii_case("bearer "))
            && let Some(inner) = t[rest.len()..]
                .trim()
                .strip_prefix("{{")
                .and_then(|x| x.strip_suffix("}}"))
            && let Some(v) = self.get(inner)
        {
            return (v.value.clone(), v.loc.clone());
        }
        (t.to_string(), at.clone())
    }
}

/// `base_source` text for the variables a URL used.
pub fn describe_vars(used: &[(String, Var)]) -> Option<String> {
    let parts: Vec<String> = used
        .iter()
        .map(|(n, v)| format!("{{{{{n}}}}} from {}", v.origin))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// A method name from an export (`get`, `POST`); `None` for expressions.
pub fn method(v: Option<&Value>, source: &str) -> Option<(Method, String)> {
    let m = Method::parse(v?.as_str()?)?;
    Some((m, source.to_string()))
}
