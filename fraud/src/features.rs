//! THE feature definition of the fraud model (DESIGN.md §5): one implementation, used to export the training
//! matrix, by the `score` CLI, and by the indexer for live scoring.
//!
//! Features of a receipt are computed only from receipts BEFORE it, fed in time order to an incremental
//! [`FeatureState`]: call [`FeatureState::features`] for the receipt to score, then
//! [`FeatureState::observe`] to add it to the history ([`FeatureState::push`] does both). Nothing a receipt
//! carries about later receipts can reach its features, so the model never learns from the future, and the
//! indexer can rebuild the state from its SQL history by replaying receipts in time order.
//!
//! All history needed is what any indexer has from the chain: order time, merchant, category, customer, the
//! customer's referrer, channel, amount, Time deducted, item count, and each account's first funding (the
//! first native-token transfer to it: who paid the fees of its first signature), fed with
//! [`FeatureState::fund_before`] on the receipts' clock. The state is O(1) per receipt (and per funding, up to
//! a binary search in the funder's fundings): counters per merchant, customer and (customer, merchant) pair,
//! exponentially decaying recent-activity counters, and exact one-hour and one-day windows per merchant.
//!
//! The features, in order (`FEATURE_NAMES[i]` is the name of column `i`; "ln1p" is ln(1 + x)):
//!
//! | # | name | meaning |
//! |---|------|---------|
//! | 0 | `hour_sin` | sin of the local hour of day (UTC+8) on a 24 h circle |
//! | 1 | `hour_cos` | cos of the same |
//! | 2 | `weekend` | 1 on local Saturdays and Sundays |
//! | 3 | `merchant_hour_share` | ln of (Laplace-smoothed share of the merchant's past orders in this hour of day × 24): below 0 at hours the shop is usually quiet |
//! | 4 | `outside` | 1 for an outside sale (delivery) |
//! | 5 | `amount_vs_ticket` | ln(amount) minus the mean ln(amount) of the merchant's past orders (of its category while the merchant has fewer than 10) |
//! | 6 | `amount_z` | the same difference in standard deviations (floor 0.1), clamped to [-10, 20] |
//! | 7 | `items` | ln1p(item count) |
//! | 8 | `per_item_vs_merchant` | ln(amount / items) minus the merchant's (or category's) mean of it |
//! | 9 | `customer_new` | 1 when the customer has no earlier receipt |
//! | 10 | `customer_age_h` | ln1p(hours since the customer's first receipt) — account age as the chain sees it |
//! | 11 | `customer_orders` | ln1p(the customer's earlier receipts, anywhere) |
//! | 12 | `customer_merchants` | ln1p(distinct merchants the customer bought from) |
//! | 13 | `customer_gap_min` | ln1p(minutes since the customer's previous receipt, anywhere); 0 when new |
//! | 14 | `pair_orders` | ln1p(the customer's earlier receipts at this merchant) |
//! | 15 | `pair_share` | share of the customer's earlier receipts that were at this merchant |
//! | 16 | `pair_gap_min` | ln1p(minutes since the customer's previous receipt here); 0 when none |
//! | 17 | `pair_recent_1h` | the customer's earlier receipts here, exponentially decayed with a 1 h time constant |
//! | 18 | `pair_recent_24h` | ln1p(the same with a 24 h time constant) |
//! | 19 | `merchant_orders_1h` | ln1p(the merchant's receipts in the last hour) |
//! | 20 | `merchant_orders_per_buyer_1h` | receipts / distinct customers at the merchant in the last hour, this one included (the quantity of the Shopee rule) |
//! | 21 | `merchant_rate_vs_usual` | ln((receipts in the last 24 h + 1) / (the merchant's average receipts per day + 1)) |
//! | 22 | `merchant_new_share_24h` | share of the merchant's receipts in the last 24 h that were a customer's first receipt ever |
//! | 23 | `merchant_age_d` | ln1p(days since the merchant's first receipt) — how much its statistics can be trusted |
//! | 24 | `has_referrer` | 1 when the customer has a referrer |
//! | 25 | `referrer_fanout` | ln1p(customers of the same referrer seen before) |
//! | 26 | `referrer_fanout_24h` | ln1p(of those, first seen in the last 24 h) |
//! | 27 | `referrer_first_here_share` | share of the referrer's customers whose first receipt was at this merchant |
//! | 28 | `customer_referees` | ln1p(customers this customer has referred, seen so far) |
//! | 29 | `referral_depth` | ln1p(length of the chain of referrers above the customer, as far as the chain has seen them) |
//! | 30 | `referrer_age_h` | ln1p(hours since the referrer's first receipt); 0 without a referrer or when it never bought |
//! | 31 | `referrer_orders` | ln1p(the referrer's receipts so far): real referrers shop, links of a chain barely do |
//! | 32 | `merchant_young_revenue_share` | share of the merchant's recent revenue (exponentially decayed, 3-day time constant) from accounts younger than 7 days (chain age, first receipts included). "Young" needs a known age: accounts first seen in the first 3 days of the history were there before it, and are never young (also below) |
//! | 33 | `merchant_narrow_revenue_share` | the same from accounts that had bought at no more than 2 merchants and are younger than 21 days |
//! | 34 | `first_cohort_vs_usual` | ln((customers whose first receipt was at the customer's first merchant within 24 h before the customer's own first receipt, up to now, + 1) / (that merchant's earlier number of first receipts per 24 h + 1)): accounts opened together; 0 for accounts from the first 3 days of the history |
//! | 35 | `shared_customers_max` | max over the other merchants the customer bought at of the cosine overlap of the two merchants' customer sets (shared customers / √(customers × customers)): shops that trade customers |
//! | 36 | `shared_young_max` | ln1p(max over the same merchants of the customers who bought at both while younger than 14 days): fresh accounts rotating over a group of shops |
//! | 37 | `funded_age_h` | ln1p(hours since the account's first funding); 0 when its funding is unknown |
//! | 38 | `funder_fanout` | ln1p(other accounts the customer's funder has funded so far) |
//! | 39 | `funder_fanout_near` | ln1p(of those, funded within 24 h either side of the customer's funding): accounts funded together |
//! | 40 | `funder_first_here_share` | share of the funder's funded accounts that have bought whose first receipt was at this merchant |
//!
//! Deliberately absent (since version 2): the Time share of the bill, round amounts and identical repeated
//! amounts. Each could only ever say "honest" when present, and a brusher adds it for free (paying 2–10 % in
//! Time, adding a few cents, varying the bill), so a model that used them was evaded by exactly that.
//!
//! The funding features (version 3) cost a brusher something to defeat: one wallet funding a ring's accounts
//! together is what makes them visible before their first purchase; funding each account through an exchange
//! withdrawal instead hides that (`sim::Evasion::funding`), at a fee per account. Honest look-alikes: families
//! funded by the friend who referred them, office staff funded by their employer, shops that pay their new
//! customers' first fees.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;

