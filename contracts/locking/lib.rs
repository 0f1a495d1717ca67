//! # Locking
//!
//! BT locks (DESIGN §3.6, "锁定 BT 可获得 TT 分红"): an account locks BT for
//! one of the tiers fixed at instantiation; longer tiers weigh more. Weight
//! is voting power in governance (which reads it through `LockingApi`) and
//! earns a pro-rata share of every Time that reaches this contract: it is
//! the Time emission's dividend pool. Shares are kept by an accumulator of
//! Time per unit of weight, so distributing costs the same whatever the
//! number of lockers; each locker claims when it likes.
//!
//! The contract has no privileged role: every rule is in the code. An
//! account the registry removed loses its lock at once (anyone may end it,
//! governance does in the removal): it votes no more, and its BT goes back
//! to it for the removal to burn.
//!
//! The logic lives in [`LockingData`], whose methods take the caller and
//! the time explicitly and return the events to emit; the messages are thin
//! shells that move the tokens.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use bizkey_types::locking::{
    tiers_valid, DividendsClaimed, DividendsDistributed, Lock, LockTier, Locked, LockingError,
    Unlocked, ACC_SCALE,
};
use bizkey_types::{
    locking::{accrued, debt},
    math::{mul_div, PPM},
    AccountId, Balance, Timestamp,
};
use ink::{
    prelude::{vec, vec::Vec},
    storage::Mapping,
};

pub use bizkey_types::locking::LockingEvent;

/// Result of the locking logic.
pub type Result<T> = core::result::Result<T, LockingError>;

/// What `unlock` pays back: BT, then the Time dividends settled with it.
pub type Unlocking = (Balance, Balance, Vec<LockingEvent>);

/// The locks and the dividend accumulator, independent of the contract
/// shell.
#[ink::storage_item]
#[derive(Debug)]
pub struct LockingData {
    tiers: Vec<LockTier>,
    locks: Mapping<AccountId, Lock>,
    total_locked: Balance,
    total_weight: u128,
    /// Time per unit of weight since the start, × [`ACC_SCALE`].
    acc_per_weight: u128,
    /// Time held for lockers: distributed and not yet claimed.
    dividends_reserved: Balance,
}

fn add(a: u128, b: u128) -> Result<u128> {
    a.checked_add(b).ok_or(LockingError::Overflow)
}

impl LockingData {
    /// Locks with these tiers.
    ///
    /// # Errors
    /// `InvalidTiers` (see [`tiers_valid`]).
    pub fn new(tiers: Vec<LockTier>) -> Result<Self> {
        if !tiers_valid(&tiers) {
            return Err(LockingError::InvalidTiers);
        }
        Ok(Self {
            tiers,
            locks: Mapping::new(),
            total_locked: 0,
            total_weight: 0,
            acc_per_weight: 0,
            dividends_reserved: 0,
        })
    }

    pub fn tiers(&self) -> Vec<LockTier> {
        self.tiers.clone()
    }

    pub fn lock_of(&self, account: AccountId) -> Option<Lock> {
        self.locks.get(account)
    }

    /// BT locked and the weight they carry, over all accounts.
    pub fn totals(&self) -> (Balance, u128) {
        (self.total_locked, self.total_weight)
    }

    /// The dividend accumulator and the Time held for lockers.
    pub fn dividends(&self) -> (u128, Balance) {
        (self.acc_per_weight, self.dividends_reserved)
    }

    /// Time dividends `account` could claim after the last distribution.
    pub fn pending_dividends(&self, account: AccountId) -> Balance {
        self.locks
            .get(account)
            .map_or(0, |lock| lock.due(self.acc_per_weight))
    }

    fn settle(&self, lock: &mut Lock) -> Result<()> {
        let pending = accrued(lock.weight, self.acc_per_weight).saturating_sub(lock.reward_debt);
        lock.unclaimed = add(lock.unclaimed, pending)?;
        lock.reward_debt = debt(lock.weight, self.acc_per_weight);
        Ok(())
    }

