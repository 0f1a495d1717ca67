#!/usr/bin/env bash
# Validation of the fraud model by whole held-out patterns and by evasion variants (MODEL_CARD.md), every
# figure scored by the Rust `score` CLI on seeds no model was trained or validated on:
#   - leave-one-pattern-out: for each brushing pattern, a model trained and validated without it
#     (train.py --exclude-pattern) scores a fresh seed; the pattern is measured against honest receipts;
#   - evasion variants: the model trained on every pattern scores fresh seeds where the brushers use no
#     evasion, one evasive behaviour alone, or all of them (simulate --evasion);
#   - the Shopee rule (score --rule-output) on the same receipts.
# For the deployed ensemble and each of its members alone (train.py --algo ensemble --members: LightGBM and
# the DBN+MLP, same features, same data as train.sh: models/data.sh), each at its own threshold.
# Writes <model>.{variants,lopo}.json and prints Markdown tables (metrics.py; card_tables.py turns the JSON
# into MODEL_CARD.md's tables). Seven trainings of the ensemble: about 40 minutes on two idle cores.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=data.sh
source "$here/data.sh" fraud-eval
models="ensemble gbm dbn"
py="$BIZKEY_VENV/bin/python"
sim() { # seed evasion name
  "$bin/simulate" --seed "$1" --evasion "$2" --output "$3.csv" --patterns "$3.patterns.csv" \
    --fundings "$3.fundings.csv" 2>/dev/null
}
make_data
patterns="ring repeat referral_burst huge_order collusion referral_chain"
variants="none time_share jitter paced aging rotation funding full"
sim 1001 mixed lopo
i=0
for v in $variants; do
  i=$((i + 1))
  sim $((1100 + i)) "$v" "v_$v"
done

score() { # model input output [rule-output]
  "$bin/score" --model "$1" --input "$2.csv" --fundings "$2.fundings.csv" --output "$3" \
    ${4:+--rule-output "$4"} 2>/dev/null
}
train() { # stem [pattern]: <stem>.onnx, the ensemble, and beside it each member alone
  "$py" -W ignore "$here/train.py" --algo ensemble --members "$1" --train "${TRAIN[@]}" --valid "${VALID[@]}" \
    --valid-small "${VALID_SMALL[@]}" --out "$1.onnx" \
    ${2:+--exclude-pattern "$2"} >"$1.log" 2>&1
}
file() { # model stem: the file train() wrote for it
  if [ "$1" = ensemble ]; then echo "$2.onnx"; else echo "$2.$1.onnx"; fi
}
threshold() { # model
  "$py" -c 'import onnx,sys; m=onnx.load(sys.argv[1]); print({p.key: p.value for p in m.metadata_props}["bizkey.threshold"])' "$1"
}

# The Shopee rule needs no training: its ratios, from the CLI, once per fresh set.
shopee_cases=""
score "$here/fraud.onnx" lopo /dev/null lopo.shopee.csv
for p in $patterns; do shopee_cases="$shopee_cases lopo:$p=lopo.shopee.csv:lopo.patterns.csv:$p"; done
for v in $variants; do
  score "$here/fraud.onnx" "v_$v" /dev/null "v_$v.shopee.csv"
  shopee_cases="$shopee_cases $v=v_$v.shopee.csv:v_$v.patterns.csv"
done
echo "## shopee"
"$py" "$here/metrics.py" $shopee_cases --threshold 3 --json shopee.json

train all
for p in $patterns; do train "without_$p" "$p"; done
for m in $models; do
  cases=""
  for v in $variants; do
    score "$(file "$m" all)" "v_$v" "v_$v.$m.csv"
    cases="$cases $v=v_$v.$m.csv:v_$v.patterns.csv"
  done
  echo "## $m: evasion variants (trained on every pattern)"
  "$py" "$here/metrics.py" $cases --threshold "$(threshold "$(file "$m" all)")" --json "$m.variants.json"
  cases=""
  for p in $patterns; do
    score "$(file "$m" "without_$p")" lopo "lopo.$m.without_$p.csv"
    cases="$cases lopo:$p=lopo.$m.without_$p.csv:lopo.patterns.csv:$p"
  done
  echo "## $m: leave-one-pattern-out (each pattern held out of training and validation)"
  "$py" "$here/metrics.py" $cases --json "$m.lopo.json"
done
