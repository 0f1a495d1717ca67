//! Unit tests: the plain logic (`GovernanceData`), every error included, and
//! the message shells on ink!'s off-chain environment wherever they make no
//! cross-contract call (those paths run in `e2e_tests.rs` on the node).

use super::*;
use bizkey_types::{
    ledger::{LedgerParams, RewardCaps},
    Balance,
};
use governance::Governance;
use ink::env::{test, DefaultEnvironment as Env};

type Events = Vec<GovernanceEvent>;

/// Governance's logic with a model of the `locking` contract: tiers of
/// 1,000 ms ×1, 10,000 ms ×2 and 100,000 ms ×3.
struct Gov {
    d: GovernanceData,
    locks: std::collections::BTreeMap<AccountId, Lock>,
}

impl core::ops::Deref for Gov {
    type Target = GovernanceData;
    fn deref(&self) -> &GovernanceData {
        &self.d
    }
}

impl core::ops::DerefMut for Gov {
    fn deref_mut(&mut self) -> &mut GovernanceData {
        &mut self.d
    }
}

impl Gov {
    /// What `locking.lock(amount, tier)` does to `who`'s lock at `now`.
    fn lock(&mut self, who: AccountId, now: Timestamp, amount: Balance, tier: u8) -> Result<()> {
        let (duration, multiplier) = [(1_000, 1), (10_000, 2), (100_000, 3)][usize::from(tier)];
        let lock = self.locks.entry(who).or_default();
        lock.amount += amount;
        lock.weight = lock.amount * multiplier;
        lock.unlock_at = lock.unlock_at.max(now + duration);
        Ok(())
    }

    fn total_weight(&self) -> u128 {
        self.locks.values().map(|l| l.weight).sum()
    }

    fn propose(
        &mut self,
        who: AccountId,
        now: Timestamp,
        action: Action,
        description: Hash,
    ) -> Result<(ProposalId, Events)> {
        let weights = (
            self.locks.get(&who).map_or(0, |l| l.weight),
            self.total_weight(),
        );
        self.d.propose(who, now, action, description, weights)
    }

    fn vote(
        &mut self,
        who: AccountId,
        now: Timestamp,
        id: ProposalId,
        support: bool,
    ) -> Result<Events> {
        let lock = self.locks.get(&who).copied();
        self.d.vote(who, now, id, support, lock)
    }

    /// Whether the lock of `who` may be withdrawn at `now`.
    fn can_unlock(&self, who: AccountId, now: Timestamp) -> bool {
        self.locks.get(&who).is_some_and(|l| now >= l.unlock_at)
    }
}

const VOTING: u64 = 100;
const DELAY: u64 = 10;
const GRACE: u64 = 1_000;

fn accounts() -> test::DefaultAccounts<Env> {
    test::default_accounts::<Env>()
}

fn config() -> GovernanceConfig {
    GovernanceConfig {
        voting_period_ms: VOTING,
        execution_delay_ms: DELAY,
        grace_period_ms: GRACE,
        quorum_ppm: 200_000,
        threshold_ppm: 500_000,
        proposal_min_weight: 10,
    }
}

/// The bounds of every test: half of [`config`]'s timings and quorum.
fn floors() -> Floors {
    Floors {
        voting_period_ms: VOTING / 2,
        execution_delay_ms: DELAY / 2,
        quorum_ppm: 100_000,
        challenge_ms: 1_000,
    }
}

/// Governance with alice as the authority.
fn data() -> (Gov, test::DefaultAccounts<Env>) {
    let a = accounts();
    let d = GovernanceData::new(a.alice, config(), floors()).unwrap().0;
    (
        Gov {
            d,
            locks: Default::default(),
        },
        a,
    )
}

fn acc(n: u8) -> AccountId {
    AccountId::from([n; 32])
}

/// Proposes `action` as `who` at `now` (who must have weight), returns id.
fn propose(d: &mut Gov, who: AccountId, now: Timestamp, action: Action) -> ProposalId {
    d.propose(who, now, action, Hash::default()).unwrap().0
}

