//! Tasks (DESIGN §3.4, whitepaper ch. 3.6 任务系统): bounties in Time that a
//! merchant escrows and customers earn by meeting the task's rules.
//!
//! Every Time movement of the tasks contract is told by exactly one event:
//! `TaskCreated.escrow` and `TaskJoined.stake` come in; `TaskCompleted.reward`,
//! `TaskCompleted.stake_returned`, `GroupShareCollected.amount`,
//! `ParticipantPenalized.forfeited` (to the ledger's reward pool),
//! `StakeWithdrawn.amount`
//! and `TaskRefunded.amount` go out. Per task, the escrow always equals what
//! was paid out plus what was refunded plus what is still held (`Task::pool`
//! and `Task::reserved`).

// ink!'s `StorageLayout` derive casts a variant's index (`usize`) to `u8` in
// enums that carry data (`Rule`, `Reward`, `Eligibility`), which
// cargo-contract's `clippy::cast_possible_truncation` check rejects; an enum
// has far fewer than 256 variants.
#![allow(clippy::cast_possible_truncation)]

use crate::{ledger::ReceiptId, AccountId, Balance, Hash, Timestamp};
use ink::prelude::{string::String, vec::Vec};

#[cfg(feature = "std")]
use ink::storage::traits::StorageLayout;

/// A task's sequential id.
pub type TaskId = u32;

/// Longest task name, in bytes of UTF-8.
pub const MAX_NAME_LEN: usize = 64;
/// Most rules a task may have (attestations are a bit mask of rule indexes).
pub const MAX_RULES: usize = 8;
/// Most merchants a purchase rule may list.
pub const MAX_MERCHANTS: usize = 16;
/// Most receipts one claim (or one join's proof) may carry.
pub const MAX_RECEIPTS: usize = 32;
/// Longest task window (start to end): 366 days.
pub const MAX_DURATION_MS: u64 = 366 * 86_400_000;
/// Longest claim period after the end: 30 days.
pub const MAX_CLAIM_MS: u64 = 30 * 86_400_000;

/// How a task's rules combine (规则模式: 或型 / 并型).
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub enum RuleMode {
    /// At least one rule is met (或型规则).
    Any,
    /// Every rule is met (并型规则).
    All,
}

/// Purchases the claimant made, proven by its own receipts.
#[derive(Clone, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct PurchaseRule {
    /// Where the purchases count; empty: at the task's merchant only.
    pub merchants: Vec<AccountId>,
    /// Fewest qualifying receipts (≥ 1).
    pub min_count: u32,
    /// Smallest amount of each qualifying receipt, in cents.
    pub min_amount: u128,
    /// Fewest different merchants among the qualifying receipts
    /// (≤ `min_count`; 0 or 1: no condition).
    pub distinct_merchants: u32,
}

/// One rule of a task. Receipts count only if completed inside the task's
/// window `[start, end)`.
#[derive(Clone, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub enum Rule {
    /// Purchases (at this merchant or at a list of merchants).
    Purchases(PurchaseRule),
    /// At least `count` different customers whom the claimant referred (their
    /// registry referrer) bought at the task's merchant, proven by their
    /// receipts.
    Referrals { count: u32 },
    /// The merchant attested that the participant did an off-chain action
    /// (a social share, a review, …) described by `action` (a content hash).
    Attested { action: Hash },
}

/// What a completion earns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub enum Reward {
    /// This much Time per completion; the escrow must be exactly
    /// `amount × max_completions`.
    Fixed(Balance),
    /// This multiple, in ppm, of the Time cashback the ledger credited on the
    /// claimant's qualifying receipts (`Receipt::time`), capped by what is
    /// left in the pool. 1,000,000 ppm pays as much again: the Time earned on
    /// those receipts doubles (ch. 3.6: 7 merchants in a row).
    Multiple(u32),
    /// A group goal (多人达成目标获得奖金池): once `max_completions` customers
    /// (K) have completed, the pool is split equally among them (the remainder
    /// of the division returns to the merchant). If fewer complete, nobody is
    /// paid and the whole pool returns.
    Group,
}

