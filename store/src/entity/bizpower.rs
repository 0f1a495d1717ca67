//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! BizPower per confirmed receipt, replayed by the indexer with the shared math crate, next to the value the ledger reported.

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bizpower")]
pub struct Model {
    /// Receipt.
    #[sea_orm(primary_key, auto_increment = false)]
    pub receipt_id: i64,
    /// Merchant (SS58).
    pub merchant: String,
    /// Confirmation time (ms).
    pub at: i64,
    /// at / window_ms.
    pub window_id: i64,
    /// The merchant's BizPower after this sale, replayed (10^9 = 1.0).
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub bizpower: U128,
    /// The same as the ledger's event reported it.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub chain_bizpower: U128,
    /// Novelty exponent, replayed.
    pub earlier_in_window: i64,
    /// Replay and chain agree (BizPower and novelty).
    pub matches: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
