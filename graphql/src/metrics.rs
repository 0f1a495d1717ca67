//! Request counters and a latency histogram, in Prometheus' text format.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// Upper bounds of the latency buckets, seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Debug, Default)]
pub struct Metrics {
    requests: AtomicU64,
    errors: AtomicU64,
    /// Requests per latency bucket (not cumulative; the last is +Inf).
    latency: [AtomicU64; BUCKETS.len() + 1],
    latency_micros: AtomicU64,
}

impl Metrics {
    /// Records one GraphQL request; `failed` when its response had errors.
    pub fn record(&self, took: Duration, failed: bool) {
        self.requests.fetch_add(1, Relaxed);
        if failed {
            self.errors.fetch_add(1, Relaxed);
        }
        let s = took.as_secs_f64();
        let i = BUCKETS
            .iter()
            .position(|b| s <= *b)
            .unwrap_or(BUCKETS.len());
        self.latency[i].fetch_add(1, Relaxed);
        self.latency_micros
            .fetch_add(took.as_micros() as u64, Relaxed);
    }

    /// The text exposition; `subscribers` is the live subscription count.
    pub fn render(&self, subscribers: usize) -> String {
        let mut out = String::new();
        out.push_str("# HELP bizkey_graphql_requests_total GraphQL requests served over HTTP.\n");
        out.push_str("# TYPE bizkey_graphql_requests_total counter\n");
        out.push_str(&format!(
            "bizkey_graphql_requests_total {}\n",
            self.requests.load(Relaxed)
        ));
        out.push_str("# HELP bizkey_graphql_errors_total Requests answered with GraphQL errors.\n");
        out.push_str("# TYPE bizkey_graphql_errors_total counter\n");
        out.push_str(&format!(
            "bizkey_graphql_errors_total {}\n",
            self.errors.load(Relaxed)
        ));
        out.push_str("# HELP bizkey_graphql_request_seconds Time to answer a request.\n");
        out.push_str("# TYPE bizkey_graphql_request_seconds histogram\n");
        let mut cumulative = 0;
        for (i, b) in BUCKETS.iter().enumerate() {
            cumulative += self.latency[i].load(Relaxed);
            out.push_str(&format!(
                "bizkey_graphql_request_seconds_bucket{{le=\"{b}\"}} {cumulative}\n"
            ));
        }
        cumulative += self.latency[BUCKETS.len()].load(Relaxed);
        out.push_str(&format!(
            "bizkey_graphql_request_seconds_bucket{{le=\"+Inf\"}} {cumulative}\n"
        ));
        out.push_str(&format!(
            "bizkey_graphql_request_seconds_sum {:.6}\nbizkey_graphql_request_seconds_count {cumulative}\n",
            self.latency_micros.load(Relaxed) as f64 / 1e6
        ));
        out.push_str("# HELP bizkey_graphql_subscribers Live subscriptions.\n");
        out.push_str("# TYPE bizkey_graphql_subscribers gauge\n");
        out.push_str(&format!("bizkey_graphql_subscribers {subscribers}\n"));
        out
    }
}
