//! The point-of-sale SDK: a till records each sale on-chain, waits for the
//! customer's confirmation and posts the receipt's detail to the index.
//!
//! ```no_run
//! # async fn till() -> Result<(), bizkey_chain::sdk::SdkError> {
//! use bizkey_chain::sdk::pos::{Pos, Sale};
//! use bizkey_chain::sdk::Session;
//! use bizkey_chain::{accounts, Manifest};
//! use bizkey_store::detail::{Item, ReceiptDetail};
//! use std::time::Duration;
//!
//! let manifest = Manifest::load("deployment.json")?;
//! // The shop's key: from a key file or BIZKEY_SURI, never hard-coded.
//! let shop = accounts::keypair(&std::env::var("BIZKEY_SURI").unwrap_or_default())?;
//! let pos = Pos::new(Session::connect(&manifest, None, shop).await?)
//!     .with_index("http://127.0.0.1:8080");
//!
//! let customer = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty".parse().unwrap();
//! let sale = Sale::in_store(customer, 1001, ReceiptDetail {
//!     items: vec![Item { name: "latte".into(), quantity: 2, list_price: 450,
//!                        paid_price: 400, time_deduction: 0 }],
//!     logistics: None, merchant_name: Some("Café".into()),
//!     customer_name: None, note: None,
//! });
//! let id = pos.record_sale(&sale).await?;            // on-chain, detail hash included
//! let receipt = pos.await_confirmation(id, Duration::from_secs(120)).await?;
//! pos.post_detail(id, &sale.detail).await?;          // the index attaches it
//! println!("receipt #{id}: {} Biz reserved for the shop", receipt.biz);
//! # Ok(()) }
//! ```

use super::{Result, SdkError, Session};
use crate::error::ChainError;
use bizkey_store::detail::{Item, ReceiptDetail};
use bizkey_types::ledger::{LedgerError, Order, Receipt, ReceiptId, ReceiptOpened, ReceiptStatus};
use bizkey_types::math::{Channel, TIME_UNITS_PER_CENT};
use bizkey_types::{Hash, Timestamp};
use std::time::{Duration, Instant};
use subxt::utils::AccountId32;

/// The GraphQL request that attaches a receipt's detail in the index
/// (variables `id`, `detail`: the detail's JSON as a string).
pub const SUBMIT_DETAIL: &str = "mutation($id: Int!, $detail: String!) { submitReceiptDetail(receiptId: $id, detail: $detail) { receiptId detailHash } }";

/// How often a wait polls the chain or the index.
const POLL: Duration = Duration::from_millis(250);

/// One sale as the till knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sale {
    pub customer: AccountId32,
    /// The shop's order number: unique per shop, forever.
    pub order_id: u64,
    pub channel: Channel,
    /// When the order was placed (ms); `None`: now (the best block's time).
    pub order_time: Option<Timestamp>,
    /// Everything printed on the receipt. Its lines decide the amount
    /// (paid prices), the discount (list − paid) and the Time paid (Time
    /// deductions); its blake2-256 goes on-chain.
    pub detail: ReceiptDetail,
}

impl Sale {
    /// A sale in the shop, placed now.
    pub fn in_store(customer: AccountId32, order_id: u64, detail: ReceiptDetail) -> Self {
        Self {
            customer,
            order_id,
            channel: Channel::InStore,
            order_time: None,
            detail,
        }
    }

    /// The on-chain order of this sale at time `now`.
    pub fn order(&self, now: Timestamp) -> Order {
        let lines = &self.detail.items;
        let sum = |f: &dyn Fn(&bizkey_store::detail::Item) -> u64| -> u128 {
            lines
                .iter()
                .map(|i| u128::from(f(i)) * u128::from(i.quantity))
                .sum()
        };
        Order {
            order_id: self.order_id,
            order_time: self.order_time.unwrap_or(now).min(now),
            channel: self.channel,
            amount: sum(&|i| i.paid_price),
            discount: sum(&|i| i.list_price.saturating_sub(i.paid_price)),
            time_paid: lines
                .iter()
                .map(|i| u128::from(i.time_deduction))
                .sum::<u128>()
                * TIME_UNITS_PER_CENT,
            items: lines.iter().map(|i| i.quantity).sum(),
            detail_hash: Hash::from(self.detail.hash()),
        }
    }
}

/// A merchant's till.
#[derive(Debug, Clone)]
pub struct Pos {
    session: Session,
    /// The GraphQL API the details go to (`http://host:port`).
    index: Option<String>,
    http: reqwest::Client,
}

impl Pos {
    pub fn new(session: Session) -> Self {
        Self {
            session,
            index: None,
            http: reqwest::Client::new(),
        }
    }

