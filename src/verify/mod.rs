//! `verify`: proves with read-only V2 calls that each integration's replacement credential is valid, bound
//! to the right location and holds every scope its calls need, before the V1 key is revoked.
//!
//! Per integration: local checks first (token kind, JWT expiry and claims — an expired token costs no
//! request), then per location (concurrently, bounded, paced per location): the binding probe
//! `GET /locations/{locationId}`, then one probe per required scope from the probe table. Write-only scopes
//! are never written to; they are reported "not provable read-only".
pub mod answer;
pub mod http;
pub mod input;
pub mod probes;
pub mod ratelimit;
pub mod report;

use crate::credential::{self, CredentialKind};
use crate::redact::{fingerprint, redact, scrub};
use answer::{Classified, Outcome};
use http::{Http, HttpConfig};
use input::{Integration, Secret, SuccessorKind};
use probes::{ProbeContext, ProbeKind, ProbeTable, Request, TokenLevel};
use ratelimit::{Limiters, RateConfig};
use report::{
    Binding, BindingStatus, CredentialReport, IntegrationReport, LocationReport, Report,
    ScopeReport, ScopeStatus, ServerWords, V1Report, V1Status,
};
use reqwest::Url;
use std::sync::Arc;

/// How a run behaves.
#[derive(Debug, Clone)]
pub struct Options {
    pub base_url: Url,
    pub v1_base_url: Url,
    pub http: HttpConfig,
    pub rate: RateConfig,
    /// Locations verified at the same time.
    pub concurrency: usize,
    /// Send the read-only search / validation POSTs.
    pub allow_search_posts: bool,
    /// Mint location tokens from an agency token (`POST /oauth/locationToken`).
    pub allow_token_exchange: bool,
    /// Scopes that cannot be proven read-only block the verdict too.
    pub strict: bool,
    /// Unix seconds, for the expiry check.
    pub now: i64,
    /// Wall-clock bound for the whole run (`--max-time`).
    pub max_time: std::time::Duration,
    /// Wall-clock bound for one probe, its 429 waits and retries included (`--scope-time`).
    pub scope_time: std::time::Duration,
}

/// Why a probe has no answer when the time budget ran out (the scope is then not verified).
pub const BUDGET_EXHAUSTED: &str = "not verified: time budget exhausted";

/// One integration to verify with its credential(s).
#[derive(Debug, Clone)]
pub struct Job {
    pub integration: Integration,
    pub token: Secret,
    pub v1_key: Option<Secret>,
}

/// What the credential turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CredKind {
    Pit,
    OauthLocation,
    OauthCompany,
    /// Not a recognisable shape: used as an opaque bearer like a PIT.
    Opaque,
}

impl CredKind {
    fn as_str(self) -> &'static str {
        match self {
            CredKind::Pit => "pit",
            CredKind::OauthLocation => "oauth_location",
            CredKind::OauthCompany => "oauth_company",
            CredKind::Opaque => "unknown",
        }
    }

    fn successor(self) -> Option<SuccessorKind> {
        match self {
            CredKind::Pit => Some(SuccessorKind::Pit),
            CredKind::OauthLocation => Some(SuccessorKind::OauthLocation),
            CredKind::OauthCompany => Some(SuccessorKind::OauthCompany),
            CredKind::Opaque => None,
        }
    }
}

/// Everything a location task needs about its integration.
struct JobCtx {
    token: Secret,
    kind: CredKind,
    scopes: Vec<String>,
    /// Scopes listed in the OAuth token's claims (`None`: no claims to compare with).
    claimed: Option<Vec<String>>,
    company_id: Option<String>,
    app_id: Option<String>,
    /// Raw secrets to scrub from anything the server says.
    secrets: Vec<String>,
}

impl JobCtx {
    fn claimed(&self, scope: &str) -> Option<bool> {
        self.claimed.as_ref().map(|c| c.iter().any(|s| s == scope))
    }
}

struct Shared {
    http: Http,
    limiters: Limiters,
    opts: Options,
    table: &'static ProbeTable,
    /// When the run's `--max-time` is up.
    deadline: tokio::time::Instant,
    /// Some request got an HTTP answer from the V2 base.
    reached: std::sync::atomic::AtomicBool,
    /// The first network error from the V2 base (for "could not reach").
    network_error: std::sync::Mutex<Option<String>>,
}

