//! The scripted day and the ledger measurements on a freshly deployed suite.

use crate::harness::{contracts_dir, TestNode};
use bizkey_chain::accounts::keypair;
use bizkey_chain::day::{run_day, DayConfig};
use bizkey_chain::deploy::{deploy_suite, BT_REWARD_POOL, TT_GENESIS};
use bizkey_chain::gas;

#[tokio::test]
async fn a_day_of_sales_pays_rewards_and_the_ledger_meets_its_gas_targets() {
    let (_node, chain) = TestNode::start().await;
    let alice = keypair("//Alice").unwrap();
    let manifest = deploy_suite(&chain, &alice, contracts_dir(), &mut |_: &str| {})
        .await
        .unwrap();

    // given a small simulated day
    let config = DayConfig {
        merchants: 3,
        customers: 8,
        seed: 7,
        challenge_ms: 3_000,
        max_receipts: 10,
        admin_suri: "//Alice".into(),
    };
    // when it is replayed on-chain
    let report = run_day(&chain, &manifest, &config, &mut |_: &str| {})
        .await
        .unwrap();

    // then every receipt went through one of the two flows
    let merchants: Vec<_> = report
        .accounts
        .iter()
        .filter(|a| a.label.starts_with("merchant"))
        .collect();
    assert_eq!(merchants.len(), 3);
    let sold: u32 = merchants.iter().map(|m| m.receipts).sum();
    assert_eq!(report.merchant_first + report.customer_first, sold);
    assert!(sold > 0, "the simulator produced no sale");
    // the first half's rewards were claimed: some merchant holds Biz, some customer Time
    assert!(report.claims > 0);
    assert!(merchants.iter().any(|m| m.biz > 0), "{report:?}");
    assert!(
        report
            .accounts
            .iter()
            .any(|a| a.label.starts_with("customer") && a.time > 0),
        "{report:?}"
    );
    // a merchant with sales has a positive BizPower in the current window
    assert!(merchants
        .iter()
        .filter(|m| m.receipts > 0)
        .all(|m| m.bizpower.is_some_and(|b| b > 0)));
    // rewards came out of the ledger's pools, and nothing was created
    assert!(report.ledger_biz < BT_REWARD_POOL);
    assert!(report.ledger_time <= TT_GENESIS);
    let paid_biz: u128 = report.accounts.iter().map(|a| a.biz).sum();
    assert_eq!(paid_biz, BT_REWARD_POOL - report.ledger_biz);

    // and the ledger's operations meet the targets
    let mut g = gas::measure(&chain, &alice, &manifest, &mut |_: &str| {})
        .await
        .unwrap();
    gas::measure_ledger(&chain, "//Alice", &manifest, &mut g, &mut |_: &str| {})
        .await
        .unwrap();
    let claims: Vec<_> = g
        .operations
        .iter()
        .filter(|m| m.operation.starts_with("ledger claim"))
        .collect();
    assert_eq!(claims.len(), 2);
    assert_eq!(claims[0].token_transfers, claims[1].token_transfers);
    assert!(claims[0].token_transfers.unwrap() >= 1);
    let transfer = g
        .operations
        .iter()
        .find(|m| m.operation == "biz_token PSP22::transfer")
        .unwrap()
        .gas
        .ref_time;
    let repeat = g
        .operations
        .iter()
        .find(|m| m.operation == "= record + confirm (repeat customer)")
        .unwrap()
        .gas
        .ref_time;
    assert!(repeat > transfer);
    // the bound, on the release builds that are deployed (ink_e2e
    // measures debug builds, whose gas says nothing about production)
    assert!(
        repeat <= 4 * transfer,
        "record + confirm (repeat customer) is {:.2}x a transfer",
        repeat as f64 / transfer as f64
    );
    let md = g.to_markdown("test");
    assert!(md.contains("ledger claim (N = 20 receipts)"), "{md}");
}
