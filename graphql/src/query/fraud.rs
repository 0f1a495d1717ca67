//! The fraud model's verdicts on groups of receipts (`fraud_groups`,
//! bizkey-fraud's `group`): what the super nodes review, highest first.

use super::accounts::Funding;
use super::merchants::Merchant;
use super::{db, load_one};
use crate::enums::{self, FraudGroupKind};
use crate::error::{ApiError, ApiResult};
use crate::filter::check_account;
use crate::page::{connection, page, PageArgs, Sort};
use async_graphql::{Context, Object};
use bizkey_store::column;
use bizkey_store::entity::{fraud_group_flags, fraud_groups};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

fn kind_text(kind: FraudGroupKind) -> &'static str {
    enums::text::<column::FraudGroupKind, _>(kind)
}

fn kind_of(text: &str) -> ApiResult<FraudGroupKind> {
    enums::parse::<column::FraudGroupKind, _>("fraud_groups.kind", text)
}

/// A fraction of parts per million.
pub(crate) fn fraction(ppm: i64) -> f64 {
    ppm as f64 / 1e6
}

/// A group's running fraud score.
#[derive(Clone)]
pub struct FraudGroup(pub fraud_groups::Model);

#[Object]
impl FraudGroup {
    async fn kind(&self) -> ApiResult<FraudGroupKind> {
        kind_of(&self.0.kind)
    }
    /// The merchant, customer or referrer.
    async fn account(&self) -> &str {
        &self.0.account
    }
    /// The shop registered with the group's account, if any: for a shop's
    /// group, the shop; for a customer or a referrer, set when that account
    /// is also a shop's (an owner buying at colluding shops with it).
    async fn merchant(&self, ctx: &Context<'_>) -> ApiResult<Option<Merchant>> {
        Merchant::of(ctx, self.0.account.clone()).await
    }
    /// Who funded the group's account (its first native-token transfer):
    /// `funder { funded { totalCount } }` is how many accounts that wallet
    /// set up, which for a ring's fake customers is all of them.
    async fn funded_by(&self, ctx: &Context<'_>) -> ApiResult<Option<Funding>> {
        Funding::of(ctx, self.0.account.clone()).await
    }
    /// Scored receipts in the group.
    async fn receipts(&self) -> i64 {
        self.0.receipts
    }
    /// Of them, scored at or above the model's threshold.
    async fn above_threshold(&self) -> i64 {
        self.0.above
    }
    /// The mean of the group's three highest receipt scores, 0..1; null
    /// below three receipts.
    async fn score(&self) -> Option<f64> {
        self.0.score_ppm.map(fraction)
    }
    /// The mean of all its receipt scores, 0..1.
    async fn mean_score(&self) -> f64 {
        if self.0.receipts == 0 {
            0.0
        } else {
            fraction(self.0.score_sum_ppm) / self.0.receipts as f64
        }
    }
    /// Its highest receipt scores, highest first (up to three).
    async fn top_scores(&self) -> Vec<f64> {
        let top = [self.0.top1_ppm, self.0.top2_ppm, self.0.top3_ppm];
        let n = usize::try_from(self.0.receipts).unwrap_or(0).min(top.len());
        top[..n].iter().copied().map(fraction).collect()
    }
}

/// Why a receipt below the threshold was sent to the flag: its customer's
/// group score reached the threshold while the receipt was in its window.
#[derive(Clone)]
pub struct RaisedBy(pub fraud_group_flags::Model);

#[Object]
impl RaisedBy {
    async fn kind(&self) -> ApiResult<FraudGroupKind> {
        kind_of(&self.0.kind)
    }
    async fn account(&self) -> &str {
        &self.0.account
    }
    /// The group's score when it raised the receipt, 0..1.
    async fn group_score(&self) -> f64 {
        fraction(self.0.group_score_ppm)
    }
}

/// A receipt's [`RaisedBy`], batched.
pub(crate) async fn raised_by(ctx: &Context<'_>, receipt: i64) -> ApiResult<Option<RaisedBy>> {
    Ok(load_one::<fraud_group_flags::Entity, i64>(ctx, receipt)
        .await?
        .map(RaisedBy))
}

connection!(FraudGroupConnection, FraudGroupEdge, FraudGroup);

#[derive(Default)]
pub struct FraudQuery;

#[Object]
impl FraudQuery {
    /// One group's score; null if none of its receipts was scored.
    async fn fraud_group(
        &self,
        ctx: &Context<'_>,
        kind: FraudGroupKind,
        account: String,
    ) -> ApiResult<Option<FraudGroup>> {
        check_account(&account)?;
        Ok(
            fraud_groups::Entity::find_by_id((kind_text(kind).to_owned(), account))
                .one(db(ctx))
                .await?
                .map(FraudGroup),
        )
    }

    /// Groups of one kind with a score (three receipts or more), highest
    /// score first: the super nodes' review list. `minScore` (0..1) keeps
    /// those at or above it.
    #[graphql(complexity = "super::list_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn fraud_groups(
        &self,
        ctx: &Context<'_>,
        kind: FraudGroupKind,
        min_score: Option<f64>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<FraudGroupConnection> {
        use fraud_groups::Column as C;
        let mut select = fraud_groups::Entity::find()
            .filter(C::Kind.eq(kind_text(kind)))
            .filter(C::ScorePpm.is_not_null());
        if let Some(min) = min_score {
            if !(0.0..=1.0).contains(&min) {
                return Err(ApiError::BadInput(format!(
                    "minScore must be within 0..1, got {min}"
                )));
            }
            select = select.filter(C::ScorePpm.gte((min * 1e6).round() as i64));
        }
        let sort = Sort {
            column: C::ScorePpm,
            key: C::Account,
            descending: true,
        };
        let args = PageArgs::new(first, after, last, before);
        let p = page(db(ctx), select, sort, args).await?;
        Ok(FraudGroupConnection(p.map(FraudGroup)))
    }
}
