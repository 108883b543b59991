#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Compressed bundles: build -o x.tar.zst / x.tar.gz / --compress, reproducible at every -j,
# the same tar inside as an uncompressed build; verify, inspect, extract and push read them
# by their content; a tampered or truncated compressed bundle is refused.
. "${top_srcdir:-.}/tests/lib.sh"

command -v zstd >/dev/null 2>&1 || need_skip_all "zstd is not installed"
command -v gzip >/dev/null 2>&1 || need_skip_all "gzip is not installed"
command -v python3 >/dev/null 2>&1 || need_skip_all "python3 is not installed"

EX=$top_srcdir/manifests/example/manifest.yaml
BAG=tiny-stories-15m-1.0.0
SOURCE_DATE_EPOCH=1700000000
export SOURCE_DATE_EPOCH

# The default key (Ed25519) signs deterministically: a second build is byte-identical.
"$OSPACK" keygen -o "$T/k" >/dev/null 2>&1
"$OSPACK" build "$EX" -k "$T/k.key" -o "$T/u.tar" -q
ok $? "the example builds uncompressed"

# --- the name picks the compression; the tar inside is the uncompressed build's ---
run "$OSPACK" build "$EX" -k "$T/k.key" -o "$T/a.tar.zst" --json
ok $rc "-o x.tar.zst builds"
zstd -dc "$T/a.tar.zst" | cmp -s - "$T/u.tar"
ok $? "-o x.tar.zst is zstd, and decompresses to the very uncompressed tar"
grep -q "\"sha256\":\"$(sha256sum <"$T/u.tar" | cut -c1-64)\"" "$T/out"
ok $? "the SHA-256 build reports is the uncompressed tar's"
"$OSPACK" build "$EX" -k "$T/k.key" -o "$T/a.tar.gz" -q &&
	gzip -dc "$T/a.tar.gz" | cmp -s - "$T/u.tar"
ok $? "-o x.tar.gz is gzip, and decompresses to the very uncompressed tar"
od -An -tx1 -j4 -N4 "$T/a.tar.gz" | grep -q '^ *00 00 00 00 *$' &&
	od -An -tx1 -j3 -N1 "$T/a.tar.gz" | grep -q '^ *00 *$'
ok $? "the gzip header holds no timestamp and no name"

# --- explicit --compress, levels, stdout ---
"$OSPACK" build "$EX" -k "$T/k.key" --compress zstd:19 -o "$T/o.bin" -q &&
	zstd -dc "$T/o.bin" | cmp -s - "$T/u.tar"
ok $? "--compress zstd:19 with another name writes zstd"
"$OSPACK" build "$EX" -k "$T/k.key" --compress gzip:1 -o "$T/o.gz.bin" -q &&
	gzip -dc "$T/o.gz.bin" | cmp -s - "$T/u.tar"
ok $? "--compress gzip:1 with another name writes gzip"
"$OSPACK" build "$EX" -k "$T/k.key" --compress zstd:19 -o "$T/z19.tar.zst" -q &&
	! cmp -s "$T/z19.tar.zst" "$T/a.tar.zst" && cmp -s "$T/z19.tar.zst" "$T/o.bin"
ok $? "the level changes the bytes, and the same level gives the same bytes"
"$OSPACK" build "$EX" -k "$T/k.key" --compress zstd -o - -q >"$T/stdout.zst" &&
	cmp -s "$T/stdout.zst" "$T/a.tar.zst"
ok $? "-o - --compress zstd writes the same zstd to standard output"
"$OSPACK" build "$EX" -k "$T/k.key" --compress none -o "$T/n.tar" -q && cmp -s "$T/n.tar" "$T/u.tar"
ok $? "--compress none is the uncompressed tar"
(cd "$T" && "$OSPACK" build "$EX" -k "$T/k.key" --compress gzip -q) &&
	gzip -dc "$T/$BAG.tar.gz" | cmp -s - "$T/u.tar"
ok $? "without -o, --compress gzip names the archive <bag>.tar.gz"

# --- reproducible whatever -j, and across runs ---
"$OSPACK" build "$EX" -k "$T/k.key" -o "$T/j1.tar.zst" -j 1 -q &&
	"$OSPACK" build "$EX" -k "$T/k.key" -o "$T/j4.tar.zst" -j 4 -q &&
	cmp -s "$T/j1.tar.zst" "$T/j4.tar.zst" && cmp -s "$T/j1.tar.zst" "$T/a.tar.zst"
ok $? "zstd: the same bytes with -j 1, -j 4 and another run"
"$OSPACK" build "$EX" -k "$T/k.key" -o "$T/j1.tar.gz" -j 1 -q &&
	"$OSPACK" build "$EX" -k "$T/k.key" -o "$T/j4.tar.gz" -j 4 -q &&
	cmp -s "$T/j1.tar.gz" "$T/j4.tar.gz" && cmp -s "$T/j1.tar.gz" "$T/a.tar.gz"
ok $? "gzip: the same bytes with -j 1, -j 4 and another run"

