//! `bizkey`: what merchants, customers and voters do on a deployed suite,
//! plus the operators' deploy, scripted day and gas table.
//!
//! ```text
//! bizkey merchant register|record|confirm|cancel|claim|rate-reply …
//! bizkey customer open|confirm|claim|spend-time|rate|react …
//! bizkey gov      lock|unlock|propose|vote|execute …
//! bizkey task     publish|join|claim …
//! bizkey query    balance|receipt|rewards|proposal …
//! bizkey deploy --url ws://127.0.0.1:9944 --suri //Alice --contracts-dir DIR --out deployment.json
//! bizkey day    --manifest deployment.json [--merchants 3 --customers 8 --seed 7]   (feature `day`)
//! bizkey gas    --url ws://127.0.0.1:9944 --contracts-dir DIR [--out docs/gas.md]
//! ```
//!
//! The people commands sign with the key in `--key-file` or `BIZKEY_SURI`
//! (never a command-line argument, never printed), dry-run each call first
//! and show its fee, and print one line per step (`--json`: one JSON
//! document). Any failure prints one line on stderr and exits with 1 (bad
//! arguments: 2), naming the contract's error (`ledger::record refused:
//! DuplicateOrder`).

mod people;
mod report;

use anyhow::{Context, Result};
#[cfg(feature = "day")]
use bizkey_chain::day;
#[cfg(feature = "day")]
use bizkey_chain::deploy::tokens;
use bizkey_chain::{accounts, deploy, gas, Chain, Manifest, Secret};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "bizkey",
    version,
    about = "Bizkey on a substrate-contracts-node"
)]
struct Cli {
    /// Print one JSON document instead of lines for people.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// A merchant's calls: register, record a sale, confirm, cancel, claim, rate back.
    Merchant {
        #[command(flatten)]
        ctx: people::Ctx,
        #[command(subcommand)]
        cmd: people::MerchantCmd,
    },
    /// A customer's calls: open a sale, confirm, claim, pay in Time, rate, react.
    Customer {
        #[command(flatten)]
        ctx: people::Ctx,
        #[command(subcommand)]
        cmd: people::CustomerCmd,
    },
    /// Governance: lock Biz, propose, vote, execute.
    Gov {
        #[command(flatten)]
        ctx: people::Ctx,
        #[command(subcommand)]
        cmd: people::GovCmd,
    },
    /// Merchant tasks: publish, join, claim.
    Task {
        #[command(flatten)]
        ctx: people::Ctx,
        #[command(subcommand)]
        cmd: people::TaskCmd,
    },
    /// Reads (dry runs; no key needed when an account is given).
    Query {
        #[command(flatten)]
        ctx: people::Ctx,
        #[command(subcommand)]
        cmd: people::QueryCmd,
    },
    /// Upload, instantiate and wire the suite; write the deployment manifest.
    Deploy {
        /// The node's RPC URL.
        #[arg(long, env = "BIZKEY_NODE_URL", default_value = "ws://127.0.0.1:9944")]
        url: String,
        /// Secret URI of the deployer (pays, and holds the admin roles).
        #[arg(long, default_value = "//Alice")]
        suri: Secret,
        /// Directory of the `.contract` bundles (scripts/build-contracts.sh).
        #[arg(long, env = "BIZKEY_CONTRACTS_DIR")]
        contracts_dir: PathBuf,
        /// Where to write the manifest.
        #[arg(long, default_value = "deployment.json")]
        out: PathBuf,
        /// How long governance proposals take votes (ms; short for a dev chain).
        #[arg(long, default_value_t = deploy::DeployOptions::dev().governance.voting_period_ms)]
        voting_ms: u64,
        /// How long a passed proposal waits before it may be executed (ms).
        #[arg(long, default_value_t = deploy::DeployOptions::dev().governance.execution_delay_ms)]
        execution_delay_ms: u64,
    },
    /// A scripted day of sales on a deployed suite; prints balances and BizPower.
    #[cfg(feature = "day")]
    Day {
        /// The deployment manifest (`bizkey deploy --out`).
        #[arg(long, default_value = "deployment.json")]
        manifest: PathBuf,
        /// Node URL; defaults to the manifest's.
        #[arg(long)]
        url: Option<String>,
        /// Secret URI of the deployer (registry and ledger admin); the day's
        /// accounts are derived from it.
        #[arg(long, default_value = "//Alice")]
        suri: Secret,
        #[arg(long, default_value_t = 3)]
        merchants: u32,
        #[arg(long, default_value_t = 8)]
        customers: u32,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Most receipts replayed from the simulated day.
        #[arg(long, default_value_t = 60)]
        max_receipts: usize,
        /// The ledger's challenge window for the demo (ms).
        #[arg(long, default_value_t = 4_000)]
        challenge_ms: u64,
        /// Writes each receipt's off-chain detail as a GraphQL request (one
        /// JSON line: the `submitReceiptDetail` mutation) for the till's
        /// upload to `bizkey-graphql`.
        #[arg(long)]
        details_out: Option<PathBuf>,
    },
    /// Deploy a fresh suite and measure Wasm sizes and gas (Markdown table).
    Gas {
        #[arg(long, env = "BIZKEY_NODE_URL", default_value = "ws://127.0.0.1:9944")]
        url: String,
        #[arg(long, default_value = "//Alice")]
        suri: Secret,
        #[arg(long, env = "BIZKEY_CONTRACTS_DIR")]
        contracts_dir: PathBuf,
        /// Also write the table here (e.g. docs/gas.md).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version print as clap renders them.
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            eprintln!("{}", one_line(&e.render().to_string()));
            return std::process::ExitCode::from(2);
        }
    };
    let json = cli.json;
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // One line: the causes joined, most general first.
            let line = e
                .chain()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(": ");
            eprintln!("error: {line}");
            if json {
                println!("{}", serde_json::json!({ "error": line }));
            }
            std::process::ExitCode::FAILURE
        }
    }
}

