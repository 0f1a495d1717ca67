//! Counters and gauges for Prometheus (text format, served by `http`), and
//! the health verdict `/health` returns.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Mutex, PoisonError};

/// `/health` is not ok once the lag exceeds this share of the ledger's
/// challenge window: a receipt confirmed now would then reach the reporter
/// with less than half its window left to flag it (and the flag itself
/// takes a block or two).
pub const LAG_ALARM_SHARE: (u64, u64) = (1, 2);

/// `/health` is not ok once this many flag attempts in a row failed (one
/// failure is often a transient node or nonce hiccup retried a moment
/// later; several mean the reporter is not getting flags through).
pub const FLAG_FAILURES_ALARM: u64 = 3;

/// The indexer's live numbers.
#[derive(Debug, Default)]
pub struct Metrics {
    pub head: AtomicU64,
    pub indexed: AtomicU64,
    pub blocks: AtomicU64,
    pub events: AtomicU64,
    pub unknown_events: AtomicU64,
    pub undecodable_events: AtomicU64,
    pub bizpower_mismatches: AtomicU64,
    pub inconsistencies: AtomicU64,
    pub batches: AtomicU64,
    pub reconnects: AtomicU64,
    /// Contract events per second over the latest batch, ×1000.
    pub events_per_second_milli: AtomicU64,
    /// Blocks per second over the latest batch, ×1000.
    pub blocks_per_second_milli: AtomicU64,
    pub connected: AtomicBool,
    /// `Timestamp::Now` (ms) of the latest indexed block (0: none yet).
    pub indexed_time_ms: AtomicU64,
    /// Wall clock (ms) when the follower last had every finalized block it
    /// knew of indexed.
    pub caught_up_at_ms: AtomicU64,
    /// The ledger's challenge window (ms) as last read from its params; 0
    /// when unknown (no reporter configured).
    pub challenge_ms: AtomicU64,
    /// Flags the reporter settled (sent, or found moot: window closed,
    /// flagged or refunded by someone else).
    pub flags_settled: AtomicU64,
    /// Flag attempts that failed (refused, or the node failed).
    pub flag_failures: AtomicU64,
    /// Failed flag attempts since the last settled one.
    pub flag_failures_in_a_row: AtomicU64,
    /// The latest failure's message (for `/health`).
    pub last_flag_error: Mutex<Option<String>>,
    /// Receipts the fraud model scored since start.
    pub receipts_scored: AtomicU64,
    /// Of them, those whose customer had no known funding: its funding
    /// features were 0 (funded at genesis, otherwise than by a transfer, or
    /// before the index began), which the model ranks worse.
    pub receipts_scored_unfunded: AtomicU64,
    /// Where the follower's time goes, per stage.
    pub stages: Stages,
}

/// Cumulative wall-clock time of each stage of the follower, in ns. The
/// fetch and decode stages run beside the others, so the stages add up to
/// more than the elapsed time when they overlap.
#[derive(Debug, Default)]
pub struct Stages {
    /// Fetching blocks from the node (summed over concurrent requests'
    /// batches: the time from asking for a batch to holding all of it).
    pub fetch_ns: AtomicU64,
    /// The projection waiting for fetched blocks.
    pub fetch_wait_ns: AtomicU64,
    /// Decoding contract events (SCALE into the typed enums and JSON).
    pub decode_ns: AtomicU64,
    /// Reading the rows a batch changes.
    pub load_ns: AtomicU64,
    /// Applying events to the rows in memory.
    pub apply_ns: AtomicU64,
    /// Writing the touched rows back.
    pub write_ns: AtomicU64,
    /// Fraud scoring of the confirmed receipts.
    pub score_ns: AtomicU64,
    /// Blocks, cursor and batch rows, and the commit.
    pub commit_ns: AtomicU64,
    /// Row loads the batch pre-pass did not foresee (each one a query).
    pub load_misses: AtomicU64,
}

impl Stages {
    /// `(name, seconds)` of each stage, in pipeline order.
    pub fn seconds(&self) -> [(&'static str, f64); 8] {
        let s = |a: &AtomicU64| a.load(Relaxed) as f64 / 1e9;
        [
            ("fetch", s(&self.fetch_ns)),
            ("wait", s(&self.fetch_wait_ns)),
            ("decode", s(&self.decode_ns)),
            ("load", s(&self.load_ns)),
            ("apply", s(&self.apply_ns)),
            ("write", s(&self.write_ns)),
            ("score", s(&self.score_ns)),
            ("commit", s(&self.commit_ns)),
        ]
    }
}

/// Nanoseconds of a duration, saturating (for the stage counters).
pub fn ns(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// The verdict of `/health`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Health {
    /// `ok`, `disconnected` or `degraded`.
    pub status: &'static str,
    /// Why it is not ok (empty when ok).
    pub reasons: Vec<String>,
}

impl Health {
    pub fn is_ok(&self) -> bool {
        self.reasons.is_empty()
    }
}

impl Metrics {
    /// Finalized blocks not yet indexed.
    pub fn lag(&self) -> u64 {
        self.head
            .load(Relaxed)
            .saturating_sub(self.indexed.load(Relaxed))
    }

