//! The ledger (DESIGN §3.3): dual-entry receipts, BizPower rewards, the
//! challenge window, claims.
//!
//! An indexer rebuilds the ledger from these events alone, in emission order:
//! `MerchantSynced` says which cost and referrer the ledger uses for a
//! merchant from then on, `ParamsChanged` which weights, window and rates;
//! replaying each `ReceiptConfirmed` (its `confirmed_at`, the receipt's
//! channel and amount) through `bizkey_math::record_sale` reproduces the
//! `bizpower` and novelty exponent it carries. Reward amounts are in the event
//! (they may be capped by the reward pool, which replay cannot know).

use crate::{
    registry::{Customer, MerchantInfo, RegistryEntry},
    AccountId, Balance, Hash, Timestamp,
};
use bizkey_math::{Channel, MerchantWindow, RewardParams, Weights};

#[cfg(feature = "std")]
use ink::storage::traits::StorageLayout;

/// A receipt's sequential id.
pub type ReceiptId = u64;

/// Most pending entries governance's removal of an account forfeits in its
/// own call (each costs about as much as a claimed entry); anyone forfeits
/// the rest of a removed account's entries with `forfeit_pending`.
pub const REMOVAL_FORFEITS: u32 = 64;

/// Longest challenge window and expiry a parameter change may set (30 days).
pub const MAX_PERIOD_MS: u64 = 30 * DAY_MS;

/// Which side of a sale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub enum Side {
    Merchant,
    Customer,
}

/// A receipt's lifecycle: `Open` → `Confirmed` → (`Flagged` | `Refunded`),
/// or `Open` → `Cancelled`; `Flagged` → `Confirmed` when governance upholds
/// an appeal (`restore`). Rewards of a confirmed receipt mature at its
/// deadline unless it was flagged or refunded before.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub enum ReceiptStatus {
    Open,
    Confirmed,
    Cancelled,
    Flagged,
    Refunded,
}

/// The reward tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub enum Token {
    Biz,
    Time,
}

/// The on-chain fields of a sale, as the opening side declares them and the
/// other side confirms them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct Order {
    /// The merchant's order number; (merchant, order id) is unique forever.
    pub order_id: u64,
    /// When the order was placed (ms; not after the block time).
    pub order_time: Timestamp,
    pub channel: Channel,
    /// Amount paid, in cents (after the discount, Time included); positive.
    pub amount: u128,
    /// Discount granted, in cents.
    pub discount: u128,
    /// Time units the customer pays (moved customer → merchant on
    /// confirmation), at most the merchant's share of
    /// `amount × TIME_UNITS_PER_CENT`.
    pub time_paid: Balance,
    /// Number of items.
    pub items: u32,
    /// blake2-256 of the full off-chain receipt detail.
    pub detail_hash: Hash,
}

/// A receipt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct Receipt {
    pub merchant: AccountId,
    pub customer: AccountId,
    pub opened_by: Side,
    pub order: Order,
    pub status: ReceiptStatus,
    pub opened_at: Timestamp,
    /// While `Open`: when it expires; once confirmed: when its rewards mature
    /// (the end of the challenge window).
    pub deadline: Timestamp,
    /// Confirmation time (0 until confirmed).
    pub completed_at: Timestamp,
    /// Biz reserved for the merchant and its referrer.
    pub biz: Balance,
    /// The customer's Time cashback.
    pub time: Balance,
    /// The Time referral bonus for the customer's referrer.
    pub referral_time: Balance,
}

/// Who gets what for one confirmed receipt.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct Rewards {
    /// Biz to the merchant (after its referrer's share).
    pub merchant_biz: Balance,
    /// The merchant's referrer, while the referral period runs.
    pub merchant_referrer: Option<AccountId>,
    pub merchant_referrer_biz: Balance,
    /// Time cashback to the customer.
    pub customer_time: Balance,
    /// The customer's referrer, on the customer's first purchase.
    pub customer_referrer: Option<AccountId>,
    pub customer_referrer_time: Balance,
}

/// Whom a reward entry pays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Beneficiary {
    Merchant,
    MerchantReferrer,
    Customer,
    CustomerReferrer,
}

