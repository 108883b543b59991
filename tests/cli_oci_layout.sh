#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ospack push --oci-layout and pull/ls from oci-layout:DIR: the ModelPack form of a release,
# byte-identical round trips, blobs not sent twice, and every tampering refused. No server:
# the same store code serves registries (tests/cli_registry.sh).
. "${top_srcdir:-.}/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || need_skip_all "python3 is not installed"
command -v git >/dev/null 2>&1 || need_skip_all "git is not installed"

EX=$top_srcdir/manifests/example/manifest.yaml
BAG=tiny-stories-15m-1.0.0

"$OSPACK" keygen -t ecdsa-p256 -o "$T/k" >/dev/null 2>&1
"$OSPACK" keygen -o "$T/other" >/dev/null 2>&1
"$OSPACK" build "$EX" -k "$T/k.key" -o "$T/ex.tar" -q
ok $? "the example builds, signed with ECDSA"
mkdir "$T/ex" && tar -xf "$T/ex.tar" -C "$T/ex"

# manifest_of LAYOUT [TAG]: the path of the manifest blob the index names (the only or TAG's)
manifest_of() {
	python3 - "$1" "${2:-}" <<'EOF'
import json, sys
d, tag = sys.argv[1], sys.argv[2]
idx = json.load(open(d + "/index.json"))
m = [e for e in idx["manifests"] if not tag or e["annotations"]["org.opencontainers.image.ref.name"] == tag]
assert len(m) == 1, m
print(d + "/blobs/sha256/" + m[0]["digest"][7:])
EOF
}

# ---- push: the ModelPack form ----
run "$OSPACK" push --oci-layout "$T/L1" "$T/ex.tar" --json
ok $rc "push --oci-layout writes a layout from a bundle archive"
cp "$T/out" "$T/push1.json"
python3 - "$T/push1.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["layers"] == 14, r            # 13 components and the tag layer
assert r["blobs_uploaded"] == 15, r    # and the config
assert r["blobs_skipped"] == 0, r
assert r["reference"].endswith(":1.0.0"), r
assert r["digest"].startswith("sha256:") and len(r["digest"]) == 71, r
EOF
ok $? "push --json: 14 layers (13 components and the tag layer), 15 blobs sent, tagged 1.0.0"
test -f "$T/L1/oci-layout" && grep -q '"imageLayoutVersion":"1.0.0"' "$T/L1/oci-layout"
ok $? "the layout has its oci-layout file"

