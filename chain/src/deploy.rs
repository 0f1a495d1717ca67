//! The suite's deployment: which contracts, in which order, with which
//! constructor arguments, and how they are wired together afterwards.
//!
//! The plan is data ([`SUITE`], [`WIRING`]): a contract is deployed when its
//! bundle is in the contracts directory (`scripts/build-contracts.sh` builds
//! every contract of the contracts workspace), a wiring step runs when every
//! contract it names was deployed. Deploying a contract whose dependencies
//! are missing is an error.

use crate::accounts::{account_of, to_ink};
use crate::bundle::ContractBundle;
use crate::client::{Chain, Finality};
use crate::contract::Contract;
use crate::error::{ChainError, Result};
use crate::manifest::{DeployedContract, Manifest, MANIFEST_VERSION};
use bizkey_types::roles::Role;
use bizkey_types::{AccountId, Balance};
use scale::Encode;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use subxt_signer::sr25519::Keypair;

/// One unit of a token (12 decimals).
pub const UNIT: Balance = 1_000_000_000_000;
/// BT's ecosystem allocation (50 % of 10 B).
pub const BT_ECOSYSTEM: Balance = 5_000_000_000 * UNIT;
/// The part of the ecosystem allocation that funds the ledger's Biz rewards;
/// the rest stays with the deployer as the treasury until governance holds it.
pub const BT_REWARD_POOL: Balance = BT_ECOSYSTEM / 2;
/// TT's genesis supply (the early-user reserve), all of it the ledger's pool.
pub const TT_GENESIS: Balance = 2_000_000_000 * UNIT;
/// Share of the Time emission that goes to the ledger's reward pool (the
/// rest to the lockers' dividend pool), in parts per million.
pub const TT_REWARD_SHARE_PPM: u32 = 800_000;

/// What constructor arguments and wiring calls can refer to.
pub struct Ctx<'a> {
    /// The deploying account (admin of everything, holder of allocations
    /// until the vesting and governance contracts take them).
    pub deployer: AccountId,
    /// Addresses of the contracts deployed so far.
    pub deployed: &'a BTreeMap<String, AccountId>,
}

impl Ctx<'_> {
    /// The address of a deployed contract.
    ///
    /// # Errors
    /// [`ChainError::Plan`] when it was not deployed.
    pub fn addr(&self, name: &str) -> Result<AccountId> {
        self.deployed
            .get(name)
            .copied()
            .ok_or_else(|| ChainError::Plan(format!("`{name}` is needed but was not deployed")))
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
    pub name: &'static str,
    pub constructor: &'static str,
    /// Contracts whose addresses the constructor takes.
    pub needs: &'static [&'static str],
    pub args: Args,
}

/// A call made after deployment, by the deployer.
pub struct WiringStep {
    pub what: &'static str,
    pub contract: &'static str,
    pub message: &'static str,
    /// Runs only when all of these were deployed (the contract included).
    pub needs: &'static [&'static str],
    pub args: Args,
}

/// The suite, in deployment order. Vesting and governance (later issues)
/// will take the deployer's place as holder of the BT allocations and of the
/// privileged roles.
pub const SUITE: &[ContractSpec] = &[
    ContractSpec {
        name: "biz_token",
        constructor: "new",
        needs: &[],
        // early supporters, ecosystem, team, foundation
        args: |c| Ok((c.deployer, c.deployer, c.deployer, c.deployer).encode()),
    },
    ContractSpec {
        name: "time_token",
        constructor: "new",
        needs: &[],
        // genesis holder, reward pool, dividend pool, reward share: the pools
        // move to the ledger in the wiring, once it exists.
        args: |c| Ok((c.deployer, c.deployer, c.deployer, TT_REWARD_SHARE_PPM).encode()),
    },
    ContractSpec {
        name: "registry",
        constructor: "new",
        needs: &[],
        args: |_| Ok(Vec::new()),
    },
    ContractSpec {
        name: "ledger",
        constructor: "new",
        needs: &["registry", "biz_token", "time_token"],
        args: |c| {
            Ok((
                c.addr("registry")?,
                c.addr("biz_token")?,
                c.addr("time_token")?,
            )
                .encode())
        },
    },
];

