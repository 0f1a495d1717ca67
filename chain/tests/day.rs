//! The scripted day and the ledger measurements on a freshly deployed suite.

use crate::harness::{contracts_dir, start_node};
use bizkey_chain::accounts::keypair;
use bizkey_chain::day::{run_day, DayConfig, PROPOSED_CASHBACK_PPM};
use bizkey_chain::deploy::{deploy_suite, BT_REWARD_POOL, TT_GENESIS};
use bizkey_chain::gas;
use bizkey_types::governance::ProposalStatus;
use bizkey_types::ledger::LedgerParams;

#[tokio::test]
async fn a_day_of_sales_pays_rewards_and_the_ledger_meets_its_gas_targets() {
    let (_node, chain) = start_node().await;
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
    // rewards came out of the ledger's pools, and nothing was created: the
    // Biz paid is held or locked by the merchants
    assert!(report.ledger_biz < BT_REWARD_POOL);
    let paid_biz: u128 = report.accounts.iter().map(|a| a.biz + a.locked).sum();
    assert_eq!(paid_biz, BT_REWARD_POOL - report.ledger_biz);

    // at midday the merchants with Biz locked half of it and voted on a
    // higher cashback, which was executed after the sales
    let g = report.governance.as_ref().expect("a proposal");
    assert!(g.lockers >= 1);
    assert_eq!(
        merchants.iter().filter(|m| m.locked > 0).count() as u32,
        g.lockers
    );
    assert!(merchants.iter().all(|m| m.locked <= m.biz), "half of it");
    assert_eq!(g.status, ProposalStatus::Executed, "{g:?}");
    assert!(g.votes_for > g.votes_against);
    assert_eq!(
        g.votes_for + g.votes_against,
        merchants.iter().map(|m| m.locked).sum::<u128>(),
        "every locker voted with its whole (tier 1.0×) weight"
    );
    assert_eq!(
        g.cashback_before_ppm,
        LedgerParams::default().reward.cashback_ppm
    );
    assert_eq!(g.cashback_after_ppm, PROPOSED_CASHBACK_PPM);
    // then the emission paid the lockers' dividends, and the proposer's
    // task paid a morning customer from that Time
    let t = report.task.as_ref().expect("a task");
    assert_eq!(t.merchant, g.proposer);
    assert!(t.emission > 0 && t.dividend > 0);
    assert!(t.escrow > 0);
    assert_eq!(t.reward * 3, t.escrow);
    let customer = report
        .accounts
        .iter()
        .find(|a| a.label == t.customer)
        .expect("the claimant bought that day");
    assert!(customer.time >= t.reward);
    assert!(report.ledger_time <= TT_GENESIS + t.emission);

    // and the ledger's operations meet the targets
    let mut g = gas::measure(&chain, &alice, &manifest, &mut |_: &str| {})
        .await
        .unwrap();
    gas::measure_ledger(&chain, "//Alice", &manifest, &mut g, &mut |_: &str| {})
        .await
        .unwrap();
    gas::measure_community(&chain, "//Alice", &manifest, &mut g, &mut |_: &str| {})
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
    // the bound, for a repeat customer and for a first purchase, on
    // the release builds that are deployed (ink_e2e measures debug builds,
    // whose gas says nothing about production)
    for sale in ["repeat customer", "first purchase"] {
        let row = format!("= record + confirm ({sale})");
        let gas = g
            .operations
            .iter()
            .find(|m| m.operation == row)
            .unwrap_or_else(|| panic!("no {row} row"))
            .gas
            .ref_time;
        assert!(gas > transfer);
        assert!(
            gas <= 4 * transfer,
            "record + confirm ({sale}) is {:.2}x a transfer",
            gas as f64 / transfer as f64
        );
    }
    let md = g.to_markdown("test");
    assert!(md.contains("ledger claim (N = 20 receipts)"), "{md}");
    // and the community's operations are measured: a lock moves BT in, a
    // task claim pays Time out
    let op = |name: &str| {
        g.operations
            .iter()
            .find(|m| m.operation.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} row in {md}"))
    };
    assert_eq!(op("locking lock").token_transfers, Some(1));
    assert!(op("governance vote").gas.ref_time > 0);
    assert_eq!(op("tasks claim").token_transfers, Some(1));
    assert_eq!(
        g.sizes.len(),
        bizkey_chain::deploy::SUITE.len(),
        "every contract's size"
    );
}
