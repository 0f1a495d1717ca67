//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! The B2b platform each merchant declared to the super-node contract (PlatformChanged): Platform-scoped super nodes cover its members.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "merchant_platforms")]
pub struct Model {
    /// Merchant (SS58).
    #[sea_orm(primary_key, auto_increment = false)]
    pub merchant: String,
    /// Platform number; NULL after leaving.
    #[sea_orm(nullable)]
    pub platform: Option<i64>,
    /// Block of the last change.
    pub updated_block: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
