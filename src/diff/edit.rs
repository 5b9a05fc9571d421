//! Span edits on JSON and YAML export text: a string value, an object key, a new array element or object
//! member — each located through the export reader's pointer → offset maps (`jsonpos`, `yamlpos`) and written
//! in the file's own style (quotes, indentation, separators, line endings). Nothing is re-serialised: bytes
//! outside the edited spans stay as they were.
use crate::scan::exports::{jsonpos, yamlpos};
use crate::scan::lines::LineIndex;
use serde_json::Value;
use std::collections::BTreeSet;

/// Replace `start..end` of the original text with `text` (an insertion when `start == end`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// An export file being edited: its text, parsed value and the 0-based lines that hold a key.
pub struct Doc<'a> {
    pub src: &'a str,
    pub yaml: bool,
    pub value: Value,
    li: LineIndex<'a>,
    secret_lines: &'a BTreeSet<usize>,
    eol: &'static str,
}

impl<'a> Doc<'a> {
    pub fn new(src: &'a str, yaml: bool, value: Value, secret_lines: &'a BTreeSet<usize>) -> Self {
        Doc {
            src,
            yaml,
            value,
            li: LineIndex::new(src),
            secret_lines,
            eol: if src.contains("\r\n") { "\r\n" } else { "\n" },
        }
    }

    pub fn get(&self, ptr: &str) -> Option<&Value> {
        self.value.pointer(ptr)
    }

    fn offset(&self, ptr: &str) -> Option<usize> {
        if self.yaml {
            yamlpos::offset(self.src, ptr)
        } else {
            jsonpos::offset(self.src, ptr)
        }
    }

    /// Why these edits cannot go into a patch: a changed line, or the line right after one (the patch's
    /// trailing context), holds a key.
    pub fn blocked_by_key(&self, edits: &[Edit]) -> Option<String> {
        for e in edits {
            let first = self.li.line(e.start) - 1;
            let last = self.li.line(e.end) - 1;
            if (first..=last + 1).any(|l| self.secret_lines.contains(&l)) {
                return Some(format!(
                    "the change at line {} sits next to a line holding a key (a patch would print it): edit by hand",
                    first + 1
                ));
            }
        }
        None
    }

    /// Decodes a scalar as written (JSON string, YAML plain/quoted scalar).
    fn decode(&self, raw: &str) -> Option<String> {
        if self.yaml {
            serde_norway::from_str::<String>(raw).ok()
        } else {
            serde_json::from_str::<String>(raw).ok()
        }
    }

    /// The span of the string value at `ptr`, checked against the parsed value.
    pub fn string_span(&self, ptr: &str) -> Option<(usize, usize)> {
        let want = self.get(ptr)?.as_str()?;
        let start = self.offset(ptr)?;
        let end = if self.yaml {
            yaml_scalar_end(self.src, start)?
        } else {
            if self.src.as_bytes().get(start) != Some(&b'"') {
                return None;
            }
            jsonpos::value_end(self.src, start)?
        };
        (self.decode(&self.src[start..end])? == want).then_some((start, end))
    }

    /// An edit of the string value at `ptr` to `f(old)`, written in place in the value's own quoting when
    /// that round-trips, else as a JSON/YAML double-quoted string. `None` when nothing changes.
    pub fn edit_string(&self, ptr: &str, f: impl FnOnce(&str) -> Option<String>) -> Option<Edit> {
        let (start, end) = self.string_span(ptr)?;
        let raw = &self.src[start..end];
        let old = self.decode(raw)?;
        let new = f(&old)?;
        if new == old {
            return None;
        }
        let quoted = raw.starts_with('"') || raw.starts_with('\'');
        let inner = if quoted { &raw[1..raw.len() - 1] } else { raw };
        let mut text = None;
        if inner == old {
            let cand = if quoted {
                format!("{}{new}{}", &raw[..1], &raw[raw.len() - 1..])
            } else {
                new.clone()
            };
            if self.decode(&cand).as_deref() == Some(new.as_str()) {
                text = Some(cand);
            }
        }
        let text = match text {
            Some(t) => t,
            None => {
                let t = serde_json::to_string(&new).ok()?;
                (self.decode(&t).as_deref() == Some(new.as_str())).then_some(t)?
            }
        };
        Some(Edit { start, end, text })
    }

