// The customer wallet: Time and Biz, receipts and their rewards (pending in
// the challenge window, claimable, paid, forfeited), confirming a sale the
// merchant recorded, claiming, rating, offers of other shops ranked for the
// customer, tasks and their progress, where Time is spent, the referral
// link. Reads come from the GraphQL index and refresh live on every indexed
// batch; writes are contract calls signed by the account's signer.

import './style.css';
import { blake2AsHex } from '@polkadot/util-crypto';
import { newestOnly, start, throttle, type Shell } from './app';
import { byId, field, fill, h, input, select, table } from './dom';
import { cents, parseCents, parseToken, pct, short, token, when, words } from './format';
import { gql, live } from './gql';
import { purchaseRule, qualifying } from './tasks';

interface Receipt {
  id: number;
  merchantAccount: string;
  merchant: { name: string } | null;
  amount: string;
  timePaid: string;
  items: number;
  status: 'OPEN' | 'CONFIRMED' | 'CANCELLED' | 'FLAGGED' | 'REFUNDED';
  openedBy: 'MERCHANT' | 'CUSTOMER';
  openedAt: number;
  expiresAt: number;
  confirmedAt: number | null;
  maturesAt: number | null;
  timeReward: string | null;
  ratings: { side: string; product: number | null; service: number | null; environment: number | null }[];
}

interface Reward {
  receiptId: number;
  role: string;
  token: 'BIZ' | 'TIME';
  amount: string;
  maturesAt: number;
  status: 'PENDING' | 'CLAIMED' | 'FORFEITED';
}

export interface TaskRow {
  id: number;
  name: string;
  merchant: string;
  rewardKind: string;
  rewardAmount: string | null;
  startsAt: number;
  endsAt: number;
  maxCompletions: number;
  completions: number;
  rules: unknown;
  participants?: { customer: string; status: string; reward: string }[];
}

interface Offer {
  score: number;
  sameDistrict: boolean;
  categoryShare: number;
  coVisitors: number;
  peers: number;
  task: TaskRow;
  merchant: { name: string; category: string; location: string } | null;
}

interface Data {
  account: {
    biz: string;
    time: string;
    rewardTotals: Record<string, string>;
    rewards: Reward[];
    customer: { status: string; referrer: string | null } | null;
    referred: { account: string; registeredAt: number }[];
    purchases: { nodes: Receipt[] };
  };
  offers: Offer[];
  tasks: { nodes: TaskRow[] };
  merchants: { nodes: { account: string; name: string; category: string; location: string; timeShare: number }[] };
}

const QUERY = `query Wallet($a: String!) {
  account(address: $a) {
    biz time
    rewardTotals { pendingTime claimableTime claimedTime forfeitedTime pendingBiz claimableBiz }
    rewards(limit: 100) { receiptId role token amount maturesAt status }
    customer { status referrer }
    referred { account registeredAt }
    purchases(first: 50, orderBy: ID_DESC) { nodes {
      id merchantAccount merchant { name } amount timePaid items status openedBy openedAt expiresAt
      confirmedAt maturesAt timeReward ratings { side product service environment } } }
  }
  offers(customer: $a, first: 10) {
    score sameDistrict categoryShare coVisitors peers
    task { id name merchant rewardKind rewardAmount startsAt endsAt maxCompletions completions rules }
    merchant { name category location }
  }
  tasks(first: 50) { nodes {
    id name merchant rewardKind rewardAmount startsAt endsAt maxCompletions completions rules
    participants { customer status reward } } }
  merchants(first: 50, orderBy: NAME_ASC, filter: { status: { eq: VERIFIED } }) {
    nodes { account name category location timeShare } }
}`;

const ZERO_HASH = `0x${'00'.repeat(32)}`;

let stops: (() => void)[] = [];
/** Receipts rated in this session, until the index has the rating. */
const rated = new Set<number>();

function rewardOf(rewards: Reward[], id: number): Reward | undefined {
  return rewards.find((r) => r.receiptId === id && r.role === 'customer' && r.token === 'TIME');
}

/** What a receipt means to the customer now. */
function state(r: Receipt, rewards: Reward[], now: number): { label: string; kind: string } {
  switch (r.status) {
    case 'OPEN':
      return r.openedBy === 'MERCHANT'
        ? { label: 'Waiting for you', kind: 'open' }
        : { label: 'Waiting for the shop', kind: 'open' };
    case 'CANCELLED':
      return { label: 'Cancelled', kind: 'off' };
    case 'FLAGGED':
      return { label: 'Flagged: forfeited', kind: 'bad' };
    case 'REFUNDED':
      return { label: 'Refunded', kind: 'off' };
    case 'CONFIRMED': {
      const rw = rewardOf(rewards, r.id);
      if (!rw) return { label: 'Confirmed', kind: 'ok' };
      if (rw.status === 'CLAIMED') return { label: 'Paid', kind: 'ok' };
      if (rw.status === 'FORFEITED') return { label: 'Forfeited', kind: 'bad' };
      return rw.maturesAt <= now
        ? { label: 'Claimable', kind: 'claim' }
        : { label: `Pending until ${when(rw.maturesAt)}`, kind: 'pending' };
    }
  }
}

