// The pages in a real headless Chromium against a real dev node, indexer
// and API. A merchant records a sale in the console, the customer confirms
// it in the wallet, both pages show it live, the customer claims after the
// challenge window and sees the balance change; the K-line renders
// candles; another shop publishes a task and the customer sees it as an
// offer, joins, buys there and claims the task's reward, and the shop sees
// the customer it brought; the fraud review list; ratings; lock, propose and vote from the
// console; the referral link; no console errors, labels, keyboard, a phone
// width. The steps depend on one another: they run in order.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { blake2AsHex } from '@polkadot/util-crypto';
import { build } from 'vite';
import { startDevnet } from '../../tests/lib/devnet.js';
import { launch, openPage } from './lib/browser.js';
import { UNIT, balanceOf, call, chainTime, connect, keyring, loadSuite, payloadSigner, read, submit, tick } from './lib/chain.js';
import { startStack } from './lib/stack.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dappDir = path.resolve(here, '..');
/** Screenshots for the README when set (scripts/screenshots.sh). */
const shots = process.env.BIZKEY_SCREENSHOTS;

const CHALLENGE_MS = 3_000;
const STEP = { timeout: 90_000 };

/** Reads a displayed token amount ("1,234.5 TT") as smallest units (4 decimals shown). */
function shown(text) {
  const m = /([\d,]+(?:\.\d+)?)/.exec(text);
  assert.ok(m, `an amount in "${text}"`);
  const [whole, frac = ''] = m[1].replace(/,/g, '').split('.');
  return BigInt(whole) * UNIT + BigInt(frac.padEnd(12, '0'));
}

