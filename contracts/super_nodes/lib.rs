//! # Super nodes
//!
//! The super nodes of 训政 (DESIGN §3.6; whitepaper ch. 3.2, 3.5.5–6, 8.2):
//! candidates post a BT bond for a scope — a region (location prefix), an
//! industry (category) or a B2b platform (merchants declare theirs) —
//! governance elects them by proposal, and from 训政 on a pending merchant
//! is verified when more than half of the super nodes covering it approve
//! (where scopes overlap, the overlapping nodes vote). Proven misbehaviour
//! is slashed: the node leaves office and its bond goes to the treasury
//! (the vesting contract's ecosystem fund). A withdrawing candidate waits an
//! unbonding period during which its bond stays slashable — the
//! whitepaper's Nothing-at-Stake and long-range defences (ch. 3.5.5).
//!
//! Roles (`set_role`, `RoleChanged`): `Admin`, the foundation authority,
//! may slash until governance takes the role in 宪政; `Governance`, the
//! governance contract, elects, revokes and slashes, and verifies the
//! merchants the super nodes approved in the registry.
//!
//! The logic lives in [`SuperNodesData`], whose methods take the caller
//! (and the time, the phase, the merchant's profile) explicitly and return
//! the events to emit; the messages are thin shells that make the
//! cross-contract calls.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use bizkey_types::governance::Phase;
pub use bizkey_types::super_nodes::{
    BondWithdrawn, Candidate, CandidateRegistered, CandidateStatus, CandidateWithdrawn,
    PlatformChanged, Scope, SuperNodeConfig, SuperNodeElected, SuperNodeError, SuperNodeRemoved,
    VerificationDecided, VerificationVoted,
};
use bizkey_types::{
    registry::{Category, MerchantStatus},
    roles::{Role, RoleChanged},
    AccountId, Balance, Hash, Timestamp,
};
use ink::{
    prelude::{vec, vec::Vec},
    storage::Mapping,
};

pub use bizkey_types::super_nodes::SuperNodeEvent;

/// Result of the super-node logic.
pub type Result<T> = core::result::Result<T, SuperNodeError>;

/// A merchant's verification votes: (super node, approve).
pub type Round = Vec<(AccountId, bool)>;

/// The candidates, the elected super nodes and the verification rounds,
/// independent of the contract shell.
#[ink::storage_item]
#[derive(Debug)]
pub struct SuperNodesData {
    config: SuperNodeConfig,
    admin: Option<AccountId>,
    governance: Option<AccountId>,
    candidates: Mapping<AccountId, Candidate>,
    super_nodes: Vec<(AccountId, Scope)>,
    total_bonded: Balance,
    platforms: Mapping<AccountId, u32>,
    /// Verification votes of the current round per merchant.
    rounds: Mapping<AccountId, Round>,
}

fn after(now: Timestamp, ms: u64) -> Result<Timestamp> {
    now.checked_add(ms).ok_or(SuperNodeError::Overflow)
}

impl SuperNodesData {
    /// Super nodes administered by `admin` (the authority), governance
    /// vacant until the admin names it.
    ///
    /// # Errors
    /// `InvalidConfig` (see `SuperNodeConfig::is_valid`).
    pub fn new(admin: AccountId, config: SuperNodeConfig) -> Result<Self> {
        if !config.is_valid() {
            return Err(SuperNodeError::InvalidConfig);
        }
        Ok(Self {
            config,
            admin: Some(admin),
            governance: None,
            candidates: Mapping::new(),
            super_nodes: Vec::new(),
            total_bonded: 0,
            platforms: Mapping::new(),
            rounds: Mapping::new(),
        })
    }

    // ---- views ----------------------------------------------------------

    pub fn config(&self) -> SuperNodeConfig {
        self.config
    }

    /// The account holding `role` (`None`: vacant or not a role here).
    pub fn role(&self, role: Role) -> Option<AccountId> {
        match role {
            Role::Admin => self.admin,
            Role::Governance => self.governance,
            _ => None,
        }
    }

