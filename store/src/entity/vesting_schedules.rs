//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! The four BT allocations the vesting contract manages (VestingCreated, BeneficiaryChanged, Released, EcosystemSpent), as its `beneficiary` and `released` queries report them. What has unlocked at a time follows from `t0` and the allocation's schedule (bizkey-math `vesting::unlocked`, DESIGN §3.5); the ecosystem has no schedule and is spent by governance.

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "vesting_schedules")]
pub struct Model {
    /// EarlySupporters, Team, Foundation or Ecosystem.
    #[sea_orm(primary_key, auto_increment = false)]
    pub allocation: String,
    /// Who receives the releases (SS58); NULL for the ecosystem.
    #[sea_orm(nullable)]
    pub beneficiary: Option<String>,
    /// The allocation, BT units (20 %, 15 %, 15 %, 50 % of the supply).
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub amount: U128,
    /// Released to the beneficiary so far; for the ecosystem, spent by governance so far.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub released: U128,
    /// BT issue time the schedules count from (ms).
    pub t0: i64,
    /// Block of the last change.
    pub updated_block: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
