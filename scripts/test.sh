#!/usr/bin/env bash
# The whole test suite, on a fresh machine of this kind or an old one.
# Installs what it needs first (idempotent), then: formatting and lints of
# both workspaces, the contracts' unit, property and ink_e2e tests against
# substrate-contracts-node, the services' tests against a real node, a
# real SQLite file and a real PostgreSQL server, the dApp tests
# (tests/, Node.js and @polkadot/api-contract) against a dev node, and the
# pages (dapp/) in headless Chromium against a node, the indexer and the API.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$BIZKEY_ROOT"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
started=$(date +%s)

step "set-up"
scripts/setup.sh
source scripts/env.sh  # again: set-up may have just created the venv (ORT_DYLIB_PATH)

step "PostgreSQL on loopback"
BIZKEY_TEST_PG_URL=$(scripts/postgres.sh)
export BIZKEY_TEST_PG_URL

# Cargo builds everything once per workspace; `--all-targets` on clippy and
# the test run share the same artefacts.
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-always}"
jobs=$(nproc)

step "contracts: fmt, clippy"
(
  export CARGO_TARGET_DIR="$CONTRACTS_TARGET_DIR"
  cd contracts
  cargo fmt --all -- --check
  cargo clippy -j"$jobs" --workspace --all-targets --features e2e-tests -- -D warnings
)

step "contracts: unit, property and e2e tests (ink_e2e against the node)"
(
  export CARGO_TARGET_DIR="$CONTRACTS_TARGET_DIR"
  cd contracts
  cargo test -j"$jobs" --no-fail-fast --workspace --features e2e-tests
)

step "contracts: release builds (cargo-contract)"
scripts/build-contracts.sh

step "services: fmt, clippy"
(
  export CARGO_TARGET_DIR="$SERVICES_TARGET_DIR"
  cargo fmt --all -- --check
  cargo clippy -j"$jobs" --workspace --all-targets -- -D warnings
)

step "services: tests (real node, SQLite file, PostgreSQL)"
(
  export CARGO_TARGET_DIR="$SERVICES_TARGET_DIR"
  cargo test -j"$jobs" --no-fail-fast --workspace
)

step "dApp tests: @polkadot/api-contract against a fresh dev node (tests/)"
(
  # The suite starts its own node and deploys with the CLI the services'
  # tests just built (a no-op build unless they did not).
  CARGO_TARGET_DIR="$SERVICES_TARGET_DIR" cargo build -j"$jobs" -p bizkey-chain --features day --bin bizkey
  cd tests
  npm ci --no-audit --no-fund
  BIZKEY_BIN="$SERVICES_TARGET_DIR/debug/bizkey" node --test
)

step "dApp pages: Chromium against a dev node, the indexer and the API (dapp/)"
(
  # The pages' test runs the indexer and the API the services' tests built
  # (cargo builds a package's binaries for its integration tests; no
  # `cargo build -p` here, whose narrower feature set would rebuild them;
  # BIZKEY_INDEXER_BIN / BIZKEY_GRAPHQL_BIN override them), deploys with the
  # CLI the step above built, builds the pages itself and drives Debian's
  # Chromium.
  cd dapp
  npm ci --no-audit --no-fund
  npx tsc --noEmit
  BIZKEY_BIN="$SERVICES_TARGET_DIR/debug/bizkey" node --test tests/
)

step "all green in $(( $(date +%s) - started ))s"
