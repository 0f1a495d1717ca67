//! # Reviews
//!
//! Related information on confirmed sales (DESIGN §3.3; whitepaper ch. 3.5
//! 关联信息): the customer rates the merchant (product, service,
//! environment), the merchant rates the customer, once each per receipt;
//! anyone reacts to a confirmed receipt (like, comment, share, reply, view)
//! with the hash of the off-chain content.
//!
//! The receipts stay in the ledger: each message reads its receipt with
//! `LedgerApi::receipt` (who the sides are, whether it is confirmed). This
//! contract moves no money and has no roles: nobody administers it, and
//! it only stores which sides rated which receipt.
//!
//! The logic lives in [`ReviewsData`]: its methods take the caller and the
//! receipt as the ledger answered and return the event to emit.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use bizkey_types::reviews::*;
use bizkey_types::{
    ledger::{Receipt, ReceiptId, ReceiptStatus},
    AccountId, Hash,
};
use ink::storage::Mapping;

/// Result of the reviews' logic.
pub type Result<T> = core::result::Result<T, ReviewsError>;

/// Which sides rated which receipt, and the rules.
#[ink::storage_item]
#[derive(Debug, Default)]
pub struct ReviewsData {
    /// A receipt's [`RATED_BY_CUSTOMER`] / [`RATED_BY_MERCHANT`] bits.
    rated: Mapping<ReceiptId, u8>,
}

impl ReviewsData {
    /// `caller` rates the other side of receipt `id` (`receipt`, as the
    /// ledger has it): the customer the merchant (`Rating::Merchant`), the
    /// merchant the customer (`Rating::Customer`), once each.
    pub fn rate(
        &mut self,
        caller: AccountId,
        id: ReceiptId,
        receipt: Option<Receipt>,
        rating: Rating,
        comment: Option<Hash>,
    ) -> Result<ReviewsEvent> {
        let r = receipt.ok_or(ReviewsError::ReceiptNotFound)?;
        let rater = match rating {
            Rating::Merchant { .. } => r.customer,
            Rating::Customer { .. } => r.merchant,
        };
        if caller != rater {
            return Err(ReviewsError::NotCounterparty);
        }
        confirmed(&r)?;
        let rated = self.rated(id);
        if rated & rating.bit() != 0 {
            return Err(ReviewsError::AlreadyRated);
        }
        if !rating.is_valid() {
            return Err(ReviewsError::InvalidRating);
        }
        self.rated.insert(id, &(rated | rating.bit()));
        let (merchant, customer) = (r.merchant, r.customer);
        Ok(match rating {
            Rating::Merchant {
                product,
                service,
                environment,
            } => ReviewsEvent::MerchantRated(MerchantRated {
                id,
                merchant,
                customer,
                product,
                service,
                environment,
                comment,
            }),
            Rating::Customer { score } => ReviewsEvent::CustomerRated(CustomerRated {
                id,
                merchant,
                customer,
                score,
                comment,
            }),
        })
    }

    /// `caller` reacts to receipt `id` (nothing is stored).
    pub fn react(
        &self,
        caller: AccountId,
        id: ReceiptId,
        receipt: Option<Receipt>,
        kind: Reaction,
        content: Hash,
    ) -> Result<ReviewsEvent> {
        confirmed(&receipt.ok_or(ReviewsError::ReceiptNotFound)?)?;
        Ok(ReviewsEvent::Reacted(Reacted {
            id,
            account: caller,
            kind,
            content,
        }))
    }

    /// Which sides rated receipt `id` ([`RATED_BY_CUSTOMER`],
    /// [`RATED_BY_MERCHANT`]).
    pub fn rated(&self, id: ReceiptId) -> u8 {
        self.rated.get(id).unwrap_or(0)
    }
}

/// Ratings and reactions are for confirmed sales only: not open ones, nor
/// cancelled, flagged or refunded ones.
fn confirmed(r: &Receipt) -> Result<()> {
    if r.status == ReceiptStatus::Confirmed {
        Ok(())
    } else {
        Err(ReviewsError::NotConfirmed)
    }
}

#[ink::contract]
pub mod reviews {
    use super::*;

    #[ink(storage)]
    pub struct Reviews {
        data: ReviewsData,
        ledger: AccountId,
    }

    impl Reviews {
        /// Reviews of the receipts of `ledger`.
        #[ink(constructor)]
        pub fn new(ledger: AccountId) -> Self {
            Self {
                data: ReviewsData::default(),
                ledger,
            }
        }

        /// Rates the other side of a confirmed receipt, once per side: the
        /// customer rates the merchant (`Rating::Merchant`: product, service,
        /// environment), the merchant rates the customer
        /// (`Rating::Customer`); scores 1..=5, with an optional comment hash.
        ///
        /// # Errors
        /// `LedgerCallFailed`; `ReceiptNotFound`; `NotCounterparty` unless
        /// the caller is the side giving this kind of rating;
        /// `NotConfirmed`; `AlreadyRated`; `InvalidRating`.
        ///
        /// # Events
        /// `MerchantRated` or `CustomerRated`.
        #[ink(message)]
        pub fn rate(&mut self, id: ReceiptId, rating: Rating, comment: Option<Hash>) -> Result<()> {
            let receipt = self.receipt(id)?;
            let event = self
                .data
                .rate(self.env().caller(), id, receipt, rating, comment)?;
            ReviewsEvent::emit_all::<Environment>([event]);
            Ok(())
        }

        /// Likes, comments, shares, replies to or views a confirmed receipt;
        /// `content` is the hash of the off-chain content. A transaction
        /// (`&mut self`) though nothing is stored: the event is the record.
        ///
        /// # Errors
        /// `LedgerCallFailed`; `ReceiptNotFound`; `NotConfirmed`.
        ///
        /// # Events
        /// `Reacted`.
        #[ink(message)]
        pub fn react(&mut self, id: ReceiptId, kind: Reaction, content: Hash) -> Result<()> {
            let receipt = self.receipt(id)?;
            let event = self
                .data
                .react(self.env().caller(), id, receipt, kind, content)?;
            ReviewsEvent::emit_all::<Environment>([event]);
            Ok(())
        }

        /// Which sides rated receipt `id`: bit 0 the customer
        /// (`RATED_BY_CUSTOMER`), bit 1 the merchant (`RATED_BY_MERCHANT`).
        #[ink(message)]
        pub fn rated(&self, id: ReceiptId) -> u8 {
            self.data.rated(id)
        }

        /// The ledger whose receipts are reviewed.
        #[ink(message)]
        pub fn ledger(&self) -> AccountId {
            self.ledger
        }

        /// The ledger's receipt `id`.
        #[cfg(not(test))]
        fn receipt(&self, id: ReceiptId) -> Result<Option<Receipt>> {
            use bizkey_types::ledger::LedgerApi;
            use ink::{codegen::TraitCallBuilder, contract_ref};
            let ledger: contract_ref!(LedgerApi) = self.ledger.into();
            match ledger.call().receipt(id).try_invoke() {
                Ok(Ok(receipt)) => Ok(receipt),
                _ => Err(ReviewsError::LedgerCallFailed),
            }
        }

        /// The test model's receipt `id` (see `tests.rs`).
        #[cfg(test)]
        fn receipt(&self, id: ReceiptId) -> Result<Option<Receipt>> {
            crate::tests::ledger_receipt(id)
        }
    }
}

#[cfg(test)]
mod tests;
