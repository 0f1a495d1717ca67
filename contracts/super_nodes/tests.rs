//! Unit tests: the plain logic (`SuperNodesData`), every error included, and
//! the message shells on ink!'s off-chain environment where they make no
//! cross-contract call (the rest runs in governance's e2e tests).

use super::*;
use bizkey_types::super_nodes::SuperNodesApi;
use ink::env::{test, DefaultEnvironment as Env};
use super_nodes::SuperNodes;

const UNBONDING: u64 = 500;
/// The governance contract.
const GOV: AccountId = AccountId([200; 32]);
/// Verification happens in 训政.
const T: Phase = Phase::Tutelage;

fn accounts() -> test::DefaultAccounts<Env> {
    test::default_accounts::<Env>()
}

fn config() -> SuperNodeConfig {
    SuperNodeConfig {
        min_bond: 50,
        unbonding_ms: UNBONDING,
        max_super_nodes: 3,
    }
}

/// Super nodes with alice as the admin and `GOV` as governance.
fn data() -> (SuperNodesData, test::DefaultAccounts<Env>) {
    let a = accounts();
    let mut d = SuperNodesData::new(a.alice, config()).unwrap();
    d.set_role(a.alice, Role::Governance, Some(GOV)).unwrap();
    (d, a)
}

fn acc(n: u8) -> AccountId {
    AccountId::from([n; 32])
}

fn region(prefix: &str) -> Scope {
    Scope::Region(prefix.as_bytes().to_vec())
}

#[ink::test]
fn new_and_roles() {
    let a = accounts();
    assert_eq!(
        SuperNodesData::new(
            a.alice,
            SuperNodeConfig {
                min_bond: 0,
                ..config()
            }
        )
        .err(),
        Some(SuperNodeError::InvalidConfig)
    );
    let mut d = SuperNodesData::new(a.alice, config()).unwrap();
    assert_eq!(d.config(), config());
    assert_eq!(
        (d.role(Role::Admin), d.role(Role::Governance)),
        (Some(a.alice), None)
    );
    assert_eq!(
        d.set_role(a.bob, Role::Governance, Some(a.bob)),
        Err(SuperNodeError::Unauthorized)
    );
    assert_eq!(
        d.set_role(a.alice, Role::Ledger, Some(a.bob)),
        Err(SuperNodeError::InvalidRole)
    );
    assert_eq!(
        d.set_role(a.alice, Role::Governance, Some(GOV)),
        Ok(vec![SuperNodeEvent::RoleChanged(RoleChanged {
            role: Role::Governance,
            account: Some(GOV)
        })])
    );
    assert_eq!(d.role(Role::Governance), Some(GOV));
    assert_eq!(d.role(Role::Reporter), None);
}

#[ink::test]
fn candidates_bond_withdraw_and_unbond() {
    let (mut d, a) = data();
    assert_eq!(
        d.register_candidate(a.bob, Scope::Region(Vec::new()), 50),
        Err(SuperNodeError::InvalidScope)
    );
    assert_eq!(
        d.register_candidate(a.bob, region("wtw"), 49),
        Err(SuperNodeError::BondTooLow)
    );
    let events = d.register_candidate(a.bob, region("wtw"), 60).unwrap();
    assert_eq!(
        events,
        vec![SuperNodeEvent::CandidateRegistered(CandidateRegistered {
            candidate: a.bob,
            scope: region("wtw"),
            bond: 60
        })]
    );
    assert_eq!(
        d.register_candidate(a.bob, region("wtw"), 60),
        Err(SuperNodeError::AlreadyCandidate)
    );
    assert_eq!(d.total_bonded(), 60);

    assert_eq!(
        d.withdraw_bond(a.bob, 0).err(),
        Some(SuperNodeError::StillBonded)
    );
    assert_eq!(
        d.withdraw_candidacy(a.charlie, 0),
        Err(SuperNodeError::NotCandidate)
    );
    let events = d.withdraw_candidacy(a.bob, 100).unwrap();
    assert_eq!(
        events,
        vec![SuperNodeEvent::CandidateWithdrawn(CandidateWithdrawn {
            candidate: a.bob,
            unbonding_until: 100 + UNBONDING
        })]
    );
    assert_eq!(
        d.withdraw_candidacy(a.bob, 100),
        Err(SuperNodeError::NotCandidate)
    );
    // Unbonding: no new candidacy, no early withdrawal.
    assert_eq!(
        d.register_candidate(a.bob, region("wtw"), 60),
        Err(SuperNodeError::AlreadyCandidate)
    );
    assert_eq!(
        d.withdraw_bond(a.bob, 100 + UNBONDING - 1).err(),
        Some(SuperNodeError::StillBonded)
    );
    let (bond, events) = d.withdraw_bond(a.bob, 100 + UNBONDING).unwrap();
    assert_eq!(bond, 60);
    assert_eq!(
        events,
        vec![SuperNodeEvent::BondWithdrawn(BondWithdrawn {
            candidate: a.bob,
            amount: 60
        })]
    );
    assert_eq!(d.total_bonded(), 0);
    assert_eq!(d.candidate(a.bob), None);
    assert_eq!(
        d.withdraw_bond(a.bob, 10_000).err(),
        Some(SuperNodeError::NotCandidate)
    );
}

