#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Benchmark of ospack against the tools it is measured by (GNU tar, openssl dgst), on generated
# data in the page cache: prints one table of seconds, ratios, targets and peak RSS.
#
# usage: tools/bench.sh [SET]...          (or: make bench, make bench-large)
#   big      checkpoints of 1.5 GB and 0.4 GB of random bytes, 1,500 dataset shards of random
#            sizes up to 64 KiB, 200 small code files
#   many     100,000 files of a few bytes, in folders of 1,000
#   many-1m  the same with 1,000,000 files (make bench-large)
#   Without a SET: big many.
# environment:
#   OSPACK       the ospack to measure (default: the one built beside this script's folder)
#   BENCH_DIR    work folder (default /tmp/ospack-bench). Data sets are made there once and
#                reused, in folders named after their parameters; outputs go to BENCH_DIR/run.
#   BENCH_SCALE  multiplies every data size and file count (default 1); 0.01 to try the script
#   BENCH_SEED   seed of the generated data (default 1)
#   RUNS         runs of each command (default 3): the contenders of a set take turns run by
#                run, and the table shows the median
#   JOBS         N of the -j N given to the ospack commands whose --help mentions --jobs
#                (default: nproc)
# One run at a time uses a work folder (a second one waits). Interrupted (Ctrl-C), it prints what
# it measured so far.
# Needs GNU tar, GNU time (/usr/bin/time, package 'time'), openssl, GNU find and xargs, flock.
# Exit status: 0 when every command ran, whether the targets were met or not (it is a
# measurement); 1 when a command failed (its rows show FAILED, it is never timed); 2 on a
# usage or set-up error.
# The contenders are called by name (SC2317); lists of numbers are split on purpose (SC2086).
# shellcheck disable=SC2317,SC2015,SC2086
set -u
set -o pipefail
export LC_ALL=C
unset SOURCE_DATE_EPOCH OSPACK_TRUSTED_KEYS OSPACK_KEY_PASSWORD

top=$(cd "$(dirname "$0")/.." && pwd)
OSPACK=${OSPACK:-$top/ospack}
W=${BENCH_DIR:-/tmp/ospack-bench}
SCALE=${BENCH_SCALE:-1}
SEED=${BENCH_SEED:-1}
RUNS=${RUNS:-3}
NPROC=$(nproc)
JOBS=${JOBS:-$NPROC}
GNU_TIME=/usr/bin/time
GEN=1 # version of the data generators, part of each data set's folder name
# shellcheck disable=SC2054 # the commas are tar's
TAR_FLAGS=(--format=pax --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner
	--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime)

say() { printf 'bench: %s\n' "$*" >&2; }
die() {
	say "$@"
	exit 2
}

# --- checks ------------------------------------------------------------------------------------

SETS=("$@")
[ ${#SETS[@]} -gt 0 ] || SETS=(big many)
for s in "${SETS[@]}"; do
	case $s in
	big | many | many-1m) ;;
	*) die "unknown set '$s' (big, many, many-1m)" ;;
	esac
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, not '$RUNS'"
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || die "JOBS must be a positive integer, not '$JOBS'"
[[ $SEED =~ ^[0-9]+$ ]] || die "BENCH_SEED must be a number, not '$SEED'"
[[ $SCALE =~ ^[0-9]*\.?[0-9]+$ ]] && awk -v s="$SCALE" 'BEGIN { exit !(s > 0) }' ||
	die "BENCH_SCALE must be a positive number, not '$SCALE'"
[ -x "$GNU_TIME" ] && "$GNU_TIME" --version 2>&1 | grep GNU >/dev/null ||
	die "GNU time is needed for the peak RSS: install the package 'time' (/usr/bin/time)"
