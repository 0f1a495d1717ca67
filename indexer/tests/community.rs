//! Vesting and the community contracts (locking, super nodes, governance,
//! tasks) indexed from a real node into a real SQLite file and a real
//! PostgreSQL database, then compared with the contracts' own queries.
//!
//! The chain: the suite deployed with a 30 s shortest lock and a 2 s
//! unbonding period (so that an unlock and a bond withdrawal fit in the
//! test), `bizkey day` (midday locks, a proposal voted and executed, the
//! emission's dividends, a task created and claimed), then an afternoon
//! that reaches every other community event: super-node candidacies, two
//! elections, a withdrawal and its bond, a slash, 训政 and a merchant
//! verified by its covering super nodes (rejected first), a treasury spend,
//! a customer removed, a new configuration, proposals vetoed, defeated and
//! left unexecuted, a group task with attestations, a penalty, a collected
//! share, a withdrawn deposit and a refund, more dividends, and unlocks.

use crate::harness::{dump, Engine, TestDb};
use crate::node::{contracts_dir, free_port, query, start_node};
use bizkey_chain::accounts::{account_of, from_ink, keypair, to_ink};
use bizkey_chain::day::{run_day, DayConfig, DayReport};
use bizkey_chain::deploy::{deploy_suite_with, DeployOptions, UNIT};
use bizkey_chain::{Contract, ContractKind, Finality, Keypair};
use bizkey_indexer::loadgen::Suite;
use bizkey_indexer::{Config, Follower};
use bizkey_store::entity::{
    account_removals, dividend_claims, events, governance_config, lock_history, locking_totals,
    locks, merchant_platforms, merchants, phase_changes, proposal_votes, proposals,
    super_node_candidates, task_history, task_participants, task_receipts, tasks, treasury_spends,
    verification_decisions, verification_votes, vesting_releases, vesting_schedules,
};
use bizkey_store::hex0x;
use bizkey_types::governance::{
    Action, GovernanceConfig, GovernanceError, Phase, Proposal, ProposalId, ProposalStatus,
};
use bizkey_types::locking::{Lock, LockingError, ACC_SCALE};
use bizkey_types::math::{mul_div, ShopCost};
use bizkey_types::psp22::PSP22Error;
use bizkey_types::registry::{Category, MerchantProfile, RegistryError};
use bizkey_types::super_nodes::{Candidate, CandidateStatus, Scope, SuperNodeError};
use bizkey_types::tasks::{
    Eligibility, Participant, ParticipantStatus, Reward, Rule, RuleMode, Task, TaskId, TaskTerms,
    TasksError,
};
use bizkey_types::vesting::Allocation;
use bizkey_types::{AccountId, Balance, Hash};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, QueryOrder, Statement};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::path::Path;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

/// The day's seed; its accounts are `//Alice//bizkey/<seed>/…`.
const SEED: u64 = 7;

/// The community contracts of a deployed suite.
struct Community {
    vesting: Contract,
    locking: Contract,
    super_nodes: Contract,
    governance: Contract,
    tasks: Contract,
}

impl Community {
    fn of(suite: &Suite) -> Self {
        let get = |kind: ContractKind| {
            Contract::from_manifest(suite.manifest.contract(kind).unwrap()).unwrap()
        };
        Self {
            vesting: get(ContractKind::Vesting),
            locking: get(ContractKind::Locking),
            super_nodes: get(ContractKind::SuperNodes),
            governance: get(ContractKind::Governance),
            tasks: get(ContractKind::Tasks),
        }
    }
}

fn ink(k: &Keypair) -> AccountId {
    to_ink(&account_of(k))
}

fn ss58(a: &AccountId) -> String {
    from_ink(a).to_string()
}

/// `message(args)` in a transaction that must succeed; its `Ok` value.
async fn ok<T: scale::Decode + Debug, E: scale::Decode + Debug>(
    suite: &Suite,
    signer: &Keypair,
    contract: &Contract,
    message: &str,
    args: &impl scale::Encode,
) -> T {
    suite
        .chain
        .call_ok::<T, E>(signer, contract, message, args, Finality::InBlock)
        .await
        .unwrap_or_else(|e| panic!("{}::{message}: {e}", contract.name))
        .value
}

/// The chain's time: the best block's timestamp, which dry runs see.
async fn chain_now(suite: &Suite) -> u64 {
    let (_, best) = suite.chain.best_block().await.unwrap();
    suite.chain.block_timestamp(best).await.unwrap()
}

/// Seals blocks until the chain's time reaches `t` (time moves with blocks).
async fn wait_until(suite: &Suite, t: u64) {
    loop {
        suite.tick().await.unwrap();
        let now = chain_now(suite).await;
        if now >= t {
            return;
        }
        tokio::time::sleep(Duration::from_millis((t - now).min(1_000))).await;
    }
}

async fn proposal(suite: &Suite, c: &Community, id: ProposalId) -> (Proposal, ProposalStatus) {
    query::<Option<(Proposal, ProposalStatus)>>(suite, &c.governance, "proposal", &id)
        .await
        .unwrap_or_else(|| panic!("proposal {id}"))
}

/// The index `i` of a `merchant i (category)` label of the day's report.
fn label_index(label: &str) -> usize {
    label
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("label {label}"))
}

