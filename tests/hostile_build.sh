#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Manifests and sources that try to make build or check misbehave: alias bombs, secrets,
# symbolic links at the top, FIFOs, huge exclude lists.
. "${top_srcdir:-.}/tests/lib.sh"

# fixture CMD...: a set-up step that must work, or the whole test fails
fixture() {
	if ! "$@"; then
		echo "Bail out! fixture failed: $*"
		exit 1
	fi
}

# manifest DIR ENTRY-LINES...: DIR/m.yaml with one datasets entry made of the lines given
manifest() {
	d=$1
	shift
	{
		printf 'ospack: 1\nname: h\nversion: "1"\nlicense: MIT\ndatasets:\n  - name: d\n'
		for l in "$@"; do printf '    %s\n' "$l"; done
	} >"$d/m.yaml"
}

# no_output FILE DESCRIPTION: nothing was written at FILE, nor a temporary beside it
no_output() {
	[ ! -e "$1" ] && [ -z "$(find "$(dirname "$1")" -maxdepth 1 -name '.*tmp*')" ]
	ok $? "$2"
}

# --- aliases: the expanded text is bounded, in bytes as well as nodes ---
# 3 MiB anchored once, aliased 100,000 times: 3.4 MB of YAML that would expand to 300 GB.
fixture mkdir "$T/bomb"
{
	printf 'ospack: 1\nname: bomb\nversion: "1"\ndescription: &a "'
	head -c 3145728 /dev/zero | tr '\0' a
	printf '"\nauthors: ['
	yes '*a,' | head -n 99999 | tr -d '\n'
	printf '*a]\n'
} >"$T/bomb/m.yaml"
fixture test "$(wc -c <"$T/bomb/m.yaml")" -gt 3400000
limit=262144 # KiB: check of any manifest stays under 256 MiB, under sanitizers too
# bounded CMD...: runs an ospack command under GNU time, as run() does; the address-space
# limit keeps an unbounded loader from taking the machine down with it (sanitizers reserve
# terabytes of address space, so they go without).
bounded() {
	(
		[ -z "${OSPACK_SANITIZED:-}" ] && ulimit -v 2097152
		exec /usr/bin/time -f %M -o "$T/rss" "$OSPACK" "$@"
	) >"$T/out" 2>"$T/err"
	rc=$?
}
for cmd in check build; do
	if [ $cmd = check ]; then
		bounded check "$T/bomb/m.yaml"
	else
		bounded build "$T/bomb/m.yaml" -o "$T/bomb/o.tar"
	fi
	want="m.yaml:4:14: authors: the manifest's text, aliases expanded, exceeds 8 MiB"
	[ "$rc" -eq 3 ] && grep -q "$want" "$T/err"
	ok $? "$cmd of an alias bomb: exit 3, naming the bound and the key" ||
		diag "exit $rc; stderr:" "$(cat "$T/err")"
	rss=$(tail -n 1 "$T/rss")
	[ "$rss" -lt "$limit" ] 2>/dev/null
	ok $? "$cmd of an alias bomb peaks at $rss KiB of resident memory (limit $limit)"
done
no_output "$T/bomb/o.tar" "the refused bomb leaves no archive"

# --- the signing key is never bundled ---
fixture mkdir -p "$T/key/secret/sub"
fixture "$OSPACK" keygen -o "$T/key/secret/release" >/dev/null
printf 'data\n' >"$T/key/secret/data.txt"
manifest "$T/key" "path: secret/release.key"
expect_fail 3 "datasets\[0\]: .*secret/release.key: is the signing key $T/key/secret/release.key: refusing to bundle a private key" \
	"a source that is the key given with -k is refused, naming entry, file and key" \
	"$OSPACK" build "$T/key/m.yaml" -k "$T/key/secret/release.key" -o "$T/key/o.tar"
no_output "$T/key/o.tar" "and no archive is written"
manifest "$T/key" "path: secret"
expect_fail 3 "m.yaml:7:11: datasets\[0\]: .*secret/release.key: is the signing key $T/key/secret/release.key" \
	"a folder source holding the key is refused, with the entry's location" \
	"$OSPACK" build "$T/key/m.yaml" -k "$T/key/secret/release.key" -o "$T/key/o.tar"
