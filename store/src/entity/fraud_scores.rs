//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! The fraud model's score of every confirmed receipt, with the model's inputs as the scorer saw them (so a restart replays the same history) and the state of the on-chain flag. Rows are in confirmation (chain) order: `seq` is the position in that order. Written by the indexer's scoring stage in transactions of its own, at most two batches behind the receipts' confirmation; confirmed receipts without a row after a crash are scored when the indexer starts again.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fraud_scores")]
pub struct Model {
    /// Position in confirmation order (0, 1, …): the order the feature history was fed.
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    /// Receipt (see `receipts`).
    pub receipt_id: i64,
    /// Merchant (SS58).
    pub merchant: String,
    /// Customer (SS58).
    pub customer: String,
    /// The merchant's registry category when scored.
    pub category: String,
    /// The customer's referrer (SS58) when scored.
    #[sea_orm(nullable)]
    pub referrer: Option<String>,
    /// InStore or Outside.
    pub channel: String,
    /// Amount, cents.
    pub amount_cents: i64,
    /// Time paid, converted to cents.
    pub time_deducted_cents: i64,
    /// Number of items.
    pub items: i64,
    /// Order time on the receipt (ms).
    pub order_time: i64,
    /// Time fed to the feature history: max(order_time, the previous row's feature_time), so the history is what the chain had confirmed before this receipt.
    pub feature_time: i64,
    /// The feature vector (bizkey-fraud `FEATURE_NAMES` order).
    #[sea_orm(column_type = "Json")]
    pub features: Json,
    /// blake2-256 of the model version and the little-endian f32 features (0x hex): the `evidence` of the on-chain flag.
    pub features_hash: String,
    /// Fraud probability × 10^6, rounded.
    pub score_ppm: i64,
    /// Version of the model that scored it.
    pub model_version: String,
    /// The model's threshold × 10^6: flagged when the score is at least the threshold.
    pub threshold_ppm: i64,
    /// clear (below the threshold), pending (above: to be flagged), flagged (our flag is on chain), too_late (the challenge window closed first), not_confirmed (flagged or refunded by someone else first), unreported (above, but no reporter key configured).
    pub status: String,
    /// End of the receipt's challenge window (ms): the flag must land before it.
    #[sea_orm(nullable)]
    pub matures_at: Option<i64>,
    /// Flag submissions tried.
    pub attempts: i64,
    /// Last failure of a flag attempt.
    #[sea_orm(nullable)]
    pub last_error: Option<String>,
    /// Hash of the block that included our flag (0x hex).
    #[sea_orm(nullable)]
    pub flag_block: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
