//! Unit tests on ink!'s off-chain environment.
//!
//! The other contracts are replaced by [`Model`]: two PSP22 tokens with the
//! real contracts' observable semantics (balances, allowances, failures), and
//! a registry's merchants and customers that the tests push to the ledger as
//! the registry does, in thread-local state that
//! both the plain logic (`LedgerData`) and the contract's messages (through
//! `Ledger::ext` under `cfg(test)`) use. The e2e suite runs the same flows
//! against the real contracts on a node.

use super::*;
use bizkey_types::math::{Channel, ShopCost, Weights};
use ink::env::{test, DefaultEnvironment as Env};
use ledger::Ledger;
use std::{cell::RefCell, collections::HashMap};

// ---- the model of the other contracts --------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    Transfer(Token, AccountId, Balance),
    MoveTime(AccountId, AccountId, Balance),
    BalanceOf(Token),
}

#[derive(Default)]
pub struct World {
    /// The registry's merchants and customers, pushed to the ledger by
    /// [`push_registry`].
    pub merchants: HashMap<AccountId, MerchantInfo>,
    pub customers: HashMap<AccountId, Customer>,
    pub balances: HashMap<(Token, AccountId), Balance>,
    /// Time allowances to the ledger, by owner.
    pub allowances: HashMap<AccountId, Balance>,
    pub tokens_down: bool,
    pub calls: Vec<Call>,
    /// (super node, merchant) pairs the super-node contract covers.
    pub coverage: Vec<(AccountId, AccountId)>,
}

thread_local! {
    static WORLD: RefCell<World> = RefCell::new(World::default());
}

fn world<R>(f: impl FnOnce(&mut World) -> R) -> R {
    WORLD.with(|w| f(&mut w.borrow_mut()))
}

/// The registry and tokens as seen from the ledger at `ledger`.
pub struct Model {
    ledger: AccountId,
}

impl Model {
    pub fn shared(ledger: AccountId) -> Self {
        Self { ledger }
    }
}

fn debit(w: &mut World, token: Token, from: AccountId, to: AccountId, value: Balance) -> bool {
    let have = w.balances.get(&(token, from)).copied().unwrap_or(0);
    if have < value {
        return false;
    }
    w.balances.insert((token, from), have - value);
    *w.balances.entry((token, to)).or_insert(0) += value;
    true
}

impl Externals for Model {
    fn transfer(&mut self, token: Token, to: AccountId, value: Balance) -> Result<()> {
        let ledger = self.ledger;
        world(|w| {
            w.calls.push(Call::Transfer(token, to, value));
            if w.tokens_down || !debit(w, token, ledger, to, value) {
                return Err(LedgerError::TokenCallFailed);
            }
            Ok(())
        })
    }

    fn move_time(&mut self, from: AccountId, to: AccountId, value: Balance) -> Result<()> {
        world(|w| {
            w.calls.push(Call::MoveTime(from, to, value));
            let allowance = w.allowances.get(&from).copied().unwrap_or(0);
            if w.tokens_down || allowance < value || !debit(w, Token::Time, from, to, value) {
                return Err(LedgerError::TimePaymentFailed);
            }
            w.allowances.insert(from, allowance - value);
            Ok(())
        })
    }

    fn balance_of(&mut self, token: Token, owner: AccountId) -> Result<Balance> {
        world(|w| {
            w.calls.push(Call::BalanceOf(token));
            if w.tokens_down {
                return Err(LedgerError::TokenCallFailed);
            }
            Ok(w.balances.get(&(token, owner)).copied().unwrap_or(0))
        })
    }

    fn covers(&mut self, _super_nodes: AccountId, node: AccountId, merchant: AccountId) -> bool {
        world(|w| w.coverage.contains(&(node, merchant)))
    }
}

// ---- fixtures -----------------------------------------------------------------

const DAY: u64 = 86_400_000;
const T0: u64 = 1_700_000_000_000;
const UNIT: Balance = 1_000_000_000_000;

fn accounts() -> test::DefaultAccounts<Env> {
    test::default_accounts::<Env>()
}

fn cost() -> ShopCost {
    ShopCost {
        area_sqft: 500,
        staff: 3,
        rent_per_sqft_day: 500,
        wage_per_day: 20_000,
    }
}

fn verified(referrer: Option<AccountId>, verified_at: Timestamp) -> MerchantInfo {
    MerchantInfo {
        status: MerchantStatus::Verified,
        cost: cost(),
        referrer,
        verified_at: Some(verified_at),
        time_share_ppm: 300_000,
    }
}

fn order(order_id: u64, amount: u128) -> Order {
    Order {
        order_id,
        order_time: T0 - 60_000,
        channel: Channel::InStore,
        amount,
        discount: 0,
        time_paid: 0,
        items: 2,
        detail_hash: [order_id as u8; 32].into(),
    }
}

fn balance(token: Token, who: AccountId) -> Balance {
    world(|w| w.balances.get(&(token, who)).copied().unwrap_or(0))
}

fn give(token: Token, who: AccountId, value: Balance) {
    world(|w| *w.balances.entry((token, who)).or_insert(0) += value);
}

/// A registered customer.
fn registered(referrer: Option<AccountId>, status: CustomerStatus) -> Customer {
    Customer {
        referrer,
        status,
        registered_at: T0 - DAY,
    }
}

/// The registry (`registry`) pushes the world's merchants and customers to
/// the ledger.
fn push_registry(d: &mut LedgerData, registry: AccountId) {
    let (merchants, customers) = world(|w| (w.merchants.clone(), w.customers.clone()));
    for (merchant, info) in merchants {
        d.registry_changed(registry, merchant, RegistryEntry::Merchant(info))
            .unwrap();
    }
    for (customer, c) in customers {
        d.registry_changed(registry, customer, RegistryEntry::Customer(c))
            .unwrap();
    }
}

fn calls() -> Vec<Call> {
    world(|w| core::mem::take(&mut w.calls))
}

/// A fresh world: bob is a verified merchant (charlie, also a verified
/// merchant, referred him at T0), django a customer referred by eve.
fn setup() -> test::DefaultAccounts<Env> {
    let a = accounts();
    world(|w| {
        *w = World::default();
        w.merchants.insert(a.bob, verified(Some(a.charlie), T0));
        w.merchants.insert(a.charlie, verified(None, T0));
        w.customers
            .insert(a.eve, registered(None, CustomerStatus::Active));
        w.customers
            .insert(a.django, registered(Some(a.eve), CustomerStatus::Active));
    });
    a
}

// ---- the plain logic ------------------------------------------------------------

mod logic {
    use super::*;

    const LEDGER: [u8; 32] = [0xAA; 32];

    /// A funded ledger logic (alice admin, frank reporter).
    fn funded() -> (LedgerData, Model, test::DefaultAccounts<Env>) {
        let a = setup();
        let ledger = AccountId::from(LEDGER);
        let mut d = LedgerData::new(a.alice, a.alice, RewardCaps::NONE);
        push_registry(&mut d, a.alice);
        give(Token::Biz, ledger, 1_000_000 * UNIT);
        give(Token::Time, ledger, 1_000_000 * UNIT);
        let mut m = Model::shared(ledger);
        d.sync(&mut m, ledger).unwrap();
        d.set_role(a.alice, Role::Reporter, Some(a.frank)).unwrap();
        calls();
        (d, m, a)
    }

    fn sale(
        d: &mut LedgerData,
        m: &mut Model,
        a: &test::DefaultAccounts<Env>,
        id: u64,
        at: u64,
    ) -> ReceiptConfirmed {
        let (rid, _) = d
            .open(
                a.bob,
                at,
                a.bob,
                a.django,
                Order {
                    order_time: at,
                    ..order(id, 5_000)
                },
            )
            .unwrap();
        match d.confirm(m, a.django, at, rid).unwrap() {
            Some(LedgerEvent::ReceiptConfirmed(e)) => e,
            other => panic!("{other:?}"),
        }
    }

    #[ink::test]
    fn confirm_rewards_follow_bizkey_math() {
        let (mut d, mut m, a) = funded();
        let c = sale(&mut d, &mut m, &a, 1, T0);
        // Replay what the ledger must have computed.
        let mut window = MerchantWindow::default();
        let mut visit = Visit::default();
        let p = LedgerParams::default();
        let outcome = record_sale(
            &mut window,
            &mut visit,
            &Sale {
                channel: Channel::InStore,
                amount: 5_000,
                at: T0,
            },
            p.window_ms,
            &p.weights,
            &cost(),
        );
        let biz = biz_reward(&p.reward, outcome.bizpower, 0);
        let referrer_biz = mul_div(biz, p.merchant_referral_ppm as u128, PPM as u128);
        assert_eq!(c.bizpower, outcome.bizpower);
        assert_eq!(
            c.rewards,
            Rewards {
                merchant_biz: biz - referrer_biz,
                merchant_referrer: Some(a.charlie),
                merchant_referrer_biz: referrer_biz,
                customer_time: time_reward(&p.reward, 5_000, 0),
                customer_referrer: Some(a.eve),
                customer_referrer_time: p.customer_referral_time,
            }
        );
        assert!(c.first_purchase && c.first_at_merchant);
        assert_eq!((c.earlier_in_window, c.matures_at), (0, T0 + DAY));
        // 50 Time for ¥50 at 1 %: 0.5 Time.
        assert_eq!(c.rewards.customer_time, UNIT / 2);
        let (biz_pool, time_pool) = d.pools();
        assert_eq!(biz_pool.reserved, biz);
        assert_eq!(time_pool.reserved, UNIT / 2 + p.customer_referral_time);
        assert_eq!(biz_pool.available + biz_pool.reserved, 1_000_000 * UNIT);
        // Four pending entries, one per beneficiary.
        for (who, token, amount) in [
            (a.bob, Token::Biz, biz - referrer_biz),
            (a.charlie, Token::Biz, referrer_biz),
            (a.django, Token::Time, UNIT / 2),
            (a.eve, Token::Time, p.customer_referral_time),
        ] {
            assert_eq!(d.queue(who), Queue { head: 0, tail: 1 });
            assert_eq!(
                d.pending_entry(who, 0),
                Some(PendingEntry {
                    receipt: 0,
                    token,
                    amount
                })
            );
        }
    }

