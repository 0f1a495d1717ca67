//! The locking contract: BT locks, their weight, and the lockers' Time
//! dividends, replayed with the contract's accumulator arithmetic.

use super::{i, name, ss58, u, write_rows, Batch, Checks, Ctx, Keys, Rows};
use bizkey_store::amount::U128;
use bizkey_store::column::{LockStatus, Named};
use bizkey_store::entity::{
    dividend_claims, dividend_distributions, lock_history, locking_totals, locks,
};
use bizkey_types::locking::LockingEvent;
use bizkey_types::locking::{debt, DividendsClaimed, DividendsDistributed, Lock, Locked, Unlocked};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};
use std::collections::HashMap;

/// The rows of the locking contract a batch touched, by table.
#[derive(Default)]
pub(super) struct State {
    pub(super) locks: Rows<String, locks::Model>,
    lock_history: Vec<lock_history::Model>,
    distributions: Vec<dividend_distributions::Model>,
    dividend_claims: Vec<dividend_claims::Model>,
    totals: Option<locking_totals::Model>,
    /// Dividends an unlock settled, per account: the `DividendsClaimed`
    /// that follows the `Unlocked` pays exactly this.
    settled_by_unlock: HashMap<String, u128>,
}

impl State {
    /// Writes every touched row.
    pub(super) async fn flush<C: ConnectionTrait>(self, db: &C) -> Result<(), DbErr> {
        write_rows(db, self.locks.into_values()).await?;
        write_rows(db, self.lock_history).await?;
        write_rows(db, self.distributions).await?;
        write_rows(db, self.dividend_claims).await?;
        write_rows(db, self.totals).await?;
        Ok(())
    }
}

/// The rows a locking event reads: the account's lock and the totals.
pub(super) fn keys(event: &LockingEvent, keys: &mut Keys) {
    use LockingEvent as E;
    keys.locking_totals = true;
    match event {
        E::Locked(e) => keys.locks.insert(ss58(&e.account)),
        E::Unlocked(e) => keys.locks.insert(ss58(&e.account)),
        E::DividendsClaimed(e) => keys.locks.insert(ss58(&e.account)),
        E::DividendsDistributed(_) => false,
    };
}

impl Batch {
    /// Applies one event of the locking contract.
    pub(super) async fn locking<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        event: LockingEvent,
    ) -> Result<(), DbErr> {
        use LockingEvent as E;
        match event {
            E::Locked(e) => self.locked(db, at, e).await?,
            E::Unlocked(e) => self.unlocked(db, at, e).await?,
            E::DividendsDistributed(e) => self.dividends_distributed(db, at, e).await?,
            E::DividendsClaimed(e) => self.dividends_claimed(db, at, e).await?,
        }
        Ok(())
    }
}

/// What a lock's holder may claim at accumulator `acc` (the contract's
/// `pending_dividends`, by the same rule: [`Lock::due`]).
fn pending(lock: &locks::Model, acc: u128) -> u128 {
    // Only the weight, the debt and the settled dividends count.
    Lock {
        amount: 0,
        tier: 0,
        weight: lock.weight.0,
        unlock_at: 0,
        reward_debt: lock.reward_debt.0,
        unclaimed: lock.unclaimed.0,
    }
    .due(acc)
}

impl Batch {
    /// Reads the single totals row into the batch (zeros before the first
    /// lock).
    pub(super) async fn locking_totals_read<C: ConnectionTrait>(
        &mut self,
        db: &C,
    ) -> Result<(), DbErr> {
        if self.locking.totals.is_none() {
            let row = locking_totals::Entity::find_by_id(1)
                .one(db)
                .await?
                .unwrap_or(locking_totals::Model {
                    id: 1,
                    total_locked: U128(0),
                    total_weight: U128(0),
                    acc_per_weight: U128(0),
                    dividends_reserved: U128(0),
                    updated_block: 0,
                });
            self.locking.totals = Some(row);
        }
        Ok(())
    }

    /// The totals row, marked updated at `block`.
    async fn locking_totals<C: ConnectionTrait>(
        &mut self,
        db: &C,
        block: i64,
    ) -> Result<&mut locking_totals::Model, DbErr> {
        if self.locking.totals.is_none() {
            self.stats.load_misses += 1;
            let t = std::time::Instant::now();
            self.locking_totals_read(db).await?;
            self.stats.load_ns += crate::metrics::ns(t.elapsed());
        }
        let t = self.locking.totals.as_mut().expect("loaded above");
        t.updated_block = block;
        Ok(t)
    }

