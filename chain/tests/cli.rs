//! The `bizkey` people commands against a real node: every subcommand does
//! what it says on the chain, and every bad input gives one line, an exit
//! code ≠ 0 and no new block (nothing submitted).

use crate::harness::{contracts_dir, start_node};
use bizkey_chain::accounts::{account_of, keypair, to_ink};
use bizkey_chain::deploy::{deploy_suite_with, DeployOptions, UNIT};
use bizkey_chain::{Chain, Contract, Finality, Manifest, Suite};
use bizkey_types::governance::{Action, Proposal, ProposalStatus};
use bizkey_types::ledger::{LedgerError, LedgerParams, Receipt, ReceiptStatus};
use bizkey_types::locking::Lock;
use bizkey_types::math::TIME_UNITS_PER_CENT;
use bizkey_types::psp22::PSP22Error;
use bizkey_types::registry::{Merchant, MerchantStatus, RegistryError};
use bizkey_types::reviews::{RATED_BY_CUSTOMER, RATED_BY_MERCHANT};
use bizkey_types::Balance;
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const MERCHANT: &str = "//Alice//cli/merchant";
const CUSTOMER: &str = "//Alice//cli/customer";
const CHALLENGE_MS: u64 = 3_000;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The `--json` document on stdout.
    fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", self.stdout, self.stderr))
    }

    /// The return value of step `i` of a `--json` run.
    fn value(&self, i: usize) -> Value {
        self.json()["steps"][i]["value"].clone()
    }
}

/// `bizkey ARGS` signed by `suri` (through `BIZKEY_SURI`; `None`: no key).
fn bizkey(manifest: &Path, suri: Option<&str>, args: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bizkey"));
    cmd.args(args)
        .env("BIZKEY_MANIFEST", manifest)
        .env_remove("BIZKEY_SURI")
        .env_remove("BIZKEY_KEY_FILE")
        .env_remove("BIZKEY_NODE_URL")
        .env_remove("BIZKEY_INDEX_URL");
    if let Some(suri) = suri {
        cmd.env("BIZKEY_SURI", suri);
    }
    let out = cmd.output().expect("run bizkey");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    // The secret never appears, whatever happened.
    if let Some(suri) = suri {
        let secret = suri.trim_start_matches('/');
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "the secret was printed: {} {}",
            run.stdout,
            run.stderr
        );
    }
    run
}

/// `merchant record` of `amount` to `customer` as order `order`: the receipt id.
fn record(manifest: &Path, customer: &str, amount: &str, order: &str) -> u64 {
    let args = [
        "merchant",
        "record",
        "--customer",
        customer,
        "--amount",
        amount,
        "--order-id",
        order,
        "--json",
    ];
    ok(manifest, Some(MERCHANT), &args)
        .value(0)
        .as_u64()
        .unwrap()
}

/// A run that must succeed.
fn ok(manifest: &Path, suri: Option<&str>, args: &[&str]) -> Run {
    let run = bizkey(manifest, suri, args);
    assert_eq!(
        run.code, 0,
        "bizkey {args:?} failed:\n{}\n{}",
        run.stdout, run.stderr
    );
    run
}

async fn balance(chain: &Chain, token: &Contract, of: &str) -> Balance {
    let a = account_of(&keypair(of).unwrap());
    chain
        .dry_run::<Balance>(&a, token, "PSP22::balance_of", &to_ink(&a))
        .await
        .unwrap()
        .value
}

async fn receipt(chain: &Chain, suite: &Suite, id: u64) -> Receipt {
    let alice = account_of(&keypair("//Alice").unwrap());
    chain
        .dry_run::<Option<Receipt>>(&alice, &suite.ledger, "LedgerApi::receipt", &id)
        .await
        .unwrap()
        .value
        .unwrap_or_else(|| panic!("no receipt #{id}"))
}

async fn best(chain: &Chain) -> u32 {
    chain.best_block().await.unwrap().0
}

/// Waits `ms` and seals a block so that the contracts see the time.
async fn pass(chain: &Chain, ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    chain.tick(&keypair("//Alice").unwrap()).await.unwrap();
}

