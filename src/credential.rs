//! Recognising HighLevel credentials in text and telling their kinds apart.
//!
//! A V1 key and a V2 OAuth token share the same JWT header; only the decoded payload tells them apart
//! (V1: `location_id` / `company_id` + `version`, no `exp`; V2 OAuth: `authClass`, `oauthMeta`, `exp`).
//! A Private Integration Token is `pit-` + a UUID and opaque. The oldest V1 keys are bare UUIDs, which
//! only count as keys when used as a bearer near V1 usage (the caller decides that).
//! Nothing here keeps or returns the raw secret: a [`Credential`] holds only its redacted form,
//! fingerprint and non-secret claims.
use crate::redact::{fingerprint, redact};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use serde::Serialize;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    V1LocationKey,
    V1AgencyKey,
    /// An old UUID-format (or other short) V1 key, recognised by use, not shape.
    V1ShortKey,
    /// A JWT sent or stored as a V1 key whose payload does not decode (truncated, corrupted, re-encoded).
    V1UnreadableKey,
    V2Pit,
    V2OauthToken,
    /// A secret used with HighLevel whose kind cannot be told.
    UnknownSecret,
}

impl CredentialKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::V1LocationKey => "v1_location_key",
            CredentialKind::V1AgencyKey => "v1_agency_key",
            CredentialKind::V1ShortKey => "v1_short_key",
            CredentialKind::V1UnreadableKey => "v1_unreadable_key",
            CredentialKind::V2Pit => "v2_pit",
            CredentialKind::V2OauthToken => "v2_oauth_token",
            CredentialKind::UnknownSecret => "unknown_secret",
        }
    }

    pub fn is_v1(self) -> bool {
        matches!(
            self,
            CredentialKind::V1LocationKey
                | CredentialKind::V1AgencyKey
                | CredentialKind::V1ShortKey
                | CredentialKind::V1UnreadableKey
        )
    }

    /// A human description for reports.
    pub fn describe(self) -> &'static str {
        match self {
            CredentialKind::V1LocationKey => "V1 location API key (JWT)",
            CredentialKind::V1AgencyKey => "V1 agency API key (JWT)",
            CredentialKind::V1ShortKey => "V1 API key (old short/UUID format)",
            CredentialKind::V1UnreadableKey => "V1 API key (a JWT whose payload does not decode)",
            CredentialKind::V2Pit => "V2 Private Integration Token",
            CredentialKind::V2OauthToken => "V2 OAuth access token",
            CredentialKind::UnknownSecret => "secret of unknown kind",
        }
    }
}

/// Non-secret claims decoded from a JWT.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct Claims {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_id: Option<String>,
    /// Issued-at as an ISO date (`YYYY-MM-DD`), from seconds or milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued: Option<String>,
    /// Issued-at, Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Expiry, Unix seconds (V2 tokens only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// `Location` or `Company` for V2 OAuth tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_class: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// OAuth client (app) id for V2 tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
}

/// A recognised credential, safe to show: never the raw value.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Credential {
    pub kind: CredentialKind,
    pub fingerprint: String,
    pub redacted: String,
    pub length: usize,
    #[serde(flatten)]
    pub claims: Claims,
    /// The value is a bare UUID (the oldest V1 key format): known V1 when the tree uses V1.
    #[serde(skip)]
    pub uuid_shaped: bool,
}

impl Credential {
    fn new(kind: CredentialKind, secret: &str, claims: Claims) -> Credential {
        Credential {
            kind,
            fingerprint: fingerprint(secret),
            redacted: redact(secret),
            length: secret.chars().count(),
            claims,
            uuid_shaped: is_uuid(secret.trim()),
        }
    }

    /// Age in whole days at `now` (Unix seconds), from `iat`.
    pub fn age_days(&self, now: i64) -> Option<i64> {
        self.claims.iat.map(|iat| (now - iat).max(0) / 86_400)
    }
}

