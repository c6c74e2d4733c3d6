#!/usr/bin/env bash
# How time and memory grow with the number of wards: seeded synthetic inputs
# of 10k, 100k and 1M wards against 650 seats (`notional synthetic`, written
# to target/scale/, not stored in the repository), each apportioned after a
# warm-up run, five times under GNU time (median wall time, largest peak
# memory), with the read+parse baseline (--parse-only) measured the same way,
# in alternation with it.
#
#   benches/scaling.sh [SIZES...]     (default: 10000 100000 1000000)
#
# Prints a Markdown table: wards, input size, whole-process wall time, peak
# memory (max RSS), read+parse time, their ratio, and the stage timings of
# the median run.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(10000 100000 1000000)
cargo build --release --quiet
bin=$(pwd)/target/release/notional
dir=$(pwd)/target/scale
mkdir -p "$dir"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
echo "| wards | input MB | wall s | max RSS MB | read+parse s | wall / read | stages of the median run (ms) |"
echo "|---:|---:|---:|---:|---:|---:|---|"
# Times one run of a command into $d: prints "wall_seconds max_rss_kb"
# (wall by bash's microsecond clock around GNU time, whose own %e has 10 ms
# steps, too coarse for the small sizes); stderr to $d/stages_<tag><k>.
once() {
    local tag=$1 k=$2
    shift 2
    local t0=$EPOCHREALTIME
    /usr/bin/time -f "%M" -o "$d/time_$tag$k" "$@" >/dev/null 2>"$d/stages_$tag$k"
    local t1=$EPOCHREALTIME
    echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }') $(tail -1 "$d/time_$tag$k")"
}
# The median of five "wall rss k" lines on stdin: "median_wall max_rss k_of_median".
median() {
    sort -n | awk '{w[NR]=$1; r[NR]=$2; i[NR]=$3; if ($2 > m) m = $2} END {print w[3], m, i[3]}'
}
# Round $k's run of the command tagged $1 (the rest of the arguments),
# appended to $d/rounds_<tag> as "wall rss k".
record() { echo "$(once "$1" "$k" "${@:2}") $k" >>"$d/rounds_$1"; }
for n in "${sizes[@]}"; do
    d=$dir/$n
    [ -f "$d/wards.geojson" ] || "$bin" synthetic --units "$n" --targets 650 --seed 1 -o "$d" >/dev/null
    mb=$(du -m "$d/wards.geojson" | cut -f1)
    parse=("$bin" apportion "$d/wards.geojson" "$d/seats.geojson" --parse-only)
    run=("$bin" apportion "$d/wards.geojson" "$d/seats.geojson" -o "$d/out" -q --timings)
    # A warm-up of each, then five rounds of one run of each, the order
    # swapped every round, so that the machine's drift falls on both alike.
    "${parse[@]}" >/dev/null 2>&1
    "${run[@]}" >/dev/null 2>&1
    : >"$d/rounds_parse"
    : >"$d/rounds_run"
    for k in 1 2 3 4 5; do
        if ((k % 2)); then
            record parse "${parse[@]}"; record run "${run[@]}"
        else
            record run "${run[@]}"; record parse "${parse[@]}"
        fi
    done
    read -r pwall _ _ < <(median <"$d/rounds_parse")
    read -r wall rss k < <(median <"$d/rounds_run")
    stages=$(grep '^timings:' "$d/stages_run$k" | sed 's/^timings: //')
    awk -v n="$n" -v mb="$mb" -v w="$wall" -v r="$rss" -v p="$pwall" -v s="$stages" \
        'BEGIN { printf "| %\047d | %d | %.3f | %d | %.3f | %.2f | %s |\n", n, mb, w, r / 1024, p, (p > 0 ? w / p : 0), s }'
done
