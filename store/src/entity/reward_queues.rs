//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Each account's FIFO of pending reward entries, as the ledger keeps it internally (it has no query for it; a dry-run `claim` shows what the head would pay): entries `head..tail` are queued; a claim consumes from `head`, and both restart at 0 when a claim empties the queue.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reward_queues")]
pub struct Model {
    /// Beneficiary (SS58).
    #[sea_orm(primary_key, auto_increment = false)]
    pub account: String,
    /// Index of the oldest queued entry.
    pub head: i64,
    /// Index the next entry gets.
    pub tail: i64,
    /// Block of the last change.
    pub updated_block: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
