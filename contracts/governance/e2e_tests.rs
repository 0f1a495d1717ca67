//! End-to-end tests of governance against `substrate-contracts-node`
//! (`CONTRACTS_NODE`), wired to the real tokens, registry, ledger, lock and
//! super-node contracts. Each test starts its own node. The node's block
//! timestamp follows the wall clock and a block is sealed only when a
//! transaction arrives, so the periods here are seconds, and waiting for a
//! vote to end means sleeping and then sending a transaction.

use crate::governance::{Governance, GovernanceRef};
use biz_token::biz_token::{BizToken, BizTokenRef};
use bizkey_e2e_kit::{constructor, message, E2EResult};
use bizkey_types::{
    governance::*,
    ledger::{
        LedgerError, LedgerParams, Order, PendingForfeited, PoolSynced, ReceiptConfirmed,
        ReceiptFlagged, ReceiptRestored, RewardCaps,
    },
    locking::{DividendsClaimed, DividendsDistributed, LockTier, LockingApi, LockingError},
    math::{Channel, ShopCost, PPM},
    psp22::{EmissionReleased, PSP22Error, PSP22},
    registry::{Category, MerchantProfile, MerchantStatus, RegistryError},
    roles::Role,
    super_nodes::{
        Scope, SuperNodeConfig, SuperNodeElected, SuperNodeError, SuperNodesApi,
        VerificationDecided,
    },
    vesting::{Allocation, VestingError},
    AccountId, Balance, Hash,
};
use ink::env::Event;
use ink_e2e::{account_id, AccountKeyring, ContractsBackend};
use locking::locking::{Locking, LockingRef};
use scale::Decode;
use super_nodes::super_nodes::{SuperNodes, SuperNodesRef};
use time_token::time_token::{TimeToken, TimeTokenRef};

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

