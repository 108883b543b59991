#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Manifest keys: role as a list, docs of type license, and metrics_from (a model card's
# model-index): check, build, the statement, inspect, diff, init, and every rejection.
. "${top_srcdir:-.}/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || need_skip_all "python3 is not installed"
DATA=$top_srcdir/tests/data

# json_is DESC FILE PYTHON-EXPR: FILE is JSON j for which the expression holds
json_is() {
	if python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' \
		"$2" "$3" 2>"$T/py.err"; then
		ok 0 "$1"
	else
		ok 1 "$1"
		diag "$2:" "$(head -c 3000 "$2")" "$(cat "$T/py.err")" "want: $3"
	fi
}

# statement BUNDLE: its predicate's components, as JSON, into $T/comps.json
statement() {
	"$OSPACK" inspect --json "$1" >"$T/insp.json" 2>"$T/insp.err"
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); p=j.get("predicate", j)
c={x["section"]+"/"+x["name"]: x for x in p["components"]}
json.dump(c, open(sys.argv[2], "w"))' "$T/insp.json" "$T/comps.json"
}

R=$T/rel
mkdir -p "$R/code" "$R/data"
printf 'print(1)\n' >"$R/code/run.py"
printf 'a\n' >"$R/data/a.txt"
printf '{"loss": 1.23}\n' >"$R/val.json"
printf 'MIT License\n' >"$R/LICENSE"
cp "$DATA/model_card_index.md" "$R/MODEL_CARD.md"
cp "$DATA/model_card_two_datasets.md" "$R/CARD2.md"

# mkman FILE DATASET-ROLE CODE-ROLE EVAL-LINES [DOCS-LINES]: a small release
mkman() {
	{
		printf 'ospack: 1\nname: roles\nversion: "1.0"\nlicense: MIT\n'
		printf 'datasets:\n  - name: d\n    path: data/\n    role: %s\n' "$2"
		printf 'code:\n  - name: c\n    path: code/\n    role: %s\n' "$3"
		printf 'evals:\n  - name: val\n    path: val.json\n%s\n' "$4"
		printf 'docs:\n  - name: card\n    path: MODEL_CARD.md\n    type: model-card\n'
		[ -n "${5:-}" ] && printf '%s\n' "$5"
	} >"$1"
}
LICDOC='  - name: license
    path: LICENSE
    type: license'

# --- role as a list ---
mkman "$R/multi.yaml" '[training, evaluation]' '[training, evaluation]' \
	'    metrics: {loss: 1.23}' "$LICDOC"
run "$OSPACK" check --json "$R/multi.yaml"
ok "$rc" "check a manifest with role lists: exit 0"
json_is "code with roles [training, evaluation] counts as training code and evaluation code" "$T/out" \
	'{c["name"]: c["entries"] for c in j["openness"]["components"]}["Training code"]==["code/c"] and
	 {c["name"]: c["entries"] for c in j["openness"]["components"]}["Evaluation code"]==["code/c"]'
json_is "a dataset with roles [training, evaluation] counts as training and evaluation data" "$T/out" \
	'{c["name"]: c["entries"] for c in j["openness"]["components"]}["Datasets"]==["datasets/d"] and
	 {c["name"]: c["entries"] for c in j["openness"]["components"]}["Evaluation data"]==["datasets/d"]'
json_is "open-science misses neither training nor evaluation code, nor training data" "$T/out" \
	'not [m for m in j["openness"]["levels"]["open-science"]["missing"]
	      if "training code" in m or "evaluation code" in m or "training datasets" in m]'
run "$OSPACK" check "$R/multi.yaml"
grep -q '^  Evaluation code  *II  *yes .* code/c$' "$T/out" &&
	grep -q '^  Training code  *II  *yes .* code/c$' "$T/out"
ok $? "check's text lists code/c under training and evaluation code"

run "$OSPACK" build -q "$R/multi.yaml" -o "$T/multi.tar"
ok "$rc" "build a manifest with role lists: exit 0"
statement "$T/multi.tar"
json_is "several roles are a list in the statement" "$T/comps.json" \
	'j["code/c"]["role"]==["training","evaluation"] and j["datasets/d"]["role"]==["training","evaluation"]'
