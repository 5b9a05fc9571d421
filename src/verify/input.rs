//! What verify works on: the plan (or a standalone location + scopes) and the credentials, read from the
//! environment, a file or stdin — never from the command line, where they would land in shell history
//! and `ps`.
use crate::redact::redact;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

pub const PLAN_SCHEMA: &str = "ghl-migrate/plan/v1";

/// A credential in memory. `Debug`/`Display` show only its redacted form.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Trims surrounding whitespace (a trailing `\r\n` makes HighLevel answer "Invalid Private Integration
    /// token"); refuses an empty value.
    pub fn new(raw: &str, origin: &str) -> Result<Secret> {
        let t = raw.trim();
        // From here on, no output of this run shows it (an echoing server, an error naming it).
        crate::redact::remember(t);
        if t.is_empty() {
            bail!("{origin} is empty");
        }
        if t.chars().any(|c| c.is_whitespace() || c.is_control()) {
            bail!("{origin} contains whitespace inside the value (expected a single token)");
        }
        Ok(Secret(t.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", redact(&self.0))
    }
}

/// Where a credential comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    Env(String),
    File(PathBuf),
    Stdin,
}

impl SecretSource {
    /// Reads the secret. Errors name the source, never the value.
    pub fn read(&self, stdin: &mut dyn Read) -> Result<Secret> {
        match self {
            SecretSource::Env(var) => {
                check_env_name(var)?;
                let v = std::env::var(var)
                    .with_context(|| format!("environment variable {var} is not set"))?;
                Secret::new(&v, &format!("environment variable {var}"))
            }
            SecretSource::File(p) => {
                let v = crate::limits::read_small_file(
                    p,
                    crate::limits::MAX_TOKEN_BYTES,
                    "credential file",
                )?;
                Secret::new(&v, &format!("credential file {}", p.display()))
            }
            SecretSource::Stdin => {
                let mut v = String::new();
                stdin
                    .take(64 * 1024)
                    .read_to_string(&mut v)
                    .context("reading the credential from stdin")?;
                Secret::new(&v, "stdin")
            }
        }
    }
}

fn check_env_name(var: &str) -> Result<()> {
    if looks_like_token(var) {
        bail!("{}", token_argument_error());
    }
    let ok = !var.is_empty()
        && !var.starts_with(|c: char| c.is_ascii_digit())
        && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        bail!("{var:?} is not an environment variable name");
    }
    Ok(())
}

pub use crate::credential::looks_like_token;

pub fn token_argument_error() -> &'static str {
    "a credential was passed on the command line (it is now in your shell history; consider rotating it). \
     Pass it with --token-env VAR, --token-file PATH or --token-stdin instead"
}

