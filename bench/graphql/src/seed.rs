//! A deterministic index for the benchmark, written through bizkey-store as
//! the indexer writes it (migrations, then multi-row upserts).
//!
//! Receipts are spread evenly over [`SPAN_MS`] from [`T0`], ten per block.
//! Merchants are skewed (merchant `i` is drawn as `⌊M·u²⌋`, so merchant 0
//! takes about √(1/M) of the sales: 10 % with 100 merchants); customers are
//! uniform. Statuses: 90 % Confirmed, 4 % Open, 3 % Cancelled, 2 % Flagged,
//! 1 % Refunded. Each merchant's BizPower walks randomly per confirmed
//! sale; its 1m/1h/1d candles are the open/high/low/close of those values.

use bizkey_store::amount::U128;
use bizkey_store::entity::{
    customers, fraud_scores, index_batches, klines, ledger_merchants, merchants, proposal_votes,
    proposals, receipt_status_history, receipts, rewards, token_balances,
};
use bizkey_store::repo;
use bizkey_types::registry::Category;
use bizkey_types::Named;
use blake2::{Blake2b512, Digest};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, IntoActiveModel, ModelTrait,
};
use std::collections::BTreeMap;

/// 2026-01-01T00:00:00Z, ms: the first receipt's time.
pub const T0: i64 = 1_767_225_600_000;
/// Receipts cover two days.
pub const SPAN_MS: i64 = 2 * 86_400_000;
/// Receipts per block.
pub const PER_BLOCK: i64 = 10;
/// First block holding receipts.
pub const FIRST_BLOCK: i64 = 2;
/// Seed of the generator: the same sizes give the same index.
pub const SEED: u64 = 0xB12_4E7;

/// How much to write.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    pub merchants: u64,
    pub customers: u64,
    pub receipts: u64,
    pub proposals: u64,
}

impl Default for Sizes {
    fn default() -> Self {
        Self {
            merchants: 100,
            customers: 2_000,
            receipts: 50_000,
            proposals: 20,
        }
    }
}

/// Rows written per table.
pub type Counts = Vec<(&'static str, usize)>;

/// An SS58 address (prefix 42) of the number `n`.
pub fn ss58(n: u64) -> String {
    let mut data = vec![42u8];
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&n.to_le_bytes());
    key[31] = 0xb1;
    data.extend_from_slice(&key);
    let mut h = Blake2b512::new();
    h.update(b"SS58PRE");
    h.update(&data);
    let sum = h.finalize();
    data.extend_from_slice(&sum[..2]);
    bs58::encode(data).into_string()
}

/// Account of merchant `i` (distinct from every customer's).
pub fn merchant_account(i: u64) -> String {
    ss58(1_000_000 + i)
}

/// Account of customer `i`.
pub fn customer_account(i: u64) -> String {
    ss58(i)
}

/// Confirmation time of receipt `id` (1-based) out of `n`.
pub fn receipt_time(id: i64, n: u64) -> i64 {
    T0 + (id - 1) * SPAN_MS / n.max(1) as i64
}

/// Block of receipt `id`.
pub fn receipt_block(id: i64) -> i64 {
    FIRST_BLOCK + (id - 1) / PER_BLOCK
}

const ACTIONS: [&str; 4] = [
    "TreasurySpend",
    "SetLedgerParams",
    "ElectSuperNode",
    "AdvancePhase",
];
const INTERVALS: [(&str, i64); 3] = [("1m", 60_000), ("1h", 3_600_000), ("1d", 86_400_000)];
const DAY: i64 = 86_400_000;

/// BizPower of one merchant's bucket.
struct Ohlc {
    open: u128,
    high: u128,
    low: u128,
    close: u128,
    receipts: i64,
}

/// Writes `rows` in bulk, reporting the table's size.
async fn write<M>(
    db: &DatabaseConnection,
    table: &'static str,
    rows: Vec<M>,
    counts: &mut Counts,
    progress: &mut impl FnMut(&str),
) -> Result<(), DbErr>
where
    M: ModelTrait + IntoActiveModel<<M::Entity as EntityTrait>::ActiveModel>,
    <M::Entity as EntityTrait>::ActiveModel: Send,
{
    let n = rows.len();
    progress(&format!("{table}: {n} rows"));
    let rows: Vec<_> = rows.into_iter().map(M::into_active_model).collect();
    repo::upsert(db, rows).await?;
    counts.push((table, n));
    Ok(())
}

