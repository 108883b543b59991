#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ospack extract and inspect, url entries (fetch.txt), and keys from encrypted PEM files.
. "${top_srcdir:-.}/tests/lib.sh"

EX=$top_srcdir/manifests/example/manifest.yaml
BAG=tiny-stories-15m-1.0.0
# tamper IN OUT OP ARG...: a tampered copy (tests/tamper.py); if it cannot be made, that fails.
tamper() {
	python3 "$top_srcdir/tests/tamper.py" "$@" 2>"$T/tamper.err" && return 0
	ok 1 "make a tampered copy: tamper.py $*"
	diag "$(cat "$T/tamper.err")"
	return 1
}

"$OSPACK" keygen -o "$T/k" >/dev/null 2>&1 && "$OSPACK" keygen -o "$T/other" >/dev/null 2>&1 &&
	"$OSPACK" build "$EX" -q -k "$T/k.key" -o "$T/s.tar"
ok $? "build a signed example bundle"

# --- extract: a good bundle ---
"$OSPACK" extract "$T/s.tar" -C "$T/x1" -k "$T/k.pub" >"$T/out" 2>"$T/err"
ok $? "extract a signed bundle into a new folder"
grep -q "^extracted $BAG into $T/x1 (15 files, " "$T/out" && grep -q "^signed by trusted key" "$T/out"
ok $? "extract says what it unpacked and who signed it"
[ "$(ls -A "$T/x1")" = "$BAG" ]
ok $? "the folder holds the bag folder only (no staging folder left)"
mkdir "$T/ref" && tar -xf "$T/s.tar" -C "$T/ref" && diff -r "$T/ref" "$T/x1" >/dev/null
ok $? "the files are those GNU tar unpacks"
[ "$(stat -c %a "$T/x1/$BAG/data/code/inference/generate.py")" = 755 ] &&
	[ "$(stat -c %a "$T/x1/$BAG/data/code/model/model.py")" = 644 ] &&
	[ "$(stat -c %a "$T/x1/$BAG/data/code")" = 755 ]
ok $? "modes are the signed 0755 and 0644, whatever the umask"
(cd "$T/x1/$BAG" && sha256sum --quiet -c manifest-sha256.txt)
ok $? "the extracted bag passes sha256sum -c"
"$OSPACK" verify -q -k "$T/k.pub" "$T/x1/$BAG"
ok $? "the extracted folder verifies"
mkdir "$T/x2"
(umask 077 && cat "$T/s.tar" | "$OSPACK" extract - -C "$T/x2" -q -k "$T/k.pub") &&
	[ "$(stat -c %a "$T/x2/$BAG/bagit.txt")" = 644 ]
ok $? "extract from standard input into an existing empty folder, under umask 077"
"$OSPACK" extract "$T/s.tar" -C "$T/x3" >"$T/out" 2>&1 && grep -q 'no signature was checked' "$T/out"
ok $? "extract without a key says that no signature was checked"

# --- extract: refusals leave nothing ---
expect_fail 2 'not empty' "extract into a non-empty folder is refused" \
	"$OSPACK" extract "$T/s.tar" -C "$T/x1"
[ "$(ls -A "$T/x1")" = "$BAG" ]
ok $? "and the folder is left as it was"
expect_fail 2 '\-C DIR is required' "extract without -C is a usage error" "$OSPACK" extract "$T/s.tar"
touch "$T/afile"
expect_fail 2 'not a folder' "extract into a file is refused" "$OSPACK" extract "$T/s.tar" -C "$T/afile"

rejected() { # rejected DESC PATTERN BUNDLE [ARGS]: extract exits 1 and leaves no trace
	desc=$1 pat=$2 bundle=$3
	shift 3
	rm -rf "$T/xr"
	expect_fail 1 "$pat" "$desc: extract exits 1" "$OSPACK" extract "$bundle" -C "$T/xr" "$@"
	[ ! -e "$T/xr" ]
	ok $? "$desc: nothing is left (the new folder is removed)"
}
tamper "$T/s.tar" "$T/flip.tar" flip data/checkpoints/final/model.safetensors &&
	rejected "a flipped payload byte" 'data/checkpoints/final/model.safetensors: digest mismatch' \
		"$T/flip.tar" -k "$T/k.pub"
rejected "a signature by another key" 'no valid signature by a trusted key' "$T/s.tar" -k "$T/other.pub"
tamper "$T/s.tar" "$T/link.tar" special data/evil symlink /etc/passwd &&
	rejected "a symbolic link entry" 'data/evil: a symbolic link' "$T/link.tar"
[ -z "$(find "$T" -type l)" ]
ok $? "no link was created anywhere"
tamper "$T/s.tar" "$T/dotdot.tar" add "=$BAG/data/../../escaped.txt" owned &&
	rejected "an entry with a .. component" "'\.\.' component" "$T/dotdot.tar"
