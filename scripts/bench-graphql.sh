#!/usr/bin/env bash
# GraphQL benchmark: bizkey-graphql against PostGraphile v4 (with the
# connection-filter plugin) on the same PostgreSQL database, the same five
# queries (bench/graphql/queries), one load generator (bizkey-graphql-bench).
#
# Steps: release builds and `npm ci`; a fresh database seeded with the
# deterministic index; both servers on loopback; per query and server a
# warm-up, then a closed loop (max requests/s at BENCH_CONCURRENCY in
# flight), then per query and server an open loop at BENCH_RATE requests/s
# (p99 at a fixed rate). Peak RSS is each server's VmHWM at the end.
#
# Usage: scripts/bench-graphql.sh
#   BENCH_DURATION_S (10), BENCH_WARMUP_S (2), BENCH_CONCURRENCY (16),
#   BENCH_RATE (200), BENCH_KEYS (many: queries 1, 2, 4 cycle through
#   several merchants/customers/proposals; one: the same key every time),
#   BENCH_DIR (raw JSON, logs; default a temp dir),
#   BENCH_KEEP_DB=1 keeps the database; BENCH_QUERIES ("1 2 3 4 5": which
#   queries to load); BENCH_SERVER_BIN (a bizkey-graphql binary built
#   before, e.g. of an earlier commit, instead of building this tree's);
#   BENCH_SERVER_ARGS (more flags for it); BENCH_TOOL_BIN (a
#   bizkey-graphql-bench built before: no build, e.g. while another build
#   holds the target dir); BIZKEY_TEST_PG_URL or
#   scripts/postgres.sh gives the PostgreSQL server. The machine is shared:
#   a pair of runs during which other processes used more than
#   BENCH_MAX_OTHER_CPU % (10) of it is repeated, BENCH_REPEATS (6) times
#   at most per script run.
# Progress on stderr; the figures as Markdown on stdout (and in
# $BENCH_DIR/results.md).
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$BIZKEY_ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$SERVICES_TARGET_DIR}"
duration="${BENCH_DURATION_S:-10}"
warmup="${BENCH_WARMUP_S:-2}"
concurrency="${BENCH_CONCURRENCY:-16}"
rate="${BENCH_RATE:-200}"
keys="${BENCH_KEYS:-many}"
case "$keys" in one | many) ;; *) echo "BENCH_KEYS is one or many" >&2; exit 1 ;; esac
read -r -a selected <<<"${BENCH_QUERIES:-1 2 3 4 5}"
for n in "${selected[@]}"; do
  case "$n" in [1-5]) ;; *) echo "BENCH_QUERIES lists queries 1 to 5" >&2; exit 1 ;; esac
done
read -r -a server_args <<<"${BENCH_SERVER_ARGS:-}"
dir="${BENCH_DIR:-$(mktemp -d /tmp/bizkey-gqlbench.XXXXXX)}"
mkdir -p "$dir"
queries="$BIZKEY_ROOT/bench/graphql/queries"
log() { printf '\033[1m[bench]\033[0m %s\n' "$*" >&2; }

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  log "node and npm are needed for PostGraphile: apt-get install -y nodejs npm"
  exit 1
fi
for tool in curl jq python3 psql /usr/bin/time; do
  command -v "$tool" >/dev/null || { log "$tool is needed"; exit 1; }
done

log "release builds"
# Separately, so that the server's features are not unified with the bench's.
if [ -n "${BENCH_SERVER_BIN:-}" ]; then
  server_bin="$BENCH_SERVER_BIN"
  built_from="the binary $server_bin (given by BENCH_SERVER_BIN)"
else
  cargo build -j2 --release -p bizkey-graphql >&2
  # What was built (the tree may change while the benchmark runs).
  built_from="$(git rev-parse --short HEAD)"
  if [ -n "$(git status --porcelain -- graphql store)" ]; then
    built_from+=" with uncommitted changes in graphql/ or store/"
  fi
  server_bin="$CARGO_TARGET_DIR/release/bizkey-graphql"
