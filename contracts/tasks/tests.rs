//! Unit tests: the logic ([`TasksData`]) for every method and error path,
//! with receipts and registry records given as data (what the message shell
//! reads from the ledger and the registry), the event → Time movement map,
//! the messages that fail before any cross-contract call, and a property
//! test of the money: escrow in = paid out + refunded + held, for any
//! sequence of operations, with failed operations changing nothing.

use super::*;
use bizkey_types::{
    ledger::{Order, Side},
    math::Channel,
};
use ink::env::{test, DefaultEnvironment as Env};
use ink::prelude::string::String;

const UNIT: Balance = 1_000_000_000_000;
const DAY: u64 = 86_400_000;
const START: Timestamp = 100 * DAY;
const END: Timestamp = START + 10 * DAY;
const CLOSE: Timestamp = END + 2 * DAY;

fn acc(n: u8) -> AccountId {
    AccountId::from([n; 32])
}

const MERCHANT: u8 = 1;
const CUSTOMER: u8 = 2;
const FRIEND: u8 = 3;

fn merchant() -> AccountId {
    acc(MERCHANT)
}

fn customer() -> AccountId {
    acc(CUSTOMER)
}

fn friend() -> AccountId {
    acc(FRIEND)
}

/// The ledger: its Time reward pool takes forfeited deposits.
fn ledger() -> AccountId {
    acc(90)
}

/// The i-th merchant of a chain of shops (ch. 3.6's example).
fn shop(i: u8) -> AccountId {
    acc(100 + i)
}

/// A confirmed receipt completed at `at`, matured one day later.
fn receipt(
    merchant: AccountId,
    customer: AccountId,
    amount: u128,
    time: Balance,
    at: Timestamp,
) -> Receipt {
    Receipt {
        merchant,
        customer,
        opened_by: Side::Merchant,
        order: Order {
            order_id: 1,
            order_time: at,
            channel: Channel::InStore,
            amount,
            discount: 0,
            time_paid: 0,
            items: 1,
            detail_hash: Hash::from([9; 32]),
        },
        status: ReceiptStatus::Confirmed,
        opened_at: at,
        deadline: at + DAY,
        completed_at: at,
        biz: 0,
        time,
        referral_time: 0,
    }
}

fn own(id: ReceiptId, r: Receipt) -> Evidence {
    Evidence {
        id,
        receipt: Some(r),
        referrer: None,
    }
}

fn referred(id: ReceiptId, r: Receipt, referrer: AccountId) -> Evidence {
    Evidence {
        id,
        receipt: Some(r),
        referrer: Some(referrer),
    }
}

/// One purchase of at least 10.00 at the task's merchant.
fn buy_here() -> Rule {
    Rule::Purchases(PurchaseRule {
        merchants: Vec::new(),
        min_count: 1,
        min_amount: 1_000,
        distinct_merchants: 0,
    })
}

/// 10 Time per completion, three completions, a 1 Time deposit.
fn terms() -> TaskTerms {
    TaskTerms {
        name: String::from("买一杯咖啡"),
        description_hash: Hash::from([7; 32]),
        mode: RuleMode::All,
        rules: vec![buy_here()],
        reward: Reward::Fixed(10 * UNIT),
        eligibility: Eligibility::Anyone,
        penalty: UNIT,
        start: START,
        end: END,
        claim_ms: 2 * DAY,
        max_completions: 3,
    }
}

fn active(registered_at: Timestamp) -> Option<Customer> {
    Some(Customer {
        referrer: None,
        status: CustomerStatus::Active,
        registered_at,
    })
}

/// Fresh off-chain storage: every `TasksData` of a test uses the same
/// storage keys.
fn fresh() -> TasksData {
    test::run_test::<Env, _>(|_| Ok(())).expect("reset");
    TasksData::default()
}

/// A task created at `START - DAY` by a verified merchant, in fresh storage.
fn created(terms: TaskTerms, escrow: Balance) -> (TasksData, TaskId) {
    let mut data = fresh();
    let (id, _) = data
        .create(
            merchant(),
            START - DAY,
            Some(MerchantStatus::Verified),
            terms,
            escrow,
        )
        .expect("create");
    (data, id)
}

fn joined(terms: TaskTerms, escrow: Balance, who: &[AccountId]) -> (TasksData, TaskId) {
    let (mut data, id) = created(terms, escrow);
    for &account in who {
        data.join(account, START, id, None, &[]).expect("join");
    }
    (data, id)
}

fn create_err(terms: TaskTerms, escrow: Balance) -> TasksError {
    let mut data = fresh();
    let err = data
        .create(
            merchant(),
            START - DAY,
            Some(MerchantStatus::Verified),
            terms,
            escrow,
        )
        .expect_err("invalid terms");
    assert_eq!(data.task_count(), 0);
    assert_eq!(data.task(0), None);
    err
}

/// Runs `f` and asserts that on `Err` neither the task nor the participants
/// nor the used receipts changed.
fn unchanged<T: core::fmt::Debug>(
    data: &mut TasksData,
    id: TaskId,
    who: &[AccountId],
    receipts: &[ReceiptId],
    f: impl FnOnce(&mut TasksData) -> Result<T>,
) -> TasksError {
    let task = data.task(id);
    let parts: Vec<_> = who.iter().map(|a| data.participant(id, *a)).collect();
    let used: Vec<_> = receipts.iter().map(|r| data.used_by(id, *r)).collect();
    let err = f(data).expect_err("must fail");
    assert_eq!(data.task(id), task);
    let parts_after: Vec<_> = who.iter().map(|a| data.participant(id, *a)).collect();
    assert_eq!(parts_after, parts);
    let used_after: Vec<_> = receipts.iter().map(|r| data.used_by(id, *r)).collect();
    assert_eq!(used_after, used);
    err
}

fn conserved(task: &Task) {
    assert_eq!(
        task.escrow,
        task.pool + task.reserved + task.paid + task.refunded,
        "escrow = pool + reserved + paid + refunded"
    );
}

// ---------------------------------------------------------------- create

#[ink::test]
fn create_stores_the_task_and_announces_the_escrow() {
    let mut data = TasksData::default();
    let (id, events) = data
        .create(
            merchant(),
            START - DAY,
            Some(MerchantStatus::Verified),
            terms(),
            30 * UNIT,
        )
        .unwrap();
    assert_eq!(id, 0);
    assert_eq!(data.task_count(), 1);
    let task = data.task(0).unwrap();
    assert_eq!(task.merchant, merchant());
    assert_eq!(
        (task.escrow, task.pool, task.paid, task.refunded),
        (30 * UNIT, 30 * UNIT, 0, 0)
    );
    assert_eq!(task.terms, terms());
    assert_eq!(
        events,
        vec![TaskEvent::TaskCreated(TaskCreated {
            id: 0,
            merchant: merchant(),
            terms: terms(),
            escrow: 30 * UNIT,
            at: START - DAY,
        })]
    );
    let (second, _) = data
        .create(
            merchant(),
            START - DAY,
            Some(MerchantStatus::Verified),
            terms(),
            30 * UNIT,
        )
        .unwrap();
    assert_eq!(second, 1);
}

