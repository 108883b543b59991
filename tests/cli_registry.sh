#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ospack push, pull and ls against real registries (Debian's docker-registry) started here:
# without auth, with htpasswd Basic auth, and with bearer tokens; byte-identical round trips,
# partial pulls, uploads counted, corruption in the registry's storage, wrong credentials,
# a registry killed mid-pull, and an OCI layout copied in by skopeo.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/registry_lib.sh"

registry_need
command -v skopeo >/dev/null 2>&1 || need_skip_all "skopeo is not installed (apt-get install skopeo)"

OSPACK_HTTP_RETRIES=2 OSPACK_HTTP_RETRY_DELAY_MS=50 OSPACK_HTTP_STALL_TIMEOUT=10
export OSPACK_HTTP_RETRIES OSPACK_HTTP_RETRY_DELAY_MS OSPACK_HTTP_STALL_TIMEOUT
unset OSPACK_REGISTRY_USER OSPACK_REGISTRY_PASSWORD
DOCKER_CONFIG=$T/no-docker-config
export DOCKER_CONFIG

EX=$top_srcdir/manifests/example/manifest.yaml
BAG=tiny-stories-15m-1.0.0

"$OSPACK" keygen -t ecdsa-p256 -o "$T/k" >/dev/null 2>&1
"$OSPACK" build "$EX" -k "$T/k.key" -o "$T/ex.tar" -q
ok $? "the example builds, signed"

# json FILE EXPR: evaluates a Python expression over the JSON object in FILE as r
json() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert eval(sys.argv[2]), r' "$1" "$2"; }
# count PATTERN: requests of the registry's access log matching PATTERN (an ERE)
count() { grep -cE "$1" "$REGISTRY_LOG"; }
uploads() { count '"PUT /v2/[^ ]*/blobs/uploads/'; }
blob_gets() { count '"GET /v2/[^ ]*/blobs/sha256:'; }

# ---- no authentication ----
registry_start plain
R=$REGISTRY/lab/tiny-stories
run "$OSPACK" push "$T/ex.tar" "$R:1.0.0" --plain-http --json
ok $rc "push to a registry"
cp "$T/out" "$T/push.json"
json "$T/push.json" 'r["layers"] == 14 and r["blobs_uploaded"] == 15 and r["bytes_sent"] > 30000'
ok $? "push --json: 14 layers, 15 blobs sent"
[ "$(uploads)" -eq 15 ]
ok $? "the registry saw 15 blob uploads"
D=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["digest"])' "$T/push.json")

run "$OSPACK" pull "$R:1.0.0" --plain-http -o "$T/back.tar" -k "$T/k.pub"
ok $rc "pull -o"
cmp -s "$T/back.tar" "$T/ex.tar"
ok $? "pull -o gives back the bundle byte for byte"
run "$OSPACK" pull "$R@$D" --plain-http -C "$T/full" -k "$T/k.pub"
ok $rc "pull -C by digest"
"$OSPACK" verify "$T/full/$BAG" -k "$T/k.pub" -q
ok $? "the pulled folder verifies with the key"

before=$(blob_gets)
run "$OSPACK" pull "$R:1.0.0" --plain-http -C "$T/part" -k "$T/k.pub" --only checkpoints/final --json
ok $rc "pull --only checkpoints/final"
[ $(($(blob_gets) - before)) -eq 2 ]
ok $? "it fetched two blobs: the tag layer and the final checkpoint"
(cd "$T/part/$BAG/data" && find . -type f) >"$T/files"
[ "$(cat "$T/files")" = "./checkpoints/final/model.safetensors" ]
ok $? "the folder holds exactly the final checkpoint as payload"
json "$T/out" 'len(r["left_out"]) == 12 and "checkpoints/final" not in r["left_out"] and "datasets/tinystories" in r["left_out"]'
ok $? "pull --json names the 12 components left out"
expect_fail 1 "partial: 12 of 13 components are not here: " \
	"verify without --partial refuses the partial folder, naming what is left out" \
	"$OSPACK" verify "$T/part/$BAG" -k "$T/k.pub"
