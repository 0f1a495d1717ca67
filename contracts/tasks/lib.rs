//! # Tasks
//!
//! Time bounties (DESIGN §3.4, whitepaper ch. 3.6 任务系统). A verified
//! merchant escrows Time into a task with rules (purchases at itself or at a
//! list of merchants with a minimum count, amount and number of distinct
//! merchants; referrals; merchant-attested off-chain actions), combined with
//! any / all; a reward (fixed, a ppm multiple of the Time earned on the
//! qualifying receipts, or a group pool split among K completers); an
//! eligibility; a penalty deposit; a window and a maximum of completions.
//!
//! Customers `join` and `claim` with receipt ids. The contract reads each
//! receipt from the ledger and accepts it only if it is the claimant's (or,
//! for a referral rule, a customer's whom the claimant referred), confirmed,
//! not flagged, past its challenge window (so it can no longer be flagged
//! or refunded), completed inside the task's window and not used for this
//! task before. The unspent pool returns to the merchant once the claim
//! period (`end + claim_ms`) is over.
//!
//! Money: every Time movement matches one event (see
//! [`bizkey_types::tasks`]); per task, escrow = paid + refunded + pool +
//! reserved at all times.
//!
//! ## Deployment wiring
//! `new(time_token, ledger, registry)`; no roles (nothing is privileged
//! beyond a task's own merchant). A merchant approves this contract on the
//! Time token for the escrow before `create_task`; a participant approves
//! the task's `penalty` before `join` if it is positive.
//!
//! The logic lives in [`TasksData`], whose methods take the caller, the time
//! and the data the shell fetched from the ledger and the registry, and
//! return the events to emit; the messages fetch, call, move Time as the
//! events say, and emit.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use bizkey_types::tasks::*;
use bizkey_types::{
    ledger::{Receipt, ReceiptId, ReceiptStatus},
    math::{mul_div, PPM},
    registry::{Customer, CustomerStatus, MerchantStatus},
    AccountId, Balance, Hash, Timestamp,
};
use ink::{
    prelude::{vec, vec::Vec},
    storage::Mapping,
};

pub use bizkey_types::tasks::{Movement, TaskEvent};

/// A receipt id as the claimant gave it, with what the shell read for it:
/// the ledger's receipt (`None`: unknown id) and, for a receipt of another
/// customer, that customer's referrer (the ledger's copy of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub id: ReceiptId,
    pub receipt: Option<Receipt>,
    pub referrer: Option<AccountId>,
}

/// Result of the tasks logic.
pub type Result<T> = core::result::Result<T, TasksError>;

/// Tasks, participations and used receipts, independent of the contract
/// shell. Every method checks everything before it writes anything, so an
/// `Err` leaves the state unchanged.
#[ink::storage_item]
#[derive(Debug, Default)]
pub struct TasksData {
    tasks: Mapping<TaskId, Task>,
    participants: Mapping<(TaskId, AccountId), Participant>,
    /// Receipts used for a task, and by whom.
    used: Mapping<(TaskId, ReceiptId), AccountId>,
    next_id: TaskId,
}

fn valid_terms(terms: &TaskTerms, now: Timestamp, escrow: Balance) -> Result<()> {
    if terms.name.is_empty() || terms.name.len() > MAX_NAME_LEN {
        return Err(TasksError::InvalidName);
    }
    if terms.rules.is_empty() || terms.rules.len() > MAX_RULES {
        return Err(TasksError::InvalidRules);
    }
    // Receipts an `All` task needs at least, to reject unsatisfiable rules.
    let mut needed: usize = 0;
    for rule in &terms.rules {
        let count = match rule {
            Rule::Purchases(p) => {
                // An empty list means the task's merchant: one place.
                let places = p.merchants.len().max(1);
                if p.merchants.len() > MAX_MERCHANTS
                    || p.min_count == 0
                    || p.distinct_merchants > p.min_count
                    || p.distinct_merchants as usize > places
                {
                    return Err(TasksError::InvalidRules);
                }
                p.min_count
            }
            Rule::Referrals { count } if *count == 0 => return Err(TasksError::InvalidRules),
            Rule::Referrals { count } => *count,
            Rule::Attested { .. } => 0,
        };
        let count = count as usize;
        if count > MAX_RECEIPTS {
            return Err(TasksError::InvalidRules);
        }
        if terms.mode == RuleMode::All {
            needed = needed.saturating_add(count);
        }
    }
    if needed > MAX_RECEIPTS {
        return Err(TasksError::InvalidRules);
    }
    if terms.start >= terms.end
        || terms.end <= now
        || terms.end.saturating_sub(terms.start) > MAX_DURATION_MS
        || terms.claim_ms > MAX_CLAIM_MS
    {
        return Err(TasksError::InvalidWindow);
    }
    let max = Balance::from(terms.max_completions);
    let reward_ok = match terms.reward {
        Reward::Fixed(amount) => amount > 0 && amount.checked_mul(max) == Some(escrow),
        Reward::Multiple(ppm) => ppm > 0,
        // Every completer's share must be at least one unit.
        Reward::Group => escrow >= max,
    };
    if terms.max_completions == 0 || escrow == 0 || !reward_ok {
        return Err(TasksError::InvalidReward);
    }
    match terms.eligibility {
        Eligibility::MinPurchases(n) if n == 0 || n as usize > MAX_RECEIPTS => {
            Err(TasksError::InvalidEligibility)
        }
        _ => Ok(()),
    }
}

