//! HighLevel's own rules, beyond URLs: Enhanced Account Security (location responses carry no API key
//! any more, keys are not auto-generated for new locations) and the `Version` header V2 requires.
use super::finding::{Confidence, Context, Finding, Kind};
use super::lines::LineIndex;
use super::url::{self, HostKind};
use regex::Regex;
use std::sync::OnceLock;

/// The finding category for Enhanced Account Security problems.
pub const EAS: &str = "enhanced_account_security";
/// The finding category for V2 `Version` header problems.
pub const VERSION: &str = "version_header";

fn api_key_read_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // Reading a field named apiKey / api_key: `.apiKey`, `['apiKey']`, `->apiKey`, `.get("api_key")`,
    // `["apiKey"]`, `[:api_key]` (not a header or a variable being assigned).
    RE.get_or_init(|| {
        Regex::new(r#"(?:\??\.|->|\[\s*:?['"]?|\.get\(\s*['"]|\.fetch\(\s*['"]|\bdig\(\s*:?['"]?)(apiKey|api_key|apikey)\b['"]?"#).unwrap()
    })
}

/// Destructuring the key out of a response: `const { name, apiKey } = …`, `let { api_key: key } = …`.
fn api_key_destructure_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"\b(?:const|let|var)\s*\{[^{}=;]*?\b(apiKey|api_key|apikey)\b[^{}=;]*\}\s*="#)
            .unwrap()
    })
}

/// A path under `/locations` written after a base (`${API}/locations/${id}`, `BASE + '/locations'`,
/// `f"{BASE}/locations/"`): with a V2 host in the same file, a V2 Location request.
fn locations_path_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r#"['"`}]/locations\b"#).unwrap())
}

fn version_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // A date or `vN` after any spelling of a version key; any other literal only after the header name
    // itself (`"Version": "2.0"`, `'Version' => '2'`, `Add("Version", "2")`, `Version: '2'`, `-H 'Version: 2'`).
    RE.get_or_init(|| {
        Regex::new(r#"(?i)['"]?\bversion['"]?\s*(?:=>|:|=|,)\s*['"]?([0-9]{4}-[0-9]{2}-[0-9]{2}|v[0-9]+)|Version:\s*([0-9]{4}-[0-9]{2}-[0-9]{2}|v[0-9]+)|(?-i:['"]Version['"]\s*(?:=>|:|,)\s*['"]([^'"\s$`{}]{1,24})['"]|\bVersion\s*:\s*['"]([^'"\s$`{}]{1,24})['"]|-H\s*['"]Version:\s*([^'"\s$`{}]{1,24})['"])"#).unwrap()
    })
}

/// The published V2 `Version` values.
const PUBLISHED_VERSIONS: &[&str] = &["2021-07-28", "2021-04-15", "v3"];

fn version_key_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"['"]Version['"]\s*(?:=>|:|=|,)|\bVersion\s*[:=]\s*[\w'"`$]|-H\s*['"]Version:"#,
        )
        .unwrap()
    })
}

fn request_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"(?i)\b(?:fetch|axios|requests\.|httpx|curl|http\.(?:get|post|put|delete|newrequest)|guzzle|Http::|HttpClient|RestClient|HTTParty|Net::HTTP|dio\.|reqwest|wp_remote_|HttpRequestMessage|\b(?:Get|Post|Put|Patch|Delete|Send)(?:AsJson)?Async\b|Faraday|URLRequest|OkHttp)"#).unwrap()
    })
}

const LOCATION_RULES: &[&str] = &[
    "locations.create",
    "locations.get",
    "locations.list",
    "locations.lookup",
    "locations.me",
];