tar --version 2>/dev/null | grep 'GNU tar' >/dev/null || die "GNU tar is needed: install the package 'tar'"
command -v openssl >/dev/null || die "openssl is needed: install the package 'openssl'"
[ -x "$OSPACK" ] || die "no ospack at $OSPACK: build it first (make), or set OSPACK"
# An uninstalled ospack built with shared libraries is a libtool wrapper script, whose shell
# would be timed with every run: measure the program it runs, with the library path it sets.
if grep -q -m 1 'temporary wrapper script for' "$OSPACK" 2>/dev/null; then
	# shellcheck disable=SC2016 # expanded by the inner bash
	mapfile -t lt < <("$(dirname "$OSPACK")/libtool" --mode=execute \
		bash -c 'printf "%s\n%s\n" "$1" "${LD_LIBRARY_PATH-}"' bash "$OSPACK")
	[ ${#lt[@]} -eq 2 ] && [ -x "${lt[0]}" ] ||
		die "$OSPACK is a libtool wrapper and its libtool cannot say what it runs"
	OSPACK=${lt[0]}
	export LD_LIBRARY_PATH=${lt[1]}
fi
mkdir -p "$W" && W=$(cd "$W" && pwd) || die "cannot make the work folder $W"

# jobs_flag COMMAND: "-j N" when 'ospack COMMAND --help' mentions --jobs
jobs_flag() {
	local help
	help=$("$OSPACK" "$1" --help 2>&1)
	case $help in *--jobs*) printf '%s\n' -j "$JOBS" ;; esac
}
mapfile -t J_BUILD < <(jobs_flag build)
mapfile -t J_VERIFY < <(jobs_flag verify)
mapfile -t J_EXTRACT < <(jobs_flag extract)

# scaled N: N times BENCH_SCALE, rounded, at least 1
scaled() { awk -v n="$1" -v s="$SCALE" 'BEGIN { v = int(n * s + 0.5); printf "%.0f\n", v < 1 ? 1 : v }'; }

# need_space BYTES INODES: fail before making data that would not fit
need_space() {
	local bytes inodes
	bytes=$(df -Pk "$W" | awk 'NR == 2 { printf "%.0f", $4 * 1024 }')
	inodes=$(df -Pi "$W" | awk 'NR == 2 { print ($4 ~ /^[0-9]+$/) ? $4 : 0 }')
	[ "$bytes" -ge "$1" ] ||
		die "$W has $((bytes / 1000000)) MB free, this set needs some $(($1 / 1000000)) MB: free some or set BENCH_DIR"
	[ "$inodes" -eq 0 ] || [ "$inodes" -ge "$2" ] ||
		die "$W has $inodes inodes free, this set needs some $2: set BENCH_DIR"
}

# --- data sets -----------------------------------------------------------------------------------

# prng LABEL BYTES: BYTES pseudo-random bytes, the same for the same BENCH_SEED and LABEL
prng() {
	local key
	key=$(printf 'ospack-bench %s %s' "$SEED" "$1" | openssl dgst -sha256 -r | cut -c1-32) || return
	head -c "$2" /dev/zero | openssl enc -aes-128-ctr -nosalt -K "$key" -iv 00000000000000000000000000000000
}

# gen_big DIR: the checkpoints, the shards, the code files and their manifest
gen_big() {
	local d=$1 i=0 size name total
	mkdir -p "$d/weights" "$d/data" "$d/src" || return
	prng final "$BIG_CK1" >"$d/weights/final.safetensors" || return
	prng step-1000 "$BIG_CK2" >"$d/weights/step-1000.safetensors" || return
	# Shard sizes of 1 to 65536 bytes, two random bytes each; the shards are then cut in turn
	# from one stream (head -c reads no more than it writes).
	prng sizes $((2 * BIG_SHARDS)) | od -An -v -tu1 |
		awk '{ for (i = 1; i <= NF; i++) if (h == "") h = $i; else { print h * 256 + $i + 1; h = "" } }' \
			>"$d/sizes" || return
	total=$(awk '{ s += $1 } END { printf "%.0f", s }' "$d/sizes")
	prng shards "$total" >"$d/stream" || return
	while read -r size <&3; do
		printf -v name '%s/data/shard-%05d.bin' "$d" "$i"
		head -c "$size" >"$name" || return
		i=$((i + 1))
	done 3<"$d/sizes" <"$d/stream"
	rm -f "$d/sizes" "$d/stream"
	awk -v n="$BIG_CODE" -v d="$d/src" 'BEGIN { for (i = 0; i < n; i += 20) printf "%s/pkg%02d\n", d, i / 20 }' |
		xargs -d '\n' mkdir || return
	awk -v n="$BIG_CODE" -v d="$d/src" 'BEGIN {
		for (i = 0; i < n; i++) {
			f = sprintf("%s/pkg%02d/mod%03d.py", d, i / 20, i)
			printf "\"\"\"Module %d of the benchmark release.\"\"\"\n\n", i > f
			for (j = 0; j < 10 + (i * 7919) % 200; j++)
				printf "def step_%d_%d(x):\n    return x * %d + %d\n\n", i, j, j, i > f
			close(f)
		}
	}' || return
	cat >"$d/manifest.yaml" <<'EOF'
ospack: 1
name: bench-big
version: "1"
license: Apache-2.0
datasets:
  - name: shards
    path: data/
code:
  - name: trainer
    path: src/
    role: training
checkpoints:
  - name: final
    path: weights/final.safetensors
    final: true
  - name: step-1000
    path: weights/step-1000.safetensors
    step: 1000
EOF
}

