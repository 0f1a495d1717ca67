//! Super nodes (DESIGN §3.6; whitepaper ch. 3.5.6, 8): candidates and their
//! bonds, scopes (region, industry, B2b platform) and merchant verification
//! by the covering super nodes.

// `AccountId` and `Hash` implement `TypeInfo` only with `std` (metadata),
// so the types derive it only then.
//
// The SCALE derive writes the index of a variant with fields as
// `(index as u8)`, which cargo-contract's clippy pass (it denies
// `cast_possible_truncation` on every local crate) flags in `Scope`. This
// file has no casts of its own.
#![allow(clippy::cast_possible_truncation)]

use crate::{
    registry::{Category, MAX_LOCATION_LEN},
    roles::RoleChanged,
    AccountId, Balance, Hash, Timestamp,
};
use ink::prelude::vec::Vec;

#[cfg(feature = "std")]
use ink::storage::traits::StorageLayout;

/// Most super nodes at once (each verification scans them all).
pub const MAX_SUPER_NODES: u32 = 64;

/// What a super node answers for (ch. 3.5.6: by LBS, industry or B2b
/// platform). Scopes may overlap; the overlapping nodes then vote.
#[derive(Clone, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub enum Scope {
    /// Merchants whose location (geohash or city code) starts with this
    /// prefix: 1..=[`MAX_LOCATION_LEN`] ASCII letters, digits or `-`.
    Region(Vec<u8>),
    /// Merchants of this category.
    Industry(Category),
    /// Merchants that declared membership of this B2b platform.
    Platform(u32),
}

impl Scope {
    /// Whether a candidate may stand for this scope.
    pub fn is_valid(&self) -> bool {
        match self {
            Scope::Region(prefix) => {
                !prefix.is_empty()
                    && prefix.len() <= MAX_LOCATION_LEN
                    && prefix
                        .iter()
                        .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
            }
            Scope::Industry(_) | Scope::Platform(_) => true,
        }
    }

    /// Whether a merchant at `location`, of `category`, member of
    /// `platform`, falls in this scope.
    pub fn covers(&self, location: &[u8], category: Category, platform: Option<u32>) -> bool {
        match self {
            Scope::Region(prefix) => location.starts_with(prefix),
            Scope::Industry(c) => *c == category,
            Scope::Platform(p) => platform == Some(*p),
        }
    }
}

/// The super-node contract's parameters (set at instantiation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct SuperNodeConfig {
    /// Smallest candidate bond (positive).
    pub min_bond: Balance,
    /// How long a withdrawing candidate's bond stays slashable (positive:
    /// a candidate never walks away from a slash at once; no message
    /// changes it after instantiation).
    pub unbonding_ms: u64,
    /// Most elected super nodes, 1..=[`MAX_SUPER_NODES`].
    pub max_super_nodes: u32,
}

impl SuperNodeConfig {
    /// Whether the super-node contract may run with these parameters.
    pub fn is_valid(&self) -> bool {
        self.min_bond > 0
            && self.unbonding_ms > 0
            && self.max_super_nodes > 0
            && self.max_super_nodes <= MAX_SUPER_NODES
    }
}

/// Where a super-node candidate stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub enum CandidateStatus {
    /// Bonded, not elected.
    Candidate,
    /// Elected: verifies the merchants its scope covers.
    SuperNode,
    /// Withdrawn: the bond returns at `unbonding_until` unless slashed first.
    Unbonding,
}

/// A super-node candidate and its bond.
#[derive(Clone, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct Candidate {
    pub scope: Scope,
    pub bond: Balance,
    pub status: CandidateStatus,
    /// While `Unbonding`: when `withdraw_bond` may return the bond.
    pub unbonding_until: Timestamp,
}

/// Errors of the super-node contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
pub enum SuperNodeError {
    /// The caller does not hold the role this message requires (admin,
    /// governance, a super node).
    Unauthorized,
    /// The configuration is invalid (see `SuperNodeConfig::is_valid`).
    InvalidConfig,
    /// The role does not exist on this contract (it has `Admin` and
    /// `Governance`).
    InvalidRole,
    /// Merchants are verified by super nodes from 训政 on.
    WrongPhase,
    /// The caller is a candidate already (also while unbonding).
    AlreadyCandidate,
    /// The account is not a candidate (or not in the required state).
    NotCandidate,
    /// The bond is below the configured minimum.
    BondTooLow,
    /// The scope is invalid.
    InvalidScope,
    /// The super-node seats are all taken.
    TooManySuperNodes,
    /// The bond is still unbonding (or the candidate did not withdraw).
    StillBonded,
    /// The caller's scope does not cover the merchant.
    NotCovering,
    /// The merchant is not registered or not pending verification.
    NotPending,
    /// The node voted in this round already.
    AlreadyVoted,
    /// A call to the BT token failed (allowance, balance).
    TokenCallFailed,
    /// A call to the registry failed.
    RegistryCallFailed,
    /// A call to governance failed (its phase; the verification).
    GovernanceCallFailed,
    /// A sum overflowed (no real input reaches it).
    Overflow,
    /// The caller is not a registered merchant, or was removed
    /// (`set_platform`).
    NotMerchant,
    /// The merchant's verification round has votes: its platform, which
    /// decides who covers it, is fixed until the round closes.
    RoundOpen,
}

