#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ospack check: openness levels at each level and just short of it, --require, --mof, mof.yaml.
. "${top_srcdir:-.}/tests/lib.sh"

EX=$top_srcdir/manifests/example
BAG=tiny-stories-15m-1.0.0
MOFREF=$SHARED/reference/mof
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
have_py=false
$PY -c 'import json' 2>/dev/null && have_py=true
have_schema=false
$have_py && $PY -c 'import jsonschema, yaml' 2>/dev/null && have_schema=true

# --- helpers ---

# report MANIFEST: runs 'ospack check' on it, as text into $T/text and as JSON into $T/json.
report() {
	"$OSPACK" check "$1" >"$T/text" 2>"$T/text.err"
	text_rc=$?
	"$OSPACK" check "$1" --json >"$T/json" 2>"$T/json.err"
	json_rc=$?
}

# level DESC LEVEL met|short [REASON...]: in the last report, LEVEL is met, or is not met
# for exactly these reasons (in any order); once in the text, once in the JSON.
level() {
	desc=$1 lv=$2 want=$3
	shift 3
	printf '%s\n' "$@" | sed '/^$/d' | LC_ALL=C sort >"$T/want"
	awk -v l="$lv" '$1 == l && ($2 == "met" || $2 == "NOT") { on = 1; print; next }
		on && /^      - / { print; next } { on = 0 }' "$T/text" >"$T/block"
	sed -n 's/^      - //p' "$T/block" | LC_ALL=C sort >"$T/got"
	st='NOT MET'
	[ "$want" = met ] && st=met
	if [ "$text_rc" -eq 0 ] && head -n 1 "$T/block" | grep -q "^  $lv  *$st\( (\|\$\)" &&
		cmp -s "$T/want" "$T/got"; then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		diag "exit $text_rc, stderr: $(cat "$T/text.err")" "report:" "$(cat "$T/block")" \
			"want $lv $st, with:" "$(cat "$T/want")"
	fi
	if ! $have_py; then
		need_skip "$desc (--json)" "python3 missing"
		return
	fi
	$PY - "$T/json" "$lv" "$want" "$@" >"$T/py" 2>&1 <<'EOF'
import json, sys
path, lv, want, reasons = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
got = json.load(open(path))["openness"]["levels"][lv]
assert got["met"] is (want == "met"), got
assert sorted(got["missing"]) == sorted(reasons), got["missing"]
EOF
	py_rc=$?
	[ "$json_rc" -eq 0 ] && [ $py_rc -eq 0 ]
	ok $? "$desc (--json)"
	[ "$json_rc" -eq 0 ] && [ $py_rc -eq 0 ] || diag "exit $json_rc" "$(cat "$T/py")"
}

# mofclass DESC CLASS LABEL P3 P2 P1: the last report's MOF class and progress (one decimal).
mofclass() {
	desc=$1 cls=$2 label=$3
	grep -qx "MOF class: $label" "$T/text" &&
		grep -q "^  mof-class-3  *[A-Z met]*($4%[^)]*)\$" "$T/text" &&
		grep -q "^  mof-class-2  *[A-Z met]*($5%[^)]*)\$" "$T/text" &&
		grep -q "^  mof-class-1  *[A-Z met]*($6%[^)]*)\$" "$T/text"
	ok $? "$desc"
	if ! $have_py; then
		need_skip "$desc (--json)" "python3 missing"
		return
	fi
	$PY - "$T/json" "$cls" "$label" "$4" "$5" "$6" >"$T/py" 2>&1 <<'EOF'
import json, sys
mof = json.load(open(sys.argv[1]))["openness"]["mof"]
assert mof["class"] == int(sys.argv[2]) and mof["label"] == sys.argv[3], mof
for k, want in zip("321", sys.argv[4:7]):
    assert round(mof["progress"][k], 1) == float(want), (k, mof["progress"])
EOF
	ok $? "$desc (--json)"
	[ -s "$T/py" ] && diag "$(cat "$T/py")"
}

# mkm FILE RELEASE-LICENSE ENTRY...: writes a manifest in $R. An ENTRY is
# section/name/file[/key=value]..., e.g. code/infer/infer.py/role=inference/license=MIT.
mkm() {
	mf=$1 rlic=$2
	shift 2
	{
		printf 'ospack: 1\nname: t\nversion: "1"\n'
		[ -n "$rlic" ] && printf 'license: %s\n' "$rlic"
		for s in datasets code checkpoints evals docs; do
			hdr=
			for e in "$@"; do
				case $e in "$s"/*) ;; *) continue ;; esac
				[ -z "$hdr" ] && printf '%s:\n' "$s" && hdr=1
				rest=${e#*/} && name=${rest%%/*}
				rest=${rest#*/} && path=${rest%%/*}
				printf '  - name: %s\n    path: %s\n' "$name" "$path"
				[ "$rest" = "$path" ] && continue
				rest=${rest#*/}
				set -f && oifs=$IFS && IFS=/
				for kv in $rest; do printf '    %s: %s\n' "${kv%%=*}" "${kv#*=}"; done
				IFS=$oifs && set +f
			done
		done
	} >"$R/$mf"
}

# The files the manifests name, and one entry of each kind.
R=$T/rel
mkdir "$R"
for f in arch.py infer.py train.py prep.py eval.py w.bin i.bin train.jsonl eval.jsonl \
	results.json card.md datacard.md paper.md report.md; do
	echo "$f" >"$R/$f"
