#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ospack at scale: the same bytes at any -j, the temporary folder ($TMPDIR) and flat memory with 200,000 files.
. "${top_srcdir:-.}/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"

EX=$top_srcdir/manifests/example/manifest.yaml
LIMIT=65536 # KiB: peak RSS of any command, whatever the number of files
NFILES=200000

# What is big, and the tmpfs mounts, live in $BIG, not in $T (which a failure keeps for
# inspection): it is always unmounted and removed.
BIG=$(mktemp -d "${TMPDIR:-/tmp}/ospack-scale.XXXXXX")
MOUNTED=
scale_cleanup() {
	for m in $MOUNTED; do umount "$m" 2>/dev/null; done
	rm -rf "$BIG"
	cleanup
}
trap scale_cleanup EXIT
trap 'exit 130' INT TERM HUP

# cannot_run DESC REASON: a test this machine cannot run is skipped, but fails in CI, which
# runs as root and must run every test.
cannot_run() {
	if [ -n "${CI:-}" ]; then
		ok 1 "$1"
		diag "CI is set, so this cannot be skipped: $2"
	else
		skip "$1" "$2"
	fi
}

# mount_tmpfs DIR OPTIONS: a tmpfs on a new folder DIR, unmounted on exit; else $why says why not.
mount_tmpfs() {
	if [ "$(id -u)" -ne 0 ]; then
		why="not root: cannot mount a tmpfs"
		return 1
	fi
	mkdir "$1" || return 1
	if ! mount -t tmpfs -o "$2" tmpfs "$1" 2>"$T/mount.err"; then
		why="mount -t tmpfs -o $2 failed: $(cat "$T/mount.err")"
		return 1
	fi
	MOUNTED="$MOUNTED $1"
}

# empty DIR: DIR holds nothing at all.
empty() { [ -d "$1" ] && [ -z "$(ls -A "$1")" ]; }

# has_all STRING...: $T/err holds every STRING, taken literally.
has_all() {
	for s in "$@"; do grep -qF -e "$s" "$T/err" || return 1; done
}

# want_status STATUS DESC STRING...: the last run exited STATUS and its stderr holds every STRING.
want_status() {
	want=$1 wdesc=$2
	shift 2
	if [ "$rc" -eq "$want" ] && has_all "$@"; then
		ok 0 "$wdesc"
	else
		ok 1 "$wdesc"
		diag "exit $rc (want $want); stderr:" "$(cat "$T/err")" "want in stderr: $*"
	fi
}

# watchdog PID SECONDS: a guard against a hang, not a clock for synchronisation: kills PID if
# it still runs after SECONDS. unwatch stops the guard.
watchdog() {
	(
		sleep "$2" &
		s=$!
		trap 'kill $s 2>/dev/null; exit 0' TERM
		wait $s && kill -KILL "$1"
	) >/dev/null 2>&1 </dev/null 3>&- &
	wd=$!
}
unwatch() {
	kill "$wd" 2>/dev/null
	wait "$wd" 2>/dev/null
}

# same_verdict DESC CMD...: CMD -j 1 and CMD -j 4 exit as CMD does, and print the same.
same_verdict() {
	vdesc=$1
	shift
	run "$@"
	drc=$rc
	{ echo "exit $rc"; cat "$T/out" "$T/err"; } >"$T/verdict.default"
	vbad=
	for j in 1 4; do
		run "$@" -j $j
		{ echo "exit $rc"; cat "$T/out" "$T/err"; } >"$T/verdict.j$j"
		cmp -s "$T/verdict.j$j" "$T/verdict.default" || vbad="$vbad $j"
	done
	ok "$([ -z "$vbad" ] && echo 0 || echo 1)" "$vdesc: -j 1 and -j 4 give the default's verdict (exit $drc)"
	if [ -n "$vbad" ]; then
		diag "default:" "$(cat "$T/verdict.default")"
		for j in $vbad; do diag "-j $j:" "$(cat "$T/verdict.j$j")"; done
	fi
}

# ======== releases to work on ========

"$OSPACK" keygen -o "$T/k" >/dev/null 2>&1
ok $? "keygen"

# A couple of files of several MiB and a few hundred small ones across folders.
python3 - "$BIG/set" <<'EOF'
import os, random, sys
root = sys.argv[1]
rng = random.Random(20260101)
os.makedirs(root + "/big")
for name, size in (("a.bin", 5 * 1048576 + 3), ("b.bin", 9 * 1048576 + 1021)):
    with open(os.path.join(root, "big", name), "wb") as f:
        f.write(rng.randbytes(size))
