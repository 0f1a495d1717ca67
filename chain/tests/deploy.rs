//! `deploy_suite` on a real node: every bundle deployed, wired, and the
//! manifest true to the chain.

use crate::harness::{contracts_dir, TestNode};
use bizkey_chain::accounts::{account_of, keypair, to_ink};
use bizkey_chain::deploy::{deploy_suite, BT_REWARD_POOL, SUITE, TT_GENESIS};
use bizkey_chain::{Contract, Manifest};

#[tokio::test]
async fn deploys_the_suite_and_writes_a_manifest_that_matches_the_chain() {
    let (node, chain) = TestNode::start().await;
    let alice = keypair("//Alice").unwrap();
    let mut steps = Vec::new();
    let manifest = deploy_suite(&chain, &alice, contracts_dir(), &mut |m: &str| {
        steps.push(m.to_string())
    })
    .await
    .unwrap();

    // every contract of the suite that has a bundle is in the manifest, in plan order
    let expected: Vec<&str> = SUITE
        .iter()
        .map(|s| s.name)
        .filter(|n| contracts_dir().join(format!("{n}.contract")).exists())
        .collect();
    assert!(
        expected.contains(&"biz_token"),
        "the tokens are always built"
    );
    let names: Vec<&str> = manifest.contracts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, expected);
    assert_eq!(manifest.genesis_hash, chain.genesis_hash());
    assert_eq!(manifest.node_url, node.url);
    assert_eq!(manifest.deployer, account_of(&alice));
    assert!(manifest.deployment_block >= 1);
    assert!(!steps.is_empty());

    // the manifest survives a save/load round trip
    let path = std::env::temp_dir().join(format!("bizkey-deploy-{}.json", std::process::id()));
    manifest.save(&path).unwrap();
    let loaded = Manifest::load(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(loaded, manifest);

    // each address is a live contract with the recorded code, instantiated
    // no earlier than the deployment block
    for c in &loaded.contracts {
        assert!(chain.code_exists(c.code_hash).await.unwrap(), "{}", c.name);
        assert!(c.instantiated_at >= loaded.deployment_block);
        let info = chain
            .api()
            .storage()
            .at(chain.best_block().await.unwrap().1)
            .fetch(
                &bizkey_chain::node::storage()
                    .contracts()
                    .contract_info_of(c.address.clone()),
            )
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{} has no contract at {}", c.name, c.address));
        assert_eq!(info.code_hash, c.code_hash, "{}", c.name);
    }

    // the tokens answer through their bundles; with the ledger deployed,
    // its pools are funded
    let me = to_ink(&account_of(&alice));
    let bt = Contract::from_manifest(loaded.contract("biz_token").unwrap()).unwrap();
    let supply = chain
        .dry_run::<u128>(&manifest.deployer, &bt, "total_supply", &())
        .await
        .unwrap()
        .value;
    assert_eq!(supply, 10_000_000_000 * 1_000_000_000_000);
    let alice_bt = chain
        .dry_run::<u128>(&manifest.deployer, &bt, "balance_of", &me)
        .await
        .unwrap()
        .value;
    if let Ok(ledger) = loaded.contract("ledger") {
        let at = to_ink(&ledger.address);
        let tt = Contract::from_manifest(loaded.contract("time_token").unwrap()).unwrap();
        let bt_pool = chain
            .dry_run::<u128>(&manifest.deployer, &bt, "balance_of", &at)
            .await
            .unwrap()
            .value;
        let tt_pool = chain
            .dry_run::<u128>(&manifest.deployer, &tt, "balance_of", &at)
            .await
            .unwrap()
            .value;
        assert_eq!((bt_pool, tt_pool), (BT_REWARD_POOL, TT_GENESIS));
        assert_eq!(alice_bt, supply - BT_REWARD_POOL);
    } else {
        assert_eq!(
            alice_bt, supply,
            "without a ledger the deployer keeps every allocation"
        );
    }
}
