#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ospack verify against hostile bundles: tar headers no signature covers, and input made to
# cost memory before a signature is checked. Each is refused with its exit code and message.
. "${top_srcdir:-.}/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"

BAG=hv-1.0.0
# A name of 120 bytes: ustar cannot hold it, ospack writes a pax path record.
LONG=$(printf 'n%.0s' $(seq 120)).txt
RSS_MAX=262144 # KiB: 256 MiB

tamper() {
	python3 "$top_srcdir/tests/tamper.py" "$@" 2>"$T/tamper.err" ||
		diag "tamper.py $*: $(cat "$T/tamper.err")"
}

# refused FILE MSG DESC ARG...: verify exits 1 and stderr is exactly "ospack: FILE: MSG".
refused() {
	f=$1 msg=$2 desc=$3
	shift 3
	run "$OSPACK" verify "$f" "$@"
	if [ "$rc" -eq 1 ] && [ "$(cat "$T/err")" = "ospack: $f: $msg" ]; then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		diag "exit $rc (want 1); stderr:" "$(cat "$T/err")" "want: ospack: $f: $msg"
	fi
}

# rss_refused FILE MSG DESC ARG...: as refused, and verify's peak RSS (GNU time) stays
# under 256 MiB.
rss_refused() {
	f=$1 msg=$2 desc=$3
	shift 3
	rm -f "$T/rss"
	/usr/bin/time -f %M -o "$T/rss" "$OSPACK" verify "$f" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -eq 1 ] && [ "$(cat "$T/err")" = "ospack: $f: $msg" ]; then
		ok 0 "$desc: exit 1 and its message"
	else
		ok 1 "$desc: exit 1 and its message"
		diag "exit $rc (want 1); stderr:" "$(cat "$T/err")" "want: ospack: $f: $msg"
	fi
	rss=$(tail -n 1 "$T/rss" 2>/dev/null)
	if [ "${OSPACK_SANITIZED:-}" = 1 ]; then
		skip "$desc: peak RSS under 256 MiB" "sanitizers change memory use"
	elif [ -n "$rss" ] && [ "$rss" -lt "$RSS_MAX" ] 2>/dev/null; then
		ok 0 "$desc: peak RSS $rss KiB, under 256 MiB"
	else
		ok 1 "$desc: peak RSS under 256 MiB"
		diag "peak RSS: '${rss}' KiB (GNU time at /usr/bin/time: $(cat "$T/rss" 2>&1))"
	fi
}

# ======== a release with long, non-ASCII and plain names, signed ========

mkdir -p "$T/rel/src/sub" && printf 'a\n' >"$T/rel/src/a.txt" &&
	printf 'long\n' >"$T/rel/src/$LONG" && printf 'caf\n' >"$T/rel/src/sub/café.txt" &&
	printf '#!/bin/sh\n' >"$T/rel/src/run.sh" && chmod 755 "$T/rel/src/run.sh" &&
	cat >"$T/rel/manifest.yaml" <<'EOF'
ospack: 1
name: hv
version: 1.0.0
license: Apache-2.0
code:
  - name: tool
    path: src/
    role: inference
EOF
ok $? "the release's files"
"$OSPACK" keygen -o "$T/k" >/dev/null 2>&1 &&
	"$OSPACK" build "$T/rel/manifest.yaml" -q -k "$T/k.key" -o "$T/s.tar"
ok $? "build a signed bundle"
S=$T/s.tar
A=data/code/tool/a.txt
L=data/code/tool/$LONG

# ======== what ospack wrote verifies, as a file, through a pipe, and unpacked ========