    /// Posts receipt details to this GraphQL API (`bizkey-graphql`).
    #[must_use]
    pub fn with_index(mut self, url: impl Into<String>) -> Self {
        self.index = Some(url.into().trim_end_matches('/').to_owned());
        self
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Records one sale (merchant side); the customer confirms it.
    ///
    /// # Errors
    /// [`SdkError::Refused`] with the ledger's error (`DuplicateOrder`,
    /// `MerchantNotVerified`, …); chain errors.
    pub async fn record_sale(&self, sale: &Sale) -> Result<ReceiptId> {
        let now = self.session.now().await?;
        let action = self.session.record(&sale.customer, sale.order(now))?;
        Ok(self.session.run(action).await?.value)
    }

    /// Records several sales in one extrinsic (all or none), in order.
    ///
    /// # Errors
    /// [`SdkError::Refused`] naming the first sale the ledger refuses
    /// (nothing is submitted then); chain errors.
    pub async fn record_sales(&self, sales: &[Sale]) -> Result<Vec<ReceiptId>> {
        if sales.is_empty() {
            return Ok(Vec::new());
        }
        let now = self.session.now().await?;
        let ledger = &self.session.suite.ledger;
        let mut calls = Vec::with_capacity(sales.len());
        for sale in sales {
            // Each sale's dry run is alone (not after the others): the
            // orders' ids must differ, which the batch then enforces.
            let action = self.session.record(&sale.customer, sale.order(now))?;
            let quoted = self.session.quote(action).await?;
            let mut call = quoted.quote.call;
            call.gas_limit = quoted.quote.dry.gas_required;
            calls.push((ledger.address.clone(), call));
        }
        let included = self
            .session
            .chain
            .call_batch(&self.session.key, calls, crate::Finality::InBlock)
            .await?;
        let mut ids = Vec::with_capacity(sales.len());
        for event in &included.contract_events {
            if let Some(opened) = event.decode::<ReceiptOpened>()? {
                ids.push(opened.id);
            }
        }
        if ids.len() != sales.len() {
            return Err(ChainError::MissingEvent("ReceiptOpened").into());
        }
        Ok(ids)
    }

    /// Waits until the customer confirms receipt `id` (or it is cancelled or
    /// expires), up to `timeout`; the confirmed receipt.
    ///
    /// # Errors
    /// [`SdkError::NotConfirmed`] when it was cancelled or expired;
    /// [`ChainError::Timeout`]; [`SdkError::Refused`] (`ReceiptNotFound`).
    pub async fn await_confirmation(&self, id: ReceiptId, timeout: Duration) -> Result<Receipt> {
        let deadline = Instant::now() + timeout;
        loop {
            let receipt = self.session.receipt(id).await?.ok_or(SdkError::Refused {
                contract: self.session.suite.ledger.name.clone(),
                message: "receipt".into(),
                refusal: LedgerError::ReceiptNotFound.into(),
            })?;
            match receipt.status {
                ReceiptStatus::Open => {
                    if self.session.now().await? > receipt.deadline {
                        return Err(SdkError::NotConfirmed {
                            id,
                            outcome: "it expired".into(),
                        });
                    }
                }
                ReceiptStatus::Cancelled => {
                    return Err(SdkError::NotConfirmed {
                        id,
                        outcome: "it was cancelled".into(),
                    })
                }
                _ => return Ok(receipt),
            }
            if Instant::now() >= deadline {
                return Err(ChainError::Timeout {
                    what: format!("the confirmation of receipt #{id}"),
                    secs: timeout.as_secs(),
                }
                .into());
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Posts a receipt's detail to the index (the `submitReceiptDetail`
    /// mutation), waiting up to 30 s for the index to have the receipt.
    /// Without an index URL this does nothing.
    ///
    /// # Errors
    /// [`SdkError::Index`] when the API refuses the detail (its hash is not
    /// the receipt's) or cannot be reached.
    pub async fn post_detail(&self, id: ReceiptId, detail: &ReceiptDetail) -> Result<()> {
        let Some(base) = &self.index else {
            return Ok(());
        };
        let url = format!("{base}/graphql");
        let fail = |reason: String| SdkError::Index {
            id,
            url: url.clone(),
            reason,
        };
        let body = serde_json::json!({
            "query": SUBMIT_DETAIL,
            "variables": { "id": id, "detail": String::from_utf8_lossy(&detail.canonical_bytes()) },
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let answer: serde_json::Value = self
                .http
                .post(&url)
                .json(&body)
                .send()
                .await
                .map_err(|e| fail(e.to_string()))?
                .json()
                .await
                .map_err(|e| fail(e.to_string()))?;
            let Some(error) = answer.pointer("/errors/0") else {
                return Ok(());
            };
            // The index may not have the receipt's block yet.
            let code = error.pointer("/extensions/code").and_then(|c| c.as_str());
            if code != Some("NOT_INDEXED") || Instant::now() >= deadline {
                let message = error.get("message").and_then(|m| m.as_str()).unwrap_or("");
                return Err(fail(format!("{} ({})", message, code.unwrap_or("no code"))));
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

/// The full detail a POS keeps off-chain for a sale of `amount` cents in
/// `items` lines (paid prices adding up to the amount); its blake2-256 is
/// what goes on-chain, and the index accepts it only when the two agree.
pub fn receipt_detail(merchant: &str, amount: u64, items: u32, time_cents: u128) -> ReceiptDetail {
    let lines = u64::from(items.max(1));
    let each = amount / lines;
    let items = (0..lines)
        .map(|k| {
            // The first line takes the rounding remainder and the Time paid.
            let paid = if k == 0 { each + amount % lines } else { each };
            Item {
                name: format!("item {}", k + 1),
                quantity: 1,
                list_price: paid,
                paid_price: paid,
                time_deduction: if k == 0 {
                    time_cents.min(u64::MAX.into()) as u64
                } else {
                    0
                },
            }
        })
        .collect();
    ReceiptDetail {
        items,
        logistics: None,
        merchant_name: Some(merchant.to_owned()),
        customer_name: None,
        note: None,
    }
}
