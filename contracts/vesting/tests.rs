//! Unit tests: the plain logic (`VestingData`) at every step boundary of
//! every schedule, and every message of the contract that does not call BT,
//! on ink!'s off-chain environment (the BT-calling shells of `release` and
//! `spend_ecosystem` are covered by the e2e tests).

use super::*;
use bizkey_types::math::vesting::{FOUNDATION_STEPS_FOR_1_5B, MONTH_MS};
use ink::env::{test, DefaultEnvironment as Env};

const T0: Timestamp = 1_700_000_000_000;
const EARLY: Balance = 2_000_000_000 * BT_UNIT;
const TEAM: Balance = 1_500_000_000 * BT_UNIT;
const FOUNDATION: Balance = 1_500_000_000 * BT_UNIT;
/// The three vested allocations: what a fully funded contract holds.
const FUNDED: Balance = EARLY + TEAM + FOUNDATION;

fn accounts() -> test::DefaultAccounts<Env> {
    test::default_accounts::<Env>()
}

fn months(m: u64) -> Timestamp {
    T0 + m * MONTH_MS
}

/// alice admin, bob early supporters, charlie team, django foundation.
fn data() -> VestingData {
    let a = accounts();
    VestingData::new(a.alice, T0, a.bob, a.charlie, a.django).0
}

/// `data()` with eve as governance.
fn governed() -> VestingData {
    let mut d = data();
    d.set_role(accounts().alice, Role::Governance, Some(accounts().eve))
        .unwrap();
    d
}

fn released(
    allocation: Allocation,
    beneficiary: AccountId,
    amount: Balance,
    total: Balance,
) -> VestingEvent {
    VestingEvent::Released(Released {
        allocation,
        beneficiary,
        amount,
        total_released: total,
    })
}

/// Releases at one millisecond before and at each step instant: before,
/// nothing (`NothingToRelease`); at it, exactly the step. Returns the sum
/// of the releases.
fn walk_steps(
    allocation: Allocation,
    beneficiary: AccountId,
    instants: &[Timestamp],
    steps: &[Balance],
) -> Balance {
    let mut d = data();
    let mut total = 0;
    for (at, step) in instants.iter().zip(steps) {
        assert_eq!(
            d.release(beneficiary, at - 1, FUNDED),
            Err(VestingError::NothingToRelease),
            "1 ms before {at}"
        );
        total += step;
        assert_eq!(
            d.release(beneficiary, *at, FUNDED),
            Ok(vec![released(allocation, beneficiary, *step, total)]),
            "at {at}"
        );
        assert_eq!(d.released(allocation), total);
        assert_eq!(
            d.release(beneficiary, at + 1, FUNDED),
            Err(VestingError::NothingToRelease)
        );
    }
    // After the last step: nothing more, ever.
    assert_eq!(
        d.release(beneficiary, u64::MAX, FUNDED),
        Err(VestingError::NothingToRelease)
    );
    assert_eq!(d.next_unlock(allocation, u64::MAX), None);
    assert_eq!(d.releasable(allocation, u64::MAX), 0);
    total
}

mod logic {
    use super::*;

    #[test]
    fn new_names_the_admin_and_the_beneficiaries() {
        let a = accounts();
        let (d, events) = VestingData::new(a.alice, T0, a.bob, a.charlie, a.django);
        assert_eq!(d.t0(), T0);
        assert_eq!(d.role(Role::Admin), Some(a.alice));
        assert_eq!(d.role(Role::Governance), None);
        assert_eq!(d.role(Role::Ledger), None);
        assert_eq!(d.beneficiary(Allocation::EarlySupporters), Some(a.bob));
        assert_eq!(d.beneficiary(Allocation::Team), Some(a.charlie));
        assert_eq!(d.beneficiary(Allocation::Foundation), Some(a.django));
        assert_eq!(d.beneficiary(Allocation::Ecosystem), None);
        assert_eq!(d.outstanding(), FUNDED);
        assert_eq!(
            events,
            vec![
                VestingEvent::RoleChanged(RoleChanged {
                    role: Role::Admin,
                    account: Some(a.alice)
                }),
                VestingEvent::BeneficiaryChanged(BeneficiaryChanged {
                    allocation: Allocation::EarlySupporters,
                    beneficiary: a.bob
                }),
                VestingEvent::BeneficiaryChanged(BeneficiaryChanged {
                    allocation: Allocation::Team,
                    beneficiary: a.charlie
                }),
                VestingEvent::BeneficiaryChanged(BeneficiaryChanged {
                    allocation: Allocation::Foundation,
                    beneficiary: a.django
                }),
            ]
        );
    }

