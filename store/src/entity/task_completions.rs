//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Every completion of a task (TaskCompleted): the receipts it used, what it paid and the deposit it returned. For a group task the reward is 0 until the goal is reached; the completion that reaches it is paid its share at once, the others collect theirs (`task_history`).

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "task_completions")]
pub struct Model {
    /// Block number.
    #[sea_orm(primary_key, auto_increment = false)]
    pub block_number: i64,
    /// Index in the block's events.
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_index: i64,
    /// Task.
    pub task_id: i64,
    /// Completer (SS58).
    pub customer: String,
    /// Ids of the receipts used (see `task_receipts`).
    #[sea_orm(column_type = "Json")]
    pub receipts: Json,
    /// Time cashback the ledger credited on the completer's qualifying receipts.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub qualifying_time: U128,
    /// Time paid.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub reward: U128,
    /// Deposit returned.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub stake_returned: U128,
    /// Completions of the task, this one included.
    pub completions: i64,
    /// Block time (ms).
    pub timestamp: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
