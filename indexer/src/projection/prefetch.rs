//! The batch's reads, set-based: before a batch applies its events, each
//! contract module lists the rows its events will read (`keys`, next to
//! the code that reads them), and every table is read with one query per
//! chunk of keys. Applying the events then only reads memory; a row the
//! pre-pass did not foresee is still read (`load!` falls back to a query)
//! and counted in [`BatchStats::load_misses`](super::BatchStats), which the
//! tests require to stay zero.

use super::Batch;
use bizkey_store::entity::{
    customers, klines, ledger_merchants, locks, merchant_days, merchants, proposals, receipts,
    reward_pools, reward_queues, rewards, super_node_candidates, task_participants, tasks,
    token_balances, token_supply, vesting_schedules, visits,
};
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::ops::{Deref, DerefMut};
use std::time::Instant;

/// Keys per query: far below SQLite's 32,766 and PostgreSQL's 65,535 bound
/// parameters even for three-column keys.
pub(crate) const CHUNK: usize = 300;

/// A table's rows in a batch: those read or written so far, by key, and
/// the keys whose database row was looked up (present or not), so that an
/// absent row is not asked for again.
pub(super) struct Rows<K, M> {
    rows: HashMap<K, M>,
    looked_up: HashSet<K>,
}

impl<K, M> Default for Rows<K, M> {
    fn default() -> Self {
        Self {
            rows: HashMap::new(),
            looked_up: HashSet::new(),
        }
    }
}

impl<K, M> Deref for Rows<K, M> {
    type Target = HashMap<K, M>;
    fn deref(&self) -> &Self::Target {
        &self.rows
    }
}

impl<K, M> DerefMut for Rows<K, M> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.rows
    }
}

impl<K: Eq + Hash, M> Rows<K, M> {
    /// Whether the database was asked for `key` already (or the batch
    /// holds its row).
    pub(super) fn known(&self, key: &K) -> bool {
        self.rows.contains_key(key) || self.looked_up.contains(key)
    }

    pub(super) fn looked_up(&mut self, key: K) {
        self.looked_up.insert(key);
    }

    pub(super) fn into_values(self) -> impl ExactSizeIterator<Item = M> {
        self.rows.into_values()
    }

    /// The keys of `wanted` not looked up yet.
    fn missing(&self, wanted: HashSet<K>) -> Vec<K> {
        wanted.into_iter().filter(|k| !self.known(k)).collect()
    }
}

/// Loads a row into a batch map unless the batch holds it or looked it up
/// already; a load here means the pre-pass missed the key.
macro_rules! load {
    ($s:ident . $($map:ident).+, $db:expr, $entity:ty, $key:expr, $id:expr) => {{
        let key = $key;
        if !$s.$($map).+.known(&key) {
            let t = std::time::Instant::now();
            let row = <$entity>::find_by_id($id).one($db).await?;
            $s.stats.load_ns += $crate::metrics::ns(t.elapsed());
            $s.stats.load_misses += 1;
            $s.$($map).+.looked_up(key.clone());
            if let Some(row) = row {
                $s.$($map).+.insert(key.clone(), row);
            }
        }
        $s.$($map).+.get_mut(&key)
    }};
}

/// [`load!`] for keys only known from other rows the batch read (a claim's
/// entries name their receipts): read when needed, not a miss.
macro_rules! load_dependent {
    ($s:ident . $($map:ident).+, $db:expr, $entity:ty, $key:expr, $id:expr) => {{
        let key = $key;
        if !$s.$($map).+.known(&key) {
            let t = std::time::Instant::now();
            let row = <$entity>::find_by_id($id).one($db).await?;
            $s.stats.load_ns += $crate::metrics::ns(t.elapsed());
            $s.$($map).+.looked_up(key.clone());
            if let Some(row) = row {
                $s.$($map).+.insert(key.clone(), row);
            }
        }
        $s.$($map).+.get_mut(&key)
    }};
}

