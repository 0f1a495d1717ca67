//! The loop: from the cursor to the finalized head, then along the head.
//!
//! Backfill and live following are the same code: fetch the finalized
//! blocks after the cursor (many at once, delivered in order), apply them in
//! batches, each batch one SQL transaction that also moves the cursor. Live,
//! the batches are simply small, and the source's finalized-heads
//! subscription says where the head is. A dropped node connection ends the inner
//! loop; the outer loop reconnects and resumes from the cursor in the
//! database, so blocks finalized meanwhile are fetched like any others.
//!
//! Three stages overlap: fetching and decoding (a task ahead of the
//! projection), the projection (this loop), and fraud scoring (a task of its
//! own, on its own connection and transactions, fed each committed batch's
//! confirmed receipts with their model inputs; at start it scores what a
//! crash left unscored).

use crate::error::IndexError;
use crate::fraud::{self, FraudScorer, ToScore};
use crate::metrics::{ns, Metrics};
use crate::projection::{BlockDecoder, DecodedBlock, Projection};
use crate::source::{BlockSource, Connector, SourceError};
use bizkey_store::entity::{blocks, chain_meta, contracts, index_batches};
use bizkey_store::hex0x;
use bizkey_store::{now_ms, repo, unix_ms};
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::{DatabaseConnection, EntityTrait, TransactionTrait};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

/// Most contract events in one batch (bounds a batch's memory when blocks
/// are full).
const MAX_BATCH_EVENTS: usize = 50_000;

/// Committed batches the scorer may lag behind the projection.
const SCORING_QUEUE: usize = 2;

/// How the follower fetches and batches.
#[derive(Clone, Debug)]
pub struct FollowOptions {
    /// First block to index when the database is new.
    pub start_block: u64,
    /// The genesis the deployment manifest names: the node must match it.
    pub expected_genesis: Option<[u8; 32]>,
    /// The suite's contracts, for the `contracts` table.
    pub contracts: Vec<(String, String)>,
    /// Most blocks in one SQL transaction.
    pub batch_blocks: usize,
    /// Blocks fetched concurrently.
    pub fetch_concurrency: usize,
    /// Wait before reconnecting.
    pub retry: Duration,
    /// Show a progress bar while catching up.
    pub progress: bool,
    /// Stop once this block is indexed (benchmarks, tests).
    pub stop_at: Option<u64>,
}

impl Default for FollowOptions {
    fn default() -> Self {
        Self {
            start_block: 0,
            expected_genesis: None,
            contracts: Vec::new(),
            batch_blocks: 256,
            fetch_concurrency: 16,
            retry: Duration::from_millis(500),
            progress: false,
            stop_at: None,
        }
    }
}

/// The indexer: a database, a way to reach the node, a projection.
pub struct Follower {
    pub db: DatabaseConnection,
    pub connector: Arc<dyn Connector>,
    pub projection: Projection,
    /// Scores the confirmed receipts, when fraud scoring is on.
    pub scorer: Option<Arc<FraudScorer>>,
    pub options: FollowOptions,
    pub metrics: Arc<Metrics>,
}

/// The scoring stage's task and its queue.
struct Scoring {
    queue: mpsc::Sender<Vec<ToScore>>,
    /// `None` once its end was reported.
    task: Option<tokio::task::JoinHandle<Result<(), sea_orm::DbErr>>>,
}

impl Scoring {
    fn start(scorer: Arc<FraudScorer>, db: DatabaseConnection, metrics: Arc<Metrics>) -> Self {
        let (queue, batches) = mpsc::channel(SCORING_QUEUE);
        let task = tokio::spawn(async move { scorer.follow(&db, batches, &metrics).await });
        Self {
            queue,
            task: Some(task),
        }
    }

    /// Hands a committed batch's receipts to the scorer (waits while it is
    /// [`SCORING_QUEUE`] batches behind); a scorer that stopped ends the
    /// follower with its error.
    async fn send(&mut self, batch: Vec<ToScore>) -> Result<(), IndexError> {
        let running = self.task.as_ref().is_some_and(|t| !t.is_finished());
        if running && (batch.is_empty() || self.queue.send(batch).await.is_ok()) {
            return Ok(());
        }
        Err(self.stopped().await)
    }

    /// Why the task ended (it only ends by itself on an error).
    async fn stopped(&mut self) -> IndexError {
        match self.task.take() {
            None => IndexError::ScorerStopped("it stopped earlier".into()),
            Some(task) => match task.await {
                Ok(Err(e)) => e.into(),
                Ok(Ok(())) => IndexError::ScorerStopped("it ended early".into()),
                Err(e) => IndexError::ScorerStopped(e.to_string()),
            },
        }
    }

