//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! The indexer's checkpoint: which chain this database belongs to and how far it got. One row (id = 1), updated in the same transaction as each batch of blocks.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "chain_meta")]
pub struct Model {
    /// Always 1.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// Genesis block hash (0x hex) of the chain this database indexes; the indexer refuses to run against another chain.
    pub genesis_hash: String,
    /// First block indexed (the manifest's deployment block).
    pub start_block: i64,
    /// Highest finalized block fully applied (everything up to it, nothing after it).
    pub indexed_height: i64,
    /// Hash of `indexed_height`; the next block's parent must match it.
    pub indexed_hash: String,
    /// ContractEmitted events of contracts outside the suite, skipped so far.
    pub unknown_events: i64,
    /// Events of suite contracts that no known event type decodes (stored in `events` with `name` NULL).
    pub undecodable_events: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