/// What the afternoon did, for the assertions.
struct Afternoon {
    elect: [ProposalId; 2],
    spend: ProposalId,
    remove: ProposalId,
    config: ProposalId,
    phase: ProposalId,
    vetoed: ProposalId,
    defeated: ProposalId,
    unexecuted: ProposalId,
    grantee: AccountId,
    victim: AccountId,
    victim_time: Balance,
    pending_merchant: AccountId,
    nodes: Vec<AccountId>,
    group_task: TaskId,
    /// Everyone who acted, for the per-account comparisons.
    accounts: Vec<AccountId>,
}

/// The afternoon after `bizkey day` (see the module's documentation).
async fn afternoon(suite: &Suite, c: &Community, day: &DayReport) -> Afternoon {
    let s = suite;
    let admin = &s.admin;
    let day_task = day.task.as_ref().expect("the day published a task");

    // The admin locks 1 M BT for a year: the weight that carries the votes.
    let lock = 1_000_000 * UNIT;
    let locking = to_ink(&c.locking.address);
    ok::<(), PSP22Error>(s, admin, &s.biz, "PSP22::approve", &(locking, lock)).await;
    ok::<(), LockingError>(s, admin, &c.locking, "lock", &(lock, 2u8)).await;

    // Three candidates bond 200 BT each; the Bakery one withdraws at once.
    let nodes = s.accounts("community/node", 3).await.unwrap();
    let scopes = [
        Scope::Region(b"zz".to_vec()),
        Scope::Industry(Category::Bakery),
        Scope::Platform(7),
    ];
    let bond = 200 * UNIT;
    let super_nodes = to_ink(&c.super_nodes.address);
    for (k, scope) in nodes.iter().zip(scopes) {
        let args = (ink(k), bond, Vec::<u8>::new());
        ok::<(), PSP22Error>(s, admin, &s.biz, "PSP22::transfer", &args).await;
        ok::<(), PSP22Error>(s, k, &s.biz, "PSP22::approve", &(super_nodes, bond)).await;
        ok::<(), SuperNodeError>(s, k, &c.super_nodes, "register_candidate", &(scope, bond)).await;
    }
    ok::<(), SuperNodeError>(s, &nodes[1], &c.super_nodes, "withdraw_candidacy", &()).await;

    // A merchant waiting for verification, in region "zz" and platform 7:
    // both other candidates' scopes cover it.
    let pending = &s.accounts("community/pending", 1).await.unwrap()[0];
    let profile = MerchantProfile {
        name: "Zz Bakery".into(),
        category: Category::Bakery,
        location: "zz9".into(),
        cost: ShopCost {
            area_sqft: 500,
            staff: 3,
            rent_per_sqft_day: 30,
            wage_per_day: 15_000,
        },
        licence_hash: Hash::from([5; 32]),
    };
    let args = (profile, Option::<AccountId>::None, 300_000u32);
    ok::<(), RegistryError>(s, pending, &s.registry, "register_merchant", &args).await;
    ok::<(), SuperNodeError>(s, pending, &c.super_nodes, "set_platform", &Some(7u32)).await;

    // Proposals, each voted by the admin at once (one is vetoed, one
    // defeated, one passed and left unexecuted).
    let grantee = ink(&s.accounts("community/grantee", 1).await.unwrap()[0]);
    // A customer of the day (its latest rewards still pending) to remove,
    // holding some Time from the day's task merchant to burn.
    let tm = keypair(&format!(
        "//Alice//bizkey/{SEED}/merchant/{}",
        label_index(&day_task.merchant)
    ))
    .unwrap();
    let victim = day
        .accounts
        .iter()
        .find(|a| a.label.starts_with("customer") && a.label != day_task.customer)
        .expect("another customer")
        .account;
    let args = (victim, UNIT / 100, Vec::<u8>::new());
    ok::<(), PSP22Error>(s, &tm, &s.time, "PSP22::transfer", &args).await;
    let config: GovernanceConfig = query(s, &c.governance, "config", &()).await;
    let mut n = 0u8;
    let mut propose = async |action: Action, vote: Option<bool>| {
        n += 1;
        let args = (action, Hash::from([n; 32]));
        let id = ok::<ProposalId, GovernanceError>(s, admin, &c.governance, "propose", &args).await;
        if let Some(support) = vote {
            ok::<(), GovernanceError>(s, admin, &c.governance, "vote", &(id, support)).await;
        }
        id
    };
    let elect = [
        propose(Action::ElectSuperNode(ink(&nodes[0])), Some(true)).await,
        propose(Action::ElectSuperNode(ink(&nodes[2])), Some(true)).await,
    ];
    let spend = Action::TreasurySpend {
        to: grantee,
        amount: 1_000 * UNIT,
    };
    let spend = propose(spend, Some(true)).await;
    let remove = propose(Action::RemoveCustomer(victim), Some(true)).await;
    let new_config = GovernanceConfig {
        grace_period_ms: config.grace_period_ms + 1,
        ..config
    };
    let config_id = propose(Action::SetConfig(new_config), Some(true)).await;
    let phase = propose(Action::AdvancePhase(Phase::Tutelage), Some(true)).await;
    let vetoed = propose(Action::SetEmissionSplit(900_000), None).await;
    let defeated = propose(Action::SetEmissionSplit(700_000), Some(false)).await;
    let unexecuted = propose(Action::SetEmissionSplit(800_000), Some(true)).await;
    ok::<(), GovernanceError>(s, admin, &c.governance, "veto", &vetoed).await;

    // While the votes run: a group task of the day's task merchant for two
    // completers who post a photo (an attested action), with a deposit.
    let participants = s.accounts("community/participant", 4).await.unwrap();
    let penalty = UNIT / 1_000;
    // Odd: the split between two leaves one unit for the refund.
    let escrow = 10 * UNIT / 1_000 + 1;
    let tasks = to_ink(&c.tasks.address);
    let start = chain_now(s).await;
    let end = start + 40_000;
    let terms = TaskTerms {
        name: "Post a photo of our bread".into(),
        description_hash: Hash::from([7; 32]),
        mode: RuleMode::Any,
        rules: vec![Rule::Attested {
            action: Hash::from([8; 32]),
        }],
        reward: Reward::Group,
        eligibility: Eligibility::Anyone,
        penalty,
        start,
        end,
        claim_ms: 0,
        max_completions: 2,
    };
    ok::<(), PSP22Error>(s, &tm, &s.time, "PSP22::approve", &(tasks, escrow)).await;
    let group_task =
        ok::<TaskId, TasksError>(s, &tm, &c.tasks, "create_task", &(terms, escrow)).await;
    for p in &participants {
        let args = (ink(p), penalty, Vec::<u8>::new());
        ok::<(), PSP22Error>(s, &tm, &s.time, "PSP22::transfer", &args).await;
        ok::<(), PSP22Error>(s, p, &s.time, "PSP22::approve", &(tasks, penalty)).await;
        let args = (group_task, Vec::<u64>::new());
        ok::<(), TasksError>(s, p, &c.tasks, "join", &args).await;
    }
    for p in &participants[..2] {
        let args = (group_task, ink(p), 0u8);
        ok::<(), TasksError>(s, &tm, &c.tasks, "attest", &args).await;
    }
    let no_receipts = (group_task, Vec::<u64>::new());
    let first: Balance =
        ok::<Balance, TasksError>(s, &participants[0], &c.tasks, "claim", &no_receipts).await;
    assert_eq!(first, 0, "a group task pays once the goal is reached");
    let share: Balance =
        ok::<Balance, TasksError>(s, &participants[1], &c.tasks, "claim", &no_receipts).await;
    assert_eq!(share, escrow / 2);
    let collected: Balance =
        ok::<Balance, TasksError>(s, &participants[0], &c.tasks, "collect", &group_task).await;
    assert_eq!(collected, share);
    let args = (group_task, ink(&participants[2]), Hash::from([9; 32]));
    ok::<(), TasksError>(s, &tm, &c.tasks, "penalize", &args).await;

    // The votes are over: execute, the phase last (it hands the registry
    // to governance).
    let deadline = Instant::now() + Duration::from_secs(120);
    while proposal(s, c, unexecuted).await.1 != ProposalStatus::Executable {
        assert!(Instant::now() < deadline, "the votes did not end");
        tokio::time::sleep(Duration::from_millis(500)).await;
        s.tick().await.unwrap();
    }
    let victim_time: Balance = query(s, &s.time, "balance_of", &victim).await;
    for id in [elect[0], elect[1], spend, remove, config_id, phase] {
        ok::<(), GovernanceError>(s, admin, &c.governance, "execute", &id).await;
    }

    // 训政: the platform node rejects the merchant (one of two covering:
    // no majority left), is slashed, and the region node verifies it.
    let verify = |approve: bool| (ink(pending), approve);
    ok::<(), SuperNodeError>(
        s,
        &nodes[2],
        &c.super_nodes,
        "verify_merchant",
        &verify(false),
    )
    .await;
    let args = (ink(&nodes[2]), Hash::from([6; 32]));
    ok::<(), SuperNodeError>(s, admin, &c.super_nodes, "slash", &args).await;
    ok::<(), SuperNodeError>(
        s,
        &nodes[0],
        &c.super_nodes,
        "verify_merchant",
        &verify(true),
    )
    .await;
    ok::<(), SuperNodeError>(s, &nodes[1], &c.super_nodes, "withdraw_bond", &()).await;

    // The task's window closes: the last participant takes its deposit
    // back, the rest of the pool returns to the merchant.
    wait_until(s, end).await;
    ok::<(), TasksError>(s, &participants[3], &c.tasks, "withdraw_stake", &group_task).await;
    let refunded = ok::<Balance, TasksError>(s, admin, &c.tasks, "refund", &group_task).await;
    assert_eq!(refunded, 1);

    // More emission for the lockers; the admin claims its dividends, the
    // day's lockers unlock (their 30 s tier is over) and are paid theirs.
    ok::<Balance, LockingError>(s, admin, &c.locking, "release_emission", &()).await;
    ok::<Balance, LockingError>(s, admin, &c.locking, "claim_dividends", &()).await;
    let mut accounts = vec![ink(admin), grantee, victim, ink(pending)];
    for i in 0..3 {
        let m = keypair(&format!("//Alice//bizkey/{SEED}/merchant/{i}")).unwrap();
        accounts.push(ink(&m));
        if let Some(l) = query::<Option<Lock>>(s, &c.locking, "lock_of", &ink(&m)).await {
            wait_until(s, l.unlock_at).await;
            ok::<(), LockingError>(s, &m, &c.locking, "unlock", &()).await;
        }
    }
    accounts.extend(nodes.iter().map(ink));
    accounts.extend(participants.iter().map(ink));
    Afternoon {
        elect,
        spend,
        remove,
        config: config_id,
        phase,
        vetoed,
        defeated,
        unexecuted,
        grantee,
        victim,
        victim_time,
        pending_merchant: ink(pending),
        nodes: nodes.iter().map(ink).collect(),
        group_task,
        accounts,
    }
}

