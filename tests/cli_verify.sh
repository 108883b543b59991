#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ospack verify from the command line: what it accepts, and every tampering rejected with its message.
. "${top_srcdir:-.}/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"

EX=$top_srcdir/manifests/example/manifest.yaml
BAG=tiny-stories-15m-1.0.0
M=data/checkpoints/final/model.safetensors
WARN='no signature was checked against a trusted key'
have_openssl=false
command -v openssl >/dev/null 2>&1 && have_openssl=true
have_gnu_tar=false
tar --version 2>/dev/null | grep -q 'GNU tar' && have_gnu_tar=true

# keyid PUB: the key id, the SHA-256 of the DER public key, computed by openssl.
keyid() { openssl pkey -pubin -in "$1" -outform DER | sha256sum | cut -d' ' -f1; }

# tamper IN OUT OP ARG...: a tampered copy of a bundle (see tests/tamper.py).
# A tampering that cannot be made fails the test: the case it feeds would test nothing.
tamper() {
	if ! python3 "$top_srcdir/tests/tamper.py" "$@" 2>"$T/tamper.err"; then
		ok 1 "make a tampered copy: tamper.py $*"
		diag "$(cat "$T/tamper.err")"
	fi
}

# expect_ok PATTERN DESC CMD...: the command exits 0 and its stdout matches PATTERN.
expect_ok() {
	pat=$1 desc=$2
	shift 2
	run "$@"
	if [ "$rc" -eq 0 ] && grep -q -e "$pat" "$T/out"; then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		diag "exit $rc (want 0); stdout:" "$(cat "$T/out")" "stderr:" "$(cat "$T/err")" "want: $pat"
	fi
}

# same_at_jobs DESC CMD...: CMD -j 1 and CMD -j 4 give, word for word, the verdict of CMD just
# run (exit $rc, $T/out and $T/err, which are left as they were): hashing on more threads
# changes nothing of what verify says.
same_at_jobs() {
	jdesc=$1
	shift
	jrc=$rc
	cp "$T/out" "$T/out.default" && cp "$T/err" "$T/err.default"
	{ echo "exit $rc"; cat "$T/out" "$T/err"; } >"$T/verdict"
	jbad=
	for j in 1 4; do
		run "$@" -j $j
		{ echo "exit $rc"; cat "$T/out" "$T/err"; } >"$T/verdict.j$j"
		cmp -s "$T/verdict.j$j" "$T/verdict" || jbad="$jbad $j"
	done
	if [ -z "$jbad" ]; then
		ok 0 "$jdesc: the same verdict with -j 1 and -j 4"
	else
		ok 1 "$jdesc: the same verdict with -j 1 and -j 4"
		diag "default:" "$(cat "$T/verdict")"
		for j in $jbad; do diag "-j $j:" "$(cat "$T/verdict.j$j")"; done
	fi
	rc=$jrc
	cp "$T/out.default" "$T/out" && cp "$T/err.default" "$T/err"
}

# rejected FILE PATTERN DESC [ARG]...: verify FILE exits 1 and says "ospack: FILE: PATTERN",
# at any -j.
rejected() {
	f=$1 pat=$2 desc=$3
	shift 3
	expect_fail 1 "^ospack: $f: $pat" "$desc" "$OSPACK" verify "$f" "$@"
	same_at_jobs "$desc" "$OSPACK" verify "$f" "$@"
}

# tc SRC KEY DESC PATTERN OP ARG...: a copy of bundle SRC tampered with OP is rejected with
# PATTERN; KEY is - (no trusted key) or k (-k k1.pub).
tc_n=0
tc() {
	src=$1 key=$2 desc=$3 pat=$4
	shift 4
	tc_n=$((tc_n + 1))
	out=$T/tc/$tc_n.tar
	tamper "$src" "$out" "$@"
	if [ "$key" = k ]; then
		rejected "$out" "$pat" "$desc (with -k)" -k "$T/k1.pub"
	else
		rejected "$out" "$pat" "$desc"
	fi
}
mkdir "$T/tc"

# ======== accepted ========

"$OSPACK" build "$EX" -q -o "$T/u.tar" && "$OSPACK" keygen -o "$T/k1" >"$T/k1.id" 2>/dev/null &&
	"$OSPACK" keygen -o "$T/k2" >/dev/null 2>&1 && "$OSPACK" build "$EX" -q -k "$T/k1.key" -o "$T/s.tar"
ok $? "build an unsigned and a signed bundle, and two Ed25519 keys"
K1=$(cat "$T/k1.id")
# The example's payload bytes, as the archive holds them.
PAYLOAD=$(tar -tvf "$T/u.tar" | awk '$6 ~ /\/data\// && $1 ~ /^-/ { s += $3 } END { print s }')
U=$T/u.tar
S=$T/s.tar

expect_ok "^$U: verified $BAG (15 files, $PAYLOAD bytes)$" "an unsigned bundle verifies" "$OSPACK" verify "$U"
same_at_jobs "an unsigned bundle verifies" "$OSPACK" verify "$U"
grep -q "^warning: $WARN" "$T/out" && ! grep -q 'signed by' "$T/out"
ok $? "and the output says no signature was checked against a trusted key, and names no signer"
expect_ok "claims a signature by key $K1 (not checked)" "a signed bundle without -k verifies, naming the unchecked key" \
	"$OSPACK" verify "$S"