#[ink::test]
fn create_requires_a_verified_merchant() {
    for status in [
        None,
        Some(MerchantStatus::Pending),
        Some(MerchantStatus::Suspended),
        Some(MerchantStatus::Removed),
    ] {
        let mut data = TasksData::default();
        assert_eq!(
            data.create(merchant(), START - DAY, status, terms(), 30 * UNIT),
            Err(TasksError::MerchantNotVerified)
        );
        assert_eq!(data.task_count(), 0);
    }
}

#[ink::test]
fn create_rejects_bad_names() {
    let mut t = terms();
    t.name = String::new();
    assert_eq!(create_err(t, 30 * UNIT), TasksError::InvalidName);
    let mut t = terms();
    t.name = "x".repeat(MAX_NAME_LEN + 1);
    assert_eq!(create_err(t, 30 * UNIT), TasksError::InvalidName);
    let mut t = terms();
    t.name = "x".repeat(MAX_NAME_LEN);
    created(t, 30 * UNIT);
}

#[ink::test]
fn create_rejects_bad_rules() {
    let purchases = |merchants: Vec<AccountId>, min_count, distinct| {
        Rule::Purchases(PurchaseRule {
            merchants,
            min_count,
            min_amount: 0,
            distinct_merchants: distinct,
        })
    };
    let bad: Vec<Vec<Rule>> = vec![
        vec![],
        vec![buy_here(); MAX_RULES + 1],
        vec![purchases(
            (0..=MAX_MERCHANTS as u8).map(shop).collect(),
            1,
            0,
        )],
        vec![purchases(vec![], 0, 0)],
        vec![purchases(vec![shop(1), shop(2)], 1, 2)],
        vec![purchases(vec![shop(1), shop(2)], 3, 3)],
        vec![purchases(vec![], 2, 2)],
        vec![purchases(vec![], MAX_RECEIPTS as u32 + 1, 0)],
        vec![Rule::Referrals { count: 0 }],
        vec![Rule::Referrals {
            count: MAX_RECEIPTS as u32 + 1,
        }],
        vec![purchases(vec![], 20, 0), Rule::Referrals { count: 13 }],
    ];
    for rules in bad {
        let mut t = terms();
        t.rules = rules.clone();
        assert_eq!(
            create_err(t, 30 * UNIT),
            TasksError::InvalidRules,
            "{rules:?}"
        );
    }
    // The same counts are fine when any one rule suffices.
    let mut t = terms();
    t.mode = RuleMode::Any;
    t.rules = vec![purchases(vec![], 20, 0), Rule::Referrals { count: 13 }];
    created(t, 30 * UNIT);
    let mut t = terms();
    t.rules = vec![buy_here(); MAX_RULES];
    created(t, 30 * UNIT);
}

#[ink::test]
fn create_rejects_bad_windows() {
    let cases = [
        (END, END, 0),
        (END, START, 0),
        (START - 3 * DAY, START - DAY, 0),
        (START, START + MAX_DURATION_MS + 1, 0),
        (START, END, MAX_CLAIM_MS + 1),
    ];
    for (start, end, claim_ms) in cases {
        let mut t = terms();
        (t.start, t.end, t.claim_ms) = (start, end, claim_ms);
        assert_eq!(
            create_err(t, 30 * UNIT),
            TasksError::InvalidWindow,
            "{start} {end} {claim_ms}"
        );
    }
    // A start in the past, the longest window and claim period are fine.
    let mut t = terms();
    (t.start, t.end, t.claim_ms) = (
        START - 5 * DAY,
        START - 5 * DAY + MAX_DURATION_MS,
        MAX_CLAIM_MS,
    );
    created(t, 30 * UNIT);
}

#[ink::test]
fn create_rejects_bad_rewards() {
    let with = |reward, max| {
        let mut t = terms();
        t.reward = reward;
        t.max_completions = max;
        t
    };
    let cases = [
        (with(Reward::Fixed(10 * UNIT), 0), 0),
        (with(Reward::Fixed(10 * UNIT), 3), 0),
        (with(Reward::Fixed(0), 3), 0),
        (with(Reward::Fixed(10 * UNIT), 3), 29 * UNIT),
        (with(Reward::Fixed(10 * UNIT), 3), 31 * UNIT),
        (with(Reward::Fixed(Balance::MAX), 3), Balance::MAX),
        (with(Reward::Multiple(0), 3), 30 * UNIT),
        (with(Reward::Multiple(PPM), 3), 0),
        (with(Reward::Group, 5), 4),
    ];
    for (t, escrow) in cases {
        let reward = t.reward;
        assert_eq!(
            create_err(t, escrow),
            TasksError::InvalidReward,
            "{reward:?} {escrow}"
        );
    }
    created(with(Reward::Group, 5), 5);
    created(with(Reward::Multiple(PPM), 3), 1);
}

#[ink::test]
fn create_rejects_bad_eligibility() {
    for n in [0, MAX_RECEIPTS as u32 + 1] {
        let mut t = terms();
        t.eligibility = Eligibility::MinPurchases(n);
        assert_eq!(create_err(t, 30 * UNIT), TasksError::InvalidEligibility);
    }
}

// ---------------------------------------------------------------- join

#[ink::test]
fn join_records_the_participant_and_its_deposit() {
    let (mut data, id) = created(terms(), 30 * UNIT);
    let events = data
        .join(customer(), START - DAY, id, active(0), &[])
        .unwrap();
    assert_eq!(
        events,
        vec![TaskEvent::TaskJoined(TaskJoined {
            id,
            customer: customer(),
            stake: UNIT,
            at: START - DAY,
        })]
    );
    let p = data.participant(id, customer()).unwrap();
    assert_eq!(p.status, ParticipantStatus::Joined);
    assert_eq!(
        (p.stake, p.joined_at, p.attested, p.reward),
        (UNIT, START - DAY, 0, 0)
    );
    let task = data.task(id).unwrap();
    assert_eq!((task.participants, task.stakes), (1, UNIT));
}

#[ink::test]
fn join_errors_change_nothing() {
    let mut t = terms();
    t.max_completions = 1;
    let (mut data, id) = joined(t, 10 * UNIT, &[customer()]);
    let who = [customer(), friend()];
    let err = unchanged(&mut data, id, &who, &[], |d| {
        d.join(friend(), START, 9, None, &[])
    });
    assert_eq!(err, TasksError::TaskNotFound);
    let err = unchanged(&mut data, id, &who, &[], |d| {
        d.join(friend(), END, id, None, &[])
    });
    assert_eq!(err, TasksError::TaskClosed);
    let err = unchanged(&mut data, id, &who, &[], |d| {
        d.join(customer(), START, id, None, &[])
    });
    assert_eq!(err, TasksError::AlreadyJoined);
    for status in [CustomerStatus::Suspended, CustomerStatus::Removed] {
        let record = Some(Customer {
            referrer: None,
            status,
            registered_at: 0,
        });
        let err = unchanged(&mut data, id, &who, &[], |d| {
            d.join(friend(), START, id, record, &[])
        });
        assert_eq!(err, TasksError::NotEligible);
    }
    // once the only completion is taken, nobody else may join
    let r = receipt(merchant(), customer(), 1_000, 0, START);
    data.claim(customer(), START + DAY, id, &[own(1, r)])
        .unwrap();
    let err = unchanged(&mut data, id, &who, &[], |d| {
        d.join(friend(), START + DAY, id, None, &[])
    });
    assert_eq!(err, TasksError::TaskFull);
}

