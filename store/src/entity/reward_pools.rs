//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! The ledger's reward pool per token: set by each sync, then moved as the ledger moves it (a confirmation reserves, a flag or refund releases, a claim pays out of the reserve).

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reward_pools")]
pub struct Model {
    /// biz or time.
    #[sea_orm(primary_key, auto_increment = false)]
    pub token: String,
    /// Free to promise.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub available: U128,
    /// Reserved by pending rewards.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub reserved: U128,
    /// Block of the last change.
    pub updated_block: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
