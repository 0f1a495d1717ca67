//! Relay connections over any table: keyset pagination with opaque cursors
//! both ways, `first`/`last` capped at [`MAX_PAGE`], and a `totalCount` that
//! runs its `COUNT(*)` only when a client selects it.
//!
//! A cursor names a row by its sort value and its primary key, so a page
//! starts exactly after (or before) that row whatever was inserted since:
//! walking a list forward or backward never repeats or skips a row.

use crate::error::{ApiError, ApiResult};
use crate::loader::{Batcher, Pages};
use async_graphql::{Context, SimpleObject};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use futures::future::BoxFuture;
use sea_orm::sea_query::Expr;
use sea_orm::sea_query::IntoCondition;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbBackend, DbErr, EntityTrait, IdenStatic,
    ModelTrait, Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select,
    Statement, Value,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Most rows one page may ask for.
pub const MAX_PAGE: u32 = 100;
/// Rows of a page that asks for neither `first` nor `last`.
pub const DEFAULT_PAGE: u32 = 20;

/// The four Relay arguments.
#[derive(Clone, Debug, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

impl PageArgs {
    /// The arguments in the order resolvers declare them.
    pub fn new(
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Self {
        Self {
            first,
            after,
            last,
            before,
        }
    }
}

/// Where a page stands in the whole list.
#[derive(SimpleObject, Clone, Debug, Default)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

/// A sort value or key in a cursor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
enum Key {
    Int(i64),
    Text(String),
}

impl Key {
    fn of(v: Value) -> Option<Self> {
        match v {
            Value::BigInt(Some(v)) => Some(Key::Int(v)),
            Value::Int(Some(v)) => Some(Key::Int(v.into())),
            Value::String(Some(s)) => Some(Key::Text(s.to_string())),
            _ => None,
        }
    }

    fn value(&self) -> Value {
        match self {
            Key::Int(v) => (*v).into(),
            Key::Text(s) => s.clone().into(),
        }
    }
}

/// `(sort value, primary key)` of a row, base64url of a JSON pair.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Cursor(Key, Key);

impl Cursor {
    fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }

    fn decode(s: &str) -> ApiResult<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| ApiError::BadCursor)?;
        serde_json::from_slice(&bytes).map_err(|_| ApiError::BadCursor)
    }
}

/// How a list is ordered: a non-null column, then the table's one-column
/// primary key to break ties.
pub struct Sort<E: EntityTrait> {
    pub column: E::Column,
    pub key: E::Column,
    pub descending: bool,
}

impl<E: EntityTrait> Sort<E> {
    /// Highest `key` first.
    pub fn newest(key: E::Column) -> Self {
        Self {
            column: key,
            key,
            descending: true,
        }
    }
}

