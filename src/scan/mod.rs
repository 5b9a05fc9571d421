//! `scan`: the inventory of V1 calls, base URLs and keys.
//!
//! walk → prefilter → extract (per file, in parallel) → resolve names across files → findings.
//! Files without a HighLevel host, a JWT or a PIT are rejected by a literal prefilter before any parsing.
//! Files that only mention V1-looking paths (`/contacts/…`) are read in a second, smaller pass, and only
//! when the first pass found a V1 base URL bound to a name that they use.
pub mod extract;
pub mod finding;
pub mod lang;
pub mod lexer;
pub mod lines;
pub mod method;
pub mod names;
pub mod rust_syn;
pub mod secrets;
pub mod url;
pub mod walk;

use crate::rules::RuleSet;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use extract::{BaseValue, Def, FileScan, Pending};
use finding::{Finding, Kind};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;
pub use walk::{Skipped, WalkOptions};

/// The `ghl-migrate/scan/v1` document.
#[derive(Debug, Serialize)]
pub struct ScanReport {
    pub schema: &'static str,
    pub tool: String,
    pub roots: Vec<String>,
    pub findings: Vec<Finding>,
    pub skipped: Vec<Skipped>,
    /// Files scanned with a caveat (decoded from UTF-16, invalid UTF-8 replaced).
    pub warnings: Vec<Skipped>,
    pub summary: Summary,
}

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub files_seen: usize,
    pub files_read: usize,
    pub bytes_read: u64,
    pub skipped: usize,
    pub findings: usize,
    /// Findings that count as V1 usage (everything but mentions).
    pub v1_usage: usize,
    pub by_kind: BTreeMap<String, usize>,
    pub by_context: BTreeMap<String, usize>,
    pub by_rule: BTreeMap<String, usize>,
    pub unknown_endpoints: usize,
    pub credentials: BTreeMap<String, usize>,
    pub elapsed_ms: u128,
}

/// Progress callback: called with the number of files seen so far.
pub type Progress<'a> = &'a (dyn Fn(usize) + Sync);

/// Scans `roots` and returns the inventory.
pub fn scan(
    roots: &[PathBuf],
    opts: &WalkOptions,
    rules: &RuleSet,
    progress: Option<Progress>,
) -> ScanReport {
    let started = Instant::now();
    let strong = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .build(["gohighlevel", "leadconnectorhq", "eyJ", "pit-"])
        .expect("static patterns");
    let weak = weak_prefilter(rules);
    let state = Mutex::new(State::default());
    let seen = std::sync::atomic::AtomicUsize::new(0);
    let single_dir = (roots.len() == 1 && roots[0].is_dir()).then(|| roots[0].clone());
    let display = |p: &Path| display_path(single_dir.as_deref(), p);

    walk::builder(roots, opts).build_parallel().run(|| {
        let state = &state;
        let seen = &seen;
        let strong = &strong;
        let weak = &weak;
        let display = &display;
        Box::new(move |entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    state
                        .lock()
                        .unwrap()
                        .skipped
                        .push(walk::skipped_from_error(&err, display));
                    return ignore::WalkState::Continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return ignore::WalkState::Continue;
            }
            let n = seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if let Some(p) = progress
                && n % 256 == 0
            {
                p(n);
            }
            let path = entry.path();
            let outcome = scan_file(path, &display(path), opts, rules, strong, weak);
            let mut s = state.lock().unwrap();
            s.absorb(outcome, path);
            ignore::WalkState::Continue
        })
    });
    let mut st = state.into_inner().unwrap();
    let files_seen = seen.into_inner();

    // Second pass: files with V1-looking paths but no host, when a V1 base name exists to join them to.
    let v1_names: Vec<String> = st
        .defs
        .iter()
        .filter(|d| matches!(d.value, BaseValue::V1 { .. }))
        .map(|d| d.name.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let v1_code_dirs: Vec<String> = st
        .defs
        .iter()
        .filter(|d| d.in_code && matches!(d.value, BaseValue::V1 { .. }))
        .map(|d| parent_dir(&d.path).to_string())
        .collect();
    if !v1_names.is_empty() && !st.weak.is_empty() {
        let names_ac = AhoCorasick::new(&v1_names).expect("names");
        let weak_files = std::mem::take(&mut st.weak);
        for path in weak_files {
            let rel = display(&path);
            if let Ok(text) = walk::read(&path, opts.max_filesize) {
                let src = match &text {
                    walk::Text::Utf8(s) | walk::Text::Decoded(s, _) => s,
                };
                // It uses a V1 base's name, or sits below code that defines a V1 base (request options
                // such as `{ url: '/contacts' }` of a client configured there).
                let below = v1_code_dirs
                    .iter()
                    .any(|d| is_ancestor_dir(d, parent_dir(&rel)));
                if names_ac.is_match(src) || below {
                    let out = scan_text(&path, &rel, src, rules);
                    st.bytes += src.len() as u64;
                    st.files_read += 1;
                    st.merge(out);
                }
            }
        }
    }
    resolve_pending(&mut st, rules);
    finish(st, roots, files_seen, started)
}

