use crate::receipt;
use bizkey_fraud::group::{account_raises, group_stats, ppm, GroupKind, GroupStats, PPM, TOP};

#[test]
fn ppm_rounds_and_clamps() {
    assert_eq!(ppm(0.943_123_5), 943_124);
    assert_eq!(ppm(0.0), 0);
    assert_eq!(ppm(1.0), PPM);
    assert_eq!(ppm(-0.5), 0);
    assert_eq!(ppm(1.5), PPM);
    assert_eq!(ppm(f32::NAN), 0);
}

#[test]
fn the_score_is_the_mean_of_the_top_scores_once_there_are_enough() {
    let mut g = GroupStats::default();
    for s in [100, 900_000] {
        g.push(s, 850_000);
        assert_eq!(g.score(), None, "no score below {TOP} receipts");
    }
    g.push(50, 850_000);
    assert_eq!(g.score(), Some((100 + 900_000 + 50) / 3));
    g.push(800_000, 850_000);
    assert_eq!(g.top, [900_000, 800_000, 100]);
    assert_eq!(g.receipts, 4);
    assert_eq!(g.above, 1);
    assert_eq!(g.score_sum, 1_700_150);
    // (900,000 + 800,000 + 100) / 3 rounded down.
    assert_eq!(g.score(), Some(566_700));
    assert!(g.reaches(566_700));
    assert!(!g.reaches(566_701));
    // Ties keep every copy.
    let mut t = GroupStats::default();
    for _ in 0..4 {
        t.push(700_000, 900_000);
    }
    assert_eq!(t.top, [700_000; TOP]);
    assert_eq!(t.score(), Some(700_000));
}

#[test]
fn groups_are_by_merchant_customer_and_referrer() {
    let rs = [
        receipt(0, 1, 10, Some(20), 1000),
        receipt(1, 1, 11, None, 1000),
        receipt(2, 2, 10, Some(20), 1000),
    ];
    let scores = [0.9, 0.2, 0.5];
    let merchants = group_stats(&rs, &scores, 0.8, GroupKind::Merchant);
    assert_eq!(merchants[&1].receipts, 2);
    assert_eq!(merchants[&1].above, 1);
    assert_eq!(merchants[&2].receipts, 1);
    let customers = group_stats(&rs, &scores, 0.8, GroupKind::Customer);
    assert_eq!(customers[&10].score_sum, 1_400_000);
    let referrers = group_stats(&rs, &scores, 0.8, GroupKind::Referrer);
    assert_eq!(
        referrers.len(),
        1,
        "a customer without referrer joins no referrer group"
    );
    assert_eq!(referrers[&20].receipts, 2);
    for k in GroupKind::ALL {
        assert_eq!(GroupKind::parse(k.as_str()), Some(k));
    }
}

#[test]
fn an_account_that_reaches_the_threshold_raises_its_open_receipts_only() {
    let day = 24 * 60;
    // Customer 7: an old receipt (two days before), then four within a day; the fourth lifts the top-3 mean
    // over the threshold. Customer 8: one high receipt alone, which is flagged by itself and raises nothing.
    let rs = [
        receipt(0, 1, 7, None, 1000),
        receipt(2 * day, 1, 7, None, 1000),
        receipt(2 * day + 60, 1, 7, None, 1000),
        receipt(2 * day + 120, 1, 8, None, 1000),
        receipt(2 * day + 180, 2, 7, None, 1000),
        receipt(2 * day + 240, 2, 7, None, 1000),
    ];
    let scores = [0.1, 0.95, 0.2, 0.99, 0.92, 0.97];
    let threshold = 0.9;
    let own: Vec<bool> = scores.iter().map(|&s| s >= threshold).collect();
    assert_eq!(own, [false, true, false, true, true, true]);
    // After receipt 5 customer 7's top three are 0.97, 0.95, 0.92: mean 0.9467 ≥ 0.9.
    let flags = account_raises(&rs, &scores, threshold, day * 60_000);
    assert_eq!(
        flags,
        [false, true, true, true, true, true],
        "receipt 2 raised; receipt 0 closed"
    );
    // With a higher threshold the group never reaches it and only the receipts' own scores count.
    let flags = account_raises(&rs, &scores, 0.96, day * 60_000);
    assert_eq!(flags, [false, false, false, true, false, true]);
    // Input order does not matter: the rule runs in time order and answers in input order.
    let mut rev = rs;
    rev.reverse();
    let mut rev_scores = scores;
    rev_scores.reverse();
    let mut flags = account_raises(&rev, &rev_scores, threshold, day * 60_000);
    flags.reverse();
    assert_eq!(flags, [false, true, true, true, true, true]);
}
