//! Biz (BT): the merchants' token (DESIGN §3.1, whitepaper ch. 7.1.1).
//!
//! A PSP22 token with a fixed supply of 10,000,000,000 BT (12 decimals),
//! all minted at instantiation: early supporters 20 %, ecosystem 50 %, team
//! 15 %, foundation 15 %. Nothing is minted afterwards; the governance
//! account may burn (`burn_from`) or claw back (`clawback`).
#![cfg_attr(not(feature = "std"), no_std, no_main)]

#[ink::contract]
pub mod biz_token {
    use bizkey_psp22::{PSP22Data, TokenEvent, TokenRoles};
    use bizkey_types::psp22::{BizkeyToken, PSP22Error, PSP22Metadata, PSP22};
    use ink::prelude::{string::String, vec::Vec};

    /// Decimal places of one BT.
    pub const DECIMALS: u8 = 12;
    /// One BT in the smallest unit.
    pub const UNIT: Balance = 1_000_000_000_000;
    /// The whole, fixed supply.
    pub const TOTAL_SUPPLY: Balance = 10_000_000_000 * UNIT;
    /// Early supporters' allocation (20 %, vested).
    pub const EARLY_SUPPORTERS_SHARE: Balance = TOTAL_SUPPLY / 100 * 20;
    /// Ecosystem allocation (50 %: ledger reward pool and governance treasury).
    pub const ECOSYSTEM_SHARE: Balance = TOTAL_SUPPLY / 100 * 50;
    /// Team allocation (15 %, vested).
    pub const TEAM_SHARE: Balance = TOTAL_SUPPLY / 100 * 15;
    /// Foundation allocation (15 %, vested).
    pub const FOUNDATION_SHARE: Balance = TOTAL_SUPPLY / 100 * 15;

    // The four shares are the whole supply, exactly.
    const _: () = assert!(
        EARLY_SUPPORTERS_SHARE + ECOSYSTEM_SHARE + TEAM_SHARE + FOUNDATION_SHARE == TOTAL_SUPPLY
    );

    #[ink(storage)]
    pub struct BizToken {
        data: PSP22Data,
        roles: TokenRoles,
    }

    pub type Result<T> = core::result::Result<T, PSP22Error>;

    impl BizToken {
        /// Mints the whole supply to the four allocation accounts; the caller
        /// becomes `admin`, `governance` stays vacant.
        ///
        /// # Events
        /// `RoleChanged { role: Admin }`, then one `Transfer` mint per
        /// allocation in the order of the arguments.
        #[ink(constructor)]
        pub fn new(
            early_supporters: AccountId,
            ecosystem: AccountId,
            team: AccountId,
            foundation: AccountId,
        ) -> Self {
            let (roles, role_event) = TokenRoles::new(Self::env().caller());
            let mut data = PSP22Data::default();
            let mut events = Vec::from([role_event]);
            for (to, value) in [
                (early_supporters, EARLY_SUPPORTERS_SHARE),
                (ecosystem, ECOSYSTEM_SHARE),
                (team, TEAM_SHARE),
                (foundation, FOUNDATION_SHARE),
            ] {
                // Cannot fail: the shares sum to the cap (asserted at compile
                // time) and no argument changes an amount.
                events.extend(data.mint(to, value, TOTAL_SUPPLY).unwrap_or_default());
            }
            TokenEvent::emit_all::<Environment>(events);
            Self { data, roles }
        }

        /// The account that configures the token and hands roles over.
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

        fn emit(&self, events: Vec<TokenEvent>) -> Result<()> {
            TokenEvent::emit_all::<Environment>(events);
            Ok(())
        }
    }

    // The same shells as in `time_token`: ink! 5 reads a contract's messages
    // before macros expand, so no shared macro can write them. The logic
    // they call is shared (`bizkey_psp22::PSP22Data`).
    impl PSP22 for BizToken {
        /// The total supply (10B BT less what governance burned).
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

    impl PSP22Metadata for BizToken {
        /// "Bizkey".
        #[ink(message)]
        fn token_name(&self) -> Option<String> {
            Some(String::from("Bizkey"))
        }

        /// "BT".
        #[ink(message)]
        fn token_symbol(&self) -> Option<String> {
            Some(String::from("BT"))
        }

