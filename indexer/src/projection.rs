//! Projects decoded events into the SQL tables, one batch of blocks at a
//! time inside the caller's transaction.
//!
//! A batch reads the rows it changes lazily into memory, applies its events
//! in chain order, and writes every touched row back with one multi-row
//! upsert per table. Nothing outlives the batch, so a batch that is rolled
//! back (crash, lost connection) leaves no trace anywhere and re-applying
//! it gives the same rows.

use crate::decode::{ContractKind, DecodeError, Decoded, Decoder, Event};
use crate::source::RawBlock;
use bizkey_math::bizpower::{record_sale, Sale};
use bizkey_math::{Channel, MerchantWindow, ShopCost, Visit, Weights, WindowStats};
use bizkey_store::amount::U128;
use bizkey_store::column::{RewardStatus, KLINE_INTERVALS};
use bizkey_store::entity::{
    accounts, bizpower, customer_status_history, customers, events, klines, ledger_merchants,
    ledger_params, merchant_days, merchant_status_history, merchants, ratings, reactions,
    receipt_status_history, receipts, referrals, reward_claims, reward_pools, reward_queues,
    rewards, roles, token_allowances, token_balances, token_supply, token_transfers, visits,
};
use bizkey_store::hex0x;
use bizkey_store::repo::upsert;
use bizkey_types::ledger::{LedgerParams, ReceiptStatus, Token};
use bizkey_types::registry::{CustomerStatus, MerchantStatus};
use bizkey_types::{AccountId, Named};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
};
use std::collections::{BTreeMap, HashMap};
use subxt::utils::AccountId32;

/// SS58 (prefix 42) of an ink! account.
pub fn ss58(a: &AccountId) -> String {
    let bytes: &[u8; 32] = a.as_ref();
    AccountId32(*bytes).to_string()
}

fn u(v: u128) -> U128 {
    U128(v)
}

fn i(v: impl Into<u64>) -> i64 {
    // Block numbers, ms timestamps, counters and ids all stay far below 2^63.
    i64::try_from(v.into()).unwrap_or(i64::MAX)
}

/// An enum's column form ([`Named`], defined next to the type).
fn name<T: Named>(v: T) -> String {
    v.as_str().to_owned()
}

/// What a batch did, for metrics and logs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchStats {
    /// Events of suite contracts (decoded or not).
    pub events: u64,
    /// Events of contracts outside the suite.
    pub unknown: u64,
    /// Events of suite contracts that did not decode.
    pub undecodable: u64,
    /// Rows whose replayed BizPower differs from the ledger's.
    pub bizpower_mismatches: u64,
    /// State transitions that contradict what was indexed before (a bug or
    /// a database that missed history); logged, never fatal.
    pub inconsistencies: u64,
}

/// Something to run on the receipts a batch confirmed, inside the batch's
/// transaction (the fraud scorer hooks in here).
#[async_trait::async_trait]
pub trait ConfirmedReceipts: Send + Sync {
    /// Called once per batch with the receipts it confirmed, in order.
    async fn on_confirmed(
        &self,
        db: &sea_orm::DatabaseTransaction,
        receipts: &[receipts::Model],
    ) -> Result<(), DbErr>;
}

/// The projection: which contracts are the suite's, and how to decode them.
pub struct Projection {
    decoder: Decoder,
    contracts: HashMap<[u8; 32], ContractKind>,
    hook: Option<Box<dyn ConfirmedReceipts>>,
}

impl Projection {
    /// A projection of the suite made of `contracts`.
    pub fn new(contracts: HashMap<[u8; 32], ContractKind>) -> Self {
        Self {
            decoder: Decoder::new(),
            contracts,
            hook: None,
        }
    }

    /// Runs `hook` on every batch's confirmed receipts.
    pub fn with_hook(mut self, hook: Box<dyn ConfirmedReceipts>) -> Self {
        self.hook = Some(hook);
        self
    }

    /// Applies `blocks` (consecutive, in order) inside `db`'s transaction.
    ///
    /// # Errors
    /// Database errors only: unknown and undecodable events are counted.
    pub async fn apply(
        &self,
        db: &sea_orm::DatabaseTransaction,
        blocks: &[RawBlock],
    ) -> Result<BatchStats, DbErr> {
        let mut batch = Batch::default();
        for block in blocks {
            for raw in &block.events {
                let Some(&kind) = self.contracts.get(&raw.contract.0) else {
                    batch.stats.unknown += 1;
                    tracing::debug!(block = block.number, index = raw.event_index, contract = %raw.contract, "event of a contract outside the suite");
                    continue;
                };
                batch.stats.events += 1;
                let at = Ctx {
                    block: i(block.number),
                    index: i(raw.event_index),
                    timestamp: i(block.timestamp),
                    kind,
                };
                let decoded = self.decoder.decode(kind, &raw.topics, &raw.data);
                batch.events.push(events::Model {
                    block_number: at.block,
                    event_index: at.index,
                    extrinsic_index: raw.extrinsic_index.map(i),
                    contract: raw.contract.to_string(),
                    contract_kind: kind.as_str().to_owned(),
                    name: decoded.as_ref().ok().map(|d| d.name.to_owned()),
                    data: decoded.as_ref().ok().map(|d| d.json.clone()),
                    raw: hex0x(&raw.data),
                });
                match decoded {
                    Ok(Decoded { event, .. }) => batch.apply(db, &at, event).await?,
                    Err(e) => {
                        batch.stats.undecodable += 1;
                        log_undecodable(block.number, raw.event_index, kind, &e);
                    }
                }
            }
        }
        let stats = batch.stats;
        let confirmed = batch.flush(db).await?;
        if let Some(hook) = &self.hook {
            hook.on_confirmed(db, &confirmed).await?;
        }
        Ok(stats)
    }
}

fn log_undecodable(block: u64, index: u32, kind: ContractKind, e: &DecodeError) {
    tracing::warn!(block, index, kind = kind.as_str(), error = %e, "undecodable event");
}

/// Where an event happened.
struct Ctx {
    block: i64,
    index: i64,
    timestamp: i64,
    kind: ContractKind,
}