/// Whether a receipt at `merchant` for `amount` counts for purchase rule
/// `rule` of a task by `task_merchant`.
fn purchase_counts(rule: &PurchaseRule, task_merchant: AccountId, receipt: &Receipt) -> bool {
    let place_ok = if rule.merchants.is_empty() {
        receipt.merchant == task_merchant
    } else {
        rule.merchants.contains(&receipt.merchant)
    };
    place_ok && receipt.order.amount >= rule.min_amount
}

/// Checks a receipt's state: confirmed, not flagged, challenge window over.
fn receipt_settled(receipt: &Receipt, now: Timestamp) -> Result<()> {
    match receipt.status {
        ReceiptStatus::Confirmed => {}
        ReceiptStatus::Flagged => return Err(TasksError::ReceiptFlagged),
        _ => return Err(TasksError::ReceiptNotConfirmed),
    }
    if now < receipt.deadline {
        return Err(TasksError::ReceiptNotMatured);
    }
    Ok(())
}

/// Number of different values in `items`.
fn distinct<T: PartialEq>(items: &[T]) -> usize {
    items
        .iter()
        .enumerate()
        .filter(|(i, x)| !items[..*i].contains(x))
        .count()
}

impl TasksData {
    /// The task with this id.
    pub fn task(&self, id: TaskId) -> Option<Task> {
        self.tasks.get(id)
    }

    /// `customer`'s participation in task `id`.
    pub fn participant(&self, id: TaskId, customer: AccountId) -> Option<Participant> {
        self.participants.get((id, customer))
    }

    /// Who used `receipt` for task `id`.
    pub fn used_by(&self, id: TaskId, receipt: ReceiptId) -> Option<AccountId> {
        self.used.get((id, receipt))
    }

    /// Number of tasks created (the next task's id).
    pub fn task_count(&self) -> TaskId {
        self.next_id
    }

    fn existing(&self, id: TaskId) -> Result<Task> {
        self.tasks.get(id).ok_or(TasksError::TaskNotFound)
    }

    fn joined(&self, id: TaskId, customer: AccountId) -> Result<Participant> {
        self.participants
            .get((id, customer))
            .ok_or(TasksError::NotJoined)
    }

    /// `caller` publishes a task and escrows `escrow` Time into it (the shell
    /// moves it). `merchant` is the caller's status in the registry.
    ///
    /// # Errors
    /// `MerchantNotVerified`; `InvalidName`, `InvalidRules`, `InvalidWindow`,
    /// `InvalidReward`, `InvalidEligibility` (see [`TasksError`]);
    /// `Overflow` after 2³² tasks.
    pub fn create(
        &mut self,
        caller: AccountId,
        now: Timestamp,
        merchant: Option<MerchantStatus>,
        terms: TaskTerms,
        escrow: Balance,
    ) -> Result<(TaskId, Vec<TaskEvent>)> {
        if merchant != Some(MerchantStatus::Verified) {
            return Err(TasksError::MerchantNotVerified);
        }
        valid_terms(&terms, now, escrow)?;
        let id = self.next_id;
        self.next_id = id.checked_add(1).ok_or(TasksError::Overflow)?;
        let task = Task {
            merchant: caller,
            terms: terms.clone(),
            created_at: now,
            escrow,
            pool: escrow,
            reserved: 0,
            paid: 0,
            refunded: 0,
            stakes: 0,
            participants: 0,
            completions: 0,
            group_share: 0,
        };
        self.tasks.insert(id, &task);
        Ok((
            id,
            vec![TaskEvent::TaskCreated(TaskCreated {
                id,
                merchant: caller,
                terms,
                escrow,
                at: now,
            })],
        ))
    }

