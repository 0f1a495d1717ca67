//! The GraphQL API over an index of the real chain, against the contracts'
//! own queries: balances, receipts and their rewards, what a claim pays,
//! proposals and tasks. Called by the community test after it indexed its
//! day and afternoon (one node, one day, both engines).

use crate::node::query;
use bizkey_chain::accounts::{from_ink, to_ink};
use bizkey_chain::{AccountId32, Contract};
use bizkey_graphql::{app, connect, BizkeySchema, Config};
use bizkey_indexer::loadgen::Suite;
use bizkey_store::detail::ReceiptDetail;
use bizkey_types::governance::{Proposal, ProposalId, ProposalStatus};
use bizkey_types::ledger::{LedgerError, Receipt, ReceiptId};
use bizkey_types::tasks::{Task, TaskId};
use serde_json::Value;
use std::collections::BTreeSet;

async fn run(schema: &BizkeySchema, q: &str) -> Value {
    let resp = schema.execute(q).await;
    assert!(resp.errors.is_empty(), "{q}: {:?}", resp.errors);
    resp.data.into_json().unwrap()
}

fn amount(v: &Value) -> u128 {
    v.as_str()
        .unwrap_or_else(|| panic!("an Amount string, got {v}"))
        .parse()
        .unwrap()
}

/// GraphQL's name of an enum variant (SCREAMING_SNAKE of the Rust name).
fn gql<T: std::fmt::Debug>(v: T) -> String {
    let name = format!("{v:?}");
    let mut out = String::new();
    for (i, ch) in name.chars().enumerate() {
        if ch.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(ch.to_ascii_uppercase());
    }
    out
}

/// Every receipt through the API, walking the pages forward.
async fn receipts(schema: &BizkeySchema) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let q = format!(
            "{{ receipts(orderBy: ID_ASC, first: 100{after}) {{ nodes {{ id merchantAccount customerAccount status amount timePaid orderId detailHash confirmedAt maturesAt bizReward timeReward referralTime }} pageInfo {{ hasNextPage endCursor }} }} }}"
        );
        let data = run(schema, &q).await;
        let r = &data["receipts"];
        out.extend(r["nodes"].as_array().unwrap().iter().cloned());
        if !r["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            return out;
        }
        after = format!(
            ", after: \"{}\"",
            r["pageInfo"]["endCursor"].as_str().unwrap()
        );
    }
}