        /// 12.
        #[ink(message)]
        fn token_decimals(&self) -> u8 {
            DECIMALS
        }
    }

    impl BizkeyToken for BizToken {
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
        use bizkey_types::{
            psp22::{Approval, Transfer},
            roles::{Role, RoleChanged},
        };
        use ink::env::{
            test::{self, DefaultAccounts},
            DefaultEnvironment,
        };
        use scale::Decode;

        fn accounts() -> DefaultAccounts<DefaultEnvironment> {
            test::default_accounts::<DefaultEnvironment>()
        }

        fn set_caller(caller: AccountId) {
            test::set_caller::<DefaultEnvironment>(caller);
        }

        fn events() -> Vec<Vec<u8>> {
            test::recorded_events().map(|e| e.data).collect()
        }

        /// alice (admin) deploys; bob = early supporters, charlie =
        /// ecosystem, django = team, eve = foundation.
        fn deploy() -> BizToken {
            let a = accounts();
            set_caller(a.alice);
            BizToken::new(a.bob, a.charlie, a.django, a.eve)
        }

        /// `deploy()` with `frank` as governance and the deploy events
        /// cleared from the count by returning how many there were.
        fn deploy_with_governance() -> (BizToken, usize) {
            let a = accounts();
            let mut token = deploy();
            token.set_governance(Some(a.frank)).unwrap();
            (token, events().len())
        }

        fn decode_transfer(raw: &[u8]) -> Transfer {
            Transfer::decode(&mut &raw[..]).unwrap()
        }

        #[ink::test]
        fn new_allocates_the_fixed_supply() {
            let a = accounts();
            let token = deploy();
            assert_eq!(token.total_supply(), 10_000_000_000 * UNIT);
            assert_eq!(token.balance_of(a.bob), 2_000_000_000 * UNIT);
            assert_eq!(token.balance_of(a.charlie), 5_000_000_000 * UNIT);
            assert_eq!(token.balance_of(a.django), 1_500_000_000 * UNIT);
            assert_eq!(token.balance_of(a.eve), 1_500_000_000 * UNIT);
            assert_eq!(token.balance_of(a.alice), 0);
            assert_eq!(token.admin(), a.alice);
            assert_eq!(token.governance(), None);

            let events = events();
            assert_eq!(events.len(), 5);
            assert_eq!(
                RoleChanged::decode(&mut &events[0][..]).unwrap(),
                RoleChanged {
                    role: Role::Admin,
                    account: Some(a.alice)
                }
            );
            assert_eq!(
                decode_transfer(&events[2]),
                Transfer {
                    from: None,
                    to: Some(a.charlie),
                    value: ECOSYSTEM_SHARE
                }
            );
        }

        #[ink::test]
        fn new_with_one_account_gives_it_everything() {
            let a = accounts();
            set_caller(a.alice);
            let token = BizToken::new(a.alice, a.alice, a.alice, a.alice);
            assert_eq!(token.balance_of(a.alice), TOTAL_SUPPLY);
            assert_eq!(token.total_supply(), TOTAL_SUPPLY);
        }

        #[ink::test]
        fn metadata() {
            let token = deploy();
            assert_eq!(token.token_name().as_deref(), Some("Bizkey"));
            assert_eq!(token.token_symbol().as_deref(), Some("BT"));
            assert_eq!(token.token_decimals(), 12);
        }

        #[ink::test]
        fn transfer_moves_and_emits() {
            let a = accounts();
            let mut token = deploy();
            set_caller(a.bob);
            assert_eq!(token.transfer(a.alice, 7 * UNIT, Vec::new()), Ok(()));
            assert_eq!(token.balance_of(a.alice), 7 * UNIT);
            assert_eq!(token.balance_of(a.bob), EARLY_SUPPORTERS_SHARE - 7 * UNIT);
            let events = events();
            assert_eq!(events.len(), 6);
            assert_eq!(
                decode_transfer(&events[5]),
                Transfer {
                    from: Some(a.bob),
                    to: Some(a.alice),
                    value: 7 * UNIT
                }
            );
        }