/// In-memory state of one batch.
#[derive(Default)]
struct Batch {
    stats: BatchStats,
    events: Vec<events::Model>,
    accounts: BTreeMap<String, i64>,
    balances: HashMap<(String, String), token_balances::Model>,
    supply: HashMap<String, token_supply::Model>,
    transfers: Vec<token_transfers::Model>,
    allowances: HashMap<(String, String, String), token_allowances::Model>,
    roles: HashMap<(String, String), roles::Model>,
    merchants: HashMap<String, merchants::Model>,
    merchant_history: Vec<merchant_status_history::Model>,
    customers: HashMap<String, customers::Model>,
    customer_history: Vec<customer_status_history::Model>,
    referrals: Vec<referrals::Model>,
    receipts: HashMap<i64, receipts::Model>,
    confirmed: Vec<i64>,
    receipt_history: Vec<receipt_status_history::Model>,
    rewards: HashMap<(i64, String), rewards::Model>,
    claims: Vec<reward_claims::Model>,
    pools: HashMap<String, reward_pools::Model>,
    queues: HashMap<String, reward_queues::Model>,
    params: Option<LedgerParams>,
    params_rows: Vec<ledger_params::Model>,
    ledger_merchants: HashMap<String, ledger_merchants::Model>,
    visits: HashMap<(String, String), visits::Model>,
    bizpower: Vec<bizpower::Model>,
    klines: HashMap<(String, String, i64), klines::Model>,
    days: HashMap<(String, i64), merchant_days::Model>,
    ratings: Vec<ratings::Model>,
    reactions: Vec<reactions::Model>,
    community: community::State,
}

/// Loads a row into a batch map unless it is there already.
macro_rules! load {
    ($map:expr, $db:expr, $entity:ty, $key:expr, $id:expr) => {{
        let key = $key;
        if !$map.contains_key(&key) {
            if let Some(row) = <$entity>::find_by_id($id).one($db).await? {
                $map.insert(key.clone(), row);
            }
        }
        $map.get_mut(&key)
    }};
}

// After `load!`, which it uses.
mod community;

impl Batch {
    fn seen(&mut self, account: &AccountId, block: i64) -> String {
        let s = ss58(account);
        self.accounts.entry(s.clone()).or_insert(block);
        s
    }

    fn inconsistent(&mut self, what: String) {
        self.stats.inconsistencies += 1;
        tracing::error!("{what}");
    }

