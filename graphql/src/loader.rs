//! Batch loaders: every relation a list resolves goes through one of these,
//! so a page of N rows costs one statement per relation, not N.
//!
//! A [`Batcher`] gathers the keys asked for while the resolvers of one step
//! of the execution are polled, then runs one statement for all of them.
//! async-graphql polls the fields of a list's items together (one
//! `join_all`), so the future that opens a batch yields to the executor
//! once: when it is polled again, every sibling has added its key. There is
//! no timer in the way: async-graphql's `DataLoader` waited for its window
//! (1 ms, on a timer thread) at every level of a query, which at light load
//! was most of a request's latency. Under load, the keys that arrive while a
//! batch's statement runs make up the next batch. A delay can still widen
//! the window ([`crate::Config::batch_delay`]).

use crate::page::PageKey;
use futures::channel::oneshot;
use futures::future::{FutureExt, Shared};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, Iterable, PrimaryKeyToColumn, QueryFilter,
    QueryOrder, Value,
};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::hash::Hash;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Loads the values of many keys at once.
pub trait BatchLoad: Send + Sync + 'static {
    type Key: Hash + Eq + Clone + Send + Sync + 'static;
    type Value: Clone + Send + Sync + 'static;

    /// The values of `keys` (distinct); a key without a value is left out.
    fn load(
        &self,
        keys: &[Self::Key],
    ) -> impl Future<Output = Result<HashMap<Self::Key, Self::Value>, Arc<DbErr>>> + Send;
}

type Outcome<L> = Arc<Result<HashMap<<L as BatchLoad>::Key, <L as BatchLoad>::Value>, Arc<DbErr>>>;

/// Keys gathered for one statement, and where its outcome will be.
struct Batch<L: BatchLoad> {
    keys: Mutex<HashSet<L::Key>>,
    done: Shared<oneshot::Receiver<Outcome<L>>>,
}

struct Inner<L: BatchLoad> {
    loader: L,
    /// The batch that new keys join; `None` once its statement started.
    open: Mutex<Option<Arc<Batch<L>>>>,
    delay: Duration,
    max_batch: usize,
}

impl<L: BatchLoad> Inner<L> {
    /// Closes `batch` to new keys and returns its keys.
    fn close(&self, batch: &Arc<Batch<L>>) -> Vec<L::Key> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.as_ref().is_some_and(|b| Arc::ptr_eq(b, batch)) {
            *open = None;
        }
        let mut keys = batch.keys.lock().unwrap_or_else(|e| e.into_inner());
        keys.drain().collect()
    }
}

/// Gathers the keys asked for concurrently and loads them with one call of
/// its [`BatchLoad`] (one statement): see the module's documentation.
pub struct Batcher<L: BatchLoad>(Arc<Inner<L>>);

impl<L: BatchLoad> Batcher<L> {
    /// `delay`: how long a batch stays open after the executor has polled
    /// the other resolvers once (zero: not at all). `max_batch`: most keys
    /// in one statement.
    pub fn new(loader: L, delay: Duration, max_batch: usize) -> Self {
        Self(Arc::new(Inner {
            loader,
            open: Mutex::new(None),
            delay,
            max_batch: max_batch.max(1),
        }))
    }