async function render(shell: Shell): Promise<void> {
  for (const s of stops) s();
  stops = [];
  const me = shell.account();
  const { chain } = shell;
  const send = async (name: string, message: string, ...args: unknown[]) =>
    chain.send(await shell.signer(), name, message, ...args);
  let data: Data | null = null;

  const dialog = ratingDialog(shell, send, () => refresh());
  const read = newestOnly(() => gql<Data>(QUERY, { a: me }));
  const refresh = async () => {
    let fresh: Data | undefined;
    try {
      fresh = await read();
    } catch (e) {
      shell.say(`Could not read the index: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    // Undefined: a later refresh was asked for, and its answer is the newer one.
    if (!fresh) return;
    data = fresh;
    draw(shell, data, send, dialog, refresh);
  };
  const soon = throttle(() => void refresh(), 300);
  stops.push(live('subscription ($a: String) { receiptChanged(customer: $a) { id status } }', { a: me }, soon));
  stops.push(live('subscription { batchIndexed { toBlock } }', {}, soon));
  // The challenge window ends without a block: redraw the states on time.
  const tick = setInterval(() => data && draw(shell, data, send, dialog, refresh), 5_000);
  stops.push(() => clearInterval(tick));

  openForm(shell, send);
  await refresh();
}

type Send = (name: string, message: string, ...args: unknown[]) => Promise<unknown>;

function draw(shell: Shell, d: Data, send: Send, dialog: (id: number, shop: string) => void, refresh: () => Promise<void>): void {
  const me = shell.account();
  const now = Date.now();
  const a = d.account;
  const t = a.rewardTotals;

  const claimable = BigInt(t.claimableTime) + BigInt(t.claimableBiz);
  const claimBtn = h('button', { type: 'button', class: 'primary', disabled: claimable === 0n }, 'Claim matured rewards');
  claimBtn.addEventListener('click', () => {
    void shell.act(claimBtn, 'Claim', () => send('ledger', 'claim', 100)).then(refresh);
  });
  fill(
    'balances',
    h(
      'dl',
      { class: 'stats' },
      stat('Time', `${token(a.time)} TT`, 'time-balance'),
      stat('Biz', `${token(a.biz)} BT`, 'biz-balance'),
      stat('Cashback pending', `${token(t.pendingTime)} TT`, 'pending-time'),
      stat('Claimable now', `${token(t.claimableTime)} TT`, 'claimable-time'),
      stat('Paid out', `${token(t.claimedTime)} TT`, 'claimed-time'),
      stat('Forfeited', `${token(t.forfeitedTime)} TT`, 'forfeited-time'),
    ),
    claimBtn,
  );

  const receipts = a.purchases.nodes;
  const waiting = receipts.filter((r) => r.status === 'OPEN' && r.openedBy === 'MERCHANT' && r.expiresAt > now);
  fill(
    'to-confirm',
    waiting.length === 0
      ? h('p', { class: 'empty' }, 'Nothing to confirm.')
      : h(
          'ul',
          { class: 'list' },
          waiting.map((r) => {
            const b = h('button', { type: 'button', class: 'primary', 'aria-label': `Confirm sale ${r.id} at ${shopName(r)}` }, 'Confirm');
            b.addEventListener('click', () => void shell.act(b, `Confirm sale ${r.id}`, () => send('ledger', 'confirm', r.id)).then(refresh));
            return h(
              'li',
              { 'data-receipt': r.id },
              h('span', {}, `${shopName(r)}: ${cents(r.amount)}, ${r.items} item(s), sale #${r.id}`),
              b,
            );
          }),
        ),
  );

  fill(
    'receipts',
    table(
      'Your receipts',
      ['#', 'Shop', 'Amount', 'Cashback', 'State', ''],
      receipts.map((r) => {
        const s = state(r, a.rewards, now);
        const actions: HTMLElement[] = [];
        if (r.status === 'CONFIRMED') {
          const mine = r.ratings.find((x) => x.side === 'customer');
          if (mine) {
            actions.push(h('span', { class: 'muted', title: 'product / service / environment' }, `Rated ${mine.product}/${mine.service}/${mine.environment}`));
          } else if (rated.has(r.id)) {
            actions.push(h('span', { class: 'muted' }, 'Rated'));
          } else {
            const rate = h('button', { type: 'button', 'aria-label': `Rate sale ${r.id}` }, 'Rate');
            rate.addEventListener('click', () => dialog(r.id, shopName(r)));
            actions.push(rate);
          }
          const like = h('button', { type: 'button', 'aria-label': `Like sale ${r.id}` }, '♥');
          like.addEventListener('click', () => void shell.act(like, `Like sale ${r.id}`, () => send('reviews', 'react', r.id, 'Like', ZERO_HASH)));
          actions.push(like);
        }
        return [
          h('span', { 'data-receipt': r.id }, String(r.id)),
          shopName(r),
          cents(r.amount),
          r.timeReward ? `${token(r.timeReward)} TT` : '—',
          h('span', { class: `tag ${s.kind}` }, s.label),
          h('span', { class: 'actions' }, actions),
        ];
      }),
      'No receipts yet: buy at a Bizkey shop and confirm the sale here.',
    ),
  );

  fill(
    'offers',
    d.offers.length === 0
      ? h('p', { class: 'empty' }, 'No offers right now.')
      : h(
          'ul',
          { class: 'list offers' },
          d.offers.map((o) => {
            const b = h('button', { type: 'button', 'aria-label': `Join ${o.task.name}` }, 'Join');
            b.addEventListener('click', () => void shell.act(b, `Join ${o.task.name}`, () => send('tasks', 'join', o.task.id, [])).then(refresh));
            const why = [
              o.sameDistrict ? 'in your district' : null,
              o.categoryShare > 0 ? `${pct(o.categoryShare)} of your purchases are ${o.merchant ? words(o.merchant.category).toLowerCase() : 'of this kind'}` : null,
              o.coVisitors > 0 ? `${o.coVisitors} of ${o.peers} customers of your shops go there` : null,
            ].filter(Boolean);
            return h(
              'li',
              { 'data-offer': o.task.id },
              h(
                'div',
                {},
                h('strong', {}, o.task.name),
                ` at ${o.merchant?.name ?? short(o.task.merchant)}`,
                h('br'),
                h('span', { class: 'muted' }, `${rewardText(o.task)} · ends ${when(o.task.endsAt)}${why.length ? ` · ${why.join(', ')}` : ''}`),
              ),
              b,
            );
          }),
        ),
  );

  const mine = d.tasks.nodes.filter((task) => task.participants?.some((p) => p.customer === me));
  fill(
    'tasks',
    table(
      'Your tasks',
      ['Task', 'Reward', 'Progress', ''],
      mine.map((task) => {
        const p = task.participants!.find((x) => x.customer === me)!;
        const rule = purchaseRule(task.rules);
        const counted = qualifying(task, receipts, rule);
        // The contract takes a receipt once its challenge window is over.
        const usable = counted.filter((r) => r.maturesAt != null && r.maturesAt <= now);
        const need = rule?.minCount ?? 1;
        let action: HTMLElement | string = '';
        if (p.status === 'COMPLETED') {
          action = h('span', { class: 'tag ok' }, `Earned ${token(p.reward)} TT`);
        } else if (usable.length < need && counted.length >= need) {
          action = h('span', { class: 'tag pending' }, 'Claimable after the challenge window');
        } else if (usable.length >= need) {
          const b = h('button', { type: 'button', class: 'primary', 'aria-label': `Claim the reward of ${task.name}` }, 'Claim reward');
          b.addEventListener('click', () =>
            void shell.act(b, `Claim ${task.name}`, () => send('tasks', 'claim', task.id, usable.slice(0, need).map((r) => r.id))).then(refresh),
          );
          action = b;
        }
        return [
          h('span', { 'data-task': task.id }, task.name),
          rewardText(task),
          h('progress', { max: need, value: Math.min(counted.length, need), 'aria-label': `${task.name}: ${Math.min(counted.length, need)} of ${need} purchases` }),
          action,
        ];
      }),
      'You have not joined a task: see the offers.',
    ),
  );

  fill(
    'spend',
    table(
      'Shops that take Time',
      ['Shop', 'Kind', 'District', 'Pay in Time up to'],
      d.merchants.nodes.filter((m) => m.timeShare > 0).map((m) => [m.name, words(m.category), m.location.slice(0, 5), pct(m.timeShare)]),
      'No shop takes Time yet.',
    ),
  );

  drawReferral(shell, d, send, refresh);
}

