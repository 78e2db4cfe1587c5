#!/usr/bin/env bash
# Peak resident memory of each party process of `sqt bench train` for one
# network, over the untimed and timed batches only: /usr/bin/time -v reports
# only the largest single process and includes the im2col comparison and the
# clear emulation that follow the batches; this samples every party's VmRSS
# once a second, stops the bench once its rounds row is written, and prints
# "pid peak_kB" per party (largest last). Used for docs/PERFORMANCE.md.
#   bench/report/peak_rss.sh PROTOCOL PARTIES NETWORK OUT_PREFIX [SQT]
# e.g. bench/report/peak_rss.sh shamir 10 C /tmp/shamir_C_10
# writes OUT_PREFIX.jsonl (the bench rows), OUT_PREFIX.out, OUT_PREFIX.rss.
set -uo pipefail
protocol=${1:?usage: peak_rss.sh PROTOCOL PARTIES NETWORK OUT_PREFIX [SQT]}
parties=${2:?parties}
network=${3:?network (A, B, C, D, ...)}
out=${4:?output prefix}
sqt=${5:-$(dirname "$0")/../../build/sqt}
[ -x "$sqt" ] || { echo "peak_rss.sh: no executable sqt at $sqt" >&2; exit 1; }
rm -f "$out.jsonl"
"$sqt" bench train --protocol "$protocol" --parties "$parties" --repeats 1 --only "net_$network" \
  --json "$out.jsonl" >"$out.out" 2>&1 &
launcher=$!
party_pattern="append --backend [a-z-]* --protocol $protocol "
declare -A peak
while kill -0 "$launcher" 2>/dev/null; do
  for pid in $(pgrep -f "$party_pattern"); do
    kb=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null)
    if [ -n "$kb" ] && [ "$kb" -gt "${peak[$pid]:-0}" ]; then peak[$pid]=$kb; fi
  done
  grep -q "\"net_$network/${protocol}_rounds_per_batch\"" "$out.jsonl" 2>/dev/null && break
  sleep 1
done
kill "$launcher" 2>/dev/null
pkill -f "$party_pattern"
for pid in "${!peak[@]}"; do echo "$pid ${peak[$pid]}"; done | sort -k2 -n >"$out.rss"
echo "parties sampled: $(wc -l <"$out.rss"), largest peak: $(tail -n 1 "$out.rss" | cut -d' ' -f2) kB"
