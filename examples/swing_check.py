#!/usr/bin/env python3
"""How well a set of notional results predicts the next election by regional
uniform swing (standard library only): a check of a notional that needs no
published notionals, used to choose the ward method's settings.

    python3 examples/swing_check.py NOTIONAL/results.csv LATER_RESULTS.csv [--only PREFIX]

For each region of the later result (the Commons Library file: `ONS ID`,
`Region name`, party columns), each party's change in share between the
notional totals and the later totals is added to every seat's notional share;
the predicted winner is compared with the actual one. A better notional
predicts more winners and smaller share errors (noisy: local swing is real).
Prints seats, winners predicted, and the mean and median absolute error of
the predicted shares (points, over the parties in both files).
"""
import csv
import statistics
import sys

# Party columns compared: 2019's Brexit Party and 2024's Reform UK are one.
SAME = {"BRX": "RUK"}


def load(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return {r.get("code") or r["ONS ID"]: r for r in csv.DictReader(f)}


def main():
    args = sys.argv[1:]
    only = None
    if "--only" in args:
        i = args.index("--only")
        only = args[i + 1]
        del args[i : i + 2]
    notional, later = load(args[0]), load(args[1])
    parties = [p for p in ["Con", "Lab", "LD", "BRX", "Green", "SNP", "PC"] if p in next(iter(notional.values()))]
    col = lambda p: SAME.get(p, p)
    codes = [c for c in later if c in notional and float(notional[c]["total"] or 0) > 0]
    # Regional totals, both elections.
    regions = {}
    for c in codes:
        reg = later[c]["Region name"]
        t = regions.setdefault(reg, {"n": {p: 0.0 for p in parties}, "l": {p: 0.0 for p in parties}, "nt": 0.0, "lt": 0.0})
        for p in parties:
            t["n"][p] += float(notional[c][p] or 0)
            t["l"][p] += float(later[c][col(p)] or 0)
        t["nt"] += float(notional[c]["total"])
        t["lt"] += float(later[c]["Valid votes"])
    right, errors, n = 0, [], 0
    for c in codes:
        if only and not c.startswith(only):
            continue
        t = regions[later[c]["Region name"]]
        swing = {p: t["l"][p] / t["lt"] - t["n"][p] / t["nt"] for p in parties}
        total_n, total_l = float(notional[c]["total"]), float(later[c]["Valid votes"])
        pred = {p: float(notional[c][p] or 0) / total_n + swing[p] for p in parties}
        actual = {p: float(later[c][col(p)] or 0) / total_l for p in parties}
        winner_actual = later[c]["First party"]
        winner_pred = col(max(pred, key=pred.get))
        top_actual = col(max(actual, key=actual.get))
        if top_actual == winner_actual or winner_actual not in [col(p) for p in parties]:
            right += winner_pred == top_actual
            n += 1
        errors.extend(abs(pred[p] - actual[p]) * 100 for p in parties)
    print(f"seats {n}: winners predicted {right}; share error mean {statistics.mean(errors):.3f}, median {statistics.median(errors):.3f} points")


if __name__ == "__main__":
    main()
