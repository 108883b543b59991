#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ospack fetch, against local HTTP servers: url entries downloaded, checked as they stream,
# resumed and retried; and verify DIR (--fetched) on the folder it fills.
. "${top_srcdir:-.}/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || need_skip_all "python3 is not installed"

# Short retries: these tests drop connections on purpose.
OSPACK_HTTP_RETRIES=2 OSPACK_HTTP_RETRY_DELAY_MS=50 OSPACK_HTTP_STALL_TIMEOUT=10
export OSPACK_HTTP_RETRIES OSPACK_HTTP_RETRY_DELAY_MS OSPACK_HTTP_STALL_TIMEOUT

PIDS=
stop_servers() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	cleanup
}
trap stop_servers EXIT

# The files served: a.bin and sub/b.bin, right; wrong/, short/ and long/ hold bad a.bin's.
S=$T/srv
mkdir -p "$S/sub" "$S/wrong" "$S/short" "$S/long"
python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 200)' >"$S/a.bin"
printf 'the second file\n' >"$S/sub/b.bin"
python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(255, -1, -1)) * 200)' >"$S/wrong/a.bin"
head -c 1000 "$S/a.bin" >"$S/short/a.bin"
cat "$S/a.bin" "$S/a.bin" >"$S/long/a.bin"
ASIZE=$(wc -c <"$S/a.bin" | tr -d ' ')
ASUM=$(sha256sum "$S/a.bin" | cut -d' ' -f1)
BSIZE=$(wc -c <"$S/sub/b.bin" | tr -d ' ')
BSUM=$(sha256sum "$S/sub/b.bin" | cut -d' ' -f1)

# http.server on a free port; the flaky server picks its own.
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 "$PORT" --directory "$S" >"$T/http.log" 2>&1 &
PIDS="$PIDS $!"
python3 "$top_srcdir/tests/http_flaky.py" "$S" "$T/flaky.port" 2>"$T/flaky.log" &
PIDS="$PIDS $!"
up=1
for _ in $(seq 100); do
	if [ -s "$T/flaky.port" ] && python3 -c 'import sys, urllib.request
urllib.request.urlopen("http://127.0.0.1:%s/sub/b.bin" % sys.argv[1], timeout=2).read()' "$PORT" 2>/dev/null; then
		up=0
		break
	fi
	sleep 0.1
done
[ "$up" -eq 0 ] || { stop_servers; need_skip_all "the test HTTP servers did not start"; }
ok 0 "the test HTTP servers answer"
H=http://127.0.0.1:$PORT
F=http://127.0.0.1:$(cat "$T/flaky.port")

# bundle NAME URL-A [URL-B]: builds a release whose url entries are URL-A (with a.bin's
# size and digest) and URL-B (sub/b.bin's), and unpacks it into $T/NAME/; sets D to the bag.
bundle() {
	mkdir -p "$T/m-$1" "$T/$1"
	printf 'card\n' >"$T/m-$1/card.md"
	printf 'weights\n' >"$T/m-$1/w.bin"
	{
		printf 'ospack: 1\nname: %s\nversion: "1"\nlicense: MIT\ndatasets:\n' "$1"
		printf '  - {name: remote-a, url: "%s", size: %s, sha256: %s}\n' "$2" "$ASIZE" "$ASUM"
		[ -z "${3:-}" ] ||
			printf '  - {name: remote-b, url: "%s", size: %s, sha256: %s}\n' "$3" "$BSIZE" "$BSUM"
		printf 'checkpoints:\n  - {name: final, path: w.bin, final: true}\n'
		[ -n "${NODOCS:-}" ] || printf 'docs:\n  - {name: card, path: card.md, type: model-card}\n'
	} >"$T/m-$1/manifest.yaml"
	# shellcheck disable=SC2086
	"$OSPACK" build -q "$T/m-$1/manifest.yaml" -o "$T/$1.tar" ${BUILD_KEY:+-k "$BUILD_KEY"} &&
		tar -xf "$T/$1.tar" -C "$T/$1"
	ok $? "build and unpack the release $1"
	D=$T/$1/$1-1
}