    #[ink::test]
    fn novelty_halves_and_referral_bonus_is_paid_once() {
        let (mut d, mut m, a) = funded();
        let first = sale(&mut d, &mut m, &a, 1, T0);
        let second = sale(&mut d, &mut m, &a, 2, T0 + 1);
        assert_eq!(second.earlier_in_window, 1);
        assert!(!second.first_purchase && !second.first_at_merchant);
        assert_eq!(
            second.rewards.customer_time,
            first.rewards.customer_time / 2
        );
        assert_eq!(second.rewards.customer_referrer, None);
        assert_eq!(second.rewards.customer_referrer_time, 0);
        // Next window: novelty resets.
        let next = sale(&mut d, &mut m, &a, 3, T0 + DAY);
        assert_eq!(next.earlier_in_window, 0);
    }

    #[ink::test]
    fn merchant_referral_ends_after_its_period() {
        let (mut d, mut m, a) = funded();
        let late = T0 + LedgerParams::default().merchant_referral_ms;
        let c = sale(&mut d, &mut m, &a, 1, late);
        assert_eq!(c.rewards.merchant_referrer, None);
        assert_eq!(c.rewards.merchant_referrer_biz, 0);
        assert!(c.rewards.merchant_biz > 0);
        assert_eq!(d.queue(a.charlie), Queue::default());
    }

    #[ink::test]
    fn rewards_are_capped_by_the_pools() {
        let a = setup();
        let ledger = AccountId::from(LEDGER);
        let mut d = LedgerData::new(a.alice, a.alice, RewardCaps::NONE);
        push_registry(&mut d, a.alice);
        let mut m = Model::shared(ledger);
        // Empty pools: the sale is recorded, nobody is promised anything.
        let c = sale(&mut d, &mut m, &a, 1, T0);
        assert_eq!(c.rewards.merchant_biz + c.rewards.customer_time, 0);
        assert_eq!(c.rewards.customer_referrer, None);
        assert!(c.bizpower > 0);
        assert_eq!(d.queue(a.bob), Queue::default());
        // A pool smaller than one reward gives what it has.
        give(Token::Time, ledger, UNIT / 4);
        d.sync(&mut m, ledger).unwrap();
        let c = sale(&mut d, &mut m, &a, 2, T0 + DAY);
        assert_eq!(c.rewards.customer_time, UNIT / 4);
        assert_eq!(
            d.pools().1,
            Pool {
                available: 0,
                reserved: UNIT / 4
            }
        );
    }

    /// `merchant` records a sale of `amount` cents to `customer` at `at`,
    /// who confirms it; returns its rewards.
    fn sale_of(
        d: &mut LedgerData,
        m: &mut Model,
        (merchant, customer): (AccountId, AccountId),
        id: u64,
        amount: u128,
        at: u64,
    ) -> Rewards {
        let order = Order {
            order_time: at,
            ..order(id, amount)
        };
        let (rid, _) = d.open(merchant, at, merchant, customer, order).unwrap();
        match d.confirm(m, customer, at, rid).unwrap() {
            Some(LedgerEvent::ReceiptConfirmed(e)) => e.rewards,
            other => panic!("{other:?}"),
        }
    }

    #[ink::test]
    fn one_receipt_takes_at_most_its_caps_and_honest_ones_are_paid() {
        let (mut d, mut m, a) = funded();
        d.set_role(a.alice, Role::Governance, Some(a.frank))
            .unwrap();
        let caps = RewardCaps {
            receipt_time: 50 * UNIT,
            merchant_day_biz: 7 * UNIT,
            merchant_day_time: 60 * UNIT,
            pool_share_ppm: PPM,
            reporter_day_flags: u32::MAX,
        };
        d.set_caps(a.frank, caps).unwrap();
        let p = LedgerParams::default();
        // A sale of ¥10 billion: 100 million Time of cashback uncapped.
        let huge = 1_000_000_000_000;
        assert_eq!(time_reward(&p.reward, huge, 0), 100_000_000 * UNIT);
        // One receipt: the receipt's Time cap; Biz by the formula (twice
        // the base reward: the average ticket is huge).
        let r = sale_of(&mut d, &mut m, (a.bob, a.django), 1, huge, T0);
        assert_eq!(r.customer_time, 50 * UNIT);
        let formula = 2 * p.reward.base_biz;
        assert_eq!(r.merchant_biz + r.merchant_referrer_biz, formula);
        // The same merchant the same day: what is left of its day caps,
        // then nothing.
        let r = sale_of(&mut d, &mut m, (a.bob, a.eve), 2, huge, T0 + 1_000);
        assert_eq!(
            (r.merchant_biz + r.merchant_referrer_biz, r.customer_time),
            (7 * UNIT - formula, 10 * UNIT)
        );
        let r = sale_of(&mut d, &mut m, (a.bob, a.frank), 3, 5_000, T0 + 2_000);
        assert_eq!((r.merchant_biz, r.customer_time), (0, 0));
        let today = d.merchant_state(a.bob).unwrap().today;
        assert_eq!(
            today,
            DayTotals {
                day: T0 / DAY_MS,
                biz: 7 * UNIT,
                time: 60 * UNIT
            }
        );
        // An honest sale at another merchant meanwhile: its whole reward.
        let r = sale_of(&mut d, &mut m, (a.charlie, a.eve), 4, 5_000, T0 + 3_000);
        assert_eq!(r.customer_time, time_reward(&p.reward, 5_000, 0));
        assert!(r.merchant_biz > 0);
        // The next day bob's caps start afresh (a new customer: no
        // novelty halving).
        let newcomer = AccountId::from([0x42; 32]);
        let r = sale_of(&mut d, &mut m, (a.bob, newcomer), 5, 5_000, T0 + DAY);
        assert_eq!(r.customer_time, time_reward(&p.reward, 5_000, 0));
        assert_eq!(d.merchant_state(a.bob).unwrap().today.day, T0 / DAY_MS + 1);
        // The pool share: 0.01 % of what each pool has available.
        let share = RewardCaps {
            pool_share_ppm: 100,
            ..RewardCaps::NONE
        };
        d.set_caps(a.frank, share).unwrap();
        let (biz_pool, time_pool) = d.pools();
        let r = sale_of(&mut d, &mut m, (a.charlie, a.frank), 6, huge, T0 + DAY);
        assert_eq!(r.customer_time, time_pool.available / 10_000);
        // (Biz per receipt is bounded by the formula far below the share.)
        assert!(r.merchant_biz > 0 && r.merchant_biz <= biz_pool.available / 10_000);
        // The pools still balance.
        let (biz_after, time_after) = d.pools();
        assert_eq!(biz_after.available + biz_after.reserved, 1_000_000 * UNIT);
        assert_eq!(time_after.available + time_after.reserved, 1_000_000 * UNIT);
    }

    #[ink::test]
    fn only_governance_sets_the_caps() {
        let (mut d, mut m, a) = funded();
        let caps = RewardCaps::default();
        // Not the authority (it could lift them for a friendly merchant),
        // not while governance is vacant.
        assert_eq!(d.set_caps(a.alice, caps), Err(LedgerError::Unauthorized));
        d.set_role(a.alice, Role::Governance, Some(a.frank))
            .unwrap();
        assert_eq!(d.set_caps(a.alice, caps), Err(LedgerError::Unauthorized));
        assert_eq!(d.caps(), RewardCaps::NONE);
        assert_eq!(d.set_caps(a.frank, caps), Ok(()));
        assert_eq!(d.caps(), caps);
        // A share above 100 % reads as 100 %: never more than the pool.
        let too_much = RewardCaps {
            pool_share_ppm: 2 * PPM,
            ..RewardCaps::NONE
        };
        d.set_caps(a.frank, too_much).unwrap();
        let (_, time_pool) = d.pools();
        let huge = 1_000_000_000_000;
        let r = sale_of(&mut d, &mut m, (a.bob, a.eve), 1, huge, T0);
        assert_eq!(r.customer_time, time_pool.available);
        d.set_caps(a.frank, caps).unwrap();
        // The parameters are kept apart.
        assert_eq!(d.params(), LedgerParams::default());
        let p = LedgerParams {
            challenge_ms: 5,
            ..LedgerParams::default()
        };
        d.set_params(a.alice, p).unwrap();
        assert_eq!((d.params(), d.caps()), (p, caps));
    }

    #[ink::test]
    fn errors_leave_state_unchanged() {
        let (mut d, mut m, a) = funded();
        let (id, _) = d
            .open(
                a.bob,
                T0,
                a.bob,
                a.django,
                Order {
                    time_paid: UNIT,
                    ..order(1, 5_000)
                },
            )
            .unwrap();
        let before = (
            d.receipt(id),
            d.pools(),
            d.merchant_state(a.bob),
            d.queue(a.bob),
        );
        // The customer holds Time but has not approved the ledger.
        give(Token::Time, a.django, 10 * UNIT);
        assert_eq!(
            d.confirm(&mut m, a.django, T0, id),
            Err(LedgerError::TimePaymentFailed)
        );
        assert_eq!(
            before,
            (
                d.receipt(id),
                d.pools(),
                d.merchant_state(a.bob),
                d.queue(a.bob)
            )
        );
        assert!(d.visit(a.bob, a.django).is_none());
        // With the allowance, the same receipt is django's first purchase.
        world(|w| w.allowances.insert(a.django, UNIT));
        d.confirm(&mut m, a.django, T0, id).unwrap();
        assert_eq!(balance(Token::Time, a.bob), UNIT);
        assert_eq!(balance(Token::Time, a.django), 9 * UNIT);
    }