    /// Shares the Time that arrived since the last distribution among the
    /// lockers by weight. `time_balance` is this contract's Time balance;
    /// what exceeds the reserve is new. With no weight locked, or too little
    /// Time for one unit of the accumulator, it waits.
    pub fn sync_dividends(&mut self, time_balance: Balance) -> Result<Vec<LockingEvent>> {
        let amount = time_balance.saturating_sub(self.dividends_reserved);
        if amount == 0 || self.total_weight == 0 {
            return Ok(Vec::new());
        }
        let increment = mul_div(amount, ACC_SCALE, self.total_weight);
        if increment == 0 {
            return Ok(Vec::new());
        }
        self.acc_per_weight = add(self.acc_per_weight, increment)?;
        self.dividends_reserved = add(self.dividends_reserved, amount)?;
        Ok(vec![LockingEvent::DividendsDistributed(
            DividendsDistributed {
                amount,
                acc_per_weight: self.acc_per_weight,
            },
        )])
    }

    /// Locks `amount` more BT of `caller` (moved in by the shell) for tier
    /// `tier`: the whole lock then weighs by that tier and ends no earlier
    /// than before nor than `now` + the tier's duration. Sync first.
    ///
    /// # Errors
    /// `ZeroAmount`; `InvalidTier` for an unknown tier or one below the
    /// caller's current tier; `Overflow`.
    pub fn lock(
        &mut self,
        caller: AccountId,
        now: Timestamp,
        amount: Balance,
        tier: u8,
    ) -> Result<Vec<LockingEvent>> {
        if amount == 0 {
            return Err(LockingError::ZeroAmount);
        }
        let t = *self
            .tiers
            .get(usize::from(tier))
            .ok_or(LockingError::InvalidTier)?;
        let mut lock = self.locks.get(caller).unwrap_or_default();
        if lock.amount > 0 && tier < lock.tier {
            return Err(LockingError::InvalidTier);
        }
        self.settle(&mut lock)?;
        let old_weight = lock.weight;
        lock.amount = add(lock.amount, amount)?;
        lock.tier = tier;
        lock.weight = mul_div(lock.amount, t.multiplier_ppm.into(), PPM.into());
        let end = now
            .checked_add(t.duration_ms)
            .ok_or(LockingError::Overflow)?;
        lock.unlock_at = lock.unlock_at.max(end);
        lock.reward_debt = debt(lock.weight, self.acc_per_weight);
        // `old_weight` is part of `total_weight`.
        self.total_weight = add(self.total_weight.saturating_sub(old_weight), lock.weight)?;
        self.total_locked = add(self.total_locked, amount)?;
        self.locks.insert(caller, &lock);
        Ok(vec![LockingEvent::Locked(Locked {
            account: caller,
            added: amount,
            lock,
            total_weight: self.total_weight,
        })])
    }

    /// Ends `caller`'s lock after its period: returns the BT and the Time
    /// dividends the shell pays out. Sync first.
    ///
    /// # Errors
    /// `NoLock`; `StillLocked` before `unlock_at`.
    pub fn unlock(&mut self, caller: AccountId, now: Timestamp) -> Result<Unlocking> {
        let lock = self.locks.get(caller).ok_or(LockingError::NoLock)?;
        if now < lock.unlock_at {
            return Err(LockingError::StillLocked);
        }
        self.end(caller, lock)
    }

    /// Ends the lock of `account`, which the registry removed (`removed`,
    /// as the shell read it), before its period: returns the BT and the
    /// Time dividends the shell pays back to the account (where the
    /// removal burns them). Sync first.
    ///
    /// # Errors
    /// `NotRemoved`; `NoLock`.
    pub fn release_removed(&mut self, account: AccountId, removed: bool) -> Result<Unlocking> {
        if !removed {
            return Err(LockingError::NotRemoved);
        }
        let lock = self.locks.get(account).ok_or(LockingError::NoLock)?;
        self.end(account, lock)
    }