    /// `caller` joins task `id`, depositing the task's penalty (the shell
    /// moves it). `customer` is the caller as the ledger knows it (`None`: it
    /// neither registered nor bought); `proof` the
    /// receipts it offers for a `MinPurchases` eligibility.
    ///
    /// # Errors
    /// `TaskNotFound`; `TaskClosed` from the end on; `AlreadyJoined`;
    /// `TaskFull`; `NotEligible`; for the proof: `TooManyReceipts`,
    /// `ReceiptNotFound`, `NotYourReceipt`, `ReceiptNotQualifying` (another
    /// merchant), `ReceiptNotConfirmed`, `ReceiptFlagged`,
    /// `ReceiptNotMatured`, `ReceiptAlreadyUsed` (twice in the proof);
    /// `Overflow`.
    pub fn join(
        &mut self,
        caller: AccountId,
        now: Timestamp,
        id: TaskId,
        customer: Option<Customer>,
        proof: &[Evidence],
    ) -> Result<Vec<TaskEvent>> {
        let mut task = self.existing(id)?;
        if now >= task.terms.end {
            return Err(TasksError::TaskClosed);
        }
        if self.participants.contains((id, caller)) {
            return Err(TasksError::AlreadyJoined);
        }
        if task.completions >= task.terms.max_completions {
            return Err(TasksError::TaskFull);
        }
        if customer.is_some_and(|c| c.status != CustomerStatus::Active) {
            return Err(TasksError::NotEligible);
        }
        match task.terms.eligibility {
            Eligibility::Anyone => {}
            Eligibility::NewCustomers => {
                if customer.is_some_and(|c| c.registered_at < task.terms.start) {
                    return Err(TasksError::NotEligible);
                }
            }
            Eligibility::MinPurchases(n) => {
                if proof.len() > MAX_RECEIPTS {
                    return Err(TasksError::TooManyReceipts);
                }
                for (i, evidence) in proof.iter().enumerate() {
                    let receipt = evidence.receipt.ok_or(TasksError::ReceiptNotFound)?;
                    if receipt.customer != caller {
                        return Err(TasksError::NotYourReceipt);
                    }
                    if receipt.merchant != task.merchant {
                        return Err(TasksError::ReceiptNotQualifying);
                    }
                    if proof[..i].iter().any(|e| e.id == evidence.id) {
                        return Err(TasksError::ReceiptAlreadyUsed);
                    }
                    receipt_settled(&receipt, now)?;
                }
                if proof.len() < n as usize {
                    return Err(TasksError::NotEligible);
                }
            }
        }
        let stake = task.terms.penalty;
        task.stakes = task.stakes.checked_add(stake).ok_or(TasksError::Overflow)?;
        task.participants = task
            .participants
            .checked_add(1)
            .ok_or(TasksError::Overflow)?;
        self.tasks.insert(id, &task);
        self.participants.insert(
            (id, caller),
            &Participant {
                status: ParticipantStatus::Joined,
                joined_at: now,
                stake,
                attested: 0,
                reward: 0,
                collected: false,
            },
        );
        Ok(vec![TaskEvent::TaskJoined(TaskJoined {
            id,
            customer: caller,
            stake,
            at: now,
        })])
    }

    /// The merchant `caller` attests that `customer` did the off-chain action
    /// of rule `rule` of task `id`.
    ///
    /// # Errors
    /// `TaskNotFound`; `Unauthorized` unless the caller is the task's
    /// merchant; `TaskClosed` after the claim period; `NotAttestable`;
    /// `NotJoined`; `Penalized`; `AlreadyCompleted`.
    pub fn attest(
        &mut self,
        caller: AccountId,
        now: Timestamp,
        id: TaskId,
        customer: AccountId,
        rule: u8,
    ) -> Result<Vec<TaskEvent>> {
        let task = self.existing(id)?;
        if caller != task.merchant {
            return Err(TasksError::Unauthorized);
        }
        if now >= task.terms.claim_close() {
            return Err(TasksError::TaskClosed);
        }
        if !matches!(
            task.terms.rules.get(usize::from(rule)),
            Some(Rule::Attested { .. })
        ) {
            return Err(TasksError::NotAttestable);
        }
        let mut participant = self.joined(id, customer)?;
        match participant.status {
            ParticipantStatus::Joined => {}
            ParticipantStatus::Penalized => return Err(TasksError::Penalized),
            ParticipantStatus::Completed => return Err(TasksError::AlreadyCompleted),
        }
        // `rule < MAX_RULES = 8`: the shift stays inside a u8.
        participant.attested |= 1u8 << rule;
        self.participants.insert((id, customer), &participant);
        Ok(vec![TaskEvent::ActionAttested(ActionAttested {
            id,
            customer,
            rule,
        })])
    }

