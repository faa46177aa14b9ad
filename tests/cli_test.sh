#!/usr/bin/env bash
# CLI behaviour: exit codes, error messages, overwrite refusal, stdin/stdout, temp-file cleanup.
# Usage: cli_test.sh path/to/shz source_dir path/to/make_random_model
set -u
SHZ=$(realpath "$1")
SRC=$(realpath "$2")
MKMODEL=$(realpath "$3")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect CODE PATTERN CMD...: runs CMD, checks its exit code and that stderr matches PATTERN.
expect() {
  local code=$1 pat=$2
  shift 2
  "$@" >out.txt 2>err.txt </dev/null
  local rc=$?
  if [ "$rc" -ne "$code" ]; then
    bad "'$*' exited $rc, expected $code; stderr: $(head -c 300 err.txt)"
  elif [ -n "$pat" ] && ! grep -qE -- "$pat" err.txt; then
    bad "'$*' stderr lacks /$pat/: $(head -c 300 err.txt)"
  elif [ "$code" -ne 0 ] && [ "$(wc -l <err.txt)" -ne 1 ] && [ "$pat" != "--help-like" ]; then
    bad "'$*' should print exactly one error line, printed: $(cat err.txt)"
  else
    ok
  fi
}

no_temp_files() {
  if ls -a | grep -q '\.tmp-'; then bad "temporary file left behind: $(ls -a | grep '\.tmp-')"; else ok; fi
}

# 20,000 bytes: most commands below run the default model (on an AVX2-only machine a few
# seconds each); the frame tests, with order2, take a longer file.
head -c 20000 "$SRC/corpora/kjv-pentateuch.txt" >a.txt
cp a.txt orig.txt
head -c 50000 "$SRC/corpora/kjv-pentateuch.txt" >fa.txt

# Basic round trip with default names; input kept by default.
expect 0 "" "$SHZ" compress -q a.txt
[ -f a.txt.shz ] && [ -f a.txt ] && ok || bad "compress should create a.txt.shz and keep a.txt"
mv a.txt a.keep
expect 0 "" "$SHZ" decompress -q a.txt.shz
cmp -s a.txt orig.txt && ok || bad "decompressed file differs"
mv a.keep a.txt

# Overwrite refusal, then -f.
expect 4 "already exists.*-f" "$SHZ" compress a.txt
expect 4 "already exists" "$SHZ" decompress a.txt.shz
expect 0 "" "$SHZ" compress -q -f a.txt
cmp -s a.txt orig.txt && ok || bad "input changed by compress -f"

# Output that is the input is refused even with -f.
expect 1 "overwrite the input" "$SHZ" compress -f -o a.txt a.txt

# stdin / stdout.
"$SHZ" compress -c <a.txt >s.shz 2>/dev/null && ok || bad "compress stdin -> stdout failed"
"$SHZ" decompress <s.shz >s.out 2>/dev/null && cmp -s s.out a.txt && ok || bad "decompress stdin -> stdout failed"
"$SHZ" compress - <a.txt >s2.shz 2>/dev/null && cmp -s s.shz s2.shz && ok || bad "'-' should mean stdin"
"$SHZ" decompress -c a.txt.shz | cmp -s - a.txt && ok || bad "decompress -c failed"
cmp -s s.shz a.txt.shz && ok || bad "archive via pipes differs from archive via files"

# -o, -k, --rm.
expect 0 "" "$SHZ" compress -q -o custom.bin a.txt
expect 0 "" "$SHZ" decompress -q -o custom.out custom.bin
cmp -s custom.out a.txt && ok || bad "-o round trip differs"
expect 1 "unknown suffix" "$SHZ" decompress custom.bin
expect 1 "one input file" "$SHZ" compress -o x.shz a.txt orig.txt
cp a.txt r.txt
expect 0 "" "$SHZ" compress -q --rm r.txt
[ ! -e r.txt ] && [ -f r.txt.shz ] && ok || bad "--rm should remove the input after success"
expect 0 "" "$SHZ" decompress -q -k r.txt.shz
[ -f r.txt.shz ] && cmp -s r.txt a.txt && ok || bad "-k should keep the archive"
expect 1 "already has .shz suffix" "$SHZ" compress a.txt.shz

