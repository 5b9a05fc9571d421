//! Insomnia exports: v4 (`_type: export`, JSON or YAML) and v5 YAML collections.
use super::request::{self, Request, Vars};
use super::{Cx, Loc};
use crate::method::Method;
use serde_json::Value;
use std::collections::HashMap;

fn s<'v>(v: &'v Value, k: &str) -> Option<&'v str> {
    v.get(k).and_then(Value::as_str)
}

/// Bearer auth of an Insomnia `authentication` object: `Some(None)` = explicitly none, `None` = inherit.
fn auth_token(a: Option<&Value>, at: &Loc) -> Option<Option<(String, Loc)>> {
    let a = a.filter(|a| a.as_object().is_some_and(|o| !o.is_empty()))?;
    if a.get("disabled").and_then(Value::as_bool) == Some(true) {
        return Some(None);
    }
    match s(a, "type") {
        Some("bearer") => Some(s(a, "token").map(|t| (t.to_string(), at.join("token")))),
        Some("inherit") => None,
        _ => Some(None),
    }
}

fn emit(cx: &mut Cx, r_at: &Loc, req: &Value, vars: &Vars, token: Option<(String, Loc)>) {
    let name = s(req, "name").unwrap_or("?");
    let mut r = Request {
        label: format!("Insomnia request '{name}'"),
        ..Request::default()
    };
    if let Some(u) = s(req, "url") {
        let (resolved, used) = vars.resolve(u);
        r.base_source = request::describe_vars(&used);
        r.url = Some((resolved, r_at.join("url")));
    }
    r.method = request::method(req.get("method"), "Insomnia request method");
    if req.get("method").is_none() {
        r.method = Some((Method::Get, "default GET of Insomnia request".into()));
    }
    let hkey = if req.get("headers").is_some() {
        "headers"
    } else {
        "header"
    };
    for h in request::headers(req.get(hkey), &r_at.join(hkey)) {
        let (value, loc) = vars.token(&h.value, &h.loc);
        r.headers.push(request::Header { value, loc, ..h });
    }
    if let Some((t, loc)) = token {
        r.tokens.push(vars.token(&t, &loc));
    }
    cx.request(r);
}

pub fn scan_v4(cx: &mut Cx, v: &Value) {
    let Some(res) = v.get("resources").and_then(Value::as_array) else {
        return;
    };
    let by_id: HashMap<&str, usize> = res
        .iter()
        .enumerate()
        .filter_map(|(i, r)| s(r, "_id").map(|id| (id, i)))
        .collect();
    // Environments: base environments (parent = workspace) first, sub-environments override.
    let mut vars = Vars::default();
    let mut envs: Vec<usize> = (0..res.len())
        .filter(|&i| s(&res[i], "_type") == Some("environment"))
        .collect();
    envs.sort_by_key(|&i| {
        let parent_is_env = s(&res[i], "parentId")
            .and_then(|p| by_id.get(p))
            .is_some_and(|&p| s(&res[p], "_type") == Some("environment"));
        (parent_is_env, i)
    });
    for i in envs {
        let name = s(&res[i], "name").unwrap_or("?");
        vars.set_object(
            res[i].get("data"),
            &Loc::here(format!("/resources/{i}/data")),
            &format!("Insomnia environment '{name}'"),
        );
    }
    for (i, r) in res.iter().enumerate() {
        if s(r, "_type") != Some("request") {
            continue;
        }
        let at = Loc::here(format!("/resources/{i}"));
        // Folder chain (outermost first) for folder environments and inherited auth.
        let mut chain = Vec::new();
        let mut parent = s(r, "parentId");
        while let Some(p) = parent.and_then(|p| by_id.get(p)).copied() {
            if chain.len() > 32
                || chain.contains(&p)
                || s(&res[p], "_type") != Some("request_group")
            {
                break;
            }
            chain.push(p);
            parent = s(&res[p], "parentId");
        }
        let mut rv = vars.clone();
        for &g in chain.iter().rev() {
            let name = s(&res[g], "name").unwrap_or("?");
            rv.set_object(
                res[g].get("environment"),
                &Loc::here(format!("/resources/{g}/environment")),
                &format!("Insomnia folder '{name}' environment"),
            );
        }
        let mut token = auth_token(r.get("authentication"), &at.join("authentication"));
        for &g in &chain {
            if token.is_some() {
                break;
            }
            token = auth_token(
                res[g].get("authentication"),
                &Loc::here(format!("/resources/{g}/authentication")),
            );
        }
        emit(cx, &at, r, &rv, token.flatten());
    }
}

pub fn scan_v5(cx: &mut Cx, v: &Value) {
    let mut vars = Vars::default();
    if let Some(envs) = v.get("environments") {
        vars.set_object(
            envs.get("data"),
            &Loc::here("/environments/data"),
            "Insomnia base environment",
        );
        if let Some(subs) = envs.get("subEnvironments").and_then(Value::as_array) {
            for (i, e) in subs.iter().enumerate() {
                let name = s(e, "name").unwrap_or("?");
                vars.set_object(
                    e.get("data"),
                    &Loc::here(format!("/environments/subEnvironments/{i}/data")),
                    &format!("Insomnia environment '{name}'"),
                );
            }
        }
    }
    children(
        cx,
        v.get("collection"),
        &Loc::here("/collection"),
        &vars,
        None,
    );
}

fn children(
    cx: &mut Cx,
    list: Option<&Value>,
    at: &Loc,
    vars: &Vars,
    inherited: Option<(String, Loc)>,
) {
    let Some(list) = list.and_then(Value::as_array) else {
        return;
    };
    for (i, it) in list.iter().enumerate() {
        let loc = at.join(i);
        let token = match auth_token(it.get("authentication"), &loc.join("authentication")) {
            Some(t) => t,
            None => inherited.clone(),
        };
        if let Some(kids) = it.get("children") {
            let mut fv = vars.clone();
            let name = s(it, "name").unwrap_or("?");
            fv.set_object(
                it.get("environment"),
                &loc.join("environment"),
                &format!("Insomnia folder '{name}' environment"),
            );
            children(cx, Some(kids), &loc.join("children"), &fv, token);
        } else if it.get("url").is_some() {
            emit(cx, &loc, it, vars, token);
        }
    }
}
