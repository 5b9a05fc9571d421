//! Client-side pacing per location (HighLevel's bucket is per app per location/company: 100 requests per
//! 10 s). A sliding window keeps us well under that on our own, and the server's `X-RateLimit-*` headers
//! make us back off further when other traffic (the production integration) shares the bucket.
use anyhow::{Context, Result, bail};
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct RateConfig {
    /// At most `max` requests in any `window`.
    pub max: u32,
    pub window: Duration,
    /// Pause when the server says no more than this many requests are left in its window.
    pub reserve: u32,
    /// Wait after a 429 that carries neither an interval header nor `Retry-After` (doubled per attempt).
    pub default_429_wait: Duration,
    /// Upper bound for any single wait.
    pub max_wait: Duration,
}

impl Default for RateConfig {
    fn default() -> Self {
        // Half the documented burst: the bucket is shared with the production integration.
        RateConfig {
            max: 50,
            window: Duration::from_secs(10),
            reserve: 5,
            default_429_wait: Duration::from_secs(1),
            max_wait: Duration::from_secs(30),
        }
    }
}

/// Parses `N/DURATION`, e.g. `50/10s`, `5/200ms`.
pub fn parse_rate(s: &str) -> Result<(u32, Duration)> {
    let (n, d) = s
        .split_once('/')
        .context("expected N/DURATION, e.g. 50/10s")?;
    let n: u32 = n.trim().parse().context("request count must be a number")?;
    if n == 0 {
        bail!("request count must be at least 1");
    }
    Ok((n, parse_duration(d)?))
}

/// Parses `10`, `2.5`, `10s`, `200ms`, `5m` (bare numbers are seconds).
pub fn parse_duration(s: &str) -> Result<Duration> {
    let s = s.trim();
    let (num, scale) = if let Some(x) = s.strip_suffix("ms") {
        (x, 0.001)
    } else if let Some(x) = s.strip_suffix('s') {
        (x, 1.0)
    } else if let Some(x) = s.strip_suffix('m') {
        (x, 60.0)
    } else {
        (s, 1.0)
    };
    let v: f64 = num
        .trim()
        .parse()
        .with_context(|| format!("invalid duration {s:?} (use e.g. 10, 10s, 200ms or 5m)"))?;
    if !(v.is_finite() && v > 0.0 && v * scale <= 3600.0) {
        bail!("duration {s:?} must be above 0 and at most an hour");
    }
    Ok(Duration::from_secs_f64(v * scale))
}

/// The `X-RateLimit-*` headers of one response.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RateHeaders {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily_limit: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily_remaining: Option<u64>,
}

impl RateHeaders {
    /// Reads the headers through `get(name)` (names lower-case).
    pub fn parse<'a>(get: impl Fn(&str) -> Option<&'a str>) -> RateHeaders {
        let n = |k: &str| get(k).and_then(|v| v.trim().parse::<u64>().ok());
        RateHeaders {
            max: n("x-ratelimit-max"),
            remaining: n("x-ratelimit-remaining"),
            interval_ms: n("x-ratelimit-interval-milliseconds"),
            daily_limit: n("x-ratelimit-limit-daily"),
            daily_remaining: n("x-ratelimit-daily-remaining"),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == RateHeaders::default()
    }

    /// The daily quota is used up: retrying a 429 is pointless.
    pub fn daily_exhausted(&self) -> bool {
        self.daily_remaining == Some(0)
    }
}

/// How long to wait after a 429: the interval header (what the official SDK does), then `Retry-After`
/// (seconds), then a doubling default; never more than `cfg.max_wait`.
pub fn wait_after_429(
    h: &RateHeaders,
    retry_after: Option<&str>,
    attempt: u32,
    cfg: &RateConfig,
) -> Duration {
    let wait = h
        .interval_ms
        .filter(|&ms| ms > 0)
        .map(Duration::from_millis)
        .or_else(|| {
            retry_after
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map(|s| Duration::from_secs_f64(s.min(3600.0)))
        })
        .unwrap_or_else(|| cfg.default_429_wait * 2u32.saturating_pow(attempt.min(10)));
    wait.min(cfg.max_wait)
}

