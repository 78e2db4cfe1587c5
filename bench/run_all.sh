#!/usr/bin/env bash
# Runs every figure docs/BENCHMARKS.md shows and writes the report:
#   the protocol and net suites and networks A and C (rep3, `train` suite)
#   on loopback (--net none), the LAN profile and the WAN profile,
#   then `sqt bench report` over all result files.
#
# usage: bench/run_all.sh [SQT_BINARY] [OUT_DIR]
#   SQT_BINARY  default: build/sqt (relative to the repository)
#   OUT_DIR     default: bench-results/<UTC date and time>
# environment:
#   REPEATS_NONE, REPEATS_LAN, REPEATS_WAN  repetitions per case (default 5, 3, 1)
#   QUICK=1     smoke sizes (--quick) for a fast check of the script itself
#
# Needs root for the LAN and WAN profiles (network namespaces). OUT_DIR gets
# one results file per network (none.jsonl, lan.jsonl, wan.jsonl), the
# commands with their wall time and the load average before and after each
# (run.log), and report/ (report.md and the PNG plots).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sqt=${1:-$repo/build/sqt}
out=${2:-bench-results/$(date -u +%Y%m%dT%H%M%SZ)}

usage() {
  echo "usage: bench/run_all.sh [SQT_BINARY] [OUT_DIR]" >&2
  exit 2
}
[[ $# -le 2 ]] || usage
[[ ${1:-} == -h || ${1:-} == --help ]] && usage
if [[ ! -x $sqt ]]; then
  echo "run_all.sh: SQT_BINARY '$sqt' is not an executable file (build it first: scripts/build)" >&2
  exit 2
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "run_all.sh: the LAN and WAN profiles need root (network namespaces); run with sudo" >&2
  exit 2
fi
for var in REPEATS_NONE REPEATS_LAN REPEATS_WAN; do
  value=${!var:-}
  if [[ -n $value && ! $value =~ ^[1-9][0-9]*$ ]]; then
    echo "run_all.sh: $var='$value' is not a positive whole number" >&2
    exit 2
  fi
done
if [[ -e $out/none.jsonl || -e $out/lan.jsonl || -e $out/wan.jsonl ]]; then
  echo "run_all.sh: $out already holds results; choose a new OUT_DIR" >&2
  exit 2
fi
mkdir -p "$out"
log=$out/run.log
quick=()
[[ ${QUICK:-0} == 1 ]] && quick=(--quick)

note() { echo "$*" | tee -a "$log"; }

run() {
  local start end
  note "\$ $*"
  note "  load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  start=$(date +%s.%N)
  "$@"
  end=$(date +%s.%N)
  note "  wall time: $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f s", b - a }')"
  note "  load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
}

note "run_all.sh on $(hostname) at $(date -u +%FT%TZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
note "binary: $sqt"
note "commit: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"

run "$sqt" bench protocol net train "${quick[@]}" --repeats "${REPEATS_NONE:-5}" --net none --json "$out/none.jsonl"
run "$sqt" bench protocol net train "${quick[@]}" --repeats "${REPEATS_LAN:-3}" --net lan --json "$out/lan.jsonl"
run "$sqt" bench protocol net train "${quick[@]}" --repeats "${REPEATS_WAN:-1}" --net wan --json "$out/wan.jsonl"
run "$sqt" bench report "$out/none.jsonl" "$out/lan.jsonl" "$out/wan.jsonl" --out "$out/report"

# A profile that could not be honoured runs on loopback and says so.
if grep -q '"net_fallback"' "$out/lan.jsonl" "$out/wan.jsonl"; then
  note "warning: a network profile fell back to loopback (see net_fallback in the results)"
fi
note "done: $out/report/report.md"
