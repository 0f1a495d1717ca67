//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Customers: registered at the registry, or known from their first confirmed purchase (the ledger's copy).

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
    /// Known from its first confirmed purchase only: the registry holds no record of it.
    pub implicit: bool,
    /// Registration or first purchase time, whichever came first (ms).
    pub registered_at: i64,
    /// Block of the registration.
    pub registered_block: i64,
    /// Block of the last change.
    pub updated_block: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
