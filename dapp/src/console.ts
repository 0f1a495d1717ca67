// The merchant console: record a sale (the POS flow: the order on chain,
// its detail uploaded to the index), pending confirmations, receipts with
// the fraud model's verdict, rewards and claim, BizPower as minute / hour /
// day candles, customers and the repeat rate, ratings, tasks published and
// what each brought (cross-merchant offers), and governance: the Biz lock,
// proposals, votes; the fraud model's review list of shops, customers and
// referrers. Reads come from the GraphQL index, live; writes are
// contract calls signed by the account's signer.

import './style.css';
import { blake2AsHex } from '@polkadot/util-crypto';
import { CandlestickSeries, createChart, type IChartApi, type ISeriesApi, type UTCTimestamp } from 'lightweight-charts';
import { newestOnly, start, throttle, type Shell } from './app';
import { byId, field, fill, h, input, select, table, toggles } from './dom';
import { detailHash, upload, type Detail } from './detail';
import { bizpower, cents, parseCents, parseToken, pct, score, short, token, when, words } from './format';
import { gql, live } from './gql';

interface Receipt {
  id: number;
  customerAccount: string;
  amount: string;
  items: number;
  status: string;
  openedBy: 'MERCHANT' | 'CUSTOMER';
  expiresAt: number;
  confirmedAt: number | null;
  bizReward: string | null;
  fraudScore: { score: number; threshold: number; raisedBy: { groupScore: number } | null } | null;
  detail: Detail | null;
}

interface Proposal {
  id: number;
  proposer: string;
  actionKind: string;
  action: unknown;
  votesFor: string;
  votesAgainst: string;
  voters: number;
  votingEnd: number;
  status: string;
  votes: { voter: string; support: boolean }[];
}

interface Data {
  merchant: {
    name: string;
    category: string;
    location: string;
    status: string;
    bizpower: string | null;
    timeShare: number;
    ratings: { receiptId: number; side: string; product: number | null; service: number | null; environment: number | null }[];
    receipts: { nodes: Receipt[] };
    daily: { day: number; receipts: number; sales: string; flagged: number }[];
  } | null;
  account: {
    biz: string;
    time: string;
    rewardTotals: Record<string, string>;
    lock: { status: string; amount: string; tier: number; weight: string; unlockAt: number } | null;
  };
  offerReach: {
    taskId: number;
    participants: number;
    completions: number;
    newCustomers: number;
    purchases: number;
    task: { name: string; endsAt: number; rewardAmount: string | null; pool: string };
  }[];
  proposals: { nodes: Proposal[] };
}

const QUERY = `query Console($a: String!) {
  merchant(account: $a) {
    name category location status bizpower timeShare
    ratings(limit: 10) { receiptId side product service environment }
    receipts(first: 100, orderBy: ID_DESC) { nodes {
      id customerAccount amount items status openedBy expiresAt confirmedAt bizReward
      fraudScore { score threshold raisedBy { groupScore } } detail } }
    daily { day receipts sales flagged }
  }
  account(address: $a) {
    biz time
    rewardTotals { pendingBiz claimableBiz claimedBiz forfeitedBiz }
    lock { status amount tier weight unlockAt }
  }
  offerReach(merchant: $a, first: 10) {
    taskId participants completions newCustomers purchases
    task { name endsAt rewardAmount pool }
  }
  proposals(first: 10) { nodes {
    id proposer actionKind action votesFor votesAgainst voters votingEnd status
    votes { voter support } } }
}`;

type Interval = 'M1' | 'H1' | 'D1';

const INTERVALS: [Interval, string][] = [
  ['M1', '1 minute'],
  ['H1', '1 hour'],
  ['D1', '1 day'],
];

type GroupKind = 'MERCHANT' | 'CUSTOMER' | 'REFERRER';

/** What a group of each kind is (its button says it in the plural). */
const GROUP_NAMES: Record<GroupKind, string> = { MERCHANT: 'Shop', CUSTOMER: 'Customer', REFERRER: 'Referrer' };

