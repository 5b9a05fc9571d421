//! Byte offset → (line, column) and line text, for positioning findings.
//!
//! Every lookup costs at most one block of bytes, never a scan from the start of the line: a minified file
//! with tens of thousands of findings on one line stays linear.

/// Bytes per character-count checkpoint.
const BLOCK: usize = 256;

pub struct LineIndex<'a> {
    src: &'a str,
    starts: Vec<usize>,
    /// Characters before byte `k * BLOCK`, or empty when the source is ASCII (a column is then a byte
    /// distance).
    chars_before: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(src: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', src.as_bytes()).map(|i| i + 1));
        let chars_before = if src.is_ascii() {
            Vec::new()
        } else {
            let mut n = 0;
            let mut v = Vec::with_capacity(src.len() / BLOCK + 1);
            for block in src.as_bytes().chunks(BLOCK) {
                v.push(n);
                n += char_starts(block);
            }
            v
        };
        LineIndex {
            src,
            starts,
            chars_before,
        }
    }

    /// The indexed text.
    pub fn src(&self) -> &'a str {
        self.src
    }

    /// Characters in `src[..off]` (`off` a char boundary), in at most one block of work.
    fn chars_to(&self, off: usize) -> usize {
        if self.chars_before.is_empty() {
            return off;
        }
        let k = off / BLOCK;
        self.chars_before[k] + char_starts(&self.src.as_bytes()[k * BLOCK..off])
    }

    /// 1-based line of a byte offset.
    pub fn line(&self, off: usize) -> usize {
        self.starts.partition_point(|&s| s <= off).max(1)
    }

    /// 1-based column, in characters.
    pub fn column(&self, off: usize) -> usize {
        let l = self.line(off);
        let start = self.starts[l - 1];
        let off = floor_char_boundary(self.src, off.min(self.src.len()));
        self.chars_to(off) - self.chars_to(start.min(off)) + 1
    }

    /// Byte offset where 1-based `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.src.len())
    }

    /// How many lines the text has (a final line ending opens an empty last line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The text of 1-based `line` without its line ending.
    pub fn text(&self, line: usize) -> &'a str {
        let start = self.line_start(line);
        let end = self
            .starts
            .get(line)
            .map_or(self.src.len(), |&e| e.saturating_sub(1));
        self.src[start..end.max(start)].trim_end_matches('\r')
    }

    /// Offset of 1-based (line, character column); the end of the line when the column is past it.
    pub fn offset(&self, line: usize, col: usize) -> usize {
        let start = self.line_start(line);
        let text = self.text(line);
        let end = start + text.len();
        let want = self.chars_to(start) + col.saturating_sub(1);
        if self.chars_before.is_empty() {
            return want.min(end);
        }
        // The last checkpoint at or before the wanted character, then at most one block of characters.
        let k = self.chars_before.partition_point(|&n| n <= want).max(1) - 1;
        let from = floor_char_boundary(self.src, (k * BLOCK).max(start)).max(start);
        let skip = want.saturating_sub(self.chars_to(from));
        self.src[from..end]
            .char_indices()
            .nth(skip)
            .map_or(end, |(i, _)| from + i)
    }
}

/// Characters starting in `bytes` (every byte that is not a UTF-8 continuation byte).
fn char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

pub fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        let s = "ab\r\ncé d\nx";
        let li = LineIndex::new(s);
        assert_eq!(li.line(0), 1);
        assert_eq!(li.line(4), 2);
        assert_eq!(li.column(s.find('d').unwrap()), 4);
        assert_eq!(li.text(1), "ab");
        assert_eq!(li.text(2), "cé d");
        assert_eq!(li.text(3), "x");
        assert_eq!(li.offset(2, 4), s.find('d').unwrap());
        assert_eq!(li.offset(2, 99), s.find("\nx").unwrap());
    }

    /// Columns and offsets agree with a plain character count on long mixed-width lines (the checkpoints
    /// fall inside multi-byte characters).
    #[test]
    fn columns_on_long_non_ascii_lines_match_a_plain_count() {
        let s = format!("x\n{}\n{}", "aé€😀 ".repeat(300), "ü".repeat(700));
        let li = LineIndex::new(&s);
        for (off, _) in s.char_indices() {
            let l = li.line(off);
            let start = li.line_start(l);
            let col = s[start..off].chars().count() + 1;
            assert_eq!(li.column(off), col, "offset {off}");
            assert_eq!(li.offset(l, col), off, "line {l} column {col}");
        }
    }
}
