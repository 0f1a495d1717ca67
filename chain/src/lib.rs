//! Bizkey's chain client, shared by the `bizkey` CLI and the indexer.
//!
//! - [`node`]: subxt types generated at compile time from
//!   `artifacts/contracts-node.scale`, the V15 metadata of the pinned
//!   `substrate-contracts-node` 0.42.0 (regenerate with
//!   `scripts/update-metadata.sh`). subxt is pinned to `=0.44.0`.
//! - [`Chain`]: connection, blocks and timestamps, native funding, contract
//!   upload / instantiation, signed calls and `ContractsApi_call` dry runs
//!   (result plus gas), batches through `Utility::batch_all`.
//! - [`ContractBundle`]: a cargo-contract `.contract` file (Wasm + selectors).
//! - [`Manifest`]: the deployment manifest (JSON); [`ContractKind`]: the
//!   suite's contracts, named once.
//! - [`Secret`]: secret URIs and mnemonics, `<redacted>` whenever formatted.
//! - [`rpc_client`]: the JSON-RPC connection both use (acknowledges at once:
//!   the node's replies otherwise wait up to 40 ms, see [`rpc`]).
//! - [`deploy`]: the suite's deployment plan and wiring; [`gas`] the
//!   measurement table.
//! - `day` (feature `day`): the scripted day of sales, replayed from the
//!   fraud model's retail simulator; only the `bizkey day` command and the
//!   tests need it, so the library's users do not link the simulator.
//!
//! # The dev node (`substrate-contracts-node --dev`), as measured
//!
//! - **Block production: instant seal.** A block is sealed as soon as a
//!   transaction enters the pool (one transaction, one block, ~50 ms after
//!   submission); with no transactions no blocks are produced, so the chain
//!   sits at block 0 after start.
//! - **Finalization: delayed, per block.** Each sealed block is finalized
//!   `--finalize-delay-sec` seconds later (default 1). `Finality::InBlock`
//!   returns after ~50 ms, `Finality::Finalized` after ~1 s. An indexer that
//!   follows finalized blocks therefore lags the head by about one second;
//!   no extra flag is needed (`scripts/run-node.sh` passes
//!   `--finalize-delay-sec 1` explicitly so the behaviour is pinned).
//! - **subxt reads at the finalized block by default**: `at_latest()` and the
//!   default nonce come from the latest *finalized* block. Two transactions of
//!   one signer within a second then collide ("Transaction is outdated"), and
//!   a dry run would not see the previous transaction. [`Chain`] therefore
//!   takes nonces from `system_accountNextIndex` (pool-aware) and runs dry
//!   runs and storage reads at the best block.
//! - **Timestamps** (`Timestamp::Now`, what contracts see as
//!   `block_timestamp()`) are the wall clock in ms when the block was sealed;
//!   consecutive blocks are as close as the transactions were (tens of ms), so
//!   a 24 h challenge window does not pass on its own: the day script and
//!   the measurements set a short window. Time only moves with blocks: a dry
//!   run at the best block sees the time that block was sealed, so after a
//!   pause [`Chain::tick`] seals an empty-ish block (`System::remark`) first.
//! - **`Utility` is present** (`batch`, `batch_all`, `force_batch`):
//!   [`Chain::call_batch`] sends many contract calls in one extrinsic (one
//!   block), which is how large receipt volumes are generated.
//! - The runtime has pallet-contracts (ink! 5, Wasm) and pallet-revive;
//!   `ContractsApi` (`call`, `instantiate`, `upload_code`, `get_storage`) is
//!   the dry-run interface; `Sudo`, `Balances`, `Assets` are also present.
//! - Dev accounts (`//Alice` … `//Ferdie`) are endowed; other accounts must be
//!   funded ([`Chain::fund`]) before they can pay fees.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod bundle;
pub mod client;
pub mod contract;
#[cfg(feature = "day")]
pub mod day;
pub mod deploy;
pub mod devnode;
pub mod error;
pub mod gas;
pub mod kind;
pub mod manifest;
pub mod rpc;
pub mod sdk;
pub mod secret;
pub mod suite;

pub use bundle::ContractBundle;
pub use client::{Chain, ChainConfig, Client, Finality, Instantiated};
pub use contract::{
    CallOutcome, Contract, ContractEvent, DryRun, Gas, Included, PreparedCall, Quote,
};
pub use error::{BundleError, ChainError, ManifestError, Result};
pub use kind::ContractKind;
pub use manifest::{DeployedContract, Manifest, MANIFEST_VERSION};
pub use rpc::rpc_client;
pub use secret::Secret;
pub use subxt;
pub use subxt::utils::{AccountId32, H256};
pub use subxt_signer::sr25519::Keypair;
pub use suite::Suite;

/// The node's runtime API, generated from its checked-in metadata.
#[subxt::subxt(
    runtime_metadata_path = "artifacts/contracts-node.scale",
    derive_for_all_types = "Clone, PartialEq, Eq"
)]
pub mod node {}
