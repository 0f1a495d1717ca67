//! BizPower (坪效比, whitepaper ch. 3.3; DESIGN §4): deduplicated sales
//! efficiency divided by the shop's daily cost.
//!
//! ```text
//! value    = w3·U_m·(P_m/P_l) + w2·U_n·(P_m/P_l) + w1·U_o·(U_on/U_om)
//! cost     = x·e_R + y·e_S
//! BizPower = value / cost
//! ```
//!
//! Each distinct customer is worth one average ticket, so repeated orders by
//! the same customer and one huge order do not raise BizPower.
//!
//! Windows are aligned (`window_id = at / window_ms`, so with the default one
//! day they are UTC days): the chain and an indexer replaying the same sales
//! agree on where a window starts without sharing any other state.

use crate::fixed::{mul_div, ONE, PPM};

#[cfg(all(feature = "std", feature = "ink"))]
use ink::storage::traits::StorageLayout;

/// Where a sale happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode, scale_info::TypeInfo)]
#[cfg_attr(all(feature = "std", feature = "ink"), derive(StorageLayout))]
pub enum Channel {
    /// In the shop (P_l, P_m).
    InStore,
    /// Outside sale or delivery (U_o, U_om, U_on).
    Outside,
}

/// A merchant's sales counters for one window.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, scale::Encode, scale::Decode, scale_info::TypeInfo,
)]
#[cfg_attr(all(feature = "std", feature = "ink"), derive(StorageLayout))]
pub struct WindowStats {
    /// P_l: in-store orders.
    pub in_store_orders: u32,
    /// P_m: in-store amount, in cents.
    pub in_store_amount: u128,
    /// U_m: distinct in-store customers whose first purchase ever at this
    /// merchant falls in this window.
    pub new_customers: u32,
    /// U_n: distinct in-store customers who had bought here before.
    pub repeat_customers: u32,
    /// U_o: distinct outside-sale customers.
    pub outside_customers: u32,
    /// U_om: outside orders.
    pub outside_orders: u32,
    /// U_on: outside amount, in cents.
    pub outside_amount: u128,
}

/// The shop's fixed daily cost inputs (registry profile, DESIGN §3.2).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, scale::Encode, scale::Decode, scale_info::TypeInfo,
)]
#[cfg_attr(all(feature = "std", feature = "ink"), derive(StorageLayout))]
pub struct ShopCost {
    /// x: area in square feet.
    pub area_sqft: u32,
    /// y: staff count.
    pub staff: u32,
    /// e_R: rent per square foot per day, in cents.
    pub rent_per_sqft_day: u128,
    /// e_S: wage per staff member per day, in cents.
    pub wage_per_day: u128,
}

impl ShopCost {
    /// `x·e_R + y·e_S` in cents per day (saturating).
    pub fn daily_cost(&self) -> u128 {
        (self.area_sqft as u128)
            .saturating_mul(self.rent_per_sqft_day)
            .saturating_add((self.staff as u128).saturating_mul(self.wage_per_day))
    }
}

/// BizPower weights in parts per million; they sum to [`PPM`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode, scale_info::TypeInfo)]
#[cfg_attr(all(feature = "std", feature = "ink"), derive(StorageLayout))]
pub struct Weights {
    /// w1: outside-sale customers.
    pub outside: u32,
    /// w2: repeat customers.
    pub repeat: u32,
    /// w3: new customers.
    pub new: u32,
}

impl Weights {
    /// Whether the weights sum to exactly 1 (governance must reject others).
    pub fn is_valid(&self) -> bool {
        (self.outside as u64)
            .checked_add(self.repeat as u64)
            .and_then(|s| s.checked_add(self.new as u64))
            == Some(PPM as u64)
    }
}

impl Default for Weights {
    /// New customers weigh most (they are what the network brings), outside
    /// sales least (hardest to verify).
    fn default() -> Self {
        Self {
            outside: 200_000,
            repeat: 350_000,
            new: 450_000,
        }
    }
}

/// BizPower in fixed point ([`ONE`] = 1.0).
pub type BizPower = u128;

impl WindowStats {
    /// The weighted, deduplicated value of the window's sales, in cents,
    /// scaled by [`ONE`].
    pub fn value(&self, weights: &Weights) -> u128 {
        // Each product is < 2^64 and their sum < 2^65: saturation never
        // happens, it only keeps the arithmetic visibly total.
        let in_store_customers = (weights.new as u128)
            .saturating_mul(self.new_customers as u128)
            .saturating_add((weights.repeat as u128).saturating_mul(self.repeat_customers as u128));
        // ppm·customers·cents/orders, then /PPM; every factor fits u128 but
        // products may not, hence mul_div.
        let in_store = mul_div(
            mul_div(
                in_store_customers,
                self.in_store_amount,
                self.in_store_orders as u128,
            ),
            ONE,
            PPM as u128,
        );
        let outside_customers =
            (weights.outside as u128).saturating_mul(self.outside_customers as u128);
        let outside = mul_div(
            mul_div(
                outside_customers,
                self.outside_amount,
                self.outside_orders as u128,
            ),
            ONE,
            PPM as u128,
        );
        in_store.saturating_add(outside)
    }

