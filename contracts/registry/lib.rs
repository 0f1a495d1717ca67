//! # Registry
//!
//! Who is who in Bizkey (DESIGN §3.2): merchants with their profile (the cost
//! inputs of BizPower), referrer and verification status, and customers with
//! their referrer (顾客父 ID).
//!
//! Roles are accounts that can be handed over (`set_role`, `RoleChanged`):
//! - `Admin`: the foundation authority of phase 军政; verifies, suspends and
//!   removes merchants and customers; sets roles.
//! - `Governance`: the governance contract; the same powers, so it can take
//!   over from the authority (which then renounces by setting `Admin` to
//!   `None`).
//! - `Ledger`: the ledger contract. The registry pushes every change of a
//!   merchant or a customer to it (`registry_changed`), so a sale needs no
//!   registry call. Name it before registering anyone (merchants can be
//!   re-sent with `sync_merchant`). Customers who never register exist at
//!   the ledger only, from their first confirmed purchase on: the registry
//!   asks the ledger about them (a referrer, a status change).
//!
//! The logic lives in [`RegistryData`], whose methods take the caller and the
//! time explicitly and return the events to emit; the messages are thin
//! shells around it.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use bizkey_types::registry::*;
use bizkey_types::{
    roles::{Role, RoleChanged},
    AccountId, Timestamp,
};
use ink::{prelude::vec::Vec, storage::Mapping};

pub use bizkey_types::registry::RegistryEvent;

/// Result of the registry's logic.
pub type Result<T> = core::result::Result<T, RegistryError>;

/// The registry's state and rules, independent of the contract shell.
#[ink::storage_item]
#[derive(Debug)]
pub struct RegistryData {
    merchants: Mapping<AccountId, Merchant>,
    customers: Mapping<AccountId, Customer>,
    admin: Option<AccountId>,
    governance: Option<AccountId>,
    ledger: Option<AccountId>,
}

fn valid_profile(profile: &MerchantProfile) -> Result<()> {
    if profile.name.is_empty() || profile.name.len() > MAX_NAME_LEN {
        return Err(RegistryError::InvalidName);
    }
    let location = profile.location.as_bytes();
    if location.is_empty()
        || location.len() > MAX_LOCATION_LEN
        || !location
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
    {
        return Err(RegistryError::InvalidLocation);
    }
    if profile.cost.daily_cost() == 0 {
        return Err(RegistryError::InvalidCost);
    }
    Ok(())
}

fn valid_share(time_share_ppm: u32) -> Result<()> {
    if time_share_ppm > bizkey_types::math::PPM {
        return Err(RegistryError::InvalidShare);
    }
    Ok(())
}

impl RegistryData {
    /// A registry whose admin is `admin`, with no governance and no ledger.
    pub fn new(admin: AccountId) -> Self {
        Self {
            merchants: Mapping::new(),
            customers: Mapping::new(),
            admin: Some(admin),
            governance: None,
            ledger: None,
        }
    }

    /// The account holding `role` (`None`: vacant or not a registry role).
    pub fn role(&self, role: Role) -> Option<AccountId> {
        match role {
            Role::Admin => self.admin,
            Role::Governance => self.governance,
            Role::Ledger => self.ledger,
            _ => None,
        }
    }

    pub fn merchant(&self, merchant: AccountId) -> Option<Merchant> {
        self.merchants.get(merchant)
    }

    pub fn customer(&self, customer: AccountId) -> Option<Customer> {
        self.customers.get(customer)
    }

    /// The authority or governance.
    fn ensure_privileged(&self, caller: AccountId) -> Result<()> {
        if Some(caller) == self.admin || Some(caller) == self.governance {
            Ok(())
        } else {
            Err(RegistryError::Unauthorized)
        }
    }

    /// Hands `role` to `account` (`None`: leaves it vacant).
    pub fn set_role(
        &mut self,
        caller: AccountId,
        role: Role,
        account: Option<AccountId>,
    ) -> Result<Vec<RegistryEvent>> {
        self.ensure_privileged(caller)?;
        let slot = match role {
            Role::Admin => &mut self.admin,
            Role::Governance => &mut self.governance,
            Role::Ledger => &mut self.ledger,
            _ => return Err(RegistryError::InvalidRole),
        };
        *slot = account;
        Ok(ink::prelude::vec![RegistryEvent::RoleChanged(
            RoleChanged { role, account }
        )])
    }

