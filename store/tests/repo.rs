//! The repository's writes on both engines, and how PostgreSQL plans reads.
//!
//! `repo::upsert` on both engines: what is read back is what was written,
//! for the awkward values (NULLs, quotes and backslashes, the largest
//! `u128`, a JSON `null` against an SQL NULL), on a second write of changed
//! rows, and across statements (a key written again in a later statement of
//! the same call keeps the later row, as if written one after the other).
//! PostgreSQL runs when `BIZKEY_TEST_PG_URL` is set (`scripts/postgres.sh`;
//! required under CI).

use bizkey_store::amount::U128;
use bizkey_store::entity::{events, receipts};
use bizkey_store::repo;
use bizkey_store::test_db::{Engine, TestDb, ENGINES};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryOrder, TransactionTrait,
};

fn receipt(id: i64) -> receipts::Model {
    receipts::Model {
        id,
        merchant: format!("merchant {id}"),
        customer: "c".into(),
        opened_by: "Customer".into(),
        order_id: U128(u128::MAX - id as u128),
        order_time: i64::MIN + id,
        channel: "InStore".into(),
        amount: U128(10u128.pow(22) + id as u128),
        discount: U128(0),
        time_paid: U128(0),
        items: id,
        detail_hash: String::new(),
        status: "Open".into(),
        opened_at: i64::MAX - id,
        expires_at: 0,
        confirmed_at: None,
        matures_at: Some(-id),
        earlier_in_window: None,
        first_at_merchant: Some(id % 2 == 0),
        first_purchase: None,
        bizpower: Some(U128(u128::MAX)),
        biz_reward: None,
        time_reward: Some(U128(0)),
        referral_time: None,
        // What an array literal must quote: quotes, backslashes, commas,
        // braces, blanks, the word NULL, non-ASCII.
        flagged_by: Some(r#"a "quoted" \ back\slash, {brace} NULL  "#.into()),
        evidence: Some("NULL".into()),
        time_returned: None,
        opened_block: id,
        updated_block: id,
    }
}

fn event(block: i64, index: i64) -> events::Model {
    events::Model {
        block_number: block,
        event_index: index,
        extrinsic_index: (index % 3 != 0).then_some(index),
        contract: "5C…".into(),
        contract_kind: "ledger".into(),
        name: (index % 5 != 0).then(|| "ReceiptOpened".into()),
        data: match index % 4 {
            0 => None,
            1 => Some(serde_json::Value::Null),
            2 => Some(serde_json::json!("a \"string\" \\ {x}")),
            _ => Some(serde_json::json!({"amount": u128::MAX.to_string(), "n": [1, null, "x,y"]})),
        },
        raw: format!("0x{index:04x}"),
    }
}

async fn receipts_in(db: &DatabaseConnection) -> Vec<receipts::Model> {
    receipts::Entity::find()
        .order_by_asc(receipts::Column::Id)
        .all(db)
        .await
        .unwrap()
}

async fn events_in(db: &DatabaseConnection) -> Vec<events::Model> {
    events::Entity::find()
        .order_by_asc(events::Column::BlockNumber)
        .order_by_asc(events::Column::EventIndex)
        .all(db)
        .await
        .unwrap()
}

async fn round_trips(db: &DatabaseConnection) {
    // Written, then written again with changes to every kind of column
    // (values to NULL, NULL to values, a new row among them).
    let first: Vec<receipts::Model> = (1..=3).map(receipt).collect();
    let active = |rows: &[receipts::Model]| {
        rows.iter()
            .cloned()
            .map(IntoActiveModel::into_active_model)
            .collect::<Vec<_>>()
    };
    repo::upsert(db, active(&first)).await.unwrap();
    assert_eq!(receipts_in(db).await, first);
    let mut second = first.clone();
    for r in &mut second {
        r.status = "Confirmed".into();
        r.confirmed_at = Some(r.id * 7);
        r.matures_at = None;
        r.first_at_merchant = None;
        r.first_purchase = Some(false);
        r.bizpower = None;
        r.biz_reward = Some(U128(u128::MAX));
        r.flagged_by = None;
        r.evidence = Some(String::new());
    }
    second.push(receipt(4));
    repo::upsert(db, active(&second)).await.unwrap();
    assert_eq!(receipts_in(db).await, second);

    // More rows than one statement takes (`repo::upsert` writes up to 256
    // a statement, then powers of two: 12,001 rows are 46 full statements
    // and 128 + 64 + 32 + 1), with JSON values of every shape, and a key
    // written again in the last statement. (Within one statement PostgreSQL refuses to
    // update a row twice: callers pass each key once.)
    let mut events: Vec<events::Model> = (0..12_000).map(|i| event(i / 100, i % 100)).collect();
    let mut repeat = event(0, 1);
    repeat.raw = "0xrepeated".into();
    events.push(repeat);
    let rows = events
        .iter()
        .cloned()
        .map(IntoActiveModel::into_active_model);
    repo::upsert(db, rows).await.unwrap();
    events.swap_remove(1);
    events.sort_by_key(|e| (e.block_number, e.event_index));
    let stored = events_in(db).await;
    assert_eq!(stored.len(), events.len());
    assert_eq!(stored, events);
    assert_eq!(stored[1].raw, "0xrepeated");
}

/// The one row `sql` returns on PostgreSQL.
async fn pg_row(db: &impl ConnectionTrait, sql: &str) -> sea_orm::QueryResult {
    db.query_one_raw(sea_orm::Statement::from_string(
        sea_orm::DbBackend::Postgres,
        sql,
    ))
    .await
    .unwrap()
    .unwrap()
}

#[tokio::test]
async fn both_engines_read_back_what_was_upserted() {
    for engine in ENGINES {
        let Some(test_db) = TestDb::new(engine).await else {
            continue;
        };
        let db = test_db.connect().await;
        round_trips(&db).await;
        if engine == Engine::Postgres {
            // The indexer's sessions commit asynchronously (`repo::connect`),
            // by their own startup option (source `client`), whatever the
            // server's default (the test cluster's is already off).
            let row = pg_row(
                &db,
                "SELECT setting, source FROM pg_settings WHERE name = 'synchronous_commit'",
            )
            .await;
            let setting: String = row.try_get("", "setting").unwrap();
            let source: String = row.try_get("", "source").unwrap();
            assert_eq!((setting.as_str(), source.as_str()), ("off", "client"));
        }
    }
}

/// How often the session's prepared statements that start with `prefix`
/// were planned: `(custom, generic)`.
async fn plans_of(db: &impl ConnectionTrait, prefix: &str) -> (i64, i64) {
    let row = db
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "SELECT COALESCE(SUM(custom_plans), 0)::BIGINT, COALESCE(SUM(generic_plans), 0)::BIGINT \
             FROM pg_prepared_statements WHERE starts_with(statement, $1)",
            [prefix.into()],
        ))
        .await
        .unwrap()
        .unwrap();
    (
        row.try_get_by_index(0).unwrap(),
        row.try_get_by_index(1).unwrap(),
    )
}

