//! Bounds on what users hand us: files named on the command line and structured documents we parse.
//!
//! A path on the command line may name a FIFO, a device (`/dev/zero`) or a huge file; a document may nest
//! a hundred thousand levels deep. Each would hang, exhaust memory, or make the YAML parser take minutes.
//! Every read of a user-named small file and every structured parse goes through here, so the limits are
//! the same everywhere and each refusal says why.
use anyhow::{Context, Result, bail};
use std::io::Read;
use std::path::Path;

/// Config, rules, plan, tokens and scan-report files larger than this are refused.
pub const MAX_DOC_BYTES: u64 = 4 << 20;
/// Scan reports (`verify --scan`) can be large: one finding per V1 call of a whole tree.
pub const MAX_REPORT_BYTES: u64 = 64 << 20;
/// A file holding one credential is small.
pub const MAX_TOKEN_BYTES: u64 = 64 << 10;
/// Structured documents nested deeper than this (by indentation or brackets) are not parsed.
pub const MAX_DEPTH: usize = 128;

/// Reads a small user-named file as UTF-8: refuses anything that is not a regular file (a FIFO, a
/// device, a directory) before opening it, and anything over `limit` bytes, reading at most `limit + 1`.
/// `what` names the file in errors ("config file", "credential file"); the content is never quoted.
pub fn read_small_file(path: &Path, limit: u64, what: &str) -> Result<String> {
    let shown = path.display();
    let meta = std::fs::metadata(path).with_context(|| format!("reading {what} {shown}"))?;
    if !meta.is_file() {
        bail!("{what} {shown} is not a regular file (a directory, FIFO or device is refused)");
    }
    if meta.len() > limit {
        bail!("{what} {shown} is larger than the {} limit", human(limit));
    }
    let file = std::fs::File::open(path).with_context(|| format!("reading {what} {shown}"))?;
    // The file may have been swapped between the check and the open: check what was opened.
    if !file
        .metadata()
        .with_context(|| format!("reading {what} {shown}"))?
        .is_file()
    {
        bail!("{what} {shown} is not a regular file (a directory, FIFO or device is refused)");
    }
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {what} {shown}"))?;
    if bytes.len() as u64 > limit {
        bail!("{what} {shown} is larger than the {} limit", human(limit));
    }
    String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{what} {shown} is not UTF-8 text"))
}

/// Reads a stream (standard input) whole, refusing one over `limit` bytes after reading at most
/// `limit + 1`: a pipe has no size to check first, and an endless one must not exhaust memory.
pub fn read_bounded(reader: impl Read, limit: u64, what: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {what}"))?;
    if bytes.len() as u64 > limit {
        bail!("{what} is larger than the {} limit", human(limit));
    }
    Ok(bytes)
}

/// Why a YAML/JSON document is not parsed (too large or nested too deep), or `None` when it may be.
/// The depth is estimated on the text (indentation and flow brackets), which is cheap and never
/// underestimates bracket nesting.
pub fn structure_refusal(src: &str, limit: u64) -> Option<String> {
    if src.len() as u64 > limit {
        return Some(format!("larger than the {} limit", human(limit)));
    }
    let depth = crate::scan::exports::yamlpos::depth(src);
    (depth > MAX_DEPTH).then(|| format!("nested deeper than {MAX_DEPTH} levels"))
}

/// Parses YAML after [`structure_refusal`]; `what` names the document in errors.
pub fn parse_yaml<T: serde::de::DeserializeOwned>(src: &str, what: &str) -> Result<T> {
    if let Some(why) = structure_refusal(src, MAX_DOC_BYTES) {
        bail!("{what} is {why}: not parsed");
    }
    serde_norway::from_str(src).with_context(|| format!("parsing {what}"))
}

fn human(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_small_file_refuses_directories_and_oversized_files() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_small_file(dir.path(), 10, "config file").unwrap_err();
        assert!(e.to_string().contains("is not a regular file"), "{e}");
        let p = dir.path().join("big");
        std::fs::write(&p, "x".repeat(11)).unwrap();
        let e = read_small_file(&p, 10, "config file").unwrap_err();
        assert!(e.to_string().contains("larger than"), "{e}");
        std::fs::write(&p, "x".repeat(10)).unwrap();
        assert_eq!(
            read_small_file(&p, 10, "config file").unwrap(),
            "x".repeat(10)
        );
    }

    #[test]
    fn read_bounded_refuses_a_stream_over_the_limit_after_reading_one_byte_more() {
        let e = read_bounded(&b"x".repeat(11)[..], 10, "standard input").unwrap_err();
        assert_eq!(
            e.to_string(),
            "standard input is larger than the 10 bytes limit"
        );
        // An endless stream stops at limit + 1 bytes instead of filling memory.
        let e = read_bounded(std::io::repeat(b'x'), 4 << 10, "standard input").unwrap_err();
        assert!(e.to_string().ends_with("the 4 KiB limit"), "{e}");
        assert_eq!(
            read_bounded(&b"x".repeat(10)[..], 10, "standard input").unwrap(),
            b"x".repeat(10)
        );
    }

    #[test]
    fn structure_refusal_catches_deep_flow_and_block_nesting() {
        assert_eq!(structure_refusal("a: [1, {b: 2}]\n", MAX_DOC_BYTES), None);
        let flow = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(
            structure_refusal(&flow, MAX_DOC_BYTES)
                .unwrap()
                .contains("nested deeper")
        );
        let dashes = format!("{}x\n", "- ".repeat(200));
        assert!(structure_refusal(&dashes, MAX_DOC_BYTES).is_some());
    }
}
