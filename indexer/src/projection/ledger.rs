//! The ledger: receipts and their statuses, the reward pools and queues, claims,
//! BizPower windows and series, K-lines, merchant days.

use super::{i, name, ss58, u, Batch, Ctx, Keys};
use bizkey_math::bizpower::{record_sale, Sale};
use bizkey_math::{Channel, MerchantWindow, ShopCost, Visit, Weights, WindowStats};
use bizkey_store::amount::U128;
use bizkey_store::column::{RewardStatus, KLINE_INTERVALS};
use bizkey_store::entity::{
    bizpower, customers, klines, ledger_merchants, ledger_params, merchant_days,
    receipt_status_history, receipts, reward_claims, reward_pools, reward_queues, rewards, visits,
};
use bizkey_store::hex0x;

use bizkey_types::ledger::{LedgerEvent, LedgerParams, Pool, Queue, ReceiptStatus, Share, Token};
use bizkey_types::registry::{CustomerStatus, MerchantStatus};
use bizkey_types::Named;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

/// The rows a ledger event reads.
pub(super) fn keys(event: &LedgerEvent, keys: &mut Keys) {
    use LedgerEvent as E;
    let pools = |keys: &mut Keys| {
        keys.pools.insert("biz".into());
        keys.pools.insert("time".into());
    };
    match event {
        E::ReceiptConfirmed(e) => {
            let (merchant, customer) = (ss58(&e.merchant), ss58(&e.customer));
            keys.params = true;
            keys.receipts.insert(i(e.id));
            if e.first_purchase {
                keys.customers.insert(customer.clone());
            }
            keys.ledger_merchants.insert(merchant.clone());
            keys.visits.insert((merchant.clone(), customer.clone()));
            keys.klines.extend(kline_keys(&merchant, e.confirmed_at));
            keys.days.insert(day_key(&merchant, i(e.confirmed_at)));
            pools(keys);
            for (_, who, _, amount) in e.rewards.credits(e.merchant, e.customer) {
                if amount != 0 {
                    keys.queues.insert(ss58(&who));
                }
            }
        }
        E::ReceiptCancelled(e) => {
            keys.receipts.insert(i(e.id));
            keys.days_of.insert(i(e.id));
        }
        E::ReceiptFlagged(e) => status_keys(keys, i(e.id)),
        E::ReceiptRestored(e) => status_keys(keys, i(e.id)),
        E::ReceiptRefunded(e) => status_keys(keys, i(e.id)),
        E::RewardsClaimed(e) => {
            keys.queues.insert(ss58(&e.account));
            pools(keys);
        }
        E::PendingForfeited(e) => {
            keys.queues.insert(ss58(&e.account));
            pools(keys);
        }
        E::MerchantSynced(e) => {
            keys.ledger_merchants.insert(ss58(&e.merchant));
        }
        E::ReceiptOpened(_) | E::PoolSynced(_) | E::ParamsChanged(_) | E::RoleChanged(_) => {}
    }
}

/// A flag, restore or refund: the receipt, its day, its reward entries, the
/// pools.
fn status_keys(keys: &mut Keys, id: i64) {
    keys.receipts.insert(id);
    keys.days_of.insert(id);
    keys.rewards_of.insert(id);
    keys.pools.insert("biz".into());
    keys.pools.insert("time".into());
}

/// The `merchant_days` key of `merchant`'s UTC day of `at` (ms).
pub(super) fn day_key(merchant: &str, at: i64) -> (String, i64) {
    const DAY_MS: i64 = 86_400_000;
    (merchant.to_owned(), at.div_euclid(DAY_MS) * DAY_MS)
}

/// The K-line buckets a sale at `at` (ms) falls in.
fn kline_keys(merchant: &str, at: u64) -> impl Iterator<Item = (String, String, i64)> + '_ {
    KLINE_INTERVALS
        .into_iter()
        .map(move |(interval, len)| (merchant.to_owned(), interval.to_owned(), i(at / len * len)))
}

