#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ospack diff: what changed between two releases, in text and JSON, from archives, folders and
# OCI image layouts; its exit status, and its usage and input errors.
. "${top_srcdir:-.}/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || need_skip_all "python3 is not installed"
command -v git >/dev/null 2>&1 || need_skip_all "git is not installed"

export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.org GIT_COMMITTER_NAME=t \
	GIT_COMMITTER_EMAIL=t@example.org GIT_AUTHOR_DATE='2020-01-01T00:00:00Z' \
	GIT_COMMITTER_DATE='2020-01-01T00:00:00Z'
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_CONFIG_GLOBAL

# want_out DESC PATTERN...: the last run's stdout holds each pattern (fixed strings) as a line
want_out() {
	wdesc=$1
	shift
	wmiss=
	for wpat; do grep -qxF -e "$wpat" "$T/out" || wmiss="$wmiss
$wpat"; done
	if [ -z "$wmiss" ]; then
		ok 0 "$wdesc"
	else
		ok 1 "$wdesc"
		diag "stdout:" "$(cat "$T/out")" "missing:$wmiss"
	fi
}

# json_is DESC PYTHON-EXPR: the last run's stdout is JSON j for which the expression holds
json_is() {
	if python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
		"$T/out" "$2" 2>"$T/py.err"; then
		ok 0 "$1"
	else
		ok 1 "$1"
		diag "stdout:" "$(cat "$T/out")" "$(cat "$T/py.err")" "want: $2"
	fi
}

# diff's temporary folders go here: none must be left.
mkdir "$T/tmp"
export TMPDIR="$T/tmp"

# --- a small release, A, and its next version, B ---
R=$T/rel
mkdir -p "$R/evals" "$R/data/d"
git -c init.defaultBranch=main init -q "$R/repo"
printf 'print(1)\n' >"$R/repo/train.py"
git -C "$R/repo" add -A && git -C "$R/repo" commit -q -m first
C1=$(git -C "$R/repo" rev-parse HEAD)
printf '{"loss": 1.5}\n' >"$R/evals/valid.json"
printf 'a\n' >"$R/data/d/a.txt"
printf 'bb\n' >"$R/data/d/b.txt"
printf '# card\n' >"$R/card.md"
printf '# readme\n' >"$R/readme.md"
# mkman FILE LICENSE LOSS [EXTRA-DOC]: the manifest of the release
mkman() {
	{
		printf 'ospack: 1\nname: drel\nversion: "1.0"\nlicense: %s\n' "$2"
		printf 'code:\n  - name: trainer\n    git: repo\n    rev: main\n    role: training\n'
		printf 'datasets:\n  - name: d\n    path: data/d/\n    license: CC0-1.0\n'
		printf 'evals:\n  - name: valid\n    path: evals/valid.json\n    license: CC-BY-4.0\n'
		printf '    metrics: {loss: %s}\n' "$3"
		printf 'docs:\n  - name: model-card\n    path: card.md\n    type: model-card\n'
		[ -n "${4:-}" ] && printf '  - name: %s\n    path: readme.md\n    type: other\n' "$4"
	} >"$1"
}
mkman "$R/a.yaml" MIT 1.5
"$OSPACK" build "$R/a.yaml" -o "$T/a.tar" -q
ok $? "release A builds"
"$OSPACK" build "$R/a.yaml" -o "$T/a2.tar" -q
mkdir "$T/ax" && tar -xf "$T/a.tar" -C "$T/ax"

# B: the eval file and its metric change, the license, a component comes, a file goes, the
# trainer's commit moves.
printf '{"loss": 1.25}\n' >"$R/evals/valid.json"
rm "$R/data/d/b.txt"
printf 'print(2)\n' >"$R/repo/train.py"
git -C "$R/repo" commit -q -a -m second
C2=$(git -C "$R/repo" rev-parse HEAD)
mkman "$R/b.yaml" Apache-2.0 1.25 readme
"$OSPACK" build "$R/b.yaml" -o "$T/b.tar" -q
ok $? "release B builds"

# --- identical ---
run "$OSPACK" diff "$T/a.tar" "$T/a2.tar"
[ "$rc" -eq 0 ] && grep -qx 'no differences' "$T/out"
ok $? "two builds of one release: exit 0, no differences"
run "$OSPACK" diff "$T/a.tar" "$T/ax/drel-1.0"
ok $rc "an archive and its own unpacked folder: exit 0"
run "$OSPACK" diff --json "$T/ax/drel-1.0" "$T/a.tar"
[ "$rc" -eq 0 ] && json_is "identical --json: differ false, nothing listed" \
	'j["differ"] is False and j["added"]==[] and j["removed"]==[] and j["changed"]=={} and set(j)=={"a","b","added","removed","changed","differ"}'

