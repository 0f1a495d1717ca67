//! # Governance
//!
//! The community's self-government (DESIGN §3.6; whitepaper ch. 2.4, 3.2,
//! 3.5.5–6, 8):
//!
//! - Phases 军政 (Military) → 训政 (Tutelage) → 宪政 (Constitutional), forward
//!   only, each by an executed `AdvancePhase` proposal. Entering 训政,
//!   governance takes the registry's `Admin` role (merchants are verified by
//!   super nodes from then on); entering 宪政, it takes the `Admin` roles of
//!   the super nodes, the ledger, both tokens and vesting, and the
//!   authority's own powers here (veto) end: the authority keeps no power
//!   anywhere.
//! - Floors fixed at instantiation ([`Floors`]: voting period, execution
//!   delay, quorum, the ledger's challenge window) bound every proposal, so
//!   one passed proposal cannot make later votes instant.
//! - Voting weight is the weight of BT locked in the `locking` contract
//!   (longer locks weigh more; it also holds the lockers' Time dividends).
//! - Super nodes live in the `super_nodes` contract: proposals elect and
//!   revoke them there, and when the super nodes covering a pending merchant
//!   approve it by majority (from 训政 on), that contract asks governance
//!   (`GovernanceApi::verify`) to verify it in the registry.
//! - Proposals: voting period, quorum (share of all weight at creation),
//!   threshold, execution delay and grace period.
//!
//! The logic lives in [`GovernanceData`], whose methods take the caller and
//! the time explicitly and return the events to emit; the messages are thin
//! shells that make the cross-contract calls (locking, tokens, registry,
//! ledger, vesting) around it.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use bizkey_types::governance::*;
use bizkey_types::{
    locking::{Lock, LockingApi, LockingError},
    math::{mul_div, PPM},
    roles::Role,
    super_nodes::SuperNodeError,
    AccountId, Hash, Timestamp,
};
use ink::{
    prelude::{vec, vec::Vec},
    storage::Mapping,
};

pub use bizkey_types::governance::GovernanceEvent;

/// Result of the governance logic.
pub type Result<T> = core::result::Result<T, GovernanceError>;

/// What `execute` hands to the shell: the action and the events so far.
pub type Execution = (Action, Vec<GovernanceEvent>);

/// Governance's state and rules, independent of the contract shell.
#[ink::storage_item]
#[derive(Debug)]
pub struct GovernanceData {
    phase: Phase,
    authority: Option<AccountId>,
    config: GovernanceConfig,
    /// Fixed at instantiation: what no proposal can go below.
    floors: Floors,
    proposals: Mapping<ProposalId, Proposal>,
    voted: Mapping<(ProposalId, AccountId), ()>,
    next_proposal: ProposalId,
}

fn add(a: u128, b: u128) -> Result<u128> {
    a.checked_add(b).ok_or(GovernanceError::Overflow)
}

fn after(now: Timestamp, ms: u64) -> Result<Timestamp> {
    now.checked_add(ms).ok_or(GovernanceError::Overflow)
}

impl GovernanceData {
    /// Governance in phase 军政 with `authority` as the foundation authority
    /// and `floors` as the bounds no proposal can go below.
    ///
    /// # Errors
    /// `InvalidConfig` (see `GovernanceConfig::is_valid`), also for invalid
    /// floors (`Floors::is_valid`) or a configuration below them.
    pub fn new(
        authority: AccountId,
        config: GovernanceConfig,
        floors: Floors,
    ) -> Result<(Self, Vec<GovernanceEvent>)> {
        if !floors.is_valid() || !floors.allow_config(&config) {
            return Err(GovernanceError::InvalidConfig);
        }
        let event = GovernanceEvent::ConfigChanged(ConfigChanged { config });
        let data = Self {
            phase: Phase::Military,
            authority: Some(authority),
            config,
            floors,
            proposals: Mapping::new(),
            voted: Mapping::new(),
            next_proposal: 0,
        };
        Ok((data, vec![event]))
    }

    // ---- views ----------------------------------------------------------

    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The foundation authority (`None` from 宪政 on).
    pub fn authority(&self) -> Option<AccountId> {
        self.authority
    }

    pub fn config(&self) -> GovernanceConfig {
        self.config
    }

