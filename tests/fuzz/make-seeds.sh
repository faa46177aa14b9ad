#!/usr/bin/env bash
# Writes the fuzz seeds: small archives of every segment method (small, so the fuzzer tries
# many mutations a second) and a tiny SHA-RNN model file, alone and embedded. Rerun after a
# format or model-file change; the test suite replays these through both fuzz targets.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
shz=${1:?usage: make-seeds.sh path/to/shz path/to/make_random_model}
random_model=${2:?usage: make-seeds.sh path/to/shz path/to/make_random_model}
out=$here/seeds
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$random_model" -o "$out/tiny.shzm" --d 16 --layers 2 --attn 1 --window 8 --boom 32 >/dev/null 2>&1
head -c 1500 "$here/../golden/genesis-1-4.txt" > "$tmp/text"
head -c 1500 "$here/../../corpora/zstd-1.5.4-zstd.h" > "$tmp/code"
head -c 200 "$here/../golden/genesis-1-4.txt" > "$tmp/short"
"$shz" compress -q -f -m "$out/tiny.shzm" --embed-model --model-only --segment-size 512 -o "$out/embedded-model.shz" "$tmp/text"
"$shz" compress -q -f -m order2 --segment-size 256 -o "$out/order2-match.shz" "$tmp/text"
"$shz" compress -q -f -m order2 --model-only --segment-size 256 -o "$out/order2.shz" "$tmp/text"
"$shz" compress -q -f -m order2 --segment-size 512 -o "$out/lzma.shz" "$tmp/code"
cp "$out/lzma.shz" "$tmp/incompressible"
"$shz" compress -q -f -m order2 --segment-size 512 -o "$out/stored.shz" "$tmp/incompressible"
"$shz" compress -q -f --segment-size 128 -o "$out/default-model.shz" "$tmp/short"
