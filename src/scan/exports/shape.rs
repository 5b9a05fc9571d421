//! A cheap look at a JSON document's top-level keys before it is parsed whole as a possible export.
//!
//! [`super::detect`] only ever recognises a document by one of a few top-level keys (or, for an array,
//! by elements with `nodes`). Reading the keys without building any value costs a tenth of building a
//! [`serde_json::Value`], which for a big JSON file that merely names HighLevel (an 8.7 MB node catalog,
//! a bundled manifest) was most of its time and memory.
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// The top-level keys [`super::detect`] looks at: a document with none of them is no export.
const TOP_KEYS: &[&str] = &[
    "_type",                   // Insomnia v4
    "type",                    // Insomnia v5
    "info",                    // Postman collection
    "_postman_variable_scope", // Postman environment
    "values",                  // Postman environment (by file name)
    "nodes",                   // n8n workflow, Zapier zap
    "data",                    // n8n workflows under `data`
    "flow",                    // Make scenario
    "subflows",                // Make scenario
    "zaps",                    // Zapier
    "steps",                   // Zapier zap
    "$schema",                 // HighLevel workflow export
    "workflow",                // HighLevel workflow
    "workflowData",            // HighLevel workflow
    "templates",               // HighLevel workflow
];

/// The keys an element of a top-level array is recognised by (n8n workflows).
const ELEMENT_KEYS: &[&str] = &["nodes"];

/// Whether `json` may be an export [`super::detect`] recognises: `false` only when it parses and has
/// none of the keys detection needs. Malformed JSON says `true`, so the whole parse reports the error.
pub fn may_be_export(json: &str) -> bool {
    let mut de = serde_json::Deserializer::from_str(json);
    match de.deserialize_any(TOP) {
        Ok(found) => de.end().is_err() || found,
        Err(_) => true,
    }
}

/// The keys a document is recognised by: of itself when an object, of its elements when an array
/// (`elements`; an array of arrays or an array as an element has none).
#[derive(Clone, Copy)]
struct Keys {
    keys: &'static [&'static str],
    elements: Option<&'static [&'static str]>,
}

/// The document: an object with one of [`TOP_KEYS`], or an array with an element holding one of
/// [`ELEMENT_KEYS`].
const TOP: Keys = Keys {
    keys: TOP_KEYS,
    elements: Some(ELEMENT_KEYS),
};

impl<'de> de::DeserializeSeed<'de> for Keys {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Keys {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut found = false;
        while let Some(hit) = map.next_key_seed(KeyIn(self.keys))? {
            found |= hit;
            map.next_value::<IgnoredAny>()?;
        }
        Ok(found)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let mut found = false;
        match self.elements {
            Some(keys) => {
                let element = Keys {
                    keys,
                    elements: None,
                };
                while let Some(hit) = seq.next_element_seed(element)? {
                    found |= hit;
                }
            }
            None => while seq.next_element::<IgnoredAny>()?.is_some() {},
        }
        Ok(found)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
}

/// A map key, compared with a list without being copied.
struct KeyIn(&'static [&'static str]);

impl<'de> de::DeserializeSeed<'de> for KeyIn {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIn {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, k: &str) -> Result<bool, E> {
        Ok(self.0.contains(&k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_without_a_detection_key_are_not_exports() {
        // A node catalog: an array of descriptions, none a workflow.
        assert!(!may_be_export(
            r#"[{"displayName":"HighLevel","name":"highLevel","properties":[{"nodes":1}]}]"#
        ));
        assert!(!may_be_export(
            r#"{"name":"pkg","dependencies":{"info":"x"}}"#
        ));
        assert!(!may_be_export(r#""text""#));
        assert!(!may_be_export("42"));
    }

    #[test]
    fn documents_with_one_may_be() {
        assert!(may_be_export(r#"{"nodes":[],"connections":{}}"#));
        assert!(may_be_export(r#"[1, "x", {"nodes":[]}]"#));
        assert!(may_be_export(r#"{"info":{},"item":[]}"#));
        // An escaped key is still read as its text.
        assert!(may_be_export(r#"{"\u0024schema":"ghl-workflow-export/1"}"#));
    }

    #[test]
    fn deep_nesting_does_not_exhaust_the_stack() {
        // Values the look does not read are skipped by serde_json without recursion.
        let nest = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(!may_be_export(&nest(200_000)));
        assert!(!may_be_export(&format!(r#"{{"a": {}}}"#, nest(200_000))));
        assert!(may_be_export(&format!(r#"{{"nodes": {}}}"#, nest(200_000))));
    }

    #[test]
    fn malformed_json_is_left_to_the_whole_parse() {
        assert!(may_be_export(r#"{"name": "#));
        assert!(may_be_export(r#"{} trailing"#));
    }
}
