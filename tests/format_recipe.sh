#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs the by-hand verification recipe of docs/FORMAT.md, as written, on signed bundles,
# and on forged ones: each must fail, at the step meant to catch it.
. "${top_srcdir:-.}/tests/lib.sh"

DOC=$top_srcdir/docs/FORMAT.md
BAG=tiny-stories-15m-1.0.0
command -v openssl >/dev/null 2>&1 || skip_all "openssl missing"
command -v python3 >/dev/null 2>&1 || skip_all "python3 missing"

# The sh blocks between the recipe markers, in order, as one script.
sed -n '/<!-- recipe -->/,/<!-- \/recipe -->/p' "$DOC" |
	awk '/^```sh$/ { on = 1; next } /^```$/ { on = 0; next } on' >"$T/recipe.sh"
[ "$(grep -c . "$T/recipe.sh")" -gt 20 ]
ok $? "the recipe is found in docs/FORMAT.md"

# run_recipe DIR [SCRIPT]: runs the recipe where DIR holds the bundle and release.pub;
# its output goes to DIR.out, its exit status to $rc.
run_recipe() {
	(cd "$1" && sh "${2:-$T/recipe.sh}") >"$1.out" 2>&1
	rc=$?
}

# prepare DIR KEYTYPE [MANIFEST NAME [BUILD FLAGS]]: a bundle NAME.tar (default: the
# example, $BAG.tar) signed by a new key, and the public key as DIR/release.pub
prepare() {
	dir=$1 type=$2 manifest=${3:-$top_srcdir/manifests/example/manifest.yaml} name=${4:-$BAG}
	shift 2
	[ $# -ge 2 ] && shift 2
	mkdir -p "$dir" && "$OSPACK" keygen -t "$type" -o "$dir/release" >/dev/null 2>&1 &&
		"$OSPACK" build "$manifest" -q -k "$dir/release.key" -o "$dir/$name.tar" "$@"
}

# The bundles the recipe must accept.
prepare "$T/ed" ed25519
run_recipe "$T/ed"
[ "$rc" -eq 0 ] && grep -q "^verified: $BAG, signed by the holder of release.pub\$" "$T/ed.out"
ed_ok=$?
ok $ed_ok "the recipe verifies an Ed25519-signed bundle, and ends saying so"
[ $ed_ok -eq 0 ] || diag "$(cat "$T/ed.out")"
keyid=$(openssl pkey -pubin -in "$T/ed/release.pub" -outform DER | sha256sum | cut -d' ' -f1)
grep -q "^signature by key $keyid\$" "$T/ed.out"
ok $? "the signature it checks is the one whose key id is the SHA-256 of the DER public key"

prepare "$T/ec" ecdsa-p256
run_recipe "$T/ec"
[ "$rc" -eq 0 ] && grep -q "^verified: $BAG," "$T/ec.out"
ok $? "the recipe, as written, verifies an ECDSA P-256-signed bundle"
[ "$rc" -eq 0 ] || diag "$(cat "$T/ec.out")"

# keyid PUBFILE: the key id ospack gives a public key
keyid() {
	openssl pkey -pubin -in "$1" -outform DER | sha256sum | cut -d' ' -f1
}

# Two signatures (Ed25519 and ECDSA P-256): the recipe checks the one by the key it is given.
mkdir "$T/two"
for k in ed25519:ed25519 ecdsa-p256:ecdsa-p256 ed25519:third; do
	"$OSPACK" keygen -t "${k%:*}" -o "$T/two/${k#*:}" >/dev/null 2>&1
done
"$OSPACK" build "$top_srcdir/manifests/example/manifest.yaml" -q -k "$T/two/ed25519.key" \
	-k "$T/two/ecdsa-p256.key" -o "$T/two/$BAG.tar"
ok $? "a bundle signed by an Ed25519 and an ECDSA P-256 key"
for k in ed25519 ecdsa-p256; do
	mkdir "$T/two-$k" && cp "$T/two/$BAG.tar" "$T/two-$k/" && cp "$T/two/$k.pub" "$T/two-$k/release.pub"
	run_recipe "$T/two-$k"
	[ "$rc" -eq 0 ] && grep -q "^verified: $BAG," "$T/two-$k.out" &&
		grep -q "^signature by key $(keyid "$T/two/$k.pub")\$" "$T/two-$k.out"
	ok $? "the recipe verifies it with the $k key's release.pub, checking that key's signature"
	[ "$rc" -eq 0 ] || diag "$(cat "$T/two-$k.out")"
done
mkdir "$T/two-third" && cp "$T/two/$BAG.tar" "$T/two-third/" && cp "$T/two/third.pub" "$T/two-third/release.pub"
run_recipe "$T/two-third"
[ "$rc" -ne 0 ] && grep -q "no signature by release.pub (key id $(keyid "$T/two/third.pub"))" "$T/two-third.out" &&
	! grep -q "^verified:" "$T/two-third.out"
ok $? "and refuses it with a third key's release.pub"

# Names with '%', '\', a space and non-ASCII, an executable, a url entry, SHA-512 too.
mkdir -p "$T/src/d"
printf 'a' >"$T/src/d/50% off.txt"
printf 'b' >"$T/src/d/a\\b.txt"
printf 'c' >"$T/src/d/café.txt"
printf '#!/bin/sh\n' >"$T/src/d/run.sh" && chmod 0755 "$T/src/d/run.sh"
cat >"$T/src/m.yaml" <<'EOF'
ospack: 1
name: odd
version: "1"
license: MIT
datasets:
  - name: local
    path: d/
  - name: shard
    url: https://example.org/files/shard.bin
    sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
    sha512: ee26b0dd4af7e749aa1a8ee3c10ae9923f618980772e473f8819a5d4940e0db27ac185f8a0e1d5f84f88bc887fd67b143732c304cc5fa9ad8e6f57f50028a8ff
    size: 4
EOF
prepare "$T/odd" ed25519 "$T/src/m.yaml" odd-1 --hash sha512
"$OSPACK" verify -q -k "$T/odd/release.pub" "$T/odd/odd-1.tar"
ok $? "ospack verify accepts a bundle with odd names, a url entry and --hash sha512"
sed 's/^BUNDLE=.*/BUNDLE=odd-1/' "$T/recipe.sh" >"$T/recipe-odd.sh"
run_recipe "$T/odd" "$T/recipe-odd.sh"
[ "$rc" -eq 0 ] && grep -q "^verified: odd-1," "$T/odd.out"
ok $? "so does the recipe, the url entry not fetched"
[ "$rc" -eq 0 ] || diag "$(cat "$T/odd.out")"

# variant FROM NAME TO FUNCTION: $T/FROM/NAME.tar unpacked in $T/TO/x, changed by FUNCTION
# in its bag folder, packed again as $T/TO/NAME.tar, beside $T/FROM's release.pub
variant() {
	mkdir -p "$T/$3/x" && cp "$T/$1/release.pub" "$T/$3/" && tar -xf "$T/$1/$2.tar" -C "$T/$3/x" &&
		(cd "$T/$3/x/$2" && "$4") && (cd "$T/$3/x" && tar -cf "../$2.tar" "$2") ||
		ok 1 "make $3 from $1 with $4"
}

# recipe_for NAME: the recipe with BUNDLE=NAME, as $T/recipe-NAME.sh
recipe_for() {
	sed "s/^BUNDLE=.*/BUNDLE=$1/" "$T/recipe.sh" >"$T/recipe-$1.sh"
}

# A url entry alone: accepted unfetched (and said so), checked once fetched.
mkdir -p "$T/usrc/d"
printf 'local\n' >"$T/usrc/d/local.txt"
cat >"$T/usrc/m.yaml" <<'EOF'
ospack: 1
name: withurl
version: "1"
license: MIT
datasets:
  - name: local
    path: d/
  - name: shard
    url: https://example.org/files/shard.bin
    sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
    size: 4
EOF
prepare "$T/url" ed25519 "$T/usrc/m.yaml" withurl-1
recipe_for withurl-1
run_recipe "$T/url" "$T/recipe-withurl-1.sh"
[ "$rc" -eq 0 ] && grep -q "^verified: withurl-1," "$T/url.out" &&
	grep -q "^not fetched, so not checked: data/datasets/shard/shard.bin\$" "$T/url.out"
ok $? "the recipe verifies a bundle with a url entry, saying its file was not fetched"
[ "$rc" -eq 0 ] || diag "$(cat "$T/url.out")"
fetch_right() { mkdir -p data/datasets/shard && printf 'test' >data/datasets/shard/shard.bin; }
fetch_wrong() { mkdir -p data/datasets/shard && printf 'tesT' >data/datasets/shard/shard.bin; }
variant url withurl-1 url-fetched fetch_right
run_recipe "$T/url-fetched" "$T/recipe-withurl-1.sh"
[ "$rc" -eq 0 ] && grep -q "^verified: withurl-1," "$T/url-fetched.out" &&
	! grep -q "not fetched" "$T/url-fetched.out"
ok $? "the recipe verifies it with the url entry's file fetched into place"
[ "$rc" -eq 0 ] || diag "$(cat "$T/url-fetched.out")"
variant url withurl-1 url-wrong fetch_wrong
run_recipe "$T/url-wrong" "$T/recipe-withurl-1.sh"
[ "$rc" -ne 0 ] && grep -q "^data/datasets/shard/shard.bin: FAILED\$" "$T/url-wrong.out" &&
	! grep -q "^verified:" "$T/url-wrong.out"
ok $? "and refuses it when the fetched file differs by one byte"
change_local() { printf 'lOcal\n' >data/datasets/local/local.txt; }
variant url withurl-1 url-changed change_local
run_recipe "$T/url-changed" "$T/recipe-withurl-1.sh"
[ "$rc" -ne 0 ] && grep -q "^data/datasets/local/local.txt: FAILED\$" "$T/url-changed.out"
ok $? "and refuses it when a bundled file differs by one byte"

# A file named 50%.txt (50%25.txt in the BagIt manifest).
mkdir -p "$T/psrc/d"
printf 'half\n' >"$T/psrc/d/50%.txt"
printf 'ospack: 1\nname: percent\nversion: "1"\nlicense: MIT\ndocs:\n  - name: half\n    path: d/\n    type: other\n' >"$T/psrc/m.yaml"
prepare "$T/pct" ed25519 "$T/psrc/m.yaml" percent-1
tar -xOf "$T/pct/percent-1.tar" percent-1/manifest-sha256.txt | grep -q '  data/docs/half/50%25.txt$'
ok $? "the BagIt manifest names 50%.txt as 50%25.txt"
recipe_for percent-1
run_recipe "$T/pct" "$T/recipe-percent-1.sh"
[ "$rc" -eq 0 ] && grep -q "^verified: percent-1," "$T/pct.out"
ok $? "the recipe verifies a bundle holding 50%.txt"
[ "$rc" -eq 0 ] || diag "$(cat "$T/pct.out")"
change_pct() { printf 'hAlf\n' >'data/docs/half/50%.txt'; }
variant pct percent-1 pct-changed change_pct
run_recipe "$T/pct-changed" "$T/recipe-percent-1.sh"
[ "$rc" -ne 0 ] && grep -q "^data/docs/half/50%.txt: FAILED\$" "$T/pct-changed.out" &&
	! grep -q "^verified:" "$T/pct-changed.out"
ok $? "and refuses it when 50%.txt differs by one byte"

# Section 4's sha256sum line decodes %25; a url entry's file fails until fetched.
sec4=$(grep -o "^    sed 's/%0.* | sha256sum -c -\$" "$DOC" | sed 's/^    //')
[ -n "$sec4" ] && (cd "$T/pct-changed" && rm -rf s && mkdir s && tar -xf "$T/pct/percent-1.tar" -C s &&
	cd s/percent-1 && sh -c "$sec4") >"$T/out" 2>&1 &&
	grep -q '^data/docs/half/50%.txt: OK$' "$T/out"
ok $? "section 4's sha256sum line checks 50%.txt"
(cd "$T/pct-changed/x/percent-1" && sh -c "$sec4") >"$T/out" 2>&1
[ $? -ne 0 ] && grep -q '^data/docs/half/50%.txt: FAILED$' "$T/out"
ok $? "and fails when it differs by one byte"
(cd "$T/url-fetched/x/withurl-1" && sh -c "$sec4") >"$T/out" 2>&1 &&
	grep -q '^data/datasets/shard/shard.bin: OK$' "$T/out"
ok $? "and checks a url entry's file once fetched"

# The example statement in FORMAT.md is the one the example builds.
python3 - "$DOC" "$T/ed/check" <<'EOF'
import json, re, sys
doc, check = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2]
st = json.load(open(check + "/statement.json"))
shown = re.findall(r'\{"digest": \{"sha256": "([0-9a-f]{64})"\}, "name": "([^"]+)"\}', doc)
assert shown == [(s["digest"]["sha256"], s["name"]) for s in st["subject"]], shown
files = open(check + "/tiny-stories-15m-1.0.0/ospack/files.txt", encoding="utf-8").read()
lines = re.findall(r"^    (07[0-9]{2} [0-9]+ data/.*)$", doc, re.M)
assert lines and all(l + "\n" in files for l in lines), lines
EOF
ok $? "the statement's subjects and the files.txt lines shown in FORMAT.md are the example's"

