//! End-to-end tests of the tasks contract against `substrate-contracts-node`
//! (`CONTRACTS_NODE`), wired to the real Time token, registry and ledger.
//! Each test starts its own node. The node's block timestamp follows the wall
//! clock, and a block is only sealed when a transaction arrives, so waiting
//! for a task's end means sleeping and then sending a transaction.

use crate::tasks::{Tasks, TasksRef};
use biz_token::biz_token::BizTokenRef;
use bizkey_e2e_kit::{constructor, message, now_ms, E2EResult};
use bizkey_types::{
    ledger::{LedgerError, LedgerParams, Order, Receipt, ReceiptId, RewardCaps},
    math::{Channel, ShopCost, PPM},
    psp22::PSP22,
    registry::{Category, MerchantProfile, MerchantStatus, RegistryError},
    roles::Role,
    tasks::*,
    AccountId, Balance, Hash,
};
use ink_e2e::{account_id, AccountKeyring, ChainBackend, ContractsBackend, Keypair};
use time_token::time_token::{TimeToken, TimeTokenRef};

const UNIT: Balance = 1_000_000_000_000;

/// Extra gas, in percent of the dry run's estimate, for every transaction:
/// the estimate of nested cross-contract calls (ledger → tokens, tasks →
/// ledger / registry / Time) can fall short, which reverts the call.
const EXTRA_GAS: u64 = 50;

fn id_of(keypair: &Keypair) -> AccountId {
    AccountId::from(keypair.public_key().0)
}

fn shop(name: &str) -> MerchantProfile {
    MerchantProfile {
        name: name.into(),
        category: Category::Cafe,
        location: "wtw3sjq".into(),
        cost: ShopCost {
            area_sqft: 400,
            staff: 2,
            rent_per_sqft_day: 500,
            wage_per_day: 20_000,
        },
        licence_hash: Hash::from([1; 32]),
    }
}

/// Deploys registry, BT, TT, ledger and tasks, wired as in production:
/// alice deploys everything, is every contract's admin and holds the whole
/// Time genesis, and funds the ledger's Time reward pool; the ledger's
/// challenge window is zero so receipts settle at once. Returns the call
/// builders of registry, TT, ledger and tasks, and the tasks' account.
macro_rules! suite {
    ($client:expr) => {{
        let alice = account_id(AccountKeyring::Alice);
        let registry = $client
            .instantiate("registry", &ink_e2e::alice(), &mut constructor!(TasksRef))
            .extra_gas_portion(EXTRA_GAS)
            .submit()
            .await
            .expect("registry");
        let biz = $client
            .instantiate(
                "biz_token",
                &ink_e2e::alice(),
                &mut BizTokenRef::new(alice, alice, alice, alice),
            )
            .extra_gas_portion(EXTRA_GAS)
            .submit()
            .await
            .expect("biz token");
        let time = $client
            .instantiate(
                "time_token",
                &ink_e2e::alice(),
                &mut TimeTokenRef::new(alice, alice, alice, 750_000),
            )
            .extra_gas_portion(EXTRA_GAS)
            .submit()
            .await
            .expect("time token");
        let ledger = $client
            .instantiate(
                "ledger",
                &ink_e2e::alice(),
                &mut constructor!(TasksRef;
                    registry.account_id,
                    biz.account_id,
                    time.account_id,
                    RewardCaps::default()
                ),
            )
            .extra_gas_portion(EXTRA_GAS)
            .submit()
            .await
            .expect("ledger");
        let tasks = $client
            .instantiate(
                "tasks",
                &ink_e2e::alice(),
                &mut TasksRef::new(time.account_id, ledger.account_id, registry.account_id),
            )
            .extra_gas_portion(EXTRA_GAS)
            .submit()
            .await
            .expect("tasks");
        let mut time_calls = time.call_builder::<TimeToken>();
        // the ledger registers customers on their first purchase
        $client
            .call(
                &ink_e2e::alice(),
                &message!(registry.account_id, "set_role" -> Result<(), RegistryError>,
                    Role::Ledger, Some(ledger.account_id)),
            )
            .extra_gas_portion(EXTRA_GAS)
            .submit()
            .await
            .expect("ledger role");
        // receipts settle at once (no challenge window)
        let mut params = LedgerParams::default();
        params.challenge_ms = 0;
        $client
            .call(
                &ink_e2e::alice(),
                &message!(ledger.account_id, "set_params" -> Result<(), LedgerError>, params),
            )
            .extra_gas_portion(EXTRA_GAS)
            .submit()
            .await
            .expect("params");
        // the ledger's Time reward pool
        $client
            .call(
                &ink_e2e::alice(),
                &time_calls.transfer(ledger.account_id, 1_000_000 * UNIT, Vec::new()),
            )
            .extra_gas_portion(EXTRA_GAS)
            .submit()
            .await
            .expect("fund ledger");
        $client
            .call(
                &ink_e2e::alice(),
                &message!(ledger.account_id, "sync" -> Result<(), LedgerError>),
            )
            .extra_gas_portion(EXTRA_GAS)
            .submit()
            .await
            .expect("sync");
        (
            registry.account_id,
            time_calls,
            ledger.account_id,
            tasks.call_builder::<Tasks>(),
            tasks.account_id,
        )
    }};
}

