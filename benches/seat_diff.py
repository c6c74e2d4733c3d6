#!/usr/bin/env python3
"""Per-seat agreement between notional and a peer tool (maup, overlay, tobler).

    python3 benches/seat_diff.py WARDS.geojson PEER.csv NOTIONAL_OUT_DIR

PEER.csv is what ../shared/bench/peers.py writes (one row per seat, float
apportioned counts). NOTIONAL_OUT_DIR holds notional's results.csv (integer
counts, seats with votes) and crosswalk.csv (ward -> seat weights).

Prints two comparisons over every numeric column the peer wrote:
  weights   the per-seat sums of ward counts x notional's crosswalk weights
            (floats, before rounding) against the peer: these should agree
            to a small fraction of a vote;
  integers  notional's results.csv against the peer: each seat may differ by
            less than the number of split wards feeding it (largest-remainder
            rounding gives each split ward's share to a whole vote).
Exits 1 if the float sums differ by more than --tol or an integer result
falls outside its rounding bound.
"""

import argparse
import csv
import json
import sys
from collections import defaultdict


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("wards")
    ap.add_argument("peer")
    ap.add_argument("out")
    ap.add_argument("--tol", type=float, default=0.01, help="largest |float difference| accepted (votes)")
    args = ap.parse_args()

    with open(args.peer, newline="") as f:
        peer = {r["code"]: r for r in csv.DictReader(f)}
    cols = [c for c in next(iter(peer.values())) if c != "code"]
    with open(args.wards) as f:
        wards = {str(ft["properties"]["code"]): ft["properties"] for ft in json.load(f)["features"]}
    sums = defaultdict(lambda: defaultdict(float))
    split = defaultdict(int)
    with open(f"{args.out}/crosswalk.csv", newline="") as f:
        for r in csv.DictReader(f):
            w = float(r["weight"])
            props = wards[r["from"]]
            for c in cols:
                sums[r["to"]][c] += w * float(props.get(c) or 0)
            if w < 1.0:
                split[r["to"]] += 1
    with open(f"{args.out}/results.csv", newline="") as f:
        ours = {r["code"]: r for r in csv.DictReader(f)}

    worst_float, worst_int, outside = (0.0, None), (0.0, None), []
    for code, row in peer.items():
        for c in cols:
            ref = float(row[c])
            d = abs(sums[code][c] - ref) if code in sums else abs(ref)
            if d > worst_float[0]:
                worst_float = (d, f"{code} {c}")
            mine = float(ours[code][c]) if code in ours and c in ours[code] else 0.0
            d = abs(mine - ref)
            if d > worst_int[0]:
                worst_int = (d, f"{code} {c}")
            if d >= split[code] + 1e-6 and d > 1e-6:
                outside.append(f"{code} {c}: {d:.3f} with {split[code]} split wards")
    print(f"seats: {len(peer)}; columns: {', '.join(cols)}")
    print(f"weights:  max |sum of weighted counts - peer| = {worst_float[0]:.2e} votes ({worst_float[1]})")
    print(f"integers: max |results.csv - peer| = {worst_int[0]:.3f} votes ({worst_int[1]}); "
          f"{'all' if not outside else len(peer) * len(cols) - len(outside)} within the rounding bound")
    for o in outside[:10]:
        print(f"  outside the bound: {o}")
    ok = worst_float[0] <= args.tol and not outside
    print("OK" if ok else "DIFFERENT")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
