//! End-to-end tests of governance against `substrate-contracts-node`
//! (`CONTRACTS_NODE`), wired to the real tokens, registry, ledger, lock and
//! super-node contracts. Each test starts its own node. The node's block
//! timestamp follows the wall clock and a block is sealed only when a
//! transaction arrives, so the periods here are seconds, and waiting for a
//! vote to end means sleeping and then sending a transaction.

use crate::governance::{Governance, GovernanceRef};
use biz_token::biz_token::{BizToken, BizTokenRef};
use bizkey_types::{
    governance::*,
    ledger::{LedgerError, LedgerParams, Order, PendingForfeited, PoolSynced, ReceiptConfirmed},
    math::{Channel, ShopCost, PPM},
    psp22::{EmissionReleased, PSP22Error, PSP22},
    registry::{Category, MerchantProfile, MerchantStatus, RegistryError},
    roles::Role,
    AccountId, Balance, Hash,
};
use ink::env::{
    call::{build_call, build_create, ExecutionInput, Selector},
    DefaultEnvironment, Event,
};
use ink_e2e::{account_id, AccountKeyring, ContractsBackend};
use locking::locking::{Locking, LockingRef};
use scale::Decode;
use super_nodes::super_nodes::{SuperNodes, SuperNodesRef};
use time_token::time_token::{TimeToken, TimeTokenRef};

/// A message of the registry or the ledger, built from its selector (their
/// contract modules are private); `$ret` is its declared return type.
macro_rules! message {
    ($callee:expr, $name:literal -> $ret:ty $(, $arg:expr)*) => {
        build_call::<DefaultEnvironment>()
            .call($callee)
            .exec_input(
                ExecutionInput::new(Selector::new(ink::selector_bytes!($name)))
                    $(.push_arg($arg))*,
            )
            .returns::<$ret>()
    };
}

/// The constructor `new` of the registry or the ledger, by its selector
/// (`GovernanceRef` only fills the builder's type slot: the code comes from
/// the contract name given to `instantiate`).
macro_rules! constructor {
    ($($arg:expr),*) => {
        build_create::<GovernanceRef>()
            .exec_input(
                ExecutionInput::new(Selector::new(ink::selector_bytes!("new")))
                    $(.push_arg($arg))*,
            )
            .returns::<GovernanceRef>()
    };
}

type E2EResult<T> = Result<T, Box<dyn std::error::Error>>;

const UNIT: Balance = 1_000_000_000_000;
/// Votes are taken for this long: enough for a few transactions.
const VOTING_MS: u64 = 8_000;
/// The ledger's share of each Time emission release.
const REWARD_SHARE_PPM: u32 = 600_000;

fn config() -> GovernanceConfig {
    GovernanceConfig {
        voting_period_ms: VOTING_MS,
        execution_delay_ms: 1,
        grace_period_ms: 600_000,
        quorum_ppm: 200_000,
        threshold_ppm: 500_000,
        proposal_min_weight: 1,
    }
}

fn tiers() -> Vec<LockTier> {
    vec![
        LockTier {
            duration_ms: 60_000,
            multiplier_ppm: PPM,
        },
        LockTier {
            duration_ms: 600_000,
            multiplier_ppm: 2 * PPM,
        },
    ]
}

