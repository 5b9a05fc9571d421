//! `scan`: the inventory of V1 calls, base URLs and keys.
//!
//! walk → prefilter → extract (per file, in parallel) → resolve names across files → findings.
//! Files without a HighLevel host, a JWT or a PIT are rejected by a literal prefilter before any parsing.
//! Files that only mention V1-looking paths (`/contacts/…`) are read in a second, smaller pass, and only
//! when the first pass found a V1 base URL bound to a name that they use.
pub mod baseline;
pub mod candidates;
pub mod exports;
pub mod extract;
pub mod finding;
pub mod follow;
pub mod gate;
pub mod half_migrated;
pub mod history;
pub mod lang;
pub mod lexer;
pub mod lines;
pub mod markers;
pub mod method;
pub mod names;
pub mod oversize;
pub mod pipedream;
pub mod platform;
pub mod projects;
pub mod prose;
pub mod rust_syn;
pub mod secrets;
pub mod settings;
pub mod static_str;
pub mod url;
pub mod walk;

use crate::rules::RuleSet;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use extract::{BaseValue, Def, FileScan, Pending};
use finding::{Finding, Kind};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;
pub use walk::{Explain, Skipped, WalkOptions, Why};

/// The `ghl-migrate/scan/v1` document.
#[derive(Debug, Serialize, Deserialize)]
pub struct ScanReport {
    #[serde(deserialize_with = "static_str::de")]
    pub schema: static_str::Static,
    pub tool: String,
    /// The repository scanned (`scan --repo`, else the git work tree's or the folder's name): what
    /// `plan --from` tags this report's findings with. Absent in a combined report (`merge`), whose
    /// findings carry their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    pub roots: Vec<String>,
    pub findings: Vec<Finding>,
    pub skipped: Vec<Skipped>,
    /// Files scanned with a caveat (decoded from UTF-16, invalid UTF-8 replaced).
    pub warnings: Vec<Skipped>,
    pub summary: Summary,
    /// Each scanned file's content hash (`walk::content_hash` of its bytes as read), by finding path:
    /// what `diff` checks before patching and `--apply` right before replacing. Empty when the file
    /// was read twice with different content. Not part of the JSON contract.
    #[serde(skip)]
    pub hashes: HashMap<String, String>,
    /// Keys ever committed (`scan --history`); absent without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<history::History>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Summary {
    pub files_seen: usize,
    pub files_read: usize,
    pub bytes_read: u64,
    pub skipped: usize,
    /// Paths left out by `--exclude` or `.ghl-migrateignore` (a directory counts once).
    pub excluded: usize,
    pub findings: usize,
    /// Findings that count as V1 usage (everything but mentions).
    pub v1_usage: usize,
    /// Findings that fail the CI gate (see [`gate`]): what makes `scan` exit 1.
    pub gate_failures: usize,
    /// Findings a person accepted (inline suppression or baseline): reported, not failing.
    pub suppressed: usize,
    pub by_kind: BTreeMap<String, usize>,
    pub by_context: BTreeMap<String, usize>,
    pub by_rule: BTreeMap<String, usize>,
    pub unknown_endpoints: usize,
    pub credentials: BTreeMap<String, usize>,
    pub elapsed_ms: u128,
}

/// Progress callback: called with the number of files seen so far.
pub type Progress<'a> = &'a (dyn Fn(usize) + Sync);

/// This build's name and version, as every report written by it says.
pub fn tool_name() -> String {
    format!("ghl-migrate {}", env!("CARGO_PKG_VERSION"))
}