#[derive(Default)]
struct State {
    findings: Vec<Finding>,
    defs: Vec<Def>,
    pending: Vec<Pending>,
    skipped: Vec<Skipped>,
    warnings: Vec<Skipped>,
    weak: Vec<PathBuf>,
    files_read: usize,
    bytes: u64,
}

impl State {
    fn absorb(&mut self, o: Outcome, path: &Path) {
        match o {
            Outcome::Rejected => {}
            Outcome::Weak => self.weak.push(path.to_path_buf()),
            Outcome::Skipped(s) => self.skipped.push(s),
            Outcome::Scanned {
                scan,
                bytes,
                warning,
            } => {
                self.files_read += 1;
                self.bytes += bytes;
                if let Some(w) = warning {
                    self.warnings.push(w);
                }
                self.merge(scan);
            }
        }
    }

    fn merge(&mut self, s: FileScan) {
        self.findings.extend(s.findings);
        self.defs.extend(s.defs);
        self.pending.extend(s.pending);
    }
}

enum Outcome {
    Rejected,
    Weak,
    Skipped(Skipped),
    Scanned {
        scan: FileScan,
        bytes: u64,
        warning: Option<Skipped>,
    },
}

fn weak_prefilter(rules: &RuleSet) -> AhoCorasick {
    let mut pats: Vec<String> = rules
        .rules()
        .iter()
        .filter_map(|r| r.v1.path.split('/').nth(2).map(str::to_string))
        .filter(|s| !s.starts_with('{') && !s.is_empty())
        .flat_map(|s| [format!("/{s}"), format!("{s}/")])
        .collect();
    pats.sort();
    pats.dedup();
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .build(&pats)
        .expect("rule segments")
}

fn scan_file(
    path: &Path,
    rel: &str,
    opts: &WalkOptions,
    rules: &RuleSet,
    strong: &AhoCorasick,
    weak: &AhoCorasick,
) -> Outcome {
    let Some(lang) = lang::Lang::detect(path, b"").or_else(|| {
        // Extension-less files: look at the shebang.
        let head = std::fs::File::open(path).ok().and_then(|mut f| {
            use std::io::Read;
            let mut b = [0u8; 128];
            let n = f.read(&mut b).ok()?;
            Some(b[..n].to_vec())
        })?;
        lang::Lang::detect(path, &head)
    }) else {
        return Outcome::Rejected;
    };
    let _ = lang;
    let text = match walk::read(path, opts.max_filesize) {
        Ok(t) => t,
        Err(reason) => {
            return Outcome::Skipped(Skipped {
                path: rel.to_string(),
                reason,
            });
        }
    };
    let (src, warning) = match &text {
        walk::Text::Utf8(s) => (s.as_str(), None),
        walk::Text::Decoded(s, why) => (
            s.as_str(),
            Some(Skipped {
                path: rel.to_string(),
                reason: (*why).to_string(),
            }),
        ),
    };
    if !strong.is_match(src) {
        return if weak.is_match(src) {
            Outcome::Weak
        } else {
            Outcome::Rejected
        };
    }
    let scan = scan_text(path, rel, src, rules);
    Outcome::Scanned {
        scan,
        bytes: src.len() as u64,
        warning,
    }
}

/// Extracts one file's findings (also the entry point for tests and the fuzz targets).
pub fn scan_text(path: &Path, rel: &str, src: &str, rules: &RuleSet) -> FileScan {
    let head = &src.as_bytes()[..src.len().min(128)];
    match lang::Lang::detect(path, head) {
        Some(lang) => extract::extract(rel, src, lang, rules),
        None => FileScan::default(),
    }
}

