//! Files over `--max-filesize`: never read whole, still searched.
//!
//! Skipping a big file silently is a miss, not a speed-up: workflow exports and bundles are big. Such a
//! file is streamed through the byte-level prefilter in fixed chunks (constant memory); each strong hit
//! (a HighLevel host, a JWT-shaped key, a PIT, a setting name, a marker) is analysed in a window of its
//! line around it, and what the window yields is reported at the file's real line and column. A JSON
//! file up to [`STRUCTURED_MAX`] is read whole instead when it names HighLevel, so a workflow export is
//! parsed structurally (node and line) as it would be under the limit.
use super::extract::{self, FileScan};
use super::finding::Finding;
use super::lang::Lang;
use crate::rules::RuleSet;
use std::io::Read;
use std::path::Path;

/// JSON exports up to this size are parsed whole when over `--max-filesize` (the export parser's own
/// limit).
pub const STRUCTURED_MAX: u64 = super::exports::MAX_BYTES as u64;
/// Bytes read per step of the stream.
const CHUNK: usize = 1 << 20;
/// Context kept on each side of a hit (bytes, within its line).
const WINDOW: usize = 2048;
/// Bytes carried from one chunk to the next: a hit's window and the longest literal fit in it.
const CARRY: usize = 2 * WINDOW + 256;

/// What the search made of an over-limit file.
pub struct Searched {
    pub scan: FileScan,
    /// Bytes analysed (the windows, or the whole file when parsed structurally).
    pub analysed: u64,
    /// Whether the file was parsed whole (a JSON export): no caveat to report then.
    pub whole: bool,
}

/// Searches `path` (of `len` bytes, over the limit). `strong` gives the start of each strong hit in a
/// slice. `Err` when the file cannot be read or is binary: it stays in the skip list.
pub fn search(
    path: &Path,
    rel: &str,
    len: u64,
    rules: &RuleSet,
    strong: &dyn Fn(&[u8]) -> Vec<usize>,
) -> Result<Searched, String> {
    let mut f = std::fs::File::open(path).map_err(|e| super::walk::io_reason(&e))?;
    let mut head = vec![0; 8192];
    let n = read_full(&mut f, &mut head)?;
    head.truncate(n);
    if super::walk::is_binary(&head) {
        return Err(format!(
            "binary, and larger than --max-filesize ({len} bytes)"
        ));
    }
    let lang = Lang::detect(path, &head[..head.len().min(128)])
        .ok_or_else(|| format!("larger than --max-filesize ({len} bytes)"))?;
    if lang == Lang::Json && len <= STRUCTURED_MAX {
        let bytes = super::walk::read_bytes(path, STRUCTURED_MAX)?;
        if !strong(&bytes).is_empty()
            && let Ok(src) = std::str::from_utf8(&bytes)
            && let Some(scan) = super::exports::scan(path, rel, src, lang, rules)
        {
            return Ok(Searched {
                scan,
                analysed: bytes.len() as u64,
                whole: true,
            });
        }
    }
    let mut out = FileScan::default();
    let mut analysed = 0u64;
    let mut pos = Position::default();
    // `buf[..]` holds the file from byte `base`; hits before `done` were analysed already.
    let mut buf = head;
    let mut base = 0u64;
    let mut done = 0u64;
    loop {
        let old = buf.len();
        buf.resize(old + CHUNK, 0);
        let n = read_full(&mut f, &mut buf[old..])?;
        buf.truncate(old + n);
        let eof = n == 0;
        let end = base + buf.len() as u64;
        let mut hits = strong(&buf).into_iter().peekable();
        while let Some(h) = hits.next() {
            let abs = base + h as u64;
            if abs < done {
                continue;
            }
            // A window reaching past the bytes in hand waits for the next chunk (unless at the end).
            if !eof && abs + (WINDOW as u64) + 256 > end {
                break;
            }
            let (ws, mut we) = window(&buf, h);
            // Never analyse bytes twice (a finding would be reported twice).
            let ws = ws.max(char_floor(&buf, (done.saturating_sub(base)) as usize, h));
            // Hits inside this window are analysed with it; the window grows to take in the next hit
            // when they overlap.
            while let Some(&next) = hits.peek() {
                if next >= we || (!eof && base + (next + WINDOW + 256) as u64 > end) {
                    break;
                }
                we = window(&buf, next).1.max(we);
                hits.next();
            }
            pos.advance(&buf, base, ws);
            let text = String::from_utf8_lossy(&buf[ws..we]);
            analysed += text.len() as u64;
            let mut s = extract::extract(rel, &text, lang, rules);
            pos.shift(&mut s);
            merge(&mut out, s);
            done = base + we as u64;
        }
        if eof {
            break;
        }
        // Keep the tail for the windows of hits near the end of this chunk.
        let keep = buf.len().min(CARRY);
        let cut = buf.len() - keep;
        pos.advance(&buf, base, cut);
        buf.drain(..cut);
        base += cut as u64;
    }
    Ok(Searched {
        scan: out,
        analysed,
        whole: false,
    })
}

