#!/usr/bin/env bash
# Whole-process timings of notional against the peer tools (tobler, maup,
# geopandas overlay via ../shared/bench/peers.py) with hyperfine, on the
# standard pairs; prints the speed ratios, how close notional comes to the
# time it needs just to read its inputs (--parse-only), and the largest
# per-seat difference from maup and overlay (benches/seat_diff.py).
#
#   benches/compare_peers.sh [RUNS] [PAIRS...]
#
# NOTIONAL_ARGS (environment) are added to notional's command line, e.g.
# `--no-map` to time it without drawing map.html and map.svg, which the
# peers do not make.
#
# RUNS (default 3) runs of each peer after one warm-up; notional and its
# parse-only baseline, which take a fraction of a second, get three warm-ups
# and then 5 x RUNS rounds of one run each, in alternation, the order
# swapped each round (so that drift does not fall on one of them). Times
# are medians. PAIRS from england london synth100k synth10k (default: all).
# Needs hyperfine, python3 with tobler, maup and geopandas (see
# ../shared/bench/README.md) and ../shared beside the project; builds the
# release binary first. Results go to target/compare/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
runs=${1:-3}
shift || true
pairs=("$@")
[ ${#pairs[@]} -eq 0 ] && pairs=(england london synth100k synth10k)
bench=$(cd ../shared/bench && pwd)
data=$(cd ../shared/data/derived && pwd)
out=$root/target/compare
mkdir -p "$out"
cargo build --release --quiet
bin=$root/target/release/notional

echo "notional's extra arguments: ${NOTIONAL_ARGS:-none}"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
for pair in "${pairs[@]}"; do
    case $pair in
        england) wards=england_wards_2013 seats=pcon2024_bgc ;;
        london) wards=london_wards_2022 seats=pcon2024_bgc ;;
        synth100k) wards=synthetic_voronoi_100000 seats=synthetic_voronoi_650 ;;
        synth10k) wards=synthetic_voronoi_10000 seats=synthetic_voronoi_650 ;;
        *) echo "unknown pair $pair" >&2; exit 2 ;;
    esac
    w=$data/$wards.geojson
    s=$data/$seats.geojson
    echo
    echo "## $wards -> $seats"
    # notional and its read+parse baseline in alternation, one run of each
    # a round and the order swapped every round, so that the machine's drift
    # (a third between hours here) falls on both alike and their ratio is
    # measured, not the drift.
    rm -f "$out/$pair"-notional-*.json
    whole=(-n notional "$bin apportion $w $s -o $out/$pair-notional -q ${NOTIONAL_ARGS:-}")
    read_only=(-n parse-only "$bin apportion $w $s --parse-only")
    (cd "$bench" && hyperfine -N -w3 -r1 --style basic "${whole[@]}" "${read_only[@]}" >/dev/null 2>&1)
    for k in $(seq $((5 * runs))); do
        if ((k % 2)); then order=("${whole[@]}" "${read_only[@]}"); else order=("${read_only[@]}" "${whole[@]}"); fi
        (cd "$bench" && hyperfine -N -r1 --style basic --export-json "$out/$pair-notional-$k.json" "${order[@]}" >/dev/null 2>&1)
    done
    (cd "$bench" && hyperfine -N -w1 -r "$runs" --style basic --export-json "$out/$pair-peers.json" \
        -n tobler "python3 peers.py tobler $w $s $out/$pair-tobler.csv" \
        -n maup "python3 peers.py maup $w $s $out/$pair-maup.csv" \
        -n overlay "python3 peers.py overlay $w $s $out/$pair-overlay.csv" >/dev/null 2>&1)
    python3 - "$out/$pair-peers.json" "$out/$pair"-notional-*.json <<'PY'
import json, statistics as st, sys
# Peers: one hyperfine file. notional and parse-only: one file a round.
times, rounds = {}, []
for f in sys.argv[1:]:
    results = json.load(open(f))["results"]
    for x in results:
        times.setdefault(x["command"], []).extend(x["times"])
    if "-notional-" in f:
        one = {x["command"]: x["times"][0] for x in results}
        rounds.append(one["notional"] / one["parse-only"])
t = {k: st.median(v) for k, v in times.items()}
for k, v in times.items():
    sd = st.stdev(v) if len(v) > 1 else 0.0
    print(f"  {k:10s} median {t[k]:8.3f} s (mean {st.mean(v):.3f} ± {sd:.3f}, {len(v)} runs)")
peers = {k: t[k] for k in ("tobler", "maup", "overlay")}
fastest = min(peers, key=peers.get)
print(f"  notional is {peers[fastest] / t['notional']:.1f}x faster than the fastest peer ({fastest}); "
      + ", ".join(f"{k} {v / t['notional']:.1f}x" for k, v in peers.items()))
q = st.quantiles(rounds, n=4) if len(rounds) > 1 else [rounds[0]] * 3
print(f"  notional end to end = {t['notional'] / t['parse-only']:.2f}x its read+parse time "
      f"(medians; in each of {len(rounds)} alternating rounds: median {st.median(rounds):.2f}, quartiles {q[0]:.2f}-{q[2]:.2f})")
PY
    for peer in maup overlay; do
        echo "  against $peer:"
        python3 "$root/benches/seat_diff.py" "$w" "$out/$pair-$peer.csv" "$out/$pair-notional" | sed 's/^/    /'
    done
done
