#!/usr/bin/env bash
# Notional 2019 results for all 650 of the 2024 seats, from public data, by the
# whole-UK route: the old seats themselves are the units.
#
#   examples/uk_2019.sh DATA_DIR OUT_DIR
#
# OUT_DIR/          by mySociety's population overlaps of old and new seats
#                   (2019 population apportioned by postcode), with area
#                   overlaps for the two seats whose population is missing;
# OUT_DIR/by-area/  the same by intersection area of the boundaries, for comparison.
# Set NOTIONAL to a built binary to skip cargo.
set -euo pipefail
source "$(dirname "$0")/common.sh"
RESULTS="$D/results_ge2019/HoC-GE2019-results-by-constituency.csv"
LATER="$D/results_ge2024/HoC-GE2024-results-by-constituency.csv"

"${NOTIONAL[@]}" recompute \
    --weights "$D/lookups/mysociety_PARL10_PARL25_combo_overlap.csv" \
    --weights-from PARL10 --weights-to PARL25 --weights-column overlap_pop --weights-fallback overlap_area \
    --weights-lookup "$D/lookups/mysociety_ukparl2025_to_PCON24CD.csv" --lookup-from UKPARL.2025 --lookup-to PCON24CD \
    --old-results "$RESULTS" --new-seats "$D/derived/pcon2024_bgc.geojson" \
    --later-results "$LATER" --quiet -o "$OUT"

"${NOTIONAL[@]}" recompute \
    --old-seats "$D/derived/pcon2010_bgc.geojson" \
    --old-results "$RESULTS" --new-seats "$D/derived/pcon2024_bgc.geojson" \
    --later-results "$LATER" --quiet -o "$OUT/by-area"

echo "seats: $(($(wc -l < "$OUT/results.csv") - 1))"