/// A super-node candidate posted its bond.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateRegistered {
    #[ink(topic)]
    pub candidate: AccountId,
    pub scope: Scope,
    pub bond: Balance,
}

/// A candidate withdrew; its bond returns at `unbonding_until`.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateWithdrawn {
    #[ink(topic)]
    pub candidate: AccountId,
    pub unbonding_until: Timestamp,
}

/// The unbonded bond went back to the former candidate.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BondWithdrawn {
    #[ink(topic)]
    pub candidate: AccountId,
    pub amount: Balance,
}

/// A candidate was elected super node.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuperNodeElected {
    #[ink(topic)]
    pub node: AccountId,
    pub scope: Scope,
}

/// A super node left office (revoked or withdrawn); `slashed` of its bond
/// went to the treasury (0: not slashed, still a candidate or unbonding).
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuperNodeRemoved {
    #[ink(topic)]
    pub node: AccountId,
    pub slashed: Balance,
    /// Hash of the evidence of misbehaviour (zero if none).
    pub evidence: Hash,
}

/// A merchant declared (or left, `None`) its B2b platform.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformChanged {
    #[ink(topic)]
    pub merchant: AccountId,
    pub platform: Option<u32>,
}

/// A covering super node voted on a pending merchant; the counts are among
/// the nodes covering it now.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationVoted {
    #[ink(topic)]
    pub merchant: AccountId,
    #[ink(topic)]
    pub node: AccountId,
    pub approve: bool,
    pub approvals: u32,
    pub rejections: u32,
    pub covering: u32,
}

/// The covering super nodes decided: `verified` (the registry now says
/// `Verified`) or rejected by a majority (still `Pending`; a new round may
/// start).
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationDecided {
    #[ink(topic)]
    pub merchant: AccountId,
    pub verified: bool,
}

/// What governance (elections, revocations) and the ledger (flags by
/// covering super nodes) call on the super-node contract.
#[ink::trait_definition]
pub trait SuperNodesApi {
    /// Whether `node` is an elected super node whose scope covers the
    /// registered merchant `merchant`.
    #[ink(message)]
    fn covers(&self, node: AccountId, merchant: AccountId) -> bool;

    /// Governance: makes the bonded candidate `node` a super node.
    ///
    /// # Errors
    /// `Unauthorized` unless the caller is governance; `NotCandidate`
    /// unless `node` is a candidate not in office; `TooManySuperNodes`.
    #[ink(message)]
    fn elect(&mut self, node: AccountId) -> Result<(), SuperNodeError>;

    /// Governance: removes `node` from office; with `slash` its bond goes to
    /// the treasury and its candidacy ends (also while unbonding).
    ///
    /// # Errors
    /// `Unauthorized` unless the caller is governance; `NotCandidate`
    /// (without `slash`: unless in office); `TokenCallFailed`.
    #[ink(message)]
    fn revoke(&mut self, node: AccountId, slash: bool) -> Result<(), SuperNodeError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_cover_by_prefix_category_and_platform() {
        let region = Scope::Region(b"wtw3".to_vec());
        assert!(region.is_valid());
        assert!(region.covers(b"wtw3sjq", Category::Cafe, None));
        assert!(!region.covers(b"wtw", Category::Cafe, None));
        assert!(!region.covers(b"wtx3sjq", Category::Cafe, None));
        let industry = Scope::Industry(Category::Cafe);
        assert!(industry.covers(b"x", Category::Cafe, None));
        assert!(!industry.covers(b"x", Category::Bar, None));
        let platform = Scope::Platform(7);
        assert!(platform.covers(b"x", Category::Bar, Some(7)));
        assert!(!platform.covers(b"x", Category::Bar, Some(8)));
        assert!(!platform.covers(b"x", Category::Bar, None));
        assert!(!Scope::Region(Vec::new()).is_valid());
        assert!(!Scope::Region(b"wt w".to_vec()).is_valid());
        assert!(!Scope::Region([b'a'; MAX_LOCATION_LEN + 1].to_vec()).is_valid());
        assert!(Scope::Region([b'a'; MAX_LOCATION_LEN].to_vec()).is_valid());
    }

    #[test]
    fn super_node_config_validation() {
        let nodes = SuperNodeConfig {
            min_bond: 1,
            unbonding_ms: 1,
            max_super_nodes: MAX_SUPER_NODES,
        };
        assert!(nodes.is_valid());
        assert!(!SuperNodeConfig {
            unbonding_ms: 0,
            ..nodes
        }
        .is_valid());
        assert!(!SuperNodeConfig {
            min_bond: 0,
            ..nodes
        }
        .is_valid());
        assert!(!SuperNodeConfig {
            max_super_nodes: 0,
            ..nodes
        }
        .is_valid());
        assert!(!SuperNodeConfig {
            max_super_nodes: MAX_SUPER_NODES + 1,
            ..nodes
        }
        .is_valid());
    }
}

contract_events! {
    /// Everything a super-node message may emit.
    pub enum SuperNodeEvent {
        CandidateRegistered,
        CandidateWithdrawn,
        BondWithdrawn,
        SuperNodeElected,
        SuperNodeRemoved,
        PlatformChanged,
        VerificationVoted,
        VerificationDecided,
        RoleChanged,
    }
}