done
ARCH=code/arch/arch.py/role=architecture
INFER=code/infer/infer.py/role=inference
TRAIN=code/train/train.py/role=training
PREP=code/prep/prep.py/role=preprocessing
EVALC=code/eval/eval.py/role=evaluation
FINAL=checkpoints/final/w.bin/final=true/step=2
INTER=checkpoints/step-1/i.bin/step=1
DATA=datasets/corpus/train.jsonl/role=training
EDATA=datasets/evalset/eval.jsonl/role=evaluation
RESULTS=evals/results/results.json
CARD=docs/card/card.md/type=model-card
DCARD=docs/data-card/datacard.md/type=data-card
PAPER=docs/paper/paper.md/type=paper
REPORT=docs/report/report.md/type=technical-report

# --- the example ---
run "$OSPACK" check "$EX/manifest.yaml"
[ "$rc" -eq 0 ] && grep -q '^tiny-stories-15m 1.0.0: the manifest is valid; 15 files' "$T/out" &&
	[ ! -s "$T/err" ]
ok $? "check the example: exit 0, the manifest is valid, 15 files, nothing on stderr"
report "$EX/manifest.yaml"
level "example: baseline met" baseline met
level "example: open-science met" open-science met
level "example: mof-class-3 met" mof-class-3 met
level "example: mof-class-2 met" mof-class-2 met
level "example: mof-class-1 NOT MET, the research paper missing" mof-class-1 short \
	"Research paper: missing"
mofclass "example: Class II - Open Tooling Model, 100/100/92.9%" 2 \
	"Class II - Open Tooling Model" 100.0 100.0 92.9
grep -q '^  Research paper  *I  *MISSING ' "$T/text" &&
	grep -q '^  Technical report  *III  *yes  *CC-BY-4.0 .*docs/report$' "$T/text" &&
	grep -q '^  Datasets  *I  *yes  *CDLA-Permissive-2.0  *open, fits data  *datasets/tinystories$' "$T/text"
ok $? "example: the component table shows presence, license, fit and entries"
if $have_py; then
	$PY - "$T/json" <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1
j = json.loads(lines[0])
assert j["name"] == "tiny-stories-15m" and j["version"] == "1.0.0" and j["files"] == 15
comps = {c["name"]: c for c in j["openness"]["components"]}
assert len(comps) == 17
assert comps["Research paper"]["status"] == "missing" and not comps["Research paper"]["present"]
assert comps["Model architecture"]["entries"] == ["code/model"]
assert comps["Model parameters (Intermediate)"]["entries"] == ["checkpoints/step-1000"]
assert comps["Evaluation data"]["license"] == "CDLA-Permissive-2.0"
assert abs(j["openness"]["mof"]["progress"]["1"] - 100 * 13 / 14) < 1e-9
EOF
	ok $? "example --json: one line with name, files, 17 components, and progress 13/14 for class I"
else
	need_skip "example --json: one line with the components" "python3 missing"
fi

run "$OSPACK" check "$EX/manifest.yaml" --require mof-class-2
[ "$rc" -eq 0 ] && [ ! -s "$T/err" ] && grep -q '^MOF class: Class II' "$T/out"
ok $? "example --require mof-class-2: exit 0, the report, nothing on stderr"
run "$OSPACK" check "$EX/manifest.yaml" --require mof-class-1
[ "$rc" -eq 1 ] &&
	grep -qx 'ospack: the release does not reach mof-class-1: Research paper: missing' "$T/err" &&
	grep -q '^MOF class: Class II' "$T/out"
ok $? "example --require mof-class-1: exit 1 naming the research paper, the report still on stdout"
run "$OSPACK" check "$EX/manifest.yaml" --require mof-class-1 --json
[ "$rc" -eq 1 ] && grep -q 'Research paper: missing' "$T/err" && grep -q '"mof-class-1":{"met":false' "$T/out"
ok $? "--require mof-class-1 --json: exit 1, the reason on stderr, the JSON report on stdout"
expect_fail 2 "--require: 'nonsense' is not baseline, open-science, mof-class-3, mof-class-2 or mof-class-1" \
	"--require nonsense: exit 2 listing the levels" \
	"$OSPACK" check "$EX/manifest.yaml" --require nonsense
[ ! -s "$T/out" ]
ok $? "--require nonsense is a usage error: it prints no report"
[ -s "$T/out" ] && diag "stdout has $(wc -l <"$T/out") lines of report before the usage error"
expect_fail 2 "'nonsense' is not baseline" \
	"--require nonsense is a usage error even when the manifest does not exist" \
	"$OSPACK" check "$T/no-such-manifest.yaml" --require nonsense

# --- baseline ---
mkm b-met.yaml Apache-2.0 $INFER $FINAL $CARD/license=CC-BY-4.0
report "$R/b-met.yaml"
level "baseline met: permissive weights and inference code, licensed model card" baseline met
level "baseline met, but open-science not: each missing part named" open-science short \
	"no training datasets (a dataset entry with role training)" \
	"no training code (a code entry with role training)" \
	"no data preprocessing code (a code entry with role preprocessing)" \
	"no intermediate checkpoints (final: false)" \
	"no evaluation code (a code entry with role evaluation)" \
	"no evaluation results (an evals entry)" \
	"no paper or technical report (a docs entry with type paper or technical-report)"
mofclass "baseline only: Unclassified, class III at 2 of 6" 0 Unclassified 33.3 0.0 0.0

