//! Unit tests on ink!'s off-chain environment: every message and error.
//!
//! The ledger is replaced by thread-local receipts that the contract's
//! `receipt` reads under `cfg(test)` (a down ledger included); the ledger's
//! e2e suite runs the same messages against the real ledger on a node.

use super::*;
use bizkey_types::{
    ledger::{Order, Side},
    math::Channel,
};
use ink::env::{test, DefaultEnvironment as Env};
use reviews::Reviews;
use std::{cell::RefCell, collections::HashMap};

#[derive(Default)]
struct Ledger {
    receipts: HashMap<ReceiptId, Receipt>,
    down: bool,
}

thread_local! {
    static LEDGER: RefCell<Ledger> = RefCell::new(Ledger::default());
}

/// What the contract's `receipt` answers under `cfg(test)`.
pub fn ledger_receipt(id: ReceiptId) -> Result<Option<Receipt>> {
    LEDGER.with(|l| {
        let l = l.borrow();
        if l.down {
            Err(ReviewsError::LedgerCallFailed)
        } else {
            Ok(l.receipts.get(&id).copied())
        }
    })
}

fn accounts() -> test::DefaultAccounts<Env> {
    test::default_accounts::<Env>()
}

/// A receipt of merchant bob to customer django, in `status`.
fn receipt(status: ReceiptStatus) -> Receipt {
    let a = accounts();
    Receipt {
        merchant: a.bob,
        customer: a.django,
        opened_by: Side::Merchant,
        order: Order {
            order_id: 1,
            order_time: 1,
            channel: Channel::InStore,
            amount: 5_000,
            discount: 0,
            time_paid: 0,
            items: 1,
            detail_hash: Hash::from([9; 32]),
        },
        status,
        opened_at: 1,
        deadline: 2,
        completed_at: 1,
        biz: 0,
        time: 0,
        referral_time: 0,
    }
}

/// The ledger has receipt `id` in `status`.
fn ledger_has(id: ReceiptId, status: ReceiptStatus) {
    LEDGER.with(|l| l.borrow_mut().receipts.insert(id, receipt(status)));
}

fn ledger_down(down: bool) {
    LEDGER.with(|l| l.borrow_mut().down = down);
}

fn as_caller(who: AccountId) {
    test::set_caller::<Env>(who);
}

fn deploy() -> Reviews {
    as_caller(accounts().alice);
    Reviews::new(accounts().eve)
}

fn last_event<E: scale::Decode + ink::env::Event>() -> E {
    let e = test::recorded_events().last().expect("an event");
    assert_eq!(
        e.topics[0].as_slice(),
        E::SIGNATURE_TOPIC.expect("not anonymous").as_slice()
    );
    <E as scale::Decode>::decode(&mut &e.data[..]).expect("decodes")
}

fn events() -> usize {
    test::recorded_events().count()
}

const GOOD: Rating = Rating::Merchant {
    product: 5,
    service: 4,
    environment: 3,
};

#[ink::test]
fn new_and_ledger() {
    let r = deploy();
    assert_eq!(r.ledger(), accounts().eve);
    assert_eq!(r.rated(1), 0);
}

#[ink::test]
fn rate_message() {
    let a = accounts();
    let mut r = deploy();
    ledger_has(1, ReceiptStatus::Confirmed);
    ledger_has(2, ReceiptStatus::Open);

    as_caller(a.django);
    assert_eq!(r.rate(9, GOOD, None), Err(ReviewsError::ReceiptNotFound));
    assert_eq!(r.rate(2, GOOD, None), Err(ReviewsError::NotConfirmed));
    for bad in [
        Rating::Merchant {
            product: 0,
            service: 5,
            environment: 5,
        },
        Rating::Merchant {
            product: 5,
            service: 6,
            environment: 5,
        },
        Rating::Merchant {
            product: 5,
            service: 5,
            environment: 0,
        },
    ] {
        assert_eq!(r.rate(1, bad, None), Err(ReviewsError::InvalidRating));
    }
    // The customer cannot give the merchant's rating of the customer.
    assert_eq!(
        r.rate(1, Rating::Customer { score: 5 }, None),
        Err(ReviewsError::NotCounterparty)
    );
    assert_eq!(events(), 0);
    assert_eq!(r.rated(1), 0);

    r.rate(1, GOOD, Some([1; 32].into())).unwrap();
    assert_eq!(
        last_event::<MerchantRated>(),
        MerchantRated {
            id: 1,
            merchant: a.bob,
            customer: a.django,
            product: 5,
            service: 4,
            environment: 3,
            comment: Some([1; 32].into()),
        }
    );
    assert_eq!(r.rated(1), RATED_BY_CUSTOMER);
    assert_eq!(r.rate(1, GOOD, None), Err(ReviewsError::AlreadyRated));

    as_caller(a.bob);
    assert_eq!(r.rate(1, GOOD, None), Err(ReviewsError::NotCounterparty));
    assert_eq!(
        r.rate(1, Rating::Customer { score: 0 }, None),
        Err(ReviewsError::InvalidRating)
    );
    r.rate(1, Rating::Customer { score: 4 }, None).unwrap();
    assert_eq!(
        last_event::<CustomerRated>(),
        CustomerRated {
            id: 1,
            merchant: a.bob,
            customer: a.django,
            score: 4,
            comment: None,
        }
    );
    assert_eq!(r.rated(1), RATED_BY_CUSTOMER | RATED_BY_MERCHANT);
    assert_eq!(
        r.rate(1, Rating::Customer { score: 4 }, None),
        Err(ReviewsError::AlreadyRated)
    );
    // A stranger gives neither rating.
    as_caller(a.frank);
    assert_eq!(r.rate(1, GOOD, None), Err(ReviewsError::NotCounterparty));
    assert_eq!(events(), 2);
}

