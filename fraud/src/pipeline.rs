//! Runs the feature definition over a whole data set whose rows may be in any order.

use crate::baseline::ShopeeRule;
use crate::features::{FeatureState, Features};
use crate::receipt::Receipt;

/// Row indices sorted by order time; rows with equal times keep their input order.
pub fn time_order(receipts: &[Receipt]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..receipts.len()).collect();
    idx.sort_by_key(|&i| receipts[i].order_time_ms);
    idx
}

/// Features of every receipt from the receipts before it (in time order), returned in input order.
pub fn feature_matrix(receipts: &[Receipt]) -> Vec<Features> {
    let mut state = FeatureState::new();
    let mut out = vec![[0.0; crate::features::N_FEATURES]; receipts.len()];
    for i in time_order(receipts) {
        out[i] = state
            .push(&receipts[i])
            .expect("receipts are fed in time order, so none is out of order");
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