M1=$(manifest_of "$T/L1")
python3 - "$M1" "$T/L1" "$T/ex/$BAG" <<'EOF'
import json, sys, hashlib, tarfile
man = json.load(open(sys.argv[1]))
lay, bag = sys.argv[2], sys.argv[3]
assert man["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
assert man["artifactType"] == "application/vnd.cncf.model.manifest.v1+json"
assert man["config"]["mediaType"] == "application/vnd.cncf.model.config.v1+json"
blob = lambda d: lay + "/blobs/sha256/" + d["digest"][7:]
for l in man["layers"]:
    data = open(blob(l), "rb").read()
    assert hashlib.sha256(data).hexdigest() == l["digest"][7:] and len(data) == l["size"]
by = {l["annotations"].get("org.ospack.component"): l for l in man["layers"]}
# a single file: a raw layer whose digest is the file's, as manifest-sha256.txt has it
final = by["checkpoints/final"]
assert final["mediaType"] == "application/vnd.cncf.model.weight.v1.raw", final
assert final["annotations"]["org.cncf.model.filepath"] == "data/checkpoints/final/model.safetensors"
sums = dict(reversed(l.split("  ", 1)) for l in open(bag + "/manifest-sha256.txt").read().splitlines())
assert final["digest"] == "sha256:" + sums["data/checkpoints/final/model.safetensors"]
meta = json.loads(final["annotations"]["org.cncf.model.file.metadata+json"])
assert meta["name"] == "model.safetensors" and meta["size"] == 192 and meta["mode"] == 0o644
assert by["code/inference"]["mediaType"] == "application/vnd.cncf.model.code.v1.raw"
assert json.loads(by["code/inference"]["annotations"]["org.cncf.model.file.metadata+json"])["mode"] == 0o755
assert by["evals/valid"]["mediaType"] == "application/vnd.cncf.model.doc.v1.raw"
assert by["docs/model-card"]["mediaType"] == "application/vnd.cncf.model.doc.v1.raw"
assert by["datasets/tinystories-valid"]["mediaType"] == "application/vnd.cncf.model.dataset.v1.raw"
# a folder: one tar layer, paths relative to the entry
ds = by["datasets/tinystories"]
assert ds["mediaType"] == "application/vnd.cncf.model.dataset.v1.tar", ds
assert ds["annotations"]["org.cncf.model.filepath"] == "data/datasets/tinystories"
t = tarfile.open(blob(ds))
assert t.getnames() == ["part-000.jsonl", "part-001.jsonl"], t.getnames()
assert t.extractfile("part-000.jsonl").read() == open(bag + "/data/datasets/tinystories/part-000.jsonl", "rb").read()
tr = by["code/trainer"]
assert tr["mediaType"] == "application/vnd.cncf.model.code.v1.tar", tr
# the tag layer: the bag's tag files and the signed statement, in the archive's order
tags = [l for l in man["layers"] if l["mediaType"] == "application/vnd.ospack.bag.v1.tar"]
assert len(tags) == 1 and man["layers"][-1] is tags[0]
names = tarfile.open(blob(tags[0])).getnames()
assert names == ["bagit.txt", "bag-info.txt", "manifest-sha256.txt", "ospack/files.txt",
                 "ospack/mof.yaml", "ospack/statement.dsse.json", "tagmanifest-sha256.txt",
                 "ospack/model.sig"], names
# the config: the ModelPack descriptor and modelfs
cfg = json.load(open(blob(man["config"])))
assert set(cfg) == {"descriptor", "config", "modelfs"}, cfg.keys()
d = cfg["descriptor"]
assert d["name"] == "tiny-stories-15m" and d["version"] == "1.0.0", d
assert d["createdAt"] == "1980-01-01T00:00:00Z", d
assert d["licenses"] == ["Apache-2.0", "CC-BY-4.0", "CDLA-Permissive-2.0"], d["licenses"]
assert d["authors"] and d["docURL"] == "https://example.org/tiny-stories", d
assert cfg["modelfs"] == {"type": "layers", "diffIds": [l["digest"] for l in man["layers"]]}
assert man["annotations"]["org.opencontainers.image.version"] == "1.0.0"
EOF
ok $? "the manifest: ModelPack media types, raw layers of the files' digests, tar layers relative to the entry, the tag layer, the config"

run "$OSPACK" push --oci-layout "$T/L2" "$T/ex/$BAG" --json
ok $rc "push --oci-layout from the unpacked bundle folder"
D1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["digest"])' "$T/push1.json")
D2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["digest"])' "$T/out")
test -n "$D1" && [ "$D1" = "$D2" ]
ok $? "the archive and its folder give the same manifest digest"

run "$OSPACK" push --oci-layout "$T/L1" "$T/ex.tar" --json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["blobs_uploaded"]==0 and r["blobs_skipped"]==15 and r["digest"]==sys.argv[2], r' "$T/out" "$D1"
ok $? "pushing the same bundle again sends nothing and gives the same digest"

# ---- pull ----
run "$OSPACK" pull "oci-layout:$T/L1" -o "$T/back.tar" -k "$T/k.pub"
ok $rc "pull -o reassembles the bundle"
cmp -s "$T/back.tar" "$T/ex.tar"
ok $? "pull -o gives the very bytes that were pushed"
run "$OSPACK" pull "oci-layout:$T/L1:1.0.0" -C "$T/pc" -k "$T/k.pub" --json
ok $rc "pull -C unpacks it"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["verify"]["authenticated"] and r["left_out"]==[] and r["bag"]==sys.argv[2], r' "$T/out" "$BAG"
ok $? "pull --json: verified by the trusted key, nothing left out"
run "$OSPACK" verify "$T/pc/$BAG" -k "$T/k.pub"
ok $rc "the pulled folder verifies"
[ "$(ls -A "$T/pc")" = "$BAG" ]
ok $? "the target holds the bag alone: no staging or work folder is left"

run "$OSPACK" ls "oci-layout:$T/L1" --json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["release"]["name"]=="tiny-stories-15m" and len(r["layers"])==14 and r["digest"]==sys.argv[2], r' "$T/out" "$D1"
ok $? "ls --json: the release and its 14 layers"
run "$OSPACK" ls "oci-layout:$T/L1"
grep -q "checkpoints/final" "$T/out" && grep -q "application/vnd.ospack.bag.v1.tar" "$T/out" &&
	grep -q "nothing was verified" "$T/out"
ok $? "ls: components, layers, and that nothing was verified"

