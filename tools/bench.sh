#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Benchmark: ospack build against GNU tar writing the same archive, and ospack verify
# against openssl dgst -sha256 over the archive, on the same data, in the page cache.
# usage: tools/bench.sh [GiB of data, default 4] [work folder, default /tmp/ospack-bench]
set -eu
GIB=${1:-4}
W=${2:-/tmp/ospack-bench}
OSPACK=${OSPACK:-$(cd "$(dirname "$0")/.." && pwd)/ospack}
RUNS=${RUNS:-3}

mkdir -p "$W/release/weights" "$W/release/data"
cd "$W"
if [ ! -f release/.made-$GIB ]; then
	echo "making $GIB GiB of test data in $W/release ..."
	rm -rf release/weights/* release/data/*
	# Two big checkpoints of random bytes (hashing cannot take shortcuts on them) ...
	half=$((GIB * 512))
	head -c "${half}M" /dev/urandom >release/weights/model-00001.safetensors
	head -c "${half}M" /dev/urandom >release/weights/model-00002.safetensors
	# ... and 2000 small dataset shards of 64 KiB.
	i=0
	while [ $i -lt 2000 ]; do
		head -c 65536 /dev/urandom >"release/data/shard-$(printf %05d $i).bin"
		i=$((i + 1))
	done
	cat >release/manifest.yaml <<'YAML'
ospack: 1
name: bench
version: "1"
license: Apache-2.0
datasets:
  - name: shards
    path: data
checkpoints:
  - name: final
    path: weights
    final: true
YAML
	touch release/.made-$GIB
fi
# Warm the page cache.
cat release/weights/* release/data/* >/dev/null

best() { # best LABEL CMD...: the fastest of $RUNS runs, in seconds
	label=$1
	shift
	b=
	r=0
	while [ $r -lt "$RUNS" ]; do
		s=$(date +%s.%N)
		sh -c "$*" >/dev/null 2>&1
		e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc)" -eq 1 ]; then b=$t; fi
		r=$((r + 1))
	done
	printf '%-48s %8.2f s\n' "$label" "$b"
	LAST=$b
}

bytes=$(du -sb release/weights release/data | awk '{ s += $1 } END { printf "%.0f", s }')
echo "data: $bytes bytes in $(find release/weights release/data -type f | wc -l) files; best of $RUNS runs"
echo
best "GNU tar --format=pax -cf - | cat >/dev/null" "tar --format=pax -C release -cf - weights data | cat >/dev/null"
TAR_PIPE=$LAST
best "ospack build -q -o - | cat >/dev/null" "$OSPACK build release/manifest.yaml -q -o - | cat >/dev/null"
OSP_PIPE=$LAST
best "ospack build -o - (+ archive SHA-256) | cat" "$OSPACK build release/manifest.yaml -o - 2>/dev/null | cat >/dev/null"
OSP_PIPE_D=$LAST
best "GNU tar --format=pax -cf FILE && sync" "tar --format=pax -C release -cf tar.tar weights data && sync tar.tar"
TAR_FILE=$LAST
best "ospack build -q -o FILE (fsyncs)" "$OSPACK build release/manifest.yaml -q -o bench.tar"
OSP_FILE=$LAST
cat bench.tar >/dev/null
best "openssl dgst -sha256 bench.tar" "openssl dgst -sha256 bench.tar"
SSL=$LAST
best "ospack verify bench.tar" "$OSPACK verify -q bench.tar"
VER=$LAST
best "ospack verify - < bench.tar (a pipe)" "cat bench.tar | $OSPACK verify -q -"
VERP=$LAST
echo
printf 'build / GNU tar, through a pipe:  %.2f\n' "$(echo "$OSP_PIPE / $TAR_PIPE" | bc -l)"
printf '  with the archive SHA-256 too:   %.2f\n' "$(echo "$OSP_PIPE_D / $TAR_PIPE" | bc -l)"
printf 'build / openssl dgst -sha256:     %.2f\n' "$(echo "$OSP_PIPE / $SSL" | bc -l)"
printf 'build / GNU tar + sync, to a file: %.2f\n' "$(echo "$OSP_FILE / $TAR_FILE" | bc -l)"
printf 'verify / openssl dgst -sha256:    %.2f\n' "$(echo "$VER / $SSL" | bc -l)"
printf 'verify from a pipe / openssl:     %.2f\n' "$(echo "$VERP / $SSL" | bc -l)"
printf 'build throughput (pipe):          %.0f MB/s\n' "$(echo "$bytes / $OSP_PIPE / 1000000" | bc -l)"
printf 'verify throughput:                %.0f MB/s\n' "$(echo "$bytes / $VER / 1000000" | bc -l)"
rm -f tar.tar
