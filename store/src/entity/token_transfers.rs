//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Every PSP22 Transfer event. `from_account` NULL is a mint, `to_account` NULL a burn.

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "token_transfers")]
pub struct Model {
    /// Block number.
    #[sea_orm(primary_key, auto_increment = false)]
    pub block_number: i64,
    /// Index in the block's events (joins `events`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_index: i64,
    /// biz or time.
    pub token: String,
    /// Sender (SS58); NULL for a mint.
    #[sea_orm(nullable)]
    pub from_account: Option<String>,
    /// Recipient (SS58); NULL for a burn.
    #[sea_orm(nullable)]
    pub to_account: Option<String>,
    /// Amount in the smallest unit.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub value: U128,
    /// Block time (ms).
    pub timestamp: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
