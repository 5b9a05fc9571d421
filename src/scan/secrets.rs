//! Finding keys and tokens in text, and redacting them from anything shown.
use crate::credential::{self, Credential};
use regex::Regex;
use std::sync::OnceLock;

/// A credential found at a byte range.
#[derive(Debug, Clone)]
pub struct SecretHit {
    pub start: usize,
    pub end: usize,
    pub credential: Credential,
    /// Recognised by how it is used (a bearer next to V1 usage), not by its own shape.
    pub by_use: bool,
    /// Where the raw value is written: one range, or the string pieces of a key built by concatenation.
    pub pieces: Vec<(usize, usize)>,
}

fn jwt_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}").unwrap()
    })
}

/// `pit-` + UUID: a Private Integration Token.
const PIT: &str =
    r"pit-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

/// For detection: a whole token (word boundaries on both sides).
fn pit_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(&format!(r"\b{PIT}\b")).unwrap())
}

fn by_use_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r#"(?i)(?:\bbearer\s+|\b(?:ghl|highlevel|gohighlevel|hl|location|agency)?[_-]?(?:api[_-]?key|apikey|access[_-]?token|token|key)['"]?\s*(?:=>|:=|:|=)\s*['"]?(?:bearer\s+)?)"#,
            r#"([A-Za-z0-9][A-Za-z0-9_-]{19,79})\b"#
        ))
        .unwrap()
    })
}

impl SecretHit {
    fn new(m: regex::Match, credential: Credential, by_use: bool) -> SecretHit {
        SecretHit {
            start: m.start(),
            end: m.end(),
            credential,
            by_use,
            pieces: vec![(m.start(), m.end())],
        }
    }

    /// The raw value's pieces as written (to scrub them wherever they are shown).
    pub fn raw<'t>(&self, text: &'t str) -> impl Iterator<Item = &'t str> {
        self.pieces.iter().filter_map(|&(s, e)| text.get(s..e))
    }
}

/// String literals joined by operators (`+`, `.`, `..`, `<>`, `&`) or juxtaposed (Python, C).
fn concatenation_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let piece = r#"(?:'[A-Za-z0-9_+/=. -]*'|"[A-Za-z0-9_+/=. -]*"|`[A-Za-z0-9_+/=. -]*`)"#;
        Regex::new(&format!(
            r"{piece}(?:[ \t\r\n]*(?:\+|\.\.?|<>|&)?[ \t\r\n]*{piece})+"
        ))
        .unwrap()
    })
}

fn piece_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r#"'([^']*)'|"([^"]*)"|`([^`]*)`"#).unwrap())
}

/// Keys written in pieces (`'Bearer ' + 'eyJ…' + '…' + '.sig'`): the joined value is classified; the hit
/// spans the whole expression and names every piece.
fn concatenated(text: &str, v1_usage: bool, out: &mut Vec<SecretHit>) {
    for m in concatenation_re().find_iter(text) {
        let mut pieces = Vec::new();
        let mut joined = String::new();
        for c in piece_re().captures_iter(m.as_str()) {
            let inner = c.get(1).or(c.get(2)).or(c.get(3)).expect("group");
            joined.push_str(inner.as_str());
            if !inner.as_str().trim().eq_ignore_ascii_case("bearer") && !inner.is_empty() {
                pieces.push((m.start() + inner.start(), m.start() + inner.end()));
            }
        }
        let value = joined.trim_start();
        let value = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .unwrap_or(value);
        if pieces.len() < 2 || value.contains(char::is_whitespace) {
            continue;
        }
        let credential = credential::classify(value).or_else(|| {
            (v1_usage || credential::decode_jwt(value).is_some())
                .then(|| credential::classify_by_use(value, v1_usage))
                .flatten()
                .filter(|_| {
                    joined.to_ascii_lowercase().contains("bearer") || value.starts_with("eyJ")
                })
        });
        if let Some(credential) = credential {
            out.push(SecretHit {
                start: m.start(),
                end: m.end(),
                credential,
                by_use: false,
                pieces,
            });
        }
    }
}