use crate::receipt::{Channel, Funding, Receipt};
use crate::sim::{DAY_MS, HOUR_MS, LOCAL_UTC_OFFSET_MS, MINUTE_MS};

/// Number of features.
pub const N_FEATURES: usize = 41;

/// Version of the definition. Stored in the model's metadata; bump it with any change to the features so that a
/// model trained on other features is refused.
pub const FEATURE_VERSION: u32 = 3;

/// Column names, in order (see the module docs for their meaning).
pub const FEATURE_NAMES: [&str; N_FEATURES] = [
    "hour_sin",
    "hour_cos",
    "weekend",
    "merchant_hour_share",
    "outside",
    "amount_vs_ticket",
    "amount_z",
    "items",
    "per_item_vs_merchant",
    "customer_new",
    "customer_age_h",
    "customer_orders",
    "customer_merchants",
    "customer_gap_min",
    "pair_orders",
    "pair_share",
    "pair_gap_min",
    "pair_recent_1h",
    "pair_recent_24h",
    "merchant_orders_1h",
    "merchant_orders_per_buyer_1h",
    "merchant_rate_vs_usual",
    "merchant_new_share_24h",
    "merchant_age_d",
    "has_referrer",
    "referrer_fanout",
    "referrer_fanout_24h",
    "referrer_first_here_share",
    "customer_referees",
    "referral_depth",
    "referrer_age_h",
    "referrer_orders",
    "merchant_young_revenue_share",
    "merchant_narrow_revenue_share",
    "first_cohort_vs_usual",
    "shared_customers_max",
    "shared_young_max",
    "funded_age_h",
    "funder_fanout",
    "funder_fanout_near",
    "funder_first_here_share",
];

