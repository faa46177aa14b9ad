#!/usr/bin/env bash
# Writes the fuzz seeds: small archives of every segment method (formats 3-5 at -0; format
# 6-7's context mixing, with and without the model's input, in lanes), (small, so the fuzzer tries
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
"$shz" compress -q -f -0 -m order2 --segment-size 256 -o "$out/order2-match.shz" "$tmp/text"
"$shz" compress -q -f -m order2 --model-only --segment-size 256 -o "$out/order2.shz" "$tmp/text"
"$shz" compress -q -f -0 -m order2 --segment-size 512 -o "$out/lzma.shz" "$tmp/code"
cp "$out/lzma.shz" "$tmp/incompressible"
"$shz" compress -q -f -0 -m order2 --segment-size 512 -o "$out/stored.shz" "$tmp/incompressible"
"$shz" compress -q -f -0 --segment-size 128 -o "$out/default-model.shz" "$tmp/short"
# Format 7: context mixing with order2's pmfs as an input, in two lanes; and alone (the
# random model loses, so it is left out). cm-model.v6.shz (three lanes) and cm.v6.shz are the same texts'
# format 6 archives (the CM's revision 1), kept, not rewritten, while decoders read format 6.
"$shz" compress -q -f -m order2 --no-lzma -6 --lane-size 750 -o "$out/cm-model.shz" "$tmp/text"
"$shz" compress -q -f -m "$out/tiny.shzm" --no-lzma -1 -o "$out/cm.shz" "$tmp/code"
# Round-trip inputs (fuzz_roundtrip: byte 0 picks the block size and level, byte 1 the
# options): level 6 in blocks of 4 KiB with LZMA2 on 3 threads; level 9 in four lanes.
{ printf '\065\046'; head -c 6000 "$here/../golden/genesis-1-4.txt"; } >"$out/roundtrip-cm6.bin"
{ printf '\120\144'; head -c 6000 "$here/../../corpora/zstd-1.5.4-zstd.h"; } >"$out/roundtrip-cm9-lanes.bin"
# Streams of frames (fuzz_decompress): an input in three frames with a seek index, and a lone
# archive concatenated before it.
"$shz" compress -q -f -1 -m order2 --frame-size 500 -o "$out/frames.shz" "$tmp/text"
cat "$out/order2.shz" "$out/frames.shz" >"$out/concatenated.shz"
# Round trip with the tiny SHA-RNN (byte 1's top bit): level 1 in frames of 3 blocks of 1 KiB
# (byte 0 >= 162) with LZMA2; format 5 (match model and mixing) in segments of 128 bytes.
{ printf '\250\242'; head -c 13000 "$here/../golden/genesis-1-4.txt"; } >"$out/roundtrip-tiny-frames.bin"
{ printf '\245\221'; head -c 1000 "$here/../golden/genesis-1-4.txt"; } >"$out/roundtrip-tiny-mix.bin"
