#!/usr/bin/env bash
# Times two builds of leadloop on the same command, in turn (A B A B ...),
# so that a drift in the machine's speed moves both alike; prints each
# run's wall seconds, CPU seconds and peak RSS (from /usr/bin/time), then
# the medians and the median of the pairs' A/B ratios.
#
#   benches/pair.sh [-n RUNS] [--cold] A_BIN B_BIN -- ARGS...
#
# e.g. benches/pair.sh -n 3 --cold /tmp/leadloop-new /tmp/leadloop-old -- \
#        --data /tmp/leadloop-bench/10000000 report --out /tmp/pair-out
#
# --cold gives every run an empty cache folder of its own
# (LEADLOOP_CACHE_DIR), removed after it: a first command on an export.
# Without it each build keeps its own cache folder across its runs, and
# one uncounted run of each fills it first: every counted run is warm. What a command prints is thrown
# away; a run that fails is reported and stops the script.
set -euo pipefail
runs=5
cold=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) runs="$2"; shift 2 ;;
    --cold) cold=1; shift ;;
    *) break ;;
  esac
done
if [[ $# -lt 3 || "$3" != "--" ]]; then
  sed -n '2,17p' "$0" >&2
  exit 2
fi
a="$1"; b="$2"; shift 3
work="$(mktemp -d "${TMPDIR:-/tmp}/leadloop-pair.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/cache-a" "$work/cache-b"

# One run of build $1 (label $2, a or b) on the rest: "wall cpu peak_mb"
# into the file named by the label.
one() {
  local bin="$1" label="$2" cache="$work/cache-$2"
  shift 2
  if [[ $cold == 1 ]]; then
    cache="$work/cold"
    rm -rf "$cache" && mkdir -p "$cache"
  fi
  if ! LEADLOOP_CACHE_DIR="$cache" /usr/bin/time -f '%e %U %S %M' -o "$work/time" \
      "$bin" "$@" >/dev/null 2>"$work/err"; then
    echo "pair.sh: $label ($bin) failed:" >&2
    tail -3 "$work/err" >&2
    exit 1
  fi
  awk '{ printf "%.2f %.2f %.0f\n", $1, $2 + $3, $4 / 1024 }' "$work/time" >"$work/$label"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

if [[ $cold == 0 ]]; then
  one "$a" a "$@"
  one "$b" b "$@"
fi
printf 'run  A wall  A cpu  A peak MB   B wall  B cpu  B peak MB   A/B wall\n'
: >"$work/rows"
for i in $(seq 1 "$runs"); do
  one "$a" a "$@"
  one "$b" b "$@"
  read -r aw ac ap <"$work/a"
  read -r bw bc bp <"$work/b"
  ratio=$(awk -v x="$aw" -v y="$bw" 'BEGIN { printf "%.3f", x / y }')
  printf '%3d  %6s  %5s  %9s   %6s  %5s  %9s   %8s\n' "$i" "$aw" "$ac" "$ap" "$bw" "$bc" "$bp" "$ratio"
  echo "$aw $ac $ap $bw $bc $bp $ratio" >>"$work/rows"
done
col() { awk -v c="$1" '{ print $c }' "$work/rows" | median; }
printf 'med  %6s  %5s  %9s   %6s  %5s  %9s   %8s\n' \
  "$(col 1)" "$(col 2)" "$(col 3)" "$(col 4)" "$(col 5)" "$(col 6)" "$(col 7)"
