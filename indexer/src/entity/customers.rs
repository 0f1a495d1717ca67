//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-indexer entities_are_generated`.
//!
//! Registered customers: explicitly, or implicitly by their first confirmed purchase.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "customers")]
pub struct Model {
    /// Customer account (SS58).
    #[sea_orm(primary_key, auto_increment = false)]
    pub account: String,
    /// Referrer customer (顾客父 ID, SS58).
    #[sea_orm(nullable)]
    pub referrer: Option<String>,
    /// Active, Suspended or Removed.
    pub status: String,
    /// Registered by its first confirmed purchase rather than by itself.
    pub implicit: bool,
    /// Registration time (ms).
    pub registered_at: i64,
    /// Block of the registration.
    pub registered_block: i64,
    /// Block of the last change.
    pub updated_block: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
