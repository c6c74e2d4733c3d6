#!/usr/bin/env bash
# Notional 2019 results for London's 2024 seats, from public data.
#
#   examples/london_2019.sh DATA_DIR OUT_DIR
#
# DATA_DIR has the ../shared/data layout. The 2019 result of every old London
# seat is spread over its 2022 wards using the May 2022 borough elections as
# the pattern (mean votes per candidate in multi-member wards) and the wards'
# 2022 local-government electorates and turnout, reconciled so each old seat's
# 2019 party totals are reproduced exactly, then re-aggregated onto the 2024
# seats and compared with the 2024 result. map.html and map.svg show them
# geographically and on the 2024 hex layout. Set NOTIONAL to a built binary to
# skip cargo.
set -euo pipefail
source "$(dirname "$0")/common.sh"

"${NOTIONAL[@]}" recompute \
    --wards "$D/derived/london_wards_2022.geojson" \
    --old-seats "$D/derived/pcon2010_bgc.geojson" \
    --old-results "$D/results_ge2019/HoC-GE2019-results-by-constituency.csv" \
    --new-seats "$D/derived/pcon2024_bgc.geojson" \
    --electorates "$D/local_elections/london_borough_2022_ward_level.csv" \
    --electorates-id WD22CD --electorate-column entitled_electors --ballots-column valid_ballots \
    --local "$D/local_elections/london_borough_2022_candidate_level.csv" --local-id WD22CD \
    --later-results "$D/results_ge2024/HoC-GE2024-results-by-constituency.csv" \
    --hexjson "$D/hexjson/openinnovations_uk-constituencies-2024_v1.2.hexjson" \
    --title "Notional 2019 results on London's 2024 seats (ward estimates from the 2022 borough elections)" \
    --quiet -o "$OUT"

grep '^Kensington and Bayswater (' "$OUT/report.txt"
