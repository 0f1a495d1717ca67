//! Seeded retail simulator: the training data of the fraud model and the traffic of the demo chain.
//!
//! A [`Simulation`] holds merchants (with the BizPower inputs: area, staff, rent, wage), customers (home
//! district, referrer) and a time-ordered stream of receipts. Honest customers keep habits (a few favourite
//! merchants, mostly in their home district, an order rate, a delivery propensity) and merchants follow the
//! daily rhythm and ticket of their category. On top of that, labelled brushing (刷单) in four patterns:
//!
//! - [`Brushing::Ring`]: a merchant runs a ring of fake accounts that order from it for days;
//! - [`Brushing::Repeat`]: one customer repeats orders at one merchant, in a burst or daily;
//! - [`Brushing::ReferralBurst`]: a referrer brings a burst of new accounts that all buy at one merchant
//!   (harvesting referral bonuses);
//! - [`Brushing::HugeOrder`]: a merchant inflates one huge order;
//! - [`Brushing::Collusion`]: the owners of a group of shops (and a few accomplices) buy at each other's shops
//!   in rotation, paced like regulars;
//! - [`Brushing::ReferralChain`]: a chain of referrals, one referee each, many levels deep, every new account
//!   buying at the brushed shop.
//!
//! Brushers are adversaries who know the features: [`Evasion`] gives, per scheme, the chance of each evasive
//! behaviour (paying part in Time, amounts off round numbers, pacing like regulars at normal hours, accounts
//! aged before use, rotation across a colluding group of shops).
//!
//! Honest traffic also has look-alikes that must not be flagged: regulars who visit daily, loyal daily
//! regulars with the same order every morning, office lunch groups at one restaurant, families who join
//! through the same referrer and buy together, shops with night trade, second orders within the hour, honest
//! large group orders.
//!
//! Everything is reproducible from [`SimConfig::seed`]. Entities are index numbers (`Merchant::id`,
//! `Customer::id` are their positions), amounts are cents, times are ms since the Unix epoch.

use crate::receipt::{Channel, Receipt};
use crate::rng::Rng;

/// One minute in ms.
pub const MINUTE_MS: u64 = 60_000;
/// One hour in ms.
pub const HOUR_MS: u64 = 3_600_000;
/// One day in ms.
pub const DAY_MS: u64 = 86_400_000;
/// Offset of the merchants' local time from UTC: China Standard Time (UTC+8), the whitepaper's market.
/// Hours of day in the simulator and in [`crate::features`] are local hours.
pub const LOCAL_UTC_OFFSET_MS: u64 = 8 * HOUR_MS;
/// Default start of a simulation: 2026-01-01 00:00 local time (UTC+8).
pub const DEFAULT_START_MS: u64 = 1_767_196_800_000;

/// Merchant categories (the registry's category field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    Restaurant,
    Cafe,
    Grocery,
    Bakery,
    Fashion,
    Salon,
}

struct Profile {
    /// Share of merchants in this category.
    share: f64,
    /// Median ticket in cents.
    ticket_cents: f64,
    /// Log-space spread of a ticket around the merchant's median.
    ticket_sigma: f64,
    /// Mean items per receipt.
    items_mean: f64,
    /// Share of outside sales (delivery) for an average customer.
    outside_share: f64,
    /// Median shop area in square feet.
    area_sqft: f64,
    /// Relative traffic per local hour of day (0 = closed).
    hours: [f64; 24],
    /// Traffic factor on Saturdays and Sundays.
    weekend: f64,
    /// Chance that an honest order is a large group order (catering, a family shop).
    group_order: f64,
}

#[rustfmt::skip]
const PROFILES: [Profile; 6] = [
    // Restaurant: lunch and dinner peaks.
    Profile { share: 0.30, ticket_cents: 9_000.0, ticket_sigma: 0.45, items_mean: 3.5, outside_share: 0.35,
        area_sqft: 1_500.0, weekend: 1.3, group_order: 0.004,
        hours: [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.3, 2.0,
                3.0, 1.5, 0.4, 0.3, 0.5, 2.0, 3.0, 2.5, 1.2, 0.6, 0.2, 0.0] },
    // Café: morning rush, afternoon bump.
    Profile { share: 0.20, ticket_cents: 3_500.0, ticket_sigma: 0.35, items_mean: 1.6, outside_share: 0.25,
        area_sqft: 600.0, weekend: 0.8, group_order: 0.001,
        hours: [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 3.0, 2.5, 1.5, 1.0,
                1.0, 1.2, 1.8, 1.6, 1.0, 0.6, 0.4, 0.3, 0.1, 0.0, 0.0, 0.0] },
    // Grocery: all day, evening peak.
    Profile { share: 0.15, ticket_cents: 6_000.0, ticket_sigma: 0.6, items_mean: 7.0, outside_share: 0.15,
        area_sqft: 2_500.0, weekend: 1.2, group_order: 0.002,
        hours: [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 1.0, 1.0, 1.0, 1.0,
                1.0, 0.8, 0.8, 0.9, 1.2, 2.0, 2.2, 1.8, 1.2, 0.6, 0.0, 0.0] },
    // Bakery: breakfast and after work.
    Profile { share: 0.12, ticket_cents: 2_500.0, ticket_sigma: 0.4, items_mean: 2.5, outside_share: 0.1,
        area_sqft: 500.0, weekend: 1.1, group_order: 0.002,
        hours: [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.3, 2.5, 2.5, 1.2, 0.8, 0.8,
                0.8, 0.6, 0.6, 0.8, 1.6, 2.0, 1.6, 0.8, 0.3, 0.0, 0.0, 0.0] },
    // Fashion: afternoon and evening, weekends.
    Profile { share: 0.13, ticket_cents: 30_000.0, ticket_sigma: 0.55, items_mean: 1.8, outside_share: 0.1,
        area_sqft: 1_200.0, weekend: 1.8, group_order: 0.0,
        hours: [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.3, 0.7,
                0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.6, 1.8, 1.6, 1.0, 0.0, 0.0] },
    // Salon: services by appointment, flat.
    Profile { share: 0.10, ticket_cents: 15_000.0, ticket_sigma: 0.35, items_mean: 1.1, outside_share: 0.0,
        area_sqft: 800.0, weekend: 1.4, group_order: 0.0,
        hours: [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.8, 1.0,
                1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.3, 0.0, 0.0] },
];

impl Category {
    /// Every category, in id order.
    pub const ALL: [Category; 6] = [
        Category::Restaurant,
        Category::Cafe,
        Category::Grocery,
        Category::Bakery,
        Category::Fashion,
        Category::Salon,
    ];

    /// Dense id (position in [`Category::ALL`]).
    pub fn index(self) -> u32 {
        self as u32
    }

    /// The CSV spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Restaurant => "restaurant",
            Category::Cafe => "cafe",
            Category::Grocery => "grocery",
            Category::Bakery => "bakery",
            Category::Fashion => "fashion",
            Category::Salon => "salon",
        }
    }

    /// Parses the CSV spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    fn profile(self) -> &'static Profile {
        &PROFILES[self as usize]
    }
}

/// A shop, with the registry fields BizPower needs (DESIGN.md §3.2, §4).
#[derive(Debug, Clone, PartialEq)]
pub struct Merchant {
    /// Index in [`Simulation::merchants`].
    pub id: u32,
    pub category: Category,
    /// Business district (商圈) number.
    pub district: u16,
    /// Shop area `x` in square feet.
    pub area_sqft: u32,
    /// Staff count `y`.
    pub staff: u32,
    /// Local rent `e_R` in cents per square foot per day.
    pub rent_cents_per_sqft_day: u32,
    /// Daily wage `e_S` in cents.
    pub wage_cents_per_day: u32,
    /// Referrer merchant, if any.
    pub referrer: Option<u32>,
    /// The merchant's median ticket in cents.
    pub ticket_cents: u64,
    /// Relative attractiveness when customers pick their favourites.
    pub popularity: f64,
    /// Open late into the night (a restaurant or grocery with night trade).
    pub night: bool,
}

/// A customer account.
#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    /// Index in [`Simulation::customers`].
    pub id: u32,
    /// Home district number.
    pub home_district: u16,
    /// Referrer customer (顾客父 ID), if any.
    pub referrer: Option<u32>,
    /// When the account was created (ms); the simulation start for the initial population.
    pub joined_ms: u64,
    /// Created by a brushing scheme.
    pub fake: bool,
}

