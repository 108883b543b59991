#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A git entry's public URL: named by the manifest (repository:), never taken from a clone, so
# every clone of one commit gives the same bundle, and no local path reaches the statement.
. "${top_srcdir:-.}/tests/lib.sh"

command -v git >/dev/null 2>&1 || skip_all "git is not installed"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"

HOME=$T/home
mkdir "$HOME"
GIT_CONFIG_NOSYSTEM=1
GIT_AUTHOR_NAME='Ada Lovelace'
GIT_AUTHOR_EMAIL=ada@example.org
GIT_COMMITTER_NAME='Ada Lovelace'
GIT_COMMITTER_EMAIL=ada@example.org
GIT_AUTHOR_DATE=2020-01-02T03:04:05Z
GIT_COMMITTER_DATE=2020-01-02T03:04:05Z
export HOME GIT_CONFIG_NOSYSTEM GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME \
	GIT_COMMITTER_EMAIL GIT_AUTHOR_DATE GIT_COMMITTER_DATE
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_CONFIG_GLOBAL

BAG=gitrel-1.0
PUBLIC=https://example.org/org/trainer.git

# mkman FILE [LINE]...: a manifest with one code entry from the repository "repo" beside it
mkman() {
	f=$1
	shift
	{
		printf 'ospack: 1\nname: gitrel\nversion: "1.0"\nlicense: MIT\ncode:\n'
		printf '  - name: trainer\n    git: repo\n    rev: main\n    role: training\n'
		for line; do printf '    %s\n' "$line"; done
	} >"$f"
}

# statement TAR: the decoded DSSE payload of TAR into $T/payload.json; prints the first
# component's source as key=value lines
statement() {
	rm -rf "$T/st" && mkdir "$T/st" && tar -xf "$1" -C "$T/st" &&
		python3 - "$T/st/$BAG/ospack/statement.dsse.json" "$T/payload.json" <<'EOF'
import base64, json, sys
env = json.load(open(sys.argv[1]))
payload = base64.b64decode(env["payload"], validate=True)
open(sys.argv[2], "wb").write(payload)
src = json.loads(payload)["predicate"]["components"][0]["source"]
for k in sorted(src):
    print("%s=%s" % (k, src[k] if isinstance(src[k], str) else json.dumps(src[k])))
EOF
}

# --- one repository, cloned five ways ---
R=$T/origin/repo
git -c init.defaultBranch=main init -q "$R"
mkdir "$R/src"
printf 'def forward(x):\n    return x\n' >"$R/src/model.py"
printf '# trainer\n' >"$R/README.md"
git -C "$R" add -A && git -C "$R" commit -q -m first
printf 'EXTRA = 1\n' >"$R/src/extra.py"
git -C "$R" add -A && git -C "$R" commit -q -m second
C=$(git -C "$R" rev-parse main)

mkdir "$T/plain" "$T/bare" "$T/shallow" "$T/other" "$T/none"
git clone -q "$R" "$T/plain/repo"
git clone -q --bare "$R" "$T/bare/repo"
git clone -q --depth 1 "file://$R" "$T/shallow/repo"
git clone -q "$R" "$T/other/repo"
git -C "$T/other/repo" remote set-url origin https://mirror.example.net/fork/trainer.git
git clone -q "$R" "$T/none/repo"
git -C "$T/none/repo" remote remove origin
[ "$(git -C "$T/shallow/repo" rev-parse --is-shallow-repository)" = true ] &&
	! git -C "$T/none/repo" remote | grep -q . &&
	[ "$(git -C "$T/bare/repo" rev-parse --is-bare-repository)" = true ]
ok $? "five clones: plain, bare, shallow (file://, depth 1), another origin, no origin"