/// Proposes, votes yes with `voter`'s whole weight at `now`, and executes
/// right after the delay; returns the execution's events.
fn pass(d: &mut Gov, voter: AccountId, now: Timestamp, action: Action) -> Events {
    let id = propose(d, voter, now, action);
    d.vote(voter, now, id, true).unwrap();
    d.execute(now + VOTING + DELAY, id).unwrap().1
}

// ---- construction -------------------------------------------------------

#[ink::test]
fn new_starts_in_military_with_the_authority() {
    let a = accounts();
    assert_eq!(
        GovernanceData::new(
            a.alice,
            GovernanceConfig {
                voting_period_ms: 0,
                ..config()
            },
            floors()
        )
        .err(),
        Some(GovernanceError::InvalidConfig)
    );
    // Floors that bound nothing, and a configuration below its floors.
    let no_floor: [fn(&mut Floors); 5] = [
        |f| f.voting_period_ms = 0,
        |f| f.execution_delay_ms = 0,
        |f| f.quorum_ppm = 0,
        |f| f.quorum_ppm = PPM + 1,
        |f| f.challenge_ms = 0,
    ];
    for (i, breaks) in no_floor.iter().enumerate() {
        let mut f = floors();
        breaks(&mut f);
        assert!(!f.is_valid(), "case {i}");
        assert_eq!(
            GovernanceData::new(a.alice, config(), f).err(),
            Some(GovernanceError::InvalidConfig),
            "case {i}"
        );
    }
    let low = Floors {
        voting_period_ms: VOTING + 1,
        ..floors()
    };
    assert_eq!(
        GovernanceData::new(a.alice, config(), low).err(),
        Some(GovernanceError::InvalidConfig)
    );
    let (d, events) = GovernanceData::new(a.alice, config(), floors()).unwrap();
    assert_eq!(d.floors(), floors());
    assert_eq!(d.phase(), Phase::Military);
    assert_eq!(d.authority(), Some(a.alice));
    assert_eq!(d.config(), config());
    assert_eq!(d.next_proposal_id(), 0);
    assert_eq!(
        events,
        vec![GovernanceEvent::ConfigChanged(ConfigChanged {
            config: config()
        })]
    );
}

// ---- locks --------------------------------------------------------------

// ---- proposals ------------------------------------------------------------

