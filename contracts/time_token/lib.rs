//! Time (TT): the customers' coalition cashback token (DESIGN §3.1,
//! whitepaper ch. 7.1.2).
//!
//! A PSP22 token (12 decimals) capped at 10,000,000,000 TT: 2,000,000,000
//! minted at instantiation (the early-user reserve for the ledger's reward
//! pool), the other 8,000,000,000 emitted over time by
//! `bizkey_math::emission::emitted`. Anyone may call `release_emission`; it
//! mints what accrued since the last release to the reward pool and the
//! lockers' dividend pool by a configured split. The governance account may
//! burn (`burn_from`) or claw back (`clawback`).
#![cfg_attr(not(feature = "std"), no_std, no_main)]

#[ink::contract]
pub mod time_token {
    use bizkey_psp22::{Emission, PSP22Data, TokenEvent, TokenRoles};
    use bizkey_types::psp22::{BizkeyToken, PSP22Error, PSP22Metadata, PSP22};
    use ink::prelude::{string::String, vec::Vec};

    /// Decimal places of one TT.
    pub const DECIMALS: u8 = 12;
    /// One TT in the smallest unit.
    pub const UNIT: Balance = 1_000_000_000_000;
    /// The supply can never exceed this.
    pub const CAP: Balance = 10_000_000_000 * UNIT;
    /// Minted at instantiation.
    pub const GENESIS_SUPPLY: Balance = 2_000_000_000 * UNIT;

    #[ink(storage)]
    pub struct TimeToken {
        data: PSP22Data,
        roles: TokenRoles,
        emission: Emission,
    }

    pub type Result<T> = core::result::Result<T, PSP22Error>;

    impl TimeToken {
        /// Mints the genesis 2B to `genesis_holder` and starts the emission
        /// now (this block's timestamp). The caller becomes `admin`,
        /// `governance` stays vacant. Because of the wiring order the
        /// deployer may be the genesis holder and pass the reserve on to the
        /// ledger with a `transfer`.
        ///
        /// # Errors
        /// `InvalidParameter` if `reward_share_ppm` exceeds one million.
        ///
        /// # Events
        /// `RoleChanged { role: Admin }`, `EmissionConfigured`, then the
        /// `Transfer` mint of the genesis supply.
        #[ink(constructor)]
        pub fn new(
            genesis_holder: AccountId,
            reward_pool: AccountId,
            dividend_pool: AccountId,
            reward_share_ppm: u32,
        ) -> Result<Self> {
            let (roles, role_event) = TokenRoles::new(Self::env().caller());
            let now = Self::env().block_timestamp();
            let (emission, emission_event) =
                Emission::new(now, reward_pool, dividend_pool, reward_share_ppm)?;
            let mut data = PSP22Data::default();
            let mint_events = data.mint(genesis_holder, GENESIS_SUPPLY, CAP)?;
            TokenEvent::emit_all::<Environment>(
                [role_event, emission_event].into_iter().chain(mint_events),
            );
            Ok(Self {
                data,
                roles,
                emission,
            })
        }

        /// The account that configures the token and the emission and hands
        /// roles over.
        #[ink(message)]
        pub fn admin(&self) -> AccountId {
            self.roles.admin()
        }

        /// The one account allowed to `burn_from` and `clawback` (`None`:
        /// vacant).
        #[ink(message)]
        pub fn governance(&self) -> Option<AccountId> {
            self.roles.governance()
        }

        /// Hands the admin role to `new_admin`. Governance may too: it takes
        /// the role over when the community reaches 宪政.
        ///
        /// # Errors
        /// `Unauthorized` unless the caller is the admin or governance.
        ///
        /// # Events
        /// `RoleChanged { role: Admin, account: Some(new_admin) }`.
        #[ink(message)]
        pub fn set_admin(&mut self, new_admin: AccountId) -> Result<()> {
            let events = self.roles.set_admin(self.env().caller(), new_admin)?;
            self.emit(events)
        }

