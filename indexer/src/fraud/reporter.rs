//! The reporter: on-chain flags of the pending rows, the start-up role check, failures.

use super::{status, FraudError};
use crate::metrics::Metrics;
use bizkey_chain::{Chain, Contract, Finality, Keypair};
use bizkey_store::entity::{fraud_scores, receipts};
use bizkey_types::ledger::{LedgerError, LedgerParams, ReceiptId, ReceiptStatus};
use bizkey_types::roles::Role;
use bizkey_types::Named;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// How often the running reporter re-reads the ledger's params.
pub const PARAMS_REFRESH: Duration = Duration::from_secs(60);

/// The receipt id of the start-up authorisation probe: a ledger counts its
/// ids up from 0 and never reaches it (and the authorisation is checked
/// before the id is looked up anyway).
const PROBE_RECEIPT: ReceiptId = ReceiptId::MAX;

/// The reporter: flags `pending` receipts on the ledger with its key.
pub struct Reporter {
    pub db: DatabaseConnection,
    pub node_url: String,
    pub key: Keypair,
    pub ledger: Contract,
    pub notify: Arc<Notify>,
    /// Wait between rounds when nothing wakes it (retries of failed flags).
    pub retry: Duration,
    /// Flag failures and the challenge window go here (shared with the
    /// follower's, so `/health` sees them).
    pub metrics: Arc<Metrics>,
}

/// What one flag attempt settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// New status and the block of our flag.
    Settled(&'static str, Option<String>),
    /// Still pending; the error to record.
    Failed(String),
    /// Still pending, and not a failure: the chain has settled the receipt
    /// in a block the index has not reached, so whose flag it was is not
    /// known yet.
    Deferred(String),
}

impl Reporter {
    /// The reporter's account (SS58).
    pub fn account(&self) -> String {
        bizkey_chain::accounts::account_of(&self.key).to_string()
    }

    /// The start-up check (see the module docs): the ledger accepts this
    /// key's flags; returns the ledger's params and records their challenge
    /// window in the metrics.
    ///
    /// # Errors
    /// [`FraudError::MissingRole`] when the ledger would refuse the key's
    /// flags; [`FraudError::Chain`] when the node cannot answer.
    pub async fn check(&self, chain: &Chain) -> Result<LedgerParams, FraudError> {
        let me = bizkey_chain::accounts::account_of(&self.key);
        let probe = chain
            .dry_run::<Result<(), LedgerError>>(
                &me,
                &self.ledger,
                "flag",
                &(PROBE_RECEIPT, bizkey_types::Hash::from([0u8; 32])),
            )
            .await?;
        if probe.value == Err(LedgerError::Unauthorized) {
            return Err(FraudError::MissingRole {
                account: me.to_string(),
                role: Role::Reporter,
                contract: self.ledger.name.clone(),
                address: self.ledger.address.to_string(),
            });
        }
        self.refresh_params(chain).await
    }

    /// Reads the ledger's params into [`Metrics::challenge_ms`].
    ///
    /// # Errors
    /// [`FraudError::Chain`] when the node cannot answer.
    pub async fn refresh_params(&self, chain: &Chain) -> Result<LedgerParams, FraudError> {
        let me = bizkey_chain::accounts::account_of(&self.key);
        let params = chain
            .dry_run::<LedgerParams>(&me, &self.ledger, "params", &())
            .await?
            .value;
        let before = self
            .metrics
            .challenge_ms
            .swap(params.challenge_ms, std::sync::atomic::Ordering::Relaxed);
        if before != params.challenge_ms {
            tracing::info!(
                challenge_ms = params.challenge_ms,
                "reporter: the ledger's challenge window"
            );
        }
        Ok(params)
    }