    /// Renames the member `key` of the JSON object at `obj_ptr` (the key text only).
    pub fn rename_key(&self, obj_ptr: &str, key: &str, new_key: &str) -> Option<Edit> {
        if self.yaml {
            return None;
        }
        let vstart = self.offset(&format!("{obj_ptr}/{}", jsonpos::escape(key)))?;
        let (ks, ke) = key_span_before(self.src, vstart)?;
        (serde_json::from_str::<String>(&self.src[ks..ke]).ok()? == key).then(|| Edit {
            start: ks,
            end: ke,
            text: serde_json::to_string(new_key).unwrap_or_default(),
        })
    }

    /// The value span of a JSON value (any type) at `ptr`.
    pub fn json_span(&self, ptr: &str) -> Option<(usize, usize)> {
        if self.yaml {
            return None;
        }
        let s = self.offset(ptr)?;
        Some((s, jsonpos::value_end(self.src, s)?))
    }

    /// Leading whitespace of the line holding byte `off`.
    fn line_indent(&self, off: usize) -> &'a str {
        let ls = self.li.line_start(self.li.line(off));
        let line = &self.src[ls..];
        &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
    }

    /// One level of indentation as the file writes it.
    fn indent_unit(&self) -> String {
        for l in self.src.lines() {
            let ws = &l[..l.len() - l.trim_start_matches([' ', '\t']).len()];
            if !ws.is_empty() && ws.len() < l.len() {
                return if ws.starts_with('\t') {
                    "\t".into()
                } else {
                    ws.to_string()
                };
            }
        }
        "  ".into()
    }

    /// `": "` or `":"`, as the file separates keys from values.
    fn colon(&self) -> &'static str {
        if self.src.contains("\": ") || !self.src.contains("\":") {
            ": "
        } else {
            ":"
        }
    }

    /// The separator before a second element when there is one: the same line break and indentation as
    /// before the first, or the file's inline `, ` / `,`.
    fn first_sep(&self, lead: &str) -> String {
        if lead.contains('\n') {
            format!(",{lead}")
        } else if self.src.contains(", \"") || self.src.contains(", {") {
            ", ".into()
        } else {
            ",".into()
        }
    }

    /// A JSON object with the members `pairs` (values already encoded), multi-line at `indent` when the file
    /// is, else on one line.
    fn json_object(&self, pairs: &[(String, String)], indent: &str, multiline: bool) -> String {
        let colon = self.colon();
        let members: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}{colon}{v}", serde_json::to_string(k).unwrap_or_default()))
            .collect();
        if multiline {
            let inner = format!("{indent}{}", self.indent_unit());
            let eol = self.eol;
            format!(
                "{{{eol}{inner}{}{eol}{indent}}}",
                members.join(&format!(",{eol}{inner}"))
            )
        } else {
            let sep = if self.src.contains(", \"") { ", " } else { "," };
            format!("{{{}}}", members.join(sep))
        }
    }

    /// Appends an object element `pairs` to the JSON array at `arr_ptr`, laid out like its last element (or,
    /// for an empty array, like the file).
    pub fn json_append_object(&self, arr_ptr: &str, pairs: &[(String, String)]) -> Option<Edit> {
        let arr = self.get(arr_ptr)?.as_array()?;
        let (astart, aend) = self.json_span(arr_ptr)?;
        let n = arr.len();
        if n == 0 {
            let multiline = self.src.contains('\n');
            let ind = self.line_indent(astart);
            let inner = format!("{ind}{}", self.indent_unit());
            let obj = self.json_object(pairs, &inner, multiline);
            let text = if multiline {
                format!("[{}{inner}{obj}{}{ind}]", self.eol, self.eol)
            } else {
                format!("[{obj}]")
            };
            return Some(Edit {
                start: astart,
                end: aend,
                text,
            });
        }
        let (ls, le) = self.json_span(&format!("{arr_ptr}/{}", n - 1))?;
        let sep = if n >= 2 {
            let (_, pe) = self.json_span(&format!("{arr_ptr}/{}", n - 2))?;
            self.src[pe..ls].to_string()
        } else {
            self.first_sep(&self.src[astart + 1..ls])
        };
        let last = &self.src[ls..le];
        let obj = self.json_object(pairs, self.line_indent(ls), last.contains('\n'));
        Some(Edit {
            start: le,
            end: le,
            text: format!("{sep}{obj}"),
        })
    }

    /// Adds the member `key: value` (value encoded) after the textually last member of the JSON object at
    /// `obj_ptr`.
    pub fn json_add_member(&self, obj_ptr: &str, key: &str, value: &str) -> Option<Edit> {
        let obj = self.get(obj_ptr)?.as_object()?;
        let (ostart, _) = self.json_span(obj_ptr)?;
        let mut spans: Vec<(usize, usize)> = obj
            .keys()
            .filter_map(|k| self.json_span(&format!("{obj_ptr}/{}", jsonpos::escape(k))))
            .collect();
        spans.sort();
        let &(last_start, last_end) = spans.last()?;
        let (lks, _) = key_span_before(self.src, last_start)?;
        let sep = if spans.len() >= 2 {
            let (_, pe) = spans[spans.len() - 2];
            self.src[pe..lks].to_string()
        } else {
            self.first_sep(&self.src[ostart + 1..lks])
        };
        Some(Edit {
            start: last_end,
            end: last_end,
            text: format!(
                "{sep}{}{}{value}",
                serde_json::to_string(key).ok()?,
                self.colon()
            ),
        })
    }

    /// Replaces the JSON array of strings at `arr_ptr` with `items`, keeping its layout.
    pub fn json_replace_string_array(&self, arr_ptr: &str, items: &[String]) -> Option<Edit> {
        let arr = self.get(arr_ptr)?.as_array()?;
        let (s, e) = self.json_span(arr_ptr)?;
        let enc: Vec<String> = items
            .iter()
            .map(|i| serde_json::to_string(i).unwrap_or_default())
            .collect();
        let text = if arr.is_empty() {
            format!("[{}]", enc.join(", "))
        } else {
            let (fs, _) = self.json_span(&format!("{arr_ptr}/0"))?;
            let (_, le) = self.json_span(&format!("{arr_ptr}/{}", arr.len() - 1))?;
            let lead = &self.src[s + 1..fs];
            let trail = &self.src[le..e - 1];
            let sep = if arr.len() >= 2 {
                let (_, fe) = self.json_span(&format!("{arr_ptr}/0"))?;
                let (ss, _) = self.json_span(&format!("{arr_ptr}/1"))?;
                self.src[fe..ss].to_string()
            } else if lead.contains('\n') {
                format!(",{lead}")
            } else {
                ", ".into()
            };
            format!("[{lead}{}{trail}]", enc.join(&sep))
        };
        (text != self.src[s..e]).then_some(Edit {
            start: s,
            end: e,
            text,
        })
    }

    /// Appends a block mapping `pairs` (values already YAML-encoded) as a new item of the YAML block sequence
    /// at `seq_ptr`, at the indentation of its last item.
    pub fn yaml_append_mapping(&self, seq_ptr: &str, pairs: &[(String, String)]) -> Option<Edit> {
        let n = self.get(seq_ptr)?.as_array()?.len();
        if n == 0 || pairs.is_empty() {
            return None;
        }
        let item = self.offset(&format!("{seq_ptr}/{}", n - 1))?;
        let line_no = self.li.line(item);
        let ls = self.li.line_start(line_no);
        let head = &self.src[ls..item];
        let dash = head.find("- ")?;
        if !head[..dash].chars().all(|c| c == ' ') {
            return None;
        }
        let content_col = head.len();
        // The item ends before the next non-blank line indented at or left of its dash.
        let mut at = self.src[ls..]
            .find('\n')
            .map_or(self.src.len(), |i| ls + i + 1);
        while at < self.src.len() {
            let rest = &self.src[at..];
            let line = rest.split_inclusive('\n').next().unwrap_or(rest);
            let body = line.trim_end_matches(['\n', '\r']);
            let ind = body.len() - body.trim_start_matches(' ').len();
            if !body.trim().is_empty() && !body.trim_start().starts_with('#') && ind <= dash {
                break;
            }
            at += line.len();
        }
        if at == self.src.len() && !self.src.ends_with('\n') {
            return None;
        }
        let eol = self.eol;
        let mut text = String::new();
        for (i, (k, v)) in pairs.iter().enumerate() {
            if i == 0 {
                text.push_str(&format!(
                    "{}- {}{k}: {v}{eol}",
                    " ".repeat(dash),
                    " ".repeat(content_col - dash - 2)
                ));
            } else {
                text.push_str(&format!("{}{k}: {v}{eol}", " ".repeat(content_col)));
            }
        }
        Some(Edit {
            start: at,
            end: at,
            text,
        })
    }
}