impl Rewards {
    /// The entries a confirmation queues, in the ledger's order, each on its
    /// account's FIFO: (whom, account, token, amount). A missing referrer's
    /// entry names the merchant or the customer with a zero amount; the
    /// ledger queues no zero amount.
    pub fn credits(
        &self,
        merchant: AccountId,
        customer: AccountId,
    ) -> [(Beneficiary, AccountId, Token, Balance); 4] {
        [
            (
                Beneficiary::Merchant,
                merchant,
                Token::Biz,
                self.merchant_biz,
            ),
            (
                Beneficiary::MerchantReferrer,
                self.merchant_referrer.unwrap_or(merchant),
                Token::Biz,
                self.merchant_referrer_biz,
            ),
            (
                Beneficiary::Customer,
                customer,
                Token::Time,
                self.customer_time,
            ),
            (
                Beneficiary::CustomerReferrer,
                self.customer_referrer.unwrap_or(customer),
                Token::Time,
                self.customer_referrer_time,
            ),
        ]
    }
}

/// Which of a receipt's reward shares ([`Receipt::biz`], [`Receipt::time`],
/// [`Receipt::referral_time`]) one of its queued entries holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Share {
    Biz,
    Time,
    Referral,
}

impl Share {
    /// The share of an entry of `token` queued for the receipt's customer
    /// (`to_customer`) or for someone else (a referrer, the merchant).
    pub fn of(token: Token, to_customer: bool) -> Share {
        match token {
            Token::Biz => Share::Biz,
            Token::Time if to_customer => Share::Time,
            Token::Time => Share::Referral,
        }
    }
}

impl ReceiptStatus {
    /// Whether consuming a queued entry of a receipt in this status takes
    /// the entry's amount off the receipt's share: a flagged receipt's
    /// (an upheld appeal restores only what is still queued) and, when a
    /// removal forfeits the entry (`removal`), a confirmed one's, whose
    /// amount goes back to its pool. A claim pays a confirmed receipt's
    /// entries and leaves its shares as they are.
    pub fn consuming_lowers_share(self, removal: bool) -> bool {
        self == ReceiptStatus::Flagged || removal && self == ReceiptStatus::Confirmed
    }
}

/// One token's reward pool: what the ledger holds, split into what pending
/// rewards have reserved and what is free to promise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct Pool {
    pub available: Balance,
    pub reserved: Balance,
}

/// The pool rules, one home for the ledger and the indexer's replay of it.
/// Each returns the pool after the move, `None` if it does not fit.
impl Pool {
    /// Promises `amount` of the free funds to pending rewards (a
    /// confirmation, an upheld appeal): available → reserved.
    pub fn reserve(self, amount: Balance) -> Option<Pool> {
        Some(Pool {
            available: self.available.checked_sub(amount)?,
            reserved: self.reserved.checked_add(amount)?,
        })
    }

    /// Frees promised rewards that were forfeited (a flag, a refund, a
    /// removal): reserved → available.
    pub fn release(self, amount: Balance) -> Option<Pool> {
        Some(Pool {
            available: self.available.checked_add(amount)?,
            reserved: self.reserved.checked_sub(amount)?,
        })
    }

    /// Pays promised rewards out (a claim): they leave the reserve.
    pub fn pay(self, amount: Balance) -> Option<Pool> {
        Some(Pool {
            available: self.available,
            reserved: self.reserved.checked_sub(amount)?,
        })
    }
}

/// What the ledger keeps per merchant: its registry data as of the last
/// sync, and its current BizPower window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct MerchantState {
    pub info: MerchantInfo,
    pub window: MerchantWindow,
    /// What the merchant's receipts reserved today (for [`RewardCaps`]).
    pub today: DayTotals,
}

/// The rewards one merchant's receipts reserved on one UTC day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct DayTotals {
    /// Days since the Unix epoch (block time / [`DAY_MS`]).
    pub day: u64,
    /// Biz reserved for the merchant and its referrer.
    pub biz: Balance,
    /// Time cashback reserved for the merchant's customers.
    pub time: Balance,
}

/// A pending reward of one account, in its FIFO.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct PendingEntry {
    /// The receipt it comes from (paid only if the receipt is still
    /// `Confirmed` when its deadline has passed).
    pub receipt: ReceiptId,
    pub token: Token,
    pub amount: Balance,
}

