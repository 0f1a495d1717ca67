//! BT vesting (DESIGN §3.5): the four allocations of BT, the vesting
//! contract's events, errors and interface.
//!
//! The schedules themselves (step instants and amounts) are
//! [`bizkey_math::vesting`], shared with the indexer.

use crate::{AccountId, Balance, Timestamp};
pub use bizkey_math::vesting::Schedule;

/// One BT in its smallest unit (12 decimals).
pub const BT_UNIT: Balance = 1_000_000_000_000;
/// BT's fixed supply (DESIGN §3.1).
pub const BT_TOTAL_SUPPLY: Balance = 10_000_000_000 * BT_UNIT;

/// Early supporters' 20 % (the supply is a multiple of 100: exact).
pub const EARLY_SUPPORTERS_AMOUNT: Balance = BT_TOTAL_SUPPLY / 100 * 20;
/// The ecosystem's 50 %.
pub const ECOSYSTEM_AMOUNT: Balance = BT_TOTAL_SUPPLY / 100 * 50;
/// The team's 15 %.
pub const TEAM_AMOUNT: Balance = BT_TOTAL_SUPPLY / 100 * 15;
/// The foundation's 15 %.
pub const FOUNDATION_AMOUNT: Balance = BT_TOTAL_SUPPLY / 100 * 15;
/// What the vesting contract owes in total: the three vested allocations.
pub const VESTED_AMOUNT: Balance = EARLY_SUPPORTERS_AMOUNT + TEAM_AMOUNT + FOUNDATION_AMOUNT;

/// The four allocations of BT (whitepaper ch. 7.1.1), in the order the BT
/// constructor takes their accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, scale::Encode, scale::Decode, scale_info::TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum Allocation {
    /// 20 %, vested: [`Schedule::EarlySupporters`].
    EarlySupporters,
    /// 50 %, no schedule: spent by governance.
    Ecosystem,
    /// 15 %, vested: [`Schedule::Team`].
    Team,
    /// 15 %, vested: [`Schedule::Foundation`].
    Foundation,
}

impl Allocation {
    /// Every allocation, in constructor order.
    pub const ALL: [Allocation; 4] = [
        Allocation::EarlySupporters,
        Allocation::Ecosystem,
        Allocation::Team,
        Allocation::Foundation,
    ];
    /// The allocations with a schedule (the vesting contract's obligations).
    pub const VESTED: [Allocation; 3] = [
        Allocation::EarlySupporters,
        Allocation::Team,
        Allocation::Foundation,
    ];

    /// The allocation's share of the supply, in percent.
    pub const fn percent(self) -> u8 {
        match self {
            Allocation::EarlySupporters => 20,
            Allocation::Ecosystem => 50,
            Allocation::Team | Allocation::Foundation => 15,
        }
    }

    /// The allocation in BT units.
    pub const fn amount(self) -> Balance {
        match self {
            Allocation::EarlySupporters => EARLY_SUPPORTERS_AMOUNT,
            Allocation::Ecosystem => ECOSYSTEM_AMOUNT,
            Allocation::Team => TEAM_AMOUNT,
            Allocation::Foundation => FOUNDATION_AMOUNT,
        }
    }

    /// The vesting schedule, `None` for the ecosystem.
    pub const fn schedule(self) -> Option<Schedule> {
        match self {
            Allocation::EarlySupporters => Some(Schedule::EarlySupporters),
            Allocation::Ecosystem => None,
            Allocation::Team => Some(Schedule::Team),
            Allocation::Foundation => Some(Schedule::Foundation),
        }
    }
}

/// The vesting contract was instantiated: schedules count from `t0`.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VestingCreated {
    /// The BT contract.
    #[ink(topic)]
    pub token: AccountId,
    /// The BT issue time the schedules count from (ms).
    pub t0: Timestamp,
}

/// A vested allocation has a new beneficiary (also emitted for each one at
/// instantiation). What is not yet released goes to the new beneficiary.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BeneficiaryChanged {
    #[ink(topic)]
    pub allocation: Allocation,
    #[ink(topic)]
    pub beneficiary: AccountId,
}

/// Unlocked BT was transferred to the allocation's beneficiary.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Released {
    #[ink(topic)]
    pub allocation: Allocation,
    #[ink(topic)]
    pub beneficiary: AccountId,
    /// Released by this call.
    pub amount: Balance,
    /// Released from this allocation so far, this call included.
    pub total_released: Balance,
}

