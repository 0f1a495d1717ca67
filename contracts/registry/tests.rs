//! Unit tests: the plain logic (`RegistryData`) and every message of the
//! contract, error paths included, on ink!'s off-chain environment.

use super::*;
use bizkey_types::math::ShopCost;
use ink::env::{test, DefaultEnvironment as Env};
use ink::prelude::string::String;
use registry::Registry;
use std::{cell::RefCell, collections::HashMap};

thread_local! {
    /// What the contract pushed to the ledger: (ledger, account, entry).
    static PUSHED: RefCell<Vec<(AccountId, AccountId, RegistryEntry)>> =
        const { RefCell::new(Vec::new()) };
    /// The ledger's copies of customers, as the contract sees them.
    static LEDGER_CUSTOMERS: RefCell<HashMap<AccountId, Customer>> =
        RefCell::new(HashMap::new());
}

/// The contract's push to the ledger, recorded. A customer's push meets the
/// ledger's rule: a known account keeps its referrer, and another referrer is
/// refused (which the contract reports as `AlreadyRegistered`).
pub fn ledger_push(ledger: AccountId, account: AccountId, entry: RegistryEntry) -> Result<()> {
    if let RegistryEntry::Customer(c) = entry {
        LEDGER_CUSTOMERS.with(|l| {
            let mut l = l.borrow_mut();
            match l.get_mut(&account) {
                Some(known) if known.referrer != c.referrer => {
                    Err(RegistryError::AlreadyRegistered)
                }
                Some(known) => {
                    known.status = c.status;
                    Ok(())
                }
                None => {
                    l.insert(account, c);
                    Ok(())
                }
            }
        })?;
    }
    PUSHED.with(|p| p.borrow_mut().push((ledger, account, entry)));
    Ok(())
}

/// The contract's question to the ledger.
pub fn ledger_customer(_ledger: AccountId, account: AccountId) -> Option<Customer> {
    LEDGER_CUSTOMERS.with(|l| l.borrow().get(&account).copied())
}

/// `account` bought at `at` without registering: the ledger knows it.
fn bought_unregistered(account: AccountId, at: Timestamp) -> Customer {
    let c = Customer {
        referrer: None,
        status: CustomerStatus::Active,
        registered_at: at,
    };
    LEDGER_CUSTOMERS.with(|l| l.borrow_mut().insert(account, c));
    c
}

fn pushed() -> Vec<(AccountId, AccountId, RegistryEntry)> {
    PUSHED.with(|p| core::mem::take(&mut *p.borrow_mut()))
}

fn accounts() -> test::DefaultAccounts<Env> {
    test::default_accounts::<Env>()
}

fn cafe() -> MerchantProfile {
    MerchantProfile {
        name: String::from("咖啡小馆"),
        category: Category::Cafe,
        location: String::from("wtw3sjq"),
        cost: ShopCost {
            area_sqft: 500,
            staff: 3,
            rent_per_sqft_day: 500,
            wage_per_day: 20_000,
        },
        licence_hash: [7; 32].into(),
    }
}

fn set_caller(account: AccountId) {
    test::set_caller::<Env>(account);
}

/// The SCALE bytes of every event emitted so far, with their topic 0.
fn events() -> Vec<test::EmittedEvent> {
    test::recorded_events().collect()
}

fn last_event<E: scale::Decode + ink::env::Event>() -> E {
    let e = events().pop().expect("an event");
    assert_eq!(
        e.topics[0].as_slice(),
        E::SIGNATURE_TOPIC.expect("not anonymous").as_slice()
    );
    <E as scale::Decode>::decode(&mut &e.data[..]).expect("decodes")
}

// ---- plain logic ------------------------------------------------------

mod logic {
    use super::*;

    fn data() -> (RegistryData, test::DefaultAccounts<Env>) {
        let a = accounts();
        (RegistryData::new(a.alice), a)
    }