/// The brushing pattern a fraudulent receipt belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Brushing {
    Ring,
    Repeat,
    ReferralBurst,
    HugeOrder,
    Collusion,
    ReferralChain,
}

impl Brushing {
    /// Every pattern.
    pub const ALL: [Brushing; 6] = [
        Brushing::Ring,
        Brushing::Repeat,
        Brushing::ReferralBurst,
        Brushing::HugeOrder,
        Brushing::Collusion,
        Brushing::ReferralChain,
    ];

    /// Name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Brushing::Ring => "ring",
            Brushing::Repeat => "repeat",
            Brushing::ReferralBurst => "referral_burst",
            Brushing::HugeOrder => "huge_order",
            Brushing::Collusion => "collusion",
            Brushing::ReferralChain => "referral_chain",
        }
    }

    /// Parses [`Brushing::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Brushing::ALL.into_iter().find(|b| b.as_str() == s)
    }
}

/// How adversarial the brushers are: for each scheme, the chance that it uses each evasive behaviour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evasion {
    /// Pays 2–10 % of each fake bill in Time, as honest Time users do.
    pub time_share: f64,
    /// Prices fake bills like honest ones (whole yuan, 10 fen or exact cents) instead of round ¥10 / ¥50 steps.
    pub jitter: f64,
    /// Paces orders like a regular: one order per account every day or two, at the shop's busy hours, with
    /// ordinary amounts, for two to three weeks.
    pub paced: f64,
    /// Opens the fake accounts this many days before use, each with one small purchase at the shop.
    pub aging_days: u32,
    /// Chance that aging is used at all.
    pub aging: f64,
    /// A ring spreads its orders over a colluding group of 3–6 shops of one district.
    pub rotation: f64,
    /// Funds each new fake account from an exchange, like most honest newcomers, instead of from one wallet
    /// of the scheme (a withdrawal fee per account).
    pub funding: f64,
}

impl Evasion {
    /// Naive brushers (the simulator's original four patterns).
    pub const NONE: Evasion = Evasion {
        time_share: 0.0,
        jitter: 0.0,
        paced: 0.0,
        aging_days: 7,
        aging: 0.0,
        rotation: 0.0,
        funding: 0.0,
    };
    /// Every scheme uses every evasion.
    pub const FULL: Evasion = Evasion {
        time_share: 1.0,
        jitter: 1.0,
        paced: 1.0,
        aging_days: 7,
        aging: 1.0,
        rotation: 1.0,
        funding: 1.0,
    };
    /// The default mix: each behaviour in half of the schemes.
    pub const MIXED: Evasion = Evasion {
        time_share: 0.5,
        jitter: 0.5,
        paced: 0.5,
        aging_days: 7,
        aging: 0.5,
        rotation: 0.5,
        funding: 0.5,
    };

    /// A named variant: `none`, `mixed`, `full`, or one behaviour alone (`time_share`, `jitter`, `paced`,
    /// `aging`, `rotation`, `funding`).
    pub fn named(name: &str) -> Option<Self> {
        let only = Evasion::NONE;
        Some(match name {
            "none" => Evasion::NONE,
            "mixed" => Evasion::MIXED,
            "full" => Evasion::FULL,
            "time_share" => Evasion {
                time_share: 1.0,
                ..only
            },
            "jitter" => Evasion {
                jitter: 1.0,
                ..only
            },
            "paced" => Evasion { paced: 1.0, ..only },
            "aging" => Evasion { aging: 1.0, ..only },
            "rotation" => Evasion {
                rotation: 1.0,
                ..only
            },
            "funding" => Evasion {
                funding: 1.0,
                ..only
            },
            _ => return None,
        })
    }
}

/// The evasive behaviours one scheme drew.
#[derive(Debug, Clone, Copy, Default)]
struct Tactics {
    time_share: bool,
    jitter: bool,
    paced: bool,
    aging: bool,
    rotation: bool,
}

/// A simulated receipt with its ground truth.
#[derive(Debug, Clone, PartialEq)]
pub struct SimReceipt {
    /// Position in the time-ordered stream; unique within a simulation.
    pub receipt_id: u64,
    pub receipt: Receipt,
    /// `Some` for brushing (label 1), `None` for honest sales (label 0).
    pub brushing: Option<Brushing>,
}

impl SimReceipt {
    /// The 0/1 label: true for brushing.
    pub fn label(&self) -> bool {
        self.brushing.is_some()
    }
}

/// Who sent an account its first native tokens, which pay the fees of its first signature (the customer
/// signs every receipt it confirms or opens, DESIGN.md §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Funder {
    /// An exchange's withdrawal wallet (one of [`EXCHANGES`]): most people's first tokens.
    Exchange(u32),
    /// A shop: sponsors pay their new customers' first fees; colluding owners fund their own accounts.
    Merchant(u32),
    /// Another customer: the friend or parent who referred a group of newcomers, or a link of a referral chain.
    Customer(u32),
    /// The private wallet of brushing scheme number `n`.
    Operator(u32),
    /// The employer of office lunch group number `n`, which set up its staff's wallets together.
    Employer(u32),
}

/// Exchanges people withdraw from, by share of the withdrawals.
pub const EXCHANGES: [f64; 3] = [0.5, 0.3, 0.2];

/// An account's first native tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Funding {
    /// Time of the transfer, ms.
    pub time_ms: u64,
    pub funder: Funder,
    /// The customer funded.
    pub account: u32,
}

/// What to simulate.
#[derive(Debug, Clone, PartialEq)]
pub struct SimConfig {
    pub seed: u64,
    /// Start of day 0, ms (local midnight).
    pub start_ms: u64,
    pub days: u32,
    pub merchants: u32,
    /// Customers present at the start; more join during the simulation.
    pub customers: u32,
    pub districts: u16,
    /// Customers who join during the simulation, as a share of `customers`.
    pub joining_share: f64,
    /// No brushing before this day, so that the history the features need exists (as on a running chain).
    pub brushing_from_day: u32,
    pub rings: u32,
    pub repeaters: u32,
    pub referral_bursts: u32,
    pub huge_orders: u32,
    /// Groups of colluding shops whose owners buy at each other's shops.
    pub collusions: u32,
    pub referral_chains: u32,
    pub evasion: Evasion,
    /// Honest look-alikes: office lunch groups (colleagues at one restaurant on weekdays).
    pub lunch_groups: u32,
    /// Honest look-alikes: share of customers who are loyal daily regulars of one shop (same order, same hour).
    pub loyal_share: f64,
    /// Honest look-alikes: share of restaurants and groceries open late into the night.
    pub night_share: f64,
}

impl SimConfig {
    /// A configuration of the given size with brushing in proportion: per 100 merchants and 4 weeks, 6 rings,
    /// 25 repeating customers, 8 referral bursts, 15 huge orders, 3 colluding groups and 5 referral chains
    /// (the last two only when the size gives at least one), brushers of [`Evasion::MIXED`], and 4 office
    /// lunch groups, 2 % loyal daily regulars and 15 % night shops among restaurants and groceries.
    pub fn new(seed: u64, merchants: u32, customers: u32, days: u32) -> Self {
        let scale = f64::from(merchants) / 100.0 * f64::from(days) / 28.0;
        let count = |per: f64| (per * scale).round().max(1.0) as u32;
        let count0 = |per: f64| (per * scale).round() as u32;
        SimConfig {
            seed,
            start_ms: DEFAULT_START_MS,
            days,
            merchants,
            customers,
            districts: (merchants / 12).clamp(1, 64) as u16,
            joining_share: 0.2,
            brushing_from_day: days.min(3),
            rings: count(6.0),
            repeaters: count(25.0),
            referral_bursts: count(8.0),
            huge_orders: count(15.0),
            collusions: count0(3.0),
            referral_chains: count0(5.0),
            evasion: Evasion::MIXED,
            lunch_groups: count0(4.0),
            loyal_share: 0.02,
            night_share: 0.15,
        }
    }

    /// The default size used for training and tests: 150 merchants, 12,000 customers, 28 days
    /// (about 130,000 receipts).
    pub fn standard(seed: u64) -> Self {
        SimConfig::new(seed, 150, 12_000, 28)
    }
}

/// The output of [`simulate`].
#[derive(Debug, Clone)]
pub struct Simulation {
    pub config: SimConfig,
    pub merchants: Vec<Merchant>,
    pub customers: Vec<Customer>,
    /// Sorted by `order_time_ms`; `receipts[i].receipt_id == i`.
    pub receipts: Vec<SimReceipt>,
    /// Every customer's first funding, sorted by time. The initial population was funded before the start.
    pub fundings: Vec<Funding>,
}