    pub fn candidate(&self, account: AccountId) -> Option<Candidate> {
        self.candidates.get(account)
    }

    /// BT bonded by candidates.
    pub fn total_bonded(&self) -> Balance {
        self.total_bonded
    }

    /// The elected super nodes and their scopes.
    pub fn super_nodes(&self) -> Vec<(AccountId, Scope)> {
        self.super_nodes.clone()
    }

    pub fn platform(&self, merchant: AccountId) -> Option<u32> {
        self.platforms.get(merchant)
    }

    /// The votes of the running verification round of `merchant`.
    pub fn round(&self, merchant: AccountId) -> Round {
        self.rounds.get(merchant).unwrap_or_default()
    }

    /// The elected super nodes whose scope covers a merchant at `location`
    /// of `category` (its platform is looked up here).
    pub fn covering(
        &self,
        merchant: AccountId,
        location: &[u8],
        category: Category,
    ) -> Vec<AccountId> {
        let platform = self.platforms.get(merchant);
        self.super_nodes
            .iter()
            .filter(|(_, scope)| scope.covers(location, category, platform))
            .map(|(node, _)| *node)
            .collect()
    }

    // ---- roles ------------------------------------------------------------

    fn ensure_privileged(&self, caller: AccountId) -> Result<()> {
        if Some(caller) == self.admin || Some(caller) == self.governance {
            Ok(())
        } else {
            Err(SuperNodeError::Unauthorized)
        }
    }

    fn ensure_governance(&self, caller: AccountId) -> Result<()> {
        if Some(caller) == self.governance {
            Ok(())
        } else {
            Err(SuperNodeError::Unauthorized)
        }
    }

    /// Hands `role` (`Admin` or `Governance`) to `account` (`None`: vacant).
    ///
    /// # Errors
    /// `Unauthorized` unless `caller` is the admin or governance;
    /// `InvalidRole` for another role.
    pub fn set_role(
        &mut self,
        caller: AccountId,
        role: Role,
        account: Option<AccountId>,
    ) -> Result<Vec<SuperNodeEvent>> {
        self.ensure_privileged(caller)?;
        let slot = match role {
            Role::Admin => &mut self.admin,
            Role::Governance => &mut self.governance,
            _ => return Err(SuperNodeError::InvalidRole),
        };
        *slot = account;
        Ok(vec![SuperNodeEvent::RoleChanged(RoleChanged {
            role,
            account,
        })])
    }

    // ---- candidates and super nodes ----------------------------------------

    /// `caller` stands for `scope` with a bond of `bond` BT (moved in by
    /// the shell).
    ///
    /// # Errors
    /// `InvalidScope`; `AlreadyCandidate` (also while unbonding);
    /// `BondTooLow`; `Overflow`.
    pub fn register_candidate(
        &mut self,
        caller: AccountId,
        scope: Scope,
        bond: Balance,
    ) -> Result<Vec<SuperNodeEvent>> {
        if !scope.is_valid() {
            return Err(SuperNodeError::InvalidScope);
        }
        if self.candidates.contains(caller) {
            return Err(SuperNodeError::AlreadyCandidate);
        }
        if bond < self.config.min_bond {
            return Err(SuperNodeError::BondTooLow);
        }
        self.total_bonded = self
            .total_bonded
            .checked_add(bond)
            .ok_or(SuperNodeError::Overflow)?;
        self.candidates.insert(
            caller,
            &Candidate {
                scope: scope.clone(),
                bond,
                status: CandidateStatus::Candidate,
                unbonding_until: 0,
            },
        );
        Ok(vec![SuperNodeEvent::CandidateRegistered(
            CandidateRegistered {
                candidate: caller,
                scope,
                bond,
            },
        )])
    }

    fn leave_office(&mut self, node: AccountId) {
        self.super_nodes.retain(|(n, _)| *n != node);
    }

