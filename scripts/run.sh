#!/usr/bin/env bash
# The main job: a local dev chain with the Bizkey suite deployed and wired,
# the indexer following it into SQLite, and a scripted day (sales, claims, a
# governance vote, a task); prints balances, locks, each merchant's BizPower,
# the vote and the task. Installs what it needs first (idempotent).
# Stop everything with Ctrl-C.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$BIZKEY_ROOT"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run_dir="$BIZKEY_CACHE/run"
mkdir -p "$run_dir"

step "set-up"
scripts/setup.sh --no-postgres
source scripts/env.sh  # again: set-up may have just created the venv (ORT_DYLIB_PATH)

step "contracts (release builds)"
scripts/build-contracts.sh

step "services"
CARGO_TARGET_DIR="$SERVICES_TARGET_DIR" cargo build --release -p bizkey-chain -p bizkey-indexer
bin="$SERVICES_TARGET_DIR/release"

step "local dev node"
node_url=$(scripts/run-node.sh)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  scripts/run-node.sh --stop >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

step "deploy"
"$bin/bizkey" deploy --url "$node_url" --suri //Alice \
  --contracts-dir "$BIZKEY_CACHE/contracts" --out "$run_dir/deployment.json"

step "indexer → SQLite ($run_dir/bizkey.sqlite)"
rm -f "$run_dir/bizkey.sqlite"
"$bin/bizkey-indexer" --manifest "$run_dir/deployment.json" \
  --database-url "sqlite://$run_dir/bizkey.sqlite?mode=rwc" >"$run_dir/indexer.log" 2>&1 &
pids+=($!)

step "a day of sales"
"$bin/bizkey" day --manifest "$run_dir/deployment.json"

if ! kill -0 "${pids[0]}" 2>/dev/null; then
  echo "the indexer stopped; the end of its log:" >&2
  tail -20 "$run_dir/indexer.log" >&2
  exit 1
fi

echo
echo "Chain: $node_url   manifest: $run_dir/deployment.json   SQL: $run_dir/bizkey.sqlite"
echo "Indexer: health and Prometheus metrics on http://127.0.0.1:9616 (/health, /metrics), log $run_dir/indexer.log."
echo "Press Ctrl-C to stop."
wait