run "$OSPACK" verify --partial "$T/part/$BAG" -k "$T/k.pub" --json
ok $rc "verify --partial accepts it"
json "$T/out" 'len(r["left_out"]) == 12'
ok $? "and names the same 12 components"
run "$OSPACK" pull "$R:1.0.0" --plain-http -C "$T/part2" --only evals --only docs
ok $rc "pull --only evals --only docs"
(cd "$T/part2/$BAG/data" && find . -type f | sort) >"$T/files"
printf '%s\n' ./docs/data-card/DATA_CARD.md ./docs/model-card/MODEL_CARD.md ./docs/report/report.md \
	./evals/valid/valid.json | cmp -s - "$T/files"
ok $? "it fetched exactly the sections named"
expect_fail 2 "--only weights: the release has no such section or component" \
	"--only of an unknown section is a usage error" \
	"$OSPACK" pull "$R:1.0.0" --plain-http -C "$T/none" --only weights
test ! -e "$T/none"
ok $? "and makes no folder"

run "$OSPACK" ls "$R:1.0.0" --plain-http
grep -q "checkpoints/final" "$T/out" && grep -q "$D" "$T/out"
ok $? "ls shows the components and the manifest digest"

# A second version that changes one evaluation file sends that file's layer, the tag layer
# and the config, nothing else.
cp -R "$top_srcdir/manifests/example" "$T/v2" && chmod -R u+w "$T/v2"
sed 's/^version: .*/version: 1.0.1/' "$EX" >"$T/v2/manifest.yaml"
printf '{"loss": 1.11}\n' >"$T/v2/evals/valid.json"
"$OSPACK" build "$T/v2/manifest.yaml" -k "$T/k.key" -o "$T/v2.tar" -q
before=$(uploads)
run "$OSPACK" push "$T/v2.tar" "$R:1.0.1" --plain-http --json
json "$T/out" 'r["blobs_uploaded"] == 3 and r["blobs_skipped"] == 12'
ok $? "version 1.0.1 reports 3 blobs sent and 12 already there"
[ $(($(uploads) - before)) -eq 3 ]
ok $? "the registry saw exactly 3 uploads: the eval file, the tag layer, the config"
run "$OSPACK" pull "$R:1.0.1" --plain-http -o "$T/v2back.tar"
cmp -s "$T/v2back.tar" "$T/v2.tar"
ok $? "version 1.0.1 pulls back byte for byte"

run "$OSPACK" push "$T/ex.tar" "$REGISTRY/lab/copy:1.0.0" --plain-http --mount-from lab/tiny-stories --json
json "$T/out" 'r["blobs_mounted"] == 15 and r["blobs_uploaded"] == 0'
ok $? "push --mount-from mounts every blob from the other repository"
run "$OSPACK" pull "$REGISTRY/lab/copy:1.0.0" --plain-http -o "$T/copy.tar"
cmp -s "$T/copy.tar" "$T/ex.tar"
ok $? "and the mounted copy pulls back byte for byte"

expect_fail 2 "the bundle's manifest is $D, not the sha256:0000" \
	"push by a digest that is not the bundle's is refused" \
	"$OSPACK" push "$T/ex.tar" "$R@sha256:0000000000000000000000000000000000000000000000000000000000000000" --plain-http
expect_fail 4 "manifest 9.9.9: 404 MANIFEST_UNKNOWN" "pulling a tag that is not there exits 4 with the registry's code" \
	"$OSPACK" pull "$R:9.9.9" --plain-http -o "$T/none.tar"
test ! -e "$T/none.tar"
ok $? "and writes nothing"
expect_fail 2 "" "a malformed reference is a usage error" \
	"$OSPACK" pull "lab/tiny-stories:1.0.0" --plain-http -o "$T/none.tar"