mkm b-arch.yaml MIT $ARCH $FINAL $CARD
report "$R/b-arch.yaml"
level "baseline met with architecture code instead of inference code" baseline met

mkm b-inherit.yaml GPL-3.0-only $INFER/license=MIT $FINAL/license=Apache-2.0 $CARD
report "$R/b-inherit.yaml"
level "baseline met: entries override a GPL release license, the model card keeps it (open)" \
	baseline met

mkm b-inherit-code.yaml GPL-3.0-only $INFER $FINAL/license=MIT $CARD
report "$R/b-inherit-code.yaml"
level "baseline short: inference code inherits GPL-3.0-only from the release" baseline short \
	"code/infer: GPL-3.0-only is not permissive (copyleft)"

mkm b-nofinal.yaml Apache-2.0 $INFER checkpoints/last/w.bin/step=2 $CARD
report "$R/b-nofinal.yaml"
level "baseline short: a checkpoint, but none final" baseline short \
	"no final weights (a checkpoint with final: true)"

mkm b-nc.yaml Apache-2.0 $INFER $FINAL/license=CC-BY-NC-4.0 $CARD
report "$R/b-nc.yaml"
level "baseline short: final weights under CC-BY-NC-4.0" baseline short \
	"checkpoints/final: CC-BY-NC-4.0 is not an open license"

mkm b-gpl.yaml Apache-2.0 $INFER $FINAL/license=GPL-3.0-only $CARD
report "$R/b-gpl.yaml"
level "baseline short: final weights under GPL-3.0-only (copyleft)" baseline short \
	"checkpoints/final: GPL-3.0-only is not permissive (copyleft)"

mkm b-or.yaml Apache-2.0 $INFER "$FINAL/license=CC-BY-NC-4.0 OR MIT" $CARD
report "$R/b-or.yaml"
level "baseline met: weights under CC-BY-NC-4.0 OR MIT (the permissive choice counts)" baseline met

mkm b-train.yaml Apache-2.0 $TRAIN $FINAL $CARD
report "$R/b-train.yaml"
level "baseline short: training code only, no code to run the weights" baseline short \
	"no code to run the weights (a code entry with role inference or architecture)"

mkm b-nocard.yaml Apache-2.0 $INFER $FINAL $REPORT
report "$R/b-nocard.yaml"
level "baseline short: no model card" baseline short \
	"no model card (a docs entry with type model-card)"

mkm b-unlic.yaml "" $INFER/license=MIT $FINAL/license=MIT $CARD
report "$R/b-unlic.yaml"
level "baseline short: a model card without a license, none anywhere" baseline short \
	"docs/card: no license"

mkm b-cardnc.yaml MIT $INFER $FINAL $CARD/license=CC-BY-NC-4.0
report "$R/b-cardnc.yaml"
level "baseline short: a model card under CC-BY-NC-4.0" baseline short \
	"docs/card: CC-BY-NC-4.0 is not an open license"

mkm b-cardsa.yaml MIT $INFER $FINAL $CARD/license=CC-BY-SA-4.0
report "$R/b-cardsa.yaml"
level "baseline met: the model card needs only an open license (CC-BY-SA-4.0)" baseline met

mkm custom.yaml LicenseRef-custom $ARCH $INFER $FINAL $CARD $DCARD $REPORT $RESULTS
report "$R/custom.yaml"
level "LicenseRef-custom only: baseline short, custom terms named" baseline short \
	"checkpoints/final: LicenseRef-custom is not an open license (custom terms)" \
	"code/arch: LicenseRef-custom is not an open license (custom terms)" \
	"code/infer: LicenseRef-custom is not an open license (custom terms)" \
	"docs/card: LicenseRef-custom is not an open license (custom terms)"
level "LicenseRef-custom only: mof-class-3 short on every component" mof-class-3 short \
	"Model architecture: LicenseRef-custom is not an open license" \
	"Model parameters (Final): LicenseRef-custom is not an open license" \
	"Technical report: LicenseRef-custom is not an open license" \
	"Evaluation results: LicenseRef-custom is not an open license" \
	"Model card: LicenseRef-custom is not an open license" \
	"Data card: LicenseRef-custom is not an open license"
mofclass "LicenseRef-custom only: Unclassified at 0%" 0 Unclassified 0.0 0.0 0.0
grep -q '^  Model card  *III  *yes  *LicenseRef-custom  *NOT OPEN  *docs/card$' "$T/text"
ok $? "LicenseRef-custom only: the table marks the license NOT OPEN"

# --- open science ---
OS="$INFER $FINAL $CARD $TRAIN $PREP $EVALC $INTER $RESULTS"
mkm os-report.yaml Apache-2.0 $OS $DATA/license=CC-BY-SA-4.0 $REPORT/license=CC-BY-4.0
report "$R/os-report.yaml"
level "open-science met with a technical report, share-alike data" open-science met
mkm os-copyleft.yaml Apache-2.0 $INFER $FINAL $CARD $TRAIN/license=GPL-3.0-or-later $PREP \
	$EVALC/license=MPL-2.0 $INTER $RESULTS $DATA $PAPER/license=CC-BY-SA-4.0