/// End of the YAML scalar starting at `start` on its line: a quoted scalar to its closing quote, a plain one
/// to the end of the line less a trailing comment. `None` for block scalars and multi-line values.
fn yaml_scalar_end(src: &str, start: usize) -> Option<usize> {
    let rest = &src[start..];
    let line = rest.split(['\n', '\r']).next().unwrap_or(rest);
    match line.as_bytes().first()? {
        b'"' => {
            let b = line.as_bytes();
            let mut i = 1;
            while i < b.len() {
                match b[i] {
                    b'\\' => i += 2,
                    b'"' => return Some(start + i + 1),
                    _ => i += 1,
                }
            }
            None
        }
        b'\'' => {
            let b = line.as_bytes();
            let mut i = 1;
            while i < b.len() {
                if b[i] == b'\'' {
                    if b.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    return Some(start + i + 1);
                }
                i += 1;
            }
            None
        }
        b'|' | b'>' | b'[' | b'{' | b'&' | b'*' | b'!' => None,
        _ => {
            let body = match line.find(" #") {
                Some(i) => &line[..i],
                None => line,
            };
            Some(start + body.trim_end().len())
        }
    }
}

/// The span (with quotes) of the JSON key whose value starts at `vstart`.
fn key_span_before(src: &str, vstart: usize) -> Option<(usize, usize)> {
    let b = src.as_bytes();
    let mut i = vstart;
    while i > 0 && matches!(b[i - 1], b' ' | b'\t' | b'\n' | b'\r') {
        i -= 1;
    }
    if i == 0 || b[i - 1] != b':' {
        return None;
    }
    i -= 1;
    while i > 0 && matches!(b[i - 1], b' ' | b'\t' | b'\n' | b'\r') {
        i -= 1;
    }
    if i == 0 || b[i - 1] != b'"' {
        return None;
    }
    let end = i;
    let mut j = end - 1;
    while j > 0 {
        j -= 1;
        if b[j] == b'"' {
            let mut bs = 0;
            while j > bs && b[j - 1 - bs] == b'\\' {
                bs += 1;
            }
            if bs % 2 == 0 {
                return Some((j, end));
            }
        }
    }
    None
}

