//! Counters and gauges for Prometheus (text format, served by `http`).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

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
}

impl Metrics {
    /// Finalized blocks not yet indexed.
    pub fn lag(&self) -> u64 {
        self.head
            .load(Relaxed)
            .saturating_sub(self.indexed.load(Relaxed))
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
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
        out
    }
}
