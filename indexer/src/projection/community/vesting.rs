//! The vesting contract: the four allocations, releases and ecosystem spends.

use super::Checks;
use crate::projection::{i, name, u, Batch, Ctx};
use bizkey_store::entity::{ecosystem_spends, vesting_releases, vesting_schedules};
use bizkey_types::vesting::{
    Allocation, BeneficiaryChanged, EcosystemSpent, Released, VestingCreated,
};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

impl Batch {
    /// The contract was instantiated: every allocation starts at t0 with
    /// nothing released (its beneficiaries follow as `BeneficiaryChanged`).
    pub(super) fn vesting_created(&mut self, at: &Ctx, e: VestingCreated) {
        self.seen(&e.token, at.block);
        for a in Allocation::ALL {
            self.community.vesting.insert(
                name(a),
                vesting_schedules::Model {
                    allocation: name(a),
                    beneficiary: None,
                    amount: u(a.amount()),
                    released: u(0),
                    t0: i(e.t0),
                    updated_block: at.block,
                },
            );
        }
    }

    pub(super) async fn beneficiary_changed<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: BeneficiaryChanged,
    ) -> Result<(), DbErr> {
        let who = self.seen(&e.beneficiary, at.block);
        let key = name(e.allocation);
        match load!(
            self.community.vesting,
            db,
            vesting_schedules::Entity,
            key.clone(),
            key
        ) {
            Some(s) => {
                s.beneficiary = Some(who);
                s.updated_block = at.block;
            }
            None => self.inconsistent(format!(
                "BeneficiaryChanged of {:?} without VestingCreated",
                e.allocation
            )),
        }
        Ok(())
    }

    pub(super) async fn released<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: Released,
    ) -> Result<(), DbErr> {
        let who = self.seen(&e.beneficiary, at.block);
        let key = name(e.allocation);
        self.community.releases.push(vesting_releases::Model {
            block_number: at.block,
            event_index: at.index,
            allocation: key.clone(),
            beneficiary: who.clone(),
            amount: u(e.amount),
            total_released: u(e.total_released),
            timestamp: at.timestamp,
        });
        let mut checks = Checks::default();
        match load!(
            self.community.vesting,
            db,
            vesting_schedules::Entity,
            key.clone(),
            key.clone()
        ) {
            Some(s) => {
                let what = format!("release of {key} at block {}", at.block);
                checks.add(&mut s.released, e.amount, &what);
                checks.expect(&what, s.released.0, e.total_released);
                checks.expect(&what, s.beneficiary.as_deref(), Some(who.as_str()));
                s.released = u(e.total_released);
                s.updated_block = at.block;
            }
            None => checks.note(format!("Released of {key} without VestingCreated")),
        }
        self.report(checks);
        Ok(())
    }

    pub(super) async fn ecosystem_spent<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: EcosystemSpent,
    ) -> Result<(), DbErr> {
        let to = self.seen(&e.to, at.block);
        self.community
            .ecosystem_spends
            .push(ecosystem_spends::Model {
                block_number: at.block,
                event_index: at.index,
                to_account: to,
                amount: u(e.amount),
                total_spent: u(e.total_spent),
                timestamp: at.timestamp,
            });
        let key = name(Allocation::Ecosystem);
        let mut checks = Checks::default();
        match load!(
            self.community.vesting,
            db,
            vesting_schedules::Entity,
            key.clone(),
            key
        ) {
            Some(s) => {
                let what = format!("ecosystem spend at block {}", at.block);
                checks.add(&mut s.released, e.amount, &what);
                checks.expect(&what, s.released.0, e.total_spent);
                s.released = u(e.total_spent);
                s.updated_block = at.block;
            }
            None => checks.note("EcosystemSpent without VestingCreated".into()),
        }
        self.report(checks);
        Ok(())
    }
}
