//! The HTTP side: which base URLs may receive a credential, and sending one probe with HighLevel's headers,
//! client-side pacing, 429 waits and bounded retries for 5xx and network errors.
use super::probes::Request;
use super::ratelimit::{Limiter, RateHeaders, wait_after_429};
use crate::method::Method;
use anyhow::{Context, Result, bail};
use reqwest::Url;
use std::net::IpAddr;
use std::time::{Duration, Instant};

pub const DEFAULT_BASE_URL: &str = "https://services.leadconnectorhq.com";
pub const DEFAULT_V1_BASE_URL: &str = "https://rest.gohighlevel.com/v1";
const USER_AGENT: &str = concat!("ghl-migrate/", env!("CARGO_PKG_VERSION"));
/// More than enough for an error body; a larger answer is cut (we only read `message` / `traceId`).
const MAX_BODY: usize = 64 * 1024;
/// 429s are waited out this many times per request before the probe is reported inconclusive.
const MAX_429_RETRIES: u32 = 8;

/// Checks a base URL that will receive a credential: https to any host, plain http only to this machine
/// (tests, local proxies). Anything else would send the token in clear text across a network.
pub fn check_base_url(raw: &str) -> Result<Url> {
    let url = Url::parse(raw.trim()).with_context(|| format!("invalid base URL {raw:?}"))?;
    if !url.username().is_empty() || url.password().is_some() {
        bail!("base URL must not carry credentials");
    }
    if url.query().is_some() || url.fragment().is_some() {
        bail!("base URL must not have a query or fragment");
    }
    let host = url.host_str().context("base URL has no host")?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(host) => Ok(url),
        "http" => bail!(
            "refusing plain-http base URL {raw:?}: credentials may only be sent over https \
             (http is allowed to loopback: 127.0.0.0/8, ::1, localhost)"
        ),
        other => bail!("unsupported base URL scheme {other:?} (use https)"),
    }
}

/// HighLevel's own API hosts (and their white-label LeadConnector twins).
pub fn is_highlevel_host(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    ["leadconnectorhq.com", "gohighlevel.com"]
        .iter()
        .any(|d| h == *d || h.ends_with(&format!(".{d}")))
}

fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost") || h.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[derive(Debug, Clone, Copy)]
pub struct HttpConfig {
    /// Connect and read timeout.
    pub timeout: Duration,
    /// Retries for 5xx answers and network errors.
    pub retries: u32,
    /// First backoff for those retries; doubled each time.
    pub retry_base: Duration,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            timeout: Duration::from_secs(15),
            retries: 3,
            retry_base: Duration::from_millis(500),
        }
    }
}

/// A response, reduced to what verification reads.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
    pub rate: RateHeaders,
    pub retry_after: Option<String>,
    /// Requests sent for this probe (1 + retries).
    pub attempts: u32,
}

/// The HTTP client. Redirects are never followed, so a credential cannot be forwarded to another host.
pub struct Http {
    client: reqwest::Client,
    cfg: HttpConfig,
}

impl Http {
    pub fn new(cfg: HttpConfig) -> Result<Http> {
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(cfg.timeout)
            .read_timeout(cfg.timeout)
            .timeout(cfg.timeout * 3)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .context("building the HTTP client")?;
        Ok(Http { client, cfg })
    }