#[ink::test]
fn new_customers_only_admits_customers_unknown_before_the_start() {
    let mut t = terms();
    t.eligibility = Eligibility::NewCustomers;
    let (mut data, id) = created(t, 30 * UNIT);
    data.join(acc(20), START, id, None, &[]).unwrap();
    data.join(acc(21), START + DAY, id, active(START), &[])
        .unwrap();
    let err = unchanged(&mut data, id, &[acc(22)], &[], |d| {
        d.join(acc(22), START + DAY, id, active(START - 1), &[])
    });
    assert_eq!(err, TasksError::NotEligible);
}

#[ink::test]
fn min_purchases_needs_settled_receipts_at_the_merchant() {
    let mut t = terms();
    t.eligibility = Eligibility::MinPurchases(2);
    let (mut data, id) = created(t, 30 * UNIT);
    let now = START;
    let past = |n| receipt(merchant(), customer(), 500, 0, START - 10 * DAY + n);
    let who = [customer()];
    let check = |data: &mut TasksData, proof: Vec<Evidence>, expected| {
        let err = unchanged(data, id, &who, &[], |d| {
            d.join(customer(), now, id, None, &proof)
        });
        assert_eq!(err, expected, "{proof:?}");
    };
    check(&mut data, vec![own(1, past(0))], TasksError::NotEligible);
    check(
        &mut data,
        vec![own(1, past(0)), own(1, past(0))],
        TasksError::ReceiptAlreadyUsed,
    );
    check(
        &mut data,
        vec![
            own(1, past(0)),
            own(2, receipt(shop(1), customer(), 500, 0, START - DAY)),
        ],
        TasksError::ReceiptNotQualifying,
    );
    check(
        &mut data,
        vec![
            own(1, past(0)),
            own(2, receipt(merchant(), friend(), 500, 0, START - DAY)),
        ],
        TasksError::NotYourReceipt,
    );
    let fresh = receipt(merchant(), customer(), 500, 0, now - 1);
    check(
        &mut data,
        vec![own(1, past(0)), own(2, fresh)],
        TasksError::ReceiptNotMatured,
    );
    let mut flagged = past(1);
    flagged.status = ReceiptStatus::Flagged;
    check(
        &mut data,
        vec![own(1, past(0)), own(2, flagged)],
        TasksError::ReceiptFlagged,
    );
    let mut refunded = past(1);
    refunded.status = ReceiptStatus::Refunded;
    check(
        &mut data,
        vec![own(1, past(0)), own(2, refunded)],
        TasksError::ReceiptNotConfirmed,
    );
    let missing = Evidence {
        id: 2,
        receipt: None,
        referrer: None,
    };
    check(
        &mut data,
        vec![own(1, past(0)), missing],
        TasksError::ReceiptNotFound,
    );
    let many: Vec<_> = (0..=MAX_RECEIPTS as u64).map(|i| own(i, past(i))).collect();
    check(&mut data, many, TasksError::TooManyReceipts);
    data.join(
        customer(),
        now,
        id,
        None,
        &[own(1, past(0)), own(2, past(1))],
    )
    .unwrap();
    assert!(data.participant(id, customer()).is_some());
}

// ---------------------------------------------------------------- attest

#[ink::test]
fn attestation_completes_an_attested_rule() {
    let share = Hash::from([5; 32]);
    let mut t = terms();
    t.rules = vec![buy_here(), Rule::Attested { action: share }];
    let (mut data, id) = joined(t, 30 * UNIT, &[customer()]);
    let r = receipt(merchant(), customer(), 1_000, 0, START);
    // the purchase alone does not meet an `All` task
    let err = unchanged(&mut data, id, &[customer()], &[1], |d| {
        d.claim(customer(), START + DAY, id, &[own(1, r)])
    });
    assert_eq!(err, TasksError::RulesNotMet);
    let events = data.attest(merchant(), START, id, customer(), 1).unwrap();
    assert_eq!(
        events,
        vec![TaskEvent::ActionAttested(ActionAttested {
            id,
            customer: customer(),
            rule: 1,
        })]
    );
    assert_eq!(data.participant(id, customer()).unwrap().attested, 0b10);
    data.claim(customer(), START + DAY, id, &[own(1, r)])
        .unwrap();
}

#[ink::test]
fn attest_errors_change_nothing() {
    let mut t = terms();
    t.mode = RuleMode::Any;
    t.rules = vec![
        buy_here(),
        Rule::Attested {
            action: Hash::from([5; 32]),
        },
    ];
    let (mut data, id) = joined(t, 30 * UNIT, &[customer(), friend()]);
    let who = [customer(), friend(), acc(30)];
    let cases: [(AccountId, Timestamp, TaskId, AccountId, u8, TasksError); 6] = [
        (
            merchant(),
            START,
            9,
            customer(),
            1,
            TasksError::TaskNotFound,
        ),
        (
            customer(),
            START,
            id,
            customer(),
            1,
            TasksError::Unauthorized,
        ),
        (merchant(), CLOSE, id, customer(), 1, TasksError::TaskClosed),
        (
            merchant(),
            START,
            id,
            customer(),
            0,
            TasksError::NotAttestable,
        ),
        (
            merchant(),
            START,
            id,
            customer(),
            2,
            TasksError::NotAttestable,
        ),
        (merchant(), START, id, acc(30), 1, TasksError::NotJoined),
    ];
    for (caller, now, task, whom, rule, expected) in cases {
        let err = unchanged(&mut data, id, &who, &[], |d| {
            d.attest(caller, now, task, whom, rule)
        });
        assert_eq!(err, expected);
    }
    // still attestable at the last instant of the claim period
    data.attest(merchant(), CLOSE - 1, id, customer(), 1)
        .unwrap();
    data.claim(customer(), START, id, &[]).unwrap();
    let err = unchanged(&mut data, id, &who, &[], |d| {
        d.attest(merchant(), START, id, customer(), 1)
    });
    assert_eq!(err, TasksError::AlreadyCompleted);
    data.penalize(merchant(), START, id, friend(), Hash::from([1; 32]))
        .unwrap();
    let err = unchanged(&mut data, id, &who, &[], |d| {
        d.attest(merchant(), START, id, friend(), 1)
    });
    assert_eq!(err, TasksError::Penalized);
}

// ---------------------------------------------------------------- claim

