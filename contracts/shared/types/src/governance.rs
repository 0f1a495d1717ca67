//! Governance (DESIGN §3.6; whitepaper ch. 2.4, 3.2, 3.5.5–6, 8): the three
//! phases, BT locks with Time dividends, super-node candidates and their
//! bonds, proposals and merchant verification by super nodes.
//!
//! Every event carries what an indexer needs to follow proposals, votes,
//! locks and super nodes without reading storage; a proposal's status is the
//! pure function [`Proposal::status`] of its stored fields and the time.

// `AccountId` and `Hash` implement `TypeInfo` only with `std` (metadata),
// so the types derive it only then.
//
// The SCALE derive writes the index of a variant with fields as
// `(index as u8)`, which cargo-contract's clippy pass (it denies
// `cast_possible_truncation` on every local crate) flags in `Scope` and
// `Action`. This file has no casts of its own.
#![allow(clippy::cast_possible_truncation)]

use crate::{
    ledger::{LedgerParams, ReceiptId, RewardCaps},
    registry::{Category, MAX_LOCATION_LEN},
    roles::Role,
    AccountId, Balance, Hash, Timestamp,
};
use bizkey_math::PPM;
use ink::prelude::vec::Vec;

#[cfg(feature = "std")]
use ink::storage::traits::StorageLayout;

/// Most lock tiers a configuration may have.
pub const MAX_TIERS: usize = 8;
/// Most super nodes at once (each verification scans them all).
pub const MAX_SUPER_NODES: u32 = 64;
/// The largest lock multiplier: 100×.
pub const MAX_MULTIPLIER_PPM: u32 = 100 * PPM;
/// Fixed-point scale of the dividend accumulator (Time per unit of weight).
pub const ACC_SCALE: u128 = 1_000_000_000_000_000_000;

/// The community's governance phase (ch. 8). Phases only move forward.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub enum Phase {
    /// 军政: the foundation authority verifies merchants and sets parameters.
    Military,
    /// 训政: elected super nodes verify the merchants their scopes cover.
    Tutelage,
    /// 宪政: every change is a referendum; the authority has no powers left.
    Constitutional,
}

impl Phase {
    /// The phase after this one (`None` after 宪政).
    pub fn next(self) -> Option<Phase> {
        match self {
            Phase::Military => Some(Phase::Tutelage),
            Phase::Tutelage => Some(Phase::Constitutional),
            Phase::Constitutional => None,
        }
    }
}

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

/// A lock period and its weight: `weight = amount × multiplier_ppm / 10⁶`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct LockTier {
    pub duration_ms: u64,
    pub multiplier_ppm: u32,
}

/// Governance's own parameters (set at instantiation, then by proposal).
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct GovernanceConfig {
    /// How long a proposal takes votes (positive).
    pub voting_period_ms: u64,
    /// How long a passed proposal waits before it may be executed.
    pub execution_delay_ms: u64,
    /// How long after that it may still be executed (positive).
    pub grace_period_ms: u64,
    /// Share of all lock weight (at creation) that must vote, ppm (≤ 10⁶).
    pub quorum_ppm: u32,
    /// A proposal passes when `for > threshold × (for + against)`;
    /// 500,000..10⁶ ppm (a majority at least).
    pub threshold_ppm: u32,
    /// Lock weight needed to propose.
    pub proposal_min_weight: u128,
}

/// Lower bounds fixed when governance is instantiated: no configuration or
/// ledger parameters below them can be proposed or executed, so one passed
/// proposal cannot make every later vote instant (no voting period, no
/// delay, no quorum) nor rewards unchallengeable (no challenge window).
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct Floors {
    /// Shortest voting period.
    pub voting_period_ms: u64,
    /// Shortest execution delay (time to react to a passed proposal).
    pub execution_delay_ms: u64,
    /// Smallest quorum, ppm of all lock weight.
    pub quorum_ppm: u32,
    /// Shortest challenge window of the ledger (`SetLedgerParams`).
    pub challenge_ms: u64,
}

impl Floors {
    /// Whether these floors bound anything: each positive, the quorum at
    /// most 100 %.
    pub fn is_valid(&self) -> bool {
        self.voting_period_ms > 0
            && self.execution_delay_ms > 0
            && self.quorum_ppm > 0
            && self.quorum_ppm <= PPM
            && self.challenge_ms > 0
    }

