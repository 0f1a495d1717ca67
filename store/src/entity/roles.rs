//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Current holder of each privileged role of each contract (RoleChanged events).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "roles")]
pub struct Model {
    /// Contract (SS58).
    #[sea_orm(primary_key, auto_increment = false)]
    pub contract: String,
    /// Admin, Governance, Ledger, Reporter, Registry or SuperNodes.
    #[sea_orm(primary_key, auto_increment = false)]
    pub role: String,
    /// Holder (SS58); NULL when vacant.
    #[sea_orm(nullable)]
    pub account: Option<String>,
    /// Block of the last change.
    pub updated_block: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