/// Who may join (顾客资格).
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub enum Eligibility {
    /// Any customer who is not suspended or removed.
    Anyone,
    /// Customers new to the network: not registered before the task's start
    /// (a first confirmed purchase registers a customer, so they had none).
    NewCustomers,
    /// Customers who prove, when joining, this many confirmed purchases of
    /// theirs at the task's merchant (their challenge windows over).
    MinPurchases(u32),
}

/// What a merchant publishes (任务信息).
#[derive(Clone, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct TaskTerms {
    /// 1..=[`MAX_NAME_LEN`] bytes of UTF-8.
    pub name: String,
    /// blake2-256 of the full description (kept off-chain).
    pub description_hash: Hash,
    pub mode: RuleMode,
    /// 1..=[`MAX_RULES`] rules.
    pub rules: Vec<Rule>,
    pub reward: Reward,
    pub eligibility: Eligibility,
    /// The penalty for a violation (违约行为 / 处罚方式): Time a participant
    /// deposits when joining. It comes back with the completion (or after
    /// the claim period); if the merchant attests a violation first, it is
    /// forfeited to the ledger's Time reward pool (never to the merchant,
    /// who attests alone) and the participation ends. 0: no deposit, a
    /// violation only ends the participation.
    pub penalty: Balance,
    /// Window `[start, end)`: receipts completed in it count; joining is open
    /// until `end`.
    pub start: Timestamp,
    pub end: Timestamp,
    /// Claims stay open until `end + claim_ms` (≤ [`MAX_CLAIM_MS`]), so the
    /// challenge windows of the last receipts can close.
    pub claim_ms: u64,
    /// Most completions (≥ 1); the group size K of a `Group` reward.
    pub max_completions: u32,
}

impl TaskTerms {
    /// When claims close and the unspent pool may return to the merchant.
    pub fn claim_close(&self) -> Timestamp {
        self.end.saturating_add(self.claim_ms)
    }
}

/// A task and its money.
#[derive(Clone, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct Task {
    pub merchant: AccountId,
    pub terms: TaskTerms,
    pub created_at: Timestamp,
    /// Time the merchant escrowed.
    pub escrow: Balance,
    /// Escrow not yet paid, refunded or reserved.
    pub pool: Balance,
    /// Group shares owed to completers who have not collected them.
    pub reserved: Balance,
    /// Rewards paid out.
    pub paid: Balance,
    /// Returned to the merchant.
    pub refunded: Balance,
    /// Participants' deposits held.
    pub stakes: Balance,
    pub participants: u32,
    pub completions: u32,
    /// Each completer's share once a group goal is reached (0 before).
    pub group_share: Balance,
}

/// Where a participant stands (参与状态).
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub enum ParticipantStatus {
    Joined,
    Completed,
    /// The merchant attested a violation: no claim, no deposit back.
    Penalized,
}

/// A customer's participation in a task (参与信息).
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct Participant {
    pub status: ParticipantStatus,
    pub joined_at: Timestamp,
    /// Deposit still held.
    pub stake: Balance,
    /// Bit `i`: the merchant attested the action of rule `i`.
    pub attested: u8,
    /// Reward received (结果); a group share counts once collected.
    pub reward: Balance,
    /// Group tasks: the share was collected.
    pub collected: bool,
}

