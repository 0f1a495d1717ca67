//! Property tests of the token logic against a plain model: after any random
//! sequence of operations, every balance and allowance matches the model,
//! the balances sum to the total supply, the supply never exceeds the cap,
//! and a failed operation changes nothing and emits nothing.

use crate::{Emission, PSP22Data, PSP22Error, TokenEvent, TokenRoles};
use bizkey_math::emission::{emitted, UNIT, YEAR_MS};
use bizkey_types::{AccountId, Balance, Timestamp};
use proptest::prelude::*;

const ACCOUNTS: usize = 5;
const CAP: Balance = 10_000_000_000 * UNIT;
const GENESIS: Balance = 2_000_000_000 * UNIT;
const START: Timestamp = 1_000_000;
const GOVERNANCE: usize = 4;

fn acc(i: usize) -> AccountId {
    AccountId([i as u8 + 1; 32])
}

#[derive(Debug, Clone)]
enum Op {
    Transfer(usize, usize, Balance),
    Approve(usize, usize, Balance),
    IncreaseAllowance(usize, usize, Balance),
    DecreaseAllowance(usize, usize, Balance),
    TransferFrom(usize, usize, usize, Balance),
    BurnFrom(usize, usize, Balance),
    Clawback(usize, usize, usize, Balance),
    Release(u64),
}

fn value() -> impl Strategy<Value = Balance> {
    prop_oneof![
        Just(0),
        1..=1_000u128,
        (0..3_000_000_000u128).prop_map(|v| v * UNIT),
        Just(Balance::MAX),
    ]
}

fn account() -> impl Strategy<Value = usize> {
    0..ACCOUNTS
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (account(), account(), value()).prop_map(|(a, b, v)| Op::Transfer(a, b, v)),
        2 => (account(), account(), value()).prop_map(|(a, b, v)| Op::Approve(a, b, v)),
        1 => (account(), account(), value()).prop_map(|(a, b, v)| Op::IncreaseAllowance(a, b, v)),
        1 => (account(), account(), value()).prop_map(|(a, b, v)| Op::DecreaseAllowance(a, b, v)),
        3 => (account(), account(), account(), value())
            .prop_map(|(c, a, b, v)| Op::TransferFrom(c, a, b, v)),
        1 => (account(), account(), value()).prop_map(|(c, a, v)| Op::BurnFrom(c, a, v)),
        1 => (account(), account(), account(), value())
            .prop_map(|(c, a, b, v)| Op::Clawback(c, a, b, v)),
        2 => (0..=10 * YEAR_MS).prop_map(Op::Release),
    ]
}

/// The expected state, kept with plain arrays.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Model {
    balances: [Balance; ACCOUNTS],
    allowances: [[Balance; ACCOUNTS]; ACCOUNTS],
    supply: Balance,
}

impl Model {
    fn of(data: &PSP22Data) -> Self {
        let mut model = Model {
            balances: [0; ACCOUNTS],
            allowances: [[0; ACCOUNTS]; ACCOUNTS],
            supply: data.total_supply(),
        };
        for i in 0..ACCOUNTS {
            model.balances[i] = data.balance_of(acc(i));
            for j in 0..ACCOUNTS {
                model.allowances[i][j] = data.allowance(acc(i), acc(j));
            }
        }
        model
    }

    /// Moves `v` if possible; `false` (and no change) if not.
    fn apply_transfer(&mut self, a: usize, b: usize, v: Balance) -> bool {
        if a == b || v == 0 {
            return true;
        }
        if self.balances[a] < v {
            return false;
        }
        self.balances[a] -= v;
        self.balances[b] += v;
        true
    }
}