# tamper NAME FUNCTION: a copy of the Ed25519 bundle in $T/NAME, unpacked (and
# kept in $T/NAME/x), changed by FUNCTION in the bag folder, and packed again.
# A forgery that cannot be made fails here, not only later for want of the message.
tamper() {
	mkdir "$T/$1" "$T/$1/x" && cp "$T/ed/release.pub" "$T/$1/" &&
		tar -xf "$T/ed/$BAG.tar" -C "$T/$1/x" &&
		(cd "$T/$1/x/$BAG" && "$2") &&
		(cd "$T/$1/x" && tar -cf "../$BAG.tar" "$BAG") ||
		ok 1 "make the forged bundle $1 with $2"
}

# retag FILE: the BagIt tag manifest made to agree with a changed tag file.
retag() {
	grep -v "  $1\$" tagmanifest-sha256.txt >t && sha256sum "$1" >>t && mv t tagmanifest-sha256.txt
}

# expect_refused NAME PATTERN DESCRIPTION: the recipe fails on $T/NAME, and what it
# printed shows PATTERN, the check meant to catch it; the untouched bundle passed.
expect_refused() {
	run_recipe "$T/$1"
	if [ "$ed_ok" -eq 0 ] && [ "$rc" -ne 0 ] && grep -q -e "$2" "$T/$1.out" &&
		! grep -q "^verified:" "$T/$1.out"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "exit $rc; output:" "$(cat "$T/$1.out")" "want: $2"
	fi
}