for i in range(300):
    d = os.path.join(root, "small", "group-%d" % (i % 7), "sub-%d" % (i % 3))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%03d.dat" % i), "wb") as f:
        f.write(rng.randbytes(rng.randrange(0, 5000)))
with open(os.path.join(root, "manifest.yaml"), "w") as f:
    f.write("""ospack: 1
name: jobs
version: "1"
license: Apache-2.0
datasets:
  - name: small
    path: small
checkpoints:
  - name: a
    path: big/a.bin
  - name: b
    path: big/b.bin
    final: true
""")
EOF
ok $? "write a release of two files of several MiB and 300 small ones in 21 folders"

# 5,000 files of some 600 bytes with long names: their per-file lists, some 100 bytes a file,
# outgrow a 64 KiB folder, and the bundle is several MiB.
python3 - "$BIG/many" <<'EOF'
import os, sys
root = sys.argv[1]
for d in range(50):
    p = os.path.join(root, "src", "folder-%02d-with-a-longer-name" % d)
    os.makedirs(p)
    for i in range(100):
        n = d * 100 + i
        with open(os.path.join(p, "file-%04d-with-a-longer-name.txt" % n), "w") as f:
            f.write(("line %d\n" % n) * 60)
with open(os.path.join(root, "manifest.yaml"), "w") as f:
    f.write('ospack: 1\nname: many\nversion: "1"\nlicense: Apache-2.0\n'
            'datasets:\n  - name: many\n    path: src\n')
EOF
ok $? "write a release of 5000 files in 50 folders"
MANY=$BIG/many.tar
"$OSPACK" build "$BIG/many/manifest.yaml" -q -o "$MANY" && "$OSPACK" build "$EX" -q -o "$T/u.tar" &&
	python3 "$top_srcdir/tests/tamper.py" "$MANY" "$BIG/many-flip.tar" flip \
		data/datasets/many/folder-31-with-a-longer-name/file-3150-with-a-longer-name.txt
ok $? "build the 5000 files, the example, and a copy of the first with a payload byte flipped"
U=$T/u.tar

# ======== -j: the same bytes, the same verdict ========

# jobs_same DESC MANIFEST [ARG]...: build -j 1 and build -j 4 write the default build's bytes.
jobs_same() {
	jdesc=$1 jm=$2
	shift 2
	jd=$(mktemp -d "$BIG/jobs.XXXXXX")
	jbad=
	"$OSPACK" build "$jm" -q -o "$jd/default.tar" "$@" 2>"$T/err" || jbad="default build: exit $?: $(cat "$T/err")"
	for j in 1 4; do
		"$OSPACK" build "$jm" -q -j $j -o "$jd/j$j.tar" "$@" 2>"$T/err"
		jrc=$?
		if [ $jrc -ne 0 ]; then
			jbad="$jbad
-j $j: exit $jrc: $(cat "$T/err")"
		elif ! cmp "$jd/j$j.tar" "$jd/default.tar" >"$T/cmp" 2>&1; then
			jbad="$jbad
-j $j: $(cat "$T/cmp")"
		fi
	done
	ok "$([ -z "$jbad" ] && echo 0 || echo 1)" "-j 1, -j 4 and the default build give byte-identical bundles: $jdesc"
	[ -z "$jbad" ] || diag "$jbad"
	rm -rf "$jd"
}
jobs_same "the example" "$EX"
jobs_same "two files of several MiB and 300 small ones" "$BIG/set/manifest.yaml"
jobs_same "the same, signed with an Ed25519 key" "$BIG/set/manifest.yaml" -k "$T/k.key"
jobs_same "5000 files" "$BIG/many/manifest.yaml"
run "$OSPACK" build "$EX" -q --jobs 4 -o "$T/long.tar"
[ "$rc" -eq 0 ] && cmp -s "$T/long.tar" "$U"
ok $? "--jobs 4 is accepted and gives the same bytes"
if [ "$rc" -ne 0 ]; then
	diag "exit $rc:" "$(cat "$T/err")"
elif ! cmp -s "$T/long.tar" "$U"; then
	diag "the bytes differ from the default build's"
fi

same_verdict "a good bundle of 5000 files" "$OSPACK" verify "$MANY"
same_verdict "5000 files, one payload byte flipped" "$OSPACK" verify "$BIG/many-flip.tar"