grep -q "^warning: $WARN" "$T/out"
ok $? "and still warns that no signature was checked against a trusted key"
expect_ok "^signed by trusted key $K1$" "a signed bundle verifies with -k and names the key" \
	"$OSPACK" verify "$S" -k "$T/k1.pub"
same_at_jobs "a signed bundle verifies with -k" "$OSPACK" verify "$S" -k "$T/k1.pub"
! grep -q "$WARN" "$T/out"
ok $? "and then gives no warning"
if $have_openssl; then
	[ "$K1" = "$(keyid "$T/k1.pub")" ]
	ok $? "the key id printed by keygen is the SHA-256 of the DER public key"
else
	skip "the key id printed by keygen is the SHA-256 of the DER public key" "no openssl"
fi

# --- keys of both types, from ospack keygen and from openssl ---
# signed_ok NAME DESC: builds with $T/NAME.key, verifies with $T/NAME.pub, expects openssl's key id.
signed_ok() {
	if "$OSPACK" build "$EX" -q -k "$T/$1.key" -o "$T/$1.tar" 2>"$T/err"; then
		expect_ok "^signed by trusted key $(keyid "$T/$1.pub")$" "$2" "$OSPACK" verify "$T/$1.tar" -k "$T/$1.pub"
	else
		ok 1 "$2"
		diag "build failed: $(cat "$T/err")"
	fi
}
"$OSPACK" keygen -t ecdsa-p256 -o "$T/ke" >"$T/ke.id" 2>/dev/null
ok $? "keygen -t ecdsa-p256"
KE=$(cat "$T/ke.id")
if $have_openssl; then
	signed_ok k1 "an Ed25519 key from ospack keygen signs and verifies, with its key id"
	signed_ok ke "an ECDSA P-256 key from ospack keygen signs and verifies, with its key id"
	openssl genpkey -algorithm ed25519 -out "$T/oe.key" 2>/dev/null &&
		openssl pkey -in "$T/oe.key" -pubout -out "$T/oe.pub"
	signed_ok oe "an Ed25519 key from openssl genpkey signs and verifies"
	openssl ecparam -name prime256v1 -genkey -noout -out "$T/sec1.pem" 2>/dev/null &&
		openssl pkcs8 -topk8 -nocrypt -in "$T/sec1.pem" -out "$T/oec.key" &&
		openssl pkey -in "$T/oec.key" -pubout -out "$T/oec.pub"
	signed_ok oec "an ECDSA P-256 key from openssl ecparam + pkcs8 signs and verifies"
	rejected "$T/oe.tar" "ospack/statement.dsse.json: no valid signature by a trusted key (signed by $(keyid "$T/oe.pub"))" \
		"an Ed25519 bundle is rejected with only an ECDSA key trusted" -k "$T/ke.pub"
else
	for d in "Ed25519 from keygen" "ECDSA from keygen" "Ed25519 from openssl" "ECDSA from openssl" "wrong key type"; do
		skip "signed with $d" "no openssl"
	done
fi

# --- two signatures ---
"$OSPACK" build "$EX" -q -k "$T/k1.key" -k "$T/ke.key" -o "$T/two.tar"
ok $? "build with two -k"
"$OSPACK" verify --json "$T/two.tar" | python3 -c '
import json, sys
j = json.load(sys.stdin)
assert sorted(s["keyid"] for s in j["signatures"]) == sorted(sys.argv[1:]), j["signatures"]
assert not any(s["trusted"] for s in j["signatures"])' "$K1" "$KE"
ok $? "two -k give two signatures, one per key"
expect_ok "^signed by trusted key $K1$" "the first public key alone verifies it" "$OSPACK" verify "$T/two.tar" -k "$T/k1.pub"
expect_ok "^signed by trusted key $KE$" "the second public key alone verifies it" "$OSPACK" verify "$T/two.tar" -k "$T/ke.pub"
expect_ok "^signed by trusted key $K1$" "one trusted key among several untrusted ones is enough" \
	"$OSPACK" verify "$S" -k "$T/k2.pub" -k "$T/ke.pub" -k "$T/k1.pub"

# --- OSPACK_TRUSTED_KEYS and env: keys ---
expect_ok "^signed by trusted key $K1$" "OSPACK_TRUSTED_KEYS acts as -k" \
	env OSPACK_TRUSTED_KEYS="$T/k1.pub" "$OSPACK" verify "$S"
expect_ok "^signed by trusted key $K1$" "OSPACK_TRUSTED_KEYS takes a colon-separated list" \
	env OSPACK_TRUSTED_KEYS="$T/k2.pub:$T/k1.pub" "$OSPACK" verify "$S"
expect_fail 1 "^ospack: $S: ospack/statement.dsse.json: no valid signature by a trusted key (signed by $K1)" \
	"OSPACK_TRUSTED_KEYS with only another key rejects the bundle" \
	env OSPACK_TRUSTED_KEYS="$T/k2.pub" "$OSPACK" verify "$S"
expect_ok "^signed by trusted key $K1$" "-k replaces OSPACK_TRUSTED_KEYS" \
	env OSPACK_TRUSTED_KEYS="$T/k2.pub" "$OSPACK" verify "$S" -k "$T/k1.pub"
expect_ok "^signed by trusted key $K1$" "-k env:NAME reads the public key from the environment" \
	env PUBKEY="$(cat "$T/k1.pub")" "$OSPACK" verify "$S" -k env:PUBKEY
expect_fail 3 'env:OSPACK_NO_SUCH_VAR: the environment variable OSPACK_NO_SUCH_VAR is unset' \
	"-k env:NAME with NAME unset is exit 3" "$OSPACK" verify "$S" -k env:OSPACK_NO_SUCH_VAR

