//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Every parameter set of the ledger (ParamsChanged); the latest row is in force. Before the first row the ledger's defaults apply.

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_params")]
pub struct Model {
    /// Block number.
    #[sea_orm(primary_key, auto_increment = false)]
    pub block_number: i64,
    /// Index in the block's events.
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_index: i64,
    /// Biz for one novel receipt at the reference BizPower.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub base_biz: U128,
    /// BizPower that earns exactly base_biz (10^9 = 1.0).
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub reference_bizpower: U128,
    /// Time cashback, ppm of the amount.
    pub cashback_ppm: i64,
    /// w1, ppm.
    pub weight_outside: i64,
    /// w2, ppm.
    pub weight_repeat: i64,
    /// w3, ppm.
    pub weight_new: i64,
    /// BizPower window (ms).
    pub window_ms: i64,
    /// Challenge window after confirmation (ms).
    pub challenge_ms: i64,
    /// Life of an unconfirmed receipt (ms).
    pub expiry_ms: i64,
    /// Share of a referred merchant's Biz for its referrer, ppm.
    pub merchant_referral_ppm: i64,
    /// How long after the first verification (ms).
    pub merchant_referral_ms: i64,
    /// Time for a customer's referrer on the first purchase.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub customer_referral_time: U128,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
