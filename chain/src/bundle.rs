//! cargo-contract `.contract` bundles: the Wasm code plus the ink! metadata
//! (constructor and message selectors by label).

use crate::error::BundleError;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A 4-byte ink! selector.
pub type Selector = [u8; 4];

/// A constructor or message of the bundle's spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// As written in the metadata, e.g. `new` or `PSP22::transfer`.
    pub label: String,
    pub selector: Selector,
    /// Whether a message mutates state (constructors: always true).
    pub mutates: bool,
    pub payable: bool,
}

/// A parsed `.contract` file.
#[derive(Debug, Clone)]
pub struct ContractBundle {
    /// `contract.name` of the metadata (the crate name, e.g. `biz_token`).
    pub name: String,
    pub path: PathBuf,
    /// The optimized Wasm blob.
    pub wasm: Vec<u8>,
    /// blake2-256 of the Wasm, as cargo-contract computed it (`source.hash`).
    pub code_hash: [u8; 32],
    pub constructors: Vec<Entry>,
    pub messages: Vec<Entry>,
}

#[derive(Deserialize)]
struct RawBundle {
    source: RawSource,
    contract: RawContract,
    spec: RawSpec,
}

#[derive(Deserialize)]
struct RawSource {
    hash: String,
    wasm: Option<String>,
}

#[derive(Deserialize)]
struct RawContract {
    name: String,
}

#[derive(Deserialize)]
struct RawSpec {
    constructors: Vec<RawEntry>,
    messages: Vec<RawEntry>,
}

#[derive(Deserialize)]
struct RawEntry {
    label: String,
    selector: String,
    #[serde(default = "yes")]
    mutates: bool,
    #[serde(default)]
    payable: bool,
}

fn yes() -> bool {
    true
}

fn decode_hex(s: &str) -> Result<Vec<u8>, hex::FromHexError> {
    hex::decode(s.strip_prefix("0x").unwrap_or(s))
}

impl ContractBundle {
    /// Reads and validates a `.contract` file.
    ///
    /// # Errors
    /// [`BundleError`] when the file cannot be read, is not cargo-contract JSON,
    /// carries no Wasm (a `.json` metadata file instead of a bundle), or has
    /// malformed hex.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, BundleError> {
        let path = path.as_ref().to_path_buf();
        let text = std::fs::read_to_string(&path).map_err(|source| BundleError::Io {
            path: path.clone(),
            source,
        })?;
        let raw: RawBundle = serde_json::from_str(&text).map_err(|source| BundleError::Json {
            path: path.clone(),
            source,
        })?;
        let invalid = |what: String| BundleError::Invalid {
            path: path.clone(),
            what,
        };
        let wasm_hex = raw
            .source
            .wasm
            .ok_or_else(|| invalid("no `source.wasm`: a metadata file, not a bundle".into()))?;
        let wasm = decode_hex(&wasm_hex).map_err(|e| invalid(format!("source.wasm: {e}")))?;
        let code_hash: [u8; 32] = decode_hex(&raw.source.hash)
            .map_err(|e| invalid(format!("source.hash: {e}")))?
            .try_into()
            .map_err(|_| invalid("source.hash is not 32 bytes".into()))?;
        let entries = |raw: Vec<RawEntry>, kind: &str| -> Result<Vec<Entry>, BundleError> {
            raw.into_iter()
                .map(|e| {
                    let selector: Selector = decode_hex(&e.selector)
                        .ok()
                        .and_then(|b| b.try_into().ok())
                        .ok_or_else(|| {
                            invalid(format!("{kind} `{}`: bad selector {}", e.label, e.selector))
                        })?;
                    Ok(Entry {
                        label: e.label,
                        selector,
                        mutates: e.mutates,
                        payable: e.payable,
                    })
                })
                .collect()
        };
        Ok(Self {
            name: raw.contract.name,
            constructors: entries(raw.spec.constructors, "constructor")?,
            messages: entries(raw.spec.messages, "message")?,
            path,
            wasm,
            code_hash,
        })
    }

    /// The constructor labelled `label`.
    ///
    /// # Errors
    /// [`BundleError::UnknownLabel`] when there is none.
    pub fn constructor(&self, label: &str) -> Result<&Entry, BundleError> {
        find(&self.name, "constructor", &self.constructors, label)
    }

    /// The message labelled `label`: the exact label (`PSP22::transfer`), or,
    /// when unambiguous, the part after the trait prefix (`transfer`).
    ///
    /// # Errors
    /// [`BundleError::UnknownLabel`] or [`BundleError::AmbiguousLabel`].
    pub fn message(&self, label: &str) -> Result<&Entry, BundleError> {
        find(&self.name, "message", &self.messages, label)
    }
}

fn find<'a>(
    contract: &str,
    kind: &'static str,
    entries: &'a [Entry],
    label: &str,
) -> Result<&'a Entry, BundleError> {
    if let Some(e) = entries.iter().find(|e| e.label == label) {
        return Ok(e);
    }
    let suffix = format!("::{label}");
    let matches: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.label.ends_with(&suffix))
        .collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(BundleError::UnknownLabel {
            contract: contract.into(),
            kind,
            label: label.into(),
            known: entries
                .iter()
                .map(|e| e.label.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }),
        many => Err(BundleError::AmbiguousLabel {
            contract: contract.into(),
            label: label.into(),
            candidates: many
                .iter()
                .map(|e| e.label.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(label: &str, selector: Selector) -> Entry {
        Entry {
            label: label.into(),
            selector,
            mutates: true,
            payable: false,
        }
    }

    #[test]
    fn labels_resolve_exactly_then_by_unambiguous_suffix() {
        let entries = vec![
            entry("PSP22::transfer", [1, 0, 0, 0]),
            entry("PSP22::balance_of", [2, 0, 0, 0]),
            entry("Other::balance_of", [3, 0, 0, 0]),
            entry("admin", [4, 0, 0, 0]),
        ];
        assert_eq!(
            find("t", "message", &entries, "transfer").unwrap().selector,
            [1, 0, 0, 0]
        );
        assert_eq!(
            find("t", "message", &entries, "Other::balance_of")
                .unwrap()
                .selector,
            [3, 0, 0, 0]
        );
        assert_eq!(
            find("t", "message", &entries, "admin").unwrap().selector,
            [4, 0, 0, 0]
        );
        assert!(matches!(
            find("t", "message", &entries, "balance_of"),
            Err(BundleError::AmbiguousLabel { .. })
        ));
        assert!(matches!(
            find("t", "message", &entries, "mint"),
            Err(BundleError::UnknownLabel { .. })
        ));
    }

    #[test]
    fn a_metadata_file_without_wasm_is_rejected() {
        let dir = std::env::temp_dir().join(format!("bizkey-bundle-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("x.json");
        std::fs::write(
            &path,
            r#"{"source":{"hash":"0x00"},"contract":{"name":"x"},"spec":{"constructors":[],"messages":[]}}"#,
        )
        .unwrap();
        let err = ContractBundle::load(&path).unwrap_err();
        assert!(matches!(err, BundleError::Invalid { .. }), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
