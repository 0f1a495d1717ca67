#!/usr/bin/env bash
# Regenerates chain/artifacts/contracts-node.scale: the runtime metadata (V15)
# of the pinned substrate-contracts-node, from which `bizkey-chain` generates
# its subxt types at compile time.
#
# Usage: scripts/update-metadata.sh [RPC_HTTP_URL]
#   Without a URL a throw-away `$CONTRACTS_NODE --dev --tmp` is started on a
#   free loopback port and stopped afterwards.
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

out="$BIZKEY_ROOT/chain/artifacts/contracts-node.scale"
url="${1:-}"
node_pid=""
cleanup() { if [ -n "$node_pid" ]; then kill "$node_pid" 2>/dev/null || true; wait "$node_pid" 2>/dev/null || true; fi; }
trap cleanup EXIT

if [ -z "$url" ]; then
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  "$CONTRACTS_NODE" --dev --tmp --rpc-port "$port" >/dev/null 2>&1 &
  node_pid=$!
  url="http://127.0.0.1:$port"
fi

rpc() {
  curl -sf -H 'Content-Type: application/json' \
    -d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$1\",\"params\":$2}" "$url"
}

for _ in $(seq 1 120); do
  rpc system_health '[]' >/dev/null 2>&1 && break
  sleep 0.5
done

# Metadata_metadata_at_version(15u32) returns SCALE `Option<OpaqueMetadata>`:
# 0x01, a compact length, then the prefixed metadata ("meta", version 15, ...).
rpc state_call '["Metadata_metadata_at_version","0x0f000000"]' > "$out.json"
python3 - "$out.json" "$out" <<'PY'
import json, sys
raw = bytes.fromhex(json.load(open(sys.argv[1]))["result"][2:])
assert raw[0] == 1, "node has no V15 metadata"
b = raw[1]
mode = b & 3
if mode == 0:
    n, off = b >> 2, 2
elif mode == 1:
    n, off = int.from_bytes(raw[1:3], "little") >> 2, 3
elif mode == 2:
    n, off = int.from_bytes(raw[1:5], "little") >> 2, 5
else:
    k = (b >> 2) + 4
    n, off = int.from_bytes(raw[2:2 + k], "little"), 2 + k
meta = raw[off:off + n]
assert len(meta) == n and meta[:4] == b"meta" and meta[4] == 15, "unexpected metadata encoding"
open(sys.argv[2], "wb").write(meta)
print(f"wrote {sys.argv[2]} ({n} bytes, metadata V{meta[4]})")
PY
rm -f "$out.json"
