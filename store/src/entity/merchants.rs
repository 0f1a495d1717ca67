//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Registered merchants with their current profile (MerchantRegistered, MerchantUpdated, TimeShareChanged, MerchantStatusChanged).

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "merchants")]
pub struct Model {
    /// Merchant account (SS58).
    #[sea_orm(primary_key, auto_increment = false)]
    pub account: String,
    /// Shop name.
    pub name: String,
    /// Restaurant, Cafe, Grocery, Bakery, Bar, Retail, Beauty, Services or Other.
    pub category: String,
    /// Geohash or city code (the 商圈).
    pub location: String,
    /// Area x, square feet.
    pub area_sqft: i64,
    /// Staff count y.
    pub staff: i64,
    /// Rent e_R, cents per square foot per day.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub rent_per_sqft_day: U128,
    /// Wage e_S, cents per staff member per day.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub wage_per_day: U128,
    /// blake2-256 of the licence document (0x hex).
    pub licence_hash: String,
    /// Referrer merchant (SS58).
    #[sea_orm(nullable)]
    pub referrer: Option<String>,
    /// Most of an amount a customer may pay in Time, parts per million.
    pub time_share_ppm: i64,
    /// Pending, Verified, Suspended or Removed.
    pub status: String,
    /// Registration time (ms).
    pub registered_at: i64,
    /// First verification time (ms).
    #[sea_orm(nullable)]
    pub verified_at: Option<i64>,
    /// Block of the registration.
    pub registered_block: i64,
    /// Block of the last change.
    pub updated_block: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