#[ink::test]
fn only_confirmed_receipts_are_rated_or_reacted_to() {
    let a = accounts();
    let mut r = deploy();
    for (id, status) in [
        (1, ReceiptStatus::Open),
        (2, ReceiptStatus::Cancelled),
        (3, ReceiptStatus::Flagged),
        (4, ReceiptStatus::Refunded),
    ] {
        ledger_has(id, status);
        as_caller(a.django);
        assert_eq!(r.rate(id, GOOD, None), Err(ReviewsError::NotConfirmed));
        as_caller(a.bob);
        assert_eq!(
            r.rate(id, Rating::Customer { score: 3 }, None),
            Err(ReviewsError::NotConfirmed)
        );
        assert_eq!(
            r.react(id, Reaction::Like, Hash::default()),
            Err(ReviewsError::NotConfirmed)
        );
    }
    assert_eq!(events(), 0);
}

#[ink::test]
fn react_message() {
    let a = accounts();
    let mut r = deploy();
    ledger_has(1, ReceiptStatus::Confirmed);
    as_caller(a.frank);
    assert_eq!(
        r.react(5, Reaction::Like, Hash::default()),
        Err(ReviewsError::ReceiptNotFound)
    );
    r.react(1, Reaction::Share, [3; 32].into()).unwrap();
    assert_eq!(
        last_event::<Reacted>(),
        Reacted {
            id: 1,
            account: a.frank,
            kind: Reaction::Share,
            content: [3; 32].into(),
        }
    );
    // Reactions are not limited: the same again is another event.
    r.react(1, Reaction::Share, [3; 32].into()).unwrap();
    assert_eq!(events(), 2);
    assert_eq!(r.rated(1), 0);
}

#[ink::test]
fn a_failed_ledger_call_is_an_error_and_changes_nothing() {
    let a = accounts();
    let mut r = deploy();
    ledger_has(1, ReceiptStatus::Confirmed);
    ledger_down(true);
    as_caller(a.django);
    assert_eq!(r.rate(1, GOOD, None), Err(ReviewsError::LedgerCallFailed));
    assert_eq!(
        r.react(1, Reaction::View, Hash::default()),
        Err(ReviewsError::LedgerCallFailed)
    );
    assert_eq!((r.rated(1), events()), (0, 0));
    ledger_down(false);
    r.rate(1, GOOD, None).unwrap();
    assert_eq!(r.rated(1), RATED_BY_CUSTOMER);
}

mod properties {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::TestCaseError;
    use std::collections::HashSet;

    fn rating() -> impl Strategy<Value = Rating> {
        prop_oneof![
            (0u8..7, 0u8..7, 0u8..7).prop_map(|(product, service, environment)| {
                Rating::Merchant {
                    product,
                    service,
                    environment,
                }
            }),
            (0u8..7).prop_map(|score| Rating::Customer { score }),
        ]
    }

    /// Whatever is attempted by whom on which receipt, each side's rating
    /// of a receipt succeeds at most once: the first valid one by that side
    /// on a confirmed receipt, and the `rated` bits say exactly which
    /// succeeded.
    fn check(attempts: Vec<(u64, u8, Rating)>) -> core::result::Result<(), TestCaseError> {
        let a = accounts();
        let mut data = ReviewsData::default();
        let receipts = [
            receipt(ReceiptStatus::Confirmed),
            receipt(ReceiptStatus::Confirmed),
            receipt(ReceiptStatus::Flagged),
        ];
        let mut done = HashSet::<(ReceiptId, u8)>::new();
        for (id, who, rating) in attempts {
            let caller = [a.bob, a.django, a.frank][usize::from(who)];
            let r = receipts[id as usize];
            let rater = match rating {
                Rating::Merchant { .. } => r.customer,
                Rating::Customer { .. } => r.merchant,
            };
            let expected_ok = r.status == ReceiptStatus::Confirmed
                && rating.is_valid()
                && caller == rater
                && !done.contains(&(id, rating.bit()));
            let got = data.rate(caller, id, Some(r), rating, None);
            prop_assert_eq!(got.is_ok(), expected_ok, "{:?}", got);
            if expected_ok {
                done.insert((id, rating.bit()));
            }
        }
        for id in 0..3 {
            let bits = done
                .iter()
                .filter(|(r, _)| *r == id)
                .fold(0, |b, (_, bit)| b | bit);
            prop_assert_eq!(data.rated(id), bits);
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn each_side_rates_a_receipt_at_most_once(
            attempts in proptest::collection::vec((0u64..3, 0u8..3, rating()), 0..40)
        ) {
            // Storage needs ink!'s off-chain environment.
            let mut outcome = Ok(());
            test::run_test::<Env, _>(|_| {
                outcome = check(attempts);
                Ok(())
            })
            .unwrap();
            outcome?;
        }
    }
}