    fn end(&mut self, account: AccountId, mut lock: Lock) -> Result<Unlocking> {
        self.settle(&mut lock)?;
        self.locks.remove(account);
        // The lock's amount and weight are parts of the totals.
        self.total_locked = self.total_locked.saturating_sub(lock.amount);
        self.total_weight = self.total_weight.saturating_sub(lock.weight);
        let mut events = vec![LockingEvent::Unlocked(Unlocked {
            account,
            amount: lock.amount,
            total_weight: self.total_weight,
        })];
        events.extend(self.pay_dividends(account, lock.unclaimed));
        Ok((lock.amount, lock.unclaimed, events))
    }

    fn pay_dividends(&mut self, account: AccountId, amount: Balance) -> Option<LockingEvent> {
        // Settled dividends are covered by the reserve (see `debt`).
        self.dividends_reserved = self.dividends_reserved.saturating_sub(amount);
        (amount > 0).then_some(LockingEvent::DividendsClaimed(DividendsClaimed {
            account,
            amount,
        }))
    }

    /// Settles `caller`'s dividends and returns what the shell pays out.
    /// Sync first.
    ///
    /// # Errors
    /// `NoLock`; `NothingToClaim` if nothing is due.
    pub fn claim_dividends(&mut self, caller: AccountId) -> Result<(Balance, Vec<LockingEvent>)> {
        let mut lock = self.locks.get(caller).ok_or(LockingError::NoLock)?;
        self.settle(&mut lock)?;
        let amount = lock.unclaimed;
        if amount == 0 {
            return Err(LockingError::NothingToClaim);
        }
        lock.unclaimed = 0;
        self.locks.insert(caller, &lock);
        Ok((
            amount,
            self.pay_dividends(caller, amount).into_iter().collect(),
        ))
    }
}

#[ink::contract]
pub mod locking {
    use super::*;
    use bizkey_types::{
        locking::LockingApi,
        psp22::{PSP22Error, PSP22},
        registry::{Customer, CustomerStatus, Merchant, MerchantStatus},
    };
    use ink::{
        codegen::TraitCallBuilder,
        env::call::{build_call, ExecutionInput, Selector},
    };

    #[ink(storage)]
    pub struct Locking {
        data: LockingData,
        biz_token: AccountId,
        time_token: AccountId,
        registry: AccountId,
    }

    type Token = ink::contract_ref!(PSP22);

    impl Locking {
        /// Locks of `biz_token` BT with these tiers, sharing the Time of
        /// `time_token` that reaches this contract (make it the Time
        /// emission's dividend pool); `registry` says which accounts were
        /// removed.
        ///
        /// # Errors
        /// `InvalidTiers`.
        ///
        /// # Events
        /// None.
        #[ink(constructor)]
        pub fn new(
            biz_token: AccountId,
            time_token: AccountId,
            registry: AccountId,
            tiers: Vec<LockTier>,
        ) -> Result<Self> {
            Ok(Self {
                data: LockingData::new(tiers)?,
                biz_token,
                time_token,
                registry,
            })
        }

        /// The lock tiers (index = the `tier` argument of `lock`).
        #[ink(message)]
        pub fn tiers(&self) -> Vec<LockTier> {
            self.data.tiers()
        }

        /// All locked BT and all lock weight.
        #[ink(message)]
        pub fn totals(&self) -> (Balance, u128) {
            self.data.totals()
        }

        /// The dividend accumulator (Time per weight × `ACC_SCALE`) and the
        /// Time held for lockers.
        #[ink(message)]
        pub fn dividends(&self) -> (u128, Balance) {
            self.data.dividends()
        }

        /// Time dividends `account` could claim now (Time that arrived
        /// since the last distribution is shared at the next one).
        #[ink(message)]
        pub fn pending_dividends(&self, account: AccountId) -> Balance {
            self.data.pending_dividends(account)
        }

