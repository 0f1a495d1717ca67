//! The commands of merchants, customers and voters: each state change is
//! dry-run first (value, gas, storage deposit, fee shown), then signed and
//! sent, unless `--dry-run`.

use crate::report::{Out, Report, Step};
use anyhow::{bail, Context, Result};
use bizkey_chain::sdk::pos::receipt_detail;
use bizkey_chain::sdk::pos::{Pos, Sale};
use bizkey_chain::sdk::{Action, Refusal, Session};
use bizkey_chain::{accounts, AccountId32, Keypair, Manifest};
use bizkey_store::detail::ReceiptDetail;
use bizkey_types::governance::{Action as Proposal, ProposalId};
use bizkey_types::ledger::{LedgerParams, ReceiptId};
use bizkey_types::math::{Channel, ShopCost, TIME_UNITS_PER_CENT};
use bizkey_types::registry::{Category, MerchantProfile};
use bizkey_types::reviews::{Rating, Reaction};
use bizkey_types::tasks::{Eligibility, PurchaseRule, Reward, Rule, RuleMode, TaskId, TaskTerms};
use bizkey_types::{Balance, Hash, Named};
use clap::{Args, Subcommand};
use scale::Decode;
use std::fmt::Debug;
use std::path::PathBuf;

/// Where the suite is and who signs.
#[derive(Args, Debug)]
pub struct Ctx {
    /// The deployment manifest (`bizkey deploy --out`).
    #[arg(
        long,
        global = true,
        env = "BIZKEY_MANIFEST",
        default_value = "deployment.json"
    )]
    manifest: PathBuf,
    /// Node URL; defaults to the manifest's.
    #[arg(long, global = true, env = "BIZKEY_NODE_URL")]
    url: Option<String>,
    /// A file holding the signer's secret URI or mnemonic (else `BIZKEY_SURI`).
    #[arg(long, global = true, env = "BIZKEY_KEY_FILE")]
    key_file: Option<PathBuf>,
    /// Dry-run only: show what the call would return and cost, send nothing.
    #[arg(long, global = true)]
    dry_run: bool,
    /// The GraphQL API receipt details are posted to (`bizkey-graphql`).
    #[arg(long, global = true, env = "BIZKEY_INDEX_URL")]
    index: Option<String>,
}

impl Ctx {
    /// The signer: from `--key-file`, else `BIZKEY_SURI`. Never echoed.
    fn key(&self) -> Result<Keypair> {
        let secret = match &self.key_file {
            Some(path) => std::fs::read_to_string(path)
                .with_context(|| format!("reading the key file {}", path.display()))?,
            None => match std::env::var("BIZKEY_SURI") {
                Ok(s) => s,
                Err(_) => bail!("no signing key: pass --key-file FILE or set BIZKEY_SURI"),
            },
        };
        Ok(accounts::keypair(secret.trim())?)
    }

    async fn session_as(&self, key: Keypair) -> Result<Session> {
        let manifest = Manifest::load(&self.manifest)?;
        Ok(Session::connect(&manifest, self.url.as_deref(), key).await?)
    }

    async fn session(&self) -> Result<Session> {
        let key = self.key()?;
        self.session_as(key).await
    }
}