    /// How long (ms) the oldest finalized block not yet indexed has waited,
    /// at wall-clock time `now_ms`; 0 when none is waiting.
    ///
    /// That block is no older than the latest indexed one, and was not yet
    /// finalized when the follower was last caught up, so it waited at most
    /// since the later of those two moments (an over-estimate by up to the
    /// follower's wait between head checks, and an under-estimate by up to
    /// the chain's finality delay). 0 too before the first block's time is
    /// known (a new database's first batch).
    pub fn lag_ms(&self, now_ms: u64) -> u64 {
        let since = self
            .indexed_time_ms
            .load(Relaxed)
            .max(self.caught_up_at_ms.load(Relaxed));
        if self.lag() == 0 || since == 0 {
            return 0;
        }
        now_ms.saturating_sub(since)
    }

    /// Records a failed flag attempt.
    pub fn flag_failed(&self, error: &str) {
        self.flag_failures.fetch_add(1, Relaxed);
        self.flag_failures_in_a_row.fetch_add(1, Relaxed);
        *self
            .last_flag_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(error.to_owned());
    }

    /// Records a settled flag.
    pub fn flag_settled(&self) {
        self.flags_settled.fetch_add(1, Relaxed);
        self.flag_failures_in_a_row.store(0, Relaxed);
    }

    /// The health at wall-clock time `now_ms`: not ok while disconnected,
    /// while the lag exceeds [`LAG_ALARM_SHARE`] of the challenge window
    /// (when it is known), and after [`FLAG_FAILURES_ALARM`] failed flag
    /// attempts in a row.
    pub fn health(&self, now_ms: u64) -> Health {
        let mut reasons = Vec::new();
        let connected = self.connected.load(Relaxed);
        if !connected {
            reasons.push("not connected to the node".to_owned());
        }
        let (challenge, lag) = (self.challenge_ms.load(Relaxed), self.lag_ms(now_ms));
        let (num, den) = LAG_ALARM_SHARE;
        if challenge > 0
            && u128::from(lag) * u128::from(den) > u128::from(challenge) * u128::from(num)
        {
            reasons.push(format!(
                "lag {lag} ms exceeds {num}/{den} of the ledger's challenge window ({challenge} ms): flags may come too late"
            ));
        }
        let failures = self.flag_failures_in_a_row.load(Relaxed);
        if failures >= FLAG_FAILURES_ALARM {
            let last = self
                .last_flag_error
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone()
                .unwrap_or_default();
            reasons.push(format!(
                "the last {failures} flag attempts failed (latest: {last})"
            ));
        }
        let status = match (reasons.is_empty(), connected) {
            (true, _) => "ok",
            (false, false) => "disconnected",
            (false, true) => "degraded",
        };
        Health { status, reasons }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        self.render_at(bizkey_store::unix_ms())
    }

