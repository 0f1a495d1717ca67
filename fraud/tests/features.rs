use bizkey_fraud::baseline::ShopeeRule;
use bizkey_fraud::features::{FeatureError, FeatureState, FEATURE_NAMES, N_FEATURES};
use bizkey_fraud::pipeline::feature_matrix;
use bizkey_fraud::receipt::{Funding, Receipt};
use bizkey_fraud::sim::{simulate, SimConfig, DEFAULT_START_MS};

use crate::receipt;

fn col(name: &str) -> usize {
    FEATURE_NAMES
        .iter()
        .position(|n| *n == name)
        .unwrap_or_else(|| panic!("no feature {name}"))
}

fn close(a: f32, b: f64) -> bool {
    (f64::from(a) - b).abs() < 1e-5
}

#[test]
fn names_are_unique_and_complete() {
    assert_eq!(FEATURE_NAMES.len(), N_FEATURES);
    let mut names = FEATURE_NAMES.to_vec();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), N_FEATURES);
}

#[test]
fn no_look_ahead_later_receipts_never_change_earlier_features() {
    let sim = simulate(&SimConfig::new(21, 30, 1_500, 10));
    let receipts: Vec<Receipt> = sim.receipts.iter().map(|s| s.receipt).collect();
    let fundings = sim.funding_events();
    let full = feature_matrix(&receipts, &fundings);
    let k = receipts.len() / 2;
    let now = receipts[k].order_time_ms;

    // Dropping the future, receipts and fundings, changes nothing before it.
    let past: Vec<Funding> = fundings
        .iter()
        .filter(|f| f.time_ms < now)
        .copied()
        .collect();
    let prefix = feature_matrix(&receipts[..k], &past);
    assert_eq!(prefix[..], full[..k]);

    // Nor does rewriting the future: same customers, very different amounts and partners.
    let mut altered = receipts.clone();
    for r in &mut altered[k..] {
        r.amount_cents = r.amount_cents * 50 + 1;
        r.customer = receipts[0].customer;
        r.merchant = receipts[0].merchant;
    }
    let altered_features = feature_matrix(&altered, &fundings);
    assert_eq!(altered_features[..k], full[..k]);
    // The alteration is visible afterwards, so the comparison above is not vacuous.
    assert_ne!(altered_features[k..], full[k..]);
}

#[test]
fn repeated_orders_are_counted_from_the_past_only() {
    let mut st = FeatureState::new();
    let first = st.push(&receipt(600, 1, 7, None, 3_200)).expect("in order");
    assert_eq!(first[col("customer_new")], 1.0);
    assert_eq!(first[col("pair_orders")], 0.0);
    assert_eq!(first[col("pair_gap_min")], 0.0);
    assert_eq!(first[col("merchant_orders_1h")], 0.0);
    assert_eq!(first[col("merchant_orders_per_buyer_1h")], 1.0);

    // Same customer, same merchant, same amount, 30 minutes later.
    let second = st.push(&receipt(630, 1, 7, None, 3_200)).expect("in order");
    assert_eq!(second[col("customer_new")], 0.0);
    assert!(close(second[col("pair_orders")], 1f64.ln_1p()));
    assert!(close(second[col("pair_share")], 1.0));
    assert!(close(second[col("pair_gap_min")], 30f64.ln_1p()));
    assert!(close(second[col("customer_gap_min")], 30f64.ln_1p()));
    assert!(close(second[col("customer_age_h")], 0.5f64.ln_1p()));
    assert!(close(second[col("pair_recent_1h")], (-0.5f64).exp()));
    assert!(close(second[col("merchant_orders_1h")], 1f64.ln_1p()));
    assert!(close(second[col("merchant_orders_per_buyer_1h")], 2.0));

    // Another customer at another merchant knows nothing of them.
    let other = st.push(&receipt(631, 2, 8, None, 3_200)).expect("in order");
    assert_eq!(other[col("customer_new")], 1.0);
    assert_eq!(other[col("merchant_orders_1h")], 0.0);

    // 61 minutes after the second order the merchant's hour window is empty again.
    let later = st.push(&receipt(691, 1, 9, None, 1_000)).expect("in order");
    assert_eq!(later[col("merchant_orders_1h")], 0.0);
}

