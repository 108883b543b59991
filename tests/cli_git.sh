#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ospack build, check and inspect with git sources, end to end, on repositories made here.
. "${top_srcdir:-.}/tests/lib.sh"

command -v git >/dev/null 2>&1 || skip_all "git is not installed"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"

# git and libgit2 read nothing of the user's configuration; every commit id is fixed.
HOME=$T/home
mkdir "$HOME"
GIT_CONFIG_NOSYSTEM=1
GIT_AUTHOR_NAME='Ada Lovelace'
GIT_AUTHOR_EMAIL=ada@example.org
GIT_COMMITTER_NAME='Ada Lovelace'
GIT_COMMITTER_EMAIL=ada@example.org
export HOME GIT_CONFIG_NOSYSTEM GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_CONFIG_GLOBAL

BAG=gitrel-1.0
PAY=data/code/trainer

# newrepo DIR: an empty repository whose first branch is main
newrepo() {
	git -c init.defaultBranch=main init -q "$1"
}

# commit DIR DATE MESSAGE: commits everything in DIR's working tree at DATE
commit() {
	git -C "$1" add -A &&
		GIT_AUTHOR_DATE=$2 GIT_COMMITTER_DATE=$2 git -C "$1" commit -q -m "$3"
}

# mkman FILE GIT [LINE]...: a manifest with one code entry, trainer, from the repository GIT;
# each LINE ("rev: v1.0") is added to the entry
mkman() {
	f=$1 src=$2
	shift 2
	{
		printf 'ospack: 1\nname: gitrel\nversion: "1.0"\nlicense: MIT\ncode:\n'
		printf '  - name: trainer\n    git: %s\n    role: training\n' "$src"
		for line; do printf '    %s\n' "$line"; done
	} >"$f"
}

# unpack TAR DIR: GNU tar unpacks TAR into a fresh DIR
unpack() {
	rm -rf "$2" && mkdir -p "$2" && tar -xf "$1" -C "$2"
}

# archive REPO TREEISH DIR: what git archive gives for TREEISH, unpacked into a fresh DIR
archive() {
	rm -rf "$3" && mkdir -p "$3" && git -C "$1" archive --format=tar "$2" | tar -xf - -C "$3"
}

# same_files A B: same names, bytes and executable bits in the folders A and B
same_files() {
	diff -r "$1" "$2" >"$T/diff" 2>&1 || return 1
	(cd "$1" && find . -type f -perm -u+x | LC_ALL=C sort) >"$T/x1" &&
		(cd "$2" && find . -type f -perm -u+x | LC_ALL=C sort) >"$T/x2" &&
		cmp -s "$T/x1" "$T/x2"
}

# source_of BAGDIR: the statement's source of the first component, as key=value lines,
# one submodule=PATH COMMIT URL line per submodule; the decoded DSSE payload goes to $T/payload.json
source_of() {
	python3 - "$1/ospack/statement.dsse.json" "$T/payload.json" <<'EOF'
import base64, json, sys
env = json.load(open(sys.argv[1]))
payload = base64.b64decode(env["payload"], validate=True)
open(sys.argv[2], "wb").write(payload)
st = json.loads(payload)
src = st["predicate"]["components"][0]["source"]
for k in sorted(src):
    v = src[k]
    if k == "submodules":
        for s in v:
            print("submodule=%s %s %s" % (s["path"], s["commit"], s["url"]))
    elif isinstance(v, str):
        print("%s=%s" % (k, v))
    else:
        print("%s=%s" % (k, json.dumps(v)))
EOF
}

# has_source BAGDIR KEY=VALUE...: the statement's source holds every line given
has_source() {
	d=$1
	shift
	source_of "$d" >"$T/src" || return 1
	for kv; do
		grep -qxF -e "$kv" "$T/src" || {
			diag "source has no '$kv':" "$(cat "$T/src")"
			return 1
		}
	done
}

# build_ok DESCRIPTION MANIFEST TAR [OPTION]...: the build exits 0 and says what it wrote
build_ok() {
	desc=$1 man=$2 tar=$3
	shift 3
	run "$OSPACK" build "$man" -o "$tar" "$@"
	if [ "$rc" -eq 0 ] && grep -q "^wrote $tar: [0-9]* files" "$T/out"; then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		diag "exit $rc (want 0); stdout:" "$(cat "$T/out")" "stderr:" "$(cat "$T/err")"
	fi
}