# A device or pipe as the output is written in place, without -f, never replaced by a file
# (a temporary file renamed over /dev/full once did that). None of these use -f, so a
# regression stops at "already exists" rather than touching /dev.
expect 0 "" "$SHZ" compress -q -o /dev/null a.txt
[ -c /dev/null ] && ok || bad "/dev/null is no longer a character device"
expect 4 "/dev/full: write error: No space left on device" "$SHZ" compress -o /dev/full a.txt
expect 4 "/dev/full: write error" "$SHZ" decompress -o /dev/full a.txt.shz
[ -c /dev/full ] && ok || bad "/dev/full is no longer a character device"
mkfifo fifo
timeout 300 cat fifo >fifo.out &  # bounded: if shz never opens the FIFO, cat would wait for ever
reader=$!
expect 0 "" "$SHZ" decompress -q -o fifo a.txt.shz
wait $reader
[ -p fifo ] && cmp -s fifo.out a.txt && ok || bad "decompress into a FIFO differs or replaced it"
cp a.txt rd.txt
expect 0 "kept \(--rm\)" "$SHZ" compress --rm -o /dev/null rd.txt
[ -f rd.txt ] && ok || bad "--rm removed the input although the output was /dev/null"
expect 2 "/dev/null: not a regular file \(use -c or -o" "$SHZ" compress /dev/null
[ ! -e /dev/null.shz ] && ok || bad "compress /dev/null wrote /dev/null.shz"
expect 0 "" "$SHZ" compress -q -o devnull.shz /dev/null
mkdir outdir
expect 2 "model file outdir: is a directory" "$SHZ" compress -c -m outdir a.txt
expect 4 "outdir: is a directory" "$SHZ" compress -f -o outdir a.txt

# Threads never change the archive.
"$SHZ" compress -q -c -T1 --segment-size 8K a.txt >t1.shz
"$SHZ" compress -q -c -T2 --segment-size 8K a.txt >t2.shz
cmp -s t1.shz t2.shz && ok || bad "-T1 and -T2 archives differ"
expect 1 "not a size" "$SHZ" compress -c --segment-size 12Q a.txt
expect 1 "over the limit" "$SHZ" compress -c --segment-size 2G a.txt

# Bad input: one-line errors, nonzero exit, no output file left.
: >empty.shz
expect 2 "not a shz archive \(empty input\)" "$SHZ" decompress empty.shz
[ ! -e empty ] && ok || bad "failed decompress left an output file"
expect 2 "not a shz archive" "$SHZ" decompress -o foreign.out "$SRC/corpora/zstd-1.5.4-zstd.h"
[ ! -e foreign.out ] && ok || bad "failed decompress left foreign.out"
head -c 100 a.txt.shz >trunc.shz
expect 2 "truncated at byte 100" "$SHZ" decompress trunc.shz
expect 2 "truncated at byte 100" "$SHZ" info trunc.shz
expect 2 "truncated at byte 100" "$SHZ" test trunc.shz
size=$(stat -c %s a.txt.shz)
cp a.txt.shz flip.shz
printf '\x55' | dd of=flip.shz bs=1 seek=$((size - 30)) conv=notrunc 2>/dev/null
expect 2 "segment 0" "$SHZ" decompress flip.shz
[ ! -e flip ] && ok || bad "corrupt decompress left an output file"
no_temp_files
expect 2 "No such file" "$SHZ" compress missing.txt
mkdir dir
expect 2 "is a directory" "$SHZ" compress dir
# A version far beyond any this shz reads (not the next one, which a format change makes real).
printf '\x89SHZ\xc8\x00' >v200.shz
expect 2 "unsupported format version 200" "$SHZ" info v200.shz
# A flipped bit in a whole archive's version byte is damage (the header checksum says so),
# not an archive from a newer shz.
cp a.txt.shz vflip.shz
printf '\x0f' | dd of=vflip.shz bs=1 seek=4 conv=notrunc 2>/dev/null
expect 2 "header checksum mismatch" "$SHZ" test vflip.shz

