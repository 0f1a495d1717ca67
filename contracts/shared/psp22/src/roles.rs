use crate::{Result, TokenEvent};
use bizkey_types::{
    psp22::PSP22Error,
    roles::{Role, RoleChanged},
    AccountId,
};
use ink::prelude::{vec, vec::Vec};

/// A token's two privileged accounts.
///
/// - `admin`: configures the token (and, for Time, the emission) and hands
///   roles over; in phase 军政 the foundation authority, later governance,
///   which takes the role itself (`set_admin` by governance).
/// - `governance`: the one account allowed to `burn_from` and `clawback`;
///   vacant until the admin names it.
#[derive(Debug, Clone, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(
    feature = "std",
    derive(scale_info::TypeInfo, ink::storage::traits::StorageLayout)
)]
pub struct TokenRoles {
    admin: AccountId,
    governance: Option<AccountId>,
}

impl TokenRoles {
    /// `admin` holds the admin role, governance is vacant. The event records
    /// the initial admin for the indexer.
    pub fn new(admin: AccountId) -> (Self, TokenEvent) {
        (
            Self {
                admin,
                governance: None,
            },
            role_changed(Role::Admin, Some(admin)),
        )
    }

    pub fn admin(&self) -> AccountId {
        self.admin
    }

    pub fn governance(&self) -> Option<AccountId> {
        self.governance
    }

    /// # Errors
    /// `Unauthorized` unless `caller` is the admin.
    pub fn ensure_admin(&self, caller: AccountId) -> Result<()> {
        if caller == self.admin {
            Ok(())
        } else {
            Err(PSP22Error::Unauthorized)
        }
    }

    /// # Errors
    /// `Unauthorized` unless `caller` is the governance account (always while
    /// the role is vacant).
    pub fn ensure_governance(&self, caller: AccountId) -> Result<()> {
        if self.governance == Some(caller) {
            Ok(())
        } else {
            Err(PSP22Error::Unauthorized)
        }
    }

    /// Hands the admin role to `new_admin`. Governance may too: it takes the
    /// role over from the authority when the community reaches 宪政.
    ///
    /// # Errors
    /// `Unauthorized` unless `caller` is the admin or governance.
    pub fn set_admin(
        &mut self,
        caller: AccountId,
        new_admin: AccountId,
    ) -> Result<Vec<TokenEvent>> {
        if self.governance != Some(caller) {
            self.ensure_admin(caller)?;
        }
        self.admin = new_admin;
        Ok(vec![role_changed(Role::Admin, Some(new_admin))])
    }

    /// Names the governance account (`None` leaves the role vacant).
    ///
    /// # Errors
    /// `Unauthorized` unless `caller` is the admin.
    pub fn set_governance(
        &mut self,
        caller: AccountId,
        governance: Option<AccountId>,
    ) -> Result<Vec<TokenEvent>> {
        self.ensure_admin(caller)?;
        self.governance = governance;
        Ok(vec![role_changed(Role::Governance, governance)])
    }
}

fn role_changed(role: Role, account: Option<AccountId>) -> TokenEvent {
    TokenEvent::RoleChanged(RoleChanged { role, account })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADMIN: AccountId = AccountId([1; 32]);
    const OTHER: AccountId = AccountId([2; 32]);

    #[test]
    fn admin_hands_over_and_loses_the_role() {
        let (mut roles, event) = TokenRoles::new(ADMIN);
        assert_eq!(event, role_changed(Role::Admin, Some(ADMIN)));
        assert_eq!(roles.set_admin(OTHER, OTHER), Err(PSP22Error::Unauthorized));
        assert_eq!(
            roles.set_admin(ADMIN, OTHER),
            Ok(vec![role_changed(Role::Admin, Some(OTHER))])
        );
        assert_eq!(roles.admin(), OTHER);
        assert_eq!(roles.ensure_admin(ADMIN), Err(PSP22Error::Unauthorized));
        assert_eq!(roles.ensure_admin(OTHER), Ok(()));
    }

    #[test]
    fn governance_takes_the_admin_role() {
        let (mut roles, _) = TokenRoles::new(ADMIN);
        const GOV: AccountId = AccountId([3; 32]);
        // Not before it is named.
        assert_eq!(roles.set_admin(GOV, GOV), Err(PSP22Error::Unauthorized));
        roles.set_governance(ADMIN, Some(GOV)).unwrap();
        assert_eq!(
            roles.set_admin(GOV, GOV),
            Ok(vec![role_changed(Role::Admin, Some(GOV))])
        );
        assert_eq!(roles.admin(), GOV);
        // The former admin has no say any more.
        assert_eq!(roles.set_admin(ADMIN, ADMIN), Err(PSP22Error::Unauthorized));
        assert_eq!(
            roles.set_governance(ADMIN, Some(ADMIN)),
            Err(PSP22Error::Unauthorized)
        );
        // A stranger never.
        assert_eq!(roles.set_admin(OTHER, OTHER), Err(PSP22Error::Unauthorized));
    }

    #[test]
    fn governance_is_vacant_until_named() {
        let (mut roles, _) = TokenRoles::new(ADMIN);
        assert_eq!(
            roles.ensure_governance(ADMIN),
            Err(PSP22Error::Unauthorized)
        );
        assert_eq!(
            roles.set_governance(OTHER, Some(OTHER)),
            Err(PSP22Error::Unauthorized)
        );
        assert_eq!(roles.governance(), None);
        assert_eq!(
            roles.set_governance(ADMIN, Some(OTHER)),
            Ok(vec![role_changed(Role::Governance, Some(OTHER))])
        );
        assert_eq!(roles.ensure_governance(OTHER), Ok(()));
        assert_eq!(
            roles.ensure_governance(ADMIN),
            Err(PSP22Error::Unauthorized)
        );
        assert_eq!(
            roles.set_governance(ADMIN, None),
            Ok(vec![role_changed(Role::Governance, None)])
        );
        assert_eq!(
            roles.ensure_governance(OTHER),
            Err(PSP22Error::Unauthorized)
        );
    }
}
