//! Workflow and collection exports read structurally: n8n workflows, Make blueprints, Postman collections
//! and environments, Insomnia v4/v5, HighLevel workflow exports and Zapier Zap exports.
//!
//! Detection is by content, never by file name. A recognised export is parsed (serde_json / serde_norway),
//! each request-like node goes through one shared helper ([`request`]: URL + method + headers + auth →
//! findings), and every remaining string value is checked for V1 URLs and keys. Every finding carries the
//! RFC 6901 `json_pointer` of its value and the 1-based line of that value in the file ([`jsonpos`],
//! [`yamlpos`]). Anything malformed or hostile falls back to the plain text scan with a reason.
pub mod highlevel;
pub mod insomnia;
pub mod jsonpos;
pub mod make;
pub mod n8n;
pub mod postman;
pub mod request;
pub mod shape;
pub mod yamlpos;
pub mod zapier;

use super::extract::{BaseValue, Def, FileScan};
use super::finding::{Confidence, Context, Finding, Kind};
use super::lang::Lang;
use super::lines::LineIndex;
use super::url::{self, HostKind};
use super::{names, secrets};
use crate::credential;
use crate::rules::RuleSet;
use serde_json::Value;
use std::collections::HashSet;
use std::path::Path;

/// A recognised export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    N8n,
    Make,
    Postman,
    PostmanEnvironment,
    InsomniaV4,
    InsomniaV5,
    HighLevelWorkflow,
    Zapier,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::N8n => "n8n workflow",
            Format::Make => "Make blueprint",
            Format::Postman => "Postman collection",
            Format::PostmanEnvironment => "Postman environment",
            Format::InsomniaV4 => "Insomnia v4 export",
            Format::InsomniaV5 => "Insomnia v5 collection",
            Format::HighLevelWorkflow => "HighLevel workflow export",
            Format::Zapier => "Zapier Zap export",
        }
    }
}

/// What [`analyze`] made of a file.
#[derive(Debug)]
pub enum Outcome {
    /// A recognised export, scanned structurally.
    Export(Format, FileScan),
    /// Not an export: the caller scans it as before.
    NotExport,
    /// Looked like an export but could not be read structurally (the reason); scan it as text.
    Fallback(String),
}

/// Larger JSON files are scanned as text only.
pub const MAX_BYTES: usize = 32 << 20;
/// Larger YAML files are scanned as text only (YAML parsing is slower and allocation-heavy).
pub const MAX_YAML_BYTES: usize = 4 << 20;
/// Deeper YAML (by indentation or flow brackets) is scanned as text only.
pub const MAX_YAML_DEPTH: usize = 64;

/// The structured scan of `src` when it is a recognised export, else `None` (scan it as text).
pub fn scan(path: &Path, rel: &str, src: &str, lang: Lang, rules: &RuleSet) -> Option<FileScan> {
    match analyze(path, rel, src, lang, rules) {
        Outcome::Export(_, s) => Some(s),
        Outcome::NotExport | Outcome::Fallback(_) => None,
    }
}

/// Detects and scans an export, saying why when it falls back.
pub fn analyze(path: &Path, rel: &str, src: &str, lang: Lang, rules: &RuleSet) -> Outcome {
    let yaml = match lang {
        Lang::Json => false,
        Lang::Yaml => true,
        _ => return Outcome::NotExport,
    };
    let value = if yaml {
        if !(src.contains("__export_format") || src.contains("collection.insomnia.rest")) {
            return Outcome::NotExport;
        }
        match parse_yaml(src) {
            Ok(v) => v,
            Err(why) => return Outcome::Fallback(why),
        }
    } else {
        let head = src.trim_start_matches('\u{feff}').trim_start();
        if !(head.starts_with('{') || head.starts_with('[')) {
            return Outcome::NotExport;
        }
        if src.len() > MAX_BYTES {
            return Outcome::Fallback(format!(
                "JSON larger than {} MiB: not parsed as an export, scanned as text",
                MAX_BYTES >> 20
            ));
        }
        let body = src.trim_start_matches('\u{feff}');
        if !shape::may_be_export(body) {
            return Outcome::NotExport;
        }
        match serde_json::from_str::<Value>(body) {
            Ok(v) => v,
            Err(e) => {
                return Outcome::Fallback(format!("not parseable as JSON ({e}): scanned as text"));
            }
        }
    };
    let Some(format) = detect(&value, path) else {
        return Outcome::NotExport;
    };
    let mut cx = Cx::new(rel, src, yaml, rules, format);
    match format {
        Format::N8n => n8n::scan(&mut cx, &value),
        Format::Make => make::scan(&mut cx, &value),
        Format::Postman => postman::scan(&mut cx, &value, path),
        Format::PostmanEnvironment => postman::environment(&mut cx, &value, path),
        Format::InsomniaV4 => insomnia::scan_v4(&mut cx, &value),
        Format::InsomniaV5 => insomnia::scan_v5(&mut cx, &value),
        Format::HighLevelWorkflow => highlevel::scan(&mut cx, &value),
        Format::Zapier => zapier::scan(&mut cx, &value),
    }
    Outcome::Export(format, cx.finish(&value))
}