    #[test]
    fn early_supporters_every_boundary_and_no_dust() {
        let instants: Vec<_> = (1..=8).map(|q| months(3 * q)).collect();
        let steps: Vec<_> = [10, 10, 10, 10, 15, 15, 15, 15]
            .iter()
            .map(|p| EARLY / 100 * p)
            .collect();
        let total = walk_steps(
            Allocation::EarlySupporters,
            accounts().bob,
            &instants,
            &steps,
        );
        assert_eq!(total, EARLY);
    }

    #[test]
    fn team_every_boundary_and_no_dust() {
        let instants: Vec<_> = (0..=8).map(|q| months(3 * q)).collect();
        let steps: Vec<_> = [10, 10, 10, 10, 10, 10, 10, 15, 15]
            .iter()
            .map(|p| TEAM / 100 * p)
            .collect();
        let total = walk_steps(Allocation::Team, accounts().charlie, &instants, &steps);
        assert_eq!(total, TEAM);
    }

    #[test]
    fn foundation_every_boundary_and_no_dust() {
        let n = FOUNDATION_STEPS_FOR_1_5B;
        let instants: Vec<_> = (1..=n).map(|h| months(6 * h)).collect();
        // Independent model of the schedule: a tenth of what is locked, the
        // last step (leaving under one BT) releasing the rest.
        let mut locked = FOUNDATION;
        let mut steps = Vec::new();
        for k in 0..n {
            let step = if k + 1 == n { locked } else { locked / 10 };
            assert!(k + 1 == n || locked - step >= BT_UNIT);
            locked -= step;
            steps.push(step);
        }
        assert_eq!(steps[0], 150_000_000 * BT_UNIT);
        assert_eq!(steps[1], 135_000_000 * BT_UNIT);
        assert!(*steps.last().unwrap() < 2 * BT_UNIT);
        let total = walk_steps(Allocation::Foundation, accounts().django, &instants, &steps);
        assert_eq!(total, FOUNDATION);
    }

    #[test]
    fn nothing_before_t0_and_early_attempts_fail() {
        let a = accounts();
        let mut d = data();
        for caller in [a.bob, a.charlie, a.django] {
            assert_eq!(
                d.release(caller, 0, FUNDED),
                Err(VestingError::NothingToRelease)
            );
            assert_eq!(
                d.release(caller, T0 - 1, FUNDED),
                Err(VestingError::NothingToRelease)
            );
        }
        // At t0 only the team's first 10 % is unlocked.
        assert_eq!(
            d.release(a.bob, T0, FUNDED),
            Err(VestingError::NothingToRelease)
        );
        assert_eq!(
            d.release(a.django, months(6) - 1, FUNDED),
            Err(VestingError::NothingToRelease)
        );
        assert_eq!(d.unlocked(Allocation::Team, T0), TEAM / 10);
        assert_eq!(d.released(Allocation::Team), 0);
    }

    #[test]
    fn a_late_release_collects_every_step_passed() {
        let a = accounts();
        let mut d = data();
        assert_eq!(
            d.releasable(Allocation::EarlySupporters, months(7)),
            EARLY / 5
        );
        assert_eq!(
            d.release(a.bob, months(7), FUNDED),
            Ok(vec![released(
                Allocation::EarlySupporters,
                a.bob,
                EARLY / 5,
                EARLY / 5
            )])
        );
        assert_eq!(
            d.release(a.bob, months(100), FUNDED),
            Ok(vec![released(
                Allocation::EarlySupporters,
                a.bob,
                EARLY / 5 * 4,
                EARLY
            )])
        );
        assert_eq!(d.outstanding(), TEAM + FOUNDATION);
    }