# no_leftovers DIR DESC: no temporary file of fetch is left in DIR.
no_leftovers() {
	[ -z "$(find "$1" -name '.ospack-fetch-*')" ]
	ok $? "$2: no temporary file left"
}

# ======== a bundle with two url entries ========
bundle main "$H/a.bin" "$H/sub/b.bin"
MA=data/datasets/remote-a/a.bin
MB=data/datasets/remote-b/b.bin
expect_fail 1 "^ospack: $D: $MA: not fetched (2 of the 2 files fetch.txt names are missing; ospack fetch downloads them)$" \
	"verify --fetched before fetching: exit 1, naming the first missing file" "$OSPACK" verify --fetched "$D"
run "$OSPACK" verify "$D"
[ "$rc" -eq 0 ] && grep -q '^2 of the 2 files fetch.txt names are not fetched' "$T/out"
ok $? "verify DIR before fetching: accepted, and says how many files are not fetched"
cp -R "$T/main" "$T/main-j2"
run "$OSPACK" fetch --json "$D"
[ "$rc" -eq 0 ] && grep -q "\"bytes\":$((ASIZE + BSIZE)),.*\"fetched\":2,.*\"skipped\":0" "$T/out"
ok $? "fetch downloads both files (--json: fetched 2, their bytes)"
[ "$rc" -eq 0 ] || diag "$(cat "$T/err")"
cmp -s "$D/$MA" "$S/a.bin" && cmp -s "$D/$MB" "$S/sub/b.bin"
ok $? "the files are in place, byte for byte"
no_leftovers "$D" "fetch"
run "$OSPACK" verify "$D"
[ "$rc" -eq 0 ] && grep -q '^all 2 files fetch.txt names are there and verified' "$T/out"
ok $? "verify DIR accepts the fetched files"
run "$OSPACK" verify --fetched --json "$D"
[ "$rc" -eq 0 ] && grep -q '"url_fetched":2,"url_files":2' "$T/out"
ok $? "verify --fetched DIR accepts it too (--json: url_fetched 2 of url_files 2)"
run "$OSPACK" fetch --json "$D"
[ "$rc" -eq 0 ] && grep -q '"bytes":0,.*"fetched":0,.*"skipped":2' "$T/out"
ok $? "a second fetch skips both files"
run "$OSPACK" fetch -j 2 "$T/main-j2/main-1"
[ "$rc" -eq 0 ] && grep -q '^fetched main-1: 2 of 2 files downloaded' "$T/out" &&
	"$OSPACK" verify -q --fetched "$T/main-j2/main-1"
ok $? "fetch -j 2 downloads both at once, and the folder verifies with --fetched"

# ======== files there but wrong ========
cp "$S/wrong/a.bin" "$D/$MA"
expect_fail 1 "^ospack: $D: $MA: a url entry's file whose digest differs from the statement's$" \
	"verify DIR rejects a fetched file of the right size and other bytes" "$OSPACK" verify "$D"
printf 'x' >>"$D/$MB"
expect_fail 1 "^ospack: $D: $MA: a url entry's file whose digest differs" \
	"verify --fetched DIR rejects it as well" "$OSPACK" verify --fetched "$D"
run "$OSPACK" fetch --json "$D"
[ "$rc" -eq 0 ] && grep -q '"fetched":2,.*"replaced":2,"skipped":0' "$T/out" &&
	grep -q "^ospack: warning: $MA: there, but not what the statement says: downloading it again$" "$T/err" &&
	cmp -s "$D/$MA" "$S/a.bin" && cmp -s "$D/$MB" "$S/sub/b.bin"
ok $? "fetch says which files are wrong, and downloads them again"
printf 'x' >>"$T/main-j2/main-1/$MB"
expect_fail 1 "^ospack: .*/main-1: $MB: a url entry's file of $((BSIZE + 1)) bytes, the statement says $BSIZE$" \
	"verify DIR rejects a fetched file of the wrong size" "$OSPACK" verify "$T/main-j2/main-1"

