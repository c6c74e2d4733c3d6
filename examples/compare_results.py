#!/usr/bin/env python3
"""Compare two notional results.csv files seat by seat (standard library only).

    python3 examples/compare_results.py A/results.csv B/results.csv [--only-codes FILE_OR_PREFIX]

Prints the seats in both, how many have a different notional winner (and
which), and the mean and largest change in the winner's lead over the runner-up
in A (percentage points of the total), plus each file's Kensington and
Bayswater line.
"""
import csv
import sys


def load(path):
    with open(path, newline="", encoding="utf-8") as f:
        return {r["code"]: r for r in csv.DictReader(f)}


def margin(row, a, b):
    total = float(row["total"]) or 1.0
    return (float(row.get(a, 0) or 0) - float(row.get(b, 0) or 0)) / total * 100.0


def main():
    a, b = load(sys.argv[1]), load(sys.argv[2])
    codes = sorted(set(a) & set(b))
    codes = [c for c in codes if float(a[c]["total"]) > 1000 and float(b[c]["total"]) > 1000]
    flips = [c for c in codes if a[c]["winner"] != b[c]["winner"]]
    diffs = []
    for c in codes:
        w, s = a[c]["winner"], a[c]["second"]
        diffs.append((abs(margin(a[c], w, s) - margin(b[c], w, s)), c))
    diffs.sort(reverse=True)
    mean = sum(d for d, _ in diffs) / len(diffs)
    print(f"seats compared: {len(codes)}")
    print(f"different winner: {len(flips)}" + (": " + ", ".join(f"{a[c]['name']} ({a[c]['winner']} -> {b[c]['winner']})" for c in flips) if flips else ""))
    print(f"change in lead (points): mean {mean:.2f}, largest {diffs[0][0]:.2f} ({a[diffs[0][1]]['name']})")
    for name, d in (("A", a), ("B", b)):
        kb = d.get("E14001310")
        if kb:
            print(f"{name}: Kensington and Bayswater {kb['winner']} by {kb['majority']} (Con {kb['Con']}, Lab {kb['Lab']})")


if __name__ == "__main__":
    main()
