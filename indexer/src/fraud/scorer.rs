//! The scorer: the receipts' history, their features and the `fraud_scores` rows.

use super::{groups, status, FraudError};
use crate::projection::ConfirmedReceipts;
use bizkey_fraud::csv::Interner;
use bizkey_fraud::features::{FeatureError, FeatureState, Features};
use bizkey_fraud::group;
use bizkey_fraud::receipt::{Channel, Receipt};
use bizkey_fraud::score::{ModelInfo, Scorer, ScorerOptions};
use bizkey_store::entity::{customers, fraud_scores, merchants, receipts};
use bizkey_store::repo::{self, Plans};
use bizkey_types::math::Channel as SaleChannel;
use bizkey_types::registry::Category;
use bizkey_types::Named;
use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use tokio::sync::{Mutex, Notify};

/// Rows replayed per query when the history is rebuilt.
const REPLAY_PAGE: u64 = 10_000;

/// The category id of a registry category name for the features: its
/// position in the registry's `Category`, SCALE order (unknown names count
/// as `Other`).
pub fn category_id(name: &str) -> u32 {
    Category::ALL
        .iter()
        .position(|c| c.as_str() == name)
        .unwrap_or(Category::ALL.len() - 1) as u32
}

/// A receipt's model inputs, as stored in its `fraud_scores` row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inputs {
    pub merchant: String,
    pub customer: String,
    pub category: String,
    pub referrer: Option<String>,
    pub channel: Channel,
    pub amount_cents: u64,
    pub time_deducted_cents: u64,
    pub items: u32,
    pub order_time: u64,
}