    /// A rogue or leaked reporter key stops at most its daily budget of
    /// rewards: beyond it the reporter is refused until the next UTC day;
    /// refused flags do not count; the admin's and governance's are not
    /// counted.
    #[ink::test]
    fn the_reporter_flags_within_its_daily_budget() {
        let (mut d, mut m, a) = funded();
        d.set_role(a.alice, Role::Governance, Some(a.eve)).unwrap();
        let budget = RewardCaps {
            reporter_day_flags: 2,
            ..RewardCaps::NONE
        };
        d.set_caps(a.eve, budget).unwrap();
        let ids: Vec<ReceiptId> = (1..=7)
            .map(|n| sale(&mut d, &mut m, &a, n, T0).id)
            .collect();
        let mut flag = |d: &mut LedgerData, who, at, id| {
            d.flag(&mut m, who, at, id, Hash::default()).map(|_| ())
        };
        // (refusals for other reasons do not count)
        assert_eq!(
            flag(&mut d, a.frank, T0, 99),
            Err(LedgerError::ReceiptNotFound)
        );
        assert_eq!(flag(&mut d, a.frank, T0, ids[0]), Ok(()));
        assert_eq!(
            flag(&mut d, a.frank, T0, ids[0]),
            Err(LedgerError::NotConfirmed)
        );
        assert_eq!(flag(&mut d, a.frank, T0 + 1, ids[1]), Ok(()));
        let before = (d.pools(), d.receipt(ids[2]));
        assert_eq!(
            flag(&mut d, a.frank, T0 + 2, ids[2]),
            Err(LedgerError::FlagBudgetExceeded)
        );
        assert_eq!((d.pools(), d.receipt(ids[2])), before);
        // The admin and governance flag beyond it.
        assert_eq!(flag(&mut d, a.alice, T0 + 2, ids[2]), Ok(()));
        assert_eq!(flag(&mut d, a.eve, T0 + 2, ids[3]), Ok(()));
        // The budget is per UTC day (the receipts are still in their one-day
        // challenge window when the next day starts).
        let next_day = (T0 / DAY + 1) * DAY;
        assert_eq!(
            flag(&mut d, a.frank, next_day - 1, ids[4]),
            Err(LedgerError::FlagBudgetExceeded)
        );
        assert_eq!(flag(&mut d, a.frank, next_day, ids[4]), Ok(()));
        assert_eq!(flag(&mut d, a.frank, next_day + 1, ids[5]), Ok(()));
        assert_eq!(
            flag(&mut d, a.frank, next_day + 2, ids[6]),
            Err(LedgerError::FlagBudgetExceeded)
        );
        // A budget of zero: the reporter flags nothing.
        d.set_caps(
            a.eve,
            RewardCaps {
                reporter_day_flags: 0,
                ..RewardCaps::NONE
            },
        )
        .unwrap();
        assert_eq!(
            flag(&mut d, a.frank, next_day + 2 * DAY, ids[6]),
            Err(LedgerError::FlagBudgetExceeded)
        );
        // A stranger is refused before any budget.
        assert_eq!(
            flag(&mut d, a.bob, T0, ids[6]),
            Err(LedgerError::Unauthorized)
        );
    }

    /// A super node flags the receipts of the merchants its scope covers
    /// (the super-node contract says which), beyond the reporter's budget:
    /// its bond answers for false flags. Nobody else does, and no super
    /// node does while the ledger has no super-node contract.
    #[ink::test]
    fn a_covering_super_node_flags_its_merchants_receipts() {
        let (mut d, mut m, a) = funded();
        let (node, stranger) = (a.eve, a.charlie);
        // The reporter's budget is zero: a node's flags are not counted.
        let gov = AccountId::from([0x61; 32]);
        d.set_role(a.alice, Role::Governance, Some(gov)).unwrap();
        let no_flags = RewardCaps {
            reporter_day_flags: 0,
            ..RewardCaps::NONE
        };
        d.set_caps(gov, no_flags).unwrap();
        let ids: Vec<ReceiptId> = (1..=3)
            .map(|n| sale(&mut d, &mut m, &a, n, T0).id)
            .collect();
        world(|w| w.coverage.push((node, a.bob)));
        // No super-node contract named yet.
        assert_eq!(
            d.flag(&mut m, node, T0, ids[0], Hash::default()),
            Err(LedgerError::Unauthorized)
        );
        d.set_role(a.alice, Role::SuperNodes, Some(AccountId::from([0x70; 32])))
            .unwrap();
        assert_eq!(d.role(Role::SuperNodes), Some(AccountId::from([0x70; 32])));
        // A node that does not cover bob, and an unknown receipt.
        let before = (d.pools(), d.receipt(ids[0]));
        for (who, id) in [(stranger, ids[0]), (node, 99)] {
            assert_eq!(
                d.flag(&mut m, who, T0, id, Hash::default()),
                Err(LedgerError::Unauthorized)
            );
        }
        assert_eq!((d.pools(), d.receipt(ids[0])), before);
        // The covering node flags, uncounted.
        for id in &ids {
            match d.flag(&mut m, node, T0 + 1, *id, Hash::from([4; 32])) {
                Ok(Some(LedgerEvent::ReceiptFlagged(e))) => {
                    assert_eq!((e.id, e.by), (*id, node));
                }
                other => panic!("{other:?}"),
            }
            assert_eq!(d.receipt(*id).unwrap().status, ReceiptStatus::Flagged);
        }
        // Out of office (the contract stops covering), it flags no more.
        let id = sale(&mut d, &mut m, &a, 4, T0).id;
        world(|w| w.coverage.clear());
        assert_eq!(
            d.flag(&mut m, node, T0 + 1, id, Hash::default()),
            Err(LedgerError::Unauthorized)
        );
    }

    /// Governance's account in the appeal tests.
    const GOVERNANCE: [u8; 32] = [0x60; 32];

    /// An upheld appeal: governance restores a flagged receipt, which
    /// reserves again exactly what the flag released and pays every share
    /// at claim, at once; the receipt can be neither flagged nor restored
    /// again.
    #[ink::test]
    fn a_restored_receipt_pays_every_share_at_claim() {
        let (mut d, mut m, a) = funded();
        let gov = AccountId::from(GOVERNANCE);
        d.set_role(a.alice, Role::Governance, Some(gov)).unwrap();
        // django's first purchase: bob's referrer charlie earns Biz,
        // django's referrer eve the Time bonus
        let c = sale(&mut d, &mut m, &a, 1, T0);
        let (id, rw) = (c.id, c.rewards);
        assert!(rw.merchant_referrer_biz > 0 && rw.customer_referrer_time > 0);
        let r = d.receipt(id).unwrap();
        let pools = d.pools();
        assert_eq!(d.restore(gov, T0, id), Err(LedgerError::NotFlagged));
        assert_eq!(d.restore(gov, T0, 99), Err(LedgerError::ReceiptNotFound));
        d.flag(&mut m, a.frank, T0 + 1, id, Hash::default())
            .unwrap();
        // Governance alone: not the admin, the reporter or the sides.
        for who in [a.alice, a.frank, a.bob, a.django] {
            assert_eq!(d.restore(who, T0 + 2, id), Err(LedgerError::Unauthorized));
        }

        let restored = d.restore(gov, T0 + 2, id).unwrap();

        assert_eq!(
            restored,
            Some(LedgerEvent::ReceiptRestored(ReceiptRestored {
                id,
                biz: r.biz,
                time: r.time + r.referral_time,
                matures_at: T0 + 2,
            }))
        );
        assert_eq!(d.pools(), pools);
        assert_eq!(
            d.receipt(id),
            Some(Receipt {
                deadline: T0 + 2,
                ..r
            })
        );
        assert_eq!(
            d.flag(&mut m, a.frank, T0 + 2, id, Hash::default()),
            Err(LedgerError::WindowClosed)
        );
        assert_eq!(d.restore(gov, T0 + 2, id), Err(LedgerError::NotFlagged));
        for (who, token, amount) in [
            (a.bob, Token::Biz, rw.merchant_biz),
            (a.charlie, Token::Biz, rw.merchant_referrer_biz),
            (a.django, Token::Time, rw.customer_time),
            (a.eve, Token::Time, rw.customer_referrer_time),
        ] {
            d.claim(&mut m, who, T0 + 2, 10).unwrap();
            assert_eq!(balance(token, who), amount);
        }
        let (biz, time) = d.pools();
        assert_eq!((biz.reserved, time.reserved), (0, 0));
    }

    /// A claim after the flag drops the claimer's entry of the flagged
    /// receipt, a removal all of an account's: a restore brings back only
    /// the shares still pending, and none (`RewardsForfeited`) if nothing
    /// is left or the pool no longer has them.
    #[ink::test]
    fn a_restore_brings_back_only_what_is_still_pending() {
        let (mut d, mut m, a) = funded();
        let gov = AccountId::from(GOVERNANCE);
        d.set_role(a.alice, Role::Governance, Some(gov)).unwrap();
        let first = sale(&mut d, &mut m, &a, 1, T0).id;
        let second = sale(&mut d, &mut m, &a, 2, T0 + 1).id;
        d.flag(&mut m, a.frank, T0 + 2, first, Hash::default())
            .unwrap();
        // (django's claim consumes the flagged entry, stops at the second)
        d.claim(&mut m, a.django, T0 + 2, 10).unwrap();
        let r = d.receipt(first).unwrap();
        let (biz, time) = d.pools();

        assert_eq!(
            d.restore(gov, T0 + 3, first).unwrap(),
            Some(LedgerEvent::ReceiptRestored(ReceiptRestored {
                id: first,
                biz: r.biz,
                time: r.referral_time,
                matures_at: T0 + 3,
            }))
        );
        let after = d.receipt(first).unwrap();
        assert_eq!(
            (after.biz, after.time, after.referral_time),
            (r.biz, 0, r.referral_time)
        );
        let (biz_after, time_after) = d.pools();
        assert_eq!(biz_after.available, biz.available - r.biz);
        assert_eq!(time_after.available, time.available - r.referral_time);

        // all its entries dropped by removals
        d.flag(&mut m, a.frank, T0 + 4, second, Hash::default())
            .unwrap();
        for who in [a.bob, a.charlie, a.django] {
            d.forfeit_pending(a.alice, who, u32::MAX).unwrap();
        }
        assert_eq!(
            d.restore(gov, T0 + 5, second),
            Err(LedgerError::RewardsForfeited)
        );

        // the pool spent what the flag released
        let third = sale(&mut d, &mut m, &a, 3, T0 + 6).id;
        d.flag(&mut m, a.frank, T0 + 7, third, Hash::default())
            .unwrap();
        let ledger = AccountId::from(LEDGER);
        let reserved = d.pools().0.reserved;
        world(|w| w.balances.insert((Token::Biz, ledger), reserved));
        d.sync(&mut m, ledger).unwrap();
        let before = (d.pools(), d.receipt(third));
        assert_eq!(
            d.restore(gov, T0 + 8, third),
            Err(LedgerError::RewardsForfeited)
        );
        assert_eq!((d.pools(), d.receipt(third)), before);
    }

