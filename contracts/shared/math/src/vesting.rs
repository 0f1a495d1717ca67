//! BT vesting schedules (DESIGN §3.5, whitepaper ch. 7.2).
//!
//! A month is 30 days; every schedule counts from the BT issue time `t0`
//! (milliseconds, the block timestamp). A step unlocks at its instant
//! exactly: one millisecond before it nothing of the step is unlocked, at it
//! the whole step is.
//!
//! | schedule        | first step | interval | steps                                            |
//! |-----------------|------------|----------|--------------------------------------------------|
//! | early supporters| t0 + 3 m   | 3 months | 10, 10, 10, 10, 15, 15, 15, 15 % of the allocation |
//! | team            | t0         | 3 months | 10 (at t0), then 10, 10, 10, 10, 10, 10, 15, 15 %  |
//! | foundation      | t0 + 6 m   | 6 months | 10 % of what is still locked (geometric)           |
//!
//! No dust:
//! - the percentage schedules compute the *cumulative* unlocked amount as
//!   `floor(allocation × cumulative % / 100)`; the last step's cumulative
//!   percentage is 100, so the final unlocked amount is the allocation
//!   exactly and rounding never accumulates;
//! - the foundation schedule keeps the *locked* amount: each step locks
//!   `locked − floor(locked / 10)` (never more than 10 % released), except
//!   that a step which would leave less than [`FOUNDATION_DUST`] (one BT)
//!   locked releases everything instead. That final step is the only one that
//!   may exceed 10 % of the remainder, by less than one BT; without it the
//!   geometric series would never end (and integer division would leave up to
//!   nine units locked forever). For the 1.5B BT foundation allocation this
//!   ends at step [`FOUNDATION_STEPS_FOR_1_5B`], about a century after t0.
//!
//! The vesting contract and the indexer both use [`unlocked`], so the chain
//! and the SQL views agree to the unit.

use crate::DAY_MS;

/// A vesting month: 30 days (DESIGN §3.5).
pub const MONTH_MS: u64 = 30 * DAY_MS;
/// The foundation releases at most one tenth of what is still locked per step.
pub const FOUNDATION_DIVISOR: u128 = 10;
/// The foundation step that would leave less than this locked releases the
/// rest: one BT (12 decimals).
pub const FOUNDATION_DUST: u128 = 1_000_000_000_000;
/// Foundation steps that release a 1.5B BT allocation completely.
pub const FOUNDATION_STEPS_FOR_1_5B: u64 = 201;

/// Early supporters: the percentage unlocked at each step, from t0 + 3 months.
pub const EARLY_SUPPORTER_STEPS: [u8; 8] = [10, 10, 10, 10, 15, 15, 15, 15];
/// Team: the percentage unlocked at each step, from t0 (10 % at issue, then
/// the eight quarterly steps; the remaining 90 % as the whitepaper's steps).
pub const TEAM_STEPS: [u8; 9] = [10, 10, 10, 10, 10, 10, 10, 15, 15];

/// A vesting schedule. The ecosystem allocation has none (governance spends
/// it), so it is not one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode, scale_info::TypeInfo)]
pub enum Schedule {
    /// 20 % of BT: eight quarterly steps from t0 + 3 months.
    EarlySupporters,
    /// 15 % of BT: 10 % at t0, then eight quarterly steps.
    Team,
    /// 15 % of BT: every six months, 10 % of what is still locked.
    Foundation,
}

impl Schedule {
    /// Milliseconds from t0 to the first step.
    pub const fn first_step_offset(self) -> u64 {
        match self {
            Schedule::EarlySupporters => 3 * MONTH_MS,
            Schedule::Team => 0,
            Schedule::Foundation => 6 * MONTH_MS,
        }
    }

    /// Milliseconds between two steps.
    pub const fn interval(self) -> u64 {
        match self {
            Schedule::EarlySupporters | Schedule::Team => 3 * MONTH_MS,
            Schedule::Foundation => 6 * MONTH_MS,
        }
    }

    /// The percentage steps, `None` for the geometric foundation schedule.
    pub const fn percent_steps(self) -> Option<&'static [u8]> {
        match self {
            Schedule::EarlySupporters => Some(&EARLY_SUPPORTER_STEPS),
            Schedule::Team => Some(&TEAM_STEPS),
            Schedule::Foundation => None,
        }
    }
}