    /// Whether `config` is valid and at or above the floors.
    pub fn allow_config(&self, config: &GovernanceConfig) -> bool {
        config.is_valid()
            && config.voting_period_ms >= self.voting_period_ms
            && config.execution_delay_ms >= self.execution_delay_ms
            && config.quorum_ppm >= self.quorum_ppm
    }

    /// Whether ledger `params` are valid and at or above the floors.
    pub fn allow_params(&self, params: &LedgerParams) -> bool {
        params.is_valid() && params.challenge_ms >= self.challenge_ms
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

/// Whether lock tiers are acceptable: 1..=[`MAX_TIERS`] of them, durations
/// and multipliers strictly increasing (longer locks weigh more),
/// multipliers in 1..=[`MAX_MULTIPLIER_PPM`].
pub fn tiers_valid(tiers: &[LockTier]) -> bool {
    !tiers.is_empty()
        && tiers.len() <= MAX_TIERS
        && tiers.iter().all(|t| {
            t.duration_ms > 0 && t.multiplier_ppm > 0 && t.multiplier_ppm <= MAX_MULTIPLIER_PPM
        })
        && tiers.windows(2).all(|w| {
            w[0].duration_ms < w[1].duration_ms && w[0].multiplier_ppm < w[1].multiplier_ppm
        })
}

impl GovernanceConfig {
    /// Whether governance may run with this configuration.
    pub fn is_valid(&self) -> bool {
        self.voting_period_ms > 0
            && self.grace_period_ms > 0
            && self.quorum_ppm <= PPM
            && self.threshold_ppm >= PPM / 2
            && self.threshold_ppm < PPM
    }
}

/// An account's locked BT.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct Lock {
    pub amount: Balance,
    /// Index of the lock's tier in the configuration at locking time.
    pub tier: u8,
    /// Voting and dividend weight: `amount × multiplier`.
    pub weight: u128,
    /// When `unlock` may return the BT.
    pub unlock_at: Timestamp,
    /// `weight × acc_per_weight` when last settled (rounded up).
    pub reward_debt: u128,
    /// Settled Time dividends not yet claimed.
    pub unclaimed: Balance,
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

/// What a proposal does when executed.
#[derive(Clone, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub enum Action {
    /// Makes a bonded candidate a super node of its scope.
    ElectSuperNode(AccountId),
    /// Removes a super node (or an unbonding candidate) from office; with
    /// `slash` its bond goes to the treasury and its candidacy ends.
    RevokeSuperNode { node: AccountId, slash: bool },
    /// Registry status `Removed`, pending ledger rewards forfeited, all its
    /// Biz burned.
    RemoveMerchant(AccountId),
    /// Registry status `Removed`, pending ledger rewards forfeited, all its
    /// Time burned.
    RemoveCustomer(AccountId),
    /// New ledger parameters (BizPower weights, reward rates, challenge
    /// window, referral shares).
    SetLedgerParams(LedgerParams),
    /// The reward pool's share of each Time emission release, ppm (the rest
    /// goes to the lockers' dividend pool). Needs the Time admin role (宪政).
    SetEmissionSplit(u32),
    /// Pays BT from the treasury: the ecosystem allocation held by the
    /// vesting contract (slashed bonds go there too).
    TreasurySpend { to: AccountId, amount: Balance },
    /// New governance configuration.
    SetConfig(GovernanceConfig),
    /// Moves to the given phase, which must be the next one.
    AdvancePhase(Phase),
    /// New reward caps of the ledger (per receipt, per merchant and day,
    /// share of a pool).
    SetRewardCaps(RewardCaps),
    /// Moves `biz` Biz and `time` Time of `from` back to the ledger's
    /// reward pools: rewards already claimed from receipts later proven
    /// fraudulent (the tokens' `clawback`). At least one amount positive.
    Clawback {
        from: AccountId,
        biz: Balance,
        time: Balance,
    },
    /// Hands the ledger's `role` to `account` (`None`: vacant), in every
    /// phase: the way to revoke or replace a rogue or leaked fraud
    /// `Reporter` once the authority has no power left. Not `Ledger` (the
    /// ledger has no such role).
    SetLedgerRole {
        role: Role,
        account: Option<AccountId>,
    },
    /// Upholds an appeal against the flag of a receipt (proposed by its
    /// merchant or customer, or anyone holding a lock): the ledger's
    /// `restore` makes it `Confirmed` again and reserves again the rewards
    /// of its entries still pending, paid at claim. The ledger refuses it
    /// unless the receipt is flagged and some of its rewards are pending.
    RestoreReceipt(ReceiptId),
}

/// A proposal's place in its lifecycle at a given time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub enum ProposalStatus {
    /// Taking votes.
    Active,
    /// Voting ended without quorum or without the threshold.
    Defeated,
    /// Passed; the execution delay is running.
    Queued,
    /// Passed and executable now.
    Executable,
    Executed,
    /// Cancelled by the authority (军政 and 训政 only).
    Vetoed,
    /// Passed but not executed within the grace period.
    Expired,
}