impl Shared {
    /// Sends through [`Http::send`], bounded by the per-scope time and what is left of the run's budget:
    /// a server answering 429 forever (any `Retry-After`) costs at most that, never a hang.
    async fn send(
        &self,
        base: &Url,
        token: &str,
        req: &Request,
        limiter: &ratelimit::Limiter,
    ) -> Result<http::Response, String> {
        let until = self
            .deadline
            .min(tokio::time::Instant::now() + self.opts.scope_time);
        let r = tokio::time::timeout_at(until, self.http.send(base, token, req, limiter))
            .await
            .unwrap_or_else(|_| Err(BUDGET_EXHAUSTED.to_string()));
        if *base == self.opts.base_url {
            match &r {
                Ok(_) => self
                    .reached
                    .store(true, std::sync::atomic::Ordering::Relaxed),
                Err(e) if e != BUDGET_EXHAUSTED => {
                    if let Ok(mut first) = self.network_error.lock() {
                        first.get_or_insert_with(|| e.clone());
                    }
                }
                Err(_) => {}
            }
        }
        r
    }
}

/// Runs verification for every job and builds the report.
pub async fn verify(jobs: Vec<Job>, opts: Options) -> anyhow::Result<Report> {
    let shared = Arc::new(Shared {
        http: Http::new(opts.http)?,
        limiters: Limiters::new(opts.rate),
        table: ProbeTable::get(),
        deadline: tokio::time::Instant::now() + opts.max_time,
        reached: Default::default(),
        network_error: Default::default(),
        opts,
    });
    let sem = Arc::new(tokio::sync::Semaphore::new(shared.opts.concurrency.max(1)));
    let mut prepared: Vec<Prepared> = jobs.into_iter().map(|j| prepare(j, &shared.opts)).collect();

    let mut tasks = tokio::task::JoinSet::new();
    for (ji, p) in prepared.iter().enumerate() {
        for (li, loc) in p.locations.iter().enumerate() {
            if loc.is_some() {
                continue; // settled locally
            }
            let (shared, sem, ctx) = (shared.clone(), sem.clone(), p.ctx.clone());
            let location = p.location_ids[li].clone();
            tasks.spawn(async move {
                let _permit = sem.acquire_owned().await.ok();
                (ji, li, verify_location(&shared, &ctx, &location).await)
            });
        }
        if let Some(key) = p.v1_key.clone() {
            let (shared, secrets) = (shared.clone(), p.ctx.secrets.clone());
            tasks.spawn(async move {
                (
                    ji,
                    usize::MAX,
                    LocationOrV1::V1(check_v1(&shared, &key, &secrets).await),
                )
            });
        }
    }
    while let Some(done) = tasks.join_next().await {
        let (ji, li, result) =
            done.map_err(|e| anyhow::anyhow!("verification task failed: {e}"))?;
        match result {
            LocationOrV1::Location(r, warnings) => {
                prepared[ji].warnings.extend(warnings);
                prepared[ji].locations[li] = Some(*r);
            }
            LocationOrV1::V1(v) => prepared[ji].v1 = v,
        }
    }
    let integrations: Vec<IntegrationReport> = prepared.into_iter().map(finish).collect();
    let unreachable = (!shared.reached.load(std::sync::atomic::Ordering::Relaxed))
        .then(|| shared.network_error.lock().ok().and_then(|e| e.clone()))
        .flatten();
    Ok(Report {
        schema: report::SCHEMA,
        tool_version: env!("CARGO_PKG_VERSION"),
        base_url: shared.opts.base_url.to_string(),
        ready: integrations.iter().all(|i| i.ready),
        integrations,
        unreachable,
    })
}

enum LocationOrV1 {
    Location(Box<LocationReport>, Vec<String>),
    V1(V1Report),
}

/// An integration after the local checks.
struct Prepared {
    integration: Integration,
    ctx: Arc<JobCtx>,
    credential: CredentialReport,
    location_ids: Vec<String>,
    /// `Some` when settled without a request (expired token, claims for another location).
    locations: Vec<Option<LocationReport>>,
    v1_key: Option<Secret>,
    v1: V1Report,
    blockers: Vec<String>,
    warnings: Vec<String>,
}

