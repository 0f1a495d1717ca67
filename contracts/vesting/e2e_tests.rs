//! End-to-end tests against `substrate-contracts-node` with the real BT.
//!
//! The dev node's clock cannot be moved by months, so "months later" is
//! simulated by instantiating vesting with `t0` in the past (the node's block
//! timestamp follows the wall clock): t0 = now − 7 months shows the state
//! seven months after issue, t0 = now − 25 months the state after the
//! percentage schedules have ended, t0 = now + 1 day the state before issue.
//! Margins are days, far above the node's clock drift.

use super::*;
use biz_token::biz_token::{BizToken, BizTokenRef};
use bizkey_e2e_kit::{now_ms, E2EResult};
use bizkey_types::{math::vesting::MONTH_MS, psp22::PSP22};
use ink_e2e::{account_id, AccountKeyring, CallBuilderFinal, ContractsBackend};

const BT: Balance = BT_UNIT;
const EARLY: Balance = 2_000_000_000 * BT;
const TEAM: Balance = 1_500_000_000 * BT;
const FOUNDATION: Balance = 1_500_000_000 * BT;
const FUNDED: Balance = EARLY + TEAM + FOUNDATION;
const DAY_MS: u64 = 86_400_000;

fn id(k: AccountKeyring) -> AccountId {
    account_id(k)
}

/// BT with alice holding all four allocations (deploy step 1).
async fn deploy_bt<Client>(client: &mut Client) -> AccountId
where
    Client: ink_e2e::E2EBackend,
    <Client as ContractsBackend<ink::env::DefaultEnvironment>>::Error: core::fmt::Debug,
{
    let alice = id(AccountKeyring::Alice);
    let mut ctor = BizTokenRef::new(alice, alice, alice, alice);
    client
        .instantiate("biz_token", &ink_e2e::alice(), &mut ctor)
        .submit()
        .await
        .expect("BT instantiate failed")
        .account_id
}

/// Vesting from `t0` for bob (early supporters), charlie (team) and dave
/// (foundation), administered by alice (deploy step 2).
async fn deploy_vesting<Client>(client: &mut Client, bt: AccountId, t0: u64) -> AccountId
where
    Client: ink_e2e::E2EBackend,
    <Client as ContractsBackend<ink::env::DefaultEnvironment>>::Error: core::fmt::Debug,
{
    let mut ctor = VestingRef::new(
        bt,
        t0,
        id(AccountKeyring::Bob),
        id(AccountKeyring::Charlie),
        id(AccountKeyring::Dave),
    );
    client
        .instantiate("vesting", &ink_e2e::alice(), &mut ctor)
        .submit()
        .await
        .expect("vesting instantiate failed")
        .account_id
}

/// Alice transfers `amount` BT to `to` (deploy step 3 when `to` is vesting).
async fn fund<Client>(client: &mut Client, bt: AccountId, to: AccountId, amount: Balance)
where
    Client: ink_e2e::E2EBackend,
    <Client as ContractsBackend<ink::env::DefaultEnvironment>>::Error: core::fmt::Debug,
{
    let mut token = ink_e2e::create_call_builder::<BizToken>(bt);
    let result = client
        .call(&ink_e2e::alice(), &token.transfer(to, amount, Vec::new()))
        .submit()
        .await
        .expect("BT transfer failed")
        .return_value();
    assert_eq!(result, Ok(()));
}

async fn bt_balance<Client>(client: &mut Client, bt: AccountId, who: AccountId) -> Balance
where
    Client: ink_e2e::E2EBackend,
    <Client as ContractsBackend<ink::env::DefaultEnvironment>>::Error: core::fmt::Debug,
{
    let token = ink_e2e::create_call_builder::<BizToken>(bt);
    client
        .call(&ink_e2e::alice(), &token.balance_of(who))
        .dry_run()
        .await
        .expect("balance_of failed")
        .return_value()
}

