//! The API's tests, one binary: `harness` (databases on both engines, an
//! index written as the indexer writes it), `api` (answers, errors, limits,
//! batching), `pages` (cursor walks under inserts), `subscriptions` (live
//! receipts over graphql-ws) and `fuzz` (generated queries over HTTP).

mod api;
mod fuzz;
mod harness;
mod pages;
mod subscriptions;
