//! The measurement table (issue 2 §6): each contract's optimized Wasm size,
//! and ref_time / proof_size from `ContractsApi_call` dry runs on the node.

use crate::accounts::{account_of, keypair, to_ink};
use crate::client::{Chain, Finality};
use crate::contract::{Contract, Gas};
use crate::error::Result;
use crate::manifest::Manifest;
use bizkey_types::psp22::PSP22Error;
use std::fmt::Write as _;
use subxt_signer::sr25519::Keypair;

/// One measured operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measured {
    pub operation: String,
    /// Gas consumed by the dry run.
    pub gas: Gas,
    /// PSP22 `Transfer` events emitted when the call was then executed
    /// (`None` for pure dry runs).
    pub token_transfers: Option<usize>,
}

/// Sizes and measured operations.
#[derive(Debug, Clone, Default)]
pub struct GasReport {
    /// (contract, optimized Wasm bytes).
    pub sizes: Vec<(String, usize)>,
    pub operations: Vec<Measured>,
    /// Conclusions against the targets, one line each.
    pub verdicts: Vec<String>,
}

/// Largest optimized Wasm a contract of the suite may have.
pub const MAX_WASM_BYTES: usize = 40 * 1024;

/// Measures a freshly deployed suite (see [`crate::deploy::deploy_suite`]):
/// sizes of every contract, one plain PSP22 transfer of each token, and the
/// ledger's operations when the ledger is deployed.
///
/// `deployer` must be the manifest's deployer (it holds the tokens).
///
/// # Errors
/// Chain and contract errors of the measured calls.
pub async fn measure(
    chain: &Chain,
    deployer: &Keypair,
    manifest: &Manifest,
    progress: &mut dyn crate::deploy::Progress,
) -> Result<GasReport> {
    let mut report = GasReport::default();
    for c in &manifest.contracts {
        let contract = Contract::from_manifest(c)?;
        report
            .sizes
            .push((c.name.clone(), contract.bundle.wasm.len()));
    }
    for (name, size) in &report.sizes {
        report.verdicts.push(format!(
            "{name}: {size} bytes of Wasm {} the {} KB limit",
            if *size <= MAX_WASM_BYTES {
                "within"
            } else {
                "OVER"
            },
            MAX_WASM_BYTES / 1024
        ));
    }

    let from = account_of(deployer);
    let to = to_ink(&account_of(&keypair("//Bob")?));
    for token in ["biz_token", "time_token"] {
        let Ok(deployed) = manifest.contract(token) else {
            continue;
        };
        let contract = Contract::from_manifest(deployed)?;
        progress.step(&format!("{token}: PSP22::transfer"));
        let args = (to, 1_000_000_000_000u128, Vec::<u8>::new());
        // The recipient's balance entry exists after the first transfer:
        // measure the second, the common case of paying a known account.
        chain
            .call::<std::result::Result<(), PSP22Error>>(
                deployer,
                &contract,
                "PSP22::transfer",
                &args,
                Finality::InBlock,
            )
            .await?;
        let dry = chain
            .dry_run::<std::result::Result<(), PSP22Error>>(
                &from,
                &contract,
                "PSP22::transfer",
                &args,
            )
            .await?;
        report.operations.push(Measured {
            operation: format!("{token} PSP22::transfer"),
            gas: dry.gas_consumed,
            token_transfers: None,
        });
    }
    Ok(report)
}

impl GasReport {
    /// The report as Markdown.
    pub fn to_markdown(&self, chain_note: &str) -> String {
        let mut md = String::from("# Measurements\n\n");
        let _ = writeln!(md, "{chain_note}\n");
        md.push_str("## Optimized Wasm size\n\n| contract | bytes | KiB |\n|---|---:|---:|\n");
        for (name, size) in &self.sizes {
            let _ = writeln!(md, "| {name} | {size} | {:.1} |", *size as f64 / 1024.0);
        }
        md.push_str(
            "\n## Gas (dry runs: `ContractsApi_call`, gas consumed)\n\n\
             | operation | ref_time | × transfer | proof_size | token transfers |\n\
             |---|---:|---:|---:|---:|\n",
        );
        let transfer = self
            .operations
            .iter()
            .find(|m| m.operation.ends_with("PSP22::transfer"))
            .map(|m| m.gas.ref_time);
        for m in &self.operations {
            let ratio = transfer
                .filter(|t| *t > 0)
                .map(|t| format!("{:.2}", m.gas.ref_time as f64 / t as f64))
                .unwrap_or_default();
            let transfers = m.token_transfers.map(|n| n.to_string()).unwrap_or_default();
            let _ = writeln!(
                md,
                "| {} | {} | {ratio} | {} | {transfers} |",
                m.operation, m.gas.ref_time, m.gas.proof_size
            );
        }
        if !self.verdicts.is_empty() {
            md.push_str("\n## Targets\n\n");
            for v in &self.verdicts {
                let _ = writeln!(md, "- {v}");
            }
        }
        md
    }
}
