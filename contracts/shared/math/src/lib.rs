//! Bizkey's arithmetic, one definition for the chain and for the services.
//!
//! Everything is integer fixed point (no floats), so the ledger contract and
//! the indexer compute bit-identical BizPower values and rewards. All
//! functions are total: they never panic and never overflow, whatever the
//! input (results saturate at `u128::MAX`, which no real input reaches).
//!
//! - [`fixed`]: the fixed-point scale and a full-precision `mul_div`.
//! - [`bizpower`]: per-merchant window statistics and BizPower (DESIGN §4).
//! - [`reward`]: novelty and the Biz / Time reward of one receipt.
//! - [`emission`]: the Time token's 8B emission schedule (DESIGN §3.1).
#![cfg_attr(not(feature = "std"), no_std)]

pub mod bizpower;
pub mod emission;
pub mod fixed;
pub mod reward;
pub mod vesting;

pub use bizpower::{
    BizPower, Channel, MerchantWindow, SaleOutcome, ShopCost, Visit, Weights, WindowStats,
};
/// One day in milliseconds: the period of vesting months and of the
/// ledger's per-merchant day caps.
pub const DAY_MS: u64 = 86_400_000;

pub use fixed::{mul_div, ONE, PPM};
pub use reward::{biz_reward, novelty, time_reward, RewardParams, TIME_UNITS_PER_CENT};
