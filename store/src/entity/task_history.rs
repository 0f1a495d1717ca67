//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Every event of the tasks contract, with the Time it moved: `time_in` into the contract (escrow, deposits), `time_out` out of it (rewards, returned and forfeited deposits, group shares, refunds). Per task, the sum of time_in − time_out is what the contract still holds for it (pool + reserved + stakes).

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "task_history")]
pub struct Model {
    /// Block number.
    #[sea_orm(primary_key, auto_increment = false)]
    pub block_number: i64,
    /// Index in the block's events.
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_index: i64,
    /// Task.
    pub task_id: i64,
    /// TaskCreated, TaskJoined, ActionAttested, TaskCompleted, GroupGoalReached, GroupShareCollected, ParticipantPenalized, StakeWithdrawn or TaskRefunded.
    pub event: String,
    /// The merchant (TaskCreated, TaskRefunded) or the participant (SS58); NULL for GroupGoalReached.
    #[sea_orm(nullable)]
    pub account: Option<String>,
    /// Time moved into the contract.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub time_in: U128,
    /// Time moved out (to the participant; a forfeited deposit to the ledger's reward pool).
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub time_out: U128,
    /// ActionAttested: the index of the attested rule.
    #[sea_orm(nullable)]
    pub rule: Option<i64>,
    /// ParticipantPenalized: hash of the evidence (0x hex).
    #[sea_orm(nullable)]
    pub evidence: Option<String>,
    /// Block time (ms).
    pub timestamp: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
