//! Throughput and latency of features + inference, the figures of the model card's benchmark section.
//!
//! `bench [--seed 99] [--model models/fraud.onnx] [--batch 1024] [--repeat 3]`
//!
//! Simulates a standard data set (not timed), then times, best of `--repeat` runs, features only (one thread),
//! and for each engine that can score the model (ONNX Runtime; the native evaluator when the model is of a
//! shape it reproduces: trees, the MLP or their ensemble), side by side in one run:
//! - streaming: one receipt at a time, features then a one-row inference call, with per-receipt latency
//!   percentiles (this is what a live indexer pays per new receipt);
//! - batched: features of `--batch` receipts, then one inference call for them, one thread;
//! - batched with two threads per inference call;
//! - pipelined: features on one thread, inference on another (the machine has two cores).

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Context;
use bizkey_fraud::features::{FeatureState, Features};
use bizkey_fraud::pipeline;
use bizkey_fraud::receipt::{Funding, Receipt};
use bizkey_fraud::score::{Engine, Runtime, Scorer, ScorerOptions};
use bizkey_fraud::sim::{self, SimConfig};
use clap::Parser;

#[derive(Parser)]
#[command(about = "Benchmark fraud features + ONNX inference")]
struct Args {
    #[arg(long, default_value_t = 99)]
    seed: u64,
    #[arg(long, default_value_os_t = bizkey_fraud::score::default_model_path())]
    model: PathBuf,
    #[arg(long, default_value_t = 1024)]
    batch: usize,
    #[arg(long, default_value_t = 3)]
    repeat: usize,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn best<T>(
    repeat: usize,
    mut run: impl FnMut() -> anyhow::Result<(Duration, T)>,
) -> anyhow::Result<(Duration, T)> {
    let mut best = run()?;
    for _ in 1..repeat {
        let r = run()?;
        if r.0 < best.0 {
            best = r;
        }
    }
    Ok(best)
}

/// The receipts of a simulation in time order, each with the fundings fed before it.
type Stream<'a> = [(Receipt, &'a [Funding])];

fn batched(
    receipts: &Stream<'_>,
    scorer: &mut Scorer,
    batch: usize,
) -> anyhow::Result<(Duration, Vec<Duration>)> {
    let mut state = FeatureState::new();
    let mut rows: Vec<Features> = Vec::with_capacity(batch);
    let mut scores = Vec::with_capacity(receipts.len());
    let mut per_batch = Vec::new();
    let start = Instant::now();
    for chunk in receipts.chunks(batch) {
        let t = Instant::now();
        rows.clear();
        for (r, before) in chunk {
            rows.push(state.push_after(*before, r)?);
        }
        scorer.score_into(&rows, &mut scores)?;
        per_batch.push(t.elapsed());
    }
    let total = start.elapsed();
    anyhow::ensure!(scores.len() == receipts.len());
    Ok((total, per_batch))
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let sim = sim::simulate(&SimConfig::standard(args.seed));
    let receipts: Vec<Receipt> = sim.receipts.iter().map(|s| s.receipt).collect();
    let fundings = sim.funding_events();
    let receipts: Vec<(Receipt, &[Funding])> = receipts
        .iter()
        .copied()
        .zip(pipeline::fundings_before(&receipts, &fundings))
        .collect();
    let n = receipts.len() as f64;
    let rate = |d: Duration| n / d.as_secs_f64();
    let load = |threads: usize, engine: Engine| {
        Scorer::load(
            &args.model,
            ScorerOptions {
                intra_threads: threads,
                engine,
            },
        )
        .with_context(|| format!("loading {}", args.model.display()))
    };
    let scorer = load(1, Engine::Auto)?;
    println!(
        "{} receipts (seed {}), model {}, {} cores available",
        receipts.len(),
        args.seed,
        scorer.info().version,
        std::thread::available_parallelism().map_or(1, |p| p.get())
    );
    println!("| engine | mode | receipts/s | latency |");
    println!("|---|---|---:|---|");

    let (d, _) = best(args.repeat, || {
        let mut state = FeatureState::new();
        let start = Instant::now();
        let mut sink = 0.0f32;
        for (r, before) in &receipts {
            sink += state.push_after(*before, r)?[0];
        }
        std::hint::black_box(sink);
        Ok((start.elapsed(), ()))
    })?;
    println!(
        "| | features only, 1 thread | {:.0} | {:.2} µs/receipt |",
        rate(d),
        d.as_secs_f64() * 1e6 / n
    );

    for engine in [Engine::OnnxRuntime, Engine::Auto] {
        let mut scorer = load(1, engine)?;
        if let (Engine::Auto, Runtime::OnnxRuntime(why)) = (engine, scorer.runtime()) {
            println!("(no native engine: {why:?})");
            break;
        }
        let name = if engine == Engine::Auto {
            "native"
        } else {
            "ONNX Runtime"
        };
        println!("({name}: {})", scorer.runtime());
        let (d, mut lat) = best(args.repeat, || {
            let mut state = FeatureState::new();
            let mut lat = Vec::with_capacity(receipts.len());
            let mut out = Vec::with_capacity(1);
            let start = Instant::now();
            for (r, before) in &receipts {
                let t = Instant::now();
                let f = state.push_after(*before, r)?;
                out.clear();
                scorer.score_into(&[f], &mut out)?;
                lat.push(t.elapsed());
            }
            Ok((start.elapsed(), lat))
        })?;
        lat.sort_unstable();
        println!(
            "| {} | streaming (1 receipt per inference call), 1 thread | {:.0} | p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs per receipt |",
            name,
            rate(d),
            percentile(&lat, 0.5).as_secs_f64() * 1e6,
            percentile(&lat, 0.99).as_secs_f64() * 1e6,
            lat.last().copied().unwrap_or_default().as_secs_f64() * 1e6
        );

        for threads in [1, 2] {
            let mut s = load(threads, engine)?;
            let (d, mut per_batch) = best(args.repeat, || batched(&receipts, &mut s, args.batch))?;
            per_batch.sort_unstable();
            println!(
                "| {} | batched ({} per call), {} thread{} | {:.0} | p99 {:.0} µs per batch |",
                name,
                args.batch,
                threads,
                if threads == 1 { "" } else { "s" },
                rate(d),
                percentile(&per_batch, 0.99).as_secs_f64() * 1e6
            );
        }

        let batch = args.batch;
        let (d, _) = best(args.repeat, || {
            let (tx, rx) = mpsc::sync_channel::<Vec<Features>>(4);
            let start = Instant::now();
            let scored = std::thread::scope(|s| -> anyhow::Result<usize> {
                let producer = s.spawn(|| -> anyhow::Result<()> {
                    let mut state = FeatureState::new();
                    for chunk in receipts.chunks(batch) {
                        let rows = chunk
                            .iter()
                            .map(|(r, before)| state.push_after(*before, r))
                            .collect::<Result<Vec<_>, _>>()?;
                        if tx.send(rows).is_err() {
                            break;
                        }
                    }
                    drop(tx);
                    Ok(())
                });
                let mut scores = Vec::with_capacity(receipts.len());
                for rows in rx {
                    scorer.score_into(&rows, &mut scores)?;
                }
                producer
                    .join()
                    .map_err(|_| anyhow::anyhow!("feature thread panicked"))??;
                Ok(scores.len())
            })?;
            anyhow::ensure!(scored == receipts.len());
            Ok((start.elapsed(), ()))
        })?;
        println!(
            "| {} | pipelined: features thread + inference thread ({} per call) | {:.0} | |",
            name,
            batch,
            rate(d)
        );
    }
    Ok(())
}
