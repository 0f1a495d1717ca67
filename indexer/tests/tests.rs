//! Integration tests, one binary: `harness` (databases, a scripted chain),
//! `follow` (the follower end to end on SQLite and PostgreSQL).

mod follow;
mod harness;
