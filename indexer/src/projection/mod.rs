//! Projects decoded events into the SQL tables, one batch of blocks at a
//! time inside the caller's transaction: this engine, and one module per
//! contract (`token`, `registry`, `ledger`, `vesting`, `locking`,
//! `super_nodes`, `governance`, `tasks`, `reviews`) that applies that contract's event
//! enum (`bizkey-types`) to the rows it owns.
//!
//! A batch reads the rows it changes lazily into memory, applies its events
//! in chain order, and writes every touched row back with one multi-row
//! upsert per table. Nothing outlives the batch, so a batch that is rolled
//! back (crash, lost connection) leaves no trace anywhere and re-applying
//! it gives the same rows. Each contract's state is replayed from its events
//! exactly as the contract changes it, so the tables answer what the
//! contracts' queries answer; a transition that contradicts the indexed state
//! (a missed event, a bug) is counted as an inconsistency and logged, never
//! fatal.

use crate::decode::{ContractKind, DecodeError, Decoded, Decoder, Event, EventTypeRef};
use crate::metrics::ns;
use crate::source::{RawBlock, RawTransfer};
use bizkey_store::amount::U128;
use bizkey_store::entity::{
    accounts, bizpower, customer_status_history, customers, events, klines, ledger_merchants,
    ledger_params, merchant_days, merchant_status_history, merchants, ratings, reactions,
    receipt_status_history, receipts, referrals, reward_claims, reward_pools, reward_queues,
    rewards, roles, token_allowances, token_balances, token_supply, token_transfers, visits,
};
use bizkey_store::hex0x;
use bizkey_store::repo::{self, upsert, Plans};
use bizkey_types::ledger::LedgerParams;
use bizkey_types::roles::RoleChanged;
use bizkey_types::{AccountId, Named};
/// The set-based reads' helpers, for the fraud scorer's own tables.
pub(crate) use prefetch::{any_pair, CHUNK as KEYS_PER_QUERY};
use prefetch::{Keys, Rows};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, ModelTrait};
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

/// SS58 (prefix 42) of an ink! account.
pub fn ss58(a: &AccountId) -> String {
    crate::ss58::ss58(a.as_ref())
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
    /// Time (ns) spent reading rows, applying events in memory and writing
    /// rows (the follower's stage counters).
    pub load_ns: u64,
    pub apply_ns: u64,
    pub write_ns: u64,
    /// Rows read by a query of their own because the batch's pre-pass did
    /// not foresee them.
    pub load_misses: u64,
}

/// Decodes blocks for the projection; cheap to clone, so that the fetching
/// task decodes while the projection applies the batch before.
#[derive(Clone)]
pub struct BlockDecoder {
    decoder: Arc<Decoder>,
    contracts: Arc<HashMap<[u8; 32], ContractKind>>,
}

/// A block ready for the projection: what its `blocks` row needs, and its
/// suite events decoded.
pub struct DecodedBlock {
    pub number: u64,
    pub hash: [u8; 32],
    pub parent_hash: [u8; 32],
    /// `Timestamp::Now` (ms; 0 for the genesis block).
    pub timestamp: u64,
    /// Contract events in the block, of the suite or not.
    pub contract_events: usize,
    /// Events of contracts outside the suite.
    unknown: u64,
    items: Vec<Item>,
    /// Native-token transfers, in event order.
    transfers: Vec<RawTransfer>,
    decode_ns: u64,
}

/// One suite event: what its `events` row is made of (where it happened
/// included), and the event unless it did not decode.
struct Item {
    raw: EventRecord,
    event: Option<Event>,
}

/// An event's `events` row before it is rendered: the strings and the JSON
/// are made only when the row is written ([`EventRecord::row`]), a chunk at a
/// time, so that the blocks fetched ahead and the batch hold bytes (their
/// JSON was most of a backfill's heap).
struct EventRecord {
    block: i64,
    index: i64,
    extrinsic_index: Option<i64>,
    contract: [u8; 32],
    kind: ContractKind,
    /// The event's type, `None` when it did not decode.
    ty: Option<EventTypeRef>,
    data: Vec<u8>,
}

impl EventRecord {
    /// Where it happened, in a block of time `timestamp` (ms).
    fn at(&self, timestamp: u64) -> Ctx {
        Ctx {
            block: self.block,
            index: self.index,
            timestamp: i(timestamp),
            kind: self.kind,
        }
    }

    fn json(&self, decoder: &Decoder) -> Option<Json> {
        let ty = self.ty?;
        decoder
            .json(ty, &self.data)
            .map_err(|e| {
                // The typed decoding of the same bytes succeeded: the
                // metadata and the type disagree.
                tracing::error!(block = self.block, index = self.index, error = %e, "event JSON");
            })
            .ok()
    }