#[ink::test]
fn propose_needs_weight_and_a_valid_action() {
    let (mut d, a) = data();
    assert_eq!(
        d.propose(a.bob, 0, Action::RemoveMerchant(a.eve), Hash::default())
            .err(),
        Some(GovernanceError::InsufficientWeight)
    );
    d.lock(a.bob, 0, 9, 0).unwrap();
    assert_eq!(
        d.propose(a.bob, 0, Action::RemoveMerchant(a.eve), Hash::default())
            .err(),
        Some(GovernanceError::InsufficientWeight)
    );
    d.lock(a.bob, 0, 1, 0).unwrap();
    let invalid = [
        Action::SetLedgerParams(LedgerParams {
            window_ms: 0,
            ..LedgerParams::default()
        }),
        Action::SetEmissionSplit(PPM + 1),
        Action::TreasurySpend {
            to: a.eve,
            amount: 0,
        },
        Action::SetConfig(GovernanceConfig {
            quorum_ppm: PPM + 1,
            ..config()
        }),
        // Below the floors.
        Action::SetConfig(GovernanceConfig {
            voting_period_ms: VOTING / 2 - 1,
            ..config()
        }),
        Action::SetConfig(GovernanceConfig {
            execution_delay_ms: DELAY / 2 - 1,
            ..config()
        }),
        Action::SetConfig(GovernanceConfig {
            quorum_ppm: 99_999,
            ..config()
        }),
        Action::SetLedgerParams(LedgerParams {
            challenge_ms: 999,
            ..LedgerParams::default()
        }),
        Action::SetRewardCaps(RewardCaps {
            pool_share_ppm: PPM + 1,
            ..RewardCaps::default()
        }),
        // Nothing to claw back.
        Action::Clawback {
            from: a.eve,
            biz: 0,
            time: 0,
        },
        Action::AdvancePhase(Phase::Military),
        Action::AdvancePhase(Phase::Constitutional),
        // The ledger has no `Ledger` role.
        Action::SetLedgerRole {
            role: Role::Ledger,
            account: Some(a.eve),
        },
    ];
    for action in invalid {
        assert_eq!(
            d.propose(a.bob, 0, action.clone(), Hash::default()).err(),
            Some(GovernanceError::InvalidAction),
            "{action:?}"
        );
    }
    assert_eq!(d.next_proposal_id(), 0);
    let valid = [
        // Elections and revocations are checked by the super-node contract
        // when executed.
        Action::ElectSuperNode(a.charlie),
        Action::RevokeSuperNode {
            node: a.charlie,
            slash: true,
        },
        Action::RemoveMerchant(a.eve),
        Action::RemoveCustomer(a.eve),
        Action::SetLedgerParams(LedgerParams::default()),
        Action::SetEmissionSplit(PPM),
        Action::TreasurySpend {
            to: a.eve,
            amount: 1,
        },
        Action::SetConfig(config()),
        Action::AdvancePhase(Phase::Tutelage),
        Action::SetRewardCaps(RewardCaps::default()),
        Action::Clawback {
            from: a.eve,
            biz: 1,
            time: 0,
        },
        Action::Clawback {
            from: a.eve,
            biz: 0,
            time: 1,
        },
        Action::SetLedgerRole {
            role: Role::Reporter,
            account: None,
        },
        Action::SetLedgerRole {
            role: Role::Reporter,
            account: Some(a.eve),
        },
        // The ledger checks the receipt when it is executed.
        Action::RestoreReceipt(7),
        // The registry checks the transition when it is executed.
        Action::SetSuspended {
            account: a.eve,
            merchant: true,
            suspended: true,
        },
    ];
    let count = valid.len();
    for (i, action) in valid.into_iter().enumerate() {
        let (id, events) = d
            .propose(a.bob, 7, action.clone(), Hash::default())
            .unwrap();
        assert_eq!(id as usize, i);
        let p = d.proposal(id).unwrap();
        assert_eq!(
            events,
            vec![GovernanceEvent::ProposalCreated(ProposalCreated {
                id,
                proposer: a.bob,
                proposal: p.clone()
            })]
        );
        assert_eq!(p.action, action);
        assert_eq!(
            (p.created_at, p.voting_end, p.executable_at, p.expires_at),
            (
                7,
                7 + VOTING,
                7 + VOTING + DELAY,
                7 + VOTING + DELAY + GRACE
            )
        );
        // 20 % of the 10 weight locked.
        assert_eq!(p.quorum, 2);
    }
    assert_eq!(d.next_proposal_id() as usize, count);
}

#[ink::test]
fn voting_rules() {
    let (mut d, a) = data();
    d.lock(a.bob, 0, 100, 1).unwrap(); // 200, until 10_000
    d.lock(a.charlie, 0, 300, 0).unwrap(); // 300, until 1_000
    d.lock(a.django, 0, 60, 2).unwrap(); // 180
    assert_eq!(
        d.vote(a.bob, 0, 0, true),
        Err(GovernanceError::ProposalNotFound)
    );
    let id = propose(&mut d, a.bob, 0, Action::RemoveMerchant(a.eve));
    assert_eq!(d.vote(a.eve, 1, id, true), Err(GovernanceError::NoLock));
    let events = d.vote(a.bob, 1, id, true).unwrap();
    assert_eq!(
        events,
        vec![GovernanceEvent::Voted(Voted {
            id,
            voter: a.bob,
            support: true,
            weight: 200
        })]
    );
    assert!(d.has_voted(id, a.bob));
    assert_eq!(
        d.vote(a.bob, 2, id, false),
        Err(GovernanceError::AlreadyVoted)
    );
    d.vote(a.django, 2, id, false).unwrap();
    assert_eq!(
        d.vote(acc(77), VOTING, id, true),
        Err(GovernanceError::VotingClosed)
    );
    let p = d.proposal(id).unwrap();
    assert_eq!((p.votes_for, p.votes_against), (200, 180));
    assert_eq!(p.status(VOTING), ProposalStatus::Queued);

    // charlie's lock ends before a vote opened at 950 would.
    let late = propose(&mut d, a.bob, 950, Action::RemoveMerchant(a.eve));
    assert_eq!(
        d.vote(a.charlie, 950, late, true),
        Err(GovernanceError::LockTooShort)
    );
    // After the vote, its lock cannot end before the vote did: an unlock
    // attempt fails until then.
    d.vote(a.bob, 960, late, true).unwrap();
    assert!(!d.can_unlock(a.bob, 950 + VOTING - 1));
}

