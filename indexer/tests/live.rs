//! The indexer against a real node running the real contracts, on a real
//! SQLite file and a real PostgreSQL database.

use crate::harness::{dump, Engine, TestDb};
use crate::node::{free_port, query, start_with_suite, Proxy};
use bizkey_chain::accounts::{account_of, from_ink, to_ink};
use bizkey_chain::{AccountId32, Contract, Finality, Keypair};
use bizkey_indexer::loadgen::Suite;
use bizkey_indexer::{Config, Follower};
use bizkey_store::entity::{
    customers, merchants, ratings, receipts, reward_pools, reward_queues, rewards, token_balances,
    token_supply,
};
use bizkey_types::ledger::{
    LedgerError, PoolSynced, Receipt, ReceiptId, ReceiptStatus, RewardsClaimed,
};
use bizkey_types::math::Channel;
use bizkey_types::registry::{Customer, Merchant, RegistryError};
use bizkey_types::reviews::{Rating, ReviewsError, RATED_BY_CUSTOMER, RATED_BY_MERCHANT};
use rand::Rng;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

type L<T> = Result<T, LedgerError>;

/// The suite's reviews contract (the load generator's suite has the core
/// four only).
fn reviews_of(suite: &Suite) -> Contract {
    let entry = suite
        .manifest
        .contract(bizkey_chain::ContractKind::Reviews)
        .expect("the suite deploys reviews");
    Contract::from_manifest(entry).expect("the reviews bundle")
}

/// The manifest of `suite` in `dir`, pointing at `node_url`.
fn manifest_file(suite: &Suite, dir: &Path, node_url: &str) -> PathBuf {
    let mut m = suite.manifest.clone();
    m.node_url = node_url.into();
    let path = dir.join(format!("manifest-{}.json", free_port()));
    m.save(&path).unwrap();
    path
}

async fn follower(db: &TestDb, manifest: &Path, stop_at: Option<u64>) -> Follower {
    let config = Config {
        database_url: db.url.clone(),
        manifest: manifest.to_owned(),
        listen: None,
        progress: false,
        retry_ms: 200,
        stop_at,
        ..Config::default()
    };
    bizkey_indexer::build(&config).await.unwrap()
}

/// Indexes up to `height` with the library's follower.
async fn index_to(db: &TestDb, manifest: &Path, height: u32) -> Follower {
    let f = follower(db, manifest, Some(height.into())).await;
    let (_tx, rx) = tokio::sync::watch::channel(false);
    tokio::time::timeout(Duration::from_secs(600), f.run(rx))
        .await
        .expect("indexing finished in time")
        .unwrap();
    f
}

async fn call<R: scale::Decode + std::fmt::Debug>(
    suite: &Suite,
    signer: &Keypair,
    contract: &Contract,
    message: &str,
    args: &impl scale::Encode,
) -> R {
    suite
        .chain
        .call::<R>(signer, contract, message, args, Finality::InBlock)
        .await
        .unwrap_or_else(|e| panic!("{message}: {e}"))
        .value
}

fn ink(k: &Keypair) -> bizkey_types::AccountId {
    to_ink(&account_of(k))
}

