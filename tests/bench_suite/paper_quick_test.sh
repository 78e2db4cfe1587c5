#!/usr/bin/env bash
# bench/paper/run.sh quick, then its RESULTS.md checked against the metrics
# lines the runs wrote: each run's row and each network's float-versus-secure
# row carry the final accuracies read here from the JSON (awk, not the
# generator). Usage: paper_quick_test.sh RUN_SH SQT
set -euo pipefail
run_sh=$1
sqt=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

set +e
SQT=$sqt bash "$run_sh" quick "$out" >"$out/log" 2>&1
rc=$?
set -e
if ((rc == 77)); then
  tail -3 "$out/log"
  exit 77
fi
if ((rc != 0)); then
  cat "$out/log"
  echo "FAIL: run.sh quick exited $rc"
  exit 1
fi
grep '^skip' "$out/log" || true

fail=0
check() {  # TEXT WHAT
  if ! grep -qF -- "$1" "$out/RESULTS.md"; then
    echo "FAIL: RESULTS.md lacks $2: '$1'"
    fail=1
  fi
}
final() {  # METRICS -> "12.34 %": the last epoch's test_accuracy
  tail -1 "$1" | sed 's/.*"test_accuracy":\([0-9.e-]*\).*/\1/' | awk '{printf "%.2f %%", 100 * $1}'
}

networks=$(sed 's/.*"metrics": "\([^_]*\)_.*/\1/' "$out/results/manifest.jsonl" | uniq)
[[ -n $networks ]] || { echo "FAIL: empty manifest"; exit 1; }
for net in $networks; do
  for protocol in plain clear rep3; do
    metrics=$out/results/${net}_${protocol}.jsonl
    [[ -s $metrics ]] || { echo "FAIL: no metrics $metrics"; fail=1; continue; }
    grep -q '"batches":2,' "$metrics" || { echo "FAIL: $metrics did not train 2 batches"; fail=1; }
    check "| $net | $protocol | 1 | $(final "$metrics") |" "the $net $protocol run"
  done
  check "| $(final "$out/results/${net}_plain.jsonl") | $(final "$out/results/${net}_clear.jsonl") | $(final "$out/results/${net}_rep3.jsonl") |" \
    "the $net float-versus-secure row"
done
check "sqt train --model C --protocol rep3 --epochs 1 --max-batches 2" "the command of a run"
grep -qF "| C | rep3 | 1 |" "$out/PERFORMANCE.md" || { echo "FAIL: PERFORMANCE.md lacks the C rep3 row"; fail=1; }
((fail == 0)) && echo "paper quick: $(echo $networks | wc -w) networks, RESULTS.md rows match the metrics lines"
exit $fail