#[ink::test]
fn a_fixed_reward_is_paid_with_the_deposit_and_uses_the_receipts() {
    let (mut data, id) = joined(terms(), 30 * UNIT, &[customer()]);
    let r = receipt(merchant(), customer(), 1_500, 7 * UNIT, START + DAY);
    let events = data
        .claim(customer(), START + 2 * DAY, id, &[own(41, r)])
        .unwrap();
    assert_eq!(
        events,
        vec![TaskEvent::TaskCompleted(TaskCompleted {
            id,
            customer: customer(),
            receipts: vec![41],
            qualifying_time: 7 * UNIT,
            reward: 10 * UNIT,
            stake_returned: UNIT,
            completions: 1,
        })]
    );
    assert_eq!(
        events[0].movement(ledger()),
        Some(Movement::Out {
            to: customer(),
            amount: 11 * UNIT
        })
    );
    let task = data.task(id).unwrap();
    assert_eq!(
        (task.pool, task.paid, task.stakes, task.completions),
        (20 * UNIT, 10 * UNIT, 0, 1)
    );
    conserved(&task);
    let p = data.participant(id, customer()).unwrap();
    assert_eq!(
        (p.status, p.stake, p.reward),
        (ParticipantStatus::Completed, 0, 10 * UNIT)
    );
    assert_eq!(data.used_by(id, 41), Some(customer()));
    assert_eq!(data.used_by(id, 42), None);
}

#[ink::test]
fn claim_errors_of_the_task_and_participant_change_nothing() {
    let mut t = terms();
    t.max_completions = 1;
    let (mut data, id) = joined(t, 10 * UNIT, &[customer(), friend(), acc(40)]);
    let r = |who| receipt(merchant(), who, 1_000, 0, START);
    let who = [customer(), friend(), acc(30), acc(40)];
    let cases = [
        (customer(), START + DAY, 9, TasksError::TaskNotFound),
        (customer(), START - 1, id, TasksError::NotStarted),
        (customer(), CLOSE, id, TasksError::TaskClosed),
        (acc(30), START + DAY, id, TasksError::NotJoined),
    ];
    for (caller, now, task, expected) in cases {
        let err = unchanged(&mut data, id, &who, &[1], |d| {
            d.claim(caller, now, task, &[own(1, r(caller))])
        });
        assert_eq!(err, expected);
    }
    data.penalize(merchant(), START, id, acc(40), Hash::from([1; 32]))
        .unwrap();
    let err = unchanged(&mut data, id, &who, &[4], |d| {
        d.claim(acc(40), START + DAY, id, &[own(4, r(acc(40)))])
    });
    assert_eq!(err, TasksError::Penalized);
    // the last instant of the claim period still counts
    data.claim(customer(), CLOSE - 1, id, &[own(1, r(customer()))])
        .unwrap();
    let err = unchanged(&mut data, id, &who, &[2], |d| {
        d.claim(customer(), START + DAY, id, &[own(2, r(customer()))])
    });
    assert_eq!(err, TasksError::AlreadyCompleted);
    let err = unchanged(&mut data, id, &who, &[3], |d| {
        d.claim(friend(), START + DAY, id, &[own(3, r(friend()))])
    });
    assert_eq!(err, TasksError::TaskFull);
}

#[ink::test]
fn every_bad_receipt_is_rejected_and_changes_nothing() {
    let mut t = terms();
    t.mode = RuleMode::Any;
    t.rules = vec![buy_here(), Rule::Referrals { count: 1 }];
    let (mut data, id) = joined(t, 30 * UNIT, &[customer(), friend()]);
    let now = START + 3 * DAY;
    let good = receipt(merchant(), customer(), 1_000, 0, START);
    // the friend (referred by the customer) has used receipt 7 already
    let friends = receipt(merchant(), friend(), 1_000, 0, START);
    data.claim(friend(), now, id, &[own(7, friends)]).unwrap();
    let with_status = |status| {
        let mut r = good;
        r.status = status;
        r
    };
    let at = |completed_at: Timestamp| {
        let mut r = good;
        r.completed_at = completed_at;
        r
    };
    let stranger = receipt(merchant(), acc(50), 1_000, 0, START);
    let cases: Vec<(Vec<Evidence>, TasksError)> = vec![
        (
            vec![Evidence {
                id: 1,
                receipt: None,
                referrer: None,
            }],
            TasksError::ReceiptNotFound,
        ),
        (vec![own(1, stranger)], TasksError::NotYourReceipt),
        (
            vec![referred(1, stranger, acc(60))],
            TasksError::NotYourReceipt,
        ),
        (
            vec![referred(7, friends, customer())],
            TasksError::ReceiptAlreadyUsed,
        ),
        (
            vec![own(1, good), own(1, good)],
            TasksError::ReceiptAlreadyUsed,
        ),
        (
            vec![own(1, with_status(ReceiptStatus::Open))],
            TasksError::ReceiptNotConfirmed,
        ),
        (
            vec![own(1, with_status(ReceiptStatus::Cancelled))],
            TasksError::ReceiptNotConfirmed,
        ),
        (
            vec![own(1, with_status(ReceiptStatus::Refunded))],
            TasksError::ReceiptNotConfirmed,
        ),
        (
            vec![own(1, with_status(ReceiptStatus::Flagged))],
            TasksError::ReceiptFlagged,
        ),
        (
            vec![own(1, at(START - 1))],
            TasksError::ReceiptOutsideWindow,
        ),
        (vec![own(1, at(END))], TasksError::ReceiptOutsideWindow),
        (
            vec![own(1, receipt(shop(1), customer(), 1_000, 0, START))],
            TasksError::ReceiptNotQualifying,
        ),
        (
            vec![own(1, receipt(merchant(), customer(), 999, 0, START))],
            TasksError::ReceiptNotQualifying,
        ),
        (
            vec![referred(
                1,
                receipt(shop(1), acc(50), 1_000, 0, START),
                customer(),
            )],
            TasksError::ReceiptNotQualifying,
        ),
        (
            (0..=MAX_RECEIPTS as u64)
                .map(|i| own(i + 100, good))
                .collect(),
            TasksError::TooManyReceipts,
        ),
    ];
    let who = [customer(), friend()];
    for (evidence, expected) in cases {
        let ids: Vec<_> = evidence.iter().map(|e| e.id).collect();
        let err = unchanged(&mut data, id, &who, &ids, |d| {
            d.claim(customer(), now, id, &evidence)
        });
        assert_eq!(err, expected, "{evidence:?}");
    }
    // not matured: the challenge window of a receipt from yesterday is open
    let fresh = receipt(merchant(), customer(), 1_000, 0, now - DAY + 1);
    let err = unchanged(&mut data, id, &who, &[1], |d| {
        d.claim(customer(), now, id, &[own(1, fresh)])
    });
    assert_eq!(err, TasksError::ReceiptNotMatured);
    // without a referral rule, a referred customer's receipt counts for nothing
    let (mut plain, plain_id) = joined(terms(), 30 * UNIT, &[customer()]);
    let err = unchanged(&mut plain, plain_id, &who, &[1], |d| {
        d.claim(
            customer(),
            now,
            plain_id,
            &[referred(1, stranger, customer())],
        )
    });
    assert_eq!(err, TasksError::ReceiptNotQualifying);
}

