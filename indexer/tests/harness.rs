//! Test harness: fresh databases on both engines and a scripted chain of
//! the suite's events behind the real `BlockSource` trait.

use bizkey_indexer::decode::ContractKind;
use bizkey_indexer::source::{
    BlockSource, Connector, RawBlock, RawEvent, RawTransfer, SourceError,
};
use bizkey_indexer::{FollowOptions, Follower, Projection};
use bizkey_math::bizpower::{record_sale, Sale};
use bizkey_math::{Channel, MerchantWindow, ShopCost, Visit};
use bizkey_types::ledger::{self, LedgerParams, Order, Rewards, Side};
use bizkey_types::registry::{self, Category, MerchantProfile, MerchantStatus};
use bizkey_types::{psp22, reviews, AccountId, Hash};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use scale::Encode;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;
use subxt::utils::AccountId32;

pub use bizkey_store::test_db::{Engine, TestDb};

/// Every row of every table, as text, in key order: two databases that
/// index the same chain must dump the same.
pub async fn dump(db: &DatabaseConnection) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for t in bizkey_store::migration::tables() {
        // Off-chain submissions, and the log of how the indexing went
        // (batch boundaries, commit times): both differ from run to run.
        if t.name == "receipt_details" || t.name == "index_batches" {
            continue;
        }
        let cols: Vec<String> = t
            .columns
            .iter()
            .map(|c| match db.get_database_backend() {
                DbBackend::Postgres => format!("COALESCE(CAST({} AS TEXT), 'NULL')", c.name),
                _ => format!("COALESCE(CAST({} AS TEXT), 'NULL')", c.name),
            })
            .collect();
        let sep = "' | '";
        let sql = format!(
            "SELECT {} AS row FROM {} ORDER BY {}",
            cols.join(&format!(" || {sep} || ")),
            t.name,
            t.primary_key.join(", ")
        );
        let rows = db
            .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap();
        out.insert(
            t.name.to_owned(),
            rows.iter()
                .map(|r| r.try_get::<String>("", "row").unwrap())
                .collect(),
        );
    }
    out
}

pub fn account(n: u8) -> AccountId {
    AccountId::from([n; 32])
}

pub fn ss58(a: &AccountId) -> String {
    let b: &[u8; 32] = a.as_ref();
    AccountId32(*b).to_string()
}

pub const BIZ: [u8; 32] = [0xB1; 32];
pub const TIME: [u8; 32] = [0x71; 32];
pub const REGISTRY: [u8; 32] = [0x4E; 32];
pub const LEDGER: [u8; 32] = [0x1E; 32];
pub const REVIEWS: [u8; 32] = [0x2E; 32];
pub const STRANGER: [u8; 32] = [0x55; 32];
pub const GENESIS: [u8; 32] = [0x6E; 32];

/// A chain scripted from the suite's events, with the state a correct
/// indexer must end up with.
#[derive(Default)]
pub struct Script {
    pub blocks: Vec<RawBlock>,
    pending: Vec<RawEvent>,
    pending_transfers: Vec<RawTransfer>,
    /// Each funded account's first funder (SS58 both).
    pub fundings: BTreeMap<String, String>,
    pub balances: HashMap<(&'static str, String), u128>,
    pub statuses: BTreeMap<u64, &'static str>,
    pub unknown: u64,
    pub undecodable: u64,
    pub suite_events: u64,
    pub confirmed: u64,
}

impl Script {
    fn emit<E: ink::env::Event + Encode>(&mut self, contract: [u8; 32], e: &E) {
        self.suite_events += 1;
        self.raw(contract, vec![E::SIGNATURE_TOPIC.unwrap()], e.encode());
    }

    fn raw(&mut self, contract: [u8; 32], topics: Vec<[u8; 32]>, data: Vec<u8>) {
        let index = self.pending.len() as u32 * 2 + 1; // other pallets' events in between
        self.pending.push(RawEvent {
            event_index: index,
            extrinsic_index: Some(1),
            contract: AccountId32(contract),
            topics,
            data,
        });
    }

    /// Seals the pending events into a block.
    pub fn seal(&mut self) {
        let number = self.blocks.len() as u64;
        let parent = self.blocks.last().map(|b| b.hash).unwrap_or([0; 32]);
        let mut hash = [0u8; 32];
        hash[..8].copy_from_slice(&number.to_le_bytes());
        hash[31] = 0xAB;
        self.blocks.push(RawBlock {
            number,
            hash,
            parent_hash: parent,
            timestamp: 1_700_000_000_000 + number * 6_000,
            events: std::mem::take(&mut self.pending),
            transfers: std::mem::take(&mut self.pending_transfers),
        });
    }

