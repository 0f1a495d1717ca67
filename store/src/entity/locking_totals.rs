//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! The locking contract's totals, as its `totals` and `dividends` queries report them. One row (id = 1).

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "locking_totals")]
pub struct Model {
    /// Always 1.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// BT locked by all accounts.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub total_locked: U128,
    /// Weight of all locks.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub total_weight: U128,
    /// Dividend accumulator: Time per unit of weight × 10^18.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub acc_per_weight: U128,
    /// Time distributed to the locks and not yet paid out.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub dividends_reserved: U128,
    /// Block of the last change.
    pub updated_block: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