/// One feature row.
pub type Features = [f32; N_FEATURES];

/// Misuse of a [`FeatureState`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeatureError {
    /// Receipts must be fed in time order; a late receipt would see history from its future.
    #[error("receipt at {got_ms} ms is older than the last observed receipt at {last_ms} ms; feed receipts in time order")]
    OutOfOrder { last_ms: u64, got_ms: u64 },
}

/// Below this many receipts a merchant's own amount statistics are replaced by its category's.
const MIN_MERCHANT_HISTORY: u64 = 10;

/// Running mean and variance (Welford).
#[derive(Debug, Clone, Copy, Default)]
struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Moments {
    fn add(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    fn std(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            (self.m2 / (self.n - 1) as f64).sqrt()
        }
    }
}

/// A count that decays exponentially with time constant `tau`.
#[derive(Debug, Clone, Copy, Default)]
struct Decaying {
    value: f64,
    at_ms: u64,
}

impl Decaying {
    fn get(&self, now_ms: u64, tau_ms: f64) -> f64 {
        if self.value == 0.0 {
            return 0.0;
        }
        self.value * (-(now_ms.saturating_sub(self.at_ms) as f64) / tau_ms).exp()
    }

    fn add(&mut self, now_ms: u64, tau_ms: f64) {
        self.value = self.get(now_ms, tau_ms) + 1.0;
        self.at_ms = now_ms;
    }
}

/// A sum that decays exponentially with time constant `tau`.
#[derive(Debug, Clone, Copy, Default)]
struct DecayingSum {
    value: f64,
    at_ms: u64,
}

impl DecayingSum {
    fn get(&self, now_ms: u64, tau_ms: f64) -> f64 {
        if self.value == 0.0 {
            return 0.0;
        }
        self.value * (-(now_ms.saturating_sub(self.at_ms) as f64) / tau_ms).exp()
    }

    fn add(&mut self, now_ms: u64, tau_ms: f64, x: f64) {
        self.value = self.get(now_ms, tau_ms) + x;
        self.at_ms = now_ms;
    }
}

/// Receipts of one merchant in the last hour and their distinct buyers (exact, sliding).
#[derive(Debug, Clone, Default)]
pub(crate) struct HourWindow {
    orders: VecDeque<(u64, u32)>,
    buyers: FxHashMap<u32, u32>,
}

impl HourWindow {
    /// Drops receipts at or before `now_ms - 1 h`: the window is `(now - 1 h, now]`.
    pub(crate) fn advance(&mut self, now_ms: u64) {
        while let Some(&(t, c)) = self.orders.front() {
            if t + HOUR_MS > now_ms {
                break;
            }
            self.orders.pop_front();
            if let Some(n) = self.buyers.get_mut(&c) {
                *n -= 1;
                if *n == 0 {
                    self.buyers.remove(&c);
                }
            }
        }
    }

    pub(crate) fn push(&mut self, now_ms: u64, customer: u32) {
        self.orders.push_back((now_ms, customer));
        *self.buyers.entry(customer).or_insert(0) += 1;
    }

    pub(crate) fn len(&self) -> usize {
        self.orders.len()
    }

    /// Orders per distinct buyer if `customer` bought now, on top of the window.
    pub(crate) fn ratio_with(&self, customer: u32) -> f64 {
        let orders = self.orders.len() + 1;
        let buyers = self.buyers.len() + usize::from(!self.buyers.contains_key(&customer));
        orders as f64 / buyers as f64
    }
}

#[derive(Debug, Clone, Default)]
struct MerchantState {
    orders: u64,
    first_ms: u64,
    amount: Moments,
    per_item: Moments,
    hours: [u32; 24],
    hour: HourWindow,
    /// Receipts in the last 24 h: (time, was the customer's first receipt ever).
    day: VecDeque<(u64, bool)>,
    day_new: u32,
    /// Distinct customers so far.
    customers: u64,
    /// Times of the customers' first receipts ever that were here, in time order.
    first_receipts: Vec<u64>,
    /// Recent revenue (decayed), in total and from young and from young narrow accounts.
    revenue: DecayingSum,
    revenue_young: DecayingSum,
    revenue_narrow: DecayingSum,
}

