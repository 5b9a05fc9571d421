//! The verification report: data (serialised as JSON, schema `ghl-migrate/verify/v1`) and its text form.
//! Everything in here is already safe to show: tokens appear only as fingerprints / redacted forms and
//! server messages are scrubbed before they get here.
use super::input::SuccessorKind;
use super::ratelimit::RateHeaders;
use serde::Serialize;
use std::io::Write;

pub const SCHEMA: &str = "ghl-migrate/verify/v1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeStatus {
    /// A read probe answered 2xx (or a validation 4xx): held.
    Verified,
    /// "The token is not authorized for this scope." (or absent from the OAuth token's claims).
    Missing,
    /// Write-only / no endpoint: cannot be shown without a write.
    NotProvableReadOnly,
    /// A probe exists but was not sent (needs an opt-in, or the credential failed earlier).
    NotChecked,
    /// Sent, but the answer proves nothing (5xx, 429, timeout, unexpected message).
    Inconclusive,
}

impl ScopeStatus {
    pub fn label(self) -> &'static str {
        match self {
            ScopeStatus::Verified => "verified",
            ScopeStatus::Missing => "MISSING",
            ScopeStatus::NotProvableReadOnly => "not provable read-only",
            ScopeStatus::NotChecked => "not checked",
            ScopeStatus::Inconclusive => "inconclusive",
        }
    }
}

/// The server's own words about one answer, secrets scrubbed; all empty when nothing answered.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ServerWords {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScopeReport {
    pub scope: String,
    pub status: ScopeStatus,
    /// `GET /locations/{locationId}`, when a probe exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probe: Option<String>,
    /// What the server answered (status, scrubbed message, trace id).
    #[serde(flatten)]
    pub server: ServerWords,
    pub detail: String,
    /// For OAuth tokens whose claims list scopes: whether the claims include this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claimed: Option<bool>,
    /// The scope blocks revoking the V1 key.
    pub blocking: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BindingStatus {
    /// The credential opened this location.
    Bound,
    /// The credential is for another location.
    WrongLocation,
    /// The location does not exist (404).
    LocationNotFound,
    /// The credential itself was rejected.
    InvalidCredential,
    /// No answer settled it (e.g. locations.readonly not granted and no other probe reached the location).
    Unconfirmed,
}

#[derive(Debug, Clone, Serialize)]
pub struct Binding {
    pub status: BindingStatus,
    pub detail: String,
    /// What the server answered (status, scrubbed message, trace id).
    #[serde(flatten)]
    pub server: ServerWords,
}