/// Applies non-overlapping edits (any order) to `src`.
pub fn apply(src: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.start, e.end));
    let mut out = String::with_capacity(src.len());
    let mut pos = 0;
    for e in sorted {
        out.push_str(&src[pos..e.start]);
        out.push_str(&e.text);
        pos = e.end;
    }
    out.push_str(&src[pos..]);
    out
}

/// True when `e` overlaps (or inserts inside) any of `taken`.
pub fn overlaps(taken: &[Edit], e: &Edit) -> bool {
    taken.iter().any(|t| {
        (e.start < t.end && t.start < e.end)
            || (e.start == e.end && t.start < e.start && e.start < t.end)
            || (t.start == t.end && e.start < t.start && t.start < e.end)
            || (e.start == t.start && e.end == t.end)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc<'a>(src: &'a str, yaml: bool, none: &'a BTreeSet<usize>) -> Doc<'a> {
        let v = if yaml {
            serde_norway::from_str(src).unwrap()
        } else {
            serde_json::from_str(src).unwrap()
        };
        Doc::new(src, yaml, v, none)
    }

    #[test]
    fn json_edits_keep_layout() {
        let none = BTreeSet::new();
        let src = "{\n  \"a\": \"x\\u00e9y\",\n  \"h\": [\n    {\n      \"name\": \"A\",\n      \"value\": \"b\"\n    }\n  ],\n  \"e\": [],\n  \"p\": [\"v1\", \"c\"]\n}\n";
        let d = doc(src, false, &none);
        let e = d.edit_string("/a", |s| Some(s.replace('x', "z"))).unwrap();
        assert_eq!(e.text, "\"zéy\"");
        let e = d
            .json_append_object(
                "/h",
                &[
                    ("name".into(), "\"V\"".into()),
                    ("value".into(), "\"1\"".into()),
                ],
            )
            .unwrap();
        let out = apply(src, &[e]);
        assert!(
            out.contains(
                "    },\n    {\n      \"name\": \"V\",\n      \"value\": \"1\"\n    }\n  ],"
            ),
            "{out}"
        );
        let e = d
            .json_append_object("/e", &[("k".into(), "\"v\"".into())])
            .unwrap();
        let out = apply(src, &[e]);
        assert!(
            out.contains("\"e\": [\n    {\n      \"k\": \"v\"\n    }\n  ],"),
            "{out}"
        );
        let e = d.json_add_member("", "notes", "\"n\"").unwrap();
        let out = apply(src, &[e]);
        assert!(out.ends_with("\"c\"],\n  \"notes\": \"n\"\n}\n"), "{out}");
        let e = d
            .json_replace_string_array("/p", &["c".into(), "d".into(), "".into()])
            .unwrap();
        assert!(apply(src, &[e]).contains("\"p\": [\"c\", \"d\", \"\"]"));
        let e = d.rename_key("", "h", "headers").unwrap();
        assert!(apply(src, &[e]).contains("\"headers\": ["));
    }

    #[test]
    fn yaml_edits_keep_layout() {
        let none = BTreeSet::new();
        let src = "r:\n  - url: \"{{ _.host }}/v1/x/\"\n    headers:\n      - name: A\n        value: b # c\n    m: GET\n  - url: https://a/b\n";
        let d = doc(src, true, &none);
        let e = d
            .edit_string("/r/0/url", |s| Some(s.replace("/v1", "")))
            .unwrap();
        assert_eq!(e.text, "\"{{ _.host }}/x/\"");
        let e = d
            .edit_string("/r/1/url", |s| Some(s.replace("/b", "/c")))
            .unwrap();
        assert_eq!(e.text, "https://a/c");
        let e = d
            .yaml_append_mapping(
                "/r/0/headers",
                &[
                    ("name".into(), "Version".into()),
                    ("value".into(), "\"2021-07-28\"".into()),
                ],
            )
            .unwrap();
        let out = apply(src, &[e]);
        assert!(out.contains("        value: b # c\n      - name: Version\n        value: \"2021-07-28\"\n    m: GET\n"), "{out}");
    }

    #[test]
    fn keys_next_to_an_edit_block_it() {
        let secrets: BTreeSet<usize> = [2].into_iter().collect();
        let src = "{\n  \"a\": \"x\",\n  \"k\": \"secret\"\n}\n";
        let d = doc(src, false, &secrets);
        let e = d.edit_string("/a", |_| Some("y".into())).unwrap();
        assert!(d.blocked_by_key(&[e]).is_some());
    }
}
