//! Fresh databases for the workspace's integration tests (feature
//! `test-support`), one kind for every test crate: a SQLite file in a
//! temporary directory, or a new database on the PostgreSQL server of
//! `BIZKEY_TEST_PG_URL` (`scripts/postgres.sh` starts one). Under CI the
//! PostgreSQL case is required; elsewhere it is skipped with a note when no
//! server is configured.

use crate::repo;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

/// The two engines the index runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Both engines, SQLite first.
pub const ENGINES: [Engine; 2] = [Engine::Sqlite, Engine::Postgres];

/// A fresh, empty database (not migrated: [`TestDb::connect`] migrates).
/// The SQLite file goes with the value; a PostgreSQL database stays on the
/// test server until a later test process finds its creator gone
/// ([`drop_stale`]).
pub struct TestDb {
    pub engine: Engine,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// Distinguishes the databases one test process creates.
static NEXT: AtomicU64 = AtomicU64::new(0);

/// Whether this process has dropped the stale test databases.
static STALE_DROPPED: AtomicBool = AtomicBool::new(false);

/// Test databases are named `{PREFIX}{pid}_{unix ms}_{n}`.
const PREFIX: &str = "bizkey_t_";

/// Drops the test databases whose creating process has exited (`/proc`
/// has no such pid): an async test cannot drop its database when the value
/// goes, so each test process sweeps up after the earlier ones. A pid reused
/// by another process keeps its databases until that one exits; one still
/// in use (another test binary running) refuses the drop, which is ignored.
async fn drop_stale(admin: &DatabaseConnection) {
    let proc = std::path::Path::new("/proc");
    if !proc.is_dir() {
        return;
    }
    let Ok(rows) = admin
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!("SELECT datname FROM pg_database WHERE starts_with(datname, '{PREFIX}')"),
        ))
        .await
    else {
        return;
    };
    for row in rows {
        let Ok(name) = row.try_get_by_index::<String>(0) else {
            continue;
        };
        let pid = name[PREFIX.len()..].split('_').next().unwrap_or_default();
        let ours = pid == std::process::id().to_string();
        if !ours && !pid.is_empty() && !proc.join(pid).exists() {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\""))
                .await;
        }
    }
}

impl TestDb {
    /// `None` for PostgreSQL outside CI when `BIZKEY_TEST_PG_URL` is unset.
    ///
    /// # Panics
    /// When the temporary directory or the database cannot be created, or
    /// under CI without `BIZKEY_TEST_PG_URL`.
    pub async fn new(engine: Engine) -> Option<Self> {
        let db = match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("index.db").display()
                );
                Self {
                    engine,
                    url,
                    _dir: Some(dir),
                }
            }
            Engine::Postgres => {
                let Ok(base) = std::env::var("BIZKEY_TEST_PG_URL") else {
                    assert!(
                        std::env::var_os("CI").is_none(),
                        "CI must set BIZKEY_TEST_PG_URL (scripts/postgres.sh)"
                    );
                    eprintln!(
                        "BIZKEY_TEST_PG_URL unset: PostgreSQL case not run (scripts/postgres.sh starts one)"
                    );
                    return None;
                };
                let admin = repo::connect(&base).await.expect("test PostgreSQL server");
                if !STALE_DROPPED.swap(true, Relaxed) {
                    drop_stale(&admin).await;
                }
                let name = format!(
                    "{PREFIX}{}_{}_{}",
                    std::process::id(),
                    crate::unix_ms(),
                    NEXT.fetch_add(1, Relaxed)
                );
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("CREATE DATABASE");
                let (prefix, _) = base.rsplit_once('/').expect("a database URL");
                Self {
                    engine,
                    url: format!("{prefix}/{name}"),
                    _dir: None,
                }
            }
        };
        Some(db)
    }

    /// A connection to it, the schema migrated.
    ///
    /// # Panics
    /// When it cannot connect or migrate.
    pub async fn connect(&self) -> DatabaseConnection {
        let db = repo::connect(&self.url).await.expect("connect");
        repo::migrate(&db).await.expect("migrate");
        db
    }
}
