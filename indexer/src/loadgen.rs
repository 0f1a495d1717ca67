//! Load on a real node, for the integration tests and the benchmark: the
//! suite deployed with `bizkey-chain`'s plan, merchants registered and
//! verified, and confirmed receipts in bulk.
//!
//! Receipts go customer-first so that both sides batch: each customer opens
//! several receipts in one `Utility::batch_all`, then each merchant confirms
//! its receipts in batches. Signers submit concurrently (one extrinsic in
//! flight per signer, so their nonces never race).

use bizkey_chain::accounts::{account_of, keypair, to_ink};
use bizkey_chain::deploy::{deploy_suite, UNIT};
use bizkey_chain::ContractKind;
use bizkey_chain::{
    AccountId32, Chain, ChainError, Contract, Finality, Gas, Keypair, Manifest, ManifestError,
    PreparedCall,
};
use bizkey_store::{blake2_256, unix_ms};
use bizkey_types::ledger::{LedgerError, LedgerParams, Order, ReceiptId, ReceiptOpened};
use bizkey_types::math::{Channel, ShopCost};
use bizkey_types::registry::{Category, MerchantProfile, MerchantStatus, RegistryError};
use futures::future::try_join_all;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Why load generation failed.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Chain(#[from] ChainError),
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error("{what} refused: {reason}")]
    Refused { what: String, reason: String },
}

type Result<T> = std::result::Result<T, LoadError>;

fn refused(what: &str, reason: impl std::fmt::Debug) -> LoadError {
    LoadError::Refused {
        what: what.into(),
        reason: format!("{reason:?}"),
    }
}

/// The deployed suite and its administrator.
pub struct Suite {
    pub chain: Chain,
    pub manifest: Manifest,
    pub admin: Keypair,
    /// Who pays the native tokens of new accounts (the admin unless set):
    /// each run of the live bench funds 25 accounts, which drains a dev
    /// chain's `//Alice` after a few runs on one chain.
    pub funder: Option<Keypair>,
    pub registry: Contract,
    pub ledger: Contract,
    pub biz: Contract,
    pub time: Contract,
    order_ids: AtomicU64,
    gas: std::sync::Mutex<(Gas, Gas)>,
}

impl Suite {
    /// Deploys the suite (every bundle of `contracts_dir`) as `admin_suri`.
    ///
    /// # Errors
    /// Deployment failures.
    pub async fn deploy(chain: Chain, admin_suri: &str, contracts_dir: &Path) -> Result<Self> {
        let admin = keypair(admin_suri)?;
        let manifest = deploy_suite(&chain, &admin, contracts_dir, &mut |_: &str| {}).await?;
        Self::from_manifest(chain, admin, manifest)
    }

    /// The suite a manifest describes.
    ///
    /// # Errors
    /// A manifest without the registry, ledger or tokens.
    pub fn from_manifest(chain: Chain, admin: Keypair, manifest: Manifest) -> Result<Self> {
        let get = |kind: ContractKind| -> Result<Contract> {
            Ok(Contract::from_manifest(manifest.contract(kind)?)?)
        };
        Ok(Self {
            registry: get(ContractKind::Registry)?,
            ledger: get(ContractKind::Ledger)?,
            biz: get(ContractKind::BizToken)?,
            time: get(ContractKind::TimeToken)?,
            chain,
            manifest,
            admin,
            funder: None,
            order_ids: AtomicU64::new(1),
            gas: std::sync::Mutex::new((Gas::default(), Gas::default())),
        })
    }

    pub fn admin_id(&self) -> AccountId32 {
        account_of(&self.admin)
    }

    /// Sets the ledger's challenge window (ms), keeping the other parameters.
    ///
    /// # Errors
    /// Chain errors; a refused `set_params`.
    pub async fn set_challenge_ms(&self, challenge_ms: u64) -> Result<()> {
        let mut params = self
            .chain
            .dry_run::<LedgerParams>(&self.admin_id(), &self.ledger, "params", &())
            .await?
            .value;
        params.challenge_ms = challenge_ms;
        self.chain
            .call::<std::result::Result<(), LedgerError>>(
                &self.admin,
                &self.ledger,
                "set_params",
                &params,
                Finality::InBlock,
            )
            .await?
            .value
            .map_err(|e| refused("set_params", e))
    }

    /// `n` accounts derived from the admin's key under `prefix`, each funded
    /// with native tokens for fees and deposits.
    ///
    /// # Errors
    /// Invalid derivation; a failed funding transfer.
    pub async fn accounts(&self, prefix: &str, n: usize) -> Result<Vec<Keypair>> {
        let keys: Vec<Keypair> = (0..n)
            .map(|i| keypair(&format!("//Alice//{prefix}//{i}")))
            .collect::<std::result::Result<_, _>>()?;
        let ids: Vec<AccountId32> = keys.iter().map(account_of).collect();
        self.chain
            .fund(
                self.funder.as_ref().unwrap_or(&self.admin),
                &ids,
                10_000 * UNIT,
                Finality::InBlock,
            )
            .await?;
        Ok(keys)
    }

