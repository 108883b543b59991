#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ospack verify on plain BagIt bags (no ospack/): every bag of the Library of Congress
# conformance suite, as a folder and packed as tar, tar.gz and tar.zst, then small bags made
# here for each way verify rejects a plain bag (exit status and message).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

SUITE=$SHARED/conformance/bagit-conformance-suite
NOTICE="unsigned: a plain BagIt bag holds no ospack statement"
# Archives are unpacked in TMPDIR: a private one, to see that nothing is left there.
mkdir "$T/tmp" && TMPDIR=$T/tmp && export TMPDIR

# ======== hand-made bags ========

# mkbag DIR [VERSION]: a valid bag with two payload files, sha256 manifests, bag-info.txt.
mkbag() {
	mkdir -p "$1/data/sub"
	printf 'hello\n' >"$1/data/a.txt"
	printf 'world!\n' >"$1/data/sub/b.txt"
	printf 'BagIt-Version: %s\nTag-File-Character-Encoding: UTF-8\n' "${2:-1.0}" >"$1/bagit.txt"
	printf 'Payload-Oxum: 13.2\nBagging-Date: 2026-01-01\n' >"$1/bag-info.txt"
	(cd "$1" && sha256sum data/a.txt data/sub/b.txt >manifest-sha256.txt &&
		sha256sum bagit.txt bag-info.txt manifest-sha256.txt >tagmanifest-sha256.txt)
}
# retag DIR: the tag manifest made again after a tag file changed.
retag() { (cd "$1" && sha256sum bagit.txt bag-info.txt manifest-sha256.txt >tagmanifest-sha256.txt); }

# bad DESC MESSAGE DIR [ARG]...: verify DIR exits 1 and says MESSAGE (a fixed string).
bad() {
	desc=$1 msg=$2 dir=$3
	shift 3
	run "$OSPACK" verify "$dir" "$@"
	if [ "$rc" -eq 1 ] && grep -qF -e "$msg" "$T/err"; then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		diag "exit $rc (want 1); stderr:" "$(cat "$T/err")" "want: $msg"
	fi
}
# good DESC WARNING DIR: verify DIR exits 0, says it is unsigned, and warns WARNING (or "").
good() {
	desc=$1 msg=$2 dir=$3
	run "$OSPACK" verify "$dir"
	if [ "$rc" -eq 0 ] && grep -qF "$NOTICE" "$T/out" &&
		{ [ -z "$msg" ] || grep -qF -e "warning: $msg" "$T/err"; }; then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		diag "exit $rc (want 0); stdout:" "$(cat "$T/out")" "stderr:" "$(cat "$T/err")" "want: $msg"
	fi
}
n=0
# case: a fresh copy of the valid bag in $B.
fresh() {
	n=$((n + 1))
	B=$T/h$n
	mkbag "$B" "${1:-1.0}"
}

fresh
good "a hand-made valid bag" "" "$B"
grep -qF "valid BagIt bag h$n (BagIt 1.0; 2 files, 13 bytes)" "$T/out"
ok $? "the output names the bag, its version, files and bytes"
run "$OSPACK" verify "$B" --json
printf '%s' "$(cat "$T/out")" | grep -q '"kind":"bagit".*"ok":true' && grep -q '"warnings":\[\]' "$T/out"
ok $? "--json gives kind bagit, ok true and an empty warnings list"
bad "a plain bag with -k: a signature was required" "a plain BagIt bag, valid but not signed" \
	"$B" -k "$top_srcdir/tests/fuzz/testkey.pub"
run "$OSPACK" verify -j 1 "$B"
ok $rc "-j 1 verifies the bag too"

fresh
printf 'hallo\n' >"$B/data/a.txt"
bad "a payload file changed" "manifest-sha256.txt: the sha256 digest of 'data/a.txt' does not match" "$B"
run "$OSPACK" verify "$B" --json
grep -q '"ok":false' "$T/out" && grep -qF "the sha256 digest of 'data/a.txt' does not match" "$T/out"
ok $? "--json on a rejected bag: ok false and the error"