/// The rows a batch's events will read, by table.
#[derive(Default)]
pub(super) struct Keys {
    pub balances: HashSet<(String, String)>,
    pub supply: HashSet<String>,
    pub merchants: HashSet<String>,
    pub customers: HashSet<String>,
    pub receipts: HashSet<i64>,
    /// Receipts whose reward entries are read.
    pub rewards_of: HashSet<i64>,
    /// Receipts whose status change updates their merchant's day (the day
    /// is known once the receipt is read).
    pub days_of: HashSet<i64>,
    pub pools: HashSet<String>,
    pub queues: HashSet<String>,
    pub ledger_merchants: HashSet<String>,
    pub visits: HashSet<(String, String)>,
    pub klines: HashSet<(String, String, i64)>,
    pub days: HashSet<(String, i64)>,
    pub params: bool,
    pub schedules: HashSet<String>,
    pub locks: HashSet<String>,
    pub locking_totals: bool,
    pub candidates: HashSet<String>,
    pub proposals: HashSet<i64>,
    pub tasks: HashSet<i64>,
    pub participants: HashSet<(i64, String)>,
}

/// Reads the rows of `keys` into `rows` (`key` names a row's key), chunked;
/// `filter` is the condition matching a chunk of keys.
async fn fetch<C, E, K>(
    db: &C,
    rows: &mut Rows<K, E::Model>,
    wanted: HashSet<K>,
    filter: impl Fn(&[K]) -> Condition,
    key: impl Fn(&E::Model) -> K,
) -> Result<(), DbErr>
where
    C: ConnectionTrait,
    E: EntityTrait,
    K: Eq + Hash + Clone,
{
    let missing = rows.missing(wanted);
    for chunk in missing.chunks(CHUNK) {
        for row in E::find().filter(filter(chunk)).all(db).await? {
            rows.insert(key(&row), row);
        }
        for k in chunk {
            rows.looked_up(k.clone());
        }
    }
    Ok(())
}

/// `col IN (keys)`.
fn any_of<T: Clone + Into<sea_orm::Value>>(col: impl ColumnTrait, keys: &[T]) -> Condition {
    Condition::all().add(col.is_in(keys.iter().cloned()))
}

/// The rows of two-column keys: `(a = k0 AND b = k1) OR …` (portable, and
/// each term is a primary-key lookup on both engines).
pub(crate) fn any_pair<A, B>(a: impl ColumnTrait, b: impl ColumnTrait, keys: &[(A, B)]) -> Condition
where
    A: Clone + Into<sea_orm::Value>,
    B: Clone + Into<sea_orm::Value>,
{
    keys.iter().fold(Condition::any(), |c, (x, y)| {
        c.add(Condition::all().add(a.eq(x.clone())).add(b.eq(y.clone())))
    })
}