#[tokio::test]
async fn every_people_command_on_a_real_node_and_bad_input_changes_nothing() {
    let (_node, chain) = start_node().await;
    let alice = keypair("//Alice").unwrap();
    let mut options = DeployOptions::dev();
    options.governance.voting_period_ms = 4_000;
    options.governance.execution_delay_ms = 500;
    // The shortest lock outlasts the vote, and ends within the test.
    options.lock_tiers[0].duration_ms = 12_000;
    let manifest = deploy_suite_with(&chain, &alice, contracts_dir(), &options, &mut |_: &str| {})
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("bizkey-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("deployment.json");
    manifest.save(&path).unwrap();
    let suite = Suite::load(&Manifest::load(&path).unwrap()).unwrap();
    let m = &path;

    // Set-up the admin does (not a people command): fees for the two
    // accounts, 10 Biz for the merchant to lock, a short challenge window.
    let merchant = account_of(&keypair(MERCHANT).unwrap());
    let customer = account_of(&keypair(CUSTOMER).unwrap());
    chain
        .fund(
            &alice,
            &[merchant.clone(), customer.clone()],
            1_000 * UNIT,
            Finality::InBlock,
        )
        .await
        .unwrap();
    chain
        .call_ok::<(), PSP22Error>(
            &alice,
            &suite.bt,
            "PSP22::transfer",
            &(to_ink(&merchant), 10 * UNIT, Vec::<u8>::new()),
            Finality::InBlock,
        )
        .await
        .unwrap();
    let mut params = chain
        .dry_run::<LedgerParams>(&account_of(&alice), &suite.ledger, "params", &())
        .await
        .unwrap()
        .value;
    params.challenge_ms = CHALLENGE_MS;
    chain
        .call_ok::<(), LedgerError>(
            &alice,
            &suite.ledger,
            "set_params",
            &params,
            Finality::InBlock,
        )
        .await
        .unwrap();
    let (ms, cs) = (merchant.to_string(), customer.to_string());

    // merchant register → pending in the registry; the admin verifies (军政)
    ok(
        m,
        Some(MERCHANT),
        &[
            "merchant",
            "register",
            "--name",
            "Café CLI",
            "--category",
            "cafe",
            "--location",
            "wx4g0",
            "--area-sqft",
            "400",
            "--staff",
            "3",
            "--rent",
            "0.40",
            "--wage",
            "120",
        ],
    );
    let registered = chain
        .dry_run::<Option<Merchant>>(&merchant, &suite.registry, "merchant", &to_ink(&merchant))
        .await
        .unwrap()
        .value
        .expect("registered");
    assert_eq!(registered.status, MerchantStatus::Pending);
    assert_eq!(registered.profile.name, "Café CLI");
    chain
        .call_ok::<(), RegistryError>(
            &alice,
            &suite.registry,
            "set_merchant_status",
            &(to_ink(&merchant), MerchantStatus::Verified),
            Finality::InBlock,
        )
        .await
        .unwrap();

    // merchant record → customer confirm (merchant first), with the fee shown
    let run = ok(
        m,
        Some(MERCHANT),
        &[
            "merchant",
            "record",
            "--customer",
            &cs,
            "--amount",
            "12.50",
            "--order-id",
            "1",
            "--json",
        ],
    );
    let step = &run.json()["steps"][0];
    assert_eq!(step["call"], "ledger::record");
    assert!(
        step["dry_run"]["fee"]
            .as_str()
            .unwrap()
            .parse::<u128>()
            .unwrap()
            > 0
    );
    assert!(step["included"]["block"].as_u64().unwrap() > 0);
    let r1 = run.value(0).as_u64().unwrap();
    assert_eq!(
        receipt(&chain, &suite, r1).await.status,
        ReceiptStatus::Open
    );
    assert_eq!(receipt(&chain, &suite, r1).await.order.amount, 1_250);
    let human = ok(m, Some(CUSTOMER), &["customer", "confirm", &r1.to_string()]);
    assert!(
        human.stdout.contains("fee") && human.stdout.contains("confirmed"),
        "{}",
        human.stdout
    );
    assert_eq!(
        receipt(&chain, &suite, r1).await.status,
        ReceiptStatus::Confirmed
    );

    // customer open → merchant confirm (customer first)
    let r2 = ok(
        m,
        Some(CUSTOMER),
        &[
            "customer",
            "open",
            "--merchant",
            &ms,
            "--amount",
            "8",
            "--items",
            "2",
            "--outside",
            "--order-id",
            "2",
            "--json",
        ],
    )
    .value(0)
    .as_u64()
    .unwrap();
    ok(m, Some(MERCHANT), &["merchant", "confirm", &r2.to_string()]);
    assert_eq!(
        receipt(&chain, &suite, r2).await.status,
        ReceiptStatus::Confirmed
    );

    // merchant record → merchant cancel
    let r3 = record(m, &cs, "3", "3");
    ok(m, Some(MERCHANT), &["merchant", "cancel", &r3.to_string()]);
    assert_eq!(
        receipt(&chain, &suite, r3).await.status,
        ReceiptStatus::Cancelled
    );

    // after the window: query rewards (no key) matches what the claims pay
    pass(&chain, CHALLENGE_MS + 500).await;
    let due = ok(m, None, &["query", "rewards", &ms, "--json"]).json();
    let due_biz: u128 = due["biz"].as_str().unwrap().parse().unwrap();
    assert!(due_biz > 0, "{due}");
    let biz_before = balance(&chain, &suite.bt, MERCHANT).await;
    let claimed = ok(m, Some(MERCHANT), &["merchant", "claim", "--json"]).value(0);
    assert_eq!(
        claimed[0].as_str().unwrap().parse::<u128>().unwrap(),
        due_biz
    );
    assert_eq!(
        balance(&chain, &suite.bt, MERCHANT).await,
        biz_before + due_biz
    );
    let time_before = balance(&chain, &suite.tt, CUSTOMER).await;
    let claimed = ok(m, Some(CUSTOMER), &["customer", "claim", "--json"]).value(0);
    let cashback: u128 = claimed[1].as_str().unwrap().parse().unwrap();
    assert!(cashback > 0);
    assert_eq!(
        balance(&chain, &suite.tt, CUSTOMER).await,
        time_before + cashback
    );

    // customer spend-time: approves the ledger, opens; the merchant confirms
    // and receives the Time
    let spend = 10u128; // cents' worth
    assert!(
        cashback >= spend * TIME_UNITS_PER_CENT,
        "cashback {cashback}"
    );
    let run = ok(
        m,
        Some(CUSTOMER),
        &[
            "customer",
            "spend-time",
            "--merchant",
            &ms,
            "--time",
            "0.10",
            "--amount",
            "5.00",
            "--order-id",
            "4",
            "--json",
        ],
    );
    assert_eq!(run.json()["steps"][0]["call"], "time_token::PSP22::approve");
    let r4 = run.value(1).as_u64().unwrap();
    let merchant_time = balance(&chain, &suite.tt, MERCHANT).await;
    let customer_time = balance(&chain, &suite.tt, CUSTOMER).await;
    ok(m, Some(MERCHANT), &["merchant", "confirm", &r4.to_string()]);
    assert_eq!(
        receipt(&chain, &suite, r4).await.order.time_paid,
        spend * TIME_UNITS_PER_CENT
    );
    assert_eq!(
        balance(&chain, &suite.tt, MERCHANT).await,
        merchant_time + spend * TIME_UNITS_PER_CENT
    );
    assert_eq!(
        balance(&chain, &suite.tt, CUSTOMER).await,
        customer_time - spend * TIME_UNITS_PER_CENT
    );

    // ratings and reactions
    ok(
        m,
        Some(CUSTOMER),
        &[
            "customer",
            "rate",
            &r1.to_string(),
            "--product",
            "5",
            "--service",
            "4",
            "--environment",
            "5",
            "--comment",
            "great coffee",
        ],
    );
    ok(
        m,
        Some(MERCHANT),
        &[
            "merchant",
            "rate-reply",
            &r1.to_string(),
            "--score",
            "5",
            "--reply",
            "thanks!",
        ],
    );
    ok(
        m,
        Some(CUSTOMER),
        &["customer", "react", &r2.to_string(), "--kind", "like"],
    );
    let alice = account_of(&keypair("//Alice").unwrap());
    let rated = chain
        .dry_run::<u8>(&alice, suite.reviews().unwrap(), "rated", &r1)
        .await
        .unwrap()
        .value;
    assert_eq!(rated, RATED_BY_CUSTOMER | RATED_BY_MERCHANT);
    let again = bizkey(
        m,
        Some(CUSTOMER),
        &[
            "customer",
            "rate",
            &r1.to_string(),
            "--product",
            "1",
            "--service",
            "1",
            "--environment",
            "1",
        ],
    );
    assert_eq!(again.code, 1);
    assert!(
        again.stderr.contains("reviews::rate refused: AlreadyRated"),
        "{}",
        again.stderr
    );

    // governance: lock, propose, vote, execute
    let run = ok(
        m,
        Some(MERCHANT),
        &["gov", "lock", "--amount", "5", "--json"],
    );
    assert_eq!(
        run.json()["steps"].as_array().unwrap().len(),
        2,
        "approve, then lock"
    );
    let locking = suite.locking().unwrap();
    let lock = chain
        .dry_run::<Option<Lock>>(&merchant, locking, "lock_of", &to_ink(&merchant))
        .await
        .unwrap()
        .value
        .expect("locked");
    assert_eq!(lock.amount, 5 * UNIT);
    let early = bizkey(m, Some(MERCHANT), &["gov", "unlock"]);
    assert_eq!(early.code, 1);
    assert!(
        early
            .stderr
            .contains("locking::unlock refused: StillLocked"),
        "{}",
        early.stderr
    );
    let proposal = ok(
        m,
        Some(MERCHANT),
        &[
            "gov",
            "propose",
            "cashback",
            "2",
            "--description",
            "2 % cashback",
            "--json",
        ],
    )
    .value(0)
    .as_u64()
    .unwrap();
    let id = proposal.to_string();
    ok(m, Some(MERCHANT), &["gov", "vote", &id, "yes"]);
    let tally = ok(m, None, &["query", "proposal", &id, "--json"]).json();
    assert_eq!(tally["status"], "Active");
    assert_eq!(tally["votes_for"], lock.weight.to_string());
    pass(&chain, 4_000 + 500 + 500).await;
    ok(m, Some(CUSTOMER), &["gov", "execute", &id]);
    let governance = suite.governance().unwrap();
    let (_, status) = chain
        .dry_run::<Option<(Proposal, ProposalStatus)>>(
            &merchant,
            governance,
            "proposal",
            &u32::try_from(proposal).unwrap(),
        )
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(status, ProposalStatus::Executed);
    let params = chain
        .dry_run::<LedgerParams>(&merchant, &suite.ledger, "params", &())
        .await
        .unwrap()
        .value;
    assert_eq!(params.reward.cashback_ppm, 20_000);
    // a suspension proposal names the account and whether it is a customer
    let suspend = ok(
        m,
        Some(MERCHANT),
        &[
            "gov",
            "propose",
            "suspend",
            &customer.to_string(),
            "--customer",
            "--json",
        ],
    )
    .value(0)
    .as_u64()
    .unwrap();
    let (p, _) = chain
        .dry_run::<Option<(Proposal, ProposalStatus)>>(
            &merchant,
            governance,
            "proposal",
            &u32::try_from(suspend).unwrap(),
        )
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(
        p.action,
        Action::SetSuspended {
            account: to_ink(&customer),
            merchant: false,
            suspended: true
        }
    );

    // tasks: publish (approves tasks, escrows), join, a purchase, claim
    let run = ok(
        m,
        Some(MERCHANT),
        &[
            "task",
            "publish",
            "--name",
            "Come back",
            "--reward",
            "0.02",
            "--completions",
            "2",
            "--json",
        ],
    );
    let task = run.json()["steps"].as_array().unwrap().last().unwrap()["value"]
        .as_u64()
        .unwrap();
    ok(m, Some(CUSTOMER), &["task", "join", &task.to_string()]);
    let r5 = record(m, &cs, "4.20", "5");
    ok(m, Some(CUSTOMER), &["customer", "confirm", &r5.to_string()]);
    pass(&chain, CHALLENGE_MS + 500).await;
    let before = balance(&chain, &suite.tt, CUSTOMER).await;
    let paid = ok(
        m,
        Some(CUSTOMER),
        &[
            "task",
            "claim",
            &task.to_string(),
            "--receipts",
            &r5.to_string(),
            "--json",
        ],
    )
    .value(0);
    assert_eq!(paid, Value::String((UNIT / 50).to_string()));
    assert_eq!(
        balance(&chain, &suite.tt, CUSTOMER).await,
        before + UNIT / 50
    );

    // unlock once the lock's term is over: the Biz comes back
    let now = chain
        .block_timestamp(chain.best_block().await.unwrap().1)
        .await
        .unwrap();
    pass(&chain, lock.unlock_at.saturating_sub(now) + 500).await;
    let biz = balance(&chain, &suite.bt, MERCHANT).await;
    ok(m, Some(MERCHANT), &["gov", "unlock"]);
    assert_eq!(balance(&chain, &suite.bt, MERCHANT).await, biz + 5 * UNIT);

    // queries: the signer's balance, a receipt
    let b = ok(m, Some(CUSTOMER), &["query", "balance", "--json"]).json();
    assert_eq!(b["account"], cs);
    assert_eq!(
        b["time"],
        balance(&chain, &suite.tt, CUSTOMER).await.to_string()
    );
    let r = ok(m, None, &["query", "receipt", &r4.to_string(), "--json"]).json();
    assert_eq!(r["status"], "Confirmed");
    assert_eq!(r["opened_by"], "Customer");
    let human = ok(m, None, &["query", "balance", &ms]);
    assert!(human.stdout.contains("Biz locked"), "{}", human.stdout);

    // --dry-run: a quote, nothing sent
    let height = best(&chain).await;
    let run = ok(
        m,
        Some(MERCHANT),
        &[
            "merchant",
            "record",
            "--customer",
            &cs,
            "--amount",
            "1",
            "--order-id",
            "6",
            "--dry-run",
        ],
    );
    assert!(
        run.stdout.contains("not sent (--dry-run)"),
        "{}",
        run.stdout
    );
    assert_eq!(best(&chain).await, height);

    // Bad input: one line on stderr, exit ≠ 0, no transaction (no block).
    let r6 = record(m, &cs, "2", "7").to_string();
    let key_file = dir.join("wrong.key");
    std::fs::write(&key_file, "bad secret words here").unwrap();
    let o6 = ["--order-id", "6"];
    let (r2, r3) = (r2.to_string(), r3.to_string());
    let cases: Vec<(Vec<&str>, Option<&str>, i32, &str)> = vec![
        (
            vec!["customer", "confirm", "9999"],
            Some(CUSTOMER),
            1,
            "ledger::confirm refused: ReceiptNotFound",
        ),
        // the wrong signer: the customer confirms a merchant's record, not the merchant
        (
            vec!["merchant", "confirm", &r6],
            Some(MERCHANT),
            1,
            "ledger::confirm refused: NotCounterparty",
        ),
        (
            vec!["customer", "cancel", &r6],
            Some(CUSTOMER),
            2,
            "unrecognized subcommand 'cancel'",
        ),
        (
            vec!["merchant", "cancel", &r3],
            Some(MERCHANT),
            1,
            "ledger::cancel refused: NotOpen",
        ),
        (
            vec![
                "merchant",
                "record",
                "--customer",
                &cs,
                "--amount",
                "1",
                o6[0],
                o6[1],
            ],
            None,
            1,
            "no signing key",
        ),
        (
            vec!["merchant", "record", "--customer", "alice", "--amount", "1"],
            Some(MERCHANT),
            2,
            "malformed account `alice`",
        ),
        (
            vec!["merchant", "record", "--customer", &cs, "--amount", "0"],
            Some(MERCHANT),
            2,
            "the amount must be positive",
        ),
        (
            vec![
                "merchant",
                "record",
                "--customer",
                &cs,
                "--amount",
                "1",
                "--order-id",
                "1",
            ],
            Some(MERCHANT),
            1,
            "ledger::record refused: DuplicateOrder",
        ),
        (
            vec!["customer", "confirm", &r2],
            Some(CUSTOMER),
            1,
            "ledger::confirm refused: NotOpen",
        ),
        (
            vec!["customer", "claim"],
            Some("//Alice//cli/nobody"),
            1,
            "ledger::claim refused: NothingToClaim",
        ),
        (
            vec!["query", "receipt", "424242"],
            None,
            1,
            "ReceiptNotFound",
        ),
        (
            vec!["gov", "vote", "77", "yes"],
            Some(MERCHANT),
            1,
            "governance::vote refused: ProposalNotFound",
        ),
        (
            vec!["gov", "vote", &id, "maybe"],
            Some(MERCHANT),
            2,
            "vote `yes` or `no`",
        ),
        (vec!["query", "balance"], None, 1, "give an account"),
    ];
    for (args, suri, code, expected) in cases {
        let height = best(&chain).await;
        let run = bizkey(m, suri, &args);
        assert_eq!(
            run.code, code,
            "bizkey {args:?}: {}{}",
            run.stdout, run.stderr
        );
        assert!(
            run.stderr.contains(expected),
            "bizkey {args:?}: {}",
            run.stderr
        );
        assert_eq!(
            run.stderr.trim().lines().count(),
            1,
            "bizkey {args:?}: {}",
            run.stderr
        );
        assert_eq!(
            best(&chain).await,
            height,
            "bizkey {args:?} changed the chain"
        );
    }
    // a key file that is not a key: refused without echoing it
    let run = Command::new(env!("CARGO_BIN_EXE_bizkey"))
        .args(["customer", "claim", "--key-file"])
        .arg(&key_file)
        .env("BIZKEY_MANIFEST", m)
        .env_remove("BIZKEY_SURI")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        stderr.contains("invalid secret URI (not shown)"),
        "{stderr}"
    );
    assert!(!stderr.contains("bad secret"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}
