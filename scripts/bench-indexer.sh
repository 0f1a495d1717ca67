#!/usr/bin/env bash
# Indexer benchmark on a real node: generate a chain with N confirmed
# receipts (batched extrinsics), then time a full backfill on SQLite and on
# PostgreSQL (blocks/s, contract events/s, peak memory), then the same
# backfill by a Subsquid squid (bench/squid) into its own PostgreSQL database
# with the ratios and a check that it holds what the indexer holds, then the
# live lag while ~100 receipts/s are submitted.
#
# Usage: scripts/bench-indexer.sh [RECEIPTS]   (default 10000)
#   BENCH_DIR keeps the node's chain and the manifest (default a temp dir);
#   a BENCH_DIR with a chain already generated is reused.
#   BIZKEY_TEST_PG_URL (or scripts/postgres.sh) gives the PostgreSQL server.
#   BENCH_SQUID=0 skips the squid (it needs Node.js and `npm ci`).
#   BENCH_BEFORE=path/to/bizkey-indexer-bench (an older build) also runs its
#   backfills on the same chain first, for a before/after in one run.
#   BENCH_FUNDER (default //Alice) funds the live run's accounts: a reused
#   chain's //Alice runs dry after a few live runs (//Bob, //Charlie, …).
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
before=""
if [ -n "${BENCH_BEFORE:-}" ]; then
  # The older binary first, into databases of its own, on the same chain.
  log "before ($BENCH_BEFORE): backfill into SQLite"
  b_sqlite=$(/usr/bin/time -f 'max RSS %M KiB' "$BENCH_BEFORE" backfill --manifest "$manifest" \
    --database-url "sqlite://$dir/before-$$.db?mode=rwc" 2>&1 | grep -E 'backfill|max RSS' | tr '\n' ' ')
  rm -f "$dir/before-$$.db"*
  log "before: $b_sqlite"
  psql "$pg" -qc "CREATE DATABASE bizkey_before_$$" >/dev/null
  log "before ($BENCH_BEFORE): backfill into PostgreSQL"
  b_postgres=$(/usr/bin/time -f 'max RSS %M KiB' "$BENCH_BEFORE" backfill --manifest "$manifest" \
    --database-url "${pg%/*}/bizkey_before_$$" 2>&1 | grep -E 'backfill|max RSS' | tr '\n' ' ')
  psql "$pg" -qc "DROP DATABASE bizkey_before_$$" >/dev/null || true
  log "before: $b_postgres"
  before="before: $b_sqlite / $b_postgres"
