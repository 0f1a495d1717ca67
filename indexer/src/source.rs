//! Where blocks come from: the [`BlockSource`] trait the follower uses, and
//! its implementation over a node's JSON-RPC with subxt.
//!
//! The follower only ever asks for finalized blocks by number, from its
//! cursor up, so nothing here has to remember what was delivered: a new
//! connection after a drop simply continues from the cursor, and blocks
//! finalized while the node was away are fetched like any others. (What a
//! connection remembers of announced headers only saves RPC round trips; it
//! dies with the connection.)

use bizkey_chain::node;
use bizkey_chain::{AccountId32, ChainConfig, H256};
use futures::FutureExt;
use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError};
use std::time::Duration;
use subxt::backend::legacy::rpc_methods::{BlockNumber, LegacyRpcMethods};
use subxt::config::Header as _;
use subxt::events::{Events, Phase, StaticEvent};
use subxt::OnlineClient;
use subxt_rpcs::client::RpcSubscription;
use tokio::sync::Mutex;

/// One `Contracts::ContractEmitted` event of a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawEvent {
    /// Index in the block's `System::Events`.
    pub event_index: u32,
    /// The extrinsic that emitted it.
    pub extrinsic_index: Option<u32>,
    pub contract: AccountId32,
    /// Topic 0 is the event's signature topic.
    pub topics: Vec<[u8; 32]>,
    /// SCALE bytes of the ink! event struct.
    pub data: Vec<u8>,
}

/// One `Balances::Transfer` event of a block (native tokens).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawTransfer {
    /// Index in the block's `System::Events`.
    pub event_index: u32,
    pub from: AccountId32,
    pub to: AccountId32,
    pub amount: u128,
}

/// A finalized block with its contract events and native transfers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawBlock {
    pub number: u64,
    pub hash: [u8; 32],
    pub parent_hash: [u8; 32],
    /// `Timestamp::Now` (ms; 0 for the genesis block).
    pub timestamp: u64,
    pub events: Vec<RawEvent>,
    /// In event order.
    pub transfers: Vec<RawTransfer>,
}

/// A failure talking to the node.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("cannot connect to {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("RPC failed: {0}")]
    Rpc(String),
    #[error("block {0} is not known to the node")]
    MissingBlock(u64),
    #[error("block {number}: {reason}")]
    Decode { number: u64, reason: String },
    #[error("the node closed the finalized-heads subscription")]
    SubscriptionClosed,
}

impl SourceError {
    fn rpc(e: impl std::fmt::Display) -> Self {
        Self::Rpc(e.to_string())
    }
}

/// Finalized blocks of one chain.
#[async_trait::async_trait]
pub trait BlockSource: Send + Sync {
    /// The chain's genesis hash.
    fn genesis_hash(&self) -> [u8; 32];

    /// The number of the latest finalized block.
    async fn finalized_height(&self) -> Result<u64, SourceError>;

    /// The finalized block `number` with its contract events.
    async fn block(&self, number: u64) -> Result<RawBlock, SourceError>;

    /// Waits until a block above `height` is finalized, at most `timeout`,
    /// and returns the latest finalized height (`height` itself on timeout).
    async fn wait_finalized(&self, height: u64, timeout: Duration) -> Result<u64, SourceError>;
}

/// Makes (new) connections: the follower calls it again after a drop.
#[async_trait::async_trait]
pub trait Connector: Send + Sync {
    async fn connect(&self) -> Result<Arc<dyn BlockSource>, SourceError>;
}

/// Connects to a node's RPC URL.
pub struct RpcConnector {
    pub url: String,
}

#[async_trait::async_trait]
impl Connector for RpcConnector {
    async fn connect(&self) -> Result<Arc<dyn BlockSource>, SourceError> {
        Ok(Arc::new(SubxtSource::connect(&self.url).await?))
    }
}

/// [`BlockSource`] over subxt: the legacy RPC methods by number and hash,
/// one `state_queryStorageAt` for a block's events and timestamp.
///
/// Live, the finalized-heads subscription delivers each announced block's
/// header: its hash (the header's hash), its parent's hash and its number.
/// Those are remembered, so fetching an announced block takes the storage
/// query alone, and its parent (a height the subscription skipped) needs no
/// `chain_getBlockHash`. Blocks nobody announced (backfill, gaps) are asked
/// for by number.
pub struct SubxtSource {
    rpc: LegacyRpcMethods<ChainConfig>,
    api: OnlineClient<ChainConfig>,
    events_key: Vec<u8>,
    now_key: Vec<u8>,
    heads: Mutex<Option<RpcSubscription<NodeHeader>>>,
    /// What announcements told about heights not fetched yet. Filled and
    /// pruned by [`BlockSource::wait_finalized`], so it holds at most the
    /// heads of one wait (plus their parents); `block` takes its entry.
    known: std::sync::Mutex<BTreeMap<u64, Known>>,
}

