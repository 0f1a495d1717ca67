//! Fundings (each account's first native-token transfer, as the indexer
//! writes them): who funded an account, whom a wallet funded, and the
//! funders of the review list's groups.

use crate::harness::{counted, errors, ok, served, ss58, Engine, TestDb, ENGINES};
use bizkey_store::amount::U128;
use bizkey_store::entity::{fraud_groups, fundings};
use sea_orm::{ActiveModelTrait, DatabaseConnection};
use serde_json::{json, Value};
use std::sync::atomic::Ordering::Relaxed;

/// The ring's wallet and an exchange's.
const WALLET: u64 = 500;
const EXCHANGE: u64 = 501;

/// Accounts 10–15 funded by the wallet, two per block from block 10 (in
/// reverse address order within a block, so the key really breaks ties);
/// account 20 by the exchange, and the wallet itself by the exchange.
fn rows() -> Vec<fundings::Model> {
    let funding = |account: u64, funder: u64, block: i64, event_index: i64| fundings::Model {
        account: ss58(account),
        funder: ss58(funder),
        amount: U128(1_000_000_000_000 + u128::from(account)),
        block_number: block,
        event_index,
        timestamp: 1_700_000_000_000 + block * 6_000,
    };
    let mut rows: Vec<_> = (0..6)
        .map(|i| funding(15 - i, WALLET, 10 + i as i64 / 2, i as i64 % 2))
        .collect();
    rows.push(funding(20, EXCHANGE, 11, 5));
    rows.push(funding(WALLET, EXCHANGE, 2, 1));
    rows
}

async fn write(db: &DatabaseConnection, rows: &[fundings::Model]) {
    for r in rows {
        fundings::ActiveModel::from(r.clone())
            .insert(db)
            .await
            .unwrap();
    }
}

/// `(account, block)` of the accounts `funder` funded, in the API's order
/// (block, then address).
fn first_funded(rows: &[fundings::Model], funder: &str) -> Vec<(String, i64)> {
    let mut mine: Vec<(String, i64)> = rows
        .iter()
        .filter(|r| r.funder == funder)
        .map(|r| (r.account.clone(), r.block_number))
        .collect();
    mine.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    mine
}

/// A fresh database of `engine` with [`rows`] written; `None` where
/// PostgreSQL is not configured.
async fn funded_db(engine: Engine) -> Option<(TestDb, Vec<fundings::Model>)> {
    let db = TestDb::new(engine).await?;
    let rows = rows();
    write(&db.writer().await, &rows).await;
    Some((db, rows))
}

/// `(address of <account>, <number>)` of each item of a list: a `funded`
/// connection's nodes (`account`, `blockNumber`), a `topFunders` list
/// (`funder`, `accounts`).
fn pairs(list: &Value, account: &str, number: &str) -> Vec<(String, i64)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n[account]["address"].as_str().unwrap().to_owned(),
                n[number].as_i64().unwrap(),
            )
        })
        .collect()
}