impl Simulation {
    /// How many accounts each funder's tokens reach: the accounts it funds, and those they fund in turn. A
    /// replay that gives each account `unit × (1 + reach of Funder::Customer(account))`, and each other funder
    /// `unit × reach`, lets every funder pass `unit` on to each account it funds.
    pub fn funding_reach(&self) -> std::collections::HashMap<Funder, u64> {
        let mut reach = std::collections::HashMap::new();
        // A customer funds others only after its own funding: backwards, its reach is final when reached.
        for f in self.fundings.iter().rev() {
            let below = reach
                .get(&Funder::Customer(f.account))
                .copied()
                .unwrap_or(0);
            *reach.entry(f.funder).or_insert(0) += 1 + below;
        }
        reach
    }

    /// The fundings as the model sees them: funders numbered (exchanges, then merchants, customers, and the
    /// schemes' and employers' wallets).
    pub fn funding_events(&self) -> Vec<crate::receipt::Funding> {
        let (e, m, c) = (
            EXCHANGES.len() as u32,
            self.merchants.len() as u32,
            self.customers.len() as u32,
        );

        self.fundings
            .iter()
            .map(|f| crate::receipt::Funding {
                time_ms: f.time_ms,
                funder: match f.funder {
                    Funder::Exchange(k) => k,
                    Funder::Merchant(x) => e + x,
                    Funder::Customer(x) => e + m + x,
                    // Wallets: the schemes' on even numbers, the employers' on odd ones.
                    Funder::Operator(x) => e + m + c + 2 * x,
                    Funder::Employer(x) => e + m + c + 2 * x + 1,
                },
                account: f.account,
            })
            .collect()
    }
}

/// How an account came to be (not part of the output beyond [`Customer::fake`]; it decides the funding).
#[derive(Debug, Clone, Copy)]
enum Origin {
    /// In the population at the start.
    Initial,
    /// Joined during the simulation with a group of friends (index in `World::groups`).
    Joined(usize),
    /// Opened by a brushing scheme.
    Fake(Scheme),
}

/// One brushing scheme: its number, its pattern and the shop it brushes (none for a repeater's own account).
#[derive(Debug, Clone, Copy)]
struct Scheme {
    id: u32,
    kind: Brushing,
    shop: Option<u32>,
}

/// Share of shops that pay their new customers' first fees.
const SPONSOR_SHARE: f64 = 0.1;

/// One sale before it becomes a [`Receipt`].
struct Sale {
    time: u64,
    merchant: u32,
    customer: u32,
    channel: Channel,
    amount: u64,
    deducted: u64,
    items: u32,
}

/// An honest customer's habits (not part of the output: nothing on chain shows them).
struct Habit {
    /// Orders per day.
    rate: f64,
    /// Favourite merchants and their weights.
    favourites: Vec<(u32, f64)>,
    /// Multiplier on the category's outside share.
    delivery: f64,
    /// Pays part of the bill with Time now and then.
    time_user: bool,
}

struct World {
    cfg: SimConfig,
    merchants: Vec<Merchant>,
    customers: Vec<Customer>,
    habits: Vec<Option<Habit>>,
    by_district: Vec<Vec<u32>>,
    /// Newcomers who joined together through one referrer: (referrer, members).
    groups: Vec<(Option<u32>, Vec<u32>)>,
    /// Per customer.
    origins: Vec<Origin>,
    /// Brushing schemes numbered so far.
    schemes: u32,
    /// Members of each office lunch group.
    lunches: Vec<Vec<u32>>,
    out: Vec<(Receipt, Option<Brushing>)>,
}

/// Runs the simulation described by `config`.
pub fn simulate(config: &SimConfig) -> Simulation {
    assert!(
        config.merchants > 0 && config.days > 0 && config.districts > 0,
        "empty simulation"
    );
    let root = Rng::new(config.seed);
    let mut world = World {
        cfg: config.clone(),
        merchants: Vec::new(),
        customers: Vec::new(),
        habits: Vec::new(),
        by_district: vec![Vec::new(); usize::from(config.districts)],
        groups: Vec::new(),
        origins: Vec::new(),
        schemes: 0,
        lunches: Vec::new(),
        out: Vec::new(),
    };
    world.make_merchants(&mut root.fork(1));
    world.night_shops(&mut root.fork(8));
    world.make_customers(&mut root.fork(2));
    world.honest_traffic(&mut root.fork(3));
    world.family_outings(&mut root.fork(9));
    world.lunch_groups(&mut root.fork(10));
    world.loyal_regulars(&mut root.fork(11));
    world.rings(&mut root.fork(4));
    world.repeaters(&mut root.fork(5));
    world.referral_bursts(&mut root.fork(6));
    world.huge_orders(&mut root.fork(7));
    world.collusions(&mut root.fork(12));
    world.referral_chains(&mut root.fork(13));
    // Last, on a stream of its own: funding adds nothing to the receipts of a seed.
    let fundings = world.fund_accounts(&mut root.fork(14));

    // Stable sort: equal times keep generation order, which is itself deterministic.
    world.out.sort_by_key(|(r, _)| r.order_time_ms);
    let receipts = world
        .out
        .into_iter()
        .enumerate()
        .map(|(i, (receipt, brushing))| SimReceipt {
            receipt_id: i as u64,
            receipt,
            brushing,
        })
        .collect();
    Simulation {
        config: world.cfg,
        merchants: world.merchants,
        customers: world.customers,
        receipts,
        fundings,
    }
}

/// Rounds a cent amount the way prices are written: to whole yuan, to 10 fen, or not at all.
fn price_round(rng: &mut Rng, cents: f64) -> u64 {
    let c = cents.max(100.0);
    let unit = match rng.weighted(&[0.5, 0.3, 0.2]) {
        0 => 100.0,
        1 => 10.0,
        _ => 1.0,
    };
    ((c / unit).round() * unit) as u64
}

/// Fake orders favour round figures (¥10 or ¥50 steps).
fn fake_round(rng: &mut Rng, cents: f64) -> u64 {
    let c = cents.max(100.0);
    let unit = match rng.weighted(&[0.4, 0.15, 0.25, 0.2]) {
        0 => 1_000.0,
        1 => 5_000.0,
        2 => 100.0,
        _ => 10.0,
    };
    (((c / unit).round().max(1.0)) * unit) as u64
}

impl World {
    fn day_start(&self, day: u32) -> u64 {
        self.cfg.start_ms + u64::from(day) * DAY_MS
    }

    fn is_weekend(&self, day: u32) -> bool {
        // Local day number since the Unix epoch; 1970-01-01 was a Thursday (weekday 3 when Monday is 0).
        let local_day = (self.day_start(day) + LOCAL_UTC_OFFSET_MS) / DAY_MS;
        (local_day + 3) % 7 >= 5
    }

    /// The merchant's relative traffic per local hour: its category's, plus late-night trade for night shops.
    fn hours(&self, merchant: u32) -> [f64; 24] {
        let m = &self.merchants[merchant as usize];
        let mut hours = m.category.profile().hours;
        if m.night {
            for (h, w) in [
                (21, 1.5),
                (22, 1.8),
                (23, 1.8),
                (0, 1.5),
                (1, 1.0),
                (2, 0.6),
                (3, 0.3),
            ] {
                hours[h] = f64::max(hours[h], w);
            }
        }
        hours
    }

    /// A time on `day` drawn from the merchant's hourly rhythm.
    fn rhythm_time(&self, rng: &mut Rng, merchant: u32, day: u32) -> u64 {
        let hours = self.hours(merchant);
        let hour = rng.weighted(&hours) as u64;
        self.day_start(day) + hour * HOUR_MS + rng.below(HOUR_MS)
    }

    /// A time on `day` uniform over the merchant's opening hours (fakes don't follow the crowd).
    fn open_time(&self, rng: &mut Rng, merchant: u32, day: u32) -> u64 {
        let hours = self.hours(merchant);
        let open: Vec<f64> = hours
            .iter()
            .map(|&w| if w > 0.0 { 1.0 } else { 0.0 })
            .collect();
        let hour = rng.weighted(&open) as u64;
        self.day_start(day) + hour * HOUR_MS + rng.below(HOUR_MS)
    }