#[ink::test]
fn rules_combine_with_any_and_all() {
    let at_two_shops = Rule::Purchases(PurchaseRule {
        merchants: vec![shop(1), shop(2), shop(3)],
        min_count: 3,
        min_amount: 0,
        distinct_merchants: 2,
    });
    let share = Rule::Attested {
        action: Hash::from([5; 32]),
    };
    let buy = |i, at| receipt(shop(i), customer(), 100, 0, at);
    for mode in [RuleMode::Any, RuleMode::All] {
        let mut t = terms();
        t.mode = mode;
        t.rules = vec![at_two_shops.clone(), share.clone()];
        let (mut data, id) = joined(t, 30 * UNIT, &[customer()]);
        let now = END;
        // three purchases at one shop: too few distinct merchants
        let same = [
            own(1, buy(1, START)),
            own(2, buy(1, START + 1)),
            own(3, buy(1, START + 2)),
        ];
        let err = unchanged(&mut data, id, &[customer()], &[1, 2, 3], |d| {
            d.claim(customer(), now, id, &same)
        });
        assert_eq!(err, TasksError::RulesNotMet);
        // two shops but only two purchases
        let two = [own(1, buy(1, START)), own(2, buy(2, START))];
        let err = unchanged(&mut data, id, &[customer()], &[1, 2], |d| {
            d.claim(customer(), now, id, &two)
        });
        assert_eq!(err, TasksError::RulesNotMet);
        let good = [
            own(1, buy(1, START)),
            own(2, buy(1, START + 1)),
            own(3, buy(2, START)),
        ];
        let result = data.claim(customer(), now, id, &good);
        match mode {
            RuleMode::Any => assert!(result.is_ok()),
            RuleMode::All => {
                assert_eq!(result, Err(TasksError::RulesNotMet));
                data.attest(merchant(), now, id, customer(), 1).unwrap();
                data.claim(customer(), now, id, &good).unwrap();
            }
        }
        assert_eq!(data.task(id).unwrap().completions, 1);
    }
}

#[ink::test]
fn seven_different_merchants_double_the_time_earned() {
    let shops: Vec<AccountId> = (1..=7).map(shop).collect();
    let mut t = terms();
    t.rules = vec![Rule::Purchases(PurchaseRule {
        merchants: shops.clone(),
        min_count: 7,
        min_amount: 0,
        distinct_merchants: 7,
    })];
    t.reward = Reward::Multiple(PPM);
    t.penalty = 0;
    let (mut data, id) = joined(t, 1_000 * UNIT, &[customer()]);
    let receipts: Vec<Evidence> = (1..=7u8)
        .map(|i| {
            let time = u128::from(i) * UNIT;
            own(
                u64::from(i),
                receipt(shop(i), customer(), 2_000, time, START + u64::from(i)),
            )
        })
        .collect();
    let earned: Balance = (1..=7).map(|i| i * UNIT).sum();
    // six shops (one of them twice) are not enough
    let mut six = receipts[..6].to_vec();
    six.push(own(8, receipt(shop(1), customer(), 2_000, UNIT, START)));
    let err = unchanged(&mut data, id, &[customer()], &[1, 8], |d| {
        d.claim(customer(), END, id, &six)
    });
    assert_eq!(err, TasksError::RulesNotMet);
    let events = data.claim(customer(), END, id, &receipts).unwrap();
    let TaskEvent::TaskCompleted(done) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(done.qualifying_time, earned);
    assert_eq!(done.reward, earned, "100 % extra: the cashback doubles");
    let task = data.task(id).unwrap();
    assert_eq!(task.pool, 1_000 * UNIT - earned);
    conserved(&task);
}

#[ink::test]
fn a_multiple_reward_is_capped_by_the_pool_then_exhausted() {
    let mut t = terms();
    t.reward = Reward::Multiple(500_000);
    t.penalty = 0;
    let (mut data, id) = joined(t, 3 * UNIT, &[customer(), friend(), acc(30)]);
    let r = |who, time| receipt(merchant(), who, 1_000, time, START);
    // half of 4 Time
    assert_eq!(
        data.claim(customer(), END, id, &[own(1, r(customer(), 4 * UNIT))])
            .unwrap()[0]
            .movement(ledger()),
        Some(Movement::Out {
            to: customer(),
            amount: 2 * UNIT
        })
    );
    // half of 10 Time, but only 1 Time left
    let events = data
        .claim(friend(), END, id, &[own(2, r(friend(), 10 * UNIT))])
        .unwrap();
    let TaskEvent::TaskCompleted(done) = &events[0] else {
        panic!()
    };
    assert_eq!(done.reward, UNIT);
    let err = unchanged(&mut data, id, &[acc(30)], &[3], |d| {
        d.claim(acc(30), END, id, &[own(3, r(acc(30), UNIT))])
    });
    assert_eq!(err, TasksError::PoolExhausted);
    conserved(&data.task(id).unwrap());
}

#[ink::test]
fn referrals_count_distinct_referred_customers_at_the_merchant() {
    let mut t = terms();
    t.rules = vec![Rule::Referrals { count: 2 }];
    let (mut data, id) = joined(t, 30 * UNIT, &[customer()]);
    let bought = |who| receipt(merchant(), who, 100, 0, START);
    // two receipts of the same referred customer are one referral
    let one = [
        referred(1, bought(acc(50)), customer()),
        referred(2, bought(acc(50)), customer()),
    ];
    let err = unchanged(&mut data, id, &[customer()], &[1, 2], |d| {
        d.claim(customer(), END, id, &one)
    });
    assert_eq!(err, TasksError::RulesNotMet);
    let two = [
        referred(1, bought(acc(50)), customer()),
        referred(3, bought(acc(51)), customer()),
    ];
    let events = data.claim(customer(), END, id, &two).unwrap();
    let TaskEvent::TaskCompleted(done) = &events[0] else {
        panic!()
    };
    // the referred customers' cashback is theirs, not the claimant's
    assert_eq!((done.qualifying_time, done.reward), (0, 10 * UNIT));
    assert_eq!(data.used_by(id, 3), Some(customer()));
}

