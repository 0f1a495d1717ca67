// GraphQL: queries over HTTP, live updates over graphql-ws (one socket per
// page, shared by its subscriptions).

import { createClient, type Client } from 'graphql-ws';
import type { Config } from './config';

let endpoint = '/graphql';
let client: Client | null = null;
let wsUrl = '';

export function configure(cfg: Config): void {
  endpoint = cfg.graphql;
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  wsUrl = `${proto}//${location.host}${cfg.graphqlWs}`;
}

export class GraphQLError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** Runs a query; throws the first GraphQL error with its `extensions.code`. */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length) {
    const e = body.errors[0];
    throw new GraphQLError(e.message, e.extensions?.code);
  }
  if (!body.data) throw new Error(`GraphQL: HTTP ${res.status} without data`);
  return body.data;
}

/** Connection state of the live socket, for the page's status line. */
export type LiveState = 'connecting' | 'live' | 'offline';

const listeners = new Set<(s: LiveState) => void>();
export function onLiveState(f: (s: LiveState) => void): void {
  listeners.add(f);
}

function ws(): Client {
  if (!client) {
    client = createClient({
      url: wsUrl,
      retryAttempts: Infinity,
      shouldRetry: () => true,
      on: {
        connecting: () => listeners.forEach((f) => f('connecting')),
        connected: () => listeners.forEach((f) => f('live')),
        closed: () => listeners.forEach((f) => f('offline')),
      },
    });
  }
  return client;
}

/**
 * Subscribes to `query`; `onData` gets each payload's data. Returns the
 * unsubscribe function. An error (e.g. a subscriber that fell behind)
 * resubscribes after a second: the page refetches on each payload anyway.
 */
export function live<T>(query: string, variables: Record<string, unknown>, onData: (data: T) => void): () => void {
  let stop: (() => void) | null = null;
  let stopped = false;
  const start = () => {
    stop = ws().subscribe<T>(
      { query, variables },
      {
        next: (v) => {
          if (v.data) onData(v.data as T);
        },
        error: () => {
          if (!stopped) setTimeout(start, 1000);
        },
        complete: () => {},
      },
    );
  };
  start();
  return () => {
    stopped = true;
    stop?.();
  };
}