/// Indexes up to `height` into `db`, `batch_blocks` blocks per transaction.
async fn index(db: &TestDb, manifest: &Path, height: u32, batch_blocks: usize) -> Follower {
    let config = Config {
        database_url: db.url.clone(),
        manifest: manifest.to_owned(),
        listen: None,
        progress: false,
        retry_ms: 200,
        batch_blocks,
        stop_at: Some(height.into()),
        ..Config::default()
    };
    let f = bizkey_indexer::build(&config).await.unwrap();
    let (_tx, rx) = tokio::sync::watch::channel(false);
    tokio::time::timeout(Duration::from_secs(600), f.run(rx))
        .await
        .expect("indexing finished in time")
        .unwrap();
    f
}

/// The SQL example of `docs/sql.md` whose text contains `marker`, without
/// its final `;`.
fn doc_example(marker: &str) -> String {
    let intro = include_str!("../../store/src/migration/sql_intro.md");
    intro
        .split("```sql\n")
        .skip(1)
        .filter_map(|block| block.split("```").next())
        .find(|sql| sql.contains(marker))
        .unwrap_or_else(|| panic!("no example query with {marker}"))
        .trim()
        .trim_end_matches(';')
        .to_owned()
}

/// Rows of `sql` as strings, column by column.
async fn sql_rows(db: &DatabaseConnection, sql: String, cols: &[&str]) -> Vec<Vec<String>> {
    let stmt = Statement::from_string(db.get_database_backend(), sql);
    db.query_all_raw(stmt)
        .await
        .unwrap()
        .iter()
        .map(|r| {
            cols.iter()
                .map(|c| r.try_get::<String>("", c).unwrap())
                .collect()
        })
        .collect()
}