fn cafe() -> MerchantProfile {
    MerchantProfile {
        name: "Django's café".into(),
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

/// Deploys and wires everything as the deploy tool does: alice deploys
/// (she is the foundation authority, admin of every contract) and holds all
/// BT and the Time genesis; the Time emission feeds the ledger (60 %) and the
/// lockers; eve stands for the treasury (vesting). Returns the addresses of
/// registry, ledger, locking, super nodes and governance, then the call
/// builders of BT, TT, locking, super nodes and governance.
macro_rules! suite {
    ($client:expr) => {{
        let alice = account_id(AccountKeyring::Alice);
        let eve = account_id(AccountKeyring::Eve);
        let registry = $client
            .instantiate("registry", &ink_e2e::alice(), &mut constructor!())
            .submit()
            .await
            .expect("registry")
            .account_id;
        let biz = $client
            .instantiate(
                "biz_token",
                &ink_e2e::alice(),
                &mut BizTokenRef::new(alice, alice, alice, alice),
            )
            .submit()
            .await
            .expect("biz token");
        let time = $client
            .instantiate(
                "time_token",
                &ink_e2e::alice(),
                &mut TimeTokenRef::new(alice, alice, alice, REWARD_SHARE_PPM),
            )
            .submit()
            .await
            .expect("time token");
        let ledger = $client
            .instantiate(
                "ledger",
                &ink_e2e::alice(),
                &mut constructor!(registry, biz.account_id, time.account_id),
            )
            .submit()
            .await
            .expect("ledger")
            .account_id;
        let locking = $client
            .instantiate(
                "locking",
                &ink_e2e::alice(),
                &mut LockingRef::new(biz.account_id, time.account_id, tiers()),
            )
            .submit()
            .await
            .expect("locking");
        let super_nodes = $client
            .instantiate(
                "super_nodes",
                &ink_e2e::alice(),
                &mut SuperNodesRef::new(
                    biz.account_id,
                    registry,
                    eve,
                    SuperNodeConfig {
                        min_bond: 100 * UNIT,
                        unbonding_ms: 60_000,
                        max_super_nodes: 8,
                    },
                ),
            )
            .submit()
            .await
            .expect("super nodes");
        let contracts = Contracts {
            locking: locking.account_id,
            super_nodes: super_nodes.account_id,
            biz_token: biz.account_id,
            time_token: time.account_id,
            registry,
            ledger,
            vesting: eve,
        };
        let governance = $client
            .instantiate(
                "governance",
                &ink_e2e::alice(),
                &mut GovernanceRef::new(contracts, config()),
            )
            .submit()
            .await
            .expect("governance");
        let gov_id = governance.account_id;
        let mut biz = biz.call_builder::<BizToken>();
        let mut time = time.call_builder::<TimeToken>();
        let mut nodes = super_nodes.call_builder::<SuperNodes>();
        // governance holds the `Governance` role everywhere
        $client
            .call(
                &ink_e2e::alice(),
                &message!(registry, "set_role" -> Result<(), RegistryError>,
                    Role::Governance, Some(gov_id)),
            )
            .submit()
            .await
            .expect("registry role");
        $client
            .call(
                &ink_e2e::alice(),
                &message!(ledger, "set_role" -> Result<(), LedgerError>,
                    Role::Governance, Some(gov_id)),
            )
            .submit()
            .await
            .expect("ledger role");
        $client
            .call(&ink_e2e::alice(), &biz.set_governance(Some(gov_id)))
            .submit()
            .await
            .expect("biz role");
        $client
            .call(&ink_e2e::alice(), &time.set_governance(Some(gov_id)))
            .submit()
            .await
            .expect("time role");
        $client
            .call(&ink_e2e::alice(), &nodes.set_role(Role::Governance, Some(gov_id)))
            .submit()
            .await
            .expect("super nodes role");
        // the emission feeds the ledger's reward pool and the lockers
        $client
            .call(
                &ink_e2e::alice(),
                &time.configure_emission(ledger, locking.account_id, REWARD_SHARE_PPM),
            )
            .submit()
            .await
            .expect("emission");
        (
            (registry, ledger, locking.account_id, super_nodes.account_id, gov_id),
            (
                biz,
                time,
                locking.call_builder::<Locking>(),
                nodes,
                governance.call_builder::<Governance>(),
            ),
        )
    }};
}

/// Submits `$call` as `$who` and unwraps its (dry-run) return value.
macro_rules! submit {
    ($client:expr, $who:expr, $call:expr, $what:literal) => {
        $client
            .call($who, $call)
            .submit()
            .await
            .expect($what)
            .return_value()
            .expect(concat!($what, " errored"))
    };
}

macro_rules! read {
    ($client:expr, $call:expr) => {
        $client
            .call(&ink_e2e::alice(), $call)
            .dry_run()
            .await
            .expect("dry run")
            .return_value()
    };
}

/// Sleeps until the vote of `proposal` is over, then seals a block (alice
/// declares no platform) so that the chain's clock moves past it.
macro_rules! wait_for_the_vote {
    ($client:expr, $gov:expr, $nodes:expr, $id:expr) => {{
        let (proposal, _) = read!($client, &$gov.proposal($id)).expect("proposal");
        loop {
            std::thread::sleep(std::time::Duration::from_millis(1_000));
            $client
                .call(&ink_e2e::alice(), &$nodes.set_platform(None))
                .submit()
                .await
                .expect("tick");
            let (_, status) = read!($client, &$gov.proposal($id)).expect("proposal");
            if status != ProposalStatus::Active && status != ProposalStatus::Queued {
                assert_eq!(status, ProposalStatus::Executable, "{proposal:?}");
                break;
            }
        }
    }};
}

#[ink_e2e::test]
async fn referendums_lead_to_tutelage_where_super_nodes_verify_then_to_the_constitution<
    Client: E2EBackend,
>(
    mut client: Client,
) -> E2EResult<()> {
    // given the suite; bob locks 1,000 BT for the longer tier, charlie bonds
    // 100 BT as candidate for region "wtw3", django runs a pending café there
    let (
        (registry, ledger, locking, super_nodes, gov_id),
        (mut biz, mut time, mut locks, mut nodes, mut gov),
    ) = suite!(client);
    let alice = account_id(AccountKeyring::Alice);
    let (bob, charlie, django) = (
        account_id(AccountKeyring::Bob),
        account_id(AccountKeyring::Charlie),
        account_id(AccountKeyring::Dave),
    );
    for to in [bob, charlie] {
        submit!(
            client,
            &ink_e2e::alice(),
            &biz.transfer(to, 10_000 * UNIT, Vec::new()),
            "fund"
        );
    }
    submit!(
        client,
        &ink_e2e::bob(),
        &biz.approve(locking, 1_000 * UNIT),
        "approve lock"
    );
    submit!(
        client,
        &ink_e2e::bob(),
        &locks.lock(1_000 * UNIT, 1),
        "lock"
    );
    let lock = read!(client, &locks.lock_of(bob)).expect("a lock");
    assert_eq!(lock.weight, 2_000 * UNIT);
    submit!(
        client,
        &ink_e2e::charlie(),
        &biz.approve(super_nodes, 100 * UNIT),
        "approve bond"
    );
    let region = Scope::Region(b"wtw3".to_vec());
    submit!(
        client,
        &ink_e2e::charlie(),
        &nodes.register_candidate(region.clone(), 100 * UNIT),
        "bond"
    );
    submit!(
        client,
        &ink_e2e::dave(),
        &message!(registry, "register_merchant" -> Result<(), RegistryError>,
            cafe(), None::<AccountId>, 500_000u32),
        "register merchant"
    );

    // when bob proposes to elect charlie and to enter 训政, and votes for both
    // (dave, who has no lock, cannot vote; the authority cannot elect)
    assert_eq!(
        read!(client, &nodes.elect(charlie)),
        Err(SuperNodeError::Unauthorized)
    );
    let elect = submit!(
        client,
        &ink_e2e::bob(),
        &gov.propose(Action::ElectSuperNode(charlie), Hash::from([1; 32])),
        "propose election"
    );
    let tutelage = submit!(
        client,
        &ink_e2e::bob(),
        &gov.propose(Action::AdvancePhase(Phase::Tutelage), Hash::from([2; 32])),
        "propose 训政"
    );
    for id in [elect, tutelage] {
        submit!(client, &ink_e2e::bob(), &gov.vote(id, true), "vote");
    }
    assert_eq!(
        client
            .call(&ink_e2e::dave(), &gov.vote(elect, true))
            .dry_run()
            .await?
            .return_value(),
        Err(GovernanceError::NoLock)
    );
    assert_eq!(
        read!(client, &gov.execute(elect)),
        Err(GovernanceError::NotExecutable)
    );
    // a merchant cannot be verified by super nodes in 军政
    wait_for_the_vote!(client, gov, nodes, tutelage);
    let executed = client
        .call(&ink_e2e::eve(), &gov.execute(elect))
        .submit()
        .await
        .expect("execute election");
    let events = executed.contract_emitted_events()?;
    assert!(events
        .iter()
        .any(|e| e.topics.first().map(|t| t.0) == <SuperNodeElected as Event>::SIGNATURE_TOPIC));
    assert!(events
        .iter()
        .any(|e| e.topics.first().map(|t| t.0) == <ProposalExecuted as Event>::SIGNATURE_TOPIC));
    assert_eq!(
        client
            .call(&ink_e2e::charlie(), &nodes.verify_merchant(django, true))
            .dry_run()
            .await?
            .return_value(),
        Err(SuperNodeError::WrongPhase)
    );
    submit!(
        client,
        &ink_e2e::eve(),
        &gov.execute(tutelage),
        "execute 训政"
    );

    // then charlie is a super node, the phase is 训政 and the registry's
    // admin is governance: the authority verifies no more
    assert_eq!(
        read!(client, &nodes.super_nodes()),
        vec![(charlie, region.clone())]
    );
    assert_eq!(read!(client, &gov.phase()), Phase::Tutelage);
    assert_eq!(
        read!(
            client,
            &message!(registry, "role" -> Option<AccountId>, Role::Admin)
        ),
        Some(gov_id)
    );
    assert_eq!(
        read!(
            client,
            &message!(registry, "set_merchant_status" -> Result<(), RegistryError>,
            django, MerchantStatus::Verified)
        ),
        Err(RegistryError::Unauthorized)
    );
    let (executed, status) = read!(client, &gov.proposal(elect)).expect("proposal");
    assert!(executed.executed);
    assert_eq!(status, ProposalStatus::Executed);

    // when charlie, the only super node covering the café, approves it
    assert_eq!(
        client
            .call(&ink_e2e::bob(), &nodes.verify_merchant(django, true))
            .dry_run()
            .await?
            .return_value(),
        Err(SuperNodeError::Unauthorized)
    );
    let verified = client
        .call(&ink_e2e::charlie(), &nodes.verify_merchant(django, true))
        .submit()
        .await
        .expect("verify");
    let events = verified.contract_emitted_events()?;
    let decided = events
        .iter()
        .find(|e| e.topics.first().map(|t| t.0) == <VerificationDecided as Event>::SIGNATURE_TOPIC)
        .expect("a decision");
    assert_eq!(
        VerificationDecided::decode(&mut &decided.event.data[..])?,
        VerificationDecided {
            merchant: django,
            verified: true
        }
    );

    // then the registry says verified
    let status: Option<bizkey_types::registry::Merchant> = read!(
        client,
        &message!(registry, "merchant" -> Option<bizkey_types::registry::Merchant>, django)
    );
    assert_eq!(status.expect("registered").status, MerchantStatus::Verified);
    // and a verified merchant is not up for verification any more
    assert_eq!(
        client
            .call(&ink_e2e::charlie(), &nodes.verify_merchant(django, true))
            .dry_run()
            .await?
            .return_value(),
        Err(SuperNodeError::NotPending)
    );

    // when bob proposes 宪政 and it passes
    let constitution = submit!(
        client,
        &ink_e2e::bob(),
        &gov.propose(
            Action::AdvancePhase(Phase::Constitutional),
            Hash::from([3; 32])
        ),
        "propose 宪政"
    );
    submit!(
        client,
        &ink_e2e::bob(),
        &gov.vote(constitution, true),
        "vote 宪政"
    );
    let spare = submit!(
        client,
        &ink_e2e::bob(),
        &gov.propose(Action::RemoveCustomer(django), Hash::from([4; 32])),
        "propose spare"
    );
    wait_for_the_vote!(client, gov, nodes, constitution);
    submit!(
        client,
        &ink_e2e::eve(),
        &gov.execute(constitution),
        "execute 宪政"
    );

    // then the authority has no powers left anywhere
    assert_eq!(read!(client, &gov.phase()), Phase::Constitutional);
    assert_eq!(read!(client, &gov.authority()), None);
    assert_eq!(
        read!(client, &gov.veto(spare)),
        Err(GovernanceError::Unauthorized)
    );
    assert_eq!(
        client
            .call(
                &ink_e2e::alice(),
                &nodes.slash(charlie, Hash::from([9; 32]))
            )
            .dry_run()
            .await?
            .return_value(),
        Err(SuperNodeError::Unauthorized)
    );
    assert_eq!(
        client
            .call(&ink_e2e::alice(), &nodes.set_role(Role::Admin, Some(alice)))
            .dry_run()
            .await?
            .return_value(),
        Err(SuperNodeError::Unauthorized)
    );
    assert_eq!(
        read!(
            client,
            &message!(registry, "set_role" -> Result<(), RegistryError>, Role::Admin, Some(alice))
        ),
        Err(RegistryError::Unauthorized)
    );
    assert_eq!(
        read!(
            client,
            &message!(ledger, "set_params" -> Result<(), LedgerError>, LedgerParams::default())
        ),
        Err(LedgerError::Unauthorized)
    );
    assert_eq!(
        read!(
            client,
            &message!(ledger, "set_role" -> Result<(), LedgerError>, Role::Admin, Some(alice))
        ),
        Err(LedgerError::Unauthorized)
    );
    assert_eq!(
        client
            .call(&ink_e2e::alice(), &biz.set_governance(Some(alice)))
            .dry_run()
            .await?
            .return_value(),
        Err(PSP22Error::Unauthorized)
    );
    assert_eq!(
        client
            .call(&ink_e2e::alice(), &time.configure_emission(alice, alice, 0))
            .dry_run()
            .await?
            .return_value(),
        Err(PSP22Error::Unauthorized)
    );
    assert_eq!(read!(client, &biz.admin()), gov_id);
    assert_eq!(read!(client, &time.admin()), gov_id);
    assert_eq!(read!(client, &nodes.role(Role::Admin)), Some(gov_id));
    Ok(())
}

#[ink_e2e::test]
async fn the_emission_feeds_the_reward_pool_and_the_lockers<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // given the suite and bob locking 1,000 BT
    let (
        (_registry, ledger, locking, _super_nodes, _gov_id),
        (mut biz, time, mut locks, _nodes, _gov),
    ) = suite!(client);
    let bob = account_id(AccountKeyring::Bob);
    submit!(
        client,
        &ink_e2e::alice(),
        &biz.transfer(bob, 1_000 * UNIT, Vec::new()),
        "fund"
    );
    submit!(
        client,
        &ink_e2e::bob(),
        &biz.approve(locking, 1_000 * UNIT),
        "approve"
    );
    submit!(
        client,
        &ink_e2e::bob(),
        &locks.lock(1_000 * UNIT, 0),
        "lock"
    );

    // when a stranger releases the accrued emission through the lockers'
    // contract (a few blocks after the Time token's start)
    let released = client
        .call(&ink_e2e::eve(), &locks.release_emission())
        .submit()
        .await
        .expect("release");

    // then the token minted to the ledger and to the lockers by the split
    let events = released.contract_emitted_events()?;
    let release = events
        .iter()
        .find(|e| e.topics.first().map(|t| t.0) == <EmissionReleased as Event>::SIGNATURE_TOPIC)
        .expect("a release");
    let release = EmissionReleased::decode(&mut &release.event.data[..])?;
    assert!(release.amount > 0, "no time passed");
    assert_eq!(
        release.to_reward_pool,
        release.amount * u128::from(REWARD_SHARE_PPM) / u128::from(PPM)
    );
    assert_eq!(
        release.to_dividend_pool,
        release.amount - release.to_reward_pool
    );
    assert_eq!(
        read!(client, &time.balance_of(ledger)),
        release.to_reward_pool
    );
    assert_eq!(
        read!(client, &time.balance_of(locking)),
        release.to_dividend_pool
    );
    // and the lockers' share was distributed in the same call
    let distributed = events
        .iter()
        .find(|e| e.topics.first().map(|t| t.0) == <DividendsDistributed as Event>::SIGNATURE_TOPIC)
        .expect("a distribution");
    let distributed = DividendsDistributed::decode(&mut &distributed.event.data[..])?;
    assert_eq!(distributed.amount, release.to_dividend_pool);

    // when the ledger syncs its pools, and bob claims
    // (the ledger reports its pools in the `PoolSynced` event of `sync`)
    let synced = client
        .call(
            &ink_e2e::eve(),
            &message!(ledger, "sync" -> Result<(), LedgerError>),
        )
        .submit()
        .await
        .expect("sync");
    let synced = synced.contract_emitted_events()?;
    let synced = synced
        .iter()
        .find(|e| e.topics.first().map(|t| t.0) == <PoolSynced as Event>::SIGNATURE_TOPIC)
        .expect("a PoolSynced event");
    let time_pool = PoolSynced::decode(&mut &synced.event.data[..])?.time;
    let pending = read!(client, &locks.pending_dividends(bob));
    let claimed = client
        .call(&ink_e2e::bob(), &locks.claim_dividends())
        .submit()
        .await
        .expect("claim");
    let claim_events = claimed.contract_emitted_events()?;
    let paid = claim_events
        .iter()
        .find(|e| e.topics.first().map(|t| t.0) == <DividendsClaimed as Event>::SIGNATURE_TOPIC)
        .expect("a claim");
    let paid = DividendsClaimed::decode(&mut &paid.event.data[..])?;

    // then the ledger's Time reward pool holds the reward share, and bob —
    // the only locker — got the whole dividend share (less at most one unit
    // of rounding) as Time
    assert_eq!(
        time_pool.available + time_pool.reserved,
        release.to_reward_pool
    );
    assert!(paid.amount >= pending);
    assert!(paid.amount <= release.to_dividend_pool);
    assert!(release.to_dividend_pool - paid.amount <= 1);
    assert_eq!(read!(client, &time.balance_of(bob)), paid.amount);
    Ok(())
}

#[ink_e2e::test]
async fn a_merchant_removed_by_referendum_loses_its_biz_and_pending_rewards<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // given the suite with the registry pushing merchants to the funded
    // ledger; bob locks 1,000 BT; django runs a verified café that sold to
    // ferdie (rewards pending) and holds 50 BT
    let (
        (registry, ledger, locking, _super_nodes, _gov_id),
        (mut biz, _time, mut locks, mut nodes, mut gov),
    ) = suite!(client);
    let (bob, django, ferdie) = (
        account_id(AccountKeyring::Bob),
        account_id(AccountKeyring::Dave),
        account_id(AccountKeyring::Ferdie),
    );
    submit!(
        client,
        &ink_e2e::alice(),
        &message!(registry, "set_role" -> Result<(), RegistryError>,
            Role::Ledger, Some(ledger)),
        "registry: the ledger"
    );
    for (to, amount) in [
        (bob, 1_000 * UNIT),
        (django, 50 * UNIT),
        (ledger, 1_000_000 * UNIT),
    ] {
        submit!(
            client,
            &ink_e2e::alice(),
            &biz.transfer(to, amount, Vec::new()),
            "fund"
        );
    }
    submit!(
        client,
        &ink_e2e::eve(),
        &message!(ledger, "sync" -> Result<(), LedgerError>),
        "sync"
    );
    submit!(
        client,
        &ink_e2e::bob(),
        &biz.approve(locking, 1_000 * UNIT),
        "approve lock"
    );
    submit!(
        client,
        &ink_e2e::bob(),
        &locks.lock(1_000 * UNIT, 0),
        "lock"
    );
    submit!(
        client,
        &ink_e2e::dave(),
        &message!(registry, "register_merchant" -> Result<(), RegistryError>,
            cafe(), None::<AccountId>, 500_000u32),
        "register merchant"
    );
    submit!(
        client,
        &ink_e2e::alice(),
        &message!(registry, "set_merchant_status" -> Result<(), RegistryError>,
            django, MerchantStatus::Verified),
        "verify"
    );
    let order = |order_id| Order {
        order_id,
        order_time: 1,
        channel: Channel::InStore,
        amount: 5_000,
        discount: 0,
        time_paid: 0,
        items: 1,
        detail_hash: Hash::from([7; 32]),
    };
    let id = submit!(
        client,
        &ink_e2e::dave(),
        &message!(ledger, "record" -> Result<u64, LedgerError>, ferdie, order(1)),
        "record"
    );
    let confirmed = client
        .call(
            &ink_e2e::ferdie(),
            &message!(ledger, "confirm" -> Result<(), LedgerError>, id),
        )
        .submit()
        .await
        .expect("confirm");
    let confirmed = confirmed.contract_emitted_events()?;
    let confirmed = confirmed
        .iter()
        .find(|e| e.topics.first().map(|t| t.0) == <ReceiptConfirmed as Event>::SIGNATURE_TOPIC)
        .expect("a ReceiptConfirmed event");
    let rewards = ReceiptConfirmed::decode(&mut &confirmed.event.data[..])?.rewards;
    assert!(rewards.merchant_biz > 0);
    let supply = read!(client, &biz.total_supply());

    // when bob proposes django's removal, votes, and it is executed
    let removal = submit!(
        client,
        &ink_e2e::bob(),
        &gov.propose(Action::RemoveMerchant(django), Hash::from([3; 32])),
        "propose removal"
    );
    submit!(client, &ink_e2e::bob(), &gov.vote(removal, true), "vote");
    wait_for_the_vote!(client, gov, nodes, removal);
    let executed = client
        .call(&ink_e2e::eve(), &gov.execute(removal))
        .submit()
        .await
        .expect("execute removal");
    let events = executed.contract_emitted_events()?;
    let find = |topic: Option<[u8; 32]>| {
        events
            .iter()
            .find(|e| e.topics.first().map(|t| t.0) == topic)
            .map(|e| e.event.data.clone())
    };

    // then its 50 BT are burned, its pending Biz is back in the pool, the
    // registry says removed and the ledger takes no more sales from it
    let removed = AccountRemoved::decode(
        &mut &find(<AccountRemoved as Event>::SIGNATURE_TOPIC).expect("AccountRemoved")[..],
    )?;
    assert_eq!(
        (removed.account, removed.merchant, removed.burned),
        (django, true, 50 * UNIT)
    );
    let forfeited = PendingForfeited::decode(
        &mut &find(<PendingForfeited as Event>::SIGNATURE_TOPIC).expect("PendingForfeited")[..],
    )?;
    assert_eq!(
        (
            forfeited.account,
            forfeited.biz,
            forfeited.time,
            forfeited.entries
        ),
        (django, rewards.merchant_biz, 0, 1)
    );
    assert_eq!(read!(client, &biz.balance_of(django)), 0);
    assert_eq!(read!(client, &biz.total_supply()), supply - 50 * UNIT);
    let merchant = read!(
        client,
        &message!(registry, "merchant" -> Option<bizkey_types::registry::Merchant>, django)
    )
    .expect("still registered");
    assert_eq!(merchant.status, MerchantStatus::Removed);
    assert_eq!(
        client
            .call(
                &ink_e2e::dave(),
                &message!(ledger, "record" -> Result<u64, LedgerError>, ferdie, order(2)),
            )
            .dry_run()
            .await?
            .return_value(),
        Err(LedgerError::MerchantNotVerified)
    );
    Ok(())
}