    /// `caller` withdraws its candidacy (and leaves office if elected); the
    /// bond stays slashable until `now` + the unbonding period.
    ///
    /// # Errors
    /// `NotCandidate` (also if already unbonding); `Overflow`.
    pub fn withdraw_candidacy(
        &mut self,
        caller: AccountId,
        now: Timestamp,
    ) -> Result<Vec<SuperNodeEvent>> {
        let mut c = self
            .candidates
            .get(caller)
            .filter(|c| c.status != CandidateStatus::Unbonding)
            .ok_or(SuperNodeError::NotCandidate)?;
        let mut events = Vec::new();
        if c.status == CandidateStatus::SuperNode {
            self.leave_office(caller);
            events.push(SuperNodeEvent::SuperNodeRemoved(SuperNodeRemoved {
                node: caller,
                slashed: 0,
                evidence: Hash::default(),
            }));
        }
        c.status = CandidateStatus::Unbonding;
        c.unbonding_until = after(now, self.config.unbonding_ms)?;
        self.candidates.insert(caller, &c);
        events.push(SuperNodeEvent::CandidateWithdrawn(CandidateWithdrawn {
            candidate: caller,
            unbonding_until: c.unbonding_until,
        }));
        Ok(events)
    }

    /// Ends `caller`'s unbonded candidacy: returns the bond the shell pays.
    ///
    /// # Errors
    /// `NotCandidate`; `StillBonded` unless withdrawn and unbonded.
    pub fn withdraw_bond(
        &mut self,
        caller: AccountId,
        now: Timestamp,
    ) -> Result<(Balance, Vec<SuperNodeEvent>)> {
        let c = self
            .candidates
            .get(caller)
            .ok_or(SuperNodeError::NotCandidate)?;
        if c.status != CandidateStatus::Unbonding || now < c.unbonding_until {
            return Err(SuperNodeError::StillBonded);
        }
        self.candidates.remove(caller);
        // The bond is part of `total_bonded`.
        self.total_bonded = self.total_bonded.saturating_sub(c.bond);
        Ok((
            c.bond,
            vec![SuperNodeEvent::BondWithdrawn(BondWithdrawn {
                candidate: caller,
                amount: c.bond,
            })],
        ))
    }

    /// The authority (the admin: until governance takes the role in 宪政)
    /// or governance slashes a super node or candidate for proven
    /// misbehaviour. Returns the slashed bond, which the shell moves to the
    /// treasury.
    ///
    /// # Errors
    /// `Unauthorized` unless `caller` is the admin or governance;
    /// `NotCandidate`.
    pub fn slash(
        &mut self,
        caller: AccountId,
        node: AccountId,
        evidence: Hash,
    ) -> Result<(Balance, Vec<SuperNodeEvent>)> {
        self.ensure_privileged(caller)?;
        self.remove(node, true, evidence)
    }

    /// Governance removes `node` from office; with `slash` its candidacy
    /// ends and its bond is returned for the treasury.
    ///
    /// # Errors
    /// `Unauthorized` unless `caller` is governance; `NotCandidate`
    /// (without `slash`: unless in office).
    pub fn revoke(
        &mut self,
        caller: AccountId,
        node: AccountId,
        slash: bool,
    ) -> Result<(Balance, Vec<SuperNodeEvent>)> {
        self.ensure_governance(caller)?;
        self.remove(node, slash, Hash::default())
    }

    fn remove(
        &mut self,
        node: AccountId,
        slash: bool,
        evidence: Hash,
    ) -> Result<(Balance, Vec<SuperNodeEvent>)> {
        let mut c = self
            .candidates
            .get(node)
            .ok_or(SuperNodeError::NotCandidate)?;
        if !slash && c.status != CandidateStatus::SuperNode {
            return Err(SuperNodeError::NotCandidate);
        }
        self.leave_office(node);
        let slashed = if slash {
            self.candidates.remove(node);
            // The bond is part of `total_bonded`.
            self.total_bonded = self.total_bonded.saturating_sub(c.bond);
            c.bond
        } else {
            c.status = CandidateStatus::Candidate;
            self.candidates.insert(node, &c);
            0
        };
        Ok((
            slashed,
            vec![SuperNodeEvent::SuperNodeRemoved(SuperNodeRemoved {
                node,
                slashed,
                evidence,
            })],
        ))
    }

