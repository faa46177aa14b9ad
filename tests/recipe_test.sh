#!/usr/bin/env bash
# tools/enwik8-recipe on a small real file: the 90/5/5 split is exact and contiguous, and
# train -> export -> archive -> round trip -> report runs through.
set -euo pipefail
src=$1 bin=$2
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
data=$src/corpora/kjv-pentateuch.txt
"$src/tools/enwik8-recipe" --data "$data" --work "$w" --preset tiny --epochs 1 --segment 8192 --device cpu \
  --verify --bin "$bin" >"$w/out" 2>"$w/err" || { cat "$w/out" "$w/err"; exit 1; }
cat "$w/out"
cat "$w/train.txt" "$w/valid.txt" "$w/test.txt" | cmp -s - "$data" || { echo "FAIL: split is not the file" >&2; exit 1; }
n=$(stat -c %s "$data")
[ "$(stat -c %s "$w/train.txt")" -eq $((n * 90 / 100)) ] || { echo "FAIL: train split size" >&2; exit 1; }
[ "$(stat -c %s "$w/valid.txt")" -eq $((n * 5 / 100)) ] || { echo "FAIL: validation split size" >&2; exit 1; }
grep -q "round trip: identical" "$w/out" || { echo "FAIL: no round trip" >&2; exit 1; }
grep -q "shz archive" "$w/out" && grep -q "float model" "$w/out" || { echo "FAIL: no report" >&2; exit 1; }
echo "recipe_test: ok"