/// A proposal.
#[derive(Clone, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct Proposal {
    pub proposer: AccountId,
    pub action: Action,
    /// blake2-256 of the off-chain description.
    pub description: Hash,
    pub created_at: Timestamp,
    /// Votes are taken while `now < voting_end`.
    pub voting_end: Timestamp,
    /// Executable from here on if passed.
    pub executable_at: Timestamp,
    /// Executable until here (exclusive).
    pub expires_at: Timestamp,
    /// Weight that must vote (for + against).
    pub quorum: u128,
    /// `for > threshold × (for + against)`, ppm.
    pub threshold_ppm: u32,
    pub votes_for: u128,
    pub votes_against: u128,
    pub executed: bool,
    pub vetoed: bool,
}

impl Proposal {
    /// Whether the votes cast reach quorum and threshold.
    pub fn passed(&self) -> bool {
        let cast = self.votes_for.saturating_add(self.votes_against);
        // Weights are below 2^100 (BT supply 2^63 × multiplier ≤ 2^27), so
        // `× PPM` (< 2^20) cannot overflow; saturating keeps it total anyway.
        cast >= self.quorum
            && self.votes_for > 0
            && self.votes_for.saturating_mul(PPM.into())
                > cast.saturating_mul(self.threshold_ppm.into())
    }

    /// The proposal's status at `now`.
    pub fn status(&self, now: Timestamp) -> ProposalStatus {
        if self.executed {
            ProposalStatus::Executed
        } else if self.vetoed {
            ProposalStatus::Vetoed
        } else if now < self.voting_end {
            ProposalStatus::Active
        } else if !self.passed() {
            ProposalStatus::Defeated
        } else if now < self.executable_at {
            ProposalStatus::Queued
        } else if now < self.expires_at {
            ProposalStatus::Executable
        } else {
            ProposalStatus::Expired
        }
    }
}

/// A proposal's sequential id.
pub type ProposalId = u32;

/// The addresses governance works with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct Contracts {
    /// The BT lock contract (`locking`): voting weight.
    pub locking: AccountId,
    /// The super-node contract (`super_nodes`).
    pub super_nodes: AccountId,
    pub biz_token: AccountId,
    pub time_token: AccountId,
    pub registry: AccountId,
    pub ledger: AccountId,
    pub vesting: AccountId,
}

/// Governance errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
pub enum GovernanceError {
    /// The caller does not hold the role this message requires (the
    /// authority; the super-node contract).
    Unauthorized,
    /// Not allowed in the current phase.
    WrongPhase,
    /// The configuration is invalid (see `GovernanceConfig::is_valid`).
    InvalidConfig,
    /// The caller has no lock weight.
    NoLock,
    /// The caller's lock ends before the vote does.
    LockTooShort,
    /// The caller's lock weight is below the proposal minimum.
    InsufficientWeight,
    /// No proposal has this id.
    ProposalNotFound,
    /// The proposal is no longer taking votes.
    VotingClosed,
    /// The caller voted on this already.
    AlreadyVoted,
    /// The proposal is not executable now (active, defeated, queued,
    /// executed, vetoed or expired), or cannot be vetoed any more.
    NotExecutable,
    /// The action cannot be carried out as stated (not the next phase,
    /// invalid parameters, a zero spend, …).
    InvalidAction,
    /// A call to the BT lock contract failed.
    LockingCallFailed,
    /// A call to the super-node contract failed (e.g. an election of an
    /// account that is not a candidate, no seat left).
    SuperNodesCallFailed,
    /// A call to a token contract failed.
    TokenCallFailed,
    /// A call to the registry failed.
    RegistryCallFailed,
    /// A call to the ledger failed.
    LedgerCallFailed,
    /// A call to the vesting contract failed (e.g. the treasury holds less
    /// than the spend).
    VestingCallFailed,
    /// A sum overflowed (no real input reaches it).
    Overflow,
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
}

