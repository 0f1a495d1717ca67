// The test's own side of the chain (Node, @polkadot/api-contract): the
// admin's steps the pages do not offer (verifying a merchant, shortening
// the challenge window, funding accounts), sales by merchants outside the
// pages, and the signer behind the key-less test extension in the page.

import fs from 'node:fs';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { ContractPromise } from '@polkadot/api-contract';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

export const UNIT = 10n ** 12n;

export async function connect(url) {
  await cryptoWaitReady();
  const provider = new WsProvider(url, false);
  await provider.connect();
  return ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true });
}

export function keyring() {
  return new Keyring({ type: 'sr25519', ss58Format: 42 });
}

/** A ContractPromise per contract of the manifest. */
export function loadSuite(api, manifest) {
  return Object.fromEntries(
    manifest.contracts.map((c) => [c.name, new ContractPromise(api, JSON.parse(fs.readFileSync(c.bundle, 'utf8')), c.address)]),
  );
}

function maxGas(api) {
  const { refTime, proofSize } = api.consts.system.blockWeights.maxBlock;
  return api.registry.createType('WeightV2', { refTime, proofSize });
}

const isResult = (c) => typeof c?.isOk === 'boolean' && typeof c?.isErr === 'boolean';

/** Dry run; fails unless the call would succeed. */
export async function dryRun(contract, origin, message, ...args) {
  const { result, output, gasRequired, storageDeposit } = await contract.query[message](
    origin,
    { gasLimit: maxGas(contract.api), storageDepositLimit: null },
    ...args,
  );
  if (result.isErr) throw new Error(`${message}: ${result.asErr.toString()}`);
  if (!isResult(output) || output.isErr) throw new Error(`${message}: ${output?.toString()}`);
  const inner = output.asOk;
  if (isResult(inner) && inner.isErr) throw new Error(`${message} refused: ${inner.asErr.toString()}`);
  return { value: isResult(inner) ? inner.asOk : inner, gasRequired, storageDeposit };
}

export async function read(contract, message, ...args) {
  return (await dryRun(contract, contract.address, message, ...args)).value;
}

/** Signs and submits `tx`, resolved once in a block; fails on ExtrinsicFailed. */
export function submit(api, tx, signer) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${tx.method.section}.${tx.method.method} not in a block after 60 s`)), 60_000);
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      // A loaded node's pool may report Finalized without InBlock first: either way it is in a block.
      if (status.isInBlock || status.isFinalized) {
        clearTimeout(timer);
        const failed = events.find(({ event }) => api.events.system.ExtrinsicFailed.is(event));
        if (dispatchError || failed) reject(new Error(`ExtrinsicFailed: ${(dispatchError ?? failed.event.data[0]).toString()}`));
        else resolve(events);
      } else if (status.isInvalid || status.isDropped || status.isUsurped) {
        clearTimeout(timer);
        reject(new Error(`transaction ${status.type}`));
      }
    }).catch((e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Dry run, then the signed call with its limits; returns the dry run's value. */
export async function call(contract, signer, message, ...args) {
  const dry = await dryRun(contract, signer.address, message, ...args);
  const tx = contract.tx[message](
    { gasLimit: dry.gasRequired, storageDepositLimit: dry.storageDeposit.isCharge ? dry.storageDeposit.asCharge : null },
    ...args,
  );
  await submit(contract.api, tx, signer);
  return dry.value;
}

export async function balanceOf(token, owner) {
  return (await read(token, 'psp22::balanceOf', owner)).toBigInt();
}

/** Seals a block: the dev node seals only for transactions, and a dry run sees the best block's time. */
export async function tick(api, signer) {
  await submit(api, api.tx.system.remark('0x'), signer);
}

export async function chainTime(api) {
  return (await api.query.timestamp.now()).toBigInt();
}

/**
 * Signs what the page's test extension hands over (a SignerPayloadJSON)
 * with the key of its address: the keys stay in Node.
 */
export function payloadSigner(api, pairs) {
  return (payload) => {
    const pair = pairs.find((p) => p.address === payload.address);
    if (!pair) throw new Error(`no key for ${payload.address}`);
    const ext = api.registry.createType('ExtrinsicPayload', payload, { version: payload.version });
    return ext.sign(pair).signature;
  };
}
