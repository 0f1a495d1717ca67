//! End-to-end tests of the suite (registry, Biz and Time tokens, ledger)
//! against `substrate-contracts-node` (`CONTRACTS_NODE`); each test starts
//! its own node and deploys and wires the suite.
//!
//! Cast: alice deploys everything and is the authority; bob is a merchant
//! referred by charlie (also a merchant); dave is a customer invited by eve;
//! ferdie is the fraud reporter; `one` is a stranger.

use crate::ledger::{Ledger, LedgerRef};
use biz_token::biz_token::BizTokenRef;
use bizkey_types::{
    ledger::{
        LedgerApi, LedgerError, LedgerParams, Order, PendingForfeited, PoolSynced,
        ReceiptConfirmed, ReceiptStatus, RewardCaps, Side,
    },
    math::{time_reward, Channel, ShopCost},
    psp22::PSP22,
    registry::{
        Category, Customer, CustomerStatus, MerchantProfile, MerchantStatus, RegistryApi,
        RegistryEntry, RegistryError,
    },
    roles::Role,
    AccountId, Balance, Hash,
};
use ink::env::Event;
use ink_e2e::{account_id, AccountKeyring, ChainBackend, ContractsBackend};
use registry::registry::{Registry, RegistryRef};
use reviews::{
    reviews::{Reviews, ReviewsRef},
    MerchantRated, Rating, Reaction, ReviewsError, RATED_BY_CUSTOMER, RATED_BY_MERCHANT,
};
use scale::Decode;
use time_token::time_token::TimeTokenRef;

type E2EResult<T> = Result<T, Box<dyn std::error::Error>>;

const UNIT: Balance = 1_000_000_000_000;
/// The challenge window the authority sets for the tests (ms).
const CHALLENGE_MS: u64 = 4_000;

fn who(k: AccountKeyring) -> AccountId {
    account_id(k)
}

fn profile(name: &str) -> MerchantProfile {
    MerchantProfile {
        name: name.into(),
        category: Category::Restaurant,
        location: "wtw3sjq".into(),
        cost: ShopCost {
            area_sqft: 500,
            staff: 3,
            rent_per_sqft_day: 500,
            wage_per_day: 20_000,
        },
        licence_hash: Hash::from([1; 32]),
    }
}

fn order(order_id: u64, amount: u128, time_paid: Balance) -> Order {
    Order {
        order_id,
        // Any time not after the block's; the block time is the wall clock.
        order_time: 1,
        channel: Channel::InStore,
        amount,
        discount: 100,
        time_paid,
        items: 3,
        detail_hash: Hash::from([order_id as u8; 32]),
    }
}

/// Addresses of the deployed suite.
struct Suite {
    registry: AccountId,
    biz: AccountId,
    time: AccountId,
    ledger: AccountId,
}

