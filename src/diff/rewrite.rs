//! Rewriting one file's text: V1 hosts to the V2 host, V1 paths to V2 paths (literal pieces only, in
//! place, keeping quoting, interpolation and line endings), a `Version` header where the headers are a
//! literal on one line, and one marker comment per call that needs a human.
use super::bases::{self, BaseFate, Bases, CallFate};
use super::paths::{PathEdits, PathFate};
use crate::rules::{Rule, RuleSet};
use crate::scan::finding::{Context, Finding, Kind};
use crate::scan::lang::Lang;
use regex::Regex;
use std::sync::OnceLock;

pub const MARKER: &str = "ghl-migrate:";
const V2_HOST: &str = "services.leadconnectorhq.com";

/// What happened to one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Host and/or path rewritten.
    Rewritten,
    /// Left as is, with a marker comment saying what a human must do.
    Marked(String),
    /// Not touched (comments, docs, credentials), with the reason.
    Skipped(String),
}

/// The new text of a file and what happened to each finding (by index in `findings`).
pub struct FileEdit {
    pub text: String,
    pub outcomes: Vec<(usize, Outcome)>,
}

/// The language's line-comment syntax, or `None` where comments are impossible (JSON).
pub fn comment_syntax(lang: Lang) -> Option<(&'static str, &'static str)> {
    Some(match lang {
        Lang::Python | Lang::Ruby | Lang::Shell | Lang::Yaml | Lang::Toml | Lang::Env => ("# ", ""),
        Lang::Ini => ("; ", ""),
        Lang::Markdown | Lang::Html | Lang::Xml => ("<!-- ", " -->"),
        Lang::Json | Lang::Text => return None,
        _ => ("// ", ""),
    })
}

fn v1_host_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // The V1 host with its scheme and an optional `/v1` right after it.
    RE.get_or_init(|| {
        Regex::new(r"(?i)(?:https?://)?rest\.(?:gohighlevel|leadconnectorhq)\.com(?:/v1\b)?")
            .unwrap()
    })
}

/// What was decided across the scan before any file is rewritten.
pub struct Decided<'a> {
    /// Which base URLs move, get a V2 sibling or stay.
    pub bases: &'a Bases,
    /// Which lines holding paths written away from their calls change.
    pub paths: &'a PathEdits,
}

