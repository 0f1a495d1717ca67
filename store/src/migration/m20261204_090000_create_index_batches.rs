//! The log of committed batches: what the API's subscriptions follow.

use super::schema::{col, create_tables, drop_tables, Table, Ty::*};
use sea_orm_migration::prelude::*;

pub const TABLES: &[Table] = &[Table {
    name: "index_batches",
    doc: "One row per committed batch of blocks, written in the batch's own transaction: the GraphQL API polls it (or, on PostgreSQL, is woken by NOTIFY bizkey_batches) to push what changed to its subscribers, and reads the node's head from it.",
    columns: &[
        col("to_block", BigInt, "Last block of the batch (its indexed height)."),
        col("from_block", BigInt, "First block of the batch."),
        col("head", BigInt, "The node's finalized head when the batch committed."),
        col("events", BigInt, "Contract events of the suite in the batch."),
        col("committed_at", BigInt, "Commit time (ms, the indexer's clock)."),
    ],
    primary_key: &["to_block"],
    indexes: &[],
}];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_tables(manager, TABLES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, TABLES).await
    }
}
