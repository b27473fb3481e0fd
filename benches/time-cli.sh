#!/usr/bin/env bash
# Times the CLI end to end on generated data: wall time and peak RSS of
# `generate`, `validate`, `export lead_funnel` and `bands` at each size
# (default 1M and 10M leads).
#
#   benches/time-cli.sh [SIZES...]     e.g. benches/time-cli.sh 1000000
#
# Data goes to ${LEADLOOP_BENCH_DIR:-/tmp/leadloop-bench}/<size>/ (about 0.1 GB
# per million leads) and is kept for the next run.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/leadloop-target}"
cargo build --release --quiet
bin="$CARGO_TARGET_DIR/release/leadloop"
root="${LEADLOOP_BENCH_DIR:-/tmp/leadloop-bench}"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 10000000)

measure() { # label, command...
    local label=$1
    shift
    /usr/bin/time -f "%e %M" -o /tmp/leadloop-time.$$ "$@" > /dev/null
    read -r secs kb < /tmp/leadloop-time.$$
    printf '%-28s %8.1f s %8.0f MB peak RSS\n' "$label" "$secs" "$((kb / 1024))"
}

for n in "${sizes[@]}"; do
    dir="$root/$n"
    rm -rf "$dir"
    measure "generate --leads $n" "$bin" generate --leads "$n" --seed 42 --dirty 0.5 --out "$dir"
    du -sh "$dir" | awk '{print "  size on disk: " $1}'
    measure "validate ($n leads)" "$bin" --data "$dir" validate
    measure "export lead_funnel ($n)" "$bin" --data "$dir" --out "$dir-out" export lead_funnel
    measure "bands ($n leads)" "$bin" --data "$dir" bands
    rm -rf "$dir-out"
done
