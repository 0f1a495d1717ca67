//! Live updates. One task per server follows the indexer's committed
//! batches (`index_batches`; on PostgreSQL woken at once by `NOTIFY
//! bizkey_batches`, on SQLite by a cheap poll of the newest row), reads what
//! each new batch changed with one query per kind, and broadcasts it.
//! Subscribers filter the broadcast in memory: the database sees the same
//! few statements per batch whether one client listens or a thousand.

use crate::query::community::Proposal;
use crate::query::receipts::Receipt;
use crate::scalar::Amount;
use async_graphql::{Context, SimpleObject, Subscription};
use bizkey_store::column::Named;
use bizkey_store::entity::{
    index_batches, proposal_votes, proposals, receipt_status_history, receipts,
};
use bizkey_types::ledger::ReceiptStatus;
use futures::{Stream, StreamExt};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::BroadcastStream;

/// What one committed batch changed, in chain order.
#[derive(Debug, Default)]
pub struct BatchChanges {
    pub to_block: i64,
    /// Receipts confirmed in the batch, in confirmation order.
    pub confirmed: Vec<receipts::Model>,
    /// Receipts flagged in the batch.
    pub flagged: Vec<receipts::Model>,
    /// Every receipt whose status changed in the batch (opened, confirmed,
    /// cancelled, flagged, refunded), once each, in the order of its last
    /// change in the batch, with that change's status.
    pub changed: Vec<receipts::Model>,
    /// Proposals with new votes, after the batch.
    pub tallied: Vec<proposals::Model>,
}

/// The broadcast every subscription listens to.
#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<Arc<BatchChanges>>,
}

/// Batches a slow subscriber may fall behind before it is dropped with an
/// error (it can resubscribe and catch up by query).
const BACKLOG: usize = 1024;

impl Hub {
    /// Starts following the index from its current height.
    pub fn start(db: DatabaseConnection, poll: Duration) -> Self {
        let (tx, _) = broadcast::channel(BACKLOG);
        let hub = Self { tx: tx.clone() };
        tokio::spawn(async move {
            let wake = wake_source(&db).await;
            let mut last = latest(&db).await.unwrap_or(0);
            loop {
                wait(&wake, poll).await;
                match step(&db, &tx, last).await {
                    Ok(to) => last = to,
                    Err(e) => tracing::warn!("subscriptions: {e}"),
                }
            }
        });
        hub
    }

    /// Subscribers now listening.
    pub fn subscribers(&self) -> usize {
        self.tx.receiver_count()
    }

    fn stream(&self) -> impl Stream<Item = Result<Arc<BatchChanges>, BroadcastStreamRecvError>> {
        BroadcastStream::new(self.tx.subscribe())
    }
}

async fn latest(db: &DatabaseConnection) -> Result<i64, DbErr> {
    Ok(index_batches::Entity::find()
        .order_by_desc(index_batches::Column::ToBlock)
        .one(db)
        .await?
        .map_or(0, |b| b.to_block))
}

/// Broadcasts the batches committed after `last`; returns the new `last`.
async fn step(
    db: &DatabaseConnection,
    tx: &broadcast::Sender<Arc<BatchChanges>>,
    last: i64,
) -> Result<i64, DbErr> {
    let batches = index_batches::Entity::find()
        .filter(index_batches::Column::ToBlock.gt(last))
        .order_by_asc(index_batches::Column::ToBlock)
        .all(db)
        .await?;
    let Some(newest) = batches.last().map(|b| b.to_block) else {
        return Ok(last);
    };
    if tx.receiver_count() == 0 {
        return Ok(newest);
    }
    // One read of each kind over the whole range, then split per batch, so
    // a backlog of batches costs the same few statements as one.
    let changes = read(db, last, newest).await?;
    for b in &batches {
        let part = |rows: &[(i64, receipts::Model)]| {
            rows.iter()
                .filter(|(n, _)| *n >= b.from_block && *n <= b.to_block)
                .map(|(_, r)| r.clone())
                .collect()
        };
        let batch = BatchChanges {
            to_block: b.to_block,
            confirmed: part(&changes.confirmed),
            flagged: part(&changes.flagged),
            changed: {
                let mut rows: Vec<receipts::Model> = part(&changes.changed);
                // Opened and confirmed in one batch: reported once, as it ended.
                let mut seen = BTreeSet::new();
                rows.reverse();
                rows.retain(|r| seen.insert(r.id));
                rows.reverse();
                rows
            },
            tallied: changes
                .tallied
                .iter()
                .filter(|(n, _)| *n >= b.from_block && *n <= b.to_block)
                .map(|(_, p)| p.clone())
                .collect(),
        };
        // No receiver left is not an error: the next batch is skipped.
        let _ = tx.send(Arc::new(batch));
    }
    Ok(newest)
}