/// An account's FIFO of pending entries: indexes `head..tail`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct Queue {
    pub head: u64,
    pub tail: u64,
}

/// The queue rules, one home for the ledger and the indexer's replay of it.
impl Queue {
    /// Entries queued.
    pub fn len(&self) -> u64 {
        self.tail.saturating_sub(self.head)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends an entry: the index it takes. (One entry per confirmation:
    /// u64 indexes do not run out.)
    pub fn push(&mut self) -> u64 {
        let index = self.tail;
        self.tail = self.tail.saturating_add(1);
        index
    }

    /// Takes the oldest `n` entries (all of them if fewer are queued): the
    /// indexes taken. An emptied queue starts again at index 0, as the
    /// ledger frees its storage.
    pub fn take(&mut self, n: u64) -> core::ops::Range<u64> {
        let end = self.tail.min(self.head.saturating_add(n));
        let taken = self.head..end;
        self.head = end;
        if self.is_empty() {
            *self = Queue::default();
        }
        taken
    }
}

/// Governance-set parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct LedgerParams {
    pub reward: RewardParams,
    /// Must sum to 1 (`Weights::is_valid`).
    pub weights: Weights,
    /// BizPower window, ms (positive).
    pub window_ms: u64,
    /// Challenge window after confirmation, ms (≤ [`MAX_PERIOD_MS`]).
    pub challenge_ms: u64,
    /// Life of an unconfirmed receipt, ms (positive, ≤ [`MAX_PERIOD_MS`]).
    pub expiry_ms: u64,
    /// Share of a referred merchant's Biz that goes to its referrer, ppm.
    pub merchant_referral_ppm: u32,
    /// How long after the referred merchant's first verification, ms.
    pub merchant_referral_ms: u64,
    /// Time paid to a customer's referrer on the customer's first purchase.
    pub customer_referral_time: Balance,
}

impl Default for LedgerParams {
    fn default() -> Self {
        Self {
            reward: RewardParams::default(),
            weights: Weights::default(),
            window_ms: DAY_MS,
            challenge_ms: DAY_MS,
            expiry_ms: 3 * DAY_MS,
            merchant_referral_ppm: 100_000,
            merchant_referral_ms: 180 * DAY_MS,
            customer_referral_time: 1_000_000_000_000,
        }
    }
}

impl LedgerParams {
    /// Whether governance may set these parameters.
    pub fn is_valid(&self) -> bool {
        self.weights.is_valid()
            && self.window_ms > 0
            && self.challenge_ms <= MAX_PERIOD_MS
            && self.expiry_ms > 0
            && self.expiry_ms <= MAX_PERIOD_MS
            && self.merchant_referral_ppm <= bizkey_math::PPM
            && self.reward.cashback_ppm <= bizkey_math::PPM
            && self.reward.reference_bizpower > 0
    }
}

/// One day in ms: the period of the per-merchant reward caps.
pub use bizkey_math::DAY_MS;

/// Caps on what confirmations reserve from the reward pools, so that no
/// receipt, and no merchant's receipts of one day, can take a pool away
/// from everyone else (a merchant and an accomplice confirming one huge
/// sale would otherwise reserve the whole Time pool until a flag).
/// Governance alone sets them (`set_caps`, by a `SetRewardCaps` proposal,
/// whose execution records them); the constructor takes the first ones.
/// The Biz of one receipt needs no cap of its own: the formula bounds it
/// (at most twice the base reward, a governance parameter).
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo, StorageLayout))]
pub struct RewardCaps {
    /// Most Time cashback one receipt reserves for its customer.
    pub receipt_time: Balance,
    /// Most Biz one merchant's receipts reserve per UTC day.
    pub merchant_day_biz: Balance,
    /// Most Time cashback one merchant's receipts reserve per UTC day.
    pub merchant_day_time: Balance,
    /// Most one receipt reserves of what a pool has available, ppm (above
    /// 10⁶ counts as 100 %).
    pub pool_share_ppm: u32,
    /// Most receipts the `Reporter` flags per UTC day (`FlagBudgetExceeded`
    /// beyond): a rogue or leaked reporter cannot stop every reward before
    /// a proposal replaces it. The admin's and governance's flags are not
    /// counted (see the ledger's `flag`).
    pub reporter_day_flags: u32,
}

