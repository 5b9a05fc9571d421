//! The inventory's unit: one finding, with everything a report, a plan or a diff needs — and never a raw
//! secret. Field names are the `ghl-migrate/scan/v1` JSON contract.
use crate::credential::Credential;
use crate::method::Method;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A request to a V1 endpoint.
    Call,
    /// A V1 base URL (host or host + `/v1`) defined somewhere.
    BaseUrl,
    /// A key or token.
    Credential,
    /// A workflow/collection export node that talks to V1.
    ExportNode,
    /// Something worth knowing that is not V1 usage (docs host, a broken V2 URL, an env var name).
    Mention,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Context {
    Code,
    Comment,
    Docs,
    Config,
    Export,
    /// Test code (by each ecosystem's conventions): reported, fails the gate only with `--fail-on test`.
    Test,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

/// The V2 successor of a matched call (copied from the rule for self-contained reports).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct V2Ref {
    pub method: Method,
    pub path: String,
    pub scopes: Vec<String>,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    pub kind: Kind,
    /// Relative to the scanned root, `/` separators.
    pub path: String,
    /// The repository the finding is in, in a report that combines several (`ghl-migrate merge`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// 1-based line of the V1 URL or path (or the key).
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<usize>,
    /// 1-based column (in characters).
    pub column: usize,
    pub context: Context,
    pub method: Option<Method>,
    /// How the method was found (`call requests.post`, `curl -X`, `default GET of fetch()`), or null.
    pub method_source: Option<String>,
    /// Normalised V1 template (`/v1/contacts/{contactId}` when a rule matched), or null.
    pub v1_path: Option<String>,
    pub rule: Option<String>,
    pub v2: Option<V2Ref>,
    pub confidence: Confidence,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<Credential>,
    /// The V1 host the call goes to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// How the base URL was resolved when it is not written at the call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_pointer: Option<String>,
    /// A platform rule the finding is about (`enhanced_account_security`, `version_header`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::static_str::de_opt"
    )]
    pub category: Option<super::static_str::Static>,
    /// The V1 call already fails today, and why (fix it first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub already_broken: Option<String>,
    /// The config setting (env var / key name) that holds the credential, where the file names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setting: Option<String>,
    /// The location (sub-account) id a setting names (`GHL_LOCATION_ID=…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    /// Code that reads that setting (`path:line`), for credential settings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub read_by: Vec<String>,
    /// Where the request's base URL, path and verb came from when the program model followed them
    /// (`config.js:14 baseUrl`, `ghl.js:10 axios.create`, `ghl.js:27 request()`), definition first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trail: Vec<String>,
    /// Where the URL or path text of a call is written when the finding sits at the statement that sends
    /// it (`(line, column)`): what `diff` rewrites. Not part of the report.
    #[serde(skip)]
    pub written: Option<(usize, usize)>,
    /// Other places the same endpoint's URL is written for this statement (a URL assigned on each branch
    /// of an `if`): `diff` rewrites them all or none.
    #[serde(skip)]
    pub also_written: Vec<(usize, usize)>,
    /// Accepted by a person (an inline `ghl-migrate: ignore[…] reason`, or the baseline): reported, never
    /// failing the gate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
    /// What the finding means when the fields alone do not say it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The source line, trimmed and with every secret redacted.
    pub snippet: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::static_str::de_opt"
    )]
    pub lang: Option<super::static_str::Static>,
}

/// Why a finding no longer fails the gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// `inline` (a comment on the line or the line above) or `baseline`.
    #[serde(deserialize_with = "super::static_str::de")]
    pub kind: super::static_str::Static,
    /// The reason the person gave (inline), or the baseline file.
    pub justification: String,
}

impl Finding {
    /// A finding with only the location filled in.
    pub fn new(kind: Kind, path: &str, line: usize, column: usize, context: Context) -> Finding {
        Finding {
            kind,
            repository: None,
            path: path.to_string(),
            line,
            end_line: None,
            column,
            context,
            method: None,
            method_source: None,
            v1_path: None,
            rule: None,
            v2: None,
            confidence: Confidence::High,
            credential: None,
            host: None,
            base_source: None,
            json_pointer: None,
            category: None,
            already_broken: None,
            setting: None,
            read_by: Vec::new(),
            location_id: None,
            trail: Vec::new(),
            written: None,
            also_written: Vec::new(),
            suppressed: None,
            note: None,
            snippet: String::new(),
            lang: None,
        }
    }

    /// True for findings that are V1 usage (they make `scan` exit 1).
    pub fn is_v1_usage(&self) -> bool {
        match self.kind {
            Kind::Call | Kind::BaseUrl | Kind::ExportNode => true,
            Kind::Credential => self.credential.as_ref().is_some_and(|c| {
                c.kind.is_v1()
                    || c.kind == crate::credential::CredentialKind::V2Pit
                    || c.kind == crate::credential::CredentialKind::V2OauthToken
                    || c.kind == crate::credential::CredentialKind::UnknownSecret
            }),
            Kind::Mention => false,
        }
    }

    /// Stable order for reports: path, line, column, kind.
    pub fn sort_key(&self) -> (String, usize, usize, Kind, Option<String>) {
        (
            self.path.clone(),
            self.line,
            self.column,
            self.kind,
            self.json_pointer.clone(),
        )
    }
}
