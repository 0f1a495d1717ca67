//! Where blocks come from: the [`BlockSource`] trait the follower uses, and
//! its implementation over a node's JSON-RPC with subxt.
//!
//! The follower only ever asks for finalized blocks by number, from its
//! cursor up, so nothing here has to remember what was delivered: a new
//! connection after a drop simply continues from the cursor, and blocks
//! finalized while the node was away are fetched like any others.

use bizkey_chain::node;
use bizkey_chain::{AccountId32, ChainConfig};
use std::sync::Arc;
use std::time::Duration;
use subxt::backend::legacy::rpc_methods::{BlockNumber, LegacyRpcMethods};
use subxt::config::Header;
use subxt::events::{Events, Phase};
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

/// A finalized block with its contract events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawBlock {
    pub number: u64,
    pub hash: [u8; 32],
    pub parent_hash: [u8; 32],
    /// `Timestamp::Now` (ms; 0 for the genesis block).
    pub timestamp: u64,
    pub events: Vec<RawEvent>,
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
pub struct SubxtSource {
    rpc: LegacyRpcMethods<ChainConfig>,
    api: OnlineClient<ChainConfig>,
    events_key: Vec<u8>,
    now_key: Vec<u8>,
    heads: Mutex<Option<RpcSubscription<<ChainConfig as subxt::Config>::Header>>>,
}

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
        })
    }
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
        let hash = self
            .rpc
            .chain_get_block_hash(Some(BlockNumber::from(number)))
            .await
            .map_err(SourceError::rpc)?
            .ok_or(SourceError::MissingBlock(number))?;
        let header = self
            .rpc
            .chain_get_header(Some(hash))
            .await
            .map_err(SourceError::rpc)?
            .ok_or(SourceError::MissingBlock(number))?;
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
        let bad = |reason: String| SourceError::Decode { number, reason };
        let timestamp = match now_bytes {
            Some(b) => {
                <u64 as scale::Decode>::decode(&mut &b[..]).map_err(|e| bad(e.to_string()))?
            }
            None => 0,
        };
        let mut events = Vec::new();
        if let Some(bytes) = events_bytes {
            let all = Events::<ChainConfig>::decode_from(bytes, self.api.metadata());
            for ev in all.iter() {
                let ev = ev.map_err(|e| bad(e.to_string()))?;
                let Some(emitted) = ev
                    .as_event::<node::contracts::events::ContractEmitted>()
                    .map_err(|e| bad(e.to_string()))?
                else {
                    continue;
                };
                events.push(RawEvent {
                    event_index: ev.index(),
                    extrinsic_index: match ev.phase() {
                        Phase::ApplyExtrinsic(i) => Some(i),
                        _ => None,
                    },
                    contract: emitted.contract,
                    topics: ev.topics().iter().map(|t| t.0).collect(),
                    data: emitted.data,
                });
            }
        }
        Ok(RawBlock {
            number,
            hash: hash.0,
            parent_hash: header.parent_hash.0,
            timestamp,
            events,
        })
    }

    async fn wait_finalized(&self, height: u64, timeout: Duration) -> Result<u64, SourceError> {
        let mut heads = self.heads.lock().await;
        if heads.is_none() {
            *heads = Some(
                self.rpc
                    .chain_subscribe_finalized_heads()
                    .await
                    .map_err(SourceError::rpc)?,
            );
        }
        let sub = heads.as_mut().expect("set above");
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match tokio::time::timeout_at(deadline, sub.next()).await {
                // The subscription may skip heads; the caller fetches by number.
                Ok(Some(Ok(h))) if u64::from(h.number()) > height => return Ok(h.number().into()),
                Ok(Some(Ok(_))) => continue,
                Ok(Some(Err(e))) => {
                    *heads = None;
                    return Err(SourceError::rpc(e));
                }
                Ok(None) => {
                    *heads = None;
                    return Err(SourceError::SubscriptionClosed);
                }
                // Quiet chain (or a silent subscription): ask directly.
                Err(_) => return self.finalized_height().await,
            }
        }
    }
}