    #[ink::test]
    fn register_merchant_stores_profile_and_emits_it() {
        let (mut d, a) = data();
        let events = d
            .register_merchant(a.bob, 1_000, cafe(), None, 300_000)
            .unwrap();
        let m = d.merchant(a.bob).unwrap();
        assert_eq!(m.status, MerchantStatus::Pending);
        assert_eq!(m.profile, cafe());
        assert_eq!((m.registered_at, m.verified_at), (1_000, None));
        assert_eq!(
            events,
            vec![RegistryEvent::MerchantRegistered(MerchantRegistered {
                merchant: a.bob,
                referrer: None,
                profile: cafe(),
                time_share_ppm: 300_000,
                at: 1_000,
            })]
        );
    }

    #[ink::test]
    fn profile_validation() {
        let (mut d, a) = data();
        let cases: Vec<(MerchantProfile, RegistryError)> = vec![
            (
                MerchantProfile {
                    name: String::new(),
                    ..cafe()
                },
                RegistryError::InvalidName,
            ),
            (
                MerchantProfile {
                    name: "x".repeat(MAX_NAME_LEN + 1),
                    ..cafe()
                },
                RegistryError::InvalidName,
            ),
            (
                MerchantProfile {
                    location: String::new(),
                    ..cafe()
                },
                RegistryError::InvalidLocation,
            ),
            (
                MerchantProfile {
                    location: "a".repeat(MAX_LOCATION_LEN + 1),
                    ..cafe()
                },
                RegistryError::InvalidLocation,
            ),
            (
                MerchantProfile {
                    location: String::from("wt w3"),
                    ..cafe()
                },
                RegistryError::InvalidLocation,
            ),
            (
                MerchantProfile {
                    cost: ShopCost::default(),
                    ..cafe()
                },
                RegistryError::InvalidCost,
            ),
        ];
        for (profile, error) in cases {
            assert_eq!(d.register_merchant(a.bob, 0, profile, None, 0), Err(error));
        }
        assert_eq!(
            d.register_merchant(a.bob, 0, cafe(), None, 1_000_001),
            Err(RegistryError::InvalidShare)
        );
        assert!(d.merchant(a.bob).is_none());
        // The bounds themselves are accepted.
        let edge = MerchantProfile {
            name: "x".repeat(MAX_NAME_LEN),
            location: String::from("CN-310104-abcde"),
            ..cafe()
        };
        assert!(d.register_merchant(a.bob, 0, edge, None, 1_000_000).is_ok());
    }

    #[ink::test]
    fn merchant_referrer_must_be_another_live_merchant() {
        let (mut d, a) = data();
        assert_eq!(
            d.register_merchant(a.bob, 0, cafe(), Some(a.charlie), 0),
            Err(RegistryError::InvalidReferrer)
        );
        assert_eq!(
            d.register_merchant(a.bob, 0, cafe(), Some(a.bob), 0),
            Err(RegistryError::InvalidReferrer)
        );
        d.register_merchant(a.charlie, 0, cafe(), None, 0).unwrap();
        d.register_merchant(a.bob, 0, cafe(), Some(a.charlie), 0)
            .unwrap();
        assert_eq!(d.merchant(a.bob).unwrap().referrer, Some(a.charlie));
        d.set_merchant_status(a.alice, 0, a.charlie, MerchantStatus::Removed)
            .unwrap();
        assert_eq!(
            d.register_merchant(a.django, 0, cafe(), Some(a.charlie), 0),
            Err(RegistryError::InvalidReferrer)
        );
    }

