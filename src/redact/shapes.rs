//! What a secret looks like, independent of where it was found: the spans of `text` that must never be
//! shown. Used on every output line (see [`super::clean`]), so each rule is one linear regex pass.
use base64::Engine;
use regex::Regex;
use std::sync::OnceLock;

/// Characters a token can be made of: base64url, standard base64 and padding, `.` and `~`.
const TOKEN: &str = r"A-Za-z0-9_.~+/=-";

fn re(cell: &'static OnceLock<Regex>, pattern: impl FnOnce() -> String) -> &'static Regex {
    cell.get_or_init(|| Regex::new(&pattern()).expect("redaction pattern"))
}

/// A JWT, whole or cut short (a truncated line, a split string, standard base64 instead of base64url).
fn jwt() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(&RE, || {
        r"eyJ[A-Za-z0-9_+/=-]{16,}(?:\.[A-Za-z0-9_+/=-]*){0,2}".into()
    })
}

/// A JWT that was base64-encoded again (`eyJ` encodes as `ZXlK`).
fn jwt_in_base64() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(&RE, || r"ZXlK[A-Za-z0-9+/_-]{20,}={0,2}".into())
}

/// `pit-` + a UUID, wherever it stands (`Bearer%20pit-…`, inside a word, upper-cased).
fn pit() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(&RE, || {
        r"(?i)pit-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}".into()
    })
}

/// The value after `Bearer`, `token` or `Basic` (space, `%20` or `+` between).
fn scheme_value() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(&RE, || {
        format!(r"(?i)\b(bearer|token|basic)(?:[ \t]+|%20|\+)([A-Za-z0-9][{TOKEN}]{{7,}})")
    })
}

/// `name = value`, `name: value`, `"name": "value"`, `name => value`, `NAME=value` (env files).
fn assignment() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(&RE, || {
        format!(
            r#"(?i)([A-Za-z_][A-Za-z0-9_.-]*)['"]?[ \t]*(?:=>|:=|:|=)[ \t]*['"`]?(?:bearer(?:[ \t]+|%20|\+))?([A-Za-z0-9][{TOKEN}]{{11,}})"#
        )
    })
}

/// Setting and variable names that hold credentials (`GHL_AGENCY_KEY`, `apiKey`, `LEADCONNECTOR_TOKEN`,
/// `client_secret`, `Authorization`).
pub fn is_credential_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    const WORDS: &[&str] = &[
        "token",
        "secret",
        "passw",
        "pwd",
        "auth",
        "bearer",
        "credential",
        "apikey",
        "api_key",
        "api-key",
    ];
    if WORDS.iter().any(|w| n.contains(w)) {
        return true;
    }
    // `key` as a word of the name: `GHL_KEY`, `locationKey`, `key`, not `monkey` or `keyboard`.
    let words = split_words(name);
    words.iter().any(|w| w == "key")
}

/// `GO_HIGH_LEVEL_KEY` → go high level key; `apiKey` → api key.
fn split_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// An opaque value that could be a key: mixes letters and digits, is not a placeholder, not a version,
/// date or dotted code path.
pub fn is_opaque(value: &str) -> bool {
    let v = value.trim_end_matches(['.', '=']);
    v.len() >= 12
        && v.bytes().any(|c| c.is_ascii_digit())
        && v.bytes().any(|c| c.is_ascii_alphabetic())
        && !crate::credential::is_placeholder(v)
        && !looks_like_code_or_date(v)
}

fn looks_like_code_or_date(v: &str) -> bool {
    // `v1_location_key`, `contacts-readonly2`: words, each letters then at most a short number.
    let wordy = v.split(['_', '-', '.']).all(|p| {
        let digits = p.bytes().rev().take_while(u8::is_ascii_digit).count();
        digits <= 4
            && p.bytes()
                .take(p.len() - digits)
                .all(|c| c.is_ascii_alphabetic())
    });
    if wordy {
        return true;
    }
    // `2021-07-28`, `v1.2.3-rc4`: digits and separators with few letters.
    let letters = v.bytes().filter(u8::is_ascii_alphabetic).count();
    if letters <= 2
        && v.bytes()
            .all(|c| c.is_ascii_digit() || b"-.:_v".contains(&c))
    {
        return true;
    }
    // `config.api.key2`, `self.token_1`: a dotted path of lower-case identifiers.
    v.contains('.')
        && v.split('.').all(|p| {
            !p.is_empty()
                && p.bytes().next().is_some_and(|c| c.is_ascii_alphabetic())
                && p.bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
        })
}

