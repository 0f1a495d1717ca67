//! Live fraud scoring (DESIGN.md §5).
//!
//! [`FraudScorer`] is the projection's [`ConfirmedReceipts`] hook: inside
//! each batch's transaction it maps every newly confirmed receipt to the
//! model's [`Receipt`] (merchant category from `merchants`, referrer from
//! `customers`), computes its features with bizkey-fraud's ONE feature
//! definition from the receipts confirmed before it, scores them with the
//! ONNX model and writes one `fraud_scores` row each, in the same
//! transaction as the projection.
//!
//! # The history, in memory and in SQL
//!
//! Receipts reach the indexer in confirmation (chain) order, while their
//! `order_time` is set by the submitter; the feature state needs
//! non-decreasing times, so each receipt is fed at
//! `feature_time = max(order_time, previous feature_time)`: the history a
//! receipt is scored against is what the chain had confirmed before it. Each
//! row keeps the model inputs exactly as fed (including the category and
//! referrer of that moment) and its position `seq`; the warm in-memory
//! [`FeatureState`] is rebuilt by replaying the rows in `seq` order, on the
//! first batch after a start and whenever the rows in SQL are not the ones
//! in memory (a batch whose transaction rolled back). A restarted indexer
//! therefore computes the same features as an uninterrupted one.
//!
//! # Flags
//!
//! A score at or above the model's threshold gives status `pending` when a
//! reporter key is configured (else `unreported`). The [`Reporter`] task
//! submits the ledger's `flag(id, evidence)` for pending rows (evidence: the
//! `features_hash`), after a dry run that tells a closed window
//! (`too_late`) or a receipt already flagged or refunded (`not_confirmed`,
//! or `flagged` when the flag on chain is ours) from a flag to send. Whose
//! flag it was is read from the index, so while the index has not reached
//! the block of that flag or refund (a catch-up, a rebuild) the row stays
//! `pending` and is asked about again. Each row leaves `pending` exactly
//! once, so a receipt is never flagged twice; failures are logged, counted in
//! `attempts` and retried, and never stop indexing.
//!
//! # At start, and while running
//!
//! [`Reporter::check`] runs before anything is indexed: the ledger must
//! accept the key's flags, or the indexer refuses to start with
//! [`FraudError::MissingRole`] (account, role, contract). The ledger has no
//! message that returns a role (its `role` accessor is on the storage item,
//! not a message), so the check asks what matters, whether `flag` would pass
//! its authorisation: a dry run of `flag` on a receipt id no ledger reaches
//! (`u64::MAX`) answers `Unauthorized` unless the caller holds `Reporter`
//! (or is the ledger's admin or governance, which may flag too), and
//! `ReceiptNotFound` otherwise; the authorisation is the message's first
//! check. It also reads the challenge window from `params()` (again every
//! [`PARAMS_REFRESH`] while running: one dry run, so a `set_params` shows
//! within that time) into [`Metrics::challenge_ms`], against which `/health`
//! judges the lag. Every failed flag attempt is logged (`warn`, with the
//! receipt id and the error) and counted ([`Metrics::flag_failed`]).
//!
//! `tests/fraud_onchain.rs` runs all of it against a real node: a simulated
//! brushing ring flagged on chain inside the challenge window, its rewards
//! forfeited, honest merchants and customers paid.

use crate::metrics::Metrics;
use crate::projection::ConfirmedReceipts;
use bizkey_chain::{Chain, Contract, Finality, Keypair};
use bizkey_fraud::csv::Interner;
use bizkey_fraud::features::{FeatureError, FeatureState, Features};
use bizkey_fraud::receipt::{Channel, Receipt};
use bizkey_fraud::score::{ModelInfo, ScoreError, Scorer, ScorerOptions};
use bizkey_store::entity::{customers, fraud_scores, merchants, receipts};
use bizkey_types::ledger::{LedgerError, LedgerParams, ReceiptId, ReceiptStatus};
use bizkey_types::math::Channel as SaleChannel;
use bizkey_types::roles::Role;
use bizkey_types::Named;
use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Mutex, Notify};

