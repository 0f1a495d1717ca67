//! # Ledger
//!
//! Dual-entry receipts and their rewards (DESIGN §3.3, §4).
//!
//! - One side opens a receipt (`record`: the merchant's POS; `open`: the
//!   customer's wallet), the other side confirms it. (merchant, order id) is
//!   unique forever: the merchant's `record` takes it at once, a customer's
//!   `open` when the merchant confirms (so nobody can block a merchant's
//!   order ids by opening receipts with them); receipts also get a
//!   sequential id.
//! - The registry pushes each merchant's data to the ledger after every
//!   change (`registry_changed`, `MerchantSynced`); opening checks that copy
//!   (only a verified merchant can open) without calling the registry, and
//!   a suspension stops new receipts at once. Confirming records the sale
//!   into BizPower with `bizkey_math::record_sale`, in confirmation order, and
//!   computes the rewards with `biz_reward` / `time_reward`. The registry
//!   pushes customers too (registration with referrer, status), so
//!   confirming never calls it: a customer the ledger has not
//!   heard of becomes one with its first confirmed purchase. Time paid by
//!   the customer moves customer → merchant with the Time token's
//!   `transfer_from` (the customer approved the ledger) when the receipt is
//!   confirmed.
//! - Receipts opened before a suspension stay confirmable until they expire
//!   (the authority flags their rewards if it must); those of a removed
//!   merchant are not. Governance's removal of an account forfeits its
//!   pending rewards (`forfeit_pending`, a bounded number per call; anyone
//!   continues a removed account's forfeiture), and a removed account
//!   claims nothing.
//! - Confirmations reserve at most the reward caps governance sets
//!   ([`RewardCaps`]: per receipt, per merchant and UTC day, a share of the
//!   pool), so no receipt can take a pool away from the honest ones.
//! - Rewards are reserved from the reward pools (never more than the ledger
//!   holds: `sync` reads the tokens' balances) and pending until the end of
//!   the challenge window; `flag` (reporter, admin, governance) forfeits them
//!   in the window, the merchant's `refund` too. `claim` pays an account's
//!   matured entries in at most one transfer per token, whatever their number.
//!
//! The logic lives in [`LedgerData`]: its methods take the caller, the time
//! and the other contracts ([`Externals`]) explicitly and return the events
//! to emit. Every fallible step (external calls included) comes before the
//! first write, so an error leaves the state as it was even off-chain.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use bizkey_types::ledger::*;
use bizkey_types::{
    math::{
        biz_reward,
        bizpower::{record_sale, Sale},
        mul_div, time_reward, MerchantWindow, Visit, PPM, TIME_UNITS_PER_CENT,
    },
    registry::{Customer, CustomerStatus, MerchantInfo, MerchantStatus, RegistryEntry},
    roles::{Role, RoleChanged},
    AccountId, Balance, Hash, Timestamp,
};
use ink::storage::{Lazy, Mapping};

pub use bizkey_types::ledger::LedgerEvent;

/// The event of one logic step, if any (each emits at most one).
pub type Events = Option<LedgerEvent>;

/// Result of the ledger's logic.
pub type Result<T> = core::result::Result<T, LedgerError>;

/// The other contracts, as the ledger's logic sees them. On-chain these are
/// cross-contract calls; the unit tests substitute a model.
pub trait Externals {
    /// Pays `value` of `token` from the ledger to `to`.
    fn transfer(&mut self, token: Token, to: AccountId, value: Balance) -> Result<()>;
    /// Moves `value` Time from `from` to `to` against `from`'s allowance to
    /// the ledger (`TimePaymentFailed` if it cannot).
    fn move_time(&mut self, from: AccountId, to: AccountId, value: Balance) -> Result<()>;
    /// `token`'s `balance_of(owner)`.
    fn balance_of(&mut self, token: Token, owner: AccountId) -> Result<Balance>;
    /// Whether the super-node contract `super_nodes` says `node` is an
    /// elected super node covering `merchant` (`false` if it cannot tell).
    fn covers(&mut self, super_nodes: AccountId, node: AccountId, merchant: AccountId) -> bool;
}

/// The ledger's state and rules, independent of the contract shell.
#[ink::storage_item]
#[derive(Debug)]
pub struct LedgerData {
    receipts: Mapping<ReceiptId, Receipt>,
    /// (merchant, order id) → receipt id: recorded by the merchant, or
    /// opened by the customer and confirmed.
    orders: Mapping<(AccountId, u64), ReceiptId>,
    merchants: Mapping<AccountId, MerchantState>,
    /// (merchant, customer) → the customer's history at the merchant.
    visits: Mapping<(AccountId, AccountId), Visit>,
    /// Every customer the ledger knows: pushed by the registry or met at a
    /// confirmation.
    customers: Mapping<AccountId, Buyer>,
    queues: Mapping<AccountId, Queue>,
    pending: Mapping<(AccountId, u64), PendingEntry>,
    next_id: ReceiptId,
    /// Apart from the root: the root is read and written back by every
    /// message, the parameters are needed by `open` and `confirm` only.
    params: Lazy<LedgerParams>,
    /// In the root (68 bytes): a `Lazy` of its own cost more code than the
    /// ledger's Wasm has room for.
    caps: RewardCaps,
    /// The `Reporter`'s flags today: (UTC day, flags), bounded by
    /// `caps.reporter_day_flags`.
    reporter_flags: (u64, u32),
    biz: Pool,
    time: Pool,
    admin: Option<AccountId>,
    governance: Option<AccountId>,
    reporter: Option<AccountId>,
    registry: Option<AccountId>,
    /// The super-node contract, asked whether a flagging account covers
    /// the receipt's merchant (`None`: super nodes do not flag).
    super_nodes: Option<AccountId>,
}

/// The ledger's copy of a customer and whether it has bought yet (its first
/// purchase pays the referrer's bonus).
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(
    feature = "std",
    derive(scale_info::TypeInfo, ink::storage::traits::StorageLayout)
)]
pub struct Buyer {
    pub customer: Customer,
    pub has_bought: bool,
}

/// Which rewards a confirmation reserves, before any write.
struct Reserve {
    rewards: Rewards,
    biz: Balance,
    time: Balance,
}

fn checked_add(a: Balance, b: Balance) -> Result<Balance> {
    a.checked_add(b).ok_or(LedgerError::Overflow)
}

fn checked_sub(a: Balance, b: Balance) -> Result<Balance> {
    a.checked_sub(b).ok_or(LedgerError::Overflow)
}

/// `value` capped by what is left of the day's cap (`day`, of which `spent`
/// is used: the result is added to it) and by `share_ppm` of the pool's
/// `available` funds (more than 100 % counts as 100 %, so no cap exceeds
/// what the pool holds). One function for both tokens: the ledger's Wasm
/// must stay under 40 KiB.
fn capped(
    value: Balance,
    (day, spent): (Balance, &mut Balance),
    available: Balance,
    share_ppm: u32,
) -> Balance {
    let share = mul_div(available, share_ppm.min(PPM).into(), PPM.into());
    let value = value.min(day.saturating_sub(*spent)).min(share);
    // Below the day's cap.
    *spent = spent.saturating_add(value);
    value
}