/// What no proposal can go below: half the voting period, the 1 ms delay,
/// a 10 % quorum, a 1 s challenge window.
fn floors() -> Floors {
    Floors {
        voting_period_ms: VOTING_MS / 2,
        execution_delay_ms: 1,
        quorum_ppm: 100_000,
        challenge_ms: 1_000,
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
/// (she is the foundation authority, admin of every contract, and the
/// beneficiary of the vested allocations) and holds all BT and the Time
/// genesis; the Time emission feeds the ledger (60 %) and the lockers;
/// vesting holds no BT (its treasury is empty). Returns the addresses of
/// registry, ledger, locking, super nodes, governance and vesting, then the
/// call builders of BT, TT, locking, super nodes and governance.
macro_rules! suite {
    ($client:expr) => {{
        let alice = account_id(AccountKeyring::Alice);
        let registry = $client
            .instantiate("registry", &ink_e2e::alice(), &mut constructor!(GovernanceRef))
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
                &mut constructor!(GovernanceRef;
                    registry,
                    biz.account_id,
                    time.account_id,
                    RewardCaps::default()
                ),
            )
            .submit()
            .await
            .expect("ledger")
            .account_id;
        let locking = $client
            .instantiate(
                "locking",
                &ink_e2e::alice(),
                &mut LockingRef::new(biz.account_id, time.account_id, registry, tiers()),
            )
            .submit()
            .await
            .expect("locking");
        let vesting = $client
            .instantiate(
                "vesting",
                &ink_e2e::alice(),
                &mut constructor!(GovernanceRef; biz.account_id, 0u64, alice, alice, alice),
            )
            .submit()
            .await
            .expect("vesting")
            .account_id;
        let super_nodes = $client
            .instantiate(
                "super_nodes",
                &ink_e2e::alice(),
                &mut SuperNodesRef::new(
                    biz.account_id,
                    registry,
                    vesting,
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
            vesting,
        };
        let governance = $client
            .instantiate(
                "governance",
                &ink_e2e::alice(),
                &mut GovernanceRef::new(contracts, config(), floors()),
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
        $client
            .call(
                &ink_e2e::alice(),
                &message!(vesting, "set_role" -> Result<(), VestingError>,
                    Role::Governance, Some(gov_id)),
            )
            .submit()
            .await
            .expect("vesting role");
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
            (registry, ledger, locking.account_id, super_nodes.account_id, gov_id, vesting),
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

/// `$who` approves the locking contract for `$amount` BT and locks it at
/// tier `$tier`.
macro_rules! lock {
    ($client:expr, $who:expr, $biz:expr, $locks:expr, $locking:expr, $amount:expr, $tier:expr) => {{
        submit!(
            $client,
            $who,
            &$biz.approve($locking, $amount),
            "approve lock"
        );
        submit!($client, $who, &$locks.lock($amount, $tier), "lock");
    }};
}

/// Sleeps until the vote of `proposal` is over, then seals a block (alice
/// approves nobody for nothing) so that the chain's clock moves past it.
macro_rules! wait_for_the_vote {
    ($client:expr, $gov:expr, $biz:expr, $id:expr) => {{
        let (proposal, _) = read!($client, &$gov.proposal($id)).expect("proposal");
        loop {
            std::thread::sleep(std::time::Duration::from_millis(1_000));
            $client
                .call(
                    &ink_e2e::alice(),
                    &$biz.approve(AccountId::from([1; 32]), 0),
                )
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
        (registry, ledger, locking, super_nodes, gov_id, vesting),
        (mut biz, mut time, mut locks, mut nodes, mut gov),
    ) = suite!(client);
    let alice = account_id(AccountKeyring::Alice);
    let (bob, charlie, django) = (
        account_id(AccountKeyring::Bob),
        account_id(AccountKeyring::Charlie),
        account_id(AccountKeyring::Dave),
    );
    // (in 军政 the authority holds every admin role: these would pass —
    // but it cannot name itself vesting's governance, which would hand it
    // the allocations and the treasury)
    assert_eq!(
        read!(
            client,
            &message!(vesting, "set_role" -> Result<(), VestingError>, Role::Admin, Some(alice))
        ),
        Ok(())
    );
    assert_eq!(
        read!(
            client,
            &message!(ledger, "set_params" -> Result<(), LedgerError>, LedgerParams::default())
        ),
        Ok(())
    );
    assert_eq!(
        read!(client, &time.configure_emission(alice, alice, 0)),
        Ok(())
    );
    assert_eq!(
        read!(
            client,
            &message!(vesting, "set_role" -> Result<(), VestingError>,
                Role::Governance, Some(alice))
        ),
        Err(VestingError::Unauthorized)
    );
    for to in [bob, charlie] {
        submit!(
            client,
            &ink_e2e::alice(),
            &biz.transfer(to, 10_000 * UNIT, Vec::new()),
            "fund"
        );
    }
    lock!(
        client,
        &ink_e2e::bob(),
        biz,
        locks,
        locking,
        1_000 * UNIT,
        1
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
    // attack: a stranger declares django's platform, to pick who covers it;
    // only a registered merchant declares its own
    let (stranger, merchant) = (ink_e2e::ferdie(), ink_e2e::dave());
    for (who, expected) in [
        (&stranger, Err(SuperNodeError::NotMerchant)),
        (&merchant, Ok(())),
    ] {
        let declared = client
            .call(who, &nodes.set_platform(Some(7)))
            .dry_run()
            .await?
            .return_value();
        assert_eq!(declared, expected);
    }

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
    wait_for_the_vote!(client, gov, biz, tutelage);
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
    // and to suspend django, which is executed in 宪政 (where the authority
    // cannot suspend any more)
    let suspend = submit!(
        client,
        &ink_e2e::bob(),
        &gov.propose(
            Action::SetSuspended {
                account: django,
                merchant: true,
                suspended: true
            },
            Hash::from([5; 32])
        ),
        "propose suspension"
    );
    submit!(
        client,
        &ink_e2e::bob(),
        &gov.vote(suspend, true),
        "vote suspension"
    );
    let spare = submit!(
        client,
        &ink_e2e::bob(),
        &gov.propose(Action::RemoveCustomer(django), Hash::from([4; 32])),
        "propose spare"
    );
    wait_for_the_vote!(client, gov, biz, constitution);
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
    // vesting: the allocations and the treasury are out of its reach
    assert_eq!(
        read!(
            client,
            &message!(vesting, "role" -> Option<AccountId>, Role::Admin)
        ),
        Some(gov_id)
    );
    for role in [Role::Admin, Role::Governance] {
        assert_eq!(
            read!(
                client,
                &message!(vesting, "set_role" -> Result<(), VestingError>, role, Some(alice))
            ),
            Err(VestingError::Unauthorized),
            "{role:?}"
        );
    }
    assert_eq!(
        read!(
            client,
            &message!(vesting, "VestingApi::set_beneficiary" -> Result<(), VestingError>,
                Allocation::Team, alice)
        ),
        Err(VestingError::Unauthorized)
    );
    assert_eq!(
        read!(
            client,
            &message!(vesting, "VestingApi::spend_ecosystem" -> Result<(), VestingError>,
                alice, 1u128)
        ),
        Err(VestingError::Unauthorized)
    );
    // the ledger: no role, no flag, no removal, no caps
    for role in [Role::Governance, Role::Reporter, Role::Registry] {
        assert_eq!(
            read!(
                client,
                &message!(ledger, "set_role" -> Result<(), LedgerError>, role, Some(alice))
            ),
            Err(LedgerError::Unauthorized),
            "{role:?}"
        );
    }
    assert_eq!(
        read!(
            client,
            &message!(ledger, "flag" -> Result<(), LedgerError>, 0u64, Hash::default())
        ),
        Err(LedgerError::Unauthorized)
    );
    assert_eq!(
        read!(
            client,
            &message!(ledger, "forfeit_pending" -> Result<(), LedgerError>, bob, 10u32)
        ),
        Err(LedgerError::Unauthorized)
    );
    assert_eq!(
        read!(
            client,
            &message!(ledger, "set_caps" -> Result<(), LedgerError>, RewardCaps::NONE)
        ),
        Err(LedgerError::Unauthorized)
    );
    // the tokens: no admin, no governance, no emission target
    assert_eq!(
        read!(client, &biz.set_admin(alice)),
        Err(PSP22Error::Unauthorized)
    );
    assert_eq!(
        read!(client, &time.set_admin(alice)),
        Err(PSP22Error::Unauthorized)
    );
    assert_eq!(
        read!(client, &time.set_governance(Some(alice))),
        Err(PSP22Error::Unauthorized)
    );
    // the registry: no verification, no suspension, no role
    for status in [MerchantStatus::Suspended, MerchantStatus::Removed] {
        assert_eq!(
            read!(
                client,
                &message!(registry, "set_merchant_status" -> Result<(), RegistryError>,
                    django, status)
            ),
            Err(RegistryError::Unauthorized)
        );
    }
    assert_eq!(
        read!(
            client,
            &message!(registry, "set_role" -> Result<(), RegistryError>,
                Role::Ledger, Some(alice))
        ),
        Err(RegistryError::Unauthorized)
    );
    // but a referendum still suspends a merchant
    wait_for_the_vote!(client, gov, biz, suspend);
    submit!(
        client,
        &ink_e2e::eve(),
        &gov.execute(suspend),
        "execute suspension"
    );
    let status: Option<bizkey_types::registry::Merchant> = read!(
        client,
        &message!(registry, "merchant" -> Option<bizkey_types::registry::Merchant>, django)
    );
    assert_eq!(
        status.expect("registered").status,
        MerchantStatus::Suspended
    );
    Ok(())
}

#[ink_e2e::test]
async fn the_emission_feeds_the_reward_pool_and_the_lockers<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // given the suite and bob locking 1,000 BT
    let (
        (_registry, ledger, locking, _super_nodes, _gov_id, _vesting),
        (mut biz, time, mut locks, _nodes, _gov),
    ) = suite!(client);
    let bob = account_id(AccountKeyring::Bob);
    submit!(
        client,
        &ink_e2e::alice(),
        &biz.transfer(bob, 1_000 * UNIT, Vec::new()),
        "fund"
    );
    lock!(
        client,
        &ink_e2e::bob(),
        biz,
        locks,
        locking,
        1_000 * UNIT,
        0
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
    // ledger (a 1 s challenge window); bob locks 1,000 BT; django runs a
    // verified café that sold to ferdie (django's Biz pending, ferdie's
    // cashback claimed), holds 50 BT, locks 10 more and bonds 100 as a
    // super-node candidate
    let (
        (registry, ledger, locking, super_nodes, _gov_id, vesting),
        (mut biz, mut time, mut locks, mut nodes, mut gov),
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
        (django, 160 * UNIT),
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
        &ink_e2e::alice(),
        &time.transfer(ledger, 1_000_000 * UNIT, Vec::new()),
        "fund Time"
    );
    submit!(
        client,
        &ink_e2e::eve(),
        &message!(ledger, "sync" -> Result<(), LedgerError>),
        "sync"
    );
    let short_window = LedgerParams {
        challenge_ms: 1_000,
        ..LedgerParams::default()
    };
    submit!(
        client,
        &ink_e2e::alice(),
        &message!(ledger, "set_params" -> Result<(), LedgerError>, short_window),
        "short window"
    );
    lock!(
        client,
        &ink_e2e::bob(),
        biz,
        locks,
        locking,
        1_000 * UNIT,
        0
    );
    lock!(client, &ink_e2e::dave(), biz, locks, locking, 10 * UNIT, 0);
    submit!(
        client,
        &ink_e2e::dave(),
        &biz.approve(super_nodes, 100 * UNIT),
        "approve bond"
    );
    submit!(
        client,
        &ink_e2e::dave(),
        &nodes.register_candidate(Scope::Region(b"u4".to_vec()), 100 * UNIT),
        "bond"
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
    // (and a second sale, recorded but not yet confirmed)
    let open = submit!(
        client,
        &ink_e2e::dave(),
        &message!(ledger, "record" -> Result<u64, LedgerError>, ferdie, order(3)),
        "record"
    );
    // (a block after the window, so that the claim's dry run, which sets
    // its gas, sees the rewards matured)
    std::thread::sleep(std::time::Duration::from_millis(2_000));
    submit!(
        client,
        &ink_e2e::eve(),
        &message!(ledger, "sync" -> Result<(), LedgerError>),
        "tick"
    );
    let (_, cashback) = submit!(
        client,
        &ink_e2e::ferdie(),
        &message!(ledger, "claim" -> Result<(Balance, Balance), LedgerError>, 10u32),
        "claim"
    );
    assert_eq!(cashback, rewards.customer_time);
    assert!(cashback > 0);
    let supply = read!(client, &biz.total_supply());
    let treasury = read!(client, &biz.balance_of(vesting));
    let pool_time = read!(client, &time.balance_of(ledger));

    // when bob proposes django's removal and the clawback of ferdie's
    // cashback (the sale proven fraudulent), votes, and both are executed
    let removal = submit!(
        client,
        &ink_e2e::bob(),
        &gov.propose(Action::RemoveMerchant(django), Hash::from([3; 32])),
        "propose removal"
    );
    let clawback = submit!(
        client,
        &ink_e2e::bob(),
        &gov.propose(
            Action::Clawback {
                from: ferdie,
                biz: 0,
                time: cashback,
            },
            Hash::from([4; 32])
        ),
        "propose clawback"
    );
    for id in [removal, clawback] {
        submit!(client, &ink_e2e::bob(), &gov.vote(id, true), "vote");
    }
    wait_for_the_vote!(client, gov, biz, clawback);
    submit!(
        client,
        &ink_e2e::eve(),
        &gov.execute(clawback),
        "execute clawback"
    );
    // (the claimed cashback is back in the ledger's pool)
    assert_eq!(read!(client, &time.balance_of(ferdie)), 0);
    assert_eq!(
        read!(client, &time.balance_of(ledger)),
        pool_time + cashback
    );
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

    // then its 50 BT and the 10 of its lock are burned, its bond is in the
    // treasury, its pending Biz is back in the pool, the registry says
    // removed and the ledger takes no more sales from it
    let removed = AccountRemoved::decode(
        &mut &find(<AccountRemoved as Event>::SIGNATURE_TOPIC).expect("AccountRemoved")[..],
    )?;
    assert_eq!(
        (removed.account, removed.merchant, removed.burned),
        (django, true, 60 * UNIT)
    );
    let forfeited = PendingForfeited::decode(
        &mut &find(<PendingForfeited as Event>::SIGNATURE_TOPIC).expect("PendingForfeited")[..],
    )?;
    assert_eq!(
        (
            forfeited.account,
            forfeited.biz,
            forfeited.time,
            forfeited.entries,
            forfeited.remaining
        ),
        (django, rewards.merchant_biz, 0, 1, 0)
    );
    assert_eq!(read!(client, &biz.balance_of(django)), 0);
    assert_eq!(read!(client, &biz.total_supply()), supply - 60 * UNIT);
    assert_eq!(read!(client, &locks.lock_of(django)), None);
    assert_eq!(read!(client, &nodes.candidate(django)).0, None);
    assert_eq!(
        read!(client, &biz.balance_of(vesting)),
        treasury + 100 * UNIT
    );
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
    // nor is its open receipt paid when the customer confirms it
    assert_eq!(
        client
            .call(
                &ink_e2e::ferdie(),
                &message!(ledger, "confirm" -> Result<(), LedgerError>, open),
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
        (registry, ledger, locking, _super_nodes, _gov_id, _vesting),
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
    lock!(
        client,
        &ink_e2e::bob(),
        biz,
        locks,
        locking,
        1_000 * UNIT,
        0
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
    wait_for_the_vote!(client, gov, biz, *ids.last().expect("proposals"));

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

#[ink_e2e::test]
async fn attack_a_proposal_cannot_make_later_votes_instant<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // given the suite and bob, who alone has enough lock weight to pass
    // any proposal
    let (
        (_registry, ledger, locking, _super_nodes, _gov_id, _vesting),
        (mut biz, _time, mut locks, _nodes, mut gov),
    ) = suite!(client);
    submit!(
        client,
        &ink_e2e::alice(),
        &biz.transfer(account_id(AccountKeyring::Bob), 1_000 * UNIT, Vec::new()),
        "fund"
    );
    lock!(
        client,
        &ink_e2e::bob(),
        biz,
        locks,
        locking,
        1_000 * UNIT,
        1
    );
    assert_eq!(read!(client, &gov.floors()), floors());

    // when bob proposes a configuration under which every later vote is
    // instant (a 1 ms vote, no delay, no quorum), or rewards that cannot be
    // challenged (no challenge window)
    let instant = GovernanceConfig {
        voting_period_ms: 1,
        execution_delay_ms: 0,
        quorum_ppm: 0,
        ..config()
    };
    let unchallengeable = LedgerParams {
        challenge_ms: 0,
        ..LedgerParams::default()
    };
    let attacks = [
        Action::SetConfig(instant),
        Action::SetConfig(GovernanceConfig {
            voting_period_ms: floors().voting_period_ms - 1,
            ..config()
        }),
        Action::SetConfig(GovernanceConfig {
            quorum_ppm: floors().quorum_ppm - 1,
            ..config()
        }),
        Action::SetLedgerParams(unchallengeable),
    ];

    // then governance refuses each: none can even be put to the vote
    for action in attacks {
        let refused = client
            .call(
                &ink_e2e::bob(),
                &gov.propose(action.clone(), Hash::from([5; 32])),
            )
            .dry_run()
            .await?
            .return_value();
        assert_eq!(refused, Err(GovernanceError::InvalidAction), "{action:?}");
    }
    assert_eq!(read!(client, &gov.proposal_count()), 0);

    // and the most a passed proposal does is bring votes down to the
    // floors, while the ledger's reward caps change only by referendum
    let at_floors = GovernanceConfig {
        voting_period_ms: floors().voting_period_ms,
        execution_delay_ms: floors().execution_delay_ms,
        quorum_ppm: floors().quorum_ppm,
        ..config()
    };
    let caps = RewardCaps {
        receipt_time: 5 * UNIT,
        ..RewardCaps::default()
    };
    let lower = submit!(
        client,
        &ink_e2e::bob(),
        &gov.propose(Action::SetConfig(at_floors), Hash::from([6; 32])),
        "propose floors"
    );
    let capped = submit!(
        client,
        &ink_e2e::bob(),
        &gov.propose(Action::SetRewardCaps(caps), Hash::from([7; 32])),
        "propose caps"
    );
    for id in [lower, capped] {
        submit!(client, &ink_e2e::bob(), &gov.vote(id, true), "vote");
    }
    wait_for_the_vote!(client, gov, biz, capped);
    for id in [lower, capped] {
        submit!(client, &ink_e2e::eve(), &gov.execute(id), "execute");
    }
    assert_eq!(read!(client, &gov.config()), at_floors);
    // (the ledger took the caps: an execution it refused would have failed)
    let (_, status) = read!(client, &gov.proposal(capped)).expect("proposal");
    assert_eq!(status, ProposalStatus::Executed);
    assert_eq!(
        read!(
            client,
            &message!(ledger, "set_caps" -> Result<(), LedgerError>, RewardCaps::NONE)
        ),
        Err(LedgerError::Unauthorized)
    );
    let next = submit!(
        client,
        &ink_e2e::bob(),
        &gov.propose(
            Action::RemoveMerchant(account_id(AccountKeyring::Dave)),
            Hash::from([8; 32])
        ),
        "propose after"
    );
    let (p, status) = read!(client, &gov.proposal(next)).expect("proposal");
    assert_eq!(status, ProposalStatus::Active);
    assert_eq!(p.voting_end - p.created_at, floors().voting_period_ms);
    assert!(p.quorum > 0);
    Ok(())
}

#[ink_e2e::test]
async fn attack_a_rogue_reporter_is_bounded_revoked_and_its_flags_appealed<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // given the suite with the registry pushing merchants to the funded
    // ledger; bob locks 1,000 BT and ferdie 10 BT; django runs a verified
    // café that sold twice to ferdie (both confirmed, rewards pending for a
    // day); charlie is the ledger's fraud reporter; a referendum has set the
    // reporter's budget to one flag a day; the phase is 宪政, where the
    // authority names no reporter any more; eve, bonded for region "wtw3",
    // was elected super node in the same round
    let (
        (registry, ledger, locking, super_nodes, _gov_id, _vesting),
        (mut biz, mut time, mut locks, mut nodes, mut gov),
    ) = suite!(client);
    let (bob, charlie, django, eve, ferdie) = (
        account_id(AccountKeyring::Bob),
        account_id(AccountKeyring::Charlie),
        account_id(AccountKeyring::Dave),
        account_id(AccountKeyring::Eve),
        account_id(AccountKeyring::Ferdie),
    );
    submit!(
        client,
        &ink_e2e::alice(),
        &message!(registry, "set_role" -> Result<(), RegistryError>,
            Role::Ledger, Some(ledger)),
        "registry: the ledger"
    );
    submit!(
        client,
        &ink_e2e::alice(),
        &message!(ledger, "set_role" -> Result<(), LedgerError>,
            Role::Reporter, Some(charlie)),
        "ledger: the reporter"
    );
    submit!(
        client,
        &ink_e2e::alice(),
        &message!(ledger, "set_role" -> Result<(), LedgerError>,
            Role::SuperNodes, Some(super_nodes)),
        "ledger: the super nodes"
    );
    for (to, amount) in [
        (bob, 1_000 * UNIT),
        (ferdie, 10 * UNIT),
        (eve, 100 * UNIT),
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
        &ink_e2e::alice(),
        &time.transfer(ledger, 1_000_000 * UNIT, Vec::new()),
        "fund Time"
    );
    submit!(
        client,
        &ink_e2e::eve(),
        &message!(ledger, "sync" -> Result<(), LedgerError>),
        "sync"
    );
    lock!(
        client,
        &ink_e2e::bob(),
        biz,
        locks,
        locking,
        1_000 * UNIT,
        1
    );
    lock!(
        client,
        &ink_e2e::ferdie(),
        biz,
        locks,
        locking,
        10 * UNIT,
        1
    );
    submit!(
        client,
        &ink_e2e::eve(),
        &biz.approve(super_nodes, 100 * UNIT),
        "approve bond"
    );
    submit!(
        client,
        &ink_e2e::eve(),
        &nodes.register_candidate(Scope::Region(b"wtw3".to_vec()), 100 * UNIT),
        "bond"
    );
    let budget = RewardCaps {
        reporter_day_flags: 1,
        ..RewardCaps::default()
    };
    let mut round = Vec::new();
    for (action, text) in [
        (Action::SetRewardCaps(budget), 1),
        (Action::AdvancePhase(Phase::Tutelage), 2),
        (Action::ElectSuperNode(eve), 6),
    ] {
        round.push(submit!(
            client,
            &ink_e2e::bob(),
            &gov.propose(action, Hash::from([text; 32])),
            "propose"
        ));
    }
    for id in &round {
        submit!(client, &ink_e2e::bob(), &gov.vote(*id, true), "vote");
    }
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
    let mut sales = Vec::new();
    for order_id in [1u64, 2] {
        let order = Order {
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
            &message!(ledger, "record" -> Result<u64, LedgerError>, ferdie, order),
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
        assert!(rewards.merchant_biz > 0 && rewards.customer_time > 0);
        sales.push((id, rewards));
    }
    let [(honest, rewards), (other, _)] = [sales[0], sales[1]];
    wait_for_the_vote!(client, gov, biz, round[2]);
    for id in &round {
        submit!(client, &ink_e2e::eve(), &gov.execute(*id), "execute");
    }
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
        "vote"
    );
    wait_for_the_vote!(client, gov, biz, constitution);
    submit!(
        client,
        &ink_e2e::eve(),
        &gov.execute(constitution),
        "execute 宪政"
    );
    assert_eq!(read!(client, &gov.phase()), Phase::Constitutional);
    let refused = client
        .call(
            &ink_e2e::alice(),
            &message!(ledger, "set_role" -> Result<(), LedgerError>,
                Role::Reporter, None::<AccountId>),
        )
        .dry_run()
        .await?
        .return_value();
    assert_eq!(refused, Err(LedgerError::Unauthorized));

    // when the reporter, gone rogue (or its key leaked), flags the honest
    // sale and then the other one
    let flag =
        |id: u64| message!(ledger, "flag" -> Result<(), LedgerError>, id, Hash::from([9; 32]));
    submit!(client, &ink_e2e::charlie(), &flag(honest), "flag");

    // then the second flag is beyond its budget and refused
    let beyond = client
        .call(&ink_e2e::charlie(), &flag(other))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(beyond, Err(LedgerError::FlagBudgetExceeded));

    // and when ferdie, the customer, appeals the flag and bob proposes to
    // revoke the reporter, both pass and are executed
    let appeal = submit!(
        client,
        &ink_e2e::ferdie(),
        &gov.propose(Action::RestoreReceipt(honest), Hash::from([4; 32])),
        "propose the appeal"
    );
    let revoke = submit!(
        client,
        &ink_e2e::bob(),
        &gov.propose(
            Action::SetLedgerRole {
                role: Role::Reporter,
                account: None,
            },
            Hash::from([5; 32])
        ),
        "propose the revocation"
    );
    for id in [appeal, revoke] {
        submit!(client, &ink_e2e::bob(), &gov.vote(id, true), "vote");
    }
    wait_for_the_vote!(client, gov, biz, revoke);
    submit!(
        client,
        &ink_e2e::eve(),
        &gov.execute(revoke),
        "execute the revocation"
    );
    let executed = client
        .call(&ink_e2e::eve(), &gov.execute(appeal))
        .submit()
        .await
        .expect("execute the appeal");
    let events = executed.contract_emitted_events()?;
    let restored = events
        .iter()
        .find(|e| e.topics.first().map(|t| t.0) == <ReceiptRestored as Event>::SIGNATURE_TOPIC)
        .expect("a ReceiptRestored event");
    let restored = ReceiptRestored::decode(&mut &restored.event.data[..])?;

    // then the former reporter can flag no more
    let revoked = client
        .call(&ink_e2e::charlie(), &flag(other))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(revoked, Err(LedgerError::Unauthorized));
    // but a super node covering django flags (DESIGN §3.3), and nobody else
    let stranger = client
        .call(&ink_e2e::ferdie(), &flag(other))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(stranger, Err(LedgerError::Unauthorized));
    let flagged = client
        .call(&ink_e2e::eve(), &flag(other))
        .submit()
        .await
        .expect("a super node flags");
    let events = flagged.contract_emitted_events()?;
    let flagged = events
        .iter()
        .find(|e| e.topics.first().map(|t| t.0) == <ReceiptFlagged as Event>::SIGNATURE_TOPIC)
        .expect("a ReceiptFlagged event");
    let flagged = ReceiptFlagged::decode(&mut &flagged.event.data[..])?;
    assert_eq!((flagged.id, flagged.by), (other, eve));
    // and the honest sale's rewards are reserved again and paid at claim:
    // ferdie's cashback and django's Biz, at once (the vote closed the
    // challenge); the other sale's rewards are still in their window
    assert_eq!(
        (restored.id, restored.biz, restored.time),
        (honest, rewards.merchant_biz, rewards.customer_time)
    );
    let (_, cashback) = submit!(
        client,
        &ink_e2e::ferdie(),
        &message!(ledger, "claim" -> Result<(Balance, Balance), LedgerError>, 10u32),
        "customer claims"
    );
    assert_eq!(cashback, rewards.customer_time);
    let (merchant_biz, _) = submit!(
        client,
        &ink_e2e::dave(),
        &message!(ledger, "claim" -> Result<(Balance, Balance), LedgerError>, 10u32),
        "merchant claims"
    );
    assert_eq!(merchant_biz, rewards.merchant_biz);
    Ok(())
}
