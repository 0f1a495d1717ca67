//! Privileged roles shared by every contract of the suite.
//!
//! Each contract has an `admin` (the foundation authority in phase 军政) and
//! may name other roles. Roles are plain accounts that can be handed over, so
//! the governance contract can take them when the community phase advances.

/// A privileged role of a contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode, scale_info::TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum Role {
    /// The authority: configures the contract and may hand its role over.
    Admin,
    /// The governance contract: burns, claws back, removes accounts.
    Governance,
    /// The ledger contract: the one caller of ledger-only messages.
    Ledger,
    /// An off-chain fraud reporter that may flag receipts.
    Reporter,
    /// The registry contract.
    Registry,
    /// The super-node contract: the ledger asks it whether a flagging
    /// super node covers the receipt's merchant.
    SuperNodes,
}

/// A role changed hands (`None`: the role is now vacant).
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleChanged {
    pub role: Role,
    pub account: Option<ink::primitives::AccountId>,
}