# Files of 1 MiB and more go to the workers: tampering with them is caught there too.
"$OSPACK" build "$BIG/set/manifest.yaml" -q -o "$BIG/set.tar" &&
	python3 "$top_srcdir/tests/tamper.py" "$BIG/set.tar" "$BIG/set-flip.tar" flip data/checkpoints/b/b.bin &&
	python3 "$top_srcdir/tests/tamper.py" "$BIG/set.tar" "$BIG/set-last.tar" flip data/checkpoints/a/a.bin \
		$((5 * 1048576 + 2)) &&
	mkdir "$BIG/set-dir" && tar -xf "$BIG/set.tar" -C "$BIG/set-dir" &&
	printf 'X' | dd of="$BIG/set-dir/jobs-1/data/checkpoints/b/b.bin" bs=1 seek=7340032 conv=notrunc 2>/dev/null
ok $? "build the set of large files, flip a byte in the middle of one and in the last byte of another"
for j in 1 4; do
	run "$OSPACK" verify -j $j "$BIG/set.tar"
	[ "$rc" -eq 0 ] && grep -q "verified jobs-1 (302 files" "$T/out"
	ok $? "-j $j: the bundle of large files verifies"
	run "$OSPACK" verify -j $j "$BIG/set-flip.tar"
	want_status 1 "-j $j: a byte flipped in the middle of a 9 MiB file is a digest mismatch" \
		"data/checkpoints/b/b.bin: digest mismatch"
	run "$OSPACK" verify -j $j "$BIG/set-last.tar"
	want_status 1 "-j $j: the last byte of a 5 MiB file flipped is a digest mismatch" \
		"data/checkpoints/a/a.bin: digest mismatch"
	run "$OSPACK" verify -j $j "$BIG/set-dir/jobs-1"
	want_status 1 "-j $j: in an unpacked folder, a byte changed in a 9 MiB file is a digest mismatch" \
		"data/checkpoints/b/b.bin: digest mismatch"
done

# ======== the temporary folder is left as it was ========

E=$(mktemp -d "$BIG/spill.XXXXXX")
# in_empty STATUS DESC CMD...: with TMPDIR=$E, CMD exits STATUS and leaves $E empty.
in_empty() {
	st=$1 edesc=$2
	shift 2
	run env TMPDIR="$E" "$@"
	if [ "$rc" -eq "$st" ] && empty "$E"; then
		ok 0 "$edesc: exit $st, and TMPDIR is left empty"
	else
		ok 1 "$edesc: exit $st, and TMPDIR is left empty"
		diag "exit $rc (want $st); stderr:" "$(cat "$T/err")" "TMPDIR holds:" "$(ls -lA "$E")"
	fi
}
in_empty 0 "build of 5000 files" "$OSPACK" build "$BIG/many/manifest.yaml" -q -o "$BIG/spill.tar"
in_empty 0 "verify of 5000 files" "$OSPACK" verify -q "$MANY"
in_empty 0 "extract of 5000 files" "$OSPACK" extract -q "$MANY" -C "$BIG/spill-x"
in_empty 0 "verify of the 5000 files extracted" "$OSPACK" verify -q "$BIG/spill-x/many-1"
in_empty 1 "a rejected verify (a payload byte flipped)" "$OSPACK" verify "$BIG/many-flip.tar"
grep -q 'digest mismatch' "$T/err"
ok $? "and it was rejected for the flipped byte"
in_empty 1 "a rejected extract (a payload byte flipped)" "$OSPACK" extract -q "$BIG/many-flip.tar" -C "$BIG/spill-xr"
TMPDIR=$E "$OSPACK" verify -q - <"$MANY" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && empty "$E"
ok $? "verify - of 5000 files: exit 0 (got $rc), and TMPDIR is left empty"