        /// Names the governance account (`None` makes the role vacant).
        ///
        /// # Errors
        /// `Unauthorized` unless the caller is the admin.
        ///
        /// # Events
        /// `RoleChanged { role: Governance, account: governance }`.
        #[ink(message)]
        pub fn set_governance(&mut self, governance: Option<AccountId>) -> Result<()> {
            let events = self.roles.set_governance(self.env().caller(), governance)?;
            self.emit(events)
        }

        /// The cap of the supply (10B TT).
        #[ink(message)]
        pub fn cap(&self) -> Balance {
            CAP
        }

        /// The emission's start, targets, split and what was released.
        #[ink(message)]
        pub fn emission(&self) -> Emission {
            self.emission.clone()
        }

        /// What `release_emission` would mint now.
        #[ink(message)]
        pub fn releasable(&self) -> Balance {
            self.emission.releasable(self.env().block_timestamp())
        }

        /// Mints what the emission schedule accrued since the last release,
        /// split between the reward pool and the dividend pool. Anyone may
        /// call it; returns the amount minted (0 if nothing accrued).
        ///
        /// # Errors
        /// `CapExceeded` if minting would exceed the cap (cannot happen with
        /// the 2B genesis and the 8B schedule; the check makes it certain).
        ///
        /// # Events
        /// A `Transfer` mint to each pool with a non-zero share, then
        /// `EmissionReleased`; nothing if nothing accrued.
        #[ink(message)]
        pub fn release_emission(&mut self) -> Result<Balance> {
            let now = self.env().block_timestamp();
            let (amount, events) = self.emission.release(now, &mut self.data, CAP)?;
            self.emit(events)?;
            Ok(amount)
        }

        /// Sets the emission's targets and the reward pool's share of each
        /// release in parts per million (the dividend pool gets the rest).
        /// Release first if what accrued so far should follow the old split.
        ///
        /// # Errors
        /// `Unauthorized` unless the caller is the admin;
        /// `InvalidParameter` if `reward_share_ppm` exceeds one million.
        ///
        /// # Events
        /// `EmissionConfigured`.
        #[ink(message)]
        pub fn configure_emission(
            &mut self,
            reward_pool: AccountId,
            dividend_pool: AccountId,
            reward_share_ppm: u32,
        ) -> Result<()> {
            self.roles.ensure_admin(self.env().caller())?;
            let events = self
                .emission
                .configure(reward_pool, dividend_pool, reward_share_ppm)?;
            self.emit(events)
        }

        fn emit(&self, events: Vec<TokenEvent>) -> Result<()> {
            TokenEvent::emit_all::<Environment>(events);
            Ok(())
        }
    }

    // The same shells as in `biz_token`: ink! 5 reads a contract's messages
    // before macros expand, so no shared macro can write them. The logic
    // they call is shared (`bizkey_psp22::PSP22Data`).
    impl PSP22 for TimeToken {
        /// The total supply: genesis plus released emission, less burns.
        #[ink(message)]
        fn total_supply(&self) -> Balance {
            self.data.total_supply()
        }

        /// `owner`'s balance.
        #[ink(message)]
        fn balance_of(&self, owner: AccountId) -> Balance {
            self.data.balance_of(owner)
        }

        /// What `spender` may still transfer from `owner`.
        #[ink(message)]
        fn allowance(&self, owner: AccountId, spender: AccountId) -> Balance {
            self.data.allowance(owner, spender)
        }

        /// Moves `value` from the caller to `to`; `data` is ignored. A zero
        /// value or `to == caller` succeeds and does nothing.
        ///
        /// # Errors
        /// `InsufficientBalance` if the caller holds less than `value`.
        ///
        /// # Events
        /// `Transfer`, unless nothing moved.
        #[ink(message)]
        fn transfer(&mut self, to: AccountId, value: Balance, _data: Vec<u8>) -> Result<()> {
            let events = self.data.transfer(self.env().caller(), to, value)?;
            self.emit(events)
        }