/// Names sent as a bearer: `` `Bearer ${auth}` ``, `'Bearer ' + token`, `f"Bearer {key}"`,
/// `"Bearer #{@key}"`, `"Bearer $key"` (the last segment of a dotted name).
fn bearer_name_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"(?i)\bbearer[ \t]*(?:\$\{|#\{|\{|\$|['"`][ \t]*(?:\+|\.|\.\.)[ \t]*\$?)[ \t]*@?(?:[A-Za-z_][A-Za-z0-9_]*\.)*([A-Za-z_][A-Za-z0-9_]*)"#,
        )
        .unwrap()
    })
}

/// Literal values assigned to names that the same file sends as a bearer: an opaque key in a plain
/// variable (`const auth = '8c0e…'`) is a credential by use.
fn sent_as_bearer(text: &str, v1_usage: bool, out: &mut Vec<SecretHit>) {
    let mut names: Vec<&str> = bearer_name_re()
        .captures_iter(text)
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
        .collect();
    names.sort_unstable();
    names.dedup();
    if names.is_empty() || names.len() > 64 {
        return;
    }
    let alternation = names
        .iter()
        .map(|n| regex::escape(n))
        .collect::<Vec<_>>()
        .join("|");
    let Ok(assign) = Regex::new(&format!(
        r#"(?:^|[^A-Za-z0-9_$])[$@]?(?:{alternation})['"]?[ \t]*(?::=|=>|=|:)[ \t]*['"`]([A-Za-z0-9][A-Za-z0-9_.~+/=-]{{11,}})['"`]"#
    )) else {
        return;
    };
    for c in assign.captures_iter(text) {
        let v = c.get(1).expect("group");
        if out
            .iter()
            .any(|h| h.start <= v.start() && v.start() < h.end)
        {
            continue;
        }
        if let Some(credential) = credential::classify_by_use(v.as_str(), v1_usage) {
            out.push(SecretHit::new(v, credential, true));
        }
    }
}

/// Every credential in `text`. Bare opaque keys (UUIDs, ~50-char keys) count only when used as a bearer or
/// assigned to a key-like name, and are classified as V1 keys only when `v1_usage` (the file talks to V1).
pub fn find(text: &str, v1_usage: bool) -> Vec<SecretHit> {
    let mut out: Vec<SecretHit> = Vec::new();
    for m in jwt_re().find_iter(text) {
        if let Some(c) = credential::classify(m.as_str()) {
            out.push(SecretHit::new(m, c, false));
        } else if preceded_by_bearer(text, m.start())
            && let Some(c) = credential::classify_by_use(m.as_str(), v1_usage)
            && v1_usage
        {
            out.push(SecretHit::new(m, c, true));
        }
    }
    for m in pit_re().find_iter(text) {
        if let Some(c) = credential::classify(m.as_str()) {
            out.push(SecretHit::new(m, c, false));
        }
    }
    concatenated(text, v1_usage, &mut out);
    sent_as_bearer(text, v1_usage, &mut out);
    // Values under key-like names or sent as a bearer: V1 keys when this file uses V1; elsewhere only UUIDs
    // (the oldest key format), kept as unknown secrets until the tree is known to use V1 (`finish`).
    for c in by_use_re().captures_iter(text) {
        let m = c.get(1).unwrap();
        if out
            .iter()
            .any(|h| h.start <= m.start() && m.start() < h.end)
            || m.as_str().starts_with("eyJ")
            || (!v1_usage && !credential::is_uuid(m.as_str()))
        {
            continue;
        }
        if let Some(cred) = credential::classify_by_use(m.as_str(), v1_usage) {
            out.push(SecretHit::new(m, cred, true));
        }
    }
    out.sort_by_key(|h| h.start);
    out
}

fn preceded_by_bearer(text: &str, start: usize) -> bool {
    let from = text[..start].len().saturating_sub(40);
    let from = crate::scan::lines::floor_char_boundary(text, from);
    text[from..start].to_ascii_lowercase().contains("bearer")
}

/// `line` with every credential-looking value replaced by its redacted form (the one redaction path).
pub fn redact_line(line: &str) -> String {
    crate::redact::clean(line).into_owned()
}

