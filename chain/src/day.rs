//! A scripted day of sales on a deployed suite: merchants register and are
//! verified, customers (some referred) register and approve Time, sales go
//! through both receipt flows, rewards mature and are claimed, Time is spent,
//! and the balances and each merchant's BizPower are reported.
//!
//! With the community contracts deployed, the day also governs and rewards:
//! at midday the merchants lock half the Biz they have claimed (voting
//! weight, a share of the Time dividends), the biggest locker proposes to
//! raise the Time cashback (or, run again on the same chain, to restore it),
//! and the lockers vote (the smallest against when there are three or more);
//! after the sales the proposal is executed. The Time emission is then
//! released, the lockers' share paid as dividends, and the proposer (or the
//! biggest locker that sold in the morning) publishes a task with half its
//! Time ("come back": one purchase at its shop, the day's receipts count)
//! that one of its morning customers claims with a matured receipt.
//!
//! The day comes from the fraud engineers' retail simulator
//! ([`bizkey_fraud::sim`]): its merchants (shop costs, referrers), customers
//! (referrers) and one day of receipts (channel, amount, items, Time paid),
//! replayed on-chain in order, deterministic for a seed.

use crate::accounts::{account_of, keypair, to_ink};
use crate::client::{Chain, Finality};
use crate::contract::Contract;
use crate::deploy::{tokens, Progress, UNIT};
use crate::error::{ChainError, Result};
use crate::manifest::Manifest;
use crate::sdk::pos::receipt_detail;
use crate::suite::Suite;
use bizkey_fraud::sim::{simulate, Funder, SimConfig, Simulation};
use bizkey_store::detail::ReceiptDetail;
use bizkey_store::{blake2_256, unix_ms};
use bizkey_types::governance::{
    Action, GovernanceConfig, GovernanceError, Proposal, ProposalId, ProposalStatus,
};
use bizkey_types::ledger::{LedgerError, LedgerParams, MerchantState, Order, ReceiptId};
use bizkey_types::locking::{Lock, LockingError};
use bizkey_types::math::{Channel, TIME_UNITS_PER_CENT};
use bizkey_types::registry::{
    Category, Customer, Merchant, MerchantProfile, MerchantStatus, RegistryError,
};
use bizkey_types::tasks::{
    Eligibility, PurchaseRule, Reward, Rule, RuleMode, TaskId, TaskTerms, TasksError,
};
use bizkey_types::{AccountId, Balance, Hash, Timestamp};
use subxt_signer::sr25519::Keypair;

/// The fewest merchants the simulator's world may have (see [`run_day`]).
pub const SIM_MIN_MERCHANTS: u32 = 8;

/// What to simulate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayConfig {
    pub merchants: u32,
    pub customers: u32,
    pub seed: u64,
    /// The ledger's challenge window is set to this (ms) so that the first
    /// half's rewards mature within the run and are claimed and spent.
    pub challenge_ms: u64,
    /// Upper bound on the receipts replayed (the simulator's day may be longer).
    pub max_receipts: usize,
    /// Secret URI of the admin; the day's accounts are derived from it
    /// (`<suri>//bizkey/<seed>/merchant/<i>`), so a seed gives the same accounts.
    pub admin_suri: crate::Secret,
}

impl Default for DayConfig {
    fn default() -> Self {
        Self {
            merchants: 3,
            customers: 8,
            seed: 7,
            challenge_ms: 4_000,
            max_receipts: 60,
            admin_suri: crate::Secret::new("//Alice"),
        }
    }
}

/// One row of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountReport {
    pub label: String,
    pub account: AccountId,
    pub biz: Balance,
    pub time: Balance,
    /// For merchants: BizPower of the current window (fixed point, 1e9 = 1.0).
    pub bizpower: Option<u128>,
    pub receipts: u32,
    /// BT locked in `locking` (voting weight).
    pub locked: Balance,
}

/// The day's governance proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GovernanceReport {
    pub proposal: ProposalId,
    /// Label of the proposing merchant.
    pub proposer: String,
    pub what: String,
    /// Merchants that locked Biz (and voted).
    pub lockers: u32,
    pub votes_for: u128,
    pub votes_against: u128,
    pub status: ProposalStatus,
    /// The ledger's Time cashback before and after (ppm of the amount).
    pub cashback_before_ppm: u32,
    pub cashback_after_ppm: u32,
}