# SIGINT while verify reads a FIFO. The FIFO is opened read-write so that opening it cannot
# block; verify is then stopped in the middle of the bundle, with no clock involved: a pipe
# holds at most 1 MiB (what ospack asks for a pipe; 64 KiB by default), so once the first 4 MiB
# are written verify has read at least 3 MiB, its signal handler is set, and it waits for more.
WATCH=120 # seconds before a hung verify is killed
mkfifo "$BIG/fifo"
exec 3<>"$BIG/fifo"
TMPDIR=$E "$OSPACK" verify "$BIG/fifo" >"$T/out" 2>"$T/err" 3>&- &
pid=$!
watchdog $pid $WATCH
size=$(wc -c <"$MANY")
[ "$size" -gt 6291456 ] || diag "the bundle of 5000 files has only $size bytes"
timeout $WATCH head -c 4194304 "$MANY" >&3
hrc=$?
[ $hrc -eq 0 ] || diag "writing the first 4 MiB into the FIFO: exit $hrc"
kill -INT $pid
wait $pid
rc=$?
unwatch
exec 3>&-
[ $rc -eq 4 ] && grep -q 'interrupted' "$T/err"
ok $? "SIGINT stops a verify reading a FIFO mid-bundle: exit 4, 'interrupted' (exit $rc)"
[ $rc -eq 4 ] || diag "stderr:" "$(cat "$T/err")"
[ $rc -eq 137 ] && diag "verify did not stop within $WATCH s of SIGINT: killed"
empty "$E"
ok $? "and TMPDIR is left empty"
empty "$E" || diag "TMPDIR holds:" "$(ls -lA "$E")"

# ======== a temporary folder that is missing, read-only or full ========

NT=$BIG/no-such-folder
mkdir "$T/om"
run env TMPDIR="$NT" "$OSPACK" build "$EX" -q -o "$T/om/x.tar"
want_status 4 "build with a missing TMPDIR: exit 4, naming the temporary folder" temporary "$NT"
empty "$T/om"
ok $? "and writes nothing: no x.tar and no .x.tar.tmp-* beside it"
empty "$T/om" || diag "beside the target:" "$(ls -lA "$T/om")"
run env TMPDIR="$NT" "$OSPACK" verify "$U"
want_status 4 "verify with a missing TMPDIR: exit 4, naming the temporary folder" temporary "$NT"
TMPDIR=$NT "$OSPACK" verify - <"$U" >"$T/out" 2>"$T/err"
rc=$?
want_status 4 "verify - with a missing TMPDIR: exit 4, naming the temporary folder" temporary "$NT"
run env TMPDIR="$NT" "$OSPACK" extract "$U" -C "$T/xm"
want_status 4 "extract with a missing TMPDIR: exit 4, naming the temporary folder" temporary "$NT"
[ ! -e "$T/xm" ]
ok $? "and does not create the target folder"
mkdir "$T/xe"
run env TMPDIR="$NT" "$OSPACK" extract "$U" -C "$T/xe"
want_status 4 "extract into an empty folder with a missing TMPDIR: exit 4" temporary "$NT"
empty "$T/xe"
ok $? "and leaves that folder empty"

RO=$BIG/read-only
if mount_tmpfs "$RO" ro,size=64k || { [ "$(id -u)" -ne 0 ] && mkdir -p "$RO" && chmod 555 "$RO"; }; then
	mkdir "$T/or"
	run env TMPDIR="$RO" "$OSPACK" build "$EX" -q -o "$T/or/x.tar"
	want_status 4 "build with a read-only TMPDIR: exit 4, naming the temporary folder" temporary "$RO"
	empty "$T/or"
	ok $? "and writes nothing beside the target"
	run env TMPDIR="$RO" "$OSPACK" verify "$U"
	want_status 4 "verify with a read-only TMPDIR: exit 4, naming the temporary folder" temporary "$RO"
else
	for d in "build with a read-only TMPDIR" "and writes nothing beside the target" "verify with a read-only TMPDIR"; do
		cannot_run "$d" "$why"
	done
fi

FULL=$BIG/full
NOSPC='No space left on device'
if mount_tmpfs "$FULL" size=64k; then
	mkdir "$T/of"
	run env TMPDIR="$FULL" "$OSPACK" build "$BIG/many/manifest.yaml" -q -o "$T/of/many.tar"
	want_status 4 "build of 5000 files with a 64 KiB TMPDIR: exit 4, '$NOSPC', 'temporary'" "$NOSPC" temporary
	empty "$T/of"
	ok $? "and writes nothing: no many.tar and no .many.tar.tmp-* beside it"
	run env TMPDIR="$FULL" "$OSPACK" verify "$MANY"
	want_status 4 "verify of 5000 files with a 64 KiB TMPDIR: exit 4, '$NOSPC', 'temporary'" "$NOSPC" temporary
	run env TMPDIR="$FULL" "$OSPACK" extract "$MANY" -C "$T/xf"
	want_status 4 "extract of 5000 files with a 64 KiB TMPDIR: exit 4, '$NOSPC', 'temporary'" "$NOSPC" temporary
	[ ! -e "$T/xf" ]
	ok $? "and does not create the target folder"
	empty "$FULL"
	ok $? "the full TMPDIR is left empty"