/// Scrubs a fixed set of raw secret values from many snippets. Each snippet is searched once for all
/// values (Aho-Corasick), and only the values present go to [`crate::redact::scrub`]: a file with many
/// keys and many findings stays linear instead of values × snippets.
pub struct Scrubber {
    values: Vec<String>,
    finder: Option<aho_corasick::AhoCorasick>,
}

impl Scrubber {
    pub fn new(values: &[String]) -> Scrubber {
        let mut values: Vec<String> = values.iter().filter(|v| v.len() >= 8).cloned().collect();
        values.sort();
        values.dedup();
        // Every output of the run hides them too, not only the snippets they appear in.
        for v in &values {
            crate::redact::remember(v);
        }
        // Building can only fail past the automaton's size limits; then every value is tried (slow, safe).
        let finder = aho_corasick::AhoCorasick::new(&values).ok();
        Scrubber { values, finder }
    }

    /// `text` with every known value replaced by its redacted form.
    pub fn scrub(&self, text: &str) -> String {
        if self.values.is_empty() {
            return text.to_string();
        }
        let present: Vec<&str> = match &self.finder {
            Some(ac) => {
                let mut seen = vec![false; self.values.len()];
                for m in ac.find_overlapping_iter(text) {
                    seen[m.pattern().as_usize()] = true;
                }
                self.values
                    .iter()
                    .zip(seen)
                    .filter_map(|(v, s)| s.then_some(v.as_str()))
                    .collect()
            }
            None => self.values.iter().map(String::as_str).collect(),
        };
        if present.is_empty() {
            text.to_string()
        } else {
            crate::redact::scrub(text, &present)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::{CredentialKind, synthetic_jwt};

    #[test]
    fn finds_and_classifies() {
        let v1 = synthetic_jwt(
            r#"{"location_id":"LOCaaaaaaaaaaaaaaa01","version":1,"iat":1700000000000}"#,
        );
        let text = format!(
            "const KEY = '{v1}';\nheaders: {{ Authorization: 'Bearer 8c0e6a4e-5d2b-4f1a-9e3c-7b6a5d4c3b2a' }}\npit = 'pit-3f2a9c1e-7b4d-4e8a-9c2f-5d1e8b7a6c40'\napi_key = 'your_api_key_here'"
        );
        let hits = find(&text, true);
        let kinds: Vec<_> = hits.iter().map(|h| h.credential.kind).collect();
        assert_eq!(
            kinds,
            vec![
                CredentialKind::V1LocationKey,
                CredentialKind::V1ShortKey,
                CredentialKind::V2Pit
            ]
        );
        // Without V1 usage in the file, a value known only by use is never a V1 key (a UUID stays an
        // unknown secret until the tree is known to use V1).
        assert!(
            find(&text, false)
                .iter()
                .all(|h| !h.by_use || h.credential.kind == CredentialKind::UnknownSecret)
        );
    }

    #[test]
    fn redacts_lines() {
        let v1 = synthetic_jwt(
            r#"{"location_id":"LOCaaaaaaaaaaaaaaa01","version":1,"iat":1700000000000}"#,
        );
        let line = format!(
            "curl -H 'Authorization: Bearer {v1}' -H 'x: pit-3f2a9c1e-7b4d-4e8a-9c2f-5d1e8b7a6c40'"
        );
        let r = redact_line(&line);
        assert!(!r.contains(&v1[10..]));
        assert!(!r.contains("7b4d-4e8a"));
        let r = redact_line("apiKey: '8c0e6a4e-5d2b-4f1a-9e3c-7b6a5d4c3b2a'");
        assert!(!r.contains("5d2b-4f1a"), "{r}");
    }

    #[test]
    fn scrubber_hides_only_the_values_present_including_overlapping_ones() {
        // Synthetic values; one contains another.
        let long = "8c0e6a4e-5d2b-4f1a-9e3c-7b6a5d4c3b2a".to_string();
        let inner = "5d2b-4f1a-9e3c".to_string();
        let s = Scrubber::new(&[inner.clone(), long.clone(), "short".into()]);
        let out = s.scrub(&format!("a {long} b {inner} c short"));
        assert!(!out.contains("5d2b-4f1a"), "{out}");
        assert!(out.ends_with("c short"), "{out}");
        assert_eq!(s.scrub("nothing here"), "nothing here");
    }
}