/// Statuses of a `fraud_scores` row.
pub mod status {
    /// Below the threshold.
    pub const CLEAR: &str = "clear";
    /// At or above it; the reporter has not settled it yet.
    pub const PENDING: &str = "pending";
    /// Our flag is on chain.
    pub const FLAGGED: &str = "flagged";
    /// The challenge window closed before the flag.
    pub const TOO_LATE: &str = "too_late";
    /// Someone else flagged or refunded it first.
    pub const NOT_CONFIRMED: &str = "not_confirmed";
    /// At or above the threshold, but no reporter key is configured.
    pub const UNREPORTED: &str = "unreported";
}

/// The registry's `Category` variants, in SCALE order: a merchant's category
/// id for the features is its position (unknown names count as `Other`).
pub const REGISTRY_CATEGORIES: [&str; 9] = [
    "Restaurant",
    "Cafe",
    "Grocery",
    "Bakery",
    "Bar",
    "Retail",
    "Beauty",
    "Services",
    "Other",
];

/// Rows replayed per query when the history is rebuilt.
const REPLAY_PAGE: u64 = 10_000;

/// How often the running reporter re-reads the ledger's params.
pub const PARAMS_REFRESH: Duration = Duration::from_secs(60);

/// The receipt id of the start-up authorisation probe: a ledger counts its
/// ids up from 0 and never reaches it (and the authorisation is checked
/// before the id is looked up anyway).
const PROBE_RECEIPT: ReceiptId = ReceiptId::MAX;

