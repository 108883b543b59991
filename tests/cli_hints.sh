#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ospack check: "did you mean" for keys and licenses, YAML indentation errors in plain words.
. "${top_srcdir:-.}/tests/lib.sh"

HEAD='ospack: 1
name: x
version: 1
'
: >"$T/f.txt"

# hint DESC TEXT WANT: 'ospack check' of a manifest holding TEXT exits 3, prints nothing on
# stdout, and its stderr holds WANT (a fixed string).
hint() {
	printf '%s' "$2" >"$T/m.yaml"
	run "$OSPACK" check "$T/m.yaml"
	[ "$rc" -eq 3 ] && grep -q -F -e "$3" "$T/err" && [ ! -s "$T/out" ]
	ok $? "$1"
	[ "$rc" -eq 3 ] && grep -q -F -e "$3" "$T/err" && [ ! -s "$T/out" ] ||
		diag "exit $rc (want 3); stderr: $(cat "$T/err")" "want: $3"
}

# --- did you mean: keys ---
hint "top-level licence: suggests license" "${HEAD}licence: MIT
" "m.yaml:4:1: licence: unknown key (did you mean 'license'?)"
hint "top-level descripton: suggests description" "${HEAD}descripton: a model
" "m.yaml:4:1: descripton: unknown key (did you mean 'description'?)"
hint "top-level Version in another case: suggests version" "ospack: 1
name: x
Version: 1
" "m.yaml:3:1: Version: unknown key (did you mean 'version'?)"
hint "top-level dataset: suggests datasets" "${HEAD}dataset: []
" "m.yaml:4:1: dataset: unknown key (did you mean 'datasets'?)"
hint "entry rol: suggests role" "${HEAD}code:
  - name: c
    rol: training
    path: f.txt
" "m.yaml:6:5: code[0].rol: unknown key (did you mean 'role'?)"
hint "entry licence: suggests license" "${HEAD}datasets:
  - name: d
    path: f.txt
    licence: MIT
" "m.yaml:7:5: datasets[0].licence: unknown key (did you mean 'license'?)"
hint "entry key of another section: no suggestion, says the section" "${HEAD}evals:
  - name: e
    path: f.txt
    role: training
" "m.yaml:7:5: evals[0].role: unknown key in evals"
# A key with nothing near it gets no hint: the message ends with "unknown key".
printf '%scolour: red\n' "$HEAD" >"$T/m.yaml"
run "$OSPACK" check "$T/m.yaml"
[ "$rc" -eq 3 ] && grep -q "m.yaml:4:1: colour: unknown key\$" "$T/err"
ok $? "an unknown key far from every key: no suggestion"

# --- did you mean: licenses ---
hint "license 'apache 2' suggests Apache-2.0" "${HEAD}license: apache 2
" "m.yaml:4:10: license: invalid license expression: unknown license identifier 'apache' (did you mean 'Apache-2.0'?)"
hint "license 'MIT License' suggests MIT" "${HEAD}license: MIT License
" "m.yaml:4:10: license: invalid license expression: expected 'AND' or 'OR' between 'MIT' and 'License' (did you mean 'MIT'?)"
hint "license 'GPL v3' suggests GPL-3.0-only" "${HEAD}license: GPL v3
" "(did you mean 'GPL-3.0-only'?)"
hint "license 'BSD 3 clause' suggests BSD-3-Clause" "${HEAD}license: BSD 3 clause
" "(did you mean 'BSD-3-Clause'?)"
hint "entry license 'Apahce-2.0' (a swap) suggests Apache-2.0" "${HEAD}datasets:
  - name: d
    path: f.txt
    license: Apahce-2.0