/// Classifies a token-shaped string by its own shape: JWT (decoded) or PIT. Bare UUIDs and other opaque
/// strings return `None` here; see [`classify_by_use`].
pub fn classify(token: &str) -> Option<Credential> {
    let t = token.trim();
    if is_pit(t) {
        if is_placeholder(t) {
            return None;
        }
        return Some(Credential::new(CredentialKind::V2Pit, t, Claims::default()));
    }
    let (header, payload) = decode_jwt(t)?;
    header.get("alg")?;
    let mut c = Claims::default();
    let s = |k: &str| payload.get(k).and_then(|v| v.as_str()).map(str::to_string);
    if payload.get("authClass").is_some() || payload.get("oauthMeta").is_some() {
        c.auth_class = s("authClass");
        let id = s("authClassId");
        match c.auth_class.as_deref() {
            Some("Company") => c.company_id = id,
            _ => c.location_id = id,
        }
        if let Some(meta) = payload.get("oauthMeta") {
            c.scopes = meta
                .get("scopes")
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            c.client = meta
                .get("client")
                .and_then(|v| v.as_str())
                .map(str::to_string);
        }
        set_times(&mut c, &payload);
        return Some(Credential::new(CredentialKind::V2OauthToken, t, c));
    }
    let loc = s("location_id");
    let co = s("company_id");
    if loc.is_some() || co.is_some() {
        c.location_id = loc;
        c.company_id = co;
        set_times(&mut c, &payload);
        let kind = if c.location_id.is_some() {
            CredentialKind::V1LocationKey
        } else {
            CredentialKind::V1AgencyKey
        };
        return Some(Credential::new(kind, t, c));
    }
    None
}

/// Classifies a value that code *uses* as a HighLevel credential (a bearer sent to a HighLevel URL, the
/// value of a `GHL_API_KEY` setting): falls back to a V1 short key (UUID or ~50-char opaque key) when the
/// usage is V1, or an unknown secret.
pub fn classify_by_use(token: &str, v1_usage: bool) -> Option<Credential> {
    if let Some(c) = classify(token) {
        return Some(c);
    }
    let t = token.trim();
    if is_placeholder(t) || !looks_secret(t) {
        return None;
    }
    // Another vendor's key (OpenAI, Anthropic, GitHub, Slack, AWS, Stripe) is a secret, never a HighLevel key.
    const VENDOR: &[&str] = &[
        "sk-",
        "sk_",
        "pk_",
        "rk_",
        "ghp_",
        "gho_",
        "ghs_",
        "github_pat_",
        "xox",
        "AKIA",
        "ASIA",
        "AIza",
        "glpat-",
        "npm_",
        "SG.",
    ];
    if VENDOR.iter().any(|p| t.starts_with(p)) {
        return Some(Credential::new(
            CredentialKind::UnknownSecret,
            t,
            Claims::default(),
        ));
    }
    if t.starts_with("eyJ") && decode_jwt(t).is_none() && t.split('.').count() == 3 {
        let kind = if v1_usage {
            CredentialKind::V1UnreadableKey
        } else {
            CredentialKind::UnknownSecret
        };
        return Some(Credential::new(kind, t, Claims::default()));
    }
    if decode_jwt(t).is_some() {
        // Some other JWT (not a HighLevel key) sent to HighLevel: still a secret.
        return Some(Credential::new(
            CredentialKind::UnknownSecret,
            t,
            Claims::default(),
        ));
    }
    let kind = if v1_usage {
        CredentialKind::V1ShortKey
    } else {
        CredentialKind::UnknownSecret
    };
    Some(Credential::new(kind, t, Claims::default()))
}

fn set_times(c: &mut Claims, payload: &serde_json::Value) {
    let num = |k: &str| payload.get(k).and_then(|v| v.as_f64());
    if let Some(iat) = num("iat") {
        // V1 keys carry milliseconds (13 digits); V2 tokens seconds (sometimes as floats).
        let secs = if iat > 1e11 { iat / 1000.0 } else { iat } as i64;
        c.iat = Some(secs);
        c.issued = date(secs);
    }
    if let Some(exp) = num("exp") {
        c.exp = Some(if exp > 1e11 { exp / 1000.0 } else { exp } as i64);
    }
}

