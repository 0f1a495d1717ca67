#!/usr/bin/env bash
# Builds the dApp pages (dapp/: Vite + TypeScript) into dapp/dist, which
# `bizkey-graphql --dapp-dir dapp/dist --manifest deployment.json` serves
# under /app/. `npm ci` from the committed lock file first.
# Usage: scripts/build-dapp.sh [--skip-ci]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$BIZKEY_ROOT/dapp"
if [ "${1:-}" != --skip-ci ] || [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
fi
npm run build
echo "pages built: $BIZKEY_ROOT/dapp/dist (wallet/, console/)"
