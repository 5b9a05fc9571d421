//! A HighLevel V2 look-alike on 127.0.0.1 for tests and the benchmark: tokens with scope sets and location
//! binding, HighLevel-shaped error bodies, `X-RateLimit-*` headers with a real server-side limiter,
//! scripted faults (429s, 5xx), slow paths and redirects. Every request is recorded so tests can assert what
//! was sent where. Every token it knows is synthetic.
#![allow(dead_code)] // each test binary uses a different part

use ghl_migrate::verify::probes::ProbeTable;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct TokenSpec {
    pub token: String,
    pub locations: Vec<String>,
    pub company: Option<String>,
    pub scopes: BTreeSet<String>,
    /// A Company (agency) token: may mint location tokens.
    pub agency: bool,
}

impl TokenSpec {
    pub fn location(token: &str, location: &str, company: &str, scopes: &[&str]) -> TokenSpec {
        TokenSpec {
            token: token.into(),
            locations: vec![location.into()],
            company: Some(company.into()),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            agency: false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    /// Lower-case header names.
    pub headers: HashMap<String, String>,
    pub body: String,
    pub at: Instant,
    /// Rate-limit bucket (location or company id).
    pub bucket: String,
    pub status: u16,
    /// Answered 429 by the server's own limiter (not a scripted fault).
    pub server_limited: bool,
}

impl Recorded {
    pub fn authorization(&self) -> Option<&str> {
        self.headers.get("authorization").map(String::as_str)
    }
}

/// The next requests whose path contains `path_contains` get these statuses, in order.
#[derive(Debug, Clone)]
pub struct Fault {
    pub path_contains: String,
    pub statuses: VecDeque<u16>,
}

#[derive(Debug)]
pub struct State {
    pub tokens: Vec<TokenSpec>,
    /// (method, V2 path template, scope).
    pub routes: Vec<(String, String, String)>,
    pub faults: Vec<Fault>,
    pub slow: Vec<(String, Duration)>,
    pub v1_keys: Vec<String>,
    pub redirect_to: Option<String>,
    /// Server-side burst limit per bucket.
    pub rl_max: usize,
    pub rl_interval: Duration,
    /// Interval the 429 answers advertise (short, so tests stay fast).
    pub rl_advertised_ms: u64,
    buckets: HashMap<String, VecDeque<Instant>>,
    pub requests: Vec<Recorded>,
    minted: u32,
}

pub struct V2Server {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<State>>,
}

impl V2Server {
    /// Starts a server whose routes are the probe table's requests.
    pub fn start(tokens: Vec<TokenSpec>) -> V2Server {
        let routes = ProbeTable::get()
            .iter()
            .filter(|p| p.kind.sends())
            .map(|p| {
                (
                    p.method.unwrap().as_str().to_string(),
                    p.path.clone().unwrap(),
                    p.scope.clone(),
                )
            })
            .collect();
        let state = Arc::new(Mutex::new(State {
            tokens,
            routes,
            faults: Vec::new(),
            slow: Vec::new(),
            v1_keys: Vec::new(),
            redirect_to: None,
            rl_max: 100,
            rl_interval: Duration::from_secs(10),
            rl_advertised_ms: 10_000,
            buckets: HashMap::new(),
            requests: Vec::new(),
            minted: 0,
        }));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let st = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let st = st.clone();
                std::thread::spawn(move || {
                    let _ = handle(stream, &st);
                });
            }
        });
        V2Server { addr, state }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.with(|s| s.requests.clone())
    }

    pub fn fault(&self, path_contains: &str, statuses: &[u16]) {
        self.with(|s| {
            s.faults.push(Fault {
                path_contains: path_contains.into(),
                statuses: statuses.iter().copied().collect(),
            })
        });
    }

    /// Peak number of requests any one bucket received within `window` (sliding).
    pub fn peak_per_bucket(&self, window: Duration) -> usize {
        let reqs = self.requests();
        let mut by: HashMap<&str, Vec<Instant>> = HashMap::new();
        for r in &reqs {
            by.entry(r.bucket.as_str()).or_default().push(r.at);
        }
        by.values_mut()
            .map(|ts| {
                ts.sort();
                (0..ts.len())
                    .map(|i| {
                        ts[i..]
                            .iter()
                            .take_while(|t| t.duration_since(ts[i]) < window)
                            .count()
                    })
                    .max()
                    .unwrap_or(0)
            })
            .max()
            .unwrap_or(0)
    }
}