# --- --json and -q ---
"$OSPACK" verify --json "$U" >"$T/json"
ok $? "verify --json of the unsigned bundle"
python3 - "$T/json" "$PAYLOAD" <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
j = json.loads(lines[0])
assert j["verified"] is True and j["authenticated"] is False, j
assert j["bag"] == "tiny-stories-15m-1.0.0" and j["name"] == "tiny-stories-15m" and j["version"] == "1.0.0"
assert j["files"] == 15 and j["bytes"] == int(sys.argv[2]) and j["hash"] == "sha256"
assert j["trusted_keys"] == 0 and j["signatures"] == []
EOF
ok $? "--json: one line with verified, bag, name, version, files, bytes, hash, authenticated false, no signature"
"$OSPACK" verify --json "$S" -k "$T/k2.pub" -k "$T/k1.pub" >"$T/json"
python3 - "$T/json" "$K1" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["verified"] is True and j["authenticated"] is True, j
assert j["trusted_keys"] == 2, j
assert j["signatures"] == [{"keyid": sys.argv[2], "trusted": True}], j["signatures"]
EOF
ok $? "--json with -k: authenticated, the number of trusted keys, the signature's key id marked trusted"
run "$OSPACK" verify --json "$T/u.tar" -k "$T/k1.pub"
[ "$rc" -eq 1 ] && grep -q "not signed" "$T/err" &&
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["ok"] is False and r["exit"] == 1 and "not signed" in r["error"], r' "$T/out"
ok $? "--json on a rejected bundle prints {ok: false, error, ...} to stdout and the reason to stderr"
run "$OSPACK" verify -q "$S" -k "$T/k1.pub"
[ "$rc" -eq 0 ] && [ ! -s "$T/out" ] && [ ! -s "$T/err" ]
ok $? "-q prints nothing for a good bundle, exit 0"
run "$OSPACK" verify -q "$S" -k "$T/k2.pub"
[ "$rc" -eq 1 ] && [ ! -s "$T/out" ] && [ ! -s "$T/err" ]
ok $? "-q prints nothing for a rejected bundle, exit 1"

# --- an unpacked folder, sha512, reproducible signed bundles, a plain re-pack ---
if $have_gnu_tar; then
	mkdir "$T/x" && tar -xf "$S" -C "$T/x"
	expect_ok "^signed by trusted key $K1$" "a bundle unpacked by GNU tar verifies as a folder" \
		"$OSPACK" verify "$T/x/$BAG" -k "$T/k1.pub"
else
	skip "a bundle unpacked by GNU tar verifies as a folder" "GNU tar missing"
fi
"$OSPACK" build "$EX" -q --hash sha512 -k "$T/k1.key" -o "$T/s512.tar"
expect_ok "^signed by trusted key $K1$" "a --hash sha512 bundle verifies" "$OSPACK" verify "$T/s512.tar" -k "$T/k1.pub"
"$OSPACK" verify --json "$T/s512.tar" | grep -q '"hash":"sha512"'
ok $? "and --json says sha512"
"$OSPACK" build "$EX" -q -k "$T/k1.key" -o "$T/s-again.tar" && cmp -s "$S" "$T/s-again.tar"
ok $? "a signed Ed25519 bundle is byte-reproducible"
tamper "$U" "$T/repack-u.tar" repack
expect_ok "^$T/repack-u.tar: verified $BAG" "a re-pack that writes ospack's own header bytes is accepted" \
	"$OSPACK" verify "$T/repack-u.tar"
tamper "$S" "$T/repack-s.tar" repack
expect_ok "^signed by trusted key $K1$" "a plain re-pack of a signed bundle is accepted with -k" \
	"$OSPACK" verify "$T/repack-s.tar" -k "$T/k1.pub"
cp "$S" "$T/pad.tar"
size=$(wc -c <"$T/pad.tar")
dd if=/dev/zero bs=1 count=$(((10240 - size % 10240) % 10240)) 2>/dev/null >>"$T/pad.tar"
[ $(($(wc -c <"$T/pad.tar") % 10240)) -eq 0 ] && [ "$(wc -c <"$T/pad.tar")" -gt "$size" ]
ok $? "fixture: a copy of the signed bundle zero-padded to a multiple of 10240 bytes"
expect_ok "^signed by trusted key $K1$" "zero padding to a multiple of 10240 bytes is accepted" \
	"$OSPACK" verify "$T/pad.tar" -k "$T/k1.pub"

# ======== rejected: a byte flipped ========

tc "$U" - "a byte flipped in a payload file" "$M: digest mismatch$" flip "$M"
tc "$S" k "a byte flipped in a payload file of a signed bundle" "$M: digest mismatch$" flip "$M"
tc "$U" - "the first byte of a payload file flipped" "$M: digest mismatch$" flip "$M" 0
tc "$U" - "the last byte of a payload file flipped" "$M: digest mismatch$" flip "$M" 191
tc "$U" - "a byte flipped in the executable" "data/code/inference/generate.py: digest mismatch$" \
	flip data/code/inference/generate.py
