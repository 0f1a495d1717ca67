//! Indexer benchmark on a real node (see `scripts/bench-indexer.sh`):
//!
//! - `generate`: deploy the suite and confirm N receipts in batched
//!   extrinsics, write the manifest;
//! - `backfill`: index the whole chain into a fresh database and report
//!   blocks/s, contract events/s and the process's peak memory (one process
//!   per run, so VmHWM is that run's);
//! - `live`: follow the head while receipts are submitted at a set rate and
//!   report the lag between the node's finalized head and the index.

use anyhow::{bail, Context};
use bizkey_chain::accounts::keypair;
use bizkey_chain::{Chain, Manifest};
use bizkey_indexer::loadgen::Suite;
use bizkey_indexer::{Config, Follower};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
#[command(about = "Bizkey indexer benchmark against a real node")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Deploy the suite on `node_url` and confirm `receipts` receipts.
    Generate {
        #[arg(long)]
        node_url: String,
        #[arg(long)]
        contracts_dir: PathBuf,
        #[arg(long)]
        manifest: PathBuf,
        #[arg(long, default_value_t = 10_000)]
        receipts: usize,
        #[arg(long, default_value_t = 10)]
        merchants: usize,
        #[arg(long, default_value_t = 50)]
        customers: usize,
        /// Receipts each customer opens in one batch per round.
        #[arg(long, default_value_t = 10)]
        per_customer: usize,
        /// Confirmations per merchant batch.
        #[arg(long, default_value_t = 25)]
        batch: usize,
    },
    /// Index the chain of `manifest` from its deployment block to the
    /// finalized head into `database_url` (which should be empty).
    Backfill {
        #[arg(long)]
        manifest: PathBuf,
        #[arg(long)]
        database_url: String,
        #[arg(long, default_value_t = 256)]
        batch_blocks: usize,
        #[arg(long, default_value_t = 16)]
        fetch_concurrency: usize,
    },
    /// Follow the head into `database_url` while submitting `rate`
    /// receipts/s for `seconds`.
    Live {
        #[arg(long)]
        manifest: PathBuf,
        #[arg(long)]
        database_url: String,
        #[arg(long, default_value_t = 100)]
        rate: usize,
        #[arg(long, default_value_t = 30)]
        seconds: u64,
        /// The dev account that funds the run's fresh accounts (the suite's
        /// admin, `//Alice`, runs dry after a few runs on one chain).
        #[arg(long, default_value = "//Alice")]
        funder: String,
    },
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