struct Req {
    method: String,
    path: String,
    query: String,
    headers: HashMap<String, String>,
    body: String,
}

fn read_request(stream: &TcpStream) -> std::io::Result<Req> {
    let mut r = BufReader::new(stream);
    let mut line = String::new();
    r.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len.min(1 << 20)];
    r.read_exact(&mut body)?;
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target, String::new()),
    };
    Ok(Req {
        method,
        path,
        query,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn query_map(q: &str) -> HashMap<String, String> {
    q.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.replace('+', " ")))
        .collect()
}

/// Matches a concrete path against a template; returns the path parameters.
fn match_template(template: &str, path: &str) -> Option<HashMap<String, String>> {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    if t.len() != p.len() {
        return None;
    }
    let mut params = HashMap::new();
    for (a, b) in t.iter().zip(&p) {
        match a.strip_prefix('{').and_then(|x| x.strip_suffix('}')) {
            Some(name) => {
                params.insert(name.to_string(), b.to_string());
            }
            None if a == b => {}
            None => return None,
        }
    }
    Some(params)
}

fn body(status: u16, message: &str) -> String {
    serde_json::json!({"statusCode": status, "message": message, "traceId": format!("trace-{status}-test")})
        .to_string()
}

fn handle(mut stream: TcpStream, st: &Arc<Mutex<State>>) -> std::io::Result<()> {
    let req = read_request(&stream)?;
    let (status, resp_body, extra, delay) = {
        let mut s = st.lock().unwrap();
        let answer = answer(&mut s, &req);
        let (status, _, _, _, bucket, server_limited) = &answer;
        let rec = Recorded {
            method: req.method.clone(),
            path: req.path.clone(),
            query: req.query.clone(),
            headers: req.headers.clone(),
            body: req.body.clone(),
            at: Instant::now(),
            bucket: bucket.clone(),
            status: *status,
            server_limited: *server_limited,
        };
        s.requests.push(rec);
        (answer.0, answer.1, answer.2, answer.3)
    };
    if let Some(d) = delay {
        std::thread::sleep(d);
    }
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        resp_body.len()
    );
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(resp_body.as_bytes())?;
    stream.flush()
}

type Answer = (
    u16,
    String,
    Vec<(String, String)>,
    Option<Duration>,
    String,
    bool,
);

