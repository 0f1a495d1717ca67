//! The connection to the node: blocks, balances, signed extrinsics, contract
//! upload / instantiation / calls / dry runs.

use crate::bundle::ContractBundle;
use crate::contract::{
    CallOutcome, Contract, ContractEvent, DryRun, Gas, Included, PreparedCall, Quote,
};
use crate::error::{ChainError, Result};
use crate::node::{
    self,
    runtime_types::{
        contracts_node_runtime::RuntimeEvent,
        pallet_contracts::pallet::Event as ContractsEvent,
        pallet_contracts::primitives::{Code, ContractResult, StorageDeposit as RawDeposit},
        sp_runtime::DispatchError as RawDispatchError,
        sp_weights::weight_v2::Weight,
    },
};
use scale::{Decode, Encode};
use std::fmt::Debug;
use std::time::Duration;
use subxt::backend::legacy::LegacyRpcMethods;
use subxt::config::DefaultExtrinsicParamsBuilder;
use subxt::tx::{Payload, TxStatus};
use subxt::utils::{AccountId32, MultiAddress, H256};
use subxt::OnlineClient;
use subxt_signer::sr25519::Keypair;

/// The node's configuration: sr25519/`MultiSignature`, `AccountId32`,
/// `MultiAddress<AccountId32, ()>`, BlakeTwo256, `u32` block numbers: the
/// same as Polkadot's.
pub type ChainConfig = subxt::PolkadotConfig;
/// A subxt client for the node.
pub type Client = OnlineClient<ChainConfig>;

/// How long a signed extrinsic waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Finality {
    /// Included in the best block (instant on the dev node).
    #[default]
    InBlock,
    /// Finalized (on the dev node `--finalize-delay-sec` after inclusion).
    Finalized,
}

/// The result of instantiating a contract.
#[derive(Debug, Clone)]
pub struct Instantiated {
    pub address: AccountId32,
    pub code_hash: H256,
    pub included: Included,
}

/// A connected chain client.
#[derive(Clone)]
pub struct Chain {
    api: Client,
    rpc: LegacyRpcMethods<ChainConfig>,
    url: String,
}

/// Extra gas on top of a dry run's `gas_required`, in percent: state may move
/// between the dry run and inclusion (e.g. a storage item created meanwhile).
const GAS_MARGIN_PERCENT: u64 = 10;

/// Most transfers in one funding `Utility::batch_all` ([`Chain::fund_each`]):
/// the load generator's batches of 200 are well inside a dev node's block.
pub const FUND_BATCH: usize = 200;

impl Chain {
    /// Connects to `url` (`ws://` or `http://`; loopback URLs are fine).
    ///
    /// # Errors
    /// [`ChainError::Connect`] when the node does not answer.
    pub async fn connect(url: &str) -> Result<Self> {
        let connect_err = |e: subxt::Error| ChainError::Connect {
            url: url.into(),
            source: Box::new(e),
        };
        let rpc_client = crate::rpc::rpc_client(url)
            .await
            .map_err(|e| connect_err(e.into()))?;
        let api = Client::from_rpc_client(rpc_client.clone())
            .await
            .map_err(connect_err)?;
        Ok(Self {
            api,
            rpc: LegacyRpcMethods::new(rpc_client),
            url: url.into(),
        })
    }