/// [`Pool::reserve`] in place; the caller capped `amount`.
fn reserve(pool: &mut Pool, amount: Balance) -> Result<()> {
    *pool = pool.reserve(amount).ok_or(LedgerError::Overflow)?;
    Ok(())
}

/// [`Pool::release`] in place.
fn release(pool: &mut Pool, amount: Balance) -> Result<()> {
    *pool = pool.release(amount).ok_or(LedgerError::Overflow)?;
    Ok(())
}

impl LedgerData {
    /// A ledger administered by `admin`, reading merchants from `registry`,
    /// with default parameters, the reward `caps` and empty pools.
    pub fn new(admin: AccountId, registry: AccountId, caps: RewardCaps) -> Self {
        Self {
            receipts: Mapping::new(),
            orders: Mapping::new(),
            merchants: Mapping::new(),
            visits: Mapping::new(),
            customers: Mapping::new(),
            queues: Mapping::new(),
            pending: Mapping::new(),
            next_id: 0,
            params: Lazy::new(),
            caps,
            reporter_flags: (0, 0),
            biz: Pool::default(),
            time: Pool::default(),
            admin: Some(admin),
            governance: None,
            reporter: None,
            super_nodes: None,
            registry: Some(registry),
        }
    }

    // ---- queries ----------------------------------------------------------

    pub fn receipt(&self, id: ReceiptId) -> Option<Receipt> {
        self.receipts.get(id)
    }

    pub fn receipt_id(&self, merchant: AccountId, order_id: u64) -> Option<ReceiptId> {
        self.orders.get((merchant, order_id))
    }

    pub fn params(&self) -> LedgerParams {
        self.params.get().unwrap_or_default()
    }

    pub fn caps(&self) -> RewardCaps {
        self.caps
    }

    /// The (Biz, Time) reward pools.
    pub fn pools(&self) -> (Pool, Pool) {
        (self.biz, self.time)
    }

    pub fn merchant_state(&self, merchant: AccountId) -> Option<MerchantState> {
        self.merchants.get(merchant)
    }

    pub fn visit(&self, merchant: AccountId, customer: AccountId) -> Option<Visit> {
        self.visits.get((merchant, customer))
    }

    pub fn customer(&self, account: AccountId) -> Option<Customer> {
        self.customers.get(account).map(|b| b.customer)
    }

    pub fn queue(&self, account: AccountId) -> Queue {
        self.queues.get(account).unwrap_or_default()
    }

    pub fn pending_entry(&self, account: AccountId, index: u64) -> Option<PendingEntry> {
        self.pending.get((account, index))
    }

    /// The account holding `role` (`None`: vacant or not a ledger role).
    pub fn role(&self, role: Role) -> Option<AccountId> {
        match role {
            Role::Admin => self.admin,
            Role::Governance => self.governance,
            Role::Reporter => self.reporter,
            Role::Registry => self.registry,
            Role::SuperNodes => self.super_nodes,
            Role::Ledger => None,
        }
    }

    /// What `claim(max)` would pay `account` at `now`: (entries consumed,
    /// Biz, Time). Stops at the first entry that has not matured.
    pub fn claimable(
        &self,
        account: AccountId,
        now: Timestamp,
        max: u32,
    ) -> Result<(u32, Balance, Balance)> {
        self.claimable_in(account, self.queue(account), now, max)
            .map(|(n, biz, time, _)| (n, biz, time))
    }

    /// [`Self::claimable`] over `account`'s `queue` as read by the caller,
    /// and whether one of those entries is of a flagged receipt (whose
    /// share the claim must then lower: see [`Self::drop_entry`]).
    fn claimable_in(
        &self,
        account: AccountId,
        queue: Queue,
        now: Timestamp,
        max: u32,
    ) -> Result<(u32, Balance, Balance, bool)> {
        let (mut n, mut biz, mut time, mut flagged) = (0u32, 0, 0, false);
        let mut index = queue.head;
        while index < queue.tail && n < max {
            let Some(entry) = self.pending.get((account, index)) else {
                break;
            };
            if let Some(r) = self.receipts.get(entry.receipt) {
                if r.status == ReceiptStatus::Confirmed {
                    if now < r.deadline {
                        break;
                    }
                    match entry.token {
                        Token::Biz => biz = checked_add(biz, entry.amount)?,
                        Token::Time => time = checked_add(time, entry.amount)?,
                    }
                }
                flagged |= r.status == ReceiptStatus::Flagged;
            }
            // Both bounded by `max: u32` and `tail`.
            n = n.saturating_add(1);
            index = index.saturating_add(1);
        }
        Ok((n, biz, time, flagged))
    }

    // ---- roles and parameters ---------------------------------------------

    /// The authority or governance.
    fn ensure_privileged(&self, caller: AccountId) -> Result<()> {
        if Some(caller) == self.admin || Some(caller) == self.governance {
            Ok(())
        } else {
            Err(LedgerError::Unauthorized)
        }
    }

    /// Hands `role` to `account` (`None`: vacant).
    pub fn set_role(
        &mut self,
        caller: AccountId,
        role: Role,
        account: Option<AccountId>,
    ) -> Result<Events> {
        self.ensure_privileged(caller)?;
        let slot = match role {
            Role::Admin => &mut self.admin,
            Role::Governance => &mut self.governance,
            Role::Reporter => &mut self.reporter,
            Role::Registry => &mut self.registry,
            Role::SuperNodes => &mut self.super_nodes,
            Role::Ledger => return Err(LedgerError::InvalidRole),
        };
        *slot = account;
        Ok(Some(LedgerEvent::RoleChanged(RoleChanged {
            role,
            account,
        })))
    }

    /// Replaces the parameters.
    pub fn set_params(&mut self, caller: AccountId, params: LedgerParams) -> Result<Events> {
        self.ensure_privileged(caller)?;
        if !params.is_valid() {
            return Err(LedgerError::InvalidParams);
        }
        self.params.set(&params);
        Ok(Some(LedgerEvent::ParamsChanged(ParamsChanged { params })))
    }

    /// Replaces the reward caps: governance only (not the authority, which
    /// could otherwise lift them for a friendly merchant). A pool share
    /// above 100 % counts as 100 %.
    /// No event: governance's `ProposalExecuted` of its `SetRewardCaps`
    /// proposal records the change (an event type of its own costs the
    /// ledger's Wasm room it does not have).
    pub fn set_caps(&mut self, caller: AccountId, caps: RewardCaps) -> Result<()> {
        if Some(caller) != self.governance {
            return Err(LedgerError::Unauthorized);
        }
        self.caps = caps;
        Ok(())
    }

