//! Following values through programs: which files the program model parses, and how the requests it
//! finds become findings beside the line extractor's (the program model is authoritative for a request
//! it explains; the line extractor's findings stay for everything else).
use super::extract::{apply_rule, join_base, snippet};
use super::finding::{Confidence, Context, Finding, Kind};
use super::lang::Lang;
use super::secrets;
use crate::pathmatch::normalize;
use crate::program::solve::{Request, Unit};
use crate::rules::RuleSet;
use std::collections::{HashMap, HashSet};

/// A parsed file and its text (kept for snippets).
pub struct Parsed {
    pub unit: Unit,
    pub src: String,
}

/// Whether the program model reads this file's language.
pub fn modelled(lang: Lang, rel: &str) -> bool {
    crate::program::parse::supported(lang, rel)
}

/// Parses one file (`None` when the language is not modelled, the file is too big or the parse ran out
/// of time: the line extractor's findings stand alone then).
pub fn parse(lang: Lang, rel: &str, src: &str) -> Option<Parsed> {
    let facts = crate::program::parse::facts(lang, rel, src)?;
    Some(Parsed {
        unit: Unit {
            path: rel.to_string(),
            lang,
            facts,
        },
        src: src.to_string(),
    })
}

/// Names that appear in almost every program: a file mentioning one is linked only by an import.
const GENERIC: [&str; 40] = [
    "index", "main", "api", "app", "client", "config", "configs", "settings", "utils", "util", "helpers",
    "helper", "service", "services", "request", "requests", "http", "base", "lib", "constants", "default",
    "module", "exports", "init", "__init__", "common", "core", "shared", "types", "models", "model",
    "server", "routes", "router", "handler", "handlers", "fetch", "get", "post", "data",
];

