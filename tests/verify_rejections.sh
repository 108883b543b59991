#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every way ospack verify refuses a bundle that no other test names: each case crafts the
# input, runs verify, and checks exit 1 and the message.
. "${top_srcdir:-.}/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"

EX=$top_srcdir/manifests/example/manifest.yaml
BAG=tiny-stories-15m-1.0.0
M=data/checkpoints/final/model.safetensors
ENV=ospack/statement.dsse.json

# fixture DESC CMD...: a step that makes a fixture; if it fails, the test fails here and now.
fixture() {
	fdesc=$1
	shift
	if "$@" 2>"$T/fixture.err"; then
		return 0
	fi
	ok 1 "fixture: $fdesc"
	diag "$(cat "$T/fixture.err")"
	done_testing
	exit 1
}

# rej DESC PATTERN SRC OP ARG...: a copy of SRC tampered with OP (tests/tamper.py) is refused:
# verify exits 1 and says "ospack: FILE: PATTERN". The copies are made all at once, by one
# Python process, at the end (run_rej).
mkdir "$T/jobs"
n=0
rej() {
	n=$((n + 1))
	printf '%s\n' "$1" >"$T/jobs/$n.desc"
	printf '%s\n' "$2" >"$T/jobs/$n.pat"
	src=$3
	shift 3
	printf '%s\0' "$src" "$T/$n.tar" "$@" >"$T/jobs/$n.job"
}
run_rej() {
	python3 "$top_srcdir/tests/tamper.py" --jobs "$T/jobs"
	ok $? "make every tampered copy"
	i=1
	while [ -f "$T/jobs/$i.job" ]; do
		desc=$(cat "$T/jobs/$i.desc") pat=$(cat "$T/jobs/$i.pat")
		if [ -f "$T/jobs/$i.err" ] || [ ! -f "$T/$i.tar" ]; then
			ok 1 "$desc"
			diag "the tampered copy could not be made:" "$(cat "$T/jobs/$i.err" 2>/dev/null)"
		else
			expect_fail 1 "^ospack: $T/$i.tar: $pat" "$desc" "$OSPACK" verify "$T/$i.tar"
		fi
		i=$((i + 1))
	done
}

# rejk DESC PATTERN FILE [ARG]...: verify FILE [ARG]... exits 1 saying "ospack: FILE: PATTERN".
rejk() {
	desc=$1 pat=$2 f=$3
	shift 3
	expect_fail 1 "^ospack: $f: $pat" "$desc" "$OSPACK" verify "$f" "$@"
}

fixture "build the example" "$OSPACK" build "$EX" -q -o "$T/u.tar"
fixture "build the example with --hash sha512" "$OSPACK" build "$EX" -q --hash sha512 -o "$T/u512.tar"
fixture "keygen" sh -c '"$1" keygen -o "$2" >/dev/null' - "$OSPACK" "$T/k"
fixture "build a signed example" "$OSPACK" build "$EX" -q -k "$T/k.key" -o "$T/s.tar"
# A release with two url entries (fetch.txt).
mkdir "$T/w" && printf 'card\n' >"$T/w/card.md" && printf 'weights\n' >"$T/w/w.bin"
cat >"$T/w/manifest.yaml" <<'YAML'
ospack: 1
name: urls
version: "1"
license: MIT
datasets:
  - name: remote
    url: https://example.org/remote.bin
    sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
    size: 4
  - name: other
    url: https://example.org/other.bin
    sha256: 60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752
    size: 5
checkpoints:
  - name: final
    path: w.bin
    final: true
docs:
  - name: card
    path: card.md
    type: model-card
YAML
fixture "build a release with url entries" "$OSPACK" build "$T/w/manifest.yaml" -q -o "$T/url.tar"
"$OSPACK" verify -q "$T/url.tar"
ok $? "the release with url entries verifies as built"
U=$T/u.tar
PAYLOAD=$(tar -tvf "$U" | awk '$6 ~ /\/data\// && $1 ~ /^-/ { s += $3 } END { print s }')

# ======== the envelope ========
rej "the envelope removed: not an ospack bundle" "$ENV: missing: this is not an ospack bundle$" \
	"$U" remove "$ENV"
rej "an envelope with an unknown key" "$ENV: not a DSSE envelope: " "$U" envelope 'env["extra"] = 1'
rej "an envelope without a payload" "$ENV: not a DSSE envelope: " "$U" envelope 'del env["payload"]'
rej "an envelope whose signatures are not a list" "$ENV: not a DSSE envelope: " \
	"$U" envelope 'env["signatures"] = {}'