#[ink::test]
fn a_group_pool_is_split_once_k_complete() {
    let mut t = terms();
    t.reward = Reward::Group;
    t.max_completions = 3;
    let (mut data, id) = joined(t, 100, &[acc(20), acc(21), acc(22)]);
    let claim = |d: &mut TasksData, who: u8| {
        d.claim(
            acc(who),
            END,
            id,
            &[own(
                u64::from(who),
                receipt(merchant(), acc(who), 1_000, 0, START),
            )],
        )
    };
    let first = claim(&mut data, 20).unwrap();
    let TaskEvent::TaskCompleted(done) = &first[0] else {
        panic!()
    };
    assert_eq!((done.reward, done.stake_returned), (0, UNIT));
    assert_eq!(data.collect(acc(20), id), Err(TasksError::NothingToPay));
    claim(&mut data, 21).unwrap();
    let third = claim(&mut data, 22).unwrap();
    assert_eq!(third.len(), 2);
    assert_eq!(
        third[1],
        TaskEvent::GroupGoalReached(GroupGoalReached {
            id,
            share: 33,
            completers: 3
        })
    );
    let TaskEvent::TaskCompleted(done) = &third[0] else {
        panic!()
    };
    assert_eq!(done.reward, 33);
    let task = data.task(id).unwrap();
    assert_eq!(
        (task.pool, task.reserved, task.paid, task.group_share),
        (1, 66, 33, 33)
    );
    conserved(&task);
    // the others collect; nobody collects twice; the dust is refunded
    assert_eq!(
        data.collect(acc(20), id).unwrap(),
        vec![TaskEvent::GroupShareCollected(GroupShareCollected {
            id,
            customer: acc(20),
            amount: 33
        })]
    );
    assert_eq!(data.collect(acc(20), id), Err(TasksError::NothingToPay));
    assert_eq!(data.collect(acc(22), id), Err(TasksError::NothingToPay));
    assert_eq!(data.collect(acc(30), id), Err(TasksError::NotJoined));
    assert_eq!(data.collect(acc(20), 9), Err(TasksError::TaskNotFound));
    data.collect(acc(21), id).unwrap();
    data.refund(CLOSE, id).unwrap();
    let task = data.task(id).unwrap();
    assert_eq!(
        (task.pool, task.reserved, task.paid, task.refunded),
        (0, 0, 99, 1)
    );
    conserved(&task);
}

#[ink::test]
fn a_group_goal_missed_returns_the_whole_pool() {
    let mut t = terms();
    t.reward = Reward::Group;
    t.max_completions = 3;
    let (mut data, id) = joined(t, 100, &[acc(20), acc(21)]);
    data.claim(
        acc(20),
        END,
        id,
        &[own(1, receipt(merchant(), acc(20), 1_000, 0, START))],
    )
    .unwrap();
    assert_eq!(data.collect(acc(20), id), Err(TasksError::NothingToPay));
    assert_eq!(data.collect(acc(21), id), Err(TasksError::NothingToPay));
    let events = data.refund(CLOSE, id).unwrap();
    assert_eq!(
        events,
        vec![TaskEvent::TaskRefunded(TaskRefunded {
            id,
            merchant: merchant(),
            amount: 100
        })]
    );
}

// ---------------------------------------------------------------- penalty

#[ink::test]
fn a_violation_forfeits_the_deposit_to_the_reward_pool_not_the_merchant() {
    let (mut data, id) = joined(terms(), 30 * UNIT, &[customer(), friend(), acc(30)]);
    let evidence = Hash::from([3; 32]);
    let who = [customer(), friend(), acc(30), acc(31)];
    let cases = [
        (merchant(), START, 9, customer(), TasksError::TaskNotFound),
        (friend(), START, id, customer(), TasksError::Unauthorized),
        (merchant(), CLOSE, id, customer(), TasksError::TaskClosed),
        (merchant(), START, id, acc(31), TasksError::NotJoined),
    ];
    for (caller, now, task, whom, expected) in cases {
        let err = unchanged(&mut data, id, &who, &[], |d| {
            d.penalize(caller, now, task, whom, evidence)
        });
        assert_eq!(err, expected);
    }
    let events = data
        .penalize(merchant(), CLOSE - 1, id, customer(), evidence)
        .unwrap();
    assert_eq!(
        events,
        vec![TaskEvent::ParticipantPenalized(ParticipantPenalized {
            id,
            customer: customer(),
            evidence,
            forfeited: UNIT
        })]
    );
    let task = data.task(id).unwrap();
    assert_eq!(
        events[0].movement(ledger()),
        Some(Movement::Out {
            to: ledger(),
            amount: UNIT
        })
    );
    assert_eq!(task.stakes, 2 * UNIT);
    assert_eq!(
        data.participant(id, customer()).unwrap().status,
        ParticipantStatus::Penalized
    );
    let err = unchanged(&mut data, id, &who, &[], |d| {
        d.penalize(merchant(), START, id, customer(), evidence)
    });
    assert_eq!(err, TasksError::Penalized);
    data.claim(
        friend(),
        START + DAY,
        id,
        &[own(1, receipt(merchant(), friend(), 1_000, 0, START))],
    )
    .unwrap();
    let err = unchanged(&mut data, id, &who, &[], |d| {
        d.penalize(merchant(), START, id, friend(), evidence)
    });
    assert_eq!(err, TasksError::AlreadyCompleted);
    // a penalized customer cannot take its deposit back; the honest one can
    assert_eq!(
        data.withdraw_stake(customer(), CLOSE, id),
        Err(TasksError::Penalized)
    );
    data.withdraw_stake(acc(30), CLOSE, id).unwrap();
}

// ---------------------------------------------------------------- deposit and refund

#[ink::test]
fn deposits_come_back_after_the_claim_period() {
    let (mut data, id) = joined(terms(), 30 * UNIT, &[customer(), friend()]);
    data.claim(
        friend(),
        START + DAY,
        id,
        &[own(1, receipt(merchant(), friend(), 1_000, 0, START))],
    )
    .unwrap();
    let who = [customer(), friend(), acc(30)];
    let cases = [
        (customer(), CLOSE - 1, id, TasksError::TaskNotClosed),
        (customer(), CLOSE, 9, TasksError::TaskNotFound),
        (acc(30), CLOSE, id, TasksError::NotJoined),
        (friend(), CLOSE, id, TasksError::NothingToPay),
    ];
    for (caller, now, task, expected) in cases {
        let err = unchanged(&mut data, id, &who, &[], |d| {
            d.withdraw_stake(caller, now, task)
        });
        assert_eq!(err, expected);
    }
    let events = data.withdraw_stake(customer(), CLOSE, id).unwrap();
    assert_eq!(
        events,
        vec![TaskEvent::StakeWithdrawn(StakeWithdrawn {
            id,
            customer: customer(),
            amount: UNIT
        })]
    );
    assert_eq!(data.task(id).unwrap().stakes, 0);
    assert_eq!(
        data.withdraw_stake(customer(), CLOSE, id),
        Err(TasksError::NothingToPay)
    );
}

#[ink::test]
fn the_unspent_pool_returns_once_after_the_claim_period() {
    let (mut data, id) = joined(terms(), 30 * UNIT, &[customer()]);
    data.claim(
        customer(),
        START + DAY,
        id,
        &[own(1, receipt(merchant(), customer(), 1_000, 0, START))],
    )
    .unwrap();
    let err = unchanged(&mut data, id, &[], &[], |d| d.refund(CLOSE - 1, id));
    assert_eq!(err, TasksError::TaskNotClosed);
    assert_eq!(data.refund(CLOSE, 9), Err(TasksError::TaskNotFound));
    let events = data.refund(CLOSE, id).unwrap();
    assert_eq!(
        events[0].movement(ledger()),
        Some(Movement::Out {
            to: merchant(),
            amount: 20 * UNIT
        })
    );
    let task = data.task(id).unwrap();
    assert_eq!(
        (task.pool, task.paid, task.refunded),
        (0, 10 * UNIT, 20 * UNIT)
    );
    conserved(&task);
    let err = unchanged(&mut data, id, &[], &[], |d| d.refund(CLOSE, id));
    assert_eq!(err, TasksError::NothingToPay);
    // and nothing can be claimed any more
    let err = unchanged(&mut data, id, &[], &[], |d| {
        d.claim(customer(), CLOSE, id, &[])
    });
    assert_eq!(err, TasksError::TaskClosed);
}