    /// Connects, retrying until the node answers or `timeout` passes (a node
    /// that was just started opens its RPC port after a few seconds).
    ///
    /// # Errors
    /// The last [`ChainError::Connect`] once `timeout` has passed.
    pub async fn connect_with_retry(url: &str, timeout: Duration) -> Result<Self> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match Self::connect(url).await {
                Ok(chain) => return Ok(chain),
                Err(e) if tokio::time::Instant::now() >= deadline => return Err(e),
                Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
            }
        }
    }

    /// The subxt client, for anything this type does not wrap.
    pub fn api(&self) -> &Client {
        &self.api
    }

    /// The node's legacy JSON-RPC methods (best head, next nonce, …).
    pub fn rpc(&self) -> &LegacyRpcMethods<ChainConfig> {
        &self.rpc
    }

    /// The URL this client connected to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The chain's genesis hash.
    pub fn genesis_hash(&self) -> H256 {
        self.api.genesis_hash()
    }

    /// Number and hash of the best block (`chain_getHeader`).
    ///
    /// Reads of this client (dry runs, storage) happen here, not at subxt's
    /// `at_latest()`, which is the latest *finalized* block: on the dev node
    /// that lags the best block by `--finalize-delay-sec`, and a dry run
    /// there would not see the previous transaction.
    ///
    /// # Errors
    /// RPC failures.
    pub async fn best_block(&self) -> Result<(u32, H256)> {
        let hash = self
            .rpc
            .chain_get_block_hash(None)
            .await?
            .ok_or_else(|| ChainError::BlockNotFound("best".into()))?;
        Ok((self.block_number(hash).await?, hash))
    }

    /// Number and hash of the latest finalized block.
    ///
    /// # Errors
    /// RPC failures.
    pub async fn finalized_block(&self) -> Result<(u32, H256)> {
        let hash = self.rpc.chain_get_finalized_head().await?;
        Ok((self.block_number(hash).await?, hash))
    }

    async fn best_hash(&self) -> Result<H256> {
        Ok(self.best_block().await?.1)
    }

    /// The block number of `hash`.
    ///
    /// # Errors
    /// RPC failures.
    pub async fn block_number(&self, hash: H256) -> Result<u32> {
        let header = self
            .rpc
            .chain_get_header(Some(hash))
            .await?
            .ok_or_else(|| ChainError::BlockNotFound(format!("{hash:?}")))?;
        Ok(header.number)
    }

    /// `Timestamp::Now` at block `hash`: what `self.env().block_timestamp()`
    /// returned to contracts executed in that block (ms since the Unix epoch).
    ///
    /// # Errors
    /// RPC failures; [`ChainError::BlockNotFound`] for block 0 (no timestamp).
    pub async fn block_timestamp(&self, hash: H256) -> Result<u64> {
        self.api
            .storage()
            .at(hash)
            .fetch(&node::storage().timestamp().now())
            .await?
            .ok_or_else(|| ChainError::BlockNotFound(format!("timestamp of {hash:?}")))
    }

    /// The free native balance of `account`.
    ///
    /// # Errors
    /// RPC failures.
    pub async fn free_balance(&self, account: &AccountId32) -> Result<u128> {
        let info = self
            .api
            .storage()
            .at(self.best_hash().await?)
            .fetch(&node::storage().system().account(account.clone()))
            .await?;
        Ok(info.map(|i| i.data.free).unwrap_or(0))
    }

    /// Sends `amount` of the native currency (fees, storage deposits) to each
    /// of `to`, in `Utility::batch_all`s of [`FUND_BATCH`] transfers.
    ///
    /// # Errors
    /// Dispatch errors (e.g. `Balances::InsufficientBalance`).
    pub async fn fund(
        &self,
        signer: &Keypair,
        to: &[AccountId32],
        amount: u128,
        finality: Finality,
    ) -> Result<Included> {
        let to: Vec<(AccountId32, u128)> = to.iter().map(|a| (a.clone(), amount)).collect();
        self.fund_each(signer, &to, finality).await
    }

    /// Sends each of `to` its amount of the native currency, in order, in
    /// `Utility::batch_all`s of at most [`FUND_BATCH`] transfers, each
    /// included before the next is sent (an account can pass on what an
    /// earlier batch gave it); returns the last batch's inclusion. An empty
    /// `to` is one empty batch.
    ///
    /// # Errors
    /// Dispatch errors (e.g. `Balances::InsufficientBalance`); the batches
    /// before the failing one stay.
    pub async fn fund_each(
        &self,
        signer: &Keypair,
        to: &[(AccountId32, u128)],
        finality: Finality,
    ) -> Result<Included> {
        let (first, rest) = to.split_at(to.len().min(FUND_BATCH));
        let mut last = self.fund_batch(signer, first, finality).await?;
        for batch in rest.chunks(FUND_BATCH) {
            last = self.fund_batch(signer, batch, finality).await?;
        }
        Ok(last)
    }

    /// One `Utility::batch_all` of the transfers `to`.
    async fn fund_batch(
        &self,
        signer: &Keypair,
        to: &[(AccountId32, u128)],
        finality: Finality,
    ) -> Result<Included> {
        use node::runtime_types::{
            contracts_node_runtime::RuntimeCall, pallet_balances::pallet::Call as BalancesCall,
        };
        let calls = to
            .iter()
            .map(|(a, amount)| {
                RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
                    dest: MultiAddress::Id(a.clone()),
                    value: *amount,
                })
            })
            .collect();
        self.submit(
            signer,
            &node::tx().utility().batch_all(calls),
            finality,
            "Balances::transfer_keep_alive",
        )
        .await
    }

    /// Seals a block now (a `System::remark` of `signer`) and returns its
    /// number. On the instant-seal dev node time only moves with blocks: a
    /// dry run executes against the best block, whose `block_timestamp()` is
    /// when it was sealed; after a pause (a challenge window running out),
    /// tick first so dry runs see the current time.
    ///
    /// # Errors
    /// Transaction errors.
    pub async fn tick(&self, signer: &Keypair) -> Result<u32> {
        let tx = node::tx().system().remark(Vec::new());
        Ok(self
            .submit(signer, &tx, Finality::InBlock, "System::remark")
            .await?
            .block_number)
    }

    /// Whether code with this hash is stored on-chain.
    ///
    /// # Errors
    /// RPC failures.
    pub async fn code_exists(&self, code_hash: H256) -> Result<bool> {
        Ok(self
            .api
            .storage()
            .at(self.best_hash().await?)
            .fetch(&node::storage().contracts().code_info_of(code_hash))
            .await?
            .is_some())
    }

    /// Uploads the bundle's Wasm unless the same code is already stored;
    /// returns the code hash.
    ///
    /// # Errors
    /// Dispatch errors (`Contracts::CodeRejected`, …);
    /// [`ChainError::CodeHashMismatch`] when the chain hashes the code
    /// differently from the bundle.
    pub async fn upload_code(&self, signer: &Keypair, bundle: &ContractBundle) -> Result<H256> {
        let hash = H256(bundle.code_hash);
        if self.code_exists(hash).await? {
            return Ok(hash);
        }
        let tx = node::tx().contracts().upload_code(
            bundle.wasm.clone(),
            None,
            node::runtime_types::pallet_contracts::wasm::Determinism::Enforced,
        );
        let included = self
            .submit_raw(
                signer,
                &tx,
                Finality::InBlock,
                &format!("upload {}", bundle.name),
            )
            .await?;
        let stored = included
            .events
            .find_first::<node::contracts::events::CodeStored>()?
            .ok_or(ChainError::MissingEvent("Contracts::CodeStored"))?;
        if stored.code_hash != hash {
            return Err(ChainError::CodeHashMismatch {
                contract: bundle.name.clone(),
                computed: format!("{:?}", stored.code_hash),
                bundle: format!("{hash:?}"),
            });
        }
        Ok(hash)
    }

    /// Uploads (if needed) and instantiates `bundle` with `constructor(args)`.
    /// A dry run first sizes the gas limit and surfaces a reverting
    /// constructor as [`ChainError::ContractReverted`] without paying fees.
    ///
    /// # Errors
    /// Unknown constructor, reverts, dispatch errors,
    /// [`ChainError::MissingEvent`] when no `Contracts::Instantiated` follows.
    pub async fn instantiate(
        &self,
        signer: &Keypair,
        bundle: &ContractBundle,
        constructor: &str,
        args: &impl Encode,
        salt: Vec<u8>,
    ) -> Result<Instantiated> {
        let entry = bundle.constructor(constructor)?;
        let mut data = entry.selector.to_vec();
        args.encode_to(&mut data);
        let code_hash = self.upload_code(signer, bundle).await?;
        let context = format!("{}::{}", bundle.name, entry.label);

        let origin = signer.public_key().to_account_id();
        let payload = node::apis().contracts_api().instantiate(
            origin,
            0,
            None,
            None,
            Code::Existing(code_hash),
            data.clone(),
            salt.clone(),
        );
        let dry = self
            .api
            .runtime_api()
            .at(self.best_hash().await?)
            .call(payload)
            .await?;
        let gas = Gas::from(&dry.gas_required);
        match dry.result {
            Ok(ret) if ret.result.flags.bits & REVERT_FLAG != 0 => {
                return Err(ChainError::ContractReverted {
                    contract: bundle.name.clone(),
                    message: entry.label.clone(),
                    reason: format!("constructor output 0x{}", hex::encode(&ret.result.data)),
                    data: ret.result.data,
                });
            }
            Ok(_) => {}
            Err(e) => return Err(self.dispatch_error(&context, e)),
        }

        let tx = node::tx().contracts().instantiate(
            0,
            with_margin(gas).into(),
            None,
            code_hash,
            data,
            salt,
        );
        let included = self
            .submit(signer, &tx, Finality::InBlock, &context)
            .await?;
        let address = included
            .instantiated
            .last()
            .cloned()
            .ok_or(ChainError::MissingEvent("Contracts::Instantiated"))?;
        Ok(Instantiated {
            address,
            code_hash,
            included,
        })
    }

    /// Executes `message(args)` of `contract` as `origin` through the
    /// `ContractsApi_call` runtime API, without a transaction: the decoded
    /// result and the gas consumed and required.
    ///
    /// `R` is the message's declared return type (e.g. `u128`, or
    /// `Result<(), PSP22Error>`); a message returning `Err` comes back with
    /// `reverted = true` and the decoded `Err` in `value`.
    ///
    /// # Errors
    /// Unknown message; [`ChainError::LangError`] when ink! cannot dispatch
    /// the input; [`ChainError::Module`] for traps, out of gas, …;
    /// [`ChainError::Decode`] when the output is not an `R`.
    pub async fn dry_run<R: Decode>(
        &self,
        origin: &AccountId32,
        contract: &Contract,
        message: &str,
        args: &impl Encode,
    ) -> Result<DryRun<R>> {
        let call = contract.prepare(message, args)?;
        self.dry_run_prepared(origin, contract, &call).await
    }

    /// [`Chain::dry_run`] of an already encoded call.
    ///
    /// # Errors
    /// As [`Chain::dry_run`].
    pub async fn dry_run_prepared<R: Decode>(
        &self,
        origin: &AccountId32,
        contract: &Contract,
        call: &PreparedCall,
    ) -> Result<DryRun<R>> {
        let context = format!("{}::{}", contract.name, call.message);
        let payload = node::apis().contracts_api().call(
            origin.clone(),
            contract.address.clone(),
            0,
            None,
            None,
            call.data.clone(),
        );
        let at = self.best_hash().await?;
        let res: ContractResult<_, u128, _> = self.api.runtime_api().at(at).call(payload).await?;
        let ret = res.result.map_err(|e| self.dispatch_error(&context, e))?;
        let reverted = ret.flags.bits & REVERT_FLAG != 0;
        let value = decode_message_output::<R>(&contract.name, &call.message, &ret.data)?;
        // The node returns every event record of the state it executed on:
        // first those of block `at` itself (still in `System::Events` until
        // the next block starts), then the dry run's own.
        let in_block = self
            .api
            .storage()
            .at(at)
            .fetch(&node::storage().system().event_count())
            .await?
            .unwrap_or(0);
        let events = res
            .events
            .unwrap_or_default()
            .into_iter()
            .skip(in_block as usize)
            .filter_map(|record| match record.event {
                RuntimeEvent::Contracts(ContractsEvent::ContractEmitted { contract, data }) => {
                    Some(ContractEvent {
                        contract,
                        topics: record.topics,
                        data,
                    })
                }
                _ => None,
            })
            .collect();
        Ok(DryRun {
            value,
            reverted,
            gas_consumed: Gas::from(&res.gas_consumed),
            gas_required: Gas::from(&res.gas_required),
            storage_deposit: match res.storage_deposit {
                RawDeposit::Charge(v) => i128::try_from(v).unwrap_or(i128::MAX),
                RawDeposit::Refund(v) => -i128::try_from(v).unwrap_or(i128::MAX),
            },
            data: ret.data,
            events,
        })
    }

    /// Calls `message(args)` of `contract` in a signed extrinsic: a dry run
    /// first (its gas plus a margin becomes the limit; a revert is returned as
    /// [`ChainError::ContractReverted`] without submitting), then the
    /// extrinsic, waited for as `finality` says.
    ///
    /// # Errors
    /// As [`Chain::dry_run`], plus [`ChainError::ContractReverted`] and
    /// dispatch or transaction errors of the extrinsic.
    pub async fn call<R: Decode + Debug>(
        &self,
        signer: &Keypair,
        contract: &Contract,
        message: &str,
        args: &impl Encode,
        finality: Finality,
    ) -> Result<CallOutcome<R>> {
        let call = contract.prepare(message, args)?;
        let origin = signer.public_key().to_account_id();
        let dry: DryRun<R> = self.dry_run_prepared(&origin, contract, &call).await?;
        if dry.reverted {
            return Err(reverted(contract, &call, dry));
        }
        self.send(signer, contract, call, dry, finality).await
    }

    /// A dry run of a prepared call as `signer` plus the fee its extrinsic
    /// would pay: what a wallet shows before asking for a signature. Send it
    /// with [`Chain::send_quote`] (state may move in between; the extrinsic
    /// fails then, it is never sent blind).
    ///
    /// # Errors
    /// As [`Chain::dry_run`]. A reverting message is not an error here: its
    /// `Err` is in `quote.dry.value` (and no fee is estimated).
    pub async fn quote<R: Decode>(
        &self,
        signer: &Keypair,
        contract: &Contract,
        call: PreparedCall,
    ) -> Result<Quote<R>> {
        let origin = signer.public_key().to_account_id();
        let dry: DryRun<R> = self.dry_run_prepared(&origin, contract, &call).await?;
        let fee = if dry.reverted {
            0
        } else {
            let tx = contract_tx(contract, &call, dry.gas_required);
            self.api
                .tx()
                .create_partial(&tx, &origin, Default::default())
                .await?
                .sign(signer)
                .partial_fee_estimate()
                .await?
        };
        Ok(Quote {
            contract: contract.clone(),
            call,
            dry,
            fee,
        })
    }

    /// Submits a quoted call (see [`Chain::quote`]) with the quote's gas plus
    /// a margin.
    ///
    /// # Errors
    /// [`ChainError::ContractReverted`] for a quote that reverted (nothing is
    /// submitted); dispatch or transaction errors of the extrinsic.
    pub async fn send_quote<R: Debug>(
        &self,
        signer: &Keypair,
        quote: Quote<R>,
        finality: Finality,
    ) -> Result<CallOutcome<R>> {
        let Quote {
            contract,
            call,
            dry,
            ..
        } = quote;
        if dry.reverted {
            return Err(reverted(&contract, &call, dry));
        }
        self.send(signer, &contract, call, dry, finality).await
    }

    async fn send<R>(
        &self,
        signer: &Keypair,
        contract: &Contract,
        call: PreparedCall,
        dry: DryRun<R>,
        finality: Finality,
    ) -> Result<CallOutcome<R>> {
        let tx = contract_tx(contract, &call, with_margin(dry.gas_required));
        let context = format!("{}::{}", contract.name, call.message);
        let included = self.submit(signer, &tx, finality, &context).await?;
        Ok(CallOutcome {
            value: dry.value,
            gas_consumed: dry.gas_consumed,
            gas_required: dry.gas_required,
            included,
        })
    }

    /// [`call`](Self::call) of a message that returns `Result<T, E>`, with
    /// its `Ok` value. ink! reverts a message that returns `Err`, which
    /// `call` reports as [`ChainError::ContractReverted`] with the decoded
    /// error; an `Err` from a call that did not revert is reported the same.
    pub async fn call_ok<T: Decode + Debug, E: Decode + Debug>(
        &self,
        signer: &Keypair,
        contract: &Contract,
        message: &str,
        args: &impl Encode,
        finality: Finality,
    ) -> Result<CallOutcome<T>> {
        let outcome = self
            .call::<std::result::Result<T, E>>(signer, contract, message, args, finality)
            .await?;
        match outcome.value {
            Ok(value) => Ok(CallOutcome {
                value,
                gas_consumed: outcome.gas_consumed,
                gas_required: outcome.gas_required,
                included: outcome.included,
            }),
            Err(e) => Err(ChainError::ContractReverted {
                contract: contract.name.clone(),
                message: message.into(),
                reason: format!("{e:?}"),
                data: Vec::new(),
            }),
        }
    }

    /// `owner` approves `spender` to move up to `value` of the PSP22 `token`
    /// (in a block): what every deposit into a contract of the suite needs
    /// first.
    pub async fn approve(
        &self,
        owner: &Keypair,
        token: &Contract,
        spender: &AccountId32,
        value: u128,
    ) -> Result<()> {
        self.call_ok::<(), bizkey_types::psp22::PSP22Error>(
            owner,
            token,
            "PSP22::approve",
            &(crate::accounts::to_ink(spender), value),
            Finality::InBlock,
        )
        .await?;
        Ok(())
    }

    /// Submits several prepared contract calls in one `Utility::batch_all`
    /// extrinsic (all or nothing). Each call's gas limit is its own dry-run
    /// estimate plus a margin, so prepare the calls with
    /// [`Chain::prepare_call`] (or set `gas_limit` yourself).
    ///
    /// # Errors
    /// Dispatch errors of the batch (the first failing call aborts it).
    pub async fn call_batch(
        &self,
        signer: &Keypair,
        calls: Vec<(AccountId32, PreparedCall)>,
        finality: Finality,
    ) -> Result<Included> {
        use node::runtime_types::{
            contracts_node_runtime::RuntimeCall, pallet_contracts::pallet::Call as ContractsCall,
        };
        let context = format!("batch of {} contract calls", calls.len());
        let calls = calls
            .into_iter()
            .map(|(dest, c)| {
                RuntimeCall::Contracts(ContractsCall::call {
                    dest: MultiAddress::Id(dest),
                    value: 0,
                    gas_limit: with_margin(c.gas_limit).into(),
                    storage_deposit_limit: None,
                    data: c.data,
                })
            })
            .collect();
        self.submit(
            signer,
            &node::tx().utility().batch_all(calls),
            finality,
            &context,
        )
        .await
    }

    /// Encodes `message(args)` and sizes its gas with a dry run as `origin`,
    /// for [`Chain::call_batch`].
    ///
    /// # Errors
    /// As [`Chain::dry_run`]; [`ChainError::ContractReverted`] when it would revert.
    pub async fn prepare_call(
        &self,
        origin: &AccountId32,
        contract: &Contract,
        message: &str,
        args: &impl Encode,
    ) -> Result<(AccountId32, PreparedCall)> {
        let mut call = contract.prepare(message, args)?;
        let dry: DryRun<IgnoredOutput> = self.dry_run_prepared(origin, contract, &call).await?;
        if dry.reverted {
            return Err(ChainError::ContractReverted {
                contract: contract.name.clone(),
                message: call.message.clone(),
                reason: format!("output 0x{}", hex::encode(&dry.data)),
                data: dry.data,
            });
        }
        call.gas_limit = dry.gas_required;
        Ok((contract.address.clone(), call))
    }

    /// Signs and submits any call of the generated API, waits as `finality`
    /// says, fails on `System::ExtrinsicFailed`, and collects the contract
    /// events. `context` names the operation in errors.
    ///
    /// # Errors
    /// Transaction (invalid, dropped) and dispatch errors.
    pub async fn submit<Call: Payload>(
        &self,
        signer: &Keypair,
        call: &Call,
        finality: Finality,
        context: &str,
    ) -> Result<Included> {
        let raw = self.submit_raw(signer, call, finality, context).await?;
        let mut contract_events = Vec::new();
        let mut instantiated = Vec::new();
        for ev in raw.events.iter() {
            let ev = ev?;
            if let Some(e) = ev.as_event::<node::contracts::events::ContractEmitted>()? {
                contract_events.push(ContractEvent {
                    contract: e.contract,
                    topics: ev.topics().to_vec(),
                    data: e.data,
                });
            } else if let Some(e) = ev.as_event::<node::contracts::events::Instantiated>()? {
                instantiated.push(e.contract);
            }
        }
        Ok(Included {
            block_hash: raw.block_hash,
            block_number: raw.block_number,
            extrinsic_index: raw.events.extrinsic_index(),
            extrinsic_hash: raw.events.extrinsic_hash(),
            contract_events,
            instantiated,
        })
    }

    async fn submit_raw<Call: Payload>(
        &self,
        signer: &Keypair,
        call: &Call,
        finality: Finality,
        context: &str,
    ) -> Result<RawIncluded> {
        // subxt's default nonce comes from the finalized state; the pool-aware
        // `system_accountNextIndex` lets transactions follow each other
        // before finalization. Under load its answer can trail the
        // transaction just included (the pool has dropped it while the best
        // block the RPC reads is the one before): the pool then rejects the
        // new transaction as stale, and asking again gives the next nonce.
        let mut attempt = 0;
        let (hash, mut progress) = loop {
            attempt += 1;
            let nonce = self
                .rpc
                .system_account_next_index(&signer.public_key().to_account_id())
                .await?;
            // Mortal for 256 blocks from the finalized head (subxt's birth block)
            // instead of subxt's default 32: the instant-seal dev node seals a
            // block per transaction, so concurrent signers put more than 32
            // blocks between the finalized head and the best block within one
            // finalization delay, and a transaction born at the finalized head
            // would be dead on arrival ("bad signature", "ancient birth block").
            let params = DefaultExtrinsicParamsBuilder::<ChainConfig>::new()
                .nonce(nonce)
                .mortal(256)
                .build();
            let tx = self.api.tx().create_signed(call, signer, params).await?;
            let hash = format!("{:?}", tx.hash());
            match tx.submit_and_watch().await {
                Ok(progress) => break (hash, progress),
                // The pool's verdict (1010 "Invalid Transaction": bad nonce,
                // cannot pay fees, …) is about this transaction, not the RPC.
                Err(subxt::Error::Rpc(subxt::error::RpcError::ClientError(
                    subxt::ext::subxt_rpcs::Error::User(e),
                ))) => {
                    let detail = e.data.map(|d| d.get().to_string()).unwrap_or_default();
                    if detail.contains(STALE) && attempt < STALE_ATTEMPTS {
                        tokio::time::sleep(Duration::from_millis(100 * attempt)).await;
                        continue;
                    }
                    return Err(ChainError::Transaction {
                        hash,
                        status: "was rejected",
                        message: format!("{} ({}) {detail}", e.message, e.code),
                    });
                }
                Err(e) => return Err(e.into()),
            }
        };
        let failed = |status, message| ChainError::Transaction {
            hash: hash.clone(),
            status,
            message,
        };
        while let Some(status) = progress.next().await {
            let in_block = match status? {
                TxStatus::InBestBlock(b) if finality == Finality::InBlock => b,
                TxStatus::InFinalizedBlock(b) => b,
                TxStatus::Error { message } => return Err(failed("failed", message)),
                TxStatus::Invalid { message } => return Err(failed("is invalid", message)),
                TxStatus::Dropped { message } => return Err(failed("was dropped", message)),
                _ => continue,
            };
            let events = match in_block.wait_for_success().await {
                Ok(events) => events,
                Err(subxt::Error::Runtime(e)) => return Err(runtime_error(context, e)),
                Err(e) => return Err(e.into()),
            };
            let block_hash = in_block.block_hash();
            return Ok(RawIncluded {
                block_number: self.block_number(block_hash).await?,
                block_hash,
                events,
            });
        }
        Err(ChainError::StreamEnded(match finality {
            Finality::InBlock => "included",
            Finality::Finalized => "finalized",
        }))
    }

    /// Names a runtime-API `DispatchError` through the metadata.
    fn dispatch_error(&self, context: &str, e: RawDispatchError) -> ChainError {
        if let RawDispatchError::Module(m) = &e {
            let md = self.api.metadata();
            if let Some(pallet) = md.pallet_by_index(m.index) {
                if let Some(variant) = pallet.error_variant_by_index(m.error[0]) {
                    return ChainError::Module {
                        context: context.into(),
                        pallet: pallet.name().into(),
                        error: variant.name.clone(),
                        docs: variant.docs.join(" "),
                    };
                }
            }
        }
        ChainError::Dispatch {
            context: context.into(),
            error: format!("{e:?}"),
        }
    }
}

