// The chain through polkadot-js: connect, load the contracts from their
// metadata, dry-run a message, then sign it (through the account's signer)
// with the gas and storage deposit the dry run reported, and wait until it
// is in a block. See tests/README.md, "The calls a dApp makes".

// Types only: the node's pallets (consts, storage, events) for the checker.
import type {} from '@polkadot/api-augment';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { ContractPromise } from '@polkadot/api-contract';
import type { Signer } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { DispatchError, WeightV2 } from '@polkadot/types/interfaces';
import type { Codec, ISubmittableResult } from '@polkadot/types/types';
import { loadAbi, type Config } from './config';

/** Who signs: an extension's signer for an address, or a dev key pair (dev mode). */
export type SignerOf = { address: string; signer: Signer } | { address: string; pair: KeyringPair };

/** A refused call: the contract's error (`NotOpen`, `NothingToClaim`, …) or the chain's. */
export class CallError extends Error {}

function dispatchErrorText(api: ApiPromise, err: DispatchError): string {
  if (err.isModule) {
    const { section, name, docs } = api.registry.findMetaError(err.asModule);
    return `${section}.${name}: ${docs.join(' ')}`;
  }
  return err.toString();
}

interface ResultCodec extends Codec {
  isOk: boolean;
  isErr: boolean;
  asOk: Codec;
  asErr: Codec;
}

function isResult(c: unknown): c is ResultCodec {
  return typeof (c as ResultCodec)?.isOk === 'boolean' && typeof (c as ResultCodec)?.isErr === 'boolean';
}

export class Chain {
  private constructor(
    readonly api: ApiPromise,
    readonly contracts: Record<string, ContractPromise>,
  ) {}

  static async connect(cfg: Config, names: string[]): Promise<Chain> {
    const api = await ApiPromise.create({ provider: new WsProvider(cfg.nodeUrl), noInitWarn: true });
    if (api.genesisHash.toHex() !== cfg.genesisHash) {
      throw new Error(`the node at ${cfg.nodeUrl} runs another chain than the deployment's`);
    }
    const contracts: Record<string, ContractPromise> = {};
    await Promise.all(
      names.map(async (name) => {
        const address = cfg.contracts[name];
        if (!address) throw new Error(`the deployment has no ${name} contract`);
        contracts[name] = new ContractPromise(api, await loadAbi(name), address);
      }),
    );
    return new Chain(api, contracts);
  }

  contract(name: string): ContractPromise {
    const c = this.contracts[name];
    if (!c) throw new Error(`no contract ${name}`);
    return c;
  }

  private maxGas(): WeightV2 {
    const { refTime, proofSize } = this.api.consts.system.blockWeights.maxBlock;
    return this.api.registry.createType('WeightV2', { refTime, proofSize });
  }

  /**
   * Dry-runs `message` as `origin` at the best block. Throws a CallError
   * unless it would succeed; returns its value (the `Ok` of a message
   * that returns `Result`) and the gas and deposit it needs.
   */
  async dryRun(origin: string, name: string, message: string, args: unknown[]) {
    const contract = this.contract(name);
    const query = contract.query[message];
    if (!query) throw new Error(`${name} has no message ${message}`);
    const { result, output, gasRequired, storageDeposit } = await query(
      origin,
      { gasLimit: this.maxGas(), storageDepositLimit: null },
      ...args,
    );
    const what = `${name}.${message}`;
    if (result.isErr) throw new CallError(`${what}: ${dispatchErrorText(this.api, result.asErr)}`);
    if (!output || !isResult(output) || output.isErr) throw new CallError(`${what}: ${output?.toString() ?? 'no output'}`);
    const inner = output.asOk;
    if (isResult(inner) && inner.isErr) throw new CallError(`${what} refused: ${inner.asErr.toString()}`);
    if (result.asOk.flags.isRevert) throw new CallError(`${what} reverted`);
    return { value: isResult(inner) ? inner.asOk : inner, gasRequired, storageDeposit };
  }

  /** A read-only message's value. */
  async read(name: string, message: string, ...args: unknown[]): Promise<Codec> {
    return (await this.dryRun(this.contract(name).address.toString(), name, message, args)).value;
  }

  /**
   * The whole call: a dry run as the signer, then the signed extrinsic
   * with the dry run's limits, waited for in a block. Returns the dry
   * run's value.
   */
  async send(from: SignerOf, name: string, message: string, ...args: unknown[]): Promise<Codec> {
    const dry = await this.dryRun(from.address, name, message, args);
    const tx = this.contract(name).tx[message](
      {
        gasLimit: dry.gasRequired,
        storageDepositLimit: dry.storageDeposit.isCharge ? dry.storageDeposit.asCharge : null,
      },
      ...args,
    );
    await new Promise<void>((resolve, reject) => {
      let unsub: (() => void) | null = null;
      const done = (f: () => void) => {
        unsub?.();
        f();
      };
      const onStatus = ({ status, events, dispatchError }: ISubmittableResult) => {
        // A loaded node's pool may report Finalized without InBlock first: either way it is in a block.
        if (status.isInBlock || status.isFinalized) {
          const failed = events.find(({ event }) => this.api.events.system.ExtrinsicFailed.is(event));
          const err = dispatchError ?? (failed?.event.data[0] as DispatchError | undefined);
          if (err) done(() => reject(new CallError(`${name}.${message} failed: ${dispatchErrorText(this.api, err)}`)));
          else done(resolve);
        } else if (status.isInvalid || status.isDropped || status.isUsurped) {
          done(() => reject(new CallError(`${name}.${message}: transaction ${status.type}`)));
        }
      };
      const sent = 'pair' in from ? tx.signAndSend(from.pair, onStatus) : tx.signAndSend(from.address, { signer: from.signer }, onStatus);
      sent.then((u) => (unsub = u)).catch((e: unknown) => reject(e instanceof Error ? e : new Error(String(e))));
    });
    return dry.value;
  }

  /** The best block's time (ms): what the contracts see as now. */
  async now(): Promise<bigint> {
    return (await this.api.query.timestamp.now()).toBigInt();
  }
}
