#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The command line's comforts: ospack help CMD, verify --json on failure, "1 file".
. "${top_srcdir:-.}/tests/lib.sh"

for c in build check verify extract fetch inspect push pull ls diff init keygen; do
	"$OSPACK" "$c" --help >"$T/want" 2>&1
	"$OSPACK" help "$c" >"$T/got" 2>&1
	st=$?
	[ $st -eq 0 ] && cmp -s "$T/want" "$T/got" && grep -q "^usage: ospack $c" "$T/got" ||
		echo "$c" >>"$T/bad"
done
test ! -e "$T/bad"
ok $? "ospack help CMD prints CMD --help for every command, exit 0"
[ -e "$T/bad" ] && diag "differs for: $(cat "$T/bad")"
expect_fail 2 "^ospack help: 'nope' is not a command$" "help of an unknown command: exit 2" \
	"$OSPACK" help nope
expect_fail 2 "^ospack help: one command at most$" "help of two commands: exit 2" \
	"$OSPACK" help build verify
run "$OSPACK" help
[ $rc -eq 0 ] && grep -q "'ospack help COMMAND'" "$T/out"
ok $? "ospack help alone prints the usage and says how to get a command's help"

# verify --json prints a JSON object on failure too, for pipelines to log.
run "$OSPACK" verify "$T/nope.tar" --json
[ $rc -eq 3 ] && python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r == {"ok": False, "error": sys.argv[2] + ": no such file", "file": sys.argv[2], "exit": 3}, r' "$T/out" "$T/nope.tar"
ok $? "verify --json of a missing bundle: exit 3 and {ok: false, error, file, exit}"
mkdir -p "$T/one/d"
printf 'x\n' >"$T/one/d/x.txt"
printf 'ospack: 1\nname: one\nversion: "1"\nlicense: MIT\ndatasets:\n  - name: d\n    path: d/\n' >"$T/one/m.yaml"
"$OSPACK" build "$T/one/m.yaml" -o "$T/one.tar" -q
cp "$T/one.tar" "$T/bad.tar"
printf 'Y' | dd of="$T/bad.tar" bs=1 seek=2048 conv=notrunc 2>/dev/null
run "$OSPACK" verify "$T/bad.tar" --json
[ $rc -eq 1 ] && python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["ok"] is False and r["exit"] == 1 and r["file"] == sys.argv[2] and r["error"].startswith(sys.argv[2] + ": "), r' "$T/out" "$T/bad.tar"
ok $? "verify --json of a rejected bundle: exit 1 and the error as JSON on stdout"
grep -q "^ospack: $T/bad.tar: " "$T/err"
ok $? "and the message on stderr as always"
run "$OSPACK" verify "$T/one.tar" --json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["ok"] is True and r["verified"] is True, r' "$T/out"
ok $? "verify --json of a good bundle says ok: true"

# One file is "1 file".
run "$OSPACK" verify "$T/one.tar"
grep -q "(1 file, 2 bytes)" "$T/out"
ok $? "verify says 1 file, not 1 files"
run "$OSPACK" build "$T/one/m.yaml" -o "$T/one2.tar"
grep -q ": 1 file, 2 payload bytes" "$T/out" "$T/err"
ok $? "build says 1 file"
run "$OSPACK" extract "$T/one.tar" -C "$T/x"
grep -q "(1 file, 2 bytes)" "$T/out"
ok $? "extract says 1 file"
run "$OSPACK" inspect "$T/one.tar"
grep -q "  datasets/d  .* 1 file, 2 B$" "$T/out"
ok $? "inspect says 1 file"

done_testing