# Step 4: another key.
mkdir "$T/wrong" && cp "$T/ed/$BAG.tar" "$T/wrong/" && "$OSPACK" keygen -o "$T/wrong/release" >/dev/null 2>&1
expect_refused wrong "no signature by release.pub" "step 4 refuses a bundle signed by another key"

# Step 5: a signature by the right key id that does not verify.
flip_sig() {
	python3 - <<'EOF' && retag ospack/statement.dsse.json
import base64, json
path = "ospack/statement.dsse.json"
env = json.load(open(path))
sig = bytearray(base64.b64decode(env["signatures"][0]["sig"]))
sig[10] ^= 1
env["signatures"][0]["sig"] = base64.b64encode(sig).decode()
open(path, "w").write(json.dumps(env, sort_keys=True, separators=(",", ":")))
EOF
}
tamper forged flip_sig
expect_refused forged "Signature Verification Failure" "step 5 refuses a signature that does not verify"

# Step 5: a bad signature by the right key id beside the good one (ospack verify refuses it).
dup_sig() {
	python3 - <<'EOF' && retag ospack/statement.dsse.json
import base64, json
path = "ospack/statement.dsse.json"
env = json.load(open(path))
bad = dict(env["signatures"][0])
sig = bytearray(base64.b64decode(bad["sig"]))
sig[10] ^= 1
bad["sig"] = base64.b64encode(sig).decode()
env["signatures"].append(bad)
open(path, "w").write(json.dumps(env, sort_keys=True, separators=(",", ":")))
EOF
}
tamper dup dup_sig
expect_refused dup "sig-1.bin: the signature by release.pub does not verify" \
	"step 5 refuses a second signature by the key that does not verify"
