//! `deploy_suite` on a real node: every bundle deployed, wired, and the
//! manifest true to the chain.

use crate::harness::{contracts_dir, start_node};
use bizkey_chain::accounts::{account_of, from_ink, keypair, to_ink};
use bizkey_chain::deploy::{
    deploy_suite, DeployOptions, BT_REWARD_POOL, BT_TEAM_AT_T0, BT_TREASURY, BT_VESTED, SUITE,
    TT_GENESIS, TT_REWARD_SHARE_PPM,
};
use bizkey_chain::{AccountId32, Chain, Contract, ContractKind, Manifest};
use bizkey_types::governance::{Contracts, GovernanceConfig, Phase};
use bizkey_types::ledger::{LedgerError, LedgerParams};
use bizkey_types::locking::LockTier;
use bizkey_types::math::PPM;
use bizkey_types::psp22::{EmissionReleased, PSP22Error, Transfer};
use bizkey_types::roles::Role;
use bizkey_types::super_nodes::{SuperNodeConfig, SuperNodeError};
use bizkey_types::vesting::VestingError;
use bizkey_types::AccountId;

/// A query of `contract` in `manifest`, dry-run by the deployer.
async fn query<R: scale::Decode>(
    chain: &Chain,
    manifest: &Manifest,
    contract: ContractKind,
    message: &str,
    args: &impl scale::Encode,
) -> R {
    let c = Contract::from_manifest(manifest.contract(contract).unwrap()).unwrap();
    chain
        .dry_run::<R>(&manifest.deployer, &c, message, args)
        .await
        .unwrap_or_else(|e| panic!("{contract}::{message}: {e}"))
        .value
}

