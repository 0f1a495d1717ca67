// The chain the suite runs against: a throwaway dev node with the suite
// deployed by `bizkey deploy`, or an existing deployment named by
// BIZKEY_MANIFEST (and BIZKEY_NODE_URL, default: the manifest's node_url).

import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const home = os.homedir();
const cache = process.env.BIZKEY_CACHE || path.join(home, '.cache', 'bizkey');
const servicesTarget = process.env.SERVICES_TARGET_DIR || path.join(cache, 'target', 'services');

/** Paths the suite needs, from the same variables as scripts/env.sh. */
export const paths = {
  node: process.env.CONTRACTS_NODE || path.join(cache, 'bin', 'substrate-contracts-node'),
  bizkey: process.env.BIZKEY_BIN || path.join(servicesTarget, 'debug', 'bizkey'),
  contracts: process.env.BIZKEY_CONTRACTS_DIR || path.join(cache, 'contracts'),
};

/** A loopback port nobody listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Whether the node's JSON-RPC answers `system_health` on `port`. */
async function answers(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 1, jsonrpc: '2.0', method: 'system_health', params: [] }),
      signal: AbortSignal.timeout(2000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

function tail(file, lines = 30) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function mustExist(file, what, hint) {
  if (!fs.existsSync(file)) {
    throw new Error(`${what} not found at ${file} (${hint})`);
  }
}

/**
 * Starts the chain. Returns `{ url, manifest, manifestPath, stop }`; `stop()`
 * ends the node this call started (nothing for an existing deployment).
 */
export async function startDevnet() {
  if (process.env.BIZKEY_MANIFEST) {
    const manifestPath = path.resolve(process.env.BIZKEY_MANIFEST);
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
    const url = process.env.BIZKEY_NODE_URL || manifest.node_url;
    return { url, manifest, manifestPath, stop: async () => {} };
  }

  mustExist(paths.node, 'substrate-contracts-node', 'run scripts/setup.sh or set CONTRACTS_NODE');
  mustExist(paths.bizkey, 'the bizkey CLI', 'cargo build -p bizkey-chain, or set BIZKEY_BIN');
  mustExist(paths.contracts, 'the contract bundles', 'run scripts/build-contracts.sh or set BIZKEY_CONTRACTS_DIR');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bizkey-pjs-'));
  const log = path.join(dir, 'node.log');
  const port = await freePort();
  const url = `ws://127.0.0.1:${port}`;
  const out = fs.openSync(log, 'w');
  // As scripts/run-node.sh: instant seal, each block finalized a second
  // later. `--port 0` and no Prometheus endpoint: another node (scripts/run.sh,
  // a Rust test) may hold the default p2p and metrics ports.
  const child = spawn(
    paths.node,
    ['--dev', '--tmp', '--finalize-delay-sec', '1', '--rpc-port', String(port), '--port', '0', '--no-prometheus'],
    { stdio: ['ignore', out, out] },
  );
  fs.closeSync(out);
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  // Never leave the node (or its files) behind, whatever ends this process.
  // SIGTERM: the node then deletes its --tmp database itself.
  const killNode = () => {
    if (!exited) child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', killNode);
  const onSignal = (signal) => {
    killNode();
    process.exit(128 + os.constants.signals[signal]);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const stop = async () => {
    process.off('exit', killNode);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (!exited) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    const deadline = Date.now() + 60_000;
    while (!(await answers(port))) {
      if (exited) throw new Error(`the node exited; the last lines of its log:\n${tail(log)}`);
      if (Date.now() > deadline) throw new Error(`the node did not answer on ${url} within 60 s; the last lines of its log:\n${tail(log)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const manifestPath = path.join(dir, 'deployment.json');
    await run(
      paths.bizkey,
      ['deploy', '--url', url, '--suri', '//Alice', '--contracts-dir', paths.contracts, '--out', manifestPath],
      { timeout: 180_000, maxBuffer: 16 << 20 },
    ).catch((e) => {
      throw new Error(`bizkey deploy failed (${e.message.split('\n')[0]}):\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    });
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
    return { url, manifest, manifestPath, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
