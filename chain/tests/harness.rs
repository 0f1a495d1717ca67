//! A real `substrate-contracts-node --dev --tmp` per test, on a free loopback
//! port, killed when the handle drops; and the suite's release bundles.

use bizkey_chain::Chain;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

pub struct TestNode {
    child: Child,
    pub url: String,
    pub log: PathBuf,
}

impl TestNode {
    /// Starts a node and waits until its RPC answers.
    pub async fn start() -> (Self, Chain) {
        let binary = std::env::var_os("CONTRACTS_NODE")
            .map(PathBuf::from)
            .unwrap_or_else(|| cache_dir().join("bin/substrate-contracts-node"));
        assert!(
            binary.exists(),
            "no node at {} (run scripts/setup.sh or set CONTRACTS_NODE)",
            binary.display()
        );
        let port = free_port();
        let log = std::env::temp_dir().join(format!("bizkey-chain-test-node-{port}.log"));
        let child = Command::new(&binary)
            .args(["--dev", "--tmp", "--finalize-delay-sec", "1", "--rpc-port"])
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("node log file"))
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", binary.display()));
        let node = TestNode {
            child,
            url: format!("ws://127.0.0.1:{port}"),
            log,
        };
        let chain = Chain::connect_with_retry(&node.url, Duration::from_secs(60))
            .await
            .unwrap_or_else(|e| panic!("node did not answer (log {}): {e}", node.log.display()));
        (node, chain)
    }
}

impl Drop for TestNode {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn cache_dir() -> PathBuf {
    std::env::var_os("BIZKEY_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").expect("HOME")).join(".cache/bizkey")
        })
}

/// The directory of the suite's `.contract` bundles: `BIZKEY_CONTRACTS_DIR`
/// if set, else what `scripts/build-contracts.sh` prints (it rebuilds only
/// what changed).
pub fn contracts_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        if let Some(dir) = std::env::var_os("BIZKEY_CONTRACTS_DIR") {
            return PathBuf::from(dir);
        }
        // (at run time: build outputs are shared between checkouts, a path fixed
        // at compile time may be another clone's)
        let crate_dir = std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo");
        let script = Path::new(&crate_dir).join("../scripts/build-contracts.sh");
        let out = Command::new("bash")
            .arg(&script)
            .stderr(Stdio::inherit())
            .output()
            .expect("running scripts/build-contracts.sh");
        assert!(out.status.success(), "scripts/build-contracts.sh failed");
        PathBuf::from(String::from_utf8(out.stdout).expect("utf-8 path").trim())
    })
}