    async fn apply<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        event: Event,
    ) -> Result<(), DbErr> {
        match event {
            Event::Transfer(e) => self.transfer(db, at, e).await?,
            Event::Approval(e) => {
                let token = at.kind.token().unwrap_or("?").to_owned();
                let owner = self.seen(&e.owner, at.block);
                let spender = self.seen(&e.spender, at.block);
                self.allowances.insert(
                    (token.clone(), owner.clone(), spender.clone()),
                    token_allowances::Model {
                        token,
                        owner,
                        spender,
                        amount: u(e.amount),
                        updated_block: at.block,
                    },
                );
            }
            Event::RoleChanged(e) => {
                let account = e.account.as_ref().map(|a| self.seen(a, at.block));
                let contract = self.contract_address(at);
                self.roles.insert(
                    (contract.clone(), name(e.role)),
                    roles::Model {
                        contract,
                        role: name(e.role),
                        account,
                        updated_block: at.block,
                    },
                );
            }
            Event::MerchantRegistered(e) => {
                let account = self.seen(&e.merchant, at.block);
                let referrer = e.referrer.as_ref().map(|r| self.seen(r, at.block));
                let p = &e.profile;
                self.merchants.insert(
                    account.clone(),
                    merchants::Model {
                        account: account.clone(),
                        name: p.name.clone(),
                        category: name(p.category),
                        location: p.location.clone(),
                        area_sqft: p.cost.area_sqft.into(),
                        staff: p.cost.staff.into(),
                        rent_per_sqft_day: u(p.cost.rent_per_sqft_day),
                        wage_per_day: u(p.cost.wage_per_day),
                        licence_hash: hex0x(p.licence_hash),
                        referrer: referrer.clone(),
                        time_share_ppm: e.time_share_ppm.into(),
                        status: name(MerchantStatus::Pending),
                        registered_at: i(e.at),
                        verified_at: None,
                        registered_block: at.block,
                        updated_block: at.block,
                    },
                );
                self.merchant_history.push(merchant_status_history::Model {
                    block_number: at.block,
                    event_index: at.index,
                    merchant: account.clone(),
                    changed_by: None,
                    from_status: None,
                    to_status: name(MerchantStatus::Pending),
                    at: i(e.at),
                });
                if let Some(referrer) = referrer {
                    self.referrals.push(referrals::Model {
                        kind: "merchant".into(),
                        referred: account,
                        referrer,
                        block_number: at.block,
                        at: i(e.at),
                    });
                }
            }
            Event::MerchantUpdated(e) => {
                let account = ss58(&e.merchant);
                let Some(m) = load!(
                    self.merchants,
                    db,
                    merchants::Entity,
                    account.clone(),
                    account.clone()
                ) else {
                    self.inconsistent(format!("MerchantUpdated for unknown merchant {account}"));
                    return Ok(());
                };
                let p = &e.profile;
                let before = m.status.clone();
                m.name = p.name.clone();
                m.category = name(p.category);
                m.location = p.location.clone();
                m.area_sqft = p.cost.area_sqft.into();
                m.staff = p.cost.staff.into();
                m.rent_per_sqft_day = u(p.cost.rent_per_sqft_day);
                m.wage_per_day = u(p.cost.wage_per_day);
                m.licence_hash = hex0x(p.licence_hash);
                m.status = name(e.status);
                m.updated_block = at.block;
                if before != m.status {
                    let to = m.status.clone();
                    self.merchant_history.push(merchant_status_history::Model {
                        block_number: at.block,
                        event_index: at.index,
                        merchant: account.clone(),
                        changed_by: Some(account),
                        from_status: Some(before),
                        to_status: to,
                        at: i(e.at),
                    });
                }
            }
            Event::TimeShareChanged(e) => {
                let account = ss58(&e.merchant);
                match load!(
                    self.merchants,
                    db,
                    merchants::Entity,
                    account.clone(),
                    account.clone()
                ) {
                    Some(m) => {
                        m.time_share_ppm = e.time_share_ppm.into();
                        m.updated_block = at.block;
                    }
                    None => self
                        .inconsistent(format!("TimeShareChanged for unknown merchant {account}")),
                }
            }
            Event::MerchantStatusChanged(e) => {
                let account = ss58(&e.merchant);
                let by = self.seen(&e.by, at.block);
                match load!(
                    self.merchants,
                    db,
                    merchants::Entity,
                    account.clone(),
                    account.clone()
                ) {
                    Some(m) => {
                        m.status = name(e.to);
                        if e.to == bizkey_types::registry::MerchantStatus::Verified
                            && m.verified_at.is_none()
                        {
                            m.verified_at = Some(i(e.at));
                        }
                        m.updated_block = at.block;
                    }
                    None => self.inconsistent(format!(
                        "MerchantStatusChanged for unknown merchant {account}"
                    )),
                }
                self.merchant_history.push(merchant_status_history::Model {
                    block_number: at.block,
                    event_index: at.index,
                    merchant: account,
                    changed_by: Some(by),
                    from_status: Some(name(e.from)),
                    to_status: name(e.to),
                    at: i(e.at),
                });
            }
            Event::CustomerRegistered(e) => {
                let account = self.seen(&e.customer, at.block);
                let referrer = e.referrer.as_ref().map(|r| self.seen(r, at.block));
                match load!(
                    self.customers,
                    db,
                    customers::Entity,
                    account.clone(),
                    account.clone()
                ) {
                    // It bought before registering: the ledger keeps its
                    // copy (and refuses a referrer), so only this changes.
                    Some(c) => {
                        c.implicit = false;
                        c.updated_block = at.block;
                    }
                    None => {
                        self.customers.insert(
                            account.clone(),
                            customers::Model {
                                account: account.clone(),
                                referrer: referrer.clone(),
                                status: name(CustomerStatus::Active),
                                implicit: false,
                                registered_at: i(e.at),
                                registered_block: at.block,
                                updated_block: at.block,
                            },
                        );
                    }
                }
                if let Some(referrer) = referrer {
                    self.referrals.push(referrals::Model {
                        kind: "customer".into(),
                        referred: account,
                        referrer,
                        block_number: at.block,
                        at: i(e.at),
                    });
                }
            }
            Event::CustomerStatusChanged(e) => {
                let account = ss58(&e.customer);
                let by = self.seen(&e.by, at.block);
                match load!(
                    self.customers,
                    db,
                    customers::Entity,
                    account.clone(),
                    account.clone()
                ) {
                    Some(c) => {
                        c.status = name(e.to);
                        // The registry holds a record of it from now on.
                        c.implicit = false;
                        c.updated_block = at.block;
                    }
                    None => self.inconsistent(format!(
                        "CustomerStatusChanged for unknown customer {account}"
                    )),
                }
                self.customer_history.push(customer_status_history::Model {
                    block_number: at.block,
                    event_index: at.index,
                    customer: account,
                    changed_by: by,
                    from_status: name(e.from),
                    to_status: name(e.to),
                });
            }
            Event::ReceiptOpened(e) => {
                let merchant = self.seen(&e.merchant, at.block);
                let customer = self.seen(&e.customer, at.block);
                let o = &e.order;
                let id = i(e.id);
                self.receipts.insert(
                    id,
                    receipts::Model {
                        id,
                        merchant,
                        customer,
                        opened_by: name(e.opened_by),
                        order_id: u(o.order_id.into()),
                        order_time: i(o.order_time),
                        channel: name(o.channel),
                        amount: u(o.amount),
                        discount: u(o.discount),
                        time_paid: u(o.time_paid),
                        items: o.items.into(),
                        detail_hash: hex0x(o.detail_hash),
                        status: name(ReceiptStatus::Open),
                        opened_at: i(e.opened_at),
                        expires_at: i(e.expires_at),
                        confirmed_at: None,
                        matures_at: None,
                        earlier_in_window: None,
                        first_at_merchant: None,
                        first_purchase: None,
                        bizpower: None,
                        biz_reward: None,
                        time_reward: None,
                        referral_time: None,
                        flagged_by: None,
                        evidence: None,
                        time_returned: None,
                        opened_block: at.block,
                        updated_block: at.block,
                    },
                );
                self.history(at, id, ReceiptStatus::Open, None);
            }
            Event::ReceiptConfirmed(e) => self.confirm(db, at, e).await?,
            Event::ReceiptCancelled(e) => {
                let by = self.seen(&e.by, at.block);
                self.set_status(db, at, i(e.id), ReceiptStatus::Cancelled, Some(by), |_| {})
                    .await?;
            }
            Event::ReceiptFlagged(e) => {
                self.release(db, at, e.biz_forfeited, e.time_forfeited)
                    .await?;
                let by = self.seen(&e.by, at.block);
                let (who, evidence) = (by.clone(), hex0x(e.evidence));
                self.set_status(
                    db,
                    at,
                    i(e.id),
                    ReceiptStatus::Flagged,
                    Some(by),
                    move |r| {
                        r.flagged_by = Some(who);
                        r.evidence = Some(evidence);
                    },
                )
                .await?;
                self.forfeit(db, at, i(e.id)).await?;
            }
            Event::ReceiptRefunded(e) => {
                self.release(db, at, e.biz_forfeited, e.time_forfeited)
                    .await?;
                let returned = u(e.time_returned);
                self.set_status(db, at, i(e.id), ReceiptStatus::Refunded, None, move |r| {
                    r.time_returned = Some(returned);
                })
                .await?;
                self.forfeit(db, at, i(e.id)).await?;
            }
            Event::RewardsClaimed(e) => self.claim(db, at, e).await?,
            Event::PendingForfeited(e) => self.forfeit_pending(db, at, e).await?,
            Event::PoolSynced(e) => {
                for (token, pool) in [("biz", e.biz), ("time", e.time)] {
                    self.pools.insert(
                        token.into(),
                        reward_pools::Model {
                            token: token.into(),
                            available: u(pool.available),
                            reserved: u(pool.reserved),
                            updated_block: at.block,
                        },
                    );
                }
            }
            Event::ParamsChanged(e) => {
                let p = e.params;
                self.params = Some(p);
                self.params_rows.push(ledger_params::Model {
                    block_number: at.block,
                    event_index: at.index,
                    base_biz: u(p.reward.base_biz),
                    reference_bizpower: u(p.reward.reference_bizpower),
                    cashback_ppm: p.reward.cashback_ppm.into(),
                    weight_outside: p.weights.outside.into(),
                    weight_repeat: p.weights.repeat.into(),
                    weight_new: p.weights.new.into(),
                    window_ms: i(p.window_ms),
                    challenge_ms: i(p.challenge_ms),
                    expiry_ms: i(p.expiry_ms),
                    merchant_referral_ppm: p.merchant_referral_ppm.into(),
                    merchant_referral_ms: i(p.merchant_referral_ms),
                    customer_referral_time: u(p.customer_referral_time),
                });
            }
            Event::MerchantSynced(e) => {
                let merchant = self.seen(&e.merchant, at.block);
                let referrer = e.info.referrer.as_ref().map(|r| self.seen(r, at.block));
                let info = e.info;
                let row = match load!(
                    self.ledger_merchants,
                    db,
                    ledger_merchants::Entity,
                    merchant.clone(),
                    merchant.clone()
                ) {
                    Some(row) => row,
                    None => {
                        self.ledger_merchants
                            .insert(merchant.clone(), empty_window(&merchant));
                        self.ledger_merchants
                            .get_mut(&merchant)
                            .expect("just inserted")
                    }
                };
                row.status = name(info.status);
                row.area_sqft = info.cost.area_sqft.into();
                row.staff = info.cost.staff.into();
                row.rent_per_sqft_day = u(info.cost.rent_per_sqft_day);
                row.wage_per_day = u(info.cost.wage_per_day);
                row.referrer = referrer;
                row.verified_at = info.verified_at.map(i);
                row.time_share_ppm = info.time_share_ppm.into();
                row.updated_block = at.block;
            }
            Event::MerchantRated(e) => {
                let merchant = self.seen(&e.merchant, at.block);
                let customer = self.seen(&e.customer, at.block);
                self.ratings.push(ratings::Model {
                    receipt_id: i(e.id),
                    side: "customer".into(),
                    merchant,
                    customer,
                    product: Some(e.product.into()),
                    service: Some(e.service.into()),
                    environment: Some(e.environment.into()),
                    score: None,
                    comment: e.comment.map(hex0x),
                    block_number: at.block,
                });
            }
            Event::CustomerRated(e) => {
                let merchant = self.seen(&e.merchant, at.block);
                let customer = self.seen(&e.customer, at.block);
                self.ratings.push(ratings::Model {
                    receipt_id: i(e.id),
                    side: "merchant".into(),
                    merchant,
                    customer,
                    product: None,
                    service: None,
                    environment: None,
                    score: Some(e.score.into()),
                    comment: e.comment.map(hex0x),
                    block_number: at.block,
                });
            }
            Event::Reacted(e) => {
                let account = self.seen(&e.account, at.block);
                self.reactions.push(reactions::Model {
                    block_number: at.block,
                    event_index: at.index,
                    receipt_id: i(e.id),
                    account,
                    kind: name(e.kind),
                    content: hex0x(e.content),
                });
            }
            Event::Community(e) => self.community(db, at, e).await?,
            Event::Other => {}
        }
        Ok(())
    }

    fn contract_address(&self, at: &Ctx) -> String {
        // The event row of this event was pushed just before it is applied.
        self.events
            .iter()
            .rev()
            .find(|e| e.block_number == at.block && e.event_index == at.index)
            .map(|e| e.contract.clone())
            .unwrap_or_default()
    }

    async fn transfer<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: bizkey_types::psp22::Transfer,
    ) -> Result<(), DbErr> {
        let token = at.kind.token().unwrap_or("?").to_owned();
        let from = e.from.as_ref().map(|a| self.seen(a, at.block));
        let to = e.to.as_ref().map(|a| self.seen(a, at.block));
        self.transfers.push(token_transfers::Model {
            block_number: at.block,
            event_index: at.index,
            token: token.clone(),
            from_account: from.clone(),
            to_account: to.clone(),
            value: u(e.value),
            timestamp: at.timestamp,
        });
        if let Some(from) = &from {
            let b = self.balance(db, &token, from, at.block).await?;
            match b.balance.0.checked_sub(e.value) {
                Some(v) => b.balance = u(v),
                None => {
                    b.balance = u(0);
                    let msg = format!("{token} balance of {from} below a transfer of {}", e.value);
                    self.inconsistent(msg);
                }
            }
        } else {
            self.supply_delta(db, &token, at.block, e.value, true)
                .await?;
        }
        if let Some(to) = &to {
            let b = self.balance(db, &token, to, at.block).await?;
            b.balance = u(b.balance.0.saturating_add(e.value));
        } else {
            self.supply_delta(db, &token, at.block, e.value, false)
                .await?;
        }
        Ok(())
    }

    async fn balance<C: ConnectionTrait>(
        &mut self,
        db: &C,
        token: &str,
        account: &str,
        block: i64,
    ) -> Result<&mut token_balances::Model, DbErr> {
        let key = (token.to_owned(), account.to_owned());
        if !self.balances.contains_key(&key) {
            let row = token_balances::Entity::find_by_id((token.to_owned(), account.to_owned()))
                .one(db)
                .await?
                .unwrap_or(token_balances::Model {
                    token: token.to_owned(),
                    account: account.to_owned(),
                    balance: U128(0),
                    updated_block: block,
                });
            self.balances.insert(key.clone(), row);
        }
        let b = self.balances.get_mut(&key).expect("inserted above");
        b.updated_block = block;
        Ok(b)
    }

    async fn supply_delta<C: ConnectionTrait>(
        &mut self,
        db: &C,
        token: &str,
        block: i64,
        value: u128,
        mint: bool,
    ) -> Result<(), DbErr> {
        if !self.supply.contains_key(token) {
            let row = token_supply::Entity::find_by_id(token.to_owned())
                .one(db)
                .await?
                .unwrap_or(token_supply::Model {
                    token: token.to_owned(),
                    total_supply: U128(0),
                    updated_block: block,
                });
            self.supply.insert(token.to_owned(), row);
        }
        let s = self.supply.get_mut(token).expect("inserted above");
        s.updated_block = block;
        s.total_supply = if mint {
            u(s.total_supply.0.saturating_add(value))
        } else {
            u(s.total_supply.0.saturating_sub(value))
        };
        Ok(())
    }

    fn history(&mut self, at: &Ctx, id: i64, status: ReceiptStatus, by: Option<String>) {
        self.receipt_history.push(receipt_status_history::Model {
            block_number: at.block,
            event_index: at.index,
            receipt_id: id,
            status: name(status),
            changed_by: by,
            timestamp: at.timestamp,
        });
    }

    async fn set_status<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        id: i64,
        status: ReceiptStatus,
        by: Option<String>,
        update: impl FnOnce(&mut receipts::Model),
    ) -> Result<(), DbErr> {
        let confirmed = match load!(self.receipts, db, receipts::Entity, id, id) {
            Some(r) => {
                r.status = name(status);
                r.updated_block = at.block;
                update(r);
                r.confirmed_at.map(|t| (r.merchant.clone(), t))
            }
            None => {
                self.inconsistent(format!("{status:?} for unknown receipt {id}"));
                None
            }
        };
        if let Some((merchant, confirmed_at)) = confirmed {
            let day = self.day(db, &merchant, confirmed_at).await?;
            match status {
                ReceiptStatus::Flagged => day.flagged += 1,
                ReceiptStatus::Refunded => day.refunded += 1,
                _ => {}
            }
            day.updated_block = at.block;
        }
        self.history(at, id, status, by);
        Ok(())
    }

    /// The merchant's aggregates of the UTC day of `at` (ms), loaded or new.
    async fn day<C: ConnectionTrait>(
        &mut self,
        db: &C,
        merchant: &str,
        at: i64,
    ) -> Result<&mut merchant_days::Model, DbErr> {
        const DAY_MS: i64 = 86_400_000;
        let key = (merchant.to_owned(), at.div_euclid(DAY_MS) * DAY_MS);
        if load!(
            self.days,
            db,
            merchant_days::Entity,
            key.clone(),
            key.clone()
        )
        .is_none()
        {
            self.days.insert(
                key.clone(),
                merchant_days::Model {
                    merchant: key.0.clone(),
                    day: key.1,
                    receipts: 0,
                    sales: u(0),
                    time_paid: u(0),
                    biz_rewards: u(0),
                    time_rewards: u(0),
                    flagged: 0,
                    refunded: 0,
                    updated_block: 0,
                },
            );
        }
        Ok(self.days.get_mut(&key).expect("inserted above"))
    }

    async fn params<C: ConnectionTrait>(&mut self, db: &C) -> Result<LedgerParams, DbErr> {
        if let Some(p) = self.params {
            return Ok(p);
        }
        let latest = ledger_params::Entity::find()
            .order_by_desc(ledger_params::Column::BlockNumber)
            .order_by_desc(ledger_params::Column::EventIndex)
            .one(db)
            .await?;
        let p = match latest {
            None => LedgerParams::default(),
            Some(r) => LedgerParams {
                reward: bizkey_math::RewardParams {
                    base_biz: r.base_biz.0,
                    reference_bizpower: r.reference_bizpower.0,
                    cashback_ppm: r.cashback_ppm as u32,
                },
                weights: Weights {
                    outside: r.weight_outside as u32,
                    repeat: r.weight_repeat as u32,
                    new: r.weight_new as u32,
                },
                window_ms: r.window_ms as u64,
                challenge_ms: r.challenge_ms as u64,
                expiry_ms: r.expiry_ms as u64,
                merchant_referral_ppm: r.merchant_referral_ppm as u32,
                merchant_referral_ms: r.merchant_referral_ms as u64,
                customer_referral_time: r.customer_referral_time.0,
            },
        };
        self.params = Some(p);
        Ok(p)
    }

    async fn confirm<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: bizkey_types::ledger::ReceiptConfirmed,
    ) -> Result<(), DbErr> {
        let id = i(e.id);
        let merchant = self.seen(&e.merchant, at.block);
        let customer = self.seen(&e.customer, at.block);
        let params = self.params(db).await?;
        let Some(r) = load!(self.receipts, db, receipts::Entity, id, id) else {
            self.inconsistent(format!("ReceiptConfirmed for unknown receipt {id}"));
            return Ok(());
        };
        let channel = Channel::from_name(&r.channel).unwrap_or(Channel::InStore);
        let amount = r.amount.0;
        let time_paid = r.time_paid.0;
        let rw = e.rewards;
        r.status = name(ReceiptStatus::Confirmed);
        r.confirmed_at = Some(i(e.confirmed_at));
        r.matures_at = Some(i(e.matures_at));
        r.earlier_in_window = Some(e.earlier_in_window.into());
        r.first_at_merchant = Some(e.first_at_merchant);
        r.first_purchase = Some(e.first_purchase);
        if e.first_purchase
            && load!(
                self.customers,
                db,
                customers::Entity,
                customer.clone(),
                customer.clone()
            )
            .is_none()
        {
            // A customer that never registered exists from its first
            // purchase on (the ledger's copy, not the registry's).
            self.customers.insert(
                customer.clone(),
                customers::Model {
                    account: customer.clone(),
                    referrer: None,
                    status: name(CustomerStatus::Active),
                    implicit: true,
                    registered_at: i(e.confirmed_at),
                    registered_block: at.block,
                    updated_block: at.block,
                },
            );
        }
        r.bizpower = Some(u(e.bizpower));
        r.biz_reward = Some(u(rw.merchant_biz.saturating_add(rw.merchant_referrer_biz)));
        r.time_reward = Some(u(rw.customer_time));
        r.referral_time = Some(u(rw.customer_referrer_time));
        r.updated_block = at.block;
        self.confirmed.push(id);
        self.history(at, id, ReceiptStatus::Confirmed, None);

        // Replay the sale through the ledger's own arithmetic.
        let lm = match load!(
            self.ledger_merchants,
            db,
            ledger_merchants::Entity,
            merchant.clone(),
            merchant.clone()
        ) {
            Some(row) => row,
            None => {
                self.ledger_merchants
                    .insert(merchant.clone(), empty_window(&merchant));
                self.ledger_merchants
                    .get_mut(&merchant)
                    .expect("just inserted")
            }
        };
        let cost = ShopCost {
            area_sqft: lm.area_sqft as u32,
            staff: lm.staff as u32,
            rent_per_sqft_day: lm.rent_per_sqft_day.0,
            wage_per_day: lm.wage_per_day.0,
        };
        let mut window = MerchantWindow {
            window_id: lm.window_id as u64,
            stats: WindowStats {
                in_store_orders: lm.in_store_orders as u32,
                in_store_amount: lm.in_store_amount.0,
                new_customers: lm.new_customers as u32,
                repeat_customers: lm.repeat_customers as u32,
                outside_customers: lm.outside_customers as u32,
                outside_orders: lm.outside_orders as u32,
                outside_amount: lm.outside_amount.0,
            },
        };
        let vkey = (merchant.clone(), customer.clone());
        let mut visit = match load!(self.visits, db, visits::Entity, vkey.clone(), vkey.clone()) {
            Some(v) => Visit {
                purchases: v.purchases as u32,
                first_window: v.first_window as u64,
                window_id: v.window_id as u64,
                in_window: v.in_window as u32,
                counted: v.counted as u8,
            },
            None => Visit::default(),
        };
        let sale = Sale {
            channel,
            amount,
            at: e.confirmed_at,
        };
        let out = record_sale(
            &mut window,
            &mut visit,
            &sale,
            params.window_ms,
            &params.weights,
            &cost,
        );
        let s = window.stats;
        lm.window_id = i(window.window_id);
        lm.in_store_orders = s.in_store_orders.into();
        lm.in_store_amount = u(s.in_store_amount);
        lm.new_customers = s.new_customers.into();
        lm.repeat_customers = s.repeat_customers.into();
        lm.outside_customers = s.outside_customers.into();
        lm.outside_orders = s.outside_orders.into();
        lm.outside_amount = u(s.outside_amount);
        lm.bizpower = u(out.bizpower);
        lm.updated_block = at.block;
        self.visits.insert(
            vkey,
            visits::Model {
                merchant: merchant.clone(),
                customer: customer.clone(),
                purchases: visit.purchases.into(),
                first_window: i(visit.first_window),
                window_id: i(visit.window_id),
                in_window: visit.in_window.into(),
                counted: visit.counted.into(),
            },
        );
        let matches = out.bizpower == e.bizpower && out.earlier_in_window == e.earlier_in_window;
        if !matches {
            self.stats.bizpower_mismatches += 1;
            tracing::warn!(
                receipt = id,
                replayed = out.bizpower,
                chain = e.bizpower,
                "replayed BizPower differs from the ledger's"
            );
        }
        self.bizpower.push(bizpower::Model {
            receipt_id: id,
            merchant: merchant.clone(),
            at: i(e.confirmed_at),
            window_id: i(window.window_id),
            bizpower: u(out.bizpower),
            chain_bizpower: u(e.bizpower),
            earlier_in_window: out.earlier_in_window.into(),
            matches,
        });
        for (interval, len) in KLINE_INTERVALS {
            let start = i(e.confirmed_at / len * len);
            let key = (merchant.clone(), interval.to_owned(), start);
            let v = u(out.bizpower);
            match load!(self.klines, db, klines::Entity, key.clone(), key.clone()) {
                Some(k) => {
                    k.high = k.high.max(v);
                    k.low = k.low.min(v);
                    k.close = v;
                    k.receipts += 1;
                }
                None => {
                    self.klines.insert(
                        key,
                        klines::Model {
                            merchant: merchant.clone(),
                            interval: interval.to_owned(),
                            bucket_start: start,
                            open: v,
                            high: v,
                            low: v,
                            close: v,
                            receipts: 1,
                        },
                    );
                }
            }
        }

        // The pools reserve what the rewards promise.
        let biz = rw.merchant_biz.saturating_add(rw.merchant_referrer_biz);
        let time = rw.customer_time.saturating_add(rw.customer_referrer_time);
        let day = self.day(db, &merchant, i(e.confirmed_at)).await?;
        day.receipts += 1;
        day.sales = u(day.sales.0.saturating_add(amount));
        day.time_paid = u(day.time_paid.0.saturating_add(time_paid));
        day.biz_rewards = u(day.biz_rewards.0.saturating_add(biz));
        day.time_rewards = u(day.time_rewards.0.saturating_add(time));
        day.updated_block = at.block;
        self.pool_move(db, at, "biz", biz, PoolMove::Reserve)
            .await?;
        self.pool_move(db, at, "time", time, PoolMove::Reserve)
            .await?;

        // The ledger queues one entry per non-zero amount, in this order, on
        // the beneficiary's FIFO (a missing referrer means a zero amount).
        let entries = [
            ("merchant", merchant.clone(), "biz", rw.merchant_biz),
            (
                "merchant_referrer",
                rw.merchant_referrer
                    .as_ref()
                    .map_or_else(|| merchant.clone(), ss58),
                "biz",
                rw.merchant_referrer_biz,
            ),
            ("customer", customer.clone(), "time", rw.customer_time),
            (
                "customer_referrer",
                rw.customer_referrer
                    .as_ref()
                    .map_or_else(|| customer.clone(), ss58),
                "time",
                rw.customer_referrer_time,
            ),
        ];
        for (role, who, token, amount) in entries {
            if amount == 0 {
                continue;
            }
            self.accounts.entry(who.clone()).or_insert(at.block);
            let q = self.queue(db, &who, at.block).await?;
            let queue_index = q.tail;
            q.tail += 1;
            self.rewards.insert(
                (id, role.to_owned()),
                rewards::Model {
                    receipt_id: id,
                    role: role.to_owned(),
                    beneficiary: who,
                    token: token.to_owned(),
                    amount: u(amount),
                    matures_at: i(e.matures_at),
                    status: name(RewardStatus::Pending),
                    created_block: at.block,
                    settled_block: None,
                    consumed_block: None,
                    queue_index,
                },
            );
        }
        Ok(())
    }

    async fn forfeit<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        id: i64,
    ) -> Result<(), DbErr> {
        for row in rewards::Entity::find()
            .filter(rewards::Column::ReceiptId.eq(id))
            .all(db)
            .await?
        {
            self.rewards
                .entry((row.receipt_id, row.role.clone()))
                .or_insert(row);
        }
        for ((rid, _), r) in self.rewards.iter_mut() {
            if *rid == id && r.status == RewardStatus::Pending.as_str() {
                r.status = name(RewardStatus::Forfeited);
                r.settled_block = Some(at.block);
            }
        }
        Ok(())
    }

    async fn claim<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: bizkey_types::ledger::RewardsClaimed,
    ) -> Result<(), DbErr> {
        let account = self.seen(&e.account, at.block);
        self.claims.push(reward_claims::Model {
            block_number: at.block,
            event_index: at.index,
            account: account.clone(),
            biz: u(e.biz),
            time: u(e.time),
            entries: e.entries.into(),
            remaining: i(e.remaining),
        });
        // The claim consumed the first `entries` of the account's FIFO.
        let q = self.queue(db, &account, at.block).await?;
        let (head, n) = (q.head, i64::from(e.entries));
        q.head += n;
        let remaining = q.tail - q.head;
        if remaining <= 0 {
            // Empty: the ledger restarts its indexes at 0.
            q.head = 0;
            q.tail = 0;
        }
        if remaining != i(e.remaining) {
            self.inconsistent(format!(
                "claim of {account} at block {}: {remaining} entries left, the ledger says {}",
                at.block, e.remaining
            ));
        }
        let settled = self
            .consume(
                db,
                &account,
                head..head + n,
                RewardStatus::Claimed,
                at.block,
            )
            .await?;
        let (consumed, biz, time) = (settled.entries, settled.biz, settled.time);
        if consumed != n {
            self.inconsistent(format!(
                "claim of {account} at block {}: {consumed} queued entries found, the ledger consumed {n}",
                at.block
            ));
        }
        self.pool_move(db, at, "biz", e.biz, PoolMove::Pay).await?;
        self.pool_move(db, at, "time", e.time, PoolMove::Pay)
            .await?;
        if (biz, time) != (e.biz, e.time) {
            self.inconsistent(format!(
                "claim of {account} at block {}: entries sum to {biz} Biz / {time} Time, the ledger paid {} / {}",
                at.block, e.biz, e.time
            ));
        }
        Ok(())
    }

    /// Governance removed an account: the ledger dropped its whole queue and
    /// returned the pending entries' rewards to the pools.
    async fn forfeit_pending<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: bizkey_types::ledger::PendingForfeited,
    ) -> Result<(), DbErr> {
        let account = self.seen(&e.account, at.block);
        let q = self.queue(db, &account, at.block).await?;
        let (head, tail) = (q.head, q.tail);
        q.head = 0;
        q.tail = 0;
        if tail - head != i(e.entries) {
            self.inconsistent(format!(
                "forfeiture of {account} at block {}: {} entries queued, the ledger dropped {}",
                at.block,
                tail - head,
                e.entries
            ));
        }
        let settled = self
            .consume(db, &account, head..tail, RewardStatus::Forfeited, at.block)
            .await?;
        let (biz, time) = (settled.biz, settled.time);
        // The ledger takes each forfeited share off its receipt (only
        // receipts still `Confirmed` have pending entries), and so off the
        // merchant's day.
        for (id, role, amount) in settled.pending {
            let Some(r) = load!(self.receipts, db, receipts::Entity, id, id) else {
                self.inconsistent(format!("forfeiture of {account}: unknown receipt {id}"));
                continue;
            };
            let share = match role.as_str() {
                "merchant" | "merchant_referrer" => &mut r.biz_reward,
                "customer" => &mut r.time_reward,
                _ => &mut r.referral_time,
            };
            *share = share.map(|v| u(v.0.saturating_sub(amount)));
            r.updated_block = at.block;
            let (merchant, confirmed_at) = (r.merchant.clone(), r.confirmed_at.unwrap_or(0));
            let day = self.day(db, &merchant, confirmed_at).await?;
            let total = if role.starts_with("merchant") {
                &mut day.biz_rewards
            } else {
                &mut day.time_rewards
            };
            *total = u(total.0.saturating_sub(amount));
            day.updated_block = at.block;
        }
        self.release(db, at, e.biz, e.time).await?;
        if (biz, time) != (e.biz, e.time) {
            self.inconsistent(format!(
                "forfeiture of {account} at block {}: entries sum to {biz} Biz / {time} Time, the ledger released {} / {}",
                at.block, e.biz, e.time
            ));
        }
        Ok(())
    }

    /// Consumes `account`'s queued entries with an index in `range` (those
    /// not consumed yet); the pending ones become `status` (`claimed` or
    /// `forfeited`).
    async fn consume<C: ConnectionTrait>(
        &mut self,
        db: &C,
        account: &str,
        range: std::ops::Range<i64>,
        status: RewardStatus,
        block: i64,
    ) -> Result<Settled, DbErr> {
        let queued = rewards::Entity::find()
            .filter(rewards::Column::Beneficiary.eq(account))
            .filter(rewards::Column::ConsumedBlock.is_null())
            .filter(rewards::Column::QueueIndex.gte(range.start))
            .filter(rewards::Column::QueueIndex.lt(range.end))
            .all(db)
            .await?;
        for row in queued {
            self.rewards
                .entry((row.receipt_id, row.role.clone()))
                .or_insert(row);
        }
        let mut settled = Settled::default();
        for r in self.rewards.values_mut() {
            if r.beneficiary != account
                || r.consumed_block.is_some()
                || !range.contains(&r.queue_index)
            {
                continue;
            }
            settled.entries += 1;
            r.consumed_block = Some(block);
            if r.status == RewardStatus::Pending.as_str() {
                r.status = name(status);
                r.settled_block = Some(block);
                if r.token == Token::Biz.as_str() {
                    settled.biz += r.amount.0
                } else {
                    settled.time += r.amount.0
                }
                settled
                    .pending
                    .push((r.receipt_id, r.role.clone(), r.amount.0));
            }
        }
        Ok(settled)
    }

    /// The claim queue of `account` (empty if it never had one).
    async fn queue<C: ConnectionTrait>(
        &mut self,
        db: &C,
        account: &str,
        block: i64,
    ) -> Result<&mut reward_queues::Model, DbErr> {
        if !self.queues.contains_key(account) {
            let row = reward_queues::Entity::find_by_id(account.to_owned())
                .one(db)
                .await?
                .unwrap_or(reward_queues::Model {
                    account: account.to_owned(),
                    head: 0,
                    tail: 0,
                    updated_block: block,
                });
            self.queues.insert(account.to_owned(), row);
        }
        let q = self.queues.get_mut(account).expect("inserted above");
        q.updated_block = block;
        Ok(q)
    }

    /// Moves `amount` of `token`'s reward pool as the ledger does.
    async fn pool_move<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        token: &str,
        amount: u128,
        how: PoolMove,
    ) -> Result<(), DbErr> {
        if !self.pools.contains_key(token) {
            // A ledger that was never synced has empty pools.
            let row = reward_pools::Entity::find_by_id(token.to_owned())
                .one(db)
                .await?
                .unwrap_or(reward_pools::Model {
                    token: token.to_owned(),
                    available: U128(0),
                    reserved: U128(0),
                    updated_block: at.block,
                });
            self.pools.insert(token.to_owned(), row);
        }
        let p = self.pools.get_mut(token).expect("inserted above");
        p.updated_block = at.block;
        let (available, reserved) = (p.available.0, p.reserved.0);
        let moved = match how {
            PoolMove::Reserve => available
                .checked_sub(amount)
                .zip(reserved.checked_add(amount)),
            PoolMove::Release => available
                .checked_add(amount)
                .zip(reserved.checked_sub(amount)),
            PoolMove::Pay => reserved.checked_sub(amount).map(|r| (available, r)),
        };
        match moved {
            Some((a, r)) => {
                p.available = u(a);
                p.reserved = u(r);
            }
            None => self.inconsistent(format!(
                "{token} pool at block {}: {how:?} of {amount} does not fit (available {available}, reserved {reserved})",
                at.block
            )),
        }
        Ok(())
    }

    async fn release<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        biz: u128,
        time: u128,
    ) -> Result<(), DbErr> {
        self.pool_move(db, at, "biz", biz, PoolMove::Release)
            .await?;
        self.pool_move(db, at, "time", time, PoolMove::Release)
            .await
    }

    /// Writes every touched row; returns the receipts confirmed in the batch.
    async fn flush<C: ConnectionTrait>(mut self, db: &C) -> Result<Vec<receipts::Model>, DbErr> {
        let accounts = self.accounts.iter().map(|(a, b)| {
            accounts::Model {
                address: a.clone(),
                first_block: *b,
            }
            .into_active_model()
        });
        // An account seen before keeps its first block: insert-or-ignore.
        for chunk in accounts.collect::<Vec<_>>().chunks(500) {
            accounts::Entity::insert_many(chunk.to_vec())
                .on_conflict_do_nothing_on([accounts::Column::Address])
                .exec_without_returning(db)
                .await?;
        }
        macro_rules! write {
            ($rows:expr) => {
                upsert(
                    db,
                    $rows
                        .into_iter()
                        .map(IntoActiveModel::into_active_model)
                        .collect(),
                )
                .await?
            };
        }
        write!(std::mem::take(&mut self.events));
        write!(self.balances.into_values());
        write!(self.supply.into_values());
        write!(self.transfers);
        write!(self.allowances.into_values());
        write!(self.roles.into_values());
        write!(self.merchants.into_values());
        write!(self.merchant_history);
        write!(self.customers.into_values());
        write!(self.customer_history);
        write!(self.referrals);
        let confirmed: Vec<receipts::Model> = self
            .confirmed
            .iter()
            .filter_map(|id| self.receipts.get(id).cloned())
            .collect();
        write!(self.receipts.into_values());
        write!(self.receipt_history);
        write!(self.rewards.into_values());
        write!(self.claims);
        write!(self.pools.into_values());
        write!(self.queues.into_values());
        write!(self.params_rows);
        write!(self.ledger_merchants.into_values());
        write!(self.visits.into_values());
        write!(self.bizpower);
        write!(self.klines.into_values());
        write!(self.days.into_values());
        write!(self.ratings);
        write!(self.reactions);
        self.community.flush(db).await?;
        Ok(confirmed)
    }
}

