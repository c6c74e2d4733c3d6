#!/usr/bin/env bash
# Fuzz the readers and the pipeline for a fixed budget (not run in CI).
#
#   fuzz/run.sh [SECONDS_PER_TARGET]     (default 60)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain
# (`cargo +nightly`); with only stable installed, RUSTC_BOOTSTRAP=1 lets
# stable accept the sanitizer flags. Seeds: the demo layers and small CSVs in
# fuzz/seeds/. Crashing inputs land in fuzz/artifacts/TARGET/; copy each one
# that found a bug into tests/fuzz_regressions/ (tests/regressions.rs runs
# them all through the binary) before fixing it.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-60}
toolchain=+nightly
rustup toolchain list 2>/dev/null | grep -q nightly || { toolchain=""; export RUSTC_BOOTSTRAP=1; }
cp ../data/demo/*.geojson seeds/geojson/
for target in read_geojson apportion; do
    mkdir -p "corpus/$target"
    cargo $toolchain fuzz run "$target" "corpus/$target" seeds/geojson -- -max_total_time="$secs" -max_len=65536
done
mkdir -p corpus/read_csv
cargo $toolchain fuzz run read_csv corpus/read_csv seeds/csv -- -max_total_time="$secs" -max_len=16384
