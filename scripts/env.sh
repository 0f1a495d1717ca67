# shellcheck shell=bash
# Common environment for every Bizkey script. Source it; it only exports.
#
# Build outputs and tools live outside the clone (in $BIZKEY_CACHE) so that a
# fresh clone on a machine that already built once compiles nothing twice.

BIZKEY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export BIZKEY_ROOT
export BIZKEY_CACHE="${BIZKEY_CACHE:-$HOME/.cache/bizkey}"
export BIZKEY_SHARED_BIN="${BIZKEY_SHARED_BIN:-$BIZKEY_ROOT/../shared/bin}"

# One target dir per workspace: the contracts use another toolchain, and
# sharing one dir would make each side rebuild the other's artefacts.
export SERVICES_TARGET_DIR="${SERVICES_TARGET_DIR:-$BIZKEY_CACHE/target/services}"
export CONTRACTS_TARGET_DIR="${CONTRACTS_TARGET_DIR:-$BIZKEY_CACHE/target/contracts}"

# Python is used for model training only (numpy, scikit-learn, onnx) and for
# the ONNX Runtime shared library that the `ort` crate loads at run time.
export BIZKEY_VENV="${BIZKEY_VENV:-$BIZKEY_CACHE/venv}"

export PATH="$BIZKEY_CACHE/bin:$HOME/.cargo/bin:$PATH"

# The node ink_e2e starts; set-up places it in $BIZKEY_CACHE/bin.
export CONTRACTS_NODE="${CONTRACTS_NODE:-$BIZKEY_CACHE/bin/substrate-contracts-node}"

# libonnxruntime.so from the onnxruntime wheel (ort's load-dynamic feature).
if [ -z "${ORT_DYLIB_PATH:-}" ]; then
  for lib in "$BIZKEY_VENV"/lib/python3*/site-packages/onnxruntime/capi/libonnxruntime.so*; do
    if [ -e "$lib" ]; then
      export ORT_DYLIB_PATH="$lib"
      break
    fi
  done
fi

# No incremental compilation: the suite builds each workspace once, and the
# incremental caches of both trees took ~25 GB here without speeding that up.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
