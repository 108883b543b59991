#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Other tools read what ospack signs: @sigstore/verify (node) checks ospack/model.sig and the
# --sigstore-out bundle with the public key alone; tests/oms_check.py, an OMS checker written
# from the format, checks the unpacked bag. Each must fail after a one-byte change.
. "${top_srcdir:-.}/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
python3 -c 'import cryptography' 2>/dev/null || need_skip_all "python3-cryptography is not installed"

EX=$top_srcdir/manifests/example/manifest.yaml
BAG=tiny-stories-15m-1.0.0

"$OSPACK" keygen -t ecdsa-p256 -o "$T/ec" >/dev/null 2>&1 || exit 1
"$OSPACK" keygen -o "$T/ed" >/dev/null 2>&1 || exit 1
"$OSPACK" build "$EX" -o "$T/b.tar" -k "$T/ec.key" -k "$T/ed.key" --sigstore-out "$T/b.sigstore.json" -q
ok $? "build an ECDSA- and Ed25519-signed bundle with --sigstore-out"
"$OSPACK" build "$EX" -o "$T/ed.tar" -k "$T/ed.key" --sigstore-out "$T/ed.sigstore.json" -q
ok $? "build an Ed25519-signed bundle with --sigstore-out"
mkdir "$T/x" && tar -xf "$T/b.tar" -C "$T/x"
ok $? "unpack the bundle with tar"
DIR=$T/x/$BAG

# flip FILE OFFSET: a one-byte change (the byte's lowest bit) at OFFSET, counted from the end when < 0.
flip() {
	python3 - "$1" "$2" <<'PY'
import sys
path, off = sys.argv[1], int(sys.argv[2])
data = bytearray(open(path, "rb").read())
data[off] ^= 1
open(path, "wb").write(bytes(data))
PY
}

# expect_status STATUS DESC CMD...: the command exits STATUS.
expect_status() {
	want=$1 desc=$2
	shift 2
	run "$@"
	if [ "$rc" -eq "$want" ]; then ok 0 "$desc"; else
		ok 1 "$desc"
		diag "exit $rc (want $want)" "$(cat "$T/out" "$T/err")"
	fi
}

# ---- tests/oms_check.py: the unpacked bag against ospack/model.sig ----
expect_status 0 "oms_check.py: the unpacked bag passes" python3 "$top_srcdir/tests/oms_check.py" "$DIR" "$T/ec.pub"
grep -q "22 files of $BAG" "$T/out"
ok $? "oms_check.py: every file of the bag is a resource (15 payload, 7 tag files)"
expect_status 1 "oms_check.py: the Ed25519 key is not the OMS signer" python3 "$top_srcdir/tests/oms_check.py" "$DIR" "$T/ed.pub"
for f in data/checkpoints/final/model.safetensors data/docs/model-card/MODEL_CARD.md bagit.txt bag-info.txt \
	manifest-sha256.txt ospack/files.txt ospack/mof.yaml ospack/statement.dsse.json tagmanifest-sha256.txt \
	ospack/model.sig; do
	rm -rf "$T/y" && mkdir "$T/y" && tar -xf "$T/b.tar" -C "$T/y" && flip "$T/y/$BAG/$f" -3
	expect_status 1 "oms_check.py: a one-byte change in $f fails" python3 "$top_srcdir/tests/oms_check.py" "$T/y/$BAG" "$T/ec.pub"
done
rm -rf "$T/y" && mkdir "$T/y" && tar -xf "$T/b.tar" -C "$T/y" && echo extra >"$T/y/$BAG/data/extra.txt"
expect_status 1 "oms_check.py: an added file fails" python3 "$top_srcdir/tests/oms_check.py" "$T/y/$BAG" "$T/ec.pub"
grep -q "data/extra.txt: not signed" "$T/err"
ok $? "oms_check.py: names the added file"

# ---- @sigstore/verify ----
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	need_skip "@sigstore/verify checks the bundles" "node and npm are not installed"
	done_testing
	exit
fi
# The packages are installed once into the build tree and reused.
NPMDIR=$top_builddir/tests/npm-sigstore
if [ ! -d "$NPMDIR/node_modules/@sigstore/verify" ]; then
	mkdir -p "$NPMDIR" &&
		(cd "$NPMDIR" && npm install --no-audit --no-fund --cache "$NPMDIR/.cache" \
			@sigstore/verify @sigstore/bundle) >"$T/npm.log" 2>&1
fi
if [ ! -d "$NPMDIR/node_modules/@sigstore/verify" ]; then
	need_skip "@sigstore/verify checks the bundles" "npm could not install @sigstore/verify: $(tail -1 "$T/npm.log")"
	done_testing
	exit
fi
NODE_PATH=$NPMDIR/node_modules
export NODE_PATH
SV=$top_srcdir/tests/sigstore_verify.js
expect_status 0 "@sigstore/verify: ospack/model.sig verifies with the ECDSA key" node "$SV" "$DIR/ospack/model.sig" "$T/ec.pub"
expect_status 0 "@sigstore/verify: the --sigstore-out bundle verifies with the first key (ECDSA)" node "$SV" "$T/b.sigstore.json" "$T/ec.pub"
expect_status 1 "@sigstore/verify: the --sigstore-out bundle names the first key only" node "$SV" "$T/b.sigstore.json" "$T/ed.pub"
expect_status 0 "@sigstore/verify: an Ed25519 --sigstore-out bundle verifies" node "$SV" "$T/ed.sigstore.json" "$T/ed.pub"

# a one-byte change inside the signed payload (its base64, decoded and re-encoded) and in the signature
python3 - "$DIR/ospack/model.sig" "$T/oms-payload.json" "$T/oms-sig.json" <<'PY'
import base64, json, sys
b = json.load(open(sys.argv[1]))
p = bytearray(base64.b64decode(b["dsseEnvelope"]["payload"]))
p[p.index(b'"digest":"') + 10] ^= 1
b2 = json.loads(json.dumps(b))
b2["dsseEnvelope"]["payload"] = base64.b64encode(bytes(p)).decode()
json.dump(b2, open(sys.argv[2], "w"))
s = bytearray(base64.b64decode(b["dsseEnvelope"]["signatures"][0]["sig"]))
s[-1] ^= 1
b["dsseEnvelope"]["signatures"][0]["sig"] = base64.b64encode(bytes(s)).decode()
json.dump(b, open(sys.argv[3], "w"))
PY
expect_status 1 "@sigstore/verify: a one-byte change in model.sig's statement fails" node "$SV" "$T/oms-payload.json" "$T/ec.pub"
expect_status 1 "@sigstore/verify: a one-byte change in model.sig's signature fails" node "$SV" "$T/oms-sig.json" "$T/ec.pub"
for f in b ed; do
	cp "$T/$f.sigstore.json" "$T/$f.bad.json"
	python3 - "$T/$f.bad.json" <<'PY'
import base64, json, sys
b = json.load(open(sys.argv[1]))
p = bytearray(base64.b64decode(b["dsseEnvelope"]["payload"]))
p[-2] ^= 1
b["dsseEnvelope"]["payload"] = base64.b64encode(bytes(p)).decode()
json.dump(b, open(sys.argv[1], "w"))
PY
done
expect_status 1 "@sigstore/verify: a one-byte change in the ECDSA --sigstore-out statement fails" node "$SV" "$T/b.bad.json" "$T/ec.pub"
expect_status 1 "@sigstore/verify: a one-byte change in the Ed25519 --sigstore-out statement fails" node "$SV" "$T/ed.bad.json" "$T/ed.pub"
done_testing
