//! Integration tests, one binary: `harness` (databases, a scripted chain),
//! `follow` (the follower end to end on SQLite and PostgreSQL), `node` (a
//! real node with the suite deployed), `live` (the indexer against it),
//! `community` (the community contracts' tables against their queries) and
//! `fraud_onchain` (live fraud scoring and flags against it); `graphql_api`
//! (the GraphQL API over that index against the contracts, called by
//! `community`); `pos` (the POS SDK on that chain, its details posted to the
//! API over HTTP).

mod community;
mod follow;
mod fraud_onchain;
mod graphql_api;
mod harness;
mod live;
mod node;
mod pos;
