//! End-to-end: `diff` over every program-model fixture (`fixtures/program/<lang>/<shape>/`: request
//! wrappers, client objects, config objects, URLs built before the send, joins, framework config), in
//! every language the model reads. For each: the patch is exactly the stored `expected.patch`; it applies
//! with `git apply`; every changed file still parses (tree-sitter, plus `py_compile`, `node --check` and
//! `php -l` where the machine has them); a re-scan reports no half-migrated request and exactly the
//! requests the summary left for a human; and a second `diff` is empty.
//!
//! `GHL_BLESS=1 cargo test --test program_diff` rewrites the `expected.patch` files from the current
//! output; review `git diff fixtures/` before committing them.
mod support;
use ghl_migrate::program::parse::parses_cleanly;
use ghl_migrate::scan::lang::Lang;
use std::collections::BTreeMap;
use std::path::PathBuf;
use support::migrate::{
    copy_fixture, diff_and_apply, findings, second_diff_is_empty, still_compiles,
};

fn cases() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = walkdir::WalkDir::new("fixtures/program")
        .min_depth(2)
        .max_depth(2)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_dir())
        .map(|e| e.into_path())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 40, "fixtures/program went missing");
    dirs
}

/// V1 calls outside comments, as `path rule` (lines move when markers are inserted).
fn calls(found: &[serde_json::Value]) -> Vec<(String, usize, String)> {
    let mut v: Vec<_> = found
        .iter()
        .filter(|f| f["kind"] == "call" && f["context"] != "comment")
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap() as usize,
                f["rule"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

/// The summary's review lines, `path:line` → what it says (one entry per finding).
fn review(summary: &str) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for l in summary.lines() {
        if let Some((at, why)) = l.trim_start().split_once(" — ")
            && l.starts_with("  ")
        {
            m.entry(at.to_string()).or_default().push(why.to_string());
        }
    }
    m
}

/// The files a patch changes.
fn changed_files(patch: &str) -> Vec<String> {
    patch
        .lines()
        .filter_map(|l| l.strip_prefix("+++ b/"))
        .map(str::to_string)
        .collect()
}

#[test]
fn program_fixture_patches_apply_parse_and_leave_only_marked_calls() {
    let bless = std::env::var_os("GHL_BLESS").is_some();
    let mut problems = Vec::new();
    for case in cases() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        copy_fixture(&case, dir);
        let before_findings = findings(dir);
        let before = calls(&before_findings);
        let sources: BTreeMap<String, String> = walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
                (rel, std::fs::read_to_string(e.path()).unwrap_or_default())
            })
            .collect();
        let (patch, summary) = diff_and_apply(dir);
        let name = case.display().to_string();
        let expected = case.join("expected.patch");
        if bless {
            std::fs::write(&expected, &patch).unwrap();
        } else if std::fs::read_to_string(&expected).ok().as_deref() != Some(patch.as_str()) {
            problems.push(format!(
                "{name}: patch differs from expected.patch (GHL_BLESS=1 to accept):\n{patch}"
            ));
        }
        assert!(
            !summary.contains("would not parse") && !summary.contains("not patched"),
            "{name}: a rewrite was refused:\n{summary}"
        );
        // Every changed file still parses where it parsed before.
        for file in changed_files(&patch) {
            let p = dir.join(&file);
            let after = std::fs::read_to_string(&p).unwrap();
            let lang = Lang::detect(&p, after.as_bytes()).unwrap();
            let was_clean = sources
                .get(&file)
                .and_then(|b| parses_cleanly(lang, &file, b))
                .unwrap_or(false);
            if was_clean {
                assert_eq!(
                    parses_cleanly(lang, &file, &after),
                    Some(true),
                    "{name}/{file}: no longer parses:\n{after}"
                );
            }
            still_compiles(dir, &file);
        }
        // The re-scan: no half-migrated request, and exactly the calls the summary did not rewrite.
        let after_findings = findings(dir);
        let half: Vec<_> = after_findings
            .iter()
            .filter(|f| f["category"] == "half_migrated")
            .collect();
        assert!(half.is_empty(), "{name}: half-migrated requests: {half:?}");
        assert!(
            !before_findings
                .iter()
                .any(|f| f["category"] == "half_migrated"),
            "{name}: the fixture itself holds a half-migrated request"
        );
        let said = review(&summary);
        let mut left: Vec<(String, String)> = Vec::new();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for (path, line, rule) in &before {
            let at = format!("{path}:{line}");
            let k = seen.entry(at.clone()).or_default();
            let why = said.get(&at).and_then(|w| w.get(*k));
            *k += 1;
            if why.is_some_and(|w| !w.starts_with("rewritten")) {
                left.push((path.clone(), rule.clone()));
            }
        }
        left.sort();
        let mut after: Vec<(String, String)> = calls(&after_findings)
            .into_iter()
            .map(|(p, _, r)| (p, r))
            .collect();
        after.sort();
        if after != left {
            problems.push(format!(
                "{name}: the re-scan reports {after:?}, the summary left {left:?}\n{summary}"
            ));
        }
        second_diff_is_empty(dir);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
