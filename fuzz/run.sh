#!/usr/bin/env bash
# Fuzz the readers and the pipeline for a fixed budget (not run in CI).
#
#   fuzz/run.sh [SECONDS_PER_TARGET]     (default 60)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain
# (`cargo +nightly`); with only stable installed, RUSTC_BOOTSTRAP=1 lets
# stable accept the sanitizer flags. Seeds: the demo layers and small CSVs in
# fuzz/seeds/; read_topojson and votes_detection build their inputs from the
# fuzzer's bytes. Crashing inputs land in fuzz/artifacts/TARGET/; turn each
# one that found a bug into a case of tests/malformed.rs (through the binary)
# before fixing it.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-60}
toolchain=+nightly
rustup toolchain list 2>/dev/null | grep -q nightly || { toolchain=""; export RUSTC_BOOTSTRAP=1; }
command -v cargo-fuzz >/dev/null || { echo "cargo-fuzz not found: cargo install cargo-fuzz" >&2; exit 1; }
# The demo layers are copied in (seeds/geojson/ is not kept in git).
mkdir -p seeds/geojson
cp ../data/demo/*.geojson seeds/geojson/
# target, seeds (or none), longest input
run() {
    mkdir -p "corpus/$1"
    cargo $toolchain fuzz run "$1" "corpus/$1" ${2:+"$2"} -- -max_total_time="$secs" -max_len="$3"
}
run read_geojson seeds/geojson 65536
run apportion seeds/geojson 65536
run read_csv seeds/csv 16384
# Structure-aware targets: their inputs are bytes that steer a generator.
run read_topojson "" 4096
run votes_detection "" 4096