# ---- an OCI layout copied in by skopeo ----
run "$OSPACK" push --oci-layout "$T/layout" "$T/ex.tar"
ok $rc "push --oci-layout"
run skopeo copy --dest-tls-verify=false "oci:$T/layout:1.0.0" "docker://$REGISTRY/lab/skopeo:1.0.0"
ok $rc "skopeo copies the layout into the registry"
[ $rc -eq 0 ] || diag "$(cat "$T/err")"
run "$OSPACK" pull "$REGISTRY/lab/skopeo:1.0.0" --plain-http -o "$T/skopeo.tar" -k "$T/k.pub" --json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["digest"] == sys.argv[2], r' "$T/out" "$D"
ok $? "the manifest skopeo wrote has the digest ospack pushed"
cmp -s "$T/skopeo.tar" "$T/ex.tar"
ok $? "and ospack pulls it back byte for byte"

# ---- an artifact that is not an ospack release ----
mkdir -p "$T/img/blobs/sha256"
python3 - "$T/img" <<'EOF'
import hashlib, json, sys
d = sys.argv[1]
def blob(b):
    h = hashlib.sha256(b).hexdigest()
    open(f"{d}/blobs/sha256/{h}", "wb").write(b)
    return {"digest": "sha256:" + h, "size": len(b)}
cfg = blob(b"{}")
layer = blob(b"hello\n")
man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "config": dict(cfg, mediaType="application/vnd.oci.empty.v1+json"),
                  "layers": [dict(layer, mediaType="application/octet-stream")]}).encode()
m = blob(man)
open(f"{d}/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
open(f"{d}/index.json", "w").write(json.dumps({"schemaVersion": 2, "manifests": [dict(m,
    mediaType="application/vnd.oci.image.manifest.v1+json",
    annotations={"org.opencontainers.image.ref.name": "x"})]}))
EOF
skopeo copy --dest-tls-verify=false "oci:$T/img:x" "docker://$REGISTRY/lab/other:x" >/dev/null 2>&1
ok $? "skopeo copies an artifact that is no ospack release"
expect_fail 1 "not an ospack release (no layer of type application/vnd.ospack.bag.v1.tar)" \
	"pull refuses an artifact that is no ospack release" \
	"$OSPACK" pull "$REGISTRY/lab/other:x" --plain-http -o "$T/none.tar"
expect_fail 1 "not an ospack release" "ls refuses it too" "$OSPACK" ls "$REGISTRY/lab/other:x" --plain-http

# A blob corrupted in the registry's storage: the registry serves it as it is.
blob=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["digest"])' "$T/push.json")
final=$(sha256sum "$T/full/$BAG/data/checkpoints/final/model.safetensors" | cut -d' ' -f1)
data=$T/reg-plain/data/docker/registry/v2/blobs/sha256/$(printf %.2s "$final")/$final/data
test -f "$data" && python3 - "$data" <<'EOF'
import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[10] ^= 1
open(sys.argv[1], "wb").write(b)
EOF
ok $? "a blob is corrupted in the registry's storage folder"
expect_fail 1 "data/checkpoints/final/model.safetensors: digest mismatch" \
	"pull -o refuses the corrupted blob, exit 1" \
	"$OSPACK" pull "$R:1.0.0" --plain-http -o "$T/bad.tar"
test ! -e "$T/bad.tar" && [ -z "$(ls -A "$T" | grep '^\.bad\.tar')" ]
ok $? "and leaves neither the archive nor its work folder"
expect_fail 1 "digest mismatch" "pull -C refuses it too" \
	"$OSPACK" pull "$R:1.0.0" --plain-http -C "$T/bad"
test ! -e "$T/bad"
ok $? "and leaves no folder"

# ---- a registry killed mid-pull ----
head -c 100000000 /dev/zero >"$T/big.bin"
cat >"$T/big.yaml" <<EOF
ospack: 1
name: big
version: "1"
license: MIT
checkpoints:
  - name: final
    path: big.bin
    final: true