/// The day's task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskReport {
    pub task: TaskId,
    pub name: String,
    /// Labels of the publishing merchant and of the claiming customer.
    pub merchant: String,
    pub customer: String,
    /// Time minted by the emission release and the merchant's dividend.
    pub emission: Balance,
    pub dividend: Balance,
    pub escrow: Balance,
    /// Time paid to the customer for the completion.
    pub reward: Balance,
    /// The receipt the customer claimed with.
    pub receipt: ReceiptId,
}

/// What the day did.
#[derive(Debug, Clone, Default)]
pub struct DayReport {
    /// Every receipt's off-chain detail, as its POS would upload it.
    pub details: Vec<(ReceiptId, ReceiptDetail)>,
    pub merchant_first: u32,
    pub customer_first: u32,
    pub time_payments: u32,
    pub referrals: u32,
    pub claims: u32,
    pub accounts: Vec<AccountReport>,
    pub ledger_biz: Balance,
    pub ledger_time: Balance,
    /// `None` without `locking` and `governance` in the manifest (or when no
    /// merchant had Biz to lock at midday).
    pub governance: Option<GovernanceReport>,
    /// `None` without `locking` and `tasks` in the manifest.
    pub task: Option<TaskReport>,
}

/// The midday proposal, until it is executed.
struct Vote {
    id: ProposalId,
    proposer: usize,
    /// The lockers, biggest lock first (the proposer is the first).
    lockers: Vec<usize>,
    cashback_before_ppm: u32,
    cashback_after_ppm: u32,
}

/// The Time cashback the day's proposal sets (2 %); when it is in force
/// already (a day run again on the same chain), the proposal restores the
/// default (1 %).
pub const PROPOSED_CASHBACK_PPM: u32 = 20_000;
/// Completions the day's task pays for.
const TASK_COMPLETIONS: u32 = 3;

type LedgerResult<T> = std::result::Result<T, LedgerError>;