[ ! -e "$T/escaped.txt" ] && [ ! -e "$T/xr/escaped.txt" ]
ok $? "nothing was written outside the folder"
tamper "$T/s.tar" "$T/abs.tar" add "/$T/absolute.txt" owned &&
	rejected "an absolute path" 'absolute path' "$T/abs.tar"
[ ! -e "$T/absolute.txt" ]
ok $? "nothing was written at the absolute path"
tamper "$T/s.tar" "$T/dup.tar" dup data/code/model/model.py &&
	rejected "a duplicated entry" 'data/code/model/model.py: appears twice' "$T/dup.tar"
head -c 30000 "$T/s.tar" >"$T/trunc.tar"
rejected "a truncated archive" '[Tt]runcated' "$T/trunc.tar"
mkdir "$T/xe"
"$OSPACK" extract "$T/flip.tar" -C "$T/xe" >/dev/null 2>&1
[ $? -eq 1 ] && [ -z "$(ls -A "$T/xe")" ]
ok $? "a rejected bundle leaves an existing folder empty"

# --- inspect ---
"$OSPACK" inspect "$T/s.tar" >"$T/out"
ok $? "inspect a signed bundle"
grep -q "^tiny-stories-15m 1.0.0 (bag $BAG/)$" "$T/out" &&
	grep -q "^signature claimed by key $(cat "$T/k.pub" | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)$" "$T/out" &&
	grep -q 'nothing was verified' "$T/out" &&
	grep -q '^  checkpoints/final  .* 1 file, 192 B$' "$T/out" &&
	grep -q '^MOF class: Class II - Open Tooling Model$' "$T/out"
ok $? "inspect shows release, signer, components with their file counts and sizes, and openness"
"$OSPACK" inspect --json "$T/s.tar" >"$T/json"
python3 - "$T/json" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
assert p["bag"] == "tiny-stories-15m-1.0.0" and p["verified"] is False
assert len(p["signatures"]) == 1 and len(p["signatures"][0]) == 64
assert sum(c["files"] for c in p["components"]) == 15
assert sum(c["bytes"] for c in p["components"]) == 3911
assert p["openness"]["mof"]["class"] == 2
EOF
ok $? "inspect --json gives the predicate, the claimed signers and verified: false"
cat "$T/s.tar" | "$OSPACK" inspect - >"$T/out2" && cmp -s "$T/out" "$T/out2"
ok $? "inspect reads standard input the same way"
expect_fail 1 'manifest.yaml: not a tar archive' "inspect of a non-bundle exits 1" \
	"$OSPACK" inspect "$EX"
tar -cf "$T/plain.tar" -C "$top_srcdir/manifests" example
expect_fail 1 'ospack/statement.dsse.json: missing' "inspect of a tar that is not a bundle exits 1" \
	"$OSPACK" inspect "$T/plain.tar"

# --- url entries: fetch.txt, the manifest and Payload-Oxum ---
mkdir -p "$T/url/d"
printf 'local\n' >"$T/url/d/local.txt"
printf 'fetched content\n' >"$T/fetched.bin"
sha=$(sha256sum "$T/fetched.bin" | cut -d' ' -f1)
sha512=$(sha512sum "$T/fetched.bin" | cut -d' ' -f1)
cat >"$T/url/m.yaml" <<EOF
ospack: 1
name: url
version: "1"
datasets:
  - name: local
    path: d
  - name: remote
    url: https://example.org/files/big-shard.bin?token=abc
    sha256: $sha
    sha512: $sha512
    size: 16
EOF
"$OSPACK" build "$T/url/m.yaml" -q -o "$T/url.tar"
ok $? "build a release with a url entry"
mkdir "$T/ux" && tar -xf "$T/url.tar" -C "$T/ux"
printf 'https://example.org/files/big-shard.bin?token=abc 16 data/datasets/remote/big-shard.bin\n' |
	cmp -s - "$T/ux/url-1/fetch.txt"
ok $? "fetch.txt has the url, the size and the bag path named after the URL's file"
grep -q "^$sha  data/datasets/remote/big-shard.bin$" "$T/ux/url-1/manifest-sha256.txt"
ok $? "the payload manifest lists the fetched file with its digest"
grep -q '^Payload-Oxum: 22\.2$' "$T/ux/url-1/bag-info.txt"
ok $? "Payload-Oxum counts the fetched file"
[ ! -e "$T/ux/url-1/data/datasets/remote" ]
ok $? "the url entry's file is not in the archive"
"$OSPACK" verify -q "$T/url.tar"
ok $? "the bundle with fetch.txt verifies"
mkdir -p "$T/ux/url-1/data/datasets/remote" && cp "$T/fetched.bin" "$T/ux/url-1/data/datasets/remote/big-shard.bin" &&
	python3 "$top_srcdir/tests/bagit_check.py" "$T/ux/url-1" >"$T/out" 2>&1
