//! `diff`: unified diffs (`git apply` / `patch -p1`) for what can be rewritten with certainty, marker
//! comments for what needs a human, and `--apply` (atomic, refuses files changed since they were read).
mod edit;
pub mod exports;
mod hunks;
pub mod n8n;
pub mod rewrite;

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
    /// `before`'s fingerprint, to refuse applying over a file that changed since.
    pub before_hash: String,
    /// The unified diff (never showing a line that holds a key).
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
    let mut files = Vec::new();
    for (path, findings) in by_file {
        let abs = if root.is_dir() {
            root.join(path)
        } else {
            root.to_path_buf()
        };
        let Ok(before) = std::fs::read_to_string(&abs) else {
            summary
                .refused
                .push(format!("{path}: not readable as UTF-8 text"));
            continue;
        };
        let Some(lang) = crate::scan::lang::Lang::detect(&abs, before.as_bytes()) else {
            continue;
        };
        // Lines holding a key are never changed nor shown.
        let li = crate::scan::lines::LineIndex::new(&before);
        let secret_lines: std::collections::BTreeSet<usize> =
            crate::scan::secrets::find(&before, true)
                .iter()
                .map(|h| li.line(h.start) - 1)
                .collect();
        let export = findings.iter().any(|(_, f)| f.json_pointer.is_some());
        files.push((path, abs, before, lang, secret_lines, findings, export));
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
        for (_, abs, before, lang, secrets, findings, export) in &files {
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
    for (path, abs, before, lang, secret_lines, findings, export) in files {
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
            None => rewrite::rewrite(&before, lang, &findings, rules, &secret_lines),
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
        if let Err(e) = still_parses(lang, &before, &edit.text) {
            summary.refused.push(format!(
                "{path}: the rewrite would not parse ({e}); left unchanged"
            ));
            continue;
        }
        let patch = match hunks::unified(path, &before, &edit.text, &secret_lines, 3) {
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
            before_hash: crate::redact::fingerprint(&before),
            before,
            after: edit.text,
            patch,
        });
    }
    (patches, summary)
}

/// Refuses rewrites that break what we can parse: JSON, YAML, Rust. (Files that did not parse before are
/// not held to it.)
fn still_parses(lang: crate::scan::lang::Lang, before: &str, after: &str) -> Result<(), String> {
    use crate::scan::lang::Lang;
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

/// Writes every patch atomically (temp file + rename), refusing any file that changed since it was read,
/// a file that is a symlink (the rename would replace the link, and writing through it could leave the
/// tree), and a backup path that already exists (never overwritten, never followed). When it stops early,
/// the error names the files already written.
pub fn apply(patches: &[FilePatch], backup: bool) -> anyhow::Result<Vec<String>> {
    let mut done: Vec<String> = Vec::new();
    for p in patches {
        if let Err(e) = apply_one(p, backup) {
            let written = if done.is_empty() {
                "no file was written".to_string()
            } else {
                format!("already written: {}", done.join(", "))
            };
            return Err(e.context(format!("stopped at {} ({written})", p.path)));
        }
        done.push(p.path.clone());
    }
    Ok(done)
}

fn apply_one(p: &FilePatch, backup: bool) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::io::Write;
    let meta = std::fs::symlink_metadata(&p.abs).with_context(|| format!("reading {}", p.path))?;
    if meta.file_type().is_symlink() {
        anyhow::bail!(
            "{} is a symlink: not written through (edit its target by hand)",
            p.path
        );
    }
    let now = std::fs::read_to_string(&p.abs).with_context(|| format!("re-reading {}", p.path))?;
    if crate::redact::fingerprint(&now) != p.before_hash {
        anyhow::bail!(
            "{} changed since it was scanned: not applied (run diff again)",
            p.path
        );
    }
    let dir = p.abs.parent().unwrap_or(Path::new("."));
    if backup {
        let orig = p.abs.with_extension(format!(
            "{}orig",
            p.abs
                .extension()
                .map(|e| format!("{}.", e.to_string_lossy()))
                .unwrap_or_default()
        ));
        // `create_new` fails on any existing entry, a symlink included: nothing is overwritten or
        // written through.
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&orig)
            .with_context(|| {
                format!(
                    "writing the backup {}: it already exists or cannot be created (not overwritten)",
                    orig.display()
                )
            })?;
        f.write_all(p.before.as_bytes())
            .with_context(|| format!("writing a backup of {}", p.path))?;
    }
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("creating a temp file next to {}", p.path))?;
    tmp.write_all(p.after.as_bytes())?;
    let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
    tmp.persist(&p.abs)
        .with_context(|| format!("replacing {}", p.path))?;
    Ok(())
}