    /// Registers `merchant` (optionally referred by `referrer`) with a
    /// `time_share_ppm` share payable in Time, and verifies it as the admin.
    ///
    /// # Errors
    /// Chain errors; a refused registration or verification.
    pub async fn merchant(
        &self,
        merchant: &Keypair,
        name: &str,
        referrer: Option<&Keypair>,
        time_share_ppm: u32,
    ) -> Result<()> {
        self.register_merchant(merchant, name, referrer, time_share_ppm)
            .await?;
        self.verify(&[merchant]).await
    }

    async fn register_merchant(
        &self,
        merchant: &Keypair,
        name: &str,
        referrer: Option<&Keypair>,
        time_share_ppm: u32,
    ) -> Result<()> {
        let seed = name
            .bytes()
            .fold(7u32, |a, b| a.wrapping_mul(31).wrapping_add(b.into()));
        let profile = MerchantProfile {
            name: name.into(),
            category: if seed % 2 == 0 {
                Category::Cafe
            } else {
                Category::Restaurant
            },
            location: "wtw3s".into(),
            cost: ShopCost {
                area_sqft: 400 + seed % 800,
                staff: 2 + seed % 6,
                rent_per_sqft_day: 30,
                wage_per_day: 15_000,
            },
            licence_hash: [(seed % 251) as u8; 32].into(),
        };
        let referrer = referrer.map(|r| to_ink(&account_of(r)));
        self.chain
            .call::<std::result::Result<(), RegistryError>>(
                merchant,
                &self.registry,
                "register_merchant",
                &(profile, referrer, time_share_ppm),
                Finality::InBlock,
            )
            .await?
            .value
            .map_err(|e| refused("register_merchant", e))
    }

    /// Verifies merchants as the admin, in one batch.
    ///
    /// # Errors
    /// Chain errors; a refused verification.
    pub async fn verify(&self, merchants: &[&Keypair]) -> Result<()> {
        let mut calls = Vec::new();
        for m in merchants {
            let args = (to_ink(&account_of(m)), MerchantStatus::Verified);
            calls.push(
                self.chain
                    .prepare_call(
                        &self.admin_id(),
                        &self.registry,
                        "set_merchant_status",
                        &args,
                    )
                    .await?,
            );
        }
        self.chain
            .call_batch(&self.admin, calls, Finality::InBlock)
            .await?;
        Ok(())
    }

    /// `n` verified merchants (registered concurrently, verified in one batch).
    ///
    /// # Errors
    /// As [`Suite::merchant`].
    pub async fn merchants(&self, prefix: &str, n: usize) -> Result<Vec<Keypair>> {
        let keys = self.accounts(prefix, n).await?;
        try_join_all(keys.iter().enumerate().map(|(i, k)| async move {
            let name = format!("{prefix} shop {i}");
            self.register_merchant(k, &name, None, 300_000).await
        }))
        .await?;
        for chunk in keys.chunks(50) {
            self.verify(&chunk.iter().collect::<Vec<_>>()).await?;
        }
        Ok(keys)
    }

    /// A fresh order (ids unique across the run).
    pub fn order(&self, channel: Channel, amount: u128, time_paid: u128) -> Order {
        let order_id = self.order_ids.fetch_add(1, Relaxed);
        Order {
            order_id,
            order_time: unix_ms().saturating_sub(60_000),
            channel,
            amount,
            discount: amount / 20,
            time_paid,
            items: 1 + (order_id % 5) as u32,
            detail_hash: blake2_256(&order_id.to_le_bytes()).into(),
        }
    }

    fn gas_like(&self, dry: Gas, open: bool) -> Gas {
        let mut g = self.gas.lock().unwrap_or_else(|p| p.into_inner());
        let slot = if open { &mut g.0 } else { &mut g.1 };
        slot.ref_time = slot.ref_time.max(dry.ref_time);
        slot.proof_size = slot.proof_size.max(dry.proof_size);
        // Calls later in a batch see state the dry run did not: double it.
        Gas {
            ref_time: slot.ref_time * 2,
            proof_size: slot.proof_size * 2,
        }
    }

