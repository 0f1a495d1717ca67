//! Exports the training matrix of a receipt CSV for `models/train.py`: a `.npy` float32 matrix with one row per
//! receipt (file order) and the features of `bizkey_fraud::features` followed by the label (1, 0, or -1 when
//! unknown), plus `<output>.json` naming the columns and the feature version.
//!
//! `export --input receipts.csv [--fundings fundings.csv] --output train.npy`

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;

use anyhow::Context;
use bizkey_fraud::features::{FEATURE_NAMES, FEATURE_VERSION, N_FEATURES};
use bizkey_fraud::{csv, npy, pipeline};
use clap::Parser;

#[derive(Parser)]
#[command(about = "Compute the fraud features of a receipt CSV into a .npy training matrix")]
struct Args {
    #[arg(long)]
    input: PathBuf,
    /// The accounts' fundings (`time_ms,funder,account`); without them the funding features are 0.
    #[arg(long)]
    fundings: Option<PathBuf>,
    #[arg(long)]
    output: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let ds = csv::read_files(&args.input, args.fundings.as_deref())?;
    let features = pipeline::feature_matrix(&ds.receipts, &ds.fundings);
    let rows: Vec<Vec<f32>> = features
        .iter()
        .zip(&ds.labels)
        .map(|(f, label)| {
            let mut row = f.to_vec();
            row.push(match label {
                Some(true) => 1.0,
                Some(false) => 0.0,
                None => -1.0,
            });
            row
        })
        .collect();
    let out = File::create(&args.output)
        .with_context(|| format!("creating {}", args.output.display()))?;
    npy::write_f32_matrix(BufWriter::new(out), N_FEATURES + 1, &rows)
        .context("writing the matrix")?;

    let names: Vec<String> = FEATURE_NAMES.iter().map(|n| format!("\"{n}\"")).collect();
    let meta = format!(
        "{{\"feature_names\": [{}], \"feature_version\": {FEATURE_VERSION}, \"label_column\": {N_FEATURES}}}\n",
        names.join(", ")
    );
    let mut meta_path = args.output.clone().into_os_string();
    meta_path.push(".json");
    std::fs::write(&meta_path, meta).context("writing the column names")?;
    eprintln!(
        "{} rows x {} features (+ label) -> {}",
        rows.len(),
        N_FEATURES,
        args.output.display()
    );
    Ok(())
}