    /// Records a sale (dropped when it falls after the end of the simulation).
    fn record(&mut self, sale: Sale, brushing: Option<Brushing>) {
        if sale.time >= self.day_start(self.cfg.days) {
            return;
        }
        let r = Receipt {
            order_time_ms: sale.time,
            merchant: sale.merchant,
            category: self.merchants[sale.merchant as usize].category.index(),
            customer: sale.customer,
            referrer: self.customers[sale.customer as usize].referrer,
            channel: sale.channel,
            amount_cents: sale.amount,
            time_deducted: sale.deducted,
            item_count: sale.items.max(1),
        };
        self.out.push((r, brushing));
    }

    fn make_merchants(&mut self, rng: &mut Rng) {
        let shares: Vec<f64> = PROFILES.iter().map(|p| p.share).collect();
        let district_rent: Vec<f64> = (0..self.cfg.districts)
            .map(|_| rng.lognormal(100.0, 0.4))
            .collect();
        for id in 0..self.cfg.merchants {
            let category = Category::ALL[rng.weighted(&shares)];
            let p = category.profile();
            let district = rng.below(u64::from(self.cfg.districts)) as u16;
            let area = rng.lognormal(p.area_sqft, 0.35).round().max(150.0);
            let staff = (area / 350.0 * rng.lognormal(1.0, 0.3)).round().max(1.0);
            let referrer = (id > 0 && rng.chance(0.3)).then(|| rng.below(u64::from(id)) as u32);
            self.merchants.push(Merchant {
                id,
                category,
                district,
                area_sqft: area as u32,
                staff: staff as u32,
                rent_cents_per_sqft_day: (district_rent[usize::from(district)]
                    * rng.lognormal(1.0, 0.1))
                .round()
                .max(10.0) as u32,
                wage_cents_per_day: rng.lognormal(20_000.0, 0.2).round() as u32,
                referrer,
                ticket_cents: rng.lognormal(p.ticket_cents, 0.3).round() as u64,
                popularity: rng.lognormal(1.0, 0.8),
                night: false,
            });
            self.by_district[usize::from(district)].push(id);
        }
    }

    /// A merchant weighted by popularity, from `district` (when it has any) or from anywhere.
    fn popular_merchant(&self, rng: &mut Rng, district: Option<u16>) -> u32 {
        let pool: Vec<u32> = match district {
            Some(d) if !self.by_district[usize::from(d)].is_empty() => {
                self.by_district[usize::from(d)].clone()
            }
            _ => (0..self.cfg.merchants).collect(),
        };
        let w: Vec<f64> = pool
            .iter()
            .map(|&m| self.merchants[m as usize].popularity)
            .collect();
        pool[rng.weighted(&w)]
    }

    fn new_habit(&self, rng: &mut Rng, home: u16, copy_from: Option<u32>) -> Habit {
        // At most 8 favourites, and never more than there are merchants (else
        // the distinct-pick loop below could not end).
        let n = (1 + rng.poisson(2.5))
            .min(8)
            .min(self.merchants.len() as u64);
        let mut favourites: Vec<(u32, f64)> = Vec::new();
        if let Some(Some(friend)) = copy_from.map(|c| self.habits[c as usize].as_ref()) {
            // Friends share a favourite or two.
            for _ in 0..=rng.below(2) {
                let (m, _) = *rng.pick(&friend.favourites);
                favourites.push((m, rng.exponential(1.5)));
            }
        }
        while favourites.len() < n as usize {
            let district = rng.chance(0.75).then_some(home);
            let m = self.popular_merchant(rng, district);
            if !favourites.iter().any(|(f, _)| *f == m) {
                favourites.push((m, rng.exponential(1.0)));
            }
        }
        Habit {
            rate: rng.lognormal(0.3, 0.8).min(4.0),
            favourites,
            delivery: rng.lognormal(1.0, 0.7),
            time_user: rng.chance(0.3),
        }
    }

    fn add_customer(
        &mut self,
        home: u16,
        referrer: Option<u32>,
        joined_ms: u64,
        origin: Origin,
    ) -> u32 {
        let id = self.customers.len() as u32;
        self.customers.push(Customer {
            id,
            home_district: home,
            referrer,
            joined_ms,
            fake: matches!(origin, Origin::Fake(_)),
        });
        self.habits.push(None);
        self.origins.push(origin);
        id
    }

    /// Numbers a new brushing scheme of `kind` centred on shop `shop`.
    fn scheme(&mut self, kind: Brushing, shop: Option<u32>) -> Scheme {
        self.schemes += 1;
        Scheme {
            id: self.schemes - 1,
            kind,
            shop,
        }
    }

    fn make_customers(&mut self, rng: &mut Rng) {
        let districts = u64::from(self.cfg.districts);
        // A tenth of the people refer far more friends than the rest (an honest heavy tail of fan-out).
        let mut referral_weight: Vec<f64> = Vec::new();
        for _ in 0..self.cfg.customers {
            let home = rng.below(districts) as u16;
            let id = self.customers.len();
            let referrer =
                (id > 0 && rng.chance(0.35)).then(|| rng.weighted(&referral_weight) as u32);
            let c = self.add_customer(home, referrer, self.cfg.start_ms, Origin::Initial);
            let habit = self.new_habit(rng, home, referrer);
            self.habits[c as usize] = Some(habit);
            referral_weight.push(if rng.chance(0.1) { 8.0 } else { 1.0 });
        }
        // Newcomers join in small groups of friends who share a referrer and a day.
        let joining = (f64::from(self.cfg.customers) * self.cfg.joining_share).round() as u32;
        let mut joined = 0;
        while joined < joining {
            let group = (1 + rng.poisson(0.7)).min(u64::from(joining - joined)) as u32;
            let day_ms = rng.below(u64::from(self.cfg.days) * DAY_MS);
            let referrer = rng
                .chance(0.55)
                .then(|| rng.weighted(&referral_weight) as u32);
            self.groups.push((referrer, Vec::new()));
            for _ in 0..group {
                let home = match referrer {
                    Some(r) if rng.chance(0.7) => self.customers[r as usize].home_district,
                    _ => rng.below(districts) as u16,
                };
                let joined_ms = self.cfg.start_ms + day_ms + rng.below(6 * HOUR_MS);
                let group = Origin::Joined(self.groups.len() - 1);
                let c = self.add_customer(home, referrer, joined_ms, group);
                let habit = self.new_habit(rng, home, referrer);
                self.habits[c as usize] = Some(habit);
                referral_weight.push(if rng.chance(0.1) { 8.0 } else { 1.0 });
                self.groups.last_mut().expect("group").1.push(c);
                joined += 1;
            }
        }
    }

    fn honest_order(&mut self, rng: &mut Rng, customer: u32, merchant: u32, time: u64) {
        self.honest_order_of(rng, customer, merchant, time, None);
    }

    /// An honest order; `fixed` is the amount of a regular's usual order.
    fn honest_order_of(
        &mut self,
        rng: &mut Rng,
        customer: u32,
        merchant: u32,
        time: u64,
        fixed: Option<u64>,
    ) {
        let habit = self.habits[customer as usize]
            .as_ref()
            .expect("honest customer has a habit");
        let (delivery, time_user) = (habit.delivery, habit.time_user);
        let m = &self.merchants[merchant as usize];
        let p = m.category.profile();
        let mut amount = rng.lognormal(m.ticket_cents as f64, p.ticket_sigma);
        let mut items =
            1 + rng.poisson((p.items_mean - 1.0) * (amount / m.ticket_cents as f64).sqrt());
        if rng.chance(p.group_order) {
            // A group dinner or a party order: big, but with the items to match.
            let k = rng.uniform(4.0, 12.0);
            amount *= k;
            items = (items as f64 * k).round() as u64;
        }
        let amount = fixed.unwrap_or_else(|| price_round(rng, amount));
        let channel = if rng.chance((p.outside_share * delivery).min(0.9)) {
            Channel::Outside
        } else {
            Channel::InStore
        };
        let deducted = if time_user && rng.chance(0.3) {
            (amount as f64 * rng.uniform(0.02, 0.1)).floor() as u64
        } else {
            0
        };
        let sale = Sale {
            time,
            merchant,
            customer,
            channel,
            amount,
            deducted,
            items: items as u32,
        };
        self.record(sale, None);
    }