        /// The BT and Time token contracts.
        #[ink(message)]
        pub fn tokens(&self) -> (AccountId, AccountId) {
            (self.biz_token, self.time_token)
        }

        /// Ends the lock of `account`, which the registry removed (as a
        /// merchant or as a customer), before its period: it votes no more,
        /// and its BT and the Time dividends due go back to it, for the
        /// removal to burn. Anyone may call it; governance does when it
        /// executes a removal.
        ///
        /// # Errors
        /// `RegistryCallFailed`; `NotRemoved`; `NoLock`; `TokenCallFailed`.
        ///
        /// # Events
        /// `DividendsDistributed` if Time arrived, `Unlocked`,
        /// `DividendsClaimed` if any were due.
        #[ink(message)]
        pub fn release_removed(&mut self, account: AccountId) -> Result<()> {
            let removed = self.removed(account)?;
            let mut events = self.sync()?;
            let (bt, tt, release_events) = self.data.release_removed(account, removed)?;
            events.extend(release_events);
            pay(self.biz_token, account, bt)?;
            pay(self.time_token, account, tt)?;
            emit_all(events);
            Ok(())
        }

        /// Locks `amount` BT of the caller (allowance to this contract
        /// needed) for tier `tier`. The whole lock then weighs by that
        /// tier; it ends no earlier than before and not before the tier's
        /// duration from now. Dividends are distributed and settled first.
        ///
        /// # Errors
        /// `ZeroAmount`; `InvalidTier` (unknown, or below the current tier);
        /// `TokenCallFailed` if the BT transfer fails (allowance, balance)
        /// or the Time balance cannot be read; `Overflow`.
        ///
        /// # Events
        /// `DividendsDistributed` if Time arrived, `Locked`.
        #[ink(message)]
        pub fn lock(&mut self, amount: Balance, tier: u8) -> Result<()> {
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let mut events = self.sync()?;
            events.extend(self.data.lock(caller, now, amount, tier)?);
            let this = self.env().account_id();
            let mut bt: Token = self.biz_token.into();
            match bt
                .call_mut()
                .transfer_from(caller, this, amount, Vec::new())
                .try_invoke()
            {
                Ok(Ok(Ok(()))) => {}
                _ => return Err(LockingError::TokenCallFailed),
            }
            emit_all(events);
            Ok(())
        }

        /// Ends the caller's lock after its period: returns the BT and pays
        /// the Time dividends due.
        ///
        /// # Errors
        /// `NoLock`; `StillLocked`; `TokenCallFailed`.
        ///
        /// # Events
        /// `DividendsDistributed` if Time arrived, `Unlocked`,
        /// `DividendsClaimed` if any were due.
        #[ink(message)]
        pub fn unlock(&mut self) -> Result<()> {
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let mut events = self.sync()?;
            let (bt, tt, unlock_events) = self.data.unlock(caller, now)?;
            events.extend(unlock_events);
            pay(self.biz_token, caller, bt)?;
            pay(self.time_token, caller, tt)?;
            emit_all(events);
            Ok(())
        }

        /// Pays the caller's Time dividends; returns the amount.
        ///
        /// # Errors
        /// `NoLock`; `NothingToClaim`; `TokenCallFailed`.
        ///
        /// # Events
        /// `DividendsDistributed` if Time arrived, `DividendsClaimed`.
        #[ink(message)]
        pub fn claim_dividends(&mut self) -> Result<Balance> {
            let caller = self.env().caller();
            let mut events = self.sync()?;
            let (amount, claim_events) = self.data.claim_dividends(caller)?;
            events.extend(claim_events);
            pay(self.time_token, caller, amount)?;
            emit_all(events);
            Ok(amount)
        }

