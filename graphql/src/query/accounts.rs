//! Accounts: balances of both tokens, rewards (pending, claimable,
//! forfeited), the BT lock and its Time dividends, the account's roles, and
//! who funded it (its first native-token transfer) and whom it funded.

use super::merchants::Merchant;
use super::receipts::{self, ReceiptConnection, ReceiptFilter, ReceiptOrder};
use super::{db, load_many, load_one};
use crate::enums::{self, CustomerStatus, RewardStatus, Token};
use crate::error::ApiResult;
use crate::filter::{check_account, IntFilter};
use crate::page::{connection, page_of, PageArgs, Sort};
use crate::scalar::Amount;
use async_graphql::{Context, Object, SimpleObject};
use bizkey_store::column::{self, Named};
use bizkey_store::entity::{
    customers, dividend_claims, fundings, locks, receipts as receipt_rows, rewards, token_balances,
};
use bizkey_store::now_ms;
use bizkey_types::{ledger, registry};
use sea_orm::{
    ColumnTrait, EntityTrait, FromQueryResult, Order, QueryFilter, QueryOrder, QuerySelect,
};

/// Any account the index has seen (or not: every field then reads empty).
pub struct Account(pub String);

/// Sums of an account's rewards by state, per token.
#[derive(SimpleObject, Default, Clone, Debug)]
pub struct RewardTotals {
    /// In the challenge window.
    pub pending_biz: Amount,
    pub pending_time: Amount,
    /// Matured and not yet claimed: what `claim` pays now.
    pub claimable_biz: Amount,
    pub claimable_time: Amount,
    pub claimed_biz: Amount,
    pub claimed_time: Amount,
    /// Lost to flags, refunds or removal.
    pub forfeited_biz: Amount,
    pub forfeited_time: Amount,
}

/// One reward entry of a receipt.
#[derive(SimpleObject, Clone, Debug)]
pub struct Reward {
    pub receipt_id: i64,
    /// merchant, merchant_referrer, customer or customer_referrer.
    pub role: String,
    pub token: Token,
    pub amount: Amount,
    /// Claimable from (ms).
    pub matures_at: i64,
    pub status: RewardStatus,
    pub created_block: i64,
    pub settled_block: Option<i64>,
}

/// A BT lock (voting weight and Time dividends).
#[derive(SimpleObject, Clone, Debug)]
pub struct Lock {
    /// Locked or unlocked.
    pub status: String,
    pub amount: Amount,
    pub tier: i64,
    /// Voting and dividend weight.
    pub weight: Amount,
    pub unlock_at: i64,
    /// Settled Time dividends not yet claimed.
    pub unclaimed_dividends: Amount,
}

/// A Time dividend paid to a locker.
#[derive(SimpleObject, Clone, Debug)]
pub struct DividendClaim {
    pub amount: Amount,
    pub block_number: i64,
    pub timestamp: i64,
}

/// An account's first native-token transfer, which paid its first fees.
/// The wallet that set up a ring's fake accounts funded them all; so do an
/// exchange, a friend who brought newcomers and a shop that pays its new
/// customers' fees, so a funder's fan-out is evidence to weigh, not proof.
#[derive(Clone)]
pub struct Funding(pub fundings::Model);

impl Funding {
    /// `account`'s funding, batched; `None` for an account funded at
    /// genesis or not seen yet.
    pub(crate) async fn of(ctx: &Context<'_>, account: String) -> ApiResult<Option<Self>> {
        Ok(load_one::<fundings::Entity, String>(ctx, account)
            .await?
            .map(Funding))
    }
}

#[Object]
impl Funding {
    /// The account funded.
    async fn account(&self) -> Account {
        Account(self.0.account.clone())
    }
    /// The sender of the transfer.
    async fn funder(&self) -> Account {
        Account(self.0.funder.clone())
    }
    /// Native token, smallest unit.
    async fn amount(&self) -> Amount {
        self.0.amount.into()
    }
    async fn block_number(&self) -> i64 {
        self.0.block_number
    }
    /// Block time (ms).
    async fn timestamp(&self) -> i64 {
        self.0.timestamp
    }
}

connection!(FundingConnection, FundingEdge, Funding);

/// A wallet and how many accounts' first transfer it sent.
#[derive(SimpleObject)]
pub struct FunderFanout {
    pub funder: Account,
    /// Accounts it funded first (within the window asked for).
    pub accounts: i64,
}

#[derive(FromQueryResult)]
struct FanoutRow {
    funder: String,
    accounts: i64,
}

