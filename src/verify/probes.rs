//! The probe table: for each V2 scope, the cheapest request that proves a credential holds it
//! (`rules/reference/probes.yaml`, embedded), and how to fill its placeholders for one location.
use crate::method::Method;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

static PROBES_YAML: &str = include_str!("../../rules/reference/probes.yaml");

/// An id no HighLevel record can have (real ids are 20–24 alphanumerics): a 404 on it means the request
/// got past authentication and the scope gate.
pub const PROBE_ID: &str = "ghlMigrateProbe000000000000";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeKind {
    /// A plain read: always sent.
    Get,
    /// A read-only search POST: sent only with `--allow-search-posts`.
    SearchPost,
    /// A validation-only POST: sent only with `--allow-search-posts`.
    ValidatePost,
    /// Mints a short-lived token (`/oauth/locationToken`): sent only with `--allow-token-exchange`.
    Mint,
    /// No read endpoint needs the scope; never probed.
    WriteOnly,
    /// No usable public V2 endpoint.
    None,
}

impl ProbeKind {
    /// Kinds that send a request at all (given the matching opt-in).
    pub fn sends(self) -> bool {
        !matches!(self, ProbeKind::WriteOnly | ProbeKind::None)
    }
}

/// Which credential class an endpoint accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenLevel {
    Location,
    Agency,
    Either,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    pub scope: String,
    pub kind: ProbeKind,
    #[serde(default)]
    pub method: Option<Method>,
    /// The V2 spec's path template, verbatim.
    #[serde(default)]
    pub path: Option<String>,
    /// Fixed values for templated path segments (e.g. `resourceType: equipments`).
    #[serde(default)]
    pub path_params: BTreeMap<String, String>,
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    /// JSON body, only for the opt-in POST kinds.
    #[serde(default)]
    pub body: Option<serde_json::Value>,
    #[serde(default)]
    pub version: Option<String>,
    pub token: TokenLevel,
    /// Why a write-only / none scope cannot be proven read-only.
    #[serde(default)]
    pub explain: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Values the placeholders are filled from.
#[derive(Debug, Clone, Default)]
pub struct ProbeContext {
    pub location_id: Option<String>,
    pub company_id: Option<String>,
    pub app_id: Option<String>,
}

/// A probe made concrete for one location: everything the HTTP layer needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: Method,
    /// Path with every placeholder filled (values are validated ids, so no escaping is needed).
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<serde_json::Value>,
    /// Send the body form-encoded (`/oauth/locationToken`) rather than as JSON.
    pub form: bool,
    pub version: String,
    /// The path contains an id that cannot exist, so a 404 means the scope gate was passed.
    pub uses_probe_id: bool,
}

impl Request {
    /// `GET /locations/{locationId}`-style label for reports (the template, not the filled path).
    pub fn label(probe: &Probe) -> String {
        format!(
            "{} {}",
            probe.method.map(Method::as_str).unwrap_or("-"),
            probe.path.as_deref().unwrap_or("-")
        )
    }
}

/// Default `Version` header when the spec declares none (HighLevel's baseline version).
pub const DEFAULT_VERSION: &str = "2021-07-28";

impl Probe {
    /// Fills the placeholders. Fails (with the name of what is missing) when the context lacks a value,
    /// e.g. `users.readonly` needs the company id.
    pub fn render(&self, ctx: &ProbeContext) -> Result<Request> {
        let (Some(method), Some(path)) = (self.method, self.path.as_deref()) else {
            bail!("scope {} has no probe request", self.scope);
        };
        let mut uses_probe_id = false;
        let mut segs = Vec::new();
        for seg in path.split('/') {
            match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => {
                    let v = match self.path_params.get(name) {
                        Some(v) => v.clone(),
                        None => match fill(name, ctx)? {
                            Some(v) => v,
                            None => {
                                uses_probe_id = true;
                                PROBE_ID.to_string()
                            }
                        },
                    };
                    segs.push(v);
                }
                None => segs.push(seg.to_string()),
            }
        }
        let mut query = Vec::new();
        for (k, v) in &self.query {
            query.push((k.clone(), fill_value(v, ctx)?));
        }
        let body = match &self.body {
            Some(b) => Some(fill_json(b, ctx)?),
            None => None,
        };
        Ok(Request {
            method,
            path: segs.join("/"),
            query,
            body,
            form: self.kind == ProbeKind::Mint,
            version: self
                .version
                .clone()
                .unwrap_or_else(|| DEFAULT_VERSION.into()),
            uses_probe_id,
        })
    }
}