# Several files: goes on after a failure and exits with the first failure's code.
cp a.txt m1.txt
cp a.txt m2.txt
expect 2 "missing2" "$SHZ" compress -q m1.txt missing2.txt m2.txt
[ -f m1.txt.shz ] && [ -f m2.txt.shz ] && ok || bad "other files should still be compressed"

# info and test.
expect 0 "" "$SHZ" info a.txt.shz
grep -q "this shz's default model" out.txt && grep -q "segments" out.txt && ok || bad "info output lacks the default model or segments: $(cat out.txt)"
expect 0 "" "$SHZ" info -v a.txt.shz
grep -qE "^ +0 +[0-9]+ " out.txt && ok || bad "info -v should list segment 0: $(cat out.txt)"
expect 0 "OK" "$SHZ" test a.txt.shz
# An older default model stays built in: its archives decode with no model file, and it can
# be chosen by name; an unknown name lists the built-in models.
cp "$SRC/tests/golden/genesis-1-4.shz-small-v1.shz" old.shz
expect 0 "" "$SHZ" info old.shz
grep -q "an older default model" out.txt && ok || bad "info should name an older default model: $(cat out.txt)"
expect 0 "" "$SHZ" decompress -q old.shz
cmp -s old "$SRC/tests/golden/genesis-1-4.txt" && ok || bad "archive of the older default model decoded wrong"
expect 0 "" "$SHZ" compress -q -m shz-small-v1 --segment-size 4096 -c a.txt
expect 1 "unknown model 'nosuch' \\(built-in: default, order2, .*shz-small-v1" "$SHZ" compress -q -m nosuch -c a.txt

# Segment methods: C source goes to LZMA2 where order2 loses; --model-only keeps the model.
head -c 40000 "$SRC/corpora/zstd-1.5.4-zstd.h" >src.h
expect 0 "" "$SHZ" compress -q -m order2 --segment-size 8K -o best.shz src.h
expect 0 "" "$SHZ" compress -q -m order2 --segment-size 8K --model-only -o pure.shz src.h
expect 0 "" "$SHZ" info -vv best.shz
grep -qE "by LZMA2" out.txt && grep -qE " lzma$" out.txt && ok || bad "info -vv should show LZMA2 segments: $(cat out.txt)"
expect 0 "" "$SHZ" info -vv pure.shz
grep -qE " lzma$" out.txt && bad "--model-only archive has LZMA2 segments: $(cat out.txt)" || ok
grep -qE "model\+match$" out.txt && bad "--model-only archive has match-model segments: $(cat out.txt)" || ok
[ "$(wc -c <best.shz)" -lt "$(wc -c <pure.shz)" ] && ok || bad "LZMA2 fallback should make src.h smaller"
expect 0 "" "$SHZ" decompress -q -c best.shz
cmp -s out.txt src.h && ok || bad "best.shz does not round-trip"

# The mixing stage (format 5, level 0), the match model (format 4) and the switches that
# turn each method off.
head -c 30000 "$SRC/corpora/kjv-pentateuch.txt" >kjv.txt
expect 0 "" "$SHZ" compress -q -0 -m order2 --segment-size 16K -o mix.shz kjv.txt
expect 0 "" "$SHZ" compress -q -m order2 --segment-size 16K --no-mix -o match.shz kjv.txt
expect 0 "" "$SHZ" compress -q -m order2 --segment-size 16K --no-match -o nomatch.shz kjv.txt
expect 0 "" "$SHZ" info -vv mix.shz
grep -q "format version  5" out.txt && grep -qE " model\+match\+mix$" out.txt && grep -q "with the match model and the mixing stage" out.txt \
  && ok || bad "info -vv should show format 5 and model+match+mix segments: $(cat out.txt)"