    /// Lets the scorer finish the batches it was given (nothing to wait for
    /// when its end was reported already).
    async fn finish(self) -> Result<(), IndexError> {
        let Self { queue, task } = self;
        drop(queue);
        match task {
            None => Ok(()),
            Some(task) => match task.await {
                Ok(result) => Ok(result?),
                Err(e) => Err(IndexError::ScorerStopped(e.to_string())),
            },
        }
    }
}

enum Stop {
    Shutdown,
    Reached,
}

impl Follower {
    /// Runs until `shutdown` turns true (or `stop_at` is reached).
    ///
    /// # Errors
    /// Everything but a lost node connection, which is retried forever:
    /// database failures, a database or manifest of another chain, a
    /// discontinuity in the finalized chain.
    pub async fn run(&self, shutdown: watch::Receiver<bool>) -> Result<(), IndexError> {
        // SQLite: WAL checkpoints off the batches' commits while this runs.
        let _checkpointer = repo::WalCheckpointer::start(&self.db, Duration::from_secs(1)).await;
        let mut scoring = self
            .scorer
            .clone()
            .map(|s| Scoring::start(s, self.db.clone(), self.metrics.clone()));
        let result = self.run_stages(shutdown, &mut scoring).await;
        let scored = match scoring {
            Some(s) => s.finish().await,
            None => Ok(()),
        };
        result.and(scored)
    }