    #[test]
    fn one_beneficiary_of_several_allocations_gets_all_at_once() {
        let a = accounts();
        let (mut d, _) = VestingData::new(a.alice, T0, a.bob, a.bob, a.bob);
        assert_eq!(
            d.release(a.bob, months(6), FUNDED),
            Ok(vec![
                released(Allocation::EarlySupporters, a.bob, EARLY / 5, EARLY / 5),
                released(Allocation::Team, a.bob, TEAM / 10 * 3, TEAM / 10 * 3),
                released(
                    Allocation::Foundation,
                    a.bob,
                    FOUNDATION / 10,
                    FOUNDATION / 10
                ),
            ])
        );
        // The foundation does not unlock at month 9.
        assert_eq!(
            d.release(a.bob, months(9), FUNDED),
            Ok(vec![
                released(
                    Allocation::EarlySupporters,
                    a.bob,
                    EARLY / 10,
                    EARLY / 10 * 3
                ),
                released(Allocation::Team, a.bob, TEAM / 10, TEAM / 10 * 4),
            ])
        );
    }

    #[test]
    fn strangers_cannot_release() {
        let a = accounts();
        let mut d = governed();
        for stranger in [a.alice, a.eve, a.frank] {
            assert_eq!(
                d.release(stranger, months(100), FUNDED),
                Err(VestingError::NotBeneficiary)
            );
        }
        assert_eq!(d.outstanding(), FUNDED);
    }

    #[test]
    fn underfunded_contract_releases_nothing() {
        let a = accounts();
        let mut d = data();
        assert_eq!(d.release(a.charlie, T0, 0), Err(VestingError::Underfunded));
        assert_eq!(
            d.release(a.charlie, T0, FUNDED - 1),
            Err(VestingError::Underfunded)
        );
        assert_eq!(d.released(Allocation::Team), 0);
        // Exactly funded is enough; afterwards the obligations shrink with the balance.
        assert!(d.release(a.charlie, T0, FUNDED).is_ok());
        let left = FUNDED - TEAM / 10;
        assert_eq!(d.outstanding(), left);
        assert_eq!(
            d.release(a.bob, months(3), left - 1),
            Err(VestingError::Underfunded)
        );
        assert!(d.release(a.bob, months(3), left).is_ok());
    }

    #[test]
    fn admin_sets_beneficiaries_only_before_t0() {
        let a = accounts();
        let mut d = data();
        assert_eq!(
            d.set_beneficiary(a.alice, T0 - 1, Allocation::Team, a.frank),
            Ok(vec![VestingEvent::BeneficiaryChanged(BeneficiaryChanged {
                allocation: Allocation::Team,
                beneficiary: a.frank
            })])
        );
        assert_eq!(d.beneficiary(Allocation::Team), Some(a.frank));
        assert_eq!(
            d.set_beneficiary(a.alice, T0, Allocation::Team, a.charlie),
            Err(VestingError::TooLate)
        );
        assert_eq!(d.beneficiary(Allocation::Team), Some(a.frank));
        assert_eq!(
            d.release(a.charlie, T0, FUNDED),
            Err(VestingError::NotBeneficiary)
        );
        assert!(d.release(a.frank, T0, FUNDED).is_ok());
    }

    #[test]
    fn governance_sets_beneficiaries_any_time_and_the_remainder_follows() {
        let a = accounts();
        let mut d = governed();
        d.release(a.bob, months(3), FUNDED).unwrap();
        assert!(d
            .set_beneficiary(a.eve, months(7), Allocation::EarlySupporters, a.frank)
            .is_ok());
        assert_eq!(
            d.release(a.bob, months(7), FUNDED),
            Err(VestingError::NotBeneficiary)
        );
        // The new beneficiary receives the unreleased month-6 step, not the first.
        assert_eq!(
            d.release(a.frank, months(7), FUNDED),
            Ok(vec![released(
                Allocation::EarlySupporters,
                a.frank,
                EARLY / 10,
                EARLY / 5
            )])
        );
    }

