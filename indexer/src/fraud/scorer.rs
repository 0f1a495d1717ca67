//! The scorer: the receipts' history, their features and the `fraud_scores` rows.

use super::{groups, status, FraudError};
use crate::metrics::{ns, Metrics};
use bizkey_fraud::csv::Interner;
use bizkey_fraud::features::{FeatureError, FeatureState, Features};
use bizkey_fraud::group;
use bizkey_fraud::receipt::{Channel, Funding, Receipt};
use bizkey_fraud::score::{ModelInfo, Runtime, Scorer, ScorerOptions};
use bizkey_store::entity::{
    customers, fraud_scores, fundings, merchants, receipt_status_history, receipts,
};
use bizkey_store::repo::{self, Plans};
use bizkey_types::ledger::ReceiptStatus;
use bizkey_types::math::Channel as SaleChannel;
use bizkey_types::registry::Category;
use bizkey_types::Named;
use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};
use sea_orm::sea_query::Condition;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{mpsc, Mutex, Notify};

/// Rows replayed per query when the history is rebuilt.
const REPLAY_PAGE: u64 = 10_000;

/// Receipts scored per transaction when catching up.
const CATCH_UP_PAGE: usize = 5_000;

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

/// Where an event is in the chain: (block number, event index).
pub type Position = (i64, i64);

/// A confirmed receipt and its model inputs, as of the batch that confirmed
/// it.
#[derive(Clone, Debug)]
pub struct ToScore {
    pub receipt: receipts::Model,
    pub inputs: Inputs,
    /// Its (first) `Confirmed` event: the fundings before it are fed to the
    /// history before the receipt.
    pub confirmed: Position,
}

/// The position of every receipt's first `Confirmed` event
/// (`receipt_status_history`), for a replay of the history.
async fn confirmations<C: ConnectionTrait>(db: &C) -> Result<HashMap<i64, Position>, DbErr> {
    use receipt_status_history::Column as H;
    let rows: Vec<(i64, i64, i64)> = receipt_status_history::Entity::find()
        .select_only()
        .columns([H::ReceiptId, H::BlockNumber, H::EventIndex])
        .filter(H::Status.eq(ReceiptStatus::Confirmed.as_str()))
        .into_tuple()
        .all(db)
        .await?;
    let mut first: HashMap<i64, Position> = HashMap::with_capacity(rows.len());
    for (id, block, index) in rows {
        first
            .entry(id)
            .and_modify(|p| *p = (*p).min((block, index)))
            .or_insert((block, index));
    }
    Ok(first)
}

/// The fundings strictly after `after` and before `before` (from the first,
/// or to the last, when `None`), in chain order.
async fn fundings_between<C: ConnectionTrait>(
    db: &C,
    after: Option<Position>,
    before: Option<Position>,
) -> Result<Vec<fundings::Model>, DbErr> {
    use fundings::Column as F;
    // Strictly after (or before) a position.
    let beyond = |(block, index): Position, later: bool| {
        let (block_beyond, index_beyond) = if later {
            (F::BlockNumber.gt(block), F::EventIndex.gt(index))
        } else {
            (F::BlockNumber.lt(block), F::EventIndex.lt(index))
        };
        Condition::any().add(block_beyond).add(
            Condition::all()
                .add(F::BlockNumber.eq(block))
                .add(index_beyond),
        )
    };
    let mut query = fundings::Entity::find();
    if let Some(at) = after {
        query = query.filter(beyond(at, true));
    }
    if let Some(at) = before {
        query = query.filter(beyond(at, false));
    }
    query
        .order_by_asc(F::BlockNumber)
        .order_by_asc(F::EventIndex)
        .all(db)
        .await
}