#[derive(Debug)]
struct State {
    sent: VecDeque<Instant>,
    blocked_until: Option<Instant>,
    last: Option<(RateHeaders, Instant)>,
}

/// The limiter for one location (or company).
#[derive(Debug)]
pub struct Limiter {
    cfg: RateConfig,
    state: Mutex<State>,
}

impl Limiter {
    pub fn new(cfg: RateConfig) -> Limiter {
        Limiter {
            cfg,
            state: Mutex::new(State {
                sent: VecDeque::new(),
                blocked_until: None,
                last: None,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic elsewhere cannot leave the window inconsistent; keep going with the data.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a slot at `now`, or says how long to wait before asking again.
    pub fn try_acquire(&self, now: Instant) -> Result<(), Duration> {
        // The server counts arrivals, we count departures: 5% slack absorbs the difference in latency
        // between the first and the last request of a window.
        let window = self.cfg.window + self.cfg.window / 20;
        let mut st = self.lock();
        while st
            .sent
            .front()
            .is_some_and(|&t| now.duration_since(t) >= window)
        {
            st.sent.pop_front();
        }
        if let Some(until) = st.blocked_until {
            if until > now {
                return Err(until - now);
            }
            st.blocked_until = None;
        }
        if st.sent.len() >= self.cfg.max as usize {
            let oldest = st.sent[0];
            return Err((oldest + window).saturating_duration_since(now));
        }
        if let Some((h, seen)) = &st.last
            && let (Some(rem), Some(ms)) = (h.remaining, h.interval_ms)
            && rem <= u64::from(self.cfg.reserve)
        {
            let until = *seen + Duration::from_millis(ms).min(self.cfg.max_wait);
            if until > now {
                return Err(until - now);
            }
        }
        st.sent.push_back(now);
        Ok(())
    }

    /// Waits for a slot.
    pub async fn acquire(&self) {
        loop {
            match self.try_acquire(Instant::now()) {
                Ok(()) => return,
                Err(wait) => tokio::time::sleep(wait.max(Duration::from_millis(1))).await,
            }
        }
    }

    /// Records the headers of a response.
    pub fn observe(&self, h: RateHeaders, now: Instant) {
        if !h.is_empty() {
            self.lock().last = Some((h, now));
        }
    }

    /// Holds every request for this location until `now + wait` (after a 429).
    pub fn block_for(&self, wait: Duration, now: Instant) {
        let mut st = self.lock();
        let until = now + wait;
        if st.blocked_until.is_none_or(|u| u < until) {
            st.blocked_until = Some(until);
        }
    }

    /// The last headers the server sent for this location.
    pub fn last_headers(&self) -> Option<RateHeaders> {
        self.lock().last.as_ref().map(|(h, _)| h.clone())
    }

    pub fn config(&self) -> &RateConfig {
        &self.cfg
    }
}

/// One limiter per location/company key, shared by every integration that touches it.
#[derive(Debug)]
pub struct Limiters {
    cfg: RateConfig,
    map: Mutex<HashMap<String, Arc<Limiter>>>,
}

impl Limiters {
    pub fn new(cfg: RateConfig) -> Limiters {
        Limiters {
            cfg,
            map: Mutex::new(HashMap::new()),
        }
    }

    pub fn for_key(&self, key: &str) -> Arc<Limiter> {
        let mut m = self.map.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(key.to_string())
            .or_insert_with(|| Arc::new(Limiter::new(self.cfg)))
            .clone()
    }

    pub fn config(&self) -> &RateConfig {
        &self.cfg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(max: u32, window_ms: u64) -> RateConfig {
        RateConfig {
            max,
            window: Duration::from_millis(window_ms),
            ..RateConfig::default()
        }
    }

    #[test]
    fn sliding_window_never_exceeds_max() {
        let l = Limiter::new(cfg(3, 1000));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.try_acquire(t0).is_ok());
        }
        let wait = l.try_acquire(t0 + Duration::from_millis(100)).unwrap_err();
        // The 1 s window plus 5% slack for latency.
        assert_eq!(wait, Duration::from_millis(950));
        assert!(l.try_acquire(t0 + Duration::from_millis(1000)).is_err());
        assert!(l.try_acquire(t0 + Duration::from_millis(1050)).is_ok());
        // Simulate a long run: count the slots granted in every 1 s window.
        let l = Limiter::new(cfg(5, 1000));
        let mut granted = Vec::new();
        let mut t = t0;
        while t < t0 + Duration::from_secs(5) {
            match l.try_acquire(t) {
                Ok(()) => granted.push(t),
                Err(w) => t += w,
            }
        }
        for (i, &a) in granted.iter().enumerate() {
            let in_window = granted[i..]
                .iter()
                .take_while(|&&b| b.duration_since(a) < Duration::from_millis(1000))
                .count();
            assert!(in_window <= 5, "{in_window} in one window");
        }
        assert!(granted.len() >= 20);
    }

    #[test]
    fn server_headers_slow_us_down() {
        let l = Limiter::new(cfg(100, 10_000));
        let t0 = Instant::now();
        let low = RateHeaders {
            max: Some(100),
            remaining: Some(2),
            interval_ms: Some(400),
            ..RateHeaders::default()
        };
        l.observe(low.clone(), t0);
        assert_eq!(l.try_acquire(t0).unwrap_err(), Duration::from_millis(400));
        assert!(l.try_acquire(t0 + Duration::from_millis(400)).is_ok());
        assert_eq!(l.last_headers(), Some(low));
        let plenty = RateHeaders {
            remaining: Some(90),
            interval_ms: Some(10_000),
            ..RateHeaders::default()
        };
        l.observe(plenty, t0 + Duration::from_millis(401));
        assert!(l.try_acquire(t0 + Duration::from_millis(402)).is_ok());
    }

    #[test]
    fn a_429_blocks_the_location() {
        let l = Limiter::new(cfg(100, 10_000));
        let t0 = Instant::now();
        l.block_for(Duration::from_millis(250), t0);
        assert_eq!(
            l.try_acquire(t0 + Duration::from_millis(50)).unwrap_err(),
            Duration::from_millis(200)
        );
        assert!(l.try_acquire(t0 + Duration::from_millis(250)).is_ok());
    }

    #[test]
    fn wait_after_429_prefers_interval_then_retry_after_then_backoff() {
        let c = RateConfig::default();
        let with_interval = RateHeaders {
            interval_ms: Some(1500),
            ..RateHeaders::default()
        };
        assert_eq!(
            wait_after_429(&with_interval, Some("7"), 0, &c),
            Duration::from_millis(1500)
        );
        assert_eq!(
            wait_after_429(&RateHeaders::default(), Some("2"), 0, &c),
            Duration::from_secs(2)
        );
        assert_eq!(
            wait_after_429(&RateHeaders::default(), None, 2, &c),
            Duration::from_secs(4)
        );
        assert_eq!(
            wait_after_429(&RateHeaders::default(), Some("99999"), 0, &c),
            c.max_wait
        );
        assert_eq!(
            wait_after_429(&RateHeaders::default(), Some("soon"), 0, &c),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn header_parsing() {
        let h = RateHeaders::parse(|k| match k {
            "x-ratelimit-max" => Some("100"),
            "x-ratelimit-remaining" => Some(" 97 "),
            "x-ratelimit-interval-milliseconds" => Some("10000"),
            "x-ratelimit-daily-remaining" => Some("0"),
            "x-ratelimit-limit-daily" => Some("nope"),
            _ => None,
        });
        assert_eq!(h.remaining, Some(97));
        assert_eq!(h.daily_limit, None);
        assert!(h.daily_exhausted());
    }

    #[test]
    fn rate_and_duration_parsing() {
        assert_eq!(parse_rate("50/10s").unwrap(), (50, Duration::from_secs(10)));
        assert_eq!(
            parse_rate("5/200ms").unwrap(),
            (5, Duration::from_millis(200))
        );
        assert_eq!(parse_duration("2.5").unwrap(), Duration::from_millis(2500));
        for bad in ["0/1s", "x/1s", "5", "5/0s", "5/-1", "5/abc"] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
    }
}
