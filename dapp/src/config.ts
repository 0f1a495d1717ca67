// What the server tells the pages (/app/config.json, from the deployment
// manifest) and each contract's metadata (/app/abi/NAME.json).

export interface Config {
  /** The node's WebSocket URL. */
  nodeUrl: string;
  genesisHash: string;
  /** Path of the GraphQL endpoint (queries) and of its WebSocket. */
  graphql: string;
  graphqlWs: string;
  /** Contract name → address. */
  contracts: Record<string, string>;
}

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

export function loadConfig(): Promise<Config> {
  return json<Config>(`${import.meta.env.BASE_URL}config.json`);
}

export function loadAbi(name: string): Promise<Record<string, unknown>> {
  return json(`${import.meta.env.BASE_URL}abi/${name}.json`);
}
