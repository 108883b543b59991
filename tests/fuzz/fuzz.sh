#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `make fuzz`: builds the libFuzzer targets of tests/fuzz/ with clang, ASan and UBSan in
# their own folder (fuzz-build/, apart from the normal build), then runs each for
# FUZZ_SECONDS seconds on its seed corpus. Fails on any crash, leak, timeout or
# out-of-memory, and says which input did it (kept under fuzz-build/artifacts/).
# Usage: fuzz.sh TARGET... -- LIBRARY-SOURCE...
# Environment: top_srcdir, top_builddir, CLANG, FUZZ_SECONDS, DEP_CFLAGS, DEP_LIBS,
# FUZZ_JOBS (compile jobs, default 2).
set -eu
: "${CLANG:=clang}" "${FUZZ_SECONDS:=60}" "${DEP_CFLAGS:=}" "${DEP_LIBS:=}" "${FUZZ_JOBS:=2}"
src=${top_srcdir:?} bld=${top_builddir:?}
out=$bld/fuzz-build
targets=
while [ $# -gt 0 ] && [ "$1" != -- ]; do targets="$targets $1"; shift; done
[ $# -gt 0 ] && shift

if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "fuzz: $CLANG not found (Debian: apt-get install clang libclang-rt-14-dev)" >&2
	exit 1
fi
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS="-g -O1 $SAN -DHAVE_CONFIG_H -I$bld -I$src/lib -I$src/tests -DOSPACK_BUILDING"
CFLAGS="$CFLAGS -DTOP_SRCDIR=\"$src\""
mkdir -p "$out/obj" "$out/artifacts"

# The library's sources, compiled again when a source or any header is newer than the object.
newest_header=$(ls -t "$bld/config.h" "$src"/lib/*.h "$src"/lib/verify/*.h "$src"/lib/net/*.h | head -n 1)
objs=
: >"$out/compile.list"
for f in "$@"; do
	case $f in *.c) ;; *) continue ;; esac
	o=$out/obj/$(printf '%s' "$f" | tr / _ | sed 's/\.c$/.o/')
	objs="$objs $o"
	if [ ! -f "$o" ] || [ "$src/$f" -nt "$o" ] || [ "$newest_header" -nt "$o" ]; then
		printf '%s %s\n' "$src/$f" "$o" >>"$out/compile.list"
	fi
done
if [ -s "$out/compile.list" ]; then
	echo "fuzz: compiling $(wc -l <"$out/compile.list") library sources with $CLANG"
	# shellcheck disable=SC2086
	xargs -P "$FUZZ_JOBS" -n 2 sh -c 'exec "$0" '"$CFLAGS -fsanitize=fuzzer-no-link $DEP_CFLAGS"' -c "$1" -o "$2"' \
		"$CLANG" <"$out/compile.list"
fi

status=0
for t in $targets; do
	extra=
	case $t in bundle | envelope) extra=$src/tests/fuzz/stream.c ;; esac
	# shellcheck disable=SC2086
	"$CLANG" $CFLAGS -fsanitize=fuzzer $DEP_CFLAGS -o "$out/fuzz_$t" \
		"$src/tests/fuzz/fuzz_$t.c" $extra $objs $DEP_LIBS -lpthread -lm
done
for t in $targets; do
	mkdir -p "$out/corpus/$t"
	rm -f "$out/artifacts/$t-"*
	set -- "$out/corpus/$t" "$src/tests/fuzz/$t"
	[ -d "$src/tests/fuzz/regressions/$t" ] && set -- "$@" "$src/tests/fuzz/regressions/$t"
	echo "fuzz: $t for ${FUZZ_SECONDS}s"
	if (cd "$out" && "./fuzz_$t" -max_total_time="$FUZZ_SECONDS" -timeout=25 \
		-rss_limit_mb=2048 -malloc_limit_mb=2048 -detect_leaks=1 -print_final_stats=1 \
		-artifact_prefix="$out/artifacts/$t-" "$@") >"$out/$t.log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log")
		rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/$t.log")
		cov=$(grep -E '^#[0-9]+' "$out/$t.log" | tail -n 1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
		echo "fuzz: $t passed: $execs runs, $rate/s, coverage $cov"
	else
		status=1
		echo "fuzz: $t FAILED; the end of $out/$t.log:"
		tail -n 40 "$out/$t.log"
		ls "$out/artifacts/" | sed "s|^|fuzz: kept input $out/artifacts/|"
	fi
done
exit $status