expect 0 "" "$SHZ" info -vv match.shz
grep -q "format version  4" out.txt && grep -qE " model\+match$" out.txt && grep -qE "by the model with the match model(,|$)" out.txt \
  && ok || bad "info -vv should show format 4 and model+match segments: $(cat out.txt)"
expect 0 "" "$SHZ" info -vv nomatch.shz
grep -q "format version  3" out.txt && ! grep -qE "model\+match|match model|mix" out.txt && ok || bad "--no-match archive: $(cat out.txt)"
[ "$(wc -c <mix.shz)" -lt "$(wc -c <match.shz)" ] && ok || bad "the mixing stage should make KJV smaller"
[ "$(wc -c <match.shz)" -lt "$(wc -c <nomatch.shz)" ] && ok || bad "the match model should make KJV smaller"
expect 0 "" "$SHZ" compress -q -m order2 --segment-size 8K --no-lzma -o nolzma.shz src.h
expect 0 "" "$SHZ" info -vv nolzma.shz
grep -qE " lzma$" out.txt && bad "--no-lzma archive has LZMA2 segments: $(cat out.txt)" || ok
for a in mix match nomatch nolzma; do
  expect 0 "" "$SHZ" decompress -q -c $a.shz
  cmp -s out.txt "$([ $a = nolzma ] && echo src.h || echo kjv.txt)" && ok || bad "$a.shz does not round-trip"
done

# Levels (format 10, context mixing): -1 .. -9, --level N, --best; a level with a switch of
# the older formats is refused.
expect 0 "" "$SHZ" compress -q -1 -m order2 -o l1.shz kjv.txt
expect 0 "" "$SHZ" compress -q --level 9 -m order2 -o l9.shz kjv.txt
expect 0 "" "$SHZ" compress -q --best -m order2 -o best9.shz kjv.txt
cmp -s l9.shz best9.shz && ok || bad "--best should equal --level 9"
expect 0 "" "$SHZ" info -vv l1.shz
grep -qE "format version +10" out.txt && grep -qE " cm\+model$" out.txt && grep -q "by context mixing with the model" out.txt \
  && ok || bad "info -vv should show format 10 and cm+model blocks: $(cat out.txt)"
[ "$(wc -c <l9.shz)" -lt "$(wc -c <mix.shz)" ] && ok || bad "context mixing should make KJV smaller than format 5"
expect 1 "cannot be combined" "$SHZ" compress -c -9 --no-mix kjv.txt
expect 1 "" "$SHZ" compress -c --level 10 kjv.txt
for a in l1 l9; do
  expect 0 "" "$SHZ" decompress -q -c $a.shz
  cmp -s out.txt kjv.txt && ok || bad "$a.shz does not round-trip"
done

# eval: bits per byte from real archives; train/export need shz-train beside shz or on PATH.
expect 0 "" "$SHZ" eval -m order2 a.txt
grep -qE "a.txt: 20000 bytes, model order2: [0-9.]+ bpb" out.txt && ok || bad "eval output: $(cat out.txt)"
expect 2 "missing.txt" "$SHZ" eval missing.txt
mkdir lonely
cp "$SHZ" lonely/shz
expect 1 "shz-train not found" env PATH=/nonexistent lonely/shz train --preset tiny
expect 1 "shz-train not found" env PATH=/nonexistent lonely/shz export x.ckpt -o x.shzm

# Usage errors and help.
expect 1 "" "$SHZ" compress --no-such-flag a.txt
# --rm removes only the file that was read: one moved into its place meanwhile stays (the
# default model takes seconds on 60 KB; the move comes after 0.3 s).
head -c 60000 "$SRC/corpora/jargon-4.4.7.txt" >race.txt
printf 'precious\n' >precious.txt
"$SHZ" compress --rm -T 1 race.txt 2>race.err &
rpid=$!
sleep 0.3
mv precious.txt race.txt
wait $rpid
[ -f race.txt ] && grep -q precious race.txt && grep -q "no longer the file that was read" race.err && ok ||
  bad "--rm removed a file moved into the input's place: $(cat race.err)"
