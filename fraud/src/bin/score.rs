//! Scores every row of a receipt CSV with the fraud model and writes `receipt_id,score` in input order.
//! When every row is labelled, prints ROC-AUC, AUPRC, precision and recall at the model's threshold, and the
//! same for the Shopee brushing rule (orders / unique buyers ≥ 3 within an hour at a shop).
//!
//! `score --input receipts.csv --output scores.csv [--model models/fraud.onnx] [--rule-output shopee.csv]`
//!
//! Needs `ORT_DYLIB_PATH` (set by `scripts/env.sh` after `models/setup.sh`).

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use bizkey_fraud::baseline::SHOPEE_THRESHOLD;
use bizkey_fraud::metrics::Report;
use bizkey_fraud::score::{Scorer, ScorerOptions};
use bizkey_fraud::{csv, pipeline};
use clap::Parser;

#[derive(Parser)]
#[command(about = "Score a receipt CSV with the ONNX fraud model")]
struct Args {
    #[arg(long)]
    input: PathBuf,
    /// Output CSV: receipt_id,score ("-" for stdout).
    #[arg(long)]
    output: PathBuf,
    #[arg(long, default_value_os_t = bizkey_fraud::score::default_model_path())]
    model: PathBuf,
    /// Rows per inference call.
    #[arg(long, default_value_t = 4096)]
    batch: usize,
    /// Also write `receipt_id,ratio` of the Shopee rule (orders / unique buyers in the shop's last hour) here.
    #[arg(long)]
    rule_output: Option<PathBuf>,
    /// ONNX Runtime intra-op threads.
    #[arg(long, default_value_t = 1)]
    threads: usize,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let file =
        File::open(&args.input).with_context(|| format!("opening {}", args.input.display()))?;
    let ds = csv::read(BufReader::new(file))
        .with_context(|| format!("reading {}", args.input.display()))?;
    let mut scorer = Scorer::load(
        &args.model,
        ScorerOptions {
            intra_threads: args.threads,
        },
    )
    .with_context(|| format!("loading {}", args.model.display()))?;

    let started = Instant::now();
    let features = pipeline::feature_matrix(&ds.receipts);
    let scores = scorer.score_batched(&features, args.batch)?;
    let elapsed = started.elapsed();

    let mut out: Box<dyn Write> = if args.output.as_os_str() == "-" {
        Box::new(BufWriter::new(std::io::stdout().lock()))
    } else {
        let f = File::create(&args.output)
            .with_context(|| format!("creating {}", args.output.display()))?;
        Box::new(BufWriter::new(f))
    };
    writeln!(out, "receipt_id,score")?;
    for (id, s) in ds.receipt_ids.iter().zip(&scores) {
        writeln!(out, "{id},{s:.6}")?;
    }
    out.flush().context("writing scores")?;

    if let Some(path) = &args.rule_output {
        let f = File::create(path).with_context(|| format!("creating {}", path.display()))?;
        let mut w = BufWriter::new(f);
        writeln!(w, "receipt_id,ratio")?;
        for (id, s) in ds
            .receipt_ids
            .iter()
            .zip(pipeline::shopee_ratios(&ds.receipts))
        {
            writeln!(w, "{id},{s:.6}")?;
        }
        w.flush().context("writing rule ratios")?;
    }

    let info = scorer.info();
    let flagged = scores.iter().filter(|&&s| s >= info.threshold).count();
    eprintln!(
        "{} receipts scored by model {} in {:.3} s (features + inference); {} at or above threshold {}",
        scores.len(),
        info.version,
        elapsed.as_secs_f64(),
        flagged,
        info.threshold
    );
    match ds.complete_labels() {
        Some(labels) => {
            let positives = labels.iter().filter(|&&l| l).count();
            eprintln!("labels: {positives} brushing of {}", labels.len());
            match Report::compute(&scores, &labels, info.threshold) {
                Ok(model) => {
                    eprintln!("model:        {model}");
                    let ratios = pipeline::shopee_ratios(&ds.receipts);
                    let shopee = Report::compute(&ratios, &labels, SHOPEE_THRESHOLD as f32)?;
                    eprintln!("shopee rule:  {shopee}");
                }
                Err(e) => eprintln!("no metrics: {e}"),
            }
        }
        None => eprintln!("not every row is labelled: no metrics"),
    }
    Ok(())
}