#[ink::test]
fn a_withdrawing_super_node_leaves_office() {
    let (mut d, a) = data();
    d.register_candidate(a.bob, region("wtw"), 50).unwrap();
    d.elect(GOV, a.bob).unwrap();
    assert_eq!(d.super_nodes(), vec![(a.bob, region("wtw"))]);
    let events = d.withdraw_candidacy(a.bob, 500).unwrap();
    assert_eq!(
        events[0],
        SuperNodeEvent::SuperNodeRemoved(SuperNodeRemoved {
            node: a.bob,
            slashed: 0,
            evidence: Hash::default()
        })
    );
    assert!(d.super_nodes().is_empty());
    assert_eq!(
        d.candidate(a.bob).unwrap().status,
        CandidateStatus::Unbonding
    );
}

#[ink::test]
fn the_authority_slashes_until_the_constitution() {
    let (mut d, a) = data();
    d.register_candidate(a.bob, region("wtw"), 70).unwrap();
    d.register_candidate(a.charlie, region("u4"), 80).unwrap();
    let evidence = Hash::from([9; 32]);
    assert_eq!(
        d.slash(a.bob, a.charlie, evidence),
        Err(SuperNodeError::Unauthorized)
    );
    assert_eq!(
        d.slash(a.alice, a.django, evidence),
        Err(SuperNodeError::NotCandidate)
    );
    // A candidate that withdrew stays slashable while unbonding.
    d.withdraw_candidacy(a.bob, 0).unwrap();
    let (slashed, events) = d.slash(a.alice, a.bob, evidence).unwrap();
    assert_eq!(slashed, 70);
    assert_eq!(
        events,
        vec![SuperNodeEvent::SuperNodeRemoved(SuperNodeRemoved {
            node: a.bob,
            slashed: 70,
            evidence
        })]
    );
    assert_eq!(d.candidate(a.bob), None);
    // The shell moves the bond to the treasury.
    assert_eq!(d.total_bonded(), 80);
    assert_eq!(
        d.withdraw_bond(a.bob, 10_000).err(),
        Some(SuperNodeError::NotCandidate)
    );

    // Governance slashes too; entering 宪政 it takes the admin role and the
    // authority can no longer.
    assert_eq!(d.slash(GOV, a.charlie, evidence).unwrap().0, 80);
    d.register_candidate(a.charlie, region("u4"), 80).unwrap();
    d.set_role(GOV, Role::Admin, Some(GOV)).unwrap();
    assert_eq!(
        d.slash(a.alice, a.charlie, evidence),
        Err(SuperNodeError::Unauthorized)
    );
    assert_eq!(
        d.set_role(a.alice, Role::Admin, Some(a.alice)),
        Err(SuperNodeError::Unauthorized)
    );
}

// ---- verification by super nodes ----------------------------------------------

/// Three super nodes whose scopes overlap on a café at "wtw3sjq" that
/// joined platform 7: bob (region "wtw3"), charlie (industry Cafe), django
/// (platform 7); eve covers region "u4". The phase is 训政.
fn with_super_nodes() -> (SuperNodesData, test::DefaultAccounts<Env>) {
    let (mut d, a) = data();
    for (who, scope) in [
        (a.bob, region("wtw3")),
        (a.charlie, Scope::Industry(Category::Cafe)),
        (a.django, Scope::Platform(7)),
    ] {
        d.register_candidate(who, scope, 50).unwrap();
        d.elect(GOV, who).unwrap();
    }
    d.register_candidate(a.eve, region("u4"), 50).unwrap();
    d.set_platform(a.frank, PENDING, Some(7)).unwrap();
    (d, a)
}