interface Group {
  account: string;
  merchant: { name: string } | null;
  receipts: number;
  aboveThreshold: number;
  score: number;
  topScores: number[];
  fundedBy: { funder: { address: string; funded: { totalCount: number } } } | null;
}

const REVIEW = `query Review($k: FraudGroupKind!) { fraudGroups(kind: $k, first: 10) { nodes { account merchant { name } receipts aboveThreshold score topScores fundedBy { funder { address funded(first: 0) { totalCount } } } } } }`;

const KLINE = `query K($a: String!, $i: Interval!) { merchant(account: $a) { kline(interval: $i) { start open high low close receipts } } }`;

type Send = (name: string, message: string, ...args: unknown[]) => Promise<unknown>;

let stops: (() => void)[] = [];
let chart: IChartApi | null = null;
let series: ISeriesApi<'Candlestick'> | null = null;
let interval: Interval = 'M1';
let reviewKind: GroupKind = 'MERCHANT';
let registration: HTMLElement | null = null;

async function render(shell: Shell): Promise<void> {
  for (const s of stops) s();
  stops = [];
  registration = null;
  const me = shell.account();
  const send: Send = async (name, message, ...args) => shell.chain.send(await shell.signer(), name, message, ...args);
  let data: Data | null = null;

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
    draw(shell, data, send, refresh);
  };
  const refreshChart = () => drawChart(me);
  const refreshReview = () => drawReview(shell, me);
  const soon = throttle(() => void Promise.all([refresh(), refreshReview()]), 300);
  stops.push(live('subscription ($a: String) { receiptChanged(merchant: $a) { id status } }', { a: me }, soon));
  stops.push(live('subscription { batchIndexed { toBlock } }', {}, soon));
  stops.push(live('subscription ($a: String!) { klineTick(merchant: $a) { receiptId } }', { a: me }, throttle(() => void refreshChart(), 300)));

  saleForm(shell, send, () => data?.merchant?.name);
  taskForm(shell, send);
  await lockForm(shell, send);
  proposeForm(shell, send);
  toggles('intervals', INTERVALS, interval, (value) => {
    interval = value;
    void refreshChart();
  });
  const kinds = (Object.keys(GROUP_NAMES) as GroupKind[]).map((k): [GroupKind, string] => [k, `${GROUP_NAMES[k]}s`]);
  toggles('review-kinds', kinds, reviewKind, (value) => {
    reviewKind = value;
    void refreshReview();
  });
  await Promise.all([refresh(), refreshChart(), refreshReview()]);
}