/// Every projected fact the contracts can be asked about, asked.
async fn assert_matches_contracts(
    suite: &Suite,
    db: &DatabaseConnection,
    accounts: &[AccountId32],
) {
    // Balances and supplies of both tokens, for every account the index or
    // the test knows.
    let balances = token_balances::Entity::find().all(db).await.unwrap();
    let mut all: BTreeSet<AccountId32> = accounts.iter().cloned().collect();
    for c in &suite.manifest.contracts {
        all.insert(c.address.clone());
    }
    for b in &balances {
        all.insert(b.account.parse().unwrap());
    }
    for (token, contract) in [("biz", &suite.biz), ("time", &suite.time)] {
        for a in &all {
            let chain: u128 = query(suite, contract, "balance_of", &to_ink(a)).await;
            let sql = balances
                .iter()
                .find(|b| b.token == token && b.account == a.to_string())
                .map_or(0, |b| b.balance.0);
            assert_eq!(sql, chain, "{token} balance of {a}");
        }
        let supply: u128 = query(suite, contract, "total_supply", &()).await;
        let row = token_supply::Entity::find_by_id(token.to_owned())
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.total_supply.0, supply, "{token} supply");
    }

    // Receipts: every field the ledger keeps.
    let rows = receipts::Entity::find().all(db).await.unwrap();
    assert!(!rows.is_empty());
    let rated = ratings::Entity::find().all(db).await.unwrap();
    let reviews = reviews_of(suite);
    for r in &rows {
        let c: Option<Receipt> = query(
            suite,
            &suite.ledger,
            "LedgerApi::receipt",
            &(r.id as ReceiptId),
        )
        .await;
        let c = c.unwrap_or_else(|| panic!("receipt {} not on chain", r.id));
        assert_eq!(r.status, format!("{:?}", c.status), "receipt {}", r.id);
        assert_eq!(r.merchant, from_ink(&c.merchant).to_string());
        assert_eq!(r.customer, from_ink(&c.customer).to_string());
        assert_eq!(r.amount.0, c.order.amount);
        assert_eq!(r.time_paid.0, c.order.time_paid);
        assert_eq!(r.order_id.0, u128::from(c.order.order_id));
        assert_eq!(r.detail_hash, bizkey_store::hex0x(c.order.detail_hash));
        if c.status == ReceiptStatus::Open || c.status == ReceiptStatus::Cancelled {
            assert_eq!(r.expires_at as u64, c.deadline, "receipt {}", r.id);
        } else {
            assert_eq!(r.confirmed_at.map(|t| t as u64), Some(c.completed_at));
            assert_eq!(r.matures_at.map(|t| t as u64), Some(c.deadline));
            assert_eq!(r.biz_reward.map(|v| v.0), Some(c.biz), "receipt {}", r.id);
            assert_eq!(r.time_reward.map(|v| v.0), Some(c.time), "receipt {}", r.id);
            assert_eq!(r.referral_time.map(|v| v.0), Some(c.referral_time));
        }
        // Which sides rated it, as the reviews contract knows.
        let side = |s: &str| rated.iter().any(|x| x.receipt_id == r.id && x.side == s);
        let bits: u8 = query(suite, &reviews, "rated", &(r.id as ReceiptId)).await;
        assert_eq!(
            (side("customer"), side("merchant")),
            (bits & RATED_BY_CUSTOMER != 0, bits & RATED_BY_MERCHANT != 0),
            "ratings of receipt {}",
            r.id
        );
    }
    let next = rows.iter().map(|r| r.id).max().unwrap() + 1;
    let beyond: Option<Receipt> = query(
        suite,
        &suite.ledger,
        "LedgerApi::receipt",
        &(next as ReceiptId),
    )
    .await;
    assert!(beyond.is_none(), "the ledger has receipts the index lacks");

    // Rewards: what a claim would pay each account now, against its FIFO in
    // SQL. The ledger keeps no query for its queues; a dry-run `claim` walks
    // the FIFO from its head exactly as a real claim would: entries of
    // flagged or refunded receipts are dropped, matured ones paid, and it
    // stops at the first entry whose challenge window is still running.
    let queues = reward_queues::Entity::find().all(db).await.unwrap();
    let mut holders: BTreeSet<AccountId32> = all.clone();
    for q in &queues {
        holders.insert(q.account.parse().unwrap());
    }
    let (_, best) = suite.chain.best_block().await.unwrap();
    let now = suite.chain.block_timestamp(best).await.unwrap();
    let mut matured_paid = 0;
    for a in &holders {
        let (head, tail) = queues
            .iter()
            .find(|q| q.account == a.to_string())
            .map_or((0, 0), |q| (q.head, q.tail));
        let mut queued = rewards::Entity::find()
            .filter(rewards::Column::Beneficiary.eq(a.to_string()))
            .filter(rewards::Column::ConsumedBlock.is_null())
            .all(db)
            .await
            .unwrap();
        queued.sort_by_key(|r| r.queue_index);
        assert_eq!(queued.len() as i64, tail - head, "queued entries of {a}");
        assert!(
            queued
                .iter()
                .zip(head..tail)
                .all(|(r, index)| r.queue_index == index),
            "queue indexes of {a}: {head}..{tail}"
        );
        // The FIFO walk of `claim(u32::MAX)` over the SQL rows.
        let (mut entries, mut biz, mut time) = (0u32, 0u128, 0u128);
        for r in &queued {
            if r.status == "pending" {
                if now < r.matures_at as u64 {
                    break;
                }
                if r.token == "biz" {
                    biz += r.amount.0;
                } else {
                    time += r.amount.0;
                }
            } else {
                assert_eq!(r.status, "forfeited", "queued entry {r:?}");
            }
            entries += 1;
        }
        let dry = suite
            .chain
            .dry_run::<L<(u128, u128)>>(a, &suite.ledger, "claim", &u32::MAX)
            .await
            .unwrap();
        if entries == 0 {
            assert_eq!(dry.value, Err(LedgerError::NothingToClaim), "claim of {a}");
            continue;
        }
        assert_eq!(dry.value, Ok((biz, time)), "claim of {a}");
        let claimed: Vec<RewardsClaimed> = dry
            .events
            .iter()
            .filter(|e| e.contract == suite.ledger.address)
            .filter_map(|e| e.decode::<RewardsClaimed>().unwrap())
            .collect();
        assert_eq!(
            claimed,
            vec![RewardsClaimed {
                account: to_ink(a),
                biz,
                time,
                entries,
                remaining: (tail - head) as u64 - u64::from(entries),
            }],
            "claim of {a}"
        );
        matured_paid += biz + time;
    }
    assert!(matured_paid > 0, "no matured reward was left to compare");

    // The pools: the ledger reports them in the `PoolSynced` event of `sync`
    // (available = its token balance − what pending rewards reserved).
    let dry = suite
        .chain
        .dry_run::<L<()>>(&suite.admin_id(), &suite.ledger, "sync", &())
        .await
        .unwrap();
    assert_eq!(dry.value, Ok(()));
    let synced: Vec<PoolSynced> = dry
        .events
        .iter()
        .filter_map(|e| e.decode::<PoolSynced>().unwrap())
        .collect();
    let [PoolSynced { biz, time }] = synced.as_slice() else {
        panic!("sync emitted {synced:?}");
    };
    for (token, pool) in [("biz", biz), ("time", time)] {
        let row = reward_pools::Entity::find_by_id(token.to_owned())
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (row.available.0, row.reserved.0),
            (pool.available, pool.reserved),
            "{token} pool"
        );
    }
    assert!(biz.reserved > 0 || time.reserved > 0, "nothing reserved");

    // Merchants and customers as the registry has them.
    for m in merchants::Entity::find().all(db).await.unwrap() {
        let a: AccountId32 = m.account.parse().unwrap();
        let c: Option<Merchant> = query(suite, &suite.registry, "merchant", &to_ink(&a)).await;
        let c = c.unwrap();
        assert_eq!(m.status, format!("{:?}", c.status));
        assert_eq!(m.time_share_ppm as u32, c.time_share_ppm);
        assert_eq!(m.referrer, c.referrer.map(|r| from_ink(&r).to_string()));
        assert_eq!(m.verified_at.map(|v| v as u64), c.verified_at);
    }
    // Customers as the ledger has them (registered or known from a first
    // purchase); the registry has exactly the registered ones.
    for row in customers::Entity::find().all(db).await.unwrap() {
        let a: AccountId32 = row.account.parse().unwrap();
        let c: Option<Customer> =
            query(suite, &suite.ledger, "LedgerApi::customer", &to_ink(&a)).await;
        let c = c.unwrap();
        assert_eq!(row.status, format!("{:?}", c.status));
        assert_eq!(row.referrer, c.referrer.map(|r| from_ink(&r).to_string()));
        assert_eq!(row.registered_at as u64, c.registered_at);
        let registered: Option<Customer> =
            query(suite, &suite.registry, "customer", &to_ink(&a)).await;
        assert_eq!(row.implicit, registered.is_none());
    }
}

