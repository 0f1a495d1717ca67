#!/usr/bin/env bash
# Reproduces models/fraud.onnx end to end from the simulator:
#   seeds 1-3 -> training set, seed 4 -> validation (threshold, early stopping), seed 5 -> held-out test.
# Then scores the test set through the Rust CLI (ONNX Runtime), which prints the model's and the Shopee
# rule's metrics, i.e. the numbers of MODEL_CARD.md. Takes about two minutes on two cores.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/setup.sh" >/dev/null
# shellcheck source=../scripts/env.sh
source "$here/../scripts/env.sh"
set -euo pipefail
export CARGO_TARGET_DIR="$SERVICES_TARGET_DIR"

cargo build --release -j2 -p bizkey-fraud --bins
bin="$CARGO_TARGET_DIR/release"
work="${BIZKEY_FRAUD_WORK:-$BIZKEY_CACHE/fraud-train}"
mkdir -p "$work"
for seed in 1 2 3 4 5; do
  "$bin/simulate" --seed "$seed" --output "$work/s$seed.csv" --patterns "$work/s$seed.patterns.csv"
  "$bin/export" --input "$work/s$seed.csv" --output "$work/s$seed.npy"
done
(cd "$work" && "$BIZKEY_VENV/bin/python" "$here/train.py" \
  --train s1.npy s2.npy s3.npy --valid s4.npy --test s5.npy \
  --out "$here/fraud.onnx" --report "$work/report.json")
"$bin/score" --input "$work/s5.csv" --output "$work/s5.scores.csv" --model "$here/fraud.onnx"
