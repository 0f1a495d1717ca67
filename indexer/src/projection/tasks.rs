//! The tasks contract: tasks and their money, participations, completions
//! and the receipts they used, replayed as the contract moves them
//! (`escrow = paid + refunded + pool + reserved` per task).

use super::{i, name, ss58, u, write_rows, Batch, Checks, Ctx, Keys, Rows};
use bizkey_store::amount::U128;
use bizkey_store::entity::{
    task_completions, task_history, task_participants, task_receipts, tasks,
};
use bizkey_store::hex0x;
use bizkey_types::tasks::TaskEvent;
use bizkey_types::tasks::{
    ActionAttested, Eligibility, GroupGoalReached, GroupShareCollected, ParticipantPenalized,
    ParticipantStatus, Reward, Rule, StakeWithdrawn, TaskCompleted, TaskCreated, TaskJoined,
    TaskRefunded,
};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

/// The rows of the tasks contract a batch touched, by table.
#[derive(Default)]
pub(super) struct State {
    /// Time (into the contract, out of it) of the event being applied.
    flow: (u128, u128),
    pub(super) rows: Rows<i64, tasks::Model>,
    pub(super) participants: Rows<(i64, String), task_participants::Model>,
    completions: Vec<task_completions::Model>,
    task_receipts: Vec<task_receipts::Model>,
    task_history: Vec<task_history::Model>,
}

impl State {
    /// Writes every touched row.
    pub(super) async fn flush<C: ConnectionTrait>(self, db: &C) -> Result<(), DbErr> {
        write_rows(db, self.rows.into_values()).await?;
        write_rows(db, self.participants.into_values()).await?;
        write_rows(db, self.completions).await?;
        write_rows(db, self.task_receipts).await?;
        write_rows(db, self.task_history).await?;
        Ok(())
    }
}

/// The rows a tasks event reads: the task, and the customer's
/// participation in it.
pub(super) fn keys(event: &TaskEvent, keys: &mut Keys) {
    use TaskEvent as E;
    let (id, customer) = match event {
        E::TaskCreated(_) => return,
        E::TaskJoined(e) => (e.id, Some(&e.customer)),
        E::ActionAttested(e) => (e.id, Some(&e.customer)),
        E::TaskCompleted(e) => (e.id, Some(&e.customer)),
        E::GroupGoalReached(e) => (e.id, None),
        E::GroupShareCollected(e) => (e.id, Some(&e.customer)),
        E::ParticipantPenalized(e) => (e.id, Some(&e.customer)),
        E::StakeWithdrawn(e) => (e.id, Some(&e.customer)),
        E::TaskRefunded(e) => (e.id, None),
    };
    keys.tasks.insert(i(id));
    if let Some(c) = customer {
        keys.participants.insert((i(id), ss58(c)));
    }
}

impl Batch {
    /// Applies one event of the tasks contract.
    pub(super) async fn tasks<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        event: TaskEvent,
    ) -> Result<(), DbErr> {
        use TaskEvent as E;
        // The contract moves this Time for the event (the one rule, on the
        // shared type); its `task_history` row records it.
        self.tasks.flow = event.time_flow();
        match event {
            E::TaskCreated(e) => self.task_created(at, e),
            E::TaskJoined(e) => self.task_joined(db, at, e).await?,
            E::ActionAttested(e) => self.action_attested(db, at, e).await?,
            E::TaskCompleted(e) => self.task_completed(db, at, e).await?,
            E::GroupGoalReached(e) => self.group_goal_reached(db, at, e).await?,
            E::GroupShareCollected(e) => self.group_share_collected(db, at, e).await?,
            E::ParticipantPenalized(e) => self.participant_penalized(db, at, e).await?,
            E::StakeWithdrawn(e) => self.stake_withdrawn(db, at, e).await?,
            E::TaskRefunded(e) => self.task_refunded(db, at, e).await?,
        }
        Ok(())
    }
}

/// `tasks.reward_kind` of a group goal.
const GROUP: &str = "Group";

/// One `task_history` row.
struct Moved<'a> {
    task: i64,
    event: &'a str,
    account: Option<String>,
}

