//! The deployed suite as handles on its contracts: what the day, the SDK and
//! the CLI call.

use crate::contract::Contract;
use crate::error::{ChainError, Result};
use crate::kind::ContractKind;
use crate::manifest::Manifest;

/// The contracts of a manifest. The core four are required; the community
/// contracts are optional (a core-only deployment has none of them).
#[derive(Debug, Clone)]
pub struct Suite {
    pub bt: Contract,
    pub tt: Contract,
    pub registry: Contract,
    pub ledger: Contract,
    pub locking: Option<Contract>,
    pub governance: Option<Contract>,
    pub tasks: Option<Contract>,
    pub reviews: Option<Contract>,
}

impl Suite {
    /// Handles on the manifest's contracts, reading their bundles.
    ///
    /// # Errors
    /// [`crate::ManifestError::UnknownContract`] without one of the core
    /// four; [`crate::BundleError`] when a bundle cannot be read.
    pub fn load(manifest: &Manifest) -> Result<Self> {
        let get = |n: ContractKind| -> Result<Contract> {
            Contract::from_manifest(manifest.contract(n)?)
        };
        let optional = |n: ContractKind| -> Result<Option<Contract>> {
            manifest
                .contract(n)
                .ok()
                .map(Contract::from_manifest)
                .transpose()
        };
        Ok(Self {
            bt: get(ContractKind::BizToken)?,
            tt: get(ContractKind::TimeToken)?,
            registry: get(ContractKind::Registry)?,
            ledger: get(ContractKind::Ledger)?,
            locking: optional(ContractKind::Locking)?,
            governance: optional(ContractKind::Governance)?,
            tasks: optional(ContractKind::Tasks)?,
            reviews: optional(ContractKind::Reviews)?,
        })
    }

    /// `locking`, or an error naming it.
    ///
    /// # Errors
    /// [`ChainError::Plan`] when the suite was deployed without it.
    pub fn locking(&self) -> Result<&Contract> {
        required(self.locking.as_ref(), ContractKind::Locking)
    }

    /// `governance`, or an error naming it.
    ///
    /// # Errors
    /// [`ChainError::Plan`] when the suite was deployed without it.
    pub fn governance(&self) -> Result<&Contract> {
        required(self.governance.as_ref(), ContractKind::Governance)
    }

    /// `tasks`, or an error naming it.
    ///
    /// # Errors
    /// [`ChainError::Plan`] when the suite was deployed without it.
    pub fn tasks(&self) -> Result<&Contract> {
        required(self.tasks.as_ref(), ContractKind::Tasks)
    }

    /// `reviews`, or an error naming it.
    ///
    /// # Errors
    /// [`ChainError::Plan`] when the suite was deployed without it.
    pub fn reviews(&self) -> Result<&Contract> {
        required(self.reviews.as_ref(), ContractKind::Reviews)
    }
}

fn required(contract: Option<&Contract>, kind: ContractKind) -> Result<&Contract> {
    contract.ok_or_else(|| ChainError::Plan(format!("the suite has no `{kind}` contract")))
}
