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
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            no_ignore: false,
            hidden: false,
            follow: false,
            threads: 0,
            max_filesize: 4 * 1024 * 1024,
        }
    }
}

/// A file or directory that was not scanned, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
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

/// Hidden entries scanned even without `--hidden`: they are where keys and CI settings live.
fn wanted_hidden(name: &str, is_dir: bool) -> bool {
    if is_dir {
        matches!(
            name,
            ".github" | ".circleci" | ".gitlab" | ".vscode" | ".n8n" | ".postman" | ".insomnia"
        )
    } else {
        name.starts_with(".env") || matches!(name, ".gitlab-ci.yml" | ".npmrc" | ".travis.yml")
    }
}

/// Builds the parallel walker over `roots`.
pub fn builder(roots: &[PathBuf], opts: &WalkOptions) -> ignore::WalkBuilder {
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
    b.filter_entry(move |e| {
        let name = e.file_name().to_string_lossy();
        if e.depth() == 0 {
            return true;
        }
        let is_dir = e.file_type().is_some_and(|t| t.is_dir());
        if is_dir && (name == ".git" || name == ".hg" || name == ".svn") {
            return false;
        }
        if name.starts_with('.') && !hidden {
            return wanted_hidden(&name, is_dir);
        }
        true
    });
    b
}

/// Reads a file for scanning, or says why not.
pub fn read(path: &Path, max: u64) -> Result<Text, String> {
    decode(read_bytes(path, max)?)
}

/// Reads at most `max` bytes (one open, no separate stat); a larger file is refused.
pub fn read_bytes(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(|e| io_reason(&e))?;
    // fstat on the open file: the size hint lets the read happen in one go.
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    if len > max {
        return Err(format!("larger than --max-filesize ({len} > {max} bytes)"));
    }
    let mut bytes = Vec::with_capacity(len as usize + 1);
    f.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_reason(&e))?;
    if bytes.len() as u64 > max {
        return Err(format!(
            "larger than --max-filesize ({} > {max} bytes)",
            bytes.len()
        ));
    }
    Ok(bytes)
}

/// A NUL byte in the first 8 KiB: binary.
pub fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some()
}

/// Turns bytes into text: UTF-8, UTF-16 with a BOM; binary (a NUL byte in the first 8 KiB) is refused.
pub fn decode(bytes: Vec<u8>) -> Result<Text, String> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let le = bytes[0] == 0xFF;
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        return Ok(Text::Decoded(
            String::from_utf16_lossy(&units),
            "UTF-16 decoded",
        ));
    }
    if is_binary(&bytes) {
        return Err("binary file (NUL byte)".into());
    }
    let bytes = bytes
        .strip_prefix(&[0xEF, 0xBB, 0xBF])
        .map(<[u8]>::to_vec)
        .unwrap_or(bytes);
    match String::from_utf8(bytes) {
        Ok(s) => Ok(Text::Utf8(s)),
        Err(e) => Ok(Text::Decoded(
            String::from_utf8_lossy(e.as_bytes()).into_owned(),
            "invalid UTF-8 replaced",
        )),
    }
}

fn io_reason(e: &std::io::Error) -> String {
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
        ignore::Error::WithPath { path, err } => (Some(path.clone()), describe(err).1),
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
    }
}