/// Rewrites `src` (the file `path`, of language `lang`) for the findings of this file.
pub fn rewrite(
    path: &str,
    src: &str,
    lang: Lang,
    findings: &[(usize, &Finding)],
    rules: &RuleSet,
    secret_lines: &std::collections::BTreeSet<usize>,
    decided: &Decided,
) -> FileEdit {
    let bases = decided.bases;
    let eol = if src.contains("\r\n") { "\r\n" } else { "\n" };
    let mut lines: Vec<String> = src.split_inclusive('\n').map(str::to_string).collect();
    // Paths written here for calls made elsewhere (or later in this file), keeping each line's ending.
    for (&n, text) in decided.paths.edits_in(path).into_iter().flatten() {
        if let Some(l) = lines.get_mut(n - 1) {
            let ending = &l[l.trim_end_matches(['\n', '\r']).len()..];
            *l = format!("{text}{ending}");
        }
    }
    // `Version` on the headers of a client whole groups of moving calls are built on.
    for (&n, version) in bases.headers_in(path).into_iter().flatten() {
        if let Some(l) = lines.get_mut(n - 1)
            && let Some(new) = add_version_header(l, lang, version)
        {
            *l = new;
        }
    }
    let mut outcomes = Vec::new();
    // Comments to insert above (0-based line index → comment texts), applied last so indexes stay valid.
    let mut inserts: std::collections::BTreeMap<usize, Vec<String>> = Default::default();
    // The V2 `Version` each moved call needs, by the 0-based lines of its statement.
    let mut versions: Vec<MovedCall> = Vec::new();
    // V2 siblings this file's calls now use but another file defines: their imports are extended.
    let mut imported: Vec<(String, String)> = Vec::new();
    // Base URLs that cannot be rewritten (next to a key): calls built on them keep their V1 paths too, or
    // the file would mix a V1 host with V2 paths.
    let blocked_bases: Vec<usize> = findings
        .iter()
        .filter(|(_, f)| {
            f.kind == Kind::BaseUrl
                && (secret_lines.contains(&(f.line - 1)) || secret_lines.contains(&f.line))
        })
        .map(|(_, f)| f.line)
        .collect();
    for &(i, f) in findings {
        if let Some(n) = blocked_bases.iter().find(|n| {
            f.base_source
                .as_deref()
                .is_some_and(|b| b.ends_with(&format!("defined at line {n}")))
        }) {
            outcomes.push((i, Outcome::Skipped(format!("its base URL (line {n}) sits next to a key: move the key out, then run diff again"))));
            continue;
        }
        if matches!(f.context, Context::Comment | Context::Docs) {
            outcomes.push((
                i,
                Outcome::Skipped(format!(
                    "in {}: update it by hand",
                    if f.context == Context::Comment {
                        "a comment"
                    } else {
                        "docs"
                    }
                )),
            ));
            continue;
        }
        let at_line = f.written.map_or(f.line, |w| w.0);
        let li = at_line - 1;
        if li >= lines.len() {
            continue;
        }
        if f.kind != Kind::Credential
            && (secret_lines.contains(&li) || secret_lines.contains(&(li + 1)))
        {
            // A changed line needs the next line as context in the patch: it must not be a key either.
            let why = if secret_lines.contains(&li) {
                "on the same line as a key"
            } else {
                "right above a line holding a key"
            };
            outcomes.push((
                i,
                Outcome::Skipped(format!("{why}: edit by hand (a patch would print the key)")),
            ));
            continue;
        }
        match f.kind {
            Kind::Credential => {
                outcomes.push((i, Outcome::Skipped("a key: not rewritten (a patch would print it); move it to a secret and rotate it".into())));
            }
            Kind::BaseUrl => {
                let outcome = match bases.of_base(&f.path, f.line) {
                    Some(BaseFate::Stay(why)) => Outcome::Skipped(why.clone()),
                    Some(BaseFate::Twinned) => Outcome::Rewritten,
                    Some(BaseFate::Move) | None => {
                        let before = lines[li].clone();
                        lines[li] = v1_host_re()
                            .replace_all(&before, |c: &regex::Captures| v2_base(&c[0]))
                            .into_owned();
                        if lines[li] != before {
                            Outcome::Rewritten
                        } else {
                            Outcome::Skipped("base URL not found on its line".into())
                        }
                    }
                };
                outcomes.push((i, outcome));
            }
            Kind::Call | Kind::ExportNode => {
                let rule = f.rule.as_deref().and_then(|r| rules.get(r));
                let mut line = lines[li].clone();
                let remote = decided.paths.of_call(i);
                let (mut outcome, mut note, mut moved) = rewrite_call(&mut line, f, rule, remote);
                // The same URL written on other branches moves with it, or nothing moves.
                let mut also: Vec<(usize, String)> = Vec::new();
                if moved {
                    match rewrite_alternatives(&lines, f, rule, secret_lines) {
                        Ok(a) => also = a,
                        Err(why) => {
                            outcome = Outcome::Marked(why.clone());
                            note = Some(format!("V1 call left as is: {why}"));
                            moved = false;
                            line = lines[li].clone();
                        }
                    }
                }
                let mut stays = false;
                let mut version_set = false;
                match bases.of_call(i) {
                    Some(CallFate::Keep(why)) if moved => {
                        // Its base stays V1: a V2 path on it would break the call.
                        let target = rule.and_then(|r| r.v2.as_ref()).map_or(String::new(), |t| {
                            format!("; its V2 form is `{} {}`", t.method, t.path)
                        });
                        outcome = Outcome::Marked(format!("stays on V1: {why}"));
                        note = Some(format!("V1 call left as is: {why}{target}"));
                        stays = true;
                    }
                    Some(CallFate::Repoint {
                        ident,
                        v2_ident,
                        holder,
                        version_set: set,
                    }) if moved => match bases::repoint(&line, ident, v2_ident) {
                        Some(l) => {
                            lines[li] = l;
                            version_set = *set;
                            if holder != &f.path {
                                imported.push((ident.clone(), v2_ident.clone()));
                            }
                        }
                        // Pointed at the twin where its path is written, or by another request of
                        // the same statement (`"DELETE" if purge else "PUT"`).
                        None if remote == Some(&PathFate::Moved { repointed: true })
                            || bases::find_word(&line, v2_ident, 0).is_some() =>
                        {
                            lines[li] = line;
                            version_set = *set;
                        }
                        None => {
                            let why = format!("its line does not name `{ident}`");
                            outcome = Outcome::Marked(format!("stays on V1: {why}"));
                            note = Some(format!("V1 call left as is: {why}"));
                            stays = true;
                        }
                    },
                    _ => lines[li] = line,
                }
                if moved && !stays {
                    for (n, text) in also {
                        lines[n] = text;
                    }
                }
                if moved
                    && !stays
                    && !version_set
                    && !bases.versioned(i)
                    && let Some(t) = rule.and_then(|r| r.v2.as_ref())
                {
                    versions.push(MovedCall {
                        version: t.version.clone(),
                        lines: li..f.end_line.unwrap_or(at_line).max(at_line),
                        at: at_line,
                        rule: rule.map_or(String::new(), |r| r.id.clone()),
                    });
                }
                if let Some(n) = note {
                    inserts.entry(li).or_default().push(n);
                }
                outcomes.push((i, outcome));
            }
            Kind::Mention => {}
        }
    }
    // V2 twins after their definitions; their lines (and the definitions') get no header from below.
    let mut twin_lines = std::collections::BTreeSet::new();
    if let Some(twins) = bases.twins_in(path) {
        for (&after, twin) in twins {
            if after > lines.len() || twin.start == 0 || twin.start > after {
                continue;
            }
            if twin.replace {
                let last_eol = lines[after - 1].ends_with('\n');
                for l in &mut lines[twin.start - 1..after] {
                    l.clear();
                }
                let l = &mut lines[twin.start - 1];
                for (k, t) in twin.text.lines().enumerate() {
                    if k > 0 {
                        l.push_str(eol);
                    }
                    l.push_str(t);
                }
                if last_eol {
                    l.push_str(eol);
                }
            } else {
                let l = &mut lines[after - 1];
                if !l.ends_with('\n') {
                    l.push_str(eol);
                }
                for t in twin.text.lines() {
                    l.push_str(t);
                    l.push_str(eol);
                }
            }
            twin_lines.extend(twin.start - 1..after);
            if let Some(n) = &twin.note {
                inserts.entry(twin.start - 1).or_default().push(n.clone());
            }
        }
    }
    imported.extend(decided.paths.imports_in(path).iter().cloned());
    for (name, v2_name) in imported {
        if let Some(n) = bases::import_line(&lines.concat(), &name)
            && let Some(l) = bases::extend_import(&lines[n], &name, &v2_name)
        {
            lines[n] = l;
        }
    }
    add_versions(
        &mut lines,
        lang,
        &versions,
        secret_lines,
        &twin_lines,
        &mut inserts,
        src.contains("Version"),
    );
    // Marker comments, in the file's comment syntax, at the call line's indentation.
    if let Some((open, close)) = comment_syntax(lang) {
        for (li, notes) in inserts.into_iter().rev() {
            let indent: String = lines[li]
                .chars()
                .take_while(|c| c.is_whitespace() && *c != '\n' && *c != '\r')
                .collect();
            // The marker comments already right above the line (a second run adds none).
            let above: Vec<&str> = lines[..li]
                .iter()
                .rev()
                .take_while(|l| l.contains(MARKER))
                .map(String::as_str)
                .collect();
            let mut block = String::new();
            for n in notes {
                let text = format!("{MARKER} {n}");
                let key = without_line_numbers(&text);
                if above.iter().any(|l| without_line_numbers(l).contains(&key)) {
                    continue; // already marked: idempotent
                }
                block.push_str(&format!("{indent}{open}{text}{close}{eol}"));
            }
            lines.insert(li, block);
        }
    }
    FileEdit {
        text: lines.concat(),
        outcomes,
    }
}

