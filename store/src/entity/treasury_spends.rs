//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! BT paid from the treasury (the vesting contract's ecosystem fund) by an executed proposal (TreasurySpent).

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "treasury_spends")]
pub struct Model {
    /// Block number.
    #[sea_orm(primary_key, auto_increment = false)]
    pub block_number: i64,
    /// Index in the block's events.
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_index: i64,
    /// Recipient (SS58).
    pub to_account: String,
    /// BT units.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub amount: U128,
    /// The executed proposal.
    #[sea_orm(nullable)]
    pub proposal_id: Option<i64>,
    /// Block time (ms).
    pub timestamp: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
