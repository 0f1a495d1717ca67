#!/usr/bin/env bash
# The main job: a local dev chain with the Bizkey suite deployed and wired,
# the indexer following it into SQLite, the GraphQL API over that index, and
# a scripted day (sales, claims, a governance vote, a task) whose receipt
# details are uploaded through the API; prints balances, locks, each
# merchant's BizPower, the vote and the task, then the API's URL with an
# example query and its answer. Installs what it needs first (idempotent).
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

step "dApp pages (dapp/dist)"
scripts/build-dapp.sh

step "services"
CARGO_TARGET_DIR="$SERVICES_TARGET_DIR" cargo build --release -p bizkey-chain -p bizkey-indexer -p bizkey-graphql --features bizkey-chain/day
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

api="http://127.0.0.1:${BIZKEY_GRAPHQL_PORT:-8080}"
step "GraphQL API → $api"
for _ in $(seq 1 100); do [ -e "$run_dir/bizkey.sqlite" ] && break; sleep 0.1; done
"$bin/bizkey-graphql" --database-url "sqlite://$run_dir/bizkey.sqlite?mode=rw" \
  --listen "127.0.0.1:${BIZKEY_GRAPHQL_PORT:-8080}" \
  --dapp-dir "$BIZKEY_ROOT/dapp/dist" --manifest "$run_dir/deployment.json" >"$run_dir/graphql.log" 2>&1 &
pids+=($!)

step "a day of sales"
"$bin/bizkey" day --manifest "$run_dir/deployment.json" --details-out "$run_dir/details.jsonl"

step "receipt details → $api/graphql (accepted when they hash to the on-chain detail_hash)"
# The till uploads each detail once the index has its receipt.
uploaded=0
while read -r body; do
  for _ in $(seq 1 50); do
    answer=$(curl -sS -H 'content-type: application/json' -d "$body" "$api/graphql")
    case "$answer" in
      *'"detailHash"'*) uploaded=$((uploaded + 1)); break ;;
      *'NOT_INDEXED'*) sleep 0.2 ;;
      *) echo "upload refused: $answer" >&2; break ;;
    esac
  done
done <"$run_dir/details.jsonl"
echo "$uploaded of $(wc -l <"$run_dir/details.jsonl") details attached"

if ! kill -0 "${pids[0]}" 2>/dev/null; then
  echo "the indexer stopped; the end of its log:" >&2
  tail -20 "$run_dir/indexer.log" >&2
  exit 1
fi

for pid in "${pids[@]}"; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "a service stopped; see $run_dir/indexer.log and $run_dir/graphql.log" >&2
    exit 1
  fi
done

example='{ merchants(first: 2, orderBy: NAME_ASC) { nodes { name status bizpower receipts(first: 1) { totalCount nodes { id amount status detail fraudScore { score } } } } } indexerStatus { indexedHeight lag } }'
echo
echo "Chain: $node_url   manifest: $run_dir/deployment.json   SQL: $run_dir/bizkey.sqlite"
echo "Indexer: health and Prometheus metrics on http://127.0.0.1:9616 (/health, /metrics), log $run_dir/indexer.log."
echo "GraphQL: $api/graphql (GraphiQL: $api/, subscriptions: ws://${api#http://}/graphql/ws, metrics: $api/metrics)"
echo
echo "Example query: $example"
curl -sS -H 'content-type: application/json' \
  -d "$(python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "$example")" \
  "$api/graphql" | python3 -m json.tool
echo
echo "Act as a user with the CLI (docs/cli.md), e.g. Bob's balances and a sale by a day merchant:"
echo "  export BIZKEY_MANIFEST=$run_dir/deployment.json"
echo "  $bin/bizkey query balance 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
echo "  BIZKEY_SURI=//Alice//bizkey/7/merchant/0 $bin/bizkey merchant record --customer 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty --amount 4.50 --index $api"
echo "  BIZKEY_SURI=//Bob $bin/bizkey customer confirm <receipt id>"
echo
echo "The pages (sign with a Polkadot wallet extension, or add ?dev to use the dev accounts on this local chain):"
echo "  customer wallet:   $api/app/wallet/      e.g. Bob's: $api/app/wallet/?dev&account=5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
echo "  merchant console:  $api/app/console/     e.g. $api/app/console/?dev (register a shop; //Alice, the admin, verifies it)"
echo "Press Ctrl-C to stop."
wait
