# SPDX-License-Identifier: Apache-2.0
# Shared set-up for the command-line tests: TAP output and a private temp folder.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
OSPACK=${OSPACK:-$top_builddir/ospack}
SHARED=${SHARED:-$top_srcdir/../shared}
export LC_ALL=C.UTF-8
unset SOURCE_DATE_EPOCH OSPACK_TRUSTED_KEYS OSPACK_KEY_PASSWORD

tap_n=0
tap_failed=0
T=$(mktemp -d "${TMPDIR:-/tmp}/ospack-test.XXXXXX")
cleanup() {
	if [ "$tap_failed" -eq 0 ]; then
		rm -rf "$T"
	else
		echo "# kept $T for inspection"
	fi
}
trap cleanup EXIT

ok() { # ok CONDITION-STATUS DESCRIPTION
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

skip() { # skip DESCRIPTION REASON
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

skip_all() { echo "1..0 # SKIP $1"; trap - EXIT; rm -rf "$T"; exit 0; }

# need_skip DESC REASON and need_skip_all REASON: skips for want of something CI always has
# (../shared, a server it starts, a package .ci/run installs). With OSPACK_NO_SKIP=1, as
# .ci/run sets, they are failures: a CI run that passes has run every such test.
need_skip() {
	if [ "${OSPACK_NO_SKIP:-}" = 1 ]; then
		ok 1 "$1"
		diag "OSPACK_NO_SKIP=1, so this cannot be skipped: $2"
	else
		skip "$1" "$2"
	fi
}
need_skip_all() {
	if [ "${OSPACK_NO_SKIP:-}" = 1 ]; then
		echo "not ok 1 - every test of $(basename "$0"): OSPACK_NO_SKIP=1, so this cannot be skipped: $1"
		echo "1..1"
		exit 1
	fi
	skip_all "$1"
}

done_testing() { echo "1..$tap_n"; [ "$tap_failed" -eq 0 ]; }

# run CMD...: runs a command, keeping its exit status in $rc, stdout in $T/out, stderr in $T/err
run() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# expect_fail STATUS PATTERN DESCRIPTION CMD...: the command exits STATUS and stderr matches PATTERN
expect_fail() {
	want=$1 pat=$2 desc=$3
	shift 3
	run "$@"
	if [ "$rc" -eq "$want" ] && grep -q -e "$pat" "$T/err"; then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		diag "exit $rc (want $want); stderr:" "$(cat "$T/err")" "want: $pat"
	fi
}