# ======== url files in an archive ========
# Without docs the url entry's file sorts last: tamper.py adds it after the payload, in order.
NODOCS=1 bundle arch "$H/a.bin"
python3 "$top_srcdir/tests/tamper.py" "$T/arch.tar" "$T/arch-in.tar" add "$MA" "not fetched here"
expect_fail 1 "^ospack: $T/arch-in.tar: $MA: a url entry's file, which a bundle archive never holds$" \
	"verify still rejects a url entry's file inside an archive" "$OSPACK" verify "$T/arch-in.tar"

# ======== downloads that are not what the statement says ========
bundle wrong "$H/wrong/a.bin"
expect_fail 1 "^ospack: $MA: $H/wrong/a.bin sent sha256 [0-9a-f]\{64\}, the statement says $ASUM$" \
	"a download with other bytes: exit 1, naming path, URL, what was expected and got" \
	"$OSPACK" fetch "$D"
[ ! -e "$D/$MA" ]
ok $? "nothing is left at its path"
no_leftovers "$D" "a wrong download"
bundle short "$H/short/a.bin"
expect_fail 1 "^ospack: $MA: $H/short/a.bin sent 1000 bytes, the statement says $ASIZE$" \
	"a short download: exit 1" "$OSPACK" fetch "$D"
[ ! -e "$D/$MA" ]
ok $? "nothing is left at its path"
bundle long "$F/endless/a.bin"
run timeout 30 "$OSPACK" fetch "$D"
[ "$rc" -eq 1 ] && grep -q "^ospack: $MA: $F/endless/a.bin sends more than the statement's $ASIZE bytes; stopped$" "$T/err"
ok $? "a download longer than the statement says (an endless one): exit 1, stopped at once"
[ "$rc" -eq 1 ] || diag "exit $rc" "$(cat "$T/err")"
[ ! -e "$D/$MA" ]
ok $? "nothing is left at its path"
no_leftovers "$D" "a long download"

# ======== servers that fail ========
bundle missing "$H/missing.bin"
expect_fail 4 "^ospack: $H/missing.bin: HTTP status 404$" "404: exit 4, naming the URL and the status" \
	"$OSPACK" fetch "$D"
MM=data/datasets/remote-a/missing.bin
mkdir -p "$D/data/datasets/remote-a" && cp "$S/wrong/a.bin" "$D/$MM"
expect_fail 4 "^ospack: $H/missing.bin: HTTP status 404$" "a wrong file there and a failed download: exit 4" \
	"$OSPACK" fetch "$D"
[ ! -e "$D/$MM" ] && grep -q "^ospack: warning: $MM: there, but not what the statement says" "$T/err"
ok $? "the wrong file is gone from its path all the same"
if command -v flock >/dev/null 2>&1; then
	flock "$D" sleep 3 &
	locker=$!
	sleep 0.5
	expect_fail 2 "^ospack: $D: another ospack fetch is running into this folder$" \
		"a second fetch into a folder being fetched into: exit 2" "$OSPACK" fetch "$D"
	wait "$locker"
else
	skip "a second fetch into a folder being fetched into" "flock(1) is not installed"