#[test]
fn paying_in_time_or_adding_cents_changes_no_feature() {
    // Version 2 has no feature a brusher sets for free: the Time share, round amounts.
    let mut st = FeatureState::new();
    st.push(&receipt(600, 1, 7, None, 3_000)).expect("in order");
    let plain = st
        .features(&receipt(630, 1, 8, None, 5_000))
        .expect("in order");
    let mut paid = receipt(630, 1, 8, None, 5_000);
    paid.time_deducted = 400;
    assert_eq!(st.features(&paid).expect("in order"), plain);
    for name in ["time_share", "round_10", "round_100", "pair_same_amount"] {
        assert!(!FEATURE_NAMES.contains(&name), "{name}");
    }
}

#[test]
fn referral_chains_have_depth_and_young_referrers() {
    let mut st = FeatureState::new();
    // An old customer 0 at merchant 2, then ten days later a chain 10 <- 11 <- 12, each buying right
    // after joining.
    st.push(&receipt(0, 2, 0, None, 2_000)).expect("in order");
    let day = 10 * 24 * 60;
    let a = st
        .push(&receipt(day, 2, 10, Some(0), 2_000))
        .expect("in order");
    assert!(close(a[col("referral_depth")], 1f64.ln_1p()));
    assert!(close(a[col("referrer_age_h")], 240f64.ln_1p()));
    assert!(close(a[col("referrer_orders")], 1f64.ln_1p()));
    let b = st
        .push(&receipt(day + 30, 2, 11, Some(10), 2_000))
        .expect("in order");
    assert!(close(b[col("referral_depth")], 2f64.ln_1p()));
    assert!(close(b[col("referrer_age_h")], 0.5f64.ln_1p()));
    let c = st
        .push(&receipt(day + 60, 2, 12, Some(11), 2_000))
        .expect("in order");
    assert!(close(c[col("referral_depth")], 3f64.ln_1p()));
    // Accounts opened at merchant 2 within the day, where one a week and a half is usual: a cohort.
    assert!(c[col("first_cohort_vs_usual")] > 0.0);
    // A referrer never seen buying gives depth 1 and age 0.
    let d = st
        .push(&receipt(day + 61, 3, 13, Some(99), 2_000))
        .expect("in order");
    assert!(close(d[col("referral_depth")], 1f64.ln_1p()));
    assert_eq!(d[col("referrer_age_h")], 0.0);
}

#[test]
fn merchants_sharing_customers_and_young_revenue_are_seen() {
    let mut st = FeatureState::new();
    // Customers 1..=4 buy at merchants 5 and 6; customer 9 only at 5.
    for c in 1..=4u32 {
        st.push(&receipt(u64::from(c), 5, c, None, 1_000))
            .expect("in order");
    }
    for c in 1..=4u32 {
        st.push(&receipt(10 + u64::from(c), 6, c, None, 1_000))
            .expect("in order");
    }
    st.push(&receipt(20, 5, 9, None, 1_000)).expect("in order");
    let f = st
        .features(&receipt(30, 5, 1, None, 1_000))
        .expect("in order");
    // Merchant 5 has 5 customers, merchant 6 has 4, 4 shared.
    assert!(close(f[col("shared_customers_max")], 4.0 / 20f64.sqrt()));
    // None of them young (see below).
    assert_eq!(f[col("shared_young_max")], 0.0);
    // Accounts first seen in the first 3 days of the history were there before it: never young.
    assert_eq!(f[col("merchant_young_revenue_share")], 0.0);
    let lone = st
        .features(&receipt(30, 5, 9, None, 1_000))
        .expect("in order");
    assert_eq!(lone[col("shared_customers_max")], 0.0);
    // Four days in, a new account's ¥10 is young revenue, next to the decayed ¥50 of the others
    // (time constant 3 days): 1,000 / (1,000 + 5,000 e^(-4/3)).
    let day4 = 4 * 24 * 60;
    st.push(&receipt(day4, 5, 20, None, 1_000))
        .expect("in order");
    let g = st
        .features(&receipt(day4, 5, 1, None, 1_000))
        .expect("in order");
    let expected = 1_000.0 / (1_000.0 + 5_000.0 * (-4f64 / 3.0).exp());
    assert!(
        (f64::from(g[col("merchant_young_revenue_share")]) - expected).abs() < 1e-3,
        "{}",
        g[col("merchant_young_revenue_share")]
    );
    // The young account also buys at merchant 6: one young customer shared.
    st.push(&receipt(day4 + 1, 6, 20, None, 1_000))
        .expect("in order");
    let h = st
        .features(&receipt(day4 + 2, 6, 1, None, 1_000))
        .expect("in order");
    assert!(close(h[col("shared_young_max")], 1f64.ln_1p()));
}