/// The value for a named placeholder: `Ok(None)` for names the probe fills with [`PROBE_ID`].
fn fill(name: &str, ctx: &ProbeContext) -> Result<Option<String>> {
    let (v, what) = match name {
        "locationId" => (&ctx.location_id, "a location id"),
        "companyId" => (&ctx.company_id, "the company (agency) id"),
        "appId" => (&ctx.app_id, "the marketplace app id"),
        "probeId" => return Ok(None),
        _ => return Ok(None),
    };
    v.clone()
        .map(Some)
        .with_context(|| format!("the probe needs {what}, which is not known"))
}

/// Fills `{name}` placeholders inside a query or body string.
fn fill_value(v: &str, ctx: &ProbeContext) -> Result<String> {
    let mut out = String::new();
    let mut rest = v;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        let name = &rest[start + 1..start + len];
        out.push_str(&fill(name, ctx)?.unwrap_or_else(|| PROBE_ID.to_string()));
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn fill_json(v: &serde_json::Value, ctx: &ProbeContext) -> Result<serde_json::Value> {
    use serde_json::Value;
    Ok(match v {
        Value::String(s) => Value::String(fill_value(s, ctx)?),
        Value::Array(a) => {
            Value::Array(a.iter().map(|x| fill_json(x, ctx)).collect::<Result<_>>()?)
        }
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| Ok((k.clone(), fill_json(x, ctx)?)))
                .collect::<Result<_>>()?,
        ),
        other => other.clone(),
    })
}

/// The probe table, keyed by scope.
pub struct ProbeTable {
    probes: BTreeMap<String, Probe>,
}

