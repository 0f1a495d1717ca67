//! Bizkey's shared contract definitions.
//!
//! One definition of every event, storage type, error and cross-contract
//! interface, used by the contracts (Wasm, `no_std`) and by the indexer (with
//! `std`), which decodes `ContractEmitted` events with these very types by
//! matching topic 0 against each event's `SIGNATURE_TOPIC`.
//!
//! Enums are SCALE-encoded by variant index: new variants go at the end only.
#![cfg_attr(not(feature = "std"), no_std)]

pub mod governance;
pub mod ledger;
mod named;
pub mod psp22;
pub mod registry;
pub mod roles;
pub mod tasks;
pub mod vesting;

pub use bizkey_math as math;
pub use ink::primitives::{AccountId, Hash};
pub use named::Named;

/// Token amounts in the smallest unit (12 decimals).
pub type Balance = u128;
/// Block timestamp in milliseconds.
pub type Timestamp = u64;
