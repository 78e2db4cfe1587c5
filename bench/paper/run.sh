#!/usr/bin/env bash
# Reruns the paper's table: every network under the secure protocol (rep3)
# with its clear-emulation and float (plain) twins, each run's metrics lines
# and its manifest entry (command, commit, machine, date) written to
# OUT/results/, then RESULTS.md, PERFORMANCE.md and the plots regenerated
# into OUT by `sqt bench report --manifest`.
#
#   bench/paper/run.sh quick [OUT]   a few batches of each network (minutes)
#   bench/paper/run.sh full  [OUT]   the long recipes (hours)
#
# Environment: SQT (the sqt program, default build/sqt), SQT_DATA (the
# datasets, default ../shared/data beside the repository), PAPER_NETWORKS
# (default "A B C D alexnet cifar" for full, "A B C D alexnet" for quick: a
# secure test pass of the cifar network over all of CIFAR-10 takes minutes). A network whose dataset is missing is skipped
# with a message; when none can run the script exits 77 (skipped).
#
# Quick runs are smoke figures, not results: they train 2 batches and test on
# the first $QUICK_TEST MNIST test images (a cut copy of the set in OUT/data;
# CIFAR-10's reader takes only whole files, so AlexNet tests on all 10000).
# To publish a full run, see docs/RESULTS.md ("Adding a run").
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
mode=${1:-}
case "$mode" in
  quick | full) ;;
  *)
    echo "usage: $0 quick|full [OUT]" >&2
    exit 2
    ;;
esac
out=${2:-$repo/build/paper-$mode}
sqt=${SQT:-$repo/build/sqt}
data=${SQT_DATA:-$repo/../shared/data}
default_networks="A B C D alexnet"
[[ $mode == full ]] && default_networks+=" cifar"
networks=${PAPER_NETWORKS:-$default_networks}
QUICK_TEST=${QUICK_TEST:-512}

