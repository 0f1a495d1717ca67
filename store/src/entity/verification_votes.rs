//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Every vote of a covering super node on a pending merchant (VerificationVoted, from 训政 on); the counts are among the nodes covering the merchant at that vote, in the running round.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "verification_votes")]
pub struct Model {
    /// Block number.
    #[sea_orm(primary_key, auto_increment = false)]
    pub block_number: i64,
    /// Index in the block's events.
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_index: i64,
    /// Merchant (SS58).
    pub merchant: String,
    /// Super node (SS58).
    pub node: String,
    /// Approval or rejection.
    pub approve: bool,
    /// Approvals in the round so far.
    pub approvals: i64,
    /// Rejections in the round so far.
    pub rejections: i64,
    /// Super nodes covering the merchant.
    pub covering: i64,
    /// Block time (ms).
    pub timestamp: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
