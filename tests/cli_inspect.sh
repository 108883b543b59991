#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ospack inspect: the summary it prints by default, and the file listing of --files
# (a v2 bundle's ospack/files.txt, streamed; a v1 statement's lists), text and JSON.
. "${top_srcdir:-.}/tests/lib.sh"

EX=$top_srcdir/manifests/example
BAG=tiny-stories-15m-1.0.0
command -v python3 >/dev/null 2>&1 || need_skip_all "python3 missing"

"$OSPACK" keygen -o "$T/k" >/dev/null 2>&1 && "$OSPACK" build "$EX/manifest.yaml" -q -k "$T/k.key" -o "$T/ex.tar"
ok $? "build the signed example"
KEYID=$(openssl pkey -pubin -in "$T/k.pub" -outform DER | sha256sum | cut -d' ' -f1)

# --- the summary ---
run "$OSPACK" inspect "$T/ex.tar"
[ "$rc" -eq 0 ] && head -n 5 "$T/out" >"$T/head" && cat >"$T/want" <<EOF
tiny-stories-15m 1.0.0 (bag $BAG/)
A 15M-parameter language model trained on short children's stories. This is ospack's example release: the files are small stand-ins.
format v2, license Apache-2.0, digests sha256
signature claimed by key $KEYID
(nothing was verified: run ospack verify -k KEY for that)
EOF
cmp -s "$T/want" "$T/head"
ok $? "summary: name, version, description, format, license, digest algorithm, the claimed signer, nothing verified"
[ $rc -eq 0 ] || diag "$(cat "$T/err")"
sed -n '/^components:$/,/^total:/p' "$T/out" >"$T/comps"
cat >"$T/want" <<'EOF'
components:
  datasets/tinystories        training              license CDLA-Permissive-2.0  2 files, 799 B
  datasets/tinystories-valid  evaluation            license CDLA-Permissive-2.0  1 file, 291 B
  code/trainer                training              license Apache-2.0           2 files, 432 B
  code/preprocess             preprocessing         license Apache-2.0           1 file, 220 B
  code/model                  architecture          license Apache-2.0           1 file, 343 B
  code/inference              inference             license Apache-2.0           1 file, 235 B
  code/evaluation             evaluation            license Apache-2.0           1 file, 192 B
  checkpoints/final           final, step 2000      license Apache-2.0           1 file, 192 B
  checkpoints/step-1000       step 1000             license Apache-2.0           1 file, 192 B
  evals/valid                 on tinystories-valid  license CC-BY-4.0            1 file, 90 B
  docs/model-card             model-card            license CC-BY-4.0            1 file, 482 B
  docs/data-card              data-card             license CC-BY-4.0            1 file, 182 B
  docs/report                 technical-report      license CC-BY-4.0            1 file, 261 B
total: 13 components, 15 files, 3.8 KiB
EOF
cmp -s "$T/want" "$T/comps"
ok $? "summary: one aligned line per component (role, license, files, size), and the totals"
[ $? -eq 0 ] || diag "$(diff "$T/want" "$T/comps")"
grep -q "^openness, as the publisher's statement reports it:$" "$T/out" &&
	grep -qx '  mof-class-1   NOT MET (92.9%)' "$T/out" &&
	grep -qx 'MOF class: Class II - Open Tooling Model' "$T/out" &&
	[ "$(tail -n 1 "$T/out")" = "MOF class: Class II - Open Tooling Model" ] &&
	! grep -q 'Model architecture' "$T/out"
ok $? "summary: the levels and the MOF class as recorded, without the table of MOF components"
! grep -q 'data/' "$T/out"
ok $? "summary: no file is listed"

# --- --files ---
tar -xOf "$T/ex.tar" "$BAG/ospack/files.txt" | awk '{ printf "%s %12s  %s\n", $1, $2, $3 }' >"$T/want"
run "$OSPACK" inspect --files "$T/ex.tar"
[ "$rc" -eq 0 ] && [ "$(wc -l <"$T/out")" -eq 15 ] && cmp -s "$T/want" "$T/out"
ok $? "--files lists every payload file of files.txt: mode, size, path"
cat "$T/ex.tar" | "$OSPACK" inspect --files - >"$T/out2" && cmp -s "$T/out" "$T/out2"
ok $? "--files reads standard input the same way"
run "$OSPACK" inspect --files --json "$T/ex.tar"
[ "$rc" -eq 0 ] && python3 - "$T/out" "$T/want" <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
want = [l.split() for l in open(sys.argv[2])]
assert len(lines) == 15
for l, (mode, size, path) in zip(lines, want):
    f = json.loads(l)
    assert l == json.dumps(f, sort_keys=True, separators=(",", ":")), l
    assert f == {"mode": mode, "size": int(size), "path": path,
                 "component": "/".join(path.split("/")[1:3])}, f
