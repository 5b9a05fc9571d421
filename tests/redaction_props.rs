//! Property tests: whatever text surrounds a secret, no redacted form, snippet or report shows it.
use ghl_migrate::credential::synthetic_jwt;
use ghl_migrate::redact::{redact, scrub};
use ghl_migrate::scan::secrets::redact_line;
use proptest::prelude::*;

fn uuid_strategy() -> impl Strategy<Value = String> {
    "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
}

proptest! {
    #[test]
    fn redact_never_shows_more_than_the_edges(secret in "[A-Za-z0-9_.-]{1,300}") {
        let r = redact(&secret);
        let n = secret.chars().count();
        if n >= 12 {
            // The middle third never appears.
            let mid: String = secret.chars().skip(n / 3).take(n / 3).collect();
            prop_assert!(mid.len() < 4 || !r.contains(&mid), "{r} shows {mid}");
        } else {
            prop_assert!(!r.contains(&secret) || secret.len() < 4);
        }
    }

    #[test]
    fn jwt_keys_never_survive_a_line(prefix in "[ -~]{0,60}", suffix in "[ -~]{0,60}", loc in "[A-Za-z0-9]{20}", iat in 1_500_000_000_000u64..1_800_000_000_000) {
        let key = synthetic_jwt(&format!(r#"{{"location_id":"{loc}","version":1,"iat":{iat}}}"#));
        let line = format!("{prefix}{key}{suffix}");
        let out = redact_line(&line);
        prop_assert!(!out.contains(&key));
        // Not even the payload segment.
        let payload = key.split('.').nth(1).unwrap();
        prop_assert!(!out.contains(payload));
    }

    #[test]
    fn pits_never_survive_a_line(prefix in "[ -~]{0,60}", suffix in "[ -~]{0,60}", u in uuid_strategy()) {
        let pit = format!("pit-{u}");
        let out = redact_line(&format!("{prefix}{pit}{suffix}"));
        prop_assert!(!out.contains(&pit[4..]));
    }

    #[test]
    fn bearer_uuid_keys_never_survive_a_line(prefix in "[ -~]{0,40}", u in uuid_strategy()) {
        let out = redact_line(&format!("{prefix}Authorization: Bearer {u}"));
        prop_assert!(!out.contains(&u));
    }

    #[test]
    fn scrub_removes_every_occurrence(text in "[ -~]{0,80}", u in uuid_strategy(), times in 1usize..4) {
        let s = format!("{text}{}", format!(" {u} ").repeat(times));
        prop_assert!(!scrub(&s, &[u.as_str()]).contains(&u));
    }
}

/// The path normaliser never panics and never yields an empty literal segment.
mod normaliser {
    use ghl_migrate::pathmatch::{Seg, normalize};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn total_and_well_formed(raw in "\\PC{0,200}") {
            let p = normalize(&raw);
            for s in &p.segments {
                if let Seg::Lit(l) = s {
                    prop_assert!(!l.is_empty() && !l.contains('/'));
                }
            }
        }

        /// The normalised form read back gives the same segments (found by the `pathmatch` fuzz target to
        /// hold except for literals with `%`, which may read as a printf verb once lower-cased).
        #[test]
        fn normalised_form_is_a_fixed_point(raw in "[ -~\u{1}\u{e9}\u{2192}]{0,120}") {
            let p = normalize(&raw);
            let shown = p.to_string();
            prop_assume!(!shown.contains('%'));
            prop_assert_eq!(normalize(&shown).segments, p.segments, "{:?} → {:?}", raw, shown);
        }

        /// Any URL prefix (scheme, host, port) and query or fragment is dropped the same way (`#{` is Ruby
        /// interpolation, not a fragment).
        #[test]
        fn host_and_query_do_not_change_segments(path in "(/[a-z0-9_-]{1,10}){0,6}", q in "(\\?[ -~]{0,20}|#[a-z0-9=&]{0,20})", port in proptest::option::of(1u16..)) {
            let port = port.map(|p| format!(":{p}")).unwrap_or_default();
            let bare = normalize(&path);
            let full = normalize(&format!("https://rest.gohighlevel.com{port}{path}{q}"));
            prop_assert_eq!(&full.segments, &bare.segments);
            prop_assert!(full.had_query);
        }

        #[test]
        fn template_forms_agree(seg in "[a-z]{1,12}", var in "[a-zA-Z_][a-zA-Z0-9_]{0,10}") {
            let want = normalize(&format!("/v1/{seg}/{{x}}/notes")).to_string();
            for form in [format!("/v1/{seg}/${{{var}}}/notes/"), format!("/v1/{seg}/:{var}/notes"), format!("/v1/{seg}/{{{{{var}}}}}/notes?x=1"), format!("https://rest.gohighlevel.com/v1/{seg}/%s/notes")] {
                prop_assert_eq!(normalize(&form).to_string(), want.clone(), "{}", form);
            }
        }
    }
}

/// Whatever form a key takes in a tree (a setting value, string pieces, a variable sent as a bearer,
/// URL-encoded, inside `Basic`, in a JSON config), no report format and no patch shows ten characters
/// of it: the outputs go through the same [`ghl_migrate::redact::Writer`] as the binary's.
mod every_output {
    use base64::Engine;
    use ghl_migrate::credential::synthetic_jwt;
    use ghl_migrate::report::{self, Format};
    use ghl_migrate::rules::RuleSet;
    use ghl_migrate::scan::{self, WalkOptions};
    use proptest::prelude::*;
    use std::io::Write;

    fn secret() -> impl Strategy<Value = String> {
        prop_oneof![
            "[A-Za-z0-9]{20}".prop_map(|loc| synthetic_jwt(&format!(
                r#"{{"location_id":"{loc}","version":1,"iat":1700000000000}}"#
            ))),
            super::uuid_strategy().prop_map(|u| format!("pit-{u}")),
            super::uuid_strategy(),
            "[A-Za-z]{6}[0-9]{3}[A-Za-z0-9]{15}".prop_map(|s| format!("k9{s}")),
        ]
    }

    const CALL_PY: &str = "requests.get('https://rest.gohighlevel.com/v1/contacts/', headers=h)\n";

    /// The file (name, text) holding `key` in form `form`, with a V1 call beside it.
    fn file(form: usize, key: &str, split: usize, name: &str) -> (String, String) {
        let cut = 1 + split % (key.len() - 1);
        match form {
            0 => (
                ".env".into(),
                format!("{name}={key}\nGHL_BASE_URL=https://rest.gohighlevel.com/v1\n"),
            ),
            1 => (
                "pieces.js".into(),
                format!(
                    "const h = {{ Authorization: 'Bearer ' + '{}' + '{}' }};\nfetch('https://rest.gohighlevel.com/v1/contacts/', {{ headers: h }});\n",
                    &key[..cut],
                    &key[cut..]
                ),
            ),
            2 => (
                "var.js".into(),
                format!(
                    "const auth = '{key}';\nfetch('https://rest.gohighlevel.com/v1/contacts/', {{ headers: {{ Authorization: `Bearer ${{auth}}` }} }});\n"
                ),
            ),
            3 => (
                "enc.py".into(),
                format!(
                    "import requests\nh = {{}}\nrequests.get('https://rest.gohighlevel.com/v1/contacts/?auth=Bearer%20{key}')\n{CALL_PY}"
                ),
            ),
            4 => (
                "basic.py".into(),
                format!(
                    "import requests\nh = {{'Authorization': 'Basic {}'}}\n{CALL_PY}",
                    base64::engine::general_purpose::STANDARD.encode(format!("user:{key}"))
                ),
            ),
            _ => (
                "config.json".into(),
                format!(
                    "{{\n  \"{name}\": \"{key}\",\n  \"baseUrl\": \"https://rest.gohighlevel.com/v1\"\n}}\n"
                ),
            ),
        }
    }

    fn hidden(shown: &str, secret: &str) -> Result<(), String> {
        let lower = shown.to_ascii_lowercase();
        let s = secret.to_ascii_lowercase();
        for i in 0..s.len().saturating_sub(9) {
            if lower.contains(&s[i..i + 10]) {
                return Err(format!("{:?} shown in:\n{shown}", &s[i..i + 10]));
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]
        #[test]
        fn no_output_shows_a_key(
            key in secret(),
            form in 0usize..6,
            split in 0usize..1000,
            name in prop::sample::select(vec!["GHL_API_KEY", "LEADCONNECTOR_TOKEN", "GO_HIGH_LEVEL_KEY", "apiKey", "ACME_GHL_API_KEY"]),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let (fname, text) = file(form, &key, split, name);
            std::fs::write(dir.path().join(&fname), text).unwrap();
            let rules = RuleSet::embedded();
            let roots = vec![dir.path().to_path_buf()];
            let report = scan::scan(&roots, &WalkOptions::default(), &rules, None);
            let mut shown = Vec::new();
            for format in [Format::Text, Format::Json, Format::Sarif, Format::Markdown, Format::Csv] {
                let mut w = ghl_migrate::redact::Writer::new(&mut shown);
                report::write(&report, &rules, format, false, &mut w).unwrap();
                w.flush().unwrap();
            }
            let filters = ghl_migrate::diff::Filters { rules: Vec::new(), paths: None };
            let (patches, summary) = ghl_migrate::diff::plan_patches(&report, &rules, dir.path(), &filters);
            {
                let mut w = ghl_migrate::redact::Writer::new(&mut shown);
                for p in &patches {
                    w.write_all(ghl_migrate::diff::unified(p).as_bytes()).unwrap();
                }
                for r in summary.review.iter().chain(&summary.refused) {
                    writeln!(w, "{r}").unwrap();
                }
                w.flush().unwrap();
            }
            let shown = String::from_utf8_lossy(&shown);
            prop_assert!(hidden(&shown, &key).is_ok(), "form {} ({}): {}", form, fname, hidden(&shown, &key).unwrap_err());
        }
    }
}
