//! Unit tests: the plain logic (`LockingData`), every error included, and
//! the message shells on ink!'s off-chain environment where they make no
//! cross-contract call (the token paths run in governance's e2e tests).

use super::*;
use bizkey_types::locking::LockingApi;
use ink::env::{test, DefaultEnvironment as Env};
use locking::Locking;

const X: u32 = PPM;

fn accounts() -> test::DefaultAccounts<Env> {
    test::default_accounts::<Env>()
}

fn tiers() -> Vec<LockTier> {
    vec![
        LockTier {
            duration_ms: 1_000,
            multiplier_ppm: X,
        },
        LockTier {
            duration_ms: 10_000,
            multiplier_ppm: 2 * X,
        },
        LockTier {
            duration_ms: 100_000,
            multiplier_ppm: 3 * X,
        },
    ]
}

fn data() -> (LockingData, test::DefaultAccounts<Env>) {
    (LockingData::new(tiers()).unwrap(), accounts())
}

fn acc(n: u8) -> AccountId {
    AccountId::from([n; 32])
}

#[ink::test]
fn new_checks_the_tiers() {
    assert_eq!(
        LockingData::new(Vec::new()).err(),
        Some(LockingError::InvalidTiers)
    );
    let mut flat = tiers();
    flat[2].multiplier_ppm = 2 * X;
    assert_eq!(
        LockingData::new(flat).err(),
        Some(LockingError::InvalidTiers)
    );
    let (d, a) = data();
    assert_eq!(d.tiers(), tiers());
    assert_eq!(d.totals(), (0, 0));
    assert_eq!(d.dividends(), (0, 0));
    assert_eq!(d.lock_of(a.bob), None);
    assert_eq!(d.pending_dividends(a.bob), 0);
}

#[ink::test]
fn lock_weighs_by_tier_and_extends() {
    let (mut d, a) = data();
    assert_eq!(d.lock(a.bob, 0, 0, 0), Err(LockingError::ZeroAmount));
    assert_eq!(d.lock(a.bob, 0, 100, 3), Err(LockingError::InvalidTier));
    let events = d.lock(a.bob, 5, 100, 1).unwrap();
    let lock = d.lock_of(a.bob).unwrap();
    assert_eq!(
        (lock.amount, lock.weight, lock.tier, lock.unlock_at),
        (100, 200, 1, 10_005)
    );
    assert_eq!(
        events,
        vec![LockingEvent::Locked(Locked {
            account: a.bob,
            added: 100,
            lock,
            total_weight: 200
        })]
    );
    // A shorter tier would lower the weight of BT already locked longer.
    assert_eq!(d.lock(a.bob, 6, 10, 0), Err(LockingError::InvalidTier));
    // The same tier later: the end moves, the whole amount weighs 2×.
    d.lock(a.bob, 1_000, 50, 1).unwrap();
    let lock = d.lock_of(a.bob).unwrap();
    assert_eq!(
        (lock.amount, lock.weight, lock.unlock_at),
        (150, 300, 11_000)
    );
    // A longer tier reweighs everything at 3×.
    d.lock(a.bob, 1_000, 50, 2).unwrap();
    let lock = d.lock_of(a.bob).unwrap();
    assert_eq!(
        (lock.amount, lock.weight, lock.unlock_at),
        (200, 600, 101_000)
    );
    d.lock(a.charlie, 0, 7, 0).unwrap();
    assert_eq!(d.totals(), (207, 607));
}

#[ink::test]
fn lock_overflow_is_an_error() {
    let (mut d, a) = data();
    d.lock(a.bob, 0, u128::MAX, 0).unwrap();
    assert_eq!(d.lock(a.bob, 0, 1, 0), Err(LockingError::Overflow));
    assert_eq!(d.lock(a.charlie, 0, 1, 0), Err(LockingError::Overflow));
    assert_eq!(d.lock_of(a.bob).unwrap().amount, u128::MAX);
}

