//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! The ledger's copy of each merchant (MerchantSynced) and the merchant's current BizPower window, replayed with bizkey-math's record_sale.

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_merchants")]
pub struct Model {
    /// Merchant (SS58).
    #[sea_orm(primary_key, auto_increment = false)]
    pub merchant: String,
    /// Status as the ledger last saw it.
    pub status: String,
    /// x.
    pub area_sqft: i64,
    /// y.
    pub staff: i64,
    /// e_R, cents.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub rent_per_sqft_day: U128,
    /// e_S, cents.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub wage_per_day: U128,
    /// Referrer merchant (SS58).
    #[sea_orm(nullable)]
    pub referrer: Option<String>,
    /// First verification (ms).
    #[sea_orm(nullable)]
    pub verified_at: Option<i64>,
    /// Time share, ppm.
    pub time_share_ppm: i64,
    /// Current window: confirmed_at / window_ms.
    pub window_id: i64,
    /// P_l.
    pub in_store_orders: i64,
    /// P_m, cents.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub in_store_amount: U128,
    /// U_m.
    pub new_customers: i64,
    /// U_n.
    pub repeat_customers: i64,
    /// U_o.
    pub outside_customers: i64,
    /// U_om.
    pub outside_orders: i64,
    /// U_on, cents.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub outside_amount: U128,
    /// BizPower after the latest sale (10^9 = 1.0).
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub bizpower: U128,
    /// Block of the last change.
    pub updated_block: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