function draw(shell: Shell, d: Data, send: Send, refresh: () => Promise<void>): void {
  const m = d.merchant;
  const now = Date.now();
  const me = shell.account();
  if (!m) {
    // Kept across redraws: a block indexed while someone types must not reset the form.
    registration ??= registerForm(shell, send, refresh);
    if (!byId('shop').contains(registration)) fill('shop', h('p', {}, 'This account is not a registered merchant.'), registration);
  } else {
    registration = null;
    fill(
      'shop',
      h(
        'dl',
        { class: 'stats' },
        stat('Name', m.name),
        stat('Status', m.status.toLowerCase(), 'shop-status'),
        stat('Kind', words(m.category)),
        stat('District', m.location.slice(0, 5)),
        stat('BizPower', bizpower(m.bizpower).toFixed(4), 'bizpower'),
        stat('Takes Time up to', pct(m.timeShare)),
        stat('Biz', `${token(d.account.biz)} BT`, 'biz-balance'),
        stat('Time', `${token(d.account.time)} TT`, 'time-balance'),
      ),
    );
  }
  const receipts = m?.receipts.nodes ?? [];

  const open = receipts.filter((r) => r.status === 'OPEN' && r.expiresAt > now);
  fill(
    'pending',
    open.length === 0
      ? h('p', { class: 'empty' }, 'Nothing waiting.')
      : h(
          'ul',
          { class: 'list' },
          open.map((r) => {
            let action: HTMLElement;
            if (r.openedBy === 'CUSTOMER') {
              action = h('button', { type: 'button', class: 'primary', 'aria-label': `Confirm sale ${r.id}` }, 'Confirm');
              action.addEventListener('click', () => void shell.act(action as HTMLButtonElement, `Confirm sale ${r.id}`, () => send('ledger', 'confirm', r.id)).then(refresh));
            } else {
              action = h('button', { type: 'button', 'aria-label': `Cancel sale ${r.id}` }, 'Cancel');
              action.addEventListener('click', () => void shell.act(action as HTMLButtonElement, `Cancel sale ${r.id}`, () => send('ledger', 'cancel', r.id)).then(refresh));
            }
            const who = r.openedBy === 'CUSTOMER' ? 'the customer paid; confirm it' : 'waiting for the customer';
            return h('li', { 'data-receipt': r.id }, h('span', {}, `#${r.id} ${short(r.customerAccount)}: ${cents(r.amount)}, ${who}`), action);
          }),
        ),
  );

  fill(
    'receipts',
    table(
      'Receipts of this shop',
      ['#', 'Customer', 'Items', 'Amount', 'Biz', 'Status', 'Fraud model'],
      receipts.slice(0, 30).map((r) => {
        const f = r.fraudScore;
        // A receipt below the threshold is flagged when its customer's
        // group score reached it (the account rule): say so.
        const raised = f?.raisedBy;
        const flag = r.status === 'FLAGGED'
          ? raised
            ? h('span', { class: 'tag bad', title: `the customer's group score ${score(raised.groupScore)} reached the threshold` }, 'flagged (account)')
            : h('span', { class: 'tag bad' }, 'flagged')
          : f
            ? h('span', { class: `tag ${f.score >= f.threshold ? 'bad' : 'ok'}` }, score(f.score))
            : h('span', { class: 'muted' }, '—');
        return [
          h('span', { 'data-receipt': r.id }, String(r.id)),
          short(r.customerAccount),
          r.detail?.items?.map((i) => `${i.quantity}× ${i.name}`).join(', ') || String(r.items),
          cents(r.amount),
          r.bizReward ? token(r.bizReward) : '—',
          h('span', { class: `tag ${r.status === 'CONFIRMED' ? 'ok' : r.status === 'OPEN' ? 'open' : 'off'}` }, r.status.toLowerCase()),
          flag,
        ];
      }),
      'No sales yet.',
    ),
  );

  const t = d.account.rewardTotals;
  const claimBtn = h('button', { type: 'button', class: 'primary', disabled: BigInt(t.claimableBiz) === 0n }, 'Claim matured Biz');
  claimBtn.addEventListener('click', () => void shell.act(claimBtn, 'Claim', () => send('ledger', 'claim', 100)).then(refresh));
  fill(
    'rewards',
    h(
      'dl',
      { class: 'stats' },
      stat('Pending (challenge window)', `${token(t.pendingBiz)} BT`, 'pending-biz'),
      stat('Claimable now', `${token(t.claimableBiz)} BT`, 'claimable-biz'),
      stat('Claimed', `${token(t.claimedBiz)} BT`),
      stat('Forfeited', `${token(t.forfeitedBiz)} BT`),
    ),
    claimBtn,
  );

  // Customers: distinct buyers of the confirmed sales listed, and how many came back.
  const counts = new Map<string, number>();
  for (const r of receipts) if (r.status === 'CONFIRMED') counts.set(r.customerAccount, (counts.get(r.customerAccount) ?? 0) + 1);
  const repeat = [...counts.values()].filter((n) => n > 1).length;
  // The customers' ratings of the shop (the shop's of its customers carry a score only).
  const ratings = m?.ratings.filter((r) => r.product != null) ?? [];
  const avg = (k: 'product' | 'service' | 'environment') =>
    ratings.length ? (ratings.reduce((s, r) => s + (r[k] ?? 0), 0) / ratings.length).toFixed(1) : '—';
  fill(
    'customers',
    h(
      'dl',
      { class: 'stats' },
      stat('Customers', String(counts.size), 'customer-count'),
      stat('Repeat rate', counts.size ? pct(repeat / counts.size) : '—', 'repeat-rate'),
      stat('Ratings', String(ratings.length), 'rating-count'),
      stat('Product / service / environment', `${avg('product')} / ${avg('service')} / ${avg('environment')}`),
    ),
    table(
      'Sales per day',
      ['Day', 'Sales', 'Amount', 'Flagged'],
      (m?.daily ?? []).slice(-7).reverse().map((x) => [new Date(x.day).toISOString().slice(0, 10), String(x.receipts), cents(x.sales), String(x.flagged)]),
      'No sales yet.',
    ),
  );

  fill(
    'tasks',
    table(
      'Your tasks and what they brought',
      ['Task', 'Reward', 'Pool left', 'Ends', 'Joined', 'Completed', 'New customers', 'Their purchases'],
      d.offerReach.map((x) => [
        h('span', { 'data-task': x.taskId }, x.task.name),
        x.task.rewardAmount ? `${token(x.task.rewardAmount)} TT` : '—',
        `${token(x.task.pool)} TT`,
        when(x.task.endsAt),
        String(x.participants),
        String(x.completions),
        h('strong', { 'data-new-customers': x.newCustomers }, String(x.newCustomers)),
        String(x.purchases),
      ]),
      'No task published.',
    ),
  );

  const l = d.account.lock;
  fill(
    'lock',
    l && l.status !== 'Unlocked'
      ? h('p', { id: 'lock-state' }, `Locked ${token(l.amount)} BT (tier ${l.tier}) until ${when(l.unlockAt)}: voting weight ${token(l.weight)}.`)
      : h('p', { id: 'lock-state', class: 'empty' }, 'No Biz locked: lock some to vote and earn Time dividends.'),
  );
  fill(
    'proposals',
    table(
      'Proposals',
      ['#', 'Action', 'For', 'Against', 'Voters', 'Status', 'Your vote'],
      d.proposals.nodes.map((p) => {
        const mine = p.votes.find((v) => v.voter === me);
        let vote: HTMLElement;
        if (mine) {
          vote = h('span', { class: 'tag ok' }, mine.support ? 'yes' : 'no');
        } else if (p.status === 'ACTIVE') {
          const yes = h('button', { type: 'button', 'aria-label': `Vote yes on proposal ${p.id}` }, 'Yes');
          const no = h('button', { type: 'button', 'aria-label': `Vote no on proposal ${p.id}` }, 'No');
          yes.addEventListener('click', () => void shell.act(yes, `Vote on ${p.id}`, () => send('governance', 'vote', p.id, true)).then(refresh));
          no.addEventListener('click', () => void shell.act(no, `Vote on ${p.id}`, () => send('governance', 'vote', p.id, false)).then(refresh));
          vote = h('span', { class: 'actions' }, yes, no);
        } else {
          vote = h('span', { class: 'muted' }, '—');
        }
        return [
          h('span', { 'data-proposal': p.id }, String(p.id)),
          actionText(p),
          token(p.votesFor),
          token(p.votesAgainst),
          String(p.voters),
          p.status.toLowerCase(),
          vote,
        ];
      }),
      'No proposals.',
    ),
  );
}