/// Scans `roots` and returns the inventory.
pub fn scan(
    roots: &[PathBuf],
    opts: &WalkOptions,
    rules: &RuleSet,
    progress: Option<Progress>,
) -> ScanReport {
    let started = Instant::now();
    if roots.is_empty() {
        // Every path named was left out (`scan` of excluded files): an empty, green report.
        return finish(State::default(), roots, 0, started);
    }
    let pre = Prefilter::new(rules);
    let state = Mutex::new(State::default());
    let seen = std::sync::atomic::AtomicUsize::new(0);
    let single_dir = (roots.len() == 1 && roots[0].is_dir()).then(|| roots[0].clone());
    let display = |p: &Path| display_path(single_dir.as_deref(), p);

    // Patterns were checked by the caller (`Excludes::new` errors name the bad line); none here is fatal.
    let excludes = std::sync::Arc::new(
        walk::Excludes::new(roots, opts).unwrap_or_else(|_| walk::Excludes::none()),
    );
    // Under `--verbose`: every path the walk met, to tell which ones ignore files left out.
    let walked = opts
        .explain
        .is_some()
        .then(|| Mutex::new(std::collections::HashSet::new()));
    walk::builder(roots, opts, excludes.clone())
        .build_parallel()
        .run(|| {
            let state = &state;
            let seen = &seen;
            let pre = &pre;
            let display = &display;
            let walked = &walked;
            let mut buf = Vec::new(); // this walker thread's read buffer
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
                if let Some(w) = walked {
                    w.lock().unwrap().insert(entry.path().to_path_buf());
                }
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                if projects::is_manifest(entry.file_name(), is_dir)
                    && let Some(dir) = entry.path().parent()
                {
                    state
                        .lock()
                        .unwrap()
                        .manifest_dirs
                        .insert(dir.to_path_buf());
                }
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    return ignore::WalkState::Continue;
                }
                let n = seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if let Some(p) = progress
                    && n.is_multiple_of(256)
                {
                    p(n);
                }
                let path = entry.path();
                let outcome = scan_file(path, display, opts, rules, pre, &mut buf);
                if opts.explain.is_some() {
                    opts.explain(path, outcome.why());
                }
                if !matches!(outcome, Outcome::Rejected(_)) {
                    state.lock().unwrap().absorb(outcome, path);
                }
                ignore::WalkState::Continue
            })
        });
    if let Some(w) = walked {
        walk::explain_ignored(roots, opts, w.into_inner().unwrap());
    }
    let mut st = state.into_inner().unwrap();
    let files_seen = seen.into_inner();
    let debug = std::env::var_os("GHL_DEBUG_PROGRAM").is_some();
    if debug {
        eprintln!("pass 1: {:?}", started.elapsed());
    }

    // Only candidates that may refer to the evidence pass 1 found: files of a project holding some, or
    // outside every project (see `projects`).
    st.manifest_dirs
        .extend(std::mem::take(&mut *excludes.repositories.lock().unwrap()));
    let projects = projects::Projects::new(
        roots,
        std::mem::take(&mut st.manifest_dirs),
        &std::mem::take(&mut st.evidence),
    );
    st.weak.retain(|p| {
        let keep = projects.may_link(p);
        if !keep {
            opts.explain(p, Why::OtherProject);
        }
        keep
    });
    st.code.retain(|p| projects.may_link(p));
    st.scanned_code.retain(|p| projects.may_link(p));
    // Second pass: files with V1-looking paths but no host, read only when they can be linked to a V1 base:
    // they name a distinctive V1 base or an env var set to one, import the file defining one, or sit below
    // code that configures a V1 client (request options such as `{ url: '/contacts' }`). Unread code is
    // searched for V1 path segments here, only once it may be linked; the program model's first linking
    // round rides on the same read of both.
    let v1_defs: Vec<&Def> = st.defs.iter().filter(|d| d.is_v1()).collect();
    // A reference left open in a file (a call on a name its file does not define) can only end as a
    // finding through a V1 base of the same key; pass 2 reads no file that defines one (it would have
    // held a host literal). Others are dropped now, not kept to the end: memory follows the bases that
    // can matter, not the code read.
    let resolvable = Resolvable::new(&v1_defs);
    st.pending.retain(|p| resolvable.may_resolve(p));
    let weak_links = candidates::WeakLinks::new(&v1_defs);
    let parsed_in_pass_1: Vec<usize> = (0..st.program.units.len()).collect();
    // Settings holding a V1 base (`.env`, `application.yml`, `.properties`) under their written and
    // dotted names: what code reads them by.
    let settings_env = config_env(&st.defs, roots);
    let links = if st.program.is_empty() {
        follow::Links::from_settings(settings_env.keys().cloned().collect())
    } else {
        let program = &st.program;
        on_solver_stack(|| follow::Links::new(program, &parsed_in_pass_1))
    };
    if debug {
        eprintln!("links: {:?}", started.elapsed());
    }
    let mut linked_in_pass_2: Vec<follow::Parsed> = Vec::new();
    let held = st.weak.len() + st.code.len() + st.scanned_code.len();
    if (weak_links.is_some() || links.is_some()) && held > 0 {
        let weak_links = weak_links.as_ref();
        let segments = &pre.segments;
        let linked = Mutex::new(&mut linked_in_pass_2);
        let links = links.as_ref();
        let held = [&mut st.weak, &mut st.code, &mut st.scanned_code].map(std::mem::take);
        let files: Vec<(&PathBuf, Pass2)> = (held[0].iter().map(|p| (p, Pass2::Weak)))
            .chain(held[1].iter().map(|p| (p, Pass2::Code)))
            .chain(held[2].iter().map(|p| (p, Pass2::Scanned)))
            .filter(|(_, class)| *class != Pass2::Scanned || links.is_some())
            .collect();
        let threads = if opts.threads == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            opts.threads
        };
        let next = std::sync::atomic::AtomicUsize::new(0);
        let shared = Mutex::new(&mut st);
        std::thread::scope(|sc| {
            for _ in 0..threads.max(1) {
                sc.spawn(|| {
                    let mut buf = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&(path, class)) = files.get(i) else {
                            break;
                        };
                        let rel = display(path);
                        let Ok(bytes) = walk::read_into(path, opts.max_filesize, &mut buf) else {
                            continue;
                        };
                        let utf16 = walk::decode_utf16(bytes).map(|(s, _)| s.into_bytes());
                        let raw = utf16.as_deref().unwrap_or(bytes);
                        let lexer = class != Pass2::Scanned
                            && weak_links.is_some_and(|w| w.links(&rel, raw, segments))
                            && (class == Pass2::Weak || pre.has_segments(raw));
                        let program = links.and_then(|l| l.links(path, &rel, raw));
                        // Only weak files were announced as held for pass 2 (with `--verbose`, code
                        // was searched for V1 segments in pass 1: the lexer never reads it here).
                        let explain = |why| {
                            if class == Pass2::Weak {
                                opts.explain(path, why)
                            }
                        };
                        if !lexer && program.is_none() {
                            explain(Why::NotLinked);
                            continue;
                        }
                        explain(Why::ReadLinked);
                        shared
                            .lock()
                            .unwrap()
                            .record_hash(&rel, walk::content_hash(bytes));
                        let Ok(text) = walk::decode(utf16.unwrap_or_else(|| bytes.to_vec())) else {
                            continue;
                        };
                        let src = match &text {
                            walk::Text::Utf8(s) | walk::Text::Decoded(s, _) => s,
                        };
                        if let Some(l) = program {
                            let parsed = follow::parse(l, &rel, src);
                            linked.lock().unwrap().extend(parsed);
                        }
                        if !lexer {
                            continue;
                        }
                        let mut out = scan_text(path, &rel, src, rules);
                        out.pending.retain(|p| resolvable.may_resolve(p));
                        let mut st = shared.lock().unwrap();
                        st.bytes += src.len() as u64;
                        st.files_read += 1;
                        st.merge(out);
                    }
                });
            }
        });
        drop(files);
        [st.weak, st.code, st.scanned_code] = held;
    } else if opts.explain.is_some() {
        for path in &st.weak {
            opts.explain(path, Why::NotLinked);
        }
    }
    if debug {
        eprintln!("pass 2: {:?}", started.elapsed());
    }
    resolve_pending(&mut st, rules);
    follow_programs(
        &mut st,
        linked_in_pass_2,
        settings_env,
        opts,
        rules,
        &display,
    );
    if debug {
        eprintln!("program model: {:?}", started.elapsed());
    }
    settings::link(&mut st.findings, &st.reads);
    let mut report = finish(st, roots, files_seen, started);
    report.summary.excluded = excludes.count.load(std::sync::atomic::Ordering::Relaxed);
    report
}

