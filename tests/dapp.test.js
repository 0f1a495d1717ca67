// A merchant and a customer use the deployed suite the way a dApp does:
// @polkadot/api-contract with the bundles' metadata, a dry run before every
// signed call, events decoded by their signature topics, and balances read
// from the token contracts. The steps follow the scripted day
// (chain/src/day.rs) and depend on one another: they run in order.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { blake2AsHex, blake2AsU8a } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import { startDevnet } from './lib/devnet.js';
import {
  UNIT,
  balanceOf,
  call,
  chainTime,
  connect,
  decodeEvents,
  dryRun,
  keyring,
  loadSuite,
  read,
  sleep,
  submit,
  tick,
} from './lib/bizkey.js';

/** Time units per cent of a sale (bizkey_math::TIME_UNITS_PER_CENT). */
const TIME_UNITS_PER_CENT = 10_000_000_000n;
const PPM = 1_000_000n;
/** BizPower's fixed-point one (bizkey_math::ONE). */
const ONE = 1_000_000_000n;
/** The ledger's challenge window for this run (the admin shortens it, as the day does). */
const CHALLENGE_MS = 3_000;
/** Share of a sale the merchant accepts in Time (ppm), as the day's merchants. */
const TIME_SHARE_PPM = 300_000;

/** The events named `name` (of `contract`, when given). */
function named(events, name, contract) {
  return events.filter((e) => e.name === name && (!contract || e.contract === contract));
}

/** The single event named `name`; fails unless there is exactly one. */
function one(events, name, contract) {
  const found = named(events, name, contract);
  assert.equal(found.length, 1, `one ${name} expected, got: ${events.map((e) => `${e.contract}.${e.name}`).join(', ')}`);
  return found[0];
}

const big = (codec) => codec.toBigInt();

/** bizkey_math::time_reward: the customer's cashback for `amount` cents, halved per earlier purchase. */
function timeReward(params, amount, earlier) {
  const cashback = (amount * TIME_UNITS_PER_CENT * params.cashbackPpm) / PPM;
  return cashback >> BigInt(earlier);
}

/** bizkey_math::biz_reward: base × clamp(bizpower / reference, ½, 2), halved per earlier purchase. */
function bizReward(params, bizpower, earlier) {
  let factor = (bizpower * ONE) / params.referenceBizpower;
  if (factor < ONE / 2n) factor = ONE / 2n;
  if (factor > 2n * ONE) factor = 2n * ONE;
  return ((params.baseBiz * factor) / ONE) >> BigInt(earlier);
}

/** Each step's limit: a hang fails that step, with its name, instead of the whole run. */
const STEP = { timeout: 90_000 };