#[test]
fn referral_fan_out_counts_earlier_referees() {
    let mut st = FeatureState::new();
    st.push(&receipt(600, 1, 0, None, 2_000)).expect("in order");
    let a = st
        .push(&receipt(610, 3, 10, Some(0), 1_500))
        .expect("in order");
    assert_eq!(a[col("has_referrer")], 1.0);
    assert_eq!(a[col("referrer_fanout")], 0.0);
    let b = st
        .push(&receipt(615, 3, 11, Some(0), 1_500))
        .expect("in order");
    assert!(close(b[col("referrer_fanout")], 1f64.ln_1p()));
    assert!(close(b[col("referrer_fanout_24h")], 1f64.ln_1p()));
    assert!(close(b[col("referrer_first_here_share")], 1.0));
    let c = st
        .push(&receipt(616, 4, 12, Some(0), 1_500))
        .expect("in order");
    assert!(close(c[col("referrer_fanout")], 2f64.ln_1p()));
    assert!(
        close(c[col("referrer_first_here_share")], 0.0),
        "none of them started at merchant 4"
    );
    // The referrer's own view: three referees so far.
    let d = st.push(&receipt(620, 1, 0, None, 2_000)).expect("in order");
    assert!(close(d[col("customer_referees")], 3f64.ln_1p()));
    // A day later the 24 h fan-out has expired, the total has not.
    let e = st
        .push(&receipt(620 + 24 * 60, 3, 13, Some(0), 1_500))
        .expect("in order");
    assert!(close(e[col("referrer_fanout")], 3f64.ln_1p()));
    assert_eq!(e[col("referrer_fanout_24h")], 0.0);
}

#[test]
fn hour_of_day_is_local_time() {
    let mut st = FeatureState::new();
    // 12:00 local (UTC+8).
    let noon = st
        .features(&receipt(12 * 60, 1, 1, None, 100))
        .expect("in order");
    assert!(close(noon[col("hour_sin")], 0.0));
    assert!(close(noon[col("hour_cos")], -1.0));
    // 2026-01-01 was a Thursday; 2026-01-03 a Saturday.
    assert_eq!(noon[col("weekend")], 0.0);
    let saturday = st
        .features(&receipt(2 * 24 * 60 + 600, 1, 1, None, 100))
        .expect("in order");
    assert_eq!(saturday[col("weekend")], 1.0);
}

#[test]
fn amounts_are_compared_with_the_merchants_usual_ticket() {
    let mut st = FeatureState::new();
    for i in 0..20 {
        st.push(&receipt(600 + i, 5, 100 + i as u32, None, 3_000 + 10 * i))
            .expect("in order");
    }
    let normal = st
        .features(&receipt(700, 5, 1, None, 3_100))
        .expect("in order");
    let huge = st
        .features(&receipt(700, 5, 1, None, 300_000))
        .expect("in order");
    assert!(normal[col("amount_vs_ticket")].abs() < 0.1);
    assert!(huge[col("amount_vs_ticket")] > 4.0);
    assert_eq!(huge[col("amount_z")], 20.0, "clamped");
}

#[test]
fn out_of_order_receipts_are_refused() {
    let mut st = FeatureState::new();
    st.push(&receipt(100, 1, 1, None, 100)).expect("in order");
    let err = st
        .features(&receipt(99, 1, 1, None, 100))
        .expect_err("older receipt");
    let t = |m: u64| bizkey_fraud::sim::DEFAULT_START_MS + m * 60_000;
    assert_eq!(
        err,
        FeatureError::OutOfOrder {
            last_ms: t(100),
            got_ms: t(99)
        }
    );
    assert!(st.observe(&receipt(99, 1, 1, None, 100)).is_err());
    // Same time is fine.
    st.push(&receipt(100, 2, 2, None, 100)).expect("same time");
}