        #[ink::test]
        fn transfer_zero_or_to_self_emits_nothing() {
            let a = accounts();
            let mut token = deploy();
            set_caller(a.bob);
            assert_eq!(token.transfer(a.alice, 0, Vec::new()), Ok(()));
            assert_eq!(token.transfer(a.bob, 5, Vec::new()), Ok(()));
            assert_eq!(events().len(), 5);
            assert_eq!(token.balance_of(a.bob), EARLY_SUPPORTERS_SHARE);
        }

        #[ink::test]
        fn transfer_beyond_balance_fails() {
            let a = accounts();
            let mut token = deploy();
            set_caller(a.alice);
            assert_eq!(
                token.transfer(a.bob, 1, Vec::new()),
                Err(PSP22Error::InsufficientBalance)
            );
            set_caller(a.bob);
            assert_eq!(
                token.transfer(a.alice, EARLY_SUPPORTERS_SHARE + 1, Vec::new()),
                Err(PSP22Error::InsufficientBalance)
            );
            assert_eq!(token.balance_of(a.bob), EARLY_SUPPORTERS_SHARE);
            assert_eq!(events().len(), 5);
        }

        #[ink::test]
        fn approve_and_transfer_from() {
            let a = accounts();
            let mut token = deploy();
            set_caller(a.bob);
            assert_eq!(token.approve(a.alice, 10), Ok(()));
            assert_eq!(token.allowance(a.bob, a.alice), 10);
            set_caller(a.alice);
            assert_eq!(token.transfer_from(a.bob, a.frank, 4, Vec::new()), Ok(()));
            assert_eq!(token.allowance(a.bob, a.alice), 6);
            assert_eq!(token.balance_of(a.frank), 4);
            let events = events();
            // approve, then transfer_from's Approval and Transfer.
            assert_eq!(events.len(), 8);
            assert_eq!(
                Approval::decode(&mut &events[6][..]).unwrap(),
                Approval {
                    owner: a.bob,
                    spender: a.alice,
                    amount: 6
                }
            );
            assert_eq!(
                decode_transfer(&events[7]),
                Transfer {
                    from: Some(a.bob),
                    to: Some(a.frank),
                    value: 4
                }
            );
        }

        #[ink::test]
        fn transfer_from_errors() {
            let a = accounts();
            let mut token = deploy();
            set_caller(a.alice);
            assert_eq!(
                token.transfer_from(a.bob, a.frank, 1, Vec::new()),
                Err(PSP22Error::InsufficientAllowance)
            );
            // alice may spend more than frank owns.
            set_caller(a.frank);
            token.approve(a.alice, 100).unwrap();
            set_caller(a.alice);
            assert_eq!(
                token.transfer_from(a.frank, a.bob, 1, Vec::new()),
                Err(PSP22Error::InsufficientBalance)
            );
            assert_eq!(token.allowance(a.frank, a.alice), 100);
            assert_eq!(events().len(), 6);
        }

        #[ink::test]
        fn increase_and_decrease_allowance() {
            let a = accounts();
            let mut token = deploy();
            set_caller(a.bob);
            assert_eq!(token.increase_allowance(a.alice, 10), Ok(()));
            assert_eq!(token.decrease_allowance(a.alice, 3), Ok(()));
            assert_eq!(token.allowance(a.bob, a.alice), 7);
            assert_eq!(
                token.decrease_allowance(a.alice, 8),
                Err(PSP22Error::InsufficientAllowance)
            );
            assert_eq!(token.allowance(a.bob, a.alice), 7);
            let events = events();
            assert_eq!(events.len(), 7);
            assert_eq!(
                Approval::decode(&mut &events[6][..]).unwrap(),
                Approval {
                    owner: a.bob,
                    spender: a.alice,
                    amount: 7
                }
            );
        }

        #[ink::test]
        fn set_admin_hands_over() {
            let a = accounts();
            let mut token = deploy();
            set_caller(a.bob);
            assert_eq!(token.set_admin(a.bob), Err(PSP22Error::Unauthorized));
            set_caller(a.alice);
            assert_eq!(token.set_admin(a.bob), Ok(()));
            assert_eq!(token.admin(), a.bob);
            assert_eq!(token.set_admin(a.alice), Err(PSP22Error::Unauthorized));
            assert_eq!(
                token.set_governance(Some(a.alice)),
                Err(PSP22Error::Unauthorized)
            );
            let events = events();
            assert_eq!(events.len(), 6);
            assert_eq!(
                RoleChanged::decode(&mut &events[5][..]).unwrap(),
                RoleChanged {
                    role: Role::Admin,
                    account: Some(a.bob)
                }
            );
        }