run "$OSPACK" verify "$T/multi.tar"
ok "$rc" "a bundle with role lists verifies"
run "$OSPACK" inspect "$T/multi.tar"
grep -Eq '^  code/c +training,evaluation +license MIT' "$T/out"
ok $? "inspect shows the roles of an entry, comma-separated"

mkman "$R/one.yaml" '[evaluation]' training '    metrics: {loss: 1.23}'
run "$OSPACK" build -q "$R/one.yaml" -o "$T/one.tar"
statement "$T/one.tar"
json_is "one role (plain or a list of one) is a string in the statement" "$T/comps.json" \
	'j["code/c"]["role"]=="training" and j["datasets/d"]["role"]=="evaluation"'
mkman "$R/plain.yaml" evaluation training '    metrics: {loss: 1.23}'
"$OSPACK" build -q "$R/plain.yaml" -o "$T/plain.tar"
cmp -s "$T/one.tar" "$T/plain.tar"
ok $? "role: [evaluation] and role: evaluation give the same bytes"

mkman "$R/two.yaml" '[evaluation]' '[training, evaluation]' '    metrics: {loss: 1.23}'
"$OSPACK" build -q "$R/two.yaml" -o "$T/two.tar"
run "$OSPACK" diff "$T/one.tar" "$T/two.tar"
[ "$rc" -eq 1 ] && grep -qxF '  role: training -> ["training","evaluation"]' "$T/out"
ok $? "diff: a role that became a list is a change (exit 1)"
[ "$rc" -eq 1 ] || diag "exit $rc" "$(cat "$T/out" "$T/err")"
run "$OSPACK" push --oci-layout "$T/L" "$T/two.tar"
ok "$rc" "push --oci-layout takes a bundle with role lists"
run "$OSPACK" diff "oci-layout:$T/L" "$T/two.tar"
ok "$rc" "diff reads role lists from an OCI layout: no differences"

# rejections: exit 3, file:line:col and the key
rej() { # rej DESC ROLE-DATASET ROLE-CODE PATTERN
	mkman "$R/bad.yaml" "$2" "$3" '    metrics: {loss: 1}'
	expect_fail 3 "$4" "$1: exit 3 and the place" "$OSPACK" check "$R/bad.yaml"
}
rej "an empty list of roles" '[]' training \
	'bad.yaml:8:11: datasets\[0\].role: the list of roles must not be empty'
rej "a role listed twice" '[training, evaluation, training]' training \
	"bad.yaml:8:34: datasets\[0\].role: 'training' is listed twice"
rej "a code role unknown in a list" training '[training, tests]' \
	"bad.yaml:12:22: code\[0\].role: 'tests' is not one of training, inference"
rej "a code role given to a dataset in a list" '[training, inference]' training \
	"bad.yaml:8:22: datasets\[0\].role: 'inference' is not one of training, evaluation, validation"
rej "a list inside the list of roles" '[[training]]' training \
	'bad.yaml:8:12: datasets\[0\].role: expected a string'
expect_fail 3 'bad.yaml:8:12: datasets\[0\].role: expected a string' \
	"build refuses a bad role list too: exit 3" "$OSPACK" build "$R/bad.yaml" -o "$T/no.tar"
[ ! -e "$T/no.tar" ]
ok $? "a refused build leaves no bundle"

# --- docs of type license ---
run "$OSPACK" check --json "$R/multi.yaml"
json_is "check --json: the license text counted" "$T/out" \
	'j["license_texts"]=={"present": True, "entries": ["docs/license"]}'
run "$OSPACK" check "$R/multi.yaml"
grep -qxF 'license texts: present (docs/license)' "$T/out"
ok $? "check: license texts: present"
run "$OSPACK" check --json "$R/plain.yaml"
json_is "check --json without a license text: present false" "$T/out" \
	'j["license_texts"]=={"present": False, "entries": []}'
run "$OSPACK" check "$R/plain.yaml"
grep -q '^license texts: MISSING (a docs entry with type: license' "$T/out"
ok $? "check without a license text: it says MISSING and what to add"
tar -xOf "$T/multi.tar" roles-1.0/ospack/mof.yaml >"$T/mof.yaml"
grep -A2 '^    distribution:' "$T/mof.yaml" | grep -qxF "      path: 'data/docs/license'"
ok $? "mof.yaml: the release license's path is the license text in the bag"
tar -xOf "$T/plain.tar" roles-1.0/ospack/mof.yaml | grep -A2 '^    distribution:' |
	grep -qxF "      path: ''"
