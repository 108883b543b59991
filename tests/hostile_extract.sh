#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# extract and build against a hostile file system and hard stops: a target that is, or
# becomes, a symbolic link; leftovers of a run killed with SIGKILL; failed fstat and realloc.
# tests/shim.c (LD_PRELOAD) makes each event happen at an exact point; no timing.
. "${top_srcdir:-.}/tests/lib.sh"

EX=$top_srcdir/manifests/example/manifest.yaml
BAG=tiny-stories-15m-1.0.0
SHIM=$top_builddir/tests/.libs/libospshim.so
# With the sanitizers' runtime linked in, it must not insist on coming first.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS

[ -f "$SHIM" ]
ok $? "the test shim was built ($SHIM)"
"$OSPACK" build "$EX" -q -o "$T/s.tar"
ok $? "build the example bundle"

# --- the target: opened once, never through a link ---
mkdir "$T/real"
ln -s "$T/real" "$T/link"
expect_fail 2 "^ospack: $T/link: a symbolic link; extract wants a folder itself, not a link to one\$" \
	"a target that is a symbolic link to a folder is refused" \
	"$OSPACK" extract "$T/s.tar" -C "$T/link"
[ -z "$(ls -A "$T/real")" ]
ok $? "nothing was written where the link points"
ln -s "$T/nowhere" "$T/dangling"
expect_fail 2 "^ospack: $T/dangling: a symbolic link; extract wants a folder itself" \
	"a target that is a dangling symbolic link is refused" \
	"$OSPACK" extract "$T/s.tar" -C "$T/dangling"
[ ! -e "$T/nowhere" ]
ok $? "nothing was made where the dangling link points"

# The target swapped for a link right after ospack first opened it: the bag must land in the
# folder that was opened, not where the link points.
mkdir "$T/race" "$T/elsewhere"
OSPSHIM_SWAP="$T/race|$T/elsewhere" LD_PRELOAD=$SHIM \
	"$OSPACK" extract -q "$T/s.tar" -C "$T/race" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && [ -L "$T/race" ] && [ -z "$(ls -A "$T/elsewhere")" ] &&
	[ "$(ls -A "$T/race.orig")" = "$BAG" ]
ok $? "a target swapped for a link mid-run: the bag lands in the folder opened, not the link's"
[ $rc -eq 0 ] || diag "exit $rc" "$(cat "$T/err")"
diag "in the link's folder: $(ls -A "$T/elsewhere")"

# --- leftovers of an extract killed with SIGKILL ---
mkfifo "$T/fifo"
mkdir "$T/k1"
OSPSHIM_PAUSE_AT=renameat OSPSHIM_PAUSE_FIFO="$T/fifo" LD_PRELOAD=$SHIM \
	"$OSPACK" extract -q "$T/s.tar" -C "$T/k1" >/dev/null 2>"$T/err.bg" &
pid=$!
read -r line <"$T/fifo"
[ "$line" = paused ]
ok $? "an extract is stopped with its bag staged, before moving it into place"
expect_fail 2 "^ospack: $T/k1: another ospack extract or pull is running into this folder\$" \
	"a second extract into a folder an extract is running into is refused" \
	"$OSPACK" extract "$T/s.tar" -C "$T/k1"
[ "$(ls -A "$T/k1" | wc -l)" = 1 ] && [ -d "$T/k1/$(ls -A "$T/k1")/$BAG/data" ]
ok $? "the refused extract left the running one's staging folder alone"
kill -KILL $pid
wait $pid
[ $? -eq 137 ] && ls -A "$T/k1" | grep -q '^\.ospack-extract-[0-9]*-[0-9]*$'
ok $? "SIGKILL leaves the staging folder in the target"
run "$OSPACK" extract "$T/s.tar" -C "$T/k1"
[ $rc -eq 0 ] && [ "$(ls -A "$T/k1")" = "$BAG" ]
ok $? "the next extract removes the killed run's staging folder and succeeds"
[ $rc -eq 0 ] || diag "exit $rc" "$(cat "$T/err")"

