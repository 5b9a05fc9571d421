//! Benchmark: `verify` for 50 locations × 10 scopes against the V2 look-alike on 127.0.0.1.
//!
//! `cargo run --release --example bench_verify [-- LOCATIONS SCOPES CONCURRENCY]`
//!
//! Each location has its own (synthetic) PIT. Prints total wall time, the requests sent, the peak
//! requests any one location saw in a sliding 10 s window (HighLevel's burst limit is 100) and the peak
//! aggregate rate per second across locations, so the note can show we stay under the per-location limit
//! while running locations concurrently.
#[path = "../tests/support/v2server.rs"]
mod v2server;

use ghl_migrate::verify::input::{Integration, Secret, Successor, SuccessorKind};
use ghl_migrate::verify::probes::{ProbeContext, ProbeKind, ProbeTable};
use ghl_migrate::verify::ratelimit::RateConfig;
use ghl_migrate::verify::{self, Job, Options, http};
use std::time::{Duration, Instant};
use v2server::{TokenSpec, V2Server};

fn main() -> anyhow::Result<()> {
    let arg = |i: usize, d: usize| {
        std::env::args()
            .nth(i)
            .and_then(|a| a.parse().ok())
            .unwrap_or(d)
    };
    let (n_loc, n_scopes, concurrency) = (arg(1, 50), arg(2, 10), arg(3, 32));
    // Location-level GET probes that need nothing but the location id, location first (the binding probe).
    let only_location = ProbeContext {
        location_id: Some("BenchLoc000000000000".into()),
        company_id: None,
        app_id: None,
    };
    let mut scopes: Vec<String> = vec!["locations.readonly".into()];
    scopes.extend(
        ProbeTable::get()
            .iter()
            .filter(|p| p.kind == ProbeKind::Get && p.scope != "locations.readonly")
            .filter(|p| p.render(&only_location).is_ok())
            .map(|p| p.scope.clone())
            .take(n_scopes.saturating_sub(1)),
    );
    let refs: Vec<&str> = scopes.iter().map(String::as_str).collect();
    let locs: Vec<String> = (0..n_loc).map(|i| format!("BenchLoc{i:012}")).collect();
    let tokens: Vec<String> = (0..n_loc)
        .map(|i| {
            format!(
                "pit-{:08x}-1b2c-4d3e-8f40-{:012x}",
                0x5eed_0000 + i,
                i * 7919
            )
        })
        .collect();
    let server = V2Server::start(
        locs.iter()
            .zip(&tokens)
            .map(|(l, t)| TokenSpec::location(t, l, "BenchCompany00000001", &refs))
            .collect(),
    );
    let jobs: Vec<Job> = locs
        .iter()
        .zip(&tokens)
        .enumerate()
        .map(|(i, (l, t))| Job {
            integration: Integration {
                id: format!("integration-{i}"),
                successor: Successor {
                    kind: Some(SuccessorKind::Pit),
                },
                location_ids: vec![l.clone()],
                scopes: scopes.clone(),
                ..Integration::default()
            },
            token: Secret::new(t, "bench").expect("token"),
            v1_key: None,
        })
        .collect();
    let opts = Options {
        base_url: http::check_base_url(&server.url())?,
        v1_base_url: http::check_base_url(&format!("{}/v1", server.url()))?,
        http: http::HttpConfig::default(),
        rate: RateConfig::default(),
        concurrency,
        allow_search_posts: false,
        allow_token_exchange: false,
        strict: false,
        now: time::OffsetDateTime::now_utc().unix_timestamp(),
        // A benchmark measures the run; it must not be cut short by the CLI's defaults.
        max_time: std::time::Duration::from_secs(3600),
        scope_time: std::time::Duration::from_secs(3600),
    };
    let started = Instant::now();
    let report = tokio::runtime::Runtime::new()?.block_on(verify::verify(jobs, opts))?;
    let elapsed = started.elapsed();
    let reqs = server.requests();
    let ready = report.integrations.iter().filter(|i| i.ready).count();
    let mut at: Vec<Instant> = reqs.iter().map(|r| r.at).collect();
    at.sort();
    let peak_1s = (0..at.len())
        .map(|i| {
            at[i..]
                .iter()
                .take_while(|t| t.duration_since(at[i]) < Duration::from_secs(1))
                .count()
        })
        .max()
        .unwrap_or(0);
    println!(
        "{n_loc} locations x {} scopes, concurrency {concurrency}: {:.2} s, {} requests, {ready}/{n_loc} ready",
        scopes.len(),
        elapsed.as_secs_f64(),
        reqs.len()
    );
    println!(
        "peak per location in any 10 s window: {} (limit 100; client budget {}), server 429s: {}",
        server.peak_per_bucket(Duration::from_secs(10)),
        RateConfig::default().max,
        reqs.iter().filter(|r| r.status == 429).count()
    );
    println!(
        "peak aggregate rate: {peak_1s} requests in 1 s; mean {:.0}/s",
        reqs.len() as f64 / elapsed.as_secs_f64()
    );
    if let Some(i) = report.integrations.iter().find(|i| !i.ready) {
        eprintln!("first not ready: {}", i.verdict);
    }
    if ready != n_loc {
        anyhow::bail!("only {ready} of {n_loc} integrations verified");
    }
    Ok(())
}
