#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The OCI distribution client (lib/net/oci.h, driven by tests/test_oci) against real
# registries: docker-registry without auth, with htpasswd Basic auth and with bearer tokens.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/registry_lib.sh"

C=$top_builddir/tests/test_oci
registry_need
OSPACK_HTTP_RETRIES=2 OSPACK_HTTP_RETRY_DELAY_MS=50
export OSPACK_HTTP_RETRIES OSPACK_HTTP_RETRY_DELAY_MS
unset OSPACK_REGISTRY_USER OSPACK_REGISTRY_PASSWORD OSPACK_OCI_CHUNK_SIZE
mkdir -p "$T/nodocker"
DOCKER_CONFIG=$T/nodocker
export DOCKER_CONFIG

python3 -c 'import os, sys; sys.stdout.buffer.write(os.urandom(3000))' >"$T/small"
python3 -c 'import os, sys; sys.stdout.buffer.write(os.urandom(25000))' >"$T/big"
SMALL=sha256:$(sha256sum "$T/small" | cut -d' ' -f1)
BIG=sha256:$(sha256sum "$T/big" | cut -d' ' -f1)
OCI=application/vnd.oci.image.manifest.v1+json
printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"%s","size":3000},"layers":[{"mediaType":"application/octet-stream","digest":"%s","size":25000}]}' \
	"$OCI" "$SMALL" "$BIG" >"$T/manifest.json"
MAN=sha256:$(sha256sum "$T/manifest.json" | cut -d' ' -f1)

# patches LOG: how many PATCH requests the registry logged.
patches() { grep -c 'http.request.method=PATCH' "$1"; }

# ======== no authentication ========
registry_start open none
R=$REGISTRY
LOG=$REGISTRY_LOG
ok 0 "docker-registry answers on $R"

run "$C" push-blob "$R/team/model" "$T/small"
[ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "$SMALL" ] && [ "$(patches "$LOG")" -eq 0 ] &&
	grep -q 'sent=3000 .*uploaded=1 ' "$T/err"
ok $? "a blob below the chunk size goes up in one PUT (no PATCH), stats counting it"
[ "$rc" -eq 0 ] || diag "$(cat "$T/err")"
OSPACK_OCI_CHUNK_SIZE=4096 run "$C" push-blob "$R/team/model" "$T/big"
[ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "$BIG" ] && [ "$(patches "$LOG")" -eq 6 ] &&
	grep -q 'sent=25000 .*uploaded=1 ' "$T/err"
ok $? "a blob above OSPACK_OCI_CHUNK_SIZE goes up in chunks: 6 PATCHes of 4096 bytes, then the PUT"
[ "$rc" -eq 0 ] || diag "$(cat "$T/err")" "PATCHes: $(patches "$LOG")"

run "$C" exists "$R/team/model" "$BIG"
[ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "yes 25000" ]
ok $? "exists: the blob is there, with its size"
run "$C" exists "$R/team/other" "$BIG"
[ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "no" ]
ok $? "exists: not in another repository"
run "$C" mount "$R/team/other" "$BIG" team/model
[ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "mounted" ] && grep -q 'mounted=1$' "$T/err" &&
	[ "$("$C" exists "$R/team/other" "$BIG" 2>/dev/null)" = "yes 25000" ]
ok $? "mount from another repository: mounted, and there now"
NONE=sha256:$(printf 'nowhere' | sha256sum | cut -d' ' -f1)
run "$C" mount "$R/team/other" "$NONE" team/model
[ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "not mounted" ] && grep -q 'mounted=0$' "$T/err" &&
	grep -q 'http.request.method=DELETE' "$LOG"
ok $? "mount of a blob the source lacks: not mounted, and the session opened instead is cancelled"