(cd "$T/key" && "$OSPACK" build m.yaml -k secret/release.key -o - >"$T/key/stdout" 2>"$T/err")
[ $? -eq 3 ] && [ ! -s "$T/key/stdout" ] && grep -q 'is the signing key secret/release.key' "$T/err"
ok $? "with -o -, not a byte goes out before the refusal (the key named as given)"
fixture mv "$T/key/secret/release.key" "$T/key/release.key"
fixture ln "$T/key/release.key" "$T/key/secret/sub/innocent.txt"
expect_fail 3 "secret/sub/innocent.txt: is the signing key $T/key/release.key" \
	"a hard link to the key inside a source is refused: same device and inode" \
	"$OSPACK" build "$T/key/m.yaml" -k "$T/key/release.key" -o "$T/key/o.tar"
fixture rm "$T/key/secret/sub/innocent.txt"
fixture ln -s ../../release.key "$T/key/secret/sub/link.pem"
manifest "$T/key" "path: secret" "follow_symlinks: true"
expect_fail 3 "secret/sub/link.pem: is the signing key $T/key/release.key" \
	"a followed symbolic link to the key is refused" \
	"$OSPACK" build "$T/key/m.yaml" -k "$T/key/release.key" -o "$T/key/o.tar"
fixture rm "$T/key/secret/sub/link.pem"
"$OSPACK" build "$T/key/m.yaml" -q -k "$T/key/release.key" -o "$T/key/o.tar"
ok $? "once the key is gone from the source, the build signs"
KEY_ENV=$(cat "$T/key/release.key")
export KEY_ENV
"$OSPACK" build "$T/key/m.yaml" -q -k env:KEY_ENV -o "$T/key/o2.tar"
ok $? "a key from the environment has no file to compare with: the build goes on"

# --- sources outside the manifest's folder need --allow-outside ---
fixture mkdir -p "$T/far/rel/inner" "$T/far/private"
printf 'secret\n' >"$T/far/private/id.txt"
printf 'fine\n' >"$T/far/rel/inner/ok.txt"
manifest "$T/far/rel" "path: ../private/id.txt"
want="m.yaml:7:11: datasets\[0\].path: ../private/id.txt: outside the manifest's folder, and the build does not allow that (--allow-outside allows it)"
expect_fail 3 "$want" "a path climbing out with .. is refused without --allow-outside" \
	"$OSPACK" build "$T/far/rel/m.yaml" -o "$T/far/o.tar"
no_output "$T/far/o.tar" "and no archive is written"
manifest "$T/far/rel" "path: $T/far/private"
expect_fail 3 "datasets\[0\].path: $T/far/private: outside the manifest's folder, and the build does not allow that" \
	"an absolute path outside is refused" "$OSPACK" build "$T/far/rel/m.yaml" -o "$T/far/o.tar"
fixture ln -s "$T/far/private" "$T/far/rel/inner/door"
manifest "$T/far/rel" "path: inner/door/id.txt"
expect_fail 3 "datasets\[0\].path: inner/door/id.txt: outside the manifest's folder" \
	"a path through a symbolic link to outside is refused" \
	"$OSPACK" build "$T/far/rel/m.yaml" -o "$T/far/o.tar"
fixture rm "$T/far/rel/inner/door"
manifest "$T/far/rel" "path: $T/far/rel/inner"
"$OSPACK" build "$T/far/rel/m.yaml" -q -o "$T/far/abs-inside.tar"
ok $? "an absolute path inside the manifest's folder needs no flag"
manifest "$T/far/rel" "path: ../private/id.txt"
run "$OSPACK" check "$T/far/rel/m.yaml"
[ "$rc" -eq 0 ] && grep -q "warning: .*datasets\[0\].path: ../private/id.txt: outside the manifest's folder; a build refuses it unless allowed (ospack build --allow-outside allows it)" "$T/err"
ok $? "check warns of a path outside, saying build needs --allow-outside"
run "$OSPACK" build "$T/far/rel/m.yaml" --allow-outside -o "$T/far/allowed.tar"
[ "$rc" -eq 0 ] && grep -q "warning: .*datasets\[0\].path: ../private/id.txt: outside the manifest's folder, bundled as allowed" "$T/err" &&
	tar -xOf "$T/far/allowed.tar" h-1/data/datasets/d/id.txt | grep -q secret
