//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Each merchant's confirmed sales and the rewards they earned, per UTC day of confirmation, kept as receipts are confirmed. Flags and refunds later in the challenge window are counted on the day of the confirmation and leave the sums as they are (as the ledger's receipts keep their rewards); when governance removes an account, its pending shares come off the sums, as they come off the ledger's receipts.

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "merchant_days")]
pub struct Model {
    /// Merchant (SS58).
    #[sea_orm(primary_key, auto_increment = false)]
    pub merchant: String,
    /// Start of the UTC day (ms).
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: i64,
    /// Receipts confirmed that day.
    pub receipts: i64,
    /// Their amounts, cents.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub sales: U128,
    /// Time the customers paid with (TT units).
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub time_paid: U128,
    /// Biz promised to the merchant and its referrer.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub biz_rewards: U128,
    /// Time promised to the customers and their referrers.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub time_rewards: U128,
    /// Of these receipts, flagged since.
    pub flagged: i64,
    /// Of these receipts, refunded since.
    pub refunded: i64,
    /// Block of the last change.
    pub updated_block: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
