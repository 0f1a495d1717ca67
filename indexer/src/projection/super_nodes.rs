//! The super-node contract: candidates and their bonds, elections and
//! removals, merchants' platforms and verification votes.

use super::{i, name, ss58, u, write_rows, Batch, Checks, Ctx, Keys, Rows};
use bizkey_store::entity::{
    merchant_platforms, super_node_candidates, super_node_history, verification_decisions,
    verification_votes,
};
use bizkey_store::hex0x;
use bizkey_types::super_nodes::SuperNodeEvent;
use bizkey_types::super_nodes::{
    BondWithdrawn, CandidateRegistered, CandidateStatus, CandidateWithdrawn, PlatformChanged,
    Scope, SuperNodeElected, SuperNodeRemoved, VerificationDecided, VerificationVoted,
};
use bizkey_types::Hash;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};
use std::collections::HashMap;

/// The rows of the super-nodes contract a batch touched, by table.
#[derive(Default)]
pub(super) struct State {
    pub(super) candidates: Rows<String, super_node_candidates::Model>,
    candidate_history: Vec<super_node_history::Model>,
    verification_votes: Vec<verification_votes::Model>,
    verification_decisions: Vec<verification_decisions::Model>,
    platforms: HashMap<String, merchant_platforms::Model>,
}

impl State {
    /// Writes every touched row.
    pub(super) async fn flush<C: ConnectionTrait>(self, db: &C) -> Result<(), DbErr> {
        write_rows(db, self.candidates.into_values()).await?;
        write_rows(db, self.candidate_history).await?;
        write_rows(db, self.verification_votes).await?;
        write_rows(db, self.verification_decisions).await?;
        write_rows(db, self.platforms.into_values()).await?;
        Ok(())
    }
}

/// The rows a super-nodes event reads: the candidate it moves.
pub(super) fn keys(event: &SuperNodeEvent, keys: &mut Keys) {
    use SuperNodeEvent as E;
    let account = match event {
        E::CandidateRegistered(e) => &e.candidate,
        E::CandidateWithdrawn(e) => &e.candidate,
        E::BondWithdrawn(e) => &e.candidate,
        E::SuperNodeElected(e) => &e.node,
        E::SuperNodeRemoved(e) => &e.node,
        E::PlatformChanged(_)
        | E::VerificationVoted(_)
        | E::VerificationDecided(_)
        | E::RoleChanged(_) => return,
    };
    keys.candidates.insert(ss58(account));
}

impl Batch {
    /// Applies one event of the super-nodes contract.
    pub(super) async fn super_nodes<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        event: SuperNodeEvent,
    ) -> Result<(), DbErr> {
        use SuperNodeEvent as E;
        match event {
            E::CandidateRegistered(e) => self.candidate_registered(db, at, e).await?,
            E::CandidateWithdrawn(e) => self.candidate_withdrawn(db, at, e).await?,
            E::BondWithdrawn(e) => self.bond_withdrawn(db, at, e).await?,
            E::SuperNodeElected(e) => self.super_node_elected(db, at, e).await?,
            E::SuperNodeRemoved(e) => self.super_node_removed(db, at, e).await?,
            E::PlatformChanged(e) => self.platform_changed(at, e),
            E::VerificationVoted(e) => self.verification_voted(at, e),
            E::VerificationDecided(e) => self.verification_decided(at, e),
            E::RoleChanged(e) => self.role_changed(at, e),
        }
        Ok(())
    }
}

/// A scope as (`scope_kind`, `scope`).
fn scope(s: &Scope) -> (String, String) {
    match s {
        // Valid prefixes are ASCII letters, digits and `-`.
        Scope::Region(prefix) => ("Region".into(), String::from_utf8_lossy(prefix).into()),
        Scope::Industry(category) => ("Industry".into(), name(*category)),
        Scope::Platform(p) => ("Platform".into(), p.to_string()),
    }
}

/// Statuses beyond the contract's [`CandidateStatus`]: the contract forgets
/// these candidates.
const WITHDRAWN: &str = "Withdrawn";
const SLASHED: &str = "Slashed";

impl Batch {
    fn candidate_history(
        &mut self,
        at: &Ctx,
        account: &str,
        event: &str,
        status: &str,
        amount: Option<u128>,
        evidence: Option<String>,
    ) {
        self.super_nodes
            .candidate_history
            .push(super_node_history::Model {
                block_number: at.block,
                event_index: at.index,
                account: account.to_owned(),
                event: event.to_owned(),
                status: status.to_owned(),
                amount: amount.map(u),
                evidence,
                timestamp: at.timestamp,
            });
    }