/// Deploys and wires the suite: the ledger is the registry's ledger and
/// holds 1,000,000 Biz and Time (synced), with the default reward caps
/// (`RewardCaps::default`, as the deploy tool sets them); ferdie reports;
/// the challenge window is [`CHALLENGE_MS`]. charlie and bob (referred by charlie) are
/// verified merchants accepting up to 30 % in Time; eve is a customer and
/// dave a customer invited by eve.
macro_rules! suite {
    ($client:expr) => {{
        let client = &mut $client;
        let alice = who(AccountKeyring::Alice);
        let registry = client
            .instantiate("registry", &ink_e2e::alice(), &mut RegistryRef::new())
            .submit()
            .await
            .expect("registry instantiate failed")
            .account_id;
        let biz = client
            .instantiate(
                "biz_token",
                &ink_e2e::alice(),
                &mut BizTokenRef::new(alice, alice, alice, alice),
            )
            .submit()
            .await
            .expect("biz_token instantiate failed")
            .account_id;
        let time = client
            .instantiate(
                "time_token",
                &ink_e2e::alice(),
                &mut TimeTokenRef::new(alice, alice, alice, 600_000),
            )
            .submit()
            .await
            .expect("time_token instantiate failed")
            .account_id;
        let ledger = client
            .instantiate(
                "ledger",
                &ink_e2e::alice(),
                &mut LedgerRef::new(registry, biz, time, RewardCaps::default()),
            )
            .submit()
            .await
            .expect("ledger instantiate failed")
            .account_id;
        let s = Suite {
            registry,
            biz,
            time,
            ledger,
        };
        let mut reg = ink_e2e::create_call_builder::<Registry>(s.registry);
        let mut led = ink_e2e::create_call_builder::<Ledger>(s.ledger);
        let mut bt = ink_e2e::create_call_builder::<biz_token::biz_token::BizToken>(s.biz);
        let mut tt = ink_e2e::create_call_builder::<time_token::time_token::TimeToken>(s.time);
        // Wiring.
        client
            .call(
                &ink_e2e::alice(),
                &reg.set_role(Role::Ledger, Some(s.ledger)),
            )
            .submit()
            .await
            .expect("set ledger role failed");
        client
            .call(
                &ink_e2e::alice(),
                &led.set_role(Role::Reporter, Some(who(AccountKeyring::Ferdie))),
            )
            .submit()
            .await
            .expect("set reporter failed");
        let params = LedgerParams {
            challenge_ms: CHALLENGE_MS,
            ..LedgerParams::default()
        };
        client
            .call(&ink_e2e::alice(), &led.set_params(params))
            .submit()
            .await
            .expect("set_params failed");
        // Funding.
        client
            .call(
                &ink_e2e::alice(),
                &bt.transfer(s.ledger, 1_000_000 * UNIT, Vec::new()),
            )
            .submit()
            .await
            .expect("fund Biz failed");
        client
            .call(
                &ink_e2e::alice(),
                &tt.transfer(s.ledger, 1_000_000 * UNIT, Vec::new()),
            )
            .submit()
            .await
            .expect("fund Time failed");
        client
            .call(&ink_e2e::alice(), &led.sync())
            .submit()
            .await
            .expect("sync failed");
        // Merchants: charlie, then bob referred by charlie; both verified.
        client
            .call(
                &ink_e2e::charlie(),
                &reg.register_merchant(profile("Charlie's"), None, 300_000),
            )
            .submit()
            .await
            .expect("register charlie failed");
        client
            .call(
                &ink_e2e::bob(),
                &reg.register_merchant(
                    profile("Bob's"),
                    Some(who(AccountKeyring::Charlie)),
                    300_000,
                ),
            )
            .submit()
            .await
            .expect("register bob failed");
        for m in [AccountKeyring::Charlie, AccountKeyring::Bob] {
            client
                .call(
                    &ink_e2e::alice(),
                    &reg.set_merchant_status(who(m), MerchantStatus::Verified),
                )
                .submit()
                .await
                .expect("verify failed");
        }
        // Customers: eve, then dave invited by eve.
        client
            .call(&ink_e2e::eve(), &reg.register_customer(None))
            .submit()
            .await
            .expect("register eve failed");
        client
            .call(
                &ink_e2e::dave(),
                &reg.register_customer(Some(who(AccountKeyring::Eve))),
            )
            .submit()
            .await
            .expect("register dave failed");
        (s, reg, led, bt, tt)
    }};
}

/// Waits until `signer` has a matured entry: sleeps, then has a block sealed
/// (the node seals one per transaction, at the wall-clock time) and dry-runs
/// a claim.
macro_rules! wait_until_claimable {
    ($client:expr, $led:expr, $signer:expr) => {{
        let mut matured = false;
        for _ in 0..30 {
            ink_e2e::tokio::time::sleep(std::time::Duration::from_millis(1_000)).await;
            $client
                .call(&ink_e2e::alice(), &$led.sync())
                .submit()
                .await
                .expect("sync failed");
            let claim = $client
                .call($signer, &$led.claim(1))
                .dry_run()
                .await?
                .return_value();
            if claim.is_ok() {
                matured = true;
                break;
            }
        }
        assert!(matured, "the challenge window never ended");
    }};
}

/// The reward pools, as `sync` reports them (`PoolSynced`).
macro_rules! pools {
    ($client:expr, $led:expr) => {{
        let result = $client
            .call(&ink_e2e::alice(), &$led.sync())
            .submit()
            .await
            .expect("sync failed");
        let synced: PoolSynced = emitted(&result.contract_emitted_events()?);
        (synced.biz, synced.time)
    }};
}

