//! Receipts: both sides, status history, the off-chain detail once it is
//! uploaded, the fraud model's score.

use super::merchants::{Merchant, Rating};
use super::{db, load_many, load_one, Customer};
use crate::enums::{self, Channel, ReceiptStatus, Side};
use crate::error::ApiResult;
use crate::filter::{all_of, combine, enum_filter, AccountFilter, AmountFilter, IntFilter};
use crate::page::{connection, page, page_of, PageArgs, Sort};
use crate::scalar::Amount;
use async_graphql::{Context, Enum, InputObject, Object};
use bizkey_store::entity::{
    customers, fraud_scores, ratings, receipt_details, receipt_status_history, receipts,
};
use bizkey_types::{ledger, math};
use sea_orm::{Condition, EntityTrait, QueryFilter};

/// A dual-entry sale record.
#[derive(Clone)]
pub struct Receipt(pub receipts::Model);

#[Object]
impl Receipt {
    /// Sequential id from the ledger.
    async fn id(&self) -> i64 {
        self.0.id
    }
    async fn merchant_account(&self) -> &str {
        &self.0.merchant
    }
    async fn customer_account(&self) -> &str {
        &self.0.customer
    }
    /// The merchant's profile (batched).
    async fn merchant(&self, ctx: &Context<'_>) -> ApiResult<Option<Merchant>> {
        Merchant::of(ctx, self.0.merchant.clone()).await
    }
    /// The customer's record (batched); none before its first purchase.
    async fn customer(&self, ctx: &Context<'_>) -> ApiResult<Option<Customer>> {
        let c = load_one::<customers::Entity, String>(ctx, self.0.customer.clone()).await?;
        Ok(c.map(Customer))
    }
    async fn opened_by(&self) -> ApiResult<Side> {
        enums::parse::<ledger::Side, _>("receipts.opened_by", &self.0.opened_by)
    }
    /// The merchant's order number; unique per merchant.
    async fn order_id(&self) -> Amount {
        self.0.order_id.into()
    }
    /// When the order was placed (ms).
    async fn order_time(&self) -> i64 {
        self.0.order_time
    }
    async fn channel(&self) -> ApiResult<Channel> {
        enums::parse::<math::Channel, _>("receipts.channel", &self.0.channel)
    }
    /// Amount paid, cents (after discount, Time included).
    async fn amount(&self) -> Amount {
        self.0.amount.into()
    }
    /// Discount, cents.
    async fn discount(&self) -> Amount {
        self.0.discount.into()
    }
    /// Time (TT units) the customer paid.
    async fn time_paid(&self) -> Amount {
        self.0.time_paid.into()
    }
    async fn items(&self) -> i64 {
        self.0.items
    }
    /// blake2-256 of the off-chain detail (0x hex).
    async fn detail_hash(&self) -> &str {
        &self.0.detail_hash
    }
    async fn status(&self) -> ApiResult<ReceiptStatus> {
        enums::parse::<ledger::ReceiptStatus, _>("receipts.status", &self.0.status)
    }
    async fn opened_at(&self) -> i64 {
        self.0.opened_at
    }
    async fn expires_at(&self) -> i64 {
        self.0.expires_at
    }
    async fn confirmed_at(&self) -> Option<i64> {
        self.0.confirmed_at
    }
    /// End of the challenge window: rewards claimable from then (ms).
    async fn matures_at(&self) -> Option<i64> {
        self.0.matures_at
    }
    /// The customer's first purchase at this merchant.
    async fn first_at_merchant(&self) -> Option<bool> {
        self.0.first_at_merchant
    }
    /// The merchant's BizPower after this sale (10^9 = 1.0).
    async fn bizpower(&self) -> Option<Amount> {
        self.0.bizpower.map(Amount::from)
    }
    /// Biz for the merchant (and its referrer).
    async fn biz_reward(&self) -> Option<Amount> {
        self.0.biz_reward.map(Amount::from)
    }
    /// Time cashback for the customer.
    async fn time_reward(&self) -> Option<Amount> {
        self.0.time_reward.map(Amount::from)
    }
    async fn referral_time(&self) -> Option<Amount> {
        self.0.referral_time.map(Amount::from)
    }
    async fn flagged_by(&self) -> Option<&str> {
        self.0.flagged_by.as_deref()
    }
    async fn evidence(&self) -> Option<&str> {
        self.0.evidence.as_deref()
    }
    async fn opened_block(&self) -> i64 {
        self.0.opened_block
    }
    /// Every status change, oldest first (batched).
    async fn status_history(&self, ctx: &Context<'_>) -> ApiResult<Vec<StatusChange>> {
        let rows = load_many::<receipt_status_history::Entity, i64>(ctx, self.0.id).await?;
        Ok(rows.into_iter().map(StatusChange).collect())
    }
    /// The detail (items, logistics, the merchant's name) once its owner
    /// uploaded one that hashes to `detailHash`; null until then. The
    /// customer's name, part of the hashed detail, is never served.
    async fn detail(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Option<async_graphql::Json<serde_json::Value>>> {
        let d = load_one::<receipt_details::Entity, i64>(ctx, self.0.id).await?;
        Ok(d.map(|d| {
            let mut detail = d.detail;
            if let Some(fields) = detail.as_object_mut() {
                fields.remove("customer_name");
            }
            async_graphql::Json(detail)
        }))
    }
    /// Both sides' ratings of this receipt: `side` customer (the
    /// customer's of the shop: product, service, environment) or merchant
    /// (the shop's of the customer: score). Batched.
    async fn ratings(&self, ctx: &Context<'_>) -> ApiResult<Vec<Rating>> {
        let rows = load_many::<ratings::Entity, i64>(ctx, self.0.id).await?;
        Ok(rows.into_iter().map(Rating::from).collect())
    }
    /// The fraud model's verdict; null if the receipt was not scored.
    async fn fraud_score(&self, ctx: &Context<'_>) -> ApiResult<Option<FraudScore>> {
        let s = load_one::<fraud_scores::Entity, i64>(ctx, self.0.id).await?;
        Ok(s.map(FraudScore))
    }
}

/// One status change of a receipt.
pub struct StatusChange(receipt_status_history::Model);

#[Object]
impl StatusChange {
    async fn status(&self) -> ApiResult<ReceiptStatus> {
        enums::parse::<ledger::ReceiptStatus, _>("receipt_status_history.status", &self.0.status)
    }
    /// Who cancelled or flagged it.
    async fn changed_by(&self) -> Option<&str> {
        self.0.changed_by.as_deref()
    }
    async fn block_number(&self) -> i64 {
        self.0.block_number
    }
    /// Block time (ms).
    async fn timestamp(&self) -> i64 {
        self.0.timestamp
    }
}

/// The fraud model's verdict on a confirmed receipt.
#[derive(Clone)]
pub struct FraudScore(pub fraud_scores::Model);

#[Object]
impl FraudScore {
    /// Fraud probability, 0..1.
    async fn score(&self) -> f64 {
        super::fraud::fraction(self.0.score_ppm)
    }
    /// The model's threshold, 0..1: flagged at or above it.
    async fn threshold(&self) -> f64 {
        super::fraud::fraction(self.0.threshold_ppm)
    }
    async fn model_version(&self) -> &str {
        &self.0.model_version
    }
    /// clear, pending, flagged, too_late, not_confirmed or unreported.
    async fn status(&self) -> &str {
        &self.0.status
    }
    /// The on-chain flag's evidence: blake2-256 of model version and features.
    async fn features_hash(&self) -> &str {
        &self.0.features_hash
    }
    /// Set when the receipt went to the flag because of its customer's group
    /// score rather than its own (the account rule). Batched.
    async fn raised_by(&self, ctx: &Context<'_>) -> ApiResult<Option<super::fraud::RaisedBy>> {
        super::fraud::raised_by(ctx, self.0.receipt_id).await
    }
}

connection!(ReceiptConnection, ReceiptEdge, Receipt);

enum_filter!(ReceiptStatusFilter, ReceiptStatus, ledger::ReceiptStatus);
enum_filter!(ChannelFilter, Channel, math::Channel);

/// Which receipts to list.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ReceiptFilter {
    pub id: Option<IntFilter>,
    pub merchant: Option<AccountFilter>,
    pub customer: Option<AccountFilter>,
    pub status: Option<ReceiptStatusFilter>,
    pub channel: Option<ChannelFilter>,
    pub amount: Option<AmountFilter>,
    pub order_time: Option<IntFilter>,
    pub opened_at: Option<IntFilter>,
    pub confirmed_at: Option<IntFilter>,
    pub opened_block: Option<IntFilter>,
    /// Every one of these holds too.
    pub and: Option<Vec<ReceiptFilter>>,
    /// At least one of these holds too.
    pub or: Option<Vec<ReceiptFilter>>,
}

