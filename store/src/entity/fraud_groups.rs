//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Running fraud scores of groups of scored receipts, for the super nodes' review: a merchant's sales, a customer's purchases, and the purchases of the customers a referrer referred. A group's score is the mean of its three highest receipt scores (bizkey-fraud `group`), set once it has three receipts. Kept in the transaction that scores the receipts.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fraud_groups")]
pub struct Model {
    /// merchant, customer or referrer.
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    /// The merchant, customer or referrer (SS58).
    #[sea_orm(primary_key, auto_increment = false)]
    pub account: String,
    /// Scored receipts in the group.
    pub receipts: i64,
    /// Of them, scored at or above the model's threshold.
    pub above: i64,
    /// Sum of their scores × 10^6 (the mean is score_sum_ppm / receipts).
    pub score_sum_ppm: i64,
    /// Highest receipt score × 10^6.
    pub top1_ppm: i64,
    /// Second highest (0 with fewer receipts).
    pub top2_ppm: i64,
    /// Third highest (0 with fewer receipts).
    pub top3_ppm: i64,
    /// The group's score × 10^6: (top1 + top2 + top3) / 3 rounded down; null below three receipts.
    #[sea_orm(nullable)]
    pub score_ppm: Option<i64>,
    /// `fraud_scores.seq` of the last receipt added.
    pub last_seq: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