    /// Sets the pools' available funds from the tokens' balances of `this`
    /// (the ledger's account): what is not reserved.
    pub fn sync(&mut self, ext: &mut impl Externals, this: AccountId) -> Result<Events> {
        let biz = ext.balance_of(Token::Biz, this)?;
        let time = ext.balance_of(Token::Time, this)?;
        self.biz.available = biz.saturating_sub(self.biz.reserved);
        self.time.available = time.saturating_sub(self.time.reserved);
        Ok(Some(LedgerEvent::PoolSynced(PoolSynced {
            biz: self.biz,
            time: self.time,
        })))
    }

    /// The registry's push of an account's entry (see the two below).
    pub fn registry_changed(
        &mut self,
        caller: AccountId,
        account: AccountId,
        entry: RegistryEntry,
    ) -> Result<Events> {
        if Some(caller) != self.registry {
            return Err(LedgerError::Unauthorized);
        }
        match entry {
            RegistryEntry::Merchant(info) => Ok(self.merchant_changed(account, info)),
            RegistryEntry::Customer(customer) => self.customer_changed(account, customer),
        }
    }

    /// A merchant's data: the copy `open` checks and `confirm` prices with
    /// (cost, referrer). Unchanged data is no event.
    fn merchant_changed(&mut self, merchant: AccountId, info: MerchantInfo) -> Events {
        let state = match self.merchants.get(merchant) {
            Some(state) if state.info == info => return None,
            Some(state) => MerchantState { info, ..state },
            None => MerchantState {
                info,
                window: MerchantWindow::default(),
                today: DayTotals::default(),
            },
        };
        self.merchants.insert(merchant, &state);
        Some(LedgerEvent::MerchantSynced(MerchantSynced {
            merchant,
            info,
        }))
    }

    /// A customer's registration or status. A new account is taken whole;
    /// for a known one only the status, and the referrer must agree (no
    /// referrer is added after the fact: the referral bonus belongs to the
    /// first purchase). No event: the registry emits its own.
    fn customer_changed(&mut self, account: AccountId, customer: Customer) -> Result<Events> {
        let buyer = match self.customers.get(account) {
            None => Buyer {
                customer,
                has_bought: false,
            },
            Some(b) if b.customer.referrer == customer.referrer => Buyer {
                customer: Customer {
                    status: customer.status,
                    ..b.customer
                },
                ..b
            },
            Some(_) => return Err(LedgerError::CustomerExists),
        };
        self.customers.insert(account, &buyer);
        Ok(None)
    }

    // ---- receipts -----------------------------------------------------------

    /// `caller`, the merchant or the customer of the sale, opens a receipt
    /// for the other side to confirm. Returns its id.
    pub fn open(
        &mut self,
        caller: AccountId,
        now: Timestamp,
        merchant: AccountId,
        customer: AccountId,
        order: Order,
    ) -> Result<(ReceiptId, Events)> {
        if merchant == customer {
            return Err(LedgerError::SelfDealing);
        }
        let opened_by = if caller == merchant {
            Side::Merchant
        } else if caller == customer {
            Side::Customer
        } else {
            return Err(LedgerError::NotCounterparty);
        };
        if order.amount == 0 || order.order_time > now {
            return Err(LedgerError::InvalidOrder);
        }
        if self.orders.contains((merchant, order.order_id)) {
            return Err(LedgerError::DuplicateOrder);
        }
        let info = self
            .merchants
            .get(merchant)
            .ok_or(LedgerError::MerchantNotFound)?
            .info;
        if info.status != MerchantStatus::Verified {
            return Err(LedgerError::MerchantNotVerified);
        }
        let time_cap = mul_div(
            order
                .amount
                .checked_mul(TIME_UNITS_PER_CENT)
                .ok_or(LedgerError::InvalidOrder)?,
            info.time_share_ppm as u128,
            PPM as u128,
        );
        if order.time_paid > time_cap {
            return Err(LedgerError::TimeShareExceeded);
        }
        let id = self.next_id;
        let next_id = id.checked_add(1).ok_or(LedgerError::Overflow)?;
        let expires_at = now
            .checked_add(self.params().expiry_ms)
            .ok_or(LedgerError::Overflow)?;

        self.next_id = next_id;
        if opened_by == Side::Merchant {
            self.orders.insert((merchant, order.order_id), &id);
        }
        self.receipts.insert(
            id,
            &Receipt {
                merchant,
                customer,
                opened_by,
                order,
                status: ReceiptStatus::Open,
                opened_at: now,
                deadline: expires_at,
                completed_at: 0,
                biz: 0,
                time: 0,
                referral_time: 0,
            },
        );
        let events = Some(LedgerEvent::ReceiptOpened(ReceiptOpened {
            id,
            merchant,
            customer,
            opened_by,
            order,
            opened_at: now,
            expires_at,
        }));
        Ok((id, events))
    }

    fn get(&self, id: ReceiptId) -> Result<Receipt> {
        self.receipts.get(id).ok_or(LedgerError::ReceiptNotFound)
    }