    /// Registers `caller` as a `Pending` merchant.
    pub fn register_merchant(
        &mut self,
        caller: AccountId,
        now: Timestamp,
        profile: MerchantProfile,
        referrer: Option<AccountId>,
        time_share_ppm: u32,
    ) -> Result<Vec<RegistryEvent>> {
        if self.merchants.contains(caller) {
            return Err(RegistryError::AlreadyRegistered);
        }
        valid_profile(&profile)?;
        valid_share(time_share_ppm)?;
        if let Some(r) = referrer {
            let known = self
                .merchants
                .get(r)
                .is_some_and(|m| m.status != MerchantStatus::Removed);
            if r == caller || !known {
                return Err(RegistryError::InvalidReferrer);
            }
        }
        let merchant = Merchant {
            profile,
            referrer,
            time_share_ppm,
            status: MerchantStatus::Pending,
            registered_at: now,
            verified_at: None,
        };
        self.merchants.insert(caller, &merchant);
        Ok(ink::prelude::vec![RegistryEvent::MerchantRegistered(
            MerchantRegistered {
                merchant: caller,
                referrer,
                profile: merchant.profile,
                time_share_ppm,
                at: now,
            }
        )])
    }

    fn live_merchant(&self, merchant: AccountId) -> Result<Merchant> {
        let m = self
            .merchants
            .get(merchant)
            .ok_or(RegistryError::MerchantNotFound)?;
        if m.status == MerchantStatus::Removed {
            return Err(RegistryError::MerchantRemoved);
        }
        Ok(m)
    }

    /// Replaces `caller`'s profile; a verified merchant becomes `Pending`.
    pub fn update_merchant(
        &mut self,
        caller: AccountId,
        now: Timestamp,
        profile: MerchantProfile,
    ) -> Result<Vec<RegistryEvent>> {
        let mut m = self.live_merchant(caller)?;
        valid_profile(&profile)?;
        if m.status == MerchantStatus::Verified {
            m.status = MerchantStatus::Pending;
        }
        m.profile = profile;
        self.merchants.insert(caller, &m);
        Ok(ink::prelude::vec![RegistryEvent::MerchantUpdated(
            MerchantUpdated {
                merchant: caller,
                status: m.status,
                profile: m.profile,
                at: now,
            }
        )])
    }

    /// Sets the share of an amount `caller` accepts in Time.
    pub fn set_time_share(
        &mut self,
        caller: AccountId,
        time_share_ppm: u32,
    ) -> Result<Vec<RegistryEvent>> {
        let mut m = self.live_merchant(caller)?;
        valid_share(time_share_ppm)?;
        m.time_share_ppm = time_share_ppm;
        self.merchants.insert(caller, &m);
        Ok(ink::prelude::vec![RegistryEvent::TimeShareChanged(
            TimeShareChanged {
                merchant: caller,
                time_share_ppm,
            }
        )])
    }

    /// Moves `merchant` to `to` (authority or governance).
    pub fn set_merchant_status(
        &mut self,
        caller: AccountId,
        now: Timestamp,
        merchant: AccountId,
        to: MerchantStatus,
    ) -> Result<Vec<RegistryEvent>> {
        use MerchantStatus::*;
        self.ensure_privileged(caller)?;
        let mut m = self
            .merchants
            .get(merchant)
            .ok_or(RegistryError::MerchantNotFound)?;
        let from = m.status;
        let allowed = matches!(
            (from, to),
            (Pending | Suspended, Verified)
                | (Pending | Verified, Suspended)
                | (Pending | Verified | Suspended, Removed)
        );
        if !allowed {
            return Err(RegistryError::InvalidTransition);
        }
        m.status = to;
        if to == Verified && m.verified_at.is_none() {
            m.verified_at = Some(now);
        }
        self.merchants.insert(merchant, &m);
        Ok(ink::prelude::vec![RegistryEvent::MerchantStatusChanged(
            MerchantStatusChanged {
                merchant,
                by: caller,
                from,
                to,
                at: now,
            }
        )])
    }

