//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Each account's BT lock in the locking contract (Locked, Unlocked, DividendsClaimed), as `lock_of` reports it. Pending Time dividends are `unclaimed + max(0, floor(weight × acc_per_weight / 10^18) − reward_debt)` with `locking_totals.acc_per_weight` (the contract's `pending_dividends`). After an unlock the contract forgets the lock: the row stays with status `unlocked` and every amount 0 (`lock_history` keeps what it was).

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "locks")]
pub struct Model {
    /// Locker (SS58).
    #[sea_orm(primary_key, auto_increment = false)]
    pub account: String,
    /// locked or unlocked.
    pub status: String,
    /// BT locked, units.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub amount: U128,
    /// Index of the lock's tier in the contract's `tiers` at locking time.
    pub tier: i64,
    /// Voting and dividend weight: amount × the tier's multiplier.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub weight: U128,
    /// When `unlock` may return the BT (ms).
    pub unlock_at: i64,
    /// weight × acc_per_weight / 10^18 when last settled, rounded up (the dividend accumulator's debt).
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub reward_debt: U128,
    /// Settled Time dividends not yet claimed.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub unclaimed: U128,
    /// Block of the account's first lock.
    pub first_block: i64,
    /// Block of the last change.
    pub updated_block: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
