//! Reviews: both sides' ratings of confirmed receipts, and reactions to them.

use super::{i, name, Batch, Ctx};
use bizkey_store::entity::{ratings, reactions};
use bizkey_store::hex0x;
use bizkey_types::reviews::ReviewsEvent;

impl Batch {
    /// Applies one event of the reviews contract (rows are only added).
    pub(super) fn reviews(&mut self, at: &Ctx, event: ReviewsEvent) {
        match event {
            ReviewsEvent::MerchantRated(e) => {
                let merchant = self.seen(&e.merchant, at.block);
                let customer = self.seen(&e.customer, at.block);
                self.ratings.push(ratings::Model {
                    receipt_id: i(e.id),
                    side: "customer".into(),
                    merchant,
                    customer,
                    product: Some(e.product.into()),
                    service: Some(e.service.into()),
                    environment: Some(e.environment.into()),
                    score: None,
                    comment: e.comment.map(hex0x),
                    block_number: at.block,
                });
            }
            ReviewsEvent::CustomerRated(e) => {
                let merchant = self.seen(&e.merchant, at.block);
                let customer = self.seen(&e.customer, at.block);
                self.ratings.push(ratings::Model {
                    receipt_id: i(e.id),
                    side: "merchant".into(),
                    merchant,
                    customer,
                    product: None,
                    service: None,
                    environment: None,
                    score: Some(e.score.into()),
                    comment: e.comment.map(hex0x),
                    block_number: at.block,
                });
            }
            ReviewsEvent::Reacted(e) => {
                let account = self.seen(&e.account, at.block);
                self.reactions.push(reactions::Model {
                    block_number: at.block,
                    event_index: at.index,
                    receipt_id: i(e.id),
                    account,
                    kind: name(e.kind),
                    content: hex0x(e.content),
                });
            }
        }
    }
}
