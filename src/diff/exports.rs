//! Export rewrites: n8n workflows, Make blueprints, Postman collections and environments, Insomnia v4/v5,
//! HighLevel workflow and Zapier exports, edited as spans of the file's text ([`super::edit`]) at the JSON
//! pointers `scan` reported — never re-serialised.
//!
//! - A request URL is rewritten (host and path, through the code rewriter's [`rewrite::rewrite_url_text`])
//!   only when the whole of it moves with certainty: the rule maps the parameters one to one, the method stays,
//!   and the host is either written in the URL or comes from a base-URL variable that is rewritten too.
//!   Otherwise the URL stays V1 (so `scan` keeps reporting it) and the summary says what to do.
//! - A base-URL variable (Postman collection/environment, Insomnia environment) is rewritten unless a request
//!   built on it stays V1 — then both stay, so no request ends up with a V2 host and a V1 path.
//! - A `Version` header is added to a rewritten request whose headers are a literal list (or map), laid out
//!   like its other headers.
//! - n8n HighLevel nodes move from typeVersion 1 to 2 (credential `highLevelApi` → `highLevelOAuth2Api`,
//!   keeping the credential's id/name) when every parameter they set carries over ([`super::n8n`]).
//! - What needs a human is listed in the summary; in n8n workflows it also goes into the node's `notes`
//!   (shown in the n8n editor), prefixed with the `ghl-migrate:` marker. Other formats have no field for
//!   it, so it is in the summary only.
//! - Keys are never written: a credential value stays as it is, and an edit next to a line holding one is
//!   dropped (the patch would have to show the line).
use super::edit::{self, Doc, Edit};
use super::n8n;
use super::rewrite::{self, MARKER, Outcome};
use crate::rules::RuleSet;
use crate::scan::exports::{self, Format};
use crate::scan::finding::{Finding, Kind};
use crate::scan::lang::Lang;
use regex::Regex;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;

/// What the export rewrites of all files share.
pub struct Ctx<'a> {
    pub rules: &'a RuleSet,
    /// Base-URL variable names defined in any export (`ghl_base_url`, `base`).
    pub base_vars: &'a BTreeSet<String>,
    /// Base-URL variables kept at V1, with the requests on them that need a human first.
    pub blocked: &'a BTreeMap<String, Vec<String>>,
}

pub struct ExportEdit {
    pub text: String,
    pub outcomes: Vec<(usize, Outcome)>,
    /// Findings (scan indexes) whose request URL was rewritten.
    pub url_rewritten: BTreeSet<usize>,
}

fn var_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\{\{\s*(?:_\.)?([A-Za-z0-9_.$\-]+)\s*\}\}").unwrap())
}

/// The variables `{{name}}` / `{{ _.name }}` named in a text.
pub fn vars_in(text: &str) -> Vec<String> {
    var_re()
        .captures_iter(text)
        .map(|c| c[1].to_string())
        .collect()
}

/// The variable a base-URL finding defines (its field name), if it is one.
pub fn base_var_name(f: &Finding) -> Option<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r"field '([^']+)'$").unwrap());
    let n = f.note.as_deref().and_then(|n| re.captures(n))?[1].to_string();
    (!matches!(n.as_str(), "value" | "url")).then_some(n)
}

fn parent(ptr: &str) -> &str {
    ptr.rsplit_once('/').map_or("", |(p, _)| p)
}

fn n8n_node_ptr(ptr: &str) -> Option<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r"^(.*/nodes/\d+)(?:/|$)").unwrap());
    re.captures(ptr).map(|c| c[1].to_string())
}

struct Run<'a, 'c> {
    doc: Doc<'a>,
    format: Format,
    ctx: &'c Ctx<'c>,
    taken: Vec<Edit>,
    outcomes: Vec<(usize, Outcome)>,
    url_rewritten: BTreeSet<usize>,
    /// n8n node pointer → review notes for its `notes` field.
    node_notes: BTreeMap<String, Vec<String>>,
}

