//! The governance contract: proposals and their votes, vetoes and
//! executions, and what executions did (phase changes, removals, treasury
//! spends, configurations).

use super::{i, name, u, write_rows, Batch, Checks, Ctx, Keys, Rows};
use bizkey_store::entity::{
    account_removals, governance_config, phase_changes, proposal_votes, proposals, treasury_spends,
};
use bizkey_store::hex0x;
use bizkey_types::governance::GovernanceEvent;
use bizkey_types::governance::{
    AccountRemoved, Action, ConfigChanged, PhaseAdvanced, Proposal, ProposalCreated,
    ProposalExecuted, ProposalVetoed, TreasurySpent, Voted,
};
use bizkey_types::{AccountId, Hash};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

/// The rows of the governance contract a batch touched, by table.
#[derive(Default)]
pub(super) struct State {
    pub(super) proposals: Rows<i64, proposals::Model>,
    votes: Vec<proposal_votes::Model>,
    phase_changes: Vec<phase_changes::Model>,
    removals: Vec<account_removals::Model>,
    spends: Vec<treasury_spends::Model>,
    configs: Vec<governance_config::Model>,
    /// Effects of an execution waiting for its `ProposalExecuted`.
    effects: Vec<Effect>,
}

impl State {
    /// Writes every touched row.
    pub(super) async fn flush<C: ConnectionTrait>(self, db: &C) -> Result<(), DbErr> {
        write_rows(db, self.proposals.into_values()).await?;
        write_rows(db, self.votes).await?;
        write_rows(db, self.phase_changes).await?;
        write_rows(db, self.removals).await?;
        write_rows(db, self.spends).await?;
        write_rows(db, self.configs).await?;
        Ok(())
    }
}

/// The rows a governance event reads: the proposal it votes on, vetoes or
/// executes.
pub(super) fn keys(event: &GovernanceEvent, keys: &mut Keys) {
    use GovernanceEvent as E;
    let id = match event {
        E::Voted(e) => e.id,
        E::ProposalVetoed(e) => e.id,
        E::ProposalExecuted(e) => e.id,
        E::PhaseAdvanced(_)
        | E::ProposalCreated(_)
        | E::AccountRemoved(_)
        | E::TreasurySpent(_)
        | E::ConfigChanged(_) => return,
    };
    keys.proposals.insert(i(id));
}

impl Batch {
    /// Applies one event of the governance contract.
    pub(super) async fn governance<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        event: GovernanceEvent,
    ) -> Result<(), DbErr> {
        use GovernanceEvent as E;
        match event {
            E::PhaseAdvanced(e) => self.phase_advanced(at, e),
            E::ProposalCreated(e) => self.proposal_created(at, e),
            E::Voted(e) => self.voted(db, at, e).await?,
            E::ProposalVetoed(e) => self.proposal_vetoed(db, at, e).await?,
            E::ProposalExecuted(e) => self.proposal_executed(db, at, e).await?,
            E::AccountRemoved(e) => self.account_removed(at, e),
            E::TreasurySpent(e) => self.treasury_spent(at, e),
            E::ConfigChanged(e) => self.config_changed(at, e),
        }
        Ok(())
    }
}

/// A row an execution wrote before its `ProposalExecuted`: the contract
/// emits an action's own events first, then `ProposalExecuted`, all in the
/// executing extrinsic.
pub(super) struct Effect {
    block: i64,
    extrinsic: Option<i64>,
    row: EffectRow,
}

/// Which row, by its index in the batch's list.
enum EffectRow {
    Phase(usize),
    Removal(usize),
    Spend(usize),
    Config(usize),
}

/// The name of an action's variant.
fn action_kind(a: &Action) -> &'static str {
    match a {
        Action::ElectSuperNode(_) => "ElectSuperNode",
        Action::RevokeSuperNode { .. } => "RevokeSuperNode",
        Action::RemoveMerchant(_) => "RemoveMerchant",
        Action::RemoveCustomer(_) => "RemoveCustomer",
        Action::SetLedgerParams(_) => "SetLedgerParams",
        Action::SetEmissionSplit(_) => "SetEmissionSplit",
        Action::TreasurySpend { .. } => "TreasurySpend",
        Action::SetConfig(_) => "SetConfig",
        Action::AdvancePhase(_) => "AdvancePhase",
        Action::SetRewardCaps(_) => "SetRewardCaps",
        Action::Clawback { .. } => "Clawback",
        Action::SetLedgerRole { .. } => "SetLedgerRole",
        Action::RestoreReceipt(_) => "RestoreReceipt",
        Action::SetSuspended { .. } => "SetSuspended",
    }
}

