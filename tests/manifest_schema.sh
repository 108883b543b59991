#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# docs/manifest.schema.json: the example, every manifest in manifests/ and every whole manifest
# in docs/*.md validate against it; manifests that break its rules do not.
. "${top_srcdir:-.}/tests/lib.sh"

SCHEMA=$top_srcdir/docs/manifest.schema.json
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
$PY -c 'import jsonschema, yaml' 2>/dev/null ||
	need_skip_all "python3 with jsonschema and yaml missing (apt-get install python3-jsonschema python3-yaml)"

# validate.py SCHEMA FILE: exit 0 when FILE (YAML) is valid, 1 with the errors when not.
cat >"$T/validate.py" <<'PYEOF'
import json, sys
import jsonschema, yaml
schema = json.load(open(sys.argv[1]))
doc = yaml.safe_load(open(sys.argv[2]))
errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
for e in errors:
    print("/".join(map(str, e.path)) or "(top)", ":", e.message[:200])
sys.exit(1 if errors else 0)
PYEOF

# valid DESC FILE / invalid DESC FILE: FILE passes, or fails, the schema.
valid() {
	$PY "$T/validate.py" "$SCHEMA" "$2" >"$T/py" 2>&1
	ok $? "$1"
	[ -s "$T/py" ] && diag "$(cat "$T/py")"
}
invalid() {
	$PY "$T/validate.py" "$SCHEMA" "$2" >"$T/py" 2>&1
	[ $? -eq 1 ] && [ -s "$T/py" ]
	ok $? "$1"
	[ -s "$T/py" ] || diag "the schema accepted it"
}

$PY -c 'import json, sys, jsonschema
jsonschema.Draft7Validator.check_schema(json.load(open(sys.argv[1])))' "$SCHEMA" >"$T/py" 2>&1
ok $? "docs/manifest.schema.json is a valid draft-07 JSON Schema"
[ -s "$T/py" ] && diag "$(cat "$T/py")"

# --- the manifests of the project ---
valid "manifests/example/manifest.yaml is valid" "$top_srcdir/manifests/example/manifest.yaml"
find "$top_srcdir/manifests" -name '*.yaml' -o -name '*.yml' | LC_ALL=C sort >"$T/manifests"
while read -r f; do
	grep -q '^ospack:' "$f" || continue
	valid "manifest ${f#"$top_srcdir"/} is valid" "$f"
done <"$T/manifests"

# Every fenced yaml block of docs/*.md whose first line (comments aside) is 'ospack:', and
# every heredoc of a sh block that writes one ("cat > manifest.yaml <<'YAML'", as the tutorial).
mkdir "$T/snippets"
$PY - "$top_srcdir/docs" "$T/snippets" <<'PYEOF'
import glob, os, re, sys
docs, out = sys.argv[1], sys.argv[2]
for path in sorted(glob.glob(os.path.join(docs, "*.md"))):
    text = open(path, encoding="utf-8").read()
    blocks = list(re.finditer(r"^```ya?ml\n(.*?)^```", text, re.S | re.M))
    blocks += list(re.finditer(r"^cat > [^ ]+\.ya?ml <<'(\w+)'\n(.*?)^\1$", text, re.S | re.M))
    for m in blocks:
        body = m.group(m.lastindex)
        lines = [l for l in body.splitlines() if l.strip() and not l.lstrip().startswith("#")]
        if lines and lines[0].startswith("ospack:"):
            line = text.count("\n", 0, m.start()) + 2
            name = "%s:%d.yaml" % (os.path.basename(path), line)
            open(os.path.join(out, name), "w", encoding="utf-8").write(body)
PYEOF
n=0
for f in "$T/snippets"/*.yaml; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	s=$(basename "$f" .yaml)
	valid "the manifest in docs/$s is valid" "$f"
done
[ "$n" -ge 2 ]
ok $? "docs hold whole manifests to check ($n found; FORMAT.md and the tutorial have one each)"

# --- what the schema accepts and refuses ---
HEAD='ospack: 1
name: tiny
version: 1.0.0
'
good() { # good DESC YAML
	printf '%s%s' "$HEAD" "$2" >"$T/case.yaml"
	valid "accepted: $1" "$T/case.yaml"
}
bad() { # bad DESC YAML [WHOLE]: with WHOLE, YAML is the whole manifest
	if [ $# -gt 2 ]; then printf '%s' "$2"; else printf '%s%s' "$HEAD" "$2"; fi >"$T/case.yaml"
	invalid "refused: $1" "$T/case.yaml"
}

good "a role list, a license document, metrics_from, url and git sources" 'license: MIT
datasets:
  - name: web
    url: https://example.org/web.jsonl
    sha256: 9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08
    size: 10
    role: [training, validation]
code:
  - name: trainer
    git: ../trainer
    rev: v1.2.0
    subdir: src
    lfs: pointers
    repository: https://example.org/trainer.git
    role: [training, evaluation]
  - name: model
    path: src/model.py
    role: architecture
    follow_symlinks: true
evals:
  - name: card
    path: evals/val.json
    metrics_from: MODEL_CARD.md
docs:
  - name: license
    path: LICENSE
    type: license
'
good "a version and a revision YAML reads as numbers" 'code:
  - name: c
    git: repo
    rev: 1234567
    role: library
'
bad "an unknown top-level key (licence)" 'licence: MIT
'
bad "an unknown entry key" 'datasets:
  - name: d
    path: d
    rol: training
'
bad "a key of another section (final in datasets)" 'datasets:
  - name: d
    path: d
    final: true
'
bad "an entry with both path and git" 'code:
  - name: c
    path: src
    git: ../repo
    role: training
'
bad "an entry without a source" 'datasets:
  - name: d
'
bad "a code entry without a role" 'code:
  - name: c
    path: src
'
bad "a role outside the section's list" 'code:
  - name: c
    path: src
    role: validation
'
bad "an empty role list" 'code:
  - name: c
    path: src
    role: []
'
bad "a role list naming a role twice" 'code:
  - name: c
    path: src
    role: [training, training]
'
bad "both metrics and metrics_from" 'evals:
  - name: e
    path: e.json
    metrics: {loss: 1}
    metrics_from: MODEL_CARD.md
'
bad "a metric that is not a number" 'evals:
  - name: e
    path: e.json
    metrics: {loss: low}
'
bad "a docs type outside the list" 'docs:
  - name: d
    path: d.md
    type: readme
'
bad "a url entry without sha256" 'datasets:
  - name: d
    url: https://example.org/d
    size: 1
'
bad "rev with a path source" 'code:
  - name: c
    path: src
    rev: main
    role: training
'
bad "exclude with a url source" 'datasets:
  - name: d
    url: https://example.org/d
    sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
    size: 1
    exclude: ["*.tmp"]
'
bad "a release name in upper case" 'ospack: 1
name: Tiny
version: 1
' whole
bad "schema version 2" 'ospack: 2
name: tiny
version: 1
' whole
bad "no version" 'ospack: 1
name: tiny
' whole
bad "a negative step" 'checkpoints:
  - name: c
    path: c.bin
    step: -1
'

done_testing