    #[ink::test]
    fn status_lifecycle() {
        use MerchantStatus::*;
        let (mut d, a) = data();
        d.register_merchant(a.bob, 0, cafe(), None, 0).unwrap();
        assert_eq!(
            d.set_merchant_status(a.alice, 1, a.bob, Pending),
            Err(RegistryError::InvalidTransition)
        );
        d.set_merchant_status(a.alice, 5, a.bob, Verified).unwrap();
        assert_eq!(d.merchant(a.bob).unwrap().verified_at, Some(5));
        assert_eq!(
            d.set_merchant_status(a.alice, 6, a.bob, Verified),
            Err(RegistryError::InvalidTransition)
        );
        d.set_merchant_status(a.alice, 7, a.bob, Suspended).unwrap();
        d.set_merchant_status(a.alice, 8, a.bob, Verified).unwrap();
        // The referral period counts from the first verification.
        assert_eq!(d.merchant(a.bob).unwrap().verified_at, Some(5));
        d.set_merchant_status(a.alice, 9, a.bob, Removed).unwrap();
        for to in [Pending, Verified, Suspended, Removed] {
            assert_eq!(
                d.set_merchant_status(a.alice, 10, a.bob, to),
                Err(RegistryError::InvalidTransition)
            );
        }
        assert_eq!(
            d.set_merchant_status(a.alice, 0, a.eve, Verified),
            Err(RegistryError::MerchantNotFound)
        );
    }

    #[ink::test]
    fn update_sends_a_verified_merchant_back_to_pending() {
        let (mut d, a) = data();
        d.register_merchant(a.bob, 0, cafe(), None, 0).unwrap();
        d.set_merchant_status(a.alice, 1, a.bob, MerchantStatus::Verified)
            .unwrap();
        let cheaper = MerchantProfile {
            cost: ShopCost {
                area_sqft: 10,
                ..cafe().cost
            },
            ..cafe()
        };
        let events = d.update_merchant(a.bob, 2, cheaper.clone()).unwrap();
        let m = d.merchant(a.bob).unwrap();
        assert_eq!((m.status, &m.profile), (MerchantStatus::Pending, &cheaper));
        assert_eq!(
            events,
            vec![RegistryEvent::MerchantUpdated(MerchantUpdated {
                merchant: a.bob,
                profile: cheaper,
                status: MerchantStatus::Pending,
                at: 2,
            })]
        );
        // A suspended merchant stays suspended.
        d.set_merchant_status(a.alice, 3, a.bob, MerchantStatus::Suspended)
            .unwrap();
        d.update_merchant(a.bob, 4, cafe()).unwrap();
        assert_eq!(d.merchant(a.bob).unwrap().status, MerchantStatus::Suspended);
    }

    #[ink::test]
    fn merchant_info_is_what_the_ledger_needs() {
        let (mut d, a) = data();
        d.register_merchant(a.charlie, 0, cafe(), None, 0).unwrap();
        d.register_merchant(a.bob, 0, cafe(), Some(a.charlie), 250_000)
            .unwrap();
        d.set_merchant_status(a.alice, 42, a.bob, MerchantStatus::Verified)
            .unwrap();
        assert_eq!(
            d.merchant(a.bob).unwrap().info(),
            MerchantInfo {
                status: MerchantStatus::Verified,
                cost: cafe().cost,
                referrer: Some(a.charlie),
                verified_at: Some(42),
                time_share_ppm: 250_000,
            }
        );
    }

    #[ink::test]
    fn customers_and_referrers() {
        use CustomerStatus::*;
        let (mut d, a) = data();
        d.register_customer(a.charlie, 1, None, None).unwrap();
        assert_eq!(
            d.register_customer(a.django, 2, Some(a.eve), None),
            Err(RegistryError::InvalidReferrer)
        );
        assert_eq!(
            d.register_customer(a.django, 2, Some(a.django), None),
            Err(RegistryError::InvalidReferrer)
        );
        d.register_customer(a.django, 2, Some(a.charlie), None)
            .unwrap();
        assert_eq!(
            d.register_customer(a.django, 3, None, None),
            Err(RegistryError::AlreadyRegistered)
        );
        // A customer known to the ledger only (it bought) may refer, unless
        // the ledger's copy says it was removed.
        let at_ledger = |status| Customer {
            referrer: None,
            status,
            registered_at: 1,
        };
        assert_eq!(
            d.register_customer(a.frank, 4, Some(a.eve), Some(at_ledger(Removed))),
            Err(RegistryError::InvalidReferrer)
        );
        let events = d
            .register_customer(a.frank, 4, Some(a.eve), Some(at_ledger(Suspended)))
            .unwrap();
        assert_eq!(
            events,
            vec![RegistryEvent::CustomerRegistered(CustomerRegistered {
                customer: a.frank,
                referrer: Some(a.eve),
                at: 4,
            })]
        );
        // The registry's own record wins over the ledger's copy.
        d.set_customer_status(a.alice, a.charlie, Removed, None)
            .unwrap();
        assert_eq!(
            d.register_customer(a.bob, 5, Some(a.charlie), Some(at_ledger(Active))),
            Err(RegistryError::InvalidReferrer)
        );
    }