#[ink::test]
fn events_map_to_their_time_movements() {
    let created = TaskEvent::TaskCreated(TaskCreated {
        id: 0,
        merchant: merchant(),
        terms: terms(),
        escrow: 5,
        at: 0,
    });
    assert_eq!(
        created.movement(ledger()),
        Some(Movement::In {
            from: merchant(),
            amount: 5
        })
    );
    let free_join = TaskEvent::TaskJoined(TaskJoined {
        id: 0,
        customer: customer(),
        stake: 0,
        at: 0,
    });
    assert_eq!(free_join.movement(ledger()), None);
    let join = TaskEvent::TaskJoined(TaskJoined {
        id: 0,
        customer: customer(),
        stake: 2,
        at: 0,
    });
    assert_eq!(
        join.movement(ledger()),
        Some(Movement::In {
            from: customer(),
            amount: 2
        })
    );
    let goal = TaskEvent::GroupGoalReached(GroupGoalReached {
        id: 0,
        share: 1,
        completers: 1,
    });
    assert_eq!(goal.movement(ledger()), None);
    let collected = TaskEvent::GroupShareCollected(GroupShareCollected {
        id: 0,
        customer: friend(),
        amount: 3,
    });
    assert_eq!(
        collected.movement(ledger()),
        Some(Movement::Out {
            to: friend(),
            amount: 3
        })
    );
}

// ---------------------------------------------------------------- messages

#[ink::test]
fn the_contract_starts_empty_and_rejects_unknown_tasks() {
    use crate::tasks::Tasks;
    let mut contract = Tasks::new(acc(70), acc(71), acc(72));
    assert_eq!(contract.config(), (acc(70), acc(71), acc(72)));
    assert_eq!(contract.task_count(), 0);
    assert_eq!(contract.task(0), None);
    assert_eq!(contract.participant(0, customer()), None);
    assert_eq!(contract.receipt_used_by(0, 1), None);
    test::set_caller::<Env>(customer());
    // each of these fails before any cross-contract call
    assert_eq!(contract.join(0, Vec::new()), Err(TasksError::TaskNotFound));
    assert_eq!(contract.claim(0, vec![1]), Err(TasksError::TaskNotFound));
    assert_eq!(
        contract.attest(0, friend(), 0),
        Err(TasksError::TaskNotFound)
    );
    assert_eq!(contract.collect(0), Err(TasksError::TaskNotFound));
    assert_eq!(
        contract.penalize(0, friend(), Hash::from([0; 32])),
        Err(TasksError::TaskNotFound)
    );
    assert_eq!(contract.withdraw_stake(0), Err(TasksError::TaskNotFound));
    assert_eq!(contract.refund(0), Err(TasksError::TaskNotFound));
    assert_eq!(test::recorded_events().count(), 0);
}

// ---------------------------------------------------------------- money

mod money {
    use super::*;
    use proptest::prelude::*;

    const PEOPLE: u8 = 4;
    /// Receipts per person: person p owns ids `p·RECEIPTS ..`.
    const RECEIPTS: u8 = 4;

    /// Person p was referred by person p + 1 (mod PEOPLE).
    fn referrer_of(p: u8) -> u8 {
        (p + 1) % PEOPLE
    }

    #[derive(Debug, Clone)]
    enum Op {
        /// Create a task of reward kind `kind` (0 fixed, 1 multiple, 2 group)
        /// with `max` completions and a deposit.
        Create {
            kind: u8,
            max: u32,
            amount: Balance,
            penalty: Balance,
        },
        Join {
            who: u8,
            task: u8,
        },
        /// Claim with receipts `(own, k)`: the claimant's k-th receipt, or
        /// the k-th of the customer it referred (their Time is `time` each).
        Claim {
            who: u8,
            task: u8,
            ids: Vec<(bool, u8)>,
            time: Balance,
        },
        Penalize {
            who: u8,
            task: u8,
        },
        Collect {
            who: u8,
            task: u8,
        },
        Withdraw {
            who: u8,
            task: u8,
        },
        Refund {
            task: u8,
        },
        /// Move the clock forward.
        Wait(u64),
    }

