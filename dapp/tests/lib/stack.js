// The services behind the pages: the indexer following the dev node into a
// SQLite file, and bizkey-graphql serving the API and the built pages. The
// binaries are the ones the services' build made (SERVICES_TARGET_DIR), or
// BIZKEY_INDEXER_BIN / BIZKEY_GRAPHQL_BIN.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cache = process.env.BIZKEY_CACHE || path.join(os.homedir(), '.cache', 'bizkey');
const target = process.env.SERVICES_TARGET_DIR || path.join(cache, 'target', 'services');

export const bins = {
  indexer: process.env.BIZKEY_INDEXER_BIN || path.join(target, 'debug', 'bizkey-indexer'),
  graphql: process.env.BIZKEY_GRAPHQL_BIN || path.join(target, 'debug', 'bizkey-graphql'),
};

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function tail(file, n = 30) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts `bin args…` logging to `log`; `stop()` ends it (SIGTERM, then SIGKILL). */
function service(name, bin, args, log, env = {}) {
  if (!fs.existsSync(bin)) throw new Error(`${name} not found at ${bin} (cargo build -p bizkey-${name}, or set BIZKEY_${name.toUpperCase()}_BIN)`);
  const out = fs.openSync(log, 'w');
  const child = spawn(bin, args, { stdio: ['ignore', out, out], env: { ...process.env, ...env } });
  fs.closeSync(out);
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const kill = () => {
    if (!exited) child.kill('SIGTERM');
  };
  process.on('exit', kill);
  return {
    get exited() {
      return exited;
    },
    log: () => tail(log),
    stop: async () => {
      process.off('exit', kill);
      if (exited) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    },
  };
}

async function until(what, svc, ok, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!(await ok().catch(() => false))) {
    if (svc.exited) throw new Error(`${what} exited:\n${svc.log()}`);
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${ms} ms:\n${svc.log()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The indexer and the API (with the pages in `dist`) over one fresh SQLite
 * file in `dir`. Returns `{ url, stop }`, `url` the API's base URL.
 */
export async function startStack({ manifestPath, nodeUrl, dist, dir }) {
  const db = path.join(dir, 'index.sqlite');
  const indexerPort = await freePort();
  const args = ['--manifest', manifestPath, '--node-url', nodeUrl, '--database-url', `sqlite://${db}?mode=rwc`, '--listen', `127.0.0.1:${indexerPort}`, '--no-progress'];
  // The fraud model scores receipts where ONNX Runtime is installed
  // (scripts/env.sh finds it); nobody flags: no reporter key is given.
  if (process.env.ORT_DYLIB_PATH) args.push('--fraud-model', path.join(repo, 'models', 'fraud.onnx'));
  else args.push('--no-scoring');
  const indexer = service('indexer', bins.indexer, args, path.join(dir, 'indexer.log'));
  const services = [indexer];
  try {
    await until('the indexer', indexer, async () => fs.existsSync(db) && (await fetch(`http://127.0.0.1:${indexerPort}/health`)).ok);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const graphql = service(
      'graphql',
      bins.graphql,
      ['--database-url', `sqlite://${db}?mode=rw`, '--listen', `127.0.0.1:${port}`, '--dapp-dir', dist, '--manifest', manifestPath, '--node-url', nodeUrl, '--poll-ms', '50'],
      path.join(dir, 'graphql.log'),
    );
    services.push(graphql);
    await until('bizkey-graphql', graphql, async () => (await fetch(`${url}/health`)).ok);
    return {
      url,
      logs: () => services.map((s) => s.log()).join('\n---\n'),
      stop: async () => {
        for (const s of services.reverse()) await s.stop();
      },
    };
  } catch (e) {
    for (const s of services) await s.stop();
    throw e;
  }
}