    #[test]
    fn beneficiary_changes_are_guarded() {
        let a = accounts();
        let mut d = governed();
        for stranger in [a.bob, a.charlie, a.frank] {
            assert_eq!(
                d.set_beneficiary(stranger, T0 - 1, Allocation::Team, stranger),
                Err(VestingError::Unauthorized)
            );
        }
        for caller in [a.alice, a.eve] {
            assert_eq!(
                d.set_beneficiary(caller, T0 - 1, Allocation::Ecosystem, a.frank),
                Err(VestingError::NoSchedule)
            );
        }
        assert_eq!(d.beneficiary(Allocation::Team), Some(a.charlie));
    }

    #[test]
    fn governance_spends_only_the_ecosystem_surplus() {
        let a = accounts();
        let mut d = governed();
        let eco = 1_000 * BT_UNIT;
        let balance = FUNDED + eco;
        assert_eq!(d.ecosystem_available(balance), eco);
        assert_eq!(d.ecosystem_available(FUNDED - 1), 0);
        assert_eq!(
            d.spend_ecosystem(a.eve, a.frank, 400 * BT_UNIT, balance),
            Ok(vec![VestingEvent::EcosystemSpent(EcosystemSpent {
                to: a.frank,
                amount: 400 * BT_UNIT,
                total_spent: 400 * BT_UNIT
            })])
        );
        let balance = balance - 400 * BT_UNIT;
        assert_eq!(
            d.spend_ecosystem(a.eve, a.frank, 600 * BT_UNIT + 1, balance),
            Err(VestingError::InsufficientEcosystemFunds)
        );
        assert_eq!(
            d.spend_ecosystem(a.eve, a.django, 600 * BT_UNIT, balance),
            Ok(vec![VestingEvent::EcosystemSpent(EcosystemSpent {
                to: a.django,
                amount: 600 * BT_UNIT,
                total_spent: eco
            })])
        );
        assert_eq!(d.released(Allocation::Ecosystem), eco);
        // The vested obligations are untouched.
        assert_eq!(d.outstanding(), FUNDED);
        assert_eq!(
            d.spend_ecosystem(a.eve, a.frank, 1, FUNDED),
            Err(VestingError::InsufficientEcosystemFunds)
        );
    }

    #[test]
    fn ecosystem_spends_are_guarded() {
        let a = accounts();
        let mut d = governed();
        let balance = FUNDED + BT_UNIT;
        for stranger in [a.alice, a.bob, a.frank] {
            assert_eq!(
                d.spend_ecosystem(stranger, stranger, 1, balance),
                Err(VestingError::Unauthorized)
            );
        }
        assert_eq!(
            d.spend_ecosystem(a.eve, a.frank, 0, balance),
            Err(VestingError::ZeroAmount)
        );
        // Without governance nobody spends.
        let mut d = data();
        assert_eq!(
            d.spend_ecosystem(a.alice, a.frank, 1, balance),
            Err(VestingError::Unauthorized)
        );
        assert_eq!(d.released(Allocation::Ecosystem), 0);
    }

    #[test]
    fn the_ecosystem_has_no_schedule() {
        let d = data();
        assert_eq!(d.unlocked(Allocation::Ecosystem, u64::MAX), 0);
        assert_eq!(d.releasable(Allocation::Ecosystem, u64::MAX), 0);
        assert_eq!(d.next_unlock(Allocation::Ecosystem, T0), None);
    }

    #[test]
    fn next_unlock_follows_the_schedules() {
        let d = data();
        assert_eq!(
            d.next_unlock(Allocation::Team, T0 - 1),
            Some((T0, TEAM / 10))
        );
        assert_eq!(
            d.next_unlock(Allocation::EarlySupporters, months(7)),
            Some((months(9), EARLY / 10))
        );
        assert_eq!(
            d.next_unlock(Allocation::Foundation, months(7)),
            Some((months(12), FOUNDATION / 100 * 9))
        );
    }

