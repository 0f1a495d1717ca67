//! Integration tests of `bizkey-chain` against a real node (one binary).

mod cli;
mod client;
mod day;
mod deploy;
mod harness;
