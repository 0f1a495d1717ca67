//! `bizkey-graphql`: serve the index as GraphQL.

use anyhow::Context;
use bizkey_graphql::{app, connect, Config};
use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use tracing_subscriber::EnvFilter;

// Requests allocate many small short-lived objects (parsed documents,
// rows, JSON); mimalloc serves them with less CPU than the system
// allocator and returns memory between bursts.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Flags override the environment.
#[derive(Parser, Debug)]
#[command(version, about = "Bizkey GraphQL API over the indexer's database")]
struct Cli {
    /// The indexer's database: sqlite://path or postgres://user@host/db.
    #[arg(long, env = "BIZKEY_GRAPHQL_DATABASE_URL")]
    database_url: String,
    /// Address to serve on.
    #[arg(long, env = "BIZKEY_GRAPHQL_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Deepest query accepted.
    #[arg(long, env = "BIZKEY_GRAPHQL_MAX_DEPTH", default_value_t = Config::default().max_depth)]
    max_depth: usize,
    /// Most complex query accepted.
    #[arg(long, env = "BIZKEY_GRAPHQL_MAX_COMPLEXITY", default_value_t = Config::default().max_complexity)]
    max_complexity: usize,
    /// Largest request body, bytes.
    #[arg(long, env = "BIZKEY_GRAPHQL_BODY_LIMIT", default_value_t = Config::default().body_limit)]
    body_limit: usize,
    /// PostgreSQL statement timeout, ms.
    #[arg(long, env = "BIZKEY_GRAPHQL_STATEMENT_TIMEOUT_MS", default_value_t = Config::default().statement_timeout_ms)]
    statement_timeout_ms: u64,
    /// Allowed CORS origin (repeat; none: any origin).
    #[arg(
        long = "cors-origin",
        env = "BIZKEY_GRAPHQL_CORS_ORIGINS",
        value_delimiter = ','
    )]
    cors_origins: Vec<String>,
    /// How often subscriptions look for new batches on SQLite, ms.
    #[arg(long, env = "BIZKEY_GRAPHQL_POLL_MS", default_value_t = 100)]
    poll_ms: u64,
    /// How long a batch loader keeps gathering keys after the other
    /// resolvers were polled once, µs (0: no longer).
    #[arg(long, env = "BIZKEY_GRAPHQL_BATCH_DELAY_US", default_value_t = 0)]
    batch_delay_us: u64,
    /// Serve the built dApp pages (dapp/dist) under /app/.
    #[arg(long, env = "BIZKEY_DAPP_DIR", requires = "manifest")]
    dapp_dir: Option<PathBuf>,
    /// The deployment manifest the pages read their contracts from.
    #[arg(long, env = "BIZKEY_MANIFEST")]
    manifest: Option<PathBuf>,
    /// The node's WebSocket URL as the browser reaches it (default: the
    /// manifest's).
    #[arg(long, env = "BIZKEY_NODE_URL")]
    node_url: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    let config = Config {
        database_url: cli.database_url,
        max_depth: cli.max_depth,
        max_complexity: cli.max_complexity,
        body_limit: cli.body_limit,
        statement_timeout_ms: cli.statement_timeout_ms,
        cors_origins: cli.cors_origins,
        poll: Duration::from_millis(cli.poll_ms.max(1)),
        batch_delay: Duration::from_micros(cli.batch_delay_us),
    };
    let db = connect(&config)
        .await
        .context("connecting to the index database")?;
    let (_, mut router) = app(db, &config);
    if let (Some(dir), Some(manifest)) = (cli.dapp_dir, cli.manifest) {
        let pages = bizkey_graphql::dapp::router(&bizkey_graphql::dapp::DappConfig {
            dir,
            manifest,
            node_url: cli.node_url,
        })
        .context("the dApp pages")?;
        router = router.merge(pages);
        tracing::info!(
            "dApp pages: http://{0}/app/wallet/ and http://{0}/app/console/",
            cli.listen
        );
    }
    let listener = tokio::net::TcpListener::bind(cli.listen)
        .await
        .with_context(|| format!("binding {}", cli.listen))?;
    tracing::info!("GraphQL on http://{}/graphql (GraphiQL at /)", cli.listen);
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown())
        .await
        .context("serving")?;
    Ok(())
}

/// SIGINT or SIGTERM.
async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => return ctrl_c.await.unwrap_or(()),
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await.unwrap_or(());
}