    #[ink::test]
    fn only_a_side_of_the_sale_opens_it() {
        let (mut d, _, a) = funded();
        assert_eq!(
            d.open(a.frank, T0, a.bob, a.django, order(1, 5_000)),
            Err(LedgerError::NotCounterparty)
        );
        let (_, events) = d
            .open(a.django, T0, a.bob, a.django, order(1, 5_000))
            .unwrap();
        match events {
            Some(LedgerEvent::ReceiptOpened(e)) => assert_eq!(e.opened_by, Side::Customer),
            other => panic!("{other:?}"),
        }
    }

    #[ink::test]
    fn claim_pays_once_per_token_whatever_the_entries() {
        let (mut d, mut m, a) = funded();
        let mut expected = 0;
        for i in 0..10 {
            expected += sale(&mut d, &mut m, &a, i, T0 + i).rewards.customer_time;
        }
        calls();
        assert_eq!(
            d.claim(&mut m, a.django, T0 + DAY - 1, 100),
            Err(LedgerError::NothingToClaim)
        );
        let events = d.claim(&mut m, a.django, T0 + 2 * DAY, 100).unwrap();
        assert_eq!(
            calls(),
            vec![Call::Transfer(Token::Time, a.django, expected)]
        );
        assert_eq!(balance(Token::Time, a.django), expected);
        assert_eq!(
            events.into_iter().collect::<Vec<_>>(),
            vec![LedgerEvent::RewardsClaimed(RewardsClaimed {
                account: a.django,
                biz: 0,
                time: expected,
                entries: 10,
                remaining: 0,
            })]
        );
        assert_eq!(d.queue(a.django), Queue::default());
        assert_eq!(d.pending_entry(a.django, 0), None);
    }

    #[ink::test]
    fn claim_is_bounded_by_max_and_skips_forfeited() {
        let (mut d, mut m, a) = funded();
        let r0 = sale(&mut d, &mut m, &a, 0, T0);
        let r1 = sale(&mut d, &mut m, &a, 1, T0 + 1);
        let r2 = sale(&mut d, &mut m, &a, 2, T0 + 2);
        d.flag(&mut m, a.frank, T0 + 3, r1.id, Hash::default())
            .unwrap();
        let later = T0 + 2 * DAY;
        assert_eq!(
            d.claimable(a.bob, later, 2),
            Ok((2, r0.rewards.merchant_biz, 0))
        );
        d.claim(&mut m, a.bob, later, 2).unwrap();
        assert_eq!(balance(Token::Biz, a.bob), r0.rewards.merchant_biz);
        assert_eq!(d.queue(a.bob), Queue { head: 2, tail: 3 });
        d.claim(&mut m, a.bob, later, 2).unwrap();
        assert_eq!(
            balance(Token::Biz, a.bob),
            r0.rewards.merchant_biz + r2.rewards.merchant_biz
        );
        assert_eq!(
            d.claim(&mut m, a.bob, later, 2),
            Err(LedgerError::NothingToClaim)
        );
        // Everything promised was paid or released: the pools balance.
        let (biz, _) = d.pools();
        let paid: Balance = [a.bob, a.charlie]
            .iter()
            .map(|x| balance(Token::Biz, *x))
            .sum();
        assert_eq!(
            biz.reserved,
            r0.rewards.merchant_referrer_biz + r2.rewards.merchant_referrer_biz
        );
        assert_eq!(biz.available + biz.reserved + paid, 1_000_000 * UNIT);
    }

    #[ink::test]
    fn a_failed_transfer_leaves_the_claim_pending() {
        let (mut d, mut m, a) = funded();
        sale(&mut d, &mut m, &a, 0, T0);
        let pools = d.pools();
        world(|w| w.tokens_down = true);
        assert_eq!(
            d.claim(&mut m, a.bob, T0 + DAY, 10),
            Err(LedgerError::TokenCallFailed)
        );
        assert_eq!(
            (d.queue(a.bob), d.pools()),
            (Queue { head: 0, tail: 1 }, pools)
        );
    }

    // ---- an indexer rebuilds BizPower from the events alone -----------------

    #[derive(Debug, Clone)]
    enum Op {
        Sale {
            merchant: usize,
            customer: usize,
            outside: bool,
            amount: u128,
            customer_first: bool,
        },
        Advance(u64),
        Flag,
        Refund,
        Claim(usize),
        Params(u32),
        Cancel,
        /// Governance forfeits up to this many of one of the five
        /// accounts' entries.
        Forfeit(usize, u32),
    }

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        prop_oneof![
            6 => (0usize..2, 0usize..3, any::<bool>(), 1u128..2_000_000, any::<bool>()).prop_map(
                |(merchant, customer, outside, amount, customer_first)| Op::Sale {
                    merchant, customer, outside, amount, customer_first
                }
            ),
            2 => (0u64..(2 * DAY)).prop_map(Op::Advance),
            1 => Just(Op::Flag),
            1 => Just(Op::Refund),
            1 => (0usize..5).prop_map(Op::Claim),
            1 => (0u32..=1_000_000).prop_map(Op::Params),
            1 => Just(Op::Cancel),
            1 => (0usize..5, 0u32..4).prop_map(|(who, max)| Op::Forfeit(who, max)),
        ]
    }

    /// Runs `ops`; checks after each step that the pools balance, and at the
    /// end that replaying the events through bizkey-math reproduces every
    /// confirmation's BizPower and novelty.
    fn check(ops: Vec<Op>) -> core::result::Result<(), proptest::test_runner::TestCaseError> {
        use proptest::prop_assert_eq;
        let (mut d, mut m, a) = funded();
        let merchants = [a.bob, a.charlie];
        let customers = [a.django, a.eve, a.frank];
        let everyone = [a.bob, a.charlie, a.django, a.eve, a.frank];
        let ledger = AccountId::from(LEDGER);
        let mut now = T0;
        let mut events = Vec::new();
        let mut last = None;
        for (i, op) in ops.into_iter().enumerate() {
            let result = match op {
                Op::Sale {
                    merchant,
                    customer,
                    outside,
                    amount,
                    customer_first,
                } => {
                    let o = Order {
                        order_time: now,
                        channel: if outside {
                            Channel::Outside
                        } else {
                            Channel::InStore
                        },
                        ..order(i as u64, amount)
                    };
                    let (mch, cus) = (merchants[merchant], customers[customer]);
                    let opener = if customer_first { cus } else { mch };
                    d.open(opener, now, mch, cus, o).and_then(|(id, ev)| {
                        last = Some(id);
                        let confirmer = if customer_first { mch } else { cus };
                        let mut all: Vec<_> = ev.into_iter().collect();
                        all.extend(d.confirm(&mut m, confirmer, now, id)?);
                        Ok(all)
                    })
                }
                Op::Advance(ms) => {
                    now += ms;
                    Ok(vec![])
                }
                Op::Flag => d
                    .flag(&mut m, a.alice, now, last.unwrap_or(0), Hash::default())
                    .map(Vec::from_iter),
                Op::Refund => {
                    let id = last.unwrap_or(0);
                    let merchant = d.receipt(id).map(|r| r.merchant).unwrap_or(a.bob);
                    d.refund(&mut m, merchant, now, id).map(Vec::from_iter)
                }
                Op::Claim(who) => d.claim(&mut m, everyone[who], now, 3).map(Vec::from_iter),
                Op::Params(w) => {
                    let p = LedgerParams {
                        weights: Weights {
                            outside: w / 2,
                            repeat: w - w / 2,
                            new: 1_000_000 - w,
                        },
                        window_ms: DAY / 2 + w as u64,
                        ..LedgerParams::default()
                    };
                    d.set_params(a.alice, p).map(Vec::from_iter)
                }
                Op::Cancel => d.cancel(a.bob, now, last.unwrap_or(0)).map(Vec::from_iter),
                Op::Forfeit(who, max) => d
                    .forfeit_pending(a.alice, everyone[who], max)
                    .map(Vec::from_iter),
            };
            if let Ok(ev) = result {
                events.extend(ev);
            }
            for token in [Token::Biz, Token::Time] {
                let pool = match token {
                    Token::Biz => d.pools().0,
                    Token::Time => d.pools().1,
                };
                prop_assert_eq!(pool.available + pool.reserved, balance(token, ledger));
                // and what is reserved is exactly what the pending entries
                // of still-confirmed receipts promise
                let promised: Balance = everyone
                    .iter()
                    .flat_map(|acc| {
                        let q = d.queue(*acc);
                        (q.head..q.tail).filter_map(|i| d.pending_entry(*acc, i))
                    })
                    .filter(|e| e.token == token)
                    .filter(|e| {
                        d.receipt(e.receipt)
                            .is_some_and(|r| r.status == ReceiptStatus::Confirmed)
                    })
                    .map(|e| e.amount)
                    .sum();
                prop_assert_eq!(pool.reserved, promised);
            }
        }

        // The indexer's replay.
        let mut params = LedgerParams::default();
        // (the merchants' `MerchantSynced` of set-up, before these events)
        let mut costs: HashMap<AccountId, ShopCost> =
            world(|w| w.merchants.iter().map(|(m, i)| (*m, i.cost)).collect());
        let mut orders: HashMap<ReceiptId, Order> = HashMap::new();
        let mut windows: HashMap<AccountId, MerchantWindow> = HashMap::new();
        let mut visits: HashMap<(AccountId, AccountId), Visit> = HashMap::new();
        for event in events {
            match event {
                LedgerEvent::ParamsChanged(e) => params = e.params,
                LedgerEvent::MerchantSynced(e) => {
                    costs.insert(e.merchant, e.info.cost);
                }
                LedgerEvent::ReceiptOpened(e) => {
                    orders.insert(e.id, e.order);
                }
                LedgerEvent::ReceiptConfirmed(e) => {
                    let o = orders[&e.id];
                    let outcome = record_sale(
                        windows.entry(e.merchant).or_default(),
                        visits.entry((e.merchant, e.customer)).or_default(),
                        &Sale {
                            channel: o.channel,
                            amount: o.amount,
                            at: e.confirmed_at,
                        },
                        params.window_ms,
                        &params.weights,
                        &costs[&e.merchant],
                    );
                    prop_assert_eq!(outcome.bizpower, e.bizpower);
                    prop_assert_eq!(outcome.earlier_in_window, e.earlier_in_window);
                    prop_assert_eq!(outcome.first_ever, e.first_at_merchant);
                }
                _ => {}
            }
        }
        for (merchant, window) in windows {
            prop_assert_eq!(Some(window), d.merchant_state(merchant).map(|s| s.window));
        }
        Ok(())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn pools_balance_and_events_replay(ops in proptest::collection::vec(op(), 1..40)) {
            let mut outcome = Ok(());
            test::run_test::<Env, _>(|_| {
                outcome = check(ops);
                Ok(())
            })
            .unwrap();
            outcome?;
        }
    }
}