/// `repo::plan`: reads by key are planned for their values however often
/// they run (PostgreSQL's generic plan for a read made while a fresh index's
/// table was near empty is a sequential scan it keeps as the table grows);
/// the multi-row writes reuse one plan.
#[tokio::test]
async fn reads_are_planned_per_execution_and_writes_reuse_their_plan() {
    let Some(test_db) = TestDb::new(Engine::Postgres).await else {
        return;
    };
    let db = test_db.connect().await;
    let txn = db.begin().await.unwrap();
    repo::plan(&txn, repo::Plans::PerExecution).await.unwrap();
    // A read whose plan does not depend on its values: left to the server,
    // it would run on the generic plan from the sixth time on.
    for id in 0..8 {
        receipts::Entity::find_by_id(id).one(&txn).await.unwrap();
    }
    let read = r#"SELECT "receipts"."id""#;
    assert_eq!(plans_of(&txn, read).await, (8, 0));

    repo::plan(&txn, repo::Plans::Reused).await.unwrap();
    for _ in 0..8 {
        let rows = (1..=256).map(|id| receipt(id).into_active_model());
        let rows: Vec<_> = rows.collect();
        repo::upsert(&txn, rows).await.unwrap();
    }
    let (custom, generic) = plans_of(&txn, r#"INSERT INTO "receipts""#).await;
    assert!(
        generic > 0 && custom + generic == 8,
        "{custom} custom, {generic} generic"
    );
    txn.rollback().await.unwrap();

    // `SET LOCAL`: the session's default is back after the transaction.
    let row = pg_row(&db, "SHOW plan_cache_mode").await;
    assert_eq!(row.try_get_by_index::<String>(0).unwrap(), "auto");
}