/// The keys of the V1 bases found in pass 1: what an open reference may still resolve to.
struct Resolvable {
    keys: std::collections::HashSet<String>,
    /// A V1 client configured in code, which bare request options (`{ url: '/contacts' }`) resolve to.
    client: bool,
}

impl Resolvable {
    fn new(v1_defs: &[&Def]) -> Resolvable {
        Resolvable {
            keys: v1_defs.iter().map(|d| d.key.clone()).collect(),
            client: v1_defs.iter().any(|d| d.configures_v1_client()),
        }
    }

    fn may_resolve(&self, p: &Pending) -> bool {
        if p.key == extract::ANY_BASE {
            self.client
        } else {
            self.keys.contains(&p.key)
        }
    }
}

/// What pass 2 reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pass2 {
    /// A weak file: V1 path segments, no strong literal.
    Weak,
    /// Unread code, not searched for V1 path segments yet.
    Code,
    /// Code read in pass 1 (a candidate for the program model's linking only).
    Scanned,
}

/// Stack of the solver's thread (its recursion is bounded by `MAX_NEST` evaluations).
const SOLVER_STACK: usize = 256 << 20;

/// Rounds of linking: parsed files' names bring in the files that use them, whose names bring in more.
const LINK_ROUNDS: usize = 3;

