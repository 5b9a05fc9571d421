//! A unified-diff writer that never prints a key: context lines holding a secret are left out (hunks are
//! split around them), and a change whose hunk would need a secret line as its only trailing context is
//! refused (git apply needs trailing context away from the end of the file).
use similar::{ChangeTag, TextDiff};
use std::collections::BTreeSet;

struct Row<'a> {
    tag: ChangeTag,
    old: Option<usize>,
    new: Option<usize>,
    text: &'a str,
}

/// Hunks for `before` → `after` with `radius` lines of context, skipping the 0-based `secret_lines` of
/// `before`. Err when a hunk cannot be written without printing a secret.
pub fn unified(
    path: &str,
    before: &str,
    after: &str,
    secret_lines: &BTreeSet<usize>,
    radius: usize,
) -> Result<String, String> {
    let diff = TextDiff::from_lines(before, after);
    let old_total = diff.old_slices().len();
    let mut out = header(path);
    for group in diff.grouped_ops(radius) {
        let mut rows: Vec<Row> = Vec::new();
        for op in &group {
            for ch in diff.iter_changes(op) {
                rows.push(Row {
                    tag: ch.tag(),
                    old: ch.old_index(),
                    new: ch.new_index(),
                    text: ch.value(),
                });
            }
        }
        // Split at secret context lines; a secret line that changes cannot be shown at all.
        let mut segments: Vec<Vec<Row>> = vec![Vec::new()];
        for r in rows {
            let secret = r.old.is_some_and(|o| secret_lines.contains(&o));
            if secret && r.tag == ChangeTag::Equal {
                segments.push(Vec::new());
            } else if secret {
                return Err(format!(
                    "line {} holds a key and would change",
                    r.old.unwrap() + 1
                ));
            } else if r.tag == ChangeTag::Insert && crate::redact::holds_secret(r.text) {
                return Err(format!(
                    "new line {} would hold a key",
                    r.new.map_or(0, |n| n + 1)
                ));
            } else {
                segments.last_mut().unwrap().push(r);
            }
        }
        for seg in segments
            .into_iter()
            .filter(|s| s.iter().any(|r| r.tag != ChangeTag::Equal))
        {
            let trailing = seg
                .iter()
                .rev()
                .take_while(|r| r.tag == ChangeTag::Equal)
                .count();
            let last_old = seg.iter().rev().find_map(|r| r.old);
            let at_eof = last_old.is_none_or(|o| o + 1 >= old_total);
            if trailing == 0 && !at_eof {
                return Err("a change sits right before a line holding a key".into());
            }
            write_hunk(&mut out, &seg);
        }
    }
    Ok(out)
}

/// The `diff --git` / `---` / `+++` lines as git writes them, so `git apply` reads back the same name.
fn header(path: &str) -> String {
    let (a, b) = (git_name("a/", path), git_name("b/", path));
    // git ends `---`/`+++` names holding a space with a tab, which tells `git apply` where the name ends.
    let tab = if path.contains(' ') { "\t" } else { "" };
    format!("diff --git {a} {b}\n--- {a}{tab}\n+++ {b}{tab}\n")
}

/// `prefix` + `path`, C-quoted the way git quotes names (`core.quotePath`): a name holding a control
/// character, `"`, `\` or a non-ASCII byte is written in double quotes with `\t`, `\n`, `\"`, `\\` …
/// and every other such byte as a three-digit octal escape.
pub fn git_name(prefix: &str, path: &str) -> String {
    let plain = |b: u8| !(b < 0x20 || b == b'"' || b == b'\\' || b >= 0x7f);
    if path.bytes().all(plain) {
        return format!("{prefix}{path}");
    }
    let mut out = format!("\"{prefix}");
    for b in path.bytes() {
        match b {
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            0x0b => out.push_str("\\v"),
            0x0c => out.push_str("\\f"),
            b'\r' => out.push_str("\\r"),
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b if plain(b) => out.push(b as char),
            b => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out.push('"');
    out
}

fn write_hunk(out: &mut String, seg: &[Row]) {
    let old_start = seg.iter().find_map(|r| r.old);
    let new_start = seg.iter().find_map(|r| r.new);
    let old_len = seg.iter().filter(|r| r.tag != ChangeTag::Insert).count();
    let new_len = seg.iter().filter(|r| r.tag != ChangeTag::Delete).count();
    // With no lines on a side, the start is the line before (unified diff convention).
    let start = |s: Option<usize>, len: usize, fallback: usize| match (s, len) {
        (Some(i), _) => i + 1,
        (None, _) => fallback,
    };
    let os = start(old_start, old_len, new_start.unwrap_or(0));
    let ns = start(new_start, new_len, old_start.unwrap_or(0));
    out.push_str(&format!("@@ -{os},{old_len} +{ns},{new_len} @@\n"));
    for r in seg {
        let sign = match r.tag {
            ChangeTag::Equal => ' ',
            ChangeTag::Delete => '-',
            ChangeTag::Insert => '+',
        };
        out.push(sign);
        out.push_str(r.text);
        if !r.text.ends_with('\n') {
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_context_is_left_out() {
        let before = "a\nKEY=secret\nbase=v1\nc\nd\n";
        let after = "a\nKEY=secret\nbase=v2\nc\nd\n";
        let secrets: BTreeSet<usize> = [1].into_iter().collect();
        let p = unified("f", before, after, &secrets, 3).unwrap();
        assert!(!p.contains("secret"), "{p}");
        assert!(
            p.contains("@@ -3,3 +3,3 @@\n-base=v1\n+base=v2\n c\n d\n"),
            "{p}"
        );
    }

    #[test]
    fn refuses_when_only_trailing_context_is_a_key() {
        let before = "a\nbase=v1\nKEY=secret\nc\n";
        let after = "a\nbase=v2\nKEY=secret\nc\n";
        let secrets: BTreeSet<usize> = [2].into_iter().collect();
        assert!(unified("f", before, after, &secrets, 3).is_err());
    }

    #[test]
    fn header_quotes_unusual_names_like_git() {
        assert_eq!(git_name("a/", "src/x.js"), "a/src/x.js");
        assert_eq!(
            git_name("a/", "t\tn\nq\"b\\e\u{1b}é"),
            "\"a/t\\tn\\nq\\\"b\\\\e\\033\\303\\251\""
        );
        assert_eq!(
            header("x y.js"),
            "diff --git a/x y.js b/x y.js\n--- a/x y.js\t\n+++ b/x y.js\t\n"
        );
    }

    #[test]
    fn no_newline_at_eof() {
        let p = unified("f", "a\nb", "a\nc", &BTreeSet::new(), 3).unwrap();
        assert!(
            p.ends_with("-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"),
            "{p}"
        );
    }
}