    /// [`Metrics::render`] at wall-clock time `now_ms`.
    pub fn render_at(&self, now_ms: u64) -> String {
        let mut out = String::new();
        let mut put = |name: &str, kind: &str, help: &str, value: String| {
            out.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n"
            ));
        };
        let g = |a: &AtomicU64| a.load(Relaxed).to_string();
        let per_s = |a: &AtomicU64| format!("{:.3}", a.load(Relaxed) as f64 / 1000.0);
        put(
            "bizkey_indexer_head",
            "gauge",
            "Latest finalized block of the node.",
            g(&self.head),
        );
        put(
            "bizkey_indexer_indexed_height",
            "gauge",
            "Latest block applied to SQL.",
            g(&self.indexed),
        );
        put(
            "bizkey_indexer_lag_blocks",
            "gauge",
            "Finalized blocks not yet applied.",
            self.lag().to_string(),
        );
        put(
            "bizkey_indexer_blocks_total",
            "counter",
            "Blocks applied since start.",
            g(&self.blocks),
        );
        put(
            "bizkey_indexer_events_total",
            "counter",
            "Suite contract events applied since start.",
            g(&self.events),
        );
        put(
            "bizkey_indexer_unknown_events_total",
            "counter",
            "Events of contracts outside the suite, skipped.",
            g(&self.unknown_events),
        );
        put(
            "bizkey_indexer_undecodable_events_total",
            "counter",
            "Suite events no known type decodes.",
            g(&self.undecodable_events),
        );
        put(
            "bizkey_indexer_bizpower_mismatches_total",
            "counter",
            "Receipts whose replayed BizPower differs from the ledger's.",
            g(&self.bizpower_mismatches),
        );
        put(
            "bizkey_indexer_inconsistencies_total",
            "counter",
            "Events contradicting indexed state.",
            g(&self.inconsistencies),
        );
        put(
            "bizkey_indexer_batches_total",
            "counter",
            "SQL transactions committed.",
            g(&self.batches),
        );
        put(
            "bizkey_indexer_reconnects_total",
            "counter",
            "Reconnections to the node.",
            g(&self.reconnects),
        );
        put(
            "bizkey_indexer_events_per_second",
            "gauge",
            "Contract events per second over the latest batch.",
            per_s(&self.events_per_second_milli),
        );
        put(
            "bizkey_indexer_blocks_per_second",
            "gauge",
            "Blocks per second over the latest batch.",
            per_s(&self.blocks_per_second_milli),
        );
        put(
            "bizkey_indexer_connected",
            "gauge",
            "1 while connected to the node.",
            u64::from(self.connected.load(Relaxed)).to_string(),
        );
        put(
            "bizkey_indexer_lag_ms",
            "gauge",
            "How long the oldest finalized block not yet indexed has waited (ms).",
            self.lag_ms(now_ms).to_string(),
        );
        put(
            "bizkey_indexer_challenge_window_ms",
            "gauge",
            "The ledger's challenge window (ms; 0: unknown, no reporter).",
            g(&self.challenge_ms),
        );
        put(
            "bizkey_indexer_flags_settled_total",
            "counter",
            "Flags the reporter settled since start.",
            g(&self.flags_settled),
        );
        put(
            "bizkey_indexer_flag_failures_total",
            "counter",
            "Failed flag attempts since start.",
            g(&self.flag_failures),
        );
        put(
            "bizkey_indexer_flag_failures_in_a_row",
            "gauge",
            "Failed flag attempts since the last settled one.",
            g(&self.flag_failures_in_a_row),
        );
        put(
            "bizkey_indexer_receipts_scored_total",
            "counter",
            "Receipts the fraud model scored since start.",
            g(&self.receipts_scored),
        );
        put(
            "bizkey_indexer_receipts_scored_unfunded_total",
            "counter",
            "Of them, receipts whose customer had no known funding (the model ranks them worse).",
            g(&self.receipts_scored_unfunded),
        );
        put(
            "bizkey_indexer_healthy",
            "gauge",
            "1 when /health is ok.",
            u64::from(self.health(now_ms).is_ok()).to_string(),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_against_the_challenge_window_and_flag_failures_decide_health() {
        let m = Metrics::default();
        m.connected.store(true, Relaxed);
        m.challenge_ms.store(10_000, Relaxed);
        m.head.store(100, Relaxed);
        m.indexed.store(100, Relaxed);
        m.indexed_time_ms.store(1_000_000, Relaxed);
        m.caught_up_at_ms.store(1_002_000, Relaxed);
        // caught up: no lag however old the last block
        assert_eq!(m.lag_ms(9_000_000), 0);
        assert!(m.health(9_000_000).is_ok());
        // behind: measured from the later of the last block and the last catch-up
        m.head.store(103, Relaxed);
        assert_eq!(m.lag_ms(1_006_000), 4_000);
        assert!(m.health(1_006_000).is_ok());
        assert_eq!(m.lag_ms(1_007_001), 5_001);
        let h = m.health(1_007_001);
        assert_eq!(h.status, "degraded");
        assert!(
            h.reasons[0].contains("5001 ms") && h.reasons[0].contains("10000 ms"),
            "{h:?}"
        );
        assert!(m
            .render_at(1_007_001)
            .contains("bizkey_indexer_lag_ms 5001\n"));
        assert!(m
            .render_at(1_007_001)
            .contains("bizkey_indexer_healthy 0\n"));
        // no window known (no reporter): lag alone is no alarm
        m.challenge_ms.store(0, Relaxed);
        assert!(m.health(1_007_001).is_ok());

        for _ in 0..FLAG_FAILURES_ALARM - 1 {
            m.flag_failed("Unauthorized");
        }
        assert!(m.health(1_007_001).is_ok());
        m.flag_failed("ledger refuses the flag: Unauthorized");
        let h = m.health(1_007_001);
        assert!(
            h.reasons[0].contains(
                "the last 3 flag attempts failed (latest: ledger refuses the flag: Unauthorized)"
            ),
            "{h:?}"
        );
        m.flag_settled();
        assert!(m.health(1_007_001).is_ok());
        assert_eq!(m.flag_failures.load(Relaxed), 3);
        m.connected.store(false, Relaxed);
        assert_eq!(m.health(1_007_001).status, "disconnected");
    }
}
