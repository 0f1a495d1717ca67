//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Every lock and unlock of BT (Locked, Unlocked), with the account's lock and all lock weight afterwards.

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lock_history")]
pub struct Model {
    /// Block number.
    #[sea_orm(primary_key, auto_increment = false)]
    pub block_number: i64,
    /// Index in the block's events.
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_index: i64,
    /// Locker (SS58).
    pub account: String,
    /// lock or unlock.
    pub kind: String,
    /// BT added by the lock, or returned by the unlock.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub amount: U128,
    /// The account's BT locked afterwards (0 after an unlock).
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub locked: U128,
    /// The account's weight afterwards.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub weight: U128,
    /// The lock's tier (NULL for an unlock).
    #[sea_orm(nullable)]
    pub tier: Option<i64>,
    /// When the lock ends (ms; NULL for an unlock).
    #[sea_orm(nullable)]
    pub unlock_at: Option<i64>,
    /// All lock weight afterwards.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub total_weight: U128,
    /// Block time (ms).
    pub timestamp: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