    /// BizPower of the window for a shop of the given cost. Zero when the
    /// cost is zero: a profile without cost data earns the minimum factor.
    pub fn bizpower(&self, weights: &Weights, cost: &ShopCost) -> BizPower {
        self.value(weights)
            .checked_div(cost.daily_cost())
            .unwrap_or(0)
    }
}

/// A merchant's current window.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, scale::Encode, scale::Decode, scale_info::TypeInfo,
)]
#[cfg_attr(all(feature = "std", feature = "ink"), derive(StorageLayout))]
pub struct MerchantWindow {
    /// `at / window_ms` of the window the stats belong to.
    pub window_id: u64,
    pub stats: WindowStats,
}

/// One customer's history at one merchant: what deduplication needs.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, scale::Encode, scale::Decode, scale_info::TypeInfo,
)]
#[cfg_attr(all(feature = "std", feature = "ink"), derive(StorageLayout))]
pub struct Visit {
    /// Confirmed purchases ever at this merchant.
    pub purchases: u32,
    /// Window of the first purchase ever.
    pub first_window: u64,
    /// Window of the latest purchase.
    pub window_id: u64,
    /// Purchases in `window_id`.
    pub in_window: u32,
    /// Counted in this window as in-store customer (bit 0) / outside (bit 1).
    pub counted: u8,
}

/// What recording one sale produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SaleOutcome {
    /// Purchases by the same customer at the same merchant earlier in this
    /// window: the novelty exponent.
    pub earlier_in_window: u32,
    /// Whether this was the customer's first purchase ever at the merchant.
    pub first_ever: bool,
    /// The merchant's BizPower after this sale.
    pub bizpower: BizPower,
}

/// One confirmed sale, as BizPower sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sale {
    pub channel: Channel,
    /// Amount in cents.
    pub amount: u128,
    /// When it was made (ms); decides the window.
    pub at: u64,
}