    #[ink::test]
    fn customer_status_lifecycle() {
        use CustomerStatus::*;
        let (mut d, a) = data();
        assert_eq!(
            d.set_customer_status(a.alice, a.bob, Suspended, None),
            Err(RegistryError::CustomerNotFound)
        );
        d.register_customer(a.bob, 0, None, None).unwrap();
        assert_eq!(
            d.set_customer_status(a.alice, a.bob, Active, None),
            Err(RegistryError::InvalidTransition)
        );
        d.set_customer_status(a.alice, a.bob, Suspended, None)
            .unwrap();
        d.set_customer_status(a.alice, a.bob, Active, None).unwrap();
        d.set_customer_status(a.alice, a.bob, Removed, None)
            .unwrap();
        for to in [Active, Suspended, Removed] {
            assert_eq!(
                d.set_customer_status(a.alice, a.bob, to, None),
                Err(RegistryError::InvalidTransition)
            );
        }
        // A removed customer refers nobody.
        assert_eq!(
            d.register_customer(a.charlie, 0, Some(a.bob), None),
            Err(RegistryError::InvalidReferrer)
        );
        // A customer known to the ledger only is taken over with its copy.
        let copy = Customer {
            referrer: None,
            status: Active,
            registered_at: 7,
        };
        d.set_customer_status(a.alice, a.eve, Suspended, Some(copy))
            .unwrap();
        assert_eq!(
            d.customer(a.eve),
            Some(Customer {
                status: Suspended,
                ..copy
            })
        );
    }