# ---------------------------------------------------------------------------------------
# The repository: v1.0 (a lightweight tag), v1.1 (an annotated tag), then main.
R=$T/repo
newrepo "$R"
mkdir -p "$R/src/util" "$R/docs"
printf '# trainer\n' >"$R/README.md"
printf '#!/bin/sh\nexec python3 src/model.py "$@"\n' >"$R/run.sh"
chmod 755 "$R/run.sh"
printf 'def forward(x):\n    return x\n' >"$R/src/model.py"
printf 'def helper():\n    pass\n' >"$R/src/util/helpers.py"
printf '\000\001\002\377binary\r\n' >"$R/src/blob.bin"
: >"$R/src/empty.py"
printf 'données\n' >"$R/src/données.py"
printf 'notes\n' >"$R/docs/notes with space.txt"
commit "$R" 2020-01-02T03:04:05Z "first release"
git -C "$R" tag v1.0
printf 'def forward(x):\n    return 2 * x\n' >"$R/src/model.py"
printf 'EXTRA = 1\n' >"$R/src/extra.py"
rm "$R/docs/notes with space.txt"
commit "$R" 2021-03-04T05:06:07Z "second release"
GIT_COMMITTER_DATE=2021-03-04T05:06:08Z git -C "$R" tag -a v1.1 -m "version 1.1"
printf 'LATE = 1\n' >"$R/src/late.py"
chmod 755 "$R/src/util/helpers.py"
commit "$R" 2022-05-06T07:08:09Z "later work"
C10=$(git -C "$R" rev-parse 'v1.0^{commit}')
T10=$(git -C "$R" rev-parse 'v1.0^{tree}')
W10=$(git -C "$R" log -1 --format=%ct v1.0)
C11=$(git -C "$R" rev-parse 'v1.1^{commit}')
CMAIN=$(git -C "$R" rev-parse 'main^{commit}')
diag "v1.0 is $C10, v1.1 is $C11, main is $CMAIN"

# --- done when: a tag gives exactly git archive's files, and the statement names its commit ---
mkman "$T/tag.yaml" repo "rev: v1.0"
build_ok "build from a local repository at the tag v1.0" "$T/tag.yaml" "$T/tag.tar"
grep -q "^wrote $T/tag.tar: $(git -C "$R" ls-tree -r v1.0 | wc -l) files" "$T/out"
ok $? "the summary counts the tag's $(git -C "$R" ls-tree -r v1.0 | wc -l) files"
unpack "$T/tag.tar" "$T/u-tag"
ok $? "GNU tar unpacks the bundle"
archive "$R" v1.0 "$T/a-tag"
same_files "$T/a-tag" "$T/u-tag/$BAG/$PAY"
ok $? "$PAY/ holds exactly git archive v1.0's files, bytes and executable bits"
[ -s "$T/diff" ] && diag "$(cat "$T/diff")"
[ -x "$T/u-tag/$BAG/$PAY/run.sh" ] && [ ! -x "$T/u-tag/$BAG/$PAY/src/model.py" ]
ok $? "run.sh is executable in the bundle, src/model.py is not"
grep -q "  $PAY/run.sh\$" "$T/u-tag/$BAG/manifest-sha256.txt" &&
	tar --numeric-owner -tvf "$T/tag.tar" | grep -q "^-rwxr-xr-x 0/0 .* $BAG/$PAY/run.sh\$"
ok $? "the tar entry of run.sh has mode 0755 and the payload manifest lists it"
has_source "$T/u-tag/$BAG" type=git "commit=$C10" "tree=$T10" rev=v1.0 "committed=$W10" \
	dirty=false remote=null
ok $? "the statement names the tag's commit, its tree, rev as written and the commit time"
run "$OSPACK" inspect "$T/tag.tar"
[ "$rc" -eq 0 ] && grep -q "^  code/trainer  .*  git $(echo "$C10" | cut -c1-12) (rev v1.0)$" "$T/out" &&
	grep -q "^      commit $C10, tree " "$T/out"
ok $? "ospack inspect shows the commit (short on the component's line, whole below) and the rev"
grep -q "$T10" "$T/out" && grep -q -e "$W10" -e '2020-01-02' "$T/out"
st=$?
ok $st "ospack inspect shows the tree id and the commit time as well (issue 4)"
[ "$st" -eq 0 ] || diag "want tree $T10 and time $W10 (2020-01-02); inspect shows:" "$(grep 'commit' "$T/out")"