impl ReceiptFilter {
    fn condition(&self, backend: sea_orm::DbBackend, depth: usize) -> ApiResult<Condition> {
        use receipts::Column as C;
        let own = all_of([
            self.id.as_ref().map(|f| f.condition(C::Id)),
            self.merchant.as_ref().map(|f| f.condition(C::Merchant)),
            self.customer.as_ref().map(|f| f.condition(C::Customer)),
            self.status.as_ref().map(|f| f.condition(C::Status)),
            self.channel.as_ref().map(|f| f.condition(C::Channel)),
            self.amount
                .as_ref()
                .map(|f| f.condition(C::Amount, backend)),
            self.order_time.as_ref().map(|f| f.condition(C::OrderTime)),
            self.opened_at.as_ref().map(|f| f.condition(C::OpenedAt)),
            self.confirmed_at
                .as_ref()
                .map(|f| f.condition(C::ConfirmedAt)),
            self.opened_block
                .as_ref()
                .map(|f| f.condition(C::OpenedBlock)),
        ])?;
        combine(
            own,
            self.and.as_deref(),
            self.or.as_deref(),
            depth,
            |f, d| f.condition(backend, d),
        )
    }
}

/// Orders of a receipt list.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq, Default)]
pub enum ReceiptOrder {
    /// Newest first (the default).
    #[default]
    IdDesc,
    IdAsc,
    OrderTimeDesc,
    OrderTimeAsc,
    OpenedAtDesc,
    OpenedAtAsc,
}