# ---- a second version: only what changed is sent ----
cp -R "$top_srcdir/manifests/example" "$T/v2"
chmod -R u+w "$T/v2"
sed 's/^version: .*/version: 1.0.1/' "$EX" >"$T/v2/manifest.yaml"
printf '{"loss": 1.11}\n' >"$T/v2/evals/valid.json"
"$OSPACK" build "$T/v2/manifest.yaml" -k "$T/k.key" -o "$T/v2.tar" -q
run "$OSPACK" push --oci-layout "$T/L1" "$T/v2.tar" --json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["blobs_uploaded"]==3 and r["blobs_skipped"]==12, r' "$T/out"
ok $? "version 1.0.1 with one eval changed sends that layer, the tag layer and the config only"
manifest_of "$T/L1" 1.0.0 >/dev/null && manifest_of "$T/L1" 1.0.1 >/dev/null
ok $? "the layout holds both versions, each under its tag"
expect_fail 2 "holds 2 manifests; name one as oci-layout:.*(tags: 1.0.0, 1.0.1)" \
	"pull from a layout of two tags without one is a usage error naming them" \
	"$OSPACK" pull "oci-layout:$T/L1" -o "$T/none.tar"
expect_fail 1 "no manifest tagged 9.9 (tags: 1.0.0, 1.0.1)" "an unknown tag is refused, naming the tags" \
	"$OSPACK" pull "oci-layout:$T/L1:9.9" -o "$T/none.tar"
run "$OSPACK" pull "oci-layout:$T/L1:1.0.1" -o "$T/v2back.tar"
cmp -s "$T/v2back.tar" "$T/v2.tar"
ok $? "the second version pulls back byte for byte"

# ---- a release of every kind of source ----
R=$T/rel
mkdir -p "$R/repo" "$R/data/sub/deeper" "$R/w"
(cd "$R/repo" && git init -q -b main && mkdir src && printf 'print(1)\n' >src/run.py &&
	printf '#!/bin/sh\n' >tool.sh && chmod +x tool.sh && git add . &&
	git -c user.name=A -c user.email=a@example.org commit -q -m one) || ok 1 "a git repository is made"
printf 'a\n' >"$R/data/a.txt"
printf 'b\n' >"$R/data/sub/50%.txt"
printf 'c\n' >"$R/data/sub/deeper/c.txt"
printf 'nfd\n' >"$R/data/sub/$(printf 'e\314\201t\303\251')"
printf 'w\n' >"$R/w/weights.bin"
cat >"$R/m.yaml" <<'EOF'
ospack: 1
name: mixed
version: "2.0"
license: MIT
datasets:
  - name: local
    path: data/
  - name: remote
    url: https://example.org/remote.bin
    sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
    sha512: ee26b0dd4af7e749aa1a8ee3c10ae9923f618980772e473f8819a5d4940e0db27ac185f8a0e1d5f84f88bc887fd67b143732c304cc5fa9ad8e6f57f50028a8ff
    size: 4
code:
  - name: trainer
    git: repo
    rev: main
    role: training
checkpoints:
  - name: final
    path: w/weights.bin
    final: true
EOF
for h in sha256 sha512; do
	"$OSPACK" build "$R/m.yaml" --hash "$h" -o "$T/mixed-$h.tar" -q
	ok $? "a release of folders, a git tree, a url entry and odd names builds ($h)"
	rm -rf "$T/mx" && mkdir "$T/mx" && tar -xf "$T/mixed-$h.tar" -C "$T/mx"
	run "$OSPACK" push --oci-layout "$T/M-$h" "$T/mixed-$h.tar" --json
	a=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["digest"])' "$T/out")
	run "$OSPACK" push --oci-layout "$T/MF-$h" "$T/mx/mixed-2.0" --json
	b=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["digest"])' "$T/out")
	test -n "$a" && [ "$a" = "$b" ]
	ok $? "archive and folder push to the same digest ($h)"
	run "$OSPACK" pull "oci-layout:$T/M-$h" -o "$T/mixed-back.tar"
	cmp -s "$T/mixed-back.tar" "$T/mixed-$h.tar"
	ok $? "pull -o gives the same bytes for git, url, nested, NFD and % names ($h)"
	rm -rf "$T/mc"
	run "$OSPACK" pull "oci-layout:$T/M-$h" -C "$T/mc"
	ok $rc "pull -C of that release ($h)"
	"$OSPACK" verify "$T/mc/mixed-2.0" -q
	ok $? "and the folder verifies, the url file not fetched ($h)"
done
python3 - "$(manifest_of "$T/M-sha256")" <<'EOF'
import json, sys
man = json.load(open(sys.argv[1]))
comps = [l["annotations"].get("org.ospack.component") for l in man["layers"]]
assert comps == ["checkpoints/final", "code/trainer", "datasets/local", None], comps
EOF
ok $? "a url entry has no layer (fetch.txt in the tag layer names it)"

