//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Likes, comments, shares, replies and views of confirmed receipts; the content stays off-chain.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reactions")]
pub struct Model {
    /// Block number.
    #[sea_orm(primary_key, auto_increment = false)]
    pub block_number: i64,
    /// Index in the block's events.
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_index: i64,
    /// Receipt.
    pub receipt_id: i64,
    /// Who reacted (SS58).
    pub account: String,
    /// Like, Comment, Share, Reply or View.
    pub kind: String,
    /// Hash of the content (0x hex).
    pub content: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
