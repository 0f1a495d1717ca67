//! The repository layer: every query the indexer makes, over any sea-orm
//! connection (`&DatabaseConnection` or a batch's transaction).

use crate::entity::{blocks, chain_meta, contracts, index_batches};
use crate::migration::Migrator;
use sea_orm::{
    ActiveModelTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend,
    DbErr, EntityName, EntityTrait, IdenStatic, Iterable, PrimaryKeyToColumn, Statement,
};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;

/// The most rows per multi-row INSERT: far below SQLite's 32,766 and
/// PostgreSQL's 65,535 bind parameters for our widest table (30 columns).
/// A power of two, see [`chunk_len`].
const CHUNK: usize = 256;

/// The rows of the next INSERT when `left` remain: [`CHUNK`], then the
/// largest power of two down to 16, then the rest (a live block's few rows
/// stay one statement). A table's statements thus come in at most 20 sizes
/// whose text repeats from batch to batch, so that each is prepared once per
/// connection and stays in the statement cache; a remainder of any size
/// would be a new statement to prepare (and, on PostgreSQL, plan) each time,
/// and crowd the cache with statements used once (SQLite keeps each one
/// compiled, ~100 kB for a few hundred rows).
fn chunk_len(left: usize) -> usize {
    match left {
        CHUNK.. => CHUNK,
        16.. => 1 << left.ilog2(),
        _ => left,
    }
}

/// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://…`).
///
/// SQLite gets WAL (readers such as the GraphQL server do not block the
/// indexer) and `synchronous=NORMAL`, which in WAL mode still never loses a
/// committed transaction to a process crash (only, at worst, the last ones
/// to a power loss or OS crash; the cursor commits with the data, so those
/// blocks are simply indexed again). In that mode commits do not sync; the
/// checkpoints that copy the WAL into the database do, and
/// [`WalCheckpointer`] takes them off the writer's commits.
///
/// PostgreSQL sessions get `synchronous_commit = off` (a startup option, no
/// extra round trip): a commit returns before its WAL is flushed, so a
/// server crash (not a client one) can lose the last transactions committed
/// within ~3 × `wal_writer_delay`. Nothing is ever half-applied, and the
/// indexer's cursor commits with its batch, so lost batches are indexed
/// again from the chain; a synchronous commit (the GraphQL server's, say)
/// flushes every earlier one with it. See docs/indexer.md, "Asynchronous
/// commit on PostgreSQL".
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
        opts.max_connections(4)
            .map_sqlx_postgres_opts(|o| o.options([("synchronous_commit", "off")]));
    }
    let db = Database::connect(opts).await?;
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA journal_mode=WAL").await?;
        db.execute_unprepared("PRAGMA synchronous=NORMAL").await?;
        db.execute_unprepared("PRAGMA busy_timeout=5000").await?;
    }
    Ok(db)
}

/// Checkpoints an SQLite database's WAL from a connection of its own, every
/// `every`, until dropped.
///
/// Without it the writer checkpoints itself after the commit that grows the
/// WAL past 1,000 pages, and that commit waits for the checkpoint's syncs:
/// live on the shared benchmark machine one commit in 40 took 10 to 60 ms
/// instead of 0.1 ms. A passive checkpoint on another connection neither
/// waits for nor blocks the writer. The writer's own automatic checkpoint
/// stays as the backstop (a backfill can outrun this one).
pub struct WalCheckpointer {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for WalCheckpointer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl WalCheckpointer {
    /// Starts checkpointing the file behind `db`: `None` for PostgreSQL, an
    /// in-memory database, or a second connection that cannot be opened (a
    /// warning: indexing goes on, the writer checkpoints as before).
    pub async fn start(db: &DatabaseConnection, every: Duration) -> Option<Self> {
        if db.get_database_backend() != DbBackend::Sqlite {
            return None;
        }
        let file = match sqlite_file(db).await {
            Ok(Some(file)) => file,
            Ok(None) => return None,
            Err(e) => {
                tracing::warn!("no WAL checkpointer: {e}");
                return None;
            }
        };
        let mut opts = ConnectOptions::new(format!("sqlite://{file}?mode=rw"));
        opts.sqlx_logging(false)
            .max_connections(1)
            .min_connections(1)
            .connect_timeout(Duration::from_secs(10));
        let conn = match Database::connect(opts).await {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!(file, "no WAL checkpointer: {e}");
                return None;
            }
        };
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                // PASSIVE: copies what no reader still needs, never waits.
                if let Err(e) = conn
                    .execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)")
                    .await
                {
                    tracing::debug!("WAL checkpoint: {e}");
                }
            }
        });
        Some(Self { task })
    }
}

