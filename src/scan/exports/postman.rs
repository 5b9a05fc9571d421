//! Postman collections (v2.0 / v2.1) with their collection, folder and environment variables, and Postman
//! environment files on their own.
use super::request::{self, Request, Vars};
use super::{Cx, Ext, Loc};
use crate::method::Method;
use serde_json::Value;
use std::path::Path;

/// Environment files beside the collection (`*.postman_environment.json`), read for variable values.
fn environments(cx: &mut Cx, path: &Path) -> Vars {
    let mut vars = Vars::default();
    let Some(dir) = path.parent() else {
        return vars;
    };
    let Ok(rd) = std::fs::read_dir(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    }) else {
        return vars;
    };
    let mut files: Vec<_> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().is_some_and(|n| {
                n.to_string_lossy()
                    .to_ascii_lowercase()
                    .ends_with(".postman_environment.json")
            })
        })
        .collect();
    files.sort();
    let rel_dir = cx.rel.rfind('/').map_or("", |i| &cx.rel[..=i]).to_string();
    for p in files {
        if std::fs::metadata(&p).map_or(true, |m| m.len() > 4 << 20) {
            continue;
        }
        let Ok(src) = std::fs::read_to_string(&p) else {
            continue;
        };
        let Ok(value) = serde_json::from_str::<Value>(src.trim_start_matches('\u{feff}')) else {
            continue;
        };
        let name = p
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        cx.ext.push(Ext {
            rel: format!("{rel_dir}{name}"),
            src,
            value,
        });
        let file = cx.ext.len();
        let at = Loc {
            file,
            ptr: "/values".into(),
        };
        let vals = cx.ext[file - 1].value.get("values").cloned();
        vars.set_list(vals.as_ref(), &at, &format!("environment {name}"));
    }
    vars
}

pub fn scan(cx: &mut Cx, v: &Value, path: &Path) {
    let mut vars = Vars::default();
    vars.set_list(
        v.get("variable"),
        &Loc::here("/variable"),
        "collection variable",
    );
    let env = environments(cx, path);
    let auth = v.get("auth").map(|a| (a, Loc::here("/auth")));
    items(
        cx,
        v.get("item"),
        &Loc::here("/item"),
        &vars,
        &env,
        auth,
        "",
    );
}

type Auth<'v> = Option<(&'v Value, Loc)>;

fn items(
    cx: &mut Cx,
    list: Option<&Value>,
    at: &Loc,
    vars: &Vars,
    env: &Vars,
    auth: Auth,
    folder: &str,
) {
    let Some(list) = list.and_then(Value::as_array) else {
        return;
    };
    for (i, it) in list.iter().enumerate() {
        let loc = at.join(i);
        let name = it.get("name").and_then(Value::as_str).unwrap_or("?");
        let path = if folder.is_empty() {
            name.to_string()
        } else {
            format!("{folder} / {name}")
        };
        let own_auth = it
            .get("auth")
            .map(|a| (a, loc.join("auth")))
            .or_else(|| auth.clone());
        if let Some(children) = it.get("item") {
            let mut fv = vars.clone();
            fv.set_list(
                it.get("variable"),
                &loc.join("variable"),
                &format!("folder '{name}' variable"),
            );
            items(
                cx,
                Some(children),
                &loc.join("item"),
                &fv,
                env,
                own_auth,
                &path,
            );
        } else if let Some(req) = it.get("request") {
            let mut all = vars.clone();
            all.0.extend(env.0.clone());
            request_item(cx, req, &loc.join("request"), &all, own_auth, &path);
        }
    }
}