# --- the bundle verifies, and passes sha256sum -c and the BagIt checker ---
run "$OSPACK" verify "$T/tag.tar"
[ "$rc" -eq 0 ] && grep -q "^$T/tag.tar: verified $BAG (8 files" "$T/out"
ok $? "ospack verify accepts the git bundle"
(cd "$T/u-tag/$BAG" && sha256sum --quiet -c manifest-sha256.txt && sha256sum --quiet -c tagmanifest-sha256.txt)
ok $? "sha256sum -c passes on the payload and tag manifests"
python3 "$top_srcdir/tests/bagit_check.py" "$T/u-tag/$BAG" >"$T/out" 2>&1
ok $? "the unpacked bundle is a valid BagIt bag"
"$OSPACK" keygen -o "$T/rel" >/dev/null 2>&1 &&
	"$OSPACK" build "$T/tag.yaml" -q -k "$T/rel.key" -o "$T/signed.tar" &&
	"$OSPACK" verify "$T/signed.tar" -k "$T/rel.pub" >"$T/out" 2>&1
ok $? "a signed git bundle verifies against the release key"

# --- other revisions: a later commit, a subdir, an annotated tag, a short commit id ---
mkman "$T/main.yaml" repo "rev: main"
build_ok "build at rev main" "$T/main.yaml" "$T/main.tar"
unpack "$T/main.tar" "$T/u-main"
archive "$R" main "$T/a-main"
same_files "$T/a-main" "$T/u-main/$BAG/$PAY"
ok $? "rev main gives git archive main's files"
! diff -r "$T/u-tag/$BAG/$PAY" "$T/u-main/$BAG/$PAY" >/dev/null 2>&1 &&
	[ -f "$T/u-main/$BAG/$PAY/src/late.py" ] && [ ! -e "$T/u-tag/$BAG/$PAY/src/late.py" ] &&
	[ -f "$T/u-tag/$BAG/$PAY/docs/notes with space.txt" ] && [ ! -e "$T/u-main/$BAG/$PAY/docs" ]
ok $? "the tag and the later commit give different files"
[ -x "$T/u-main/$BAG/$PAY/src/util/helpers.py" ] && [ ! -x "$T/u-tag/$BAG/$PAY/src/util/helpers.py" ]
ok $? "a mode change in a later commit changes the executable bit"
has_source "$T/u-main/$BAG" "commit=$CMAIN" rev=main
ok $? "the statement names main's commit"

mkman "$T/sub.yaml" repo "rev: main" "subdir: src"
build_ok "build subdir: src" "$T/sub.yaml" "$T/sub.tar"
unpack "$T/sub.tar" "$T/u-sub"
archive "$R" main:src "$T/a-sub"
same_files "$T/a-sub" "$T/u-sub/$BAG/$PAY"
ok $? "subdir: src bundles only that folder, at the entry's top"
has_source "$T/u-sub/$BAG" "commit=$CMAIN" subdir=src
ok $? "the statement records the subdir"

mkman "$T/ann.yaml" repo "rev: v1.1"
build_ok "build at an annotated tag" "$T/ann.yaml" "$T/ann.tar"
unpack "$T/ann.tar" "$T/u-ann"
archive "$R" v1.1 "$T/a-ann"
same_files "$T/a-ann" "$T/u-ann/$BAG/$PAY" &&
	has_source "$T/u-ann/$BAG" "commit=$C11" rev=v1.1 &&
	[ "$C11" != "$(git -C "$R" rev-parse v1.1)" ]
ok $? "an annotated tag is peeled: its commit's files and id, not the tag object's"

SHORT=$(git -C "$R" rev-parse --short=7 v1.0)
mkman "$T/short.yaml" repo "rev: $SHORT"
build_ok "build at a short commit id ($SHORT)" "$T/short.yaml" "$T/short.tar"
unpack "$T/short.tar" "$T/u-short"
diff -r "$T/u-tag/$BAG/data" "$T/u-short/$BAG/data" >/dev/null &&
	has_source "$T/u-short/$BAG" "commit=$C10" "rev=$SHORT"
ok $? "a short commit id gives the full commit id, and rev as written"

mkman "$T/full.yaml" repo "rev: $C11"
build_ok "build at a full commit id" "$T/full.yaml" "$T/full.tar"
unpack "$T/full.tar" "$T/u-full"
diff -r "$T/u-ann/$BAG/data" "$T/u-full/$BAG/data" >/dev/null && has_source "$T/u-full/$BAG" "commit=$C11"
ok $? "a full commit id gives that commit's files"