    /// Governance makes the bonded candidate `node` a super node.
    ///
    /// # Errors
    /// `Unauthorized` unless `caller` is governance; `NotCandidate` unless
    /// `node` is a candidate not in office (nor unbonding);
    /// `TooManySuperNodes`.
    pub fn elect(&mut self, caller: AccountId, node: AccountId) -> Result<Vec<SuperNodeEvent>> {
        self.ensure_governance(caller)?;
        let mut c = self
            .candidates
            .get(node)
            .filter(|c| c.status == CandidateStatus::Candidate)
            .ok_or(SuperNodeError::NotCandidate)?;
        if self.super_nodes.len() >= usize::try_from(self.config.max_super_nodes).unwrap_or(0) {
            return Err(SuperNodeError::TooManySuperNodes);
        }
        c.status = CandidateStatus::SuperNode;
        self.candidates.insert(node, &c);
        self.super_nodes.push((node, c.scope.clone()));
        Ok(vec![SuperNodeEvent::SuperNodeElected(SuperNodeElected {
            node,
            scope: c.scope,
        })])
    }

    /// `caller` (a merchant) declares its B2b platform (`None`: none);
    /// `status` is its registry status as the shell read it (`None`: not
    /// registered). The platform decides which super nodes cover the
    /// merchant, so it cannot change while a round on the merchant has
    /// votes (a pending merchant would otherwise move, mid-round, into a
    /// friendly node's scope); before its round, a platform is a claim the
    /// platform's nodes judge when they vote.
    ///
    /// # Errors
    /// `NotMerchant` unless `caller` is a registered merchant not removed;
    /// `RoundOpen` while its verification round has votes.
    pub fn set_platform(
        &mut self,
        caller: AccountId,
        status: Option<MerchantStatus>,
        platform: Option<u32>,
    ) -> Result<Vec<SuperNodeEvent>> {
        if matches!(status, None | Some(MerchantStatus::Removed)) {
            return Err(SuperNodeError::NotMerchant);
        }
        if !self.round(caller).is_empty() {
            return Err(SuperNodeError::RoundOpen);
        }
        match platform {
            Some(p) => self.platforms.insert(caller, &p),
            None => {
                self.platforms.remove(caller);
                None
            }
        };
        Ok(vec![SuperNodeEvent::PlatformChanged(PlatformChanged {
            merchant: caller,
            platform,
        })])
    }

    /// Super node `caller` votes on pending `merchant` (at `location`, of
    /// `category`, as the shell read it from the registry). Returns the
    /// decision once a majority of the covering nodes agree: `Some(true)`
    /// when more than half approve (the shell then verifies the merchant in
    /// the registry), `Some(false)` when approval can no longer reach a
    /// majority; the round then closes.
    ///
    /// # Errors
    /// `WrongPhase` in 军政 (`phase`: governance's, read by the shell);
    /// `Unauthorized` unless `caller` is a super node; `NotCovering` if its
    /// scope does not cover the merchant; `AlreadyVoted` in this round.
    pub fn vote_verification(
        &mut self,
        caller: AccountId,
        phase: Phase,
        merchant: AccountId,
        (location, category): (&[u8], Category),
        approve: bool,
    ) -> Result<(Option<bool>, Vec<SuperNodeEvent>)> {
        if phase == Phase::Military {
            return Err(SuperNodeError::WrongPhase);
        }
        if !self.super_nodes.iter().any(|(n, _)| *n == caller) {
            return Err(SuperNodeError::Unauthorized);
        }
        let covering = self.covering(merchant, location, category);
        if !covering.contains(&caller) {
            return Err(SuperNodeError::NotCovering);
        }
        let mut round = self.round(merchant);
        if round.iter().any(|(n, _)| *n == caller) {
            return Err(SuperNodeError::AlreadyVoted);
        }
        round.push((caller, approve));
        // Only the nodes covering the merchant now count (one may have left
        // office since it voted). There are at most MAX_SUPER_NODES, so the
        // conversions and doublings below cannot overflow.
        let count = |yes: bool| {
            let c = round
                .iter()
                .filter(|(n, a)| *a == yes && covering.contains(n))
                .count();
            u32::try_from(c).unwrap_or(u32::MAX)
        };
        let (approvals, rejections) = (count(true), count(false));
        let n = u32::try_from(covering.len()).unwrap_or(u32::MAX);
        let mut events = vec![SuperNodeEvent::VerificationVoted(VerificationVoted {
            merchant,
            node: caller,
            approve,
            approvals,
            rejections,
            covering: n,
        })];
        let decision = if approvals.saturating_mul(2) > n {
            Some(true)
        } else if rejections.saturating_mul(2) >= n {
            Some(false)
        } else {
            None
        };
        match decision {
            Some(verified) => {
                self.rounds.remove(merchant);
                events.push(SuperNodeEvent::VerificationDecided(VerificationDecided {
                    merchant,
                    verified,
                }));
            }
            None => {
                self.rounds.insert(merchant, &round);
            }
        }
        Ok((decision, events))
    }
}

