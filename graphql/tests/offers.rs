//! Cross-merchant offers on both engines: the ranking's terms each move an
//! offer by the documented weight, what is not an offer for a customer is
//! left out, and a merchant's reach counts only the customers its task
//! brought.

use crate::harness::{commit_batch, errors, merchant_row, ok, receipt_row, ss58, TestDb, ENGINES};
use bizkey_store::amount::U128;
use bizkey_store::entity::{merchants, task_participants, tasks, visits};
use sea_orm::{ActiveModelTrait, DatabaseConnection};

/// The time the offers are asked at (ms).
const NOW: i64 = 1_700_100_000_000;

/// A merchant with its category and location (the district is the first
/// five characters).
async fn merchant(db: &DatabaseConnection, i: u64, category: &str, location: &str, status: &str) {
    merchants::ActiveModel::from(merchants::Model {
        category: category.into(),
        location: location.into(),
        status: status.into(),
        ..merchant_row(i)
    })
    .insert(db)
    .await
    .unwrap();
}

fn m(i: u64) -> String {
    merchant_row(i).account
}

async fn visit(db: &DatabaseConnection, merchant: u64, customer: u64, purchases: i64) {
    visits::ActiveModel::from(visits::Model {
        merchant: m(merchant),
        customer: ss58(customer),
        purchases,
        first_window: 0,
        window_id: 0,
        in_window: 0,
        counted: 0,
    })
    .insert(db)
    .await
    .unwrap();
}

/// A task of merchant `i`, open over `[starts, ends)`.
async fn task(db: &DatabaseConnection, id: i64, i: u64, starts: i64, ends: i64, done: i64) {
    tasks::ActiveModel::from(tasks::Model {
        id,
        merchant: m(i),
        name: format!("Offer {id}"),
        description_hash: format!("0x{id:064x}"),
        mode: "Any".into(),
        rules: serde_json::json!([]),
        reward_kind: "Fixed".into(),
        reward_amount: Some(U128(500_000_000_000)),
        reward_ppm: None,
        eligibility: "Anyone".into(),
        min_purchases: None,
        penalty: U128(0),
        starts_at: starts,
        ends_at: ends,
        claim_ms: 86_400_000,
        max_completions: 10,
        created_at: starts,
        escrow: U128(5_000_000_000_000),
        pool: U128(5_000_000_000_000),
        reserved: U128(0),
        paid: U128(0),
        refunded: U128(0),
        stakes: U128(0),
        participants: 0,
        completions: done,
        group_share: U128(0),
        created_block: 1,
        updated_block: 1,
    })
    .insert(db)
    .await
    .unwrap();
}

async fn join(db: &DatabaseConnection, task: i64, customer: u64, at: i64) {
    task_participants::ActiveModel::from(task_participants::Model {
        task_id: task,
        customer: ss58(customer),
        status: "Joined".into(),
        joined_at: at,
        stake: U128(0),
        attested: 0,
        reward: U128(0),
        collected: false,
        updated_block: 1,
    })
    .insert(db)
    .await
    .unwrap();
}

const OPEN: (i64, i64) = (NOW - 3_600_000, NOW + 3_600_000);

/// Customer 1 buys at merchant 0 (a café in district wx4g0, 3 purchases)
/// and at merchant 6 (a grocery there, 1 purchase). Customers 2 and 3 also
/// buy at merchant 0, and both at merchant 4. Open tasks: merchant 1 (café,
/// same district), 2 (restaurant, same district), 3 (café, far), 4
/// (restaurant, far; where the peers buy), 5 (restaurant, far: no reason).
async fn world(db: &DatabaseConnection) {
    merchant(db, 0, "Cafe", "wx4g0abc", "Verified").await;
    merchant(db, 1, "Cafe", "wx4g0xyz", "Verified").await;
    merchant(db, 2, "Restaurant", "wx4g0zzz", "Verified").await;
    merchant(db, 3, "Cafe", "u4pruy", "Verified").await;
    merchant(db, 4, "Restaurant", "u4prux", "Verified").await;
    merchant(db, 5, "Restaurant", "u4pruw", "Verified").await;
    merchant(db, 6, "Grocery", "wx4g0aaa", "Verified").await;
    merchant(db, 7, "Cafe", "wx4g0bbb", "Suspended").await;
    visit(db, 0, 1, 3).await;
    visit(db, 6, 1, 1).await;
    visit(db, 0, 2, 1).await;
    visit(db, 0, 3, 2).await;
    visit(db, 4, 2, 1).await;
    visit(db, 4, 3, 4).await;
    let (s, e) = OPEN;
    for (id, merchant) in [(11, 1), (12, 2), (13, 3), (14, 4), (15, 5)] {
        task(db, id, merchant, s, e, 0).await;
    }
    // Not offers for customer 1: its own merchant's, ended, not started,
    // all completions taken, a suspended merchant's, one it joined.
    task(db, 20, 0, s, e, 0).await;
    task(db, 21, 1, s - 10, NOW, 0).await;
    task(db, 22, 1, NOW + 1, e, 0).await;
    task(db, 23, 1, s, e, 10).await;
    task(db, 24, 7, s, e, 0).await;
    task(db, 25, 2, s, e, 0).await;
    join(db, 25, 1, NOW - 1_000).await;
}