    pub fn floors(&self) -> Floors {
        self.floors
    }

    pub fn proposal(&self, id: ProposalId) -> Option<Proposal> {
        self.proposals.get(id)
    }

    /// The id the next proposal will get (= the number of proposals).
    pub fn next_proposal_id(&self) -> ProposalId {
        self.next_proposal
    }

    pub fn has_voted(&self, id: ProposalId, account: AccountId) -> bool {
        self.voted.contains((id, account))
    }

    // ---- proposals --------------------------------------------------------

    fn ensure_authority(&self, caller: AccountId) -> Result<()> {
        if self.authority == Some(caller) {
            Ok(())
        } else {
            Err(GovernanceError::Unauthorized)
        }
    }

    /// Whether `action` can be proposed now.
    fn check_action(&self, action: &Action) -> Result<()> {
        let ok = match action {
            // The super-node contract and the ledger check these when they
            // are executed.
            Action::ElectSuperNode(_)
            | Action::RevokeSuperNode { .. }
            | Action::RemoveMerchant(_)
            | Action::RemoveCustomer(_)
            | Action::RestoreReceipt(_)
            | Action::SetSuspended { .. } => true,
            Action::SetLedgerParams(params) => self.floors.allow_params(params),
            Action::SetRewardCaps(caps) => caps.is_valid(),
            Action::Clawback { biz, time, .. } => *biz > 0 || *time > 0,
            Action::SetEmissionSplit(ppm) => *ppm <= PPM,
            Action::TreasurySpend { amount, .. } => *amount > 0,
            Action::SetConfig(config) => self.floors.allow_config(config),
            Action::AdvancePhase(to) => self.phase.next() == Some(*to),
            // The ledger refuses `Ledger` (no such role there).
            Action::SetLedgerRole { role, .. } => *role != Role::Ledger,
        };
        if ok {
            Ok(())
        } else {
            Err(GovernanceError::InvalidAction)
        }
    }

    /// `caller`, whose lock weighs `weight`, proposes `action` while all
    /// locks weigh `total_weight` (the shell reads both from `locking`);
    /// votes are taken until `now` + the voting period.
    ///
    /// # Errors
    /// `InsufficientWeight` below the configured minimum;
    /// `InvalidAction` (see [`Action`]); `Overflow`.
    pub fn propose(
        &mut self,
        caller: AccountId,
        now: Timestamp,
        action: Action,
        description: Hash,
        (weight, total_weight): (u128, u128),
    ) -> Result<(ProposalId, Vec<GovernanceEvent>)> {
        if weight < self.config.proposal_min_weight {
            return Err(GovernanceError::InsufficientWeight);
        }
        self.check_action(&action)?;
        let voting_end = after(now, self.config.voting_period_ms)?;
        let executable_at = after(voting_end, self.config.execution_delay_ms)?;
        let proposal = Proposal {
            proposer: caller,
            action,
            description,
            created_at: now,
            voting_end,
            executable_at,
            expires_at: after(executable_at, self.config.grace_period_ms)?,
            quorum: mul_div(total_weight, self.config.quorum_ppm.into(), PPM.into()),
            threshold_ppm: self.config.threshold_ppm,
            votes_for: 0,
            votes_against: 0,
            executed: false,
            vetoed: false,
        };
        let id = self.next_proposal;
        self.next_proposal = id.checked_add(1).ok_or(GovernanceError::Overflow)?;
        self.proposals.insert(id, &proposal);
        Ok((
            id,
            vec![GovernanceEvent::ProposalCreated(ProposalCreated {
                id,
                proposer: caller,
                proposal,
            })],
        ))
    }

    fn get_proposal(&self, id: ProposalId) -> Result<Proposal> {
        self.proposals
            .get(id)
            .ok_or(GovernanceError::ProposalNotFound)
    }