#[derive(Subcommand, Debug)]
pub enum MerchantCmd {
    /// Register the signer as a merchant (pending until verified).
    Register {
        #[arg(long)]
        name: String,
        /// restaurant, cafe, grocery, bakery, bar, retail, beauty, services, other.
        #[arg(long, value_parser = named::<Category>)]
        category: Category,
        /// Geohash or city code of the shop.
        #[arg(long)]
        location: String,
        #[arg(long)]
        area_sqft: u32,
        #[arg(long)]
        staff: u32,
        /// Rent per square foot and day (e.g. 0.40).
        #[arg(long, value_parser = cents)]
        rent: u128,
        /// Wage per staff member and day (e.g. 120.00).
        #[arg(long, value_parser = cents)]
        wage: u128,
        /// Most of a sale payable in Time, percent.
        #[arg(long, default_value = "30")]
        time_share_pct: u32,
        #[arg(long, value_parser = account)]
        referrer: Option<AccountId32>,
        /// The licence document (its blake2-256 goes on-chain).
        #[arg(long)]
        licence: Option<PathBuf>,
    },
    /// Record a sale; the customer confirms it.
    Record {
        #[arg(long, value_parser = account)]
        customer: AccountId32,
        #[command(flatten)]
        sale: SaleArgs,
    },
    /// Confirm a receipt the customer opened.
    Confirm { id: ReceiptId },
    /// Cancel a receipt the merchant opened (before it is confirmed).
    Cancel { id: ReceiptId },
    /// Claim matured Biz (and Time) rewards.
    Claim {
        /// Most receipts paid out in one call.
        #[arg(long, default_value_t = 100, value_parser = positive_u32)]
        max: u32,
    },
    /// Rate the customer of a confirmed receipt, optionally replying to its review.
    RateReply {
        id: ReceiptId,
        /// 1..=5.
        #[arg(long, value_parser = score)]
        score: u8,
        /// A reply (its blake2-256 goes on-chain as a `Reply` reaction).
        #[arg(long)]
        reply: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum CustomerCmd {
    /// Open a receipt (e.g. an order placed online); the merchant confirms it.
    Open {
        #[arg(long, value_parser = account)]
        merchant: AccountId32,
        #[command(flatten)]
        sale: SaleArgs,
    },
    /// Confirm a receipt the merchant recorded.
    Confirm { id: ReceiptId },
    /// Claim matured Time cashback (and referral bonuses).
    Claim {
        #[arg(long, default_value_t = 100, value_parser = positive_u32)]
        max: u32,
    },
    /// Pay part of a purchase in Time: approve the ledger, open the receipt.
    SpendTime {
        #[arg(long, value_parser = account)]
        merchant: AccountId32,
        /// Time to spend, in cents' worth (e.g. 2.00).
        #[arg(long, value_parser = positive_cents)]
        time: u128,
        #[command(flatten)]
        sale: SaleArgs,
    },
    /// Rate the merchant of a confirmed receipt (1..=5 each).
    Rate {
        id: ReceiptId,
        #[arg(long, value_parser = score)]
        product: u8,
        #[arg(long, value_parser = score)]
        service: u8,
        #[arg(long, value_parser = score)]
        environment: u8,
        /// A comment (its blake2-256 goes on-chain).
        #[arg(long)]
        comment: Option<String>,
    },
    /// React to a receipt: like, comment, share, view.
    React {
        id: ReceiptId,
        #[arg(long, value_parser = named::<Reaction>)]
        kind: Reaction,
        /// The comment or shared text (its blake2-256 goes on-chain).
        #[arg(long, default_value = "")]
        content: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum GovCmd {
    /// Lock Biz for voting weight and Time dividends (approves `locking` first).
    Lock {
        /// Biz, e.g. 12.5.
        #[arg(long, value_parser = positive_tokens)]
        amount: Balance,
        /// Lock tier (index in the locking configuration; longer earns more weight).
        #[arg(long, default_value_t = 0)]
        tier: u8,
    },
    /// Take back locked Biz after the lock's term.
    Unlock,
    /// Propose a change; lock holders vote.
    Propose {
        #[command(subcommand)]
        what: ProposalCmd,
        /// The proposal's text (its blake2-256 goes on-chain).
        #[arg(long, global = true, default_value = "")]
        description: String,
    },
    /// Vote on a proposal with the signer's lock weight.
    Vote {
        id: ProposalId,
        /// `yes` or `no`.
        #[arg(value_parser = yes_no, action = clap::ArgAction::Set)]
        support: bool,
    },
    /// Execute a passed proposal once its delay is over.
    Execute { id: ProposalId },
}

#[derive(Subcommand, Debug)]
pub enum ProposalCmd {
    /// The Time cashback on sales, percent of the amount.
    Cashback {
        #[arg(value_parser = percent_ppm)]
        percent: u32,
    },
    /// The ledger's challenge window, ms.
    ChallengeWindow { ms: u64 },
    /// Remove a merchant (forfeits its pending rewards, burns its Biz).
    RemoveMerchant {
        #[arg(value_parser = account)]
        account: AccountId32,
    },
    /// Remove a customer (forfeits its pending rewards, burns its Time).
    RemoveCustomer {
        #[arg(value_parser = account)]
        account: AccountId32,
    },
    /// Suspend a merchant (its sales are not confirmed), or with
    /// `--customer` a customer (it cannot buy).
    Suspend {
        #[arg(value_parser = account)]
        account: AccountId32,
        #[arg(long)]
        customer: bool,
    },
    /// Lift a suspension: the merchant is verified again, or with
    /// `--customer` the customer active again.
    Reinstate {
        #[arg(value_parser = account)]
        account: AccountId32,
        #[arg(long)]
        customer: bool,
    },
    /// Pay Biz from the treasury.
    TreasurySpend {
        #[arg(value_parser = account)]
        to: AccountId32,
        #[arg(value_parser = positive_tokens)]
        amount: Balance,
    },
}

#[derive(Subcommand, Debug)]
pub enum TaskCmd {
    /// Publish a "come back" task: purchases at the signer's shop earn Time
    /// (escrows reward × completions; approves `tasks` first).
    Publish {
        #[arg(long)]
        name: String,
        /// Time paid per completion, e.g. 1.5.
        #[arg(long, value_parser = positive_tokens)]
        reward: Balance,
        #[arg(long, default_value_t = 10, value_parser = positive_u32)]
        completions: u32,
        /// Purchases at the shop a completion needs.
        #[arg(long, default_value_t = 1, value_parser = positive_u32)]
        purchases: u32,
        /// How long the task runs, hours from now.
        #[arg(long, default_value_t = 24)]
        hours: u64,
    },
    /// Join a task.
    Join {
        id: TaskId,
        /// Receipts proving eligibility, where the task asks for them.
        #[arg(long, value_delimiter = ',')]
        proof: Vec<ReceiptId>,
    },
    /// Claim a task's reward with the receipts that complete it.
    Claim {
        id: TaskId,
        #[arg(long, value_delimiter = ',', required = true)]
        receipts: Vec<ReceiptId>,
    },
}

#[derive(Subcommand, Debug)]
pub enum QueryCmd {
    /// Biz, Time and locked Biz of an account (default: the signer).
    Balance {
        #[arg(value_parser = account)]
        account: Option<AccountId32>,
    },
    /// A receipt.
    Receipt { id: ReceiptId },
    /// What an account could claim now (default: the signer).
    Rewards {
        #[arg(value_parser = account)]
        account: Option<AccountId32>,
    },
    /// A proposal, its tally and status.
    Proposal { id: ProposalId },
}

/// A sale's order, from the command line.
#[derive(Args, Debug)]
pub struct SaleArgs {
    /// Amount paid (Time included), e.g. 12.50.
    #[arg(long, value_parser = positive_cents, required_unless_present = "detail")]
    amount: Option<u128>,
    /// The full receipt detail as JSON (store/src/detail.rs) instead of --amount.
    #[arg(long, conflicts_with_all = ["amount", "items"])]
    detail: Option<PathBuf>,
    /// Lines on the receipt (with --amount).
    #[arg(long, default_value_t = 1, value_parser = positive_u32)]
    items: u32,
    /// The shop's order number (default: now in ms).
    #[arg(long)]
    order_id: Option<u64>,
    /// A sale outside the shop (delivery, online).
    #[arg(long)]
    outside: bool,
}

impl SaleArgs {
    fn sale(&self, counterparty: AccountId32, time_cents: u128) -> Result<Sale> {
        let detail: ReceiptDetail = match (&self.detail, self.amount) {
            (Some(path), _) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                serde_json::from_str(&text)
                    .with_context(|| format!("{} is not a receipt detail", path.display()))?
            }
            (None, Some(amount)) => {
                let amount = u64::try_from(amount).context("the amount is too large")?;
                receipt_detail("", amount, self.items, time_cents)
            }
            (None, None) => bail!("give --amount or --detail"),
        };
        let order_id = self.order_id.unwrap_or_else(bizkey_store::unix_ms);
        Ok(Sale {
            customer: counterparty,
            order_id,
            channel: if self.outside {
                Channel::Outside
            } else {
                Channel::InStore
            },
            order_time: None,
            detail,
        })
    }
}

pub async fn merchant(ctx: &Ctx, cmd: MerchantCmd, report: &mut Report) -> Result<()> {
    let s = ctx.session().await?;
    match cmd {
        MerchantCmd::Register {
            name,
            category,
            location,
            area_sqft,
            staff,
            rent,
            wage,
            time_share_pct,
            referrer,
            licence,
        } => {
            if time_share_pct > 100 {
                bail!("--time-share-pct must be 0..=100, got {time_share_pct}");
            }
            let licence_hash = match licence {
                Some(path) => blake2(
                    &std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?,
                ),
                None => Hash::default(),
            };
            let profile = MerchantProfile {
                name,
                category,
                location,
                cost: ShopCost {
                    area_sqft,
                    staff,
                    rent_per_sqft_day: rent,
                    wage_per_day: wage,
                },
                licence_hash,
            };
            let action =
                s.register_merchant(profile, referrer.as_ref(), time_share_pct * 10_000)?;
            step(ctx, &s, action, report, |()| {
                "registered (pending verification)".into()
            })
            .await?;
        }
        MerchantCmd::Record { customer, sale } => {
            let sale = sale.sale(customer, 0)?;
            record(ctx, &s, sale, report).await?;
        }
        MerchantCmd::Confirm { id } => {
            step(ctx, &s, s.confirm(id)?, report, |()| {
                format!("receipt #{id} confirmed")
            })
            .await?;
        }
        MerchantCmd::Cancel { id } => {
            step(ctx, &s, s.cancel(id)?, report, |()| {
                format!("receipt #{id} cancelled")
            })
            .await?;
        }
        MerchantCmd::Claim { max } => claim(ctx, &s, max, report).await?,
        MerchantCmd::RateReply { id, score, reply } => {
            let rating = Rating::Customer { score };
            step(ctx, &s, s.rate(id, rating, None)?, report, |()| {
                format!("customer of receipt #{id} rated {score}/5")
            })
            .await?;
            if let Some(reply) = reply {
                let action = s.react(id, Reaction::Reply, blake2(reply.as_bytes()))?;
                step(ctx, &s, action, report, |()| {
                    format!("replied on receipt #{id}")
                })
                .await?;
            }
        }
    }
    Ok(())
}

pub async fn customer(ctx: &Ctx, cmd: CustomerCmd, report: &mut Report) -> Result<()> {
    let s = ctx.session().await?;
    match cmd {
        CustomerCmd::Open { merchant, sale } => {
            let sale = sale.sale(merchant.clone(), 0)?;
            open(ctx, &s, &merchant, &sale, report).await?;
        }
        CustomerCmd::Confirm { id } => {
            step(ctx, &s, s.confirm(id)?, report, |()| {
                format!("receipt #{id} confirmed")
            })
            .await?;
        }
        CustomerCmd::Claim { max } => claim(ctx, &s, max, report).await?,
        CustomerCmd::SpendTime {
            merchant,
            time,
            sale,
        } => {
            let sale = sale.sale(merchant.clone(), time)?;
            let paid = sale.order(0).time_paid;
            if paid != time * TIME_UNITS_PER_CENT {
                bail!("the receipt detail's Time deductions do not add up to --time");
            }
            if let Some(approve) = s.time_payment_approval(paid).await? {
                step(ctx, &s, approve, report, |()| {
                    "the ledger may move the Time".into()
                })
                .await?;
                if ctx.dry_run {
                    report.note("the sale itself can be dry-run once the approval is sent");
                    return Ok(());
                }
            }
            open(ctx, &s, &merchant, &sale, report).await?;
        }
        CustomerCmd::Rate {
            id,
            product,
            service,
            environment,
            comment,
        } => {
            let rating = Rating::Merchant {
                product,
                service,
                environment,
            };
            let comment = comment.map(|c| blake2(c.as_bytes()));
            step(ctx, &s, s.rate(id, rating, comment)?, report, |()| {
                format!("merchant of receipt #{id} rated")
            })
            .await?;
        }
        CustomerCmd::React { id, kind, content } => {
            let action = s.react(id, kind, blake2(content.as_bytes()))?;
            step(ctx, &s, action, report, |()| {
                format!("{} on receipt #{id}", kind.as_str())
            })
            .await?;
        }
    }
    Ok(())
}

pub async fn gov(ctx: &Ctx, cmd: GovCmd, report: &mut Report) -> Result<()> {
    let s = ctx.session().await?;
    match cmd {
        GovCmd::Lock { amount, tier } => {
            let locking = s.suite.locking()?.address.clone();
            if let Some(approve) = s.approval(&s.suite.bt, &locking, amount).await? {
                step(ctx, &s, approve, report, |()| {
                    "locking may move the Biz".into()
                })
                .await?;
                if ctx.dry_run {
                    report.note("the lock itself can be dry-run once the approval is sent");
                    return Ok(());
                }
            }
            step(ctx, &s, s.lock(amount, tier)?, report, |()| {
                format!("{} Biz locked (tier {tier})", tokens(amount))
            })
            .await?;
        }
        GovCmd::Unlock => {
            step(ctx, &s, s.unlock()?, report, |()| "unlocked".into()).await?;
        }
        GovCmd::Propose { what, description } => {
            let action = proposal(&s, what).await?;
            let action = s.propose(action, blake2(description.as_bytes()))?;
            step(ctx, &s, action, report, |id| format!("proposal #{id}")).await?;
        }
        GovCmd::Vote { id, support } => {
            step(ctx, &s, s.vote(id, support)?, report, |()| {
                format!(
                    "voted {} on proposal #{id}",
                    if support { "yes" } else { "no" }
                )
            })
            .await?;
        }
        GovCmd::Execute { id } => {
            step(ctx, &s, s.execute(id)?, report, |()| {
                format!("proposal #{id} executed")
            })
            .await?;
        }
    }
    Ok(())
}

/// The governance action of a proposal command (ledger parameters are the
/// current ones with one field changed).
async fn proposal(s: &Session, what: ProposalCmd) -> Result<Proposal> {
    let params = || async {
        anyhow::Ok(
            s.chain
                .dry_run::<LedgerParams>(s.account(), &s.suite.ledger, "params", &())
                .await?
                .value,
        )
    };
    Ok(match what {
        ProposalCmd::Cashback { percent } => {
            let mut p = params().await?;
            p.reward.cashback_ppm = percent;
            Proposal::SetLedgerParams(p)
        }
        ProposalCmd::ChallengeWindow { ms } => {
            let mut p = params().await?;
            p.challenge_ms = ms;
            Proposal::SetLedgerParams(p)
        }
        ProposalCmd::RemoveMerchant { account } => {
            Proposal::RemoveMerchant(accounts::to_ink(&account))
        }
        ProposalCmd::RemoveCustomer { account } => {
            Proposal::RemoveCustomer(accounts::to_ink(&account))
        }
        ProposalCmd::Suspend { account, customer } => Proposal::SetSuspended {
            account: accounts::to_ink(&account),
            merchant: !customer,
            suspended: true,
        },
        ProposalCmd::Reinstate { account, customer } => Proposal::SetSuspended {
            account: accounts::to_ink(&account),
            merchant: !customer,
            suspended: false,
        },
        ProposalCmd::TreasurySpend { to, amount } => Proposal::TreasurySpend {
            to: accounts::to_ink(&to),
            amount,
        },
    })
}

pub async fn task(ctx: &Ctx, cmd: TaskCmd, report: &mut Report) -> Result<()> {
    let s = ctx.session().await?;
    match cmd {
        TaskCmd::Publish {
            name,
            reward,
            completions,
            purchases,
            hours,
        } => {
            let escrow = reward
                .checked_mul(Balance::from(completions))
                .context("reward × completions overflows")?;
            let now = s.now().await?;
            let terms = TaskTerms {
                description_hash: blake2(name.as_bytes()),
                name,
                mode: RuleMode::Any,
                rules: vec![Rule::Purchases(PurchaseRule {
                    merchants: vec![accounts::to_ink(s.account())],
                    min_count: purchases,
                    min_amount: 0,
                    distinct_merchants: 0,
                })],
                reward: Reward::Fixed(reward),
                eligibility: Eligibility::Anyone,
                penalty: 0,
                start: now,
                end: now.saturating_add(hours.saturating_mul(3_600_000)),
                claim_ms: 0,
                max_completions: completions,
            };
            let tasks = s.suite.tasks()?.address.clone();
            if let Some(approve) = s.approval(&s.suite.tt, &tasks, escrow).await? {
                step(ctx, &s, approve, report, |()| {
                    "tasks may move the Time".into()
                })
                .await?;
                if ctx.dry_run {
                    report.note("the task itself can be dry-run once the approval is sent");
                    return Ok(());
                }
            }
            step(ctx, &s, s.publish_task(terms, escrow)?, report, |id| {
                format!("task #{id}: {} Time escrowed", tokens(escrow))
            })
            .await?;
        }
        TaskCmd::Join { id, proof } => {
            step(ctx, &s, s.join_task(id, proof)?, report, |()| {
                format!("joined task #{id}")
            })
            .await?;
        }
        TaskCmd::Claim { id, receipts } => {
            step(ctx, &s, s.claim_task(id, receipts)?, report, |paid| {
                format!("task #{id} paid {} Time", tokens(*paid))
            })
            .await?;
        }
    }
    Ok(())
}

pub async fn query(ctx: &Ctx, cmd: QueryCmd, report: &mut Report) -> Result<()> {
    // Reads need no key; an account argument falls back to the signer's.
    let key = ctx.key();
    let who = |a: Option<AccountId32>| -> Result<AccountId32> {
        match (a, &key) {
            (Some(a), _) => Ok(a),
            (None, Ok(k)) => Ok(accounts::account_of(k)),
            (None, Err(_)) => {
                bail!("give an account, or a key (--key-file or BIZKEY_SURI) to read the signer's")
            }
        }
    };
    // Dry runs need an origin; a throwaway key when none is given.
    let origin = match &key {
        Ok(k) => k.clone(),
        Err(_) => accounts::keypair("//bizkey-query")?,
    };
    match cmd {
        QueryCmd::Balance { account } => {
            let account = who(account)?;
            let s = ctx.session_as(origin).await?;
            let b = s.balances(&account).await?;
            report.value(
                format!(
                    "{account}: {} Biz, {} Time, {} Biz locked",
                    tokens(b.biz),
                    tokens(b.time),
                    tokens(b.locked)
                ),
                serde_json::json!({
                    "account": account.to_string(),
                    "biz": b.biz.to_string(),
                    "time": b.time.to_string(),
                    "locked": b.locked.to_string(),
                }),
            );
        }
        QueryCmd::Rewards { account } => {
            let account = who(account)?;
            let s = ctx.session_as(origin).await?;
            let (biz, time) = s.claimable(&account).await?;
            report.value(
                format!(
                    "{account} can claim {} Biz and {} Time now",
                    tokens(biz),
                    tokens(time)
                ),
                serde_json::json!({
                    "account": account.to_string(),
                    "biz": biz.to_string(),
                    "time": time.to_string(),
                }),
            );
        }
        QueryCmd::Receipt { id } => {
            let s = ctx.session_as(origin).await?;
            let Some(r) = s.receipt(id).await? else {
                return Err(refused(
                    "ledger",
                    "receipt",
                    bizkey_types::ledger::LedgerError::ReceiptNotFound.into(),
                ));
            };
            report.value(
                format!(
                    "receipt #{id}: {} by {}, merchant {}, customer {}, {} cents ({} in Time), {} Biz / {} Time reserved, deadline {}",
                    r.status.as_str(),
                    r.opened_by.as_str(),
                    accounts::from_ink(&r.merchant),
                    accounts::from_ink(&r.customer),
                    r.order.amount,
                    tokens(r.order.time_paid),
                    tokens(r.biz),
                    tokens(r.time),
                    r.deadline
                ),
                serde_json::json!({
                    "id": id,
                    "status": r.status.as_str(),
                    "opened_by": r.opened_by.as_str(),
                    "merchant": accounts::from_ink(&r.merchant).to_string(),
                    "customer": accounts::from_ink(&r.customer).to_string(),
                    "order_id": r.order.order_id,
                    "amount_cents": r.order.amount.to_string(),
                    "time_paid": r.order.time_paid.to_string(),
                    "detail_hash": format!("0x{}", hex::encode(r.order.detail_hash)),
                    "biz": r.biz.to_string(),
                    "time": r.time.to_string(),
                    "deadline": r.deadline,
                }),
            );
        }
        QueryCmd::Proposal { id } => {
            let s = ctx.session_as(origin).await?;
            let Some((p, status)) = s.proposal(id).await? else {
                return Err(refused(
                    "governance",
                    "proposal",
                    bizkey_types::governance::GovernanceError::ProposalNotFound.into(),
                ));
            };
            report.value(
                format!(
                    "proposal #{id}: {}, {} for / {} against (lock weight), executable from {}",
                    status.as_str(),
                    tokens(p.votes_for),
                    tokens(p.votes_against),
                    p.executable_at
                ),
                serde_json::json!({
                    "id": id,
                    "status": status.as_str(),
                    "proposer": accounts::from_ink(&p.proposer).to_string(),
                    "votes_for": p.votes_for.to_string(),
                    "votes_against": p.votes_against.to_string(),
                    "executable_at": p.executable_at,
                    "action": format!("{:?}", p.action),
                }),
            );
        }
    }
    Ok(())
}

/// Records a sale and, with an index, posts its detail.
async fn record(ctx: &Ctx, s: &Session, sale: Sale, report: &mut Report) -> Result<()> {
    let order = sale.order(s.now().await?);
    let id = step(ctx, s, s.record(&sale.customer, order)?, report, |id| {
        format!("receipt #{id} recorded; the customer confirms it")
    })
    .await?;
    post_detail(ctx, s, id, &sale.detail, report).await
}

/// Opens a receipt with the merchant and, with an index, posts its detail.
async fn open(
    ctx: &Ctx,
    s: &Session,
    merchant: &AccountId32,
    sale: &Sale,
    report: &mut Report,
) -> Result<()> {
    let order = sale.order(s.now().await?);
    let id = step(ctx, s, s.open(merchant, order)?, report, |id| {
        format!("receipt #{id} opened; the merchant confirms it")
    })
    .await?;
    post_detail(ctx, s, id, &sale.detail, report).await
}

async fn post_detail(
    ctx: &Ctx,
    s: &Session,
    id: Option<ReceiptId>,
    detail: &ReceiptDetail,
    report: &mut Report,
) -> Result<()> {
    let (Some(id), Some(index)) = (id, &ctx.index) else {
        return Ok(());
    };
    Pos::new(s.clone())
        .with_index(index.clone())
        .post_detail(id, detail)
        .await?;
    report.note(&format!("detail of receipt #{id} attached in the index"));
    Ok(())
}

async fn claim(ctx: &Ctx, s: &Session, max: u32, report: &mut Report) -> Result<()> {
    step(ctx, s, s.claim(max)?, report, |(biz, time)| {
        format!("claimed {} Biz and {} Time", tokens(*biz), tokens(*time))
    })
    .await?;
    Ok(())
}

/// Dry-runs an action, reports it, and (unless `--dry-run`) sends it and
/// reports where it landed. The value is `None` for a dry run.
async fn step<T: Decode + Debug + Out, E: Decode + Debug + Into<Refusal>>(
    ctx: &Ctx,
    s: &Session,
    action: Action<T, E>,
    report: &mut Report,
    describe: impl Fn(&T) -> String,
) -> Result<Option<T>> {
    let label = action.label();
    let quoted = s.quote(action).await?;
    let mut step = Step::quoted(&label, &quoted.quote);
    if ctx.dry_run {
        step.done(describe(quoted.value()), quoted.value());
        report.step(step);
        return Ok(None);
    }
    let sent = s.send(quoted).await?;
    step.included(&sent.included);
    step.done(describe(&sent.value), &sent.value);
    report.step(step);
    Ok(Some(sent.value))
}

fn refused(contract: &str, message: &str, refusal: Refusal) -> anyhow::Error {
    bizkey_chain::sdk::SdkError::Refused {
        contract: contract.into(),
        message: message.into(),
        refusal,
    }
    .into()
}

fn blake2(data: &[u8]) -> Hash {
    Hash::from(bizkey_store::blake2_256(data))
}

use bizkey_chain::deploy::tokens;

// Argument parsers: one clear line for each bad input.

fn account(s: &str) -> Result<AccountId32, String> {
    s.parse::<AccountId32>()
        .map_err(|_| format!("malformed account `{s}` (expected an SS58 address)"))
}

fn named<T: Named>(s: &str) -> Result<T, String> {
    T::ALL
        .iter()
        .copied()
        .find(|v| v.as_str().eq_ignore_ascii_case(s))
        .ok_or_else(|| {
            let names: Vec<_> = T::ALL.iter().map(|v| v.as_str().to_lowercase()).collect();
            format!("`{s}` is not one of {}", names.join(", "))
        })
}

/// A decimal with at most `decimals` places, scaled to an integer.
fn decimal(s: &str, decimals: u32) -> Result<u128, String> {
    let bad = || format!("`{s}` is not an amount with at most {decimals} decimals");
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > decimals as usize
    {
        return Err(bad());
    }
    let scale = 10u128.pow(decimals);
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let frac: u128 = if frac.is_empty() {
        0
    } else {
        frac.parse::<u128>().map_err(|_| bad())? * 10u128.pow(decimals - frac.len() as u32)
    };
    whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(frac))
        .ok_or_else(bad)
}

fn nonzero(v: u128, s: &str) -> Result<u128, String> {
    if v == 0 {
        Err(format!("the amount must be positive, got `{s}`"))
    } else {
        Ok(v)
    }
}

fn cents(s: &str) -> Result<u128, String> {
    decimal(s, 2)
}

fn positive_cents(s: &str) -> Result<u128, String> {
    nonzero(decimal(s, 2)?, s)
}

/// Biz or Time (12 decimals).
fn positive_tokens(s: &str) -> Result<Balance, String> {
    nonzero(decimal(s, 12)?, s)
}

fn positive_u32(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(v) => Ok(v),
        Err(_) => Err(format!("`{s}` is not a whole number")),
    }
}

fn score(s: &str) -> Result<u8, String> {
    match s.parse::<u8>() {
        Ok(v @ 1..=5) => Ok(v),
        _ => Err(format!("`{s}` is not a score from 1 to 5")),
    }
}

fn percent_ppm(s: &str) -> Result<u32, String> {
    let ppm = decimal(s, 4)?;
    if ppm > 1_000_000 {
        return Err(format!("`{s}` is more than 100 %"));
    }
    Ok(ppm as u32)
}

fn yes_no(s: &str) -> Result<bool, String> {
    match s {
        "yes" | "for" => Ok(true),
        "no" | "against" => Ok(false),
        _ => Err(format!("`{s}`: vote `yes` or `no`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_exactly_or_not_at_all() {
        assert_eq!(cents("12.50"), Ok(1_250));
        assert_eq!(cents("12"), Ok(1_200));
        assert_eq!(cents(".5"), Ok(50));
        assert!(cents("12.505").is_err());
        assert!(cents("-1").is_err());
        assert!(cents("1e3").is_err());
        assert!(cents("").is_err());
        assert!(cents(".").is_err());
        assert!(positive_cents("0.00").is_err());
        assert_eq!(positive_tokens("1.5"), Ok(1_500_000_000_000));
        assert!(positive_tokens("340282366920938463463374607431768211455").is_err());
        assert_eq!(percent_ppm("2"), Ok(20_000));
        assert_eq!(percent_ppm("0.25"), Ok(2_500));
        assert!(percent_ppm("101").is_err());
    }

    #[test]
    fn names_and_accounts() {
        assert_eq!(named::<Category>("cafe"), Ok(Category::Cafe));
        assert_eq!(named::<Reaction>("Like"), Ok(Reaction::Like));
        assert!(named::<Reaction>("love")
            .unwrap_err()
            .contains("like, comment"));
        assert!(account("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY").is_ok());
        assert!(account("alice")
            .unwrap_err()
            .contains("malformed account `alice`"));
        assert_eq!(score("0").unwrap_err(), "`0` is not a score from 1 to 5");
        assert_eq!(yes_no("yes"), Ok(true));
    }
}