rej "another payload type" "$ENV: payload type 'text/plain', not application/vnd.in-toto+json$" \
	"$U" envelope 'env["payloadType"] = "text/plain"'
rej "a payload that is not base64" "$ENV: the payload is not valid base64$" \
	"$U" envelope 'env["payload"] = "e30*"'
rej "a payload of a length not a multiple of 4" "$ENV: the payload is not valid base64$" \
	"$U" envelope 'env["payload"] = env["payload"][:-1]'
rej "a signature with an unknown key" "$ENV: malformed signature: " \
	"$U" envelope 'env["signatures"] = [{"keyid": "", "sig": "AAAA", "x": 1}]'
rej "a signature without sig" "$ENV: malformed signature: " \
	"$U" envelope 'env["signatures"] = [{"keyid": ""}]'
rej "a signature that is not base64" "$ENV: a signature is not valid base64$" \
	"$U" envelope 'env["signatures"] = [{"keyid": "", "sig": "!!!!"}]'
rej "a statement that is not JSON" "the statement: not valid JSON: " \
	"$U" envelope 'import base64; env["payload"] = base64.b64encode(b"{not json").decode()'

# ======== the statement ========
rej "a statement with an unknown key" "$ENV: not an in-toto statement: " "$U" statement 'st["x"] = 1'
rej "a statement without a subject" "$ENV: not an in-toto statement: " "$U" statement 'del st["subject"]'
rej "a statement whose subject is not a list" "$ENV: not an in-toto statement: " \
	"$U" statement 'st["subject"] = {}'
rej "another statement _type" \
	"$ENV: statement type https://in-toto.io/Statement/v0.1 with predicate https://ospack.dev/release/v2 is not ospack's$" \
	"$U" statement 'st["_type"] = "https://in-toto.io/Statement/v0.1"'
rej "a statement whose mtime is not the headers'" \
	"tiny-stories-15m-1.0.0/: the entries' mtime 315532800 is not the statement's 1$" "$U" statement 'st["predicate"]["mtime"] = 1'
rej "a statement without an mtime" "$ENV: the statement gives no mtime$" \
	"$U" statement 'del st["predicate"]["mtime"]'
rej "v1: a statement whose mtime is not the headers'" \
	"tiny-stories-15m-1.0.0/: the entries' mtime 1767225600 is not the statement's 1$" \
	"$top_srcdir/tests/data/v1-example.tar" statement 'st["predicate"]["mtime"] = 1'
rej "another predicateType" \
	"$ENV: statement type https://in-toto.io/Statement/v1 with predicate https://ospack.dev/release/v3 is not ospack's$" \
	"$U" statement 'st["predicateType"] = "https://ospack.dev/release/v3"'
rej "a predicate without hash" "$ENV: malformed release predicate: " "$U" statement 'del st["predicate"]["hash"]'
rej "a predicate with an unknown hash" "$ENV: malformed release predicate: " \
	"$U" statement 'st["predicate"]["hash"] = "md5"'
rej "format 3 under the v2 predicate type" "$ENV: format 3 under a v2 predicate type$" \
	"$U" statement 'st["predicate"]["ospack"] = 3'
rej "a component without files" "$ENV: malformed component$" \
	"$U" statement 'del st["predicate"]["components"][0]["files"]'
rej "a component with a negative byte count" "$ENV: malformed component$" \
	"$U" statement 'st["predicate"]["components"][0]["bytes"] = -1'
rej "a component name with a slash" "$ENV: a component's name is not a plain name$" \
	"$U" statement 'st["predicate"]["components"][0]["name"] = "a/b"'
rej "two components of one name" "$ENV: two components are data/datasets/tinystories$" \
	"$U" statement 'c = st["predicate"]["components"]; c[1]["name"] = c[0]["name"]'
rej "a component's file count off by one" \
	"data/datasets/tinystories: 2 files of [0-9]* bytes, the statement says 3 files of [0-9]* bytes$" \
	"$U" statement 'st["predicate"]["components"][0]["files"] += 1'
rej "a component's byte count off by one" \
	"data/datasets/tinystories: 2 files of [0-9]* bytes, the statement says 2 files of [0-9]* bytes$" \
	"$U" statement 'st["predicate"]["components"][0]["bytes"] += 1'
rej "a payload file in no component" "$M: in no component of the statement$" \
	"$U" statement '[c.update(name="gone") for c in st["predicate"]["components"] if c["name"] == "final"]'
