//! Request rate limits (token buckets per IP or per token) and the counters
//! served at `/metrics` in Prometheus' text format.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// Token buckets by key: each key may make `rate` requests a second on
/// average and `burst` at once.
#[derive(Debug)]
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(rate: f64, burst: f64) -> RateLimiter {
        RateLimiter {
            rate,
            burst,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `key`'s bucket; false when it is empty.
    pub fn allow(&self, key: &str) -> bool {
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.lock() else {
            return true;
        };
        // Forget idle keys now and then so the map stays small.
        if buckets.len() > 100_000 {
            let burst = self.burst;
            let rate = self.rate;
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * rate < burst
            });
        }
        let (tokens, at) = buckets.entry(key.to_string()).or_insert((self.burst, now));
        let refilled =
            (*tokens + now.duration_since(*at).as_secs_f64() * self.rate).min(self.burst);
        *at = now;
        if refilled >= 1.0 {
            *tokens = refilled - 1.0;
            true
        } else {
            *tokens = refilled;
            false
        }
    }
}

/// Counters since the server started.
#[derive(Debug, Default)]
pub struct Metrics {
    pub requests: AtomicU64,
    pub responses_4xx: AtomicU64,
    pub responses_5xx: AtomicU64,
    pub rate_limited: AtomicU64,
    pub logins_failed: AtomicU64,
    pub events_stored: AtomicU64,
    pub events_repeated: AtomicU64,
    pub events_rejected: AtomicU64,
    pub push_micros_total: AtomicU64,
    pub pushes: AtomicU64,
    pub live_streams_open: AtomicU64,
}

impl Metrics {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// The counters in Prometheus' text exposition format.
    pub fn render(&self) -> String {
        let rows: [(&str, &str, &str, &AtomicU64); 11] = [
            (
                "stepwise_http_requests_total",
                "counter",
                "HTTP requests received",
                &self.requests,
            ),
            (
                "stepwise_http_responses_4xx_total",
                "counter",
                "responses with a 4xx status",
                &self.responses_4xx,
            ),
            (
                "stepwise_http_responses_5xx_total",
                "counter",
                "responses with a 5xx status",
                &self.responses_5xx,
            ),
            (
                "stepwise_rate_limited_total",
                "counter",
                "requests refused by a rate limit",
                &self.rate_limited,
            ),
            (
                "stepwise_logins_failed_total",
                "counter",
                "logins with a wrong name or password",
                &self.logins_failed,
            ),
            (
                "stepwise_events_stored_total",
                "counter",
                "pushed events stored for the first time",
                &self.events_stored,
            ),
            (
                "stepwise_events_repeated_total",
                "counter",
                "pushed events already stored",
                &self.events_repeated,
            ),
            (
                "stepwise_events_rejected_total",
                "counter",
                "pushed events refused",
                &self.events_rejected,
            ),
            (
                "stepwise_push_seconds_sum",
                "counter",
                "time spent handling pushes",
                &self.push_micros_total,
            ),
            (
                "stepwise_push_seconds_count",
                "counter",
                "pushes handled",
                &self.pushes,
            ),
            (
                "stepwise_live_streams",
                "gauge",
                "open live streams",
                &self.live_streams_open,
            ),
        ];
        let mut out = String::new();
        for (name, kind, help, value) in rows {
            let value = value.load(Ordering::Relaxed);
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            if name == "stepwise_push_seconds_sum" {
                let _ = writeln!(out, "{name} {}", value as f64 / 1_000_000.0);
            } else {
                let _ = writeln!(out, "{name} {value}");
            }
        }
        out
    }
}