impl Default for RewardCaps {
    /// Far above an honest sale at the default reward parameters (100 Time
    /// is the 1 % cashback of a 10,000-unit sale; a small merchant earns
    /// 100–200 Biz a day), and 0.1 % of a pool per receipt: a thousand
    /// capped receipts before a pool is drained, time enough for the
    /// challenge window to catch them. 1,000 flags a day: far above what
    /// the fraud model reports, far below a day's receipts network-wide.
    fn default() -> Self {
        const UNIT: Balance = 1_000_000_000_000;
        Self {
            receipt_time: 100 * UNIT,
            merchant_day_biz: 1_000 * UNIT,
            merchant_day_time: 10_000 * UNIT,
            pool_share_ppm: 1_000,
            reporter_day_flags: 1_000,
        }
    }
}

impl RewardCaps {
    /// No cap beyond what the pools hold.
    pub const NONE: Self = Self {
        receipt_time: Balance::MAX,
        merchant_day_biz: Balance::MAX,
        merchant_day_time: Balance::MAX,
        pool_share_ppm: bizkey_math::PPM,
        reporter_day_flags: u32::MAX,
    };

    /// Whether governance may propose these caps (a share of at most
    /// 100 %; the ledger reads a larger one as 100 %).
    pub fn is_valid(&self) -> bool {
        self.pool_share_ppm <= bizkey_math::PPM
    }
}

/// Ledger errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
pub enum LedgerError {
    /// The caller does not hold the role this message requires.
    Unauthorized,
    /// The merchant is not registered.
    MerchantNotFound,
    /// The merchant is not (or no longer) verified.
    MerchantNotVerified,
    /// Merchant and customer are the same account.
    SelfDealing,
    /// Zero amount, an order time in the future, or Time paid without amount.
    InvalidOrder,
    /// This (merchant, order id) was taken before: recorded by the merchant
    /// or confirmed.
    DuplicateOrder,
    /// The Time paid exceeds the merchant's share of the amount.
    TimeShareExceeded,
    /// No receipt has this id.
    ReceiptNotFound,
    /// The caller is not the side that must act (only the counter-party of
    /// the opener confirms; only the merchant refunds; …).
    NotCounterparty,
    /// The receipt is not open.
    NotOpen,
    /// The receipt expired unconfirmed.
    Expired,
    /// The receipt is not confirmed (or was flagged / refunded).
    NotConfirmed,
    /// The challenge window is over (flag, refund).
    WindowClosed,
    /// Invalid parameters (see `LedgerParams::is_valid`).
    InvalidParams,
    /// Nothing is pending for the caller (or `max` is zero).
    NothingToClaim,
    /// A call to a token contract failed (claim, refund, sync).
    TokenCallFailed,
    /// Moving the customer's Time failed (balance or allowance too low).
    TimePaymentFailed,
    /// The customer is suspended or removed in the registry.
    CustomerNotActive,
    /// The registry pushed a new customer with a referrer for an account the
    /// ledger knows already (a referrer cannot be added later).
    CustomerExists,
    /// A sum overflowed (no real input reaches it).
    Overflow,
    /// The role cannot be set on this contract.
    InvalidRole,
    /// The `Reporter` flagged its `RewardCaps::reporter_day_flags` receipts
    /// today already.
    FlagBudgetExceeded,
    /// The receipt is not flagged (`restore`).
    NotFlagged,
    /// Nothing of the flagged receipt's rewards can be restored: its
    /// pending entries were dropped (a claim after the flag, a removal), or
    /// the pool no longer has them available.
    RewardsForfeited,
    /// The account was removed: its rewards are forfeited, not claimed.
    AccountRemoved,
}

#[cfg(feature = "std")]
impl core::fmt::Display for LedgerError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(self, f)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for LedgerError {}

