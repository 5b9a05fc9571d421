//! The `--apply` harness: input bytes build a small tree (files in UTF-8, UTF-8 with BOM and UTF-16 of
//! both byte orders with and without BOM; LF, CRLF and CR-only line endings; read-only files; file and
//! directory symlinks leading inside and outside the root), scan it (with or without `--follow`), plan,
//! optionally edit one planned file as a concurrent writer would, apply, and check what must always hold:
//! - nothing outside the root changes;
//! - every file is either untouched or exactly the intended result, encoded as the file was (the
//!   expected bytes are encoded here, independently of the tool);
//! - a concurrently edited file keeps the edit, and the apply then fails;
//! - symlinks stay symlinks, modes stay as they were, and the only new entries are `X.orig` backups
//!   holding exactly `X`'s old bytes;
//! - a run refused before writing ("no file was written") changed nothing at all.
//!
//! Unix only (symlinks and modes). Used by `fuzz_targets/apply.rs` and `tests/apply_safety.rs`.
#![allow(dead_code)] // each includer uses one entry point
use ghl_migrate::diff::{self, Filters};
use ghl_migrate::rules::RuleSet;
use ghl_migrate::scan::{self, WalkOptions};
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Lines files are made of: V1 calls and bases the tool rewrites or marks, and plain code.
const LINES: &[&str] = &[
    "const r = await fetch('https://rest.gohighlevel.com/v1/contacts/' + id);",
    "await axios.post('https://rest.gohighlevel.com/v1/contacts/', body);",
    "const BASE = 'https://rest.gohighlevel.com/v1';",
    "const opps = await fetch(`https://rest.gohighlevel.com/v1/pipelines/`);",
    "const x = 1;",
    "// a comment",
    "",
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Enc {
    Utf8,
    Utf8Bom,
    Utf16 { le: bool, bom: bool },
}

fn encode(enc: Enc, text: &str) -> Vec<u8> {
    match enc {
        Enc::Utf8 => text.as_bytes().to_vec(),
        Enc::Utf8Bom => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        Enc::Utf16 { le, bom } => {
            let units = bom.then_some(0xFEFF).into_iter().chain(text.encode_utf16());
            units
                .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
                .collect()
        }
    }
}

fn memchr_lf(b: &[u8]) -> impl Iterator<Item = usize> + '_ {
    b.iter()
        .enumerate()
        .filter(|(_, c)| **c == b'\n')
        .map(|(i, _)| i)
}

struct Input<'a>(&'a [u8], usize);

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.0.get(self.1).copied().unwrap_or(0);
        self.1 += 1;
        b
    }
    fn below(&mut self, n: usize) -> usize {
        self.byte() as usize % n
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Entry {
    Dir,
    File(Vec<u8>, u32),
    Link(PathBuf),
}

/// Every entry below `dir`, symlinks not followed.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Entry> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            let rel = p.strip_prefix(dir).unwrap().to_path_buf();
            let entry = if meta.file_type().is_symlink() {
                Entry::Link(std::fs::read_link(&p).unwrap())
            } else if meta.is_dir() {
                todo.push(p.clone());
                Entry::Dir
            } else {
                Entry::File(std::fs::read(&p).unwrap(), meta.permissions().mode())
            };
            out.insert(rel, entry);
        }
    }
    out
}

fn rules() -> &'static RuleSet {
    static R: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
    R.get_or_init(RuleSet::embedded)
}

/// The fuzz target: the first byte chooses `--follow`, each further 64 bytes build one case.
pub fn run(data: &[u8]) -> usize {
    let follow = data.first().is_some_and(|b| b & 1 == 1);
    let rest = data.get(1..).unwrap_or_default();
    let cases: Vec<&[u8]> = if rest.is_empty() {
        vec![rest]
    } else {
        rest.chunks(64).take(8).collect()
    };
    run_batch(follow, &cases)
}

