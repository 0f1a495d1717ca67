//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Each customer's history at each merchant, as BizPower deduplication sees it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "visits")]
pub struct Model {
    /// Merchant (SS58).
    #[sea_orm(primary_key, auto_increment = false)]
    pub merchant: String,
    /// Customer (SS58).
    #[sea_orm(primary_key, auto_increment = false)]
    pub customer: String,
    /// Confirmed purchases ever.
    pub purchases: i64,
    /// Window of the first purchase.
    pub first_window: i64,
    /// Window of the latest purchase.
    pub window_id: i64,
    /// Purchases in that window.
    pub in_window: i64,
    /// Counted in that window as in-store (bit 0) / outside (bit 1) customer.
    pub counted: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
