//! The Time token's emission schedule (DESIGN §3.1, whitepaper ch. 7.1.2).
//!
//! 8,000,000,000 Time beyond the genesis 2B: 400M a year for the first five
//! years, then each five-year period at three quarters of the previous
//! period's yearly rate. Period `k` therefore emits a quarter of what is
//! still unemitted at its start (2B = 8B/4, 1.5B = 6B/4, …); the schedule is
//! computed as "remaining × 3/4" per period, so the periods telescope and the
//! total is exactly 8B with no dust. Within a period emission is linear.

use crate::fixed::mul_div;

/// One token (12 decimals).
pub const UNIT: u128 = 1_000_000_000_000;
/// Total emission after genesis.
pub const TOTAL_EMISSION: u128 = 8_000_000_000 * UNIT;
/// A year of the schedule: 365 days in milliseconds.
pub const YEAR_MS: u64 = 365 * 86_400_000;
/// One period of constant yearly rate.
pub const PERIOD_MS: u64 = 5 * YEAR_MS;

/// Time emitted in total `elapsed_ms` after the emission start.
pub fn emitted(elapsed_ms: u64) -> u128 {
    let periods = elapsed_ms / PERIOD_MS;
    let mut remaining = TOTAL_EMISSION;
    // After ~150 periods (750 years) `remaining` reaches zero and stays there.
    for _ in 0..periods {
        if remaining == 0 {
            break;
        }
        remaining = remaining.saturating_sub(period_amount(remaining));
    }
    let partial = mul_div(
        period_amount(remaining),
        (elapsed_ms % PERIOD_MS) as u128,
        PERIOD_MS as u128,
    );
    TOTAL_EMISSION
        .saturating_sub(remaining)
        .saturating_add(partial)
}

/// What a period starting with `remaining` unemitted emits: a quarter,
/// rounded up so the schedule always terminates.
fn period_amount(remaining: u128) -> u128 {
    remaining.div_ceil(4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn first_periods_match_the_whitepaper() {
        assert_eq!(emitted(0), 0);
        assert_eq!(emitted(YEAR_MS), 400_000_000 * UNIT);
        assert_eq!(emitted(PERIOD_MS), 2_000_000_000 * UNIT);
        assert_eq!(emitted(PERIOD_MS + YEAR_MS), 2_300_000_000 * UNIT);
        assert_eq!(emitted(2 * PERIOD_MS), 3_500_000_000 * UNIT);
        assert_eq!(emitted(2 * PERIOD_MS + YEAR_MS), 3_725_000_000 * UNIT);
    }

    #[test]
    fn total_is_exactly_eight_billion() {
        assert_eq!(emitted(u64::MAX), TOTAL_EMISSION);
        assert_eq!(emitted(400 * PERIOD_MS), TOTAL_EMISSION);
    }

    proptest! {
        #[test]
        fn monotone_and_capped(a in any::<u64>(), b in any::<u64>()) {
            let (lo, hi) = (a.min(b), a.max(b));
            prop_assert!(emitted(lo) <= emitted(hi));
            prop_assert!(emitted(hi) <= TOTAL_EMISSION);
        }
    }
}
