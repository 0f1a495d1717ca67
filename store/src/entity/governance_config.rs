//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Every configuration of governance (ConfigChanged: at instantiation, then by proposal); the latest row is in force.

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "governance_config")]
pub struct Model {
    /// Block number.
    #[sea_orm(primary_key, auto_increment = false)]
    pub block_number: i64,
    /// Index in the block's events.
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_index: i64,
    /// How long a proposal takes votes (ms).
    pub voting_period_ms: i64,
    /// How long a passed proposal waits before it may be executed (ms).
    pub execution_delay_ms: i64,
    /// How long after that it may still be executed (ms).
    pub grace_period_ms: i64,
    /// Share of all lock weight (at creation) that must vote, ppm.
    pub quorum_ppm: i64,
    /// A proposal passes when for > threshold × (for + against), ppm.
    pub threshold_ppm: i64,
    /// Lock weight needed to propose.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub proposal_min_weight: U128,
    /// The executed proposal; NULL at instantiation.
    #[sea_orm(nullable)]
    pub proposal_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