    /// The counter-party of the opener confirms receipt `id`.
    pub fn confirm(
        &mut self,
        ext: &mut impl Externals,
        caller: AccountId,
        now: Timestamp,
        id: ReceiptId,
    ) -> Result<Events> {
        let mut r = self.get(id)?;
        if r.status != ReceiptStatus::Open {
            return Err(LedgerError::NotOpen);
        }
        let counterparty = match r.opened_by {
            Side::Merchant => r.customer,
            Side::Customer => r.merchant,
        };
        if caller != counterparty {
            return Err(LedgerError::NotCounterparty);
        }
        if now >= r.deadline {
            return Err(LedgerError::Expired);
        }
        // A customer's opening takes the order id only now, with the
        // merchant's consent.
        let order_key = (r.merchant, r.order.order_id);
        let take_order = r.opened_by == Side::Customer;
        if take_order && self.orders.contains(order_key) {
            return Err(LedgerError::DuplicateOrder);
        }
        let mut state = self
            .merchants
            .get(r.merchant)
            .ok_or(LedgerError::MerchantNotFound)?;
        // A suspended merchant's open receipts stay confirmable (the
        // reporter flags them if it must); a removed one's are not paid.
        if state.info.status == MerchantStatus::Removed {
            return Err(LedgerError::MerchantNotVerified);
        }
        let params = self.params();
        let matures_at = now
            .checked_add(params.challenge_ms)
            .ok_or(LedgerError::Overflow)?;

        let mut buyer = self.customers.get(r.customer).unwrap_or(Buyer {
            customer: Customer {
                referrer: None,
                status: CustomerStatus::Active,
                registered_at: now,
            },
            has_bought: false,
        });
        if buyer.customer.status != CustomerStatus::Active {
            return Err(LedgerError::CustomerNotActive);
        }
        let first_purchase = !buyer.has_bought;
        let customer_referrer = buyer.customer.referrer.filter(|_| first_purchase);

        // The external step (it may fail), before any write.
        if r.order.time_paid > 0 {
            ext.move_time(r.customer, r.merchant, r.order.time_paid)?;
        }

        let mut visit = self
            .visits
            .get((r.merchant, r.customer))
            .unwrap_or_default();
        let outcome = record_sale(
            &mut state.window,
            &mut visit,
            &Sale {
                channel: r.order.channel,
                amount: r.order.amount,
                at: now,
            },
            params.window_ms,
            &params.weights,
            &state.info.cost,
        );
        let k = outcome.earlier_in_window;
        let merchant_referrer = state.info.referrer.filter(|_| {
            state
                .info
                .verified_at
                .is_some_and(|v| now < v.saturating_add(params.merchant_referral_ms))
        });
        let reserved = self.split_rewards(
            &params,
            &mut state.today,
            now,
            biz_reward(&params.reward, outcome.bizpower, k),
            time_reward(&params.reward, r.order.amount, k),
            merchant_referrer,
            customer_referrer,
        )?;
        let (mut biz_pool, mut time_pool) = (self.biz, self.time);
        reserve(&mut biz_pool, reserved.biz)?;
        reserve(&mut time_pool, reserved.time)?;

        // Writes.
        let rw = reserved.rewards;
        let (merchant, customer) = (r.merchant, r.customer);
        for (_, account, token, amount) in rw.credits(merchant, customer) {
            if amount > 0 {
                self.push_pending(account, id, token, amount);
            }
        }
        self.biz = biz_pool;
        self.time = time_pool;
        if first_purchase {
            buyer.has_bought = true;
            self.customers.insert(customer, &buyer);
        }
        if take_order {
            self.orders.insert(order_key, &id);
        }
        self.visits.insert((merchant, customer), &visit);
        self.merchants.insert(merchant, &state);
        r.status = ReceiptStatus::Confirmed;
        r.completed_at = now;
        r.deadline = matures_at;
        // Both sums are bounded by the pool reservations just made.
        r.biz = reserved.biz;
        r.time = rw.customer_time;
        r.referral_time = rw.customer_referrer_time;
        self.receipts.insert(id, &r);
        Ok(Some(LedgerEvent::ReceiptConfirmed(ReceiptConfirmed {
            id,
            merchant,
            customer,
            confirmed_at: now,
            earlier_in_window: k,
            first_at_merchant: outcome.first_ever,
            first_purchase,
            bizpower: outcome.bizpower,
            rewards: rw,
            time_paid: r.order.time_paid,
            matures_at,
        })))
    }

    /// Caps one receipt's rewards (per receipt, by what the merchant's
    /// receipts reserved `today`, by its share of the pools) and splits
    /// them; adds them to `today`.
    #[allow(clippy::too_many_arguments)]
    fn split_rewards(
        &self,
        params: &LedgerParams,
        today: &mut DayTotals,
        now: Timestamp,
        biz: Balance,
        time: Balance,
        merchant_referrer: Option<AccountId>,
        customer_referrer: Option<AccountId>,
    ) -> Result<Reserve> {
        let caps = &self.caps;
        let day = now / DAY_MS;
        if today.day != day {
            *today = DayTotals {
                day,
                biz: 0,
                time: 0,
            };
        }
        // Biz per receipt is bounded by the formula already (at most twice
        // the base reward, which governance sets).
        let biz = capped(
            biz,
            (caps.merchant_day_biz, &mut today.biz),
            self.biz.available,
            caps.pool_share_ppm,
        );
        let customer_time = capped(
            time.min(caps.receipt_time),
            (caps.merchant_day_time, &mut today.time),
            self.time.available,
            caps.pool_share_ppm,
        );
        let referrer_biz = match merchant_referrer {
            Some(_) => mul_div(biz, params.merchant_referral_ppm as u128, PPM as u128),
            None => 0,
        };
        let bonus = match customer_referrer {
            Some(_) => params
                .customer_referral_time
                .min(checked_sub(self.time.available, customer_time)?),
            None => 0,
        };
        Ok(Reserve {
            rewards: Rewards {
                merchant_biz: checked_sub(biz, referrer_biz)?,
                merchant_referrer: merchant_referrer.filter(|_| referrer_biz > 0),
                merchant_referrer_biz: referrer_biz,
                customer_time,
                customer_referrer: customer_referrer.filter(|_| bonus > 0),
                customer_referrer_time: bonus,
            },
            biz,
            time: checked_add(customer_time, bonus)?,
        })
    }

    fn push_pending(
        &mut self,
        account: AccountId,
        receipt: ReceiptId,
        token: Token,
        amount: Balance,
    ) {
        let mut queue = self.queue(account);
        self.pending.insert(
            (account, queue.push()),
            &PendingEntry {
                receipt,
                token,
                amount,
            },
        );
        self.queues.insert(account, &queue);
    }

    /// Cancels an open receipt: either side at any time, anyone once it
    /// expired. An order id the merchant recorded stays used.
    pub fn cancel(&mut self, caller: AccountId, now: Timestamp, id: ReceiptId) -> Result<Events> {
        let mut r = self.get(id)?;
        if r.status != ReceiptStatus::Open {
            return Err(LedgerError::NotOpen);
        }
        let expired = now >= r.deadline;
        if !expired && caller != r.merchant && caller != r.customer {
            return Err(LedgerError::NotCounterparty);
        }
        r.status = ReceiptStatus::Cancelled;
        self.receipts.insert(id, &r);
        Ok(Some(LedgerEvent::ReceiptCancelled(ReceiptCancelled {
            id,
            by: caller,
            expired,
        })))
    }

    /// Receipt `r`, which must be confirmed and still in its challenge
    /// window (`flag`, `refund`): the pools after releasing its rewards.
    fn forfeit(&self, r: &Receipt, now: Timestamp) -> Result<(Pool, Pool)> {
        if r.status != ReceiptStatus::Confirmed {
            return Err(LedgerError::NotConfirmed);
        }
        if now >= r.deadline {
            return Err(LedgerError::WindowClosed);
        }
        let (mut biz, mut time) = (self.biz, self.time);
        release(&mut biz, r.biz)?;
        release(&mut time, checked_add(r.time, r.referral_time)?)?;
        Ok((biz, time))
    }

