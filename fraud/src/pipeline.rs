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
/// Receipts are fed in time order, each after the fundings since the previous one
/// ([`FeatureState::push_after`]): a funding goes before the first receipt at or after its time.
pub fn feature_matrix(receipts: &[Receipt], fundings: &[Funding]) -> Vec<Features> {
    let mut state = FeatureState::new();
    let mut out = vec![[0.0; crate::features::N_FEATURES]; receipts.len()];
    let mut fundings = fundings.to_vec();
    fundings.sort_by_key(|f| f.time_ms);
    let order = time_order(receipts);
    let ordered: Vec<Receipt> = order.iter().map(|&i| receipts[i]).collect();
    for ((&i, r), before) in order
        .iter()
        .zip(&ordered)
        .zip(fundings_before(&ordered, &fundings))
    {
        out[i] = state
            .push_after(before, r)
            .expect("fed in time order, so none is out of order");
    }
    out
}

/// For `receipts` in time order and `fundings` sorted by time, the fundings to feed before each receipt:
/// those after the previous receipt's time and at or before its own. Fundings after the last receipt are in
/// no part.
pub fn fundings_before<'a>(receipts: &[Receipt], fundings: &'a [Funding]) -> Vec<&'a [Funding]> {
    let mut from = 0;
    receipts
        .iter()
        .map(|r| {
            let to = from + fundings[from..].partition_point(|f| f.time_ms <= r.order_time_ms);
            let part = &fundings[from..to];
            from = to;
            part
        })
        .collect()
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
