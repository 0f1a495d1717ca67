//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Open/high/low/close of each merchant's BizPower per minute, hour and day (UTC buckets of confirmation time), updated with every confirmation.

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "klines")]
pub struct Model {
    /// Merchant (SS58).
    #[sea_orm(primary_key, auto_increment = false)]
    pub merchant: String,
    /// 1m, 1h or 1d.
    #[sea_orm(primary_key, auto_increment = false)]
    pub interval: String,
    /// Start of the bucket (ms).
    #[sea_orm(primary_key, auto_increment = false)]
    pub bucket_start: i64,
    /// First BizPower in the bucket.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub open: U128,
    /// Highest.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub high: U128,
    /// Lowest.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub low: U128,
    /// Latest.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub close: U128,
    /// Confirmations in the bucket.
    pub receipts: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