tc "$T/s512.tar" - "a byte flipped in a payload file of a sha512 bundle" "$M: digest mismatch$" flip "$M"
tc "$U" - "a byte flipped in bagit.txt" "bagit.txt: digest mismatch$" flip bagit.txt
tc "$U" - "a byte flipped in bag-info.txt" "bag-info.txt: digest mismatch$" flip bag-info.txt
tc "$U" - "a byte flipped in manifest-sha256.txt" "manifest-sha256.txt: digest mismatch$" flip manifest-sha256.txt
tc "$U" - "a byte flipped in tagmanifest-sha256.txt" \
	"tagmanifest-sha256.txt: line 1: bagit.txt: digest mismatch$" flip tagmanifest-sha256.txt 0
tc "$S" - "a digit flipped in the statement (base64 payload)" \
	"manifest-sha256.txt: digest mismatch$" flip-b64 payload manifest-sha256.txt
tc "$S" k "a digit flipped in the statement (base64 payload)" \
	"ospack/statement.dsse.json: the signature by key $K1 does not verify$" flip-b64 payload manifest-sha256.txt
tc "$S" - "a byte flipped in the statement's JSON syntax" "ospack/statement.dsse.json: not valid JSON" \
	flip ospack/statement.dsse.json 0
tc "$S" k "a byte flipped in the signature" \
	"ospack/statement.dsse.json: the signature by key $K1 does not verify$" flip-b64 sig
tc "$S" - "a byte flipped in the signature, no -k: the tag manifest still catches it" \
	"tagmanifest-sha256.txt: line 6: ospack/statement.dsse.json: digest mismatch$" flip-b64 sig
# 500 bytes before the data: the 13th byte of the header, in the entry's name.
tc "$U" - "a byte flipped in a tar header" "malformed archive: a header with a wrong checksum$" flip "$M" -500

# ======== rejected: entries removed, added, duplicated, renamed ========

tc "$U" - "a payload file removed" \
	"data/evals/valid/valid.json: listed in the statement but missing from the bundle$" remove data/evals/valid/valid.json
tc "$U" - "bag-info.txt removed" "bag-info.txt: listed in the statement but missing from the bundle$" remove bag-info.txt
tc "$U" - "the statement removed" "ospack/statement.dsse.json: missing" remove ospack/statement.dsse.json
tc "$U" - "the tag manifest removed" "tagmanifest-sha256.txt: missing$" remove tagmanifest-sha256.txt
tc "$S" k "a payload file added" "data/extra.txt: not covered by the statement$" add data/extra.txt 'extra'
tc "$U" - "a tag file added" "notes.txt: not covered by the statement$" add notes.txt 'note'
if $have_gnu_tar; then
	mkdir -p "$T/r/$BAG/data" && echo extra >"$T/r/$BAG/data/extra.txt" && chmod 644 "$T/r/$BAG/data/extra.txt"
	cp "$S" "$T/r/r.tar" && (cd "$T/r" && tar -rf r.tar "$BAG/data/extra.txt")
	# GNU tar writes owner names, which a bundle never has: the strict header check sees it first.
	rejected "$T/r/r.tar" "data/extra.txt: an entry owned by someone else than 0/0" "a file appended with GNU tar -r" -k "$T/k1.pub"
	mkdir -p "$T/r/$BAG/data/checkpoints/final" && tar -xf "$S" -C "$T/r" "$BAG/$M" &&
		cp "$S" "$T/r/r2.tar" && (cd "$T/r" && tar -rf r2.tar "$BAG/$M")
	rejected "$T/r/r2.tar" "$M: an entry owned by someone else than 0/0" "an identical copy of a file appended with GNU tar -r"
else
	skip "a file appended with GNU tar -r" "GNU tar missing"
	skip "an identical copy of a file appended with GNU tar -r" "GNU tar missing"
fi
tc "$U" - "a payload file duplicated" "$M: appears twice in the archive$" dup "$M"
tc "$U" - "a tag file duplicated" "bagit.txt: appears twice in the archive$" dup bagit.txt
tc "$U" - "a folder entry duplicated" "data/code: appears twice in the archive$" dup data/code
tc "$U" - "a payload file renamed" "$M: listed in the statement but missing from the bundle$" \
	rename "$M" data/checkpoints/final/model2.safetensors
tc "$U" - "the bag folder renamed" "other-1.0.0/: the bag folder of tiny-stories-15m should be $BAG/$" \
	rebag other-1.0.0

# ======== rejected: modes and entry types ========

tc "$U" - "a file's mode changed 0644 to 0755" "$M: mode 0755 differs from the statement's 0644$" chmod "$M" 0755
tc "$U" - "a file's mode changed 0644 to 0600" "$M: mode 0600 (a bundle holds only 0644 and 0755)$" chmod "$M" 0600
tc "$U" - "the executable's mode changed 0755 to 0644" \
	"data/code/inference/generate.py: mode 0644 differs from the statement's 0755$" chmod data/code/inference/generate.py 0644
tc "$U" - "a set-user-id bit added" "$M: mode 4755 (a bundle holds only 0644 and 0755)$" chmod "$M" 04755
tc "$U" - "a tag file's mode changed to 0755" "bagit.txt: mode 0755, not 0644$" chmod bagit.txt 0755
tc "$U" - "a folder's mode changed to 0777" "data/code/: mode 0777, not 0755$" chmod data/code 0777
tc "$U" - "a folder's mode changed to 0700" "ospack/: mode 0700, not 0755$" chmod ospack 0700
tc "$U" - "a symbolic link entry" "$BAG/data/link: a symbolic link$" special data/link symlink ../bagit.txt
tc "$U" - "a hard link entry" "$BAG/data/hard: a hard link$" special data/hard hardlink "$M"
tc "$U" - "a character device entry" "$BAG/data/null: a device$" special data/null chardev
tc "$U" - "a FIFO entry" "$BAG/data/fifo: a FIFO$" special data/fifo fifo
tc "$U" - "an extra empty folder" "data/empty/: a folder the statement does not account for$" mkdir data/empty

