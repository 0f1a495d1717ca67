//! The registry (DESIGN §3.2): merchant and customer identities, merchant
//! verification, referrers.
//!
//! Every event carries what an indexer needs to rebuild the registry's state
//! without reading contract storage: `MerchantRegistered` and
//! `MerchantUpdated` carry the full profile, status changes carry the old and
//! the new status.

use crate::{AccountId, Hash, Timestamp};
use bizkey_math::ShopCost;
use ink::prelude::string::String;

#[cfg(feature = "std")]
use ink::storage::traits::StorageLayout;

/// Longest merchant name, in bytes of UTF-8 (20 CJK characters fit).
pub const MAX_NAME_LEN: usize = 64;
/// Longest location, in bytes: a geohash (≤ 12) or a city / district code.
pub const MAX_LOCATION_LEN: usize = 16;

/// A merchant's line of business.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub enum Category {
    Restaurant,
    Cafe,
    Grocery,
    Bakery,
    Bar,
    Retail,
    Beauty,
    Services,
    Other,
}

/// A merchant's place in its lifecycle.
///
/// `Pending → Verified`; `Verified ↔ Suspended`; `Pending → Suspended`; any
/// status → `Removed` (final). A profile update sends a verified merchant
/// back to `Pending` (its cost inputs feed BizPower, so they are re-checked).
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub enum MerchantStatus {
    Pending,
    Verified,
    Suspended,
    Removed,
}

/// A customer's standing. `Suspended` and `Removed` customers cannot make a
/// first purchase (the ledger checks it then); `Removed` is final.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub enum CustomerStatus {
    Active,
    Suspended,
    Removed,
}

/// What a merchant declares about itself (whitepaper ch. 3.5; DESIGN §3.2).
#[derive(Clone, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct MerchantProfile {
    /// Shop name, 1..=[`MAX_NAME_LEN`] bytes of UTF-8.
    pub name: String,
    pub category: Category,
    /// Geohash or city code (the 商圈), 1..=[`MAX_LOCATION_LEN`] bytes of
    /// ASCII letters, digits and `-`.
    pub location: String,
    /// Area x, staff y, rent e_R and wage e_S: BizPower's cost
    /// (`x·e_R + y·e_S` must be positive).
    pub cost: ShopCost,
    /// blake2-256 of the licence document (kept off-chain).
    pub licence_hash: Hash,
}

/// A registered merchant.
#[derive(Clone, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct Merchant {
    pub profile: MerchantProfile,
    /// The merchant that brought this one in (set once, at registration).
    pub referrer: Option<AccountId>,
    /// Most of a sale's amount a customer may pay in Time, in ppm.
    pub time_share_ppm: u32,
    pub status: MerchantStatus,
    pub registered_at: Timestamp,
    /// The first verification (the merchant-referral period counts from it).
    pub verified_at: Option<Timestamp>,
}

/// A customer: registered at the registry, which pushes it to the ledger
/// (`LedgerApi::customer_changed`), or known to the ledger only, from its
/// first confirmed purchase on (`registered_at` is then that purchase).
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct Customer {
    /// The customer that invited this one (顾客父 ID).
    pub referrer: Option<AccountId>,
    pub status: CustomerStatus,
    pub registered_at: Timestamp,
}

/// What the ledger needs of a merchant: the registry pushes it to the ledger
/// after every change (`LedgerApi::registry_changed`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct MerchantInfo {
    pub status: MerchantStatus,
    pub cost: ShopCost,
    pub referrer: Option<AccountId>,
    pub verified_at: Option<Timestamp>,
    pub time_share_ppm: u32,
}

impl Merchant {
    /// The ledger's view of this merchant.
    pub fn info(&self) -> MerchantInfo {
        MerchantInfo {
            status: self.status,
            cost: self.profile.cost,
            referrer: self.referrer,
            verified_at: self.verified_at,
            time_share_ppm: self.time_share_ppm,
        }
    }
}