/// What the finalized-heads subscription told about one height.
#[derive(Clone, Copy, Debug, Default)]
struct Known {
    /// From the block's header, or from its child's parent hash.
    hash: Option<H256>,
    /// From the block's header.
    parent_hash: Option<H256>,
}

type NodeHeader = <ChainConfig as subxt::Config>::Header;

impl SubxtSource {
    /// Connects to `url` (`ws://…`).
    ///
    /// # Errors
    /// [`SourceError::Connect`].
    pub async fn connect(url: &str) -> Result<Self, SourceError> {
        let err = |e: &dyn std::fmt::Display| SourceError::Connect {
            url: url.into(),
            reason: e.to_string(),
        };
        // The quick-acknowledging transport: without it the node's answers
        // of a few kB wait up to 40 ms each (bizkey_chain::rpc).
        let client = bizkey_chain::rpc_client(url).await.map_err(|e| err(&e))?;
        let api = OnlineClient::<ChainConfig>::from_rpc_client(client.clone())
            .await
            .map_err(|e| err(&e))?;
        let storage = api.storage();
        let events_key = storage
            .address_bytes(&node::storage().system().events())
            .map_err(|e| err(&e))?;
        let now_key = storage
            .address_bytes(&node::storage().timestamp().now())
            .map_err(|e| err(&e))?;
        Ok(Self {
            rpc: LegacyRpcMethods::new(client),
            api,
            events_key,
            now_key,
            heads: Mutex::new(None),
            known: std::sync::Mutex::default(),
        })
    }