#[ink::test]
fn outcome_by_quorum_and_threshold() {
    let (mut d, a) = data();
    d.lock(a.bob, 0, 100, 2).unwrap(); // 300
    d.lock(a.charlie, 0, 1_000, 2).unwrap(); // 3_000
                                             // Quorum 20 % of 3_300 = 660: bob alone is short of it.
    let short = propose(&mut d, a.bob, 0, Action::RemoveMerchant(a.eve));
    d.vote(a.bob, 0, short, true).unwrap();
    assert_eq!(
        d.proposal(short).unwrap().status(VOTING),
        ProposalStatus::Defeated
    );
    assert_eq!(
        d.execute(VOTING + DELAY, short).err(),
        Some(GovernanceError::NotExecutable)
    );
    // Quorum reached but the majority is against.
    let against = propose(&mut d, a.bob, 0, Action::RemoveMerchant(a.eve));
    d.vote(a.bob, 0, against, true).unwrap();
    d.vote(a.charlie, 0, against, false).unwrap();
    assert_eq!(
        d.proposal(against).unwrap().status(VOTING),
        ProposalStatus::Defeated
    );
    // Passed: queued during the delay, executable, then expired.
    let passed = propose(&mut d, a.bob, 0, Action::RemoveMerchant(a.eve));
    d.vote(a.charlie, 0, passed, true).unwrap();
    assert_eq!(
        d.execute(VOTING, passed).err(),
        Some(GovernanceError::NotExecutable)
    );
    assert_eq!(
        d.execute(VOTING + DELAY + GRACE, passed).err(),
        Some(GovernanceError::NotExecutable)
    );
    let (action, events) = d.execute(VOTING + DELAY, passed).unwrap();
    assert_eq!(action, Action::RemoveMerchant(a.eve));
    assert_eq!(
        events,
        vec![GovernanceEvent::ProposalExecuted(ProposalExecuted {
            id: passed
        })]
    );
    assert_eq!(
        d.proposal(passed).unwrap().status(VOTING + DELAY),
        ProposalStatus::Executed
    );
    assert_eq!(
        d.execute(VOTING + DELAY, passed).err(),
        Some(GovernanceError::NotExecutable)
    );
    assert_eq!(
        d.execute(0, 99).err(),
        Some(GovernanceError::ProposalNotFound)
    );
}

#[ink::test]
fn config_changes_by_proposal() {
    let (mut d, a) = data();
    d.lock(a.bob, 0, 100, 2).unwrap();
    // Down to the floors.
    let new = GovernanceConfig {
        voting_period_ms: VOTING / 2,
        execution_delay_ms: DELAY / 2,
        quorum_ppm: 100_000,
        ..config()
    };
    let events = pass(&mut d, a.bob, 0, Action::SetConfig(new));
    assert_eq!(
        events[0],
        GovernanceEvent::ConfigChanged(ConfigChanged { config: new })
    );
    assert_eq!(d.config(), new);
    let id = propose(&mut d, a.bob, 1_000, Action::RemoveMerchant(a.eve));
    assert_eq!(d.proposal(id).unwrap().voting_end, 1_000 + VOTING / 2);
}

#[ink::test]
fn no_proposal_goes_below_the_floors() {
    // An attacker with enough weight for one proposal tries to make every
    // later vote instant: no voting period, no delay, no quorum.
    let (mut d, a) = data();
    d.lock(a.bob, 0, 100, 2).unwrap();
    let instant = GovernanceConfig {
        voting_period_ms: 1,
        execution_delay_ms: 0,
        quorum_ppm: 0,
        ..config()
    };
    assert!(instant.is_valid());
    assert_eq!(
        d.propose(a.bob, 0, Action::SetConfig(instant), Hash::default())
            .err(),
        Some(GovernanceError::InvalidAction)
    );
    // Nor unchallengeable rewards.
    let unchallengeable = LedgerParams {
        challenge_ms: 0,
        ..LedgerParams::default()
    };
    assert!(unchallengeable.is_valid());
    assert_eq!(
        d.propose(
            a.bob,
            0,
            Action::SetLedgerParams(unchallengeable),
            Hash::default()
        )
        .err(),
        Some(GovernanceError::InvalidAction)
    );
    assert_eq!(d.next_proposal_id(), 0);
    assert_eq!(d.config(), config());
}