/// Registry errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
pub enum RegistryError {
    /// The caller does not hold the role this message requires.
    Unauthorized,
    /// The account is already registered (as a merchant, or as a customer).
    AlreadyRegistered,
    /// No merchant is registered under this account.
    MerchantNotFound,
    /// No customer is registered under this account.
    CustomerNotFound,
    /// The name is empty or longer than [`MAX_NAME_LEN`] bytes.
    InvalidName,
    /// The location is empty, too long, or has characters other than ASCII
    /// letters, digits and `-`.
    InvalidLocation,
    /// The shop's daily cost `x·e_R + y·e_S` is zero.
    InvalidCost,
    /// The referrer is the account itself or not a registered merchant
    /// (merchants) / customer (customers).
    InvalidReferrer,
    /// A Time share above 100 % (1,000,000 ppm).
    InvalidShare,
    /// The status change is not allowed from the current status.
    InvalidTransition,
    /// The merchant was removed: it can no longer change anything.
    MerchantRemoved,
    /// The customer is suspended or removed.
    CustomerNotActive,
    /// The role does not exist on this contract.
    InvalidRole,
    /// The ledger refused or failed the push of a merchant's data.
    LedgerCallFailed,
}

#[cfg(feature = "std")]
impl core::fmt::Display for RegistryError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(self, f)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for RegistryError {}

/// A merchant registered (status `Pending`).
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantRegistered {
    #[ink(topic)]
    pub merchant: AccountId,
    #[ink(topic)]
    pub referrer: Option<AccountId>,
    pub profile: MerchantProfile,
    pub time_share_ppm: u32,
    pub at: Timestamp,
}

/// A merchant changed its profile; `status` is its status afterwards
/// (`Pending` again if it was verified).
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantUpdated {
    #[ink(topic)]
    pub merchant: AccountId,
    pub profile: MerchantProfile,
    pub status: MerchantStatus,
    pub at: Timestamp,
}

/// A merchant changed the share of an amount it accepts in Time.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeShareChanged {
    #[ink(topic)]
    pub merchant: AccountId,
    pub time_share_ppm: u32,
}

/// An account's entry as the registry pushes it to the ledger after every
/// change (`LedgerApi::registry_changed`): the ledger keeps copies, so a sale
/// needs no call to the registry.
// The SCALE derive casts the variant index to u8 (two variants): the lint
// cargo-contract enforces flags it on enums with fields.
#[allow(clippy::cast_possible_truncation)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
pub enum RegistryEntry {
    Merchant(MerchantInfo),
    Customer(Customer),
}

/// A merchant's status changed (by the authority or governance).
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantStatusChanged {
    #[ink(topic)]
    pub merchant: AccountId,
    #[ink(topic)]
    pub by: AccountId,
    pub from: MerchantStatus,
    pub to: MerchantStatus,
    pub at: Timestamp,
}

/// A customer registered itself. (A customer that never registers exists
/// from its first confirmed purchase on: the ledger's `ReceiptConfirmed`
/// with `first_purchase`.)
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRegistered {
    #[ink(topic)]
    pub customer: AccountId,
    #[ink(topic)]
    pub referrer: Option<AccountId>,
    pub at: Timestamp,
}

/// A customer's status changed (by the authority or governance).
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerStatusChanged {
    #[ink(topic)]
    pub customer: AccountId,
    #[ink(topic)]
    pub by: AccountId,
    pub from: CustomerStatus,
    pub to: CustomerStatus,
}

/// What other contracts call on the registry (tasks).
#[ink::trait_definition]
pub trait RegistryApi {
    /// The ledger's view of `merchant`, `None` if it is not registered.
    #[ink(message)]
    fn merchant_info(&self, merchant: AccountId) -> Option<MerchantInfo>;
}

use crate::roles::RoleChanged;

contract_events! {
    /// Everything a registry message may emit.
    pub enum RegistryEvent {
        MerchantRegistered,
        MerchantUpdated,
        TimeShareChanged,
        MerchantStatusChanged,
        CustomerRegistered,
        CustomerStatusChanged,
        RoleChanged,
    }
}