fn prepare(job: Job, opts: &Options) -> Prepared {
    let Job {
        integration,
        token,
        v1_key,
    } = job;
    let mut blockers = Vec::new();
    let mut warnings = Vec::new();
    let cred = credential::classify(token.expose());
    let claims = cred.as_ref().map(|c| c.claims.clone()).unwrap_or_default();
    let kind = match cred.as_ref().map(|c| c.kind) {
        Some(CredentialKind::V2Pit) => CredKind::Pit,
        Some(CredentialKind::V2OauthToken) if claims.auth_class.as_deref() == Some("Company") => {
            CredKind::OauthCompany
        }
        Some(CredentialKind::V2OauthToken) => CredKind::OauthLocation,
        Some(k) if k.is_v1() => {
            blockers.push(format!(
                "the credential is a {} — verify needs the V2 replacement (a PIT or OAuth token)",
                k.describe()
            ));
            CredKind::Opaque
        }
        _ => {
            warnings.push(
                "the credential is neither a PIT nor a HighLevel OAuth token by shape; it is sent as an opaque bearer token"
                    .into(),
            );
            CredKind::Opaque
        }
    };
    if let (Some(planned), Some(actual)) = (integration.successor.kind, kind.successor())
        && planned != actual
    {
        warnings.push(format!(
            "the plan expects a {} but the credential is a {}",
            planned.describe(),
            actual.describe()
        ));
    }
    let expired = claims.exp.is_some_and(|exp| exp <= opts.now);
    let expires = claims.exp.map(iso_time);
    if expired {
        blockers.push(format!(
            "the OAuth token expired at {} (checked locally; nothing was sent) — refresh it and verify again",
            expires.as_deref().unwrap_or("?")
        ));
    } else if let Some(exp) = claims.exp
        && exp - opts.now < 3600
    {
        warnings.push(format!(
            "the OAuth token expires within the hour ({}); the integration must refresh it",
            expires.as_deref().unwrap_or("?")
        ));
    }
    // Company: the plan's, else the token's claims; both present and different is a wrong credential.
    let company_id = match (&integration.company_id, &claims.company_id) {
        (Some(p), Some(c)) if p != c => {
            blockers.push(format!(
                "credential is for another company: the token's claims name {c}, the plan {p}"
            ));
            Some(p.clone())
        }
        (p, c) => p.clone().or_else(|| c.clone()),
    };
    let mut location_ids = integration.location_ids.clone();
    if location_ids.is_empty()
        && let Some(l) = &claims.location_id
        && input::check_id("location id", l).is_ok()
    {
        location_ids.push(l.clone());
    }
    if location_ids.is_empty() {
        blockers
            .push("no location to verify: pass --location ID (with --integration when the plan has several), or set location_id for it in ghl-migrate.yaml".into());
    }
    v1_keys_fit(
        &integration,
        v1_key.as_ref(),
        &location_ids,
        &company_id,
        &mut blockers,
        &mut warnings,
    );
    let claimed =
        (kind != CredKind::Pit && !claims.scopes.is_empty()).then(|| claims.scopes.clone());
    let mut secrets = vec![token.expose().to_string()];
    if let Some(k) = &v1_key {
        secrets.push(k.expose().to_string());
    }
    let ctx = Arc::new(JobCtx {
        token: token.clone(),
        kind,
        scopes: input::split_scopes(&integration.scopes),
        claimed,
        company_id,
        app_id: claims.client.clone(),
        secrets,
    });
    let settled_locally = !blockers.is_empty();
    let locations = location_ids
        .iter()
        .map(|loc| {
            if expired {
                return Some(local_location(
                    &ctx,
                    loc,
                    BindingStatus::InvalidCredential,
                    "token expired (checked locally)",
                ));
            }
            if settled_locally {
                return Some(local_location(
                    &ctx,
                    loc,
                    BindingStatus::Unconfirmed,
                    "see blockers",
                ));
            }
            match (&claims.location_id, kind) {
                (Some(bound), CredKind::OauthLocation) if bound != loc => Some(local_location(
                    &ctx,
                    loc,
                    BindingStatus::WrongLocation,
                    &format!("the token's claims bind it to {bound}"),
                )),
                _ => None,
            }
        })
        .collect();
    let credential = CredentialReport {
        kind: kind.as_str().into(),
        description: match cred.as_ref().map(|c| c.kind) {
            Some(k) if kind != CredKind::Opaque || k.is_v1() => match kind {
                CredKind::OauthCompany => "V2 OAuth Company (agency) token".into(),
                CredKind::OauthLocation => "V2 OAuth Location token".into(),
                _ => k.describe().into(),
            },
            _ => "unrecognised token".into(),
        },
        fingerprint: fingerprint(token.expose()),
        redacted: redact(token.expose()),
        auth_class: claims.auth_class.clone(),
        location_id: claims.location_id.clone(),
        company_id: claims.company_id.clone(),
        expires,
        claimed_scopes: claims.scopes.clone(),
        valid: expired.then_some(false),
    };
    Prepared {
        v1: V1Report {
            status: V1Status::NotChecked,
            fingerprint: v1_key.as_ref().map(|k| fingerprint(k.expose())),
            detail:
                "not checked (pass --v1-key-env or --v1-key-file to see whether it still answers)"
                    .into(),
        },
        integration,
        ctx,
        credential,
        location_ids,
        locations,
        v1_key: if settled_locally { None } else { v1_key },
        blockers,
        warnings,
    }
}

