//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Total supply per token: mints minus burns.

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "token_supply")]
pub struct Model {
    /// biz or time.
    #[sea_orm(primary_key, auto_increment = false)]
    pub token: String,
    /// Total supply in the smallest unit.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub total_supply: U128,
    /// Block of the last mint or burn.
    pub updated_block: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