/// The first event of type `E` among a call's events (by its signature
/// topic), decoded.
fn emitted<E: Event + Decode>(
    events: &[ink_e2e::events::EventWithTopics<
        ink_e2e::events::ContractEmitted<ink::env::DefaultEnvironment>,
    >],
) -> E {
    let topic = E::SIGNATURE_TOPIC.expect("has a signature");
    let e = events
        .iter()
        .find(|e| e.topics.first().map(|t| t.0) == Some(topic))
        .unwrap_or_else(|| panic!("a {} event", std::any::type_name::<E>()));
    E::decode(&mut &e.event.data[..]).expect("decodes")
}

/// The `ReceiptConfirmed` among a call's events.
fn confirmed(
    events: &[ink_e2e::events::EventWithTopics<
        ink_e2e::events::ContractEmitted<ink::env::DefaultEnvironment>,
    >],
) -> ReceiptConfirmed {
    emitted(events)
}

#[ink_e2e::test]
async fn merchant_first_sale_with_time_spending_and_referrals_pays_after_the_window<
    Client: E2EBackend,
>(
    mut client: Client,
) -> E2EResult<()> {
    // given the wired suite; dave holds 10 Time and approves the ledger
    let (s, reg, mut led, _bt, mut tt) = suite!(client);
    let (bob, charlie, dave, eve) = (
        who(AccountKeyring::Bob),
        who(AccountKeyring::Charlie),
        who(AccountKeyring::Dave),
        who(AccountKeyring::Eve),
    );
    client
        .call(&ink_e2e::alice(), &tt.transfer(dave, 10 * UNIT, Vec::new()))
        .submit()
        .await?;
    client
        .call(&ink_e2e::dave(), &tt.approve(s.ledger, 10 * UNIT))
        .submit()
        .await?;
    let verified = client
        .call(&ink_e2e::alice(), &reg.merchant_info(bob))
        .dry_run()
        .await?
        .return_value()
        .expect("bob registered");
    assert_eq!(verified.status, MerchantStatus::Verified);
    assert_eq!(verified.referrer, Some(charlie));

    // when bob records a ¥96 sale of which dave pays 5 Time, and dave confirms
    let id = client
        .call(
            &ink_e2e::bob(),
            &led.record(dave, order(1, 9_600, 5 * UNIT)),
        )
        .submit()
        .await?
        .return_value()?;
    let result = client
        .call(&ink_e2e::dave(), &led.confirm(id))
        .submit()
        .await?;

    // then the Time moved to bob and the rewards are pending for everyone
    let c = confirmed(&result.contract_emitted_events()?);
    assert_eq!((c.id, c.merchant, c.customer), (id, bob, dave));
    assert!(c.first_purchase && c.first_at_merchant);
    assert_eq!(c.earlier_in_window, 0);
    assert_eq!(c.time_paid, 5 * UNIT);
    assert_eq!(c.rewards.customer_time, 96 * UNIT / 100);
    assert_eq!(c.rewards.customer_referrer, Some(eve));
    assert_eq!(c.rewards.customer_referrer_time, UNIT);
    assert_eq!(c.rewards.merchant_referrer, Some(charlie));
    assert!(c.rewards.merchant_biz > 0);
    assert_eq!(c.rewards.merchant_referrer_biz * 9, c.rewards.merchant_biz);
    assert_eq!(c.matures_at, c.confirmed_at + CHALLENGE_MS);
    let bob_time = client
        .call(&ink_e2e::alice(), &tt.balance_of(bob))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(bob_time, 5 * UNIT);
    let receipt = client
        .call(&ink_e2e::alice(), &led.receipt(id))
        .dry_run()
        .await?
        .return_value()
        .expect("stored");
    assert_eq!(
        (receipt.status, receipt.opened_by),
        (ReceiptStatus::Confirmed, Side::Merchant)
    );
    // nothing can be claimed inside the window
    let early = client
        .call(&ink_e2e::bob(), &led.claim(10))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(early, Err(LedgerError::NothingToClaim));

    // when the window has passed, everyone claims
    wait_until_claimable!(client, led, &ink_e2e::bob());
    let bt = ink_e2e::create_call_builder::<biz_token::biz_token::BizToken>(s.biz);
    for (signer, account, biz, time) in [
        (ink_e2e::bob(), bob, c.rewards.merchant_biz, 0),
        (
            ink_e2e::charlie(),
            charlie,
            c.rewards.merchant_referrer_biz,
            0,
        ),
        (ink_e2e::dave(), dave, 0, c.rewards.customer_time),
        (ink_e2e::eve(), eve, 0, c.rewards.customer_referrer_time),
    ] {
        let before = client
            .call(&ink_e2e::alice(), &tt.balance_of(account))
            .dry_run()
            .await?
            .return_value();
        let paid = client
            .call(&signer, &led.claim(10))
            .submit()
            .await?
            .return_value()?;
        assert_eq!(paid, (biz, time));
        let biz_balance = client
            .call(&ink_e2e::alice(), &bt.balance_of(account))
            .dry_run()
            .await?
            .return_value();
        assert_eq!(biz_balance, biz);
        let after = client
            .call(&ink_e2e::alice(), &tt.balance_of(account))
            .dry_run()
            .await?
            .return_value();
        assert_eq!(after - before, time);
    }
    let (biz_pool, time_pool) = pools!(client, led);
    assert_eq!((biz_pool.reserved, time_pool.reserved), (0, 0));
    let params = client
        .call(&ink_e2e::alice(), &led.params())
        .dry_run()
        .await?
        .return_value();
    assert_eq!(params.challenge_ms, CHALLENGE_MS);
    Ok(())
}

