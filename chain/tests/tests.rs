//! Integration tests of `bizkey-chain` against a real node (one binary).

mod client;
mod deploy;
mod harness;