    /// Flags a receipt in its challenge window: its rewards are forfeited.
    /// The reporter's flags count against its daily budget
    /// (`caps.reporter_day_flags`): a rogue or leaked reporter key stops at
    /// most that many rewards a day until a proposal replaces it. The
    /// admin's and governance's flags are not counted: governance flags
    /// only by a vote, and the admin (the authority before 宪政, governance
    /// after) names the reporter and forfeits pending rewards anyway, so a
    /// budget would not bound it. A super node flags the receipts of the
    /// merchants its scope covers (the super-node contract, the ledger's
    /// `SuperNodes` role, says which), unbudgeted: its bond answers for
    /// false flags.
    pub fn flag(
        &mut self,
        ext: &mut impl Externals,
        caller: AccountId,
        now: Timestamp,
        id: ReceiptId,
        evidence: Hash,
    ) -> Result<Events> {
        let found = self.receipts.get(id);
        let mut flags = self.reporter_flags;
        // The admin and governance are not counted (see above).
        if self.ensure_privileged(caller).is_err() {
            if Some(caller) == self.reporter {
                let day = now / DAY_MS;
                if flags.0 != day {
                    flags = (day, 0);
                }
                if flags.1 >= self.caps.reporter_day_flags {
                    return Err(LedgerError::FlagBudgetExceeded);
                }
                // Below the budget, a u32.
                flags.1 = flags.1.saturating_add(1);
            } else {
                // A super node covering the receipt's merchant (DESIGN
                // §3.3): bonded and slashable by governance for a false
                // flag, so not budgeted. An unknown receipt is
                // `Unauthorized` too, which the indexer's start-up check of
                // its reporter key relies on.
                let covered = match (self.super_nodes, &found) {
                    (Some(nodes), Some(r)) => ext.covers(nodes, caller, r.merchant),
                    _ => false,
                };
                if !covered {
                    return Err(LedgerError::Unauthorized);
                }
            }
        }
        let mut r = found.ok_or(LedgerError::ReceiptNotFound)?;
        let (biz, time) = self.forfeit(&r, now)?;
        self.reporter_flags = flags;
        self.biz = biz;
        self.time = time;
        r.status = ReceiptStatus::Flagged;
        self.receipts.insert(id, &r);
        Ok(Some(LedgerEvent::ReceiptFlagged(ReceiptFlagged {
            id,
            by: caller,
            evidence,
            biz_forfeited: r.biz,
            time_forfeited: r.time.saturating_add(r.referral_time),
        })))
    }

    /// Governance upholds an appeal against the flag of receipt `id` (an
    /// executed `RestoreReceipt` proposal, which the merchant or the
    /// customer, or anyone with a lock, proposes): the receipt is
    /// `Confirmed` again and the rewards of its entries still pending are
    /// reserved again, so they are paid at claim. A claim after the flag
    /// dropped that account's entry (as a removal drops all of an
    /// account's): that share stays forfeited. The vote closes the
    /// challenge: the rewards mature now (or at their deadline if it came
    /// first), and the receipt can be neither flagged nor refunded again.
    pub fn restore(&mut self, caller: AccountId, now: Timestamp, id: ReceiptId) -> Result<Events> {
        if Some(caller) != self.governance {
            return Err(LedgerError::Unauthorized);
        }
        let mut r = self.get(id)?;
        if r.status != ReceiptStatus::Flagged {
            return Err(LedgerError::NotFlagged);
        }
        // What is still pending of its shares: each claim or removal that
        // dropped one of its entries since the flag lowered that share.
        let (biz, time, referral) = (r.biz, r.time, r.referral_time);
        let all_time = time.saturating_add(referral);
        let (mut biz_pool, mut time_pool) = (self.biz, self.time);
        if biz.saturating_add(all_time) == 0
            || reserve(&mut biz_pool, biz).is_err()
            || reserve(&mut time_pool, all_time).is_err()
        {
            return Err(LedgerError::RewardsForfeited);
        }
        self.biz = biz_pool;
        self.time = time_pool;
        r.status = ReceiptStatus::Confirmed;
        r.deadline = r.deadline.min(now);
        self.receipts.insert(id, &r);
        Ok(Some(LedgerEvent::ReceiptRestored(ReceiptRestored {
            id,
            biz,
            time: all_time,
            matures_at: r.deadline,
        })))
    }

    /// The merchant refunds a confirmed receipt in its challenge window: its
    /// rewards are forfeited and the Time paid goes back to the customer.
    pub fn refund(
        &mut self,
        ext: &mut impl Externals,
        caller: AccountId,
        now: Timestamp,
        id: ReceiptId,
    ) -> Result<Events> {
        let mut r = self.get(id)?;
        if caller != r.merchant {
            return Err(LedgerError::NotCounterparty);
        }
        let (biz, time) = self.forfeit(&r, now)?;
        if r.order.time_paid > 0 {
            ext.move_time(r.merchant, r.customer, r.order.time_paid)?;
        }
        self.biz = biz;
        self.time = time;
        r.status = ReceiptStatus::Refunded;
        self.receipts.insert(id, &r);
        Ok(Some(LedgerEvent::ReceiptRefunded(ReceiptRefunded {
            id,
            time_returned: r.order.time_paid,
            biz_forfeited: r.biz,
            time_forfeited: r.time.saturating_add(r.referral_time),
        })))
    }

    /// Pays `caller` its matured rewards, consuming at most `max` entries of
    /// its FIFO (forfeited ones are dropped): one transfer per token.
    pub fn claim(
        &mut self,
        ext: &mut impl Externals,
        caller: AccountId,
        now: Timestamp,
        max: u32,
    ) -> Result<Events> {
        if self.removed(caller) {
            return Err(LedgerError::AccountRemoved);
        }
        let mut queue = self.queue(caller);
        let (n, biz, time, flagged) = self.claimable_in(caller, queue, now, max)?;
        if n == 0 {
            return Err(LedgerError::NothingToClaim);
        }
        let biz_pool = self.biz.pay(biz).ok_or(LedgerError::Overflow)?;
        let time_pool = self.time.pay(time).ok_or(LedgerError::Overflow)?;
        if biz > 0 {
            ext.transfer(Token::Biz, caller, biz)?;
        }
        if time > 0 {
            ext.transfer(Token::Time, caller, time)?;
        }
        for index in queue.take(n.into()) {
            // Entries of flagged receipts are rare: only then is each one
            // read again to lower its receipt's share.
            if flagged {
                self.drop_entry(caller, index, false);
            } else {
                self.pending.remove((caller, index));
            }
        }
        let remaining = queue.len();
        self.save_queue(caller, queue);
        self.biz = biz_pool;
        self.time = time_pool;
        Ok(Some(LedgerEvent::RewardsClaimed(RewardsClaimed {
            account: caller,
            biz,
            time,
            entries: n,
            remaining,
        })))
    }

    /// Drops `account`'s pending entry at `index` (a claim consumed it, or
    /// a `removal` forfeits it). Its receipt no longer counts that share if
    /// the receipt is flagged (an appeal restores only what is still
    /// pending) or, for a removal, confirmed: then the share goes back to
    /// its pool, and is returned.
    fn drop_entry(
        &mut self,
        account: AccountId,
        index: u64,
        removal: bool,
    ) -> Option<(Token, Balance)> {
        let entry = self.pending.take((account, index))?;
        let mut r = self.receipts.get(entry.receipt)?;
        if !r.status.consuming_lowers_share(removal) {
            return None;
        }
        let reserved = r.status == ReceiptStatus::Confirmed;
        let share = match Share::of(entry.token, account == r.customer) {
            Share::Biz => &mut r.biz,
            Share::Time => &mut r.time,
            Share::Referral => &mut r.referral_time,
        };
        *share = share.saturating_sub(entry.amount);
        self.receipts.insert(entry.receipt, &r);
        reserved.then_some((entry.token, entry.amount))
    }

