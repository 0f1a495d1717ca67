#!/usr/bin/env bash
# Creates the Python venv at $BIZKEY_VENV with the training requirements and
# the onnxruntime wheel, whose libonnxruntime.so the Rust scorer loads through
# ORT_DYLIB_PATH. Idempotent: an existing venv is reused, and pip leaves
# exactly pinned requirements that are already satisfied alone (no download).
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Sourced before `set -e`: env.sh's last test is false while no venv exists.
# shellcheck source=../scripts/env.sh
source "$here/../scripts/env.sh"
set -euo pipefail

if [ ! -x "$BIZKEY_VENV/bin/python" ]; then
  python3 -m venv "$BIZKEY_VENV"
fi
# A local wheel directory is preferred when one exists (offline machines).
find_links=()
wheels="${BIZKEY_WHEELS:-/opt/wheels}"
if [ -d "$wheels" ]; then
  find_links=(--find-links "$wheels")
fi
"$BIZKEY_VENV/bin/python" -m pip install --disable-pip-version-check -q \
  "${find_links[@]}" -r "$here/requirements.txt"

for lib in "$BIZKEY_VENV"/lib/python3*/site-packages/onnxruntime/capi/libonnxruntime.so*; do
  if [ -e "$lib" ]; then
    echo "ORT_DYLIB_PATH=$lib"
    exit 0
  fi
done
echo "setup.sh: libonnxruntime.so not found in $BIZKEY_VENV" >&2
exit 1