/// One case: its tree below `root/c<k>`, its own outside directory, what it may write.
struct Case {
    dir: PathBuf,
    outside: PathBuf,
    /// Encoding and line ending of each regular file, by path below `dir`.
    encs: BTreeMap<PathBuf, (Enc, &'static str)>,
    backup: bool,
    edit: bool,
    pick: usize,
    before: BTreeMap<PathBuf, Entry>,
    outside_before: BTreeMap<PathBuf, Entry>,
}

/// Builds one tree per input below one root (one scan and one plan for all: the scan's fixed cost would
/// dominate), then applies and checks each case on its own. Returns how many files were rewritten.
pub fn run_batch(follow: bool, inputs: &[&[u8]]) -> usize {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().canonicalize().unwrap();
    let root = base.join("root");
    let mut cases: Vec<Case> = inputs
        .iter()
        .enumerate()
        .map(|(k, data)| {
            build(
                &root.join(format!("c{k}")),
                &base.join(format!("out{k}")),
                data,
            )
        })
        .collect();
    for c in &mut cases {
        c.before = snapshot(&c.dir);
        c.outside_before = snapshot(&c.outside);
    }
    let opts = WalkOptions {
        follow,
        threads: 1,
        ..WalkOptions::default()
    };
    let report = scan::scan(std::slice::from_ref(&root), &opts, rules(), None);
    let filters = Filters {
        rules: Vec::new(),
        paths: None,
    };
    let (patches, _) = diff::plan_patches(&report, rules(), &root, &filters);
    let mut by_case: Vec<Vec<diff::FilePatch>> = cases.iter().map(|_| Vec::new()).collect();
    for p in patches {
        let k: usize = p.path[1..p.path.find('/').unwrap()].parse().unwrap();
        by_case[k].push(p);
    }
    cases
        .iter()
        .zip(&by_case)
        .map(|(c, patches)| check_case(c, patches, &root))
        .sum()
}

fn build(dir: &Path, outside: &Path, data: &[u8]) -> Case {
    let mut input = Input(data, 0);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::create_dir_all(outside.join("o")).unwrap();
    std::fs::write(outside.join("o/a.js"), format!("{}\n", LINES[0])).unwrap();
    // Case-wide choices first: an input that runs out gives zeros, which must not mean "edit".
    let backup = input.below(2) == 1;
    let edit = input.below(5) == 1;
    let pick = input.byte() as usize;
    let mut encs = BTreeMap::new();
    let n = 1 + input.below(5);
    for i in 0..n {
        match input.below(12) {
            0..=8 => {
                let rel = PathBuf::from(if input.below(2) == 0 { "" } else { "sub" })
                    .join(format!("f{i}.js"));
                let eol = ["\n", "\r\n", "\r"][input.below(3)];
                let enc = [
                    Enc::Utf8,
                    Enc::Utf8Bom,
                    Enc::Utf16 {
                        le: true,
                        bom: true,
                    },
                    Enc::Utf16 {
                        le: false,
                        bom: true,
                    },
                    Enc::Utf16 {
                        le: true,
                        bom: false,
                    },
                    Enc::Utf16 {
                        le: false,
                        bom: false,
                    },
                ][input.below(6)];
                let mut text = String::new();
                for _ in 0..2 + input.below(5) {
                    text.push_str(LINES[input.below(LINES.len())]);
                    text.push_str(eol);
                }
                let path = dir.join(&rel);
                std::fs::write(&path, encode(enc, &text)).unwrap();
                if input.below(10) == 0 {
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444))
                        .unwrap();
                } else if input.below(4) == 0 {
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o751))
                        .unwrap();
                }
                encs.insert(rel, (enc, eol));
            }
            9 => std::os::unix::fs::symlink(outside.join("o/a.js"), dir.join(format!("l{i}.js")))
                .unwrap(),
            10 => {
                std::os::unix::fs::symlink(outside.join("o"), dir.join(format!("out{i}"))).unwrap()
            }
            _ => std::os::unix::fs::symlink(dir.join("sub"), dir.join(format!("in{i}"))).unwrap(),
        }
    }
    Case {
        dir: dir.to_path_buf(),
        outside: outside.to_path_buf(),
        encs,
        backup,
        edit,
        pick,
        before: BTreeMap::new(),
        outside_before: BTreeMap::new(),
    }
}

