//! The registry: merchants, customers, their statuses and referrals.

use super::{i, name, ss58, u, Batch, Ctx, Keys};
use bizkey_store::entity::{
    customer_status_history, customers, merchant_status_history, merchants, referrals,
};
use bizkey_store::hex0x;
use bizkey_types::registry::{CustomerStatus, MerchantStatus, RegistryEvent};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

/// The rows a registry event reads: the merchant or customer it changes.
pub(super) fn keys(event: &RegistryEvent, keys: &mut Keys) {
    use RegistryEvent as E;
    match event {
        E::MerchantUpdated(e) => keys.merchants.insert(ss58(&e.merchant)),
        E::TimeShareChanged(e) => keys.merchants.insert(ss58(&e.merchant)),
        E::MerchantStatusChanged(e) => keys.merchants.insert(ss58(&e.merchant)),
        E::CustomerRegistered(e) => keys.customers.insert(ss58(&e.customer)),
        E::CustomerStatusChanged(e) => keys.customers.insert(ss58(&e.customer)),
        E::MerchantRegistered(_) | E::RoleChanged(_) => false,
    };
}

impl Batch {
    /// Applies one event of the registry.
    pub(super) async fn registry<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        event: RegistryEvent,
    ) -> Result<(), DbErr> {
        match event {
            RegistryEvent::MerchantRegistered(e) => {
                let account = self.seen(&e.merchant, at.block);
                let referrer = e.referrer.as_ref().map(|r| self.seen(r, at.block));
                let p = &e.profile;
                self.merchants.insert(
                    account.clone(),
                    merchants::Model {
                        account: account.clone(),
                        name: p.name.clone(),
                        category: name(p.category),
                        location: p.location.clone(),
                        area_sqft: p.cost.area_sqft.into(),
                        staff: p.cost.staff.into(),
                        rent_per_sqft_day: u(p.cost.rent_per_sqft_day),
                        wage_per_day: u(p.cost.wage_per_day),
                        licence_hash: hex0x(p.licence_hash),
                        referrer: referrer.clone(),
                        time_share_ppm: e.time_share_ppm.into(),
                        status: name(MerchantStatus::Pending),
                        registered_at: i(e.at),
                        verified_at: None,
                        registered_block: at.block,
                        updated_block: at.block,
                    },
                );
                self.merchant_history.push(merchant_status_history::Model {
                    block_number: at.block,
                    event_index: at.index,
                    merchant: account.clone(),
                    changed_by: None,
                    from_status: None,
                    to_status: name(MerchantStatus::Pending),
                    at: i(e.at),
                });
                if let Some(referrer) = referrer {
                    self.referrals.push(referrals::Model {
                        kind: "merchant".into(),
                        referred: account,
                        referrer,
                        block_number: at.block,
                        at: i(e.at),
                    });
                }
            }
            RegistryEvent::MerchantUpdated(e) => {
                let account = ss58(&e.merchant);
                let Some(m) = load!(
                    self.merchants,
                    db,
                    merchants::Entity,
                    account.clone(),
                    account.clone()
                ) else {
                    self.inconsistent(format!("MerchantUpdated for unknown merchant {account}"));
                    return Ok(());
                };
                let p = &e.profile;
                let before = m.status.clone();
                m.name = p.name.clone();
                m.category = name(p.category);
                m.location = p.location.clone();
                m.area_sqft = p.cost.area_sqft.into();
                m.staff = p.cost.staff.into();
                m.rent_per_sqft_day = u(p.cost.rent_per_sqft_day);
                m.wage_per_day = u(p.cost.wage_per_day);
                m.licence_hash = hex0x(p.licence_hash);
                m.status = name(e.status);
                m.updated_block = at.block;
                if before != m.status {
                    let to = m.status.clone();
                    self.merchant_history.push(merchant_status_history::Model {
                        block_number: at.block,
                        event_index: at.index,
                        merchant: account.clone(),
                        changed_by: Some(account),
                        from_status: Some(before),
                        to_status: to,
                        at: i(e.at),
                    });
                }
            }
            RegistryEvent::TimeShareChanged(e) => {
                let account = ss58(&e.merchant);
                match load!(
                    self.merchants,
                    db,
                    merchants::Entity,
                    account.clone(),
                    account.clone()
                ) {
                    Some(m) => {
                        m.time_share_ppm = e.time_share_ppm.into();
                        m.updated_block = at.block;
                    }
                    None => self
                        .inconsistent(format!("TimeShareChanged for unknown merchant {account}")),
                }
            }
            RegistryEvent::MerchantStatusChanged(e) => {
                let account = ss58(&e.merchant);
                let by = self.seen(&e.by, at.block);
                match load!(
                    self.merchants,
                    db,
                    merchants::Entity,
                    account.clone(),
                    account.clone()
                ) {
                    Some(m) => {
                        m.status = name(e.to);
                        if e.to == bizkey_types::registry::MerchantStatus::Verified
                            && m.verified_at.is_none()
                        {
                            m.verified_at = Some(i(e.at));
                        }
                        m.updated_block = at.block;
                    }
                    None => self.inconsistent(format!(
                        "MerchantStatusChanged for unknown merchant {account}"
                    )),
                }
                self.merchant_history.push(merchant_status_history::Model {
                    block_number: at.block,
                    event_index: at.index,
                    merchant: account,
                    changed_by: Some(by),
                    from_status: Some(name(e.from)),
                    to_status: name(e.to),
                    at: i(e.at),
                });
            }
            RegistryEvent::CustomerRegistered(e) => {
                let account = self.seen(&e.customer, at.block);
                let referrer = e.referrer.as_ref().map(|r| self.seen(r, at.block));
                match load!(
                    self.customers,
                    db,
                    customers::Entity,
                    account.clone(),
                    account.clone()
                ) {
                    // It bought before registering: the ledger keeps its
                    // copy (and refuses a referrer), so only this changes.
                    Some(c) => {
                        c.implicit = false;
                        c.updated_block = at.block;
                    }
                    None => {
                        self.customers.insert(
                            account.clone(),
                            customers::Model {
                                account: account.clone(),
                                referrer: referrer.clone(),
                                status: name(CustomerStatus::Active),
                                implicit: false,
                                registered_at: i(e.at),
                                registered_block: at.block,
                                updated_block: at.block,
                            },
                        );
                    }
                }
                if let Some(referrer) = referrer {
                    self.referrals.push(referrals::Model {
                        kind: "customer".into(),
                        referred: account,
                        referrer,
                        block_number: at.block,
                        at: i(e.at),
                    });
                }
            }
            RegistryEvent::CustomerStatusChanged(e) => {
                let account = ss58(&e.customer);
                let by = self.seen(&e.by, at.block);
                match load!(
                    self.customers,
                    db,
                    customers::Entity,
                    account.clone(),
                    account.clone()
                ) {
                    Some(c) => {
                        c.status = name(e.to);
                        // The registry holds a record of it from now on.
                        c.implicit = false;
                        c.updated_block = at.block;
                    }
                    None => self.inconsistent(format!(
                        "CustomerStatusChanged for unknown customer {account}"
                    )),
                }
                self.customer_history.push(customer_status_history::Model {
                    block_number: at.block,
                    event_index: at.index,
                    customer: account,
                    changed_by: by,
                    from_status: name(e.from),
                    to_status: name(e.to),
                });
            }
            RegistryEvent::RoleChanged(e) => self.role_changed(at, e),
        }
        Ok(())
    }
}