    /// Runs until `shutdown`: a round over the pending rows whenever the
    /// scorer signals, and every `retry` for the ones that failed; the
    /// ledger's params every [`PARAMS_REFRESH`].
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut chain: Option<Chain> = None;
        let mut params_read: Option<tokio::time::Instant> = None;
        loop {
            if *shutdown.borrow() {
                return;
            }
            if chain.is_none() {
                match Chain::connect(&self.node_url).await {
                    Ok(c) => chain = Some(c),
                    Err(e) => tracing::warn!("reporter: node {}: {e}; retrying", self.node_url),
                }
            }
            if let Some(c) = &chain {
                if params_read.is_none_or(|t| t.elapsed() >= PARAMS_REFRESH) {
                    match self.refresh_params(c).await {
                        Ok(_) => params_read = Some(tokio::time::Instant::now()),
                        Err(e) => tracing::warn!("reporter: reading the ledger's params: {e}"),
                    }
                }
                if let Err(e) = self.round(c).await {
                    tracing::warn!("reporter: {e}; retrying");
                    chain = None;
                }
            }
            tokio::select! {
                _ = self.notify.notified() => {}
                _ = tokio::time::sleep(self.retry) => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    /// One pass over the pending rows, oldest first.
    ///
    /// # Errors
    /// Database errors and lost node connections (the caller reconnects);
    /// refused flags are recorded on their rows instead.
    pub async fn round(&self, chain: &Chain) -> Result<usize, RoundError> {
        let pending = fraud_scores::Entity::find()
            .filter(fraud_scores::Column::Status.eq(status::PENDING))
            .order_by_asc(fraud_scores::Column::Seq)
            .limit(256)
            .all(&self.db)
            .await?;
        let mut settled = 0;
        for row in pending {
            let outcome = match self.flag(chain, &row).await {
                Ok(o) => o,
                Err(e) => {
                    tracing::warn!(receipt = row.receipt_id, error = %e, "reporter: flag failed");
                    self.metrics.flag_failed(&e.to_string());
                    return Err(e);
                }
            };
            let mut m = row.clone().into_active_model();
            m.attempts = Set(row.attempts + 1);
            match &outcome {
                Outcome::Settled(s, block) => {
                    tracing::info!(receipt = row.receipt_id, status = s, "reporter: settled");
                    m.status = Set((*s).to_owned());
                    m.flag_block = Set(block.clone());
                    self.metrics.flag_settled();
                    settled += 1;
                }
                Outcome::Failed(e) => {
                    tracing::warn!(receipt = row.receipt_id, error = %e, "reporter: flag failed");
                    self.metrics.flag_failed(e);
                    m.last_error = Set(Some(e.clone()));
                }
                Outcome::Deferred(e) => {
                    tracing::debug!(
                        receipt = row.receipt_id,
                        "reporter: {e}; asking again later"
                    );
                    m.last_error = Set(Some(e.clone()));
                }
            }
            m.update(&self.db).await?;
        }
        Ok(settled)
    }

    /// Flags one receipt: a dry run first, so a closed window or a receipt
    /// no longer confirmed is recorded without a transaction.
    ///
    /// # Errors
    /// Connection and database failures (retried by the caller).
    pub async fn flag(
        &self,
        chain: &Chain,
        row: &fraud_scores::Model,
    ) -> Result<Outcome, RoundError> {
        let id = u64::try_from(row.receipt_id).unwrap_or(u64::MAX);
        let evidence = parse_hash(&row.features_hash);
        let me = bizkey_chain::accounts::account_of(&self.key);
        let args = (id, bizkey_types::Hash::from(evidence));
        let dry = match chain
            .dry_run::<Result<(), LedgerError>>(&me, &self.ledger, "flag", &args)
            .await
        {
            Ok(d) => d,
            Err(e) if is_connection(&e) => return Err(RoundError::Chain(e)),
            Err(e) => return Ok(Outcome::Failed(e.to_string())),
        };
        match dry.value {
            Err(LedgerError::WindowClosed) => return Ok(Outcome::Settled(status::TOO_LATE, None)),
            Err(LedgerError::NotConfirmed) => {
                let local = receipts::Entity::find_by_id(row.receipt_id)
                    .one(&self.db)
                    .await?;
                if local
                    .as_ref()
                    .is_some_and(|r| r.status == ReceiptStatus::Confirmed.as_str())
                {
                    // Flagged or refunded on chain in a block the index has
                    // not reached yet (a catch-up): who did it is known
                    // only from that block's event, so ask again later.
                    return Ok(Outcome::Deferred(
                        "flagged or refunded on chain; the index has not reached that block yet"
                            .into(),
                    ));
                }
                let ours = local.is_some_and(|r| {
                    r.status == ReceiptStatus::Flagged.as_str()
                        && r.flagged_by.as_deref() == Some(&self.account())
                });
                let s = if ours {
                    status::FLAGGED
                } else {
                    status::NOT_CONFIRMED
                };
                return Ok(Outcome::Settled(s, None));
            }
            Err(e) => return Ok(Outcome::Failed(format!("ledger refuses the flag: {e:?}"))),
            Ok(()) => {}
        }
        match chain
            .call::<Result<(), LedgerError>>(
                &self.key,
                &self.ledger,
                "flag",
                &args,
                Finality::InBlock,
            )
            .await
        {
            Ok(out) => match out.value {
                Ok(()) => Ok(Outcome::Settled(
                    status::FLAGGED,
                    Some(format!("{:?}", out.included.block_hash)),
                )),
                Err(e) => Ok(Outcome::Failed(format!("ledger refused the flag: {e:?}"))),
            },
            Err(e) if is_connection(&e) => Err(RoundError::Chain(e)),
            Err(e) => Ok(Outcome::Failed(e.to_string())),
        }
    }
}

fn is_connection(e: &bizkey_chain::ChainError) -> bool {
    use bizkey_chain::ChainError as E;
    matches!(
        e,
        E::Connect { .. } | E::Subxt(_) | E::StreamEnded(_) | E::Transaction { .. }
    )
}

pub(super) fn parse_hash(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    if let Ok(v) = hex::decode(s.trim_start_matches("0x")) {
        if v.len() == 32 {
            out.copy_from_slice(&v);
        }
    }
    out
}

/// Why a reporter round stopped early.
#[derive(Debug, thiserror::Error)]
pub enum RoundError {
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error("node: {0}")]
    Chain(bizkey_chain::ChainError),
}