// ---- the messages ----------------------------------------------------------------

/// A deployed ledger (alice admin, registry = alice's "registry" account
/// in the model), funded with 1,000,000 Biz and Time, synced.
fn deploy() -> (Ledger, test::DefaultAccounts<Env>) {
    let a = setup();
    test::set_caller::<Env>(a.alice);
    test::set_block_timestamp::<Env>(T0);
    let mut ledger = Ledger::new(
        a.alice,
        [0xB1; 32].into(),
        [0x71; 32].into(),
        RewardCaps::NONE,
    );
    push_registry(&mut ledger.data, a.alice);
    let me = test::callee::<Env>();
    give(Token::Biz, me, 1_000_000 * UNIT);
    give(Token::Time, me, 1_000_000 * UNIT);
    ledger.sync().unwrap();
    calls();
    (ledger, a)
}

/// The merchant-first flow: the caller records a sale to `customer`.
fn record(l: &mut Ledger, customer: AccountId, order: Order) -> Result<ReceiptId> {
    l.record(customer, order)
}

/// An account's FIFO and its entry at `index`.
fn pending(l: &Ledger, account: AccountId, index: u64) -> (Queue, Option<PendingEntry>) {
    (l.data.queue(account), l.data.pending_entry(account, index))
}

fn as_caller(who: AccountId) {
    test::set_caller::<Env>(who);
}

fn at(ms: u64) {
    test::set_block_timestamp::<Env>(ms);
}

fn emitted() -> Vec<test::EmittedEvent> {
    test::recorded_events().collect()
}

fn last_event<E: scale::Decode + ink::env::Event>() -> E {
    let e = emitted().pop().expect("an event");
    assert_eq!(
        e.topics[0].as_slice(),
        E::SIGNATURE_TOPIC.expect("not anonymous").as_slice()
    );
    <E as scale::Decode>::decode(&mut &e.data[..]).expect("decodes")
}

/// bob records order `n` of ¥50 for django; django confirms.
fn sale(l: &mut Ledger, a: &test::DefaultAccounts<Env>, n: u64) -> ReceiptId {
    as_caller(a.bob);
    let id = record(l, a.django, order(n, 5_000)).unwrap();
    as_caller(a.django);
    l.confirm(id).unwrap();
    id
}

/// The bytes the ledger sends are the tokens' `PSP22` messages and the
/// super-node contract's `covers`, arguments included, and it reads their
/// answers.
#[test]
fn out_calls_are_the_psp22_and_super_node_messages() {
    use bizkey_types::{psp22::PSP22, super_nodes::SuperNodesApi};
    use ink::codegen::TraitCallBuilder;
    use scale::{Decode, Encode};
    let (at, to) = (AccountId::from([1; 32]), AccountId::from([2; 32]));
    let mut full: ink::contract_ref!(PSP22, Env) = at.into();
    let sent = |call: OutCall| {
        let (selector, args) = call.input();
        [&selector[..], args.as_slice()].concat()
    };
    assert_eq!(
        sent(OutCall::BalanceOf(at)),
        full.call().balance_of(at).params().exec_input().encode()
    );
    assert_eq!(
        sent(OutCall::Transfer(to, 5)),
        full.call_mut()
            .transfer(to, 5, vec![])
            .params()
            .exec_input()
            .encode()
    );
    assert_eq!(
        sent(OutCall::TransferFrom(at, to, u128::MAX)),
        full.call_mut()
            .transfer_from(at, to, u128::MAX, vec![])
            .params()
            .exec_input()
            .encode()
    );
    let nodes: ink::contract_ref!(SuperNodesApi, Env) = at.into();
    assert_eq!(
        sent(OutCall::Covers(at, to)),
        nodes.call().covers(at, to).params().exec_input().encode()
    );
    // `covers`' `true` is the single byte 1.
    assert_eq!(
        Output::decode(&mut &true.encode()[..]).unwrap().as_slice(),
        [1]
    );
    // Answers: `Ok(())` is one zero byte, a balance its 16 bytes; no
    // answer is longer.
    let ok: core::result::Result<(), bizkey_types::psp22::PSP22Error> = Ok(());
    assert_eq!(
        Output::decode(&mut &ok.encode()[..]).unwrap().as_slice(),
        [0]
    );
    let balance = 7u128.encode();
    assert_eq!(
        Output::decode(&mut &balance[..]).unwrap().as_slice(),
        balance
    );
    assert!(Output::decode(&mut &[0u8; 17][..]).is_err());
}

#[ink::test]
fn new_sets_roles_params_and_tokens() {
    let (l, a) = deploy();
    assert_eq!(l.data.role(Role::Admin), Some(a.alice));
    assert_eq!(l.data.role(Role::Registry), Some(a.alice));
    assert_eq!(
        (l.data.role(Role::Governance), l.data.role(Role::Reporter)),
        (None, None)
    );
    assert_eq!(l.data.role(Role::Ledger), None);
    assert_eq!(l.data.params(), LedgerParams::default());
}

#[ink::test]
fn record_message() {
    let (mut l, a) = deploy();
    as_caller(a.bob);
    let id = record(&mut l, a.django, order(7, 5_000)).unwrap();
    assert_eq!(id, 0);
    assert_eq!(l.data.receipt_id(a.bob, 7), Some(0));
    let opened = last_event::<ReceiptOpened>();
    assert_eq!(
        opened,
        ReceiptOpened {
            id: 0,
            merchant: a.bob,
            customer: a.django,
            opened_by: Side::Merchant,
            order: order(7, 5_000),
            opened_at: T0,
            expires_at: T0 + 3 * DAY,
        }
    );
    // Opening reads the ledger's copy of the merchant: no registry call.
    assert!(calls().is_empty());
    use bizkey_types::ledger::LedgerApi;
    let r = l.receipt(0).unwrap();
    assert_eq!(
        (r.status, r.opened_by, r.deadline),
        (ReceiptStatus::Open, Side::Merchant, T0 + 3 * DAY)
    );
}

#[ink::test]
fn record_errors() {
    let (mut l, a) = deploy();
    as_caller(a.bob);
    assert_eq!(
        record(&mut l, a.bob, order(1, 5_000)),
        Err(LedgerError::SelfDealing)
    );
    assert_eq!(
        record(&mut l, a.django, order(1, 0)),
        Err(LedgerError::InvalidOrder)
    );
    let future = Order {
        order_time: T0 + 1,
        ..order(1, 5_000)
    };
    assert_eq!(
        record(&mut l, a.django, future),
        Err(LedgerError::InvalidOrder)
    );
    // 30 % of ¥50 is 15 Time; one unit more is refused.
    let cap = 15 * UNIT;
    let over = Order {
        time_paid: cap + 1,
        ..order(1, 5_000)
    };
    assert_eq!(
        record(&mut l, a.django, over),
        Err(LedgerError::TimeShareExceeded)
    );
    let max = Order {
        time_paid: cap,
        ..order(1, 5_000)
    };
    record(&mut l, a.django, max).unwrap();
    assert_eq!(
        record(&mut l, a.django, order(1, 9)),
        Err(LedgerError::DuplicateOrder)
    );
    as_caller(a.eve);
    assert_eq!(
        record(&mut l, a.django, order(1, 5_000)),
        Err(LedgerError::MerchantNotFound)
    );
    l.data
        .registry_changed(
            a.alice,
            a.eve,
            RegistryEntry::Merchant(MerchantInfo {
                status: MerchantStatus::Pending,
                ..verified(None, T0)
            }),
        )
        .unwrap();
    assert_eq!(
        record(&mut l, a.django, order(1, 5_000)),
        Err(LedgerError::MerchantNotVerified)
    );
    assert_eq!(l.data.receipt_id(a.eve, 1), None);
}

#[ink::test]
fn registry_changed_message_merchants() {
    use bizkey_types::ledger::LedgerApi;
    let (mut l, a) = deploy();
    let suspended = MerchantInfo {
        status: MerchantStatus::Suspended,
        ..verified(Some(a.charlie), T0)
    };
    // Only the registry (alice's account in these tests) pushes.
    as_caller(a.bob);
    assert_eq!(
        l.registry_changed(a.bob, RegistryEntry::Merchant(suspended)),
        Err(LedgerError::Unauthorized)
    );
    assert_eq!(
        l.merchant_state(a.bob).map(|s| s.info),
        Some(verified(Some(a.charlie), T0))
    );
    // A sale builds bob's window; the suspension keeps it and stops sales.
    sale(&mut l, &a, 1);
    let MerchantState { window, today, .. } = l.merchant_state(a.bob).unwrap();
    let n = emitted().len();
    as_caller(a.alice);
    l.registry_changed(a.bob, RegistryEntry::Merchant(suspended))
        .unwrap();
    assert_eq!(
        last_event::<MerchantSynced>(),
        MerchantSynced {
            merchant: a.bob,
            info: suspended
        }
    );
    assert_eq!(
        l.merchant_state(a.bob),
        Some(MerchantState {
            info: suspended,
            window,
            today
        })
    );
    // The same data again: nothing to record.
    l.registry_changed(a.bob, RegistryEntry::Merchant(suspended))
        .unwrap();
    assert_eq!(emitted().len(), n + 1);
    as_caller(a.bob);
    assert_eq!(
        record(&mut l, a.django, order(2, 5_000)),
        Err(LedgerError::MerchantNotVerified)
    );
    // A registry handed over: the old one is a stranger.
    as_caller(a.alice);
    l.set_role(Role::Registry, Some(a.frank)).unwrap();
    assert_eq!(
        l.registry_changed(a.bob, RegistryEntry::Merchant(verified(None, T0))),
        Err(LedgerError::Unauthorized)
    );
    as_caller(a.frank);
    l.registry_changed(a.bob, RegistryEntry::Merchant(verified(None, T0)))
        .unwrap();
    as_caller(a.bob);
    record(&mut l, a.django, order(2, 5_000)).unwrap();
}

