//! What the GraphQL API reads beyond the contracts' state: the log of
//! committed batches (its subscriptions follow it) and the merchants' daily
//! aggregates.

use super::schema::{col, tables_migration, Table, Ty::*};

pub const TABLES: &[Table] = &[Table {
    name: "index_batches",
    doc: "One row per committed batch of blocks, written in the batch's own transaction: the GraphQL API polls it (or, on PostgreSQL, is woken by NOTIFY bizkey_batches) to push what changed to its subscribers, and reads the node's head from it.",
    columns: &[
        col("to_block", BigInt, "Last block of the batch (its indexed height)."),
        col("from_block", BigInt, "First block of the batch."),
        col("head", BigInt, "The node's finalized head when the batch committed."),
        col("events", BigInt, "Contract events of the suite in the batch."),
        col("committed_at", BigInt, "Commit time (ms, the indexer's clock)."),
    ],
    primary_key: &["to_block"],
    indexes: &[],
}, Table {
    name: "merchant_days",
    doc: "Each merchant's confirmed sales and the rewards they earned, per UTC day of confirmation, kept as receipts are confirmed. Flags and refunds later in the challenge window are counted on the day of the confirmation and leave the sums as they are (as the ledger's receipts keep their rewards); when governance removes an account, its pending shares come off the sums, as they come off the ledger's receipts.",
    columns: &[
        col("merchant", Text, "Merchant (SS58)."),
        col("day", BigInt, "Start of the UTC day (ms)."),
        col("receipts", BigInt, "Receipts confirmed that day."),
        col("sales", U128, "Their amounts, cents."),
        col("time_paid", U128, "Time the customers paid with (TT units)."),
        col("biz_rewards", U128, "Biz promised to the merchant and its referrer."),
        col("time_rewards", U128, "Time promised to the customers and their referrers."),
        col("flagged", BigInt, "Of these receipts, flagged since."),
        col("refunded", BigInt, "Of these receipts, refunded since."),
        col("updated_block", BigInt, "Block of the last change."),
    ],
    primary_key: &["merchant", "day"],
    indexes: &[&["day"]],
}];

tables_migration!();
