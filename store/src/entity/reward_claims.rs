//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Every claim: what an account was paid and how many of its pending entries were consumed.

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reward_claims")]
pub struct Model {
    /// Block number.
    #[sea_orm(primary_key, auto_increment = false)]
    pub block_number: i64,
    /// Index in the block's events.
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_index: i64,
    /// Claimant (SS58).
    pub account: String,
    /// Biz paid.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub biz: U128,
    /// Time paid.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub time: U128,
    /// Pending entries consumed (forfeited ones included).
    pub entries: i64,
    /// Entries still pending after the claim.
    pub remaining: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