fn lock_of(row: &locks::Model) -> Option<Lock> {
    (row.status == "locked").then_some(Lock {
        amount: row.amount.0,
        tier: row.tier as u8,
        weight: row.weight.0,
        unlock_at: row.unlock_at as u64,
        reward_debt: row.reward_debt.0,
        unclaimed: row.unclaimed.0,
    })
}

/// A scope as the tables render it, from the contract's value.
fn scope_columns(s: &Scope) -> (String, String) {
    match s {
        Scope::Region(p) => ("Region".into(), String::from_utf8(p.clone()).unwrap()),
        Scope::Industry(c) => ("Industry".into(), format!("{c:?}")),
        Scope::Platform(n) => ("Platform".into(), n.to_string()),
    }
}

/// The variant's name of an enum value (`Debug` up to its fields).
fn variant(v: &impl Debug) -> String {
    format!("{v:?}")
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect()
}

async fn assert_vesting(suite: &Suite, c: &Community, db: &DatabaseConnection, a: &Afternoon) {
    let t0: u64 = query(suite, &c.vesting, "t0", &()).await;
    let releases = vesting_releases::Entity::find().all(db).await.unwrap();
    for allocation in Allocation::ALL {
        let row = vesting_schedules::Entity::find_by_id(format!("{allocation:?}"))
            .one(db)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{allocation:?}"));
        let released: Balance = query(suite, &c.vesting, "released", &allocation).await;
        let beneficiary: Option<AccountId> =
            query(suite, &c.vesting, "beneficiary", &allocation).await;
        assert_eq!(row.released.0, released, "{allocation:?} released");
        assert_eq!(
            row.beneficiary,
            beneficiary.as_ref().map(ss58),
            "{allocation:?}"
        );
        assert_eq!(row.amount.0, allocation.amount());
        assert_eq!(row.t0 as u64, t0);
        if allocation != Allocation::Ecosystem {
            let sum: u128 = releases
                .iter()
                .filter(|r| r.allocation == row.allocation)
                .map(|r| r.amount.0)
                .sum();
            assert_eq!(sum, released, "{allocation:?} releases");
        }
    }
    // The team's 10 % at T0, released by the deployment.
    let team: Balance = query(suite, &c.vesting, "released", &Allocation::Team).await;
    assert_eq!(team, Allocation::Team.amount() / 10);
    // The ecosystem was spent by the afternoon's treasury spend, and only by it.
    let spent: Balance = query(suite, &c.vesting, "released", &Allocation::Ecosystem).await;
    let spends = treasury_spends::Entity::find().all(db).await.unwrap();
    assert_eq!(spent, 1_000 * UNIT);
    assert_eq!(spends.len(), 1);
    assert_eq!(spends[0].amount.0, spent);
    assert_eq!(spends[0].to_account, ss58(&a.grantee));
    assert_eq!(spends[0].proposal_id, Some(a.spend.into()));
}

