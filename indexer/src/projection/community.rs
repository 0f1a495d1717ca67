//! Vesting and the community contracts (locking, super nodes, governance,
//! tasks) into their tables (`migration::m20261125_100000_…`).
//!
//! The same rules as the core projection: a batch loads the rows it changes
//! lazily, applies its events in chain order and writes every touched row
//! back with one multi-row upsert per table, inside the batch's
//! transaction; nothing outlives the batch. Each contract's current state
//! is replayed from its events exactly as the contract changes it, so the
//! tables answer what the contracts' queries answer; a transition that
//! contradicts the indexed state (a missed event, a bug) is counted as an
//! inconsistency and logged, never fatal.

mod governance;
mod locking;
mod super_nodes;
mod tasks;
mod vesting;

use super::{Batch, Ctx};
use crate::decode::CommunityEvent;
use bizkey_store::amount::U128;
use bizkey_store::entity::{
    account_removals, dividend_claims, dividend_distributions, ecosystem_spends, governance_config,
    lock_history, locking_totals, locks, merchant_platforms, phase_changes, proposal_votes,
    proposals, super_node_candidates, super_node_history, task_completions, task_history,
    task_participants, task_receipts, tasks as task_rows, treasury_spends, verification_decisions,
    verification_votes, vesting_releases, vesting_schedules,
};
use bizkey_store::repo::upsert;
use sea_orm::{ConnectionTrait, DbErr, IntoActiveModel};
use serde_json::Value as Json;
use std::collections::HashMap;

/// The rows a batch touched, by table.
#[derive(Default)]
pub(super) struct State {
    vesting: HashMap<String, vesting_schedules::Model>,
    releases: Vec<vesting_releases::Model>,
    ecosystem_spends: Vec<ecosystem_spends::Model>,

    locks: HashMap<String, locks::Model>,
    lock_history: Vec<lock_history::Model>,
    distributions: Vec<dividend_distributions::Model>,
    dividend_claims: Vec<dividend_claims::Model>,
    locking: Option<locking_totals::Model>,
    /// Dividends an unlock settled, per account: the `DividendsClaimed`
    /// that follows the `Unlocked` pays exactly this.
    settled_by_unlock: HashMap<String, u128>,

    candidates: HashMap<String, super_node_candidates::Model>,
    candidate_history: Vec<super_node_history::Model>,
    verification_votes: Vec<verification_votes::Model>,
    verification_decisions: Vec<verification_decisions::Model>,
    platforms: HashMap<String, merchant_platforms::Model>,

    proposals: HashMap<i64, proposals::Model>,
    votes: Vec<proposal_votes::Model>,
    phase_changes: Vec<phase_changes::Model>,
    removals: Vec<account_removals::Model>,
    spends: Vec<treasury_spends::Model>,
    configs: Vec<governance_config::Model>,
    /// Effects of an execution waiting for its `ProposalExecuted`.
    effects: Vec<governance::Effect>,

    tasks: HashMap<i64, task_rows::Model>,
    participants: HashMap<(i64, String), task_participants::Model>,
    completions: Vec<task_completions::Model>,
    task_receipts: Vec<task_receipts::Model>,
    task_history: Vec<task_history::Model>,
}

