#!/usr/bin/env bash
# Training end to end on real text with the tiny preset: the loss drops over a few dozen
# steps, resuming continues the run, export quantises it, and the integer engine agrees with
# the float model (archive within 1% of the float cross-entropy, argmax, KL).
# Usage: train_test.sh SHZ_TRAIN SHZ MODEL_AGREEMENT SOURCE_DIR
set -euo pipefail
train=$1 shz=$2 agree=$3 src=$4
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
text=$src/corpora/kjv-pentateuch.txt
# Held-out text: the last 20000 bytes, inside the 5% validation tail the run never trains on.
tail -c 20000 "$text" >"$w/held.txt"
common=(--preset tiny --data "$text" --valid-fraction 0.05 --segment 4096 --seed 3 -T 2 --out "$w/t.ckpt"
        --eval-minutes 100 --valid-bytes 4096)

"$train" train "${common[@]}" --max-bytes 1 2>"$w/log0" || { cat "$w/log0"; fail "first training step"; }
grep -q "validation \[" "$w/log0" || fail "the log does not state the train/validation split"
b0=$("$train" float-eval --json --segment-size 4096 "$w/t.ckpt" "$w/held.txt" | sed 's/.*"float_bpb":\([0-9.]*\).*/\1/')
"$train" train "${common[@]}" --max-bytes 200000 --resume 2>"$w/log1" || { cat "$w/log1"; fail "resumed training"; }
grep -q "resumed" "$w/log1" || fail "resume did not say so"
b1=$("$train" float-eval --json --segment-size 4096 "$w/t.ckpt" "$w/held.txt" | sed 's/.*"float_bpb":\([0-9.]*\).*/\1/')
echo "held-out float bpb: $b0 after 1 step, $b1 after ~100 steps"
awk -v a="$b0" -v b="$b1" 'BEGIN { exit !(b < a - 2.0 && b < 4.5) }' || fail "loss did not drop enough ($b0 -> $b1)"
test -s "$w/t.ckpt.curve.svg" && test -s "$w/t.ckpt.curve.csv" || fail "no training curve"

"$train" export "$w/t.ckpt" -o "$w/t.shzm" --name tiny-test 2>"$w/elog" || { cat "$w/elog"; fail "export"; }
if "$train" export "$w/t.ckpt" -o "$w/t.shzm" 2>/dev/null; then fail "export overwrote without -f"; fi
if "$train" export "$text" -o "$w/x.shzm" 2>"$w/err"; then fail "exported a text file"; fi
grep -q "not a shz training checkpoint" "$w/err" || fail "unclear error for a foreign checkpoint: $(cat "$w/err")"
# Bad usage: one line and exit 1, as shz itself (CLI11 had printed two lines and exited 106).
rc=0; "$train" export 2>"$w/err" || rc=$?
[ "$rc" -eq 1 ] && [ "$(wc -l <"$w/err")" -eq 1 ] && grep -q "checkpoint is required" "$w/err" ||
  fail "export without arguments: exit $rc, stderr: $(cat "$w/err")"

# Integer engine vs float model on the held-out text, segments as in the archive.
"$train" float-eval --segment-size 4096 --dump-probs "$w/p.f32" "$w/t.ckpt" "$w/held.txt" >/dev/null
# Bounds: 1% size gap (the issue's budget); argmax agreement 95% (ties between near-equal
# top bytes may flip under 16-bit pmfs); mean KL 0.03 bits/byte (about 1% of ~3 bpb).
"$agree" "$w/t.shzm" "$w/held.txt" "$w/p.f32" 4096 0.01 0.95 0.03 || fail "integer engine disagrees with the float model"
"$shz" eval -m "$w/t.shzm" --segment-size 4K --checkpoint "$w/t.ckpt" "$w/held.txt" | tee "$w/eval"
grep -q "float" "$w/eval" || fail "shz eval did not report the float model"
"$shz" compress -q -m "$w/t.shzm" --segment-size 4K -o "$w/h.shz" "$w/held.txt"
"$shz" decompress -q -m "$w/t.shzm" -o "$w/h.out" "$w/h.shz"
cmp -s "$w/held.txt" "$w/h.out" || fail "round trip with the exported model"

# --init: a new run from the exported model's weights starts where the integer model is
# (float model within 2% of the integer engine's bits, after one step at a negligible rate).
init=(--preset tiny --data "$text" --valid-fraction 0.05 --segment 4096 --seed 4 -T 2 --out "$w/i.ckpt"
      --eval-minutes 100 --valid-bytes 4096 --max-bytes 1 --lr 1e-9)
"$train" train "${init[@]}" --init "$w/t.shzm" 2>"$w/ilog" || { cat "$w/ilog"; fail "training from --init"; }
grep -q "initialised from" "$w/ilog" || fail "the log does not say where the weights came from"
bi=$("$train" float-eval --json --segment-size 4096 "$w/i.ckpt" "$w/held.txt" | sed 's/.*"float_bpb":\([0-9.]*\).*/\1/')
bq=$(sed -n 's/.*model tiny-test: \([0-9.]*\) bpb.*/\1/p' "$w/eval")
echo "held-out bpb: integer $bq, float after --init $bi (trained float $b1)"
awk -v a="$bi" -v b="$bq" 'BEGIN { d = (a - b) / b; exit !(d < 0.02 && d > -0.02) }' ||
  fail "--init does not reproduce the model ($bi bpb against the integer engine's $bq)"
if "$train" train --preset small --data "$text" --out "$w/j.ckpt" --max-bytes 1 --init "$w/t.shzm" 2>"$w/err"; then
  fail "--init accepted a model of another shape"
fi
grep -q "other hyperparameters" "$w/err" || fail "unclear error for --init with another preset: $(cat "$w/err")"
echo "train_test: ok"
