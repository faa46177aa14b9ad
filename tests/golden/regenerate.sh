#!/usr/bin/env bash
# Rewrites the golden archive. Only for a deliberate format or model change: say so in the
# commit, bump the format version or model revision, and update docs/FORMAT.md with it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
shz=${1:?usage: regenerate.sh path/to/shz}
head -c 12000 "$here/../../corpora/kjv-pentateuch.txt" > "$here/genesis-1-4.txt"
"$shz" compress -q -f -m order2 --segment-size 4096 -o "$here/genesis-1-4.txt.shz" "$here/genesis-1-4.txt"