/// Rewrites one export file; `None` when the text is not a recognised export.
pub fn rewrite(
    path: &Path,
    src: &str,
    lang: Lang,
    findings: &[(usize, &Finding)],
    ctx: &Ctx,
    secret_lines: &BTreeSet<usize>,
) -> Option<ExportEdit> {
    let yaml = match lang {
        Lang::Json => false,
        Lang::Yaml => true,
        _ => return None,
    };
    // The same size and depth bounds as scan: a deeply nested export is left to the text rewriter.
    if yaml
        && crate::limits::structure_refusal(src, crate::scan::exports::MAX_YAML_BYTES as u64)
            .is_some()
    {
        return None;
    }
    let value: Value = if yaml {
        serde_norway::from_str(src).ok()?
    } else {
        serde_json::from_str(src.trim_start_matches('\u{feff}')).ok()?
    };
    let format = exports::detect(&value, path)?;
    let mut run = Run {
        doc: Doc::new(src, yaml, value, secret_lines),
        format,
        ctx,
        taken: Vec::new(),
        outcomes: Vec::new(),
        url_rewritten: BTreeSet::new(),
        node_notes: BTreeMap::new(),
    };
    for &(i, f) in findings {
        let o = run.finding(i, f);
        if let Some(o) = o {
            run.outcomes.push((i, o));
        }
    }
    run.write_node_notes();
    Some(ExportEdit {
        text: edit::apply(src, &run.taken),
        outcomes: run.outcomes,
        url_rewritten: run.url_rewritten,
    })
}

impl Run<'_, '_> {
    /// Takes a group of edits (all or nothing); the reason when it cannot.
    fn accept(&mut self, edits: Vec<Edit>) -> Result<(), String> {
        if let Some(why) = self.doc.blocked_by_key(&edits) {
            return Err(why);
        }
        for (n, e) in edits.iter().enumerate() {
            if edit::overlaps(&self.taken, e) || edit::overlaps(&edits[..n], e) {
                return Err("overlaps another rewrite in the file".into());
            }
        }
        self.taken.extend(edits);
        Ok(())
    }

    fn note_node(&mut self, f: &Finding, note: &str) {
        if self.format == Format::N8n
            && let Some(node) = f.json_pointer.as_deref().and_then(n8n_node_ptr)
        {
            self.node_notes
                .entry(node)
                .or_default()
                .push(note.to_string());
        }
    }

    /// A marked outcome (also noted on the n8n node).
    fn marked(&mut self, f: &Finding, note: String) -> Outcome {
        self.note_node(f, &note);
        Outcome::Marked(note)
    }

    fn finding(&mut self, i: usize, f: &Finding) -> Option<Outcome> {
        let ptr = f.json_pointer.clone()?;
        match f.kind {
            Kind::Credential => Some(Outcome::Skipped(
                "a key: left untouched (a patch never prints it); replace the key with a V2 credential (Private Integration Token or OAuth) and revoke it".into(),
            )),
            Kind::Mention => self.mention(f, &ptr),
            Kind::BaseUrl => Some(self.base_url(f, &ptr)),
            Kind::Call | Kind::ExportNode => {
                if self.format == Format::N8n && ptr.ends_with("/type") {
                    return Some(self.n8n_node(f, parent(&ptr)));
                }
                Some(self.request(i, f, &ptr))
            }
        }
    }

    /// A V2 n8n HighLevel node that still names the V1 credential: the credential key is renamed.
    fn mention(&mut self, f: &Finding, ptr: &str) -> Option<Outcome> {
        if self.format != Format::N8n || !ptr.ends_with("/credentials/highLevelApi") {
            return None;
        }
        let creds = parent(ptr);
        if self
            .doc
            .get(&format!("{creds}/highLevelOAuth2Api"))
            .is_some()
        {
            return None;
        }
        let e = self
            .doc
            .rename_key(creds, "highLevelApi", "highLevelOAuth2Api")?;
        Some(match self.accept(vec![e]) {
            Ok(()) => Outcome::Marked(format!(
                "rewritten; needs review: {} — credential highLevelApi → highLevelOAuth2Api (id/name kept): create or select a HighLevel OAuth2 credential in n8n",
                node_label(f)
            )),
            Err(why) => Outcome::Skipped(why),
        })
    }