    fn honest_traffic(&mut self, rng: &mut Rng) {
        let end_ms = self.day_start(self.cfg.days);
        for c in 0..self.customers.len() as u32 {
            let Some(habit) = self.habits[c as usize].as_ref() else {
                continue;
            };
            let rate = habit.rate;
            let home = self.customers[c as usize].home_district;
            let joined = self.customers[c as usize].joined_ms;
            let first_day = ((joined - self.cfg.start_ms) / DAY_MS) as u32;
            let mut first = joined > self.cfg.start_ms;
            for day in first_day..self.cfg.days {
                let weekend = self.is_weekend(day);
                // Weekends: more outings overall, then thinned per category (offices close, malls fill).
                let mut n = rng.poisson(if weekend { rate * 1.4 } else { rate });
                if first {
                    // Someone who just signed up buys something that day.
                    n = n.max(1);
                }
                for _ in 0..n {
                    let habit = self.habits[c as usize].as_ref().expect("habit");
                    let merchant = if rng.chance(0.12) {
                        let district = rng.chance(0.6).then_some(home);
                        self.popular_merchant(rng, district)
                    } else {
                        let w: Vec<f64> = habit.favourites.iter().map(|f| f.1).collect();
                        habit.favourites[rng.weighted(&w)].0
                    };
                    let cat = self.merchants[merchant as usize].category.profile();
                    if weekend && !first && !rng.chance(cat.weekend / 1.8) {
                        continue;
                    }
                    let mut t = self.rhythm_time(rng, merchant, day);
                    if t < joined {
                        t = joined + rng.below(3 * HOUR_MS);
                    }
                    first = false;
                    if t >= end_ms {
                        continue;
                    }
                    self.honest_order(rng, c, merchant, t);
                    if rng.chance(0.03) {
                        // Forgot something, or a friend's bill: a second order soon after.
                        let t2 = t + MINUTE_MS * rng.range_inclusive(3, 50);
                        if t2 < end_ms {
                            self.honest_order(rng, c, merchant, t2);
                        }
                    }
                }
                first = false;
            }
        }
    }

    /// Restaurants and groceries with night trade (honest orders at hours that look odd elsewhere).
    fn night_shops(&mut self, rng: &mut Rng) {
        for m in &mut self.merchants {
            if matches!(m.category, Category::Restaurant | Category::Grocery)
                && rng.chance(self.cfg.night_share)
            {
                m.night = true;
            }
        }
    }

    /// Families and friends who joined together through one referrer often buy together at one of the
    /// referrer's favourite shops soon after joining (honest look-alike of a referral burst).
    fn family_outings(&mut self, rng: &mut Rng) {
        let end_ms = self.day_start(self.cfg.days);
        let groups = std::mem::take(&mut self.groups);
        for (referrer, members) in &groups {
            let Some(referrer) = *referrer else { continue };
            if members.len() < 2 || !rng.chance(0.4) {
                continue;
            }
            let Some(habit) = self.habits[referrer as usize].as_ref() else {
                continue;
            };
            let m = rng.pick(&habit.favourites).0;
            let joined = members
                .iter()
                .map(|&c| self.customers[c as usize].joined_ms)
                .max()
                .unwrap_or(self.cfg.start_ms);
            let t0 = joined + rng.below(3 * HOUR_MS);
            for &c in members.iter().chain(std::iter::once(&referrer)) {
                let t = t0 + MINUTE_MS * rng.below(20);
                if t < end_ms && t >= self.customers[c as usize].joined_ms {
                    self.honest_order(rng, c, m, t);
                }
            }
        }
        self.groups = groups;
    }

    fn is_weekday(&self, day: u32) -> bool {
        !self.is_weekend(day)
    }

    /// Colleagues who lunch at one restaurant or café on weekdays (honest look-alike of a ring).
    fn lunch_groups(&mut self, rng: &mut Rng) {
        let eateries: Vec<u32> = self
            .merchants
            .iter()
            .filter(|m| matches!(m.category, Category::Restaurant | Category::Cafe))
            .map(|m| m.id)
            .collect();
        if eateries.is_empty() {
            return;
        }
        for _ in 0..self.cfg.lunch_groups {
            let m = *rng.pick(&eateries);
            let district = self.merchants[m as usize].district;
            let size = rng.range_inclusive(5, 12) as usize;
            let mut members: Vec<u32> = Vec::new();
            for _ in 0..size * 50 {
                if members.len() == size {
                    break;
                }
                let c = self.random_honest_customer(rng);
                let near = self.customers[c as usize].home_district == district || rng.chance(0.2);
                if near && !members.contains(&c) {
                    members.push(c);
                }
            }
            self.lunches.push(members.clone());
            let attendance = rng.uniform(0.4, 0.8);
            for day in 0..self.cfg.days {
                if !self.is_weekday(day) {
                    continue;
                }
                let t0 = self.day_start(day) + 11 * HOUR_MS + rng.below(2 * HOUR_MS);
                for &c in &members {
                    if rng.chance(attendance) {
                        let t = t0 + MINUTE_MS * rng.below(15);
                        self.honest_order(rng, c, m, t);
                    }
                }
            }
        }
    }

    /// Loyal daily regulars: the same shop at the same hour almost every day, often the same order.
    fn loyal_regulars(&mut self, rng: &mut Rng) {
        let end_ms = self.day_start(self.cfg.days);
        for c in 0..self.customers.len() as u32 {
            if self.customers[c as usize].fake || !rng.chance(self.cfg.loyal_share) {
                continue;
            }
            let Some(habit) = self.habits[c as usize].as_ref() else {
                continue;
            };
            let m = rng.pick(&habit.favourites).0;
            let ticket = self.merchants[m as usize].ticket_cents as f64;
            let usual = rng.lognormal(ticket, 0.3);
            let usual = price_round(rng, usual);
            let joined = self.customers[c as usize].joined_ms;
            let hour = rng.weighted(&self.hours(m)) as u64;
            let daily = rng.uniform(0.6, 0.95);
            for day in 0..self.cfg.days {
                let t = self.day_start(day) + hour * HOUR_MS + rng.below(40 * MINUTE_MS);
                if t < joined || t >= end_ms || !rng.chance(daily) {
                    continue;
                }
                let fixed = rng.chance(0.7).then_some(usual);
                self.honest_order_of(rng, c, m, t, fixed);
            }
        }
    }

    /// Every account's first funding (see [`Funder`]), sorted by time. Honest accounts are funded from an
    /// exchange, by the friend who referred their group, by a sponsoring shop they favour, or (half of the
    /// office lunch groups) by their employer, all at once: honest look-alikes of a scheme's wallet. A scheme
    /// funds its new accounts from its own wallet, from the brushed shop, or along its referrals, unless it
    /// evades through exchanges ([`Evasion::funding`]).
    fn fund_accounts(&self, rng: &mut Rng) -> Vec<Funding> {
        let sponsors: Vec<bool> = self
            .merchants
            .iter()
            .map(|_| rng.chance(SPONSOR_SHARE))
            .collect();
        let by_referrer: Vec<bool> = self
            .groups
            .iter()
            .map(|(referrer, _)| referrer.is_some() && rng.chance(0.5))
            .collect();
        // Per scheme: evades through exchanges; funded by the shop (rings, collusion) or along its referrals.
        let schemes: Vec<(bool, bool)> = (0..self.schemes)
            .map(|_| (rng.chance(self.cfg.evasion.funding), rng.chance(0.5)))
            .collect();
        // An employer sets up its staff's wallets on one day before the simulation.
        let mut employer: Vec<Option<(u32, u64)>> = vec![None; self.customers.len()];
        for (g, members) in self.lunches.iter().enumerate() {
            if !rng.chance(0.5) {
                continue;
            }
            let day = self.cfg.start_ms - DAY_MS * rng.range_inclusive(1, 180);
            for &c in members {
                let e = &mut employer[c as usize];
                if e.is_none() {
                    *e = Some((g as u32, day + rng.below(HOUR_MS)));
                }
            }
        }
        let mut out: Vec<Funding> = Vec::with_capacity(self.customers.len());
        for (c, origin) in self.customers.iter().zip(&self.origins) {
            let exchange = Funder::Exchange(rng.weighted(&EXCHANGES) as u32);
            let before = rng.below(2 * HOUR_MS);
            let (time_ms, funder) = match *origin {
                Origin::Initial if employer[c.id as usize].is_some() => {
                    let (g, at) = employer[c.id as usize].expect("checked");
                    (at, Funder::Employer(g))
                }
                Origin::Initial => {
                    let back = DAY_MS * rng.range_inclusive(1, 180) + rng.below(DAY_MS);
                    let funder = match c.referrer {
                        Some(r) if rng.chance(0.15) => Funder::Customer(r),
                        _ => exchange,
                    };
                    (c.joined_ms.saturating_sub(back), funder)
                }
                Origin::Joined(group) => {
                    let favourite = self.habits[c.id as usize]
                        .as_ref()
                        .map(|h| h.favourites[0].0);
                    match (c.referrer, favourite) {
                        (Some(r), _) if by_referrer[group] => (
                            c.joined_ms - MINUTE_MS * rng.range_inclusive(1, 30),
                            Funder::Customer(r),
                        ),
                        (_, Some(m)) if sponsors[m as usize] && rng.chance(0.6) => {
                            (c.joined_ms, Funder::Merchant(m))
                        }
                        _ => (c.joined_ms.saturating_sub(before), exchange),
                    }
                }
                Origin::Fake(s) => {
                    let (evades, alt) = schemes[s.id as usize];
                    let operator = Funder::Operator(s.id);
                    let funder = if evades {
                        exchange
                    } else {
                        match (s.kind, s.shop, c.referrer) {
                            (Brushing::Ring | Brushing::Collusion, Some(m), _) if alt => {
                                Funder::Merchant(m)
                            }
                            (Brushing::ReferralBurst | Brushing::ReferralChain, _, Some(r))
                                if alt =>
                            {
                                Funder::Customer(r)
                            }
                            _ => operator,
                        }
                    };
                    (c.joined_ms.saturating_sub(before), funder)
                }
            };
            // A friend can only pass on tokens it already has (a referrer is an earlier customer, so its
            // funding is in `out`); otherwise the account goes where it would have gone without one.
            let funder = match funder {
                Funder::Customer(r) if out[r as usize].time_ms > time_ms => match *origin {
                    Origin::Fake(s) if !schemes[s.id as usize].0 => Funder::Operator(s.id),
                    _ => exchange,
                },
                f => f,
            };
            out.push(Funding {
                time_ms,
                funder,
                account: c.id,
            });
        }
        out.sort_by_key(|f| f.time_ms);
        out
    }