fn date(secs: i64) -> Option<String> {
    let t = time::OffsetDateTime::from_unix_timestamp(secs).ok()?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        t.year(),
        u8::from(t.month()),
        t.day()
    ))
}

/// `pit-` + UUID (8-4-4-4-12 hex).
pub fn is_pit(s: &str) -> bool {
    s.len() == 40 && s.starts_with("pit-") && is_uuid(&s[4..])
}

/// A 36-character UUID.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// Decodes a JWT's header and payload (no signature check: this is for classification only).
pub fn decode_jwt(s: &str) -> Option<(serde_json::Value, serde_json::Value)> {
    if !s.starts_with("eyJ") || s.len() > 8192 {
        return None;
    }
    let mut parts = s.split('.');
    let (h, p, sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || sig.is_empty() || !is_b64url(h) || !is_b64url(p) || !is_b64url(sig)
    {
        return None;
    }
    let dec = |x: &str| {
        let x = x.trim_end_matches('=');
        URL_SAFE_NO_PAD
            .decode(x)
            .or_else(|_| STANDARD_NO_PAD.decode(x))
            .ok()
    };
    let header: serde_json::Value = serde_json::from_slice(&dec(h)?).ok()?;
    let payload: serde_json::Value = serde_json::from_slice(&dec(p)?).ok()?;
    (header.is_object() && payload.is_object()).then_some((header, payload))
}

fn is_b64url(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'=' | b'+' | b'/'))
}

/// Values that stand for a secret without being one: `your_api_key_here`, `<token>`,
/// `{{ custom_values.api_key }}`, `${GHL_API_KEY}`, `xxxx…`, all-zero UUIDs, empty strings.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim().trim_matches(|c| matches!(c, '"' | '\''));
    if v.len() < 8 {
        return true;
    }
    if v.contains("{{")
        || v.contains("${")
        || v.contains('<')
        || v.contains('>')
        || v.contains("...")
        || v.contains('…')
    {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    const WORDS: &[&str] = &[
        "your",
        "api_key",
        "apikey",
        "api-key",
        "token_here",
        "key_here",
        "here",
        "example",
        "placeholder",
        "changeme",
        "change_me",
        "xxxx",
        "replace",
        "insert",
        "redacted",
        "secret",
        "dummy",
        "test-key",
        "test_key",
        "testkey",
        "fake",
        "sample",
        "process.env",
        "getenv",
        "environ",
    ];
    if WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    // Low entropy: very few distinct characters (e.g. pit-00000000-0000-4000-8000-000000000000).
    let body = lower.strip_prefix("pit-").unwrap_or(&lower);
    let mut distinct: Vec<char> = body.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    distinct.len() < 6
}

/// Opaque strings that could be keys: long enough, mostly alphanumeric, mixing letters and digits.
fn looks_secret(s: &str) -> bool {
    (20..=512).contains(&s.len())
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'='))
        && s.bytes().any(|c| c.is_ascii_digit())
        && s.bytes().any(|c| c.is_ascii_alphabetic())
}

/// A value that is (or looks like) a credential by its shape alone: a JWT, a PIT, a UUID.
pub fn looks_like_token(s: &str) -> bool {
    let t = s.trim();
    classify(t).is_some()
        || t.starts_with("pit-")
        || (t.starts_with("eyJ") && t.len() > 20)
        || is_uuid(t)
}

