//! The token contracts (Biz, Time): balances, supply, transfers, allowances.

use super::{ss58, u, Batch, Ctx, Keys};
use bizkey_store::amount::U128;
use bizkey_store::entity::{token_allowances, token_balances, token_supply, token_transfers};
use bizkey_types::psp22::TokenEvent;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

/// The rows a token event reads: the balances it moves, the supply of a
/// mint or burn.
pub(super) fn keys(at: &Ctx, event: &TokenEvent, keys: &mut Keys) {
    if let TokenEvent::Transfer(e) = event {
        let token = at.kind.token().unwrap_or("?");
        for side in [&e.from, &e.to] {
            match side {
                Some(a) => keys.balances.insert((token.to_owned(), ss58(a))),
                None => keys.supply.insert(token.to_owned()),
            };
        }
    }
}

impl Batch {
    /// Applies one event of a token contract.
    pub(super) async fn token<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        event: TokenEvent,
    ) -> Result<(), DbErr> {
        match event {
            TokenEvent::Transfer(e) => self.transfer(db, at, e).await?,
            TokenEvent::Approval(e) => {
                let token = at.kind.token().unwrap_or("?").to_owned();
                let owner = self.seen(&e.owner, at.block);
                let spender = self.seen(&e.spender, at.block);
                self.allowances.insert(
                    (token.clone(), owner.clone(), spender.clone()),
                    token_allowances::Model {
                        token,
                        owner,
                        spender,
                        amount: u(e.amount),
                        updated_block: at.block,
                    },
                );
            }
            TokenEvent::RoleChanged(e) => self.role_changed(at, e),
            // The emission is read from the chain when asked; `events` keeps them.
            TokenEvent::EmissionReleased(_) | TokenEvent::EmissionConfigured(_) => {}
        }
        Ok(())
    }

    async fn transfer<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: bizkey_types::psp22::Transfer,
    ) -> Result<(), DbErr> {
        let token = at.kind.token().unwrap_or("?").to_owned();
        let from = e.from.as_ref().map(|a| self.seen(a, at.block));
        let to = e.to.as_ref().map(|a| self.seen(a, at.block));
        self.transfers.push(token_transfers::Model {
            block_number: at.block,
            event_index: at.index,
            token: token.clone(),
            from_account: from.clone(),
            to_account: to.clone(),
            value: u(e.value),
            timestamp: at.timestamp,
        });
        if let Some(from) = &from {
            let b = self.balance(db, &token, from, at.block).await?;
            match b.balance.0.checked_sub(e.value) {
                Some(v) => b.balance = u(v),
                None => {
                    b.balance = u(0);
                    let msg = format!("{token} balance of {from} below a transfer of {}", e.value);
                    self.inconsistent(msg);
                }
            }
        } else {
            self.supply_delta(db, &token, at.block, e.value, true)
                .await?;
        }
        if let Some(to) = &to {
            let b = self.balance(db, &token, to, at.block).await?;
            b.balance = u(b.balance.0.saturating_add(e.value));
        } else {
            self.supply_delta(db, &token, at.block, e.value, false)
                .await?;
        }
        Ok(())
    }

    async fn balance<C: ConnectionTrait>(
        &mut self,
        db: &C,
        token: &str,
        account: &str,
        block: i64,
    ) -> Result<&mut token_balances::Model, DbErr> {
        let key = (token.to_owned(), account.to_owned());
        if load!(
            self.balances,
            db,
            token_balances::Entity,
            key.clone(),
            key.clone()
        )
        .is_none()
        {
            self.balances.insert(
                key.clone(),
                token_balances::Model {
                    token: token.to_owned(),
                    account: account.to_owned(),
                    balance: U128(0),
                    updated_block: block,
                },
            );
        }
        let b = self.balances.get_mut(&key).expect("inserted above");
        b.updated_block = block;
        Ok(b)
    }

    async fn supply_delta<C: ConnectionTrait>(
        &mut self,
        db: &C,
        token: &str,
        block: i64,
        value: u128,
        mint: bool,
    ) -> Result<(), DbErr> {
        if load!(
            self.supply,
            db,
            token_supply::Entity,
            token.to_owned(),
            token.to_owned()
        )
        .is_none()
        {
            self.supply.insert(
                token.to_owned(),
                token_supply::Model {
                    token: token.to_owned(),
                    total_supply: U128(0),
                    updated_block: block,
                },
            );
        }
        let s = self.supply.get_mut(token).expect("inserted above");
        s.updated_block = block;
        s.total_supply = if mint {
            u(s.total_supply.0.saturating_add(value))
        } else {
            u(s.total_supply.0.saturating_sub(value))
        };
        Ok(())
    }
}