ok $? "with --allow-outside the file is bundled, with a warning"
"$OSPACK" build --help | grep -q -- '--allow-outside'
ok $? "build --help documents --allow-outside"

# --- symbolic links at the top of a source ---
fixture mkdir -p "$T/ln/real"
printf 'pointed to\n' >"$T/ln/real/f.txt"
fixture ln -s real/f.txt "$T/ln/file-link"
fixture ln -s real "$T/ln/dir-link"
for what in file-link dir-link; do
	manifest "$T/ln" "path: $what"
	for cmd in check build; do
		expect_fail 3 "m.yaml:7:11: datasets\[0\].path: $what: a symbolic link (set follow_symlinks: true to bundle what it points to)" \
			"$cmd: a top-level $what without follow_symlinks is an error with its location" \
			"$OSPACK" $cmd "$T/ln/m.yaml"
	done
done
manifest "$T/ln" "path: file-link" "follow_symlinks: true"
"$OSPACK" build "$T/ln/m.yaml" -q -o "$T/ln/o.tar" &&
	tar -xOf "$T/ln/o.tar" h-1/data/datasets/d/file-link | grep -q 'pointed to'
ok $? "with follow_symlinks: true the top-level link is followed"
fixture ln -s nowhere "$T/ln/broken"
manifest "$T/ln" "path: broken" "follow_symlinks: true"
expect_fail 3 "m.yaml:7:11: datasets\[0\].path: broken: broken symbolic link: No such file or directory" \
	"a broken top-level link is an error with its location" "$OSPACK" check "$T/ln/m.yaml"

# --- FIFOs never block a build ---
# A FIFO named by the manifest is refused when loaded.
fixture mkdir -p "$T/fifo/d"
fixture mkfifo "$T/fifo/top"
manifest "$T/fifo" "path: top"
expect_fail 3 "m.yaml:7:11: datasets\[0\].path: top: not a regular file or folder" \
	"a FIFO as a source is refused, not opened" timeout 60 "$OSPACK" build "$T/fifo/m.yaml" -o "$T/fifo/o.tar"
# One swapped in mid-build: the archive goes to a pipe whose reader, once the build is
# well into a.bin (16 MiB, far beyond what the pipe and the writer hold), replaces b.txt
# with a FIFO before it reads on. The build reaches b.txt only after that.
fixture head -c 16777216 /dev/zero >"$T/fifo/d/a.bin"
printf 'regular for now\n' >"$T/fifo/d/b.txt"
manifest "$T/fifo" "path: d"
timeout 60 "$OSPACK" build "$T/fifo/m.yaml" -j 1 -o - 2>"$T/err" |
	(head -c 1 >/dev/null && rm "$T/fifo/d/b.txt" && mkfifo "$T/fifo/d/b.txt" && echo swapped >"$T/fifo/swapped"; cat >/dev/null)
[ -f "$T/fifo/swapped" ]
ok $? "the FIFO was swapped in while the build was writing a.bin"
# The walk finds it (its stat comes after the swap); had it been swapped between that stat and
# the open, the open (O_NONBLOCK, then fstat) would refuse it with the second message.
grep -q "m.yaml:7:11: datasets\[0\]: \(.*/\)\{0,1\}b.txt: \(not a regular file or folder\|a FIFO, not a regular file: refusing to read it\)" "$T/err"
ok $? "the build stops promptly (within the timeout), naming the FIFO"
diag "$(cat "$T/err")"
timeout 60 "$OSPACK" build "$T/fifo/m.yaml" -j 1 -o "$T/fifo/o.tar" 2>"$T/err"
rc=$?
[ "$rc" -eq 3 ]
ok $? "a build meeting the FIFO exits 3 (not 124, a timeout)" || diag "exit $rc"
no_output "$T/fifo/o.tar" "and leaves no archive"

