#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Unicode file names: one form (libarchive's composition, NFC) in the tar, the lists and the statement.
. "${top_srcdir:-.}/tests/lib.sh"

NFD=$(printf 'cafe\314\201.txt') # "cafe" U+0301 ".txt", as macOS and some tools write it
NFC=$(printf 'caf\303\251.txt')  # "caf" U+00E9 ".txt"
E_NFD=$(printf 'e\314\201')
E_NFC=$(printf '\303\251')
BAG=uni-1.0.0

manifest() { # manifest DIR [EXCLUDE]: a manifest bundling DIR/d as one dataset
	{
		printf 'ospack: 1\nname: uni\nversion: 1.0.0\nlicense: MIT\ndatasets:\n'
		printf '  - name: d\n    path: d/\n'
		[ -n "${2:-}" ] && printf '    exclude: ["%s"]\n' "$2"
	} >"$1/m.yaml"
}

# Prints, one a line, the payload names of a bundle DIR (unpacked) in manifest-sha256.txt
# and ospack/files.txt, prefixed by the list; then "statement " and the names of the
# subjects whose digest is that of the file (the statement signs both lists by digest);
# then the statement itself, decoded, on one line.
names() {
	python3 - "$1" <<'EOF'
import base64, hashlib, json, sys
bag = sys.argv[1]
out = sys.stdout.buffer
for line in open(bag + "/manifest-sha256.txt", "rb"):
    out.write(b"manifest " + line.rstrip(b"\n").split(b"  ", 1)[1] + b"\n")
for line in open(bag + "/ospack/files.txt", "rb"):
    out.write(b"files " + line.rstrip(b"\n").split(b" ", 2)[2] + b"\n")
env = json.load(open(bag + "/ospack/statement.dsse.json", encoding="utf-8"))
raw = base64.b64decode(env["payload"])
for s in json.loads(raw)["subject"]:
    with open(bag + "/" + s["name"], "rb") as f:
        if hashlib.sha256(f.read()).hexdigest() == s["digest"]["sha256"]:
            out.write(b"statement " + s["name"].encode("utf-8") + b"\n")
out.write(b"payload " + raw.replace(b"\n", b" ") + b"\n")
EOF
}

# --- a decomposed (NFD) name builds and verifies in every way ---
mkdir -p "$T/a/d/$E_NFD"
printf 'hello\n' >"$T/a/d/$NFD"
printf 'x\n' >"$T/a/d/caff"
printf 'y\n' >"$T/a/d/$E_NFD/f"
manifest "$T/a"
run "$OSPACK" build "$T/a/m.yaml" -o "$T/a.tar"
ok $rc "a folder with decomposed names builds"
run "$OSPACK" verify "$T/a.tar"
ok $rc "the bundle verifies"
[ "$rc" -eq 0 ] || diag "$(cat "$T/err")"
"$OSPACK" build "$T/a/m.yaml" -o - 2>/dev/null | "$OSPACK" verify - >"$T/out" 2>"$T/err"
ok $? "built to standard output, it verifies from standard input"
"$OSPACK" build "$T/a/m.yaml" -o - 2>/dev/null | cmp -s - "$T/a.tar"
ok $? "the same bytes as the file"

tar -tf "$T/a.tar" >"$T/list"
grep -qxF "$BAG/data/datasets/d/$NFC" "$T/list" && ! grep -qF "$NFD" "$T/list"
ok $? "the tar holds the composed name (NFC), not the decomposed one"
grep -qxF "$BAG/data/datasets/d/$E_NFC/f" "$T/list"
ok $? "a decomposed folder name is composed too"
grep "^$BAG/data/datasets/d/." "$T/list" | LC_ALL=C sort -c
ok $? "the payload is in byte order of the composed names (caff before café)"
# byte for byte: the header holds the composed bytes, in a pax path record.
grep -c -a "path=$BAG/data/datasets/d/$NFC" "$T/a.tar" >"$T/n"
[ "$(cat "$T/n")" -eq 1 ] && ! grep -q -a "$NFD" "$T/a.tar"
ok $? "the raw archive holds the composed bytes only"