    /// `caller` claims task `id` with these receipts; on success it is paid
    /// (or, in a group task, counted towards the goal) and gets its deposit
    /// back, and the receipts are used for this task.
    ///
    /// # Errors
    /// `TaskNotFound`; `NotStarted`; `TaskClosed` after the claim period;
    /// `NotJoined`; `Penalized`; `AlreadyCompleted`; `TaskFull`;
    /// `TooManyReceipts`; per receipt `ReceiptNotFound`, `NotYourReceipt`,
    /// `ReceiptAlreadyUsed`, `ReceiptNotConfirmed`, `ReceiptFlagged`,
    /// `ReceiptNotMatured`, `ReceiptOutsideWindow`, `ReceiptNotQualifying`;
    /// `RulesNotMet`; `PoolExhausted` (multiple reward, empty pool);
    /// `Overflow`.
    pub fn claim(
        &mut self,
        caller: AccountId,
        now: Timestamp,
        id: TaskId,
        receipts: &[Evidence],
    ) -> Result<Vec<TaskEvent>> {
        let mut task = self.existing(id)?;
        let terms = &task.terms;
        if now < terms.start {
            return Err(TasksError::NotStarted);
        }
        if now >= terms.claim_close() {
            return Err(TasksError::TaskClosed);
        }
        let mut participant = self.joined(id, caller)?;
        match participant.status {
            ParticipantStatus::Joined => {}
            ParticipantStatus::Penalized => return Err(TasksError::Penalized),
            ParticipantStatus::Completed => return Err(TasksError::AlreadyCompleted),
        }
        if task.completions >= terms.max_completions {
            return Err(TasksError::TaskFull);
        }
        if receipts.len() > MAX_RECEIPTS {
            return Err(TasksError::TooManyReceipts);
        }
        let has_referrals = terms
            .rules
            .iter()
            .any(|r| matches!(r, Rule::Referrals { .. }));
        // The claimant's own receipts, and the referred customers' ones.
        let mut own: Vec<Receipt> = Vec::new();
        let mut referred: Vec<AccountId> = Vec::new();
        for (i, evidence) in receipts.iter().enumerate() {
            let receipt = evidence.receipt.ok_or(TasksError::ReceiptNotFound)?;
            let is_own = receipt.customer == caller;
            if !is_own && evidence.referrer != Some(caller) {
                return Err(TasksError::NotYourReceipt);
            }
            if self.used.contains((id, evidence.id))
                || receipts[..i].iter().any(|e| e.id == evidence.id)
            {
                return Err(TasksError::ReceiptAlreadyUsed);
            }
            receipt_settled(&receipt, now)?;
            if receipt.completed_at < terms.start || receipt.completed_at >= terms.end {
                return Err(TasksError::ReceiptOutsideWindow);
            }
            if is_own {
                let counts = terms.rules.iter().any(|r| match r {
                    Rule::Purchases(p) => purchase_counts(p, task.merchant, &receipt),
                    _ => false,
                });
                if !counts {
                    return Err(TasksError::ReceiptNotQualifying);
                }
                own.push(receipt);
            } else {
                if !has_referrals || receipt.merchant != task.merchant {
                    return Err(TasksError::ReceiptNotQualifying);
                }
                referred.push(receipt.customer);
            }
        }
        let met = |(i, rule): (usize, &Rule)| match rule {
            Rule::Purchases(p) => {
                let places: Vec<AccountId> = own
                    .iter()
                    .filter(|r| purchase_counts(p, task.merchant, r))
                    .map(|r| r.merchant)
                    .collect();
                places.len() >= p.min_count as usize
                    && distinct(&places) >= p.distinct_merchants as usize
            }
            Rule::Referrals { count } => distinct(&referred) >= *count as usize,
            // `i < MAX_RULES = 8`: the shift stays inside a u8.
            Rule::Attested { .. } => participant.attested & (1u8 << i) != 0,
        };
        let satisfied = match terms.mode {
            RuleMode::All => terms.rules.iter().enumerate().all(met),
            RuleMode::Any => terms.rules.iter().enumerate().any(met),
        };
        if !satisfied {
            return Err(TasksError::RulesNotMet);
        }
        let mut qualifying_time: Balance = 0;
        for receipt in &own {
            qualifying_time = qualifying_time
                .checked_add(receipt.time)
                .ok_or(TasksError::Overflow)?;
        }
        let completions = task
            .completions
            .checked_add(1)
            .ok_or(TasksError::Overflow)?;
        let mut goal = None;
        let reward = match terms.reward {
            Reward::Fixed(amount) => amount,
            Reward::Multiple(ppm) => {
                if task.pool == 0 {
                    return Err(TasksError::PoolExhausted);
                }
                mul_div(qualifying_time, u128::from(ppm), u128::from(PPM)).min(task.pool)
            }
            Reward::Group if completions == terms.max_completions => {
                let k = Balance::from(completions);
                let share = task.pool.checked_div(k).ok_or(TasksError::Overflow)?;
                // share·k ≤ pool: the remainder stays in the pool.
                task.reserved = share.checked_mul(k).ok_or(TasksError::Overflow)?;
                task.pool = task
                    .pool
                    .checked_sub(task.reserved)
                    .ok_or(TasksError::Overflow)?;
                task.group_share = share;
                goal = Some(GroupGoalReached {
                    id,
                    share,
                    completers: completions,
                });
                participant.collected = true;
                task.reserved = task
                    .reserved
                    .checked_sub(share)
                    .ok_or(TasksError::Overflow)?;
                task.paid = task.paid.checked_add(share).ok_or(TasksError::Overflow)?;
                share
            }
            Reward::Group => 0,
        };
        if !matches!(terms.reward, Reward::Group) {
            task.pool = task
                .pool
                .checked_sub(reward)
                .ok_or(TasksError::PoolExhausted)?;
            task.paid = task.paid.checked_add(reward).ok_or(TasksError::Overflow)?;
        }
        let stake_returned = participant.stake;
        task.stakes = task
            .stakes
            .checked_sub(stake_returned)
            .ok_or(TasksError::Overflow)?;
        task.completions = completions;
        participant.status = ParticipantStatus::Completed;
        participant.stake = 0;
        participant.reward = reward;
        for evidence in receipts {
            self.used.insert((id, evidence.id), &caller);
        }
        self.participants.insert((id, caller), &participant);
        self.tasks.insert(id, &task);
        let mut events = vec![TaskEvent::TaskCompleted(TaskCompleted {
            id,
            customer: caller,
            receipts: receipts.iter().map(|e| e.id).collect(),
            qualifying_time,
            reward,
            stake_returned,
            completions,
        })];
        if let Some(goal) = goal {
            events.push(TaskEvent::GroupGoalReached(goal));
        }
        Ok(events)
    }

