// What a dApp needs to talk to the Bizkey contracts with @polkadot/api and
// @polkadot/api-contract: connect, load each contract's metadata from the
// deployment manifest, dry-run a message, sign and submit it with the gas
// the dry run reported, and decode the contracts' events.

import fs from 'node:fs';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { ContractPromise } from '@polkadot/api-contract';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

/** One BT or TT, and one unit of the node's native token (12 decimals). */
export const UNIT = 10n ** 12n;

/** Connects to the node (`ws://…`). */
export async function connect(url) {
  await cryptoWaitReady();
  // No automatic reconnection: a node that goes away fails the test.
  const provider = new WsProvider(url, false);
  await provider.connect();
  return ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true });
}

/** sr25519 key pairs from secret URIs (`//Alice`, `//Alice//shop/1`, …). */
export function keyring() {
  return new Keyring({ type: 'sr25519', ss58Format: 42 });
}

/**
 * The deployed suite: a `ContractPromise` per contract of the manifest,
 * built from the metadata in its `.contract` bundle.
 */
export function loadSuite(api, manifest) {
  const contracts = {};
  const byAddress = new Map();
  for (const c of manifest.contracts) {
    const bundle = JSON.parse(fs.readFileSync(c.bundle, 'utf8'));
    const contract = new ContractPromise(api, bundle, c.address);
    contracts[c.name] = contract;
    byAddress.set(contract.address.toString(), { name: c.name, contract });
  }
  return { api, contracts, byAddress };
}

/** The most gas a dry run may use: the node's block limits. */
export function maxGas(api) {
  const { refTime, proofSize } = api.consts.system.blockWeights.maxBlock;
  return api.registry.createType('WeightV2', { refTime, proofSize });
}

/** A `DispatchError` as `pallet.Error: docs`. */
function dispatchErrorText(api, err) {
  if (err.isModule) {
    const { section, name, docs } = api.registry.findMetaError(err.asModule);
    return `${section}.${name}: ${docs.join(' ')}`;
  }
  return err.toString();
}

/** Whether a codec is a SCALE `Result` (ink! messages that can fail return one). */
function isResult(codec) {
  return typeof codec?.isOk === 'boolean' && typeof codec?.isErr === 'boolean';
}

/**
 * Dry-runs `message(...args)` of `contract` as `origin` (an address) at the
 * best block, with the block's gas limit. Fails unless the call succeeds:
 * no dispatch error, no revert, and an `Ok` from a message returning
 * `Result`. Returns the decoded value (the `Ok` of such a message), the gas
 * it needs and the storage deposit it would charge.
 */
export async function dryRun(contract, origin, message, ...args) {
  const { api } = contract;
  const query = contract.query[message];
  if (!query) throw new Error(`${contract.abi.info.contract.name}: no message ${message}`);
  const { result, output, gasRequired, storageDeposit } = await query(
    origin,
    { gasLimit: maxGas(api), storageDepositLimit: null },
    ...args,
  );
  const what = `${contract.abi.info.contract.name.toString()}.${message}`;
  if (result.isErr) {
    throw new Error(`${what} dry run: ${dispatchErrorText(api, result.asErr)}`);
  }
  // ink! 5 wraps every message's output in Result<_, LangError>.
  if (!output || !isResult(output) || output.isErr) {
    throw new Error(`${what} dry run: ${output ? output.toString() : 'no output'}`);
  }
  const inner = output.asOk;
  if (isResult(inner) && inner.isErr) {
    throw new Error(`${what} dry run returned Err(${inner.asErr.toString()})`);
  }
  if (result.asOk.flags.isRevert) {
    throw new Error(`${what} dry run reverted: ${inner.toString()}`);
  }
  return {
    value: isResult(inner) ? inner.asOk : inner,
    gasRequired,
    storageDeposit,
  };
}

/** A read-only message's value (a dry run). */
export async function read(contract, message, ...args) {
  // Any account may be the origin of a read; the contract's own address is always valid.
  return (await dryRun(contract, contract.address, message, ...args)).value;
}

/**
 * Signs and submits `tx`, waits until it is in a block, and fails on
 * `System.ExtrinsicFailed` or a transaction the pool refuses. The nonce is
 * signAndSend's default: `system_accountNextIndex`, which counts the
 * transactions in the pool (the dev node finalizes a second after sealing).
 */
