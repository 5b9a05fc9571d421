//! Secrets never leave the process in full: every key or token shown anywhere goes through here.
//!
//! One path: [`clean`] hides every span that is a secret by its shape ([`shapes`]) or because this run
//! has met it ([`known`]: keys the scan found, tokens given to `verify`, credential-looking arguments).
//! Every byte the tool writes — reports in every format, patches, errors, verify output, files written
//! with `--output` — passes through it, line by line ([`Writer`], [`clean`]).
pub mod known;
pub mod shapes;

pub use known::remember;
use sha2::{Digest, Sha256};
use std::io::Write;

/// A short, stable fingerprint of a secret: `sha256:` + the first 12 hex digits of its SHA-256.
/// Lets reports say "the same key is used in these three places" without showing it.
pub fn fingerprint(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// The redacted form of a secret: a few leading and trailing characters, its length, never the middle.
/// Short secrets show less, so that no more than a quarter of any secret is ever shown.
pub fn redact(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let n = chars.len();
    let keep = match n {
        0..=11 => 0,
        12..=23 => 2,
        24..=39 => 3,
        _ => 4,
    };
    // A `pit-` prefix is a public marker, not secret material: show it so the kind is visible.
    let head_len = if secret.starts_with("pit-") && n >= 24 {
        4 + keep.min(2)
    } else {
        keep
    };
    let head: String = chars[..head_len].iter().collect();
    let tail: String = chars[n - keep..].iter().collect();
    if keep == 0 {
        format!("[{n} chars]")
    } else {
        format!("{head}…{tail} [{n} chars]")
    }
}

/// [`clean`], after remembering `secrets` (raw values a caller holds: a scanned file's keys, a token a
/// server might echo). Values too short to remember are replaced where they appear whole.
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        remember(s);
        if (8..known::MIN_SECRET).contains(&s.len()) && out.contains(s) {
            out = out.replace(s, &redact(s));
        }
    }
    clean(&out).into_owned()
}

/// `text` with every secret span replaced by its redacted form. Idempotent: a redacted form is not a
/// secret by shape and holds no run of a known secret long enough to match.
pub fn clean(text: &str) -> std::borrow::Cow<'_, str> {
    let spans = secret_spans(text);
    if spans.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (s, e) in spans {
        out.push_str(&text[at..s]);
        out.push_str(&redact(&text[s..e]));
        at = e;
    }
    out.push_str(&text[at..]);
    std::borrow::Cow::Owned(out)
}

/// Whether `text` holds anything [`clean`] would hide (such a line is never shown nor rewritten by diff).
pub fn holds_secret(text: &str) -> bool {
    !secret_spans(text).is_empty()
}

/// The merged, sorted secret spans of `text`, on char boundaries.
fn secret_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    shapes::spans(text, &mut spans);
    known::spans(text, &mut spans);
    if spans.is_empty() {
        return spans;
    }
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        // Known-secret windows are byte-based: widen to char boundaries.
        let s = floor_boundary(text, s);
        let e = ceil_boundary(text, e);
        match merged.last_mut() {
            Some((_, last)) if s <= *last => *last = (*last).max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i.min(text.len())
}

/// How much output the writer gathers before cleaning it.
const CHUNK: usize = 64 * 1024;

/// A writer that cleans what passes through it, in whole lines (a secret never spans a line in
/// anything the tool writes: JSON escapes newlines, text and patches are line-based).
pub struct Writer<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> Writer<W> {
    pub fn new(inner: W) -> Writer<W> {
        Writer {
            inner,
            pending: Vec::new(),
        }
    }

    fn emit(&mut self, line: &[u8]) -> std::io::Result<()> {
        match std::str::from_utf8(line) {
            Ok(text) => self.inner.write_all(clean(text).as_bytes()),
            // Not text the tool produced; shown lossily rather than risk a raw key.
            Err(_) => self
                .inner
                .write_all(clean(&String::from_utf8_lossy(line)).as_bytes()),
        }
    }
}