function drawReferral(shell: Shell, d: Data, send: Send, refresh: () => Promise<void>): void {
  const me = shell.account();
  const link = `${location.origin}${import.meta.env.BASE_URL}wallet/?ref=${me}`;
  const ref = new URLSearchParams(location.search).get('ref');
  const parts: (HTMLElement | string)[] = [];
  const linkId = 'referral-link';
  const copy = h('button', { type: 'button' }, 'Copy');
  copy.addEventListener('click', () => {
    navigator.clipboard.writeText(link).then(
      () => shell.say('Referral link copied.'),
      () => {
        byId<HTMLInputElement>(linkId).select();
        shell.say('Select and copy the link.');
      },
    );
  });
  parts.push(
    h('div', { class: 'field' }, h('label', { for: linkId }, 'Your referral link'), h('div', { class: 'row' }, h('input', { id: linkId, readonly: true, value: link }), copy)),
    h('p', { class: 'muted' }, 'A friend who registers through it earns you a Time bonus on their first purchase.'),
  );
  const customer = d.account.customer;
  if (customer?.referrer) {
    parts.push(h('p', {}, `You were referred by ${short(customer.referrer)}.`));
  } else if (!customer && ref && ref !== me) {
    const b = h('button', { type: 'button', class: 'primary' }, `Register, referred by ${short(ref)}`);
    b.addEventListener('click', () => void shell.act(b, 'Register', () => send('registry', 'registerCustomer', ref)).then(refresh));
    parts.push(b);
  }
  parts.push(
    d.account.referred.length
      ? h('p', { 'data-referred': d.account.referred.length }, `${d.account.referred.length} friend(s) joined through your link: ${d.account.referred.map((c) => short(c.account)).join(', ')}`)
      : h('p', { class: 'empty' }, 'Nobody joined through your link yet.'),
  );
  fill('referral', parts);
}