mkman "$T/dotgit.yaml" repo/.git "rev: v1.0"
build_ok "git: may name the repository's .git folder" "$T/dotgit.yaml" "$T/dotgit.tar"
cmp -s "$T/dotgit.tar" "$T/tag.tar"
ok $? "and gives the same bytes as naming the working tree"

# --- HEAD: a dirty tree is refused, --allow-dirty accepted; untracked files do not matter ---
D=$T/dirty/repo
git clone -q "$R" "$D"
mkman "$T/dirty/head.yaml" repo
build_ok "without rev, a clean HEAD builds" "$T/dirty/head.yaml" "$T/head.tar"
unpack "$T/head.tar" "$T/u-head"
has_source "$T/u-head/$BAG" "commit=$CMAIN" rev=null dirty=false
ok $? "the statement names HEAD's commit, rev null, not dirty"

printf 'scratch\n' >"$D/untracked.txt"
printf 'scratch\n' >"$D/src/new.py"
mkdir "$D/build" && printf 'obj\n' >"$D/build/out.o"
printf 'build/\n' >"$D/.git/info/exclude"
build_ok "untracked and ignored files leave HEAD clean" "$T/dirty/head.yaml" "$T/untracked.tar"
grep -q warning "$T/err" && diag "unexpected: $(cat "$T/err")"
unpack "$T/untracked.tar" "$T/u-untracked"
archive "$D" HEAD "$T/a-head"
same_files "$T/a-head" "$T/u-untracked/$BAG/$PAY" && has_source "$T/u-untracked/$BAG" dirty=false
ok $? "untracked files are not bundled, the statement says clean"
cmp -s "$T/untracked.tar" "$T/head.tar"
ok $? "and the bundle is the same as without them"

touch -d '2030-01-01 00:00:00' "$D/src/model.py" "$D/README.md"
build_ok "new mtimes on unchanged tracked files leave HEAD clean" "$T/dirty/head.yaml" "$T/touched.tar"
rm -f "$D/untracked.txt" "$D/src/new.py"

printf 'local edit\n' >>"$D/src/model.py"
expect_fail 3 'uncommitted changes to tracked files: src/model.py' \
	"build: a modified tracked file at HEAD is refused, naming it" \
	"$OSPACK" build "$T/dirty/head.yaml" -o "$T/dirty.tar"
grep -q -e '--allow-dirty' "$T/err"
ok $? "the message points to --allow-dirty"
[ ! -e "$T/dirty.tar" ]
ok $? "and no bundle is written"
expect_fail 3 'src/model.py' "check: a modified tracked file at HEAD is refused the same way" \
	"$OSPACK" check "$T/dirty/head.yaml"
mkman "$T/dirty/headrev.yaml" repo "rev: HEAD"
expect_fail 3 'uncommitted changes to tracked files: src/model.py' \
	"rev: HEAD written out is checked for changes too" \
	"$OSPACK" build "$T/dirty/headrev.yaml" -o "$T/dirty.tar"
build_ok "build --allow-dirty accepts the dirty tree" "$T/dirty/head.yaml" "$T/dirty.tar" --allow-dirty
grep -q '^ospack: warning: .*src/model.py' "$T/err"
ok $? "with a warning on stderr naming the file"
unpack "$T/dirty.tar" "$T/u-dirty"
has_source "$T/u-dirty/$BAG" dirty=true "commit=$CMAIN"
ok $? "the statement's source says dirty: true"
git -C "$D" show HEAD:src/model.py | cmp -s - "$T/u-dirty/$BAG/$PAY/src/model.py"
ok $? "the committed src/model.py is bundled, not the edited one"
run "$OSPACK" check "$T/dirty/head.yaml" --allow-dirty
[ "$rc" -eq 0 ] && grep -q 'src/model.py' "$T/err"
ok $? "check --allow-dirty exits 0 with the warning"
[ "$rc" -eq 0 ] || diag "exit $rc" "$(cat "$T/err")"
mkman "$T/dirty/tagged.yaml" repo "rev: v1.0"
build_ok "a dirty tree does not matter with rev: v1.0" "$T/dirty/tagged.yaml" "$T/dirty-tag.tar"
unpack "$T/dirty-tag.tar" "$T/u-dirty-tag"
diff -r "$T/u-tag/$BAG/data" "$T/u-dirty-tag/$BAG/data" >/dev/null &&
	has_source "$T/u-dirty-tag/$BAG" "commit=$C10" dirty=false
ok $? "and gives the tag's files, not dirty"
git -C "$D" checkout -q -- .