/// Runs the day. `config.admin_suri` is the deployer's (registry and ledger admin).
///
/// # Errors
/// [`ChainError::Manifest`] when the suite lacks a contract; any contract
/// revert (a sale the contracts refuse is a failure of the script).
pub async fn run_day(
    chain: &Chain,
    manifest: &Manifest,
    config: &DayConfig,
    progress: &mut dyn Progress,
) -> Result<DayReport> {
    let suite = Suite::load(manifest)?;
    let admin = &keypair(config.admin_suri.expose())?;
    let admin_id = account_of(admin);
    // The simulator gives each customer up to SIM_MIN_MERCHANTS distinct
    // favourite shops, so it needs at least that many merchants; a smaller
    // day replays the receipts of the first `merchants` of a larger world.
    let sim = simulate(&SimConfig::new(
        config.seed,
        config.merchants.max(SIM_MIN_MERCHANTS),
        config.customers,
        1,
    ));
    let n_merchants = (config.merchants as usize).min(sim.merchants.len());
    let receipts: Vec<_> = sim
        .receipts
        .iter()
        .filter(|r| (r.receipt.merchant as usize) < n_merchants)
        .take(config.max_receipts)
        .collect();
    progress.step(&format!(
        "simulator (seed {}): {} merchants, {} customers, {} receipts",
        config.seed,
        n_merchants,
        sim.customers.len(),
        receipts.len()
    ));

    // Accounts derived from the admin's key: the same seed gives the same day.
    let tag = format!("{}", config.seed);
    let merchants: Vec<Keypair> = (0..n_merchants)
        .map(|i| {
            derive(
                config.admin_suri.expose(),
                &format!("//bizkey/{tag}/merchant/{i}"),
            )
        })
        .collect::<Result<_>>()?;
    let customers: Vec<Keypair> = (0..sim.customers.len())
        .map(|i| {
            derive(
                config.admin_suri.expose(),
                &format!("//bizkey/{tag}/customer/{i}"),
            )
        })
        .collect::<Result<_>>()?;
    fund_accounts(chain, admin, config, &tag, &sim, &customers, progress).await?;

    // Demo parameters: a short challenge window.
    let mut params = chain
        .dry_run::<LedgerParams>(&admin_id, &suite.ledger, "params", &())
        .await?
        .value;
    params.challenge_ms = config.challenge_ms;
    chain
        .call_ok::<(), LedgerError>(
            admin,
            &suite.ledger,
            "set_params",
            &params,
            Finality::InBlock,
        )
        .await?;
    progress.step(&format!(
        "ledger: challenge window {} ms for the demo",
        config.challenge_ms
    ));

    register_merchants(chain, admin, &suite, &sim, &merchants, progress).await?;
    let mut report = DayReport {
        referrals: register_customers(chain, &suite, &sim, &customers, progress).await?,
        ..DayReport::default()
    };

    let ledger_ink = to_ink(&suite.ledger.address);
    for c in &customers {
        chain
            .approve(c, &suite.tt, &suite.ledger.address, Balance::MAX)
            .await?;
    }
    progress.step("customers approved the ledger to move their Time");

    // The chain's time when the sales start: the day's task counts the
    // receipts confirmed from here on.
    chain.tick(admin).await?;
    let sales_start: Timestamp = chain.block_timestamp(chain.best_block().await?.1).await?;
    // Order times: the simulated day shifted to end now.
    let now = unix_ms();
    let day_end = sim.config.start_ms + 86_400_000;
    let shift = now.saturating_sub(day_end);
    let half = receipts.len() / 2;
    let mut per_merchant = vec![0u32; merchants.len()];
    let mut spent = vec![false; customers.len()];
    // (receipt, merchant, customer) of the morning's sales: matured by noon.
    let mut morning: Vec<(ReceiptId, usize, usize)> = Vec::new();
    let mut vote: Option<Vote> = None;
    for (i, r) in receipts.iter().enumerate() {
        if i == half {
            // The first half's rewards mature; everyone claims, then spends.
            let wait = config.challenge_ms + 1_000;
            progress.step(&format!(
                "waiting {wait} ms for the first half's rewards to mature"
            ));
            tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
            chain.tick(admin).await?;
            report.claims += claim_all(chain, &suite, &merchants, &customers).await?;
            progress.step(&format!("{} accounts claimed", report.claims));
            vote = propose(chain, &suite, &merchants, &sim, progress).await?;
        }
        let rc = &r.receipt;
        let m = &merchants[rc.merchant as usize];
        let c = &customers[rc.customer as usize];
        let channel = match rc.channel {
            bizkey_fraud::receipt::Channel::InStore => Channel::InStore,
            bizkey_fraud::receipt::Channel::Outside => Channel::Outside,
        };
        // Time is spent only in the second half, once it has been claimed,
        // and never beyond what the customer holds.
        // The simulator's Time users pay what it says; a customer who has
        // just claimed Time spends 10 % of the amount once. Never more than
        // half of what the customer holds.
        let mut time_paid: Balance = 0;
        let ci = rc.customer as usize;
        if i >= half && (rc.time_deducted > 0 || !spent[ci]) {
            let held = balance(chain, &suite.tt, &admin_id, to_ink(&account_of(c))).await?;
            let wanted = if rc.time_deducted > 0 {
                u128::from(rc.time_deducted)
            } else {
                u128::from(rc.amount_cents) / 10
            };
            time_paid = (wanted * TIME_UNITS_PER_CENT).min(held / 2);
            spent[ci] |= time_paid > 0;
        }
        let detail = receipt_detail(
            &format!("merchant {}", rc.merchant),
            rc.amount_cents,
            rc.item_count,
            time_paid / TIME_UNITS_PER_CENT,
        );
        let order = Order {
            // Unique per run: a day may be replayed on the same chain.
            order_id: now * 1_000 + i as u64,
            order_time: rc.order_time_ms.saturating_add(shift).min(now),
            channel,
            amount: u128::from(rc.amount_cents),
            discount: 0,
            time_paid,
            items: rc.item_count,
            detail_hash: Hash::from(detail.hash()),
        };
        // Outside sales come from the customer's mini-program (customer-first),
        // in-store sales from the merchant's POS (merchant-first).
        let id = if channel == Channel::Outside {
            report.customer_first += 1;
            let id = chain
                .call_ok::<ReceiptId, LedgerError>(
                    c,
                    &suite.ledger,
                    "open",
                    &(to_ink(&account_of(m)), order),
                    Finality::InBlock,
                )
                .await?
                .value;
            chain
                .call_ok::<(), LedgerError>(m, &suite.ledger, "confirm", &id, Finality::InBlock)
                .await?;
            id
        } else {
            report.merchant_first += 1;
            let id = chain
                .call_ok::<ReceiptId, LedgerError>(
                    m,
                    &suite.ledger,
                    "record",
                    &(to_ink(&account_of(c)), order),
                    Finality::InBlock,
                )
                .await?
                .value;
            chain
                .call_ok::<(), LedgerError>(c, &suite.ledger, "confirm", &id, Finality::InBlock)
                .await?;
            id
        };
        if time_paid > 0 {
            report.time_payments += 1;
        }
        report.details.push((id, detail));
        if i < half {
            morning.push((id, rc.merchant as usize, ci));
        }
        per_merchant[rc.merchant as usize] += 1;
        if (i + 1) % 10 == 0 || i + 1 == receipts.len() {
            progress.step(&format!(
                "{}/{} receipts confirmed (last #{id})",
                i + 1,
                receipts.len()
            ));
        }
    }

    // The afternoon: the vote is over, the proposal executed; then the
    // emission pays the lockers, and a task pays a morning customer.
    if let Some(vote) = vote {
        let labels = |i: usize| format!("merchant {i} ({})", sim.merchants[i].category.as_str());
        report.governance =
            Some(execute(chain, admin, &suite, &vote, labels(vote.proposer), progress).await?);
        report.task = task(
            chain,
            admin,
            &suite,
            &merchants,
            &customers,
            &vote.lockers,
            &morning,
            sales_start,
            (&labels, &sim),
            progress,
        )
        .await?;
    } else if suite.locking.is_some() {
        progress.step("no vote and no task: nobody locked Biz at midday");
    }

    // Report.
    let weights = params.weights;
    for (i, m) in merchants.iter().enumerate() {
        let a = account_of(m);
        let state = chain
            .dry_run::<Option<MerchantState>>(
                &admin_id,
                &suite.ledger,
                "merchant_state",
                &to_ink(&a),
            )
            .await?
            .value;
        let bizpower = state.map(|s| s.window.stats.bizpower(&weights, &s.info.cost));
        report.accounts.push(AccountReport {
            label: format!("merchant {i} ({})", sim.merchants[i].category.as_str()),
            account: to_ink(&a),
            biz: balance(chain, &suite.bt, &admin_id, to_ink(&a)).await?,
            time: balance(chain, &suite.tt, &admin_id, to_ink(&a)).await?,
            bizpower,
            receipts: per_merchant[i],
            locked: locked(chain, &suite, &admin_id, to_ink(&a)).await?,
        });
    }
    for (i, c) in customers.iter().enumerate() {
        let bought = receipts
            .iter()
            .filter(|r| r.receipt.customer as usize == i)
            .count() as u32;
        if bought == 0 {
            continue;
        }
        let a = to_ink(&account_of(c));
        report.accounts.push(AccountReport {
            label: format!("customer {i}"),
            account: a,
            biz: balance(chain, &suite.bt, &admin_id, a).await?,
            time: balance(chain, &suite.tt, &admin_id, a).await?,
            bizpower: None,
            receipts: bought,
            locked: locked(chain, &suite, &admin_id, a).await?,
        });
    }
    report.ledger_biz = balance(chain, &suite.bt, &admin_id, ledger_ink).await?;
    report.ledger_time = balance(chain, &suite.tt, &admin_id, ledger_ink).await?;
    Ok(report)
}

