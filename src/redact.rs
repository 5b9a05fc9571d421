//! Secrets never leave the process in full: every key or token shown anywhere goes through here.
use sha2::{Digest, Sha256};

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

/// Replaces every occurrence of each secret in `text` by its redacted form. Used on anything that might
/// echo a secret back (server messages, snippets of source lines, errors).
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    let mut sorted: Vec<&str> = secrets.iter().copied().filter(|s| s.len() >= 8).collect();
    sorted.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for s in sorted {
        if out.contains(s) {
            out = out.replace(s, &redact(s));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_the_middle() {
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJsb2NhdGlvbl9pZCI6IkxPQyJ9.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl";
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
}