/// The program model: links files to the parsed ones (by the names they define, checked against
/// imports for generic names), parses them, solves values across the tree and merges its requests
/// into the findings. The first linking round ran in pass 2 (`linked_in_pass_2`).
fn follow_programs(
    st: &mut State,
    linked_in_pass_2: Vec<follow::Parsed>,
    env: HashMap<String, (String, String)>,
    opts: &WalkOptions,
    rules: &RuleSet,
    display: &dyn Fn(&Path) -> String,
) {
    let mut done: std::collections::HashSet<String> =
        st.program.units.iter().map(|u| u.path.clone()).collect();
    let mut fresh: Vec<usize> = Vec::new();
    for p in linked_in_pass_2 {
        done.insert(p.unit.path.clone());
        fresh.push(st.program.units.len());
        st.program.push(p);
    }
    if st.program.is_empty() {
        return;
    }
    let mut buf = Vec::new();
    // Later rounds link by the names of the files the previous round brought in.
    for _ in 1..LINK_ROUNDS {
        if fresh.is_empty() {
            break;
        }
        let program = &st.program;
        let now = std::mem::take(&mut fresh);
        let Some(links) = on_solver_stack(|| follow::Links::new(program, &now)) else {
            break;
        };
        let files: Vec<&PathBuf> = st
            .weak
            .iter()
            .chain(&st.code)
            .chain(&st.scanned_code)
            .collect();
        let mut linked = Vec::new();
        let mut hashes = Vec::new();
        for path in files {
            let rel = display(path);
            if done.contains(&rel) {
                continue;
            }
            let Ok(bytes) = walk::read_into(path, opts.max_filesize, &mut buf) else {
                continue;
            };
            let Some(l) = links.links(path, &rel, bytes) else {
                continue;
            };
            hashes.push((rel.clone(), walk::content_hash(bytes)));
            let Ok(text) = walk::decode(bytes.to_vec()) else {
                continue;
            };
            let src = match &text {
                walk::Text::Utf8(s) | walk::Text::Decoded(s, _) => s,
            };
            done.insert(rel.clone());
            linked.extend(follow::parse(l, &rel, src));
        }
        for (rel, hash) in hashes {
            st.record_hash(&rel, hash);
        }
        for p in linked {
            fresh.push(st.program.units.len());
            st.program.push(p);
        }
    }
    if std::env::var_os("GHL_DEBUG_PROGRAM").is_some() {
        eprintln!("program model: {} files parsed", st.program.units.len());
        for u in &st.program.units {
            eprintln!("  {}", u.path);
        }
    }
    if st.program.is_empty() {
        return;
    }
    let program = std::mem::take(&mut st.program);
    let reqs = on_solver_stack(|| crate::program::solve::solve(&program.units, env));
    let found = follow::findings(reqs, &program, rules);
    let lines = follow::lines(&program);
    follow::merge(&mut st.findings, found, &lines);
}

/// Runs `f` on a thread whose stack fits the solver's bounded recursion.
fn on_solver_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|sc| {
        std::thread::Builder::new()
            .name("solve".into())
            .stack_size(SOLVER_STACK)
            .spawn_scoped(sc, f)
            .expect("spawn the solver thread")
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
    })
}

/// Base URLs that configuration files (`.env`, YAML, TOML) give to setting names, for env reads in code.
fn config_env(defs: &[Def], roots: &[PathBuf]) -> HashMap<String, (String, String)> {
    let mut out = HashMap::new();
    for d in defs.iter().filter(|d| !d.in_code) {
        let BaseValue::V1 { host, has_v1 } = &d.value else {
            continue;
        };
        let value = format!("https://{host}{}", if *has_v1 { "/v1" } else { "" });
        let at = format!("{}:{}", d.path, d.line);
        // YAML keys also under their dotted path (`ghl.base-url`), and `.properties` keys whole, as
        // Spring names them.
        let yaml = d.path.ends_with(".yml") || d.path.ends_with(".yaml");
        if yaml || d.path.ends_with(".properties") {
            let abs = if Path::new(&d.path).is_absolute() || roots.len() != 1 {
                PathBuf::from(&d.path)
            } else {
                roots[0].join(&d.path)
            };
            if let Ok(text) = walk::read(&abs, 4 << 20)
                && let walk::Text::Utf8(t) | walk::Text::Decoded(t, _) = &text
                && let Some(dotted) = if yaml {
                    follow::yaml_key_path(t, d.line)
                } else {
                    d.line
                        .checked_sub(1)
                        .and_then(|n| t.lines().nth(n))
                        .and_then(settings::config_key)
                        .map(str::to_string)
                }
            {
                out.insert(dotted, (value.clone(), at.clone()));
            }
        }
        out.insert(d.name.clone(), (value, at));
    }
    out
}