/// `COUNT(*)` of the filtered list, run when `totalCount` is selected.
#[derive(Clone)]
pub struct Counter(Arc<dyn Fn() -> BoxFuture<'static, Result<u64, DbErr>> + Send + Sync>);

impl Counter {
    pub async fn get(&self) -> ApiResult<u64> {
        Ok((self.0)().await?)
    }
}

/// One page of rows with their cursors.
pub struct Page<M> {
    pub rows: Vec<(String, M)>,
    pub info: PageInfo,
    pub count: Counter,
}

impl<M> Page<M> {
    /// The same page with each row turned into its API type.
    pub fn map<N>(self, f: impl Fn(M) -> N) -> Page<N> {
        Page {
            rows: self.rows.into_iter().map(|(c, m)| (c, f(m))).collect(),
            info: self.info,
            count: self.count,
        }
    }
}

fn size(arg: &'static str, v: Option<i32>) -> ApiResult<Option<u64>> {
    match v {
        None => Ok(None),
        Some(n) if (0..=MAX_PAGE as i32).contains(&n) => Ok(Some(n as u64)),
        Some(n) => Err(ApiError::PageSize {
            arg,
            max: MAX_PAGE,
            got: n.into(),
        }),
    }
}

/// Rows strictly beyond `c` in the direction of `ascending`.
fn beyond<E: EntityTrait>(sort: &Sort<E>, c: &Cursor, ascending: bool) -> Condition {
    let cmp = |col: E::Column, v: Value| {
        if ascending {
            col.gt(v)
        } else {
            col.lt(v)
        }
    };
    if sort.column.as_str() == sort.key.as_str() {
        return cmp(sort.key, c.1.value()).into_condition();
    }
    Condition::any().add(cmp(sort.column, c.0.value())).add(
        Condition::all()
            .add(sort.column.eq(c.0.value()))
            .add(cmp(sort.key, c.1.value())),
    )
}

/// A page's checked arguments: the statement narrowed to the page, and how
/// its rows become the page.
pub struct Plan<E: EntityTrait> {
    sort: Sort<E>,
    limit: u64,
    forward: bool,
    after: Option<Cursor>,
    before: Option<Cursor>,
}

impl<E> Plan<E>
where
    E: EntityTrait,
    E::Model: ModelTrait + Sync,
{
    /// # Errors
    /// Bad page sizes or cursors.
    pub fn new(sort: Sort<E>, args: PageArgs) -> ApiResult<Self> {
        let first = size("first", args.first)?;
        let last = size("last", args.last)?;
        if first.is_some() && last.is_some() {
            return Err(ApiError::FirstAndLast);
        }
        Ok(Self {
            sort,
            limit: first.or(last).unwrap_or(u64::from(DEFAULT_PAGE)),
            forward: last.is_none(),
            after: args.after.as_deref().map(Cursor::decode).transpose()?,
            before: args.before.as_deref().map(Cursor::decode).transpose()?,
        })
    }

    /// Whether the rows are read in ascending order (a backward page reads
    /// the list from the other end, then turns around).
    fn reads_ascending(&self) -> bool {
        self.sort.descending != self.forward
    }

    /// `select` past the cursors, in reading order, one row longer than the
    /// page (to tell whether more follow).
    pub fn query(&self, select: Select<E>) -> Select<E> {
        let ascending = !self.sort.descending;
        let mut q = select;
        if let Some(c) = &self.after {
            q = q.filter(beyond(&self.sort, c, ascending));
        }
        if let Some(c) = &self.before {
            q = q.filter(beyond(&self.sort, c, !ascending));
        }
        let dir = if self.reads_ascending() {
            Order::Asc
        } else {
            Order::Desc
        };
        q.order_by(self.sort.column, dir.clone())
            .order_by(self.sort.key, dir)
            .limit(self.limit + 1)
    }

    /// The reading order as SQL over the columns of a subquery `alias`.
    fn order_sql(&self, alias: Option<&str>) -> String {
        let dir = if self.reads_ascending() {
            "ASC"
        } else {
            "DESC"
        };
        let col = |c: E::Column| match alias {
            Some(a) => format!("\"{a}\".\"{}\" {dir}", c.as_str()),
            None => format!("\"{}\" {dir}", c.as_str()),
        };
        format!("{}, {}", col(self.sort.column), col(self.sort.key))
    }

    /// The page of `rows`, as read by [`Self::query`].
    ///
    /// # Errors
    /// A row without a sort value.
    pub fn finish(&self, mut rows: Vec<E::Model>, count: Counter) -> ApiResult<Page<E::Model>> {
        let more = rows.len() as u64 > self.limit;
        rows.truncate(self.limit as usize);
        if !self.forward {
            rows.reverse();
        }
        let mut out = Vec::with_capacity(rows.len());
        for m in rows {
            let cursor = match (
                Key::of(m.get(self.sort.column)),
                Key::of(m.get(self.sort.key)),
            ) {
                (Some(s), Some(k)) => Cursor(s, k).encode(),
                _ => {
                    return Err(ApiError::Corrupt {
                        column: self.sort.column.as_str(),
                        value: "NULL sort value".into(),
                    })
                }
            };
            out.push((cursor, m));
        }
        let forward = self.forward;
        let info = PageInfo {
            // Cursors name rows that exist (the index never deletes), so a page
            // after a cursor has rows before it, and one before a cursor rows after.
            has_next_page: if forward { more } else { self.before.is_some() },
            has_previous_page: if forward { self.after.is_some() } else { more },
            start_cursor: out.first().map(|(c, _)| c.clone()),
            end_cursor: out.last().map(|(c, _)| c.clone()),
        };
        Ok(Page {
            rows: out,
            info,
            count,
        })
    }
}

/// The `COUNT(*)` of `select`, run when a client asks for it.
pub fn counter<E>(db: &DatabaseConnection, select: Select<E>) -> Counter
where
    E: EntityTrait,
    E::Model: Sync,
{
    let db = db.clone();
    Counter(Arc::new(move || {
        let (db, select) = (db.clone(), select.clone());
        Box::pin(async move { select.count(&db).await })
    }))
}

/// One page of `select` (already filtered) in `sort` order.
///
/// # Errors
/// Bad arguments or cursors; database errors.
pub async fn page<E>(
    db: &DatabaseConnection,
    select: Select<E>,
    sort: Sort<E>,
    args: PageArgs,
) -> ApiResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: ModelTrait + Sync,
{
    let plan = Plan::new(sort, args)?;
    let count = counter(db, select.clone());
    let rows = plan.query(select).all(db).await?;
    plan.finish(rows, count)
}

/// One page of the rows of `select` (already filtered) whose `parent`
/// column is `key`, batched with the same page of the parent's siblings
/// ([`crate::loader::Pages`]): a list nested in a list costs one statement
/// per level, not one per parent.
///
/// # Errors
/// Bad arguments or cursors; database errors.
pub async fn page_of<E>(
    ctx: &Context<'_>,
    select: Select<E>,
    parent: E::Column,
    key: &str,
    sort: Sort<E>,
    args: PageArgs,
) -> ApiResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: ModelTrait + Sync + Send + Clone,
{
    let db = ctx.data_unchecked::<DatabaseConnection>();
    let plan = Plan::new(sort, args)?;
    let count = counter(db, select.clone().filter(parent.eq(key)));
    let spec = PageSpec::new(
        db.get_database_backend(),
        parent,
        plan.query(select),
        plan.order_sql(None),
        plan.order_sql(Some("r")),
    );
    let rows = ctx
        .data_unchecked::<Batcher<Pages<E>>>()
        .load(PageKey {
            parent: key.to_owned(),
            spec: Arc::new(spec),
        })
        .await?
        .unwrap_or_default();
    plan.finish(rows, count)
}

/// A page of a nested list, the same for every parent: its statement
/// without the parent's condition.
pub struct PageSpec<E: EntityTrait> {
    /// The column holding the parent's key.
    parent: E::Column,
    /// Filters, cursors, order and limit.
    query: Select<E>,
    /// The reading order over the unqualified columns of a subquery, and
    /// over subquery `r`.
    order: String,
    order_r: String,
    /// The parent column and the query's SQL with its values: equal specs
    /// share a statement.
    id: String,
}

impl<E> PageSpec<E>
where
    E: EntityTrait,
    E::Model: ModelTrait,
{
    fn new(
        backend: DbBackend,
        parent: E::Column,
        query: Select<E>,
        order: String,
        order_r: String,
    ) -> Self {
        let id = format!("{} {}", parent.as_str(), query.build(backend));
        Self {
            parent,
            query,
            order,
            order_r,
            id,
        }
    }

    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    /// The parent key of a row.
    pub(crate) fn parent_of(&self, m: &E::Model) -> Option<String> {
        match m.get(self.parent) {
            Value::String(Some(s)) => Some(s.to_string()),
            _ => None,
        }
    }

    /// One statement for the pages of all `parents`. PostgreSQL: a LATERAL
    /// join of the page's query (with its own LIMIT) to the parents' keys,
    /// bound as one JSON array, so the statement's text and plan are the
    /// same for any number of parents. SQLite (no LATERAL): the parents'
    /// page queries joined by UNION ALL.
    pub(crate) fn statement(&self, backend: DbBackend, parents: &[&str]) -> Statement {
        let table = E::default().table_name().to_owned();
        let col = self.parent.as_str();
        if backend == DbBackend::Postgres {
            let inner = self
                .query
                .clone()
                .filter(Expr::cust(format!("\"{table}\".\"{col}\" = \"p\".\"k\"")))
                .build(backend);
            let mut values = inner.values.map(|v| v.0).unwrap_or_default();
            values.push(Value::from(serde_json::Value::from(
                parents.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            )));
            let sql = format!(
                "SELECT \"r\".* FROM jsonb_array_elements_text(${}::jsonb) AS \"p\"(\"k\") \
                 CROSS JOIN LATERAL ({}) AS \"r\" ORDER BY {}",
                values.len(),
                inner.sql,
                self.order_r
            );
            return Statement::from_sql_and_values(backend, sql, values);
        }
        let mut parts = Vec::with_capacity(parents.len());
        let mut values = Vec::new();
        for p in parents {
            let one = self.query.clone().filter(self.parent.eq(*p)).build(backend);
            parts.push(format!("SELECT * FROM ({})", one.sql));
            values.extend(one.values.map(|v| v.0).unwrap_or_default());
        }
        let sql = format!("{} ORDER BY {}", parts.join(" UNION ALL "), self.order);
        Statement::from_sql_and_values(backend, sql, values)
    }
}

/// One parent's page of a nested list: the key of [`crate::loader::Pages`].
pub struct PageKey<E: EntityTrait> {
    pub parent: String,
    pub spec: Arc<PageSpec<E>>,
}

impl<E: EntityTrait> Clone for PageKey<E> {
    fn clone(&self) -> Self {
        Self {
            parent: self.parent.clone(),
            spec: self.spec.clone(),
        }
    }
}

impl<E: EntityTrait> PartialEq for PageKey<E> {
    fn eq(&self, other: &Self) -> bool {
        self.parent == other.parent && self.spec.id == other.spec.id
    }
}

impl<E: EntityTrait> Eq for PageKey<E> {}

impl<E: EntityTrait> std::hash::Hash for PageKey<E> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.parent.hash(h);
        self.spec.id.hash(h);
    }
}

