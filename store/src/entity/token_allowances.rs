//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Current PSP22 allowances, from the Approval events.

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "token_allowances")]
pub struct Model {
    /// biz or time.
    #[sea_orm(primary_key, auto_increment = false)]
    pub token: String,
    /// Owner (SS58).
    #[sea_orm(primary_key, auto_increment = false)]
    pub owner: String,
    /// Spender (SS58).
    #[sea_orm(primary_key, auto_increment = false)]
    pub spender: String,
    /// What the spender may still move.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub amount: U128,
    /// Block of the last change.
    pub updated_block: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
