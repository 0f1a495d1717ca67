use crate::{Result, TokenEvent};
use bizkey_types::{
    psp22::{Approval, PSP22Error, Transfer},
    AccountId, Balance,
};
use ink::{
    prelude::{vec, vec::Vec},
    storage::Mapping,
};

/// Balances, allowances and total supply of a PSP22 token.
///
/// Semantics of the psp22 2.0 reference: a zero-value transfer, a transfer
/// to oneself and an approval of oneself succeed and change nothing (no
/// event); `transfer_from` emits the spender's new allowance before the
/// `Transfer`; allowance changes emit `Approval`. Zero balances and
/// allowances are removed from storage rather than stored.
///
/// Invariant: the sum of all balances equals `total_supply`.
#[ink::storage_item]
#[derive(Debug, Default)]
pub struct PSP22Data {
    total_supply: Balance,
    balances: Mapping<AccountId, Balance>,
    allowances: Mapping<(AccountId, AccountId), Balance>,
}

impl PSP22Data {
    /// The total supply.
    pub fn total_supply(&self) -> Balance {
        self.total_supply
    }

    /// `owner`'s balance (0 for unknown accounts).
    pub fn balance_of(&self, owner: AccountId) -> Balance {
        self.balances.get(owner).unwrap_or_default()
    }

    /// What `spender` may still transfer from `owner`.
    pub fn allowance(&self, owner: AccountId, spender: AccountId) -> Balance {
        self.allowances.get((owner, spender)).unwrap_or_default()
    }

    /// Moves `value` from `caller` to `to`. Also the unconditional move that
    /// `clawback` uses (the contract checks the role first).
    ///
    /// # Errors
    /// `InsufficientBalance` if `caller` holds less than `value`.
    pub fn transfer(
        &mut self,
        caller: AccountId,
        to: AccountId,
        value: Balance,
    ) -> Result<Vec<TokenEvent>> {
        if caller == to || value == 0 {
            return Ok(Vec::new());
        }
        let from_balance = self.balance_of(caller);
        let from_after = from_balance
            .checked_sub(value)
            .ok_or(PSP22Error::InsufficientBalance)?;
        let to_after = self
            .balance_of(to)
            .checked_add(value)
            .ok_or(PSP22Error::CapExceeded)?;
        self.set_balance(caller, from_after);
        self.set_balance(to, to_after);
        Ok(vec![TokenEvent::Transfer(Transfer {
            from: Some(caller),
            to: Some(to),
            value,
        })])
    }

    /// Moves `value` from `from` to `to` on `caller`'s allowance, which drops
    /// by `value`. If `caller == from` this is a plain `transfer` (no
    /// allowance needed or used).
    ///
    /// # Errors
    /// `InsufficientAllowance` if `caller`'s allowance is below `value`,
    /// then `InsufficientBalance` if `from` holds less than `value`.
    pub fn transfer_from(
        &mut self,
        caller: AccountId,
        from: AccountId,
        to: AccountId,
        value: Balance,
    ) -> Result<Vec<TokenEvent>> {
        if from == to || value == 0 {
            return Ok(Vec::new());
        }
        if caller == from {
            return self.transfer(caller, to, value);
        }
        let allowance_after = self
            .allowance(from, caller)
            .checked_sub(value)
            .ok_or(PSP22Error::InsufficientAllowance)?;
        if self.balance_of(from) < value {
            return Err(PSP22Error::InsufficientBalance);
        }
        let mut events = self.transfer(from, to, value)?;
        self.set_allowance(from, caller, allowance_after);
        events.insert(
            0,
            TokenEvent::Approval(Approval {
                owner: from,
                spender: caller,
                amount: allowance_after,
            }),
        );
        Ok(events)
    }

    /// Sets `owner`'s allowance for `spender` to `value`.
    ///
    /// # Errors
    /// None; the `Result` keeps the signature uniform.
    pub fn approve(
        &mut self,
        owner: AccountId,
        spender: AccountId,
        value: Balance,
    ) -> Result<Vec<TokenEvent>> {
        if owner == spender {
            return Ok(Vec::new());
        }
        self.set_allowance(owner, spender, value);
        Ok(vec![approval(owner, spender, value)])
    }

