//! How far the index has got.

use super::db;
use crate::error::ApiResult;
use async_graphql::{Context, Object, SimpleObject};
use bizkey_store::entity::{chain_meta, index_batches};
use sea_orm::{EntityTrait, QueryOrder};

/// The indexer's progress.
#[derive(SimpleObject, Clone, Debug)]
pub struct IndexerStatus {
    /// Genesis hash of the indexed chain.
    pub genesis_hash: String,
    /// Highest finalized block applied.
    pub indexed_height: i64,
    pub indexed_hash: String,
    /// The node's finalized head when the latest batch committed.
    pub head: i64,
    /// Finalized blocks not yet applied at that moment.
    pub lag: i64,
    /// When the latest batch committed (ms).
    pub committed_at: Option<i64>,
}

#[derive(Default)]
pub struct StatusQuery;

#[Object]
impl StatusQuery {
    /// The indexer's progress; null before it first committed.
    async fn indexer_status(&self, ctx: &Context<'_>) -> ApiResult<Option<IndexerStatus>> {
        let db = db(ctx);
        let Some(meta) = chain_meta::Entity::find_by_id(1).one(db).await? else {
            return Ok(None);
        };
        let last = index_batches::Entity::find()
            .order_by_desc(index_batches::Column::ToBlock)
            .one(db)
            .await?;
        let head = last.as_ref().map_or(meta.indexed_height, |b| b.head);
        Ok(Some(IndexerStatus {
            genesis_hash: meta.genesis_hash,
            indexed_height: meta.indexed_height,
            indexed_hash: meta.indexed_hash,
            head,
            lag: (head - meta.indexed_height).max(0),
            committed_at: last.map(|b| b.committed_at),
        }))
    }
}