    /// A completer of group task `id` collects its share once the goal is
    /// reached.
    ///
    /// # Errors
    /// `TaskNotFound`; `NotJoined`; `NothingToPay` before the goal, when
    /// collected already, or if the caller did not complete.
    pub fn collect(&mut self, caller: AccountId, id: TaskId) -> Result<Vec<TaskEvent>> {
        let mut task = self.existing(id)?;
        let mut participant = self.joined(id, caller)?;
        if participant.status != ParticipantStatus::Completed
            || participant.collected
            || task.group_share == 0
        {
            return Err(TasksError::NothingToPay);
        }
        let amount = task.group_share;
        task.reserved = task
            .reserved
            .checked_sub(amount)
            .ok_or(TasksError::Overflow)?;
        task.paid = task.paid.checked_add(amount).ok_or(TasksError::Overflow)?;
        participant.collected = true;
        participant.reward = amount;
        self.tasks.insert(id, &task);
        self.participants.insert((id, caller), &participant);
        Ok(vec![TaskEvent::GroupShareCollected(GroupShareCollected {
            id,
            customer: caller,
            amount,
        })])
    }

    /// The merchant `caller` attests a violation by `customer`: its deposit
    /// goes to the ledger's reward pool and its participation ends.
    ///
    /// # Errors
    /// `TaskNotFound`; `Unauthorized` unless the caller is the task's
    /// merchant; `TaskClosed` after the claim period; `NotJoined`;
    /// `Penalized`; `AlreadyCompleted`.
    pub fn penalize(
        &mut self,
        caller: AccountId,
        now: Timestamp,
        id: TaskId,
        customer: AccountId,
        evidence: Hash,
    ) -> Result<Vec<TaskEvent>> {
        let mut task = self.existing(id)?;
        if caller != task.merchant {
            return Err(TasksError::Unauthorized);
        }
        if now >= task.terms.claim_close() {
            return Err(TasksError::TaskClosed);
        }
        let mut participant = self.joined(id, customer)?;
        match participant.status {
            ParticipantStatus::Joined => {}
            ParticipantStatus::Penalized => return Err(TasksError::Penalized),
            ParticipantStatus::Completed => return Err(TasksError::AlreadyCompleted),
        }
        let forfeited = participant.stake;
        task.stakes = task
            .stakes
            .checked_sub(forfeited)
            .ok_or(TasksError::Overflow)?;
        participant.stake = 0;
        participant.status = ParticipantStatus::Penalized;
        self.tasks.insert(id, &task);
        self.participants.insert((id, customer), &participant);
        Ok(vec![TaskEvent::ParticipantPenalized(
            ParticipantPenalized {
                id,
                customer,
                evidence,
                forfeited,
            },
        )])
    }

