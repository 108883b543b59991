#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The OMS signature ospack/model.sig and detached Sigstore bundles: what build writes, what
# verify accepts, and every way verify rejects them, with exit code and message.
. "${top_srcdir:-.}/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"

EX=$top_srcdir/manifests/example/manifest.yaml
BAG=tiny-stories-15m-1.0.0
OMS=ospack/model.sig

for k in ec ec2 ed; do
	t=ecdsa-p256
	[ $k = ed ] && t=ed25519
	"$OSPACK" keygen -t $t -o "$T/$k" >/dev/null 2>&1 || exit 1
done

# expect_ok PATTERN DESC CMD...: exit 0 and stdout matches PATTERN.
expect_ok() {
	pat=$1 desc=$2
	shift 2
	run "$@"
	if [ "$rc" -eq 0 ] && grep -q -e "$pat" "$T/out"; then ok 0 "$desc"; else
		ok 1 "$desc"
		diag "exit $rc (want 0); stdout:" "$(cat "$T/out")" "stderr:" "$(cat "$T/err")" "want: $pat"
	fi
}

# ---- build ----
"$OSPACK" build "$EX" -o "$T/b.tar" -k "$T/ed.key" -k "$T/ec.key" --sigstore-out "$T/b.sig.json" --json >"$T/b.json"
ok $? "build signs with an Ed25519 and an ECDSA key, --sigstore-out too"
grep -q '"oms_signature":"ospack/model.sig"' "$T/b.json"
ok $? "build --json names the OMS signature"
tar -tf "$T/b.tar" | tail -1 >"$T/last"
[ "$(cat "$T/last")" = "$BAG/$OMS" ]
ok $? "ospack/model.sig is the archive's last entry"
"$OSPACK" build "$EX" -o "$T/ed.tar" -k "$T/ed.key" --json >"$T/ed.json"
grep -q '"oms_signature":null' "$T/ed.json" && ! tar -tf "$T/ed.tar" | grep -q model.sig
ok $? "an Ed25519-only bundle has no OMS signature"
SOURCE_DATE_EPOCH=0 "$OSPACK" build "$EX" -o "$T/other.tar" -k "$T/ec.key" --sigstore-out "$T/other.sig.json" -q
ok $? "a second build, another statement (another timestamp)"
"$OSPACK" build "$EX" -o "$T/ec2.tar" -k "$T/ec2.key" -q
ok $? "a third build, signed by another ECDSA key"
python3 - "$T/b.tar" "$T/b.sig.json" <<'PY'
import base64, json, sys, tarfile
t = tarfile.open(sys.argv[1])
bag = "tiny-stories-15m-1.0.0/"
env = json.load(t.extractfile(bag + "ospack/statement.dsse.json"))
det = json.load(open(sys.argv[2]))
assert det["mediaType"] == "application/vnd.dev.sigstore.bundle.v0.3+json"
assert det["verificationMaterial"]["tlogEntries"] == []
assert det["dsseEnvelope"]["payload"] == env["payload"], "not the bundle's statement"
assert len(det["dsseEnvelope"]["signatures"]) == 1
oms = json.load(t.extractfile(bag + "ospack/model.sig"))
st = json.loads(base64.b64decode(oms["dsseEnvelope"]["payload"]))
assert st["predicateType"] == "https://model_signing/signature/v1.0"
assert st["subject"][0]["name"] == "tiny-stories-15m-1.0.0", st["subject"]
ser = st["predicate"]["serialization"]
assert ser == {"method": "files", "hash_type": "sha256", "allow_symlinks": False,
               "ignore_paths": [".git", ".gitattributes", ".github", ".gitignore", "ospack/model.sig"]}, ser
names = [r["name"] for r in st["predicate"]["resources"]]
files = sorted(m.name[len(bag):] for m in t.getmembers() if m.isfile() and m.name != bag + "ospack/model.sig")
assert sorted(names) == files, (names, files)
tm = t.extractfile(bag + "tagmanifest-sha256.txt").read().decode()
assert "model.sig" not in tm
PY
ok $? "the detached bundle holds the statement; model.sig covers every other file of the bag, in no list"

# ---- verify accepts ----
expect_ok "OMS signature ospack/model.sig: agrees with every file, signed by a trusted key" \
	"verify -k ECDSA: the OMS signature is checked and trusted" "$OSPACK" verify "$T/b.tar" -k "$T/ec.pub"