/// Location / company ids go into URL paths: only plain ids are accepted.
pub fn check_id(kind: &str, id: &str) -> Result<()> {
    if looks_like_token(id) {
        bail!("{}", token_argument_error());
    }
    if id.is_empty()
        || id.len() > 64
        || !id
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
    {
        bail!("{kind} {id:?} is not a HighLevel id (letters, digits, '-' and '_' only)");
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SuccessorKind {
    Pit,
    OauthLocation,
    OauthCompany,
}

impl SuccessorKind {
    pub fn describe(self) -> &'static str {
        match self {
            SuccessorKind::Pit => "Private Integration Token",
            SuccessorKind::OauthLocation => "OAuth Location token",
            SuccessorKind::OauthCompany => "OAuth Company (agency) token",
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Successor {
    #[serde(default)]
    pub kind: Option<SuccessorKind>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct PlanV1Key {
    #[serde(default)]
    pub fingerprint: Option<String>,
    #[serde(default)]
    pub redacted: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub location_id: Option<String>,
}

/// One integration of the plan: unknown fields are ignored, missing ones default.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Integration {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub successor: Successor,
    #[serde(default)]
    pub location_ids: Vec<String>,
    #[serde(default)]
    pub company_id: Option<String>,
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub v1_keys: Vec<PlanV1Key>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Plan {
    #[serde(default)]
    pub schema: Option<String>,
    #[serde(default)]
    pub integrations: Vec<Integration>,
}

impl Plan {
    pub fn load(path: &Path) -> Result<Plan> {
        let text = crate::limits::read_small_file(path, crate::limits::MAX_DOC_BYTES, "plan")?;
        Plan::parse(&text).with_context(|| format!("invalid plan {}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Plan> {
        let plan: Plan = serde_json::from_str(text).context("not a plan JSON document")?;
        if let Some(s) = &plan.schema
            && s != PLAN_SCHEMA
        {
            bail!("unsupported plan schema {s:?} (expected {PLAN_SCHEMA:?})");
        }
        if plan.integrations.is_empty() {
            bail!("the plan has no integrations");
        }
        let mut seen = std::collections::BTreeSet::new();
        for i in &plan.integrations {
            if i.id.trim().is_empty() {
                bail!("an integration has an empty id");
            }
            if !seen.insert(i.id.as_str()) {
                bail!("integration id {:?} appears twice", i.id);
            }
            i.validate()?;
        }
        Ok(plan)
    }
}

impl Integration {
    pub fn validate(&self) -> Result<()> {
        for l in &self.location_ids {
            check_id("location id", l).with_context(|| format!("integration {:?}", self.id))?;
        }
        if let Some(c) = &self.company_id {
            check_id("company id", c).with_context(|| format!("integration {:?}", self.id))?;
        }
        let spec = crate::spec::V2Spec::get();
        for s in split_scopes(&self.scopes) {
            if s.trim().is_empty() || s.len() > 200 {
                bail!("integration {:?}: invalid scope {s:?}", self.id);
            }
            // Refused before any request: a typo would otherwise be "inconclusive" after a run.
            if !spec.is_known_scope(&s) {
                let family = s.split(['.', '/']).next().unwrap_or("");
                let near: Vec<&str> = spec
                    .scopes()
                    .map(|i| i.scope.as_str())
                    .filter(|k| !family.is_empty() && k.starts_with(family))
                    .take(6)
                    .collect();
                bail!(
                    "integration {:?}: {s:?} is not a V2 scope{}",
                    self.id,
                    if near.is_empty() {
                        String::new()
                    } else {
                        format!(" (did you mean one of: {}?)", near.join(", "))
                    }
                );
            }
        }
        Ok(())
    }

    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }
}

/// `--tokens FILE`: integration id → `{env: VAR}` or `{file: PATH}` (relative to the tokens file).
pub fn load_tokens_file(path: &Path) -> Result<BTreeMap<String, SecretSource>> {
    let text = crate::limits::read_small_file(path, crate::limits::MAX_DOC_BYTES, "tokens file")?;
    if let Some(why) = crate::limits::structure_refusal(&text, crate::limits::MAX_DOC_BYTES) {
        bail!("tokens file {} is {why}: not parsed", path.display());
    }
    /// `{env: VAR}` or `{file: PATH}`, exactly one.
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Entry {
        env: Option<String>,
        file: Option<PathBuf>,
    }
    let expected = || {
        format!(
            "invalid tokens file {} (expected `<integration id>: {{env: VAR}}` or `{{file: PATH}}`)",
            path.display()
        )
    };
    let entries: BTreeMap<String, Entry> = serde_norway::from_str(&text).with_context(expected)?;
    let mut map = BTreeMap::new();
    for (id, e) in entries {
        let src = match (e.env, e.file) {
            (Some(v), None) => SecretSource::Env(v),
            (None, Some(p)) => SecretSource::File(p),
            _ => bail!("{}: {id:?} needs exactly one of env or file", expected()),
        };
        map.insert(id, src);
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    for src in map.values_mut() {
        if let SecretSource::File(p) = src
            && p.is_relative()
        {
            *p = dir.join(&*p);
        }
    }
    Ok(map)
}

/// The V2 scopes of every call a `scan --format json` report matched to a rule.
pub fn scopes_from_scan(path: &Path) -> Result<Vec<String>> {
    let text =
        crate::limits::read_small_file(path, crate::limits::MAX_REPORT_BYTES, "scan report")?;
    let doc: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a `scan --format json` report", path.display()))?;
    let findings = doc
        .get("findings")
        .and_then(|f| f.as_array())
        .with_context(|| format!("{} has no `findings` array", path.display()))?;
    let mut scopes = Vec::new();
    for f in findings {
        let list = f.pointer("/v2/scopes").and_then(|s| s.as_array());
        for s in list.into_iter().flatten().filter_map(|s| s.as_str()) {
            if !scopes.iter().any(|x| x == s) {
                scopes.push(s.to_string());
            }
        }
    }
    if scopes.is_empty() {
        bail!(
            "{}: no finding maps to a V2 endpoint with scopes (nothing to verify)",
            path.display()
        );
    }
    Ok(scopes)
}

/// Splits `a,b c` into scopes (comma or whitespace separated), keeping order, dropping duplicates.
pub fn split_scopes(list: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in list
        .iter()
        .flat_map(|s| s.split(|c: char| c == ',' || c.is_whitespace()))
    {
        let p = part.trim();
        if !p.is_empty() && !out.iter().any(|x| x == p) {
            out.push(p.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!("../../fixtures/plans/sample-plan.json");

    #[test]
    fn sample_plan_parses() {
        let p = Plan::parse(SAMPLE).unwrap();
        assert_eq!(p.integrations[0].id, "backend");
        assert_eq!(p.integrations[0].successor.kind, Some(SuccessorKind::Pit));
        assert_eq!(
            p.integrations[0].v1_keys[0].fingerprint.as_deref(),
            Some("sha256:0123456789ab")
        );
    }

    #[test]
    fn unknown_fields_are_ignored_and_missing_ones_default() {
        let p = Plan::parse(r#"{"integrations":[{"id":"x","future":1,"successor":{"kind":"oauth_company","extra":true}}]}"#).unwrap();
        let i = &p.integrations[0];
        assert!(i.location_ids.is_empty() && i.scopes.is_empty() && i.v1_keys.is_empty());
        assert_eq!(i.successor.kind, Some(SuccessorKind::OauthCompany));
    }

    #[test]
    fn bad_plans_are_rejected() {
        assert!(Plan::parse("{").is_err());
        assert!(Plan::parse(r#"{"schema":"other/v9","integrations":[{"id":"x"}]}"#).is_err());
        assert!(Plan::parse(r#"{"integrations":[]}"#).is_err());
        assert!(Plan::parse(r#"{"integrations":[{"id":"x"},{"id":"x"}]}"#).is_err());
        assert!(
            Plan::parse(r#"{"integrations":[{"id":"x","location_ids":["../admin"]}]}"#).is_err()
        );
    }

    #[test]
    fn secrets_are_trimmed_and_never_shown() {
        // Synthetic PIT, not a real credential.
        let s = Secret::new("  pit-3f2a9c1e-7b4d-4e8a-9c2f-5d1e8b7a6c40\r\n", "x").unwrap();
        assert_eq!(s.expose(), "pit-3f2a9c1e-7b4d-4e8a-9c2f-5d1e8b7a6c40");
        assert!(!format!("{s:?}").contains("7b4d-4e8a"));
        assert!(Secret::new(" \r\n", "x").is_err());
        assert!(Secret::new("a b", "x").is_err());
        let mut stdin: &[u8] = b"pit-3f2a9c1e-7b4d-4e8a-9c2f-5d1e8b7a6c40\n";
        assert_eq!(
            SecretSource::Stdin.read(&mut stdin).unwrap().expose(),
            "pit-3f2a9c1e-7b4d-4e8a-9c2f-5d1e8b7a6c40"
        );
    }

    #[test]
    fn tokens_on_the_command_line_are_recognised() {
        assert!(looks_like_token("pit-3f2a9c1e-7b4d-4e8a-9c2f-5d1e8b7a6c40"));
        assert!(looks_like_token(&crate::credential::synthetic_jwt(
            r#"{"authClass":"Location"}"#
        )));
        assert!(!looks_like_token("GHL_PIT"));
        assert!(!looks_like_token("LOCaaaaaaaaaaaaaaa01"));
        let e = SecretSource::Env("pit-3f2a9c1e-7b4d-4e8a-9c2f-5d1e8b7a6c40".into())
            .read(&mut &b""[..])
            .unwrap_err()
            .to_string();
        assert!(!e.contains("7b4d"), "{e}");
        assert!(check_id("location id", "LOCaaaaaaaaaaaaaaa01").is_ok());
        assert!(check_id("location id", "a/b").is_err());
    }

    #[test]
    fn scope_lists_split_and_dedup() {
        assert_eq!(
            split_scopes(&["a,b".into(), " c  a".into()]),
            vec!["a", "b", "c"]
        );
    }
}
