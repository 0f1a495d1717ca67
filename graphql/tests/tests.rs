//! The API's tests, one binary: `harness` (databases on both engines, an
//! index written as the indexer writes it), `api` (answers, errors, limits,
//! batching), `pages` (cursor walks under inserts), `offers` (the
//! cross-merchant ranking and reach), `fundings` (who funded an account,
//! whom a wallet funded), `dapp` (the pages and their config),
//! `subscriptions` (live receipts and status changes over graphql-ws) and
//! `fuzz` (generated queries over HTTP).

mod api;
mod dapp;
mod fundings;
mod fuzz;
mod harness;
mod offers;
mod pages;
mod subscriptions;
