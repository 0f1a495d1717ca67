//! The suite's deployment: which contracts, in which order, with which
//! constructor arguments, and how they are wired together afterwards.
//!
//! The plan is data ([`SUITE`], [`WIRING`]): a contract is deployed when its
//! bundle is in the contracts directory (`scripts/build-contracts.sh` builds
//! every contract of the contracts workspace), a wiring step runs when every
//! contract it names was deployed. Deploying a contract whose dependencies
//! are missing is an error.
//!
//! With every bundle present the whole suite is wired as the governance
//! e2e tests wire it (`contracts/governance/e2e_tests.rs`, `suite!`):
//!
//! - BT's four allocations are minted to the deployer, who then moves half
//!   the ecosystem share to the ledger's Biz reward pool and the vested
//!   shares plus the other half of the ecosystem share (the treasury that
//!   governance spends) to `vesting`. On this dev deployment the deployer is
//!   the beneficiary of the three vested allocations and releases the team's
//!   first unlock (10 % at T0) at once: that is the deployer's liquid BT.
//! - TT's genesis goes to the ledger's Time reward pool; the emission is
//!   split between the ledger (reward pool) and `locking` (the lockers'
//!   dividend pool).
//! - The registry names the ledger (`Ledger` role) before any merchant
//!   exists, so every merchant change can reach the ledger.
//! - `governance` holds the `Governance` role of the registry, the ledger,
//!   both tokens, `super_nodes` and `vesting`; the deployer stays the
//!   foundation authority (admin) of everything in phase 军政, and
//!   governance takes the admin roles itself when the phase advances.
//! - `tasks` and `reviews` need no role.

use crate::accounts::{account_of, to_ink};
use crate::bundle::ContractBundle;
use crate::client::{Chain, Finality};
use crate::contract::Contract;
use crate::error::{ChainError, Result};
use crate::kind::ContractKind::{self, *};
use crate::manifest::{DeployedContract, Manifest, MANIFEST_VERSION};
use bizkey_types::governance::{Contracts, Floors, GovernanceConfig};
use bizkey_types::ledger::RewardCaps;
use bizkey_types::locking::LockTier;
use bizkey_types::math::PPM;
use bizkey_types::roles::Role;
use bizkey_types::super_nodes::SuperNodeConfig;
use bizkey_types::{AccountId, Balance, Timestamp};
use scale::Encode;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use subxt_signer::sr25519::Keypair;

/// One unit of a token (12 decimals).
pub const UNIT: Balance = 1_000_000_000_000;
/// BT's ecosystem allocation (50 % of 10 B).
pub const BT_ECOSYSTEM: Balance = 5_000_000_000 * UNIT;
/// The part of the ecosystem allocation that funds the ledger's Biz rewards.
pub const BT_REWARD_POOL: Balance = BT_ECOSYSTEM / 2;
/// The rest of the ecosystem allocation: the treasury, held by `vesting`
/// and spent by governance (`TreasurySpend`).
pub const BT_TREASURY: Balance = BT_ECOSYSTEM - BT_REWARD_POOL;
/// The vested allocations (early supporters 20 %, team 15 %, foundation
/// 15 %), held by `vesting`.
pub const BT_VESTED: Balance = 5_000_000_000 * UNIT;
/// The team's unlock at T0: 10 % of its 1.5 B, released to the deployer
/// (the dev deployment's beneficiary) by the wiring.
pub const BT_TEAM_AT_T0: Balance = 150_000_000 * UNIT;
/// TT's genesis supply (the early-user reserve), all of it the ledger's pool.
pub const TT_GENESIS: Balance = 2_000_000_000 * UNIT;
/// Share of the Time emission that goes to the ledger's reward pool (the
/// rest to the lockers' dividend pool), in parts per million.
pub const TT_REWARD_SHARE_PPM: u32 = 800_000;

/// Tokens with 12 decimals, as a decimal string with 3 places.
pub fn tokens(v: Balance) -> String {
    format!("{}.{:03}", v / UNIT, v % UNIT / (UNIT / 1000))
}

/// The settings of a deployment that are not addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployOptions {
    /// Governance's voting period, quorum, threshold, delays.
    pub governance: GovernanceConfig,
    /// What no proposal can go below (fixed at instantiation).
    pub floors: Floors,
    /// The ledger's first reward caps (governance changes them).
    pub reward_caps: RewardCaps,
    /// `locking`'s tiers (fixed at instantiation).
    pub lock_tiers: Vec<LockTier>,
    /// `super_nodes`' bond and unbonding period.
    pub super_nodes: SuperNodeConfig,
}

