//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Receipts used for a task, and by whom (the contract's `receipt_used_by`): a receipt counts once per task.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "task_receipts")]
pub struct Model {
    /// Task.
    #[sea_orm(primary_key, auto_increment = false)]
    pub task_id: i64,
    /// Receipt (see `receipts`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub receipt_id: i64,
    /// The completer who used it (SS58).
    pub customer: String,
    /// Block of the completion.
    pub block_number: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
