//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! One row per committed batch of blocks, written in the batch's own transaction: the GraphQL API polls it (or, on PostgreSQL, is woken by NOTIFY bizkey_batches) to push what changed to its subscribers, and reads the node's head from it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "index_batches")]
pub struct Model {
    /// Last block of the batch (its indexed height).
    #[sea_orm(primary_key, auto_increment = false)]
    pub to_block: i64,
    /// First block of the batch.
    pub from_block: i64,
    /// The node's finalized head when the batch committed.
    pub head: i64,
    /// Contract events of the suite in the batch.
    pub events: i64,
    /// Commit time (ms, the indexer's clock).
    pub committed_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