    /// Raises `owner`'s allowance for `spender` by `delta_value`, saturating
    /// at `u128::MAX` (an allowance that large is already unlimited).
    ///
    /// # Errors
    /// None; the `Result` keeps the signature uniform.
    pub fn increase_allowance(
        &mut self,
        owner: AccountId,
        spender: AccountId,
        delta_value: Balance,
    ) -> Result<Vec<TokenEvent>> {
        if owner == spender || delta_value == 0 {
            return Ok(Vec::new());
        }
        let amount = self.allowance(owner, spender).saturating_add(delta_value);
        self.set_allowance(owner, spender, amount);
        Ok(vec![approval(owner, spender, amount)])
    }

    /// Lowers `owner`'s allowance for `spender` by `delta_value`.
    ///
    /// # Errors
    /// `InsufficientAllowance` if the allowance is below `delta_value`.
    pub fn decrease_allowance(
        &mut self,
        owner: AccountId,
        spender: AccountId,
        delta_value: Balance,
    ) -> Result<Vec<TokenEvent>> {
        if owner == spender || delta_value == 0 {
            return Ok(Vec::new());
        }
        let amount = self
            .allowance(owner, spender)
            .checked_sub(delta_value)
            .ok_or(PSP22Error::InsufficientAllowance)?;
        self.set_allowance(owner, spender, amount);
        Ok(vec![approval(owner, spender, amount)])
    }

    /// Creates `value` new tokens for `to`; the supply may not exceed `cap`.
    ///
    /// # Errors
    /// `CapExceeded` if the new supply would exceed `cap` (or `u128`).
    pub fn mint(&mut self, to: AccountId, value: Balance, cap: Balance) -> Result<Vec<TokenEvent>> {
        if value == 0 {
            return Ok(Vec::new());
        }
        let supply_after = self
            .total_supply
            .checked_add(value)
            .filter(|supply| *supply <= cap)
            .ok_or(PSP22Error::CapExceeded)?;
        // Cannot overflow: the balance is part of the supply, which fits.
        let to_after = self.balance_of(to).saturating_add(value);
        self.total_supply = supply_after;
        self.set_balance(to, to_after);
        Ok(vec![TokenEvent::Transfer(Transfer {
            from: None,
            to: Some(to),
            value,
        })])
    }

    /// Destroys `value` of `from`'s tokens (the contract checks the role).
    ///
    /// # Errors
    /// `InsufficientBalance` if `from` holds less than `value`.
    pub fn burn(&mut self, from: AccountId, value: Balance) -> Result<Vec<TokenEvent>> {
        if value == 0 {
            return Ok(Vec::new());
        }
        let from_after = self
            .balance_of(from)
            .checked_sub(value)
            .ok_or(PSP22Error::InsufficientBalance)?;
        // Cannot underflow: `from`'s balance (>= value) is part of the supply.
        let supply_after = self.total_supply.saturating_sub(value);
        self.total_supply = supply_after;
        self.set_balance(from, from_after);
        Ok(vec![TokenEvent::Transfer(Transfer {
            from: Some(from),
            to: None,
            value,
        })])
    }

    fn set_balance(&mut self, owner: AccountId, value: Balance) {
        if value == 0 {
            self.balances.remove(owner);
        } else {
            self.balances.insert(owner, &value);
        }
    }

    fn set_allowance(&mut self, owner: AccountId, spender: AccountId, value: Balance) {
        if value == 0 {
            self.allowances.remove((owner, spender));
        } else {
            self.allowances.insert((owner, spender), &value);
        }
    }
}

