//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Who brought whom: merchant → merchant and customer → customer, set once at registration.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "referrals")]
pub struct Model {
    /// merchant or customer.
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    /// The new merchant or customer (SS58).
    #[sea_orm(primary_key, auto_increment = false)]
    pub referred: String,
    /// The referrer (SS58).
    pub referrer: String,
    /// Block of the registration.
    pub block_number: i64,
    /// Registration time (ms).
    pub at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