#[derive(Default)]
struct State {
    findings: Vec<Finding>,
    reads: Vec<settings::Read>,
    defs: Vec<Def>,
    pending: Vec<Pending>,
    skipped: Vec<Skipped>,
    warnings: Vec<Skipped>,
    /// Files with V1 path segments and no strong literal: read in pass 2 when linked.
    weak: Vec<PathBuf>,
    /// Files the program model parsed.
    program: follow::Program,
    /// Unread code of the languages the program model reads, not searched for V1 path segments yet:
    /// pass 2 reads it when something may link it (see [`Prefilter::classify`]).
    code: Vec<PathBuf>,
    /// Code read in pass 1 but not parsed (a token or setting name, no host): a candidate for the
    /// program model's linking only.
    scanned_code: Vec<PathBuf>,
    /// Directories holding a package manifest (see [`projects`]).
    manifest_dirs: std::collections::HashSet<PathBuf>,
    /// Files holding V1 evidence that other files may link to: a V1 base URL or a parsed V1 request.
    evidence: Vec<PathBuf>,
    files_read: usize,
    bytes: u64,
    /// Inline suppressions.
    inline: Vec<markers::Inline>,
    hashes: HashMap<String, String>,
}

impl State {
    fn absorb(&mut self, o: Outcome, path: &Path) {
        match o {
            Outcome::Rejected(_) => {}
            Outcome::Code => self.code.push(path.to_path_buf()),
            Outcome::Weak => self.weak.push(path.to_path_buf()),
            Outcome::Skipped(s) => self.skipped.push(s),
            Outcome::Scanned {
                scan,
                bytes,
                warning,
                parsed,
                link_candidate,
                rel,
                hash,
            } => {
                self.files_read += 1;
                self.record_hash(&rel, hash);
                if link_candidate {
                    self.scanned_code.push(path.to_path_buf());
                }
                if !parsed.is_empty() || scan.defs.iter().any(Def::is_v1) {
                    self.evidence.push(path.to_path_buf());
                }
                for p in parsed {
                    self.program.push(p);
                }
                self.bytes += bytes;
                if let Some(w) = warning {
                    self.warnings.push(w);
                }
                self.merge(*scan);
            }
        }
    }

    /// Remembers the content a file's findings come from; a second read that differs leaves no valid
    /// hash (the file changed during the scan: nothing may be patched from it).
    fn record_hash(&mut self, rel: &str, hash: String) {
        match self.hashes.get_mut(rel) {
            Some(h) if *h != hash => h.clear(),
            Some(_) => {}
            None => {
                self.hashes.insert(rel.to_string(), hash);
            }
        }
    }

    fn merge(&mut self, s: FileScan) {
        self.inline.extend(s.inline);
        self.findings.extend(s.findings);
        self.reads.extend(s.reads);
        self.defs.extend(s.defs);
        self.pending.extend(s.pending);
    }
}

enum Outcome {
    /// Not read further, and why ([`Why::FileType`], [`Why::Prefilter`] or [`Why::Binary`]).
    Rejected(Why<'static>),
    /// Code without any HighLevel signal, in a language the program model reads.
    Code,
    Weak,
    Skipped(Skipped),
    Scanned {
        scan: Box<FileScan>,
        bytes: u64,
        warning: Option<Skipped>,
        parsed: Vec<follow::Parsed>,
        /// Modelled code that was not parsed yet (a token or setting name but no host): a candidate
        /// for linking.
        link_candidate: bool,
        /// The finding path and the hash of the bytes read.
        rel: String,
        hash: String,
    },
}

impl Outcome {
    /// What `--verbose` says about the file.
    fn why(&self) -> Why<'_> {
        match self {
            Outcome::Rejected(why) => *why,
            Outcome::Code => Why::LinkCandidate,
            Outcome::Weak => Why::Weak,
            Outcome::Skipped(s) => Why::Skipped(&s.reason),
            Outcome::Scanned {
                warning: Some(w), ..
            } if walk::is_over_limit(&w.reason) => Why::ReadInPart(&w.reason),
            Outcome::Scanned { .. } => Why::Read,
        }
    }
}

