//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Every finalized block from the start block on, whether or not it had Bizkey events.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "blocks")]
pub struct Model {
    /// Block number.
    #[sea_orm(primary_key, auto_increment = false)]
    pub number: i64,
    /// Block hash (0x hex).
    pub hash: String,
    /// Parent block hash (0x hex).
    pub parent_hash: String,
    /// Block time (ms since the Unix epoch, `Timestamp::Now`).
    pub timestamp: i64,
    /// Bizkey contract events in this block.
    pub events: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
