//! BT locks with Time dividends (DESIGN §3.6; whitepaper ch. 3.5.5): lock
//! tiers, an account's lock and the dividend accumulator's scale.

// `AccountId` implements `TypeInfo` only with `std` (metadata), so the types
// derive it only then.

use crate::{AccountId, Balance, Timestamp};
use bizkey_math::{mul_div, PPM};

#[cfg(feature = "std")]
use ink::storage::traits::StorageLayout;

/// Most lock tiers a configuration may have.
pub const MAX_TIERS: usize = 8;
/// The largest lock multiplier: 100×.
pub const MAX_MULTIPLIER_PPM: u32 = 100 * PPM;
/// Fixed-point scale of the dividend accumulator (Time per unit of weight).
pub const ACC_SCALE: u128 = 1_000_000_000_000_000_000;

/// A lock period and its weight: `weight = amount × multiplier_ppm / 10⁶`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct LockTier {
    pub duration_ms: u64,
    pub multiplier_ppm: u32,
}

/// Whether lock tiers are acceptable: 1..=[`MAX_TIERS`] of them, durations
/// and multipliers strictly increasing (longer locks weigh more),
/// multipliers in 1..=[`MAX_MULTIPLIER_PPM`].
pub fn tiers_valid(tiers: &[LockTier]) -> bool {
    !tiers.is_empty()
        && tiers.len() <= MAX_TIERS
        && tiers.iter().all(|t| {
            t.duration_ms > 0 && t.multiplier_ppm > 0 && t.multiplier_ppm <= MAX_MULTIPLIER_PPM
        })
        && tiers.windows(2).all(|w| {
            w[0].duration_ms < w[1].duration_ms && w[0].multiplier_ppm < w[1].multiplier_ppm
        })
}

/// An account's locked BT.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct Lock {
    pub amount: Balance,
    /// Index of the lock's tier in the configuration at locking time.
    pub tier: u8,
    /// Voting and dividend weight: `amount × multiplier`.
    pub weight: u128,
    /// When `unlock` may return the BT.
    pub unlock_at: Timestamp,
    /// `weight × acc_per_weight` when last settled (rounded up).
    pub reward_debt: u128,
    /// Settled Time dividends not yet claimed.
    pub unclaimed: Balance,
}

/// The dividend rules, one home for the locking contract and the indexer's
/// replay of it: Time per unit of weight accumulates (× [`ACC_SCALE`]), and
/// each lock owes what its weight had accrued when it was last settled.
impl Lock {
    /// Dividends this lock may claim at accumulator `acc_per_weight`: what
    /// was settled, plus what its weight accrued since.
    pub fn due(&self, acc_per_weight: u128) -> Balance {
        self.unclaimed
            .saturating_add(accrued(self.weight, acc_per_weight).saturating_sub(self.reward_debt))
    }
}

/// Dividends accrued by `weight` since the start, at `acc_per_weight`.
pub fn accrued(weight: u128, acc_per_weight: u128) -> Balance {
    mul_div(weight, acc_per_weight, ACC_SCALE)
}

/// The debt of a lock of `weight` settled at `acc_per_weight`, rounded up
/// by one unit: a claimant never gets the rounding, so the claims never
/// exceed what arrived.
pub fn debt(weight: u128, acc_per_weight: u128) -> u128 {
    if weight == 0 || acc_per_weight == 0 {
        0
    } else {
        accrued(weight, acc_per_weight).saturating_add(1)
    }
}

/// Errors of the BT lock contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
pub enum LockingError {
    /// The lock tiers are invalid (see [`tiers_valid`]).
    InvalidTiers,
    /// An amount of zero.
    ZeroAmount,
    /// No lock tier has this index, or it is below the caller's current
    /// tier.
    InvalidTier,
    /// The caller has no lock.
    NoLock,
    /// The lock period has not ended.
    StillLocked,
    /// No dividends are due to the caller.
    NothingToClaim,
    /// A call to a token contract failed (allowance, balance).
    TokenCallFailed,
    /// A sum overflowed (no real input reaches it).
    Overflow,
    /// The registry has not removed the account (`release_removed`).
    NotRemoved,
    /// The registry could not be read.
    RegistryCallFailed,
}

/// `account` locked BT; the fields are its whole lock afterwards.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locked {
    #[ink(topic)]
    pub account: AccountId,
    /// Added by this call.
    pub added: Balance,
    pub lock: Lock,
    /// All lock weight afterwards.
    pub total_weight: u128,
}

/// `account` took its BT back after the lock period.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unlocked {
    #[ink(topic)]
    pub account: AccountId,
    pub amount: Balance,
    pub total_weight: u128,
}

/// Time that reached the dividend pool was shared among the lockers.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DividendsDistributed {
    pub amount: Balance,
    /// The accumulator afterwards (Time per weight × [`ACC_SCALE`]).
    pub acc_per_weight: u128,
}

/// `account` received its Time dividends.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DividendsClaimed {
    #[ink(topic)]
    pub account: AccountId,
    pub amount: Balance,
}

/// What governance reads from the BT lock contract.
#[ink::trait_definition]
pub trait LockingApi {
    /// `account`'s lock, if any.
    #[ink(message)]
    fn lock_of(&self, account: AccountId) -> Option<Lock>;

    /// The weight of all locks.
    #[ink(message)]
    fn total_weight(&self) -> u128;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiers() -> Vec<LockTier> {
        ink::prelude::vec![
            LockTier {
                duration_ms: 10,
                multiplier_ppm: PPM,
            },
            LockTier {
                duration_ms: 20,
                multiplier_ppm: 2 * PPM,
            },
        ]
    }

    #[test]
    fn tier_validation() {
        assert!(tiers_valid(&tiers()));
        assert!(!tiers_valid(&[]));
        let mut t = tiers();
        // Equal multipliers: the longer lock would not weigh more.
        t[1].multiplier_ppm = PPM;
        assert!(!tiers_valid(&t));
        let mut t = tiers();
        t[1].duration_ms = 10;
        assert!(!tiers_valid(&t));
        let mut t = tiers();
        t[0].duration_ms = 0;
        assert!(!tiers_valid(&t));
        let mut t = tiers();
        t[0].multiplier_ppm = 0;
        assert!(!tiers_valid(&t));
        let many: Vec<LockTier> = (1..=MAX_TIERS as u64 + 1)
            .map(|i| LockTier {
                duration_ms: i,
                multiplier_ppm: i as u32,
            })
            .collect();
        assert!(!tiers_valid(&many));
        assert!(tiers_valid(&many[..MAX_TIERS]));
        let top = [LockTier {
            duration_ms: 1,
            multiplier_ppm: MAX_MULTIPLIER_PPM,
        }];
        assert!(tiers_valid(&top));
        let over = [LockTier {
            duration_ms: 1,
            multiplier_ppm: MAX_MULTIPLIER_PPM + 1,
        }];
        assert!(!tiers_valid(&over));
    }
}

contract_events! {
    /// Everything a locking message may emit.
    pub enum LockingEvent {
        Locked,
        Unlocked,
        DividendsDistributed,
        DividendsClaimed,
    }
}
