//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Every change of a super-node candidate, in order.

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "super_node_history")]
pub struct Model {
    /// Block number.
    #[sea_orm(primary_key, auto_increment = false)]
    pub block_number: i64,
    /// Index in the block's events.
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_index: i64,
    /// Candidate (SS58).
    pub account: String,
    /// CandidateRegistered, SuperNodeElected, SuperNodeRemoved, CandidateWithdrawn or BondWithdrawn.
    pub event: String,
    /// The candidate's status afterwards.
    pub status: String,
    /// The bond posted (CandidateRegistered), slashed (SuperNodeRemoved) or returned (BondWithdrawn).
    #[sea_orm(column_type = "Decimal(Some((39, 0)))", nullable)]
    pub amount: Option<U128>,
    /// Hash of the evidence of a slash (0x hex).
    #[sea_orm(nullable)]
    pub evidence: Option<String>,
    /// Block time (ms).
    pub timestamp: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
