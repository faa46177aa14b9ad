#!/usr/bin/env bash
# Data-parallel training through c10d (Gloo, on 127.0.0.1 only): two processes that share
# each step's streams train the same weights as one process on the whole batch (held-out
# float bpb within 1e-5, relative), started by --nproc, by torchrun's variables or by
# Slurm's; the weight check stops a run whose ranks diverge; bad splits are refused.
# Usage: train_dp_test.sh SHZ_TRAIN SOURCE_DIR
set -euo pipefail
train=$1 src=$2
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
text=$src/corpora/kjv-pentateuch.txt
tail -c 20000 "$text" >"$w/held.txt"
# Dropout 0 (the tiny preset's), one thread each: the only difference left is the order of
# the gradient sums.
base=(--preset tiny --data "$text" --valid-fraction 0.05 --segment 4096 --seed 3 -T 1 --eval-minutes 100
      --valid-bytes 4096 --max-bytes 60000)
common=("${base[@]}" --batch 8)
bpb() { "$train" float-eval --json --segment-size 4096 "$1" "$w/held.txt" | sed 's/.*"float_bpb":\([0-9.]*\).*/\1/'; }
close() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 1e-5 * a) }'; }

"$train" train "${common[@]}" --out "$w/one.ckpt" 2>"$w/one.log" || { cat "$w/one.log"; fail "one process"; }
"$train" train "${common[@]}" --nproc 2 --out "$w/two.ckpt" 2>"$w/two.log" || { cat "$w/two.log"; fail "--nproc 2"; }
grep -q "data parallel: 2 processes (torchrun-style, gloo)" "$w/two.log" || fail "the log does not say how it ran: $(head -5 "$w/two.log")"
grep -q "gradient allreduce (gloo, 2 processes)" "$w/two.log" || fail "no allreduce report"
[ "$(grep -c "^done:" "$w/two.ckpt.log")" -eq 1 ] || fail "rank 1 wrote to the log too"
b1=$(bpb "$w/one.ckpt") b2=$(bpb "$w/two.ckpt")
echo "held-out float bpb: one process $b1, two processes $b2"
close "$b1" "$b2" || fail "two processes trained other weights ($b1 vs $b2)"

# The launchers' own variables: torchrun's, then Slurm's (srun sets SLURM_*; the rendezvous
# is still MASTER_ADDR:MASTER_PORT).
port=$((20000 + RANDOM % 20000))
for r in 0 1; do
  RANK=$r WORLD_SIZE=2 LOCAL_RANK=$r MASTER_ADDR=127.0.0.1 MASTER_PORT=$port \
    "$train" train "${common[@]}" --out "$w/tr.ckpt" 2>"$w/tr$r.log" &
done
wait || fail "torchrun-style ranks: $(cat "$w/tr0.log" "$w/tr1.log" | tail -5)"
close "$b1" "$(bpb "$w/tr.ckpt")" || fail "torchrun-style ranks trained other weights"
port=$((port + 1))
for r in 0 1; do
  SLURM_PROCID=$r SLURM_NTASKS=2 SLURM_LOCALID=$r MASTER_ADDR=127.0.0.1 MASTER_PORT=$port \
    "$train" train "${common[@]}" --out "$w/sl.ckpt" 2>"$w/sl$r.log" &
done
wait || fail "Slurm-style ranks: $(cat "$w/sl0.log" "$w/sl1.log" | tail -5)"
grep -q "(slurm, gloo)" "$w/sl0.log" || fail "Slurm's variables not recognised"
close "$b1" "$(bpb "$w/sl.ckpt")" || fail "Slurm-style ranks trained other weights"

# One rank's weights nudged: the check stops the run, on every rank, with a clear error.
rc=0
SHZ_TRAIN_TEST_DIVERGE_RANK=1 "$train" train "${common[@]}" --nproc 2 --out "$w/bad.ckpt" 2>"$w/bad.log" || rc=$?
[ "$rc" -ne 0 ] && grep -q "parameters differ" "$w/bad.log" || fail "diverged ranks not stopped (exit $rc)"
rc=0
"$train" train "${base[@]}" --batch 2 --nproc 3 --out "$w/x.ckpt" 2>"$w/x.log" || rc=$?
[ "$rc" -ne 0 ] && grep -q "cannot share a batch of 2" "$w/x.log" || fail "3 processes on 2 streams: exit $rc"
echo "train_dp: one process and two (--nproc, torchrun, Slurm variables) agree; divergence and bad splits stopped"