# ======== rejected: names ========

tc "$U" - "an absolute path" "/etc/evil: absolute path$" add /etc/evil 'x'
tc "$U" - "a file renamed to an absolute path" "/$BAG/$M: absolute path$" rename "$M" "/$BAG/$M"
tc "$U" - "a '..' component" "$BAG/data/\.\./\.\./evil: path with a '\.\.' component$" add data/../../evil 'x'
tc "$U" - "a '.' component" "$BAG/\./data/x: path with an empty or '\.' component$" add "=$BAG/./data/x" 'x'
tc "$U" - "a file outside the bag folder" "other/file.txt: outside the bag folder $BAG/$" add =other/file.txt 'x'
tc "$U" - "a folder outside the bag folder" "other: outside the bag folder $BAG/$" mkdir =other
tc "$U" - "a file where the bag folder should be" "$BAG: a file where the bag folder should be$" add "=$BAG" 'x'
tc "$U" - "a name that is not UTF-8" "an entry name is not valid UTF-8" add "data/caf$(printf '\377').txt" 'x'
tc "$U" - "a name with a line feed" "an entry name holds a control character$" add "data/a$(printf '\nb').txt" 'x'

# ======== rejected: truncated, trailing data, not an archive ========

tc "$U" - "cut in the middle of a header" "malformed archive: Truncated tar archive" cut header "$M"
# The entry being read when the archive ends is the file the message should name.
tc "$U" - "cut in the middle of a file's data" "\($M.*[Tt]runcated\|.*[Tt]runcated.*$M\)" cut data "$M"
tc "$U" - "cut in the last file's padding" "tagmanifest-sha256.txt: malformed archive: Truncated" \
	cut pad tagmanifest-sha256.txt
tc "$U" - "cut just before the end-of-archive blocks" ".*[Tt]runcated" cut end
tc "$U" - "cut between the two end-of-archive blocks" ".*[Tt]runcated" cut lone-end
cp "$U" "$T/garbage.tar" && printf 'garbage' >>"$T/garbage.tar"
rejected "$T/garbage.tar" "trailing data after the end of the archive$" "non-zero bytes after the end"
cp "$T/pad.tar" "$T/garbage2.tar" && printf 'x' >>"$T/garbage2.tar"
rejected "$T/garbage2.tar" "trailing data after the end of the archive$" "a non-zero byte after the zero padding"
cat "$U" "$U" >"$T/twice.tar"
rejected "$T/twice.tar" "trailing data after the end of the archive$" "a second archive after the end"
tc "$S" k "an entry after a lone end-of-archive block" "an entry after an end-of-archive block$" \
	smuggle data/smuggled.txt 'smuggled'
smuggled=$T/tc/$tc_n.tar
echo 'hello' >"$T/text"
rejected "$T/text" "not a tar archive$" "a text file"
gzip -c "$U" >"$T/u.tar.gz"
# A compressed bundle is found by its content and read decompressed (tests/cli_compress.sh).
run "$OSPACK" verify "$T/u.tar.gz"
ok $rc "a gzip-compressed bundle verifies as the tar it holds"
: >"$T/empty"
rejected "$T/empty" "\(not a tar archive\|the archive is empty\)$" "an empty file"
tc "$U" - "a tag file claiming 1 GiB is refused before it is read" "bag-info.txt: tag file too large (1073741824 bytes)$" \
	claim bag-info.txt 1073741824

# ======== rejected: signatures ========

expect_fail 1 "^ospack: $S: ospack/statement.dsse.json: no valid signature by a trusted key (signed by $K1)$" \
	"a signature by an untrusted key" "$OSPACK" verify "$S" -k "$T/k2.pub"
same_at_jobs "a signature by an untrusted key" "$OSPACK" verify "$S" -k "$T/k2.pub"
tc "$S" k "signatures stripped, with -k" \
	"ospack/statement.dsse.json: the statement is not signed, and a signature by a trusted key is required$" unsign
expect_ok "^warning: $WARN" "signatures stripped, without -k: accepted, with the warning" \
	"$OSPACK" verify "$T/tc/$tc_n.tar"
! grep -q 'claims a signature' "$T/out"
ok $? "and no signature is claimed"
expect_fail 1 "^ospack: $T/u.tar: ospack/statement.dsse.json: the statement is not signed" \
	"an unsigned bundle with -k" "$OSPACK" verify "$U" -k "$T/k1.pub"
same_at_jobs "an unsigned bundle with -k" "$OSPACK" verify "$U" -k "$T/k1.pub"

# ======== rejected: a statement or BagIt manifests that disagree ========

tc "$S" - "the statement lists a file the archive lacks" \
	"data/checkpoints/final/ghost.bin: listed in the statement but missing from the bundle$" phantom data/checkpoints/final/ghost.bin
tc "$S" k "the statement lists a file the archive lacks (signature stripped)" \
	"ospack/statement.dsse.json: the statement is not signed, and a signature by a trusted key is required$" \
	phantom data/checkpoints/final/ghost.bin
tc "$S" k "the statement lists a file the archive lacks (old signature kept)" \
	"ospack/statement.dsse.json: the signature by key $K1 does not verify$" phantom data/checkpoints/final/ghost.bin keep
