//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Every dual-entry receipt with its on-chain fields and current status. Amounts of the sale are in cents of the merchant's currency; token amounts in the smallest unit.

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "receipts")]
pub struct Model {
    /// Receipt id (sequential, from the ledger).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// Merchant (SS58).
    pub merchant: String,
    /// Customer (SS58).
    pub customer: String,
    /// Merchant (POS first) or Customer (scan and pay first).
    pub opened_by: String,
    /// The merchant's order number; (merchant, order_id) is unique among the receipts the merchant recorded or confirmed.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub order_id: U128,
    /// When the order was placed (ms).
    pub order_time: i64,
    /// InStore or Outside (outside sale / delivery).
    pub channel: String,
    /// Amount paid, cents (after discount, Time included).
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub amount: U128,
    /// Discount granted, cents.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub discount: U128,
    /// Time (TT units) the customer pays the merchant.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub time_paid: U128,
    /// Number of items.
    pub items: i64,
    /// blake2-256 of the off-chain receipt detail (0x hex); see `receipt_details`.
    pub detail_hash: String,
    /// Open, Confirmed, Cancelled, Flagged or Refunded.
    pub status: String,
    /// Opening time (ms).
    pub opened_at: i64,
    /// When an unconfirmed receipt expires (ms).
    pub expires_at: i64,
    /// Confirmation time (ms): the sale's time for BizPower.
    #[sea_orm(nullable)]
    pub confirmed_at: Option<i64>,
    /// End of the challenge window: rewards become claimable (ms).
    #[sea_orm(nullable)]
    pub matures_at: Option<i64>,
    /// Novelty exponent k: the customer's earlier purchases at this merchant in the BizPower window.
    #[sea_orm(nullable)]
    pub earlier_in_window: Option<i64>,
    /// The customer's first purchase ever at this merchant.
    #[sea_orm(nullable)]
    pub first_at_merchant: Option<bool>,
    /// The customer's first confirmed purchase in the network.
    #[sea_orm(nullable)]
    pub first_purchase: Option<bool>,
    /// The merchant's BizPower after this sale, as the ledger computed it (fixed point, 10^9 = 1.0).
    #[sea_orm(column_type = "Decimal(Some((39, 0)))", nullable)]
    pub bizpower: Option<U128>,
    /// Biz for the merchant and its referrer (less a removed account's pending share, as the ledger keeps it).
    #[sea_orm(column_type = "Decimal(Some((39, 0)))", nullable)]
    pub biz_reward: Option<U128>,
    /// Time cashback for the customer (less it if the customer was removed while it was pending).
    #[sea_orm(column_type = "Decimal(Some((39, 0)))", nullable)]
    pub time_reward: Option<U128>,
    /// Time bonus for the customer's referrer (less it if the referrer was removed while it was pending).
    #[sea_orm(column_type = "Decimal(Some((39, 0)))", nullable)]
    pub referral_time: Option<U128>,
    /// Who flagged it (SS58).
    #[sea_orm(nullable)]
    pub flagged_by: Option<String>,
    /// Hash of the flag's evidence (0x hex).
    #[sea_orm(nullable)]
    pub evidence: Option<String>,
    /// Time returned to the customer by a refund.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))", nullable)]
    pub time_returned: Option<U128>,
    /// Block of the opening.
    pub opened_block: i64,
    /// Block of the last change.
    pub updated_block: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