        /// Moves `value` from `from` to `to` on the caller's allowance (none
        /// needed if the caller is `from`); `data` is ignored. A zero value
        /// or `from == to` succeeds and does nothing.
        ///
        /// # Errors
        /// `InsufficientAllowance` if the caller's allowance is below `value`,
        /// `InsufficientBalance` if `from` holds less than `value`.
        ///
        /// # Events
        /// `Approval` with the spender's remaining allowance, then `Transfer`.
        #[ink(message)]
        fn transfer_from(
            &mut self,
            from: AccountId,
            to: AccountId,
            value: Balance,
            _data: Vec<u8>,
        ) -> Result<()> {
            let events = self
                .data
                .transfer_from(self.env().caller(), from, to, value)?;
            self.emit(events)
        }

        /// Sets the caller's allowance for `spender` to `value` (approving
        /// oneself does nothing).
        ///
        /// # Errors
        /// None.
        ///
        /// # Events
        /// `Approval`.
        #[ink(message)]
        fn approve(&mut self, spender: AccountId, value: Balance) -> Result<()> {
            let events = self.data.approve(self.env().caller(), spender, value)?;
            self.emit(events)
        }

        /// Raises the caller's allowance for `spender` by `delta_value`
        /// (saturating at `u128::MAX`).
        ///
        /// # Errors
        /// None.
        ///
        /// # Events
        /// `Approval` with the new allowance, unless `delta_value` is 0.
        #[ink(message)]
        fn increase_allowance(&mut self, spender: AccountId, delta_value: Balance) -> Result<()> {
            let events = self
                .data
                .increase_allowance(self.env().caller(), spender, delta_value)?;
            self.emit(events)
        }

        /// Lowers the caller's allowance for `spender` by `delta_value`.
        ///
        /// # Errors
        /// `InsufficientAllowance` if the allowance is below `delta_value`.
        ///
        /// # Events
        /// `Approval` with the new allowance, unless `delta_value` is 0.
        #[ink(message)]
        fn decrease_allowance(&mut self, spender: AccountId, delta_value: Balance) -> Result<()> {
            let events = self
                .data
                .decrease_allowance(self.env().caller(), spender, delta_value)?;
            self.emit(events)
        }
    }

    impl PSP22Metadata for TimeToken {
        /// "Time".
        #[ink(message)]
        fn token_name(&self) -> Option<String> {
            Some(String::from("Time"))
        }

        /// "TT".
        #[ink(message)]
        fn token_symbol(&self) -> Option<String> {
            Some(String::from("TT"))
        }

        /// 12.
        #[ink(message)]
        fn token_decimals(&self) -> u8 {
            DECIMALS
        }
    }

    impl BizkeyToken for TimeToken {
        /// Burns `value` of `from`'s tokens (removal of a merchant or
        /// customer by governance).
        ///
        /// # Errors
        /// `Unauthorized` unless the caller is the governance account;
        /// `InsufficientBalance` if `from` holds less than `value`.
        ///
        /// # Events
        /// `Transfer { to: None }`, unless `value` is 0.
        #[ink(message)]
        fn burn_from(&mut self, from: AccountId, value: Balance) -> Result<()> {
            self.roles.ensure_governance(self.env().caller())?;
            let events = self.data.burn(from, value)?;
            self.emit(events)
        }

