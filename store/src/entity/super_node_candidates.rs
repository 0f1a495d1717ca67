//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Super-node candidates with their bond and status (CandidateRegistered, SuperNodeElected, SuperNodeRemoved, CandidateWithdrawn, BondWithdrawn), as the super-node contract's `candidate` query reports them; it forgets withdrawn and slashed candidates, which stay here with that status. The contract's `total_bonded` is the sum of `bond` over Candidate, SuperNode and Unbonding.

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "super_node_candidates")]
pub struct Model {
    /// Candidate (SS58).
    #[sea_orm(primary_key, auto_increment = false)]
    pub account: String,
    /// Region, Industry or Platform.
    pub scope_kind: String,
    /// Region: the location prefix; Industry: the category (Cafe, …); Platform: the B2b platform's number.
    pub scope: String,
    /// BT bonded (for Slashed: what went to the treasury).
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub bond: U128,
    /// Candidate, SuperNode, Unbonding, Withdrawn (bond returned) or Slashed.
    pub status: String,
    /// While Unbonding: when the bond may be withdrawn (ms).
    #[sea_orm(nullable)]
    pub unbonding_until: Option<i64>,
    /// Block of the (latest) registration.
    pub registered_block: i64,
    /// Block of the last change.
    pub updated_block: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