    /// Moves candidate `account` from one of `from` to `to` (with the
    /// unbonding deadline `until`); returns its bond.
    async fn candidate_moves<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        account: &str,
        from: &[CandidateStatus],
        to: &str,
        until: Option<i64>,
    ) -> Result<u128, DbErr> {
        let mut checks = Checks::default();
        let what = format!("super-node candidate {account} at block {}", at.block);
        let bond = match load!(
            self.super_nodes.candidates,
            db,
            super_node_candidates::Entity,
            account.to_owned(),
            account.to_owned()
        ) {
            Some(c) => {
                if !from.iter().any(|s| name(*s) == c.status) {
                    checks.note(format!("{what}: {} → {to}", c.status));
                }
                c.status = to.to_owned();
                c.unbonding_until = until;
                c.updated_block = at.block;
                c.bond.0
            }
            None => {
                checks.note(format!("{what}: not registered"));
                0
            }
        };
        self.report(checks);
        Ok(bond)
    }

    async fn candidate_registered<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: CandidateRegistered,
    ) -> Result<(), DbErr> {
        let account = self.seen(&e.candidate, at.block);
        // A former candidate (withdrawn or slashed) may stand again.
        let live = load!(
            self.super_nodes.candidates,
            db,
            super_node_candidates::Entity,
            account.clone(),
            account.clone()
        )
        .is_some_and(|c| c.status != WITHDRAWN && c.status != SLASHED);
        if live {
            self.inconsistent(format!(
                "super-node candidate {account} registered twice (block {})",
                at.block
            ));
        }
        let (scope_kind, scope) = scope(&e.scope);
        let status = name(CandidateStatus::Candidate);
        self.super_nodes.candidates.insert(
            account.clone(),
            super_node_candidates::Model {
                account: account.clone(),
                scope_kind,
                scope,
                bond: u(e.bond),
                status: status.clone(),
                unbonding_until: None,
                registered_block: at.block,
                updated_block: at.block,
            },
        );
        self.candidate_history(
            at,
            &account,
            "CandidateRegistered",
            &status,
            Some(e.bond),
            None,
        );
        Ok(())
    }

    async fn super_node_elected<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: SuperNodeElected,
    ) -> Result<(), DbErr> {
        let account = self.seen(&e.node, at.block);
        let to = name(CandidateStatus::SuperNode);
        self.candidate_moves(db, at, &account, &[CandidateStatus::Candidate], &to, None)
            .await?;
        self.candidate_history(at, &account, "SuperNodeElected", &to, None, None);
        Ok(())
    }

    /// Out of office: slashed (the candidacy ends, the bond goes to the
    /// treasury), or back to a plain candidate (a revocation; a withdrawal
    /// follows with `CandidateWithdrawn`).
    async fn super_node_removed<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: SuperNodeRemoved,
    ) -> Result<(), DbErr> {
        use CandidateStatus::*;
        let account = self.seen(&e.node, at.block);
        let evidence = (e.evidence != Hash::default()).then(|| hex0x(e.evidence));
        let to = if e.slashed > 0 {
            let bond = self
                .candidate_moves(
                    db,
                    at,
                    &account,
                    &[Candidate, SuperNode, Unbonding],
                    SLASHED,
                    None,
                )
                .await?;
            if bond != e.slashed {
                self.inconsistent(format!(
                    "slash of {account} at block {}: bond {bond}, slashed {}",
                    at.block, e.slashed
                ));
            }
            SLASHED.to_owned()
        } else {
            let to = name(Candidate);
            self.candidate_moves(db, at, &account, &[SuperNode], &to, None)
                .await?;
            to
        };
        self.candidate_history(
            at,
            &account,
            "SuperNodeRemoved",
            &to,
            Some(e.slashed),
            evidence,
        );
        Ok(())
    }

    async fn candidate_withdrawn<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: CandidateWithdrawn,
    ) -> Result<(), DbErr> {
        use CandidateStatus::*;
        let account = self.seen(&e.candidate, at.block);
        let to = name(Unbonding);
        // An elected node left office just before (`SuperNodeRemoved`).
        let until = Some(i(e.unbonding_until));
        self.candidate_moves(db, at, &account, &[Candidate], &to, until)
            .await?;
        self.candidate_history(at, &account, "CandidateWithdrawn", &to, None, None);
        Ok(())
    }

    async fn bond_withdrawn<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: BondWithdrawn,
    ) -> Result<(), DbErr> {
        let account = self.seen(&e.candidate, at.block);
        let bond = self
            .candidate_moves(
                db,
                at,
                &account,
                &[CandidateStatus::Unbonding],
                WITHDRAWN,
                None,
            )
            .await?;
        if bond != e.amount {
            self.inconsistent(format!(
                "bond of {account} at block {}: {bond} indexed, {} returned",
                at.block, e.amount
            ));
        }
        self.candidate_history(
            at,
            &account,
            "BondWithdrawn",
            WITHDRAWN,
            Some(e.amount),
            None,
        );
        Ok(())
    }

    fn platform_changed(&mut self, at: &Ctx, e: PlatformChanged) {
        let merchant = self.seen(&e.merchant, at.block);
        self.super_nodes.platforms.insert(
            merchant.clone(),
            merchant_platforms::Model {
                merchant,
                platform: e.platform.map(i64::from),
                updated_block: at.block,
            },
        );
    }

    fn verification_voted(&mut self, at: &Ctx, e: VerificationVoted) {
        let merchant = self.seen(&e.merchant, at.block);
        let node = self.seen(&e.node, at.block);
        self.super_nodes
            .verification_votes
            .push(verification_votes::Model {
                block_number: at.block,
                event_index: at.index,
                merchant,
                node,
                approve: e.approve,
                approvals: e.approvals.into(),
                rejections: e.rejections.into(),
                covering: e.covering.into(),
                timestamp: at.timestamp,
            });
    }

    fn verification_decided(&mut self, at: &Ctx, e: VerificationDecided) {
        let merchant = self.seen(&e.merchant, at.block);
        self.super_nodes
            .verification_decisions
            .push(verification_decisions::Model {
                block_number: at.block,
                event_index: at.index,
                merchant,
                verified: e.verified,
                timestamp: at.timestamp,
            });
    }
}