run "$C" put-manifest "$R/team/model" v1 "$T/manifest.json" "$OCI"
[ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "$MAN" ]
ok $? "a manifest put under a tag: its digest is given"
[ "$rc" -eq 0 ] || diag "$(cat "$T/err")"
run "$C" get-manifest "$R/team/model" v1 "$T/got.json"
[ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "$MAN" ] && cmp -s "$T/got.json" "$T/manifest.json"
ok $? "the manifest got by tag: the same bytes and digest"
run "$C" get-manifest "$R/team/model" "$MAN" "$T/got2.json"
[ "$rc" -eq 0 ] && cmp -s "$T/got2.json" "$T/manifest.json"
ok $? "the manifest got by digest"
run "$C" get-blob "$R/team/other" "$BIG" 25000 "$T/big.got"
[ "$rc" -eq 0 ] && cmp -s "$T/big.got" "$T/big" && grep -q 'received=25000 ' "$T/err"
ok $? "a blob downloaded: the same bytes"

expect_fail 7 "^error 7: $R: manifest nope: 404 MANIFEST_UNKNOWN: manifest unknown$" \
	"a manifest that is not there: EIO, REGISTRY: WHAT: 404 MANIFEST_UNKNOWN: MESSAGE" \
	"$C" get-manifest "$R/team/model" nope "$T/x.json"
expect_fail 7 "^error 7: $R: download of blob $NONE: 404 BLOB_UNKNOWN" \
	"a blob that is not there: EIO naming registry, blob and 404" \
	"$C" get-blob "$R/team/model" "$NONE" 7 "$T/x.bin"
expect_fail 5 "^error 5: $R: download of blob $BIG: more than the descriptor's 1000 bytes; stopped$" \
	"a blob longer than its descriptor says: EREJECT, stopped" \
	"$C" get-blob "$R/team/model" "$BIG" 1000 "$T/x.bin"
expect_fail 5 "^error 5: $R: download of blob $BIG: 25000 bytes, the descriptor says 30000$" \
	"a blob shorter than its descriptor says: EREJECT" \
	"$C" get-blob "$R/team/model" "$BIG" 30000 "$T/x.bin"
expect_fail 7 "^error 7: 127.0.0.1:1: start of an upload: .*onnect" \
	"no registry listening: EIO with curl's reason" "$C" push-blob "127.0.0.1:1/team/model" "$T/small"

# ======== retries and resumption, through a proxy that fails on purpose ========
python3 -c 'import os, sys; sys.stdout.buffer.write(os.urandom(20000))' >"$T/big2"
BIG2=sha256:$(sha256sum "$T/big2" | cut -d' ' -f1)
registry_proxy_start busy
start=$(date +%s%N)
run "$C" exists "$PROXY/team/model" "$BIG"
ms=$((($(date +%s%N) - start) / 1000000))
[ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "yes 25000" ] && [ "$(grep -c '^HEAD' "$PROXY_LOG")" -eq 2 ] &&
	[ "$ms" -ge 900 ] && grep -q 'requests=2 ' "$T/err"
ok $? "a 503 with Retry-After: 1 is retried after that second (${ms} ms), not the 50 ms of OSPACK_HTTP_RETRY_DELAY_MS"
[ "$rc" -eq 0 ] || diag "$(cat "$T/err")"
registry_proxy_start hang
start=$(date +%s%N)
TEST_OCI_INTERRUPT_MS=300 run "$C" exists "$PROXY/team/model" "$BIG"
ms=$((($(date +%s%N) - start) / 1000000))
[ "$rc" -eq 8 ] && grep -q '^error 8: interrupted$' "$T/err" && [ "$ms" -lt 5000 ]
ok $? "ospack_interrupt() during a request that hangs: EINTR at once (${ms} ms)"
[ "$rc" -eq 8 ] || diag "$(cat "$T/err")"
registry_proxy_start busy busy
start=$(date +%s%N)
TEST_OCI_INTERRUPT_MS=300 run "$C" exists "$PROXY/team/model" "$BIG"
ms=$((($(date +%s%N) - start) / 1000000))
[ "$rc" -eq 8 ] && grep -q '^error 8: interrupted$' "$T/err" && [ "$ms" -lt 900 ]
ok $? "ospack_interrupt() during the wait before a retry: EINTR at once (${ms} ms)"
[ "$rc" -eq 8 ] || diag "$(cat "$T/err")"
registry_proxy_start patch-drop
OSPACK_OCI_CHUNK_SIZE=4096 run "$C" push-blob "$PROXY/team/resumed" "$T/big2"
[ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "$BIG2" ] && grep -q '^dropped a PATCH after 2048 of its 4096 bytes' "$PROXY_LOG" &&
	grep -q '^GET /v2/team/resumed/blobs/uploads/' "$PROXY_LOG" &&
	grep -q '^PATCH .* content-range=6144-8191$' "$PROXY_LOG" &&
	"$C" get-blob "$R/team/resumed" "$BIG2" 20000 "$T/big2.got" 2>/dev/null && cmp -s "$T/big2.got" "$T/big2"