tc "$U" - "the statement gives another size" "$M: size 192 differs from the statement's 193$" restate "$M" size 193
tc "$U" - "the statement gives another mode" "$M: mode 0644 differs from the statement's 0755$" restate "$M" mode 0755
mkdir "$T/m" && tar -xf "$U" -C "$T/m" 2>/dev/null
line=$(grep "  $M\$" "$T/m/$BAG/manifest-sha256.txt")
digest=$(printf '%s' "$line" | cut -c1-64)
other=$(echo other | sha256sum | cut -c1-64)
n=$(grep -n "  $M\$" "$T/m/$BAG/manifest-sha256.txt" | cut -d: -f1)
tc "$U" - "manifest-sha256.txt gives another digest than the statement" \
	"$M: digest mismatch$" retag manifest-sha256.txt "$digest" "$other"
tc "$U" - "manifest-sha256.txt lacks a file" "$M: not covered by the statement$" \
	retag manifest-sha256.txt "$line
" ""
tc "$U" - "manifest-sha256.txt lists a file the bundle lacks" \
	"data/checkpoints/final/other.bin: listed in the statement but missing from the bundle$" \
	retag manifest-sha256.txt "$line" "$line
$other  data/checkpoints/final/other.bin"
tc "$U" - "bag-info.txt gives another Payload-Oxum" \
	"bag-info.txt: Payload-Oxum $((PAYLOAD + 1)).15 does not match the payload ($PAYLOAD.15)$" \
	retag bag-info.txt "Oxum: $PAYLOAD" "Oxum: $((PAYLOAD + 1))"
tc "$U" - "bagit.txt declares another BagIt version" "bagit.txt: not the BagIt 1.0 declaration$" \
	retag bagit.txt 'Version: 1.0' 'Version: 0.97'

# ======== an unpacked folder ========

if $have_gnu_tar; then
	# folder_tc DESC PATTERN COMMAND: a copy of the unpacked bundle, changed by COMMAND run inside it,
	# is rejected with PATTERN.
	folder_n=0
	folder_tc() {
		folder_n=$((folder_n + 1))
		d=$T/f$folder_n
		mkdir "$d" && tar -xf "$S" -C "$d" && (cd "$d/$BAG" && eval "$3")
		expect_fail 1 "^ospack: $d/$BAG: $2" "unpacked folder: $1" "$OSPACK" verify "$d/$BAG"
		same_at_jobs "unpacked folder: $1" "$OSPACK" verify "$d/$BAG"
	}
	folder_tc "a file changed" "data/code/trainer/train.py: digest mismatch$" 'printf x >>data/code/trainer/train.py'
	folder_tc "a file added" "data/new.txt: not covered by the statement$" 'echo new >data/new.txt'
	folder_tc "a file removed" "data/evals/valid/valid.json: listed in the statement but missing" 'rm data/evals/valid/valid.json'
	folder_tc "a symbolic link planted" "$BAG/data/link: a symbolic link$" 'ln -s ../bagit.txt data/link'
	folder_tc "a file replaced by a symbolic link" "$BAG/$M: a symbolic link$" "rm $M && ln -s ../step-1000/ckpt-1000.safetensors $M"
	folder_tc "a FIFO planted" "$BAG/data/fifo: not a regular file or folder$" 'mkfifo data/fifo'
	folder_tc "an executable bit added" "data/code/trainer/train.py: mode 0755 differs from the statement's 0644$" \
		'chmod +x data/code/trainer/train.py'
	folder_tc "an empty folder added" "data/empty/: a folder the statement does not account for$" 'mkdir data/empty'
else
	for d in changed added removed symlink symlink2 fifo mode folder; do skip "unpacked folder: $d" "GNU tar missing"; done
fi

# ======== a pipe gives the same answer as the file ========