#[ink::contract]
pub mod super_nodes {
    use super::*;
    use bizkey_types::{
        governance::GovernanceApi, psp22::PSP22, registry::Merchant, super_nodes::SuperNodesApi,
    };
    use ink::{
        codegen::TraitCallBuilder,
        env::call::{build_call, ExecutionInput, Selector},
    };

    #[ink(storage)]
    pub struct SuperNodes {
        data: SuperNodesData,
        biz_token: AccountId,
        registry: AccountId,
        /// Where slashed bonds go: the vesting contract's ecosystem fund.
        treasury: AccountId,
    }

    type Token = ink::contract_ref!(PSP22);
    type Gov = ink::contract_ref!(GovernanceApi);

    impl SuperNodes {
        /// Super nodes bonding `biz_token` BT, reading merchants from
        /// `registry`, slashing to `treasury`; the caller is the admin (the
        /// foundation authority), who then names governance with `set_role`.
        ///
        /// # Errors
        /// `InvalidConfig`.
        ///
        /// # Events
        /// None.
        #[ink(constructor)]
        pub fn new(
            biz_token: AccountId,
            registry: AccountId,
            treasury: AccountId,
            config: SuperNodeConfig,
        ) -> Result<Self> {
            Ok(Self {
                data: SuperNodesData::new(Self::env().caller(), config)?,
                biz_token,
                registry,
                treasury,
            })
        }

        /// Hands `role` (`Admin` or `Governance`) to `account`, or leaves it
        /// vacant with `None`.
        ///
        /// # Errors
        /// `Unauthorized` unless the caller is the admin or governance;
        /// `InvalidRole`.
        ///
        /// # Events
        /// `RoleChanged`.
        #[ink(message)]
        pub fn set_role(&mut self, role: Role, account: Option<AccountId>) -> Result<()> {
            let events = self.data.set_role(self.env().caller(), role, account)?;
            emit_all(events);
            Ok(())
        }

        /// The account holding `role`.
        #[ink(message)]
        pub fn role(&self, role: Role) -> Option<AccountId> {
            self.data.role(role)
        }

        #[ink(message)]
        pub fn config(&self) -> SuperNodeConfig {
            self.data.config()
        }

        /// A candidate or super node, and all bonded BT.
        #[ink(message)]
        pub fn candidate(&self, account: AccountId) -> (Option<Candidate>, Balance) {
            (self.data.candidate(account), self.data.total_bonded())
        }

        /// The elected super nodes and their scopes.
        #[ink(message)]
        pub fn super_nodes(&self) -> Vec<(AccountId, Scope)> {
            self.data.super_nodes()
        }

        /// `merchant`'s declared platform and its running verification
        /// round.
        #[ink(message)]
        pub fn verification(&self, merchant: AccountId) -> (Option<u32>, Round) {
            (self.data.platform(merchant), self.data.round(merchant))
        }