/// The window of the line around the hit at `h`: at most [`WINDOW`] bytes on each side, cut at line
/// ends and on character boundaries.
fn window(buf: &[u8], h: usize) -> (usize, usize) {
    let lo = h.saturating_sub(WINDOW);
    let hi = (h + WINDOW).min(buf.len());
    let mut ws = memchr::memrchr(b'\n', &buf[lo..h]).map_or(lo, |i| lo + i + 1);
    let mut we = memchr::memchr(b'\n', &buf[h..hi]).map_or(hi, |i| h + i);
    while ws < h && is_continuation(buf[ws]) {
        ws += 1;
    }
    while we < buf.len() && we > h && is_continuation(buf[we]) {
        we -= 1;
    }
    (ws, we)
}

/// `i`, moved forward to a character boundary (not past `limit`).
fn char_floor(buf: &[u8], mut i: usize, limit: usize) -> usize {
    while i < limit && is_continuation(buf[i]) {
        i += 1;
    }
    i
}

fn is_continuation(b: u8) -> bool {
    (b as i8) < -0x40
}

/// Line and column (in characters) of a byte of the file, followed forward through the stream.
#[derive(Default)]
struct Position {
    /// Absolute offset reached.
    at: u64,
    /// Newlines before `at`.
    lines: usize,
    /// Characters between the start of `at`'s line and `at`.
    col: usize,
}

impl Position {
    /// Moves to `buf[i]`, `buf` starting at absolute offset `base`.
    fn advance(&mut self, buf: &[u8], base: u64, i: usize) {
        let from = (self.at.saturating_sub(base)) as usize;
        if from >= i {
            return;
        }
        let seg = &buf[from..i];
        match memchr::memrchr(b'\n', seg) {
            Some(last) => {
                self.lines += memchr::memchr_iter(b'\n', seg).count();
                self.col = char_starts(&seg[last + 1..]);
            }
            None => self.col += char_starts(seg),
        }
        self.at = base + i as u64;
    }

    /// Moves findings of a window starting here to their place in the file.
    fn shift(&self, s: &mut FileScan) {
        let fix = |f: &mut Finding| {
            if f.line <= 1 {
                f.column += self.col;
            }
            f.line += self.lines;
            if let Some(e) = &mut f.end_line {
                *e += self.lines;
            }
            for (l, c) in f.written.iter_mut().chain(f.also_written.iter_mut()) {
                if *l <= 1 {
                    *c += self.col;
                }
                *l += self.lines;
            }
        };
        s.findings.iter_mut().for_each(fix);
        s.pending.iter_mut().for_each(|p| fix(&mut p.finding));
        for d in &mut s.defs {
            d.line += self.lines;
        }
        for i in &mut s.inline {
            i.line += self.lines;
        }
        for r in &mut s.reads {
            r.line += self.lines;
        }
    }
}

fn char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| !is_continuation(b)).count()
}

fn merge(out: &mut FileScan, s: FileScan) {
    out.findings.extend(s.findings);
    out.defs.extend(s.defs);
    out.pending.extend(s.pending);
    out.reads.extend(s.reads);
    out.inline.extend(s.inline);
}

/// Fills `buf` as far as the file allows; the count read (short only at the end of the file).
fn read_full(f: &mut std::fs::File, buf: &mut [u8]) -> Result<usize, String> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(super::walk::io_reason(&e)),
        }
    }
    Ok(n)
}