fresh
printf 'BagIt-Version: 1.0\nTag-File-Character-Encoding:UTF-8\n' >"$B/bagit.txt"
bad "a malformed encoding line" "bagit.txt: second line must be 'Tag-File-Character-Encoding: ENCODING'" "$B"
fresh
printf 'BagIt-Version: 1.0\nTag-File-Character-Encoding: NO-SUCH-CODE\n' >"$B/bagit.txt"
bad "an unknown encoding" "bagit.txt: unknown character encoding 'NO-SUCH-CODE'" "$B"
fresh
printf 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8' >"$B/bagit.txt"
bad "1.0: bagit.txt without a final line ending" "bagit.txt: the last line has no line ending" "$B"
fresh
mv "$B/data" "$B/payload"
bad "no data/ folder" "the payload folder data/ is missing (or not a folder)" "$B"
fresh
rm "$B/manifest-sha256.txt"
bad "no payload manifest" "no payload manifest (manifest-ALGORITHM.txt)" "$B"
fresh
mv "$B/manifest-sha256.txt" "$B/Manifest-sha256.txt"
bad "a manifest name in upper case" "Manifest-sha256.txt: manifest names are lower case" "$B"
fresh
mv "$B/manifest-sha256.txt" "$B/manifest-SHA256.txt"
bad "an algorithm name not normalized" "manifest-SHA256.txt: the algorithm name is not normalized" "$B"
fresh
printf '00000000 data/a.txt\n' >"$B/manifest-crc32.txt"
bad "an unsupported algorithm" "manifest-crc32.txt: unsupported checksum algorithm crc32" "$B"
fresh
printf 'not a manifest line\n' >>"$B/manifest-sha256.txt"
bad "a malformed manifest line" "manifest-sha256.txt: malformed line 'not a manifest line'" "$B"
fresh
printf 'abcd data/c.txt\n' >>"$B/manifest-sha256.txt"
bad "a digest of the wrong length" "manifest-sha256.txt: 'abcd' is not a sha256 digest" "$B"
fresh
sed -i 's|data/sub/b.txt|data//sub/b.txt|' "$B/manifest-sha256.txt"
bad "an empty path component" "manifest-sha256.txt: 'data//sub/b.txt' is not a clean relative path" "$B"
fresh
sed -i 's|data/sub/b.txt|data/sub/../../bagit.txt|' "$B/manifest-sha256.txt"
bad "a '..' in a manifest" "manifest-sha256.txt: 'data/sub/../../bagit.txt' points outside the bag" "$B"
fresh
sed -i 's|data/sub/b.txt|bag-info.txt|' "$B/manifest-sha256.txt"
bad "a payload manifest listing a tag file" "manifest-sha256.txt: 'bag-info.txt' is outside the payload folder data/" "$B"
fresh
sed 's|bag-info.txt|data/a.txt|' "$B/tagmanifest-sha256.txt" >"$B/t" && mv "$B/t" "$B/tagmanifest-sha256.txt"
bad "a tag manifest listing a payload file" "tagmanifest-sha256.txt: a tag manifest lists the payload file 'data/a.txt'" "$B"
fresh
printf '\n' >>"$B/manifest-sha256.txt"
bad "1.0: a blank line in a manifest" "manifest-sha256.txt: blank line" "$B"
fresh 0.97
printf '\n' >>"$B/manifest-sha256.txt" && retag "$B"
good "0.97: a blank line in a manifest is tolerated, with a warning" "manifest-sha256.txt: blank line (tolerated before BagIt 1.0)" "$B"
fresh
printf 'x\377y\n' >>"$B/bag-info.txt" && retag "$B"
bad "a tag file that is not UTF-8" "bag-info.txt: line 3 is not valid UTF-8" "$B"
fresh
printf 'https://example.org/c.txt 4\n' >"$B/fetch.txt"
bad "fetch.txt: a malformed line" "fetch.txt: malformed line 'https://example.org/c.txt 4'" "$B"
fresh
printf 'example.org/c.txt 4 data/c.txt\n' >"$B/fetch.txt"
bad "fetch.txt: not an absolute URL" "fetch.txt: 'example.org/c.txt' is not an absolute URL" "$B"
fresh
printf 'https://example.org/c.txt four data/c.txt\n' >"$B/fetch.txt"
bad "fetch.txt: not a length" "fetch.txt: 'four' is not a length or '-'" "$B"
fresh
printf 'https://example.org/c.txt 4 data/c.txt\n' >"$B/fetch.txt"
bad "fetch.txt: a file no manifest lists" "fetch.txt lists 'data/c.txt', which manifest-sha256.txt does not" "$B"