fn funded(conn: &Value) -> Vec<(String, i64)> {
    pairs(&conn["nodes"], "account", "blockNumber")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_names_its_funder_and_a_wallet_lists_whom_it_funded() {
    for engine in ENGINES {
        let Some((db, rows)) = funded_db(engine).await else {
            continue;
        };
        let (schema, _) = db.api().await;

        let data = ok(
            &schema,
            &format!(
                "{{ a: account(address: \"{}\") {{ fundedBy {{ account {{ address }} funder {{ address fundedBy {{ funder {{ address }} }} }} amount blockNumber timestamp }} }} \
                   genesis: account(address: \"{}\") {{ fundedBy {{ blockNumber }} }} }}",
                ss58(13),
                ss58(EXCHANGE)
            ),
        )
        .await;
        let want = rows.iter().find(|r| r.account == ss58(13)).unwrap();
        assert_eq!(
            data["a"]["fundedBy"],
            json!({
                "account": { "address": ss58(13) },
                // The funder's own funder: one step up the graph.
                "funder": { "address": ss58(WALLET), "fundedBy": { "funder": { "address": ss58(EXCHANGE) } } },
                "amount": want.amount.0.to_string(),
                "blockNumber": want.block_number,
                "timestamp": want.timestamp,
            }),
            "{engine:?}"
        );
        assert!(
            data["genesis"]["fundedBy"].is_null(),
            "{engine:?}: an account with no transfer has no funder"
        );

        // Everyone the wallet funded, in block order, then by address.
        let all = ok(
            &schema,
            &format!(
                "{{ account(address: \"{}\") {{ funded {{ totalCount nodes {{ account {{ address }} blockNumber }} }} }} }}",
                ss58(WALLET)
            ),
        )
        .await;
        let want = first_funded(&rows, &ss58(WALLET));
        let conn = &all["account"]["funded"];
        assert_eq!(funded(conn), want, "{engine:?}");
        assert_eq!(conn["totalCount"], 6, "{engine:?}: the fan-out");

        // A window of it (blocks 11 and 12 by their times), a page at a time.
        let window = |after: &str| {
            format!(
                "{{ account(address: \"{}\") {{ funded(timestamp: {{ gte: {}, lt: {} }}, first: 3{after}) {{ totalCount nodes {{ account {{ address }} blockNumber }} pageInfo {{ hasNextPage endCursor }} }} }} }}",
                ss58(WALLET),
                1_700_000_000_000i64 + 11 * 6_000,
                1_700_000_000_000i64 + 13 * 6_000,
            )
        };
        let first = ok(&schema, &window("")).await;
        let conn = &first["account"]["funded"];
        assert_eq!(conn["totalCount"], 4, "{engine:?}: the window's fan-out");
        assert_eq!(funded(conn), want[2..5], "{engine:?}");
        assert_eq!(conn["pageInfo"]["hasNextPage"], true);
        let cursor = conn["pageInfo"]["endCursor"].as_str().unwrap();
        let next = ok(&schema, &window(&format!(", after: \"{cursor}\""))).await;
        let conn = &next["account"]["funded"];
        assert_eq!(funded(conn), want[5..], "{engine:?}: the next page");
        assert_eq!(conn["pageInfo"]["hasNextPage"], false);

        let errs = errors(
            &schema,
            &format!(
                "{{ account(address: \"{}\") {{ funded(first: 101) {{ totalCount }} }} }}",
                ss58(WALLET)
            ),
        )
        .await;
        assert_eq!(errs.len(), 1, "{engine:?}: {errs:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn top_funders_rank_wallets_by_the_accounts_they_funded() {
    for engine in ENGINES {
        let Some((db, rows)) = funded_db(engine).await else {
            continue;
        };
        let (schema, _) = db.api().await;
        let list = |args: String| {
            let schema = schema.clone();
            async move {
                let q = format!("{{ topFunders{args} {{ funder {{ address }} accounts }} }}");
                pairs(&ok(&schema, &q).await["topFunders"], "funder", "accounts")
            }
        };
        // The wallet funded six, the exchange two (account 20 and the wallet).
        assert_eq!(
            list(String::new()).await,
            [(ss58(WALLET), 6), (ss58(EXCHANGE), 2)],
            "{engine:?}"
        );
        assert_eq!(list("(first: 1)".into()).await, [(ss58(WALLET), 6)]);
        // From block 11 on: the wallet's four of blocks 11 and 12, the
        // exchange's account 20.
        let since = 1_700_000_000_000i64 + 11 * 6_000;
        assert_eq!(
            list(format!("(timestamp: {{ gte: {since} }})")).await,
            [(ss58(WALLET), 4), (ss58(EXCHANGE), 1)],
            "{engine:?}"
        );
        // A tie is broken by address: another wallet funds two accounts in
        // block 11, as many as the first there.
        let other = |account: u64| fundings::Model {
            account: ss58(account),
            funder: ss58(502),
            block_number: 11,
            event_index: 9 + account as i64,
            timestamp: since,
            ..rows[0].clone()
        };
        write(&db.writer().await, &[other(30), other(31)]).await;
        let block_11 = format!("(timestamp: {{ eq: {since} }})");
        let mut tied = [ss58(WALLET), ss58(502)];
        tied.sort();
        assert_eq!(
            list(block_11).await,
            [
                (tied[0].clone(), 2),
                (tied[1].clone(), 2),
                (ss58(EXCHANGE), 1)
            ],
            "{engine:?}"
        );

        let errs = errors(&schema, "{ topFunders(first: 101) { accounts } }").await;
        assert_eq!(errs.len(), 1, "{engine:?}: {errs:?}");
    }
}

/// The review list shows each group's funder and the funder's first
/// accounts at one statement per level, for 2 groups as for 7.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_lists_funders_are_batched() {
    for engine in ENGINES {
        let Some((db, rows)) = funded_db(engine).await else {
            continue;
        };
        let writer = db.writer().await;
        // Customer groups for the six accounts the wallet funded, and one
        // for the exchange's customer.
        for (rank, n) in [10u64, 11, 12, 13, 14, 15, 20].into_iter().enumerate() {
            let top = 990_000 - rank as i64 * 1_000;
            fraud_groups::ActiveModel::from(fraud_groups::Model {
                kind: "customer".into(),
                account: ss58(n),
                receipts: 3,
                above: 3,
                score_sum_ppm: 3 * top,
                top1_ppm: top,
                top2_ppm: top,
                top3_ppm: top,
                score_ppm: Some(top),
                last_seq: 1,
            })
            .insert(&writer)
            .await
            .unwrap();
        }
        let (schema, count) = counted(&db.config()).await;
        let mut costs = Vec::new();
        for n in [2, 7] {
            let q = format!(
                "{{ fraudGroups(kind: CUSTOMER, first: {n}) {{ nodes {{ account fundedBy {{ funder {{ address funded(first: 2) {{ nodes {{ account {{ address }} blockNumber }} }} }} }} }} }} }}"
            );
            let before = count.load(Relaxed);
            let data = served(&schema, &q).await;
            costs.push(count.load(Relaxed) - before);
            let nodes = data["fraudGroups"]["nodes"].as_array().unwrap();
            assert_eq!(nodes.len(), n);
            for node in nodes {
                let account = node["account"].as_str().unwrap();
                let funder = &node["fundedBy"]["funder"];
                let want = rows.iter().find(|r| r.account == account).unwrap();
                assert_eq!(funder["address"], want.funder.as_str(), "{engine:?}");
                let mut theirs = first_funded(&rows, &want.funder);
                theirs.truncate(2);
                assert_eq!(
                    funded(&funder["funded"]),
                    theirs,
                    "{engine:?}: {account}'s funder"
                );
            }
        }
        // the groups, their fundings, the funders' pages
        assert_eq!(costs, [3, 3], "{engine:?}: statements for 2 and 7 groups");
    }
}