fi
if [ -n "${BENCH_TOOL_BIN:-}" ]; then
  bench="$BENCH_TOOL_BIN"
else
  cargo build -j2 --release -p bizkey-graphql-bench >&2
  bench="$CARGO_TARGET_DIR/release/bizkey-graphql-bench"
fi
log "npm ci (PostGraphile $(node -p 'require("./bench/postgraphile/package.json").dependencies.postgraphile'))"
(cd bench/postgraphile && npm ci --no-audit --no-fund --loglevel=error >&2)

pg="${BIZKEY_TEST_PG_URL:-$(scripts/postgres.sh)}"
name="bizkey_gqlbench_$$"
url="${pg%/*}/$name"
biz_pid="" pgl_pid=""
cleanup() {
  for p in $biz_pid $pgl_pid; do kill "$p" 2>/dev/null || true; done
  for p in $biz_pid $pgl_pid; do wait "$p" 2>/dev/null || true; done
  if [ -z "${BENCH_KEEP_DB:-}" ]; then
    psql "$pg" -qc "DROP DATABASE IF EXISTS $name" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
psql "$pg" -qc "CREATE DATABASE $name" >/dev/null
log "seeding $url"
"$bench" seed --database-url "$url" >"$dir/seed.json"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
biz_port=$(free_port)
pgl_port=$(free_port)
"$server_bin" --database-url "$url" --listen "127.0.0.1:$biz_port" "${server_args[@]}" >"$dir/bizkey.log" 2>&1 &
biz_pid=$!
# exec: the PID is node's own, for its RSS and CPU time.
(cd bench/postgraphile && NODE_ENV=production exec node_modules/.bin/postgraphile \
  -c "$url" --append-plugins postgraphile-plugin-connection-filter \
  --host 127.0.0.1 --port "$pgl_port" --disable-query-log --disable-graphiql \
  --max-pool-size 16) >"$dir/postgraphile.log" 2>&1 &
pgl_pid=$!
declare -A endpoint=([bizkey]="http://127.0.0.1:$biz_port/graphql" [postgraphile]="http://127.0.0.1:$pgl_port/graphql")
declare -A pid=([bizkey]=$biz_pid [postgraphile]=$pgl_pid)
for s in bizkey postgraphile; do
  for _ in $(seq 120); do
    curl -sf -m 2 -H 'Content-Type: application/json' -d '{"query":"{__typename}"}' \
      "${endpoint[$s]}" >/dev/null 2>&1 && break
    kill -0 "${pid[$s]}" 2>/dev/null || { log "$s exited: see $dir/$s.log"; tail -5 "$dir/$s.log" >&2; exit 1; }
    sleep 0.5
  done
  curl -sf -m 2 -H 'Content-Type: application/json' -d '{"query":"{__typename}"}' "${endpoint[$s]}" >/dev/null \
    || { log "$s did not answer: see $dir/$s.log"; exit 1; }
done
log "both servers up (bizkey :$biz_port, PostGraphile :$pgl_port)"

# Request bodies: the queries with the seed's fixtures as variables, one
# body per line. With BENCH_KEYS=many (the default) queries 1, 2 and 4 cycle
# through the 10 busiest merchants, 16 customers and 20 proposals, so that concurrent
# requests do not ask for the same rows (bizkey's batch loaders are shared
# by all requests and would serve identical concurrent lookups with one
# statement); BENCH_KEYS=one sends merchant 0, customer 7 and proposal 5
# every time. Query 3's cursor comes from each server's own first page;
# PostGraphile's query 5 lists the merchants of the 20 latest receipts.
# Every body is sent once to both servers (no errors; the list items and
# JSON sizes of both answers are printed).
python3 - "$dir" "$queries" "${endpoint[bizkey]}" "${endpoint[postgraphile]}" "$keys" <<'EOF' >&2
import json, re, sys, urllib.error, urllib.request
out, qdir, biz, pgl, keys = sys.argv[1:]
fx = json.load(open(f"{out}/seed.json"))["fixtures"]
def post(url, body):
    req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    try:
        r = json.load(urllib.request.urlopen(req, timeout=30))
    except urllib.error.HTTPError as e:
        sys.exit(f"{url}: HTTP {e.code}: {e.read()[:600]!r}")
    if "errors" in r or r.get("data") is None:
        sys.exit(f"{url}: {json.dumps(r)[:600]}")
    return r["data"]
q = lambda n, s: open(f"{qdir}/q{n}.{s}.graphql").read()
many = keys == "many"
merchants = fx["busiest"] if many else [fx["merchant"]]
customers = fx["customers"] if many else [fx["customer"]]
proposals = fx["proposals"] if many else [fx["proposal"]]
bodies = {
    ("1", "bizkey"): [{"query": q(1, "bizkey"), "variables": {"merchant": m, "from": fx["from"], "to": fx["to"]}} for m in merchants],
    ("1", "postgraphile"): [{"query": q(1, "postgraphile"), "variables": {"merchant": m, "from": str(fx["from"]), "to": str(fx["to"])}} for m in merchants],
    ("2", "bizkey"): [{"query": q(2, "bizkey"), "variables": {"account": c}} for c in customers],
    ("2", "postgraphile"): [{"query": q(2, "postgraphile"), "variables": {"account": c}} for c in customers],
    ("4", "bizkey"): [{"query": q(4, "bizkey"), "variables": {"id": p}} for p in proposals],
    ("4", "postgraphile"): [{"query": q(4, "postgraphile"), "variables": {"id": str(p)}} for p in proposals],
    ("5", "bizkey"): [{"query": q(5, "bizkey")}],
}
for s, url in (("bizkey", biz), ("postgraphile", pgl)):
    v = {"merchants": fx["merchants"], "min": fx["min_amount"], "after": None}
    first = post(url, {"query": q(3, s), "variables": v})
    conn = first["receipts" if s == "bizkey" else "allReceipts"]
    v["after"] = conn["pageInfo"]["endCursor"]
    bodies[("3", s)] = [{"query": q(3, s), "variables": v}]
latest = post(pgl, {"query": "{ allReceipts(first: 20, orderBy: ID_DESC) { nodes { merchant } } }"})
ms = list(dict.fromkeys(n["merchant"] for n in latest["allReceipts"]["nodes"]))
per = "\n".join(f'  m{i}: allReceipts(condition: {{ merchant: "{m}" }}, first: 5, orderBy: ID_DESC) {{ nodes {{ id amount customer confirmedAt }} }}' for i, m in enumerate(ms))
q5 = re.sub(r"^  #PER_MERCHANT$", lambda _: per, q(5, "postgraphile"), count=1, flags=re.M)
bodies[("5", "postgraphile")] = [{"query": q5, "variables": {"merchants": ms}}]

def rows(x):
    """Items of every list in an answer, nested ones included."""
    if isinstance(x, list):
        return len(x) + sum(rows(i) for i in x)
    if isinstance(x, dict):
        return sum(rows(i) for i in x.values())
    return 0
for n in "12345":
    counts = {}
    for s, url in (("bizkey", biz), ("postgraphile", pgl)):
        with open(f"{out}/q{n}.{s}.body.json", "w") as f:
            f.writelines(json.dumps(b) + "\n" for b in bodies[(n, s)])
        answers = [post(url, b) for b in bodies[(n, s)]]
        json.dump(answers, open(f"{out}/q{n}.{s}.answers.json", "w"), indent=1)
        counts[s] = (sum(map(rows, answers)), sum(len(json.dumps(d, separators=(",", ":"))) for d in answers))
    k = len(bodies[(n, "bizkey")])
    print(f"query {n}, {k} bod{'y' if k == 1 else 'ies'}: list items bizkey {counts['bizkey'][0]} / "
          f"PostGraphile {counts['postgraphile'][0]}; JSON bytes {counts['bizkey'][1]} / {counts['postgraphile'][1]}")
print(f"query 5: {len(ms)} distinct merchants among the 20 latest receipts")
EOF

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
cores=$(nproc)
# Busy ticks of the whole machine, and of PostgreSQL's processes (with
# their waited-for children: the postmaster's count keeps the ticks of
# backends that exited, such as a pool's idle connections).
busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
pg_ticks() {
  local t=0 p
  for p in $(pgrep -x postgres); do t=$((t + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
  echo "$t"
}
# run NAME SERVER QUERY [load args…]: one load run's JSON in $dir/NAME.json,
# plus the server's CPU time during the run (cpu_ms) and the share of the
# machine that processes outside the benchmark used meanwhile (other_cpu_pct:
# everything but both servers, PostgreSQL and the load generator; a
# disturbed run shows here, since the machine is shared).
run() {
  local run_name=$1 s=$2 n=$3
  shift 3
  local b0 s0 a0 p0 w0 b1 s1 a1 p1 w1 client
  b0=$(busy) s0=$(ticks "${pid[$s]}") a0=$(($(ticks "$biz_pid") + $(ticks "$pgl_pid"))) p0=$(pg_ticks) w0=$(date +%s%N)
  /usr/bin/time -f '%U %S' -o "$dir/$run_name.time" \
    "$bench" load --url "${endpoint[$s]}" --body "$dir/q$n.$s.body.json" "$@" >"$dir/$run_name.json.tmp" \
    || { log "load failed: $run_name"; cat "$dir/$run_name.json.tmp" >&2; exit 1; }
  b1=$(busy) s1=$(ticks "${pid[$s]}") a1=$(($(ticks "$biz_pid") + $(ticks "$pgl_pid"))) p1=$(pg_ticks) w1=$(date +%s%N)
  client=$(awk -v hz="$hz" '{printf "%d", ($1 + $2) * hz}' "$dir/$run_name.time")
  jq -c --argjson cpu "$(((s1 - s0) * 1000 / hz))" \
    --argjson other "$(((b1 - b0) - (a1 - a0) - (p1 - p0) - client))" \
    --argjson cap "$(((w1 - w0) / 1000000 * hz * cores / 1000))" \
    '. + {cpu_ms: $cpu, other_cpu_pct: ([0, $other * 100 / $cap] | max | . * 10 | round / 10)}' \
    "$dir/$run_name.json.tmp" >"$dir/$run_name.json"
  rm -f "$dir/$run_name.json.tmp" "$dir/$run_name.time"
}

# pair KIND QUERY: both servers back to back (closed: warm-up and closed
# loop; open: the fixed rate). A pair during which other processes used more
# than BENCH_MAX_OTHER_CPU % of the machine is run again, at most
# BENCH_REPEATS times in the whole run (the disturbed figures stay in $dir
# as disturbed-N.*.json).
max_other="${BENCH_MAX_OTHER_CPU:-10}"
repeats_left="${BENCH_REPEATS:-6}"
repeated=0
pair() {
  local kind=$1 n=$2 s other
  while true; do
    for s in bizkey postgraphile; do
      if [ "$kind" = closed ]; then
        log "query $n, $s: warm-up ${warmup}s, then ${duration}s closed loop at concurrency $concurrency"
        run "warmup.q$n.$s" "$s" "$n" --concurrency "$concurrency" --duration-s "$warmup"
        run "closed.q$n.$s" "$s" "$n" --concurrency "$concurrency" --duration-s "$duration"
        log "  $(jq -r '"\(.rps | floor) req/s, p50 \(.p50_ms) ms, p99 \(.p99_ms) ms"' "$dir/closed.q$n.$s.json")"
      else
        log "query $n, $s: open loop at $rate req/s for ${duration}s"
        run "open.q$n.$s" "$s" "$n" --concurrency "$concurrency" --duration-s "$duration" --rate "$rate"
        log "  $(jq -r '"p50 \(.p50_ms) ms, p99 \(.p99_ms) ms, max \(.max_ms) ms"' "$dir/open.q$n.$s.json")"
      fi
    done
    other=$(jq -s 'map(.other_cpu_pct) | max' "$dir/$kind.q$n.bizkey.json" "$dir/$kind.q$n.postgraphile.json")
    if jq -en --argjson o "$other" --argjson m "$max_other" '$o > $m' >/dev/null && [ "$repeats_left" -gt 0 ]; then
      repeats_left=$((repeats_left - 1)) repeated=$((repeated + 1))
      log "  other processes used $other % of the machine meanwhile: once more in 5 s"
      for s in bizkey postgraphile; do mv "$dir/$kind.q$n.$s.json" "$dir/disturbed-$repeated.$kind.q$n.$s.json"; done
      sleep 5
      continue
    fi
    break
  done
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for n in "${selected[@]}"; do pair closed "$n"; done
for n in "${selected[@]}"; do pair open "$n"; done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
hwm() { awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
biz_rss=$(hwm "$biz_pid")
pgl_rss=$(hwm "$pgl_pid")

names=("" "merchant page + 1h of 1m candles" "account page" "receipt list, filters, cursor" "proposal + votes" "receipts → merchant → receipts")
{
  echo "| query | bizkey req/s | PostGraphile req/s | ratio | bizkey p50 / p99 ms | PostGraphile p50 / p99 ms | bizkey p99 @ $rate req/s | PostGraphile p99 @ $rate req/s | server CPU ms/req bizkey / PostGraphile |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for n in "${selected[@]}"; do
    # An open loop that fell behind shows the rate it reached.
    jq -rs --arg q "$n. ${names[$n]}" --argjson rate "$rate" '
      def f2: (. * 100 | round) / 100;
      def fixed: "\(.p99_ms | f2)" + (if .rps < 0.98 * $rate then " (only \(.rps | round) req/s)" else "" end);
      (.[0]) as $b | (.[1]) as $p | (.[2]) as $bo | (.[3]) as $po |
      "| \($q) | \($b.rps | round) | \($p.rps | round) | \(($b.rps / $p.rps) | f2)× | \($b.p50_ms | f2) / \($b.p99_ms | f2) | \($p.p50_ms | f2) / \($p.p99_ms | f2) | \($bo | fixed) | \($po | fixed) | \(($b.cpu_ms / $b.requests) | f2) / \(($p.cpu_ms / $p.requests) | f2) |"' \
      "$dir/closed.q$n.bizkey.json" "$dir/closed.q$n.postgraphile.json" \
      "$dir/open.q$n.bizkey.json" "$dir/open.q$n.postgraphile.json"
  done
  echo
  echo "- peak RSS (VmHWM after all runs): bizkey-graphql $biz_rss MiB, PostGraphile (node) $pgl_rss MiB"
  echo "- keys: $keys ($( [ "$keys" = many ] && echo 'queries 1, 2, 4 cycle through the 10 busiest merchants, 16 customers, 20 proposals' || echo 'the same merchant, customer and proposal in every request'))"
  echo "- closed loop: $concurrency requests in flight for ${duration} s after a ${warmup} s warm-up; open loop: $rate req/s for ${duration} s (latency from each request's due time)"
  echo "- pairs run again because other processes used more than $max_other % of the machine: $repeated"
  echo "- CPU used outside the benchmark during the kept runs (other processes on the shared machine): $(jq -rs '
    "mean \((map(.other_cpu_pct) | add / length * 10 | round) / 10) %, max \(map(.other_cpu_pct) | max) % of the \('"$cores"') cores"' \
    "$dir"/closed.*.json "$dir"/open.*.json)"
  echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), load average before/after (the benchmark itself loads both cores): $load_before / $load_after; node $(node --version), PostgreSQL $(psql "$pg" -tAc 'SHOW server_version' | cut -d' ' -f1)"
  echo "- bizkey-graphql built from $built_from${server_args[*]:+, run with ${server_args[*]}}"
  echo "- rows: $(jq -c '.rows' "$dir/seed.json"); raw figures in $dir"
} | tee "$dir/results.md"