/// The V1 keys this credential is to replace (the plan's and `--v1-key-*`'s) must belong to the locations
/// verified: a key decoded to another location (or company) is a blocker naming both ids — revoking it
/// would break whatever serves that other sub-account; a key that names no location is a warning.
fn v1_keys_fit(
    integration: &Integration,
    given: Option<&Secret>,
    locations: &[String],
    company: &Option<String>,
    blockers: &mut Vec<String>,
    warnings: &mut Vec<String>,
) {
    // An agency key's plan entry carries no ids: it is not checked here.
    let mut keys: Vec<(String, Option<String>, Option<String>)> = integration
        .v1_keys
        .iter()
        .filter(|k| k.kind.as_deref() != Some("v1_agency_key"))
        .map(|k| {
            (
                k.fingerprint.clone().unwrap_or_else(|| "a V1 key".into()),
                k.location_id.clone(),
                None,
            )
        })
        .collect();
    if let Some(k) = given {
        let fp = fingerprint(k.expose());
        let claims = credential::classify(k.expose())
            .map(|c| c.claims)
            .unwrap_or_default();
        keys.retain(|(f, _, _)| *f != fp);
        keys.push((fp, claims.location_id, claims.company_id));
    }
    if locations.is_empty() {
        return; // "no location to verify" already blocks
    }
    for (fp, loc, co) in keys {
        match (&loc, &co) {
            (Some(l), _) if !locations.contains(l) => blockers.push(format!(
                "V1 key {fp} belongs to location {l}, but the credential is verified for {}: it does not replace that key (verify {l}, or keep the key)",
                locations.join(", ")
            )),
            (None, Some(c)) if company.as_ref().is_some_and(|p| p != c) => blockers.push(format!(
                "V1 key {fp} belongs to company {c}, but this integration's company is {}",
                company.as_deref().unwrap_or("?")
            )),
            (None, None) => warnings.push(format!(
                "V1 key {fp} names no location (an old UUID-format or unreadable key): make sure it belongs to {} before revoking it",
                locations.join(", ")
            )),
            _ => {}
        }
    }
}

/// A location settled without any request: every scope is "not checked" except the ones that could
/// never be proven anyway.
fn local_location(ctx: &JobCtx, loc: &str, status: BindingStatus, detail: &str) -> LocationReport {
    let table = ProbeTable::get();
    let scopes = ctx
        .scopes
        .iter()
        .map(|s| {
            let mut r = ScopeReport::new(s, ScopeStatus::NotChecked, detail);
            r.probe = table
                .probe(s)
                .filter(|p| p.kind.sends())
                .map(Request::label);
            r.claimed = ctx.claimed(s);
            r
        })
        .collect();
    LocationReport {
        location_id: loc.into(),
        company_id: ctx.company_id.clone(),
        binding: Binding::new(status, detail),
        scopes,
        rate_limit: None,
        requests: 0,
        ready: false,
    }
}

impl ScopeReport {
    fn new(scope: &str, status: ScopeStatus, detail: &str) -> ScopeReport {
        ScopeReport {
            scope: scope.into(),
            status,
            probe: None,
            server: ServerWords::default(),
            detail: detail.into(),
            claimed: None,
            blocking: true,
        }
    }
}

impl Binding {
    fn new(status: BindingStatus, detail: &str) -> Binding {
        Binding {
            status,
            detail: detail.into(),
            server: ServerWords::default(),
        }
    }
}

/// The result of one sent probe.
struct Sent {
    answer: Option<Classified>,
    /// Network failure after retries.
    error: Option<String>,
    body: Vec<u8>,
}

impl Sent {
    fn outcome(&self) -> Option<Outcome> {
        self.answer.as_ref().map(|a| a.outcome)
    }

    /// Why there is no answer to report.
    fn no_answer(&self) -> String {
        if self.error.as_deref() == Some(BUDGET_EXHAUSTED) {
            return BUDGET_EXHAUSTED.to_string();
        }
        format!(
            "no answer: {}",
            self.error.as_deref().unwrap_or("network error")
        )
    }
}

/// Per-location state while probing.
struct LocationRun<'a> {
    shared: &'a Shared,
    ctx: &'a JobCtx,
    location: &'a str,
    limiter: Arc<ratelimit::Limiter>,
    pctx: ProbeContext,
    secrets: Vec<String>,
    requests: u32,
    warnings: Vec<String>,
    /// Some probe answered 2xx: the credential is positively authenticated, so a 4xx on a made-up id
    /// can count as the scope held.
    authenticated: bool,
}

