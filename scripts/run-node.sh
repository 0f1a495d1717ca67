#!/usr/bin/env bash
# Starts a local dev chain: `$CONTRACTS_NODE --dev --tmp` on loopback, waits
# until its RPC answers, and prints its WebSocket URL on stdout. The pid file
# and the log are in $BIZKEY_CACHE/node/. A node this script already started
# and that still answers is reused.
#
# Block production is instant seal (one block per transaction); each block is
# finalized --finalize-delay-sec seconds later (see chain/src/lib.rs).
#
# Usage: scripts/run-node.sh [--port N] [--stop]
#   BIZKEY_NODE_PORT (default 9944) sets the port as well.
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

port="${BIZKEY_NODE_PORT:-9944}"
stop=0
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift ;;
    --stop) stop=1 ;;
    *) echo "run-node.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

dir="$BIZKEY_CACHE/node"
pidfile="$dir/node-$port.pid"
log="$dir/node-$port.log"
url="ws://127.0.0.1:$port"
mkdir -p "$dir"

answers() {
  curl -sf -m 2 -H 'Content-Type: application/json' \
    -d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' \
    "http://127.0.0.1:$port" >/dev/null 2>&1
}
running_pid() {
  [ -f "$pidfile" ] || return 1
  local pid
  pid=$(cat "$pidfile")
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

if [ $stop -eq 1 ]; then
  if pid=$(running_pid); then
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    echo "stopped node $pid on port $port" >&2
  fi
  rm -f "$pidfile"
  exit 0
fi

if running_pid >/dev/null && answers; then
  echo "$url"
  exit 0
fi
if answers; then
  echo "run-node.sh: port $port is taken by a process this script did not start" >&2
  exit 1
fi

[ -x "$CONTRACTS_NODE" ] || { echo "run-node.sh: no node at $CONTRACTS_NODE (run scripts/setup.sh)" >&2; exit 1; }
# setsid: the node outlives this script and a Ctrl-C in the caller's shell;
# `--stop` ends it.
setsid "$CONTRACTS_NODE" --dev --tmp --rpc-port "$port" --finalize-delay-sec 1 \
  >"$log" 2>&1 </dev/null &
echo $! >"$pidfile"
for _ in $(seq 1 240); do
  if answers; then
    echo "$url"
    exit 0
  fi
  if ! running_pid >/dev/null; then
    echo "run-node.sh: the node exited; last lines of $log:" >&2
    tail -20 "$log" >&2
    exit 1
  fi
  sleep 0.25
done
echo "run-node.sh: the node did not answer on port $port within 60 s (log: $log)" >&2
exit 1
