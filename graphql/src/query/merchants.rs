//! Merchants: profile, status, BizPower, K-line candles, ratings,
//! reactions and their receipts.

use super::receipts::{self, ReceiptConnection, ReceiptFilter, ReceiptOrder};
use super::{db, load_one};
use crate::enums::{self, Category, MerchantStatus, Reaction};
use crate::error::{ApiError, ApiResult};
use crate::filter::{
    all_of, check_account, combine, enum_filter, AccountFilter, IntFilter, StringFilter,
};
use crate::page::{connection, page, PageArgs, Sort};
use crate::scalar::Amount;
use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};
use bizkey_store::column::KLINE_INTERVALS;
use bizkey_store::entity::{
    klines, ledger_merchants, merchant_days, merchants, ratings, reactions,
};
use bizkey_store::now_ms;
use bizkey_types::{registry, reviews};
use sea_orm::{
    ColumnTrait, Condition, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Statement, Value,
};

/// A registered merchant.
#[derive(Clone)]
pub struct Merchant(pub merchants::Model);

impl Merchant {
    /// The merchant registered with `account`, if any (batched).
    pub(crate) async fn of(ctx: &Context<'_>, account: String) -> ApiResult<Option<Self>> {
        Ok(load_one::<merchants::Entity, String>(ctx, account)
            .await?
            .map(Merchant))
    }
}

/// K-line bucket lengths.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum Interval {
    /// One minute.
    #[graphql(name = "M1")]
    M1,
    /// One hour.
    #[graphql(name = "H1")]
    H1,
    /// One day (UTC).
    #[graphql(name = "D1")]
    D1,
}

impl Interval {
    fn column_and_ms(self) -> (&'static str, i64) {
        let (name, ms) = KLINE_INTERVALS[self as usize];
        (name, ms as i64)
    }
}

/// Most candles one `kline` call returns.
pub const MAX_CANDLES: i64 = 1_000;

/// Open/high/low/close of the merchant's BizPower in one bucket (10^9 = 1.0).
/// A bucket without sales repeats the previous close, with `receipts: 0`.
#[derive(SimpleObject, Clone, Debug, PartialEq)]
pub struct Candle {
    /// Start of the bucket (ms).
    pub start: i64,
    pub open: Amount,
    pub high: Amount,
    pub low: Amount,
    pub close: Amount,
    /// Confirmations in the bucket.
    pub receipts: i64,
}

/// A merchant's confirmed sales of one UTC day and the rewards they earned
/// (precomputed by the indexer: `merchant_days`).
#[derive(SimpleObject, Clone, Debug, PartialEq)]
pub struct MerchantDay {
    /// Start of the UTC day (ms).
    pub day: i64,
    pub receipts: i64,
    /// Sum of amounts, cents.
    pub sales: Amount,
    /// Time the customers paid with.
    pub time_paid: Amount,
    /// Biz promised to the merchant and its referrer.
    pub biz_rewards: Amount,
    /// Time promised to the customers and their referrers.
    pub time_rewards: Amount,
    /// Of these receipts, flagged or refunded since.
    pub flagged: i64,
    pub refunded: i64,
}

/// Most days one `daily` call returns.
pub const MAX_DAYS: u64 = 366;

/// One side's rating of a receipt.
#[derive(SimpleObject, Clone, Debug)]
pub struct Rating {
    pub receipt_id: i64,
    /// Who rated: `customer` (the customer rated the shop: product,
    /// service, environment) or `merchant` (the shop rated the customer:
    /// score).
    pub side: String,
    pub customer: String,
    pub product: Option<i64>,
    pub service: Option<i64>,
    pub environment: Option<i64>,
    /// The merchant's score of the customer.
    pub score: Option<i64>,
    pub comment: Option<String>,
    pub block_number: i64,
}

impl From<ratings::Model> for Rating {
    fn from(r: ratings::Model) -> Self {
        Self {
            receipt_id: r.receipt_id,
            side: r.side,
            customer: r.customer,
            product: r.product,
            service: r.service,
            environment: r.environment,
            score: r.score,
            comment: r.comment,
            block_number: r.block_number,
        }
    }
}

/// A like, comment, share, reply or view of a receipt.
#[derive(SimpleObject, Clone, Debug)]
pub struct ReactionRow {
    pub receipt_id: i64,
    pub account: String,
    pub kind: Reaction,
    /// Content hash (0x hex).
    pub content: String,
    pub block_number: i64,
}