report "$R/os-copyleft.yaml"
level "open-science met with a paper, and copyleft training and evaluation code" open-science met
for part in DATA TRAIN PREP INTER EVALC RESULTS REPORT; do
	set --
	for p in DATA TRAIN PREP INTER EVALC RESULTS REPORT; do
		[ $p = $part ] || eval "set -- \"\$@\" \"\$$p\""
	done
	mkm "os-no-$part.yaml" Apache-2.0 $INFER $FINAL $CARD "$@"
	case $part in
	DATA) why="no training datasets (a dataset entry with role training)" what="training data" ;;
	TRAIN) why="no training code (a code entry with role training)" what="training code" ;;
	PREP) why="no data preprocessing code (a code entry with role preprocessing)" what="preprocessing code" ;;
	INTER) why="no intermediate checkpoints (final: false)" what="intermediate checkpoint" ;;
	EVALC) why="no evaluation code (a code entry with role evaluation)" what="evaluation code" ;;
	RESULTS) why="no evaluation results (an evals entry)" what="evaluation results" ;;
	REPORT) why="no paper or technical report (a docs entry with type paper or technical-report)" what="paper or report" ;;
	esac
	report "$R/os-no-$part.yaml"
	level "open-science short: no $what" open-science short "$why"
done
mkm os-evaldata.yaml Apache-2.0 $OS $REPORT $EDATA
report "$R/os-evaldata.yaml"
level "open-science short: an evaluation dataset is not training data" open-science short \
	"no training datasets (a dataset entry with role training)"
mkm os-prepnc.yaml Apache-2.0 $INFER $FINAL $CARD $TRAIN $EVALC $INTER $RESULTS $DATA $REPORT \
	$PREP/license=CC-BY-NC-4.0
report "$R/os-prepnc.yaml"
level "open-science short: preprocessing code under CC-BY-NC-4.0" open-science short \
	"code/prep: CC-BY-NC-4.0 is not an open license"
mkm os-datanc.yaml Apache-2.0 $OS $REPORT $DATA/license=CC-BY-NC-SA-4.0
report "$R/os-datanc.yaml"
level "open-science short: training data under CC-BY-NC-SA-4.0" open-science short \
	"datasets/corpus: CC-BY-NC-SA-4.0 is not an open license"
mkm os-nobase.yaml Apache-2.0 $OS $DATA $REPORT
sed -i 's/^    step: 2$/    step: 2\n    license: GPL-3.0-only/' "$R/os-nobase.yaml"
report "$R/os-nobase.yaml"
level "open-science short only because the baseline is (copyleft weights)" open-science short \
	"the baseline is not met"

# --- MOF classes ---
C3="$ARCH $FINAL $REPORT $RESULTS $CARD $DCARD"
C2="$C3 $TRAIN $INFER $EVALC $EDATA"
mkm c3.yaml Apache-2.0 $C3
report "$R/c3.yaml"
level "mof-class-3 met: the six class III components, open" mof-class-3 met
level "mof-class-3 only: mof-class-2 names its four missing components" mof-class-2 short \
	"Training code: missing" "Inference code: missing" "Evaluation code: missing" \
	"Evaluation data: missing"
mofclass "mof-class-3 release: Class III - Open Model, 100/60/0%" 3 "Class III - Open Model" \
	100.0 60.0 0.0
mkm c3-paper.yaml Apache-2.0 $ARCH $FINAL $PAPER $RESULTS $CARD $DCARD
report "$R/c3-paper.yaml"
level "mof-class-3 met with a research paper in place of the technical report" mof-class-3 met
mkm c3-nodc.yaml Apache-2.0 $ARCH $FINAL $REPORT $RESULTS $CARD
report "$R/c3-nodc.yaml"
level "mof-class-3 short: no data card" mof-class-3 short "Data card: missing"
mofclass "no data card: Unclassified, class III at 5 of 6" 0 Unclassified 83.3 0.0 0.0
mkm c3-dcnc.yaml Apache-2.0 $ARCH $FINAL $REPORT $RESULTS $CARD $DCARD/license=CC-BY-NC-4.0
report "$R/c3-dcnc.yaml"
level "mof-class-3 short: the data card under CC-BY-NC-4.0" mof-class-3 short \
	"Data card: CC-BY-NC-4.0 is not an open license"
mkm c3-dcunlic.yaml "" $ARCH/license=MIT $FINAL/license=MIT $REPORT/license=CC-BY-4.0 \
	$RESULTS/license=CC0-1.0 $CARD/license=CC-BY-4.0 $DCARD
report "$R/c3-dcunlic.yaml"
level "mof-class-3 short: the data card without a license" mof-class-3 short \
	"Data card: present, but without a license"
grep -q '^  Data card  *III  *yes  *-  *NO LICENSE  *docs/data-card$' "$T/text"
ok $? "an unlicensed component shows NO LICENSE in the table"

mkm c2.yaml Apache-2.0 $C2
report "$R/c2.yaml"
level "mof-class-2 met" mof-class-2 met
level "mof-class-2 release: mof-class-1 names its four missing components" mof-class-1 short \
	"Datasets: missing" "Data preprocessing code: missing" \
	"Model parameters (Intermediate): missing" "Research paper: missing"
mofclass "mof-class-2 release: Class II, class I at 10 of 14" 2 "Class II - Open Tooling Model" \
	100.0 100.0 71.4
mkm c2-noed.yaml Apache-2.0 $C3 $TRAIN $INFER $EVALC
report "$R/c2-noed.yaml"
level "mof-class-2 short: no evaluation data" mof-class-2 short "Evaluation data: missing"
level "mof-class-2 short: mof-class-3 still met" mof-class-3 met
mofclass "no evaluation data: Class III, class II at 9 of 10" 3 "Class III - Open Model" \
	100.0 90.0 0.0