/// Errors of the BT lock contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
pub enum LockingError {
    /// The lock tiers are invalid (see [`tiers_valid`]).
    InvalidTiers,
    /// An amount of zero.
    ZeroAmount,
    /// No lock tier has this index, or it is below the caller's current
    /// tier.
    InvalidTier,
    /// The caller has no lock.
    NoLock,
    /// The lock period has not ended.
    StillLocked,
    /// No dividends are due to the caller.
    NothingToClaim,
    /// A call to a token contract failed (allowance, balance).
    TokenCallFailed,
    /// A sum overflowed (no real input reaches it).
    Overflow,
}

/// The phase moved forward (by an executed proposal).
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseAdvanced {
    pub from: Phase,
    pub to: Phase,
}

/// `account` locked BT; the fields are its whole lock afterwards.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locked {
    #[ink(topic)]
    pub account: AccountId,
    /// Added by this call.
    pub added: Balance,
    pub lock: Lock,
    /// All lock weight afterwards.
    pub total_weight: u128,
}

/// `account` took its BT back after the lock period.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unlocked {
    #[ink(topic)]
    pub account: AccountId,
    pub amount: Balance,
    pub total_weight: u128,
}

/// Time that reached the dividend pool was shared among the lockers.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DividendsDistributed {
    pub amount: Balance,
    /// The accumulator afterwards (Time per weight × [`ACC_SCALE`]).
    pub acc_per_weight: u128,
}

/// `account` received its Time dividends.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DividendsClaimed {
    #[ink(topic)]
    pub account: AccountId,
    pub amount: Balance,
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

/// A proposal was made; it takes votes until `voting_end`.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalCreated {
    #[ink(topic)]
    pub id: ProposalId,
    #[ink(topic)]
    pub proposer: AccountId,
    pub proposal: Proposal,
}

/// A vote was cast with the voter's lock weight.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voted {
    #[ink(topic)]
    pub id: ProposalId,
    #[ink(topic)]
    pub voter: AccountId,
    pub support: bool,
    pub weight: u128,
}

/// The authority vetoed a proposal (军政 and 训政).
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalVetoed {
    #[ink(topic)]
    pub id: ProposalId,
}

/// A proposal's action was carried out (its own events follow or precede).
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalExecuted {
    #[ink(topic)]
    pub id: ProposalId,
}

/// A merchant or customer was removed: registry `Removed`, pending rewards
/// forfeited, `burned` of its Biz (merchant) or Time (customer) burned.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRemoved {
    #[ink(topic)]
    pub account: AccountId,
    pub merchant: bool,
    pub burned: Balance,
}

/// BT left the treasury (the vesting contract's ecosystem allocation).
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreasurySpent {
    #[ink(topic)]
    pub to: AccountId,
    pub amount: Balance,
}

/// Governance's configuration changed (also at instantiation).
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigChanged {
    pub config: GovernanceConfig,
}

/// What the super-node contract calls on governance.
#[ink::trait_definition]
pub trait GovernanceApi {
    /// The current phase.
    #[ink(message)]
    fn phase(&self) -> Phase;

    /// The covering super nodes approved `merchant` by majority: governance
    /// verifies it in the registry.
    ///
    /// # Errors
    /// `Unauthorized` unless the caller is the super-node contract;
    /// `WrongPhase` in 军政; `RegistryCallFailed`.
    #[ink(message)]
    fn verify(&mut self, merchant: AccountId) -> Result<(), GovernanceError>;
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

/// What governance reads from the BT lock contract.
#[ink::trait_definition]
pub trait LockingApi {
    /// `account`'s lock, if any.
    #[ink(message)]
    fn lock_of(&self, account: AccountId) -> Option<Lock>;

    /// The weight of all locks.
    #[ink(message)]
    fn total_weight(&self) -> u128;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> GovernanceConfig {
        GovernanceConfig {
            voting_period_ms: 10,
            execution_delay_ms: 5,
            grace_period_ms: 100,
            quorum_ppm: 100_000,
            threshold_ppm: 500_000,
            proposal_min_weight: 1,
        }
    }

    fn tiers() -> Vec<LockTier> {
        ink::prelude::vec![
            LockTier {
                duration_ms: 10,
                multiplier_ppm: PPM,
            },
            LockTier {
                duration_ms: 20,
                multiplier_ppm: 2 * PPM,
            },
        ]
    }