# --- A against B ---
run "$OSPACK" diff "$T/a.tar" "$T/b.tar"
ok $((rc != 1)) "A and B differ: exit 1"
want_out "each difference in the text" \
	"--- $T/a.tar" "+++ $T/b.tar" \
	"license: MIT -> Apache-2.0" \
	"added component docs/readme (1 files, 9 bytes)" \
	"changed component code/trainer:" "  license: MIT -> Apache-2.0" \
	"  commit: $C1 -> $C2" \
	"  changed data/code/trainer/train.py (9 -> 9 bytes)" \
	"changed component datasets/d:" \
	"  removed data/datasets/d/b.txt (3 bytes)" \
	"changed component evals/valid:" \
	'  metrics: {"loss":1.5} -> {"loss":1.25}' \
	"  changed data/evals/valid/valid.json (14 -> 15 bytes)"
run "$OSPACK" diff --json "$T/a.tar" "$T/b.tar"
ok $((rc != 1)) "A and B differ with --json: exit 1"
json_is "each difference in --json" "j['differ'] is True and j['license']=={'before':'MIT','after':'Apache-2.0'} \
and j['added']==[{'component':'docs/readme','files':1,'bytes':9}] and j['removed']==[] \
and j['changed']['code/trainer']['commit']=={'before':'$C1','after':'$C2'} \
and [f['path'] for f in j['changed']['code/trainer']['files']['changed']]==['data/code/trainer/train.py'] \
and j['changed']['datasets/d']=={'files':{'added':[],'changed':[],'removed':[{'path':'data/datasets/d/b.txt','size':3,'mode':'0644','sha256':'$(printf 'bb\n' | sha256sum | cut -d' ' -f1)'}]}} \
and j['changed']['evals/valid']['metrics']=={'before':{'loss':1.5},'after':{'loss':1.25}} \
and j['changed']['evals/valid']['files']['changed'][0]['before']['size']==14 \
and j['changed']['evals/valid']['files']['changed'][0]['after']['size']==15 \
and j['changed']['code/trainer']['license']=={'before':'MIT','after':'Apache-2.0'} \
and j['changed']['docs/model-card']=={'license':{'before':'MIT','after':'Apache-2.0'}} \
and set(j['changed'])=={'code/trainer','datasets/d','docs/model-card','evals/valid'} and 'name' not in j and 'version' not in j"
python3 -c 'import sys; s=open(sys.argv[1]).read().rstrip("\n"); import json; sys.exit(0 if s==json.dumps(json.loads(s),sort_keys=True,separators=(",",":")) else 1)' "$T/out"
ok $? "--json is one compact object with sorted keys"
run "$OSPACK" diff "$T/b.tar" "$T/a.tar"
want_out "B against A: the other way round" "removed component docs/readme (1 files, 9 bytes)" \
	"  added data/datasets/d/b.txt (3 bytes)" "license: Apache-2.0 -> MIT"

# --- a component's license, the version, openness ---
sed 's/CC0-1.0/CC-BY-4.0/; s/version: "1.0"/version: "1.1"/' "$R/b.yaml" >"$R/c.yaml"
"$OSPACK" build "$R/c.yaml" -o "$T/c.tar" -q
run "$OSPACK" diff "$T/b.tar" "$T/c.tar"
[ "$rc" -eq 1 ] && want_out "a component's license and the version" "version: 1.0 -> 1.1" \
	"changed component datasets/d:" "  license: CC0-1.0 -> CC-BY-4.0"
[ "$rc" -eq 1 ] || ok 1 "version change: exit 1 (got $rc)"

EX=$top_srcdir/manifests/example
cp -R "$EX" "$T/ex"
"$OSPACK" build "$T/ex/manifest.yaml" -o "$T/ex1.tar" -q
python3 - "$T/ex/manifest.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
i = s.index("  - name: model-card")
j = s.index("  - name: data-card")
open(p, "w").write(s[:i] + s[j:])
PY
"$OSPACK" build "$T/ex/manifest.yaml" -o "$T/ex2.tar" -q
ok $? "the example builds without its model card"
run "$OSPACK" diff "$T/ex1.tar" "$T/ex2.tar"
ok $((rc != 1)) "no model card: exit 1"
grep -qx 'openness: class 2, met: baseline, mof-class-2, mof-class-3, open-science -> class 0, met: none' "$T/out"
ok $? "openness before and after in the text"
grep -qx 'removed component docs/model-card (1 files, [0-9]* bytes)' "$T/out"
ok $? "the model card is a removed component"
run "$OSPACK" diff --json "$T/ex1.tar" "$T/ex2.tar"
json_is "openness before and after in --json" \
	"j['openness']=={'before':{'class':2,'met':['baseline','mof-class-2','mof-class-3','open-science']},'after':{'class':0,'met':[]}}"