    fn brushing_day(&self, rng: &mut Rng) -> u32 {
        let from = self.cfg.brushing_from_day.min(self.cfg.days - 1);
        from + rng.below(u64::from(self.cfg.days - from)) as u32
    }

    fn random_honest_customer(&self, rng: &mut Rng) -> u32 {
        loop {
            let c = rng.below(self.customers.len() as u64) as u32;
            if !self.customers[c as usize].fake
                && self.customers[c as usize].joined_ms == self.cfg.start_ms
            {
                return c;
            }
        }
    }

    fn random_merchant(&self, rng: &mut Rng) -> u32 {
        rng.below(u64::from(self.cfg.merchants)) as u32
    }

    /// The evasive behaviours of one scheme, drawn from [`SimConfig::evasion`].
    fn tactics(&self, rng: &mut Rng) -> Tactics {
        let e = self.cfg.evasion;
        Tactics {
            time_share: rng.chance(e.time_share),
            jitter: rng.chance(e.jitter),
            paced: rng.chance(e.paced),
            aging: rng.chance(e.aging),
            rotation: rng.chance(e.rotation),
        }
    }

    /// A fake bill near `cents`: round ¥10 / ¥50 steps, or priced like an honest bill when jittering.
    fn fake_amount(rng: &mut Rng, t: &Tactics, cents: f64) -> u64 {
        if t.jitter {
            price_round(rng, cents)
        } else {
            fake_round(rng, cents)
        }
    }

    /// `m` and 2–5 other shops of its district (or of anywhere when the district is small).
    fn colluding_group(&self, rng: &mut Rng, m: u32) -> Vec<u32> {
        let district = self.merchants[m as usize].district;
        let size = rng.range_inclusive(3, 6) as usize;
        let mut group = vec![m];
        for _ in 0..size * 20 {
            if group.len() >= size.min(self.merchants.len()) {
                break;
            }
            let other = if rng.chance(0.8) {
                self.popular_merchant(rng, Some(district))
            } else {
                self.random_merchant(rng)
            };
            if !group.contains(&other) {
                group.push(other);
            }
        }
        group
    }

    /// Records a fake sale, paying part in Time when the scheme does.
    fn push_fake(&mut self, rng: &mut Rng, t: &Tactics, mut sale: Sale, kind: Brushing) {
        if t.time_share && rng.chance(0.7) {
            sale.deducted = (sale.amount as f64 * rng.uniform(0.02, 0.1)).floor() as u64;
        }
        self.record(sale, Some(kind));
    }

    /// A fake sale at `m` at time `time` near `k` × the shop's ticket.
    #[allow(clippy::too_many_arguments)]
    fn fake_sale(
        &mut self,
        rng: &mut Rng,
        t: &Tactics,
        kind: Brushing,
        m: u32,
        customer: u32,
        time: u64,
        k: f64,
        outside_share: f64,
    ) {
        let ticket = self.merchants[m as usize].ticket_cents as f64;
        let amount = Self::fake_amount(rng, t, ticket * k);
        let channel = if rng.chance(outside_share) {
            Channel::Outside
        } else {
            Channel::InStore
        };
        let items = if t.jitter {
            let p = self.merchants[m as usize].category.profile();
            1 + rng.poisson((p.items_mean - 1.0) * k.sqrt()) as u32
        } else {
            1 + rng.below(2) as u32
        };
        let sale = Sale {
            time,
            merchant: m,
            customer,
            channel,
            amount,
            deducted: 0,
            items,
        };
        self.push_fake(rng, t, sale, kind);
    }

    /// Opens `k` fake accounts for a scheme starting on `day` at `m`. Aged accounts are opened
    /// [`Evasion::aging_days`] earlier (over two days), each with one small purchase at `m`.
    #[allow(clippy::too_many_arguments)]
    fn open_fakes(
        &mut self,
        rng: &mut Rng,
        t: &Tactics,
        scheme: Scheme,
        day: u32,
        referrers: &[Option<u32>],
    ) -> Vec<u32> {
        let kind = scheme.kind;
        let m = scheme
            .shop
            .expect("a scheme that opens accounts for a shop");
        let district = self.merchants[m as usize].district;
        let start = self.day_start(day);
        let mut fakes: Vec<u32> = Vec::new();
        for &referrer in referrers {
            // A referrer of `Some(u32::MAX)` means "the scheme's first account".
            let referrer = match referrer {
                Some(u32::MAX) => fakes.first().copied(),
                r => r,
            };
            if t.aging {
                let back = u64::from(self.cfg.evasion.aging_days) * DAY_MS;
                let opened = start
                    .saturating_sub(back)
                    .max(self.cfg.start_ms)
                    .saturating_add(rng.below(2 * DAY_MS))
                    .min(start);
                let c = self.add_customer(district, referrer, opened, Origin::Fake(scheme));
                let time = opened + rng.below(2 * HOUR_MS);
                let k = rng.uniform(0.3, 0.8);
                self.fake_sale(rng, t, kind, m, c, time, k, 0.2);
                fakes.push(c);
            } else {
                fakes.push(self.add_customer(district, referrer, start, Origin::Fake(scheme)));
            }
        }
        fakes
    }

    fn rings(&mut self, rng: &mut Rng) {
        for _ in 0..self.cfg.rings {
            let t = self.tactics(rng);
            let m = self.random_merchant(rng);
            let start = self.brushing_day(rng);
            let days = 2 + rng.below(8) as u32;
            let k = 4 + rng.below(9) as u32;
            let structure = rng.weighted(&[0.4, 0.3, 0.3]);
            let referrers: Vec<Option<u32>> = (0..k)
                .map(|i| match structure {
                    0 if i > 0 => Some(u32::MAX),
                    2 => Some(self.random_honest_customer(rng)),
                    _ => None,
                })
                .collect();
            let scheme = self.scheme(Brushing::Ring, Some(m));
            let fakes = self.open_fakes(rng, &t, scheme, start, &referrers);
            let group = if t.rotation {
                self.colluding_group(rng, m)
            } else {
                vec![m]
            };
            let outside_share = if rng.chance(0.5) { 0.6 } else { 0.1 };
            if t.paced {
                // Each account orders every day or two at the shops' busy hours, for two to three weeks.
                let days = rng.range_inclusive(14, 21) as u32;
                for day in start..(start + days).min(self.cfg.days) {
                    for &c in &fakes {
                        if rng.chance(0.6) {
                            let shop = *rng.pick(&group);
                            let time = self.rhythm_time(rng, shop, day);
                            let k = rng.lognormal(1.0, 0.3);
                            let out = self.merchants[shop as usize]
                                .category
                                .profile()
                                .outside_share;
                            self.fake_sale(rng, &t, Brushing::Ring, shop, c, time, k, out);
                        }
                    }
                }
                continue;
            }
            let intensity = rng.uniform(0.8, 2.0);
            for day in start..(start + days).min(self.cfg.days) {
                for _ in 0..rng.poisson(f64::from(k) * intensity) {
                    let c = *rng.pick(&fakes);
                    let shop = *rng.pick(&group);
                    let time = self.open_time(rng, shop, day);
                    let k = rng.uniform(0.7, 2.5);
                    self.fake_sale(rng, &t, Brushing::Ring, shop, c, time, k, outside_share);
                }
            }
        }
    }