async fn assert_locking(
    suite: &Suite,
    c: &Community,
    db: &DatabaseConnection,
    engine: Engine,
    a: &Afternoon,
) {
    let rows = locks::Entity::find().all(db).await.unwrap();
    let t = locking_totals::Entity::find_by_id(1)
        .one(db)
        .await
        .unwrap()
        .expect("locking totals");
    let (total_locked, total_weight): (Balance, u128) =
        query(suite, &c.locking, "totals", &()).await;
    let (acc, reserved): (u128, Balance) = query(suite, &c.locking, "dividends", &()).await;
    assert_eq!(
        (t.total_locked.0, t.total_weight.0),
        (total_locked, total_weight)
    );
    assert_eq!(
        (t.acc_per_weight.0, t.dividends_reserved.0),
        (acc, reserved)
    );
    assert_eq!(rows.iter().map(|r| r.amount.0).sum::<u128>(), total_locked);
    assert_eq!(rows.iter().map(|r| r.weight.0).sum::<u128>(), total_weight);
    for account in &a.accounts {
        let chain: Option<Lock> = query(suite, &c.locking, "lock_of", account).await;
        let row = rows.iter().find(|r| r.account == ss58(account));
        assert_eq!(row.and_then(lock_of), chain, "lock of {}", ss58(account));
    }
    let mut pending = BTreeMap::new();
    for row in &rows {
        let account: AccountId = to_ink(&row.account.parse().unwrap());
        let chain: Option<Lock> = query(suite, &c.locking, "lock_of", &account).await;
        assert_eq!(lock_of(row), chain, "lock of {}", row.account);
        let due: Balance = query(suite, &c.locking, "pending_dividends", &account).await;
        let accrued = mul_div(row.weight.0, acc, ACC_SCALE);
        let sql = row.unclaimed.0 + accrued.saturating_sub(row.reward_debt.0);
        assert_eq!(sql, due, "pending dividends of {}", row.account);
        if row.status == "locked" {
            pending.insert(row.account.clone(), due.to_string());
        }
    }
    if engine == Engine::Postgres {
        // The documented query computes the same in SQL.
        let sql = format!(
            "SELECT account, CAST(pending_dividends AS TEXT) AS due FROM ({}) q",
            doc_example("pending_dividends")
        );
        let got: BTreeMap<String, String> = sql_rows(db, sql, &["account", "due"])
            .await
            .into_iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect();
        assert_eq!(got, pending, "the documented dividends query");
    }
    // The flows happened: unlocks after claims and distributions.
    let unlocked = rows.iter().filter(|r| r.status == "unlocked").count();
    assert!(unlocked >= 1, "a day locker unlocked");
    let history = lock_history::Entity::find().all(db).await.unwrap();
    assert_eq!(
        history.iter().filter(|h| h.kind == "unlock").count(),
        unlocked
    );
    assert!(dividend_claims::Entity::find().all(db).await.unwrap().len() >= 2);
}

async fn assert_super_nodes(suite: &Suite, c: &Community, db: &DatabaseConnection, a: &Afternoon) {
    let rows = super_node_candidates::Entity::find().all(db).await.unwrap();
    let mut bonded = 0;
    let mut total = None;
    for row in &rows {
        let account: AccountId = to_ink(&row.account.parse().unwrap());
        let (candidate, total_bonded): (Option<Candidate>, Balance) =
            query(suite, &c.super_nodes, "candidate", &account).await;
        total = Some(total_bonded);
        match candidate {
            None => assert!(
                ["Withdrawn", "Slashed"].contains(&row.status.as_str()),
                "{row:?}"
            ),
            Some(cand) => {
                bonded += row.bond.0;
                assert_eq!(row.status, format!("{:?}", cand.status), "{row:?}");
                assert_eq!(
                    (row.scope_kind.clone(), row.scope.clone()),
                    scope_columns(&cand.scope)
                );
                assert_eq!(row.bond.0, cand.bond);
                if cand.status == CandidateStatus::Unbonding {
                    assert_eq!(row.unbonding_until, Some(cand.unbonding_until as i64));
                }
            }
        }
    }
    assert_eq!(Some(bonded), total, "total bonded");
    let statuses: Vec<&str> = a
        .nodes
        .iter()
        .map(|n| {
            rows.iter()
                .find(|r| r.account == ss58(n))
                .map_or("-", |r| r.status.as_str())
        })
        .collect();
    assert_eq!(statuses, ["SuperNode", "Withdrawn", "Slashed"]);
    let elected: Vec<(AccountId, Scope)> = query(suite, &c.super_nodes, "super_nodes", &()).await;
    let elected: BTreeSet<(String, (String, String))> = elected
        .iter()
        .map(|(n, s)| (ss58(n), scope_columns(s)))
        .collect();
    let in_office: BTreeSet<(String, (String, String))> = rows
        .iter()
        .filter(|r| r.status == "SuperNode")
        .map(|r| (r.account.clone(), (r.scope_kind.clone(), r.scope.clone())))
        .collect();
    assert_eq!(in_office, elected);

    // The merchant's platform and its verification: rejected, then verified;
    // the contract keeps the votes of the running round only (none now).
    let m = &a.pending_merchant;
    let (platform, round): (Option<u32>, Vec<(AccountId, bool)>) =
        query(suite, &c.super_nodes, "verification", m).await;
    let row = merchant_platforms::Entity::find_by_id(ss58(m))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.platform, platform.map(i64::from));
    let votes = verification_votes::Entity::find()
        .order_by_asc(verification_votes::Column::BlockNumber)
        .order_by_asc(verification_votes::Column::EventIndex)
        .all(db)
        .await
        .unwrap();
    let decisions = verification_decisions::Entity::find()
        .order_by_asc(verification_decisions::Column::BlockNumber)
        .all(db)
        .await
        .unwrap();
    assert_eq!(
        decisions.iter().map(|d| d.verified).collect::<Vec<_>>(),
        [false, true]
    );
    let last = decisions.last().unwrap();
    let running: Vec<(AccountId, bool)> = votes
        .iter()
        .filter(|v| v.merchant == ss58(m))
        .filter(|v| (v.block_number, v.event_index) > (last.block_number, last.event_index))
        .map(|v| (to_ink(&v.node.parse().unwrap()), v.approve))
        .collect();
    assert_eq!(running, round);
    assert_eq!(
        votes
            .iter()
            .map(|v| (v.approve, v.covering))
            .collect::<Vec<_>>(),
        [(false, 2), (true, 1)]
    );
    let merchant = merchants::Entity::find_by_id(ss58(m))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(merchant.status, "Verified", "verified by its super node");
}

