"""The same apportionment jobs from Python: notional against maup in one
process, and the package's overhead over the command line.

    python3 python/bench/compare_maup.py [RUNS] [JOBS...]      (JOBS: london england)

For each job: the wards and seats are read with geopandas once (not timed);
then, RUNS times each in alternation, maup (intersections, normalised
areas, prorate: the recipe of ../shared/bench/peers.py, in British National
Grid), notional on the same GeoDataFrames (arrays handed over, CRS from the
frame), notional on the file paths (results as pandas frames), the same with the
outputs written as the command line writes them, and the command line on
the same files (whole process, outputs written). Prints medians and ratios. Needs the
package installed (pip install ./python), maup, and ../shared/data.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import maup

import notional

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("NOTIONAL_DATA", ROOT.parent / "shared" / "data")) / "derived"
BIN = Path(os.environ.get("NOTIONAL_BIN", ROOT / "target" / "release" / "notional"))
JOBS = {
    "london": ("london_wards_2022.geojson", "pcon2024_bgc.geojson"),
    "england": ("england_wards_2013.geojson", "pcon2024_bgc.geojson"),
}
COLS = ["con", "lab", "ld", "brx", "green", "oth"]


def with_maup(wards, seats):
    pieces = maup.intersections(wards, seats, area_cutoff=0)
    weights = maup.normalize(pieces.area, level=0)
    return maup.prorate(pieces, wards[COLS], weights)


def timed(f):
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def main(argv):
    runs = int(argv[0]) if argv else 3
    jobs = argv[1:] or list(JOBS)
    for job in jobs:
        w, s = (DATA / f for f in JOBS[job])
        wards, seats = gpd.read_file(w), gpd.read_file(s)
        wards_bng, seats_bng = wards.to_crs(27700), seats.to_crs(27700)
        times = {k: [] for k in ["maup", "notional (frames)", "notional (paths)", "paths + write", "command line"]}
        with tempfile.TemporaryDirectory() as out:
            steps = {
                "maup": lambda: with_maup(wards_bng, seats_bng),
                "notional (frames)": lambda: notional.apportion(wards, seats),
                "notional (paths)": lambda: notional.apportion(w, s),
                "paths + write": lambda: notional.apportion(w, s).write(out),
                "command line": lambda: subprocess.run([BIN, "apportion", w, s, "-o", out, "-q"], check=True, capture_output=True),
            }
            for f in steps.values():  # warm-up
                f()
            for _ in range(runs):
                for k, f in steps.items():
                    times[k].append(timed(f))
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"## {job}: {len(wards)} wards -> {len(seats)} seats, median of {runs}")
        for k, v in med.items():
            print(f"  {k:20s} median {v:7.3f} s, fastest {min(times[k]):.3f} s   (runs: {', '.join(f'{x:.3f}' for x in times[k])})")
        print(f"  maup / notional (frames): {med['maup'] / med['notional (frames)']:.1f}x")
        print(f"  maup / notional (paths):  {med['maup'] / med['notional (paths)']:.1f}x")
        print(f"  package (paths, outputs written as the command line writes them) over the command line: {med['paths + write'] - med['command line']:+.3f} s (medians), {min(times['paths + write']) - min(times['command line']):+.3f} s (fastest)")


if __name__ == "__main__":
    main(sys.argv[1:])