#[Object]
impl Merchant {
    async fn account(&self) -> &str {
        &self.0.account
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn category(&self) -> ApiResult<Category> {
        enums::parse::<registry::Category, _>("merchants.category", &self.0.category)
    }
    /// Geohash or city code (the 商圈).
    async fn location(&self) -> &str {
        &self.0.location
    }
    async fn area_sqft(&self) -> i64 {
        self.0.area_sqft
    }
    async fn staff(&self) -> i64 {
        self.0.staff
    }
    /// Rent, cents per square foot per day.
    async fn rent_per_sqft_day(&self) -> Amount {
        self.0.rent_per_sqft_day.into()
    }
    /// Wage, cents per staff member per day.
    async fn wage_per_day(&self) -> Amount {
        self.0.wage_per_day.into()
    }
    async fn licence_hash(&self) -> &str {
        &self.0.licence_hash
    }
    async fn referrer(&self) -> Option<&str> {
        self.0.referrer.as_deref()
    }
    /// Most of an amount a customer may pay in Time (0..1).
    async fn time_share(&self) -> f64 {
        self.0.time_share_ppm as f64 / 1e6
    }
    async fn status(&self) -> ApiResult<MerchantStatus> {
        enums::parse::<registry::MerchantStatus, _>("merchants.status", &self.0.status)
    }
    async fn registered_at(&self) -> i64 {
        self.0.registered_at
    }
    async fn verified_at(&self) -> Option<i64> {
        self.0.verified_at
    }
    /// BizPower after the latest confirmed sale (10^9 = 1.0), as the ledger
    /// computed it; null before the ledger knows the merchant.
    async fn bizpower(&self, ctx: &Context<'_>) -> ApiResult<Option<Amount>> {
        let row = load_one::<ledger_merchants::Entity, String>(ctx, self.0.account.clone()).await?;
        Ok(row.map(|r| r.bizpower.into()))
    }
    /// BizPower candles from `from` to `to` (ms, default: the last 60
    /// buckets up to now), every bucket present: one without sales repeats
    /// the previous close. At most 1,000 candles.
    async fn kline(
        &self,
        ctx: &Context<'_>,
        interval: Interval,
        from: Option<i64>,
        to: Option<i64>,
    ) -> ApiResult<Vec<Candle>> {
        let (name, len) = interval.column_and_ms();
        let to = to.unwrap_or_else(now_ms);
        let from = from.unwrap_or(to - 59 * len);
        if from > to {
            return Err(ApiError::BadInput("`from` is after `to`".into()));
        }
        let (first, last) = (from.div_euclid(len) * len, to.div_euclid(len) * len);
        if (last - first) / len + 1 > MAX_CANDLES {
            return Err(ApiError::BadInput(format!(
                "at most {MAX_CANDLES} candles per call: narrow `from`..`to` or widen the interval"
            )));
        }
        let db = db(ctx);
        let backend = db.get_database_backend();
        // One statement: the range and, first, the row before it, whose
        // close carries into the range's leading empty buckets.
        let mut n = 0;
        let mut p = || {
            n += 1;
            match backend {
                DbBackend::Postgres => format!("${n}"),
                _ => "?".to_owned(),
            }
        };
        let sql = format!(
            "SELECT * FROM klines WHERE merchant = {} AND \"interval\" = {} AND bucket_start <= {} \
             AND bucket_start >= COALESCE((SELECT MAX(bucket_start) FROM klines \
             WHERE merchant = {} AND \"interval\" = {} AND bucket_start < {}), {}) \
             ORDER BY bucket_start",
            p(), p(), p(), p(), p(), p(), p()
        );
        let m = self.0.account.as_str();
        let values: [Value; 7] = [
            m.into(),
            name.into(),
            last.into(),
            m.into(),
            name.into(),
            first.into(),
            first.into(),
        ];
        let rows = klines::Entity::find()
            .from_raw_sql(Statement::from_sql_and_values(backend, sql, values))
            .all(db)
            .await?;
        let (before, rows) = match rows.split_first() {
            Some((b, rest)) if b.bucket_start < first => (Some(b.close.into()), rest),
            _ => (None, &rows[..]),
        };
        Ok(fill(first, last, len, before, rows))
    }
    /// Sales and reward sums per UTC day with sales, oldest first, from
    /// `from` to `to` (ms; default the last 30 days); at most 366 days.
    async fn daily(
        &self,
        ctx: &Context<'_>,
        from: Option<i64>,
        to: Option<i64>,
    ) -> ApiResult<Vec<MerchantDay>> {
        const DAY: i64 = 86_400_000;
        let to = to.unwrap_or_else(now_ms);
        let from = from.unwrap_or(to - 29 * DAY);
        if from > to {
            return Err(ApiError::BadInput("`from` is after `to`".into()));
        }
        use merchant_days::Column as D;
        let rows = merchant_days::Entity::find()
            .filter(D::Merchant.eq(self.0.account.as_str()))
            .filter(D::Day.gte(from.div_euclid(DAY) * DAY))
            .filter(D::Day.lte(to))
            .order_by_asc(D::Day)
            .limit(MAX_DAYS)
            .all(db(ctx))
            .await?;
        Ok(rows
            .into_iter()
            .map(|d| MerchantDay {
                day: d.day,
                receipts: d.receipts,
                sales: d.sales.into(),
                time_paid: d.time_paid.into(),
                biz_rewards: d.biz_rewards.into(),
                time_rewards: d.time_rewards.into(),
                flagged: d.flagged,
                refunded: d.refunded,
            })
            .collect())
    }
    /// Ratings of this merchant's receipts, newest first.
    async fn ratings(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 0, maximum = 100))] limit: u64,
    ) -> ApiResult<Vec<Rating>> {
        let rows = ratings::Entity::find()
            .filter(ratings::Column::Merchant.eq(self.0.account.as_str()))
            .order_by_desc(ratings::Column::ReceiptId)
            .limit(limit)
            .all(db(ctx))
            .await?;
        Ok(rows.into_iter().map(Rating::from).collect())
    }
    /// Reactions to this merchant's receipts, newest first.
    async fn reactions(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 0, maximum = 100))] limit: u64,
    ) -> ApiResult<Vec<ReactionRow>> {
        use reactions::Column as R;
        let db = db(ctx);
        let ids = bizkey_store::entity::receipts::Entity::find()
            .select_only()
            .column(bizkey_store::entity::receipts::Column::Id)
            .filter(bizkey_store::entity::receipts::Column::Merchant.eq(self.0.account.as_str()))
            .into_query();
        let rows = reactions::Entity::find()
            .filter(R::ReceiptId.in_subquery(ids))
            .order_by_desc(R::BlockNumber)
            .order_by_desc(R::EventIndex)
            .limit(limit)
            .all(db)
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(ReactionRow {
                    kind: enums::parse::<reviews::Reaction, _>("reactions.kind", &r.kind)?,
                    receipt_id: r.receipt_id,
                    account: r.account,
                    content: r.content,
                    block_number: r.block_number,
                })
            })
            .collect()
    }
    /// This merchant's receipts.
    #[graphql(complexity = "super::list_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn receipts(
        &self,
        ctx: &Context<'_>,
        filter: Option<ReceiptFilter>,
        order_by: Option<ReceiptOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<ReceiptConnection> {
        let parent = bizkey_store::entity::receipts::Column::Merchant;
        let args = PageArgs::new(first, after, last, before);
        receipts::list_of(ctx, parent, &self.0.account, filter, order_by, args).await
    }
}