[[ -x $sqt ]] || { echo "$0: no sqt program at $sqt (build it, or set SQT)" >&2; exit 2; }
mkdir -p "$out/results"
out=$(cd "$out" && pwd)
manifest=$out/results/manifest.jsonl
rm -f "$out"/results/*.jsonl

commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null) ]]; then
  commit="$commit (with uncommitted changes)"
fi
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
machine="$(nproc) cores, ${cpu:-unknown CPU}, three local parties"
day=$(date -u +%F)

# The recipes. Network C: the long secure run of the issue; B and D the same
# for two epochs; AlexNet five epochs of SGD with a linear schedule on
# standardised inputs (the recorded run); the improved CIFAR network two
# epochs of the same recipe, tested 250 images at a time (1000 at a time
# does not fit beside three parties' training state).
declare -A full_recipe=(
  [A]="--epochs 1 --batch 64 --lr 0.05 --lr-schedule linear --standardize --seed 1"
  [B]="--epochs 2 --lr 0.05 --lr-schedule linear --standardize --seed 1"
  [C]="--epochs 10 --lr 0.05 --lr-schedule linear --standardize --seed 1"
  [D]="--epochs 2 --lr 0.05 --lr-schedule linear --standardize --seed 1"
  [alexnet]="--epochs 5 --lr 0.05 --lr-schedule linear --standardize --seed 1"
  [cifar]="--epochs 2 --lr 0.05 --lr-schedule linear --standardize --seed 1 --eval-batch 250"
)
quick_recipe="--epochs 1 --max-batches 2 --lr 0.05 --lr-schedule linear --standardize --seed 1"

dataset_of() { [[ $1 == alexnet || $1 == cifar ]] && echo cifar10 || echo mnist; }

has_dataset() {  # DIR NAME
  case "$2" in
    mnist) [[ -e $1/mnist/t10k-images-idx3-ubyte.gz || -e $1/mnist/t10k-images-idx3-ubyte ]] ;;
    cifar10) [[ -e $1/cifar10/test_batch.bin.gz || -e $1/cifar10/test_batch.bin ]] ;;
  esac
}

# OUT/data: MNIST with its training files linked and its test set cut to the
# first $QUICK_TEST images (IDX header count rewritten); CIFAR-10 linked.
make_quick_data() {
  local src=$data/mnist dst=$out/data/mnist f
  mkdir -p "$dst"
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte; do
    rm -f "$dst/$f" "$dst/$f.gz"
    if [[ -e $src/$f.gz ]]; then ln -s "$src/$f.gz" "$dst/$f.gz"; else ln -s "$src/$f" "$dst/$f"; fi
  done
  cut_idx() {  # NAME HEADER_BYTES RECORD_BYTES
    local in=$src/$1 full=$dst/$1.full count
    if [[ -e $in.gz ]]; then zcat "$in.gz" >"$full"; else cat "$in" >"$full"; fi
    count=$(printf '%08x' "$QUICK_TEST")
    {
      head -c 4 "$full"
      printf "\\x${count:0:2}\\x${count:2:2}\\x${count:4:2}\\x${count:6:2}"
      head -c $(($2 + QUICK_TEST * $3)) "$full" | tail -c +9
    } >"$dst/$1"
    rm -f "$full"
  }
  cut_idx t10k-images-idx3-ubyte 16 784
  cut_idx t10k-labels-idx1-ubyte 8 1
  if [[ -d $data/cifar10 ]]; then ln -sfn "$data/cifar10" "$out/data/cifar10"; fi
}

json() {  # a JSON string
  local s=${1//\\/\\\\}
  printf '"%s"' "${s//\"/\\\"}"
}

run() {  # NETWORK PROTOCOL FLAGS...
  local net=$1 protocol=$2
  shift 2
  local metrics=$out/results/${net}_${protocol}.jsonl
  local args=(train --model "$net" --protocol "$protocol" "$@" --quiet --metrics "$metrics")
  echo "== sqt ${args[*]}"
  local start=$SECONDS
  "$sqt" "${args[@]}" | sed 's/^/   /'
  echo "   ($((SECONDS - start)) s)"
  local note=""
  [[ $mode == quick ]] && note=", \"note\": \"quick smoke run: 2 batches, not a result\""
  local milestones=""
  [[ $mode == full && $net == C ]] && milestones=', "milestones": [99.0, 99.2]'
  printf '{"metrics": %s, "command": %s, "commit": %s, "machine": %s, "date": %s%s%s}\n' \
    "$(json "${net}_${protocol}.jsonl")" "$(json "sqt ${args[*]}")" "$(json "$commit")" \
    "$(json "$machine")" "$(json "$day")" "$milestones" "$note" >>"$manifest"
}

if [[ $mode == quick ]] && has_dataset "$data" mnist; then make_quick_data; fi
ran=0
for net in $networks; do
  [[ -v full_recipe[$net] ]] || { echo "$0: unknown network '$net' (A B C D alexnet cifar)" >&2; exit 2; }
  set_name=$(dataset_of "$net")
  if ! has_dataset "$data" "$set_name"; then
    echo "skip $net: no $set_name dataset in $data (scripts/fetch-data, or set SQT_DATA)"
    continue
  fi
  if [[ $mode == quick ]]; then
    read -r -a recipe <<<"$quick_recipe --data $out/data"
    [[ $set_name == mnist ]] && recipe+=(--eval-batch "$QUICK_TEST")
  else
    read -r -a recipe <<<"${full_recipe[$net]} --data $data"
  fi
  checkpoint=()
  [[ $mode == full ]] && checkpoint=(--checkpoint "$out/checkpoint_$net")
  run "$net" rep3 "${recipe[@]}" "${checkpoint[@]}"
  run "$net" clear --threads 1 "${recipe[@]}"
  run "$net" plain "${recipe[@]}"
  ran=$((ran + 1))
done
if ((ran == 0)); then
  echo "$0: no network could run (no datasets in $data): skipped"
  exit 77
fi

"$sqt" bench report --manifest "$manifest" --out "$out"
