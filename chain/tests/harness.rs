//! The dev node and the suite's release bundles of
//! [`bizkey_chain::devnode`]; a failure to provide them fails the test.

use bizkey_chain::devnode::{self, DevNode};
use bizkey_chain::Chain;
use std::path::Path;

/// A fresh dev node and a client of it.
pub async fn start_node() -> (DevNode, Chain) {
    DevNode::start().await.unwrap_or_else(|e| panic!("{e}"))
}

/// The directory of the suite's `.contract` bundles.
pub fn contracts_dir() -> &'static Path {
    devnode::contracts_dir().unwrap_or_else(|e| panic!("{e}"))
}