#[ink_e2e::test]
async fn customer_first_sale_flagged_in_the_window_pays_nothing<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // given the wired suite and `newcomer`, a fresh account with native
    // funds for the storage deposit, registered nowhere
    let (_s, reg, mut led, _bt, tt) = suite!(client);
    let newcomer = client
        .create_and_fund_account(&ink_e2e::alice(), 10 * UNIT)
        .await;
    let (bob, one) = (
        who(AccountKeyring::Bob),
        AccountId::from(newcomer.public_key().0),
    );
    let pools_before = pools!(client, led);

    // when the newcomer opens a sale at bob and bob confirms
    let id = client
        .call(&newcomer, &led.open(bob, order(7, 5_000, 0)))
        .submit()
        .await
        .expect("the newcomer opens at bob")
        .return_value()?;
    let result = client
        .call(&ink_e2e::bob(), &led.confirm(id))
        .submit()
        .await
        .expect("bob confirms");
    let c = confirmed(&result.contract_emitted_events()?);

    // then the ledger knows the newcomer from this purchase, without
    // referrer, and the registry was not involved
    assert!(c.first_purchase);
    assert_eq!(c.rewards.customer_referrer, None);
    let customer = client
        .call(&ink_e2e::alice(), &led.customer(one))
        .dry_run()
        .await?
        .return_value()
        .expect("known to the ledger");
    assert_eq!(
        (customer.status, customer.referrer, customer.registered_at),
        (CustomerStatus::Active, None, c.confirmed_at)
    );
    let registered = client
        .call(&ink_e2e::alice(), &reg.customer(one))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(registered, None);

    // when the reporter flags it inside the window
    client
        .call(&ink_e2e::ferdie(), &led.flag(id, Hash::from([9; 32])))
        .submit()
        .await
        .expect("ferdie flags");

    // then its rewards went back to the pools
    let pools_after = pools!(client, led);
    assert_eq!(pools_after, pools_before);

    // when an unflagged sale to dave follows and both windows pass
    let dave = who(AccountKeyring::Dave);
    let other = client
        .call(&ink_e2e::bob(), &led.record(dave, order(8, 5_000, 0)))
        .submit()
        .await
        .expect("bob records for dave")
        .return_value()?;
    let result = client
        .call(&ink_e2e::dave(), &led.confirm(other))
        .submit()
        .await
        .expect("dave confirms");
    let d = confirmed(&result.contract_emitted_events()?);
    wait_until_claimable!(client, led, &ink_e2e::dave());

    // then dave is paid and the newcomer's claim consumes its entry but pays nothing
    let paid = client
        .call(&ink_e2e::dave(), &led.claim(10))
        .submit()
        .await
        .expect("dave claims")
        .return_value()?;
    assert_eq!(paid, (0, d.rewards.customer_time));
    assert!(d.rewards.customer_time > 0);
    let paid = client
        .call(&newcomer, &led.claim(10))
        .submit()
        .await
        .expect("the newcomer claims")
        .return_value()?;
    assert_eq!(paid, (0, 0));
    let balance = client
        .call(&ink_e2e::alice(), &tt.balance_of(one))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(balance, 0);
    let again = client
        .call(&ink_e2e::bob(), &led.flag(id, Hash::default()))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(again, Err(LedgerError::Unauthorized));
    let late = client
        .call(&ink_e2e::ferdie(), &led.flag(id, Hash::default()))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(late, Err(LedgerError::NotConfirmed));
    Ok(())
}

