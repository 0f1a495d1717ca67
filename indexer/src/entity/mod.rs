//! sea-orm entities, one module per table, generated from the migrations'
//! table definitions (see `migration::schema::Table::entity_source`).

pub mod accounts;
pub mod bizpower;
pub mod blocks;
pub mod chain_meta;
pub mod contracts;
pub mod customer_status_history;
pub mod customers;
pub mod events;
pub mod fraud_scores;
pub mod klines;
pub mod ledger_merchants;
pub mod ledger_params;
pub mod merchant_status_history;
pub mod merchants;
pub mod ratings;
pub mod reactions;
pub mod receipt_details;
pub mod receipt_status_history;
pub mod receipts;
pub mod referrals;
pub mod reward_claims;
pub mod reward_pools;
pub mod reward_queues;
pub mod rewards;
pub mod roles;
pub mod token_allowances;
pub mod token_balances;
pub mod token_supply;
pub mod token_transfers;
pub mod visits;