    /// Stores `account`'s queue after entries were taken; an emptied one
    /// frees its slot.
    fn save_queue(&mut self, account: AccountId, queue: Queue) {
        if queue.is_empty() {
            self.queues.remove(account);
        } else {
            self.queues.insert(account, &queue);
        }
    }

    /// Whether the registry removed `account` as a merchant or a customer.
    fn removed(&self, account: AccountId) -> bool {
        self.merchants
            .get(account)
            .is_some_and(|m| m.info.status == MerchantStatus::Removed)
            || self
                .customers
                .get(account)
                .is_some_and(|b| b.customer.status == CustomerStatus::Removed)
    }

    /// Drops up to `max` of `account`'s oldest pending entries; what they
    /// reserved goes back to the pools. The admin and governance may do so
    /// for any account; anyone may for an account the registry removed (a
    /// removal forfeits everything, at most `max` entries a call, so a
    /// queue that grew without claims cannot make the removal too costly
    /// to execute). (The registry's push of the removal stops its sales.)
    pub fn forfeit_pending(
        &mut self,
        caller: AccountId,
        account: AccountId,
        max: u32,
    ) -> Result<Events> {
        if !self.removed(account) {
            self.ensure_privileged(caller)?;
        }
        let mut queue = self.queue(account);
        let taken = queue.take(max.into());
        let entries = taken.end.saturating_sub(taken.start);
        let (mut biz, mut time): (Balance, Balance) = (0, 0);
        for index in taken {
            if let Some((token, amount)) = self.drop_entry(account, index, true) {
                let total = match token {
                    Token::Biz => &mut biz,
                    Token::Time => &mut time,
                };
                *total = total.saturating_add(amount);
            }
        }
        // Cannot fail: each entry was reserved in its pool. (Were it to, the
        // contract reverts every write above with the error.)
        release(&mut self.biz, biz)?;
        release(&mut self.time, time)?;
        let remaining = queue.len();
        self.save_queue(account, queue);
        Ok(Some(LedgerEvent::PendingForfeited(PendingForfeited {
            account,
            biz,
            time,
            entries,
            remaining,
        })))
    }
}

/// The messages the ledger sends: PSP22 to the reward tokens, with the
/// standard's selectors (`blake2_256("PSP22::transfer")[..4]`, …), so they
/// reach the tokens' `PSP22` implementation, and `SuperNodesApi::covers` to
/// the super-node contract.
///
/// They go out as bytes through one call path, in fixed buffers: a typed
/// call builder per message, or a heap buffer, cost about a kilobyte of the
/// ledger's Wasm, which must stay under 40 KiB. The answer is read as bytes
/// too ([`Output`]): `Ok(())` of a transfer is the single byte 0 (an
/// `Err(Custom(_))` is never decoded, which keeps string decoding out of
/// the Wasm), as is `covers`' `true` (the single byte 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutCall {
    /// `PSP22::balance_of(owner)`.
    BalanceOf(AccountId),
    /// `PSP22::transfer(to, value, [])`.
    Transfer(AccountId, Balance),
    /// `PSP22::transfer_from(from, to, value, [])`.
    TransferFrom(AccountId, AccountId, Balance),
    /// `SuperNodesApi::covers(node, merchant)`.
    Covers(AccountId, AccountId),
}

/// The SCALE encoding of the longest arguments: two accounts, a balance
/// and an empty `Vec<u8>` (one zero byte).
pub const ARGS_LEN: usize = 32 + 32 + 16 + 1;

impl OutCall {
    /// The message's selector and its SCALE-encoded arguments (the first
    /// `len` bytes of the buffer; an empty `Vec` is its zero length byte).
    pub fn input(&self) -> ([u8; 4], Raw) {
        let mut raw = Raw {
            bytes: [0; ARGS_LEN],
            len: 0,
        };
        let mut put = |bytes: &[u8]| {
            let end = raw.len.saturating_add(bytes.len());
            if let Some(slot) = raw.bytes.get_mut(raw.len..end) {
                slot.copy_from_slice(bytes);
            }
            raw.len = end;
        };
        let selector = match *self {
            OutCall::BalanceOf(owner) => {
                put(owner.as_ref());
                ink::selector_bytes!("PSP22::balance_of")
            }
            OutCall::Transfer(to, value) => {
                put(to.as_ref());
                put(&value.to_le_bytes());
                put(&[0]);
                ink::selector_bytes!("PSP22::transfer")
            }
            OutCall::TransferFrom(from, to, value) => {
                put(from.as_ref());
                put(to.as_ref());
                put(&value.to_le_bytes());
                put(&[0]);
                ink::selector_bytes!("PSP22::transfer_from")
            }
            OutCall::Covers(node, merchant) => {
                put(node.as_ref());
                put(merchant.as_ref());
                ink::selector_bytes!("SuperNodesApi::covers")
            }
        };
        (selector, raw)
    }
}

/// Encoded arguments, passed through as they are.
pub struct Raw {
    bytes: [u8; ARGS_LEN],
    len: usize,
}

