//! Typed errors of the chain client.

use std::path::PathBuf;

/// Errors reading a cargo-contract `.contract` bundle.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("reading contract bundle {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("contract bundle {path} is not cargo-contract JSON: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("contract bundle {path}: {what}")]
    Invalid { path: PathBuf, what: String },
    #[error("contract `{contract}` has no {kind} labelled `{label}` (known: {known})")]
    UnknownLabel {
        contract: String,
        kind: &'static str,
        label: String,
        known: String,
    },
    #[error("contract `{contract}`: the label `{label}` is ambiguous ({candidates})")]
    AmbiguousLabel {
        contract: String,
        label: String,
        candidates: String,
    },
}

/// Errors loading or saving a deployment manifest.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("reading manifest {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("writing manifest {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("manifest {path} is not valid JSON of the expected shape: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("serialising the manifest: {0}")]
    Serialize(serde_json::Error),
    #[error("the manifest has no contract named `{0}`")]
    UnknownContract(String),
    #[error("manifest format version {found} is not supported (expected {expected})")]
    Version { found: u32, expected: u32 },
}

/// Errors talking to the node or executing contracts.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    #[error("connecting to the node at {url}: {source}")]
    Connect {
        url: String,
        #[source]
        source: Box<subxt::Error>,
    },
    #[error("node RPC: {0}")]
    Subxt(#[from] Box<subxt::Error>),
    #[error("decoding {what}: {source}")]
    Decode {
        what: String,
        #[source]
        source: scale::Error,
    },
    /// The secret is never part of the message.
    #[error("invalid secret URI (not shown): {reason}")]
    Signer { reason: String },
    #[error(transparent)]
    Bundle(#[from] BundleError),
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// The contract returned with the REVERT flag: for ink! this is a message
    /// or constructor that returned `Err(_)` (or panicked). `reason` is the
    /// `Debug` form of the decoded output when it decodes as the expected type.
    #[error("{contract}::{message} reverted: {reason}")]
    ContractReverted {
        contract: String,
        message: String,
        reason: String,
        data: Vec<u8>,
    },
    /// ink! could not dispatch the input (wrong selector or argument encoding).
    #[error("{contract}::{message}: ink! could not dispatch the input ({lang_error})")]
    LangError {
        contract: String,
        message: String,
        lang_error: String,
    },
    /// A pallet error (e.g. `Contracts::ContractTrapped`, `Contracts::OutOfGas`,
    /// `Balances::InsufficientBalance`), from a dry run or a failed extrinsic.
    #[error("{context}: {pallet}::{error}{}", if docs.is_empty() { String::new() } else { format!(" ({docs})") })]
    Module {
        context: String,
        pallet: String,
        error: String,
        docs: String,
    },
    /// Any other `DispatchError` of the runtime.
    #[error("{context}: dispatch error {error}")]
    Dispatch { context: String, error: String },
    #[error("transaction {hash} {status}: {message}")]
    Transaction {
        hash: String,
        status: &'static str,
        message: String,
    },
    #[error("the transaction status stream ended before the transaction was {0}")]
    StreamEnded(&'static str),
    #[error("expected a {0} event, none was emitted")]
    MissingEvent(&'static str),
    #[error("the code of {contract} hashes to {computed} on-chain but its bundle says {bundle}")]
    CodeHashMismatch {
        contract: String,
        computed: String,
        bundle: String,
    },
    #[error("timed out after {secs} s waiting for {what}")]
    Timeout { what: String, secs: u64 },
    #[error("block {0} not found")]
    BlockNotFound(String),
    /// The deployment plan cannot be carried out with the bundles at hand.
    #[error("deployment plan: {0}")]
    Plan(String),
}

impl From<subxt::Error> for ChainError {
    fn from(e: subxt::Error) -> Self {
        ChainError::Subxt(Box::new(e))
    }
}

impl From<subxt::ext::subxt_rpcs::Error> for ChainError {
    fn from(e: subxt::ext::subxt_rpcs::Error) -> Self {
        ChainError::Subxt(Box::new(e.into()))
    }
}

/// The result type of the chain client.
pub type Result<T, E = ChainError> = std::result::Result<T, E>;