describe('Bizkey through @polkadot/api-contract', { timeout: 300_000 }, () => {
  let devnet;
  let api;
  let suite;
  let c; // the contracts by name
  let alice; // the deployer: admin of everything in phase 军政
  let merchant;
  let customer;
  let reward; // the ledger's reward parameters, as bigints
  const receipts = []; // ReceiptConfirmed events of this run
  let customerClaim; // the customer's claim: { blockHash, events }
  let orderId = 0;

  /** An order of `amount` cents placed at the chain's current time. */
  async function order(amount, { channel = 'InStore', timePaid = 0n, items = 1 } = {}) {
    orderId += 1;
    // The off-chain receipt detail; its blake2-256 goes on-chain.
    const detail = JSON.stringify({ orderId, amount: amount.toString(), items, timePaid: timePaid.toString() });
    return {
      orderId,
      // Not after the block time: the best block's timestamp.
      orderTime: await chainTime(api),
      channel,
      amount,
      discount: 0,
      timePaid,
      items,
      detailHash: blake2AsHex(detail, 256),
    };
  }

  /** Asserts a ReceiptConfirmed against the order and the reward formulas. */
  function checkConfirmed(ev, { id, amount, timePaid = 0n }) {
    assert.equal(ev.args.id.toNumber(), id);
    assert.equal(ev.args.merchant.toString(), merchant.address);
    assert.equal(ev.args.customer.toString(), customer.address);
    assert.equal(big(ev.args.timePaid), timePaid);
    const k = ev.args.earlierInWindow.toNumber();
    const rw = ev.args.rewards;
    assert.equal(big(rw.customerTime), timeReward(reward, amount, k));
    assert.equal(big(rw.merchantBiz), bizReward(reward, big(ev.args.bizpower), k));
    assert.ok(big(rw.merchantBiz) > 0n);
    // Nobody referred this merchant or customer.
    assert.equal(big(rw.merchantReferrerBiz), 0n);
    assert.equal(big(rw.customerReferrerTime), 0n);
    assert.equal(big(ev.args.maturesAt), big(ev.args.confirmedAt) + BigInt(CHALLENGE_MS));
    receipts.push(ev);
  }

  before(async () => {
    devnet = await startDevnet();
    api = await connect(devnet.url);
    assert.equal(api.genesisHash.toHex(), devnet.manifest.genesis_hash, 'the manifest is of another chain');
    suite = loadSuite(api, devnet.manifest);
    c = suite.contracts;

    const keys = keyring();
    alice = keys.addFromUri('//Alice');
    assert.equal(alice.address, devnet.manifest.deployer, 'the suite was deployed by //Alice');
    // Fresh accounts each run, derived from Alice's key: the suite can run
    // again against the same deployment.
    const tag = `//bizkey-pjs/${Date.now()}`;
    merchant = keys.addFromUri(`//Alice${tag}/merchant`);
    customer = keys.addFromUri(`//Alice${tag}/customer`);
    // Native tokens for fees and storage deposits, in one block.
    await submit(
      api,
      api.tx.utility.batchAll([
        api.tx.balances.transferKeepAlive(merchant.address, 1_000n * UNIT),
        api.tx.balances.transferKeepAlive(customer.address, 1_000n * UNIT),
      ]),
      alice,
    );

    // The admin shortens the challenge window so that rewards mature
    // within the run (chain/src/day.rs does the same before any sale).
    const params = (await read(c.ledger, 'params')).toJSON();
    const { events } = await call(suite, alice, c.ledger, 'setParams', { ...params, challengeMs: CHALLENGE_MS });
    assert.equal(one(events, 'ParamsChanged', 'ledger').args.params.challengeMs.toNumber(), CHALLENGE_MS);
    const r = (await read(c.ledger, 'params')).reward;
    reward = {
      baseBiz: big(r.baseBiz),
      referenceBizpower: big(r.referenceBizpower),
      cashbackPpm: BigInt(r.cashbackPpm.toNumber()),
    };
  }, { timeout: 180_000 });

  after(async () => {
    await api?.disconnect();
    await devnet?.stop();
  }, { timeout: 60_000 });

  it('loads every contract of the manifest from its bundle, and it is the code on chain', STEP, async () => {
    const names = devnet.manifest.contracts.map((x) => x.name);
    for (const name of ['biz_token', 'time_token', 'registry', 'ledger', 'locking', 'governance']) {
      assert.ok(names.includes(name), `${name} is in the manifest`);
    }
    for (const x of devnet.manifest.contracts) {
      const contract = c[x.name];
      assert.equal(contract.abi.info.source.language.toString(), 'ink! 5.1.1');
      assert.equal(contract.abi.info.source.wasmHash.toHex(), x.code_hash, `${x.name}: bundle and manifest`);
      const info = await api.query.contracts.contractInfoOf(x.address);
      assert.ok(info.isSome, `${x.name} lives at ${x.address}`);
      assert.equal(info.unwrap().codeHash.toHex(), x.code_hash, `${x.name}: code on chain`);
      // ink! 5 metadata: every event has a signature topic.
      assert.ok(contract.abi.events.length > 0);
      for (const e of contract.abi.events) assert.match(e.signatureTopic ?? '', /^0x[0-9a-f]{64}$/);
    }
    assert.equal((await read(c.biz_token, 'psp22Metadata::tokenSymbol')).toHuman(), 'BT');
    assert.equal((await read(c.time_token, 'psp22Metadata::tokenSymbol')).toHuman(), 'TT');
  });

  it('registers the merchant, and the admin verifies it (phase 军政)', STEP, async () => {
    const profile = {
      name: 'Bakery of the JS suite',
      category: 'Bakery',
      location: 'wx4g0',
      cost: { areaSqft: 400, staff: 3, rentPerSqftDay: 30, wagePerDay: 12_000 },
      licenceHash: blake2AsHex('licence of the JS suite', 256),
    };
    const reg = await call(suite, merchant, c.registry, 'registerMerchant', profile, null, TIME_SHARE_PPM);
    const ev = one(reg.events, 'MerchantRegistered', 'registry');
    assert.equal(ev.args.merchant.toString(), merchant.address);
    assert.equal(ev.args.profile.name.toString(), profile.name);
    assert.equal(ev.args.timeSharePpm.toNumber(), TIME_SHARE_PPM);
    // The registry pushes the merchant to the ledger.
    one(reg.events, 'MerchantSynced', 'ledger');

    const ver = await call(suite, alice, c.registry, 'setMerchantStatus', merchant.address, 'Verified');
    const changed = one(ver.events, 'MerchantStatusChanged', 'registry');
    assert.equal(changed.args.from.toString(), 'Pending');
    assert.equal(changed.args.to.toString(), 'Verified');
    assert.equal(changed.args.by.toString(), alice.address);

    const stored = (await read(c.registry, 'merchant', merchant.address)).unwrap();
    assert.equal(stored.status.toString(), 'Verified');
    assert.ok(stored.verifiedAt.isSome);
    const state = (await read(c.ledger, 'merchantState', merchant.address)).unwrap();
    assert.equal(state.info.status.toString(), 'Verified');
    assert.equal(state.info.timeSharePpm.toNumber(), TIME_SHARE_PPM);
  });

  it('registers the customer', STEP, async () => {
    const { events } = await call(suite, customer, c.registry, 'registerCustomer', null);
    const ev = one(events, 'CustomerRegistered', 'registry');
    assert.equal(ev.args.customer.toString(), customer.address);
    assert.ok(ev.args.referrer.isNone);
    assert.ok((await read(c.ledger, 'ledgerApi::customer', customer.address)).isSome);
  });

  it('records a sale merchant-first: the merchant records, the customer confirms', STEP, async () => {
    const amount = 10_000n; // cents
    const o = await order(amount, { items: 3 });
    const rec = await call(suite, merchant, c.ledger, 'record', customer.address, o);
    const id = rec.value.toNumber();
    const opened = one(rec.events, 'ReceiptOpened', 'ledger');
    assert.equal(opened.args.id.toNumber(), id);
    assert.equal(opened.args.openedBy.toString(), 'Merchant');
    assert.equal(opened.args.order.detailHash.toHex(), o.detailHash);
    assert.equal(big(opened.args.order.amount), amount);
    // Merchant and customer are indexed: topics 1 and 2 are their account ids.
    assert.deepEqual(opened.topics.slice(1), [
      u8aToHex(keyring().decodeAddress(merchant.address)),
      u8aToHex(keyring().decodeAddress(customer.address)),
    ]);

    const conf = await call(suite, customer, c.ledger, 'confirm', id);
    const ev = one(conf.events, 'ReceiptConfirmed', 'ledger');
    checkConfirmed(ev, { id, amount });
    assert.equal(ev.args.firstPurchase.isTrue, true);
    assert.equal(ev.args.firstAtMerchant.isTrue, true);
    assert.equal(ev.args.earlierInWindow.toNumber(), 0);

    const receipt = (await read(c.ledger, 'ledgerApi::receipt', id)).unwrap();
    assert.equal(receipt.status.toString(), 'Confirmed');
    assert.equal(big(receipt.time), big(ev.args.rewards.customerTime));
  });

  it('records a sale customer-first: the customer opens, the merchant confirms', STEP, async () => {
    const amount = 4_550n;
    const o = await order(amount, { channel: 'Outside' });
    const opn = await call(suite, customer, c.ledger, 'open', merchant.address, o);
    const id = opn.value.toNumber();
    assert.equal(one(opn.events, 'ReceiptOpened', 'ledger').args.openedBy.toString(), 'Customer');

    const conf = await call(suite, merchant, c.ledger, 'confirm', id);
    const ev = one(conf.events, 'ReceiptConfirmed', 'ledger');
    checkConfirmed(ev, { id, amount });
    assert.equal(ev.args.firstPurchase.isTrue, false);
    // The second purchase in the window: rewards halve.
    assert.equal(ev.args.earlierInWindow.toNumber(), 1);
    // Claiming before the window ends pays nothing.
    await assert.rejects(
      call(suite, customer, c.ledger, 'claim', 100),
      /NothingToClaim/,
    );
  });

  it('fails a call that runs out of gas in its block (ExtrinsicFailed)', STEP, async () => {
    const dry = await dryRun(c.time_token, customer.address, 'psp22::approve', merchant.address, 1n);
    const gasLimit = api.registry.createType('WeightV2', {
      refTime: dry.gasRequired.refTime.toBn().divn(2),
      proofSize: dry.gasRequired.proofSize,
    });
    const tx = c.time_token.tx['psp22::approve']({ gasLimit, storageDepositLimit: null }, merchant.address, 1n);
    await assert.rejects(submit(api, tx, customer), /ExtrinsicFailed .*contracts\.OutOfGas/);
    assert.equal(big(await read(c.time_token, 'psp22::allowance', customer.address, merchant.address)), 0n);
  });

  it('claims the rewards once the challenge window is over', STEP, async () => {
    const matures = receipts.reduce((m, r) => (big(r.args.maturesAt) > m ? big(r.args.maturesAt) : m), 0n);
    const wait = matures - BigInt(Date.now()) + 300n;
    if (wait > 0n) await sleep(wait);
    await tick(api, alice); // a block whose timestamp is past the window

    const bizDue = receipts.reduce((s, r) => s + big(r.args.rewards.merchantBiz), 0n);
    const timeDue = receipts.reduce((s, r) => s + big(r.args.rewards.customerTime), 0n);
    const before = {
      merchantBiz: await balanceOf(c.biz_token, merchant.address),
      customerTime: await balanceOf(c.time_token, customer.address),
      ledgerBiz: await balanceOf(c.biz_token, c.ledger.address),
      ledgerTime: await balanceOf(c.time_token, c.ledger.address),
    };
    assert.equal(before.merchantBiz, 0n);
    assert.equal(before.customerTime, 0n);

    const m = await call(suite, merchant, c.ledger, 'claim', 100);
    const [mBiz, mTime] = m.value.map(big);
    assert.deepEqual([mBiz, mTime], [bizDue, 0n]);
    const mClaimed = one(m.events, 'RewardsClaimed', 'ledger');
    assert.equal(mClaimed.args.account.toString(), merchant.address);
    assert.equal(big(mClaimed.args.biz), bizDue);
    assert.equal(mClaimed.args.entries.toNumber(), 2);
    assert.equal(big(mClaimed.args.remaining), 0n);
    const bizMove = one(m.events, 'Transfer', 'biz_token');
    assert.equal(bizMove.args.from.unwrap().toString(), c.ledger.address.toString());
    assert.equal(bizMove.args.to.unwrap().toString(), merchant.address);
    assert.equal(big(bizMove.args.value), bizDue);

    const cu = await call(suite, customer, c.ledger, 'claim', 100);
    customerClaim = cu;
    const cClaimed = one(cu.events, 'RewardsClaimed', 'ledger');
    assert.equal(big(cClaimed.args.time), timeDue);
    assert.equal(big(cClaimed.args.biz), 0n);
    assert.equal(big(one(cu.events, 'Transfer', 'time_token').args.value), timeDue);

    assert.equal(await balanceOf(c.biz_token, merchant.address), before.merchantBiz + bizDue);
    assert.equal(await balanceOf(c.time_token, customer.address), before.customerTime + timeDue);
    assert.equal(await balanceOf(c.biz_token, c.ledger.address), before.ledgerBiz - bizDue);
    assert.equal(await balanceOf(c.time_token, c.ledger.address), before.ledgerTime - timeDue);
  });

  it('spends Time: the customer approves the ledger and pays part of an order in Time', STEP, async () => {
    const held = await balanceOf(c.time_token, customer.address);
    const merchantTime = await balanceOf(c.time_token, merchant.address);
    const timePaid = held / 2n;
    assert.ok(timePaid > 0n);

    const appr = await call(suite, customer, c.time_token, 'psp22::approve', c.ledger.address, timePaid);
    const approval = one(appr.events, 'Approval', 'time_token');
    assert.equal(approval.args.owner.toString(), customer.address);
    assert.equal(approval.args.spender.toString(), c.ledger.address.toString());
    assert.equal(big(approval.args.amount), timePaid);
    assert.equal(big(await read(c.time_token, 'psp22::allowance', customer.address, c.ledger.address)), timePaid);

    const amount = 2_000n;
    const o = await order(amount, { channel: 'Outside', timePaid });
    const opn = await call(suite, customer, c.ledger, 'open', merchant.address, o);
    const id = opn.value.toNumber();
    const conf = await call(suite, merchant, c.ledger, 'confirm', id);
    const ev = one(conf.events, 'ReceiptConfirmed', 'ledger');
    checkConfirmed(ev, { id, amount, timePaid });
    const moved = one(conf.events, 'Transfer', 'time_token');
    assert.equal(moved.args.from.unwrap().toString(), customer.address);
    assert.equal(moved.args.to.unwrap().toString(), merchant.address);
    assert.equal(big(moved.args.value), timePaid);

    assert.equal(await balanceOf(c.time_token, customer.address), held - timePaid);
    assert.equal(await balanceOf(c.time_token, merchant.address), merchantTime + timePaid);
    assert.equal(big(await read(c.time_token, 'psp22::allowance', customer.address, c.ledger.address)), 0n);
  });

  it('locks Biz, proposes a treasury grant, votes, and the proposal is executed', STEP, async () => {
    const tiers = await read(c.locking, 'tiers');
    const tier = 0;
    const multiplier = BigInt(tiers[tier].multiplierPpm.toNumber());
    const amount = await balanceOf(c.biz_token, merchant.address);
    const config = await read(c.governance, 'config');
    assert.ok((amount * multiplier) / PPM >= big(config.proposalMinWeight), 'the Biz earned is enough to propose');

    await call(suite, merchant, c.biz_token, 'psp22::approve', c.locking.address, amount);
    const lk = await call(suite, merchant, c.locking, 'lock', amount, tier);
    const locked = one(lk.events, 'Locked', 'locking');
    assert.equal(big(locked.args.added), amount);
    assert.equal(big(locked.args.lock.weight), (amount * multiplier) / PPM);
    assert.equal(await balanceOf(c.biz_token, merchant.address), 0n);
    const lock = (await read(c.locking, 'lockingApi::lockOf', merchant.address)).unwrap();
    assert.equal(big(lock.amount), amount);
    const weight = big(lock.weight);

    // A grant of 1 BT from the treasury (held by vesting) to the merchant.
    const grant = UNIT;
    const description = blake2AsU8a('A grant to the bakery of the JS suite', 256);
    const prop = await call(suite, merchant, c.governance, 'propose', { TreasurySpend: { to: merchant.address, amount: grant } }, description);
    const id = prop.value.toNumber();
    const created = one(prop.events, 'ProposalCreated', 'governance');
    assert.equal(created.args.id.toNumber(), id);
    assert.equal(created.args.proposer.toString(), merchant.address);
    assert.equal(created.args.proposal.description.toHex(), u8aToHex(description));

    const vote = await call(suite, merchant, c.governance, 'vote', id, true);
    const voted = one(vote.events, 'Voted', 'governance');
    assert.equal(voted.args.id.toNumber(), id);
    assert.equal(voted.args.voter.toString(), merchant.address);
    assert.equal(voted.args.support.isTrue, true);
    assert.equal(big(voted.args.weight), weight);
    const [p, status] = (await read(c.governance, 'proposal', id)).unwrap();
    assert.equal(big(p.votesFor), weight);
    assert.equal(big(p.votesAgainst), 0n);
    assert.equal(status.toString(), 'Active');
    // One vote per account.
    await assert.rejects(call(suite, merchant, c.governance, 'vote', id, true), /AlreadyVoted/);

    // The foundation (the deployer) locks BT and votes for too. On a fresh
    // deployment the merchant's weight is all there is; on one the suite ran
    // against before, earlier runs' locks raise the quorum (a share of all
    // weight when the proposal was made) beyond one merchant's Biz.
    const shortfall = big(p.quorum) - big(p.votesFor);
    const aliceLock = await read(c.locking, 'lockingApi::lockOf', alice.address);
    const aliceTier = aliceLock.isSome ? aliceLock.unwrap().tier.toNumber() : tier;
    const aliceMultiplier = BigInt(tiers[aliceTier].multiplierPpm.toNumber());
    const topUp = shortfall > UNIT ? (shortfall * PPM) / aliceMultiplier + UNIT : UNIT;
    await call(suite, alice, c.biz_token, 'psp22::approve', c.locking.address, topUp);
    await call(suite, alice, c.locking, 'lock', topUp, aliceTier);
    const aliceWeight = big((await read(c.locking, 'lockingApi::lockOf', alice.address)).unwrap().weight);
    const aliceVote = one((await call(suite, alice, c.governance, 'vote', id, true)).events, 'Voted', 'governance');
    assert.equal(big(aliceVote.args.weight), aliceWeight);
    const [tally] = (await read(c.governance, 'proposal', id)).unwrap();
    assert.equal(big(tally.votesFor), weight + aliceWeight);
    assert.ok(big(tally.votesFor) >= big(tally.quorum), 'quorum reached');

    // The vote ends, the execution delay passes; anyone may execute.
    const wait = big(p.executableAt) - BigInt(Date.now()) + 300n;
    if (wait > 0n) await sleep(wait);
    await tick(api, alice);
    const [, now] = (await read(c.governance, 'proposal', id)).unwrap();
    assert.equal(now.toString(), 'Executable');
    const before = await balanceOf(c.biz_token, merchant.address);
    const exe = await call(suite, alice, c.governance, 'execute', id);
    assert.equal(one(exe.events, 'ProposalExecuted', 'governance').args.id.toNumber(), id);
    const spent = one(exe.events, 'TreasurySpent', 'governance');
    assert.equal(spent.args.to.toString(), merchant.address);
    assert.equal(big(spent.args.amount), grant);
    assert.equal(await balanceOf(c.biz_token, merchant.address), before + grant);
    const [, final] = (await read(c.governance, 'proposal', id)).unwrap();
    assert.equal(final.toString(), 'Executed');
  });

  it('decodes the contract events of a block read back from the chain', STEP, async () => {
    // A dApp that follows blocks rather than its own extrinsics reads
    // System.Events at a block and decodes the ContractEmitted records.
    const records = await (await api.at(customerClaim.blockHash)).query.system.events();
    const events = decodeEvents(suite, records);
    const summary = (list) => list.map((e) => [e.contract, e.name, e.topics]);
    assert.deepEqual(summary(events), summary(customerClaim.events));
    const claimed = one(events, 'RewardsClaimed', 'ledger');
    assert.equal(claimed.args.account.toString(), customer.address);
    assert.equal(big(claimed.args.time), big(one(customerClaim.events, 'RewardsClaimed').args.time));
  });
});