fn status_of(r: f64) -> &'static str {
    match r {
        r if r < 0.90 => "Confirmed",
        r if r < 0.94 => "Open",
        r if r < 0.97 => "Cancelled",
        r if r < 0.99 => "Flagged",
        _ => "Refunded",
    }
}

/// Migrates `db` and fills it. `progress` gets one line per step.
///
/// # Errors
/// Database errors.
pub async fn seed(
    db: &DatabaseConnection,
    sizes: Sizes,
    mut progress: impl FnMut(&str),
) -> Result<Counts, DbErr> {
    let Sizes {
        merchants: m_n,
        customers: c_n,
        receipts: r_n,
        proposals: p_n,
    } = sizes;
    if m_n == 0 || c_n == 0 {
        return Err(DbErr::Custom(
            "at least one merchant and one customer".into(),
        ));
    }
    progress("migrating");
    repo::migrate(db).await?;
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let mut counts = Counts::new();

    let merchant_rows: Vec<merchants::Model> = (0..m_n)
        .map(|i| merchants::Model {
            account: merchant_account(i),
            name: format!("Shop {i:03}"),
            category: Category::ALL[(i % 9) as usize].as_str().into(),
            location: format!("wx4g{}", i % 8),
            area_sqft: rng.random_range(200..2_000),
            staff: rng.random_range(1..20),
            rent_per_sqft_day: U128(rng.random_range(5..50)),
            wage_per_day: U128(rng.random_range(10_000..40_000)),
            licence_hash: format!("0x{:064x}", i + 1),
            referrer: (i % 5 == 1).then(|| merchant_account(i - 1)),
            time_share_ppm: 100_000 + 10_000 * (i % 5) as i64,
            status: "Verified".into(),
            registered_at: T0 - 30 * DAY + i as i64 * 60_000,
            verified_at: Some(T0 - 29 * DAY + i as i64 * 60_000),
            registered_block: 1,
            updated_block: 1,
        })
        .collect();
    let customer_rows: Vec<customers::Model> = (0..c_n)
        .map(|i| customers::Model {
            account: customer_account(i),
            referrer: (i % 7 == 3).then(|| customer_account(i / 7)),
            status: "Active".into(),
            implicit: i % 3 == 0,
            registered_at: T0 - 10 * DAY + i as i64 * 1_000,
            registered_block: 1,
            updated_block: 1,
        })
        .collect();

    // Receipts, their history and rewards, the BizPower walk.
    let mut receipt_rows = Vec::with_capacity(r_n as usize);
    let mut history = Vec::new();
    let mut reward_rows = Vec::new();
    let mut scores = Vec::new();
    let mut bizpower: Vec<u128> = vec![1_000_000_000; m_n as usize];
    let mut order_ids: Vec<u128> = vec![0; m_n as usize];
    let mut seen: std::collections::HashSet<(u64, u64)> = Default::default();
    let mut queue: BTreeMap<String, i64> = BTreeMap::new();
    // (merchant, interval index, bucket start) -> candle
    let mut candles: BTreeMap<(u64, usize, i64), Ohlc> = BTreeMap::new();
    for id in 1..=r_n as i64 {
        let u: f64 = rng.random();
        let mi = ((m_n as f64 * u * u) as u64).min(m_n - 1);
        let ci = rng.random_range(0..c_n);
        let (merchant, customer) = (merchant_account(mi), customer_account(ci));
        let at = receipt_time(id, r_n);
        let block = receipt_block(id);
        let status = status_of(rng.random());
        let confirmed = !matches!(status, "Open" | "Cancelled");
        let amount = (100.0 * 1_000f64.powf(rng.random::<f64>())) as u128;
        order_ids[mi as usize] += 1;
        let first_at_merchant = seen.insert((mi, ci));
        let bp = if confirmed {
            let step: f64 = rng.random_range(-0.01..0.0102);
            let v = &mut bizpower[mi as usize];
            *v = ((*v as f64) * (1.0 + step)).max(1.0) as u128;
            for (k, (_, len)) in INTERVALS.iter().enumerate() {
                let bucket = at.div_euclid(*len) * len;
                let c = candles.entry((mi, k, bucket)).or_insert(Ohlc {
                    open: *v,
                    high: *v,
                    low: *v,
                    close: *v,
                    receipts: 0,
                });
                c.high = c.high.max(*v);
                c.low = c.low.min(*v);
                c.close = *v;
                c.receipts += 1;
            }
            Some(U128(*v))
        } else {
            None
        };
        let time_reward = amount * 7;
        receipt_rows.push(receipts::Model {
            id,
            merchant: merchant.clone(),
            customer: customer.clone(),
            opened_by: if id % 4 == 0 { "Customer" } else { "Merchant" }.into(),
            order_id: U128(order_ids[mi as usize]),
            order_time: at - 5_000,
            channel: if id % 10 == 0 { "Outside" } else { "InStore" }.into(),
            amount: U128(amount),
            discount: U128(if id % 6 == 0 { amount / 10 } else { 0 }),
            time_paid: U128(0),
            items: rng.random_range(1..8),
            detail_hash: format!("0x{id:064x}"),
            status: status.into(),
            opened_at: at - 1_000,
            expires_at: at + 3_600_000,
            confirmed_at: confirmed.then_some(at),
            matures_at: confirmed.then_some(at + DAY),
            earlier_in_window: confirmed.then_some(0),
            first_at_merchant: confirmed.then_some(first_at_merchant),
            first_purchase: confirmed.then_some(false),
            bizpower: bp,
            biz_reward: confirmed.then_some(U128(amount * 50)),
            time_reward: confirmed.then_some(U128(time_reward)),
            referral_time: None,
            flagged_by: (status == "Flagged").then(|| ss58(9_999_999)),
            evidence: (status == "Flagged").then(|| format!("0x{:064x}", id * 7)),
            time_returned: None,
            opened_block: block,
            updated_block: block,
        });
        let mut changes = vec!["Open"];
        match status {
            "Open" => {}
            "Cancelled" => changes.push("Cancelled"),
            s if s != "Confirmed" => changes.extend(["Confirmed", s]),
            _ => changes.push("Confirmed"),
        }
        for (k, s) in changes.into_iter().enumerate() {
            history.push(receipt_status_history::Model {
                block_number: block,
                event_index: ((id - 1) % PER_BLOCK) * 3 + k as i64,
                receipt_id: id,
                status: s.into(),
                changed_by: (s == "Flagged").then(|| ss58(9_999_999)),
                timestamp: at,
            });
        }
        if confirmed {
            let reward_status = match status {
                "Confirmed" if id % 3 == 0 => "claimed",
                "Confirmed" => "pending",
                _ => "forfeited",
            };
            for (role, who, token, amount) in [
                ("merchant", &merchant, "biz", amount * 50),
                ("customer", &customer, "time", time_reward),
            ] {
                let q = queue.entry(who.clone()).or_default();
                reward_rows.push(rewards::Model {
                    receipt_id: id,
                    role: role.into(),
                    beneficiary: who.clone(),
                    token: token.into(),
                    amount: U128(amount),
                    matures_at: at + DAY,
                    status: reward_status.into(),
                    created_block: block,
                    settled_block: (reward_status != "pending").then_some(block + 8_640),
                    consumed_block: (reward_status == "claimed").then_some(block + 8_640),
                    queue_index: *q,
                });
                *q += 1;
            }
            if id % 100 == 0 {
                let score_ppm = rng.random_range(0..1_000_000);
                scores.push(fraud_scores::Model {
                    seq: scores.len() as i64,
                    receipt_id: id,
                    merchant: merchant.clone(),
                    customer: customer.clone(),
                    category: merchant_rows[mi as usize].category.clone(),
                    referrer: None,
                    channel: "InStore".into(),
                    amount_cents: amount as i64,
                    time_deducted_cents: 0,
                    items: 1,
                    order_time: at - 5_000,
                    feature_time: at - 5_000,
                    features: serde_json::json!([amount as f64, 1.0, 0.0, 0.5, 3.0, 0.1]),
                    features_hash: format!("0x{:064x}", id * 13),
                    score_ppm,
                    model_version: "bench-1".into(),
                    threshold_ppm: 900_000,
                    status: if score_ppm >= 900_000 {
                        "unreported"
                    } else {
                        "clear"
                    }
                    .into(),
                    matures_at: Some(at + DAY),
                    attempts: 0,
                    last_error: None,
                    flag_block: None,
                });
            }
        }
    }
    let blocks = receipt_rows.last().map_or(0, |r| r.opened_block);
    let mut events: BTreeMap<i64, i64> = BTreeMap::new();
    for h in &history {
        *events.entry(h.block_number).or_default() += 1;
    }
    let batches: Vec<index_batches::Model> = (FIRST_BLOCK..=blocks)
        .map(|b| index_batches::Model {
            to_block: b,
            from_block: b,
            head: b,
            events: events.get(&b).copied().unwrap_or(0),
            committed_at: receipt_time((b - FIRST_BLOCK) * PER_BLOCK + 1, r_n),
        })
        .collect();

    let ledger_rows: Vec<ledger_merchants::Model> = merchant_rows
        .iter()
        .enumerate()
        .map(|(i, m)| ledger_merchants::Model {
            merchant: m.account.clone(),
            status: m.status.clone(),
            area_sqft: m.area_sqft,
            staff: m.staff,
            rent_per_sqft_day: m.rent_per_sqft_day,
            wage_per_day: m.wage_per_day,
            referrer: m.referrer.clone(),
            verified_at: m.verified_at,
            time_share_ppm: m.time_share_ppm,
            window_id: 0,
            in_store_orders: order_ids[i] as i64,
            in_store_amount: U128(0),
            new_customers: 0,
            repeat_customers: 0,
            outside_customers: 0,
            outside_orders: 0,
            outside_amount: U128(0),
            bizpower: U128(bizpower[i]),
            updated_block: blocks,
        })
        .collect();
    let kline_rows: Vec<klines::Model> = candles
        .into_iter()
        .map(|((mi, k, bucket), c)| klines::Model {
            merchant: merchant_account(mi),
            interval: INTERVALS[k].0.into(),
            bucket_start: bucket,
            open: U128(c.open),
            high: U128(c.high),
            low: U128(c.low),
            close: U128(c.close),
            receipts: c.receipts,
        })
        .collect();
    let accounts = merchant_rows
        .iter()
        .map(|m| m.account.clone())
        .chain(customer_rows.iter().map(|c| c.account.clone()));
    let mut balances = Vec::new();
    for a in accounts {
        for token in ["biz", "time"] {
            balances.push(token_balances::Model {
                token: token.into(),
                account: a.clone(),
                balance: U128(rng.random_range(0..1_000_000u128) * 1_000_000_000_000),
                updated_block: blocks,
            });
        }
    }

    // Proposals: proposal p has 50 + 10·(p mod 10) votes (p = 5: 100).
    let mut proposal_rows = Vec::new();
    let mut votes = Vec::new();
    for p in 1..=p_n as i64 {
        let created = T0 + p * 3_600_000;
        let n_votes = (50 + 10 * (p % 10)).min(c_n as i64);
        let (mut yes, mut no) = (0u128, 0u128);
        for v in 0..n_votes {
            let support = rng.random_bool(0.6);
            let weight = rng.random_range(1..1_000u128) * 1_000_000_000_000;
            if support {
                yes += weight;
            } else {
                no += weight;
            }
            votes.push(proposal_votes::Model {
                block_number: 100_000 + p,
                event_index: v,
                proposal_id: p,
                voter: customer_account((p as u64 * 97 + v as u64 * 13) % c_n),
                support,
                weight: U128(weight),
                timestamp: created + 60_000 * (v + 1),
            });
        }
        let quorum = 10_000u128 * 1_000_000_000_000;
        let proposer = customer_account(p as u64 % c_n);
        let kind = ACTIONS[(p % 4) as usize];
        proposal_rows.push(proposals::Model {
            id: p,
            proposer: proposer.clone(),
            action_kind: kind.into(),
            action: serde_json::json!({ kind: { "to": proposer, "amount": (p * 1_000).to_string() } }),
            description: format!("0x{:064x}", p * 31),
            created_at: created,
            voting_end: created + 3 * DAY,
            executable_at: created + 4 * DAY,
            expires_at: created + 11 * DAY,
            quorum: U128(quorum),
            threshold_ppm: 500_000,
            votes_for: U128(yes),
            votes_against: U128(no),
            voters: n_votes,
            passed: yes + no >= quorum && yes * 2 > yes + no,
            executed: false,
            vetoed: false,
            executed_at: None,
            vetoed_at: None,
            created_block: 100_000 + p,
            updated_block: 100_000 + p,
        });
    }

    let c = &mut counts;
    let pr = &mut progress;
    write(db, "merchants", merchant_rows, c, pr).await?;
    write(db, "ledger_merchants", ledger_rows, c, pr).await?;
    write(db, "customers", customer_rows, c, pr).await?;
    write(db, "token_balances", balances, c, pr).await?;
    write(db, "receipts", receipt_rows, c, pr).await?;
    write(db, "receipt_status_history", history, c, pr).await?;
    write(db, "index_batches", batches, c, pr).await?;
    write(db, "rewards", reward_rows, c, pr).await?;
    write(db, "klines", kline_rows, c, pr).await?;
    write(db, "proposals", proposal_rows, c, pr).await?;
    write(db, "proposal_votes", votes, c, pr).await?;
    write(db, "fraud_scores", scores, c, pr).await?;
    if db.get_database_backend() == DbBackend::Postgres {
        progress("ANALYZE");
        db.execute_unprepared("ANALYZE").await?;
    }
    Ok(counts)
}

