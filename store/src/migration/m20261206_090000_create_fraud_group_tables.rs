//! The fraud model's verdicts on groups of receipts (see `bizkey_fraud::group`):
//! each merchant's, customer's and referrer's running score, and the
//! receipts the account rule raised for the on-chain flag.

use super::schema::{col, opt, tables_migration, Table, Ty::*};

pub const TABLES: &[Table] = &[Table {
    name: "fraud_groups",
    doc: "Running fraud scores of groups of scored receipts, for the super nodes' review: a merchant's sales, a customer's purchases, and the purchases of the customers a referrer referred. A group's score is the mean of its three highest receipt scores (bizkey-fraud `group`), set once it has three receipts. Kept in the transaction that scores the receipts.",
    columns: &[
        col("kind", Text, "merchant, customer or referrer."),
        col("account", Text, "The merchant, customer or referrer (SS58)."),
        col("receipts", BigInt, "Scored receipts in the group."),
        col("above", BigInt, "Of them, scored at or above the model's threshold."),
        col("score_sum_ppm", BigInt, "Sum of their scores × 10^6 (the mean is score_sum_ppm / receipts)."),
        col("top1_ppm", BigInt, "Highest receipt score × 10^6."),
        col("top2_ppm", BigInt, "Second highest (0 with fewer receipts)."),
        col("top3_ppm", BigInt, "Third highest (0 with fewer receipts)."),
        opt("score_ppm", BigInt, "The group's score × 10^6: (top1 + top2 + top3) / 3 rounded down; null below three receipts."),
        col("last_seq", BigInt, "`fraud_scores.seq` of the last receipt added."),
    ],
    primary_key: &["kind", "account"],
    indexes: &[&["kind", "score_ppm"]],
}, Table {
    name: "fraud_group_flags",
    doc: "Receipts sent to the on-chain flag because of their customer's group rather than their own score: when a customer's group score reaches the model's threshold, that customer's receipts still in their challenge window (`matures_at` after the confirmation that lifted the group) and below the threshold become `pending` in `fraud_scores` (`unreported` without a reporter key), and the reporter flags them like any other.",
    columns: &[
        col("receipt_id", BigInt, "The raised receipt (see `receipts`, `fraud_scores`)."),
        col("seq", BigInt, "Its `fraud_scores.seq`."),
        col("kind", Text, "The group that raised it (customer)."),
        col("account", Text, "That group's account (SS58)."),
        col("group_score_ppm", BigInt, "The group's score × 10^6 when it raised the receipt."),
        col("raised_by_seq", BigInt, "`fraud_scores.seq` of the receipt whose score lifted the group."),
    ],
    primary_key: &["receipt_id"],
    indexes: &[&["account"]],
}];

tables_migration!();