    /// A participant who did not complete takes its deposit back once the
    /// claim period is over.
    ///
    /// # Errors
    /// `TaskNotFound`; `TaskNotClosed` before `end + claim_ms`; `NotJoined`;
    /// `Penalized`; `NothingToPay` (no deposit, or completed: it came back
    /// with the completion).
    pub fn withdraw_stake(
        &mut self,
        caller: AccountId,
        now: Timestamp,
        id: TaskId,
    ) -> Result<Vec<TaskEvent>> {
        let mut task = self.existing(id)?;
        if now < task.terms.claim_close() {
            return Err(TasksError::TaskNotClosed);
        }
        let mut participant = self.joined(id, caller)?;
        if participant.status == ParticipantStatus::Penalized {
            return Err(TasksError::Penalized);
        }
        let amount = participant.stake;
        if amount == 0 {
            return Err(TasksError::NothingToPay);
        }
        task.stakes = task
            .stakes
            .checked_sub(amount)
            .ok_or(TasksError::Overflow)?;
        participant.stake = 0;
        self.tasks.insert(id, &task);
        self.participants.insert((id, caller), &participant);
        Ok(vec![TaskEvent::StakeWithdrawn(StakeWithdrawn {
            id,
            customer: caller,
            amount,
        })])
    }

    /// Returns the unspent pool of task `id` to its merchant once the claim
    /// period is over (anyone may trigger it; the Time goes to the merchant).
    ///
    /// # Errors
    /// `TaskNotFound`; `TaskNotClosed` before `end + claim_ms`;
    /// `NothingToPay` if the pool is empty.
    pub fn refund(&mut self, now: Timestamp, id: TaskId) -> Result<Vec<TaskEvent>> {
        let mut task = self.existing(id)?;
        if now < task.terms.claim_close() {
            return Err(TasksError::TaskNotClosed);
        }
        let amount = task.pool;
        if amount == 0 {
            return Err(TasksError::NothingToPay);
        }
        task.refunded = task
            .refunded
            .checked_add(amount)
            .ok_or(TasksError::Overflow)?;
        task.pool = 0;
        self.tasks.insert(id, &task);
        Ok(vec![TaskEvent::TaskRefunded(TaskRefunded {
            id,
            merchant: task.merchant,
            amount,
        })])
    }
}

#[ink::contract]
mod tasks {
    use super::*;
    use bizkey_types::{
        ledger::LedgerApi,
        psp22::{PSP22Error, PSP22},
        registry::RegistryApi,
    };
    use ink::{codegen::TraitCallBuilder, contract_ref};

    #[ink(storage)]
    pub struct Tasks {
        data: TasksData,
        time_token: AccountId,
        ledger: AccountId,
        registry: AccountId,
    }

    impl Tasks {
        /// Tasks paying in `time_token`, verifying receipts, customers and
        /// referrers on `ledger` and merchants on `registry`.
        #[ink(constructor)]
        pub fn new(time_token: AccountId, ledger: AccountId, registry: AccountId) -> Self {
            Self {
                data: TasksData::default(),
                time_token,
                ledger,
                registry,
            }
        }

        /// Publishes a task and escrows `escrow` Time from the caller (who
        /// must have approved this contract for it). Returns the task's id.
        ///
        /// # Errors
        /// `MerchantNotVerified` unless the caller is a verified merchant;
        /// `InvalidName`, `InvalidRules`, `InvalidWindow`, `InvalidReward`
        /// (a fixed reward needs `escrow = amount × max_completions`),
        /// `InvalidEligibility`; `TokenCallFailed` if the escrow cannot be
        /// moved; `RegistryCallFailed`.
        ///
        /// # Events
        /// `TaskCreated`.
        #[ink(message)]
        pub fn create_task(&mut self, terms: TaskTerms, escrow: Balance) -> Result<TaskId> {
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let registry: contract_ref!(RegistryApi) = self.registry.into();
            let status = match registry.call().merchant_info(caller).try_invoke() {
                Ok(Ok(info)) => info.map(|i| i.status),
                _ => return Err(TasksError::RegistryCallFailed),
            };
            let (id, events) = self.data.create(caller, now, status, terms, escrow)?;
            self.settle(events)?;
            Ok(id)
        }

        /// Joins task `id`, depositing its `penalty` (approve it first).
        /// `proof`: for a `MinPurchases(n)` task, ids of n of the caller's
        /// settled receipts at the task's merchant (ignored otherwise).
        ///
        /// # Errors
        /// `TaskNotFound`; `TaskClosed` from the end on; `AlreadyJoined`;
        /// `TaskFull`; `NotEligible` (suspended or removed, not new, too few
        /// purchases); the receipt errors of the proof (see
        /// [`TasksData::join`]); `TokenCallFailed`; `LedgerCallFailed`.
        ///
        /// # Events
        /// `TaskJoined`.
        #[ink(message)]
        pub fn join(&mut self, id: TaskId, proof: Vec<ReceiptId>) -> Result<()> {
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let task = self.data.task(id).ok_or(TasksError::TaskNotFound)?;
            let customer = self.customer(caller)?;
            let proof = if matches!(task.terms.eligibility, Eligibility::MinPurchases(_)) {
                self.evidence(caller, &proof, false)?
            } else {
                Vec::new()
            };
            let events = self.data.join(caller, now, id, customer, &proof)?;
            self.settle(events)
        }