/// A receipt was opened by one side; the other side may confirm it until
/// `expires_at`.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptOpened {
    pub id: ReceiptId,
    #[ink(topic)]
    pub merchant: AccountId,
    #[ink(topic)]
    pub customer: AccountId,
    pub opened_by: Side,
    pub order: Order,
    pub opened_at: Timestamp,
    pub expires_at: Timestamp,
}

/// The counter-party confirmed: the sale is recorded into BizPower and its
/// rewards are pending until `matures_at`.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptConfirmed {
    pub id: ReceiptId,
    #[ink(topic)]
    pub merchant: AccountId,
    #[ink(topic)]
    pub customer: AccountId,
    /// The `at` of the sale in `record_sale` (decides the window).
    pub confirmed_at: Timestamp,
    /// The novelty exponent k (earlier purchases in the window).
    pub earlier_in_window: u32,
    /// The customer's first purchase ever at this merchant.
    pub first_at_merchant: bool,
    /// The customer's first confirmed purchase in the network.
    pub first_purchase: bool,
    /// The merchant's BizPower after this sale (fixed point).
    pub bizpower: u128,
    pub rewards: Rewards,
    /// Time moved customer → merchant.
    pub time_paid: Balance,
    pub matures_at: Timestamp,
}

/// An open receipt was cancelled by one of its sides, or by anyone once it
/// expired (`expired`).
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptCancelled {
    pub id: ReceiptId,
    pub by: AccountId,
    pub expired: bool,
}

/// A receipt was flagged in its challenge window: its rewards are forfeited
/// and return to the pool.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptFlagged {
    pub id: ReceiptId,
    pub by: AccountId,
    /// Hash of the evidence (e.g. the fraud model's score record).
    pub evidence: Hash,
    pub biz_forfeited: Balance,
    pub time_forfeited: Balance,
}

/// Governance upheld an appeal against a flag (an executed
/// `RestoreReceipt` proposal): the receipt is `Confirmed` again, its
/// rewards still pending are reserved again and mature at `matures_at`
/// (no later than the restore: the vote closed the challenge).
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptRestored {
    pub id: ReceiptId,
    /// Biz reserved again for the merchant and its referrer.
    pub biz: Balance,
    /// Time reserved again: the cashback and the referral bonus.
    pub time: Balance,
    pub matures_at: Timestamp,
}

/// The merchant refunded a confirmed receipt in its challenge window: its
/// rewards are forfeited and the Time paid went back to the customer.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptRefunded {
    pub id: ReceiptId,
    pub time_returned: Balance,
    pub biz_forfeited: Balance,
    pub time_forfeited: Balance,
}

/// `account` claimed its matured rewards; `entries` pending entries were
/// consumed (forfeited ones included), `remaining` are left.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewardsClaimed {
    #[ink(topic)]
    pub account: AccountId,
    pub biz: Balance,
    pub time: Balance,
    pub entries: u32,
    pub remaining: u64,
}

/// Governance removed `account`: its pending entries were dropped and
/// their rewards returned to the pools.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingForfeited {
    #[ink(topic)]
    pub account: AccountId,
    pub biz: Balance,
    pub time: Balance,
    /// Entries dropped (those of flagged or refunded receipts included).
    pub entries: u64,
    /// Entries still queued: a later `forfeit_pending` drops them.
    pub remaining: u64,
}

/// The reward pools after a sync with the tokens' balances.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolSynced {
    pub biz: Pool,
    pub time: Pool,
}

/// New parameters (in force for confirmations from now on).
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamsChanged {
    pub params: LedgerParams,
}

/// The ledger's copy of a merchant's registry data changed (it is read at
/// each opening); confirmations use it from now on.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantSynced {
    pub merchant: AccountId,
    pub info: MerchantInfo,
}

/// What other contracts call on the ledger: tasks read receipts and
/// customers, the registry pushes merchants and customers.
#[ink::trait_definition]
pub trait LedgerApi {
    /// The receipt with this id.
    #[ink(message)]
    fn receipt(&self, id: ReceiptId) -> Option<Receipt>;