/// Tasks errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
pub enum TasksError {
    /// The caller is not the task's merchant.
    Unauthorized,
    /// The creator is not a verified merchant in the registry.
    MerchantNotVerified,
    /// The name is empty or longer than [`MAX_NAME_LEN`] bytes.
    InvalidName,
    /// No rule, too many rules or merchants, a zero count, or distinct
    /// merchants above the count.
    InvalidRules,
    /// `start ≥ end`, `end` not in the future, a window longer than
    /// [`MAX_DURATION_MS`] or a claim period longer than [`MAX_CLAIM_MS`].
    InvalidWindow,
    /// A zero reward, escrow or maximum, or (fixed reward) an escrow other
    /// than `amount × max_completions`.
    InvalidReward,
    /// `MinPurchases(0)` or more than [`MAX_RECEIPTS`].
    InvalidEligibility,
    /// No task has this id.
    TaskNotFound,
    /// Claims open at the task's start.
    NotStarted,
    /// Too late: joining closes at the end, claims / attestations /
    /// penalties at `end + claim_ms`.
    TaskClosed,
    /// Too early: refunds and deposit withdrawals wait for the claim period
    /// to close.
    TaskNotClosed,
    /// The caller joined this task before.
    AlreadyJoined,
    /// The customer has not joined this task.
    NotJoined,
    /// The customer does not meet the task's eligibility (or is suspended
    /// or removed).
    NotEligible,
    /// The participant was penalized.
    Penalized,
    /// The participant completed this task already.
    AlreadyCompleted,
    /// The task reached its maximum completions.
    TaskFull,
    /// The ledger has no receipt with this id.
    ReceiptNotFound,
    /// The receipt is neither the claimant's nor a referred customer's.
    NotYourReceipt,
    /// The receipt is not confirmed (open, cancelled or refunded).
    ReceiptNotConfirmed,
    /// The receipt was flagged as fraudulent.
    ReceiptFlagged,
    /// The receipt's challenge window is not over yet.
    ReceiptNotMatured,
    /// The receipt was completed outside the task's window.
    ReceiptOutsideWindow,
    /// The receipt counts for none of the task's rules (wrong merchant,
    /// amount below the minimum, no referral rule).
    ReceiptNotQualifying,
    /// The receipt was used for this task before (or twice in one call).
    ReceiptAlreadyUsed,
    /// More than [`MAX_RECEIPTS`] receipts, or none.
    TooManyReceipts,
    /// The receipts and attestations do not meet the rules.
    RulesNotMet,
    /// The pool is empty.
    PoolExhausted,
    /// Nothing left to refund, withdraw or collect.
    NothingToPay,
    /// The rule index is not an `Attested` rule of the task.
    NotAttestable,
    /// A Time token call failed (balance or allowance too low).
    TokenCallFailed,
    /// A call to the ledger failed.
    LedgerCallFailed,
    /// A call to the registry failed.
    RegistryCallFailed,
    /// A sum overflowed (no real input reaches it).
    Overflow,
}

/// A merchant published a task and escrowed `escrow` Time into it.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskCreated {
    #[ink(topic)]
    pub id: TaskId,
    #[ink(topic)]
    pub merchant: AccountId,
    pub terms: TaskTerms,
    pub escrow: Balance,
    pub at: Timestamp,
}

/// A customer joined a task, depositing `stake` Time (the task's penalty).
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskJoined {
    #[ink(topic)]
    pub id: TaskId,
    #[ink(topic)]
    pub customer: AccountId,
    pub stake: Balance,
    pub at: Timestamp,
}

/// The merchant attested the off-chain action of rule `rule` for a
/// participant.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionAttested {
    #[ink(topic)]
    pub id: TaskId,
    #[ink(topic)]
    pub customer: AccountId,
    pub rule: u8,
}

/// A participant completed a task with these receipts (now used for this
/// task), was paid `reward` and got its deposit back. For a group task the
/// reward is 0 until the goal is reached (`GroupGoalReached`).
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskCompleted {
    #[ink(topic)]
    pub id: TaskId,
    #[ink(topic)]
    pub customer: AccountId,
    pub receipts: Vec<ReceiptId>,
    /// Time cashback on the claimant's qualifying receipts.
    pub qualifying_time: Balance,
    pub reward: Balance,
    pub stake_returned: Balance,
    /// Completions of the task, this one included.
    pub completions: u32,
}

/// K participants completed a group task: each is owed `share`.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupGoalReached {
    #[ink(topic)]
    pub id: TaskId,
    pub share: Balance,
    pub completers: u32,
}