#[ink_e2e::test]
async fn only_the_counterparty_confirms<Client: E2EBackend>(mut client: Client) -> E2EResult<()> {
    // given a merchant-first and a customer-first receipt
    let (_s, _reg, mut led, _bt, _tt) = suite!(client);
    let (bob, dave) = (who(AccountKeyring::Bob), who(AccountKeyring::Dave));
    let by_merchant = client
        .call(&ink_e2e::bob(), &led.record(dave, order(1, 5_000, 0)))
        .submit()
        .await?
        .return_value()?;
    let by_customer = client
        .call(&ink_e2e::dave(), &led.open(bob, order(2, 5_000, 0)))
        .submit()
        .await?
        .return_value()?;

    // when anyone but the counter-party confirms, then it is refused
    for (id, signers) in [
        (
            by_merchant,
            [ink_e2e::bob(), ink_e2e::eve(), ink_e2e::alice()],
        ),
        (
            by_customer,
            [ink_e2e::dave(), ink_e2e::eve(), ink_e2e::alice()],
        ),
    ] {
        for signer in signers {
            let r = client
                .call(&signer, &led.confirm(id))
                .dry_run()
                .await?
                .return_value();
            assert_eq!(r, Err(LedgerError::NotCounterparty));
            assert!(client
                .call(&signer, &led.confirm(id))
                .submit()
                .await
                .is_err());
        }
    }
    // and the same (merchant, order id) cannot be recorded twice
    let twice = client
        .call(&ink_e2e::dave(), &led.open(bob, order(1, 5_000, 0)))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(twice, Err(LedgerError::DuplicateOrder));

    // when the counter-parties confirm, then both are confirmed
    client
        .call(&ink_e2e::dave(), &led.confirm(by_merchant))
        .submit()
        .await?;
    client
        .call(&ink_e2e::bob(), &led.confirm(by_customer))
        .submit()
        .await?;
    for id in [by_merchant, by_customer] {
        let r = client
            .call(&ink_e2e::alice(), &led.receipt(id))
            .dry_run()
            .await?
            .return_value()
            .expect("stored");
        assert_eq!(r.status, ReceiptStatus::Confirmed);
    }
    Ok(())
}

