//! # Vesting
//!
//! Holds the vested BT allocations (DESIGN §3.5, whitepaper ch. 7.2) and
//! releases them on their schedules ([`bizkey_types::math::vesting`], the
//! same functions the indexer uses):
//! - early supporters (2B BT): 10, 10, 10, 10, 15, 15, 15, 15 % every three
//!   months from t0 + 3 months;
//! - team (1.5B BT): 10 % at t0, then 10, 10, 10, 10, 10, 10, 15, 15 % every
//!   three months;
//! - foundation (1.5B BT): every six months from t0 + 6 months, 10 % of
//!   what is still locked; the step that would leave less than one BT locked
//!   releases the rest (about a century after t0);
//! - ecosystem: no schedule; whatever BT the contract holds beyond what it
//!   still owes the three schedules is the ecosystem fund, which only the
//!   `Governance` role may spend (`spend_ecosystem`).
//!
//! A month is 30 days. Each allocation has one beneficiary, who calls
//! `release` for what has unlocked; a step unlocks at its instant exactly,
//! so nothing can be released a millisecond early, and the schedules are
//! cumulative so the releases of an allocation sum to it exactly.
//!
//! ## Deployment wiring
//! 1. Instantiate BT with the deployer as its `early`, `team` and
//!    `foundation` accounts (and `ecosystem` wherever the ecosystem share
//!    lives: the ledger's pool or this contract).
//! 2. Instantiate this contract:
//!    `new(token, t0, early_supporters, team, foundation)`, where `token` is
//!    BT, `t0` BT's issue time in ms (the block timestamp of step 1) and the
//!    three accounts the beneficiaries.
//! 3. The deployer transfers 5,000,000,000 BT (the three vested shares,
//!    `Allocation::amount`) to this contract, plus any ecosystem BT that
//!    governance is to spend from here.
//!
//! Until the balance covers the vested obligations (`outstanding`),
//! `release` fails with `Underfunded`: a half-funded contract never pays one
//! beneficiary with another's tokens. `t0` is a constructor argument so a
//! test chain can start schedules in the past (the e2e tests use
//! now − 7 months to see the state seven months in).
//!
//! Roles (`set_role`, `RoleChanged`): `Admin` (the deployer; sets
//! beneficiaries before t0) and `Governance` (sets beneficiaries at any
//! time, spends the ecosystem fund). Either may hand the `Admin` role over;
//! the `Governance` role, once named, only governance itself: an admin
//! that could name itself governance would take the allocations and the
//! treasury. Entering 宪政, governance takes the `Admin` role too, and the
//! deployer has no say left.
//!
//! The logic lives in [`VestingData`], whose methods take the caller, the
//! time and the contract's BT balance explicitly and return the events to
//! emit; the messages are thin shells that query the balance, transfer and
//! emit.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use bizkey_types::vesting::*;
use bizkey_types::{
    math::vesting as schedule,
    roles::{Role, RoleChanged},
    AccountId, Balance, Timestamp,
};
use ink::prelude::{vec, vec::Vec};

pub use bizkey_types::vesting::VestingEvent;

/// Result of the vesting logic.
pub type Result<T> = core::result::Result<T, VestingError>;

/// One vested allocation's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(
    feature = "std",
    derive(scale_info::TypeInfo, ink::storage::traits::StorageLayout)
)]
pub struct Grant {
    /// Receives the releases.
    pub beneficiary: AccountId,
    /// Released so far; always the schedule's unlocked amount at the last
    /// release, so never above the allocation.
    pub released: Balance,
}

/// The vesting state and rules, independent of the contract shell.
#[derive(Debug, Clone, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(
    feature = "std",
    derive(scale_info::TypeInfo, ink::storage::traits::StorageLayout)
)]
pub struct VestingData {
    t0: Timestamp,
    early_supporters: Grant,
    team: Grant,
    foundation: Grant,
    ecosystem_spent: Balance,
    admin: Option<AccountId>,
    governance: Option<AccountId>,
}

impl VestingData {
    /// Schedules from `t0` for the three beneficiaries, administered by
    /// `admin`, with no governance yet.
    pub fn new(
        admin: AccountId,
        t0: Timestamp,
        early_supporters: AccountId,
        team: AccountId,
        foundation: AccountId,
    ) -> (Self, Vec<VestingEvent>) {
        let grant = |beneficiary| Grant {
            beneficiary,
            released: 0,
        };
        let data = Self {
            t0,
            early_supporters: grant(early_supporters),
            team: grant(team),
            foundation: grant(foundation),
            ecosystem_spent: 0,
            admin: Some(admin),
            governance: None,
        };
        let mut events = vec![VestingEvent::RoleChanged(RoleChanged {
            role: Role::Admin,
            account: Some(admin),
        })];
        for (allocation, beneficiary) in [
            (Allocation::EarlySupporters, early_supporters),
            (Allocation::Team, team),
            (Allocation::Foundation, foundation),
        ] {
            events.push(VestingEvent::BeneficiaryChanged(BeneficiaryChanged {
                allocation,
                beneficiary,
            }));
        }
        (data, events)
    }

