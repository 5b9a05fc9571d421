//! Walking the tree (the `ignore` crate: .gitignore/.ignore, hidden files, parallel) and reading files
//! safely: size limit, binary detection, encodings. Nothing here fails the scan: every file that cannot
//! be read becomes a `skipped` entry with the reason.
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub no_ignore: bool,
    pub hidden: bool,
    pub follow: bool,
    pub threads: usize,
    pub max_filesize: u64,
    /// Gitignore-style patterns to leave out (`--exclude`), on top of each root's `.ghl-migrateignore`.
    pub exclude: Vec<String>,
    /// Told why each path was read or left out (`scan --verbose`); `None` costs one branch per file.
    pub explain: Option<Explain>,
}

/// Why `scan` read a file or left it out: what `scan --verbose` says for each path. A plain enum, so
/// nothing is formatted unless someone is listening.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why<'a> {
    /// Read and extracted (it names a HighLevel host, a JWT/PIT or a setting name).
    Read,
    /// Read in the second pass: it only has V1-looking paths, and is linked to a V1 base elsewhere.
    ReadLinked,
    /// Only V1-looking paths, and nothing links it to a V1 base: not read further.
    NotLinked,
    /// Only V1-looking paths: held for the second pass.
    Weak,
    /// Only V1-looking paths, in a project (a manifest's or a repository's directory) where nothing V1
    /// was found: code refers to definitions through its own project, so nothing can link it (see
    /// `scan::projects`).
    OtherProject,
    /// No HighLevel host, JWT, PIT or setting-name literal.
    Prefilter,
    /// Like [`Why::Prefilter`], but code the program model may link to a parsed file later.
    LinkCandidate,
    /// A file type scan does not read (by extension, or extension-less without a shebang).
    FileType,
    /// A NUL byte near the start.
    Binary,
    /// Could not be read as text: too large, unreadable, binary (the reason `skipped` lists).
    Skipped(&'a str),
    /// Over `--max-filesize`: searched in a stream for hosts, keys and markers only (the reason).
    ReadInPart(&'a str),
    /// Left out by `.gitignore`, `.ignore` or git's excludes (`--no-ignore` reads it).
    Ignored,
    /// Left out by `--exclude`, `.ghl-migrateignore` or the settings file's `scan.exclude`.
    Excluded,
    /// A VCS directory or a tool cache (`--hidden` reads caches).
    ToolDir,
    /// What `patch` leaves behind (`*.orig`, `*.rej`).
    Backup,
}

impl std::fmt::Display for Why<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Why::Read => "read",
            Why::ReadLinked => "read in pass 2 (linked to a V1 base URL defined elsewhere)",
            Why::NotLinked => {
                "not read: V1-looking paths only, and nothing links it to a V1 base URL"
            }
            Why::Weak => "V1-looking paths only: held for pass 2",
            Why::OtherProject => {
                "not read: V1-looking paths only, in a project (package manifest or repository) with \
                 no V1 base URL or request"
            }
            Why::Prefilter => "not read: prefilter (no HighLevel host, JWT, PIT or setting name)",
            Why::LinkCandidate => {
                "not read: prefilter (no HighLevel host, JWT, PIT or setting name); \
                 code the program model may still link"
            }
            Why::FileType => "not read: not a file type scan reads (extension or shebang)",
            Why::Binary => "not read: binary (NUL byte)",
            Why::Skipped(reason) => return write!(f, "skipped: {reason}"),
            Why::ReadInPart(reason) => return write!(f, "read in part: {reason}"),
            Why::Ignored => "not read: ignore rule (.gitignore, .ignore or git exclude)",
            Why::Excluded => {
                "not read: ignore rule (--exclude, .ghl-migrateignore or scan.exclude)"
            }
            Why::ToolDir => "not read: VCS directory or tool cache (--hidden reads caches)",
            Why::Backup => "not read: patch leftover (.orig/.rej)",
        })
    }
}

/// Told each path and why it was read or left out (called from walker threads).
pub type Listener = dyn Fn(&Path, Why<'_>) + Send + Sync;

/// The listener of [`Why`]s, shared by the walker threads.
#[derive(Clone)]
pub struct Explain(pub std::sync::Arc<Listener>);

impl std::fmt::Debug for Explain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Explain")
    }
}