#[tokio::test]
async fn deploys_the_suite_and_writes_a_manifest_that_matches_the_chain() {
    let (node, chain) = start_node().await;
    let alice = keypair("//Alice").unwrap();
    let mut steps = Vec::new();
    let manifest = deploy_suite(&chain, &alice, contracts_dir(), &mut |m: &str| {
        steps.push(m.to_string())
    })
    .await
    .unwrap();

    // every contract of the suite has a bundle (build-contracts.sh builds the
    // whole contracts workspace) and is in the manifest, in plan order
    let all: Vec<&str> = SUITE.iter().map(|s| s.name.name()).collect();
    assert_eq!(
        all,
        [
            "biz_token",
            "time_token",
            "registry",
            "ledger",
            "vesting",
            "locking",
            "super_nodes",
            "tasks",
            "reviews",
            "governance"
        ]
    );
    for n in &all {
        assert!(
            contracts_dir().join(format!("{n}.contract")).exists(),
            "no bundle of {n} in {}",
            contracts_dir().display()
        );
    }
    let names: Vec<&str> = manifest.contracts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, all);
    assert_eq!(manifest.genesis_hash, chain.genesis_hash());
    assert_eq!(manifest.node_url, node.url);
    assert_eq!(manifest.deployer, account_of(&alice));
    assert!(manifest.deployment_block >= 1);
    assert!(steps.iter().any(|s| s.starts_with("wire ")), "{steps:?}");

    // the manifest survives a save/load round trip
    let path = std::env::temp_dir().join(format!("bizkey-deploy-{}.json", std::process::id()));
    manifest.save(&path).unwrap();
    let loaded = Manifest::load(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(loaded, manifest);

    // each address is a distinct live contract with the recorded code,
    // instantiated no earlier than the deployment block
    let mut addresses: Vec<&AccountId32> = loaded.contracts.iter().map(|c| &c.address).collect();
    addresses.sort_by_key(|a| a.0);
    addresses.dedup();
    assert_eq!(addresses.len(), all.len());
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
    let addr = |n: ContractKind| to_ink(&loaded.contract(n).unwrap().address);
    let (bt, tt, registry, ledger, vesting, locking, super_nodes, gov) = (
        addr(ContractKind::BizToken),
        addr(ContractKind::TimeToken),
        addr(ContractKind::Registry),
        addr(ContractKind::Ledger),
        addr(ContractKind::Vesting),
        addr(ContractKind::Locking),
        addr(ContractKind::SuperNodes),
        addr(ContractKind::Governance),
    );
    let me = to_ink(&account_of(&alice));
    let m = &loaded;

    // BT: the ledger's reward pool, vesting's vested shares and treasury,
    // the team's unlock at T0 with the deployer; nothing else anywhere
    let supply: u128 = query(&chain, m, ContractKind::BizToken, "total_supply", &()).await;
    assert_eq!(supply, 10_000_000_000 * 1_000_000_000_000);
    let bt_of = |who: AccountId| {
        let chain = &chain;
        async move { query::<u128>(chain, m, ContractKind::BizToken, "balance_of", &who).await }
    };
    assert_eq!(bt_of(ledger).await, BT_REWARD_POOL);
    assert_eq!(
        bt_of(vesting).await,
        BT_VESTED + BT_TREASURY - BT_TEAM_AT_T0
    );
    assert_eq!(bt_of(me).await, BT_TEAM_AT_T0);
    assert_eq!(
        BT_REWARD_POOL + BT_VESTED + BT_TREASURY,
        supply,
        "every allocation is placed"
    );
    let owed: u128 = query(&chain, m, ContractKind::Vesting, "outstanding", &()).await;
    assert_eq!(owed, BT_VESTED - BT_TEAM_AT_T0);
    let treasury: u128 = query(&chain, m, ContractKind::Vesting, "ecosystem_available", &()).await;
    assert_eq!(treasury, BT_TREASURY);
    let early: Result<u128, VestingError> =
        query(&chain, m, ContractKind::Vesting, "release", &()).await;
    assert_eq!(
        early,
        Err(VestingError::NothingToRelease),
        "the next unlock is months away"
    );
    // TT: the genesis is the ledger's; the emission goes 80/20 to the
    // ledger and to the lockers (a dry-run release shows the split)
    let tt_pool: u128 = query(&chain, m, ContractKind::TimeToken, "balance_of", &ledger).await;
    assert_eq!(tt_pool, TT_GENESIS);
    let tt_contract =
        Contract::from_manifest(m.contract(ContractKind::TimeToken).unwrap()).unwrap();
    let release = chain
        .dry_run::<Result<u128, PSP22Error>>(&m.deployer, &tt_contract, "release_emission", &())
        .await
        .unwrap();
    let minted = release.value.unwrap();
    assert!(minted > 0, "the emission accrues from the deployment");
    let released: Vec<EmissionReleased> = release
        .events
        .iter()
        .filter_map(|e| e.decode::<EmissionReleased>().unwrap())
        .collect();
    assert_eq!(released.len(), 1);
    let r = &released[0];
    assert_eq!(r.amount, minted);
    assert_eq!(
        r.to_reward_pool,
        minted * u128::from(TT_REWARD_SHARE_PPM) / u128::from(PPM)
    );
    let mints: Vec<(Option<AccountId>, u128)> = release
        .events
        .iter()
        .filter_map(|e| e.decode::<Transfer>().unwrap())
        .map(|t| (t.to, t.value))
        .collect();
    assert_eq!(
        mints,
        [
            (Some(ledger), r.to_reward_pool),
            (Some(locking), r.to_dividend_pool)
        ]
    );

    // roles: the registry names the ledger; governance holds the Governance
    // role everywhere; the deployer is the authority in phase 军政
    let role = |contract: ContractKind, role: Role| {
        let chain = &chain;
        async move { query::<Option<AccountId>>(chain, m, contract, "role", &role).await }
    };
    assert_eq!(
        role(ContractKind::Registry, Role::Ledger).await,
        Some(ledger)
    );
    assert_eq!(
        role(ContractKind::Registry, Role::Governance).await,
        Some(gov)
    );
    assert_eq!(role(ContractKind::Registry, Role::Admin).await, Some(me));
    assert_eq!(
        role(ContractKind::SuperNodes, Role::Governance).await,
        Some(gov)
    );
    assert_eq!(role(ContractKind::SuperNodes, Role::Admin).await, Some(me));
    assert_eq!(
        role(ContractKind::Vesting, Role::Governance).await,
        Some(gov)
    );
    assert_eq!(role(ContractKind::Vesting, Role::Admin).await, Some(me));
    for token in [ContractKind::BizToken, ContractKind::TimeToken] {
        let g: Option<AccountId> = query(&chain, m, token, "governance", &()).await;
        assert_eq!(g, Some(gov), "{token}");
        let a: AccountId = query(&chain, m, token, "admin", &()).await;
        assert_eq!(a, me, "{token}");
    }
    // the ledger has no role query: governance may set its parameters, a
    // stranger may not (a dry run as the governance contract's account,
    // given native tokens for the storage deposit a call may need)
    chain
        .fund(
            &alice,
            &[from_ink(&gov)],
            1_000_000_000_000_000,
            Default::default(),
        )
        .await
        .unwrap();
    let ledger_contract =
        Contract::from_manifest(m.contract(ContractKind::Ledger).unwrap()).unwrap();
    let params: LedgerParams = query(&chain, m, ContractKind::Ledger, "params", &()).await;
    let set_params_as = |origin: AccountId32| {
        let (chain, ledger_contract) = (&chain, &ledger_contract);
        async move {
            chain
                .dry_run::<Result<(), LedgerError>>(&origin, ledger_contract, "set_params", &params)
                .await
                .unwrap()
                .value
        }
    };
    assert_eq!(set_params_as(from_ink(&gov)).await, Ok(()));
    assert_eq!(set_params_as(m.deployer.clone()).await, Ok(()));
    assert_eq!(
        set_params_as(account_of(&keypair("//Bob").unwrap())).await,
        Err(LedgerError::Unauthorized)
    );
    // governance knows the suite and runs with the deployment's settings
    let options = DeployOptions::dev();
    let contracts: Contracts = query(&chain, m, ContractKind::Governance, "contracts", &()).await;
    assert_eq!(
        contracts,
        Contracts {
            locking,
            super_nodes,
            biz_token: bt,
            time_token: tt,
            registry,
            ledger,
            vesting,
        }
    );
    let config: GovernanceConfig = query(&chain, m, ContractKind::Governance, "config", &()).await;
    assert_eq!(config, options.governance);
    let authority: Option<AccountId> =
        query(&chain, m, ContractKind::Governance, "authority", &()).await;
    assert_eq!(authority, Some(me));
    let phase: Phase = query(&chain, m, ContractKind::Governance, "phase", &()).await;
    assert_eq!(phase, Phase::Military);
    // and the others point at the right contracts
    let tiers: Vec<LockTier> = query(&chain, m, ContractKind::Locking, "tiers", &()).await;
    assert_eq!(tiers, options.lock_tiers);
    let tokens: (AccountId, AccountId) =
        query(&chain, m, ContractKind::Locking, "tokens", &()).await;
    assert_eq!(tokens, (bt, tt));
    let nodes: SuperNodeConfig = query(&chain, m, ContractKind::SuperNodes, "config", &()).await;
    assert_eq!(nodes, options.super_nodes);
    let tasks_config: (AccountId, AccountId, AccountId) =
        query(&chain, m, ContractKind::Tasks, "config", &()).await;
    assert_eq!(tasks_config, (tt, ledger, registry));
    // super nodes elected only by governance
    let elect: Result<(), SuperNodeError> =
        query(&chain, m, ContractKind::SuperNodes, "elect", &me).await;
    assert_eq!(elect, Err(SuperNodeError::Unauthorized));
}
