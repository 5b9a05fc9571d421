//! `ghl-migrate verify`: arguments, loading the plan and credentials, running the async verifier.
use super::{EXIT_FOUND, EXIT_OK};
use crate::credential;
use crate::verify::http::{
    DEFAULT_BASE_URL, DEFAULT_V1_BASE_URL, HttpConfig, check_base_url, is_highlevel_host,
};
use crate::verify::input::{
    self, Integration, Plan, Secret, SecretSource, looks_like_token, token_argument_error,
};
use crate::verify::ratelimit::{RateConfig, parse_duration, parse_rate};
use crate::verify::{self, Job, Options};
use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Plan produced by `ghl-migrate plan` (schema ghl-migrate/plan/v1).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["scopes"])]
    pub plan: Option<PathBuf>,
    /// Verify only this integration of the plan.
    #[arg(long, value_name = "ID")]
    pub integration: Option<String>,
    /// The location (sub-account) id the credential must open: without a plan, the one to verify; with
    /// --plan, replaces the locations of the integration chosen with --integration.
    #[arg(long, value_name = "ID")]
    pub location: Option<String>,
    /// Company (agency) id; needed by agency-level probes and users.readonly when not discoverable.
    #[arg(long, value_name = "ID")]
    pub company: Option<String>,
    /// Without a plan: the scopes to verify, comma separated.
    #[arg(long, value_name = "A,B,C", value_delimiter = ',')]
    pub scopes: Vec<String>,
    /// Without a plan: take the scopes from a `scan --format json` report (every matched call's V2
    /// scopes; added to --scopes).
    #[arg(long, value_name = "SCAN.json", conflicts_with = "plan")]
    pub calls: Option<PathBuf>,

    /// Read the V2 credential from this environment variable.
    #[arg(long, value_name = "VAR", group = "cred")]
    pub token_env: Option<String>,
    /// Read the V2 credential from this file (whitespace trimmed).
    #[arg(long, value_name = "PATH", group = "cred")]
    pub token_file: Option<PathBuf>,
    /// Read the V2 credential from stdin.
    #[arg(long, group = "cred")]
    pub token_stdin: bool,
    /// YAML map of integration id → `{env: VAR}` or `{file: PATH}`, one credential per integration.
    #[arg(long, value_name = "FILE", group = "cred")]
    pub tokens: Option<PathBuf>,

    /// Also report whether the old V1 key still answers: read it from this environment variable.
    #[arg(long, value_name = "VAR", conflicts_with = "v1_key_file")]
    pub v1_key_env: Option<String>,
    /// … or from this file.
    #[arg(long, value_name = "PATH")]
    pub v1_key_file: Option<PathBuf>,

    /// V2 API base URL (https; plain http only to loopback).
    #[arg(long, value_name = "URL", default_value = DEFAULT_BASE_URL)]
    pub base_url: String,
    /// V1 API base URL for the V1 key check (same policy).
    #[arg(long, value_name = "URL", default_value = DEFAULT_V1_BASE_URL)]
    pub v1_base_url: String,
    /// Connect and read timeout, e.g. 15, 2.5 or 500ms [default: 15, or `verify.timeout` in
    /// ghl-migrate.yaml].
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<String>,
    /// Wall-clock bound for the whole run, e.g. 5m or 90s: probes still unanswered then are reported
    /// "not verified: time budget exhausted" and the run is not ready [default: 5m, or `verify.max_time`].
    #[arg(long, value_name = "DURATION")]
    pub max_time: Option<String>,
    /// Wall-clock bound for one scope's probe, 429 waits and retries included [default: 60s, or
    /// `verify.scope_time`].
    #[arg(long, value_name = "DURATION")]
    pub scope_time: Option<String>,
    /// Locations verified at the same time.
    #[arg(long, value_name = "N", default_value_t = 32)]
    pub concurrency: usize,
    /// Also send the read-only search / validation POSTs (e.g. locations/tasks.readonly).
    #[arg(long)]
    pub allow_search_posts: bool,
    /// Agency OAuth tokens: mint a location token per location (POST /oauth/locationToken) to probe
    /// location scopes and prove oauth.write.
    #[arg(long)]
    pub allow_token_exchange: bool,
    /// Scopes that cannot be proven read-only block the verdict too.
    #[arg(long)]
    pub strict: bool,
    #[arg(long, value_enum, default_value_t = VerifyFormat::Text)]
    pub format: VerifyFormat,

    /// Client-side limit per location, N/DURATION (default 50/10s). For tests.
    #[arg(long, hide = true, value_name = "N/DURATION")]
    pub rate_limit: Option<String>,
    /// First backoff for 5xx / network retries, and the default 429 wait (ms). For tests.
    #[arg(long, hide = true, value_name = "MS")]
    pub retry_base_ms: Option<u64>,
    /// Upper bound for one wait (ms). For tests.
    #[arg(long, hide = true, value_name = "MS")]
    pub max_wait_ms: Option<u64>,

    /// Refused: credentials are never command-line values.
    #[arg(long = "token", hide = true, num_args = 0..=1, value_name = "VALUE")]
    pub token_value: Option<Option<String>>,
    /// Refused, like --token.
    #[arg(long = "v1-key", hide = true, num_args = 0..=1, value_name = "VALUE")]
    pub v1_key_value: Option<Option<String>>,
    /// Stray values (a pasted token, typically): refused without echoing them.
    #[arg(hide = true, value_name = "ARG")]
    pub stray: Vec<String>,
}

