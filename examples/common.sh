# Shared by the example scripts: checks the arguments and sets D (data
# folder), OUT (output folder) and NOTIONAL (the command: $NOTIONAL if set,
# else the release build through cargo).
if [ $# -ne 2 ]; then
    echo "usage: $0 DATA_DIR OUT_DIR" >&2
    exit 2
fi
D=$1
OUT=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
read -r -a NOTIONAL <<< "${NOTIONAL:-cargo run --quiet --release --manifest-path $here/Cargo.toml --}"