impl Batch {
    /// Applies one event of vesting or of a community contract.
    pub(super) async fn community<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        event: CommunityEvent,
    ) -> Result<(), DbErr> {
        use CommunityEvent as E;
        match event {
            E::VestingCreated(e) => self.vesting_created(at, e),
            E::BeneficiaryChanged(e) => self.beneficiary_changed(db, at, e).await?,
            E::Released(e) => self.released(db, at, e).await?,
            E::EcosystemSpent(e) => self.ecosystem_spent(db, at, e).await?,
            E::Locked(e) => self.locked(db, at, e).await?,
            E::Unlocked(e) => self.unlocked(db, at, e).await?,
            E::DividendsDistributed(e) => self.dividends_distributed(db, at, e).await?,
            E::DividendsClaimed(e) => self.dividends_claimed(db, at, e).await?,
            E::CandidateRegistered(e) => self.candidate_registered(db, at, e).await?,
            E::CandidateWithdrawn(e) => self.candidate_withdrawn(db, at, e).await?,
            E::BondWithdrawn(e) => self.bond_withdrawn(db, at, e).await?,
            E::SuperNodeElected(e) => self.super_node_elected(db, at, e).await?,
            E::SuperNodeRemoved(e) => self.super_node_removed(db, at, e).await?,
            E::PlatformChanged(e) => self.platform_changed(at, e),
            E::VerificationVoted(e) => self.verification_voted(at, e),
            E::VerificationDecided(e) => self.verification_decided(at, e),
            E::PhaseAdvanced(e) => self.phase_advanced(at, e),
            E::ProposalCreated(e) => self.proposal_created(at, e),
            E::Voted(e) => self.voted(db, at, e).await?,
            E::ProposalVetoed(e) => self.proposal_vetoed(db, at, e).await?,
            E::ProposalExecuted(e) => self.proposal_executed(db, at, e).await?,
            E::AccountRemoved(e) => self.account_removed(at, e),
            E::TreasurySpent(e) => self.treasury_spent(at, e),
            E::ConfigChanged(e) => self.config_changed(at, e),
            E::TaskCreated(e) => self.task_created(at, e),
            E::TaskJoined(e) => self.task_joined(db, at, e).await?,
            E::ActionAttested(e) => self.action_attested(db, at, e).await?,
            E::TaskCompleted(e) => self.task_completed(db, at, e).await?,
            E::GroupGoalReached(e) => self.group_goal_reached(db, at, e).await?,
            E::GroupShareCollected(e) => self.group_share_collected(db, at, e).await?,
            E::ParticipantPenalized(e) => self.participant_penalized(db, at, e).await?,
            E::StakeWithdrawn(e) => self.stake_withdrawn(db, at, e).await?,
            E::TaskRefunded(e) => self.task_refunded(db, at, e).await?,
        }
        Ok(())
    }

    /// The `events` row of the event being applied (pushed just before it
    /// is applied).
    fn event_row(&self, at: &Ctx) -> Option<&bizkey_store::entity::events::Model> {
        self.events
            .iter()
            .rev()
            .find(|e| e.block_number == at.block && e.event_index == at.index)
    }

    /// The field at `path` of the event's JSON (`events.data`): nested
    /// values (a proposal's action, a task's rules) are stored as the
    /// `events` table renders them.
    fn event_json(&self, at: &Ctx, path: &[&str]) -> Json {
        let mut v = self.event_row(at).and_then(|e| e.data.as_ref());
        for key in path {
            v = v.and_then(|x| x.get(key));
        }
        v.cloned().unwrap_or(Json::Null)
    }

    /// Notes what a transition found not adding up.
    fn report(&mut self, checks: Checks) {
        for problem in checks.0 {
            self.inconsistent(problem);
        }
    }
}

/// Arithmetic on indexed amounts that notes what does not add up instead
/// of failing the batch (the result saturates).
#[derive(Default)]
struct Checks(Vec<String>);

impl Checks {
    fn add(&mut self, a: &mut U128, b: u128, what: &str) {
        match a.0.checked_add(b) {
            Some(v) => a.0 = v,
            None => {
                self.0.push(format!("{what}: {} + {b} overflows", a.0));
                a.0 = u128::MAX;
            }
        }
    }

    fn sub(&mut self, a: &mut U128, b: u128, what: &str) {
        match a.0.checked_sub(b) {
            Some(v) => a.0 = v,
            None => {
                self.0.push(format!("{what}: {} − {b} is negative", a.0));
                a.0 = 0;
            }
        }
    }

    fn expect<T: PartialEq + std::fmt::Debug>(&mut self, what: &str, indexed: T, event: T) {
        if indexed != event {
            self.0.push(format!(
                "{what}: the index has {indexed:?}, the event says {event:?}"
            ));
        }
    }

    fn note(&mut self, problem: String) {
        self.0.push(problem);
    }
}

impl State {
    /// Writes every touched row.
    pub(super) async fn flush<C: ConnectionTrait>(self, db: &C) -> Result<(), DbErr> {
        macro_rules! write {
            ($rows:expr) => {
                upsert(
                    db,
                    $rows
                        .into_iter()
                        .map(IntoActiveModel::into_active_model)
                        .collect(),
                )
                .await?
            };
        }
        write!(self.vesting.into_values());
        write!(self.releases);
        write!(self.ecosystem_spends);
        write!(self.locks.into_values());
        write!(self.lock_history);
        write!(self.distributions);
        write!(self.dividend_claims);
        write!(self.locking);
        write!(self.candidates.into_values());
        write!(self.candidate_history);
        write!(self.verification_votes);
        write!(self.verification_decisions);
        write!(self.platforms.into_values());
        write!(self.proposals.into_values());
        write!(self.votes);
        write!(self.phase_changes);
        write!(self.removals);
        write!(self.spends);
        write!(self.configs);
        write!(self.tasks.into_values());
        write!(self.participants.into_values());
        write!(self.completions);
        write!(self.task_receipts);
        write!(self.task_history);
        Ok(())
    }
}