async fn register_merchants(
    chain: &Chain,
    admin: &Keypair,
    suite: &Suite,
    sim: &Simulation,
    merchants: &[Keypair],
    progress: &mut dyn Progress,
) -> Result<()> {
    // Referrers first: a referrer must already be registered.
    let mut order: Vec<usize> = (0..merchants.len()).collect();
    order.sort_by_key(|&i| sim.merchants[i].referrer.is_some());
    for i in order {
        let m = &sim.merchants[i];
        let profile = MerchantProfile {
            name: format!("{} #{i}", m.category.as_str()),
            category: category(m.category.as_str()),
            location: format!("d{}", m.district),
            cost: bizkey_types::math::ShopCost {
                area_sqft: m.area_sqft,
                staff: m.staff,
                rent_per_sqft_day: u128::from(m.rent_cents_per_sqft_day),
                wage_per_day: u128::from(m.wage_cents_per_day),
            },
            licence_hash: Hash::from(blake2_256(format!("licence {i}").as_bytes())),
        };
        let referrer = m
            .referrer
            .filter(|r| (*r as usize) < merchants.len())
            .map(|r| to_ink(&account_of(&merchants[r as usize])));
        let existing = chain
            .dry_run::<Option<Merchant>>(
                &account_of(admin),
                &suite.registry,
                "merchant",
                &to_ink(&account_of(&merchants[i])),
            )
            .await?
            .value;
        if existing
            .as_ref()
            .is_some_and(|m| m.status == MerchantStatus::Verified)
        {
            // A day run again with the same seed reuses its merchants.
            continue;
        }
        // Accepts up to 30 % of a sale in Time.
        if existing.is_none() {
            chain
                .call_ok::<(), RegistryError>(
                    &merchants[i],
                    &suite.registry,
                    "register_merchant",
                    &(profile, referrer, 300_000u32),
                    Finality::InBlock,
                )
                .await?;
        }
        chain
            .call_ok::<(), RegistryError>(
                admin,
                &suite.registry,
                "set_merchant_status",
                &(to_ink(&account_of(&merchants[i])), MerchantStatus::Verified),
                Finality::InBlock,
            )
            .await?;
    }
    progress.step(&format!(
        "{} merchants registered and verified",
        merchants.len()
    ));
    Ok(())
}

