//! `bizkey-indexer`: follow the chain into SQL, or manage the schema.

use anyhow::Context;
use bizkey_chain::Secret;
use bizkey_indexer::Config;
use bizkey_store::migration::Migrator;
use bizkey_store::repo;
use clap::{Parser, Subcommand};
use sea_orm_migration::MigratorTrait;
use std::net::SocketAddr;
use std::path::PathBuf;
use tracing_subscriber::EnvFilter;

/// Flags override the environment, which overrides the config file.
#[derive(Parser, Debug)]
#[command(version, about = "Bizkey indexer: finalized contract events into SQL")]
struct Cli {
    /// TOML config file.
    #[arg(long, env = "BIZKEY_INDEXER_CONFIG")]
    config: Option<PathBuf>,
    /// sqlite://path?mode=rwc or postgres://user@host/db.
    #[arg(long, env = "BIZKEY_INDEXER_DATABASE_URL")]
    database_url: Option<String>,
    /// Deployment manifest.
    #[arg(long, env = "BIZKEY_MANIFEST")]
    manifest: Option<PathBuf>,
    /// Node RPC URL (default: the manifest's).
    #[arg(long, env = "BIZKEY_NODE_URL")]
    node_url: Option<String>,
    /// Health and metrics endpoint.
    #[arg(long, env = "BIZKEY_INDEXER_LISTEN")]
    listen: Option<SocketAddr>,
    /// Most blocks per SQL transaction.
    #[arg(long, env = "BIZKEY_INDEXER_BATCH_BLOCKS")]
    batch_blocks: Option<usize>,
    /// Blocks fetched concurrently.
    #[arg(long, env = "BIZKEY_INDEXER_FETCH_CONCURRENCY")]
    fetch_concurrency: Option<usize>,
    /// No progress bar.
    #[arg(long)]
    no_progress: bool,
    /// Do not score receipts with the fraud model.
    #[arg(long)]
    no_scoring: bool,
    /// Fraud model (default: the committed models/fraud.onnx).
    #[arg(long, env = "BIZKEY_FRAUD_MODEL")]
    fraud_model: Option<PathBuf>,
    /// Secret URI of the ledger's reporter, which flags receipts above the
    /// model's threshold (prefer the environment or the config file: a flag
    /// shows in the process list).
    #[arg(long, env = "BIZKEY_REPORTER_SURI", hide_env_values = true)]
    reporter_suri: Option<Secret>,
    /// Exit once this block is indexed.
    #[arg(long)]
    stop_at: Option<u64>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Follow the chain (the default).
    Run,
    /// Manage the schema without indexing.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Print the SQL reference (docs/sql.md).
    SqlDocs,
}

#[derive(Subcommand, Debug)]
enum MigrateAction {
    /// Apply pending migrations.
    Up,
    /// Roll back the last `n` migrations (all without `n`).
    Down { n: Option<u32> },
    /// List migrations and whether they are applied.
    Status,
}

impl Cli {
    fn config(&self) -> anyhow::Result<Config> {
        let mut c = Config::load(self.config.as_deref())?;
        if let Some(v) = &self.database_url {
            c.database_url = v.clone();
        }
        if let Some(v) = &self.manifest {
            c.manifest = v.clone();
        }
        if let Some(v) = &self.node_url {
            c.node_url = Some(v.clone());
        }
        if let Some(v) = self.listen {
            c.listen = Some(v);
        }
        if let Some(v) = self.batch_blocks {
            c.batch_blocks = v;
        }
        if let Some(v) = self.fetch_concurrency {
            c.fetch_concurrency = v;
        }
        if self.no_progress {
            c.progress = false;
        }
        if self.no_scoring {
            c.score_receipts = false;
        }
        if let Some(v) = &self.fraud_model {
            c.fraud_model = Some(v.clone());
        }
        if let Some(v) = &self.reporter_suri {
            c.reporter_suri = Some(v.clone());
        }
        if self.stop_at.is_some() {
            c.stop_at = self.stop_at;
        }
        Ok(c)
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let config = cli.config()?;
    match cli.command {
        Some(Command::SqlDocs) => {
            print!("{}", bizkey_store::migration::sql_docs());
            Ok(())
        }
        Some(Command::Migrate { action }) => {
            let db = repo::connect(&config.database_url)
                .await
                .context("database")?;
            match action {
                MigrateAction::Up => Migrator::up(&db, None).await?,
                MigrateAction::Down { n } => Migrator::down(&db, n).await?,
                MigrateAction::Status => {
                    for m in Migrator::get_migration_with_status(&db).await? {
                        println!("{} {}", m.name(), m.status());
                    }
                }
            }
            Ok(())
        }
        None | Some(Command::Run) => run(config).await,
    }
}

async fn run(config: Config) -> anyhow::Result<()> {
    let bizkey_indexer::Indexer { follower, reporter } = bizkey_indexer::build_indexer(&config)
        .await
        .context("start-up")?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
        }
        tracing::info!("shutting down");
        let _ = stop_tx.send(true);
    });
    let server = config.listen.map(|addr| {
        let (metrics, rx) = (follower.metrics.clone(), stop_rx.clone());
        tracing::info!(%addr, "health and metrics");
        tokio::spawn(bizkey_indexer::http::serve(addr, metrics, rx))
    });
    let reporter = reporter.map(|r| {
        tracing::info!(account = %r.account(), "fraud reporter");
        tokio::spawn(r.run(stop_rx.clone()))
    });
    let result = follower.run(stop_rx).await;
    if let Some(reporter) = reporter {
        reporter.abort();
    }
    if let Some(server) = server {
        server.abort();
    }
    result.context("indexer stopped")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reporter_key_is_never_shown() {
        let secret = "//Alice//very-secret-reporter";
        let cli = Cli::try_parse_from(["bizkey-indexer", "--reporter-suri", secret]).unwrap();
        let config = cli.config().unwrap();
        assert_eq!(
            config.reporter_suri.as_ref().map(Secret::expose),
            Some(secret)
        );
        for shown in [format!("{cli:?}"), format!("{config:?}")] {
            assert!(!shown.contains("very-secret"), "{shown}");
            assert!(shown.contains(Secret::REDACTED), "{shown}");
        }
    }
}
