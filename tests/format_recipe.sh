#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs the by-hand verification recipe of docs/FORMAT.md, as written, on a signed bundle.
. "${top_srcdir:-.}/tests/lib.sh"

DOC=$top_srcdir/docs/FORMAT.md
BAG=tiny-stories-15m-1.0.0
command -v openssl >/dev/null 2>&1 || skip_all "openssl missing"

# The sh blocks between the recipe markers, in order, as one script.
sed -n '/<!-- recipe -->/,/<!-- \/recipe -->/p' "$DOC" |
	awk '/^```sh$/ { on = 1; next } /^```$/ { on = 0; next } on' >"$T/recipe.sh"
[ "$(grep -c . "$T/recipe.sh")" -gt 20 ]
ok $? "the recipe is found in docs/FORMAT.md"
ecdsa_line=$(grep -o 'openssl dgst -sha256 -verify [^`]*' "$DOC" | head -n 1)
[ -n "$ecdsa_line" ]
ok $? "the ECDSA variant of step 5 is found"
sed "s|^openssl pkeyutl -verify .*|$ecdsa_line|" "$T/recipe.sh" >"$T/recipe-ecdsa.sh"

# run_recipe DIR SCRIPT: DIR holds the bundle and release.pub
run_recipe() { (cd "$1" && sh "$2") >"$1.out" 2>&1; }

prepare() { # prepare DIR KEYTYPE: a signed example bundle and its public key in DIR
	mkdir -p "$1"
	"$OSPACK" keygen -t "$2" -o "$1/release" >/dev/null 2>&1 &&
		"$OSPACK" build "$top_srcdir/manifests/example/manifest.yaml" -q -k "$1/release.key" \
			-o "$1/$BAG.tar"
}

prepare "$T/ed" ed25519
run_recipe "$T/ed" "$T/recipe.sh"
ok $? "the recipe verifies an Ed25519-signed bundle"
grep -q "verified: $BAG" "$T/ed.out"
ok $? "and ends saying so"
keyid=$(openssl pkey -pubin -in "$T/ed/release.pub" -outform DER | sha256sum | cut -d' ' -f1)
grep -q "^signature by key $keyid\$" "$T/ed.out"
ok $? "the signature's key id is the SHA-256 of the DER public key"

prepare "$T/ec" ecdsa-p256
run_recipe "$T/ec" "$T/recipe-ecdsa.sh"
ok $? "the recipe, with its ECDSA step, verifies an ECDSA P-256-signed bundle"

# A wrong key fails at step 5.
prepare "$T/wrong" ed25519
rm "$T/wrong/release.pub"
"$OSPACK" keygen -o "$T/other" >/dev/null 2>&1 && cp "$T/other.pub" "$T/wrong/release.pub"
run_recipe "$T/wrong" "$T/recipe.sh"
[ $? -ne 0 ] && ! grep -q "verified:" "$T/wrong.out"
ok $? "the recipe fails with another key"

# A changed payload byte fails, even with the manifests made to agree.
prepare "$T/bad" ed25519
(cd "$T/bad" && mkdir x && tar -xf "$BAG.tar" -C x &&
	printf 'X' | dd of="x/$BAG/data/checkpoints/final/model.safetensors" bs=1 seek=100 conv=notrunc 2>/dev/null &&
	cd "x/$BAG" && sha256sum data/checkpoints/final/model.safetensors >/dev/null &&
	grep -v 'model.safetensors' manifest-sha256.txt >m && sha256sum data/checkpoints/final/model.safetensors >>m &&
	sort -k2 m >manifest-sha256.txt && rm m &&
	grep -v ' manifest-sha256.txt$' tagmanifest-sha256.txt >t && sha256sum manifest-sha256.txt >>t && mv t tagmanifest-sha256.txt &&
	cd .. && rm "../$BAG.tar" && tar -cf "../$BAG.tar" "$BAG")
run_recipe "$T/bad" "$T/recipe.sh"
[ $? -ne 0 ] && ! grep -q "verified:" "$T/bad.out"
ok $? "the recipe fails on a changed payload file whose BagIt manifests were rewritten"
"$OSPACK" verify -k "$T/bad/release.pub" "$T/bad/$BAG.tar" >/dev/null 2>"$T/err"
# GNU tar repacked it in its own header format, which verify refuses before the digests.
[ $? -eq 1 ] && grep -q 'digest mismatch\|not POSIX ustar' "$T/err"
ok $? "and ospack verify rejects it too"

done_testing
