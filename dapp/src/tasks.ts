// A task's purchase rule, read from the rules JSON the index keeps (as the
// contract's TaskCreated event carried them), and the receipts of a
// customer that satisfy it.

export interface PurchaseRule {
  /** Where purchases count; empty: the task's merchant only. */
  merchants: string[];
  minCount: number;
  /** Smallest amount of each qualifying receipt, cents. */
  minAmount: bigint;
}

/** The first `Purchases` rule among `rules`, whatever the JSON's casing. */
export function purchaseRule(rules: unknown): PurchaseRule | null {
  const found = findKey(rules, (k) => k.toLowerCase() === 'purchases');
  if (!found || typeof found !== 'object') return null;
  const r = found as Record<string, unknown>;
  const get = (...names: string[]) => names.map((n) => r[n]).find((v) => v != null);
  const merchants = get('merchants');
  return {
    merchants: Array.isArray(merchants) ? merchants.map(String) : [],
    minCount: Number(get('min_count', 'minCount') ?? 1) || 1,
    minAmount: BigInt(String(get('min_amount', 'minAmount') ?? 0)),
  };
}

function findKey(v: unknown, match: (k: string) => boolean): unknown {
  if (Array.isArray(v)) {
    for (const x of v) {
      const f = findKey(x, match);
      if (f !== undefined) return f;
    }
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (match(k)) return x;
      const f = findKey(x, match);
      if (f !== undefined) return f;
    }
  }
  return undefined;
}

interface TaskWindow {
  merchant: string;
  startsAt: number;
  endsAt: number;
}

interface ReceiptLike {
  id: number;
  merchantAccount: string;
  amount: string;
  status: string;
  confirmedAt: number | null;
}

/** The confirmed receipts completed in the task's window that its rule counts, newest first. */
export function qualifying<R extends ReceiptLike>(task: TaskWindow, receipts: R[], rule: PurchaseRule | null): R[] {
  const where = rule && rule.merchants.length ? rule.merchants : [task.merchant];
  return receipts.filter(
    (r) =>
      r.status === 'CONFIRMED' &&
      r.confirmedAt != null &&
      r.confirmedAt >= task.startsAt &&
      r.confirmedAt < task.endsAt &&
      where.includes(r.merchantAccount) &&
      BigInt(r.amount) >= (rule?.minAmount ?? 0n),
  );
}