    /// The value of `key`, loaded together with the keys other resolvers
    /// ask for meanwhile.
    ///
    /// # Errors
    /// The batch's statement failed.
    pub async fn load(&self, key: L::Key) -> Result<Option<L::Value>, Arc<DbErr>> {
        let (done, lead) = {
            let mut open = self.0.open.lock().unwrap_or_else(|e| e.into_inner());
            let joined = open.as_ref().and_then(|b| {
                let mut keys = b.keys.lock().unwrap_or_else(|e| e.into_inner());
                (keys.len() < self.0.max_batch || keys.contains(&key)).then(|| {
                    keys.insert(key.clone());
                    b.done.clone()
                })
            });
            match joined {
                Some(done) => (done, None),
                None => {
                    // No open batch, or a full one (its leader still runs it):
                    // this key opens the next.
                    let (tx, rx) = oneshot::channel();
                    let batch = Arc::new(Batch {
                        keys: Mutex::new(HashSet::from([key.clone()])),
                        done: rx.shared(),
                    });
                    *open = Some(batch.clone());
                    let done = batch.done.clone();
                    let lead = Lead {
                        inner: self.0.clone(),
                        batch,
                        tx: Some(tx),
                    };
                    (done, Some(lead))
                }
            }
        };
        let outcome = match lead {
            Some(lead) => lead.run().await,
            None => done.await.map_err(|_| {
                // Only if the leader panicked (a cancelled leader hands its
                // batch to a task: see `Lead`'s `Drop`).
                Arc::new(DbErr::Custom("a batch of keys was abandoned".into()))
            })?,
        };
        match &*outcome {
            Ok(values) => Ok(values.get(&key).cloned()),
            Err(e) => Err(e.clone()),
        }
    }
}

/// The future that opened a batch: it runs the batch's statement.
struct Lead<L: BatchLoad> {
    inner: Arc<Inner<L>>,
    batch: Arc<Batch<L>>,
    /// `None` once the outcome is sent.
    tx: Option<oneshot::Sender<Outcome<L>>>,
}

impl<L: BatchLoad> Lead<L> {
    async fn run(mut self) -> Outcome<L> {
        // Let the executor poll the other resolvers of this step (the
        // siblings in a list) so that they add their keys first: in a task
        // (the server runs each request in one), tokio wakes a yielding
        // future only after the task's current pass over its futures.
        tokio::task::yield_now().await;
        if !self.inner.delay.is_zero() {
            tokio::time::sleep(self.inner.delay).await;
        }
        let keys = self.inner.close(&self.batch);
        let outcome = Arc::new(self.inner.loader.load(&keys).await);
        if let Some(tx) = self.tx.take() {
            let _ = tx.send(outcome.clone());
        }
        outcome
    }
}

impl<L: BatchLoad> Drop for Lead<L> {
    /// Other requests may wait for this batch: if the request that opened
    /// it is dropped (its client went away) before the outcome is sent, a
    /// task loads the batch instead.
    fn drop(&mut self) {
        let Some(tx) = self.tx.take() else { return };
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (inner, batch) = (self.inner.clone(), self.batch.clone());
        rt.spawn(async move {
            let keys = inner.close(&batch);
            let outcome = Arc::new(inner.loader.load(&keys).await);
            let _ = tx.send(outcome);
        });
    }
}

/// Rows of `E` whose `column` is one of the keys.
pub struct ByColumn<E: EntityTrait, K> {
    db: DatabaseConnection,
    column: E::Column,
    key: fn(&E::Model) -> K,
    _k: PhantomData<fn() -> K>,
}

impl<E: EntityTrait, K> ByColumn<E, K> {
    pub fn new(db: DatabaseConnection, column: E::Column, key: fn(&E::Model) -> K) -> Self {
        Self {
            db,
            column,
            key,
            _k: PhantomData,
        }
    }

    async fn rows(&self, keys: &[K]) -> Result<Vec<E::Model>, Arc<DbErr>>
    where
        K: Into<Value> + Clone,
    {
        let mut q = E::find()
            .filter(self.column.is_in(keys.iter().cloned()))
            .order_by_asc(self.column);
        for k in <E::PrimaryKey as Iterable>::iter() {
            q = q.order_by_asc(k.into_column());
        }
        q.all(&self.db).await.map_err(Arc::new)
    }
}

/// One row per key (the key is unique in the table).
pub struct One<E: EntityTrait, K>(pub ByColumn<E, K>);

/// Every row per key, in the table's primary-key order within a key.
pub struct Many<E: EntityTrait, K>(pub ByColumn<E, K>);

impl<E, K> BatchLoad for One<E, K>
where
    E: EntityTrait,
    E::Model: Send + Sync + Clone,
    K: Into<Value> + Clone + Hash + Eq + Send + Sync + 'static,
{
    type Key = K;
    type Value = E::Model;

    async fn load(&self, keys: &[K]) -> Result<HashMap<K, E::Model>, Arc<DbErr>> {
        let rows = self.0.rows(keys).await?;
        // The last row wins where a key repeats (e.g. a receipt rescored).
        Ok(rows.into_iter().map(|m| ((self.0.key)(&m), m)).collect())
    }
}