/// clap's message without the usage block, on one line.
fn one_line(rendered: &str) -> String {
    rendered
        .lines()
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

async fn run(cli: Cli) -> Result<()> {
    let mut report = report::Report::new(cli.json);
    match cli.command {
        Command::Merchant { ctx, cmd } => people::merchant(&ctx, cmd, &mut report).await?,
        Command::Customer { ctx, cmd } => people::customer(&ctx, cmd, &mut report).await?,
        Command::Gov { ctx, cmd } => people::gov(&ctx, cmd, &mut report).await?,
        Command::Task { ctx, cmd } => people::task(&ctx, cmd, &mut report).await?,
        Command::Query { ctx, cmd } => people::query(&ctx, cmd, &mut report).await?,
        Command::Deploy {
            url,
            suri,
            contracts_dir,
            out,
            voting_ms,
            execution_delay_ms,
        } => {
            // The key first: a bad one fails at once, without a node.
            let deployer = accounts::keypair(suri.expose())?;
            let chain = connect(&url).await?;
            let mut options = deploy::DeployOptions::dev();
            options.governance.voting_period_ms = voting_ms;
            options.governance.execution_delay_ms = execution_delay_ms;
            // Shorter timings asked for explicitly lower the floors with
            // them (governance refuses a configuration below its floors).
            let floors = &mut options.floors;
            floors.voting_period_ms = floors.voting_period_ms.min(voting_ms).max(1);
            floors.execution_delay_ms = floors.execution_delay_ms.min(execution_delay_ms).max(1);
            let manifest = deploy::deploy_suite_with(
                &chain,
                &deployer,
                &contracts_dir,
                &options,
                &mut |m: &str| eprintln!("{m}"),
            )
            .await
            .context("deploying the suite")?;
            manifest.save(&out)?;
            print_manifest(&manifest);
            eprintln!("manifest written to {}", out.display());
        }
        #[cfg(feature = "day")]
        Command::Day {
            manifest,
            url,
            suri,
            merchants,
            customers,
            seed,
            max_receipts,
            challenge_ms,
            details_out,
        } => {
            let manifest = Manifest::load(&manifest)?;
            let chain = connect(url.as_deref().unwrap_or(&manifest.node_url)).await?;
            anyhow::ensure!(
                chain.genesis_hash() == manifest.genesis_hash,
                "the node at {} is another chain than the manifest's (genesis {:?})",
                chain.url(),
                manifest.genesis_hash
            );
            let config = day::DayConfig {
                merchants,
                customers,
                seed,
                challenge_ms,
                max_receipts,
                admin_suri: suri,
            };
            let report = day::run_day(&chain, &manifest, &config, &mut |m: &str| eprintln!("{m}"))
                .await
                .context("running the day")?;
            print_day(&report);
            if let Some(path) = details_out {
                write_detail_uploads(&path, &report.details)?;
                eprintln!(
                    "{} receipt details written to {}",
                    report.details.len(),
                    path.display()
                );
            }
        }
        Command::Gas {
            url,
            suri,
            contracts_dir,
            out,
        } => {
            let deployer = accounts::keypair(suri.expose())?;
            let chain = connect(&url).await?;
            let mut progress = |m: &str| eprintln!("{m}");
            let manifest = deploy::deploy_suite(&chain, &deployer, &contracts_dir, &mut progress)
                .await
                .context("deploying a fresh suite to measure")?;
            let mut report = gas::measure(&chain, &deployer, &manifest, &mut progress)
                .await
                .context("measuring")?;
            gas::measure_ledger(&chain, suri.expose(), &manifest, &mut report, &mut progress)
                .await
                .context("measuring the ledger")?;
            gas::measure_community(&chain, suri.expose(), &manifest, &mut report, &mut progress)
                .await
                .context("measuring locking, governance and tasks")?;
            let md = report.to_markdown(&format!(
                "Generated by `bizkey gas` on a `substrate-contracts-node --dev` chain (runtime spec_version {}), \
                 contracts built by `scripts/build-contracts.sh` (cargo-contract, release).",
                chain.api().runtime_version().spec_version
            ));
            println!("{md}");
            if let Some(out) = out {
                std::fs::write(&out, &md).with_context(|| format!("writing {}", out.display()))?;
                eprintln!("written to {}", out.display());
            }
        }
    }
    report.finish();
    Ok(())
}

async fn connect(url: &str) -> Result<Chain> {
    Chain::connect_with_retry(url, Duration::from_secs(30))
        .await
        .with_context(|| format!("connecting to {url}"))
}

fn print_manifest(m: &Manifest) {
    println!(
        "chain {:?} (deployed from block {})",
        m.genesis_hash, m.deployment_block
    );
    for c in &m.contracts {
        println!("  {:<12} {}  code {:?}", c.name, c.address, c.code_hash);
    }
}

/// One `submitReceiptDetail` GraphQL request per line.
#[cfg(feature = "day")]
fn write_detail_uploads(
    path: &std::path::Path,
    details: &[(
        bizkey_types::ledger::ReceiptId,
        bizkey_store::detail::ReceiptDetail,
    )],
) -> anyhow::Result<()> {
    let mut out = String::new();
    for (id, detail) in details {
        let body = serde_json::json!({
            "query": bizkey_chain::sdk::pos::SUBMIT_DETAIL,
            "variables": { "id": id, "detail": serde_json::to_string(detail)? },
        });
        out.push_str(&body.to_string());
        out.push('\n');
    }
    std::fs::write(path, out).with_context(|| format!("writing {}", path.display()))
}

#[cfg(feature = "day")]
fn print_day(r: &day::DayReport) {
    println!(
        "\n{} merchant-first and {} customer-first sales, {} paid partly in Time, {} referred customers, {} claims\n",
        r.merchant_first, r.customer_first, r.time_payments, r.referrals, r.claims
    );
    println!(
        "{:<24} {:<50} {:>8} {:>18} {:>18} {:>12} {:>10}",
        "account", "address", "receipts", "Biz (BT)", "Time (TT)", "locked BT", "BizPower"
    );
    for a in &r.accounts {
        let bizpower = a
            .bizpower
            .map(|b| format!("{:.4}", b as f64 / bizkey_types::math::ONE as f64))
            .unwrap_or_default();
        println!(
            "{:<24} {:<50} {:>8} {:>18} {:>18} {:>12} {:>10}",
            a.label,
            accounts::from_ink(&a.account).to_string(),
            a.receipts,
            tokens(a.biz),
            tokens(a.time),
            tokens(a.locked),
            bizpower
        );
    }
    println!(
        "{:<24} {:<50} {:>8} {:>18} {:>18}",
        "ledger (reward pools)",
        "",
        "",
        tokens(r.ledger_biz),
        tokens(r.ledger_time)
    );
    if let Some(g) = &r.governance {
        println!(
            "\ngovernance: proposal #{} by {}: {}\n  {} lockers voted: {} for, {} against (lock weight, BT); {:?}; the ledger's cashback is now {:.1} %",
            g.proposal,
            g.proposer,
            g.what,
            g.lockers,
            tokens(g.votes_for),
            tokens(g.votes_against),
            g.status,
            f64::from(g.cashback_after_ppm) / 10_000.0
        );
    }
    if let Some(t) = &r.task {
        println!(
            "\ntask #{} \"{}\" by {}: {} TT escrowed (half its Time, after {} TT of dividends; the emission released {} TT)\n  {} claimed it with receipt #{}: {} TT",
            t.task,
            t.name,
            t.merchant,
            tokens(t.escrow),
            tokens(t.dividend),
            tokens(t.emission),
            t.customer,
            t.receipt,
            tokens(t.reward)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn clap_errors_fit_on_one_line() {
        let Err(e) = Cli::try_parse_from(["bizkey", "merchant", "record", "--amount", "1"]) else {
            panic!("a record without a customer parsed");
        };
        let line = one_line(&e.render().to_string());
        assert!(line.contains("--customer"), "{line}");
        assert!(!line.contains('\n'));
    }

    /// A `--suri` shows neither in the parsed arguments' `Debug` nor in the
    /// error of a key that does not parse (checked before connecting).
    #[tokio::test]
    async fn a_suri_is_never_shown() {
        let secret = "hidden-words-of-a-secret-mnemonic";
        let node = "ws://127.0.0.1:1";
        let commands: [&[&str]; 3] = [
            &[
                "deploy",
                "--suri",
                secret,
                "--contracts-dir",
                "/nowhere",
                "--url",
                node,
            ],
            &[
                "gas",
                "--suri",
                secret,
                "--contracts-dir",
                "/nowhere",
                "--url",
                node,
            ],
            &[
                "day",
                "--suri",
                secret,
                "--manifest",
                "/nowhere/deployment.json",
            ],
        ];
        for args in commands {
            let cli = Cli::try_parse_from(std::iter::once("bizkey").chain(args.iter().copied()))
                .unwrap_or_else(|e| panic!("{args:?}: {e}"));
            let shown = format!("{cli:?}");
            assert!(!shown.contains(secret), "{shown}");
            assert!(shown.contains(bizkey_chain::Secret::REDACTED), "{shown}");
            let e = run(cli).await.expect_err("a bad key or no manifest");
            let line = e
                .chain()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(": ");
            assert!(!line.contains(secret), "{line}");
            assert!(!line.contains("hidden"), "{line}");
            if args[0] != "day" {
                assert!(line.contains("invalid secret URI (not shown)"), "{line}");
            }
        }
    }
}