/// A marker's text with the line numbers it names blanked (`client.ts:22`, `line 12`): the markers a
/// first run inserts move the lines they name, and a second run must still see its own marker.
fn without_line_numbers(text: &str) -> String {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(:|line )[0-9]+").expect("static regex"))
        .replace_all(text, "${1}#")
        .into_owned()
}

/// A call this file moved to V2, for its `Version` header.
struct MovedCall {
    version: String,
    /// The 0-based lines of its statement.
    lines: std::ops::Range<usize>,
    /// Its 1-based line, for markers.
    at: usize,
    rule: String,
}

/// The `Version` header each moved call needs. A request whose own statement builds its headers gets its
/// own value; headers built once for several requests get the value they share, or, when the requests
/// need different values (calendars `2021-04-15`, the rest `2021-07-28`), a marker naming both values and
/// the calls: one shared value would break half of them.
fn add_versions(
    lines: &mut [String],
    lang: Lang,
    moved: &[MovedCall],
    secret_lines: &std::collections::BTreeSet<usize>,
    twin_lines: &std::collections::BTreeSet<usize>,
    inserts: &mut std::collections::BTreeMap<usize, Vec<String>>,
    file_sets_version: bool,
) {
    if moved.is_empty() || file_sets_version {
        return;
    }
    // Not next to a key, and not a V1 definition that got a V2 twin (the twin carries its own header).
    let writable = |n: usize| {
        !secret_lines.contains(&n) && !secret_lines.contains(&(n + 1)) && !twin_lines.contains(&n)
    };
    // Per request: headers on the call's own lines.
    let mut shared: Vec<&MovedCall> = Vec::new();
    for c in moved {
        let mut done = false;
        for n in c.lines.clone().filter(|&n| n < lines.len() && writable(n)) {
            if let Some(new) = add_version_header(&lines[n], lang, &c.version) {
                lines[n] = new;
                done = true;
                break;
            }
        }
        if !done {
            shared.push(c);
        }
    }
    if shared.is_empty() {
        return;
    }
    let values: std::collections::BTreeSet<&str> =
        shared.iter().map(|c| c.version.as_str()).collect();
    // Headers built elsewhere in the file, shared by the requests (not the lines of a moved call: those
    // are per request).
    let own = |n: usize| moved.iter().any(|c| c.lines.contains(&n));
    let header_lines: Vec<usize> = (0..lines.len())
        .filter(|&n| writable(n) && !own(n))
        .filter(|&n| add_version_header(&lines[n], lang, "x").is_some())
        .collect();
    if values.len() == 1 {
        let v = values.first().copied().unwrap_or_default();
        for &n in &header_lines {
            if let Some(new) = add_version_header(&lines[n], lang, v) {
                lines[n] = new;
            }
        }
        if header_lines.is_empty() {
            inserts.entry(shared[0].at - 1).or_default().push(format!(
                "send the header `Version: {v}` with every V2 request"
            ));
        }
        return;
    }
    let by_value: Vec<String> = values
        .iter()
        .map(|v| {
            let calls: Vec<String> = shared
                .iter()
                .filter(|c| c.version == *v)
                .map(|c| format!("{} (line {})", c.rule, c.at))
                .collect();
            format!("`{v}` for {}", calls.join(", "))
        })
        .collect();
    let note = format!(
        "V2 needs a different `Version` header per request here: {}; set it per request",
        by_value.join("; ")
    );
    let at = header_lines.first().copied().unwrap_or(shared[0].at - 1);
    inserts.entry(at).or_default().push(note);
}

