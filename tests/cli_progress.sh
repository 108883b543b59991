#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Progress on stderr (none with -q or off a terminal, plain lines with --progress, one line
# rewritten in place on a terminal) and -j/--jobs, for build, verify and extract.
. "${top_srcdir:-.}/tests/lib.sh"

EX=$top_srcdir/manifests/example
BAG=tiny-stories-15m-1.0.0
CR=$(printf '\r')
ESC=$(printf '\033')

"$OSPACK" build "$EX/manifest.yaml" -q -o "$T/b.tar" && mkdir "$T/u" && tar -xf "$T/b.tar" -C "$T/u"
ok $? "build and unpack the example"

# The commands under test, each given extra arguments: build, verify of an archive and of a
# folder, extract. Each string is also what script(1) runs on a terminal below.
q() { printf "'%s'" "$1"; }
cmdline() { # cmdline NAME: the shell command line of that command
	case $1 in
	build) printf '%s\n' "$(q "$OSPACK") build $(q "$EX/manifest.yaml") -o $(q "$T/o.tar")" ;;
	verify) printf '%s\n' "$(q "$OSPACK") verify $(q "$T/b.tar")" ;;
	verify_dir) printf '%s\n' "$(q "$OSPACK") verify $(q "$T/u/$BAG")" ;;
	extract) printf '%s\n' "rm -rf $(q "$T/x") && $(q "$OSPACK") extract $(q "$T/b.tar") -C $(q "$T/x")" ;;
	esac
}
CMDS="build verify verify_dir extract"
run_cmd() { # run_cmd NAME ARGS...: runs it as run does, stderr to $T/err
	c=$1
	shift
	run sh -c "$(cmdline "$c") \"\$@\"" sh "$@"
}

# --- -q: nothing on stderr, even with --progress ---
for c in $CMDS; do
	for extra in "" --progress; do
		run_cmd "$c" -q $extra
		[ "$rc" -eq 0 ] && [ ! -s "$T/err" ]
		ok $? "$c -q${extra:+ $extra}: exit 0 and nothing on stderr"
	done
done

# --- stderr not a terminal, no --progress: no progress (--json or not) ---
for c in $CMDS; do
	run_cmd "$c"
	[ "$rc" -eq 0 ] && [ ! -s "$T/err" ]
	ok $? "$c with stderr to a file: nothing on stderr"
done
for c in build verify; do
	run_cmd "$c" --json
	[ "$rc" -eq 0 ] && [ ! -s "$T/err" ] && grep -q '^{"' "$T/out"
	ok $? "$c --json with stderr to a file: JSON on stdout, nothing on stderr"
done

# --- --progress with stderr to a file: plain lines ---
# plain_ok FILE LAST-LINE-PATTERN: lines end in "\n", no "\r" nor ESC, each names a file count
plain_ok() {
	[ -s "$1" ] && [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ] &&
		! grep -q "$CR" "$1" && ! grep -q "$ESC" "$1" &&
		! grep -v -E '(^| )[0-9]+(/[0-9]+)? files?( |$)' "$1" | grep -q . &&
		tail -n 1 "$1" | grep -q -E "$2"
}
for c in $CMDS; do
	case $c in build) last='^3\.8 KiB / 3\.8 KiB  15/15 files  .*done in [0-9]+:[0-9][0-9]$' ;;
	*) last='^3\.8 KiB  15 files  .*done in [0-9]+:[0-9][0-9]$' ;; esac
	run_cmd "$c" --progress
	# Even this fast run shows the first line (at once) and the final one.
	if [ "$rc" -eq 0 ] && plain_ok "$T/err" "$last" && [ "$(wc -l <"$T/err")" -ge 2 ]; then
		ok 0 "$c --progress: plain lines ending in a newline, the file count, first and last"
	else
		ok 1 "$c --progress: plain lines ending in a newline, the file count, first and last"
		diag "exit $rc; stderr:" "$(od -c "$T/err" | head -n 20)"
	fi