/// The flows of the core contracts, then the index on both engines against
/// every contract query.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn index_equals_the_contracts_after_the_core_flows() {
    let (node, suite) = start_with_suite().await;
    let challenge_ms = 6_000;
    suite.set_challenge_ms(challenge_ms).await.unwrap();
    let ms = suite.accounts("flows/m", 2).await.unwrap();
    let cs = suite.accounts("flows/c", 3).await.unwrap();
    let (m0, m1) = (&ms[0], &ms[1]);
    let (c0, c1, c2) = (&cs[0], &cs[1], &cs[2]);
    suite
        .merchant(m0, "Noodle Bar", None, 300_000)
        .await
        .unwrap();
    // m1 is referred by m0: m0 earns a share of m1's Biz.
    suite
        .merchant(m1, "Tea House", Some(m0), 300_000)
        .await
        .unwrap();

    let ledger = &suite.ledger;
    // Merchant-first: m0 records, c0 confirms.
    let order = suite.order(Channel::InStore, 4_800, 0);
    let id0 = call::<L<ReceiptId>>(&suite, m0, ledger, "record", &(ink(c0), order))
        .await
        .unwrap();
    call::<L<()>>(&suite, c0, ledger, "confirm", &id0)
        .await
        .unwrap();
    // c0 is now a customer (known to the ledger from this purchase); c1
    // registers, referred by c0.
    let r: Result<(), RegistryError> = call(
        &suite,
        c1,
        &suite.registry,
        "register_customer",
        &Some(ink(c0)),
    )
    .await;
    r.unwrap();
    // Customer-first: c1 opens at m1 (referred merchant), m1 confirms; c1's
    // first purchase pays c0 a referral bonus.
    let order = suite.order(Channel::Outside, 2_600, 0);
    let id1 = call::<L<ReceiptId>>(&suite, c1, ledger, "open", &(ink(m1), order))
        .await
        .unwrap();
    call::<L<()>>(&suite, m1, ledger, "confirm", &id1)
        .await
        .unwrap();
    // A receipt flagged in its window, one cancelled before confirmation.
    let order = suite.order(Channel::InStore, 9_900, 0);
    let id2 = call::<L<ReceiptId>>(&suite, c2, ledger, "open", &(ink(m0), order))
        .await
        .unwrap();
    call::<L<()>>(&suite, m0, ledger, "confirm", &id2)
        .await
        .unwrap();
    call::<L<()>>(
        &suite,
        &suite.admin,
        ledger,
        "flag",
        &(id2, bizkey_types::Hash::from([9u8; 32])),
    )
    .await
    .unwrap();
    let order = suite.order(Channel::InStore, 1_200, 0);
    let id3 = call::<L<ReceiptId>>(&suite, c2, ledger, "open", &(ink(m1), order))
        .await
        .unwrap();
    call::<L<()>>(&suite, c2, ledger, "cancel", &id3)
        .await
        .unwrap();
    // Repeat purchase of c0 at m0 in the window (novelty halves).
    let order = suite.order(Channel::InStore, 3_000, 0);
    let id4 = call::<L<ReceiptId>>(&suite, m0, ledger, "record", &(ink(c0), order))
        .await
        .unwrap();
    call::<L<()>>(&suite, c0, ledger, "confirm", &id4)
        .await
        .unwrap();

    // After the challenge window: claims (c0's queue holds its cashback and
    // c1's referral bonus; m0's holds a forfeited entry of the flagged sale).
    tokio::time::sleep(Duration::from_millis(challenge_ms + 1_500)).await;
    suite.tick().await.unwrap();
    for who in [c0, m0, m1, c1] {
        call::<L<(u128, u128)>>(&suite, who, ledger, "claim", &u32::MAX)
            .await
            .unwrap();
    }

    // Time spending: c0 pays part of a sale in Time, the merchant confirms.
    let time_of = |k: &Keypair| {
        let who = ink(k);
        let suite = &suite;
        async move { query::<u128>(suite, &suite.time, "balance_of", &who).await }
    };
    let c0_time = time_of(c0).await;
    assert!(c0_time > 0, "c0 earned Time");
    let r: Result<(), bizkey_types::psp22::PSP22Error> = call(
        &suite,
        c0,
        &suite.time,
        "approve",
        &(to_ink(&suite.ledger.address), c0_time),
    )
    .await;
    r.unwrap();
    let pay = c0_time / 4;
    let order = suite.order(Channel::InStore, 5_000, pay);
    let id5 = call::<L<ReceiptId>>(&suite, c0, ledger, "open", &(ink(m1), order))
        .await
        .unwrap();
    call::<L<()>>(&suite, m1, ledger, "confirm", &id5)
        .await
        .unwrap();
    // Another, refunded by the merchant in its window: the Time goes back.
    let order = suite.order(Channel::Outside, 2_000, pay / 2);
    let id6 = call::<L<ReceiptId>>(&suite, c0, ledger, "open", &(ink(m0), order))
        .await
        .unwrap();
    call::<L<()>>(&suite, m0, ledger, "confirm", &id6)
        .await
        .unwrap();
    // The refund moves Time back with the merchant's allowance.
    let r: Result<(), bizkey_types::psp22::PSP22Error> = call(
        &suite,
        m0,
        &suite.time,
        "approve",
        &(to_ink(&suite.ledger.address), pay),
    )
    .await;
    r.unwrap();
    call::<L<()>>(&suite, m0, ledger, "refund", &id6)
        .await
        .unwrap();
    assert_eq!(
        time_of(c0).await,
        c0_time - pay,
        "the refund returned its Time"
    );
    // Ratings and a plain transfer.
    let merchant_rating = Rating::Merchant {
        product: 5,
        service: 4,
        environment: 3,
    };
    let reviews = reviews_of(&suite);
    call::<Result<(), ReviewsError>>(
        &suite,
        c0,
        &reviews,
        "rate",
        &(id0, merchant_rating, Option::<bizkey_types::Hash>::None),
    )
    .await
    .unwrap();
    call::<Result<(), ReviewsError>>(
        &suite,
        m0,
        &reviews,
        "rate",
        &(
            id0,
            Rating::Customer { score: 4 },
            Some(bizkey_types::Hash::from([3u8; 32])),
        ),
    )
    .await
    .unwrap();
    let r: Result<(), bizkey_types::psp22::PSP22Error> = call(
        &suite,
        c0,
        &suite.time,
        "transfer",
        &(ink(c2), c0_time / 10, Vec::<u8>::new()),
    )
    .await;
    r.unwrap();
    // The last confirmation's rewards mature: a claim would pay them now.
    tokio::time::sleep(Duration::from_millis(challenge_ms + 1_500)).await;
    suite.tick().await.unwrap();
    let height = suite.settle(Duration::from_secs(60)).await.unwrap();

    let mut known: Vec<AccountId32> = ms.iter().chain(cs.iter()).map(account_of).collect();
    known.push(suite.admin_id());
    let dir = tempfile::tempdir().unwrap();
    let manifest = manifest_file(&suite, dir.path(), &node.url);
    for engine in [Engine::Sqlite, Engine::Postgres] {
        let Some(db) = TestDb::new(engine).await else {
            continue;
        };
        let f = index_to(&db, &manifest, height).await;
        let m = &f.metrics;
        assert_eq!(m.undecodable_events.load(Relaxed), 0, "{engine:?}");
        assert_eq!(m.inconsistencies.load(Relaxed), 0, "{engine:?}");
        assert_eq!(m.bizpower_mismatches.load(Relaxed), 0, "{engine:?}");
        // Every row the events read was foreseen by the batch's pre-pass.
        assert_eq!(m.stages.load_misses.load(Relaxed), 0, "{engine:?}");
        assert!(m.events.load(Relaxed) > 40, "{engine:?}");
        assert_matches_contracts(&suite, &f.db, &known).await;
        // The flows happened as intended.
        let r = receipts::Entity::find().all(&f.db).await.unwrap();
        let status = |id: u64| r.iter().find(|x| x.id as u64 == id).unwrap().status.clone();
        assert_eq!(status(id2), "Flagged");
        assert_eq!(status(id3), "Cancelled");
        assert_eq!(status(id6), "Refunded");
        assert_eq!(status(id5), "Confirmed");
        assert_eq!(
            ratings::Entity::find().all(&f.db).await.unwrap().len(),
            2,
            "both sides rated receipt {id0}"
        );
        let rw = rewards::Entity::find().all(&f.db).await.unwrap();
        let roles: BTreeSet<&str> = rw.iter().map(|x| x.role.as_str()).collect();
        assert_eq!(roles.len(), 4, "every role got a reward: {roles:?}");
        let statuses: BTreeSet<&str> = rw.iter().map(|x| x.status.as_str()).collect();
        assert_eq!(
            statuses,
            BTreeSet::from(["claimed", "forfeited", "pending"])
        );
    }
}