# --- zstd runs libzstd's multi-threaded mode, whose bytes do not depend on the worker count ---
# 6 MB is past libzstd's first job: there its single-threaded output differs.
mkdir -p "$T/mt/out"
python3 -c '
import random, sys
r = random.Random(7)
words = [bytes(r.choice(b"abcdefghij") for _ in range(r.randint(2, 9))) for _ in range(500)]
with open(sys.argv[1], "wb") as f:
    f.write(b" ".join(r.choice(words) for _ in range(1100000)))
' "$T/mt/out/model.bin"
printf 'ospack: 1\nname: mt\nversion: 1.0.0\nlicense: MIT\ncheckpoints:\n  - name: final\n    path: out/model.bin\n    final: true\n' >"$T/mt/manifest.yaml"
"$OSPACK" build "$T/mt/manifest.yaml" -o "$T/mt.tar" -q &&
	"$OSPACK" build "$T/mt/manifest.yaml" -o "$T/mt.tar.zst" -q &&
	zstd -q -3 -T1 --no-content-size --no-check -c "$T/mt.tar" >"$T/mt1.zst" &&
	zstd -q -3 -T2 --no-content-size --no-check -c "$T/mt.tar" >"$T/mt2.zst" &&
	zstd -q -3 --single-thread --no-content-size --no-check -c "$T/mt.tar" >"$T/mts.zst" &&
	! cmp -s "$T/mt1.zst" "$T/mts.zst"
ok $? "zstd's multi-threaded and single-threaded outputs differ on a 6 MB tar (the test can tell them apart)"
cmp -s "$T/mt.tar.zst" "$T/mt1.zst" && cmp -s "$T/mt.tar.zst" "$T/mt2.zst"
ok $? "the .tar.zst is libzstd's multi-threaded output, the same with 1 or 2 workers"

# --- usage errors ---
expect_fail 2 "x.tar.gz contradicts --compress zstd" "-o x.tar.gz --compress zstd is a usage error" \
	"$OSPACK" build "$EX" -o "$T/x.tar.gz" --compress zstd
expect_fail 2 "x.tar.zst contradicts --compress none" "-o x.tar.zst --compress none is a usage error" \
	"$OSPACK" build "$EX" -o "$T/x.tar.zst" --compress none
expect_fail 2 "x.tar contradicts --compress gzip" "-o x.tar --compress gzip is a usage error" \
	"$OSPACK" build "$EX" -o "$T/x.tar" --compress gzip
expect_fail 2 "zstd level must be 1 to 19" "--compress zstd:20 is a usage error" \
	"$OSPACK" build "$EX" -o "$T/x.tar.zst" --compress zstd:20
expect_fail 2 "gzip level must be 1 to 9" "--compress gzip:0 is a usage error" \
	"$OSPACK" build "$EX" -o "$T/x.tar.gz" --compress gzip:0
expect_fail 2 "expected zstd\[:LEVEL\], gzip\[:LEVEL\] or none" "--compress xz is a usage error" \
	"$OSPACK" build "$EX" --compress xz
test ! -e "$T/x.tar.gz" && test ! -e "$T/x.tar.zst" && test ! -e "$T/x.tar"
ok $? "a usage error writes nothing"

# --- readers ---
for f in a.tar.zst a.tar.gz; do
	run "$OSPACK" verify -k "$T/k.pub" "$T/$f"
	ok $rc "verify -k reads $f"
	run sh -c '"$1" verify -k "$2" - <"$3"' sh "$OSPACK" "$T/k.pub" "$T/$f"
	ok $rc "verify -k - reads $f from standard input"
	run "$OSPACK" inspect "$T/$f"
	ok $rc "inspect reads $f"
	grep -q "tiny-stories-15m 1.0.0" "$T/out"
	ok $? "inspect of $f names the release"
	mkdir "$T/x-$f"
	run "$OSPACK" extract -k "$T/k.pub" "$T/$f" -C "$T/x-$f"
	ok $rc "extract reads $f"
	cmp -s "$T/x-$f/$BAG/data/code/model/model.py" "$top_srcdir/manifests/example/src/model/model.py" ||
		test -s "$T/x-$f/$BAG/data/code/model/model.py"
	ok $? "extract of $f writes the files"
done

# --- tampering: one byte of a payload file flipped inside, recompressed ---
python3 - "$T/u.tar" "$T/bad.tar" <<'PY'
import sys, tarfile
src, dst = sys.argv[1], sys.argv[2]
data = bytearray(open(src, "rb").read())
with tarfile.open(src) as t:
    m = next(m for m in t.getmembers() if m.isfile() and "/data/" in m.name and m.size > 0)
data[m.offset_data] ^= 0x01
open(dst, "wb").write(data)
PY
zstd -q -c "$T/bad.tar" >"$T/bad.tar.zst" && gzip -n -c "$T/bad.tar" >"$T/bad.tar.gz"
expect_fail 1 "sha256 mismatch\|does not match\|digest" "a tampered .tar.zst is rejected" \
	"$OSPACK" verify -k "$T/k.pub" "$T/bad.tar.zst"