    /// Registers `caller` as a customer invited by `referrer`. A referrer
    /// the registry does not know may be a customer known to the ledger
    /// only: `at_ledger` is the ledger's copy of it (`None` when there is
    /// none, or no ledger).
    pub fn register_customer(
        &mut self,
        caller: AccountId,
        now: Timestamp,
        referrer: Option<AccountId>,
        at_ledger: Option<Customer>,
    ) -> Result<Vec<RegistryEvent>> {
        if self.customers.contains(caller) {
            return Err(RegistryError::AlreadyRegistered);
        }
        if let Some(r) = referrer {
            let known = self
                .customers
                .get(r)
                .or(at_ledger)
                .is_some_and(|c| c.status != CustomerStatus::Removed);
            if r == caller || !known {
                return Err(RegistryError::InvalidReferrer);
            }
        }
        self.customers.insert(
            caller,
            &Customer {
                referrer,
                status: CustomerStatus::Active,
                registered_at: now,
            },
        );
        Ok(ink::prelude::vec![RegistryEvent::CustomerRegistered(
            CustomerRegistered {
                customer: caller,
                referrer,
                at: now,
            }
        )])
    }

    /// Moves `customer` to `to` (authority or governance). A customer the
    /// registry does not know may be known to the ledger only (it bought
    /// without registering): `at_ledger` is the ledger's copy, which the
    /// registry then takes over.
    pub fn set_customer_status(
        &mut self,
        caller: AccountId,
        customer: AccountId,
        to: CustomerStatus,
        at_ledger: Option<Customer>,
    ) -> Result<Vec<RegistryEvent>> {
        use CustomerStatus::*;
        self.ensure_privileged(caller)?;
        let mut c = self
            .customers
            .get(customer)
            .or(at_ledger)
            .ok_or(RegistryError::CustomerNotFound)?;
        let from = c.status;
        let allowed = matches!(
            (from, to),
            (Active, Suspended) | (Suspended, Active) | (Active | Suspended, Removed)
        );
        if !allowed {
            return Err(RegistryError::InvalidTransition);
        }
        c.status = to;
        self.customers.insert(customer, &c);
        Ok(ink::prelude::vec![RegistryEvent::CustomerStatusChanged(
            CustomerStatusChanged {
                customer,
                by: caller,
                from,
                to,
            }
        )])
    }
}

#[ink::contract]
pub mod registry {
    use super::*;
    use bizkey_types::registry::RegistryApi;

    #[ink(storage)]
    pub struct Registry {
        data: RegistryData,
    }

    impl Default for Registry {
        fn default() -> Self {
            Self::new()
        }
    }

    impl Registry {
        /// A registry administered by the caller.
        #[ink(constructor)]
        pub fn new() -> Self {
            Self {
                data: RegistryData::new(Self::env().caller()),
            }
        }

        /// Hands `role` (`Admin`, `Governance` or `Ledger`) to `account`, or
        /// leaves it vacant with `None` (the authority renounces by setting
        /// `Admin` to `None` once governance holds its role).
        ///
        /// # Errors
        /// `Unauthorized` unless the caller is the admin or governance;
        /// `InvalidRole` for a role the registry does not have.
        ///
        /// # Events
        /// `RoleChanged`.
        #[ink(message)]
        pub fn set_role(&mut self, role: Role, account: Option<AccountId>) -> Result<()> {
            let events = self.data.set_role(self.env().caller(), role, account)?;
            self.emit(events);
            Ok(())
        }

        /// The account holding `role`.
        #[ink(message)]
        pub fn role(&self, role: Role) -> Option<AccountId> {
            self.data.role(role)
        }

        /// Registers the caller as a merchant, `Pending` verification.
        /// `referrer` is the merchant that brought it in; `time_share_ppm`
        /// the most of a sale's amount it accepts in Time.
        ///
        /// # Errors
        /// `AlreadyRegistered`; `InvalidName`, `InvalidLocation`,
        /// `InvalidCost` for a bad profile; `InvalidShare` above 100 %;
        /// `InvalidReferrer` if the referrer is the caller, unknown or
        /// removed.
        ///
        /// `LedgerCallFailed` if the ledger refuses the push of the
        /// merchant's new data (see `sync_merchant`).
        ///
        /// # Events
        /// `MerchantRegistered`.
        #[ink(message)]
        pub fn register_merchant(
            &mut self,
            profile: MerchantProfile,
            referrer: Option<AccountId>,
            time_share_ppm: u32,
        ) -> Result<()> {
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let events =
                self.data
                    .register_merchant(caller, now, profile, referrer, time_share_ppm)?;
            self.emit(events);
            self.push(caller)
        }

