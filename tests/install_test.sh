#!/usr/bin/env bash
# `cmake --install` into a scratch prefix (with DESTDIR, as packagers run it): shz and its
# links are installed, and the links behave as unzstd and zstdcat do.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -u
B=$(realpath "$1")
SRC=$(realpath "$2")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
bad() { fail=1; echo "FAIL: $*"; }
DESTDIR="$T/dest" cmake --install "$B" --prefix /usr/local >"$T/log" 2>&1 || { cat "$T/log"; bad "cmake --install"; }
bin="$T/dest/usr/local/bin"
for f in shz unshz shzcat; do [ -x "$bin/$f" ] || bad "$bin/$f not installed"; done
[ -f "$T/dest/usr/local/share/doc/shz/FORMAT.md" ] || bad "docs not installed"
for m in shz unshz shzcat; do [ -e "$T/dest/usr/local/share/man/man1/$m.1" ] || bad "man page $m.1 not installed"; done
head -c 20000 "$SRC/corpora/kjv-pentateuch.txt" >"$T/k.txt"
cp "$T/k.txt" "$T/orig"
"$bin/shz" -q "$T/k.txt" || bad "installed shz FILE"
"$bin/shzcat" "$T/k.txt.shz" 2>/dev/null | cmp -s - "$T/orig" || bad "shzcat FILE.shz"
rm "$T/k.txt"
"$bin/unshz" -q "$T/k.txt.shz" && cmp -s "$T/k.txt" "$T/orig" || bad "unshz FILE.shz"
# The manual page keeps up with the options: every long option of compress and decompress.
opts=$({ "$bin/shz" compress --help; "$bin/shz" decompress --help; } | grep -oE -- '--[a-z][a-z-]+' | sort -u)
for o in $opts; do
  [ "$o" = "--help" ] && continue
  grep -qF -- "$(printf '%s' "$o" | sed 's/-/\\-/g')" "$SRC/docs/shz.1" || bad "docs/shz.1 does not mention $o"
done
[ $fail -eq 0 ] && echo "install: shz, unshz, shzcat, the man page and the docs installed and working"
exit $fail