/// A registered merchant's status, as the shell reads it.
const PENDING: Option<MerchantStatus> = Some(MerchantStatus::Pending);

const AT: &[u8] = b"wtw3sjq";

#[ink::test]
fn verification_needs_the_tutelage() {
    let (mut d, a) = data();
    d.register_candidate(a.bob, region("wtw3"), 50).unwrap();
    d.elect(GOV, a.bob).unwrap();
    assert_eq!(
        d.vote_verification(a.bob, Phase::Military, a.frank, (AT, Category::Cafe), true)
            .err(),
        Some(SuperNodeError::WrongPhase)
    );
    // 宪政 keeps the super nodes verifying.
    assert!(d
        .vote_verification(
            a.bob,
            Phase::Constitutional,
            a.frank,
            (AT, Category::Cafe),
            true
        )
        .is_ok());
}

#[ink::test]
fn verification_needs_an_elected_covering_node() {
    let (mut d, a) = with_super_nodes();
    // eve is a candidate, not elected; ferdie nothing at all.
    for who in [a.eve, acc(77)] {
        assert_eq!(
            d.vote_verification(who, T, a.frank, (AT, Category::Cafe), true)
                .err(),
            Some(SuperNodeError::Unauthorized)
        );
    }
    // bob's region does not cover a shop at "wtx".
    assert_eq!(
        d.vote_verification(a.bob, T, a.frank, (b"wtx1", Category::Cafe), true)
            .err(),
        Some(SuperNodeError::NotCovering)
    );
}

#[ink::test]
fn overlapping_super_nodes_verify_by_majority() {
    let (mut d, a) = with_super_nodes();
    assert_eq!(
        d.covering(a.frank, AT, Category::Cafe),
        vec![a.bob, a.charlie, a.django]
    );
    let (decision, events) = d
        .vote_verification(a.bob, T, a.frank, (AT, Category::Cafe), true)
        .unwrap();
    assert_eq!(decision, None);
    assert_eq!(
        events,
        vec![SuperNodeEvent::VerificationVoted(VerificationVoted {
            merchant: a.frank,
            node: a.bob,
            approve: true,
            approvals: 1,
            rejections: 0,
            covering: 3
        })]
    );
    assert_eq!(
        d.vote_verification(a.bob, T, a.frank, (AT, Category::Cafe), true)
            .err(),
        Some(SuperNodeError::AlreadyVoted)
    );
    assert_eq!(
        d.vote_verification(a.charlie, T, a.frank, (AT, Category::Cafe), false)
            .unwrap()
            .0,
        None
    );
    let (decision, events) = d
        .vote_verification(a.django, T, a.frank, (AT, Category::Cafe), true)
        .unwrap();
    assert_eq!(decision, Some(true));
    assert_eq!(
        events[1],
        SuperNodeEvent::VerificationDecided(VerificationDecided {
            merchant: a.frank,
            verified: true
        })
    );
    // The round closed.
    assert!(d.round(a.frank).is_empty());
}

#[ink::test]
fn a_rejecting_majority_closes_the_round() {
    let (mut d, a) = with_super_nodes();
    // Without the platform only bob and charlie cover a café in "wtw3".
    d.set_platform(a.frank, PENDING, None).unwrap();
    assert_eq!(d.platform(a.frank), None);
    assert_eq!(
        d.vote_verification(a.django, T, a.frank, (AT, Category::Cafe), true)
            .err(),
        Some(SuperNodeError::NotCovering)
    );
    let (decision, events) = d
        .vote_verification(a.charlie, T, a.frank, (AT, Category::Cafe), false)
        .unwrap();
    // 1 of 2 rejects: approval can no longer reach a majority.
    assert_eq!(decision, Some(false));
    assert_eq!(
        events[1],
        SuperNodeEvent::VerificationDecided(VerificationDecided {
            merchant: a.frank,
            verified: false
        })
    );
    assert!(d.round(a.frank).is_empty());
    // A new round may start.
    assert_eq!(
        d.vote_verification(a.bob, T, a.frank, (AT, Category::Cafe), true)
            .unwrap()
            .0,
        None
    );
}

