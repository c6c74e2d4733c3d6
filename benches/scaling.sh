#!/usr/bin/env bash
# How time and memory grow with the number of wards: seeded synthetic inputs
# of 10k, 100k and 1M wards against 650 seats (`notional synthetic`, written
# to target/scale/, not stored in the repository), each apportioned once
# under GNU time, plus the read+parse baseline (--parse-only).
#
#   benches/scaling.sh [SIZES...]     (default: 10000 100000 1000000)
#
# Prints a Markdown table: wards, input size, whole-process wall time, peak
# memory (max RSS), read+parse time, the ratio, and the stage timings.
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
echo "| wards | input MB | wall s | max RSS MB | read+parse s | wall / read | stages (ms) |"
echo "|---:|---:|---:|---:|---:|---:|---|"
for n in "${sizes[@]}"; do
    d=$dir/$n
    [ -f "$d/wards.geojson" ] || "$bin" synthetic --units "$n" --targets 650 --seed 1 -o "$d" >/dev/null
    mb=$(du -m "$d/wards.geojson" | cut -f1)
    # warm the page cache, then measure
    "$bin" apportion "$d/wards.geojson" "$d/seats.geojson" --parse-only >/dev/null
    /usr/bin/time -f "%e %M" -o "$d/time_parse" "$bin" apportion "$d/wards.geojson" "$d/seats.geojson" --parse-only >/dev/null
    /usr/bin/time -f "%e %M" -o "$d/time_run" "$bin" apportion "$d/wards.geojson" "$d/seats.geojson" -o "$d/out" -q --timings >/dev/null 2>"$d/stages"
    read -r wall rss < <(tail -1 "$d/time_run")
    read -r pwall _ < <(tail -1 "$d/time_parse")
    stages=$(grep '^timings:' "$d/stages" | sed 's/^timings: //')
    awk -v n="$n" -v mb="$mb" -v w="$wall" -v r="$rss" -v p="$pwall" -v s="$stages" \
        'BEGIN { printf "| %\047d | %d | %.2f | %d | %.2f | %.2f | %s |\n", n, mb, w, r / 1024, p, (p > 0 ? w / p : 0), s }'
done