    #[test]
    fn roles_are_handed_over_by_admin_or_governance() {
        let a = accounts();
        let mut d = data();
        assert_eq!(
            d.set_role(a.bob, Role::Governance, Some(a.bob)),
            Err(VestingError::Unauthorized)
        );
        assert_eq!(
            d.set_role(a.alice, Role::Ledger, Some(a.bob)),
            Err(VestingError::InvalidRole)
        );
        assert_eq!(
            d.set_role(a.alice, Role::Governance, Some(a.eve)),
            Ok(vec![VestingEvent::RoleChanged(RoleChanged {
                role: Role::Governance,
                account: Some(a.eve)
            })])
        );
        // Governance takes the admin role; the authority renounces.
        d.set_role(a.eve, Role::Admin, Some(a.eve)).unwrap();
        assert_eq!(
            d.set_role(a.alice, Role::Admin, Some(a.alice)),
            Err(VestingError::Unauthorized)
        );
        assert_eq!(
            d.set_beneficiary(a.alice, T0 - 1, Allocation::Team, a.alice),
            Err(VestingError::Unauthorized)
        );
        d.set_role(a.eve, Role::Governance, Some(a.frank)).unwrap();
        assert_eq!(d.role(Role::Governance), Some(a.frank));
        assert_eq!(
            d.spend_ecosystem(a.eve, a.eve, 1, FUNDED + 1),
            Err(VestingError::Unauthorized)
        );
        assert!(d.spend_ecosystem(a.frank, a.eve, 1, FUNDED + 1).is_ok());
        d.set_role(a.eve, Role::Admin, None).unwrap();
        assert_eq!(d.role(Role::Admin), None);
    }

    #[test]
    fn the_admin_cannot_take_a_held_governance_role() {
        let a = accounts();
        let mut d = data();
        d.set_role(a.alice, Role::Governance, Some(a.eve)).unwrap();
        // The admin would otherwise name itself governance and redirect the
        // allocations or spend the treasury.
        for account in [Some(a.alice), None] {
            assert_eq!(
                d.set_role(a.alice, Role::Governance, account),
                Err(VestingError::Unauthorized)
            );
        }
        assert_eq!(d.role(Role::Governance), Some(a.eve));
        assert_eq!(
            d.set_beneficiary(a.alice, T0, Allocation::Team, a.alice),
            Err(VestingError::TooLate)
        );
        // It still hands its own role over; governance hands on its own.
        assert!(d.set_role(a.alice, Role::Admin, Some(a.bob)).is_ok());
        assert!(d.set_role(a.eve, Role::Governance, Some(a.frank)).is_ok());
        assert_eq!(d.role(Role::Governance), Some(a.frank));
    }
}

mod contract {
    use super::*;

    fn set_caller(account: AccountId) {
        test::set_caller::<Env>(account);
    }

    fn set_now(t: Timestamp) {
        test::set_block_timestamp::<Env>(t);
    }

    fn events() -> Vec<test::EmittedEvent> {
        test::recorded_events().collect()
    }

    fn decode<E: scale::Decode + ink::env::Event>(e: &test::EmittedEvent) -> E {
        assert_eq!(
            e.topics[0].as_slice(),
            E::SIGNATURE_TOPIC.expect("not anonymous").as_slice()
        );
        <E as scale::Decode>::decode(&mut &e.data[..]).expect("decodes")
    }

    /// Deployed by alice with BT at `token` (frank's account stands in).
    fn deploy() -> Vesting {
        let a = accounts();
        set_caller(a.alice);
        Vesting::new(a.frank, T0, a.bob, a.charlie, a.django)
    }

