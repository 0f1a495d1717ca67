//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Each account's first native-token transfer: the chain's first `Balances::Transfer` event that credited it, which paid the fees of its first signature (an account created at genesis has none). The fraud scorer feeds them to the feature history in chain order, before the receipts confirmed after them.

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fundings")]
pub struct Model {
    /// The account funded (SS58).
    #[sea_orm(primary_key, auto_increment = false)]
    pub account: String,
    /// The sender (SS58).
    pub funder: String,
    /// Amount in the smallest unit of the native token.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub amount: U128,
    /// Block number.
    pub block_number: i64,
    /// Index in the block's `System::Events`.
    pub event_index: i64,
    /// Block time (ms).
    pub timestamp: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