/// The byte range of the first V1 host (with scheme and `/v1`) in `text`.
pub fn v1_host_match(text: &str) -> Option<(usize, usize)> {
    v1_host_re().find(text).map(|m| (m.start(), m.end()))
}

/// `https://rest.gohighlevel.com/v1` → `https://services.leadconnectorhq.com`, keeping a scheme-less form
/// scheme-less.
fn v2_base(v1: &str) -> String {
    if v1.to_ascii_lowercase().starts_with("http") {
        format!("https://{V2_HOST}")
    } else {
        V2_HOST.to_string()
    }
}

/// Rewrites the call's line in place; returns what happened, a marker note if a human must act, and
/// whether the call moved to its V2 path (rewritten, or already written as V2's).
fn rewrite_call(
    line: &mut String,
    f: &Finding,
    rule: Option<&Rule>,
    remote: Option<&PathFate>,
) -> (Outcome, Option<String>, bool) {
    let Some(rule) = rule else {
        let why = f
            .note
            .clone()
            .unwrap_or_else(|| "unknown V1 endpoint".into());
        return (
            Outcome::Marked(why.clone()),
            Some(format!(
                "V1 call left as is: {why}; see `ghl-migrate rules list`"
            )),
            false,
        );
    };
    let Some(v2) = &rule.v2 else {
        let w = rule.workaround.clone().unwrap_or_default();
        return (
            Outcome::Marked("no V2 equivalent".into()),
            Some(format!("{} has no V2 equivalent: {w}", rule.id)),
            false,
        );
    };
    let actionable = actionable_notes(rule);
    let u = rewrite_url_text(line, f.written.map_or(f.column, |w| w.1), f, rule, v2);
    let mut moved = u.path_rewritten;
    let hosted = u.text;
    let mut todo = u.todo;
    // The path is written on other lines (`paths`): moved there, or why it could not be.
    if u.not_found {
        match remote {
            Some(PathFate::Moved { .. } | PathFate::Stays) => {
                moved = true;
                todo.clear();
            }
            Some(PathFate::Blocked(why)) => {
                todo = vec![format!("path → `{} {}` ({why})", v2.method, v2.path)];
            }
            None => {}
        }
    }
    // The host moves only with the path: a V1 path on the V2 host would be a half-migrated request.
    if moved {
        *line = hosted;
    }
    todo.extend(actionable);
    let note = (!todo.is_empty()).then(|| format!("{} — {}", rule.id, todo.join("; ")));
    let outcome = match (moved, &note) {
        (true, None) => Outcome::Rewritten,
        (true, Some(n)) => Outcome::Marked(format!("rewritten; needs review: {n}")),
        (false, Some(n)) => Outcome::Marked(n.clone()),
        (false, None) => Outcome::Skipped("nothing to rewrite on the line".into()),
    };
    (outcome, note, moved)
}

