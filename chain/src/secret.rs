//! Secrets in memory: a secret URI or mnemonic that must never reach a log,
//! an error message or a `Debug` dump.
//!
//! The indexer's `Config` (`reporter_suri`) and the `bizkey` CLI (`--suri`)
//! hold their keys as a [`Secret`]; its `Debug` and `Display` print
//! `<redacted>`, so a `{:?}` of a whole configuration, a clap struct or an
//! error that formats one cannot leak it. The text is reachable only through
//! [`Secret::expose`], which the key derivation calls.

use std::fmt;
use std::str::FromStr;

/// A secret string (secret URI, mnemonic, seed).
///
/// No `Serialize`: a secret read from a file or the environment is never
/// written back out.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// What `Debug` and `Display` print instead of the secret.
    pub const REDACTED: &'static str = "<redacted>";

    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret text: only for deriving keys, never for formatting.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::REDACTED)
    }
}

/// Infallible, so clap never echoes a rejected value in a parse error.
impl FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::new(s))
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_never_show_the_secret() {
        let s =
            Secret::new("bottom drive obey lake curtain smoke basket hold race lonely fit walk//x");
        for shown in [
            format!("{s}"),
            format!("{s:?}"),
            format!("{s:#?}"),
            format!("{:?}", Some(&s)),
        ] {
            assert!(!shown.contains("bottom"), "{shown}");
            assert!(shown.contains(Secret::REDACTED), "{shown}");
        }
        assert!(s.expose().starts_with("bottom drive"));
        let parsed: Secret = "//Alice".parse().unwrap();
        assert_eq!(parsed.expose(), "//Alice");
    }

    #[test]
    fn deserializes_from_a_plain_string() {
        #[derive(serde::Deserialize, Debug)]
        struct C {
            suri: Secret,
        }
        let c: C = serde_json::from_str(r#"{"suri":"//Bob//hidden"}"#).unwrap();
        assert_eq!(c.suri.expose(), "//Bob//hidden");
        assert!(!format!("{c:?}").contains("hidden"));
    }
}
