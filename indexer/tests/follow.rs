//! The follower end to end over a scripted chain, on SQLite and PostgreSQL.

use crate::harness::{dump, follower, ss58, Engine, Script, ScriptedNode, TestDb, GENESIS};
use bizkey_indexer::IndexError;
use bizkey_store::entity::{
    bizpower, chain_meta, fundings, klines, receipts, token_balances, token_supply,
};
use rand::{Rng, SeedableRng};
use sea_orm::{EntityTrait, PaginatorTrait};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering::Relaxed;

async fn run_to_end(db: &TestDb, script: &Script, node: ScriptedNode, batch: usize) {
    let f = follower(
        db.connect().await,
        node,
        script.blocks.len() as u64 - 1,
        batch,
    );
    let (_tx, rx) = tokio::sync::watch::channel(false);
    f.run(rx).await.unwrap();
}

/// Balances, supply, statuses, BizPower replay, K-lines and counters equal
/// what the scripted chain implies.
async fn projects_a_run_of_receipts(engine: Engine) {
    let Some(db) = TestDb::new(engine).await else {
        return;
    };
    let script = Script::generate(300, 7);
    run_to_end(&db, &script, ScriptedNode::new(&script), 64).await;
    let conn = db.connect().await;

    let balances: HashMap<(String, String), u128> = token_balances::Entity::find()
        .all(&conn)
        .await
        .unwrap()
        .into_iter()
        .map(|b| ((b.token, b.account), b.balance.0))
        .collect();
    for ((token, account), want) in &script.balances {
        assert_eq!(
            balances.get(&(token.to_string(), account.clone())),
            Some(want),
            "{token} balance of {account}"
        );
    }
    for s in token_supply::Entity::find().all(&conn).await.unwrap() {
        let sum: u128 = balances
            .iter()
            .filter(|((t, _), _)| *t == s.token)
            .map(|(_, v)| v)
            .sum();
        assert_eq!(
            sum, s.total_supply.0,
            "sum of {} balances equals the supply",
            s.token
        );
    }
    let statuses: HashMap<i64, String> = receipts::Entity::find()
        .all(&conn)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.id, r.status))
        .collect();
    assert_eq!(statuses.len(), script.statuses.len());
    for (id, want) in &script.statuses {
        assert_eq!(statuses[&(*id as i64)], *want, "status of receipt {id}");
    }
    let fundings: BTreeMap<String, String> = fundings::Entity::find()
        .all(&conn)
        .await
        .unwrap()
        .into_iter()
        .map(|f| (f.account, f.funder))
        .collect();
    assert!(fundings.len() > 10);
    assert_eq!(fundings, script.fundings, "each account's first funder");
    let bp = bizpower::Entity::find().all(&conn).await.unwrap();
    assert_eq!(bp.len() as u64, script.confirmed);
    assert!(
        bp.iter().all(|r| r.matches),
        "replayed BizPower equals the ledger's for every receipt"
    );
    assert!(bp.iter().any(|r| r.bizpower.0 > 0));
    let candles = klines::Entity::find().all(&conn).await.unwrap();
    for interval in ["1m", "1h", "1d"] {
        let n: i64 = candles
            .iter()
            .filter(|k| k.interval == interval)
            .map(|k| k.receipts)
            .sum();
        assert_eq!(
            n as u64, script.confirmed,
            "{interval} candles count every confirmation once"
        );
    }
    assert!(candles
        .iter()
        .all(|k| k.low <= k.open && k.open <= k.high && k.low <= k.close && k.close <= k.high));
    let meta = chain_meta::Entity::find_by_id(1)
        .one(&conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(meta.indexed_height as usize, script.blocks.len() - 1);
    assert_eq!(
        (meta.unknown_events as u64, meta.undecodable_events as u64),
        (script.unknown, script.undecodable)
    );
    let events = bizkey_store::entity::events::Entity::find()
        .count(&conn)
        .await
        .unwrap();
    assert_eq!(events, script.suite_events);
    let claimed = bizkey_store::entity::rewards::Entity::find()
        .all(&conn)
        .await
        .unwrap();
    assert!(claimed
        .iter()
        .all(|r| r.consumed_block.is_some() || r.status == "pending"));
    assert!(
        claimed.iter().any(|r| r.status == "claimed")
            && claimed.iter().any(|r| r.status == "forfeited")
    );
}