impl Raw {
    pub fn as_slice(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

impl scale::Encode for Raw {
    fn size_hint(&self) -> usize {
        self.len
    }

    fn encode_to<T: scale::Output + ?Sized>(&self, dest: &mut T) {
        dest.write(self.as_slice())
    }
}

/// A message's output, not decoded: at most a `Balance`; longer outputs
/// fail to decode.
pub struct Output {
    bytes: [u8; 16],
    len: usize,
}

impl Output {
    pub fn as_slice(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

impl scale::Decode for Output {
    fn decode<I: scale::Input>(input: &mut I) -> core::result::Result<Self, scale::Error> {
        let mut out = Output {
            bytes: [0; 16],
            len: 0,
        };
        out.len = input.remaining_len()?.unwrap_or(0);
        input.read(out.bytes.get_mut(..out.len).ok_or("output too long")?)?;
        Ok(out)
    }
}

#[ink::contract]
mod ledger {
    use super::*;
    use bizkey_types::ledger::LedgerApi;
    use ink::env::call::{build_call, ExecutionInput, Selector};

    #[ink(storage)]
    pub struct Ledger {
        /// Crate-visible for the unit tests' inspections.
        pub(crate) data: LedgerData,
        biz_token: AccountId,
        time_token: AccountId,
    }

    /// The reward tokens and the super-node contract, called through
    /// [`OutCall`].
    pub struct Chain {
        biz_token: AccountId,
        time_token: AccountId,
    }

    impl Chain {
        fn token(&self, token: Token) -> AccountId {
            match token {
                Token::Biz => self.biz_token,
                Token::Time => self.time_token,
            }
        }

        /// Sends `call` to `callee`: its output if it ran and returned
        /// (`None` if it trapped, reverted or the callee is no contract).
        fn call(&self, callee: AccountId, call: OutCall) -> Option<Output> {
            let (selector, args) = call.input();
            match build_call::<Environment>()
                .call(callee)
                .exec_input(ExecutionInput::new(Selector::new(selector)).push_arg(args))
                .returns::<Output>()
                .try_invoke()
            {
                Ok(Ok(out)) => Some(out),
                _ => None,
            }
        }

        /// Whether a transfer returned `Ok(())`.
        fn transferred(&self, token: Token, call: OutCall) -> bool {
            self.call(self.token(token), call)
                .is_some_and(|out| out.as_slice() == [0])
        }
    }

    impl Externals for Chain {
        fn transfer(&mut self, token: Token, to: AccountId, value: Balance) -> Result<()> {
            if self.transferred(token, OutCall::Transfer(to, value)) {
                Ok(())
            } else {
                Err(LedgerError::TokenCallFailed)
            }
        }

        fn move_time(&mut self, from: AccountId, to: AccountId, value: Balance) -> Result<()> {
            if self.transferred(Token::Time, OutCall::TransferFrom(from, to, value)) {
                Ok(())
            } else {
                Err(LedgerError::TimePaymentFailed)
            }
        }

        fn balance_of(&mut self, token: Token, owner: AccountId) -> Result<Balance> {
            use scale::Decode;
            self.call(self.token(token), OutCall::BalanceOf(owner))
                .and_then(|out| Balance::decode(&mut out.as_slice()).ok())
                .ok_or(LedgerError::TokenCallFailed)
        }

        fn covers(&mut self, super_nodes: AccountId, node: AccountId, merchant: AccountId) -> bool {
            self.call(super_nodes, OutCall::Covers(node, merchant))
                .is_some_and(|out| out.as_slice() == [1])
        }
    }

    impl Ledger {
        /// A ledger administered by the caller, reading merchants from
        /// `registry` and paying rewards in `biz_token` / `time_token`, with
        /// default parameters and the reward `caps` (governance alone
        /// changes them). Fund it by transferring tokens to it, then `sync`.
        #[ink(constructor)]
        pub fn new(
            registry: AccountId,
            biz_token: AccountId,
            time_token: AccountId,
            caps: RewardCaps,
        ) -> Self {
            Self {
                data: LedgerData::new(Self::env().caller(), registry, caps),
                biz_token,
                time_token,
            }
        }

        /// The merchant (caller) records a sale to `customer`, who confirms
        /// it in the wallet (merchant-first flow). `order.time_paid` is the
        /// Time the customer agreed to pay; it moves on confirmation.
        /// Returns the receipt id.
        ///
        /// # Errors
        /// `SelfDealing`; `InvalidOrder` (zero amount, order time in the
        /// future); `DuplicateOrder`; `MerchantNotFound`,
        /// `MerchantNotVerified`; `TimeShareExceeded`.
        ///
        /// # Events
        /// `ReceiptOpened`.
        #[ink(message)]
        pub fn record(&mut self, customer: AccountId, order: Order) -> Result<ReceiptId> {
            let caller = self.env().caller();
            self.open_as(caller, caller, customer, order)
        }

        /// The customer (caller) opens a receipt at `merchant`, who confirms
        /// it (customer-first flow: the customer scans and pays). The Time
        /// paid moves on confirmation. Returns the receipt id.
        ///
        /// # Errors
        /// As `record`.
        ///
        /// # Events
        /// `ReceiptOpened`.
        #[ink(message)]
        pub fn open(&mut self, merchant: AccountId, order: Order) -> Result<ReceiptId> {
            let caller = self.env().caller();
            self.open_as(caller, merchant, caller, order)
        }

        /// The counter-party of the opener confirms receipt `id`: the sale
        /// enters BizPower, the Time paid moves customer → merchant, and the
        /// rewards are reserved until the end of the challenge window.
        ///
        /// # Errors
        /// `ReceiptNotFound`; `NotOpen`; `NotCounterparty` unless the caller
        /// is the side that did not open it; `Expired`; `DuplicateOrder` if
        /// the customer opened it with an order id the merchant has used
        /// since; `MerchantNotVerified`
        /// if the merchant was removed meanwhile; `CustomerNotActive` if
        /// the registry suspended or removed the customer; `TimePaymentFailed`
        /// if the customer's Time balance or allowance to the ledger is short.
        ///
        /// # Events
        /// `ReceiptConfirmed` (plus, from the Time token, `Transfer` and
        /// `Approval` for Time paid).
        #[ink(message)]
        pub fn confirm(&mut self, id: ReceiptId) -> Result<()> {
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let mut ext = self.ext();
            let events = self.data.confirm(&mut ext, caller, now, id)?;
            self.emit(events);
            Ok(())
        }

        /// Cancels an open receipt: either side at any time; anyone once it
        /// has expired. An order id the merchant recorded stays used.
        ///
        /// # Errors
        /// `ReceiptNotFound`; `NotOpen`; `NotCounterparty` for a third party
        /// before expiry.
        ///
        /// # Events
        /// `ReceiptCancelled`.
        #[ink(message)]
        pub fn cancel(&mut self, id: ReceiptId) -> Result<()> {
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let events = self.data.cancel(caller, now, id)?;
            self.emit(events);
            Ok(())
        }

        /// Flags a confirmed receipt inside its challenge window (reporter,
        /// admin, governance, or a super node covering the receipt's
        /// merchant): its pending rewards are forfeited. The reporter flags
        /// at most `RewardCaps::reporter_day_flags` receipts per UTC day;
        /// the others' flags are not counted.
        ///
        /// # Errors
        /// `Unauthorized`; `FlagBudgetExceeded` (the reporter, beyond its
        /// budget); `ReceiptNotFound`; `NotConfirmed`; `WindowClosed`.
        ///
        /// # Events
        /// `ReceiptFlagged`.
        #[ink(message)]
        pub fn flag(&mut self, id: ReceiptId, evidence: Hash) -> Result<()> {
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let events = self.data.flag(&mut self.ext(), caller, now, id, evidence)?;
            self.emit(events);
            Ok(())
        }

        /// Governance upholds an appeal against a flag (an executed
        /// `RestoreReceipt` proposal): the receipt is confirmed again and
        /// the rewards of its entries still pending are reserved again and
        /// paid at claim, at once (the vote closed its challenge window:
        /// no second flag, no refund). An entry its account's claim dropped
        /// after the flag stays forfeited.
        ///
        /// # Errors
        /// `Unauthorized` unless the caller is governance;
        /// `ReceiptNotFound`; `NotFlagged`; `RewardsForfeited` if none of
        /// its rewards is pending any more (or it had none), or the pool no
        /// longer has them available.
        ///
        /// # Events
        /// `ReceiptRestored`.
        #[ink(message)]
        pub fn restore(&mut self, id: ReceiptId) -> Result<()> {
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let events = self.data.restore(caller, now, id)?;
            self.emit(events);
            Ok(())
        }

        /// The merchant refunds a confirmed receipt inside its challenge
        /// window: its rewards are forfeited and the Time paid returns to the
        /// customer (the merchant must have approved the ledger for it).
        ///
        /// # Errors
        /// `ReceiptNotFound`; `NotCounterparty` unless the caller is the
        /// merchant; `NotConfirmed`; `WindowClosed`; `TimePaymentFailed`.
        ///
        /// # Events
        /// `ReceiptRefunded`.
        #[ink(message)]
        pub fn refund(&mut self, id: ReceiptId) -> Result<()> {
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let mut ext = self.ext();
            let events = self.data.refund(&mut ext, caller, now, id)?;
            self.emit(events);
            Ok(())
        }

        /// Pays the caller's matured rewards, consuming at most `max` of its
        /// pending entries in order (entries of flagged or refunded receipts
        /// are dropped): one transfer per token whatever the number of
        /// entries. Returns (Biz, Time) paid.
        ///
        /// # Errors
        /// `AccountRemoved` once the registry removed the caller (its
        /// rewards are forfeited); `NothingToClaim` if no entry has matured
        /// (or `max` is 0); `TokenCallFailed`.
        ///
        /// # Events
        /// `RewardsClaimed` (and the tokens' `Transfer`).
        #[ink(message)]
        pub fn claim(&mut self, max: u32) -> Result<(Balance, Balance)> {
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let mut ext = self.ext();
            let events = self.data.claim(&mut ext, caller, now, max)?;
            let paid = match events.as_ref() {
                Some(LedgerEvent::RewardsClaimed(e)) => (e.biz, e.time),
                _ => (0, 0),
            };
            self.emit(events);
            Ok(paid)
        }

        /// Forfeits up to `max` of `account`'s oldest pending rewards back to
        /// the pools: governance's removal of a merchant or customer does
        /// (at most [`REMOVAL_FORFEITS`] entries), and anyone forfeits the
        /// rest of a removed account's entries, `max` at a time (the cost
        /// grows with `max`, never with the queue).
        ///
        /// # Errors
        /// `Unauthorized` unless the caller is the admin or governance or
        /// the registry removed `account`.
        ///
        /// # Events
        /// `PendingForfeited` (`remaining`: entries left for a next call).
        #[ink(message)]
        pub fn forfeit_pending(&mut self, account: AccountId, max: u32) -> Result<()> {
            let events = self
                .data
                .forfeit_pending(self.env().caller(), account, max)?;
            self.emit(events);
            Ok(())
        }

        /// Sets the reward pools' available funds from the ledger's token
        /// balances (anyone; call it after funding the ledger).
        ///
        /// # Errors
        /// `TokenCallFailed`.
        ///
        /// # Events
        /// `PoolSynced`.
        #[ink(message)]
        pub fn sync(&mut self) -> Result<()> {
            let this = self.env().account_id();
            let mut ext = self.ext();
            let events = self.data.sync(&mut ext, this)?;
            self.emit(events);
            Ok(())
        }

        /// Replaces the parameters (admin or governance).
        ///
        /// # Errors
        /// `Unauthorized`; `InvalidParams` (weights not summing to 1, zero
        /// window or expiry, periods above 30 days, rates above 100 %, zero
        /// reference BizPower).
        ///
        /// # Events
        /// `ParamsChanged`.
        #[ink(message)]
        pub fn set_params(&mut self, params: LedgerParams) -> Result<()> {
            let events = self.data.set_params(self.env().caller(), params)?;
            self.emit(events);
            Ok(())
        }

        /// Replaces the reward caps (governance only): per receipt, per
        /// merchant and day, and the share of a pool one receipt may
        /// reserve.
        ///
        /// # Errors
        /// `Unauthorized` unless the caller is governance.
        ///
        /// # Events
        /// None (governance's `SetRewardCaps` proposal records the caps).
        #[ink(message)]
        pub fn set_caps(&mut self, caps: RewardCaps) -> Result<()> {
            self.data.set_caps(self.env().caller(), caps)
        }

        /// Hands `role` (`Admin`, `Governance`, `Reporter`, `Registry`) to
        /// `account`, or leaves it vacant (admin or governance).
        ///
        /// # Errors
        /// `Unauthorized`; `InvalidRole` for `Ledger`.
        ///
        /// # Events
        /// `RoleChanged`.
        #[ink(message)]
        pub fn set_role(&mut self, role: Role, account: Option<AccountId>) -> Result<()> {
            let events = self.data.set_role(self.env().caller(), role, account)?;
            self.emit(events);
            Ok(())
        }

        /// The parameters in force.
        #[ink(message)]
        pub fn params(&self) -> LedgerParams {
            self.data.params()
        }

        /// The ledger's copy of a merchant's registry data and its current
        /// BizPower window.
        #[ink(message)]
        pub fn merchant_state(&self, merchant: AccountId) -> Option<MerchantState> {
            self.data.merchant_state(merchant)
        }

        fn open_as(
            &mut self,
            caller: AccountId,
            merchant: AccountId,
            customer: AccountId,
            order: Order,
        ) -> Result<ReceiptId> {
            let now = self.env().block_timestamp();
            let (id, events) = self.data.open(caller, now, merchant, customer, order)?;
            self.emit(events);
            Ok(id)
        }

        #[cfg(not(test))]
        fn ext(&self) -> Chain {
            Chain {
                biz_token: self.biz_token,
                time_token: self.time_token,
            }
        }

        #[cfg(test)]
        fn ext(&self) -> crate::tests::Model {
            crate::tests::Model::shared(self.env().account_id())
        }

        fn emit(&self, event: Events) {
            LedgerEvent::emit_all::<Environment>(event);
        }
    }

    impl LedgerApi for Ledger {
        /// The receipt with this id.
        #[ink(message)]
        fn receipt(&self, id: ReceiptId) -> Option<Receipt> {
            self.data.receipt(id)
        }

        /// The registry pushes an account's entry after every change: a
        /// merchant's data (registration, profile, Time share, status) that
        /// `record` and `open` check and `confirm` prices sales with; a
        /// customer's registration and status, which `confirm` checks (for a
        /// customer known already only the status is taken).
        ///
        /// # Errors
        /// `Unauthorized` unless the caller is the registry;
        /// `CustomerExists` if a customer's push names another referrer.
        ///
        /// # Events
        /// `MerchantSynced` when a merchant's data changed.
        #[ink(message)]
        fn registry_changed(&mut self, account: AccountId, entry: RegistryEntry) -> Result<()> {
            let events = self
                .data
                .registry_changed(self.env().caller(), account, entry)?;
            self.emit(events);
            Ok(())
        }

        /// `account` as a customer: registered (pushed by the registry) or
        /// known from its first confirmed purchase.
        #[ink(message)]
        fn customer(&self, account: AccountId) -> Option<Customer> {
            self.data.customer(account)
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(all(test, feature = "e2e-tests"))]
mod e2e_tests;