"$OSPACK" verify -k "$T/dup/release.pub" "$T/dup/x/$BAG" >/dev/null 2>"$T/err"
[ $? -eq 1 ] && grep -q "does not verify" "$T/err"
ok $? "as ospack verify does"

# Step 6 (b): an unsigned tag file, even one the tag manifest lists.
add_tag() { echo extra >ospack/extra.txt && sha256sum ospack/extra.txt >>tagmanifest-sha256.txt; }
tamper tag add_tag
expect_refused tag "(b) tag files and subjects differ: \['ospack/extra.txt'\]" \
	"step 6 refuses a tag file the statement does not sign"

# Step 6 (c): a payload file added, or removed.
add_file() { echo notes >data/docs/report/notes.md; }
tamper added add_file
expect_refused added "(c) not in manifest-sha256.txt: \['data/docs/report/notes.md'\]" \
	"step 6 refuses a payload file the manifest does not list"
remove_file() { rm data/docs/report/report.md; }
tamper removed remove_file
expect_refused removed "(c) in manifest-sha256.txt but missing: \['data/docs/report/report.md'\]" \
	"step 6 refuses a bundle without a file the manifest lists"

# Step 6, sha256sum: a changed payload byte, the BagIt manifests made to agree.
change_byte() {
	f=data/checkpoints/final/model.safetensors
	printf 'X' | dd of="$f" bs=1 seek=100 conv=notrunc 2>/dev/null &&
		new=$(sha256sum "$f" | cut -d' ' -f1) &&
		sed "s|^[0-9a-f]*  $f\$|$new  $f|" manifest-sha256.txt >m && mv m manifest-sha256.txt &&
		grep -q "^$new  $f\$" manifest-sha256.txt && retag manifest-sha256.txt
}
tamper bad change_byte
expect_refused bad "^manifest-sha256.txt: FAILED\$" \
	"step 6 refuses a changed payload file whose BagIt manifests were rewritten"