expect_ok "OMS signature ospack/model.sig: agrees with every file; its signature was not checked" \
	"verify -k Ed25519: the OMS signature is checked for integrity only" "$OSPACK" verify "$T/b.tar" -k "$T/ed.pub"
expect_ok "OMS signature ospack/model.sig: agrees with every file; its signature was not checked" \
	"verify without keys: the OMS signature is checked for integrity" "$OSPACK" verify "$T/b.tar"
expect_ok "Sigstore bundle $T/b.sig.json: the same statement, signed by a trusted key" \
	"verify --sigstore-bundle: the detached bundle of the first key (Ed25519) verifies" \
	"$OSPACK" verify "$T/b.tar" -k "$T/ed.pub" --sigstore-bundle "$T/b.sig.json"
expect_ok '"oms_signature":"trusted",.*"sigstore_bundle":true' "verify --json reports both" \
	"$OSPACK" verify "$T/b.tar" -k "$T/ec.pub" -k "$T/ed.pub" --sigstore-bundle "$T/b.sig.json" --json
mkdir "$T/x" && tar -xf "$T/b.tar" -C "$T/x"
expect_ok "agrees with every file, signed by a trusted key" "an unpacked bundle with model.sig verifies" \
	"$OSPACK" verify "$T/x/$BAG" -k "$T/ec.pub"

# ---- verify rejects ----
# forge OP: an unpacked copy of b.tar in $T/f/$BAG whose model.sig's statement is changed by OP
# (the subject's digest recomputed, unless OP is about it); its signature no longer verifies,
# so these are checked without an ECDSA key, where only the agreement with the bag counts.
forge() {
	rm -rf "$T/f" && mkdir "$T/f" && tar -xf "$T/b.tar" -C "$T/f" || return 1
	python3 - "$T/f/$BAG/$OMS" "$1" <<'PY'
import base64, hashlib, json, sys
path, op = sys.argv[1], sys.argv[2]
b = json.load(open(path))
st = json.loads(base64.b64decode(b["dsseEnvelope"]["payload"]))
res = st["predicate"]["resources"]
if op == "digest":
    r = next(r for r in res if r["name"] == "bag-info.txt")
    r["digest"] = "0" * 64
elif op == "drop":
    res[:] = [r for r in res if r["name"] != "ospack/mof.yaml"]
elif op == "extra":
    res.append({"name": "data/ghost.bin", "algorithm": "sha256", "digest": "1" * 64})
elif op == "twice":
    res.append(dict(res[0]))
elif op == "ignore":
    st["predicate"]["serialization"]["ignore_paths"].append("data/docs")
elif op == "dotpath":
    st["predicate"]["serialization"]["ignore_paths"].append("./data")
elif op == "predicate":
    st["predicateType"] = "https://model_signing/Digests/v0.1"
elif op == "algorithm":
    res[0]["algorithm"] = "blake2"
elif op == "media":
    b["mediaType"] = "application/vnd.dev.sigstore.bundle+json;version=0.1"
if op == "subject":
    st["subject"][0]["digest"]["sha256"] = "2" * 64
else:
    h = hashlib.sha256()
    for r in res:
        h.update(bytes.fromhex(r["digest"]))
    st["subject"][0]["digest"]["sha256"] = h.hexdigest()
b["dsseEnvelope"]["payload"] = base64.b64encode(json.dumps(st).encode()).decode()
if op == "notjson":
    open(path, "w").write("{not json")
elif op == "nokey":
    del b["verificationMaterial"]["publicKey"]
    open(path, "w").write(json.dumps(b))
else:
    open(path, "w").write(json.dumps(b))
PY
}

