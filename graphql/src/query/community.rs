//! The community: tasks and their participants, proposals and votes, super
//! nodes, vesting.

use super::{db, load_many};
use crate::enums::{
    self, Allocation, CandidateStatus, ParticipantStatus, ProposalStatus, RuleMode,
};
use crate::error::ApiResult;
use crate::filter::{all_of, enum_filter, AccountFilter, IntFilter};
use crate::page::{connection, page, PageArgs, Sort};
use crate::scalar::Amount;
use async_graphql::{Context, InputObject, Object, SimpleObject};
use bizkey_store::entity::{
    proposal_votes, proposals, super_node_candidates, task_participants, tasks, vesting_schedules,
};
use bizkey_types::{governance, super_nodes, tasks as task_types, vesting};
use sea_orm::{Condition, EntityTrait, QueryFilter, QueryOrder};

/// A Time-funded task a merchant published.
#[derive(Clone)]
pub struct Task(pub tasks::Model);

/// A customer in a task.
#[derive(SimpleObject, Clone, Debug)]
pub struct Participant {
    pub customer: String,
    pub status: ParticipantStatus,
    pub joined_at: i64,
    pub stake: Amount,
    pub reward: Amount,
    pub collected: bool,
}

#[Object]
impl Task {
    async fn id(&self) -> i64 {
        self.0.id
    }
    async fn merchant(&self) -> &str {
        &self.0.merchant
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description_hash(&self) -> &str {
        &self.0.description_hash
    }
    async fn mode(&self) -> ApiResult<RuleMode> {
        enums::parse::<task_types::RuleMode, _>("tasks.mode", &self.0.mode)
    }
    /// The rules, as the contract's event carried them.
    async fn rules(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(self.0.rules.clone())
    }
    /// Fixed or Multiple.
    async fn reward_kind(&self) -> &str {
        &self.0.reward_kind
    }
    async fn reward_amount(&self) -> Option<Amount> {
        self.0.reward_amount.map(Amount::from)
    }
    async fn reward_ppm(&self) -> Option<i64> {
        self.0.reward_ppm
    }
    async fn eligibility(&self) -> &str {
        &self.0.eligibility
    }
    async fn starts_at(&self) -> i64 {
        self.0.starts_at
    }
    async fn ends_at(&self) -> i64 {
        self.0.ends_at
    }
    async fn max_completions(&self) -> i64 {
        self.0.max_completions
    }
    /// Time left to pay out.
    async fn pool(&self) -> Amount {
        self.0.pool.into()
    }
    async fn paid(&self) -> Amount {
        self.0.paid.into()
    }
    async fn completions(&self) -> i64 {
        self.0.completions
    }
    /// Every participant (batched).
    async fn participants(&self, ctx: &Context<'_>) -> ApiResult<Vec<Participant>> {
        let rows = load_many::<task_participants::Entity, i64>(ctx, self.0.id).await?;
        rows.into_iter()
            .map(|p| {
                Ok(Participant {
                    status: enums::parse::<task_types::ParticipantStatus, _>(
                        "task_participants.status",
                        &p.status,
                    )?,
                    customer: p.customer,
                    joined_at: p.joined_at,
                    stake: p.stake.into(),
                    reward: p.reward.into(),
                    collected: p.collected,
                })
            })
            .collect()
    }
}

/// A governance proposal with its tally.
#[derive(Clone)]
pub struct Proposal(pub proposals::Model);

/// One vote.
#[derive(SimpleObject, Clone, Debug)]
pub struct Vote {
    pub voter: String,
    pub support: bool,
    pub weight: Amount,
    pub timestamp: i64,
}

#[Object]
impl Proposal {
    async fn id(&self) -> i64 {
        self.0.id
    }
    async fn proposer(&self) -> &str {
        &self.0.proposer
    }
    /// ElectSuperNode, SetLedgerParams, TreasurySpend, …
    async fn action_kind(&self) -> &str {
        &self.0.action_kind
    }
    async fn action(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(self.0.action.clone())
    }
    async fn description_hash(&self) -> &str {
        &self.0.description
    }
    async fn created_at(&self) -> i64 {
        self.0.created_at
    }
    async fn voting_end(&self) -> i64 {
        self.0.voting_end
    }
    async fn executable_at(&self) -> i64 {
        self.0.executable_at
    }
    async fn expires_at(&self) -> i64 {
        self.0.expires_at
    }
    async fn quorum(&self) -> Amount {
        self.0.quorum.into()
    }
    async fn threshold_ppm(&self) -> i64 {
        self.0.threshold_ppm
    }
    async fn votes_for(&self) -> Amount {
        self.0.votes_for.into()
    }
    async fn votes_against(&self) -> Amount {
        self.0.votes_against.into()
    }
    async fn voters(&self) -> i64 {
        self.0.voters
    }
    /// The votes reach quorum and threshold.
    async fn passed(&self) -> bool {
        self.0.passed
    }
    async fn executed(&self) -> bool {
        self.0.executed
    }
    async fn vetoed(&self) -> bool {
        self.0.vetoed
    }
    /// The status at `at` (ms; default now), by the contract's own rule
    /// (`bizkey_types::governance::Proposal::status`).
    async fn status(&self, at: Option<i64>) -> ProposalStatus {
        let p = &self.0;
        let ms = |v: i64| v.max(0) as u64;
        let rule = governance::Proposal {
            proposer: bizkey_types::AccountId::from([0; 32]),
            // The status depends on times, votes and flags only.
            action: governance::Action::AdvancePhase(governance::Phase::Military),
            description: Default::default(),
            created_at: ms(p.created_at),
            voting_end: ms(p.voting_end),
            executable_at: ms(p.executable_at),
            expires_at: ms(p.expires_at),
            quorum: p.quorum.0,
            threshold_ppm: u32::try_from(p.threshold_ppm).unwrap_or(u32::MAX),
            votes_for: p.votes_for.0,
            votes_against: p.votes_against.0,
            executed: p.executed,
            vetoed: p.vetoed,
        };
        rule.status(ms(at.unwrap_or_else(bizkey_store::now_ms)))
            .into()
    }
    /// Every vote, in chain order (batched).
    async fn votes(&self, ctx: &Context<'_>) -> ApiResult<Vec<Vote>> {
        let rows = load_many::<proposal_votes::Entity, i64>(ctx, self.0.id).await?;
        Ok(rows
            .into_iter()
            .map(|v| Vote {
                voter: v.voter,
                support: v.support,
                weight: v.weight.into(),
                timestamp: v.timestamp,
            })
            .collect())
    }
}

/// A super-node candidate or elected super node.
#[derive(SimpleObject, Clone, Debug)]
pub struct SuperNode {
    pub account: String,
    /// Region, Industry or Platform.
    pub scope_kind: String,
    pub scope: String,
    pub bond: Amount,
    pub status: CandidateStatus,
    pub unbonding_until: Option<i64>,
}

/// A vesting allocation.
#[derive(SimpleObject, Clone, Debug)]
pub struct VestingSchedule {
    pub allocation: Allocation,
    pub beneficiary: Option<String>,
    pub amount: Amount,
    pub released: Amount,
}

connection!(TaskConnection, TaskEdge, Task);
connection!(ProposalConnection, ProposalEdge, Proposal);

/// Which tasks to list.
#[derive(InputObject, Clone, Debug, Default)]
pub struct TaskFilter {
    pub id: Option<IntFilter>,
    pub merchant: Option<AccountFilter>,
    pub starts_at: Option<IntFilter>,
    pub ends_at: Option<IntFilter>,
}

/// Which proposals to list.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ProposalFilter {
    pub id: Option<IntFilter>,
    pub proposer: Option<AccountFilter>,
    pub voting_end: Option<IntFilter>,
    pub executed: Option<bool>,
}