impl DeployOptions {
    /// For a local dev chain, where a scripted day runs in a minute: votes
    /// last 10 s and passed proposals wait 1 s; the shortest lock (10 min)
    /// outlasts a vote. The floors are seconds too (tests shorten votes to
    /// 4 s and challenge windows to 2 s); a public deployment sets them in
    /// days. The reward caps are the ledger's defaults
    /// ([`RewardCaps::default`]: 10 Biz and 100 Time a receipt, 1,000 Biz
    /// and 10,000 Time a merchant a day, 0.1 % of a pool a receipt).
    pub fn dev() -> Self {
        const MINUTE: u64 = 60_000;
        const DAY: u64 = 1_440 * MINUTE;
        Self {
            governance: GovernanceConfig {
                voting_period_ms: 10_000,
                execution_delay_ms: 1_000,
                grace_period_ms: DAY,
                quorum_ppm: 200_000,
                threshold_ppm: 500_000,
                proposal_min_weight: UNIT,
            },
            floors: Floors {
                voting_period_ms: 2_000,
                execution_delay_ms: 500,
                quorum_ppm: 100_000,
                challenge_ms: 1_000,
            },
            reward_caps: RewardCaps::default(),
            lock_tiers: vec![
                LockTier {
                    duration_ms: 10 * MINUTE,
                    multiplier_ppm: PPM,
                },
                LockTier {
                    duration_ms: 30 * DAY,
                    multiplier_ppm: PPM * 3 / 2,
                },
                LockTier {
                    duration_ms: 365 * DAY,
                    multiplier_ppm: 2 * PPM,
                },
            ],
            super_nodes: SuperNodeConfig {
                min_bond: 100 * UNIT,
                unbonding_ms: 10 * MINUTE,
                max_super_nodes: 8,
            },
        }
    }
}

impl Default for DeployOptions {
    /// [`DeployOptions::dev`]: the tool deploys to dev nodes.
    fn default() -> Self {
        Self::dev()
    }
}

/// What constructor arguments and wiring calls can refer to.
pub struct Ctx<'a> {
    /// The deploying account (admin of everything, holder of allocations
    /// until the vesting and governance contracts take them).
    pub deployer: AccountId,
    /// Addresses of the contracts deployed so far.
    pub deployed: &'a BTreeMap<ContractKind, AccountId>,
    /// Block timestamps (ms) of their instantiations.
    pub instantiated_ms: &'a BTreeMap<ContractKind, Timestamp>,
    pub options: &'a DeployOptions,
}

impl Ctx<'_> {
    /// The address of a deployed contract.
    ///
    /// # Errors
    /// [`ChainError::Plan`] when it was not deployed.
    pub fn addr(&self, kind: ContractKind) -> Result<AccountId> {
        self.deployed
            .get(&kind)
            .copied()
            .ok_or_else(|| ChainError::Plan(format!("`{kind}` is needed but was not deployed")))
    }

    /// When a deployed contract was instantiated (its block's timestamp).
    ///
    /// # Errors
    /// [`ChainError::Plan`] when it was not deployed.
    pub fn instantiated_ms(&self, kind: ContractKind) -> Result<Timestamp> {
        self.instantiated_ms
            .get(&kind)
            .copied()
            .ok_or_else(|| ChainError::Plan(format!("`{kind}` is needed but was not deployed")))
    }
}

/// SCALE bytes produced by an argument builder, passed through unchanged.
pub struct Encoded(pub Vec<u8>);

impl Encode for Encoded {
    fn size_hint(&self) -> usize {
        self.0.len()
    }
    fn encode_to<T: scale::Output + ?Sized>(&self, dest: &mut T) {
        dest.write(&self.0);
    }
}

type Args = fn(&Ctx) -> Result<Vec<u8>>;

/// A contract of the suite.
pub struct ContractSpec {
    /// The crate name: the bundle is `<name>.contract`.
    pub name: ContractKind,
    pub constructor: &'static str,
    /// Contracts whose addresses the constructor takes.
    pub needs: &'static [ContractKind],
    pub args: Args,
}

/// A call made after deployment, by the deployer.
pub struct WiringStep {
    pub what: &'static str,
    pub contract: ContractKind,
    pub message: &'static str,
    /// Runs only when all of these were deployed (the contract included).
    pub needs: &'static [ContractKind],
    pub args: Args,
}