        #[ink::test]
        fn set_governance_by_admin_only() {
            let a = accounts();
            let mut token = deploy();
            set_caller(a.frank);
            assert_eq!(
                token.set_governance(Some(a.frank)),
                Err(PSP22Error::Unauthorized)
            );
            set_caller(a.alice);
            assert_eq!(token.set_governance(Some(a.frank)), Ok(()));
            assert_eq!(token.governance(), Some(a.frank));
            assert_eq!(token.set_governance(None), Ok(()));
            assert_eq!(token.governance(), None);
            let events = events();
            assert_eq!(events.len(), 7);
            assert_eq!(
                RoleChanged::decode(&mut &events[5][..]).unwrap(),
                RoleChanged {
                    role: Role::Governance,
                    account: Some(a.frank)
                }
            );
        }

        #[ink::test]
        fn burn_from_by_governance() {
            let a = accounts();
            let (mut token, before) = deploy_with_governance();
            set_caller(a.frank);
            assert_eq!(token.burn_from(a.bob, 5 * UNIT), Ok(()));
            assert_eq!(token.balance_of(a.bob), EARLY_SUPPORTERS_SHARE - 5 * UNIT);
            assert_eq!(token.total_supply(), TOTAL_SUPPLY - 5 * UNIT);
            let events = events();
            assert_eq!(events.len(), before + 1);
            assert_eq!(
                decode_transfer(&events[before]),
                Transfer {
                    from: Some(a.bob),
                    to: None,
                    value: 5 * UNIT
                }
            );
        }

        #[ink::test]
        fn burn_from_errors() {
            let a = accounts();
            let (mut token, before) = deploy_with_governance();
            // The admin is not governance; nor is anyone while it is vacant.
            set_caller(a.alice);
            assert_eq!(token.burn_from(a.bob, 1), Err(PSP22Error::Unauthorized));
            set_caller(a.frank);
            assert_eq!(
                token.burn_from(a.bob, EARLY_SUPPORTERS_SHARE + 1),
                Err(PSP22Error::InsufficientBalance)
            );
            assert_eq!(token.total_supply(), TOTAL_SUPPLY);
            assert_eq!(events().len(), before);

            let mut vacant = deploy();
            set_caller(a.frank);
            assert_eq!(vacant.burn_from(a.bob, 1), Err(PSP22Error::Unauthorized));
        }

        #[ink::test]
        fn clawback_by_governance() {
            let a = accounts();
            let (mut token, before) = deploy_with_governance();
            set_caller(a.frank);
            assert_eq!(token.clawback(a.bob, a.charlie, 3 * UNIT), Ok(()));
            assert_eq!(token.balance_of(a.bob), EARLY_SUPPORTERS_SHARE - 3 * UNIT);
            assert_eq!(token.balance_of(a.charlie), ECOSYSTEM_SHARE + 3 * UNIT);
            assert_eq!(token.total_supply(), TOTAL_SUPPLY);
            let events = events();
            assert_eq!(events.len(), before + 1);
            assert_eq!(
                decode_transfer(&events[before]),
                Transfer {
                    from: Some(a.bob),
                    to: Some(a.charlie),
                    value: 3 * UNIT
                }
            );
        }

        #[ink::test]
        fn clawback_errors() {
            let a = accounts();
            let (mut token, before) = deploy_with_governance();
            set_caller(a.alice);
            assert_eq!(
                token.clawback(a.bob, a.charlie, 1),
                Err(PSP22Error::Unauthorized)
            );
            set_caller(a.frank);
            assert_eq!(
                token.clawback(a.bob, a.charlie, EARLY_SUPPORTERS_SHARE + 1),
                Err(PSP22Error::InsufficientBalance)
            );
            assert_eq!(token.balance_of(a.bob), EARLY_SUPPORTERS_SHARE);
            assert_eq!(token.balance_of(a.charlie), ECOSYSTEM_SHARE);
            assert_eq!(events().len(), before);
        }
    }
}

#[cfg(all(test, feature = "e2e-tests"))]
mod e2e_tests;