/// Decodes a `Basic` credential: base64 of `user:password` (or of a key alone).
fn is_basic_credential(value: &str) -> bool {
    let v = value.trim_end_matches('=');
    let decoded = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(v)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(v));
    decoded.is_ok_and(|d| d.contains(&b':') || d.len() >= 12) || is_opaque(value)
}

/// Byte spans of `text` that hold a secret by their shape or by how they are used.
pub fn spans(text: &str, out: &mut Vec<(usize, usize)>) {
    for r in [jwt(), jwt_in_base64(), pit()] {
        out.extend(r.find_iter(text).map(|m| (m.start(), m.end())));
    }
    if text.len() < 12 {
        return;
    }
    for c in scheme_value().captures_iter(text) {
        let v = c.get(2).expect("group");
        let basic = c[1].eq_ignore_ascii_case("basic");
        if (basic && is_basic_credential(v.as_str())) || (!basic && is_opaque(v.as_str())) {
            out.push((v.start(), v.end()));
        }
    }
    for c in assignment().captures_iter(text) {
        let v = c.get(2).expect("group");
        if is_credential_name(&c[1]) && is_opaque(v.as_str()) {
            out.push((v.start(), v.end()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str) -> Vec<&str> {
        let mut s = Vec::new();
        spans(text, &mut s);
        s.sort_unstable();
        s.dedup();
        s.iter().map(|&(a, b)| &text[a..b]).collect()
    }

    #[test]
    fn credential_names_are_told_by_their_words() {
        for n in [
            "LEADCONNECTOR_TOKEN",
            "GO_HIGH_LEVEL_KEY",
            "GHL_AGENCY_KEY",
            "HIGHLEVEL_V1_KEY",
            "ACME_GHL_API_KEY",
            "apiKey",
            "locationKey",
            "client_secret",
            "Authorization",
        ] {
            assert!(is_credential_name(n), "{n}");
        }
        for n in ["monkey", "keyboard", "locationId", "baseUrl", "Version"] {
            assert!(!is_credential_name(n), "{n}");
        }
    }

    #[test]
    fn values_under_credential_names_are_secret_whatever_their_shape() {
        assert_eq!(
            shown("GO_HIGH_LEVEL_KEY=8c0e6a4e-5d2b-4f1a-9e3c-7b6a5d4c3b2a # synthetic"),
            ["8c0e6a4e-5d2b-4f1a-9e3c-7b6a5d4c3b2a"]
        );
        assert_eq!(
            shown(r#"{"LEADCONNECTOR_TOKEN": "Zk3qP9x2Lm7vR4tY8wB1"}"#),
            ["Zk3qP9x2Lm7vR4tY8wB1"]
        );
        // Not secrets: references, placeholders, versions, URLs, ids under other names.
        for quiet in [
            "apiKey: process.env.GHL_API_KEY",
            "token: config.api.token2",
            "GHL_API_KEY=your_api_key_here",
            "Version: 2021-07-28",
            "tokenUrl: https://services.leadconnectorhq.com/oauth/token",
            "locationId: 'Ab12Cd34Ef56Gh78Ij90'",
            "credentials: v1_location_key 1",
            "token_kind = oauth2_access_token",
        ] {
            assert!(shown(quiet).is_empty(), "{quiet}: {:?}", shown(quiet));
        }
    }

    #[test]
    fn encoded_and_scheme_forms_are_secret() {
        assert_eq!(
            shown("Authorization=Bearer%20pit-3f2a9c1e-7b4d-4e8a-9c2f-5d1e8b7a6c40"),
            ["pit-3f2a9c1e-7b4d-4e8a-9c2f-5d1e8b7a6c40"]
        );
        // `user:key` in base64.
        assert_eq!(
            shown("-H 'Authorization: Basic dXNlcjo4YzBlNmE0ZS01ZDJi'"),
            ["dXNlcjo4YzBlNmE0ZS01ZDJi"]
        );
        assert!(shown("Basic authentication is required").is_empty());
        assert!(shown("Bearer authentication is required").is_empty());
        // A JWT in the standard base64 alphabet, and one base64-encoded again.
        assert_eq!(
            shown("k = eyJhbGciOiJIUzI1+/iIsInR5cCI6.eyJsb2Nh+/=.c2ln").len(),
            1
        );
        assert_eq!(shown("x ZXlKaGJHY2lPaUpJVXpJMU5pSXNJblI1").len(), 1);
    }
}