fn scan_file(
    path: &Path,
    display: &dyn Fn(&Path) -> String,
    opts: &WalkOptions,
    rules: &RuleSet,
    pre: &Prefilter,
    buf: &mut Vec<u8>,
) -> Outcome {
    let by_name = lang::Lang::detect(path, b"");
    if by_name.is_none() && path.extension().is_some() {
        return Outcome::Rejected(Why::FileType); // images, archives, lock files, …
    }
    let bytes = match walk::read_into(path, opts.max_filesize, buf) {
        Ok(b) => b,
        Err(reason) if walk::is_over_limit(&reason) => {
            return over_limit(path, &display(path), reason, rules, pre);
        }
        Err(reason) => {
            return Outcome::Skipped(Skipped {
                path: display(path),
                reason,
            });
        }
    };
    if by_name.is_none() && lang::Lang::detect(path, &bytes[..bytes.len().min(128)]).is_none() {
        return Outcome::Rejected(Why::FileType); // extension-less and no shebang
    }
    // The prefilter runs on raw bytes: most files are rejected before any decoding (UTF-16, with a BOM or
    // recognisably without, is decoded first).
    let raw = bytes;
    let decoded = walk::decode_utf16(bytes);
    let utf16 = decoded.as_ref().map(|(_, note)| *note);
    let bytes = decoded.as_ref().map_or(bytes, |(s, _)| s.as_bytes());
    // Code the program model reads may still relay a V1 value (a module that only re-exports a
    // configured client): kept by path for pass 2 and the linking rounds, never read again otherwise.
    let modelled = by_name.is_some_and(|l| follow::modelled(l, &path.to_string_lossy()));
    // `--verbose` tells weak files apart in pass 1; otherwise pass 2 looks for V1 segments in code.
    let segments_later = modelled && opts.explain.is_none();
    match pre.classify(bytes, segments_later) {
        Hit::None | Hit::NotStrong => {
            return if modelled && !walk::is_binary(bytes) {
                Outcome::Code
            } else {
                Outcome::Rejected(Why::Prefilter)
            };
        }
        Hit::Weak => {
            return if walk::is_binary(bytes) {
                Outcome::Rejected(Why::Binary)
            } else {
                Outcome::Weak
            };
        }
        Hit::Strong => {}
    }
    let rel = &display(path);
    let hash = walk::content_hash(raw);
    // Only files that pass the prefilter are copied out of the thread's buffer.
    let bytes = match decoded {
        Some((s, _)) => s.into_bytes(),
        None => bytes.to_vec(),
    };
    let text = match walk::decode(bytes) {
        Ok(t) => t,
        Err(reason) => {
            return Outcome::Skipped(Skipped {
                path: rel.to_string(),
                reason,
            });
        }
    };
    let (src, warning) = match &text {
        walk::Text::Utf8(s) => (
            s.as_str(),
            utf16.map(|note| Skipped {
                path: rel.to_string(),
                reason: note.to_string(),
            }),
        ),
        walk::Text::Decoded(s, why) => (
            s.as_str(),
            Some(Skipped {
                path: rel.to_string(),
                reason: (*why).to_string(),
            }),
        ),
    };
    let scan = scan_text(path, rel, src, rules);
    // The program model parses files that name a HighLevel host (not those holding only a token or a
    // source map's `eyJ…`); files linked to them are parsed in the later rounds.
    let modelled = lang::Lang::detect(path, &src.as_bytes()[..src.len().min(128)])
        .filter(|&l| follow::modelled(l, rel));
    let names_host = pre.names_host(src.as_bytes());
    let parsed = modelled
        .filter(|_| names_host)
        .map(|l| follow::parse(l, rel, src))
        .unwrap_or_default();
    Outcome::Scanned {
        scan: Box::new(scan),
        bytes: src.len() as u64,
        warning,
        parsed,
        link_candidate: modelled.is_some() && !names_host,
        rel: rel.clone(),
        hash,
    }
}

/// A file over `--max-filesize`: searched by the prefilter in a stream (see [`oversize`]); in the skip
/// list only when it could not be read at all.
fn over_limit(path: &Path, rel: &str, reason: String, rules: &RuleSet, pre: &Prefilter) -> Outcome {
    let len = std::fs::metadata(path).map_or(0, |m| m.len());
    let strong = |b: &[u8]| pre.strong_hits(b).collect::<Vec<_>>();
    match oversize::search(path, rel, len, rules, &strong) {
        Ok(found) => Outcome::Scanned {
            bytes: found.analysed,
            warning: (!found.whole).then(|| Skipped {
                path: rel.to_string(),
                reason: format!("{reason}: searched for HighLevel hosts, keys and markers only"),
            }),
            scan: Box::new(found.scan),
            parsed: Vec::new(),
            link_candidate: false,
            rel: rel.to_string(),
            // Not hashed: nothing found in a file read only in part may be patched.
            hash: String::new(),
        },
        Err(why) => Outcome::Skipped(Skipped {
            path: rel.to_string(),
            reason: if why.contains("max-filesize") {
                why
            } else {
                format!("{reason}; {why}")
            },
        }),
    }
}

enum Hit {
    /// Neither strong literals nor V1 path segments.
    None,
    /// No strong literal; not searched for V1 path segments.
    NotStrong,
    /// V1 path segments but no strong literal.
    Weak,
    Strong,
}

/// Literal prefilter: strong literals (HighLevel hosts, JWT and PIT prefixes) mean "read this file";
/// weak ones (V1 resource path segments) mean "maybe, if a V1 base name turns up elsewhere".
struct Prefilter {
    strong: regex::bytes::Regex,
    host: regex::bytes::Regex,
    weak: AhoCorasick,
    /// The V1 path segments with a leading slash (`/contacts`).
    segments: Vec<Vec<u8>>,
}