run "$OSPACK" verify "$S" -k "$T/k.pub"
ok $rc "a bundle ospack built verifies (file)"
"$OSPACK" verify - -k "$T/k.pub" <"$S" >"$T/out" 2>"$T/err"
ok $? "a bundle ospack built verifies (pipe)"
mkdir "$T/x" && tar -xf "$S" -C "$T/x" && "$OSPACK" verify "$T/x/$BAG" -k "$T/k.pub" >"$T/out" 2>"$T/err"
ok $? "a bundle ospack built verifies (folder)"
tamper "$S" "$T/repack.tar" repack
cmp -s "$S" "$T/repack.tar"
ok $? "tamper.py writes the very header bytes ospack writes (a repack is byte-identical)"

# ======== tar headers: only the bytes ospack's writer makes ========

# hdr N VARIANT PATH MSG DESC: PATH's header rewritten as VARIANT is refused with MSG.
hdr() {
	tamper "$S" "$T/h$1.tar" header "$3" "$2"
	refused "$T/h$1.tar" "$3: $4" "$5" -k "$T/k.pub"
}
hdr 1 paxsize "$A" "a pax header where ospack writes none" \
	"a pax size record over a ustar size of 0 (BusyBox tar reads another file)"
hdr 2 dotdot "$L" "a tar header that differs from ospack's in its name field" \
	"a ustar name ../evil.txt under a pax path"
hdr 3 absolute "$L" "a tar header that differs from ospack's in its name field" \
	"an absolute ustar name under a pax path"
hdr 4 dotdot "$A" "a pax header where ospack writes none" \
	"a pax path, where none is needed, over a ustar name ../evil.txt"
hdr 5 paxpath "$A" "a pax header where ospack writes none" "a pax path where none is needed"
hdr 6 mtime "$A" "a tar header that differs from ospack's in its mtime field" \
	"an entry with another mtime"
hdr 7 base256 "$A" "a tar header that differs from ospack's in its size field" \
	"a size in base-256"
hdr 8 zeromode "$A" "a tar header that differs from ospack's in its mode field" \
	"a mode with a leading zero and no space"
hdr 9 junk "$A" "a tar header that differs from ospack's in its name field" \
	"bytes after the NUL that ends a name"
hdr 10 magic "$A" "a header that is not POSIX ustar" "GNU tar's magic"
hdr 11 mtime "$L" "a tar header that differs from ospack's in its mtime field" \
	"another mtime after a pax header"

# ======== memory: what is read before a signature is checked ========

# An envelope of empty arrays near the old 128 MiB limit of a tag file: refused by its size,
# before it is read.
python3 -c "
import sys
n = 120 * 1024 * 1024 // 3
sys.stdout.write('[' + '[],' * (n - 1) + '[]]')" >"$T/env-big.json"
tamper "$S" "$T/m1.tar" envelope-file "$T/env-big.json"
rss_refused "$T/m1.tar" "ospack/statement.dsse.json: $(wc -c <"$T/env-big.json" | tr -d ' ') bytes, more than the 16777216 (16 MiB) an envelope may have (a v1 bundle listing this many files is not supported)" \
	"an envelope of 120 MiB of empty arrays" -k "$T/k.pub"
rm -f "$T/env-big.json" "$T/m1.tar"

# Just over the bound.
python3 -c "import sys; sys.stdout.write('[' + ' ' * (16 * 1024 * 1024 - 1) + ']')" >"$T/env-over.json"
tamper "$S" "$T/m2.tar" envelope-file "$T/env-over.json"
rss_refused "$T/m2.tar" "ospack/statement.dsse.json: 16777217 bytes, more than the 16777216 (16 MiB) an envelope may have (a v1 bundle listing this many files is not supported)" \
	"an envelope one byte over 16 MiB"

# Just under it: Jansson would need 50 times its size; it is counted first.
python3 -c "
import sys
n = (16 * 1024 * 1024 - 2) // 3
sys.stdout.write('[' + '[],' * (n - 1) + '[]]')" >"$T/env-arrays.json"
tamper "$S" "$T/m3.tar" envelope-file "$T/env-arrays.json"
rss_refused "$T/m3.tar" "ospack/statement.dsse.json: more than 520 JSON values (ospack writes far fewer)" \
	"an envelope of 16 MiB of empty arrays" -k "$T/k.pub"