/// Parses a YAML export after guarding size, nesting and anchors (alias bombs).
fn parse_yaml(src: &str) -> Result<Value, String> {
    if src.len() > MAX_YAML_BYTES {
        return Err(format!(
            "YAML larger than {} MiB: not parsed as an export, scanned as text",
            MAX_YAML_BYTES >> 20
        ));
    }
    if yamlpos::depth(src) > MAX_YAML_DEPTH {
        return Err(format!(
            "YAML nested deeper than {MAX_YAML_DEPTH} levels: not parsed as an export, scanned as text"
        ));
    }
    if yamlpos::has_alias(src) {
        return Err(
            "YAML anchors/aliases are not expanded in exports (alias-bomb guard): scanned as text"
                .into(),
        );
    }
    serde_norway::from_str::<Value>(src)
        .map_err(|e| format!("not parseable as YAML ({e}): scanned as text"))
}

fn s<'v>(v: &'v Value, k: &str) -> Option<&'v str> {
    v.get(k).and_then(Value::as_str)
}

fn is_n8n_workflow(v: &Value) -> bool {
    v.get("nodes")
        .and_then(Value::as_array)
        .is_some_and(|nodes| {
            nodes.iter().any(|n| {
                s(n, "type")
                    .is_some_and(|t| t.starts_with("n8n-nodes-base.") || t.starts_with("@n8n/"))
            })
        })
}

fn has_make_module(v: &Value) -> bool {
    v.get("flow")
        .and_then(Value::as_array)
        .is_some_and(|f| f.iter().any(|m| s(m, "module").is_some()))
}

/// Which export `v` is, by content.
pub fn detect(v: &Value, path: &Path) -> Option<Format> {
    if let Some(arr) = v.as_array() {
        return arr.iter().any(is_n8n_workflow).then_some(Format::N8n);
    }
    v.as_object()?;
    if s(v, "_type") == Some("export") && v.get("resources").is_some_and(Value::is_array) {
        return Some(Format::InsomniaV4);
    }
    if s(v, "type").is_some_and(|t| t.starts_with("collection.insomnia.rest/")) {
        return Some(Format::InsomniaV5);
    }
    let info = v.get("info");
    if info
        .and_then(|i| s(i, "schema"))
        .is_some_and(|x| x.contains("getpostman.com") && x.contains("collection"))
        || (info.is_some_and(|i| i.get("_postman_id").is_some()) && v.get("item").is_some())
    {
        return Some(Format::Postman);
    }
    let env_name = path.file_name().is_some_and(|n| {
        n.to_string_lossy()
            .to_ascii_lowercase()
            .ends_with(".postman_environment.json")
    });
    if s(v, "_postman_variable_scope") == Some("environment")
        || (env_name && v.get("values").is_some_and(Value::is_array))
    {
        return Some(Format::PostmanEnvironment);
    }
    if is_n8n_workflow(v)
        || v.get("data")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(is_n8n_workflow))
    {
        return Some(Format::N8n);
    }
    if has_make_module(v)
        || v.get("subflows")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(has_make_module))
    {
        return Some(Format::Make);
    }
    if zapier::is_zap_export(v) {
        return Some(Format::Zapier);
    }
    if highlevel::is_workflow_export(v) {
        return Some(Format::HighLevelWorkflow);
    }
    None
}

/// Where a value sits: this file (`file == 0`) or a sibling file read for context (`ext[file - 1]`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Loc {
    pub file: usize,
    pub ptr: String,
}

