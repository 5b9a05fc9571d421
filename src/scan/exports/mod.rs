//! Workflow exports read structurally: each finding names the node and carries a JSON pointer.
//! So far: n8n workflows (the HighLevel node and HTTP Request nodes). Files that are not a recognised
//! export fall back to the generic scan.
pub mod n8n;

/// The 1-based line of the first occurrence of `needle` at or after byte `from` (or of `from` itself).
pub fn line_of(src: &str, needle: &str, from: usize) -> (usize, usize) {
    let at = src
        .get(from..)
        .and_then(|t| t.find(needle))
        .map_or(from, |i| from + i);
    (src[..at.min(src.len())].matches('\n').count() + 1, at)
}

/// A JSON string as it appears in the file (for locating values).
pub fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// RFC 6901 escaping of one pointer segment.
pub fn escape(seg: &str) -> String {
    seg.replace('~', "~0").replace('/', "~1")
}
