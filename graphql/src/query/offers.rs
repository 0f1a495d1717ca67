//! Cross-merchant offers (交叉导流): the open tasks of other merchants,
//! ranked for one customer from the index, and what an offer brought its
//! merchant. Both are one SQL statement each, the same text on SQLite and
//! PostgreSQL (`docs/graphql.md`, "Offers", explains the ranking).

use super::community::Task;
use super::db;
use super::merchants::Merchant;
use crate::error::{ApiError, ApiResult};
use crate::filter::check_account;
use async_graphql::{Context, Object, SimpleObject};
use bizkey_store::entity::tasks;
use sea_orm::{ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, Statement, Value};
use std::collections::HashMap;

/// Most offers or reach rows one query returns.
pub const MAX_OFFERS: i32 = 50;

/// The ranking. Parameters: `$1` the customer, `$2` the time (ms) at which
/// a task must be open, `$3` how many rows. Each parameter first appears in
/// that order: SQLite numbers `$N` parameters by first appearance.
///
/// - `mine`: the merchants the customer bought at (`visits`: confirmed
///   purchases ever), with their category and district (the first five
///   characters of the location's geohash, a cell of about 5 km: the 商圈);
/// - `peers`: the other customers of those merchants;
/// - `covisit`: per merchant, how many of those peers bought there.
///
/// A candidate is a task open at `$2` (started, not ended, completions
/// left) of a verified merchant the customer never bought at, which the
/// customer has not joined. Its score:
///
/// `3 × same_district + 2 × category_purchases / purchases + co_visitors / peers`
///
/// where `same_district` is 1 when the merchant is in the district of one
/// of the customer's merchants, `category_purchases / purchases` the share
/// of the customer's purchases made in the merchant's category, and
/// `co_visitors / peers` the share of the customers' of the customer's
/// merchants who also buy at this one ("customers of my merchants also
/// visit"). Each term is 0 when its denominator is. Ties: the newest task
/// first.
pub const OFFERS_SQL: &str = r#"
WITH mine AS (
  SELECT v.merchant, v.purchases, m.category, substr(m.location, 1, 5) AS district
  FROM visits v JOIN merchants m ON m.account = v.merchant
  WHERE v.customer = $1 AND v.purchases > 0
),
peers AS (
  SELECT DISTINCT v.customer FROM visits v
  WHERE v.merchant IN (SELECT merchant FROM mine) AND v.customer <> $1 AND v.purchases > 0
),
covisit AS (
  SELECT v.merchant, COUNT(DISTINCT v.customer) AS n
  FROM visits v JOIN peers p ON p.customer = v.customer
  WHERE v.purchases > 0
  GROUP BY v.merchant
),
features AS (
  SELECT t.id AS task_id,
    CASE WHEN EXISTS (SELECT 1 FROM mine WHERE mine.district = substr(m.location, 1, 5))
      THEN 1 ELSE 0 END AS same_district,
    CAST((SELECT COALESCE(SUM(mine.purchases), 0) FROM mine WHERE mine.category = m.category)
      AS BIGINT) AS category_purchases,
    CAST((SELECT COALESCE(SUM(mine.purchases), 0) FROM mine) AS BIGINT) AS purchases,
    CAST(COALESCE(cv.n, 0) AS BIGINT) AS co_visitors,
    CAST((SELECT COUNT(*) FROM peers) AS BIGINT) AS peers
  FROM tasks t
  JOIN merchants m ON m.account = t.merchant
  LEFT JOIN covisit cv ON cv.merchant = t.merchant
  WHERE t.starts_at <= $2 AND $2 < t.ends_at
    AND t.completions < t.max_completions
    AND m.status = 'Verified'
    AND t.merchant NOT IN (SELECT merchant FROM mine)
    AND NOT EXISTS (
      SELECT 1 FROM task_participants tp WHERE tp.task_id = t.id AND tp.customer = $1)
)
SELECT task_id, same_district, category_purchases, purchases, co_visitors, peers,
  CAST(3.0 * same_district
    + CASE WHEN purchases > 0 THEN 2.0 * category_purchases / purchases ELSE 0.0 END
    + CASE WHEN peers > 0 THEN 1.0 * co_visitors / peers ELSE 0.0 END
    AS DOUBLE PRECISION) AS score
FROM features
ORDER BY score DESC, task_id DESC
LIMIT $3
"#;

/// What each of a merchant's tasks brought it. Parameters: `$1` the
/// merchant, `$2` how many tasks (newest first).
///
/// A participant was *brought* by the task when it had no confirmed
/// purchase at the merchant before it joined and has one since (a flagged,
/// refunded or cancelled receipt is no sale). `purchases` counts the
/// confirmed receipts of brought customers at the merchant since they
/// joined.
pub const REACH_SQL: &str = r#"
WITH mine AS (
  SELECT id, participants, completions FROM tasks WHERE merchant = $1
  ORDER BY id DESC LIMIT $2
),
brought AS (
  SELECT tp.task_id, tp.customer, tp.joined_at
  FROM task_participants tp JOIN mine ON mine.id = tp.task_id
  WHERE NOT EXISTS (
      SELECT 1 FROM receipts r WHERE r.merchant = $1 AND r.customer = tp.customer
        AND r.confirmed_at IS NOT NULL AND r.confirmed_at < tp.joined_at)
    AND EXISTS (
      SELECT 1 FROM receipts r WHERE r.merchant = $1 AND r.customer = tp.customer
        AND r.status = 'Confirmed' AND r.confirmed_at >= tp.joined_at)
)
SELECT mine.id AS task_id, mine.participants, mine.completions,
  CAST((SELECT COUNT(*) FROM brought b WHERE b.task_id = mine.id) AS BIGINT) AS new_customers,
  CAST((SELECT COUNT(*) FROM brought b JOIN receipts r
      ON r.merchant = $1 AND r.customer = b.customer
     WHERE b.task_id = mine.id AND r.status = 'Confirmed' AND r.confirmed_at >= b.joined_at)
    AS BIGINT) AS purchases