impl LocationRun<'_> {
    async fn send(&mut self, token: &str, req: &Request) -> Sent {
        let base = &self.shared.opts.base_url;
        match self.shared.send(base, token, req, &self.limiter).await {
            Ok(r) => {
                self.requests += r.attempts;
                self.authenticated |= (200..300).contains(&r.status);
                Sent {
                    answer: Some(answer::classify(r.status, &r.body, req.uses_probe_id)),
                    error: None,
                    body: r.body,
                }
            }
            Err(e) => {
                self.requests += 1 + self.shared.opts.http.retries;
                Sent {
                    answer: None,
                    error: Some(self.scrub(&e)),
                    body: Vec::new(),
                }
            }
        }
    }

    fn scrub(&self, s: &str) -> String {
        let refs: Vec<&str> = self.secrets.iter().map(String::as_str).collect();
        scrub(s, &refs)
    }

    /// The server's (scrubbed) words about an answer.
    fn words(&self, sent: &Sent) -> ServerWords {
        match &sent.answer {
            Some(a) => ServerWords {
                http_status: Some(a.status),
                message: a.message.as_deref().map(|m| self.scrub(m)),
                trace_id: a.trace_id.as_deref().map(|t| self.scrub(t)),
            },
            // No server words: the detail line already names the network error.
            None => ServerWords::default(),
        }
    }

    /// Turns a probe answer into a scope line.
    fn scope_line(&self, scope: &str, label: String, sent: &Sent) -> ScopeReport {
        let (status, detail) = match sent.outcome() {
            Some(o) if o.scope_held() => (ScopeStatus::Verified, String::new()),
            Some(Outcome::MissingScope) => (
                ScopeStatus::Missing,
                "the credential is valid but does not hold this scope".to_string(),
            ),
            Some(o) => (ScopeStatus::Inconclusive, o.describe().to_string()),
            None => (ScopeStatus::Inconclusive, sent.no_answer()),
        };
        ScopeReport {
            probe: Some(label),
            server: self.words(sent),
            claimed: self.ctx.claimed(scope),
            blocking: status != ScopeStatus::Verified,
            ..ScopeReport::new(scope, status, &detail)
        }
    }
}

async fn verify_location(shared: &Shared, ctx: &JobCtx, location: &str) -> LocationOrV1 {
    let mut run = LocationRun {
        shared,
        ctx,
        location,
        limiter: shared.limiters.for_key(location),
        pctx: ProbeContext {
            location_id: Some(location.into()),
            company_id: ctx.company_id.clone(),
            app_id: ctx.app_id.clone(),
        },
        secrets: ctx.secrets.clone(),
        requests: 0,
        warnings: Vec::new(),
        authenticated: false,
    };
    let table = shared.table;
    let opts = &shared.opts;
    let mut results: Vec<ScopeReport> = Vec::new();

    // An agency token reaches location endpoints through a minted location token.
    let mut location_token: Option<String> = match ctx.kind {
        CredKind::OauthCompany => None,
        _ => Some(ctx.token.expose().to_string()),
    };
    let mut mint: Option<ScopeReport> = None;
    if ctx.kind == CredKind::OauthCompany && opts.allow_token_exchange {
        let r = mint_location_token(&mut run).await;
        if let Some(t) = r.1 {
            location_token = Some(t);
        }
        mint = Some(r.0);
    }

    // Binding: GET /locations/{locationId}, with the token that will be used for location calls.
    let bind_token = location_token
        .clone()
        .unwrap_or_else(|| ctx.token.expose().to_string());
    let bind_probe = table
        .probe("locations.readonly")
        .expect("probe table has locations.readonly");
    let mut binding;
    let mut bind_sent = None;
    match bind_probe.render(&run.pctx) {
        Ok(req) => {
            let sent = run.send(&bind_token, &req).await;
            binding = binding_from(&run, &sent, &Request::label(bind_probe));
            if sent.outcome() == Some(Outcome::Ok) {
                learn_company(&mut run, &sent.body);
            }
            bind_sent = Some((Request::label(bind_probe), sent));
        }
        Err(e) => binding = Binding::new(BindingStatus::Unconfirmed, &e.to_string()),
    }
    let stop_reason = |b: &Binding| match b.status {
        BindingStatus::WrongLocation => Some("the credential is for another location"),
        BindingStatus::InvalidCredential => Some("the credential was rejected"),
        BindingStatus::LocationNotFound => Some("the location does not exist"),
        _ => None,
    };

    for scope in &ctx.scopes {
        if let Some(why) = stop_reason(&binding) {
            let mut r = ScopeReport::new(scope, ScopeStatus::NotChecked, why);
            r.claimed = ctx.claimed(scope);
            results.push(r);
            continue;
        }
        let line = match table.probe(scope) {
            None => {
                let mut r = ScopeReport::new(
                    scope,
                    ScopeStatus::Inconclusive,
                    "unknown scope: not in HighLevel's scope catalogue (check the spelling)",
                );
                r.claimed = ctx.claimed(scope);
                r
            }
            Some(p) if scope == "locations.readonly" && bind_sent.is_some() => {
                let (label, sent) = bind_sent.as_ref().expect("checked");
                let _ = p;
                run.scope_line(scope, label.clone(), sent)
            }
            Some(p) if p.kind == ProbeKind::Mint => match &mint {
                Some(m) => m.clone(),
                None if ctx.kind == CredKind::OauthCompany => not_sent(
                    ctx,
                    p,
                    "minting a location token is a POST; pass --allow-token-exchange to prove it",
                ),
                None => not_provable(
                    ctx,
                    scope,
                    "only a Company (agency) OAuth token can mint location tokens",
                    opts.strict,
                ),
            },
            Some(p) if !p.kind.sends() => not_provable(
                ctx,
                scope,
                p.explain.as_deref().unwrap_or("no read-only probe"),
                opts.strict,
            ),
            Some(p)
                if matches!(p.kind, ProbeKind::SearchPost | ProbeKind::ValidatePost)
                    && !opts.allow_search_posts =>
            {
                not_sent(
                    ctx,
                    p,
                    "its only read-only probe is a search/validation POST; pass --allow-search-posts",
                )
            }
            Some(p) => {
                let token = match (ctx.kind, p.token) {
                    (CredKind::OauthCompany, TokenLevel::Agency | TokenLevel::Either) => {
                        Some(ctx.token.expose().to_string())
                    }
                    _ => location_token.clone(),
                };
                match (token, p.render(&run.pctx)) {
                    (None, _) => not_sent(
                        ctx,
                        p,
                        "needs a location token minted from the agency token (POST /oauth/locationToken); pass --allow-token-exchange",
                    ),
                    (_, Err(e)) => {
                        let mut r = ScopeReport::new(
                            scope,
                            ScopeStatus::Inconclusive,
                            &if e.to_string().contains("company") {
                                format!(
                                    "{e} (pass --company, or grant locations.readonly so it can be read)"
                                )
                            } else {
                                e.to_string()
                            },
                        );
                        r.probe = Some(Request::label(p));
                        r.claimed = ctx.claimed(scope);
                        r
                    }
                    (Some(token), Ok(req)) => {
                        let sent = run.send(&token, &req).await;
                        let carries_location = req.path.contains(location)
                            || req.query.iter().any(|(_, v)| v == location);
                        update_binding(&mut binding, &run, &sent, scope, carries_location);
                        run.scope_line(scope, Request::label(p), &sent)
                    }
                }
            }
        };
        results.push(line);
    }
    if !run.authenticated {
        unproven_without_a_2xx(&mut binding, &mut results);
    }
    if binding.status == BindingStatus::Unconfirmed && binding.detail.is_empty() {
        binding.detail = "no probe reached the location".into();
    }
    let bound = binding.status == BindingStatus::Bound;
    let ready = bound && results.iter().all(|r| !r.blocking);
    let report = LocationReport {
        location_id: location.into(),
        company_id: run.pctx.company_id.clone(),
        binding,
        scopes: results,
        rate_limit: run.limiter.last_headers(),
        requests: run.requests,
        ready,
    };
    LocationOrV1::Location(Box::new(report), run.warnings)
}