/// A customer's registry record.
#[derive(Clone)]
pub struct Customer(pub customers::Model);

#[Object]
impl Customer {
    async fn account(&self) -> &str {
        &self.0.account
    }
    /// The referring customer.
    async fn referrer(&self) -> Option<&str> {
        self.0.referrer.as_deref()
    }
    async fn status(&self) -> ApiResult<CustomerStatus> {
        enums::parse::<registry::CustomerStatus, _>("customers.status", &self.0.status)
    }
    /// Known from a first purchase, never registered.
    async fn implicit(&self) -> bool {
        self.0.implicit
    }
    async fn registered_at(&self) -> i64 {
        self.0.registered_at
    }
}

#[Object]
impl Account {
    async fn address(&self) -> &str {
        &self.0
    }
    /// Biz (BT) balance, smallest unit.
    async fn biz(&self, ctx: &Context<'_>) -> ApiResult<Amount> {
        self.balance(ctx, ledger::Token::Biz).await
    }
    /// Time (TT) balance, smallest unit.
    async fn time(&self, ctx: &Context<'_>) -> ApiResult<Amount> {
        self.balance(ctx, ledger::Token::Time).await
    }
    /// Reward sums by state; `claimable` is judged at the server's clock.
    async fn reward_totals(&self, ctx: &Context<'_>) -> ApiResult<RewardTotals> {
        let rows = load_many::<rewards::Entity, String>(ctx, self.0.clone()).await?;
        let now = now_ms();
        let mut t = RewardTotals::default();
        for r in rows {
            let status =
                enums::parse::<column::RewardStatus, RewardStatus>("rewards.status", &r.status)?;
            let biz = r.token == ledger::Token::Biz.as_str();
            let slot = match (status, r.matures_at <= now, biz) {
                (RewardStatus::Pending, false, true) => &mut t.pending_biz,
                (RewardStatus::Pending, false, false) => &mut t.pending_time,
                (RewardStatus::Pending, true, true) => &mut t.claimable_biz,
                (RewardStatus::Pending, true, false) => &mut t.claimable_time,
                (RewardStatus::Claimed, _, true) => &mut t.claimed_biz,
                (RewardStatus::Claimed, _, false) => &mut t.claimed_time,
                (RewardStatus::Forfeited, _, true) => &mut t.forfeited_biz,
                (RewardStatus::Forfeited, _, false) => &mut t.forfeited_time,
            };
            slot.0 = slot.0.saturating_add(r.amount.0);
        }
        Ok(t)
    }
    /// Reward entries, newest first.
    async fn rewards(
        &self,
        ctx: &Context<'_>,
        status: Option<RewardStatus>,
        #[graphql(default = 20, validator(minimum = 0, maximum = 100))] limit: u64,
    ) -> ApiResult<Vec<Reward>> {
        let mut q =
            rewards::Entity::find().filter(rewards::Column::Beneficiary.eq(self.0.as_str()));
        if let Some(s) = status {
            q = q.filter(rewards::Column::Status.eq(enums::text::<column::RewardStatus, _>(s)));
        }
        let rows = q
            .order_by_desc(rewards::Column::ReceiptId)
            .limit(limit)
            .all(db(ctx))
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(Reward {
                    token: enums::parse::<ledger::Token, _>("rewards.token", &r.token)?,
                    status: enums::parse::<column::RewardStatus, _>("rewards.status", &r.status)?,
                    receipt_id: r.receipt_id,
                    role: r.role,
                    amount: r.amount.into(),
                    matures_at: r.matures_at,
                    created_block: r.created_block,
                    settled_block: r.settled_block,
                })
            })
            .collect()
    }
    /// The account's BT lock, if it ever locked.
    async fn lock(&self, ctx: &Context<'_>) -> ApiResult<Option<Lock>> {
        let row = load_one::<locks::Entity, String>(ctx, self.0.clone()).await?;
        Ok(row.map(|l| Lock {
            status: l.status,
            amount: l.amount.into(),
            tier: l.tier,
            weight: l.weight.into(),
            unlock_at: l.unlock_at,
            unclaimed_dividends: l.unclaimed.into(),
        }))
    }
    /// Time dividends claimed, newest first.
    async fn dividends(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 0, maximum = 100))] limit: u64,
    ) -> ApiResult<Vec<DividendClaim>> {
        use dividend_claims::Column as D;
        let rows = dividend_claims::Entity::find()
            .filter(D::Account.eq(self.0.as_str()))
            .order_by_desc(D::BlockNumber)
            .order_by_desc(D::EventIndex)
            .limit(limit)
            .all(db(ctx))
            .await?;
        Ok(rows
            .into_iter()
            .map(|d| DividendClaim {
                amount: d.amount.into(),
                block_number: d.block_number,
                timestamp: d.timestamp,
            })
            .collect())
    }
    /// The merchant registered with this account, if any.
    async fn merchant(&self, ctx: &Context<'_>) -> ApiResult<Option<Merchant>> {
        Merchant::of(ctx, self.0.clone()).await
    }
    /// The customer record of this account, if any.
    async fn customer(&self, ctx: &Context<'_>) -> ApiResult<Option<Customer>> {
        Ok(load_one::<customers::Entity, String>(ctx, self.0.clone())
            .await?
            .map(Customer))
    }
    /// Customers who registered with this account as their referrer
    /// (the referral link), oldest first, at most 100.
    async fn referred(&self, ctx: &Context<'_>) -> ApiResult<Vec<Customer>> {
        let rows = customers::Entity::find()
            .filter(customers::Column::Referrer.eq(self.0.as_str()))
            .order_by_asc(customers::Column::RegisteredAt)
            .order_by_asc(customers::Column::Account)
            .limit(100)
            .all(db(ctx))
            .await?;
        Ok(rows.into_iter().map(Customer).collect())
    }
    /// Its first native-token transfer; null for an account funded at
    /// genesis or otherwise than by a transfer, or before the index began.
    async fn funded_by(&self, ctx: &Context<'_>) -> ApiResult<Option<Funding>> {
        Funding::of(ctx, self.0.clone()).await
    }
    /// The accounts whose first transfer came from this one, by block, then
    /// by address; `timestamp` narrows them to a window (ms), and
    /// `totalCount` is the fan-out.
    #[graphql(complexity = "super::list_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn funded(
        &self,
        ctx: &Context<'_>,
        timestamp: Option<IntFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<FundingConnection> {
        use fundings::Column as F;
        let mut select = fundings::Entity::find();
        if let Some(t) = timestamp {
            select = select.filter(t.condition(F::Timestamp)?);
        }
        let sort = Sort {
            column: F::BlockNumber,
            key: F::Account,
            descending: false,
        };
        let args = PageArgs::new(first, after, last, before);
        let p = page_of(ctx, select, F::Funder, &self.0, sort, args).await?;
        Ok(FundingConnection(p.map(Funding)))
    }
    /// Receipts where this account is the customer.
    #[graphql(complexity = "super::list_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn purchases(
        &self,
        ctx: &Context<'_>,
        filter: Option<ReceiptFilter>,
        order_by: Option<ReceiptOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<ReceiptConnection> {
        let parent = receipt_rows::Column::Customer;
        let args = crate::page::PageArgs::new(first, after, last, before);
        receipts::list_of(ctx, parent, &self.0, filter, order_by, args).await
    }
}