/// The model inputs of `confirmed` (in order, each with the position of its
/// first `Confirmed` event): each receipt with its merchant's category and
/// its customer's referrer as `db` has them. The
/// follower calls it inside the batch's transaction, so that the inputs do
/// not depend on how far the index has moved on by the time the scorer runs.
///
/// # Errors
/// Database errors.
pub async fn to_score<C: ConnectionTrait>(
    db: &C,
    confirmed: Vec<(receipts::Model, Position)>,
) -> Result<Vec<ToScore>, DbErr> {
    if confirmed.is_empty() {
        return Ok(Vec::new());
    }
    // Reads by key (`repo::plan`).
    repo::plan(db, Plans::PerExecution).await?;
    let merchant_ids: HashSet<&str> = confirmed.iter().map(|(r, _)| r.merchant.as_str()).collect();
    let categories: HashMap<String, String> = merchants::Entity::find()
        .select_only()
        .columns([merchants::Column::Account, merchants::Column::Category])
        .filter(merchants::Column::Account.is_in(merchant_ids))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let customer_ids: HashSet<&str> = confirmed.iter().map(|(r, _)| r.customer.as_str()).collect();
    let referrers: HashMap<String, Option<String>> = customers::Entity::find()
        .select_only()
        .columns([customers::Column::Account, customers::Column::Referrer])
        .filter(customers::Column::Account.is_in(customer_ids))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(confirmed
        .into_iter()
        .map(|(receipt, confirmed)| {
            let inputs = Inputs::of(
                &receipt,
                categories.get(&receipt.merchant).map(String::as_str),
                referrers.get(&receipt.customer).and_then(|x| x.as_deref()),
            );
            ToScore {
                receipt,
                inputs,
                confirmed,
            }
        })
        .collect())
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

/// A receipt fed to the [`History`].
#[derive(Debug, Clone)]
pub struct Pushed {
    /// The time it was fed at (its order time, made non-decreasing).
    pub time: u64,
    pub features: Features,
    /// Whether its customer's funding was known.
    pub funded: bool,
}

/// The feature history: the state, the dense ids it is indexed by, and the
/// position in confirmation order.
#[derive(Debug, Default)]
pub struct History {
    state: FeatureState,
    merchants: Interner,
    customers: Interner,
    funders: Interner,
    last_time: u64,
    /// `seq` of the next row.
    pub next_seq: i64,
    /// The last funding fed.
    fed: Option<Position>,
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

    /// The model's view of funding rows (their times are stamped when fed),
    /// and the position of the last.
    fn fundings(&mut self, rows: &[fundings::Model]) -> Vec<Funding> {
        if let Some(last) = rows.last() {
            self.fed = Some((last.block_number, last.event_index));
        }
        rows.iter()
            .map(|f| Funding {
                time_ms: 0,
                funder: self.funders.intern(&f.funder),
                account: self.customers.intern(&f.account),
            })
            .collect()
    }

    /// The features of the next confirmed receipt, after the fundings
    /// `before` it (those since the previous receipt, in chain order), which
    /// then become history.
    ///
    /// # Errors
    /// None in practice: times are made non-decreasing.
    pub fn push(&mut self, i: &Inputs, before: &[fundings::Model]) -> Result<Pushed, FeatureError> {
        let time = i.order_time.max(self.last_time);
        let r = self.receipt(i, time);
        let fundings = self.fundings(before);
        let features = self.state.push_after(&fundings, &r)?;
        self.last_time = time;
        self.next_seq += 1;
        Ok(Pushed {
            time,
            features,
            funded: self.state.is_funded(r.customer),
        })
    }

    /// Adds a stored row to the history, after the fundings `before` it (a
    /// replay).
    ///
    /// # Errors
    /// [`FeatureError::OutOfOrder`] when rows are replayed out of order.
    pub fn replay(
        &mut self,
        row: &fraud_scores::Model,
        before: &[fundings::Model],
    ) -> Result<(), FeatureError> {
        let time = non_negative(row.feature_time);
        let r = self.receipt(&Inputs::of_row(row), time);
        let fundings = self.fundings(before);
        self.state.fund_before(&fundings, &r)?;
        self.state.observe(&r)?;
        self.last_time = time;
        self.next_seq = row.seq + 1;
        Ok(())
    }

    /// The history of every row in `db`, replayed in `seq` order, each after
    /// the fundings before its confirmation.
    ///
    /// # Errors
    /// Database errors; a corrupt table (rows out of time order) as
    /// [`DbErr::Custom`].
    pub async fn load<C: ConnectionTrait>(db: &C) -> Result<Self, DbErr> {
        let mut h = History::new();
        let positions = confirmations(db).await?;
        let all = fundings_between(db, None, None).await?;
        let mut fed = 0;
        let mut pages = fraud_scores::Entity::find()
            .order_by_asc(fraud_scores::Column::Seq)
            .paginate(db, REPLAY_PAGE);
        while let Some(rows) = pages.fetch_and_next().await? {
            for row in &rows {
                // A row without a confirmation (none in an index the
                // follower wrote) is fed no fundings.
                let upto = positions
                    .get(&row.receipt_id)
                    .map_or(fed, |&at| fed + split(&all[fed..], at));
                h.replay(row, &all[fed..upto])
                    .map_err(|e| DbErr::Custom(format!("fraud_scores row {}: {e}", row.seq)))?;
                fed = upto;
            }
        }
        Ok(h)
    }
}

/// How many of `fundings` (in chain order) come before a receipt confirmed
/// at `confirmed`.
fn split(fundings: &[fundings::Model], confirmed: Position) -> usize {
    fundings.partition_point(|f| (f.block_number, f.event_index) < confirmed)
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

/// What a batch has to score: its receipts without a row, and the fundings
/// not fed yet up to the last one's confirmation.
#[derive(Default)]
struct Fresh<'a> {
    receipts: Vec<&'a ToScore>,
    fundings: Vec<fundings::Model>,
}

/// A batch's new rows before they are written, and when each receipt was
/// confirmed (for the account rule's window).
#[derive(Default)]
struct Scored {
    rows: Vec<fraud_scores::Model>,
    confirmed_at: HashMap<i64, i64>,
    /// Of the rows, those whose customer had no known funding.
    unfunded: u64,
}

impl Scored {
    /// Adds the batch's counts to `metrics`.
    fn count(&self, metrics: &Metrics) {
        metrics
            .receipts_scored
            .fetch_add(self.rows.len() as u64, Relaxed);
        metrics
            .receipts_scored_unfunded
            .fetch_add(self.unfunded, Relaxed);
    }
}

/// The scoring stage. See the module docs.
pub struct FraudScorer {
    inner: Mutex<Inner>,
    info: ModelInfo,
    /// What scores the model, for the start-up log.
    runtime: Runtime,
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
            runtime: scorer.runtime().clone(),
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

    /// What scores the model: the native evaluator, or ONNX Runtime and why.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
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

    /// Scores the receipts of `batch` not scored yet, in order, and writes
    /// their rows (and the groups they join) all in `db`'s transaction, which
    /// the tests commit or roll back (the stage splits it: `score_committed`).
    /// Returns whether rows were left for the reporter.
    #[cfg(test)]
    pub(crate) async fn score<C: ConnectionTrait>(
        &self,
        db: &C,
        batch: &[ToScore],
    ) -> Result<bool, DbErr> {
        let mut inner = self.inner.lock().await;
        let fresh = self.fresh(db, &mut inner, batch).await?;
        let scored = self.compute(&mut inner, fresh)?;
        self.write(db, scored).await
    }

    /// The receipts of `batch` without a row, each once, and the fundings
    /// not yet fed up to the last of them, after making sure the history in
    /// memory is the one in SQL (none after a start, or fewer rows after a
    /// rolled-back transaction: otherwise it is replayed).
    async fn fresh<'a, C: ConnectionTrait>(
        &self,
        db: &C,
        inner: &mut Inner,
        batch: &'a [ToScore],
    ) -> Result<Fresh<'a>, DbErr> {
        if batch.is_empty() {
            return Ok(Fresh::default());
        }
        // Reads by key (`repo::plan`).
        repo::plan(db, Plans::PerExecution).await?;
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
        let ids: Vec<i64> = batch.iter().map(|t| t.receipt.id).collect();
        let mut scored: HashSet<i64> = fraud_scores::Entity::find()
            .select_only()
            .column(fraud_scores::Column::ReceiptId)
            .filter(fraud_scores::Column::ReceiptId.is_in(ids))
            .into_tuple::<i64>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        // Each receipt once, even when it is in `batch` twice.
        let receipts: Vec<&ToScore> = batch
            .iter()
            .filter(|t| scored.insert(t.receipt.id))
            .collect();
        let fundings = match receipts.iter().map(|t| t.confirmed).max() {
            Some(last) => {
                let fed = inner.history.as_ref().and_then(|h| h.fed);
                fundings_between(db, fed, Some(last)).await?
            }
            None => Vec::new(),
        };
        Ok(Fresh { receipts, fundings })
    }

    /// The rows of `fresh`: features from the history (which they join, each
    /// after the fundings before its confirmation), one inference call. No
    /// database access.
    fn compute(&self, inner: &mut Inner, fresh: Fresh<'_>) -> Result<Scored, DbErr> {
        let mut scored = Scored::default();
        let Fresh {
            receipts: fresh,
            fundings,
        } = fresh;
        let Some(history) = inner.history.as_mut().filter(|_| !fresh.is_empty()) else {
            return Ok(scored);
        };
        let mut rows = Vec::with_capacity(fresh.len());
        let mut features = Vec::with_capacity(fresh.len());
        let mut fed = 0;
        for t in &fresh {
            let seq = history.next_seq;
            let upto = fed + split(&fundings[fed..], t.confirmed);
            let pushed = history
                .push(&t.inputs, &fundings[fed..upto])
                .map_err(|e| DbErr::Custom(format!("fraud features: {e}")))?;
            fed = upto;
            scored.unfunded += u64::from(!pushed.funded);
            features.push(pushed.features);
            rows.push((seq, pushed.time, t.inputs.clone(), &t.receipt));
        }
        let scores = inner
            .scorer
            .score(&features)
            .map_err(|e| DbErr::Custom(format!("fraud scoring: {e}")))?;
        let version = &self.info.version;
        scored.rows = rows
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
        scored.confirmed_at = fresh
            .iter()
            .map(|t| (t.receipt.id, t.receipt.confirmed_at.unwrap_or(0)))
            .collect();
        Ok(scored)
    }

    /// Writes the rows and the groups they join in `db`'s transaction;
    /// returns whether rows were left for the reporter.
    async fn write<C: ConnectionTrait>(&self, db: &C, scored: Scored) -> Result<bool, DbErr> {
        let Scored {
            mut rows,
            confirmed_at,
            unfunded: _,
        } = scored;
        if rows.is_empty() {
            return Ok(false);
        }
        repo::plan(db, Plans::PerExecution).await?;
        let raised = groups::update(db, &mut rows, &confirmed_at, self.raised_status()).await?;
        // Raised rows of earlier batches are written by `groups::update`.
        let pending =
            rows.iter().any(|m| m.status == status::PENDING) || (raised > 0 && self.reporting);
        repo::plan(db, Plans::Reused).await?;
        repo::upsert(db, rows.into_iter().map(IntoActiveModel::into_active_model)).await?;
        Ok(pending)
    }

    /// The scoring stage: first the receipts confirmed after the last scored
    /// one (those whose scores a crash lost between the batch's commit and
    /// theirs), then each batch the follower sends, in its own transaction,
    /// until the follower closes the channel. Wakes the reporter after a
    /// transaction that left rows pending.
    ///
    /// # Errors
    /// Database errors; failed inference as [`DbErr::Custom`].
    pub async fn follow(
        &self,
        db: &DatabaseConnection,
        mut batches: mpsc::Receiver<Vec<ToScore>>,
        metrics: &Metrics,
    ) -> Result<(), DbErr> {
        self.catch_up(db, metrics).await?;
        while let Some(batch) = batches.recv().await {
            self.score_committed(db, &batch, metrics).await?;
        }
        Ok(())
    }

    /// Scores a committed batch: the reads in one transaction, the features
    /// and the inference outside any (an SQLite index has one connection,
    /// which the follower needs meanwhile), the rows in another. The scorer
    /// is the only writer of its rows, and a write that fails leaves the
    /// history in memory ahead of SQL, which the next batch replays.
    async fn score_committed(
        &self,
        db: &DatabaseConnection,
        batch: &[ToScore],
        metrics: &Metrics,
    ) -> Result<(), DbErr> {
        let t = Instant::now();
        let mut inner = self.inner.lock().await;
        let read = db.begin().await?;
        let fresh = self.fresh(&read, &mut inner, batch).await?;
        read.commit().await?;
        let scored = self.compute(&mut inner, fresh)?;
        scored.count(metrics);
        let txn = db.begin().await?;
        let pending = self.write(&txn, scored).await?;
        txn.commit().await?;
        drop(inner);
        metrics.stages.score_ns.fetch_add(ns(t.elapsed()), Relaxed);
        if pending {
            self.notify.notify_one();
        }
        Ok(())
    }

    /// Scores the confirmed receipts that have no row, in confirmation
    /// order, from the confirmation of the last scored receipt on; returns
    /// how many receipts it went through. Their inputs are read now: a merchant whose
    /// category changed since the receipt's batch gives its new category
    /// (the price of a crash at that moment; features stay causal).
    async fn catch_up(&self, db: &DatabaseConnection, metrics: &Metrics) -> Result<usize, DbErr> {
        let unscored = unscored(db).await?;
        if unscored.is_empty() {
            return Ok(0);
        }
        tracing::info!(
            receipts = unscored.len(),
            "scoring the receipts confirmed after the last scored one"
        );
        for page in unscored.chunks(CATCH_UP_PAGE) {
            // Reads by key, in a transaction for their plans (`repo::plan`).
            let read = db.begin().await?;
            repo::plan(&read, Plans::PerExecution).await?;
            let mut rows: HashMap<i64, receipts::Model> = HashMap::with_capacity(page.len());
            for chunk in page.chunks(crate::projection::KEYS_PER_QUERY) {
                rows.extend(
                    receipts::Entity::find()
                        .filter(receipts::Column::Id.is_in(chunk.iter().map(|(id, _)| *id)))
                        .all(&read)
                        .await?
                        .into_iter()
                        .map(|r| (r.id, r)),
                );
            }
            let confirmed = page
                .iter()
                .filter_map(|(id, at)| Some((rows.remove(id)?, *at)))
                .collect();
            let batch = to_score(&read, confirmed).await?;
            read.commit().await?;
            self.score_committed(db, &batch, metrics).await?;
        }
        Ok(unscored.len())
    }
}