/// The call's URL where it is also written (each branch of an `if` assigning it), rewritten like its
/// own: `(0-based line, new text)`, or why one of them cannot be.
fn rewrite_alternatives(
    lines: &[String],
    f: &Finding,
    rule: Option<&Rule>,
    secret_lines: &std::collections::BTreeSet<usize>,
) -> Result<Vec<(usize, String)>, String> {
    let (Some(rule), Some(v2)) = (rule, rule.and_then(|r| r.v2.as_ref())) else {
        return Ok(Vec::new());
    };
    f.also_written
        .iter()
        .map(|&(l, col)| {
            let li = l - 1;
            let text = lines
                .get(li)
                .ok_or_else(|| format!("its URL is also written at line {l}, past the file's end"))?;
            if secret_lines.contains(&li) || secret_lines.contains(&(li + 1)) {
                return Err(format!(
                    "its URL is also written at line {l}, next to a key: edit by hand"
                ));
            }
            let u = rewrite_url_text(text, col, f, rule, v2);
            if u.path_rewritten {
                Ok((li, u.text))
            } else {
                Err(format!(
                    "its URL is also written at line {l}, where it cannot be rewritten: edit both by hand"
                ))
            }
        })
        .collect()
}

/// What must be done at the call beyond the URL (one line each); the rest is one `rules show` away.
pub fn actionable_notes(rule: &Rule) -> Vec<String> {
    use crate::rules::ChangeKind as K;
    let mut actionable: Vec<String> = rule
        .actionable_changes()
        .filter(|c| {
            matches!(
                c.kind,
                K::LocationId | K::CompanyId | K::Params | K::Method | K::Deprecated
            )
        })
        .map(|c| c.text.trim_end_matches('.').to_string())
        .collect();
    if rule.actionable_changes().any(|c| {
        matches!(
            c.kind,
            K::Fields | K::Response | K::Pagination | K::Behaviour
        )
    }) {
        actionable.push(format!(
            "body/response changes: `ghl-migrate rules show {}`",
            rule.id
        ));
    }
    actionable
}

/// One URL (or code line) rewritten: the V1 host to the V2 host, and the V1 path pieces to V2's when the
/// parameters map one to one and the method stays; `todo` says what could not be done.
pub struct UrlRewrite {
    pub text: String,
    pub path_rewritten: bool,
    /// The path maps to V2's but its V1 text is not on this line (it is built elsewhere).
    pub not_found: bool,
    pub todo: Vec<String>,
}

/// The host and path rewrite shared by code lines and export values: `text` from character `column` on.
pub fn rewrite_url_text(
    text: &str,
    column: usize,
    f: &Finding,
    rule: &Rule,
    v2: &crate::rules::V2Target,
) -> UrlRewrite {
    let v1_pieces = literal_pieces(&rule.v1.path, true);
    let v2_pieces = literal_pieces(&v2.path, false);
    let params_match = path_maps(rule, v2);
    let method_same = method_same(f, rule, v2);
    // Host first (absolute URLs on this line).
    let mut line = v1_host_re()
        .replace_all(text, |c: &regex::Captures| v2_base(&c[0]))
        .into_owned();
    let mut path_rewritten = false;
    if params_match
        && method_same
        && let Some(new) = replace_pieces(&line, &v1_pieces, &v2_pieces, column)
    {
        line = new;
        path_rewritten = true;
    }
    let mut todo = Vec::new();
    let not_found = !path_rewritten && params_match && method_same;
    if !path_rewritten {
        if !params_match {
            todo.push(format!(
                "path → `{} {}` (parameters move: rewrite by hand)",
                v2.method, v2.path
            ));
        } else if !method_same {
            todo.push(format!("method and path → `{} {}`", v2.method, v2.path));
        } else {
            todo.push(format!(
                "path → `{} {}` (could not find the V1 path text to rewrite)",
                v2.method, v2.path
            ));
        }
    }
    UrlRewrite {
        text: line,
        path_rewritten,
        not_found,
        todo,
    }
}

/// The V1 path's parameters map one to one onto the V2 path's.
pub fn path_maps(rule: &Rule, v2: &crate::rules::V2Target) -> bool {
    param_count(&rule.v1.path) == param_count(&v2.path)
        && literal_pieces(&rule.v1.path, true).len() == literal_pieces(&v2.path, false).len()
}

/// The call's method is V2's too.
pub fn method_same(f: &Finding, rule: &Rule, v2: &crate::rules::V2Target) -> bool {
    f.method.is_none_or(|m| m == v2.method) && rule.v1.method == v2.method
}

/// The host regex and its V2 replacement, for base URLs held in export values.
pub fn rewrite_host(text: &str) -> String {
    v1_host_re()
        .replace_all(text, |c: &regex::Captures| v2_base(&c[0]))
        .into_owned()
}

fn param_count(template: &str) -> usize {
    template.matches('{').count()
}

/// The literal text between parameters: `/v1/contacts/{id}/tasks/` → ["/contacts/", "/tasks/"] (the `/v1`
/// prefix dropped for V1, since the host rewrite or the base already covers it).
pub fn literal_pieces(template: &str, v1: bool) -> Vec<String> {
    let t = if v1 {
        template.strip_prefix("/v1").unwrap_or(template)
    } else {
        template
    };
    let mut pieces = Vec::new();
    let mut cur = String::new();
    for seg in t.split('/').filter(|s| !s.is_empty()) {
        cur.push('/');
        if seg.starts_with('{') {
            pieces.push(std::mem::take(&mut cur));
        } else {
            cur.push_str(seg); // case kept: V2 writes `removeAll`, `customFields`
        }
    }
    if t.ends_with('/') {
        cur.push('/');
    }
    pieces.push(cur);
    pieces.retain(|p| !p.is_empty() && p != "/");
    pieces
}