#[ink_e2e::test]
async fn reviews_rate_and_react_on_the_ledgers_confirmed_receipts<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // given the suite, the reviews contract reading its ledger, a sale bob
    // recorded and dave confirmed, and one dave has not confirmed yet
    let (s, _reg, mut led, _bt, _tt) = suite!(client);
    let reviews = client
        .instantiate("reviews", &ink_e2e::alice(), &mut ReviewsRef::new(s.ledger))
        .submit()
        .await
        .expect("reviews instantiate failed")
        .account_id;
    let mut rev = ink_e2e::create_call_builder::<Reviews>(reviews);
    let dave = who(AccountKeyring::Dave);
    let sale = client
        .call(&ink_e2e::bob(), &led.record(dave, order(1, 5_000, 0)))
        .submit()
        .await?
        .return_value()?;
    client
        .call(&ink_e2e::dave(), &led.confirm(sale))
        .submit()
        .await?;
    let open = client
        .call(&ink_e2e::bob(), &led.record(dave, order(2, 5_000, 0)))
        .submit()
        .await?
        .return_value()?;
    let stars = Rating::Merchant {
        product: 5,
        service: 4,
        environment: 5,
    };

    // when each side rates the other once, then both ratings are events and
    // the contract knows who rated
    let rated = client
        .call(&ink_e2e::dave(), &rev.rate(sale, stars, None))
        .submit()
        .await?;
    let m: MerchantRated = emitted(&rated.contract_emitted_events()?);
    assert_eq!(
        (m.id, m.merchant, m.customer),
        (sale, who(AccountKeyring::Bob), dave)
    );
    assert_eq!((m.product, m.service, m.environment), (5, 4, 5));
    client
        .call(
            &ink_e2e::bob(),
            &rev.rate(
                sale,
                Rating::Customer { score: 4 },
                Some(Hash::from([2; 32])),
            ),
        )
        .submit()
        .await?;
    let bits = client
        .call(&ink_e2e::alice(), &rev.rated(sale))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(bits, RATED_BY_CUSTOMER | RATED_BY_MERCHANT);

    // then what the ledger's receipts do not allow is refused
    for (signer, id, rating, error) in [
        (ink_e2e::dave(), sale, stars, ReviewsError::AlreadyRated),
        (ink_e2e::eve(), sale, stars, ReviewsError::NotCounterparty),
        (ink_e2e::dave(), open, stars, ReviewsError::NotConfirmed),
        (ink_e2e::dave(), 99, stars, ReviewsError::ReceiptNotFound),
    ] {
        let r = client
            .call(&signer, &rev.rate(id, rating, None))
            .dry_run()
            .await?
            .return_value();
        assert_eq!(r, Err(error), "receipt {id}");
    }

    // when a stranger likes the confirmed sale, then it is an event; once
    // the reporter flags the sale, reactions are refused
    client
        .call(
            &ink_e2e::eve(),
            &rev.react(sale, Reaction::Like, Hash::default()),
        )
        .submit()
        .await?;
    client
        .call(&ink_e2e::ferdie(), &led.flag(sale, Hash::from([9; 32])))
        .submit()
        .await?;
    let late = client
        .call(
            &ink_e2e::eve(),
            &rev.react(sale, Reaction::Like, Hash::default()),
        )
        .dry_run()
        .await?
        .return_value();
    assert_eq!(late, Err(ReviewsError::NotConfirmed));
    Ok(())
}

#[ink_e2e::test]
async fn attack_a_long_unclaimed_queue_cannot_block_a_removal<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // given dave, who confirmed three sales at bob and never claims: three
    // entries queued, more than the two a forfeiture call takes below
    let (_s, mut reg, mut led, _bt, _tt) = suite!(client);
    let dave = who(AccountKeyring::Dave);
    let mut time = 0;
    for n in 1..=3 {
        let id = client
            .call(&ink_e2e::bob(), &led.record(dave, order(n, 5_000, 0)))
            .submit()
            .await?
            .return_value()?;
        let result = client
            .call(&ink_e2e::dave(), &led.confirm(id))
            .submit()
            .await?;
        time += confirmed(&result.contract_emitted_events()?)
            .rewards
            .customer_time;
    }
    let (_, pool_before) = pools!(client, led);

    // when the authority removes dave in the registry (pushed to the ledger)
    client
        .call(
            &ink_e2e::alice(),
            &reg.set_customer_status(dave, CustomerStatus::Removed),
        )
        .submit()
        .await?;
    wait_until_claimable!(client, led, &ink_e2e::bob());

    // then dave's matured rewards cannot be claimed
    let claim = client
        .call(&ink_e2e::dave(), &led.claim(10))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(claim, Err(LedgerError::AccountRemoved));
    // and a stranger forfeits them back to the pool, two entries a call
    let mut left = Vec::new();
    for _ in 0..2 {
        let result = client
            .call(&ink_e2e::eve(), &led.forfeit_pending(dave, 2))
            .submit()
            .await?;
        let f: PendingForfeited = emitted(&result.contract_emitted_events()?);
        left.push((f.entries, f.remaining));
    }
    assert_eq!(left, [(2, 1), (1, 0)]);
    let (_, pool_after) = pools!(client, led);
    assert_eq!(pool_after.reserved, pool_before.reserved - time);
    // while an account that was not removed is the authority's alone
    let refused = client
        .call(
            &ink_e2e::eve(),
            &led.forfeit_pending(who(AccountKeyring::Bob), 2),
        )
        .dry_run()
        .await?
        .return_value();
    assert_eq!(refused, Err(LedgerError::Unauthorized));
    Ok(())
}

#[ink_e2e::test]
async fn attack_a_stranger_opening_with_a_merchants_order_ids_cannot_block_them<
    Client: E2EBackend,
