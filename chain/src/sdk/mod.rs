//! The SDK: what a merchant, a customer or a voter does, as typed calls on
//! one signer's [`Session`] (the `bizkey` CLI is a thin shell over it; a till
//! uses [`pos::Pos`]).
//!
//! Every state change is an [`Action`]: built without touching the chain,
//! then [`Session::quote`]d (a dry run as the signer at the best block, with
//! the gas, storage deposit and fee it would cost; a contract's refusal comes
//! back as [`SdkError::Refused`] with the contract's own error, e.g.
//! `LedgerError::DuplicateOrder`), then [`Session::send`] (signed, waited for
//! in a block). [`Session::run`] does both. Reads are dry runs and need no
//! signature.
//!
//! ```no_run
//! # async fn demo() -> Result<(), bizkey_chain::sdk::SdkError> {
//! use bizkey_chain::{sdk::Session, Manifest};
//! let manifest = Manifest::load("deployment.json")?;
//! let key = bizkey_chain::accounts::keypair("//Bob")?;
//! let bob = Session::connect(&manifest, None, key).await?;
//! let (biz, time) = bob.run(bob.claim(u32::MAX)?).await?.value;
//! println!("claimed {biz} Biz and {time} Time");
//! # Ok(()) }
//! ```

pub mod pos;

use crate::accounts::{account_of, to_ink};
use crate::client::{Chain, Finality};
use crate::contract::{CallOutcome, Contract, Quote};
use crate::error::ChainError;
use crate::manifest::Manifest;
use crate::suite::Suite;
use bizkey_types::governance::{
    Action as Proposal, GovernanceError, Proposal as ProposalState, ProposalId, ProposalStatus,
};
use bizkey_types::ledger::{LedgerError, Order, Receipt, ReceiptId};
use bizkey_types::locking::{Lock, LockingError};
use bizkey_types::psp22::PSP22Error;
use bizkey_types::registry::{Merchant, MerchantProfile, RegistryError};
use bizkey_types::reviews::{Rating, Reaction, ReviewsError};
use bizkey_types::tasks::{TaskId, TaskTerms, TasksError};
use bizkey_types::{Balance, Hash};
use scale::{Decode, Encode};
use std::fmt::Debug;
use std::marker::PhantomData;
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;

/// A contract's refusal: the error its message returned, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Token(PSP22Error),
    Registry(RegistryError),
    Ledger(LedgerError),
    Locking(LockingError),
    Governance(GovernanceError),
    Tasks(TasksError),
    Reviews(ReviewsError),
}

impl std::fmt::Display for Refusal {
    /// The error's variant, as the contract declares it (`DuplicateOrder`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Token(e) => write!(f, "{e:?}"),
            Self::Registry(e) => write!(f, "{e:?}"),
            Self::Ledger(e) => write!(f, "{e:?}"),
            Self::Locking(e) => write!(f, "{e:?}"),
            Self::Governance(e) => write!(f, "{e:?}"),
            Self::Tasks(e) => write!(f, "{e:?}"),
            Self::Reviews(e) => write!(f, "{e:?}"),
        }
    }
}

macro_rules! refusal_from {
    ($($variant:ident($error:ty)),* $(,)?) => {$(
        impl From<$error> for Refusal {
            fn from(e: $error) -> Self {
                Self::$variant(e)
            }
        }
    )*};
}
refusal_from!(
    Token(PSP22Error),
    Registry(RegistryError),
    Ledger(LedgerError),
    Locking(LockingError),
    Governance(GovernanceError),
    Tasks(TasksError),
    Reviews(ReviewsError),
);

/// What can go wrong using the SDK.
#[derive(Debug, thiserror::Error)]
pub enum SdkError {
    /// The contract refused the call in the dry run; nothing was submitted.
    #[error("{contract}::{message} refused: {refusal}")]
    Refused {
        contract: String,
        message: String,
        refusal: Refusal,
    },
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// A receipt left `Open` otherwise than by confirmation.
    #[error("receipt #{id} was not confirmed: {outcome}")]
    NotConfirmed { id: ReceiptId, outcome: String },
    /// The index refused or could not take a receipt detail.
    #[error("posting the detail of receipt #{id} to {url}: {reason}")]
    Index {
        id: ReceiptId,
        url: String,
        reason: String,
    },
}

impl From<crate::ManifestError> for SdkError {
    fn from(e: crate::ManifestError) -> Self {
        Self::Chain(e.into())
    }
}

