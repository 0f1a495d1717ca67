//! A subscriber over a real socket receives every receipt confirmed while
//! it is connected, exactly once, in order, with both WebSocket protocols.

use crate::harness::{commit_batch, receipt_row, ss58, TestDb, ENGINES};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Connects with `protocol` and subscribes to `query`.
async fn subscribe(port: u16, protocol: &str, query: &str) -> Ws {
    let mut req = format!("ws://127.0.0.1:{port}/graphql/ws")
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("sec-websocket-protocol", protocol.parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    ws.send(Message::text(
        json!({"type": "connection_init", "payload": {}}).to_string(),
    ))
    .await
    .unwrap();
    loop {
        let m = next_json(&mut ws).await.expect("an ack");
        if m["type"] == "connection_ack" {
            break;
        }
    }
    let start = if protocol == "graphql-ws" {
        "start"
    } else {
        "subscribe"
    };
    ws.send(Message::text(
        json!({"type": start, "id": "1", "payload": {"query": query}}).to_string(),
    ))
    .await
    .unwrap();
    ws
}

async fn next_json(ws: &mut Ws) -> Option<Value> {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(30), ws.next())
            .await
            .ok()??
            .ok()?;
        if let Message::Text(t) = m {
            return serde_json::from_str(&t).ok();
        }
    }
}

/// The ids of `n` payloads (panics on an error message).
async fn receive(ws: &mut Ws, n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    while ids.len() < n {
        let m = next_json(ws)
            .await
            .unwrap_or_else(|| panic!("only {ids:?} arrived"));
        match m["type"].as_str() {
            Some("next" | "data") => {
                assert!(m["payload"]["errors"].is_null(), "{m}");
                ids.push(
                    m["payload"]["data"]["receiptConfirmed"]["id"]
                        .as_i64()
                        .unwrap(),
                );
            }
            Some("ka" | "ping" | "pong") => {}
            other => panic!("unexpected {other:?}: {m}"),
        }
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_confirmed_receipt_once_in_order() {
    for engine in ENGINES {
        let Some(db) = TestDb::new(engine).await else {
            continue;
        };
        let writer = db.writer().await;
        // History before the subscription is not replayed.
        commit_batch(&writer, 1, &[receipt_row(1, &ss58(1_000), &ss58(1), 1)]).await;
        let (_, router) = db.api().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(async move { axum::serve(listener, router).await });

        let m = ss58(1_000);
        let mut all = subscribe(
            port,
            "graphql-transport-ws",
            "subscription { receiptConfirmed { id } }",
        )
        .await;
        let mut mine = subscribe(
            port,
            "graphql-ws",
            &format!(
                "subscription {{ receiptConfirmed(merchant: \"{m}\") {{ id merchantAccount }} }}"
            ),
        )
        .await;
        // Let both subscriptions register before the first batch commits.
        tokio::time::sleep(Duration::from_millis(300)).await;

        let mut want_all = Vec::new();
        let mut want_mine = Vec::new();
        let mut id = 2;
        for block in 2i64..40 {
            let rows: Vec<_> = (0..(block % 3 + 1))
                .map(|k| {
                    let merchant = ss58(1_000 + (id + k) as u64 % 2);
                    let r = receipt_row(id + k, &merchant, &ss58(2), block);
                    want_all.push(r.id);
                    if merchant == m {
                        want_mine.push(r.id);
                    }
                    r
                })
                .collect();
            id += rows.len() as i64;
            commit_batch(&writer, block, &rows).await;
            if block % 7 == 0 {
                // Batches both faster and slower than the poll.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        assert_eq!(
            receive(&mut all, want_all.len()).await,
            want_all,
            "{engine:?}"
        );
        assert_eq!(
            receive(&mut mine, want_mine.len()).await,
            want_mine,
            "{engine:?}"
        );
        // Nothing more: one more batch arrives as the next message, alone.
        commit_batch(&writer, 40, &[receipt_row(id, &m, &ss58(2), 40)]).await;
        assert_eq!(
            receive(&mut all, 1).await,
            vec![id],
            "{engine:?}: a duplicate arrived"
        );
        server.abort();
    }
}

/// A subscription executed on the schema, polled from now on by its own
/// task (a stream subscribes to the hub only once polled).
fn listen(
    schema: &bizkey_graphql::BizkeySchema,
    query: String,
) -> tokio::sync::mpsc::UnboundedReceiver<async_graphql::Response> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let schema = schema.clone();
    tokio::spawn(async move {
        let mut stream = schema.execute_stream(query);
        while let Some(resp) = stream.next().await {
            if tx.send(resp).is_err() {
                break;
            }
        }
    });
    rx
}

/// The next `n` payloads of a subscription.
async fn take(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<async_graphql::Response>,
    n: usize,
) -> Vec<Value> {
    let mut out = Vec::new();
    while out.len() < n {
        let resp = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .unwrap_or_else(|_| panic!("only {out:?} arrived"))
            .expect("the stream ended");
        assert!(resp.errors.is_empty(), "{:?}", resp.errors);
        out.push(resp.data.into_json().unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_status_change_and_every_batch() {
    for engine in ENGINES {
        let Some(db) = TestDb::new(engine).await else {
            continue;
        };
        let writer = db.writer().await;
        let (schema, _) = db.api().await;
        let (m, c) = (ss58(1_000), ss58(1));
        let mut changed = listen(
            &schema,
            format!("subscription {{ receiptChanged(customer: \"{c}\") {{ id status }} }}"),
        );
        let mut batches = listen(
            &schema,
            "subscription { batchIndexed { toBlock receiptChanges } }".into(),
        );
        // Both registered before the first batch: the hub skips batches nobody hears.
        tokio::time::sleep(Duration::from_millis(300)).await;

        // A sale the merchant recorded waits for the customer.
        let mut open = receipt_row(1, &m, &c, 2);
        open.status = "Open".into();
        open.confirmed_at = None;
        commit_batch(&writer, 2, &[open]).await;
        // Another customer's sale, then the customer's confirmation.
        commit_batch(&writer, 3, &[receipt_row(2, &m, &ss58(2), 3)]).await;
        commit_batch(&writer, 4, &[receipt_row(1, &m, &c, 4)]).await;
        let mut cancelled = receipt_row(3, &m, &c, 5);
        cancelled.status = "Cancelled".into();
        commit_batch(&writer, 5, &[cancelled]).await;

        let got: Vec<(i64, String)> = take(&mut changed, 3)
            .await
            .iter()
            .map(|d| {
                let r = &d["receiptChanged"];
                (
                    r["id"].as_i64().unwrap(),
                    r["status"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (1, "OPEN".to_owned()),
                (1, "CONFIRMED".to_owned()),
                (3, "CANCELLED".to_owned())
            ],
            "{engine:?}"
        );
        let got: Vec<(i64, i64)> = take(&mut batches, 4)
            .await
            .iter()
            .map(|d| {
                let b = &d["batchIndexed"];
                (
                    b["toBlock"].as_i64().unwrap(),
                    b["receiptChanges"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(got, [(2, 1), (3, 1), (4, 1), (5, 1)], "{engine:?}");
    }
}