/// Every bucket from `first` to `last`, gaps filled with the previous close.
pub fn fill(
    first: i64,
    last: i64,
    len: i64,
    mut close: Option<Amount>,
    rows: &[klines::Model],
) -> Vec<Candle> {
    let mut out = Vec::new();
    let mut rows = rows.iter().peekable();
    let mut start = first;
    while start <= last {
        match rows.next_if(|r| r.bucket_start == start) {
            Some(r) => {
                close = Some(r.close.into());
                out.push(Candle {
                    start,
                    open: r.open.into(),
                    high: r.high.into(),
                    low: r.low.into(),
                    close: r.close.into(),
                    receipts: r.receipts,
                });
            }
            // Before the first sale there is no BizPower to draw.
            None => {
                if let Some(c) = close {
                    out.push(Candle {
                        start,
                        open: c,
                        high: c,
                        low: c,
                        close: c,
                        receipts: 0,
                    });
                }
            }
        }
        start += len;
    }
    out
}

connection!(MerchantConnection, MerchantEdge, Merchant);

enum_filter!(CategoryFilter, Category, registry::Category);
enum_filter!(
    MerchantStatusFilter,
    MerchantStatus,
    registry::MerchantStatus
);

/// Which merchants to list.
#[derive(InputObject, Clone, Debug, Default)]
pub struct MerchantFilter {
    pub account: Option<AccountFilter>,
    pub name: Option<StringFilter>,
    pub category: Option<CategoryFilter>,
    pub location: Option<StringFilter>,
    pub status: Option<MerchantStatusFilter>,
    pub referrer: Option<AccountFilter>,
    pub registered_at: Option<IntFilter>,
    pub and: Option<Vec<MerchantFilter>>,
    pub or: Option<Vec<MerchantFilter>>,
}