/// The indexer binary, killed with SIGKILL five times while ≥ 1,000 receipts
/// are confirmed, ends with the same database as an uninterrupted run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkilled_five_times_the_binary_ends_like_an_uninterrupted_run() {
    let (node, suite) = start_with_suite().await;
    let merchants = suite.merchants("kill/m", 5).await.unwrap();
    let customers = suite.accounts("kill/c", 25).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let manifest = manifest_file(&suite, dir.path(), &node.url);
    let mut dbs = Vec::new();
    for engine in [Engine::Sqlite, Engine::Postgres] {
        if let Some(db) = TestDb::new(engine).await {
            dbs.push((engine, db));
        }
    }
    let spawn = |db: &TestDb, stop_at: Option<u32>| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_bizkey-indexer"));
        cmd.arg("--database-url")
            .arg(&db.url)
            .arg("--manifest")
            .arg(&manifest)
            .arg("--listen")
            .arg(format!("127.0.0.1:{}", free_port()))
            .arg("--no-progress")
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null());
        if let Some(h) = stop_at {
            cmd.arg("--stop-at").arg(h.to_string());
        }
        cmd.spawn().expect("the indexer binary starts")
    };

    let load = async {
        suite
            .receipts(&merchants, &customers, 1_000, 10, 25, &mut |_| {})
            .await
            .unwrap()
    };
    let kills = async {
        let mut rng = rand::rng();
        for _ in 0..5 {
            let mut running: Vec<_> = dbs.iter().map(|(_, db)| spawn(db, None)).collect();
            for child in &mut running {
                let wait = rng.random_range(1_500..5_000);
                tokio::time::sleep(Duration::from_millis(wait)).await;
                assert!(
                    child.try_wait().unwrap().is_none(),
                    "the indexer exited early"
                );
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
            }
        }
    };
    let (confirmed, ()) = tokio::join!(load, kills);
    assert!(confirmed >= 1_000);
    let height = suite.settle(Duration::from_secs(60)).await.unwrap();

    for (engine, db) in &dbs {
        let status = tokio::task::spawn_blocking({
            let mut child = spawn(db, Some(height));
            move || child.wait().unwrap()
        })
        .await
        .unwrap();
        assert!(
            status.success(),
            "{engine:?}: the last run failed: {status}"
        );
        let killed = dump(&db.connect().await).await;
        let fresh = TestDb::new(*engine).await.unwrap();
        let f = index_to(&fresh, &manifest, height).await;
        assert_eq!(f.metrics.inconsistencies.load(Relaxed), 0);
        let reference = dump(&f.db).await;
        assert!(reference["receipts"].len() >= 1_000, "{engine:?}");
        for (table, rows) in &reference {
            assert_eq!(&killed[table], rows, "{engine:?}: table {table} differs");
        }
    }
}

