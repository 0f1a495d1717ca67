//! Bizkey indexer: follows the finalized blocks of a substrate-contracts-node,
//! decodes the suite's contract events with the contracts' own types and
//! projects them into SQL (SQLite or PostgreSQL) through sea-orm.

pub mod amount;
pub mod config;
pub mod decode;
pub mod detail;
pub mod entity;
pub mod error;
pub mod follower;
pub mod http;
pub mod metrics;
pub mod migration;
pub mod projection;
pub mod repo;
pub mod source;

use std::collections::HashMap;
use std::sync::Arc;

pub use config::Config;
pub use error::IndexError;
pub use follower::{FollowOptions, Follower};
pub use projection::{BatchStats, ConfirmedReceipts, Projection};

/// Builds the indexer a configuration describes: reads the manifest,
/// connects to the database and migrates it. Nothing talks to the node yet.
///
/// # Errors
/// Manifest, configuration and database errors.
pub async fn build(config: &Config) -> Result<Follower, IndexError> {
    let manifest = bizkey_chain::Manifest::load(&config.manifest)?;
    let db = repo::connect(&config.database_url).await?;
    repo::migrate(&db).await?;
    let mut kinds = HashMap::new();
    let mut contracts = Vec::new();
    for c in &manifest.contracts {
        match decode::ContractKind::from_manifest_name(&c.name) {
            Some(kind) => {
                kinds.insert(c.address.0, kind);
                contracts.push((c.address.to_string(), kind.as_str().to_owned()));
            }
            None => {
                tracing::warn!(name = %c.name, "manifest contract of unknown kind: its events will count as unknown")
            }
        }
    }
    let url = config
        .node_url
        .clone()
        .unwrap_or_else(|| manifest.node_url.clone());
    Ok(Follower {
        db,
        connector: Arc::new(source::RpcConnector { url }),
        projection: Projection::new(kinds),
        options: FollowOptions {
            start_block: manifest.deployment_block.into(),
            expected_genesis: Some(manifest.genesis_hash.0),
            contracts,
            batch_blocks: config.batch_blocks,
            fetch_concurrency: config.fetch_concurrency,
            retry: std::time::Duration::from_millis(config.retry_ms),
            progress: config.progress,
            stop_at: config.stop_at,
        },
        metrics: Arc::new(metrics::Metrics::default()),
    })
}