/// Records one confirmed sale into the merchant's window and the customer's
/// visit, and returns the novelty exponent and the new BizPower.
///
/// `window_ms == 0` is treated as one millisecond (no division by zero).
pub fn record_sale(
    window: &mut MerchantWindow,
    visit: &mut Visit,
    sale: &Sale,
    window_ms: u64,
    weights: &Weights,
    cost: &ShopCost,
) -> SaleOutcome {
    let Sale {
        channel,
        amount,
        at,
    } = *sale;
    let window_id = at.checked_div(window_ms).unwrap_or(at);
    if window.window_id != window_id {
        *window = MerchantWindow {
            window_id,
            stats: WindowStats::default(),
        };
    }
    let first_ever = visit.purchases == 0;
    if first_ever {
        visit.first_window = window_id;
    }
    if visit.window_id != window_id || first_ever {
        visit.window_id = window_id;
        visit.in_window = 0;
        visit.counted = 0;
    }
    let earlier_in_window = visit.in_window;
    visit.in_window = visit.in_window.saturating_add(1);
    visit.purchases = visit.purchases.saturating_add(1);

    let stats = &mut window.stats;
    match channel {
        Channel::InStore => {
            stats.in_store_orders = stats.in_store_orders.saturating_add(1);
            stats.in_store_amount = stats.in_store_amount.saturating_add(amount);
            if visit.counted & 1 == 0 {
                visit.counted |= 1;
                if visit.first_window == window_id {
                    stats.new_customers = stats.new_customers.saturating_add(1);
                } else {
                    stats.repeat_customers = stats.repeat_customers.saturating_add(1);
                }
            }
        }
        Channel::Outside => {
            stats.outside_orders = stats.outside_orders.saturating_add(1);
            stats.outside_amount = stats.outside_amount.saturating_add(amount);
            if visit.counted & 2 == 0 {
                visit.counted |= 2;
                stats.outside_customers = stats.outside_customers.saturating_add(1);
            }
        }
    }
    SaleOutcome {
        earlier_in_window,
        first_ever,
        bizpower: stats.bizpower(weights, cost),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const DAY: u64 = 86_400_000;

    fn cafe() -> ShopCost {
        // 500 sq ft at ¥5/sq ft/day and 3 staff at ¥200/day: ¥3,100 a day.
        ShopCost {
            area_sqft: 500,
            staff: 3,
            rent_per_sqft_day: 500,
            wage_per_day: 20_000,
        }
    }

    fn sell(
        w: &mut MerchantWindow,
        v: &mut Visit,
        ch: Channel,
        amount: u128,
        at: u64,
    ) -> SaleOutcome {
        record_sale(
            w,
            v,
            &Sale {
                channel: ch,
                amount,
                at,
            },
            DAY,
            &Weights::default(),
            &cafe(),
        )
    }

    #[test]
    fn formula_matches_hand_computation() {
        let stats = WindowStats {
            in_store_orders: 50,
            in_store_amount: 480_000,
            new_customers: 10,
            repeat_customers: 30,
            outside_customers: 5,
            outside_orders: 10,
            outside_amount: 60_000,
        };
        // value = 0.45·10·9600 + 0.35·30·9600 + 0.2·5·6000 = 43200 + 100800 + 6000
        assert_eq!(stats.value(&Weights::default()), 150_000 * ONE);
        // cost = 500·500 + 3·20000 = 310000 cents
        assert_eq!(
            stats.bizpower(&Weights::default(), &cafe()),
            150_000 * ONE / 310_000
        );
    }

    #[test]
    fn repeated_orders_do_not_raise_bizpower() {
        let (mut w, mut v) = (MerchantWindow::default(), Visit::default());
        let first = sell(&mut w, &mut v, Channel::InStore, 5_000, 1_000);
        let again = sell(&mut w, &mut v, Channel::InStore, 5_000, 2_000);
        assert_eq!(first.bizpower, again.bizpower);
        assert_eq!((first.earlier_in_window, again.earlier_in_window), (0, 1));
        assert_eq!(w.stats.new_customers, 1);
        assert_eq!(w.stats.in_store_orders, 2);
    }

    #[test]
    fn one_huge_order_is_averaged_over_orders() {
        let mut w = MerchantWindow::default();
        for i in 0..9 {
            sell(
                &mut w,
                &mut Visit::default(),
                Channel::InStore,
                5_000,
                1_000 + i,
            );
        }
        let before = w.stats.bizpower(&Weights::default(), &cafe());
        let mut repeat = Visit::default();
        sell(&mut w, &mut repeat, Channel::InStore, 5_000, 2_000);
        let huge = sell(&mut w, &mut repeat, Channel::InStore, 10_000_000, 3_000);
        // The huge order raises the average ticket but not the customer count.
        assert!(huge.bizpower > before);
        assert_eq!(w.stats.new_customers, 10);
    }

    #[test]
    fn next_window_resets_and_counts_returning_customer_as_repeat() {
        let (mut w, mut v) = (MerchantWindow::default(), Visit::default());
        sell(&mut w, &mut v, Channel::InStore, 5_000, 1_000);
        sell(&mut w, &mut v, Channel::InStore, 5_000, 2_000);
        let next = sell(&mut w, &mut v, Channel::InStore, 5_000, DAY + 1);
        assert_eq!(next.earlier_in_window, 0);
        assert!(!next.first_ever);
        assert_eq!(w.window_id, 1);
        assert_eq!(
            (
                w.stats.new_customers,
                w.stats.repeat_customers,
                w.stats.in_store_orders
            ),
            (0, 1, 1)
        );
    }

    #[test]
    fn outside_sales_count_their_own_customers() {
        let (mut w, mut v) = (MerchantWindow::default(), Visit::default());
        sell(&mut w, &mut v, Channel::Outside, 3_000, 1);
        sell(&mut w, &mut v, Channel::Outside, 3_000, 2);
        sell(&mut w, &mut v, Channel::InStore, 3_000, 3);
        let s = w.stats;
        assert_eq!(
            (s.outside_customers, s.outside_orders, s.outside_amount),
            (1, 2, 6_000)
        );
        assert_eq!((s.new_customers, s.in_store_orders), (1, 1));
    }

    #[test]
    fn zero_cost_or_zero_orders_give_zero() {
        let stats = WindowStats {
            new_customers: 3,
            ..Default::default()
        };
        assert_eq!(stats.bizpower(&Weights::default(), &cafe()), 0);
        let full = WindowStats {
            in_store_orders: 1,
            in_store_amount: 100,
            new_customers: 1,
            ..Default::default()
        };
        assert_eq!(full.bizpower(&Weights::default(), &ShopCost::default()), 0);
    }

    #[test]
    fn default_weights_are_valid() {
        assert!(Weights::default().is_valid());
        assert!(!Weights {
            outside: 1,
            repeat: 1,
            new: 1
        }
        .is_valid());
    }

    fn stats() -> impl Strategy<Value = WindowStats> {
        (
            any::<u32>(),
            any::<u128>(),
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            any::<u128>(),
        )
            .prop_map(|(a, b, c, d, e, f, g)| WindowStats {
                in_store_orders: a,
                in_store_amount: b,
                new_customers: c,
                repeat_customers: d,
                outside_customers: e,
                outside_orders: f,
                outside_amount: g,
            })
    }

    fn costs() -> impl Strategy<Value = ShopCost> {
        (any::<u32>(), any::<u32>(), any::<u128>(), any::<u128>()).prop_map(|(a, s, r, w)| {
            ShopCost {
                area_sqft: a,
                staff: s,
                rent_per_sqft_day: r,
                wage_per_day: w,
            }
        })
    }

    fn weights() -> impl Strategy<Value = Weights> {
        (0..=PPM, 0..=PPM).prop_map(|(a, b)| {
            let (lo, hi) = (a.min(b), a.max(b));
            Weights {
                outside: lo,
                repeat: hi - lo,
                new: PPM - hi,
            }
        })
    }

    proptest! {
        /// Total over the whole input range: never panics.
        #[test]
        fn never_panics(s in stats(), c in costs(), w in weights()) {
            let _ = s.bizpower(&w, &c);
        }

        /// One more distinct customer at the same average ticket never lowers
        /// BizPower; a higher cost never raises it.
        #[test]
        fn monotone(s in stats(), c in costs(), w in weights(), extra_rent in 0u128..1_000_000) {
            let more = WindowStats { new_customers: s.new_customers.saturating_add(1), ..s };
            prop_assert!(more.bizpower(&w, &c) >= s.bizpower(&w, &c));
            let pricier = ShopCost { rent_per_sqft_day: c.rent_per_sqft_day.saturating_add(extra_rent), ..c };
            if c.daily_cost() != 0 {
                prop_assert!(s.bizpower(&w, &pricier) <= s.bizpower(&w, &c));
            }
        }

        /// The integer result agrees with the real-number formula to within
        /// rounding, for realistic magnitudes.
        #[test]
        fn agrees_with_float(
            orders in 1u32..10_000, ticket in 1u128..1_000_000,
            new in 0u32..5_000, repeat in 0u32..5_000,
            out_c in 0u32..1_000, out_o in 1u32..2_000, out_ticket in 1u128..1_000_000,
            area in 1u32..100_000, staff in 0u32..500, rent in 1u128..10_000, wage in 0u128..1_000_000,
            w in weights(),
        ) {
            let s = WindowStats {
                in_store_orders: orders, in_store_amount: ticket * orders as u128,
                new_customers: new, repeat_customers: repeat,
                outside_customers: out_c, outside_orders: out_o, outside_amount: out_ticket * out_o as u128,
            };
            let c = ShopCost { area_sqft: area, staff, rent_per_sqft_day: rent, wage_per_day: wage };
            let f = |x: u32| x as f64 / PPM as f64;
            let value = f(w.new) * new as f64 * ticket as f64
                + f(w.repeat) * repeat as f64 * ticket as f64
                + f(w.outside) * out_c as f64 * out_ticket as f64;
            let expected = value / c.daily_cost() as f64 * ONE as f64;
            let got = s.bizpower(&w, &c) as f64;
            prop_assert!((got - expected).abs() <= 2.0 + expected * 1e-9, "got {got}, expected {expected}");
        }

        /// Replaying any sequence of sales keeps the counters consistent: each
        /// distinct customer counted at most once per window and channel.
        #[test]
        fn dedup_counts_distinct_customers(sales in proptest::collection::vec((0usize..5, any::<bool>(), 1u128..100_000), 1..60)) {
            let mut w = MerchantWindow::default();
            let mut visits = [Visit::default(); 5];
            for (i, (who, outside, amount)) in sales.iter().enumerate() {
                let ch = if *outside { Channel::Outside } else { Channel::InStore };
                sell(&mut w, &mut visits[*who], ch, *amount, i as u64);
            }
            let s = w.stats;
            let in_store_buyers = sales.iter().filter(|s| !s.1).map(|s| s.0).collect::<std::collections::BTreeSet<_>>().len();
            let outside_buyers = sales.iter().filter(|s| s.1).map(|s| s.0).collect::<std::collections::BTreeSet<_>>().len();
            prop_assert_eq!((s.new_customers + s.repeat_customers) as usize, in_store_buyers);
            prop_assert_eq!(s.outside_customers as usize, outside_buyers);
            prop_assert_eq!((s.in_store_orders + s.outside_orders) as usize, sales.len());
        }
    }
}
