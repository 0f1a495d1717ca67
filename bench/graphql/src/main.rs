//! `bizkey-graphql-bench seed | load`: see the crate's documentation.

use anyhow::Context;
use bizkey_graphql_bench::load::{self, LoadConfig, LoadError};
use bizkey_graphql_bench::seed::{self, Sizes};
use bytes::Bytes;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
#[command(about = "Seed an index and load a GraphQL server on loopback")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Migrate a database and fill it with a deterministic index.
    Seed(SeedArgs),
    /// POST one GraphQL request repeatedly; print the figures as JSON.
    Load(LoadArgs),
}

#[derive(Args, Debug)]
struct SeedArgs {
    /// postgres://… or sqlite://…?mode=rwc
    #[arg(long)]
    database_url: String,
    #[arg(long, default_value_t = Sizes::default().merchants)]
    merchants: u64,
    #[arg(long, default_value_t = Sizes::default().customers)]
    customers: u64,
    #[arg(long, default_value_t = Sizes::default().receipts)]
    receipts: u64,
    #[arg(long, default_value_t = Sizes::default().proposals)]
    proposals: u64,
}

#[derive(Args, Debug)]
struct LoadArgs {
    /// http://127.0.0.1:PORT/graphql (loopback addresses only).
    #[arg(long)]
    url: String,
    /// A file holding the JSON body ({"query": …, "variables": …}), or
    /// several bodies one per line (JSON Lines), sent in turn.
    #[arg(long, conflicts_with = "query", required_unless_present = "query")]
    body: Option<PathBuf>,
    /// A GraphQL query, sent as {"query": QUERY}.
    #[arg(long)]
    query: Option<String>,
    /// Requests in flight (and keep-alive connections).
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Stop after this many requests…
    #[arg(long, default_value_t = 1_000_000)]
    requests: u64,
    /// …or after this many seconds.
    #[arg(long, default_value_t = 10.0)]
    duration_s: f64,
    /// Open loop at this many requests/s (default: closed loop).
    #[arg(long)]
    rate: Option<f64>,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Command::Seed(a) => rt.block_on(seed(a)),
        Command::Load(a) => rt.block_on(load(a)),
    }
}

async fn seed(a: SeedArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let db = bizkey_store::repo::connect(&a.database_url)
        .await
        .context("connecting to the database")?;
    let sizes = Sizes {
        merchants: a.merchants,
        customers: a.customers,
        receipts: a.receipts,
        proposals: a.proposals,
    };
    let counts = seed::seed(&db, sizes, |step| {
        eprintln!("[seed {:>5.1}s] {step}", started.elapsed().as_secs_f64())
    })
    .await
    .context("seeding")?;
    let rows: serde_json::Map<_, _> = counts
        .into_iter()
        .map(|(t, n)| (t.to_owned(), n.into()))
        .collect();
    println!(
        "{}",
        serde_json::json!({
            "seconds": started.elapsed().as_secs_f64(),
            "rows": rows,
            "fixtures": seed::fixtures(sizes),
        })
    );
    Ok(())
}

async fn load(a: LoadArgs) -> anyhow::Result<()> {
    let bodies = match (&a.body, &a.query) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            load::bodies(&text)
        }
        (None, Some(q)) => vec![Bytes::from(serde_json::to_vec(
            &serde_json::json!({ "query": q }),
        )?)],
        (None, None) => anyhow::bail!("--body or --query"),
    };
    let cfg = LoadConfig {
        url: a.url,
        bodies,
        concurrency: a.concurrency,
        requests: a.requests,
        duration: Duration::try_from_secs_f64(a.duration_s).context("--duration-s")?,
        rate: a.rate,
    };
    match load::run(&cfg).await {
        Ok(report) => {
            println!("{}", serde_json::to_string(&report)?);
            Ok(())
        }
        Err(LoadError::TooManyFailures {
            failures,
            done,
            first,
            report,
        }) => {
            println!("{}", serde_json::to_string(&report)?);
            anyhow::bail!("{failures} of {done} requests failed; first: {first}")
        }
        Err(e) => Err(e.into()),
    }
}