    fn repeaters(&mut self, rng: &mut Rng) {
        for _ in 0..self.cfg.repeaters {
            let t = self.tactics(rng);
            let day = self.brushing_day(rng);
            let c = if rng.chance(0.7) {
                self.random_honest_customer(rng)
            } else {
                let home = rng.below(u64::from(self.cfg.districts)) as u16;
                let scheme = self.scheme(Brushing::Repeat, None);
                self.add_customer(home, None, self.day_start(day), Origin::Fake(scheme))
            };
            let home = self.customers[c as usize].home_district;
            let m = match self.habits[c as usize].as_ref() {
                Some(h) if rng.chance(0.5) => rng.pick(&h.favourites).0,
                _ => self.popular_merchant(rng, Some(home)),
            };
            let ticket = self.merchants[m as usize].ticket_cents as f64;
            let base = rng.uniform(0.5, 1.5) * ticket;
            // Half of the repeaters pay the very same amount every time.
            let fixed = rng.chance(0.5).then(|| price_round(rng, base));
            let amount = |rng: &mut Rng| {
                fixed.unwrap_or_else(|| {
                    let k = rng.uniform(0.9, 1.1);
                    price_round(rng, base * k)
                })
            };
            let channel = if rng.chance(0.3) {
                Channel::Outside
            } else {
                Channel::InStore
            };
            let sale = |time: u64, amount: u64, items: u32| Sale {
                time,
                merchant: m,
                customer: c,
                channel,
                amount,
                deducted: 0,
                items,
            };
            if t.paced {
                // Two orders a day at the shop's busy hours for two to three weeks: a "regular".
                for d in day..(day + rng.range_inclusive(14, 21) as u32).min(self.cfg.days) {
                    for _ in 0..rng.range_inclusive(1, 3) {
                        let time = self.rhythm_time(rng, m, d);
                        let a = amount(rng);
                        let items = 1 + rng.below(2) as u32;
                        self.push_fake(rng, &t, sale(time, a, items), Brushing::Repeat);
                    }
                }
            } else if rng.chance(0.6) {
                // A burst: many orders within a few hours.
                let n = 4 + rng.below(14);
                let span = HOUR_MS * rng.range_inclusive(1, 5);
                let t0 = self.open_time(rng, m, day);
                for _ in 0..n {
                    let time = t0 + rng.below(span);
                    let a = amount(rng);
                    let items = 1 + rng.below(2) as u32;
                    self.push_fake(rng, &t, sale(time, a, items), Brushing::Repeat);
                }
            } else {
                // Daily: a few orders a day for a week or so.
                for d in day..(day + 3 + rng.below(6) as u32).min(self.cfg.days) {
                    for _ in 0..rng.range_inclusive(2, 5) {
                        let time = self.open_time(rng, m, d);
                        let a = amount(rng);
                        let items = 1 + rng.below(2) as u32;
                        self.push_fake(rng, &t, sale(time, a, items), Brushing::Repeat);
                    }
                }
            }
        }
    }

    fn referral_bursts(&mut self, rng: &mut Rng) {
        for _ in 0..self.cfg.referral_bursts {
            let t = self.tactics(rng);
            let day = self.brushing_day(rng);
            let m = self.random_merchant(rng);
            let district = self.merchants[m as usize].district;
            let scheme = self.scheme(Brushing::ReferralBurst, Some(m));
            let referrer = if rng.chance(0.6) {
                self.random_honest_customer(rng)
            } else {
                self.add_customer(district, None, self.day_start(day), Origin::Fake(scheme))
            };
            let n = 6 + rng.below(25);
            let t0 = self.open_time(rng, m, day);
            // Paced: the referees join over days instead of within hours.
            let window = if t.paced {
                DAY_MS * rng.range_inclusive(2, 6)
            } else {
                MINUTE_MS * rng.range_inclusive(20, 240)
            };
            for _ in 0..n {
                let joined = t0 + rng.below(window);
                let c = self.add_customer(district, Some(referrer), joined, Origin::Fake(scheme));
                let time = joined + MINUTE_MS * rng.range_inclusive(1, 30);
                let out = if rng.chance(0.5) { 0.3 } else { 0.0 };
                let k = rng.uniform(0.2, 0.9);
                self.fake_sale(rng, &t, Brushing::ReferralBurst, m, c, time, k, out);
                if rng.chance(0.25) {
                    let t2 = time + DAY_MS + rng.below(4 * HOUR_MS);
                    let k = rng.uniform(0.2, 0.9);
                    self.fake_sale(rng, &t, Brushing::ReferralBurst, m, c, t2, k, out);
                }
            }
        }
    }

    fn huge_orders(&mut self, rng: &mut Rng) {
        for _ in 0..self.cfg.huge_orders {
            let t = self.tactics(rng);
            let day = self.brushing_day(rng);
            let m = self.random_merchant(rng);
            let ticket = self.merchants[m as usize].ticket_cents as f64;
            let c = if rng.chance(0.5) {
                self.random_honest_customer(rng)
            } else {
                let district = self.merchants[m as usize].district;
                let scheme = self.scheme(Brushing::HugeOrder, Some(m));
                self.add_customer(district, None, self.day_start(day), Origin::Fake(scheme))
            };
            let time = self.rhythm_time(rng, m, day);
            let k = rng.uniform(15.0, 80.0);
            let amount = if !t.jitter && rng.chance(0.6) {
                (((ticket * k) / 10_000.0).round().max(1.0) * 10_000.0) as u64
            } else {
                price_round(rng, ticket * k)
            };
            let items = if rng.chance(0.5) {
                1 + rng.below(3) as u32
            } else {
                (k * self.merchants[m as usize].category.profile().items_mean
                    * rng.uniform(0.5, 1.0)) as u32
            };
            let sale = Sale {
                time,
                merchant: m,
                customer: c,
                channel: Channel::InStore,
                amount,
                deducted: 0,
                items,
            };
            self.push_fake(rng, &t, sale, Brushing::HugeOrder);
        }
    }

    /// The owners of a group of shops, with a few accomplices, buy at each other's shops in rotation, every
    /// day or three at the shops' busy hours, ordinary amounts, for two to four weeks.
    fn collusions(&mut self, rng: &mut Rng) {
        for _ in 0..self.cfg.collusions {
            let t = self.tactics(rng);
            let m = self.random_merchant(rng);
            let group = self.colluding_group(rng, m);
            if group.len() < 2 {
                continue;
            }
            let start = self.brushing_day(rng);
            // Per shop: its owner and 0–2 accomplices (referred by the owner or not).
            let mut accounts: Vec<(u32, u32)> = Vec::new();
            for &shop in &group {
                let extra = rng.below(3) as usize;
                let referrers: Vec<Option<u32>> = (0..=extra)
                    .map(|i| (i > 0 && rng.chance(0.5)).then_some(u32::MAX))
                    .collect();
                let scheme = self.scheme(Brushing::Collusion, Some(shop));
                for c in self.open_fakes(rng, &t, scheme, start, &referrers) {
                    accounts.push((c, shop));
                }
            }
            let days = rng.range_inclusive(14, 28) as u32;
            let rate = rng.uniform(0.35, 0.7);
            for day in start..(start + days).min(self.cfg.days) {
                for &(c, own) in &accounts {
                    if !rng.chance(rate) {
                        continue;
                    }
                    let others: Vec<u32> = group.iter().copied().filter(|&g| g != own).collect();
                    let shop = *rng.pick(&others);
                    let time = self.rhythm_time(rng, shop, day);
                    let k = rng.lognormal(1.0, 0.35);
                    let out = self.merchants[shop as usize]
                        .category
                        .profile()
                        .outside_share;
                    self.fake_sale(rng, &t, Brushing::Collusion, shop, c, time, k, out);
                }
            }
        }
    }