impl WalkOptions {
    /// Tells the listener, if any.
    #[inline]
    pub fn explain(&self, path: &Path, why: Why<'_>) {
        if let Some(e) = &self.explain {
            (e.0)(path, why);
        }
    }
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            no_ignore: false,
            hidden: false,
            follow: false,
            threads: 0,
            max_filesize: 4 * 1024 * 1024,
            exclude: Vec::new(),
            explain: None,
        }
    }
}

/// A file or directory that was not scanned, and why.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// How a file's bytes became text.
pub enum Text {
    Utf8(String),
    /// Decoded with a note (UTF-16 with a BOM, or invalid UTF-8 with replacement characters).
    Decoded(String, &'static str),
}

/// Hidden directories skipped without `--hidden`: tool caches, dependency stores and build output,
/// which hold no code of the project's own. Every other hidden directory may hold code (`.claude/`,
/// `.netlify/functions`, `.github/`) or keys (`.env*`) and is read.
fn skipped_hidden_dir(name: &str) -> bool {
    matches!(
        name,
        ".cache"
            | ".npm"
            | ".yarn"
            | ".pnpm-store"
            | ".next"
            | ".nuxt"
            | ".svelte-kit"
            | ".turbo"
            | ".parcel-cache"
            | ".gradle"
            | ".m2"
            | ".idea"
            | ".tox"
            | ".venv"
            | ".mypy_cache"
            | ".pytest_cache"
            | ".ruff_cache"
            | ".terraform"
            | ".serverless"
            | ".dart_tool"
            | ".pub-cache"
            | ".bundle"
            | ".angular"
            | ".expo"
    )
}

/// The file at a root that lists paths to leave out, in gitignore syntax.
pub const IGNORE_FILE: &str = ".ghl-migrateignore";

/// What `--exclude` and the roots' `.ghl-migrateignore` files leave out, and how many paths they did.
pub struct Excludes {
    per_root: Vec<(PathBuf, ignore::gitignore::Gitignore)>,
    pub count: std::sync::atomic::AtomicUsize,
    /// Directories whose VCS directory (`.git`, `.hg`, `.svn`) the walk left out: repository roots,
    /// which bound linking like package manifests do (see `scan::projects`).
    pub repositories: std::sync::Mutex<Vec<PathBuf>>,
}

impl Excludes {
    /// Reads each directory root's `.ghl-migrateignore`; a bad pattern is an error naming it.
    pub fn new(roots: &[PathBuf], opts: &WalkOptions) -> Result<Excludes, String> {
        let mut per_root = Vec::new();
        for root in roots.iter().filter(|r| r.is_dir()) {
            let mut b = ignore::gitignore::GitignoreBuilder::new(root);
            let file = root.join(IGNORE_FILE);
            if !opts.no_ignore
                && file.is_file()
                && let Some(e) = b.add(&file)
            {
                return Err(format!("{}: {e}", file.display()));
            }
            for pattern in &opts.exclude {
                b.add_line(None, pattern)
                    .map_err(|e| format!("--exclude {pattern:?}: {e}"))?;
            }
            let matcher = b.build().map_err(|e| e.to_string())?;
            if !matcher.is_empty() {
                per_root.push((root.clone(), matcher));
            }
        }
        Ok(Excludes {
            per_root,
            ..Excludes::none()
        })
    }