impl Prefilter {
    fn new(rules: &RuleSet) -> Prefilter {
        // Hosts are matched case-insensitively (the regex engine keeps its fast literal search for that);
        // the JWT and PIT prefixes are case-sensitive by nature. Setting-name prefixes (`GHL_API_KEY`,
        // `GO_HIGH_LEVEL_KEY`) bring in config that holds a key only at deploy time; `ghl-migrate:` the
        // markers `diff` left and inline suppressions, whatever else the file holds.
        let strong = regex::bytes::Regex::new(
            r"(?i:gohighlevel|leadconnectorhq|ghl_)|eyJ|pit-|HIGH_?LEVEL_|LEAD_?CONNECTOR_|ghl-migrate:",
        )
        .expect("static pattern");
        let mut weak: Vec<String> = rules
            .rules()
            .iter()
            .filter_map(|r| r.v1.path.split('/').nth(2).map(str::to_string))
            .filter(|s| !s.starts_with('{') && !s.is_empty())
            .flat_map(|s| [format!("/{s}"), format!("{s}/")])
            .collect();
        weak.sort();
        weak.dedup();
        let segments = weak
            .iter()
            .filter(|s| s.starts_with('/'))
            .map(|s| s.as_bytes().to_vec())
            .collect();
        // Paths are written in lower case: a case-sensitive automaton stays on the fast (SIMD) search.
        let weak = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(&weak)
            .expect("literals");
        let host =
            regex::bytes::Regex::new(r"(?i:gohighlevel|leadconnectorhq)").expect("static pattern");
        Prefilter {
            strong,
            host,
            weak,
            segments,
        }
    }

    fn names_host(&self, bytes: &[u8]) -> bool {
        self.host.is_match(bytes)
    }

    /// The file's class; with `segments_later` the search for V1 path segments is left to pass 2
    /// ([`Prefilter::has_segments`]), which needs it only for files a V1 base may link: on most trees
    /// none, and that search (64 literals, to the end of every file without one) cost as much as the
    /// strong one.
    fn classify(&self, bytes: &[u8], segments_later: bool) -> Hit {
        if self.is_strong(bytes) {
            Hit::Strong
        } else if segments_later {
            Hit::NotStrong
        } else if self.has_segments(bytes) {
            Hit::Weak
        } else {
            Hit::None
        }
    }

    /// Whether a strong literal that counts occurs (the file is read).
    fn is_strong(&self, bytes: &[u8]) -> bool {
        self.strong_hits(bytes).next().is_some()
    }

    /// Whether the bytes hold a V1 path segment (`/contacts`, `contacts/`).
    fn has_segments(&self, bytes: &[u8]) -> bool {
        self.weak.is_match(bytes)
    }

    /// Starts of the strong literals that count: an `eyJ` only when it may begin a key (see
    /// [`may_be_jwt`]), so inline source maps and other base64 blobs stop here.
    fn strong_hits<'b>(&'b self, bytes: &'b [u8]) -> impl Iterator<Item = usize> + 'b {
        self.strong
            .find_iter(bytes)
            .filter(|m| m.as_bytes() != b"eyJ" || may_be_jwt(&bytes[m.start()..]))
            .map(|m| m.start())
    }
}

/// Whether base64 text starting with `eyJ` (`{"`) may be a JWT or a piece of one: its first segment
/// ends at a `.` (header.payload.signature), or it decodes to a JWT header field (`{"alg"`, `{"typ"`,
/// `{"kid"` …, for a key written in pieces). A source map (`{"version":3`) is neither.
fn may_be_jwt(b: &[u8]) -> bool {
    let b64 = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'_';
    let run = b.iter().take(4096).take_while(|&&c| b64(c)).count();
    if b.get(run) == Some(&b'.') {
        return true;
    }
    use base64::Engine;
    let head = &b[..run.min(16) / 4 * 4];
    let Ok(dec) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(head) else {
        return false;
    };
    const FIELDS: [&[u8]; 10] = [
        b"alg", b"typ", b"kid", b"cty", b"enc", b"zip", b"jku", b"jwk", b"x5", b"crit",
    ];
    let field = dec.strip_prefix(b"{\"").unwrap_or(&[]);
    FIELDS.iter().any(|f| field.starts_with(f))
}

