//! Which path-only ("weak") files the line extractor reads in pass 2: only those that can resolve a
//! call against a V1 base found in pass 1, judged by what the file itself references.
//!
//! The extractor links a call in one file to a base in another (see `linked` in `scan`) through a
//! distinctive name, a setting name, an import of the defining module, or (for a bare request option
//! such as `{ url: '/contacts' }`) a V1 client configured in an enclosing directory. A file is a
//! candidate only when it holds the matching evidence: a generic module name (`index`, `api`, `client`)
//! must occur on an import line that imports it, and a client at the root of the tree only draws in
//! files with a quoted relative V1 path where the extractor would resolve it against that client. The
//! checks run on raw bytes at the positions of the needles, so a file costs one literal search.
use super::extract::Def;
use super::names;
use memchr::memmem::Finder;

pub struct WeakLinks {
    /// Names that link wherever they occur (distinctive names, settings).
    names: Vec<Finder<'static>>,
    /// Module names that link only when imported (`import … from './ghl'`, `require('../lib')`),
    /// lower-cased as [`names::imports`] gives them. A SIMD substring finder each: there are few, and
    /// an automaton over few common first letters is many times slower.
    modules: Vec<(Finder<'static>, String)>,
    /// Directories of V1 clients configured in code.
    client_dirs: Vec<String>,
    /// Directories of V1 bases defined in code: their package-scoped neighbours (Go, Java, C#…) see
    /// the name without an import.
    package_dirs: std::collections::HashSet<String>,
}

impl WeakLinks {
    /// From the V1 base definitions of pass 1; `None` when nothing can link.
    pub fn new(defs: &[&Def]) -> Option<WeakLinks> {
        let mut named = Vec::new();
        let mut modules = Vec::new();
        for d in defs.iter().filter(|d| d.is_v1()) {
            let distinctive = names::is_distinctive(&d.key);
            if distinctive || !d.in_code {
                named.push(d.name.clone());
            }
            if !distinctive {
                // `linked`: the defining file's stem, or its directory for an `index`-like module.
                let stem = super::file_stem(&d.path).to_ascii_lowercase();
                if matches!(stem.as_str(), "index" | "__init__" | "mod" | "main") {
                    let dir = super::parent_dir(&d.path);
                    modules.push(dir.rsplit('/').next().unwrap_or(dir).to_ascii_lowercase());
                }
                modules.push(stem);
            }
        }
        let client_dirs: Vec<String> = defs
            .iter()
            .filter(|d| d.configures_v1_client())
            .map(|d| super::parent_dir(&d.path).to_string())
            .collect();
        let package_dirs: std::collections::HashSet<String> = defs
            .iter()
            .filter(|d| d.in_code && d.is_v1())
            .map(|d| super::parent_dir(&d.path).to_string())
            .collect();
        let clean = |mut v: Vec<String>| {
            v.retain(|n| n.len() >= 3);
            v.sort();
            v.dedup();
            v
        };
        let finder = |n: &str| Finder::new(n.as_bytes()).into_owned();
        let names: Vec<_> = clean(named).iter().map(|n| finder(n)).collect();
        let modules: Vec<_> = clean(modules)
            .into_iter()
            .map(|n| (finder(&n), n))
            .collect();
        if names.is_empty() && modules.is_empty() && package_dirs.is_empty() {
            return None;
        }
        Some(WeakLinks {
            names,
            modules,
            client_dirs,
            package_dirs,
        })
    }

    /// Whether the extractor may link the weak file at `rel` (its bytes) to a V1 base. `segments` are
    /// the V1 path segments with their slash (`/contacts`).
    pub fn links(&self, rel: &str, bytes: &[u8], segments: &[Vec<u8>]) -> bool {
        // A name on a comment line only (a doc comment) is no use of it.
        let lang = super::lang::Lang::detect(std::path::Path::new(rel), b"");
        let used = |i: usize| !lang.is_some_and(|l| l.comment_line_at(bytes, i));
        if self
            .names
            .iter()
            .any(|f| f.find_iter(bytes).take(256).any(used))
        {
            return true;
        }
        let imported = |(f, name): &(Finder, String)| {
            f.find_iter(bytes)
                .filter(|&i| names::import_position(bytes, i))
                .take(64)
                .any(|i| {
                    let line = line_around(bytes, i, i + name.len());
                    names::may_import(line)
                        && names::imports(&String::from_utf8_lossy(line)).contains(name)
                })
        };
        if self.modules.iter().any(imported) {
            return true;
        }
        let dir = super::parent_dir(rel);
        if self.package_dirs.contains(dir)
            && super::lang::Lang::detect(std::path::Path::new(rel), b"")
                .is_some_and(super::extract::package_scoped)
        {
            return true;
        }
        self.client_dirs
            .iter()
            .any(|d| super::is_ancestor_dir(d, dir))
            && relative_request_path(bytes, segments)
    }
}

/// The line holding `bytes[start..end]` (at most 1 KiB on each side).
fn line_around(bytes: &[u8], start: usize, end: usize) -> &[u8] {
    let lo = start.saturating_sub(1024);
    let hi = (end + 1024).min(bytes.len());
    let s = memchr::memrchr(b'\n', &bytes[lo..start]).map_or(lo, |i| lo + i + 1);
    let e = memchr::memchr(b'\n', &bytes[end..hi]).map_or(hi, |i| end + i);
    &bytes[s..e]
}

/// A string literal starting with a V1 path (`'/contacts'`, `"/v1/contacts"`, `'=/contacts'`) in a call
/// argument or a `url:` option and sent through no named client or helper: the shape the extractor
/// resolves against a V1 client of an enclosing directory. Found from the quotes (a SIMD search), each
/// followed by a slash checked against the V1 path segments (`/contacts`).
fn relative_request_path(bytes: &[u8], segments: &[Vec<u8>]) -> bool {
    memchr::memchr3_iter(b'\'', b'"', b'`', bytes).any(|q| {
        let mut i = q + 1;
        while matches!(bytes.get(i), Some(b' ' | b'=')) {
            i += 1;
        }
        if bytes.get(i) != Some(&b'/') {
            return false;
        }
        if bytes[i..].starts_with(b"/v1/") {
            i += 3;
        }
        let rest = &bytes[i..];
        if !segments.iter().any(|s| rest.starts_with(s)) {
            return false;
        }
        let mut q = q;
        // A string prefix (`f"`, `@"`, `$"`, `r'`) belongs to the literal.
        let quote = q;
        while q > 0
            && quote - q < 2
            && matches!(bytes[q - 1], b'f' | b'r' | b'b' | b'u' | b'@' | b'$')
        {
            q -= 1;
        }
        let from = q.saturating_sub(300);
        let before = String::from_utf8_lossy(&bytes[from..q]);
        !names::is_route_definition(&before)
            && names::receiver(&before)
                .or_else(|| names::called_function(&before))
                .is_none()
            && (super::extract::is_url_key(&before) || super::extract::is_call_argument(&before))
    })
}
