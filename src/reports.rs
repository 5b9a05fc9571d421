//! Saved `ghl-migrate/scan/v1` reports, one per repository: read back (bounded, schema checked), tagged
//! with their repository, and combined into one inventory — what `plan --from` plans across and what
//! `merge` writes. Each repository is scanned where it lives (a CI matrix job); nothing here reads code.
//!
//! A report's repository is the one it names (`scan --repo`, or the scanned folder's), else the report
//! file's stem. A combined report (`merge`) names none: each of its findings carries its own.
use crate::scan::history::History;
use crate::scan::{ScanReport, Summary};
use anyhow::{Context, Result, bail};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The schema every report must declare.
pub const SCHEMA: &str = "ghl-migrate/scan/v1";

/// One report as read, with the file it came from.
pub struct Loaded {
    pub file: PathBuf,
    pub report: ScanReport,
}

/// Reads a scan report through the bounded reader; every refusal names the file (the content is never
/// quoted, so no key can leak through an error).
pub fn read(path: &Path) -> Result<Loaded> {
    let shown = path.display();
    let text =
        crate::limits::read_small_file(path, crate::limits::MAX_REPORT_BYTES, "scan report")?;
    let doc: serde_json::Value = serde_json::from_str(&text).with_context(|| {
        format!("{shown} is not a `ghl-migrate scan --format json` report (not JSON)")
    })?;
    match doc.get("schema").and_then(|s| s.as_str()) {
        Some(SCHEMA) => {}
        Some(_) => bail!("{shown} is not a {SCHEMA} report (it declares another schema)"),
        None => bail!("{shown} is not a {SCHEMA} report (no `schema` field)"),
    }
    let report: ScanReport = serde_json::from_value(doc)
        .with_context(|| format!("{shown}: not a valid {SCHEMA} report"))?;
    Ok(Loaded {
        file: path.to_path_buf(),
        report,
    })
}

/// The name a report stands for when it names no repository: its file's stem (`billing.json` →
/// `billing`).
fn stem(file: &Path) -> String {
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "report".into())
}

/// The repositories a report holds, and tags every finding with its own.
fn tag(l: &mut Loaded) -> BTreeSet<String> {
    let fallback = l.report.repository.clone().unwrap_or_else(|| stem(&l.file));
    let combined =
        l.report.repository.is_none() && l.report.findings.iter().any(|f| f.repository.is_some());
    let mut repos = BTreeSet::new();
    if combined {
        // `merge` lists its repositories as roots.
        repos.extend(l.report.roots.iter().cloned());
    } else {
        repos.insert(fallback.clone());
    }
    for f in &mut l.report.findings {
        let r = f.repository.get_or_insert_with(|| fallback.clone());
        repos.insert(r.clone());
    }
    repos
}

/// `repo:path`, how a path of one repository is shown among several.
pub fn qualify(repo: &str, path: &str) -> String {
    format!("{repo}:{path}")
}

/// Combines reports into one, each finding tagged with its repository (paths stay relative to their
/// repository); the roots are the repository names, sorted. A repository named by two files is an error:
/// two scans would be silently mixed into one.
pub fn combine(mut loaded: Vec<Loaded>, tool: String) -> Result<ScanReport> {
    let mut owner: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut findings = Vec::new();
    let mut skipped = Vec::new();
    let mut warnings = Vec::new();
    let mut summary = Summary::default();
    let mut history: Option<History> = None;
    for l in &mut loaded {
        // Skipped files and history keys carry a path only: qualify it (a combined report's are already).
        let own = l.report.repository.clone().or_else(|| {
            let combined = l.report.findings.iter().any(|f| f.repository.is_some());
            (!combined).then(|| stem(&l.file))
        });
        for repo in tag(l) {
            if let Some(first) = owner.get(&repo) {
                bail!(
                    "repository `{repo}` is in both {} and {}: give each scan its own `scan --repo NAME`",
                    first.display(),
                    l.file.display()
                );
            }
            owner.insert(repo, l.file.clone());
        }
        let r = &mut l.report;
        let q = |p: &str| match &own {
            Some(repo) => qualify(repo, p),
            None => p.to_string(),
        };
        for s in r.skipped.iter_mut().chain(r.warnings.iter_mut()) {
            s.path = q(&s.path);
        }
        add_summary(&mut summary, &r.summary);
        if let Some(h) = r.history.take() {
            let into = history.get_or_insert(History {
                commits: 0,
                blobs: 0,
                blobs_read: 0,
                keys: Vec::new(),
                calls: Vec::new(),
            });
            into.commits += h.commits;
            into.blobs += h.blobs;
            into.blobs_read += h.blobs_read;
            into.keys.extend(h.keys.into_iter().map(|mut k| {
                k.path = q(&k.path);
                k
            }));
            into.calls.extend(h.calls.into_iter().map(|mut c| {
                c.path = q(&c.path);
                c
            }));
        }
        findings.append(&mut r.findings);
        skipped.append(&mut r.skipped);
        warnings.append(&mut r.warnings);
    }
    findings.sort_by_key(|f| (f.repository.clone(), f.sort_key()));
    skipped.sort();
    warnings.sort();
    Ok(ScanReport {
        schema: "ghl-migrate/scan/v1",
        tool,
        repository: None,
        roots: owner.into_keys().collect(),
        findings,
        skipped,
        warnings,
        summary,
        hashes: Default::default(),
        history,
    })
}

/// Reads every report and combines them: what `plan --from` and `merge` start from.
pub fn read_all(paths: &[PathBuf], tool: String) -> Result<ScanReport> {
    let loaded = paths.iter().map(|p| read(p)).collect::<Result<Vec<_>>>()?;
    combine(loaded, tool)
}

fn add_summary(into: &mut Summary, s: &Summary) {
    into.files_seen += s.files_seen;
    into.files_read += s.files_read;
    into.bytes_read += s.bytes_read;
    into.skipped += s.skipped;
    into.excluded += s.excluded;
    into.findings += s.findings;
    into.v1_usage += s.v1_usage;
    into.gate_failures += s.gate_failures;
    into.suppressed += s.suppressed;
    into.unknown_endpoints += s.unknown_endpoints;
    into.elapsed_ms += s.elapsed_ms;
    for (into, from) in [
        (&mut into.by_kind, &s.by_kind),
        (&mut into.by_context, &s.by_context),
        (&mut into.by_rule, &s.by_rule),
        (&mut into.credentials, &s.credentials),
    ] {
        for (k, n) in from {
            *into.entry(k.clone()).or_default() += n;
        }
    }
}

/// The repository a scan of `root` stands for when `--repo` is not given: the name of the git work
/// tree's top folder holding it, else the folder's own name (a file: its folder's).
pub fn default_name(root: &Path) -> Option<String> {
    let abs = std::fs::canonicalize(root).ok()?;
    let dir = if abs.is_dir() {
        abs
    } else {
        abs.parent()?.to_path_buf()
    };
    let top = dir
        .ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(&dir);
    top.file_name().map(|n| n.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_name_is_the_git_top_folder_else_the_folder() {
        let d = tempfile::tempdir().unwrap();
        let repo = d.path().join("billing-api");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("src/deep")).unwrap();
        assert_eq!(
            default_name(&repo.join("src/deep")).as_deref(),
            Some("billing-api")
        );
        let plain = d.path().join("plain");
        std::fs::create_dir_all(&plain).unwrap();
        std::fs::write(plain.join("a.js"), "").unwrap();
        assert_eq!(default_name(&plain.join("a.js")).as_deref(), Some("plain"));
    }
}