impl<E, K> BatchLoad for Many<E, K>
where
    E: EntityTrait,
    E::Model: Send + Sync + Clone,
    K: Into<Value> + Clone + Hash + Eq + Send + Sync + 'static,
{
    type Key = K;
    type Value = Vec<E::Model>;

    async fn load(&self, keys: &[K]) -> Result<HashMap<K, Vec<E::Model>>, Arc<DbErr>> {
        let mut out: HashMap<K, Vec<E::Model>> = HashMap::new();
        for m in self.0.rows(keys).await? {
            out.entry((self.0.key)(&m)).or_default().push(m);
        }
        Ok(out)
    }
}

/// The same page of a nested list for many parents (a merchant's receipts
/// under each receipt of a page): one statement per level of the query
/// instead of one per parent. See [`crate::page::PageSpec`].
pub struct Pages<E: EntityTrait> {
    db: DatabaseConnection,
    _e: PhantomData<fn() -> E>,
}

impl<E: EntityTrait> Pages<E> {
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            _e: PhantomData,
        }
    }
}

impl<E> BatchLoad for Pages<E>
where
    E: EntityTrait,
    E::Model: Send + Sync + Clone,
{
    type Key = PageKey<E>;
    type Value = Vec<E::Model>;

    async fn load(
        &self,
        keys: &[PageKey<E>],
    ) -> Result<HashMap<PageKey<E>, Vec<E::Model>>, Arc<DbErr>> {
        // Siblings ask for the same page of their own parent; requests
        // running together may ask for other pages.
        let mut groups: HashMap<&str, Vec<&PageKey<E>>> = HashMap::new();
        for k in keys {
            groups.entry(k.spec.id()).or_default().push(k);
        }
        let mut out = HashMap::with_capacity(keys.len());
        for group in groups.into_values() {
            let spec = &group[0].spec;
            let parents: Vec<&str> = group.iter().map(|k| k.parent.as_str()).collect();
            let rows = E::find()
                .from_raw_sql(spec.statement(self.db.get_database_backend(), &parents))
                .all(&self.db)
                .await
                .map_err(Arc::new)?;
            let mut by_parent: HashMap<String, Vec<E::Model>> = HashMap::new();
            for m in rows {
                if let Some(p) = spec.parent_of(&m) {
                    by_parent.entry(p).or_default().push(m);
                }
            }
            for k in group {
                let rows = by_parent.remove(&k.parent).unwrap_or_default();
                out.insert(k.clone(), rows);
            }
        }
        Ok(out)
    }
}

/// Most keys in one statement: well under PostgreSQL's 65,535 bind
/// parameters.
const MAX_KEYS: usize = 1_000;
/// Most parents in one nested-pages statement: SQLite's UNION ALL takes at
/// most 500 terms.
const MAX_PARENTS: usize = 100;