    /// The BT issue time the schedules count from.
    pub fn t0(&self) -> Timestamp {
        self.t0
    }

    /// The account holding `role` (`None`: vacant or not a vesting role).
    pub fn role(&self, role: Role) -> Option<AccountId> {
        match role {
            Role::Admin => self.admin,
            Role::Governance => self.governance,
            _ => None,
        }
    }

    fn grant(&self, allocation: Allocation) -> Option<&Grant> {
        match allocation {
            Allocation::EarlySupporters => Some(&self.early_supporters),
            Allocation::Team => Some(&self.team),
            Allocation::Foundation => Some(&self.foundation),
            Allocation::Ecosystem => None,
        }
    }

    fn grant_mut(&mut self, allocation: Allocation) -> Option<&mut Grant> {
        match allocation {
            Allocation::EarlySupporters => Some(&mut self.early_supporters),
            Allocation::Team => Some(&mut self.team),
            Allocation::Foundation => Some(&mut self.foundation),
            Allocation::Ecosystem => None,
        }
    }

    /// The allocation's beneficiary (`None` for the ecosystem).
    pub fn beneficiary(&self, allocation: Allocation) -> Option<AccountId> {
        self.grant(allocation).map(|g| g.beneficiary)
    }

    /// Unlocked at `now` (ecosystem: 0, it has no schedule).
    pub fn unlocked(&self, allocation: Allocation, now: Timestamp) -> Balance {
        allocation.schedule().map_or(0, |s| {
            schedule::unlocked(s, allocation.amount(), self.t0, now)
        })
    }

    /// Released so far (ecosystem: spent by governance so far).
    pub fn released(&self, allocation: Allocation) -> Balance {
        self.grant(allocation)
            .map_or(self.ecosystem_spent, |g| g.released)
    }

    /// Unlocked at `now` and not yet released (ecosystem: 0).
    pub fn releasable(&self, allocation: Allocation, now: Timestamp) -> Balance {
        match self.grant(allocation) {
            // `released` is an earlier value of the monotone `unlocked`.
            Some(g) => self.unlocked(allocation, now).saturating_sub(g.released),
            None => 0,
        }
    }

    /// The next step after `now` that unlocks something: instant and amount.
    pub fn next_unlock(
        &self,
        allocation: Allocation,
        now: Timestamp,
    ) -> Option<(Timestamp, Balance)> {
        schedule::next_unlock(allocation.schedule()?, allocation.amount(), self.t0, now)
    }

    /// What the contract still owes the vested allocations.
    pub fn outstanding(&self) -> Balance {
        // Each term is at most its allocation (released never exceeds it) and
        // the three sum to half the BT supply: no overflow.
        Allocation::VESTED
            .iter()
            .map(|a| a.amount().saturating_sub(self.released(*a)))
            .sum()
    }

    /// The ecosystem fund: what a BT balance of `balance` holds beyond the
    /// vested obligations.
    pub fn ecosystem_available(&self, balance: Balance) -> Balance {
        balance.saturating_sub(self.outstanding())
    }

    /// Releases to `caller` what has unlocked of every vested allocation it
    /// is the beneficiary of, the contract holding `balance` BT. The shell
    /// transfers each `Released` amount.
    pub fn release(
        &mut self,
        caller: AccountId,
        now: Timestamp,
        balance: Balance,
    ) -> Result<Vec<VestingEvent>> {
        let mine: Vec<Allocation> = Allocation::VESTED
            .into_iter()
            .filter(|a| self.beneficiary(*a) == Some(caller))
            .collect();
        if mine.is_empty() {
            return Err(VestingError::NotBeneficiary);
        }
        let due: Vec<(Allocation, Balance)> = mine
            .into_iter()
            .map(|a| (a, self.releasable(a, now)))
            .filter(|(_, amount)| *amount > 0)
            .collect();
        if due.is_empty() {
            return Err(VestingError::NothingToRelease);
        }
        if balance < self.outstanding() {
            return Err(VestingError::Underfunded);
        }
        let mut events = Vec::with_capacity(due.len());
        for (allocation, amount) in due {
            let total_released = self.unlocked(allocation, now);
            if let Some(grant) = self.grant_mut(allocation) {
                grant.released = total_released;
            }
            events.push(VestingEvent::Released(Released {
                allocation,
                beneficiary: caller,
                amount,
                total_released,
            }));
        }
        Ok(events)
    }