mkm c2-trainnc.yaml Apache-2.0 $C3 $TRAIN/license=CC-BY-NC-4.0 $INFER $EVALC $EDATA
report "$R/c2-trainnc.yaml"
level "mof-class-2 short: training code under CC-BY-NC-4.0" mof-class-2 short \
	"Training code: CC-BY-NC-4.0 is not an open license"

mkm c1.yaml Apache-2.0 $C2 $DATA $PREP $INTER $PAPER
report "$R/c1.yaml"
level "mof-class-1 met" mof-class-1 met
level "mof-class-1 release: baseline met" baseline met
level "mof-class-1 release: open-science met" open-science met
mofclass "mof-class-1 release: Class I - Open Science Model" 1 "Class I - Open Science Model" \
	100.0 100.0 100.0
mkm c1-paper.yaml Apache-2.0 $ARCH $FINAL $RESULTS $CARD $DCARD $TRAIN $INFER $EVALC $EDATA \
	$DATA $PREP $INTER $PAPER
report "$R/c1-paper.yaml"
level "mof-class-1 met with a paper and no technical report" mof-class-1 met
mkm c1-nointer.yaml Apache-2.0 $C2 $DATA $PREP $PAPER
report "$R/c1-nointer.yaml"
level "mof-class-1 short: no intermediate checkpoint" mof-class-1 short \
	"Model parameters (Intermediate): missing"
mofclass "no intermediate checkpoint: Class II, class I at 13 of 14" 2 \
	"Class II - Open Tooling Model" 100.0 100.0 92.9
mkm c1-paperref.yaml Apache-2.0 $C2 $DATA $PREP $INTER $PAPER/license=LicenseRef-journal
report "$R/c1-paperref.yaml"
level "mof-class-1 short: the paper under custom terms (LicenseRef-journal)" mof-class-1 short \
	"Research paper: LicenseRef-journal is not an open license"
mkm c1-datanc.yaml Apache-2.0 $C2 $DATA/license=CC-BY-NC-4.0 $PREP $INTER $PAPER
report "$R/c1-datanc.yaml"
level "mof-class-1 short: training data under CC-BY-NC-4.0" mof-class-1 short \
	"Datasets: CC-BY-NC-4.0 is not an open license"

# The table shows a component's whole license, not the first columns of it; a component of
# two entries (code/infer, code/infer2) is under both their licenses.
mkm longlic.yaml "" $INFER/license=MIT code/infer2/train.py/role=inference/license=Apache-2.0 \
	$FINAL/license=MIT $CARD/license=CC-BY-4.0 \
	"code/arch/arch.py/role=architecture/license=Apache-2.0 WITH LLVM-exception"
report "$R/longlic.yaml"
grep -q '^  Model architecture .*Apache-2.0 WITH LLVM-exception' "$T/text"
ok $? "the table shows a long license expression in full (Apache-2.0 WITH LLVM-exception)"
grep '^  Model architecture' "$T/text" | grep -q 'WITH LLVM-exception' ||
	diag "table line: $(grep '^  Model architecture' "$T/text")"
grep -q '^  Inference code  *II  *yes  *MIT AND Apache-2.0  .*code/infer, code/infer2$' "$T/text"
ok $? "a component of two entries: both licenses apply, both entries listed"

# --- --require on build: nothing written when the level is not met ---
mkdir "$T/bq" "$T/bq2"
(cd "$T/bq" && "$OSPACK" build "$EX/manifest.yaml" --require mof-class-1 >"$T/out" 2>"$T/err")
rc=$?
[ $rc -eq 1 ] &&
	grep -qx 'ospack: the release does not reach mof-class-1: Research paper: missing' "$T/err"
ok $? "build --require mof-class-1 of the example: exit 1 naming the research paper"
[ -z "$(ls -A "$T/bq")" ]
ok $? "and it writes neither the archive nor a temporary file in the working folder"
run "$OSPACK" build "$R/b-gpl.yaml" --require open-science -o "$T/bq2/out.tar"
[ "$rc" -eq 1 ] && grep -q 'does not reach open-science: the baseline is not met; no training datasets' "$T/err" &&
	grep -q 'no paper or technical report' "$T/err"
ok $? "build --require open-science falling short: exit 1 with every reason on one line"
[ -z "$(ls -A "$T/bq2")" ] && [ -z "$(find "$R" -name '*.tar*' -o -name '.*tmp*')" ]
ok $? "and leaves nothing beside -o nor in the manifest folder"
run "$OSPACK" build "$R/b-nc.yaml" --require baseline -o "$T/bq2/out.tar" --json
[ "$rc" -eq 1 ] && [ ! -s "$T/out" ] && [ ! -e "$T/bq2/out.tar" ] &&
	grep -q 'baseline: checkpoints/final: CC-BY-NC-4.0 is not an open license' "$T/err"
ok $? "build --require baseline --json falling short: exit 1, no JSON, the reason on stderr"
run "$OSPACK" build "$EX/manifest.yaml" --require mof-class-2 -q -o "$T/bq2/ex.tar"
[ "$rc" -eq 0 ] && [ -s "$T/bq2/ex.tar" ] && "$OSPACK" verify "$T/bq2/ex.tar" -q >/dev/null 2>&1
ok $? "build --require mof-class-2 of the example builds a bundle that verifies"
run "$OSPACK" build "$R/c1.yaml" --require mof-class-1 -q -o "$T/bq2/c1.tar"
[ "$rc" -eq 0 ] && [ -s "$T/bq2/c1.tar" ]
ok $? "build --require mof-class-1 of a class I release builds"