impl ReceiptOrder {
    fn sort(self) -> Sort<receipts::Entity> {
        use receipts::Column as C;
        let (column, descending) = match self {
            Self::IdDesc => (C::Id, true),
            Self::IdAsc => (C::Id, false),
            Self::OrderTimeDesc => (C::OrderTime, true),
            Self::OrderTimeAsc => (C::OrderTime, false),
            Self::OpenedAtDesc => (C::OpenedAt, true),
            Self::OpenedAtAsc => (C::OpenedAt, false),
        };
        Sort {
            column,
            key: C::Id,
            descending,
        }
    }
}

/// A page of receipts matching `filter`.
pub(crate) async fn list(
    ctx: &Context<'_>,
    filter: Option<ReceiptFilter>,
    order: Option<ReceiptOrder>,
    args: PageArgs,
) -> ApiResult<ReceiptConnection> {
    let db = db(ctx);
    let select = filtered(db.get_database_backend(), filter)?;
    let p = page(db, select, order.unwrap_or_default().sort(), args).await?;
    Ok(ReceiptConnection(p.map(Receipt)))
}

/// A page of the receipts whose `parent` column (merchant or customer) is
/// `key`, matching `filter`: batched with the same page of the parent's
/// siblings when the parent is an item of a list.
pub(crate) async fn list_of(
    ctx: &Context<'_>,
    parent: receipts::Column,
    key: &str,
    filter: Option<ReceiptFilter>,
    order: Option<ReceiptOrder>,
    args: PageArgs,
) -> ApiResult<ReceiptConnection> {
    let select = filtered(db(ctx).get_database_backend(), filter)?;
    let sort = order.unwrap_or_default().sort();
    let p = page_of(ctx, select, parent, key, sort, args).await?;
    Ok(ReceiptConnection(p.map(Receipt)))
}

fn filtered(
    backend: sea_orm::DbBackend,
    filter: Option<ReceiptFilter>,
) -> ApiResult<sea_orm::Select<receipts::Entity>> {
    let select = receipts::Entity::find();
    Ok(match filter {
        Some(f) => select.filter(f.condition(backend, 0)?),
        None => select,
    })
}

#[derive(Default)]
pub struct ReceiptQuery;

#[Object]
impl ReceiptQuery {
    /// One receipt by id.
    async fn receipt(&self, ctx: &Context<'_>, id: i64) -> ApiResult<Option<Receipt>> {
        Ok(load_one::<receipts::Entity, i64>(ctx, id)
            .await?
            .map(Receipt))
    }

    /// Receipts, filtered and ordered, a page at a time.
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
        let args = PageArgs::new(first, after, last, before);
        list(ctx, filter, order_by, args).await
    }
}