/// Applies `op` to the logic and to the model; checks they agree.
fn step(
    data: &mut PSP22Data,
    roles: &TokenRoles,
    emission: &mut Emission,
    now: &mut Timestamp,
    model: &mut Model,
    op: &Op,
) -> Result<(), TestCaseError> {
    let before = Model::of(data);
    let mut expected = model.clone();
    let (result, expect_ok) = match *op {
        Op::Transfer(a, b, v) => (
            data.transfer(acc(a), acc(b), v),
            expected.apply_transfer(a, b, v),
        ),
        Op::Approve(a, b, v) => {
            if a != b {
                expected.allowances[a][b] = v;
            }
            (data.approve(acc(a), acc(b), v), true)
        }
        Op::IncreaseAllowance(a, b, v) => {
            if a != b {
                expected.allowances[a][b] = expected.allowances[a][b].saturating_add(v);
            }
            (data.increase_allowance(acc(a), acc(b), v), true)
        }
        Op::DecreaseAllowance(a, b, v) => {
            let ok = a == b || expected.allowances[a][b] >= v;
            if a != b && ok {
                expected.allowances[a][b] -= v;
            }
            (data.decrease_allowance(acc(a), acc(b), v), ok)
        }
        Op::TransferFrom(c, a, b, v) => {
            let ok = if a == b || v == 0 {
                true
            } else if c == a {
                expected.apply_transfer(a, b, v)
            } else if expected.allowances[a][c] < v {
                false
            } else {
                let moved = expected.apply_transfer(a, b, v);
                if moved {
                    expected.allowances[a][c] -= v;
                }
                moved
            };
            (data.transfer_from(acc(c), acc(a), acc(b), v), ok)
        }
        Op::BurnFrom(c, a, v) => {
            let ok = c == GOVERNANCE && expected.balances[a] >= v;
            if ok {
                expected.balances[a] -= v;
                expected.supply -= v;
            }
            let result = roles
                .ensure_governance(acc(c))
                .and_then(|()| data.burn(acc(a), v));
            (result, ok)
        }
        Op::Clawback(c, a, b, v) => {
            let ok = c == GOVERNANCE && expected.apply_transfer(a, b, v);
            if c != GOVERNANCE {
                expected = model.clone();
            }
            let result = roles
                .ensure_governance(acc(c))
                .and_then(|()| data.transfer(acc(a), acc(b), v));
            (result, ok)
        }
        Op::Release(dt) => {
            *now = now.saturating_add(dt);
            let due = emitted(*now - START) - emission.released();
            let to_reward = due * 3 / 4;
            expected.balances[1] += to_reward;
            expected.balances[2] += due - to_reward;
            expected.supply += due;
            let result = emission.release(*now, data, CAP).map(|(amount, events)| {
                assert_eq!(amount, due);
                events
            });
            (result, true)
        }
    };
    match result {
        Ok(events) => {
            prop_assert!(expect_ok, "{op:?} succeeded, the model says it fails");
            *model = expected;
            // A success without events changed nothing.
            if events.is_empty() {
                prop_assert_eq!(&Model::of(data), &before, "{:?}", op);
            }
            for event in &events {
                if let TokenEvent::Transfer(t) = event {
                    prop_assert!(t.value > 0);
                }
            }
        }
        Err(error) => {
            prop_assert!(
                !expect_ok,
                "{op:?} failed with {error:?}, the model says it succeeds"
            );
            prop_assert_ne!(error, PSP22Error::CapExceeded);
        }
    }
    let actual = Model::of(data);
    prop_assert_eq!(&actual, &*model, "after {:?}", op);
    prop_assert_eq!(actual.balances.iter().sum::<Balance>(), data.total_supply());
    prop_assert!(data.total_supply() <= CAP);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn balances_always_sum_to_supply(ops in proptest::collection::vec(op(), 1..60)) {
        // A fresh off-chain storage for each case: `Mapping`s live there.
        let mut failure = None;
        let outcome = ink::env::test::run_test::<ink::env::DefaultEnvironment, _>(|_| {
            let mut data = PSP22Data::default();
            let (mut roles, _) = TokenRoles::new(acc(0));
            roles.set_governance(acc(0), Some(acc(GOVERNANCE))).unwrap();
            let (mut emission, _) = Emission::new(START, acc(1), acc(2), 750_000).unwrap();
            data.mint(acc(0), GENESIS, CAP).unwrap();
            let mut now = START;
            let mut model = Model::of(&data);
            for op in &ops {
                if let Err(error) = step(&mut data, &roles, &mut emission, &mut now, &mut model, op) {
                    failure = Some(error);
                    break;
                }
            }
            Ok(())
        });
        prop_assert!(outcome.is_ok());
        if let Some(error) = failure {
            return Err(error);
        }
    }
}
