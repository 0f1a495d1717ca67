//! Writes a simulated receipt CSV (see `bizkey_fraud::csv` for the schema) for a seed and size.
//!
//! `simulate --seed 7 --output receipts.csv [--merchants 150 --customers 12000 --days 28] [--evasion mixed]
//!  [--patterns patterns.csv] [--fundings fundings.csv]`

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use bizkey_fraud::sim::{self, Brushing, Evasion, SimConfig};
use clap::Parser;

#[derive(Parser)]
#[command(about = "Simulate retail traffic with labelled brushing and write the receipt CSV")]
struct Args {
    /// Seed; the same seed and size always give the same file.
    #[arg(long)]
    seed: u64,
    /// Output CSV ("-" for stdout).
    #[arg(long)]
    output: PathBuf,
    #[arg(long, default_value_t = 150)]
    merchants: u32,
    /// Customers at the start (a fifth more join during the simulation).
    #[arg(long, default_value_t = 12_000)]
    customers: u32,
    #[arg(long, default_value_t = 28)]
    days: u32,
    /// How evasive the brushers are: none, mixed (the default), full, or one behaviour alone (time_share,
    /// jitter, paced, aging, rotation, funding); see `bizkey_fraud::sim::Evasion`.
    #[arg(long, default_value = "mixed")]
    evasion: String,
    /// Also write `receipt_id,pattern` (ring, repeat, referral_burst, huge_order, collusion, referral_chain
    /// or honest) here.
    #[arg(long)]
    patterns: Option<PathBuf>,
    /// Also write every account's first funding (`time_ms,funder,account`, see `bizkey_fraud::csv`) here.
    #[arg(long)]
    fundings: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let evasion = Evasion::named(&args.evasion)
        .with_context(|| format!("unknown evasion variant `{}`", args.evasion))?;
    let config = SimConfig {
        evasion,
        ..SimConfig::new(args.seed, args.merchants, args.customers, args.days)
    };
    let sim = sim::simulate(&config);
    let mut out: Box<dyn Write> = if args.output.as_os_str() == "-" {
        Box::new(BufWriter::new(std::io::stdout().lock()))
    } else {
        let file = File::create(&args.output)
            .with_context(|| format!("creating {}", args.output.display()))?;
        Box::new(BufWriter::new(file))
    };
    bizkey_fraud::csv::write_simulation(&mut out, &sim).context("writing receipts")?;
    out.flush().context("writing receipts")?;

    if let Some(path) = &args.fundings {
        let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
        let mut w = BufWriter::new(file);
        bizkey_fraud::csv::write_fundings(&mut w, &sim).context("writing fundings")?;
        w.flush().context("writing fundings")?;
    }
    if let Some(path) = &args.patterns {
        let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
        let mut w = BufWriter::new(file);
        writeln!(w, "receipt_id,pattern")?;
        for r in &sim.receipts {
            writeln!(
                w,
                "r{},{}",
                r.receipt_id,
                r.brushing.map_or("honest", Brushing::as_str)
            )?;
        }
        w.flush().context("writing patterns")?;
    }

    let fraud = sim.receipts.iter().filter(|r| r.label()).count();
    eprintln!(
        "seed {}: {} merchants, {} customers, {} receipts, {} brushing ({:.2}%)",
        args.seed,
        sim.merchants.len(),
        sim.customers.len(),
        sim.receipts.len(),
        fraud,
        100.0 * fraud as f64 / sim.receipts.len().max(1) as f64
    );
    for kind in Brushing::ALL {
        let n = sim
            .receipts
            .iter()
            .filter(|r| r.brushing == Some(kind))
            .count();
        eprintln!("  {:<15} {n}", kind.as_str());
    }
    Ok(())
}