    async fn run_stages(
        &self,
        mut shutdown: watch::Receiver<bool>,
        scoring: &mut Option<Scoring>,
    ) -> Result<(), IndexError> {
        let mut first = true;
        loop {
            if *shutdown.borrow() {
                return Ok(());
            }
            if !first {
                self.metrics.reconnects.fetch_add(1, Relaxed);
                tokio::select! {
                    _ = tokio::time::sleep(self.options.retry) => {}
                    _ = shutdown.changed() => return Ok(()),
                }
            }
            first = false;
            let source = match self.connector.connect().await {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!("{e}; retrying");
                    continue;
                }
            };
            self.metrics.connected.store(true, Relaxed);
            let result = self.follow(&source, &mut shutdown, scoring).await;
            self.metrics.connected.store(false, Relaxed);
            match result {
                Ok(_) => return Ok(()),
                Err(e) if e.is_transient() => tracing::warn!("{e}; reconnecting"),
                Err(e) => return Err(e),
            }
        }
    }

    /// The checkpoint, created for a new database; refuses another chain.
    async fn checkpoint(&self, genesis: [u8; 32]) -> Result<chain_meta::Model, IndexError> {
        let node = hex0x(genesis);
        if let Some(expected) = self.options.expected_genesis {
            if expected != genesis {
                return Err(IndexError::ManifestChain {
                    manifest: hex0x(expected),
                    node,
                });
            }
        }
        if let Some(meta) = repo::chain_meta(&self.db).await? {
            if meta.genesis_hash != node {
                return Err(IndexError::WrongChain {
                    database: meta.genesis_hash,
                    node,
                });
            }
            return Ok(meta);
        }
        let start = self.options.start_block as i64;
        let meta = chain_meta::Model {
            id: 1,
            genesis_hash: node,
            start_block: start,
            indexed_height: start - 1,
            indexed_hash: String::new(),
            unknown_events: 0,
            undecodable_events: 0,
        };
        let txn = self.db.begin().await?;
        repo::save_contracts(
            &txn,
            self.options
                .contracts
                .iter()
                .map(|(address, kind)| contracts::Model {
                    address: address.clone(),
                    kind: kind.clone(),
                })
                .collect(),
        )
        .await?;
        repo::save_chain_meta(&txn, meta.clone()).await?;
        txn.commit().await?;
        Ok(meta)
    }

    async fn follow(
        &self,
        source: &Arc<dyn BlockSource>,
        shutdown: &mut watch::Receiver<bool>,
        scoring: &mut Option<Scoring>,
    ) -> Result<Stop, IndexError> {
        let mut meta = self.checkpoint(source.genesis_hash()).await?;
        self.metrics
            .indexed
            .store(meta.indexed_height.max(0) as u64, Relaxed);
        // The lag in ms counts from the latest indexed block's time (a
        // restart resumes behind it).
        if let Some(b) = blocks::Entity::find_by_id(meta.indexed_height)
            .one(&self.db)
            .await?
        {
            self.metrics
                .indexed_time_ms
                .store(b.timestamp.max(0) as u64, Relaxed);
        }
        let mut head = source.finalized_height().await?;
        loop {
            self.metrics.head.store(head, Relaxed);
            let next = (meta.indexed_height + 1) as u64;
            if let Some(stop) = self.options.stop_at {
                if meta.indexed_height >= stop as i64 {
                    return Ok(Stop::Reached);
                }
            }
            if *shutdown.borrow() {
                return Ok(Stop::Shutdown);
            }
            if next > head {
                self.metrics.caught_up_at_ms.store(unix_ms(), Relaxed);
                tokio::select! {
                    h = source.wait_finalized(head, Duration::from_secs(5)) => head = h?,
                    _ = shutdown.changed() => return Ok(Stop::Shutdown),
                }
                continue;
            }
            let target = match self.options.stop_at {
                Some(stop) => head.min(stop),
                None => head,
            };
            let bar = self.progress_bar(next, target);
            // Fetching and decoding run ahead on their own task, bounded by
            // the channel (one batch ahead: decoded blocks are the larger
            // part of the memory), so that they overlap the projection.
            let max_blocks = self.options.batch_blocks.max(1);
            let (tx, mut rx) = mpsc::channel(max_blocks);
            let _fetcher = AbortOnDrop(tokio::spawn(fetch_blocks(
                source.clone(),
                self.projection.decoder(),
                next..=target,
                self.options.fetch_concurrency.max(1),
                tx,
                self.metrics.clone(),
            )));
            loop {
                let waiting = Instant::now();
                let first = tokio::select! {
                    b = rx.recv() => b,
                    _ = shutdown.changed() => None,
                };
                self.metrics
                    .stages
                    .fetch_wait_ns
                    .fetch_add(ns(waiting.elapsed()), Relaxed);
                let Some(first) = first else { break };
                // The batch is what has been fetched meanwhile, up to the
                // bounds: large while behind the head, one block when live.
                let mut blocks = vec![first?];
                let mut events = blocks[0].contract_events;
                while blocks.len() < max_blocks && events < MAX_BATCH_EVENTS {
                    let Ok(b) = rx.try_recv() else { break };
                    let b = b?;
                    events += b.contract_events;
                    blocks.push(b);
                }
                let to_score = self.apply(&mut meta, blocks, head).await?;
                if let Some(scoring) = scoring.as_mut() {
                    scoring.send(to_score).await?;
                }
                if let Some(bar) = &bar {
                    bar.set_position(meta.indexed_height as u64 - next + 1);
                }
                if *shutdown.borrow() {
                    break;
                }
            }
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
            // Caught up with `head`: the next turn waits on the source, which
            // answers at once when newer heads were announced meanwhile (no
            // `finalized_height` round trips per block while live).
        }
    }

    fn progress_bar(&self, from: u64, to: u64) -> Option<ProgressBar> {
        if !self.options.progress || to < from + 100 {
            return None;
        }
        let bar = ProgressBar::new(to - from + 1);
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:40} {pos}/{len} blocks  {per_sec}  ETA {eta}  {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Some(bar)
    }

    /// One batch, one transaction: blocks, events, projections, cursor.
    /// Returns the receipts it confirmed with their model inputs when
    /// scoring is on.
    async fn apply(
        &self,
        meta: &mut chain_meta::Model,
        blocks: Vec<DecodedBlock>,
        head: u64,
    ) -> Result<Vec<ToScore>, IndexError> {
        let started = Instant::now();
        let mut expected = meta.indexed_hash.clone();
        for b in &blocks {
            let parent = hex0x(b.parent_hash);
            if !expected.is_empty() && parent != expected {
                return Err(IndexError::Discontinuity {
                    number: b.number,
                    parent,
                    expected,
                });
            }
            expected = hex0x(b.hash);
        }
        let txn = self.db.begin().await?;
        repo::save_blocks(
            &txn,
            blocks
                .iter()
                .map(|b| blocks::Model {
                    number: b.number as i64,
                    hash: hex0x(b.hash),
                    parent_hash: hex0x(b.parent_hash),
                    timestamp: b.timestamp as i64,
                    events: b.contract_events as i64,
                })
                .collect(),
        )
        .await?;
        let count = blocks.len();
        let first = blocks.first().map(|b| b.number);
        let last = blocks.last().map(|b| (b.number, b.hash, b.timestamp));
        let t = Instant::now();
        let applied = self.projection.apply(&txn, blocks).await?;
        let stats = applied.stats;
        let projected = t.elapsed();
        let to_score = match self.scorer {
            Some(_) => fraud::to_score(&txn, applied.confirmed).await?,
            None => Vec::new(),
        };
        let mut next = meta.clone();
        if let Some((number, hash, _)) = last {
            next.indexed_height = number as i64;
            next.indexed_hash = hex0x(hash);
        }
        next.unknown_events += stats.unknown as i64;
        next.undecodable_events += stats.undecodable as i64;
        repo::save_chain_meta(&txn, next.clone()).await?;
        if let (Some(first), Some((last, _, _))) = (first, last) {
            let batch = index_batches::Model {
                to_block: last as i64,
                from_block: first as i64,
                head: head.max(last) as i64,
                events: stats.events as i64,
                committed_at: now_ms(),
            };
            repo::save_batch(&txn, batch).await?;
        }
        txn.commit().await?;
        *meta = next;

        let m = &self.metrics;
        let st = &m.stages;
        st.load_ns.fetch_add(stats.load_ns, Relaxed);
        st.apply_ns.fetch_add(stats.apply_ns, Relaxed);
        st.write_ns.fetch_add(stats.write_ns, Relaxed);
        st.load_misses.fetch_add(stats.load_misses, Relaxed);
        st.commit_ns
            .fetch_add(ns(started.elapsed()).saturating_sub(ns(projected)), Relaxed);
        let secs = started.elapsed().as_secs_f64().max(1e-6);
        m.indexed.store(meta.indexed_height as u64, Relaxed);
        if let Some((_, _, timestamp)) = last {
            m.indexed_time_ms.store(timestamp, Relaxed);
        }
        m.blocks.fetch_add(count as u64, Relaxed);
        m.events.fetch_add(stats.events, Relaxed);
        m.unknown_events.fetch_add(stats.unknown, Relaxed);
        m.undecodable_events.fetch_add(stats.undecodable, Relaxed);
        m.bizpower_mismatches
            .fetch_add(stats.bizpower_mismatches, Relaxed);
        m.inconsistencies.fetch_add(stats.inconsistencies, Relaxed);
        m.batches.fetch_add(1, Relaxed);
        m.events_per_second_milli
            .store((stats.events as f64 / secs * 1000.0) as u64, Relaxed);
        m.blocks_per_second_milli
            .store((count as f64 / secs * 1000.0) as u64, Relaxed);
        tracing::debug!(
            height = meta.indexed_height,
            blocks = count,
            events = stats.events,
            load_ms = stats.load_ns / 1_000_000,
            apply_ms = stats.apply_ns / 1_000_000,
            write_ms = stats.write_ns / 1_000_000,
            total_ms = secs * 1e3,
            "batch committed"
        );
        Ok(to_score)
    }
}