/// Registers `merchant` and has alice verify it.
macro_rules! verified_merchant {
    ($client:expr, $registry:expr, $merchant:expr, $name:expr) => {{
        $client
            .call(
                $merchant,
                &message!($registry, "register_merchant" -> Result<(), RegistryError>,
                    shop($name), None::<AccountId>, 500_000u32),
            )
            .extra_gas_portion(EXTRA_GAS)
            .submit()
            .await
            .expect("register merchant");
        $client
            .call(
                &ink_e2e::alice(),
                &message!($registry, "set_merchant_status" -> Result<(), RegistryError>,
                    id_of($merchant), MerchantStatus::Verified),
            )
            .extra_gas_portion(EXTRA_GAS)
            .submit()
            .await
            .expect("verify merchant");
    }};
}

/// `merchant` records a sale of `amount` cents to `customer`, who confirms
/// it. Returns the receipt id.
macro_rules! sale {
    ($client:expr, $ledger:expr, $merchant:expr, $customer:expr, $order_id:expr, $amount:expr) => {{
        let order = Order {
            order_id: $order_id,
            order_time: now_ms() - 60_000,
            channel: Channel::InStore,
            amount: $amount,
            discount: 0,
            time_paid: 0,
            items: 1,
            detail_hash: Hash::from([$order_id as u8; 32]),
        };
        let id: ReceiptId = $client
            .call(
                $merchant,
                &message!($ledger, "record" -> Result<ReceiptId, LedgerError>,
                    id_of($customer), order),
            )
            .extra_gas_portion(EXTRA_GAS)
            .submit()
            .await
            .expect("record")
            .return_value()
            .expect("recorded");
        $client
            .call($customer, &message!($ledger, "confirm" -> Result<(), LedgerError>, id))
            .extra_gas_portion(EXTRA_GAS)
            .submit()
            .await
            .expect("confirm")
            .return_value()
            .expect("confirmed");
        id
    }};
}

macro_rules! balance {
    ($client:expr, $time:expr, $who:expr) => {
        $client
            .call(&ink_e2e::alice(), &$time.balance_of($who))
            .dry_run()
            .await
            .expect("balance")
            .return_value()
    };
}

fn buy_here(min_amount: u128) -> Rule {
    Rule::Purchases(PurchaseRule {
        merchants: Vec::new(),
        min_count: 1,
        min_amount,
        distinct_merchants: 0,
    })
}

