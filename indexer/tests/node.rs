//! A real `substrate-contracts-node --dev --tmp` per test on a free loopback
//! port (killed when dropped), the suite's release bundles, and a TCP proxy
//! in front of the node's RPC that a test can cut and restore.

use bizkey_chain::{Chain, Contract};
use bizkey_indexer::loadgen::Suite;
use std::net::TcpListener as StdListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::task::JoinHandle;

pub struct TestNode {
    child: Child,
    pub url: String,
    pub port: u16,
    log: PathBuf,
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
        let log = std::env::temp_dir().join(format!("bizkey-indexer-test-node-{port}.log"));
        let child = Command::new(&binary)
            .args([
                "--dev",
                "--tmp",
                "--state-pruning",
                "archive",
                "--finalize-delay-sec",
                "1",
            ])
            .args(["--rpc-max-connections", "1000", "--rpc-port"])
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("node log file"))
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", binary.display()));
        let node = TestNode {
            child,
            url: format!("ws://127.0.0.1:{port}"),
            port,
            log,
        };
        let chain = Chain::connect_with_retry(&node.url, Duration::from_secs(60))
            .await
            .unwrap_or_else(|e| panic!("node did not answer (log {}): {e}", node.log.display()));
        (node, chain)
    }

    /// A node with the suite deployed by `//Alice`.
    pub async fn with_suite() -> (Self, Suite) {
        let (node, chain) = Self::start().await;
        let suite = Suite::deploy(chain, "//Alice", contracts_dir())
            .await
            .unwrap_or_else(|e| {
                panic!("deploying the suite (node log {}): {e}", node.log.display())
            });
        (node, suite)
    }
}

impl Drop for TestNode {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !std::thread::panicking() {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}

pub fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
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
/// if set, else what `scripts/build-contracts.sh` prints for the suite's
/// contracts (it rebuilds only what changed).
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
            .args(bizkey_chain::deploy::SUITE.iter().map(|s| s.name))
            .stderr(Stdio::inherit())
            .output()
            .expect("running scripts/build-contracts.sh");
        assert!(out.status.success(), "scripts/build-contracts.sh failed");
        PathBuf::from(String::from_utf8(out.stdout).expect("utf-8 path").trim())
    })
}

/// A query of `contract` (a dry run by the deployer at the best block);
/// panics with the message's name on failure.
pub async fn query<R: scale::Decode>(
    suite: &Suite,
    contract: &Contract,
    message: &str,
    args: &impl scale::Encode,
) -> R {
    suite
        .chain
        .dry_run::<R>(&suite.admin_id(), contract, message, args)
        .await
        .unwrap_or_else(|e| panic!("{}::{message}: {e}", contract.name))
        .value
}

/// A loopback TCP proxy to `target`: `cut` closes every connection and
/// refuses new ones, `restore` listens again on the same port.
pub struct Proxy {
    pub port: u16,
    target: u16,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    pub async fn start(target: u16) -> Self {
        let proxy = Self {
            port: free_port(),
            target,
            tasks: Arc::new(Mutex::new(Vec::new())),
        };
        proxy.restore().await;
        proxy
    }

    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    pub async fn restore(&self) {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        socket
            .bind(([127, 0, 0, 1], self.port).into())
            .expect("the proxy's port is free again");
        let listener = socket.listen(64).unwrap();
        let (target, tasks) = (self.target, self.tasks.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let copy = tokio::spawn(async move {
                    if let Ok(mut outbound) =
                        tokio::net::TcpStream::connect(("127.0.0.1", target)).await
                    {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                tasks.lock().unwrap().push(copy);
            }
        });
        self.tasks.lock().unwrap().push(accept);
    }

    pub fn cut(&self) {
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
    }
}
