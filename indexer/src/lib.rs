//! Bizkey indexer: follows the finalized blocks of a substrate-contracts-node,
//! decodes the suite's contract events with the contracts' own types and
//! projects them into SQL (SQLite or PostgreSQL) through sea-orm.

pub mod config;
pub mod decode;
pub mod error;
pub mod follower;
pub mod fraud;
pub mod http;
#[cfg(feature = "loadgen")]
pub mod loadgen;
pub mod metrics;
pub mod projection;
pub mod source;
pub mod ss58;

use bizkey_chain::ContractKind;
use bizkey_store::repo;
use std::collections::HashMap;
use std::sync::Arc;

pub use config::Config;
pub use error::IndexError;
pub use follower::{FollowOptions, Follower};
pub use projection::{Applied, BatchStats, Projection};

/// Builds the indexer a configuration describes: reads the manifest,
/// connects to the database and migrates it. Nothing talks to the node yet.
///
/// # Errors
/// Manifest, configuration and database errors.
pub async fn build(config: &Config) -> Result<Follower, IndexError> {
    Ok(build_indexer(config).await?.follower)
}

/// The follower and, when `reporter_suri` is configured, the fraud reporter
/// (spawn [`fraud::Reporter::run`] beside [`Follower::run`]).
pub struct Indexer {
    pub follower: Follower,
    pub reporter: Option<fraud::Reporter>,
}

/// How long start-up waits for the node when a reporter must be checked.
pub const REPORTER_CHECK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// [`build`], plus the fraud reporter when a key is configured. With a
/// reporter this does talk to the node: [`fraud::Reporter::check`] makes
/// sure the ledger accepts the key's flags and reads its challenge window.
///
/// # Errors
/// As [`build`]; the fraud model or the reporter's key or ledger bundle;
/// [`fraud::FraudError::MissingRole`] when the ledger would refuse the
/// key's flags; the node unreachable for [`REPORTER_CHECK_TIMEOUT`].
pub async fn build_indexer(config: &Config) -> Result<Indexer, IndexError> {
    let manifest = bizkey_chain::Manifest::load(&config.manifest)?;
    let db = repo::connect(&config.database_url).await?;
    repo::migrate(&db).await?;
    let mut kinds = HashMap::new();
    let mut contracts = Vec::new();
    for c in &manifest.contracts {
        match ContractKind::from_name(&c.name) {
            Some(kind) => {
                kinds.insert(c.address.0, kind);
                contracts.push((c.address.to_string(), kind.name().to_owned()));
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
    let projection = Projection::new(kinds);
    let mut scorer = None;
    let metrics = Arc::new(metrics::Metrics::default());
    let mut reporter = None;
    if config.score_receipts {
        let model = config
            .fraud_model
            .clone()
            .unwrap_or_else(bizkey_fraud::score::default_model_path);
        let fraud_scorer = fraud::FraudScorer::load(&model, config.reporter_suri.is_some())?;
        tracing::info!(model = %model.display(), version = %fraud_scorer.info().version, threshold = fraud_scorer.info().threshold, runtime = %fraud_scorer.runtime(), "fraud scoring on");
        if let Some(suri) = &config.reporter_suri {
            let key =
                bizkey_chain::accounts::keypair(suri.expose()).map_err(fraud::FraudError::from)?;
            let ledger = manifest
                .contract(ContractKind::Ledger)
                .map_err(fraud::FraudError::from)?;
            let r = fraud::Reporter {
                db: db.clone(),
                node_url: url.clone(),
                key,
                ledger: bizkey_chain::Contract::from_manifest(ledger)
                    .map_err(fraud::FraudError::from)?,
                notify: fraud_scorer.notify(),
                retry: std::time::Duration::from_millis(config.flag_retry_ms),
                metrics: metrics.clone(),
            };
            // Refuse to start rather than score into `pending` rows the
            // ledger would never accept flags for.
            let chain = bizkey_chain::Chain::connect_with_retry(&url, REPORTER_CHECK_TIMEOUT)
                .await
                .map_err(fraud::FraudError::from)?;
            let params = r.check(&chain).await?;
            tracing::info!(account = %r.account(), challenge_ms = params.challenge_ms, "the ledger accepts the reporter's flags");
            reporter = Some(r);
        }
        scorer = Some(Arc::new(fraud_scorer));
    }
    let follower = Follower {
        db,
        connector: Arc::new(source::RpcConnector { url }),
        projection,
        scorer,
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
        metrics,
    };
    Ok(Indexer { follower, reporter })
}