        /// The task's merchant attests that `customer` did the off-chain
        /// action of rule `rule` (an `Attested` rule).
        ///
        /// # Errors
        /// `TaskNotFound`; `Unauthorized` unless the caller is the task's
        /// merchant; `TaskClosed`; `NotAttestable`; `NotJoined`;
        /// `Penalized`; `AlreadyCompleted`.
        ///
        /// # Events
        /// `ActionAttested`.
        #[ink(message)]
        pub fn attest(&mut self, id: TaskId, customer: AccountId, rule: u8) -> Result<()> {
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let events = self.data.attest(caller, now, id, customer, rule)?;
            self.settle(events)
        }

        /// Claims task `id` with these receipt ids (the caller's own, and for
        /// a referral rule those of customers it referred). Returns the
        /// reward paid now (0 for a group task until its goal).
        ///
        /// # Errors
        /// `TaskNotFound`; `NotStarted`; `TaskClosed`; `NotJoined`;
        /// `Penalized`; `AlreadyCompleted`; `TaskFull`; `TooManyReceipts`;
        /// `ReceiptNotFound`, `NotYourReceipt`, `ReceiptAlreadyUsed`,
        /// `ReceiptNotConfirmed`, `ReceiptFlagged`, `ReceiptNotMatured`,
        /// `ReceiptOutsideWindow`, `ReceiptNotQualifying`; `RulesNotMet`;
        /// `PoolExhausted`; `TokenCallFailed`; `LedgerCallFailed`.
        ///
        /// # Events
        /// `TaskCompleted`, then `GroupGoalReached` for the K-th completer
        /// of a group task.
        #[ink(message)]
        pub fn claim(&mut self, id: TaskId, receipts: Vec<ReceiptId>) -> Result<Balance> {
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let task = self.data.task(id).ok_or(TasksError::TaskNotFound)?;
            if receipts.len() > MAX_RECEIPTS {
                return Err(TasksError::TooManyReceipts);
            }
            let referrals = task
                .terms
                .rules
                .iter()
                .any(|r| matches!(r, Rule::Referrals { .. }));
            let evidence = self.evidence(caller, &receipts, referrals)?;
            let events = self.data.claim(caller, now, id, &evidence)?;
            let reward = match events.first() {
                Some(TaskEvent::TaskCompleted(e)) => e.reward,
                _ => 0,
            };
            self.settle(events)?;
            Ok(reward)
        }

        /// Collects the caller's share of group task `id` once its goal is
        /// reached. Returns the share.
        ///
        /// # Errors
        /// `TaskNotFound`; `NotJoined`; `NothingToPay`; `TokenCallFailed`.
        ///
        /// # Events
        /// `GroupShareCollected`.
        #[ink(message)]
        pub fn collect(&mut self, id: TaskId) -> Result<Balance> {
            let events = self.data.collect(self.env().caller(), id)?;
            let amount = match events.first() {
                Some(TaskEvent::GroupShareCollected(e)) => e.amount,
                _ => 0,
            };
            self.settle(events)?;
            Ok(amount)
        }

        /// The task's merchant attests a violation by `customer` (evidence
        /// kept off-chain): the customer's deposit goes to the ledger's Time
        /// reward pool (the merchant gains nothing by a penalty, so it has no
        /// motive to penalize without cause) and its participation ends.
        ///
        /// # Errors
        /// `TaskNotFound`; `Unauthorized` unless the caller is the task's
        /// merchant; `TaskClosed`; `NotJoined`; `Penalized`;
        /// `AlreadyCompleted`; `TokenCallFailed`.
        ///
        /// # Events
        /// `ParticipantPenalized`.
        #[ink(message)]
        pub fn penalize(&mut self, id: TaskId, customer: AccountId, evidence: Hash) -> Result<()> {
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let events = self.data.penalize(caller, now, id, customer, evidence)?;
            self.settle(events)
        }

