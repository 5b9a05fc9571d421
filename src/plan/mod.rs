//! `plan`: from an inventory to a migration plan per integration — the successor credential with every
//! reason, the least-privilege scopes (and which call needs each), what changes beyond the URL, key
//! hygiene, and a cutover checklist. Markdown for people, JSON (`ghl-migrate/plan/v1`) for `verify`.
pub mod config;
pub(crate) mod group;
mod markdown;
pub mod successor;

use crate::credential::CredentialKind;
use crate::method::Method;
use crate::rules::{Level, RuleSet};
use crate::scan::ScanReport;
use crate::scan::finding::{Context, Finding, Kind};
use config::{PlanConfig, Tier};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use successor::{Evidence, Successor};

pub use markdown::write as write_markdown;

#[derive(Debug, Serialize)]
pub struct Plan {
    pub schema: &'static str,
    pub tool: String,
    pub roots: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    pub integrations: Vec<Integration>,
    /// Every key found, with where it is used and what to do about it.
    pub keys: Vec<KeyReport>,
    /// Units whose findings are only in docs or comments: update them, no credential to migrate.
    pub mentions: Vec<MentionUnit>,
    /// Sub-accounts (locations) that integrations of more than one repository reach (`plan --from`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shared_locations: Vec<SharedLocation>,
    pub summary: PlanSummary,
}