/// Adds platform findings for one code file, given its findings so far.
pub fn check(
    rel: &str,
    src: &str,
    li: &LineIndex,
    lang: &'static str,
    findings: &mut Vec<Finding>,
) {
    let location_calls: Vec<&str> = findings
        .iter()
        .filter_map(|f| f.rule.as_deref())
        .filter(|r| LOCATION_RULES.contains(r))
        .collect();
    let urls = url::find_urls(src);
    let v2_location = urls
        .iter()
        .any(|h| h.kind == HostKind::V2 && h.rest.starts_with("/locations"))
        || (urls.iter().any(|h| h.kind == HostKind::V2) && locations_path_re().is_match(src));
    if !location_calls.is_empty() || v2_location {
        let creates = location_calls.contains(&"locations.create");
        let mut reads: Vec<usize> = api_key_read_re()
            .captures_iter(src)
            .chain(api_key_destructure_re().captures_iter(src))
            .map(|m| m.get(1).unwrap().start())
            .collect();
        reads.sort_unstable();
        reads.dedup();
        for off in reads {
            let line = li.line(off);
            let text = li.text(line);
            if text.to_ascii_lowercase().contains("authorization") {
                continue;
            }
            let mut f = Finding::new(Kind::Mention, rel, line, li.column(off), Context::Code);
            f.category = Some(EAS);
            f.confidence = Confidence::Medium;
            f.snippet = super::secrets::redact_line(text.trim());
            f.lang = Some(lang);
            f.note = Some(if creates {
                "expects the new location's API key: keys are no longer generated for new locations and Location responses no longer carry them (Enhanced Account Security, default since June 2024) — create a PIT per location or use OAuth /oauth/locationToken".into()
            } else {
                "relies on keys in Location responses: they come back empty under Enhanced Account Security (default since June 2024) — use a PIT per location or OAuth /oauth/locationToken".into()
            });
            findings.push(f);
        }
    }
    // V2 requests need a `Version` header; without one V2 answers 401 "version header was not found".
    let v2: Vec<_> = urls
        .into_iter()
        .filter(|h| h.kind == HostKind::V2)
        .collect();
    if let Some(first) = v2.first()
        && request_re().is_match(src)
    {
        // Every version value written, with where its value starts.
        let versions: Vec<(usize, &str)> = version_re()
            .captures_iter(src)
            .filter_map(|c| c.iter().skip(1).flatten().next())
            .map(|m| (m.start(), m.as_str()))
            .collect();
        // A `Version` key set from a variable counts as present; the word in prose does not.
        let version_key = version_key_re().is_match(src);
        let problem = if versions.is_empty() && !version_key {
            Some((first.start, "V2 request(s) without a `Version` header: V2 answers 401 \"version header was not found\" — send `Version: 2021-07-28` (2021-04-15 for calendars, conversations and SaaS)".to_string()))
        } else {
            // An unpublished value is reported where it is written.
            versions
                .iter()
                .find(|(_, v)| !PUBLISHED_VERSIONS.contains(v))
                .map(|(at, v)| (*at, format!("`Version: {v}` is not a published V2 version (V2 answers 401 \"version header is invalid\"): use 2021-07-28, or 2021-04-15 for calendars, conversations and SaaS")))
        };
        if let Some((at, note)) = problem {
            let line = li.line(at);
            let mut f = Finding::new(Kind::Mention, rel, line, li.column(at), Context::Code);
            f.category = Some(VERSION);
            f.confidence = Confidence::Low;
            f.host = Some(first.host.clone());
            f.snippet = super::secrets::redact_line(li.text(line).trim());
            f.lang = Some(lang);
            f.note = Some(note);
            findings.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::RuleSet;
    use crate::scan::extract::extract;
    use crate::scan::lang::Lang;

    fn eas_lines(src: &str, lang: Lang) -> Vec<usize> {
        extract("t", src, lang, &RuleSet::embedded())
            .findings
            .into_iter()
            .filter(|f| f.category == Some(super::EAS))
            .map(|f| f.line)
            .collect()
    }

    #[test]
    fn v2_location_path_after_a_base_constant_and_destructured_keys_are_found() {
        let js = "const API = 'https://services.leadconnectorhq.com';\n\
                  async function loc(id) { const r = await fetch(`${API}/locations/${id}`, { headers: { Version: '2021-07-28' } }); return (await r.json()).location; }\n\
                  const cfg = { apiKey: (await loc(id)).apiKey };\n\
                  const { name, apiKey } = await loc(id);\n\
                  let { api_key: key } = other;\n";
        assert_eq!(eas_lines(js, Lang::JavaScript), [3, 4, 5]);
    }

    #[test]
    fn api_key_reads_without_a_location_request_are_not_flagged() {
        // V2 host, but no Location request: a Stripe/Mailgun `apiKey` is none of our business.
        let js = "const API = 'https://services.leadconnectorhq.com';\n\
                  await fetch(`${API}/contacts/${id}`, { headers: { Version: '2021-07-28' } });\n\
                  const { apiKey } = mailgunConfig;\n\
                  const k = settings.apiKey;\n";
        assert!(eas_lines(js, Lang::JavaScript).is_empty());
        // An object literal passing a key is not a destructuring read.
        let js = "const API = 'https://services.leadconnectorhq.com/locations/';\nconst opts = { apiKey };\n";
        assert!(eas_lines(js, Lang::JavaScript).is_empty());
    }

    fn version_notes(src: &str, lang: Lang) -> Vec<(usize, String)> {
        extract("t", src, lang, &RuleSet::embedded())
            .findings
            .into_iter()
            .filter(|f| f.category == Some(super::VERSION))
            .map(|f| (f.line, f.note.unwrap_or_default()))
            .collect()
    }

    #[test]
    fn any_unpublished_version_literal_is_reported_where_it_is_written() {
        let js = "const r = await fetch('https://services.leadconnectorhq.com/contacts/x', {\n  headers: { Authorization: 'Bearer x', Version: '2.0' },\n});\n";
        let n = version_notes(js, Lang::JavaScript);
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].0, 2);
        assert!(
            n[0].1
                .contains("`Version: 2.0` is not a published V2 version")
        );
        let cs = "var req = new HttpRequestMessage(HttpMethod.Get, \"https://services.leadconnectorhq.com/contacts/x\");\nreq.Headers.Add(\"Version\", \"2023-01-01\");\n";
        let n = version_notes(cs, Lang::CSharp);
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].0, 2);
        let sh = "curl https://services.leadconnectorhq.com/contacts/x -H 'Version: 2'\n";
        assert!(version_notes(sh, Lang::Shell)[0].1.contains("`Version: 2`"));
    }

    #[test]
    fn published_or_variable_versions_are_fine() {
        for src in [
            "fetch('https://services.leadconnectorhq.com/contacts/x', { headers: { Version: '2021-07-28' } });",
            "fetch('https://services.leadconnectorhq.com/calendars/x', { headers: { 'Version': '2021-04-15' } });",
            "fetch('https://services.leadconnectorhq.com/contacts/x', { headers: { Version: API_VERSION } });",
            "fetch('https://services.leadconnectorhq.com/contacts/x', { headers: { Version: `${v}` } });",
        ] {
            assert!(version_notes(src, Lang::JavaScript).is_empty(), "{src}");
        }
    }
}