# --- a registry's form: oci-layout ---
"$OSPACK" push --oci-layout "$T/L" "$T/a.tar" -q >/dev/null 2>&1 || "$OSPACK" push --oci-layout "$T/L" "$T/a.tar" >/dev/null
ok $? "push A to an OCI image layout"
run "$OSPACK" diff "oci-layout:$T/L" "$T/a.tar"
ok $rc "an OCI layout against the bundle pushed: exit 0"
run "$OSPACK" diff "oci-layout:$T/L" "$T/b.tar"
[ "$rc" -eq 1 ] && grep -qx "  commit: $C1 -> $C2" "$T/out"
ok $? "an OCI layout against B: exit 1, the commit moved"
expect_fail 4 "cannot open the OCI image layout: $T/nothing" "an OCI layout that is not there" \
	"$OSPACK" diff "oci-layout:$T/nothing" "$T/a.tar"

# --- usage and inputs ---
expect_fail 2 "needs two operands, A and B (1 given)" "one operand: usage error" "$OSPACK" diff "$T/a.tar"
expect_fail 2 "needs two operands, A and B (3 given)" "three operands: usage error" \
	"$OSPACK" diff "$T/a.tar" "$T/a.tar" "$T/a.tar"
expect_fail 2 "unknown or incomplete option" "an unknown option: usage error" "$OSPACK" diff --bogus "$T/a.tar" "$T/a.tar"
run "$OSPACK" verify "$T/missing.tar"
vrc=$rc
grep -q "^ospack: $T/missing.tar: no such file$" "$T/err" && [ "$vrc" -eq 3 ]
ok $? "verify of a missing bundle says no such file (exit $vrc)"
expect_fail "$vrc" "^ospack: $T/missing.tar: no such file$" "a missing input: the error verify gives" \
	"$OSPACK" diff "$T/a.tar" "$T/missing.tar"
[ ! -s "$T/out" ]
ok $? "a missing input: nothing on stdout"
printf 'not a tar\n' >"$T/junk.tar"
run "$OSPACK" diff "$T/junk.tar" "$T/a.tar"
[ "$rc" -ge 3 ] && [ -s "$T/err" ] && [ ! -s "$T/out" ]
ok $? "a file that is no bundle: an error, exit 3 or 4 (got $rc: $(cat "$T/err"))"

cp -R "$T/ax" "$T/bad"
printf 'not json\n' >"$T/bad/drel-1.0/ospack/statement.dsse.json"
expect_fail 3 "ospack/statement.dsse.json: not a DSSE envelope" \
	"a folder whose statement is no envelope: invalid input, exit 3 (1 is for differences)" \
	"$OSPACK" diff "$T/a.tar" "$T/bad/drel-1.0"

# An archive's tag files are unpacked by name: one that is no tag file's, a link, a folder or
# a name twice is invalid input, and nothing of it is left in $TMPDIR.
# evil NAME KIND: a.tar with one more entry NAME, a file, a symbolic link or a folder
evil() {
	python3 - "$T/a.tar" "$T/evil.tar" "$1" "$2" <<'PY'
import io, sys, tarfile
src, out, name, kind = sys.argv[1:]
with tarfile.open(src) as s, tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
    for m in s.getmembers():
        t.addfile(m, s.extractfile(m) if m.isfile() else None)
    i = tarfile.TarInfo(name)
    if kind == "link":
        i.type, i.linkname = tarfile.SYMTYPE, "/etc/passwd"
    elif kind == "dir":
        i.type = tarfile.DIRTYPE
    data = b"x\n" if kind == "file" else b""
    i.size = len(data)
    t.addfile(i, io.BytesIO(data))
PY
}
for c in "drel-1.0/sub/x.txt file" "drel-1.0/ospack/.hidden file" "other/x.txt file" \
	"x.txt file" "drel-1.0/ospack/link link" "drel-1.0/sub dir"; do
	set -- $c
	evil "$1" "$2"
	expect_fail 3 "^ospack: $T/evil.tar holds $1/*, which is no tag file$" \
		"an archive holding $1 ($2) among its tag files: invalid input, exit 3" \
		"$OSPACK" diff "$T/a.tar" "$T/evil.tar"
done
evil drel-1.0/bagit.txt file
expect_fail 3 "^ospack: $T/evil.tar holds bagit.txt twice$" \
	"an archive holding a tag file twice: invalid input, exit 3" \
	"$OSPACK" diff "$T/evil.tar" "$T/a.tar"
evil drel-1.0/data/datasets/d/new.txt file
run "$OSPACK" diff "$T/a.tar" "$T/evil.tar"
ok $rc "a payload file the lists do not name is not read: diff reads the lists, exit 0"

# A payload file changed behind the statement's back: diff compares what the lists say.
printf 'tampered\n' >"$T/ax/drel-1.0/data/datasets/d/a.txt"
run "$OSPACK" diff "$T/a.tar" "$T/ax/drel-1.0"
ok $rc "a tampered payload is not verified: diff reads the lists, exit 0"
run "$OSPACK" diff --help
[ "$rc" -eq 0 ] && grep -q "verifies nothing" "$T/out"
ok $? "--help says diff verifies nothing"

[ -z "$(ls -A "$T/tmp")" ]
ok $? "no temporary folder is left behind"

done_testing