impl Account {
    async fn balance(&self, ctx: &Context<'_>, token: ledger::Token) -> ApiResult<Amount> {
        let rows = load_many::<token_balances::Entity, String>(ctx, self.0.clone()).await?;
        Ok(rows
            .iter()
            .find(|b| b.token == token.as_str())
            .map_or(Amount(0), |b| b.balance.into()))
    }
}

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// An account by SS58 address.
    async fn account(&self, address: String) -> ApiResult<Account> {
        check_account(&address)?;
        Ok(Account(address))
    }

    /// The wallets that funded the most accounts (their first native-token
    /// transfer), most first; `timestamp` (ms) narrows it to the fundings of
    /// a window, "who set up many accounts this week". Exchanges lead such a
    /// list; a wallet that is none is worth a reviewer's look, with
    /// `account(address) { funded { … } }` for the accounts.
    async fn top_funders(
        &self,
        ctx: &Context<'_>,
        timestamp: Option<IntFilter>,
        #[graphql(default = 20, validator(minimum = 0, maximum = 100))] first: u64,
    ) -> ApiResult<Vec<FunderFanout>> {
        use fundings::Column as F;
        let mut select = fundings::Entity::find()
            .select_only()
            .column(F::Funder)
            .column_as(F::Account.count(), "accounts")
            .group_by(F::Funder);
        if let Some(t) = timestamp {
            select = select.filter(t.condition(F::Timestamp)?);
        }
        let rows = select
            .order_by(F::Account.count(), Order::Desc)
            .order_by_asc(F::Funder)
            .limit(first)
            .into_model::<FanoutRow>()
            .all(db(ctx))
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| FunderFanout {
                funder: Account(r.funder),
                accounts: r.accounts,
            })
            .collect())
    }
}
