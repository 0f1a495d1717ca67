// Accounts: those a wallet extension injects (polkadot-js extension,
// Talisman, SubWallet, … through @polkadot/extension-dapp), or, in dev
// mode (`?dev` on a local chain), the well-known dev accounts, whose keys
// are public anyway.

import { web3Accounts, web3Enable, web3FromSource } from '@polkadot/extension-dapp';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import type { SignerOf } from './chain';

export interface Account {
  address: string;
  name: string;
  source: string;
}

export interface Wallet {
  accounts: Account[];
  /** How to sign as `address`. */
  signer(address: string): Promise<SignerOf>;
  dev: boolean;
}

const DEV = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];

export function devMode(): boolean {
  return new URLSearchParams(location.search).has('dev');
}

export async function findAccounts(appName: string): Promise<Wallet> {
  if (devMode()) {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    const pairs = DEV.map((n) => keyring.addFromUri(`//${n}`, { name: n }));
    return {
      dev: true,
      accounts: pairs.map((p) => ({ address: p.address, name: `${p.meta.name as string} (dev)`, source: 'dev' })),
      signer: async (address) => {
        const pair = pairs.find((p) => p.address === address);
        if (!pair) throw new Error(`${address} is not a dev account`);
        return { address, pair };
      },
    };
  }
  const extensions = await web3Enable(appName);
  const accounts = extensions.length
    ? (await web3Accounts({ ss58Format: 42 })).map((a) => ({
        address: a.address,
        name: a.meta.name ?? a.address,
        source: a.meta.source,
      }))
    : [];
  return {
    dev: false,
    accounts,
    signer: async (address) => {
      const account = accounts.find((a) => a.address === address);
      if (!account) throw new Error(`no extension holds ${address}`);
      const injector = await web3FromSource(account.source);
      if (!injector.signer) throw new Error(`${account.source} cannot sign`);
      return { address, signer: injector.signer };
    },
  };
}
