//! The client against a real node: upload, instantiate, calls, dry runs,
//! events, typed errors, finality.

use crate::harness::{contracts_dir, start_node};
use bizkey_chain::accounts::{account_of, keypair, to_ink};
use bizkey_chain::{ChainError, Contract, ContractBundle, Finality};
use bizkey_types::psp22::{PSP22Error, Transfer};
use std::sync::Arc;

const BT_TOTAL: u128 = 10_000_000_000 * 1_000_000_000_000;

#[tokio::test]
async fn token_calls_dry_runs_events_and_errors_on_a_real_node() {
    let (_node, chain) = start_node().await;
    let alice = keypair("//Alice").unwrap();
    let bob = account_of(&keypair("//Bob").unwrap());
    let a = account_of(&alice);

    // given a Biz token whose four allocations all go to Alice
    let bundle = ContractBundle::load(contracts_dir().join("biz_token.contract")).unwrap();
    let me = to_ink(&a);
    let inst = chain
        .instantiate(&alice, &bundle, "new", &(me, me, me, me), b"t1".to_vec())
        .await
        .unwrap();
    assert_eq!(inst.code_hash.0, bundle.code_hash);
    assert!(chain.code_exists(inst.code_hash).await.unwrap());
    // the constructor's mints are contract events of the instantiation
    let mints: Vec<Transfer> = inst
        .included
        .contract_events
        .iter()
        .filter_map(|e| e.decode::<Transfer>().unwrap())
        .collect();
    assert_eq!(mints.iter().map(|t| t.value).sum::<u128>(), BT_TOTAL);
    let token = Contract {
        name: "biz_token".into(),
        address: inst.address.clone(),
        bundle: Arc::new(bundle),
    };

    // when Alice dry-runs balance_of, then she holds the whole supply
    let bal = chain
        .dry_run::<u128>(&a, &token, "balance_of", &me)
        .await
        .unwrap();
    assert_eq!(bal.value, BT_TOTAL);
    assert!(!bal.reverted);
    assert!(bal.gas_consumed.ref_time > 0 && bal.gas_consumed.proof_size > 0);
    assert!(bal.gas_required >= bal.gas_consumed);

    // a dry run of a transfer reports the event the transfer would emit,
    // and moves nothing
    let five = 5 * 1_000_000_000_000u128;
    let dry = chain
        .dry_run::<Result<(), PSP22Error>>(
            &a,
            &token,
            "PSP22::transfer",
            &(to_ink(&bob), five, Vec::<u8>::new()),
        )
        .await
        .unwrap();
    let announced: Vec<Transfer> = dry
        .events
        .iter()
        .filter_map(|e| e.decode::<Transfer>().unwrap())
        .collect();
    assert_eq!(
        announced,
        vec![Transfer {
            from: Some(me),
            to: Some(to_ink(&bob)),
            value: five
        }]
    );
    assert!(dry.events.iter().all(|e| e.contract == inst.address));
    let unmoved = chain
        .dry_run::<u128>(&a, &token, "balance_of", &to_ink(&bob))
        .await
        .unwrap();
    assert_eq!(unmoved.value, 0);
    assert!(unmoved.events.is_empty(), "a query emits nothing");

    // when she transfers 5 BT to Bob in a finalized block
    let out = chain
        .call::<Result<(), PSP22Error>>(
            &alice,
            &token,
            "PSP22::transfer",
            &(to_ink(&bob), five, Vec::<u8>::new()),
            Finality::Finalized,
        )
        .await
        .unwrap();
    assert_eq!(out.value, Ok(()));
    // then the Transfer event carries the same types the contract emitted
    let transfers: Vec<Transfer> = out
        .events()
        .iter()
        .filter_map(|e| e.decode::<Transfer>().unwrap())
        .collect();
    assert_eq!(
        transfers,
        vec![Transfer {
            from: Some(me),
            to: Some(to_ink(&bob)),
            value: five
        }]
    );
    assert!(out.events().iter().all(|e| e.contract == inst.address));
    let (finalized, _) = chain.finalized_block().await.unwrap();
    assert!(finalized >= out.included.block_number);
    let ts = chain
        .block_timestamp(out.included.block_hash)
        .await
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    assert!(
        ts <= now && now - ts < 120_000,
        "block time {ts} vs now {now}"
    );
    let bob_bal = chain
        .dry_run::<u128>(&a, &token, "balance_of", &to_ink(&bob))
        .await
        .unwrap();
    assert_eq!(bob_bal.value, five);

    // a transfer beyond Bob's balance reverts: typed in a dry run, an error in a call
    let bob_key = keypair("//Bob").unwrap();
    let too_much = (to_ink(&a), five + 1, Vec::<u8>::new());
    let dry = chain
        .dry_run::<Result<(), PSP22Error>>(&bob, &token, "transfer", &too_much)
        .await
        .unwrap();
    assert!(dry.reverted);
    assert_eq!(dry.value, Err(PSP22Error::InsufficientBalance));
    let err = chain
        .call::<Result<(), PSP22Error>>(&bob_key, &token, "transfer", &too_much, Finality::InBlock)
        .await
        .unwrap_err();
    match err {
        ChainError::ContractReverted {
            contract, reason, ..
        } => {
            assert_eq!(contract, "biz_token");
            assert!(reason.contains("InsufficientBalance"), "{reason}");
        }
        other => panic!("expected a revert, got {other}"),
    }
    // and left state unchanged
    let bob_bal = chain
        .dry_run::<u128>(&a, &token, "balance_of", &to_ink(&bob))
        .await
        .unwrap();
    assert_eq!(bob_bal.value, five);

    // unknown messages and undecodable outputs are typed errors
    assert!(matches!(
        chain.dry_run::<u128>(&a, &token, "mint", &()).await,
        Err(ChainError::Bundle(_))
    ));
    assert!(matches!(
        chain
            .dry_run::<(u128, u128)>(&a, &token, "balance_of", &me)
            .await,
        Err(ChainError::Decode { .. })
    ));
    // arguments that ink! cannot decode are its LangError
    assert!(matches!(
        chain.dry_run::<u128>(&a, &token, "balance_of", &1u8).await,
        Err(ChainError::LangError { .. }) | Err(ChainError::Module { .. })
    ));
}

#[tokio::test]
async fn consecutive_transactions_of_one_signer_and_rejected_ones() {
    let (_node, chain) = start_node().await;
    let alice = keypair("//Alice").unwrap();
    let fresh: Vec<_> = (0..3)
        .map(|i| account_of(&keypair(&format!("//Alice//fresh/{i}")).unwrap()))
        .collect();
    // back-to-back from one signer, well inside the finalization delay
    let first = chain
        .fund(&alice, &fresh[..1], 10_u128.pow(15), Finality::InBlock)
        .await
        .unwrap();
    let second = chain
        .fund(&alice, &fresh[1..], 10_u128.pow(15), Finality::InBlock)
        .await
        .unwrap();
    assert_eq!(second.block_number, first.block_number + 1);
    for a in &fresh {
        assert_eq!(chain.free_balance(a).await.unwrap(), 10_u128.pow(15));
    }
    assert_eq!(chain.genesis_hash(), chain.api().genesis_hash());
    // a failing dispatch is a typed module error
    let poor = keypair("//Alice//never-funded").unwrap();
    let err = chain
        .fund(&poor, &fresh[..1], 1, Finality::InBlock)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ChainError::Transaction { .. }),
        "an unfunded signer cannot pay fees: {err}"
    );
}