# ---- tampering ----
# corrupt LAYOUT COMPONENT: flips the first byte of that component's blob, keeping its size
corrupt() {
	python3 - "$(manifest_of "$1")" "$1" "$2" <<'EOF'
import json, sys
man, lay, comp = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
l = [l for l in man["layers"] if l["annotations"].get("org.ospack.component") == comp][0]
p = lay + "/blobs/sha256/" + l["digest"][7:]
b = bytearray(open(p, "rb").read()); b[0] ^= 1
open(p, "wb").write(b)
EOF
}
cp -R "$T/L2" "$T/bad1" && corrupt "$T/bad1" checkpoints/final
expect_fail 1 "data/checkpoints/final/model.safetensors: digest mismatch" \
	"a raw layer changed in the store is refused (exit 1)" \
	"$OSPACK" pull "oci-layout:$T/bad1" -o "$T/bad.tar"
test ! -e "$T/bad.tar" && [ -z "$(ls -A "$T" | grep '^\.bad\.tar')" ]
ok $? "and neither the archive nor its work folder is left"
expect_fail 1 "digest mismatch" "the same for pull -C" "$OSPACK" pull "oci-layout:$T/bad1" -C "$T/badc"
test ! -e "$T/badc"
ok $? "and the target folder it made is gone"
cp -R "$T/L2" "$T/bad2" && corrupt "$T/bad2" datasets/tinystories
expect_fail 1 "layer sha256:[0-9a-f]*: its [0-9]* bytes have the digest sha256:" \
	"a tar layer changed in the store is refused" \
	"$OSPACK" pull "oci-layout:$T/bad2" -C "$T/badc"
test ! -e "$T/badc"
ok $? "and nothing is left"

# The whole artifact rewritten by someone without the key: a consistent manifest whose tag
# layer carries a statement signed by another key.
"$OSPACK" build "$EX" -k "$T/other.key" -o "$T/forged.tar" -q
"$OSPACK" push --oci-layout "$T/forged" "$T/forged.tar" -q
expect_fail 1 "no valid signature by a trusted key" \
	"a release signed by another key is refused with -k" \
	"$OSPACK" pull "oci-layout:$T/forged" -C "$T/fc" -k "$T/k.pub"
test ! -e "$T/fc"
ok $? "and no payload byte was written"

# rewrite LAYOUT CODE: an attacker's consistent rewrite of a layout. CODE (Python) may change
# `layers` (the manifest's list) and call put(bytes) -> descriptor fields for a new blob;
# the manifest and index.json are then rewritten to match.
rewrite() {
	python3 - "$1" "$2" <<'EOF'
import hashlib, io, json, sys, tarfile
lay, code = sys.argv[1], sys.argv[2]
idx = json.load(open(lay + "/index.json"))
ent = idx["manifests"][0]
man = json.load(open(lay + "/blobs/sha256/" + ent["digest"][7:]))
layers = man["layers"]
def put(b):
    h = hashlib.sha256(b).hexdigest()
    open(lay + "/blobs/sha256/" + h, "wb").write(b)
    return {"digest": "sha256:" + h, "size": len(b)}
def blob(l):
    return open(lay + "/blobs/sha256/" + l["digest"][7:], "rb").read()
def retar(l, extra):
    src = tarfile.open(fileobj=io.BytesIO(blob(l)))
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as t:
        for m in src.getmembers():
            t.addfile(m, src.extractfile(m))
        for name, data in extra:
            i = tarfile.TarInfo(name); i.size = len(data)
            t.addfile(i, io.BytesIO(data))
    l.update(put(out.getvalue()))
exec(code)
m = json.dumps(man).encode()
ent.update(put(m))
open(lay + "/index.json", "w").write(json.dumps(idx))
EOF
}
cp -R "$T/L2" "$T/evil1"
rewrite "$T/evil1" 'retar([l for l in layers if l["mediaType"].endswith("bag.v1.tar")][0], [("../../escape.txt", b"x")])'
expect_fail 1 "the tag layer holds ../../escape.txt, which is no tag file" \
	"a tag layer holding a path out of the bag is refused" \
	"$OSPACK" pull "oci-layout:$T/evil1" -C "$T/e1"
