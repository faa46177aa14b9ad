#!/usr/bin/env bash
# tools/enwik8-recipe on a small real file: the 90/5/5 split is exact and contiguous, and
# train -> export -> archive -> round trip -> report runs through. The file is enwik8's own
# first 300,000 bytes when a copy of enwik8-head is here (corpora/external, from
# tools/fetch-corpora, or ../shared/corpora), so the path a GPU user runs on enwik8 is the
# path tested; else the bundled KJV text's. (300,000 bytes: the plumbing is the same at any
# size; 1,000,000 took six minutes of a test run on an AVX2-only machine, 300,000 take 30 s.)
set -euo pipefail
src=$1 bin=$2
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
data=$w/head
if [ -f "$src/corpora/external/enwik8-head" ]; then
  head -c 300000 "$src/corpora/external/enwik8-head" >"$data"
elif [ -f "$src/../shared/corpora/enwik8-head-3M.xz" ]; then
  xz -dc "$src/../shared/corpora/enwik8-head-3M.xz" | head -c 300000 >"$data" || true
fi
[ -s "$data" ] || head -c 300000 "$src/corpora/kjv-pentateuch.txt" >"$data"
echo "recipe_test: on $data"
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