fn answer(s: &mut State, req: &Req) -> Answer {
    let q = query_map(&req.query);
    let bearer = req
        .headers
        .get("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("")
        .to_string();
    let plain = |status: u16, msg: &str| {
        (
            status,
            body(status, msg),
            Vec::new(),
            None,
            String::new(),
            false,
        )
    };
    if let Some(rest) = req.path.strip_prefix("/v1/") {
        let _ = rest;
        return if s.v1_keys.contains(&bearer) {
            (
                200,
                r#"{"customValues":[]}"#.into(),
                Vec::new(),
                None,
                "v1".into(),
                false,
            )
        } else {
            (
                401,
                r#"{"msg":"Api key is invalid."}"#.into(),
                Vec::new(),
                None,
                "v1".into(),
                false,
            )
        };
    }
    if let Some(to) = &s.redirect_to {
        return (
            302,
            "{}".into(),
            vec![("Location".into(), to.clone())],
            None,
            String::new(),
            false,
        );
    }
    let Some(version) = req.headers.get("version") else {
        return plain(401, "version header was not found.");
    };
    if !["2021-07-28", "2021-04-15"].contains(&version.as_str()) {
        return plain(401, "version header is invalid");
    }
    let route = s.routes.iter().find_map(|(m, t, scope)| {
        (m == &req.method)
            .then(|| match_template(t, &req.path))
            .flatten()
            .map(|params| (t.clone(), scope.clone(), params))
    });
    let Some((template, scope, params)) = route else {
        return plain(404, &format!("Cannot {} {}", req.method, req.path));
    };
    let Some(tok) = s.tokens.iter().find(|t| t.token == bearer).cloned() else {
        let msg = if bearer.starts_with("pit-") {
            "Invalid Private Integration token"
        } else {
            "Invalid JWT"
        };
        return plain(401, msg);
    };
    let location = params
        .get("locationId")
        .or_else(|| q.get("locationId"))
        .or_else(|| q.get("altId"))
        .or_else(|| q.get("location_id"))
        .cloned();
    let company = params
        .get("companyId")
        .or_else(|| q.get("companyId"))
        .cloned();
    // HighLevel counts per app per location: a location token's bucket is its location whatever the
    // request names; an agency token's is the location or company the request is about.
    let bucket = match tok.locations.as_slice() {
        [only] if !tok.agency => only.clone(),
        _ => location
            .clone()
            .or_else(|| company.clone())
            .unwrap_or_else(|| "none".into()),
    };
    let now = Instant::now();
    let (rl_max, rl_interval, adv) = (s.rl_max, s.rl_interval, s.rl_advertised_ms);
    let window = s.buckets.entry(bucket.clone()).or_default();
    while window
        .front()
        .is_some_and(|t| now.duration_since(*t) >= rl_interval)
    {
        window.pop_front();
    }
    let over = window.len() >= rl_max;
    if !over {
        window.push_back(now);
    }
    let remaining = rl_max.saturating_sub(window.len());
    let headers = vec![
        ("X-RateLimit-Max".to_string(), rl_max.to_string()),
        ("X-RateLimit-Remaining".to_string(), remaining.to_string()),
        (
            "X-RateLimit-Interval-Milliseconds".to_string(),
            adv.to_string(),
        ),
        ("X-RateLimit-Limit-Daily".to_string(), "200000".to_string()),
        (
            "X-RateLimit-Daily-Remaining".to_string(),
            "199000".to_string(),
        ),
    ];
    let with = |status: u16, b: String, delay: Option<Duration>| {
        (status, b, headers.clone(), delay, bucket.clone(), false)
    };
    if over {
        return (
            429,
            body(429, "Too Many Requests"),
            headers.clone(),
            None,
            bucket.clone(),
            true,
        );
    }
    if let Some(f) = s
        .faults
        .iter_mut()
        .find(|f| req.path.contains(&f.path_contains) && !f.statuses.is_empty())
    {
        let code = f.statuses.pop_front().unwrap();
        let msg = if code == 429 {
            "Too Many Requests"
        } else {
            "Internal server error"
        };
        return with(code, body(code, msg), None);
    }
    let delay = s
        .slow
        .iter()
        .find(|(p, _)| req.path.contains(p.as_str()))
        .map(|(_, d)| *d);
    if !tok.scopes.contains(&scope) {
        return with(
            401,
            body(401, "The token is not authorized for this scope."),
            delay,
        );
    }
    if let Some(loc) = &location
        && !tok.locations.contains(loc)
    {
        // HighLevel answers this both ways depending on the service.
        return if template == "/locations/{locationId}" {
            with(
                403,
                body(403, "The token does not have access to this location."),
                delay,
            )
        } else {
            with(
                401,
                body(401, "This location is not accessible from this token!"),
                delay,
            )
        };
    }
    if let Some(co) = &company
        && tok.company.as_ref() != Some(co)
    {
        return with(
            403,
            body(403, "The token does not have access to this company."),
            delay,
        );
    }
    if template == "/oauth/locationToken" {
        if !tok.agency {
            return with(
                401,
                body(401, "This token's user type is not yet supported!"),
                delay,
            );
        }
        let loc = query_map(&req.body)
            .get("locationId")
            .cloned()
            .unwrap_or_default();
        s.minted += 1;
        // Synthetic token: the test asserts it never appears in any output.
        let minted = ghl_migrate::credential::synthetic_jwt(&format!(
            r#"{{"authClass":"Location","authClassId":"{loc}","n":{}}}"#,
            s.minted
        ));
        s.tokens.push(TokenSpec {
            token: minted.clone(),
            locations: vec![loc.clone()],
            company: tok.company.clone(),
            scopes: tok.scopes.clone(),
            agency: false,
        });
        let b = serde_json::json!({"access_token": minted, "token_type": "Bearer", "expires_in": 86399, "locationId": loc})
            .to_string();
        return with(200, b, delay);
    }
    if template == "/locations/{locationId}" {
        let b =
            serde_json::json!({"location": {"id": location, "companyId": tok.company}}).to_string();
        return with(200, b, delay);
    }
    with(200, r#"{"ok":true}"#.into(), delay)
}