pub fn run(cli: &super::Cli, args: &VerifyArgs, out: &mut dyn Write) -> Result<i32> {
    reject_token_arguments(args)?;
    // The settings file of the current folder (or its git top), for the standing time bounds.
    let settings = super::scan_cmd::settings(cli, &[std::path::PathBuf::from(".")])?;
    let opts = options(args, &settings.config.verify)?;
    let jobs = jobs(args, &settings.config, &mut std::io::stdin().lock())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let report = runtime.block_on(verify::verify(jobs, opts))?;
    // Reached nothing at all (connection refused, DNS, TLS): the job could not be done, which is not
    // the same as "reached it, not ready".
    if let Some(why) = &report.unreachable {
        bail!("could not reach {}: {why}", report.base_url);
    }
    match args.format {
        VerifyFormat::Json => report.write_json(out)?,
        VerifyFormat::Text => report.write_text(out)?,
    }
    Ok(if report.ready { EXIT_OK } else { EXIT_FOUND })
}

/// A credential typed on the command line is refused, and never echoed.
fn reject_token_arguments(a: &VerifyArgs) -> Result<()> {
    if a.token_value.is_some() || a.v1_key_value.is_some() {
        bail!("{}", token_argument_error());
    }
    let values = a
        .stray
        .iter()
        .chain(a.integration.iter())
        .chain(a.location.iter())
        .chain(a.company.iter())
        .chain(a.scopes.iter())
        .chain(a.token_env.iter())
        .chain(a.v1_key_env.iter());
    for v in values {
        if looks_like_token(v) {
            bail!("{}", token_argument_error());
        }
    }
    if let Some(first) = a.stray.first() {
        bail!("unexpected argument {first:?} (see ghl-migrate verify --help)");
    }
    Ok(())
}

fn options(a: &VerifyArgs, cfg: &crate::config::VerifyConfig) -> Result<Options> {
    // Command line, then the settings file, then the built-in default.
    let pick = |flag: &Option<String>, set: &Option<String>, default: &'static str| {
        flag.clone()
            .or_else(|| set.clone())
            .unwrap_or_else(|| default.to_string())
    };
    let base_url = check_base_url(&a.base_url).context("--base-url")?;
    if let Some(host) = base_url.host_str()
        && !is_highlevel_host(host)
        && base_url.scheme() == "https"
    {
        // Allowed because the user named it, but never silently: the credential goes there.
        crate::redact::eprint_line(&format!(
            "ghl-migrate: note: --base-url {host} is not a HighLevel host; the credential is sent there as asked"
        ));
    }
    let v1_base_url = check_base_url(&a.v1_base_url).context("--v1-base-url")?;
    let mut rate = RateConfig::default();
    if let Some(r) = &a.rate_limit {
        (rate.max, rate.window) = parse_rate(r).context("--rate-limit")?;
    }
    let mut http = HttpConfig {
        timeout: parse_duration(&pick(&a.timeout, &cfg.timeout, "15")).context("--timeout")?,
        ..HttpConfig::default()
    };
    if let Some(ms) = a.retry_base_ms {
        http.retry_base = Duration::from_millis(ms);
        rate.default_429_wait = Duration::from_millis(ms);
    }
    if let Some(ms) = a.max_wait_ms {
        rate.max_wait = Duration::from_millis(ms);
    }
    if a.concurrency == 0 || a.concurrency > 256 {
        bail!("--concurrency must be between 1 and 256");
    }
    Ok(Options {
        base_url,
        v1_base_url,
        http,
        rate,
        concurrency: a.concurrency,
        allow_search_posts: a.allow_search_posts || cfg.allow_search_posts,
        allow_token_exchange: a.allow_token_exchange,
        strict: a.strict || cfg.strict,
        max_time: parse_duration(&pick(&a.max_time, &cfg.max_time, "5m")).context("--max-time")?,
        scope_time: parse_duration(&pick(&a.scope_time, &cfg.scope_time, "60s"))
            .context("--scope-time")?,
        now: time::OffsetDateTime::now_utc().unix_timestamp(),
    })
}

fn single_source(a: &VerifyArgs) -> Option<SecretSource> {
    if let Some(v) = &a.token_env {
        Some(SecretSource::Env(v.clone()))
    } else if let Some(p) = &a.token_file {
        Some(SecretSource::File(p.clone()))
    } else if a.token_stdin {
        Some(SecretSource::Stdin)
    } else {
        None
    }
}