impl MerchantFilter {
    fn condition(&self, depth: usize) -> ApiResult<Condition> {
        use merchants::Column as C;
        let own = all_of([
            self.account.as_ref().map(|f| f.condition(C::Account)),
            self.name.as_ref().map(|f| f.condition(C::Name)),
            self.category.as_ref().map(|f| f.condition(C::Category)),
            self.location.as_ref().map(|f| f.condition(C::Location)),
            self.status.as_ref().map(|f| f.condition(C::Status)),
            self.referrer.as_ref().map(|f| f.condition(C::Referrer)),
            self.registered_at
                .as_ref()
                .map(|f| f.condition(C::RegisteredAt)),
        ])?;
        combine(
            own,
            self.and.as_deref(),
            self.or.as_deref(),
            depth,
            |f, d| f.condition(d),
        )
    }
}

/// Orders of a merchant list.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq, Default)]
pub enum MerchantOrder {
    /// Newest registration first (the default).
    #[default]
    RegisteredAtDesc,
    RegisteredAtAsc,
    NameAsc,
    NameDesc,
}

#[derive(Default)]
pub struct MerchantQuery;

#[Object]
impl MerchantQuery {
    /// One merchant by account.
    async fn merchant(&self, ctx: &Context<'_>, account: String) -> ApiResult<Option<Merchant>> {
        check_account(&account)?;
        Merchant::of(ctx, account).await
    }

    /// Merchants, filtered and ordered, a page at a time.
    #[graphql(complexity = "super::list_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn merchants(
        &self,
        ctx: &Context<'_>,
        filter: Option<MerchantFilter>,
        order_by: Option<MerchantOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<MerchantConnection> {
        use merchants::Column as C;
        let mut select = merchants::Entity::find();
        if let Some(f) = filter {
            select = select.filter(f.condition(0)?);
        }
        let (column, descending) = match order_by.unwrap_or_default() {
            MerchantOrder::RegisteredAtDesc => (C::RegisteredAt, true),
            MerchantOrder::RegisteredAtAsc => (C::RegisteredAt, false),
            MerchantOrder::NameAsc => (C::Name, false),
            MerchantOrder::NameDesc => (C::Name, true),
        };
        let sort = Sort {
            column,
            key: C::Account,
            descending,
        };
        let args = PageArgs::new(first, after, last, before);
        let p = page(db(ctx), select, sort, args).await?;
        Ok(MerchantConnection(p.map(Merchant)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bizkey_store::amount::U128;

    fn row(start: i64, close: u128) -> klines::Model {
        klines::Model {
            merchant: "m".into(),
            interval: "1m".into(),
            bucket_start: start,
            open: U128(close),
            high: U128(close),
            low: U128(close),
            close: U128(close),
            receipts: 1,
        }
    }

    #[test]
    fn empty_buckets_repeat_the_previous_close() {
        let c = fill(0, 240_000, 60_000, None, &[row(60_000, 5), row(180_000, 7)]);
        let closes: Vec<_> = c.iter().map(|c| (c.start, c.close.0, c.receipts)).collect();
        // nothing before the first sale; minute 2 repeats 5; minute 4 repeats 7
        assert_eq!(
            closes,
            vec![
                (60_000, 5, 1),
                (120_000, 5, 0),
                (180_000, 7, 1),
                (240_000, 7, 0)
            ]
        );
        let carried = fill(0, 60_000, 60_000, Some(Amount(3)), &[]);
        assert_eq!(carried.len(), 2);
        assert!(carried
            .iter()
            .all(|c| c.close == Amount(3) && c.receipts == 0));
    }
}