impl ProbeTable {
    /// The embedded table, parsed once.
    pub fn get() -> &'static ProbeTable {
        static TABLE: OnceLock<ProbeTable> = OnceLock::new();
        TABLE.get_or_init(|| ProbeTable::parse(PROBES_YAML).expect("embedded probes.yaml is valid"))
    }

    pub fn parse(yaml: &str) -> Result<ProbeTable> {
        let list: Vec<Probe> = serde_norway::from_str(yaml).context("parsing probes.yaml")?;
        let mut probes = BTreeMap::new();
        for p in list {
            if p.kind.sends() && (p.method.is_none() || p.path.is_none()) {
                bail!("probe for {} has no method/path", p.scope);
            }
            if !p.kind.sends() && p.explain.is_none() {
                bail!("scope {} is not probed but has no `explain`", p.scope);
            }
            if p.body.is_some() && p.kind == ProbeKind::Get {
                bail!("GET probe for {} has a body", p.scope);
            }
            let scope = p.scope.clone();
            if probes.insert(scope.clone(), p).is_some() {
                bail!("duplicate probe for scope {scope}");
            }
        }
        Ok(ProbeTable { probes })
    }

    pub fn probe(&self, scope: &str) -> Option<&Probe> {
        self.probes.get(scope)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Probe> {
        self.probes.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::V2Spec;

    fn ctx() -> ProbeContext {
        ProbeContext {
            location_id: Some("LOCaaaaaaaaaaaaaaa01".into()),
            company_id: Some("COMPbbbbbbbbbbbbbb01".into()),
            app_id: Some("APPcccccccccccccccc01".into()),
        }
    }

    #[test]
    fn every_probe_is_a_v2_operation_declaring_its_scope() {
        let spec = V2Spec::get();
        let mut sent = 0;
        for p in ProbeTable::get().iter().filter(|p| p.kind.sends()) {
            let (m, path) = (p.method.unwrap(), p.path.as_deref().unwrap());
            let op = spec
                .operation(m, path)
                .unwrap_or_else(|| panic!("{}: {m} {path} is not a V2 operation", p.scope));
            // Unscoped operations are inferred mappings (documented in the catalogue's notes).
            assert!(
                op.scopes.is_empty() || op.scopes.contains(&p.scope),
                "{}: {m} {path} declares {:?}",
                p.scope,
                op.scopes
            );
            if let (Some(v), Some(vs)) = (&p.version, &op.version) {
                assert!(vs.contains(v), "{}: version {v} not in {vs:?}", p.scope);
            }
            // Rendering fills every placeholder.
            let r = p.render(&ctx()).unwrap();
            assert!(!r.path.contains('{'), "{}: {}", p.scope, r.path);
            assert!(r.query.iter().all(|(_, v)| !v.contains('{')), "{}", p.scope);
            sent += 1;
        }
        assert!(sent >= 70, "only {sent} probes send requests");
    }

    #[test]
    fn default_enabled_probes_are_gets_and_opt_ins_are_posts() {
        for p in ProbeTable::get().iter() {
            match p.kind {
                ProbeKind::Get => assert_eq!(p.method, Some(Method::Get), "{}", p.scope),
                ProbeKind::SearchPost | ProbeKind::ValidatePost | ProbeKind::Mint => {
                    assert_eq!(p.method, Some(Method::Post), "{}", p.scope)
                }
                ProbeKind::WriteOnly | ProbeKind::None => {
                    assert!(p.method.is_none() && p.explain.is_some(), "{}", p.scope)
                }
            }
        }
    }

    #[test]
    fn core_scopes_have_hand_checked_probes() {
        let t = ProbeTable::get();
        let get = |s: &str| {
            let p = t.probe(s).unwrap_or_else(|| panic!("{s} missing"));
            assert_eq!(p.kind, ProbeKind::Get, "{s}");
            p.render(&ctx()).unwrap()
        };
        assert_eq!(
            get("locations.readonly").path,
            "/locations/LOCaaaaaaaaaaaaaaa01"
        );
        assert_eq!(get("contacts.readonly").path, "/contacts/search/duplicate");
        assert_eq!(
            get("opportunities.readonly").path,
            "/opportunities/pipelines"
        );
        assert_eq!(get("calendars.readonly").version, "2021-04-15");
        assert_eq!(get("calendars/events.readonly").path, "/calendars/events");
        assert_eq!(get("calendars/groups.readonly").path, "/calendars/groups");
        assert_eq!(
            get("locations/customValues.readonly").path,
            "/locations/LOCaaaaaaaaaaaaaaa01/customValues"
        );
        assert!(
            get("users.readonly")
                .query
                .contains(&("companyId".into(), "COMPbbbbbbbbbbbbbb01".into()))
        );
        assert_eq!(
            get("saas/location.read").path,
            "/saas-api/public-api/saas-locations/COMPbbbbbbbbbbbbbb01"
        );
        for s in [
            "locations/customFields.readonly",
            "locations/tags.readonly",
            "workflows.readonly",
            "forms.readonly",
            "surveys.readonly",
            "links.readonly",
            "campaigns.readonly",
            "conversations.readonly",
            "snapshots.readonly",
        ] {
            get(s);
        }
        let w = t.probe("contacts.write").unwrap();
        assert_eq!(w.kind, ProbeKind::WriteOnly);
        assert!(w.explain.as_deref().unwrap().contains("never writes"));
    }

    #[test]
    fn missing_context_is_named_and_random_ids_are_marked() {
        let p = ProbeTable::get().probe("users.readonly").unwrap();
        let mut c = ctx();
        c.company_id = None;
        let e = p.render(&c).unwrap_err().to_string();
        assert!(e.contains("company"), "{e}");
        let r = ProbeTable::get()
            .probe("voice-ai-agent-goals.readonly")
            .unwrap()
            .render(&ctx())
            .unwrap();
        assert!(r.uses_probe_id && r.path.ends_with(PROBE_ID));
        let r = ProbeTable::get()
            .probe("calendars/resources.readonly")
            .unwrap()
            .render(&ctx())
            .unwrap();
        assert_eq!(r.path, "/calendars/resources/equipments");
        assert!(!r.uses_probe_id);
    }

    #[test]
    fn bad_tables_are_rejected() {
        let dup = "- {scope: a, kind: none, token: either, explain: x}\n- {scope: a, kind: none, token: either, explain: y}\n";
        assert!(ProbeTable::parse(dup).is_err());
        let no_explain = "- {scope: a, kind: write_only, token: either}\n";
        assert!(ProbeTable::parse(no_explain).is_err());
        let get_body = "- {scope: a, kind: get, method: GET, path: /x, body: {}, token: either}\n";
        assert!(ProbeTable::parse(get_body).is_err());
    }
}