>(
    mut client: Client,
) -> E2EResult<()> {
    // given the wired suite and eve, a stranger who opens receipts at bob's
    // shop with the order ids bob's POS will use next
    let (_s, _reg, mut led, _bt, _tt) = suite!(client);
    let (bob, dave) = (who(AccountKeyring::Bob), who(AccountKeyring::Dave));
    let mut griefs = Vec::new();
    for order_id in [7, 8] {
        let id = client
            .call(&ink_e2e::eve(), &led.open(bob, order(order_id, 5_000, 0)))
            .submit()
            .await?
            .return_value()?;
        griefs.push(id);
    }

    // when bob records his real sales with those ids, then they are accepted
    // and confirmed by the real customer
    for order_id in [7, 8] {
        let id = client
            .call(
                &ink_e2e::bob(),
                &led.record(dave, order(order_id, 5_000, 0)),
            )
            .submit()
            .await?
            .return_value()?;
        client
            .call(&ink_e2e::dave(), &led.confirm(id))
            .submit()
            .await?;
        let r = client
            .call(&ink_e2e::alice(), &led.receipt(id))
            .dry_run()
            .await?
            .return_value()
            .expect("stored");
        assert_eq!(
            (r.status, r.order.order_id),
            (ReceiptStatus::Confirmed, order_id)
        );
    }
    // and eve's receipts can never take them: confirming one is refused
    for id in griefs {
        let r = client
            .call(&ink_e2e::bob(), &led.confirm(id))
            .dry_run()
            .await?
            .return_value();
        assert_eq!(r, Err(LedgerError::DuplicateOrder));
    }
    Ok(())
}

#[ink_e2e::test]
async fn privileged_messages_reject_a_stranger<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // given the wired suite and a confirmed receipt
    let (_s, mut reg, mut led, _bt, _tt) = suite!(client);
    let (bob, dave, one) = (
        who(AccountKeyring::Bob),
        who(AccountKeyring::Dave),
        who(AccountKeyring::One),
    );
    let id = client
        .call(&ink_e2e::bob(), &led.record(dave, order(1, 5_000, 0)))
        .submit()
        .await?
        .return_value()?;
    client
        .call(&ink_e2e::dave(), &led.confirm(id))
        .submit()
        .await?;

    // when `one`, a stranger, calls each privileged message, then each is refused
    let registry_results = [
        client
            .call(&ink_e2e::one(), &reg.set_role(Role::Admin, Some(one)))
            .dry_run()
            .await?
            .return_value(),
        client
            .call(
                &ink_e2e::one(),
                &reg.set_merchant_status(bob, MerchantStatus::Removed),
            )
            .dry_run()
            .await?
            .return_value(),
        client
            .call(
                &ink_e2e::one(),
                &reg.set_customer_status(dave, CustomerStatus::Removed),
            )
            .dry_run()
            .await?
            .return_value(),
    ];
    for r in registry_results {
        assert_eq!(r, Err(RegistryError::Unauthorized));
    }
    let ledger_results = [
        client
            .call(&ink_e2e::one(), &led.set_params(LedgerParams::default()))
            .dry_run()
            .await?
            .return_value(),
        client
            .call(&ink_e2e::one(), &led.set_role(Role::Reporter, Some(one)))
            .dry_run()
            .await?
            .return_value(),
        client
            .call(&ink_e2e::one(), &led.set_caps(RewardCaps::NONE))
            .dry_run()
            .await?
            .return_value(),
        // (the caps are governance's alone: not even the authority's)
        client
            .call(&ink_e2e::alice(), &led.set_caps(RewardCaps::NONE))
            .dry_run()
            .await?
            .return_value(),
        client
            .call(&ink_e2e::one(), &led.flag(id, Hash::default()))
            .dry_run()
            .await?
            .return_value(),
        // (restoring a flagged receipt is governance's alone: an upheld
        // appeal, not the authority's)
        client
            .call(&ink_e2e::one(), &led.restore(id))
            .dry_run()
            .await?
            .return_value(),
        client
            .call(&ink_e2e::alice(), &led.restore(id))
            .dry_run()
            .await?
            .return_value(),
        client
            .call(
                &ink_e2e::one(),
                &led.registry_changed(
                    dave,
                    RegistryEntry::Customer(Customer {
                        referrer: None,
                        status: CustomerStatus::Active,
                        registered_at: 0,
                    }),
                ),
            )
            .dry_run()
            .await?
            .return_value(),
    ];
    for r in ledger_results {
        assert_eq!(r, Err(LedgerError::Unauthorized));
    }
    // and the merchant cannot flag its own receipt nor a customer refund it
    let r = client
        .call(&ink_e2e::bob(), &led.flag(id, Hash::default()))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(r, Err(LedgerError::Unauthorized));
    let r = client
        .call(&ink_e2e::dave(), &led.refund(id))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(r, Err(LedgerError::NotCounterparty));
    // and the real holders of the roles can
    client
        .call(
            &ink_e2e::alice(),
            &reg.set_merchant_status(bob, MerchantStatus::Suspended),
        )
        .submit()
        .await?;
    let stale = client
        .call(&ink_e2e::dave(), &led.open(bob, order(2, 5_000, 0)))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(stale, Err(LedgerError::MerchantNotVerified));
    Ok(())
}