/// Edits (maybe), applies one case's patches and checks everything the module comment promises.
fn check_case(c: &Case, patches: &[diff::FilePatch], root: &Path) -> usize {
    let (root_before, outside_before, encs) = (&c.before, &c.outside_before, &c.encs);
    // The intended bytes of each real file, by its path below the root (a file reached through an inner
    // symlink has several patches).
    let mut intended: BTreeMap<PathBuf, Vec<Vec<u8>>> = BTreeMap::new();
    for p in patches {
        let Ok(real) = p.abs.canonicalize() else {
            continue;
        };
        let Ok(rel) = real.strip_prefix(&c.dir) else {
            continue;
        };
        let (enc, eol) = encs[rel];
        assert_ne!(eol, "\r", "{rel:?}: a CR-only file was planned");
        if eol == "\r\n" {
            let b = p.after.as_bytes();
            assert!(
                memchr_lf(b).all(|i| i > 0 && b[i - 1] == b'\r'),
                "{rel:?}: CRLF file given LF lines:\n{}",
                p.after
            );
        }
        let Entry::File(old, _) = &root_before[rel] else {
            panic!("{rel:?}")
        };
        // What the patch starts from is exactly the file as written: nothing lost in decoding.
        assert_eq!(&encode(enc, &p.before), old, "{rel:?}: before as read");
        intended
            .entry(rel.to_path_buf())
            .or_default()
            .push(encode(enc, &p.after));
    }

    // A concurrent writer edits one planned file (inside the root) between plan and apply.
    let mut edited: Option<(PathBuf, Vec<u8>)> = None;
    if c.edit && !patches.is_empty() {
        let p = &patches[c.pick % patches.len()];
        if let Ok(real) = p.abs.canonicalize()
            && let Ok(rel) = real.strip_prefix(&c.dir)
            && root_before
                .get(rel)
                .is_some_and(|e| matches!(e, Entry::File(_, m) if m & 0o200 != 0))
        {
            let bytes = b"// edited by someone else meanwhile\n".to_vec();
            std::fs::write(&real, &bytes).unwrap();
            edited = Some((rel.to_path_buf(), bytes));
        }
    }

    let result = diff::apply(patches, root, c.backup);

    assert_eq!(
        &snapshot(&c.outside),
        outside_before,
        "outside the root changed"
    );
    let root_after = snapshot(&c.dir);
    let mut written = 0;
    for (rel, after) in &root_after {
        let Some(before) = root_before.get(rel) else {
            // Only a backup of a file this run rewrote, holding its old bytes.
            let name = rel.to_string_lossy();
            let orig = PathBuf::from(
                name.strip_suffix(".orig")
                    .unwrap_or_else(|| panic!("unexpected new entry {rel:?}")),
            );
            assert!(c.backup, "backup written without --backup: {rel:?}");
            match (&root_before[&orig], after) {
                (Entry::File(old, _), Entry::File(now, _)) => assert_eq!(now, old, "{rel:?}"),
                x => panic!("{rel:?}: {x:?}"),
            }
            continue;
        };
        match (before, after) {
            (Entry::File(old, mode), Entry::File(now, mode_now)) => {
                assert_eq!(mode, mode_now, "{rel:?}: mode changed");
                if let Some((e, bytes)) = &edited
                    && e == rel
                {
                    assert_eq!(now, bytes, "{rel:?}: the concurrent edit was lost");
                } else if now != old {
                    written += 1;
                    assert!(mode & 0o200 != 0, "{rel:?}: read-only file replaced");
                    assert!(
                        intended.get(rel).is_some_and(|v| v.contains(now)),
                        "{rel:?}: neither untouched nor the intended result:\n{}",
                        String::from_utf8_lossy(now)
                    );
                }
            }
            (b, a) => assert_eq!(b, a, "{rel:?}"),
        }
    }
    for rel in root_before.keys() {
        assert!(root_after.contains_key(rel), "{rel:?} disappeared");
    }
    match &result {
        Ok(done) => {
            assert!(
                edited.is_none() || patches.is_empty(),
                "an edited file was applied over"
            );
            assert_eq!(done.written.len(), patches.len());
        }
        Err(e) => {
            let msg = format!("{e:#}");
            if msg.contains("no file was written") {
                let mut expect = root_before.clone();
                if let Some((rel, bytes)) = &edited {
                    let Some(Entry::File(_, mode)) = root_before.get(rel) else {
                        unreachable!()
                    };
                    expect.insert(rel.clone(), Entry::File(bytes.clone(), *mode));
                }
                assert_eq!(
                    &root_after, &expect,
                    "refused, yet something was written: {msg}"
                );
            }
        }
    }
    written
}