struct RawIncluded {
    block_hash: H256,
    block_number: u32,
    events: subxt::blocks::ExtrinsicEvents<ChainConfig>,
}

/// `pallet_contracts_uapi::ReturnFlags::REVERT`.
const REVERT_FLAG: u32 = 1;

/// The pool's text for `InvalidTransaction::Stale` (a nonce already used).
const STALE: &str = "Transaction is outdated";
/// Submissions of one transaction rejected as stale before giving up.
const STALE_ATTEMPTS: u64 = 5;

/// The `Contracts::call` extrinsic of a prepared call, with this gas limit.
fn contract_tx(
    contract: &Contract,
    call: &PreparedCall,
    gas_limit: Gas,
) -> subxt::tx::DefaultPayload<node::contracts::calls::types::Call> {
    node::tx().contracts().call(
        MultiAddress::Id(contract.address.clone()),
        0,
        gas_limit.into(),
        None,
        call.data.clone(),
    )
}

/// The error of a dry run that reverted, with its decoded `Err`.
fn reverted<R: Debug>(contract: &Contract, call: &PreparedCall, dry: DryRun<R>) -> ChainError {
    ChainError::ContractReverted {
        contract: contract.name.clone(),
        message: call.message.clone(),
        reason: format!("{:?}", dry.value),
        data: dry.data,
    }
}

