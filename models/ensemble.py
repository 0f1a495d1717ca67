#!/usr/bin/env python3
"""Offline figures of an ensemble that is not deployed: the mean of the logits of evaluate.sh's two models
(LightGBM and the DBN+MLP, same features), scored per pattern from the score files evaluate.sh leaves in its work
directory (v_<variant>.{gbm,dbn}.csv, lopo.{gbm,dbn}.without_<pattern>.csv). Counts the pattern x variant cells
meeting the issue's target (ROC-AUC >= 0.97 and AUPRC >= 0.80) per model and prints the AUPRC table.

    $BIZKEY_VENV/bin/python models/ensemble.py $BIZKEY_CACHE/fraud-eval

MODEL_CARD.md, "What is left", has its figures and the on-chain ones.
"""

import argparse
import csv
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from metrics import average_precision, roc_auc  # noqa: E402

PATTERNS = ["ring", "repeat", "referral_burst", "huge_order", "collusion", "referral_chain"]
VARIANTS = ["none", "time_share", "jitter", "paced", "aging", "rotation", "funding", "full"]
MODELS = ["gbm", "dbn", "mean logit"]


def read(path):
    with open(path) as f:
        rows = csv.reader(f)
        next(rows)
        return dict(rows)


def logit(p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return np.log(p / (1 - p))


def scores(work, stem, gbm, dbn):
    """Patterns and the three models' scores of one run, in receipt order."""
    patterns = read(f"{work}/{stem}.patterns.csv")
    g, d = read(f"{work}/{gbm}"), read(f"{work}/{dbn}")
    ids = list(patterns)
    g = np.array([float(g[i]) for i in ids])
    d = np.array([float(d[i]) for i in ids])
    return np.array([patterns[i] for i in ids]), {"gbm": g, "dbn": d, "mean logit": (logit(g) + logit(d)) / 2}


def figures(patterns, s, pattern):
    rows = (patterns == pattern) | (patterns == "honest")
    y = (patterns[rows] == pattern).astype(float)
    return roc_auc(s[rows], y), average_precision(s[rows], y)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("work", help="evaluate.sh's work directory")
    work = ap.parse_args().work
    met = dict.fromkeys(MODELS, 0)
    print("| variant | pattern | " + " | ".join(f"{m} AUPRC" for m in MODELS) + " |")
    print("|---|---|" + "---:|" * len(MODELS))
    for v in VARIANTS:
        patterns, s = scores(work, f"v_{v}", f"v_{v}.gbm.csv", f"v_{v}.dbn.csv")
        for p in PATTERNS:
            cells = {m: figures(patterns, s[m], p) for m in MODELS}
            for m, (roc, ap_) in cells.items():
                met[m] += roc >= 0.97 and ap_ >= 0.80
            print(f"| {v} | {p} | " + " | ".join(f"{cells[m][1]:.3f}" for m in MODELS) + " |")
    print()
    print("cells meeting the target: " + ", ".join(f"{m} {n} of {len(VARIANTS) * len(PATTERNS)}" for m, n in met.items()))
    for p in PATTERNS:
        patterns, s = scores(work, "lopo", f"lopo.gbm.without_{p}.csv", f"lopo.dbn.without_{p}.csv")
        print(f"held out {p}: " + ", ".join("{} {:.3f} / {:.3f}".format(m, *figures(patterns, s[m], p)) for m in MODELS))


if __name__ == "__main__":
    main()
