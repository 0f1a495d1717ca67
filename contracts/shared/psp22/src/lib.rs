//! The storage logic of Bizkey's two tokens, shared so it is written and
//! tested once.
//!
//! Every state-changing method takes the caller (and the time) explicitly and
//! returns the events it produced; the `#[ink(message)]`s of `biz_token` and
//! `time_token` are thin shells that check nothing themselves and emit what
//! they get back. Every method checks everything before it writes anything,
//! so an `Err` leaves storage unchanged.
//!
//! - [`PSP22Data`]: balances, allowances and supply with the psp22 2.0
//!   reference semantics.
//! - [`TokenRoles`]: the `admin` and `governance` accounts.
//! - [`Emission`]: the Time token's emission release (schedule in
//!   `bizkey_math::emission`).
//! - [`TokenEvent`]: every event the tokens emit (defined in `bizkey-types`), and
//!   `TokenEvent::emit_all`.
#![cfg_attr(not(feature = "std"), no_std)]

mod data;
mod emission;
mod roles;

pub use bizkey_types::psp22::TokenEvent;
pub use data::PSP22Data;
pub use emission::Emission;
pub use roles::TokenRoles;

pub use bizkey_types::psp22::PSP22Error;

/// What the logic methods return: the events to emit, or why nothing changed.
pub type Result<T> = core::result::Result<T, PSP22Error>;

#[cfg(test)]
mod invariant_tests;