# rejected_forge OP PATTERN DESC [VERIFY-ARGS...]
rejected_forge() {
	op=$1 pat=$2 desc=$3
	shift 3
	if ! forge "$op"; then
		ok 1 "forge $op"
		return
	fi
	expect_fail 1 "$pat" "$desc" "$OSPACK" verify "$T/f/$BAG" "$@"
}
rejected_forge digest "bag-info.txt: digest mismatch in ospack/model.sig$" "a resource's digest differs from the file's"
rejected_forge drop "ospack/mof.yaml: not covered by ospack/model.sig$" "a file of the bag is not a resource"
rejected_forge extra "ospack/model.sig: lists data/ghost.bin, which the bag does not hold$" "a resource the bag does not hold"
rejected_forge twice "ospack/model.sig: lists .* twice$" "a resource listed twice"
rejected_forge subject "ospack/model.sig: the subject's digest is not that of the resources$" "the subject's digest does not recompute"
rejected_forge ignore "ospack/model.sig: ignore_paths leaves out data/docs/" "ignore_paths leaves out files of the bag"
rejected_forge dotpath "ospack/model.sig: ignore_paths entry 6 is not a plain relative path$" "an ignore_paths entry that is not a plain path (./data)"
rejected_forge predicate "ospack/model.sig: predicate type https://model_signing/Digests/v0.1, not https://model_signing/signature/v1.0$" "another predicate type"
rejected_forge algorithm "ospack/model.sig: resource 1 is not a file's SHA-256$" "a resource hashed by another algorithm"
rejected_forge media "ospack/model.sig: media type 'application/vnd.dev.sigstore.bundle+json;version=0.1', not application/vnd.dev.sigstore.bundle.v0.3+json$" "another bundle media type"
rejected_forge notjson "ospack/model.sig: not valid JSON" "model.sig is not JSON"
rejected_forge nokey "ospack/model.sig: verificationMaterial names no public key" "a bundle without a public key (keyless) is not checked offline"
rejected_forge digest "ospack/model.sig: the signature does not verify with the trusted key its hint names$" \
	"with an ECDSA key: a changed statement no longer verifies" -k "$T/ec.pub"
rm -rf "$T/f" && mkdir "$T/f" && tar -xf "$T/b.tar" -C "$T/f" && tar -xOf "$T/ec2.tar" "$BAG/$OMS" >"$T/f/$BAG/$OMS"
expect_fail 1 "ospack/model.sig: signed by a key that is not trusted (hint [0-9a-f]\{64\})$" \
	"with an ECDSA key: model.sig signed by another ECDSA key" "$OSPACK" verify "$T/f/$BAG" -k "$T/ec.pub"
expect_fail 1 "ospack/model.sig: lists ospack/statement.dsse.json, which\|digest mismatch in ospack/model.sig$" \
	"without keys: another build's model.sig disagrees with the bag" "$OSPACK" verify "$T/f/$BAG"
rm -rf "$T/f" && mkdir "$T/f" && tar -xf "$T/b.tar" -C "$T/f" &&
	sha256sum "$T/f/$BAG/$OMS" | sed "s|  .*|  $OMS|" >>"$T/f/$BAG/tagmanifest-sha256.txt"
expect_fail 1 "tagmanifest-sha256.txt: line 7: ospack/model.sig is not a tag file of the bundle$" \
	"a tag manifest that lists model.sig" "$OSPACK" verify "$T/f/$BAG"

# ---- verify --sigstore-bundle rejects ----
expect_fail 1 "$T/other.sig.json: its statement is not the bundle's$" "a detached bundle of another statement" \
	"$OSPACK" verify "$T/b.tar" -k "$T/ec.pub" --sigstore-bundle "$T/other.sig.json"
expect_fail 1 "$T/b.sig.json: signed by a key that is not trusted (hint [0-9a-f]\{64\})$" \
	"a detached bundle signed by a key that is not trusted" \
	"$OSPACK" verify "$T/b.tar" -k "$T/ec.pub" --sigstore-bundle "$T/b.sig.json"
python3 - "$T/b.sig.json" "$T/badsig.json" <<'PY'
import base64, json, sys
b = json.load(open(sys.argv[1]))
s = bytearray(base64.b64decode(b["dsseEnvelope"]["signatures"][0]["sig"]))
s[0] ^= 1
b["dsseEnvelope"]["signatures"][0]["sig"] = base64.b64encode(bytes(s)).decode()
json.dump(b, open(sys.argv[2], "w"))
PY
expect_fail 1 "$T/badsig.json: the signature does not verify with the trusted key its hint names$" \
	"a detached bundle whose signature is changed by one byte" \
	"$OSPACK" verify "$T/b.tar" -k "$T/ed.pub" --sigstore-bundle "$T/badsig.json"
printf '{"mediaType": 1}' >"$T/junk.json"
expect_fail 1 "$T/junk.json: not a Sigstore bundle with a DSSE envelope" "a detached file that is not a bundle" \
	"$OSPACK" verify "$T/b.tar" -k "$T/ed.pub" --sigstore-bundle "$T/junk.json"
expect_fail 4 "$T/nope.json" "a detached bundle that does not exist is exit 4" \
	"$OSPACK" verify "$T/b.tar" -k "$T/ed.pub" --sigstore-bundle "$T/nope.json"