#[ink::test]
fn unlock_after_the_period_only() {
    let (mut d, a) = data();
    assert_eq!(d.unlock(a.bob, 0).err(), Some(LockingError::NoLock));
    d.lock(a.bob, 0, 100, 0).unwrap();
    d.lock(a.charlie, 0, 30, 0).unwrap();
    assert_eq!(d.unlock(a.bob, 999).err(), Some(LockingError::StillLocked));
    let (bt, tt, events) = d.unlock(a.bob, 1_000).unwrap();
    assert_eq!((bt, tt), (100, 0));
    assert_eq!(
        events,
        vec![LockingEvent::Unlocked(Unlocked {
            account: a.bob,
            amount: 100,
            total_weight: 30
        })]
    );
    assert_eq!(d.lock_of(a.bob), None);
    assert_eq!(d.totals(), (30, 30));
    assert_eq!(d.unlock(a.bob, 2_000).err(), Some(LockingError::NoLock));
}

// ---- dividends ----------------------------------------------------------

#[ink::test]
fn dividends_are_shared_by_weight() {
    let (mut d, a) = data();
    // Time that arrives before anyone locks waits for the first locker.
    assert_eq!(d.sync_dividends(1_000), Ok(vec![]));
    d.lock(a.bob, 0, 100, 0).unwrap(); // weight 100
    d.lock(a.charlie, 0, 100, 1).unwrap(); // weight 200
    let events = d.sync_dividends(3_000).unwrap();
    let (acc_per_weight, reserved) = d.dividends();
    assert_eq!(acc_per_weight, 10 * ACC_SCALE);
    assert_eq!(reserved, 3_000);
    assert_eq!(
        events,
        vec![LockingEvent::DividendsDistributed(DividendsDistributed {
            amount: 3_000,
            acc_per_weight
        })]
    );
    // Nothing new: nothing happens.
    assert_eq!(d.sync_dividends(3_000), Ok(vec![]));
    assert_eq!(d.pending_dividends(a.bob), 1_000);
    assert_eq!(d.pending_dividends(a.charlie), 2_000);
    // A later locker does not share what arrived before it; its debt rounds
    // up by one unit, so a claimant never gets the rounding.
    d.lock(a.django, 0, 300, 0).unwrap();
    assert_eq!(d.pending_dividends(a.django), 0);
    d.sync_dividends(3_000 + 600).unwrap();
    assert_eq!(d.pending_dividends(a.bob), 1_000 + 100);
    assert_eq!(d.pending_dividends(a.django), 300 - 1);

    let (amount, events) = d.claim_dividends(a.charlie).unwrap();
    assert_eq!(amount, 2_000 + 200);
    assert_eq!(
        events,
        vec![LockingEvent::DividendsClaimed(DividendsClaimed {
            account: a.charlie,
            amount
        })]
    );
    assert_eq!(d.pending_dividends(a.charlie), 0);
    assert_eq!(d.dividends().1, 3_600 - amount);
    assert_eq!(
        d.claim_dividends(a.charlie).err(),
        Some(LockingError::NothingToClaim)
    );
    assert_eq!(d.claim_dividends(a.eve).err(), Some(LockingError::NoLock));
    // Unlocking pays what is due with the BT.
    let (bt, tt, events) = d.unlock(a.bob, 1_000).unwrap();
    assert_eq!((bt, tt), (100, 1_100));
    assert_eq!(
        events[1],
        LockingEvent::DividendsClaimed(DividendsClaimed {
            account: a.bob,
            amount: 1_100
        })
    );
}