/// What consuming queued reward entries did.
#[derive(Debug, Default)]
struct Settled {
    /// Entries taken off the queue.
    entries: i64,
    /// Biz and Time of those that were pending (now claimed or forfeited).
    biz: u128,
    time: u128,
    /// (receipt, role, amount) of each of those.
    pending: Vec<(i64, String, u128)>,
}

/// How a ledger operation moves a reward pool.
#[derive(Clone, Copy, Debug)]
enum PoolMove {
    /// A confirmation promises rewards: available → reserved.
    Reserve,
    /// A flag or refund forfeits them: reserved → available.
    Release,
    /// A claim pays them out of the reserve.
    Pay,
}

fn empty_window(merchant: &str) -> ledger_merchants::Model {
    ledger_merchants::Model {
        merchant: merchant.to_owned(),
        status: name(MerchantStatus::Pending),
        area_sqft: 0,
        staff: 0,
        rent_per_sqft_day: U128(0),
        wage_per_day: U128(0),
        referrer: None,
        verified_at: None,
        time_share_ppm: 0,
        window_id: 0,
        in_store_orders: 0,
        in_store_amount: U128(0),
        new_customers: 0,
        repeat_customers: 0,
        outside_customers: 0,
        outside_orders: 0,
        outside_amount: U128(0),
        bizpower: U128(0),
        updated_block: 0,
    }
}
