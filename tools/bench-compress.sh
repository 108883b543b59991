#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The cost of each compression level: build time, size, verify time and peak memory, on the
# example release and on generated data shaped like a release (weights, text, random bytes).
#
# usage: tools/bench-compress.sh [LEVEL]...
#   LEVEL is what --compress takes (default: none zstd:1 zstd:3 zstd:9 zstd:19 gzip:1 gzip:6
#   gzip:9).
# environment:
#   OSPACK       the ospack to measure (default: the one built beside this script's folder)
#   BENCH_DIR    work folder (default /tmp/ospack-bench-compress); the data is made once
#   BENCH_SCALE  multiplies every data size (default 1: 256 MiB of bf16-like weights, 64 MiB
#                of JSON lines text, 128 MiB of random bytes)
# Prints one table per data set. Needs GNU time (/usr/bin/time) and python3.
set -u
set -o pipefail
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
OSPACK=${OSPACK:-$top/ospack}
W=${BENCH_DIR:-/tmp/ospack-bench-compress}
SCALE=${BENCH_SCALE:-1}
LEVELS=("$@")
[ ${#LEVELS[@]} -gt 0 ] || LEVELS=(none zstd:1 zstd:3 zstd:9 zstd:19 gzip:1 gzip:6 gzip:9)

die() {
	printf 'bench-compress: %s\n' "$*" >&2
	exit 2
}
[ -x "$OSPACK" ] || die "$OSPACK: not built"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (package 'time')"
mkdir -p "$W" || die "cannot create $W"

# Weights: bf16 values whose high bytes (sign and exponent) are spread as a trained
# model's are, around 2^-6..2^-8, with random mantissas. Text: JSON lines of words.
gen() {
	local d=$W/release-$SCALE
	[ -f "$d/.done" ] && return 0
	rm -rf "$d" && mkdir -p "$d/out" "$d/data" || die "cannot create $d"
	python3 - "$d" "$SCALE" <<'PY' || die "cannot generate the data"
import os, random, sys
d, scale = sys.argv[1], float(sys.argv[2])
mib = 1024 * 1024
n = int(256 * mib * scale) // 2 * 2
hi = bytes(([0x3c] * 90 + [0x3d] * 60 + [0x3b] * 40 + [0xbc] * 30 + [0xbd] * 20 + [0xbb] * 16)[i]
           for i in range(256))
with open(os.path.join(d, "out/model.safetensors"), "wb") as f:
    left = n
    while left > 0:
        k = min(left, 16 * mib)
        b = bytearray(os.urandom(k))
        b[1::2] = bytes(b[1::2]).translate(hi)
        f.write(b)
        left -= k
r = random.Random(1)
words = ["".join(r.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(r.randint(1, 10)))
         for _ in range(5000)]
with open(os.path.join(d, "data/train.jsonl"), "w") as f:
    size, want = 0, int(64 * mib * scale)
    while size < want:
        line = '{"text": "%s"}\n' % " ".join(r.choice(words) for _ in range(60))
        f.write(line)
        size += len(line)
with open(os.path.join(d, "out/random.bin"), "wb") as f:
    f.write(os.urandom(int(128 * mib * scale)))
PY
	cat >"$d/manifest.yaml" <<'EOF'
ospack: 1
name: bench-compress
version: 1.0.0
license: Apache-2.0
datasets:
  - name: train
    path: data/train.jsonl
checkpoints:
  - name: final
    path: out/model.safetensors
    final: true
  - name: noise
    path: out/random.bin
EOF
	touch "$d/.done"
}

# measure MANIFEST: one table row per level.
measure() {
	local m=$1 base
	printf '| level | build s | build RSS MiB | size bytes | of tar | verify s | verify RSS MiB |\n'
	printf '|---|---:|---:|---:|---:|---:|---:|\n'
	for l in "${LEVELS[@]}"; do
		rm -f "$W/out.bin"
		/usr/bin/time -f '%e %M' -o "$W/t.build" \
			"$OSPACK" build "$m" --compress "$l" -o "$W/out.bin" -q ||
			die "build --compress $l failed"
		/usr/bin/time -f '%e %M' -o "$W/t.verify" "$OSPACK" verify "$W/out.bin" -q ||
			die "verify of --compress $l failed"
		size=$(stat -c %s "$W/out.bin")
		[ "$l" = none ] && base=$size
		read -r bs br <"$W/t.build"
		read -r vs vr <"$W/t.verify"
		awk -v l="$l" -v bs="$bs" -v br="$br" -v sz="$size" -v base="${base:-$size}" \
			-v vs="$vs" -v vr="$vr" 'BEGIN {
			printf "| %s | %.2f | %.0f | %d | %.1f %% | %.2f | %.0f |\n",
				l, bs, br / 1024, sz, 100 * sz / base, vs, vr / 1024 }'
	done
	rm -f "$W/out.bin" "$W/t.build" "$W/t.verify"
}

gen
printf '## the example (manifests/example)\n\n'
measure "$top/manifests/example/manifest.yaml"
printf '\n## generated release (scale %s): weights, text, random bytes\n\n' "$SCALE"
measure "$W/release-$SCALE/manifest.yaml"
printf '\n%s cores; %s\n' "$(nproc)" "$("$OSPACK" --version 2>/dev/null | head -n 1)"
