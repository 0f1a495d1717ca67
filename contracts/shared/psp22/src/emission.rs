use crate::{PSP22Data, Result, TokenEvent};
use bizkey_math::{emission::emitted, mul_div, PPM};
use bizkey_types::{
    psp22::{EmissionConfigured, EmissionReleased, PSP22Error},
    AccountId, Balance, Timestamp,
};
use ink::prelude::{vec, vec::Vec};

/// The Time token's emission: where releases go and how much was released.
///
/// `released` is always `emitted(t - start)` for the time `t` of the last
/// release, so a release mints exactly the schedule's increase since then
/// and the releases sum to the schedule with no dust.
#[derive(Debug, Clone, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(
    feature = "std",
    derive(scale_info::TypeInfo, ink::storage::traits::StorageLayout)
)]
pub struct Emission {
    start: Timestamp,
    released: Balance,
    reward_pool: AccountId,
    dividend_pool: AccountId,
    reward_share_ppm: u32,
}

impl Emission {
    /// An emission starting at `start` (ms), nothing released yet.
    ///
    /// # Errors
    /// `InvalidParameter` if `reward_share_ppm` exceeds one million.
    pub fn new(
        start: Timestamp,
        reward_pool: AccountId,
        dividend_pool: AccountId,
        reward_share_ppm: u32,
    ) -> Result<(Self, TokenEvent)> {
        let mut emission = Self {
            start,
            released: 0,
            reward_pool,
            dividend_pool,
            reward_share_ppm: 0,
        };
        emission.set_split(reward_share_ppm)?;
        let event = emission.configured();
        Ok((emission, event))
    }

    /// When the emission started (block timestamp, ms).
    pub fn start(&self) -> Timestamp {
        self.start
    }

    /// Everything minted by releases so far.
    pub fn released(&self) -> Balance {
        self.released
    }

    pub fn reward_pool(&self) -> AccountId {
        self.reward_pool
    }

    pub fn dividend_pool(&self) -> AccountId {
        self.dividend_pool
    }

    /// The reward pool's share of each release, in parts per million.
    pub fn reward_share_ppm(&self) -> u32 {
        self.reward_share_ppm
    }

    /// Sets the release targets and split (the contract checks the role).
    ///
    /// # Errors
    /// `InvalidParameter` if `reward_share_ppm` exceeds one million.
    pub fn configure(
        &mut self,
        reward_pool: AccountId,
        dividend_pool: AccountId,
        reward_share_ppm: u32,
    ) -> Result<Vec<TokenEvent>> {
        self.set_split(reward_share_ppm)?;
        self.reward_pool = reward_pool;
        self.dividend_pool = dividend_pool;
        Ok(vec![self.configured()])
    }

    fn set_split(&mut self, reward_share_ppm: u32) -> Result<()> {
        if reward_share_ppm > PPM {
            return Err(PSP22Error::InvalidParameter);
        }
        self.reward_share_ppm = reward_share_ppm;
        Ok(())
    }

    fn configured(&self) -> TokenEvent {
        TokenEvent::EmissionConfigured(EmissionConfigured {
            reward_pool: self.reward_pool,
            dividend_pool: self.dividend_pool,
            reward_share_ppm: self.reward_share_ppm,
        })
    }

    /// What a release at `now` would mint.
    pub fn releasable(&self, now: Timestamp) -> Balance {
        // `emitted` is monotone and `released` was `emitted` of an earlier
        // time, so this never saturates unless the clock went backwards.
        emitted(now.saturating_sub(self.start)).saturating_sub(self.released)
    }

