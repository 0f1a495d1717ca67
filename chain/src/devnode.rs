//! A throwaway `substrate-contracts-node --dev --tmp` on a free loopback
//! port, killed when its handle drops, and the suite's release bundles: what
//! the tests of every crate stand on.
//!
//! Paths are resolved at run time, never with `env!`: build outputs are
//! shared between checkouts (`$BIZKEY_CACHE`), so a path fixed at compile
//! time may name another, since deleted, clone.

use crate::{Chain, ChainError};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

/// Why a dev node or the bundles are not there.
#[derive(Debug, thiserror::Error)]
pub enum DevNodeError {
    #[error("no node at {0} (run scripts/setup.sh or set CONTRACTS_NODE)")]
    NoBinary(PathBuf),
    #[error("starting {binary}: {source}")]
    Spawn {
        binary: PathBuf,
        source: std::io::Error,
    },
    #[error("creating the node's log {path}: {source}")]
    Log {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no free loopback port: {0}")]
    NoPort(std::io::Error),
    #[error("the node did not answer (log {log}): {source}")]
    NoAnswer {
        log: PathBuf,
        source: Box<ChainError>,
    },
    #[error("neither BIZKEY_CONTRACTS_DIR, CARGO_MANIFEST_DIR nor BIZKEY_ROOT is set")]
    NoCheckout,
    #[error("scripts/build-contracts.sh: {0}")]
    Build(String),
}

/// A running dev node.
pub struct DevNode {
    child: Child,
    pub url: String,
    pub port: u16,
    /// The node's stderr; deleted on drop unless a test is failing.
    pub log: PathBuf,
}

impl DevNode {
    /// Starts the node `CONTRACTS_NODE` names (default
    /// `$BIZKEY_CACHE/bin/substrate-contracts-node`), finalizing each block
    /// a second after it, with archive state (queries at old blocks) and
    /// room for many RPC connections; waits until its RPC answers.
    ///
    /// # Errors
    /// See [`DevNodeError`].
    pub async fn start() -> Result<(Self, Chain), DevNodeError> {
        let binary = std::env::var_os("CONTRACTS_NODE")
            .map(PathBuf::from)
            .unwrap_or_else(|| cache_dir().join("bin/substrate-contracts-node"));
        if !binary.exists() {
            return Err(DevNodeError::NoBinary(binary));
        }
        let port = free_port().map_err(DevNodeError::NoPort)?;
        let log = std::env::temp_dir().join(format!("bizkey-dev-node-{port}.log"));
        let stderr = std::fs::File::create(&log).map_err(|source| DevNodeError::Log {
            path: log.clone(),
            source,
        })?;
        let child = Command::new(&binary)
            .args(["--dev", "--tmp", "--finalize-delay-sec", "1"])
            .args([
                "--state-pruning",
                "archive",
                "--rpc-max-connections",
                "1000",
            ])
            .arg("--rpc-port")
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .map_err(|source| DevNodeError::Spawn {
                binary: binary.clone(),
                source,
            })?;
        let node = DevNode {
            child,
            url: format!("ws://127.0.0.1:{port}"),
            port,
            log,
        };
        match Chain::connect_with_retry(&node.url, Duration::from_secs(60)).await {
            Ok(chain) => Ok((node, chain)),
            Err(source) => Err(DevNodeError::NoAnswer {
                log: node.log.clone(),
                source: Box::new(source),
            }),
        }
    }
}

impl Drop for DevNode {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !std::thread::panicking() {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}

/// A loopback port nobody listens on right now.
///
/// # Errors
/// The OS refuses a socket.
pub fn free_port() -> std::io::Result<u16> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
}

fn cache_dir() -> PathBuf {
    std::env::var_os("BIZKEY_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/bizkey")))
        .unwrap_or_else(|| PathBuf::from(".cache/bizkey"))
}

/// The directory of the suite's `.contract` bundles: `BIZKEY_CONTRACTS_DIR`
/// if set, else what `scripts/build-contracts.sh` of this checkout prints
/// for the suite (it rebuilds only what changed). Built once per process.
///
/// # Errors
/// No checkout to build in; the build failed.
pub fn contracts_dir() -> Result<&'static Path, DevNodeError> {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    if let Some(dir) = DIR.get() {
        return Ok(dir);
    }
    let dir = match std::env::var_os("BIZKEY_CONTRACTS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => build_contracts()?,
    };
    Ok(DIR.get_or_init(|| dir))
}

fn build_contracts() -> Result<PathBuf, DevNodeError> {
    // A crate of the services workspace (cargo sets its directory for tests
    // and runs), or the checkout scripts/env.sh names.
    let root = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(|crate_dir| PathBuf::from(crate_dir).join(".."))
        .or_else(|| std::env::var_os("BIZKEY_ROOT").map(PathBuf::from))
        .ok_or(DevNodeError::NoCheckout)?;
    let out = Command::new("bash")
        .arg(root.join("scripts/build-contracts.sh"))
        .args(crate::deploy::SUITE.iter().map(|s| s.name.name()))
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| DevNodeError::Build(e.to_string()))?;
    if !out.status.success() {
        return Err(DevNodeError::Build(format!("exited with {}", out.status)));
    }
    let dir = String::from_utf8(out.stdout).map_err(|e| DevNodeError::Build(e.to_string()))?;
    Ok(PathBuf::from(dir.trim()))
}
