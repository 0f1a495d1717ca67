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
        }
        Cmd::Live {
            manifest,
            database_url,
            rate,
            seconds,
        } => {
            let m = Manifest::load(&manifest)?;
            let chain = Chain::connect(&m.node_url).await?;
            let suite = Suite::from_manifest(chain.clone(), keypair("//Alice")?, m)?;
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
            // Every 50 ms: the lag in blocks, and for each newly finalized
            // height the time until the index has it (its latency).
            let samples = std::sync::Arc::new(std::sync::Mutex::new(LagSamples::default()));
            let sampler = {
                let (chain, metrics, samples) = (chain.clone(), metrics.clone(), samples.clone());
                tokio::spawn(async move {
                    let mut waiting = std::collections::VecDeque::<(u64, Instant)>::new();
                    let mut last_seen = 0u64;
                    loop {
                        if let Ok((fin, _)) = chain.finalized_block().await {
                            let fin = u64::from(fin);
                            let now = Instant::now();
                            for h in last_seen.max(fin.saturating_sub(1_000)) + 1..=fin {
                                waiting.push_back((h, now));
                            }
                            last_seen = last_seen.max(fin);
                            let indexed = metrics.indexed.load(Relaxed);
                            let mut s = samples.lock().unwrap_or_else(|p| p.into_inner());
                            s.blocks.push(fin.saturating_sub(indexed));
                            while waiting.front().is_some_and(|(h, _)| *h <= indexed) {
                                let (_, seen) = waiting.pop_front().expect("front");
                                s.latency_ms.push(seen.elapsed().as_secs_f64() * 1e3);
                            }
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
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
            let s = samples.lock().unwrap_or_else(|p| p.into_inner()).clone();
            stop.send(true)?;
            run.await??;
            let blocks = s.blocks.len().max(1) as f64;
            let mean_blocks = s.blocks.iter().sum::<u64>() as f64 / blocks;
            let mut latency = s.latency_ms.clone();
            latency.sort_by(f64::total_cmp);
            let pick = |q: f64| {
                latency
                    .get(((latency.len() as f64 * q) as usize).min(latency.len().saturating_sub(1)))
                    .copied()
                    .unwrap_or(0.0)
            };
            let finalized = s.latency_ms.len() as f64 / submit_secs;
            println!(
                "live: {done} receipts in {submit_secs:.0} s ({:.0}/s); the node finalized {finalized:.1} blocks/s; \
                 index behind the finalized head: mean {mean_blocks:.2} blocks, max {} blocks; \
                 finalized → indexed latency: median {:.0} ms, p99 {:.0} ms, max {:.0} ms; caught up {drain:.2} s after the last finalization",
                done as f64 / submit_secs,
                s.blocks.iter().max().copied().unwrap_or(0),
                pick(0.5),
                pick(0.99),
                latency.last().copied().unwrap_or(0.0),
            );
        }
    }
    Ok(())
}

/// What the live run's sampler saw.
#[derive(Clone, Default)]
struct LagSamples {
    /// Finalized head minus indexed height, at each sample.
    blocks: Vec<u64>,
    /// For each finalized height: ms from the sample that first saw it
    /// finalized to the sample that saw it indexed.
    latency_ms: Vec<f64>,
}
