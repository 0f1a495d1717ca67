//! The repository layer: every query the indexer makes, over any sea-orm
//! connection (`&DatabaseConnection` or a batch's transaction).

use crate::entity::{blocks, chain_meta, contracts};
use crate::migration::Migrator;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr,
    EntityTrait, IdenStatic, Iterable, PrimaryKeyToColumn,
};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;

/// Rows per multi-row INSERT: far below SQLite's 32,766 and PostgreSQL's
/// 65,535 bind parameters for our widest table (30 columns).
const CHUNK: usize = 500;

/// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://…`).
///
/// SQLite gets WAL (readers such as the GraphQL server do not block the
/// indexer) and `synchronous=NORMAL`, which in WAL mode still never loses a
/// committed transaction to a process crash (only, at worst, the last ones
/// to a power loss).
///
/// # Errors
/// Connection failures.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        // One writer; a pool of one keeps PRAGMAs and transactions on the same connection.
        opts.max_connections(1).min_connections(1);
    } else {
        opts.max_connections(4);
    }
    let db = Database::connect(opts).await?;
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA journal_mode=WAL").await?;
        db.execute_unprepared("PRAGMA synchronous=NORMAL").await?;
        db.execute_unprepared("PRAGMA busy_timeout=5000").await?;
    }
    Ok(db)
}

/// Applies pending migrations.
///
/// # Errors
/// Migration failures.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Inserts `rows`, replacing the non-key columns of rows that exist:
/// re-applying a block after a crash writes the same values again.
///
/// # Errors
/// Database errors.
pub async fn upsert<A, C>(db: &C, rows: Vec<A>) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    if rows.is_empty() {
        return Ok(());
    }
    let pk: Vec<<A::Entity as EntityTrait>::Column> =
        <<A::Entity as EntityTrait>::PrimaryKey as Iterable>::iter()
            .map(|k| k.into_column())
            .collect();
    let pk_names: Vec<&str> = pk.iter().map(|c| c.as_str()).collect();
    let others: Vec<<A::Entity as EntityTrait>::Column> =
        <<A::Entity as EntityTrait>::Column as Iterable>::iter()
            .filter(|c| !pk_names.contains(&c.as_str()))
            .collect();
    let mut rows = rows;
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(CHUNK));
        let chunk = std::mem::replace(&mut rows, rest);
        let mut conflict = OnConflict::columns(pk.clone());
        conflict.update_columns(others.clone());
        A::Entity::insert_many(chunk)
            .on_conflict(conflict)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// The checkpoint row, if the database was initialised.
///
/// # Errors
/// Database errors.
pub async fn chain_meta<C: ConnectionTrait>(db: &C) -> Result<Option<chain_meta::Model>, DbErr> {
    chain_meta::Entity::find_by_id(1).one(db).await
}

/// Writes the checkpoint row.
///
/// # Errors
/// Database errors.
pub async fn save_chain_meta<C: ConnectionTrait>(
    db: &C,
    meta: chain_meta::Model,
) -> Result<(), DbErr> {
    upsert(db, vec![chain_meta::ActiveModel::from(meta)]).await
}

/// Records the suite's contracts.
///
/// # Errors
/// Database errors.
pub async fn save_contracts<C: ConnectionTrait>(
    db: &C,
    rows: Vec<contracts::Model>,
) -> Result<(), DbErr> {
    upsert(
        db,
        rows.into_iter().map(contracts::ActiveModel::from).collect(),
    )
    .await
}

/// Stores blocks.
///
/// # Errors
/// Database errors.
pub async fn save_blocks<C: ConnectionTrait>(
    db: &C,
    rows: Vec<blocks::Model>,
) -> Result<(), DbErr> {
    upsert(
        db,
        rows.into_iter().map(blocks::ActiveModel::from).collect(),
    )
    .await
}