/// The integrations to verify, each with its credential.
fn jobs(
    a: &VerifyArgs,
    cfg: &crate::config::Config,
    stdin: &mut dyn std::io::Read,
) -> Result<Vec<Job>> {
    let mut integrations: Vec<Integration> = match &a.plan {
        Some(path) => Plan::load(path)?.integrations,
        None => {
            let Some(loc) = &a.location else {
                bail!(
                    "pass --plan FILE, or --location ID with --scopes A,B,C or --calls SCAN.json"
                );
            };
            let mut scopes = a.scopes.clone();
            if let Some(path) = &a.calls {
                scopes.extend(input::scopes_from_scan(path)?);
            }
            if scopes.is_empty() {
                bail!(
                    "--location needs --scopes A,B,C or --calls SCAN.json (the scopes the integration's calls need)"
                );
            }
            vec![Integration {
                id: "command-line".into(),
                name: Some(format!("location {loc}")),
                location_ids: vec![loc.clone()],
                scopes,
                ..Integration::default()
            }]
        }
    };
    if let Some(id) = &a.integration {
        let known: Vec<String> = integrations.iter().map(|i| i.id.clone()).collect();
        integrations.retain(|i| &i.id == id);
        if integrations.is_empty() {
            bail!(
                "no integration {id:?} in the plan (it has: {})",
                known.join(", ")
            );
        }
    }
    if a.plan.is_some() {
        if let Some(loc) = &a.location {
            if integrations.len() > 1 {
                bail!(
                    "--location replaces one integration's locations: add --integration ID (the plan has: {})",
                    integrations
                        .iter()
                        .map(|i| i.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            integrations[0].location_ids = vec![loc.clone()];
        }
        // Locations the plan lacks, from ghl-migrate.yaml's integrations (by name or id).
        for i in integrations
            .iter_mut()
            .filter(|i| i.location_ids.is_empty())
        {
            if let Some(l) = cfg
                .integrations
                .iter()
                .find(|c| crate::plan::group::slug(&c.name) == i.id || c.name == i.id)
                .and_then(|c| c.location_id.clone())
            {
                i.location_ids = vec![l];
            }
        }
    }
    if let Some(c) = &a.company {
        for i in integrations.iter_mut().filter(|i| i.company_id.is_none()) {
            i.company_id = Some(c.clone());
        }
    }
    for i in &integrations {
        i.validate()?;
    }
    let v1_source = match (&a.v1_key_env, &a.v1_key_file) {
        (Some(v), _) => Some(SecretSource::Env(v.clone())),
        (_, Some(p)) => Some(SecretSource::File(p.clone())),
        _ => None,
    };
    if v1_source.is_some() && integrations.len() > 1 {
        bail!("--v1-key-env/--v1-key-file check one integration's V1 key: add --integration ID");
    }
    let v1_key = match v1_source {
        Some(src) => Some(read_v1_key(&src, stdin)?),
        None => None,
    };
    let sources: Vec<SecretSource> = match (&a.tokens, single_source(a)) {
        (Some(file), _) => {
            let map = input::load_tokens_file(file)?;
            let missing: Vec<&str> = integrations
                .iter()
                .filter(|i| !map.contains_key(&i.id))
                .map(|i| i.id.as_str())
                .collect();
            if !missing.is_empty() {
                bail!(
                    "{} has no credential for: {}",
                    file.display(),
                    missing.join(", ")
                );
            }
            integrations.iter().map(|i| map[&i.id].clone()).collect()
        }
        (None, Some(src)) => {
            if integrations.len() > 1 {
                bail!(
                    "the plan has {} integrations: pick one with --integration ID, or give one credential each with --tokens FILE",
                    integrations.len()
                );
            }
            vec![src]
        }
        (None, None) => bail!(
            "no credential: pass --token-env VAR, --token-file PATH, --token-stdin or --tokens FILE"
        ),
    };
    let mut jobs = Vec::new();
    for (integration, src) in integrations.into_iter().zip(sources) {
        let token = src
            .read(stdin)
            .with_context(|| format!("credential for integration {:?}", integration.id))?;
        if v1_key.as_ref() == Some(&token) {
            bail!("the V1 key and the V2 credential are the same value");
        }
        jobs.push(Job {
            integration,
            token,
            v1_key: v1_key.clone(),
        });
    }
    Ok(jobs)
}

fn read_v1_key(src: &SecretSource, stdin: &mut dyn std::io::Read) -> Result<Secret> {
    let key = src.read(stdin).context("V1 key")?;
    if let Some(c) = credential::classify(key.expose())
        && !c.kind.is_v1()
    {
        bail!(
            "the V1 key given is a {} (a V2 credential), not a V1 key",
            c.kind.describe()
        );
    }
    Ok(key)
}
