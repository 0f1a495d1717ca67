#!/usr/bin/env bash
# A PostgreSQL 15 cluster on loopback for tests and local runs, under
# $BIZKEY_CACHE/pg (initdb once, start if not running, create the test
# database if missing). Idempotent; prints the database URL on stdout.
#
# Usage: scripts/postgres.sh [stop]
#   BIZKEY_PG_PORT (default 55432), BIZKEY_PG_DB (default bizkey_test).
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

bin=/usr/lib/postgresql/15/bin
dir="$BIZKEY_CACHE/pg"
data="$dir/data"
port="${BIZKEY_PG_PORT:-55432}"
db="${BIZKEY_PG_DB:-bizkey_test}"
user=bizkey

if [ ! -x "$bin/initdb" ]; then
  echo "postgres.sh: $bin/initdb not found (scripts/setup.sh installs postgresql-15)" >&2
  exit 1
fi

# The server refuses to run as root: run it as the owner of the data dir,
# a dedicated system user when we are root.
run_as=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" --shell /usr/sbin/nologin postgres
  mkdir -p "$dir"
  chown postgres "$dir"
  # It must reach $dir: grant traverse (x, not read) on the ancestors.
  d="$dir"
  while d="$(dirname "$d")" && [ "$d" != / ]; do
    [ -x "$d" ] && runuser -u postgres -- test -x "$d" || chmod o+x "$d"
  done
  run_as=(runuser -u postgres --)
fi
pg() { "${run_as[@]}" "$@"; }

if [ "${1:-}" = stop ]; then
  [ -f "$data/postmaster.pid" ] && pg "$bin/pg_ctl" -D "$data" -m fast -w stop >&2
  exit 0
fi

if [ ! -f "$data/PG_VERSION" ]; then
  pg "$bin/initdb" -D "$data" -U "$user" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >&2
fi

if ! pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  pg "$bin/pg_ctl" -D "$data" -w -t 60 -l "$dir/server.log" \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >&2
fi

if ! pg "$bin/psql" -h 127.0.0.1 -p "$port" -U "$user" -d postgres -tAc \
  "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
  pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U "$user" "$db" >&2
fi

echo "postgres://$user@127.0.0.1:$port/$db"