EOF
ok $? "--files --json: one compact JSON object a line, sorted keys: path, component, size, mode"
run "$OSPACK" inspect --files "$top_srcdir/tests/data/v1-example.tar"
[ "$rc" -eq 0 ] && LC_ALL=C sort -k3,3 "$T/out" | cmp -s - "$T/want"
ok $? "--files of a v1 bundle lists its statement's files, the same as the v2 build's"
run "$OSPACK" inspect --json "$T/ex.tar"
python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); assert p["ospack"] == 2 and p["components"][0]["files"] == 2 and p["verified"] is False' "$T/out"
ok $? "plain --json keeps its shape: the predicate, counts for v2, verified false"

# --- a few thousand files: all of them listed ---
mkdir -p "$T/many/d/a" "$T/many/d/b"
i=0
while [ $i -lt 1500 ]; do
	echo $i >"$T/many/d/a/f$i"
	echo $i >"$T/many/d/b/g$i"
	i=$((i + 1))
done
printf 'ospack: 1\nname: many\nversion: "1"\nlicense: MIT\ndatasets:\n  - name: d\n    path: d/\n' >"$T/many/m.yaml"
"$OSPACK" build "$T/many/m.yaml" -q -o "$T/many.tar" && run "$OSPACK" inspect --files "$T/many.tar"
[ "$rc" -eq 0 ] && [ "$(wc -l <"$T/out")" -eq 3000 ] &&
	tar -tf "$T/many.tar" | grep '/data/.*[^/]$' | sed 's|^many-1/||' | LC_ALL=C sort >"$T/tarlist" &&
	awk '{ print $3 }' "$T/out" | cmp -s - "$T/tarlist"
ok $? "--files lists all 3000 files of a bundle, those the archive holds, in byte order"
run "$OSPACK" inspect "$T/many.tar"
grep -q '^  datasets/d  training  license MIT  3000 files, 12.5 KiB$' "$T/out" && ! grep -q 'data/' "$T/out"
ok $? "and the summary stays a summary: one line for its 3000 files"

# --- what --files rejects, with nothing on stdout ---
python3 "$top_srcdir/tests/tamper.py" "$T/ex.tar" "$T/flip.tar" flip ospack/files.txt 3
expect_fail 1 "^ospack: $T/flip.tar: ospack/files.txt: its SHA-256 is not the one the statement gives it$" \
	"--files: a files.txt that is not the one the statement signs is refused" \
	"$OSPACK" inspect --files "$T/flip.tar"
[ ! -s "$T/out" ]
ok $? "and nothing of it is listed"
python3 "$top_srcdir/tests/tamper.py" "$T/ex.tar" "$T/nofiles.tar" remove ospack/files.txt
expect_fail 1 "^ospack: $T/nofiles.tar: ospack/files.txt: missing$" \
	"--files: a v2 bundle without files.txt is refused" "$OSPACK" inspect --files "$T/nofiles.tar"
[ ! -s "$T/out" ]
ok $? "and nothing is listed"
expect_fail 1 "manifest.yaml: not a tar archive" "--files of a file that is not a tar exits 1" \
	"$OSPACK" inspect --files "$EX/manifest.yaml"
expect_fail 3 "^ospack: $T/nope.tar: no such file$" "--files of a missing bundle exits 3" \
	"$OSPACK" inspect --files "$T/nope.tar"
expect_fail 2 "a folder; inspect reads an archive" "--files of a folder is a usage error" \
	"$OSPACK" inspect --files "$EX"
expect_fail 2 "unknown or incomplete option" "an unknown option is a usage error" \
	"$OSPACK" inspect --filez "$T/ex.tar"
run "$OSPACK" inspect --help
grep -q -- '--files' "$T/out" && grep -qF '\-\-files' "$top_srcdir/docs/ospack.1"
ok $? "--help and the man page name --files"

done_testing