    /// `caller` votes with the whole weight of `lock`, its lock in
    /// `locking` (read by the shell).
    ///
    /// # Errors
    /// `ProposalNotFound`; `VotingClosed` unless the proposal is `Active`;
    /// `AlreadyVoted`; `NoLock` without weight; `LockTooShort` if the lock
    /// ends before the vote does (so voted BT cannot move and vote again).
    pub fn vote(
        &mut self,
        caller: AccountId,
        now: Timestamp,
        id: ProposalId,
        support: bool,
        lock: Option<Lock>,
    ) -> Result<Vec<GovernanceEvent>> {
        let mut p = self.get_proposal(id)?;
        if p.status(now) != ProposalStatus::Active {
            return Err(GovernanceError::VotingClosed);
        }
        if self.voted.contains((id, caller)) {
            return Err(GovernanceError::AlreadyVoted);
        }
        let lock = lock
            .filter(|l| l.weight > 0)
            .ok_or(GovernanceError::NoLock)?;
        if lock.unlock_at < p.voting_end {
            return Err(GovernanceError::LockTooShort);
        }
        if support {
            p.votes_for = add(p.votes_for, lock.weight)?;
        } else {
            p.votes_against = add(p.votes_against, lock.weight)?;
        }
        self.proposals.insert(id, &p);
        self.voted.insert((id, caller), &());
        Ok(vec![GovernanceEvent::Voted(Voted {
            id,
            voter: caller,
            support,
            weight: lock.weight,
        })])
    }

    /// The authority cancels a proposal that has not been carried out
    /// (军政 and 训政: the foundation still supervises).
    ///
    /// # Errors
    /// `Unauthorized` unless `caller` is the authority (none in 宪政);
    /// `ProposalNotFound`; `NotExecutable` if it is executed, vetoed,
    /// defeated or expired already.
    pub fn veto(
        &mut self,
        caller: AccountId,
        now: Timestamp,
        id: ProposalId,
    ) -> Result<Vec<GovernanceEvent>> {
        self.ensure_authority(caller)?;
        let mut p = self.get_proposal(id)?;
        if !matches!(
            p.status(now),
            ProposalStatus::Active | ProposalStatus::Queued | ProposalStatus::Executable
        ) {
            return Err(GovernanceError::NotExecutable);
        }
        p.vetoed = true;
        self.proposals.insert(id, &p);
        Ok(vec![GovernanceEvent::ProposalVetoed(ProposalVetoed { id })])
    }

    /// Marks an executable proposal executed and carries out the part of
    /// its action that lives here (configuration, phase). Returns the
    /// action so the shell carries out the rest (super nodes, registry,
    /// ledger, tokens, vesting); if that fails, everything reverts and the
    /// proposal stays executable.
    ///
    /// # Errors
    /// `ProposalNotFound`; `NotExecutable` unless `Executable`;
    /// `InvalidAction` if the action became invalid (a phase advanced by
    /// another proposal).
    pub fn execute(&mut self, now: Timestamp, id: ProposalId) -> Result<Execution> {
        let mut p = self.get_proposal(id)?;
        if p.status(now) != ProposalStatus::Executable {
            return Err(GovernanceError::NotExecutable);
        }
        p.executed = true;
        self.proposals.insert(id, &p);
        self.check_action(&p.action)?;
        let mut events = match p.action {
            Action::SetConfig(config) => {
                self.config = config;
                vec![GovernanceEvent::ConfigChanged(ConfigChanged { config })]
            }
            Action::AdvancePhase(to) => {
                let from = self.phase;
                self.phase = to;
                if to == Phase::Constitutional {
                    self.authority = None;
                }
                vec![GovernanceEvent::PhaseAdvanced(PhaseAdvanced { from, to })]
            }
            _ => Vec::new(),
        };
        events.push(GovernanceEvent::ProposalExecuted(ProposalExecuted { id }));
        Ok((p.action, events))
    }
}

#[ink::contract]
pub mod governance {
    use super::*;
    use bizkey_types::{
        ledger::{LedgerError, LedgerParams, RewardCaps, REMOVAL_FORFEITS},
        psp22::{BizkeyToken, PSP22Error, PSP22},
        registry::{CustomerStatus, MerchantStatus, RegistryError},
        super_nodes::SuperNodesApi,
        vesting::{VestingApi, VestingError},
    };
    use ink::{
        codegen::TraitCallBuilder,
        env::call::{build_call, ExecutionInput, Selector},
    };

    #[ink(storage)]
    pub struct Governance {
        data: GovernanceData,
        contracts: Contracts,
    }