describe('the wallet and the console in Chromium', { timeout: 600_000 }, () => {
  let devnet;
  let stack;
  let api;
  let c;
  let alice;
  let shopA; // registers through the console
  let shopB; // publishes the offer
  let shopC; // where shop B buys its Time
  let customer;
  let friend;
  let browser;
  let wallet;
  let consoleA;
  let consoleB;
  const problems = [];
  let tmp;
  let orderId = 0;
  let shopBPurchase; // shop B's purchase at shop C

  /** A sale recorded by `merchant` in Node and confirmed by `buyer`. */
  async function sale(merchant, buyer, cents) {
    orderId += 1;
    const id = (
      await call(c.ledger, merchant, 'record', buyer.address, {
        orderId,
        orderTime: await chainTime(api),
        channel: 'InStore',
        amount: cents,
        discount: 0,
        timePaid: 0,
        items: 1,
        detailHash: blake2AsHex(`sale ${orderId}`, 256),
      })
    ).toNumber();
    await call(c.ledger, buyer, 'confirm', id);
    return id;
  }

  async function registerShop(pair, name, category, location) {
    await call(
      c.registry,
      pair,
      'registerMerchant',
      { name, category, location, cost: { areaSqft: 400, staff: 3, rentPerSqftDay: 40, wagePerDay: 12_000 }, licenceHash: blake2AsHex(name, 256) },
      null,
      300_000,
    );
    await call(c.registry, alice, 'setMerchantStatus', pair.address, 'Verified');
  }

  /** Waits until the best block's time is past `ms`, sealing a block after. */
  async function pastWindow(ms) {
    const wait = Number(ms) - Date.now() + 300;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await tick(api, alice);
  }

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bizkey-pages-'));
    const started = Date.now();
    // The pages, built fresh for this run; the chain meanwhile.
    const dist = path.join(tmp, 'dist');
    const [net] = await Promise.all([
      startDevnet(),
      build({ root: dappDir, logLevel: 'error', build: { outDir: dist, emptyOutDir: true } }),
    ]);
    devnet = net;
    api = await connect(devnet.url);
    c = loadSuite(api, devnet.manifest);
    const keys = keyring();
    alice = keys.addFromUri('//Alice');
    const tag = `//bizkey-pages/${Date.now()}`;
    [shopA, shopB, shopC, customer, friend] = ['shopA', 'shopB', 'shopC', 'customer', 'friend'].map((n) =>
      keys.addFromUri(`//Alice${tag}/${n}`, { name: n }),
    );
    await submit(
      api,
      api.tx.utility.batchAll([shopA, shopB, shopC, customer, friend].map((p) => api.tx.balances.transferKeepAlive(p.address, 1_000n * UNIT))),
      alice,
    );
    const params = (await read(c.ledger, 'params')).toJSON();
    await call(c.ledger, alice, 'setParams', { ...params, challengeMs: CHALLENGE_MS });

    stack = await startStack({ manifestPath: devnet.manifestPath, nodeUrl: devnet.url, dist, dir: tmp });
    // Shop B (same district as shop A) buys at shop C (far away) to earn
    // the Time its task will escrow; it claims after the window.
    await registerShop(shopB, 'Tea house B', 'Cafe', 'wx4g0tea');
    await registerShop(shopC, 'Grocer C', 'Grocery', 'u4pruydq');
    shopBPurchase = await sale(shopC, shopB, 40_000);

    browser = await launch();
    const sign = payloadSigner(api, [shopA, shopB, customer, friend]);
    const shops = [shopA, shopB].map((p) => ({ address: p.address, name: p.meta.name }));
    const people = [customer, friend].map((p) => ({ address: p.address, name: p.meta.name }));
    consoleA = await openPage(browser.context, `${stack.url}/app/console/?account=${shopA.address}`, { accounts: shops, sign, problems });
    consoleB = await openPage(browser.context, `${stack.url}/app/console/?account=${shopB.address}`, { accounts: shops, sign, problems });
    wallet = await openPage(browser.context, `${stack.url}/app/wallet/?account=${customer.address}`, { accounts: people, sign, problems });
    console.log(`set-up: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, { timeout: 240_000 });

  after(async () => {
    await browser?.close();
    await api?.disconnect();
    await stack?.stop();
    await devnet?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }, { timeout: 60_000 });

  it('serves both pages; each finds its accounts through the extension and goes live', STEP, async () => {
    for (const page of [wallet, consoleA]) {
      await page.getByText('Live', { exact: true }).waitFor();
      const picker = page.getByLabel('Account', { exact: true });
      await assert.doesNotReject(picker.waitFor());
    }
    assert.match(await wallet.getByLabel('Account', { exact: true }).inputValue(), new RegExp(customer.address));
    assert.equal(await consoleA.getByLabel('Account', { exact: true }).inputValue(), shopA.address);
  });

  it('registers shop A in the console; once the admin verifies it, the console shows it live', STEP, async () => {
    const form = consoleA.getByRole('form', { name: 'Register this shop' });
    await form.getByLabel('Shop name', { exact: true }).fill('Café A');
    await form.getByLabel('Kind', { exact: true }).selectOption('Cafe');
    await form.getByLabel('Location (geohash)', { exact: true }).fill('wx4g0caf');
    await form.getByRole('button', { name: 'Register' }).click();
    await consoleA.locator('#shop-status').getByText('pending').waitFor();
    await call(c.registry, alice, 'setMerchantStatus', shopA.address, 'Verified');
    await consoleA.locator('#shop-status').getByText('verified').waitFor();
  });

  let saleId;
  it('records a sale in the console; the customer confirms it in the wallet; both pages show it live', STEP, async () => {
    await consoleA.getByLabel('Customer account', { exact: true }).fill(customer.address);
    await consoleA.getByLabel('Item', { exact: true }).fill('Flat white');
    await consoleA.getByLabel('Quantity', { exact: true }).fill('2');
    await consoleA.getByLabel('Price per item', { exact: true }).fill('4.50');
    await consoleA.getByRole('button', { name: 'Record sale' }).click();
    // Waiting for the customer, in the console's pending list…
    const pending = consoleA.locator('#pending li');
    await pending.first().waitFor();
    saleId = Number(await pending.first().getAttribute('data-receipt'));
    assert.ok(saleId > 0);
    // …and in the wallet, without a reload.
    const confirm = wallet.getByRole('button', { name: `Confirm sale ${saleId} at Café A` });
    await confirm.waitFor();
    await confirm.click();
    await wallet.locator('#to-confirm').getByText('Nothing to confirm.').waitFor();
    const row = wallet.locator('#receipts tr', { has: wallet.locator(`[data-receipt="${saleId}"]`) });
    await row.getByText(/Pending until|Claimable/).waitFor();
    const consoleRow = consoleA.locator('#receipts tr', { has: consoleA.locator(`[data-receipt="${saleId}"]`) });
    await consoleRow.getByText('confirmed').waitFor();
    // The POS uploaded the detail; the index served it back.
    await consoleRow.getByText('2× Flat white').waitFor();
    const r = (await read(c.ledger, 'ledgerApi::receipt', saleId)).unwrap();
    assert.equal(r.status.toString(), 'Confirmed');
    assert.equal(r.order.amount.toBigInt(), 900n);
  });

  it('after the challenge window the customer claims in the wallet and sees the Time balance change', STEP, async () => {
    const before = shown(await wallet.locator('#time-balance').innerText());
    const r = (await read(c.ledger, 'ledgerApi::receipt', saleId)).unwrap();
    await pastWindow(r.deadline.toBigInt());
    const row = wallet.locator('#receipts tr', { has: wallet.locator(`[data-receipt="${saleId}"]`) });
    await row.getByText('Claimable').waitFor({ timeout: 15_000 });
    const claim = wallet.getByRole('button', { name: 'Claim matured rewards' });
    await assert.doesNotReject(async () => {
      while (await claim.isDisabled()) await new Promise((res) => setTimeout(res, 100));
    });
    await claim.click();
    await row.getByText('Paid').waitFor();
    const onChain = await balanceOf(c.time_token, customer.address);
    assert.ok(onChain > before, 'the claim paid Time');
    await wallet.waitForFunction(
      ([id, want]) => document.getElementById(id)?.textContent?.replace(/,/g, '').startsWith(want),
      ['time-balance', (Number(onChain / 10n ** 8n) / 1e4).toString()],
    );
  });

  it('renders the BizPower K-line as candles, per minute and per hour', STEP, async () => {
    const chart = consoleA.locator('#chart');
    await consoleA.waitForFunction(() => Number(document.getElementById('chart')?.dataset.candles) >= 1);
    await chart.scrollIntoViewIfNeeded();
    // Candles in the up or down colour are on the canvas (not just an axis).
    const painted = () =>
      consoleA.evaluate(() => {
        let n = 0;
        for (const cv of document.querySelectorAll('#chart canvas')) {
          const ctx = cv.getContext('2d');
          if (!ctx || cv.width === 0 || cv.height === 0) continue;
          const px = ctx.getImageData(0, 0, cv.width, cv.height).data;
          for (let i = 0; i < px.length; i += 4) {
            const [r, g, b] = [px[i], px[i + 1], px[i + 2]];
            // #1f9d74 (up) or #d6453d (down), give or take anti-aliasing.
            if ((Math.abs(r - 0x1f) < 12 && Math.abs(g - 0x9d) < 12 && Math.abs(b - 0x74) < 12) || (Math.abs(r - 0xd6) < 12 && Math.abs(g - 0x45) < 12 && Math.abs(b - 0x3d) < 12)) n++;
          }
        }
        return n;
      });
    assert.ok((await painted()) > 10, 'candle pixels on the chart');
    // A second sale at shop A moves the chart live (a klineTick).
    const before = Number(await chart.getAttribute('data-candles'));
    const sales = async () => Number(/(\d+) sales/.exec(await consoleA.locator('#chart-summary').innerText())?.[1] ?? 0);
    const sold = await sales();
    await sale(shopA, customer, 2_400);
    await consoleA.waitForFunction((n) => Number(/(\d+) sales/.exec(document.getElementById('chart-summary')?.textContent ?? '')?.[1]) > n, sold);
    assert.ok(Number(await chart.getAttribute('data-candles')) >= before);
    await consoleA.getByRole('button', { name: '1 hour' }).click();
    assert.equal(await consoleA.getByRole('button', { name: '1 hour' }).getAttribute('aria-pressed'), 'true');
    await consoleA.getByText(/candles, \d+ sales/).waitFor();
    assert.ok((await painted()) > 10, 'hour candles on the chart');
    await consoleA.getByRole('button', { name: '1 minute' }).click();
  });

  let taskName;
  it('shop B publishes a task in the console; the wallet shows it as an offer to shop A’s customer', STEP, async () => {
    // Shop B's Time: its cashback from buying at shop C.
    const bought = (await read(c.ledger, 'ledgerApi::receipt', shopBPurchase)).unwrap();
    await pastWindow(bought.deadline.toBigInt());
    await call(c.ledger, shopB, 'claim', 100);
    const time = await balanceOf(c.time_token, shopB.address);
    assert.ok(time > 0n, 'shop B holds Time');
    const reward = time / 4n;
    taskName = 'Tea for café regulars';
    await consoleB.getByText('Publish a task').click();
    const form = consoleB.locator('#task-form');
    await form.getByLabel('Name', { exact: true }).fill(taskName);
    await form.getByLabel('Reward per completion (TT)', { exact: true }).fill((Number(reward / 10n ** 8n) / 1e4).toFixed(4));
    await form.getByLabel('Completions', { exact: true }).fill('2');
    await form.getByRole('button', { name: 'Publish' }).click();
    await consoleB.locator('#tasks').getByText(taskName).waitFor();
    // Ranked for the customer of shop A: same district.
    const offer = wallet.locator('#offers li', { hasText: taskName });
    await offer.waitFor();
    await offer.getByText('in your district').waitFor();
    assert.match(await offer.innerText(), /Tea house B/);
  });

  it('the customer joins the offer, buys at shop B and claims the task reward in the wallet; shop B sees the customer it brought', STEP, async () => {
    await wallet.getByRole('button', { name: `Join ${taskName}` }).click();
    const task = wallet.locator('#tasks tr', { hasText: taskName });
    await task.waitFor();
    assert.equal(await task.getByRole('progressbar').getAttribute('value'), '0');
    const id = await sale(shopB, customer, 1_500);
    const r = (await read(c.ledger, 'ledgerApi::receipt', id)).unwrap();
    await pastWindow(r.deadline.toBigInt());
    const before = await balanceOf(c.time_token, customer.address);
    const claim = wallet.getByRole('button', { name: `Claim the reward of ${taskName}` });
    await claim.waitFor({ timeout: 20_000 });
    await claim.click();
    await task.getByText(/Earned/).waitFor();
    assert.ok((await balanceOf(c.time_token, customer.address)) > before, 'the task paid Time');
    const brought = consoleB.locator('#tasks tr', { hasText: taskName }).locator('[data-new-customers]');
    await consoleB.waitForFunction(() => document.querySelector('#tasks [data-new-customers]')?.getAttribute('data-new-customers') === '1');
    assert.equal(await brought.innerText(), '1');
  });

  it('the console ranks shops, customers and referrers by fraud score for review', STEP, async () => {
    // A third sale at shop A: shop A's group and the customer's (two sales at
    // shop A before, one at shop B) are scored.
    await sale(shopA, customer, 3_100);
    const review = consoleA.locator('#review');
    const kind = (name) => consoleA.getByRole('button', { name, exact: true });
    assert.equal(await kind('Shops').getAttribute('aria-pressed'), 'true');
    if (!process.env.ORT_DYLIB_PATH) {
      // The stack runs without scoring (lib/stack.js): nothing to review.
      await review.getByText('No shop has three scored receipts yet.').waitFor();
      await kind('Customers').click();
      await review.getByText('No customer has three scored receipts yet.').waitFor();
      return;
    }
    /** The row of `account` in the list shown, checked against the API's group. */
    const check = async (apiKind, account, receipts, name) => {
      const row = review.locator('tr', { has: consoleA.locator(`[data-group="${account}"]`) });
      await row.waitFor({ timeout: 30_000 });
      assert.equal(await review.getAttribute('data-kind'), apiKind);
      const res = await fetch(`${stack.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'query ($k: FraudGroupKind!, $a: String!) { fraudGroup(kind: $k, account: $a) { receipts score topScores } account(address: $a) { fundedBy { funder { address funded { totalCount } } } } }',
          variables: { k: apiKind, a: account },
        }),
      });
      const { fraudGroup: g, account: a } = (await res.json()).data;
      assert.equal(g.receipts, receipts);
      const cells = await row.locator('td').allInnerTexts();
      assert.match(cells[1], name);
      assert.equal(cells[2], String(receipts));
      assert.equal(cells[4], `${(g.score * 100).toFixed(1)}%`);
      assert.equal(cells[5], g.topScores.map((x) => `${(x * 100).toFixed(1)}%`).join(', '));
      // Alice funded the shops and customers of this run in one batch (and
      // whatever earlier runs on the same chain set up).
      const funder = a.fundedBy.funder;
      assert.equal(funder.address, alice.address);
      assert.ok(funder.funded.totalCount >= 5, `Alice funded ${funder.funded.totalCount}`);
      const fanout = row.locator('[data-funder]');
      assert.equal(await fanout.getAttribute('data-funder'), funder.address);
      assert.equal(await fanout.getAttribute('data-fanout'), String(funder.funded.totalCount));
      assert.match(cells[6], new RegExp(`^\\w+…\\w+( \\(you\\))? · ${funder.funded.totalCount} accounts?$`));
    };
    // Shop A's own row: named, and marked as the console's account.
    await check('MERCHANT', shopA.address, 3, /^Café A .+ \(you\)$/);
    await kind('Customers').click();
    assert.equal(await kind('Customers').getAttribute('aria-pressed'), 'true');
    await check('CUSTOMER', customer.address, 4, /^\w+…\w+$/);
  });

  it('the customer rates the sale in the wallet; the console shows the rating', STEP, async () => {
    await wallet.getByRole('button', { name: `Rate sale ${saleId}` }).click();
    const dialog = wallet.getByRole('dialog', { name: `Rate sale ${saleId} at Café A` });
    await dialog.getByLabel('Service', { exact: true }).selectOption('4');
    await dialog.getByRole('button', { name: 'Send rating' }).click();
    await consoleA.locator('#rating-count').getByText('1', { exact: true }).waitFor();
    await consoleA.getByText('5.0 / 4.0 / 5.0').waitFor();
    // The wallet shows it from the index, after a reload too.
    await wallet.reload();
    await wallet.locator('#receipts tr', { has: wallet.locator(`[data-receipt="${saleId}"]`) }).getByText('Rated 5/4/5').waitFor();
  });

  it('shop A claims its Biz, locks it, proposes a treasury grant and votes, all in the console', STEP, async () => {
    const claim = consoleA.getByRole('button', { name: 'Claim matured Biz' });
    await consoleA.waitForFunction(() => !document.querySelector('#rewards button')?.disabled);
    await claim.click();
    await consoleA.waitForFunction(() => !/^0 /.test(document.getElementById('biz-balance')?.textContent ?? '0 '));
    const biz = await balanceOf(c.biz_token, shopA.address);
    assert.ok(biz > 0n);
    const lock = consoleA.locator('#lock-form');
    await lock.getByLabel('Amount (BT)', { exact: true }).fill((Number(biz / 10n ** 8n) / 1e4).toFixed(4));
    await lock.getByRole('button', { name: 'Lock' }).click();
    await consoleA.locator('#lock-state').getByText(/Locked/).waitFor();
    const l = (await read(c.locking, 'lockingApi::lockOf', shopA.address)).unwrap();
    assert.ok(l.amount.toBigInt() > 0n);

    const propose = consoleA.locator('#propose-form');
    await propose.getByLabel('Amount (BT)', { exact: true }).fill('1');
    await propose.getByLabel('Why', { exact: true }).fill('A bigger espresso machine');
    await propose.getByRole('button', { name: 'Propose' }).click();
    const row = consoleA.locator('#proposals tr', { hasText: 'Treasury grant of 1 BT' });
    await row.waitFor();
    const id = Number(await row.locator('[data-proposal]').getAttribute('data-proposal'));
    await row.getByRole('button', { name: `Vote yes on proposal ${id}` }).click();
    await row.getByText('yes', { exact: true }).waitFor();
    const [p] = (await read(c.governance, 'proposal', id)).unwrap();
    assert.equal(p.votesFor.toBigInt(), l.weight.toBigInt());
  });

  it('a friend registers through the customer’s referral link; the customer sees it', STEP, async () => {
    const link = await wallet.getByLabel('Your referral link', { exact: true }).inputValue();
    assert.equal(link, `${stack.url}/app/wallet/?ref=${customer.address}`);
    const sign = payloadSigner(api, [friend]);
    const page = await openPage(browser.context, `${link}&account=${friend.address}`, {
      accounts: [{ address: friend.address, name: 'friend' }],
      sign,
      problems,
    });
    await page.getByRole('button', { name: /Register, referred by/ }).click();
    await page.getByText(/You were referred by/).waitFor();
    await wallet.locator('[data-referred="1"]').waitFor();
    const reg = (await read(c.registry, 'customer', friend.address)).unwrap();
    assert.equal(reg.referrer.unwrap().toString(), customer.address);
    await page.close();
  });

  it('in dev mode (?dev) the page offers the dev accounts and signs with their keys itself', STEP, async () => {
    // Ferdie: the dev account the scripted day and the other suites leave unregistered.
    const ferdie = keyring().addFromUri('//Ferdie');
    // No extension in this tab: the dev accounts come from the page's own keyring.
    const page = await browser.context.newPage();
    page.on('console', (m) => m.type() === 'error' && problems.push(`dev wallet: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`dev wallet: ${e.message}`));
    await page.goto(`${stack.url}/app/wallet/?dev&account=${ferdie.address}&ref=${customer.address}`);
    await page.getByText('Live', { exact: true }).waitFor();
    const names = await page.getByLabel('Account', { exact: true }).locator('option').allInnerTexts();
    assert.deepEqual(names.map((n) => n.split(' ')[0]), ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie']);
    await page.getByRole('button', { name: /Register, referred by/ }).click();
    await page.getByText(/You were referred by/).waitFor();
    assert.equal((await read(c.registry, 'customer', ferdie.address)).unwrap().referrer.unwrap().toString(), customer.address);
    await wallet.locator('[data-referred="2"]').waitFor();
    await page.close();
  });

  it('is usable by keyboard and screen reader, fits a phone, and logged no error', STEP, async () => {
    if (shots) {
      // As a person left them, before the reloads below.
      fs.mkdirSync(shots, { recursive: true });
      await wallet.screenshot({ path: path.join(shots, 'wallet.png'), fullPage: true });
      await consoleA.screenshot({ path: path.join(shots, 'console.png'), fullPage: true });
    }
    for (const page of [wallet, consoleA]) {
      // Every control has an accessible name.
      const unnamed = await page.evaluate(() =>
        [...document.querySelectorAll('input, select, button')]
          .filter((el) => !el.closest('dialog:not([open])'))
          .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.textContent?.trim()))
          .map((el) => el.outerHTML.slice(0, 80)),
      );
      assert.deepEqual(unnamed, []);
      // From a fresh load, the first Tab reaches the skip link.
      await page.reload();
      await page.getByText('Live', { exact: true }).waitFor();
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
      // One heading per section, the page's name first.
      assert.equal(await page.locator('h1').count(), 1);
    }
    for (const page of [wallet, consoleA]) {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.waitForTimeout(200);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow} px too wide)`);
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    assert.deepEqual(problems, []);
  });
});

