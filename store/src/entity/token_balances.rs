//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Current balance of every account that ever held a token, from the tokens' Transfer events. For each token, the sum equals `token_supply.total_supply`.

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "token_balances")]
pub struct Model {
    /// biz (Bizkey token, BT) or time (Time token, TT).
    #[sea_orm(primary_key, auto_increment = false)]
    pub token: String,
    /// Holder (SS58).
    #[sea_orm(primary_key, auto_increment = false)]
    pub account: String,
    /// Balance in the smallest unit (12 decimals).
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub balance: U128,
    /// Block of the last change.
    pub updated_block: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
