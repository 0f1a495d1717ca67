//! Reviews (DESIGN §3.3, related information; whitepaper ch. 3.5 关联信息):
//! after a sale is confirmed, the customer rates the merchant (product,
//! service, environment), the merchant rates the customer, and anyone reacts
//! to the receipt (likes, comments, shares: events carrying the hash of
//! off-chain content).
//!
//! A contract of its own beside the ledger: it moves no money and holds no
//! role, and reads each receipt's sides and status through
//! [`crate::ledger::LedgerApi::receipt`]. Keeping it out of the ledger keeps
//! the ledger's Wasm under 40 KiB.

use crate::{ledger::ReceiptId, AccountId, Hash};

#[cfg(feature = "std")]
use ink::storage::traits::StorageLayout;

/// A public reaction to a confirmed receipt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub enum Reaction {
    Like,
    Comment,
    Share,
    Reply,
    View,
}

/// A rating of the other side of a confirmed receipt, scores 1..=5.
// The SCALE derive casts the variant index to u8 (two variants): the lint
// cargo-contract enforces flags it on enums with fields.
#[allow(clippy::cast_possible_truncation)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
pub enum Rating {
    /// The customer rates the merchant.
    Merchant {
        product: u8,
        service: u8,
        environment: u8,
    },
    /// The merchant rates the customer.
    Customer { score: u8 },
}

/// Bit of a receipt's `rated` flags: the customer rated the merchant.
pub const RATED_BY_CUSTOMER: u8 = 0b01;
/// Bit of a receipt's `rated` flags: the merchant rated the customer.
pub const RATED_BY_MERCHANT: u8 = 0b10;

impl Rating {
    /// The bit of a receipt's `rated` flags this kind of rating sets.
    pub fn bit(&self) -> u8 {
        match self {
            Self::Merchant { .. } => RATED_BY_CUSTOMER,
            Self::Customer { .. } => RATED_BY_MERCHANT,
        }
    }

    /// Whether every score is within 1..=5.
    pub fn is_valid(&self) -> bool {
        let scores = match *self {
            Self::Merchant {
                product,
                service,
                environment,
            } => [product, service, environment],
            Self::Customer { score } => [score; 3],
        };
        scores.iter().all(|s| (1..=5).contains(s))
    }
}

/// Reviews errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
pub enum ReviewsError {
    /// The ledger has no receipt with this id.
    ReceiptNotFound,
    /// The caller is not the side giving this kind of rating.
    NotCounterparty,
    /// The receipt is not confirmed (open, cancelled, flagged or refunded).
    NotConfirmed,
    /// This side has rated this receipt already.
    AlreadyRated,
    /// A score outside 1..=5.
    InvalidRating,
    /// The call reading the receipt from the ledger failed.
    LedgerCallFailed,
}

/// The customer rated the merchant (scores 1..=5).
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantRated {
    pub id: ReceiptId,
    pub merchant: AccountId,
    pub customer: AccountId,
    pub product: u8,
    pub service: u8,
    pub environment: u8,
    pub comment: Option<Hash>,
}

/// The merchant rated the customer (score 1..=5).
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRated {
    pub id: ReceiptId,
    pub merchant: AccountId,
    pub customer: AccountId,
    pub score: u8,
    pub comment: Option<Hash>,
}

/// Someone liked, commented, shared, replied to or viewed a confirmed
/// receipt; the content (comment text, share channel, …) stays off-chain.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reacted {
    pub id: ReceiptId,
    pub account: AccountId,
    pub kind: Reaction,
    pub content: Hash,
}

contract_events! {
    /// Everything a reviews message may emit.
    pub enum ReviewsEvent {
        MerchantRated,
        CustomerRated,
        Reacted,
    }
}