function actionText(p: Proposal): string {
  const a = p.action as Record<string, unknown> | null;
  const spend = a && (a.TreasurySpend as { to?: string; amount?: string | number } | undefined);
  if (spend?.amount != null) return `Treasury grant of ${token(BigInt(String(spend.amount)))} BT`;
  return p.actionKind;
}

function stat(label: string, value: string, id?: string): HTMLElement[] {
  return [h('dt', {}, label), h('dd', { id }, value)];
}

/** The POS flow: the order on chain (its detail hashed into it), the detail to the index. */
function saleForm(shell: Shell, send: Send, shopName: () => string | undefined): void {
  const form = byId<HTMLFormElement>('sale-form');
  form.replaceChildren(
    input('Customer account', 'customer', { required: true, autocomplete: 'off', spellcheck: 'false' }),
    input('Item', 'item', { required: true, value: 'Latte' }),
    input('Quantity', 'quantity', { required: true, type: 'number', min: 1, value: 1 }),
    input('Price per item', 'price', { required: true, inputmode: 'decimal', pattern: '\\d+(\\.\\d{1,2})?', placeholder: '4.50' }),
    select('Channel', 'channel', [
      ['InStore', 'In store'],
      ['Outside', 'Delivery / outside'],
    ]),
    h('button', { type: 'submit', class: 'primary' }, 'Record sale'),
  );
  form.onsubmit = (ev) => {
    ev.preventDefault();
    const btn = form.querySelector('button');
    void shell.act(btn, 'Record sale', async () => {
      const quantity = Number(field(form, 'quantity'));
      const price = parseCents(field(form, 'price'));
      const detail: Detail = {
        items: [{ name: field(form, 'item'), quantity, list_price: Number(price), paid_price: Number(price), time_deduction: 0 }],
        merchant_name: shopName(),
      };
      const id = await send('ledger', 'record', field(form, 'customer').trim(), {
        orderId: BigInt(Date.now()),
        // Not after the block time: the best block's.
        orderTime: await shell.chain.now(),
        channel: field(form, 'channel'),
        amount: price * BigInt(quantity),
        discount: 0,
        timePaid: 0,
        items: quantity,
        detailHash: detailHash(detail),
      });
      const receipt = Number(String(id));
      shell.say(`Sale #${receipt} recorded; uploading its detail…`);
      await upload(receipt, detail);
      (form.elements.namedItem('price') as HTMLInputElement).value = '';
    });
  };
}