/// Wiring, in order.
pub const WIRING: &[WiringStep] = &[
    WiringStep {
        what: "registry: the ledger may mark first purchases",
        contract: "registry",
        message: "set_role",
        needs: &["registry", "ledger"],
        args: |c| Ok((Role::Ledger, Some(c.addr("ledger")?)).encode()),
    },
    WiringStep {
        what: "biz_token: the ledger's Biz reward pool (half the ecosystem share)",
        contract: "biz_token",
        message: "PSP22::transfer",
        needs: &["biz_token", "ledger"],
        args: |c| Ok((c.addr("ledger")?, BT_REWARD_POOL, Vec::<u8>::new()).encode()),
    },
    WiringStep {
        what: "time_token: the genesis supply to the ledger's Time reward pool",
        contract: "time_token",
        message: "PSP22::transfer",
        needs: &["time_token", "ledger"],
        args: |c| Ok((c.addr("ledger")?, TT_GENESIS, Vec::<u8>::new()).encode()),
    },
    WiringStep {
        what: "time_token: emission to the ledger's reward pool",
        contract: "time_token",
        message: "configure_emission",
        needs: &["time_token", "ledger"],
        args: |c| Ok((c.addr("ledger")?, c.deployer, TT_REWARD_SHARE_PPM).encode()),
    },
    WiringStep {
        what: "ledger: read the funded pools",
        contract: "ledger",
        message: "sync",
        needs: &["ledger", "biz_token", "time_token"],
        args: |_| Ok(Vec::new()),
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

/// Deploys every contract of [`SUITE`] whose bundle is in `contracts_dir`,
/// runs the applicable [`WIRING`], and returns the manifest (not saved).
///
/// # Errors
/// [`ChainError::Plan`] when no contract of the suite has a bundle or a
/// present contract needs a missing one; bundle, revert and dispatch errors.
pub async fn deploy_suite(
    chain: &Chain,
    deployer: &Keypair,
    contracts_dir: &Path,
    progress: &mut dyn Progress,
) -> Result<Manifest> {
    let bundles: Vec<(&ContractSpec, PathBuf)> = SUITE
        .iter()
        .map(|s| (s, contracts_dir.join(format!("{}.contract", s.name))))
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
    let mut addresses: BTreeMap<String, AccountId> = BTreeMap::new();
    let mut handles: BTreeMap<&str, Contract> = BTreeMap::new();
    let mut deployed = Vec::new();
    // A salt unique to this deployment: the same code and arguments may be
    // deployed again on the same chain.
    let (best, _) = chain.best_block().await?;
    let salt_base = format!("bizkey/{best}/{}", std::process::id());

    let total = bundles.len();
    for (i, (spec, path)) in bundles.into_iter().enumerate() {
        if let Some(missing) = spec.needs.iter().find(|n| !addresses.contains_key(**n)) {
            return Err(ChainError::Plan(format!(
                "{} needs {missing}, which has no bundle",
                spec.name
            )));
        }
        let bundle = ContractBundle::load(&path)?;
        let ctx = Ctx {
            deployer: deployer_ink,
            deployed: &addresses,
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
        addresses.insert(spec.name.into(), to_ink(&inst.address));
        let path = std::fs::canonicalize(&path).unwrap_or(path);
        deployed.push(DeployedContract {
            name: spec.name.into(),
            address: inst.address.clone(),
            code_hash: inst.code_hash,
            bundle: path,
            instantiated_at: inst.included.block_number,
        });
        handles.insert(
            spec.name,
            Contract {
                name: spec.name.into(),
                address: inst.address,
                bundle: Arc::new(bundle),
            },
        );
    }

    for step in WIRING {
        if !step.needs.iter().all(|n| addresses.contains_key(*n)) {
            continue;
        }
        let contract = handles.get(step.contract).ok_or_else(|| {
            ChainError::Plan(format!("wiring step on undeployed {}", step.contract))
        })?;
        let ctx = Ctx {
            deployer: deployer_ink,
            deployed: &addresses,
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