done
run_cmd build --progress --json
[ "$rc" -eq 0 ] && plain_ok "$T/err" '15/15 files' && grep -q '^{"' "$T/out" &&
	[ "$(wc -l <"$T/out")" -eq 1 ]
ok $? "build --progress --json: progress on stderr, stdout only the JSON"

# Many files, quickly: plain lines stay at one a second (plus the first and the last).
mkdir -p "$T/many/d"
i=0
while [ $i -lt 3000 ]; do
	echo "$i" >"$T/many/d/f$i"
	i=$((i + 1))
done
printf 'ospack: 1\nname: many\nversion: "1"\ndatasets:\n  - name: d\n    path: d\n' >"$T/many/m.yaml"
start=$(date +%s)
run "$OSPACK" build "$T/many/m.yaml" -o "$T/many.tar" --progress
secs=$(($(date +%s) - start))
lines=$(wc -l <"$T/err")
[ "$rc" -eq 0 ] && [ "$lines" -ge 1 ] && [ "$lines" -le $((secs + 3)) ] &&
	tail -n 1 "$T/err" | grep -q '3000/3000 files'
ok $? "build of 3000 files --progress: $lines lines in about $secs s, the last 3000/3000 files"
start=$(date +%s)
run "$OSPACK" verify "$T/many.tar" --progress
secs=$(($(date +%s) - start))
lines=$(wc -l <"$T/err")
[ "$rc" -eq 0 ] && [ "$lines" -ge 1 ] && [ "$lines" -le $((secs + 3)) ] &&
	tail -n 1 "$T/err" | grep -q ' 3000 files .*done in'
ok $? "verify of 3000 files --progress: $lines lines in about $secs s, the last 3000 files"

# A slow pipe: 10 MiB in 20 pieces, 0.2 s apart. Plain lines come each second while it lasts
# (not only a first and a last), and no more often.
mkdir -p "$T/big/d" "$T/pieces"
i=10
while [ $i -lt 50 ]; do
	yes "$i" | head -c 262144 >"$T/big/d/f$i"
	i=$((i + 1))
done
printf 'ospack: 1\nname: big\nversion: "1"\ndatasets:\n  - name: d\n    path: d\n' >"$T/big/m.yaml"
"$OSPACK" build -q "$T/big/m.yaml" -o "$T/big.tar" && split -n 20 "$T/big.tar" "$T/pieces/p"
ok $? "build a bundle of 40 files of 256 KiB, cut in 20 pieces"
slow="for p in $(q "$T")/pieces/p*; do cat \"\$p\" && sleep 0.2; done | $(q "$OSPACK") verify -"
start=$(date +%s)
run sh -c "$slow --progress"
secs=$(($(date +%s) - start))
lines=$(wc -l <"$T/err")
[ "$rc" -eq 0 ] && [ "$lines" -ge 4 ] && [ "$lines" -le $((secs + 3)) ] &&
	plain_ok "$T/err" '^10\.0 MiB  40 files  .*done in'
ok $? "verify --progress of a slow pipe: $lines plain lines in about $secs s"