# other kinds of change, one case each: what to do, then the file the message names
while IFS='|' read -r what change name; do
	(cd "$D" && eval "$change")
	expect_fail 3 "uncommitted changes to tracked files: .*$name" "a $what at HEAD is refused" \
		"$OSPACK" build "$T/dirty/head.yaml" -o "$T/dirty2.tar"
	git -C "$D" reset -q --hard
done <<'EOF'
deleted tracked file|rm README.md|README.md
staged change|printf 'x\n' >>run.sh && git add run.sh|run.sh
mode change|chmod 644 run.sh|run.sh
staged new file|printf 'n\n' >src/staged.py && git add src/staged.py|src/staged.py
EOF

for f in README.md run.sh src/model.py src/extra.py src/late.py src/empty.py src/util/helpers.py; do
	printf 'edit\n' >>"$D/$f"
done
expect_fail 3 'changes to tracked files: README.md, run.sh, src/empty.py, src/extra.py, src/late.py and 2 more (' \
	"seven changed files: the message names the first five and counts the rest" \
	"$OSPACK" build "$T/dirty/head.yaml" -o "$T/dirty2.tar"
git -C "$D" reset -q --hard

mkman "$T/dirty/src.yaml" repo "subdir: src"
printf 'edit\n' >>"$D/README.md"
build_ok "with subdir: src, a change outside src does not count" "$T/dirty/src.yaml" "$T/dirty3.tar"
printf 'edit\n' >>"$D/src/extra.py"
expect_fail 3 'src/extra.py' "with subdir: src, a change inside src is refused" \
	"$OSPACK" build "$T/dirty/src.yaml" -o "$T/dirty4.tar"
git -C "$D" reset -q --hard

# --- two clones of the same repository give the same bytes ---
git clone -q "$R" "$T/c1/repo"
git clone -q --no-local "$R" "$T/c2/repo"
git -C "$T/c2/repo" checkout -q -b other v1.0
git -C "$T/c2/repo" repack -q -a -d
find "$T/c2/repo" -path "$T/c2/repo/.git" -prune -o -exec touch -d '2001-02-03 04:05:06' {} +
for c in c1 c2; do
	mkman "$T/$c/m.yaml" repo "rev: main"
	{
		printf 'datasets:\n  - name: other\n    git: repo\n    rev: v1.1\n    subdir: src\n'
		printf '    role: evaluation\n'
	} >>"$T/$c/m.yaml"
done
(cd "$T/c1" && umask 022 && "$OSPACK" build m.yaml -q -o "$T/clone1.tar")
ok $? "build from the first clone (main checked out)"
(cd / && umask 077 && TZ=Asia/Tokyo "$OSPACK" build "$T/c2/m.yaml" -q -o "$T/clone2.tar")
ok $? "build from the second clone (another branch checked out, repacked, other mtimes)"
cmp "$T/clone1.tar" "$T/clone2.tar" >"$T/out" 2>&1
ok $? "both clones give byte-identical bundles"
[ -s "$T/out" ] && diag "$(cat "$T/out")"
unpack "$T/clone2.tar" "$T/u-clone2"
same_files "$T/a-main" "$T/u-clone2/$BAG/$PAY"
ok $? "the second clone's bundle holds main's files, not the checked-out branch's"

# --- the URL the manifest names (repository:) is recorded without credentials; origin never ---
git clone -q "$R" "$T/cred/repo"
git -C "$T/cred/repo" remote set-url origin https://user:0r1g1n-t0ken@example.org/org/origin.git
while read -r url want secret; do
	mkman "$T/cred/m.yaml" repo "rev: v1.0" "repository: $url"
	run "$OSPACK" build "$T/cred/m.yaml" -o "$T/cred.tar"
	unpack "$T/cred.tar" "$T/u-cred"
	[ "$rc" -eq 0 ] && has_source "$T/u-cred/$BAG" "remote=$want" &&
		! grep -a -q -e "$secret" -e 0r1g1n-t0ken "$T/cred.tar" "$T/payload.json"
	ok $? "repository: $url is recorded as $want, $secret nowhere in the bundle"
