//! Scores every row of a receipt CSV with the fraud model and writes `receipt_id,score` in input order.
//! When every row is labelled, prints ROC-AUC, AUPRC, precision and recall at the model's threshold, and the
//! same for the Shopee brushing rule (orders / unique buyers ≥ 3 within an hour at a shop), the receipts
//! flagged with the account rule (`bizkey_fraud::group::account_raises`), and how well the group scores rank
//! merchants, accounts and referrers (a group is positive when any of its receipts is brushing).
//!
//! `score --input receipts.csv [--fundings fundings.csv] --output scores.csv [--model models/fraud.onnx] [--rule-output shopee.csv]
//!  [--groups-output groups.csv] [--window-ms 86400000]`
//!
//! Needs `ORT_DYLIB_PATH` (set by `scripts/env.sh` after `models/setup.sh`).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use bizkey_fraud::baseline::SHOPEE_THRESHOLD;
use bizkey_fraud::group::{self, GroupKind};
use bizkey_fraud::metrics::{Confusion, Report};
use bizkey_fraud::score::{Engine, Scorer, ScorerOptions};
use bizkey_fraud::{csv, pipeline};
use clap::Parser;

#[derive(Parser)]
#[command(about = "Score a receipt CSV with the ONNX fraud model")]
struct Args {
    #[arg(long)]
    input: PathBuf,
    /// The accounts' fundings (`time_ms,funder,account`); without them the funding features are 0.
    #[arg(long)]
    fundings: Option<PathBuf>,
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
    /// Threads per inference call.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Score with ONNX Runtime even when the model can be evaluated natively.
    #[arg(long)]
    onnx_runtime: bool,
    /// Also write `kind,account,receipts,above,score` of every merchant, customer and referrer group here
    /// (score empty below `group::TOP` receipts).
    #[arg(long)]
    groups_output: Option<PathBuf>,
    /// The challenge window of the account rule, ms (DESIGN.md's default: 24 h).
    #[arg(long, default_value_t = 86_400_000)]
    window_ms: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let ds = csv::read_files(&args.input, args.fundings.as_deref())?;
    let mut scorer = Scorer::load(
        &args.model,
        ScorerOptions {
            intra_threads: args.threads,
            engine: if args.onnx_runtime {
                Engine::OnnxRuntime
            } else {
                Engine::Auto
            },
        },
    )
    .with_context(|| format!("loading {}", args.model.display()))?;

    let started = Instant::now();
    let features = pipeline::feature_matrix(&ds.receipts, &ds.fundings);
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
    if let Some(path) = &args.groups_output {
        write_groups(path, &ds, &scores, info.threshold)?;
    }

    let flagged = scores.iter().filter(|&&s| s >= info.threshold).count();
    eprintln!(
        "{} receipts scored by model {} ({}) in {:.3} s (features + inference); {} at or above threshold {}",
        scores.len(),
        info.version,
        scorer.runtime(),
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
                    report_groups(&ds, &scores, &labels, info.threshold, args.window_ms)?;
                }
                Err(e) => eprintln!("no metrics: {e}"),
            }
        }
        None => eprintln!("not every row is labelled: no metrics"),
    }
    Ok(())
}

fn write_groups(
    path: &std::path::Path,
    ds: &csv::Dataset,
    scores: &[f32],
    threshold: f32,
) -> anyhow::Result<()> {
    let f = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut w = BufWriter::new(f);
    writeln!(w, "kind,account,receipts,above,score")?;
    for kind in GroupKind::ALL {
        let names = match kind {
            GroupKind::Merchant => &ds.merchants,
            GroupKind::Customer | GroupKind::Referrer => &ds.customers,
        };
        let mut stats: Vec<_> = group::group_stats(&ds.receipts, scores, threshold, kind)
            .into_iter()
            .collect();
        stats.sort_unstable_by_key(|&(id, _)| id);
        for (id, g) in stats {
            let score = g
                .score()
                .map_or(String::new(), |s| format!("{:.6}", f64::from(s) / 1e6));
            writeln!(
                w,
                "{},{},{},{},{score}",
                kind.as_str(),
                names.name(id).unwrap_or("?"),
                g.receipts,
                g.above
            )?;
        }
    }
    w.flush().context("writing group scores")?;
    Ok(())
}

/// The receipts flagged by their own score or their account's, and each group kind's ranking of its groups.
fn report_groups(
    ds: &csv::Dataset,
    scores: &[f32],
    labels: &[bool],
    threshold: f32,
    window_ms: u64,
) -> anyhow::Result<()> {
    let flags = group::account_raises(&ds.receipts, scores, threshold, window_ms);
    let c = Confusion::of(&flags, labels)?;
    eprintln!(
        "account rule: precision {:.4} recall {:.4} (TP {} FP {} FN {} TN {}, false-positive rate {:.5})",
        c.precision(),
        c.recall(),
        c.tp,
        c.fp,
        c.fn_,
        c.tn,
        c.false_positive_rate()
    );
    for kind in GroupKind::ALL {
        let mut positive: rustc_hash::FxHashMap<u32, bool> = Default::default();
        for (r, &l) in ds.receipts.iter().zip(labels) {
            if let Some(id) = kind.member(r) {
                *positive.entry(id).or_default() |= l;
            }
        }
        let (mut s, mut y) = (Vec::new(), Vec::new());
        for (id, g) in group::group_stats(&ds.receipts, scores, threshold, kind) {
            if let Some(score) = g.score() {
                s.push(score as f32 / 1e6);
                y.push(positive[&id]);
            }
        }
        let scored = s.len();
        let brushing = y.iter().filter(|&&l| l).count();
        match Report::compute(&s, &y, threshold) {
            Ok(r) => eprintln!(
                "{:<9} groups: {scored} scored, {brushing} with brushing: ROC-AUC {:.4} AUPRC {:.4}, \
                 at the threshold precision {:.4} recall {:.4}",
                kind.as_str(),
                r.roc_auc,
                r.auprc,
                r.confusion.precision(),
                r.confusion.recall()
            ),
            Err(e) => eprintln!("{:<9} groups: {scored} scored: no metrics: {e}", kind.as_str()),
        }
    }
    Ok(())
}
