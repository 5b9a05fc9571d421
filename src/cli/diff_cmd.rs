//! `ghl-migrate diff`.
use super::EXIT_OK;
use super::args::{Cli, DiffArgs};
use crate::diff::{self, Filters};
use crate::redact::eprint_line;
use anyhow::{Context, Result, bail};
use std::io::Write;

pub fn run(cli: &Cli, a: &DiffArgs, out: &mut dyn Write) -> Result<i32> {
    if a.backup && !a.apply {
        bail!("--backup only makes sense with --apply");
    }
    if a.apply && a.output.is_some() {
        bail!("--apply writes the files; -o/--output writes a patch: choose one");
    }
    if a.walk.paths.len() != 1 {
        bail!("diff takes one PATH (the root the patch is relative to)");
    }
    let root = a.walk.paths[0].clone();
    let (report, rules, _) = super::scan_cmd::run_scan(cli, &a.walk, a.quiet)?;
    if let Some(unknown) = a.rule_ids.iter().find(|id| rules.get(id).is_none()) {
        bail!("--rule {unknown:?}: no such rule (see `ghl-migrate rules list`)");
    }
    let paths = if a.path_globs.is_empty() {
        None
    } else {
        let mut b = globset::GlobSetBuilder::new();
        for g in &a.path_globs {
            b.add(globset::Glob::new(g).with_context(|| format!("bad --path glob {g:?}"))?);
        }
        Some(b.build()?)
    };
    let filters = Filters {
        rules: a.rule_ids.clone(),
        paths,
    };
    let (patches, summary) = diff::plan_patches(&report, &rules, &root, &filters);
    let patch: String = patches.iter().map(diff::unified).collect();
    if !patch.is_empty()
        && !a.apply
        && let Ok(r) = root.canonicalize()
        && let Some(top) = crate::scan::git_top(&r)
        && top != r
    {
        eprint_line(&format!(
            "ghl-migrate diff: patch paths are relative to {} (the top of the git work tree): run `git apply` there",
            top.display()
        ));
    }
    if let Some(dir) = &a.per_file {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        for p in &patches {
            if p.patch.is_empty() {
                continue; // UTF-16: only --apply rewrites it
            }
            let name = format!("{}.patch", p.path.replace('/', "__"));
            let file = dir.join(name);
            crate::redact::write_file(&file, diff::unified(p).as_bytes())
                .with_context(|| format!("writing {}", file.display()))?;
        }
    }
    match &a.output {
        Some(f) => crate::redact::write_file(f, patch.as_bytes())
            .with_context(|| format!("writing {}", f.display()))?,
        None if !a.apply && a.per_file.is_none() => out.write_all(patch.as_bytes())?,
        None => {}
    }
    if a.apply {
        let done = diff::apply(&patches, &root, a.backup)?;
        eprint_line(&format!("applied to {} file(s)", done.written.len()));
    }
    eprint_line(&format!(
        "ghl-migrate diff: {} file(s) changed; {} finding(s) rewritten, {} marked for review, {} left for a human",
        summary.files_changed, summary.rewritten, summary.marked, summary.skipped
    ));
    for r in summary.review.iter().chain(&summary.refused) {
        eprint_line(&format!("  {}", crate::report::visible(r)));
    }
    Ok(EXIT_OK)
}