    #[ink::test]
    fn roles_hand_over() {
        let (mut d, a) = data();
        assert_eq!(
            d.set_role(a.bob, Role::Governance, Some(a.bob)),
            Err(RegistryError::Unauthorized)
        );
        assert_eq!(
            d.set_role(a.alice, Role::Reporter, Some(a.bob)),
            Err(RegistryError::InvalidRole)
        );
        d.set_role(a.alice, Role::Governance, Some(a.bob)).unwrap();
        // Governance has the authority's powers, so the authority can leave.
        d.set_role(a.bob, Role::Admin, None).unwrap();
        assert_eq!(d.role(Role::Admin), None);
        d.register_merchant(a.charlie, 0, cafe(), None, 0).unwrap();
        assert_eq!(
            d.set_merchant_status(a.alice, 0, a.charlie, MerchantStatus::Verified),
            Err(RegistryError::Unauthorized)
        );
        d.set_merchant_status(a.bob, 0, a.charlie, MerchantStatus::Verified)
            .unwrap();
        assert_eq!(d.role(Role::Reporter), None);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Status(MerchantStatus),
        Update,
        Share(u32),
    }

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        let status = prop_oneof![
            Just(MerchantStatus::Pending),
            Just(MerchantStatus::Verified),
            Just(MerchantStatus::Suspended),
            Just(MerchantStatus::Removed),
        ];
        prop_oneof![
            status.prop_map(Op::Status),
            Just(Op::Update),
            (0u32..2_000_000).prop_map(Op::Share),
        ]
    }

    fn check_lifecycle(
        ops: Vec<Op>,
    ) -> core::result::Result<(), proptest::test_runner::TestCaseError> {
        let mut d = RegistryData::new(accounts().alice);
        let (admin, m) = (accounts().alice, accounts().bob);
        d.register_merchant(m, 0, cafe(), None, 0).unwrap();
        let mut first_verified = None;
        for (t, op) in ops.into_iter().enumerate() {
            let t = t as u64 + 1;
            let before = d.merchant(m).unwrap();
            let result = match op {
                Op::Status(s) => d.set_merchant_status(admin, t, m, s),
                Op::Update => d.update_merchant(m, t, cafe()),
                Op::Share(p) => d.set_time_share(m, p),
            };
            let after = d.merchant(m).unwrap();
            match result {
                Err(_) => proptest::prop_assert_eq!(&before, &after),
                Ok(_) => {
                    proptest::prop_assert!(before.status != MerchantStatus::Removed);
                    if after.status == MerchantStatus::Verified && first_verified.is_none() {
                        first_verified = Some(t);
                    }
                }
            }
            proptest::prop_assert_eq!(after.verified_at, first_verified);
            proptest::prop_assert!(after.time_share_ppm <= 1_000_000);
        }
        Ok(())
    }

    proptest::proptest! {
        /// Whatever the sequence of operations: a failed operation leaves
        /// the merchant unchanged, `Removed` is final, and `verified_at` is
        /// the time of the first verification.
        #[test]
        fn lifecycle_invariants(ops in proptest::collection::vec(op(), 1..40)) {
            let mut outcome = Ok(());
            test::run_test::<Env, _>(|_| {
                outcome = check_lifecycle(ops);
                Ok(())
            })
            .unwrap();
            outcome?;
        }
    }
}

// ---- messages -----------------------------------------------------------

fn deploy() -> (Registry, test::DefaultAccounts<Env>) {
    let a = accounts();
    set_caller(a.alice);
    (Registry::new(), a)
}

#[ink::test]
fn new_makes_the_caller_admin() {
    let (r, a) = deploy();
    assert_eq!(r.role(Role::Admin), Some(a.alice));
    assert_eq!(r.role(Role::Governance), None);
    assert_eq!(r.role(Role::Ledger), None);
}

#[ink::test]
fn set_role_message() {
    let (mut r, a) = deploy();
    set_caller(a.eve);
    assert_eq!(
        r.set_role(Role::Admin, Some(a.eve)),
        Err(RegistryError::Unauthorized)
    );
    set_caller(a.alice);
    assert_eq!(
        r.set_role(Role::Registry, Some(a.bob)),
        Err(RegistryError::InvalidRole)
    );
    assert_eq!(events().len(), 0);
    r.set_role(Role::Ledger, Some(a.bob)).unwrap();
    assert_eq!(r.role(Role::Ledger), Some(a.bob));
    assert_eq!(
        last_event::<RoleChanged>(),
        RoleChanged {
            role: Role::Ledger,
            account: Some(a.bob)
        }
    );
    r.set_role(Role::Admin, Some(a.charlie)).unwrap();
    assert_eq!(
        r.set_role(Role::Ledger, None),
        Err(RegistryError::Unauthorized)
    );
}

#[ink::test]
fn register_merchant_message() {
    let (mut r, a) = deploy();
    test::set_block_timestamp::<Env>(77);
    set_caller(a.bob);
    r.register_merchant(cafe(), None, 200_000).unwrap();
    assert_eq!(
        last_event::<MerchantRegistered>(),
        MerchantRegistered {
            merchant: a.bob,
            referrer: None,
            profile: cafe(),
            time_share_ppm: 200_000,
            at: 77,
        }
    );
    assert_eq!(r.merchant(a.bob).unwrap().registered_at, 77);
    assert_eq!(
        r.register_merchant(cafe(), None, 0),
        Err(RegistryError::AlreadyRegistered)
    );
    set_caller(a.charlie);
    let bad = MerchantProfile {
        name: String::new(),
        ..cafe()
    };
    assert_eq!(
        r.register_merchant(bad, None, 0),
        Err(RegistryError::InvalidName)
    );
    assert_eq!(
        r.register_merchant(cafe(), Some(a.django), 0),
        Err(RegistryError::InvalidReferrer)
    );
    assert_eq!(
        r.register_merchant(cafe(), None, 1_000_001),
        Err(RegistryError::InvalidShare)
    );
    assert!(r.merchant(a.charlie).is_none());
    assert_eq!(events().len(), 1);
}