/// The SDK's result type.
pub type Result<T, E = SdkError> = std::result::Result<T, E>;

/// One contract call of a signer, encoded, not yet dry-run: its message
/// returns `Result<T, E>`.
#[derive(Debug, Clone)]
pub struct Action<T, E> {
    pub contract: Contract,
    pub call: crate::PreparedCall,
    returns: PhantomData<fn() -> (T, E)>,
}

impl<T, E> Action<T, E> {
    fn new(contract: &Contract, message: &str, args: &impl Encode) -> Result<Self> {
        Ok(Self {
            contract: contract.clone(),
            call: contract.prepare(message, args)?,
            returns: PhantomData,
        })
    }

    /// `contract::message`, for reports.
    pub fn label(&self) -> String {
        format!("{}::{}", self.contract.name, self.call.message)
    }
}

/// A dry-run action, ready to send: the decoded `Ok` value, gas, storage
/// deposit and fee are in `quote`.
#[derive(Debug, Clone)]
pub struct Quoted<T> {
    pub quote: Quote<T>,
}

impl<T> Quoted<T> {
    /// The value the call returns (as of the dry run).
    pub fn value(&self) -> &T {
        &self.quote.dry.value
    }
}

/// Balances of one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Balances {
    pub biz: Balance,
    pub time: Balance,
    /// Biz locked in `locking` (0 without it).
    pub locked: Balance,
}

/// One signer on a deployed suite.
#[derive(Clone)]
pub struct Session {
    pub chain: Chain,
    pub suite: Suite,
    key: Keypair,
    account: AccountId32,
}

impl std::fmt::Debug for Session {
    /// Never shows the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("node", &self.chain.url())
            .field("account", &self.account.to_string())
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Connects to the manifest's node (or `url`) as `key`, refusing a node
    /// of another chain.
    ///
    /// # Errors
    /// Connection errors; [`ChainError::Plan`] when the node's genesis is not
    /// the manifest's; bundle errors.
    pub async fn connect(manifest: &Manifest, url: Option<&str>, key: Keypair) -> Result<Self> {
        let chain = Chain::connect(url.unwrap_or(&manifest.node_url)).await?;
        if chain.genesis_hash() != manifest.genesis_hash {
            return Err(ChainError::Plan(format!(
                "the node at {} runs another chain than the manifest's (genesis {:?}, manifest {:?})",
                chain.url(),
                chain.genesis_hash(),
                manifest.genesis_hash
            ))
            .into());
        }
        Ok(Self::new(chain, Suite::load(manifest)?, key))
    }

    /// A session on a connected chain.
    pub fn new(chain: Chain, suite: Suite, key: Keypair) -> Self {
        let account = account_of(&key);
        Self {
            chain,
            suite,
            key,
            account,
        }
    }

    /// The signer's account.
    pub fn account(&self) -> &AccountId32 {
        &self.account
    }

    /// Dry-runs `action` as the signer: its value, gas, deposit and fee.
    ///
    /// # Errors
    /// [`SdkError::Refused`] with the contract's error when the message
    /// returns `Err`; chain errors (traps, out of gas, …).
    pub async fn quote<T: Decode + Debug, E: Decode + Debug + Into<Refusal>>(
        &self,
        action: Action<T, E>,
    ) -> Result<Quoted<T>> {
        let label = action.call.message.clone();
        let quote: Quote<std::result::Result<T, E>> = self
            .chain
            .quote(&self.key, &action.contract, action.call)
            .await?;
        let Quote {
            contract,
            call,
            dry,
            fee,
        } = quote;
        match dry.ok() {
            Ok(dry) => Ok(Quoted {
                quote: Quote {
                    contract,
                    call,
                    dry,
                    fee,
                },
            }),
            Err(e) => Err(SdkError::Refused {
                contract: contract.name,
                message: label,
                refusal: e.into(),
            }),
        }
    }

    /// Signs and submits a quoted action; waits for its block.
    ///
    /// # Errors
    /// Transaction and dispatch errors (the state moved since the quote).
    pub async fn send<T: Debug>(&self, quoted: Quoted<T>) -> Result<CallOutcome<T>> {
        Ok(self
            .chain
            .send_quote(&self.key, quoted.quote, Finality::InBlock)
            .await?)
    }

    /// [`quote`](Self::quote) then [`send`](Self::send).
    ///
    /// # Errors
    /// As both.
    pub async fn run<T: Decode + Debug, E: Decode + Debug + Into<Refusal>>(
        &self,
        action: Action<T, E>,
    ) -> Result<CallOutcome<T>> {
        let quoted = self.quote(action).await?;
        self.send(quoted).await
    }

