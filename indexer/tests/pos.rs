//! The POS SDK on the community test's chain: a day merchant's till records
//! a sale and a batch, two new customers confirm them, the till sees the
//! confirmations; a duplicate order is refused with the ledger's own error
//! and a cancelled sale is reported as not confirmed. `graphql_api` then
//! posts the till's details to the API over HTTP.

use bizkey_chain::accounts::{account_of, keypair};
use bizkey_chain::sdk::pos::{Pos, Sale};
use bizkey_chain::sdk::{Refusal, SdkError, Session};
use bizkey_chain::Manifest;
use bizkey_indexer::loadgen::Suite;
use bizkey_store::detail::{Item, ReceiptDetail};
use bizkey_store::unix_ms;
use bizkey_types::ledger::{LedgerError, ReceiptId, ReceiptStatus};
use std::time::Duration;

/// A till and the receipts it recorded (confirmed), with their details.
pub struct Till {
    pub pos: Pos,
    pub sales: Vec<(ReceiptId, ReceiptDetail)>,
}

fn detail(line: &str, quantity: u32, list: u64, paid: u64) -> ReceiptDetail {
    ReceiptDetail {
        items: vec![Item {
            name: line.into(),
            quantity,
            list_price: list,
            paid_price: paid,
            time_deduction: 0,
        }],
        logistics: None,
        merchant_name: Some("Till of merchant 0".into()),
        customer_name: Some("private".into()),
        note: None,
    }
}

/// Sells as `//Alice//bizkey/{seed}/merchant/0` (verified by the day).
pub async fn sell(suite: &Suite, manifest: &Manifest, node_url: &str, seed: u64) -> Till {
    let merchant = keypair(&format!("//Alice//bizkey/{seed}/merchant/0")).unwrap();
    let pos = Pos::new(
        Session::connect(manifest, Some(node_url), merchant)
            .await
            .unwrap(),
    );
    let customers = suite.accounts("pos/customer", 2).await.unwrap();
    let base = unix_ms() * 1_000;
    let sales = [
        Sale::in_store(
            account_of(&customers[0]),
            base + 1,
            detail("flat white", 2, 450, 400),
        ),
        Sale::in_store(
            account_of(&customers[1]),
            base + 2,
            detail("croissant", 3, 300, 300),
        ),
        Sale::in_store(
            account_of(&customers[0]),
            base + 3,
            detail("tea", 1, 350, 320),
        ),
    ];
    // The order the SDK derives from the detail.
    let order = sales[0].order(unix_ms());
    assert_eq!((order.amount, order.discount, order.items), (800, 100, 2));
    assert_eq!(order.detail_hash, sales[0].detail.hash().into());

    let first = pos.record_sale(&sales[0]).await.unwrap();
    let batch = pos.record_sales(&sales[1..]).await.unwrap();
    assert_eq!(batch, vec![first + 1, first + 2], "one batch, in order");
    let again = pos.record_sale(&sales[0]).await.unwrap_err();
    assert!(
        matches!(
            again,
            SdkError::Refused {
                refusal: Refusal::Ledger(LedgerError::DuplicateOrder),
                ..
            }
        ),
        "{again}"
    );

    let ids = [first, batch[0], batch[1]];
    let confirmers = [&customers[0], &customers[1], &customers[0]];
    for (id, customer) in ids.iter().zip(confirmers) {
        let session = Session::connect(manifest, Some(node_url), customer.clone())
            .await
            .unwrap();
        session.run(session.confirm(*id).unwrap()).await.unwrap();
    }
    for (id, sale) in ids.iter().zip(&sales) {
        let receipt = pos
            .await_confirmation(*id, Duration::from_secs(30))
            .await
            .unwrap();
        assert_eq!(receipt.status, ReceiptStatus::Confirmed);
        assert_eq!(receipt.order.detail_hash, sale.detail.hash().into());
    }

    // A sale the till cancels is not a confirmation.
    let cancelled = Sale::in_store(
        account_of(&customers[1]),
        base + 4,
        detail("refund me", 1, 100, 100),
    );
    let id = pos.record_sale(&cancelled).await.unwrap();
    let s = pos.session();
    s.run(s.cancel(id).unwrap()).await.unwrap();
    let e = pos
        .await_confirmation(id, Duration::from_secs(10))
        .await
        .unwrap_err();
    assert!(matches!(e, SdkError::NotConfirmed { .. }), "{e}");

    Till {
        sales: ids
            .into_iter()
            .zip(sales.into_iter().map(|s| s.detail))
            .collect(),
        pos,
    }
}