FROM mine
ORDER BY mine.id DESC
"#;

#[derive(FromQueryResult, Debug)]
struct OfferRow {
    task_id: i64,
    same_district: i32,
    category_purchases: i64,
    purchases: i64,
    co_visitors: i64,
    peers: i64,
    score: f64,
}

#[derive(FromQueryResult, Debug)]
struct ReachRow {
    task_id: i64,
    participants: i64,
    completions: i64,
    new_customers: i64,
    purchases: i64,
}

/// Another merchant's open task, ranked for a customer, with the reasons.
pub struct Offer {
    task: tasks::Model,
    row: OfferRow,
}

#[Object]
impl Offer {
    /// The task to join.
    async fn task(&self) -> Task {
        Task(self.task.clone())
    }
    /// The offering merchant (batched).
    async fn merchant(&self, ctx: &Context<'_>) -> ApiResult<Option<Merchant>> {
        Merchant::of(ctx, self.task.merchant.clone()).await
    }
    /// The ranking's score (higher first); see `docs/graphql.md`.
    async fn score(&self) -> f64 {
        self.row.score
    }
    /// The merchant is in the district of one of the customer's merchants.
    async fn same_district(&self) -> bool {
        self.row.same_district != 0
    }
    /// Share of the customer's purchases made in the merchant's category.
    async fn category_share(&self) -> f64 {
        share(self.row.category_purchases, self.row.purchases)
    }
    /// Customers of the customer's merchants who also buy here.
    async fn co_visitors(&self) -> i64 {
        self.row.co_visitors
    }
    /// Customers of the customer's merchants (other than the customer).
    async fn peers(&self) -> i64 {
        self.row.peers
    }
}

fn share(part: i64, whole: i64) -> f64 {
    if whole > 0 {
        part as f64 / whole as f64
    } else {
        0.0
    }
}

/// What one of a merchant's tasks brought it.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct OfferReach {
    pub task_id: i64,
    /// Customers who joined.
    pub participants: i64,
    pub completions: i64,
    /// Participants whose first confirmed purchase here came after joining.
    pub new_customers: i64,
    /// Confirmed purchases of those customers here since they joined.
    pub purchases: i64,
    #[graphql(skip)]
    task: tasks::Model,
}

#[async_graphql::ComplexObject]
impl OfferReach {
    async fn task(&self) -> Task {
        Task(self.task.clone())
    }
}

fn limit(first: Option<i32>) -> ApiResult<i64> {
    let n = first.unwrap_or(10);
    if !(0..=MAX_OFFERS).contains(&n) {
        return Err(ApiError::PageSize {
            arg: "first",
            max: MAX_OFFERS as u32,
            got: n.into(),
        });
    }
    Ok(n.into())
}

async fn tasks_by_id(
    db: &sea_orm::DatabaseConnection,
    ids: impl IntoIterator<Item = i64>,
) -> ApiResult<HashMap<i64, tasks::Model>> {
    Ok(tasks::Entity::find()
        .filter(tasks::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect())
}

#[derive(Default)]
pub struct OfferQuery;

#[Object]
impl OfferQuery {
    /// Open tasks of merchants `customer` has not bought at, ranked for it
    /// from the index: the district of its merchants, the categories it
    /// buys, and where the customers of its merchants also buy.
    async fn offers(
        &self,
        ctx: &Context<'_>,
        customer: String,
        #[graphql(desc = "Open at this time (ms); default now.")] at: Option<i64>,
        #[graphql(desc = "At most this many (default 10, at most 50).")] first: Option<i32>,
    ) -> ApiResult<Vec<Offer>> {
        check_account(&customer)?;
        let n = limit(first)?;
        let at = at.unwrap_or_else(bizkey_store::now_ms);
        let db = db(ctx);
        let stmt = Statement::from_sql_and_values(
            db.get_database_backend(),
            OFFERS_SQL,
            [Value::from(customer), at.into(), n.into()],
        );
        let rows = OfferRow::find_by_statement(stmt).all(db).await?;
        let mut tasks = tasks_by_id(db, rows.iter().map(|r| r.task_id)).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                Some(Offer {
                    task: tasks.remove(&row.task_id)?,
                    row,
                })
            })
            .collect())
    }

    /// For each of `merchant`'s tasks (newest first): who joined, who
    /// completed, and the customers it brought.
    async fn offer_reach(
        &self,
        ctx: &Context<'_>,
        merchant: String,
        #[graphql(desc = "At most this many tasks (default 10, at most 50).")] first: Option<i32>,
    ) -> ApiResult<Vec<OfferReach>> {
        check_account(&merchant)?;
        let n = limit(first)?;
        let db = db(ctx);
        let stmt = Statement::from_sql_and_values(
            db.get_database_backend(),
            REACH_SQL,
            [Value::from(merchant), n.into()],
        );
        let rows = ReachRow::find_by_statement(stmt).all(db).await?;
        let mut tasks = tasks_by_id(db, rows.iter().map(|r| r.task_id)).await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(OfferReach {
                    task: tasks.remove(&r.task_id)?,
                    task_id: r.task_id,
                    participants: r.participants,
                    completions: r.completions,
                    new_customers: r.new_customers,
                    purchases: r.purchases,
                })
            })
            .collect())
    }
}
