#!/usr/bin/env bash
# Reproduces models/fraud.onnx end to end from the simulator:
#   seeds 1, 2 (brushers of mixed evasion) and 3 (every brusher fully evasive) -> training set,
#   seed 4 (mixed) -> validation (threshold, early stopping), seed 5 (mixed) -> held-out test.
# Then scores the test set through the Rust CLI (ONNX Runtime), which prints the model's and the Shopee
# rule's metrics. ALGO=gbm (the deployed model: LightGBM) or ALGO=dbn (the DBN+MLP). Takes a few minutes
# on two cores. The per-pattern figures of MODEL_CARD.md come from models/evaluate.sh.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/setup.sh" >/dev/null
# shellcheck source=../scripts/env.sh
source "$here/../scripts/env.sh"
set -euo pipefail
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$SERVICES_TARGET_DIR}"
algo="${ALGO:-gbm}"

cargo build --release -j2 -p bizkey-fraud --bins
bin="$CARGO_TARGET_DIR/release"
work="${BIZKEY_FRAUD_WORK:-$BIZKEY_CACHE/fraud-train}"
mkdir -p "$work"
for spec in 1:mixed 2:mixed 3:full 4:mixed 5:mixed; do
  seed="${spec%%:*}"
  "$bin/simulate" --seed "$seed" --evasion "${spec##*:}" --output "$work/s$seed.csv" \
    --patterns "$work/s$seed.patterns.csv"
  "$bin/export" --input "$work/s$seed.csv" --output "$work/s$seed.npy"
done
(cd "$work" && "$BIZKEY_VENV/bin/python" -W ignore "$here/train.py" --algo "$algo" \
  --train s1.npy s2.npy s3.npy --valid s4.npy --test s5.npy \
  --out "$here/fraud.onnx" --report "$work/report.json")
"$bin/score" --input "$work/s5.csv" --output "$work/s5.scores.csv" --model "$here/fraud.onnx"