/// Test and fixture helper: builds an unsigned-looking JWT from a JSON payload (made-up signature).
/// Never use with real claims.
pub fn synthetic_jwt(payload: &str) -> String {
    let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let p = URL_SAFE_NO_PAD.encode(payload.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(Sha256Like::bytes(payload));
    format!("{h}.{p}.{sig}")
}

struct Sha256Like;
impl Sha256Like {
    fn bytes(seed: &str) -> Vec<u8> {
        use sha2::{Digest, Sha256};
        let mut v = Sha256::digest(format!("synthetic-signature:{seed}").as_bytes()).to_vec();
        v.truncate(32);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_location_key() {
        let k = synthetic_jwt(
            r#"{"location_id":"LOCaaaaaaaaaaaaaaa01","company_id":"COMPbbbbbbbbbbbbbb01","version":1,"iat":1700000000000,"sub":"SUBxxxxxxxxxxxxxxx01"}"#,
        );
        let c = classify(&k).unwrap();
        assert_eq!(c.kind, CredentialKind::V1LocationKey);
        assert_eq!(
            c.claims.location_id.as_deref(),
            Some("LOCaaaaaaaaaaaaaaa01")
        );
        assert_eq!(c.claims.company_id.as_deref(), Some("COMPbbbbbbbbbbbbbb01"));
        assert_eq!(c.claims.issued.as_deref(), Some("2023-11-14"));
        assert!(!c.redacted.contains("eyJsb2"));
    }

    #[test]
    fn v1_agency_key() {
        let k = synthetic_jwt(
            r#"{"company_id":"COMPbbbbbbbbbbbbbb01","version":1,"iat":1650000000000,"sub":"S"}"#,
        );
        assert_eq!(classify(&k).unwrap().kind, CredentialKind::V1AgencyKey);
    }

    #[test]
    fn v2_oauth_token() {
        let k = synthetic_jwt(
            r#"{"authClass":"Location","authClassId":"LOCaaaaaaaaaaaaaaa01","source":"INTEGRATION","oauthMeta":{"scopes":["contacts.readonly","contacts.write"],"client":"0123456789abcdef01234567"},"iat":1700000000.123,"exp":1700086400.123}"#,
        );
        let c = classify(&k).unwrap();
        assert_eq!(c.kind, CredentialKind::V2OauthToken);
        assert_eq!(c.claims.scopes, vec!["contacts.readonly", "contacts.write"]);
        assert_eq!(c.claims.exp, Some(1700086400));
        assert_eq!(
            c.claims.location_id.as_deref(),
            Some("LOCaaaaaaaaaaaaaaa01")
        );
    }

    #[test]
    fn pit_and_placeholders() {
        assert_eq!(
            classify("pit-3f2a9c1e-7b4d-4e8a-9c2f-5d1e8b7a6c40")
                .unwrap()
                .kind,
            CredentialKind::V2Pit
        );
        assert!(classify("pit-00000000-0000-4000-8000-000000000000").is_none());
        for p in [
            "your_api_key_here",
            "<token>",
            "{{ custom_values.api_key }}",
            "${GHL_API_KEY}",
            "",
            "xxxxxxxxxxxxxxxx",
        ] {
            assert!(is_placeholder(p), "{p}");
            assert!(classify_by_use(p, true).is_none(), "{p}");
        }
    }

    #[test]
    fn short_keys_by_use() {
        let uuid = "8c0e6a4e-5d2b-4f1a-9e3c-7b6a5d4c3b2a";
        assert!(classify(uuid).is_none());
        assert_eq!(
            classify_by_use(uuid, true).unwrap().kind,
            CredentialKind::V1ShortKey
        );
        assert_eq!(
            classify_by_use(uuid, false).unwrap().kind,
            CredentialKind::UnknownSecret
        );
    }

    #[test]
    fn non_highlevel_jwt_is_not_a_key_by_shape() {
        let supabase =
            synthetic_jwt(r#"{"iss":"supabase","role":"anon","iat":1700000000,"exp":1900000000}"#);
        assert!(classify(&supabase).is_none());
        assert_eq!(
            classify_by_use(&supabase, true).unwrap().kind,
            CredentialKind::UnknownSecret
        );
    }

    #[test]
    fn malformed_jwts_are_ignored() {
        assert!(decode_jwt("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJsb2NhdGlvbl9pZCI6IkxPQyJ9.<43-char-HS256-signature>").is_none());
        assert!(decode_jwt("eyJ.eyJ.x").is_none());
        assert!(decode_jwt("eyJhbGciOi").is_none());
    }
}
