//! Half-migrated requests: the host is already V2 but the path is still a V1 one that V2 does not serve
//! (`services.leadconnectorhq.com/appointments/slots`), typically after a shared base URL moved to V2
//! while some calls on it could not be rewritten. They fail the gate like V1 calls.
use super::finding::{Finding, Kind};
use crate::pathmatch::normalize;
use crate::rules::RuleSet;

pub const CATEGORY: &str = "half_migrated";

/// Turns `f` (a request on the V2 host with path `rest`) into a half-migrated finding when V2 serves no
/// such path and V1 did; returns false when the request is a V2 one (or not a HighLevel path at all).
pub fn mark(rules: &RuleSet, f: &mut Finding, rest: &str) -> bool {
    let path = normalize(rest);
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