enum_filter!(
    CandidateStatusFilter,
    CandidateStatus,
    super_nodes::CandidateStatus
);

impl TaskFilter {
    fn condition(&self) -> ApiResult<Condition> {
        use tasks::Column as C;
        all_of([
            self.id.as_ref().map(|f| f.condition(C::Id)),
            self.merchant.as_ref().map(|f| f.condition(C::Merchant)),
            self.starts_at.as_ref().map(|f| f.condition(C::StartsAt)),
            self.ends_at.as_ref().map(|f| f.condition(C::EndsAt)),
        ])
    }
}

impl ProposalFilter {
    fn condition(&self) -> ApiResult<Condition> {
        use proposals::Column as C;
        all_of([
            self.id.as_ref().map(|f| f.condition(C::Id)),
            self.proposer.as_ref().map(|f| f.condition(C::Proposer)),
            self.voting_end.as_ref().map(|f| f.condition(C::VotingEnd)),
            self.executed
                .map(|e| Ok(sea_orm::ColumnTrait::eq(&C::Executed, e).into())),
        ])
    }
}

#[derive(Default)]
pub struct CommunityQuery;

#[Object]
impl CommunityQuery {
    /// Tasks, newest first.
    #[graphql(complexity = "super::list_complexity(first, last, child_complexity)")]
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        filter: Option<TaskFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<TaskConnection> {
        let c = filter
            .as_ref()
            .map(TaskFilter::condition)
            .transpose()?
            .unwrap_or_else(Condition::all);
        let args = PageArgs::new(first, after, last, before);
        let sort = Sort::newest(tasks::Column::Id);
        let p = page(db(ctx), tasks::Entity::find().filter(c), sort, args).await?;
        Ok(TaskConnection(p.map(Task)))
    }