rej "a subject with an unknown key" "$ENV: malformed subject: " "$U" statement 'st["subject"][0]["x"] = 1'
rej "a subject digest that is not hex" "$ENV: bag-info.txt: malformed digest$" \
	"$U" statement 'st["subject"][0]["digest"]["sha256"] = "x" * 64'
rej "a subject digest in upper case" "$ENV: bag-info.txt: malformed digest$" \
	"$U" statement 'd = st["subject"][0]["digest"]; d["sha256"] = d["sha256"].upper()'
rej "a subject listed twice" "$ENV: the statement lists bag-info.txt twice$" \
	"$U" statement 'st["subject"].append(dict(st["subject"][0]))'
rej "the envelope as a subject" "$ENV: listed in the statement but missing from the bundle$" \
	"$U" statement 'st["subject"].append({"name": "ospack/statement.dsse.json", "digest": st["subject"][0]["digest"]})'
rej "a required tag file removed with its subject" "bagit.txt: missing$" "$U" rmtag bagit.txt
rej "ospack/files.txt removed with its subject" "ospack/files.txt: missing$" "$U" rmtag ospack/files.txt
rej "manifest-sha512.txt removed with its subject (--hash sha512)" "manifest-sha512.txt: missing$" \
	"$T/u512.tar" rmtag manifest-sha512.txt
rej "a subject's SHA-512 that differs (--hash sha512)" "bagit.txt: digest mismatch$" \
	"$T/u512.tar" statement '[s["digest"].update(sha512="0" * 128) for s in st["subject"] if s["name"] == "bagit.txt"]'

# ======== the tag manifest: exactly the tag files ospack writes ========
rej "a tag manifest line that names no tag file" \
	"tagmanifest-sha256.txt: line 1: nosuch.txt is not a tag file of the bundle$" \
	"$U" rawedit tagmanifest-sha256.txt 't = t.replace("  bagit.txt", "  nosuch.txt")'
rej "a tag manifest line that names a payload file" \
	"tagmanifest-sha256.txt: line 1: $M is not a tag file of the bundle$" \
	"$U" rawedit tagmanifest-sha256.txt "t = t.replace('  bagit.txt', '  $M')"
rej "a tag manifest that lists itself" \
	"tagmanifest-sha256.txt: line 1: tagmanifest-sha256.txt is not a tag file of the bundle$" \
	"$U" rawedit tagmanifest-sha256.txt 't = t.replace("  bagit.txt", "  tagmanifest-sha256.txt")'
rej "a tag manifest that leaves out the envelope" \
	"tagmanifest-sha256.txt: lists 5 tag files, the bundle holds 6$" \
	"$U" rawedit tagmanifest-sha256.txt 't = "".join(l for l in t.splitlines(True) if "statement.dsse" not in l)'
rej "a tag manifest that leaves out the envelope and lists bagit.txt twice" \
	"tagmanifest-sha256.txt: line 6: bagit.txt is listed twice$" \
	"$U" rawedit tagmanifest-sha256.txt 'l = [x for x in t.splitlines(True) if "statement.dsse" not in x]; t = "".join(l + l[:1])'
rej "a signed bundle whose tag manifest leaves out the envelope and lists bagit.txt twice" \
	"tagmanifest-sha256.txt: line 6: bagit.txt is listed twice$" \
	"$T/s.tar" rawedit tagmanifest-sha256.txt 'l = [x for x in t.splitlines(True) if "statement.dsse" not in x]; t = "".join(l + l[:1])'
rej "a tag manifest line too long" "tagmanifest-sha256.txt: line 7: too long$" \
	"$U" rawedit tagmanifest-sha256.txt 't += "0" * 64 + "  " + "x" * 13000 + "\n"'
rej "a tag manifest line with a short digest" "tagmanifest-sha256.txt: line 1: malformed manifest line$" \
	"$U" rawedit tagmanifest-sha256.txt 't = t[1:]'
rej "a tag manifest line without a path" "tagmanifest-sha256.txt: line 1: no file path$" \
	"$U" rawedit tagmanifest-sha256.txt 't = t.replace("  bagit.txt", "  ")'

# ======== bagit.txt, bag-info.txt, fetch.txt ========
rej "bag-info.txt without Payload-Oxum" "bag-info.txt: no valid Payload-Oxum$" \
	"$U" tagedit bag-info.txt 't = "".join(l for l in t.splitlines(True) if not l.startswith("Payload-Oxum"))'