#[ink_e2e::test]
async fn a_task_from_creation_to_refund<Client: E2EBackend>(mut client: Client) -> E2EResult<()> {
    // given the suite, a verified café (bob) with 100 Time, and three
    // customers (charlie, dave, eve) with 5 Time each
    let (registry, mut time, ledger, mut tasks, tasks_id) = suite!(client);
    let bob = account_id(AccountKeyring::Bob);
    let charlie = account_id(AccountKeyring::Charlie);
    let dave = account_id(AccountKeyring::Dave);
    let eve = account_id(AccountKeyring::Eve);
    verified_merchant!(client, registry, &ink_e2e::bob(), "Bob's café");
    for (to, amount) in [
        (bob, 100 * UNIT),
        (charlie, 5 * UNIT),
        (dave, 5 * UNIT),
        (eve, 5 * UNIT),
    ] {
        client
            .call(&ink_e2e::alice(), &time.transfer(to, amount, Vec::new()))
            .extra_gas_portion(EXTRA_GAS)
            .submit()
            .await
            .expect("fund");
    }

    // when bob publishes "spend ¥30 here" for 10 Time × 3 with a 1 Time
    // deposit, open for 60 s
    let start = now_ms() - 1_000;
    let terms = TaskTerms {
        name: "¥30 at Bob's".into(),
        description_hash: Hash::from([2; 32]),
        mode: RuleMode::All,
        rules: vec![buy_here(3_000)],
        reward: Reward::Fixed(10 * UNIT),
        eligibility: Eligibility::Anyone,
        penalty: UNIT,
        start,
        end: start + 60_000,
        claim_ms: 0,
        max_completions: 3,
    };
    // without the approval the escrow cannot move
    let no_allowance = client
        .call(
            &ink_e2e::bob(),
            &tasks.create_task(terms.clone(), 30 * UNIT),
        )
        .dry_run()
        .await?
        .return_value();
    assert_eq!(no_allowance, Err(TasksError::TokenCallFailed));
    // a customer is not a verified merchant
    let not_merchant = client
        .call(
            &ink_e2e::charlie(),
            &tasks.create_task(terms.clone(), 30 * UNIT),
        )
        .dry_run()
        .await?
        .return_value();
    assert_eq!(not_merchant, Err(TasksError::MerchantNotVerified));
    client
        .call(&ink_e2e::bob(), &time.approve(tasks_id, 30 * UNIT))
        .extra_gas_portion(EXTRA_GAS)
        .submit()
        .await
        .expect("approve escrow");
    let task_id = client
        .call(&ink_e2e::bob(), &tasks.create_task(terms, 30 * UNIT))
        .extra_gas_portion(EXTRA_GAS)
        .submit()
        .await
        .expect("create")
        .return_value()
        .expect("created");
    assert_eq!(balance!(client, time, bob), 70 * UNIT);
    assert_eq!(balance!(client, time, tasks_id), 30 * UNIT);

    // and charlie, dave and eve join, each depositing 1 Time
    for customer in [&ink_e2e::charlie(), &ink_e2e::dave(), &ink_e2e::eve()] {
        client
            .call(customer, &time.approve(tasks_id, UNIT))
            .extra_gas_portion(EXTRA_GAS)
            .submit()
            .await
            .expect("approve deposit");
        client
            .call(customer, &tasks.join(task_id, Vec::new()))
            .extra_gas_portion(EXTRA_GAS)
            .submit()
            .await
            .expect("join");
    }
    assert_eq!(balance!(client, time, tasks_id), 33 * UNIT);

    // attack: bob penalizes eve without cause to take her deposit; it goes
    // to the ledger's reward pool, so bob gains nothing
    let pool_before = balance!(client, time, ledger);
    client
        .call(
            &ink_e2e::bob(),
            &tasks.penalize(task_id, eve, Hash::from([9; 32])),
        )
        .extra_gas_portion(EXTRA_GAS)
        .submit()
        .await
        .expect("penalize")
        .return_value()
        .expect("penalized");
    assert_eq!(balance!(client, time, bob), 70 * UNIT);
    assert_eq!(balance!(client, time, ledger), pool_before + UNIT);
    assert_eq!(balance!(client, time, eve), 4 * UNIT);
    assert_eq!(balance!(client, time, tasks_id), 32 * UNIT);

    // and charlie buys for ¥20, then ¥45
    let small = sale!(
        client,
        ledger,
        &ink_e2e::bob(),
        &ink_e2e::charlie(),
        1,
        2_000
    );
    let big = sale!(
        client,
        ledger,
        &ink_e2e::bob(),
        &ink_e2e::charlie(),
        2,
        4_500
    );

    // then the small receipt does not qualify, and dave cannot use charlie's
    let too_small = client
        .call(&ink_e2e::charlie(), &tasks.claim(task_id, vec![small]))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(too_small, Err(TasksError::ReceiptNotQualifying));
    let not_his = client
        .call(&ink_e2e::dave(), &tasks.claim(task_id, vec![big]))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(not_his, Err(TasksError::NotYourReceipt));
    let unknown = client
        .call(&ink_e2e::charlie(), &tasks.claim(task_id, vec![999]))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(unknown, Err(TasksError::ReceiptNotFound));

    // when charlie claims with the big one: 10 Time and the deposit back
    let reward = client
        .call(&ink_e2e::charlie(), &tasks.claim(task_id, vec![big]))
        .extra_gas_portion(EXTRA_GAS)
        .submit()
        .await
        .expect("claim")
        .return_value()
        .expect("claimed");
    assert_eq!(reward, 10 * UNIT);
    assert_eq!(
        balance!(client, time, charlie),
        5 * UNIT - UNIT + 10 * UNIT + UNIT
    );
    let used_by = client
        .call(&ink_e2e::alice(), &tasks.receipt_used_by(task_id, big))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(used_by, Some(charlie));
    // no second reward, for the customer or the receipt
    let again = client
        .call(&ink_e2e::charlie(), &tasks.claim(task_id, vec![big]))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(again, Err(TasksError::AlreadyCompleted));

    // the pool stays until the task is over
    let early = client
        .call(&ink_e2e::bob(), &tasks.refund(task_id))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(early, Err(TasksError::TaskNotClosed));

    // when the task has ended (a block after its end)
    while now_ms() < start + 62_000 {
        std::thread::sleep(std::time::Duration::from_millis(1_000));
    }
    client
        .call(&ink_e2e::alice(), &time.approve(bob, 0))
        .extra_gas_portion(EXTRA_GAS)
        .submit()
        .await
        .expect("a block after the end");
    let late = client
        .call(&ink_e2e::dave(), &tasks.join(task_id, Vec::new()))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(late, Err(TasksError::TaskClosed));

    // then the unspent pool returns to bob and dave takes his deposit back
    let refunded = client
        .call(&ink_e2e::eve(), &tasks.refund(task_id))
        .extra_gas_portion(EXTRA_GAS)
        .submit()
        .await
        .expect("refund")
        .return_value()
        .expect("refunded");
    assert_eq!(refunded, 20 * UNIT);
    client
        .call(&ink_e2e::dave(), &tasks.withdraw_stake(task_id))
        .extra_gas_portion(EXTRA_GAS)
        .submit()
        .await
        .expect("withdraw")
        .return_value()
        .expect("withdrawn");
    assert_eq!(balance!(client, time, bob), 90 * UNIT);
    assert_eq!(balance!(client, time, dave), 5 * UNIT);
    // a penalized deposit does not come back
    let penalized = client
        .call(&ink_e2e::eve(), &tasks.withdraw_stake(task_id))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(penalized, Err(TasksError::Penalized));
    // escrow in = paid out + refunded: the contract holds nothing
    assert_eq!(balance!(client, time, tasks_id), 0);
    let task = client
        .call(&ink_e2e::alice(), &tasks.task(task_id))
        .dry_run()
        .await?
        .return_value()
        .expect("task");
    assert_eq!(
        (
            task.escrow,
            task.paid,
            task.refunded,
            task.pool,
            task.stakes
        ),
        (30 * UNIT, 10 * UNIT, 20 * UNIT, 0, 0)
    );
    let twice = client
        .call(&ink_e2e::bob(), &tasks.refund(task_id))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(twice, Err(TasksError::NothingToPay));
    Ok(())
}