/// The suite, in deployment order.
pub const SUITE: &[ContractSpec] = &[
    ContractSpec {
        name: BizToken,
        constructor: "new",
        needs: &[],
        // early supporters, ecosystem, team, foundation: the wiring moves
        // them to the ledger and to vesting.
        args: |c| Ok((c.deployer, c.deployer, c.deployer, c.deployer).encode()),
    },
    ContractSpec {
        name: TimeToken,
        constructor: "new",
        needs: &[],
        // genesis holder, reward pool, dividend pool, reward share: the pools
        // move to the ledger and to locking in the wiring, once they exist.
        args: |c| Ok((c.deployer, c.deployer, c.deployer, TT_REWARD_SHARE_PPM).encode()),
    },
    ContractSpec {
        name: Registry,
        constructor: "new",
        needs: &[],
        args: |_| Ok(Vec::new()),
    },
    ContractSpec {
        name: Ledger,
        constructor: "new",
        needs: &[Registry, BizToken, TimeToken],
        args: |c| {
            Ok((
                c.addr(Registry)?,
                c.addr(BizToken)?,
                c.addr(TimeToken)?,
                c.options.reward_caps,
            )
                .encode())
        },
    },
    ContractSpec {
        name: Vesting,
        constructor: "new",
        needs: &[BizToken],
        // T0 is BT's issue time; the deployer is the beneficiary of early
        // supporters, team and foundation on this dev deployment.
        args: |c| {
            Ok((
                c.addr(BizToken)?,
                c.instantiated_ms(BizToken)?,
                c.deployer,
                c.deployer,
                c.deployer,
            )
                .encode())
        },
    },
    ContractSpec {
        name: Locking,
        constructor: "new",
        // The registry says whose lock a removal ends.
        needs: &[BizToken, TimeToken, Registry],
        args: |c| {
            Ok((
                c.addr(BizToken)?,
                c.addr(TimeToken)?,
                c.addr(Registry)?,
                c.options.lock_tiers.clone(),
            )
                .encode())
        },
    },
    ContractSpec {
        name: SuperNodes,
        constructor: "new",
        // Slashed bonds go to the treasury (vesting's ecosystem fund).
        needs: &[BizToken, Registry, Vesting],
        args: |c| {
            Ok((
                c.addr(BizToken)?,
                c.addr(Registry)?,
                c.addr(Vesting)?,
                c.options.super_nodes,
            )
                .encode())
        },
    },
    ContractSpec {
        name: Tasks,
        constructor: "new",
        needs: &[TimeToken, Ledger, Registry],
        args: |c| Ok((c.addr(TimeToken)?, c.addr(Ledger)?, c.addr(Registry)?).encode()),
    },
    ContractSpec {
        name: Reviews,
        constructor: "new",
        needs: &[Ledger],
        args: |c| Ok(c.addr(Ledger)?.encode()),
    },
    ContractSpec {
        name: Governance,
        constructor: "new",
        needs: &[
            Locking, SuperNodes, BizToken, TimeToken, Registry, Ledger, Vesting,
        ],
        // The deployer becomes the foundation authority (phase 军政).
        args: |c| {
            let contracts = Contracts {
                locking: c.addr(Locking)?,
                super_nodes: c.addr(SuperNodes)?,
                biz_token: c.addr(BizToken)?,
                time_token: c.addr(TimeToken)?,
                registry: c.addr(Registry)?,
                ledger: c.addr(Ledger)?,
                vesting: c.addr(Vesting)?,
            };
            Ok((contracts, c.options.governance, c.options.floors).encode())
        },
    },
];