#[ink_e2e::test]
async fn a_proposal_whose_execution_is_refused_fails_with_a_typed_error<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // given the suite in 军政, bob locking 1,000 BT and django's café
    // registered (pending)
    let (
        (registry, ledger, locking, _super_nodes, _gov_id),
        (mut biz, _time, mut locks, mut nodes, mut gov),
    ) = suite!(client);
    let (bob, django, ferdie) = (
        account_id(AccountKeyring::Bob),
        account_id(AccountKeyring::Dave),
        account_id(AccountKeyring::Ferdie),
    );
    submit!(
        client,
        &ink_e2e::alice(),
        &biz.transfer(bob, 1_000 * UNIT, Vec::new()),
        "fund"
    );
    // (without an allowance the BT cannot move: the token's refusal is typed)
    assert_eq!(
        client
            .call(&ink_e2e::bob(), &locks.lock(1_000 * UNIT, 0))
            .dry_run()
            .await?
            .return_value(),
        Err(LockingError::TokenCallFailed)
    );
    assert_eq!(
        client
            .call(
                &ink_e2e::bob(),
                &nodes.register_candidate(Scope::Region(b"wtw3".to_vec()), 100 * UNIT)
            )
            .dry_run()
            .await?
            .return_value(),
        Err(SuperNodeError::TokenCallFailed)
    );
    submit!(
        client,
        &ink_e2e::bob(),
        &biz.approve(locking, 1_000 * UNIT),
        "approve lock"
    );
    submit!(
        client,
        &ink_e2e::bob(),
        &locks.lock(1_000 * UNIT, 0),
        "lock"
    );
    submit!(
        client,
        &ink_e2e::dave(),
        &message!(registry, "register_merchant" -> Result<(), RegistryError>,
            cafe(), None::<AccountId>, 500_000u32),
        "register merchant"
    );

    // when bob proposes actions the other contracts will refuse, and they pass
    let refused = [
        // ferdie is no customer
        (
            Action::RemoveCustomer(ferdie),
            GovernanceError::RegistryCallFailed,
        ),
        // ferdie is no super node
        (
            Action::RevokeSuperNode {
                node: ferdie,
                slash: false,
            },
            GovernanceError::SuperNodesCallFailed,
        ),
        // the treasury holds no such amount
        (
            Action::TreasurySpend {
                to: bob,
                amount: Balance::MAX / 2,
            },
            GovernanceError::VestingCallFailed,
        ),
        // Time's admin is still the authority (军政)
        (
            Action::SetEmissionSplit(500_000),
            GovernanceError::TokenCallFailed,
        ),
        // the ledger will have taken governance's role away (below)
        (
            Action::RemoveMerchant(django),
            GovernanceError::LedgerCallFailed,
        ),
    ];
    let mut ids = Vec::new();
    for (n, (action, _)) in refused.iter().enumerate() {
        let id = submit!(
            client,
            &ink_e2e::bob(),
            &gov.propose(action.clone(), Hash::from([n as u8; 32])),
            "propose"
        );
        submit!(client, &ink_e2e::bob(), &gov.vote(id, true), "vote");
        ids.push(id);
    }
    submit!(
        client,
        &ink_e2e::alice(),
        &message!(ledger, "set_role" -> Result<(), LedgerError>, Role::Governance, None::<AccountId>),
        "ledger: no governance"
    );
    wait_for_the_vote!(client, gov, nodes, *ids.last().expect("proposals"));

    // then each execution fails with the error of the refusing contract,
    // and changes nothing: django is still pending in the registry
    for (id, (action, error)) in ids.iter().zip(refused) {
        assert_eq!(read!(client, &gov.execute(*id)), Err(error), "{action:?}");
    }
    let merchant = read!(
        client,
        &message!(registry, "merchant" -> Option<bizkey_types::registry::Merchant>, django)
    )
    .expect("registered");
    assert_eq!(merchant.status, MerchantStatus::Pending);
    Ok(())
}