function stat(label: string, value: string, id: string): HTMLElement[] {
  return [h('dt', {}, label), h('dd', { id }, value)];
}

function shopName(r: Receipt): string {
  return r.merchant?.name ?? short(r.merchantAccount);
}

export function rewardText(t: TaskRow): string {
  if (t.rewardKind === 'Fixed' && t.rewardAmount) return `${token(t.rewardAmount)} TT`;
  if (t.rewardKind === 'Multiple') return 'a multiple of your cashback';
  return 'a share of the pool';
}

/** The rating dialog (one per page): 1–5 for product, service, environment. */
function ratingDialog(shell: Shell, send: Send, refresh: () => void): (id: number, shop: string) => void {
  const scores: [string, string][] = [5, 4, 3, 2, 1].map((n) => [String(n), `${n} ★`]);
  const title = h('h2', { id: 'rate-title' }, 'Rate');
  const form = h(
    'form',
    { method: 'dialog', class: 'form' },
    title,
    select('Product', 'product', scores),
    select('Service', 'service', scores),
    select('Environment', 'environment', scores),
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary', value: 'rate' }, 'Send rating'), h('button', { type: 'button', value: 'cancel', class: 'cancel' }, 'Cancel')),
  );
  const dlg = h('dialog', { 'aria-labelledby': 'rate-title' }, form);
  document.body.append(dlg);
  let current = 0;
  form.querySelector('.cancel')!.addEventListener('click', () => dlg.close());
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const id = current;
    const rating = { Merchant: { product: Number(field(form, 'product')), service: Number(field(form, 'service')), environment: Number(field(form, 'environment')) } };
    dlg.close();
    void shell
      .act(null, `Rate sale ${id}`, async () => {
        await send('reviews', 'rate', id, rating, null);
        rated.add(id);
      })
      .then(refresh);
  });
  return (id, shop) => {
    current = id;
    title.textContent = `Rate sale ${id} at ${shop}`;
    dlg.showModal();
  };
}

/** Customer-first: the customer opens the sale, the merchant confirms it. */
function openForm(shell: Shell, send: Send): void {
  const form = byId<HTMLFormElement>('open-form');
  form.replaceChildren(
    input('Shop account', 'merchant', { required: true, autocomplete: 'off', spellcheck: 'false' }),
    input('Amount', 'amount', { required: true, inputmode: 'decimal', pattern: '\\d+(\\.\\d{1,2})?', placeholder: '8.50' }),
    input('Pay in Time (TT)', 'time', { inputmode: 'decimal', placeholder: '0' }),
    h('button', { type: 'submit', class: 'primary' }, 'Open sale'),
  );
  form.onsubmit = (ev) => {
    ev.preventDefault();
    const btn = form.querySelector('button');
    void shell.act(btn, 'Open sale', async () => {
      const amount = parseCents(field(form, 'amount'));
      const time = field(form, 'time') ? parseToken(field(form, 'time')) : 0n;
      if (time > 0n) {
        // The ledger moves the Time on confirmation: allow it first.
        await send('time_token', 'psp22::approve', shell.cfg.contracts.ledger, time);
      }
      const detail = JSON.stringify({ amount: amount.toString(), openedAt: Date.now(), by: shell.account() });
      await send('ledger', 'open', field(form, 'merchant').trim(), {
        orderId: BigInt(Date.now()),
        orderTime: await shell.chain.now(),
        channel: 'InStore',
        amount,
        discount: 0,
        timePaid: time,
        items: 1,
        detailHash: blake2AsHex(detail, 256),
      });
      form.reset();
    });
  };
}

void start('Bizkey wallet', render);