    fn row(self, decoder: &Decoder) -> events::Model {
        events::Model {
            block_number: self.block,
            event_index: self.index,
            extrinsic_index: self.extrinsic_index,
            contract: crate::ss58::ss58(&self.contract),
            contract_kind: self.kind.name().to_owned(),
            name: self.ty.map(|ty| ty.name().to_owned()),
            data: self.json(decoder),
            raw: hex0x(&self.data),
        }
    }
}

impl DecodedBlock {
    /// Time (ns) its decoding took.
    pub fn decode_ns(&self) -> u64 {
        self.decode_ns
    }
}

impl BlockDecoder {
    /// Decodes the suite's events of `block` (logging those that do not
    /// decode).
    pub fn decode(&self, block: RawBlock) -> DecodedBlock {
        let started = Instant::now();
        let mut unknown = 0;
        let mut items = Vec::with_capacity(block.events.len());
        let contract_events = block.events.len();
        for raw in block.events {
            let Some(&kind) = self.contracts.get(&raw.contract.0) else {
                unknown += 1;
                tracing::debug!(block = block.number, index = raw.event_index, contract = %raw.contract, "event of a contract outside the suite");
                continue;
            };
            let (ty, event) = match self.decoder.decode(kind, &raw.topics, &raw.data) {
                Ok(Decoded { event, ty }) => (Some(ty), Some(event)),
                Err(e) => {
                    log_undecodable(block.number, raw.event_index, kind, &e);
                    (None, None)
                }
            };
            let raw = EventRecord {
                block: i(block.number),
                index: i(raw.event_index),
                extrinsic_index: raw.extrinsic_index.map(i),
                contract: raw.contract.0,
                kind,
                ty,
                data: raw.data,
            };
            items.push(Item { raw, event });
        }
        DecodedBlock {
            number: block.number,
            hash: block.hash,
            parent_hash: block.parent_hash,
            timestamp: block.timestamp,
            contract_events,
            unknown,
            items,
            transfers: block.transfers,
            decode_ns: ns(started.elapsed()),
        }
    }
}

/// The projection: which contracts are the suite's, and how to decode them.
pub struct Projection {
    decoder: BlockDecoder,
}

/// What a batch did: its figures, and the receipts it confirmed, in
/// confirmation order (for the fraud scorer).
pub struct Applied {
    pub stats: BatchStats,
    /// Each with the position (block, event index) of its `ReceiptConfirmed`.
    pub confirmed: Vec<(receipts::Model, (i64, i64))>,
}

impl Projection {
    /// A projection of the suite made of `contracts`.
    pub fn new(contracts: HashMap<[u8; 32], ContractKind>) -> Self {
        Self {
            decoder: BlockDecoder {
                decoder: Arc::new(Decoder::new()),
                contracts: Arc::new(contracts),
            },
        }
    }

    /// The decoder of this projection's blocks.
    pub fn decoder(&self) -> BlockDecoder {
        self.decoder.clone()
    }

    /// Applies `blocks` (consecutive, in order) inside `db`'s transaction:
    /// reads every row the batch's events touch (one query per table), applies
    /// the events in memory in chain order, writes the touched rows back
    /// with multi-row upserts.
    ///
    /// # Errors
    /// Database errors only: unknown and undecodable events are counted.
    pub async fn apply(
        &self,
        db: &sea_orm::DatabaseTransaction,
        blocks: Vec<DecodedBlock>,
    ) -> Result<Applied, DbErr> {
        let mut batch = Batch {
            decoder: Some(self.decoder.decoder.clone()),
            ..Batch::default()
        };
        let mut keys = Keys::default();
        for block in &blocks {
            batch.stats.unknown += block.unknown;
            for item in &block.items {
                if let Some(event) = &item.event {
                    event_keys(&item.raw.at(block.timestamp), event, &mut keys);
                }
            }
        }
        repo::plan(db, Plans::PerExecution).await?;
        batch.prefetch(db, keys).await?;
        let started = Instant::now();
        let load_before = batch.stats.load_ns;
        let mut transfers = Vec::new();
        for block in blocks {
            transfers.extend(block.transfers.into_iter().map(|transfer| fundings::At {
                block: block.number,
                timestamp: block.timestamp,
                transfer,
            }));
            for Item { raw, event } in block.items {
                batch.stats.events += 1;
                let at = raw.at(block.timestamp);
                batch.events.push(raw);
                match event {
                    Some(event) => batch.apply(db, &at, event).await?,
                    None => batch.stats.undecodable += 1,
                }
            }
        }
        let mut stats = batch.stats;
        stats.apply_ns =
            ns(started.elapsed()).saturating_sub(stats.load_ns.saturating_sub(load_before));
        let t = Instant::now();
        repo::plan(db, Plans::Reused).await?;
        let confirmed = batch.flush(db).await?;
        fundings::project(db, transfers).await?;
        stats.write_ns = ns(t.elapsed());
        Ok(Applied { stats, confirmed })
    }
}

