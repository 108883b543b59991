#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Untrusted strings never reach the terminal raw: control characters (C0, DEL, C1) and
# malformed UTF-8 from a bundle's names, envelope and statement, in messages and in
# inspect's text, are shown as \xNN.
. "${top_srcdir:-.}/tests/lib.sh"

EX=$top_srcdir/manifests/example/manifest.yaml

# hostile IN OUT WHAT: a copy of bundle IN with control characters put into WHAT.
hostile() {
	python3 - "$@" <<'PY'
import sys, tarfile
import os
sys.path.insert(0, os.environ["top_srcdir"] + "/tests")
import tamper
src, dst, what = sys.argv[1:4]
evil = "\x1b]0;OWNED\x07\x1b[2J\u009b31m\x7f"
b = tamper.Bundle(src)
if what == "payloadType":
    env = b.envelope()
    env["payloadType"] = "application/x" + evil
    b.set_envelope(env)
elif what == "statement":
    st = b.statement()
    p = st["predicate"]
    p["name"] = "name" + evil
    p["version"] = "1.0" + evil
    p["description"] = "about\nverified: all good" + evil
    p["license"] = "MIT" + evil
    c = p["components"][0]
    c["name"] = "comp" + evil
    c["license"] = "Apache-2.0" + evil
    c["role"] = "role" + evil
    st["predicate"] = p
    b.set_statement(st)
elif what == "bag":
    st = b.statement()
    st["predicate"]["bag"] = "bag" + evil
    b.set_statement(st)
elif what == "entry":
    m = tarfile.TarInfo("/abs" + "\u009b2J\u0085x")
    m.size = 1
    b.insert(m, b"x")
else:
    sys.exit("unknown " + what)
if what != "entry":
    b.redo_tagmanifest()
b.write(dst)
PY
}

# clean DESCRIPTION: no raw control byte in $T/out or $T/err but line ends, no C1 control either.
clean() {
	if LC_ALL=C grep -aqP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$T/out" "$T/err"; then
		ok 1 "$1"
		diag "raw control bytes:" "$(cat -v "$T/out" "$T/err")"
	else
		ok 0 "$1"
	fi
}

"$OSPACK" build "$EX" -q -o "$T/s.tar"
ok $? "build the example bundle"
for w in payloadType statement bag entry; do
	hostile "$T/s.tar" "$T/$w.tar" $w
	ok $? "make a bundle with control characters in its $w"
done

# --- messages ---
ESC='\x1b]0;OWNED\x07\x1b[2J\xc2\x9b31m\x7f'
run "$OSPACK" verify "$T/payloadType.tar"
[ $rc -eq 1 ] && grep -qF "ospack/statement.dsse.json: payload type 'application/x$ESC', not " "$T/err"
ok $? "verify: a payload type with control characters is rejected, shown escaped"
clean "verify: no raw control byte from the payload type reaches the terminal"
run "$OSPACK" extract "$T/payloadType.tar" -C "$T/x1"
[ $rc -eq 1 ] && grep -qF "payload type 'application/x$ESC'" "$T/err" && [ ! -e "$T/x1" ]
ok $? "extract: the same, and nothing is left"
clean "extract: no raw control byte from the payload type reaches the terminal"

run "$OSPACK" verify "$T/bag.tar"
[ $rc -eq 1 ] && grep -qF "the bag folder of tiny-stories-15m should be bag$ESC/" "$T/err"
ok $? "verify: a statement's bag name with control characters is shown escaped"
clean "verify: no raw control byte from the statement reaches the terminal"

run "$OSPACK" verify "$T/entry.tar"
[ $rc -eq 1 ] && grep -qF '/abs\xc2\x9b2J\xc2\x85x: absolute path' "$T/err"
ok $? "verify: an entry name with C1 controls is shown escaped"
clean "verify: no raw C1 control from an entry name reaches the terminal"

# A folder's name is not checked against the statement's: the bag name is printed as is.
mkdir "$T/f" && tar -xf "$T/bag.tar" -C "$T/f" && run "$OSPACK" verify "$T/f/tiny-stories-15m-1.0.0"
[ $rc -eq 0 ] && grep -qF "verified bag$ESC (" "$T/out"
ok $? "verify DIR: the statement's bag name is printed escaped"
clean "verify DIR: no raw control byte in the printed result"

# --- inspect's text ---
run "$OSPACK" inspect "$T/statement.tar"
[ $rc -eq 0 ] && grep -qF "name$ESC 1.0$ESC (bag " "$T/out" &&
	grep -qF "about\\x0averified: all good$ESC" "$T/out" &&
	grep -qF "comp$ESC  role$ESC  license Apache-2.0$ESC" "$T/out" &&
	grep -qF "license MIT$ESC, digests" "$T/out"
ok $? "inspect: names, description, role and licenses from the statement are shown escaped"
clean "inspect: no raw control byte from the statement reaches the terminal"
! grep -q '^verified: all good' "$T/out"
ok $? "inspect: a line break in the description cannot forge a line"
run "$OSPACK" inspect --json "$T/statement.tar"
[ $rc -eq 0 ] && grep -qF '"name":"name\u001B]0;OWNED\u0007\u001B[2J' "$T/out" &&
	! LC_ALL=C grep -aqP '[\x00-\x08\x0b-\x1f]' "$T/out" "$T/err"
ok $? "inspect --json: Jansson escapes the C0 controls (DEL and C1 are valid JSON, left as is)"

# --- malformed UTF-8 ---
cp "$T/payloadType.tar" "$T/$(printf 'bad\377\033[2Jname.tar')"
run "$OSPACK" verify "$T/$(printf 'bad\377\033[2Jname.tar')"
[ $rc -eq 1 ] && grep -qF "$T/bad\xff\x1b[2Jname.tar: ospack/statement.dsse.json: payload type" "$T/err" &&
	iconv -f UTF-8 -t UTF-8 "$T/err" >/dev/null
ok $? "verify: a bundle name with malformed UTF-8 is shown escaped, the message valid UTF-8"
clean "verify: no raw control byte from the bundle's name"

printf 'name: "x\377\033[2J"\n' >"$T/bad.yaml"
run "$OSPACK" build "$T/bad.yaml" -o "$T/bad.tar"
[ $rc -ne 0 ] && [ -s "$T/err" ]
ok $? "build: a manifest with malformed UTF-8 and an escape is refused"
clean "build: no raw control byte or malformed UTF-8 from the manifest reaches the terminal"
diag "$(cat "$T/err")"

done_testing