    /// Mints what accrued up to `now` into `token`, split between the two
    /// pools. Returns the amount minted (0, with no events, if nothing
    /// accrued).
    ///
    /// # Errors
    /// `CapExceeded` if minting would take the supply above `cap` (the
    /// schedule and the genesis amount are sized so this cannot happen; the
    /// check makes the cap hold whatever they are).
    pub fn release(
        &mut self,
        now: Timestamp,
        token: &mut PSP22Data,
        cap: Balance,
    ) -> Result<(Balance, Vec<TokenEvent>)> {
        let amount = self.releasable(now);
        if amount == 0 {
            return Ok((0, Vec::new()));
        }
        token
            .total_supply()
            .checked_add(amount)
            .filter(|supply| *supply <= cap)
            .ok_or(PSP22Error::CapExceeded)?;
        let released_total = self
            .released
            .checked_add(amount)
            .ok_or(PSP22Error::CapExceeded)?;
        let to_reward_pool = mul_div(amount, self.reward_share_ppm.into(), PPM.into());
        // `reward_share_ppm <= PPM`, so `to_reward_pool <= amount`.
        let to_dividend_pool = amount.saturating_sub(to_reward_pool);
        // Both mints fit under the cap (checked above for their sum), so
        // neither can fail and the state stays consistent.
        let mut events = token.mint(self.reward_pool, to_reward_pool, cap)?;
        events.extend(token.mint(self.dividend_pool, to_dividend_pool, cap)?);
        self.released = released_total;
        events.push(TokenEvent::EmissionReleased(EmissionReleased {
            amount,
            to_reward_pool,
            to_dividend_pool,
            released_total,
        }));
        Ok((amount, events))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bizkey_math::emission::{TOTAL_EMISSION, UNIT, YEAR_MS};
    use bizkey_types::psp22::Transfer;

    const REWARD: AccountId = AccountId([1; 32]);
    const DIVIDEND: AccountId = AccountId([2; 32]);
    const START: Timestamp = 1_700_000_000_000;
    const CAP: Balance = 10_000_000_000 * UNIT;

    fn emission(ppm: u32) -> Emission {
        Emission::new(START, REWARD, DIVIDEND, ppm).unwrap().0
    }

    #[test]
    fn new_validates_the_split() {
        assert_eq!(
            Emission::new(START, REWARD, DIVIDEND, PPM + 1),
            Err(PSP22Error::InvalidParameter)
        );
        let (e, event) = Emission::new(START, REWARD, DIVIDEND, PPM).unwrap();
        assert_eq!(
            event,
            TokenEvent::EmissionConfigured(EmissionConfigured {
                reward_pool: REWARD,
                dividend_pool: DIVIDEND,
                reward_share_ppm: PPM
            })
        );
        assert_eq!(
            (e.start(), e.released(), e.reward_share_ppm()),
            (START, 0, PPM)
        );
    }

    #[test]
    fn configure_rejects_out_of_range_share_unchanged() {
        let mut e = emission(600_000);
        assert_eq!(
            e.configure(DIVIDEND, REWARD, PPM + 1),
            Err(PSP22Error::InvalidParameter)
        );
        assert_eq!(
            (e.reward_pool(), e.dividend_pool(), e.reward_share_ppm()),
            (REWARD, DIVIDEND, 600_000)
        );
        e.configure(DIVIDEND, REWARD, 0).unwrap();
        assert_eq!(
            (e.reward_pool(), e.dividend_pool(), e.reward_share_ppm()),
            (DIVIDEND, REWARD, 0)
        );
    }

    // `#[ink::test]`: `PSP22Data` keeps balances in off-chain storage.
    #[ink::test]
    fn release_mints_the_accrual_split_by_ppm() {
        let mut e = emission(600_000);
        let mut token = PSP22Data::default();
        // Before or at the start nothing has accrued.
        assert_eq!(e.release(START - 5, &mut token, CAP), Ok((0, vec![])));
        assert_eq!(e.release(START, &mut token, CAP), Ok((0, vec![])));

        let year = 400_000_000 * UNIT;
        let (amount, events) = e.release(START + YEAR_MS, &mut token, CAP).unwrap();
        assert_eq!(amount, year);
        let (reward, dividend) = (year / 10 * 6, year / 10 * 4);
        assert_eq!(
            events,
            vec![
                TokenEvent::Transfer(Transfer {
                    from: None,
                    to: Some(REWARD),
                    value: reward
                }),
                TokenEvent::Transfer(Transfer {
                    from: None,
                    to: Some(DIVIDEND),
                    value: dividend
                }),
                TokenEvent::EmissionReleased(EmissionReleased {
                    amount: year,
                    to_reward_pool: reward,
                    to_dividend_pool: dividend,
                    released_total: year
                }),
            ]
        );
        assert_eq!(
            (token.balance_of(REWARD), token.balance_of(DIVIDEND)),
            (reward, dividend)
        );
        // Releasing again at the same time mints nothing.
        assert_eq!(e.release(START + YEAR_MS, &mut token, CAP), Ok((0, vec![])));
        assert_eq!(e.released(), year);
    }

    #[ink::test]
    fn release_with_all_to_one_pool_mints_once() {
        let mut e = emission(PPM);
        let mut token = PSP22Data::default();
        let (amount, events) = e.release(START + 1_000, &mut token, CAP).unwrap();
        assert!(amount > 0);
        assert_eq!(events.len(), 2);
        assert_eq!(token.balance_of(REWARD), amount);
        assert_eq!(token.balance_of(DIVIDEND), 0);
    }

    #[ink::test]
    fn releases_in_steps_sum_to_the_schedule_exactly() {
        let mut e = emission(333_333);
        let mut token = PSP22Data::default();
        let mut now = START;
        let mut total = 0;
        // Irregular steps over ~60 years.
        for step in 0..400u64 {
            now += (step % 7 + 1) * 777_777_777 + 12_345;
            total += e.release(now, &mut token, CAP).unwrap().0;
            assert_eq!(total, emitted(now - START));
            assert_eq!(token.total_supply(), total);
            assert_eq!(token.balance_of(REWARD) + token.balance_of(DIVIDEND), total);
        }
        // Far in the future: the full 8B and never more.
        total += e.release(Timestamp::MAX, &mut token, CAP).unwrap().0;
        assert_eq!(total, TOTAL_EMISSION);
        assert_eq!(e.release(Timestamp::MAX, &mut token, CAP), Ok((0, vec![])));
    }

    #[ink::test]
    fn release_never_exceeds_the_cap() {
        let mut e = emission(500_000);
        let mut token = PSP22Data::default();
        token.mint(REWARD, CAP - 10, CAP).unwrap();
        assert_eq!(
            e.release(START + YEAR_MS, &mut token, CAP),
            Err(PSP22Error::CapExceeded)
        );
        assert_eq!(e.released(), 0);
        assert_eq!(token.total_supply(), CAP - 10);
        assert_eq!(token.balance_of(DIVIDEND), 0);
    }
}