        /// Moves `value` of `from`'s tokens to `pool` (proven fraud), no
        /// allowance needed.
        ///
        /// # Errors
        /// `Unauthorized` unless the caller is the governance account;
        /// `InsufficientBalance` if `from` holds less than `value`.
        ///
        /// # Events
        /// `Transfer { from, to: pool }`, unless nothing moved.
        #[ink(message)]
        fn clawback(&mut self, from: AccountId, pool: AccountId, value: Balance) -> Result<()> {
            self.roles.ensure_governance(self.env().caller())?;
            let events = self.data.transfer(from, pool, value)?;
            self.emit(events)
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use bizkey_math::{
            emission::{emitted, TOTAL_EMISSION, YEAR_MS},
            PPM,
        };
        use bizkey_types::{
            psp22::{Approval, EmissionConfigured, EmissionReleased, Transfer},
            roles::{Role, RoleChanged},
        };
        use ink::env::{
            test::{self, DefaultAccounts},
            DefaultEnvironment,
        };
        use scale::Decode;

        const START: Timestamp = 1_700_000_000_000;

        fn accounts() -> DefaultAccounts<DefaultEnvironment> {
            test::default_accounts::<DefaultEnvironment>()
        }

        fn set_caller(caller: AccountId) {
            test::set_caller::<DefaultEnvironment>(caller);
        }

        fn set_now(now: Timestamp) {
            test::set_block_timestamp::<DefaultEnvironment>(now);
        }

        fn events() -> Vec<Vec<u8>> {
            test::recorded_events().map(|e| e.data).collect()
        }

        fn decode<T: Decode>(raw: &[u8]) -> T {
            T::decode(&mut &raw[..]).unwrap()
        }

        /// alice (admin) deploys at START: bob holds the genesis, charlie is
        /// the reward pool (60 %), django the dividend pool; frank is
        /// governance. Returns the number of events so far.
        fn deploy() -> (TimeToken, usize) {
            let a = accounts();
            set_caller(a.alice);
            set_now(START);
            let mut token = TimeToken::new(a.bob, a.charlie, a.django, 600_000).unwrap();
            token.set_governance(Some(a.frank)).unwrap();
            (token, events().len())
        }

        #[ink::test]
        fn new_mints_genesis_and_starts_emission() {
            let a = accounts();
            set_caller(a.alice);
            set_now(START);
            let token = TimeToken::new(a.bob, a.charlie, a.django, 600_000).unwrap();
            assert_eq!(token.total_supply(), GENESIS_SUPPLY);
            assert_eq!(token.balance_of(a.bob), 2_000_000_000 * UNIT);
            assert_eq!(token.cap(), 10_000_000_000 * UNIT);
            assert_eq!(token.admin(), a.alice);
            assert_eq!(token.governance(), None);
            let emission = token.emission();
            assert_eq!(emission.start(), START);
            assert_eq!(emission.released(), 0);
            assert_eq!(emission.reward_pool(), a.charlie);
            assert_eq!(emission.dividend_pool(), a.django);
            assert_eq!(emission.reward_share_ppm(), 600_000);
            assert_eq!(token.releasable(), 0);

            let events = events();
            assert_eq!(events.len(), 3);
            assert_eq!(
                decode::<RoleChanged>(&events[0]),
                RoleChanged {
                    role: Role::Admin,
                    account: Some(a.alice)
                }
            );
            assert_eq!(
                decode::<EmissionConfigured>(&events[1]),
                EmissionConfigured {
                    reward_pool: a.charlie,
                    dividend_pool: a.django,
                    reward_share_ppm: 600_000
                }
            );
            assert_eq!(
                decode::<Transfer>(&events[2]),
                Transfer {
                    from: None,
                    to: Some(a.bob),
                    value: GENESIS_SUPPLY
                }
            );
        }

        #[ink::test]
        fn new_rejects_a_share_above_one_million() {
            let a = accounts();
            set_caller(a.alice);
            assert!(matches!(
                TimeToken::new(a.bob, a.charlie, a.django, PPM + 1),
                Err(PSP22Error::InvalidParameter)
            ));
            assert_eq!(events().len(), 0);
        }

        #[ink::test]
        fn metadata() {
            let (token, _) = deploy();
            assert_eq!(token.token_name().as_deref(), Some("Time"));
            assert_eq!(token.token_symbol().as_deref(), Some("TT"));
            assert_eq!(token.token_decimals(), 12);
        }

        #[ink::test]
        fn release_emission_mints_what_accrued() {
            let a = accounts();
            let (mut token, before) = deploy();
            set_now(START + YEAR_MS / 2);
            let half_year = 200_000_000 * UNIT;
            assert_eq!(token.releasable(), half_year);
            // Anyone may release.
            set_caller(a.eve);
            assert_eq!(token.release_emission(), Ok(half_year));
            assert_eq!(token.balance_of(a.charlie), half_year / 10 * 6);
            assert_eq!(token.balance_of(a.django), half_year / 10 * 4);
            assert_eq!(token.total_supply(), GENESIS_SUPPLY + half_year);
            assert_eq!(token.emission().released(), half_year);
            assert_eq!(token.releasable(), 0);

            let events = events();
            assert_eq!(events.len(), before + 3);
            assert_eq!(
                decode::<Transfer>(&events[before]),
                Transfer {
                    from: None,
                    to: Some(a.charlie),
                    value: half_year / 10 * 6
                }
            );
            assert_eq!(
                decode::<EmissionReleased>(&events[before + 2]),
                EmissionReleased {
                    amount: half_year,
                    to_reward_pool: half_year / 10 * 6,
                    to_dividend_pool: half_year / 10 * 4,
                    released_total: half_year
                }
            );

            // A second release in the same block mints nothing and emits nothing.
            assert_eq!(token.release_emission(), Ok(0));
            assert_eq!(test::recorded_events().count(), before + 3);
        }

        #[ink::test]
        fn release_emission_accrues_block_by_block() {
            let (mut token, _) = deploy();
            let mut now = START;
            let mut released = 0;
            // Six-second blocks for a simulated hour.
            for _ in 0..600 {
                now += 6_000;
                set_now(now);
                released += token.release_emission().unwrap();
                assert_eq!(released, emitted(now - START));
                assert_eq!(token.total_supply(), GENESIS_SUPPLY + released);
            }
            assert!(released > 0);
        }

        #[ink::test]
        fn release_emission_never_exceeds_the_cap() {
            let a = accounts();
            let (mut token, _) = deploy();
            for years in [1, 5, 7, 50, 300, 10_000] {
                set_now(START + years * YEAR_MS);
                token.release_emission().unwrap();
                assert!(token.total_supply() <= CAP);
            }
            set_now(Timestamp::MAX);
            token.release_emission().unwrap();
            assert_eq!(token.total_supply(), CAP);
            assert_eq!(token.emission().released(), TOTAL_EMISSION);
            assert_eq!(token.release_emission(), Ok(0));
            assert_eq!(
                token.balance_of(a.charlie) + token.balance_of(a.django),
                TOTAL_EMISSION
            );
            // Burnt supply is not re-minted: the schedule is the only source.
            set_caller(a.frank);
            token.burn_from(a.charlie, UNIT).unwrap();
            assert_eq!(token.release_emission(), Ok(0));
            assert_eq!(token.total_supply(), CAP - UNIT);
        }

        #[ink::test]
        fn release_before_the_start_mints_nothing() {
            let (mut token, before) = deploy();
            set_now(START - 1);
            assert_eq!(token.releasable(), 0);
            assert_eq!(token.release_emission(), Ok(0));
            assert_eq!(events().len(), before);
        }

        #[ink::test]
        fn configure_emission_by_admin() {
            let a = accounts();
            let (mut token, before) = deploy();
            set_caller(a.alice);
            assert_eq!(token.configure_emission(a.eve, a.frank, PPM), Ok(()));
            let emission = token.emission();
            assert_eq!(
                (
                    emission.reward_pool(),
                    emission.dividend_pool(),
                    emission.reward_share_ppm()
                ),
                (a.eve, a.frank, PPM)
            );
            assert_eq!(
                decode::<EmissionConfigured>(&events()[before]),
                EmissionConfigured {
                    reward_pool: a.eve,
                    dividend_pool: a.frank,
                    reward_share_ppm: PPM
                }
            );
            // The new split applies to the next release: all to eve.
            set_now(START + 60_000);
            let amount = token.release_emission().unwrap();
            assert!(amount > 0);
            assert_eq!(token.balance_of(a.eve), amount);
            assert_eq!(token.balance_of(a.frank), 0);
        }

        #[ink::test]
        fn configure_emission_errors() {
            let a = accounts();
            let (mut token, before) = deploy();
            set_caller(a.frank);
            assert_eq!(
                token.configure_emission(a.eve, a.frank, 0),
                Err(PSP22Error::Unauthorized)
            );
            set_caller(a.alice);
            assert_eq!(
                token.configure_emission(a.eve, a.frank, PPM + 1),
                Err(PSP22Error::InvalidParameter)
            );
            let emission = token.emission();
            assert_eq!(
                (
                    emission.reward_pool(),
                    emission.dividend_pool(),
                    emission.reward_share_ppm()
                ),
                (a.charlie, a.django, 600_000)
            );
            assert_eq!(events().len(), before);
        }

        #[ink::test]
        fn set_admin_hands_over() {
            let a = accounts();
            let (mut token, before) = deploy();
            set_caller(a.bob);
            assert_eq!(token.set_admin(a.bob), Err(PSP22Error::Unauthorized));
            set_caller(a.alice);
            assert_eq!(token.set_admin(a.bob), Ok(()));
            assert_eq!(token.admin(), a.bob);
            assert_eq!(
                token.configure_emission(a.eve, a.frank, 0),
                Err(PSP22Error::Unauthorized)
            );
            assert_eq!(
                decode::<RoleChanged>(&events()[before]),
                RoleChanged {
                    role: Role::Admin,
                    account: Some(a.bob)
                }
            );
            assert_eq!(events().len(), before + 1);
        }

        #[ink::test]
        fn set_governance_by_admin_only() {
            let a = accounts();
            let (mut token, before) = deploy();
            assert_eq!(token.governance(), Some(a.frank));
            set_caller(a.frank);
            assert_eq!(token.set_governance(None), Err(PSP22Error::Unauthorized));
            set_caller(a.alice);
            assert_eq!(token.set_governance(None), Ok(()));
            assert_eq!(token.governance(), None);
            assert_eq!(
                decode::<RoleChanged>(&events()[before]),
                RoleChanged {
                    role: Role::Governance,
                    account: None
                }
            );
            // Vacant: nobody may burn.
            set_caller(a.frank);
            assert_eq!(token.burn_from(a.bob, 1), Err(PSP22Error::Unauthorized));
        }

        #[ink::test]
        fn transfer_moves_and_emits() {
            let a = accounts();
            let (mut token, before) = deploy();
            set_caller(a.bob);
            assert_eq!(token.transfer(a.charlie, 5 * UNIT, Vec::new()), Ok(()));
            assert_eq!(token.balance_of(a.charlie), 5 * UNIT);
            assert_eq!(token.balance_of(a.bob), GENESIS_SUPPLY - 5 * UNIT);
            assert_eq!(
                decode::<Transfer>(&events()[before]),
                Transfer {
                    from: Some(a.bob),
                    to: Some(a.charlie),
                    value: 5 * UNIT
                }
            );
            assert_eq!(token.transfer(a.charlie, 0, Vec::new()), Ok(()));
            assert_eq!(token.transfer(a.bob, 1, Vec::new()), Ok(()));
            assert_eq!(events().len(), before + 1);
        }

        #[ink::test]
        fn transfer_beyond_balance_fails() {
            let a = accounts();
            let (mut token, before) = deploy();
            set_caller(a.eve);
            assert_eq!(
                token.transfer(a.bob, 1, Vec::new()),
                Err(PSP22Error::InsufficientBalance)
            );
            set_caller(a.bob);
            assert_eq!(
                token.transfer(a.eve, GENESIS_SUPPLY + 1, Vec::new()),
                Err(PSP22Error::InsufficientBalance)
            );
            assert_eq!(token.balance_of(a.bob), GENESIS_SUPPLY);
            assert_eq!(events().len(), before);
        }

        #[ink::test]
        fn approve_and_transfer_from() {
            let a = accounts();
            let (mut token, before) = deploy();
            set_caller(a.bob);
            assert_eq!(token.approve(a.eve, 10), Ok(()));
            set_caller(a.eve);
            assert_eq!(token.transfer_from(a.bob, a.django, 10, Vec::new()), Ok(()));
            assert_eq!(token.allowance(a.bob, a.eve), 0);
            assert_eq!(token.balance_of(a.django), 10);
            let events = events();
            assert_eq!(events.len(), before + 3);
            assert_eq!(
                decode::<Approval>(&events[before + 1]),
                Approval {
                    owner: a.bob,
                    spender: a.eve,
                    amount: 0
                }
            );
        }

        #[ink::test]
        fn transfer_from_errors() {
            let a = accounts();
            let (mut token, before) = deploy();
            set_caller(a.eve);
            assert_eq!(
                token.transfer_from(a.bob, a.eve, 1, Vec::new()),
                Err(PSP22Error::InsufficientAllowance)
            );
            set_caller(a.django);
            token.approve(a.eve, 5).unwrap();
            set_caller(a.eve);
            assert_eq!(
                token.transfer_from(a.django, a.eve, 5, Vec::new()),
                Err(PSP22Error::InsufficientBalance)
            );
            assert_eq!(token.allowance(a.django, a.eve), 5);
            assert_eq!(events().len(), before + 1);
        }

        #[ink::test]
        fn increase_and_decrease_allowance() {
            let a = accounts();
            let (mut token, before) = deploy();
            set_caller(a.bob);
            assert_eq!(token.increase_allowance(a.eve, 9), Ok(()));
            assert_eq!(token.decrease_allowance(a.eve, 4), Ok(()));
            assert_eq!(
                token.decrease_allowance(a.eve, 6),
                Err(PSP22Error::InsufficientAllowance)
            );
            assert_eq!(token.allowance(a.bob, a.eve), 5);
            assert_eq!(events().len(), before + 2);
        }

        #[ink::test]
        fn burn_from_by_governance_only() {
            let a = accounts();
            let (mut token, before) = deploy();
            set_caller(a.alice);
            assert_eq!(token.burn_from(a.bob, 1), Err(PSP22Error::Unauthorized));
            set_caller(a.frank);
            assert_eq!(
                token.burn_from(a.bob, GENESIS_SUPPLY + 1),
                Err(PSP22Error::InsufficientBalance)
            );
            assert_eq!(events().len(), before);
            assert_eq!(token.burn_from(a.bob, 2 * UNIT), Ok(()));
            assert_eq!(token.total_supply(), GENESIS_SUPPLY - 2 * UNIT);
            assert_eq!(
                decode::<Transfer>(&events()[before]),
                Transfer {
                    from: Some(a.bob),
                    to: None,
                    value: 2 * UNIT
                }
            );
        }

        #[ink::test]
        fn clawback_by_governance_only() {
            let a = accounts();
            let (mut token, before) = deploy();
            set_caller(a.bob);
            assert_eq!(
                token.clawback(a.bob, a.charlie, 1),
                Err(PSP22Error::Unauthorized)
            );
            set_caller(a.frank);
            assert_eq!(
                token.clawback(a.bob, a.charlie, GENESIS_SUPPLY + 1),
                Err(PSP22Error::InsufficientBalance)
            );
            assert_eq!(events().len(), before);
            assert_eq!(token.clawback(a.bob, a.charlie, UNIT), Ok(()));
            assert_eq!(token.balance_of(a.charlie), UNIT);
            assert_eq!(token.total_supply(), GENESIS_SUPPLY);
            assert_eq!(
                decode::<Transfer>(&events()[before]),
                Transfer {
                    from: Some(a.bob),
                    to: Some(a.charlie),
                    value: UNIT
                }
            );
        }
    }
}

#[cfg(all(test, feature = "e2e-tests"))]
mod e2e_tests;