/// Wiring, in order.
pub const WIRING: &[WiringStep] = &[
    WiringStep {
        // Before any merchant exists: every merchant change reaches the ledger.
        what: "registry: the ledger (first purchases, merchant data)",
        contract: Registry,
        message: "set_role",
        needs: &[Registry, Ledger],
        args: |c| Ok((Role::Ledger, Some(c.addr(Ledger)?)).encode()),
    },
    WiringStep {
        what: "biz_token: the ledger's Biz reward pool (half the ecosystem share)",
        contract: BizToken,
        message: "PSP22::transfer",
        needs: &[BizToken, Ledger],
        args: |c| Ok((c.addr(Ledger)?, BT_REWARD_POOL, Vec::<u8>::new()).encode()),
    },
    WiringStep {
        what: "time_token: the genesis supply to the ledger's Time reward pool",
        contract: TimeToken,
        message: "PSP22::transfer",
        needs: &[TimeToken, Ledger],
        args: |c| Ok((c.addr(Ledger)?, TT_GENESIS, Vec::<u8>::new()).encode()),
    },
    WiringStep {
        what: "time_token: emission split between the ledger (reward pool) and locking (dividends)",
        contract: TimeToken,
        message: "configure_emission",
        needs: &[TimeToken, Ledger],
        // Without locking, the dividend share waits with the deployer.
        args: |c| {
            let dividends = c.addr(Locking).unwrap_or(c.deployer);
            Ok((c.addr(Ledger)?, dividends, TT_REWARD_SHARE_PPM).encode())
        },
    },
    WiringStep {
        what: "ledger: read the funded pools",
        contract: Ledger,
        message: "sync",
        needs: &[Ledger, BizToken, TimeToken],
        args: |_| Ok(Vec::new()),
    },
    WiringStep {
        what: "biz_token: the vested shares and the treasury to vesting",
        contract: BizToken,
        message: "PSP22::transfer",
        needs: &[BizToken, Vesting],
        args: |c| Ok((c.addr(Vesting)?, BT_VESTED + BT_TREASURY, Vec::<u8>::new()).encode()),
    },
    WiringStep {
        what: "vesting: the team's unlock at T0 to its beneficiary (the deployer)",
        contract: Vesting,
        message: "VestingApi::release",
        needs: &[Vesting],
        args: |_| Ok(Vec::new()),
    },
    WiringStep {
        what: "registry: governance",
        contract: Registry,
        message: "set_role",
        needs: &[Registry, Governance],
        args: |c| Ok((Role::Governance, Some(c.addr(Governance)?)).encode()),
    },
    WiringStep {
        what: "ledger: governance",
        contract: Ledger,
        message: "set_role",
        needs: &[Ledger, Governance],
        args: |c| Ok((Role::Governance, Some(c.addr(Governance)?)).encode()),
    },
    WiringStep {
        what: "ledger: the super nodes (covering nodes flag receipts)",
        contract: Ledger,
        message: "set_role",
        needs: &[Ledger, SuperNodes],
        args: |c| Ok((Role::SuperNodes, Some(c.addr(SuperNodes)?)).encode()),
    },
    WiringStep {
        what: "biz_token: governance",
        contract: BizToken,
        message: "set_governance",
        needs: &[BizToken, Governance],
        args: |c| Ok(Some(c.addr(Governance)?).encode()),
    },
    WiringStep {
        what: "time_token: governance",
        contract: TimeToken,
        message: "set_governance",
        needs: &[TimeToken, Governance],
        args: |c| Ok(Some(c.addr(Governance)?).encode()),
    },
    WiringStep {
        what: "super_nodes: governance (elects, revokes)",
        contract: SuperNodes,
        message: "set_role",
        needs: &[SuperNodes, Governance],
        args: |c| Ok((Role::Governance, Some(c.addr(Governance)?)).encode()),
    },
    WiringStep {
        what: "vesting: governance (spends the treasury)",
        contract: Vesting,
        message: "set_role",
        needs: &[Vesting, Governance],
        args: |c| Ok((Role::Governance, Some(c.addr(Governance)?)).encode()),
    },
];

/// Progress of a deployment, for the CLI's output.
pub trait Progress {
    fn step(&mut self, message: &str);
}

impl<F: FnMut(&str)> Progress for F {
    fn step(&mut self, message: &str) {
        self(message)
    }
}

/// [`deploy_suite_with`] the [`DeployOptions::dev`] settings.
///
/// # Errors
/// As [`deploy_suite_with`].
pub async fn deploy_suite(
    chain: &Chain,
    deployer: &Keypair,
    contracts_dir: &Path,
    progress: &mut dyn Progress,
) -> Result<Manifest> {
    deploy_suite_with(
        chain,
        deployer,
        contracts_dir,
        &DeployOptions::dev(),
        progress,
    )
    .await
}

