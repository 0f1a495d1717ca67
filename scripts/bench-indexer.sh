#!/usr/bin/env bash
# Indexer benchmark on a real node: generate a chain with N confirmed
# receipts (batched extrinsics), then time a full backfill on SQLite and on
# PostgreSQL (blocks/s, contract events/s, peak memory), then the live lag
# while ~100 receipts/s are submitted.
#
# Usage: scripts/bench-indexer.sh [RECEIPTS]   (default 10000)
#   BENCH_DIR keeps the node's chain and the manifest (default a temp dir);
#   a BENCH_DIR with a chain already generated is reused.
#   BIZKEY_TEST_PG_URL (or scripts/postgres.sh) gives the PostgreSQL server.
# Prints the figures and writes them to $BENCH_DIR/results.md.
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$BIZKEY_ROOT"
receipts="${1:-10000}"
dir="${BENCH_DIR:-$(mktemp -d /tmp/bizkey-bench.XXXXXX)}"
mkdir -p "$dir"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$SERVICES_TARGET_DIR}"
log() { printf '\033[1m[bench]\033[0m %s\n' "$*" >&2; }

cargo build -j2 --release -p bizkey-indexer --features loadgen --bin bizkey-indexer-bench >&2
bench="$CARGO_TARGET_DIR/release/bizkey-indexer-bench"
contracts="$(BIZKEY_CONTRACTS_DIR="${BIZKEY_CONTRACTS_DIR:-}" scripts/build-contracts.sh biz_token time_token registry ledger)"
pg="${BIZKEY_TEST_PG_URL:-$(scripts/postgres.sh)}"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$CONTRACTS_NODE" --dev --base-path "$dir/node" --state-pruning archive --finalize-delay-sec 1 --rpc-port "$port" \
  --rpc-max-connections 1000 >"$dir/node.log" 2>&1 &
node_pid=$!
trap 'kill $node_pid 2>/dev/null || true' EXIT
url="ws://127.0.0.1:$port"
# A reused chain takes a while to open; nothing below retries its first call.
for _ in $(seq 120); do
  curl -sf -m 2 -H 'Content-Type: application/json' \
    -d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' \
    "http://127.0.0.1:$port" >/dev/null 2>&1 && break
  kill -0 $node_pid 2>/dev/null || { log "the node exited: see $dir/node.log"; exit 1; }
  sleep 1
done

manifest="$dir/manifest.json"
if [ ! -f "$manifest" ]; then
  log "generating $receipts receipts"
  "$bench" generate --node-url "$url" --contracts-dir "$contracts" --manifest "$manifest" \
    --receipts "$receipts" | tee "$dir/generate.txt"
else
  log "reusing the chain in $dir"
  # The node listens on a new port: point the manifest at it.
  python3 - "$manifest" "$url" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1])); m["node_url"] = sys.argv[2]; json.dump(m, open(sys.argv[1], "w"), indent=2)
EOF
fi

run() { /usr/bin/time -f 'max RSS %M KiB' "$bench" "$@"; }
db="$dir/index-$$.db"
log "backfill into SQLite"
sqlite=$(run backfill --manifest "$manifest" --database-url "sqlite://$db?mode=rwc" 2>&1 | grep -E 'backfill|max RSS' | tr '\n' ' ')
name="bizkey_bench_$$"
psql "$pg" -qc "CREATE DATABASE $name" >/dev/null
log "backfill into PostgreSQL"
postgres=$(run backfill --manifest "$manifest" --database-url "${pg%/*}/$name" 2>&1 | grep -E 'backfill|max RSS' | tr '\n' ' ')
log "live: 100 receipts/s for 30 s into SQLite"
live=$("$bench" live --manifest "$manifest" --database-url "sqlite://$db?mode=rwc" --rate 100 --seconds 30 2>"$dir/live.err") || { log "live run failed: see $dir/live.err"; tail -3 "$dir/live.err" >&2; exit 1; }
psql "$pg" -qc "DROP DATABASE $name" >/dev/null || true

{
  echo "- chain: $(cat "$dir/generate.txt" 2>/dev/null || echo reused)"
  echo "- $sqlite"
  echo "- $postgres"
  echo "- $live"
} | tee "$dir/results.md"
