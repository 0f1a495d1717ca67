//! The measurement table: each contract's optimized Wasm size,
//! and ref_time / proof_size from `ContractsApi_call` dry runs on the node.

use crate::accounts::{account_of, keypair, to_ink};
use crate::client::{Chain, Finality};
use crate::contract::{Contract, Gas};
use crate::deploy;
use crate::error::Result;
use crate::kind::ContractKind;
use crate::manifest::Manifest;
use bizkey_store::unix_ms;
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
    for token in [ContractKind::BizToken, ContractKind::TimeToken] {
        let Ok(deployed) = manifest.contract(token) else {
            continue;
        };
        let contract = Contract::from_manifest(deployed)?;
        let held = chain
            .dry_run::<u128>(&from, &contract, "PSP22::balance_of", &to_ink(&from))
            .await?
            .value;
        if held < 2 * 1_000_000_000_000 {
            // With the ledger deployed, all of TT's genesis is the ledger's.
            continue;
        }
        progress.step(&format!("{token}: PSP22::transfer"));
        let args = (to, 1_000_000_000_000u128, Vec::<u8>::new());
        // The recipient's balance entry exists after the first transfer:
        // measure the second, the common case of paying a known account.
        chain
            .call_ok::<(), PSP22Error>(
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

/// The ledger's operations against one plain transfer: record and confirm
/// in both flows (a customer's first purchase, a repeat purchase), and a
/// merchant's claim over 1 and over 20 matured receipts, each then executed
/// to count the token transfers it makes.
///
/// # Errors
/// Chain and contract errors; [`crate::ChainError::ContractReverted`] when a
/// step is refused.
pub async fn measure_ledger(
    chain: &Chain,
    admin_suri: &str,
    manifest: &Manifest,
    report: &mut GasReport,
    progress: &mut dyn crate::deploy::Progress,
) -> Result<()> {
    use bizkey_types::ledger::{LedgerError, LedgerParams, Order, ReceiptId};
    use bizkey_types::math::{Channel, ShopCost};
    use bizkey_types::registry::{Category, MerchantProfile, MerchantStatus, RegistryError};
    type L<T> = std::result::Result<T, LedgerError>;
    type R = std::result::Result<(), RegistryError>;

    let (Ok(ledger), Ok(registry), Ok(bt), Ok(tt)) = (
        manifest.contract(ContractKind::Ledger),
        manifest.contract(ContractKind::Registry),
        manifest.contract(ContractKind::BizToken),
        manifest.contract(ContractKind::TimeToken),
    ) else {
        report
            .verdicts
            .push("ledger not deployed: record, confirm and claim not measured".into());
        return Ok(());
    };
    let (ledger, registry) = (
        Contract::from_manifest(ledger)?,
        Contract::from_manifest(registry)?,
    );
    let tokens = [bt.address.clone(), tt.address.clone()];
    let admin = keypair(admin_suri)?;
    let admin_id = account_of(&admin);
    let merchant = keypair(&format!("{admin_suri}//bizkey/gas/merchant"))?;
    let customers: Vec<Keypair> = (0..20)
        .map(|i| keypair(&format!("{admin_suri}//bizkey/gas/customer/{i}")))
        .collect::<Result<_>>()?;
    let mut all: Vec<_> = customers.iter().map(account_of).collect();
    all.push(account_of(&merchant));
    chain
        .fund(&admin, &all, 1_000 * crate::deploy::UNIT, Finality::InBlock)
        .await?;

    let challenge_ms = 2_000;
    let mut params = chain
        .dry_run::<LedgerParams>(&admin_id, &ledger, "params", &())
        .await?
        .value;
    params.challenge_ms = challenge_ms;
    chain
        .call::<L<()>>(&admin, &ledger, "set_params", &params, Finality::InBlock)
        .await?;
    let profile = MerchantProfile {
        name: "Gas Café".into(),
        category: Category::Cafe,
        location: "wtw3s".into(),
        cost: ShopCost {
            area_sqft: 800,
            staff: 4,
            rent_per_sqft_day: 30,
            wage_per_day: 15_000,
        },
        licence_hash: [7u8; 32].into(),
    };
    chain
        .call::<R>(
            &merchant,
            &registry,
            "register_merchant",
            &(profile, Option::<bizkey_types::AccountId>::None, 300_000u32),
            Finality::InBlock,
        )
        .await?;
    let m_ink = to_ink(&account_of(&merchant));
    chain
        .call::<R>(
            &admin,
            &registry,
            "set_merchant_status",
            &(m_ink, MerchantStatus::Verified),
            Finality::InBlock,
        )
        .await?;

    let mut order_id = 0u64;
    let mut order = |channel| {
        order_id += 1;
        Order {
            order_id,
            order_time: unix_ms().saturating_sub(60_000),
            channel,
            amount: 4_800,
            discount: 0,
            time_paid: 0,
            items: 2,
            detail_hash: [order_id as u8; 32].into(),
        }
    };
    let push = |report: &mut GasReport, op: &str, gas: Gas| {
        report.operations.push(Measured {
            operation: op.into(),
            gas,
            token_transfers: None,
        })
    };

    // Merchant-first, the first purchase of a customer that never registered.
    progress.step("ledger: record + confirm (first purchase)");
    let c0 = &customers[0];
    let rec = chain
        .call_ok::<ReceiptId, LedgerError>(
            &merchant,
            &ledger,
            "record",
            &(to_ink(&account_of(c0)), order(Channel::InStore)),
            Finality::InBlock,
        )
        .await?;
    let id = rec.value;
    push(report, "ledger record (merchant-first)", rec.gas_consumed);
    let conf = chain
        .call::<L<()>>(c0, &ledger, "confirm", &id, Finality::InBlock)
        .await?;
    push(
        report,
        "ledger confirm (customer's first purchase)",
        conf.gas_consumed,
    );
    let first = Gas {
        ref_time: rec.gas_consumed.ref_time + conf.gas_consumed.ref_time,
        proof_size: rec.gas_consumed.proof_size + conf.gas_consumed.proof_size,
    };
    push(report, "= record + confirm (first purchase)", first);

    // A claim over one matured receipt.
    tokio::time::sleep(std::time::Duration::from_millis(challenge_ms + 1_000)).await;
    chain.tick(&admin).await?;
    let claim1 = claim(chain, &merchant, &ledger, &tokens).await?;
    report.operations.push(Measured {
        operation: "ledger claim (N = 1 receipt)".into(),
        gas: claim1.0,
        token_transfers: Some(claim1.1),
    });

    // Twenty more: customer-first for a new customer, a repeat purchase,
    // and new customers.
    progress.step("ledger: 20 more receipts (customer-first, repeat, new)");
    let c1 = &customers[1];
    let open = chain
        .call_ok::<ReceiptId, LedgerError>(
            c1,
            &ledger,
            "open",
            &(m_ink, order(Channel::Outside)),
            Finality::InBlock,
        )
        .await?;
    let id = open.value;
    let conf = chain
        .call::<L<()>>(&merchant, &ledger, "confirm", &id, Finality::InBlock)
        .await?;
    push(report, "ledger open (customer-first)", open.gas_consumed);
    push(
        report,
        "ledger confirm (by the merchant)",
        conf.gas_consumed,
    );
    let rec = chain
        .call_ok::<ReceiptId, LedgerError>(
            &merchant,
            &ledger,
            "record",
            &(to_ink(&account_of(c0)), order(Channel::InStore)),
            Finality::InBlock,
        )
        .await?;
    let id = rec.value;
    let conf = chain
        .call::<L<()>>(c0, &ledger, "confirm", &id, Finality::InBlock)
        .await?;
    let repeat = Gas {
        ref_time: rec.gas_consumed.ref_time + conf.gas_consumed.ref_time,
        proof_size: rec.gas_consumed.proof_size + conf.gas_consumed.proof_size,
    };
    push(report, "= record + confirm (repeat customer)", repeat);
    for c in &customers[2..20] {
        let id = chain
            .call_ok::<ReceiptId, LedgerError>(
                &merchant,
                &ledger,
                "record",
                &(to_ink(&account_of(c)), order(Channel::InStore)),
                Finality::InBlock,
            )
            .await?
            .value;
        chain
            .call::<L<()>>(c, &ledger, "confirm", &id, Finality::InBlock)
            .await?;
    }
    tokio::time::sleep(std::time::Duration::from_millis(challenge_ms + 1_000)).await;
    chain.tick(&admin).await?;
    let claim20 = claim(chain, &merchant, &ledger, &tokens).await?;
    report.operations.push(Measured {
        operation: "ledger claim (N = 20 receipts)".into(),
        gas: claim20.0,
        token_transfers: Some(claim20.1),
    });

    let transfer = report
        .operations
        .iter()
        .find(|m| m.operation == "biz_token PSP22::transfer")
        .map(|m| m.gas.ref_time)
        .unwrap_or(0);
    if transfer > 0 {
        for (what, g) in [("first purchase", first), ("repeat customer", repeat)] {
            let ratio = g.ref_time as f64 / transfer as f64;
            report.verdicts.push(format!(
                "record + confirm ({what}) = {ratio:.2}× the ref_time of one transfer: {} the 4× target",
                if ratio <= 4.0 { "within" } else { "OVER" }
            ));
        }
    }
    report.verdicts.push(format!(
        "claim makes {} token transfer(s) over 1 receipt and {} over 20: {}",
        claim1.1,
        claim20.1,
        if claim1.1 == claim20.1 {
            "the same whatever N"
        } else {
            "NOT constant"
        }
    ));
    Ok(())
}

/// The community contracts' everyday operations against one plain
/// transfer: a first lock of BT (`locking`), a vote (`governance`), and a
/// customer's claim of a task with one receipt (`tasks`: reads the receipt
/// from the ledger, pays Time). Each is
/// measured by the dry run that sizes the executed call.
///
/// The deployer (who holds the team's BT unlocked at T0) locks 1,000 BT and
/// votes on a proposal of its own; the Time for the task comes from the
/// lockers' dividends of an emission release.
///
/// # Errors
/// Chain and contract errors; [`crate::ChainError::ContractReverted`] when a
/// step is refused.
pub async fn measure_community(
    chain: &Chain,
    admin_suri: &str,
    manifest: &Manifest,
    report: &mut GasReport,
    progress: &mut dyn crate::deploy::Progress,
) -> Result<()> {
    use crate::deploy::UNIT;
    use bizkey_types::governance::{Action, GovernanceError, ProposalId};
    use bizkey_types::ledger::{LedgerError, LedgerParams, Order, ReceiptId};
    use bizkey_types::locking::LockingError;
    use bizkey_types::math::{Channel, ShopCost};
    use bizkey_types::registry::{Category, MerchantProfile, MerchantStatus, RegistryError};
    use bizkey_types::tasks::{
        Eligibility, PurchaseRule, Reward, Rule, RuleMode, TaskId, TaskTerms, TasksError,
    };

    let names = [
        ContractKind::Locking,
        ContractKind::Governance,
        ContractKind::Tasks,
        ContractKind::Ledger,
        ContractKind::Registry,
        ContractKind::BizToken,
        ContractKind::TimeToken,
    ];
    let mut contracts = Vec::new();
    for n in names {
        match manifest.contract(n) {
            Ok(c) => contracts.push(Contract::from_manifest(c)?),
            Err(_) => {
                report.verdicts.push(format!(
                    "{n} not deployed: lock, vote and task claim not measured"
                ));
                return Ok(());
            }
        }
    }
    let [locking, governance, tasks, ledger, registry, bt, tt] = &contracts[..] else {
        unreachable!("one contract per name");
    };
    let tokens = [bt.address.clone(), tt.address.clone()];
    let admin = keypair(admin_suri)?;
    let admin_id = account_of(&admin);
    let merchant = keypair(&format!("{admin_suri}//bizkey/gas/task-merchant"))?;
    let customer = keypair(&format!("{admin_suri}//bizkey/gas/task-customer"))?;
    chain
        .fund(
            &admin,
            &[account_of(&merchant), account_of(&customer)],
            1_000 * UNIT,
            Finality::InBlock,
        )
        .await?;

    // A first lock: 1,000 BT for the shortest tier.
    progress.step("locking: lock; governance: propose, vote");
    let amount = 1_000 * UNIT;
    chain.approve(&admin, bt, &locking.address, amount).await?;
    let lock = chain
        .call_ok::<(), LockingError>(&admin, locking, "lock", &(amount, 0u8), Finality::InBlock)
        .await?;
    report.operations.push(Measured {
        operation: "locking lock (an account's first lock)".into(),
        gas: lock.gas_consumed,
        token_transfers: Some(count_transfers(lock.events(), &tokens)?),
    });

    // A vote on a proposal that changes nothing.
    let params = chain
        .dry_run::<LedgerParams>(&admin_id, ledger, "params", &())
        .await?
        .value;
    let id = chain
        .call_ok::<ProposalId, GovernanceError>(
            &admin,
            governance,
            "propose",
            &(Action::SetLedgerParams(params), [9u8; 32]),
            Finality::InBlock,
        )
        .await?
        .value;
    let vote = chain
        .call_ok::<(), GovernanceError>(&admin, governance, "vote", &(id, true), Finality::InBlock)
        .await?;
    report.operations.push(Measured {
        operation: "governance vote".into(),
        gas: vote.gas_consumed,
        token_transfers: None,
    });

    // Time for the escrow: the emission's dividend share, claimed by the
    // deployer (a locker now) and handed to the merchant.
    progress.step("tasks: create, join, claim with one receipt");
    chain
        .call_ok::<u128, LockingError>(&admin, locking, "release_emission", &(), Finality::InBlock)
        .await?;
    let dividend = chain
        .call_ok::<u128, LockingError>(&admin, locking, "claim_dividends", &(), Finality::InBlock)
        .await?
        .value;
    let reward = dividend / 2;
    chain
        .call_ok::<(), PSP22Error>(
            &admin,
            tt,
            "PSP22::transfer",
            &(to_ink(&account_of(&merchant)), reward, Vec::<u8>::new()),
            Finality::InBlock,
        )
        .await?;

    // A verified merchant, a short challenge window, one matured sale.
    let profile = MerchantProfile {
        name: "Gas Tasks".into(),
        category: Category::Grocery,
        location: "wtw3s".into(),
        cost: ShopCost {
            area_sqft: 600,
            staff: 3,
            rent_per_sqft_day: 30,
            wage_per_day: 15_000,
        },
        licence_hash: [8u8; 32].into(),
    };
    chain
        .call_ok::<(), RegistryError>(
            &merchant,
            registry,
            "register_merchant",
            &(profile, Option::<bizkey_types::AccountId>::None, 300_000u32),
            Finality::InBlock,
        )
        .await?;
    let m_ink = to_ink(&account_of(&merchant));
    chain
        .call_ok::<(), RegistryError>(
            &admin,
            registry,
            "set_merchant_status",
            &(m_ink, MerchantStatus::Verified),
            Finality::InBlock,
        )
        .await?;
    let challenge_ms = 2_000;
    let mut params = params;
    params.challenge_ms = challenge_ms;
    chain
        .call_ok::<(), LedgerError>(&admin, ledger, "set_params", &params, Finality::InBlock)
        .await?;
    let start = chain.block_timestamp(chain.best_block().await?.1).await?;
    let order = Order {
        order_id: 1,
        order_time: unix_ms().saturating_sub(60_000),
        channel: Channel::InStore,
        amount: 2_500,
        discount: 0,
        time_paid: 0,
        items: 1,
        detail_hash: [4u8; 32].into(),
    };
    let receipt = chain
        .call_ok::<ReceiptId, LedgerError>(
            &merchant,
            ledger,
            "record",
            &(to_ink(&account_of(&customer)), order),
            Finality::InBlock,
        )
        .await?
        .value;
    chain
        .call_ok::<(), LedgerError>(&customer, ledger, "confirm", &receipt, Finality::InBlock)
        .await?;

    // The task: one purchase at the merchant, a fixed reward, one completion.
    let terms = TaskTerms {
        name: "Gas: one purchase".into(),
        description_hash: [5u8; 32].into(),
        mode: RuleMode::Any,
        rules: vec![Rule::Purchases(PurchaseRule {
            merchants: Vec::new(),
            min_count: 1,
            min_amount: 0,
            distinct_merchants: 0,
        })],
        reward: Reward::Fixed(reward),
        eligibility: Eligibility::Anyone,
        penalty: 0,
        start,
        end: start + 3_600_000,
        claim_ms: 0,
        max_completions: 1,
    };
    chain.approve(&merchant, tt, &tasks.address, reward).await?;
    let task = chain
        .call_ok::<TaskId, TasksError>(
            &merchant,
            tasks,
            "create_task",
            &(terms, reward),
            Finality::InBlock,
        )
        .await?
        .value;
    chain
        .call_ok::<(), TasksError>(
            &customer,
            tasks,
            "join",
            &(task, Vec::<ReceiptId>::new()),
            Finality::InBlock,
        )
        .await?;
    tokio::time::sleep(std::time::Duration::from_millis(challenge_ms + 1_000)).await;
    chain.tick(&admin).await?;
    let claim = chain
        .call_ok::<u128, TasksError>(
            &customer,
            tasks,
            "claim",
            &(task, vec![receipt]),
            Finality::InBlock,
        )
        .await?;
    let paid = claim.value;
    report.operations.push(Measured {
        operation: "tasks claim (1 receipt, fixed reward)".into(),
        gas: claim.gas_consumed,
        token_transfers: Some(count_transfers(claim.events(), &tokens)?),
    });
    report.verdicts.push(format!(
        "a task claim reads its receipt from the ledger, then pays {} TT in {} token transfer(s)",
        deploy::tokens(paid),
        count_transfers(claim.events(), &tokens)?
    ));
    Ok(())
}

/// The PSP22 `Transfer` events of the suite's tokens among `events`.
fn count_transfers(
    events: &[crate::ContractEvent],
    tokens: &[crate::AccountId32],
) -> Result<usize> {
    use bizkey_types::psp22::Transfer;
    let mut n = 0;
    for e in events {
        if tokens.contains(&e.contract) && e.decode::<Transfer>()?.is_some() {
            n += 1;
        }
    }
    Ok(n)
}

/// Dry-runs the merchant's claim, executes it, and counts the PSP22
/// `Transfer` events the suite's tokens emitted.
async fn claim(
    chain: &Chain,
    who: &Keypair,
    ledger: &Contract,
    tokens: &[crate::AccountId32],
) -> Result<(Gas, usize)> {
    use bizkey_types::ledger::LedgerError;
    let out = chain
        .call::<std::result::Result<(u128, u128), LedgerError>>(
            who,
            ledger,
            "claim",
            &u32::MAX,
            Finality::InBlock,
        )
        .await?;
    Ok((out.gas_consumed, count_transfers(out.events(), tokens)?))
}
