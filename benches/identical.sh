#!/usr/bin/env bash
# Are two builds' outputs byte-identical on the real jobs? For refactors that
# must not change behaviour.
#
#   benches/identical.sh OLD_BINARY NEW_BINARY [DATA_DIR]
#
# Runs the England apportion (2013 wards onto the 2024 seats), and the London
# and UK examples, with each binary, and compares every output file. The
# summaries printed on stdout are compared too, unless SUMMARIES=skip (for a
# change that adds a line to them). Exit 0 when all are identical.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 OLD_BINARY NEW_BINARY [DATA_DIR]" >&2; exit 2; }
old=$(realpath "$1"); new=$(realpath "$2")
here=$(cd "$(dirname "$0")/.." && pwd)
D=$(realpath "${3:-$here/../shared/data}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() { # binary tag
    local bin=$1 out=$work/$2
    mkdir -p "$out"
    "$bin" apportion "$D/derived/england_wards_2013.geojson" "$D/derived/pcon2024_bgc.geojson" -o "$out/england" -q > "$out/england.txt"
    NOTIONAL=$bin "$here/examples/london_2019.sh" "$D" "$out/london" > "$out/london.txt"
    NOTIONAL=$bin "$here/examples/uk_2019.sh" "$D" "$out/uk" > "$out/uk.txt"
    # The summaries name the output paths, which differ between the two runs.
    sed -i "s#$out#OUT#g" "$out"/*.txt
}
run "$old" old
run "$new" new
status=0
while IFS= read -r f; do
    rel=${f#"$work/old/"}
    case $rel in *.txt) [ "${SUMMARIES:-}" = skip ] && [[ $rel != */* ]] && continue ;; esac
    if ! cmp -s "$f" "$work/new/$rel"; then
        echo "differs: $rel"
        status=1
    fi
done < <(find "$work/old" -type f | sort)
(cd "$work/old" && find . -type f | sort) > "$work/old.list"
(cd "$work/new" && find . -type f | sort) > "$work/new.list"
if ! cmp -s "$work/old.list" "$work/new.list"; then
    echo "different files:"; diff "$work/old.list" "$work/new.list" || true
    status=1
fi
[ $status = 0 ] && echo "identical: $(wc -l < "$work/old.list") files"
exit $status