/// Deploys every contract of [`SUITE`] whose bundle is in `contracts_dir`,
/// runs the applicable [`WIRING`], and returns the manifest (not saved).
///
/// # Errors
/// [`ChainError::Plan`] when no contract of the suite has a bundle or a
/// present contract needs a missing one; bundle, revert and dispatch errors.
pub async fn deploy_suite_with(
    chain: &Chain,
    deployer: &Keypair,
    contracts_dir: &Path,
    options: &DeployOptions,
    progress: &mut dyn Progress,
) -> Result<Manifest> {
    let bundles: Vec<(&ContractSpec, PathBuf)> = SUITE
        .iter()
        .map(|s| (s, contracts_dir.join(s.name.bundle())))
        .filter(|(_, p)| p.exists())
        .collect();
    if bundles.is_empty() {
        return Err(ChainError::Plan(format!(
            "no bundle of the suite in {} (run scripts/build-contracts.sh)",
            contracts_dir.display()
        )));
    }
    for s in SUITE
        .iter()
        .filter(|s| !bundles.iter().any(|(b, _)| b.name == s.name))
    {
        progress.step(&format!("{}: no bundle, not deployed", s.name));
    }

    let deployer_ink = to_ink(&account_of(deployer));
    let mut addresses: BTreeMap<ContractKind, AccountId> = BTreeMap::new();
    let mut instantiated_ms: BTreeMap<ContractKind, Timestamp> = BTreeMap::new();
    let mut handles: BTreeMap<ContractKind, Contract> = BTreeMap::new();
    let mut deployed = Vec::new();
    // A salt unique to this deployment: the same code and arguments may be
    // deployed again on the same chain.
    let (best, _) = chain.best_block().await?;
    let salt_base = format!("bizkey/{best}/{}", std::process::id());

    let total = bundles.len();
    for (i, (spec, path)) in bundles.into_iter().enumerate() {
        if let Some(missing) = spec.needs.iter().find(|n| !addresses.contains_key(*n)) {
            return Err(ChainError::Plan(format!(
                "{} needs {missing}, which has no bundle",
                spec.name
            )));
        }
        let bundle = ContractBundle::load(&path)?;
        let ctx = Ctx {
            deployer: deployer_ink,
            deployed: &addresses,
            instantiated_ms: &instantiated_ms,
            options,
        };
        let args = Encoded((spec.args)(&ctx)?);
        progress.step(&format!(
            "[{}/{total}] {}: upload {} bytes, instantiate `{}`",
            i + 1,
            spec.name,
            bundle.wasm.len(),
            spec.constructor
        ));
        let inst = chain
            .instantiate(
                deployer,
                &bundle,
                spec.constructor,
                &args,
                format!("{salt_base}/{}", spec.name).into_bytes(),
            )
            .await?;
        progress.step(&format!(
            "      {} at {} (block {})",
            spec.name, inst.address, inst.included.block_number
        ));
        addresses.insert(spec.name, to_ink(&inst.address));
        instantiated_ms.insert(
            spec.name,
            chain.block_timestamp(inst.included.block_hash).await?,
        );
        let path = std::fs::canonicalize(&path).unwrap_or(path);
        deployed.push(DeployedContract {
            name: spec.name.name().into(),
            address: inst.address.clone(),
            code_hash: inst.code_hash,
            bundle: path,
            instantiated_at: inst.included.block_number,
        });
        handles.insert(
            spec.name,
            Contract {
                name: spec.name.name().into(),
                address: inst.address,
                bundle: Arc::new(bundle),
            },
        );
    }

    for step in WIRING {
        if !step.needs.iter().all(|n| addresses.contains_key(n)) {
            continue;
        }
        let contract = handles.get(&step.contract).ok_or_else(|| {
            ChainError::Plan(format!("wiring step on undeployed {}", step.contract))
        })?;
        let ctx = Ctx {
            deployer: deployer_ink,
            deployed: &addresses,
            instantiated_ms: &instantiated_ms,
            options,
        };
        let args = Encoded((step.args)(&ctx)?);
        progress.step(&format!("wire {}", step.what));
        chain
            .call::<IgnoreOk>(deployer, contract, step.message, &args, Finality::InBlock)
            .await?;
    }

    Ok(Manifest {
        version: MANIFEST_VERSION,
        genesis_hash: chain.genesis_hash(),
        node_url: chain.url().into(),
        // Instant seal: the first deployment extrinsic is in a block after
        // the best block seen before it (upload_code may precede the first
        // instantiation).
        deployment_block: best + 1,
        deployer: account_of(deployer),
        contracts: deployed,
    })
}

/// The output of a wiring call: `Result<_, E>` whose `Ok` may carry a value;
/// a revert is already an error of [`Chain::call`], so only the `Ok`/`Err`
/// byte is checked.
#[derive(Debug)]
struct IgnoreOk;

impl scale::Decode for IgnoreOk {
    fn decode<I: scale::Input>(input: &mut I) -> std::result::Result<Self, scale::Error> {
        while input.read_byte().is_ok() {}
        Ok(IgnoreOk)
    }
}