async fn register_customers(
    chain: &Chain,
    suite: &Suite,
    sim: &Simulation,
    customers: &[Keypair],
    progress: &mut dyn Progress,
) -> Result<u32> {
    // Referred customers register with their referrer (who registers first);
    // the others exist from their first confirmed receipt on (at the ledger).
    let mut referrals = 0;
    let mut registered = vec![false; customers.len()];
    for c in &sim.customers {
        let Some(r) = c
            .referrer
            .map(|r| r as usize)
            .filter(|r| *r < customers.len())
        else {
            continue;
        };
        if !registered[r] {
            registered[r] = is_customer(chain, suite, &customers[r]).await?;
        }
        if !registered[c.id as usize] {
            registered[c.id as usize] =
                is_customer(chain, suite, &customers[c.id as usize]).await?;
        }
        if !registered[r] {
            chain
                .call_ok::<(), RegistryError>(
                    &customers[r],
                    &suite.registry,
                    "register_customer",
                    &Option::<AccountId>::None,
                    Finality::InBlock,
                )
                .await?;
            registered[r] = true;
        }
        if registered[c.id as usize] {
            referrals += 1;
        } else {
            chain
                .call_ok::<(), RegistryError>(
                    &customers[c.id as usize],
                    &suite.registry,
                    "register_customer",
                    &Some(to_ink(&account_of(&customers[r]))),
                    Finality::InBlock,
                )
                .await?;
            registered[c.id as usize] = true;
            referrals += 1;
        }
    }
    progress.step(&format!("{referrals} customers registered with a referrer"));
    Ok(referrals)
}

/// Whether the ledger knows `who` as a customer: registered, or a buyer (a
/// buyer's referrer can no longer be set).
async fn is_customer(chain: &Chain, suite: &Suite, who: &Keypair) -> Result<bool> {
    let a = account_of(who);
    Ok(chain
        .dry_run::<Option<Customer>>(&a, &suite.ledger, "LedgerApi::customer", &to_ink(&a))
        .await?
        .value
        .is_some())
}

async fn claim_all(
    chain: &Chain,
    suite: &Suite,
    merchants: &[Keypair],
    customers: &[Keypair],
) -> Result<u32> {
    let mut claims = 0;
    for k in merchants.iter().chain(customers) {
        let a = account_of(k);
        let dry = chain
            .dry_run::<LedgerResult<(Balance, Balance)>>(&a, &suite.ledger, "claim", &u32::MAX)
            .await?;
        if dry.value.is_ok() {
            chain
                .call_ok::<(Balance, Balance), LedgerError>(
                    k,
                    &suite.ledger,
                    "claim",
                    &u32::MAX,
                    Finality::InBlock,
                )
                .await?;
            claims += 1;
        }
    }
    Ok(claims)
}