    /// A read (dry run as the signer).
    async fn read<R: Decode>(
        &self,
        contract: &Contract,
        message: &str,
        args: &impl Encode,
    ) -> Result<R> {
        Ok(self
            .chain
            .dry_run::<R>(&self.account, contract, message, args)
            .await?
            .value)
    }

    // Merchants.

    /// Registers the signer as a merchant (pending verification), accepting
    /// up to `time_share_ppm` of a sale in Time.
    pub fn register_merchant(
        &self,
        profile: MerchantProfile,
        referrer: Option<&AccountId32>,
        time_share_ppm: u32,
    ) -> Result<Action<(), RegistryError>> {
        Action::new(
            &self.suite.registry,
            "register_merchant",
            &(profile, referrer.map(to_ink), time_share_ppm),
        )
    }

    /// The merchant records a sale; the customer confirms it.
    pub fn record(
        &self,
        customer: &AccountId32,
        order: Order,
    ) -> Result<Action<ReceiptId, LedgerError>> {
        Action::new(&self.suite.ledger, "record", &(to_ink(customer), order))
    }

    /// The counter-party of the opener confirms an open receipt.
    pub fn confirm(&self, id: ReceiptId) -> Result<Action<(), LedgerError>> {
        Action::new(&self.suite.ledger, "confirm", &id)
    }

    /// The opener cancels an open receipt.
    pub fn cancel(&self, id: ReceiptId) -> Result<Action<(), LedgerError>> {
        Action::new(&self.suite.ledger, "cancel", &id)
    }

    /// Claims up to `max` matured rewards: (Biz, Time) paid.
    pub fn claim(&self, max: u32) -> Result<Action<(Balance, Balance), LedgerError>> {
        Action::new(&self.suite.ledger, "claim", &max)
    }

    /// Rates the other side of a confirmed receipt (a customer rates the
    /// merchant, a merchant its customer).
    pub fn rate(
        &self,
        id: ReceiptId,
        rating: Rating,
        comment: Option<Hash>,
    ) -> Result<Action<(), ReviewsError>> {
        Action::new(self.suite.reviews()?, "rate", &(id, rating, comment))
    }

    /// Reacts to a receipt (a like, a comment's hash, a merchant's reply …).
    pub fn react(
        &self,
        id: ReceiptId,
        kind: Reaction,
        content: Hash,
    ) -> Result<Action<(), ReviewsError>> {
        Action::new(self.suite.reviews()?, "react", &(id, kind, content))
    }

    // Customers.

    /// Registers the signer as a customer, with a referrer or none.
    pub fn register_customer(
        &self,
        referrer: Option<&AccountId32>,
    ) -> Result<Action<(), RegistryError>> {
        Action::new(
            &self.suite.registry,
            "register_customer",
            &referrer.map(to_ink),
        )
    }

    /// The customer opens a receipt; the merchant confirms it.
    pub fn open(
        &self,
        merchant: &AccountId32,
        order: Order,
    ) -> Result<Action<ReceiptId, LedgerError>> {
        Action::new(&self.suite.ledger, "open", &(to_ink(merchant), order))
    }

    /// Lets `spender` move up to `value` of the signer's `token`.
    pub fn approve(
        &self,
        token: &Contract,
        spender: &AccountId32,
        value: Balance,
    ) -> Result<Action<(), PSP22Error>> {
        Action::new(token, "PSP22::approve", &(to_ink(spender), value))
    }

    /// The approval a Time payment needs: the ledger moves the Time on
    /// confirmation. `None` when the allowance covers `time` already.
    pub async fn time_payment_approval(
        &self,
        time: Balance,
    ) -> Result<Option<Action<(), PSP22Error>>> {
        self.approval(&self.suite.tt, &self.suite.ledger.address, time)
            .await
    }

    /// An approval of `spender` on `token` for `amount`, unless the
    /// allowance covers it already.
    pub async fn approval(
        &self,
        token: &Contract,
        spender: &AccountId32,
        amount: Balance,
    ) -> Result<Option<Action<(), PSP22Error>>> {
        let allowance: Balance = self
            .read(
                token,
                "PSP22::allowance",
                &(to_ink(&self.account), to_ink(spender)),
            )
            .await?;
        if allowance >= amount {
            return Ok(None);
        }
        self.approve(token, spender, amount).map(Some)
    }

    // Voters.

