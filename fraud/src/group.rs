//! Scores of groups of receipts: a merchant's sales, an account's purchases, and the purchases of the accounts
//! one account referred. A ring is easier to see as a group than receipt by receipt: its fake accounts buy
//! several times, and a few of those purchases usually stand out even when the rest pass.
//!
//! The group score is the mean of the group's [`TOP`] highest receipt scores, defined once the group has
//! [`TOP`] receipts. Measured against the alternatives (mean, shrunk mean, share above the threshold, maximum,
//! noisy-OR; fresh seeds, MODEL_CARD.md "Groups"), it ranks merchants, accounts and referrers best: a mean
//! drowns a ring in a busy shop's honest sales, a maximum follows one odd receipt.
//!
//! Scores are kept in parts per million (integers), so that the indexer's SQL rows and the CLI's evaluation
//! compute bit-identical group scores from the same receipt scores.
//!
//! Only one use reaches the chain: [`account_raises`]. When an account's group score reaches the model's
//! threshold, its receipts whose challenge window is still open are flagged too, through the ledger's `flag`
//! like any other (the indexer's reporter). Merchant and referrer groups are for the super nodes' review only:
//! flagging every receipt of a shop or of a referrer's referees would hit honest customers (measured: the rule
//! on referrer groups as well raises the false-positive rate from 0.07–0.09 % to 0.10–0.15 %, MODEL_CARD.md).

use crate::receipt::Receipt;

/// How many of a group's highest receipt scores its score averages.
pub const TOP: usize = 3;

/// One million: scores are stored as parts per million.
pub const PPM: u32 = 1_000_000;

/// A score in 0..=1 as parts per million, rounded (NaN and negatives as 0, above 1 as [`PPM`]).
pub fn ppm(score: f32) -> u32 {
    let x = (f64::from(score) * f64::from(PPM)).round();
    if x.is_nan() || x <= 0.0 {
        0
    } else if x >= f64::from(PPM) {
        PPM
    } else {
        x as u32
    }
}

/// What a group is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupKind {
    /// A merchant's sales.
    Merchant,
    /// An account's purchases.
    Customer,
    /// The purchases of the accounts an account referred.
    Referrer,
}

impl GroupKind {
    /// Every kind.
    pub const ALL: [GroupKind; 3] = [
        GroupKind::Merchant,
        GroupKind::Customer,
        GroupKind::Referrer,
    ];

    /// The name in reports; the index's `fraud_groups.kind` uses the same
    /// names (`bizkey_store::column::FraudGroupKind`, tested alike in the
    /// indexer).
    pub fn as_str(self) -> &'static str {
        match self {
            GroupKind::Merchant => "merchant",
            GroupKind::Customer => "customer",
            GroupKind::Referrer => "referrer",
        }
    }

    /// Parses [`GroupKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        GroupKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The account whose group a receipt joins under this kind (`None`: a customer without referrer).
    pub fn member(self, r: &Receipt) -> Option<u32> {
        match self {
            GroupKind::Merchant => Some(r.merchant),
            GroupKind::Customer => Some(r.customer),
            GroupKind::Referrer => r.referrer,
        }
    }
}

/// Running totals of one group's receipt scores (ppm).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupStats {
    /// Receipts scored.
    pub receipts: u64,
    /// Receipts at or above the threshold they were scored against.
    pub above: u64,
    /// Sum of the scores.
    pub score_sum: u64,
    /// The highest scores, highest first; 0 where the group has fewer receipts.
    pub top: [u32; TOP],
}

impl GroupStats {
    /// Adds one receipt's score.
    pub fn push(&mut self, score_ppm: u32, threshold_ppm: u32) {
        self.receipts += 1;
        self.above += u64::from(score_ppm >= threshold_ppm);
        self.score_sum += u64::from(score_ppm);
        if let Some(i) = self.top.iter().position(|&t| score_ppm > t) {
            self.top.copy_within(i..TOP - 1, i + 1);
            self.top[i] = score_ppm;
        }
    }

    /// The group's score: the mean of its [`TOP`] highest receipt scores (rounded down), once it has that
    /// many receipts.
    pub fn score(&self) -> Option<u32> {
        (self.receipts >= TOP as u64)
            .then(|| (self.top.iter().map(|&t| u64::from(t)).sum::<u64>() / TOP as u64) as u32)
    }

    /// Whether the group's score has reached `threshold_ppm`.
    pub fn reaches(&self, threshold_ppm: u32) -> bool {
        self.score().is_some_and(|s| s >= threshold_ppm)
    }
}

/// Which receipts the account rule flags beside the receipts' own scores: fed in time order, whenever a
/// customer's group reaches the threshold, that customer's receipts of the last `window_ms` (their challenge
/// window still open) are flagged. Returns, in input order, whether each receipt is flagged by its own score
/// or by its account.
///
/// This is the offline form of what the indexer does with its `fraud_groups` rows (there, "window open" is the
/// receipt's `matures_at` against the chain's time).
pub fn account_raises(
    receipts: &[Receipt],
    scores: &[f32],
    threshold: f32,
    window_ms: u64,
) -> Vec<bool> {
    assert_eq!(receipts.len(), scores.len(), "one score per receipt");
    let threshold = ppm(threshold);
    let mut flagged: Vec<bool> = scores.iter().map(|&s| ppm(s) >= threshold).collect();
    let mut groups: rustc_hash::FxHashMap<u32, (GroupStats, Vec<usize>)> = Default::default();
    for i in crate::pipeline::time_order(receipts) {
        let r = &receipts[i];
        let (stats, members) = groups.entry(r.customer).or_default();
        stats.push(ppm(scores[i]), threshold);
        members.push(i);
        if stats.reaches(threshold) {
            for &j in members.iter().rev() {
                if r.order_time_ms.saturating_sub(receipts[j].order_time_ms) > window_ms {
                    break;
                }
                flagged[j] = true;
            }
        }
    }
    flagged
}

/// Every group's totals over a data set, by kind and account id.
pub fn group_stats(
    receipts: &[Receipt],
    scores: &[f32],
    threshold: f32,
    kind: GroupKind,
) -> rustc_hash::FxHashMap<u32, GroupStats> {
    assert_eq!(receipts.len(), scores.len(), "one score per receipt");
    let threshold = ppm(threshold);
    let mut out: rustc_hash::FxHashMap<u32, GroupStats> = Default::default();
    for (r, &s) in receipts.iter().zip(scores) {
        if let Some(id) = kind.member(r) {
            out.entry(id).or_default().push(ppm(s), threshold);
        }
    }
    out
}