    async fn task(&self, ctx: &Context<'_>, id: i64) -> ApiResult<Option<Task>> {
        Ok(tasks::Entity::find_by_id(id).one(db(ctx)).await?.map(Task))
    }

    /// Proposals, newest first.
    #[graphql(complexity = "super::list_complexity(first, last, child_complexity)")]
    async fn proposals(
        &self,
        ctx: &Context<'_>,
        filter: Option<ProposalFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<ProposalConnection> {
        let c = filter
            .as_ref()
            .map(ProposalFilter::condition)
            .transpose()?
            .unwrap_or_else(Condition::all);
        let args = PageArgs::new(first, after, last, before);
        let sort = Sort::newest(proposals::Column::Id);
        let p = page(db(ctx), proposals::Entity::find().filter(c), sort, args).await?;
        Ok(ProposalConnection(p.map(Proposal)))
    }

    async fn proposal(&self, ctx: &Context<'_>, id: i64) -> ApiResult<Option<Proposal>> {
        Ok(proposals::Entity::find_by_id(id)
            .one(db(ctx))
            .await?
            .map(Proposal))
    }

    /// Super-node candidates and super nodes.
    async fn super_nodes(
        &self,
        ctx: &Context<'_>,
        status: Option<CandidateStatusFilter>,
    ) -> ApiResult<Vec<SuperNode>> {
        use super_node_candidates::Column as C;
        let mut q = super_node_candidates::Entity::find();
        if let Some(f) = status {
            q = q.filter(f.condition(C::Status)?);
        }
        let rows = q.order_by_asc(C::Account).all(db(ctx)).await?;
        rows.into_iter()
            .map(|s| {
                Ok(SuperNode {
                    status: enums::parse::<super_nodes::CandidateStatus, _>(
                        "super_node_candidates.status",
                        &s.status,
                    )?,
                    account: s.account,
                    scope_kind: s.scope_kind,
                    scope: s.scope,
                    bond: s.bond.into(),
                    unbonding_until: s.unbonding_until,
                })
            })
            .collect()
    }

    /// The four BT allocations of the vesting contract.
    async fn vesting(&self, ctx: &Context<'_>) -> ApiResult<Vec<VestingSchedule>> {
        let rows = vesting_schedules::Entity::find().all(db(ctx)).await?;
        rows.into_iter()
            .map(|v| {
                Ok(VestingSchedule {
                    allocation: enums::parse::<vesting::Allocation, _>(
                        "vesting_schedules.allocation",
                        &v.allocation,
                    )?,
                    beneficiary: v.beneficiary,
                    amount: v.amount.into(),
                    released: v.released.into(),
                })
            })
            .collect()
    }
}