# same_as_pipe DESC FILE [ARG]...: verify FILE and verify - with FILE on stdin exit alike, and
# print the same, but for the name ("stdin" on stdout; no file-name prefix on stderr); and
# verify - -j 1 and verify - -j 4 answer as verify - does.
same_as_pipe() {
	desc=$1 f=$2
	shift 2
	"$OSPACK" verify "$f" "$@" >"$T/fout" 2>"$T/ferr"
	frc=$?
	cat "$f" | "$OSPACK" verify - "$@" >"$T/pout" 2>"$T/perr"
	prc=$?
	sed "s|^$f: |stdin: |" "$T/fout" >"$T/fout2"
	sed "s|^ospack: $f: |ospack: |" "$T/ferr" >"$T/ferr2"
	if [ $frc -eq $prc ] && cmp -s "$T/fout2" "$T/pout" && cmp -s "$T/ferr2" "$T/perr"; then
		ok 0 "a pipe gives the same answer as the file: $desc (exit $frc)"
	else
		ok 1 "a pipe gives the same answer as the file: $desc"
		diag "file: exit $frc" "$(cat "$T/fout" "$T/ferr")" "pipe: exit $prc" "$(cat "$T/pout" "$T/perr")"
	fi
	jbad=
	for j in 1 4; do
		cat "$f" | "$OSPACK" verify - "$@" -j $j >"$T/jout" 2>"$T/jerr"
		jrc=$?
		if [ $jrc -ne $prc ] || ! cmp -s "$T/jout" "$T/pout" || ! cmp -s "$T/jerr" "$T/perr"; then
			jbad="$jbad
-j $j: exit $jrc
$(cat "$T/jout" "$T/jerr")"
		fi
	done
	ok "$([ -z "$jbad" ] && echo 0 || echo 1)" "a pipe gives the same answer with -j 1 and -j 4: $desc"
	[ -z "$jbad" ] || diag "without -j: exit $prc" "$(cat "$T/pout" "$T/perr")" "$jbad"
}
same_as_pipe "a good signed bundle" "$S" -k "$T/k1.pub"
same_as_pipe "a good unsigned bundle" "$U"
same_as_pipe "a flipped payload byte" "$T/tc/1.tar"
same_as_pipe "an untrusted key" "$S" -k "$T/k2.pub"
same_as_pipe "trailing garbage" "$T/garbage.tar"
same_as_pipe "a text file" "$T/text"
same_as_pipe "an empty file" "$T/empty"
same_as_pipe "an entry after a lone end-of-archive block" "$smuggled" -k "$T/k1.pub"
# A network download arrives in small pieces: the reader then sees short reads.
dribble() { # dribble FILE: writes FILE to stdout 100 bytes at a time
	python3 -c '
import sys, time
data = open(sys.argv[1], "rb").read()
try:
    for i in range(0, len(data), 100):
        sys.stdout.buffer.write(data[i:i + 100])
        sys.stdout.buffer.flush()
        time.sleep(0.0005)
except BrokenPipeError:
    pass' "$1"
}
dribble "$S" | "$OSPACK" verify - -k "$T/k1.pub" >"$T/out" 2>"$T/err"
ok $? "a good bundle read from a pipe in 100-byte pieces verifies"
dribble "$T/garbage.tar" | "$OSPACK" verify - >"$T/out" 2>"$T/err"
[ $? -eq 1 ] && grep -q '^ospack: trailing data after the end of the archive$' "$T/err"
ok $? "trailing garbage read from a pipe in 100-byte pieces is rejected"
dribble "$smuggled" | "$OSPACK" verify - -k "$T/k1.pub" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 1 ] && grep -q '^ospack: an entry after an end-of-archive block$' "$T/err"
ok $? "an entry after a lone end-of-archive block, read from a pipe in 100-byte pieces, is rejected (exit $rc)"

# ======== tar headers other readers read otherwise ========
# libarchive skips some header types quietly where GNU tar and Python's tarfile do not:
# a bundle holds only what ospack writes, so any other header is refused.

tc "$S" k "an ACL (type A) header before a file" \
	".*an entry of tar type 'A' (a bundle holds files and folders only)$" rawtype "$M" A
tc "$S" k "a global pax (type g) header before a file" \
	".*an entry of tar type 'g' (a bundle holds files and folders only)$" rawtype "$M" g
tc "$S" k "a volume (type V) header before a file" \
	".*an entry of tar type 'V' (a bundle holds files and folders only)$" rawtype "$M" V
tc "$S" k "a pax record other than path, size and mtime" \
	"$M: a pax header with the record 'comment' (ospack writes path, size, mtime only)$" \
	paxkey "$M" comment hidden
tc "$S" k "a pax uid record" "$M: a pax header with the record 'uid'" paxkey "$M" uid 1000
tc "$S" k "an owner name in a header" \
	"$M: an entry owned by someone else than 0/0 (with no user or group name)$" owner "$M" mallory
tc "$S" k "65 signatures in the envelope" \
	"ospack/statement.dsse.json: 65 signatures (at most 64 are read)$" sigs 65
deep=data$(i=0; while [ $i -lt 130 ]; do printf /d; i=$((i + 1)); done)/f.txt
tc "$U" - "an entry nested 130 folders deep" ".*: nested deeper than 128 folders$" add "$deep" x
tc "$U" - "a name with an escape character" "an entry name holds a control character$" \
	add "data/a$(printf '\033')[31m.txt" x
cp "$U" "$T/zeros.tar" && head -c 2000000 /dev/zero >>"$T/zeros.tar"
rejected "$T/zeros.tar" "more zero padding after the archive than a tar record holds$" \
	"two megabytes of zeros after the archive"

# ======== usage, keys, I/O ========

expect_fail 2 'a BUNDLE is required' "no bundle argument is a usage error" "$OSPACK" verify
expect_fail 2 'exactly one BUNDLE' "two bundle arguments are a usage error" "$OSPACK" verify "$U" "$S"
expect_fail 2 'unknown or incomplete option' "an unknown option is a usage error" "$OSPACK" verify --frobnicate "$U"
expect_fail 3 "$T/nope.pub: No such file" "a missing key file is exit 3, naming it" "$OSPACK" verify "$S" -k "$T/nope.pub"
expect_fail 3 "k1.key: this is a private key" "a private key given to verify is exit 3" "$OSPACK" verify "$S" -k "$T/k1.key"
expect_fail 3 "$T/text: not a PEM key" "a file that is not a PEM key is exit 3" "$OSPACK" verify "$S" -k "$T/text"
# ======== the v1 format: its statement lists every file ========
# tests/data/v1-example.tar was made by ospack before format v2, from the example
# manifest, signed by tests/data/v1-example.pub: every later version must verify it.
V1=$top_srcdir/tests/data/v1-example.tar
V1K=$top_srcdir/tests/data/v1-example.pub
expect_ok "^$V1: verified $BAG (15 files, $PAYLOAD bytes)$" "a v1 bundle still verifies with its key" \
	"$OSPACK" verify -k "$V1K" "$V1"