impl Loc {
    pub fn here(ptr: impl Into<String>) -> Loc {
        Loc {
            file: 0,
            ptr: ptr.into(),
        }
    }

    /// The pointer of a child member or element.
    pub fn join(&self, token: impl std::fmt::Display) -> Loc {
        Loc {
            file: self.file,
            ptr: format!("{}/{}", self.ptr, jsonpos::escape(&token.to_string())),
        }
    }
}

/// A sibling file read for context (a Postman environment beside its collection).
pub struct Ext {
    pub rel: String,
    pub src: String,
    pub value: Value,
}

/// The per-file state of an export scan.
pub struct Cx<'a> {
    pub rel: &'a str,
    pub src: &'a str,
    pub yaml: bool,
    pub rules: &'a RuleSet,
    pub format: Format,
    pub ext: Vec<Ext>,
    li: LineIndex<'a>,
    findings: Vec<Finding>,
    raw: Vec<String>,
    covered: HashSet<Loc>,
    /// The file talks to V1 (a V1 request or base URL was reported).
    pub v1: bool,
    /// Postman environment file: `/values/<i>` → variable name.
    pub env_names: std::collections::HashMap<String, String>,
}

impl<'a> Cx<'a> {
    pub fn new(rel: &'a str, src: &'a str, yaml: bool, rules: &'a RuleSet, format: Format) -> Self {
        Cx {
            rel,
            src,
            yaml,
            rules,
            format,
            ext: Vec::new(),
            li: LineIndex::new(src),
            findings: Vec::new(),
            raw: Vec::new(),
            covered: HashSet::new(),
            v1: false,
            env_names: Default::default(),
        }
    }

    /// A finding located at `loc`, context `export`, snippet = the raw line (redacted in [`Cx::finish`]).
    pub fn finding(&mut self, kind: Kind, loc: &Loc) -> Finding {
        self.covered.insert(loc.clone());
        let (rel, src, yaml) = if loc.file == 0 {
            (self.rel.to_string(), self.src, self.yaml)
        } else {
            let e = &self.ext[loc.file - 1];
            (e.rel.clone(), e.src.as_str(), false)
        };
        let mut off = if yaml {
            yamlpos::offset(src, &loc.ptr)
        } else {
            jsonpos::offset(src, &loc.ptr)
        }
        .unwrap_or(0);
        if src.as_bytes().get(off) == Some(&b'"') {
            off += 1;
        }
        let (line, column, text) = if loc.file == 0 {
            let l = self.li.line(off);
            (l, self.li.column(off), self.li.text(l))
        } else {
            let li = LineIndex::new(src);
            let l = li.line(off);
            (l, li.column(off), li.text(l))
        };
        let mut f = Finding::new(kind, &rel, line, column, Context::Export);
        f.json_pointer = Some(loc.ptr.clone());
        f.snippet = text.to_string();
        f.lang = Some(if yaml { "yaml" } else { "json" });
        f
    }

    pub fn push(&mut self, f: Finding) {
        if matches!(f.kind, Kind::ExportNode | Kind::BaseUrl | Kind::Call) {
            self.v1 = true;
        }
        self.findings.push(f);
    }

    pub fn is_covered(&self, loc: &Loc) -> bool {
        self.covered.contains(loc)
    }

    /// A credential finding for `token` used at `loc`, when it is one.
    pub fn credential(&mut self, token: &str, loc: &Loc, v1: bool, note: String) {
        let token = token.trim();
        if self.covered.contains(loc) {
            return;
        }
        // A value held in a Postman environment is described the same way whichever file's scan reports
        // it (the collection using it, or the environment file itself), so the two reports deduplicate.
        let note = self.env_var_note(loc).unwrap_or(note);
        let Some(c) = credential::classify_by_use(token, v1) else {
            return;
        };
        let by_shape = credential::classify(token).is_some();
        let mut f = self.finding(Kind::Credential, loc);
        f.confidence = if by_shape {
            Confidence::High
        } else {
            Confidence::Medium
        };
        f.credential = Some(c);
        f.note = Some(note);
        self.raw.push(token.to_string());
        self.findings.push(f);
    }

