//! Pointer → byte offset in block-style YAML (what Insomnia writes), plus the guards run before parsing.
//! serde_norway keeps no positions; this follows the pointer through indentation. It is exact for block
//! mappings and sequences and falls back to the nearest enclosing line for flow style.

struct Line<'a> {
    start: usize,
    /// Indent of the content after any `- ` markers.
    indent: usize,
    /// Indent of the first `- ` marker, when the line starts a sequence item.
    dash: Option<usize>,
    content: &'a str,
}

fn lines(src: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for raw in src.split_inclusive('\n') {
        let text = raw.trim_end_matches(['\n', '\r']);
        let lead = text.len() - text.trim_start_matches(' ').len();
        let mut indent = lead;
        let mut dash = None;
        let mut content = &text[lead..];
        while content == "-" || content.starts_with("- ") {
            dash.get_or_insert(indent);
            let after = content[1..].trim_start_matches(' ');
            indent += content.len() - after.len();
            content = after;
        }
        if !content.is_empty() && !content.starts_with('#') || dash.is_some() {
            out.push(Line {
                start: start + indent.min(text.len()),
                indent,
                dash,
                content,
            });
        }
        start += raw.len();
    }
    out
}

fn key_of(content: &str) -> Option<String> {
    let c = content;
    let (k, rest) = if let Some(q) = c.strip_prefix('"') {
        let end = q.find('"')?;
        (q[..end].to_string(), &q[end + 1..])
    } else if let Some(q) = c.strip_prefix('\'') {
        let end = q.find('\'')?;
        (q[..end].to_string(), &q[end + 1..])
    } else {
        let end = c.find(':')?;
        (c[..end].trim_end().to_string(), &c[end..])
    };
    let rest = rest.trim_start();
    (rest == ":" || rest.starts_with(": ")).then_some(k)
}

/// Offset of the value at `pointer`: the scalar after `key:` on the same line, else the start of the key's
/// or item's line. `None` only when the document is empty.
pub fn offset(src: &str, pointer: &str) -> Option<usize> {
    let ls = lines(src);
    let first = ls.first()?;
    let mut cur: usize = 0; // index of the line holding the current node
    let mut cur_off = first.start;
    // The current node's children: the first line to look at and the indent of its own content.
    let mut from = 0usize;
    let mut parent_indent: isize = -1;
    let segs: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    for seg in &segs {
        if let Ok(n) = seg.parse::<usize>() {
            // Sequence items: lines with a dash at one indent, below the parent.
            let mut dash_indent = None;
            let mut count = 0usize;
            let mut found = None;
            for (i, l) in ls.iter().enumerate().skip(from) {
                if i > from
                    && (l.indent as isize) <= parent_indent
                    && l.dash.is_none_or(|d| (d as isize) < parent_indent)
                {
                    break;
                }
                let Some(d) = l.dash else { continue };
                let want = *dash_indent.get_or_insert(d);
                if d < want {
                    break;
                }
                if d == want {
                    if count == n {
                        found = Some(i);
                        break;
                    }
                    count += 1;
                }
            }
            let Some(i) = found else { return Some(cur_off) };
            cur = i;
            cur_off = ls[i].start;
            from = i; // the item's first member is on its dash line
            parent_indent = ls[i].dash.unwrap_or(0) as isize;
        } else {
            let mut child_indent = None;
            let mut found = None;
            for (i, l) in ls.iter().enumerate().skip(from) {
                if (l.indent as isize) <= parent_indent {
                    if i > from {
                        break;
                    }
                    continue;
                }
                let want = *child_indent.get_or_insert(l.indent);
                if l.indent < want {
                    break;
                }
                if l.indent == want && key_of(l.content).as_deref() == Some(seg.as_str()) {
                    found = Some(i);
                    break;
                }
            }
            let Some(i) = found else { return Some(cur_off) };
            cur = i;
            let l = &ls[i];
            let colon = l
                .content
                .find(": ")
                .or_else(|| l.content.rfind(':'))
                .unwrap_or(0);
            let after = &l.content[colon + 1..];
            let val = after.trim_start();
            cur_off = if val.is_empty() || val.starts_with('#') {
                l.start
            } else {
                l.start + colon + 1 + (after.len() - val.len())
            };
            from = i + 1;
            parent_indent = l.indent as isize;
        }
    }
    let _ = cur;
    Some(cur_off)
}

/// Nesting depth estimate: indentation levels (2 spaces) or flow brackets, whichever is larger.
pub fn depth(src: &str) -> usize {
    let mut max_indent = 0;
    let mut flow = 0usize;
    let mut max_flow = 0usize;
    for line in src.lines() {
        let lead = line.len() - line.trim_start_matches([' ', '-']).len();
        max_indent = max_indent.max(lead / 2);
    }
    for b in src.bytes() {
        match b {
            b'[' | b'{' => {
                flow += 1;
                max_flow = max_flow.max(flow);
            }
            b']' | b'}' => flow = flow.saturating_sub(1),
            _ => {}
        }
    }
    max_indent.max(max_flow)
}

/// True when the YAML uses an alias (`*name` where a value starts): exports never need one, and expanding
/// them is how alias bombs blow up memory.
pub fn has_alias(src: &str) -> bool {
    let b = src.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        c == b'*'
            && b.get(i + 1)
                .is_some_and(|n| n.is_ascii_alphanumeric() || *n == b'_')
            && (i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'[' | b',' | b'\n'))
            && {
                // At a value position: after `: `, `- `, `[`, `,` or at a line start.
                let before = src[..i].trim_end_matches([' ', '\t']);
                before.is_empty()
                    || before.ends_with(':')
                    || before.ends_with('-')
                    || before.ends_with('[')
                    || before.ends_with(',')
                    || before.ends_with('\n')
            }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(src: &str, p: &str) -> usize {
        let o = offset(src, p).unwrap();
        src[..o].matches('\n').count() + 1
    }

    #[test]
    fn block_yaml_pointers() {
        let src = "type: collection.insomnia.rest/5.0\nname: x\ncollection:\n  - name: Folder\n    children:\n      - url: https://a/b\n        name: one\n        headers:\n          - name: Authorization\n            value: Bearer t\n      - name: two\n        url: \"https://c\"\nenvironments:\n  data:\n    base: https://rest.gohighlevel.com/v1\n";
        assert_eq!(line(src, "/type"), 1);
        assert_eq!(line(src, "/collection/0/name"), 4);
        assert_eq!(line(src, "/collection/0/children/0/url"), 6);
        assert_eq!(line(src, "/collection/0/children/0/headers/0/value"), 10);
        assert_eq!(line(src, "/collection/0/children/1/url"), 12);
        assert_eq!(line(src, "/environments/data/base"), 15);
        let o = offset(src, "/environments/data/base").unwrap();
        assert!(src[o..].starts_with("https://rest"));
    }

    #[test]
    fn guards() {
        assert!(has_alias("a: &x [1]\nb: [*x, *x]\n"));
        assert!(!has_alias("a: 2 * 3\nb: \"*x\"\n"));
        assert!(depth(&"[".repeat(500)) >= 500);
    }
}