/// The instant of step `index` (0-based), `None` if it does not fit in a u64.
pub fn step_time(schedule: Schedule, t0: u64, index: u64) -> Option<u64> {
    schedule
        .interval()
        .checked_mul(index)?
        .checked_add(schedule.first_step_offset())?
        .checked_add(t0)
}

/// How many steps have been reached at `now` (a step counts from its instant
/// on). Not capped by the schedule's length.
pub fn steps_reached(schedule: Schedule, t0: u64, now: u64) -> u64 {
    match t0.checked_add(schedule.first_step_offset()) {
        Some(first) if now >= first => now
            .saturating_sub(first)
            .checked_div(schedule.interval())
            .unwrap_or(0)
            .saturating_add(1),
        _ => 0,
    }
}

/// What `steps` steps of `schedule` unlock of `allocation` in total.
pub fn unlocked_after_steps(schedule: Schedule, allocation: u128, steps: u64) -> u128 {
    match schedule.percent_steps() {
        Some(table) => {
            let percent: u128 = table
                .iter()
                .take(usize::try_from(steps).unwrap_or(usize::MAX))
                .map(|p| *p as u128)
                .sum();
            // `percent <= 100`, so the result never exceeds the allocation.
            crate::fixed::mul_div(allocation, percent, 100)
        }
        None => allocation.saturating_sub(foundation_locked(allocation, steps)),
    }
}

/// What is unlocked of `allocation` at `now` for a schedule starting at `t0`.
/// Monotone in `now`, never above `allocation`, and equal to it once the
/// schedule has ended.
pub fn unlocked(schedule: Schedule, allocation: u128, t0: u64, now: u64) -> u128 {
    unlocked_after_steps(schedule, allocation, steps_reached(schedule, t0, now))
}

/// How many steps release `allocation` completely (the index of the last
/// step that unlocks anything, plus one; 0 for an empty allocation).
pub fn total_steps(schedule: Schedule, allocation: u128) -> u64 {
    if allocation == 0 {
        return 0;
    }
    match schedule.percent_steps() {
        Some(table) => table.len() as u64,
        None => {
            let mut locked = allocation;
            let mut steps: u64 = 0;
            while locked > 0 {
                locked = foundation_step(locked);
                steps = steps.saturating_add(1);
            }
            steps
        }
    }
}

/// The next step after `now` that unlocks something: its instant and amount.
/// `None` once everything is unlocked (or when the instant overflows a u64).
pub fn next_unlock(schedule: Schedule, allocation: u128, t0: u64, now: u64) -> Option<(u64, u128)> {
    let total = total_steps(schedule, allocation);
    let mut index = steps_reached(schedule, t0, now);
    let mut before = unlocked_after_steps(schedule, allocation, index);
    while index < total {
        let after = unlocked_after_steps(schedule, allocation, index.saturating_add(1));
        if after > before {
            return Some((
                step_time(schedule, t0, index)?,
                after.saturating_sub(before),
            ));
        }
        before = after;
        index = index.saturating_add(1);
    }
    None
}

/// The foundation's locked amount after `steps` steps.
fn foundation_locked(allocation: u128, steps: u64) -> u128 {
    let mut locked = allocation;
    // Terminates within a few hundred steps whatever the allocation (the
    // locked amount shrinks by 10 % per step until it drops under the dust
    // threshold, then it is 0), however large `steps` is.
    for _ in 0..steps {
        if locked == 0 {
            break;
        }
        locked = foundation_step(locked);
    }
    locked
}

