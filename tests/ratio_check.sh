#!/usr/bin/env bash
# Ratio regression check (zstd keeps a results.csv the same way): compresses the bundled
# corpora with the recorded models and compares archive sizes with tests/results.csv.
# Output is deterministic, so any change fails: a regression must be fixed, an intended
# change recorded with tools/update-results in the same commit. A model written
# NAME:model-only compresses with --model-only (no LZMA2 fallback), so the model's own bits
# are watched too; NAME:-N at level N (else the default level). The two long texts (KJV and
# jargon, 2.5 MB) are watched at the default level and with order2; levels 1 and 9 and the
# model alone on the C header only: on the texts they were most of the 17 minutes the check
# took on an AVX2-only machine, and the golden archives pin levels 1, 6 and 9 byte for byte
# (tests/test_golden.cpp).
# Usage: ratio_check.sh path/to/shz source_dir [FILE | --write]  (FILE: check its rows only)
set -u
SHZ=$1
SRC=$2
ONLY=${3:-}
CSV="$SRC/tests/results.csv"
# pack MODEL FILE: the archive's size in bytes.
pack() {
  local flags=()
  case $1 in
    *:model-only) flags=(--model-only) ;;
    *:-[0-9]) flags=("${1##*:}") ;;
  esac
  "$SHZ" compress -q -c -m "${1%%:*}" "${flags[@]}" "$2" | wc -c
}
if [ "${3:-}" = "--write" ]; then
  {
    echo "file,model,original_bytes,archive_bytes"
    for m in default default:-1 default:-9 default:model-only order2; do
      for f in jargon-4.4.7.txt kjv-pentateuch.txt zstd-1.5.4-zstd.h; do
        case $f:$m in jargon*:default:* | kjv*:default:*) continue ;; esac
        n=$(stat -c %s "$SRC/corpora/$f")
        a=$(pack "$m" "$SRC/corpora/$f")
        echo "$f,$m,$n,$a"
      done
    done
  } >"$CSV"
  cat "$CSV"
  exit 0
fi
pass=0
fail=0
while IFS=, read -r file model orig recorded; do
  [ "$file" = file ] && continue
  [ -n "$ONLY" ] && [ "$file" != "$ONLY" ] && continue
  now=$(pack "$model" "$SRC/corpora/$file")
  if [ "$now" != "$recorded" ]; then
    echo "FAIL: $file with $model: $now bytes, results.csv records $recorded (run tools/update-results if intended)"
    fail=$((fail + 1))
  else
    pass=$((pass + 1))
  fi
done <"$CSV"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
