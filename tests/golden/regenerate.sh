#!/usr/bin/env bash
# Rewrites the golden archives. Only for a deliberate format or model change: say so in the
# commit, bump the format version or model revision, update docs/FORMAT.md with it, and keep
# the previous archive as a decode-only golden (genesis-1-4.vN.shz) while decoders read it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
shz=${1:?usage: regenerate.sh path/to/shz}
head -c 12000 "$here/../../corpora/kjv-pentateuch.txt" > "$here/genesis-1-4.txt"
# --model-only: the re-encode check pins order2 and the layout, not liblzma.
"$shz" compress -q -f -m order2 --model-only --segment-size 4096 -o "$here/genesis-1-4.txt.shz" "$here/genesis-1-4.txt"
# Format 4: the same text with order2 refined by the match model (--no-lzma: again
# nothing from liblzma), pinning the match model's arithmetic.
"$shz" compress -q -f -m order2 --no-lzma --no-mix --segment-size 4096 -o "$here/genesis-1-4.match.shz" "$here/genesis-1-4.txt"
# Format 5: the same, coded through the mixing stage, pinning its arithmetic.
"$shz" compress -q -f -0 -m order2 --no-lzma --segment-size 4096 -o "$here/genesis-1-4.mix.shz" "$here/genesis-1-4.txt"
# The default SHA-RNN model (--no-lzma --no-mix: the model's pmfs and the match model, so
# the archive pins the engine). Older default models' goldens are kept, not rewritten: they
# pin that archives made with them still decode.
"$shz" compress -q -f --no-lzma --no-mix --segment-size 4096 -o /tmp/default.$$.shz "$here/genesis-1-4.txt"
name=$("$shz" info /tmp/default.$$.shz | sed -n 's/^  model *\([^ ]*\) .*/\1/p')
mv /tmp/default.$$.shz "$here/genesis-1-4.$name.shz"
# C source, where LZMA2 beats order2: pins the LZMA2 segment method (decode only: another
# liblzma may code the same bytes differently, which the format allows).
head -c 12000 "$here/../../corpora/zstd-1.5.4-zstd.h" > /tmp/zstd-h-12k.$$
"$shz" compress -q -f -m order2 --no-match --segment-size 4096 -o "$here/zstd-h-12k.shz" /tmp/zstd-h-12k.$$
rm -f /tmp/zstd-h-12k.$$
# Format 10, context mixing (--no-lzma: nothing from liblzma): order2's pmfs as the model
# input, at the default level in four lanes, and at levels 1 and 9 (their own contexts,
# finders and APMs); and the default SHA-RNN model at the default level. Then a bitmap at
# the default level (revision 5's bitmap contexts): fax-gsdoc.raw, 160 rows of a page that
# tools/make-eval-sets renders (corpora/dev/bitmap-gsdoc.raw, bytes 126,811 to 160,570; kept
# here, not rewritten, so the golden does not need ghostscript).
"$shz" compress -q -f -m order2 --no-lzma -6 --lane-size 3000 -o "$here/genesis-1-4.cm.shz" "$here/genesis-1-4.txt"
"$shz" compress -q -f -m order2 --no-lzma -1 -o "$here/genesis-1-4.cm1.shz" "$here/genesis-1-4.txt"
"$shz" compress -q -f -m order2 --no-lzma -9 -o "$here/genesis-1-4.cm9.shz" "$here/genesis-1-4.txt"
"$shz" compress -q -f --no-lzma -6 -o "$here/genesis-1-4.cm-default.shz" "$here/genesis-1-4.txt"
"$shz" compress -q -f -m order2 --no-lzma -6 -o "$here/fax-gsdoc.cm.shz" "$here/fax-gsdoc.raw"