ok $? "a PATCH dropped after half its bytes: the upload asks the registry where it stands (Range) and sends the rest from there; the blob is whole"
[ "$rc" -eq 0 ] || diag "$(cat "$T/err")" "$(cat "$PROXY_LOG")"
registry_proxy_start get-drop
run "$C" get-blob "$PROXY/team/model" "$BIG" 25000 "$T/big.resumed"
[ "$rc" -eq 0 ] && cmp -s "$T/big.resumed" "$T/big" && grep -q "^GET .*$BIG .*range=bytes=12500- " "$PROXY_LOG"
ok $? "a blob download dropped half-way resumes with Range: bytes=12500-"
[ "$rc" -eq 0 ] || diag "$(cat "$T/err")" "$(cat "$PROXY_LOG")"
registry_proxy_start wrong-digest manifest-swap
expect_fail 7 "^error 7: $PROXY: push of manifest v2: the registry says its digest is sha256:0\{64\}, not $MAN$" \
	"a manifest PUT answered with another Docker-Content-Digest: EIO naming both" \
	"$C" put-manifest "$PROXY/team/model" v2 "$T/manifest.json" "$OCI"
expect_fail 5 "^error 5: $PROXY: manifest $MAN: the registry sent a body of digest sha256:" \
	"a manifest got by digest whose body has another digest: EREJECT" \
	"$C" get-manifest "$PROXY/team/model" "$MAN" "$T/x.json"
[ ! -e "$T/x.json" ]
ok $? "and nothing is written"

# ======== HTTP Basic (htpasswd) ========
PW='s3cret-Basic-pw'
registry_start basic htpasswd alice "$PW"
B=$REGISTRY
ok 0 "docker-registry with htpasswd auth answers on $B"
expect_fail 7 "^error 7: $B: start of an upload: 401 UNAUTHORIZED: authentication required (no credentials found: set OSPACK_REGISTRY_USER and OSPACK_REGISTRY_PASSWORD, or add an \"auths\" entry for $B to $T/nodocker/config.json)$" \
	"no credentials: EIO, 401, saying none were found and how to give them" \
	"$C" push-blob "$B/team/model" "$T/small"
OSPACK_REGISTRY_USER=alice OSPACK_REGISTRY_PASSWORD=$PW run "$C" push-blob "$B/team/model" "$T/small"
[ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "$SMALL" ]
ok $? "credentials from OSPACK_REGISTRY_USER and OSPACK_REGISTRY_PASSWORD: the push works"
[ "$rc" -eq 0 ] || diag "$(cat "$T/err")"
OSPACK_REGISTRY_USER=alice OSPACK_REGISTRY_PASSWORD=wrong-$PW run "$C" push-blob "$B/team/model" "$T/small"
[ "$rc" -eq 7 ] && grep -q "^error 7: $B: start of an upload: 401 UNAUTHORIZED: authentication required (the credentials from OSPACK_REGISTRY_USER and OSPACK_REGISTRY_PASSWORD were refused)$" "$T/err" &&
	! grep -q "$PW" "$T/err" "$T/out"