fi
db="$dir/index-$$.db"
log "backfill into SQLite"
sqlite=$(run backfill --manifest "$manifest" --database-url "sqlite://$db?mode=rwc" 2>&1 | grep -E 'backfill|max RSS' | tr '\n' ' ')
log "$sqlite"
name="bizkey_bench_$$"
psql "$pg" -qc "CREATE DATABASE $name" >/dev/null
log "backfill into PostgreSQL"
postgres=$(run backfill --manifest "$manifest" --database-url "${pg%/*}/$name" 2>&1 | grep -E 'backfill|max RSS' | tr '\n' ' ')
log "$postgres"
squid=""
if [ "${BENCH_SQUID:-1}" != 0 ]; then
  command -v npm >/dev/null || { log "the squid needs Node.js and npm (scripts/setup.sh), or BENCH_SQUID=0"; exit 1; }
  squid_db="bizkey_squid_$$"
  squid_url="${pg%/*}/$squid_db"
  psql "$pg" -qc "CREATE DATABASE $squid_db" >/dev/null
  (
    cd bench/squid
    # npm ci only when the lock file changed, tsc only when the sources did.
    lock=$(sha256sum package-lock.json | cut -d' ' -f1)
    if [ "$(cat node_modules/.bizkey-lock 2>/dev/null)" != "$lock" ]; then
      log "squid: npm ci"
      npm ci --no-audit --no-fund --loglevel=error >&2
      echo "$lock" > node_modules/.bizkey-lock
    fi
    src=$(cat tsconfig.json src/*.ts | sha256sum | cut -d' ' -f1)
    if [ "$(cat lib/.bizkey-src 2>/dev/null)" != "$src" ]; then
      rm -rf lib && node_modules/.bin/tsc -p . >&2 && echo "$src" > lib/.bizkey-src
    fi
    DB_URL="$squid_url" node_modules/.bin/squid-typeorm-migration apply >"$dir/squid-migration.log" 2>&1 ||
      { log "the squid's migration failed: see $dir/squid-migration.log"; exit 1; }
  )
  log "backfill by the squid into PostgreSQL"
  squid=$(cd bench/squid && BIZKEY_MANIFEST="$manifest" DB_URL="$squid_url" \
    /usr/bin/time -f 'max RSS %M KiB' node lib/main.js 2>"$dir/squid.log" | grep -E '^backfill' | tr '\n' ' ') \
    || { log "the squid failed: see $dir/squid.log"; tail -5 "$dir/squid.log" >&2; psql "$pg" -qc "DROP DATABASE $squid_db" >/dev/null; exit 1; }
  squid="$squid$(grep -E '^max RSS' "$dir/squid.log" | tr '\n' ' ')"
  log "$squid"
  # The squid's tables against the indexer's: the same blocks, events,
  # receipts (with their statuses, parties and amounts) and status changes.
  tally() {
    psql "$1" -XAtF' ' -c "SELECT 'blocks', count(*) FROM blocks" \
      -c "SELECT 'events', count(*) FROM events" \
      -c "SELECT 'receipts', count(*) FROM receipts" \
      -c "SELECT 'receipts.' || status, count(*) FROM receipts GROUP BY status ORDER BY status" \
      -c "SELECT 'status_changes', count(*) FROM receipt_status_history" \
      -c "SELECT 'receipts_md5', md5(coalesce(string_agg(concat_ws(' ', id, merchant, customer, amount, status), ',' ORDER BY id::bigint), '')) FROM receipts"
  }
  ours=$(tally "${pg%/*}/$name" | tr '\n' ' ')
  theirs=$(tally "$squid_url" | tr '\n' ' ')
  psql "$pg" -qc "DROP DATABASE $squid_db" >/dev/null || true
  if [ "$ours" != "$theirs" ]; then
    log "check FAILED: the squid's tables differ from the indexer's"
    log "indexer: $ours"
    log "squid:   $theirs"
    psql "$pg" -qc "DROP DATABASE $name" >/dev/null || true
    exit 1
  fi
  check="check: the squid's tables equal the indexer's PostgreSQL tables: ${ours% }"
  log "$check"
  # blocks/s and events/s of each run, the indexer's over the squid's.
  ratio=$(python3 - "$sqlite" "$postgres" "$squid" <<'EOF'
import re, sys
def rates(line):
    m = re.search(r"([0-9.]+) blocks/s, ([0-9.]+) events/s", line)
    return float(m.group(1)), float(m.group(2))
(sb, se), (pb, pe), (qb, qe) = (rates(line) for line in sys.argv[1:4])
print(f"indexer/squid: SQLite {sb / qb:.2f}x blocks/s, {se / qe:.2f}x events/s; "
      f"PostgreSQL {pb / qb:.2f}x blocks/s, {pe / qe:.2f}x events/s (target >= 2x)")
EOF
)
  log "$ratio"
fi

log "live: 100 receipts/s for 30 s into SQLite"
live=$("$bench" live --manifest "$manifest" --database-url "sqlite://$db?mode=rwc" --rate 100 --seconds 30 \
  --funder "${BENCH_FUNDER:-//Alice}" 2>"$dir/live.err") || { log "live run failed: see $dir/live.err"; tail -3 "$dir/live.err" >&2; exit 1; }
psql "$pg" -qc "DROP DATABASE $name" >/dev/null || true

{
  echo "- chain: $(cat "$dir/generate.txt" 2>/dev/null || echo reused)"
  [ -z "$before" ] || echo "- $before"
  echo "- $sqlite"
  echo "- $postgres"
  if [ -n "$squid" ]; then
    echo "- $squid"
    echo "- $ratio"
    echo "- $check"
  fi
  echo "- $live"
  echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$dir/results.md"