struct RangeChanges {
    confirmed: Vec<(i64, receipts::Model)>,
    flagged: Vec<(i64, receipts::Model)>,
    changed: Vec<(i64, receipts::Model)>,
    tallied: Vec<(i64, proposals::Model)>,
}

/// Status changes and votes in blocks `(after, to]`, with their rows.
async fn read(db: &DatabaseConnection, after: i64, to: i64) -> Result<RangeChanges, DbErr> {
    use receipt_status_history::Column as H;
    let history = receipt_status_history::Entity::find()
        .filter(H::BlockNumber.gt(after))
        .filter(H::BlockNumber.lte(to))
        .order_by_asc(H::BlockNumber)
        .order_by_asc(H::EventIndex)
        .all(db)
        .await?;
    let ids: BTreeSet<i64> = history.iter().map(|h| h.receipt_id).collect();
    let rows: HashMap<i64, receipts::Model> = if ids.is_empty() {
        HashMap::new()
    } else {
        receipts::Entity::find()
            .filter(receipts::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect()
    };
    let (mut confirmed, mut flagged, mut changed) = (Vec::new(), Vec::new(), Vec::new());
    for h in history {
        let Some(r) = rows.get(&h.receipt_id) else {
            continue;
        };
        if h.status == ReceiptStatus::Confirmed.as_str() {
            confirmed.push((h.block_number, r.clone()));
        } else if h.status == ReceiptStatus::Flagged.as_str() {
            flagged.push((h.block_number, r.clone()));
        }
        // The row is read after the range: a later change may have
        // overwritten its status; the change itself carries its own.
        let mut row = r.clone();
        row.status = h.status;
        changed.push((h.block_number, row));
    }

    use proposal_votes::Column as V;
    let votes = proposal_votes::Entity::find()
        .filter(V::BlockNumber.gt(after))
        .filter(V::BlockNumber.lte(to))
        .all(db)
        .await?;
    // A proposal is reported once per batch, at the batch's last vote.
    let mut last_vote: HashMap<i64, i64> = HashMap::new();
    for v in &votes {
        let e = last_vote.entry(v.proposal_id).or_default();
        *e = (*e).max(v.block_number);
    }
    let mut tallied = Vec::new();
    if !last_vote.is_empty() {
        let props = proposals::Entity::find()
            .filter(proposals::Column::Id.is_in(last_vote.keys().copied()))
            .all(db)
            .await?;
        for p in props {
            tallied.push((last_vote[&p.id], p));
        }
        tallied.sort_by_key(|(n, p)| (*n, p.id));
    }
    Ok(RangeChanges {
        confirmed,
        flagged,
        changed,
        tallied,
    })
}

/// What wakes the hub: PostgreSQL's notifications, else a timer.
enum Wake {
    Listen(tokio::sync::Mutex<sea_orm::sqlx::postgres::PgListener>),
    Poll,
}

async fn wake_source(db: &DatabaseConnection) -> Wake {
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Wake::Poll;
    }
    let pool = db.get_postgres_connection_pool();
    match sea_orm::sqlx::postgres::PgListener::connect_with(pool).await {
        Ok(mut l) => match l.listen(bizkey_store::repo::BATCH_CHANNEL).await {
            Ok(()) => Wake::Listen(tokio::sync::Mutex::new(l)),
            Err(e) => {
                tracing::warn!("LISTEN failed, polling instead: {e}");
                Wake::Poll
            }
        },
        Err(e) => {
            tracing::warn!("no LISTEN connection, polling instead: {e}");
            Wake::Poll
        }
    }
}

/// Until the next notification, or `poll` (the fallback on PostgreSQL too:
/// a notification lost with a dropped connection costs one poll period).
async fn wait(wake: &Wake, poll: Duration) {
    match wake {
        Wake::Poll => tokio::time::sleep(poll).await,
        Wake::Listen(l) => {
            let mut l = l.lock().await;
            if let Ok(Err(e)) = tokio::time::timeout(poll * 10, l.recv()).await {
                // The listener reconnects on the next `recv`; meanwhile poll.
                tracing::warn!("LISTEN: {e}");
                tokio::time::sleep(poll).await;
            }
        }
    }
}

/// A BizPower tick: a merchant's BizPower after a confirmed sale.
#[derive(SimpleObject, Clone, Debug)]
pub struct KlineTick {
    pub merchant: String,
    pub receipt_id: i64,
    /// Confirmation time (ms): the bucket is this time floored to the interval.
    pub at: i64,
    /// BizPower after the sale (10^9 = 1.0).
    pub bizpower: Amount,
}

