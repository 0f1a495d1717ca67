//! Governance (DESIGN §3.6; whitepaper ch. 2.4, 3.2, 3.5.5–6, 8): the three
//! phases, proposals and their actions, the floors no proposal crosses. BT
//! locks are in [`crate::locking`], super nodes in [`crate::super_nodes`].
//!
//! Every event carries what an indexer needs to follow proposals and votes
//! without reading storage; a proposal's status is the pure function
//! [`Proposal::status`] of its stored fields and the time.

// `AccountId` and `Hash` implement `TypeInfo` only with `std` (metadata),
// so the types derive it only then.
//
// The SCALE derive writes the index of a variant with fields as
// `(index as u8)`, which cargo-contract's clippy pass (it denies
// `cast_possible_truncation` on every local crate) flags in `Action`. This
// file has no casts of its own.
#![allow(clippy::cast_possible_truncation)]

use crate::{
    ledger::{LedgerParams, ReceiptId, RewardCaps},
    roles::Role,
    AccountId, Balance, Hash, Timestamp,
};
use bizkey_math::PPM;
use ink::prelude::vec::Vec;

#[cfg(feature = "std")]
use ink::storage::traits::StorageLayout;

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

/// What a proposal does when executed.
#[derive(Clone, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub enum Action {
    /// Makes a bonded candidate a super node of its scope.
    ElectSuperNode(AccountId),
    /// Removes a super node (or an unbonding candidate) from office; with
    /// `slash` its bond goes to the treasury and its candidacy ends.
    RevokeSuperNode { node: AccountId, slash: bool },
    /// Registry status `Removed`, pending ledger rewards forfeited, its BT
    /// lock ended and its super-node bond slashed to the treasury, then all
    /// its Biz burned (the lock's BT included).
    RemoveMerchant(AccountId),
    /// Registry status `Removed`, pending ledger rewards forfeited, its BT
    /// lock ended (the BT returned) and its super-node bond slashed to the
    /// treasury, then all its Time burned.
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
    /// Suspends `account` (`suspended`) or reinstates it (the merchant to
    /// `Verified`, the customer to `Active`), as the registry's statuses
    /// allow: suspension in every phase, not only while the authority holds
    /// the registry (军政). A suspended merchant's sales are not confirmed
    /// and a suspended customer cannot buy.
    SetSuspended {
        account: AccountId,
        merchant: bool,
        suspended: bool,
    },
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

/// The phase moved forward (by an executed proposal).
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseAdvanced {
    pub from: Phase,
    pub to: Phase,
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

    #[test]
    fn phases_only_move_forward() {
        assert_eq!(Phase::Military.next(), Some(Phase::Tutelage));
        assert_eq!(Phase::Tutelage.next(), Some(Phase::Constitutional));
        assert_eq!(Phase::Constitutional.next(), None);
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