#[ink::test]
fn registry_changed_message_customers() {
    use bizkey_types::ledger::LedgerApi;
    let (mut l, a) = deploy();
    // Only the registry (alice's account in these tests) pushes.
    as_caller(a.bob);
    let frank = registered(Some(a.eve), CustomerStatus::Active);
    assert_eq!(
        l.registry_changed(a.frank, RegistryEntry::Customer(frank)),
        Err(LedgerError::Unauthorized)
    );
    assert_eq!(l.customer(a.frank), None);
    as_caller(a.alice);
    let n = emitted().len();
    l.registry_changed(a.frank, RegistryEntry::Customer(frank))
        .unwrap();
    assert_eq!(l.customer(a.frank), Some(frank));
    assert_eq!(emitted().len(), n, "the registry emits its own event");
    // A known customer takes a new status, never a new referrer.
    assert_eq!(
        l.registry_changed(
            a.frank,
            RegistryEntry::Customer(registered(Some(a.django), CustomerStatus::Active))
        ),
        Err(LedgerError::CustomerExists)
    );
    let suspended = registered(Some(a.eve), CustomerStatus::Suspended);
    l.registry_changed(
        a.frank,
        RegistryEntry::Customer(Customer {
            registered_at: T0,
            ..suspended
        }),
    )
    .unwrap();
    assert_eq!(l.customer(a.frank), Some(suspended));
    // The suspension stops frank's purchases at once, without a call out.
    as_caller(a.bob);
    let id = record(&mut l, a.frank, order(1, 5_000)).unwrap();
    calls();
    as_caller(a.frank);
    assert_eq!(l.confirm(id), Err(LedgerError::CustomerNotActive));
    assert_eq!(calls(), vec![]);
    // Reinstated, frank's first purchase pays eve's referral bonus.
    as_caller(a.alice);
    l.registry_changed(a.frank, RegistryEntry::Customer(frank))
        .unwrap();
    as_caller(a.frank);
    l.confirm(id).unwrap();
    let c = last_event::<ReceiptConfirmed>();
    assert!(c.first_purchase);
    assert_eq!(c.rewards.customer_referrer, Some(a.eve));
}

#[ink::test]
fn a_customer_unknown_to_the_registry_exists_from_its_first_purchase() {
    use bizkey_types::ledger::LedgerApi;
    let (mut l, a) = deploy();
    assert_eq!(l.customer(a.frank), None);
    as_caller(a.bob);
    let id = record(&mut l, a.frank, order(1, 5_000)).unwrap();
    at(T0 + 5);
    as_caller(a.frank);
    l.confirm(id).unwrap();
    let c = last_event::<ReceiptConfirmed>();
    assert!(c.first_purchase);
    assert_eq!(c.rewards.customer_referrer, None);
    assert_eq!(
        l.customer(a.frank),
        Some(Customer {
            referrer: None,
            status: CustomerStatus::Active,
            registered_at: T0 + 5,
        })
    );
    // Registering later adds no referrer (the bonus belonged to the first
    // purchase); the registry's status pushes still apply.
    as_caller(a.alice);
    assert_eq!(
        l.registry_changed(
            a.frank,
            RegistryEntry::Customer(registered(Some(a.eve), CustomerStatus::Active))
        ),
        Err(LedgerError::CustomerExists)
    );
    l.registry_changed(
        a.frank,
        RegistryEntry::Customer(registered(None, CustomerStatus::Removed)),
    )
    .unwrap();
    assert_eq!(
        l.customer(a.frank).map(|c| (c.status, c.registered_at)),
        Some((CustomerStatus::Removed, T0 + 5))
    );
}

#[ink::test]
fn open_message_customer_first() {
    let (mut l, a) = deploy();
    as_caller(a.django);
    let paying = Order {
        time_paid: 2 * UNIT,
        ..order(1, 5_000)
    };
    let id = l.open(a.bob, paying).unwrap();
    let e = last_event::<ReceiptOpened>();
    assert_eq!(
        (e.opened_by, e.merchant, e.customer),
        (Side::Customer, a.bob, a.django)
    );
    assert_eq!(
        l.open(a.django, order(2, 5_000)),
        Err(LedgerError::SelfDealing)
    );
    // The customer cannot confirm its own opening; the merchant can.
    assert_eq!(l.confirm(id), Err(LedgerError::NotCounterparty));
    give(Token::Time, a.django, 5 * UNIT);
    world(|w| w.allowances.insert(a.django, 2 * UNIT));
    as_caller(a.bob);
    l.confirm(id).unwrap();
    assert_eq!(balance(Token::Time, a.bob), 2 * UNIT);
    assert_eq!(last_event::<ReceiptConfirmed>().time_paid, 2 * UNIT);
    // Confirmed, the order id is the merchant's for good.
    assert_eq!(l.data.receipt_id(a.bob, 1), Some(id));
    as_caller(a.django);
    assert_eq!(
        l.open(a.bob, order(1, 5_000)),
        Err(LedgerError::DuplicateOrder)
    );
}

/// A stranger opening receipts with a merchant's order ids does not block
/// them: a customer's opening takes its order id only when the merchant
/// confirms it, and the merchant's own record wins.
#[ink::test]
fn opening_with_a_merchants_order_id_does_not_block_it() {
    let (mut l, a) = deploy();
    as_caller(a.frank);
    let grief = l.open(a.bob, order(7, 5_000)).unwrap();
    // a second opening with the same id is no duplicate either
    let grief2 = l.open(a.bob, order(7, 5_000)).unwrap();
    assert_eq!(l.data.receipt_id(a.bob, 7), None);

    as_caller(a.bob);
    let own = record(&mut l, a.django, order(7, 5_000)).unwrap();
    assert_eq!(l.data.receipt_id(a.bob, 7), Some(own));
    assert_eq!(l.confirm(grief), Err(LedgerError::DuplicateOrder));
    as_caller(a.django);
    l.confirm(own).unwrap();

    // the merchant confirms a customer's opening: then it is taken
    as_caller(a.frank);
    let first = l.open(a.bob, order(8, 5_000)).unwrap();
    let second = l.open(a.bob, order(8, 5_000)).unwrap();
    as_caller(a.bob);
    l.confirm(first).unwrap();
    assert_eq!(l.data.receipt_id(a.bob, 8), Some(first));
    assert_eq!(l.confirm(second), Err(LedgerError::DuplicateOrder));
    assert_eq!(
        record(&mut l, a.django, order(8, 5_000)),
        Err(LedgerError::DuplicateOrder)
    );
    assert_eq!(
        l.data.receipt(grief2).map(|r| r.status),
        Some(ReceiptStatus::Open)
    );
}

#[ink::test]
fn confirm_message() {
    let (mut l, a) = deploy();
    as_caller(a.bob);
    let id = record(&mut l, a.django, order(1, 5_000)).unwrap();
    // Neither the opener nor a stranger can confirm.
    for who in [a.bob, a.frank, a.alice] {
        as_caller(who);
        assert_eq!(l.confirm(id), Err(LedgerError::NotCounterparty));
    }
    as_caller(a.django);
    assert_eq!(l.confirm(99), Err(LedgerError::ReceiptNotFound));
    at(T0 + 5);
    l.confirm(id).unwrap();
    let e = last_event::<ReceiptConfirmed>();
    assert_eq!(
        (e.id, e.confirmed_at, e.matures_at),
        (id, T0 + 5, T0 + 5 + DAY)
    );
    assert_eq!(e.rewards.customer_referrer, Some(a.eve));
    assert_eq!(e.rewards.merchant_referrer, Some(a.charlie));
    use bizkey_types::ledger::LedgerApi;
    let r = l.receipt(id).unwrap();
    assert_eq!(
        (r.status, r.completed_at, r.deadline),
        (ReceiptStatus::Confirmed, T0 + 5, T0 + 5 + DAY)
    );
    assert_eq!(
        r.biz,
        e.rewards.merchant_biz + e.rewards.merchant_referrer_biz
    );
    assert_eq!(
        (r.time, r.referral_time),
        (e.rewards.customer_time, e.rewards.customer_referrer_time)
    );
    assert_eq!(l.confirm(id), Err(LedgerError::NotOpen));
    assert_eq!(
        pending(&l, a.django, 0).1.map(|p| p.amount),
        Some(e.rewards.customer_time)
    );
    assert_eq!(
        l.data
            .merchant_state(a.bob)
            .unwrap()
            .window
            .stats
            .in_store_orders,
        1
    );
}