# --- on a terminal: one line rewritten in place with "\r" and ended by "\n" ---
# script(1) gives the command a pseudo-terminal; its output is stdout and stderr together, with
# every "\n" turned into "\r\n". CI installs it (bsdutils): missing is a failure, not a skip.
if command -v script >/dev/null 2>&1; then
	tty_run() { # tty_run COMMAND-LINE: output in $T/tty
		script -qec "$1" /dev/null </dev/null >"$T/tty" 2>&1
		rc=$?
	}
	for c in $CMDS; do
		case $c in build) last='15/15 files' ;; *) last=' 15 files' ;; esac
		tty_run "$(cmdline "$c")"
		if [ "$rc" -eq 0 ] && grep -q "${CR}[0-9][0-9.]* [KMG]*i*B " "$T/tty" &&
			grep -q "$ESC\[K" "$T/tty" &&
			grep -q "${CR}[^${CR}]*$last .*done in [0-9:]*${ESC}\[K${CR}\$" "$T/tty"; then
			ok 0 "$c on a terminal: one line rewritten after a CR, ended by a newline when done"
		else
			ok 1 "$c on a terminal: one line rewritten after a CR, ended by a newline when done"
			diag "exit $rc; output:" "$(od -c "$T/tty" | head -n 12)"
		fi
	done
	tty_run "$(cmdline verify) --progress"
	[ "$rc" -eq 0 ] && ! grep -q "$ESC" "$T/tty" && ! grep -q "${CR}[^${CR}]" "$T/tty" &&
		grep -q ' 15 files .*done in' "$T/tty"
	ok $? "verify --progress on a terminal: plain lines, nothing rewritten"
	for c in $CMDS; do
		tty_run "$(cmdline "$c") -q --progress"
		[ "$rc" -eq 0 ] && [ ! -s "$T/tty" ]
		ok $? "$c -q --progress on a terminal: nothing at all"
	done
	# At most about ten updates a second on a terminal, however many files.
	start=$(date +%s)
	tty_run "$(q "$OSPACK") verify $(q "$T/many.tar")"
	secs=$(($(date +%s) - start))
	n=$(grep -o "$ESC\[K" "$T/tty" | wc -l)
	[ "$rc" -eq 0 ] && [ "$n" -ge 1 ] && [ "$n" -le $((10 * secs + 12)) ]
	ok $? "verify of 3000 files on a terminal: $n updates in about $secs s"
	start=$(date +%s)
	tty_run "$slow"
	secs=$(($(date +%s) - start))
	n=$(grep -o "$ESC\[K" "$T/tty" | wc -l)
	[ "$rc" -eq 0 ] && [ "$n" -ge 6 ] && [ "$n" -le $((10 * secs + 12)) ]
	ok $? "verify of a slow pipe on a terminal: $n updates in about $secs s"
else
	ok 1 "script(1) (util-linux/bsdutils) is installed: the terminal tests need it"
fi

# --- -j/--jobs ---
for c in build verify extract; do
	for bad in 0 abc 1025 -1 '' ' 4' 4x; do
		expect_fail 2 "-j/--jobs: '$bad' is not a number from 1 to 1024" \
			"$c -j '$bad': exit 2 naming the option and the value" \
			sh -c "$(cmdline "$c") \"\$@\"" sh -j "$bad"
	done
	expect_fail 2 "jobs: 'x' is not a number" "$c --jobs=x: exit 2 naming the option" \
		sh -c "$(cmdline "$c") --jobs=x"
	expect_fail 2 "option '--jobs' requires an argument" "$c --jobs with no value: exit 2" \
		sh -c "$(cmdline "$c") --jobs"
	expect_fail 2 "option requires an argument -- 'j'" "$c -j with no value: exit 2" \
		sh -c "$(cmdline "$c") -j"
	for good in "-j 1" "-j 4" "--jobs 4" "--jobs=1024"; do
		# shellcheck disable=SC2086 # $good is an option and its value
		run_cmd "$c" -q $good
		ok "$rc" "$c $good: accepted"
	done
done
"$OSPACK" build "$EX/manifest.yaml" -q -j 1 -o "$T/j1.tar" &&
	"$OSPACK" build "$EX/manifest.yaml" -q -j 4 -o "$T/j4.tar" && cmp -s "$T/j1.tar" "$T/j4.tar"
ok $? "build -j 1 and -j 4 write the same bytes"
run "$OSPACK" verify -j 2 --json "$T/b.tar"
[ "$rc" -eq 0 ] && grep -q '^{".*"verified":true' "$T/out"
ok $? "verify -j 2 --json: -j is the jobs, --json still the JSON"

# --- --help tells of -j and --progress ---
for c in build verify extract; do
	run "$OSPACK" "$c" --help
	[ "$rc" -eq 0 ] && grep -q '^  -j, --jobs N  .*1 to 1024' "$T/out" &&
		grep -q '^      --progress  .*plain lines' "$T/out" &&
		grep -q '\[-j N\] \[--progress\]' "$T/out"
	ok $? "$c --help: the usage and what -j and --progress do"
done

done_testing
