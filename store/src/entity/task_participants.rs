//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Each customer's participation in a task, as the tasks contract's `participant` query reports it.

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "task_participants")]
pub struct Model {
    /// Task.
    #[sea_orm(primary_key, auto_increment = false)]
    pub task_id: i64,
    /// Participant (SS58).
    #[sea_orm(primary_key, auto_increment = false)]
    pub customer: String,
    /// Joined, Completed or Penalized.
    pub status: String,
    /// Join time (ms).
    pub joined_at: i64,
    /// Deposit still held.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub stake: U128,
    /// Bit i set: the merchant attested the action of rule i.
    pub attested: i64,
    /// Reward received; a group share counts once collected.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub reward: U128,
    /// Group tasks: the share was collected.
    pub collected: bool,
    /// Block of the last change.
    pub updated_block: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
