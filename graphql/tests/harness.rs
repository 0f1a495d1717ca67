//! Fresh index databases on both engines, written as the indexer writes
//! them (bizkey-store's migrations and upserts), and the API over them.

use bizkey_graphql::{app, connect, BizkeySchema, Config};
use bizkey_store::amount::U128;
use bizkey_store::entity::{
    customers, index_batches, klines, ledger_merchants, merchants, receipt_status_history,
    receipts, rewards, token_balances,
};
use bizkey_store::repo;
use blake2::{Blake2b512, Digest};
use sea_orm::{ActiveModelTrait, DatabaseConnection, TransactionTrait};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

pub use bizkey_store::test_db::{Engine, ENGINES};

/// A fresh database, migrated, and the API over it.
pub struct TestDb(bizkey_store::test_db::TestDb);

impl std::ops::Deref for TestDb {
    type Target = bizkey_store::test_db::TestDb;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl TestDb {
    /// `None` for PostgreSQL outside CI when no server is configured.
    pub async fn new(engine: Engine) -> Option<Self> {
        let db = bizkey_store::test_db::TestDb::new(engine).await?;
        db.connect().await;
        Some(Self(db))
    }

    /// The indexer's kind of connection (the writer).
    pub async fn writer(&self) -> DatabaseConnection {
        repo::connect(&self.url).await.unwrap()
    }

    pub fn config(&self) -> Config {
        Config {
            database_url: self.url.clone(),
            poll: Duration::from_millis(20),
            ..Config::default()
        }
    }

    /// The API's connection and schema.
    pub async fn api(&self) -> (BizkeySchema, axum::Router) {
        let config = self.config();
        app(connect(&config).await.unwrap(), &config)
    }
}

/// An SS58 address (prefix 42) of `n`.
pub fn ss58(n: u64) -> String {
    let mut data = vec![42u8];
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&n.to_le_bytes());
    key[31] = 0xb1;
    data.extend_from_slice(&key);
    let mut h = Blake2b512::new();
    h.update(b"SS58PRE");
    h.update(&data);
    let sum = h.finalize();
    data.extend_from_slice(&sum[..2]);
    bs58::encode(data).into_string()
}

pub fn merchant_row(i: u64) -> merchants::Model {
    merchants::Model {
        account: ss58(1_000 + i),
        name: format!("Shop {i:03}"),
        category: ["Cafe", "Restaurant", "Grocery"][(i % 3) as usize].into(),
        location: format!("wx4g{}", i % 4),
        area_sqft: 400,
        staff: 3,
        rent_per_sqft_day: U128(12),
        wage_per_day: U128(20_000),
        licence_hash: format!("0x{:064x}", i),
        referrer: None,
        time_share_ppm: 100_000,
        status: "Verified".into(),
        registered_at: 1_700_000_000_000 + i as i64 * 1_000,
        verified_at: Some(1_700_000_000_000 + i as i64 * 1_000 + 500),
        registered_block: 1,
        updated_block: 1,
    }
}

/// A receipt confirmed at `block`.
pub fn receipt_row(id: i64, merchant: &str, customer: &str, block: i64) -> receipts::Model {
    let at = 1_700_000_000_000 + id * 60_000;
    receipts::Model {
        id,
        merchant: merchant.into(),
        customer: customer.into(),
        opened_by: "Merchant".into(),
        order_id: U128(id as u128),
        order_time: at - 5_000,
        channel: if id % 5 == 0 { "Outside" } else { "InStore" }.into(),
        // Lengths differ (3 to 7 digits): exercises SQLite's text amounts.
        amount: U128(10u128.pow((id % 5 + 2) as u32) + id as u128),
        discount: U128(0),
        time_paid: U128(0),
        items: 1 + id % 4,
        detail_hash: format!("0x{:064x}", id),
        status: "Confirmed".into(),
        opened_at: at - 1_000,
        expires_at: at + 3_600_000,
        confirmed_at: Some(at),
        matures_at: Some(at + 86_400_000),
        earlier_in_window: Some(0),
        first_at_merchant: Some(true),
        first_purchase: Some(id == 1),
        bizpower: Some(U128(1_000_000_000 + id as u128)),
        biz_reward: Some(U128(5_000)),
        time_reward: Some(U128(700)),
        referral_time: None,
        flagged_by: None,
        evidence: None,
        time_returned: None,
        opened_block: block,
        updated_block: block,
    }
}

/// What a block's worth of confirmations writes, in one transaction with
/// its `index_batches` row, as the indexer's batch does.
pub async fn commit_batch(db: &DatabaseConnection, block: i64, rows: &[receipts::Model]) {
    let txn = db.begin().await.unwrap();
    let mut hist = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        hist.push(receipt_status_history::Model {
            block_number: block,
            event_index: i as i64,
            receipt_id: r.id,
            status: r.status.clone(),
            changed_by: r.flagged_by.clone(),
            timestamp: r.confirmed_at.unwrap_or(0),
        });
    }
    repo::upsert(&txn, rows.iter().cloned().map(receipts::ActiveModel::from))
        .await
        .unwrap();
    repo::upsert(
        &txn,
        hist.into_iter()
            .map(receipt_status_history::ActiveModel::from),
    )
    .await
    .unwrap();
    repo::save_batch(
        &txn,
        index_batches::Model {
            to_block: block,
            from_block: block,
            head: block,
            events: rows.len() as i64,
            committed_at: bizkey_store::now_ms(),
        },
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
}