async fn assert_governance(suite: &Suite, c: &Community, db: &DatabaseConnection, a: &Afternoon) {
    let count: ProposalId = query(suite, &c.governance, "proposal_count", &()).await;
    let rows = proposals::Entity::find()
        .order_by_asc(proposals::Column::Id)
        .all(db)
        .await
        .unwrap();
    assert_eq!(rows.len(), count as usize);
    let votes = proposal_votes::Entity::find().all(db).await.unwrap();
    let now = chain_now(suite).await;
    // The documented status query, at the time the contract's dry runs see.
    let sql = format!(
        "SELECT CAST(id AS TEXT) AS id, status FROM ({}) q",
        doc_example("AS status").replace(":now", &now.to_string())
    );
    let statuses: BTreeMap<i64, String> = sql_rows(db, sql, &["id", "status"])
        .await
        .into_iter()
        .map(|r| (r[0].parse().unwrap(), r[1].clone()))
        .collect();
    for (id, row) in rows.iter().enumerate() {
        assert_eq!(row.id, id as i64);
        let (p, status) = proposal(suite, c, id as ProposalId).await;
        assert_eq!(statuses[&row.id], format!("{status:?}"), "status of {id}");
        assert_eq!(row.proposer, ss58(&p.proposer));
        assert_eq!(row.action_kind, variant(&p.action), "proposal {id}");
        assert_eq!(row.description, hex0x(p.description));
        assert_eq!(
            (
                row.created_at,
                row.voting_end,
                row.executable_at,
                row.expires_at
            ),
            (
                p.created_at as i64,
                p.voting_end as i64,
                p.executable_at as i64,
                p.expires_at as i64
            )
        );
        assert_eq!(row.quorum.0, p.quorum);
        assert_eq!(row.threshold_ppm, i64::from(p.threshold_ppm));
        assert_eq!(
            (row.votes_for.0, row.votes_against.0),
            (p.votes_for, p.votes_against)
        );
        assert_eq!((row.executed, row.vetoed), (p.executed, p.vetoed), "{id}");
        assert_eq!(row.passed, p.passed());
        let mine: Vec<_> = votes.iter().filter(|v| v.proposal_id == row.id).collect();
        let tally = |support: bool| -> u128 {
            mine.iter()
                .filter(|v| v.support == support)
                .map(|v| v.weight.0)
                .sum()
        };
        assert_eq!((tally(true), tally(false)), (p.votes_for, p.votes_against));
        assert_eq!(row.voters, mine.len() as i64);
    }
    let status = |id: ProposalId| statuses[&i64::from(id)].as_str();
    for id in [a.elect[0], a.elect[1], a.spend, a.remove, a.config, a.phase] {
        assert_eq!(status(id), "Executed");
    }
    assert_eq!(status(0), "Executed", "the day's proposal");
    assert_eq!(status(a.vetoed), "Vetoed");
    assert_eq!(status(a.defeated), "Defeated");
    assert_eq!(status(a.unexecuted), "Executable");
    let spend = &rows[a.spend as usize].action;
    assert_eq!(spend["TreasurySpend"]["to"], ss58(&a.grantee).as_str());

    // The configuration in force and the phase, with the proposals that
    // set them.
    let configs = governance_config::Entity::find()
        .order_by_asc(governance_config::Column::BlockNumber)
        .order_by_asc(governance_config::Column::EventIndex)
        .all(db)
        .await
        .unwrap();
    let config: GovernanceConfig = query(suite, &c.governance, "config", &()).await;
    let latest = configs.last().unwrap();
    assert_eq!(
        (
            latest.voting_period_ms as u64,
            latest.execution_delay_ms as u64,
            latest.grace_period_ms as u64,
            latest.quorum_ppm as u32,
            latest.threshold_ppm as u32,
            latest.proposal_min_weight.0
        ),
        (
            config.voting_period_ms,
            config.execution_delay_ms,
            config.grace_period_ms,
            config.quorum_ppm,
            config.threshold_ppm,
            config.proposal_min_weight
        )
    );
    assert_eq!(
        configs.iter().map(|c| c.proposal_id).collect::<Vec<_>>(),
        [None, Some(a.config.into())],
        "the constructor's configuration, then the proposal's"
    );
    let phase: Phase = query(suite, &c.governance, "phase", &()).await;
    let changes = phase_changes::Entity::find().all(db).await.unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].to_phase, format!("{phase:?}"));
    assert_eq!(changes[0].from_phase, "Military");
    assert_eq!(changes[0].proposal_id, Some(a.phase.into()));

    // The removal burned the customer's Time.
    let removals = account_removals::Entity::find().all(db).await.unwrap();
    assert_eq!(removals.len(), 1);
    let r = &removals[0];
    assert_eq!(
        (r.account.as_str(), r.kind.as_str(), r.token.as_str()),
        (ss58(&a.victim).as_str(), "customer", "time")
    );
    assert_eq!(r.burned.0, a.victim_time);
    assert_eq!(r.proposal_id, Some(a.remove.into()));
    let left: Balance = query(suite, &suite.time, "balance_of", &a.victim).await;
    assert_eq!(left, 0);
}

