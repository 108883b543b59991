#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Benchmark of push, pull and ls against a local docker-registry (plain http on loopback):
# a release of one large checkpoint and a dataset of many small files. Yardsticks on the
# same data: skopeo copying the same artifact from an OCI layout, and curl fetching the
# checkpoint's blob alone.
#
#   tools/bench-registry.sh [CHECKPOINT-MiB [DATASET-FILES]]   (default 1024 and 10000)
#
# Prints one line per step: wall seconds, peak RSS (MiB), and what moved.
set -eu
cd "$(dirname "$0")/.."
OSPACK=${OSPACK:-$(pwd)/ospack}
MIB=${1:-1024}
NFILES=${2:-10000}
W=$(mktemp -d "${TMPDIR:-/tmp}/ospack-bench-registry.XXXXXX")
REG_PID=
finish() {
	[ -n "$REG_PID" ] && kill "$REG_PID" 2>/dev/null
	rm -rf "$W"
}
trap finish EXIT

step() { # step NAME CMD...: runs CMD under GNU time, printing wall time and peak RSS
	name=$1
	shift
	/usr/bin/time -f "%e %M" -o "$W/time" "$@" >"$W/step.out" 2>"$W/step.err" || {
		echo "$name: failed" >&2
		cat "$W/step.err" >&2
		exit 1
	}
	read -r secs kib <"$W/time"
	printf '%-34s %7.2f s  %6d MiB\n' "$name" "$secs" $((kib / 1024))
}

mkdir -p "$W/rel/data" "$W/rel/out" "$W/reg"
echo "making a ${MIB} MiB checkpoint and a dataset of $NFILES files of 4 KiB"
openssl enc -aes-128-ctr -pass pass:ospack -nosalt -pbkdf2 </dev/zero 2>/dev/null |
	head -c $((MIB * 1024 * 1024)) >"$W/rel/out/model.safetensors"
python3 - "$W/rel/data" "$NFILES" <<'EOF'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    sub = os.path.join(d, "shard-%03d" % (i // 1000))
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, "part-%06d.jsonl" % i), "wb") as f:
        f.write(os.urandom(4096))
EOF
cat >"$W/rel/manifest.yaml" <<'EOF'
ospack: 1
name: bench
version: "1"
license: Apache-2.0
datasets:
  - name: corpus
    path: data/
checkpoints:
  - name: final
    path: out/model.safetensors
    final: true
EOF
"$OSPACK" keygen -t ecdsa-p256 -o "$W/k" >/dev/null
step "build" "$OSPACK" build "$W/rel/manifest.yaml" -k "$W/k.key" -o "$W/bench.tar" -q
ls -l "$W/bench.tar" | awk '{printf "bundle: %d bytes\n", $5}'

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
	"$W/reg" "$port" >"$W/config.yml"
docker-registry serve "$W/config.yml" >"$W/reg.log" 2>&1 &
REG_PID=$!
sleep 1
R=127.0.0.1:$port/bench/model

step "push (everything new)" "$OSPACK" push "$W/bench.tar" "$R:1" --plain-http -q
step "push again (nothing to send)" "$OSPACK" push "$W/bench.tar" "$R:1" --plain-http -q
step "ls" "$OSPACK" ls "$R:1" --plain-http
step "pull -o (whole bundle)" "$OSPACK" pull "$R:1" --plain-http -o "$W/back.tar" -k "$W/k.pub" -q
cmp "$W/back.tar" "$W/bench.tar" && echo "pull -o: byte-identical"
rm -f "$W/back.tar"
step "pull -C (unpacked)" "$OSPACK" pull "$R:1" --plain-http -C "$W/pc" -k "$W/k.pub" -q
rm -rf "$W/pc"
step "pull --only checkpoints/final" "$OSPACK" pull "$R:1" --plain-http -C "$W/pf" -k "$W/k.pub" \
	--only checkpoints/final -q
step "pull --only datasets" "$OSPACK" pull "$R:1" --plain-http -C "$W/pd" -k "$W/k.pub" \
	--only datasets -q
rm -rf "$W/pf" "$W/pd"

# Yardsticks.
sum=$(sha256sum "$W/rel/out/model.safetensors" | cut -d' ' -f1)
step "curl GET of the checkpoint blob" curl -sf -o "$W/blob" "http://127.0.0.1:$port/v2/bench/model/blobs/sha256:$sum"
rm -f "$W/blob"
step "sha256sum of the bundle" sha256sum "$W/bench.tar"
if command -v skopeo >/dev/null 2>&1; then
	"$OSPACK" push --oci-layout "$W/layout" "$W/bench.tar" -q
	step "skopeo copy layout -> new repo" skopeo copy --dest-tls-verify=false \
		"oci:$W/layout:1" "docker://127.0.0.1:$port/bench/skopeo:1"
	step "skopeo copy registry -> layout" skopeo copy --src-tls-verify=false \
		"docker://$R:1" "oci:$W/layout2:1"
fi