    fn known(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Known>> {
        // Only plain inserts and removals happen under the lock: a panic
        // elsewhere leaves the map consistent.
        self.known.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Remembers an announced header: its own hash and parent, and the
    /// parent's hash for the height below.
    fn remember(&self, header: &NodeHeader) {
        let number = u64::from(header.number);
        let hash = header.hash_with(self.api.hasher());
        let mut known = self.known();
        *known.entry(number).or_default() = Known {
            hash: Some(hash),
            parent_hash: Some(header.parent_hash),
        };
        if let Some(below) = number.checked_sub(1) {
            known.entry(below).or_default().hash = Some(header.parent_hash);
        }
    }

    /// `System::Events` and `Timestamp::Now` at `hash`.
    async fn storage(&self, hash: H256) -> Result<(Option<Vec<u8>>, Option<Vec<u8>>), SourceError> {
        let keys = [self.events_key.as_slice(), self.now_key.as_slice()];
        let sets = self
            .rpc
            .state_query_storage_at(keys, Some(hash))
            .await
            .map_err(SourceError::rpc)?;
        let (mut events_bytes, mut now_bytes) = (None, None);
        for (key, value) in sets.into_iter().flat_map(|s| s.changes) {
            if key.0 == self.events_key {
                events_bytes = value.map(|v| v.0);
            } else if key.0 == self.now_key {
                now_bytes = value.map(|v| v.0);
            }
        }
        Ok((events_bytes, now_bytes))
    }
}

/// The contract and data of a `Contracts::ContractEmitted` event, `None`
/// for any other event.
///
/// The fields are SCALE-decoded as they are laid out, `(AccountId32,
/// Vec<u8>)`, rather than through `as_event`: its type-driven decoder visits
/// the data byte by byte, and was a sixth of a backfill's CPU. A layout that
/// changes fails to decode (the whole input must be read), it is not misread.
fn contract_emitted(
    ev: &subxt::events::EventDetails<ChainConfig>,
) -> Result<Option<(AccountId32, Vec<u8>)>, String> {
    use node::contracts::events::ContractEmitted as E;
    if ev.pallet_name() != E::PALLET || ev.variant_name() != E::EVENT {
        return Ok(None);
    }
    <(AccountId32, Vec<u8>) as scale::DecodeAll>::decode_all(&mut ev.field_bytes())
        .map(Some)
        .map_err(|e| format!("Contracts::ContractEmitted: {e}"))
}

/// The sender, recipient and amount of a `Balances::Transfer` event, `None`
/// for any other event (decoded by layout, as [`contract_emitted`]).
fn transfer(
    ev: &subxt::events::EventDetails<ChainConfig>,
) -> Result<Option<(AccountId32, AccountId32, u128)>, String> {
    use node::balances::events::Transfer as E;
    if ev.pallet_name() != E::PALLET || ev.variant_name() != E::EVENT {
        return Ok(None);
    }
    <(AccountId32, AccountId32, u128) as scale::DecodeAll>::decode_all(&mut ev.field_bytes())
        .map(Some)
        .map_err(|e| format!("Balances::Transfer: {e}"))
}

#[async_trait::async_trait]
impl BlockSource for SubxtSource {
    fn genesis_hash(&self) -> [u8; 32] {
        self.api.genesis_hash().0
    }

    async fn finalized_height(&self) -> Result<u64, SourceError> {
        let hash = self
            .rpc
            .chain_get_finalized_head()
            .await
            .map_err(SourceError::rpc)?;
        let header = self
            .rpc
            .chain_get_header(Some(hash))
            .await
            .map_err(SourceError::rpc)?
            .ok_or_else(|| SourceError::Rpc("no header for the finalized head".into()))?;
        Ok(header.number().into())
    }

    async fn block(&self, number: u64) -> Result<RawBlock, SourceError> {
        let known = self.known().remove(&number).unwrap_or_default();
        let hash = match known.hash {
            Some(hash) => hash,
            None => self
                .rpc
                .chain_get_block_hash(Some(BlockNumber::from(number)))
                .await
                .map_err(SourceError::rpc)?
                .ok_or(SourceError::MissingBlock(number))?,
        };
        // The parent hash and the storage both need only the hash: one round
        // trip for the two, none for the parent of an announced block.
        let parent_hash = async {
            match known.parent_hash {
                Some(parent) => Ok(parent),
                None => self
                    .rpc
                    .chain_get_header(Some(hash))
                    .await
                    .map_err(SourceError::rpc)?
                    .map(|h| h.parent_hash)
                    .ok_or(SourceError::MissingBlock(number)),
            }
        };
        let (parent_hash, (events_bytes, now_bytes)) =
            futures::try_join!(parent_hash, self.storage(hash))?;
        let bad = |reason: String| SourceError::Decode { number, reason };
        let timestamp = match now_bytes {
            Some(b) => {
                <u64 as scale::Decode>::decode(&mut &b[..]).map_err(|e| bad(e.to_string()))?
            }
            None => 0,
        };
        let (mut events, mut transfers) = (Vec::new(), Vec::new());
        if let Some(bytes) = events_bytes {
            let all = Events::<ChainConfig>::decode_from(bytes, self.api.metadata());
            for ev in all.iter() {
                let ev = ev.map_err(|e| bad(e.to_string()))?;
                if let Some((from, to, amount)) = transfer(&ev).map_err(bad)? {
                    transfers.push(RawTransfer {
                        event_index: ev.index(),
                        from,
                        to,
                        amount,
                    });
                    continue;
                }
                let Some((contract, data)) = contract_emitted(&ev).map_err(bad)? else {
                    continue;
                };
                events.push(RawEvent {
                    event_index: ev.index(),
                    extrinsic_index: match ev.phase() {
                        Phase::ApplyExtrinsic(i) => Some(i),
                        _ => None,
                    },
                    contract,
                    topics: ev.topics().iter().map(|t| t.0).collect(),
                    data,
                });
            }
        }
        Ok(RawBlock {
            number,
            hash: hash.0,
            parent_hash: parent_hash.0,
            timestamp,
            events,
            transfers,
        })
    }

    /// Takes every announcement already queued once one is above `height`,
    /// so a burst of finalizations is one answer (the newest head), not one
    /// wait per block.
    async fn wait_finalized(&self, height: u64, timeout: Duration) -> Result<u64, SourceError> {
        let mut heads = self.heads.lock().await;
        if heads.is_none() {
            // The node answers a new subscription with the current finalized
            // head first.
            *heads = Some(
                self.rpc
                    .chain_subscribe_finalized_heads()
                    .await
                    .map_err(SourceError::rpc)?,
            );
        }
        // The follower waits only once it has every block up to `height`.
        {
            let mut known = self.known();
            *known = known.split_off(&height.saturating_add(1));
        }
        let sub = heads.as_mut().expect("set above");
        let deadline = tokio::time::Instant::now() + timeout;
        let mut newest = height;
        loop {
            let next = if newest > height {
                match sub.next().now_or_never() {
                    Some(next) => next,
                    None => return Ok(newest),
                }
            } else {
                match tokio::time::timeout_at(deadline, sub.next()).await {
                    Ok(next) => next,
                    // Quiet chain (or a silent subscription): ask directly.
                    Err(_) => return self.finalized_height().await,
                }
            };
            match next {
                // The subscription may skip heights: the follower fetches
                // them by number (their hash is known when a child was
                // announced).
                Some(Ok(header)) => {
                    newest = newest.max(header.number.into());
                    self.remember(&header);
                }
                Some(Err(e)) => {
                    *heads = None;
                    return Err(SourceError::rpc(e));
                }
                None => {
                    *heads = None;
                    return Err(SourceError::SubscriptionClosed);
                }
            }
        }
    }
}
