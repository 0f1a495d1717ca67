//! PSP22 (the ink! fungible-token standard) as both Bizkey tokens implement
//! it, following the semantics of the psp22 2.0 reference implementation:
//! zero-value and self transfers succeed without events, `transfer_from`
//! emits the new `Approval`, `increase/decrease_allowance` emit `Approval`.

// The SCALE derive encodes the index of a variant with fields as
// `(index as u8)`, which cargo-contract's clippy pass (it denies
// `cast_possible_truncation` on every local crate a contract builds) flags in
// `PSP22Error`. Derived code cannot take an attribute of its own, so the
// lint is allowed for this file, which holds declarations only: no
// arithmetic and no casts of its own.
#![allow(clippy::cast_possible_truncation)]

use crate::{AccountId, Balance};
use ink::prelude::{string::String, vec::Vec};

/// Tokens moved. `from == None` is a mint, `to == None` a burn.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    #[ink(topic)]
    pub from: Option<AccountId>,
    #[ink(topic)]
    pub to: Option<AccountId>,
    pub value: Balance,
}

/// An allowance was set to `amount`.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    #[ink(topic)]
    pub owner: AccountId,
    #[ink(topic)]
    pub spender: AccountId,
    pub amount: Balance,
}

/// The Time token minted what its emission schedule accrued since the last
/// release (the `Transfer` mint events precede this one in the same call).
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmissionReleased {
    /// Minted by this release (`to_reward_pool + to_dividend_pool`).
    pub amount: Balance,
    /// Minted to the reward pool.
    pub to_reward_pool: Balance,
    /// Minted to the dividend pool.
    pub to_dividend_pool: Balance,
    /// Everything emitted since the emission start, this release included.
    pub released_total: Balance,
}

/// The Time token's emission targets or split were (re)configured.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmissionConfigured {
    #[ink(topic)]
    pub reward_pool: AccountId,
    #[ink(topic)]
    pub dividend_pool: AccountId,
    /// The reward pool's share of each release in parts per million; the
    /// dividend pool receives the rest.
    pub reward_share_ppm: u32,
}

/// PSP22 errors (variant order of the psp22 2.0 reference, then Bizkey's).
#[derive(Debug, Clone, PartialEq, Eq, scale::Encode, scale::Decode, scale_info::TypeInfo)]
pub enum PSP22Error {
    /// Custom error type for implementation-based errors.
    Custom(String),
    /// Returned when an account does not have enough tokens to complete the operation.
    InsufficientBalance,
    /// Returned if there is not enough allowance to complete the operation.
    InsufficientAllowance,
    /// Returned if recipient's address is zero (unused in ink! 5 but kept for the standard's indexes).
    ZeroRecipientAddress,
    /// Returned if sender's address is zero (idem).
    ZeroSenderAddress,
    /// Returned if a safe transfer check failed (idem).
    SafeTransferCheckFailed(String),
    /// The caller is not the account configured for this privileged message.
    Unauthorized,
    /// Minting would exceed the token's cap, or a sum overflowed.
    CapExceeded,
    /// A configuration value is out of range (e.g. a share above one million ppm).
    InvalidParameter,
}

/// The PSP22 standard interface (selectors of the standard's trait).
#[ink::trait_definition]
pub trait PSP22 {
    /// The total supply.
    #[ink(message)]
    fn total_supply(&self) -> Balance;

    /// The balance of `owner`.
    #[ink(message)]
    fn balance_of(&self, owner: AccountId) -> Balance;

    /// What `spender` may still withdraw from `owner`.
    #[ink(message)]
    fn allowance(&self, owner: AccountId, spender: AccountId) -> Balance;

    /// Moves `value` from the caller to `to`.
    #[ink(message)]
    fn transfer(&mut self, to: AccountId, value: Balance, data: Vec<u8>) -> Result<(), PSP22Error>;

    /// Moves `value` from `from` to `to` against the caller's allowance.
    #[ink(message)]
    fn transfer_from(
        &mut self,
        from: AccountId,
        to: AccountId,
        value: Balance,
        data: Vec<u8>,
    ) -> Result<(), PSP22Error>;

    /// Sets the caller's allowance for `spender` to `value`.
    #[ink(message)]
    fn approve(&mut self, spender: AccountId, value: Balance) -> Result<(), PSP22Error>;

    /// Raises the caller's allowance for `spender` by `delta_value`.
    #[ink(message)]
    fn increase_allowance(
        &mut self,
        spender: AccountId,
        delta_value: Balance,
    ) -> Result<(), PSP22Error>;

    /// Lowers the caller's allowance for `spender` by `delta_value`.
    #[ink(message)]
    fn decrease_allowance(
        &mut self,
        spender: AccountId,
        delta_value: Balance,
    ) -> Result<(), PSP22Error>;
}

/// PSP22Metadata.
#[ink::trait_definition]
pub trait PSP22Metadata {
    #[ink(message)]
    fn token_name(&self) -> Option<String>;
    #[ink(message)]
    fn token_symbol(&self) -> Option<String>;
    #[ink(message)]
    fn token_decimals(&self) -> u8;
}

/// The privileged supply operations of Bizkey's tokens, each allowed only to
/// the configured governance contract.
#[ink::trait_definition]
pub trait BizkeyToken {
    /// Burns `value` of `from`'s tokens (removal of a merchant or customer).
    #[ink(message)]
    fn burn_from(&mut self, from: AccountId, value: Balance) -> Result<(), PSP22Error>;

    /// Moves `value` of `from`'s tokens to `pool` (proven fraud).
    #[ink(message)]
    fn clawback(
        &mut self,
        from: AccountId,
        pool: AccountId,
        value: Balance,
    ) -> Result<(), PSP22Error>;
}

use crate::roles::RoleChanged;

contract_events! {
    /// Any event of a Bizkey token.
    pub enum TokenEvent {
        Transfer,
        Approval,
        RoleChanged,
        EmissionReleased,
        EmissionConfigured,
    }
}
