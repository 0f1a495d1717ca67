//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Every merchant status change, with who made it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "merchant_status_history")]
pub struct Model {
    /// Block number.
    #[sea_orm(primary_key, auto_increment = false)]
    pub block_number: i64,
    /// Index in the block's events.
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_index: i64,
    /// Merchant (SS58).
    pub merchant: String,
    /// Authority, governance or super node (SS58); NULL when the merchant's own profile update reset it.
    #[sea_orm(nullable)]
    pub changed_by: Option<String>,
    /// Status before; NULL at registration.
    #[sea_orm(nullable)]
    pub from_status: Option<String>,
    /// Status after.
    pub to_status: String,
    /// Time of the change (ms).
    pub at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