/// The main database file of an SQLite connection (`None` in memory).
async fn sqlite_file(db: &DatabaseConnection) -> Result<Option<String>, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT file FROM pragma_database_list WHERE name = 'main'",
        ))
        .await?;
    let file = match row {
        Some(row) => row.try_get::<String>("", "file")?,
        None => String::new(),
    };
    Ok(Some(file).filter(|f| !f.is_empty()))
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
/// The statement is written here rather than by sea-query's `InsertMany`:
/// the same `INSERT … VALUES (…), … ON CONFLICT (key) DO UPDATE SET c =
/// excluded.c, …` text, the values moved out of the rows instead of wrapped
/// in expressions, cloned when built and dropped (that path was about a
/// third of the indexer's CPU in a backfill's write stage). Rows are whole
/// (every caller writes models): a column left unset is an error. Like
/// sea-query's statement, it binds every value as it is: the entities have
/// no `save_as` casts (no database enums). SQLite and PostgreSQL only.
/// The rows are taken from `rows` a chunk at a time: an iterator that makes
/// them (the indexer's event rows) holds one chunk's worth at most.
///
/// # Errors
/// Database errors; [`DbErr::Custom`] for a row with a column unset.
pub async fn upsert<A, C>(
    db: &C,
    rows: impl IntoIterator<Item = A, IntoIter: ExactSizeIterator>,
) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    let mut rows = rows.into_iter();
    let mut left = rows.len();
    if left == 0 {
        return Ok(());
    }
    let backend = db.get_database_backend();
    let table = A::Entity::default().table_name();
    let columns: Vec<<A::Entity as EntityTrait>::Column> =
        <<A::Entity as EntityTrait>::Column as Iterable>::iter().collect();
    let names: Vec<&str> = columns.iter().map(|c| c.as_str()).collect();
    let key: Vec<&str> = <<A::Entity as EntityTrait>::PrimaryKey as Iterable>::iter()
        .map(|k| k.into_column().as_str())
        .collect();
    let others: Vec<&str> = names.iter().copied().filter(|n| !key.contains(n)).collect();
    // Full chunks repeat: their text is built once.
    let mut full = None;
    while left > 0 {
        let n = chunk_len(left);
        left -= n;
        let mut values = Vec::with_capacity(n * columns.len());
        for mut row in rows.by_ref().take(n) {
            for c in &columns {
                let v = row.take(*c).into_value().ok_or_else(|| {
                    DbErr::Custom(format!("upsert into {table}: column {} unset", c.as_str()))
                })?;
                values.push(v);
            }
        }
        let sql = |n| upsert_sql(backend, table, &names, &key, &others, n);
        let text = if n == CHUNK {
            full.get_or_insert_with(|| sql(n)).clone()
        } else {
            sql(n)
        };
        db.execute_raw(Statement::from_sql_and_values(backend, text, values))
            .await?;
    }
    Ok(())
}

/// `INSERT INTO "t" ("a", "b") VALUES ($1, $2), … ON CONFLICT ("a") DO
/// UPDATE SET "b" = "excluded"."b"` for `rows` rows (`?` placeholders on
/// SQLite; `DO NOTHING` when every column is in the key).
fn upsert_sql(
    backend: DbBackend,
    table: &str,
    columns: &[&str],
    key: &[&str],
    others: &[&str],
    rows: usize,
) -> String {
    use std::fmt::Write;
    let quoted = |names: &[&str]| {
        names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut sql = String::with_capacity(64 + rows * columns.len() * 7 + others.len() * 40);
    let _ = write!(sql, "INSERT INTO \"{table}\" ({}) VALUES ", quoted(columns));
    let mut n = 0;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..columns.len() {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            if backend == DbBackend::Postgres {
                let _ = write!(sql, "${n}");
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
    let _ = write!(sql, " ON CONFLICT ({}) DO ", quoted(key));
    if others.is_empty() {
        sql.push_str("NOTHING");
    } else {
        sql.push_str("UPDATE SET ");
        for (i, c) in others.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            let _ = write!(sql, "\"{c}\" = \"excluded\".\"{c}\"");
        }
    }
    sql
}

/// How PostgreSQL plans the transaction's next statements ([`plan`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plans {
    /// Each execution planned for its values: for reads by key.
    PerExecution,
    /// The server's default: a prepared statement's plan is reused once it
    /// proves no worse than planning each time; for the multi-row writes.
    Reused,
}

/// Sets how the rest of the transaction's statements are planned, on
/// PostgreSQL (`SET LOCAL plan_cache_mode`; nothing on SQLite).
///
/// Every statement is prepared and cached per connection, and PostgreSQL
/// switches a statement to one generic plan after five executions. For a
/// read by key made while a fresh index's table was near empty, that plan is
/// a sequential scan, and it is kept while the table grows, until
/// autovacuum's next `ANALYZE` (up to a minute, longer than a short
/// backfill): a backfill's reads then took seconds instead of milliseconds
/// (`receipts` by id: 2.7 s over 105 reads of a 28,000-row table). Planning
/// each read is cheap; planning each multi-row write is not (0.2 ms, ~10 %
/// of a backfill's write stage), so the writes keep the default.
///
/// # Errors
/// Database errors.
pub async fn plan<C: ConnectionTrait>(db: &C, plans: Plans) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared(match plans {
            Plans::PerExecution => "SET LOCAL plan_cache_mode = force_custom_plan",
            Plans::Reused => "SET LOCAL plan_cache_mode = auto",
        })
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
    upsert(db, rows.into_iter().map(contracts::ActiveModel::from)).await
}

