//! The library's errors.

use crate::source::SourceError;

/// Why indexing stopped.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("node: {0}")]
    Source(#[from] SourceError),
    #[error(
        "this database indexes the chain with genesis {database}, the node's genesis is {node}"
    )]
    WrongChain { database: String, node: String },
    #[error("the manifest was deployed on the chain with genesis {manifest}, the node's genesis is {node}")]
    ManifestChain { manifest: String, node: String },
    #[error("block {number}: parent {parent} is not the indexed block {expected}")]
    Discontinuity {
        number: u64,
        parent: String,
        expected: String,
    },
    #[error("manifest: {0}")]
    Manifest(#[from] bizkey_chain::ManifestError),
    #[error(transparent)]
    Fraud(#[from] crate::fraud::FraudError),
    #[error("configuration: {0}")]
    Config(String),
    /// The fraud scoring task failed without a database error.
    #[error("fraud scoring stopped: {0}")]
    ScorerStopped(String),
}

impl IndexError {
    /// Errors that a new connection to the node may cure.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Source(_))
    }
}