    fn env_var_note(&self, loc: &Loc) -> Option<String> {
        let (value, is_env) = if loc.file == 0 {
            (None, self.format == Format::PostmanEnvironment)
        } else {
            (Some(&self.ext[loc.file - 1].value), true)
        };
        let item = loc
            .ptr
            .strip_suffix("/value")
            .filter(|p| is_env && p.starts_with("/values/"))?;
        let name = match value {
            Some(v) => v.pointer(item)?.get("key")?.as_str()?.to_string(),
            None => self.env_names.get(item)?.clone(),
        };
        Some(format!("value of Postman environment variable '{name}'"))
    }

    /// Every string value not yet reported: V1 URLs (base URLs, or mentions outside request fields),
    /// then keys; then snippets are redacted.
    fn finish(mut self, value: &Value) -> FileScan {
        let mut strings = Vec::new();
        collect_strings(value, &mut String::new(), None, &mut strings);
        let mut defs = Vec::new();
        for (ptr, text, name) in &strings {
            let loc = Loc::here(ptr.clone());
            if self.covered.contains(&loc) {
                continue;
            }
            let clean = request::clean_url(text);
            let Some(h) = url::find_urls(&clean).into_iter().next() else {
                continue;
            };
            let field = name
                .as_deref()
                .unwrap_or_else(|| ptr.rsplit('/').next().unwrap_or(""));
            match h.kind {
                HostKind::V1 if url::is_bare_base(&h.rest) => {
                    let mut f = self.finding(Kind::BaseUrl, &loc);
                    f.host = Some(h.host.clone());
                    f.v1_path = Some(
                        if url::base_has_v1(&h.rest) {
                            "/v1"
                        } else {
                            "/"
                        }
                        .into(),
                    );
                    f.note = Some(format!(
                        "V1 base URL in {} field '{field}'",
                        self.format.name()
                    ));
                    // A named base (a Postman/Insomnia variable) links files that use `{{name}}` to it.
                    if let Some(n) = name.as_deref().filter(|n| !matches!(*n, "value" | "url")) {
                        defs.push(Def {
                            key: names::canonical(n),
                            name: n.to_string(),
                            value: BaseValue::V1 {
                                host: h.host.clone(),
                                has_v1: url::base_has_v1(&h.rest),
                            },
                            path: f.path.clone(),
                            line: f.line,
                            in_code: false,
                        });
                    }
                    self.push(f);
                }
                HostKind::V1 => {
                    let mut f = self.finding(Kind::Mention, &loc);
                    f.host = Some(h.host.clone());
                    f.confidence = Confidence::Low;
                    f.note = Some(format!(
                        "V1 URL in {} field '{field}' that is not a request URL (note, description or body): check it",
                        self.format.name()
                    ));
                    self.findings.push(f);
                }
                _ => request::mention(&mut self, &loc, &h, None),
            }
        }
        let v1 = self.v1;
        for (ptr, text, name) in &strings {
            let loc = Loc::here(ptr.clone());
            if self.covered.contains(&loc) {
                continue;
            }
            let hits = secrets::find(text, v1);
            if let Some(h) = hits.first() {
                let note = if h.by_use {
                    "recognised by use: sent as a bearer/key next to V1 usage"
                } else {
                    "key or token in an export field"
                };
                let raw = text[h.start..h.end].to_string();
                self.credential(&raw, &loc, v1, note.into());
            } else if name.as_deref().is_some_and(key_like) {
                let t = text.trim();
                let t = t
                    .strip_prefix("Bearer ")
                    .or_else(|| t.strip_prefix("bearer "))
                    .unwrap_or(t);
                if !t.contains(char::is_whitespace) {
                    self.credential(t, &loc, v1, "value of a key/token field".into());
                }
            }
        }
        let raw: Vec<&str> = self.raw.iter().map(String::as_str).collect();
        for f in &mut self.findings {
            let red = secrets::redact_line(f.snippet.trim());
            f.snippet = truncate(&crate::redact::scrub(&red, &raw));
        }
        FileScan {
            findings: self.findings,
            defs,
            ..FileScan::default()
        }
    }
}

fn truncate(s: &str) -> String {
    if s.chars().count() > 200 {
        s.chars().take(200).chain("…".chars()).collect()
    } else {
        s.to_string()
    }
}