# --- invalid SPDX expressions: exit 3, file:line:column, key and message ---
# spdx_case DESC EXPR r|e PATTERN: EXPR as the release (r) or an entry's (e) license is
# refused with exit 3, a message matching PATTERN, and no report.
spdx_case() {
	if [ "$3" = r ]; then
		mkm spdx.yaml "$2" $INFER
	else
		mkm spdx.yaml "" "$INFER/license=$2"
	fi
	run "$OSPACK" check "$R/spdx.yaml"
	[ "$rc" -eq 3 ] && grep -q -e "$4" "$T/err" && [ ! -s "$T/out" ]
	ok $? "$1"
	[ "$rc" -eq 3 ] && grep -q -e "$4" "$T/err" && [ ! -s "$T/out" ] ||
		diag "exit $rc; stderr: $(cat "$T/err")" "want: $4"
}
spdx_case "release license Apache2: unknown identifier, located" Apache2 r \
	"spdx.yaml:4:10: license: invalid license expression: unknown license identifier 'Apache2' (did you mean 'Apache-2.0'?)$"
spdx_case "entry license 'MIT AND': a license expected after AND" "MIT AND" e \
	"spdx.yaml:8:14: code\[0\]\.license: invalid license expression: expected a license after 'AND'$"
spdx_case "lower-case operator: 'mit and apache-2.0' says to write AND" "mit and apache-2.0" e \
	"spdx.yaml:8:14: code\[0\]\.license: invalid license expression: operator 'and' must be written in upper case: 'AND'$"
spdx_case "a license after WITH is not an exception" "MIT WITH Apache-2.0" e \
	"code\[0\]\.license: invalid license expression: 'Apache-2.0' is a license, not a license exception$"
spdx_case "an unclosed parenthesis" "(MIT OR Apache-2.0" e \
	"code\[0\]\.license: invalid license expression: missing ')'$"
spdx_case "an empty LicenseRef-" "LicenseRef-" e \
	"code\[0\]\.license: invalid license expression: invalid license reference 'LicenseRef-'$"
mkm spdx-ok.yaml "" "$INFER/license=mit AND apache-2.0" $FINAL/license=gpl-2.0+ \
	"$ARCH/license=apache-2.0 WITH llvm-exception" $CARD/license=cc-by-4.0
report "$R/spdx-ok.yaml"
[ "$text_rc" -eq 0 ] && grep -q '^  Inference code  *II  *yes  *MIT AND Apache-2.0  ' "$T/text" &&
	grep -q '^  Model parameters (Final)  *III  *yes  *GPL-2.0+  ' "$T/text" &&
	grep -q '"license":"Apache-2.0 WITH LLVM-exception","name":"Model architecture"' "$T/json"
ok $? "identifiers and exceptions match ignoring case and are shown in SPDX spelling"
run "$OSPACK" check "$R/spdx.yaml" --json
[ "$rc" -eq 3 ] && [ ! -s "$T/out" ]
ok $? "check --json of an invalid manifest: exit 3 and nothing on stdout"

# --- check --mof ---
if [ -d "$MOFREF/Test_Data" ] && [ -d "$MOFREF/models" ]; then
	C2R=$MOFREF/Test_Data/Class2RTestFile_C1_77%-C2_100%-C3_100%_11C_1G_11L_11V_0I_11T.yml
	run "$OSPACK" check --mof "$C2R"
	[ "$rc" -eq 0 ] && grep -qx 'Class: Class II - Open Tooling Model' "$T/out" &&
		grep -q '^  Class I - Open Science Model  *76\.9%$' "$T/out" &&
		grep -q '^  Class II - Open Tooling Model  *100\.0%  met$' "$T/out" &&
		grep -q 'the research paper stands in for the technical report' "$T/out"
	ok $? "check --mof Class2R fixture: Class II, class I at 76.9%, the paper for the report"
	mof_expect() { # mof_expect FIXTURE: --json agrees with expected_results.json (by release.name)
		"$OSPACK" check --mof "$1" --json >"$T/mj" 2>"$T/err" &&
			$PY - "$T/mj" "$MOFREF/Test_Data/expected_results.json" <<'EOF'
import json, re, sys
got = json.load(open(sys.argv[1]))
text = re.sub(r",(\s*[]}])", r"\1", open(sys.argv[2]).read())  # it has trailing commas
want = [m["classification"] for m in json.loads(text)["models"]
        if m["release"]["name"] == got["name"]]
assert len(want) == 1, got["name"]
want = want[0]
assert got["class"] == want["class"] and got["label"] == want["label"], (got, want)
for k in "123":
    assert abs(got["progress"][k] - want["progress"][k]) < 1e-6, (k, got["progress"], want)
EOF
	}
	if $have_py; then
		mof_expect "$C2R"
		ok $? "check --mof --json Class2R fixture: class and progress of expected_results.json"
		mof_expect "$MOFREF/Test_Data/OnlyComponentLicenses_C1_47%-C2_45%-C3_50%_15C_0G_15L_7V_8I_6T.yml"
		ok $? "check --mof --json fixture with invalid licenses: class and progress as expected"
	else
		need_skip "check --mof --json fixtures agree with expected_results.json" "python3 missing"
		need_skip "check --mof --json fixture with invalid licenses" "python3 missing"
	fi
	run "$OSPACK" check --mof "$MOFREF/models/Amber.yml"
	[ "$rc" -eq 0 ] && grep -qx 'Model Openness Framework evaluation of Amber 7B' "$T/out" &&
		grep -qx 'Class: Class I - Open Science Model' "$T/out"
	ok $? "check --mof of a real model file (Amber, all open): Class I"
	run "$OSPACK" check --mof "$MOFREF/models/BLOOM.yml"
	[ "$rc" -eq 0 ] && grep -qx 'Class: Unclassified' "$T/out" &&
		grep -q '^  Class III - Open Model  *16\.7%$' "$T/out" &&
		grep -q "Model card: license 'BigScience-BLOOM-RAIL-1.0' is not an open license" "$T/out"
	ok $? "check --mof of BLOOM: Unclassified, its RAIL license named as not open"
