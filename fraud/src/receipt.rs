//! The receipt as the fraud model sees it: the on-chain fields of a confirmed sale (DESIGN.md §3.3) that any
//! indexer has, with accounts replaced by dense numeric ids.

/// Where the sale happened; mirrors the ledger's channel field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// Sold in the shop (the `P_l` orders of BizPower).
    InStore,
    /// Outside sale or delivery (the `U_om` orders of BizPower).
    Outside,
}

impl Channel {
    /// The CSV spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::InStore => "in_store",
            Channel::Outside => "outside",
        }
    }

    /// Parses the CSV spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "in_store" => Some(Channel::InStore),
            "outside" => Some(Channel::Outside),
            _ => None,
        }
    }
}

/// One confirmed sale.
///
/// Ids are dense indexes (`0..n`): the simulator's entity numbers, or ids interned from account strings by
/// [`crate::csv`] or by the indexer. [`crate::features::FeatureState`] stores per-entity state in vectors
/// indexed by them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    /// Order time, ms since the Unix epoch (the chain's `Timestamp`).
    pub order_time_ms: u64,
    /// Merchant id.
    pub merchant: u32,
    /// Merchant category id (restaurant, café, …), used where a merchant has too little history of its own.
    pub category: u32,
    /// Customer id.
    pub customer: u32,
    /// The customer's referrer (a customer id), if any.
    pub referrer: Option<u32>,
    /// In store or outside sale.
    pub channel: Channel,
    /// Amount of the sale in cents of the merchant's currency.
    pub amount_cents: u64,
    /// Part of the amount paid with Time, in the same cents (0 ..= `amount_cents`).
    pub time_deducted: u64,
    /// Number of items on the receipt.
    pub item_count: u32,
}

/// An account's first native tokens, as the model sees them: the chain's first `Balances` transfer to the
/// account. Funders are numbered densely in a space of their own (any account can fund).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Funding {
    /// Block time of the transfer, ms since the Unix epoch.
    pub time_ms: u64,
    /// The sender's id.
    pub funder: u32,
    /// The customer id of the account funded.
    pub account: u32,
}