" "m.yaml:7:14: datasets[0].license: invalid license expression: unknown license identifier 'Apahce-2.0' (did you mean 'Apache-2.0'?)"
printf '%slicense: proprietary\n' "$HEAD" >"$T/m.yaml"
run "$OSPACK" check "$T/m.yaml"
[ "$rc" -eq 3 ] && grep -q "unknown license identifier 'proprietary'\$" "$T/err"
ok $? "a license nothing resembles: no suggestion"
# 'mit' is valid SPDX: identifiers match ignoring case (cli_check.sh shows them canonical).
printf '%slicense: mit\n' "$HEAD" >"$T/m.yaml"
run "$OSPACK" check "$T/m.yaml"
[ "$rc" -eq 0 ] && [ ! -s "$T/err" ]
ok $? "license 'mit' is accepted, without a hint"

# --- YAML errors in plain words ---
hint "a key indented more than the one above it" "${HEAD}datasets:
  - name: d
      path: f.txt
" "m.yaml:6:11: yaml: 'path:' is indented more than 'name:' above it (line 5) [libyaml: mapping values are not allowed in this context]"
hint "a top-level key indented by one space" "ospack: 1
 name: x
version: 1
" "m.yaml:2:6: yaml: 'name:' is indented more than 'ospack:' above it (line 1)"
hint "a key indented less than the one above it" "${HEAD}datasets:
  - name: d
   path: f.txt
" "m.yaml:6:4: yaml: 'path:' (line 6, column 4) is indented less than 'name:' above it (line 5, column 5): keys of one mapping start in the same column [libyaml: did not find expected '-' indicator while parsing a block collection]"
hint "a key indented less than the entry, more than the section" "${HEAD}datasets:
  - name: d
 path: f.txt
" "m.yaml:6:2: yaml: 'path:' (line 6, column 2) is indented less than 'name:' above it (line 5, column 5): keys of one mapping start in the same column [libyaml: did not find expected key while parsing a block mapping]"
hint "a list item out of line with the one above" "${HEAD}datasets:
  - name: d
    path: f.txt
   - name: e
" "m.yaml:7:4: yaml: the list item at line 7 (column 4) does not line up with the list item at line 5 (column 3)"
hint "a list item where a key is expected" "${HEAD}- name: d
" "m.yaml:4:1: yaml: a list item at line 4, where a key like 'version:' above it (line 3) is expected [libyaml: did not find expected key while parsing a block mapping]"
hint "a list on the same line as its key" "${HEAD}datasets: - name: d
" "m.yaml:4:11: yaml: a list cannot start on the same line as 'datasets:' (line 4): put '- ' on the next line, indented [libyaml: block sequence entries are not allowed in this context]"
hint "a '-' without a space" "${HEAD}datasets:
  - name: d
    path: f.txt
  -name: e
" "m.yaml:7:3: yaml: a '-' at line 7, column 3 needs a space after it to start a list item"
hint "a tab in the indentation of a key" "${HEAD}datasets:
  - name: d
	path: f.txt
" "m.yaml:6:1: yaml: a tab character at line 6, column 1: YAML indents with spaces [libyaml: found a tab character that violates indentation while scanning a plain scalar]"
hint "a tab before a list item" "${HEAD}datasets:
	- name: d
" "m.yaml:5:1: yaml: a tab character at line 5, column 1: YAML indents with spaces [libyaml: found character that cannot start any token while scanning for the next token]"
hint "a key without a space after its colon" "${HEAD}license:MIT
" "m.yaml:5:1: yaml: 'license:MIT' at line 4: a key needs a space after its ':' [libyaml: could not find expected ':' while scanning a simple key]"
hint "a value holding ': '" "${HEAD}description: a: b
" "m.yaml:4:15: yaml: a second ': ' on line 4, in the value of 'description:': put the value in quotes [libyaml: mapping values are not allowed in this context]"
# An error without a plain account keeps libyaml's words alone.
hint "an unclosed quote: libyaml's words" "${HEAD}description: \"abc
" "m.yaml:5:1: yaml: found unexpected end of stream while scanning a quoted scalar"

done_testing