    fn create() -> impl Strategy<Value = Op> {
        (0..3u8, 1..4u32, 1..1_000u128, 0..3u128).prop_map(|(kind, max, amount, penalty)| {
            Op::Create {
                kind,
                max,
                amount,
                penalty,
            }
        })
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            1 => create(),
            3 => (0..PEOPLE, 0..3u8).prop_map(|(who, task)| Op::Join { who, task }),
            5 => (
                0..PEOPLE,
                0..3u8,
                proptest::collection::vec((proptest::bool::weighted(0.7), 0..RECEIPTS), 0..4),
                0..500u128,
            )
                .prop_map(|(who, task, ids, time)| Op::Claim { who, task, ids, time }),
            1 => (0..PEOPLE, 0..3u8).prop_map(|(who, task)| Op::Penalize { who, task }),
            1 => (0..PEOPLE, 0..3u8).prop_map(|(who, task)| Op::Collect { who, task }),
            1 => (0..PEOPLE, 0..3u8).prop_map(|(who, task)| Op::Withdraw { who, task }),
            1 => (0..3u8).prop_map(|task| Op::Refund { task }),
            1 => (0..4 * DAY).prop_map(Op::Wait),
        ]
    }

    fn person(who: u8) -> AccountId {
        acc(20 + who)
    }

    /// A task, its participants and who used each receipt.
    type TaskState = (
        Option<Task>,
        Vec<Option<Participant>>,
        Vec<Option<AccountId>>,
    );

    fn snapshot(data: &TasksData, tasks: u32) -> Vec<TaskState> {
        (0..tasks.max(3))
            .map(|id| {
                (
                    data.task(id),
                    (0..PEOPLE)
                        .map(|w| data.participant(id, person(w)))
                        .collect(),
                    (0..u64::from(PEOPLE * RECEIPTS))
                        .map(|r| data.used_by(id, r))
                        .collect(),
                )
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn escrow_in_equals_paid_out_plus_refunded(
            creates in proptest::collection::vec(create(), 3),
            more in proptest::collection::vec(op(), 1..80),
        ) {
            let ops: Vec<Op> = creates.into_iter().chain(more).collect();
            // A fresh off-chain storage for each case.
            test::run_test::<Env, _>(|_| Ok(())).expect("reset");
            run(ops)?;
        }
    }

    fn run(ops: Vec<Op>) -> core::result::Result<(), TestCaseError> {
        let mut data = TasksData::default();
        let mut now = START - DAY;
        // Time the contract holds, from the movements of the events.
        let mut held: Balance = 0;
        let mut escrowed: Balance = 0;
        let mut out_to_customers: Balance = 0;
        let mut refunded: Balance = 0;
        let mut stakes_in: Balance = 0;
        let mut stakes_out: Balance = 0;
        // (task, receipt) pairs paid for.
        let mut paid_receipts: Vec<(TaskId, ReceiptId)> = Vec::new();
        for op in ops {
            let before = snapshot(&data, data.task_count());
            let result = match op.clone() {
                Op::Create {
                    kind,
                    max,
                    amount,
                    penalty,
                } => {
                    let mut t = terms();
                    (t.start, t.end, t.claim_ms) = (now, now + 3 * DAY, DAY);
                    t.penalty = penalty;
                    t.mode = RuleMode::Any;
                    t.rules = vec![buy_here(), Rule::Referrals { count: 1 }];
                    t.max_completions = max;
                    let (reward, escrow) = match kind {
                        0 => (Reward::Fixed(amount), amount * Balance::from(max)),
                        1 => (Reward::Multiple(1_500_000), amount),
                        _ => (Reward::Group, amount.max(Balance::from(max))),
                    };
                    t.reward = reward;
                    data.create(merchant(), now, Some(MerchantStatus::Verified), t, escrow)
                        .map(|(_, e)| e)
                }
                Op::Join { who, task } => data.join(person(who), now, task.into(), None, &[]),
                Op::Claim {
                    who,
                    task,
                    ids,
                    time,
                } => {
                    let start = data
                        .task(task.into())
                        .map(|t| t.terms.start)
                        .unwrap_or(START);
                    let evidence: Vec<Evidence> = ids
                        .iter()
                        .map(|&(mine, k)| {
                            let owner = if mine {
                                who
                            } else {
                                (who + PEOPLE - 1) % PEOPLE
                            };
                            let i = owner * RECEIPTS + k;
                            let at = start + u64::from(i) * 1_000;
                            let mut r = receipt(merchant(), person(owner), 1_000, time, at);
                            // half of them are past their challenge window at once
                            r.deadline = at + u64::from(k % 2) * DAY;
                            Evidence {
                                id: i.into(),
                                receipt: Some(r),
                                referrer: Some(person(referrer_of(owner))),
                            }
                        })
                        .collect();
                    let r = data.claim(person(who), now, task.into(), &evidence);
                    if let Ok(events) = &r {
                        for e in &evidence {
                            let pair = (TaskId::from(task), e.id);
                            prop_assert!(!paid_receipts.contains(&pair), "receipt paid twice");
                            paid_receipts.push(pair);
                        }
                        prop_assert!(matches!(events[0], TaskEvent::TaskCompleted(_)));
                    }
                    r
                }
                Op::Penalize { who, task } => data.penalize(
                    merchant(),
                    now,
                    task.into(),
                    person(who),
                    Hash::from([1; 32]),
                ),
                Op::Collect { who, task } => data.collect(person(who), task.into()),
                Op::Withdraw { who, task } => data.withdraw_stake(person(who), now, task.into()),
                Op::Refund { task } => data.refund(now, task.into()),
                Op::Wait(ms) => {
                    now += ms;
                    Ok(Vec::new())
                }
            };
            match result {
                Err(_) => prop_assert_eq!(snapshot(&data, data.task_count()), before, "{:?}", op),
                Ok(events) => {
                    for event in &events {
                        let movement = event.movement(ledger());
                        match (event, movement) {
                            (TaskEvent::TaskCreated(_), Some(Movement::In { amount, .. })) => {
                                escrowed += amount;
                                held += amount;
                            }
                            (TaskEvent::TaskJoined(_), Some(Movement::In { amount, .. })) => {
                                stakes_in += amount;
                                held += amount;
                            }
                            (TaskEvent::TaskCompleted(e), Some(Movement::Out { amount, .. })) => {
                                out_to_customers += e.reward;
                                stakes_out += e.stake_returned;
                                prop_assert!(held >= amount, "paid more than held");
                                held -= amount;
                            }
                            (
                                TaskEvent::GroupShareCollected(_),
                                Some(Movement::Out { amount, .. }),
                            ) => {
                                out_to_customers += amount;
                                prop_assert!(held >= amount);
                                held -= amount;
                            }
                            (TaskEvent::TaskRefunded(_), Some(Movement::Out { amount, .. })) => {
                                refunded += amount;
                                prop_assert!(held >= amount);
                                held -= amount;
                            }
                            (
                                TaskEvent::ParticipantPenalized(_),
                                Some(Movement::Out { to, amount }),
                            ) => {
                                prop_assert_eq!(to, ledger(), "a deposit forfeited elsewhere");
                                stakes_out += amount;
                                prop_assert!(held >= amount);
                                held -= amount;
                            }
                            (TaskEvent::StakeWithdrawn(_), Some(Movement::Out { amount, .. })) => {
                                stakes_out += amount;
                                prop_assert!(held >= amount);
                                held -= amount;
                            }
                            (_, None) => {}
                            (e, m) => {
                                prop_assert!(false, "unexpected movement {:?} for {:?}", m, e)
                            }
                        }
                    }
                }
            }
            // The books of every task balance, and the contract holds
            // exactly what the tasks say it holds.
            let mut books: Balance = 0;
            for id in 0..data.task_count() {
                let task = data.task(id).unwrap();
                prop_assert_eq!(
                    task.escrow,
                    task.pool + task.reserved + task.paid + task.refunded
                );
                books += task.pool + task.reserved + task.stakes;
            }
            prop_assert_eq!(books, held);
            prop_assert_eq!(
                escrowed + stakes_in,
                out_to_customers + refunded + stakes_out + held
            );
        }
        // After every claim period: refunds, collections and
        // withdrawals leave nothing behind.
        now += 10 * DAY;
        for id in 0..data.task_count() {
            if let Ok(events) = data.refund(now, id) {
                let TaskEvent::TaskRefunded(e) = &events[0] else {
                    unreachable!()
                };
                refunded += e.amount;
                held -= e.amount;
            }
            for w in 0..PEOPLE {
                if let Ok(events) = data.collect(person(w), id) {
                    let TaskEvent::GroupShareCollected(e) = &events[0] else {
                        unreachable!()
                    };
                    out_to_customers += e.amount;
                    held -= e.amount;
                }
                if let Ok(events) = data.withdraw_stake(person(w), now, id) {
                    let TaskEvent::StakeWithdrawn(e) = &events[0] else {
                        unreachable!()
                    };
                    stakes_out += e.amount;
                    held -= e.amount;
                }
            }
        }
        prop_assert_eq!(held, 0);
        prop_assert_eq!(escrowed, out_to_customers + refunded);
        prop_assert_eq!(stakes_in, stakes_out);
        Ok(())
    }
}
