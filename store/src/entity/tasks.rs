//! Generated from the migrations (`migration::schema::Table::entity_source`); do not edit.
//! Regenerate: `BIZKEY_BLESS=1 cargo test -p bizkey-store entities_are_generated`.
//!
//! Every task (Time bounty) with its terms and money, as the tasks contract's `task` query reports it. At all times escrow = paid + refunded + pool + reserved.

use crate::amount::U128;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tasks")]
pub struct Model {
    /// Task id (sequential).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// Publishing merchant (SS58).
    pub merchant: String,
    /// Task name.
    pub name: String,
    /// blake2-256 of the off-chain description (0x hex).
    pub description_hash: String,
    /// Any (one rule met) or All (every rule met).
    pub mode: String,
    /// The rules, as in `events.data`: Purchases (merchants, min_count, min_amount, distinct_merchants), Referrals (count) or Attested (action).
    #[sea_orm(column_type = "Json")]
    pub rules: Json,
    /// Fixed (Time per completion), Multiple (ppm of the Time earned on the qualifying receipts) or Group (the pool split among max_completions completers).
    pub reward_kind: String,
    /// Fixed: Time per completion.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))", nullable)]
    pub reward_amount: Option<U128>,
    /// Multiple: ppm of the qualifying receipts' Time cashback.
    #[sea_orm(nullable)]
    pub reward_ppm: Option<i64>,
    /// Anyone, NewCustomers or MinPurchases.
    pub eligibility: String,
    /// MinPurchases: confirmed purchases at the merchant a joiner must prove.
    #[sea_orm(nullable)]
    pub min_purchases: Option<i64>,
    /// Time deposit a participant makes when joining, forfeited on a violation.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub penalty: U128,
    /// Start of the window (ms): receipts completed in [starts_at, ends_at) count.
    pub starts_at: i64,
    /// End of the window (ms); joining closes here.
    pub ends_at: i64,
    /// Claims stay open this long after the end (ms).
    pub claim_ms: i64,
    /// Most completions; the group size of a Group reward.
    pub max_completions: i64,
    /// Creation time (ms).
    pub created_at: i64,
    /// Time the merchant escrowed.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub escrow: U128,
    /// Escrow not yet paid, refunded or reserved.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub pool: U128,
    /// Group shares owed to completers who have not collected them.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub reserved: U128,
    /// Rewards paid out.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub paid: U128,
    /// Returned to the merchant.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub refunded: U128,
    /// Participants' deposits held.
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub stakes: U128,
    /// Customers who joined.
    pub participants: i64,
    /// Completions.
    pub completions: i64,
    /// Each completer's share once a group goal is reached (0 before).
    #[sea_orm(column_type = "Decimal(Some((39, 0)))")]
    pub group_share: U128,
    /// Block of the creation.
    pub created_block: i64,
    /// Block of the last change.
    pub updated_block: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