/// Finds the V1 pieces in order on `line` (from the finding's column on) and swaps in the V2 pieces.
/// Matching ignores a trailing slash; a piece written with `/v1` in front keeps nothing of it.
fn replace_pieces(line: &str, v1: &[String], v2: &[String], column: usize) -> Option<String> {
    let (text, n) = replace_run(line, v1, v2, column, 0);
    (n == v1.len()).then_some(text)
}

/// Swaps in V2's pieces for the V1 pieces `from..` that appear in order on `line` (from character
/// `column` on), stopping at the first one that does not; returns the line and how many matched. A path
/// built over two lines (`url = BASE + '/contacts/' + id` then `url += '/tags/'`) is two runs.
pub fn replace_run(
    line: &str,
    v1: &[String],
    v2: &[String],
    column: usize,
    from: usize,
) -> (String, usize) {
    let start = line
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    let lower = line.to_ascii_lowercase();
    let mut out = String::new();
    let mut pos = start.min(line.len());
    out.push_str(&line[..pos]);
    let mut matched = 0;
    for (n, (a, b)) in v1.iter().zip(v2).enumerate().skip(from) {
        let a_trim = a.trim_end_matches('/');
        // The first piece may be written without its slash, right after a quote, for a base ending in
        // `/v1/` (`ENDPOINT . 'contacts/'`, `urljoin(BASE, "contacts/")`), or as `"v1/contacts"` for a
        // base without it.
        let bare = || {
            let rel = a_trim.strip_prefix('/')?;
            ['\'', '"', '`']
                .iter()
                .filter_map(|q| lower[pos..].find(&format!("{q}{rel}")))
                .min()
                .map(|i| (pos + i + 1, rel.len()))
        };
        let Some((mut at, mut len)) = lower[pos..]
            .find(&format!("/v1{a_trim}"))
            .map(|i| (pos + i, a_trim.len() + 3))
            .or_else(|| lower[pos..].find(a_trim).map(|i| (pos + i, a_trim.len())))
            .or_else(|| if n == 0 { bare() } else { None })
        else {
            break;
        };
        if n == 0 && lower[..at].ends_with("v1") && lower[..at - 2].ends_with(['\'', '"', '`']) {
            // `"v1/contacts/lookup"`: the `v1` goes with the piece.
            at -= 2;
            len += 2;
        }
        let slashless = !line[at..].starts_with('/');
        // Keep a trailing slash the code wrote only when V2's piece has one too.
        let end = at + len;
        let wrote_slash = line[end..].starts_with('/');
        out.push_str(&line[pos..at]);
        let b_trim = b.trim_end_matches('/');
        out.push_str(if slashless {
            b_trim.trim_start_matches('/')
        } else {
            b_trim
        });
        pos = end;
        if wrote_slash && !b.ends_with('/') && a.ends_with('/') && n + 1 == v1.len() {
            pos += 1; // V1 piece's own trailing slash, which V2 does not have
        } else if b.ends_with('/') && !wrote_slash {
            out.push('/');
        }
        matched += 1;
    }
    out.push_str(&line[pos..]);
    (out, matched)
}

