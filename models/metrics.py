#!/usr/bin/env python3
"""Per-pattern figures from scores written by the Rust `score` CLI (models/evaluate.sh).

Each case is `name=scores.csv:patterns.csv[:pattern]`: the CLI's `receipt_id,score` and the simulator's
`receipt_id,pattern`. Every brushing pattern present (or only `pattern`) is measured against all honest
receipts of that run: ROC-AUC, AUPRC, and the recall at the largest threshold where the false-positive rate on
honest receipts is <= 0.2 % (FPR-capped threshold picked on this run's honest scores, i.e. the best such
operating point), plus precision and recall at the model's own deployed threshold (`--threshold`).
Writes the rows as JSON (--json) and prints a Markdown table.
"""

import argparse
import csv
import json

import numpy as np

FPR_CAP = 0.002


def roc_auc(s, y):
    order = np.argsort(s, kind="mergesort")
    s, y = s[order], y[order]
    # Midranks for ties (Mann-Whitney).
    _, inv, counts = np.unique(s, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    ranks = (ends - (counts - 1) / 2.0)[inv]
    pos = y.sum()
    neg = len(y) - pos
    return float((ranks[y == 1].sum() - pos * (pos + 1) / 2) / (pos * neg))


def average_precision(s, y):
    order = np.argsort(-s, kind="mergesort")
    s, y = s[order], y[order]
    tp = np.cumsum(y)
    fp = np.cumsum(1 - y)
    last = np.r_[s[1:] != s[:-1], True]  # last index of each group of tied scores
    tp, fp = tp[last], fp[last]
    recall = tp / y.sum()
    precision = tp / (tp + fp)
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def recall_at_fpr(s, y, cap=FPR_CAP):
    honest = np.sort(s[y == 0])[::-1]
    allowed = int(np.floor(cap * len(honest)))
    # Flag scores strictly above the (allowed+1)-th highest honest score.
    t = honest[allowed] if allowed < len(honest) else -np.inf
    flag = s > t
    return float(flag[y == 1].mean()), float(flag[y == 0].mean())


def read(path, col):
    with open(path) as f:
        r = csv.reader(f)
        next(r)
        return {row[0]: row[1] for row in r}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cases", nargs="+")
    ap.add_argument("--threshold", type=float, help="the model's deployed threshold")
    ap.add_argument("--json")
    args = ap.parse_args()
    rows = []
    for case in args.cases:
        name, rest = case.split("=", 1)
        parts = rest.split(":")
        scores, patterns = read(parts[0], 1), read(parts[1], 1)
        only = parts[2] if len(parts) > 2 else None
        ids = list(patterns)
        s = np.array([float(scores[i]) for i in ids])
        p = np.array([patterns[i] for i in ids])
        kinds = [only] if only else sorted(set(p) - {"honest"})
        for kind in kinds:
            keep = (p == "honest") | (p == kind)
            ss, yy = s[keep], (p[keep] == kind).astype(float)
            if yy.sum() == 0:
                continue
            rec, fpr = recall_at_fpr(ss, yy)
            row = {
                "case": name,
                "pattern": kind,
                "n": int(yy.sum()),
                "roc_auc": roc_auc(ss, yy),
                "auprc": average_precision(ss, yy),
                "recall_fpr_0.2%": rec,
            }
            if args.threshold is not None:
                flag = ss >= args.threshold
                row["recall_at_threshold"] = float(flag[yy == 1].mean())
                row["fpr_at_threshold"] = float(flag[yy == 0].mean())
            rows.append(row)
    keys = list(rows[0].keys())
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for r in rows:
        print("| " + " | ".join(f"{v:.4f}" if isinstance(v, float) else str(v) for v in r.values()) + " |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
