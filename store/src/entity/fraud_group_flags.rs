//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Receipts sent to the on-chain flag because of their customer's group rather than their own score: when a customer's group score reaches the model's threshold, that customer's receipts still in their challenge window (`matures_at` after the confirmation that lifted the group) and below the threshold become `pending` in `fraud_scores` (`unreported` without a reporter key), and the reporter flags them like any other.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fraud_group_flags")]
pub struct Model {
    /// The raised receipt (see `receipts`, `fraud_scores`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub receipt_id: i64,
    /// Its `fraud_scores.seq`.
    pub seq: i64,
    /// The group that raised it (customer).
    pub kind: String,
    /// That group's account (SS58).
    pub account: String,
    /// The group's score × 10^6 when it raised the receipt.
    pub group_score_ppm: i64,
    /// `fraud_scores.seq` of the receipt whose score lifted the group.
    pub raised_by_seq: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
