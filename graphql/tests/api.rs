//! Answers against what was written, errors, limits and batching.

use crate::harness::{
    commit_batch, counted, errors, ok, receipt_row, seed, served, ss58, TestDb, ENGINES,
};
use bizkey_store::detail::{Item, ReceiptDetail};
use bizkey_store::hex0x;
use std::sync::atomic::Ordering::Relaxed;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_match_the_index_on_both_engines() {
    for engine in ENGINES {
        let Some(db) = TestDb::new(engine).await else {
            continue;
        };
        let writer = db.writer().await;
        seed(&writer, 3, 5, 40).await;
        let (schema, _) = db.api().await;
        let m = ss58(1_000);

        // An account page: balances, reward sums, its merchant.
        let data = ok(&schema, &format!(
            "{{ account(address: \"{m}\") {{ biz time merchant {{ name category status bizpower }} }} }}"
        ))
        .await;
        let a = &data["account"];
        assert_eq!(a["biz"], "100000000000000000000", "{engine:?}");
        assert_eq!(a["time"], "100000000000000000001");
        assert_eq!(a["merchant"]["name"], "Shop 000");
        assert_eq!(a["merchant"]["category"], "CAFE");
        assert_eq!(a["merchant"]["status"], "VERIFIED");
        assert_eq!(a["merchant"]["bizpower"], "1500000000");

        // Customer 1 gets receipts 1, 6, 11, …: every third reward claimed.
        let c = ss58(1);
        let data = ok(&schema, &format!(
            "{{ account(address: \"{c}\") {{ rewardTotals {{ pendingTime claimableTime claimedTime forfeitedTime }} purchases(first: 100) {{ totalCount }} }} }}"
        ))
        .await;
        let ids: Vec<i64> = (1..=40).filter(|id| id % 5 == 1).collect();
        let claimed = ids.iter().filter(|id| *id % 3 == 0).count() as u128 * 700;
        let open = ids.len() as u128 * 700 - claimed;
        let t = &data["account"]["rewardTotals"];
        // The seeded rewards mature a day after 2023-11: claimable by now.
        assert_eq!(t["claimableTime"], open.to_string(), "{engine:?}");
        assert_eq!(t["pendingTime"], "0");
        assert_eq!(t["claimedTime"], claimed.to_string());
        assert_eq!(t["forfeitedTime"], "0");
        assert_eq!(data["account"]["purchases"]["totalCount"], ids.len());

        // Filters: amounts compare as numbers on both engines (SQLite keeps
        // them as text of different lengths), combined with and / or.
        let want: Vec<i64> = (1..=40)
            .filter(|id| 10u128.pow((id % 5 + 2) as u32) + *id as u128 > 10_000)
            .filter(|id| id % 5 != 0 || *id > 30)
            .collect();
        let data = ok(&schema,
            "{ receipts(first: 100, orderBy: ID_ASC, filter: { amount: { gt: \"10000\" }, or: [{ channel: { eq: IN_STORE } }, { id: { gt: 30 } }] }) { totalCount nodes { id } } }",
        )
        .await;
        let got: Vec<i64> = data["receipts"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_i64().unwrap())
            .collect();
        assert_eq!(got, want, "{engine:?}");
        assert_eq!(data["receipts"]["totalCount"], want.len());
        for (op, pred) in [("gte", 1000u128), ("lt", 1000), ("lte", 100_005)] {
            let q = format!("{{ receipts(first: 100, filter: {{ amount: {{ {op}: \"{pred}\" }} }}) {{ totalCount }} }}");
            let n = ok(&schema, &q).await["receipts"]["totalCount"]
                .as_u64()
                .unwrap();
            let want = (1..=40u128)
                .map(|id| 10u128.pow((id % 5 + 2) as u32) + id)
                .filter(|a| match op {
                    "gte" => *a >= pred,
                    "lt" => *a < pred,
                    _ => *a <= pred,
                })
                .count() as u64;
            assert_eq!(n, want, "{engine:?} amount {op} {pred}");
        }

        // A merchant page with candles: the bucket with sales and the
        // empty ones after it, carried at the last close.
        let data = ok(&schema, &format!(
            "{{ merchant(account: \"{m}\") {{ kline(interval: M1, from: 1700000000000, to: 1700000160000) {{ start close receipts }} }} }}"
        ))
        .await;
        let k = data["merchant"]["kline"].as_array().unwrap();
        let rows: Vec<(i64, &str, i64)> = k
            .iter()
            .map(|c| {
                (
                    c["start"].as_i64().unwrap(),
                    c["close"].as_str().unwrap(),
                    c["receipts"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                (1_700_000_040_000, "5", 2),
                (1_700_000_100_000, "5", 0),
                (1_700_000_160_000, "5", 0)
            ],
            "{engine:?}"
        );
        // A range after the last sale starts at the close before it; one
        // before the first sale has no candles.
        for (from, to, want) in [
            (
                1_700_000_100_000i64,
                1_700_000_220_000i64,
                vec![
                    (1_700_000_100_000i64, "5"),
                    (1_700_000_160_000, "5"),
                    (1_700_000_220_000, "5"),
                ],
            ),
            (1_699_999_000_000, 1_700_000_000_000, vec![]),
        ] {
            let data = ok(&schema, &format!(
                "{{ merchant(account: \"{m}\") {{ kline(interval: M1, from: {from}, to: {to}) {{ start open close receipts }} }} }}"
            ))
            .await;
            let got: Vec<(i64, &str)> = data["merchant"]["kline"]
                .as_array()
                .unwrap()
                .iter()
                .inspect(|c| {
                    assert_eq!(
                        (c["open"].as_str(), c["receipts"].as_i64()),
                        (Some("5"), Some(0))
                    )
                })
                .map(|c| (c["start"].as_i64().unwrap(), c["close"].as_str().unwrap()))
                .collect();
            assert_eq!(got, want, "{engine:?}: {from}..{to}");
        }

        if engine == crate::harness::Engine::Postgres {
            // Every pooled connection of the API runs under the timeout.
            use sea_orm::ConnectionTrait;
            let conn = bizkey_graphql::connect(&db.config()).await.unwrap();
            let row = conn
                .query_one_raw(sea_orm::Statement::from_string(
                    sea_orm::DbBackend::Postgres,
                    "SHOW statement_timeout",
                ))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                row.try_get::<String>("", "statement_timeout").unwrap(),
                "5s"
            );
        }

        // The indexer's progress.
        let data = ok(&schema, "{ indexerStatus { indexedHeight head lag } }").await;
        assert!(
            data["indexerStatus"].is_null(),
            "no chain_meta row was written"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_a_clear_graphql_error() {
    let db = TestDb::new(crate::harness::Engine::Sqlite).await.unwrap();
    seed(&db.writer().await, 2, 2, 5).await;
    let (schema, _) = db.api().await;
    let cases = [
        (
            "{ receipts(first: 101) { totalCount } }",
            "BAD_USER_INPUT",
            "between 0 and 100",
        ),
        (
            "{ receipts(last: -1) { totalCount } }",
            "BAD_USER_INPUT",
            "between 0 and 100",
        ),
        (
            "{ receipts(first: 1, last: 1) { totalCount } }",
            "BAD_USER_INPUT",
            "not both",
        ),
        (
            "{ receipts(after: \"bm90IGEgY3Vyc29y\") { totalCount } }",
            "BAD_CURSOR",
            "malformed cursor",
        ),
        (
            "{ merchant(account: \"alice\") { name } }",
            "BAD_USER_INPUT",
            "not an SS58 account",
        ),
        (
            "{ receipts(filter: { merchant: { eq: \"0x00\" } }) { totalCount } }",
            "BAD_USER_INPUT",
            "SS58",
        ),
        (
            "{ receipts(filter: { id: { in: [] }, amount: { gt: \"-1\" } }) { totalCount } }",
            "",
            "decimal string",
        ),
    ];
    for (q, code, text) in cases {
        let e = errors(&schema, q).await;
        assert_eq!(e.len(), 1, "{q}: {e:?}");
        assert!(e[0].0.contains(text), "{q}: {e:?}");
        if !code.is_empty() {
            assert_eq!(e[0].1.as_deref(), Some(code), "{q}: {e:?}");
        }
    }
    let kline = format!(
        "{{ merchant(account: \"{}\") {{ kline(interval: M1, from: 0, to: 100000000000) {{ start }} }} }}",
        ss58(1_000)
    );
    let e = errors(&schema, &kline).await;
    assert!(e[0].0.contains("at most 1000 candles"), "{e:?}");
    // Nested and / or past the limit.
    let mut f = "{ id: { gt: 0 } }".to_owned();
    for _ in 0..6 {
        f = format!("{{ and: [{f}] }}");
    }
    let e = errors(
        &schema,
        &format!("{{ receipts(filter: {f}) {{ totalCount }} }}"),
    )
    .await;
    assert!(e[0].0.contains("nest at most"), "{e:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_deep_or_too_complex_queries_are_refused() {
    let db = TestDb::new(crate::harness::Engine::Sqlite).await.unwrap();
    let (schema, _) = db.api().await;
    let deep = "{ receipts(first: 1) { nodes { merchant { receipts(first: 1) { nodes { merchant { receipts(first: 1) { nodes { merchant { receipts(first: 1) { nodes { id } } } } } } } } } } } }";
    let e = errors(&schema, deep).await;
    assert!(e.iter().any(|(m, _)| m.contains("too deep")), "{e:?}");
    let wide = "{ receipts(first: 100) { nodes { merchant { receipts(first: 100) { nodes { id amount } } } } } }";
    let e = errors(&schema, wide).await;
    assert!(e.iter().any(|(m, _)| m.contains("too complex")), "{e:?}");
}

/// Over HTTP the server keeps parsed documents by their text: a document
/// sent again still answers for its own variables, and is still checked
/// against the limits on every request (complexity follows `first`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_documents_answer_per_request_and_stay_limited() {
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let db = TestDb::new(crate::harness::Engine::Sqlite).await.unwrap();
    seed(&db.writer().await, 2, 3, 30).await;
    let (_, router) = db.api().await;
    let post = |body: serde_json::Value| {
        let router = router.clone();
        async move {
            let req = axum::http::Request::post("/graphql")
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap();
            let resp = router.oneshot(req).await.unwrap();
            assert_eq!(resp.status(), 200);
            let bytes = resp.into_body().collect().await.unwrap().to_bytes();
            serde_json::from_slice::<serde_json::Value>(&bytes).unwrap()
        }
    };
    let q = "query($n: Int, $m: Int) { receipts(first: $n, orderBy: ID_ASC) { nodes { id merchant { receipts(first: $m) { nodes { id amount } } } } } }";
    for round in 0..2 {
        for n in [1, 3, 2] {
            let v = post(serde_json::json!({ "query": q, "variables": { "n": n, "m": 1 } })).await;
            assert!(v.get("errors").is_none(), "round {round}: {v}");
            let ids: Vec<i64> = v["data"]["receipts"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["id"].as_i64().unwrap())
                .collect();
            assert_eq!(ids, (1..=n).collect::<Vec<_>>(), "round {round}");
        }
        // The same text with page sizes past the complexity limit.
        let v = post(serde_json::json!({ "query": q, "variables": { "n": 100, "m": 100 } })).await;
        let msg = v["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(msg.contains("too complex"), "round {round}: {v}");
        assert!(v["data"].is_null(), "round {round}: {v}");
        // And a document that does not parse, every time.
        let v = post(serde_json::json!({ "query": "{ receipts(first: 1) { nodes { id }" })).await;
        assert!(v["errors"][0]["message"].is_string(), "round {round}: {v}");
    }
}

/// A page of N receipts resolving six relations costs the same statements
/// for N = 5 and N = 50: one per relation, none per row.
///
/// With the production settings: the batch loaders have no time window
/// (their keys are gathered while the list's items are polled together),
/// so this holds by construction, not because a wide window happened to
/// catch every key. The request runs in a task, as the server runs it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relations_of_a_list_are_batched() {
    for engine in ENGINES {
        let Some(db) = TestDb::new(engine).await else {
            continue;
        };
        seed(&db.writer().await, 4, 6, 60).await;
        let config = db.config();
        assert!(config.batch_delay.is_zero());
        let (schema, count) = counted(&config).await;
        let mut costs = Vec::new();
        for n in [5, 50] {
            let q = format!(
                "{{ receipts(first: {n}) {{ nodes {{ id merchant {{ name bizpower }} customer {{ status }} statusHistory {{ status }} fraudScore {{ score }} detail }} }} }}"
            );
            let before = count.load(Relaxed);
            let data = served(&schema, &q).await;
            assert_eq!(data["receipts"]["nodes"].as_array().unwrap().len(), n);
            costs.push(count.load(Relaxed) - before);
        }
        // the page + merchants, ledger merchants, customers, history, scores, details
        assert_eq!(
            costs,
            [7, 7],
            "{engine:?}: statements per page of 5 and of 50"
        );
    }
}

/// A list nested in a list (each receipt's merchant's receipts) costs one
/// statement per level, whatever the number of parents, and each parent's
/// page (rows, cursors, page info) is the one the same arguments give on
/// the top-level list filtered by that parent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nested_pages_are_batched_and_equal_single_pages() {
    for engine in ENGINES {
        let Some(db) = TestDb::new(engine).await else {
            continue;
        };
        seed(&db.writer().await, 7, 6, 90).await;
        let (schema, count) = counted(&db.config()).await;
        let fields = "edges { cursor node { id amount } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }";
        // A cursor in the middle of merchant 3's receipts (ids 3, 10, 17, …).
        let mid = ok(&schema, &format!(
            "{{ receipts(filter: {{ merchant: {{ eq: \"{}\" }} }}, first: 4, orderBy: ID_ASC) {{ pageInfo {{ endCursor }} }} }}",
            ss58(1_003)
        ))
        .await["receipts"]["pageInfo"]["endCursor"]
            .as_str()
            .unwrap()
            .to_owned();
        // Page arguments and filter fields of the nested list.
        let cases = [
            ("first: 3".to_owned(), ""),
            ("first: 2, orderBy: ID_ASC".into(), ""),
            ("last: 2, orderBy: ORDER_TIME_DESC".into(), ""),
            ("first: 3".into(), "amount: { gt: \"10000\" }"),
            (format!("first: 2, after: \"{mid}\", orderBy: ID_ASC"), ""),
            (format!("last: 2, before: \"{mid}\", orderBy: ID_ASC"), ""),
            ("first: 0".into(), ""),
        ];
        for (args, filter) in cases {
            let mut costs = Vec::new();
            for n in [3, 40] {
                let q = format!(
                    "{{ receipts(first: {n}) {{ nodes {{ merchant {{ account receipts({args}, filter: {{ {filter} }}) {{ {fields} }} }} }} }} }}"
                );
                let before = count.load(Relaxed);
                let data = served(&schema, &q).await;
                costs.push(count.load(Relaxed) - before);
                for node in data["receipts"]["nodes"].as_array().unwrap() {
                    let m = node["merchant"]["account"].as_str().unwrap();
                    let single = ok(&schema, &format!(
                        "{{ receipts(filter: {{ merchant: {{ eq: \"{m}\" }} {filter} }}, {args}) {{ {fields} }} }}"
                    ))
                    .await;
                    assert_eq!(
                        node["merchant"]["receipts"], single["receipts"],
                        "{engine:?}, {args} {filter}, merchant {m}"
                    );
                }
            }
            // the page, its merchants, their pages
            assert_eq!(
                costs,
                [3, 3],
                "{engine:?}, {args}: statements for 3 and 40 parents"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_detail_attaches_only_when_it_hashes_to_the_receipt() {
    for engine in ENGINES {
        let Some(db) = TestDb::new(engine).await else {
            continue;
        };
        let writer = db.writer().await;
        let detail = ReceiptDetail {
            items: vec![Item {
                name: "拿铁".into(),
                quantity: 2,
                list_price: 1_200,
                paid_price: 1_000,
                time_deduction: 0,
            }],
            logistics: None,
            merchant_name: Some("Café \"Zen\"".into()),
            customer_name: Some("王小明".into()),
            note: None,
        };
        let mut r = receipt_row(1, &ss58(1_000), &ss58(1), 2);
        r.detail_hash = hex0x(detail.hash());
        commit_batch(&writer, 2, &[r]).await;
        let (schema, _) = db.api().await;

        // Any formatting: the server re-encodes canonically.
        let pretty = serde_json::to_string_pretty(&detail).unwrap();
        let q = format!(
            "mutation {{ submitReceiptDetail(receiptId: 1, detail: {}) {{ detailHash }} }}",
            serde_json::to_string(&pretty).unwrap()
        );
        let data = ok(&schema, &q).await;
        assert_eq!(
            data["submitReceiptDetail"]["detailHash"],
            hex0x(detail.hash())
        );
        let data = ok(&schema, "{ receipt(id: 1) { detail } }").await;
        assert_eq!(
            data["receipt"]["detail"]["items"][0]["name"], "拿铁",
            "{engine:?}"
        );
        // Hashed with the customer's name, served without it.
        assert!(data["receipt"]["detail"].get("customer_name").is_none());
        assert_eq!(data["receipt"]["detail"]["merchant_name"], "Café \"Zen\"");

        let mut other = detail.clone();
        other.items[0].quantity = 3;
        let q = format!(
            "mutation {{ submitReceiptDetail(receiptId: 1, detail: {}) {{ detailHash }} }}",
            serde_json::to_string(&serde_json::to_string(&other).unwrap()).unwrap()
        );
        let e = errors(&schema, &q).await;
        assert_eq!(e[0].1.as_deref(), Some("BAD_DETAIL"), "{e:?}");
        assert!(e[0].0.contains("hashes to"), "{e:?}");
        let e = errors(&schema, "mutation { submitReceiptDetail(receiptId: 99, detail: \"{\\\"items\\\":[]}\") { detailHash } }").await;
        assert!(e[0].0.contains("no receipt 99"), "{e:?}");
        assert_eq!(e[0].1.as_deref(), Some("NOT_INDEXED"), "{e:?}");
        // The stored detail is still the matching one.
        let data = ok(&schema, "{ receipt(id: 1) { detail } }").await;
        assert_eq!(data["receipt"]["detail"]["items"][0]["quantity"], 2);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_lists_both_sides_ratings() {
    use bizkey_store::entity::ratings;
    use sea_orm::ActiveModelTrait;
    for engine in ENGINES {
        let Some(db) = TestDb::new(engine).await else {
            continue;
        };
        let writer = db.writer().await;
        seed(&writer, 2, 3, 4).await;
        let rating = |id: i64, side: &str| ratings::Model {
            receipt_id: id,
            side: side.into(),
            merchant: ss58(1_000 + (id as u64 % 2)),
            customer: ss58(id as u64 % 3),
            product: (side == "customer").then_some(5),
            service: (side == "customer").then_some(4),
            environment: (side == "customer").then_some(3),
            score: (side == "merchant").then_some(2),
            comment: None,
            block_number: 9,
        };
        for r in [
            rating(2, "customer"),
            rating(2, "merchant"),
            rating(3, "customer"),
        ] {
            ratings::ActiveModel::from(r).insert(&writer).await.unwrap();
        }
        let (schema, _) = db.api().await;
        let data = ok(
            &schema,
            "{ receipts(orderBy: ID_ASC) { nodes { id ratings { side product service environment score } } } }",
        )
        .await;
        let got: Vec<(i64, Vec<String>)> = data["receipts"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                let mut sides: Vec<String> = n["ratings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| format!("{}:{}:{}", r["side"], r["product"], r["score"]))
                    .collect();
                sides.sort();
                (n["id"].as_i64().unwrap(), sides)
            })
            .collect();
        assert_eq!(
            got,
            [
                (1, vec![]),
                (
                    2,
                    vec![
                        "\"customer\":5:null".to_owned(),
                        "\"merchant\":null:2".to_owned()
                    ]
                ),
                (3, vec!["\"customer\":5:null".to_owned()]),
                (4, vec![]),
            ],
            "{engine:?}"
        );
    }
}

/// Amounts at the edges of PostgreSQL's base-10,000 NUMERIC digits (and of
/// SQLite's decimal text) read back exactly: zero, digit boundaries,
/// trailing zero digits (which the wire form leaves out), 10^22 and
/// `u128::MAX`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amounts_read_back_exactly_on_both_engines() {
    let amounts: [u128; 11] = [
        0,
        1,
        9_999,
        10_000,
        10_001,
        100_000_000,
        123_400_005_678,
        500_000_000_000,
        10u128.pow(22),
        u128::MAX - 1,
        u128::MAX,
    ];
    for engine in ENGINES {
        let Some(db) = TestDb::new(engine).await else {
            continue;
        };
        let writer = db.writer().await;
        seed(&writer, 1, 1, 0).await;
        let (m, c) = (ss58(1_000), ss58(0));
        let rows: Vec<_> = amounts
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let mut r = receipt_row(i as i64 + 1, &m, &c, 2);
                r.amount = bizkey_store::amount::U128(*a);
                r.bizpower = Some(bizkey_store::amount::U128(u128::MAX - *a));
                r.referral_time = None;
                r
            })
            .collect();
        commit_batch(&writer, 2, &rows).await;
        let (schema, _) = db.api().await;
        let data = ok(
            &schema,
            "{ receipts(first: 100, orderBy: ID_ASC) { nodes { id amount bizpower referralTime } } }",
        )
        .await;
        let nodes = data["receipts"]["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), amounts.len(), "{engine:?}");
        for (n, a) in nodes.iter().zip(amounts) {
            assert_eq!(n["amount"], a.to_string(), "{engine:?} {n}");
            assert_eq!(n["bizpower"], (u128::MAX - a).to_string(), "{engine:?} {n}");
            assert_eq!(n["referralTime"], serde_json::Value::Null, "{engine:?} {n}");
        }
    }
}

/// The super nodes' review list: groups of one kind with a score, highest
/// first, paged, `minScore`; one group by account; and why a receipt below
/// the threshold went to the flag (`raisedBy`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fraud_groups_are_listed_highest_first_and_raised_receipts_say_why() {
    use bizkey_store::entity::{fraud_group_flags, fraud_groups, fraud_scores};
    use sea_orm::ActiveModelTrait;
    for engine in ENGINES {
        let Some(db) = TestDb::new(engine).await else {
            continue;
        };
        let writer = db.writer().await;
        seed(&writer, 2, 3, 4).await;
        let group = |kind: &str, n: u64, receipts: i64, top: [i64; 3]| fraud_groups::Model {
            kind: kind.into(),
            account: ss58(n),
            receipts,
            above: top.iter().filter(|&&t| t >= 940_000).count() as i64,
            score_sum_ppm: top.iter().sum::<i64>() + (receipts - 3).max(0) * 100_000,
            top1_ppm: top[0],
            top2_ppm: top[1],
            top3_ppm: top[2],
            score_ppm: (receipts >= 3).then(|| top.iter().sum::<i64>() / 3),
            last_seq: 7,
        };
        for g in [
            group("customer", 1, 5, [990_000, 980_000, 970_000]),
            group("customer", 2, 4, [600_000, 500_000, 400_000]),
            group("customer", 3, 2, [999_000, 998_000, 0]),
            group("customer", 4, 3, [960_000, 950_000, 940_000]),
            // Shop 001 (the `seed` merchants are accounts 1,000 and up).
            group("merchant", 1_001, 9, [990_000, 990_000, 990_000]),
        ] {
            fraud_groups::ActiveModel::from(g)
                .insert(&writer)
                .await
                .unwrap();
        }
        let score = |seq: i64, receipt_id: i64, score_ppm: i64, status: &str| fraud_scores::Model {
            seq,
            receipt_id,
            merchant: ss58(1_000),
            customer: ss58(1),
            category: "Cafe".into(),
            referrer: None,
            channel: "InStore".into(),
            amount_cents: 1_000,
            time_deducted_cents: 0,
            items: 1,
            order_time: 0,
            feature_time: 0,
            features: serde_json::json!([]),
            features_hash: hex0x([seq as u8; 32]),
            score_ppm,
            model_version: "test".into(),
            threshold_ppm: 943_124,
            status: status.into(),
            matures_at: Some(1),
            attempts: 0,
            last_error: None,
            flag_block: None,
        };
        for s in [
            score(0, 2, 990_000, "flagged"),
            score(1, 3, 400_000, "flagged"),
        ] {
            fraud_scores::ActiveModel::from(s)
                .insert(&writer)
                .await
                .unwrap();
        }
        fraud_group_flags::ActiveModel::from(fraud_group_flags::Model {
            receipt_id: 3,
            seq: 1,
            kind: "customer".into(),
            account: ss58(1),
            group_score_ppm: 980_000,
            raised_by_seq: 0,
        })
        .insert(&writer)
        .await
        .unwrap();

        let (schema, _) = db.api().await;
        let list = |q: &str| {
            let schema = schema.clone();
            let q = q.to_owned();
            async move {
                let data = ok(&schema, &q).await;
                let conn = &data["fraudGroups"];
                let accounts: Vec<(String, f64)> = conn["nodes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| {
                        (
                            n["account"].as_str().unwrap().to_owned(),
                            n["score"].as_f64().unwrap(),
                        )
                    })
                    .collect();
                (accounts, conn["pageInfo"]["endCursor"].clone())
            }
        };
        let (all, _) = list(
            "{ fraudGroups(kind: CUSTOMER) { nodes { account score } pageInfo { endCursor } } }",
        )
        .await;
        assert_eq!(
            all,
            [(ss58(1), 0.98), (ss58(4), 0.95), (ss58(2), 0.5)],
            "{engine:?}: scored groups, highest first"
        );
        let (first, cursor) = list("{ fraudGroups(kind: CUSTOMER, first: 2) { nodes { account score } pageInfo { endCursor } } }").await;
        assert_eq!(first, all[..2]);
        let (rest, _) = list(&format!(
            "{{ fraudGroups(kind: CUSTOMER, first: 2, after: {cursor}) {{ nodes {{ account score }} pageInfo {{ endCursor }} }} }}"
        ))
        .await;
        assert_eq!(rest, all[2..], "{engine:?}: the next page");
        let (high, _) = list("{ fraudGroups(kind: CUSTOMER, minScore: 0.95) { nodes { account score } pageInfo { endCursor } } }").await;
        assert_eq!(high, all[..2], "{engine:?}: minScore is inclusive");

        let data = ok(
            &schema,
            &format!(
                "{{ fraudGroup(kind: CUSTOMER, account: \"{}\") {{ kind receipts aboveThreshold score meanScore topScores }} }}",
                ss58(3)
            ),
        )
        .await;
        let g = &data["fraudGroup"];
        assert_eq!(g["kind"], "CUSTOMER");
        assert_eq!(g["receipts"], 2);
        assert_eq!(g["aboveThreshold"], 2);
        assert!(g["score"].is_null(), "no score below three receipts");
        assert_eq!(g["topScores"], serde_json::json!([0.999, 0.998]));
        assert!((g["meanScore"].as_f64().unwrap() - 0.9985).abs() < 1e-9);
        let none = ok(
            &schema,
            &format!(
                "{{ fraudGroup(kind: MERCHANT, account: \"{}\") {{ score }} }}",
                ss58(1)
            ),
        )
        .await;
        assert!(none["fraudGroup"].is_null());
        // A shop's group names the shop; a customer that is no shop has none.
        let shops = ok(
            &schema,
            "{ merchants: fraudGroups(kind: MERCHANT) { nodes { account score merchant { name } } } \
               customers: fraudGroups(kind: CUSTOMER, first: 1) { nodes { merchant { name } } } }",
        )
        .await;
        assert_eq!(
            shops["merchants"]["nodes"],
            serde_json::json!([{ "account": ss58(1_001), "score": 0.99, "merchant": { "name": "Shop 001" } }]),
            "{engine:?}"
        );
        assert!(shops["customers"]["nodes"][0]["merchant"].is_null());

        let data = ok(
            &schema,
            "{ receipts(orderBy: ID_ASC) { nodes { id fraudScore { score status raisedBy { kind account groupScore } } } } }",
        )
        .await;
        let raised: Vec<(i64, serde_json::Value)> = data["receipts"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| (n["id"].as_i64().unwrap(), n["fraudScore"].clone()))
            .collect();
        assert!(raised[0].1.is_null(), "receipt 1 not scored");
        assert!(
            raised[1].1["raisedBy"].is_null(),
            "receipt 2 flagged by its own score"
        );
        assert_eq!(
            raised[2].1["raisedBy"],
            serde_json::json!({ "kind": "CUSTOMER", "account": ss58(1), "groupScore": 0.98 }),
            "{engine:?}"
        );

        let errs = errors(
            &schema,
            "{ fraudGroups(kind: CUSTOMER, minScore: 1.5) { nodes { account } } }",
        )
        .await;
        assert_eq!(errs.len(), 1, "{errs:?}");
        let errs = errors(
            &schema,
            "{ fraudGroup(kind: CUSTOMER, account: \"nope\") { score } }",
        )
        .await;
        assert_eq!(errs.len(), 1, "{errs:?}");
    }
}