impl MerchantState {
    fn advance(&mut self, now_ms: u64) {
        self.hour.advance(now_ms);
        while let Some(&(t, new)) = self.day.front() {
            if t + DAY_MS > now_ms {
                break;
            }
            self.day.pop_front();
            self.day_new -= u32::from(new);
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct CategoryState {
    amount: Moments,
    per_item: Moments,
}

#[derive(Debug, Clone, Default)]
struct CustomerState {
    orders: u64,
    first_ms: u64,
    last_ms: u64,
    merchants: u64,
    /// As a referrer: customers referred, seen so far, and the first-seen times of the last 24 h.
    referees: u64,
    referees_recent: VecDeque<u64>,
    /// Referrers above this customer, as far as seen (fixed at the first receipt).
    depth: u32,
    first_merchant: u32,
    /// The merchants bought at, in order of first purchase (the first [`MAX_LINKED`]).
    merchant_list: Vec<u32>,
    /// Who sent the account its first tokens, and when.
    funded: Option<(u32, u64)>,
}

#[derive(Debug, Clone, Default)]
struct FunderState {
    /// Times of the first fundings it made, in order.
    funded: Vec<u64>,
    /// Accounts it funded that have bought since.
    bought: u64,
}

#[derive(Debug, Clone, Copy, Default)]
struct PairState {
    orders: u64,
    last_ms: u64,
    recent_1h: Decaying,
    recent_24h: Decaying,
}

const TAU_1H: f64 = HOUR_MS as f64;
const TAU_24H: f64 = DAY_MS as f64;
const TAU_REVENUE: f64 = 3.0 * DAY_MS as f64;
/// Accounts younger than this are "young" for the merchant's revenue share.
const YOUNG_MS: u64 = 7 * DAY_MS;
/// A narrow account: at most this many merchants, younger than [`NARROW_AGE_MS`].
const NARROW_MERCHANTS: u64 = 2;
const NARROW_AGE_MS: u64 = 21 * DAY_MS;
/// Merchants per customer that feed the shared-customer counts (bounds the work per receipt).
const MAX_LINKED: usize = 16;
/// See [`FeatureState::start_ms`].
const SETTLING_MS: u64 = 3 * DAY_MS;
/// Accounts younger than this feed `shared_young_max`.
const SHARED_YOUNG_MS: u64 = 14 * DAY_MS;

fn pair_key(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

/// The share of the `total` accounts of `of` (a referrer's referees, a funder's accounts that bought) whose
/// first receipt was at `merchant`, from `firsts`: (of, merchant) → how many; 0 without accounts.
fn first_here_share(firsts: &FxHashMap<u64, u64>, of: u32, merchant: u32, total: u64) -> f64 {
    if total == 0 {
        return 0.0;
    }
    firsts.get(&pair_key(of, merchant)).copied().unwrap_or(0) as f64 / total as f64
}

fn ln1p(x: f64) -> f64 {
    x.ln_1p()
}

/// Grows `v` so that `v[i]` exists.
fn slot<T: Default>(v: &mut Vec<T>, i: u32) -> &mut T {
    let i = i as usize;
    if v.len() <= i {
        v.resize_with(i + 1, T::default);
    }
    &mut v[i]
}

/// The history the features are computed from. See the module docs.
#[derive(Debug, Clone, Default)]
pub struct FeatureState {
    last_ms: u64,
    /// Time of the first receipt observed: accounts first seen within [`SETTLING_MS`] of it were there before
    /// the history began, so their age is unknown (they are never "young").
    start_ms: Option<u64>,
    merchants: Vec<MerchantState>,
    categories: Vec<CategoryState>,
    customers: Vec<CustomerState>,
    pairs: FxHashMap<u64, PairState>,
    /// (referrer, merchant) → referees whose first receipt was at that merchant.
    referee_first_at: FxHashMap<u64, u64>,
    /// (merchant, merchant), lower id first → customers who bought at both, and of them those who bought at
    /// the second of the two while younger than [`SHARED_YOUNG_MS`].
    shared: FxHashMap<u64, (u32, u32)>,
    funders: Vec<FunderState>,
    /// (funder, merchant) → accounts it funded whose first receipt was at that merchant.
    funded_first_at: FxHashMap<u64, u64>,
}

impl FeatureState {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether an account first seen at `first_ms` was opened after the history began.
    fn settled(&self, first_ms: u64) -> bool {
        self.start_ms
            .is_some_and(|start| first_ms >= start + SETTLING_MS)
    }

    /// Receipts observed so far (across all merchants).
    pub fn observed(&self) -> u64 {
        self.merchants.iter().map(|m| m.orders).sum()
    }

    fn check_order(&self, r: &Receipt) -> Result<(), FeatureError> {
        self.check_time(r.order_time_ms)
    }

    fn check_time(&self, got_ms: u64) -> Result<(), FeatureError> {
        if got_ms < self.last_ms {
            return Err(FeatureError::OutOfOrder {
                last_ms: self.last_ms,
                got_ms,
            });
        }
        Ok(())
    }

    /// Adds a funding to the history at its own time; only an account's first one counts. The pipeline and
    /// the indexer feed fundings through [`FeatureState::fund_before`], which stamps them with the receipts'
    /// clock.
    ///
    /// # Errors
    /// [`FeatureError::OutOfOrder`] when `f` is older than a receipt or funding already observed.
    pub fn fund(&mut self, f: &Funding) -> Result<(), FeatureError> {
        self.check_time(f.time_ms)?;
        self.last_ms = f.time_ms;
        let c = slot(&mut self.customers, f.account);
        if c.funded.is_none() {
            c.funded = Some((f.funder, f.time_ms));
            slot(&mut self.funders, f.funder).funded.push(f.time_ms);
        }
        Ok(())
    }

    /// Expires window entries older than `r`'s time (the only mutation before `r` is observed).
    fn advance(&mut self, r: &Receipt) {
        let now = r.order_time_ms;
        if let Some(m) = self.merchants.get_mut(r.merchant as usize) {
            m.advance(now);
        }
        if let Some(referrer) = r.referrer {
            if let Some(c) = self.customers.get_mut(referrer as usize) {
                while c
                    .referees_recent
                    .front()
                    .is_some_and(|&t| t + DAY_MS <= now)
                {
                    c.referees_recent.pop_front();
                }
            }
        }
    }

    /// Whether `customer`'s first funding has been fed: without one its
    /// funding features are 0 (funded at genesis, otherwise than by a
    /// transfer, or before the history began), which the model ranks worse.
    pub fn is_funded(&self, customer: u32) -> bool {
        self.customers
            .get(customer as usize)
            .is_some_and(|c| c.funded.is_some())
    }

    /// The features of `r` from the receipts observed before it. Does not add `r` to the history.
    ///
    /// # Errors
    /// [`FeatureError::OutOfOrder`] when `r` is older than a receipt already observed.
    pub fn features(&mut self, r: &Receipt) -> Result<Features, FeatureError> {
        self.check_order(r)?;
        self.advance(r);
        Ok(self.compute(r))
    }

    fn compute(&self, r: &Receipt) -> Features {
        static EMPTY_MERCHANT: std::sync::LazyLock<MerchantState> =
            std::sync::LazyLock::new(MerchantState::default);
        let empty_customer = CustomerState::default();
        let now = r.order_time_ms;
        let m = self
            .merchants
            .get(r.merchant as usize)
            .unwrap_or(&EMPTY_MERCHANT);
        let cat = self
            .categories
            .get(r.category as usize)
            .copied()
            .unwrap_or_default();
        let c = self
            .customers
            .get(r.customer as usize)
            .unwrap_or(&empty_customer);
        let pair = self
            .pairs
            .get(&pair_key(r.customer, r.merchant))
            .copied()
            .unwrap_or_default();

        let local = (now + LOCAL_UTC_OFFSET_MS) % DAY_MS;
        let hour = (local / HOUR_MS) as usize;
        let angle = std::f64::consts::TAU * local as f64 / DAY_MS as f64;
        let weekday = ((now + LOCAL_UTC_OFFSET_MS) / DAY_MS + 3) % 7; // 1970-01-01 was a Thursday.
        let hour_share = 24.0 * (f64::from(m.hours[hour]) + 1.0) / (m.orders as f64 + 24.0);

        let amount = (r.amount_cents.max(1)) as f64;
        let items = f64::from(r.item_count.max(1));
        let (amount_ref, per_item_ref) = if m.orders >= MIN_MERCHANT_HISTORY {
            (m.amount, m.per_item)
        } else {
            (cat.amount, cat.per_item)
        };
        let (amount_vs, amount_z, per_item_vs) = if amount_ref.n >= MIN_MERCHANT_HISTORY {
            let d = amount.ln() - amount_ref.mean;
            (
                d,
                (d / amount_ref.std().max(0.1)).clamp(-10.0, 20.0),
                (amount / items).ln() - per_item_ref.mean,
            )
        } else {
            (0.0, 0.0, 0.0)
        };

        let is_new = c.orders == 0;
        let (age_h, gap_min) = if is_new {
            (0.0, 0.0)
        } else {
            (
                (now - c.first_ms) as f64 / HOUR_MS as f64,
                (now - c.last_ms) as f64 / MINUTE_MS as f64,
            )
        };
        let pair_share = if is_new {
            0.0
        } else {
            pair.orders as f64 / c.orders as f64
        };
        let pair_gap = if pair.orders == 0 {
            0.0
        } else {
            ln1p((now - pair.last_ms) as f64 / MINUTE_MS as f64)
        };

        let merchant_days = if m.orders == 0 {
            0.0
        } else {
            (now - m.first_ms) as f64 / DAY_MS as f64
        };
        let per_day = m.orders as f64 / merchant_days.max(1.0);
        let day_orders = m.day.len() as f64;
        let new_share = if m.day.is_empty() {
            0.0
        } else {
            f64::from(m.day_new) / day_orders
        };

        let (fanout, fanout_24h, first_here) = match r.referrer {
            Some(referrer) => {
                let rc = self
                    .customers
                    .get(referrer as usize)
                    .unwrap_or(&empty_customer);
                let share =
                    first_here_share(&self.referee_first_at, referrer, r.merchant, rc.referees);
                (rc.referees as f64, rc.referees_recent.len() as f64, share)
            }
            None => (0.0, 0.0, 0.0),
        };

        let (depth, referrer_age_h, referrer_orders) = match r.referrer {
            Some(referrer) => match self.customers.get(referrer as usize) {
                Some(rc) if rc.orders > 0 => (
                    if is_new { rc.depth + 1 } else { c.depth },
                    (now - rc.first_ms) as f64 / HOUR_MS as f64,
                    rc.orders as f64,
                ),
                _ => (if is_new { 1 } else { c.depth }, 0.0, 0.0),
            },
            None => (0, 0.0, 0.0),
        };
        let revenue = m.revenue.get(now, TAU_REVENUE);
        let (young_share, narrow_share) = if revenue > 0.0 {
            (
                m.revenue_young.get(now, TAU_REVENUE) / revenue,
                m.revenue_narrow.get(now, TAU_REVENUE) / revenue,
            )
        } else {
            (0.0, 0.0)
        };
        let cohort = {
            let (fm, ft) = if is_new {
                (r.merchant, now)
            } else {
                (c.first_merchant, c.first_ms)
            };
            match self.merchants.get(fm as usize) {
                // Only for accounts opened after the history began, against the merchant's earlier rate.
                Some(first) if self.settled(ft) && ft >= first.first_ms + DAY_MS => {
                    let from = first.first_receipts.partition_point(|&t| t + DAY_MS < ft);
                    // Those up to now (the customer's own first receipt excluded).
                    let n =
                        (first.first_receipts.len() - from) as f64 - f64::from(u8::from(!is_new));
                    let days = ((ft - DAY_MS - first.first_ms) as f64 / DAY_MS as f64).max(1.0);
                    let usual = from as f64 / days;
                    ((n.max(0.0) + 1.0) / (usual + 1.0)).ln()
                }
                _ => 0.0,
            }
        };
        let (shared_max, shared_young) = c
            .merchant_list
            .iter()
            .filter(|&&o| o != r.merchant)
            .map(|&o| {
                let s = self
                    .shared
                    .get(&pair_key(o.min(r.merchant), o.max(r.merchant)));
                let n_o = self.merchants.get(o as usize).map_or(0, |x| x.customers);
                match s {
                    Some(&(s, young)) if m.customers > 0 && n_o > 0 => (
                        f64::from(s) / ((m.customers * n_o) as f64).sqrt(),
                        f64::from(young),
                    ),
                    _ => (0.0, 0.0),
                }
            })
            .fold((0.0, 0.0), |(a, b), (x, y)| {
                (f64::max(a, x), f64::max(b, y))
            });

        let (funded_age, funder_fanout, funder_near, funder_here) = match c.funded {
            Some((funder, at)) => {
                let fs = &self.funders[funder as usize];
                let lo = fs.funded.partition_point(|&t| t + DAY_MS < at);
                let hi = fs.funded.partition_point(|&t| t <= at + DAY_MS);
                let share = first_here_share(&self.funded_first_at, funder, r.merchant, fs.bought);
                (
                    now.saturating_sub(at) as f64 / HOUR_MS as f64,
                    (fs.funded.len() - 1) as f64,
                    (hi - lo - 1) as f64,
                    share,
                )
            }
            None => (0.0, 0.0, 0.0, 0.0),
        };

        let f = [
            angle.sin(),
            angle.cos(),
            f64::from(u8::from(weekday >= 5)),
            hour_share.ln(),
            f64::from(u8::from(r.channel == Channel::Outside)),
            amount_vs,
            amount_z,
            ln1p(items),
            per_item_vs,
            f64::from(u8::from(is_new)),
            ln1p(age_h),
            ln1p(c.orders as f64),
            ln1p(c.merchants as f64),
            ln1p(gap_min),
            ln1p(pair.orders as f64),
            pair_share,
            pair_gap,
            pair.recent_1h.get(now, TAU_1H),
            ln1p(pair.recent_24h.get(now, TAU_24H)),
            ln1p(m.hour.len() as f64),
            m.hour.ratio_with(r.customer),
            ((day_orders + 1.0) / (per_day + 1.0)).ln(),
            new_share,
            ln1p(merchant_days),
            f64::from(u8::from(r.referrer.is_some())),
            ln1p(fanout),
            ln1p(fanout_24h),
            first_here,
            ln1p(c.referees as f64),
            ln1p(f64::from(depth)),
            ln1p(referrer_age_h),
            ln1p(referrer_orders),
            young_share,
            narrow_share,
            cohort,
            shared_max,
            ln1p(shared_young),
            ln1p(funded_age),
            ln1p(funder_fanout),
            ln1p(funder_near),
            funder_here,
        ];
        f.map(|x| x as f32)
    }

    /// Adds `r` to the history.
    ///
    /// # Errors
    /// [`FeatureError::OutOfOrder`] when `r` is older than a receipt already observed.
    pub fn observe(&mut self, r: &Receipt) -> Result<(), FeatureError> {
        self.check_order(r)?;
        self.advance(r);
        let now = r.order_time_ms;
        self.last_ms = now;
        let amount = (r.amount_cents.max(1)) as f64;
        let per_item = amount / f64::from(r.item_count.max(1));

        let referrer_depth = r
            .referrer
            .and_then(|p| self.customers.get(p as usize))
            .filter(|p| p.orders > 0)
            .map(|p| p.depth);
        let c = slot(&mut self.customers, r.customer);
        let first_ever = c.orders == 0;
        if first_ever {
            c.first_ms = now;
            c.first_merchant = r.merchant;
            c.depth = match (r.referrer, referrer_depth) {
                (Some(_), Some(d)) => d + 1,
                (Some(_), None) => 1,
                (None, _) => 0,
            };
        }
        // Age and breadth before this receipt: what the features of this receipt saw.
        let start = *self.start_ms.get_or_insert(now);
        let settled = c.first_ms >= start + SETTLING_MS;
        let young = settled && now - c.first_ms < YOUNG_MS;
        let narrow = settled && c.merchants <= NARROW_MERCHANTS && now - c.first_ms < NARROW_AGE_MS;
        c.orders += 1;
        c.last_ms = now;

        let pair = self
            .pairs
            .entry(pair_key(r.customer, r.merchant))
            .or_default();
        let new_pair = pair.orders == 0;
        pair.orders += 1;
        pair.last_ms = now;
        pair.recent_1h.add(now, TAU_1H);
        pair.recent_24h.add(now, TAU_24H);
        if new_pair {
            let c = slot(&mut self.customers, r.customer);
            c.merchants += 1;
            let fresh = settled && now - c.first_ms < SHARED_YOUNG_MS;
            for &o in &c.merchant_list {
                let e = self
                    .shared
                    .entry(pair_key(o.min(r.merchant), o.max(r.merchant)))
                    .or_insert((0, 0));
                e.0 += 1;
                e.1 += u32::from(fresh);
            }
            if c.merchant_list.len() < MAX_LINKED {
                c.merchant_list.push(r.merchant);
            }
        }

        if first_ever {
            if let Some((funder, _)) = slot(&mut self.customers, r.customer).funded {
                slot(&mut self.funders, funder).bought += 1;
                *self
                    .funded_first_at
                    .entry(pair_key(funder, r.merchant))
                    .or_insert(0) += 1;
            }
            if let Some(referrer) = r.referrer {
                let rc = slot(&mut self.customers, referrer);
                rc.referees += 1;
                rc.referees_recent.push_back(now);
                *self
                    .referee_first_at
                    .entry(pair_key(referrer, r.merchant))
                    .or_insert(0) += 1;
            }
        }

        let m = slot(&mut self.merchants, r.merchant);
        if m.orders == 0 {
            m.first_ms = now;
        }
        m.orders += 1;
        m.amount.add(amount.ln());
        m.per_item.add(per_item.ln());
        m.hours[((now + LOCAL_UTC_OFFSET_MS) % DAY_MS / HOUR_MS) as usize] += 1;
        m.hour.push(now, r.customer);
        m.day.push_back((now, first_ever));
        m.day_new += u32::from(first_ever);
        m.customers += u64::from(new_pair);
        if first_ever {
            m.first_receipts.push(now);
        }
        m.revenue.add(now, TAU_REVENUE, amount);
        m.revenue_young
            .add(now, TAU_REVENUE, if young { amount } else { 0.0 });
        m.revenue_narrow
            .add(now, TAU_REVENUE, if narrow { amount } else { 0.0 });

        let cat = slot(&mut self.categories, r.category);
        cat.amount.add(amount.ln());
        cat.per_item.add(per_item.ln());
        Ok(())
    }

    /// Feeds `fundings` (those since the previous receipt, in chain order) stamped with `r`'s time: the
    /// chain's block times and the receipts' order times are different clocks (a replay of old sales, a till
    /// whose clock is off), so fundings are placed on the receipts' clock, at the first receipt after them.
    ///
    /// # Errors
    /// [`FeatureError::OutOfOrder`] when `r` is older than a receipt already observed.
    pub fn fund_before<'a>(
        &mut self,
        fundings: impl IntoIterator<Item = &'a Funding>,
        r: &Receipt,
    ) -> Result<(), FeatureError> {
        for f in fundings {
            self.fund(&Funding {
                time_ms: r.order_time_ms,
                ..*f
            })?;
        }
        Ok(())
    }

    /// [`FeatureState::fund_before`], then [`FeatureState::push`]: the features of `r` after the fundings since
    /// the previous receipt.
    ///
    /// # Errors
    /// [`FeatureError::OutOfOrder`] when `r` is older than a receipt already observed.
    pub fn push_after<'a>(
        &mut self,
        fundings: impl IntoIterator<Item = &'a Funding>,
        r: &Receipt,
    ) -> Result<Features, FeatureError> {
        self.fund_before(fundings, r)?;
        self.push(r)
    }

    /// [`FeatureState::features`] then [`FeatureState::observe`]: the features of `r`, after which `r` is history.
    ///
    /// # Errors
    /// [`FeatureError::OutOfOrder`] when `r` is older than a receipt already observed.
    pub fn push(&mut self, r: &Receipt) -> Result<Features, FeatureError> {
        let f = self.features(r)?;
        self.observe(r)?;
        Ok(f)
    }
}
