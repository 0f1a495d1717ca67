//! The fraud model's verdicts: one row per confirmed receipt, in the order
//! the scorer saw them (see `crate::fraud`).

use super::schema::{col, opt, tables_migration, Table, Ty::*};

pub const TABLES: &[Table] = &[Table {
    name: "fraud_scores",
    doc: "The fraud model's score of every confirmed receipt, with the model's inputs as the scorer saw them (so a restart replays the same history) and the state of the on-chain flag. Rows are in confirmation (chain) order: `seq` is the position in that order. Written by the indexer's scoring stage in transactions of its own, at most two batches behind the receipts' confirmation; confirmed receipts without a row after a crash are scored when the indexer starts again.",
    columns: &[
        col("seq", BigInt, "Position in confirmation order (0, 1, …): the order the feature history was fed."),
        col("receipt_id", BigInt, "Receipt (see `receipts`)."),
        col("merchant", Text, "Merchant (SS58)."),
        col("customer", Text, "Customer (SS58)."),
        col("category", Text, "The merchant's registry category when scored."),
        opt("referrer", Text, "The customer's referrer (SS58) when scored."),
        col("channel", Text, "InStore or Outside."),
        col("amount_cents", BigInt, "Amount, cents."),
        col("time_deducted_cents", BigInt, "Time paid, converted to cents."),
        col("items", BigInt, "Number of items."),
        col("order_time", BigInt, "Order time on the receipt (ms)."),
        col("feature_time", BigInt, "Time fed to the feature history: max(order_time, the previous row's feature_time), so the history is what the chain had confirmed before this receipt."),
        col("features", Json, "The feature vector (bizkey-fraud `FEATURE_NAMES` order)."),
        col("features_hash", Text, "blake2-256 of the model version and the little-endian f32 features (0x hex): the `evidence` of the on-chain flag."),
        col("score_ppm", BigInt, "Fraud probability × 10^6, rounded."),
        col("model_version", Text, "Version of the model that scored it."),
        col("threshold_ppm", BigInt, "The model's threshold × 10^6: flagged when the score is at least the threshold."),
        col("status", Text, "clear (below the threshold), pending (above: to be flagged), flagged (our flag is on chain), too_late (the challenge window closed first), not_confirmed (flagged or refunded by someone else first), unreported (above, but no reporter key configured)."),
        opt("matures_at", BigInt, "End of the receipt's challenge window (ms): the flag must land before it."),
        col("attempts", BigInt, "Flag submissions tried."),
        opt("last_error", Text, "Last failure of a flag attempt."),
        opt("flag_block", Text, "Hash of the block that included our flag (0x hex)."),
    ],
    primary_key: &["seq"],
    indexes: &[&["receipt_id"], &["status"]],
}];

tables_migration!();
