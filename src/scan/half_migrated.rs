//! Half-migrated requests: the host is already V2 but the path is still a V1 one that V2 does not serve
//! (`services.leadconnectorhq.com/appointments/slots`), typically after a shared base URL moved to V2
//! while some calls on it could not be rewritten. They fail the gate like V1 calls.
use super::finding::{Finding, Kind};
use crate::pathmatch::normalize;
use crate::rules::RuleSet;

pub const CATEGORY: &str = "half_migrated";

/// Whether `path` is `template` with its parameters filled in (literal segments equal, any segment
/// where the template has a `{param}`).
fn fills(template: &str, path: &crate::pathmatch::NormalizedPath) -> bool {
    let t: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
    t.len() == path.segments.len()
        && t.iter().zip(&path.segments).all(|(t, s)| match s {
            crate::pathmatch::Seg::Lit(l) => t.starts_with('{') || t.eq_ignore_ascii_case(l),
            crate::pathmatch::Seg::Param => t.starts_with('{'),
        })
}

/// Turns `f` (a request on the V2 host with path `rest`) into a half-migrated finding when V2 serves no
/// such path and V1 did; returns false when the request is a V2 one (or not a HighLevel path at all).
pub fn mark(rules: &RuleSet, f: &mut Finding, rest: &str) -> bool {
    let path = normalize(rest);
    // Nothing known of the path (`sprintf('%s%s', BASE, $p)`): no evidence it is a V1 one.
    if path.first_literal().is_none() {
        return false;
    }
    if crate::spec::V2Spec::get().serves_path(&path.to_string()) {
        return false;
    }
    super::extract::apply_rule(rules, f, &path.with_v1_prefix());
    let ambiguous = f
        .note
        .as_deref()
        .is_some_and(|n| n.starts_with("method unknown; the path matches"));
    if f.rule.is_none() && !ambiguous {
        return false;
    }
    // The V1 endpoint's V2 path is this very path with an id written in (`/contacts/abc` for
    // `/contacts/{contactId}`): a V2 request, not a half-migrated one.
    if f.v2.as_ref().is_some_and(|v2| fills(&v2.path, &path)) {
        return false;
    }
    f.kind = Kind::Mention;
    f.category = Some(CATEGORY);
    let should = match &f.v2 {
        Some(v2) => format!("; V2 serves it as {} {}", v2.method, v2.path),
        None if ambiguous => String::new(),
        None => "; V2 has no equivalent".into(),
    };
    let why = format!("the V2 host with the V1 path {path}, which V2 does not serve{should}");
    f.note = Some(match f.note.take() {
        Some(n) if ambiguous => format!("{why} ({n})"),
        _ => why,
    });
    true
}

#[cfg(test)]
mod tests {
    use super::fills;
    use crate::pathmatch::normalize;

    #[test]
    fn a_v2_path_with_an_id_written_in_is_not_half_migrated() {
        assert!(fills("/contacts/{contactId}", &normalize("/contacts/abc")));
        assert!(fills(
            "/contacts/{contactId}",
            &normalize("/contacts/${id}")
        ));
        // A V1-only literal where V2 has another path stays half-migrated.
        assert!(!fills("/contacts/search", &normalize("/contacts/lookup")));
        assert!(!fills(
            "/contacts/{contactId}",
            &normalize("/contacts/abc/tasks")
        ));
        assert!(!fills(
            "/contacts/{contactId}/tasks",
            &normalize("/contacts/{}/notes")
        ));
    }
}
