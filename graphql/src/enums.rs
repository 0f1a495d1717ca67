//! The index's enum columns as GraphQL enums. Each mirrors its type in
//! `bizkey-types` (or the store's own states) through async-graphql's
//! `remote`, which checks at compile time that the variants correspond; the
//! column text is read with [`Named::from_name`], the one string form.

use crate::error::ApiError;
use async_graphql::Enum;
use bizkey_store::column::Named;

/// The GraphQL value of an enum column.
///
/// # Errors
/// [`ApiError::Corrupt`] when the column holds no known form.
pub fn parse<R: Named, G: From<R>>(column: &'static str, text: &str) -> Result<G, ApiError> {
    R::from_name(text)
        .map(G::from)
        .ok_or_else(|| ApiError::Corrupt {
            column,
            value: text.to_owned(),
        })
}

/// The column text of a GraphQL enum value.
pub fn text<R: Named, G: Into<R>>(v: G) -> &'static str {
    v.into().as_str()
}

/// A receipt's lifecycle.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "bizkey_types::ledger::ReceiptStatus")]
pub enum ReceiptStatus {
    /// Recorded by one side, waiting for the other.
    Open,
    /// Both sides signed; rewards pending until the challenge window ends.
    Confirmed,
    /// Cancelled before confirmation.
    Cancelled,
    /// Flagged as fraud in the challenge window: rewards forfeited.
    Flagged,
    /// Refunded by the merchant: rewards reversed.
    Refunded,
}

/// Which side opened the receipt.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "bizkey_types::ledger::Side")]
pub enum Side {
    Merchant,
    Customer,
}

/// Where a sale happened.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "bizkey_types::math::Channel")]
pub enum Channel {
    InStore,
    Outside,
}

/// The two tokens.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq, Hash)]
#[graphql(remote = "bizkey_types::ledger::Token")]
pub enum Token {
    /// Biz (BT), the merchants' token.
    Biz,
    /// Time (TT), the customers' cashback.
    Time,
}

/// A public reaction to a receipt.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "bizkey_types::reviews::Reaction")]
pub enum Reaction {
    Like,
    Comment,
    Share,
    Reply,
    View,
}

/// A merchant's category.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "bizkey_types::registry::Category")]
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
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "bizkey_types::registry::MerchantStatus")]
pub enum MerchantStatus {
    Pending,
    Verified,
    Suspended,
    Removed,
}

/// A customer's status.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "bizkey_types::registry::CustomerStatus")]
pub enum CustomerStatus {
    Active,
    Suspended,
    Removed,
}

/// The vesting allocations.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "bizkey_types::vesting::Allocation")]
pub enum Allocation {
    EarlySupporters,
    Ecosystem,
    Team,
    Foundation,
}

/// A governance phase.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "bizkey_types::governance::Phase")]
pub enum Phase {
    /// 军政: the foundation authority decides.
    Military,
    /// 训政: elected super nodes verify merchants.
    Tutelage,
    /// 宪政: every change is a referendum.
    Constitutional,
}

/// A proposal's place in its lifecycle at a given time.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "bizkey_types::governance::ProposalStatus")]
pub enum ProposalStatus {
    /// Taking votes.
    Active,
    /// Voting ended without quorum or threshold.
    Defeated,
    /// Passed; the execution delay is running.
    Queued,
    /// Passed and executable now.
    Executable,
    Executed,
    /// Cancelled by the authority (军政 and 训政 only).
    Vetoed,
    /// Passed but not executed in time.
    Expired,
}

/// A super-node candidate's state.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "bizkey_types::super_nodes::CandidateStatus")]
pub enum CandidateStatus {
    Candidate,
    SuperNode,
    Unbonding,
}

/// Whether a task needs any or all of its rules.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "bizkey_types::tasks::RuleMode")]
pub enum RuleMode {
    Any,
    All,
}

/// A task participant's state.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "bizkey_types::tasks::ParticipantStatus")]
pub enum ParticipantStatus {
    Joined,
    Completed,
    Penalized,
}

/// A reward's state.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "bizkey_store::column::RewardStatus")]
pub enum RewardStatus {
    /// In the challenge window, or matured and not claimed yet.
    Pending,
    /// Paid by a claim.
    Claimed,
    /// Lost to a flag, a refund or a removal.
    Forfeited,
}

/// What a fraud group scores.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "bizkey_store::column::FraudGroupKind")]
pub enum FraudGroupKind {
    /// A merchant's sales.
    Merchant,
    /// A customer's purchases.
    Customer,
    /// The purchases of the customers an account referred.
    Referrer,
}
