// A receipt's off-chain detail and its on-chain hash: blake2-256 of the
// canonical JSON (keys sorted, no whitespace, absent fields omitted), as
// store/src/detail.rs defines it; the index accepts the upload only when
// it hashes to the receipt's `detailHash`.

import { blake2AsHex } from '@polkadot/util-crypto';
import { gql, GraphQLError } from './gql';

export interface Item {
  name: string;
  quantity: number;
  /** Cents per unit. */
  list_price: number;
  paid_price: number;
  time_deduction: number;
}

export interface Detail {
  items: Item[];
  merchant_name?: string;
  note?: string;
}

/** JSON with every object's keys sorted and no whitespace. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v as object)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function detailHash(d: Detail): string {
  return blake2AsHex(canonical(d), 256);
}

/**
 * Uploads the detail once the index has its receipt (NOT_INDEXED: the
 * indexer follows finalized blocks, a second or two behind).
 */
export async function upload(receiptId: number, d: Detail, tries = 40): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await gql('mutation ($id: Int!, $d: String!) { submitReceiptDetail(receiptId: $id, detail: $d) { detailHash } }', {
        id: receiptId,
        d: canonical(d),
      });
      return;
    } catch (e) {
      if (!(e instanceof GraphQLError && e.code === 'NOT_INDEXED') || i >= tries) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