/// A Relay connection type and its edge for one node type.
macro_rules! connection {
    ($conn:ident, $edge:ident, $node:ty) => {
        #[doc = concat!("An edge to a [`", stringify!($node), "`] with its cursor.")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            pub cursor: String,
            pub node: $node,
        }

        #[doc = concat!("A page of `", stringify!($node), "`s (Relay connection).")]
        pub struct $conn(pub $crate::page::Page<$node>);

        #[async_graphql::Object]
        impl $conn {
            /// The rows of this page with their cursors.
            async fn edges(&self) -> Vec<$edge> {
                self.0
                    .rows
                    .iter()
                    .map(|(cursor, node)| $edge {
                        cursor: cursor.clone(),
                        node: node.clone(),
                    })
                    .collect()
            }

            /// The rows of this page.
            async fn nodes(&self) -> Vec<$node> {
                self.0.rows.iter().map(|(_, n)| n.clone()).collect()
            }

            async fn page_info(&self) -> &$crate::page::PageInfo {
                &self.0.info
            }

            /// Rows in the whole filtered list (one `COUNT(*)`, run only when asked).
            async fn total_count(&self) -> async_graphql::Result<u64> {
                Ok(self.0.count.get().await?)
            }
        }
    };
}
pub(crate) use connection;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = Cursor(Key::Int(5), Key::Text("5Grw".into()));
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        assert!(matches!(Cursor::decode("%%%"), Err(ApiError::BadCursor)));
        assert!(matches!(
            Cursor::decode(&URL_SAFE_NO_PAD.encode(b"[1]")),
            Err(ApiError::BadCursor)
        ));
    }

    #[test]
    fn page_sizes_are_capped() {
        assert_eq!(size("first", Some(100)).unwrap(), Some(100));
        assert!(size("first", Some(101)).is_err());
        assert!(size("last", Some(-1)).is_err());
    }
}