ok $? "mof.yaml without a license text: the path stays empty"
run "$OSPACK" inspect "$T/multi.tar"
grep -qxF 'license texts: docs/license' "$T/out" &&
	grep -Eq '^  docs/license +license +license MIT +1 file' "$T/out"
ok $? "inspect names the license text"
statement "$T/multi.tar"
json_is "the statement gives the license text its type" "$T/comps.json" \
	'j["docs/license"]["type"]=="license"'

I=$T/initrel
mkdir -p "$I/src"
printf 'print(1)\n' >"$I/src/infer.py"
printf '# card\n' >"$I/README.md"
printf 'MIT License\n\nPermission is hereby granted, free of charge, to any person\n%s\n' \
	'... The above copyright notice and this permission notice shall be included ...' >"$I/LICENSE"
run "$OSPACK" init "$I"
ok "$rc" "init a folder with a LICENSE"
grep -A2 '^  - name: "LICENSE"$' "$I/manifest.yaml" | grep -q '^    type: license #'
ok $? "init writes the LICENSE as a docs entry of type license"
run "$OSPACK" check --json "$I/manifest.yaml"
json_is "the scaffolded manifest's license text counts" "$T/out" \
	'j["license_texts"]["entries"]==["docs/LICENSE"]'

# --- metrics_from: one dataset ---
mkman "$R/card.yaml" training training '    metrics_from: MODEL_CARD.md'
run "$OSPACK" build -q "$R/card.yaml" -o "$T/card.tar"
ok "$rc" "build with metrics_from: exit 0"
[ "$rc" -eq 0 ] || diag "$(cat "$T/err")"
statement "$T/card.tar"
json_is "metrics_from: the model-index metrics, keyed by type (else name)" "$T/comps.json" \
	'j["evals/val"]["metrics"]=={"perplexity": 3.42, "loss": 1.23, "tokens": 2097152} and
	 j["evals/val"]["metrics_from"]=="MODEL_CARD.md"'
mkman "$R/inline.yaml" training training \
	'    metrics: {perplexity: 3.42, loss: 1.23, tokens: 2097152}'
"$OSPACK" build -q "$R/inline.yaml" -o "$T/inline.tar"
run "$OSPACK" diff "$T/inline.tar" "$T/card.tar"
[ "$rc" -eq 0 ]
ok $? "diff: metrics read from the card equal the same metrics written inline"
run "$OSPACK" check --json "$R/card.yaml"
json_is "check with metrics_from: evaluation results present" "$T/out" \
	'{c["name"]: c["present"] for c in j["openness"]["components"]}["Evaluation results"]'
run "$OSPACK" inspect "$T/card.tar"
ok "$rc" "inspect a bundle whose metrics came from a card"

# --- metrics_from: two datasets ---
mkman "$R/card2.yaml" training training '    metrics_from: CARD2.md'
run "$OSPACK" build -q "$R/card2.yaml" -o "$T/card2.tar"
ok "$rc" "build with a card over two datasets: exit 0"
statement "$T/card2.tar"
json_is "two datasets: keys are DATASET/TYPE" "$T/comps.json" \
	'j["evals/val"]["metrics"]=={"TinyStories/perplexity": 3.42, "HellaSwag/acc_norm": 29.1, "HellaSwag/perplexity": 12.5}'

