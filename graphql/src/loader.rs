//! Batch loaders: every relation a list resolves goes through one of these,
//! so a page of N rows costs one statement per relation, not N.

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, Iterable, PrimaryKeyToColumn, QueryFilter,
    QueryOrder, Value,
};
use std::collections::HashMap;
use std::hash::Hash;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

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

    async fn rows(&self, keys: &[K]) -> Result<Vec<E::Model>, Arc<sea_orm::DbErr>>
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

impl<E, K> Loader<K> for One<E, K>
where
    E: EntityTrait,
    E::Model: Send + Sync + Clone,
    K: Into<Value> + Clone + Hash + Eq + Send + Sync + 'static,
{
    type Value = E::Model;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[K]) -> Result<HashMap<K, E::Model>, Self::Error> {
        let rows = self.0.rows(keys).await?;
        // The last row wins where a key repeats (e.g. a receipt rescored).
        Ok(rows.into_iter().map(|m| ((self.0.key)(&m), m)).collect())
    }
}

impl<E, K> Loader<K> for Many<E, K>
where
    E: EntityTrait,
    E::Model: Send + Sync + Clone,
    K: Into<Value> + Clone + Hash + Eq + Send + Sync + 'static,
{
    type Value = Vec<E::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[K]) -> Result<HashMap<K, Vec<E::Model>>, Self::Error> {
        let mut out: HashMap<K, Vec<E::Model>> = HashMap::new();
        for m in self.0.rows(keys).await? {
            out.entry((self.0.key)(&m)).or_default().push(m);
        }
        Ok(out)
    }
}

/// A data loader of `One` rows gathering the keys asked within `delay`.
pub fn one<E: EntityTrait, K>(
    db: &DatabaseConnection,
    delay: Duration,
    column: E::Column,
    key: fn(&E::Model) -> K,
) -> DataLoader<One<E, K>>
where
    One<E, K>: Loader<K>,
    K: Send + Sync + Hash + Eq + Clone + 'static,
{
    DataLoader::new(One(ByColumn::new(db.clone(), column, key)), tokio::spawn).delay(delay)
}

/// A data loader of `Many` rows gathering the keys asked within `delay`.
pub fn many<E: EntityTrait, K>(
    db: &DatabaseConnection,
    delay: Duration,
    column: E::Column,
    key: fn(&E::Model) -> K,
) -> DataLoader<Many<E, K>>
where
    Many<E, K>: Loader<K>,
    K: Send + Sync + Hash + Eq + Clone + 'static,
{
    DataLoader::new(Many(ByColumn::new(db.clone(), column, key)), tokio::spawn).delay(delay)
}

/// Adds every batch loader the schema's types use to `b`: one per relation
/// a list resolves, each gathering the keys asked within `delay`.
pub fn register<Q, M, S>(
    b: async_graphql::SchemaBuilder<Q, M, S>,
    db: &DatabaseConnection,
    delay: Duration,
) -> async_graphql::SchemaBuilder<Q, M, S> {
    use bizkey_store::entity::{
        customers, fraud_scores, ledger_merchants, locks, merchants, proposal_votes, ratings,
        receipt_details, receipt_status_history, receipts, rewards, task_participants,
        token_balances,
    };
    // `kind table.column -> key: type`: rows of `table` by `column`, whose
    // value in a row is `key`.
    macro_rules! loaders {
        ($b:expr; $($kind:ident $t:ident.$col:ident -> $key:ident: $k:ty),+ $(,)?) => {
            $b$(.data($kind::<$t::Entity, $k>(db, delay, $t::Column::$col, |m| {
                Clone::clone(&m.$key)
            })))+
        };
    }
    loaders!(b;
        one merchants.Account -> account: String,
        one ledger_merchants.Merchant -> merchant: String,
        one customers.Account -> account: String,
        one locks.Account -> account: String,
        many token_balances.Account -> account: String,
        many rewards.Beneficiary -> beneficiary: String,
        one receipts.Id -> id: i64,
        many receipt_status_history.ReceiptId -> receipt_id: i64,
        one receipt_details.ReceiptId -> receipt_id: i64,
        one fraud_scores.ReceiptId -> receipt_id: i64,
        many proposal_votes.ProposalId -> proposal_id: i64,
        many task_participants.TaskId -> task_id: i64,
        many ratings.ReceiptId -> receipt_id: i64,
    )
}