    /// `Locked` carries the account's whole lock afterwards.
    async fn locked<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: Locked,
    ) -> Result<(), DbErr> {
        let account = self.seen(&e.account, at.block);
        let l = e.lock;
        self.locking.lock_history.push(lock_history::Model {
            block_number: at.block,
            event_index: at.index,
            account: account.clone(),
            kind: "lock".into(),
            amount: u(e.added),
            locked: u(l.amount),
            weight: u(l.weight),
            tier: Some(l.tier.into()),
            unlock_at: Some(i(l.unlock_at)),
            total_weight: u(e.total_weight),
            timestamp: at.timestamp,
        });
        let (first_block, old_weight) = match load!(
            self.locking.locks,
            db,
            locks::Entity,
            account.clone(),
            account.clone()
        ) {
            Some(r) => (r.first_block, r.weight.0),
            None => (at.block, 0),
        };
        self.locking.locks.insert(
            account.clone(),
            locks::Model {
                account: account.clone(),
                status: name(LockStatus::Locked),
                amount: u(l.amount),
                tier: l.tier.into(),
                weight: u(l.weight),
                unlock_at: i(l.unlock_at),
                reward_debt: u(l.reward_debt),
                unclaimed: u(l.unclaimed),
                first_block,
                updated_block: at.block,
            },
        );
        let mut checks = Checks::default();
        let what = format!("lock of {account} at block {}", at.block);
        let t = self.locking_totals(db, at.block).await?;
        checks.add(&mut t.total_locked, e.added, &what);
        let mut weight = t.total_weight;
        checks.sub(&mut weight, old_weight, &what);
        checks.add(&mut weight, l.weight, &what);
        checks.expect(&what, weight.0, e.total_weight);
        t.total_weight = u(e.total_weight);
        self.report(checks);
        Ok(())
    }

    /// The lock is gone; its settled dividends are paid by the
    /// `DividendsClaimed` that follows (if any).
    async fn unlocked<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: Unlocked,
    ) -> Result<(), DbErr> {
        let account = self.seen(&e.account, at.block);
        self.locking.lock_history.push(lock_history::Model {
            block_number: at.block,
            event_index: at.index,
            account: account.clone(),
            kind: "unlock".into(),
            amount: u(e.amount),
            locked: u(0),
            weight: u(0),
            tier: None,
            unlock_at: None,
            total_weight: u(e.total_weight),
            timestamp: at.timestamp,
        });
        let acc = self.locking_totals(db, at.block).await?.acc_per_weight.0;
        let mut checks = Checks::default();
        let what = format!("unlock of {account} at block {}", at.block);
        match load!(
            self.locking.locks,
            db,
            locks::Entity,
            account.clone(),
            account.clone()
        ) {
            Some(r) if r.status == LockStatus::Locked.as_str() => {
                checks.expect(&what, r.amount.0, e.amount);
                self.locking
                    .settled_by_unlock
                    .insert(account.clone(), pending(r, acc));
                r.status = name(LockStatus::Unlocked);
                r.amount = u(0);
                r.weight = u(0);
                r.reward_debt = u(0);
                r.unclaimed = u(0);
                r.updated_block = at.block;
            }
            _ => checks.note(format!("{what}: no lock indexed")),
        }
        let t = self.locking_totals(db, at.block).await?;
        checks.sub(&mut t.total_locked, e.amount, &what);
        t.total_weight = u(e.total_weight);
        self.report(checks);
        Ok(())
    }

    async fn dividends_distributed<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: DividendsDistributed,
    ) -> Result<(), DbErr> {
        self.locking
            .distributions
            .push(dividend_distributions::Model {
                block_number: at.block,
                event_index: at.index,
                amount: u(e.amount),
                acc_per_weight: u(e.acc_per_weight),
                timestamp: at.timestamp,
            });
        let mut checks = Checks::default();
        let what = format!("dividends distributed at block {}", at.block);
        let t = self.locking_totals(db, at.block).await?;
        if e.acc_per_weight <= t.acc_per_weight.0 {
            checks.note(format!(
                "{what}: the accumulator went from {} to {}",
                t.acc_per_weight, e.acc_per_weight
            ));
        }
        t.acc_per_weight = u(e.acc_per_weight);
        checks.add(&mut t.dividends_reserved, e.amount, &what);
        self.report(checks);
        Ok(())
    }

    /// A claim settles the lock (its debt follows the accumulator) and pays
    /// everything unclaimed; after an unlock it pays what the unlock settled.
    async fn dividends_claimed<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: DividendsClaimed,
    ) -> Result<(), DbErr> {
        let account = self.seen(&e.account, at.block);
        self.locking.dividend_claims.push(dividend_claims::Model {
            block_number: at.block,
            event_index: at.index,
            account: account.clone(),
            amount: u(e.amount),
            timestamp: at.timestamp,
        });
        let mut checks = Checks::default();
        let what = format!("dividend claim of {account} at block {}", at.block);
        let t = self.locking_totals(db, at.block).await?;
        checks.sub(&mut t.dividends_reserved, e.amount, &what);
        let acc = t.acc_per_weight.0;
        let settled = self.locking.settled_by_unlock.remove(&account);
        match load!(
            self.locking.locks,
            db,
            locks::Entity,
            account.clone(),
            account.clone()
        ) {
            Some(r) if r.status == LockStatus::Locked.as_str() => {
                checks.expect(&what, pending(r, acc), e.amount);
                r.unclaimed = u(0);
                r.reward_debt = u(debt(r.weight.0, acc));
                r.updated_block = at.block;
            }
            Some(_) if settled.is_some() => checks.expect(&what, settled, Some(e.amount)),
            _ => checks.note(format!("{what}: no lock indexed")),
        }
        self.report(checks);
        Ok(())
    }
}