    type Token = ink::contract_ref!(PSP22);
    type Supply = ink::contract_ref!(BizkeyToken);
    type Vesting = ink::contract_ref!(VestingApi);
    type Locks = ink::contract_ref!(LockingApi);
    type Nodes = ink::contract_ref!(SuperNodesApi);

    /// Calls an inherent message (no trait) of another contract by name;
    /// `Err(error)` unless it ran and returned `Ok`.
    fn call<A: scale::Encode, T: scale::Decode, E: scale::Decode>(
        callee: AccountId,
        selector: [u8; 4],
        args: A,
        error: GovernanceError,
    ) -> Result<T> {
        // A tuple of arguments encodes as the arguments one after another.
        match build_call::<Environment>()
            .call(callee)
            .exec_input(ExecutionInput::new(Selector::new(selector)).push_arg(args))
            .returns::<core::result::Result<T, E>>()
            .try_invoke()
        {
            Ok(Ok(Ok(value))) => Ok(value),
            _ => Err(error),
        }
    }

    impl Governance {
        /// Governance in phase 军政, the caller being the foundation
        /// authority, working with `contracts`; `floors` bound every later
        /// `SetConfig` and `SetLedgerParams`. The deployer then names this
        /// contract `Governance` on the registry, the ledger, both tokens
        /// and the vesting contract (see the crate docs).
        ///
        /// # Errors
        /// `InvalidConfig` (also for invalid floors or a configuration
        /// below them).
        ///
        /// # Events
        /// `ConfigChanged`.
        #[ink(constructor)]
        pub fn new(contracts: Contracts, config: GovernanceConfig, floors: Floors) -> Result<Self> {
            let (data, events) = GovernanceData::new(Self::env().caller(), config, floors)?;
            emit_all(events);
            Ok(Self { data, contracts })
        }

        // ---- views --------------------------------------------------------

        /// The foundation authority (`None` from 宪政 on).
        #[ink(message)]
        pub fn authority(&self) -> Option<AccountId> {
            self.data.authority()
        }

        #[ink(message)]
        pub fn config(&self) -> GovernanceConfig {
            self.data.config()
        }

        /// The bounds no proposal can go below (fixed at instantiation).
        #[ink(message)]
        pub fn floors(&self) -> Floors {
            self.data.floors()
        }

        /// The contracts governance works with.
        #[ink(message)]
        pub fn contracts(&self) -> Contracts {
            self.contracts
        }

        /// The proposal and its status now.
        #[ink(message)]
        pub fn proposal(&self, id: ProposalId) -> Option<(Proposal, ProposalStatus)> {
            let now = self.env().block_timestamp();
            self.data.proposal(id).map(|p| {
                let status = p.status(now);
                (p, status)
            })
        }

        /// The number of proposals (the next one's id).
        #[ink(message)]
        pub fn proposal_count(&self) -> ProposalId {
            self.data.next_proposal_id()
        }

        // ---- proposals ----------------------------------------------------

        /// The caller proposes `action` (`description`: hash of the text).
        ///
        /// # Errors
        /// `InsufficientWeight`; `InvalidAction` (invalid parameters,
        /// caps or configuration, a configuration or challenge window
        /// below the floors, a zero spend, a phase other than the next one);
        /// `LockingCallFailed`; `Overflow`.
        ///
        /// # Events
        /// `ProposalCreated`.
        #[ink(message)]
        pub fn propose(&mut self, action: Action, description: Hash) -> Result<ProposalId> {
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let locks: Locks = self.contracts.locking.into();
            let weights = match (
                locks.call().lock_of(caller).try_invoke(),
                locks.call().total_weight().try_invoke(),
            ) {
                (Ok(Ok(lock)), Ok(Ok(total))) => (lock.map_or(0, |l| l.weight), total),
                _ => return Err(GovernanceError::LockingCallFailed),
            };
            let (id, events) = self
                .data
                .propose(caller, now, action, description, weights)?;
            emit_all(events);
            Ok(id)
        }

