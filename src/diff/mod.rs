//! `diff`: unified diffs (`git apply` / `patch -p1`) for what can be rewritten with certainty, marker
//! comments for what needs a human, and `--apply` (see `apply`: the one write path).
mod apply;
mod bases;
mod edit;
pub mod exports;
mod helpers;
mod hunks;
pub mod n8n;
mod paths;
pub mod rewrite;
pub mod source;

pub use apply::{Applied, apply};

use crate::rules::RuleSet;
use crate::scan::ScanReport;
use crate::scan::finding::Finding;
use rewrite::Outcome;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One file's change.
pub struct FilePatch {
    pub path: String,
    pub abs: PathBuf,
    pub before: String,
    pub after: String,
    /// The content hash of the bytes the findings were made from (`walk::content_hash`): `--apply`
    /// replaces the file only while it still has it.
    pub before_hash: String,
    /// How `after` is written back (the file's own encoding).
    pub encoding: source::Encoding,
    /// The unified diff (never showing a line that holds a key); empty for a file `git apply` cannot
    /// patch as text (UTF-16), which only `--apply` rewrites.
    pub patch: String,
}

#[derive(Debug, Default, serde::Serialize)]
pub struct DiffSummary {
    pub files_changed: usize,
    pub rewritten: usize,
    pub marked: usize,
    pub skipped: usize,
    /// `path:line — what a human must do`.
    pub review: Vec<String>,
    /// Files whose rewrite would not parse any more: left untouched.
    pub refused: Vec<String>,
}

pub struct Filters {
    pub rules: Vec<String>,
    pub paths: Option<globset::GlobSet>,
}

/// One file `diff` read: path, where, text, language, lines holding keys, its findings, whether it is a
/// no-code export, and its encoding and content hash.
type Loaded<'s> = (
    &'s str,
    PathBuf,
    String,
    crate::scan::lang::Lang,
    BTreeSet<usize>,
    Vec<(usize, &'s Finding)>,
    bool,
    (source::Encoding, String),
);