    /// A chain of referrals, one referee each, 6–20 levels deep; every new account buys at the shop (or
    /// at the colluding group's shops).
    fn referral_chains(&mut self, rng: &mut Rng) {
        let end_ms = self.day_start(self.cfg.days);
        for _ in 0..self.cfg.referral_chains {
            let t = self.tactics(rng);
            let m = self.random_merchant(rng);
            let group = if t.rotation {
                self.colluding_group(rng, m)
            } else {
                vec![m]
            };
            let district = self.merchants[m as usize].district;
            let day = self.brushing_day(rng);
            let scheme = self.scheme(Brushing::ReferralChain, Some(m));
            let mut referrer = if rng.chance(0.6) {
                self.random_honest_customer(rng)
            } else {
                self.add_customer(district, None, self.day_start(day), Origin::Fake(scheme))
            };
            let mut joined = self.open_time(rng, m, day);
            for _ in 0..rng.range_inclusive(6, 20) {
                if joined >= end_ms {
                    break;
                }
                let c = self.add_customer(district, Some(referrer), joined, Origin::Fake(scheme));
                let orders = if rng.chance(0.4) { 2 } else { 1 };
                for i in 0..orders {
                    let shop = *rng.pick(&group);
                    let time = if i == 0 {
                        joined + MINUTE_MS * rng.range_inclusive(1, 60)
                    } else {
                        joined + DAY_MS * rng.range_inclusive(1, 4) + rng.below(6 * HOUR_MS)
                    };
                    let k = rng.uniform(0.3, 1.0);
                    self.fake_sale(rng, &t, Brushing::ReferralChain, shop, c, time, k, 0.2);
                }
                referrer = c;
                joined += if t.paced {
                    HOUR_MS * rng.range_inclusive(12, 72)
                } else {
                    MINUTE_MS * rng.range_inclusive(10, 360)
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small(seed: u64) -> Simulation {
        simulate(&SimConfig::new(seed, 40, 2_000, 14))
    }

    #[test]
    fn fewer_merchants_than_favourites_still_simulates() {
        // A customer wants up to 8 distinct favourite shops; with 3 merchants
        // the simulation must still end (it once looped forever).
        let sim = simulate(&SimConfig::new(1, 3, 60, 2));
        assert_eq!(sim.merchants.len(), 3);
        assert!(!sim.receipts.is_empty());
    }

    #[test]
    fn reproducible_for_a_seed_and_different_across_seeds() {
        let a = small(3);
        let b = small(3);
        assert_eq!(a.receipts, b.receipts);
        assert_eq!(a.merchants, b.merchants);
        let c = small(4);
        assert_ne!(a.receipts.len(), 0);
        assert_ne!(a.receipts[..100], c.receipts[..100]);
    }

    #[test]
    fn stream_is_time_ordered_and_well_formed() {
        let sim = small(11);
        let end = sim.config.start_ms + u64::from(sim.config.days) * DAY_MS;
        for (i, r) in sim.receipts.iter().enumerate() {
            assert_eq!(r.receipt_id, i as u64);
            assert!(
                r.receipt.order_time_ms >= sim.config.start_ms && r.receipt.order_time_ms < end
            );
            assert!(r.receipt.time_deducted <= r.receipt.amount_cents);
            assert!(r.receipt.item_count >= 1 && r.receipt.amount_cents >= 1);
            let customer = &sim.customers[r.receipt.customer as usize];
            assert_eq!(r.receipt.referrer, customer.referrer);
            assert!(
                r.receipt.order_time_ms >= customer.joined_ms,
                "order before the account existed"
            );
            let merchant = &sim.merchants[r.receipt.merchant as usize];
            assert_eq!(r.receipt.category, merchant.category.index());
        }
        assert!(sim
            .receipts
            .windows(2)
            .all(|w| w[0].receipt.order_time_ms <= w[1].receipt.order_time_ms));
    }

    #[test]
    fn every_brushing_pattern_occurs_and_fraud_is_a_minority() {
        let sim = small(5);
        for kind in Brushing::ALL {
            assert!(
                sim.receipts.iter().any(|r| r.brushing == Some(kind)),
                "{kind:?} missing"
            );
        }
        let fraud = sim.receipts.iter().filter(|r| r.label()).count();
        let share = fraud as f64 / sim.receipts.len() as f64;
        assert!((0.002..0.1).contains(&share), "fraud share {share}");
        // Fake accounts only ever brush.
        for r in &sim.receipts {
            if sim.customers[r.receipt.customer as usize].fake {
                assert!(r.label());
            }
        }
    }

    #[test]
    fn every_account_is_funded_once_before_it_buys_or_funds() {
        let sim = small(12);
        assert!(sim
            .fundings
            .windows(2)
            .all(|w| w[0].time_ms <= w[1].time_ms));
        let mut funded = vec![None; sim.customers.len()];
        for f in &sim.fundings {
            assert!(funded[f.account as usize].is_none(), "{f:?} funded twice");
            funded[f.account as usize] = Some(f.time_ms);
            if let Funder::Customer(c) = f.funder {
                assert!(
                    funded[c as usize].is_some(),
                    "{f:?}: the funder has no tokens yet"
                );
            }
        }
        for r in &sim.receipts {
            let at = funded[r.receipt.customer as usize].expect("every buyer is funded");
            assert!(
                at <= r.receipt.order_time_ms,
                "bought before its first tokens"
            );
        }
        // Every kind of funder occurs.
        let kinds: std::collections::HashSet<_> = sim
            .fundings
            .iter()
            .map(|f| std::mem::discriminant(&f.funder))
            .collect();
        assert_eq!(kinds.len(), 5);
        // Dense ids keep funders apart: as many as there are distinct funders.
        let distinct: std::collections::HashSet<_> =
            sim.fundings.iter().map(|f| f.funder).collect();
        let ids: std::collections::HashSet<_> =
            sim.funding_events().iter().map(|f| f.funder).collect();
        assert_eq!(ids.len(), distinct.len());
    }

    #[test]
    fn funding_reach_counts_the_accounts_downstream() {
        let sim = small(12);
        let reach = sim.funding_reach();
        // Every account is reached once from the funders nobody funded (exchanges, shops, wallets).
        let roots: u64 = reach
            .iter()
            .filter(|(f, _)| !matches!(f, Funder::Customer(_)))
            .map(|(_, n)| n)
            .sum();
        assert_eq!(roots, sim.customers.len() as u64);
        // A customer who funds others reaches at least them.
        let direct = sim
            .fundings
            .iter()
            .filter(|f| matches!(f.funder, Funder::Customer(_)))
            .count() as u64;
        assert!(direct > 0);
        let passed: u64 = reach
            .iter()
            .filter(|(f, _)| matches!(f, Funder::Customer(_)))
            .map(|(_, n)| n)
            .sum();
        assert!(passed >= direct);
    }

    #[test]
    fn funding_evasion_moves_the_fakes_to_exchanges_and_changes_no_receipt() {
        let naive = simulate(&SimConfig {
            evasion: Evasion::NONE,
            ..SimConfig::new(4, 40, 2_000, 14)
        });
        let evading = simulate(&SimConfig {
            evasion: Evasion::named("funding").expect("a variant"),
            ..naive.config.clone()
        });
        assert_eq!(naive.receipts, evading.receipts);
        let fake_funders = |sim: &Simulation| -> Vec<Funder> {
            sim.fundings
                .iter()
                .filter(|f| sim.customers[f.account as usize].fake)
                .map(|f| f.funder)
                .collect()
        };
        let (a, b) = (fake_funders(&naive), fake_funders(&evading));
        assert!(!a.is_empty());
        assert!(a.iter().all(|f| !matches!(f, Funder::Exchange(_))));
        assert!(b.iter().all(|f| matches!(f, Funder::Exchange(_))));
    }

    #[test]
    fn honest_traffic_follows_the_daily_rhythm() {
        let sim = small(8);
        let mut by_hour = [0u32; 24];
        // Night shops trade late; the others follow their category's day.
        let day_shop = |r: &&SimReceipt| !sim.merchants[r.receipt.merchant as usize].night;
        assert!(sim.merchants.iter().any(|m| m.night));
        for r in sim.receipts.iter().filter(|r| !r.label()).filter(day_shop) {
            by_hour[(((r.receipt.order_time_ms + LOCAL_UTC_OFFSET_MS) / HOUR_MS) % 24) as usize] +=
                1;
        }
        // Nobody shops at 3 am; lunch beats mid-afternoon.
        assert_eq!(by_hour[3], 0);
        assert!(by_hour[12] > by_hour[15]);
        let weekday = Category::parse("cafe").expect("cafe");
        assert_eq!(weekday, Category::Cafe);
    }
}
