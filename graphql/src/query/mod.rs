//! The query root, merged from one object per domain.

pub mod accounts;
pub mod community;
pub mod fraud;
pub mod merchants;
pub mod offers;
pub mod receipts;
pub mod status;

pub use accounts::Customer;

use crate::error::{ApiError, ApiResult};
use crate::loader::{Batcher, Many, One};
use async_graphql::{Context, MergedObject};
use sea_orm::{DatabaseConnection, EntityTrait};

/// Every query a dApp makes.
#[derive(MergedObject, Default)]
pub struct Query(
    accounts::AccountQuery,
    merchants::MerchantQuery,
    receipts::ReceiptQuery,
    community::CommunityQuery,
    fraud::FraudQuery,
    offers::OfferQuery,
    status::StatusQuery,
);

pub(crate) fn db<'a>(ctx: &Context<'a>) -> &'a DatabaseConnection {
    ctx.data_unchecked::<DatabaseConnection>()
}

/// The row of `E` with key `k`, through the batch loader registered for it.
pub(crate) async fn load_one<E, K>(ctx: &Context<'_>, k: K) -> ApiResult<Option<E::Model>>
where
    E: EntityTrait,
    E::Model: Send + Sync + Clone,
    K: Into<sea_orm::Value> + Clone + std::hash::Hash + Eq + Send + Sync + 'static,
{
    ctx.data_unchecked::<Batcher<One<E, K>>>()
        .load(k)
        .await
        .map_err(ApiError::from)
}

/// The rows of `E` with key `k`, through the batch loader registered for it.
pub(crate) async fn load_many<E, K>(ctx: &Context<'_>, k: K) -> ApiResult<Vec<E::Model>>
where
    E: EntityTrait,
    E::Model: Send + Sync + Clone,
    K: Into<sea_orm::Value> + Clone + std::hash::Hash + Eq + Send + Sync + 'static,
{
    Ok(ctx
        .data_unchecked::<Batcher<Many<E, K>>>()
        .load(k)
        .await
        .map_err(ApiError::from)?
        .unwrap_or_default())
}

/// Complexity of a list field: its page size times its children's. Capped
/// far above any limit so that async-graphql's sums cannot overflow.
pub(crate) fn list_complexity(first: Option<i32>, last: Option<i32>, child: usize) -> usize {
    const CAP: usize = 1 << 40;
    let n = first.or(last).map_or(crate::page::DEFAULT_PAGE, |n| {
        n.clamp(0, crate::page::MAX_PAGE as i32) as u32
    });
    (n as usize)
        .saturating_mul(child)
        .saturating_add(1)
        .min(CAP)
}