"$SHZ" -dc race.txt.shz | cmp -s - <(head -c 60000 "$SRC/corpora/jargon-4.4.7.txt") && ok || bad "race.txt.shz"
# A legal name of 250 bytes: the temporary file must not be longer than a name may be.
long=$(printf 'n%.0s' $(seq 1 246))
head -c 1000 a.txt >"$long.txt"
expect 0 "" "$SHZ" compress -q -1 -m order2 "$long.txt"
[ -f "$long.txt.shz" ] && ok || bad "a 250-byte name's archive"
no_temp_files

# Bare shz is a filter (stdin to stdout), quiet as gzip, xz and zstd are; tar -I shz round-trips.
head -c 3000 a.txt >f.txt
"$SHZ" <f.txt >f.shz 2>f.err && [ ! -s f.err ] && "$SHZ" -d <f.shz 2>>f.err | cmp -s - f.txt && [ ! -s f.err ] && ok ||
  bad "bare shz as a filter: $(cat f.err)"
mkdir -p tdir/sub && cp f.txt tdir/ && cp a.txt tdir/sub/
if tar -I "$SHZ" -cf t.tar.shz tdir 2>t.err && mkdir tout && tar -I "$SHZ" -xf t.tar.shz -C tout 2>>t.err &&
  diff -r tdir tout/tdir >/dev/null && [ ! -s t.err ]; then ok; else bad "tar -I shz round trip: $(cat t.err)"; fi
expect 1 "unknown model 'nope'" "$SHZ" compress -c -m nope a.txt

