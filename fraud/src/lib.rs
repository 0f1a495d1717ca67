//! Bizkey's fraud model tooling (whitepaper ch. 3.7, DESIGN.md §5).
//!
//! - [`sim`]: a seeded retail simulator (merchants, customers, honest traffic and labelled brushing). It also
//!   drives the demo chain, so its entities are plain index numbers, amounts are cents and times are ms.
//! - [`receipt`]: the receipt record every other module works on.
//! - [`csv`]: the raw-receipt CSV schema (read and write, typed errors with line numbers).
//! - [`features`]: THE feature definition, an incremental state fed in time order, so that training export,
//!   the `score` CLI and the indexer compute exactly the same numbers.
//! - [`baseline`]: the Shopee brushing rule, the yardstick the model must beat.
//! - [`group`]: merchant, account and referrer scores from their receipts' scores, and the account rule that
//!   flags an account's open receipts.
//! - [`score`]: inference of the committed model: natively ([`native`]: [`trees`], [`mlp`]) when it is of a
//!   shape those read and they agree with ONNX Runtime on probe rows, else ONNX Runtime.
//! - [`metrics`]: ROC-AUC, AUPRC, precision and recall.
//! - [`npy`]: the training-matrix file handed to Python.

pub mod baseline;
pub mod csv;
pub mod features;
pub mod group;
pub mod metrics;
pub mod mlp;
pub mod native;
pub mod npy;
mod onnx;
pub mod pipeline;
pub mod receipt;
pub mod rng;
pub mod score;
pub mod sim;
pub mod trees;