    /// The registry pushes an account's entry after every change to it: a
    /// merchant's data (registration, profile, Time share, status), a
    /// customer's registration and status. `record`, `open` and `confirm`
    /// check these copies, so a sale needs no call to the registry. For a
    /// customer the ledger knows already, only the status is taken.
    ///
    /// # Errors
    /// `Unauthorized` unless the caller is the registry; `CustomerExists`
    /// if a customer's push names another referrer than the ledger's copy.
    #[ink(message)]
    fn registry_changed(
        &mut self,
        account: AccountId,
        entry: RegistryEntry,
    ) -> Result<(), LedgerError>;

    /// `account` as a customer: registered (pushed by the registry) or known
    /// from its first confirmed purchase; `None` if neither.
    #[ink(message)]
    fn customer(&self, account: AccountId) -> Option<Customer>;
}

use crate::roles::RoleChanged;

contract_events! {
    /// Everything a ledger message may emit.
    pub enum LedgerEvent {
        ReceiptOpened,
        ReceiptConfirmed,
        ReceiptCancelled,
        ReceiptFlagged,
        ReceiptRefunded,
        ReceiptRestored,
        RewardsClaimed,
        PendingForfeited,
        PoolSynced,
        ParamsChanged,
        MerchantSynced,
        RoleChanged,
    }
}

#[cfg(test)]
mod tests {
    use super::{Pool, Queue, ReceiptStatus, Rewards, Share, Token};

    #[test]
    fn a_queue_hands_out_indexes_in_order_and_restarts_when_emptied() {
        let mut q = Queue::default();
        assert_eq!((q.push(), q.push(), q.push()), (0, 1, 2));
        assert_eq!(q.take(2), 0..2);
        assert_eq!((q.len(), q.head, q.tail), (1, 2, 3));
        assert_eq!(q.push(), 3);
        // Asking for more than is queued takes what there is, and the
        // emptied queue starts again at 0.
        assert_eq!(q.take(10), 2..4);
        assert_eq!(q, Queue::default());
        assert_eq!(q.take(1), 0..0);
        assert_eq!(q.push(), 0);
    }

    #[test]
    fn credits_name_every_beneficiary_and_zero_for_a_missing_referrer() {
        let (merchant, customer, referrer) = ([1; 32].into(), [2; 32].into(), [3; 32].into());
        let rw = Rewards {
            merchant_biz: 90,
            merchant_referrer: None,
            merchant_referrer_biz: 0,
            customer_time: 5,
            customer_referrer: Some(referrer),
            customer_referrer_time: 7,
        };
        let credits = rw.credits(merchant, customer);
        let accounts: Vec<_> = credits.iter().map(|c| (c.1, c.2, c.3)).collect();
        assert_eq!(
            accounts,
            [
                (merchant, Token::Biz, 90),
                (merchant, Token::Biz, 0),
                (customer, Token::Time, 5),
                (referrer, Token::Time, 7),
            ]
        );
        // The share each entry holds on its receipt.
        assert_eq!(Share::of(Token::Biz, false), Share::Biz);
        assert_eq!(Share::of(Token::Time, true), Share::Time);
        assert_eq!(Share::of(Token::Time, false), Share::Referral);
    }

    #[test]
    fn consuming_lowers_flagged_shares_and_on_removal_reserved_ones() {
        use ReceiptStatus::*;
        for status in [Open, Confirmed, Cancelled, Flagged, Refunded] {
            assert_eq!(status.consuming_lowers_share(false), status == Flagged);
            assert_eq!(
                status.consuming_lowers_share(true),
                matches!(status, Flagged | Confirmed)
            );
        }
    }

    #[test]
    fn pool_moves_keep_the_sum_and_refuse_what_does_not_fit() {
        let pool = Pool {
            available: 10,
            reserved: 5,
        };
        let reserved = pool.reserve(4).unwrap();
        assert_eq!((reserved.available, reserved.reserved), (6, 9));
        // A promise and its forfeiture leave the pool as it was.
        assert_eq!(reserved.release(4), Some(pool));
        // A claim pays out of the reserve only.
        let paid = reserved.pay(9).unwrap();
        assert_eq!((paid.available, paid.reserved), (6, 0));
        assert_eq!(pool.reserve(11), None);
        assert_eq!(pool.release(6), None);
        assert_eq!(pool.pay(6), None);
        let full = Pool {
            available: 1,
            reserved: u128::MAX,
        };
        assert_eq!(full.reserve(1), None);
    }
}