/// The node's RPC goes away under the indexer and comes back: every block
/// finalized meanwhile is indexed, none twice. On SQLite, then on
/// PostgreSQL when a server is configured.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_rpc_connection_leaves_no_gap_and_no_duplicate() {
    for engine in [Engine::Sqlite, Engine::Postgres] {
        if TestDb::new(engine).await.is_some() {
            dropped_rpc_connection(engine).await;
        }
    }
}

async fn dropped_rpc_connection(engine: Engine) {
    let (node, suite) = start_with_suite().await;
    let merchants = suite.merchants("drop/m", 2).await.unwrap();
    let customers = suite.accounts("drop/c", 8).await.unwrap();
    let proxy = Proxy::start(node.port).await;
    let dir = tempfile::tempdir().unwrap();
    let through_proxy = manifest_file(&suite, dir.path(), &proxy.url());
    let direct = manifest_file(&suite, dir.path(), &node.url);
    let Some(db) = TestDb::new(engine).await else {
        unreachable!()
    };
    let f = follower(&db, &through_proxy, None).await;
    let (stop, rx) = tokio::sync::watch::channel(false);
    let run = async {
        f.run(rx).await.unwrap();
    };
    let metrics = f.metrics.clone();
    let drive = async {
        let wait_indexed = |h: u32| {
            let metrics = metrics.clone();
            async move {
                for _ in 0..600 {
                    if metrics.indexed.load(Relaxed) >= u64::from(h) {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                panic!("block {h} not indexed");
            }
        };
        suite
            .receipts(&merchants, &customers, 40, 5, 20, &mut |_| {})
            .await
            .unwrap();
        wait_indexed(suite.settle(Duration::from_secs(60)).await.unwrap()).await;
        proxy.cut();
        // While the indexer is away: more receipts, finalized.
        suite
            .receipts(&merchants, &customers, 40, 5, 20, &mut |_| {})
            .await
            .unwrap();
        let away = suite.settle(Duration::from_secs(60)).await.unwrap();
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert!(
            metrics.indexed.load(Relaxed) < u64::from(away),
            "the cut held"
        );
        proxy.restore().await;
        suite
            .receipts(&merchants, &customers, 40, 5, 20, &mut |_| {})
            .await
            .unwrap();
        let height = suite.settle(Duration::from_secs(60)).await.unwrap();
        wait_indexed(height).await;
        stop.send(true).unwrap();
        height
    };
    let ((), height) = tokio::join!(run, drive);
    assert!(
        f.metrics.reconnects.load(Relaxed) >= 1,
        "the follower reconnected ({engine:?})"
    );
    let got = dump(&f.db).await;
    // Every block from the deployment to the head exactly once.
    let start = u64::from(suite.manifest.deployment_block);
    assert_eq!(got["blocks"].len() as u64, u64::from(height) - start + 1);
    assert_eq!(got["receipts"].len(), 120);
    assert_eq!(got["receipt_status_history"].len(), 240);
    // And the same rows as an index that never lost the node.
    let Some(fresh) = TestDb::new(engine).await else {
        unreachable!()
    };
    let reference = dump(&index_to(&fresh, &direct, height).await.db).await;
    assert_eq!(got, reference, "{engine:?}");
}
