//! The super-node contract: candidates and their bonds, elections and
//! removals, merchants' platforms and verification votes.

use super::Checks;
use crate::projection::{i, name, u, Batch, Ctx};
use bizkey_store::entity::{
    merchant_platforms, super_node_candidates, super_node_history, verification_decisions,
    verification_votes,
};
use bizkey_store::hex0x;
use bizkey_types::governance::{
    BondWithdrawn, CandidateRegistered, CandidateStatus, CandidateWithdrawn, PlatformChanged,
    Scope, SuperNodeElected, SuperNodeRemoved, VerificationDecided, VerificationVoted,
};
use bizkey_types::Hash;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

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
        self.community
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
            self.community.candidates,
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

    pub(super) async fn candidate_registered<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: CandidateRegistered,
    ) -> Result<(), DbErr> {
        let account = self.seen(&e.candidate, at.block);
        // A former candidate (withdrawn or slashed) may stand again.
        let live = load!(
            self.community.candidates,
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
        self.community.candidates.insert(
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

    pub(super) async fn super_node_elected<C: ConnectionTrait>(
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
    pub(super) async fn super_node_removed<C: ConnectionTrait>(
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

    pub(super) async fn candidate_withdrawn<C: ConnectionTrait>(
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

    pub(super) async fn bond_withdrawn<C: ConnectionTrait>(
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

    pub(super) fn platform_changed(&mut self, at: &Ctx, e: PlatformChanged) {
        let merchant = self.seen(&e.merchant, at.block);
        self.community.platforms.insert(
            merchant.clone(),
            merchant_platforms::Model {
                merchant,
                platform: e.platform.map(i64::from),
                updated_block: at.block,
            },
        );
    }

    pub(super) fn verification_voted(&mut self, at: &Ctx, e: VerificationVoted) {
        let merchant = self.seen(&e.merchant, at.block);
        let node = self.seen(&e.node, at.block);
        self.community
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

    pub(super) fn verification_decided(&mut self, at: &Ctx, e: VerificationDecided) {
        let merchant = self.seen(&e.merchant, at.block);
        self.community
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