pub async fn assert_graphql_matches_contracts(
    suite: &Suite,
    governance: &Contract,
    tasks: &Contract,
    database_url: &str,
    details: &[(ReceiptId, ReceiptDetail)],
    till: &crate::pos::Till,
) {
    let config = Config {
        database_url: database_url.to_owned(),
        ..Config::default()
    };
    let (schema, router) = app(connect(&config).await.unwrap(), &config);

    // Receipts: every field the ledger keeps, and nothing beyond them.
    let rows = receipts(&schema).await;
    assert!(!rows.is_empty());
    let mut accounts: BTreeSet<String> = BTreeSet::new();
    for r in &rows {
        let id = r["id"].as_i64().unwrap();
        let c: Receipt = query::<Option<Receipt>>(
            suite,
            &suite.ledger,
            "LedgerApi::receipt",
            &(id as ReceiptId),
        )
        .await
        .unwrap_or_else(|| panic!("receipt {id} not on chain"));
        assert_eq!(r["status"], gql(c.status), "receipt {id}");
        assert_eq!(r["merchantAccount"], from_ink(&c.merchant).to_string());
        assert_eq!(r["customerAccount"], from_ink(&c.customer).to_string());
        assert_eq!(amount(&r["amount"]), c.order.amount);
        assert_eq!(amount(&r["timePaid"]), c.order.time_paid);
        assert_eq!(amount(&r["orderId"]), u128::from(c.order.order_id));
        assert_eq!(r["detailHash"], bizkey_store::hex0x(c.order.detail_hash));
        if !r["confirmedAt"].is_null() {
            assert_eq!(r["confirmedAt"].as_u64(), Some(c.completed_at));
            assert_eq!(r["maturesAt"].as_u64(), Some(c.deadline));
            assert_eq!(amount(&r["bizReward"]), c.biz, "receipt {id}");
            assert_eq!(amount(&r["timeReward"]), c.time, "receipt {id}");
            assert_eq!(amount(&r["referralTime"]), c.referral_time, "receipt {id}");
        }
        for side in ["merchantAccount", "customerAccount"] {
            accounts.insert(r[side].as_str().unwrap().to_owned());
        }
    }
    // The daily aggregates: every confirmed receipt counted on its merchant's
    // UTC day of confirmation, with the ledger's amounts and rewards.
    let mut days: std::collections::BTreeMap<(String, u64), (i64, u128, u128, u128)> =
        Default::default();
    for r in rows.iter().filter(|r| !r["confirmedAt"].is_null()) {
        let id = r["id"].as_i64().unwrap();
        let c: Receipt = query::<Option<Receipt>>(
            suite,
            &suite.ledger,
            "LedgerApi::receipt",
            &(id as ReceiptId),
        )
        .await
        .unwrap();
        let key = (
            from_ink(&c.merchant).to_string(),
            c.completed_at / 86_400_000 * 86_400_000,
        );
        let d = days.entry(key).or_default();
        d.0 += 1;
        d.1 += c.order.amount;
        d.2 += c.biz;
        d.3 += c.time + c.referral_time;
    }
    for ((merchant, day), want) in &days {
        let data = run(&schema, &format!(
            "{{ merchant(account: \"{merchant}\") {{ daily(from: {day}, to: {day}) {{ day receipts sales bizRewards timeRewards }} }} }}"
        ))
        .await;
        let d = &data["merchant"]["daily"][0];
        assert_eq!(d["day"].as_u64(), Some(*day));
        let got = (
            d["receipts"].as_i64().unwrap(),
            amount(&d["sales"]),
            amount(&d["bizRewards"]),
            amount(&d["timeRewards"]),
        );
        assert_eq!(&got, want, "day {day} of {merchant}");
    }

    let next = rows.last().unwrap()["id"].as_i64().unwrap() + 1;
    let beyond: Option<Receipt> = query(
        suite,
        &suite.ledger,
        "LedgerApi::receipt",
        &(next as ReceiptId),
    )
    .await;
    assert!(beyond.is_none(), "the ledger has receipts the API lacks");

    // The day's receipt details attach: their hashes are the on-chain ones.
    assert!(!details.is_empty());
    for (id, detail) in details {
        let json = serde_json::to_string(&serde_json::to_string(detail).unwrap()).unwrap();
        let data = run(
            &schema,
            &format!(
            "mutation {{ submitReceiptDetail(receiptId: {id}, detail: {json}) {{ detailHash }} }}"
        ),
        )
        .await;
        assert_eq!(
            data["submitReceiptDetail"]["detailHash"],
            bizkey_store::hex0x(detail.hash())
        );
        let data = run(&schema, &format!("{{ receipt(id: {id}) {{ detail }} }}")).await;
        let stored: ReceiptDetail =
            serde_json::from_value(data["receipt"]["detail"].clone()).unwrap();
        assert_eq!(&stored, detail, "detail of receipt {id}");
    }

    // Balances of both tokens, and what a claim would pay now (every
    // reward of these receipts has matured: the challenge window is 3 s).
    let latest = rows
        .iter()
        .filter_map(|r| r["maturesAt"].as_u64())
        .max()
        .unwrap_or(0);
    loop {
        let (_, best) = suite.chain.best_block().await.unwrap();
        if suite.chain.block_timestamp(best).await.unwrap() > latest {
            break;
        }
        suite.tick().await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    for a in &accounts {
        let data = run(&schema, &format!(
            "{{ account(address: \"{a}\") {{ biz time rewardTotals {{ claimableBiz claimableTime pendingBiz pendingTime }} }} }}"
        ))
        .await;
        let acc = &data["account"];
        let id: AccountId32 = a.parse().unwrap();
        let biz: u128 = query(suite, &suite.biz, "balance_of", &to_ink(&id)).await;
        let time: u128 = query(suite, &suite.time, "balance_of", &to_ink(&id)).await;
        assert_eq!(
            (amount(&acc["biz"]), amount(&acc["time"])),
            (biz, time),
            "balances of {a}"
        );
        let t = &acc["rewardTotals"];
        assert_eq!(
            (amount(&t["pendingBiz"]), amount(&t["pendingTime"])),
            (0, 0),
            "{a}"
        );
        let claim = suite
            .chain
            .dry_run::<Result<(u128, u128), LedgerError>>(&id, &suite.ledger, "claim", &u32::MAX)
            .await
            .unwrap()
            .value;
        let want = match claim {
            Ok(paid) => paid,
            // A removed account's rewards were forfeited: nothing is claimable.
            Err(LedgerError::NothingToClaim | LedgerError::AccountRemoved) => (0, 0),
            Err(e) => panic!("claim of {a}: {e:?}"),
        };
        assert_eq!(
            (amount(&t["claimableBiz"]), amount(&t["claimableTime"])),
            want,
            "claim of {a}"
        );
    }

    // Proposals: tallies, flags and the status by the contract's rule.
    let count: ProposalId = query(suite, governance, "proposal_count", &()).await;
    let data = run(&schema, "{ proposals(first: 100) { totalCount nodes { id proposer votesFor votesAgainst executed vetoed status votes { voter weight } } } }").await;
    assert_eq!(data["proposals"]["totalCount"], count);
    let (_, best) = suite.chain.best_block().await.unwrap();
    let now = suite.chain.block_timestamp(best).await.unwrap();
    for p in data["proposals"]["nodes"].as_array().unwrap() {
        let id = p["id"].as_u64().unwrap() as ProposalId;
        let (c, status): (Proposal, ProposalStatus) =
            query::<Option<(Proposal, ProposalStatus)>>(suite, governance, "proposal", &id)
                .await
                .unwrap();
        assert_eq!(p["proposer"], from_ink(&c.proposer).to_string());
        assert_eq!(amount(&p["votesFor"]), c.votes_for, "proposal {id}");
        assert_eq!(amount(&p["votesAgainst"]), c.votes_against, "proposal {id}");
        assert_eq!(
            (p["executed"].as_bool(), p["vetoed"].as_bool()),
            (Some(c.executed), Some(c.vetoed))
        );
        // The API judges at its own clock; the contract at the best block's.
        let at = run(
            &schema,
            &format!("{{ proposal(id: {id}) {{ status(at: {now}) }} }}"),
        )
        .await;
        assert_eq!(at["proposal"]["status"], gql(status), "proposal {id}");
        let weights: u128 = p["votes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| amount(&v["weight"]))
            .sum();
        assert_eq!(weights, c.votes_for + c.votes_against, "votes of {id}");
    }

    // Tasks: escrow accounting and participants.
    let count: TaskId = query(suite, tasks, "task_count", &()).await;
    let data = run(&schema, "{ tasks(first: 100) { totalCount nodes { id merchant pool paid completions participants { customer status stake reward } } } }").await;
    assert_eq!(data["tasks"]["totalCount"], count);
    for t in data["tasks"]["nodes"].as_array().unwrap() {
        let id = t["id"].as_u64().unwrap() as TaskId;
        let c: Task = query::<Option<Task>>(suite, tasks, "task", &id)
            .await
            .unwrap();
        assert_eq!(t["merchant"], from_ink(&c.merchant).to_string());
        assert_eq!(
            (amount(&t["pool"]), amount(&t["paid"])),
            (c.pool, c.paid),
            "task {id}"
        );
        assert_eq!(t["completions"].as_u64(), Some(u64::from(c.completions)));
        assert_eq!(
            t["participants"].as_array().unwrap().len() as u32,
            c.participants,
            "task {id}"
        );
    }

    // The till's details, posted over HTTP by the POS SDK as a till would.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    let pos = till.pos.clone().with_index(url);
    assert_eq!(till.sales.len(), 3);
    for (id, detail) in &till.sales {
        pos.post_detail(*id, detail).await.unwrap();
        let data = run(&schema, &format!("{{ receipt(id: {id}) {{ detail }} }}")).await;
        let served = &data["receipt"]["detail"];
        assert_eq!(served["items"][0]["name"], detail.items[0].name.as_str());
        assert!(served.get("customer_name").is_none(), "{served}");
    }
    // A detail that is not the receipt's is refused with the API's reason.
    let (id, detail) = &till.sales[0];
    let mut forged = detail.clone();
    forged.items[0].paid_price += 1;
    let e = pos.post_detail(*id, &forged).await.unwrap_err().to_string();
    assert!(e.contains("BAD_DETAIL"), "{e}");
    server.abort();
}
