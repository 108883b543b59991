#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ospack init: each rule mapping a file to a manifest entry, licenses, git, bounds, refusals.
. "${top_srcdir:-.}/tests/lib.sh"

EX=$top_srcdir/manifests/example
have_git=false
command -v git >/dev/null 2>&1 && have_git=true

# git reads nothing of the user's configuration.
HOME=$T/home
mkdir "$HOME"
GIT_CONFIG_NOSYSTEM=1
GIT_AUTHOR_NAME='Ada Lovelace'
GIT_AUTHOR_EMAIL=ada@example.org
GIT_COMMITTER_NAME='Ada Lovelace'
GIT_COMMITTER_EMAIL=ada@example.org
export HOME GIT_CONFIG_NOSYSTEM GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_CONFIG_GLOBAL

# field MANIFEST SECTION NAME KEY: the value of KEY in entry NAME of SECTION, comment removed.
field() {
	awk -v sec="$2:" -v nm="  - name: \"$3\"" -v key="    $4: " '
		/^[a-z]/ { insec = ($1 == sec); inent = 0; next }
		insec && /^  - name: / { inent = ($0 == nm); next }
		insec && inent && index($0, key) == 1 {
			v = substr($0, length(key) + 1); sub(/ #.*/, "", v); print v; exit
		}' "$1"
}

# is DESC MANIFEST SECTION NAME KEY WANT: the entry's KEY is WANT.
is() {
	got=$(field "$2" "$3" "$4" "$5")
	if [ "$got" = "$6" ]; then
		ok 0 "$1"
	else
		ok 1 "$1"
		diag "$3/$4 $5: got '$got', want '$6'"
	fi
}

# entries MANIFEST SECTION: how many entries SECTION has.
entries() {
	awk -v sec="$2:" '/^[a-z]/ { insec = ($1 == sec); next } insec && /^  - name: / { n++ }
		END { print n + 0 }' "$1"
}

# --- the example release, its manifest removed ---
cp -R "$EX" "$T/example"
rm -f "$T/example/manifest.yaml"
M=$T/example/manifest.yaml
run "$OSPACK" init "$T/example"
ok $([ "$rc" -eq 0 ] && [ -f "$M" ] && grep -q "wrote $M; settle its 1 TODO" "$T/err"; echo $?) \
	"init writes DIR/manifest.yaml and says how many TODOs are left"
ok $(grep -q '^name: "example"' "$M"; echo $?) "the release is named after the folder"
ok $(grep -q '^version: "0.1.0"' "$M"; echo $?) "the version starts at 0.1.0"
expect_fail 3 "manifest.yaml:[0-9]*:[0-9]*: license: .*'TODO'" \
	"check names the license left TODO, with its line" "$OSPACK" check "$M"
is "a folder of shards in data/ is one dataset" "$M" datasets tinystories path '"data/tinystories/"'
is "a data file in data/ is a dataset" "$M" datasets valid path '"data/valid.jsonl"'
is "a folder of .py named infer is inference code" "$M" code infer role inference
is "a folder of .py named train is training code" "$M" code train role training
is "model.py is architecture" "$M" code model role architecture
is "preprocess.py is preprocessing" "$M" code preprocess role preprocessing
is "evaluate.py is evaluation" "$M" code evaluate role evaluation
is "the checkpoint named model is final" "$M" checkpoints model final true
is "ckpt-1000 is step 1000" "$M" checkpoints ckpt-1000 step 1000
ok $([ -z "$(field "$M" checkpoints ckpt-1000 final)" ]; echo $?) "only one checkpoint is final"
is "evals/valid.json is an eval result" "$M" evals valid path '"evals/valid.json"'
ok $(grep -q '# metrics: .*TODO' "$M"; echo $?) "metrics are left as a TODO comment"
is "MODEL_CARD.md is a model card" "$M" docs MODEL_CARD type model-card
is "DATA_CARD.md is a data card" "$M" docs DATA_CARD type data-card
is "report.md is a technical report" "$M" docs report type technical-report
ok $(grep -q __pycache__/ "$M" && ! grep -q 'path: .*pycache' "$M"; echo $?) \
	"__pycache__ is left out"
sed 's/^license: TODO.*/license: Apache-2.0/' "$M" >"$T/m" && cat "$T/m" >"$M"
run "$OSPACK" check "$M"
ok $([ "$rc" -eq 0 ]; echo $?) "with the license settled, check passes"
run "$OSPACK" build "$M" -o "$T/example.tar" -q
ok $([ "$rc" -eq 0 ] && [ -s "$T/example.tar" ]; echo $?) "and build makes the bundle"
run "$OSPACK" verify "$T/example.tar"
ok $([ "$rc" -eq 0 ]; echo $?) "which verifies"

# --- never overwriting ---
cp "$M" "$T/before"
expect_fail 3 "manifest.yaml exists: 'ospack init' never overwrites" \
	"an existing manifest.yaml is refused, named" "$OSPACK" init "$T/example"
ok $(cmp -s "$T/before" "$M"; echo $?) "and left as it was"
ok $(! ls -a "$T/example" | grep -q '\.tmp-'; echo $?) "no temporary file is left behind"
run "$OSPACK" init --stdout "$T/example"
ok $([ "$rc" -eq 0 ] && grep -q '^ospack: 1' "$T/out" && cmp -s "$T/before" "$M"; echo $?) \
	"--stdout prints the manifest and writes nothing"

# --- each mapping rule, in a folder made here ---
D=$T/kinds
mkdir -p "$D/ckpts" "$D/scripts" "$D/shards" "$D/__pycache__" "$D/.hidden"
for f in a.gguf b.pt c.pth d.bin e.ckpt g.safetensors checkpoint-500.pt; do
	echo weights >"$D/ckpts/$f"
done
head -c 4096 /dev/zero >"$D/ckpts/f.onnx"
for f in serve.py generate.py trainer.py prepare_data.sh tokenize.py arch.py modeling_x.py \
	utils.py; do
	echo 'print(1)' >"$D/$f"
done
echo 'a,b' >"$D/shards/x.csv"
echo '{}' >"$D/shards/y.jsonl"
echo 'x' >"$D/table.arrow"
echo '%PDF' >"$D/paper.pdf"
echo '# data' >"$D/DATA_CARD.md"
echo '# model' >"$D/README.md"
echo '{}' >"$D/eval_results.json"
echo '{}' >"$D/results-test.json"
echo 'x' >"$D/__pycache__/cached.py"
echo 'x' >"$D/.hidden/secret.py"
echo 'x' >"$D/.dotfile.py"
printf 'Permission is hereby granted, free of charge, to any person obtaining a copy\nof this software. The above copyright notice and this permission notice shall be\nincluded in all copies.\n' >"$D/LICENSE"
M=$D/manifest.yaml
run "$OSPACK" init -q "$D"
ok $([ "$rc" -eq 0 ] && [ ! -s "$T/err" ]; echo $?) "init -q says nothing"
for f in a b c d e g f; do
	is "ckpts/$f.* is a checkpoint" "$M" checkpoints $f path "\"ckpts/$(cd "$D/ckpts" && ls $f.*)\""
done
is "with none named final or model, the largest is final" "$M" checkpoints f final true
is "checkpoint-500 is step 500" "$M" checkpoints checkpoint-500 step 500
for pair in serve:inference generate:inference trainer:training prepare_data:preprocessing \
	tokenize:preprocessing arch:architecture modeling_x:architecture utils:library; do
	is "${pair%%:*} is ${pair#*:} code" "$M" code "${pair%%:*}" role "${pair#*:}"
done
ok $(grep -q '^    role: .* # guessed' "$M"; echo $?) "a guessed role says so"
is "a folder of parquet/csv/jsonl shards is one dataset" "$M" datasets shards path '"shards/"'
is "an .arrow file is a dataset" "$M" datasets table path '"table.arrow"'
is "a .pdf is a paper" "$M" docs paper type paper
is "DATA_CARD is a data card" "$M" docs DATA_CARD type data-card
is "README.md is a model card" "$M" docs README type model-card
is "eval*.json is an eval" "$M" evals eval_results path '"eval_results.json"'
is "results*.json is an eval" "$M" evals results-test path '"results-test.json"'
ok $(! grep -q '\(name\|path\): .*\(pycache\|cached\|secret\|dotfile\)' "$M"; echo $?) "hidden files and __pycache__ are left out"
ok $(grep -q '^license: MIT # recognised in LICENSE' "$M"; echo $?) "an MIT LICENSE sets license: MIT"
run "$OSPACK" check "$M"
ok $([ "$rc" -eq 0 ]; echo $?) "check passes on what init wrote"

# --- license texts ---
lic() { # lic ID TEXT: a folder whose LICENSE is TEXT gives license: ID
	rm -rf "$T/lic" && mkdir "$T/lic" && echo 'print(1)' >"$T/lic/train.py" &&
		printf '%s\n' "$2" >"$T/lic/LICENSE" && "$OSPACK" init -q "$T/lic" &&
		grep -q "^license: $1 # recognised in LICENSE" "$T/lic/manifest.yaml"
	ok $? "a LICENSE of $1 is recognised"
}
lic Apache-2.0 '                                 Apache License
                           Version 2.0, January 2004
                        http://www.apache.org/licenses/'
lic BSD-3-Clause 'Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:
3. Neither the name of the copyright holder nor the names of its contributors'
lic BSD-2-Clause 'Redistribution and use in source and binary forms, with or without
modification, are permitted provided that ... this list of conditions'
lic GPL-3.0-only '                    GNU GENERAL PUBLIC LICENSE
                       Version 3, 29 June 2007'
lic MPL-2.0 'Mozilla Public License Version 2.0'
lic CC-BY-4.0 'Creative Commons Attribution 4.0 International Public License'
lic Unlicense 'This is free and unencumbered software released into the public domain.
For more information, please refer to <https://unlicense.org>'
rm -rf "$T/lic" && mkdir "$T/lic" && echo 'print(1)' >"$T/lic/train.py"
echo 'All rights reserved. Ask us first.' >"$T/lic/COPYING"
run "$OSPACK" init "$T/lic"
ok $(grep -q '^license: TODO # TODO: .*(COPYING was not recognised)' "$T/lic/manifest.yaml"; echo $?) \
	"an unknown license text gives license: TODO, naming the file"
expect_fail 3 "license: .*unknown license identifier 'TODO'" \
	"and check fails, naming the license" "$OSPACK" check "$T/lic/manifest.yaml"

# --- git repositories ---
if $have_git; then
	G=$T/gitrel
	mkdir -p "$G/trainer"
	echo 'print(1)' >"$G/trainer/train.py"
	git -c init.defaultBranch=main init -q "$G/trainer"
	git -C "$G/trainer" add -A && git -C "$G/trainer" commit -q -m one
	HEAD=$(git -C "$G/trainer" rev-parse HEAD)
	run "$OSPACK" init "$G"
	M=$G/manifest.yaml
	is "a git repository in a subfolder is a git: entry" "$M" code trainer git '"trainer"'
	is "pinned to its HEAD commit" "$M" code trainer rev "$HEAD"
	is "with a role guessed from its name" "$M" code trainer role training
	sed -i 's/^license: TODO.*/license: MIT/' "$M"
	run "$OSPACK" check "$M"
	ok $([ "$rc" -eq 0 ]; echo $?) "check passes on the git entry"
	run "$OSPACK" init --stdout "$G/trainer"
	echo "$(cat "$T/out")" >"$T/self.yaml"
	is "a folder that is itself a repository is a git: . entry" "$T/self.yaml" code trainer git '"."'
	is "also pinned to HEAD" "$T/self.yaml" code trainer rev "$HEAD"
else
	skip "git entries" "git is not installed"
fi

# --- bounds ---
B=$T/big
mkdir -p "$B/shards"
(cd "$B/shards" && seq -f 'part-%05g.jsonl' 1 5000 | xargs touch)
run "$OSPACK" init "$B"
ok $([ "$rc" -eq 0 ] && [ "$(entries "$B/manifest.yaml" datasets)" = 1 ]; echo $?) \
	"a folder of 5,000 shards is one dataset entry"
is "naming the folder" "$B/manifest.yaml" datasets shards path '"shards/"'
mkdir -p "$B/mixed/sub" && echo 'print(1)' >"$B/mixed/sub/run.py"
(cd "$B/mixed" && seq -f 'part-%05g.jsonl' 1 5000 | xargs touch)
run "$OSPACK" init --stdout "$B"
ok $([ "$rc" -eq 0 ] && [ "$(grep -c '^  - name:' "$T/out")" = 2 ] &&
	grep -q 'path: "mixed/"' "$T/out"; echo $?) "a folder of 5,000 files and a subfolder is one entry too"
mkdir "$T/loose" && (cd "$T/loose" && seq -f 'part-%05g.parquet' 1 5000 | xargs touch)
run "$OSPACK" init --stdout "$T/loose"
ok $([ "$rc" -eq 0 ] && grep -q '^# 5000 data files lie loose' "$T/out" &&
	[ "$(grep -c '^  - name:' "$T/out")" = 0 ]; echo $?) \
	"5,000 loose shards in the folder itself are counted, not listed"

# --- refusals ---
mkdir -p "$T/empty" "$T/nothing/__pycache__" "$T/nothing/.git-like"
echo x >"$T/nothing/notes.txt"
expect_fail 3 "holds nothing to describe" "an empty folder is refused, saying why" \
	"$OSPACK" init "$T/empty"
ok $([ ! -e "$T/empty/manifest.yaml" ]; echo $?) "and nothing is written"
expect_fail 3 "holds nothing to describe" "so is a folder of nothing recognised" \
	"$OSPACK" init "$T/nothing"
expect_fail 3 "no-such: no such folder" "a missing DIR is named" "$OSPACK" init "$T/no-such"
expect_fail 3 "is not a folder" "a file for DIR is refused" "$OSPACK" init "$T/nothing/notes.txt"
expect_fail 2 "at most one DIR" "two DIRs are a usage error" "$OSPACK" init "$T/a" "$T/b"
expect_fail 2 "unknown or incomplete option" "an unknown option is a usage error" \
	"$OSPACK" init --bogus
run "$OSPACK" init --help
ok $([ "$rc" -eq 0 ] && grep -q -- '--stdout' "$T/out"; echo $?) "--help lists --stdout"

done_testing