    /// Leaves nothing out.
    pub fn none() -> Excludes {
        Excludes {
            per_root: Vec::new(),
            count: std::sync::atomic::AtomicUsize::new(0),
            repositories: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// Whether a file named on the command line (not reached by walking a root folder, so no folder
    /// above it was checked) is left out: by a pattern matching it or any folder above it.
    pub fn excludes_named_file(&self, path: &Path) -> bool {
        let hit = self.per_root.iter().any(|(root, m)| {
            path.strip_prefix(root)
                .is_ok_and(|rel| m.matched_path_or_any_parents(rel, false).is_ignore())
        });
        if hit {
            self.count
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        hit
    }

    fn excludes(&self, path: &Path, is_dir: bool) -> bool {
        let hit = self.per_root.iter().any(|(root, m)| {
            path.strip_prefix(root)
                .is_ok_and(|rel| m.matched(rel, is_dir).is_ignore())
        });
        if hit {
            self.count
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        hit
    }
}

/// Builds the parallel walker over `roots`.
pub fn builder(
    roots: &[PathBuf],
    opts: &WalkOptions,
    excludes: std::sync::Arc<Excludes>,
) -> ignore::WalkBuilder {
    let mut b = ignore::WalkBuilder::new(&roots[0]);
    for r in &roots[1..] {
        b.add(r);
    }
    b.standard_filters(!opts.no_ignore)
        .hidden(false)
        .follow_links(opts.follow)
        .threads(opts.threads)
        .require_git(false);
    let hidden = opts.hidden;
    let explain = opts.clone();
    b.filter_entry(move |e| {
        if e.depth() == 0 {
            return true;
        }
        let is_dir = e.file_type().is_some_and(|t| t.is_dir());
        if let Some(why) = left_out(e, is_dir, hidden) {
            if is_vcs_dir(e.file_name(), is_dir)
                && let Some(repo) = e.path().parent()
            {
                excludes
                    .repositories
                    .lock()
                    .unwrap()
                    .push(repo.to_path_buf());
            }
            explain.explain(e.path(), why);
            return false;
        }
        if excludes.excludes(e.path(), is_dir) {
            explain.explain(e.path(), Why::Excluded);
            return false;
        }
        true
    });
    b
}

/// Entries every walk leaves out by name: VCS directories, tool caches (unless `--hidden`), patch
/// leftovers.
fn left_out(e: &ignore::DirEntry, is_dir: bool, hidden: bool) -> Option<Why<'static>> {
    if is_vcs_dir(e.file_name(), is_dir) {
        return Some(Why::ToolDir);
    }
    let name = e.file_name().to_string_lossy();
    if is_dir && name.starts_with('.') && !hidden && skipped_hidden_dir(&name) {
        return Some(Why::ToolDir);
    }
    // What `patch`/`diff --apply --backup` leave behind is not code in use.
    if !is_dir && (name.ends_with(".orig") || name.ends_with(".rej")) {
        return Some(Why::Backup);
    }
    None
}

/// A version-control directory (`.git`, `.hg`, `.svn`).
fn is_vcs_dir(name: &std::ffi::OsStr, is_dir: bool) -> bool {
    is_dir && (name == ".git" || name == ".hg" || name == ".svn")
}

/// For `--verbose`: the ignore crate drops what `.gitignore`/`.ignore`/git's excludes match without a
/// word, so this walks `roots` again without those files and reports each topmost path the first walk
/// did not `seen` (a directory once, not every file below it). Only run when someone listens.
pub fn explain_ignored(
    roots: &[PathBuf],
    opts: &WalkOptions,
    seen: std::collections::HashSet<PathBuf>,
) {
    let Some(explain) = opts.explain.clone() else {
        return;
    };
    if opts.no_ignore || roots.is_empty() {
        return;
    }
    let mut b = ignore::WalkBuilder::new(&roots[0]);
    for r in &roots[1..] {
        b.add(r);
    }
    b.standard_filters(false)
        .hidden(false)
        .follow_links(opts.follow);
    let hidden = opts.hidden;
    // Its own counter: the first walk's count of excluded paths stays what the summary says.
    let excludes = Excludes::new(roots, opts).unwrap_or_else(|_| Excludes::none());
    b.filter_entry(move |e| {
        if e.depth() == 0 {
            return true;
        }
        let is_dir = e.file_type().is_some_and(|t| t.is_dir());
        // Reported by the first walk already.
        if left_out(e, is_dir, hidden).is_some() || excludes.excludes(e.path(), is_dir) {
            return false;
        }
        if !seen.contains(e.path()) {
            (explain.0)(e.path(), Why::Ignored);
            return false;
        }
        true
    });
    for _ in b.build() {}
}

/// Reads a file for scanning, or says why not.
pub fn read(path: &Path, max: u64) -> Result<Text, String> {
    decode(read_bytes(path, max)?)
}

/// Reads a whole file, refusing one over `max` bytes.
pub fn read_bytes(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    let n = read_into(path, max, &mut buf)?.len();
    buf.truncate(n);
    Ok(buf)
}

/// Reads a whole file into `buf` and returns the part it filled, refusing a file over `max` bytes.
/// `buf` is meant to be reused across files (one per walker thread): it stays initialised at the size of
/// the largest file read so far, so a file costs no allocation and no zeroing. Reads are sized by the
/// file's length (one `fstat`): measured, that beats both `read_to_end` without a hint (8 KiB reads) and
/// fixed large reads, whose copy into a big buffer cost the kernel twice as much per byte.
pub fn read_into<'b>(path: &Path, max: u64, buf: &'b mut Vec<u8>) -> Result<&'b [u8], String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).map_err(|e| io_reason(&e))?;
    let len = f.metadata().map_or(0, |m| m.len());
    if len > max {
        return Err(format!("larger than --max-filesize ({len} > {max} bytes)"));
    }
    // One byte more than the size, to see the end (or growth since the fstat) in the same read.
    let limit = usize::try_from(max.saturating_add(1)).unwrap_or(usize::MAX);
    let mut want = (len as usize + 1).min(limit);
    let mut filled = 0;
    loop {
        if buf.len() < want {
            buf.resize(want, 0);
        }
        match f.read(&mut buf[filled..want]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_reason(&e)),
        }
        if filled == want {
            if want == limit {
                break;
            }
            want = want.saturating_mul(2).min(limit); // the file grew since the fstat
        }
    }
    if filled as u64 > max {
        return Err(format!(
            "larger than --max-filesize ({filled} > {max} bytes)"
        ));
    }
    Ok(&buf[..filled])
}

/// Whether a reason from [`read_into`] is the size limit (the file is readable, only too big to read
/// whole).
pub fn is_over_limit(reason: &str) -> bool {
    reason.starts_with("larger than --max-filesize")
}

/// The fingerprint of a file's bytes as the scan read them: `diff` refuses to patch, and `--apply` to
/// replace, a file whose bytes no longer have it (the findings were made from other content).
pub fn content_hash(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A NUL byte in the first 8 KiB: binary.
pub fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some()
}

/// UTF-16 text as UTF-8, with how it was recognised: a byte-order mark, or (without one) ASCII-range
/// text whose every other byte is NUL, as Windows tools write it. `None`: not UTF-16.
pub fn decode_utf16(bytes: &[u8]) -> Option<(String, &'static str)> {
    let (le, body, note) = if bytes.starts_with(&[0xFF, 0xFE]) {
        (true, &bytes[2..], "UTF-16 decoded")
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        (false, &bytes[2..], "UTF-16 decoded")
    } else {
        let le = utf16_without_bom(bytes)?;
        let note = if le {
            "UTF-16LE decoded (no BOM)"
        } else {
            "UTF-16BE decoded (no BOM)"
        };
        (le, bytes, note)
    };
    // chunks_exact drops an odd trailing byte (a truncated file).
    Some((String::from_utf16_lossy(&utf16_units(body, le)), note))
}

/// UTF-16 code units of `body` in the given byte order (an odd trailing byte is dropped).
pub fn utf16_units(body: &[u8], little_endian: bool) -> Vec<u16> {
    body.chunks_exact(2)
        .map(|c| {
            if little_endian {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        })
        .collect()
}

/// BOM-less UTF-16: in the first 4 KiB, at least 80 % of the high bytes are NUL and at most 10 % of the
/// low bytes are (mostly-ASCII text); `Some(true)` for little-endian. Binary data rarely keeps that
/// rhythm, and what does decodes to noise that matches nothing.
pub fn utf16_without_bom(bytes: &[u8]) -> Option<bool> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    let pairs = sample.len() / 2;
    // Nearly every file has no NUL at all: one SIMD search settles it before any counting.
    if pairs < 8 || memchr::memchr(0, sample).is_none() {
        return None;
    }
    let zeros = |parity: usize| {
        sample
            .iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let (even, odd) = (zeros(0), zeros(1));
    let mostly = |n: usize| n * 10 >= pairs * 8;
    let rarely = |n: usize| n * 10 <= pairs;
    if mostly(odd) && rarely(even) {
        Some(true)
    } else if mostly(even) && rarely(odd) {
        Some(false)
    } else {
        None
    }
}

/// Turns bytes into text: UTF-8, UTF-16 (with a BOM, or recognisably without); binary (a NUL byte in the
/// first 8 KiB) is refused.
pub fn decode(bytes: Vec<u8>) -> Result<Text, String> {
    if let Some((s, note)) = decode_utf16(&bytes) {
        return Ok(Text::Decoded(s, note));
    }
    if is_binary(&bytes) {
        return Err("binary file (NUL byte)".into());
    }
    let mut bytes = bytes;
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3); // in place: no second copy of a large file
    }
    match String::from_utf8(bytes) {
        Ok(s) => Ok(Text::Utf8(s)),
        Err(e) => Ok(Text::Decoded(
            String::from_utf8_lossy(e.as_bytes()).into_owned(),
            "invalid UTF-8 replaced",
        )),
    }
}

pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::NotFound => "vanished while scanning".into(),
        _ => format!("unreadable: {e}"),
    }
}

/// A walker error as a skipped entry (loops, permissions, broken links).
pub fn skipped_from_error(err: &ignore::Error, root_for: impl Fn(&Path) -> String) -> Skipped {
    let (path, reason) = describe(err);
    Skipped {
        path: path.map(|p| root_for(&p)).unwrap_or_default(),
        reason,
    }
}

fn describe(err: &ignore::Error) -> (Option<PathBuf>, String) {
    match err {
        ignore::Error::WithPath { path, err } => {
            let reason = io_of(err)
                .and_then(|e| symlink_reason(path, e))
                .unwrap_or_else(|| describe(err).1);
            (Some(path.clone()), reason)
        }
        ignore::Error::WithDepth { err, .. } => describe(err),
        ignore::Error::WithLineNumber { err, .. } => describe(err),
        ignore::Error::Loop { child, ancestor } => (
            Some(child.clone()),
            format!("symlink loop (points back to {})", ancestor.display()),
        ),
        ignore::Error::Io(e) => (None, io_reason(e)),
        other => (None, other.to_string()),
    }
}

fn io_of(err: &ignore::Error) -> Option<&std::io::Error> {
    match err {
        ignore::Error::Io(e) => Some(e),
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => io_of(err),
        _ => None,
    }
}