        /// The caller votes for (`support`) or against with its lock weight.
        ///
        /// # Errors
        /// `ProposalNotFound`; `VotingClosed`; `AlreadyVoted`; `NoLock`;
        /// `LockTooShort` if the lock ends before the vote;
        /// `LockingCallFailed`; `Overflow`.
        ///
        /// # Events
        /// `Voted`.
        #[ink(message)]
        pub fn vote(&mut self, id: ProposalId, support: bool) -> Result<()> {
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let locks: Locks = self.contracts.locking.into();
            let lock = match locks.call().lock_of(caller).try_invoke() {
                Ok(Ok(lock)) => lock,
                _ => return Err(GovernanceError::LockingCallFailed),
            };
            let events = self.data.vote(caller, now, id, support, lock)?;
            emit_all(events);
            Ok(())
        }

        /// The authority cancels a proposal not yet carried out (军政, 训政).
        ///
        /// # Errors
        /// `Unauthorized` unless the caller is the authority (none in 宪政);
        /// `ProposalNotFound`; `NotExecutable` if already finished.
        ///
        /// # Events
        /// `ProposalVetoed`.
        #[ink(message)]
        pub fn veto(&mut self, id: ProposalId) -> Result<()> {
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let events = self.data.veto(caller, now, id)?;
            emit_all(events);
            Ok(())
        }

        /// Carries out a passed proposal after its delay; anyone may call
        /// it. If any part fails, nothing changes and it stays executable
        /// until it expires.
        ///
        /// # Errors
        /// `ProposalNotFound`; `NotExecutable`; `InvalidAction` (a phase
        /// advanced meanwhile); `SuperNodesCallFailed`,
        /// `RegistryCallFailed`, `LedgerCallFailed`, `LockingCallFailed`,
        /// `TokenCallFailed`, `VestingCallFailed` when the target contract
        /// refuses (e.g. an election of a non-candidate, a removal of an
        /// unknown merchant, a suspension of a removed one, a spend beyond
        /// the treasury).
        ///
        /// # Events
        /// The action's events (`ConfigChanged`, `PhaseAdvanced`,
        /// `AccountRemoved`, `TreasurySpent`; the super-node contract's
        /// `SuperNodeElected`, `SuperNodeRemoved`; a removal's `Unlocked`
        /// of the locking contract; the tokens' `Transfer` of a clawback),
        /// then `ProposalExecuted`.
        #[ink(message)]
        pub fn execute(&mut self, id: ProposalId) -> Result<()> {
            let now = self.env().block_timestamp();
            let (action, mut events) = self.data.execute(now, id)?;
            let mut effects = self.carry_out(action)?;
            effects.append(&mut events);
            emit_all(effects);
            Ok(())
        }

        // ---- private --------------------------------------------------------