else
	for d in "check --mof Class2R fixture" "fixture vs expected_results.json" \
		"fixture with invalid licenses" "real model Amber" "real model BLOOM"; do
		need_skip "$d" "$MOFREF absent"
	done
fi
printf 'framework:\n  name: Model Openness Framework\nrelease:\n  name: r\n  components:\n  - name: Bogus thing\n' >"$T/bad1.yml"
expect_fail 3 "bad1.yml:6:11: unknown MOF component 'Bogus thing'" \
	"check --mof of an unknown component: exit 3, located" "$OSPACK" check --mof "$T/bad1.yml"
printf 'release:\n  name: [unclosed\n' >"$T/bad2.yml"
expect_fail 3 'bad2.yml:[0-9]*:[0-9]*: ' "check --mof of broken YAML: exit 3, located" \
	"$OSPACK" check --mof "$T/bad2.yml"
printf 'release:\n  name: r\n  components:\n  - name: Datasets\n  - name: Datasets\n' >"$T/bad3.yml"
expect_fail 3 "bad3.yml:5:11: component 'Datasets' listed twice" \
	"check --mof of a component listed twice: exit 3, located" "$OSPACK" check --mof "$T/bad3.yml"
expect_fail 4 'nope.yml' "check --mof of a missing file: exit 4 naming it" \
	"$OSPACK" check --mof "$T/nope.yml"
expect_fail 2 '\-\-mof takes no MANIFEST' "check --mof FILE MANIFEST: a usage error" \
	"$OSPACK" check --mof "$T/bad1.yml" "$EX/manifest.yaml"
expect_fail 2 '\-\-require and --allow-dirty are for manifests' "check --mof with --require: a usage error" \
	"$OSPACK" check --mof "$T/bad1.yml" --require baseline

# --- the bundle's ospack/mof.yaml ---
# mofyaml DESC MANIFEST: builds it; its mof.yaml is valid against the schema and check --mof on it
# gives the class and progress that check gives on the manifest.
mofyaml() {
	if ! $have_schema || [ ! -f "$MOFREF/schema/mof_schema.json" ]; then
		need_skip "$1" "python3 jsonschema/yaml or $MOFREF missing"
		return
	fi
	"$OSPACK" build "$2" -q -o "$T/my.tar" &&
		bag=$(tar -tf "$T/my.tar" | sed -n 's,/ospack/mof\.yaml$,,p') &&
		tar -xOf "$T/my.tar" "$bag/ospack/mof.yaml" >"$T/mof.yaml" &&
		"$OSPACK" check "$2" --json >"$T/c.json" &&
		"$OSPACK" check --mof "$T/mof.yaml" --json >"$T/m.json" &&
		$PY - "$T/mof.yaml" "$MOFREF/schema/mof_schema.json" "$T/c.json" "$T/m.json" >"$T/py" 2>&1 <<'EOF'
import json, sys, yaml, jsonschema
doc = yaml.safe_load(open(sys.argv[1]))
schema = json.load(open(sys.argv[2]))
jsonschema.validate(doc, schema, format_checker=jsonschema.FormatChecker())
c = json.load(open(sys.argv[3]))["openness"]["mof"]
m = json.load(open(sys.argv[4]))
assert m["class"] == c["class"] and m["label"] == c["label"], (m["class"], c)
for k in "123":
    assert abs(m["progress"][k] - c["progress"][k]) < 1e-9, (k, m["progress"], c["progress"])
EOF
	ok $? "$1"
	[ -s "$T/py" ] && diag "$(tail -n 5 "$T/py")"
}
mofyaml "the example's mof.yaml is valid against the MOF schema and grades Class II as check does" \
	"$EX/manifest.yaml"
if $have_schema && [ -f "$MOFREF/schema/mof_schema.json" ]; then
	[ -s "$T/m.json" ] && grep -q '"class":2,' "$T/m.json" && grep -q '"name":"tiny-stories-15m"' "$T/m.json"
	ok $? "check --mof on the example's mof.yaml: class 2, release tiny-stories-15m"
else
	need_skip "check --mof on the example's mof.yaml: class 2" "python3 jsonschema/yaml or $MOFREF missing"
fi
mofyaml "mof.yaml of a class III release (report) agrees with check" "$R/c3.yaml"
mofyaml "mof.yaml of a class I release with a paper and no report agrees with check" "$R/c1-paper.yaml"
mofyaml "mof.yaml with an unlicensed data card agrees with check" "$R/c3-dcunlic.yaml"
mofyaml "mof.yaml with LicenseRef-custom everywhere agrees with check" "$R/custom.yaml"
mofyaml "mof.yaml with a component of two entries and a WITH exception agrees with check" "$R/longlic.yaml"

