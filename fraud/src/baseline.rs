//! The baseline the model must beat: Shopee's brushing rule, "orders / unique buyers ≥ 3 within an hour at a
//! shop". Applied causally like the features: for each receipt, the merchant's receipts of the last hour
//! (`(t − 1 h, t]`, this receipt included) divided by their distinct buyers.

use crate::features::HourWindow;
use crate::receipt::Receipt;

/// The rule's threshold on orders per unique buyer.
pub const SHOPEE_THRESHOLD: f64 = 3.0;

/// Incremental Shopee rule, fed in time order.
#[derive(Debug, Clone, Default)]
pub struct ShopeeRule {
    merchants: Vec<HourWindow>,
}

impl ShopeeRule {
    /// No history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Orders per unique buyer at `r`'s merchant over the hour ending at `r` (inclusive), then records `r`.
    /// A receipt is flagged when this is at least [`SHOPEE_THRESHOLD`].
    pub fn push(&mut self, r: &Receipt) -> f64 {
        let i = r.merchant as usize;
        if self.merchants.len() <= i {
            self.merchants.resize_with(i + 1, HourWindow::default);
        }
        let w = &mut self.merchants[i];
        w.advance(r.order_time_ms);
        let ratio = w.ratio_with(r.customer);
        w.push(r.order_time_ms, r.customer);
        ratio
    }
}