# fetch.txt: a listed file may be absent (a warning), and when present it must match.
fresh
printf 'https://example.org/c.txt 4 data/c.txt\n' >"$B/fetch.txt"
printf '%s  data/c.txt\n' "$(printf 'abc\n' | sha256sum | cut -d' ' -f1)" >>"$B/manifest-sha256.txt"
printf 'Payload-Oxum: 17.3\n' >"$B/bag-info.txt" && retag "$B"
good "fetch.txt: a listed file not here yet" "manifest-sha256.txt: 'data/c.txt' is not here yet (fetch.txt lists it)" "$B"
grep -qF "Payload-Oxum not checked: files listed in fetch.txt are not here yet" "$T/err"
ok $? "and Payload-Oxum is not checked while files are missing, with a warning"
printf 'abc\n' >"$B/data/c.txt"
good "fetch.txt: the listed file fetched" "" "$B"
printf 'abd\n' >"$B/data/c.txt"
bad "fetch.txt: a fetched file that does not match" "the sha256 digest of 'data/c.txt' does not match" "$B"

# Files of 256 KiB and more go to the worker threads: a change there is found too.
fresh
head -c 400000 /dev/zero >"$B/data/big.bin" && (cd "$B" && sha256sum data/big.bin >>manifest-sha256.txt)
printf 'Payload-Oxum: 400013.3\n' >"$B/bag-info.txt" && retag "$B"
good "a large file, hashed by a worker" "" "$B"
printf 'x' | dd of="$B/data/big.bin" bs=1 seek=300000 conv=notrunc 2>/dev/null
bad "a large file changed, found by a worker (-j 2)" \
	"manifest-sha256.txt: the sha256 digest of 'data/big.bin' does not match" "$B" -j 2

fresh
(cd "$B" && md5sum data/a.txt >manifest-md5.txt)
bad "1.0: a file missing from one of two manifests" "payload file 'data/sub/b.txt' is not in manifest-md5.txt" "$B"
fresh
printf 'extra\n' >"$B/data/extra.txt"
bad "a payload file in no manifest" "payload file 'data/extra.txt' is in no payload manifest" "$B"
fresh
ln -s a.txt "$B/data/link.txt"
bad "a symbolic link in the payload" "'data/link.txt' is a symbolic link (not followed)" "$B"
fresh
rm "$B/data/a.txt"
bad "a listed payload file missing" "manifest-sha256.txt lists 'data/a.txt', which is missing" "$B"
fresh
rm "$B/data/sub/b.txt"
printf '%s  data/sub\n' "$(printf 'x' | sha256sum | cut -d' ' -f1)" >>"$B/manifest-sha256.txt"
sed -i '/b.txt/d' "$B/manifest-sha256.txt"
bad "a manifest listing a folder" "manifest-sha256.txt: 'data/sub' is a folder; manifests list files" "$B"
fresh
printf '%s  tagmanifest-sha256.txt\n' "$(printf 'x' | sha256sum | cut -d' ' -f1)" >>"$B/tagmanifest-sha256.txt"
bad "a tag manifest listing itself" "tagmanifest-sha256.txt lists itself" "$B"
fresh
rm "$B/bag-info.txt"
bad "a tag file missing" "tagmanifest-sha256.txt lists 'bag-info.txt', which is missing" "$B"
fresh
printf 'Payload-Oxum: 13.2\nContact-Name: someone else\n' >"$B/bag-info.txt"
bad "a tag file changed" "tagmanifest-sha256.txt: the sha256 digest of 'bag-info.txt' does not match" "$B"
fresh
printf '  continued\nPayload-Oxum: 13.2\n' >"$B/bag-info.txt" && retag "$B"
bad "bag-info.txt: a continuation line first" "bag-info.txt:1: a continuation line with nothing to continue" "$B"
fresh
printf 'Payload-Oxum 13.2\n' >"$B/bag-info.txt" && retag "$B"
bad "bag-info.txt: no colon" "bag-info.txt:1: not 'Label: value': 'Payload-Oxum 13.2'" "$B"
fresh
printf 'Payload-Oxum: 13.2\nPayload-Oxum: 13.2\n' >"$B/bag-info.txt" && retag "$B"
bad "bag-info.txt: Payload-Oxum twice" "bag-info.txt: Payload-Oxum appears 2 times" "$B"
fresh
printf 'Payload-Oxum: 13\n' >"$B/bag-info.txt" && retag "$B"
bad "bag-info.txt: a malformed Payload-Oxum" "bag-info.txt: Payload-Oxum '13' is not OCTETS.STREAMS" "$B"
fresh
printf 'Payload-Oxum: 14.2\n' >"$B/bag-info.txt" && retag "$B"
bad "Payload-Oxum that does not match the payload" "bag-info.txt: Payload-Oxum says 14.2 but the payload holds 13 bytes in 2 files" "$B"