/// One foundation step: release a tenth (rounded down) of what is locked, or
/// everything if less than [`FOUNDATION_DUST`] would remain.
fn foundation_step(locked: u128) -> u128 {
    let remaining = locked.saturating_sub(locked / FOUNDATION_DIVISOR);
    if remaining < FOUNDATION_DUST {
        0
    } else {
        remaining
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const BT: u128 = 1_000_000_000_000;
    const EARLY: u128 = 2_000_000_000 * BT;
    const TEAM: u128 = 1_500_000_000 * BT;
    const FOUNDATION: u128 = 1_500_000_000 * BT;
    const T0: u64 = 1_700_000_000_000;
    const ALL: [Schedule; 3] = [
        Schedule::EarlySupporters,
        Schedule::Team,
        Schedule::Foundation,
    ];

    fn months(m: u64) -> u64 {
        T0 + m * MONTH_MS
    }

    #[test]
    fn percent_tables_sum_to_one_hundred() {
        let early: u32 = EARLY_SUPPORTER_STEPS.iter().map(|p| *p as u32).sum();
        let team: u32 = TEAM_STEPS.iter().map(|p| *p as u32).sum();
        assert_eq!((early, team), (100, 100));
    }

    #[test]
    fn early_supporters_at_every_boundary() {
        let expected_percent = [10, 20, 30, 40, 55, 70, 85, 100];
        assert_eq!(unlocked(Schedule::EarlySupporters, EARLY, 0, 0), 0);
        assert_eq!(unlocked(Schedule::EarlySupporters, EARLY, T0, T0), 0);
        for (i, percent) in expected_percent.iter().enumerate() {
            let at = months(3 * (i as u64 + 1));
            let before = if i == 0 { 0 } else { expected_percent[i - 1] };
            assert_eq!(
                unlocked(Schedule::EarlySupporters, EARLY, T0, at - 1),
                EARLY / 100 * before,
                "1 ms before step {i}"
            );
            assert_eq!(
                unlocked(Schedule::EarlySupporters, EARLY, T0, at),
                EARLY / 100 * percent,
                "at step {i}"
            );
        }
        assert_eq!(
            unlocked(Schedule::EarlySupporters, EARLY, T0, u64::MAX),
            EARLY
        );
    }

    #[test]
    fn team_at_every_boundary() {
        let expected_percent = [10, 20, 30, 40, 50, 60, 70, 85, 100];
        assert_eq!(unlocked(Schedule::Team, TEAM, T0, T0 - 1), 0);
        for (i, percent) in expected_percent.iter().enumerate() {
            let at = months(3 * i as u64);
            let before = if i == 0 { 0 } else { expected_percent[i - 1] };
            assert_eq!(
                unlocked(Schedule::Team, TEAM, T0, at - 1),
                TEAM / 100 * before
            );
            assert_eq!(unlocked(Schedule::Team, TEAM, T0, at), TEAM / 100 * percent);
        }
        assert_eq!(unlocked(Schedule::Team, TEAM, T0, months(1000)), TEAM);
    }

    #[test]
    fn foundation_is_geometric_then_ends_without_dust() {
        assert_eq!(
            unlocked(Schedule::Foundation, FOUNDATION, T0, months(6) - 1),
            0
        );
        assert_eq!(
            unlocked(Schedule::Foundation, FOUNDATION, T0, months(6)),
            FOUNDATION / 10
        );
        assert_eq!(
            unlocked(Schedule::Foundation, FOUNDATION, T0, months(12)),
            FOUNDATION / 10 + FOUNDATION * 9 / 100
        );
        // Every step but the last releases floor(locked / 10).
        let total = total_steps(Schedule::Foundation, FOUNDATION);
        assert_eq!(total, FOUNDATION_STEPS_FOR_1_5B);
        let mut locked = FOUNDATION;
        for step in 0..total {
            let at = step_time(Schedule::Foundation, T0, step).unwrap();
            assert_eq!(at, months(6 * (step + 1)));
            assert_eq!(
                unlocked(Schedule::Foundation, FOUNDATION, T0, at - 1),
                FOUNDATION - locked
            );
            let released =
                unlocked(Schedule::Foundation, FOUNDATION, T0, at) - (FOUNDATION - locked);
            if step + 1 < total {
                assert_eq!(released, locked / 10, "step {step}");
                locked -= released;
                assert!(locked >= FOUNDATION_DUST);
            } else {
                assert_eq!(released, locked, "the last step releases the rest");
                assert!(locked - locked / 10 < FOUNDATION_DUST);
                assert!(released - locked / 10 < FOUNDATION_DUST);
            }
        }
        let end = step_time(Schedule::Foundation, T0, total - 1).unwrap();
        assert_eq!(
            unlocked(Schedule::Foundation, FOUNDATION, T0, end),
            FOUNDATION
        );
        assert_eq!(
            unlocked(Schedule::Foundation, FOUNDATION, T0, u64::MAX),
            FOUNDATION
        );
        assert_eq!(next_unlock(Schedule::Foundation, FOUNDATION, T0, end), None);
    }

    #[test]
    fn small_allocations_end_in_one_step_below_dust() {
        assert_eq!(total_steps(Schedule::Foundation, FOUNDATION_DUST), 1);
        assert_eq!(unlocked(Schedule::Foundation, 9, T0, months(6)), 9);
        assert_eq!(total_steps(Schedule::Foundation, 0), 0);
        assert_eq!(total_steps(Schedule::Team, 0), 0);
    }

    #[test]
    fn next_unlock_reports_the_coming_step() {
        assert_eq!(
            next_unlock(Schedule::EarlySupporters, EARLY, T0, T0),
            Some((months(3), EARLY / 10))
        );
        assert_eq!(
            next_unlock(Schedule::EarlySupporters, EARLY, T0, months(12)),
            Some((months(15), EARLY / 100 * 15))
        );
        assert_eq!(
            next_unlock(Schedule::EarlySupporters, EARLY, T0, months(24)),
            None
        );
        assert_eq!(
            next_unlock(Schedule::Team, TEAM, T0, T0 - 1),
            Some((T0, TEAM / 10))
        );
        assert_eq!(
            next_unlock(Schedule::Team, TEAM, T0, T0),
            Some((months(3), TEAM / 10))
        );
        // Steps that round to nothing are skipped: 3 units, 10 % steps.
        assert_eq!(
            next_unlock(Schedule::EarlySupporters, 3, T0, T0),
            Some((months(12), 1))
        );
    }

    #[test]
    fn times_near_the_end_of_u64_do_not_overflow() {
        for schedule in ALL {
            assert_eq!(unlocked(schedule, EARLY, u64::MAX, u64::MAX - 1), 0);
            let at_t0 = u64::from(schedule == Schedule::Team);
            assert_eq!(steps_reached(schedule, u64::MAX - 1, u64::MAX), at_t0);
            assert_eq!(step_time(schedule, u64::MAX, 1), None);
            assert_eq!(next_unlock(schedule, EARLY, u64::MAX, u64::MAX), None);
        }
        // The team's first step is at t0 itself, even at the last instant.
        assert_eq!(
            unlocked(Schedule::Team, TEAM, u64::MAX, u64::MAX),
            TEAM / 10
        );
    }

    fn schedule() -> impl Strategy<Value = Schedule> {
        prop_oneof![
            Just(Schedule::EarlySupporters),
            Just(Schedule::Team),
            Just(Schedule::Foundation),
        ]
    }

    proptest! {
        #[test]
        fn monotone_in_time_and_capped(
            s in schedule(), allocation in any::<u128>(), t0 in any::<u64>(),
            a in any::<u64>(), b in any::<u64>(),
        ) {
            let (lo, hi) = (a.min(b), a.max(b));
            let (u_lo, u_hi) = (unlocked(s, allocation, t0, lo), unlocked(s, allocation, t0, hi));
            prop_assert!(u_lo <= u_hi);
            prop_assert!(u_hi <= allocation);
        }

        #[test]
        fn nothing_before_the_first_step(
            s in schedule(), allocation in any::<u128>(), t0 in 0u64..u64::MAX / 2, early in 1u64..u64::MAX / 2,
        ) {
            let first = t0 + s.first_step_offset();
            prop_assert_eq!(unlocked(s, allocation, t0, first.saturating_sub(early)), 0);
        }

        /// The steps telescope: their sum is the allocation exactly.
        #[test]
        fn steps_sum_to_the_allocation(s in schedule(), allocation in any::<u128>()) {
            let total = total_steps(s, allocation);
            let mut sum = 0u128;
            for k in 0..total {
                let step = unlocked_after_steps(s, allocation, k + 1) - unlocked_after_steps(s, allocation, k);
                if s == Schedule::Foundation && k + 1 < total {
                    // Never more than a tenth of what is still locked.
                    prop_assert!(step <= (allocation - sum) / FOUNDATION_DIVISOR);
                }
                sum += step;
            }
            prop_assert_eq!(sum, allocation);
            prop_assert_eq!(unlocked_after_steps(s, allocation, total + 1), allocation);
            prop_assert!(total <= 700);
        }

        /// Walking `next_unlock` from t0 visits every step and ends at the allocation.
        #[test]
        fn next_unlock_walks_to_the_end(s in schedule(), allocation in 0u128..1u128 << 80, t0 in 0u64..1u64 << 50) {
            let mut now = t0.saturating_sub(1);
            let mut seen = unlocked(s, allocation, t0, now);
            while let Some((at, amount)) = next_unlock(s, allocation, t0, now) {
                prop_assert!(at > now);
                prop_assert_eq!(unlocked(s, allocation, t0, at - 1), seen);
                seen += amount;
                prop_assert_eq!(unlocked(s, allocation, t0, at), seen);
                now = at;
            }
            prop_assert_eq!(seen, allocation);
        }
    }
}