#[ink::test]
fn confirm_errors() {
    let (mut l, a) = deploy();
    as_caller(a.bob);
    let late = record(&mut l, a.django, order(1, 5_000)).unwrap();
    at(T0 + 3 * DAY);
    as_caller(a.django);
    assert_eq!(l.confirm(late), Err(LedgerError::Expired));

    // A suspended customer cannot make its first purchase.
    l.data
        .registry_changed(
            a.alice,
            a.frank,
            RegistryEntry::Customer(registered(None, CustomerStatus::Suspended)),
        )
        .unwrap();
    as_caller(a.bob);
    let id = record(&mut l, a.frank, order(2, 5_000)).unwrap();
    as_caller(a.frank);
    assert_eq!(l.confirm(id), Err(LedgerError::CustomerNotActive));

    // Time paid needs the customer's allowance.
    as_caller(a.bob);
    let paying = record(
        &mut l,
        a.eve,
        Order {
            time_paid: UNIT,
            ..order(3, 5_000)
        },
    )
    .unwrap();
    as_caller(a.eve);
    assert_eq!(l.confirm(paying), Err(LedgerError::TimePaymentFailed));
    assert_eq!(
        l.data
            .merchant_state(a.bob)
            .unwrap()
            .window
            .stats
            .in_store_orders,
        0
    );

    // A receipt of a merchant suspended since stays confirmable; one of a
    // merchant removed since is not paid.
    as_caller(a.bob);
    let open = record(&mut l, a.eve, order(4, 5_000)).unwrap();
    let other = record(&mut l, a.eve, order(5, 5_000)).unwrap();
    for (status, id, result) in [
        (MerchantStatus::Suspended, open, Ok(())),
        (
            MerchantStatus::Removed,
            other,
            Err(LedgerError::MerchantNotVerified),
        ),
    ] {
        let info = MerchantInfo {
            status,
            ..verified(Some(a.charlie), T0)
        };
        l.data
            .registry_changed(a.alice, a.bob, RegistryEntry::Merchant(info))
            .unwrap();
        as_caller(a.eve);
        assert_eq!(l.confirm(id), result, "{status:?}");
    }
}

#[ink::test]
fn cancel_message() {
    let (mut l, a) = deploy();
    as_caller(a.bob);
    let id = record(&mut l, a.django, order(1, 5_000)).unwrap();
    as_caller(a.frank);
    assert_eq!(l.cancel(id), Err(LedgerError::NotCounterparty));
    assert_eq!(l.cancel(9), Err(LedgerError::ReceiptNotFound));
    as_caller(a.django);
    l.cancel(id).unwrap();
    assert_eq!(
        last_event::<ReceiptCancelled>(),
        ReceiptCancelled {
            id,
            by: a.django,
            expired: false
        }
    );
    assert_eq!(l.cancel(id), Err(LedgerError::NotOpen));
    assert_eq!(l.confirm(id), Err(LedgerError::NotOpen));
    // The order id stays used.
    as_caller(a.bob);
    assert_eq!(
        record(&mut l, a.django, order(1, 5_000)),
        Err(LedgerError::DuplicateOrder)
    );
    // Anyone may clear an expired receipt.
    let id = record(&mut l, a.django, order(2, 5_000)).unwrap();
    at(T0 + 3 * DAY);
    as_caller(a.frank);
    l.cancel(id).unwrap();
    assert_eq!(
        last_event::<ReceiptCancelled>(),
        ReceiptCancelled {
            id,
            by: a.frank,
            expired: true
        }
    );
}

#[ink::test]
fn flag_message() {
    let (mut l, a) = deploy();
    l.set_role(Role::Reporter, Some(a.frank)).unwrap();
    as_caller(a.bob);
    let open = record(&mut l, a.django, order(1, 5_000)).unwrap();
    let id = sale(&mut l, &a, 2);
    for who in [a.bob, a.django, a.eve] {
        as_caller(who);
        assert_eq!(l.flag(id, Hash::default()), Err(LedgerError::Unauthorized));
    }
    as_caller(a.frank);
    assert_eq!(
        l.flag(open, Hash::default()),
        Err(LedgerError::NotConfirmed)
    );
    assert_eq!(
        l.flag(42, Hash::default()),
        Err(LedgerError::ReceiptNotFound)
    );
    let before = l.data.pools();
    use bizkey_types::ledger::LedgerApi;
    let r = l.receipt(id).unwrap();
    l.flag(id, [9; 32].into()).unwrap();
    assert_eq!(
        last_event::<ReceiptFlagged>(),
        ReceiptFlagged {
            id,
            by: a.frank,
            evidence: [9; 32].into(),
            biz_forfeited: r.biz,
            time_forfeited: r.time + r.referral_time,
        }
    );
    let after = l.data.pools();
    assert_eq!(after.0.available, before.0.available + r.biz);
    assert_eq!(after.0.reserved, 0);
    assert_eq!(after.1.reserved, 0);
    assert_eq!(l.flag(id, Hash::default()), Err(LedgerError::NotConfirmed));
    // The window closes after a day; the admin may flag inside it.
    let id = sale(&mut l, &a, 3);
    at(T0 + DAY);
    as_caller(a.alice);
    assert_eq!(l.flag(id, Hash::default()), Err(LedgerError::WindowClosed));
    at(T0);
    let id2 = sale(&mut l, &a, 4);
    as_caller(a.alice);
    l.flag(id2, Hash::default()).unwrap();
    // Nothing of the flagged receipts is ever paid.
    at(T0 + 2 * DAY);
    as_caller(a.django);
    let (_, time) = l.claim(10).unwrap();
    assert_eq!(time, l.receipt(id).unwrap().time);
}

#[ink::test]
fn restore_message() {
    let (mut l, a) = deploy();
    l.set_role(Role::Governance, Some(a.eve)).unwrap();
    let id = sale(&mut l, &a, 1);
    as_caller(a.alice);
    l.flag(id, Hash::default()).unwrap();
    // The authority may flag, not restore.
    assert_eq!(l.restore(id), Err(LedgerError::Unauthorized));
    as_caller(a.eve);
    at(T0 + 5);
    l.restore(id).unwrap();
    use bizkey_types::ledger::LedgerApi;
    let r = l.receipt(id).unwrap();
    assert_eq!(r.status, ReceiptStatus::Confirmed);
    assert_eq!(
        last_event::<ReceiptRestored>(),
        ReceiptRestored {
            id,
            biz: r.biz,
            time: r.time + r.referral_time,
            matures_at: T0 + 5,
        }
    );
    as_caller(a.django);
    assert_eq!(l.claim(10), Ok((0, r.time)));
}

#[ink::test]
fn refund_message() {
    let (mut l, a) = deploy();
    as_caller(a.bob);
    let id = record(
        &mut l,
        a.django,
        Order {
            time_paid: 3 * UNIT,
            ..order(1, 5_000)
        },
    )
    .unwrap();
    give(Token::Time, a.django, 3 * UNIT);
    world(|w| w.allowances.insert(a.django, 3 * UNIT));
    as_caller(a.bob);
    assert_eq!(l.refund(id), Err(LedgerError::NotConfirmed));
    as_caller(a.django);
    l.confirm(id).unwrap();
    assert_eq!(l.refund(id), Err(LedgerError::NotCounterparty));
    as_caller(a.bob);
    // Returning the Time needs the merchant's allowance.
    assert_eq!(l.refund(id), Err(LedgerError::TimePaymentFailed));
    world(|w| w.allowances.insert(a.bob, 3 * UNIT));
    l.refund(id).unwrap();
    let e = last_event::<ReceiptRefunded>();
    assert_eq!(e.time_returned, 3 * UNIT);
    assert_eq!(balance(Token::Time, a.django), 3 * UNIT);
    assert_eq!(
        (l.data.pools().0.reserved, l.data.pools().1.reserved),
        (0, 0)
    );
    assert_eq!(l.refund(id), Err(LedgerError::NotConfirmed));
    assert_eq!(l.refund(77), Err(LedgerError::ReceiptNotFound));
    let id = sale(&mut l, &a, 2);
    at(T0 + DAY);
    as_caller(a.bob);
    assert_eq!(l.refund(id), Err(LedgerError::WindowClosed));
}

#[ink::test]
fn claim_message() {
    let (mut l, a) = deploy();
    as_caller(a.bob);
    assert_eq!(l.claim(10), Err(LedgerError::NothingToClaim));
    let ids: Vec<_> = (0..5).map(|n| sale(&mut l, &a, n)).collect();
    as_caller(a.bob);
    assert_eq!(l.claim(10), Err(LedgerError::NothingToClaim));
    at(T0 + DAY);
    assert_eq!(l.claim(0), Err(LedgerError::NothingToClaim));
    use bizkey_types::ledger::LedgerApi;
    let owed: Balance = ids
        .iter()
        .map(|id| l.receipt(*id).unwrap().biz)
        .sum::<Balance>();
    let referrer_share: Balance = (0..5)
        .map(|i| pending(&l, a.charlie, i).1.unwrap().amount)
        .sum();
    assert_eq!(
        l.data.claimable(a.bob, T0 + DAY, 10),
        Ok((5, owed - referrer_share, 0))
    );
    calls();
    assert_eq!(l.claim(10), Ok((owed - referrer_share, 0)));
    assert_eq!(
        calls(),
        vec![Call::Transfer(Token::Biz, a.bob, owed - referrer_share)]
    );
    let e = last_event::<RewardsClaimed>();
    assert_eq!((e.account, e.entries, e.remaining), (a.bob, 5, 0));
    assert_eq!(pending(&l, a.bob, 0), (Queue::default(), None));
    as_caller(a.charlie);
    // The referrer's first two entries (halving with novelty).
    let first_two =
        pending(&l, a.charlie, 0).1.unwrap().amount + pending(&l, a.charlie, 1).1.unwrap().amount;
    assert_eq!(
        pending(&l, a.charlie, 1).1.unwrap().amount * 2,
        pending(&l, a.charlie, 0).1.unwrap().amount
    );
    assert_eq!(l.claim(2), Ok((first_two, 0)));
    world(|w| w.tokens_down = true);
    assert_eq!(l.claim(10), Err(LedgerError::TokenCallFailed));
    assert_eq!(pending(&l, a.charlie, 0).0, Queue { head: 2, tail: 5 });
}

#[ink::test]
fn sync_message() {
    let (mut l, _a) = deploy();
    assert_eq!(
        last_event::<PoolSynced>(),
        PoolSynced {
            biz: Pool {
                available: 1_000_000 * UNIT,
                reserved: 0
            },
            time: Pool {
                available: 1_000_000 * UNIT,
                reserved: 0
            },
        }
    );
    let a = accounts();
    sale(&mut l, &a, 1);
    let reserved = l.data.pools().0.reserved;
    give(Token::Biz, test::callee::<Env>(), 5 * UNIT);
    l.sync().unwrap();
    assert_eq!(
        l.data.pools().0,
        Pool {
            available: 1_000_005 * UNIT - reserved,
            reserved
        }
    );
    world(|w| w.tokens_down = true);
    assert_eq!(l.sync(), Err(LedgerError::TokenCallFailed));
}