#[ink::test]
fn only_merchants_declare_a_platform_and_not_during_their_round() {
    let (mut d, a) = with_super_nodes();
    // Nobody else picks a merchant's coverage: an unregistered or removed
    // account declares nothing.
    for status in [None, Some(MerchantStatus::Removed)] {
        assert_eq!(
            d.set_platform(a.eve, status, Some(7)).err(),
            Some(SuperNodeError::NotMerchant)
        );
        assert_eq!(d.platform(a.eve), None);
    }
    for status in [
        MerchantStatus::Pending,
        MerchantStatus::Verified,
        MerchantStatus::Suspended,
    ] {
        assert_eq!(
            d.set_platform(a.eve, Some(status), Some(8)),
            Ok(vec![SuperNodeEvent::PlatformChanged(PlatformChanged {
                merchant: a.eve,
                platform: Some(8)
            })])
        );
    }
    // Once a node voted on frank, frank cannot move to another platform's
    // nodes (nor drop django's) until the round closes.
    d.vote_verification(a.bob, T, a.frank, (AT, Category::Cafe), false)
        .unwrap();
    for platform in [Some(8), None] {
        assert_eq!(
            d.set_platform(a.frank, PENDING, platform).err(),
            Some(SuperNodeError::RoundOpen)
        );
    }
    assert_eq!(d.platform(a.frank), Some(7));
    // charlie's rejection closes the round (2 of 3 reject); then it may.
    let (decision, _) = d
        .vote_verification(a.charlie, T, a.frank, (AT, Category::Cafe), false)
        .unwrap();
    assert_eq!(decision, Some(false));
    assert!(d.set_platform(a.frank, PENDING, None).is_ok());
}

#[ink::test]
fn votes_of_nodes_that_left_office_do_not_count() {
    let (mut d, a) = with_super_nodes();
    d.vote_verification(a.bob, T, a.frank, (AT, Category::Cafe), true)
        .unwrap();
    d.withdraw_candidacy(a.bob, 10).unwrap();
    // charlie and django remain: charlie's approval is 1 of 2, no majority.
    let (decision, events) = d
        .vote_verification(a.charlie, T, a.frank, (AT, Category::Cafe), true)
        .unwrap();
    assert_eq!(decision, None);
    assert_eq!(
        events[0],
        SuperNodeEvent::VerificationVoted(VerificationVoted {
            merchant: a.frank,
            node: a.charlie,
            approve: true,
            approvals: 1,
            rejections: 0,
            covering: 2
        })
    );
    assert_eq!(
        d.vote_verification(a.django, T, a.frank, (AT, Category::Cafe), true)
            .unwrap()
            .0,
        Some(true)
    );
}