#[test]
fn shopee_rule_counts_orders_per_buyer_in_the_last_hour() {
    let mut rule = ShopeeRule::new();
    assert_eq!(rule.push(&receipt(0, 1, 1, None, 100)), 1.0);
    assert_eq!(rule.push(&receipt(10, 1, 1, None, 100)), 2.0);
    assert_eq!(rule.push(&receipt(20, 1, 2, None, 100)), 1.5);
    assert_eq!(rule.push(&receipt(30, 1, 1, None, 100)), 2.0);
    assert_eq!(rule.push(&receipt(40, 1, 1, None, 100)), 2.5);
    assert_eq!(rule.push(&receipt(50, 1, 1, None, 100)), 3.0);
    // Minute 60: the order of minute 0 has left the window (t − 1 h, t].
    assert_eq!(rule.push(&receipt(60, 1, 1, None, 100)), 3.0);
    // Other shops are separate.
    assert_eq!(rule.push(&receipt(61, 2, 1, None, 100)), 1.0);
}

fn funding(minute: u64, funder: u32, account: u32) -> Funding {
    Funding {
        time_ms: DEFAULT_START_MS + minute * 60_000,
        funder,
        account,
    }
}

#[test]
fn accounts_funded_together_by_one_wallet_are_seen() {
    let mut st = FeatureState::new();
    // Wallet 7 funds customers 1, 2 and 3 within half an hour; a later top-up of 1 by wallet 8 changes nothing.
    for (minute, c) in [(0, 1), (10, 2), (20, 3)] {
        st.fund(&funding(minute, 7, c)).expect("in order");
    }
    st.fund(&funding(30, 8, 1)).expect("in order");

    let a = st.push(&receipt(60, 5, 1, None, 2_000)).expect("in order");
    assert!(close(a[col("funded_age_h")], 1f64.ln_1p()));
    assert!(close(a[col("funder_fanout")], 2f64.ln_1p()));
    assert!(close(a[col("funder_fanout_near")], 2f64.ln_1p()));
    // None of the wallet's accounts had bought yet.
    assert_eq!(a[col("funder_first_here_share")], 0.0);
    let b = st.push(&receipt(70, 5, 2, None, 2_000)).expect("in order");
    assert!(close(b[col("funder_first_here_share")], 1.0));
    let c = st.push(&receipt(80, 6, 3, None, 2_000)).expect("in order");
    assert_eq!(c[col("funder_first_here_share")], 0.0);
    let c_again = st.push(&receipt(90, 5, 3, None, 2_000)).expect("in order");
    assert!(close(c_again[col("funder_first_here_share")], 2.0 / 3.0));

    // Three days later the wallet funds another account: more fan-out, but not near customer 1's funding.
    let later = 3 * 24 * 60;
    st.fund(&funding(later, 7, 9)).expect("in order");
    let d = st
        .push(&receipt(later + 1, 5, 1, None, 2_000))
        .expect("in order");
    assert!(close(d[col("funder_fanout")], 3f64.ln_1p()));
    assert!(close(d[col("funder_fanout_near")], 2f64.ln_1p()));

    // An account whose funding is unknown.
    assert!(st.is_funded(1) && st.is_funded(9));
    assert!(!st.is_funded(20));
    let e = st
        .push(&receipt(later + 2, 5, 20, None, 2_000))
        .expect("in order");
    assert!(!st.is_funded(20));
    for name in [
        "funded_age_h",
        "funder_fanout",
        "funder_fanout_near",
        "funder_first_here_share",
    ] {
        assert_eq!(e[col(name)], 0.0, "{name}");
    }

    // Fundings share the receipts' clock.
    assert_eq!(
        st.fund(&funding(later, 1, 30)),
        Err(FeatureError::OutOfOrder {
            last_ms: DEFAULT_START_MS + (later + 2) * 60_000,
            got_ms: DEFAULT_START_MS + later * 60_000,
        })
    );
}

#[test]
fn the_pipeline_stamps_a_funding_with_the_next_receipts_time() {
    // Funded at minute 0, first receipt at minute 120: the funding is fed at 120, so the account is 0 h old
    // then, and 1 h old at its next receipt.
    let receipts = [
        receipt(120, 5, 1, None, 2_000),
        receipt(180, 5, 1, None, 2_000),
    ];
    let f = feature_matrix(&receipts, &[funding(0, 7, 1)]);
    assert_eq!(f[0][col("funded_age_h")], 0.0);
    assert!(close(f[1][col("funded_age_h")], 1f64.ln_1p()));
    // A funding after the last receipt is never fed.
    assert_eq!(
        feature_matrix(&receipts, &[funding(200, 7, 1)]),
        feature_matrix(&receipts, &[])
    );
}