        /// Shares the Time that reached this contract since the last
        /// distribution among the lockers. Anyone may call it.
        ///
        /// # Errors
        /// `TokenCallFailed` if the Time balance cannot be read; `Overflow`.
        ///
        /// # Events
        /// `DividendsDistributed` if Time arrived and weight is locked.
        #[ink(message)]
        pub fn sync_dividends(&mut self) -> Result<()> {
            let events = self.sync()?;
            emit_all(events);
            Ok(())
        }

        /// Releases the Time emission accrued so far (the Time token mints
        /// it to the ledger's reward pool and to this contract by its
        /// configured split) and shares this contract's part among the
        /// lockers. Anyone may call it; returns the amount the token minted.
        ///
        /// # Errors
        /// `TokenCallFailed` if the release fails; `Overflow`.
        ///
        /// # Events
        /// `DividendsDistributed` if Time arrived and weight is locked (the
        /// token emits its `Transfer`s and `EmissionReleased`).
        #[ink(message)]
        pub fn release_emission(&mut self) -> Result<Balance> {
            // `release_emission` is an inherent message of the Time token.
            let released = match build_call::<Environment>()
                .call(self.time_token)
                .exec_input(ExecutionInput::new(Selector::new(ink::selector_bytes!(
                    "release_emission"
                ))))
                .returns::<core::result::Result<Balance, PSP22Error>>()
                .try_invoke()
            {
                Ok(Ok(Ok(released))) => released,
                _ => return Err(LockingError::TokenCallFailed),
            };
            let events = self.sync()?;
            emit_all(events);
            Ok(released)
        }

        /// Whether the registry removed `account`, as a merchant or else as
        /// a customer.
        fn removed(&self, account: AccountId) -> Result<bool> {
            let merchant: Option<Merchant> =
                self.registry_read(ink::selector_bytes!("merchant"), account)?;
            if merchant.is_some_and(|m| m.status == MerchantStatus::Removed) {
                return Ok(true);
            }
            let customer: Option<Customer> =
                self.registry_read(ink::selector_bytes!("customer"), account)?;
            Ok(customer.is_some_and(|c| c.status == CustomerStatus::Removed))
        }

        /// The registry's inherent view `selector` (`merchant`, `customer`)
        /// of `account`.
        fn registry_read<T: scale::Decode>(
            &self,
            selector: [u8; 4],
            account: AccountId,
        ) -> Result<T> {
            match build_call::<Environment>()
                .call(self.registry)
                .exec_input(ExecutionInput::new(Selector::new(selector)).push_arg(account))
                .returns::<T>()
                .try_invoke()
            {
                Ok(Ok(value)) => Ok(value),
                _ => Err(LockingError::RegistryCallFailed),
            }
        }

        /// Distributes the Time that arrived since the last distribution.
        fn sync(&mut self) -> Result<Vec<LockingEvent>> {
            let this = self.env().account_id();
            let tt: Token = self.time_token.into();
            let balance = match tt.call().balance_of(this).try_invoke() {
                Ok(Ok(balance)) => balance,
                _ => return Err(LockingError::TokenCallFailed),
            };
            self.data.sync_dividends(balance)
        }
    }

    impl LockingApi for Locking {
        /// `account`'s lock, if any.
        #[ink(message)]
        fn lock_of(&self, account: AccountId) -> Option<Lock> {
            self.data.lock_of(account)
        }

        /// The weight of all locks.
        #[ink(message)]
        fn total_weight(&self) -> u128 {
            self.data.totals().1
        }
    }

    /// Transfers `amount` of `token` from this contract to `to`.
    fn pay(token: AccountId, to: AccountId, amount: Balance) -> Result<()> {
        if amount == 0 {
            return Ok(());
        }
        let mut token: Token = token.into();
        match token
            .call_mut()
            .transfer(to, amount, Vec::new())
            .try_invoke()
        {
            Ok(Ok(Ok(()))) => Ok(()),
            _ => Err(LockingError::TokenCallFailed),
        }
    }

    fn emit_all(events: Vec<LockingEvent>) {
        LockingEvent::emit_all::<Environment>(events);
    }
}

#[cfg(test)]
mod tests;