else
	for d in "build with a full TMPDIR" "and writes nothing" "verify with a full TMPDIR" \
		"extract with a full TMPDIR" "and does not create the target folder" "the full TMPDIR is left empty"; do
		cannot_run "$d" "$why"
	done
fi
rm -rf "$BIG/many" "$BIG"/*.tar "$BIG"/spill-x*

# ======== peak memory with 200,000 files ========

if ! /usr/bin/time -f %M -o "$T/rss" true 2>/dev/null; then
	skip_rss="GNU time (package time) is missing"
elif [ -n "${OSPACK_SKIP_BIG:-}" ]; then
	skip_rss="OSPACK_SKIP_BIG is set"
else
	skip_rss=
fi
if [ -z "$skip_rss" ]; then
	# On a tmpfs when root can mount one, the files are written and removed in seconds rather
	# than minutes; else they go to the disk.
	SC=$BIG/scale
	mount_tmpfs "$SC" size=4g || mkdir -p "$SC"
	python3 - "$SC" "$NFILES" <<'EOF'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for d in range(n // 1000):
    p = os.path.join(root, "src", "d%03d" % d)
    os.makedirs(p)
    for i in range(1000):
        with open(os.path.join(p, "f%03d" % i), "w") as f:
            f.write("%d\n" % (d * 1000 + i))
with open(os.path.join(root, "manifest.yaml"), "w") as f:
    f.write('ospack: 1\nname: scale\nversion: "1"\nlicense: Apache-2.0\n'
            'datasets:\n  - name: many\n    path: src\n')
EOF
	ok $? "write $NFILES files of a few bytes, 1000 a folder"

	# rss DESC PATTERN [-i FILE] CMD...: CMD (reading FILE on stdin) exits 0, prints PATTERN,
	# and peaks under $LIMIT KiB (under ASan, whose shadow memory inflates RSS, exit 0 only).
	rss() {
		rdesc=$1 rpat=$2
		shift 2
		if [ "$1" = -i ]; then
			rin=$2
			shift 2
			# shellcheck disable=SC2002 # a pipe, not a file, on standard input
			cat "$rin" | /usr/bin/time -f %M -o "$T/rss" "$@" >"$T/out" 2>"$T/err"
		else
			/usr/bin/time -f %M -o "$T/rss" "$@" >"$T/out" 2>"$T/err"
		fi
		rc=$?
		kib=$(tail -n 1 "$T/rss")
		if [ -n "${OSPACK_SANITIZED:-}" ]; then
			[ $rc -eq 0 ] && grep -q -e "$rpat" "$T/out"
			ok $? "$rdesc with $NFILES files: exit 0 (peak RSS $kib KiB, not bounded under ASan)"
		else
			[ $rc -eq 0 ] && grep -q -e "$rpat" "$T/out" && [ "$kib" -le $LIMIT ]
			ok $? "$rdesc with $NFILES files: exit 0, peak RSS $kib KiB <= $LIMIT KiB"
		fi
		[ $rc -eq 0 ] || diag "exit $rc; stderr:" "$(head -c 2000 "$T/err")"
	}
	rss "build" "$NFILES files" "$OSPACK" build "$SC/manifest.yaml" -o "$SC/scale.tar"
	rss "verify FILE" "($NFILES files" "$OSPACK" verify "$SC/scale.tar"
	rss "verify - (a pipe)" "($NFILES files" -i "$SC/scale.tar" "$OSPACK" verify -
	rss "extract" "($NFILES files" "$OSPACK" extract "$SC/scale.tar" -C "$SC/x"
	[ -d "$SC/x/scale-1" ] || { mkdir -p "$SC/x" && tar -xf "$SC/scale.tar" -C "$SC/x"; }
	rss "verify DIR (the unpacked folder)" "($NFILES files" "$OSPACK" verify "$SC/x/scale-1"
	rss "inspect" "$NFILES files" "$OSPACK" inspect "$SC/scale.tar"
else
	for d in "build" "verify FILE" "verify -" "extract" "verify DIR" "inspect"; do
		skip "$d with $NFILES files: peak RSS <= $LIMIT KiB" "$skip_rss"
	done
fi

done_testing