mkdir "$T/gnu"
tar -xf "$T/a.tar" -C "$T/gnu"
ok $? "GNU tar unpacks it"
[ -f "$T/gnu/$BAG/data/datasets/d/$NFC" ]
ok $? "GNU tar writes the composed name"
run "$OSPACK" verify "$T/gnu/$BAG"
ok $rc "the folder GNU tar unpacked verifies"
(cd "$T/gnu/$BAG" && sha256sum --quiet -c manifest-sha256.txt)
ok $? "sha256sum -c manifest-sha256.txt passes in it"
names "$T/gnu/$BAG" >"$T/names"
ok $? "the names of the lists and of the statement are read"
for list in manifest files; do
	grep -qxF "$list data/datasets/d/$NFC" "$T/names" && ! grep -qF "$NFD" "$T/names"
	ok $? "$list names the composed form, as the tar does"
	[ "$(grep -c "^$list " "$T/names")" -eq 3 ]
	ok $? "$list lists the three files"
done
grep -qx "statement manifest-sha256.txt" "$T/names" && grep -qx "statement ospack/files.txt" "$T/names"
ok $? "the statement signs both lists, with the composed names, by digest"
grep -q "^payload " "$T/names" && ! grep -qF "$NFD" "$T/names"
ok $? "the statement holds no decomposed name"

if command -v bsdtar >/dev/null 2>&1; then
	mkdir "$T/bsd"
	bsdtar -xf "$T/a.tar" -C "$T/bsd"
	ok $? "bsdtar unpacks it"
	run "$OSPACK" verify "$T/bsd/$BAG"
	ok $rc "the folder bsdtar unpacked verifies"
	diff -r "$T/gnu" "$T/bsd" >/dev/null
	ok $? "bsdtar and GNU tar unpack the same names"
else
	need_skip "bsdtar unpacks it and the folder verifies" "bsdtar (libarchive-tools) is not installed"
fi

# The sources are read by their names on disk.
printf 'hello\n' | sha256sum | cut -d' ' -f1 >"$T/want"
grep -q "^$(cat "$T/want")  data/datasets/d/$NFC\$" "$T/gnu/$BAG/manifest-sha256.txt"
ok $? "the decomposed file's content is what the composed name lists"

# --- an extracted bundle with a decomposed name is not the bundle ---
mv "$T/gnu/$BAG/data/datasets/d/$NFC" "$T/gnu/$BAG/data/datasets/d/$NFD"
expect_fail 1 "data/datasets/d/caf" "a folder whose name was decomposed again is refused" \
	"$OSPACK" verify "$T/gnu/$BAG"

# --- many decomposed names in one folder: their composed forms outgrow the first buffer ---
mkdir -p "$T/m/d"
LONG=$(printf '%0100d' 0)
i=0
while [ $i -lt 400 ]; do
	printf '%s\n' $i >"$T/m/d/$E_NFD$LONG$i"
	i=$((i + 1))
done
manifest "$T/m"
run "$OSPACK" build "$T/m/m.yaml" -o "$T/m.tar"
ok $rc "a folder of 400 long decomposed names builds"
run "$OSPACK" verify "$T/m.tar"
ok $rc "and verifies"
[ "$(tar -tf "$T/m.tar" | grep -c "/d/$E_NFC$LONG[0-9]*\$")" -eq 400 ]
ok $? "with the 400 names composed"

# --- composed and ASCII names are as they were ---
mkdir -p "$T/c/d"
printf 'hello\n' >"$T/c/d/$NFC"
printf 'x\n' >"$T/c/d/caff"
mkdir "$T/c/d/$E_NFC"
printf 'y\n' >"$T/c/d/$E_NFC/f"
manifest "$T/c"
run "$OSPACK" build "$T/c/m.yaml" -o "$T/c.tar"
ok $rc "the same names, composed on disk, build"
cmp -s "$T/a.tar" "$T/c.tar"
ok $? "to the very same bytes: composed and decomposed sources give one bundle"