/// Interrupted runs (stopped at random heights, node dropping requests)
/// end in the same database as one uninterrupted run.
async fn interruptions_change_nothing(engine: Engine) {
    let (Some(once), Some(interrupted)) = (TestDb::new(engine).await, TestDb::new(engine).await)
    else {
        return;
    };
    let script = Script::generate(200, 11);
    let last = script.blocks.len() as u64 - 1;
    run_to_end(&once, &script, ScriptedNode::new(&script), 256).await;

    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let mut stops: Vec<u64> = (0..5).map(|_| rng.random_range(1..last)).collect();
    stops.sort();
    stops.push(last);
    for stop in stops {
        let mut node = ScriptedNode::new(&script);
        node.fail_every = 7;
        let connects = node.connects.clone();
        let f = follower(interrupted.connect().await, node, stop, 3);
        let (_tx, rx) = tokio::sync::watch::channel(false);
        f.run(rx).await.unwrap();
        assert!(connects.load(Relaxed) >= 1);
    }
    assert_eq!(
        dump(&once.connect().await).await,
        dump(&interrupted.connect().await).await
    );
}

/// A database of one chain refuses a node of another.
async fn refuses_another_chain(engine: Engine) {
    let Some(db) = TestDb::new(engine).await else {
        return;
    };
    let script = Script::generate(5, 1);
    run_to_end(&db, &script, ScriptedNode::new(&script), 16).await;
    let mut other = ScriptedNode::new(&script);
    other.genesis = [0x01; 32];
    let f = follower(db.connect().await, other, 1, 16);
    let mut f = f;
    f.options.expected_genesis = None;
    let (_tx, rx) = tokio::sync::watch::channel(false);
    match f.run(rx).await {
        Err(IndexError::WrongChain { database, .. }) => {
            assert_eq!(database, format!("0x{}", hex::encode(GENESIS)))
        }
        other => panic!("expected WrongChain, got {other:?}"),
    }
}

/// A detail is stored only when it matches the receipt's hash.
async fn receipt_details_must_match(engine: Engine) {
    use bizkey_store::detail::{ingest, DetailError, Item, ReceiptDetail};
    let Some(db) = TestDb::new(engine).await else {
        return;
    };
    let script = Script::generate(3, 2);
    run_to_end(&db, &script, ScriptedNode::new(&script), 16).await;
    let conn = db.connect().await;
    let detail = ReceiptDetail {
        items: vec![Item {
            name: "咖啡".into(),
            quantity: 2,
            list_price: 1500,
            paid_price: 1400,
            time_deduction: 0,
        }],
        logistics: None,
        merchant_name: None,
        customer_name: Some("Li".into()),
        note: None,
    };
    let json = serde_json::to_string(&detail).unwrap();
    assert!(matches!(
        ingest(&conn, 0, &json).await,
        Err(DetailError::HashMismatch { receipt: 0, .. })
    ));
    assert!(matches!(
        ingest(&conn, 999, &json).await,
        Err(DetailError::UnknownReceipt(999))
    ));
    assert!(matches!(
        ingest(&conn, 0, "{\"items\": 3}").await,
        Err(DetailError::Invalid(_))
    ));
    // Make receipt 0 carry this detail's hash, as its opener would have.
    let hash = format!("0x{}", hex::encode(detail.hash()));
    use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
    let mut r = receipts::Entity::find_by_id(0)
        .one(&conn)
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    r.detail_hash = Set(hash.clone());
    r.update(&conn).await.unwrap();
    assert_eq!(
        ingest(&conn, 0, &serde_json::to_string_pretty(&detail).unwrap())
            .await
            .unwrap(),
        detail.hash()
    );
    let stored = bizkey_store::entity::receipt_details::Entity::find_by_id(0)
        .one(&conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.detail_hash, hash);
    assert_eq!(stored.detail["customer_name"], "Li");
}

macro_rules! both_engines {
    ($($name:ident),*) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::Engine::Sqlite).await })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::Engine::Postgres).await })*
        }
    };
}

both_engines!(
    projects_a_run_of_receipts,
    interruptions_change_nothing,
    refuses_another_chain,
    receipt_details_must_match
);

#[test]
fn scripted_accounts_are_ss58() {
    assert!(ss58(&crate::harness::account(1)).starts_with('5'));
}
