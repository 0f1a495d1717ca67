#!/usr/bin/env bash
# Installs everything Bizkey needs on a fresh Debian machine of this kind.
# Idempotent: a second run only checks.
# Usage: scripts/setup.sh [--no-postgres] [--no-python] [--no-chromium]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

want_postgres=1
want_python=1
want_chromium=1
for arg in "$@"; do
  case "$arg" in
    --no-postgres) want_postgres=0 ;;
    --no-python) want_python=0 ;;
    --no-chromium) want_chromium=0 ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
mkdir -p "$BIZKEY_CACHE/bin"

# --- Rust toolchains -------------------------------------------------------
# The services' and the contracts' toolchains are pinned by their
# rust-toolchain.toml files; rustup installs what they name.
services_tc=$(sed -n 's/^channel = "\(.*\)"/\1/p' "$BIZKEY_ROOT/rust-toolchain.toml")
contracts_tc=$(sed -n 's/^channel = "\(.*\)"/\1/p' "$BIZKEY_ROOT/contracts/rust-toolchain.toml")
for tc in "$services_tc" "$contracts_tc"; do
  if ! rustup run "$tc" rustc --version >/dev/null 2>&1; then
    log "installing Rust $tc"
    rustup toolchain install "$tc" --profile minimal
  fi
done
rustup component add --toolchain "$services_tc" clippy rustfmt >/dev/null 2>&1
rustup component add --toolchain "$contracts_tc" rust-src clippy rustfmt >/dev/null 2>&1
rustup target add --toolchain "$contracts_tc" wasm32-unknown-unknown >/dev/null 2>&1

# --- cargo-contract 5.0.3 and substrate-contracts-node 0.42.0 ---------------
# Prebuilt binaries next to the checkout are used when present: building
# the node takes hours on two cores.
install_tool() { # name version cargo-package [extra cargo-install args...]
  local name=$1 version=$2 package=$3
  shift 3
  local dest="$BIZKEY_CACHE/bin/$name"
  if [ -x "$dest" ] && "$dest" --version 2>/dev/null | grep -q "$version"; then
    return
  fi
  if [ -x "$BIZKEY_SHARED_BIN/$name" ] && "$BIZKEY_SHARED_BIN/$name" --version | grep -q "$version"; then
    log "using prebuilt $name $version from $BIZKEY_SHARED_BIN"
    ln -sf "$(cd "$BIZKEY_SHARED_BIN" && pwd)/$name" "$dest"
    return
  fi
  log "building $name $version from crates.io (slow)"
  "$@" cargo install "$package@$version" --locked --root "$BIZKEY_CACHE"
}
install_tool cargo-contract 5.0.3 cargo-contract env
install_node_from_source() {
  # The node's runtime Wasm must build with the crate's lock file and an old
  # enough toolchain (newer Rust rejects sp-io's panic handler).
  rustup toolchain install 1.81.0 --profile minimal --target wasm32-unknown-unknown -c rust-src >/dev/null
  local src="$BIZKEY_CACHE/src/contracts-node-0.42.0"
  if [ ! -d "$src" ]; then
    mkdir -p "$BIZKEY_CACHE/src"
    curl -sSfL https://crates.io/api/v1/crates/contracts-node/0.42.0/download | tar -xz -C "$BIZKEY_CACHE/src"
  fi
  WASM_BUILD_WORKSPACE_HINT="$src" WASM_BUILD_TOOLCHAIN=1.81.0 \
    cargo install --path "$src" --locked --root "$BIZKEY_CACHE"
}
if ! { [ -x "$CONTRACTS_NODE" ] && "$CONTRACTS_NODE" --version | grep -q 0.42.0; }; then
  if [ -x "$BIZKEY_SHARED_BIN/substrate-contracts-node" ]; then
    log "using prebuilt substrate-contracts-node from $BIZKEY_SHARED_BIN"
    ln -sf "$(cd "$BIZKEY_SHARED_BIN" && pwd)/substrate-contracts-node" "$BIZKEY_CACHE/bin/substrate-contracts-node"
  elif command -v substrate-contracts-node >/dev/null && substrate-contracts-node --version | grep -q 0.42.0; then
    ln -sf "$(command -v substrate-contracts-node)" "$BIZKEY_CACHE/bin/substrate-contracts-node"
  else
    log "building substrate-contracts-node 0.42.0 from crates.io (hours on two cores)"
    install_node_from_source
  fi
fi

# --- PostgreSQL (Debian's packages) ----------------------------------------
if [ "$want_postgres" = 1 ] && ! command -v pg_ctlcluster >/dev/null 2>&1; then
  log "installing PostgreSQL from Debian's packages"
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
fi

# --- Node.js for the dApp tests (tests/; Debian's packages) ----------------
if ! command -v node >/dev/null 2>&1; then
  log "installing Node.js and npm from Debian's packages"
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi

# --- Chromium for the pages' browser test (dapp/tests; Debian's packages) --
# playwright-core drives it through executablePath: Playwright's own browser
# download cannot run here.
if [ "${want_chromium:-1}" = 1 ] && ! [ -x /usr/bin/chromium ]; then
  log "installing Chromium from Debian's packages"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# --- Python venv for training and the ONNX Runtime library ----------------
if [ "$want_python" = 1 ] && [ -x "$BIZKEY_ROOT/models/setup.sh" ]; then
  "$BIZKEY_ROOT/models/setup.sh"
fi

log "ready: $(cargo-contract --version), $("$CONTRACTS_NODE" --version), node $(node --version)$([ -x /usr/bin/chromium ] && echo ", $(/usr/bin/chromium --version)")"
