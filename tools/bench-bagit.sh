#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Times ospack verify on plain BagIt bags against sha256sum -c run in the bag (docs/bagit.md).
# Makes two bags under BENCH_DIR (default: a new folder in /tmp), removes them at the end:
#   big:  200 files of 10 MiB (2 GiB)      many: 100,000 files of 1 KiB
# OSPACK names the binary; RUNS (default 3) runs of each, after one warm-up run.
set -eu
OSPACK=${OSPACK:-./ospack}
RUNS=${RUNS:-3}
DIR=$(mktemp -d "${BENCH_DIR:-/tmp}/ospack-bagbench.XXXXXX")
trap 'rm -rf "$DIR"' EXIT

mkbag() { # mkbag NAME COUNT SIZE: COUNT files of SIZE distinct pseudo-random bytes
	local b=$DIR/$1
	mkdir -p "$b/data"
	python3 - "$b/data" "$2" "$3" <<'PY'
import hashlib, os, random, sys
root, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
block = random.Random(1).randbytes(1 << 20)
for i in range(count):
    d = os.path.join(root, str(i % 100))
    os.makedirs(d, exist_ok=True)
    head = hashlib.sha256(str(i).encode()).digest()
    with open(os.path.join(d, "f%d" % i), "wb") as f:
        left = size
        while left > 0:
            chunk = (head + block)[: min(left, len(block))]
            f.write(chunk)
            left -= len(chunk)
PY
	printf 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n' >"$b/bagit.txt"
	(cd "$b" && find data -type f -print0 | sort -z | xargs -0 sha256sum >manifest-sha256.txt)
	printf 'Payload-Oxum: %d.%d\n' $(($2 * $3)) "$2" >"$b/bag-info.txt"
	(cd "$b" && sha256sum bagit.txt bag-info.txt manifest-sha256.txt >tagmanifest-sha256.txt)
}

timeit() { # timeit LABEL CMD...: RUNS timed runs after a warm-up, wall seconds each
	local label=$1 t0 t1 all=""
	shift
	"$@" >/dev/null 2>&1
	for ((r = 0; r < RUNS; r++)); do
		t0=$(date +%s.%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s.%N)
		all="$all $(echo "$t1 - $t0" | bc | sed 's/^\./0./')"
	done
	printf '%-44s %s\n' "$label" "$all"
}

for set in big many; do
	case $set in
	big) mkbag big 200 $((10 * 1024 * 1024)) ;;
	many) mkbag many 100000 1024 ;;
	esac
	b=$DIR/$set
	echo "== $set: $(find "$b/data" -type f | wc -l) files, $(du -sb "$b/data" | cut -f1) bytes"
	timeit "ospack verify (default -j)" "$OSPACK" verify "$b"
	timeit "ospack verify -j 1" "$OSPACK" verify -j 1 "$b"
	timeit "sha256sum -c manifest-sha256.txt" sh -c 'cd "$1" && sha256sum -c --quiet manifest-sha256.txt' - "$b"
	/usr/bin/time -f "ospack verify peak RSS: %M KiB" "$OSPACK" verify "$b" 2>&1 >/dev/null | tail -1
	rm -rf "$b"
done