#[ink_e2e::test]
async fn attack_one_huge_receipt_cannot_reserve_the_time_pool<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // given the wired suite: 1,000,000 Time in the pool, the default caps
    let (_s, _reg, mut led, _bt, _tt) = suite!(client);
    let (bob, charlie, dave, eve) = (
        who(AccountKeyring::Bob),
        who(AccountKeyring::Charlie),
        who(AccountKeyring::Dave),
        who(AccountKeyring::Eve),
    );
    let (_, time_before) = pools!(client, led);
    assert_eq!(time_before.available, 1_000_000 * UNIT);

    // when merchant bob and his accomplice dave confirm one sale of
    // ¥10 billion: 100 million Time of cashback at 1 %, 100 times the pool
    let huge = 1_000_000_000_000;
    let cashback = time_reward(&LedgerParams::default().reward, huge, 0);
    assert!(cashback >= 100 * time_before.available);
    let id = client
        .call(&ink_e2e::bob(), &led.record(dave, order(1, huge, 0)))
        .submit()
        .await?
        .return_value()?;
    let attack = client
        .call(&ink_e2e::dave(), &led.confirm(id))
        .submit()
        .await?;
    let attack = confirmed(&attack.contract_emitted_events()?);

    // then it reserves no more than the caps the suite was deployed with
    // allow (per receipt, and at most 0.1 % of the pool)
    let caps = RewardCaps::default();
    assert_eq!(attack.rewards.customer_time, caps.receipt_time);
    assert!(attack.rewards.customer_time <= time_before.available / 1_000);

    // and an honest sale confirmed meanwhile, at charlie's to eve, gets its
    // whole cashback
    let id = client
        .call(&ink_e2e::charlie(), &led.record(eve, order(1, 5_000, 0)))
        .submit()
        .await?
        .return_value()?;
    let honest = client
        .call(&ink_e2e::eve(), &led.confirm(id))
        .submit()
        .await?;
    let honest = confirmed(&honest.contract_emitted_events()?);
    assert_eq!(honest.merchant, charlie);
    assert_eq!(
        honest.rewards.customer_time,
        time_reward(&LedgerParams::default().reward, 5_000, 0)
    );
    assert!(honest.rewards.customer_time > 0);

    // and a second huge sale the same day at bob's gets only what is left
    // of bob's daily cap: the pool is still almost whole
    let id = client
        .call(&ink_e2e::bob(), &led.record(eve, order(2, huge, 0)))
        .submit()
        .await?
        .return_value()?;
    let again = client
        .call(&ink_e2e::eve(), &led.confirm(id))
        .submit()
        .await?;
    let again = confirmed(&again.contract_emitted_events()?);
    assert!(again.rewards.customer_time <= caps.receipt_time);
    let (_, time_after) = pools!(client, led);
    assert!(time_after.available >= time_before.available - caps.merchant_day_time - 2 * UNIT);
    let today = client
        .call(&ink_e2e::alice(), &led.merchant_state(bob))
        .dry_run()
        .await?
        .return_value()
        .expect("bob is known")
        .today;
    assert_eq!(
        today.time,
        attack.rewards.customer_time + again.rewards.customer_time
    );
    assert!(today.time <= caps.merchant_day_time);
    Ok(())
}