/// Midday: every merchant holding Biz locks half of it for the shortest
/// tier; the biggest locker proposes a higher Time cashback and all lockers
/// vote (the smallest against when there are three or more). `None` without
/// `locking` and `governance`, or without Biz to lock.
async fn propose(
    chain: &Chain,
    suite: &Suite,
    merchants: &[Keypair],
    sim: &Simulation,
    progress: &mut dyn Progress,
) -> Result<Option<Vote>> {
    let (Some(locking), Some(governance)) = (&suite.locking, &suite.governance) else {
        return Ok(None);
    };
    let mut lockers: Vec<(usize, Balance)> = Vec::new();
    for (i, m) in merchants.iter().enumerate() {
        let a = account_of(m);
        let amount = balance(chain, &suite.bt, &a, to_ink(&a)).await? / 2;
        if amount == 0 {
            continue;
        }
        chain
            .approve(m, &suite.bt, &locking.address, amount)
            .await?;
        chain
            .call_ok::<(), LockingError>(m, locking, "lock", &(amount, 0u8), Finality::InBlock)
            .await?;
        let weight = chain
            .dry_run::<Option<Lock>>(&a, locking, "lock_of", &to_ink(&a))
            .await?
            .value
            .map_or(0, |l| l.weight);
        lockers.push((i, weight));
    }
    if lockers.is_empty() {
        return Ok(None);
    }
    progress.step(&format!(
        "{} merchants locked half their Biz (voting weight, Time dividends)",
        lockers.len()
    ));

    // The biggest locker proposes; the ledger's parameters with a higher
    // cashback (back to the default if a former day raised it already),
    // everything else as it is.
    lockers.sort_by_key(|(i, w)| (std::cmp::Reverse(*w), *i));
    let proposer = lockers[0].0;
    let p = &merchants[proposer];
    let mut params = chain
        .dry_run::<LedgerParams>(&account_of(p), &suite.ledger, "params", &())
        .await?
        .value;
    let before = params.reward.cashback_ppm;
    let after = if before == PROPOSED_CASHBACK_PPM {
        LedgerParams::default().reward.cashback_ppm
    } else {
        PROPOSED_CASHBACK_PPM
    };
    params.reward.cashback_ppm = after;
    let description = format!(
        "Time cashback {} → {} (proposed by the {} #{proposer})",
        percent(before),
        percent(after),
        sim.merchants[proposer].category.as_str()
    );
    let id = chain
        .call_ok::<ProposalId, GovernanceError>(
            p,
            governance,
            "propose",
            &(
                Action::SetLedgerParams(params),
                Hash::from(blake2_256(description.as_bytes())),
            ),
            Finality::InBlock,
        )
        .await?
        .value;
    let against = (lockers.len() >= 3).then(|| lockers[lockers.len() - 1].0);
    for (i, _) in &lockers {
        let support = Some(*i) != against;
        chain
            .call_ok::<(), GovernanceError>(
                &merchants[*i],
                governance,
                "vote",
                &(id, support),
                Finality::InBlock,
            )
            .await?;
    }
    progress.step(&format!(
        "proposal #{id}: {description}; {} votes cast",
        lockers.len()
    ));
    Ok(Some(Vote {
        id,
        proposer,
        lockers: lockers.iter().map(|(i, _)| *i).collect(),
        cashback_before_ppm: before,
        cashback_after_ppm: after,
    }))
}

/// Waits for the vote to end and the execution delay to pass, executes the
/// proposal (anyone may; the admin does), and reads the outcome.
async fn execute(
    chain: &Chain,
    admin: &Keypair,
    suite: &Suite,
    vote: &Vote,
    proposer: String,
    progress: &mut dyn Progress,
) -> Result<GovernanceReport> {
    let governance = suite.governance()?;
    let admin_id = account_of(admin);
    let origin = &admin_id;
    let read = |id: ProposalId| async move {
        chain
            .dry_run::<Option<(Proposal, ProposalStatus)>>(origin, governance, "proposal", &id)
            .await
            .map(|d| d.value)
    };
    let config = chain
        .dry_run::<GovernanceConfig>(&admin_id, governance, "config", &())
        .await?
        .value;
    let (proposal, mut status) = read(vote.id)
        .await?
        .ok_or_else(|| ChainError::Plan(format!("proposal #{} vanished", vote.id)))?;
    let deadline = std::time::Instant::now()
        + std::time::Duration::from_millis(
            config.voting_period_ms + config.execution_delay_ms + 60_000,
        );
    if matches!(status, ProposalStatus::Active | ProposalStatus::Queued) {
        let wait = proposal.executable_at.saturating_sub(unix_ms());
        progress.step(&format!(
            "waiting {wait} ms for the vote on proposal #{} to end",
            vote.id
        ));
    }
    while matches!(status, ProposalStatus::Active | ProposalStatus::Queued) {
        if std::time::Instant::now() > deadline {
            return Err(ChainError::Timeout {
                what: format!("the vote on proposal #{}", vote.id),
                secs: (config.voting_period_ms + config.execution_delay_ms) / 1_000 + 60,
            });
        }
        let wait = proposal
            .executable_at
            .saturating_sub(unix_ms())
            .clamp(200, 1_000);
        tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
        // Time moves with blocks only: seal one so the status can change.
        chain.tick(admin).await?;
        status = read(vote.id).await?.map_or(status, |(_, s)| s);
    }
    if status == ProposalStatus::Executable {
        chain
            .call_ok::<(), GovernanceError>(
                admin,
                governance,
                "execute",
                &vote.id,
                Finality::InBlock,
            )
            .await?;
    }
    let (proposal, status) = read(vote.id)
        .await?
        .ok_or_else(|| ChainError::Plan(format!("proposal #{} vanished", vote.id)))?;
    let cashback = chain
        .dry_run::<LedgerParams>(&admin_id, &suite.ledger, "params", &())
        .await?
        .value
        .reward
        .cashback_ppm;
    progress.step(&format!(
        "proposal #{}: {status:?}; the ledger's Time cashback is {}",
        vote.id,
        percent(cashback)
    ));
    Ok(GovernanceReport {
        proposal: vote.id,
        proposer,
        what: format!(
            "Time cashback {} → {}",
            percent(vote.cashback_before_ppm),
            percent(vote.cashback_after_ppm)
        ),
        lockers: vote.lockers.len() as u32,
        votes_for: proposal.votes_for,
        votes_against: proposal.votes_against,
        status,
        cashback_before_ppm: vote.cashback_before_ppm,
        cashback_after_ppm: cashback,
    })
}