        /// Replaces the caller's profile. A verified merchant goes back to
        /// `Pending` until re-verified (its cost inputs feed BizPower).
        ///
        /// # Errors
        /// `MerchantNotFound`; `MerchantRemoved`; `InvalidName`,
        /// `InvalidLocation`, `InvalidCost`.
        ///
        /// `LedgerCallFailed` if the ledger refuses the push of the
        /// merchant's new data (see `sync_merchant`).
        ///
        /// # Events
        /// `MerchantUpdated`.
        #[ink(message)]
        pub fn update_merchant(&mut self, profile: MerchantProfile) -> Result<()> {
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let events = self.data.update_merchant(caller, now, profile)?;
            self.emit(events);
            self.push(caller)
        }

        /// Sets the most of a sale's amount the caller accepts in Time (ppm).
        ///
        /// # Errors
        /// `MerchantNotFound`; `MerchantRemoved`; `InvalidShare` above 100 %.
        ///
        /// `LedgerCallFailed` if the ledger refuses the push of the
        /// merchant's new data (see `sync_merchant`).
        ///
        /// # Events
        /// `TimeShareChanged`.
        #[ink(message)]
        pub fn set_time_share(&mut self, time_share_ppm: u32) -> Result<()> {
            let caller = self.env().caller();
            let events = self.data.set_time_share(caller, time_share_ppm)?;
            self.emit(events);
            self.push(caller)
        }

        /// Verifies, suspends, reinstates or removes a merchant. The first
        /// verification starts the merchant-referral period.
        ///
        /// # Errors
        /// `Unauthorized` unless the caller is the admin or governance;
        /// `MerchantNotFound`; `InvalidTransition` (to `Pending`, to the same
        /// status, or out of `Removed`).
        ///
        /// `LedgerCallFailed` if the ledger refuses the push of the
        /// merchant's new data (see `sync_merchant`).
        ///
        /// # Events
        /// `MerchantStatusChanged`.
        #[ink(message)]
        pub fn set_merchant_status(
            &mut self,
            merchant: AccountId,
            status: MerchantStatus,
        ) -> Result<()> {
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let events = self
                .data
                .set_merchant_status(caller, now, merchant, status)?;
            self.emit(events);
            self.push(merchant)
        }

        /// Registers the caller as a customer invited by `referrer` (who
        /// then earns the referral bonus on the caller's first purchase).
        ///
        /// The referrer is a registered customer or one the ledger knows
        /// from a purchase.
        ///
        /// # Errors
        /// `AlreadyRegistered` (also when the caller has bought already and
        /// names a referrer: the referral bonus belongs to the first
        /// purchase); `InvalidReferrer` if the referrer is the caller, not a
        /// customer, or removed; `LedgerCallFailed` if the ledger cannot be
        /// asked or refuses the push.
        ///
        /// # Events
        /// `CustomerRegistered`.
        #[ink(message)]
        pub fn register_customer(&mut self, referrer: Option<AccountId>) -> Result<()> {
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let at_ledger = match referrer {
                Some(r) if self.data.customer(r).is_none() => self.ledger_customer(r)?,
                _ => None,
            };
            let events = self
                .data
                .register_customer(caller, now, referrer, at_ledger)?;
            self.emit(events);
            self.push_customer(caller)
        }

        /// Suspends, reinstates or removes a customer: registered, or known
        /// to the ledger only (it bought without registering; the registry
        /// takes over the ledger's copy). The ledger refuses the sales of a
        /// customer that is not active from this block on.
        ///
        /// # Errors
        /// `Unauthorized` unless the caller is the admin or governance;
        /// `CustomerNotFound`; `InvalidTransition`; `LedgerCallFailed` if
        /// the ledger cannot be asked or refuses the push.
        ///
        /// # Events
        /// `CustomerStatusChanged`.
        #[ink(message)]
        pub fn set_customer_status(
            &mut self,
            customer: AccountId,
            status: CustomerStatus,
        ) -> Result<()> {
            let at_ledger = match self.data.customer(customer) {
                None => self.ledger_customer(customer)?,
                Some(_) => None,
            };
            let events =
                self.data
                    .set_customer_status(self.env().caller(), customer, status, at_ledger)?;
            self.emit(events);
            self.push_customer(customer)
        }