async fn follower(
    manifest: &std::path::Path,
    database_url: &str,
    stop_at: Option<u64>,
) -> anyhow::Result<Follower> {
    let config = Config {
        database_url: database_url.into(),
        manifest: manifest.to_owned(),
        listen: None,
        progress: false,
        stop_at,
        ..Config::default()
    };
    Ok(bizkey_indexer::build(&config).await?)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Cmd::Generate {
            node_url,
            contracts_dir,
            manifest,
            receipts,
            merchants,
            customers,
            per_customer,
            batch,
        } => {
            let chain = Chain::connect_with_retry(&node_url, Duration::from_secs(60)).await?;
            let started = Instant::now();
            let suite = Suite::deploy(chain, "//Alice", &contracts_dir)
                .await
                .context("deploying the suite")?;
            suite.manifest.save(&manifest)?;
            let ms = suite.merchants("bench/m", merchants).await?;
            let cs = suite.accounts("bench/c", customers).await?;
            let load = Instant::now();
            let done = suite
                .receipts(&ms, &cs, receipts, per_customer, batch, &mut |n| {
                    eprintln!(
                        "{n} receipts confirmed ({:.0}/s)",
                        n as f64 / load.elapsed().as_secs_f64()
                    )
                })
                .await?;
            let head = suite.settle(Duration::from_secs(120)).await?;
            println!(
                "generated: {done} confirmed receipts, finalized head {head}, {:.0} s ({:.0} receipts/s)",
                started.elapsed().as_secs_f64(),
                done as f64 / load.elapsed().as_secs_f64()
            );
        }
        Cmd::Backfill {
            manifest,
            database_url,
            batch_blocks,
            fetch_concurrency,
        } => {
            let m = Manifest::load(&manifest)?;
            let chain = Chain::connect(&m.node_url).await?;
            let (head, _) = chain.finalized_block().await?;
            let mut f = follower(&manifest, &database_url, Some(head.into())).await?;
            f.options.batch_blocks = batch_blocks;
            f.options.fetch_concurrency = fetch_concurrency;
            let (_tx, rx) = tokio::sync::watch::channel(false);
            let started = Instant::now();
            f.run(rx).await?;
            let secs = started.elapsed().as_secs_f64();
            let blocks = f.metrics.blocks.load(Relaxed);
            let events = f.metrics.events.load(Relaxed);
            if f.metrics.indexed.load(Relaxed) < u64::from(head) {
                bail!("stopped before the head");
            }
            let engine = database_url.split(':').next().unwrap_or("?");
            println!(
                "backfill {engine}: {blocks} blocks, {events} contract events in {secs:.1} s: {:.0} blocks/s, {:.0} events/s, peak RSS {} MiB, {} inconsistencies",
                blocks as f64 / secs,
                events as f64 / secs,
                peak_rss_kib() / 1024,
                f.metrics.inconsistencies.load(Relaxed)
            );
            // Seconds per stage (fetch and decode overlap the others when
            // they run on their own task).
            let stages: Vec<String> = f
                .metrics
                .stages
                .seconds()
                .iter()
                .map(|(name, s)| format!("{name} {s:.2}"))
                .collect();
            println!(
                "backfill {engine} stages (s): {}; {} row loads outside the pre-pass",
                stages.join(", "),
                f.metrics.stages.load_misses.load(Relaxed)
            );
        }
        Cmd::Live {
            manifest,
            database_url,
            rate,
            seconds,
            funder,
        } => {
            let m = Manifest::load(&manifest)?;
            let chain = Chain::connect(&m.node_url).await?;
            let mut suite = Suite::from_manifest(chain.clone(), keypair("//Alice")?, m)?;
            suite.funder = Some(keypair(&funder)?);
            // Fresh accounts per run, so a reused chain takes another run.
            let run_tag = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_secs();
            let ms = suite.merchants(&format!("live{run_tag}/m"), 5).await?;
            let cs = suite.accounts(&format!("live{run_tag}/c"), 20).await?;
            let f = follower(&manifest, &database_url, None).await?;
            let (stop, rx) = tokio::sync::watch::channel(false);
            let metrics = f.metrics.clone();
            let run = tokio::spawn(async move { f.run(rx).await });
            // Catch up first; the lag counts from then on.
            loop {
                let (fin, _) = chain.finalized_block().await?;
                if metrics.indexed.load(Relaxed) >= u64::from(fin) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            // The node announces each finalized head on a subscription (it
            // may skip heights: a skipped height is finalized with the next
            // one announced). The index's height is polled every 1 ms. So a
            // block's latency runs from the announcement that finalized it to
            // the index holding it, and every 50 ms the lag in blocks is the
            // announced head minus the indexed height.
            let samples = std::sync::Arc::new(std::sync::Mutex::new(LagSamples::default()));
            let head = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
            let mut heads = chain.rpc().chain_subscribe_finalized_heads().await?;
            let announcer = {
                let (samples, head) = (samples.clone(), head.clone());
                tokio::spawn(async move {
                    while let Some(Ok(h)) = heads.next().await {
                        let n = u64::from(h.number);
                        let now = Instant::now();
                        let mut s = samples.lock().unwrap_or_else(|p| p.into_inner());
                        let from = s.finalized_at.last().map_or(n, |(last, _)| last + 1);
                        for height in from..=n {
                            s.finalized_at.push((height, now));
                        }
                        head.fetch_max(n, Relaxed);
                    }
                })
            };
            let poller = {
                let (metrics, samples) = (metrics.clone(), samples.clone());
                tokio::spawn(async move {
                    let mut seen = metrics.indexed.load(Relaxed);
                    loop {
                        let indexed = metrics.indexed.load(Relaxed);
                        if indexed > seen {
                            let now = Instant::now();
                            let mut s = samples.lock().unwrap_or_else(|p| p.into_inner());
                            s.indexed_at.extend((seen + 1..=indexed).map(|h| (h, now)));
                            seen = indexed;
                        }
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                })
            };
            let sampler = {
                let (metrics, samples, head) = (metrics.clone(), samples.clone(), head.clone());
                tokio::spawn(async move {
                    loop {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        let fin = head.load(Relaxed);
                        if fin == 0 {
                            continue;
                        }
                        let lag = fin.saturating_sub(metrics.indexed.load(Relaxed));
                        samples
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .blocks
                            .push(lag);
                    }
                })
            };
            // Rounds of `rate` receipts paced to one per second.
            let started = Instant::now();
            let mut done = 0;
            let mut offset = 0;
            while started.elapsed() < Duration::from_secs(seconds) {
                let round = Instant::now();
                let per = rate.div_ceil(cs.len()).max(1);
                let n = cs.len().min(rate.div_ceil(per));
                done += suite.round(&ms, &cs[..n], per, 25, offset).await?.len();
                offset += 1;
                if let Some(rest) = Duration::from_secs(1).checked_sub(round.elapsed()) {
                    tokio::time::sleep(rest).await;
                }
            }
            let submit_secs = started.elapsed().as_secs_f64();
            let head = suite.settle(Duration::from_secs(60)).await?;
            let caught = Instant::now();
            while metrics.indexed.load(Relaxed) < u64::from(head) {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let drain = caught.elapsed().as_secs_f64();
            sampler.abort();
            announcer.abort();
            // Let the poller see the last height before it stops.
            tokio::time::sleep(Duration::from_millis(5)).await;
            poller.abort();
            let s = samples.lock().unwrap_or_else(|p| p.into_inner()).clone();
            stop.send(true)?;
            run.await??;
            let indexed_at: std::collections::HashMap<u64, Instant> =
                s.indexed_at.iter().copied().collect();
            let mut latency: Vec<f64> = s
                .finalized_at
                .iter()
                .filter_map(|(h, fin)| {
                    // Indexed before this process heard of it: 0 ms.
                    let at = indexed_at.get(h)?;
                    Some(at.saturating_duration_since(*fin).as_secs_f64() * 1e3)
                })
                .collect();
            latency.sort_by(f64::total_cmp);
            let mut lag = s.blocks.clone();
            lag.sort_unstable();
            let mean_blocks = lag.iter().sum::<u64>() as f64 / lag.len().max(1) as f64;
            let within_one =
                lag.iter().filter(|&&b| b <= 1).count() as f64 / lag.len().max(1) as f64;
            let finalized = s.finalized_at.len() as f64 / submit_secs;
            // Instant seal finalizes in bursts: the most heights announced
            // within 20 ms bounds the lag any indexer shows at that moment.
            let burst = s
                .finalized_at
                .iter()
                .enumerate()
                .map(|(i, (_, at))| {
                    s.finalized_at[i..]
                        .iter()
                        .take_while(|(_, later)| {
                            later.duration_since(*at) <= Duration::from_millis(20)
                        })
                        .count()
                })
                .max()
                .unwrap_or(0);
            println!(
                "live: {done} receipts in {submit_secs:.0} s ({:.0}/s); the node finalized {finalized:.1} blocks/s, \
                 up to {burst} within 20 ms; \
                 index behind the finalized head ({} samples, 50 ms apart): mean {mean_blocks:.2} blocks, p50 {}, p99 {}, max {}, \
                 {:.0} % of samples <= 1 block; finalized → indexed latency ({} blocks): median {:.1} ms, p99 {:.1} ms, max {:.1} ms; \
                 caught up {drain:.2} s after the last finalization",
                done as f64 / submit_secs,
                lag.len(),
                quantile(&lag, 0.5).unwrap_or(0),
                quantile(&lag, 0.99).unwrap_or(0),
                lag.last().copied().unwrap_or(0),
                within_one * 100.0,
                latency.len(),
                quantile(&latency, 0.5).unwrap_or(0.0),
                quantile(&latency, 0.99).unwrap_or(0.0),
                latency.last().copied().unwrap_or(0.0),
            );
        }
    }
    Ok(())
}

/// What the live run's sampler saw.
#[derive(Clone, Default)]
struct LagSamples {
    /// Announced finalized head minus indexed height, every 50 ms.
    blocks: Vec<u64>,
    /// Each finalized height and when its finalization was announced.
    finalized_at: Vec<(u64, Instant)>,
    /// Each indexed height and when the index was first seen holding it.
    indexed_at: Vec<(u64, Instant)>,
}

/// The `q` quantile of sorted `values` (nearest rank).
fn quantile<T: Copy>(values: &[T], q: f64) -> Option<T> {
    let last = values.len().checked_sub(1)?;
    values
        .get(((values.len() as f64 * q) as usize).min(last))
        .copied()
}
