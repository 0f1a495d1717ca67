//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Every governance proposal with its tallies (ProposalCreated, Voted, ProposalVetoed, ProposalExecuted), as the governance contract's `proposal` query reports it. The status depends on the time: Executed if executed, Vetoed if vetoed, Active before `voting_end`, Defeated unless `passed`, Queued before `executable_at`, Executable before `expires_at`, Expired after (see the example query).

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "proposals")]
pub struct Model {
    /// Proposal id (sequential).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// Proposer (SS58).
    pub proposer: String,
    /// ElectSuperNode, RevokeSuperNode, RemoveMerchant, RemoveCustomer, SetLedgerParams, SetEmissionSplit, TreasurySpend, SetConfig, AdvancePhase, SetRewardCaps, Clawback, SetLedgerRole, RestoreReceipt or SetSuspended.
    pub action_kind: String,
    /// The action with its arguments, as in `events.data` (accounts SS58, u128 past 2^53 as strings).
    #[sea_orm(column_type = "Json")]
    pub action: Json,
    /// blake2-256 of the off-chain description (0x hex).
    pub description: String,
    /// Creation time (ms).
    pub created_at: i64,
    /// Votes are taken before this (ms).
    pub voting_end: i64,
    /// Executable from here on if passed (ms).
    pub executable_at: i64,
    /// Executable until here, exclusive (ms).
    pub expires_at: i64,
    /// Weight that must vote (for + against): the quorum share of all lock weight at creation.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub quorum: U128,
    /// Passes when votes_for > threshold × (votes_for + votes_against), ppm.
    pub threshold_ppm: i64,
    /// Lock weight voting for.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub votes_for: U128,
    /// Lock weight voting against.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub votes_against: U128,
    /// Votes cast.
    pub voters: i64,
    /// The votes cast reach quorum and threshold (the contract's `Proposal::passed`).
    pub passed: bool,
    /// Executed.
    pub executed: bool,
    /// Vetoed by the authority (军政 and 训政).
    pub vetoed: bool,
    /// Execution time (ms).
    #[sea_orm(nullable)]
    pub executed_at: Option<i64>,
    /// Veto time (ms).
    #[sea_orm(nullable)]
    pub vetoed_at: Option<i64>,
    /// Block of the creation.
    pub created_block: i64,
    /// Block of the last change.
    pub updated_block: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
