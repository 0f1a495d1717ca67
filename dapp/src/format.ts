// Amounts travel as decimal strings (u128): token amounts in the smallest
// unit (12 decimals), sale amounts in cents, BizPower in 10^-9.

export const DECIMALS = 12;
export const UNIT = 10n ** 12n;

/** A token amount (smallest unit) as a decimal with at most `digits` decimals. */
export function token(amount: string | bigint, digits = 4): string {
  const v = BigInt(amount);
  const whole = v / UNIT;
  const frac = (v % UNIT).toString().padStart(DECIMALS, '0').slice(0, digits).replace(/0+$/, '');
  return `${whole.toLocaleString('en')}${frac ? `.${frac}` : ''}`;
}

/** "1.5" → 1.5 × 10^12. Throws on anything but a plain non-negative decimal. */
export function parseToken(text: string): bigint {
  return parseDecimal(text, DECIMALS);
}

/** Cents as "12.34". */
export function cents(amount: string | bigint): string {
  const v = BigInt(amount);
  return `${(v / 100n).toLocaleString('en')}.${(v % 100n).toString().padStart(2, '0')}`;
}

/** "12.5" → 1250 cents. */
export function parseCents(text: string): bigint {
  return parseDecimal(text, 2);
}

function parseDecimal(text: string, decimals: number): bigint {
  const t = text.trim();
  const m = /^(\d+)(?:\.(\d*))?$/.exec(t);
  if (!m) throw new Error(`"${text}" is not an amount`);
  const frac = m[2] ?? '';
  if (frac.length > decimals) throw new Error(`"${text}" has more than ${decimals} decimals`);
  return BigInt(m[1]) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, '0') || '0');
}

/** BizPower (10^-9 fixed point) as a number. */
export function bizpower(v: string | bigint | null | undefined): number {
  return v == null ? 0 : Number(BigInt(v)) / 1e9;
}

/** A time (ms) in the reader's locale. */
export function when(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

/** 5GrwvaEF…GKutQY */
export function short(address: string): string {
  return address.length > 14 ? `${address.slice(0, 6)}…${address.slice(-6)}` : address;
}

/** A share as a percentage. */
export function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** A fraud-model score (0..1) as a percentage with one decimal: 0.9234 is "92.3%". */
export function score(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** An enum value of the API (`CAFE`, `IN_STORE`) as words ("Cafe", "In store"). */
export function words(v: string): string {
  const t = v.replace(/_/g, ' ').toLowerCase();
  return t.charAt(0).toUpperCase() + t.slice(1);
}
