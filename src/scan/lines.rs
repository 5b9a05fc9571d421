//! Byte offset → (line, column) and line text, for positioning findings.

pub struct LineIndex<'a> {
    src: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(src: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', src.as_bytes()).map(|i| i + 1));
        LineIndex { src, starts }
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
        self.src[start.min(off)..off].chars().count() + 1
    }

    /// Byte offset where 1-based `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.src.len())
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

    /// Offset of 1-based (line, character column).
    pub fn offset(&self, line: usize, col: usize) -> usize {
        let start = self.line_start(line);
        let text = self.text(line);
        start
            + text
                .char_indices()
                .nth(col.saturating_sub(1))
                .map_or(text.len(), |(i, _)| i)
    }
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
    }
}