rej "a Payload-Oxum that is not numbers" "bag-info.txt: no valid Payload-Oxum$" \
	"$U" tagedit bag-info.txt 't = t.replace("Payload-Oxum: ", "Payload-Oxum: x")'
rej "a Payload-Oxum file count one too many" \
	"bag-info.txt: Payload-Oxum $PAYLOAD.16 does not match the payload ($PAYLOAD.15)$" \
	"$U" tagedit bag-info.txt "t = t.replace('.15\n', '.16\n')"
rej "a Payload-Oxum file count one too few" \
	"bag-info.txt: Payload-Oxum $PAYLOAD.14 does not match the payload ($PAYLOAD.15)$" \
	"$U" tagedit bag-info.txt "t = t.replace('.15\n', '.14\n')"
rej "bagit.txt with CRLF line ends" "bagit.txt: not the BagIt 1.0 declaration$" \
	"$U" tagedit bagit.txt 't = t.replace("\n", "\r\n")'
rej "a fetch.txt without url entries" "fetch.txt: the statement lists no url source$" \
	"$U" addtag fetch.txt 'https://example.org/x 4 data/x
'
rej "fetch.txt removed while the statement lists url entries" \
	"fetch.txt: missing, but the statement lists url sources$" "$T/url.tar" rmtag fetch.txt
rej "fetch.txt with another size" "fetch.txt: differs from the statement's url sources$" \
	"$T/url.tar" tagedit fetch.txt 't = t.replace(" 4 ", " 5 ", 1)'
rej "fetch.txt with another URL" "fetch.txt: differs from the statement's url sources$" \
	"$T/url.tar" tagedit fetch.txt 't = t.replace("remote.bin", "evil.bin", 1)'
rej "a url source without a size" "$ENV: malformed url source: " \
	"$T/url.tar" statement '[c["source"].pop("size") for c in st["predicate"]["components"] if c["source"]["type"] == "url"]'
rej "a url source with a malformed digest" "$ENV: data/datasets/remote/remote.bin: malformed digest$" \
	"$T/url.tar" statement '[c["source"]["digest"].update(sha256="abc") for c in st["predicate"]["components"] if c["name"] == "remote"]'
rej "a url source's path outside data/" "$ENV: a url source's path is not a plain path under data/$" \
	"$T/url.tar" fetchpath other/remote.bin
rej "a url source's path with '..'" "$ENV: a url source's path is not a plain path under data/$" \
	"$T/url.tar" fetchpath data/../remote.bin
rej "a url source's URL with a space" "$ENV: a url source's URL holds a space or control character$" \
	"$T/url.tar" fetchpath data/datasets/remote/remote.bin "https://example.org/a b"
rej "two url sources of one path" "$ENV: two url sources name data/datasets/remote/remote.bin$" \
	"$T/url.tar" statement 'u = [c["source"] for c in st["predicate"]["components"] if c["source"]["type"] == "url"]; u[1]["path"] = u[0]["path"]'
rej "a url entry's manifest line with another digest" \
	"manifest-sha256.txt: line 3: data/datasets/remote/remote.bin: digest differs from the statement$" \
	"$T/url.tar" tagedit manifest-sha256.txt 't = t.replace("9f86d0", "0f86d0")'
rej "a url entry's manifest line left out" \
	"manifest-sha256.txt: lists 1 of the statement's 2 url sources$" \
	"$T/url.tar" tagedit manifest-sha256.txt 't = "".join(l for l in t.splitlines(True) if "remote.bin" not in l)'

# ======== manifest-sha256.txt, manifest-sha512.txt, ospack/files.txt ========
rej "a manifest-sha256.txt line with a short digest" "manifest-sha256.txt: line 1: malformed manifest line$" \
	"$U" tagedit manifest-sha256.txt 't = t[1:]'
rej "a manifest-sha256.txt line without a path" "manifest-sha256.txt: line 1: no file path$" \
	"$U" tagedit manifest-sha256.txt 'l = t.splitlines(True); l[0] = l[0][:66] + "\n"; t = "".join(l)'
rej "a manifest-sha256.txt line too long" "manifest-sha256.txt: line 16: too long$" \
	"$U" tagedit manifest-sha256.txt 't += "0" * 64 + "  data/" + "x" * 13000 + "\n"'