expect_fail 2 "verify: --sigstore-bundle needs a trusted key to check it with (-k)" \
	"verify --sigstore-bundle without -k is a usage error" "$OSPACK" verify "$T/b.tar" --sigstore-bundle "$T/b.sig.json"
expect_fail 2 "build: --sigstore-out needs a key to sign with (-k)" \
	"build --sigstore-out without -k is a usage error" "$OSPACK" build "$EX" -o "$T/n.tar" --sigstore-out "$T/n.json"
[ ! -e "$T/n.tar" ] && [ ! -e "$T/n.json" ]
ok $? "and writes nothing"
# A url entry's file is in ignore_paths: the OMS signature holds before and after it is fetched.
mkdir "$T/u" && echo hello >"$T/u/card.md" && printf 'hello world\n' >"$T/u/remote.bin"
cat >"$T/u/m.yaml" <<EOF
ospack: 1
name: withurl
version: 1.0.0
license: MIT
datasets:
  - name: remote
    url: https://example.org/files/remote.bin
    sha256: $(sha256sum "$T/u/remote.bin" | cut -d' ' -f1)
    size: 12
docs:
  - name: card
    path: card.md
    type: model-card
EOF
"$OSPACK" build "$T/u/m.yaml" -o "$T/u.tar" -k "$T/ec.key" -q
ok $? "build a bundle with a url entry, signed with an ECDSA key"
expect_ok "OMS signature ospack/model.sig: agrees with every file, signed by a trusted key" \
	"its OMS signature verifies, the url entry's file not being in the bag" "$OSPACK" verify "$T/u.tar" -k "$T/ec.pub"
mkdir "$T/ux" && tar -xf "$T/u.tar" -C "$T/ux"
tar -xOf "$T/u.tar" withurl-1.0.0/ospack/model.sig | python3 -c '
import base64, json, sys
st = json.loads(base64.b64decode(json.load(sys.stdin)["dsseEnvelope"]["payload"]))
ign = st["predicate"]["serialization"]["ignore_paths"]
assert "data/datasets/remote/remote.bin" in ign, ign
assert "data/datasets/remote/remote.bin" not in [r["name"] for r in st["predicate"]["resources"]]
'
ok $? "the url entry's file is in ignore_paths, not in the resources"
if python3 -c 'import cryptography' 2>/dev/null; then
	mkdir -p "$T/ux/withurl-1.0.0/data/datasets/remote" && cp "$T/u/remote.bin" "$T/ux/withurl-1.0.0/data/datasets/remote/"
	python3 "$top_srcdir/tests/oms_check.py" "$T/ux/withurl-1.0.0" "$T/ec.pub" >/dev/null
	ok $? "oms_check.py: the bag with the url entry's file fetched still passes"
else
	skip "oms_check.py: the bag with the url entry's file fetched still passes" "python3-cryptography is not installed"
fi
# ======== past the bound of an OMS signature ========
mkdir -p "$T/big/data"
python3 -c '
import os, sys
for i in range(50000):
    d = "%s/d%03d" % (sys.argv[1], i // 1000)
    os.makedirs(d, exist_ok=True)
    open("%s/%05d" % (d, i), "w").write("%d\n" % i)
' "$T/big/data"
printf 'ospack: 1\nname: big\nversion: "1"\nlicense: MIT\ndatasets:\n  - {name: d, path: data}\n' >"$T/big/m.yaml"
run "$OSPACK" build "$T/big/m.yaml" -o "$T/big.tar" -k "$T/ec.key" --json
[ "$rc" -eq 0 ] && grep -q '"oms_signature":null' "$T/out" &&
	grep -q "^ospack: warning: 5000[0-9] files in the bag, more than the 50000 an OMS signature covers: no ospack/model.sig is written (the DSSE statement signs every file)$" "$T/err" &&
	! tar -tf "$T/big.tar" | grep -q 'ospack/model.sig$'
ok $? "50,000 files and more: no model.sig, and a warning says why"
[ "$rc" -eq 0 ] || diag "exit $rc" "$(cat "$T/err")"
rm -rf "$T/big" "$T/big.tar"

"$OSPACK" build --help | grep -q -- "--sigstore-out FILE" && "$OSPACK" verify --help | grep -q -- "--sigstore-bundle FILE"
ok $? "build --help and verify --help show the new options"
done_testing
