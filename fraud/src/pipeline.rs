//! Runs the feature definition over a whole data set whose rows may be in any order.

use crate::baseline::ShopeeRule;
use crate::features::{FeatureState, Features};
use crate::receipt::{Funding, Receipt};

/// Row indices sorted by order time; rows with equal times keep their input order.
pub fn time_order(receipts: &[Receipt]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..receipts.len()).collect();
    idx.sort_by_key(|&i| receipts[i].order_time_ms);
    idx
}

/// Features of every receipt from the receipts and fundings before it, returned in input order.
///
/// Receipts are fed in time order. A funding is fed just before the first receipt at or after its time, stamped
/// with that receipt's time, as the indexer does: the chain's block times and the receipts' order times are
/// different clocks (a replay of old sales, a POS whose clock is off), so the feature clock is the receipts'.
pub fn feature_matrix(receipts: &[Receipt], fundings: &[Funding]) -> Vec<Features> {
    let mut state = FeatureState::new();
    let mut out = vec![[0.0; crate::features::N_FEATURES]; receipts.len()];
    let mut fundings: Vec<&Funding> = fundings.iter().collect();
    fundings.sort_by_key(|f| f.time_ms);
    let mut next = fundings.into_iter().peekable();
    let ordered = "fed in time order, so none is out of order";
    for i in time_order(receipts) {
        let r = &receipts[i];
        while let Some(f) = next.next_if(|f| f.time_ms <= r.order_time_ms) {
            let stamped = Funding {
                time_ms: r.order_time_ms,
                ..*f
            };
            state.fund(&stamped).expect(ordered);
        }
        out[i] = state.push(r).expect(ordered);
    }
    out
}

/// The Shopee rule's orders-per-buyer ratio of every receipt, in input order.
pub fn shopee_ratios(receipts: &[Receipt]) -> Vec<f32> {
    let mut rule = ShopeeRule::new();
    let mut out = vec![0.0; receipts.len()];
    for i in time_order(receipts) {
        out[i] = rule.push(&receipts[i]) as f32;
    }
    out
}