/// A removed account's lock ends at once, before its period, with the
/// dividends due; its weight leaves the totals (it votes no more). Only a
/// removed account's: the others wait for their period.
#[ink::test]
fn a_removed_accounts_lock_ends_at_once_with_its_dividends() {
    let (mut d, a) = data();
    d.lock(a.bob, 0, 100, 2).unwrap();
    d.lock(a.charlie, 0, 50, 0).unwrap();
    d.sync_dividends(350).unwrap();
    let before = (d.totals(), d.lock_of(a.bob));
    assert_eq!(
        d.release_removed(a.bob, false).err(),
        Some(LockingError::NotRemoved)
    );
    assert_eq!(
        d.release_removed(a.django, true).err(),
        Some(LockingError::NoLock)
    );
    assert_eq!((d.totals(), d.lock_of(a.bob)), before);
    // 300 of weight (100 × 3) and 50: bob's share of 350 is 300, less the
    // accumulator's rounding.
    let due = d.pending_dividends(a.bob);
    assert!(due > 290 && due <= 300, "{due}");
    let (bt, tt, events) = d.release_removed(a.bob, true).unwrap();
    assert_eq!((bt, tt), (100, due));
    assert_eq!(
        events,
        vec![
            LockingEvent::Unlocked(Unlocked {
                account: a.bob,
                amount: 100,
                total_weight: 50
            }),
            LockingEvent::DividendsClaimed(DividendsClaimed {
                account: a.bob,
                amount: due
            })
        ]
    );
    assert_eq!(d.lock_of(a.bob), None);
    assert_eq!(d.totals(), (50, 50));
    assert_eq!(
        d.release_removed(a.bob, true).err(),
        Some(LockingError::NoLock)
    );
    // charlie still waits for its period.
    assert_eq!(
        d.unlock(a.charlie, 999).err(),
        Some(LockingError::StillLocked)
    );
}

#[ink::test]
fn dividends_too_small_for_the_accumulator_wait() {
    let (mut d, a) = data();
    d.lock(a.bob, 0, 10 * ACC_SCALE, 0).unwrap();
    // 5 units over 10^19 weight: below one accumulator unit.
    assert_eq!(d.sync_dividends(5), Ok(vec![]));
    assert_eq!(d.dividends(), (0, 0));
    assert_eq!(d.pending_dividends(a.bob), 0);
    // 10 units make one.
    assert_eq!(d.sync_dividends(10).unwrap().len(), 1);
    assert_eq!(d.dividends(), (1, 10));
    assert_eq!(d.pending_dividends(a.bob), 10);
}

#[ink::test]
fn claims_never_exceed_what_arrived() {
    let (mut d, _) = data();
    let lockers: Vec<AccountId> = (10..17).map(acc).collect();
    let mut balance: Balance = 0;
    let mut paid: Balance = 0;
    for round in 0..40u128 {
        let who = lockers[(round % 7) as usize];
        d.lock(
            who,
            0,
            1 + round * 37 % 101,
            ((round % 3) as u8).max(d.lock_of(who).map_or(0, |l| l.tier)),
        )
        .unwrap();
        balance += 1 + round * 7_919 % 1_013;
        d.sync_dividends(balance - paid).unwrap();
        if round % 5 == 4 {
            for l in &lockers {
                if let Ok((amount, _)) = d.claim_dividends(*l) {
                    paid += amount;
                }
            }
        }
        let owed: Balance = lockers.iter().map(|l| d.pending_dividends(*l)).sum();
        assert!(
            paid + owed <= balance,
            "round {round}: {paid} + {owed} > {balance}"
        );
        assert!(owed <= d.dividends().1);
    }
    assert!(paid > 0);
}

// ---- candidates and super nodes ----------------------------------------------

// ---- the contract (constructor and views: the rest calls the tokens) ----

#[ink::test]
fn constructor_and_views() {
    let a = accounts();
    assert_eq!(
        Locking::new(acc(1), acc(2), acc(3), Vec::new()).err(),
        Some(LockingError::InvalidTiers)
    );
    let l = Locking::new(acc(1), acc(2), acc(3), tiers()).unwrap();
    assert_eq!(l.tokens(), (acc(1), acc(2)));
    assert_eq!(l.tiers(), tiers());
    assert_eq!(l.totals(), (0, 0));
    assert_eq!(l.dividends(), (0, 0));
    assert_eq!(l.pending_dividends(a.bob), 0);
    assert_eq!(LockingApi::lock_of(&l, a.bob), None);
    assert_eq!(LockingApi::total_weight(&l), 0);
}