/// A completer of a group task collected its share.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupShareCollected {
    #[ink(topic)]
    pub id: TaskId,
    #[ink(topic)]
    pub customer: AccountId,
    pub amount: Balance,
}

/// The merchant attested a violation: the participant's deposit went to the
/// ledger's Time reward pool and the participation ended.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantPenalized {
    #[ink(topic)]
    pub id: TaskId,
    #[ink(topic)]
    pub customer: AccountId,
    /// Hash of the evidence (kept off-chain).
    pub evidence: Hash,
    pub forfeited: Balance,
}

/// A participant who did not complete took its deposit back after the claim
/// period.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StakeWithdrawn {
    #[ink(topic)]
    pub id: TaskId,
    #[ink(topic)]
    pub customer: AccountId,
    pub amount: Balance,
}

/// The unspent pool returned to the merchant after the claim period.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRefunded {
    #[ink(topic)]
    pub id: TaskId,
    #[ink(topic)]
    pub merchant: AccountId,
    pub amount: Balance,
}

contract_events! {
    /// Everything a tasks message may emit.
    pub enum TaskEvent {
        TaskCreated,
        TaskJoined,
        ActionAttested,
        TaskCompleted,
        GroupGoalReached,
        GroupShareCollected,
        ParticipantPenalized,
        StakeWithdrawn,
        TaskRefunded,
    }
}

/// A Time movement an event stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movement {
    /// `from` → the tasks contract (needs `from`'s allowance).
    In { from: AccountId, amount: Balance },
    /// The tasks contract → `to`.
    Out { to: AccountId, amount: Balance },
}

/// Who is on the other side of a Time movement.
enum Party {
    Account(AccountId),
    /// The ledger, whose Time reward pool takes forfeited deposits (its
    /// next `sync_pools` makes them available): not the task's merchant,
    /// who could otherwise penalize at will to take its participants'
    /// deposits.
    RewardPool,
}

impl TaskEvent {
    /// The Time this event moves (`None`: none, or zero); `reward_pool` is
    /// the ledger's account.
    pub fn movement(&self, reward_pool: AccountId) -> Option<Movement> {
        let (into, party, amount) = self.flow()?;
        if amount == 0 {
            return None;
        }
        let account = match party {
            Party::Account(a) => a,
            Party::RewardPool => reward_pool,
        };
        Some(if into {
            Movement::In {
                from: account,
                amount,
            }
        } else {
            Movement::Out {
                to: account,
                amount,
            }
        })
    }

    /// Time into the contract and out of it by this event: what
    /// [`TaskEvent::movement`] moves, as the indexer records it.
    pub fn time_flow(&self) -> (Balance, Balance) {
        match self.flow() {
            Some((true, _, amount)) => (amount, 0),
            Some((false, _, amount)) => (0, amount),
            None => (0, 0),
        }
    }

    /// (into the contract?, the other side, amount).
    fn flow(&self) -> Option<(bool, Party, Balance)> {
        use Party::{Account, RewardPool};
        Some(match self {
            TaskEvent::TaskCreated(e) => (true, Account(e.merchant), e.escrow),
            TaskEvent::TaskJoined(e) => (true, Account(e.customer), e.stake),
            // Both are parts of the contract's holdings, whose sum fits.
            TaskEvent::TaskCompleted(e) => (
                false,
                Account(e.customer),
                e.reward.saturating_add(e.stake_returned),
            ),
            TaskEvent::GroupShareCollected(e) => (false, Account(e.customer), e.amount),
            TaskEvent::ParticipantPenalized(e) => (false, RewardPool, e.forfeited),
            TaskEvent::StakeWithdrawn(e) => (false, Account(e.customer), e.amount),
            TaskEvent::TaskRefunded(e) => (false, Account(e.merchant), e.amount),
            TaskEvent::ActionAttested(_) | TaskEvent::GroupGoalReached(_) => return None,
        })
    }
}