/// `merchants` merchants, `customers` customers, `n` receipts spread over
/// them in blocks of 10, balances, rewards and a few K-lines.
pub async fn seed(db: &DatabaseConnection, merchants: u64, customers: u64, n: i64) {
    for i in 0..merchants {
        let m = merchant_row(i);
        ledger_merchants::ActiveModel::from(ledger_merchants::Model {
            merchant: m.account.clone(),
            status: "Verified".into(),
            area_sqft: m.area_sqft,
            staff: m.staff,
            rent_per_sqft_day: m.rent_per_sqft_day,
            wage_per_day: m.wage_per_day,
            referrer: None,
            verified_at: m.verified_at,
            time_share_ppm: m.time_share_ppm,
            window_id: 0,
            in_store_orders: 0,
            in_store_amount: U128(0),
            new_customers: 0,
            repeat_customers: 0,
            outside_customers: 0,
            outside_orders: 0,
            outside_amount: U128(0),
            bizpower: U128(1_500_000_000 + u128::from(i)),
            updated_block: 1,
        })
        .insert(db)
        .await
        .unwrap();
        merchants::ActiveModel::from(m.clone())
            .insert(db)
            .await
            .unwrap();
        for (j, token) in ["biz", "time"].iter().enumerate() {
            token_balances::ActiveModel::from(token_balances::Model {
                token: (*token).into(),
                account: m.account.clone(),
                balance: U128(10u128.pow(20) + (i * 10 + j as u64) as u128),
                updated_block: 1,
            })
            .insert(db)
            .await
            .unwrap();
        }
        klines::ActiveModel::from(klines::Model {
            merchant: m.account.clone(),
            interval: "1m".into(),
            bucket_start: 1_700_000_040_000,
            open: U128(1),
            high: U128(9),
            low: U128(1),
            close: U128(5),
            receipts: 2,
        })
        .insert(db)
        .await
        .unwrap();
    }
    for c in 0..customers {
        customers::ActiveModel::from(customers::Model {
            account: ss58(c),
            referrer: None,
            status: "Active".into(),
            implicit: c % 2 == 0,
            registered_at: 1_700_000_000_000,
            registered_block: 1,
            updated_block: 1,
        })
        .insert(db)
        .await
        .unwrap();
    }
    let mut batch = Vec::new();
    for id in 1..=n {
        let m = ss58(1_000 + (id as u64 % merchants));
        let c = ss58(id as u64 % customers);
        let r = receipt_row(id, &m, &c, 2 + (id - 1) / 10);
        rewards::ActiveModel::from(rewards::Model {
            receipt_id: id,
            role: "customer".into(),
            beneficiary: c.clone(),
            token: "time".into(),
            amount: U128(700),
            matures_at: r.matures_at.unwrap(),
            status: if id % 3 == 0 { "claimed" } else { "pending" }.into(),
            created_block: r.opened_block,
            settled_block: None,
            consumed_block: None,
            queue_index: id,
        })
        .insert(db)
        .await
        .unwrap();
        batch.push(r);
        if id % 10 == 0 || id == n {
            commit_batch(db, 2 + (id - 1) / 10, &std::mem::take(&mut batch)).await;
        }
    }
}

/// Runs `query` on the schema; panics on GraphQL errors.
pub async fn ok(schema: &BizkeySchema, query: &str) -> serde_json::Value {
    let resp = schema.execute(query).await;
    assert!(resp.errors.is_empty(), "{query}: {:?}", resp.errors);
    resp.data.into_json().unwrap()
}

/// [`ok`] in a task of its own, as the server runs each request. Tests
/// that count statements need this: the batch loaders gather the keys of a
/// list's items while the task polls them, and outside a task tokio wakes a
/// yielding future at once, so how keys split into batches would depend on
/// timing.
pub async fn served(schema: &BizkeySchema, query: &str) -> serde_json::Value {
    let (schema, query) = (schema.clone(), query.to_owned());
    tokio::spawn(async move { ok(&schema, &query).await })
        .await
        .unwrap()
}

/// Runs `query`; returns its error messages and codes.
pub async fn errors(schema: &BizkeySchema, query: &str) -> Vec<(String, Option<String>)> {
    let resp = schema.execute(query).await;
    resp.errors
        .into_iter()
        .map(|e| {
            let code = e
                .extensions
                .as_ref()
                .and_then(|x| x.get("code"))
                .map(|v| v.to_string().trim_matches('"').to_owned());
            (e.message, code)
        })
        .collect()
}

/// A connection that counts the statements run through it, but for the
/// subscriptions' hub's polls of the batch log on the same pool.
pub async fn counted(
    config: &bizkey_graphql::Config,
) -> (bizkey_graphql::BizkeySchema, Arc<AtomicUsize>) {
    let mut conn = bizkey_graphql::connect(config).await.unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    conn.set_metric_callback(move |i| {
        if !i.statement.to_string().contains("index_batches") {
            c.fetch_add(1, Relaxed);
        }
    });
    (bizkey_graphql::app(conn, config).0, count)
}