# --- metrics_from: rejections ---
# card DESC PATTERN: $R/bad.md (written by the caller) refused by check, exit 3
card() {
	mkman "$R/badcard.yaml" training training '    metrics_from: bad.md'
	expect_fail 3 "$2" "metrics_from, $1: exit 3 and the place" "$OSPACK" check "$R/badcard.yaml"
}
printf '# no front matter\n' >"$R/bad.md"
card "no front matter" 'bad.md:1:1: no YAML front matter'
printf -- '---\nmodel-index: []\n# never closed\n' >"$R/bad.md"
card "a front matter never closed" 'bad.md:4:1: the front matter does not end'
printf -- '---\nlicense: mit\n---\n# card\n' >"$R/bad.md"
card "no model-index" 'bad.md:2:1: the front matter has no model-index'
printf -- '---\nmodel-index:\n- name: m\n  results: []\n---\n' >"$R/bad.md"
card "no metrics" 'bad.md:3:1: model-index: no metrics in its results'
printf -- '---\nmodel-index:\n- name: m\n  results:\n  - dataset: {name: D}\n    metrics:\n    - {type: acc, value: 1}\n    - {name: acc, value: 2}\n---\n' >"$R/bad.md"
card "a metric twice" "bad.md:8:7: metrics\[\]: duplicate metric 'acc' (first at line 7)"
printf -- '---\nmodel-index:\n- name: m\n  results:\n  - dataset: {name: D}\n    metrics:\n    - type: acc\n      value: high\n---\n' >"$R/bad.md"
card "a value that is not a number" 'bad.md:8:14: metrics\[\]\.value: expected a number'
printf -- '---\nmodel-index:\n- name: m\n  results:\n  - dataset: {name: D}\n    metrics:\n    - type: acc\n      value: [1]\n---\n' >"$R/bad.md"
card "a value that is a list" 'bad.md:8:14: metrics\[\]\.value: expected a number'
printf -- '---\nmodel-index:\n- name: m\n  results:\n  - dataset: {name: D}\n    metrics:\n    - value: 1\n---\n' >"$R/bad.md"
card "a metric without type or name" 'bad.md:7:7: metrics\[\]: a metric needs a type or a name'
printf -- '---\nmodel-index:\n- name: m\n  results:\n  - metrics:\n    - {type: acc, value: 1}\n---\n' >"$R/bad.md"
card "a result without a dataset" 'bad.md:5:5: results\[\]\.dataset: needs a name or a type'
printf -- '---\nmodel-index: {a: 1}\n---\n' >"$R/bad.md"
card "a model-index that is not a list" 'bad.md:2:14: model-index: expected a list'
printf -- '---\nmodel-index:\n  - name: [\n---\n' >"$R/bad.md"
card "front matter that is not YAML" 'bad.md:[0-9]*:[0-9]*: front matter: '
python3 -c 'import sys; sys.stdout.write("---\nx: \"" + "a" * (1024 * 1024) + "\"\n---\n")' >"$R/bad.md"
card "a front matter over 1 MiB" 'bad.md:1:1: the front matter is larger than 1 MiB'
# aliases: 100 models of 100 results of 100 metrics, in a few kilobytes
python3 -c 'import sys
h = lambda a: "[" + ", ".join([a] * 100) + "]"
sys.stdout.write("---\nx: &x {type: t, value: 1}\nr: &r {dataset: {name: D}, metrics: %s}\n"
                 "m: &m {name: m, results: %s}\nmodel-index: %s\n---\n" % (h("*x"), h("*r"), h("*m")))' >"$R/bad.md"
card "aliases that expand beyond the bound" 'bad.md:[0-9]*:[0-9]*: too many nodes'
mkman "$R/both.yaml" training training '    metrics: {a: 1}
    metrics_from: MODEL_CARD.md'
expect_fail 3 'both.yaml:17:19: evals\[0\].metrics_from: give metrics or metrics_from, not both' \
	"metrics and metrics_from together: exit 3" "$OSPACK" check "$R/both.yaml"
mkman "$R/missing.yaml" training training '    metrics_from: NOPE.md'
expect_fail 3 'missing.yaml:16:19: evals\[0\].metrics_from: NOPE.md: no such file' \
	"metrics_from naming no file: exit 3" "$OSPACK" build "$R/missing.yaml" -o "$T/no.tar"
ln -s MODEL_CARD.md "$R/link.md"
mkman "$R/link.yaml" training training '    metrics_from: link.md'
expect_fail 3 'link.yaml:16:19: evals\[0\].metrics_from: link.md: a symbolic link, not a file' \
	"metrics_from naming a symbolic link: exit 3" "$OSPACK" check "$R/link.yaml"
mkman "$R/abs.yaml" training training "    metrics_from: $R/MODEL_CARD.md"
expect_fail 3 "abs.yaml:16:19: evals\[0\].metrics_from: .*must be a relative path inside" \
	"metrics_from an absolute path: exit 3" "$OSPACK" check "$R/abs.yaml"

done_testing