/// `release` by `caller`: the dry run's answer, then, if it is `Ok`, the
/// transaction.
async fn release<Client>(
    client: &mut Client,
    vesting: AccountId,
    caller: &ink_e2e::Keypair,
) -> core::result::Result<Balance, VestingError>
where
    Client: ink_e2e::E2EBackend,
    <Client as ContractsBackend<ink::env::DefaultEnvironment>>::Error: core::fmt::Debug,
{
    let mut v = ink_e2e::create_call_builder::<Vesting>(vesting);
    let call = v.release();
    let answer = client
        .call(caller, &call)
        .dry_run()
        .await
        .expect("release dry run failed")
        .return_value();
    if answer.is_ok() {
        let done = client
            .call(caller, &call)
            .submit()
            .await
            .expect("release failed")
            .return_value();
        assert_eq!(done, answer);
    }
    answer
}

/// A read-only message, dry-run by alice.
async fn query<Client, Args, R>(
    client: &mut Client,
    message: &CallBuilderFinal<ink::env::DefaultEnvironment, Args, R>,
) -> R
where
    Client: ink_e2e::E2EBackend,
    <Client as ContractsBackend<ink::env::DefaultEnvironment>>::Error: core::fmt::Debug,
    Args: scale::Encode + Clone + Send + Sync,
    R: scale::Decode + Send,
{
    client
        .call(&ink_e2e::alice(), message)
        .dry_run()
        .await
        .expect("query failed")
        .return_value()
}

#[ink_e2e::test]
async fn vesting_releases_across_simulated_months<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // given: BT, and vesting seven months after t0, not funded yet
    let bt = deploy_bt(&mut client).await;
    let t0 = now_ms() - 7 * MONTH_MS;
    let vesting = deploy_vesting(&mut client, bt, t0).await;
    let (bob, charlie, dave) = (ink_e2e::bob(), ink_e2e::charlie(), ink_e2e::dave());
    assert_eq!(
        release(&mut client, vesting, &bob).await,
        Err(VestingError::Underfunded)
    );

    // when: the deployer funds it (plus 1,000 BT of ecosystem fund)
    fund(&mut client, bt, vesting, FUNDED + 1_000 * BT).await;

    // then: months 3 and 6 of the early supporters (10 + 10 %), t0, 3 and 6
    // of the team (3 × 10 %), month 6 of the foundation (10 %)
    assert_eq!(release(&mut client, vesting, &bob).await, Ok(EARLY / 5));
    assert_eq!(
        release(&mut client, vesting, &charlie).await,
        Ok(TEAM / 10 * 3)
    );
    assert_eq!(
        release(&mut client, vesting, &dave).await,
        Ok(FOUNDATION / 10)
    );
    assert_eq!(
        bt_balance(&mut client, bt, id(AccountKeyring::Bob)).await,
        EARLY / 5
    );
    assert_eq!(
        bt_balance(&mut client, bt, id(AccountKeyring::Charlie)).await,
        TEAM / 10 * 3
    );
    assert_eq!(
        bt_balance(&mut client, bt, id(AccountKeyring::Dave)).await,
        FOUNDATION / 10
    );

    // and: month 9 has not come, so a second release is an early attempt
    for who in [&bob, &charlie, &dave] {
        assert_eq!(
            release(&mut client, vesting, who).await,
            Err(VestingError::NothingToRelease)
        );
    }
    assert_eq!(
        release(&mut client, vesting, &ink_e2e::ferdie()).await,
        Err(VestingError::NotBeneficiary)
    );
    let v = ink_e2e::create_call_builder::<Vesting>(vesting);
    let owed = FUNDED - EARLY / 5 - TEAM / 10 * 3 - FOUNDATION / 10;
    assert_eq!(query(&mut client, &v.outstanding()).await, owed);
    assert_eq!(
        bt_balance(&mut client, bt, vesting).await,
        owed + 1_000 * BT
    );
    assert_eq!(
        query(&mut client, &v.ecosystem_available()).await,
        1_000 * BT
    );
    let next = query(&mut client, &v.next_unlock(Allocation::EarlySupporters)).await;
    assert_eq!(next, Some((t0 + 9 * MONTH_MS, EARLY / 10)));

    // given: a second BT (alice has half of the first one left) and a
    // vesting 25 months after t0, exactly funded
    let bt = deploy_bt(&mut client).await;
    let t0 = now_ms() - 25 * MONTH_MS;
    let vesting = deploy_vesting(&mut client, bt, t0).await;
    fund(&mut client, bt, vesting, FUNDED).await;
    // then: the percentage schedules are over and pay their allocation exactly
    assert_eq!(release(&mut client, vesting, &bob).await, Ok(EARLY));
    assert_eq!(
        bt_balance(&mut client, bt, id(AccountKeyring::Bob)).await,
        EARLY
    );
    assert_eq!(release(&mut client, vesting, &charlie).await, Ok(TEAM));
    assert_eq!(
        release(&mut client, vesting, &bob).await,
        Err(VestingError::NothingToRelease)
    );
    // and the foundation has had four geometric steps: 1 − 0.9⁴ = 34.39 %
    assert_eq!(
        release(&mut client, vesting, &dave).await,
        Ok(FOUNDATION / 10_000 * 3_439)
    );
    let v = ink_e2e::create_call_builder::<Vesting>(vesting);
    assert_eq!(
        query(&mut client, &v.released(Allocation::Team)).await,
        TEAM
    );
    assert_eq!(
        query(&mut client, &v.next_unlock(Allocation::Team)).await,
        None
    );
    assert_eq!(
        bt_balance(&mut client, bt, vesting).await,
        FOUNDATION / 10_000 * 6_561
    );

    // given: a vesting whose t0 is tomorrow: nothing at all, not even the team's first 10 %
    let vesting = deploy_vesting(&mut client, bt, now_ms() + DAY_MS).await;
    fund(&mut client, bt, vesting, FUNDED).await;
    for who in [&bob, &charlie, &dave] {
        assert_eq!(
            release(&mut client, vesting, who).await,
            Err(VestingError::NothingToRelease)
        );
    }
    Ok(())
}

