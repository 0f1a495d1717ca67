//! `fundings`: each account's first native-token transfer (`Balances::Transfer`),
//! which the fraud scorer feeds to the feature history (`crate::fraud`).

use super::{i, u, KEYS_PER_QUERY};
use crate::source::RawTransfer;
use bizkey_store::entity::fundings;
use bizkey_store::repo::upsert;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect,
};
use std::collections::HashSet;

/// A transfer of the batch, with its block.
pub(super) struct At {
    pub block: u64,
    pub timestamp: u64,
    pub transfer: RawTransfer,
}

/// Writes a row for each account the batch's transfers (in chain order) fund
/// for the first time: the first of the batch's transfers to it, unless an
/// earlier batch has its row. Rows are never changed afterwards, so a batch
/// applied again writes the same rows.
pub(super) async fn project<C: ConnectionTrait>(db: &C, transfers: Vec<At>) -> Result<(), DbErr> {
    let mut seen = HashSet::new();
    let first: Vec<fundings::Model> = transfers
        .into_iter()
        .filter(|t| seen.insert(t.transfer.to.0))
        .map(|t| fundings::Model {
            account: crate::ss58::ss58(&t.transfer.to.0),
            funder: crate::ss58::ss58(&t.transfer.from.0),
            amount: u(t.transfer.amount),
            block_number: i(t.block),
            event_index: i(t.transfer.event_index),
            timestamp: i(t.timestamp),
        })
        .collect();
    let mut known: HashSet<String> = HashSet::new();
    for chunk in first.chunks(KEYS_PER_QUERY) {
        known.extend(
            fundings::Entity::find()
                .select_only()
                .column(fundings::Column::Account)
                .filter(fundings::Column::Account.is_in(chunk.iter().map(|f| f.account.as_str())))
                .into_tuple::<String>()
                .all(db)
                .await?,
        );
    }
    let new: Vec<_> = first
        .into_iter()
        .filter(|f| !known.contains(&f.account))
        .map(IntoActiveModel::into_active_model)
        .collect();
    upsert(db, new).await
}