/// The rows `event` will read, by table (each contract module's `keys`).
fn event_keys(at: &Ctx, event: &Event, keys: &mut Keys) {
    match event {
        Event::Token(e) => token::keys(at, e, keys),
        Event::Registry(e) => registry::keys(e, keys),
        Event::Ledger(e) => ledger::keys(e, keys),
        Event::Vesting(e) => vesting::keys(e, keys),
        Event::Locking(e) => locking::keys(e, keys),
        Event::SuperNodes(e) => super_nodes::keys(e, keys),
        Event::Governance(e) => governance::keys(e, keys),
        Event::Tasks(e) => tasks::keys(e, keys),
        // Reviews only add rows.
        Event::Reviews(_) => {}
    }
}

fn log_undecodable(block: u64, index: u32, kind: ContractKind, e: &DecodeError) {
    tracing::warn!(block, index, kind = kind.name(), error = %e, "undecodable event");
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
    /// Renders the events' JSON (always set; an `Option` for `Default`).
    decoder: Option<Arc<Decoder>>,
    events: Vec<EventRecord>,
    accounts: BTreeMap<String, i64>,
    balances: Rows<(String, String), token_balances::Model>,
    supply: Rows<String, token_supply::Model>,
    transfers: Vec<token_transfers::Model>,
    allowances: HashMap<(String, String, String), token_allowances::Model>,
    roles: HashMap<(String, String), roles::Model>,
    merchants: Rows<String, merchants::Model>,
    merchant_history: Vec<merchant_status_history::Model>,
    customers: Rows<String, customers::Model>,
    customer_history: Vec<customer_status_history::Model>,
    referrals: Vec<referrals::Model>,
    receipts: Rows<i64, receipts::Model>,
    /// Receipts confirmed in the batch, with where (block, event index).
    confirmed: Vec<(i64, (i64, i64))>,
    receipt_history: Vec<receipt_status_history::Model>,
    rewards: HashMap<(i64, String), rewards::Model>,
    /// Receipts whose reward entries were read.
    rewards_read: HashSet<i64>,
    claims: Vec<reward_claims::Model>,
    pools: Rows<String, reward_pools::Model>,
    queues: Rows<String, reward_queues::Model>,
    params: Option<LedgerParams>,
    params_rows: Vec<ledger_params::Model>,
    ledger_merchants: Rows<String, ledger_merchants::Model>,
    visits: Rows<(String, String), visits::Model>,
    bizpower: Vec<bizpower::Model>,
    klines: Rows<(String, String, i64), klines::Model>,
    days: Rows<(String, i64), merchant_days::Model>,
    ratings: Vec<ratings::Model>,
    reactions: Vec<reactions::Model>,
    vesting: vesting::State,
    locking: locking::State,
    super_nodes: super_nodes::State,
    governance: governance::State,
    tasks: tasks::State,
}