/// Without a single 2xx the credential was never shown to authenticate: a server answering 4xx to
/// everything (a bad token, a proxy) must not read as "bound, every scope verified". Validation answers
/// then prove nothing: the scopes and binding they settled are inconclusive.
fn unproven_without_a_2xx(binding: &mut Binding, results: &mut [ScopeReport]) {
    const WHY: &str = "a 4xx on a made-up id proves a scope only once the credential has answered 2xx (the binding or another probe); no probe did";
    for r in results.iter_mut() {
        if r.status == ScopeStatus::Verified
            && r.server
                .http_status
                .is_some_and(|s| !(200..300).contains(&s))
        {
            r.status = ScopeStatus::Inconclusive;
            r.blocking = true;
            r.detail = WHY.into();
        }
    }
    if binding.status == BindingStatus::Bound {
        binding.status = BindingStatus::Unconfirmed;
        binding.detail = format!("not confirmed: {WHY}");
    }
}

/// `POST /oauth/locationToken` with the agency token; returns the scope line for `oauth.write` and the
/// minted token (kept in memory only, and added to the scrub list).
async fn mint_location_token(run: &mut LocationRun<'_>) -> (ScopeReport, Option<String>) {
    let probe = run
        .shared
        .table
        .probe("oauth.write")
        .expect("probe table has oauth.write");
    let req = match probe.render(&run.pctx) {
        Ok(r) => r,
        Err(e) => {
            let mut r = ScopeReport::new(
                "oauth.write",
                ScopeStatus::Inconclusive,
                &format!("cannot mint a location token: {e}"),
            );
            r.probe = Some(Request::label(probe));
            return (r, None);
        }
    };
    let token = run.ctx.token.expose().to_string();
    let sent = run.send(&token, &req).await;
    let minted = (sent.outcome() == Some(Outcome::Ok))
        .then(|| serde_json::from_slice::<serde_json::Value>(&sent.body).ok())
        .flatten()
        .and_then(|j| {
            j.get("access_token")
                .and_then(|v| v.as_str())
                .map(str::to_string)
        });
    if let Some(t) = &minted {
        run.secrets.push(t.clone());
    }
    let mut line = run.scope_line("oauth.write", Request::label(probe), &sent);
    if sent.outcome() == Some(Outcome::Ok) && minted.is_none() {
        line.status = ScopeStatus::Inconclusive;
        line.detail = "the mint answered 200 without an access_token".into();
    } else if minted.is_some() {
        line.detail =
            "minted a location token (kept in memory, used for the location probes)".into();
    }
    (line, minted)
}