    /// The full URL for `req` under `base`; refuses anything that would leave the base's origin.
    pub fn url(base: &Url, req: &Request) -> Result<Url> {
        let joined = format!("{}{}", base.as_str().trim_end_matches('/'), req.path);
        let mut url = Url::parse(&joined).context("building the request URL")?;
        if url.origin() != base.origin() {
            bail!("request URL left the base URL's host");
        }
        if !req.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&req.query);
        }
        Ok(url)
    }

    async fn once(&self, url: &Url, token: &str, req: &Request) -> Result<Response, String> {
        let method = match req.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            // The probe table has no other methods (a unit test enforces it); refuse rather than write.
            other => return Err(format!("refusing to send {other}")),
        };
        let mut rb = self
            .client
            .request(method, url.clone())
            .bearer_auth(token)
            .header("Version", &req.version)
            .header("Accept", "application/json");
        if let Some(body) = &req.body {
            rb = if req.form {
                let pairs: Vec<(String, String)> = body
                    .as_object()
                    .map(|o| {
                        o.iter()
                            .map(|(k, v)| {
                                (
                                    k.clone(),
                                    v.as_str().map(str::to_string).unwrap_or_default(),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                rb.form(&pairs)
            } else {
                rb.json(body)
            };
        }
        let mut resp = rb.send().await.map_err(describe)?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let get = |k: &str| headers.get(k).and_then(|v| v.to_str().ok());
        let rate = RateHeaders::parse(get);
        let retry_after = get("retry-after").map(str::to_string);
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(describe)? {
            body.extend_from_slice(&chunk[..chunk.len().min(MAX_BODY - body.len())]);
            if body.len() >= MAX_BODY {
                break;
            }
        }
        Ok(Response {
            status,
            body,
            rate,
            retry_after,
            attempts: 1,
        })
    }

    /// Sends `req`, pacing through `limiter`: waits out 429s (interval header, `Retry-After`, backoff) and
    /// retries 5xx / network errors with exponential backoff, both bounded. `Err` is a network failure
    /// after the last retry (text without the token).
    pub async fn send(
        &self,
        base: &Url,
        token: &str,
        req: &Request,
        limiter: &Limiter,
    ) -> Result<Response, String> {
        let url = Http::url(base, req).map_err(|e| format!("{e:#}"))?;
        let (mut n429, mut nfail, mut attempts) = (0u32, 0u32, 0u32);
        loop {
            limiter.acquire().await;
            attempts += 1;
            let result = self.once(&url, token, req).await;
            let backoff = self.cfg.retry_base * 2u32.saturating_pow(nfail.min(10));
            match result {
                Ok(mut r) => {
                    limiter.observe(r.rate.clone(), Instant::now());
                    r.attempts = attempts;
                    if r.status == 429 && n429 < MAX_429_RETRIES && !r.rate.daily_exhausted() {
                        let wait = wait_after_429(
                            &r.rate,
                            r.retry_after.as_deref(),
                            n429,
                            limiter.config(),
                        );
                        limiter.block_for(wait, Instant::now());
                        n429 += 1;
                        continue;
                    }
                    if r.status >= 500 && nfail < self.cfg.retries {
                        nfail += 1;
                        tokio::time::sleep(backoff).await;
                        continue;
                    }
                    return Ok(r);
                }
                Err(_) if nfail < self.cfg.retries => {
                    nfail += 1;
                    tokio::time::sleep(backoff).await;
                }
                Err(e) => return Err(format!("{e} (after {attempts} attempts)")),
            }
        }
    }
}

/// A network error in words, without the URL (callers know which probe it was).
fn describe(e: reqwest::Error) -> String {
    if e.is_timeout() {
        return "timed out".into();
    }
    if e.is_connect() {
        return "could not connect".into();
    }
    let e = e.without_url();
    let mut s = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(x) = src {
        s.push_str(&format!(": {x}"));
        src = x.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_policy() {
        for ok in [
            "https://services.leadconnectorhq.com",
            "https://proxy.example.com/ghl/",
            "http://127.0.0.1:8080",
            "http://127.9.9.9",
            "http://[::1]:3000/",
            "http://localhost:1234",
        ] {
            assert!(check_base_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://services.leadconnectorhq.com",
            "http://10.0.0.1",
            "http://localhost.evil.com",
            "http://128.0.0.1",
            "ftp://127.0.0.1",
            "https://user:pw@services.leadconnectorhq.com",
            "https://services.leadconnectorhq.com/?x=1",
            "not a url",
        ] {
            assert!(check_base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn highlevel_hosts() {
        assert!(is_highlevel_host("services.leadconnectorhq.com"));
        assert!(is_highlevel_host("rest.gohighlevel.com"));
        assert!(!is_highlevel_host("leadconnectorhq.com.evil.io"));
        assert!(!is_highlevel_host("notgohighlevel.com"));
    }

    #[test]
    fn urls_stay_on_the_base_origin() {
        let base = check_base_url("https://proxy.example.com/ghl/").unwrap();
        let req = Request {
            method: Method::Get,
            path: "/locations/LOC1".into(),
            query: vec![("a".into(), "b c".into())],
            body: None,
            form: false,
            version: "2021-07-28".into(),
            uses_probe_id: false,
        };
        assert_eq!(
            Http::url(&base, &req).unwrap().as_str(),
            "https://proxy.example.com/ghl/locations/LOC1?a=b+c"
        );
        // A path can never move the credential to another host (here: into the userinfo part).
        let bare = check_base_url("https://services.leadconnectorhq.com").unwrap();
        let evil = Request {
            path: "@evil.example.com/x".into(),
            ..req
        };
        assert!(Http::url(&bare, &evil).is_err());
    }
}
