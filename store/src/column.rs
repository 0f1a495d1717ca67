//! String forms of the index's own states (those the contracts keep no enum
//! for). Contract enums have theirs next to the type in `bizkey-types`
//! ([`bizkey_types::Named`]); both kinds are read and written through it.

pub use bizkey_types::Named;

/// A reward's state in `rewards.status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RewardStatus {
    /// In the challenge window, or matured and not claimed yet.
    Pending,
    /// Paid by a claim.
    Claimed,
    /// Lost: the receipt was flagged or refunded, or the account removed.
    Forfeited,
}

/// A lock's state in `locks.status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LockStatus {
    Locked,
    Unlocked,
}

/// What a `fraud_groups` row scores (`fraud_groups.kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FraudGroupKind {
    /// A merchant's sales.
    Merchant,
    /// A customer's purchases.
    Customer,
    /// The purchases of the customers an account referred.
    Referrer,
}

bizkey_types::named! {
    RewardStatus { Pending = "pending", Claimed = "claimed", Forfeited = "forfeited" }
    LockStatus { Locked = "locked", Unlocked = "unlocked" }
    FraudGroupKind { Merchant = "merchant", Customer = "customer", Referrer = "referrer" }
}

/// K-line intervals: the `klines.interval` form and the length in ms.
pub const KLINE_INTERVALS: [(&str, u64); 3] =
    [("1m", 60_000), ("1h", 3_600_000), ("1d", 86_400_000)];