async fn assert_tasks(suite: &Suite, c: &Community, db: &DatabaseConnection, a: &Afternoon) {
    let count: TaskId = query(suite, &c.tasks, "task_count", &()).await;
    let rows = tasks::Entity::find()
        .order_by_asc(tasks::Column::Id)
        .all(db)
        .await
        .unwrap();
    assert_eq!(rows.len(), count as usize);
    for (id, row) in rows.iter().enumerate() {
        assert_eq!(row.id, id as i64);
        let t: Task = query::<Option<Task>>(suite, &c.tasks, "task", &(id as TaskId))
            .await
            .unwrap();
        let terms = &t.terms;
        assert_eq!(row.merchant, ss58(&t.merchant));
        assert_eq!(row.name, terms.name);
        assert_eq!(row.description_hash, hex0x(terms.description_hash));
        assert_eq!(row.mode, format!("{:?}", terms.mode));
        assert_eq!(
            row.rules.as_array().map(Vec::len),
            Some(terms.rules.len()),
            "rules of task {id}"
        );
        let reward = match terms.reward {
            Reward::Fixed(v) => ("Fixed", Some(v), None),
            Reward::Multiple(ppm) => ("Multiple", None, Some(i64::from(ppm))),
            Reward::Group => ("Group", None, None),
        };
        assert_eq!(
            (
                row.reward_kind.as_str(),
                row.reward_amount.map(|v| v.0),
                row.reward_ppm
            ),
            reward
        );
        assert_eq!(row.eligibility, variant(&terms.eligibility));
        assert_eq!(row.penalty.0, terms.penalty);
        assert_eq!(
            (
                row.starts_at,
                row.ends_at,
                row.claim_ms,
                row.max_completions
            ),
            (
                terms.start as i64,
                terms.end as i64,
                terms.claim_ms as i64,
                i64::from(terms.max_completions)
            )
        );
        assert_eq!(row.created_at, t.created_at as i64);
        let money = |r: &tasks::Model| {
            [
                r.escrow.0,
                r.pool.0,
                r.reserved.0,
                r.paid.0,
                r.refunded.0,
                r.stakes.0,
                r.group_share.0,
            ]
        };
        assert_eq!(
            money(row),
            [
                t.escrow,
                t.pool,
                t.reserved,
                t.paid,
                t.refunded,
                t.stakes,
                t.group_share
            ],
            "money of task {id}"
        );
        assert_eq!(
            row.escrow.0,
            row.paid.0 + row.refunded.0 + row.pool.0 + row.reserved.0
        );
        assert_eq!(
            (row.participants, row.completions),
            (i64::from(t.participants), i64::from(t.completions))
        );
    }
    let group = &rows[a.group_task as usize];
    assert_eq!(
        group.rules,
        serde_json::json!([{ "Attested": { "action": hex0x([8; 32]) } }])
    );
    let participants = task_participants::Entity::find().all(db).await.unwrap();
    for p in &participants {
        let who: AccountId = to_ink(&p.customer.parse().unwrap());
        let chain: Participant = query::<Option<Participant>>(
            suite,
            &c.tasks,
            "participant",
            &(p.task_id as TaskId, who),
        )
        .await
        .unwrap_or_else(|| panic!("{p:?} not on chain"));
        assert_eq!(
            (
                p.status.clone(),
                p.joined_at as u64,
                p.stake.0,
                p.attested as u8,
                p.reward.0,
                p.collected
            ),
            (
                format!("{:?}", chain.status),
                chain.joined_at,
                chain.stake,
                chain.attested,
                chain.reward,
                chain.collected
            ),
            "{p:?}"
        );
    }
    let group: Vec<&str> = participants
        .iter()
        .filter(|p| p.task_id == i64::from(a.group_task))
        .map(|p| p.status.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(
        group,
        [
            format!("{:?}", ParticipantStatus::Completed),
            format!("{:?}", ParticipantStatus::Joined),
            format!("{:?}", ParticipantStatus::Penalized)
        ]
    );
    let used = task_receipts::Entity::find().all(db).await.unwrap();
    assert!(!used.is_empty(), "the day's claim used a receipt");
    for u in &used {
        let by: Option<AccountId> = query(
            suite,
            &c.tasks,
            "receipt_used_by",
            &(u.task_id as TaskId, u.receipt_id as u64),
        )
        .await;
        assert_eq!(by.as_ref().map(ss58), Some(u.customer.clone()));
    }
    // Every Time movement of the contract is a history row: what it holds
    // is what came in minus what went out.
    let history = task_history::Entity::find().all(db).await.unwrap();
    let held: Balance = query(suite, &suite.time, "balance_of", &to_ink(&c.tasks.address)).await;
    let moved_in: u128 = history.iter().map(|h| h.time_in.0).sum();
    let moved_out: u128 = history.iter().map(|h| h.time_out.0).sum();
    assert_eq!(moved_in - moved_out, held);
    let events: BTreeSet<&str> = history.iter().map(|h| h.event.as_str()).collect();
    assert_eq!(events.len(), 9, "every tasks event: {events:?}");
}

/// Every event type of vesting and the community contracts was indexed.
async fn assert_every_event_seen(db: &DatabaseConnection) {
    let names: BTreeSet<String> = events::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| {
            ["vesting", "locking", "super_nodes", "governance", "tasks"]
                .contains(&e.contract_kind.as_str())
        })
        .filter_map(|e| e.name)
        .filter(|n| n != "RoleChanged")
        .collect();
    assert_eq!(names.len(), 33, "{names:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn community_tables_equal_the_contracts_after_a_day_and_an_afternoon() {
    let (node, chain) = start_node().await;
    let admin = keypair("//Alice").unwrap();
    let mut options = DeployOptions::dev();
    // Short enough for an unlock and a bond withdrawal within the test; the
    // shortest lock still outlasts a vote (10 s), as the day needs.
    options.lock_tiers[0].duration_ms = 30_000;
    options.super_nodes.unbonding_ms = 2_000;
    let manifest = deploy_suite_with(&chain, &admin, contracts_dir(), &options, &mut |_: &str| {})
        .await
        .unwrap();
    let suite = Suite::from_manifest(chain, admin, manifest).unwrap();
    let c = Community::of(&suite);

    let day_config = DayConfig {
        merchants: 3,
        customers: 8,
        seed: SEED,
        challenge_ms: 3_000,
        max_receipts: 10,
        admin_suri: "//Alice".into(),
    };
    let started = Instant::now();
    let day = run_day(
        &suite.chain,
        &suite.manifest,
        &day_config,
        &mut |_: &str| {},
    )
    .await
    .unwrap();
    let g = day.governance.as_ref().expect("the day's proposal");
    assert_eq!(g.status, ProposalStatus::Executed);
    let a = afternoon(&suite, &c, &day).await;
    let till = crate::pos::sell(&suite, &suite.manifest, &node.url, SEED).await;
    suite.tick().await.unwrap();
    let height = suite.settle(Duration::from_secs(60)).await.unwrap();
    eprintln!(
        "day and afternoon on chain: {:.0?}, {height} blocks",
        started.elapsed()
    );

    let dir = tempfile::tempdir().unwrap();
    let mut m = suite.manifest.clone();
    m.node_url = node.url.clone();
    let manifest = dir.path().join(format!("manifest-{}.json", free_port()));
    m.save(&manifest).unwrap();
    for engine in [Engine::Sqlite, Engine::Postgres] {
        let Some(db) = TestDb::new(engine).await else {
            continue;
        };
        let f = index(&db, &manifest, height, 256).await;
        let m = &f.metrics;
        assert_eq!(m.undecodable_events.load(Relaxed), 0, "{engine:?}");
        assert_eq!(m.inconsistencies.load(Relaxed), 0, "{engine:?}");
        assert_eq!(m.bizpower_mismatches.load(Relaxed), 0, "{engine:?}");
        // Every row the events read was foreseen by the batch's pre-pass.
        assert_eq!(m.stages.load_misses.load(Relaxed), 0, "{engine:?}");
        assert_every_event_seen(&f.db).await;
        assert_vesting(&suite, &c, &f.db, &a).await;
        assert_locking(&suite, &c, &f.db, engine, &a).await;
        assert_super_nodes(&suite, &c, &f.db, &a).await;
        assert_governance(&suite, &c, &f.db, &a).await;
        assert_tasks(&suite, &c, &f.db, &a).await;
        crate::graphql_api::assert_graphql_matches_contracts(
            &suite,
            &c.governance,
            &c.tasks,
            &db.url,
            &day.details,
            &till,
        )
        .await;

        // Replayed in batches of two blocks, stopped half-way and resumed
        // (every row loaded back from SQL between batches): the same rows.
        let again = TestDb::new(engine).await.unwrap();
        let start = suite.manifest.deployment_block;
        let half = index(&again, &manifest, start + (height - start) / 2, 2).await;
        assert_eq!(half.metrics.inconsistencies.load(Relaxed), 0);
        let resumed = index(&again, &manifest, height, 2).await;
        assert_eq!(resumed.metrics.inconsistencies.load(Relaxed), 0);
        let (want, got) = (dump(&f.db).await, dump(&resumed.db).await);
        for (table, rows) in &want {
            assert_eq!(&got[table], rows, "{engine:?}: table {table}");
        }
    }
}
