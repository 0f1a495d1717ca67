//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! One row per entry the ledger queued for a confirmed receipt (one per beneficiary with a non-zero amount): pending until claimed after `matures_at`; forfeited when the receipt is flagged or refunded in its challenge window.

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rewards")]
pub struct Model {
    /// Receipt.
    #[sea_orm(primary_key, auto_increment = false)]
    pub receipt_id: i64,
    /// merchant, merchant_referrer, customer or customer_referrer.
    #[sea_orm(primary_key, auto_increment = false)]
    pub role: String,
    /// Who receives it (SS58).
    pub beneficiary: String,
    /// biz or time.
    pub token: String,
    /// Amount in the smallest unit.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub amount: U128,
    /// Claimable from (ms).
    pub matures_at: i64,
    /// pending, claimed or forfeited.
    pub status: String,
    /// Block of the confirmation.
    pub created_block: i64,
    /// Block of the claim or forfeit.
    #[sea_orm(nullable)]
    pub settled_block: Option<i64>,
    /// Block of the claim that took the entry off the beneficiary's queue (claims consume matured entries oldest first, forfeited ones included).
    #[sea_orm(nullable)]
    pub consumed_block: Option<i64>,
    /// Position in the beneficiary's claim queue when it was queued (the ledger's FIFO index; see `reward_queues`); claims consume entries in this order.
    pub queue_index: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
