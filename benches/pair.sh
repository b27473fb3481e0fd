#!/usr/bin/env bash
# Times two builds of leadloop on the same command, in turn (A B A B ...),
# so that a drift in the machine's speed moves both alike; prints each
# run's wall seconds, CPU seconds and peak RSS in MiB (from /usr/bin/time),
# then the medians and the median of the pairs' A/B wall ratios.
#
#   benches/pair.sh [-n RUNS] [--cold] A_BIN B_BIN -- ARGS...
#
# e.g. benches/pair.sh -n 3 --cold /tmp/leadloop-new /tmp/leadloop-old -- \
#        --data /tmp/leadloop-bench/10000000 report --out /tmp/pair-out
#
# RUNS (default 5) is a whole number from 1. --cold gives every run an
# empty cache folder (LEADLOOP_CACHE_DIR), removed after it: a first
# command on an export. Without it each build keeps its own cache folder
# across its runs, and one uncounted run of each fills it first: every
# counted run is warm. What a command prints is thrown away; a run that
# fails stops the script (exit 1) with its exit code and last lines.
# Timings are to 0.01 s: ratios of sub-second commands are coarse.
set -euo pipefail
usage() {
  sed -n '2,18p' "$0" >&2
  exit 2
}
runs=5
cold=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n)
      [[ $# -ge 2 ]] || usage
      runs="$2"
      shift 2
      ;;
    --cold) cold=1; shift ;;
    *) break ;;
  esac
done
if ! [[ "$runs" =~ ^[0-9]+$ ]] || ((10#$runs < 1)); then
  echo "pair.sh: -n $runs: give a whole number of runs from 1" >&2
  exit 2
fi
if [[ $# -lt 3 || "$3" != "--" ]]; then
  usage
fi
a="$1"; b="$2"; shift 3
work="$(mktemp -d "${TMPDIR:-/tmp}/leadloop-pair.XXXXXX")"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$work/cache-a" "$work/cache-b"

# One run of build $1 (label $2, a or b) on the rest: "wall cpu peak_mib"
# into the file named by the label.
one() {
  local bin="$1" label="$2" cache="$work/cache-$2" code=0
  shift 2
  if [[ $cold == 1 ]]; then
    cache="$work/cold"
    rm -rf "$cache" && mkdir -p "$cache"
  fi
  LEADLOOP_CACHE_DIR="$cache" /usr/bin/time -f '%e %U %S %M' -o "$work/time" \
    "$bin" "$@" >/dev/null 2>"$work/err" || code=$?
  if [[ $code != 0 ]]; then
    echo "pair.sh: $label ($bin) exited $code:" >&2
    tail -3 "$work/err" >&2
    exit 1
  fi
  awk '{ printf "%.2f %.2f %.0f\n", $1, $2 + $3, $4 / 1024 }' "$work/time" >"$work/$label"
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

if [[ $cold == 0 ]]; then
  one "$a" a "$@"
  one "$b" b "$@"
fi
printf 'run  A wall  A cpu  A peak MiB   B wall  B cpu  B peak MiB   A/B wall\n'
: >"$work/rows"
for i in $(seq 1 "$runs"); do
  one "$a" a "$@"
  one "$b" b "$@"
  read -r aw ac ap <"$work/a"
  read -r bw bc bp <"$work/b"
  ratio=$(awk -v x="$aw" -v y="$bw" 'BEGIN { if (y > 0) printf "%.3f", x / y; else print "-" }')
  printf '%3d  %6s  %5s  %10s   %6s  %5s  %10s   %8s\n' "$i" "$aw" "$ac" "$ap" "$bw" "$bc" "$bp" "$ratio"
  echo "$aw $ac $ap $bw $bc $bp $ratio" >>"$work/rows"
done
col() { awk -v c="$1" '$c != "-" { print $c }' "$work/rows" | median; }
printf 'med  %6s  %5s  %10s   %6s  %5s  %10s   %8s\n' \
  "$(col 1)" "$(col 2)" "$(col 3)" "$(col 4)" "$(col 5)" "$(col 6)" "$(col 7)"