function registerForm(shell: Shell, send: Send, refresh: () => Promise<void>): HTMLElement {
  const categories = ['Cafe', 'Restaurant', 'Grocery', 'Bakery', 'Bar', 'Retail', 'Beauty', 'Services', 'Other'];
  const form = h(
    'form',
    { class: 'form', 'aria-label': 'Register this shop' },
    input('Shop name', 'name', { required: true }),
    select('Kind', 'category', categories.map((c) => [c, c])),
    input('Location (geohash)', 'location', { required: true, placeholder: 'wx4g0ec1' }),
    input('Area (sq ft)', 'area', { required: true, type: 'number', min: 1, value: 400 }),
    input('Staff', 'staff', { required: true, type: 'number', min: 1, value: 3 }),
    input('Rent per sq ft per day (cents)', 'rent', { required: true, type: 'number', min: 0, value: 40 }),
    input('Wage per day (cents)', 'wage', { required: true, type: 'number', min: 0, value: 12000 }),
    input('Share of a sale payable in Time (%)', 'share', { required: true, type: 'number', min: 0, max: 100, value: 30 }),
    h('button', { type: 'submit', class: 'primary' }, 'Register'),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void shell
      .act(form.querySelector('button'), 'Register', () =>
        send(
          'registry',
          'registerMerchant',
          {
            name: field(form, 'name'),
            category: field(form, 'category'),
            location: field(form, 'location'),
            cost: { areaSqft: Number(field(form, 'area')), staff: Number(field(form, 'staff')), rentPerSqftDay: Number(field(form, 'rent')), wagePerDay: Number(field(form, 'wage')) },
            licenceHash: blake2AsHex(`licence of ${field(form, 'name')}`, 256),
          },
          null,
          Math.round(Number(field(form, 'share')) * 10_000),
        ),
      )
      .then(refresh);
  });
  return form;
}