/// Stores blocks.
///
/// # Errors
/// Database errors.
pub async fn save_blocks<C: ConnectionTrait>(
    db: &C,
    rows: Vec<blocks::Model>,
) -> Result<(), DbErr> {
    upsert(db, rows.into_iter().map(blocks::ActiveModel::from)).await
}

/// The channel PostgreSQL notifies on every committed batch (payload: the
/// batch's last block). Delivered at commit, never for a rolled-back batch.
pub const BATCH_CHANNEL: &str = "bizkey_batches";

/// Logs a committed batch, inside its transaction, and on PostgreSQL
/// notifies [`BATCH_CHANNEL`] listeners at commit.
///
/// # Errors
/// Database errors.
pub async fn save_batch<C: ConnectionTrait>(
    db: &C,
    batch: index_batches::Model,
) -> Result<(), DbErr> {
    let to = batch.to_block;
    upsert(db, vec![index_batches::ActiveModel::from(batch)]).await?;
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared(&format!("NOTIFY {BATCH_CHANNEL}, '{to}'"))
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checkpointer copies the WAL into the database file on its own
    /// (the writer's automatic checkpoint waits for 1,000 pages).
    #[tokio::test]
    async fn the_checkpointer_moves_the_wal_into_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let db = connect(&format!("sqlite://{}?mode=rwc", path.display()))
            .await
            .unwrap();
        db.execute_unprepared("CREATE TABLE t (x INTEGER)")
            .await
            .unwrap();
        for _ in 0..20 {
            db.execute_unprepared("INSERT INTO t VALUES (1)")
                .await
                .unwrap();
        }
        let file_len = || std::fs::metadata(&path).unwrap().len();
        let before = file_len();
        let wal = std::fs::metadata(dir.path().join("c.db-wal"))
            .unwrap()
            .len();
        assert!(wal > 0, "the writes are in the WAL");
        let checkpointer = WalCheckpointer::start(&db, Duration::from_millis(10)).await;
        assert!(checkpointer.is_some());
        // Not a timing assertion: a generous deadline for the first tick.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while file_len() == before && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(file_len() > before, "the table reached the database file");
    }

    /// Any row count splits into full chunks, at most one chunk of each
    /// smaller power of two from 16, and a last one of fewer than 16 rows.
    #[test]
    fn chunks_are_full_or_of_one_of_20_sizes() {
        for rows in 0..3 * CHUNK + 7 {
            let mut sizes = Vec::new();
            let mut left = rows;
            while left > 0 {
                sizes.push(chunk_len(left));
                left -= sizes.last().unwrap();
            }
            assert_eq!(sizes.iter().sum::<usize>(), rows);
            assert_eq!(sizes.iter().filter(|&&n| n == CHUNK).count(), rows / CHUNK);
            let rest: Vec<usize> = sizes.iter().copied().filter(|&n| n < CHUNK).collect();
            assert!(rest.windows(2).all(|w| w[0] > w[1]), "{rows}: {sizes:?}");
            let (small, powers): (Vec<usize>, Vec<usize>) = rest.iter().partition(|&&n| n < 16);
            assert!(small.len() <= 1, "{rows}: {sizes:?}");
            assert!(
                powers.iter().all(|n| n.is_power_of_two()),
                "{rows}: {sizes:?}"
            );
        }
    }

    #[tokio::test]
    async fn no_checkpointer_in_memory() {
        let db = connect("sqlite::memory:").await.unwrap();
        assert!(WalCheckpointer::start(&db, Duration::from_millis(10))
            .await
            .is_none());
    }
}
