#!/usr/bin/env bash
# Release builds (cargo contract build --release) of every contract of the
# suite into $BIZKEY_CONTRACTS_DIR (default $BIZKEY_CACHE/contracts/<name>.contract).
#
# The suite is the `members` of contracts/Cargo.toml that are not under
# shared/. A contract is rebuilt only when its sources, the shared crates,
# the lock file or the toolchain changed (a content stamp beside the bundle).
#
# Usage: scripts/build-contracts.sh [--force] [NAME...]
#   prints the output directory on stdout; progress goes to stderr.
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$BIZKEY_ROOT/contracts"
# Called from the services' tests, cargo's environment names the services'
# toolchain (RUSTUP_TOOLCHAIN beats contracts/rust-toolchain.toml): drop it.
unset RUSTUP_TOOLCHAIN RUSTC RUSTDOC CARGO

out="${BIZKEY_CONTRACTS_DIR:-$BIZKEY_CACHE/contracts}"
force=0
names=()
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -*) echo "build-contracts.sh: unknown option $arg" >&2; exit 2 ;;
    *) names+=("$arg") ;;
  esac
done
if [ ${#names[@]} -eq 0 ]; then
  # The members array of the workspace, one quoted path per entry.
  mapfile -t names < <(
    sed -n '/^members *= *\[/,/\]/p' Cargo.toml | grep -o '"[^"]*"' | tr -d '"' | grep -v '^shared/'
  )
fi
mkdir -p "$out"
log() { printf '\033[1m[contracts]\033[0m %s\n' "$*" >&2; }

# Everything a contract's Wasm depends on besides its own directory.
common_stamp=$(
  {
    cat Cargo.toml Cargo.lock rust-toolchain.toml
    find shared -type f \( -name '*.rs' -o -name Cargo.toml \) -not -path '*/target/*' | sort | xargs cat
    cargo contract --version
  } | sha256sum | cut -d' ' -f1
)

for name in "${names[@]}"; do
  dir="$name"
  [ -f "$dir/Cargo.toml" ] || { echo "build-contracts.sh: no contract at contracts/$dir" >&2; exit 1; }
  crate=$(sed -n 's/^name *= *"\(.*\)"/\1/p' "$dir/Cargo.toml" | head -1)
  stamp=$(
    {
      echo "$common_stamp"
      find "$dir" -type f \( -name '*.rs' -o -name Cargo.toml \) | sort | xargs cat
    } | sha256sum | cut -d' ' -f1
  )
  bundle="$out/$crate.contract"
  if [ $force -eq 0 ] && [ -f "$bundle" ] && [ "$(cat "$bundle.stamp" 2>/dev/null)" = "$stamp" ]; then
    log "$crate: up to date"
    continue
  fi
  log "$crate: cargo contract build --release"
  CARGO_TARGET_DIR="$CONTRACTS_TARGET_DIR" cargo contract build --release --quiet \
    --manifest-path "$dir/Cargo.toml" >&2
  built="$CONTRACTS_TARGET_DIR/ink/$crate"
  # Only the bundle: it holds the Wasm and the metadata, and other builds
  # in the shared target dir may clean the loose files meanwhile.
  cp "$built/$crate.contract" "$bundle.tmp" && mv "$bundle.tmp" "$bundle"
  echo "$stamp" > "$bundle.stamp"
  hex_len=$(sed -n 's/.*"wasm": *"0x\([0-9a-fA-F]*\)".*/\1/p' "$bundle" | head -1 | tr -d '\n' | wc -c)
  log "$crate: $((hex_len / 2)) bytes of optimized Wasm"
done
echo "$out"