    /// Opens `per_customer` receipts from each customer (one batch each, the
    /// merchants taken in turn from `offset`), then has each merchant confirm
    /// its receipts in batches of `batch`. Returns the confirmed ids.
    ///
    /// # Errors
    /// Chain errors (a failing call aborts its whole batch).
    pub async fn round(
        &self,
        merchants: &[Keypair],
        customers: &[Keypair],
        per_customer: usize,
        batch: usize,
        offset: usize,
    ) -> Result<Vec<ReceiptId>> {
        let merchant_of: BTreeMap<AccountId32, &Keypair> =
            merchants.iter().map(|m| (account_of(m), m)).collect();
        let opened = try_join_all(customers.iter().enumerate().map(|(ci, c)| async move {
            let mut calls: Vec<(AccountId32, PreparedCall)> = Vec::new();
            for k in 0..per_customer {
                let m = &merchants[(offset + ci + k) % merchants.len()];
                let channel = if (ci + k) % 3 == 0 {
                    Channel::Outside
                } else {
                    Channel::InStore
                };
                let amount = 500 + ((offset + ci * 7 + k * 13) % 40) as u128 * 250;
                let args = (to_ink(&account_of(m)), self.order(channel, amount, 0));
                let mut call = if k == 0 {
                    self.chain
                        .prepare_call(&account_of(c), &self.ledger, "open", &args)
                        .await?
                        .1
                } else {
                    self.ledger.prepare("open", &args)?
                };
                call.gas_limit = self.gas_like(call.gas_limit, true);
                calls.push((self.ledger.address.clone(), call));
            }
            let included = self.chain.call_batch(c, calls, Finality::InBlock).await?;
            let mut ids = Vec::new();
            for e in &included.contract_events {
                if let Some(o) = e.decode::<ReceiptOpened>()? {
                    ids.push((bizkey_chain::accounts::from_ink(&o.merchant), o.id));
                }
            }
            Ok::<_, LoadError>(ids)
        }))
        .await?;
        let mut by_merchant: BTreeMap<AccountId32, Vec<ReceiptId>> = BTreeMap::new();
        for (m, id) in opened.into_iter().flatten() {
            by_merchant.entry(m).or_default().push(id);
        }
        let confirmed = try_join_all(by_merchant.iter().map(|(m, ids)| {
            let signer = merchant_of[m];
            async move {
                for chunk in ids.chunks(batch.max(1)) {
                    let mut calls = Vec::new();
                    for (k, id) in chunk.iter().enumerate() {
                        let mut call = if k == 0 {
                            self.chain
                                .prepare_call(m, &self.ledger, "confirm", id)
                                .await?
                                .1
                        } else {
                            self.ledger.prepare("confirm", id)?
                        };
                        call.gas_limit = self.gas_like(call.gas_limit, false);
                        calls.push((self.ledger.address.clone(), call));
                    }
                    self.chain
                        .call_batch(signer, calls, Finality::InBlock)
                        .await?;
                }
                Ok::<_, LoadError>(ids.len())
            }
        }))
        .await?;
        let mut all: Vec<ReceiptId> = by_merchant.into_values().flatten().collect();
        all.sort_unstable();
        debug_assert_eq!(all.len(), confirmed.iter().sum::<usize>());
        Ok(all)
    }

    /// At least `receipts` confirmed receipts in rounds (see [`Suite::round`]);
    /// `progress` gets the running total after each round.
    ///
    /// # Errors
    /// As [`Suite::round`].
    pub async fn receipts(
        &self,
        merchants: &[Keypair],
        customers: &[Keypair],
        receipts: usize,
        per_customer: usize,
        batch: usize,
        progress: &mut dyn FnMut(usize),
    ) -> Result<usize> {
        let mut done = 0;
        let mut offset = 0;
        while done < receipts {
            let left = receipts - done;
            let per = per_customer.min(left.div_ceil(customers.len())).max(1);
            let n = customers.len().min(left.div_ceil(per));
            done += self
                .round(merchants, &customers[..n], per, batch, offset)
                .await?
                .len();
            offset += 1;
            progress(done);
        }
        Ok(done)
    }

    /// Seals a block (a `System::remark`): the dev node makes blocks only
    /// for extrinsics, and dry runs see the best block's timestamp, so after
    /// waiting out a challenge window the chain's clock needs a new block.
    ///
    /// # Errors
    /// Transaction failures.
    pub async fn tick(&self) -> Result<()> {
        let remark = bizkey_chain::node::tx().system().remark(Vec::new());
        self.chain
            .submit(&self.admin, &remark, Finality::InBlock, "System::remark")
            .await?;
        Ok(())
    }

    /// Waits until the finalized head is the best block; returns its number.
    ///
    /// # Errors
    /// RPC failures; [`ChainError::Timeout`] after `timeout`.
    pub async fn settle(&self, timeout: std::time::Duration) -> Result<u32> {
        let start = std::time::Instant::now();
        loop {
            let (best, _) = self.chain.best_block().await?;
            let (fin, _) = self.chain.finalized_block().await?;
            if fin >= best {
                return Ok(fin);
            }
            if start.elapsed() > timeout {
                return Err(ChainError::Timeout {
                    what: format!("finalization of block {best}"),
                    secs: timeout.as_secs(),
                }
                .into());
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
}
