# SPDX-License-Identifier: Apache-2.0
# Tests of tests/bagit_check.py itself on BagIt 1.0 bags built here with coreutils, one rule each.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

CHECK=$top_srcdir/tests/bagit_check.py
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"

# manifest ALG DIR: prints the payload manifest of DIR's data/ for ALG (sha256 or sha512),
# with the paths as BagIt 1.0 writes them: '%', CR and LF percent-encoded.
manifest() {
	(cd "$2" && find data -type f -exec sh -c '
		alg=$1
		shift
		for f; do
			sum=$("${alg}sum" <"$f" | cut -d" " -f1)
			name=$(printf "%s" "$f" | awk "BEGIN { RS = \"\\001\" } {
				gsub(/%/, \"%25\"); gsub(/\\r/, \"%0D\"); gsub(/\\n/, \"%0A\")
				printf \"%s\", \$0 }")
			printf "%s  %s\n" "$sum" "$name"
		done' sh "$1" {} +) | LC_ALL=C sort -k2
}

# retag DIR: rewrites the tag manifest over the tag files DIR has.
retag() {
	(cd "$1" && for f in bagit.txt bag-info.txt fetch.txt manifest-sha256.txt \
		manifest-sha512.txt; do
		[ -f "$f" ] && printf '%s  %s\n' "$(sha256sum <"$f" | cut -d" " -f1)" "$f"
	done >tagmanifest-sha256.txt)
}

# seal DIR: writes the manifests, bag-info.txt and the tag manifest for DIR's payload.
seal() {
	bytes=$(find "$1/data" -type f -exec cat {} + | wc -c)
	files=$(find "$1/data" -type f -exec printf x \; | wc -c)
	{
		printf 'Bagging-Date: 2026-01-01\nPayload-Oxum: %d.%d\n' "$bytes" "$files"
		printf 'External-Description: a bag\n  made by the tests\n'
	} >"$1/bag-info.txt"
	manifest sha256 "$1" >"$1/manifest-sha256.txt"
	manifest sha512 "$1" >"$1/manifest-sha512.txt"
	retag "$1"
}

# new_bag DIR: a valid BagIt 1.0 bag whose names need care: spaces, '%' and a line break.
new_bag() {
	rm -rf "$1"
	mkdir -p "$1/data/sub dir"
	printf 'hello\n' >"$1/data/hello.txt"
	printf 'spaces\n' >"$1/data/sub dir/a b.txt"
	printf 'percent\n' >"$1/data/50%25.txt"
	printf 'newline\n' >"$1/data/line
break.txt"
	printf 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n' >"$1/bagit.txt"
	seal "$1"
}

# edit FILE SED-SCRIPT: edits a file of bag $B in place.
edit() {
	sed "$2" "$B/$1" >"$T/edit" && mv "$T/edit" "$B/$1"
}

# prepend FILE BYTES: puts BYTES (a printf format) before the content of bag $B's FILE.
prepend() {
	# shellcheck disable=SC2059 # the format is the point
	{ printf "$2" && cat "$B/$1"; } >"$T/edit" && mv "$T/edit" "$B/$1"
}

# sum256 FILE: the SHA-256 of FILE in hex.
sum256() {
	sha256sum <"$1" | cut -d" " -f1
}

# expect STATUS TEXT DESCRIPTION [OPTION]: checks bag $B; TEXT (fixed) must be in the report.
expect() {
	want=$1 text=$2 desc=$3
	shift 3
	run python3 "$CHECK" "$@" "$B"
	if [ "$rc" -eq "$want" ] && { [ -z "$text" ] || grep -qF -e "$text" "$T/err"; }; then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		diag "exit $rc (want $want); report:" "$(cat "$T/err")" "want: $text"
	fi
}

B=$T/bag

new_bag "$B"
expect 0 "" "a bag with awkward names is valid" --strict
ok "$(grep -c . "$T/err")" "and draws no warning"
grep -qF 'data/50%2525.txt' "$B/manifest-sha256.txt" &&
	grep -qF 'data/line%0Abreak.txt' "$B/manifest-sha256.txt"
ok $? "the manifests percent-encode '%' and LF"

# The payload and its manifests.
printf 'changed\n' >"$B/data/hello.txt"
expect 1 "manifest-sha256.txt: the sha256 digest of 'data/hello.txt' does not match" \
	"a changed payload file"
new_bag "$B"
printf 'x' >"$B/data/extra"
expect 1 "payload file 'data/extra' is in no payload manifest" "an unlisted payload file"
new_bag "$B"
rm "$B/data/hello.txt"
expect 1 "manifest-sha256.txt lists 'data/hello.txt', which is missing" "a missing payload file"
new_bag "$B"
rm -r "$B/data"
expect 1 "the payload folder data/ is missing" "no data/ folder"
new_bag "$B"
rm "$B/manifest-sha256.txt" "$B/manifest-sha512.txt"
retag "$B"
expect 1 "no payload manifest" "no payload manifest"
new_bag "$B"
head -n 1 "$B/manifest-sha256.txt" >"$T/line" && cat "$T/line" >>"$B/manifest-sha256.txt"
retag "$B"
expect 1 "is listed twice" "BagIt 1.0: an entry listed twice, even with the same digest"
new_bag "$B"
edit manifest-sha256.txt 's|data/50%2525.txt|data/50%25.txt|'
retag "$B"
expect 1 "lists 'data/50%.txt', which is missing" "BagIt 1.0: '%' must be percent-encoded"
new_bag "$B"
edit manifest-sha512.txt '/hello/d'
retag "$B"
expect 1 "'data/hello.txt' is not in manifest-sha512.txt" \
	"BagIt 1.0: every manifest lists every file"
new_bag "$B"
printf '%s  data/../bagit.txt\n' "$(sum256 "$B/bagit.txt")" >>"$B/manifest-sha256.txt"
retag "$B"
expect 1 "'data/../bagit.txt' points outside the bag" "an entry that climbs out with '..'"
new_bag "$B"
awk '{ print toupper(substr($0, 1, 64)) substr($0, 65) }' "$B/manifest-sha256.txt" >"$T/edit"
mv "$T/edit" "$B/manifest-sha256.txt"
retag "$B"
expect 0 "" "upper-case hex digests are allowed" --strict
new_bag "$B"
edit manifest-sha256.txt 's/^\([0-9a-f]*\)[0-9a-f][0-9a-f]  /\1  /'
retag "$B"
expect 1 "is not a sha256 digest" "a digest of the wrong length"
new_bag "$B"
cp "$B/manifest-sha256.txt" "$B/manifest-foo.txt"
expect 1 "manifest-foo.txt: unsupported checksum algorithm foo" "an unknown algorithm"
new_bag "$B"
cp "$B/manifest-sha256.txt" "$B/manifest-SHA256.txt"
expect 1 "manifest-SHA256.txt: the algorithm name is not normalized" \
	"manifest names are case-sensitive"
new_bag "$B"
prepend manifest-sha256.txt '\357\273\277'
retag "$B"
expect 1 "manifest-sha256.txt starts with a byte-order mark" "BagIt 1.0: a BOM in a UTF-8 tag file"
new_bag "$B"
printf '%s' "$(cat "$B/manifest-sha256.txt")" >"$T/edit" && mv "$T/edit" "$B/manifest-sha256.txt"
retag "$B"
expect 1 "manifest-sha256.txt: the last line has no line ending" \
	"BagIt 1.0: an unterminated last line"

# bagit.txt
new_bag "$B"
printf 'BagIt-Version: 1.0\r\nTag-File-Character-Encoding: UTF-8\r\n' >"$B/bagit.txt"
retag "$B"
expect 0 "" "bagit.txt with CRLF line endings" --strict
prepend bagit.txt '\357\273\277'
retag "$B"
expect 1 "bagit.txt starts with a byte-order mark" "bagit.txt with a BOM"
new_bag "$B"
printf 'Extra: line\n' >>"$B/bagit.txt"
retag "$B"
expect 1 "bagit.txt must have exactly two lines, it has 3" "bagit.txt with a third line"
new_bag "$B"
edit bagit.txt 's/BagIt-Version/bagit-version/'
retag "$B"
expect 1 "first line must be 'BagIt-Version: M.N'" "bagit.txt labels are case-sensitive"
new_bag "$B"
edit bagit.txt 's/UTF-8/KLINGON-8/'
retag "$B"
expect 1 "unknown character encoding 'KLINGON-8'" "an unknown tag file encoding"

# bag-info.txt
new_bag "$B"
edit bag-info.txt 's/^Payload-Oxum: .*/Payload-Oxum: 1.1/'
retag "$B"
expect 1 "Payload-Oxum says 1.1 but the payload holds" "a wrong Payload-Oxum"
new_bag "$B"
grep Payload-Oxum "$B/bag-info.txt" >"$T/line" && cat "$T/line" >>"$B/bag-info.txt"
retag "$B"
expect 1 "Payload-Oxum appears 2 times" "Payload-Oxum given twice"
new_bag "$B"
printf 'Contact-Name : Ada\n' >>"$B/bag-info.txt"
retag "$B"
expect 1 "bag-info.txt:5: not 'Label: value'" "BagIt 1.0: a space before the colon"
new_bag "$B"
prepend bag-info.txt '  no label\n'
retag "$B"
expect 1 "a continuation line with nothing to continue" "a continuation line first"

# Tag manifests.
new_bag "$B"
printf 'tampered\n' >>"$B/bag-info.txt"
expect 1 "tagmanifest-sha256.txt: the sha256 digest of 'bag-info.txt' does not match" \
	"a changed tag file"
new_bag "$B"
edit tagmanifest-sha256.txt '/manifest-sha512.txt/d'
expect 1 "tagmanifest-sha256.txt does not list manifest-sha512.txt" \
	"BagIt 1.0: a tag manifest lists every payload manifest"
new_bag "$B"
grep hello "$B/manifest-sha256.txt" >>"$B/tagmanifest-sha256.txt"
expect 1 "a tag manifest lists the payload file 'data/hello.txt'" \
	"a tag manifest listing a payload file"
new_bag "$B"
printf '%s  meta/missing.txt\n' "$(sum256 /dev/null)" >>"$B/tagmanifest-sha256.txt"
expect 1 "lists 'meta/missing.txt', which is missing" "a tag manifest listing a missing tag file"
new_bag "$B"
mkdir "$B/meta" && printf 'x\n' >"$B/meta/notes.txt"
printf '%s  meta/notes.txt\n' "$(sum256 "$B/meta/notes.txt")" >>"$B/tagmanifest-sha256.txt"
expect 0 "" "a tag file in a tag folder" --strict

# fetch.txt
new_bag "$B"
rm "$B/data/hello.txt"
printf 'https://example.org/hello.txt 6 data/hello.txt\n' >"$B/fetch.txt"
retag "$B"
expect 0 "'data/hello.txt' is not here yet (fetch.txt lists it)" "a file still to fetch"
printf 'https://example.org/x - data/not-listed.txt\n' >>"$B/fetch.txt"
retag "$B"
expect 1 "fetch.txt lists 'data/not-listed.txt', which manifest-sha256.txt does not" \
	"fetch.txt names a file no manifest lists"
printf 'example.org/x - data/hello.txt\n' >"$B/fetch.txt"
retag "$B"
expect 1 "'example.org/x' is not an absolute URL" "fetch.txt with a relative URL"

# Names and file types.
new_bag "$B"
ln -s hello.txt "$B/data/link.txt"
expect 1 "'data/link.txt' is a symbolic link" "a symbolic link in the payload"
new_bag "$B"
printf 'HELLO\n' >"$B/data/HELLO.txt"
seal "$B"
expect 0 "differ only in case or Unicode normalization" "payload names that differ only in case"
new_bag "$B"
edit manifest-sha256.txt 's|  data/hello.txt|  ./data/hello.txt|'
retag "$B"
expect 0 "'./data/hello.txt' starts with './'" "a './' path warns"
expect 1 "'./data/hello.txt' starts with './'" "and fails under --strict" --strict

run python3 "$CHECK"
[ "$rc" -eq 2 ] && grep -q usage "$T/err"
ok $? "no argument: usage, exit 2"
run python3 "$CHECK" "$T/nowhere"
[ "$rc" -eq 1 ] && grep -qF "is not a folder" "$T/err"
ok $? "a missing folder is invalid"
done_testing