#[ink::test]
fn phases_advance_one_at_a_time_and_end_the_authority() {
    let (mut d, a) = data();
    d.lock(a.bob, 0, 100, 2).unwrap();
    // Two proposals for the same step: only the first can be carried out.
    let first = propose(&mut d, a.bob, 0, Action::AdvancePhase(Phase::Tutelage));
    let second = propose(&mut d, a.bob, 0, Action::AdvancePhase(Phase::Tutelage));
    d.vote(a.bob, 0, first, true).unwrap();
    d.vote(a.bob, 0, second, true).unwrap();
    let (_, events) = d.execute(VOTING + DELAY, first).unwrap();
    assert_eq!(
        events,
        vec![
            GovernanceEvent::PhaseAdvanced(PhaseAdvanced {
                from: Phase::Military,
                to: Phase::Tutelage
            }),
            GovernanceEvent::ProposalExecuted(ProposalExecuted { id: first })
        ]
    );
    assert_eq!(d.phase(), Phase::Tutelage);
    assert_eq!(d.authority(), Some(a.alice));
    assert_eq!(
        d.execute(VOTING + DELAY, second).err(),
        Some(GovernanceError::InvalidAction)
    );
    pass(
        &mut d,
        a.bob,
        0,
        Action::AdvancePhase(Phase::Constitutional),
    );
    assert_eq!(d.phase(), Phase::Constitutional);
    assert_eq!(d.authority(), None);
    // Nothing after 宪政.
    for to in [Phase::Military, Phase::Tutelage, Phase::Constitutional] {
        assert_eq!(
            d.propose(a.bob, 0, Action::AdvancePhase(to), Hash::default())
                .err(),
            Some(GovernanceError::InvalidAction)
        );
    }
}

/// A rogue or leaked fraud reporter can be revoked or replaced by an
/// executed proposal in every phase, 宪政 included (where the authority has
/// no power left): `execute` hands the action to the shell, which calls the
/// ledger's `set_role` (on the node: `e2e_tests.rs`).
#[ink::test]
fn the_ledger_reporter_is_replaced_by_proposal_in_every_phase() {
    let (mut d, a) = data();
    d.lock(a.bob, 0, 100, 2).unwrap();
    let mut now = 0;
    for (phase, account) in [
        (Phase::Military, Some(a.eve)),
        (Phase::Tutelage, Some(a.frank)),
        (Phase::Constitutional, None),
    ] {
        if let Some(to) = d.phase().next().filter(|_| d.phase() != phase) {
            pass(&mut d, a.bob, now, Action::AdvancePhase(to));
        }
        assert_eq!(d.phase(), phase);
        let action = Action::SetLedgerRole {
            role: Role::Reporter,
            account,
        };
        let id = propose(&mut d, a.bob, now, action.clone());
        d.vote(a.bob, now, id, true).unwrap();
        let (carried, events) = d.execute(now + VOTING + DELAY, id).unwrap();
        assert_eq!(carried, action);
        assert_eq!(
            events,
            vec![GovernanceEvent::ProposalExecuted(ProposalExecuted { id })]
        );
        now += VOTING + DELAY;
    }
    assert_eq!(d.authority(), None);
}

