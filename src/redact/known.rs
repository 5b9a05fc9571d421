//! Secrets this run has seen (keys found by the scan, tokens given to verify, credential-looking
//! arguments): every output is checked against them, in any case, whole or in pieces, and in the
//! encodings a value takes on its way into a request (URL-encoding, base64).
use base64::Engine;
use std::collections::HashSet;
use std::sync::{OnceLock, RwLock};

/// A run of this many characters of a known secret is enough to hide: a truncated, split or upper-cased
/// echo of a 36-character key still shows three such runs.
pub const FRAGMENT: usize = 10;

/// Shorter values are not remembered: too many innocent strings would match.
pub const MIN_SECRET: usize = 12;

#[derive(Default)]
struct Known {
    /// Lower-cased windows of `FRAGMENT` bytes of every remembered form.
    windows: HashSet<[u8; FRAGMENT]>,
    /// First bytes of the windows, to skip most positions with one lookup.
    first: [u64; 4],
    remembered: HashSet<String>,
}

fn known() -> &'static RwLock<Known> {
    static KNOWN: OnceLock<RwLock<Known>> = OnceLock::new();
    KNOWN.get_or_init(|| RwLock::new(Known::default()))
}

/// Remembers a secret for the rest of the run, with its encoded forms.
pub fn remember(secret: &str) {
    let s = secret.trim();
    if s.len() < MIN_SECRET || s.len() > 64 * 1024 {
        return;
    }
    let mut k = known().write().unwrap_or_else(|e| e.into_inner());
    if !k.remembered.insert(s.to_string()) {
        return;
    }
    let b64 = base64::engine::general_purpose::STANDARD.encode(s.as_bytes());
    let bearer_b64 = base64::engine::general_purpose::STANDARD.encode(format!("Bearer {s}"));
    for form in [s.to_string(), percent_encode(s), b64, bearer_b64] {
        let bytes = form.to_ascii_lowercase().into_bytes();
        for w in bytes.windows(FRAGMENT) {
            let w: [u8; FRAGMENT] = w.try_into().expect("window");
            k.first[(w[0] >> 6) as usize] |= 1 << (w[0] & 63);
            k.windows.insert(w);
        }
    }
}

/// Whether any secret has been remembered (most runs of `scan` on V2-only code: none).
pub fn any() -> bool {
    !known()
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .windows
        .is_empty()
}

/// Byte spans of `text` made of runs of known secrets (case-insensitive, at least `FRAGMENT` long).
pub fn spans(text: &str, out: &mut Vec<(usize, usize)>) {
    let bytes = text.as_bytes();
    if bytes.len() < FRAGMENT {
        return;
    }
    let k = known().read().unwrap_or_else(|e| e.into_inner());
    if k.windows.is_empty() {
        return;
    }
    let mut window = [0u8; FRAGMENT];
    let mut open: Option<(usize, usize)> = None;
    for i in 0..=bytes.len() - FRAGMENT {
        let b = bytes[i].to_ascii_lowercase();
        if k.first[(b >> 6) as usize] & (1 << (b & 63)) == 0 {
            continue;
        }
        for (d, s) in window.iter_mut().zip(&bytes[i..i + FRAGMENT]) {
            *d = s.to_ascii_lowercase();
        }
        if !k.windows.contains(&window) {
            continue;
        }
        let end = i + FRAGMENT;
        open = match open {
            Some((s, e)) if i <= e => Some((s, e.max(end))),
            Some(done) => {
                out.push(done);
                Some((i, end))
            }
            None => Some((i, end)),
        };
    }
    out.extend(open);
}

/// `%`-encodes everything but RFC 3986 unreserved characters (how a key travels in a query string).
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str) -> Vec<&str> {
        let mut s = Vec::new();
        spans(text, &mut s);
        s.iter().map(|&(a, b)| &text[a..b]).collect()
    }

    #[test]
    fn remembered_secrets_are_found_cut_split_and_upper_cased() {
        let secret = "Zq81mT4vXw2Rk9pL0sNf6Hy3"; // synthetic
        remember(secret);
        assert_eq!(shown(&format!("x {secret} y")), [secret]);
        assert_eq!(
            shown("token ZQ81MT4VXW2RK9PL0 was bad"),
            ["ZQ81MT4VXW2RK9PL0"]
        );
        assert_eq!(
            shown("a Zq81mT4vXw2R | k9pL0sNf6Hy3"),
            ["Zq81mT4vXw2R", "k9pL0sNf6Hy3"]
        );
        // Too short a piece to tell from chance.
        assert!(shown("Zq81mT4vX").is_empty());
    }

    #[test]
    fn remembered_secrets_are_found_encoded() {
        let secret = "Bx7+Lw9/Qm4=Tn2Vk8Pz"; // synthetic
        remember(secret);
        assert!(!shown("key=Bx7%2BLw9%2FQm4%3DTn2Vk8Pz").is_empty());
        let b64 = base64::engine::general_purpose::STANDARD.encode(secret);
        assert!(!shown(&format!("Authorization: Basic {b64}")).is_empty());
    }
}