#[derive(Debug, Clone, Serialize)]
pub struct LocationReport {
    pub location_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_id: Option<String>,
    pub binding: Binding,
    pub scopes: Vec<ScopeReport>,
    /// The last `X-RateLimit-*` headers seen for this location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateHeaders>,
    pub requests: u32,
    pub ready: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CredentialReport {
    /// `pit`, `oauth_location`, `oauth_company`, or what else the token turned out to be.
    pub kind: String,
    pub description: String,
    pub fingerprint: String,
    pub redacted: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_class: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub claimed_scopes: Vec<String>,
    pub valid: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum V1Status {
    /// The V1 key still answers: revoking it will break anything still using it.
    StillLive,
    /// V1 rejects the key (already revoked, or V1 is gone).
    NotAnswering,
    Inconclusive,
    /// No V1 key was supplied.
    NotChecked,
}

#[derive(Debug, Clone, Serialize)]
pub struct V1Report {
    pub status: V1Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct IntegrationReport {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub planned_successor: Option<SuccessorKind>,
    pub credential: CredentialReport,
    pub locations: Vec<LocationReport>,
    pub v1_key: V1Report,
    /// Fingerprints of the V1 key(s) this verification clears for revocation.
    pub v1_fingerprints: Vec<String>,
    pub ready: bool,
    pub verdict: String,
    pub blockers: Vec<String>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub base_url: String,
    pub integrations: Vec<IntegrationReport>,
    pub ready: bool,
    /// Set when no request reached the V2 server at all (connection refused, DNS, TLS): the first error.
    #[serde(skip)]
    pub unreachable: Option<String>,
}

impl Report {
    pub fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        writeln!(out)
    }

    pub fn write_text(&self, out: &mut dyn Write) -> std::io::Result<()> {
        for i in &self.integrations {
            write_integration(i, out)?;
            writeln!(out)?;
        }
        let ready = self.integrations.iter().filter(|i| i.ready).count();
        writeln!(
            out,
            "{ready} of {} integration(s) ready (base URL {}).",
            self.integrations.len(),
            self.base_url
        )
    }
}

fn write_integration(i: &IntegrationReport, out: &mut dyn Write) -> std::io::Result<()> {
    let c = &i.credential;
    writeln!(out, "Integration {} ({})", i.id, i.name)?;
    write!(
        out,
        "  credential: {} {} {}",
        c.description, c.redacted, c.fingerprint
    )?;
    if let Some(e) = &c.expires {
        write!(out, ", expires {e}")?;
    }
    writeln!(out)?;
    if let Some(p) = i.planned_successor {
        writeln!(out, "  planned successor: {}", p.describe())?;
    }
    for l in &i.locations {
        write!(
            out,
            "  location {}: {}",
            l.location_id,
            binding_label(l.binding.status)
        )?;
        if !l.binding.detail.is_empty() {
            write!(out, " ({})", l.binding.detail)?;
        }
        writeln!(out)?;
        write_server_words(out, "      ", &l.binding.server)?;
        let w = l.scopes.iter().map(|s| s.scope.len()).max().unwrap_or(0);
        for s in &l.scopes {
            let label = s.status.label();
            write!(out, "    {:<w$}  {label}", s.scope)?;
            // A detail that starts with the label itself is not said twice.
            let detail = s
                .detail
                .strip_prefix(label)
                .map_or(s.detail.as_str(), |d| d.trim_start_matches([':', ' ']));
            if !detail.is_empty() {
                write!(out, ": {detail}")?;
            }
            writeln!(out)?;
            write_server_words(out, "      ", &s.server)?;
        }
        match &l.rate_limit {
            Some(r) => writeln!(
                out,
                "    rate limit: {} of {} left in the {} ms window; {} of {} left today ({} request(s) sent)",
                opt(r.remaining),
                opt(r.max),
                opt(r.interval_ms),
                opt(r.daily_remaining),
                opt(r.daily_limit),
                l.requests
            )?,
            None => writeln!(
                out,
                "    rate limit: no headers seen ({} request(s) sent)",
                l.requests
            )?,
        }
    }
    writeln!(out, "  V1 key: {}", i.v1_key.detail)?;
    for w in &i.warnings {
        writeln!(out, "  warning: {w}")?;
    }
    for b in &i.blockers {
        writeln!(out, "  blocker: {b}")?;
    }
    writeln!(out, "  verdict: {}", i.verdict)
}

fn write_server_words(out: &mut dyn Write, indent: &str, w: &ServerWords) -> std::io::Result<()> {
    match (&w.message, &w.trace_id) {
        (None, None) => Ok(()),
        (m, t) => writeln!(
            out,
            "{indent}server: {}{}",
            m.as_deref()
                .map(|m| format!("{m:?}"))
                .unwrap_or_else(|| "-".into()),
            t.as_deref()
                .map(|t| format!(" traceId {t}"))
                .unwrap_or_default()
        ),
    }
}

fn opt(v: Option<u64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_else(|| "?".into())
}

fn binding_label(b: BindingStatus) -> &'static str {
    match b {
        BindingStatus::Bound => "bound",
        BindingStatus::WrongLocation => "credential is for another location",
        BindingStatus::LocationNotFound => "location not found",
        BindingStatus::InvalidCredential => "credential rejected",
        BindingStatus::Unconfirmed => "binding unconfirmed",
    }
}
