//! The deployment manifest: what `bizkey deploy` wrote and the indexer, the
//! SDK and the dApp read.

use crate::error::ManifestError;
use crate::kind::ContractKind;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use subxt::utils::{AccountId32, H256};

/// The manifest format written by this crate.
pub const MANIFEST_VERSION: u32 = 1;

/// A deployed suite.
///
/// Accounts are SS58 strings (prefix 42), hashes `0x` hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`MANIFEST_VERSION`].
    pub version: u32,
    /// Genesis hash of the chain the suite lives on: consumers refuse another chain.
    pub genesis_hash: H256,
    /// The node the suite was deployed through.
    pub node_url: String,
    /// The first block holding a deployment extrinsic: indexers start there.
    pub deployment_block: u32,
    /// The account that deployed the suite and holds the admin roles.
    pub deployer: AccountId32,
    /// In deployment order.
    pub contracts: Vec<DeployedContract>,
}

/// One contract of the suite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeployedContract {
    /// The suite's name for it (`biz_token`, `time_token`, `registry`, `ledger`, …).
    pub name: String,
    pub address: AccountId32,
    pub code_hash: H256,
    /// Absolute path of the `.contract` bundle it was instantiated from.
    pub bundle: PathBuf,
    /// The block that holds its `Contracts::Instantiated` event.
    pub instantiated_at: u32,
}

impl Manifest {
    /// Reads a manifest.
    ///
    /// # Errors
    /// [`ManifestError::Read`], [`ManifestError::Parse`], or
    /// [`ManifestError::Version`] for a format this crate does not know.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ManifestError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let manifest: Manifest =
            serde_json::from_str(&text).map_err(|source| ManifestError::Parse {
                path: path.to_path_buf(),
                source,
            })?;
        if manifest.version != MANIFEST_VERSION {
            return Err(ManifestError::Version {
                found: manifest.version,
                expected: MANIFEST_VERSION,
            });
        }
        Ok(manifest)
    }

    /// Writes the manifest atomically (a temporary file renamed into place),
    /// creating the parent directory.
    ///
    /// # Errors
    /// [`ManifestError::Write`] or [`ManifestError::Serialize`].
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), ManifestError> {
        let path = path.as_ref();
        let write_err = |source| ManifestError::Write {
            path: path.to_path_buf(),
            source,
        };
        let json = serde_json::to_string_pretty(self).map_err(ManifestError::Serialize)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(write_err)?;
        }
        let mut tmp: PathBuf = path.to_path_buf();
        tmp.as_mut_os_string().push(".tmp");
        std::fs::write(&tmp, json + "\n").map_err(write_err)?;
        std::fs::rename(&tmp, path).map_err(write_err)
    }

    /// The deployed contract of `kind`.
    ///
    /// # Errors
    /// [`ManifestError::UnknownContract`] when the suite was deployed without it.
    pub fn contract(&self, kind: ContractKind) -> Result<&DeployedContract, ManifestError> {
        self.contracts
            .iter()
            .find(|c| c.name == kind.name())
            .ok_or_else(|| ManifestError::UnknownContract(kind.name().into()))
    }

    /// The contract at `address`, if it belongs to the suite.
    pub fn contract_at(&self, address: &AccountId32) -> Option<&DeployedContract> {
        self.contracts.iter().find(|c| &c.address == address)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Manifest {
        Manifest {
            version: MANIFEST_VERSION,
            genesis_hash: H256::repeat_byte(7),
            node_url: "ws://127.0.0.1:9944".into(),
            deployment_block: 1,
            deployer: AccountId32([1; 32]),
            contracts: vec![DeployedContract {
                name: "biz_token".into(),
                address: AccountId32([2; 32]),
                code_hash: H256::repeat_byte(3),
                bundle: "/tmp/biz_token.contract".into(),
                instantiated_at: 2,
            }],
        }
    }

    #[test]
    fn round_trips_through_json_with_readable_fields() {
        let dir = std::env::temp_dir().join(format!("bizkey-manifest-{}", std::process::id()));
        let path = dir.join("nested/deployment.json");
        let m = sample();
        m.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"genesis_hash\": \"0x0707"), "{text}");
        // SS58 (prefix 42) addresses start with 5.
        assert!(text.contains("\"address\": \"5"), "{text}");
        assert_eq!(Manifest::load(&path).unwrap(), m);
        assert_eq!(
            m.contract(ContractKind::BizToken).unwrap().address,
            AccountId32([2; 32])
        );
        assert!(m.contract_at(&AccountId32([2; 32])).is_some());
        assert!(matches!(
            m.contract(ContractKind::Ledger),
            Err(ManifestError::UnknownContract(_))
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn rejects_unknown_versions_and_bad_json() {
        let dir = std::env::temp_dir().join(format!("bizkey-manifest-v-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("m.json");
        let mut m = sample();
        m.version = 99;
        m.save(&path).unwrap();
        assert!(matches!(
            Manifest::load(&path),
            Err(ManifestError::Version { found: 99, .. })
        ));
        std::fs::write(&path, "{").unwrap();
        assert!(matches!(
            Manifest::load(&path),
            Err(ManifestError::Parse { .. })
        ));
        assert!(matches!(
            Manifest::load(dir.join("missing.json")),
            Err(ManifestError::Read { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