/// Fetches blocks `range` in order (`concurrency` requests in flight),
/// decodes them and sends them to the projection; stops at the first
/// failure, which it sends on.
async fn fetch_blocks(
    source: Arc<dyn BlockSource>,
    decoder: BlockDecoder,
    range: std::ops::RangeInclusive<u64>,
    concurrency: usize,
    tx: mpsc::Sender<Result<DecodedBlock, SourceError>>,
    metrics: Arc<Metrics>,
) {
    let mut blocks = futures::stream::iter(range)
        .map(|n| source.block(n))
        .buffered(concurrency);
    loop {
        let t = Instant::now();
        let Some(block) = blocks.next().await else {
            return;
        };
        metrics.stages.fetch_ns.fetch_add(ns(t.elapsed()), Relaxed);
        let block = block.map(|b| decoder.decode(b));
        if let Ok(b) = &block {
            metrics.stages.decode_ns.fetch_add(b.decode_ns(), Relaxed);
        }
        let failed = block.is_err();
        if tx.send(block).await.is_err() || failed {
            return;
        }
    }
}

/// A task that ends with its handle (the fetcher of an abandoned range).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bizkey_store::test_db::{Engine, TestDb};

    /// A scorer that fails ends the follower with its database error, and
    /// the follower's end does not wait on (or poll again) the task whose
    /// end it reported.
    #[tokio::test]
    async fn a_failed_scorer_ends_the_follower_with_its_error() {
        let test_db = TestDb::new(Engine::Sqlite).await.expect("SQLite");
        // Not migrated: the scorer's first read fails.
        let db = repo::connect(&test_db.url).await.unwrap();
        let scorer = FraudScorer::load(&bizkey_fraud::score::default_model_path(), false).unwrap();
        let mut scoring = Scoring::start(Arc::new(scorer), db, Arc::default());
        let mut error = None;
        for _ in 0..500 {
            if let Err(e) = scoring.send(Vec::new()).await {
                error = Some(e);
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let error = error.expect("the scorer's failure is reported");
        assert!(matches!(error, IndexError::Db(_)), "{error}");
        assert!(matches!(
            scoring.send(Vec::new()).await,
            Err(IndexError::ScorerStopped(_))
        ));
        scoring.finish().await.unwrap();
    }
}