        /// The merchant registered under `merchant`.
        #[ink(message)]
        pub fn merchant(&self, merchant: AccountId) -> Option<Merchant> {
            self.data.merchant(merchant)
        }

        /// The customer registered under `customer`.
        #[ink(message)]
        pub fn customer(&self, customer: AccountId) -> Option<Customer> {
            self.data.customer(customer)
        }

        /// Pushes the data of `merchant` to the ledger again: for merchants
        /// registered before the ledger was named, or after a new ledger.
        /// Anyone may call it; it sends what the registry holds.
        ///
        /// # Errors
        /// `MerchantNotFound`; `LedgerCallFailed` when the ledger refuses
        /// it (no ledger named: nothing to do, `Ok`).
        #[ink(message)]
        pub fn sync_merchant(&mut self, merchant: AccountId) -> Result<()> {
            if self.data.merchant(merchant).is_none() {
                return Err(RegistryError::MerchantNotFound);
            }
            self.push(merchant)
        }

        /// Sends `merchant`'s ledger view to the ledger.
        fn push(&self, merchant: AccountId) -> Result<()> {
            match self.data.merchant(merchant) {
                Some(m) => self.send(merchant, RegistryEntry::Merchant(m.info())),
                None => Ok(()),
            }
        }

        /// Sends `customer`'s record to the ledger.
        fn push_customer(&self, customer: AccountId) -> Result<()> {
            match self.data.customer(customer) {
                Some(c) => self.send(customer, RegistryEntry::Customer(c)),
                None => Ok(()),
            }
        }

        /// Pushes `entry` to the ledger, if one is named. A failure fails
        /// the whole message, so the two never disagree.
        fn send(&self, account: AccountId, entry: RegistryEntry) -> Result<()> {
            let Some(ledger) = self.data.role(Role::Ledger) else {
                return Ok(());
            };
            #[cfg(not(test))]
            {
                use bizkey_types::ledger::{LedgerApi, LedgerError};
                use ink::codegen::TraitCallBuilder;
                let mut ledger: ink::contract_ref!(LedgerApi) = ledger.into();
                match ledger
                    .call_mut()
                    .registry_changed(account, entry)
                    .try_invoke()
                {
                    Ok(Ok(Ok(()))) => Ok(()),
                    Ok(Ok(Err(LedgerError::CustomerExists))) => {
                        Err(RegistryError::AlreadyRegistered)
                    }
                    _ => Err(RegistryError::LedgerCallFailed),
                }
            }
            // Off-chain there is no ledger to call: the tests read the
            // pushes and play the ledger's refusal.
            #[cfg(test)]
            {
                crate::tests::ledger_push(ledger, account, entry)
            }
        }

        /// The ledger's copy of `account` as a customer (`None` without a
        /// ledger).
        fn ledger_customer(&self, account: AccountId) -> Result<Option<Customer>> {
            let Some(ledger) = self.data.role(Role::Ledger) else {
                return Ok(None);
            };
            #[cfg(not(test))]
            {
                use bizkey_types::ledger::LedgerApi;
                use ink::codegen::TraitCallBuilder;
                let ledger: ink::contract_ref!(LedgerApi) = ledger.into();
                ledger
                    .call()
                    .customer(account)
                    .try_invoke()
                    .map_err(|_| RegistryError::LedgerCallFailed)?
                    .map_err(|_| RegistryError::LedgerCallFailed)
            }
            #[cfg(test)]
            {
                Ok(crate::tests::ledger_customer(ledger, account))
            }
        }

        fn emit(&self, events: Vec<RegistryEvent>) {
            RegistryEvent::emit_all::<Environment>(events);
        }
    }

    impl RegistryApi for Registry {
        /// The ledger's view of `merchant` (status, cost, referrer, first
        /// verification, Time share); `None` if not registered.
        #[ink(message)]
        fn merchant_info(&self, merchant: AccountId) -> Option<MerchantInfo> {
            self.data.merchant(merchant).map(|m| m.info())
        }
    }
}

#[cfg(test)]
mod tests;