# Warnings: what RFC 8493 says should be and is not.
fresh
rm "$B/tagmanifest-sha256.txt"
good "no tag manifest: a warning" "no tag manifest (tagmanifest-ALGORITHM.txt)" "$B"
run "$OSPACK" verify -q "$B"
[ "$rc" -eq 0 ] && [ ! -s "$T/out" ] && [ ! -s "$T/err" ]
ok $? "-q: a bag with warnings verifies and prints nothing"
fresh
printf 'Bagging-Date: 2026-01-01\n' >"$B/bag-info.txt" && retag "$B"
good "no Payload-Oxum: a warning" "bag-info.txt gives no Payload-Oxum" "$B"
fresh
(cd "$B" && rm manifest-sha256.txt && md5sum data/a.txt data/sub/b.txt >manifest-md5.txt && rm tagmanifest-sha256.txt)
good "md5 manifests only: a warning" "the payload manifests use only md5" "$B"
fresh
: >"$B/data/.DS_Store" && (cd "$B" && sha256sum data/.DS_Store >>manifest-sha256.txt)
printf 'Payload-Oxum: 13.3\n' >"$B/bag-info.txt" && retag "$B"
good "a system file in the payload: a warning" "'data/.DS_Store' is a file the operating system made" "$B"

fresh
printf 'hello\n' >"$B/data/A.txt" && (cd "$B" && sha256sum data/A.txt >>manifest-sha256.txt)
printf 'Payload-Oxum: 19.3\n' >"$B/bag-info.txt" && retag "$B"
good "two payload files whose names differ only in case: a warning" \
	"payload files 'data/A.txt' and 'data/a.txt' differ only in case" "$B"
fresh
printf 'x\n' >"$B/data/$(printf 'caf\303\251')" && printf 'x\n' >"$B/data/$(printf 'cafe\314\201')"
(cd "$B" && sha256sum data/caf* >>manifest-sha256.txt)
printf 'Payload-Oxum: 17.4\n' >"$B/bag-info.txt" && retag "$B"
good "two payload files whose names differ only in normalization: a warning" \
	"payload files 'data/caf" "$B"

# Line endings and names.
fresh
for f in manifest-sha256.txt bag-info.txt bagit.txt; do sed -i 's/$/\r/' "$B/$f"; done
retag "$B"
good "CRLF line endings" "" "$B"
fresh
for f in manifest-sha256.txt bag-info.txt bagit.txt; do tr '\n' '\r' <"$B/$f" >"$B/t" && mv "$B/t" "$B/$f"; done
retag "$B"
good "CR line endings" "" "$B"
fresh
printf 'percent\n' >"$B/data/100%.txt" && printf 'line\n' >"$B/data/a
b.txt"
printf '%s  data/100%%25.txt\n%s  data/a%%0Ab.txt\n' "$(sha256sum <"$B/data/100%.txt" | cut -d' ' -f1)" \
	"$(printf 'line\n' | sha256sum | cut -d' ' -f1)" >>"$B/manifest-sha256.txt"
printf 'Payload-Oxum: 26.4\n' >"$B/bag-info.txt" && retag "$B"
good "1.0: percent-encoded names (%25, %0A) in a manifest" "" "$B"

# ======== archives: a foreign tar is held to safe entries, not to ospack's headers ========

fresh
(cd "$T" && tar -cf "$T/h.tar" "h$n" && tar -czf "$T/h.tar.gz" "h$n")
good "a bag as a tar made by GNU tar" "" "$T/h.tar"
good "a bag as a tar.gz" "" "$T/h.tar.gz"
"$OSPACK" verify - <"$T/h.tar.gz" >"$T/out" 2>"$T/err"
ok $? "a tar.gz bag through a pipe"
cp -r "$B" "$T/two" && (cd "$T" && tar -cf "$T/two.tar" "h$n" two)
bad "a tar holding two top folders" "not a bag: no bagit.txt at the archive's top, and not one top folder" "$T/two.tar"
python3 - "$T" "$B" "h$n" <<'EOF' || ok 1 "make hostile tars"
import io, os, sys, tarfile
t, bag, top = sys.argv[1:4]
def make(name, extra):
    with tarfile.open(os.path.join(t, name), "w", format=tarfile.GNU_FORMAT) as tf:
        tf.add(bag, arcname=top)
        for info, data in extra:
            tf.addfile(info, io.BytesIO(data) if data is not None else None)
