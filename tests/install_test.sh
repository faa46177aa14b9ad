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
# The C library: installed into a prefix of its own (pkg-config and CMake find it there),
# the example from tests/c_api built against it both ways and run.
P="$T/dest/usr/local"
lib=$(ls "$P"/lib*/libshz.so.0 2>/dev/null | head -1)
[ -n "$lib" ] && [ -f "$P/include/shz.h" ] || bad "libshz.so.0 or shz.h not installed"
export PKG_CONFIG_PATH=$(dirname "$lib")/pkgconfig
head -c 30000 "$SRC/corpora/kjv-pentateuch.txt" >"$T/ex.txt"
if cc -o "$T/example" "$SRC/tests/c_api/example.c" $(pkg-config --cflags --libs shz) 2>"$T/cc.err"; then
  LD_LIBRARY_PATH=$(dirname "$lib") "$T/example" "$T/ex.txt" 1 >"$T/ex.out" 2>&1 && grep -q "round trip OK" "$T/ex.out" ||
    bad "the C example (pkg-config): $(cat "$T/ex.out")"
  "$bin/shz" -q -1 -c "$T/ex.txt" | cmp -s - "$T/ex.txt.shz" || bad "the C example's archive differs from shz -1's"
else
  bad "the C example does not build with pkg-config shz: $(cat "$T/cc.err")"
fi
mkdir -p "$T/consumer"
cat >"$T/consumer/CMakeLists.txt" <<EOF2
cmake_minimum_required(VERSION 3.18)
project(consumer C)
find_package(shz 0.1 REQUIRED)
add_executable(example "$SRC/tests/c_api/example.c")
target_link_libraries(example PRIVATE shz::shz)
EOF2
if cmake -S "$T/consumer" -B "$T/consumer/build" -DCMAKE_PREFIX_PATH="$P" >"$T/cm.log" 2>&1 &&
  cmake --build "$T/consumer/build" >>"$T/cm.log" 2>&1; then
  "$T/consumer/build/example" "$T/ex.txt" 1 >"$T/ex2.out" 2>&1 && grep -q "round trip OK" "$T/ex2.out" ||
    bad "the C example (find_package): $(cat "$T/ex2.out")"
else
  bad "find_package(shz) consumer: $(tail -5 "$T/cm.log")"
fi
# The Python package, where the build's interpreter looks (under DESTDIR here).
pyinit=$(find "$T/dest" -path '*/shz/__init__.py' | head -1)
if grep -q "^Python_EXECUTABLE:" "$B/CMakeCache.txt" && [ -n "$(find "$B/python" -name '_shz*.so' 2>/dev/null)" ]; then
  py=$(sed -n 's/^Python_EXECUTABLE:[A-Z]*=//p' "$B/CMakeCache.txt")
  [ -n "$pyinit" ] && PYTHONPATH=$(dirname "$(dirname "$pyinit")") "$py" -c \
    'import shz, sys; d = open(sys.argv[1], "rb").read(); assert shz.decompress(shz.compress(d, level=1)) == d' \
    "$T/ex.txt" || bad "the installed Python package does not work ($pyinit)"
fi
[ $fail -eq 0 ] && echo "install: shz, unshz, shzcat, the man page, the docs, the C library and the Python package installed and working"
exit $fail
