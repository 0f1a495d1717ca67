"""Merchant groups per brushing pattern: how the group score (the mean of a merchant's three highest receipt
scores, bizkey_fraud::group) ranks the shops that host one pattern against the shops with no brushing at all.

Usage: group_patterns.py NAME...   where NAME.csv (simulate), NAME.patterns.csv (simulate --patterns) and
NAME.scores.csv (score --output) exist. Prints ROC-AUC / AUPRC per pattern (MODEL_CARD.md, "Groups").
"""
import collections
import csv
import sys

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

PATTERNS = ["ring", "repeat", "referral_burst", "huge_order", "collusion", "referral_chain"]
TOP = 3


def main(names):
    for name in names:
        scores = {r["receipt_id"]: float(r["score"]) for r in csv.DictReader(open(f"{name}.scores.csv"))}
        pattern = {r["receipt_id"]: r["pattern"] for r in csv.DictReader(open(f"{name}.patterns.csv"))}
        by_merchant = collections.defaultdict(list)
        hosted = collections.defaultdict(set)
        for r in csv.DictReader(open(f"{name}.csv")):
            by_merchant[r["merchant"]].append(scores[r["receipt_id"]])
            if pattern[r["receipt_id"]] != "honest":
                hosted[r["merchant"]].add(pattern[r["receipt_id"]])
        out = []
        for p in PATTERNS:
            shops = [m for m in by_merchant if len(by_merchant[m]) >= TOP and (p in hosted[m] or not hosted[m])]
            y = np.array([p in hosted[m] for m in shops])
            if y.sum() == 0 or y.all():
                continue
            s = np.array([np.mean(sorted(by_merchant[m])[-TOP:]) for m in shops])
            out.append(f"{p} {y.sum()}/{len(shops)}: {roc_auc_score(y, s):.3f} / {average_precision_score(y, s):.3f}")
        print(f"{name}: " + " | ".join(out))


if __name__ == "__main__":
    main(sys.argv[1:])