grep -q "^signed by trusted key" "$T/out"
ok $? "and its signature is checked"
tamper "$V1" "$T/v1flip.tar" flip "$M"
rejected "$T/v1flip.tar" "$M: digest mismatch$" "a byte flipped in a v1 bundle's payload file" -k "$V1K"
tamper "$V1" "$T/v1phantom.tar" remove "$M"
rejected "$T/v1phantom.tar" "$M: listed in the statement but missing from the bundle$" \
	"a payload file removed from a v1 bundle" -k "$V1K"
tamper "$V1" "$T/v1extra.tar" add data/zzz "not signed"
rejected "$T/v1extra.tar" "the bundle holds 22 files, the statement lists 19$" \
	"a v1 bundle with more files than its statement lists is refused before they are loaded"
mkdir "$T/v1d" && tar -xf "$V1" -C "$T/v1d"
expect_ok "verified $BAG" "an unpacked v1 bundle verifies" "$OSPACK" verify -k "$V1K" "$T/v1d/$BAG"
expect_ok "stdin: verified $BAG" "a v1 bundle verifies from a pipe" sh -c "cat '$V1' | '$OSPACK' verify -k '$V1K' -"

# ======== the golden v2 bundle ========
# tests/data/v2-example.tar was built with format v2 from tests/data/v2-example/
# (see its manifest), signed with the test key tests/data/v2-example.key: every later version
# must verify it, as a file, unpacked, and from a pipe.
V2=$top_srcdir/tests/data/v2-example.tar
V2K=$top_srcdir/tests/data/v2-example.pub
V2B=golden-2.0.0
expect_ok "^$V2: verified $V2B (3 files, 88 bytes)$" "the golden v2 bundle verifies with its key" \
	"$OSPACK" verify -k "$V2K" "$V2"
grep -q "^signed by trusted key 9a5e92365f1b02ff06232a7adced7b4e774979879d0afb3e6bc1676643af5a80$" "$T/out"
ok $? "and its signature is checked, by the key it was made with"
mkdir "$T/v2d" && tar -xf "$V2" -C "$T/v2d"
expect_ok "^$T/v2d/$V2B: verified $V2B" "the golden v2 bundle, unpacked by tar -xf, verifies" \
	"$OSPACK" verify -k "$V2K" "$T/v2d/$V2B"
expect_ok "^stdin: verified $V2B" "the golden v2 bundle verifies from a pipe" \
	sh -c "cat '$V2' | '$OSPACK' verify -k '$V2K' -"
tamper "$V2" "$T/v2flip.tar" flip "data/checkpoints/final/w 50%.bin"
rejected "$T/v2flip.tar" "data/checkpoints/final/w 50%.bin: digest mismatch$" \
	"a byte flipped in the golden v2 bundle's payload" -k "$V2K"
tamper "$V2" "$T/v2x.tar" restate data/code/inference/infer.sh mode 0644
rejected "$T/v2x.tar" "ospack/statement.dsse.json: the statement is not signed, and a signature by a trusted key is required$" \
	"the golden v2 bundle with its files.txt changed and the signature dropped" -k "$V2K"
# What inspect reports, against the statement and the archive as Python's json and tarfile read them.
"$OSPACK" inspect --json "$V2" >"$T/v2.json"
python3 - "$V2" "$T/v2.json" <<'PY'
import base64, json, sys, tarfile
t = tarfile.open(sys.argv[1])
env = json.load(t.extractfile("golden-2.0.0/ospack/statement.dsse.json"))
assert env["payloadType"] == "application/vnd.in-toto+json"
st = json.loads(base64.b64decode(env["payload"]))
assert st["_type"] == "https://in-toto.io/Statement/v1", st["_type"]
assert st["predicateType"] == "https://ospack.dev/release/v2", st["predicateType"]
pred, shown = st["predicate"], json.load(open(sys.argv[2]))
files = [m for m in t.getmembers() if m.isfile() and m.name.startswith("golden-2.0.0/data/")]
for c in pred["components"]:
    mine = [m for m in files if m.name.startswith("golden-2.0.0/data/%s/%s/" % (c["section"], c["name"]))]
    assert (c["files"], c["bytes"]) == (len(mine), sum(m.size for m in mine)), c
assert [(c["section"], c["name"], c["files"], c["bytes"]) for c in shown["components"]] == \
    [(c["section"], c["name"], c["files"], c["bytes"]) for c in pred["components"]], shown["components"]
assert shown["name"] == pred["name"] == "golden" and shown["version"] == "2.0.0"
assert shown["verified"] is False
PY
ok $? "inspect --json of the golden v2 bundle agrees with its statement and archive read by Python"

expect_fail 3 "^ospack: $T/nope.tar: no such file$" \
	"a bundle that does not exist is exit 3, as a manifest that does not exist" "$OSPACK" verify "$T/nope.tar"
expect_fail 3 "^ospack: $T/nope.yaml: no such file$" "the manifest's message, for comparison" \
	"$OSPACK" build "$T/nope.yaml"
expect_fail 3 "^ospack: $T/nope.tar: no such file$" "inspect says the same" "$OSPACK" inspect "$T/nope.tar"
expect_fail 3 "^ospack: $T/nope.tar: no such file$" "extract says the same" \
	"$OSPACK" extract "$T/nope.tar" -C "$T/nope-x"
"$OSPACK" verify --help >"$T/out" && grep -q 'usage: ospack verify BUNDLE|DIR|-' "$T/out"
ok $? "verify --help exits 0 and shows the usage"

done_testing