# A line the archive has no file for, after a file's line that sorts after it: the pass reads
# it as a url entry's, and finds it out of order.
rej "manifest-sha256.txt out of byte order" \
	"manifest-sha256.txt: line [0-9]*: data/checkpoints/final/a.bin is out of byte order$" \
	"$U" tagedit manifest-sha256.txt "t = t.replace('  $M\n', '  $M\n' + '0' * 64 + '  data/checkpoints/final/a.bin\n')"
rej "manifest-sha256.txt listing a file twice" "manifest-sha256.txt: line 2: .* is listed twice$" \
	"$U" tagedit manifest-sha256.txt 'l = t.splitlines(True); t = "".join(l[:1] + l)'
rej "manifest-sha512.txt leaving out a file (--hash sha512)" \
	"manifest-sha512.txt: line 1: does not list the files manifest-sha256.txt lists$" \
	"$T/u512.tar" tagedit manifest-sha512.txt 't = "".join(t.splitlines(True)[1:])'
rej "ospack/files.txt: a mode that is neither 0644 nor 0755" "ospack/files.txt: line 1: malformed$" \
	"$U" tagedit ospack/files.txt 't = "0600" + t[4:]'
rej "ospack/files.txt: a size with a leading zero" "ospack/files.txt: line 1: malformed$" \
	"$U" tagedit ospack/files.txt 't = t[:5] + "0" + t[5:]'
rej "ospack/files.txt: a size that is not a number" "ospack/files.txt: line 1: malformed$" \
	"$U" tagedit ospack/files.txt 't = t[:5] + "1x" + t[5:]'
rej "ospack/files.txt: a line without a path" "ospack/files.txt: line 1: malformed$" \
	"$U" tagedit ospack/files.txt 'l = t.splitlines(True); l[0] = " ".join(l[0].split(" ")[:2]) + " \n"; t = "".join(l)'
rej "ospack/files.txt: two lines out of order" \
	"ospack/files.txt: line [0-9]*: data/checkpoints/final/a.bin is out of byte order$" \
	"$U" tagedit ospack/files.txt "t = t.replace(' $M\n', ' $M\n0644 1 data/checkpoints/final/a.bin\n')"
rej "ospack/files.txt: a line twice" "ospack/files.txt: line 2: .* is listed twice$" \
	"$U" tagedit ospack/files.txt 'l = t.splitlines(True); t = "".join(l[:1] + l)'
rej "ospack/files.txt: another size" "$M: size 192 differs from the statement's 191$" \
	"$U" restate "$M" size 191
rej "ospack/files.txt: another mode" "data/code/inference/generate.py: mode 0755 differs from the statement's 0644$" \
	"$U" restate data/code/inference/generate.py mode 0644
rej "ospack/files.txt leaves out a file" "$M: not covered by the statement$" \
	"$U" tagedit ospack/files.txt "t = ''.join(l for l in t.splitlines(True) if not l.endswith(' $M\n'))"
rej "ospack/files.txt lists a file the archive lacks, in the middle" \
	"data/checkpoints/final/a.bin: listed in the statement but missing from the bundle$" \
	"$U" tagedit ospack/files.txt "t = t.replace('0644 192 $M', '0644 1 data/checkpoints/final/a.bin\n0644 192 $M')"
rej "ospack/files.txt lists a file the archive lacks, at the end" \
	"data/zzz: listed in the statement but missing from the bundle$" \
	"$U" tagedit ospack/files.txt 't += "0644 1 data/zzz\n"'

# ======== entries: order, count, names ========
rej "a payload entry after the tag files" "$M: a payload entry after the tag files$" "$U" move "$M"
rej "a payload folder after the tag files" "data/code: a payload entry after the tag files$" "$U" move data/code
rej "two payload files out of order" \
	"data/datasets/tinystories/part-000.jsonl: out of order (a bundle holds its payload in byte order)$" \
	"$U" swap data/datasets/tinystories/part-000.jsonl data/datasets/tinystories/part-001.jsonl
rej "65 tag files" "more than 64 tag files$" "$U" extratags 64
long=data/$(printf '%4100s' '' | tr ' ' x)
rej "an entry name longer than 4096 bytes" "$BAG/data/x*\.\.\.: an entry name longer than 4096 bytes$" "$U" add "$long" x
rej "tag files of 256 MiB and one more byte" "big-2.txt: tag files too large in all$" \
	"$U" bigtags 134217728 134217728 1
head -c 1024 /dev/zero >"$T/empty.tar"
rejk "an archive of only the end-of-archive blocks" "the archive is empty$" "$T/empty.tar"