    /// A native-token transfer, before the next contract event of the block.
    fn fund(&mut self, from: AccountId, to: AccountId, amount: u128) {
        let account = |a: AccountId| AccountId32(*<AccountId as AsRef<[u8; 32]>>::as_ref(&a));
        self.pending_transfers.push(RawTransfer {
            event_index: self.pending.len() as u32 * 2,
            from: account(from),
            to: account(to),
            amount,
        });
        self.fundings
            .entry(ss58(&to))
            .or_insert_with(|| ss58(&from));
    }

    fn now(&self) -> u64 {
        1_700_000_000_000 + self.blocks.len() as u64 * 6_000
    }

    fn transfer(
        &mut self,
        token: &'static str,
        from: Option<AccountId>,
        to: Option<AccountId>,
        value: u128,
    ) {
        if let Some(f) = &from {
            *self.balances.entry((token, ss58(f))).or_default() -= value;
        }
        if let Some(t) = &to {
            *self.balances.entry((token, ss58(t))).or_default() += value;
        }
        let contract = if token == "biz" { BIZ } else { TIME };
        self.emit(contract, &psp22::Transfer { from, to, value });
    }

    /// A run of `receipts` sales among a few merchants and customers, with
    /// cancellations, flags, refunds, claims, ratings, foreign and garbage
    /// events, over several BizPower windows.
    pub fn generate(receipts: u64, seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut s = Script::default();
        let ledger_acc = AccountId::from(LEDGER);
        let admin = account(1);
        let params = LedgerParams {
            window_ms: 600_000,
            ..LedgerParams::default()
        };
        // Genesis, then the deployment.
        s.seal();
        s.transfer("biz", None, Some(admin), 10_000_000_000 * 10u128.pow(12));
        s.transfer(
            "time",
            None,
            Some(ledger_acc),
            2_000_000_000 * 10u128.pow(12),
        );
        s.transfer(
            "biz",
            Some(admin),
            Some(ledger_acc),
            5_000_000_000 * 10u128.pow(12),
        );
        s.emit(LEDGER, &ledger::ParamsChanged { params });
        s.seal();
        let merchants: Vec<AccountId> = (10..14).map(account).collect();
        let customers: Vec<AccountId> = (20..40).map(account).collect();
        let mut costs = HashMap::new();
        for (n, m) in merchants.iter().enumerate() {
            let cost = ShopCost {
                area_sqft: 300 + n as u32 * 100,
                staff: 2 + n as u32,
                rent_per_sqft_day: 400,
                wage_per_day: 20_000,
            };
            costs.insert(*m, cost);
            let profile = MerchantProfile {
                name: format!("店 {n}"),
                category: Category::Cafe,
                location: "wx4g0".into(),
                cost,
                licence_hash: Hash::from([n as u8; 32]),
            };
            let referrer = (n > 0).then(|| merchants[0]);
            s.emit(
                REGISTRY,
                &registry::MerchantRegistered {
                    merchant: *m,
                    referrer,
                    profile,
                    time_share_ppm: 200_000,
                    at: s.now(),
                },
            );
            s.emit(
                REGISTRY,
                &registry::MerchantStatusChanged {
                    merchant: *m,
                    by: admin,
                    from: MerchantStatus::Pending,
                    to: MerchantStatus::Verified,
                    at: s.now(),
                },
            );
            let info = registry::MerchantInfo {
                status: MerchantStatus::Verified,
                cost,
                referrer,
                verified_at: Some(s.now()),
                time_share_ppm: 200_000,
            };
            s.emit(LEDGER, &ledger::MerchantSynced { merchant: *m, info });
        }
        // A stranger's event and a garbage event of a suite contract.
        s.raw(STRANGER, vec![[9; 32]], vec![1, 2, 3]);
        s.unknown += 1;
        s.raw(LEDGER, vec![[8; 32]], vec![4, 5]);
        s.suite_events += 1;
        s.undecodable += 1;
        s.seal();

        let mut windows: HashMap<AccountId, MerchantWindow> = HashMap::new();
        let mut visits: HashMap<(AccountId, AccountId), Visit> = HashMap::new();
        let mut first_purchase: HashMap<AccountId, bool> = HashMap::new();
        let mut pending: Vec<(u64, AccountId, AccountId, u128, u128)> = Vec::new();
        for id in 0..receipts {
            let m = merchants[rng.random_range(0..merchants.len())];
            let c = customers[rng.random_range(0..customers.len())];
            let channel = if rng.random_bool(0.2) {
                Channel::Outside
            } else {
                Channel::InStore
            };
            let amount: u128 = rng.random_range(500..20_000);
            let order = Order {
                order_id: id * 7 + 1,
                order_time: s.now() - 1_000,
                channel,
                amount,
                discount: 0,
                time_paid: 0,
                items: rng.random_range(1..6),
                detail_hash: Hash::from([(id % 251) as u8; 32]),
            };
            s.emit(
                LEDGER,
                &ledger::ReceiptOpened {
                    id,
                    merchant: m,
                    customer: c,
                    opened_by: Side::Merchant,
                    order,
                    opened_at: s.now(),
                    expires_at: s.now() + params.expiry_ms,
                },
            );
            s.statuses.insert(id, "Open");
            if rng.random_bool(0.1) {
                s.emit(
                    LEDGER,
                    &ledger::ReceiptCancelled {
                        id,
                        by: c,
                        expired: false,
                    },
                );
                s.statuses.insert(id, "Cancelled");
            } else {
                let at = s.now();
                let out = record_sale(
                    windows.entry(m).or_default(),
                    visits.entry((m, c)).or_default(),
                    &Sale {
                        channel,
                        amount,
                        at,
                    },
                    params.window_ms,
                    &params.weights,
                    &costs[&m],
                );
                let biz =
                    bizkey_math::biz_reward(&params.reward, out.bizpower, out.earlier_in_window);
                let time = bizkey_math::time_reward(&params.reward, amount, out.earlier_in_window);
                let first = !first_purchase.contains_key(&c);
                first_purchase.insert(c, true);
                if first {
                    // Its first tokens, in the block of its first purchase: from the admin (an
                    // exchange) or from a merchant (a shop paying a newcomer's fees), and later
                    // top-ups that must not replace them.
                    let funder = if rng.random_bool(0.3) { m } else { admin };
                    s.fund(funder, c, 10u128.pow(12));
                } else if rng.random_bool(0.05) {
                    s.fund(account(2), c, 10u128.pow(12));
                }
                let rewards = Rewards {
                    merchant_biz: biz,
                    merchant_referrer: None,
                    merchant_referrer_biz: 0,
                    customer_time: time,
                    customer_referrer: None,
                    customer_referrer_time: 0,
                };
                s.emit(
                    LEDGER,
                    &ledger::ReceiptConfirmed {
                        id,
                        merchant: m,
                        customer: c,
                        confirmed_at: at,
                        earlier_in_window: out.earlier_in_window,
                        first_at_merchant: out.first_ever,
                        first_purchase: first,
                        bizpower: out.bizpower,
                        rewards,
                        time_paid: 0,
                        matures_at: at + 60_000,
                    },
                );
                s.statuses.insert(id, "Confirmed");
                s.confirmed += 1;
                if rng.random_bool(0.05) {
                    s.emit(
                        LEDGER,
                        &ledger::ReceiptFlagged {
                            id,
                            by: admin,
                            evidence: Hash::from([7; 32]),
                            biz_forfeited: biz,
                            time_forfeited: time,
                        },
                    );
                    s.statuses.insert(id, "Flagged");
                    // Forfeited entries stay queued until a claim consumes them.
                    pending.push((id, m, c, 0, 0));
                } else {
                    pending.push((id, m, c, biz, time));
                    if rng.random_bool(0.3) {
                        s.emit(
                            REVIEWS,
                            &reviews::MerchantRated {
                                id,
                                merchant: m,
                                customer: c,
                                product: 5,
                                service: 4,
                                environment: 3,
                                comment: None,
                            },
                        );
                    }
                }
            }
            if rng.random_bool(0.3) {
                s.seal();
            }
            // Claims: every merchant's and customer's queued entries, FIFO.
            if (id + 1).is_multiple_of(25) {
                let mut by_account: BTreeMap<String, (AccountId, u32, u128, u128)> =
                    BTreeMap::new();
                for (_, m, c, biz, time) in pending.drain(..) {
                    let e = by_account.entry(ss58(&m)).or_insert((m, 0, 0, 0));
                    e.1 += 1;
                    e.2 += biz;
                    let e = by_account.entry(ss58(&c)).or_insert((c, 0, 0, 0));
                    e.1 += 1;
                    e.3 += time;
                }
                for (n, (_, (who, entries, biz, time))) in by_account.into_iter().enumerate() {
                    // Every 100 receipts, governance removes the first
                    // account instead: its entries are forfeited, not paid.
                    if n == 0 && (id + 1).is_multiple_of(100) {
                        s.emit(
                            LEDGER,
                            &ledger::PendingForfeited {
                                account: who,
                                biz,
                                time,
                                entries: entries.into(),
                                remaining: 0,
                            },
                        );
                        continue;
                    }
                    s.emit(
                        LEDGER,
                        &ledger::RewardsClaimed {
                            account: who,
                            biz,
                            time,
                            entries,
                            remaining: 0,
                        },
                    );
                    if biz > 0 {
                        s.transfer("biz", Some(ledger_acc), Some(who), biz);
                    }
                    if time > 0 {
                        s.transfer("time", Some(ledger_acc), Some(who), time);
                    }
                }
                s.seal();
            }
        }
        s.seal();
        s
    }
}

/// The scripted chain as a node: optionally failing every `fail_every`-th
/// request, as a node whose RPC drops now and then.
pub struct ScriptedNode {
    pub blocks: Arc<Vec<RawBlock>>,
    pub genesis: [u8; 32],
    pub fail_every: u64,
    pub calls: Arc<AtomicU64>,
    pub connects: Arc<AtomicU64>,
}

impl ScriptedNode {
    pub fn new(script: &Script) -> Self {
        Self {
            blocks: Arc::new(script.blocks.clone()),
            genesis: GENESIS,
            fail_every: 0,
            calls: Arc::default(),
            connects: Arc::default(),
        }
    }
}

struct Session {
    blocks: Arc<Vec<RawBlock>>,
    genesis: [u8; 32],
    fail_every: u64,
    calls: Arc<AtomicU64>,
}

impl Session {
    fn tick(&self) -> Result<(), SourceError> {
        let n = self.calls.fetch_add(1, Relaxed) + 1;
        if self.fail_every > 0 && n.is_multiple_of(self.fail_every) {
            return Err(SourceError::Rpc("connection reset (scripted)".into()));
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl BlockSource for Session {
    fn genesis_hash(&self) -> [u8; 32] {
        self.genesis
    }
    async fn finalized_height(&self) -> Result<u64, SourceError> {
        self.tick()?;
        Ok(self.blocks.len() as u64 - 1)
    }
    async fn block(&self, number: u64) -> Result<RawBlock, SourceError> {
        self.tick()?;
        self.blocks
            .get(number as usize)
            .cloned()
            .ok_or(SourceError::MissingBlock(number))
    }
    async fn wait_finalized(&self, height: u64, timeout: Duration) -> Result<u64, SourceError> {
        tokio::time::sleep(timeout.min(Duration::from_millis(20))).await;
        let _ = height;
        self.finalized_height().await
    }
}

#[async_trait::async_trait]
impl Connector for ScriptedNode {
    async fn connect(&self) -> Result<Arc<dyn BlockSource>, SourceError> {
        self.connects.fetch_add(1, Relaxed);
        Ok(Arc::new(Session {
            blocks: self.blocks.clone(),
            genesis: self.genesis,
            fail_every: self.fail_every,
            calls: self.calls.clone(),
        }))
    }
}

/// A follower of `node` into `db`, stopping at `stop_at`.
pub fn follower(
    db: DatabaseConnection,
    node: ScriptedNode,
    stop_at: u64,
    batch_blocks: usize,
) -> Follower {
    let kinds = HashMap::from([
        (BIZ, ContractKind::BizToken),
        (TIME, ContractKind::TimeToken),
        (REGISTRY, ContractKind::Registry),
        (LEDGER, ContractKind::Ledger),
        (REVIEWS, ContractKind::Reviews),
    ]);
    Follower {
        db,
        connector: Arc::new(node),
        projection: Projection::new(kinds),
        scorer: None,
        options: FollowOptions {
            start_block: 0,
            expected_genesis: Some(GENESIS),
            batch_blocks,
            fetch_concurrency: 8,
            retry: Duration::from_millis(5),
            stop_at: Some(stop_at),
            ..FollowOptions::default()
        },
        metrics: Arc::default(),
    }
}