#[ink::test]
fn set_params_message() {
    let (mut l, a) = deploy();
    let short = LedgerParams {
        challenge_ms: 1_000,
        ..LedgerParams::default()
    };
    as_caller(a.eve);
    assert_eq!(l.set_params(short), Err(LedgerError::Unauthorized));
    as_caller(a.alice);
    let p = LedgerParams::default();
    for bad in [
        LedgerParams {
            weights: Weights {
                outside: 1,
                repeat: 1,
                new: 1,
            },
            ..p
        },
        LedgerParams { window_ms: 0, ..p },
        LedgerParams { expiry_ms: 0, ..p },
        LedgerParams {
            expiry_ms: MAX_PERIOD_MS + 1,
            ..p
        },
        LedgerParams {
            challenge_ms: MAX_PERIOD_MS + 1,
            ..p
        },
        LedgerParams {
            merchant_referral_ppm: 1_000_001,
            ..p
        },
        LedgerParams {
            reward: bizkey_types::math::RewardParams {
                cashback_ppm: 1_000_001,
                ..p.reward
            },
            ..p
        },
        LedgerParams {
            reward: bizkey_types::math::RewardParams {
                reference_bizpower: 0,
                ..p.reward
            },
            ..p
        },
    ] {
        assert_eq!(l.set_params(bad), Err(LedgerError::InvalidParams));
    }
    l.set_params(short).unwrap();
    assert_eq!(
        last_event::<ParamsChanged>(),
        ParamsChanged { params: short }
    );
    assert_eq!(l.data.params(), short);
    // Governance may set them too.
    l.set_role(Role::Governance, Some(a.frank)).unwrap();
    as_caller(a.frank);
    let no_referral = LedgerParams {
        merchant_referral_ppm: 0,
        challenge_ms: 0,
        ..short
    };
    l.set_params(no_referral).unwrap();
    assert_eq!(l.data.params(), no_referral);
}

#[ink::test]
fn constructor_and_set_caps_message() {
    let a = setup();
    test::set_caller::<Env>(a.alice);
    let (biz, time) = ([0xB1; 32].into(), [0x71; 32].into());
    let mut l = Ledger::new(a.alice, biz, time, RewardCaps::default());
    assert_eq!(l.data.caps(), RewardCaps::default());
    let caps = RewardCaps {
        receipt_time: UNIT,
        ..RewardCaps::default()
    };
    // The authority cannot; governance can.
    assert_eq!(l.set_caps(caps), Err(LedgerError::Unauthorized));
    l.set_role(Role::Governance, Some(a.eve)).unwrap();
    assert_eq!(l.set_caps(caps), Err(LedgerError::Unauthorized));
    as_caller(a.eve);
    let n = emitted().len();
    assert_eq!(l.set_caps(caps), Ok(()));
    // (no event: governance's executed proposal records the caps)
    assert_eq!(emitted().len(), n);
    assert_eq!(l.data.caps(), caps);
    assert_eq!(l.params(), LedgerParams::default());
}

#[ink::test]
fn set_role_message() {
    let (mut l, a) = deploy();
    for who in [a.bob, a.frank] {
        as_caller(who);
        assert_eq!(
            l.set_role(Role::Reporter, Some(who)),
            Err(LedgerError::Unauthorized)
        );
    }
    as_caller(a.alice);
    assert_eq!(
        l.set_role(Role::Ledger, Some(a.bob)),
        Err(LedgerError::InvalidRole)
    );
    l.set_role(Role::Reporter, Some(a.frank)).unwrap();
    assert_eq!(
        last_event::<RoleChanged>(),
        RoleChanged {
            role: Role::Reporter,
            account: Some(a.frank)
        }
    );
    // Hand-over: governance takes over, the authority renounces.
    l.set_role(Role::Governance, Some(a.eve)).unwrap();
    as_caller(a.eve);
    l.set_role(Role::Admin, None).unwrap();
    assert_eq!(l.data.role(Role::Admin), None);
    as_caller(a.alice);
    assert_eq!(
        l.set_params(LedgerParams::default()),
        Err(LedgerError::Unauthorized)
    );
    assert_eq!(
        l.set_role(Role::Admin, Some(a.alice)),
        Err(LedgerError::Unauthorized)
    );
    // A new registry contract can be wired in.
    as_caller(a.eve);
    l.set_role(Role::Registry, Some(a.charlie)).unwrap();
    assert_eq!(l.data.role(Role::Registry), Some(a.charlie));
    // The reporter flags but holds no other power.
    as_caller(a.frank);
    assert_eq!(
        l.set_role(Role::Reporter, None),
        Err(LedgerError::Unauthorized)
    );
}

#[ink::test]
fn forfeit_pending_message() {
    use bizkey_types::ledger::LedgerApi;
    let (mut l, a) = deploy();
    // django's first purchase: bob's referrer charlie earns Biz, django's
    // referrer eve the Time bonus; then a repeat purchase.
    let first = sale(&mut l, &a, 1);
    at(T0 + 1_000);
    let second = sale(&mut l, &a, 2);
    let (r1, r2) = (l.receipt(first).unwrap(), l.receipt(second).unwrap());
    assert!(r1.time > 0 && r1.referral_time > 0 && r2.time > 0);
    for who in [a.bob, a.django, a.frank] {
        as_caller(who);
        assert_eq!(
            l.forfeit_pending(a.django, 10),
            Err(LedgerError::Unauthorized)
        );
    }

    // when the authority forfeits django's pending rewards, one at a time
    let (biz, time) = l.data.pools();
    as_caller(a.alice);
    l.forfeit_pending(a.django, 1).unwrap();
    assert_eq!(
        last_event::<PendingForfeited>(),
        PendingForfeited {
            account: a.django,
            biz: 0,
            time: r1.time,
            entries: 1,
            remaining: 1,
        }
    );
    assert_eq!(l.data.queue(a.django), Queue { head: 1, tail: 2 });
    l.forfeit_pending(a.django, 10).unwrap();

    // then both entries are gone and their Time is available again
    assert_eq!(
        last_event::<PendingForfeited>(),
        PendingForfeited {
            account: a.django,
            biz: 0,
            time: r2.time,
            entries: 1,
            remaining: 0,
        }
    );
    assert_eq!(l.data.queue(a.django), Queue::default());
    let (biz_after, time_after) = l.data.pools();
    assert_eq!(biz_after, biz);
    assert_eq!(time_after.reserved, time.reserved - r1.time - r2.time);
    assert_eq!(time_after.available, time.available + r1.time + r2.time);
    // the others keep theirs: the receipt now reserves only their shares
    let r1_after = l.receipt(first).unwrap();
    assert_eq!(
        (r1_after.biz, r1_after.time, r1_after.referral_time),
        (r1.biz, 0, r1.referral_time)
    );
    assert!(l.data.queue(a.eve).tail > 0);

    // when the first receipt is flagged, only what is left is released
    l.flag(first, Hash::default()).unwrap();
    let flagged = last_event::<ReceiptFlagged>();
    assert_eq!(
        (flagged.biz_forfeited, flagged.time_forfeited),
        (r1.biz, r1.referral_time)
    );
    assert_eq!(
        l.data.pools().1.reserved,
        time.reserved - r1.time - r2.time - r1.referral_time
    );

    // and django, whose removal the registry pushed, is refused at its
    // next confirmation
    l.data
        .registry_changed(
            a.alice,
            a.django,
            RegistryEntry::Customer(registered(Some(a.eve), CustomerStatus::Removed)),
        )
        .unwrap();
    as_caller(a.bob);
    let id = record(&mut l, a.django, order(3, 5_000)).unwrap();
    as_caller(a.django);
    assert_eq!(l.confirm(id), Err(LedgerError::CustomerNotActive));

    // an account with nothing pending: an event with zeros
    as_caller(a.alice);
    l.forfeit_pending(a.frank, 10).unwrap();
    assert_eq!(
        last_event::<PendingForfeited>(),
        PendingForfeited {
            account: a.frank,
            biz: 0,
            time: 0,
            entries: 0,
            remaining: 0,
        }
    );
}

/// A removed account's queue may be longer than one call can forfeit:
/// anyone continues the forfeiture, a bounded number of entries a call,
/// and the removed account cannot claim what is left meanwhile.
#[ink::test]
fn a_removed_accounts_rewards_are_forfeited_by_anyone_and_never_claimed() {
    let (mut l, a) = deploy();
    let ids: Vec<_> = (1..=3).map(|n| sale(&mut l, &a, n)).collect();
    let time: Balance = ids.iter().map(|id| l.data.receipt(*id).unwrap().time).sum();
    let reserved = l.data.pools().1.reserved;
    // a stranger cannot forfeit an active account's rewards
    as_caller(a.frank);
    assert_eq!(
        l.forfeit_pending(a.django, 10),
        Err(LedgerError::Unauthorized)
    );

    // when the registry removes django
    l.data
        .registry_changed(
            a.alice,
            a.django,
            RegistryEntry::Customer(registered(Some(a.eve), CustomerStatus::Removed)),
        )
        .unwrap();

    // then django's matured rewards are not paid
    at(T0 + 2 * DAY);
    as_caller(a.django);
    assert_eq!(l.claim(10), Err(LedgerError::AccountRemoved));
    // and anyone forfeits them, two entries a call
    as_caller(a.frank);
    l.forfeit_pending(a.django, 2).unwrap();
    assert_eq!(last_event::<PendingForfeited>().remaining, 1);
    l.forfeit_pending(a.django, 2).unwrap();
    let e = last_event::<PendingForfeited>();
    assert_eq!((e.entries, e.remaining), (1, 0));
    assert_eq!(l.data.queue(a.django), Queue::default());
    assert_eq!(l.data.pools().1.reserved, reserved - time);
    // other accounts claim as before
    as_caller(a.bob);
    assert!(l.claim(10).is_ok());
}