/// Why a symlink (followed with `--follow`) could not be: its target is missing, or it resolves to
/// itself (`ELOOP`). `None` when `path` is not a symlink or the error is another one.
fn symlink_reason(path: &Path, e: &std::io::Error) -> Option<String> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.file_type().is_symlink() {
        return None;
    }
    // ELOOP: 40 on Linux, 62 on macOS and the BSDs.
    let eloop = if cfg!(target_os = "linux") { 40 } else { 62 };
    if e.raw_os_error() == Some(eloop) {
        return Some("symlink loop (too many levels of symbolic links)".into());
    }
    if e.kind() == std::io::ErrorKind::NotFound {
        let to = std::fs::read_link(path)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        return Some(format!("broken symlink (target {to} does not exist)"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding() {
        assert!(matches!(decode(b"abc".to_vec()), Ok(Text::Utf8(s)) if s == "abc"));
        assert!(decode(b"a\0b".to_vec()).is_err());
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("hi".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert!(matches!(decode(utf16), Ok(Text::Decoded(s, _)) if s == "hi"));
        assert!(matches!(
            decode(vec![b'a', 0xFF, b'b']),
            Ok(Text::Decoded(_, "invalid UTF-8 replaced"))
        ));
        // A UTF-8 BOM is dropped.
        assert!(matches!(decode(b"\xEF\xBB\xBFx".to_vec()), Ok(Text::Utf8(s)) if s == "x"));
    }

    #[test]
    fn utf16_without_a_bom() {
        let text = "url = 'https://rest.gohighlevel.com/v1/users/' # caf\u{e9}\r\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert!(
            matches!(decode(le), Ok(Text::Decoded(s, "UTF-16LE decoded (no BOM)")) if s == text)
        );
        assert!(
            matches!(decode(be), Ok(Text::Decoded(s, "UTF-16BE decoded (no BOM)")) if s == text)
        );
        // Too short to tell, all NUL, or NULs without the rhythm: binary.
        assert!(decode(b"a\0b\0".to_vec()).is_err());
        assert!(decode(vec![0; 4096]).is_err());
        let blob: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 5) as u8).collect();
        assert!(decode(blob).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn symlink_reasons() {
        let d = tempfile::tempdir().unwrap();
        let dangling = d.path().join("dangling");
        std::os::unix::fs::symlink("nowhere", &dangling).unwrap();
        let me = d.path().join("me");
        std::os::unix::fs::symlink("me", &me).unwrap();
        let e = std::fs::metadata(&dangling).unwrap_err();
        assert_eq!(
            symlink_reason(&dangling, &e).unwrap(),
            "broken symlink (target nowhere does not exist)"
        );
        let e = std::fs::metadata(&me).unwrap_err();
        assert!(symlink_reason(&me, &e).unwrap().starts_with("symlink loop"));
        // Not a symlink: the caller's reason stands.
        assert!(symlink_reason(d.path(), &e).is_none());
    }
}