fi
touch "$D/.ospack-fetch-AAAAAAAAAAAA"
expect_fail 4 "HTTP status 404$" "a fetch with a leftover temporary file in the folder" "$OSPACK" fetch "$D"
no_leftovers "$D" "the leftover of a killed fetch is swept, and the folder verified"
bundle once "$F/once/a.bin"
run "$OSPACK" fetch "$D"
[ "$rc" -eq 0 ] && cmp -s "$D/$MA" "$S/a.bin" && grep -q "^GET /once/a.bin HTTP/1.1 range=bytes=$((ASIZE / 2))-$" "$T/flaky.log"
ok $? "a connection dropped mid-transfer: the retry resumes with Range, and the file is right"
[ "$rc" -eq 0 ] || diag "exit $rc" "$(cat "$T/err")"
bundle norange "$F/norange/a.bin"
run "$OSPACK" fetch "$D"
[ "$rc" -eq 0 ] && cmp -s "$D/$MA" "$S/a.bin"
ok $? "a server that ignores Range on the retry: the download starts over, and is right"
bundle always "$F/always/a.bin"
run "$OSPACK" fetch "$D"
[ "$rc" -eq 4 ] && grep -q "^ospack: $F/always/a.bin: .* (after 3 attempts)$" "$T/err"
ok $? "a server that always drops: exit 4 after the retries, naming the URL"
[ "$rc" -eq 4 ] || diag "exit $rc" "$(cat "$T/err")"
[ ! -e "$D/$MA" ]
ok $? "nothing is left at its path"
no_leftovers "$D" "a failed download"

# ======== an OMS signature (ECDSA) holds before and after fetching ========
"$OSPACK" keygen -t ecdsa-p256 -o "$T/ec" >/dev/null
BUILD_KEY=$T/ec.key bundle oms "$H/a.bin"
[ -f "$D/ospack/model.sig" ]
ok $? "an ECDSA-signed release carries ospack/model.sig"
run "$OSPACK" verify -k "$T/ec.pub" "$D"
ok $? "before fetching, verify -k accepts it"
run "$OSPACK" fetch "$D"
ok $? "fetch downloads the url entry's file"
run "$OSPACK" verify -k "$T/ec.pub" --fetched --json "$D"
[ "$rc" -eq 0 ] && grep -q '"oms_signature":"trusted"' "$T/out"
ok $? "after fetching, verify -k --fetched accepts it, model.sig checked by the key"
[ "$rc" -eq 0 ] || diag "exit $rc" "$(cat "$T/err")"
cp "$S/wrong/a.bin" "$D/$MA"
expect_fail 1 "^ospack: $D: $MA: a url entry's file whose digest differs from the statement's$" \
	"a wrong file in its place is still rejected" "$OSPACK" verify -k "$T/ec.pub" "$D"

# ======== usage ========
expect_fail 2 "^ospack fetch: a DIR is required$" "no DIR: exit 2" "$OSPACK" fetch
expect_fail 2 "^ospack fetch: -j/--jobs: '0' is not a number from 1 to 1024$" "-j 0: exit 2" \
	"$OSPACK" fetch -j 0 "$D"
expect_fail 4 "^ospack: cannot open: $T/nothere: No such file or directory$" "a DIR that is not there: exit 4" \
	"$OSPACK" fetch "$T/nothere"

expect_fail 3 "^ospack: $T/oms.tar: not a folder: fetch works on an unpacked bundle (tar -xf the archive first)$" \
	"a bundle archive rather than its folder: exit 3, saying to unpack it" "$OSPACK" fetch "$T/oms.tar"
mkdir -p "$T/notabag" && : >"$T/notabag/.ospack-fetch-keep"
expect_fail 3 "^ospack: $T/notabag: no bagit.txt: not an unpacked bundle (the folder that tar -xf of a bundle makes)$" \
	"a folder that is not a bag: exit 3, saying what fetch wants" "$OSPACK" fetch "$T/notabag"
[ -e "$T/notabag/.ospack-fetch-keep" ]
ok $? "and nothing in that folder is swept"

# ======== a fetch.txt that escapes data/ ========
bundle escape "$H/a.bin"
sed 's| data/datasets/remote-a/a.bin$| data/../../evil.bin|' "$D/fetch.txt" >"$T/fetch.txt" &&
	cat "$T/fetch.txt" >"$D/fetch.txt"
expect_fail 1 "^ospack: $D: fetch.txt: digest mismatch$" \
	"a fetch.txt path out of data/ (..) is refused" "$OSPACK" fetch "$D"
[ ! -e "$T/escape/evil.bin" ] && [ ! -e "$T/evil.bin" ]
ok $? "nothing is written outside"

done_testing
