//! HighLevel's V2 API surface, vendored as data: every operation of the official V2 OpenAPI specs with
//! its declared scopes, `Version` values and required parameters (`rules/reference/v2-operations.json`),
//! and the union scope catalogue with the cheapest safe probe per scope (`rules/reference/v2-scopes.json`).
//! Both files carry their provenance in a `_source` field.
use crate::method::Method;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

static OPERATIONS_JSON: &str = include_str!("../rules/reference/v2-operations.json");
static SCOPES_JSON: &str = include_str!("../rules/reference/v2-scopes.json");

/// One V2 operation from the OpenAPI specs.
#[derive(Debug, Clone, Deserialize)]
pub struct Operation {
    pub method: String,
    pub path: String,
    pub file: String,
    #[serde(rename = "operationId")]
    pub operation_id: String,
    #[serde(default)]
    pub version: Option<Vec<String>>,
    #[serde(default)]
    pub required: Vec<RequiredParam>,
    #[serde(default)]
    pub deprecated: bool,
    /// The security schemes the spec names (`bearer`, `Location-Access`, `Agency-Access`, `*-Only`).
    #[serde(default)]
    pub schemes: Vec<String>,
    /// Scopes the spec's `security` section declares for this operation (empty when none).
    #[serde(skip)]
    pub scopes: BTreeSet<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RequiredParam {
    #[serde(rename = "in")]
    pub location: String,
    pub name: String,
}

impl Operation {
    /// Whether a sub-account token — a sub-account PIT or a Location OAuth token — may call it
    /// (`bearer`/`Location-Access` in the spec's words: "Access Token generated with user type as
    /// Sub-Account (OR) Private Integration Token of Sub-Account").
    pub fn takes_sub_account_token(&self) -> bool {
        self.schemes
            .iter()
            .any(|s| s == "Location-Access" || s == "bearer")
    }
}

/// One entry of the scope catalogue.
#[derive(Debug, Clone, Deserialize)]
pub struct ScopeInfo {
    pub scope: String,
    pub token_type: String,
    pub sources: String,
    pub probe_kind: String,
    pub probe: String,
    pub version: String,
    #[serde(default)]
    pub notes: String,
}

#[derive(Deserialize)]
struct OperationsFile {
    #[serde(rename = "_source")]
    source: String,
    scopes: BTreeMap<String, Vec<Operation>>,
    unscoped: Vec<Operation>,
}

#[derive(Deserialize)]
struct ScopesFile {
    #[serde(rename = "_source")]
    source: String,
    scopes: Vec<ScopeInfo>,
}

/// The vendored V2 API description.
pub struct V2Spec {
    pub operations_source: String,
    pub scopes_source: String,
    ops: HashMap<(String, String), Operation>,
    scopes: BTreeMap<String, ScopeInfo>,
}

/// A path template's shape: parameters as `{}`, no trailing slash, lower case.
fn shape(p: &str) -> String {
    p.trim_end_matches('/')
        .split('/')
        .map(|s| if s.starts_with('{') { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
        .to_ascii_lowercase()
}

impl V2Spec {
    /// The embedded spec, parsed once.
    pub fn get() -> &'static V2Spec {
        static SPEC: OnceLock<V2Spec> = OnceLock::new();
        SPEC.get_or_init(|| {
            V2Spec::parse(OPERATIONS_JSON, SCOPES_JSON).expect("embedded V2 spec is valid JSON")
        })
    }

    fn parse(ops_json: &str, scopes_json: &str) -> Result<V2Spec, serde_json::Error> {
        let file: OperationsFile = serde_json::from_str(ops_json)?;
        let mut ops: HashMap<(String, String), Operation> = HashMap::new();
        for (scope, list) in file.scopes {
            for op in list {
                let key = (op.method.clone(), op.path.clone());
                ops.entry(key).or_insert(op).scopes.insert(scope.clone());
            }
        }
        for op in file.unscoped {
            ops.entry((op.method.clone(), op.path.clone()))
                .or_insert(op);
        }
        let sf: ScopesFile = serde_json::from_str(scopes_json)?;
        let mut scopes: BTreeMap<String, ScopeInfo> = sf
            .scopes
            .into_iter()
            .map(|s| (s.scope.clone(), s))
            .collect();
        // Every scope an operation declares is a real scope, even if the catalogue missed it.
        for op in ops.values() {
            for s in &op.scopes {
                scopes.entry(s.clone()).or_insert_with(|| ScopeInfo {
                    scope: s.clone(),
                    token_type: "?".into(),
                    sources: "v2 spec".into(),
                    probe_kind: "?".into(),
                    probe: "-".into(),
                    version: "-".into(),
                    notes: String::new(),
                });
            }
        }
        Ok(V2Spec {
            operations_source: file.source,
            scopes_source: sf.source,
            ops,
            scopes,
        })
    }

    /// The operation with exactly this method and path template, as the spec writes it.
    pub fn operation(&self, method: Method, path: &str) -> Option<&Operation> {
        self.ops
            .get(&(method.as_str().to_string(), path.to_string()))
    }

    /// A spec path that differs from `path` only by a trailing slash or parameter names, to suggest a fix.
    pub fn similar_path(&self, method: Method, path: &str) -> Option<&Operation> {
        let want = shape(path);
        let mut found: Vec<&Operation> = self
            .ops
            .values()
            .filter(|o| o.method == method.as_str() && shape(&o.path) == want)
            .collect();
        found.sort_by(|a, b| a.path.cmp(&b.path));
        found.into_iter().next()
    }

    /// Whether any V2 operation, whatever its method, has this path (up to parameter names and a trailing
    /// slash).
    pub fn serves_path(&self, path: &str) -> bool {
        let want = shape(path);
        self.ops.values().any(|o| shape(&o.path) == want)
    }

    pub fn is_known_scope(&self, scope: &str) -> bool {
        self.scopes.contains_key(scope)
    }

    pub fn scope(&self, scope: &str) -> Option<&ScopeInfo> {
        self.scopes.get(scope)
    }

    pub fn scopes(&self) -> impl Iterator<Item = &ScopeInfo> {
        self.scopes.values()
    }

    pub fn operation_count(&self) -> usize {
        self.ops.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_spec_has_all_operations_and_scopes() {
        let spec = V2Spec::get();
        assert_eq!(spec.operation_count(), 576);
        assert!(spec.is_known_scope("contacts.readonly"));
        assert!(spec.is_known_scope("saas/location.read"));
        assert!(!spec.is_known_scope("contacts.read"));
        let op = spec
            .operation(Method::Get, "/contacts/{contactId}")
            .unwrap();
        assert!(op.scopes.contains("contacts.readonly"));
        assert_eq!(op.version.as_deref(), Some(&["2021-07-28".to_string()][..]));
    }

    #[test]
    fn similar_path_suggests_trailing_slash_fix() {
        let spec = V2Spec::get();
        let op = spec.similar_path(Method::Get, "/campaigns").unwrap();
        assert_eq!(op.path, "/campaigns/");
    }
}
