//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Off-chain receipt details (items, logistics, names), accepted only when the blake2-256 of their canonical encoding equals the receipt's on-chain detail_hash.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "receipt_details")]
pub struct Model {
    /// Receipt.
    #[sea_orm(primary_key, auto_increment = false)]
    pub receipt_id: i64,
    /// The matching hash (0x hex).
    pub detail_hash: String,
    /// The detail as submitted (canonical JSON).
    #[sea_orm(column_type = "Json")]
    pub detail: Json,
    /// When the indexer accepted it (ms, wall clock).
    pub received_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