# --- inspect shows the report the statement carries ---
"$OSPACK" build "$EX/manifest.yaml" -q -o "$T/ex.tar"
run "$OSPACK" inspect "$T/ex.tar"
[ "$rc" -eq 0 ] && grep -q "^openness, as the publisher's statement reports it:" "$T/out" &&
	grep -qx 'MOF class: Class II - Open Tooling Model' "$T/out" &&
	grep -q '^  mof-class-1   NOT MET' "$T/out" && grep -qx '      - Research paper: missing' "$T/out"
ok $? "inspect shows the openness report: levels, reasons and the MOF class"
if $have_py; then
	"$OSPACK" inspect "$T/ex.tar" --json >"$T/i.json" &&
		tar -xOf "$T/ex.tar" "$BAG/ospack/statement.dsse.json" >"$T/dsse.json" &&
		"$OSPACK" check "$EX/manifest.yaml" --json >"$T/c.json" &&
		$PY - "$T/i.json" "$T/dsse.json" "$T/c.json" >"$T/py" 2>&1 <<'EOF'
import base64, json, sys
def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return abs(a - b) < 1e-9
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(same, a, b))
    return a == b
shown = json.load(open(sys.argv[1]))["openness"]
env = json.load(open(sys.argv[2]))
pred = json.loads(base64.b64decode(env["payload"]))["predicate"]["openness"]
checked = json.load(open(sys.argv[3]))["openness"]
assert same(shown, pred), "inspect --json differs from the statement's predicate"
assert same(pred, checked), "the statement's report differs from check --json"
assert pred["mof"]["class"] == 2
EOF
	ok $? "inspect --json shows predicate.openness of the signed statement, the same as check --json"
	[ -s "$T/py" ] && diag "$(tail -n 3 "$T/py")"
else
	need_skip "inspect --json shows predicate.openness" "python3 missing"
fi

# --- check writes nothing ---
mkdir -p "$T/quiet/cwd" && cp -R "$EX" "$T/quiet/ex" && cp "$R/b-met.yaml" "$T/quiet/ex/b.yaml" &&
	for f in infer.py w.bin card.md; do cp "$R/$f" "$T/quiet/ex/$f"; done
(cd "$T/quiet" && find . | LC_ALL=C sort) >"$T/before"
touch "$T/stamp"
sleep 1
st=$(
	cd "$T/quiet/cwd" || exit
	"$OSPACK" check ../ex/manifest.yaml >/dev/null 2>&1
	printf '%s' $?
	"$OSPACK" check ../ex/manifest.yaml --json >/dev/null 2>&1
	printf '%s' $?
	"$OSPACK" check ../ex/b.yaml --require mof-class-1 >/dev/null 2>&1
	printf '%s' $?
	"$OSPACK" check --mof ../ex/MODEL_CARD.md >/dev/null 2>&1
	printf '%s' $?
)
(cd "$T/quiet" && find . | LC_ALL=C sort) >"$T/after"
[ "$st" = 0013 ] && cmp -s "$T/before" "$T/after" && [ -z "$(find "$T/quiet" -newer "$T/stamp")" ]
ok $? "check (text, --json, --require falling short, --mof) creates or changes no file"
[ "$st" = 0013 ] || diag "exit statuses: $st (want 0, 0, 1, 3)"

# --- check validates the sources as build does ---
printf 'ospack: 1\nname: miss\nversion: "1"\ncode:\n  - name: infer\n    path: nope.py\n    role: inference\n' >"$R/miss.yaml"
expect_fail 3 'miss.yaml:6:11: code\[0\]\.path: nope.py: no such file or folder' \
	"check of a missing source path: exit 3 with file:line:column and key" \
	"$OSPACK" check "$R/miss.yaml"
[ ! -s "$T/out" ]
ok $? "and prints no report"
mkdir -p "$T/ln/d" && echo real >"$T/ln/d/real.txt" && ln -s real.txt "$T/ln/d/link.txt"
printf 'ospack: 1\nname: ln\nversion: "1"\ndatasets:\n  - name: d\n    path: d\n' >"$T/ln/m.yaml"
expect_fail 3 'datasets\[0\]: link.txt: a symbolic link' \
	"check of a folder source with a symbolic link: exit 3 naming it" "$OSPACK" check "$T/ln/m.yaml"
printf 'ospack: 1\nname: ln\nversion: "1"\ndatasets:\n  - name: d\n    path: d\n    follow_symlinks: true\n' >"$T/ln/m2.yaml"
run "$OSPACK" check "$T/ln/m2.yaml"
[ "$rc" -eq 0 ] && grep -q '^ln 1: the manifest is valid; 2 files' "$T/out"
ok $? "with follow_symlinks: true the same folder checks"

# --- usage ---
expect_fail 2 'a MANIFEST (or --mof FILE) is required' "check without a manifest: exit 2" "$OSPACK" check
expect_fail 2 'exactly one MANIFEST' "check of two manifests: exit 2" \
	"$OSPACK" check "$EX/manifest.yaml" "$EX/manifest.yaml"
run "$OSPACK" check --help
[ "$rc" -eq 0 ] && grep -q 'usage: ospack check MANIFEST \[--require LEVEL\]' "$T/out" &&
	grep -q 'mof-class-1   MOF Class I, Open Science Model' "$T/out"
ok $? "check --help: exit 0, the usage and the levels"

done_testing
