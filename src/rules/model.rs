//! Rule data types, deserialised from the YAML files.
use crate::method::Method;
use serde::{Deserialize, Serialize};

/// One rule file: a resource group and its rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    pub group: String,
    pub rules: Vec<RawRule>,
}

/// A rule as written in YAML (`v2` is either a target or the word `none`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub id: String,
    pub v1: V1Endpoint,
    pub v2: V2Field,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub workaround: Option<String>,
    #[serde(default)]
    pub alternatives: Vec<Alternative>,
    pub level: Level,
    pub v1_status: V1Status,
    pub source: Source,
    #[serde(default)]
    pub evidence: Option<String>,
    #[serde(default)]
    pub changes: Vec<Change>,
    #[serde(default)]
    pub already_broken: Option<String>,
    #[serde(default)]
    pub docs: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum V2Field {
    Keyword(String),
    Target(V2Target),
}

/// A validated rule.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub id: String,
    pub group: String,
    pub v1: V1Endpoint,
    /// `None` when V2 has no equivalent (then `reason` and `workaround` say what to do).
    pub v2: Option<V2Target>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workaround: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<Alternative>,
    pub level: Level,
    pub v1_status: V1Status,
    pub source: Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub already_broken: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub docs: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// File (relative to the rules root) and line the rule starts on.
    #[serde(skip)]
    pub file: String,
    #[serde(skip)]
    pub line: usize,
    #[serde(skip)]
    pub lines: RuleLines,
}

/// Source lines of a rule's keys, so checks can point at the exact line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleLines {
    pub rule: usize,
    pub v1: usize,
    pub v2: usize,
    pub v2_path: usize,
    pub v2_scopes: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct V1Endpoint {
    pub method: Method,
    pub path: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct V2Target {
    pub method: Method,
    pub path: String,
    pub scopes: Vec<String>,
    pub version: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deprecated: bool,
    /// `apps/<file>.json#<operationId>` in HighLevel's OpenAPI specs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<String>,
    /// Set when the scope does not come from the operation's OpenAPI `security` (e.g. from Scopes.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope_evidence: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Alternative {
    pub method: Method,
    pub path: String,
    pub scopes: Vec<String>,
    pub when: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Location,
    Agency,
}

/// How real the V1 call ever was.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum V1Status {
    /// In the V1.1.20 catalogue.
    Documented,
    /// Not documented, but called by HighLevel's own code.
    Undocumented,
    /// Seen in public code, never confirmed to exist.
    Unverified,
    /// A live probe with a valid key got 404: it never worked.
    NotFound,
}

/// Where the V1 → V2 mapping comes from. `Inferred` is a claim to check.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Docs,
    N8n,
    Inferred,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub kind: ChangeKind,
    /// Where a new parameter goes: `query`, `body` or `path`.
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// `locationId` is now explicit (V1 took it from the key).
    LocationId,
    /// `companyId` is now explicit.
    CompanyId,
    /// Other parameters move or are renamed.
    Params,
    /// The HTTP method changes.
    Method,
    /// Send a non-default `Version` header.
    Version,
    /// The V2 target is deprecated.
    Deprecated,
    Pagination,
    Response,
    Fields,
    Behaviour,
    /// A fact that stays the same (kept for reviewers).
    Unchanged,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Location => "location",
            Level::Agency => "agency",
        }
    }
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Docs => "docs",
            Source::N8n => "n8n",
            Source::Inferred => "inferred",
        }
    }
}

impl V1Status {
    pub fn as_str(self) -> &'static str {
        match self {
            V1Status::Documented => "documented",
            V1Status::Undocumented => "undocumented",
            V1Status::Unverified => "unverified",
            V1Status::NotFound => "not_found",
        }
    }
}

impl Rule {
    /// Changes a developer must act on (everything but `unchanged` facts).
    pub fn actionable_changes(&self) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(|c| c.kind != ChangeKind::Unchanged)
    }
}
