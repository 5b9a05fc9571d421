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
