//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Ratings after a confirmed receipt: the customer rates the merchant (product, service, environment) and the merchant rates the customer (score). Scores 1..5.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ratings")]
pub struct Model {
    /// Receipt.
    #[sea_orm(primary_key, auto_increment = false)]
    pub receipt_id: i64,
    /// customer (rates the merchant) or merchant (rates the customer).
    #[sea_orm(primary_key, auto_increment = false)]
    pub side: String,
    /// Merchant (SS58).
    pub merchant: String,
    /// Customer (SS58).
    pub customer: String,
    /// Product score (customer's rating).
    #[sea_orm(nullable)]
    pub product: Option<i64>,
    /// Service score (customer's rating).
    #[sea_orm(nullable)]
    pub service: Option<i64>,
    /// Environment score (customer's rating).
    #[sea_orm(nullable)]
    pub environment: Option<i64>,
    /// Customer score (merchant's rating).
    #[sea_orm(nullable)]
    pub score: Option<i64>,
    /// Hash of the off-chain comment (0x hex).
    #[sea_orm(nullable)]
    pub comment: Option<String>,
    /// Block number.
    pub block_number: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