#[ink::test]
fn the_authority_vetoes_until_the_constitution() {
    let (mut d, a) = data();
    d.lock(a.bob, 0, 100, 2).unwrap();
    let id = propose(&mut d, a.bob, 0, Action::RemoveMerchant(a.eve));
    assert_eq!(d.veto(a.bob, 0, id), Err(GovernanceError::Unauthorized));
    assert_eq!(
        d.veto(a.alice, 0, 42),
        Err(GovernanceError::ProposalNotFound)
    );
    assert_eq!(
        d.veto(a.alice, 0, id),
        Ok(vec![GovernanceEvent::ProposalVetoed(ProposalVetoed { id })])
    );
    assert_eq!(d.proposal(id).unwrap().status(0), ProposalStatus::Vetoed);
    assert_eq!(
        d.vote(a.bob, 0, id, true),
        Err(GovernanceError::VotingClosed)
    );
    assert_eq!(d.veto(a.alice, 0, id), Err(GovernanceError::NotExecutable));
    // Executable proposals can still be vetoed; defeated ones are over.
    let queued = propose(&mut d, a.bob, 0, Action::RemoveMerchant(a.eve));
    d.vote(a.bob, 0, queued, true).unwrap();
    let defeated = propose(&mut d, a.bob, 0, Action::RemoveMerchant(a.eve));
    assert!(d.veto(a.alice, VOTING + DELAY, queued).is_ok());
    assert_eq!(
        d.execute(VOTING + DELAY, queued).err(),
        Some(GovernanceError::NotExecutable)
    );
    assert_eq!(
        d.veto(a.alice, VOTING, defeated),
        Err(GovernanceError::NotExecutable)
    );
    pass(&mut d, a.bob, 0, Action::AdvancePhase(Phase::Tutelage));
    pass(
        &mut d,
        a.bob,
        0,
        Action::AdvancePhase(Phase::Constitutional),
    );
    let id = propose(&mut d, a.bob, 0, Action::RemoveMerchant(a.eve));
    assert_eq!(d.veto(a.alice, 0, id), Err(GovernanceError::Unauthorized));
}

// ---- the contract's messages (no cross-contract calls on these paths) ----------

fn contracts() -> Contracts {
    Contracts {
        locking: acc(100),
        super_nodes: acc(99),
        biz_token: acc(101),
        time_token: acc(102),
        registry: acc(103),
        ledger: acc(104),
        vesting: acc(105),
    }
}

/// alice deploys with a configuration that lets anyone propose.
fn deploy() -> Governance {
    test::set_caller::<Env>(accounts().alice);
    Governance::new(
        contracts(),
        GovernanceConfig {
            proposal_min_weight: 0,
            ..config()
        },
        floors(),
    )
    .unwrap()
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
fn constructor_and_views() {
    let a = accounts();
    test::set_caller::<Env>(a.alice);
    assert_eq!(
        Governance::new(
            contracts(),
            GovernanceConfig {
                threshold_ppm: PPM,
                ..config()
            },
            floors()
        )
        .err(),
        Some(GovernanceError::InvalidConfig)
    );
    assert_eq!(
        Governance::new(
            contracts(),
            config(),
            Floors {
                quorum_ppm: 0,
                ..floors()
            }
        )
        .err(),
        Some(GovernanceError::InvalidConfig)
    );
    let g = deploy();
    assert_eq!(g.floors(), floors());
    assert_eq!(last_event::<ConfigChanged>().config.proposal_min_weight, 0);
    assert_eq!(GovernanceApi::phase(&g), Phase::Military);
    assert_eq!(g.authority(), Some(a.alice));
    assert_eq!(g.contracts(), contracts());
    assert_eq!(
        g.config(),
        GovernanceConfig {
            proposal_min_weight: 0,
            ..config()
        }
    );
    assert_eq!(g.proposal(0), None);
    assert_eq!(g.proposal_count(), 0);
}

#[ink::test]
fn messages_refuse_before_any_call() {
    let a = accounts();
    let mut g = deploy();
    test::set_caller::<Env>(a.bob);
    assert_eq!(g.veto(0), Err(GovernanceError::Unauthorized));
    assert_eq!(g.execute(7), Err(GovernanceError::ProposalNotFound));
    // Only the super-node contract reports verifications.
    assert_eq!(
        GovernanceApi::verify(&mut g, a.frank),
        Err(GovernanceError::Unauthorized)
    );
    test::set_caller::<Env>(a.alice);
    assert_eq!(g.veto(0), Err(GovernanceError::ProposalNotFound));
    // Even the super-node contract may not before 训政.
    test::set_caller::<Env>(contracts().super_nodes);
    assert_eq!(
        GovernanceApi::verify(&mut g, a.frank),
        Err(GovernanceError::WrongPhase)
    );
}