# --- two names in one folder that are one after normalization are refused ---
mkdir -p "$T/x/d"
printf '1\n' >"$T/x/d/$NFC"
printf '2\n' >"$T/x/d/$NFD"
manifest "$T/x"
expect_fail 3 "^ospack: .*datasets\[0\]: folder 'd' holds '\(caf.*\)' and '\(caf.*\)', one name after Unicode normalization (NFC)" \
	"a file name composed and decomposed side by side is refused" \
	"$OSPACK" build "$T/x/m.yaml" -o "$T/x.tar"
grep -qF "'$NFC'" "$T/err" && grep -qF "'$NFD'" "$T/err"
ok $? "the message names both, byte for byte"
[ ! -e "$T/x.tar" ] && [ -z "$(find "$T/x" -name '*.tmp-*')" ]
ok $? "and nothing is written"

mkdir -p "$T/y/d/sub/$E_NFC" "$T/y/d/sub/$E_NFD"
printf '1\n' >"$T/y/d/sub/$E_NFC/f"
printf '2\n' >"$T/y/d/sub/$E_NFD/g"
manifest "$T/y"
expect_fail 3 "folder 'd/sub' holds '.*' and '.*', one name after Unicode normalization" \
	"two folders, composed and decomposed, are refused, naming their folder" \
	"$OSPACK" build "$T/y/m.yaml" -o "$T/y.tar"

rm -r "$T/y/d/sub/$E_NFC"
printf '1\n' >"$T/y/d/sub/$E_NFC"
expect_fail 3 "folder 'd/sub' holds" "a composed file beside a decomposed folder is refused" \
	"$OSPACK" build "$T/y/m.yaml" -o "$T/y.tar"

# Exclude patterns match the names in the bag: the composed one leaves both out.
manifest "$T/x" "$NFC"
run "$OSPACK" build "$T/x/m.yaml" -o "$T/x.tar"
ok $rc "when an exclude pattern leaves the name out, there is nothing to refuse"
! tar -tf "$T/x.tar" | grep -q "/d/caf"
ok $? "and neither file is bundled"

# --- a git source: the same form, the same refusal ---
if command -v git >/dev/null 2>&1; then
	G=$T/g
	mkdir -p "$G/repo"
	git -C "$G/repo" init -q
	printf 'hello\n' >"$G/repo/$NFD"
	printf 'x\n' >"$G/repo/caff"
	git -C "$G/repo" add -A
	git -C "$G/repo" -c user.name=t -c user.email=t@example.org commit -qm one
	printf 'ospack: 1\nname: uni\nversion: 1.0.0\nlicense: MIT\ncode:\n  - name: c\n    git: repo\n    role: inference\n' >"$G/m.yaml"
	run "$OSPACK" build "$G/m.yaml" -o "$G/g.tar"
	ok $rc "a git source with a decomposed name builds"
	run "$OSPACK" verify "$G/g.tar"
	ok $rc "and verifies"
	tar -tf "$G/g.tar" | grep -qxF "$BAG/data/code/c/$NFC"
	ok $? "the tar holds the composed name"
	printf '2\n' >"$G/repo/$NFC"
	git -C "$G/repo" add -A
	git -C "$G/repo" -c user.name=t -c user.email=t@example.org commit -qm two
	expect_fail 3 "code\[0\]: folder 'repo' holds '.*' and '.*', one name after Unicode normalization (NFC)" \
		"a commit with both forms of one name is refused" "$OSPACK" build "$G/m.yaml" -o "$G/g2.tar"
else
	need_skip "git sources with decomposed names" "git is not installed"
fi

done_testing