/** A Time bounty: the merchant escrows reward × completions (approving the tasks contract first). */
function taskForm(shell: Shell, send: Send): void {
  const form = byId<HTMLFormElement>('task-form');
  form.replaceChildren(
    input('Name', 'name', { required: true, maxlength: 64, value: 'First visit bonus' }),
    input('Reward per completion (TT)', 'reward', { required: true, inputmode: 'decimal', value: '0.5' }),
    input('Completions', 'completions', { required: true, type: 'number', min: 1, value: 10 }),
    input('Purchases needed', 'purchases', { required: true, type: 'number', min: 1, value: 1 }),
    input('Open for (hours)', 'hours', { required: true, type: 'number', min: 1, value: 24 }),
    h('button', { type: 'submit', class: 'primary' }, 'Publish'),
  );
  form.onsubmit = (ev) => {
    ev.preventDefault();
    void shell.act(form.querySelector('button'), 'Publish task', async () => {
      const reward = parseToken(field(form, 'reward'));
      const completions = Number(field(form, 'completions'));
      const escrow = reward * BigInt(completions);
      const now = await shell.chain.now();
      const name = field(form, 'name');
      await send('time_token', 'psp22::approve', shell.cfg.contracts.tasks, escrow);
      await send(
        'tasks',
        'createTask',
        {
          name,
          descriptionHash: blake2AsHex(name, 256),
          mode: 'Any',
          rules: [{ Purchases: { merchants: [], minCount: Number(field(form, 'purchases')), minAmount: 0, distinctMerchants: 0 } }],
          reward: { Fixed: reward },
          eligibility: 'Anyone',
          penalty: 0,
          start: now,
          end: now + BigInt(Number(field(form, 'hours')) * 3_600_000),
          claimMs: 86_400_000,
          maxCompletions: completions,
        },
        escrow,
      );
    });
  };
}

async function lockForm(shell: Shell, send: Send): Promise<void> {
  const form = byId<HTMLFormElement>('lock-form');
  let tiers: { durationMs: number; multiplierPpm: number }[] = [];
  try {
    tiers = (await shell.chain.read('locking', 'tiers')).toJSON() as typeof tiers;
  } catch {
    tiers = [];
  }
  const days = (ms: number) => (ms >= 86_400_000 ? `${Math.round(ms / 86_400_000)} days` : `${Math.round(ms / 1000)} s`);
  form.replaceChildren(
    form.querySelector('h3')!,
    input('Amount (BT)', 'amount', { required: true, inputmode: 'decimal', placeholder: '10' }),
    select('Term', 'tier', tiers.map((t, i) => [String(i), `${days(Number(t.durationMs))}, weight ×${(Number(t.multiplierPpm) / 1e6).toFixed(2)}`])),
    h('button', { type: 'submit', class: 'primary' }, 'Lock'),
  );
  form.onsubmit = (ev) => {
    ev.preventDefault();
    void shell.act(form.querySelector('button'), 'Lock', async () => {
      const amount = parseToken(field(form, 'amount'));
      await send('biz_token', 'psp22::approve', shell.cfg.contracts.locking, amount);
      await send('locking', 'lock', amount, Number(field(form, 'tier')));
    });
  };
}

function proposeForm(shell: Shell, send: Send): void {
  const form = byId<HTMLFormElement>('propose-form');
  form.replaceChildren(
    form.querySelector('h3')!,
    input('Recipient', 'to', { required: true, value: shell.account(), spellcheck: 'false' }),
    input('Amount (BT)', 'amount', { required: true, inputmode: 'decimal', placeholder: '100' }),
    input('Why', 'why', { required: true, placeholder: 'A new espresso machine for the district' }),
    h('button', { type: 'submit', class: 'primary' }, 'Propose'),
  );
  form.onsubmit = (ev) => {
    ev.preventDefault();
    void shell.act(form.querySelector('button'), 'Propose', () =>
      send('governance', 'propose', { TreasurySpend: { to: field(form, 'to').trim(), amount: parseToken(field(form, 'amount')) } }, blake2AsHex(field(form, 'why'), 256)),
    );
  };
}