impl Batch {
    /// Reads every row `keys` names, one query per table and chunk.
    pub(super) async fn prefetch<C: ConnectionTrait>(
        &mut self,
        db: &C,
        mut keys: Keys,
    ) -> Result<(), DbErr> {
        use bizkey_store::entity as t;
        let started = Instant::now();
        // First the receipts: a status change's day depends on the row.
        fetch::<_, receipts::Entity, _>(
            db,
            &mut self.receipts,
            std::mem::take(&mut keys.receipts),
            |k| any_of(t::receipts::Column::Id, k),
            |r| r.id,
        )
        .await?;
        for id in &keys.days_of {
            if let Some(r) = self.receipts.get(id) {
                if let Some(confirmed_at) = r.confirmed_at {
                    keys.days
                        .insert(super::ledger::day_key(&r.merchant, confirmed_at));
                }
            }
        }
        if !keys.rewards_of.is_empty() {
            let ids: Vec<i64> = keys
                .rewards_of
                .iter()
                .copied()
                .filter(|id| !self.rewards_read.contains(id))
                .collect();
            for chunk in ids.chunks(CHUNK) {
                let rows = rewards::Entity::find()
                    .filter(t::rewards::Column::ReceiptId.is_in(chunk.iter().copied()))
                    .all(db)
                    .await?;
                for row in rows {
                    self.rewards
                        .entry((row.receipt_id, row.role.clone()))
                        .or_insert(row);
                }
                self.rewards_read.extend(chunk.iter().copied());
            }
        }
        fetch::<_, token_balances::Entity, _>(
            db,
            &mut self.balances,
            keys.balances,
            |k| {
                any_pair(
                    t::token_balances::Column::Token,
                    t::token_balances::Column::Account,
                    k,
                )
            },
            |r| (r.token.clone(), r.account.clone()),
        )
        .await?;
        fetch::<_, token_supply::Entity, _>(
            db,
            &mut self.supply,
            keys.supply,
            |k| any_of(t::token_supply::Column::Token, k),
            |r| r.token.clone(),
        )
        .await?;
        fetch::<_, merchants::Entity, _>(
            db,
            &mut self.merchants,
            keys.merchants,
            |k| any_of(t::merchants::Column::Account, k),
            |r| r.account.clone(),
        )
        .await?;
        fetch::<_, customers::Entity, _>(
            db,
            &mut self.customers,
            keys.customers,
            |k| any_of(t::customers::Column::Account, k),
            |r| r.account.clone(),
        )
        .await?;
        fetch::<_, reward_pools::Entity, _>(
            db,
            &mut self.pools,
            keys.pools,
            |k| any_of(t::reward_pools::Column::Token, k),
            |r| r.token.clone(),
        )
        .await?;
        fetch::<_, reward_queues::Entity, _>(
            db,
            &mut self.queues,
            keys.queues,
            |k| any_of(t::reward_queues::Column::Account, k),
            |r| r.account.clone(),
        )
        .await?;
        fetch::<_, ledger_merchants::Entity, _>(
            db,
            &mut self.ledger_merchants,
            keys.ledger_merchants,
            |k| any_of(t::ledger_merchants::Column::Merchant, k),
            |r| r.merchant.clone(),
        )
        .await?;
        fetch::<_, visits::Entity, _>(
            db,
            &mut self.visits,
            keys.visits,
            |k| any_pair(t::visits::Column::Merchant, t::visits::Column::Customer, k),
            |r| (r.merchant.clone(), r.customer.clone()),
        )
        .await?;
        fetch::<_, klines::Entity, _>(
            db,
            &mut self.klines,
            keys.klines,
            |k| {
                k.iter().fold(Condition::any(), |c, (m, interval, start)| {
                    c.add(
                        Condition::all()
                            .add(t::klines::Column::Merchant.eq(m.clone()))
                            .add(t::klines::Column::Interval.eq(interval.clone()))
                            .add(t::klines::Column::BucketStart.eq(*start)),
                    )
                })
            },
            |r| (r.merchant.clone(), r.interval.clone(), r.bucket_start),
        )
        .await?;
        fetch::<_, merchant_days::Entity, _>(
            db,
            &mut self.days,
            keys.days,
            |k| {
                any_pair(
                    t::merchant_days::Column::Merchant,
                    t::merchant_days::Column::Day,
                    k,
                )
            },
            |r| (r.merchant.clone(), r.day),
        )
        .await?;
        if keys.params {
            let db_params = super::ledger::latest_params(db).await?;
            self.params.get_or_insert(db_params);
        }
        fetch::<_, vesting_schedules::Entity, _>(
            db,
            &mut self.vesting.schedules,
            keys.schedules,
            |k| any_of(t::vesting_schedules::Column::Allocation, k),
            |r| r.allocation.clone(),
        )
        .await?;
        fetch::<_, locks::Entity, _>(
            db,
            &mut self.locking.locks,
            keys.locks,
            |k| any_of(t::locks::Column::Account, k),
            |r| r.account.clone(),
        )
        .await?;
        if keys.locking_totals {
            self.locking_totals_read(db).await?;
        }
        fetch::<_, super_node_candidates::Entity, _>(
            db,
            &mut self.super_nodes.candidates,
            keys.candidates,
            |k| any_of(t::super_node_candidates::Column::Account, k),
            |r| r.account.clone(),
        )
        .await?;
        fetch::<_, proposals::Entity, _>(
            db,
            &mut self.governance.proposals,
            keys.proposals,
            |k| any_of(t::proposals::Column::Id, k),
            |r| r.id,
        )
        .await?;
        fetch::<_, tasks::Entity, _>(
            db,
            &mut self.tasks.rows,
            keys.tasks,
            |k| any_of(t::tasks::Column::Id, k),
            |r| r.id,
        )
        .await?;
        fetch::<_, task_participants::Entity, _>(
            db,
            &mut self.tasks.participants,
            keys.participants,
            |k| {
                any_pair(
                    t::task_participants::Column::TaskId,
                    t::task_participants::Column::Customer,
                    k,
                )
            },
            |r| (r.task_id, r.customer.clone()),
        )
        .await?;
        self.stats.load_ns += crate::metrics::ns(started.elapsed());
        Ok(())
    }
}