    /// Makes `beneficiary` the receiver of `allocation`'s future releases
    /// (including what has unlocked and not been released yet).
    pub fn set_beneficiary(
        &mut self,
        caller: AccountId,
        now: Timestamp,
        allocation: Allocation,
        beneficiary: AccountId,
    ) -> Result<Vec<VestingEvent>> {
        if Some(caller) == self.governance {
            // Governance may at any time.
        } else if Some(caller) == self.admin {
            if now >= self.t0 {
                return Err(VestingError::TooLate);
            }
        } else {
            return Err(VestingError::Unauthorized);
        }
        let grant = self.grant_mut(allocation).ok_or(VestingError::NoSchedule)?;
        grant.beneficiary = beneficiary;
        Ok(vec![VestingEvent::BeneficiaryChanged(BeneficiaryChanged {
            allocation,
            beneficiary,
        })])
    }

    /// Governance spends `amount` of the ecosystem fund (the contract
    /// holding `balance` BT) to `to`. The shell transfers it.
    pub fn spend_ecosystem(
        &mut self,
        caller: AccountId,
        to: AccountId,
        amount: Balance,
        balance: Balance,
    ) -> Result<Vec<VestingEvent>> {
        if Some(caller) != self.governance {
            return Err(VestingError::Unauthorized);
        }
        if amount == 0 {
            return Err(VestingError::ZeroAmount);
        }
        if amount > self.ecosystem_available(balance) {
            return Err(VestingError::InsufficientEcosystemFunds);
        }
        // Bounded by the BT ever held, far below u128::MAX.
        self.ecosystem_spent = self.ecosystem_spent.saturating_add(amount);
        Ok(vec![VestingEvent::EcosystemSpent(EcosystemSpent {
            to,
            amount,
            total_spent: self.ecosystem_spent,
        })])
    }

    /// Hands `role` (`Admin` or `Governance`) to `account` (`None`: vacant).
    /// Once the `Governance` role is held, only its holder hands it on.
    pub fn set_role(
        &mut self,
        caller: AccountId,
        role: Role,
        account: Option<AccountId>,
    ) -> Result<Vec<VestingEvent>> {
        let by_governance = Some(caller) == self.governance;
        if !by_governance
            && (Some(caller) != self.admin
                || (role == Role::Governance && self.governance.is_some()))
        {
            return Err(VestingError::Unauthorized);
        }
        let slot = match role {
            Role::Admin => &mut self.admin,
            Role::Governance => &mut self.governance,
            _ => return Err(VestingError::InvalidRole),
        };
        *slot = account;
        Ok(vec![VestingEvent::RoleChanged(RoleChanged {
            role,
            account,
        })])
    }
}

#[ink::contract]
mod vesting {
    use super::*;
    use bizkey_types::{psp22::PSP22, vesting::VestingApi};

    #[ink(storage)]
    pub struct Vesting {
        token: AccountId,
        data: VestingData,
    }

    impl Vesting {
        /// Vesting of BT `token` from `t0` (ms) for the three beneficiaries,
        /// administered by the caller. Fund it afterwards with the vested
        /// shares (see the crate docs).
        ///
        /// # Events
        /// `VestingCreated`, `RoleChanged` (admin), then `BeneficiaryChanged`
        /// for early supporters, team and foundation.
        #[ink(constructor)]
        pub fn new(
            token: AccountId,
            t0: Timestamp,
            early_supporters: AccountId,
            team: AccountId,
            foundation: AccountId,
        ) -> Self {
            let (data, events) =
                VestingData::new(Self::env().caller(), t0, early_supporters, team, foundation);
            let contract = Self { token, data };
            contract.emit(
                core::iter::once(VestingEvent::VestingCreated(VestingCreated { token, t0 }))
                    .chain(events),
            );
            contract
        }

        /// Hands `role` (`Admin` or `Governance`) to `account`, or leaves it
        /// vacant with `None`. Once the `Governance` role is held, only its
        /// holder hands it on.
        ///
        /// # Errors
        /// `Unauthorized` unless the caller is the admin or governance (for
        /// a held `Governance` role: governance); `InvalidRole` for any
        /// other role.
        ///
        /// # Events
        /// `RoleChanged`.
        #[ink(message)]
        pub fn set_role(&mut self, role: Role, account: Option<AccountId>) -> Result<()> {
            let events = self.data.set_role(self.env().caller(), role, account)?;
            self.emit(events);
            Ok(())
        }

        /// The account holding `role`.
        #[ink(message)]
        pub fn role(&self, role: Role) -> Option<AccountId> {
            self.data.role(role)
        }

        /// The ecosystem fund: BT held beyond what the contract still owes
        /// the vested allocations.
        #[ink(message)]
        pub fn ecosystem_available(&self) -> Balance {
            self.data.ecosystem_available(self.balance())
        }