        /// The caller stands as candidate for `scope`, bonding `bond` BT
        /// (allowance to this contract needed).
        ///
        /// # Errors
        /// `InvalidScope`; `AlreadyCandidate`; `BondTooLow`;
        /// `TokenCallFailed`; `Overflow`.
        ///
        /// # Events
        /// `CandidateRegistered`.
        #[ink(message)]
        pub fn register_candidate(&mut self, scope: Scope, bond: Balance) -> Result<()> {
            let caller = self.env().caller();
            let events = self.data.register_candidate(caller, scope, bond)?;
            let this = self.env().account_id();
            let mut bt: Token = self.biz_token.into();
            match bt
                .call_mut()
                .transfer_from(caller, this, bond, Vec::new())
                .try_invoke()
            {
                Ok(Ok(Ok(()))) => {}
                _ => return Err(SuperNodeError::TokenCallFailed),
            }
            emit_all(events);
            Ok(())
        }

        /// The caller withdraws its candidacy and leaves office if elected;
        /// its bond stays slashable for the unbonding period.
        ///
        /// # Errors
        /// `NotCandidate`; `Overflow`.
        ///
        /// # Events
        /// `SuperNodeRemoved` if it was elected, `CandidateWithdrawn`.
        #[ink(message)]
        pub fn withdraw_candidacy(&mut self) -> Result<()> {
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let events = self.data.withdraw_candidacy(caller, now)?;
            emit_all(events);
            Ok(())
        }

        /// Returns the caller's bond after the unbonding period.
        ///
        /// # Errors
        /// `NotCandidate`; `StillBonded`; `TokenCallFailed`.
        ///
        /// # Events
        /// `BondWithdrawn`.
        #[ink(message)]
        pub fn withdraw_bond(&mut self) -> Result<()> {
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let (bond, events) = self.data.withdraw_bond(caller, now)?;
            self.pay(caller, bond)?;
            emit_all(events);
            Ok(())
        }

        /// The authority (admin) or governance slashes a super node or
        /// candidate (also while unbonding) for proven misbehaviour,
        /// `evidence` being the hash of the proof: it leaves office and its
        /// bond goes to the treasury.
        ///
        /// # Errors
        /// `Unauthorized` unless the caller is the admin or governance;
        /// `NotCandidate`; `TokenCallFailed`.
        ///
        /// # Events
        /// `SuperNodeRemoved`.
        #[ink(message)]
        pub fn slash(&mut self, node: AccountId, evidence: Hash) -> Result<()> {
            let (slashed, events) = self.data.slash(self.env().caller(), node, evidence)?;
            self.pay(self.treasury, slashed)?;
            emit_all(events);
            Ok(())
        }

        /// The caller (a merchant) declares the B2b platform it belongs to
        /// (`None`: none); super nodes of that platform then cover it.
        ///
        /// # Errors
        /// `RegistryCallFailed`; `NotMerchant` unless the caller is a
        /// registered merchant not removed; `RoundOpen` while its
        /// verification round has votes.
        ///
        /// # Events
        /// `PlatformChanged`.
        #[ink(message)]
        pub fn set_platform(&mut self, platform: Option<u32>) -> Result<()> {
            let caller = self.env().caller();
            let status = self.merchant(caller)?.map(|m| m.status);
            let events = self.data.set_platform(caller, status, platform)?;
            emit_all(events);
            Ok(())
        }

