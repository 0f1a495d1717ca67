//! End-to-end tests of the Time token against `substrate-contracts-node`
//! (`CONTRACTS_NODE`); each test starts its own node.

use crate::time_token::{TimeToken, TimeTokenRef, CAP, GENESIS_SUPPLY, UNIT};
use bizkey_math::emission::{emitted, PERIOD_MS};
use bizkey_types::psp22::{
    BizkeyToken, EmissionReleased, PSP22Error, PSP22Metadata, Transfer, PSP22,
};
use ink::env::Event;
use ink_e2e::{account_id, AccountKeyring, ContractsBackend};
use scale::Decode;

type E2EResult<T> = Result<T, Box<dyn std::error::Error>>;

/// The reward pool's share of each release in these tests.
const REWARD_SHARE_PPM: u32 = 750_000;

/// alice deploys and holds the genesis; bob is the reward pool, charlie the
/// dividend pool.
macro_rules! deploy {
    ($client:expr) => {
        $client
            .instantiate(
                "time_token",
                &ink_e2e::alice(),
                &mut TimeTokenRef::new(
                    account_id(AccountKeyring::Alice),
                    account_id(AccountKeyring::Bob),
                    account_id(AccountKeyring::Charlie),
                    REWARD_SHARE_PPM,
                ),
            )
            .submit()
            .await
            .expect("instantiate failed")
    };
}

#[ink_e2e::test]
async fn genesis_moves_to_the_ledger_and_allowances_work<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // given
    let contract = deploy!(client);
    let mut token = contract.call_builder::<TimeToken>();
    let alice = account_id(AccountKeyring::Alice);
    let dave = account_id(AccountKeyring::Dave);
    let eve = account_id(AccountKeyring::Eve);
    let supply = client
        .call(&ink_e2e::alice(), &token.total_supply())
        .dry_run()
        .await?
        .return_value();
    assert_eq!(supply, GENESIS_SUPPLY);
    let decimals = client
        .call(&ink_e2e::alice(), &token.token_decimals())
        .dry_run()
        .await?
        .return_value();
    assert_eq!(decimals, 12);

    // when the deployer passes the genesis reserve on (dave stands for the
    // ledger) and dave lets eve spend some of it
    client
        .call(
            &ink_e2e::alice(),
            &token.transfer(dave, GENESIS_SUPPLY, Vec::new()),
        )
        .submit()
        .await
        .expect("transfer failed");
    client
        .call(&ink_e2e::dave(), &token.approve(eve, 50 * UNIT))
        .submit()
        .await
        .expect("approve failed");
    client
        .call(
            &ink_e2e::eve(),
            &token.transfer_from(dave, eve, 20 * UNIT, Vec::new()),
        )
        .submit()
        .await
        .expect("transfer_from failed");

    // then
    let alice_balance = client
        .call(&ink_e2e::alice(), &token.balance_of(alice))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(alice_balance, 0);
    let dave_balance = client
        .call(&ink_e2e::alice(), &token.balance_of(dave))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(dave_balance, GENESIS_SUPPLY - 20 * UNIT);
    let allowance = client
        .call(&ink_e2e::alice(), &token.allowance(dave, eve))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(allowance, 30 * UNIT);
    let too_much = client
        .call(&ink_e2e::eve(), &token.decrease_allowance(eve, 1))
        .dry_run()
        .await?
        .return_value();
    // eve approving herself is a no-op, so lowering it is too.
    assert_eq!(too_much, Ok(()));
    let too_much = client
        .call(&ink_e2e::dave(), &token.decrease_allowance(eve, 31 * UNIT))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(too_much, Err(PSP22Error::InsufficientAllowance));
    Ok(())
}

