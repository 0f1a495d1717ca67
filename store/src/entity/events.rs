//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Every ContractEmitted event of a Bizkey contract, decoded with the contracts' own event types. Keyed by (block, index in the block's event list), so re-applying a block cannot duplicate it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    /// Block number.
    #[sea_orm(primary_key, auto_increment = false)]
    pub block_number: i64,
    /// Index of the event in the block's System.Events.
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_index: i64,
    /// Index of the extrinsic that emitted it (NULL outside an extrinsic).
    #[sea_orm(nullable)]
    pub extrinsic_index: Option<i64>,
    /// Emitting contract (SS58).
    pub contract: String,
    /// Kind of the emitting contract (see `contracts.kind`).
    pub contract_kind: String,
    /// Event type (Transfer, ReceiptConfirmed, …); NULL when no known type decodes it.
    #[sea_orm(nullable)]
    pub name: Option<String>,
    /// The decoded fields as JSON (accounts SS58, hashes 0x hex, u128 as decimal strings).
    #[sea_orm(column_type = "Json", nullable)]
    pub data: Option<Json>,
    /// The event's SCALE bytes (0x hex).
    pub raw: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
