//! Rendering a scan: text for terminals, JSON (the `ghl-migrate/scan/v1` contract), SARIF 2.1.0 for code
//! scanning, Markdown for pull requests, CSV for spreadsheets. Every format shows secrets only redacted
//! (findings never hold a raw secret).
mod csv;
mod markdown;
mod sarif;
mod text;

pub use text::visible;

use crate::rules::RuleSet;
use crate::scan::ScanReport;
use std::io::{self, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Markdown,
    Csv,
}

/// Writes `report` in `format`. `color` applies to text only.
pub fn write(
    report: &ScanReport,
    rules: &RuleSet,
    format: Format,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    write_with(report, rules, format, color, true, out)
}

/// [`write`], with or without the text format's closing summary lines (`scan -q` drops them; the other
/// formats carry the summary as data and are unchanged).
pub fn write_with(
    report: &ScanReport,
    rules: &RuleSet,
    format: Format,
    color: bool,
    summary: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text if !summary => text::write_findings(report, color, out),
        Format::Text => text::write(report, color, out),
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            writeln!(out)
        }
        Format::Sarif => {
            serde_json::to_writer_pretty(&mut *out, &sarif::build(report, rules))?;
            writeln!(out)
        }
        Format::Markdown => markdown::write(report, out),
        Format::Csv => csv::write(report, out),
    }
}

/// A one-line description of what a finding is, shared by the human-readable formats.
pub(crate) fn describe(f: &crate::scan::finding::Finding) -> String {
    use crate::scan::finding::Kind;
    match f.kind {
        Kind::Call | Kind::ExportNode => {
            let m = f.method.map_or("?".to_string(), |m| m.to_string());
            let v1 = f.v1_path.as_deref().unwrap_or("?");
            match (&f.rule, &f.v2) {
                (Some(_), Some(v2)) => format!(
                    "{m} {v1} → {} {} [{}]",
                    v2.method,
                    v2.path,
                    v2.scopes.join(", ")
                ),
                (Some(r), None) => format!("{m} {v1} → no V2 equivalent (rules show {r})"),
                (None, _) => format!("{m} {v1}"),
            }
        }
        Kind::BaseUrl => format!(
            "V1 base URL {}{}",
            f.host.as_deref().unwrap_or(""),
            f.v1_path.as_deref().filter(|p| *p != "/").unwrap_or("")
        ),
        Kind::Credential => match &f.credential {
            Some(c) => {
                let mut s = format!("{} {} {}", c.kind.describe(), c.redacted, c.fingerprint);
                if let Some(l) = &c.claims.location_id {
                    s.push_str(&format!(" location {l}"));
                }
                if let Some(co) = &c.claims.company_id {
                    s.push_str(&format!(" company {co}"));
                }
                if let Some(d) = &c.claims.issued {
                    s.push_str(&format!(" issued {d}"));
                }
                s
            }
            None => "credential".into(),
        },
        Kind::Mention => f.note.clone().unwrap_or_default(),
    }
}

/// Stable id for a finding in formats that need one (SARIF rule ids, CSV).
pub(crate) fn rule_id(f: &crate::scan::finding::Finding) -> String {
    use crate::scan::finding::Kind;
    match (&f.rule, f.kind) {
        (Some(r), _) => r.clone(),
        (None, Kind::Call | Kind::ExportNode) => "ghl.v1.unknown-endpoint".into(),
        (None, Kind::BaseUrl) => "ghl.v1.base-url".into(),
        (None, Kind::Credential) => format!(
            "ghl.credential.{}",
            f.credential
                .as_ref()
                .map_or("unknown_secret", |c| c.kind.as_str())
        ),
        (None, Kind::Mention) => "ghl.mention".into(),
    }
}
