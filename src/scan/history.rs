//! `scan --history`: every key ever committed. A key deleted from the work tree is still in every clone
//! until history is rewritten, so it needs rotating all the same. Every commit reachable from any ref
//! (and `HEAD`) is visited oldest first; each tree and each blob is read once (by object id), blobs
//! through the work tree's file-type check, size limit and literal prefilter, then the same extractor;
//! each key is reported once, by fingerprint, where it first appeared. Read-only, local (no network).
use super::finding::{Finding, Kind};
use super::{Prefilter, WalkOptions, lang, scan_text, walk};
use crate::credential::Credential;
use crate::rules::RuleSet;
use anyhow::{Context, Result};
use gix::ObjectId;

/// Memory for decoded delta bases, per reading thread.
const PACK_CACHE_BYTES: usize = 8 << 20;
use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;

/// What the history pass read and found (`history` in the JSON report).
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct History {
    /// Commits visited (reachable from any ref or `HEAD`).
    pub commits: usize,
    /// Distinct blobs met (each read at most once).
    pub blobs: usize,
    /// Blobs that passed the prefilter and were extracted.
    pub blobs_read: usize,
    /// Each key once, oldest first.
    pub keys: Vec<HistoryKey>,
    /// With `--history=all`: each V1 call once per file and endpoint, where it first appeared.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<HistoryCall>,
}

/// A V1 call found in a commit.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct HistoryCall {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub v1_path: Option<String>,
    /// The first commit (by commit time) whose tree holds it.
    pub commit: String,
    pub path: String,
    pub line: usize,
    /// The work tree's scan finds the same endpoint in the same file.
    pub in_worktree: bool,
}

/// A key found in a commit: where it first appeared, and whether the work tree still holds it.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct HistoryKey {
    pub credential: Credential,
    /// The first commit (by commit time) whose tree holds it.
    pub commit: String,
    pub path: String,
    pub line: usize,
    /// The scan of the work tree found it too; `false`: only history holds it (rotate it anyway).
    pub in_worktree: bool,
}

/// Which part of history to read, and what to list.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    /// Also list V1 calls (`--history=all`).
    pub calls: bool,
    /// Only commits made at or after this time (Unix seconds, `--since`).
    pub since: Option<i64>,
    /// Only commits reachable from these refs (`--branch`); empty: every ref and `HEAD`.
    pub branches: Vec<String>,
}