fn approval(owner: AccountId, spender: AccountId, amount: Balance) -> TokenEvent {
    TokenEvent::Approval(Approval {
        owner,
        spender,
        amount,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acc(n: u8) -> AccountId {
        AccountId::from([n; 32])
    }

    fn transfer_event(from: Option<u8>, to: Option<u8>, value: Balance) -> TokenEvent {
        TokenEvent::Transfer(Transfer {
            from: from.map(acc),
            to: to.map(acc),
            value,
        })
    }

    fn funded(amount: Balance) -> PSP22Data {
        let mut data = PSP22Data::default();
        data.mint(acc(1), amount, Balance::MAX).unwrap();
        data
    }

    #[ink::test]
    fn transfer_moves_and_emits() {
        let mut data = funded(100);
        assert_eq!(
            data.transfer(acc(1), acc(2), 30),
            Ok(vec![transfer_event(Some(1), Some(2), 30)])
        );
        assert_eq!((data.balance_of(acc(1)), data.balance_of(acc(2))), (70, 30));
        // The whole balance: the sender's entry is removed, not left at 0.
        data.transfer(acc(1), acc(2), 70).unwrap();
        assert_eq!((data.balance_of(acc(1)), data.balance_of(acc(2))), (0, 100));
        assert!(!data.balances.contains(acc(1)));
        assert_eq!(data.total_supply(), 100);
    }

    #[ink::test]
    fn zero_and_self_transfers_are_silent_noops() {
        let mut data = funded(100);
        assert_eq!(data.transfer(acc(1), acc(2), 0), Ok(vec![]));
        assert_eq!(data.transfer(acc(1), acc(1), 50), Ok(vec![]));
        // Even beyond the balance: nothing moves, so nothing can fail.
        assert_eq!(data.transfer(acc(1), acc(1), 500), Ok(vec![]));
        assert_eq!(data.balance_of(acc(1)), 100);
    }

    #[ink::test]
    fn transfer_beyond_balance_fails_unchanged() {
        let mut data = funded(100);
        assert_eq!(
            data.transfer(acc(1), acc(2), 101),
            Err(PSP22Error::InsufficientBalance)
        );
        assert_eq!(
            data.transfer(acc(3), acc(2), 1),
            Err(PSP22Error::InsufficientBalance)
        );
        assert_eq!((data.balance_of(acc(1)), data.balance_of(acc(2))), (100, 0));
    }

    #[ink::test]
    fn approve_sets_removes_and_ignores_self() {
        let mut data = funded(100);
        assert_eq!(
            data.approve(acc(1), acc(2), 40),
            Ok(vec![approval(acc(1), acc(2), 40)])
        );
        assert_eq!(data.allowance(acc(1), acc(2)), 40);
        assert_eq!(
            data.approve(acc(1), acc(2), 10),
            Ok(vec![approval(acc(1), acc(2), 10)])
        );
        assert_eq!(data.allowance(acc(1), acc(2)), 10);
        assert_eq!(
            data.approve(acc(1), acc(2), 0),
            Ok(vec![approval(acc(1), acc(2), 0)])
        );
        assert!(!data.allowances.contains((acc(1), acc(2))));
        assert_eq!(data.approve(acc(1), acc(1), 5), Ok(vec![]));
        assert_eq!(data.allowance(acc(1), acc(1)), 0);
    }

    #[ink::test]
    fn transfer_from_spends_allowance_and_emits_approval_first() {
        let mut data = funded(100);
        data.approve(acc(1), acc(2), 50).unwrap();
        assert_eq!(
            data.transfer_from(acc(2), acc(1), acc(3), 20),
            Ok(vec![
                approval(acc(1), acc(2), 30),
                transfer_event(Some(1), Some(3), 20)
            ])
        );
        assert_eq!(data.allowance(acc(1), acc(2)), 30);
        assert_eq!((data.balance_of(acc(1)), data.balance_of(acc(3))), (80, 20));
        data.transfer_from(acc(2), acc(1), acc(3), 30).unwrap();
        assert!(!data.allowances.contains((acc(1), acc(2))));
    }

    #[ink::test]
    fn transfer_from_errors_leave_state_unchanged() {
        let mut data = funded(100);
        data.approve(acc(1), acc(2), 50).unwrap();
        assert_eq!(
            data.transfer_from(acc(2), acc(1), acc(3), 51),
            Err(PSP22Error::InsufficientAllowance)
        );
        data.approve(acc(1), acc(2), 500).unwrap();
        assert_eq!(
            data.transfer_from(acc(2), acc(1), acc(3), 101),
            Err(PSP22Error::InsufficientBalance)
        );
        assert_eq!(data.allowance(acc(1), acc(2)), 500);
        assert_eq!((data.balance_of(acc(1)), data.balance_of(acc(3))), (100, 0));
    }

    #[ink::test]
    fn transfer_from_by_owner_needs_no_allowance() {
        let mut data = funded(100);
        assert_eq!(
            data.transfer_from(acc(1), acc(1), acc(3), 10),
            Ok(vec![transfer_event(Some(1), Some(3), 10)])
        );
        assert_eq!(data.transfer_from(acc(2), acc(1), acc(1), 10), Ok(vec![]));
        assert_eq!(data.transfer_from(acc(2), acc(1), acc(3), 0), Ok(vec![]));
        assert_eq!(data.balance_of(acc(3)), 10);
    }

    #[ink::test]
    fn increase_and_decrease_allowance() {
        let mut data = funded(100);
        assert_eq!(
            data.increase_allowance(acc(1), acc(2), 10),
            Ok(vec![approval(acc(1), acc(2), 10)])
        );
        assert_eq!(
            data.increase_allowance(acc(1), acc(2), Balance::MAX),
            Ok(vec![approval(acc(1), acc(2), Balance::MAX)])
        );
        assert_eq!(
            data.decrease_allowance(acc(1), acc(2), Balance::MAX - 4),
            Ok(vec![approval(acc(1), acc(2), 4)])
        );
        assert_eq!(
            data.decrease_allowance(acc(1), acc(2), 5),
            Err(PSP22Error::InsufficientAllowance)
        );
        assert_eq!(data.allowance(acc(1), acc(2)), 4);
        assert_eq!(
            data.decrease_allowance(acc(1), acc(2), 4),
            Ok(vec![approval(acc(1), acc(2), 0)])
        );
        assert_eq!(data.increase_allowance(acc(1), acc(2), 0), Ok(vec![]));
        assert_eq!(data.decrease_allowance(acc(1), acc(2), 0), Ok(vec![]));
        assert_eq!(data.increase_allowance(acc(1), acc(1), 3), Ok(vec![]));
        assert_eq!(data.decrease_allowance(acc(1), acc(1), 3), Ok(vec![]));
    }

    #[ink::test]
    fn mint_respects_the_cap() {
        let mut data = PSP22Data::default();
        assert_eq!(
            data.mint(acc(1), 60, 100),
            Ok(vec![transfer_event(None, Some(1), 60)])
        );
        assert_eq!(data.mint(acc(2), 41, 100), Err(PSP22Error::CapExceeded));
        assert_eq!(
            data.mint(acc(2), 40, 100),
            Ok(vec![transfer_event(None, Some(2), 40)])
        );
        assert_eq!(data.mint(acc(2), 0, 100), Ok(vec![]));
        assert_eq!(
            data.mint(acc(2), 1, Balance::MAX),
            Ok(vec![transfer_event(None, Some(2), 1)])
        );
        assert_eq!(
            data.mint(acc(2), Balance::MAX, Balance::MAX),
            Err(PSP22Error::CapExceeded)
        );
        assert_eq!(data.total_supply(), 101);
    }

    #[ink::test]
    fn burn_destroys_supply() {
        let mut data = funded(100);
        assert_eq!(
            data.burn(acc(1), 30),
            Ok(vec![transfer_event(Some(1), None, 30)])
        );
        assert_eq!(data.burn(acc(1), 71), Err(PSP22Error::InsufficientBalance));
        assert_eq!(data.burn(acc(1), 0), Ok(vec![]));
        assert_eq!((data.balance_of(acc(1)), data.total_supply()), (70, 70));
    }
}