#[ink_e2e::test]
async fn buying_at_seven_merchants_doubles_the_time_earned<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // given the suite and seven verified merchants
    let (registry, mut time, ledger, mut tasks, tasks_id) = suite!(client);
    let mut merchants = Vec::new();
    for i in 0..7 {
        let merchant = client
            .create_and_fund_account(&ink_e2e::alice(), 1_000_000_000_000_000)
            .await;
        verified_merchant!(client, registry, &merchant, &format!("接龙 {i}"));
        merchants.push(merchant);
    }
    let chain: Vec<AccountId> = merchants.iter().map(id_of).collect();
    let bob = account_id(AccountKeyring::Bob);

    // and the first of them publishes the relay (接龙): buy at all seven, and
    // a multiple of 1,000,000 ppm (100 % extra) of the Time earned on those
    // receipts is paid on top
    let host = &merchants[0];
    client
        .call(
            &ink_e2e::alice(),
            &time.transfer(chain[0], 1_000 * UNIT, Vec::new()),
        )
        .extra_gas_portion(EXTRA_GAS)
        .submit()
        .await
        .expect("fund host");
    client
        .call(host, &time.approve(tasks_id, 1_000 * UNIT))
        .extra_gas_portion(EXTRA_GAS)
        .submit()
        .await
        .expect("approve escrow");
    let start = now_ms() - 1_000;
    let terms = TaskTerms {
        name: "七店接龙".into(),
        description_hash: Hash::from([7; 32]),
        mode: RuleMode::All,
        rules: vec![Rule::Purchases(PurchaseRule {
            merchants: chain.clone(),
            min_count: 7,
            min_amount: 0,
            distinct_merchants: 7,
        })],
        reward: Reward::Multiple(PPM),
        eligibility: Eligibility::Anyone,
        penalty: 0,
        start,
        end: start + 3_600_000,
        claim_ms: 0,
        max_completions: 100,
    };
    let task_id = client
        .call(host, &tasks.create_task(terms, 1_000 * UNIT))
        .extra_gas_portion(EXTRA_GAS)
        .submit()
        .await
        .expect("create")
        .return_value()
        .expect("created");
    client
        .call(&ink_e2e::bob(), &tasks.join(task_id, Vec::new()))
        .extra_gas_portion(EXTRA_GAS)
        .submit()
        .await
        .expect("join");

    // when bob buys once at each of the seven
    let mut receipts = Vec::new();
    for (i, merchant) in merchants.iter().enumerate() {
        let amount = 1_000 * (i as u128 + 1);
        receipts.push(sale!(
            client,
            ledger,
            merchant,
            &ink_e2e::bob(),
            i as u64 + 1,
            amount
        ));
    }
    let mut earned: Balance = 0;
    for &id in &receipts {
        let receipt = client
            .call(
                &ink_e2e::alice(),
                &message!(ledger, "LedgerApi::receipt" -> Option<Receipt>, id),
            )
            .dry_run()
            .await?
            .return_value()
            .expect("receipt");
        assert!(receipt.time > 0, "the ledger paid no cashback");
        earned += receipt.time;
    }

    // then six of them are not enough
    let six = client
        .call(
            &ink_e2e::bob(),
            &tasks.claim(task_id, receipts[..6].to_vec()),
        )
        .dry_run()
        .await?
        .return_value();
    assert_eq!(six, Err(TasksError::RulesNotMet));

    // and all seven pay as much again as the ledger's cashback
    let before = balance!(client, time, bob);
    let reward = client
        .call(&ink_e2e::bob(), &tasks.claim(task_id, receipts.clone()))
        .extra_gas_portion(EXTRA_GAS)
        .submit()
        .await
        .expect("claim")
        .return_value()
        .expect("claimed");
    assert_eq!(reward, earned);
    assert_eq!(balance!(client, time, bob), before + earned);
    // with the ledger's own cashback claimed, bob holds twice what those
    // seven purchases earned
    let (_, cashback) = client
        .call(
            &ink_e2e::bob(),
            &message!(ledger, "claim" -> Result<(Balance, Balance), LedgerError>, 100u32),
        )
        .extra_gas_portion(EXTRA_GAS)
        .submit()
        .await
        .expect("ledger claim")
        .return_value()
        .expect("ledger paid");
    assert_eq!(cashback, earned);
    assert_eq!(balance!(client, time, bob), before + 2 * earned);
    // and the receipts cannot be paid for again
    let again = client
        .call(&ink_e2e::bob(), &tasks.claim(task_id, receipts))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(again, Err(TasksError::AlreadyCompleted));
    assert_eq!(balance!(client, time, tasks_id), 1_000 * UNIT - earned);
    Ok(())
}
