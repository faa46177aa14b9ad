#!/usr/bin/env bash
# The C API test, then its default archive against the CLI's: byte-identical.
# Usage: c_api_test.sh C_API_TEST SHZ SOURCE_DIR
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
head -c 10000 "$3/corpora/kjv-pentateuch.txt" >"$T/in.txt"
"$1" "$T/in.txt" "$T/c.shz"
"$2" -c "$T/in.txt" >"$T/cli.shz"
cmp "$T/c.shz" "$T/cli.shz" && echo "c_api: the C API's default archive is the CLI's, byte for byte"