# gen_many DIR N: N files of a few bytes in folders of 1,000, and their manifest
gen_many() {
	local d=$1 n=$2
	mkdir -p "$d/data" || return
	awk -v n="$n" -v d="$d/data" 'BEGIN { for (i = 0; i < n; i += 1000) printf "%s/d%04d\n", d, i / 1000 }' |
		xargs -d '\n' mkdir || return
	awk -v n="$n" -v d="$d/data" 'BEGIN {
		for (i = 0; i < n; i++) {
			f = sprintf("%s/d%04d/f%07d", d, i / 1000, i)
			print "file", i > f
			close(f)
		}
	}' || return
	printf 'ospack: 1\nname: bench-many\nversion: "1"\nlicense: Apache-2.0\n%s\n%s\n%s\n' \
		'datasets:' '  - name: many' '    path: data/' >"$d/manifest.yaml"
}

# ensure DIR GENERATOR ARG...: makes a data set unless it is already there
ensure() {
	local d=$1 gen=$2
	shift 2
	[ -d "$d" ] && return 0
	say "making the data set $d (once; it is kept for the next runs)"
	rm -rf "$d.tmp"
	"$gen" "$d.tmp" "$@" && mv "$d.tmp" "$d" || die "could not make the data set $d"
}

# --- timing ------------------------------------------------------------------------------------

declare -A LABEL CMD PREP TIMES RSS FAILED
IDS=()
NFAILED=0
RUN=$W/run
RSSF=$RUN/rss
ERRF=$RUN/stderr

# add ID LABEL FUNCTION [PREPARATION]: a contender; the preparation runs before each run, untimed
add() {
	IDS+=("$1")
	LABEL[$1]=$2
	CMD[$1]=$3
	PREP[$1]=${4:-}
}

# rss CMD...: runs CMD, writing its peak RSS in KiB to $RSSF
rss() { "$GNU_TIME" -f %M -o "$RSSF" "$@"; }

fail() { # fail ID MESSAGE
	FAILED[$1]=$2
	NFAILED=$((NFAILED + 1))
	say "$1 (${LABEL[$1]}) failed: $2"
}

# run_one ID: one timed run; a failed run is recorded as such, never as a time
run_one() {
	local id=$1 t0 t1 rc msg
	[ -z "${FAILED[$id]:-}" ] || return 0
	if [ -n "${PREP[$id]}" ] && ! ${PREP[$id]}; then
		fail "$id" "its preparation (${PREP[$id]}) failed"
		return
	fi
	rm -f "$RSSF"
	t0=${EPOCHREALTIME/./}
	${CMD[$id]} 2>"$ERRF"
	rc=$?
	t1=${EPOCHREALTIME/./}
	if [ $rc -ne 0 ]; then
		msg=$(tail -n 3 "$ERRF" | tr '\n' ' ')
		fail "$id" "exit status $rc: ${msg:-no message (-q)}"
		return
	fi
	TIMES[$id]+=" $((t1 - t0))"
	[ ! -s "$RSSF" ] || RSS[$id]+=" $(tail -n 1 "$RSSF")"
}