/// Joins calls to base URLs defined in other files: the nearest definition (longest shared directory
/// prefix) of the same canonical name wins.
fn resolve_pending(st: &mut State, rules: &RuleSet) {
    let mut by_key: HashMap<&str, Vec<&Def>> = HashMap::new();
    for d in &st.defs {
        by_key.entry(d.key.as_str()).or_default().push(d);
    }
    let v1_code_defs: Vec<&Def> = st
        .defs
        .iter()
        .filter(|d| d.in_code && matches!(d.value, BaseValue::V1 { .. }))
        .collect();
    let mut resolved = Vec::new();
    for p in &st.pending {
        let best = if p.key == extract::ANY_BASE {
            // A V1 base defined in code in this file's directory or an enclosing one; the deepest wins.
            let dir = parent_dir(&p.finding.path);
            v1_code_defs
                .iter()
                .copied()
                .filter(|d| is_ancestor_dir(parent_dir(&d.path), dir))
                .max_by_key(|d| {
                    (
                        parent_dir(&d.path).len(),
                        std::cmp::Reverse((d.path.clone(), d.line)),
                    )
                })
        } else {
            let Some(defs) = by_key.get(p.key.as_str()) else {
                continue;
            };
            defs.iter().copied().max_by_key(|d| {
                (
                    shared_prefix(&d.path, &p.finding.path),
                    std::cmp::Reverse((d.path.clone(), d.line)),
                )
            })
        };
        if let Some(d) = best
            && let Some(f) = extract::finish_pending(rules, p, d)
        {
            resolved.push(f);
        }
    }
    st.findings.extend(resolved);
    st.pending.clear();
}

fn parent_dir(p: &str) -> &str {
    p.rfind('/').map_or("", |i| &p[..i])
}

fn is_ancestor_dir(anc: &str, dir: &str) -> bool {
    anc.is_empty() || dir == anc || dir.starts_with(&format!("{anc}/"))
}

fn shared_prefix(a: &str, b: &str) -> usize {
    let da: Vec<&str> = a.split('/').collect();
    let db: Vec<&str> = b.split('/').collect();
    da[..da.len() - 1]
        .iter()
        .zip(&db[..db.len() - 1])
        .take_while(|(x, y)| x == y)
        .count()
}

fn display_path(single_dir: Option<&Path>, p: &Path) -> String {
    let shown = match single_dir.and_then(|r| p.strip_prefix(r).ok()) {
        Some(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
        _ => p.to_path_buf(),
    };
    let s = shown.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

fn finish(st: State, roots: &[PathBuf], files_seen: usize, started: Instant) -> ScanReport {
    let mut findings = st.findings;
    findings.sort_by_key(Finding::sort_key);
    findings.dedup_by(|a, b| {
        a.sort_key() == b.sort_key()
            && a.credential.as_ref().map(|c| &c.fingerprint)
                == b.credential.as_ref().map(|c| &c.fingerprint)
    });
    let mut skipped = st.skipped;
    skipped.sort();
    let mut warnings = st.warnings;
    warnings.sort();
    let mut s = Summary {
        files_seen,
        files_read: st.files_read,
        bytes_read: st.bytes,
        skipped: skipped.len(),
        ..Default::default()
    };
    for f in &findings {
        s.findings += 1;
        if f.is_v1_usage() {
            s.v1_usage += 1;
        }
        *s.by_kind.entry(enum_name(&f.kind)).or_default() += 1;
        *s.by_context.entry(enum_name(&f.context)).or_default() += 1;
        if let Some(r) = &f.rule {
            *s.by_rule.entry(r.clone()).or_default() += 1;
        } else if f.kind == Kind::Call {
            s.unknown_endpoints += 1;
        }
        if let Some(c) = &f.credential {
            *s.credentials
                .entry(c.kind.as_str().to_string())
                .or_default() += 1;
        }
    }
    s.elapsed_ms = started.elapsed().as_millis();
    ScanReport {
        schema: "ghl-migrate/scan/v1",
        tool: format!("ghl-migrate {}", env!("CARGO_PKG_VERSION")),
        roots: roots
            .iter()
            .map(|r| r.to_string_lossy().replace('\\', "/"))
            .collect(),
        findings,
        skipped,
        warnings,
        summary: s,
    }
}

fn enum_name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