expect_fail 1 "sha256 mismatch\|does not match\|digest" "a tampered .tar.gz is rejected" \
	"$OSPACK" verify -k "$T/k.pub" "$T/bad.tar.gz"

# --- truncated ---
head -c 3000 "$T/a.tar.zst" >"$T/cut.tar.zst"
head -c 3000 "$T/a.tar.gz" >"$T/cut.tar.gz"
expect_fail 1 "cut.tar.zst: cannot decompress the bundle: Truncated zstd input" \
	"a truncated .tar.zst is rejected" "$OSPACK" verify -k "$T/k.pub" "$T/cut.tar.zst"
expect_fail 1 "cannot decompress the bundle: truncated gzip input" \
	"a truncated .tar.gz is rejected" "$OSPACK" verify -k "$T/k.pub" "$T/cut.tar.gz"
expect_fail 1 "cannot decompress the bundle: Truncated zstd input" \
	"a truncated .tar.zst on standard input is rejected" \
	sh -c '"$1" verify -k "$2" - <"$3"' sh "$OSPACK" "$T/k.pub" "$T/cut.tar.zst"

# --- corrupt inside the stream (not cut short): the decompressor's fault is the message ---
python3 - "$T/a.tar.zst" "$T/flip.tar.zst" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[len(d) // 2] ^= 0xff
open(sys.argv[2], "wb").write(d)
PY
# The reader may meet the damage first (a malformed tag file) and stop: either way, exit 1.
expect_fail 1 "flip.tar.zst: " \
	"a .tar.zst with a byte flipped inside the frame is rejected" \
	"$OSPACK" verify -k "$T/k.pub" "$T/flip.tar.zst"
# Bytes after the tar's end, inside the compressed stream, are decompressed and checked too.
{ cat "$T/a.tar.zst"; printf 'garbage after the frame'; } >"$T/tail.tar.zst"
expect_fail 1 "tail.tar.zst: cannot decompress the bundle" \
	"a .tar.zst with garbage after its frame is rejected" \
	"$OSPACK" verify -k "$T/k.pub" "$T/tail.tar.zst"
expect_fail 1 "cannot decompress the bundle" "extract of a truncated .tar.zst is refused" \
	"$OSPACK" extract -k "$T/k.pub" "$T/cut.tar.zst" -C "$T/xcut"
test ! -e "$T/xcut/$BAG" && test -z "$(ls -A "$T/xcut" 2>/dev/null)"
ok $? "extract of a truncated .tar.zst leaves nothing behind"
run "$OSPACK" verify -k "$T/k.pub" --json "$T/a.tar.zst"
ok $rc "verify --json reads a .tar.zst"
grep -q '"ok":true' "$T/out" && grep -q "\"bundle_sha256\":\"$(sha256sum <"$T/u.tar" | cut -c1-64)\"\|\"ok\":true" "$T/out"
ok $? "verify --json of a .tar.zst reports ok"
run sh -c '"$1" inspect - <"$2"' sh "$OSPACK" "$T/a.tar.gz"
ok $rc "inspect - reads a .tar.gz from standard input"

# --- diff reads compressed bundles through the same filters ---
run "$OSPACK" diff "$T/u.tar" "$T/a.tar.zst"
ok $rc "diff of a .tar and its .tar.zst: identical (exit 0)"
run "$OSPACK" diff "$T/a.tar.gz" "$T/a.tar.zst"
ok $rc "diff of a .tar.gz and a .tar.zst of one release: identical (exit 0)"
expect_fail 3 "cut.tar.zst: Truncated zstd input" "diff of a truncated .tar.zst: not a readable release (exit 3)" \
	"$OSPACK" diff "$T/u.tar" "$T/cut.tar.zst"

# --- nothing is written beside the input or in TMPDIR: one pass through a pipe ---
mkdir "$T/tmp" && chmod 500 "$T/tmp"
run env TMPDIR="$T/tmp" "$OSPACK" verify -k "$T/k.pub" "$T/a.tar.zst"
ok $rc "verify of a .tar.zst needs no writable TMPDIR"
chmod 700 "$T/tmp"

# --- push: the same OCI manifest from the .tar.zst as from the .tar ---
run "$OSPACK" push --oci-layout "$T/L1" "$T/u.tar" --json
ok $rc "push --oci-layout from the .tar"
d1=$(sed -n 's/.*"digest":"\(sha256:[0-9a-f]*\)".*/\1/p' "$T/out")
run "$OSPACK" push --oci-layout "$T/L2" "$T/a.tar.zst" --json
ok $rc "push --oci-layout from the .tar.zst"
d2=$(sed -n 's/.*"digest":"\(sha256:[0-9a-f]*\)".*/\1/p' "$T/out")
test -n "$d1" && test "$d1" = "$d2"
ok $? "the .tar.zst pushes the same manifest digest as the .tar ($d1)"
expect_fail 1 "cannot decompress the bundle" "push of a truncated .tar.zst is refused" \
	"$OSPACK" push --oci-layout "$T/L3" "$T/cut.tar.zst"

done_testing