#[derive(Debug, Serialize)]
pub struct Integration {
    pub id: String,
    pub name: String,
    /// The repository, in a plan across several (`plan --from`); `root` and paths are then `repo:…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    pub root: String,
    pub kind: &'static str,
    pub successor: Successor,
    pub location_ids: Vec<String>,
    pub company_id: Option<String>,
    /// Least-privilege V2 scopes, sorted.
    pub scopes: Vec<String>,
    /// Which calls need each scope (rule ids).
    pub scope_reasons: BTreeMap<String, Vec<String>>,
    pub calls: Vec<PlannedCall>,
    /// Problems to fix before anything else: calls that already fail today, platform rules broken.
    pub fix_first: Vec<String>,
    pub v1_keys: Vec<KeyRef>,
    /// Secrets to replace (env vars / settings holding the V1 key) and keys to rotate.
    pub credential_changes: Vec<String>,
    /// Where the base URL of this integration's calls is set outside the code (`.env`, YAML, JSON
    /// settings: `path:line NAME`): values a deployment may override, to change at deploy time too.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub base_settings: Vec<String>,
    pub checklist: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct PlannedCall {
    pub path: String,
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_pointer: Option<String>,
    pub context: Context,
    pub method: Option<Method>,
    pub v1_path: Option<String>,
    pub rule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub v2: Option<crate::scan::finding::V2Ref>,
    /// Where the mapping comes from (`docs`, `n8n`, `inferred`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'static str>,
    pub changes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub already_broken: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct KeyRef {
    pub fingerprint: String,
    pub redacted: String,
    pub kind: CredentialKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_id: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct KeyReport {
    #[serde(flatten)]
    pub key: KeyRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_days: Option<i64>,
    /// `path:line` of every place it appears.
    pub found_in: Vec<String>,
    /// The repositories it is found in, in a plan across several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub repositories: Vec<String>,
    pub integrations: Vec<String>,
    pub advice: Vec<String>,
    /// A V1 key several integrations use: the cutover in order, ending with its one revocation.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cutover: Vec<String>,
}

/// A sub-account reached from several repositories: its V1 key(s) and its V2 credentials are shared
/// concerns of those teams.
#[derive(Debug, Serialize)]
pub struct SharedLocation {
    pub location_id: String,
    pub repositories: Vec<String>,
    pub integrations: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct MentionUnit {
    pub name: String,
    pub root: String,
    pub places: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct PlanSummary {
    pub integrations: usize,
    pub pit: usize,
    pub oauth: usize,
    pub calls: usize,
    pub unknown_calls: usize,
    pub keys: usize,
}

/// Builds the plan for a scan of `roots` (the first, if a directory, anchors project detection).
/// Where the user ran `plan`, as the checklist's commands need it: the scanned folder as typed (relative
/// to the working directory) and the file the plan is written to.
#[derive(Debug, Clone, Default)]
pub struct Invocation {
    pub scan_root: Option<PathBuf>,
    pub plan_file: Option<PathBuf>,
}

pub fn build(
    scan: &ScanReport,
    rules: &RuleSet,
    here: &Invocation,
    cfg: &PlanConfig,
    cfg_path: Option<String>,
    now: i64,
) -> Plan {
    let scan_root = here.scan_root.as_deref();
    let qualified;
    let findings: &[Finding] = if scan.findings.iter().any(|f| f.repository.is_some()) {
        qualified = qualify_paths(&scan.findings);
        &qualified
    } else {
        &scan.findings
    };
    let units = group::group(findings, scan_root, cfg);
    let mut integrations = Vec::new();
    let mut mentions = Vec::new();
    let mut key_users: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (unit, idx) in &units {
        let fs: Vec<&Finding> = idx.iter().map(|&i| &findings[i]).collect();
        // An integration to migrate has live V1 usage or a V1 key; the rest (docs, comments, V2-only code
        // with a leaked token or a broken V2 URL) is listed for cleanup.
        let live = fs.iter().any(|f| {
            matches!(f.kind, Kind::Call | Kind::BaseUrl | Kind::ExportNode)
                && matches!(f.context, Context::Code | Context::Config | Context::Export)
        });
        let v1_key = fs.iter().any(|f| {
            f.credential.as_ref().is_some_and(|c| c.kind.is_v1())
                && matches!(f.context, Context::Code | Context::Config | Context::Export)
        });
        if !live && !v1_key {
            let places: Vec<String> = fs
                .iter()
                .filter(|f| f.kind != Kind::Credential)
                .map(|f| match (&f.note, f.kind) {
                    (Some(n), Kind::Mention) => format!("{}:{} ({n})", f.path, f.line),
                    _ => format!("{}:{}", f.path, f.line),
                })
                .collect();
            if !places.is_empty() {
                mentions.push(MentionUnit {
                    name: unit.name.clone(),
                    root: unit.root.clone(),
                    places,
                });
            }
            continue;
        }
        let ic = unit.config.map(|i| &cfg.integrations[i]);
        let mut integ = build_integration(unit, here, &fs, rules, ic, cfg.tier);
        settings_read_here(&mut integ, &fs, findings);
        for k in &integ.v1_keys {
            key_users
                .entry(k.fingerprint.clone())
                .or_default()
                .insert(integ.id.clone());
        }
        integrations.push(integ);
    }
    let mut keys = key_reports(findings, &key_users, now);
    // One sub-account reached with several V1 keys: say so where each is used.
    for integ in &mut integrations {
        for k in &integ.v1_keys {
            let Some(loc) = &k.location_id else { continue };
            let others: Vec<String> = keys
                .iter()
                .filter(|o| {
                    o.key.kind == CredentialKind::V1LocationKey
                        && o.key.location_id.as_ref() == Some(loc)
                        && o.key.fingerprint != k.fingerprint
                })
                .map(|o| match o.integrations.is_empty() {
                    true => o.key.fingerprint.clone(),
                    false => format!(
                        "{} (used by {})",
                        o.key.fingerprint,
                        o.integrations.join(", ")
                    ),
                })
                .collect();
            if !others.is_empty() {
                integ.credential_changes.push(format!(
                    "location {loc} is also reached with another V1 key: {} — a sub-account has one V1 key at a time, so at most one of them still works",
                    others.join(", ")
                ));
            }
        }
    }
    // Keys shared across integrations: say so in each.
    for integ in &mut integrations {
        for k in &integ.v1_keys {
            let users = &key_users[&k.fingerprint];
            if users.len() > 1 {
                let others: Vec<&str> = users
                    .iter()
                    .map(String::as_str)
                    .filter(|u| *u != integ.id)
                    .collect();
                integ.credential_changes.push(format!(
                    "key {} is shared with {}: give each integration its own V2 credential (separate revocation and audit)",
                    k.fingerprint,
                    others.join(", ")
                ));
                // Revoked once, by the key's own checklist, after every user has moved.
                let revoke = format!("Revoke the V1 key {} ", k.fingerprint);
                for step in integ
                    .checklist
                    .iter_mut()
                    .filter(|c| c.starts_with(&revoke))
                {
                    *step = format!(
                        "Do not revoke the V1 key {} ({}) here: it is shared with {} — revoke it once, at the end of the key's own cutover checklist",
                        k.fingerprint,
                        k.redacted,
                        others.join(", ")
                    );
                }
            }
        }
    }
    for k in &mut keys {
        k.cutover = key_cutover(k, &integrations, here);
    }
    let shared_locations = shared_locations(&integrations);
    let summary = PlanSummary {
        integrations: integrations.len(),
        pit: integrations
            .iter()
            .filter(|i| i.successor.kind == successor::SuccessorKind::Pit)
            .count(),
        oauth: integrations
            .iter()
            .filter(|i| i.successor.kind != successor::SuccessorKind::Pit)
            .count(),
        calls: integrations.iter().map(|i| i.calls.len()).sum(),
        unknown_calls: integrations
            .iter()
            .map(|i| i.calls.iter().filter(|c| c.rule.is_none()).count())
            .sum(),
        keys: keys.len(),
    };
    Plan {
        schema: "ghl-migrate/plan/v1",
        tool: scan.tool.clone(),
        roots: scan.roots.clone(),
        config: cfg_path,
        tier: cfg.tier,
        integrations,
        keys,
        mentions,
        shared_locations,
        summary,
    }
}

/// Findings of several repositories with their paths shown as `repo:path` (and the `path:line`
/// references between files of one repository likewise).
fn qualify_paths(findings: &[Finding]) -> Vec<Finding> {
    findings
        .iter()
        .map(|f| {
            let mut f = f.clone();
            if let Some(r) = &f.repository {
                let q = |p: &String| crate::reports::qualify(r, p);
                f.read_by = f.read_by.iter().map(q).collect();
                f.trail = f.trail.iter().map(q).collect();
                f.path = crate::reports::qualify(r, &f.path);
            }
            f
        })
        .collect()
}

/// The cutover of a V1 key used by more than one integration: every successor created and proven before
/// anything is deployed, and the key revoked once, last. Empty for a key with one user (that
/// integration's own checklist revokes it).
fn key_cutover(k: &KeyReport, integrations: &[Integration], here: &Invocation) -> Vec<String> {
    if !k.key.kind.is_v1() || k.integrations.len() < 2 {
        return Vec::new();
    }
    let users: Vec<&Integration> = integrations
        .iter()
        .filter(|i| k.integrations.contains(&i.id))
        .collect();
    let plan_file = here
        .plan_file
        .as_deref()
        .map_or("plan.json".to_string(), |p| p.display().to_string());
    let mut c = Vec::new();
    for i in &users {
        c.push(format!(
            "Create the successor of `{}`{}: a {} (scopes: {})",
            i.id,
            i.repository
                .as_deref()
                .map(|r| format!(" (repository `{r}`)"))
                .unwrap_or_default(),
            i.successor.summary,
            if i.scopes.is_empty() {
                "see its open questions".to_string()
            } else {
                i.scopes.join(", ")
            }
        ));
    }
    for i in &users {
        let loc = i
            .location_ids
            .first()
            .map(|l| format!(" --location {l}"))
            .unwrap_or_default();
        c.push(format!(
            "Verify `{}`: `ghl-migrate verify --plan {} --integration {}{loc} --token-env NEW_TOKEN_VAR`",
            i.id,
            shell_word(&plan_file),
            i.id
        ));
    }
    let ids: Vec<&str> = users.iter().map(|i| i.id.as_str()).collect();
    c.push(format!(
        "Deploy every one of them ({}) and watch each for 401/403/422 from services.leadconnectorhq.com",
        ids.join(", ")
    ));
    let place = match (k.key.kind, &k.key.location_id) {
        (CredentialKind::V1LocationKey, Some(l)) => format!(" (the API key of sub-account {l})"),
        (CredentialKind::V1AgencyKey, _) => " (the agency API key)".to_string(),
        _ => String::new(),
    };
    c.push(format!(
        "Then revoke the V1 key {} ({}) once{place}: only after all {} integrations run on V2",
        k.key.fingerprint,
        k.key.redacted,
        users.len()
    ));
    c
}

/// Locations reached by integrations of more than one repository.
fn shared_locations(integrations: &[Integration]) -> Vec<SharedLocation> {
    let mut by_loc: BTreeMap<&str, (BTreeSet<&str>, BTreeSet<&str>)> = BTreeMap::new();
    for i in integrations {
        let Some(repo) = i.repository.as_deref() else {
            continue;
        };
        for l in &i.location_ids {
            let e = by_loc.entry(l).or_default();
            e.0.insert(repo);
            e.1.insert(&i.id);
        }
    }
    by_loc
        .into_iter()
        .filter(|(_, (repos, _))| repos.len() > 1)
        .map(|(l, (repos, ids))| SharedLocation {
            location_id: l.to_string(),
            repositories: repos.into_iter().map(str::to_string).collect(),
            integrations: ids.into_iter().map(str::to_string).collect(),
        })
        .collect()
}

fn build_integration(
    unit: &group::Unit,
    here: &Invocation,
    fs: &[&Finding],
    rules: &RuleSet,
    ic: Option<&config::IntegrationConfig>,
    tier: Option<Tier>,
) -> Integration {
    let mut v1_keys: Vec<KeyRef> = fs
        .iter()
        .filter_map(|f| f.credential.as_ref())
        .filter(|c| c.kind.is_v1())
        .map(|c| KeyRef {
            fingerprint: c.fingerprint.clone(),
            redacted: c.redacted.clone(),
            kind: c.kind,
            location_id: c.claims.location_id.clone(),
            company_id: c.claims.company_id.clone(),
        })
        .collect();
    v1_keys.sort();
    v1_keys.dedup();
    // Built on sub-account keys only: a V1 call there was location-scoped, whatever the endpoint.
    let location_keyed = !v1_keys.is_empty()
        && v1_keys
            .iter()
            .all(|k| k.kind == CredentialKind::V1LocationKey);
    let mut calls = Vec::new();
    let mut scope_reasons: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut agency_calls = Vec::new();
    let mut location_routes = Vec::new();
    let mut location_calls = 0;
    for f in fs
        .iter()
        .filter(|f| matches!(f.kind, Kind::Call | Kind::ExportNode))
    {
        let rule = f.rule.as_deref().and_then(|r| rules.get(r));
        let mut v2 = f.v2.clone();
        let mut changes: Vec<String> = rule
            .map(|r| r.actionable_changes().map(|c| c.text.clone()).collect())
            .unwrap_or_default();
        if let Some(r) = rule {
            let route = (r.level == Level::Agency && location_keyed)
                .then(|| sub_account_route(r))
                .flatten();
            match (r.level, route) {
                (Level::Agency, Some(route)) => {
                    location_calls += 1;
                    if route.path != r.v2.as_ref().map_or("", |t| t.path.as_str()) {
                        changes.insert(
                            0,
                            format!(
                                "location-level route `{} {}` (the V1 call used a location key): not the company-level `{}`",
                                route.method,
                                route.path,
                                r.v2.as_ref().map_or(String::new(), |t| format!("{} {}", t.method, t.path))
                            ),
                        );
                    }
                    location_routes.push(format!("{} → `{} {}`", r.id, route.method, route.path));
                    v2 = Some(route);
                }
                (Level::Agency, None) => {
                    agency_calls.push(format!("{} ({}:{})", r.id, f.path, f.line))
                }
                (Level::Location, _) => location_calls += 1,
            }
            for s in v2.as_ref().map_or(&[][..], |t| t.scopes.as_slice()) {
                scope_reasons
                    .entry(s.clone())
                    .or_default()
                    .insert(r.id.clone());
            }
        } else if f.context != Context::Comment {
            location_calls += 1;
        }
        calls.push(PlannedCall {
            path: f.path.clone(),
            line: f.line,
            json_pointer: f.json_pointer.clone(),
            context: f.context,
            method: f.method,
            v1_path: f.v1_path.clone(),
            rule: f.rule.clone(),
            v2,
            source: rule.map(|r| r.source.as_str()),
            changes,
            already_broken: rule.and_then(|r| r.already_broken.clone()),
            note: f.note.clone(),
        });
    }
    let mut locations: BTreeSet<String> = v1_keys
        .iter()
        .filter_map(|k| k.location_id.clone())
        .collect();
    let mut companies: BTreeSet<String> = v1_keys
        .iter()
        .filter_map(|k| k.company_id.clone())
        .collect();
    if locations.is_empty() {
        // No key says which sub-account: a `GHL_LOCATION_ID`-style setting of this integration does.
        locations = fs
            .iter()
            .filter(|f| f.category == Some(crate::scan::settings::LOCATION))
            .filter_map(|f| f.location_id.clone())
            .collect();
    }
    if let Some(ic) = ic {
        if let Some(l) = &ic.location_id {
            locations = std::iter::once(l.clone()).collect();
        }
        if let Some(c) = &ic.company_id {
            companies = std::iter::once(c.clone()).collect();
        }
    }
    let scopes: Vec<String> = scope_reasons.keys().cloned().collect();
    let unknown_calls = calls
        .iter()
        .filter(|c| c.rule.is_none() && c.context != Context::Comment)
        .count();
    let ev = Evidence {
        agency_calls: agency_calls.iter().map(String::as_str).collect(),
        location_routes: location_routes.iter().map(String::as_str).collect(),
        location_calls,
        locations: locations.iter().cloned().collect(),
        companies: companies.iter().cloned().collect(),
        distributed: ic.is_some_and(|c| c.distributed),
        webhooks: ic.is_some_and(|c| c.webhooks),
        scopes: &scopes,
        tier,
        unknown_calls,
    };
    let successor = successor::decide(&ev);
    let mut fix_first: Vec<String> = calls
        .iter()
        .filter_map(|c| {
            c.already_broken
                .as_ref()
                .map(|b| format!("{}:{}: {b}", c.path, c.line))
        })
        .collect();
    fix_first.extend(
        fs.iter()
            .filter(|f| f.category.is_some_and(|c| !INFORMATIONAL.contains(&c)))
            .map(|f| format!("{}:{}: {}", f.path, f.line, f.note.as_deref().unwrap_or(""))),
    );
    let credential_changes = credential_changes(fs);
    let base_settings = base_settings(fs);
    let mut checklist = checklist(unit, here, &successor, &scopes, &v1_keys, &locations);
    if !base_settings.is_empty() {
        checklist.insert(
            2,
            format!(
                "Where the base URL is a setting, a deployment's own value overrides the repository's: set the V2 base (https://services.leadconnectorhq.com) in every environment that sets {}",
                base_settings.join(", ")
            ),
        );
    }
    Integration {
        id: unit.id.clone(),
        name: unit.name.clone(),
        repository: unit.repository.clone(),
        root: unit.root.clone(),
        kind: unit.kind,
        successor,
        location_ids: locations.into_iter().collect(),
        company_id: companies.into_iter().next(),
        scopes,
        scope_reasons: scope_reasons
            .into_iter()
            .map(|(k, v)| (k, v.into_iter().collect()))
            .collect(),
        calls,
        fix_first,
        v1_keys,
        credential_changes,
        base_settings,
        checklist,
    }
}

/// The settings files (and names) the integration's V1 base URLs come from: base URLs found in config
/// files, and the config steps of its calls' trails (`crm-sync/.env:3 GHL_BASE_URL`).
fn base_settings(fs: &[&Finding]) -> Vec<String> {
    let is_config = |path: &str| {
        let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
        name.starts_with(".env")
            || name.ends_with(".env")
            || [
                ".yml",
                ".yaml",
                ".toml",
                ".ini",
                ".properties",
                ".cfg",
                ".conf",
            ]
            .iter()
            .any(|x| name.ends_with(x))
            || name.starts_with("appsettings")
    };
    let mut out = BTreeSet::new();
    for f in fs {
        if f.kind == Kind::BaseUrl && f.context == Context::Config {
            out.insert(format!("{}:{}", f.path, f.line));
        }
        if matches!(f.kind, Kind::Call | Kind::ExportNode) {
            for step in &f.trail {
                if let Some((loc, name)) = step.rsplit_once(' ')
                    && let Some((path, _)) = loc.rsplit_once(':')
                    && is_config(path)
                {
                    out.insert(format!("{loc} {name}"));
                }
            }
        }
    }
    // A location named with and without its setting name: keep the named one.
    let named: Vec<String> = out.iter().filter(|o| o.contains(' ')).cloned().collect();
    out.retain(|o| o.contains(' ') || !named.iter().any(|n| n.starts_with(&format!("{o} "))));
    out.into_iter().collect()
}

/// The V2 route a sub-account token can call for an agency-level rule: its own V2 target when the spec
/// lets a sub-account token call it, else the first alternative that does.
fn sub_account_route(r: &crate::rules::Rule) -> Option<crate::scan::finding::V2Ref> {
    let spec = crate::spec::V2Spec::get();
    let ok = |m: Method, p: &str| {
        spec.operation(m, p)
            .is_some_and(|o| o.takes_sub_account_token())
    };
    let version =
        r.v2.as_ref()
            .map_or("2021-07-28".to_string(), |t| t.version.clone());
    // A route that needs the company's id is a company-level one, even when a sub-account token may
    // call it: the location-level route (by `locationId`) is preferred.
    let needs_company = |m: Method, p: &str| {
        spec.operation(m, p)
            .is_some_and(|o| o.required.iter().any(|q| q.name == "companyId"))
    };
    let candidates: Vec<(Method, &str, &[String])> =
        r.v2.iter()
            .map(|t| (t.method, t.path.as_str(), t.scopes.as_slice()))
            .chain(
                r.alternatives
                    .iter()
                    .map(|a| (a.method, a.path.as_str(), a.scopes.as_slice())),
            )
            .filter(|(m, p, _)| ok(*m, p))
            .collect();
    candidates
        .iter()
        .find(|(m, p, _)| !needs_company(*m, p))
        .or(candidates.first())
        .map(|(m, p, s)| crate::scan::finding::V2Ref {
            method: *m,
            path: p.to_string(),
            scopes: s.to_vec(),
            version: version.clone(),
        })
}

/// Finding categories that inform the plan elsewhere (credential changes, locations) and are not failures.
const INFORMATIONAL: &[&str] = &[
    crate::scan::settings::CATEGORY,
    crate::scan::settings::LOCATION,
    crate::scan::pipedream::CATEGORY,
];

/// Credential settings declared elsewhere (a `.env`, a CI workflow) and read by this integration's code.
fn settings_read_here(integ: &mut Integration, fs: &[&Finding], all: &[Finding]) {
    let files: BTreeSet<&str> = fs.iter().map(|f| f.path.as_str()).collect();
    let mut by_name: BTreeMap<&str, (Vec<String>, BTreeSet<String>)> = BTreeMap::new();
    for f in all.iter().filter(|f| !f.read_by.is_empty()) {
        let here: Vec<&String> = f
            .read_by
            .iter()
            .filter(|r| files.contains(r.rsplit_once(':').map_or(r.as_str(), |(p, _)| p)))
            .collect();
        if here.is_empty() || fs.iter().any(|g| std::ptr::eq(*g, f)) {
            continue;
        }
        let e = by_name
            .entry(f.setting.as_deref().unwrap_or("?"))
            .or_default();
        e.0.push(format!("{}:{}", f.path, f.line));
        e.1.extend(here.into_iter().cloned());
    }
    for (name, (set, read)) in by_name {
        integ.credential_changes.push(format!(
            "`{name}` (set in {}; read at {}) holds this integration's key at deploy time — put the new V2 credential there at cutover",
            set.join(", "),
            read.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
}

/// What to do with the secrets themselves: which settings hold a key, which keys are hard-coded.
fn credential_changes(fs: &[&Finding]) -> Vec<String> {
    let mut out = BTreeSet::new();
    for f in fs
        .iter()
        .filter(|f| f.category == Some(crate::scan::settings::CATEGORY))
    {
        let name = f.setting.as_deref().unwrap_or("?");
        let read = f
            .note
            .as_deref()
            .and_then(|n| n.split_once("read by "))
            .map(|(_, by)| format!(", read by {by}"))
            .unwrap_or_default();
        out.insert(format!(
            "{}:{}: `{name}` is where the key is set at deploy time (no value in the repository{read}) — put the new V2 credential there at cutover",
            f.path, f.line
        ));
    }
    for f in fs.iter().filter(|f| f.kind == Kind::Credential) {
        let Some(c) = &f.credential else { continue };
        let setting = f.setting.as_deref().or_else(|| {
            f.snippet
                .split(['=', ':'])
                .next()
                .map(str::trim)
                .filter(|s| {
                    !s.is_empty()
                        && s.chars()
                            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == ' ')
                        && !s.contains(' ')
                })
        });
        match (f.context, setting) {
            (Context::Config, Some(name)) => {
                out.insert(format!(
                    "{}:{}: `{name}` holds a {} — replace its value with the new V2 credential from your secret store, and stop committing it",
                    f.path,
                    f.line,
                    c.kind.describe()
                ));
            }
            _ => {
                out.insert(format!(
                    "{}:{}: a {} is hard-coded ({}) — read the new credential from an environment variable or secret instead",
                    f.path,
                    f.line,
                    c.kind.describe(),
                    c.fingerprint
                ));
            }
        }
    }
    out.into_iter().collect()
}

fn checklist(
    unit: &group::Unit,
    here: &Invocation,
    s: &Successor,
    scopes: &[String],
    keys: &[KeyRef],
    locations: &BTreeSet<String>,
) -> Vec<String> {
    let mut c = Vec::new();
    let scope_list = if scopes.is_empty() {
        "(no scope known: see open questions)".to_string()
    } else {
        scopes.join(", ")
    };
    c.push(format!(
        "Create the {} with scopes: {scope_list}",
        s.summary
    ));
    c.push(
        "Store it in your secret store / deployment environment (never in the repository)".into(),
    );
    // Paths as the user can type them where they ran `plan` (or, across repositories, in the repository).
    let unit_root = unit.root.split(", ").next().unwrap_or(".");
    let (review, unit_root) = match &unit.repository {
        Some(r) => (
            format!("In repository `{r}`: review"),
            unit_root
                .strip_prefix(r.as_str())
                .and_then(|p| p.strip_prefix(':'))
                .unwrap_or(unit_root),
        ),
        None => ("Review".to_string(), unit_root),
    };
    let target = match &here.scan_root {
        Some(r) if unit_root == "." => r.clone(),
        Some(r) => r.join(unit_root),
        None => PathBuf::from(unit_root),
    };
    let plan_file = here
        .plan_file
        .as_deref()
        .map_or("plan.json".to_string(), |p| p.display().to_string());
    c.push(format!("{review} and apply the code changes: `ghl-migrate diff {}` (locationId, pagination, response shapes are marked for you)", shell_word(&target.display().to_string())));
    let loc = locations
        .iter()
        .next()
        .map(|l| format!(" --location {l}"))
        .unwrap_or_default();
    let plan_hint = if here.plan_file.is_some() {
        String::new()
    } else if unit.repository.is_some() {
        " (after `ghl-migrate plan --from REPORT.json… --format json -o plan.json`)".to_string()
    } else {
        " (after `ghl-migrate plan --format json -o plan.json`)".to_string()
    };
    c.push(format!("Prove the new credential: `ghl-migrate verify --plan {} --integration {}{loc} --token-env NEW_TOKEN_VAR`{plan_hint}", shell_word(&plan_file), unit.id));
    c.push("Deploy, then watch logs for 401/403/422 from services.leadconnectorhq.com for a full business cycle".into());
    if keys.is_empty() {
        c.push("Find and revoke the V1 key this integration used (none was found in the code: it lives in a setting or secret)".into());
    } else {
        for k in keys {
            c.push(format!(
                "Revoke the V1 key {} ({}) once nothing else uses it",
                k.fingerprint, k.redacted
            ));
        }
    }
    c
}

/// A path as one shell word: quoted when it holds anything but plain path characters.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+,@=:".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn key_reports(
    findings: &[Finding],
    users: &BTreeMap<String, BTreeSet<String>>,
    now: i64,
) -> Vec<KeyReport> {
    let mut by_fp: BTreeMap<String, KeyReport> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.kind == Kind::Credential) {
        let Some(c) = &f.credential else { continue };
        let entry = by_fp
            .entry(c.fingerprint.clone())
            .or_insert_with(|| KeyReport {
                key: KeyRef {
                    fingerprint: c.fingerprint.clone(),
                    redacted: c.redacted.clone(),
                    kind: c.kind,
                    location_id: c.claims.location_id.clone(),
                    company_id: c.claims.company_id.clone(),
                },
                issued: c.claims.issued.clone(),
                age_days: c.age_days(now),
                found_in: Vec::new(),
                repositories: Vec::new(),
                integrations: users
                    .get(&c.fingerprint)
                    .map(|u| u.iter().cloned().collect())
                    .unwrap_or_default(),
                advice: Vec::new(),
                cutover: Vec::new(),
            });
        if let Some(r) = &f.repository
            && !entry.repositories.contains(r)
        {
            entry.repositories.push(r.clone());
            entry.repositories.sort();
        }
        entry.found_in.push(format!(
            "{}:{}{}",
            f.path,
            f.line,
            if f.context == Context::Comment {
                " (comment)"
            } else if f.context == Context::Docs {
                " (docs)"
            } else {
                ""
            }
        ));
    }
    for r in by_fp.values_mut() {
        r.advice.push("committed to the repository: rotate it even after migrating (anyone with the history has it)".into());
        match r.key.kind {
            k if k.is_v1() => {
                r.advice.push("V1 keys get no fixes (V1 reached end of support on 2025-12-31); HighLevel deletes keys unused for 90 days in a quarterly sweep, with in-app warnings 15, 7 and 1 day before".into());
                if k == CredentialKind::V1ShortKey {
                    r.advice.push("an old short/UUID-format key: regenerated keys are 250+ characters and the old one stops working at once".into());
                }
            }
            CredentialKind::V2Pit => r.advice.push("a V2 Private Integration Token in the repository is still a leak: rotate it (Rotate and expire now)".into()),
            CredentialKind::V2OauthToken => r.advice.push("a V2 OAuth token in the repository: revoke the app's tokens and re-authorize".into()),
            _ => {}
        }
        if r.integrations.len() > 1 {
            r.advice.push(format!(
                "used by {} integrations: replace it with one credential per integration",
                r.integrations.len()
            ));
        }
    }
    let mut reports: Vec<KeyReport> = by_fp.into_values().collect();
    same_location_advice(&mut reports);
    reports
}

/// Several V1 location keys naming one location: regenerating a sub-account's key stops the old one, so
/// at most one of them works (the newest, as far as their `iat` tells).
fn same_location_advice(reports: &mut [KeyReport]) {
    let mut by_loc: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, r) in reports.iter().enumerate() {
        if r.key.kind == CredentialKind::V1LocationKey
            && let Some(l) = &r.key.location_id
        {
            by_loc.entry(l.clone()).or_default().push(i);
        }
    }
    for (loc, idx) in by_loc.into_iter().filter(|(_, v)| v.len() > 1) {
        let newest = idx.iter().filter_map(|&i| reports[i].issued.clone()).max();
        let fps: Vec<String> = idx
            .iter()
            .map(|&i| reports[i].key.fingerprint.clone())
            .collect();
        for &i in &idx {
            let r = &mut reports[i];
            let mut a = format!(
                "location {loc} is reached with {} different V1 keys ({}): a sub-account has one V1 key at a time (regenerating it stops the old one)",
                idx.len(),
                fps.join(", ")
            );
            if newest.is_some() && r.issued.is_some() && r.issued < newest {
                a.push_str(&format!(
                    "; this one is older than {}, so it has most likely stopped working already",
                    newest.as_deref().unwrap_or_default()
                ));
            }
            a.push_str(" — give each integration its own V2 credential and revoke every one of these keys after cutover");
            r.advice.push(a);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(
        fp: &str,
        kind: CredentialKind,
        loc: Option<&str>,
        issued: Option<&str>,
    ) -> KeyReport {
        KeyReport {
            key: KeyRef {
                fingerprint: fp.into(),
                redacted: "x".into(),
                kind,
                location_id: loc.map(Into::into),
                company_id: None,
            },
            issued: issued.map(Into::into),
            age_days: None,
            found_in: Vec::new(),
            repositories: Vec::new(),
            integrations: Vec::new(),
            advice: Vec::new(),
            cutover: Vec::new(),
        }
    }

    #[test]
    fn two_keys_of_one_location_are_called_out_and_the_older_is_suspect() {
        let mut r = vec![
            report(
                "sha256:a",
                CredentialKind::V1LocationKey,
                Some("L1"),
                Some("2023-01-01"),
            ),
            report(
                "sha256:b",
                CredentialKind::V1LocationKey,
                Some("L1"),
                Some("2024-01-01"),
            ),
            report(
                "sha256:c",
                CredentialKind::V1LocationKey,
                Some("L2"),
                Some("2020-01-01"),
            ),
            report(
                "sha256:d",
                CredentialKind::V1AgencyKey,
                None,
                Some("2020-01-01"),
            ),
        ];
        same_location_advice(&mut r);
        let a = r[0].advice.join(" ");
        assert!(
            a.contains("location L1 is reached with 2 different V1 keys (sha256:a, sha256:b)"),
            "{a}"
        );
        assert!(a.contains("older than 2024-01-01"), "{a}");
        let b = r[1].advice.join(" ");
        assert!(
            b.contains("2 different V1 keys") && !b.contains("older than"),
            "{b}"
        );
        assert!(r[2].advice.is_empty() && r[3].advice.is_empty());
    }
}