# The same archive from separate processes, whatever the threads, the batch and the SIMD
# level (each level this CPU has; the others are named as not run).
head -c 20000 a.txt >det.txt
ref=$("$SHZ" -6 -T1 -c det.txt | md5sum)
levels=scalar
grep -qw avx2 /proc/cpuinfo && levels="$levels avx2"
grep -qw avx512_vnni /proc/cpuinfo && levels="$levels avx512" || echo "note: avx512 not run (this CPU lacks AVX-512 VNNI)"
for simd in $levels; do
  for tb in 1:1 2:16; do
    got=$(SHZ_SIMD=$simd SHZ_BATCH=${tb#*:} "$SHZ" -6 -T"${tb%:*}" -c det.txt | md5sum)
    [ "$got" = "$ref" ] && ok || bad "archive differs with SHZ_SIMD=$simd, -T${tb%:*}, SHZ_BATCH=${tb#*:}"
  done
done

# Streams of frames: archives concatenated decode as one; an input cut into frames with a
# seek index; --range decodes a slice (from a file; a pipe is refused).
head -c 3000 a.txt >c1.txt
tail -c 2000 a.txt >c2.txt
"$SHZ" -1 -m order2 -c c1.txt >c1.shz && "$SHZ" -1 -m order2 -c c2.txt >c2.shz
cat c1.txt c2.txt >c12.txt
cat c1.shz c2.shz | "$SHZ" -dc 2>c.err | cmp -s - c12.txt && ok || bad "concatenated archives: $(cat c.err)"
expect 0 "" "$SHZ" compress -q -1 -m order2 --frame-size 16K -o fr.shz fa.txt
"$SHZ" info fr.shz | grep -qE "frames +4 \(seek index" && ok || bad "info should list 4 frames and the index"
expect 0 "" "$SHZ" decompress -q --range 20000:1000 -o fr.part fr.shz
tail -c +20001 fa.txt | head -c 1000 >fr.want
cmp -s fr.part fr.want && ok || bad "--range 20000:1000 differs"
expect 1 "past the end" "$SHZ" decompress --range 60000:1 -c fr.shz
expect 1 "expected START:LENGTH" "$SHZ" decompress --range 5 -c fr.shz
# Parts compressed apart (as a Slurm job array does) and joined: the archive one run writes.
for k in 1 2 3; do expect 0 "" "$SHZ" compress -q -1 -m order2 --frame-size 16K --part $k/3 fa.txt; done
expect 0 "" "$SHZ" join -q -o joined.shz fa.txt.part1-of-3.shz fa.txt.part2-of-3.shz fa.txt.part3-of-3.shz
cmp -s joined.shz fr.shz && ok || bad "parts joined differ from one run's archive"
# A joined archive (no source file) gets a new file's mode, not the temporary file's 0600.
(umask 022 && "$SHZ" join -q -o joined2.shz fa.txt.part1-of-3.shz fa.txt.part2-of-3.shz fa.txt.part3-of-3.shz)
[ "$(stat -c %a joined2.shz)" = 644 ] && ok || bad "joined archive has mode $(stat -c %a joined2.shz), expected 644"
# The Slurm recipe's commands, run here one after another (tools/slurm-compress --local).
cp fa.txt sl.txt
SHZ="$SHZ" "$SRC/tools/slurm-compress" --local sl.txt 3 -1 -m order2 --frame-size 16K >sl.out 2>&1 &&
  cmp -s sl.txt.shz fr.shz && [ ! -e sl.txt.parts/part-1.shz ] && ok || bad "slurm-compress --local: $(cat sl.out)"
expect 1 "fewer than 5 parts" "$SHZ" compress -q -1 --frame-size 16K --part 1/5 -c fa.txt
expect 1 "expected K/N" "$SHZ" compress -q --part 3/2 -c fa.txt
expect 1 "-o FILE or -c" "$SHZ" join fa.txt.part1-of-3.shz
cat fr.shz | "$SHZ" -d --range 1:1 -c >/dev/null 2>r.err
[ $? -eq 1 ] && grep -q "seekable" r.err && ok || bad "--range from a pipe: $(cat r.err)"
"$SHZ" --help >help.txt 2>&1 && grep -q "Exit codes" help.txt && ok || bad "--help should document exit codes"
"$SHZ" --version | grep -q "^shz " && ok || bad "--version"

# SHA-RNN model files: --model, --embed-model, identity checks, info.
"$MKMODEL" -o m.shzm --d 32 --layers 2 --attn 1 --window 16 --boom 64 --seed 3 --name cli-model 2>/dev/null
"$MKMODEL" -o other.shzm --d 32 --layers 2 --attn 1 --window 16 --boom 64 --seed 4 --name cli-model 2>/dev/null
# Random weights code no text well, but with format 5's match model (-0, and no LZMA2) they
# code a text repeated three times better than storing it: an archive that needs its model.
# (At a level, context mixing alone codes it smaller, and the model is left out.)
head -c 1000 a.txt >ms1.txt
cat ms1.txt ms1.txt ms1.txt >ms.txt
expect 0 "" "$SHZ" compress -q -0 --no-lzma -m m.shzm -o ms.shz ms.txt
expect 3 "needs model file 'cli-model'.*--model" "$SHZ" decompress -o ms.out ms.shz
[ ! -e ms.out ] && ok || bad "refused decompress left ms.out"
expect 3 "but other.shzm is 'cli-model'" "$SHZ" decompress -m other.shzm -o ms.out ms.shz
expect 0 "" "$SHZ" decompress -q -m m.shzm -o ms.out ms.shz
cmp -s ms.out ms.txt && ok || bad "model-file round trip differs"
expect 0 "" "$SHZ" compress -q --no-lzma -m m.shzm --embed-model -o me.shz ms.txt
expect 0 "" "$SHZ" decompress -q -o me.out me.shz
cmp -s me.out ms.txt && ok || bad "embedded-model round trip differs"
expect 0 "" "$SHZ" info me.shz
grep -q "embedded model" out.txt && grep -q "without model" out.txt && ok || bad "info should show model bytes: $(cat out.txt)"
expect 1 "embedding a model needs a model file" "$SHZ" compress -c -m order2 --embed-model ms.txt
printf 'not a model' >junk.shzm
expect 2 "junk.shzm: header length" "$SHZ" compress -c -m junk.shzm ms.txt
# Every -m is checked, even where the archive does not need it.
expect 1 "unknown model 'NO_SUCH_MODEL'" "$SHZ" decompress -c -m NO_SUCH_MODEL ms.shz
expect 2 "junk.shzm" "$SHZ" decompress -c -m junk.shzm ms.shz
expect 2 "model file missing.shzm: cannot open: No such file" "$SHZ" compress -c -m missing.shzm ms.txt
# A block of 192 KiB or more has the model's trial: the probe leaves out a model that alone
# codes several times worse than the context mixing (these random weights) before the
# model has run over the rest of the trial, and -vv says so.
head -c 240000 "$SRC/corpora/kjv-pentateuch.txt" >probe.txt
"$SHZ" compress -vv -6 -f -m m.shzm -o probe.shz probe.txt >probe.err 2>&1
grep -q "model probe: .*leaves it out): left out; coded as cm," probe.err && ok || bad "probe note: $(cat probe.err)"
expect 0 "" "$SHZ" decompress -q -m m.shzm -f -o probe.out probe.shz
cmp -s probe.out probe.txt && ok || bad "probe round trip differs"
# One block of binary bytes: with two threads it is coded without the model while the probe
# runs, the same archive as one thread writes (which runs the probe first).
head -c 300000 "$SHZ" >bin.dat
expect 0 "" "$SHZ" compress -q -6 -T1 -f -m m.shzm -o bin1.shz bin.dat
"$SHZ" compress -vv -6 -T2 -f -m m.shzm -o bin2.shz bin.dat >bin.err 2>&1
grep -q "left out (coded without the model while the probe ran)" bin.err && ok || bad "speculative coding note: $(cat bin.err)"
cmp -s bin1.shz bin2.shz && ok || bad "speculative coding changed the archive"
expect 0 "" "$SHZ" decompress -q -m m.shzm -f -o bin.out bin2.shz
cmp -s bin.out bin.dat && ok || bad "speculative coding round trip differs"
# An archive no segment of which the model coded (here all LZMA2, at level 0) decodes without it.
expect 0 "" "$SHZ" compress -q -0 -m m.shzm -o ml.shz ms.txt
expect 0 "" "$SHZ" info ml.shz
grep -q "no segment uses it" out.txt && ok || bad "info should say the model is not needed: $(cat out.txt)"
expect 0 "" "$SHZ" decompress -q -o ml.out ml.shz
cmp -s ml.out ms.txt && ok || bad "LZMA2-only archive without its model differs"

# bench: table, CSV, JSON and SVG; zstd/xz through the libraries; a missing input fails.
head -c 20000 a.txt >bench.txt
expect 0 "" "$SHZ" bench bench.txt -m order2 --runs 1 --no-external --csv b.csv --json b.json --svg b.svg
grep -q "shz -6 order2" out.txt && grep -q "zstd -19" out.txt && grep -q "xz -9e" out.txt && ok || bad "bench table: $(cat out.txt)"
head -1 b.csv | grep -q "^corpus,compressor,version,original_bytes,compressed_bytes,bpb" && ok || bad "bench csv header"
[ "$(grep -c ',ok$' b.csv)" -eq 4 ] && ok || bad "bench csv should have 4 ok rows: $(cat b.csv)"
grep -q '"results"' b.json && grep -q '"machine"' b.json && ok || bad "bench json"
grep -q '<svg' b.svg && grep -q 'shz -6 order2' b.svg && ok || bad "bench svg"
# Each level a row; Markdown tables; published sizes as rows of their own on a replot.
expect 0 "" "$SHZ" bench bench.txt -m order2 --levels 1,9 --runs 1 --no-external --json l.json --md l.md
grep -q "| shz -1 order2 |" l.md && grep -q "| shz -9 order2 |" l.md && grep -q "^| bench.txt | 20,000 |" l.md && ok ||
  bad "bench --levels --md: $(cat l.md)"
printf 'bench.txt\tpaq8px (made up for the test)\t1234\n' >ref.tsv
expect 0 "" "$SHZ" bench --replot l.json b.json --reference ref.tsv --md r.md
grep -q "1,234 (0.494)" r.md && grep -q "shz -1 order2" r.md && grep -q "shz -6 order2" r.md && ok ||
  bad "bench --replot of two runs with --reference: $(cat r.md)"
# A merge of runs from two machines (tools/bench-merge) names each machine with what it timed.
python3 - l.json >l2.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["machine"]["simd"] = "other-simd"
json.dump(d, sys.stdout)
PY
"$SRC/tools/bench-merge" merged.json b.json l2.json && ok || bad "bench-merge failed"
# A baseline's size that moved means other bytes under the same name: the merge refuses.
python3 - l2.json >l3.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
next(r for r in d["results"] if r["compressor"] == "xz -9e")["compressed_bytes"] += 1
json.dump(d, sys.stdout)
PY
expect 1 "bench.txt with xz -9e is .* not the input the other rows measured" "$SRC/tools/bench-merge" m3.json b.json l3.json
[ ! -e m3.json ] && ok || bad "a refused merge wrote m3.json"
expect 0 "" "$SHZ" bench --replot merged.json --md m.md
# (l2.json, merged last, replaces the rows the two runs share: zstd's and xz's.)
grep -q "^Machines (speeds compare only within one): .*SIMD other-simd: zstd -19, .*shz -1 order2, shz -9 order2\.$" m.md &&
  grep -q "SIMD $(sed -n 's/.*"simd": "\([^"]*\)".*/\1/p' b.json): shz -6 order2; " m.md && ok ||
  bad "a merged table should name each row's machine: $(head -2 m.md)"
expect 2 "no-such-dir: no such file or directory" "$SHZ" bench no-such-dir
mkdir empty-dir
expect 2 "no input files" "$SHZ" bench empty-dir

# Terminal refusal (needs a pseudo-terminal: util-linux 'script').
if command -v script >/dev/null; then
  script -qec "$SHZ compress a.txt -c" /dev/null >tty.txt 2>&1
  grep -q "refusing to write compressed data to a terminal" tty.txt && ok || bad "should refuse to write to a terminal: $(cat tty.txt)"
  script -qec "$SHZ decompress" /dev/null >tty2.txt 2>&1
  grep -q "refusing to read compressed data from a terminal" tty2.txt && ok || bad "should refuse terminal input: $(cat tty2.txt)"
fi

# As zstd and xz: no subcommand compresses; -d, -t, -l (alone or in a cluster such as -dc)
# decompress, test, describe; two modes are refused; "--" ends the options.
mkdir zs && head -c 20000 a.txt >zs/z.txt && cp zs/z.txt zs/orig
expect 0 "" "$SHZ" -q zs/z.txt
[ -f zs/z.txt.shz ] && ok || bad "'shz FILE' should write FILE.shz"
expect 0 "" "$SHZ" -t -q zs/z.txt.shz
expect 0 "" "$SHZ" -l zs/z.txt.shz
grep -q "format version" out.txt && ok || bad "'shz -l' should describe the archive"
"$SHZ" -dcq zs/z.txt.shz >zs/dc.out 2>/dev/null && cmp -s zs/dc.out zs/orig && ok || bad "'shz -dcq' round trip"
rm zs/z.txt
expect 0 "" "$SHZ" --decompress -q zs/z.txt.shz
cmp -s zs/z.txt zs/orig && ok || bad "'shz --decompress' round trip"
expect 1 "one of -d, -t and -l" "$SHZ" -d -t zs/z.txt.shz
expect 2 "No such file" "$SHZ" -q -- -d

# Ctrl-C during a long compression removes the partial output.
head -c 3000000 /dev/zero | tr '\0' 'a' >big.txt
cat "$SRC"/corpora/*.txt >>big.txt
"$SHZ" compress -q -T1 big.txt &
pid=$!
sleep 0.3
kill -INT $pid
wait $pid
rc=$?
if [ $rc -eq 130 ]; then
  [ ! -e big.txt.shz ] && ok || bad "interrupted compress left big.txt.shz"
  no_temp_files
elif [ $rc -eq 0 ]; then
  echo "note: compression finished before the signal; interrupt case not exercised"
else
  bad "interrupted compress exited $rc"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