/// Adds every batch loader the schema's types use to `b`: one per relation
/// a list resolves, and one per kind of nested page (receipts, fundings).
pub fn register<Q, M, S>(
    b: async_graphql::SchemaBuilder<Q, M, S>,
    db: &DatabaseConnection,
    delay: Duration,
) -> async_graphql::SchemaBuilder<Q, M, S> {
    use bizkey_store::entity::{
        customers, fraud_group_flags, fraud_scores, fundings, ledger_merchants, locks, merchants,
        proposal_votes, ratings, receipt_details, receipt_status_history, receipts, rewards,
        task_participants, token_balances,
    };
    // `kind table.column -> key: type`: rows of `table` by `column`, whose
    // value in a row is `key`.
    macro_rules! loaders {
        ($b:expr; $($kind:ident $t:ident.$col:ident -> $key:ident: $k:ty),+ $(,)?) => {
            $b$(.data(Batcher::new(
                $kind::<$t::Entity, $k>(ByColumn::new(db.clone(), $t::Column::$col, |m: &$t::Model| {
                    Clone::clone(&m.$key)
                })),
                delay,
                MAX_KEYS,
            )))+
        };
    }
    let b = loaders!(b;
        One merchants.Account -> account: String,
        One ledger_merchants.Merchant -> merchant: String,
        One customers.Account -> account: String,
        One locks.Account -> account: String,
        One fundings.Account -> account: String,
        Many token_balances.Account -> account: String,
        Many rewards.Beneficiary -> beneficiary: String,
        One receipts.Id -> id: i64,
        Many receipt_status_history.ReceiptId -> receipt_id: i64,
        One receipt_details.ReceiptId -> receipt_id: i64,
        One fraud_scores.ReceiptId -> receipt_id: i64,
        One fraud_group_flags.ReceiptId -> receipt_id: i64,
        Many proposal_votes.ProposalId -> proposal_id: i64,
        Many task_participants.TaskId -> task_id: i64,
        Many ratings.ReceiptId -> receipt_id: i64,
    );
    b.data(Batcher::new(
        Pages::<receipts::Entity>::new(db.clone()),
        delay,
        MAX_PARENTS,
    ))
    .data(Batcher::new(
        Pages::<fundings::Entity>::new(db.clone()),
        delay,
        MAX_PARENTS,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

    /// Doubles its keys; counts its calls and the keys of each.
    #[derive(Default)]
    struct Double {
        calls: AtomicUsize,
        sizes: Mutex<Vec<usize>>,
    }

    impl BatchLoad for Arc<Double> {
        type Key = u32;
        type Value = u32;

        async fn load(&self, keys: &[u32]) -> Result<HashMap<u32, u32>, Arc<DbErr>> {
            self.calls.fetch_add(1, Relaxed);
            self.sizes.lock().unwrap().push(keys.len());
            tokio::task::yield_now().await;
            Ok(keys
                .iter()
                .filter(|k| **k != 13)
                .map(|k| (*k, k * 2))
                .collect())
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn siblings_polled_together_share_one_call_without_a_delay() {
        // 20: futures' join_all polls a Vec; 200: a FuturesOrdered.
        for n in [20u32, 200] {
            let d = Arc::new(Double::default());
            let b = Batcher::new(d.clone(), Duration::ZERO, MAX_KEYS);
            let got = futures::future::join_all((0..n).map(|k| b.load(k % 50))).await;
            assert_eq!(d.calls.load(Relaxed), 1, "{n} keys");
            assert_eq!(*d.sizes.lock().unwrap(), [n.min(50) as usize]);
            for (k, v) in (0..n).zip(got) {
                let want = (k % 50 != 13).then_some(k % 50 * 2);
                assert_eq!(v.unwrap(), want);
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn full_batches_start_the_next() {
        let d = Arc::new(Double::default());
        let b = Batcher::new(d.clone(), Duration::ZERO, 30);
        let got = futures::future::join_all((0..70).map(|k| b.load(k))).await;
        assert_eq!(*d.sizes.lock().unwrap(), [30, 30, 10]);
        assert!(got
            .iter()
            .enumerate()
            .all(|(k, v)| *v.as_ref().unwrap() == (k != 13).then_some(k as u32 * 2)));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_dropped_leader_still_answers_the_others() {
        let d = Arc::new(Double::default());
        let b = Arc::new(Batcher::new(d.clone(), Duration::from_millis(50), MAX_KEYS));
        // The first load opens the batch and waits out the delay; it is
        // dropped meanwhile, with another request's key in its batch.
        let leader = tokio::spawn({
            let b = b.clone();
            async move { b.load(1).await }
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        let other = tokio::spawn({
            let b = b.clone();
            async move { b.load(2).await }
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        leader.abort();
        let v = tokio::time::timeout(Duration::from_secs(5), other)
            .await
            .expect("the other key was answered")
            .unwrap();
        assert_eq!(v.unwrap(), Some(4));
        assert_eq!(d.calls.load(Relaxed), 1);
    }
}
