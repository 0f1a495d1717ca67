//! Walking a list page by page returns each row exactly once, forward and
//! backward, while rows are being inserted.

use crate::harness::{commit_batch, ok, receipt_row, seed, ss58, TestDb, ENGINES};
use std::collections::BTreeSet;

/// Every id of `receipts(filter)` page by page in `direction`, inserting
/// `insert_per_page` newer receipts before each page.
async fn walk(
    schema: &bizkey_graphql::BizkeySchema,
    writer: &sea_orm::DatabaseConnection,
    order: &str,
    backward: bool,
    next_id: &mut i64,
) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let (size, pos) = if backward {
            ("last", "before")
        } else {
            ("first", "after")
        };
        let at = cursor
            .as_ref()
            .map(|c| format!(", {pos}: \"{c}\""))
            .unwrap_or_default();
        let q = format!(
            "{{ receipts(orderBy: {order}, {size}: 7{at}) {{ edges {{ cursor node {{ id }} }} pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} }} }}"
        );
        let data = ok(schema, &q).await;
        let conn = &data["receipts"];
        let mut page: Vec<i64> = conn["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["id"].as_i64().unwrap())
            .collect();
        if backward {
            page.reverse();
        }
        ids.extend(&page);
        // Concurrent writers: a new receipt lands at the newest end of the list.
        let r = receipt_row(*next_id, &ss58(1_000), &ss58(1), 1_000 + *next_id);
        commit_batch(writer, 1_000 + *next_id, &[r]).await;
        *next_id += 1;
        let info = &conn["pageInfo"];
        let more = if backward {
            info["hasPreviousPage"].as_bool().unwrap()
        } else {
            info["hasNextPage"].as_bool().unwrap()
        };
        if !more {
            break;
        }
        cursor = info[if backward { "startCursor" } else { "endCursor" }]
            .as_str()
            .map(str::to_owned);
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_row_once_forward_and_backward_under_inserts() {
    for engine in ENGINES {
        let Some(db) = TestDb::new(engine).await else {
            continue;
        };
        let writer = db.writer().await;
        seed(&writer, 3, 5, 50).await;
        let (schema, _) = db.api().await;
        let mut next_id = 10_000;
        for order in ["ID_ASC", "ID_DESC", "ORDER_TIME_ASC", "OPENED_AT_DESC"] {
            for backward in [false, true] {
                let ids = walk(&schema, &writer, order, backward, &mut next_id).await;
                let unique: BTreeSet<_> = ids.iter().copied().collect();
                assert_eq!(
                    unique.len(),
                    ids.len(),
                    "{engine:?} {order} backward={backward}: a row twice"
                );
                // Everything present when the walk started is in it.
                assert!(
                    (1..=50).all(|id| unique.contains(&id)),
                    "{engine:?} {order} backward={backward}: a row skipped: {ids:?}"
                );
            }
        }
    }
}
