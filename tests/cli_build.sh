#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ospack build from the command line: the example, reproducible bytes, GNU tar and sha256sum -c.
. "${top_srcdir:-.}/tests/lib.sh"

EX=$top_srcdir/manifests/example
BAG=tiny-stories-15m-1.0.0

# --- the example builds, with the default name, in the working folder ---
(cd "$T" && "$OSPACK" build "$EX/manifest.yaml" >"$T/out" 2>"$T/err")
ok $? "build the example"
[ -f "$T/$BAG.tar" ]
ok $? "the default output is <name>-<version>.tar in the working folder"
grep -q "wrote $BAG.tar: 15 files" "$T/out"
ok $? "the summary names the archive and the file count"
[ -z "$(find "$T" -name '.*tmp*')" ]
ok $? "no temporary file is left beside the archive"

# --- GNU tar unpacks it and sha256sum -c checks the bag ---
mkdir "$T/x"
tar -xf "$T/$BAG.tar" -C "$T/x"
ok $? "GNU tar unpacks the archive"
[ "$(ls "$T/x")" = "$BAG" ]
ok $? "the archive holds exactly one folder, $BAG"
(cd "$T/x/$BAG" && sha256sum --quiet -c manifest-sha256.txt)
ok $? "sha256sum -c manifest-sha256.txt passes inside the bag"
(cd "$T/x/$BAG" && sha256sum --quiet -c tagmanifest-sha256.txt)
ok $? "sha256sum -c tagmanifest-sha256.txt passes inside the bag"
printf 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n' | cmp -s - "$T/x/$BAG/bagit.txt"
ok $? "bagit.txt is exactly the two lines RFC 8493 gives"
[ "$(cd "$T/x/$BAG/data" && find . -type f | wc -l)" -eq "$(wc -l <"$T/x/$BAG/manifest-sha256.txt")" ]
ok $? "the payload manifest lists every payload file once"
PAYLOAD=$(find "$T/x/$BAG/data" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
grep -q "^Payload-Oxum: $PAYLOAD\.15\$" "$T/x/$BAG/bag-info.txt"
ok $? "bag-info.txt carries the Payload-Oxum of the payload ($PAYLOAD.15)"
grep -q '^Bagging-Date: 1980-01-01$' "$T/x/$BAG/bag-info.txt"
ok $? "Bagging-Date is the fixed default day without SOURCE_DATE_EPOCH"
[ ! -e "$T/x/$BAG/data/code/trainer/__pycache__" ]
ok $? "exclude patterns leave __pycache__/ out"
[ -x "$T/x/$BAG/data/code/inference/generate.py" ] && [ ! -x "$T/x/$BAG/data/code/trainer/train.py" ]
ok $? "executables keep 0755, other files get 0644"
if [ -f "$top_srcdir/tests/bagit_check.py" ]; then
	python3 "$top_srcdir/tests/bagit_check.py" "$T/x/$BAG" >"$T/out" 2>&1
	ok $? "the unpacked example validates as a BagIt bag"
else
	skip "the unpacked example validates as a BagIt bag" "tests/bagit_check.py missing"
fi

# --- tar metadata is fixed ---
tar --numeric-owner -tvf "$T/$BAG.tar" >"$T/list"
! grep -v -E '^(drwxr-xr-x|-rw-r--r--|-rwxr-xr-x) 0/0 ' "$T/list" | grep -q .
ok $? "every entry is a file or folder owned by 0/0 with mode 0644/0755"
! grep -v ' 1980-01-01 00:00 ' "$T/list" | grep -q .
ok $? "every entry has the same timestamp"
tar -tf "$T/$BAG.tar" | tail -n 1 | grep -q "^$BAG/tagmanifest-sha256.txt$"
ok $? "the tag manifest is the last entry"

# --- reproducible whatever the clock, umask, mtimes, locale, disk order or working folder ---
copy_example() { # copy_example DEST ORDER: copies files in name order or reverse order
	mkdir -p "$1"
	(cd "$EX" && find . -type d) | while read -r d; do mkdir -p "$1/$d"; done
	(cd "$EX" && find . -type f | sort $2) | while read -r f; do cp "$EX/$f" "$1/$f"; done
	chmod 755 "$1/src/infer/generate.py"
}
copy_example "$T/a" ""
copy_example "$T/b" "-r"
find "$T/b" -exec touch -d '2001-02-03 04:05:06' {} +
(cd "$T/a" && umask 022 && TZ=UTC LC_ALL=C.UTF-8 "$OSPACK" build manifest.yaml -q -o "$T/r1.tar")
ok $? "build copy one"
(cd / && umask 077 && TZ=Asia/Tokyo LC_ALL=C LANG=fr_FR.UTF-8 "$OSPACK" build "$T/b/manifest.yaml" -q -o "$T/r2.tar")
ok $? "build copy two with another umask, TZ, locale, mtimes, file order and working folder"
cmp -s "$T/r1.tar" "$T/r2.tar"
ok $? "both builds are byte-identical"
cmp -s "$T/r1.tar" "$T/$BAG.tar"
ok $? "and identical to the build of the example itself"
SOURCE_DATE_EPOCH=1700000000 "$OSPACK" build "$EX/manifest.yaml" -q -o "$T/sde1.tar" &&
	SOURCE_DATE_EPOCH=1700000000 "$OSPACK" build "$EX/manifest.yaml" -q -o "$T/sde2.tar"
ok $? "build twice with SOURCE_DATE_EPOCH"
cmp -s "$T/sde1.tar" "$T/sde2.tar" && ! cmp -s "$T/sde1.tar" "$T/r1.tar"
ok $? "SOURCE_DATE_EPOCH sets the one timestamp, and only it changes the bytes"
tar -tvf "$T/sde1.tar" | head -n 1 | grep -q ' 2023-11-14 '
ok $? "entries carry the SOURCE_DATE_EPOCH time"
expect_fail 2 'SOURCE_DATE_EPOCH' "a malformed SOURCE_DATE_EPOCH is a usage error" \
	env SOURCE_DATE_EPOCH=yesterday "$OSPACK" build "$EX/manifest.yaml" -o "$T/bad.tar"
[ ! -e "$T/bad.tar" ]
ok $? "and writes nothing"

# --- pieces of every size keep their order in the archive ---
# Headers and small files are gathered in a buffer; a piece of half a MiB or more must not
# go out before what was gathered ahead of it.
mkdir -p "$T/mid/d"
echo small >"$T/mid/d/a.txt"
for size in 524287 524288 600000 1048575 1048576 1572864; do
	head -c $size /dev/urandom >"$T/mid/d/b$size.bin"
	echo small >"$T/mid/d/c$size.txt"
done
cat >"$T/mid/manifest.yaml" <<'EOF'
ospack: 1
name: mid
version: "1"
license: MIT
datasets:
  - name: d
    path: d
EOF
"$OSPACK" build "$T/mid/manifest.yaml" -q -o "$T/mid/out.tar" &&
	"$OSPACK" verify -q "$T/mid/out.tar" &&
	mkdir "$T/mid/x" && tar -xf "$T/mid/out.tar" -C "$T/mid/x" &&
	diff -r "$T/mid/d" "$T/mid/x/mid-1/data/datasets/d"
ok $? "files of 0.5 to 1.5 MiB between small ones: the archive verifies and GNU tar unpacks them intact"

# --- standard output gives the same bytes as a file, through a pipe ---
"$OSPACK" build "$EX/manifest.yaml" -o - 2>"$T/err" | cat >"$T/pipe.tar"
cmp -s "$T/pipe.tar" "$T/r1.tar"
ok $? "-o - through a pipe writes the same bytes as a file"
grep -q 'wrote standard output' "$T/err"
ok $? "with -o -, the summary goes to stderr"

# --- --json ---
"$OSPACK" build "$EX/manifest.yaml" -o "$T/j.tar" --json >"$T/json"
ok $? "build --json"
python3 - "$T/json" "$T/j.tar" "$PAYLOAD" <<'EOF'
import hashlib, json, sys
j = json.load(open(sys.argv[1]))
data = open(sys.argv[2], "rb").read()
assert j["output"] == sys.argv[2], j["output"]
assert j["sha256"] == hashlib.sha256(data).hexdigest()
assert j["archive_bytes"] == len(data)
payload = int(sys.argv[3])
assert j["files"] == 15 and j["bytes"] == payload
assert j["name"] == "tiny-stories-15m" and j["version"] == "1.0.0" and j["hash"] == "sha256"
comps = {(c["section"], c["name"]): c for c in j["components"]}
assert comps[("datasets", "tinystories")]["files"] == 2
assert comps[("code", "trainer")]["license"] == "Apache-2.0"
assert sum(c["bytes"] for c in j["components"]) == payload
EOF
ok $? "--json gives output, bundle digest, file and byte counts and per-component summary"
[ "$(wc -l <"$T/json")" -eq 1 ]
ok $? "--json prints exactly one line"

# --- --hash sha512 ---
"$OSPACK" build "$EX/manifest.yaml" -q --hash sha512 -o "$T/s512.tar"
ok $? "build --hash sha512"
mkdir "$T/y" && tar -xf "$T/s512.tar" -C "$T/y" &&
	(cd "$T/y/$BAG" && sha512sum --quiet -c manifest-sha512.txt && sha512sum --quiet -c tagmanifest-sha512.txt)
ok $? "sha512sum -c passes on manifest-sha512.txt and tagmanifest-sha512.txt"
(cd "$T/y/$BAG" && sha256sum --quiet -c manifest-sha256.txt && sha256sum --quiet -c tagmanifest-sha256.txt)
ok $? "the SHA-256 manifests are written too, and pass sha256sum -c"
expect_fail 2 "--hash: 'md5' is not sha256 or sha512" "an unknown --hash is a usage error" \
	"$OSPACK" build "$EX/manifest.yaml" --hash md5 -o "$T/md5.tar"

# --- file names: spaces, non-ASCII, percent sign ---
mkdir -p "$T/names/data/été" "$T/names/data/with space"
printf 'un\n' >"$T/names/data/été/données 1.txt"
printf 'deux\n' >"$T/names/data/with space/a b.txt"
printf 'trois\n' >"$T/names/data/100%.txt"
printf '日本\n' >"$T/names/data/日本語.txt"
cat >"$T/names/manifest.yaml" <<'EOF'
ospack: 1
name: names
version: "1"
datasets:
  - name: files
    path: data
EOF
"$OSPACK" build "$T/names/manifest.yaml" -q -o "$T/names.tar"
ok $? "build a release with spaces, accents, CJK and % in file names"
mkdir "$T/z" && tar -xf "$T/names.tar" -C "$T/z"
[ -f "$T/z/names-1/data/datasets/files/été/données 1.txt" ] && [ -f "$T/z/names-1/data/datasets/files/日本語.txt" ]
ok $? "GNU tar restores the UTF-8 names"
grep -q '  data/datasets/files/100%25.txt$' "$T/z/names-1/manifest-sha256.txt"
ok $? "a % in a name is percent-encoded in the manifest"
(cd "$T/z/names-1" && grep -v '%25' manifest-sha256.txt | sha256sum --quiet -c -)
ok $? "sha256sum -c passes for the names with spaces and non-ASCII"
(cd "$T/z/names-1/data/datasets/files" && sha256sum 100%.txt | cut -d' ' -f1) >"$T/pct"
grep -q "^$(cat "$T/pct")  data/datasets/files/100%25.txt$" "$T/z/names-1/manifest-sha256.txt"
ok $? "the %-encoded line carries the digest of the file"
LC_ALL=C "$OSPACK" build "$T/names/manifest.yaml" -q -o "$T/names-c.tar" && cmp -s "$T/names.tar" "$T/names-c.tar"
ok $? "the C locale gives the same bytes for non-ASCII names"

# --- the reproducible bytes of a large file through a pipe, with flat memory ---
if command -v /usr/bin/time >/dev/null 2>&1 && [ "${OSPACK_SKIP_BIG:-}" = "" ]; then
	mkdir -p "$T/big/ckpt"
	truncate -s 10G "$T/big/ckpt/model.safetensors"
	cat >"$T/big/manifest.yaml" <<'EOF'
ospack: 1
name: big
version: "1"
checkpoints:
  - name: final
    path: ckpt/model.safetensors
    final: true
EOF
	/usr/bin/time -f '%M' -o "$T/rss" "$OSPACK" build "$T/big/manifest.yaml" -q -o - 2>"$T/err" |
		tar -xOf - big-1/manifest-sha256.txt >"$T/bigman"
	# SHA-256 of 10 GiB of zero bytes.
	grep -q '^732377e7f4a2abdc13ddfa1eb4c9c497fd2a2b294674d056cf51581b47dd586d  data/checkpoints/final/model.safetensors$' "$T/bigman"
	ok $? "a 10 GiB file streams through a pipe with the right digest"
	rss=$(tail -n 1 "$T/rss")
	diag "peak RSS for a 10 GiB file: $rss KiB"
	limit=65536
	[ -n "${OSPACK_SANITIZED:-}" ] && limit=262144
	[ "$rss" -lt "$limit" ]
	ok $? "peak memory stays under $((limit / 1024)) MiB ($rss KiB)"
	rm -f "$T/big/ckpt/model.safetensors"
else
	skip "a 10 GiB file streams with the right digest" "GNU time missing or OSPACK_SKIP_BIG set"
	skip "peak memory stays flat" "GNU time missing or OSPACK_SKIP_BIG set"
fi

# --- an interrupted build leaves nothing ---
mkdir -p "$T/intr/ckpt"
truncate -s 40G "$T/intr/ckpt/model.bin"
cat >"$T/intr/manifest.yaml" <<'EOF'
ospack: 1
name: intr
version: "1"
checkpoints:
  - name: final
    path: ckpt/model.bin
EOF
# The first --progress line, read from a FIFO, says the build has listed its input and is
# reading it (the 40 GiB file takes minutes): then it is interrupted.
mkfifo "$T/intr/err.fifo"
"$OSPACK" build "$T/intr/manifest.yaml" --progress -o "$T/intr/out.tar" 2>"$T/intr/err.fifo" &
pid=$!
exec 3<"$T/intr/err.fifo"
IFS= read -r first <&3
kill -INT $pid
cat <&3 >"$T/err"
exec 3<&-
wait $pid
rc=$?
[ $rc -eq 4 ] && grep -q 'interrupted' "$T/err"
ok $? "SIGINT stops the build with exit 4 and says so (exit $rc)"
[ ! -e "$T/intr/out.tar" ] && [ -z "$(find "$T/intr" -name '.out.tar*')" ]
ok $? "an interrupted build leaves neither the archive nor a temporary file"
rm -f "$T/intr/ckpt/model.bin"

# --- a file that grows while the build reads it ---
# The archive goes to a pipe whose reader appends to the 2 GiB source once the first MiB has
# come through: the build cannot have finished reading the file by then, whatever the timing.
mkdir -p "$T/grow/d"
truncate -s 2G "$T/grow/d/a.bin"
cat >"$T/grow/manifest.yaml" <<'EOF'
ospack: 1
name: grow
version: "1"
datasets:
  - name: d
    path: d
EOF
{ "$OSPACK" build "$T/grow/manifest.yaml" -o - 2>"$T/err"; echo $? >"$T/rc"; } |
	{ head -c 1048576 >/dev/null; echo more >>"$T/grow/d/a.bin"; cat >/dev/null; }
rc=$(cat "$T/rc")
[ "$rc" -eq 4 ] && grep -q '^ospack: .*/grow/d/a.bin: the file grew while being read (2147483648 bytes expected)$' "$T/err"
ok $? "a source file that grows while it is read is an error (exit $rc: $(head -c 300 "$T/err"))"
rm -f "$T/grow/d/a.bin"

# --- manifest errors: exit 3, located message, nothing written ---
mkdir "$T/bad"
printf 'ospack: 1\nname: bad\nversion: "1"\ndatasets:\n  - name: d\n    path: missing/\n' >"$T/bad/m.yaml"
expect_fail 3 'm.yaml:6:11: datasets\[0\].path: missing/: no such file or folder' \
	"a missing source path is exit 3 with file:line:column and key" \
	"$OSPACK" build "$T/bad/m.yaml" -o "$T/bad/out.tar"
[ -z "$(ls "$T/bad" | grep -v m.yaml)" ]
ok $? "a rejected manifest leaves no output"
expect_fail 3 'nope.yaml: no such file' "a missing manifest is exit 3" \
	"$OSPACK" build "$T/bad/nope.yaml"
expect_fail 2 'a MANIFEST is required' "no manifest is a usage error" "$OSPACK" build
expect_fail 2 'unknown or incomplete option' "an unknown option is a usage error" \
	"$OSPACK" build --frobnicate "$EX/manifest.yaml"
expect_fail 2 'both want standard output' "--json with -o - is a usage error" \
	"$OSPACK" build "$EX/manifest.yaml" --json -o -
mkdir "$T/adir"
expect_fail 2 'is a folder' "an output that is a folder is a usage error" \
	"$OSPACK" build "$EX/manifest.yaml" -o "$T/adir"
expect_fail 4 "^ospack: cannot create the archive in $T/no/such/dir: no such folder\$" \
	"an output in a missing folder is an I/O error that names the folder" \
	"$OSPACK" build "$EX/manifest.yaml" -o "$T/no/such/dir/x.tar"

# --- symbolic links and special files in a folder source ---
mkdir -p "$T/ln/d"
echo real >"$T/ln/d/real.txt"
ln -s real.txt "$T/ln/d/link.txt"
printf 'ospack: 1\nname: ln\nversion: "1"\ndatasets:\n  - name: d\n    path: d\n' >"$T/ln/m.yaml"
expect_fail 3 'datasets\[0\]: link.txt: a symbolic link' "a symbolic link in a source is an error naming it" \
	"$OSPACK" build "$T/ln/m.yaml" -o "$T/ln/out.tar"
printf 'ospack: 1\nname: ln\nversion: "1"\ndatasets:\n  - name: d\n    path: d\n    follow_symlinks: true\n' >"$T/ln/m2.yaml"
"$OSPACK" build "$T/ln/m2.yaml" -q -o "$T/ln/out.tar" && tar -tvf "$T/ln/out.tar" | grep -q '^-rw-r--r-- .* ln-1/data/datasets/d/link.txt$'
ok $? "follow_symlinks: true bundles the link's target as a regular file"
mkfifo "$T/ln/d/fifo"
expect_fail 3 'datasets\[0\]: fifo: not a regular file or folder' "a FIFO in a source is an error naming it" \
	"$OSPACK" build "$T/ln/m2.yaml" -o "$T/ln/out2.tar"
mkdir -p "$T/nl/d" && printf x >"$T/nl/d/$(printf 'a\nb')"
printf 'ospack: 1\nname: nl\nversion: "1"\ndatasets:\n  - name: d\n    path: d\n' >"$T/nl/m.yaml"
expect_fail 3 'file name contains a line break' "a file name with a newline is an error" "$OSPACK" build "$T/nl/m.yaml" -o "$T/nl/o.tar"
mkdir -p "$T/u8/d" && printf x >"$T/u8/d/$(printf 'bad\377name')"
printf 'ospack: 1\nname: u8\nversion: "1"\ndatasets:\n  - name: d\n    path: d\n' >"$T/u8/m.yaml"
expect_fail 3 'not valid UTF-8' "a file name that is not UTF-8 is an error" "$OSPACK" build "$T/u8/m.yaml" -o "$T/u8/o.tar"

# --- what build refuses to write over, and hostile manifests ---
expect_fail 2 'is the manifest or one of the files it bundles' "-o naming the manifest is refused" \
	"$OSPACK" build "$T/a/manifest.yaml" -o "$T/a/manifest.yaml"
expect_fail 2 'is the manifest or one of the files it bundles' "-o naming a bundled file is refused" \
	"$OSPACK" build "$T/a/manifest.yaml" -o "$T/a/src/model.py"
head -c 100 "$T/a/src/model.py" | grep -q 'architecture'
ok $? "and the file is left as it was"
python3 -c "n = 100000; print('ospack: 1\nname: d\nversion: \"1\"\nauthors: ' + '[' * n + ']' * n)" >"$T/deep.yaml"
expect_fail 3 'deep.yaml:4:.*: yaml: nested deeper than 32 levels' \
	"a manifest nested 100,000 levels deep is refused at once" "$OSPACK" check "$T/deep.yaml"
mkdir -p "$T/esc/d" && printf x >"$T/esc/d/$(printf 'a\033b')"
printf 'ospack: 1\nname: esc\nversion: "1"\ndatasets:\n  - name: d\n    path: d\n' >"$T/esc/m.yaml"
expect_fail 3 'a\\x1bb: file name contains a control character' "a file name with an escape character is refused" \
	"$OSPACK" build "$T/esc/m.yaml" -o "$T/esc/o.tar"

# --- help ---
"$OSPACK" build --help >"$T/out"
ok $? "build --help exits 0"
grep -q 'usage: ospack build MANIFEST' "$T/out" && grep -q -- '--require LEVEL' "$T/out"
ok $? "build --help shows the usage and the options"

done_testing
