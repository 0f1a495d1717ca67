// Debian's Chromium driven by playwright-core (its own browser download
// cannot run here), and a test wallet extension injected into each page:
// `window.injectedWeb3['bizkey-test']`, found by @polkadot/extension-dapp
// like any extension, whose signer hands each payload back to Node (an
// exposed function) to be signed there with the dev keys.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export async function launch() {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (scripts/setup.sh installs Debian's chromium)`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bizkey-chromium-'));
  // A persistent context is the way to give Chromium its own fresh
  // --user-data-dir; nothing of a previous run or of the machine's
  // profile leaks in.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A new tab whose test extension offers `accounts` ({ address, name })
 * and signs through `sign(payload) → signature` in Node. Console errors,
 * page errors and failed requests are pushed to `problems`.
 */
export async function openPage(context, url, { accounts, sign, problems }) {
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${url}: console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${url}: page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    // A navigation away cancels what was in flight: not a fault.
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`${url}: ${r.url()} failed: ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${url}: ${r.url()} answered ${r.status()}`);
  });
  await page.exposeFunction('__bizkeyTestSign', (payload) => sign(payload));
  await page.addInitScript((accounts) => {
    let id = 0;
    window.injectedWeb3 = {
      'bizkey-test': {
        version: '0.1.0',
        enable: async () => ({
          accounts: {
            get: async () => accounts.map((a) => ({ ...a, type: 'sr25519' })),
            subscribe: (cb) => {
              cb(accounts.map((a) => ({ ...a, type: 'sr25519' })));
              return () => {};
            },
          },
          signer: {
            signPayload: async (payload) => ({ id: ++id, signature: await window.__bizkeyTestSign(payload) }),
          },
        }),
      },
    };
  }, accounts);
  await page.goto(url);
  return page;
}
