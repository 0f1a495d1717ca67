//! A deployed contract, its encoded calls, and what calls return.

use crate::bundle::ContractBundle;
use crate::error::{ChainError, Result};
use crate::manifest::DeployedContract;
use scale::{Decode, Encode};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use subxt::utils::{AccountId32, H256};

/// A contract instance: its address and the bundle that knows its selectors.
#[derive(Debug, Clone)]
pub struct Contract {
    /// The suite's name for it, used in errors and reports.
    pub name: String,
    pub address: AccountId32,
    pub bundle: Arc<ContractBundle>,
}

impl Contract {
    /// A handle on a contract of a manifest, reading its bundle.
    ///
    /// # Errors
    /// [`crate::BundleError`] when the bundle cannot be read.
    pub fn from_manifest(deployed: &DeployedContract) -> Result<Self> {
        Ok(Self {
            name: deployed.name.clone(),
            address: deployed.address.clone(),
            bundle: Arc::new(ContractBundle::load(&deployed.bundle)?),
        })
    }

    /// The input of `message(args)`: its selector followed by the SCALE
    /// encoding of the arguments (a tuple for several).
    ///
    /// # Errors
    /// [`crate::BundleError`] for an unknown or ambiguous label.
    pub fn prepare(&self, message: &str, args: &impl Encode) -> Result<PreparedCall> {
        let entry = self.bundle.message(message)?;
        let mut data = entry.selector.to_vec();
        args.encode_to(&mut data);
        Ok(PreparedCall {
            message: entry.label.clone(),
            data,
            gas_limit: Gas::default(),
        })
    }
}

/// An encoded contract call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedCall {
    /// The full label (`PSP22::transfer`).
    pub message: String,
    /// Selector and arguments.
    pub data: Vec<u8>,
    /// Set by [`crate::Chain::prepare_call`] from a dry run.
    pub gas_limit: Gas,
}

/// A two-dimensional weight: execution time (picoseconds) and proof size (bytes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Gas {
    pub ref_time: u64,
    pub proof_size: u64,
}

/// The result of a dry run.
#[derive(Debug, Clone)]
pub struct DryRun<R> {
    /// The decoded return value (for a reverted message, its `Err`).
    pub value: R,
    /// The REVERT flag: state changes were (or would be) rolled back.
    pub reverted: bool,
    /// Gas the execution consumed.
    pub gas_consumed: Gas,
    /// Gas limit the execution needs (≥ consumed: includes refunded peaks).
    pub gas_required: Gas,
    /// Storage deposit charged (> 0) or refunded (< 0), in native units.
    pub storage_deposit: i128,
    /// The raw output.
    pub data: Vec<u8>,
    /// The contract events the execution emitted, in order, as the node's
    /// `ContractsApi_call` collects them: what a transaction at the same
    /// state would emit (e.g. the `PoolSynced` of a ledger `sync`).
    pub events: Vec<ContractEvent>,
}

/// A dry run of a call a signer is about to send, and its fee: see
/// [`crate::Chain::quote`].
#[derive(Debug, Clone)]
pub struct Quote<R> {
    pub contract: Contract,
    pub call: PreparedCall,
    pub dry: DryRun<R>,
    /// The transaction fee (native units) `TransactionPaymentApi` estimates
    /// for the extrinsic with the dry run's gas; 0 for a reverting call.
    pub fee: u128,
}

impl<T, E> DryRun<Result<T, E>> {
    /// The dry run of a message returning `Ok(T)`, or its `Err`.
    ///
    /// # Errors
    /// The message's `Err`.
    pub fn ok(self) -> Result<DryRun<T>, E> {
        Ok(DryRun {
            value: self.value?,
            reverted: self.reverted,
            gas_consumed: self.gas_consumed,
            gas_required: self.gas_required,
            storage_deposit: self.storage_deposit,
            data: self.data,
            events: self.events,
        })
    }
}

/// Where a successful extrinsic landed.
#[derive(Debug, Clone)]
pub struct Included {
    pub block_hash: H256,
    pub block_number: u32,
    pub extrinsic_index: u32,
    pub extrinsic_hash: H256,
    /// The `ContractEmitted` events of this extrinsic, in order.
    pub contract_events: Vec<ContractEvent>,
    /// Addresses of contracts this extrinsic instantiated (`Contracts::Instantiated`).
    pub instantiated: Vec<AccountId32>,
}

/// The result of a signed contract call.
#[derive(Debug, Clone)]
pub struct CallOutcome<R> {
    /// The return value of the dry run that preceded the extrinsic.
    pub value: R,
    /// Gas the dry run consumed (same state as the extrinsic's).
    pub gas_consumed: Gas,
    /// The dry run's estimate (the extrinsic's limit is this plus a margin).
    pub gas_required: Gas,
    pub included: Included,
}

impl<R> CallOutcome<R> {
    /// The contract events the call emitted.
    pub fn events(&self) -> &[ContractEvent] {
        &self.included.contract_events
    }
}

/// A `Contracts::ContractEmitted` event with the topics of its event record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractEvent {
    pub contract: AccountId32,
    /// For ink! 5 events, topic 0 is the event's signature topic, followed by
    /// its `#[ink(topic)]` fields.
    pub topics: Vec<H256>,
    /// The SCALE encoding of the event struct.
    pub data: Vec<u8>,
}

impl ContractEvent {
    /// Whether this is an `E` (topic 0 equals `E::SIGNATURE_TOPIC`).
    pub fn is<E: ink::env::Event>(&self) -> bool {
        match (E::SIGNATURE_TOPIC, self.topics.first()) {
            (Some(sig), Some(first)) => first.0 == sig,
            _ => false,
        }
    }

    /// Decodes the event as an `E` if it is one.
    ///
    /// # Errors
    /// [`ChainError::Decode`] when the signature matches but the data does not
    /// decode (a contract built from other definitions).
    pub fn decode<E: ink::env::Event + Decode>(&self) -> Result<Option<E>> {
        if !self.is::<E>() {
            return Ok(None);
        }
        E::decode(&mut &self.data[..])
            .map(Some)
            .map_err(|source| ChainError::Decode {
                what: format!("event {}", std::any::type_name::<E>()),
                source,
            })
    }
}