impl Batch {
    fn task_history(&mut self, at: &Ctx, m: Moved<'_>) {
        self.tasks.task_history.push(task_history::Model {
            block_number: at.block,
            event_index: at.index,
            task_id: m.task,
            event: m.event.to_owned(),
            account: m.account,
            time_in: u(self.tasks.flow.0),
            time_out: u(self.tasks.flow.1),
            rule: None,
            evidence: None,
            timestamp: at.timestamp,
        });
    }

    fn last_task_history(&mut self) -> Option<&mut task_history::Model> {
        self.tasks.task_history.last_mut()
    }

    /// `f` on task `id`'s row, marked updated at this block; `None`, noted in
    /// `checks`, for a task the index does not know.
    async fn with_task<C: ConnectionTrait, R>(
        &mut self,
        db: &C,
        at: &Ctx,
        id: i64,
        (checks, what): (&mut Checks, &str),
        f: impl FnOnce(&mut tasks::Model, &mut Checks) -> R,
    ) -> Result<Option<R>, DbErr> {
        Ok(match load!(self.tasks.rows, db, tasks::Entity, id, id) {
            Some(t) => {
                let r = f(t, checks);
                t.updated_block = at.block;
                Some(r)
            }
            None => {
                checks.note(format!("{what}: unknown task"));
                None
            }
        })
    }