/// Failure to set up scoring or reporting.
#[derive(Debug, thiserror::Error)]
pub enum FraudError {
    #[error("fraud model: {0}")]
    Score(#[from] ScoreError),
    #[error("reporter: {0}")]
    Chain(#[from] bizkey_chain::ChainError),
    #[error("reporter: the manifest has no ledger: {0}")]
    Manifest(#[from] bizkey_chain::ManifestError),
    /// The reporter key cannot flag: the ledger answers `Unauthorized`.
    #[error(
        "reporter: account {account} lacks the {role:?} role on the {contract} contract at {address} \
         (nor is it that contract's admin or governance), so the contract would refuse its flags; \
         grant it with the contract's `set_role({role:?}, account)`, or leave `reporter_suri` unset to score without flagging"
    )]
    MissingRole {
        account: String,
        role: Role,
        contract: String,
        address: String,
    },
}

/// The category id of a registry category name.
pub fn category_id(name: &str) -> u32 {
    REGISTRY_CATEGORIES
        .iter()
        .position(|c| *c == name)
        .unwrap_or(REGISTRY_CATEGORIES.len() - 1) as u32
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

    fn receipt(&mut self, i: &Inputs, time: u64) -> Receipt {
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

fn ppm(x: f32) -> i64 {
    (f64::from(x) * 1e6).round() as i64
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

    /// Signalled after a batch that left rows `pending`.
    pub fn notify(&self) -> Arc<Notify> {
        self.notify.clone()
    }

    async fn score<C: ConnectionTrait>(
        &self,
        db: &C,
        confirmed: &[receipts::Model],
    ) -> Result<(), DbErr> {
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
        let mut pending = 0usize;
        let models: Vec<fraud_scores::ActiveModel> = rows
            .into_iter()
            .zip(features.iter().zip(&scores))
            .map(|((seq, time, i, r), (f, &score))| {
                let above = score >= self.info.threshold;
                let status = match (above, self.reporting) {
                    (false, _) => status::CLEAR,
                    (true, true) => status::PENDING,
                    (true, false) => status::UNREPORTED,
                };
                pending += usize::from(status == status::PENDING);
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
                    score_ppm: ppm(score),
                    model_version: version.clone(),
                    threshold_ppm: ppm(self.info.threshold),
                    status: status.to_owned(),
                    matures_at: r.matures_at,
                    attempts: 0,
                    last_error: None,
                    flag_block: None,
                }
                .into_active_model()
            })
            .collect();
        bizkey_store::repo::upsert(db, models).await?;
        if pending > 0 {
            self.notify.notify_one();
        }
        Ok(())
    }
}

impl Inputs {
    /// The `channel` column's form of the sale's channel.
    fn channel_name(&self) -> &'static str {
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

/// The reporter: flags `pending` receipts on the ledger with its key.
pub struct Reporter {
    pub db: DatabaseConnection,
    pub node_url: String,
    pub key: Keypair,
    pub ledger: Contract,
    pub notify: Arc<Notify>,
    /// Wait between rounds when nothing wakes it (retries of failed flags).
    pub retry: Duration,
    /// Flag failures and the challenge window go here (shared with the
    /// follower's, so `/health` sees them).
    pub metrics: Arc<Metrics>,
}

/// What one flag attempt settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// New status and the block of our flag.
    Settled(&'static str, Option<String>),
    /// Still pending; the error to record.
    Failed(String),
    /// Still pending, and not a failure: the chain has settled the receipt
    /// in a block the index has not reached, so whose flag it was is not
    /// known yet.
    Deferred(String),
}

impl Reporter {
    /// The reporter's account (SS58).
    pub fn account(&self) -> String {
        bizkey_chain::accounts::account_of(&self.key).to_string()
    }

    /// The start-up check (see the module docs): the ledger accepts this
    /// key's flags; returns the ledger's params and records their challenge
    /// window in the metrics.
    ///
    /// # Errors
    /// [`FraudError::MissingRole`] when the ledger would refuse the key's
    /// flags; [`FraudError::Chain`] when the node cannot answer.
    pub async fn check(&self, chain: &Chain) -> Result<LedgerParams, FraudError> {
        let me = bizkey_chain::accounts::account_of(&self.key);
        let probe = chain
            .dry_run::<Result<(), LedgerError>>(
                &me,
                &self.ledger,
                "flag",
                &(PROBE_RECEIPT, bizkey_types::Hash::from([0u8; 32])),
            )
            .await?;
        if probe.value == Err(LedgerError::Unauthorized) {
            return Err(FraudError::MissingRole {
                account: me.to_string(),
                role: Role::Reporter,
                contract: self.ledger.name.clone(),
                address: self.ledger.address.to_string(),
            });
        }
        self.refresh_params(chain).await
    }

    /// Reads the ledger's params into [`Metrics::challenge_ms`].
    ///
    /// # Errors
    /// [`FraudError::Chain`] when the node cannot answer.
    pub async fn refresh_params(&self, chain: &Chain) -> Result<LedgerParams, FraudError> {
        let me = bizkey_chain::accounts::account_of(&self.key);
        let params = chain
            .dry_run::<LedgerParams>(&me, &self.ledger, "params", &())
            .await?
            .value;
        let before = self
            .metrics
            .challenge_ms
            .swap(params.challenge_ms, std::sync::atomic::Ordering::Relaxed);
        if before != params.challenge_ms {
            tracing::info!(
                challenge_ms = params.challenge_ms,
                "reporter: the ledger's challenge window"
            );
        }
        Ok(params)
    }

    /// Runs until `shutdown`: a round over the pending rows whenever the
    /// scorer signals, and every `retry` for the ones that failed; the
    /// ledger's params every [`PARAMS_REFRESH`].
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut chain: Option<Chain> = None;
        let mut params_read: Option<tokio::time::Instant> = None;
        loop {
            if *shutdown.borrow() {
                return;
            }
            if chain.is_none() {
                match Chain::connect(&self.node_url).await {
                    Ok(c) => chain = Some(c),
                    Err(e) => tracing::warn!("reporter: node {}: {e}; retrying", self.node_url),
                }
            }
            if let Some(c) = &chain {
                if params_read.is_none_or(|t| t.elapsed() >= PARAMS_REFRESH) {
                    match self.refresh_params(c).await {
                        Ok(_) => params_read = Some(tokio::time::Instant::now()),
                        Err(e) => tracing::warn!("reporter: reading the ledger's params: {e}"),
                    }
                }
                if let Err(e) = self.round(c).await {
                    tracing::warn!("reporter: {e}; retrying");
                    chain = None;
                }
            }
            tokio::select! {
                _ = self.notify.notified() => {}
                _ = tokio::time::sleep(self.retry) => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    /// One pass over the pending rows, oldest first.
    ///
    /// # Errors
    /// Database errors and lost node connections (the caller reconnects);
    /// refused flags are recorded on their rows instead.
    pub async fn round(&self, chain: &Chain) -> Result<usize, RoundError> {
        let pending = fraud_scores::Entity::find()
            .filter(fraud_scores::Column::Status.eq(status::PENDING))
            .order_by_asc(fraud_scores::Column::Seq)
            .limit(256)
            .all(&self.db)
            .await?;
        let mut settled = 0;
        for row in pending {
            let outcome = match self.flag(chain, &row).await {
                Ok(o) => o,
                Err(e) => {
                    tracing::warn!(receipt = row.receipt_id, error = %e, "reporter: flag failed");
                    self.metrics.flag_failed(&e.to_string());
                    return Err(e);
                }
            };
            let mut m = row.clone().into_active_model();
            m.attempts = Set(row.attempts + 1);
            match &outcome {
                Outcome::Settled(s, block) => {
                    tracing::info!(receipt = row.receipt_id, status = s, "reporter: settled");
                    m.status = Set((*s).to_owned());
                    m.flag_block = Set(block.clone());
                    self.metrics.flag_settled();
                    settled += 1;
                }
                Outcome::Failed(e) => {
                    tracing::warn!(receipt = row.receipt_id, error = %e, "reporter: flag failed");
                    self.metrics.flag_failed(e);
                    m.last_error = Set(Some(e.clone()));
                }
                Outcome::Deferred(e) => {
                    tracing::debug!(
                        receipt = row.receipt_id,
                        "reporter: {e}; asking again later"
                    );
                    m.last_error = Set(Some(e.clone()));
                }
            }
            m.update(&self.db).await?;
        }
        Ok(settled)
    }

    /// Flags one receipt: a dry run first, so a closed window or a receipt
    /// no longer confirmed is recorded without a transaction.
    ///
    /// # Errors
    /// Connection and database failures (retried by the caller).
    pub async fn flag(
        &self,
        chain: &Chain,
        row: &fraud_scores::Model,
    ) -> Result<Outcome, RoundError> {
        let id = u64::try_from(row.receipt_id).unwrap_or(u64::MAX);
        let evidence = parse_hash(&row.features_hash);
        let me = bizkey_chain::accounts::account_of(&self.key);
        let args = (id, bizkey_types::Hash::from(evidence));
        let dry = match chain
            .dry_run::<Result<(), LedgerError>>(&me, &self.ledger, "flag", &args)
            .await
        {
            Ok(d) => d,
            Err(e) if is_connection(&e) => return Err(RoundError::Chain(e)),
            Err(e) => return Ok(Outcome::Failed(e.to_string())),
        };
        match dry.value {
            Err(LedgerError::WindowClosed) => return Ok(Outcome::Settled(status::TOO_LATE, None)),
            Err(LedgerError::NotConfirmed) => {
                let local = receipts::Entity::find_by_id(row.receipt_id)
                    .one(&self.db)
                    .await?;
                if local
                    .as_ref()
                    .is_some_and(|r| r.status == ReceiptStatus::Confirmed.as_str())
                {
                    // Flagged or refunded on chain in a block the index has
                    // not reached yet (a catch-up): who did it is known
                    // only from that block's event, so ask again later.
                    return Ok(Outcome::Deferred(
                        "flagged or refunded on chain; the index has not reached that block yet"
                            .into(),
                    ));
                }
                let ours = local.is_some_and(|r| {
                    r.status == ReceiptStatus::Flagged.as_str()
                        && r.flagged_by.as_deref() == Some(&self.account())
                });
                let s = if ours {
                    status::FLAGGED
                } else {
                    status::NOT_CONFIRMED
                };
                return Ok(Outcome::Settled(s, None));
            }
            Err(e) => return Ok(Outcome::Failed(format!("ledger refuses the flag: {e:?}"))),
            Ok(()) => {}
        }
        match chain
            .call::<Result<(), LedgerError>>(
                &self.key,
                &self.ledger,
                "flag",
                &args,
                Finality::InBlock,
            )
            .await
        {
            Ok(out) => match out.value {
                Ok(()) => Ok(Outcome::Settled(
                    status::FLAGGED,
                    Some(format!("{:?}", out.included.block_hash)),
                )),
                Err(e) => Ok(Outcome::Failed(format!("ledger refused the flag: {e:?}"))),
            },
            Err(e) if is_connection(&e) => Err(RoundError::Chain(e)),
            Err(e) => Ok(Outcome::Failed(e.to_string())),
        }
    }
}

fn is_connection(e: &bizkey_chain::ChainError) -> bool {
    use bizkey_chain::ChainError as E;
    matches!(
        e,
        E::Connect { .. } | E::Subxt(_) | E::StreamEnded(_) | E::Transaction { .. }
    )
}

fn parse_hash(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    if let Ok(v) = hex::decode(s.trim_start_matches("0x")) {
        if v.len() == 32 {
            out.copy_from_slice(&v);
        }
    }
    out
}

/// Why a reporter round stopped early.
#[derive(Debug, thiserror::Error)]
pub enum RoundError {
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error("node: {0}")]
    Chain(bizkey_chain::ChainError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use bizkey_store::amount::U128;
    use sea_orm::TransactionTrait;

    fn receipt(id: i64, merchant: &str, customer: &str, order_time: i64) -> receipts::Model {
        receipts::Model {
            id,
            merchant: merchant.into(),
            customer: customer.into(),
            opened_by: "Merchant".into(),
            order_id: U128(id as u128),
            order_time,
            channel: if id % 3 == 0 { "Outside" } else { "InStore" }.into(),
            amount: U128(4_800 + 100 * (id as u128 % 7)),
            discount: U128(0),
            time_paid: U128(1_200 * bizkey_math::TIME_UNITS_PER_CENT),
            items: 1 + id % 4,
            detail_hash: "0x00".into(),
            status: "Confirmed".into(),
            opened_at: order_time,
            expires_at: order_time + 1,
            confirmed_at: Some(order_time),
            matures_at: Some(order_time + 86_400_000),
            earlier_in_window: Some(0),
            first_at_merchant: Some(true),
            first_purchase: Some(true),
            bizpower: None,
            biz_reward: None,
            time_reward: None,
            referral_time: None,
            flagged_by: None,
            evidence: None,
            time_returned: None,
            opened_block: id,
            updated_block: id,
        }
    }

    #[test]
    fn maps_the_on_chain_receipt_to_the_feature_schema() {
        let r = receipt(3, "m", "c", 1_700_000_000_000);
        let i = Inputs::of(&r, Some("Bakery"), Some("ref"));
        assert_eq!(i.channel, Channel::Outside);
        assert_eq!(i.amount_cents, 4_800 + 300);
        assert_eq!(i.time_deducted_cents, 1_200, "Time units become cents");
        assert_eq!(i.items, 4);
        assert_eq!(i.order_time, 1_700_000_000_000);
        assert_eq!(i.referrer.as_deref(), Some("ref"));
        let mut h = History::new();
        let model = h.receipt(&i, i.order_time);
        assert_eq!(
            model.category, 3,
            "Bakery is the registry's fourth category"
        );
        assert_eq!(model.channel, Channel::Outside);
        assert_eq!(
            (model.merchant, model.customer, model.referrer),
            (0, 0, Some(1))
        );
        // an unregistered merchant counts as Other; a negative field never wraps
        let mut odd = receipt(1, "m", "c", -5);
        odd.items = -1;
        let i = Inputs::of(&odd, None, None);
        assert_eq!((category_id(&i.category), i.order_time, i.items), (8, 0, 0));
        assert_eq!(i.channel, Channel::InStore);
        assert_eq!(category_id("Services"), 7);
    }

    #[test]
    fn times_never_go_back_and_a_replay_gives_the_same_features() {
        let inputs: Vec<Inputs> = (0..60)
            .map(|n| {
                // order times jump back and forth, as submitters set them
                let t = 1_700_000_000_000 + n * 600_000 - (n % 4) * 1_500_000;
                let r = receipt(n, &format!("m{}", n % 3), &format!("c{}", n % 7), t);
                Inputs::of(&r, Some(REGISTRY_CATEGORIES[(n % 3) as usize]), None)
            })
            .collect();
        let mut live = History::new();
        let mut rows = Vec::new();
        let mut last = 0;
        for (seq, i) in inputs.iter().enumerate() {
            let (time, f) = live.push(i).unwrap();
            assert!(time >= last && time >= i.order_time);
            last = time;
            let mut row = row_of(seq as i64, i, time);
            row.features = serde_json::json!(f.to_vec());
            rows.push(row);
        }
        // a restart after 40 rows: replay them, then score the rest
        let mut restarted = History::new();
        for row in &rows[..40] {
            restarted.replay(row).unwrap();
        }
        assert_eq!(restarted.next_seq, 40);
        for (i, row) in inputs[40..].iter().zip(&rows[40..]) {
            let (time, f) = restarted.push(i).unwrap();
            assert_eq!(time as i64, row.feature_time);
            assert_eq!(serde_json::json!(f.to_vec()), row.features);
        }
    }

    fn row_of(seq: i64, i: &Inputs, time: u64) -> fraud_scores::Model {
        fraud_scores::Model {
            seq,
            receipt_id: seq,
            merchant: i.merchant.clone(),
            customer: i.customer.clone(),
            category: i.category.clone(),
            referrer: i.referrer.clone(),
            channel: i.channel_name().into(),
            amount_cents: i.amount_cents as i64,
            time_deducted_cents: i.time_deducted_cents as i64,
            items: i64::from(i.items),
            order_time: i.order_time as i64,
            feature_time: time as i64,
            features: serde_json::json!([]),
            features_hash: String::new(),
            score_ppm: 0,
            model_version: String::new(),
            threshold_ppm: 0,
            status: status::CLEAR.into(),
            matures_at: None,
            attempts: 0,
            last_error: None,
            flag_block: None,
        }
    }

    #[test]
    fn evidence_depends_on_model_and_features() {
        let f = [0.5f32; bizkey_fraud::features::N_FEATURES];
        let mut g = f;
        g[7] = 0.25;
        assert_ne!(features_hash("v1", &f), features_hash("v2", &f));
        assert_ne!(features_hash("v1", &f), features_hash("v1", &g));
        assert_eq!(
            parse_hash(&bizkey_store::hex0x(features_hash("v1", &f))),
            features_hash("v1", &f)
        );
    }

    /// The hook scores each receipt once, in order, even when a batch is
    /// applied again, and after a rolled-back batch or a restart it
    /// continues from SQL with the same features.
    #[tokio::test]
    async fn scores_each_receipt_once_and_survives_rollbacks_and_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("f.db").display());
        let db = bizkey_store::repo::connect(&url).await.unwrap();
        bizkey_store::repo::migrate(&db).await.unwrap();
        let path = &bizkey_fraud::score::default_model_path();
        let all: Vec<receipts::Model> = (0..30)
            .map(|n| {
                receipt(
                    n,
                    &format!("m{}", n % 2),
                    &format!("c{}", n % 5),
                    1_700_000_000_000 + n * 60_000,
                )
            })
            .collect();

        // reference: one uninterrupted run, one batch per 10 receipts
        let reference = FraudScorer::load(path, true).unwrap();
        let ref_db = {
            let d = tempfile::tempdir().unwrap();
            let u = format!("sqlite://{}?mode=rwc", d.path().join("r.db").display());
            let c = bizkey_store::repo::connect(&u).await.unwrap();
            bizkey_store::repo::migrate(&c).await.unwrap();
            (d, c)
        };
        for chunk in all.chunks(10) {
            let txn = ref_db.1.begin().await.unwrap();
            reference.on_confirmed(&txn, chunk).await.unwrap();
            txn.commit().await.unwrap();
        }
        let want = fraud_scores::Entity::find()
            .order_by_asc(fraud_scores::Column::Seq)
            .all(&ref_db.1)
            .await
            .unwrap();
        assert_eq!(want.len(), 30);
        assert!(want
            .iter()
            .all(|r| r.model_version == reference.info().version));

        let scorer = FraudScorer::load(path, false).unwrap();
        async fn apply(
            db: &DatabaseConnection,
            s: &FraudScorer,
            rs: &[receipts::Model],
            commit: bool,
        ) {
            let txn = db.begin().await.unwrap();
            s.on_confirmed(&txn, rs).await.unwrap();
            if commit {
                txn.commit().await.unwrap();
            } else {
                txn.rollback().await.unwrap();
            }
        }
        apply(&db, &scorer, &all[..10], true).await;
        apply(&db, &scorer, &all[..10], true).await; // the same receipts again: nothing new
        apply(&db, &scorer, &all[10..20], false).await; // rolled back
        drop(scorer);
        let restarted = FraudScorer::load(path, false).unwrap();
        apply(&db, &restarted, &all[10..20], true).await;
        apply(&db, &restarted, &all[20..], true).await;
        let got = fraud_scores::Entity::find()
            .order_by_asc(fraud_scores::Column::Seq)
            .all(&db)
            .await
            .unwrap();
        assert_eq!(got.len(), 30, "each receipt scored once");
        for (g, w) in got.iter().zip(&want) {
            assert_eq!((g.seq, g.receipt_id), (w.seq, w.receipt_id));
            assert_eq!(g.features, w.features, "receipt {}", g.receipt_id);
            assert_eq!(
                (g.score_ppm, &g.features_hash),
                (w.score_ppm, &w.features_hash)
            );
            // without a reporter nothing is left pending
            assert_ne!(g.status, status::PENDING);
            let above = w.score_ppm >= w.threshold_ppm;
            assert_eq!(w.status == status::PENDING, above);
        }
    }
}