done <<'EOF'
https://user:tok3n-one@example.org/org/repo.git https://example.org/org/repo.git tok3n-one
https://tok3n-two@example.org/org/repo.git https://example.org/org/repo.git tok3n-two
HTTP://x-access-token:tok3n-three@example.org:8443/org/repo HTTP://example.org:8443/org/repo tok3n-three
ssh://git:tok3n-four@example.org/org/repo.git ssh://git@example.org/org/repo.git tok3n-four
git@example.org:org/repo.git git@example.org:org/repo.git NO-SECRET-HERE
EOF
mkman "$T/cred/m.yaml" repo "rev: v1.0" "repository: https://user:s3cr3t-t0ken@example.org/org/repo.git"
"$OSPACK" build "$T/cred/m.yaml" -q -o "$T/cred.tar" && "$OSPACK" inspect "$T/cred.tar" >"$T/out" &&
	grep -q "from https://example.org/org/repo.git" "$T/out" && ! grep -a -q 's3cr3t-t0ken' "$T/cred.tar" "$T/out" &&
	"$OSPACK" inspect --json "$T/cred.tar" >"$T/out" && ! grep -q 's3cr3t-t0ken' "$T/out"
ok $? "ospack inspect shows the repository's URL without the token"

# --- symbolic links ---
S=$T/sym/repo
newrepo "$S"
mkdir -p "$S/src/sub"
printf 'real\n' >"$S/src/a.py"
printf '#!/bin/sh\n' >"$S/src/sub/tool.sh"
chmod 755 "$S/src/sub/tool.sh"
ln -s a.py "$S/src/link.py"
commit "$S" 2020-01-02T03:04:05Z "a link to a file"
git -C "$S" tag file-link
ln -s src/sub "$S/tools"
commit "$S" 2020-01-03T03:04:05Z "a link to a folder"
git -C "$S" tag dir-link
ln -s ../../../etc/passwd "$S/src/escape"
commit "$S" 2020-01-04T03:04:05Z "a link out of the repository"
git -C "$S" tag escape-link
mkman "$T/sym/file.yaml" repo "rev: file-link"
expect_fail 3 'src/link.py is a symbolic link' "a symbolic link in the tree is refused, naming it" \
	"$OSPACK" build "$T/sym/file.yaml" -o "$T/sym.tar"
grep -q 'follow_symlinks' "$T/err"
ok $? "the message points to follow_symlinks"
expect_fail 3 'src/link.py is a symbolic link' "check refuses the link too" \
	"$OSPACK" check "$T/sym/file.yaml"
mkman "$T/sym/follow.yaml" repo "rev: file-link" "follow_symlinks: true"
build_ok "with follow_symlinks: true the link is accepted" "$T/sym/follow.yaml" "$T/sym.tar"
unpack "$T/sym.tar" "$T/u-sym"
[ -f "$T/u-sym/$BAG/$PAY/src/link.py" ] && [ ! -L "$T/u-sym/$BAG/$PAY/src/link.py" ] &&
	cmp -s "$S/src/a.py" "$T/u-sym/$BAG/$PAY/src/link.py" &&
	tar -tvf "$T/sym.tar" | grep -q "^-rw-r--r-- .* $BAG/$PAY/src/link.py\$"
ok $? "the link is bundled as a regular file with its target's content"
mkman "$T/sym/dir.yaml" repo "rev: dir-link" "follow_symlinks: true"
build_ok "a link to a folder, followed" "$T/sym/dir.yaml" "$T/symdir.tar"
unpack "$T/symdir.tar" "$T/u-symdir"
[ -x "$T/u-symdir/$BAG/$PAY/tools/tool.sh" ] && [ ! -L "$T/u-symdir/$BAG/$PAY/tools" ] &&
	cmp -s "$S/src/sub/tool.sh" "$T/u-symdir/$BAG/$PAY/tools/tool.sh"
ok $? "gives the folder's files under the link's path, modes kept"
mkman "$T/sym/escape.yaml" repo "rev: escape-link" "follow_symlinks: true"
expect_fail 3 'src/escape is a symbolic link that leads outside the repository' \
	"a followed link that leads outside the repository is refused" \
	"$OSPACK" build "$T/sym/escape.yaml" -o "$T/escape.tar"

# --- submodules: recorded, not bundled ---
M=$T/mod
newrepo "$M/lib"
printf 'lib\n' >"$M/lib/lib.py"
commit "$M/lib" 2020-01-02T03:04:05Z "the library"
CLIB=$(git -C "$M/lib" rev-parse HEAD)
newrepo "$M/repo"
printf 'main\n' >"$M/repo/main.py"
git -C "$M/repo" -c protocol.file.allow=always submodule add -q "$M/lib" third_party/lib >/dev/null 2>&1
commit "$M/repo" 2020-01-02T03:04:05Z "with a submodule"
git -C "$M/repo" tag with-sub
mkman "$M/m.yaml" repo "rev: with-sub"
build_ok "a repository with a submodule builds" "$M/m.yaml" "$T/mod.tar"
grep -q "^ospack: warning: .*submodule third_party/lib .*$CLIB.* not bundled" "$T/err"
ok $? "a warning says the submodule is recorded, not bundled"
unpack "$T/mod.tar" "$T/u-mod"
has_source "$T/u-mod/$BAG" "submodule=third_party/lib $CLIB None" &&
	! grep -q -F "$M" "$T/payload.json"
