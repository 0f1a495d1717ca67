//! Bizkey's shared contract definitions.
//!
//! One definition of every event, storage type, error and cross-contract
//! interface, used by the contracts (Wasm, `no_std`) and by the indexer (with
//! `std`), which decodes `ContractEmitted` events with these very types by
//! matching topic 0 against each event's `SIGNATURE_TOPIC`.
//!
//! Enums are SCALE-encoded by variant index: new variants go at the end only.
#![cfg_attr(not(feature = "std"), no_std)]

/// `contract_events! { pub enum LedgerEvent { ReceiptOpened(ReceiptOpened), .. } }`:
/// a contract's event enum, one variant per `#[ink::event]` type named as the
/// type. It gets `emit_all` (the contract emits each variant as its own
/// event) and, with `std`, [`events::ContractEvents`] (the indexer decodes
/// events into it).
macro_rules! contract_events {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($variant:ident),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        $vis enum $name {
            $($variant($variant)),*
        }

        impl $name {
            /// Emits `events` in order from the executing contract, each as
            /// its own ink! event (never the enum itself).
            pub fn emit_all<E: ::ink::env::Environment>(events: impl IntoIterator<Item = Self>) {
                for event in events {
                    match event {
                        $(Self::$variant(e) => ::ink::env::emit_event::<E, _>(e)),*
                    }
                }
            }
        }

        #[cfg(feature = "std")]
        impl $crate::events::ContractEvents for $name {
            fn types() -> Vec<$crate::events::EventType<Self>> {
                vec![$($crate::events::EventType {
                    name: stringify!($variant),
                    // Every suite event is non-anonymous.
                    signature: <$variant as ::ink::env::Event>::SIGNATURE_TOPIC.unwrap_or([0; 32]),
                    spec: <$variant as ::ink::metadata::EventMetadata>::event_spec,
                    decode: |data| $crate::events::decode_exact::<$variant>(data).map(Self::$variant),
                }),*]
            }
        }
    };
}

pub mod events;
pub mod governance;
pub mod ledger;
pub mod locking;
mod named;
pub mod psp22;
pub mod registry;
pub mod reviews;
pub mod roles;
pub mod super_nodes;
pub mod tasks;
pub mod vesting;

pub use bizkey_math as math;
pub use ink::primitives::{AccountId, Hash};
pub use named::Named;

/// Token amounts in the smallest unit (12 decimals).
pub type Balance = u128;
/// Block timestamp in milliseconds.
pub type Timestamp = u64;