impl<W: Write> Write for Writer<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        // Whole lines are cleaned in chunks (one regex pass over many short lines is much cheaper than
        // one per line); no rule matches across a newline, so the result is the same as line by line.
        if self.pending.len() >= CHUNK
            && let Some(last) = self.pending.iter().rposition(|&b| b == b'\n')
        {
            let rest = self.pending.split_off(last + 1);
            let done = std::mem::replace(&mut self.pending, rest);
            self.emit(&done)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            self.emit(&rest)?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for Writer<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// Writes `bytes` to the file at `path`, cleaned like every other output.
pub fn write_file(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut w = Writer::new(std::fs::File::create(path)?);
    w.write_all(bytes)?;
    w.flush()
}

/// A command-line value that is, or carries, a credential: a JWT, a PIT, a UUID, `Bearer …`, or a long
/// opaque token. Such arguments are remembered so that no output of the run echoes them.
pub fn looks_like_credential_argument(arg: &str) -> bool {
    let t = arg.trim();
    let t = t
        .strip_prefix("Bearer ")
        .or_else(|| t.strip_prefix("bearer "))
        .unwrap_or(t);
    let opaque_token = t.len() >= 20
        && t.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"-_~+=".contains(&c))
        && shapes::is_opaque(t);
    crate::credential::looks_like_token(t) || opaque_token
}

/// Prints one message on standard error, cleaned.
pub fn eprint_line(message: &str) {
    eprintln!("{}", clean(message));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_the_middle() {
        let jwt = &crate::credential::synthetic_jwt(r#"{"location_id":"LOC"}"#);
        let r = redact(jwt);
        assert!(r.starts_with("eyJh…"), "{r}");
        assert!(!r.contains("bGci"));
        assert!(r.ends_with(&format!("[{} chars]", jwt.len())));
        assert_eq!(
            redact("pit-0a1b2c3d-0000-4000-8000-00000000abcd"),
            "pit-0a…abcd [40 chars]"
        );
        assert_eq!(redact("short"), "[5 chars]");
    }

    #[test]
    fn fingerprint_is_stable_and_short() {
        assert_eq!(fingerprint("abc"), "sha256:ba7816bf8f01");
        assert_eq!(fingerprint("abc").len(), 19);
    }

    #[test]
    fn scrub_replaces_all_occurrences() {
        let s = "token=pit-0a1b2c3d-0000-4000-8000-00000000abcd and again pit-0a1b2c3d-0000-4000-8000-00000000abcd";
        let out = scrub(s, &["pit-0a1b2c3d-0000-4000-8000-00000000abcd"]);
        assert!(!out.contains("0a1b2c3d-0000"));
        assert_eq!(out.matches("pit-0a…abcd").count(), 2);
    }

    #[test]
    fn clean_hides_shapes_and_known_values_and_is_idempotent() {
        remember("Kx93bQ7mZp2Wv8Ln4Rt6Yc1s"); // synthetic
        let text =
            "GHL_AGENCY_KEY=8c0e6a4e-5d2b-4f1a-9e3c-7b6a5d4c3b2a and echo KX93BQ7MZP2WV8LN4 end";
        let once = clean(text).into_owned();
        assert!(!once.contains("5d2b-4f1a"), "{once}");
        assert!(!once.to_ascii_lowercase().contains("bq7mzp2w"), "{once}");
        assert_eq!(clean(&once), once);
        assert!(holds_secret(text));
        assert!(!holds_secret(
            "GET https://rest.gohighlevel.com/v1/contacts/"
        ));
    }

    #[test]
    fn writer_cleans_lines_split_across_writes() {
        let pit = "pit-3f2a9c1e-7b4d-4e8a-9c2f-5d1e8b7a6c40";
        let mut buf = Vec::new();
        {
            let mut w = Writer::new(&mut buf);
            w.write_all(format!("a {}", &pit[..20]).as_bytes()).unwrap();
            w.write_all(format!("{} b\nnext", &pit[20..]).as_bytes())
                .unwrap();
        }
        let out = String::from_utf8(buf).unwrap();
        assert!(!out.contains("7b4d-4e8a"), "{out}");
        assert!(out.ends_with("b\nnext"), "{out}");
    }
}
