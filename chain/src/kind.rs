//! The contracts of the suite, by kind: one list for the deployment plan,
//! the manifest, the SDK, the CLI and the indexer's decoder.

use bizkey_types::ledger::Token;
use bizkey_types::Named;
use std::fmt;

/// A contract of the suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContractKind {
    BizToken,
    TimeToken,
    Registry,
    Ledger,
    Vesting,
    Locking,
    SuperNodes,
    Tasks,
    Reviews,
    Governance,
}

impl ContractKind {
    /// Every kind, in deployment order.
    pub const ALL: [Self; 10] = [
        Self::BizToken,
        Self::TimeToken,
        Self::Registry,
        Self::Ledger,
        Self::Vesting,
        Self::Locking,
        Self::SuperNodes,
        Self::Tasks,
        Self::Reviews,
        Self::Governance,
    ];

    /// Its crate name: the name in the manifest and in SQL
    /// (`contracts.kind`, `events.contract_kind`); the bundle is
    /// `<name>.contract`.
    pub fn name(self) -> &'static str {
        match self {
            Self::BizToken => "biz_token",
            Self::TimeToken => "time_token",
            Self::Registry => "registry",
            Self::Ledger => "ledger",
            Self::Vesting => "vesting",
            Self::Locking => "locking",
            Self::SuperNodes => "super_nodes",
            Self::Tasks => "tasks",
            Self::Reviews => "reviews",
            Self::Governance => "governance",
        }
    }

    /// The kind named `name`; `None` for a contract outside the suite.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The file name of its cargo-contract bundle.
    pub fn bundle(self) -> String {
        format!("{}.contract", self.name())
    }

    /// For the token contracts: the token's name in SQL (`biz`, `time`).
    pub fn token(self) -> Option<&'static str> {
        match self {
            Self::BizToken => Some(Token::Biz.as_str()),
            Self::TimeToken => Some(Token::Time.as_str()),
            _ => None,
        }
    }
}

impl fmt::Display for ContractKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_distinct() {
        for kind in ContractKind::ALL {
            assert_eq!(ContractKind::from_name(kind.name()), Some(kind));
            assert_eq!(kind.bundle(), format!("{kind}.contract"));
        }
        let mut names: Vec<_> = ContractKind::ALL.iter().map(|k| k.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ContractKind::ALL.len());
        assert_eq!(ContractKind::from_name("psp22"), None);
    }
}