/// The binding as one probe's answer decides it; the detail names that probe and its HTTP status, and
/// the server words are that probe's (never another probe's).
fn binding_from(run: &LocationRun<'_>, sent: &Sent, probe: &str) -> Binding {
    let (status, detail) = match sent.outcome() {
        Some(Outcome::Ok) => (BindingStatus::Bound, String::new()),
        Some(Outcome::WrongLocation) => (BindingStatus::WrongLocation, String::new()),
        Some(Outcome::InvalidCredential) => (
            BindingStatus::InvalidCredential,
            Outcome::InvalidCredential.describe().into(),
        ),
        Some(Outcome::NotFound) => (BindingStatus::LocationNotFound, String::new()),
        Some(Outcome::MissingScope) => (
            BindingStatus::Unconfirmed,
            "locations.readonly not granted; judged from the other probes".into(),
        ),
        Some(o) => (BindingStatus::Unconfirmed, o.describe().into()),
        None => (BindingStatus::Unconfirmed, sent.no_answer()),
    };
    let evidence = match &sent.answer {
        Some(a) => format!("{probe} answered {}", a.status),
        None => format!("{probe} got no answer"),
    };
    Binding {
        status,
        detail: if detail.is_empty() || sent.answer.is_none() {
            if sent.answer.is_none() {
                detail
            } else {
                evidence
            }
        } else {
            format!("{evidence}: {detail}")
        },
        server: run.words(sent),
    }
}

/// A scope probe can settle a binding the binding probe left unconfirmed: any answer past the location
/// check confirms it, a location message refutes it, an invalid-token message ends the run. A binding the
/// binding probe itself decided stays as it decided (and shows that probe's words).
fn update_binding(
    binding: &mut Binding,
    run: &LocationRun<'_>,
    sent: &Sent,
    scope: &str,
    carries_location: bool,
) {
    if binding.status != BindingStatus::Unconfirmed {
        return;
    }
    let Some(o) = sent.outcome() else { return };
    let probe = format!("the {scope} probe");
    match o {
        Outcome::WrongLocation | Outcome::InvalidCredential => {
            *binding = binding_from(run, sent, &probe);
        }
        o if o.scope_held() && carries_location => {
            *binding = binding_from(run, sent, &probe);
            binding.status = BindingStatus::Bound;
            binding.detail = format!("confirmed by {}", binding.detail);
        }
        _ => {}
    }
}

/// Reads `location.companyId` from `GET /locations/{id}` (needed by e.g. `users.readonly`).
fn learn_company(run: &mut LocationRun<'_>, body: &[u8]) {
    let Some(found) = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|j| {
            j.pointer("/location/companyId")
                .and_then(|v| v.as_str())
                .map(str::to_string)
        })
    else {
        return;
    };
    if input::check_id("company id", &found).is_err() {
        return;
    }
    match &run.pctx.company_id {
        None => run.pctx.company_id = Some(found),
        Some(c) if *c != found => run.warnings.push(format!(
            "location {} belongs to company {found}, not {c} as planned",
            run.location
        )),
        _ => {}
    }
}

fn not_sent(ctx: &JobCtx, p: &probes::Probe, why: &str) -> ScopeReport {
    let mut r = ScopeReport::new(&p.scope, ScopeStatus::NotChecked, why);
    r.probe = Some(Request::label(p));
    r.claimed = ctx.claimed(&p.scope);
    r
}

/// A scope that cannot be shown without a write. OAuth claims can still refute it.
fn not_provable(ctx: &JobCtx, scope: &str, explain: &str, strict: bool) -> ScopeReport {
    let claimed = ctx.claimed(scope);
    match claimed {
        Some(false) => {
            let mut r = ScopeReport::new(
                scope,
                ScopeStatus::Missing,
                "not in the scopes the OAuth token's claims grant (and not provable read-only)",
            );
            r.claimed = claimed;
            r
        }
        _ => {
            let prefix = if claimed == Some(true) {
                "claimed, not proven: "
            } else {
                ""
            };
            let mut r = ScopeReport::new(
                scope,
                ScopeStatus::NotProvableReadOnly,
                &format!("{prefix}{explain}"),
            );
            r.claimed = claimed;
            r.blocking = strict;
            r
        }
    }
}