/// Computes the patches for a scan. `root` resolves finding paths on disk.
pub fn plan_patches(
    scan: &ScanReport,
    rules: &RuleSet,
    root: &Path,
    filters: &Filters,
) -> (Vec<FilePatch>, DiffSummary) {
    let mut by_file: BTreeMap<&str, Vec<(usize, &Finding)>> = BTreeMap::new();
    for (i, f) in scan.findings.iter().enumerate() {
        if !filters.rules.is_empty() && !f.rule.as_ref().is_some_and(|r| filters.rules.contains(r))
        {
            continue;
        }
        if filters.paths.as_ref().is_some_and(|g| !g.is_match(&f.path)) {
            continue;
        }
        by_file.entry(f.path.as_str()).or_default().push((i, f));
    }
    let mut patches = Vec::new();
    let mut summary = DiffSummary::default();
    let mut files: Vec<Loaded> = Vec::new();
    let abs_of = |path: &str| {
        if root.is_dir() {
            root.join(path)
        } else {
            root.to_path_buf()
        }
    };
    // Files a call's trail goes through may hold its path without holding a finding: read them too.
    let trail_files: BTreeSet<String> = by_file
        .values()
        .flatten()
        .flat_map(|(_, f)| bases::steps(f))
        .map(|(p, _, _)| p)
        .filter(|p| !by_file.contains_key(p.as_str()))
        .filter(|p| filters.paths.as_ref().is_none_or(|g| g.is_match(p)))
        .collect();
    let wanted = by_file
        .into_iter()
        .map(|(p, f)| (p, f, true))
        .chain(trail_files.iter().map(|p| (p.as_str(), Vec::new(), false)));
    for (path, findings, listed) in wanted {
        let abs = abs_of(path);
        let (src, hash) = match read_as_scanned(scan, path, &abs) {
            Ok(x) => x,
            Err(why) => {
                if listed {
                    summary
                        .refused
                        .push(format!("{path}: {why}; left unchanged"));
                }
                continue;
            }
        };
        let before = src.text;
        let Some(lang) = crate::scan::lang::Lang::detect(&abs, before.as_bytes()) else {
            continue;
        };
        if filters.paths.is_none()
            && let Some(kind) = data_file(path, &before)
        {
            if listed {
                summary.review.push(format!(
                    "{path}: {kind}, not configuration: listed, not rewritten (name it with --path to rewrite it)"
                ));
            }
            continue;
        }
        // Lines holding a key are never changed nor shown: a key the detectors classify, or anything the
        // one redaction path would hide (setting-name values, fragments of keys remembered by the scan).
        let li = crate::scan::lines::LineIndex::new(&before);
        let mut secret_lines: std::collections::BTreeSet<usize> =
            crate::scan::secrets::find(&before, true)
                .iter()
                .flat_map(|h| li.line(h.start) - 1..li.line(h.end.max(h.start + 1) - 1))
                .collect();
        secret_lines.extend(
            before
                .lines()
                .enumerate()
                .filter(|(_, l)| crate::redact::holds_secret(l))
                .map(|(i, _)| i),
        );
        let export = findings.iter().any(|(_, f)| f.json_pointer.is_some());
        files.push((
            path,
            abs,
            before,
            lang,
            secret_lines,
            findings,
            export,
            (src.encoding, hash),
        ));
    }
    // Base-URL variables of exports, and those that must stay V1 because a request on them does: found by
    // rewriting until no more variables get blocked.
    let base_vars: BTreeSet<String> = files
        .iter()
        .filter(|x| x.6)
        .flat_map(|x| x.5.iter())
        .filter(|(_, f)| f.kind == crate::scan::finding::Kind::BaseUrl)
        .filter_map(|(_, f)| exports::base_var_name(f))
        .collect();
    let mut blocked: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for _ in 0..8 {
        let mut rewritten = BTreeSet::new();
        for (_, abs, before, lang, secrets, findings, export, _) in &files {
            if !export {
                continue;
            }
            let ctx = exports::Ctx {
                rules,
                base_vars: &base_vars,
                blocked: &blocked,
            };
            if let Some(e) = exports::rewrite(abs, before, *lang, findings, &ctx, secrets) {
                rewritten.extend(e.url_rewritten);
            }
        }
        let mut next = blocked.clone();
        for (i, f) in files.iter().filter(|x| x.6).flat_map(|x| x.5.iter()) {
            if !matches!(
                f.kind,
                crate::scan::finding::Kind::ExportNode | crate::scan::finding::Kind::Call
            ) || rewritten.contains(i)
            {
                continue;
            }
            for v in exports::vars_in(f.base_source.as_deref().unwrap_or("")) {
                let who = format!("{}:{}", f.path, f.line);
                let users = next.entry(v).or_default();
                if !users.contains(&who) {
                    users.push(who);
                }
            }
        }
        if next == blocked {
            break;
        }
        blocked = next;
    }
    // Where paths are written, which base URLs move, get a V2 sibling or stay, and which path lines
    // change: decided over every file before any is rewritten.
    let (bases, paths) = {
        let scoped: BTreeSet<usize> = files
            .iter()
            .flat_map(|x| x.5.iter().map(|(i, _)| *i))
            .collect();
        let in_scope = |i| scoped.contains(&i);
        let texts: BTreeMap<&str, bases::FileText> = files
            .iter()
            .map(|x| {
                (
                    x.0,
                    bases::FileText {
                        text: &x.2,
                        lang: x.3,
                        index: crate::scan::lines::LineIndex::new(&x.2),
                        secrets: &x.4,
                    },
                )
            })
            .collect();
        let mut located = paths::locate(&scan.findings, rules, &texts);
        // A call `settle` cannot move after all must not count as movable for its bases: decide again
        // until no more calls turn out blocked (each round blocks at least one more).
        loop {
            let bases = bases::decide(&scan.findings, rules, &in_scope, &texts, &located);
            let paths = paths::settle(&located, &bases, &scan.findings, rules, &in_scope, &texts);
            let newly: Vec<(usize, String)> =
                paths.blocked().map(|(i, w)| (i, w.to_string())).collect();
            let mut changed = false;
            for (i, why) in newly {
                changed |= located.refuse(i, &why);
            }
            if !changed {
                break (bases, paths);
            }
        }
    };
    for (path, abs, before, lang, secret_lines, findings, export, (encoding, hash)) in files {
        let edit = match export
            .then(|| {
                let ctx = exports::Ctx {
                    rules,
                    base_vars: &base_vars,
                    blocked: &blocked,
                };
                exports::rewrite(&abs, &before, lang, &findings, &ctx, &secret_lines)
            })
            .flatten()
        {
            Some(e) => rewrite::FileEdit {
                text: e.text,
                outcomes: e.outcomes,
            },
            None => rewrite::rewrite(
                path,
                &before,
                lang,
                &findings,
                rules,
                &secret_lines,
                &rewrite::Decided {
                    bases: &bases,
                    paths: &paths,
                },
            ),
        };
        for (i, o) in &edit.outcomes {
            let f = &scan.findings[*i];
            match o {
                Outcome::Rewritten => summary.rewritten += 1,
                Outcome::Marked(why) => {
                    summary.marked += 1;
                    summary
                        .review
                        .push(format!("{}:{} — {why}", f.path, f.line));
                }
                Outcome::Skipped(why) => {
                    summary.skipped += 1;
                    summary
                        .review
                        .push(format!("{}:{} — {why}", f.path, f.line));
                }
            }
        }
        if edit.text == before {
            continue;
        }
        if let Err(e) = still_parses(lang, path, &before, &edit.text) {
            summary.refused.push(format!(
                "{path}: the rewrite would not parse ({e}); left unchanged"
            ));
            continue;
        }
        let shown = encoding
            .patch_text(&before)
            .zip(encoding.patch_text(&edit.text));
        let (old, new) = shown
            .as_ref()
            .map_or((before.as_str(), edit.text.as_str()), |(o, n)| {
                (o.as_str(), n.as_str())
            });
        let patch = match hunks::unified(&patch_path(&abs, root, path), old, new, &secret_lines, 3)
        {
            Ok(_) if shown.is_none() => {
                summary.review.push(format!(
                    "{path}: UTF-16 text, left out of the patch (git treats it as binary); --apply rewrites it in UTF-16"
                ));
                String::new()
            }
            Ok(p) => p,
            Err(why) => {
                summary.refused.push(format!(
                    "{path}: not patched — {why}; a patch would print it (edit by hand)"
                ));
                continue;
            }
        };
        summary.files_changed += 1;
        patches.push(FilePatch {
            path: path.to_string(),
            abs,
            before_hash: hash,
            encoding,
            before,
            after: edit.text,
            patch,
        });
    }
    (patches, summary)
}