#[ink_e2e::test]
async fn governance_spends_the_ecosystem_fund_and_moves_beneficiaries<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // given: vesting one month after t0, funded with a 1,000 BT ecosystem fund
    let bt = deploy_bt(&mut client).await;
    let vesting = deploy_vesting(&mut client, bt, now_ms() - MONTH_MS).await;
    fund(&mut client, bt, vesting, FUNDED + 1_000 * BT).await;
    let mut v = ink_e2e::create_call_builder::<Vesting>(vesting);
    let (alice, eve, ferdie) = (ink_e2e::alice(), ink_e2e::eve(), ink_e2e::ferdie());
    let (eve_id, ferdie_id) = (id(AccountKeyring::Eve), id(AccountKeyring::Ferdie));

    // when: nobody holds the governance role, nobody spends
    let spend = v.spend_ecosystem(ferdie_id, 400 * BT);
    let answer = client.call(&alice, &spend).dry_run().await?.return_value();
    assert_eq!(answer, Err(VestingError::Unauthorized));

    // when: alice names eve governance
    let set = v.set_role(Role::Governance, Some(eve_id));
    client
        .call(&alice, &set)
        .submit()
        .await
        .expect("set_role failed");

    // then: eve spends within the fund, and not beyond it
    let done = client
        .call(&eve, &spend)
        .submit()
        .await
        .expect("spend failed");
    assert_eq!(done.return_value(), Ok(()));
    assert_eq!(bt_balance(&mut client, bt, ferdie_id).await, 400 * BT);
    let too_much = v.spend_ecosystem(ferdie_id, 600 * BT + 1);
    let answer = client.call(&eve, &too_much).dry_run().await?.return_value();
    assert_eq!(answer, Err(VestingError::InsufficientEcosystemFunds));
    assert_eq!(
        query(&mut client, &v.released(Allocation::Ecosystem)).await,
        400 * BT
    );
    assert_eq!(query(&mut client, &v.outstanding()).await, FUNDED);

    // and: after t0 the admin may not move a beneficiary, governance may
    let to_ferdie = v.set_beneficiary(Allocation::Team, ferdie_id);
    let answer = client
        .call(&alice, &to_ferdie)
        .dry_run()
        .await?
        .return_value();
    assert_eq!(answer, Err(VestingError::TooLate));
    client
        .call(&eve, &to_ferdie)
        .submit()
        .await
        .expect("set_beneficiary failed");
    assert_eq!(
        release(&mut client, vesting, &ink_e2e::charlie()).await,
        Err(VestingError::NotBeneficiary)
    );
    // the team's t0 step (10 %) goes to the new beneficiary
    assert_eq!(release(&mut client, vesting, &ferdie).await, Ok(TEAM / 10));
    assert_eq!(
        bt_balance(&mut client, bt, ferdie_id).await,
        400 * BT + TEAM / 10
    );
    Ok(())
}
