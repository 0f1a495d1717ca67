//! End-to-end tests of the Biz token against `substrate-contracts-node`
//! (`CONTRACTS_NODE`); each test starts its own node.

use crate::biz_token::{
    BizToken, BizTokenRef, EARLY_SUPPORTERS_SHARE, ECOSYSTEM_SHARE, FOUNDATION_SHARE, TEAM_SHARE,
    TOTAL_SUPPLY, UNIT,
};
use bizkey_types::psp22::{BizkeyToken, PSP22Error, PSP22Metadata, Transfer, PSP22};
use ink::env::Event;
use ink_e2e::{account_id, AccountKeyring, ContractsBackend};
use scale::Decode;

type E2EResult<T> = Result<T, Box<dyn std::error::Error>>;

/// alice deploys; alice = early supporters, bob = ecosystem, charlie =
/// team, dave = foundation.
macro_rules! deploy {
    ($client:expr) => {
        $client
            .instantiate(
                "biz_token",
                &ink_e2e::alice(),
                &mut BizTokenRef::new(
                    account_id(AccountKeyring::Alice),
                    account_id(AccountKeyring::Bob),
                    account_id(AccountKeyring::Charlie),
                    account_id(AccountKeyring::Dave),
                ),
            )
            .submit()
            .await
            .expect("instantiate failed")
    };
}

#[ink_e2e::test]
async fn deploy_allocates_and_transfer_moves<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // given
    let contract = deploy!(client);
    let mut token = contract.call_builder::<BizToken>();
    let alice = account_id(AccountKeyring::Alice);
    let eve = account_id(AccountKeyring::Eve);

    let supply = client
        .call(&ink_e2e::alice(), &token.total_supply())
        .dry_run()
        .await?
        .return_value();
    assert_eq!(supply, TOTAL_SUPPLY);
    for (who, share) in [
        (AccountKeyring::Alice, EARLY_SUPPORTERS_SHARE),
        (AccountKeyring::Bob, ECOSYSTEM_SHARE),
        (AccountKeyring::Charlie, TEAM_SHARE),
        (AccountKeyring::Dave, FOUNDATION_SHARE),
    ] {
        let balance = client
            .call(&ink_e2e::alice(), &token.balance_of(account_id(who)))
            .dry_run()
            .await?
            .return_value();
        assert_eq!(balance, share, "{who:?}");
    }
    let symbol = client
        .call(&ink_e2e::alice(), &token.token_symbol())
        .dry_run()
        .await?
        .return_value();
    assert_eq!(symbol.as_deref(), Some("BT"));

    // when
    let result = client
        .call(
            &ink_e2e::alice(),
            &token.transfer(eve, 1_000 * UNIT, Vec::new()),
        )
        .submit()
        .await
        .expect("transfer failed");

    // then
    let emitted = result.contract_emitted_events()?;
    assert_eq!(emitted.len(), 1);
    assert_eq!(
        emitted[0].topics[0],
        <Transfer as Event>::SIGNATURE_TOPIC.unwrap().into()
    );
    assert_eq!(
        Transfer::decode(&mut &emitted[0].event.data[..])?,
        Transfer {
            from: Some(alice),
            to: Some(eve),
            value: 1_000 * UNIT
        }
    );
    let eve_balance = client
        .call(&ink_e2e::alice(), &token.balance_of(eve))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(eve_balance, 1_000 * UNIT);
    let alice_balance = client
        .call(&ink_e2e::alice(), &token.balance_of(alice))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(alice_balance, EARLY_SUPPORTERS_SHARE - 1_000 * UNIT);
    Ok(())
}

#[ink_e2e::test]
async fn approve_then_transfer_from<Client: E2EBackend>(mut client: Client) -> E2EResult<()> {
    // given
    let contract = deploy!(client);
    let mut token = contract.call_builder::<BizToken>();
    let alice = account_id(AccountKeyring::Alice);
    let eve = account_id(AccountKeyring::Eve);
    let ferdie = account_id(AccountKeyring::Ferdie);
    client
        .call(&ink_e2e::alice(), &token.approve(ferdie, 500 * UNIT))
        .submit()
        .await
        .expect("approve failed");

    // when
    client
        .call(
            &ink_e2e::ferdie(),
            &token.transfer_from(alice, eve, 200 * UNIT, Vec::new()),
        )
        .submit()
        .await
        .expect("transfer_from failed");

    // then
    let allowance = client
        .call(&ink_e2e::alice(), &token.allowance(alice, ferdie))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(allowance, 300 * UNIT);
    let eve_balance = client
        .call(&ink_e2e::alice(), &token.balance_of(eve))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(eve_balance, 200 * UNIT);

    // and spending beyond the allowance fails and changes nothing
    let over = token.transfer_from(alice, eve, 301 * UNIT, Vec::new());
    let dry_run = client.call(&ink_e2e::ferdie(), &over).dry_run().await?;
    assert_eq!(
        dry_run.return_value(),
        Err(PSP22Error::InsufficientAllowance)
    );
    assert!(client
        .call(&ink_e2e::ferdie(), &over)
        .submit()
        .await
        .is_err());
    let eve_balance = client
        .call(&ink_e2e::alice(), &token.balance_of(eve))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(eve_balance, 200 * UNIT);
    Ok(())
}

#[ink_e2e::test]
async fn privileged_messages_reject_a_stranger<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // given
    let contract = deploy!(client);
    let mut token = contract.call_builder::<BizToken>();
    let alice = account_id(AccountKeyring::Alice);
    let bob = account_id(AccountKeyring::Bob);
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

    // then each is refused
    assert_eq!(
        unauthorized.to_vec(),
        vec![Err(PSP22Error::Unauthorized); 4]
    );
    assert!(client
        .call(&ink_e2e::eve(), &token.set_governance(Some(eve)))
        .submit()
        .await
        .is_err());
    let governance = client
        .call(&ink_e2e::alice(), &token.governance())
        .dry_run()
        .await?
        .return_value();
    assert_eq!(governance, None);

    // and once alice names ferdie governance, ferdie may burn and claw back
    client
        .call(&ink_e2e::alice(), &token.set_governance(Some(ferdie)))
        .submit()
        .await
        .expect("set_governance failed");
    client
        .call(&ink_e2e::ferdie(), &token.burn_from(alice, 7 * UNIT))
        .submit()
        .await
        .expect("burn_from failed");
    client
        .call(&ink_e2e::ferdie(), &token.clawback(alice, bob, 3 * UNIT))
        .submit()
        .await
        .expect("clawback failed");
    let supply = client
        .call(&ink_e2e::alice(), &token.total_supply())
        .dry_run()
        .await?
        .return_value();
    assert_eq!(supply, TOTAL_SUPPLY - 7 * UNIT);
    let bob_balance = client
        .call(&ink_e2e::alice(), &token.balance_of(bob))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(bob_balance, ECOSYSTEM_SHARE + 3 * UNIT);
    let alice_balance = client
        .call(&ink_e2e::alice(), &token.balance_of(alice))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(alice_balance, EARLY_SUPPORTERS_SHARE - 10 * UNIT);
    Ok(())
}