const OFFERS: &str =
    "score sameDistrict categoryShare coVisitors peers task { id name } merchant { name }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offers_ranked_by_district_category_and_covisits() {
    for engine in ENGINES {
        let Some(db) = TestDb::new(engine).await else {
            continue;
        };
        let writer = db.writer().await;
        world(&writer).await;
        let (schema, _) = db.api().await;
        let q = format!(
            "{{ offers(customer: \"{}\", at: {NOW}) {{ {OFFERS} }} }}",
            ss58(1)
        );
        let data = ok(&schema, &q).await;
        let offers = data["offers"].as_array().unwrap();
        let got: Vec<(i64, f64)> = offers
            .iter()
            .map(|o| {
                (
                    o["task"]["id"].as_i64().unwrap(),
                    o["score"].as_f64().unwrap(),
                )
            })
            .collect();
        // 1: district 3 + category 2·3/4; 2: district 3; 3: category 2·3/4;
        // 4: both peers buy there (1·2/2); 5: nothing.
        let want = [(11, 4.5), (12, 3.0), (13, 1.5), (14, 1.0), (15, 0.0)];
        assert_eq!(got.len(), want.len(), "{engine:?}: {got:?}");
        for ((id, score), (wid, wscore)) in got.iter().zip(want) {
            assert_eq!(*id, wid, "{engine:?}: order {got:?}");
            assert!((score - wscore).abs() < 1e-9, "{engine:?}: {got:?}");
        }
        let first = &offers[0];
        assert_eq!(first["sameDistrict"], true);
        assert!((first["categoryShare"].as_f64().unwrap() - 0.75).abs() < 1e-9);
        assert_eq!(first["merchant"]["name"], "Shop 001");
        assert_eq!(offers[3]["coVisitors"], 2);
        assert_eq!(offers[3]["peers"], 2);
        assert_eq!(offers[3]["sameDistrict"], false);

        // `first` cuts the ranked list.
        let q = format!(
            "{{ offers(customer: \"{}\", at: {NOW}, first: 2) {{ task {{ id }} }} }}",
            ss58(1)
        );
        let ids: Vec<i64> = ok(&schema, &q).await["offers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["task"]["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, [11, 12], "{engine:?}");

        // A customer with no history: every open offer, no reason, newest
        // first (its merchants are nobody's, so nothing is excluded for it).
        let q = format!(
            "{{ offers(customer: \"{}\", at: {NOW}) {{ score task {{ id }} }} }}",
            ss58(99)
        );
        let data = ok(&schema, &q).await;
        let fresh: Vec<i64> = data["offers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                assert_eq!(o["score"].as_f64(), Some(0.0));
                o["task"]["id"].as_i64().unwrap()
            })
            .collect();
        assert_eq!(fresh, [25, 20, 15, 14, 13, 12, 11], "{engine:?}");

        // Bad input is the client's error.
        let q = format!(
            "{{ offers(customer: \"{}\", first: 51) {{ score }} }}",
            ss58(1)
        );
        assert_eq!(
            errors(&schema, &q).await[0].1.as_deref(),
            Some("BAD_USER_INPUT")
        );
        let q = "{ offers(customer: \"nobody\") { score } }";
        assert_eq!(
            errors(&schema, q).await[0].1.as_deref(),
            Some("BAD_USER_INPUT")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reach_counts_the_customers_a_task_brought() {
    for engine in ENGINES {
        let Some(db) = TestDb::new(engine).await else {
            continue;
        };
        let writer = db.writer().await;
        world(&writer).await;
        let merchant = m(1);
        let joined = NOW - 600_000;
        // 30 joins and buys twice after: brought, 2 purchases.
        // 31 bought here before joining, and after: not brought.
        // 32 joins and never buys: not brought.
        // 33 joins and buys after, but the sale is flagged: not brought.
        // 34 bought here after joining another merchant's task: not this one's.
        for c in [30, 31, 32, 33] {
            join(&writer, 11, c, joined).await;
        }
        join(&writer, 12, 34, joined).await;
        let mut rows = Vec::new();
        let mut sale = |id: i64, customer: u64, confirmed: i64, status: &str| {
            let mut r = receipt_row(id, &merchant, &ss58(customer), 5);
            r.confirmed_at = Some(confirmed);
            r.status = status.into();
            rows.push(r);
        };
        sale(1, 30, joined + 1, "Confirmed");
        sale(2, 30, joined + 2, "Confirmed");
        sale(3, 31, joined - 1, "Confirmed");
        sale(4, 31, joined + 3, "Confirmed");
        sale(5, 33, joined + 4, "Flagged");
        sale(6, 34, joined + 5, "Confirmed");
        commit_batch(&writer, 5, &rows).await;

        let (schema, _) = db.api().await;
        let q = format!(
            "{{ offerReach(merchant: \"{merchant}\") {{ taskId newCustomers purchases task {{ name }} }} }}"
        );
        let data = ok(&schema, &q).await;
        let reach = data["offerReach"].as_array().unwrap();
        // Merchant 1's tasks, newest first: 23, 22, 21, 11.
        let ids: Vec<i64> = reach
            .iter()
            .map(|r| r["taskId"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, [23, 22, 21, 11], "{engine:?}");
        let t11 = &reach[3];
        assert_eq!(t11["newCustomers"], 1, "{engine:?}: {t11}");
        assert_eq!(t11["purchases"], 2, "{engine:?}: {t11}");
        assert_eq!(t11["task"]["name"], "Offer 11");
        assert_eq!(reach[0]["newCustomers"], 0);
    }
}