# measure SET WARM-FUNCTION: RUNS rounds of the set's contenders, the order turning each round
measure() {
	local set=$1 warm=$2 r i n ids=()
	for i in "${IDS[@]}"; do [ "${i%%:*}" != "$set" ] || ids+=("$i"); done
	n=${#ids[@]}
	for ((r = 0; r < RUNS; r++)); do
		say "$set: run $((r + 1)) of $RUNS"
		$warm
		for ((i = 0; i < n; i++)); do run_one "${ids[(r + i) % n]}"; done
	done
}

median() { printf '%s\n' $1 | sort -n | awk '{ a[NR] = $1 } END {
	if (NR) printf "%.0f\n", NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
largest() { printf '%s\n' $1 | sort -n | tail -n 1; }

# --- the table ---------------------------------------------------------------------------------

ROWS=()
DETAILS=()

# row SET OSPACK-ID "YARDSTICK-ID..." YARDSTICK-LABEL RATIO-TARGET RSS-TARGET-MIB: one line of the
# table; the yardstick is the slowest of its IDs, and an empty target means none
row() {
	local set=$1 id=$1:$2 ylabel=$4 ot="" yt="" t y failed="" notrun="" kib=""
	if [ -n "${FAILED[$id]:-}" ]; then
		failed=1
	elif [ -z "${TIMES[$id]:-}" ]; then
		notrun=1
	else
		ot=$(median "${TIMES[$id]}")
		kib=$(largest "${RSS[$id]:-}")
	fi
	for y in $3; do
		if [ -n "${FAILED[$set:$y]:-}" ]; then
			failed=1
		elif [ -z "${TIMES[$set:$y]:-}" ]; then
			notrun=1
		else
			t=$(median "${TIMES[$set:$y]}")
			[ -n "$yt" ] && [ "$yt" -ge "$t" ] || yt=$t
		fi
	done
	ROWS+=("$(awk -v set="$set" -v ol="${LABEL[$id]}" -v yl="$ylabel" -v ot="$ot" -v yt="$yt" \
		-v rt="$5" -v mt="$6" -v kib="$kib" -v failed="$failed" -v notrun="$notrun" 'BEGIN {
		os = ot == "" ? "-" : sprintf("%.3f", ot / 1e6)
		ys = yt == "" ? "-" : sprintf("%.3f", yt / 1e6)
		ratio = ot != "" && yt > 0 ? sprintf("%.2f", ot / yt) : "-"
		mib = kib == "" ? "-" : sprintf("%.1f", kib / 1024)
		target = rt == "" ? "" : "<=" rt
		if (mt != "") target = target (target == "" ? "" : ", ") "<=" mt " MiB"
		if (failed) result = "FAILED"
		else if (notrun) result = "not run"
		else if (target == "") result = "-"
		else {
			result = "ok"
			if (rt != "" && (ratio == "-" || ratio + 0 > rt + 0)) result = "MISSED"
			if (mt != "" && (mib == "-" || mib + 0 > mt + 0)) result = "MISSED"
		}
		printf "%-8s %-22s %-29s %8s %8s %6s %-14s %7s  %s\n", set, ol, yl, os, ys, ratio,
			target == "" ? "-" : target, mib, result
	}')")
}

# details SET: each command of the set: median, fastest and slowest run, peak RSS
details() {
	local id t
	for id in "${IDS[@]}"; do
		[ "${id%%:*}" = "$1" ] || continue
		if [ -n "${FAILED[$id]:-}" ]; then
			DETAILS+=("$(printf '  %-20s %-40s FAILED' "$id" "${LABEL[$id]}")")
			continue
		elif [ -z "${TIMES[$id]:-}" ]; then
			DETAILS+=("$(printf '  %-20s %-40s not run' "$id" "${LABEL[$id]}")")
			continue
		fi
		t=$(printf '%s\n' ${TIMES[$id]} | sort -n | tr '\n' ' ')
		DETAILS+=("$(awk -v id="$id" -v l="${LABEL[$id]}" -v t="$t" -v m="$(median "${TIMES[$id]}")" \
			-v k="$(largest "${RSS[$id]:-}")" 'BEGIN { n = split(t, a, " ")
			printf "  %-20s %-40s %8.3f s  (%.3f to %.3f)  %7.1f MiB\n", id, l, m / 1e6,
				a[1] / 1e6, a[n] / 1e6, k / 1024 }')")
	done
}

# --- the contenders ----------------------------------------------------------------------------
# They read the current set from SRC, MANIFEST, TAR_DIRS, BUNDLE, BAG, LARGEST and OUT.

build_pipe() { rss "$OSPACK" build "$MANIFEST" -q "${J_BUILD[@]}" -o - | cat >/dev/null; }
tar_pipe() { rss tar "${TAR_FLAGS[@]}" -C "$SRC" -cf - "${TAR_DIRS[@]}" | cat >/dev/null; }
build_file() { rss "$OSPACK" build "$MANIFEST" -q "${J_BUILD[@]}" -o "$OUT/ospack.tar"; }
tar_file() { rss tar "${TAR_FLAGS[@]}" -C "$SRC" -cf "$OUT/tar.tar" "${TAR_DIRS[@]}" && sync "$OUT/tar.tar"; }
dgst_bundle() { rss openssl dgst -sha256 "$BUNDLE" >/dev/null; }
dgst_largest() { rss openssl dgst -sha256 "$LARGEST" >/dev/null; }
floor() { find "$BAG/data" -type f -print0 | rss xargs -0 -P "$NPROC" -n 16 openssl dgst -sha256 >/dev/null; }
verify_file() { rss "$OSPACK" verify -q "${J_VERIFY[@]}" "$BUNDLE"; }
# shellcheck disable=SC2002 # a pipe is what is measured
verify_pipe() { cat "$BUNDLE" | rss "$OSPACK" verify -q "${J_VERIFY[@]}" -; }
verify_dir() { rss "$OSPACK" verify -q "${J_VERIFY[@]}" "$BAG"; }
tar_list() { rss tar -tf "$BUNDLE" >/dev/null; }
extract() { rss "$OSPACK" extract -q "${J_EXTRACT[@]}" "$BUNDLE" -C "$OUT/x"; }
inspect() { rss "$OSPACK" inspect "$BUNDLE" >/dev/null; }
fresh_out() { rm -rf "$OUT" && mkdir "$OUT"; }

warm_files() { find "$@" -type f -print0 | xargs -0 cat >/dev/null; }
warm() { # the set, and its bundle and bag when they were made
	local p paths=("$SRC")
	for p in "$BUNDLE" "$BAG"; do [ -z "$p" ] || [ ! -e "$p" ] || paths+=("$p"); done
	warm_files "${paths[@]}"
}

# Contenders that read the bundle or its bag: they fail with the set-up.
NEEDS_BUNDLE=" dgst_bundle dgst_largest floor verify_file verify_pipe verify_dir tar_list extract inspect "

# setup SET DATA-DIR: the bundle, built by the ospack under test, and its bag unpacked by GNU tar
# (DIR stays independent of ospack extract), untimed. When that fails, the commands that read
# them fail too, and the others are still measured.
setup() {
	local id
	SRC=$2
	MANIFEST=$SRC/manifest.yaml
	BUNDLE=$RUN/$1/bundle.tar
	OUT=$RUN/$1/out
	BAG=
	LARGEST=
	rm -rf "${RUN:?}/$1" && mkdir -p "$OUT" "$RUN/$1/bag" || die "cannot make $RUN/$1"
	DATA_INFO+=("$(find "$SRC" -type f ! -name manifest.yaml -printf '%s\n' | awk -v set="$1" -v src="$SRC" '
		{ s += $1 } END { printf "%-8s %.0f bytes in %d files (%s)", set, s, NR, src }')")
	say "$1: building the bundle the commands will read, and unpacking it"
	if "$OSPACK" build "$MANIFEST" -q "${J_BUILD[@]}" -o "$BUNDLE" 2>"$ERRF" &&
		tar -xpf "$BUNDLE" -C "$RUN/$1/bag" 2>>"$ERRF"; then
		BAG=$(find "$RUN/$1/bag" -mindepth 1 -maxdepth 1 -type d)
		LARGEST=$(find "$BAG/data" -type f -printf '%s %p\n' | sort -n | tail -n 1 | cut -d' ' -f2-)
		return 0
	fi
	for id in "${IDS[@]}"; do
		[ "${id%%:*}" = "$1" ] && [[ $NEEDS_BUNDLE == *" ${CMD[$id]} "* ]] || continue
		fail "$id" "set-up: $(tail -n 3 "$ERRF" | tr '\n' ' ')"
	done
}

bench_big() {
	local dir
	BIG_CK1=$(scaled 1500000000)
	BIG_CK2=$(scaled 400000000)
	BIG_SHARDS=$(scaled 1500)
	BIG_CODE=$(scaled 200)
	dir=$W/big-g$GEN-s$SEED-c$BIG_CK1+$BIG_CK2-d$BIG_SHARDS-k$BIG_CODE
	local bytes=$((BIG_CK1 + BIG_CK2 + BIG_SHARDS * 32768))
	[ -d "$dir" ] || need_space $((bytes * 4)) 10000
	[ ! -d "$dir" ] || need_space $((bytes * 3)) 10000
	ensure "$dir" gen_big
	TAR_DIRS=(data src weights)
	add big:build-pipe "build -q -o - | cat" build_pipe
	add big:tar-pipe "tar -cf - | cat" tar_pipe
	add big:dgst-bundle "openssl dgst -sha256 FILE" dgst_bundle
	add big:build-file "build -q -o FILE" build_file fresh_out
	add big:tar-file "tar -cf FILE, sync FILE" tar_file fresh_out
	add big:floor "hash floor (payload, $NPROC cores)" floor
	add big:dgst-largest "openssl dgst -sha256 largest file" dgst_largest
	add big:verify-file "verify -q FILE" verify_file
	add big:verify-pipe "cat FILE | verify -q -" verify_pipe
	add big:verify-dir "verify -q DIR" verify_dir
	CURRENT=rows_big
	setup big "$dir"
	measure big warm
	fresh_out
	CURRENT=
	rows_big
	rm -rf "${RUN:?}/big"
}

rows_big() {
	row big build-pipe "tar-pipe dgst-bundle" "max(tar | cat, openssl FILE)" 1.1 ""
	row big build-file "tar-file floor" "max(tar FILE + sync, floor)" 1.1 ""
	row big verify-file "dgst-largest" "openssl largest file" 1.1 ""
	row big verify-file "floor" "hash floor" "" ""
	row big verify-pipe "dgst-bundle" "openssl FILE" 1.1 ""
	row big verify-dir "floor" "hash floor" "" ""
	details big
}

# bench_many SET N
bench_many() {
	local set=$1 n dir
	n=$(scaled "$2")
	dir=$W/many-g$GEN-n$n
	[ -d "$dir" ] || need_space $((n * 24576)) $((n * 4))
	[ ! -d "$dir" ] || need_space $((n * 20480)) $((n * 3))
	ensure "$dir" gen_many "$n"
	TAR_DIRS=(data)
	add "$set":build-file "build -q -o FILE" build_file fresh_out
	add "$set":tar-file "tar -cf FILE, sync FILE" tar_file fresh_out
	add "$set":verify-file "verify -q FILE" verify_file
	add "$set":tar-list "tar -tf FILE" tar_list
	add "$set":verify-dir "verify -q DIR" verify_dir
	add "$set":verify-pipe "cat FILE | verify -q -" verify_pipe
	add "$set":extract "extract -q FILE -C DIR" extract fresh_out
	add "$set":inspect "inspect FILE" inspect
	CURRENT="rows_many $set"
	setup "$set" "$dir"
	measure "$set" warm
	fresh_out
	CURRENT=
	rows_many "$set"
	rm -rf "${RUN:?}/$set"
}

rows_many() { # rows_many SET
	local set=$1
	row "$set" build-file "tar-file" "tar FILE + sync" 2 64
	row "$set" verify-file "tar-list" "tar -tf FILE" 2 64
	row "$set" verify-dir "" "-" "" 64
	row "$set" verify-pipe "" "-" "" 64
	row "$set" extract "" "-" "" 64
	row "$set" inspect "" "-" "" 64
	details "$set"
}

# --- main --------------------------------------------------------------------------------------

header() {
	local commit cpu mem jobs
	if [ "${OSPACK#"$top"/}" = "$OSPACK" ]; then
		commit="commit unknown: not built in $top"
	elif commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null); then
		git -C "$top" diff --quiet HEAD 2>/dev/null || commit="$commit, with uncommitted changes"
	else
		commit="not in a git checkout"
	fi
	cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	jobs="-j $JOBS to:"
	[ ${#J_BUILD[@]} -eq 0 ] || jobs="$jobs build"
	[ ${#J_VERIFY[@]} -eq 0 ] || jobs="$jobs verify"
	[ ${#J_EXTRACT[@]} -eq 0 ] || jobs="$jobs extract"
	[ "$jobs" != "-j $JOBS to:" ] || jobs="none (no --jobs in the commands' --help)"
	echo "ospack benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "machine: $(uname -m), ${cpu:-unknown CPU}, nproc $NPROC, $mem of memory"
	echo "ospack:  $("$OSPACK" --version 2>/dev/null) at $OSPACK ($commit); jobs: $jobs"
	echo "tools:   $(tar --version | head -n 1), $(openssl version | cut -d' ' -f1-2)"
	echo "method:  median of $RUNS runs, contenders alternating; data in the page cache;" \
		"BENCH_SCALE=$SCALE; work folder $W ($(stat -f -c %T "$W"))"
	[ "$RUNS" -ge 3 ] || echo "         (fewer than 3 runs: a check of the script, not a measurement)"
}

report() {
	echo "$HEADER"
	echo
	printf '%-8s %-22s %-29s %8s %8s %6s %-14s %7s  %s\n' set ospack yardstick "ospack s" "yard s" \
		ratio target "RSS MiB" result
	printf '%s\n' "${ROWS[@]}"
	echo
	echo "yardsticks: tar is GNU tar ${TAR_FLAGS[*]:0:6}"
	echo "  ${TAR_FLAGS[*]:6}; the hash floor is"
	echo "  find PAYLOAD -type f -print0 | xargs -0 -P $NPROC -n 16 openssl dgst -sha256;"
	echo "  openssl is openssl dgst -sha256. FILE is the bundle, DIR its unpacked bag, PAYLOAD its data/."
	echo "  RSS is the peak RSS of the ospack process (GNU time %M)."
	echo
	echo "data:"
	printf '  %s\n' "${DATA_INFO[@]}"
	echo "commands: median, fastest to slowest run, peak RSS"
	printf '%s\n' "${DETAILS[@]}"
	echo "took $(((SECONDS - START) / 60)) min $(((SECONDS - START) % 60)) s"
}

# interrupted SIGNAL-NUMBER: the report of what was measured, then the exit
interrupted() {
	trap - HUP INT TERM
	[ -z "$CURRENT" ] || $CURRENT
	report
	echo "INTERRUPTED by signal $1: the medians of the set in progress are of the runs done"
	rm -rf "$RUN"
	exit $((128 + $1))
}

START=$SECONDS
CURRENT= # the rows function of the set being measured
DATA_INFO=()
# One run at a time in a work folder: a second one would delete the outputs of the first.
command -v flock >/dev/null || die "flock is needed: install the package 'util-linux'"
exec 9>"$W/.lock" || die "cannot open $W/.lock"
if ! flock -n 9; then
	say "another benchmark is running in $W: waiting for it to end"
	flock 9 || die "cannot lock $W/.lock"
fi
rm -rf "$RUN" && mkdir -p "$RUN" || die "cannot make $RUN"
HEADER=$(header)
trap 'interrupted 1' HUP
trap 'interrupted 2' INT
trap 'interrupted 15' TERM
for s in "${SETS[@]}"; do
	case $s in
	big) bench_big ;;
	many) bench_many many 100000 ;;
	many-1m) bench_many many-1m 1000000 ;;
	esac
done
rm -rf "$RUN"
report
if [ $NFAILED -gt 0 ]; then
	say "$NFAILED command(s) failed: their rows show FAILED"
	exit 1
fi
exit 0