fn with_margin(g: Gas) -> Gas {
    let up = |v: u64| v.saturating_add(v / 100 * GAS_MARGIN_PERCENT);
    Gas {
        ref_time: up(g.ref_time),
        proof_size: up(g.proof_size),
    }
}

fn runtime_error(context: &str, e: subxt::error::DispatchError) -> ChainError {
    match e {
        subxt::error::DispatchError::Module(m) => match m.details() {
            Ok(d) => ChainError::Module {
                context: context.into(),
                pallet: d.pallet.name().into(),
                error: d.variant.name.clone(),
                docs: d.variant.docs.join(" "),
            },
            Err(_) => ChainError::Dispatch {
                context: context.into(),
                error: m.to_string(),
            },
        },
        other => ChainError::Dispatch {
            context: context.into(),
            error: other.to_string(),
        },
    }
}

/// Decodes an ink! message output: `MessageResult<R>` = `Result<R, LangError>`.
fn decode_message_output<R: Decode>(contract: &str, message: &str, data: &[u8]) -> Result<R> {
    let decoded =
        <std::result::Result<R, ink::LangError>>::decode(&mut &data[..]).map_err(|source| {
            ChainError::Decode {
                what: format!(
                    "the output of {contract}::{message} (0x{})",
                    hex::encode(data)
                ),
                source,
            }
        })?;
    decoded.map_err(|e| ChainError::LangError {
        contract: contract.into(),
        message: message.into(),
        lang_error: format!("{e:?}"),
    })
}

/// Any output: [`Chain::prepare_call`] only needs the gas and the flags.
#[derive(Debug)]
struct IgnoredOutput;

impl Decode for IgnoredOutput {
    fn decode<I: scale::Input>(input: &mut I) -> std::result::Result<Self, scale::Error> {
        while input.read_byte().is_ok() {}
        Ok(IgnoredOutput)
    }
}

impl From<&Weight> for Gas {
    fn from(w: &Weight) -> Self {
        Gas {
            ref_time: w.ref_time,
            proof_size: w.proof_size,
        }
    }
}

impl From<Gas> for Weight {
    fn from(g: Gas) -> Self {
        Weight {
            ref_time: g.ref_time,
            proof_size: g.proof_size,
        }
    }
}
