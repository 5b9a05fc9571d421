//! Recognising HighLevel hosts in text and splitting a V1 URL into base and endpoint path.
use regex::Regex;
use std::sync::OnceLock;

/// What a HighLevel host means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostKind {
    /// `rest.gohighlevel.com` (any path) or the white-label `rest.leadconnectorhq.com`.
    V1,
    /// `services.leadconnectorhq.com` (V2, even with a bogus `/v1` path).
    V2,
    /// V1/V2 documentation hosts: a mention, never a call.
    Docs,
    /// A HighLevel-looking API host that does not exist (`api.gohighlevel.com`).
    Suspicious,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlHit {
    /// Byte range of the URL in the searched text.
    pub start: usize,
    pub end: usize,
    pub host: String,
    pub kind: HostKind,
    /// Everything after the host (path, query), as written.
    pub rest: String,
}

fn url_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"(?i)(?:\bhttps?:)?(?://)?\b((?:[a-z0-9-]+\.)*(?:gohighlevel|leadconnectorhq)\.com|highlevel\.stoplight\.io)(?::\d+)?(/[^\s"'<>)\]`,\\|^]*)?"#,
        )
        .unwrap()
    })
}

/// Finds HighLevel URLs in `text`. Hosts that are not API hosts (app UI, widgets, marketplace pages other
/// than docs) are skipped.
pub fn find_urls(text: &str) -> Vec<UrlHit> {
    let mut out = Vec::new();
    for cap in url_re().captures_iter(text) {
        let m = cap.get(0).unwrap();
        let host = cap[1].to_ascii_lowercase();
        let rest = cap.get(2).map_or("", |r| r.as_str()).to_string();
        let kind = match host.as_str() {
            "rest.gohighlevel.com" | "rest.leadconnectorhq.com" => HostKind::V1,
            "services.leadconnectorhq.com" => {
                if rest.starts_with("/hooks/") {
                    continue; // workflow inbound webhooks: not API calls
                }
                HostKind::V2
            }
            "public-api.gohighlevel.com" | "highlevel.stoplight.io" => HostKind::Docs,
            "marketplace.gohighlevel.com" | "marketplace.leadconnectorhq.com"
                if rest.starts_with("/docs") =>
            {
                HostKind::Docs
            }
            "api.gohighlevel.com" | "api.leadconnectorhq.com"
                if rest.to_ascii_lowercase().starts_with("/v1") =>
            {
                HostKind::Suspicious
            }
            _ => continue,
        };
        // A URL glued to a preceding word character (e.g. `xrest.gohighlevel.com`) is not this host.
        if m.start() > 0 && !cap.get(0).unwrap().as_str().starts_with(['h', 'H', '/']) {
            let prev = text[..m.start()].chars().next_back().unwrap();
            if prev.is_alphanumeric() || prev == '.' || prev == '-' {
                continue;
            }
        }
        let end = m.end();
        out.push(UrlHit {
            start: m.start(),
            end,
            host,
            kind,
            rest,
        });
    }
    out
}

/// True when `rest` (the part after a V1 host) holds no endpoint: empty, `/`, `/v1`, `/v1/`.
pub fn is_bare_base(rest: &str) -> bool {
    let p = rest.split(['?', '#']).next().unwrap_or("");
    matches!(
        p.trim_end_matches('/').to_ascii_lowercase().as_str(),
        "" | "/v1"
    )
}

/// True when the base already includes the `/v1` prefix.
pub fn base_has_v1(rest: &str) -> bool {
    let p = rest
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .trim_end_matches('/')
        .to_ascii_lowercase();
    p == "/v1" || p.starts_with("/v1/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(t: &str) -> Vec<(String, HostKind, String)> {
        find_urls(t)
            .into_iter()
            .map(|h| (h.host, h.kind, h.rest))
            .collect()
    }

    #[test]
    fn hosts() {
        assert_eq!(
            kinds("https://rest.gohighlevel.com/v1/contacts/{}"),
            vec![(
                "rest.gohighlevel.com".into(),
                HostKind::V1,
                "/v1/contacts/{}".into()
            )]
        );
        assert_eq!(
            kinds("http://rest.gohighlevel.com/v1/x?y=1")[0].1,
            HostKind::V1
        );
        assert_eq!(kinds("rest.gohighlevel.com")[0].2, "");
        assert_eq!(
            kinds("https://rest.leadconnectorhq.com/")[0].1,
            HostKind::V1
        );
        assert_eq!(
            kinds("https://services.leadconnectorhq.com/contacts/")[0].1,
            HostKind::V2
        );
        assert!(
            kinds("https://services.leadconnectorhq.com/hooks/abc/webhook-trigger/x").is_empty()
        );
        assert_eq!(
            kinds("see https://public-api.gohighlevel.com/#0097b747")[0].1,
            HostKind::Docs
        );
        assert_eq!(
            kinds("https://api.gohighlevel.com/v1/contacts")[0].1,
            HostKind::Suspicious
        );
        assert!(kinds("https://app.gohighlevel.com/location/x").is_empty());
        assert!(kinds("https://example.com/wp-json/leadconnector_api/v1/proxy").is_empty());
        assert!(kinds("notrest.gohighlevel.com.evil").len() <= 1);
        assert_eq!(
            kinds("(https://rest.gohighlevel.com/v1/tags/)")[0].2,
            "/v1/tags/"
        );
        assert_eq!(
            kinds("\"https://rest.gohighlevel.com/v1/tags\",")[0].2,
            "/v1/tags"
        );
    }

    #[test]
    fn bases() {
        assert!(is_bare_base(""));
        assert!(is_bare_base("/v1/"));
        assert!(!is_bare_base("/v1/contacts"));
        assert!(base_has_v1("/v1"));
        assert!(!base_has_v1(""));
    }
}