# --- exclude lists are bounded ---
fixture mkdir -p "$T/ex/d"
i=0
while [ $i -lt 2000 ]; do : >"$T/ex/d/f$i.txt"; i=$((i + 1)); done
pats() { # pats N: a YAML flow list of N patterns that match nothing
	printf '['
	yes 'nomatch-*.bak,' | head -n $(($1 - 1)) | tr -d '\n'
	printf 'last]'
}
manifest "$T/ex" "path: d" "exclude: $(pats 256)"
"$OSPACK" build "$T/ex/m.yaml" -q -o "$T/ex/o.tar" && [ "$(tar -tf "$T/ex/o.tar" | grep -c '/f[0-9]*\.txt$')" -eq 2000 ]
ok $? "256 exclude patterns over 2,000 files: built, every file in"
manifest "$T/ex" "path: d" "exclude: $(pats 257)"
for cmd in check build; do
	expect_fail 3 "m.yaml:8:14: datasets\[0\].exclude: 257 patterns; at most 256 are allowed" \
		"$cmd: 257 exclude patterns are refused" "$OSPACK" $cmd "$T/ex/m.yaml"
done
manifest "$T/ex" "path: d" "exclude: [$(head -c 1001 /dev/zero | tr '\0' x)]"
expect_fail 3 "m.yaml:8:15: datasets\[0\].exclude: a pattern longer than 1000 bytes" \
	"an exclude pattern over 1000 bytes is refused" "$OSPACK" check "$T/ex/m.yaml"

# --- the library names no flag or variable; the command line adds them ---
fixture openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:pw -in "$T/key/release.key" -out "$T/key/enc.pem" 2>/dev/null
manifest "$T/ex" "path: d"
expect_fail 3 "enc.pem: the key is encrypted, and no passphrase was given (set OSPACK_KEY_PASSWORD)" \
	"an encrypted key without a passphrase: the hint names OSPACK_KEY_PASSWORD" \
	"$OSPACK" build "$T/ex/m.yaml" -k "$T/key/enc.pem" -o "$T/ex/e.tar"
OSPACK_KEY_PASSWORD=pw "$OSPACK" build "$T/ex/m.yaml" -q -k "$T/key/enc.pem" -o "$T/ex/e.tar"
ok $? "OSPACK_KEY_PASSWORD, read by the command line, unlocks it"
expect_fail 2 "ospack build: --hash: 'md5' is not sha256 or sha512" \
	"an unknown --hash is a usage error before the manifest is read" \
	"$OSPACK" build "$T/nonexistent.yaml" --hash md5
expect_fail 2 "SOURCE_DATE_EPOCH: '-1' is not a number of seconds since 1970" \
	"a negative SOURCE_DATE_EPOCH is a usage error" \
	env SOURCE_DATE_EPOCH=-1 "$OSPACK" build "$T/ex/m.yaml" -o "$T/ex/s.tar"
SOURCE_DATE_EPOCH=1700000000 "$OSPACK" build "$T/ex/m.yaml" -q -o "$T/ex/s.tar" &&
	tar -tvf "$T/ex/s.tar" --full-time | head -n 1 | grep -q '2023-11-14'
ok $? "SOURCE_DATE_EPOCH, read by the command line, sets the entries' time"

# --- entries are bounded: each is a component of the statement, whose size verify bounds ---
fixture mkdir "$T/many"
urls() { # urls N: a manifest of N url entries
	printf 'ospack: 1\nname: many\nversion: "1"\nlicense: MIT\ndatasets:\n'
	i=1
	while [ $i -le "$1" ]; do
		printf '  - {name: d%d, url: "https://example.org/%d", size: 1, sha256: %s}\n' \
			$i $i 0000000000000000000000000000000000000000000000000000000000000000
		i=$((i + 1))
	done
}
urls 10000 >"$T/many/m.yaml"
"$OSPACK" build "$T/many/m.yaml" -q -o "$T/many/ok.tar" && "$OSPACK" verify -q "$T/many/ok.tar"
ok $? "10,000 entries: built, and the bundle verifies"
urls 10001 >"$T/many/m.yaml"
for cmd in check build; do
	expect_fail 3 "^ospack: .*m.yaml:6:3: datasets: more than 10000 entries in all sections$" \
		"$cmd: 10,001 entries are refused" "$OSPACK" $cmd "$T/many/m.yaml"
done

done_testing
