//! The vesting contract: the four allocations, releases and ecosystem spends.

use super::{i, name, u, write_rows, Batch, Checks, Ctx, Keys, Rows};
use bizkey_store::entity::{ecosystem_spends, vesting_releases, vesting_schedules};
use bizkey_types::vesting::VestingEvent;
use bizkey_types::vesting::{
    Allocation, BeneficiaryChanged, EcosystemSpent, Released, VestingCreated,
};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

/// The rows of the vesting contract a batch touched, by table.
#[derive(Default)]
pub(super) struct State {
    pub(super) schedules: Rows<String, vesting_schedules::Model>,
    releases: Vec<vesting_releases::Model>,
    ecosystem_spends: Vec<ecosystem_spends::Model>,
}

impl State {
    /// Writes every touched row.
    pub(super) async fn flush<C: ConnectionTrait>(self, db: &C) -> Result<(), DbErr> {
        write_rows(db, self.schedules.into_values()).await?;
        write_rows(db, self.releases).await?;
        write_rows(db, self.ecosystem_spends).await?;
        Ok(())
    }
}

/// The rows a vesting event reads: the allocation's schedule.
pub(super) fn keys(event: &VestingEvent, keys: &mut Keys) {
    use VestingEvent as E;
    let allocation = match event {
        E::BeneficiaryChanged(e) => e.allocation,
        E::Released(e) => e.allocation,
        E::EcosystemSpent(_) => Allocation::Ecosystem,
        E::VestingCreated(_) | E::RoleChanged(_) => return,
    };
    keys.schedules.insert(name(allocation));
}

impl Batch {
    /// Applies one event of the vesting contract.
    pub(super) async fn vesting<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        event: VestingEvent,
    ) -> Result<(), DbErr> {
        use VestingEvent as E;
        match event {
            E::VestingCreated(e) => self.vesting_created(at, e),
            E::BeneficiaryChanged(e) => self.beneficiary_changed(db, at, e).await?,
            E::Released(e) => self.released(db, at, e).await?,
            E::EcosystemSpent(e) => self.ecosystem_spent(db, at, e).await?,
            E::RoleChanged(e) => self.role_changed(at, e),
        }
        Ok(())
    }

    /// The contract was instantiated: every allocation starts at t0 with
    /// nothing released (its beneficiaries follow as `BeneficiaryChanged`).
    fn vesting_created(&mut self, at: &Ctx, e: VestingCreated) {
        self.seen(&e.token, at.block);
        for a in Allocation::ALL {
            self.vesting.schedules.insert(
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

    async fn beneficiary_changed<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: BeneficiaryChanged,
    ) -> Result<(), DbErr> {
        let who = self.seen(&e.beneficiary, at.block);
        let key = name(e.allocation);
        match load!(
            self.vesting.schedules,
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

    async fn released<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: Released,
    ) -> Result<(), DbErr> {
        let who = self.seen(&e.beneficiary, at.block);
        let key = name(e.allocation);
        self.vesting.releases.push(vesting_releases::Model {
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
            self.vesting.schedules,
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

    async fn ecosystem_spent<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: EcosystemSpent,
    ) -> Result<(), DbErr> {
        let to = self.seen(&e.to, at.block);
        self.vesting.ecosystem_spends.push(ecosystem_spends::Model {
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
            self.vesting.schedules,
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