#[ink::test]
fn update_merchant_message() {
    let (mut r, a) = deploy();
    set_caller(a.bob);
    assert_eq!(
        r.update_merchant(cafe()),
        Err(RegistryError::MerchantNotFound)
    );
    r.register_merchant(cafe(), None, 0).unwrap();
    set_caller(a.alice);
    r.set_merchant_status(a.bob, MerchantStatus::Verified)
        .unwrap();
    set_caller(a.bob);
    let moved = MerchantProfile {
        location: String::from("wtw3sjr"),
        ..cafe()
    };
    r.update_merchant(moved.clone()).unwrap();
    assert_eq!(last_event::<MerchantUpdated>().profile, moved);
    assert_eq!(r.merchant(a.bob).unwrap().status, MerchantStatus::Pending);
    let bad = MerchantProfile {
        location: String::from("上海"),
        ..cafe()
    };
    assert_eq!(r.update_merchant(bad), Err(RegistryError::InvalidLocation));
    set_caller(a.alice);
    r.set_merchant_status(a.bob, MerchantStatus::Removed)
        .unwrap();
    set_caller(a.bob);
    assert_eq!(
        r.update_merchant(cafe()),
        Err(RegistryError::MerchantRemoved)
    );
    assert_eq!(r.merchant(a.bob).unwrap().profile, moved);
}

#[ink::test]
fn set_time_share_message() {
    let (mut r, a) = deploy();
    set_caller(a.bob);
    assert_eq!(r.set_time_share(1), Err(RegistryError::MerchantNotFound));
    r.register_merchant(cafe(), None, 0).unwrap();
    r.set_time_share(500_000).unwrap();
    assert_eq!(
        last_event::<TimeShareChanged>(),
        TimeShareChanged {
            merchant: a.bob,
            time_share_ppm: 500_000
        }
    );
    assert_eq!(
        r.set_time_share(1_000_001),
        Err(RegistryError::InvalidShare)
    );
    assert_eq!(r.merchant(a.bob).unwrap().time_share_ppm, 500_000);
    set_caller(a.alice);
    r.set_merchant_status(a.bob, MerchantStatus::Removed)
        .unwrap();
    set_caller(a.bob);
    assert_eq!(r.set_time_share(0), Err(RegistryError::MerchantRemoved));
}

#[ink::test]
fn set_merchant_status_message() {
    let (mut r, a) = deploy();
    set_caller(a.bob);
    r.register_merchant(cafe(), None, 0).unwrap();
    // A stranger, and the merchant itself, cannot verify.
    for who in [a.bob, a.eve] {
        set_caller(who);
        assert_eq!(
            r.set_merchant_status(a.bob, MerchantStatus::Verified),
            Err(RegistryError::Unauthorized)
        );
    }
    set_caller(a.alice);
    assert_eq!(
        r.set_merchant_status(a.eve, MerchantStatus::Verified),
        Err(RegistryError::MerchantNotFound)
    );
    test::set_block_timestamp::<Env>(1_234);
    r.set_merchant_status(a.bob, MerchantStatus::Verified)
        .unwrap();
    assert_eq!(
        last_event::<MerchantStatusChanged>(),
        MerchantStatusChanged {
            merchant: a.bob,
            by: a.alice,
            from: MerchantStatus::Pending,
            to: MerchantStatus::Verified,
            at: 1_234,
        }
    );
    assert_eq!(
        r.set_merchant_status(a.bob, MerchantStatus::Pending),
        Err(RegistryError::InvalidTransition)
    );
    // Governance may do the same.
    r.set_role(Role::Governance, Some(a.frank)).unwrap();
    set_caller(a.frank);
    r.set_merchant_status(a.bob, MerchantStatus::Suspended)
        .unwrap();
    assert_eq!(r.merchant(a.bob).unwrap().status, MerchantStatus::Suspended);
}