/// Whether a proposal's tallies pass: the contract's own
/// [`Proposal::passed`], which reads only the quorum, the threshold and the
/// votes (the other fields are placeholders).
fn passed(row: &proposals::Model) -> bool {
    Proposal {
        proposer: AccountId::from([0; 32]),
        action: Action::SetEmissionSplit(0),
        description: Hash::default(),
        created_at: 0,
        voting_end: 0,
        executable_at: 0,
        expires_at: 0,
        quorum: row.quorum.0,
        threshold_ppm: u32::try_from(row.threshold_ppm).unwrap_or(u32::MAX),
        votes_for: row.votes_for.0,
        votes_against: row.votes_against.0,
        executed: false,
        vetoed: false,
    }
    .passed()
}

impl Batch {
    /// Remembers a row of an execution until its `ProposalExecuted`.
    fn effect(&mut self, at: &Ctx, row: EffectRow) {
        let extrinsic = self.event_record(at).and_then(|e| e.extrinsic_index);
        self.governance.effects.push(Effect {
            block: at.block,
            extrinsic,
            row,
        });
    }

    fn proposal_created(&mut self, at: &Ctx, e: ProposalCreated) {
        let proposer = self.seen(&e.proposer, at.block);
        let p = e.proposal;
        match &p.action {
            Action::ElectSuperNode(a)
            | Action::RemoveMerchant(a)
            | Action::RemoveCustomer(a)
            | Action::RevokeSuperNode { node: a, .. }
            | Action::TreasurySpend { to: a, .. }
            | Action::Clawback { from: a, .. }
            | Action::SetSuspended { account: a, .. }
            | Action::SetLedgerRole {
                account: Some(a), ..
            } => {
                self.seen(a, at.block);
            }
            Action::SetLedgerParams(_)
            | Action::SetEmissionSplit(_)
            | Action::SetConfig(_)
            | Action::AdvancePhase(_)
            | Action::SetRewardCaps(_)
            | Action::SetLedgerRole { account: None, .. }
            | Action::RestoreReceipt(_) => {}
        }
        let action = self.event_json(at, &["proposal", "action"]);
        let id = i(e.id);
        let mut row = proposals::Model {
            id,
            proposer,
            action_kind: action_kind(&p.action).into(),
            action,
            description: hex0x(p.description),
            created_at: i(p.created_at),
            voting_end: i(p.voting_end),
            executable_at: i(p.executable_at),
            expires_at: i(p.expires_at),
            quorum: u(p.quorum),
            threshold_ppm: p.threshold_ppm.into(),
            votes_for: u(p.votes_for),
            votes_against: u(p.votes_against),
            voters: 0,
            passed: false,
            executed: p.executed,
            vetoed: p.vetoed,
            executed_at: None,
            vetoed_at: None,
            created_block: at.block,
            updated_block: at.block,
        };
        row.passed = passed(&row);
        self.governance.proposals.insert(id, row);
    }

    async fn voted<C: ConnectionTrait>(&mut self, db: &C, at: &Ctx, e: Voted) -> Result<(), DbErr> {
        let voter = self.seen(&e.voter, at.block);
        let id = i(e.id);
        self.governance.votes.push(proposal_votes::Model {
            block_number: at.block,
            event_index: at.index,
            proposal_id: id,
            voter,
            support: e.support,
            weight: u(e.weight),
            timestamp: at.timestamp,
        });
        let mut checks = Checks::default();
        let what = format!("vote on proposal {id} at block {}", at.block);
        match load!(self.governance.proposals, db, proposals::Entity, id, id) {
            Some(p) => {
                let tally = if e.support {
                    &mut p.votes_for
                } else {
                    &mut p.votes_against
                };
                checks.add(tally, e.weight, &what);
                p.voters += 1;
                p.passed = passed(p);
                p.updated_block = at.block;
            }
            None => checks.note(format!("{what}: unknown proposal")),
        }
        self.report(checks);
        Ok(())
    }