"$OSPACK" verify -k "$T/bad/release.pub" "$T/bad/x/$BAG" >/dev/null 2>"$T/err"
[ $? -eq 1 ] && grep -q "manifest-sha256.txt: digest mismatch" "$T/err"
ok $? "and ospack verify rejects it too"

# Step 6, sha256sum: one payload byte changed, nothing else.
one_byte() {
	printf 'X' | dd of=data/checkpoints/final/model.safetensors bs=1 seek=100 conv=notrunc 2>/dev/null
}
tamper byte one_byte
expect_refused byte "^data/checkpoints/final/model.safetensors: FAILED\$" \
	"step 6 refuses a payload file changed by one byte"

# Step 6 (d): an execute bit set after unpacking; content, manifests and tag files unchanged.
set_x() { chmod +x data/code/trainer/train.py; }
tamper exec set_x
expect_refused exec "(d) ospack/files.txt and data/ differ: \['data/code/trainer/train.py'\]" \
	"step 6 refuses a file whose execute bit differs from ospack/files.txt"
"$OSPACK" verify -k "$T/exec/release.pub" "$T/exec/x/$BAG" >/dev/null 2>"$T/err"
[ $? -eq 1 ] && grep -q "train.py: mode 0[0-7]* differs from the statement's 0644" "$T/err"
ok $? "and ospack verify rejects it too"

done_testing