        /// A super node whose scope covers pending `merchant` approves or
        /// rejects it. When more than half of the covering super nodes
        /// approve, governance verifies the merchant in the registry; when
        /// approval can no longer reach a majority, the round closes.
        ///
        /// # Errors
        /// `GovernanceCallFailed` if governance is vacant or refuses;
        /// `WrongPhase` in 军政; `RegistryCallFailed`; `NotPending` unless
        /// the merchant is registered and pending; `Unauthorized` unless the
        /// caller is a super node; `NotCovering`; `AlreadyVoted`.
        ///
        /// # Events
        /// `VerificationVoted`, then `VerificationDecided` on a decision
        /// (and the registry's `MerchantStatusChanged` on verification).
        #[ink(message)]
        pub fn verify_merchant(&mut self, merchant: AccountId, approve: bool) -> Result<()> {
            let governance = self
                .data
                .role(Role::Governance)
                .ok_or(SuperNodeError::GovernanceCallFailed)?;
            let mut gov: Gov = governance.into();
            let phase = match gov.call().phase().try_invoke() {
                Ok(Ok(phase)) => phase,
                _ => return Err(SuperNodeError::GovernanceCallFailed),
            };
            let m = self
                .merchant(merchant)?
                .filter(|m| m.status == MerchantStatus::Pending)
                .ok_or(SuperNodeError::NotPending)?;
            let (decision, events) = self.data.vote_verification(
                self.env().caller(),
                phase,
                merchant,
                (m.profile.location.as_bytes(), m.profile.category),
                approve,
            )?;
            if decision == Some(true) {
                match gov.call_mut().verify(merchant).try_invoke() {
                    Ok(Ok(Ok(()))) => {}
                    _ => return Err(SuperNodeError::GovernanceCallFailed),
                }
            }
            emit_all(events);
            Ok(())
        }

        fn merchant(&self, merchant: AccountId) -> Result<Option<Merchant>> {
            // `merchant` is an inherent message of the registry.
            match build_call::<Environment>()
                .call(self.registry)
                .exec_input(
                    ExecutionInput::new(Selector::new(ink::selector_bytes!("merchant")))
                        .push_arg(merchant),
                )
                .returns::<Option<Merchant>>()
                .try_invoke()
            {
                Ok(Ok(m)) => Ok(m),
                _ => Err(SuperNodeError::RegistryCallFailed),
            }
        }

        /// Transfers `amount` BT from this contract to `to`.
        fn pay(&self, to: AccountId, amount: Balance) -> Result<()> {
            if amount == 0 {
                return Ok(());
            }
            let mut bt: Token = self.biz_token.into();
            match bt.call_mut().transfer(to, amount, Vec::new()).try_invoke() {
                Ok(Ok(Ok(()))) => Ok(()),
                _ => Err(SuperNodeError::TokenCallFailed),
            }
        }
    }

    impl SuperNodesApi for SuperNodes {
        /// Whether `node` is an elected super node whose scope covers the
        /// registered merchant `merchant` (false if the registry cannot be
        /// read).
        #[ink(message)]
        fn covers(&self, node: AccountId, merchant: AccountId) -> bool {
            match self.merchant(merchant) {
                Ok(Some(m)) => self
                    .data
                    .covering(merchant, m.profile.location.as_bytes(), m.profile.category)
                    .contains(&node),
                _ => false,
            }
        }

        /// Governance makes the bonded candidate `node` a super node.
        ///
        /// # Errors
        /// `Unauthorized` unless the caller is governance; `NotCandidate`;
        /// `TooManySuperNodes`.
        ///
        /// # Events
        /// `SuperNodeElected`.
        #[ink(message)]
        fn elect(&mut self, node: AccountId) -> Result<()> {
            let events = self.data.elect(self.env().caller(), node)?;
            emit_all(events);
            Ok(())
        }

        /// Governance removes `node` from office; with `slash` its bond goes
        /// to the treasury and its candidacy ends.
        ///
        /// # Errors
        /// `Unauthorized` unless the caller is governance; `NotCandidate`;
        /// `TokenCallFailed`.
        ///
        /// # Events
        /// `SuperNodeRemoved`.
        #[ink(message)]
        fn revoke(&mut self, node: AccountId, slash: bool) -> Result<()> {
            let (slashed, events) = self.data.revoke(self.env().caller(), node, slash)?;
            self.pay(self.treasury, slashed)?;
            emit_all(events);
            Ok(())
        }
    }

    fn emit_all(events: Vec<SuperNodeEvent>) {
        SuperNodeEvent::emit_all::<Environment>(events);
    }
}

#[cfg(test)]
mod tests;