// After `load!`, which they use.
#[macro_use]
mod prefetch;
mod fundings;
mod governance;
mod ledger;
mod locking;
mod registry;
mod reviews;
mod super_nodes;
mod tasks;
mod token;
mod vesting;

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

    /// The event being applied (pushed just before it is applied).
    fn event_record(&self, at: &Ctx) -> Option<&EventRecord> {
        self.events
            .iter()
            .rev()
            .find(|e| e.block == at.block && e.index == at.index)
    }

    /// The field at `path` of the event's JSON (`events.data`): nested
    /// values (a proposal's action, a task's rules) are stored as the
    /// `events` table renders them.
    fn event_json(&self, at: &Ctx, path: &[&str]) -> Json {
        let mut v = match (self.event_record(at), &self.decoder) {
            (Some(e), Some(decoder)) => e.json(decoder).unwrap_or(Json::Null),
            _ => Json::Null,
        };
        for key in path {
            v = v.get_mut(key).map(Json::take).unwrap_or(Json::Null);
        }
        v
    }

    /// Notes what a transition found not adding up.
    fn report(&mut self, checks: Checks) {
        for problem in checks.0 {
            self.inconsistent(problem);
        }
    }

    async fn apply<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        event: Event,
    ) -> Result<(), DbErr> {
        match event {
            Event::Token(e) => self.token(db, at, e).await,
            Event::Registry(e) => self.registry(db, at, e).await,
            Event::Ledger(e) => self.ledger(db, at, e).await,
            Event::Vesting(e) => self.vesting(db, at, e).await,
            Event::Locking(e) => self.locking(db, at, e).await,
            Event::SuperNodes(e) => self.super_nodes(db, at, e).await,
            Event::Governance(e) => self.governance(db, at, e).await,
            Event::Tasks(e) => self.tasks(db, at, e).await,
            Event::Reviews(e) => {
                self.reviews(at, e);
                Ok(())
            }
        }
    }

    fn contract_address(&self, at: &Ctx) -> String {
        self.event_record(at)
            .map(|e| crate::ss58::ss58(&e.contract))
            .unwrap_or_default()
    }

    /// A role of the contract that emitted the event changed hands.
    pub(super) fn role_changed(&mut self, at: &Ctx, e: RoleChanged) {
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

    /// Writes every touched row; returns the receipts confirmed in the batch,
    /// each with the position of its `ReceiptConfirmed`.
    async fn flush<C: ConnectionTrait>(
        mut self,
        db: &C,
    ) -> Result<Vec<(receipts::Model, (i64, i64))>, DbErr> {
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
        let decoder = self
            .decoder
            .take()
            .ok_or_else(|| DbErr::Custom("a batch without its decoder".into()))?;
        write_rows(
            db,
            std::mem::take(&mut self.events)
                .into_iter()
                .map(|e| e.row(&decoder)),
        )
        .await?;
        write_rows(db, self.balances.into_values()).await?;
        write_rows(db, self.supply.into_values()).await?;
        write_rows(db, self.transfers).await?;
        write_rows(db, self.allowances.into_values()).await?;
        write_rows(db, self.roles.into_values()).await?;
        write_rows(db, self.merchants.into_values()).await?;
        write_rows(db, self.merchant_history).await?;
        write_rows(db, self.customers.into_values()).await?;
        write_rows(db, self.customer_history).await?;
        write_rows(db, self.referrals).await?;
        let confirmed: Vec<(receipts::Model, (i64, i64))> = self
            .confirmed
            .iter()
            .filter_map(|(id, at)| Some((self.receipts.get(id).cloned()?, *at)))
            .collect();
        write_rows(db, self.receipts.into_values()).await?;
        write_rows(db, self.receipt_history).await?;
        write_rows(db, self.rewards.into_values()).await?;
        write_rows(db, self.claims).await?;
        write_rows(db, self.pools.into_values()).await?;
        write_rows(db, self.queues.into_values()).await?;
        write_rows(db, self.params_rows).await?;
        write_rows(db, self.ledger_merchants.into_values()).await?;
        write_rows(db, self.visits.into_values()).await?;
        write_rows(db, self.bizpower).await?;
        write_rows(db, self.klines.into_values()).await?;
        write_rows(db, self.days.into_values()).await?;
        write_rows(db, self.ratings).await?;
        write_rows(db, self.reactions).await?;
        self.vesting.flush(db).await?;
        self.locking.flush(db).await?;
        self.super_nodes.flush(db).await?;
        self.governance.flush(db).await?;
        self.tasks.flush(db).await?;
        Ok(confirmed)
    }
}

/// Runs a read of the batch's rows outside the pre-pass, timed as a load.
async fn timed<T>(
    stats: &mut BatchStats,
    read: impl std::future::Future<Output = Result<T, DbErr>>,
) -> Result<T, DbErr> {
    let t = Instant::now();
    let out = read.await;
    stats.load_ns += ns(t.elapsed());
    out
}

type ActiveOf<M> = <<M as ModelTrait>::Entity as EntityTrait>::ActiveModel;

/// Upserts a table's touched rows (see [`upsert`]).
async fn write_rows<C, M>(
    db: &C,
    rows: impl IntoIterator<Item = M, IntoIter: ExactSizeIterator>,
) -> Result<(), DbErr>
where
    C: ConnectionTrait,
    M: ModelTrait + IntoActiveModel<ActiveOf<M>>,
    ActiveOf<M>: Send,
{
    upsert(db, rows.into_iter().map(IntoActiveModel::into_active_model)).await
}

/// Arithmetic on indexed amounts that notes what does not add up instead
/// of failing the batch (the result saturates).
#[derive(Default)]
struct Checks(Vec<String>);

impl Checks {
    fn add(&mut self, a: &mut U128, b: u128, what: &str) {
        match a.0.checked_add(b) {
            Some(v) => a.0 = v,
            None => {
                self.0.push(format!("{what}: {} + {b} overflows", a.0));
                a.0 = u128::MAX;
            }
        }
    }

    fn sub(&mut self, a: &mut U128, b: u128, what: &str) {
        match a.0.checked_sub(b) {
            Some(v) => a.0 = v,
            None => {
                self.0.push(format!("{what}: {} − {b} is negative", a.0));
                a.0 = 0;
            }
        }
    }

    fn expect<T: PartialEq + std::fmt::Debug>(&mut self, what: &str, indexed: T, event: T) {
        if indexed != event {
            self.0.push(format!(
                "{what}: the index has {indexed:?}, the event says {event:?}"
            ));
        }
    }

    fn note(&mut self, problem: String) {
        self.0.push(problem);
    }
}
