#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Faults from the system, injected into ospack with tests/faults/faultshim.c (LD_PRELOAD):
# a full or failing disk, short reads, a source removed or truncated while it is read.
# ospack must fail with exit 4 and a message naming the file, and leave no partial output.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

if [ -n "${OSPACK_SANITIZED:-}" ] || grep -q __asan_init "$top_builddir/.libs/ospack" 2>/dev/null ||
	grep -q __asan_init "$top_builddir/.libs/libospack.so" 2>/dev/null; then
	skip_all "AddressSanitizer must come first in the process, before any LD_PRELOAD fault shim"
fi
SHIM=$top_builddir/tests/faults/.libs/faultshim.so
if [ ! -f "$SHIM" ]; then
	echo "Bail out! $SHIM was not built (make check builds it)"
	exit 1
fi

# The release to build, copied: some tests remove or truncate its files.
cp -R "$top_srcdir/tests/fuzz/release" "$T/rel"
KEY=$top_srcdir/tests/fuzz/testkey.key
PUB=$top_srcdir/tests/fuzz/testkey.pub
"$OSPACK" build "$T/rel/manifest.yaml" -k "$KEY" -o "$T/good.tar" -q >/dev/null 2>"$T/err" ||
	{ echo "Bail out! the fixture bundle does not build: $(cat "$T/err")"; exit 1; }

# faulty VAR=VALUE... -- CMD...: runs CMD with the shim and those variables
faulty() {
	vars=
	while [ "$1" != -- ]; do vars="$vars $1"; shift; done
	shift
	# shellcheck disable=SC2086
	run env LD_PRELOAD="$SHIM" $vars "$@"
}

# empty DIR: DIR is missing or holds nothing
empty() { [ ! -e "$1" ] || [ -z "$(ls -A "$1")" ]; }

# injected: the shim said it did its part (else the test would prove nothing)
injected() { grep -q '^faultshim: ' "$T/err"; }

check_fail() { # check_fail PATTERN DIR DESCRIPTION
	if [ "$rc" -eq 4 ] && injected && grep -v '^faultshim: ' "$T/err" | grep -q -e "$1" &&
		empty "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "exit $rc (want 4); stderr:" "$(cat "$T/err")" "want: $1" "in $2:" "$(ls -A "$2" 2>&1)"
	fi
}

# ---- build to a file on a full or failing disk ----
mkdir "$T/o"
faulty OSPACK_FAULT_WRITE=ENOSPC OSPACK_FAULT_WRITE_PATH="$T/o/" OSPACK_FAULT_WRITE_AFTER=10000 -- \
	"$OSPACK" build "$T/rel/manifest.yaml" -k "$KEY" -o "$T/o/b.tar"
check_fail "o/b\.tar.*No space left on device" "$T/o" \
	"build, the disk full after 10000 bytes: exit 4, the output named, nothing left"

faulty OSPACK_FAULT_WRITE=EIO OSPACK_FAULT_WRITE_PATH="$T/o/" OSPACK_FAULT_WRITE_CALL=1 -- \
	"$OSPACK" build "$T/rel/manifest.yaml" -k "$KEY" -o "$T/o/b.tar"
check_fail "o/b\.tar.*Input/output error" "$T/o" \
	"build, the first write failing with EIO: exit 4, the output named, nothing left"

faulty OSPACK_FAULT_WRITE=ENOSPC OSPACK_FAULT_WRITE_PATH="$T/o/" OSPACK_FAULT_WRITE_AFTER=25000 -- \
	"$OSPACK" build "$T/rel/manifest.yaml" -k "$KEY" -o "$T/o/b.tar"
check_fail "o/b\.tar.*No space left on device" "$T/o" \
	"build, the disk full just before the archive's end: exit 4, nothing left"

# The spill files that wait for the end (in TMPDIR) on a full disk.
mkdir "$T/tmp"
TMPDIR=$T/tmp faulty OSPACK_FAULT_WRITE=ENOSPC OSPACK_FAULT_WRITE_PATH="$T/tmp/" \
	OSPACK_FAULT_WRITE_CALL=1 -- "$OSPACK" build "$T/rel/manifest.yaml" -k "$KEY" -o "$T/o/b.tar"
check_fail "No space left on device" "$T/o" \
	"build, TMPDIR full: exit 4, the error told, no output"

# ---- extract on a full disk ----
faulty OSPACK_FAULT_WRITE=ENOSPC OSPACK_FAULT_WRITE_PATH="$T/x" OSPACK_FAULT_WRITE_AFTER=20 -- \
	"$OSPACK" extract "$T/good.tar" -C "$T/x" -k "$PUB"
check_fail "No space left on device" "$T/x" \
	"extract, the disk full after 20 bytes: exit 4, nothing extracted"

# ---- short reads: the same results ----
faulty OSPACK_FAULT_SHORT_READ=7 -- "$OSPACK" verify "$T/good.tar" -k "$PUB"
[ "$rc" -eq 0 ] && grep -q 'verified' "$T/out"
ok $? "verify FILE with reads of at most 7 bytes: verified"

# shellcheck disable=SC2094
faulty OSPACK_FAULT_SHORT_READ=3 -- sh -c 'exec "$0" verify - -k "$1" <"$2"' "$OSPACK" "$PUB" "$T/good.tar"
[ "$rc" -eq 0 ] && grep -q 'verified' "$T/out"
ok $? "verify - (a pipe) with reads of at most 3 bytes: verified"

faulty OSPACK_FAULT_SHORT_READ=5 -- "$OSPACK" build "$T/rel/manifest.yaml" -k "$KEY" -o "$T/short.tar"
[ "$rc" -eq 0 ] && cmp -s "$T/good.tar" "$T/short.tar"
ok $? "build with reads of at most 5 bytes: the same bytes"
rm -f "$T/short.tar"

# ---- a source that changes while it is read ----
faulty OSPACK_FAULT_VANISH=rel/out/model.bin OSPACK_FAULT_VANISH_MODE=truncate -- \
	"$OSPACK" build "$T/rel/manifest.yaml" -k "$KEY" -o "$T/o/b.tar"
check_fail "out/model\.bin" "$T/o" "build, a source truncated once opened: exit 4, the file named, no output"
cp "$top_srcdir/tests/fuzz/release/out/model.bin" "$T/rel/out/model.bin"

faulty OSPACK_FAULT_VANISH=rel/data/stories.jsonl OSPACK_FAULT_VANISH_MODE=remove -- \
	"$OSPACK" build "$T/rel/manifest.yaml" -k "$KEY" -o "$T/o/b.tar"
check_fail "data/stories\.jsonl" "$T/o" "build, a source removed as it is opened: exit 4, the file named, no output"
cp "$top_srcdir/tests/fuzz/release/data/stories.jsonl" "$T/rel/data/stories.jsonl"

done_testing
