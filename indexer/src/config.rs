//! Settings: defaults, then a TOML file, then environment variables and
//! flags (the binary merges those two through clap).

use crate::error::IndexError;
use bizkey_chain::Secret;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Everything the indexer needs to know.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `sqlite://path?mode=rwc` (default `sqlite://bizkey-index.db?mode=rwc`)
    /// or `postgres://user@host/db`.
    pub database_url: String,
    /// The deployment manifest `bizkey deploy` wrote.
    pub manifest: PathBuf,
    /// Node RPC URL; the manifest's `node_url` when unset.
    pub node_url: Option<String>,
    /// Health and metrics endpoint; none when unset.
    pub listen: Option<SocketAddr>,
    /// Most blocks per SQL transaction.
    pub batch_blocks: usize,
    /// Blocks fetched concurrently.
    pub fetch_concurrency: usize,
    /// Milliseconds between reconnection attempts.
    pub retry_ms: u64,
    /// Progress bar while catching up (on a terminal).
    pub progress: bool,
    /// Stop after this block (benchmarks).
    pub stop_at: Option<u64>,
    /// Score every confirmed receipt with the fraud model (needs ONNX
    /// Runtime: see fraud/README.md).
    pub score_receipts: bool,
    /// The fraud model; the committed `models/fraud.onnx` when unset.
    pub fraud_model: Option<PathBuf>,
    /// Secret URI of the ledger's reporter: receipts scoring at or above the
    /// model's threshold are flagged with it. Scores only when unset. Its
    /// account must hold the ledger's `Reporter` role (checked at start).
    /// Printed as `<redacted>`.
    pub reporter_suri: Option<Secret>,
    /// Milliseconds between retries of failed flags.
    pub flag_retry_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://bizkey-index.db?mode=rwc".into(),
            manifest: PathBuf::from("deployment.json"),
            node_url: None,
            listen: Some(SocketAddr::from(([127, 0, 0, 1], 9616))),
            batch_blocks: 256,
            fetch_concurrency: 16,
            retry_ms: 500,
            progress: true,
            stop_at: None,
            score_receipts: true,
            fraud_model: None,
            reporter_suri: None,
            flag_retry_ms: 2_000,
        }
    }
}

impl Config {
    /// Defaults overlaid with the TOML file at `path`, if given.
    ///
    /// # Errors
    /// [`IndexError::Config`] for an unreadable or invalid file.
    pub fn load(path: Option<&Path>) -> Result<Self, IndexError> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| IndexError::Config(format!("{}: {e}", path.display())))?;
        // Not the error's `Display`: it quotes the offending line, which may
        // be `reporter_suri = "…"`. Its message and line number only.
        toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
            let at = line.map_or(String::new(), |l| format!(" line {l}:"));
            IndexError::Config(format!("{}:{at} {}", path.display(), e.message()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_overrides_defaults_and_rejects_typos() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("indexer.toml");
        std::fs::write(
            &path,
            "database_url = \"postgres://x@127.0.0.1/db\"\nbatch_blocks = 9\n",
        )
        .unwrap();
        let c = Config::load(Some(&path)).unwrap();
        assert_eq!(c.database_url, "postgres://x@127.0.0.1/db");
        assert_eq!(c.batch_blocks, 9);
        assert_eq!(c.fetch_concurrency, Config::default().fetch_concurrency);
        std::fs::write(&path, "batch_block = 9\n").unwrap();
        assert!(matches!(
            Config::load(Some(&path)),
            Err(IndexError::Config(_))
        ));
    }

    /// The reporter's key shows neither in the configuration's `Debug` nor
    /// in the error of a file that does not parse.
    #[test]
    fn the_reporter_key_is_never_shown() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("indexer.toml");
        let secret = "//Alice//very-secret-reporter";
        std::fs::write(&path, format!("reporter_suri = \"{secret}\"\n")).unwrap();
        let c = Config::load(Some(&path)).unwrap();
        assert_eq!(c.reporter_suri.as_ref().map(Secret::expose), Some(secret));
        for shown in [format!("{c:?}"), format!("{c:#?}")] {
            assert!(!shown.contains("very-secret"), "{shown}");
            assert!(shown.contains(Secret::REDACTED), "{shown}");
        }
        // a syntax error on the secret's line, and a wrong type
        for text in [
            format!("batch_blocks = 3\nreporter_suri = \"{secret}\" oops\n"),
            format!("reporter_suri = [\"{secret}\"]\n"),
        ] {
            std::fs::write(&path, text).unwrap();
            let e = Config::load(Some(&path)).unwrap_err().to_string();
            assert!(!e.contains("very-secret"), "{e}");
            assert!(e.contains("line"), "{e}");
        }
    }
}