EOF
"$OSPACK" build "$T/big.yaml" -o "$T/big.tar" -q && rm "$T/big.bin"
"$OSPACK" push "$T/big.tar" "$R:big" --plain-http -q
ok $? "a release with a 100 MB checkpoint is pushed"
OSPACK_HTTP_MAX_RATE=2000000 "$OSPACK" pull "$R:big" --plain-http -o "$T/big-back.tar" \
	>"$T/kill.out" 2>"$T/kill.err" &
pull_pid=$!
# At 2 MB/s the checkpoint takes 50 s: once the work folder is there, the transfer runs.
for _ in $(seq 100); do
	[ -n "$(ls -A "$T" | grep '^\.big-back')" ] && break
	sleep 0.1
done
sleep 1
kill "$REGISTRY_PID"
wait "$pull_pid"
st=$?
[ "$st" -eq 4 ] && grep -q "127.0.0.1" "$T/kill.err"
ok $? "a registry killed mid-pull: exit 4, the message naming the registry"
[ "$st" -eq 4 ] || diag "exit $st" "$(cat "$T/kill.err")"
test ! -e "$T/big-back.tar" && [ -z "$(ls -A "$T" | grep '^\.big-back')" ]
ok $? "and no partial output is left"

# ---- HTTP Basic (htpasswd) ----
registry_start basic htpasswd alice s3cret-Pass
RB=$REGISTRY/lab/tiny
expect_fail 4 "401" "push without credentials is refused with the status" \
	"$OSPACK" push "$T/ex.tar" "$RB:1.0.0" --plain-http
grep -q "credentials" "$T/err"
ok $? "and the message says credentials are missing"
OSPACK_REGISTRY_USER=alice OSPACK_REGISTRY_PASSWORD=wrong-Pass \
	expect_fail 4 "$REGISTRY.*401" "wrong credentials: exit 4 naming the registry and the 401" \
	"$OSPACK" push "$T/ex.tar" "$RB:1.0.0" --plain-http
grep -q "OSPACK_REGISTRY_USER" "$T/err" && ! grep -q "wrong-Pass" "$T/err"
ok $? "the message says where the credentials came from, never the password"
OSPACK_REGISTRY_USER=alice OSPACK_REGISTRY_PASSWORD=s3cret-Pass \
	run "$OSPACK" push "$T/ex.tar" "$RB:1.0.0" --plain-http
ok $rc "push with the right credentials from the environment"
mkdir -p "$T/docker"
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REGISTRY" "$(printf 'alice:s3cret-Pass' | base64)" \
	>"$T/docker/config.json"
DOCKER_CONFIG=$T/docker run "$OSPACK" pull "$RB:1.0.0" --plain-http -o "$T/basic.tar" -k "$T/k.pub"
ok $rc "pull with credentials from DOCKER_CONFIG/config.json"
cmp -s "$T/basic.tar" "$T/ex.tar"
ok $? "and the bundle is the same"

# ---- bearer tokens ----
token_server_start bob t0ken-Pass
registry_start token token
RT=$REGISTRY/lab/tiny
OSPACK_REGISTRY_USER=bob OSPACK_REGISTRY_PASSWORD=t0ken-Pass \
	run "$OSPACK" push "$T/ex.tar" "$RT:1.0.0" --plain-http
ok $rc "push through the bearer-token flow"
[ "$(cat "$TOKEN_COUNT")" -gt 0 ]
ok $? "the token server issued tokens"
OSPACK_REGISTRY_USER=bob OSPACK_REGISTRY_PASSWORD=t0ken-Pass \
	run "$OSPACK" pull "$RT:1.0.0" --plain-http -o "$T/token.tar" -k "$T/k.pub"
cmp -s "$T/token.tar" "$T/ex.tar"
ok $? "pull through the bearer-token flow gives the same bundle"
OSPACK_REGISTRY_USER=bob OSPACK_REGISTRY_PASSWORD=nope \
	expect_fail 4 "401" "a wrong password for the token server: exit 4" \
	"$OSPACK" pull "$RT:1.0.0" --plain-http -o "$T/none.tar"
! grep -q "nope" "$T/err"
ok $? "and the password is not in the message"

done_testing