/// A batch the indexer committed: anything a page shows may have changed.
#[derive(SimpleObject, Clone, Debug)]
pub struct IndexedBatch {
    /// The batch's last block.
    pub to_block: i64,
    /// Receipt status changes in it.
    pub receipt_changes: i64,
}

fn lagged() -> async_graphql::Error {
    async_graphql::Error::new("subscriber fell too far behind; resubscribe and catch up by query")
}

fn hub<'a>(ctx: &Context<'a>) -> &'a Hub {
    ctx.data_unchecked::<Hub>()
}

/// The receipts `pick` selects from each batch, from now on; only a
/// merchant's or a customer's when given.
fn receipts_of(
    hub: &Hub,
    merchant: Option<String>,
    customer: Option<String>,
    pick: fn(&BatchChanges) -> &[receipts::Model],
) -> impl Stream<Item = async_graphql::Result<Receipt>> {
    each(hub, move |b| {
        pick(b)
            .iter()
            .filter(|r| {
                merchant.as_ref().is_none_or(|m| *m == r.merchant)
                    && customer.as_ref().is_none_or(|c| *c == r.customer)
            })
            .map(|r| Receipt(r.clone()))
            .collect()
    })
}

#[derive(Default)]
pub struct Subscription;

/// Every batch's items of one kind, as `pick` selects them, from now on; an
/// error item if the subscriber fell too far behind.
fn each<T: Send + 'static>(
    hub: &Hub,
    pick: impl Fn(&BatchChanges) -> Vec<T> + Send + 'static,
) -> impl Stream<Item = async_graphql::Result<T>> {
    hub.stream().flat_map(move |b| {
        let items: Vec<_> = match b {
            Ok(b) => pick(&b).into_iter().map(Ok).collect(),
            Err(_) => vec![Err(lagged())],
        };
        futures::stream::iter(items)
    })
}

#[Subscription]
impl Subscription {
    /// Receipts confirmed from now on, in confirmation order, each once;
    /// optionally only a merchant's or a customer's.
    async fn receipt_confirmed(
        &self,
        ctx: &Context<'_>,
        merchant: Option<String>,
        customer: Option<String>,
    ) -> impl Stream<Item = async_graphql::Result<Receipt>> {
        receipts_of(hub(ctx), merchant, customer, |b| &b.confirmed)
    }

    /// Every receipt status change from now on (opened, confirmed,
    /// cancelled, flagged, refunded), with the status of that change;
    /// optionally only a merchant's or a customer's. A wallet learns here
    /// of a sale waiting for its confirmation.
    async fn receipt_changed(
        &self,
        ctx: &Context<'_>,
        merchant: Option<String>,
        customer: Option<String>,
    ) -> impl Stream<Item = async_graphql::Result<Receipt>> {
        receipts_of(hub(ctx), merchant, customer, |b| &b.changed)
    }

    /// Each batch the indexer commits from now on: balances, rewards, tasks
    /// and votes a page shows may have changed (a claim changes no receipt).
    async fn batch_indexed(
        &self,
        ctx: &Context<'_>,
    ) -> impl Stream<Item = async_graphql::Result<IndexedBatch>> {
        each(hub(ctx), |b| {
            vec![IndexedBatch {
                to_block: b.to_block,
                receipt_changes: b.changed.len() as i64,
            }]
        })
    }

    /// Receipts flagged as fraud from now on.
    async fn receipt_flagged(
        &self,
        ctx: &Context<'_>,
        merchant: Option<String>,
        customer: Option<String>,
    ) -> impl Stream<Item = async_graphql::Result<Receipt>> {
        receipts_of(hub(ctx), merchant, customer, |b| &b.flagged)
    }

    /// A merchant's BizPower after each confirmed sale (K-line ticks).
    async fn kline_tick(
        &self,
        ctx: &Context<'_>,
        merchant: String,
    ) -> impl Stream<Item = async_graphql::Result<KlineTick>> {
        each(hub(ctx), move |b| {
            b.confirmed
                .iter()
                .filter(|r| r.merchant == merchant)
                .filter_map(|r| {
                    Some(KlineTick {
                        merchant: r.merchant.clone(),
                        receipt_id: r.id,
                        at: r.confirmed_at?,
                        bizpower: r.bizpower?.into(),
                    })
                })
                .collect()
        })
    }

    /// A proposal's tally after each batch with votes on it (all proposals,
    /// or the one with `id`).
    async fn proposal_tally(
        &self,
        ctx: &Context<'_>,
        id: Option<i64>,
    ) -> impl Stream<Item = async_graphql::Result<Proposal>> {
        each(hub(ctx), move |b| {
            b.tallied
                .iter()
                .filter(|p| id.is_none_or(|id| id == p.id))
                .map(|p| Proposal(p.clone()))
                .collect()
        })
    }
}