/// The receipts confirmed after the first confirmation of the last scored
/// receipt (all of them when none is scored), in confirmation order, each
/// once with the position of that confirmation; a receipt among them that has
/// a row (restored after a flag) is left to [`FraudScorer::fresh`].
async fn unscored<C: ConnectionTrait>(db: &C) -> Result<Vec<(i64, Position)>, DbErr> {
    use receipt_status_history::Column as H;
    let confirmed = ReceiptStatus::Confirmed.as_str();
    let last = fraud_scores::Entity::find()
        .order_by_desc(fraud_scores::Column::Seq)
        .one(db)
        .await?;
    let mut query = receipt_status_history::Entity::find().filter(H::Status.eq(confirmed));
    if let Some(last) = last {
        // Its first confirmation (a restored receipt is `Confirmed` again).
        let at = receipt_status_history::Entity::find()
            .filter(H::ReceiptId.eq(last.receipt_id))
            .filter(H::Status.eq(confirmed))
            .order_by_asc(H::BlockNumber)
            .order_by_asc(H::EventIndex)
            .one(db)
            .await?;
        if let Some(at) = at {
            query = query.filter(
                Condition::any()
                    .add(H::BlockNumber.gt(at.block_number))
                    .add(
                        Condition::all()
                            .add(H::BlockNumber.eq(at.block_number))
                            .add(H::EventIndex.gt(at.event_index)),
                    ),
            );
        }
    }
    let rows = query
        .order_by_asc(H::BlockNumber)
        .order_by_asc(H::EventIndex)
        .all(db)
        .await?;
    // Each receipt once (a restored one is `Confirmed` again); one scored
    // before the crash is skipped when its page is scored (`fresh`).
    let mut seen = HashSet::new();
    Ok(rows
        .into_iter()
        .filter(|r| seen.insert(r.receipt_id))
        .map(|r| (r.receipt_id, (r.block_number, r.event_index)))
        .collect())
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