test ! -e "$T/e1" && test ! -e "$T/escape.txt"
ok $? "and nothing is written, inside or outside"
cp -R "$T/L2" "$T/evil-twice"
rewrite "$T/evil-twice" 'retar([l for l in layers if l["mediaType"].endswith("bag.v1.tar")][0], [("bagit.txt", b"BagIt-Version: 1.0\n")])'
expect_fail 1 "the tag layer holds bagit.txt twice" \
	"a tag layer holding a tag file twice is refused" \
	"$OSPACK" pull "oci-layout:$T/evil-twice" -o "$T/et.tar"
test ! -e "$T/et.tar" && [ -z "$(ls -A "$T" | grep '^\.et\.tar\.pull')" ]
ok $? "and neither the bundle nor its work folder is left"
cp -R "$T/L2" "$T/evil2"
rewrite "$T/evil2" 'retar([l for l in layers if l["annotations"].get("org.ospack.component") == "datasets/tinystories"][0], [("part-002.jsonl", b"{}\n")])'
expect_fail 1 "data/datasets/tinystories/: the layer holds more than the signed files" \
	"a tar layer with a file the statement does not list is refused" \
	"$OSPACK" pull "oci-layout:$T/evil2" -C "$T/e2"
test ! -e "$T/e2"
ok $? "and nothing is left"
cp -R "$T/L2" "$T/evil3"
rewrite "$T/evil3" 'l = [l for l in layers if l["annotations"].get("org.ospack.component") == "checkpoints/final"][0]; l.update(put(b"other weights"))'
expect_fail 1 "data/checkpoints/final/model.safetensors: the manifest's layer for it (sha256:[0-9a-f]*) is not the signed file" \
	"a raw layer swapped for another blob is refused before it is fetched" \
	"$OSPACK" pull "oci-layout:$T/evil3" -o "$T/e3.tar"
test ! -e "$T/e3.tar"
ok $? "and nothing is left"

# ---- refusals ----
expect_fail 2 "give one of -o FILE and -C DIR" "pull needs -o or -C" \
	"$OSPACK" pull "oci-layout:$T/L2"
expect_fail 2 "give one of -o FILE and -C DIR" "pull takes only one of -o and -C" \
	"$OSPACK" pull "oci-layout:$T/L2" -o "$T/x.tar" -C "$T/x"
expect_fail 2 "--only needs -C DIR" "--only with -o is a usage error" \
	"$OSPACK" pull "oci-layout:$T/L2" -o "$T/x.tar" --only checkpoints
expect_fail 2 "pull -o takes a file" "pull -o - is refused: a failed pull leaves nothing" \
	"$OSPACK" pull "oci-layout:$T/L2" -o -
expect_fail 2 "push takes BUNDLE and REF" "push needs a reference" "$OSPACK" push "$T/ex.tar"
expect_fail 2 "push --oci-layout OUT takes one BUNDLE" "push --oci-layout takes one operand" \
	"$OSPACK" push --oci-layout "$T/L9" "$T/ex.tar" extra
mkdir "$T/notlayout"
expect_fail 2 "not an OCI image layout (no oci-layout file)" "push into a folder that is no layout is refused" \
	"$OSPACK" push --oci-layout "$T/notlayout" "$T/ex.tar"
expect_fail 1 "not an OCI image layout" "pull from a folder that is no layout is refused" \
	"$OSPACK" pull "oci-layout:$T/notlayout" -o "$T/x.tar"
cp "$T/ex.tar" "$T/broken.tar"
printf 'X' | dd of="$T/broken.tar" bs=1 seek=3000 conv=notrunc 2>/dev/null
expect_fail 1 "" "push refuses a bundle that does not verify" \
	"$OSPACK" push --oci-layout "$T/L3" "$T/broken.tar"
test ! -e "$T/L3" && [ -z "$(ls -A "$T" | grep '^\.L3')" ]
ok $? "and writes nothing"
expect_fail 3 "" "push -k with an unreadable key is invalid input" \
	"$OSPACK" push --oci-layout "$T/L3" "$T/ex.tar" -k "$T/nokey.pub"
expect_fail 1 "no valid signature by a trusted key" "push -k refuses a bundle not signed by that key" \
	"$OSPACK" push --oci-layout "$T/L3" "$T/ex.tar" -k "$T/other.pub"
mkdir -p "$T/plain/data" && printf 'x\n' >"$T/plain/data/x.txt"
printf 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n' >"$T/plain/bagit.txt"
printf '%s  data/x.txt\n' "$(sha256sum "$T/plain/data/x.txt" | cut -d' ' -f1)" >"$T/plain/manifest-sha256.txt"
expect_fail 1 "a BagIt bag without an ospack statement; push takes ospack bundles" \
	"push refuses a plain BagIt bag" "$OSPACK" push --oci-layout "$T/L3" "$T/plain"

done_testing