/// A file's text as the scan read it, with its content hash: refused when the file cannot be read, was
/// not read by the scan, or changed since (its findings would point at other content).
fn read_as_scanned(
    scan: &ScanReport,
    path: &str,
    abs: &Path,
) -> Result<(source::Source, String), String> {
    let bytes = std::fs::read(abs).map_err(|e| format!("not readable ({})", e.kind()))?;
    let hash = crate::scan::walk::content_hash(&bytes);
    match scan.hashes.get(path) {
        None => return Err("not read by the scan".into()),
        Some(h) if *h != hash => {
            return Err("changed since it was scanned (run diff again)".into());
        }
        Some(_) => {}
    }
    Ok((source::decode(&bytes)?, hash))
}

/// Files that record data rather than configure anything: rewriting them would falsify a record (a saved
/// report, a test's expected output, a snapshot, a backup).
fn data_file(path: &str, text: &str) -> Option<&'static str> {
    let name = path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path)
        .to_ascii_lowercase();
    if name.ends_with(".orig") || name.ends_with(".rej") || name.ends_with(".bak") {
        return Some("a backup");
    }
    if name.ends_with(".snap") || path.split(['/', '\\']).any(|d| d == "__snapshots__") {
        return Some("a test snapshot");
    }
    if name.starts_with("expected") && (name.ends_with(".json") || name.ends_with(".txt")) {
        return Some("a recorded expected output");
    }
    let head = &text[..crate::scan::lines::floor_char_boundary(text, text.len().min(512))];
    if head.contains("\"ghl-migrate/scan/v") || head.contains("\"ghl-migrate/plan/v") {
        return Some("a saved ghl-migrate report");
    }
    None
}

/// The path a patch names: relative to the top of the git work tree holding the file (so `git apply` works
/// from there whatever folder or file was scanned), else relative to the scanned root.
fn patch_path(abs: &Path, root: &Path, shown: &str) -> String {
    let Ok(file) = abs.canonicalize() else {
        return shown.to_string();
    };
    let base = crate::scan::git_top(&file).or_else(|| {
        let r = root.canonicalize().ok()?;
        Some(if r.is_dir() {
            r
        } else {
            r.parent()?.to_path_buf()
        })
    });
    match base.as_deref().and_then(|b| file.strip_prefix(b).ok()) {
        Some(rel) => rel.to_string_lossy().into_owned(),
        None => shown.to_string(),
    }
}

/// Refuses rewrites that break what we can parse: JSON, YAML, Rust. (Files that did not parse before are
/// not held to it.)
fn still_parses(
    lang: crate::scan::lang::Lang,
    path: &str,
    before: &str,
    after: &str,
) -> Result<(), String> {
    use crate::scan::lang::Lang;
    // Source the program model parses: a file that parsed cleanly must still parse cleanly.
    if crate::program::parse::parses_cleanly(lang, path, before) == Some(true) {
        return match crate::program::parse::parses_cleanly(lang, path, after) {
            Some(true) => Ok(()),
            Some(false) => Err(format!("{} syntax error", lang.name())),
            None => Err("the rewritten file could not be parsed".into()),
        };
    }
    match lang {
        Lang::Json if serde_json::from_str::<serde_json::Value>(before).is_ok() => {
            serde_json::from_str::<serde_json::Value>(after)
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
        // Too large or deep to parse quickly (see `limits`): a rewrite that cannot be checked is refused.
        Lang::Yaml => {
            if let Some(why) = crate::limits::structure_refusal(
                before,
                crate::scan::exports::MAX_YAML_BYTES as u64,
            ) {
                return Err(format!("the file is {why}, so a rewrite cannot be checked"));
            }
            match serde_norway::from_str::<serde_norway::Value>(before) {
                Ok(_) => serde_norway::from_str::<serde_norway::Value>(after)
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
                Err(_) => Ok(()),
            }
        }
        Lang::Rust if syn::parse_file(before).is_ok() => syn::parse_file(after)
            .map(|_| ())
            .map_err(|e| e.to_string()),
        _ => Ok(()),
    }
}

/// The unified diff of one patch, with `a/` and `b/` prefixes (`git apply`, `patch -p1`).
pub fn unified(p: &FilePatch) -> String {
    p.patch.clone()
}