/// Extracts one file's findings (also the entry point for tests and the fuzz targets).
pub fn scan_text(path: &Path, rel: &str, src: &str, rules: &RuleSet) -> FileScan {
    let head = &src.as_bytes()[..src.len().min(128)];
    match lang::Lang::detect(path, head) {
        Some(lang) => exports::scan(path, rel, src, lang, rules)
            .unwrap_or_else(|| extract::extract(rel, src, lang, rules)),
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
    let v1_client_defs: Vec<&Def> = st
        .defs
        .iter()
        .filter(|d| d.configures_v1_client())
        .collect();
    let mut resolved = Vec::new();
    for p in &st.pending {
        let best = if p.key == extract::ANY_BASE {
            // A V1 client configured in code in this file's directory or an enclosing one; the deepest wins.
            let dir = parent_dir(&p.finding.path);
            v1_client_defs
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
            defs.iter()
                .copied()
                .filter(|d| linked(d, p))
                .max_by_key(|d| {
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

/// Whether a name defined in one file may be what another file uses. Generic names (`BASE_URL`, `api`,
/// `client`) need evidence: an import of the defining module, a shared package (Go/Java/C#), or an env var
/// read below the config that sets it. Distinctive names (`GHL_BASE_URL`) only need the same project.
fn linked(d: &Def, p: &Pending) -> bool {
    let ddir = parent_dir(&d.path);
    let udir = parent_dir(&p.finding.path);
    if names::is_distinctive(&d.key) {
        return top_dir(&d.path) == top_dir(&p.finding.path)
            || !d.path.contains('/')
            || !p.finding.path.contains('/');
    }
    if p.env_ref && !d.in_code {
        return is_ancestor_dir(ddir, udir);
    }
    if p.package_scope && ddir == udir {
        return true;
    }
    let stem = file_stem(&d.path).to_ascii_lowercase();
    let dir_name = ddir.rsplit('/').next().unwrap_or(ddir).to_ascii_lowercase();
    p.imports.contains(&stem)
        || (matches!(stem.as_str(), "index" | "__init__" | "mod" | "main")
            && p.imports.contains(&dir_name))
}

fn top_dir(p: &str) -> &str {
    p.split('/').next().unwrap_or("")
}

fn file_stem(p: &str) -> &str {
    let name = p.rsplit('/').next().unwrap_or(p);
    name.split('.')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or(name)
}

pub(crate) fn parent_dir(p: &str) -> &str {
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

/// The top of the git work tree holding `path` (a folder with `.git`), if any.
pub fn git_top(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .skip(usize::from(path.is_file()))
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf)
}

fn display_path(single_dir: Option<&Path>, p: &Path) -> String {
    let shown = match single_dir.and_then(|r| p.strip_prefix(r).ok()) {
        Some(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
        _ => p.to_path_buf(),
    };
    // `\` separates directories only on Windows; elsewhere it is part of a name (and `diff` must find
    // the file again by this path).
    let s = shown.to_string_lossy();
    let s = if cfg!(windows) {
        s.replace('\\', "/")
    } else {
        s.into_owned()
    };
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// UUID-shaped values under key-named fields or settings, found in files that do not talk to V1 themselves,
/// are old V1 keys once the tree is known to use V1.
fn promote_uuid_keys(findings: &mut [Finding]) {
    let tree_v1 = findings.iter().any(|f| {
        matches!(f.kind, Kind::Call | Kind::BaseUrl | Kind::ExportNode) && f.host.is_some()
    });
    if !tree_v1 {
        return;
    }
    for c in findings.iter_mut().filter_map(|f| f.credential.as_mut()) {
        if c.kind == crate::credential::CredentialKind::UnknownSecret && c.uuid_shaped {
            c.kind = crate::credential::CredentialKind::V1ShortKey;
        }
    }
}

fn finish(st: State, roots: &[PathBuf], files_seen: usize, started: Instant) -> ScanReport {
    let mut findings = st.findings;
    gate::mark_tests(&mut findings);
    promote_uuid_keys(&mut findings);
    markers::apply(&mut findings, &st.inline);
    findings.sort_by(|a, b| {
        (a.sort_key(), &a.v1_path, a.method.map(|m| m.as_str())).cmp(&(
            b.sort_key(),
            &b.v1_path,
            b.method.map(|m| m.as_str()),
        ))
    });
    // One statement may send several requests (a URL or verb chosen by a condition): those differ in
    // endpoint or verb and are all kept.
    findings.dedup_by(|a, b| {
        a.sort_key() == b.sort_key()
            && a.credential.as_ref().map(|c| &c.fingerprint)
                == b.credential.as_ref().map(|c| &c.fingerprint)
            && a.v1_path == b.v1_path
            && a.method == b.method
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
        tool: tool_name(),
        repository: None,
        roots: roots
            .iter()
            .map(|r| r.to_string_lossy().replace('\\', "/"))
            .collect(),
        findings,
        skipped,
        warnings,
        summary: s,
        hashes: st.hashes,
        history: None,
    }
}

fn enum_name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
