# shellcheck shell=bash
# The shared set-up and data of train.sh and evaluate.sh. Sourced with the name of a work directory
# (`source data.sh fraud-train`): installs the Python stack (setup.sh), builds the fraud CLIs into $bin and
# enters $BIZKEY_FRAUD_WORK (default $BIZKEY_CACHE/<name>). Needs $here, the models/ directory.
#
# make_data: the training and validation data:
#   training: standard seeds 1, 2, 6 (brushers of mixed evasion), 3, 7 (every brusher fully evasive), 5 (naive
#     brushers), and 1,000 small weeks (8 merchants, 80 customers, 7 days: the on-chain test's size; seeds
#     2000-2999, even naive, odd mixed) so that small populations are not off the training distribution
#     (60 small weeks left the on-chain population's best ring recall at 0.2 % of honest receipts at 0.79);
#   validation (early stopping, threshold): standard seed 4 (mixed) and 40 small weeks (seeds 600-639), the
#     latter also on their own for the threshold (train.py --valid-small).
# Every set has its accounts' fundings (simulate --fundings, export --fundings). Training also has copies
# where fundings are unknown, as on a chain that sponsors fees (none recorded) or an index started after
# the accounts were funded: standard seed 2 without fundings, and a fifth of the small weeks each without
# fundings and with only those from day 3 on (export_unfunded; small/m<seed>.none.npy and .late.npy, which
# small/m*.npy includes). Without them the model read "funding
# unknown" as the fundings it trained on and lost most of its recall (MODEL_CARD.md, "Unknown fundings").
# Writes s<seed>.{csv,fundings.csv,patterns.csv,npy} and small/{m,v}<seed>.* in the current directory and sets
# TRAIN, VALID and VALID_SMALL to the .npy lists.
"$here/setup.sh" >/dev/null
# shellcheck source=../scripts/env.sh
source "$here/../scripts/env.sh"
set -euo pipefail
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$SERVICES_TARGET_DIR}"
cargo build --release -j2 -p bizkey-fraud --bins
bin="$CARGO_TARGET_DIR/release"
work="${BIZKEY_FRAUD_WORK:-$BIZKEY_CACHE/$1}"
mkdir -p "$work"
cd "$work"

# export_unfunded <stem> none|late: <stem>.csv exported as <stem>.none.npy without its fundings, or as
# <stem>.late.npy with only the fundings from 3 days after its first receipt on (the accounts funded
# before have no known funder); the patterns file is shared.
export_unfunded() {
  local stem="$1" kind="$2" fundings=()
  if [ "$kind" = late ]; then
    awk -F, -v days=3 '
      NR == FNR { if (FNR > 1 && (start == "" || $2 < start)) start = $2; next }
      FNR == 1 || $1 >= start + days * 86400000' "$stem.csv" "$stem.fundings.csv" >"$stem.late.fundings.csv"
    fundings=(--fundings "$stem.late.fundings.csv")
  fi
  "$bin/export" --input "$stem.csv" "${fundings[@]}" --output "$stem.$kind.npy" 2>/dev/null
  ln -sf "$(basename "$stem").patterns.csv" "$stem.$kind.patterns.csv"
}

make_data() {
  local spec seed e kind
  for spec in 1:mixed 2:mixed 3:full 4:mixed 5:none 6:mixed 7:full; do
    seed="${spec%%:*}"
    "$bin/simulate" --seed "$seed" --evasion "${spec##*:}" --output "s$seed.csv" \
      --patterns "s$seed.patterns.csv" --fundings "s$seed.fundings.csv" 2>/dev/null
    "$bin/export" --input "s$seed.csv" --fundings "s$seed.fundings.csv" --output "s$seed.npy" 2>/dev/null
  done
  mkdir -p small
  for seed in $(seq 2000 2999) $(seq 600 639); do
    kind=m
    [ "$seed" -lt 2000 ] && kind=v
    e=mixed
    [ $((seed % 2)) = 0 ] && e=none
    "$bin/simulate" --seed "$seed" --evasion "$e" --merchants 8 --customers 80 --days 7 \
      --output "small/$kind$seed.csv" --patterns "small/$kind$seed.patterns.csv" \
      --fundings "small/$kind$seed.fundings.csv" 2>/dev/null
    "$bin/export" --input "small/$kind$seed.csv" --fundings "small/$kind$seed.fundings.csv" \
      --output "small/$kind$seed.npy" 2>/dev/null
    if [ "$kind" = m ] && [ $((seed % 5)) -lt 2 ]; then
      export_unfunded "small/$kind$seed" "$([ $((seed % 5)) = 0 ] && echo none || echo late)"
    fi
  done
  export_unfunded s2 none
  TRAIN=(s1.npy s2.npy s2.none.npy s3.npy s5.npy s6.npy s7.npy small/m*.npy)
  VALID=(s4.npy)
  VALID_SMALL=(small/v6*.npy)
}
