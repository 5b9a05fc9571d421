//! Pipedream components: the `gohighlevel` app is Pipedream's V1 API-key connection
//! (`this.gohighlevel.$auth.api_key`), `highlevel_oauth` its V2 OAuth app. A component's requests are found
//! by the code extractor like any other; this adds what only the component says: which connection it uses.
use super::finding::{Confidence, Context, Finding, Kind};
use super::lines::LineIndex;
use regex::Regex;
use std::sync::OnceLock;

/// The finding category for Pipedream app connections.
pub const CATEGORY: &str = "pipedream_app";

fn app_prop_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // `app: "gohighlevel"` (the prop declaring the connection), any quoting.
    RE.get_or_init(|| Regex::new(r#"\bapp\s*:\s*['"`]gohighlevel['"`]"#).unwrap())
}

fn auth_read_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // `this.gohighlevel.$auth.api_key`, `this.ghl.$auth["api_key"]` (the prop may have any name; the file
    // declares the `gohighlevel` app, whose only auth field is the key).
    RE.get_or_init(|| {
        Regex::new(r#"\$auth\s*(?:\.\s*(api_key)\b|\[\s*['"](api_key)['"]\s*\])"#).unwrap()
    })
}

/// Adds Pipedream connection findings for one JS/TS file.
pub fn check(rel: &str, src: &str, li: &LineIndex, lang: &'static str, out: &mut Vec<Finding>) {
    if !app_prop_re().is_match(src) {
        return;
    }
    for m in app_prop_re().find_iter(src) {
        let line = li.line(m.start());
        let mut f = Finding::new(
            Kind::BaseUrl,
            rel,
            line,
            li.column(m.start()),
            Context::Code,
        );
        f.category = Some(CATEGORY);
        f.confidence = Confidence::High;
        f.host = Some("rest.gohighlevel.com".into());
        f.snippet = super::secrets::redact_line(li.text(line).trim());
        f.lang = Some(lang);
        f.note = Some(
            "Pipedream component on the `gohighlevel` app: the V1 API-key connection — switch the prop to \
             `app: \"highlevel_oauth\"` (V2 OAuth, `$auth.oauth_access_token`, base https://services.leadconnectorhq.com, `Version` header)"
                .into(),
        );
        out.push(f);
    }
    for c in auth_read_re().captures_iter(src) {
        let at = c.get(0).unwrap().start();
        let field = c.get(1).or(c.get(2)).map_or("", |m| m.as_str());
        let line = li.line(at);
        let mut f = Finding::new(Kind::Mention, rel, line, li.column(at), Context::Code);
        f.category = Some(CATEGORY);
        f.confidence = Confidence::High;
        f.snippet = super::secrets::redact_line(li.text(line).trim());
        f.lang = Some(lang);
        f.note = Some(format!(
            "reads `{field}` of the Pipedream `gohighlevel` (V1 API key) connection; the V2 app gives `$auth.oauth_access_token`"
        ));
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str) -> Vec<Finding> {
        let mut out = Vec::new();
        check("c.mjs", src, &LineIndex::new(src), "javascript", &mut out);
        out
    }

    #[test]
    fn v1_app_and_its_key_are_reported() {
        let src = "export default defineComponent({\n  props: {\n    gohighlevel: {\n      type: \"app\",\n      app: \"gohighlevel\",\n    }\n  },\n  async run({ steps, $ }) {\n    const key = this.gohighlevel.$auth.api_key\n  },\n})\n";
        let f = run(src);
        assert_eq!(f.len(), 2);
        assert_eq!((f[0].kind, f[0].line), (Kind::BaseUrl, 5));
        assert!(f[0].is_v1_usage());
        assert_eq!((f[1].kind, f[1].line), (Kind::Mention, 9));
        assert!(f[1].note.as_deref().unwrap().contains("`api_key`"));
    }

    #[test]
    fn the_v2_app_is_not() {
        let src = "props: { highlevel_oauth: { type: \"app\", app: \"highlevel_oauth\" } }\nthis.highlevel_oauth.$auth.oauth_access_token";
        assert!(run(src).is_empty());
    }
}