def reg(path, data=b"x\n"):
    i = tarfile.TarInfo(path); i.size = len(data); return (i, data)
def special(path, kind, target=""):
    i = tarfile.TarInfo(path); i.type = kind; i.linkname = target; return (i, None)
make("abs.tar", [reg("/tmp/evil")])
make("dotdot.tar", [reg(top + "/data/../../evil")])
make("sym.tar", [special(top + "/data/link", tarfile.SYMTYPE, "../bagit.txt")])
make("hard.tar", [special(top + "/data/hard", tarfile.LNKTYPE, top + "/data/a.txt")])
make("dup.tar", [reg(top + "/data/a.txt", b"hello\n")])
make("fifo.tar", [special(top + "/data/fifo", tarfile.FIFOTYPE)])
os.makedirs(os.path.join(t, "osp", top, "ospack"))
EOF
bad "a foreign tar: an absolute name" "/tmp/evil: absolute path" "$T/abs.tar"
bad "a foreign tar: a '..' component" "h$n/data/../../evil: path with a '..' component" "$T/dotdot.tar"
bad "a foreign tar: a symbolic link" "h$n/data/link: a symbolic link" "$T/sym.tar"
bad "a foreign tar: a hard link" "h$n/data/hard: a hard link" "$T/hard.tar"
bad "a foreign tar: a file twice" "h$n/data/a.txt: appears twice in the archive" "$T/dup.tar"
bad "a foreign tar: a FIFO" "h$n/data/fifo: a FIFO" "$T/fifo.tar"
cp -r "$B/." "$T/osp/h$n/" && (cd "$T/osp" && tar -cf "$T/osp.tar" "h$n")
bad "a foreign tar holding ospack/" "h$n/ospack/: an ospack bundle, but not the uncompressed tar ospack writes" "$T/osp.tar"
[ -z "$(ls -A "$TMPDIR")" ]
ok $? "no unpacked bag is left in the temporary folder"

# ======== the Library of Congress conformance suite ========

if [ ! -d "$SUITE" ]; then
	need_skip "the BagIt conformance suite" "it is not at $SUITE"
	done_testing
	exit
fi
if ! command -v zstd >/dev/null 2>&1; then
	need_skip "the BagIt conformance suite" "zstd is not installed"
	done_testing
	exit
fi

