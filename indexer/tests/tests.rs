//! Integration tests, one binary: `harness` (databases, a scripted chain),
//! `follow` (the follower end to end on SQLite and PostgreSQL), `node` (a
//! real node with the suite deployed) and `live` (the indexer against it).

mod follow;
mod harness;
mod live;
mod node;