/// The emission is released (its dividend share goes to the lockers), the
/// first of `lockers` (the proposer, unless it sold nothing this morning:
/// a day run again) claims its dividend and publishes a task with half its
/// Time: one purchase at its shop, receipts confirmed since `sales_start`
/// count. A customer of one of its morning sales joins and claims with that
/// receipt. `None` without `locking` and `tasks`, or when no locker sold in
/// the morning.
#[allow(clippy::too_many_arguments)]
async fn task(
    chain: &Chain,
    admin: &Keypair,
    suite: &Suite,
    merchants: &[Keypair],
    customers: &[Keypair],
    lockers: &[usize],
    morning: &[(ReceiptId, usize, usize)],
    sales_start: Timestamp,
    (label, sim): (&dyn Fn(usize) -> String, &Simulation),
    progress: &mut dyn Progress,
) -> Result<Option<TaskReport>> {
    let (Some(locking), Some(tasks)) = (&suite.locking, &suite.tasks) else {
        return Ok(None);
    };
    let sale = lockers
        .iter()
        .find_map(|l| morning.iter().find(|(_, m, _)| m == l));
    let Some(&(receipt, merchant, customer)) = sale else {
        progress.step("no task: no locker sold anything this morning");
        return Ok(None);
    };
    let m = &merchants[merchant];
    let m_id = account_of(m);
    let emission = chain
        .call_ok::<Balance, LockingError>(
            admin,
            locking,
            "release_emission",
            &(),
            Finality::InBlock,
        )
        .await?
        .value;
    let dividend = chain
        .call_ok::<Balance, LockingError>(m, locking, "claim_dividends", &(), Finality::InBlock)
        .await?
        .value;
    progress.step(&format!(
        "emission released: {} TT minted; {} claimed {} TT of dividends",
        tokens(emission),
        label(merchant),
        tokens(dividend)
    ));

    let held = balance(chain, &suite.tt, &m_id, to_ink(&m_id)).await?;
    let reward = held / 2 / Balance::from(TASK_COMPLETIONS);
    if reward == 0 {
        return Err(ChainError::Plan(format!(
            "{} holds no Time to escrow",
            label(merchant)
        )));
    }
    let escrow = reward * Balance::from(TASK_COMPLETIONS);
    let name = format!(
        "Come back to {} #{merchant}",
        sim.merchants[merchant].category.as_str()
    );
    let now = chain.block_timestamp(chain.best_block().await?.1).await?;
    let terms = TaskTerms {
        name: name.clone(),
        description_hash: Hash::from(blake2_256(name.as_bytes())),
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
        start: sales_start,
        end: now + 3_600_000,
        claim_ms: 0,
        max_completions: TASK_COMPLETIONS,
    };
    chain.approve(m, &suite.tt, &tasks.address, escrow).await?;
    let id = chain
        .call_ok::<TaskId, TasksError>(m, tasks, "create_task", &(terms, escrow), Finality::InBlock)
        .await?
        .value;
    progress.step(&format!(
        "task #{id} \"{name}\": {} TT escrowed, {} TT per completion",
        tokens(escrow),
        tokens(reward)
    ));

    let c = &customers[customer];
    chain
        .call_ok::<(), TasksError>(
            c,
            tasks,
            "join",
            &(id, Vec::<ReceiptId>::new()),
            Finality::InBlock,
        )
        .await?;
    let paid = chain
        .call_ok::<Balance, TasksError>(c, tasks, "claim", &(id, vec![receipt]), Finality::InBlock)
        .await?
        .value;
    progress.step(&format!(
        "customer {customer} claimed task #{id} with receipt #{receipt}: {} TT",
        tokens(paid)
    ));
    Ok(Some(TaskReport {
        task: id,
        name,
        merchant: label(merchant),
        customer: format!("customer {customer}"),
        emission,
        dividend,
        escrow,
        reward: paid,
        receipt,
    }))
}

/// BT `of` has locked in `locking` (0 without it).
async fn locked(
    chain: &Chain,
    suite: &Suite,
    origin: &crate::AccountId32,
    of: AccountId,
) -> Result<Balance> {
    let Some(locking) = &suite.locking else {
        return Ok(0);
    };
    Ok(chain
        .dry_run::<Option<Lock>>(origin, locking, "lock_of", &of)
        .await?
        .value
        .map_or(0, |l| l.amount))
}