# expected_message CASE: what verify must say of it (the reason its folder names).
expected_message() {
	case $1 in
	v0.97/invalid/baginfo-missing-encoding) echo "bagit.txt must have exactly two lines" ;;
	v0.97/invalid/bom-in-bagit.txt) echo "bagit.txt starts with a byte-order mark" ;;
	v0.97/invalid/corrupt-data-file) echo "the md5 digest of 'data/bare-filename' does not match" ;;
	v0.97/invalid/corrupt-tag-file) echo "the md5 digest of 'bag-info.txt' does not match" ;;
	v0.97/invalid/extra-file-in-bag) echo "payload file 'data/bar' is in no payload manifest" ;;
	v0.97/invalid/invalid-version-number) echo "not 'BagIt-Version: .97'" ;;
	v0.97/invalid/missing-baginfo) echo "lists 'bag-info.txt', which is missing" ;;
	v0.97/invalid/missing-bagit.txt) echo "bagit.txt is missing" ;;
	v0.97/invalid/out-of-scope-file-paths-using-dot-notation)
		echo "manifest-md5.txt: '../../../README.md' points outside the bag" ;;
	v0.97/invalid/out-of-scope-file-paths-using-dot-notation-for-fetch)
		echo "fetch.txt: '../../../README.md' points outside the bag" ;;
	v0.97/invalid/same-filename-listed-twice-with-different-hashes)
		echo "'data/README' is listed twice with different digests" ;;
	v0.97/linux-only/out-of-scope-file-paths-using-absolute-path)
		echo "manifest-md5.txt: '/tmp/foo' points outside the bag" ;;
	v0.97/linux-only/out-of-scope-file-paths-using-absolute-path-for-fetch)
		echo "fetch.txt: '/tmp/test.txt' points outside the bag" ;;
	v0.97/linux-only/out-of-scope-file-paths-using-shortcut)
		echo "manifest-md5.txt: '~/foo' points outside the bag" ;;
	v0.97/linux-only/out-of-scope-file-paths-using-shortcut-for-fetch)
		echo "fetch.txt: '~/test.txt' points outside the bag" ;;
	v0.97/linux-only/out-of-scope-file-paths-using-shortcut-username)
		echo "manifest-md5.txt: '~root/foo' points outside the bag" ;;
	v0.97/linux-only/out-of-scope-file-paths-using-shortcut-username-for-fetch)
		echo "fetch.txt: '~root/foo' points outside the bag" ;;
	v0.97/warning/duplicate-file-with-different-case)
		echo "'data/HELLO.txt' and 'data/hello.txt' differ only in case" ;;
	v0.97/warning/made-with-md5sum-tools) echo "'*data/hello.txt' carries md5sum's binary-mode" ;;
	v0.97/warning/relative-path) echo "'./data/hello.txt' starts with './'" ;;
	v0.97/warning/same-filename-listed-twice-with-different-normalization)
		echo "the names differ in Unicode normalization" ;;
	v0.97/warning/same-filename-listed-twice-with-the-same-hash)
		echo "'data/README' is listed twice (tolerated before BagIt 1.0)" ;;
	# This copy lacks data/.DS_Store (DESIGN.md says so), which its manifest lists: it fails
	# for that; the warning for its Thumbs.db is still given (checked below).
	v0.97/warning/special-system-files) echo "lists 'data/.DS_Store', which is missing" ;;
	v1.0/invalid/bagit-with-invalid-whitespace) echo "not 'BagIt-Version : 1.0'" ;;
	v1.0/invalid/notAllManifestsListAllFiles)
		echo "'data/missingFromManifest.txt' is in no payload manifest" ;;
	# Its bagit.txt also ends the version with a space, which is found first.
	v1.0/invalid/same-filename-listed-twice-with-different-hashes) echo "not 'BagIt-Version: 1.0 '" ;;
	v1.0/invalid/same-filename-listed-twice-with-the-same-hash)
		echo "manifest-sha256.txt: 'data/README' is listed twice" ;;
	esac
}

# check FORM INPUT ID KIND: one case in one form.
check() {
	form=$1 input=$2 id=$3 kind=$4
	msg=$(expected_message "$id")
	run "$OSPACK" verify "$input"
	good=0
	case $kind in
	valid) [ "$rc" -eq 0 ] && grep -qF "$NOTICE" "$T/out" || good=1 ;;
	warning)
		if [ "$id" = v0.97/warning/special-system-files ]; then
			[ "$rc" -eq 1 ] && grep -qF -e "$msg" "$T/err" &&
				grep -qF "warning: 'data/Thumbs.db' is a file the operating system made" "$T/err" || good=1
		else
			[ "$rc" -eq 0 ] && grep -qF "$NOTICE" "$T/out" && grep -qF -e "warning: " "$T/err" &&
				grep -qF -e "$msg" "$T/err" || good=1
		fi
		;;
	*) [ "$rc" -eq 1 ] && grep -qF -e "$msg" "$T/err" || good=1 ;;
	esac
	[ "$kind" = valid ] || [ -n "$msg" ] || good=1
	ok $good "$id ($form)${msg:+: $msg}"
	[ $good -eq 0 ] || diag "exit $rc; stdout:" "$(cat "$T/out")" "stderr:" "$(cat "$T/err")"
}

cases=0
mkdir "$T/packed"
for bag in "$SUITE"/v*/*/*/; do
	id=${bag#"$SUITE"/}
	id=${id%/}
	kind=$(basename "$(dirname "$bag")")
	name=$(basename "$bag")
	case $kind in
	windows-only)
		skip "$id" "a Windows-only case"
		continue
		;;
	esac
	cases=$((cases + 1))
	check folder "$bag" "$id" "$kind"
	p=$T/packed/$cases
	(cd "$(dirname "$bag")" && tar -cf "$p.tar" "$name") && gzip -c "$p.tar" >"$p.tar.gz" &&
		zstd -q -c "$p.tar" >"$p.tar.zst"
	for form in tar tar.gz tar.zst; do
		check "$form" "$p.$form" "$id" "$kind"
	done
done
[ "$cases" -ge 50 ]
ok $? "the suite holds the cases ($cases found)"
done_testing