    async fn proposal_vetoed<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: ProposalVetoed,
    ) -> Result<(), DbErr> {
        let id = i(e.id);
        match load!(self.governance.proposals, db, proposals::Entity, id, id) {
            Some(p) => {
                p.vetoed = true;
                p.vetoed_at = Some(at.timestamp);
                p.updated_block = at.block;
            }
            None => self.inconsistent(format!("veto of unknown proposal {id}")),
        }
        Ok(())
    }

    /// The proposal is executed; the rows its action wrote in this
    /// extrinsic get its id.
    async fn proposal_executed<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: ProposalExecuted,
    ) -> Result<(), DbErr> {
        let id = i(e.id);
        match load!(self.governance.proposals, db, proposals::Entity, id, id) {
            Some(p) => {
                p.executed = true;
                p.executed_at = Some(at.timestamp);
                p.updated_block = at.block;
            }
            None => self.inconsistent(format!("execution of unknown proposal {id}")),
        }
        let extrinsic = self.event_record(at).and_then(|e| e.extrinsic_index);
        let c = &mut self.governance;
        for effect in std::mem::take(&mut c.effects) {
            if (effect.block, effect.extrinsic) != (at.block, extrinsic) {
                // Not this execution's (the configuration of the constructor).
                continue;
            }
            let slot = match effect.row {
                EffectRow::Phase(n) => c.phase_changes.get_mut(n).map(|r| &mut r.proposal_id),
                EffectRow::Removal(n) => c.removals.get_mut(n).map(|r| &mut r.proposal_id),
                EffectRow::Spend(n) => c.spends.get_mut(n).map(|r| &mut r.proposal_id),
                EffectRow::Config(n) => c.configs.get_mut(n).map(|r| &mut r.proposal_id),
            };
            if let Some(slot) = slot {
                *slot = Some(id);
            }
        }
        Ok(())
    }

    fn phase_advanced(&mut self, at: &Ctx, e: PhaseAdvanced) {
        self.governance.phase_changes.push(phase_changes::Model {
            block_number: at.block,
            event_index: at.index,
            from_phase: name(e.from),
            to_phase: name(e.to),
            proposal_id: None,
            timestamp: at.timestamp,
        });
        let n = self.governance.phase_changes.len() - 1;
        self.effect(at, EffectRow::Phase(n));
    }

    fn account_removed(&mut self, at: &Ctx, e: AccountRemoved) {
        let account = self.seen(&e.account, at.block);
        let (kind, token) = if e.merchant {
            ("merchant", "biz")
        } else {
            ("customer", "time")
        };
        self.governance.removals.push(account_removals::Model {
            block_number: at.block,
            event_index: at.index,
            account,
            kind: kind.into(),
            token: token.into(),
            burned: u(e.burned),
            proposal_id: None,
            timestamp: at.timestamp,
        });
        let n = self.governance.removals.len() - 1;
        self.effect(at, EffectRow::Removal(n));
    }

    fn treasury_spent(&mut self, at: &Ctx, e: TreasurySpent) {
        let to = self.seen(&e.to, at.block);
        self.governance.spends.push(treasury_spends::Model {
            block_number: at.block,
            event_index: at.index,
            to_account: to,
            amount: u(e.amount),
            proposal_id: None,
            timestamp: at.timestamp,
        });
        let n = self.governance.spends.len() - 1;
        self.effect(at, EffectRow::Spend(n));
    }

    fn config_changed(&mut self, at: &Ctx, e: ConfigChanged) {
        let c = e.config;
        self.governance.configs.push(governance_config::Model {
            block_number: at.block,
            event_index: at.index,
            voting_period_ms: i(c.voting_period_ms),
            execution_delay_ms: i(c.execution_delay_ms),
            grace_period_ms: i(c.grace_period_ms),
            quorum_ppm: c.quorum_ppm.into(),
            threshold_ppm: c.threshold_ppm.into(),
            proposal_min_weight: u(c.proposal_min_weight),
            proposal_id: None,
        });
        let n = self.governance.configs.len() - 1;
        self.effect(at, EffectRow::Config(n));
    }
}
