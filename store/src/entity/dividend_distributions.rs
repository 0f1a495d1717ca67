//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Time that reached the lockers' dividend pool (the emission's share) and was shared among the locks by weight (DividendsDistributed).

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dividend_distributions")]
pub struct Model {
    /// Block number.
    #[sea_orm(primary_key, auto_increment = false)]
    pub block_number: i64,
    /// Index in the block's events.
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_index: i64,
    /// Time distributed, units.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub amount: U128,
    /// The accumulator afterwards: Time per unit of weight × 10^18.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub acc_per_weight: U128,
    /// Block time (ms).
    pub timestamp: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