for named in yes no; do
	for k in plain bare shallow other none; do
		if [ "$named" = yes ]; then
			mkman "$T/$k/m.yaml" "repository: $PUBLIC"
		else
			mkman "$T/$k/m.yaml"
		fi
		run "$OSPACK" build "$T/$k/m.yaml" -o "$T/$k-$named.tar"
		[ "$rc" -eq 0 ] || diag "build of the $k clone: exit $rc" "$(cat "$T/err")"
	done
	same=0
	for k in bare shallow other none; do
		cmp "$T/plain-$named.tar" "$T/$k-$named.tar" >"$T/out" 2>&1 || {
			same=1
			diag "$k: $(cat "$T/out")"
		}
	done
	ok $same "repository named: $named; the five clones give byte-identical bundles"
	statement "$T/plain-$named.tar" >"$T/src"
	grep -qx "commit=$C" "$T/src"
	ok $? "repository named: $named; the statement names the commit $C"
	if [ "$named" = yes ]; then want="remote=$PUBLIC"; else want=remote=null; fi
	grep -qx "$want" "$T/src"
	ok $? "repository named: $named; the statement's remote is $want"
	! grep -a -q -F -e "$T" -e mirror.example.net "$T/plain-$named.tar" "$T/payload.json"
	ok $? "repository named: $named; no local path and no clone's origin in the bundle"
done

# --- credentials are removed, with a warning ---
mkman "$T/plain/cred.yaml" "repository: https://user:secret@example.org/x.git"
run "$OSPACK" build "$T/plain/cred.yaml" -o "$T/cred.tar"
[ "$rc" -eq 0 ] && statement "$T/cred.tar" >"$T/src" &&
	grep -qx "remote=https://example.org/x.git" "$T/src" &&
	! grep -a -q secret "$T/cred.tar" "$T/payload.json"
ok $? "repository: https://user:secret@... is recorded as https://example.org/x.git, no secret"
grep -q "^ospack: warning: .*cred.yaml:10:17: code\[0\].repository: credentials removed" "$T/err" &&
	! grep -q secret "$T/err"
ok $? "a warning says the credentials were removed, without them"
[ "$rc" -eq 0 ] || diag "$(cat "$T/err")"

# --- ospack inspect shows the URL ---
run "$OSPACK" inspect "$T/cred.tar"
[ "$rc" -eq 0 ] && grep -q "from https://example.org/x.git" "$T/out"
ok $? "ospack inspect shows the repository's URL"
run "$OSPACK" inspect --json "$T/cred.tar"
[ "$rc" -eq 0 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
srcs = [c["source"] for c in d["components"]]
assert srcs[0]["remote"] == "https://example.org/x.git", srcs
' "$T/out"
ok $? "ospack inspect --json gives it as the component's source.remote"
run "$OSPACK" inspect "$T/plain-no.tar"
[ "$rc" -eq 0 ] && grep -q "committed .*, no public URL named" "$T/out"
ok $? "ospack inspect says when no URL was named"

# --- what is refused: exit 3, file:line:column, the key, the value and why ---
while IFS='|' read -r url why; do
	mkman "$T/plain/bad.yaml" "repository: $url"
	expect_fail 3 "bad.yaml:10:17: code\[0\]\.repository: $url: $why" \
		"build: repository: $url is refused ($why)" \
		"$OSPACK" build "$T/plain/bad.yaml" -o "$T/bad.tar"
	[ ! -e "$T/bad.tar" ] || { ok 1 "no bundle after $url"; rm -f "$T/bad.tar"; }
done <<'EOF'
/local/path|a local path, not a public URL
../repo|a local path, not a public URL
repo|a local path, not a public URL
file:///x|a file:// URL names a local repository, not a public one
ftp://example.org/x.git|unsupported scheme
https:///x.git|the URL names no host
EOF
mkman "$T/plain/bad.yaml" "repository: file:///x"
expect_fail 3 'code\[0\]\.repository: file:///x: a file:// URL' "check refuses it the same way" \
	"$OSPACK" check "$T/plain/bad.yaml"
printf 'x\n' >"$T/plain/x.txt"
printf 'ospack: 1\nname: gitrel\nversion: "1.0"\nlicense: MIT\ndocs:\n  - name: x\n    path: x.txt\n    type: other\n    repository: %s\n' \
	"$PUBLIC" >"$T/plain/path.yaml"
expect_fail 3 'path.yaml:9:17: docs\[0\]\.repository: only allowed with git sources' \
	"repository: on a path entry is refused" "$OSPACK" check "$T/plain/path.yaml"

done_testing