mkdir -p "$T/k2/.ospack-extract-x" "$T/k3/.ospack-extract-12-3"
expect_fail 2 "^ospack: $T/k2: not empty (extract wants an empty or new folder)\$" \
	"a folder only named like a staging folder is not taken for one" \
	"$OSPACK" extract "$T/s.tar" -C "$T/k2"
ln -s "$T/real" "$T/k3/.ospack-extract-99-0"
expect_fail 2 "^ospack: $T/k3: not empty" \
	"a link named like a staging folder is not removed, nor followed" \
	"$OSPACK" extract "$T/s.tar" -C "$T/k3"
[ -L "$T/k3/.ospack-extract-99-0" ] && [ ! -e "$T/k3/.ospack-extract-12-3" ] && [ -d "$T/real" ]
ok $? "... while the stale staging folder beside it was removed"

# --- leftovers of a build killed with SIGKILL ---
mkdir "$T/b"
OSPSHIM_PAUSE_AT=fsync OSPSHIM_PAUSE_FIFO="$T/fifo" LD_PRELOAD=$SHIM \
	"$OSPACK" build "$EX" -q -o "$T/b/out.tar" >/dev/null 2>"$T/err.bg" &
pid=$!
read -r line <"$T/fifo"
[ "$line" = paused ] && ls -A "$T/b" | grep -q '^\.out\.tar\.tmp-......$'
ok $? "a build is stopped with its archive written beside the target, before the rename"
run "$OSPACK" build "$EX" -q -o "$T/b/out.tar"
[ $rc -eq 0 ] && [ "$(ls -A "$T/b" | grep -c tmp)" = 1 ]
ok $? "a build beside a running one leaves the running one's archive alone"
kill -KILL $pid
wait $pid
[ $? -eq 137 ] && [ "$(ls -A "$T/b" | grep -c '^\.out\.tar\.tmp-')" = 1 ]
ok $? "SIGKILL leaves the temporary archive"
touch "$T/b/.other.tar.tmp-abcdef" "$T/b/.out.tar.tmp-toolong1"
run "$OSPACK" build "$EX" -q -o "$T/b/out.tar"
[ $rc -eq 0 ] && [ "$(ls -A "$T/b" | sort | tr '\n' ' ')" = ".other.tar.tmp-abcdef .out.tar.tmp-toolong1 out.tar " ]
ok $? "the next build removes the killed run's archive, and only that"
diag "$(ls -A "$T/b")"

# --- a failed fstat of the bundle: one close, one message ---
for c in verify extract inspect; do
	set -- "$T/s.tar"
	[ $c = extract ] && set -- "$@" -C "$T/f-$c"
	OSPSHIM_FSTAT_FAIL="$T/s.tar" LD_PRELOAD=$SHIM "$OSPACK" $c "$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -eq 4 ] && grep -q "^ospack: cannot stat: $T/s.tar: Input/output error\$" "$T/err" &&
		! grep -q 'double close' "$T/err"
	ok $? "$c: a bundle that cannot be stat'ed exits 4, its descriptor closed once"
	[ $rc -eq 4 ] || diag "exit $rc" "$(cat "$T/err")"
done

# --- out of memory in the command itself ---
for c in verify extract; do
	set -- -k "$T/none.pub" "$T/s.tar"
	[ $c = extract ] && set -- "$@" -C "$T/m-$c"
	OSPSHIM_FAIL_REALLOC=1 LD_PRELOAD=$SHIM "$OSPACK" $c "$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -eq 4 ] && [ "$(cat "$T/err")" = "ospack: out of memory" ] && [ ! -s "$T/out" ]
	ok $? "$c: out of memory while reading the options exits 4 and says so"
	[ $rc -eq 4 ] || diag "exit $rc" "$(cat "$T/err")"
done

done_testing
