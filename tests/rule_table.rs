//! The rule table against HighLevel's V2 spec: every V2 target is a real operation with real scopes.
use ghl_migrate::method::Method;
use ghl_migrate::rules::{self, RuleSet};
use ghl_migrate::spec::V2Spec;

#[test]
fn every_v2_target_is_a_real_operation_with_declared_scopes() {
    let rs = RuleSet::embedded();
    let spec = V2Spec::get();
    for r in rs.rules() {
        let Some(t) = &r.v2 else {
            assert!(
                r.reason.is_some() && r.workaround.is_some(),
                "{}: v2 none needs reason + workaround",
                r.id
            );
            continue;
        };
        let op = spec
            .operation(t.method, &t.path)
            .unwrap_or_else(|| panic!("{}: {} {} not in spec", r.id, t.method, t.path));
        for s in &t.scopes {
            if t.scope_evidence.is_none() {
                assert!(
                    op.scopes.contains(s),
                    "{}: scope {s} not declared by {} {}",
                    r.id,
                    t.method,
                    t.path
                );
            } else {
                assert!(spec.is_known_scope(s), "{}: unknown scope {s}", r.id);
            }
        }
        if let Some(v) = &op.version {
            assert!(
                v.contains(&t.version),
                "{}: version {} not in {:?}",
                r.id,
                t.version,
                v
            );
        }
    }
}

#[test]
fn the_check_fails_when_a_v2_path_is_mistyped() {
    // Take a real rule file, break one V2 path, and the checker must say so at that line.
    let text = std::fs::read_to_string("rules/contacts.yaml").unwrap();
    let broken = text.replacen(
        "path: \"/contacts/{contactId}/appointments\"",
        "path: \"/contacts/{contactId}/apointments\"",
        1,
    );
    assert!(text != broken, "the test's edit did not apply");
    let (parsed, diags) = rules::parse_files(&[("contacts.yaml".into(), broken.clone())]);
    assert!(diags.is_empty());
    let diags = rules::check(&parsed);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let line = broken
        .lines()
        .position(|l| l.contains("/apointments\""))
        .unwrap()
        + 1;
    assert_eq!(diags[0].line, line);
    assert!(
        diags[0]
            .message
            .contains("/contacts/{contactId}/apointments")
    );
}

#[test]
fn the_check_fails_when_a_scope_is_wrong() {
    let text = std::fs::read_to_string("rules/contacts.yaml").unwrap();
    let broken = text.replacen("scopes: [contacts.readonly]", "scopes: [contacts.write]", 1);
    let (parsed, _) = rules::parse_files(&[("contacts.yaml".into(), broken)]);
    assert!(!rules::check(&parsed).is_empty());
}

#[test]
fn catalogue_coverage_and_provenance() {
    let rs = RuleSet::embedded();
    // The 90 documented V1 endpoints, each exactly once.
    let catalogue = include_str!("data/v1-endpoints.txt");
    let mut n = 0;
    for line in catalogue
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (m, p) = line.split_once(' ').unwrap();
        let m = Method::parse(m).unwrap();
        let hits: Vec<_> = rs
            .rules()
            .iter()
            .filter(|r| r.v1.method == m && r.v1.path == p)
            .collect();
        assert_eq!(hits.len(), 1, "{line}");
        n += 1;
    }
    assert_eq!(n, 90);
    // Agency endpoints are marked as such.
    assert_eq!(
        rs.get("snapshots.list").unwrap().level,
        rules::Level::Agency
    );
    assert_eq!(rs.get("contacts.get").unwrap().source, rules::Source::N8n);
    assert!(rs.get("users.create").unwrap().already_broken.is_some());
}