fn request_item(cx: &mut Cx, req: &Value, at: &Loc, vars: &Vars, auth: Auth, name: &str) {
    let mut r = Request {
        label: format!("Postman request '{name}'"),
        ..Request::default()
    };
    let (raw, url_loc) = match req {
        Value::String(s) => (Some(s.clone()), at.clone()),
        _ => match req.get("url") {
            Some(Value::String(s)) => (Some(s.clone()), at.join("url")),
            Some(u @ Value::Object(_)) => {
                if let Some(s) = u.get("raw").and_then(Value::as_str) {
                    (Some(s.to_string()), at.join("url").join("raw"))
                } else {
                    (built_url(u), at.join("url").join("host"))
                }
            }
            _ => (None, at.clone()),
        },
    };
    if let Some(raw) = raw {
        let (resolved, used) = vars.resolve(&raw);
        r.base_source = request::describe_vars(&used);
        r.url = Some((resolved, url_loc));
    }
    r.method = request::method(req.get("method"), "Postman request.method");
    if req.get("method").is_none() {
        r.method = Some((Method::Get, "default GET of Postman request".into()));
    }
    for h in request::headers(req.get("header"), &at.join("header")) {
        let (value, loc) = vars.token(&h.value, &h.loc);
        r.headers.push(request::Header { value, loc, ..h });
    }
    let own = req.get("auth").map(|a| (a, at.join("auth"))).or(auth);
    if let Some((a, aloc)) = own
        && a.get("type").and_then(Value::as_str) == Some("bearer")
    {
        match a.get("bearer") {
            Some(Value::Array(list)) => {
                for (i, kv) in list.iter().enumerate() {
                    if kv.get("key").and_then(Value::as_str) == Some("token")
                        && let Some(t) = kv.get("value").and_then(Value::as_str)
                    {
                        r.tokens
                            .push(vars.token(t, &aloc.join("bearer").join(i).join("value")));
                    }
                }
            }
            Some(o @ Value::Object(_)) => {
                if let Some(t) = o.get("token").and_then(Value::as_str) {
                    r.tokens
                        .push(vars.token(t, &aloc.join("bearer").join("token")));
                }
            }
            _ => {}
        }
    }
    cx.request(r);
}

/// `protocol://host.parts/path/parts` from a URL object without `raw`.
fn built_url(u: &Value) -> Option<String> {
    let join = |k: &str, sep: &str| match u.get(k) {
        Some(Value::Array(a)) => Some(
            a.iter()
                .filter_map(|x| {
                    x.as_str()
                        .map(str::to_string)
                        .or_else(|| x.get("value").and_then(Value::as_str).map(str::to_string))
                })
                .collect::<Vec<_>>()
                .join(sep),
        ),
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    let host = join("host", ".")?;
    let path = join("path", "/").unwrap_or_default();
    let proto = u.get("protocol").and_then(Value::as_str).unwrap_or("https");
    Some(format!("{proto}://{host}/{path}"))
}

/// A Postman environment file on its own: its values are checked like any export field (base URLs,
/// keys by name); it counts as V1 context when a collection beside it talks to a V1 host.
pub fn environment(cx: &mut Cx, v: &Value, path: &Path) {
    if let Some(vals) = v.get("values").and_then(Value::as_array) {
        for (i, x) in vals.iter().enumerate() {
            if let Some(k) = x.get("key").and_then(Value::as_str) {
                cx.env_names.insert(format!("/values/{i}"), k.to_string());
            }
        }
    }
    let Some(dir) = path.parent() else { return };
    let Ok(rd) = std::fs::read_dir(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    }) else {
        return;
    };
    for e in rd.filter_map(Result::ok) {
        let p = e.path();
        let is_json = p
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("json"));
        if !is_json || p == path || std::fs::metadata(&p).map_or(true, |m| m.len() > 4 << 20) {
            continue;
        }
        if let Ok(text) = std::fs::read_to_string(&p) {
            let lower = text.to_ascii_lowercase();
            if lower.contains("getpostman.com")
                && (lower.contains("rest.gohighlevel.com")
                    || lower.contains("rest.leadconnectorhq.com"))
            {
                cx.v1 = true;
                return;
            }
        }
    }
}