        /// The part of an executed action that other contracts carry out.
        fn carry_out(&mut self, action: Action) -> Result<Vec<GovernanceEvent>> {
            let this = self.env().account_id();
            let c = self.contracts;
            let event = match action {
                Action::ElectSuperNode(node) => {
                    let mut nodes: Nodes = c.super_nodes.into();
                    match nodes.call_mut().elect(node).try_invoke() {
                        Ok(Ok(Ok(()))) => None,
                        _ => return Err(GovernanceError::SuperNodesCallFailed),
                    }
                }
                Action::RevokeSuperNode { node, slash } => {
                    let mut nodes: Nodes = c.super_nodes.into();
                    match nodes.call_mut().revoke(node, slash).try_invoke() {
                        Ok(Ok(Ok(()))) => None,
                        _ => return Err(GovernanceError::SuperNodesCallFailed),
                    }
                }
                Action::RemoveMerchant(account) | Action::RemoveCustomer(account) => {
                    let merchant = matches!(action, Action::RemoveMerchant(_));
                    let token = if merchant {
                        self.set_merchant_status(account, MerchantStatus::Removed)?;
                        c.biz_token
                    } else {
                        self.set_customer_status(account, CustomerStatus::Removed)?;
                        c.time_token
                    };
                    // At most `REMOVAL_FORFEITS` entries here, so a queue
                    // that grew without claims cannot make the removal fail
                    // for gas; anyone forfeits the rest afterwards.
                    call::<_, (), LedgerError>(
                        c.ledger,
                        ink::selector_bytes!("forfeit_pending"),
                        (account, REMOVAL_FORFEITS),
                        GovernanceError::LedgerCallFailed,
                    )?;
                    // Its lock ends (it votes no more; the BT comes back to
                    // be burned with the rest) and its super-node bond, in
                    // office or not, goes to the treasury.
                    // One call each: no lock and no candidacy are fine.
                    match build_call::<Environment>()
                        .call(c.locking)
                        .exec_input(
                            ExecutionInput::new(Selector::new(ink::selector_bytes!(
                                "release_removed"
                            )))
                            .push_arg(account),
                        )
                        .returns::<core::result::Result<(), LockingError>>()
                        .try_invoke()
                    {
                        Ok(Ok(Ok(()) | Err(LockingError::NoLock))) => {}
                        _ => return Err(GovernanceError::LockingCallFailed),
                    }
                    let mut nodes: Nodes = c.super_nodes.into();
                    match nodes.call_mut().revoke(account, true).try_invoke() {
                        Ok(Ok(Ok(()) | Err(SuperNodeError::NotCandidate))) => {}
                        _ => return Err(GovernanceError::SuperNodesCallFailed),
                    }
                    let burned = {
                        let t: Token = token.into();
                        match t.call().balance_of(account).try_invoke() {
                            Ok(Ok(balance)) => balance,
                            _ => return Err(GovernanceError::TokenCallFailed),
                        }
                    };
                    let mut supply: Supply = token.into();
                    match supply.call_mut().burn_from(account, burned).try_invoke() {
                        Ok(Ok(Ok(()))) => {}
                        _ => return Err(GovernanceError::TokenCallFailed),
                    }
                    Some(GovernanceEvent::AccountRemoved(AccountRemoved {
                        account,
                        merchant,
                        burned,
                    }))
                }
                Action::SetSuspended {
                    account,
                    merchant,
                    suspended,
                } => {
                    // The registry refuses a transition its statuses do not
                    // allow (a removed account, a pending customer).
                    if merchant {
                        let status = if suspended {
                            MerchantStatus::Suspended
                        } else {
                            MerchantStatus::Verified
                        };
                        self.set_merchant_status(account, status)?;
                    } else {
                        let status = if suspended {
                            CustomerStatus::Suspended
                        } else {
                            CustomerStatus::Active
                        };
                        self.set_customer_status(account, status)?;
                    }
                    None
                }
                Action::SetLedgerParams(params) => {
                    call::<(LedgerParams,), (), LedgerError>(
                        c.ledger,
                        ink::selector_bytes!("set_params"),
                        (params,),
                        GovernanceError::LedgerCallFailed,
                    )?;
                    None
                }
                Action::SetLedgerRole { role, account } => {
                    // Governance holds the ledger's `Governance` role from
                    // the deployment on, so this works in every phase.
                    call::<_, (), LedgerError>(
                        c.ledger,
                        ink::selector_bytes!("set_role"),
                        (role, account),
                        GovernanceError::LedgerCallFailed,
                    )?;
                    None
                }
                Action::RestoreReceipt(id) => {
                    call::<_, (), LedgerError>(
                        c.ledger,
                        ink::selector_bytes!("restore"),
                        id,
                        GovernanceError::LedgerCallFailed,
                    )?;
                    None
                }
                Action::SetRewardCaps(caps) => {
                    call::<(RewardCaps,), (), LedgerError>(
                        c.ledger,
                        ink::selector_bytes!("set_caps"),
                        (caps,),
                        GovernanceError::LedgerCallFailed,
                    )?;
                    None
                }
                Action::Clawback { from, biz, time } => {
                    // Back to the pools the rewards came from; the ledger's
                    // `sync` makes them available again.
                    for (token, amount) in [(c.biz_token, biz), (c.time_token, time)] {
                        if amount == 0 {
                            continue;
                        }
                        let mut supply: Supply = token.into();
                        match supply
                            .call_mut()
                            .clawback(from, c.ledger, amount)
                            .try_invoke()
                        {
                            Ok(Ok(Ok(()))) => {}
                            _ => return Err(GovernanceError::TokenCallFailed),
                        }
                    }
                    None
                }
                Action::SetEmissionSplit(ppm) => {
                    // Time's dividend pool is the lockers' contract.
                    call::<_, (), PSP22Error>(
                        c.time_token,
                        ink::selector_bytes!("configure_emission"),
                        (c.ledger, c.locking, ppm),
                        GovernanceError::TokenCallFailed,
                    )?;
                    None
                }
                Action::TreasurySpend { to, amount } => {
                    let mut vesting: Vesting = c.vesting.into();
                    let spent: core::result::Result<(), VestingError> =
                        match vesting.call_mut().spend_ecosystem(to, amount).try_invoke() {
                            Ok(Ok(result)) => result,
                            _ => return Err(GovernanceError::VestingCallFailed),
                        };
                    spent.map_err(|_| GovernanceError::VestingCallFailed)?;
                    Some(GovernanceEvent::TreasurySpent(TreasurySpent { to, amount }))
                }
                Action::AdvancePhase(to) => {
                    // Entering 训政 the registry (merchant verification),
                    // entering 宪政 the super nodes (slashing), the ledger,
                    // the tokens and vesting (beneficiaries, roles):
                    // governance holds their `Governance` role, which may
                    // set roles. The authority keeps no admin role anywhere.
                    call::<_, (), RegistryError>(
                        c.registry,
                        ink::selector_bytes!("set_role"),
                        (Role::Admin, Some(this)),
                        GovernanceError::RegistryCallFailed,
                    )?;
                    if to == Phase::Constitutional {
                        call::<_, (), SuperNodeError>(
                            c.super_nodes,
                            ink::selector_bytes!("set_role"),
                            (Role::Admin, Some(this)),
                            GovernanceError::SuperNodesCallFailed,
                        )?;
                        call::<_, (), LedgerError>(
                            c.ledger,
                            ink::selector_bytes!("set_role"),
                            (Role::Admin, Some(this)),
                            GovernanceError::LedgerCallFailed,
                        )?;
                        call::<_, (), VestingError>(
                            c.vesting,
                            ink::selector_bytes!("set_role"),
                            (Role::Admin, Some(this)),
                            GovernanceError::VestingCallFailed,
                        )?;
                        for token in [c.biz_token, c.time_token] {
                            call::<_, (), PSP22Error>(
                                token,
                                ink::selector_bytes!("set_admin"),
                                this,
                                GovernanceError::TokenCallFailed,
                            )?;
                        }
                    }
                    None
                }
                Action::SetConfig(_) => None,
            };
            Ok(event.into_iter().collect())
        }

