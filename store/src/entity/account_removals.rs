//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Merchants and customers removed by governance (AccountRemoved): registry status Removed, pending ledger rewards forfeited, Biz (merchant) or Time (customer) burned.

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account_removals")]
pub struct Model {
    /// Block number.
    #[sea_orm(primary_key, auto_increment = false)]
    pub block_number: i64,
    /// Index in the block's events.
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_index: i64,
    /// Removed account (SS58).
    pub account: String,
    /// merchant or customer.
    pub kind: String,
    /// The token burned: biz (merchant) or time (customer).
    pub token: String,
    /// Amount burned, units.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub burned: U128,
    /// The executed proposal.
    #[sea_orm(nullable)]
    pub proposal_id: Option<i64>,
    /// Block time (ms).
    pub timestamp: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
