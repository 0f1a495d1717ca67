// What both pages share: the config, the accounts and the one chosen, the
// chain connection, the live socket's state, and how an action reports
// progress and errors (a polite status line, an alert for failures).

import { findAccounts, type Account, type Wallet } from './accounts';
import { Chain, type SignerOf } from './chain';
import { loadConfig, type Config } from './config';
import { byId, h } from './dom';
import { configure, onLiveState } from './gql';
import { short } from './format';

export interface Shell {
  cfg: Config;
  chain: Chain;
  wallet: Wallet;
  /** The chosen account's address. */
  account: () => string;
  signer: () => Promise<SignerOf>;
  /** Runs an action from `button`: disabled meanwhile, progress and outcome announced. */
  act: (button: HTMLButtonElement | null, what: string, f: () => Promise<unknown>) => Promise<boolean>;
  say: (text: string) => void;
}

const CONTRACTS = ['biz_token', 'time_token', 'registry', 'ledger', 'reviews', 'locking', 'governance', 'tasks'];

function alertBox(text: string | null): void {
  const box = byId('alert');
  box.hidden = text == null;
  box.textContent = text ?? '';
}

/**
 * Starts a page: loads the config, finds the accounts (the extension's, or
 * the dev accounts), connects to the node and calls `render` with the
 * chosen account, again whenever another is chosen.
 */
export async function start(appName: string, render: (shell: Shell) => Promise<void> | void): Promise<void> {
  const status = byId('status');
  const say = (text: string) => {
    status.textContent = text;
  };
  try {
    const cfg = await loadConfig();
    configure(cfg);
    const liveEl = byId('live');
    onLiveState((s) => {
      liveEl.textContent = s === 'live' ? 'Live' : s === 'connecting' ? 'Connecting…' : 'Offline';
      liveEl.dataset.state = s;
    });
    say('Looking for accounts…');
    const wallet = await findAccounts(appName);
    say(`Connecting to the chain at ${cfg.nodeUrl}…`);
    const chain = await Chain.connect(cfg, CONTRACTS.filter((n) => n in cfg.contracts));
    if (wallet.accounts.length === 0) {
      say('');
      alertBox('No account found. Install a Polkadot wallet extension (polkadot-js, Talisman, SubWallet) and allow this page, or open the page with ?dev on a local chain.');
      return;
    }
    const params = new URLSearchParams(location.search);
    const wanted = params.get('account') ?? localStorage.getItem(`${appName}:account`);
    let current: Account = wallet.accounts.find((a) => a.address === wanted) ?? wallet.accounts[0];
    const picker = byId<HTMLSelectElement>('account');
    picker.replaceChildren(
      ...wallet.accounts.map((a) => h('option', { value: a.address, selected: a.address === current.address }, `${a.name} — ${short(a.address)}`)),
    );
    picker.disabled = false;
    const shell: Shell = {
      cfg,
      chain,
      wallet,
      account: () => current.address,
      signer: () => wallet.signer(current.address),
      say,
      act: async (button, what, f) => {
        if (button) button.disabled = true;
        alertBox(null);
        say(`${what}: waiting for the signature and the block…`);
        try {
          await f();
          say(`${what}: done.`);
          return true;
        } catch (e) {
          say('');
          alertBox(`${what} failed: ${e instanceof Error ? e.message : String(e)}`);
          return false;
        } finally {
          if (button) button.disabled = false;
        }
      },
    };
    picker.addEventListener('change', () => {
      current = wallet.accounts.find((a) => a.address === picker.value) ?? current;
      localStorage.setItem(`${appName}:account`, current.address);
      void Promise.resolve(render(shell)).catch(fail);
    });
    say('');
    await render(shell);
  } catch (e) {
    fail(e);
  }
}

function fail(e: unknown): void {
  byId('status').textContent = '';
  alertBox(`The page could not start: ${e instanceof Error ? e.message : String(e)}`);
}

/** Calls `f` at most once per `ms`, the last call winning. */
export function throttle(f: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      f();
    }, ms);
  };
}

/**
 * `read`, with only the newest call's answer kept: an answer that arrives after a later call was made resolves
 * `undefined`. Under load an earlier index read can finish last; drawing it would put stale figures on the page
 * (a balance from before a claim) until the next change, which on a quiet chain may never come.
 */
export function newestOnly<T>(read: () => Promise<T>): () => Promise<T | undefined> {
  let calls = 0;
  return async () => {
    const mine = ++calls;
    const answer = await read();
    return mine === calls ? answer : undefined;
  };
}
