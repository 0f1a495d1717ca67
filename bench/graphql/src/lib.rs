//! Benchmark tools of Bizkey's GraphQL API (`scripts/bench-graphql.sh`,
//! `docs/graphql-bench.md`): a deterministic index [`seed`] written through
//! bizkey-store, and a bounded HTTP/1.1 [`load`] generator that only talks
//! to loopback addresses.

pub mod load;
pub mod seed;
pub mod stats;