/// What a file must mention to be linked to the parsed files: the names they define (classes,
/// top-level functions, module-level bindings) and their module stems. Returned as
/// `(distinctive names, generic names and stems)`: a distinctive name links by itself; a generic one
/// only with an import of the defining module.
pub fn needles(units: &[&Unit]) -> (Vec<String>, Vec<String>) {
    let mut strong = HashSet::new();
    let mut weak = HashSet::new();
    for u in units {
        let stem = stem(&u.path);
        if stem.len() >= 3 {
            weak.insert(stem.to_string());
        }
        let f = &u.facts;
        let names = f
            .classes
            .iter()
            .map(|c| c.name.as_str())
            .chain(
                f.functions
                    .iter()
                    .filter(|x| x.parent == Some(0) && x.class.is_none())
                    .map(|x| x.name.as_str()),
            )
            .chain(
                f.bindings
                    .iter()
                    .filter(|b| b.scope == crate::program::facts::Scope::Module)
                    .map(|b| b.name.as_str()),
            );
        for n in names {
            let n = n.rsplit('.').next().unwrap_or(n);
            if n.len() < 3 || !n.chars().all(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            if is_generic(n) {
                weak.insert(n.to_string());
            } else {
                strong.insert(n.to_string());
            }
        }
    }
    let mut s: Vec<String> = strong.into_iter().collect();
    let mut w: Vec<String> = weak.into_iter().collect();
    s.sort();
    w.sort();
    (s, w)
}

fn is_generic(n: &str) -> bool {
    let l = n.to_ascii_lowercase();
    l.len() < 5 || GENERIC.contains(&l.as_str())
}

pub fn stem(p: &str) -> &str {
    let name = p.rsplit('/').next().unwrap_or(p);
    name.split('.').next().filter(|s| !s.is_empty()).unwrap_or(name)
}

/// A finding of the program model, with the lines of the function that sends it.
pub struct Followed {
    pub finding: Finding,
    pub scope: (usize, usize),
}

/// The findings of the program model's requests.
pub fn findings(reqs: Vec<Request>, parsed: &[Parsed], rules: &RuleSet) -> Vec<Followed> {
    let by_path: HashMap<&str, &Parsed> = parsed.iter().map(|p| (p.unit.path.as_str(), p)).collect();
    let mut out = Vec::new();
    for r in reqs {
        let Some(p) = by_path.get(r.path.as_str()) else {
            continue;
        };
        let line_text = p.src.lines().nth(r.line.saturating_sub(1)).unwrap_or("");
        let shown = scrubbed_snippet(line_text);
        let alts: Vec<Option<&(crate::method::Method, String)>> = if r.methods.is_empty() {
            vec![None]
        } else {
            r.methods.iter().map(Some).collect()
        };
        for m in alts {
            let mut f = Finding::new(Kind::Call, &r.path, r.line, r.column, Context::Code);
            f.end_line = (r.end_line > r.line).then_some(r.end_line);
            f.method = m.map(|x| x.0);
            f.method_source = m.map(|x| x.1.clone());
            f.host = Some(r.host.clone());
            f.trail = r.trail.clone();
            f.base_source = r.trail.first().map(|t| match r.join_note {
                Some(j) => format!("{t} ({j})"),
                None => t.clone(),
            });
            f.lang = Some(p.unit.lang.name());
            f.snippet = shown.clone();
            f.confidence = if r.open_param {
                Confidence::Medium
            } else {
                Confidence::High
            };
            apply_rule(rules, &mut f, &normalize(&join_base(false, &r.rest)));
            if r.open_param {
                let note = "the path comes from a parameter no caller in the scanned tree supplies";
                f.note = Some(match f.note.take() {
                    Some(n) => format!("{n}; {note}"),
                    None => note.to_string(),
                });
            }
            out.push(Followed {
                finding: f,
                scope: r.scope,
            });
        }
    }
    out
}

/// A snippet with every key on the line redacted (the same detectors as everywhere, then the same
/// line redactor).
fn scrubbed_snippet(line: &str) -> String {
    let raw: Vec<&str> = secrets::find(line, true)
        .iter()
        .filter_map(|h| line.get(h.start..h.end))
        .collect();
    snippet(&crate::redact::scrub(line, &raw))
}

/// Adds the program model's findings to the line extractor's. A line-extractor call inside the same
/// call expression is the same request: it keeps its place (and what `diff` reads from it) and gains the
/// trail, and the verb and rule when it had none. A line-extractor call for the same endpoint written
/// earlier in the same function (the URL built lines before the statement that sends it) is replaced by
/// the finding at the send.
pub fn merge(existing: &mut Vec<Finding>, new: Vec<Followed>) {
    let mut drop: HashSet<usize> = HashSet::new();
    let mut enriched: HashSet<usize> = HashSet::new();
    let mut added = Vec::new();
    for Followed { finding: nf, scope } in new {
        let end = nf.end_line.unwrap_or(nf.line);
        let same_call = existing.iter().position(|e| {
            is_code_call(e, &nf) && e.line >= nf.line && e.line <= end
        });
        if let Some(i) = same_call
            && !enriched.contains(&i)
        {
            enriched.insert(i);
            let e = &mut existing[i];
            e.trail = nf.trail;
            if e.method.is_none() && nf.method.is_some() || e.rule.is_none() && nf.rule.is_some() {
                e.method = nf.method;
                e.method_source = nf.method_source;
                e.v1_path = nf.v1_path;
                e.rule = nf.rule;
                e.v2 = nf.v2;
                e.note = nf.note;
                e.already_broken = nf.already_broken;
            }
            continue;
        }
        if same_call.is_some() && existing.iter().any(|e| is_code_call(e, &nf) && e.line == nf.line && e.method == nf.method) {
            continue;
        }
        let mut nf = nf;
        for (i, e) in existing.iter().enumerate() {
            let same_endpoint = e.v1_path.is_some()
                && (endpoint_key(&e.v1_path) == endpoint_key(&nf.v1_path)
                    || (e.rule.is_some() && e.rule == nf.rule));
            if is_code_call(e, &nf) && same_endpoint && e.line >= scope.0 && e.line < nf.line {
                drop.insert(i);
                nf.written.get_or_insert((e.line, e.column));
            }
        }
        added.push(nf);
    }
    let mut i = 0;
    existing.retain(|_| {
        let keep = !drop.contains(&i);
        i += 1;
        keep
    });
    existing.extend(added);
}

/// A V1 path compared loosely: case, a trailing slash and parameter names do not matter.
fn endpoint_key(p: &Option<String>) -> String {
    let p = p.as_deref().unwrap_or("").to_ascii_lowercase();
    let p = p.split('?').next().unwrap_or("").trim_end_matches('/');
    p.split('/')
        .map(|s| if s.starts_with('{') || s.starts_with(':') { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

fn is_code_call(e: &Finding, nf: &Finding) -> bool {
    e.kind == Kind::Call && e.context == Context::Code && e.path == nf.path
}