pub fn add_version_header(line: &str, lang: Lang, version: &str) -> Option<String> {
    static KEY: OnceLock<Regex> = OnceLock::new();
    static STR: OnceLock<Regex> = OnceLock::new();
    if line.contains("Version") {
        return None;
    }
    if matches!(lang, Lang::Shell) {
        return shell_version(line, version);
    }
    let body = line.trim_end_matches(['\n', '\r']);
    let eol = &line[body.len()..];
    // `'Authorization: Bearer …'` as one string (curl header lists): add a sibling element on its own line,
    // after a comma when it was the last element.
    let str_re = STR.get_or_init(|| Regex::new(r#"^(\s*)(['"])Authorization:\s[^\n]*$"#).unwrap());
    if let Some(c) = str_re.captures(body) {
        let q = &c[2];
        if body.trim_end().ends_with(',') {
            return Some(format!("{line}{}{q}Version: {version}{q},{eol}", &c[1]));
        }
        if !last_element(body) {
            return None;
        }
        let eol = if eol.is_empty() { "\n" } else { eol };
        return Some(format!(
            "{body},{eol}{}{q}Version: {version}{q}{eol}",
            &c[1]
        ));
    }
    // `req.Header.Set("Authorization", …)`, `.header("Authorization", …)` in a builder chain,
    // `request.Headers.Add("Authorization", …);`: the same call again on the next line, for `Version`.
    static CALL: OnceLock<Regex> = OnceLock::new();
    let call_re = CALL.get_or_init(|| {
        Regex::new(r#"^(?P<pre>\s*(?:[\w\[\]]+(?:\.|->))*\.?(?:Set|Add|set|add|header|setHeader|setRequestHeader|addHeader|append|put|setRequestProperty|TryAddWithoutValidation)\()(?P<q>["'])Authorization["']\s*,\s*(?P<val>.+)\)(?P<post>;?)\s*$"#).unwrap()
    });
    if let Some(c) = call_re.captures(body)
        && bases::bracket_delta(&c["val"]) == Some(0)
    {
        let q = &c["q"];
        let eol = if eol.is_empty() { "\n" } else { eol };
        return Some(format!(
            "{body}{eol}{}{q}Version{q}, {q}{version}{q}){}{eol}",
            &c["pre"], &c["post"]
        ));
    }
    // `"Authorization": "Bearer " + k` as the last member of an object written over several lines.
    if matches!(
        lang,
        Lang::JavaScript | Lang::TypeScript | Lang::Python | Lang::Php | Lang::Ruby | Lang::Dart
    ) {
        static LAST: OnceLock<Regex> = OnceLock::new();
        let last_re = LAST.get_or_init(|| {
            Regex::new(r#"^\s*(?P<q>['"]?)Authorization(?P<q2>['"]?)(?P<sep>\s*(?:=>|:)\s*)\S"#)
                .unwrap()
        });
        if let Some(c) = last_re.captures(body)
            && c["q"] == c["q2"]
            && last_element(body)
        {
            let (q, sep) = (&c["q"], &c["sep"]);
            let vq = if q.is_empty() { "'" } else { q };
            return Some(format!(
                "{}, {q}Version{q}{sep}{vq}{version}{vq}{eol}",
                body.trim_end()
            ));
        }
    }
    // `Authorization: …` / `"Authorization": …` / `'Authorization' => …` as a key in a one-line map.
    let key_re = KEY.get_or_init(|| {
        Regex::new(r#"(?P<q>['"]?)Authorization(?P<q2>['"]?)(?P<sep>\s*(?:=>|:)\s*)(?P<val>(?:`[^`]*`|'[^']*'|"[^"]*"|[^,}\]\n])+?)\s*[,}\]]"#).unwrap()
    });
    let c = key_re.captures(line)?;
    let (q, q2) = (&c["q"], &c["q2"]);
    if q != q2 {
        return None; // `'Authorization: …'` is a string, not a key
    }
    let sep = &c["sep"];
    let vq = if q.is_empty() { "'" } else { q };
    let at = c.name("val")?.end();
    Some(format!(
        "{}, {q}Version{q}{sep}{vq}{version}{vq}{}",
        &line[..at],
        &line[at..]
    ))
}

/// A line that is a whole last element of a list or object written over several lines: its brackets
/// balance, and it ends neither a statement nor the element (no `;`, `,`, opening bracket or operator).
fn last_element(body: &str) -> bool {
    let t = body.trim_end();
    bases::bracket_delta(t) == Some(0)
        && !t.ends_with([';', ',', '(', '[', '{', '.', '+', '=', '\\'])
        && !t.contains("//")
        && !t.contains('#')
}

fn shell_version(line: &str, version: &str) -> Option<String> {
    if line.contains("Version") {
        return None;
    }
    let i = line
        .find("-H \"Authorization")
        .or_else(|| line.find("-H 'Authorization"))?;
    let q = &line[i + 3..i + 4];
    Some(format!(
        "{}-H {q}Version: {version}{q} {}",
        &line[..i],
        &line[i..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces() {
        assert_eq!(
            literal_pieces("/v1/contacts/{id}/tasks/", true),
            vec!["/contacts/", "/tasks/"]
        );
        assert_eq!(
            literal_pieces("/contacts/{contactId}/tasks", false),
            vec!["/contacts/", "/tasks"]
        );
        assert_eq!(
            literal_pieces("/v1/contacts/lookup", true),
            vec!["/contacts/lookup"]
        );
    }

    #[test]
    fn replaces_pieces_in_place() {
        let v1 = literal_pieces("/v1/contacts/{contactId}/campaigns/remove-all", true);
        let v2 = literal_pieces("/contacts/{contactId}/campaigns/removeAll", false);
        let l = "  await api.delete(`/contacts/${id}/campaigns/remove-all`);\n";
        assert_eq!(
            replace_pieces(l, &v1, &v2, 1).unwrap(),
            "  await api.delete(`/contacts/${id}/campaigns/removeAll`);\n"
        );
        let v1 = literal_pieces("/v1/contacts/lookup", true);
        let v2 = literal_pieces("/contacts/search/duplicate", false);
        assert_eq!(
            replace_pieces("get('/v1/contacts/lookup?email=' + e)", &v1, &v2, 1).unwrap(),
            "get('/contacts/search/duplicate?email=' + e)"
        );
        let v1 = literal_pieces("/v1/contacts/lookup", true);
        assert_eq!(
            replace_pieces(
                "$this->get(self::ENDPOINT . 'contacts/lookup')",
                &v1,
                &v2,
                1
            )
            .unwrap(),
            "$this->get(self::ENDPOINT . 'contacts/search/duplicate')"
        );
        let v1 = literal_pieces("/v1/contacts/{contactId}/tags/", true);
        let v2 = literal_pieces("/contacts/{contactId}/tags", false);
        assert_eq!(
            replace_pieces("$u . '/contacts/' . $id . '/tags/'", &v1, &v2, 1).unwrap(),
            "$u . '/contacts/' . $id . '/tags'"
        );
    }

    #[test]
    fn version_headers() {
        assert_eq!(
            add_version_header(
                "  headers: { Authorization: `Bearer ${k}` },",
                Lang::JavaScript,
                "2021-07-28"
            )
            .unwrap(),
            "  headers: { Authorization: `Bearer ${k}`, Version: '2021-07-28' },"
        );
        assert_eq!(
            add_version_header(
                "HEADERS = {\"Authorization\": f\"Bearer {KEY}\"}",
                Lang::Python,
                "2021-07-28"
            )
            .unwrap(),
            "HEADERS = {\"Authorization\": f\"Bearer {KEY}\", \"Version\": \"2021-07-28\"}"
        );
        assert_eq!(
            add_version_header(
                "        'Authorization: Bearer ' . get_option('k'),\n",
                Lang::Php,
                "2021-04-15"
            )
            .unwrap(),
            "        'Authorization: Bearer ' . get_option('k'),\n        'Version: 2021-04-15',\n"
        );
        // The last element of a multi-line list or object gets a comma and its sibling.
        assert_eq!(
            add_version_header(
                "    'Authorization: Bearer '.$akey\n",
                Lang::Php,
                "2021-07-28"
            )
            .unwrap(),
            "    'Authorization: Bearer '.$akey,\n    'Version: 2021-07-28'\n"
        );
        assert_eq!(
            add_version_header(
                "    \"Authorization\": \"Bearer \"+k\r\n",
                Lang::JavaScript,
                "2021-07-28"
            )
            .unwrap(),
            "    \"Authorization\": \"Bearer \"+k, \"Version\": \"2021-07-28\"\r\n"
        );
        // Not an element: a statement, a call still open, or a comment after it.
        for line in [
            "    'Authorization: Bearer ' . $k));\n",
            "    'Authorization: Bearer ' . join(\n",
            "    \"Authorization\": \"Bearer \"+k // the key\n",
        ] {
            assert_eq!(
                add_version_header(line, Lang::JavaScript, "2021-07-28"),
                None,
                "{line}"
            );
        }
        assert_eq!(
            add_version_header("Authorization: Bearer x\n", Lang::Yaml, "2021-07-28"),
            None
        );
        // Header-setting calls get a sibling call for `Version`.
        for (line, want) in [
            (
                "\treq.Header.Set(\"Authorization\", \"Bearer \"+c.token)\n",
                "\treq.Header.Set(\"Authorization\", \"Bearer \"+c.token)\n\treq.Header.Set(\"Version\", \"2021-07-28\")\n",
            ),
            (
                "                .header(\"Authorization\", \"Bearer \" + GhlConfig.TOKEN)\n",
                "                .header(\"Authorization\", \"Bearer \" + GhlConfig.TOKEN)\n                .header(\"Version\", \"2021-07-28\")\n",
            ),
            (
                "        request.Headers.Add(\"Authorization\", $\"Bearer {token}\");\r\n",
                "        request.Headers.Add(\"Authorization\", $\"Bearer {token}\");\r\n        request.Headers.Add(\"Version\", \"2021-07-28\");\r\n",
            ),
        ] {
            assert_eq!(
                add_version_header(line, Lang::Go, "2021-07-28").unwrap(),
                want
            );
        }
        // A call that does not close on the line is left alone.
        assert_eq!(
            add_version_header(
                "    .header(\"Authorization\", format(\n",
                Lang::Java,
                "2021-07-28"
            ),
            None
        );
        assert_eq!(
            add_version_header(
                "  curl -sS -X PUT \"$U\" -H \"Authorization: Bearer $K\" \\",
                Lang::Shell,
                "2021-07-28"
            )
            .unwrap(),
            "  curl -sS -X PUT \"$U\" -H \"Version: 2021-07-28\" -H \"Authorization: Bearer $K\" \\"
        );
    }
}