        fn balance(&self) -> Balance {
            let token: ink::contract_ref!(PSP22) = self.token.into();
            token.balance_of(self.env().account_id())
        }

        fn transfer(&self, to: AccountId, amount: Balance) -> Result<()> {
            let mut token: ink::contract_ref!(PSP22) = self.token.into();
            token
                .transfer(to, amount, Vec::new())
                .map_err(|_| VestingError::TransferFailed)
        }

        fn emit(&self, events: impl IntoIterator<Item = VestingEvent>) {
            VestingEvent::emit_all::<Environment>(events);
        }
    }

    impl VestingApi for Vesting {
        /// Transfers to the caller what has unlocked, and is not yet
        /// released, of every vested allocation whose beneficiary it is;
        /// returns the total transferred.
        ///
        /// # Errors
        /// `NotBeneficiary` if the caller is no beneficiary;
        /// `NothingToRelease` if nothing has unlocked since the last release
        /// (before the first step: an early release attempt);
        /// `Underfunded` while the BT balance is below `outstanding`;
        /// `TransferFailed` if BT refuses the transfer.
        ///
        /// # Events
        /// `Released` per allocation paid (and BT's `Transfer`).
        #[ink(message)]
        fn release(&mut self) -> Result<Balance> {
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let events = self.data.release(caller, now, self.balance())?;
            let mut total: Balance = 0;
            for event in &events {
                if let VestingEvent::Released(r) = event {
                    self.transfer(r.beneficiary, r.amount)?;
                    // The amounts sum to at most the vested half of BT.
                    total = total.saturating_add(r.amount);
                }
            }
            self.emit(events);
            Ok(total)
        }

        /// Makes `beneficiary` the receiver of `allocation`'s releases from
        /// now on, including what has unlocked and is not yet released.
        ///
        /// # Errors
        /// `Unauthorized` unless the caller is governance or the admin;
        /// `TooLate` for the admin from t0 on; `NoSchedule` for the
        /// ecosystem.
        ///
        /// # Events
        /// `BeneficiaryChanged`.
        #[ink(message)]
        fn set_beneficiary(
            &mut self,
            allocation: Allocation,
            beneficiary: AccountId,
        ) -> Result<()> {
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let events = self
                .data
                .set_beneficiary(caller, now, allocation, beneficiary)?;
            self.emit(events);
            Ok(())
        }

        /// Governance transfers `amount` of the ecosystem fund to `to`.
        ///
        /// # Errors
        /// `Unauthorized` unless the caller is governance; `ZeroAmount`;
        /// `InsufficientEcosystemFunds` above `ecosystem_available`;
        /// `TransferFailed` if BT refuses the transfer.
        ///
        /// # Events
        /// `EcosystemSpent` (and BT's `Transfer`).
        #[ink(message)]
        fn spend_ecosystem(&mut self, to: AccountId, amount: Balance) -> Result<()> {
            let caller = self.env().caller();
            let events = self
                .data
                .spend_ecosystem(caller, to, amount, self.balance())?;
            self.transfer(to, amount)?;
            self.emit(events);
            Ok(())
        }

        /// The allocation's beneficiary (`None` for the ecosystem).
        #[ink(message)]
        fn beneficiary(&self, allocation: Allocation) -> Option<AccountId> {
            self.data.beneficiary(allocation)
        }

        /// Unlocked so far (ecosystem: 0).
        #[ink(message)]
        fn unlocked(&self, allocation: Allocation) -> Balance {
            self.data.unlocked(allocation, self.env().block_timestamp())
        }

        /// Released so far (ecosystem: spent by governance so far).
        #[ink(message)]
        fn released(&self, allocation: Allocation) -> Balance {
            self.data.released(allocation)
        }

        /// Unlocked and not yet released (ecosystem: 0).
        #[ink(message)]
        fn releasable(&self, allocation: Allocation) -> Balance {
            self.data
                .releasable(allocation, self.env().block_timestamp())
        }

        /// The next step that unlocks something: its instant and amount
        /// (`None` once all is unlocked, and for the ecosystem).
        #[ink(message)]
        fn next_unlock(&self, allocation: Allocation) -> Option<(Timestamp, Balance)> {
            self.data
                .next_unlock(allocation, self.env().block_timestamp())
        }

        /// What the contract still owes the vested allocations.
        #[ink(message)]
        fn outstanding(&self) -> Balance {
            self.data.outstanding()
        }

        /// The BT contract.
        #[ink(message)]
        fn token(&self) -> AccountId {
            self.token
        }

        /// The BT issue time the schedules count from (ms).
        #[ink(message)]
        fn t0(&self) -> Timestamp {
            self.data.t0()
        }
    }
}

pub use self::vesting::{Vesting, VestingRef};

#[cfg(test)]
mod tests;

#[cfg(all(test, feature = "e2e-tests"))]
mod e2e_tests;
