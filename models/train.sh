#!/usr/bin/env bash
# Reproduces models/fraud.onnx end to end from the simulator: the training and validation data of
# models/data.sh, seed 8 (mixed evasion) -> held-out test.
# Then scores the test set through the Rust CLI, which prints the model's and the Shopee
# rule's metrics. ALGO=ensemble (the deployed model: LightGBM and the DBN+MLP, their logits averaged),
# ALGO=gbm or ALGO=dbn (one of them alone). Takes about five minutes on two cores. The per-pattern figures
# of MODEL_CARD.md come from models/evaluate.sh.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=data.sh
source "$here/data.sh" fraud-train
algo="${ALGO:-ensemble}"
make_data
"$bin/simulate" --seed 8 --evasion mixed --output s8.csv --patterns s8.patterns.csv --fundings s8.fundings.csv
"$bin/export" --input s8.csv --fundings s8.fundings.csv --output s8.npy
"$BIZKEY_VENV/bin/python" -W ignore "$here/train.py" --algo "$algo" \
  --train "${TRAIN[@]}" --valid "${VALID[@]}" --valid-small "${VALID_SMALL[@]}" --test s8.npy \
  --out "$here/fraud.onnx" --report "$work/report.json"
"$bin/score" --input s8.csv --fundings s8.fundings.csv --output s8.scores.csv --model "$here/fraud.onnx"