    /// `f` on the row of `customer` in task `id`, marked updated at this
    /// block; noted in `checks` if the index has no such participant.
    async fn with_participant<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        (id, customer): (i64, &str),
        (checks, what): (&mut Checks, &str),
        f: impl FnOnce(&mut task_participants::Model, &mut Checks),
    ) -> Result<(), DbErr> {
        let key = (id, customer.to_owned());
        match load!(
            self.tasks.participants,
            db,
            task_participants::Entity,
            key.clone(),
            key
        ) {
            Some(p) => {
                f(p, checks);
                p.updated_block = at.block;
            }
            None => checks.note(format!("{what}: not a participant")),
        }
        Ok(())
    }

    fn task_created(&mut self, at: &Ctx, e: TaskCreated) {
        let merchant = self.seen(&e.merchant, at.block);
        let t = &e.terms;
        for rule in &t.rules {
            if let Rule::Purchases(p) = rule {
                for m in &p.merchants {
                    self.seen(m, at.block);
                }
            }
        }
        let (reward_kind, reward_amount, reward_ppm) = match t.reward {
            Reward::Fixed(amount) => ("Fixed", Some(u(amount)), None),
            Reward::Multiple(ppm) => ("Multiple", None, Some(i64::from(ppm))),
            Reward::Group => (GROUP, None, None),
        };
        let (eligibility, min_purchases) = match t.eligibility {
            Eligibility::Anyone => ("Anyone", None),
            Eligibility::NewCustomers => ("NewCustomers", None),
            Eligibility::MinPurchases(n) => ("MinPurchases", Some(i64::from(n))),
        };
        let id = i(e.id);
        let row = tasks::Model {
            id,
            merchant: merchant.clone(),
            name: t.name.clone(),
            description_hash: hex0x(t.description_hash),
            mode: name(t.mode),
            rules: self.event_json(at, &["terms", "rules"]),
            reward_kind: reward_kind.into(),
            reward_amount,
            reward_ppm,
            eligibility: eligibility.into(),
            min_purchases,
            penalty: u(t.penalty),
            starts_at: i(t.start),
            ends_at: i(t.end),
            claim_ms: i(t.claim_ms),
            max_completions: t.max_completions.into(),
            created_at: i(e.at),
            escrow: u(e.escrow),
            pool: u(e.escrow),
            reserved: U128(0),
            paid: U128(0),
            refunded: U128(0),
            stakes: U128(0),
            participants: 0,
            completions: 0,
            group_share: U128(0),
            created_block: at.block,
            updated_block: at.block,
        };
        self.tasks.rows.insert(id, row);
        self.task_history(
            at,
            Moved {
                task: id,
                event: "TaskCreated",
                account: Some(merchant),
            },
        );
    }

    async fn task_joined<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: TaskJoined,
    ) -> Result<(), DbErr> {
        let customer = self.seen(&e.customer, at.block);
        let id = i(e.id);
        let mut checks = Checks::default();
        let what = format!("join of task {id} by {customer} at block {}", at.block);
        self.with_task(db, at, id, (&mut checks, &what), |t, checks| {
            checks.add(&mut t.stakes, e.stake, &what);
            t.participants += 1;
        })
        .await?;
        self.tasks.participants.insert(
            (id, customer.clone()),
            task_participants::Model {
                task_id: id,
                customer: customer.clone(),
                status: name(ParticipantStatus::Joined),
                joined_at: i(e.at),
                stake: u(e.stake),
                attested: 0,
                reward: U128(0),
                collected: false,
                updated_block: at.block,
            },
        );
        self.report(checks);
        self.task_history(
            at,
            Moved {
                task: id,
                event: "TaskJoined",
                account: Some(customer),
            },
        );
        Ok(())
    }

    async fn action_attested<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: ActionAttested,
    ) -> Result<(), DbErr> {
        let customer = self.seen(&e.customer, at.block);
        let id = i(e.id);
        let key = (id, customer.clone());
        match load!(
            self.tasks.participants,
            db,
            task_participants::Entity,
            key.clone(),
            key
        ) {
            // Rules are fewer than 8: the bit fits.
            Some(p) if e.rule < 8 => {
                p.attested |= 1 << e.rule;
                p.updated_block = at.block;
            }
            _ => self.inconsistent(format!(
                "attestation of rule {} of task {id} for {customer}: no such participant or rule",
                e.rule
            )),
        }
        self.task_history(
            at,
            Moved {
                task: id,
                event: "ActionAttested",
                account: Some(customer),
            },
        );
        if let Some(h) = self.last_task_history() {
            h.rule = Some(e.rule.into());
        }
        Ok(())
    }

    /// A completion pays its reward (for a group task: only the one that
    /// reaches the goal, its share; `GroupGoalReached` follows) and returns
    /// the deposit.
    async fn task_completed<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: TaskCompleted,
    ) -> Result<(), DbErr> {
        let customer = self.seen(&e.customer, at.block);
        let id = i(e.id);
        let mut checks = Checks::default();
        let what = format!(
            "completion of task {id} by {customer} at block {}",
            at.block
        );
        let group = self
            .with_task(db, at, id, (&mut checks, &what), |t, checks| {
                let group = t.reward_kind == GROUP;
                checks.sub(&mut t.stakes, e.stake_returned, &what);
                checks.add(&mut t.paid, e.reward, &what);
                if !group {
                    checks.sub(&mut t.pool, e.reward, &what);
                }
                checks.expect(&what, t.completions + 1, i64::from(e.completions));
                t.completions = e.completions.into();
                group
            })
            .await?
            .unwrap_or(false);
        self.with_participant(
            db,
            at,
            (id, &customer),
            (&mut checks, &what),
            |p, checks| {
                checks.expect(&what, p.stake.0, e.stake_returned);
                p.status = name(ParticipantStatus::Completed);
                p.stake = U128(0);
                p.reward = u(e.reward);
                // The completion that reaches a group goal collects at once.
                p.collected = group && e.reward > 0;
            },
        )
        .await?;
        self.report(checks);
        for receipt in &e.receipts {
            self.tasks.task_receipts.push(task_receipts::Model {
                task_id: id,
                receipt_id: i(*receipt),
                customer: customer.clone(),
                block_number: at.block,
            });
        }
        self.tasks.completions.push(task_completions::Model {
            block_number: at.block,
            event_index: at.index,
            task_id: id,
            customer: customer.clone(),
            receipts: serde_json::json!(e.receipts),
            qualifying_time: u(e.qualifying_time),
            reward: u(e.reward),
            stake_returned: u(e.stake_returned),
            completions: e.completions.into(),
            timestamp: at.timestamp,
        });
        self.task_history(
            at,
            Moved {
                task: id,
                event: "TaskCompleted",
                account: Some(customer),
            },
        );
        Ok(())
    }

    /// K completers reached a group goal: `share × K` leaves the pool, the
    /// completion just before was paid its share, the others' are reserved.
    async fn group_goal_reached<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: GroupGoalReached,
    ) -> Result<(), DbErr> {
        let id = i(e.id);
        let mut checks = Checks::default();
        let what = format!("group goal of task {id} at block {}", at.block);
        self.with_task(db, at, id, (&mut checks, &what), |t, checks| {
            let total = e.share.saturating_mul(e.completers.into());
            checks.sub(&mut t.pool, total, &what);
            let mut reserved = u(total);
            checks.sub(&mut reserved, e.share, &what);
            t.reserved = reserved;
            t.group_share = u(e.share);
        })
        .await?;
        self.report(checks);
        self.task_history(
            at,
            Moved {
                task: id,
                event: "GroupGoalReached",
                account: None,
            },
        );
        Ok(())
    }

    async fn group_share_collected<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: GroupShareCollected,
    ) -> Result<(), DbErr> {
        let customer = self.seen(&e.customer, at.block);
        let id = i(e.id);
        let mut checks = Checks::default();
        let what = format!(
            "group share of task {id} for {customer} at block {}",
            at.block
        );
        self.with_task(db, at, id, (&mut checks, &what), |t, checks| {
            checks.sub(&mut t.reserved, e.amount, &what);
            checks.add(&mut t.paid, e.amount, &what);
        })
        .await?;
        self.with_participant(db, at, (id, &customer), (&mut checks, &what), |p, _| {
            p.collected = true;
            p.reward = u(e.amount);
        })
        .await?;
        self.report(checks);
        self.task_history(
            at,
            Moved {
                task: id,
                event: "GroupShareCollected",
                account: Some(customer),
            },
        );
        Ok(())
    }

    /// The participant's deposit went to the ledger's reward pool; it is out.
    async fn participant_penalized<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: ParticipantPenalized,
    ) -> Result<(), DbErr> {
        let customer = self.seen(&e.customer, at.block);
        let id = i(e.id);
        self.stake_out(db, at, (id, &customer), e.forfeited, "penalty", |p| {
            p.status = name(ParticipantStatus::Penalized);
        })
        .await?;
        self.task_history(
            at,
            Moved {
                task: id,
                event: "ParticipantPenalized",
                account: Some(customer),
            },
        );
        if let Some(h) = self.last_task_history() {
            h.evidence = Some(hex0x(e.evidence));
        }
        Ok(())
    }

    async fn stake_withdrawn<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: StakeWithdrawn,
    ) -> Result<(), DbErr> {
        let customer = self.seen(&e.customer, at.block);
        let id = i(e.id);
        self.stake_out(db, at, (id, &customer), e.amount, "deposit", |_| {})
            .await?;
        self.task_history(
            at,
            Moved {
                task: id,
                event: "StakeWithdrawn",
                account: Some(customer),
            },
        );
        Ok(())
    }

    /// A participant's whole deposit (`amount`) leaves task `id` (`label`:
    /// penalty or withdrawal): the task's stakes and the participant's stake
    /// go down by it, checked; `mark` records why on the participant's row.
    async fn stake_out<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        (id, customer): (i64, &str),
        amount: u128,
        label: &str,
        mark: impl FnOnce(&mut task_participants::Model),
    ) -> Result<(), DbErr> {
        let what = &format!("{label} of {customer} in task {id} at block {}", at.block);
        let mut checks = Checks::default();
        self.with_task(db, at, id, (&mut checks, what), |t, checks| {
            checks.sub(&mut t.stakes, amount, what);
        })
        .await?;
        self.with_participant(db, at, (id, customer), (&mut checks, what), |p, checks| {
            checks.expect(what, p.stake.0, amount);
            mark(p);
            p.stake = U128(0);
        })
        .await?;
        self.report(checks);
        Ok(())
    }

    /// The unspent pool went back to the merchant.
    async fn task_refunded<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &Ctx,
        e: TaskRefunded,
    ) -> Result<(), DbErr> {
        let merchant = self.seen(&e.merchant, at.block);
        let id = i(e.id);
        let mut checks = Checks::default();
        let what = format!("refund of task {id} at block {}", at.block);
        self.with_task(db, at, id, (&mut checks, &what), |t, checks| {
            checks.expect(&what, t.pool.0, e.amount);
            checks.add(&mut t.refunded, e.amount, &what);
            t.pool = U128(0);
        })
        .await?;
        self.report(checks);
        self.task_history(
            at,
            Moved {
                task: id,
                event: "TaskRefunded",
                account: Some(merchant),
            },
        );
        Ok(())
    }
}