#[ink::test]
fn register_customer_message() {
    let (mut r, a) = deploy();
    test::set_block_timestamp::<Env>(9);
    set_caller(a.charlie);
    r.register_customer(None).unwrap();
    set_caller(a.django);
    assert_eq!(
        r.register_customer(Some(a.eve)),
        Err(RegistryError::InvalidReferrer)
    );
    r.register_customer(Some(a.charlie)).unwrap();
    assert_eq!(
        last_event::<CustomerRegistered>(),
        CustomerRegistered {
            customer: a.django,
            referrer: Some(a.charlie),
            at: 9,
        }
    );
    assert_eq!(
        r.register_customer(None),
        Err(RegistryError::AlreadyRegistered)
    );
    assert_eq!(
        r.customer(a.django),
        Some(Customer {
            referrer: Some(a.charlie),
            status: CustomerStatus::Active,
            registered_at: 9,
        })
    );
}

#[ink::test]
fn set_customer_status_message() {
    let (mut r, a) = deploy();
    set_caller(a.charlie);
    r.register_customer(None).unwrap();
    set_caller(a.eve);
    assert_eq!(
        r.set_customer_status(a.charlie, CustomerStatus::Removed),
        Err(RegistryError::Unauthorized)
    );
    set_caller(a.alice);
    assert_eq!(
        r.set_customer_status(a.eve, CustomerStatus::Removed),
        Err(RegistryError::CustomerNotFound)
    );
    r.set_customer_status(a.charlie, CustomerStatus::Removed)
        .unwrap();
    assert_eq!(
        last_event::<CustomerStatusChanged>(),
        CustomerStatusChanged {
            customer: a.charlie,
            by: a.alice,
            from: CustomerStatus::Active,
            to: CustomerStatus::Removed,
        }
    );
    assert_eq!(
        r.set_customer_status(a.charlie, CustomerStatus::Active),
        Err(RegistryError::InvalidTransition)
    );
}

#[ink::test]
fn merchant_info_message() {
    use bizkey_types::registry::RegistryApi;
    let (mut r, a) = deploy();
    assert_eq!(r.merchant_info(a.bob), None);
    set_caller(a.bob);
    r.register_merchant(cafe(), None, 10).unwrap();
    let info = r.merchant_info(a.bob).unwrap();
    assert_eq!(
        (info.status, info.cost, info.time_share_ppm),
        (MerchantStatus::Pending, cafe().cost, 10)
    );
}

#[ink::test]
fn customers_known_to_the_ledger_only() {
    let (mut r, a) = deploy();
    r.set_role(Role::Ledger, Some(a.frank)).unwrap();
    // Charlie bought without registering: the registry asks the ledger.
    bought_unregistered(a.charlie, 3);
    set_caller(a.django);
    r.register_customer(Some(a.charlie)).unwrap();
    assert_eq!(r.customer(a.django).unwrap().referrer, Some(a.charlie));
    // The authority suspends charlie like a registered customer.
    set_caller(a.alice);
    r.set_customer_status(a.charlie, CustomerStatus::Suspended)
        .unwrap();
    assert_eq!(
        r.customer(a.charlie),
        Some(Customer {
            referrer: None,
            status: CustomerStatus::Suspended,
            registered_at: 3,
        })
    );
    assert_eq!(
        ledger_customer(a.frank, a.charlie).unwrap().status,
        CustomerStatus::Suspended
    );
    // Eve, who bought too, cannot add a referrer after her first purchase.
    // (Last: off-chain a failed message's writes are not reverted.)
    bought_unregistered(a.eve, 4);
    set_caller(a.eve);
    assert_eq!(
        r.register_customer(Some(a.django)),
        Err(RegistryError::AlreadyRegistered)
    );
}

