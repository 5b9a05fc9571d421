//! Baselines: the findings a team has accepted, recorded by a content fingerprint so that `scan --baseline`
//! fails only on new ones. A fingerprint depends on the rule (or category, or kind), the path, and the
//! finding's line with whitespace collapsed — not on the line number, so moving code keeps it. Keys are
//! recorded by their fingerprint only (the snippet is already redacted, and only its hash is stored).
use super::ScanReport;
use super::finding::{Finding, Suppression};
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

const SCHEMA: &str = "ghl-migrate/baseline/v1";

#[derive(Debug, Serialize, Deserialize)]
pub struct Baseline {
    pub schema: String,
    pub findings: Vec<Entry>,
}

/// One accepted finding: its fingerprint, and where it was when recorded (for people reading the file).
#[derive(Debug, Serialize, Deserialize)]
pub struct Entry {
    pub fingerprint: String,
    pub rule: String,
    pub path: String,
    pub line: usize,
}

/// What a finding is about: its rule, else its category, else its kind (`base_url`, `credential`).
pub fn subject(f: &Finding) -> String {
    f.rule
        .clone()
        .or(f.category.map(str::to_string))
        .unwrap_or_else(|| super::enum_name(&f.kind))
}

/// The finding's content fingerprint (also SARIF's `partialFingerprints`).
pub fn fingerprint(f: &Finding) -> String {
    let code: Vec<&str> = f.snippet.split_whitespace().collect();
    crate::redact::fingerprint(&format!(
        "{}|{}|{}|{}|{}",
        subject(f),
        f.path,
        code.join(" "),
        f.json_pointer.as_deref().unwrap_or(""),
        f.credential.as_ref().map_or("", |c| c.fingerprint.as_str())
    ))
}

/// The baseline of every finding in `report` (accepted ones included, so a re-recorded baseline keeps them).
pub fn record(report: &ScanReport) -> Baseline {
    Baseline {
        schema: SCHEMA.into(),
        findings: report
            .findings
            .iter()
            .map(|f| Entry {
                fingerprint: fingerprint(f),
                rule: subject(f),
                path: f.path.clone(),
                line: f.line,
            })
            .collect(),
    }
}

pub fn write(report: &ScanReport, path: &Path) -> Result<()> {
    let text = serde_json::to_string_pretty(&record(report))?;
    crate::redact::write_file(path, format!("{text}\n").as_bytes())
        .with_context(|| format!("writing the baseline {}", path.display()))
}

pub fn read(path: &Path) -> Result<Baseline> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the baseline {}", path.display()))?;
    let b: Baseline = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a ghl-migrate baseline", path.display()))?;
    if b.schema != SCHEMA {
        bail!(
            "{}: schema {:?}, expected {SCHEMA:?}",
            path.display(),
            b.schema
        );
    }
    Ok(b)
}

/// Marks the findings the baseline accepted; each entry accepts one finding (the same line written
/// twice is two findings and needs two entries).
pub fn apply(report: &mut ScanReport, baseline: &Baseline, name: &str) {
    let mut left: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &baseline.findings {
        *left.entry(e.fingerprint.as_str()).or_default() += 1;
    }
    for f in &mut report.findings {
        if f.suppressed.is_some() {
            continue;
        }
        let fp = fingerprint(f);
        if let Some(n) = left.get_mut(fp.as_str())
            && *n > 0
        {
            *n -= 1;
            f.suppressed = Some(Suppression {
                kind: "baseline",
                justification: format!("in the baseline {name}"),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::finding::{Context, Kind};

    fn call(line: usize, snippet: &str) -> Finding {
        let mut f = Finding::new(Kind::Call, "a.js", line, 1, Context::Code);
        f.rule = Some("contacts.list".into());
        f.snippet = snippet.into();
        f
    }

    #[test]
    fn fingerprints_survive_moves_and_reindentation_not_edits() {
        let a = fingerprint(&call(3, "get('/v1/contacts/')"));
        assert_eq!(a, fingerprint(&call(30, "get('/v1/contacts/')  ")));
        assert_eq!(a, fingerprint(&call(3, "\t  get('/v1/contacts/')")));
        assert_ne!(a, fingerprint(&call(3, "get('/v1/contacts/?q=1')")));
    }
}