    /// Locks `amount` Biz for the lock tier `tier` (needs an approval of
    /// `locking` on Biz: [`approval`](Self::approval)).
    pub fn lock(&self, amount: Balance, tier: u8) -> Result<Action<(), LockingError>> {
        Action::new(self.suite.locking()?, "lock", &(amount, tier))
    }

    /// Returns the locked Biz after the lock's term.
    pub fn unlock(&self) -> Result<Action<(), LockingError>> {
        Action::new(self.suite.locking()?, "unlock", &())
    }

    /// Proposes `action`; `description` is the blake2-256 of its text.
    pub fn propose(
        &self,
        action: Proposal,
        description: Hash,
    ) -> Result<Action<ProposalId, GovernanceError>> {
        Action::new(self.suite.governance()?, "propose", &(action, description))
    }

    /// Votes on a proposal with the signer's lock weight.
    pub fn vote(&self, id: ProposalId, support: bool) -> Result<Action<(), GovernanceError>> {
        Action::new(self.suite.governance()?, "vote", &(id, support))
    }

    /// Executes a passed proposal once its delay is over (anyone may).
    pub fn execute(&self, id: ProposalId) -> Result<Action<(), GovernanceError>> {
        Action::new(self.suite.governance()?, "execute", &id)
    }

    // Tasks.

    /// Publishes a task, escrowing `escrow` Time (needs an approval of
    /// `tasks` on Time).
    pub fn publish_task(
        &self,
        terms: TaskTerms,
        escrow: Balance,
    ) -> Result<Action<TaskId, TasksError>> {
        Action::new(self.suite.tasks()?, "create_task", &(terms, escrow))
    }

    /// Joins a task, with receipts as proof where its eligibility asks.
    pub fn join_task(&self, id: TaskId, proof: Vec<ReceiptId>) -> Result<Action<(), TasksError>> {
        Action::new(self.suite.tasks()?, "join", &(id, proof))
    }

    /// Claims a task's reward with the receipts that complete it.
    pub fn claim_task(
        &self,
        id: TaskId,
        receipts: Vec<ReceiptId>,
    ) -> Result<Action<Balance, TasksError>> {
        Action::new(self.suite.tasks()?, "claim", &(id, receipts))
    }

    // Reads.

    /// Biz, Time and locked Biz of `account`.
    pub async fn balances(&self, account: &AccountId32) -> Result<Balances> {
        let of = to_ink(account);
        let locked = match &self.suite.locking {
            Some(locking) => self
                .read::<Option<Lock>>(locking, "lock_of", &of)
                .await?
                .map_or(0, |l| l.amount),
            None => 0,
        };
        Ok(Balances {
            biz: self.read(&self.suite.bt, "PSP22::balance_of", &of).await?,
            time: self.read(&self.suite.tt, "PSP22::balance_of", &of).await?,
            locked,
        })
    }

    /// A receipt, if it exists.
    pub async fn receipt(&self, id: ReceiptId) -> Result<Option<Receipt>> {
        self.read(&self.suite.ledger, "LedgerApi::receipt", &id)
            .await
    }

    /// What `account` could claim now (Biz, Time): a dry run of its claim.
    pub async fn claimable(&self, account: &AccountId32) -> Result<(Balance, Balance)> {
        let dry = self
            .chain
            .dry_run::<std::result::Result<(Balance, Balance), LedgerError>>(
                account,
                &self.suite.ledger,
                "claim",
                &u32::MAX,
            )
            .await?;
        match dry.value {
            Ok(claim) => Ok(claim),
            Err(LedgerError::NothingToClaim) => Ok((0, 0)),
            Err(e) => Err(SdkError::Refused {
                contract: self.suite.ledger.name.clone(),
                message: "claim".into(),
                refusal: e.into(),
            }),
        }
    }

    /// A proposal and its status now.
    pub async fn proposal(
        &self,
        id: ProposalId,
    ) -> Result<Option<(ProposalState, ProposalStatus)>> {
        self.read(self.suite.governance()?, "proposal", &id).await
    }

    /// A merchant's registration.
    pub async fn merchant(&self, account: &AccountId32) -> Result<Option<Merchant>> {
        self.read(&self.suite.registry, "merchant", &to_ink(account))
            .await
    }

    /// The block time of the best block (ms): what the contracts see now.
    pub async fn now(&self) -> Result<u64> {
        let (_, hash) = self.chain.best_block().await?;
        Ok(self.chain.block_timestamp(hash).await?)
    }
}