#[ink::test]
fn every_customer_change_is_pushed_to_the_ledger() {
    let (mut r, a) = deploy();
    // No ledger named: nothing is pushed, and nothing fails.
    set_caller(a.bob);
    r.register_customer(None).unwrap();
    assert!(pushed().is_empty());

    set_caller(a.alice);
    r.set_role(Role::Ledger, Some(a.frank)).unwrap();
    set_caller(a.charlie);
    r.register_customer(Some(a.bob)).unwrap();
    let charlie = r.customer(a.charlie).unwrap();
    assert_eq!(
        pushed(),
        vec![(a.frank, a.charlie, RegistryEntry::Customer(charlie))]
    );
    set_caller(a.alice);
    r.set_customer_status(a.charlie, CustomerStatus::Removed)
        .unwrap();
    let removed = r.customer(a.charlie).unwrap();
    assert_eq!(removed.status, CustomerStatus::Removed);
    assert_eq!(
        pushed(),
        vec![(a.frank, a.charlie, RegistryEntry::Customer(removed))]
    );
    // A failed change pushes nothing.
    assert_eq!(
        r.set_customer_status(a.charlie, CustomerStatus::Active),
        Err(RegistryError::InvalidTransition)
    );
    assert!(pushed().is_empty());
}

#[ink::test]
fn every_merchant_change_is_pushed_to_the_ledger() {
    use RegistryEntry::Merchant;
    let (mut r, a) = deploy();
    // No ledger named: nothing is pushed, and nothing fails.
    set_caller(a.bob);
    r.register_merchant(cafe(), None, 0).unwrap();
    assert!(pushed().is_empty());

    // With a ledger, each change sends what the registry now holds.
    set_caller(a.alice);
    r.set_role(Role::Ledger, Some(a.frank)).unwrap();
    let info = |r: &Registry, m| r.merchant(m).unwrap().info();
    set_caller(a.charlie);
    r.register_merchant(cafe(), Some(a.bob), 100_000).unwrap();
    assert_eq!(
        pushed(),
        vec![(a.frank, a.charlie, Merchant(info(&r, a.charlie)))]
    );
    r.set_time_share(200_000).unwrap();
    assert_eq!(
        pushed(),
        vec![(a.frank, a.charlie, Merchant(info(&r, a.charlie)))]
    );
    r.update_merchant(cafe()).unwrap();
    assert_eq!(
        pushed(),
        vec![(a.frank, a.charlie, Merchant(info(&r, a.charlie)))]
    );
    set_caller(a.alice);
    r.set_merchant_status(a.charlie, MerchantStatus::Verified)
        .unwrap();
    let verified = info(&r, a.charlie);
    assert_eq!(verified.status, MerchantStatus::Verified);
    assert_eq!(pushed(), vec![(a.frank, a.charlie, Merchant(verified))]);

    // A failed change pushes nothing.
    assert_eq!(
        r.set_merchant_status(a.charlie, MerchantStatus::Verified),
        Err(RegistryError::InvalidTransition)
    );
    assert!(pushed().is_empty());

    // `sync_merchant` re-sends bob's data, registered before the ledger;
    // anyone may ask, for a registered merchant only.
    set_caller(a.eve);
    r.sync_merchant(a.bob).unwrap();
    assert_eq!(pushed(), vec![(a.frank, a.bob, Merchant(info(&r, a.bob)))]);
    assert_eq!(
        r.sync_merchant(a.django),
        Err(RegistryError::MerchantNotFound)
    );
    assert!(pushed().is_empty());
}