ok $? "the statement records the submodule's path and commit, and not its local path"
grep -q "^ospack: warning: .*submodule third_party/lib: its URL in .gitmodules is not public (a local path, not a public URL); the statement records none" "$T/err"
ok $? "a warning says the submodule's local URL is left out"
[ ! -e "$T/u-mod/$BAG/$PAY/third_party/lib" ] && [ -f "$T/u-mod/$BAG/$PAY/main.py" ] &&
	[ -f "$T/u-mod/$BAG/$PAY/.gitmodules" ]
ok $? "the submodule's files are not bundled; the repository's own are"
mkman "$M/head.yaml" repo
build_ok "a checked-out submodule leaves HEAD clean" "$M/head.yaml" "$T/modhead.tar"
git -C "$M/repo" config -f .gitmodules submodule.third_party/lib.url \
	https://bot:m0dul3-t0ken@example.org/org/lib.git
commit "$M/repo" 2020-01-03T03:04:05Z "the submodule's URL carries a token"
git -C "$M/repo" tag sub-token
mkman "$M/tok.yaml" repo "rev: sub-token"
run "$OSPACK" build "$M/tok.yaml" -o "$T/modtok.tar"
unpack "$T/modtok.tar" "$T/u-modtok"
[ "$rc" -eq 0 ] && has_source "$T/u-modtok/$BAG" \
	"submodule=third_party/lib $CLIB https://example.org/org/lib.git" &&
	! grep -q 'm0dul3-t0ken' "$T/payload.json"
ok $? "credentials are stripped from a submodule's URL in the statement"
# .gitmodules is the repository's own file: bundled as committed, token and all
grep -a -l 'm0dul3-t0ken' "$T/u-modtok/$BAG" -r >"$T/out"
[ "$(cat "$T/out")" = "$T/u-modtok/$BAG/$PAY/.gitmodules" ]
ok $? "the token is only in the committed .gitmodules file, bundled as it is"

git -C "$M/repo" config -f .gitmodules submodule.third_party/lib.url ../lib.git
commit "$M/repo" 2020-01-03T04:04:05Z "the submodule's URL is relative"
git -C "$M/repo" tag sub-relative
mkman "$M/rel.yaml" repo "rev: sub-relative"
run "$OSPACK" build "$M/rel.yaml" -o "$T/modrel.tar"
unpack "$T/modrel.tar" "$T/u-modrel"
[ "$rc" -eq 0 ] && has_source "$T/u-modrel/$BAG" "submodule=third_party/lib $CLIB ../lib.git"
ok $? "a submodule URL relative to the repository's own is recorded as written"

printf 'edit\n' >>"$M/repo/third_party/lib/lib.py"
build_ok "changes inside a submodule's working tree do not make HEAD dirty" "$M/head.yaml" "$T/modhead2.tar"
commit "$M/repo/third_party/lib" 2020-01-04T03:04:05Z "the submodule moves on"
expect_fail 3 'uncommitted changes to tracked files: third_party/lib (' \
	"a submodule checked out at another commit than recorded makes HEAD dirty" \
	"$OSPACK" build "$M/head.yaml" -o "$T/modhead3.tar"

# --- Git LFS pointer files ---
L=$T/lfs/repo
newrepo "$L"
mkdir "$L/weights"
printf 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 123\n' \
	>"$L/weights/model.safetensors"
printf 'code\n' >"$L/train.py"
commit "$L" 2020-01-02T03:04:05Z "weights through LFS"
mkman "$T/lfs/m.yaml" repo
expect_fail 3 'weights/model.safetensors is a Git LFS pointer' "an LFS pointer file is refused, naming it" \
	"$OSPACK" build "$T/lfs/m.yaml" -o "$T/lfs.tar"