ok $? "once the file is fetched, the bag is valid"
"$OSPACK" build "$T/url/m.yaml" -q --hash sha512 -o "$T/url512.tar" && "$OSPACK" verify -q "$T/url512.tar"
ok $? "with --hash sha512 the url entry's sha512 is used, and the bundle verifies"
sed '/sha512:/d' "$T/url/m.yaml" >"$T/url/m2.yaml"
expect_fail 3 'datasets\[1\].sha512: required for a bag whose manifests use sha512 (--hash sha512)' "--hash sha512 without the url's sha512 is refused" \
	"$OSPACK" build "$T/url/m2.yaml" --hash sha512 -o "$T/url2.tar"
tamper "$T/url.tar" "$T/urlbad.tar" retag fetch.txt '16 data' '17 data' &&
	expect_fail 1 "^ospack: $T/urlbad.tar: fetch.txt: differs from the statement's url sources$" \
		"a fetch.txt edited after signing is rejected" "$OSPACK" verify "$T/urlbad.tar"

tamper "$T/url.tar" "$T/urltrav.tar" fetchpath ../../../tmp/pwn &&
	expect_fail 1 'a url source.s path is not a plain path under data/' \
		"a url source whose path leaves the bag is rejected" "$OSPACK" verify "$T/urltrav.tar"
tamper "$T/url.tar" "$T/urlabs.tar" fetchpath /etc/passwd &&
	expect_fail 1 'a url source.s path is not a plain path under data/' \
		"a url source with an absolute path is rejected" "$OSPACK" verify "$T/urlabs.tar"
tamper "$T/url.tar" "$T/urlsp.tar" fetchpath data/datasets/remote/big-shard.bin "https://example.org/a b" &&
	expect_fail 1 "a url source.s URL holds a space or control character" \
		"a url with a space (a second fetch.txt field) is rejected" "$OSPACK" verify "$T/urlsp.tar"

# --- encrypted private keys ---
openssl genpkey -algorithm ed25519 -out "$T/plain.pem" 2>/dev/null &&
	openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:s3cret -in "$T/plain.pem" -out "$T/enc.pem" &&
	openssl pkey -in "$T/plain.pem" -pubout -out "$T/enc.pub"
ok $? "make an encrypted Ed25519 key with openssl"
OSPACK_KEY_PASSWORD=s3cret "$OSPACK" build "$EX" -q -k "$T/enc.pem" -o "$T/enc.tar" &&
	"$OSPACK" verify -q -k "$T/enc.pub" "$T/enc.tar"
ok $? "an encrypted key signs with OSPACK_KEY_PASSWORD, and the bundle verifies"
expect_fail 3 'encrypted.*OSPACK_KEY_PASSWORD' "an encrypted key without OSPACK_KEY_PASSWORD is refused" \
	"$OSPACK" build "$EX" -k "$T/enc.pem" -o "$T/enc2.tar"
[ ! -e "$T/enc2.tar" ]
ok $? "and nothing is written"
OSPACK_KEY_PASSWORD=wrong expect_fail 3 'wrong passphrase' "a wrong passphrase is refused" \
	"$OSPACK" build "$EX" -k "$T/enc.pem" -o "$T/enc3.tar"
export KEYTEXT
KEYTEXT=$(cat "$T/k.key")
"$OSPACK" build "$EX" -q -k env:KEYTEXT -o "$T/env.tar" && cmp -s "$T/env.tar" "$T/s.tar"
ok $? "-k env:NAME signs the same bytes as the key file (Ed25519 is deterministic)"
expect_fail 3 'env:NOSUCHVAR' "-k env: with an unset variable is refused" \
	"$OSPACK" build "$EX" -k env:NOSUCHVAR -o "$T/env2.tar"
openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048 -out "$T/rsa.pem" 2>/dev/null
expect_fail 3 'unsupported key type RSA' "an RSA key is refused" "$OSPACK" build "$EX" -k "$T/rsa.pem" -o "$T/rsa.tar"

# --- keygen ---
expect_fail 4 'already exists' "keygen never overwrites a key" "$OSPACK" keygen -o "$T/k"
[ "$(stat -c %a "$T/k.key")" = 600 ]
ok $? "the private key is mode 0600"
expect_fail 2 "'rsa' is not ed25519 or ecdsa-p256" "keygen -t rsa is a usage error" "$OSPACK" keygen -t rsa -o "$T/r"

done_testing