/// The ledger's parameters as last indexed (the defaults before any
/// `ParamsChanged`).
pub(super) async fn latest_params<C: ConnectionTrait>(db: &C) -> Result<LedgerParams, DbErr> {
    let latest = ledger_params::Entity::find()
        .order_by_desc(ledger_params::Column::BlockNumber)
        .order_by_desc(ledger_params::Column::EventIndex)
        .one(db)
        .await?;
    Ok(match latest {
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
    })
}

impl Batch {
    /// Applies one event of the ledger.
    pub(super) async fn ledger<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        event: LedgerEvent,
    ) -> Result<(), DbErr> {
        match event {
            LedgerEvent::ReceiptOpened(e) => {
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
            LedgerEvent::ReceiptConfirmed(e) => self.confirm(db, at, e).await?,
            LedgerEvent::ReceiptCancelled(e) => {
                let by = self.seen(&e.by, at.block);
                self.set_status(db, at, i(e.id), ReceiptStatus::Cancelled, Some(by), |_| {})
                    .await?;
            }
            LedgerEvent::ReceiptFlagged(e) => {
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
            LedgerEvent::ReceiptRestored(e) => {
                self.pool_move(db, at, "biz", e.biz, PoolMove::Reserve)
                    .await?;
                self.pool_move(db, at, "time", e.time, PoolMove::Reserve)
                    .await?;
                let matures_at = Some(i(e.matures_at));
                self.set_status(db, at, i(e.id), ReceiptStatus::Confirmed, None, |r| {
                    r.matures_at = matures_at
                })
                .await?;
                self.restore(db, e).await?;
            }
            LedgerEvent::ReceiptRefunded(e) => {
                self.release(db, at, e.biz_forfeited, e.time_forfeited)
                    .await?;
                let returned = u(e.time_returned);
                self.set_status(db, at, i(e.id), ReceiptStatus::Refunded, None, move |r| {
                    r.time_returned = Some(returned);
                })
                .await?;
                self.forfeit(db, at, i(e.id)).await?;
            }
            LedgerEvent::RewardsClaimed(e) => self.claim(db, at, e).await?,
            LedgerEvent::PendingForfeited(e) => self.forfeit_pending(db, at, e).await?,
            LedgerEvent::PoolSynced(e) => {
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
            LedgerEvent::ParamsChanged(e) => {
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
            LedgerEvent::MerchantSynced(e) => {
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
            LedgerEvent::RoleChanged(e) => self.role_changed(at, e),
        }
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
            let day = self.day(db, &merchant, confirmed_at, true).await?;
            match status {
                ReceiptStatus::Flagged => day.flagged += 1,
                // Only a restore (an upheld appeal) makes a receipt confirmed again.
                ReceiptStatus::Confirmed => day.flagged -= 1,
                ReceiptStatus::Refunded => day.refunded += 1,
                _ => {}
            }
            day.updated_block = at.block;
        }
        self.history(at, id, status, by);
        Ok(())
    }

    /// The merchant's aggregates of the UTC day of `at` (ms), loaded or new;
    /// `foreseen` when the batch's pre-pass could name the day (not so for
    /// receipts found through a queue's entries).
    async fn day<C: ConnectionTrait>(
        &mut self,
        db: &C,
        merchant: &str,
        at: i64,
        foreseen: bool,
    ) -> Result<&mut merchant_days::Model, DbErr> {
        let key = day_key(merchant, at);
        let found = if foreseen {
            load!(
                self.days,
                db,
                merchant_days::Entity,
                key.clone(),
                key.clone()
            )
            .is_some()
        } else {
            load_dependent!(
                self.days,
                db,
                merchant_days::Entity,
                key.clone(),
                key.clone()
            )
            .is_some()
        };
        if !found {
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
        self.stats.load_misses += 1;
        let p = super::timed(&mut self.stats, latest_params(db)).await?;
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
        self.confirmed.push((id, (at.block, at.index)));
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
        for key in kline_keys(&merchant, e.confirmed_at) {
            let (interval, start) = (key.1.clone(), key.2);
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
                            interval,
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
        let day = self.day(db, &merchant, i(e.confirmed_at), true).await?;
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
        // the beneficiary's FIFO.
        for (role, who, token, amount) in rw.credits(e.merchant, e.customer) {
            if amount == 0 {
                continue;
            }
            let who = ss58(&who);
            self.accounts.entry(who.clone()).or_insert(at.block);
            let mut q = self.queue(db, &who, at.block).await?;
            let queue_index = i(q.push());
            self.save_queue(&who, q);
            self.rewards.insert(
                (id, name(role)),
                rewards::Model {
                    receipt_id: id,
                    role: name(role),
                    beneficiary: who,
                    token: name(token),
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

    /// Loads receipt `id`'s reward entries into the batch (those it holds
    /// already stay as they are).
    async fn load_rewards_of<C: ConnectionTrait>(&mut self, db: &C, id: i64) -> Result<(), DbErr> {
        if !self.rewards_read.insert(id) {
            return Ok(());
        }
        self.stats.load_misses += 1;
        let rows = super::timed(
            &mut self.stats,
            rewards::Entity::find()
                .filter(rewards::Column::ReceiptId.eq(id))
                .all(db),
        )
        .await?;
        for row in rows {
            self.rewards
                .entry((row.receipt_id, row.role.clone()))
                .or_insert(row);
        }
        Ok(())
    }

    async fn forfeit<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        id: i64,
    ) -> Result<(), DbErr> {
        self.load_rewards_of(db, id).await?;
        for ((rid, _), r) in self.rewards.iter_mut() {
            if *rid == id && r.status == RewardStatus::Pending.as_str() {
                r.status = name(RewardStatus::Forfeited);
                r.settled_block = Some(at.block);
            }
        }
        Ok(())
    }

    /// An upheld appeal: the receipt's forfeited entries still queued are
    /// pending again, maturing at the restore's `matures_at`; what they add
    /// up to is what the ledger reserved again.
    async fn restore<C: ConnectionTrait>(
        &mut self,
        db: &C,
        e: bizkey_types::ledger::ReceiptRestored,
    ) -> Result<(), DbErr> {
        let id = i(e.id);
        self.load_rewards_of(db, id).await?;
        let (mut biz, mut time) = (0u128, 0u128);
        for ((rid, _), r) in self.rewards.iter_mut() {
            if *rid != id
                || r.status != RewardStatus::Forfeited.as_str()
                || r.consumed_block.is_some()
            {
                continue;
            }
            r.status = name(RewardStatus::Pending);
            r.settled_block = None;
            r.matures_at = i(e.matures_at);
            if r.token == Token::Biz.as_str() {
                biz += r.amount.0;
            } else {
                time += r.amount.0;
            }
        }
        if (biz, time) != (e.biz, e.time) {
            self.inconsistent(format!(
                "restore of receipt {id}: queued entries sum to {biz} Biz / {time} Time, the ledger reserved {} / {}",
                e.biz, e.time
            ));
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
        let claim = Taken {
            entries: e.entries.into(),
            remaining: e.remaining,
            removal: false,
            biz: e.biz,
            time: e.time,
        };
        self.take_entries(db, at, &account, claim).await
    }

    /// An account's oldest `entries` queued entries were forfeited (its
    /// removal, at most a bounded number per call; `remaining` are left for
    /// a next call) and their rewards returned to the pools.
    async fn forfeit_pending<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: bizkey_types::ledger::PendingForfeited,
    ) -> Result<(), DbErr> {
        let account = self.seen(&e.account, at.block);
        let forfeiture = Taken {
            entries: e.entries,
            remaining: e.remaining,
            removal: true,
            biz: e.biz,
            time: e.time,
        };
        self.take_entries(db, at, &account, forfeiture).await
    }

    /// Replays a claim or a removal's forfeiture on `account`'s FIFO, and
    /// reports where the index's queue disagrees with the ledger's figures.
    async fn take_entries<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        account: &str,
        taken: Taken,
    ) -> Result<(), DbErr> {
        let Taken {
            entries: n,
            remaining,
            removal,
            biz,
            time,
        } = taken;
        let what = if removal { "forfeiture" } else { "claim" };
        let mut q = self.queue(db, account, at.block).await?;
        let queued = q.len();
        let taken = q.take(n);
        self.save_queue(account, q);
        if q.len() != remaining {
            self.inconsistent(format!(
                "{what} of {account} at block {}: {queued} entries queued, the ledger took {n} and kept {remaining}",
                at.block
            ));
        }
        let settled = self.consume(db, at, account, taken, removal).await?;
        if settled.entries != n {
            self.inconsistent(format!(
                "{what} of {account} at block {}: {} queued entries found, the ledger took {n}",
                at.block, settled.entries
            ));
        }
        let how = if removal {
            PoolMove::Release
        } else {
            PoolMove::Pay
        };
        self.pool_move(db, at, "biz", biz, how).await?;
        self.pool_move(db, at, "time", time, how).await?;
        if (settled.biz, settled.time) != (biz, time) {
            self.inconsistent(format!(
                "{what} of {account} at block {}: entries sum to {} Biz / {} Time, the ledger moved {biz} / {time}",
                at.block, settled.biz, settled.time
            ));
        }
        Ok(())
    }

    /// Consumes `account`'s queued entries with an index in `taken` (those
    /// not consumed yet), as a claim (`removal` false) or a removal's
    /// forfeiture does: the pending ones become claimed or forfeited and are
    /// summed, and each entry's receipt loses the entry's share where the
    /// ledger's rule says so (a forfeited share also leaves the merchant's
    /// day).
    async fn consume<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        account: &str,
        taken: std::ops::Range<u64>,
        removal: bool,
    ) -> Result<Settled, DbErr> {
        let range = i(taken.start)..i(taken.end);
        let queued = super::timed(
            &mut self.stats,
            rewards::Entity::find()
                .filter(rewards::Column::Beneficiary.eq(account))
                .filter(rewards::Column::ConsumedBlock.is_null())
                .filter(rewards::Column::QueueIndex.gte(range.start))
                .filter(rewards::Column::QueueIndex.lt(range.end))
                .all(db),
        )
        .await?;
        for row in queued {
            self.rewards
                .entry((row.receipt_id, row.role.clone()))
                .or_insert(row);
        }
        let status = if removal {
            RewardStatus::Forfeited
        } else {
            RewardStatus::Claimed
        };
        let mut settled = Settled::default();
        // (receipt, token, amount, still pending) of each consumed entry.
        let mut consumed = Vec::new();
        for r in self.rewards.values_mut() {
            if r.beneficiary != account
                || r.consumed_block.is_some()
                || !range.contains(&r.queue_index)
            {
                continue;
            }
            settled.entries += 1;
            r.consumed_block = Some(at.block);
            let pending = r.status == RewardStatus::Pending.as_str();
            // The column holds a `Token` name; anything but Biz counts as Time.
            let token = Token::from_name(&r.token).unwrap_or(Token::Time);
            if pending {
                r.status = name(status);
                r.settled_block = Some(at.block);
                match token {
                    Token::Biz => settled.biz += r.amount.0,
                    Token::Time => settled.time += r.amount.0,
                }
            }
            consumed.push((r.receipt_id, token, r.amount.0, pending));
        }
        for (id, token, amount, pending) in consumed {
            // A pending entry's receipt is confirmed (a flag or a refund
            // forfeits its entries): a claim leaves it as it is.
            if pending && !removal {
                continue;
            }
            let Some(r) = load_dependent!(self.receipts, db, receipts::Entity, id, id) else {
                self.inconsistent(format!("queue of {account}: unknown receipt {id}"));
                continue;
            };
            let Some(receipt_status) = ReceiptStatus::from_name(&r.status) else {
                let unknown = r.status.clone();
                self.inconsistent(format!("receipt {id}: unknown status {unknown}"));
                continue;
            };
            if !receipt_status.consuming_lowers_share(removal) {
                continue;
            }
            let share = match Share::of(token, r.customer == account) {
                Share::Biz => &mut r.biz_reward,
                Share::Time => &mut r.time_reward,
                Share::Referral => &mut r.referral_time,
            };
            *share = share.map(|v| u(v.0.saturating_sub(amount)));
            r.updated_block = at.block;
            if receipt_status == ReceiptStatus::Confirmed {
                // Released to the pool: no longer a reward of the day.
                let (merchant, confirmed_at) = (r.merchant.clone(), r.confirmed_at.unwrap_or(0));
                let day = self.day(db, &merchant, confirmed_at, false).await?;
                let total = match token {
                    Token::Biz => &mut day.biz_rewards,
                    Token::Time => &mut day.time_rewards,
                };
                *total = u(total.0.saturating_sub(amount));
                day.updated_block = at.block;
            }
        }
        Ok(settled)
    }

    /// The claim queue of `account` as the ledger keeps it (empty if it
    /// never had one); [`Self::save_queue`] writes it back.
    async fn queue<C: ConnectionTrait>(
        &mut self,
        db: &C,
        account: &str,
        block: i64,
    ) -> Result<Queue, DbErr> {
        let q = load!(
            self.queues,
            db,
            reward_queues::Entity,
            account.to_owned(),
            account.to_owned()
        );
        let q = q.map_or_else(Queue::default, |q| Queue {
            head: q.head as u64,
            tail: q.tail as u64,
        });
        self.queues.insert(
            account.to_owned(),
            reward_queues::Model {
                account: account.to_owned(),
                head: i(q.head),
                tail: i(q.tail),
                updated_block: block,
            },
        );
        Ok(q)
    }

    fn save_queue(&mut self, account: &str, q: Queue) {
        let row = self.queues.get_mut(account).expect("read by `queue`");
        row.head = i(q.head);
        row.tail = i(q.tail);
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
        if load!(
            self.pools,
            db,
            reward_pools::Entity,
            token.to_owned(),
            token.to_owned()
        )
        .is_none()
        {
            // A ledger that was never synced has empty pools.
            self.pools.insert(
                token.to_owned(),
                reward_pools::Model {
                    token: token.to_owned(),
                    available: U128(0),
                    reserved: U128(0),
                    updated_block: at.block,
                },
            );
        }
        let p = self.pools.get_mut(token).expect("inserted above");
        p.updated_block = at.block;
        let (available, reserved) = (p.available.0, p.reserved.0);
        // The ledger's own pool rules.
        let pool = Pool {
            available,
            reserved,
        };
        let moved = match how {
            PoolMove::Reserve => pool.reserve(amount),
            PoolMove::Release => pool.release(amount),
            PoolMove::Pay => pool.pay(amount),
        };
        match moved {
            Some(after) => {
                p.available = u(after.available);
                p.reserved = u(after.reserved);
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
}

/// What a claim (`removal` false) or a removal's forfeiture did to an
/// account's FIFO, as the ledger's event says: it took the oldest `entries`,
/// left `remaining`, and paid out or released `biz` and `time`.
struct Taken {
    entries: u64,
    remaining: u64,
    removal: bool,
    biz: u128,
    time: u128,
}

/// What consuming queued reward entries did.
#[derive(Debug, Default)]
struct Settled {
    /// Entries taken off the queue.
    entries: u64,
    /// Biz and Time of those that were pending (now claimed or forfeited).
    biz: u128,
    time: u128,
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