        fn set_merchant_status(&self, merchant: AccountId, status: MerchantStatus) -> Result<()> {
            call::<_, (), RegistryError>(
                self.contracts.registry,
                ink::selector_bytes!("set_merchant_status"),
                (merchant, status),
                GovernanceError::RegistryCallFailed,
            )
        }

        fn set_customer_status(&self, customer: AccountId, status: CustomerStatus) -> Result<()> {
            call::<_, (), RegistryError>(
                self.contracts.registry,
                ink::selector_bytes!("set_customer_status"),
                (customer, status),
                GovernanceError::RegistryCallFailed,
            )
        }
    }

    impl GovernanceApi for Governance {
        /// The current phase.
        #[ink(message)]
        fn phase(&self) -> Phase {
            self.data.phase()
        }

        /// The covering super nodes approved `merchant` by majority:
        /// governance verifies it in the registry.
        ///
        /// # Errors
        /// `Unauthorized` unless the caller is the super-node contract;
        /// `WrongPhase` in 军政; `RegistryCallFailed`.
        ///
        /// # Events
        /// None here (the registry emits `MerchantStatusChanged`).
        #[ink(message)]
        fn verify(&mut self, merchant: AccountId) -> Result<()> {
            if self.env().caller() != self.contracts.super_nodes {
                return Err(GovernanceError::Unauthorized);
            }
            if self.data.phase() == Phase::Military {
                return Err(GovernanceError::WrongPhase);
            }
            self.set_merchant_status(merchant, MerchantStatus::Verified)
        }
    }

    fn emit_all(events: Vec<GovernanceEvent>) {
        GovernanceEvent::emit_all::<Environment>(events);
    }
}

#[cfg(test)]
mod tests;

#[cfg(all(test, feature = "e2e-tests"))]
mod e2e_tests;