# ======== an unpacked folder ========
mkdir "$T/d" && tar -xf "$U" -C "$T/d"
fixture "unpack the example" test -d "$T/d/$BAG"
deep=$T/d/$BAG/data$(printf '%130s' '' | sed 's| |/d|g')
mkdir -p "$deep" && : >"$deep/f"
rejk "an unpacked folder nested 130 folders deep" "$BAG/data/d/d/.*: folders nested too deeply$" "$T/d/$BAG"

# ======== the v1 format ========
V1=$top_srcdir/tests/data/v1-example.tar
rej "v1: a subject with an unknown key" "$ENV: malformed subject: " "$V1" statement 'st["subject"][0]["x"] = 1'
rej "v1: a subject listed twice" "$ENV: the statement lists bag-info.txt twice$" \
	"$V1" statement 'st["subject"].append(dict(st["subject"][0]))'
rej "v1: a malformed file record" "$ENV: malformed file record: " \
	"$V1" statement 'st["predicate"]["components"][0]["files"][0]["x"] = 1'
rej "v1: a file record whose digest is not its subject's" \
	"$ENV: data/datasets/tinystories/.*: the predicate and the subjects disagree$" \
	"$V1" statement 'st["predicate"]["components"][0]["files"][0]["digest"]["sha256"] = "0" * 64'
rej "v1: a file record of mode 0600" "$ENV: data/datasets/tinystories/.*: mode 0600 is not 0644 or 0755$" \
	"$V1" statement 'st["predicate"]["components"][0]["files"][0]["mode"] = "0600"'
rej "v1: a malformed component" "$ENV: malformed component$" \
	"$V1" statement 'del st["predicate"]["components"][0]["files"]'
rej "v1: a malformed release predicate" "$ENV: malformed release predicate: " \
	"$V1" statement 'del st["predicate"]["hash"]'
rej "v1: manifest-sha256.txt lists a file twice" "manifest-sha256.txt: .* is listed twice$" \
	"$V1" tagedit manifest-sha256.txt 'l = t.splitlines(True); t = "".join(l[:1] + l)'
rej "v1: a manifest line that names no payload file" \
	"manifest-sha256.txt: line 15: data/nosuch is not a payload file of the bundle$" \
	"$V1" tagedit manifest-sha256.txt 'l = t.splitlines(True); l[0] = l[0][:66] + "data/nosuch\n"; t = "".join(sorted(l, key=lambda x: x[66:]))'
rej "v1: a manifest line with another digest" \
	"manifest-sha256.txt: line 1: .*: digest differs from the statement$" \
	"$V1" tagedit manifest-sha256.txt 't = ("1" if t[0] != "1" else "2") + t[1:]'
rej "v1: manifest-sha256.txt leaves out a file" "manifest-sha256.txt: lists 14 files, the statement 15$" \
	"$V1" tagedit manifest-sha256.txt 't = "".join(t.splitlines(True)[1:])'
rej "v1: a statement whose bag folder differs" \
	"$BAG/: the bag folder of tiny-stories-15m should be other-1.0.0/$" \
	"$V1" statement 'st["predicate"]["bag"] = "other-1.0.0"'

run_rej
# The zeros padding a file's data to its 512-byte block are covered by no digest: a byte
# changed there is refused, whether verify seeks over the data (a file) or reads it (a pipe).
cp "$T/s.tar" "$T/pad.tar"
python3 - "$T/pad.tar" <<'EOF'
import sys, tarfile
p = sys.argv[1]
with tarfile.open(p) as t:
    m = [m for m in t.getmembers() if m.name.endswith("final/model.safetensors")][0]
assert m.size % 512 != 0
off = m.offset_data + m.size  # the first padding byte
b = bytearray(open(p, "rb").read()); b[off + 7] = 0x41
open(p, "wb").write(b)
EOF
rejk "a non-zero byte in the padding after a file's data is refused" \
	"data/checkpoints/step-1000/: non-zero bytes in the padding after the data of $BAG/data/checkpoints/final/model.safetensors" \
	"$T/pad.tar"
expect_fail 1 "^ospack: data/checkpoints/step-1000/: non-zero bytes in the padding after the data of" \
	"the same through a pipe" sh -c '"$1" verify - <"$2"' sh "$OSPACK" "$T/pad.tar"
run "$OSPACK" verify "$T/s.tar" -j 4 -q
ok $rc "the untouched bundle still verifies, its data skipped for the workers"
done_testing
