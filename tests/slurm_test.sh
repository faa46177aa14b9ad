#!/usr/bin/env bash
# The Slurm recipes end to end on a single-node Slurm started here (tools/slurm-local):
# tools/slurm-compress as a job array of parts and a dependent join job (the archive one
# run writes, byte for byte), and tools/slurm-train as two srun tasks (the weights one
# process trains). Needs root and Debian's slurm-wlm and munge; exits 77 (skipped) without
# them. Not part of tools/setup's packages, so CI skips it; run it where Slurm is installed.
# Usage: slurm_test.sh SHZ SHZ_TRAIN SOURCE_DIR
set -euo pipefail
shz=$(realpath "$1") train=$(realpath "$2") src=$(realpath "$3")
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null || [ "$(id -u)" -ne 0 ]; then
  echo "slurm_test: SKIPPED (needs root, slurm-wlm and munge)"
  exit 77
fi
w=$(mktemp -d)
export SHZ_SLURM_DIR=$w/slurm
trap '"$src/tools/slurm-local" stop >/dev/null; rm -rf "$w"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
eval "$("$src/tools/slurm-local" start)" || fail "single-node Slurm did not start"
cd "$w"
head -c 100000 "$src/corpora/kjv-pentateuch.txt" >big.txt
SHZ=$shz "$src/tools/slurm-compress" big.txt 3 -1 -m order2 --frame-size 16K >submit.txt
for _ in $(seq 120); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 1; done
[ -f big.txt.shz ] || fail "no joined archive: $(cat submit.txt big.txt.parts/*.log 2>/dev/null | tail -5)"
"$shz" -1 -m order2 --frame-size 16K -c big.txt | cmp -s - big.txt.shz || fail "the job array's archive differs from one run's"
"$shz" -dc big.txt.shz | cmp -s - big.txt || fail "the job array's archive does not decode to the input"

text=$src/corpora/kjv-pentateuch.txt
args=(--preset tiny --data "$text" --valid-fraction 0.05 --segment 4096 --seed 3 -T 1 --eval-minutes 100
      --valid-bytes 4096 --batch 8 --max-bytes 60000)
"$train" train "${args[@]}" --out one.ckpt 2>one.log || fail "one process"
SHZ_TRAIN=$train timeout 600 sbatch --wait --ntasks=2 --cpus-per-task=1 --output=tr.out "$src/tools/slurm-train" \
  "${args[@]}" --out sl.ckpt >/dev/null || fail "slurm-train: $(tail -5 tr.out)"
grep -q "data parallel: 2 processes (slurm, gloo)" sl.ckpt.log || fail "the ranks did not join as Slurm tasks"
a=$(tail -1 one.ckpt.curve.csv | cut -d, -f3) b=$(tail -1 sl.ckpt.curve.csv | cut -d, -f3)
[ "$a" = "$b" ] || fail "two Slurm tasks trained other weights (validation $a vs $b bpb)"
echo "slurm: job array compression = one run's archive; 2 srun tasks train as 1 process ($a bpb)"