python3 -c "
import sys
n = 8 * 1024 * 1024
sys.stdout.write('[' * n + ']' * n)" >"$T/env-deep.json"
tamper "$S" "$T/m4.tar" envelope-file "$T/env-deep.json"
rss_refused "$T/m4.tar" "ospack/statement.dsse.json: JSON nested more than 4 deep (ospack's is not)" \
	"an envelope of 8 MiB of nested arrays" -k "$T/k.pub"
rm -f "$T"/env-*.json "$T"/m[234].tar

# An unsigned statement, read without -k: 11 MiB of empty arrays, refused by their count.
python3 -c "
import sys
n = 11 * 1024 * 1024 // 3
sys.stdout.write('{\"subject\":[' + '[],' * (n - 1) + '[]]}')" >"$T/st-arrays.json"
tamper "$S" "$T/m5.tar" statement-file "$T/st-arrays.json"
rss_refused "$T/m5.tar" "the statement: more than 500000 JSON values (ospack writes far fewer)" \
	"an unsigned statement of 11 MiB of empty arrays, no -k"
# The most a statement may hold: 499,990 empty objects, which Jansson does build.
python3 -c "
import sys
n = 499990
sys.stdout.write('{\"subject\":[' + '{},' * (n - 1) + '{}]}')" >"$T/st-objects.json"
tamper "$S" "$T/m6.tar" statement-file "$T/st-objects.json"
rss_refused "$T/m6.tar" "ospack/statement.dsse.json: not an in-toto statement: Object item not found: _type" \
	"an unsigned statement of 499,990 empty objects, no -k"
python3 -c "
import sys
n = 40
sys.stdout.write('{\"subject\":' + '[' * n + ']' * n + '}')" >"$T/st-deep.json"
tamper "$S" "$T/m7.tar" statement-file "$T/st-deep.json"
refused "$T/m7.tar" "the statement: JSON nested more than 32 deep (ospack's is not)" \
	"an unsigned statement nested 41 deep"
rm -f "$T"/st-*.json "$T"/m[567].tar

# Other tag files read whole: bag-info.txt, and a fetch.txt or bagit.txt of another size.
python3 -c "import sys; sys.stdout.write('Bag-Software-Agent: ospack\n' + 'X: ' + 'x' * (9 * 1024 * 1024) + '\n')" >"$T/bag-info.txt"
tamper "$S" "$T/m8.tar" tagfile bag-info.txt "$T/bag-info.txt"
rss_refused "$T/m8.tar" "bag-info.txt: $(wc -c <"$T/bag-info.txt" | tr -d ' ') bytes, more than the 8388608 ospack reads" \
	"a bag-info.txt of 9 MiB"
python3 -c "import sys; sys.stdout.write('BagIt-Version: 1.0\n' * 1000000)" >"$T/bagit.txt"
tamper "$S" "$T/m9.tar" tagfile bagit.txt "$T/bagit.txt"
rss_refused "$T/m9.tar" "bagit.txt: not the BagIt 1.0 declaration" "a bagit.txt of 19 MB"
rm -f "$T/bag-info.txt" "$T/bagit.txt" "$T"/m[89].tar

# A v1 bundle is checked in memory: its tag files, up to 32 MiB in all.
python3 -c "import sys; sys.stdout.write('Bag-Software-Agent: ospack\n' + 'X: ' + 'x' * (33 * 1024 * 1024) + '\n')" >"$T/bag-info.txt"
tamper "$top_srcdir/tests/data/v1-example.tar" "$T/m10.tar" tagfile bag-info.txt "$T/bag-info.txt"
rss_refused "$T/m10.tar" "a v1 bundle with 34621100 bytes of tag files, more than the 33554432 (32 MiB) its checks read into memory: rebuild it as format v2" \
	"a v1 bundle with a bag-info.txt of 33 MiB"
rm -f "$T/bag-info.txt" "$T/m10.tar"

done_testing