#[ink::test]
fn elections_revocations_and_seats() {
    let (mut d, a) = data();
    for (who, prefix) in [
        (a.bob, "a"),
        (a.charlie, "b"),
        (a.django, "c"),
        (a.eve, "d"),
    ] {
        d.register_candidate(who, region(prefix), 50).unwrap();
    }
    // Only governance elects and revokes (the authority neither).
    for who in [a.alice, a.bob] {
        assert_eq!(d.elect(who, a.bob), Err(SuperNodeError::Unauthorized));
        assert_eq!(
            d.revoke(who, a.bob, true).err(),
            Some(SuperNodeError::Unauthorized)
        );
    }
    assert_eq!(d.elect(GOV, acc(77)), Err(SuperNodeError::NotCandidate));
    let events = d.elect(GOV, a.bob).unwrap();
    assert_eq!(
        events,
        vec![SuperNodeEvent::SuperNodeElected(SuperNodeElected {
            node: a.bob,
            scope: region("a")
        })]
    );
    assert_eq!(
        d.candidate(a.bob).unwrap().status,
        CandidateStatus::SuperNode
    );
    assert_eq!(d.elect(GOV, a.bob), Err(SuperNodeError::NotCandidate));
    d.elect(GOV, a.charlie).unwrap();
    d.elect(GOV, a.django).unwrap();
    // All three seats are taken.
    assert_eq!(d.elect(GOV, a.eve), Err(SuperNodeError::TooManySuperNodes));
    // Revoked without slash: back to candidate, bond kept.
    assert_eq!(
        d.revoke(GOV, a.eve, false).err(),
        Some(SuperNodeError::NotCandidate)
    );
    let (slashed, events) = d.revoke(GOV, a.charlie, false).unwrap();
    assert_eq!(slashed, 0);
    assert_eq!(
        events,
        vec![SuperNodeEvent::SuperNodeRemoved(SuperNodeRemoved {
            node: a.charlie,
            slashed: 0,
            evidence: Hash::default()
        })]
    );
    assert_eq!(
        d.candidate(a.charlie).unwrap().status,
        CandidateStatus::Candidate
    );
    assert_eq!(d.total_bonded(), 200);
    // Now the seat is free.
    d.elect(GOV, a.eve).unwrap();
    // Revoked with slash: out, bond for the treasury.
    let (slashed, _) = d.revoke(GOV, a.bob, true).unwrap();
    assert_eq!(slashed, 50);
    assert_eq!(d.candidate(a.bob), None);
    assert_eq!(d.total_bonded(), 150);
    assert_eq!(
        d.super_nodes(),
        vec![(a.django, region("c")), (a.eve, region("d"))]
    );
    // An unbonding candidate cannot be elected.
    d.withdraw_candidacy(a.charlie, 1).unwrap();
    assert_eq!(d.elect(GOV, a.charlie), Err(SuperNodeError::NotCandidate));
}

// ---- the contract (no cross-contract calls on these paths) ----------------

fn deploy() -> SuperNodes {
    test::set_caller::<Env>(accounts().alice);
    SuperNodes::new(acc(101), acc(103), acc(105), config()).unwrap()
}

fn last_event<E: scale::Decode + ink::env::Event>() -> E {
    let e = test::recorded_events().last().expect("an event");
    assert_eq!(
        e.topics[0].as_slice(),
        E::SIGNATURE_TOPIC.expect("not anonymous").as_slice()
    );
    E::decode(&mut &e.data[..]).expect("decodes")
}

#[ink::test]
fn constructor_views_and_refusals() {
    let a = accounts();
    test::set_caller::<Env>(a.alice);
    assert_eq!(
        SuperNodes::new(
            acc(101),
            acc(103),
            acc(105),
            SuperNodeConfig {
                max_super_nodes: 0,
                ..config()
            }
        )
        .err(),
        Some(SuperNodeError::InvalidConfig)
    );
    let mut s = deploy();
    assert_eq!(s.config(), config());
    assert_eq!(s.role(Role::Admin), Some(a.alice));
    assert_eq!(s.candidate(a.bob), (None, 0));
    assert!(s.super_nodes().is_empty());
    assert_eq!(s.verification(a.bob), (None, Vec::new()));

    test::set_caller::<Env>(a.bob);
    assert_eq!(
        s.set_role(Role::Governance, Some(a.bob)),
        Err(SuperNodeError::Unauthorized)
    );
    assert_eq!(
        s.slash(a.charlie, Hash::default()),
        Err(SuperNodeError::Unauthorized)
    );
    assert_eq!(
        SuperNodesApi::elect(&mut s, a.bob),
        Err(SuperNodeError::Unauthorized)
    );
    assert_eq!(
        SuperNodesApi::revoke(&mut s, a.bob, false),
        Err(SuperNodeError::Unauthorized)
    );
    assert_eq!(s.withdraw_candidacy(), Err(SuperNodeError::NotCandidate));
    assert_eq!(s.withdraw_bond(), Err(SuperNodeError::NotCandidate));
    // No governance named yet: nobody to ask for the phase.
    assert_eq!(
        s.verify_merchant(a.frank, true),
        Err(SuperNodeError::GovernanceCallFailed)
    );

    test::set_caller::<Env>(a.alice);
    assert_eq!(
        s.slash(a.charlie, Hash::default()),
        Err(SuperNodeError::NotCandidate)
    );
    assert_eq!(s.set_role(Role::Governance, Some(GOV)), Ok(()));
    assert_eq!(
        last_event::<RoleChanged>(),
        RoleChanged {
            role: Role::Governance,
            account: Some(GOV)
        }
    );
    assert_eq!(s.role(Role::Governance), Some(GOV));
}