/// One GET to V1 with the old key: does it still answer?
async fn check_v1(shared: &Shared, key: &Secret, secrets: &[String]) -> V1Report {
    let fp = fingerprint(key.expose());
    let req = Request {
        method: crate::method::Method::Get,
        path: "/custom-values/".into(),
        query: Vec::new(),
        body: None,
        form: false,
        version: probes::DEFAULT_VERSION.into(),
        uses_probe_id: false,
    };
    let limiter = shared.limiters.for_key(&format!("v1:{fp}"));
    let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let (status, detail) = match shared
        .send(&shared.opts.v1_base_url, key.expose(), &req, &limiter)
        .await
    {
        Ok(r) => {
            let a = answer::classify(r.status, &r.body, false);
            let said = a
                .message
                .as_deref()
                .map(|m| format!(" {:?}", scrub(m, &refs)))
                .unwrap_or_default();
            match r.status {
                200..=299 => (
                    V1Status::StillLive,
                    format!(
                        "{fp} still answers V1 (GET /v1/custom-values/ → {}): anything still using it stops when it is revoked",
                        r.status
                    ),
                ),
                401 | 403 => (
                    V1Status::NotAnswering,
                    format!("{fp} no longer answers V1 ({}{said})", r.status),
                ),
                s => (
                    V1Status::Inconclusive,
                    format!("{fp}: V1 answered {s}{said}; inconclusive"),
                ),
            }
        }
        Err(e) => (
            V1Status::Inconclusive,
            format!("{fp}: V1 did not answer ({})", scrub(&e, &refs)),
        ),
    };
    V1Report {
        status,
        fingerprint: Some(fp),
        detail,
    }
}

/// Assembles the integration's verdict.
fn finish(p: Prepared) -> IntegrationReport {
    let Prepared {
        integration,
        ctx,
        mut credential,
        locations,
        v1,
        mut blockers,
        mut warnings,
        ..
    } = p;
    let locations: Vec<LocationReport> = locations.into_iter().flatten().collect();
    for l in &locations {
        let loc = &l.location_id;
        match l.binding.status {
            BindingStatus::Bound => {}
            BindingStatus::WrongLocation => {
                blockers.push(format!("{loc}: credential is for another location"))
            }
            BindingStatus::LocationNotFound => blockers.push(format!("{loc}: location not found")),
            BindingStatus::InvalidCredential => {
                if credential.valid != Some(false) {
                    blockers.push(format!(
                        "{loc}: the credential is invalid, expired or revoked"
                    ));
                }
                credential.valid = Some(false);
            }
            BindingStatus::Unconfirmed => {
                if blockers.is_empty() {
                    blockers.push(format!(
                        "{loc}: binding to the location is unconfirmed ({})",
                        l.binding.detail
                    ));
                }
            }
        }
        for s in l.scopes.iter().filter(|s| s.blocking) {
            if s.status == ScopeStatus::NotChecked && l.binding.status != BindingStatus::Bound {
                continue; // the binding blocker already says why
            }
            blockers.push(format!(
                "{loc}: {} {} ({})",
                s.scope,
                s.status.label(),
                s.detail
            ));
        }
        if l.binding.status == BindingStatus::Bound
            || l.scopes
                .iter()
                .any(|s| s.status == ScopeStatus::Missing && s.server.http_status.is_some())
        {
            credential.valid.get_or_insert(true);
        }
    }
    let unprovable: Vec<&str> = locations
        .first()
        .map(|l| {
            l.scopes
                .iter()
                .filter(|s| s.status == ScopeStatus::NotProvableReadOnly)
                .map(|s| s.scope.as_str())
                .collect()
        })
        .unwrap_or_default();
    if !unprovable.is_empty() {
        warnings.push(format!(
            "{} cannot be proven read-only: confirm {} in the {} scope list before revoking",
            unprovable.join(", "),
            if unprovable.len() == 1 { "it" } else { "them" },
            if ctx.kind == CredKind::Pit {
                "Private Integration's"
            } else {
                "app's / token's"
            }
        ));
    }
    if ctx.kind == CredKind::Pit {
        warnings.push(
            "a PIT rotated with \"expire later\" keeps working for up to 7 days and the API cannot tell; check the Private Integrations page"
                .into(),
        );
    }
    let mut fps: Vec<String> = integration
        .v1_keys
        .iter()
        .filter_map(|k| k.fingerprint.clone())
        .collect();
    if let Some(fp) = &v1.fingerprint {
        if !fps.is_empty() && !fps.contains(fp) {
            warnings.push(format!("the V1 key given ({fp}) is not one the plan lists"));
        }
        if !fps.contains(fp) {
            fps.push(fp.clone());
        }
    }
    let ready = blockers.is_empty() && !locations.is_empty() && locations.iter().all(|l| l.ready);
    let verdict = if ready {
        if fps.is_empty() {
            "ready to revoke the V1 key".to_string()
        } else {
            format!("ready to revoke V1 key {}", fps.join(", "))
        }
    } else {
        format!("not ready: {}", blockers.join("; "))
    };
    IntegrationReport {
        name: integration.display_name().to_string(),
        id: integration.id,
        planned_successor: integration.successor.kind,
        credential,
        locations,
        v1_key: v1,
        v1_fingerprints: fps,
        ready,
        verdict,
        blockers,
        warnings,
    }
}

fn iso_time(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| secs.to_string())
}
