//! One string form per fieldless enum, for the places that store or show an
//! enum as text (the index's SQL columns, the GraphQL API, the CLI).
//!
//! The form is the variant's name unless the list gives another; parsing is
//! the exact inverse. The contracts never call these (SCALE is their
//! encoding), so nothing here reaches a Wasm blob.

/// A fieldless enum with one string form per variant.
pub trait Named: Sized + Copy + PartialEq + 'static {
    /// Every variant, in declaration order.
    const ALL: &'static [Self];

    /// The variant's string form.
    fn as_str(self) -> &'static str;

    /// The variant whose string form is `s` (exact match).
    fn from_name(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }
}

/// Implements [`Named`] for enums: `named! { Type { A, B = "b" } }`.
/// The `match` in `as_str` is exhaustive, so a variant added to the enum and
/// not to the list fails to compile.
#[macro_export]
macro_rules! named {
    ($($ty:ty { $($variant:ident $(= $name:literal)?),+ $(,)? })+) => {$(
        impl $crate::Named for $ty {
            const ALL: &'static [Self] = &[$(Self::$variant),+];

            fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $crate::named!(@name $variant $($name)?)),+
                }
            }
        }
    )+};
    (@name $variant:ident) => { stringify!($variant) };
    (@name $variant:ident $name:literal) => { $name };
}

named! {
    crate::math::Channel { InStore, Outside }
    crate::ledger::Side { Merchant, Customer }
    crate::ledger::ReceiptStatus { Open, Confirmed, Cancelled, Flagged, Refunded }
    crate::ledger::Token { Biz = "biz", Time = "time" }
    crate::ledger::Beneficiary {
        Merchant = "merchant",
        MerchantReferrer = "merchant_referrer",
        Customer = "customer",
        CustomerReferrer = "customer_referrer",
    }
    crate::reviews::Reaction { Like, Comment, Share, Reply, View }
    crate::registry::Category { Restaurant, Cafe, Grocery, Bakery, Bar, Retail, Beauty, Services, Other }
    crate::registry::MerchantStatus { Pending, Verified, Suspended, Removed }
    crate::registry::CustomerStatus { Active, Suspended, Removed }
    crate::roles::Role { Admin, Governance, Ledger, Reporter, Registry, SuperNodes }
    crate::vesting::Allocation { EarlySupporters, Ecosystem, Team, Foundation }
    crate::governance::Phase { Military, Tutelage, Constitutional }
    crate::super_nodes::CandidateStatus { Candidate, SuperNode, Unbonding }
    crate::governance::ProposalStatus { Active, Defeated, Queued, Executable, Executed, Vetoed, Expired }
    crate::tasks::RuleMode { Any, All }
    crate::tasks::ParticipantStatus { Joined, Completed, Penalized }
}

#[cfg(test)]
mod tests {
    use super::Named;
    use crate::ledger::{ReceiptStatus, Token};

    fn round_trips<T: Named + core::fmt::Debug>() {
        for &v in T::ALL {
            assert_eq!(T::from_name(v.as_str()), Some(v), "{v:?}");
        }
        assert_eq!(T::from_name("no such variant"), None);
    }

    #[test]
    fn every_form_parses_back() {
        round_trips::<crate::math::Channel>();
        round_trips::<crate::ledger::Side>();
        round_trips::<ReceiptStatus>();
        round_trips::<Token>();
        round_trips::<crate::ledger::Beneficiary>();
        round_trips::<crate::reviews::Reaction>();
        round_trips::<crate::registry::Category>();
        round_trips::<crate::registry::MerchantStatus>();
        round_trips::<crate::registry::CustomerStatus>();
        round_trips::<crate::roles::Role>();
        round_trips::<crate::vesting::Allocation>();
        round_trips::<crate::governance::Phase>();
        round_trips::<crate::super_nodes::CandidateStatus>();
        round_trips::<crate::governance::ProposalStatus>();
        round_trips::<crate::tasks::RuleMode>();
        round_trips::<crate::tasks::ParticipantStatus>();
    }

    #[test]
    fn forms_are_the_variant_names_unless_given() {
        assert_eq!(ReceiptStatus::Confirmed.as_str(), "Confirmed");
        assert_eq!(Token::Biz.as_str(), "biz");
        assert_eq!(
            ReceiptStatus::from_name("confirmed"),
            None,
            "exact match only"
        );
    }
}