/// Reads the history of the repository holding `start`. `worktree` is the work tree's findings.
pub fn scan(
    start: &Path,
    opts: &WalkOptions,
    rules: &RuleSet,
    worktree: &[Finding],
    scope: &Scope,
) -> Result<History> {
    let with_calls = scope.calls;
    let open = || {
        let mut repo = gix::discover(start).with_context(|| {
            format!("--history: {} is not in a git repository", start.display())
        })?;
        // A delta-base cache per reader: without one each blob's delta chain is inflated again from its
        // base (gc'd packs chain ~50 deep), which made a packed history 3x slower than gitleaks.
        repo.objects.set_pack_cache(|| {
            Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
                PACK_CACHE_BYTES,
            ))
        });
        Ok::<_, anyhow::Error>(repo)
    };
    let repo = open()?;
    let commits = commits_oldest_first(&repo, scope)?;
    // Each blob once, in the order of the first commit holding it: the first finding of a key is its
    // oldest appearance.
    let mut seen_trees: HashSet<ObjectId> = HashSet::new();
    let mut seen_blobs: HashSet<ObjectId> = HashSet::new();
    let mut blobs: Vec<(usize, ObjectId, String)> = Vec::new();
    for (i, (_, tree)) in commits.iter().enumerate() {
        for (blob, path) in new_blobs(&repo, *tree, &mut seen_trees, &mut seen_blobs)? {
            blobs.push((i, blob, path));
        }
    }
    let found = read_blobs(&open, &blobs, opts, rules, with_calls)?;
    let in_worktree: HashSet<&str> = worktree
        .iter()
        .filter_map(|f| f.credential.as_ref())
        .map(|c| c.fingerprint.as_str())
        .collect();
    let mut out = History {
        commits: commits.len(),
        blobs: blobs.len(),
        blobs_read: found.iter().filter(|f| f.is_some()).count(),
        keys: Vec::new(),
        calls: Vec::new(),
    };
    let endpoint = |f: &Finding| {
        (
            f.path.clone(),
            f.rule
                .clone()
                .or_else(|| f.v1_path.clone())
                .unwrap_or_default(),
        )
    };
    let calls_now: HashSet<(String, String)> = worktree
        .iter()
        .filter(|f| f.kind == Kind::Call)
        .map(endpoint)
        .collect();
    let mut calls_seen: HashSet<(String, String)> = HashSet::new();
    let mut reported: HashSet<String> = HashSet::new();
    for ((commit, _, path), keys) in blobs.iter().zip(found) {
        for f in keys.into_iter().flatten() {
            if f.kind == Kind::Call {
                let e = endpoint(&f);
                if calls_seen.insert(e.clone()) {
                    out.calls.push(HistoryCall {
                        in_worktree: calls_now.contains(&e),
                        rule: f.rule.clone(),
                        v1_path: f.v1_path.clone(),
                        commit: commits[*commit].0.to_hex().to_string(),
                        path: path.clone(),
                        line: f.line,
                    });
                }
                continue;
            }
            let Some(c) = f.credential else { continue };
            if !reported.insert(c.fingerprint.clone()) {
                continue;
            }
            out.keys.push(HistoryKey {
                in_worktree: in_worktree.contains(c.fingerprint.as_str()),
                credential: c,
                commit: commits[*commit].0.to_hex().to_string(),
                path: path.clone(),
                line: f.line,
            });
        }
    }
    Ok(out)
}

/// The keys (and, with `--history=all`, V1 calls) of one blob, or `None` when it was not read.
type BlobKeys = Option<Vec<Finding>>;

