//! The reward of one confirmed receipt (DESIGN §4, formula 4 of ch. 3.6).
//!
//! ```text
//! novelty = 1 / 2^k   (k = the customer's earlier purchases at the merchant in the window)
//! Biz     = base × novelty × clamp(BizPower / reference, 0.5, 2)
//! Time    = cashback rate × amount × novelty
//! ```

use crate::bizpower::BizPower;
use crate::fixed::{mul_div, ONE, PPM};

#[cfg(all(feature = "std", feature = "ink"))]
use ink::storage::traits::StorageLayout;

/// Time token units per cent of sale amount: Time is pegged for accounting at
/// 1 Time (10^12 units) = 1 currency unit = 100 cents.
pub const TIME_UNITS_PER_CENT: u128 = 10_000_000_000;

/// Reward parameters (governance-set).
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode, scale_info::TypeInfo)]
#[cfg_attr(all(feature = "std", feature = "ink"), derive(StorageLayout))]
pub struct RewardParams {
    /// Biz (smallest units) for one novel receipt at the reference BizPower.
    pub base_biz: u128,
    /// The BizPower that earns exactly `base_biz` (fixed point).
    pub reference_bizpower: BizPower,
    /// Time cashback in parts per million of the amount.
    pub cashback_ppm: u32,
}

impl Default for RewardParams {
    /// 3 Biz per novel receipt at BizPower 1.0 (a small merchant with ~50
    /// orders a day earns ~100–200 Biz, the whitepaper's anchor), 1 % cashback.
    fn default() -> Self {
        Self {
            base_biz: 3_000_000_000_000,
            reference_bizpower: ONE,
            cashback_ppm: 10_000,
        }
    }
}

/// `value × novelty`, novelty being `1 / 2^k`: an exact right shift, so each
/// further purchase earns exactly half (rounded down) of the one before.
pub fn novelty(value: u128, earlier_in_window: u32) -> u128 {
    value.checked_shr(earlier_in_window).unwrap_or(0)
}

/// The merchant's Biz reward for one receipt.
pub fn biz_reward(params: &RewardParams, bizpower: BizPower, earlier_in_window: u32) -> u128 {
    let factor = if params.reference_bizpower == 0 {
        2 * ONE
    } else {
        mul_div(bizpower, ONE, params.reference_bizpower).clamp(ONE / 2, 2 * ONE)
    };
    novelty(mul_div(params.base_biz, factor, ONE), earlier_in_window)
}

/// The customer's Time reward (cashback) for one receipt of `amount` cents.
pub fn time_reward(params: &RewardParams, amount: u128, earlier_in_window: u32) -> u128 {
    let cashback = mul_div(
        amount.saturating_mul(TIME_UNITS_PER_CENT),
        params.cashback_ppm as u128,
        PPM as u128,
    );
    novelty(cashback, earlier_in_window)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn novelty_halves() {
        assert_eq!(novelty(ONE, 0), ONE);
        assert_eq!(novelty(ONE, 1), ONE / 2);
        assert_eq!(novelty(ONE, 3), ONE / 8);
        assert_eq!(novelty(u128::MAX, 127), 1);
        assert_eq!(novelty(u128::MAX, 128), 0);
        assert_eq!(novelty(u128::MAX, u32::MAX), 0);
    }

    #[test]
    fn biz_reward_is_clamped() {
        let p = RewardParams::default();
        assert_eq!(biz_reward(&p, ONE, 0), p.base_biz);
        assert_eq!(biz_reward(&p, 0, 0), p.base_biz / 2);
        assert_eq!(biz_reward(&p, 100 * ONE, 0), p.base_biz * 2);
        assert_eq!(biz_reward(&p, ONE, 1), p.base_biz / 2);
    }

    #[test]
    fn cashback_is_one_percent_by_default() {
        // ¥96.00 → 0.96 Time.
        assert_eq!(
            time_reward(&RewardParams::default(), 9_600, 0),
            960_000_000_000
        );
        assert_eq!(
            time_reward(&RewardParams::default(), 9_600, 2),
            240_000_000_000
        );
    }

    #[test]
    fn whitepaper_anchor_small_merchant_earns_100_to_200_biz_a_day() {
        // 50 orders, ¥4,800 a day, every customer distinct, BizPower near the
        // reference: 50 × 3 Biz = 150 Biz.
        let p = RewardParams::default();
        let day: u128 = (0..50).map(|_| biz_reward(&p, ONE, 0)).sum();
        let biz = day / 1_000_000_000_000;
        assert!((100..=200).contains(&biz), "{biz} Biz");
    }

    proptest! {
        #[test]
        fn rewards_never_panic(base in any::<u128>(), reference in any::<u128>(), rate in any::<u32>(),
                               bp in any::<u128>(), amount in any::<u128>(), k in any::<u32>()) {
            let p = RewardParams { base_biz: base, reference_bizpower: reference, cashback_ppm: rate };
            let _ = biz_reward(&p, bp, k);
            let _ = time_reward(&p, amount, k);
        }

        /// More BizPower never earns less; a later purchase never earns more.
        #[test]
        fn biz_monotone(base in 0u128..1_000_000_000_000_000, bp in any::<u64>(), extra in any::<u64>(), k in 0u32..40) {
            let p = RewardParams { base_biz: base, ..Default::default() };
            prop_assert!(biz_reward(&p, bp as u128 + extra as u128, k) >= biz_reward(&p, bp as u128, k));
            prop_assert!(biz_reward(&p, bp as u128, k + 1) <= biz_reward(&p, bp as u128, k));
        }

        /// Each further purchase in the window earns exactly half.
        #[test]
        fn novelty_halving(amount in 0u128..1_000_000_000, k in 0u32..20) {
            let p = RewardParams::default();
            let now = time_reward(&p, amount, k);
            let next = time_reward(&p, amount, k + 1);
            prop_assert_eq!(now / 2, next);
        }

        /// The reward stays within [0.5, 2] × base × novelty.
        #[test]
        fn biz_bounds(bp in any::<u128>(), k in 0u32..30) {
            let p = RewardParams::default();
            let r = biz_reward(&p, bp, k);
            prop_assert!(r >= (p.base_biz / 2) >> k && r <= (p.base_biz * 2) >> k);
        }
    }
}
