//! Pointer → byte offset in JSON text. serde_json keeps no positions, so this walks the text along an
//! RFC 6901 pointer, skipping every other value without recursion (no stack growth on deep nesting).
//! Duplicate object keys resolve to the last one, as serde_json does.

/// Byte offset of the value at `pointer` in `src` (the opening quote of a string, the first byte of any
/// other value), or `None` when the text is not valid along that path.
pub fn offset(src: &str, pointer: &str) -> Option<usize> {
    let b = src.as_bytes();
    let mut at = skip_ws(b, skip_bom(b));
    if pointer.is_empty() {
        return (at < b.len()).then_some(at);
    }
    let rest = pointer.strip_prefix('/')?;
    for raw in rest.split('/') {
        let seg = unescape(raw);
        at = skip_ws(b, at);
        match *b.get(at)? {
            b'{' => at = find_key(b, at, &seg)?,
            b'[' => at = find_index(b, at, seg.parse().ok()?)?,
            _ => return None,
        }
    }
    Some(at)
}

/// End (exclusive) of the value starting at byte `start` (as returned by [`offset`]), for span edits.
pub fn value_end(src: &str, start: usize) -> Option<usize> {
    skip_value(src.as_bytes(), start)
}

/// Escapes one reference token (`~` → `~0`, `/` → `~1`).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn skip_bom(b: &[u8]) -> usize {
    if b.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// End (exclusive) of the string starting at `i` (a `"`).
fn skip_string(b: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// End (exclusive) of the value starting at `i`, iteratively.
fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    let i = skip_ws(b, i);
    match *b.get(i)? {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = skip_string(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            None
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            {
                j += 1;
            }
            Some(j)
        }
    }
}

fn decode_key(raw: &str) -> Option<String> {
    serde_json::from_str::<String>(raw).ok()
}

/// Offset of the value of member `key` in the object at `i` (last duplicate wins).
fn find_key(b: &[u8], i: usize, key: &str) -> Option<usize> {
    let src = std::str::from_utf8(b).ok()?;
    let mut j = skip_ws(b, i + 1);
    let mut found = None;
    if b.get(j) == Some(&b'}') {
        return None;
    }
    loop {
        if *b.get(j)? != b'"' {
            return found;
        }
        let kend = skip_string(b, j)?;
        let raw = &src[j..kend];
        let same = if raw.contains('\\') {
            decode_key(raw).is_some_and(|k| k == key)
        } else {
            &raw[1..raw.len() - 1] == key
        };
        j = skip_ws(b, kend);
        if *b.get(j)? != b':' {
            return found;
        }
        let vstart = skip_ws(b, j + 1);
        if same {
            found = Some(vstart);
        }
        j = skip_ws(b, skip_value(b, vstart)?);
        match *b.get(j)? {
            b',' => j = skip_ws(b, j + 1),
            _ => return found,
        }
    }
}

/// Offset of element `n` of the array at `i`.
fn find_index(b: &[u8], i: usize, n: usize) -> Option<usize> {
    let mut j = skip_ws(b, i + 1);
    if b.get(j) == Some(&b']') {
        return None;
    }
    for _ in 0..n {
        j = skip_ws(b, skip_value(b, j)?);
        if *b.get(j)? != b',' {
            return None;
        }
        j = skip_ws(b, j + 1);
    }
    Some(j)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(src: &str, p: &str) -> Option<usize> {
        offset(src, p).map(|o| src[..o].matches('\n').count() + 1)
    }

    #[test]
    fn pointers_to_lines() {
        let src = "{\n  \"a\": 1,\n  \"b\": [\n    {\"x\": \"y\"},\n    {\"x\": \"z\", \"u/v\": [1, {\"k~\": true}]}\n  ],\n  \"s\": \"q\\\"{[\"\n}";
        assert_eq!(line(src, ""), Some(1));
        assert_eq!(line(src, "/a"), Some(2));
        assert_eq!(line(src, "/b"), Some(3));
        assert_eq!(line(src, "/b/0/x"), Some(4));
        assert_eq!(line(src, "/b/1/x"), Some(5));
        assert_eq!(line(src, "/b/1/u~1v/1/k~0"), Some(5));
        assert_eq!(line(src, "/s"), Some(7));
        assert_eq!(&src[offset(src, "/b/1/x").unwrap()..][..3], "\"z\"");
        assert_eq!(line(src, "/b/2"), None);
        assert_eq!(line(src, "/nope"), None);
        assert_eq!(line(src, "/a/0"), None);
    }

    #[test]
    fn duplicate_keys_last_wins_and_escaped_keys() {
        let src = "{\"a\": 1,\n\"a\": 2, \"\\u0062\": 3}";
        assert_eq!(line(src, "/a"), Some(2));
        assert_eq!(offset(src, "/b").map(|o| &src[o..o + 1]), Some("3"));
    }

    #[test]
    fn truncated_and_deep_input_do_not_panic() {
        assert_eq!(offset("{\"a\": [1, 2", "/a/5"), None);
        let deep = "[".repeat(100_000);
        assert_eq!(offset(&deep, "/0/0"), Some(1 + 1));
        assert_eq!(offset(&deep, "/1"), None);
    }
}