export function submit(api, tx, signer, { timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    let unsub = null;
    let done = false;
    const seen = []; // the statuses the pool reported, for the error
    const finish = (fn, v) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (unsub) unsub();
      fn(v);
    };
    const timer = setTimeout(() => {
      const what = `${tx.method.section}.${tx.method.method} ${tx.hash.toHex()} (nonce ${tx.nonce.toString()})`;
      finish(reject, new Error(`${what} not in a block after ${timeoutMs} ms; statuses: ${seen.join(', ') || 'none'}`));
    }, timeoutMs);
    tx.signAndSend(signer, (result) => {
      const { status, events, dispatchError } = result;
      seen.push(status.type);
      // A loaded node's pool may skip a block's InBlock report and say
      // Finalized first: either way the transaction is in that block.
      const blockHash = status.isInBlock ? status.asInBlock : status.isFinalized ? status.asFinalized : null;
      if (blockHash) {
        const failed = events.find(({ event }) => api.events.system.ExtrinsicFailed.is(event));
        if (failed || dispatchError) {
          const err = dispatchError ?? failed.event.data[0];
          finish(reject, new Error(`ExtrinsicFailed in block ${blockHash.toHex()}: ${dispatchErrorText(api, err)}`));
        } else {
          finish(resolve, { blockHash, events });
        }
      } else if (status.isInvalid || status.isDropped || status.isUsurped || status.isFinalityTimeout) {
        finish(reject, new Error(`transaction ${status.type}`));
      }
    })
      .then((u) => {
        unsub = u;
        if (done) u();
      })
      .catch((e) => finish(reject, e));
  });
}

/**
 * The contract events among `records`, decoded with the metadata of the
 * contract that emitted them. ink! 5 puts the event's signature topic
 * (blake2-256 of its signature, `signature_topic` in the metadata) first
 * in the record's topics; `abi.decodeEvent` picks the event by it.
 * Each: `{ contract, name, args, topics }` (`args` by field name, codecs).
 */
export function decodeEvents(suite, records) {
  const { api } = suite;
  const out = [];
  for (const record of records) {
    if (!api.events.contracts.ContractEmitted.is(record.event)) continue;
    const [address] = record.event.data;
    const known = suite.byAddress.get(address.toString());
    if (!known) {
      throw new Error(`an event of ${address.toString()}, which is not in the manifest`);
    }
    const decoded = known.contract.abi.decodeEvent(record);
    const topic = record.topics[0]?.toHex();
    if (topic !== decoded.event.signatureTopic) {
      throw new Error(`${decoded.event.identifier}: topic 0 ${topic} is not its signature topic`);
    }
    out.push({
      contract: known.name,
      name: decoded.event.identifier.split('::').pop(),
      args: Object.fromEntries(decoded.event.args.map((a, i) => [a.name, decoded.args[i]])),
      topics: record.topics.map((t) => t.toHex()),
    });
  }
  return out;
}

/**
 * The dApp's whole call: a dry run as the signer (it must succeed), then
 * the signed extrinsic with the dry run's gas and storage deposit as
 * limits, waited for in a block. Returns the dry run's value, the block and
 * the decoded contract events of the extrinsic.
 */
export async function call(suite, signer, contract, message, ...args) {
  const dry = await dryRun(contract, signer.address, message, ...args);
  const tx = contract.tx[message](
    {
      gasLimit: dry.gasRequired,
      storageDepositLimit: dry.storageDeposit.isCharge ? dry.storageDeposit.asCharge : null,
    },
    ...args,
  );
  const { blockHash, events } = await submit(suite.api, tx, signer);
  return { value: dry.value, dry, blockHash, events: decodeEvents(suite, events) };
}

/** PSP22 `balance_of`, as a bigint. */
export async function balanceOf(token, owner) {
  return (await read(token, 'psp22::balanceOf', owner)).toBigInt();
}

/** `Timestamp::Now` of the best block (ms): what the contracts see as `block_timestamp()` in a dry run. */
export async function chainTime(api) {
  return (await api.query.timestamp.now()).toBigInt();
}

/**
 * Seals a block (a `System.remark` by `signer`). The dev node seals blocks
 * only for transactions, and a dry run sees the best block's time: after a
 * pause, a new block lets it see the clock move.
 */
export async function tick(api, signer) {
  await submit(api, api.tx.system.remark('0x'), signer);
}

/** Sleeps `ms`. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, Number(ms)));
