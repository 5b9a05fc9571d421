//! Semantic checks of a rule table: ids, V1 templates, and every V2 target against HighLevel's V2 spec.
use super::load::{Diagnostic, Severity};
use super::model::Rule;
use crate::method::Method;
use crate::spec::V2Spec;
use std::collections::HashMap;

const VERSIONS: &[&str] = &["2021-07-28", "2021-04-15"];

/// Checks rules against each other and against the vendored V2 spec. Returns every problem found.
pub fn check(rules: &[Rule]) -> Vec<Diagnostic> {
    let spec = V2Spec::get();
    let mut out = Vec::new();
    let mut ids: HashMap<&str, &Rule> = HashMap::new();
    let mut shapes: HashMap<String, Vec<&Rule>> = HashMap::new();
    for r in rules {
        let err = |line: usize, msg: String| Diagnostic {
            severity: Severity::Error,
            file: r.file.clone(),
            line,
            column: None,
            message: format!("rule {}: {msg}", r.id),
        };
        if !valid_id(&r.id) {
            out.push(err(
                r.line,
                "id must be dotted lower-case words, e.g. `contacts.get`".into(),
            ));
        }
        if let Some(prev) = ids.insert(&r.id, r) {
            out.push(err(
                r.line,
                format!(
                    "duplicate id (first defined at {}:{})",
                    prev.file, prev.line
                ),
            ));
        }
        match template_shape(&r.v1.path) {
            Ok(shape) => shapes.entry(shape).or_default().push(r),
            Err(msg) => out.push(err(r.lines.v1, format!("v1.path {:?}: {msg}", r.v1.path))),
        }
        match &r.v2 {
            None => {
                if r.reason.as_deref().is_none_or(str::is_empty)
                    || r.workaround.as_deref().is_none_or(str::is_empty)
                {
                    out.push(err(
                        r.lines.v2,
                        "`v2: none` needs a `reason` and the nearest `workaround`".into(),
                    ));
                }
            }
            Some(t) => {
                if t.method == Method::Any {
                    out.push(err(
                        r.lines.v2,
                        "v2.method must be a concrete HTTP method".into(),
                    ));
                }
                match spec.operation(t.method, &t.path) {
                    None => {
                        let hint = spec
                            .similar_path(t.method, &t.path)
                            .map(|o| format!("; did you mean {:?}?", o.path))
                            .unwrap_or_default();
                        out.push(err(
                            r.lines.v2_path,
                            format!(
                                "V2 operation {} {} is not in HighLevel's V2 OpenAPI spec{hint}",
                                t.method, t.path
                            ),
                        ));
                    }
                    Some(op) => {
                        if t.scopes.is_empty() {
                            out.push(err(r.lines.v2_scopes, "v2.scopes is empty".into()));
                        }
                        for s in &t.scopes {
                            if t.scope_evidence.is_some() {
                                if !spec.is_known_scope(s) {
                                    out.push(err(
                                        r.lines.v2_scopes,
                                        format!("unknown V2 scope {s:?}"),
                                    ));
                                }
                            } else if op.scopes.is_empty() {
                                out.push(err(
                                    r.lines.v2_scopes,
                                    format!(
                                        "{} {} declares no scope in the spec: say where {s:?} comes from in `scope_evidence`",
                                        t.method, t.path
                                    ),
                                ));
                            } else if !op.scopes.contains(s) {
                                let declared: Vec<&str> =
                                    op.scopes.iter().map(String::as_str).collect();
                                let what = if spec.is_known_scope(s) {
                                    "scope"
                                } else {
                                    "unknown scope"
                                };
                                out.push(err(
                                    r.lines.v2_scopes,
                                    format!(
                                        "{what} {s:?} is not declared by {} {} (spec declares: {})",
                                        t.method,
                                        t.path,
                                        declared.join(", ")
                                    ),
                                ));
                            }
                        }
                        let ok_version = match &op.version {
                            Some(v) if !v.is_empty() => v.iter().any(|x| x == &t.version),
                            _ => VERSIONS.contains(&t.version.as_str()),
                        };
                        if !ok_version {
                            out.push(err(
                                r.lines.v2,
                                format!(
                                    "Version {:?} is not accepted by {} {} (spec: {:?})",
                                    t.version, t.method, t.path, op.version
                                ),
                            ));
                        }
                        if op.deprecated && !t.deprecated {
                            out.push(Diagnostic {
                                severity: Severity::Warning,
                                ..err(r.lines.v2, format!("{} {} is deprecated in the spec: mark it `deprecated: true`", t.method, t.path))
                            });
                        }
                    }
                }
            }
        }
        for alt in &r.alternatives {
            match spec.operation(alt.method, &alt.path) {
                None => out.push(err(
                    r.lines.v2,
                    format!(
                        "alternative {} {} is not in HighLevel's V2 OpenAPI spec",
                        alt.method, alt.path
                    ),
                )),
                Some(op) => {
                    for s in &alt.scopes {
                        if !op.scopes.contains(s) && !spec.is_known_scope(s) {
                            out.push(err(
                                r.lines.v2,
                                format!("alternative: unknown V2 scope {s:?}"),
                            ));
                        }
                    }
                }
            }
        }
        if let Some(d) = &r.docs
            && !d.starts_with("https://")
        {
            out.push(err(
                r.line,
                format!("docs must be an https:// link, got {d:?}"),
            ));
        }
        for c in &r.changes {
            if let Some(l) = &c.location
                && !matches!(l.as_str(), "query" | "body" | "path" | "header")
            {
                out.push(err(
                    r.line,
                    format!("change `in` must be query, body, path or header, got {l:?}"),
                ));
            }
        }
    }
    // Two rules overlap when the same concrete request could match both with equal specificity.
    let mut shape_list: Vec<_> = shapes.into_iter().collect();
    shape_list.sort_by(|a, b| a.0.cmp(&b.0));
    for (shape, list) in shape_list {
        for (i, a) in list.iter().enumerate() {
            for b in &list[i + 1..] {
                let m = a.v1.method == b.v1.method
                    || a.v1.method == Method::Any
                    || b.v1.method == Method::Any;
                if m {
                    out.push(Diagnostic {
                        severity: Severity::Error,
                        file: b.file.clone(),
                        line: b.lines.v1,
                        column: None,
                        message: format!(
                            "rule {}: V1 template {} {} overlaps rule {} ({} {}, {}:{}) — shape {shape}",
                            b.id, b.v1.method, b.v1.path, a.id, a.v1.method, a.v1.path, a.file, a.lines.v1
                        ),
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| (&a.file, a.line, &a.message).cmp(&(&b.file, b.line, &b.message)));
    out
}

fn valid_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('.').collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
}

/// `/v1/contacts/{id}/` → `/v1/contacts/{}`; errors on malformed templates.
fn template_shape(path: &str) -> Result<String, String> {
    if !(path == "/v1" || path.starts_with("/v1/")) {
        return Err("must start with /v1/".into());
    }
    let mut out = String::new();
    for seg in path.trim_end_matches('/').split('/').skip(1) {
        if seg.is_empty() {
            return Err("empty path segment".into());
        }
        out.push('/');
        if seg.starts_with('{') {
            if !seg.ends_with('}') || seg.len() < 3 || seg[1..seg.len() - 1].contains(['{', '}']) {
                return Err(format!("malformed parameter segment {seg:?}"));
            }
            out.push_str("{}");
        } else if seg.contains(['{', '}', '?', '#', ' ']) {
            return Err(format!("segment {seg:?} mixes a parameter with text"));
        } else {
            out.push_str(&seg.to_ascii_lowercase());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(
            template_shape("/v1/contacts/{id}/").unwrap(),
            "/v1/contacts/{}"
        );
        assert!(template_shape("/contacts/{id}").is_err());
        assert!(template_shape("/v1/contacts/{id").is_err());
        assert!(template_shape("/v1/contacts/x{id}").is_err());
    }

    #[test]
    fn ids() {
        assert!(valid_id("contacts.get"));
        assert!(valid_id("contacts.campaigns.remove_all"));
        assert!(!valid_id("contacts"));
        assert!(!valid_id("Contacts.get"));
    }
}