/// The accounts, ids and times the benchmark's queries use, for the sizes
/// seeded. Single keys: merchant 0 (the busiest) and one hour of candles
/// from noon of the first day, customer 7, proposal 5. Key sets, for loads
/// that vary the key per request: the 10 busiest merchants, 16 customers,
/// every proposal. The receipt list filters on every tenth merchant.
pub fn fixtures(sizes: Sizes) -> serde_json::Value {
    let from = T0 + 12 * 3_600_000;
    let step = (sizes.merchants / 10).max(1);
    let merchants: Vec<String> = (0..sizes.merchants)
        .step_by(step as usize)
        .take(10)
        .map(merchant_account)
        .collect();
    let customers: Vec<String> = (0..16)
        .map(|i| customer_account((7 + 101 * i) % sizes.customers.max(1)))
        .collect();
    let busiest: Vec<String> = (0..sizes.merchants.min(10)).map(merchant_account).collect();
    let proposals: Vec<u64> = (1..=sizes.proposals).collect();
    serde_json::json!({
        "merchant": merchant_account(0),
        "from": from,
        "to": from + 59 * 60_000,
        "customer": customer_account(7 % sizes.customers.max(1)),
        "merchants": merchants,
        "busiest": busiest,
        "customers": customers,
        "min_amount": "5000",
        "proposal": sizes.proposals.min(5),
        "proposals": proposals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_pass_the_api_check() {
        // bizkey-graphql accepts 46–48 base58 characters.
        for a in [merchant_account(0), customer_account(1_999)] {
            assert_eq!(a.len(), 48, "{a}");
        }
        assert_ne!(merchant_account(0), customer_account(0));
    }

    #[test]
    fn receipts_fill_the_span_in_blocks_of_ten() {
        assert_eq!(receipt_time(1, 50_000), T0);
        assert!(receipt_time(50_000, 50_000) < T0 + SPAN_MS);
        assert_eq!(receipt_block(10), FIRST_BLOCK);
        assert_eq!(receipt_block(11), FIRST_BLOCK + 1);
    }
}
