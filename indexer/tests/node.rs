//! A dev node per test and the suite's release bundles
//! (`bizkey_chain::devnode`), the suite deployed on it, queries, and a TCP
//! proxy in front of the node's RPC that a test can cut and restore.

use bizkey_chain::devnode::{self, DevNode};
use bizkey_chain::{Chain, Contract};
use bizkey_indexer::loadgen::Suite;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio::task::JoinHandle;

/// A fresh dev node (`bizkey_chain::devnode`) and a client of it.
pub async fn start_node() -> (DevNode, Chain) {
    DevNode::start().await.unwrap_or_else(|e| panic!("{e}"))
}

/// A dev node with the suite deployed by `//Alice`.
pub async fn start_with_suite() -> (DevNode, Suite) {
    let (node, chain) = start_node().await;
    let suite = Suite::deploy(chain, "//Alice", contracts_dir())
        .await
        .unwrap_or_else(|e| panic!("deploying the suite (node log {}): {e}", node.log.display()));
    (node, suite)
}

pub fn free_port() -> u16 {
    devnode::free_port().expect("a free loopback port")
}

/// The directory of the suite's `.contract` bundles.
pub fn contracts_dir() -> &'static Path {
    devnode::contracts_dir().unwrap_or_else(|e| panic!("{e}"))
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