/// Names of fields (or of `{key|name, value}` pairs) whose value is a key.
pub fn key_like(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "api_key",
        "apikey",
        "api-key",
        "token",
        "secret",
        "authorization",
        "bearer",
        "access_key",
    ]
    .iter()
    .any(|k| n.contains(k))
}

/// Every string value with its pointer and whether its name marks it as a key. Depth is bounded by the
/// parsers (serde_json's recursion limit, the YAML depth guard).
fn collect_strings(
    v: &Value,
    ptr: &mut String,
    name: Option<&str>,
    out: &mut Vec<(String, String, Option<String>)>,
) {
    match v {
        Value::String(s) => out.push((ptr.clone(), s.clone(), name.map(str::to_string))),
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let len = ptr.len();
                ptr.push('/');
                ptr.push_str(&i.to_string());
                collect_strings(x, ptr, None, out);
                ptr.truncate(len);
            }
        }
        Value::Object(o) => {
            // `{key: "api_key", value: "…"}` pairs (Postman, Insomnia, HighLevel headers).
            let pair_name = o
                .get("key")
                .or_else(|| o.get("name"))
                .and_then(Value::as_str);
            for (k, x) in o {
                let len = ptr.len();
                ptr.push('/');
                ptr.push_str(&jsonpos::escape(k));
                let n = if k == "value" {
                    pair_name.or(Some(k))
                } else {
                    Some(k.as_str())
                };
                collect_strings(x, ptr, n, out);
                ptr.truncate(len);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What `detect` says, checked against the shape look that runs before it: it never rules out a
    /// document `detect` recognises.
    fn det(v: Value) -> Option<Format> {
        let format = detect(&v, Path::new("x.json"));
        if format.is_some() {
            assert!(shape::may_be_export(&v.to_string()), "{v}");
        }
        format
    }

    #[test]
    fn detection_by_content() {
        let n8n = json!({"nodes": [{"type": "n8n-nodes-base.highLevel"}], "connections": {}});
        assert_eq!(det(n8n.clone()), Some(Format::N8n));
        assert_eq!(det(json!([n8n.clone()])), Some(Format::N8n));
        assert_eq!(det(json!({"data": [n8n]})), Some(Format::N8n));
        assert_eq!(
            det(json!({"flow": [{"id": 1, "module": "http:MakeRequest"}], "metadata": {}})),
            Some(Format::Make)
        );
        assert_eq!(
            det(
                json!({"info": {"schema": "https://schema.getpostman.com/json/collection/v2.0.0/collection.json"}, "item": []})
            ),
            Some(Format::Postman)
        );
        assert_eq!(
            det(json!({"name": "e", "values": [], "_postman_variable_scope": "environment"})),
            Some(Format::PostmanEnvironment)
        );
        assert_eq!(
            detect(
                &json!({"values": []}),
                Path::new("GHL.postman_environment.json")
            ),
            Some(Format::PostmanEnvironment)
        );
        assert_eq!(
            det(json!({"_type": "export", "__export_format": 4, "resources": []})),
            Some(Format::InsomniaV4)
        );
        assert_eq!(
            det(json!({"type": "collection.insomnia.rest/5.0", "collection": []})),
            Some(Format::InsomniaV5)
        );
        assert_eq!(
            det(json!({"$schema": "ghl-workflow-export/v1", "workflow": {}})),
            Some(Format::HighLevelWorkflow)
        );
        assert_eq!(
            det(json!({"templates": [{"type": "custom_webhook", "attributes": {"url": "u"}}]})),
            Some(Format::HighLevelWorkflow)
        );
        assert_eq!(
            det(json!({"zaps": [{"nodes": {"1": {"selected_api": "WebHookCLIAPI@1.0.31"}}}]})),
            Some(Format::Zapier)
        );
        // Not exports: package.json, plain config, arrays of anything else.
        assert_eq!(det(json!({"name": "x", "dependencies": {}})), None);
        assert_eq!(det(json!({"nodes": [{"type": "custom"}]})), None);
        assert_eq!(det(json!([1, 2])), None);
    }

    #[test]
    fn yaml_needs_an_insomnia_marker() {
        let rules = RuleSet::embedded();
        let o = analyze(
            Path::new("a.yaml"),
            "a.yaml",
            "url: https://rest.gohighlevel.com/v1/\n",
            Lang::Yaml,
            &rules,
        );
        assert!(matches!(o, Outcome::NotExport));
    }
}