#[ink_e2e::test]
async fn release_emission_mints_the_accrual<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // given a deployed token and a few blocks later
    let contract = deploy!(client);
    let mut token = contract.call_builder::<TimeToken>();
    let bob = account_id(AccountKeyring::Bob);
    let charlie = account_id(AccountKeyring::Charlie);
    let eve = account_id(AccountKeyring::Eve);
    for _ in 0..2 {
        client
            .call(&ink_e2e::alice(), &token.transfer(eve, UNIT, Vec::new()))
            .submit()
            .await
            .expect("transfer failed");
    }

    // when a stranger releases
    let result = client
        .call(&ink_e2e::eve(), &token.release_emission())
        .submit()
        .await
        .expect("release_emission failed");

    // then what accrued since the start block is minted, split 75/25. (The
    // on-chain events tell the amount: `return_value()` is the dry run's,
    // one block earlier.)
    let events = result.contract_emitted_events()?;
    assert_eq!(events.len(), 3);
    assert_eq!(
        events[2].topics[0],
        <EmissionReleased as Event>::SIGNATURE_TOPIC.unwrap().into()
    );
    let event = EmissionReleased::decode(&mut &events[2].event.data[..])?;
    let released = event.amount;
    assert!(released > 0, "the block timestamp did not advance");
    let emission = client
        .call(&ink_e2e::alice(), &token.emission())
        .dry_run()
        .await?
        .return_value();
    assert_eq!(emission.released(), released);
    // The release is the schedule at a whole number of milliseconds after
    // the start: the inverse of the first period's linear rate gives it.
    let elapsed_ms = (released * PERIOD_MS as u128).div_ceil(2_000_000_000 * UNIT) as u64;
    assert_eq!(emitted(elapsed_ms), released);
    assert!(elapsed_ms < 10 * 60 * 1000, "{elapsed_ms} ms elapsed");
    println!("emission over {elapsed_ms} ms of block time: {released}");

    let event = EmissionReleased::decode(&mut &events[2].event.data[..])?;
    assert_eq!(event.amount, released);
    assert_eq!(event.released_total, released);
    assert_eq!(event.to_reward_pool, released * 3 / 4);
    assert_eq!(
        Transfer::decode(&mut &events[0].event.data[..])?,
        Transfer {
            from: None,
            to: Some(bob),
            value: event.to_reward_pool
        }
    );
    let bob_balance = client
        .call(&ink_e2e::alice(), &token.balance_of(bob))
        .dry_run()
        .await?
        .return_value();
    let charlie_balance = client
        .call(&ink_e2e::alice(), &token.balance_of(charlie))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(bob_balance, event.to_reward_pool);
    assert_eq!(charlie_balance, released - event.to_reward_pool);
    let supply = client
        .call(&ink_e2e::alice(), &token.total_supply())
        .dry_run()
        .await?
        .return_value();
    assert_eq!(supply, GENESIS_SUPPLY + released);
    assert!(supply <= CAP);

    // and nothing more is due at the release's block
    let releasable = client
        .call(&ink_e2e::alice(), &token.releasable())
        .dry_run()
        .await?
        .return_value();
    assert_eq!(releasable, 0);

    // while later blocks accrue more. (The transfer first makes a block in
    // which something accrued: `submit` sizes the gas limit by a dry run at
    // the best block, and a dry run where nothing accrued mints nothing and
    // needs less gas than the real release.)
    client
        .call(&ink_e2e::alice(), &token.transfer(eve, UNIT, Vec::new()))
        .submit()
        .await
        .expect("transfer failed");
    let events = client
        .call(&ink_e2e::eve(), &token.release_emission())
        .submit()
        .await
        .expect("second release failed")
        .contract_emitted_events()?;
    let second = EmissionReleased::decode(&mut &events.last().expect("no events").event.data[..])?;
    assert!(second.amount > 0);
    assert_eq!(second.released_total, released + second.amount);
    let second = second.amount;
    let emission = client
        .call(&ink_e2e::alice(), &token.emission())
        .dry_run()
        .await?
        .return_value();
    assert_eq!(emission.released(), released + second);
    Ok(())
}

#[ink_e2e::test]
async fn privileged_messages_reject_a_stranger<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // given
    let contract = deploy!(client);
    let mut token = contract.call_builder::<TimeToken>();
    let alice = account_id(AccountKeyring::Alice);
    let eve = account_id(AccountKeyring::Eve);
    let ferdie = account_id(AccountKeyring::Ferdie);

    // when eve, a stranger, calls each privileged message
    let unauthorized = [
        client
            .call(&ink_e2e::eve(), &token.set_admin(eve))
            .dry_run()
            .await?
            .return_value(),
        client
            .call(&ink_e2e::eve(), &token.set_governance(Some(eve)))
            .dry_run()
            .await?
            .return_value(),
        client
            .call(&ink_e2e::eve(), &token.configure_emission(eve, eve, 0))
            .dry_run()
            .await?
            .return_value(),
        client
            .call(&ink_e2e::eve(), &token.burn_from(alice, UNIT))
            .dry_run()
            .await?
            .return_value(),
        client
            .call(&ink_e2e::eve(), &token.clawback(alice, eve, UNIT))
            .dry_run()
            .await?
            .return_value(),
    ];

    // then each is refused and the configuration is unchanged
    assert_eq!(
        unauthorized.to_vec(),
        vec![Err(PSP22Error::Unauthorized); 5]
    );
    assert!(client
        .call(&ink_e2e::eve(), &token.configure_emission(eve, eve, 0))
        .submit()
        .await
        .is_err());
    let emission = client
        .call(&ink_e2e::alice(), &token.emission())
        .dry_run()
        .await?
        .return_value();
    assert_eq!(emission.reward_pool(), account_id(AccountKeyring::Bob));
    assert_eq!(emission.reward_share_ppm(), REWARD_SHARE_PPM);

    // and the admin's own calls go through
    let invalid = client
        .call(
            &ink_e2e::alice(),
            &token.configure_emission(eve, eve, 1_000_001),
        )
        .dry_run()
        .await?
        .return_value();
    assert_eq!(invalid, Err(PSP22Error::InvalidParameter));
    client
        .call(&ink_e2e::alice(), &token.set_governance(Some(ferdie)))
        .submit()
        .await
        .expect("set_governance failed");
    client
        .call(&ink_e2e::ferdie(), &token.burn_from(alice, 5 * UNIT))
        .submit()
        .await
        .expect("burn_from failed");
    let supply = client
        .call(&ink_e2e::alice(), &token.total_supply())
        .dry_run()
        .await?
        .return_value();
    assert_eq!(supply, GENESIS_SUPPLY - 5 * UNIT);
    Ok(())
}
