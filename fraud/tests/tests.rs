//! Integration tests of bizkey-fraud, one binary (one `mod` per area).

mod cli;
mod csv_parsing;
mod features;
mod group;
mod metrics;
mod model;

use bizkey_fraud::receipt::{Channel, Receipt};

/// A hand-made receipt at `minute` minutes past 2026-01-01 00:00 local time.
pub fn receipt(
    minute: u64,
    merchant: u32,
    customer: u32,
    referrer: Option<u32>,
    amount_cents: u64,
) -> Receipt {
    Receipt {
        order_time_ms: bizkey_fraud::sim::DEFAULT_START_MS + minute * 60_000,
        merchant,
        category: 0,
        customer,
        referrer,
        channel: Channel::InStore,
        amount_cents,
        time_deducted: 0,
        item_count: 1,
    }
}