fn non_negative(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl Inputs {
    /// The inputs of a confirmed receipt: `category` is its merchant's
    /// registry category (`Other` when the merchant is unknown), `referrer`
    /// the customer's. Time paid (TT units) becomes cents of the amount.
    pub fn of(r: &receipts::Model, category: Option<&str>, referrer: Option<&str>) -> Self {
        let cents = |v: u128| u64::try_from(v).unwrap_or(u64::MAX);
        Self {
            merchant: r.merchant.clone(),
            customer: r.customer.clone(),
            category: category.unwrap_or("Other").to_owned(),
            referrer: referrer.map(str::to_owned),
            channel: column_channel(&r.channel),
            amount_cents: cents(r.amount.0),
            time_deducted_cents: cents(r.time_paid.0 / bizkey_math::TIME_UNITS_PER_CENT),
            items: u32::try_from(r.items).unwrap_or(if r.items < 0 { 0 } else { u32::MAX }),
            order_time: non_negative(r.order_time),
        }
    }

    /// The inputs a row recorded.
    pub fn of_row(row: &fraud_scores::Model) -> Self {
        Self {
            merchant: row.merchant.clone(),
            customer: row.customer.clone(),
            category: row.category.clone(),
            referrer: row.referrer.clone(),
            channel: column_channel(&row.channel),
            amount_cents: non_negative(row.amount_cents),
            time_deducted_cents: non_negative(row.time_deducted_cents),
            items: u32::try_from(row.items).unwrap_or(0),
            order_time: non_negative(row.order_time),
        }
    }
}

/// The feature history: the state, the dense ids it is indexed by, and the
/// position in confirmation order.
#[derive(Debug, Default)]
pub struct History {
    state: FeatureState,
    merchants: Interner,
    customers: Interner,
    last_time: u64,
    /// `seq` of the next row.
    pub next_seq: i64,
}

impl History {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    pub(super) fn receipt(&mut self, i: &Inputs, time: u64) -> Receipt {
        let merchant = self.merchants.intern(&i.merchant);
        let customer = self.customers.intern(&i.customer);
        let referrer = i.referrer.as_deref().map(|r| self.customers.intern(r));
        Receipt {
            order_time_ms: time,
            merchant,
            category: category_id(&i.category),
            customer,
            referrer,
            channel: i.channel,
            amount_cents: i.amount_cents,
            time_deducted: i.time_deducted_cents.min(i.amount_cents),
            item_count: i.items,
        }
    }

    /// The features of the next confirmed receipt, which then becomes
    /// history; returns the time it was fed at.
    ///
    /// # Errors
    /// None in practice: times are made non-decreasing.
    pub fn push(&mut self, i: &Inputs) -> Result<(u64, Features), FeatureError> {
        let time = i.order_time.max(self.last_time);
        let r = self.receipt(i, time);
        let f = self.state.push(&r)?;
        self.last_time = time;
        self.next_seq += 1;
        Ok((time, f))
    }

    /// Adds a stored row to the history (a replay).
    ///
    /// # Errors
    /// [`FeatureError::OutOfOrder`] when rows are replayed out of order.
    pub fn replay(&mut self, row: &fraud_scores::Model) -> Result<(), FeatureError> {
        let time = non_negative(row.feature_time);
        let r = self.receipt(&Inputs::of_row(row), time);
        self.state.observe(&r)?;
        self.last_time = time;
        self.next_seq = row.seq + 1;
        Ok(())
    }

    /// The history of every row in `db`, replayed in `seq` order.
    ///
    /// # Errors
    /// Database errors; a corrupt table (rows out of time order) as
    /// [`DbErr::Custom`].
    pub async fn load<C: ConnectionTrait>(db: &C) -> Result<Self, DbErr> {
        let mut h = History::new();
        let mut pages = fraud_scores::Entity::find()
            .order_by_asc(fraud_scores::Column::Seq)
            .paginate(db, REPLAY_PAGE);
        while let Some(rows) = pages.fetch_and_next().await? {
            for row in &rows {
                h.replay(row)
                    .map_err(|e| DbErr::Custom(format!("fraud_scores row {}: {e}", row.seq)))?;
            }
        }
        Ok(h)
    }
}

/// blake2-256 of the model version and the little-endian features: the
/// flag's evidence.
pub fn features_hash(model_version: &str, f: &Features) -> [u8; 32] {
    let mut h = Blake2b::<U32>::new();
    h.update((model_version.len() as u32).to_le_bytes());
    h.update(model_version.as_bytes());
    for x in f {
        h.update(x.to_le_bytes());
    }
    h.finalize().into()
}

struct Inner {
    history: Option<History>,
    scorer: Scorer,
}

/// The scoring hook. See the module docs.
pub struct FraudScorer {
    inner: Mutex<Inner>,
    info: ModelInfo,
    reporting: bool,
    notify: Arc<Notify>,
}

impl FraudScorer {
    /// Loads the model at `path`. With `reporting`, receipts above the
    /// threshold are left `pending` for a [`Reporter`] woken through
    /// [`FraudScorer::notify`].
    ///
    /// # Errors
    /// [`FraudError::Score`] when ONNX Runtime or the model cannot be loaded.
    pub fn load(path: &Path, reporting: bool) -> Result<Self, FraudError> {
        let scorer = Scorer::load(path, ScorerOptions::default())?;
        Ok(Self {
            info: scorer.info().clone(),
            inner: Mutex::new(Inner {
                history: None,
                scorer,
            }),
            reporting,
            notify: Arc::new(Notify::new()),
        })
    }

    /// The model's version and threshold.
    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// The status of a receipt sent to the flag: `pending` for the reporter,
    /// or `unreported` without one.
    fn raised_status(&self) -> &'static str {
        if self.reporting {
            status::PENDING
        } else {
            status::UNREPORTED
        }
    }

    /// Signalled after a batch that left rows `pending`.
    pub fn notify(&self) -> Arc<Notify> {
        self.notify.clone()
    }

    async fn score<C: ConnectionTrait>(
        &self,
        db: &C,
        confirmed: &[receipts::Model],
    ) -> Result<(), DbErr> {
        // Reads by key first, then the batch's rows (`repo::plan`).
        repo::plan(db, Plans::PerExecution).await?;
        let mut inner = self.inner.lock().await;
        let inner = &mut *inner;
        // The rows in SQL must be the ones in memory (none after a start, or
        // fewer after a rolled-back batch): otherwise replay them.
        let next_in_db = fraud_scores::Entity::find()
            .select_only()
            .column_as(fraud_scores::Column::Seq.max(), "max")
            .into_tuple::<Option<i64>>()
            .one(db)
            .await?
            .flatten()
            .map_or(0, |m| m + 1);
        if inner.history.as_ref().map(|h| h.next_seq) != Some(next_in_db) {
            if inner.history.is_some() {
                tracing::warn!(
                    "fraud history out of step with SQL (a batch rolled back): replaying it"
                );
            }
            inner.history = Some(History::load(db).await?);
            tracing::info!(receipts = next_in_db, "fraud feature history loaded");
        }
        let Some(history) = inner.history.as_mut() else {
            return Ok(());
        };

        let ids: Vec<i64> = confirmed.iter().map(|r| r.id).collect();
        let scored: HashSet<i64> = fraud_scores::Entity::find()
            .filter(fraud_scores::Column::ReceiptId.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|r| r.receipt_id)
            .collect();
        let fresh: Vec<&receipts::Model> = confirmed
            .iter()
            .filter(|r| !scored.contains(&r.id))
            .collect();
        if fresh.is_empty() {
            return Ok(());
        }
        let merchant_ids: HashSet<&str> = fresh.iter().map(|r| r.merchant.as_str()).collect();
        let categories: HashMap<String, String> = merchants::Entity::find()
            .filter(merchants::Column::Account.is_in(merchant_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.account, m.category))
            .collect();
        let customer_ids: HashSet<&str> = fresh.iter().map(|r| r.customer.as_str()).collect();
        let referrers: HashMap<String, Option<String>> = customers::Entity::find()
            .filter(customers::Column::Account.is_in(customer_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.account, c.referrer))
            .collect();

        let mut rows = Vec::with_capacity(fresh.len());
        let mut features = Vec::with_capacity(fresh.len());
        for r in &fresh {
            let inputs = Inputs::of(
                r,
                categories.get(&r.merchant).map(String::as_str),
                referrers.get(&r.customer).and_then(|x| x.as_deref()),
            );
            let seq = history.next_seq;
            let (time, f) = history
                .push(&inputs)
                .map_err(|e| DbErr::Custom(format!("fraud features: {e}")))?;
            features.push(f);
            rows.push((seq, time, inputs, *r));
        }
        let scores = inner
            .scorer
            .score(&features)
            .map_err(|e| DbErr::Custom(format!("fraud scoring: {e}")))?;
        let version = &self.info.version;
        let mut models: Vec<fraud_scores::Model> = rows
            .into_iter()
            .zip(features.iter().zip(&scores))
            .map(|((seq, time, i, r), (f, &score))| {
                let above = score >= self.info.threshold;
                let status = if above {
                    self.raised_status()
                } else {
                    status::CLEAR
                };
                if above {
                    tracing::info!(receipt = r.id, score, merchant = %r.merchant, status, "receipt above the fraud threshold");
                }
                let channel = i.channel_name().to_owned();
                fraud_scores::Model {
                    seq,
                    receipt_id: r.id,
                    merchant: i.merchant,
                    customer: i.customer,
                    category: i.category,
                    referrer: i.referrer,
                    channel,
                    amount_cents: i.amount_cents.min(i64::MAX as u64) as i64,
                    time_deducted_cents: i.time_deducted_cents.min(i64::MAX as u64) as i64,
                    items: i64::from(i.items),
                    order_time: i.order_time.min(i64::MAX as u64) as i64,
                    feature_time: time.min(i64::MAX as u64) as i64,
                    features: serde_json::json!(f.to_vec()),
                    features_hash: bizkey_store::hex0x(features_hash(version, f)),
                    score_ppm: i64::from(group::ppm(score)),
                    model_version: version.clone(),
                    threshold_ppm: i64::from(group::ppm(self.info.threshold)),
                    status: status.to_owned(),
                    matures_at: r.matures_at,
                    attempts: 0,
                    last_error: None,
                    flag_block: None,
                }
            })
            .collect();
        let confirmed_at: HashMap<i64, i64> = fresh
            .iter()
            .map(|r| (r.id, r.confirmed_at.unwrap_or(0)))
            .collect();
        let raised = groups::update(db, &mut models, &confirmed_at, self.raised_status()).await?;
        // Raised rows of earlier batches are written by `groups::update`.
        let pending =
            models.iter().any(|m| m.status == status::PENDING) || (raised > 0 && self.reporting);
        repo::plan(db, Plans::Reused).await?;
        repo::upsert(
            db,
            models.into_iter().map(IntoActiveModel::into_active_model),
        )
        .await?;
        if pending {
            self.notify.notify_one();
        }
        Ok(())
    }
}

impl Inputs {
    /// The `channel` column's form of the sale's channel.
    pub(super) fn channel_name(&self) -> &'static str {
        match self.channel {
            Channel::InStore => SaleChannel::InStore.as_str(),
            Channel::Outside => SaleChannel::Outside.as_str(),
        }
    }
}

/// The fraud features' channel of a `channel` column (written by the index
/// in its [`Named`] form).
fn column_channel(s: &str) -> Channel {
    match SaleChannel::from_name(s) {
        Some(SaleChannel::Outside) => Channel::Outside,
        Some(SaleChannel::InStore) | None => Channel::InStore,
    }
}

#[async_trait::async_trait]
impl ConfirmedReceipts for FraudScorer {
    async fn on_confirmed(
        &self,
        db: &sea_orm::DatabaseTransaction,
        receipts: &[receipts::Model],
    ) -> Result<(), DbErr> {
        if receipts.is_empty() {
            return Ok(());
        }
        self.score(db, receipts).await
    }
}