/// [`read_blob`] for every blob, on `--threads` threads (one repository handle each: a gix handle is
/// not shared between threads), results in the order of `blobs`.
fn read_blobs(
    open: &(dyn Fn() -> Result<gix::Repository> + Sync),
    blobs: &[(usize, ObjectId, String)],
    opts: &WalkOptions,
    rules: &RuleSet,
    with_calls: bool,
) -> Result<Vec<BlobKeys>> {
    let threads = match opts.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .clamp(1, blobs.len().max(1));
    let pre = Prefilter::new(rules);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Result<Vec<(usize, BlobKeys)>>> = std::thread::scope(|sc| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                sc.spawn(|| {
                    let repo = open()?;
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((_, blob, path)) = blobs.get(i) else {
                            break;
                        };
                        done.push((
                            i,
                            read_blob(&repo, *blob, path, opts, &pre, rules, with_calls)?,
                        ));
                    }
                    Ok(done)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut out: Vec<BlobKeys> = (0..blobs.len()).map(|_| None).collect();
    for r in results {
        for (i, found) in r? {
            out[i] = found;
        }
    }
    Ok(out)
}

/// Every commit reachable from the refs and `HEAD`, with its tree, oldest first (ties by id, so the
/// report is the same on every run).
fn commits_oldest_first(
    repo: &gix::Repository,
    scope: &Scope,
) -> Result<Vec<(ObjectId, ObjectId)>> {
    let mut tips: Vec<ObjectId> = Vec::new();
    for name in &scope.branches {
        // A branch, tag or other ref by its short or full name (`main`, `origin/main`, `refs/tags/v1`).
        let id = repo
            .find_reference(name.as_str())
            .ok()
            .and_then(|mut r| r.peel_to_commit().ok())
            .map(|c| c.id)
            .with_context(|| {
                format!("--branch {name:?}: no such branch or ref in this repository")
            })?;
        tips.push(id);
    }
    if scope.branches.is_empty() {
        let refs = repo.references().context("--history: reading refs")?;
        for r in refs.all().context("--history: reading refs")?.flatten() {
            let mut r = r;
            // Tags are peeled; a ref to a tree or blob holds no commit.
            if let Ok(c) = r.peel_to_commit() {
                tips.push(c.id);
            }
        }
        if let Ok(head) = repo.head_id() {
            tips.push(head.detach());
        }
    }
    tips.sort();
    tips.dedup();
    if tips.is_empty() {
        return Ok(Vec::new());
    }
    let mut commits = Vec::new();
    let walk = repo
        .rev_walk(tips)
        .all()
        .context("--history: walking commits")?;
    for info in walk {
        let info = info.context("--history: walking commits")?;
        let commit = repo
            .find_commit(info.id)
            .context("--history: reading a commit")?;
        let time = commit.time().map_or(0, |t| t.seconds);
        if scope.since.is_some_and(|since| time < since) {
            continue;
        }
        let tree = commit.tree_id().context("--history: reading a commit")?;
        commits.push((time, info.id, tree.detach()));
    }
    commits.sort();
    Ok(commits.into_iter().map(|(_, c, t)| (c, t)).collect())
}

/// The blobs of `tree` not met before, with their paths; subtrees met before are not entered (every
/// blob below them was met then).
fn new_blobs(
    repo: &gix::Repository,
    tree: ObjectId,
    seen_trees: &mut HashSet<ObjectId>,
    seen_blobs: &mut HashSet<ObjectId>,
) -> Result<Vec<(ObjectId, String)>> {
    let mut out = Vec::new();
    let mut stack = vec![(tree, String::new())];
    while let Some((id, prefix)) = stack.pop() {
        if !seen_trees.insert(id) {
            continue;
        }
        let tree = repo.find_tree(id).context("--history: reading a tree")?;
        let decoded = tree.decode().context("--history: reading a tree")?;
        for e in &decoded.entries {
            let name = format!("{prefix}{}", e.filename);
            if e.mode.is_tree() {
                stack.push((e.oid.to_owned(), format!("{name}/")));
            } else if e.mode.is_blob() && seen_blobs.insert(e.oid.to_owned()) {
                out.push((e.oid.to_owned(), name));
            }
        }
    }
    Ok(out)
}

/// The keys in one blob, or `None` when it is not read: a file type scan does not read, over
/// `--max-filesize`, binary, or without a strong literal (host, JWT, PIT, setting name).
fn read_blob(
    repo: &gix::Repository,
    id: ObjectId,
    path: &str,
    opts: &WalkOptions,
    pre: &Prefilter,
    rules: &RuleSet,
    with_calls: bool,
) -> Result<BlobKeys> {
    let p = Path::new(path);
    if lang::Lang::detect(p, b"").is_none() && p.extension().is_some() {
        return Ok(None);
    }
    let size = repo
        .find_header(id)
        .context("--history: reading a blob")?
        .size();
    if size > opts.max_filesize {
        return Ok(None);
    }
    let blob = repo.find_blob(id).context("--history: reading a blob")?;
    let utf16 = walk::decode_utf16(&blob.data).map(|(s, _)| s.into_bytes());
    let bytes = utf16.as_deref().unwrap_or(&blob.data);
    if !pre.is_strong(bytes) {
        return Ok(None);
    }
    let Ok(text) = walk::decode(bytes.to_vec()) else {
        return Ok(None); // binary
    };
    let src = match &text {
        walk::Text::Utf8(s) | walk::Text::Decoded(s, _) => s,
    };
    let keys = scan_text(p, path, src, rules)
        .findings
        .into_iter()
        .filter(|f| {
            (f.kind == Kind::Credential && f.credential.is_some() && f.is_v1_usage())
                || (with_calls
                    && f.kind == Kind::Call
                    && f.is_v1_usage()
                    && f.context != super::finding::Context::Comment)
        })
        .collect();
    Ok(Some(keys))
}