    #[test]
    fn phases_only_move_forward() {
        assert_eq!(Phase::Military.next(), Some(Phase::Tutelage));
        assert_eq!(Phase::Tutelage.next(), Some(Phase::Constitutional));
        assert_eq!(Phase::Constitutional.next(), None);
    }

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
    fn config_validation() {
        assert!(config().is_valid());
        let broken: [fn(&mut GovernanceConfig); 5] = [
            |c| c.voting_period_ms = 0,
            |c| c.grace_period_ms = 0,
            |c| c.quorum_ppm = PPM + 1,
            |c| c.threshold_ppm = PPM / 2 - 1,
            |c| c.threshold_ppm = PPM,
        ];
        for (i, breaks) in broken.iter().enumerate() {
            let mut c = config();
            breaks(&mut c);
            assert!(!c.is_valid(), "case {i}");
        }
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

    #[test]
    fn tier_validation() {
        assert!(tiers_valid(&tiers()));
        assert!(!tiers_valid(&[]));
        let mut t = tiers();
        // Equal multipliers: the longer lock would not weigh more.
        t[1].multiplier_ppm = PPM;
        assert!(!tiers_valid(&t));
        let mut t = tiers();
        t[1].duration_ms = 10;
        assert!(!tiers_valid(&t));
        let mut t = tiers();
        t[0].duration_ms = 0;
        assert!(!tiers_valid(&t));
        let mut t = tiers();
        t[0].multiplier_ppm = 0;
        assert!(!tiers_valid(&t));
        let many: Vec<LockTier> = (1..=MAX_TIERS as u64 + 1)
            .map(|i| LockTier {
                duration_ms: i,
                multiplier_ppm: i as u32,
            })
            .collect();
        assert!(!tiers_valid(&many));
        assert!(tiers_valid(&many[..MAX_TIERS]));
        let top = [LockTier {
            duration_ms: 1,
            multiplier_ppm: MAX_MULTIPLIER_PPM,
        }];
        assert!(tiers_valid(&top));
        let over = [LockTier {
            duration_ms: 1,
            multiplier_ppm: MAX_MULTIPLIER_PPM + 1,
        }];
        assert!(!tiers_valid(&over));
    }

    fn proposal(quorum: u128, votes_for: u128, votes_against: u128) -> Proposal {
        Proposal {
            proposer: AccountId::from([1; 32]),
            action: Action::AdvancePhase(Phase::Tutelage),
            description: Hash::from([0; 32]),
            created_at: 0,
            voting_end: 10,
            executable_at: 15,
            expires_at: 115,
            quorum,
            threshold_ppm: 600_000,
            votes_for,
            votes_against,
            executed: false,
            vetoed: false,
        }
    }

    #[test]
    fn status_follows_votes_and_time() {
        let p = proposal(100, 61, 39);
        assert!(p.passed());
        assert_eq!(p.status(0), ProposalStatus::Active);
        assert_eq!(p.status(9), ProposalStatus::Active);
        assert_eq!(p.status(10), ProposalStatus::Queued);
        assert_eq!(p.status(14), ProposalStatus::Queued);
        assert_eq!(p.status(15), ProposalStatus::Executable);
        assert_eq!(p.status(114), ProposalStatus::Executable);
        assert_eq!(p.status(115), ProposalStatus::Expired);
        // Exactly the threshold does not pass; below quorum does not.
        assert!(!proposal(100, 60, 40).passed());
        assert_eq!(proposal(100, 60, 40).status(10), ProposalStatus::Defeated);
        assert!(!proposal(101, 61, 39).passed());
        assert!(proposal(0, 1, 0).passed());
        assert!(!proposal(0, 0, 0).passed());
        let mut p = proposal(100, 100, 0);
        p.vetoed = true;
        assert_eq!(p.status(20), ProposalStatus::Vetoed);
        p.executed = true;
        assert_eq!(p.status(20), ProposalStatus::Executed);
    }
}

use crate::roles::RoleChanged;

contract_events! {
    /// Everything a locking message may emit.
    pub enum LockingEvent {
        Locked,
        Unlocked,
        DividendsDistributed,
        DividendsClaimed,
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

contract_events! {
    /// Everything a governance message may emit.
    // `ProposalCreated` carries the whole proposal; the events live only
    // until the message emits them, so boxing it would cost code for nothing.
    #[allow(clippy::large_enum_variant)]
    pub enum GovernanceEvent {
        PhaseAdvanced,
        ProposalCreated,
        Voted,
        ProposalVetoed,
        ProposalExecuted,
        AccountRemoved,
        TreasurySpent,
        ConfigChanged,
    }
}
