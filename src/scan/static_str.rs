//! Reading back `&'static str` fields (`category`, `lang`, `schema`) of a saved scan report: each distinct
//! value is leaked once and reused, so memory grows with the distinct values a report holds (a handful of
//! categories and languages), never with its number of findings.
use serde::{Deserialize, Deserializer};
use std::collections::HashSet;
use std::sync::Mutex;

/// A `&'static str` field read back through [`de`]/[`de_opt`]. Named so serde's derive does not take the
/// field for one borrowed from the input (which would tie the whole report to `'static` input).
pub type Static = &'static str;

static SEEN: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);

/// The one `&'static str` for `s`.
pub fn intern(s: &str) -> &'static str {
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    let set = seen.get_or_insert_with(HashSet::new);
    if let Some(hit) = set.get(s) {
        return hit;
    }
    let leaked: &'static str = Box::leak(s.to_string().into_boxed_str());
    set.insert(leaked);
    leaked
}

/// `#[serde(deserialize_with = …)]` for a `&'static str` field.
pub fn de<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    let s = String::deserialize(d)?;
    Ok(intern(&s))
}

/// `#[serde(deserialize_with = …)]` for an `Option<&'static str>` field.
pub fn de_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'static str>, D::Error> {
    let s = Option::<String>::deserialize(d)?;
    Ok(s.as_deref().map(intern))
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_leak_per_distinct_value() {
        let a = super::intern("credential_setting_probe");
        let b = super::intern(&String::from("credential_setting_probe"));
        assert!(std::ptr::eq(a, b));
    }
}