ok $? "a wrong password from the environment: EIO naming the registry, 401 and where the credentials came from, not the password"
[ "$rc" -eq 7 ] || diag "$(cat "$T/err")"

# docker_config DIR KEY ENTRY: a config.json in DIR whose "auths" has KEY: ENTRY.
docker_config() {
	mkdir -p "$1"
	printf '{"auths":{"other.example:5000":{"auth":"%s"},"%s":%s}}\n' \
		"$(printf 'bob:nope' | base64)" "$2" "$3" >"$1/config.json"
}
AUTH=$(printf 'alice:%s' "$PW" | base64)
docker_config "$T/dc1" "$B" "{\"auth\":\"$AUTH\"}"
DOCKER_CONFIG=$T/dc1 run "$C" exists "$B/team/model" "$SMALL"
[ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "yes 3000" ]
ok $? "credentials from \$DOCKER_CONFIG/config.json, \"auth\" form, key host:port"
[ "$rc" -eq 0 ] || diag "$(cat "$T/err")"
docker_config "$T/dc2" "http://$B" "{\"username\":\"alice\",\"password\":\"$PW\"}"
DOCKER_CONFIG=$T/dc2 run "$C" exists "$B/team/model" "$SMALL"
[ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "yes 3000" ]
ok $? "credentials from config.json, username and password, key http://host:port"
[ "$rc" -eq 0 ] || diag "$(cat "$T/err")"
docker_config "$T/dc3/.docker" "https://$B/v1/" "{\"auth\":\"$AUTH\"}"
HOME=$T/dc3 DOCKER_CONFIG= run "$C" exists "$B/team/model" "$SMALL"
[ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "yes 3000" ]
ok $? "credentials from ~/.docker/config.json when DOCKER_CONFIG is unset, key https://host:port/v1/"
[ "$rc" -eq 0 ] || diag "$(cat "$T/err")"
docker_config "$T/dc4" "$B" "{\"auth\":\"$(printf 'alice:bad-%s' "$PW" | base64)\"}"
DOCKER_CONFIG=$T/dc4 run "$C" exists "$B/team/model" "$SMALL"
[ "$rc" -eq 7 ] && grep -q "^error 7: $B: blob $SMALL: 401: unauthorized (the credentials from $T/dc4/config.json were refused)$" "$T/err" &&
	! grep -q "$PW" "$T/err"
ok $? "a wrong password from config.json: the message names that file, not the password"
[ "$rc" -eq 7 ] || diag "$(cat "$T/err")"
mkdir -p "$T/dc5"
printf '{"auths": {' >"$T/dc5/config.json"
expect_fail 9 "^error 9: $T/dc5/config.json: not JSON: " "a config.json that is not JSON: EINPUT naming it" \
	env DOCKER_CONFIG="$T/dc5" "$C" exists "$B/team/model" "$SMALL"

OSPACK_REGISTRY_USER=alice OSPACK_REGISTRY_PASSWORD=$PW "$C" push-blob "$B/team/model" "$T/big" >/dev/null 2>&1
registry_proxy_start redirect
OSPACK_REGISTRY_USER=alice OSPACK_REGISTRY_PASSWORD=$PW run "$C" get-blob "$PROXY/team/model" "$BIG" 25000 "$T/big.redir"
[ "$rc" -eq 0 ] && cmp -s "$T/big.redir" "$T/big" && grep -q "^GET .*$BIG auth=yes" "$PROXY_LOG" &&
	grep -q '^redirected GET auth=no$' "$PROXY_LOG" && grep -q '^redirected HEAD auth=no$' "$PROXY_LOG"
ok $? "a blob redirected to another host: followed, without the registry's Authorization header"
[ "$rc" -eq 0 ] || diag "$(cat "$T/err")" "$(cat "$PROXY_LOG")"