/// Parts per million as a percentage ("1.0 %").
fn percent(ppm: u32) -> String {
    format!("{:.1} %", f64::from(ppm) / 10_000.0)
}

async fn balance(
    chain: &Chain,
    token: &Contract,
    origin: &crate::AccountId32,
    of: AccountId,
) -> Result<Balance> {
    Ok(chain
        .dry_run::<Balance>(origin, token, "balance_of", &of)
        .await?
        .value)
}

/// Fees for the day. Each customer's first tokens come from its funder in
/// the simulation (an exchange, the friend who referred it, a sponsoring
/// shop, an employer: `sim::Funder`), in the simulation's order, because the
/// fraud model's funding features were trained on those: an index that saw
/// every account funded by the admin at once would score the day off its
/// training distribution. The admin funds the shops (every shop of the
/// simulated world, as some fund customers) and the wallets; each account
/// gets [`DAY_FEES`] for itself and as much for each account its tokens reach
/// (`Simulation::funding_reach`).
async fn fund_accounts(
    chain: &Chain,
    admin: &Keypair,
    config: &DayConfig,
    tag: &str,
    sim: &Simulation,
    customers: &[Keypair],
    progress: &mut dyn Progress,
) -> Result<()> {
    let root = config.admin_suri.expose();
    let reach = sim.funding_reach();
    let fees =
        |f: Funder, own: u128| DAY_FEES * (own + u128::from(reach.get(&f).copied().unwrap_or(0)));
    let mut funders: Vec<(Funder, Keypair)> = Vec::new();
    for f in &sim.fundings {
        if matches!(f.funder, Funder::Customer(_)) || funders.iter().any(|(g, _)| *g == f.funder) {
            continue;
        }
        let path = match f.funder {
            Funder::Merchant(m) => format!("//bizkey/{tag}/merchant/{m}"),
            Funder::Exchange(k) => format!("//bizkey/{tag}/exchange/{k}"),
            Funder::Operator(k) => format!("//bizkey/{tag}/wallet/{k}"),
            Funder::Employer(k) => format!("//bizkey/{tag}/employer/{k}"),
            Funder::Customer(_) => unreachable!("skipped above"),
        };
        funders.push((f.funder, derive(root, &path)?));
    }
    // The shops of the day that fund nobody still pay their own fees.
    for m in 0..config.merchants.min(sim.merchants.len() as u32) {
        let f = Funder::Merchant(m);
        if !funders.iter().any(|(g, _)| *g == f) {
            funders.push((f, derive(root, &format!("//bizkey/{tag}/merchant/{m}"))?));
        }
    }
    progress.step(&format!(
        "funding {} shops and wallets, then {} customers from their simulated funders",
        funders.len(),
        customers.len()
    ));
    let wallets: Vec<_> = funders
        .iter()
        .map(|(f, k)| (account_of(k), fees(*f, 1)))
        .collect();
    chain.fund_each(admin, &wallets, Finality::InBlock).await?;
    // In the simulation's order (a friend passes on tokens it has received),
    // a run of fundings by one funder in one batch.
    let key = |f: Funder| match f {
        Funder::Customer(c) => &customers[c as usize],
        _ => {
            &funders
                .iter()
                .find(|(g, _)| *g == f)
                .expect("derived above")
                .1
        }
    };
    let mut i = 0;
    while i < sim.fundings.len() {
        let funder = sim.fundings[i].funder;
        let run = sim.fundings[i..]
            .iter()
            .take_while(|f| f.funder == funder)
            .count();
        let to: Vec<_> = sim.fundings[i..i + run]
            .iter()
            .map(|f| {
                let account = account_of(&customers[f.account as usize]);
                (account, fees(Funder::Customer(f.account), 1))
            })
            .collect();
        chain.fund_each(key(funder), &to, Finality::InBlock).await?;
        i += run;
    }
    Ok(())
}

/// Native tokens for one account's fees of the day.
const DAY_FEES: u128 = 1_000 * UNIT;

fn derive(root_suri: &str, path: &str) -> Result<Keypair> {
    keypair(&format!("{root_suri}{path}"))
}

fn category(name: &str) -> Category {
    match name {
        "restaurant" => Category::Restaurant,
        "cafe" => Category::Cafe,
        "grocery" => Category::Grocery,
        "bakery" => Category::Bakery,
        "fashion" => Category::Retail,
        "salon" => Category::Beauty,
        _ => Category::Other,
    }
}