    #[ink::test]
    fn constructor_emits_the_configuration() {
        set_now(T0 - 10);
        let a = accounts();
        let v = deploy();
        assert_eq!(v.token(), a.frank);
        assert_eq!(v.t0(), T0);
        assert_eq!(v.role(Role::Admin), Some(a.alice));
        assert_eq!(v.role(Role::Governance), None);
        let evs = events();
        assert_eq!(evs.len(), 5);
        assert_eq!(
            decode::<VestingCreated>(&evs[0]),
            VestingCreated {
                token: a.frank,
                t0: T0
            }
        );
        assert_eq!(
            decode::<RoleChanged>(&evs[1]),
            RoleChanged {
                role: Role::Admin,
                account: Some(a.alice)
            }
        );
        assert_eq!(
            decode::<BeneficiaryChanged>(&evs[4]),
            BeneficiaryChanged {
                allocation: Allocation::Foundation,
                beneficiary: a.django
            }
        );
    }

    #[ink::test]
    fn queries_follow_the_block_time() {
        set_now(T0 - 1);
        let a = accounts();
        let v = deploy();
        assert_eq!(v.beneficiary(Allocation::EarlySupporters), Some(a.bob));
        assert_eq!(v.beneficiary(Allocation::Ecosystem), None);
        assert_eq!(v.unlocked(Allocation::Team), 0);
        assert_eq!(v.releasable(Allocation::Team), 0);
        assert_eq!(v.next_unlock(Allocation::Team), Some((T0, TEAM / 10)));
        set_now(months(7));
        assert_eq!(v.unlocked(Allocation::EarlySupporters), EARLY / 5);
        assert_eq!(v.unlocked(Allocation::Team), TEAM / 10 * 3);
        assert_eq!(v.releasable(Allocation::Foundation), FOUNDATION / 10);
        assert_eq!(v.released(Allocation::Foundation), 0);
        assert_eq!(v.released(Allocation::Ecosystem), 0);
        assert_eq!(v.outstanding(), FUNDED);
        assert_eq!(
            v.next_unlock(Allocation::EarlySupporters),
            Some((months(9), EARLY / 10))
        );
    }

    #[ink::test]
    fn set_beneficiary_message() {
        set_now(T0 - 1);
        let a = accounts();
        let mut v = deploy();
        set_caller(a.frank);
        assert_eq!(
            v.set_beneficiary(Allocation::Team, a.frank),
            Err(VestingError::Unauthorized)
        );
        set_caller(a.alice);
        assert_eq!(
            v.set_beneficiary(Allocation::Ecosystem, a.frank),
            Err(VestingError::NoSchedule)
        );
        assert_eq!(v.set_beneficiary(Allocation::Team, a.eve), Ok(()));
        assert_eq!(v.beneficiary(Allocation::Team), Some(a.eve));
        let evs = events();
        assert_eq!(
            decode::<BeneficiaryChanged>(evs.last().unwrap()),
            BeneficiaryChanged {
                allocation: Allocation::Team,
                beneficiary: a.eve
            }
        );
        set_now(T0);
        assert_eq!(
            v.set_beneficiary(Allocation::Team, a.charlie),
            Err(VestingError::TooLate)
        );
        assert_eq!(events().len(), evs.len());
    }

    #[ink::test]
    fn set_role_message() {
        let a = accounts();
        let mut v = deploy();
        set_caller(a.bob);
        assert_eq!(
            v.set_role(Role::Governance, Some(a.bob)),
            Err(VestingError::Unauthorized)
        );
        set_caller(a.alice);
        assert_eq!(
            v.set_role(Role::Reporter, Some(a.bob)),
            Err(VestingError::InvalidRole)
        );
        assert_eq!(v.set_role(Role::Governance, Some(a.eve)), Ok(()));
        assert_eq!(v.role(Role::Governance), Some(a.eve));
        assert_eq!(
            decode::<RoleChanged>(events().last().unwrap()),
            RoleChanged {
                role: Role::Governance,
                account: Some(a.eve)
            }
        );
        // Governance changes a beneficiary after t0.
        set_now(months(1));
        set_caller(a.eve);
        assert_eq!(v.set_beneficiary(Allocation::Foundation, a.eve), Ok(()));
        assert_eq!(v.set_role(Role::Admin, None), Ok(()));
        assert_eq!(v.role(Role::Admin), None);
        set_caller(a.alice);
        assert_eq!(
            v.set_role(Role::Admin, Some(a.alice)),
            Err(VestingError::Unauthorized)
        );
    }
}