OSPACK_REGISTRY_USER=alice OSPACK_REGISTRY_PASSWORD=$PW run "$C" exists "$PROXY/team/model" "$BIG"
[ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "yes 25000" ]
ok $? "exists of a blob whose HEAD is redirected: its size from where it went"
[ "$rc" -eq 0 ] || diag "$(cat "$T/err")"

# ======== bearer tokens ========
TPW='t0ken-Server-pw'
token_server_start carol "$TPW"
registry_start tok token
K=$REGISTRY
ok 0 "docker-registry with token auth answers on $K, the token server on $TOKEN_REALM"
OSPACK_REGISTRY_USER=carol OSPACK_REGISTRY_PASSWORD=$TPW
export OSPACK_REGISTRY_USER OSPACK_REGISTRY_PASSWORD
OSPACK_OCI_CHUNK_SIZE=4096 run "$C" push-blob "$K/team/model" "$T/big"
[ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "$BIG" ] && [ "$(cat "$TOKEN_COUNT")" -eq 1 ]
ok $? "push with a token: chunked upload works, one token asked for and kept for every request"
[ "$rc" -eq 0 ] || diag "$(cat "$T/err")" "tokens: $(cat "$TOKEN_COUNT")"
run "$C" put-manifest "$K/team/model" v1 "$T/manifest.json" "$OCI"
[ "$rc" -eq 7 ] && grep -q "^error 7: $K: push of manifest v1: 400 MANIFEST_BLOB_UNKNOWN: blob unknown to registry" "$T/err"
ok $? "a manifest whose config blob is not there yet: the registry's MANIFEST_BLOB_UNKNOWN"
[ "$rc" -eq 7 ] || diag "$(cat "$T/err")"
"$C" push-blob "$K/team/model" "$T/small" >/dev/null 2>&1
run "$C" put-manifest "$K/team/model" v1 "$T/manifest.json" "$OCI"
[ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "$MAN" ]
ok $? "a manifest put with a token"
[ "$rc" -eq 0 ] || diag "$(cat "$T/err")"
run "$C" mount "$K/team/copy" "$BIG" team/model
[ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "mounted" ]
ok $? "a mount with a token for both repositories"
[ "$rc" -eq 0 ] || diag "$(cat "$T/err")"
run "$C" get-manifest "$K/team/model" v1 "$T/tok.json"
[ "$rc" -eq 0 ] && cmp -s "$T/tok.json" "$T/manifest.json"
ok $? "pull of the manifest with a token"
run "$C" get-blob "$K/team/copy" "$BIG" 25000 "$T/tok.bin"
[ "$rc" -eq 0 ] && cmp -s "$T/tok.bin" "$T/big"
ok $? "pull of the blob with a token"
[ "$(cat "$TOKEN_COUNT")" -ge 4 ]
ok $? "the token server issued the tokens ($(cat "$TOKEN_COUNT"))"
OSPACK_REGISTRY_PASSWORD=wrong-$TPW run "$C" push-blob "$K/team/model" "$T/small"
[ "$rc" -eq 7 ] && grep -q "^error 7: $K: start of an upload: token request to $TOKEN_REALM: 401 unauthorized (the credentials from OSPACK_REGISTRY_USER and OSPACK_REGISTRY_PASSWORD were refused)$" "$T/err" &&
	! grep -q "$TPW" "$T/err"
ok $? "a wrong password for the token server: EIO saying the credentials were refused, without them"
[ "$rc" -eq 7 ] || diag "$(cat "$T/err")"
unset OSPACK_REGISTRY_USER OSPACK_REGISTRY_PASSWORD
run "$C" push-blob "$K/team/model" "$T/small"
[ "$rc" -eq 7 ] && grep -q "^error 7: $K: start of an upload: 401 UNAUTHORIZED: authentication required (no credentials found" "$T/err"
ok $? "no credentials: the anonymous token does not allow a push, and the message says none were found"
[ "$rc" -eq 7 ] || diag "$(cat "$T/err")"

done_testing