        /// Returns the caller's deposit after the claim period if it did not
        /// complete and was not penalized.
        ///
        /// # Errors
        /// `TaskNotFound`; `TaskNotClosed`; `NotJoined`; `Penalized`;
        /// `NothingToPay`; `TokenCallFailed`.
        ///
        /// # Events
        /// `StakeWithdrawn`.
        #[ink(message)]
        pub fn withdraw_stake(&mut self, id: TaskId) -> Result<()> {
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let events = self.data.withdraw_stake(caller, now, id)?;
            self.settle(events)
        }

        /// Returns the unspent pool of task `id` to its merchant after the
        /// claim period (anyone may call). Returns the amount.
        ///
        /// # Errors
        /// `TaskNotFound`; `TaskNotClosed`; `NothingToPay`;
        /// `TokenCallFailed`.
        ///
        /// # Events
        /// `TaskRefunded`.
        #[ink(message)]
        pub fn refund(&mut self, id: TaskId) -> Result<Balance> {
            let events = self.data.refund(self.env().block_timestamp(), id)?;
            let amount = match events.first() {
                Some(TaskEvent::TaskRefunded(e)) => e.amount,
                _ => 0,
            };
            self.settle(events)?;
            Ok(amount)
        }

        /// The task with this id.
        #[ink(message)]
        pub fn task(&self, id: TaskId) -> Option<Task> {
            self.data.task(id)
        }

        /// `customer`'s participation in task `id`.
        #[ink(message)]
        pub fn participant(&self, id: TaskId, customer: AccountId) -> Option<Participant> {
            self.data.participant(id, customer)
        }

        /// Who used `receipt` for task `id` (`None`: unused).
        #[ink(message)]
        pub fn receipt_used_by(&self, id: TaskId, receipt: ReceiptId) -> Option<AccountId> {
            self.data.used_by(id, receipt)
        }

        /// Number of tasks created (ids are `0..task_count`).
        #[ink(message)]
        pub fn task_count(&self) -> TaskId {
            self.data.task_count()
        }

        /// The Time token, the ledger and the registry this contract uses.
        #[ink(message)]
        pub fn config(&self) -> (AccountId, AccountId, AccountId) {
            (self.time_token, self.ledger, self.registry)
        }

        /// `account` as a customer, from the ledger: registered (the
        /// registry pushes its customers there) or known from its first
        /// confirmed purchase.
        fn customer(&self, account: AccountId) -> Result<Option<Customer>> {
            let ledger: contract_ref!(LedgerApi) = self.ledger.into();
            match ledger.call().customer(account).try_invoke() {
                Ok(Ok(customer)) => Ok(customer),
                _ => Err(TasksError::LedgerCallFailed),
            }
        }

        /// Reads each receipt from the ledger and, with `referrals`, the
        /// referrer of each receipt's customer other than `caller`.
        fn evidence(
            &self,
            caller: AccountId,
            ids: &[ReceiptId],
            referrals: bool,
        ) -> Result<Vec<Evidence>> {
            if ids.len() > MAX_RECEIPTS {
                return Err(TasksError::TooManyReceipts);
            }
            let ledger: contract_ref!(LedgerApi) = self.ledger.into();
            let mut evidence = Vec::with_capacity(ids.len());
            for &id in ids {
                let receipt = match ledger.call().receipt(id).try_invoke() {
                    Ok(Ok(receipt)) => receipt,
                    _ => return Err(TasksError::LedgerCallFailed),
                };
                let referrer = match receipt {
                    Some(r) if referrals && r.customer != caller => {
                        self.customer(r.customer)?.and_then(|c| c.referrer)
                    }
                    _ => None,
                };
                evidence.push(Evidence {
                    id,
                    receipt,
                    referrer,
                });
            }
            Ok(evidence)
        }

        /// Moves the Time the events stand for, then emits them.
        fn settle(&mut self, events: Vec<TaskEvent>) -> Result<()> {
            let mut token: contract_ref!(PSP22) = self.time_token.into();
            let this = self.env().account_id();
            for event in &events {
                let movement = event.movement(self.ledger);
                let result: core::result::Result<(), PSP22Error> = match movement {
                    None => continue,
                    Some(Movement::In { from, amount }) => {
                        match token
                            .call_mut()
                            .transfer_from(from, this, amount, Vec::new())
                            .try_invoke()
                        {
                            Ok(Ok(r)) => r,
                            _ => return Err(TasksError::TokenCallFailed),
                        }
                    }
                    Some(Movement::Out { to, amount }) => {
                        match token
                            .call_mut()
                            .transfer(to, amount, Vec::new())
                            .try_invoke()
                        {
                            Ok(Ok(r)) => r,
                            _ => return Err(TasksError::TokenCallFailed),
                        }
                    }
                };
                result.map_err(|_| TasksError::TokenCallFailed)?;
            }
            TaskEvent::emit_all::<Environment>(events);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(all(test, feature = "e2e-tests"))]
mod e2e_tests;