/** The highest-scoring groups of the kind chosen (groups of three scored receipts or more). */
async function drawReview(shell: Shell, me: string): Promise<void> {
  const kind = reviewKind;
  let groups: Group[];
  try {
    groups = (await gql<{ fraudGroups: { nodes: Group[] } }>(REVIEW, { k: kind })).fraudGroups.nodes;
  } catch (e) {
    shell.say(`Could not read the review list: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  // A click on another kind while this one was loading: that one draws.
  if (kind !== reviewKind) return;
  const what = GROUP_NAMES[kind];
  fill(
    'review',
    table(
      `${what}s by fraud score, highest first`,
      ['#', what, 'Receipts scored', 'Above the threshold', 'Score', 'Highest scores', 'Funded by'],
      groups.map((g, i) => [
        String(i + 1),
        // A customer or referrer that is also a shop is named: an owner
        // buying at colluding shops with the shop's own account.
        h('span', { 'data-group': g.account, title: g.account }, [g.merchant?.name, short(g.account), g.account === me ? '(you)' : undefined].filter(Boolean).join(' ')),
        String(g.receipts),
        h('span', { class: `tag ${g.aboveThreshold > 0 ? 'bad' : 'ok'}` }, String(g.aboveThreshold)),
        h('strong', {}, score(g.score)),
        g.topScores.map(score).join(', '),
        funder(g.fundedBy?.funder, me),
      ]),
      `No ${what.toLowerCase()} has three scored receipts yet.`,
    ),
  );
  byId('review').dataset.kind = kind;
}

/**
 * Who paid the group account's first fees, and how many accounts that wallet
 * set up: one wallet behind many of the list's accounts is what a ring looks
 * like (and also an exchange, a shop paying its customers' fees, a friend
 * bringing newcomers: the reviewer weighs it).
 */
function funder(f: { address: string; funded: { totalCount: number } } | undefined, me: string): HTMLElement {
  // No transfer recorded: funded at genesis, otherwise than by a transfer, or before the index began.
  if (!f) return h('span', { class: 'muted', title: 'No funding transfer recorded' }, 'unknown');
  const n = f.funded.totalCount;
  const who = f.address === me ? `${short(f.address)} (you)` : short(f.address);
  return h('span', { 'data-funder': f.address, 'data-fanout': String(n), title: f.address }, `${who} · ${n} account${n === 1 ? '' : 's'}`);
}

const UP = '#1f9d74';
const DOWN = '#d6453d';

async function drawChart(me: string): Promise<void> {
  const el = byId('chart');
  if (!chart) {
    chart = createChart(el, {
      autoSize: true,
      layout: { background: { color: 'transparent' }, textColor: getComputedStyle(document.body).color, attributionLogo: false },
      grid: { vertLines: { color: 'rgba(128,128,128,0.15)' }, horzLines: { color: 'rgba(128,128,128,0.15)' } },
      timeScale: { timeVisible: true, secondsVisible: false },
    });
    series = chart.addSeries(CandlestickSeries, {
      upColor: UP,
      downColor: DOWN,
      borderUpColor: UP,
      borderDownColor: DOWN,
      wickUpColor: UP,
      wickDownColor: DOWN,
      priceFormat: { type: 'price', precision: 4, minMove: 0.0001 },
    });
  }
  const d = await gql<{ merchant: { kline: { start: number; open: string; high: string; low: string; close: string; receipts: number }[] } | null }>(KLINE, { a: me, i: interval });
  const candles = d.merchant?.kline ?? [];
  series!.setData(
    candles.map((c) => ({
      time: Math.floor(c.start / 1000) as UTCTimestamp,
      open: bizpower(c.open),
      high: bizpower(c.high),
      low: bizpower(c.low),
      close: bizpower(c.close),
    })),
  );
  chart.timeScale().fitContent();
  el.dataset.candles = String(candles.length);
  const sales = candles.reduce((s, c) => s + c.receipts, 0);
  const last = candles.at(-1);
  byId('chart-summary').textContent = last
    ? `${candles.length} candles, ${sales} sales; last close ${bizpower(last.close).toFixed(4)}, high ${Math.max(...candles.map((c) => bizpower(c.high))).toFixed(4)}.`
    : 'No sales yet: the chart starts with the first one.';
}

void start('Bizkey console', render);