/// Governance spent ecosystem BT.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcosystemSpent {
    #[ink(topic)]
    pub to: AccountId,
    pub amount: Balance,
    /// Spent by governance so far, this spend included.
    pub total_spent: Balance,
}

/// Vesting errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, scale::Encode, scale::Decode, scale_info::TypeInfo)]
pub enum VestingError {
    /// The caller does not hold the role this message needs.
    Unauthorized,
    /// The caller is the beneficiary of no vested allocation.
    NotBeneficiary,
    /// Nothing has unlocked since the last release (early release attempt).
    NothingToRelease,
    /// The contract's BT balance does not cover what it still owes the
    /// vested allocations (funding incomplete): nothing is released.
    Underfunded,
    /// The ecosystem allocation has no schedule and no beneficiary.
    NoSchedule,
    /// The admin may change beneficiaries only before t0 (governance may at
    /// any time).
    TooLate,
    /// A spend of zero.
    ZeroAmount,
    /// The spend exceeds the BT held beyond the vested obligations.
    InsufficientEcosystemFunds,
    /// The BT contract refused the transfer.
    TransferFailed,
    /// The vesting contract has no such role (it has `Admin` and `Governance`).
    InvalidRole,
}

/// The vesting contract's interface (used by governance and by clients).
#[ink::trait_definition]
pub trait VestingApi {
    /// Transfers to the caller what has unlocked, and is not yet released, of
    /// every vested allocation whose beneficiary the caller is.
    #[ink(message)]
    fn release(&mut self) -> Result<Balance, VestingError>;

    /// Makes `beneficiary` the receiver of `allocation`'s future releases.
    #[ink(message)]
    fn set_beneficiary(
        &mut self,
        allocation: Allocation,
        beneficiary: AccountId,
    ) -> Result<(), VestingError>;

    /// Governance: transfers `amount` of ecosystem BT to `to`.
    #[ink(message)]
    fn spend_ecosystem(&mut self, to: AccountId, amount: Balance) -> Result<(), VestingError>;

    /// The allocation's beneficiary (`None` for the ecosystem).
    #[ink(message)]
    fn beneficiary(&self, allocation: Allocation) -> Option<AccountId>;

    /// Unlocked so far (ecosystem: 0).
    #[ink(message)]
    fn unlocked(&self, allocation: Allocation) -> Balance;

    /// Released so far (ecosystem: spent by governance so far).
    #[ink(message)]
    fn released(&self, allocation: Allocation) -> Balance;

    /// Unlocked and not yet released.
    #[ink(message)]
    fn releasable(&self, allocation: Allocation) -> Balance;

    /// The next step that unlocks something: its instant and amount.
    #[ink(message)]
    fn next_unlock(&self, allocation: Allocation) -> Option<(Timestamp, Balance)>;

    /// What the contract still owes the vested allocations.
    #[ink(message)]
    fn outstanding(&self) -> Balance;

    /// The BT contract.
    #[ink(message)]
    fn token(&self) -> AccountId;

    /// The BT issue time the schedules count from (ms).
    #[ink(message)]
    fn t0(&self) -> Timestamp;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocations_add_up_to_the_supply() {
        let sum: Balance = Allocation::ALL.iter().map(|a| a.amount()).sum();
        assert_eq!(sum, BT_TOTAL_SUPPLY);
        for a in Allocation::ALL {
            assert_eq!(a.amount(), BT_TOTAL_SUPPLY / 100 * a.percent() as Balance);
        }
        assert_eq!(VESTED_AMOUNT, 5_000_000_000 * BT_UNIT);
        assert_eq!(
            Allocation::EarlySupporters.amount(),
            2_000_000_000 * BT_UNIT
        );
        assert_eq!(Allocation::Foundation.amount(), 1_500_000_000 * BT_UNIT);
    }

    #[test]
    fn only_the_ecosystem_has_no_schedule() {
        for a in Allocation::ALL {
            assert_eq!(a.schedule().is_none(), a == Allocation::Ecosystem);
        }
        assert!(Allocation::VESTED.iter().all(|a| a.schedule().is_some()));
    }
}

use crate::roles::RoleChanged;

contract_events! {
    /// Everything a vesting message may emit.
    pub enum VestingEvent {
        VestingCreated,
        BeneficiaryChanged,
        Released,
        EcosystemSpent,
        RoleChanged,
    }
}
