#!/usr/bin/env bash
# Notional 2019 results for all 650 of the 2024 seats, from the public files
# as published: Great Britain by the ward method (London from its 2022 wards
# and borough results, the rest from December 2019 wards, LEAP local results
# 2016-2019 and mid-2019 ward populations), Northern Ireland by its old seats
# carried whole. Every input and its role is in examples/gb_2019.toml.
#
#   examples/gb_2019.sh DATA_DIR OUT_DIR
#
# Set NOTIONAL to a built binary to skip cargo.
set -euo pipefail
source "$(dirname "$0")/common.sh"

"${NOTIONAL[@]}" recompute --recipe "$here/examples/gb_2019.toml" --data "$D" --quiet -o "$OUT"

echo "seats: $(($(wc -l < "$OUT/results.csv") - 1))"
grep '^Kensington and Bayswater (' "$OUT/report.txt"