    fn base_url(&mut self, f: &Finding, ptr: &str) -> Outcome {
        if let Some(name) = base_var_name(f)
            && let Some(users) = self.ctx.blocked.get(&name)
        {
            return Outcome::Skipped(format!(
                "base URL variable '{name}' kept at V1: {} built on it need(s) a human first; migrate them, then run diff again",
                users.join(", ")
            ));
        }
        let Some(e) = self
            .doc
            .edit_string(ptr, |s| Some(rewrite::rewrite_host(s)))
        else {
            return Outcome::Skipped("base URL not found as a string value".into());
        };
        match self.accept(vec![e]) {
            Ok(()) => Outcome::Rewritten,
            Err(why) => Outcome::Skipped(why),
        }
    }

    /// The URL text of a request and how to write it back: a string value, or Postman's URL parts.
    fn request(&mut self, i: usize, f: &Finding, ptr: &str) -> Outcome {
        let rules = self.ctx.rules;
        let rule = f.rule.as_deref().and_then(|r| rules.get(r));
        let Some(rule) = rule else {
            let why = f
                .note
                .as_deref()
                .and_then(|n| n.rsplit("; ").next())
                .unwrap_or("unknown V1 endpoint")
                .to_string();
            return self.marked(
                f,
                format!("V1 request left as is: {why}; see `ghl-migrate rules list`"),
            );
        };
        let Some(v2) = &rule.v2 else {
            let w = rule.workaround.clone().unwrap_or_default();
            return self.marked(f, format!("{} has no V2 equivalent: {w}", rule.id));
        };
        let actionable = rewrite::actionable_notes(rule);
        let parts_only = self.format == Format::Postman && ptr.ends_with("/url/host");
        let url = if parts_only {
            postman_built_url(self.doc.get(parent(ptr)))
        } else {
            self.doc
                .get(ptr)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let Some(url) = url else {
            // The finding is the node's V1 credential, not a URL we can see.
            let mut todo = vec![format!(
                "authenticates with a V1 credential and takes its URL from an expression: use a V2 credential and {} {} on https://services.leadconnectorhq.com",
                v2.method, v2.path
            )];
            todo.extend(actionable);
            return self.marked(f, format!("{} — {}", rule.id, todo.join("; ")));
        };
        let u = rewrite::rewrite_url_text(&url, 1, f, rule, v2);
        let review = |mut todo: Vec<String>| {
            todo.extend(actionable.iter().cloned());
            format!("{} — {}", rule.id, todo.join("; "))
        };
        if !u.path_rewritten {
            return self.marked(f, review(u.todo));
        }
        // Where the host comes from: written in the URL, or a base-URL variable that moves too.
        if !crate::scan::url::find_urls(&crate::scan::exports::request::clean_url(&url))
            .iter()
            .any(|h| h.kind == crate::scan::url::HostKind::V1)
        {
            let first = vars_in(&url).into_iter().next();
            match first {
                Some(v) if self.ctx.blocked.contains_key(&v) => {
                    return self.marked(
                        f,
                        review(vec![format!(
                            "its base URL variable '{v}' is shared with a request that needs a human: migrate that one, then run diff again"
                        )]),
                    );
                }
                Some(v) if self.ctx.base_vars.contains(&v) => {}
                _ => {
                    return self.marked(
                        f,
                        review(vec![format!(
                            "the V1 host comes from {}: point it at https://services.leadconnectorhq.com and the path at `{} {}` by hand",
                            first.map_or("outside the URL".into(), |v| format!("`{{{{{v}}}}}`")),
                            v2.method,
                            v2.path
                        )]),
                    );
                }
            }
        }
        let mut edits = Vec::new();
        if parts_only {
            match self.postman_parts(parent(ptr), &u.text) {
                Some(mut e) => edits.append(&mut e),
                None => {
                    return self.marked(
                        f,
                        review(vec![
                            "URL parts could not be rewritten: edit by hand".into(),
                        ]),
                    );
                }
            }
        } else {
            let new = u.text.clone();
            match self.doc.edit_string(ptr, |_| Some(new)) {
                Some(e) => edits.push(e),
                None => {
                    return self.marked(
                        f,
                        review(vec!["URL value could not be edited in place".into()]),
                    );
                }
            }
            if self.format == Format::Postman && ptr.ends_with("/url/raw") {
                match self.postman_sync(parent(ptr), &url, &u.text) {
                    Ok(mut e) => edits.append(&mut e),
                    Err(why) => return self.marked(f, review(vec![why])),
                }
            }
        }
        if let Err(why) = self.accept(edits) {
            return Outcome::Skipped(why);
        }
        self.url_rewritten.insert(i);
        let mut todo = Vec::new();
        if let Some(h) = self.version_header(ptr, &v2.version) {
            todo.push(h);
        }
        todo.extend(actionable);
        if todo.is_empty() {
            Outcome::Rewritten
        } else {
            let n = format!("{} — {}", rule.id, todo.join("; "));
            self.note_node(f, &n);
            Outcome::Marked(format!("rewritten; needs review: {n}"))
        }
    }

    /// Adds `Version: <version>` to the request's literal headers; `Some(todo)` when it could not.
    fn version_header(&mut self, url_ptr: &str, version: &str) -> Option<String> {
        let todo = format!("send the header `Version: {version}`");
        let base = match self.format {
            Format::Postman => {
                let p = url_ptr
                    .strip_suffix("/url/raw")
                    .or_else(|| url_ptr.strip_suffix("/url/host"))
                    .or_else(|| url_ptr.strip_suffix("/url"));
                match p {
                    Some(p) => p.to_string(),
                    None => return Some(format!("{todo} (the request is a bare URL string)")),
                }
            }
            _ => parent(url_ptr).to_string(),
        };
        let candidates: &[&str] = match self.format {
            Format::N8n => &[
                "headerParameters/parameters",
                "headerParametersUi/parameter",
                "headers",
            ],
            Format::Postman => &["header"],
            _ => &["headers", "header"],
        };
        if self.format == Format::N8n
            && self.doc.get(&format!("{base}/sendHeaders")) == Some(&Value::Bool(false))
        {
            return Some(format!("{todo} (the node does not send headers)"));
        }
        let Some((hptr, headers)) = candidates.iter().find_map(|c| {
            let p = format!("{base}/{c}");
            self.doc.get(&p).cloned().map(|v| (p, v))
        }) else {
            return Some(format!("{todo} (the request has no header list)"));
        };
        let edit = match &headers {
            Value::Array(list) => {
                let named = |x: &Value| {
                    x.get("name")
                        .or_else(|| x.get("key"))
                        .and_then(Value::as_str)
                        .map(str::to_string)
                };
                if list
                    .iter()
                    .any(|x| named(x).is_some_and(|n| n.eq_ignore_ascii_case("version")))
                {
                    return None;
                }
                let template = list.iter().rev().find(|x| {
                    x.get("disabled").and_then(Value::as_bool) != Some(true)
                        && x.get("enabled").and_then(Value::as_bool) != Some(false)
                        && named(x).is_some()
                        && x.get("value").is_some_and(Value::is_string)
                });
                let yaml = self.doc.yaml;
                let enc = |s: &str| serde_json::to_string(s).unwrap_or_default();
                let mut pairs: Vec<(String, String)> = Vec::new();
                match template.and_then(Value::as_object) {
                    Some(t) => {
                        for (k, v) in t {
                            match (k.as_str(), v) {
                                ("name" | "key", _) => pairs.push((
                                    k.clone(),
                                    if yaml {
                                        "Version".into()
                                    } else {
                                        enc("Version")
                                    },
                                )),
                                ("value", _) => pairs.push((k.clone(), enc(version))),
                                ("type", Value::String(s)) => pairs.push((k.clone(), enc(s))),
                                _ => {}
                            }
                        }
                    }
                    None => {
                        let name = if self.format == Format::Postman {
                            "key"
                        } else {
                            "name"
                        };
                        pairs.push((
                            name.into(),
                            if yaml {
                                "Version".into()
                            } else {
                                enc("Version")
                            },
                        ));
                        pairs.push(("value".into(), enc(version)));
                        if self.format == Format::Postman {
                            pairs.push(("type".into(), enc("text")));
                        }
                    }
                }
                if yaml {
                    self.doc.yaml_append_mapping(&hptr, &pairs)
                } else {
                    self.doc.json_append_object(&hptr, &pairs)
                }
            }
            Value::Object(map) => {
                if map.keys().any(|k| k.eq_ignore_ascii_case("version")) {
                    return None;
                }
                if self.doc.yaml || !map.values().all(Value::is_string) {
                    None
                } else {
                    self.doc.json_add_member(
                        &hptr,
                        "Version",
                        &serde_json::to_string(version).unwrap_or_default(),
                    )
                }
            }
            _ => None,
        };
        let Some(e) = edit else {
            return Some(format!("{todo} (could not add it to the headers in place)"));
        };
        match self.accept(vec![e]) {
            Ok(()) => None,
            Err(why) => Some(format!("{todo} ({why})")),
        }
    }

    /// Postman `url.host` / `url.path` rebuilt from the rewritten `raw`, when they agreed with the old one.
    fn postman_sync(&self, url_ptr: &str, old: &str, new: &str) -> Result<Vec<Edit>, String> {
        let (oh, op) = split_parts(old);
        let (nh, np) = split_parts(new);
        let mut edits = Vec::new();
        for (key, o, n) in [("host", oh, nh), ("path", op, np)] {
            let p = format!("{url_ptr}/{key}");
            let Some(cur) = self.doc.get(&p) else {
                continue;
            };
            let cur: Option<Vec<String>> = match cur {
                Value::Array(a) => a.iter().map(|x| x.as_str().map(str::to_string)).collect(),
                _ => None,
            };
            if cur.as_ref() != Some(&o) {
                return Err(format!(
                    "url.{key} does not spell out url.raw: rewrite the request's URL by hand"
                ));
            }
            if o != n {
                edits.push(
                    self.doc
                        .json_replace_string_array(&p, &n)
                        .ok_or(format!("url.{key} could not be rewritten in place"))?,
                );
            }
        }
        Ok(edits)
    }

    /// Postman URL object without `raw`: host and path arrays replaced from the rewritten URL.
    fn postman_parts(&self, url_ptr: &str, new: &str) -> Option<Vec<Edit>> {
        let (nh, np) = split_parts(new);
        let mut edits = Vec::new();
        for (key, n) in [("host", nh), ("path", np)] {
            let p = format!("{url_ptr}/{key}");
            if self.doc.get(&p).is_some_and(Value::is_array) {
                if let Some(e) = self.doc.json_replace_string_array(&p, &n) {
                    edits.push(e);
                }
            } else if key == "host" {
                return None;
            }
        }
        Some(edits)
    }

    /// An n8n HighLevel v1 node (finding on its `type`): moved to v2 when its parameters carry over.
    fn n8n_node(&mut self, f: &Finding, node: &str) -> Outcome {
        let params = self.doc.get(&format!("{node}/parameters")).cloned();
        match n8n::plan(params.as_ref()) {
            n8n::Plan::Move(renames) => {
                let mut edits = Vec::new();
                let ver = format!("{node}/typeVersion");
                match self.doc.json_span(&ver) {
                    Some((s, e)) if self.doc.get(&ver).is_some_and(Value::is_number) => {
                        edits.push(Edit {
                            start: s,
                            end: e,
                            text: "2".into(),
                        })
                    }
                    _ => {
                        return self.marked(
                            f,
                            "HighLevel node without a numeric typeVersion: move it to v2 by hand"
                                .into(),
                        );
                    }
                }
                let creds = format!("{node}/credentials");
                if self
                    .doc
                    .get(&format!("{creds}/highLevelOAuth2Api"))
                    .is_some()
                {
                    return self.marked(
                        f,
                        "the node names both highLevelApi and highLevelOAuth2Api credentials: keep the OAuth2 one and move the node to v2 by hand".into(),
                    );
                }
                if self.doc.get(&format!("{creds}/highLevelApi")).is_some() {
                    match self
                        .doc
                        .rename_key(&creds, "highLevelApi", "highLevelOAuth2Api")
                    {
                        Some(e) => edits.push(e),
                        None => {
                            return self.marked(
                                f,
                                "credential reference could not be renamed in place: move the node to v2 by hand".into(),
                            );
                        }
                    }
                }
                for (coll, key, to) in &renames {
                    let obj = if coll.is_empty() {
                        format!("{node}/parameters")
                    } else {
                        format!("{node}/parameters/{coll}")
                    };
                    match self.doc.rename_key(&obj, key, to) {
                        Some(e) => edits.push(e),
                        None => {
                            return self.marked(
                                f,
                                format!("parameter `{key}` → `{to}` could not be renamed in place: move the node to v2 by hand"),
                            );
                        }
                    }
                }
                if let Err(why) = self.accept(edits) {
                    return Outcome::Skipped(why);
                }
                let renamed = if renames.is_empty() {
                    String::new()
                } else {
                    format!(
                        ", parameters renamed ({})",
                        renames
                            .iter()
                            .map(|(_, k, t)| format!("{k} → {t}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                Outcome::Marked(format!(
                    "rewritten; needs review: {} — moved to the HighLevel v2 node{renamed}; its credential reference is now highLevelOAuth2Api but still names the V1 API-key credential's id/name: create or select a HighLevel OAuth2 credential in n8n",
                    node_label(f)
                ))
            }
            n8n::Plan::Review(why) => {
                let rule = f.rule.as_deref().unwrap_or("unknown endpoint");
                self.marked(
                    f,
                    format!(
                        "{rule} — stays on the HighLevel v1 node: {}; move it to the v2 node with a HighLevel OAuth2 credential by hand",
                        why.join("; ")
                    ),
                )
            }
        }
    }

    /// Review notes into each n8n node's `notes` (once: a node already carrying the marker is left alone).
    fn write_node_notes(&mut self) {
        for (node, notes) in std::mem::take(&mut self.node_notes) {
            let text: Vec<String> = notes.iter().map(|n| format!("{MARKER} {n}")).collect();
            let text = text.join("\n");
            let nptr = format!("{node}/notes");
            let e = match self.doc.get(&nptr) {
                Some(Value::String(s)) if s.contains(MARKER) => continue,
                Some(Value::String(_)) => self
                    .doc
                    .edit_string(&nptr, |old| Some(format!("{old}\n\n{text}"))),
                Some(_) => continue,
                None => self.doc.json_add_member(
                    &node,
                    "notes",
                    &serde_json::to_string(&text).unwrap_or_default(),
                ),
            };
            if let Some(e) = e {
                let _ = self.accept(vec![e]);
            }
        }
    }
}

/// `n8n node 'X'` from a finding's note.
fn node_label(f: &Finding) -> String {
    match f.note.as_deref().and_then(|n| n.split_once("' (")) {
        Some((name, _)) => format!("{name}'"),
        None => "n8n node".into(),
    }
}

/// Postman's split of a URL into host and path parts (query and fragment left out).
fn split_parts(url: &str) -> (Vec<String>, Vec<String>) {
    let s = url.trim();
    let s = match s.find("://") {
        Some(i) if !s[..i].contains('/') && !s[..i].contains('{') => &s[i + 3..],
        _ => s,
    };
    let s = s.split(['?', '#']).next().unwrap_or(s);
    let (host, path) = match s.split_once('/') {
        Some((h, p)) => (h, Some(p)),
        None => (s, None),
    };
    let host_parts = if host.contains("{{") {
        vec![host.to_string()]
    } else {
        host.split('.').map(str::to_string).collect()
    };
    let path_parts = path.map_or(Vec::new(), |p| p.split('/').map(str::to_string).collect());
    (host_parts, path_parts)
}

/// `protocol://host.parts/path/parts` of a Postman URL object without `raw`.
fn postman_built_url(u: Option<&Value>) -> Option<String> {
    let u = u?;
    let strings = |k: &str| -> Option<Vec<String>> {
        u.get(k)?
            .as_array()?
            .iter()
            .map(|x| x.as_str().map(str::to_string))
            .collect()
    };
    let host = strings("host")?.join(".");
    let path = strings("path").unwrap_or_default().join("/");
    let proto = u.get("protocol").and_then(Value::as_str).unwrap_or("https");
    Some(format!("{proto}://{host}/{path}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Scans `src` as an export and rewrites it with no other file around.
    fn run(name: &str, src: &str, lang: Lang) -> (String, Vec<Outcome>) {
        let rules = RuleSet::embedded();
        let path = Path::new(name);
        let Some(scan) = exports::scan(path, name, src, lang, &rules) else {
            panic!("not an export")
        };
        let findings: Vec<(usize, &Finding)> = scan.findings.iter().enumerate().collect();
        let base_vars = findings
            .iter()
            .filter(|(_, f)| f.kind == Kind::BaseUrl)
            .filter_map(|(_, f)| base_var_name(f))
            .collect();
        let ctx = Ctx {
            rules: &rules,
            base_vars: &base_vars,
            blocked: &BTreeMap::new(),
        };
        let e = rewrite(path, src, lang, &findings, &ctx, &BTreeSet::new()).unwrap();
        (e.text, e.outcomes.into_iter().map(|(_, o)| o).collect())
    }

    #[test]
    fn n8n_node_with_both_credentials_stays_and_crlf_is_kept() {
        let src = "{\r\n  \"nodes\": [\r\n    {\r\n      \"parameters\": {\"email\": \"e\"},\r\n      \"name\": \"A\",\r\n      \"type\": \"n8n-nodes-base.highLevel\",\r\n      \"typeVersion\": 1,\r\n      \"credentials\": {\"highLevelApi\": {\"id\": \"1\"}, \"highLevelOAuth2Api\": {\"id\": \"2\"}}\r\n    },\r\n    {\r\n      \"parameters\": {\"email\": \"e\"},\r\n      \"name\": \"B\",\r\n      \"type\": \"n8n-nodes-base.highLevel\",\r\n      \"typeVersion\": 1,\r\n      \"credentials\": {\"highLevelApi\": {\"id\": \"1\"}}\r\n    }\r\n  ]\r\n}\r\n";
        let (out, outcomes) = run("w.json", src, Lang::Json);
        assert!(out.contains("\"typeVersion\": 1,\r\n      \"credentials\": {\"highLevelApi\": {\"id\": \"1\"}, \"highLevelOAuth2Api\""), "{out}");
        assert!(out.contains("\"typeVersion\": 2,\r\n      \"credentials\": {\"highLevelOAuth2Api\": {\"id\": \"1\"}}"), "{out}");
        assert!(
            out.contains("},\r\n      \"notes\": \"ghl-migrate: the node names both"),
            "{out}"
        );
        assert!(!out.replace("\r\n", "").contains('\n'), "CRLF kept");
        assert_eq!(outcomes.len(), 2);
        serde_json::from_str::<Value>(&out).unwrap();
    }

    #[test]
    fn postman_raw_and_parts_move_together() {
        let src = r#"{"info": {"schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
 "item": [{"name": "L", "request": {"method": "GET", "header": [{"key": "Accept", "value": "*/*"}],
   "url": {"raw": "https://rest.gohighlevel.com/v1/contacts/lookup?email=a", "protocol": "https",
     "host": ["rest", "gohighlevel", "com"], "path": ["v1", "contacts", "lookup"]}}}]}"#;
        let (out, _) = run("c.postman_collection.json", src, Lang::Json);
        assert!(
            out.contains(
                r#""raw": "https://services.leadconnectorhq.com/contacts/search/duplicate?email=a""#
            ),
            "{out}"
        );
        assert!(out.contains(r#""host": ["services", "leadconnectorhq", "com"], "path": ["contacts", "search", "duplicate"]"#), "{out}");
        assert!(
            out.contains(
                r#"{"key": "Accept", "value": "*/*"}, {"key": "Version", "value": "2021-07-28"}]"#
            ),
            "{out}"
        );
    }

    #[test]
    fn postman_parts() {
        assert_eq!(
            split_parts("{{base}}/contacts/:id?x=1"),
            (
                vec!["{{base}}".to_string()],
                vec!["contacts".to_string(), ":id".to_string()]
            )
        );
        assert_eq!(
            split_parts("https://rest.gohighlevel.com/v1/contacts/"),
            (
                vec!["rest".into(), "gohighlevel".into(), "com".into()],
                vec!["v1".into(), "contacts".into(), "".into()]
            )
        );
        assert_eq!(
            vars_in("{{ _.base }}/x/{{pipeline}}"),
            vec!["base", "pipeline"]
        );
    }
}