grep -q 'lfs: pointers' "$T/err"
ok $? "the message points to lfs: pointers"
mkman "$T/lfs/ptr.yaml" repo "lfs: pointers"
build_ok "with lfs: pointers the build succeeds" "$T/lfs/ptr.yaml" "$T/lfs.tar"
unpack "$T/lfs.tar" "$T/u-lfs"
cmp -s "$L/weights/model.safetensors" "$T/u-lfs/$BAG/$PAY/weights/model.safetensors"
ok $? "and the pointer file is bundled as it is"

# --- bare and shallow repositories ---
git clone -q --bare "$R" "$T/bare.git"
mkman "$T/bare.yaml" bare.git "rev: v1.0"
build_ok "a bare repository builds" "$T/bare.yaml" "$T/bare.tar"
unpack "$T/bare.tar" "$T/u-bare"
diff -r "$T/u-tag/$BAG/data" "$T/u-bare/$BAG/data" >/dev/null &&
	cmp -s "$T/u-tag/$BAG/manifest-sha256.txt" "$T/u-bare/$BAG/manifest-sha256.txt" &&
	has_source "$T/u-bare/$BAG" "commit=$C10" "tree=$T10" "remote=null"
ok $? "with the same payload as the non-bare repository"
mkman "$T/barehead.yaml" bare.git
build_ok "a bare repository at HEAD builds (no working tree, never dirty)" "$T/barehead.yaml" "$T/barehead.tar"

git clone -q --depth 1 "file://$R" "$T/shallow"
mkman "$T/shallow.yaml" shallow
build_ok "a shallow clone builds at HEAD" "$T/shallow.yaml" "$T/shallow.tar"
mkman "$T/shallow-old.yaml" shallow "rev: $C10"
expect_fail 3 'shallow' "a rev beyond a shallow clone's history is refused, saying it is shallow" \
	"$OSPACK" build "$T/shallow-old.yaml" -o "$T/shallow-old.tar"

# --- errors: exit 3 and a message that names the problem ---
mkdir -p "$T/bad/plain"
printf 'x\n' >"$T/bad/plain/file.txt"
newrepo "$T/bad/empty"
git -c init.defaultBranch=master init -q "$T/bad/empty-master"
while IFS='|' read -r src extra pat what; do
	if [ -n "$extra" ]; then
		mkman "$T/bad/m.yaml" "$src" "$extra"
	else
		mkman "$T/bad/m.yaml" "$src"
	fi
	expect_fail 3 "$pat" "build: $what" "$OSPACK" build "$T/bad/m.yaml" -o "$T/bad/out.tar"
	[ ! -e "$T/bad/out.tar" ] || { ok 1 "no bundle after: $what"; rm -f "$T/bad/out.tar"; }
done <<'EOF'
../repo|rev: v9.9|unknown revision 'v9.9'|a rev that does not resolve
../repo|rev: no-such-branch|unknown revision 'no-such-branch'|a branch that does not exist
../repo|rev: main:src|names a tree, not a commit|a rev that names a tree
plain||plain: not a git repository|a folder that is not a repository
../repo/src||src: not a git repository|a folder inside a repository
missing||code\[0\]\.git: missing: no such file|a path that does not exist
../repo|subdir: nope|subdir 'nope' does not exist at commit|a subdir missing at that commit
../repo|subdir: README.md|subdir 'README.md' is not a folder|a subdir that is a file
empty||the repository has no commits|an empty repository (first branch main)
empty-master||the repository has no commits|an empty repository (first branch master)
empty|rev: main|the repository has no commits|an empty repository with a rev
EOF
mkman "$T/bad/m.yaml" ../repo "rev: v9.9"
expect_fail 3 "unknown revision 'v9.9'" "check: a rev that does not resolve" \
	"$OSPACK" check "$T/bad/m.yaml"

# --- exclude: accepted on git entries by the manifest, so it must apply (or be refused) ---
mkman "$T/excl.yaml" repo "rev: v1.0" 'exclude: ["docs/"]'
run "$OSPACK" build "$T/excl.yaml" -o "$T/excl.tar"
if [ "$rc" -eq 0 ]; then
	unpack "$T/excl.tar" "$T/u-excl"
	[ ! -e "$T/u-excl/$BAG/$PAY/docs" ] && [ -f "$T/u-excl/$BAG/$PAY/src/model.py" ]
else
	[ "$rc" -eq 3 ] && grep -q exclude "$T/err"
fi
st=$?
ok $st "exclude on a git entry leaves docs/ out, or is refused (exit $rc)"
[ "$st" -eq 0 ] || diag "bundled:" "$(tar -tf "$T/excl.tar" | grep "/$PAY/docs/")"

done_testing
