#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ospack verify --partial: whole components left out (as a partial pull leaves them) are named,
# not rejected; without it one rejection names them; whatever is there is checked as ever.
. "${top_srcdir:-.}/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"

EX=$top_srcdir/manifests/example/manifest.yaml
BAG=tiny-stories-15m-1.0.0
HINT='(a partial pull? `ospack verify --partial` checks the rest)'
MISSING='listed in the statement but missing from the bundle'

# expect_ok PATTERN DESC CMD...: exit 0 and a line of stdout is PATTERN (fixed string).
expect_ok() {
	pat=$1 desc=$2
	shift 2
	run "$@"
	if [ "$rc" -eq 0 ] && grep -q -x -F -e "$pat" "$T/out"; then ok 0 "$desc"; else
		ok 1 "$desc"
		diag "exit $rc (want 0); stdout:" "$(cat "$T/out")" "stderr:" "$(cat "$T/err")" "want: $pat"
	fi
}

# expect_rej MESSAGE DESC CMD...: exit 1 and stderr is exactly "ospack: <last arg>: MESSAGE".
expect_rej() {
	msg=$1 desc=$2
	shift 2
	run "$@"
	for last; do :; done
	if [ "$rc" -eq 1 ] && [ "$(cat "$T/err")" = "ospack: $last: $msg" ]; then ok 0 "$desc"; else
		ok 1 "$desc"
		diag "exit $rc (want 1); stderr:" "$(cat "$T/err")" "want: ospack: $last: $msg"
	fi
}

# left_out_is NAMES...: the --json result in $T/out lists exactly NAMES as left out.
left_out_is() {
	python3 - "$T/out" "$@" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
want = sys.argv[2:]
assert r["verified"] is True, r
assert r["left_out"] == want, (r["left_out"], want)
assert r["partial"] is bool(want), r["partial"]
PY
}

# fresh NAME KIND: a copy of KIND's unpacked bundle at $T/w/NAME; its bag folder is in $D.
fresh() {
	rm -rf "$T/w/$1"
	mkdir -p "$T/w/$1" && cp -R "$T/x/$2/$BAG" "$T/w/$1/" || exit 1
	D=$T/w/$1/$BAG
}

# ---- three bundles: unsigned; ECDSA-signed (so ospack/model.sig is there); Ed25519-signed ----
"$OSPACK" keygen -t ecdsa-p256 -o "$T/ec" >/dev/null 2>&1 &&
	"$OSPACK" keygen -t ed25519 -o "$T/ed" >/dev/null 2>&1
ok $? "keys made"
"$OSPACK" build "$EX" -o "$T/u.tar" -q && "$OSPACK" build "$EX" -o "$T/ec.tar" -k "$T/ec.key" -q &&
	"$OSPACK" build "$EX" -o "$T/ed.tar" -k "$T/ed.key" -q
ok $? "the example built unsigned, signed with ECDSA P-256, signed with Ed25519"
tar -tf "$T/ec.tar" | grep -q "^$BAG/ospack/model.sig$"
ok $? "the ECDSA bundle holds ospack/model.sig"
mkdir "$T/x" || exit 1
for k in u ec ed; do
	"$OSPACK" extract "$T/$k.tar" -C "$T/x/$k" -q || exit 1
done
"$OSPACK" inspect "$T/u.tar" --json >"$T/ins.json"
ok $? "inspect the example"
# comp WHAT [SECTION/NAME]: the number of components, or one's files or bytes; the release's.
comp() {
	python3 - "$T/ins.json" "$@" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["components"]
if sys.argv[2] == "count":
    print(len(c))
else:
    print(sum(x[sys.argv[2]] for x in c if len(sys.argv) < 4 or
              x["section"] + "/" + x["name"] == sys.argv[3]))
PY
}
ncomps=$(comp count)
[ "$ncomps" -eq 13 ]
ok $? "the example has 13 components"
FILES=$(comp files) BYTES=$(comp bytes)
OXUM="$BYTES.$FILES"
LF=$(comp files checkpoints/step-1000) LB=$(comp bytes checkpoints/step-1000)
POXUM="$((BYTES - LB)).$((FILES - LF))"

# All components, "SECTION/NAME", in the byte order of their folders.
ALL=$(cd "$T/x/u/$BAG/data" && find . -mindepth 2 -maxdepth 2 -type d | sed 's|^\./||' |
	awk '{ print $0 "/" }' | LC_ALL=C sort | sed 's|/$||')

# cut NAMES...: removes those components' folders from $D, and section folders left empty.
cut() {
	for c; do rm -rf "${D:?}/data/$c"; done
	for s in "$D"/data/*/; do rmdir "$s" 2>/dev/null; done
	return 0
}

for k in u ec ed; do
	keys=
	[ $k = ec ] && keys="-k $T/ec.pub"
	[ $k = ed ] && keys="-k $T/ed.pub"
	oms=
	[ $k = ec ] && oms=yes

	# -- one component left out
	fresh one $k
	cut checkpoints/step-1000
	# shellcheck disable=SC2086
	expect_rej "partial: 1 of $ncomps components are not here: checkpoints/step-1000 $HINT" \
		"$k: one component left out, without --partial: rejected, named" \
		"$OSPACK" verify $keys "$D"
	# shellcheck disable=SC2086
	expect_ok "partial: 1 component left out: checkpoints/step-1000" \
		"$k: one component left out, --partial: verified, named" \
		"$OSPACK" verify --partial $keys "$D"
	grep -q -x -F "$D: verified part of $BAG ($((FILES - LF)) files, $((BYTES - LB)) bytes; not the whole release)" "$T/out"
	ok $? "$k: the verified line says part of the release"
	if [ -n "$oms" ]; then
		grep -q -x -F "OMS signature ospack/model.sig: agrees with every file that is here, signed by a trusted key" "$T/out"
		ok $? "$k: model.sig verifies, trusted, with a component left out"
	fi
	# shellcheck disable=SC2086
	run "$OSPACK" verify --partial --json $keys "$D"
	[ "$rc" -eq 0 ] && left_out_is checkpoints/step-1000
	ok $? "$k: --json left_out is exactly the one component"

	# -- several left out
	fresh several $k
	cut datasets/tinystories code/trainer checkpoints/step-1000 docs/report
	# shellcheck disable=SC2086
	expect_rej "partial: 4 of $ncomps components are not here: checkpoints/step-1000, code/trainer, datasets/tinystories, docs/report $HINT" \
		"$k: four components left out, without --partial: rejected, all named in byte order" \
		"$OSPACK" verify $keys "$D"
	# shellcheck disable=SC2086
	expect_ok "partial: 4 components left out: checkpoints/step-1000, code/trainer, datasets/tinystories, docs/report" \
		"$k: four components left out, --partial: verified, named" \
		"$OSPACK" verify --partial $keys "$D"
	# shellcheck disable=SC2086
	run "$OSPACK" verify --partial --json $keys "$D"
	[ "$rc" -eq 0 ] && left_out_is checkpoints/step-1000 code/trainer datasets/tinystories docs/report
	ok $? "$k: --json left_out is exactly the four"

	# -- all but one (and the emptied section folders removed)
	fresh allbut1 $k
	# shellcheck disable=SC2046
	cut $(echo "$ALL" | grep -v -x docs/model-card)
	others=$(echo "$ALL" | grep -v -x docs/model-card)
	first10=$(echo "$others" | head -10 | paste -sd, - | sed 's/,/, /g')
	# shellcheck disable=SC2086
	expect_rej "partial: 12 of $ncomps components are not here: $first10, and 2 more $HINT" \
		"$k: all but one left out, without --partial: rejected, the first 10 named, and how many more" \
		"$OSPACK" verify $keys "$D"
	# shellcheck disable=SC2086
	run "$OSPACK" verify --partial --json $keys "$D"
	# shellcheck disable=SC2086
	[ "$rc" -eq 0 ] && left_out_is $others
	ok $? "$k: all but one left out, --partial: verified, --json left_out is exactly the twelve"

	# -- nothing left out
	fresh none $k
	# shellcheck disable=SC2086
	expect_ok "$D: verified $BAG ($FILES files, $BYTES bytes)" \
		"$k: nothing left out, --partial: verified, the whole release" \
		"$OSPACK" verify --partial $keys "$D"
	! grep -q '^partial:' "$T/out"
	ok $? "$k: nothing left out: no partial line"
	# shellcheck disable=SC2086
	run "$OSPACK" verify --partial --json $keys "$D"
	[ "$rc" -eq 0 ] && left_out_is
	ok $? "$k: nothing left out: --json left_out is [] and partial false"
done

# ---- what --partial still rejects (unsigned bundle) ----
V="$OSPACK verify --partial"

fresh half u
rm "$D/data/datasets/tinystories/part-001.jsonl"
expect_rej "data/datasets/tinystories/part-001.jsonl: $MISSING" \
	"one of a component's two files removed: the per-file error, even with --partial" $V "$D"
expect_rej "data/datasets/tinystories/part-001.jsonl: $MISSING" \
	"the same without --partial" "$OSPACK" verify "$D"
fresh half0 u
rm "$D/data/datasets/tinystories/part-000.jsonl"
cut checkpoints/step-1000
expect_rej "data/datasets/tinystories/part-000.jsonl: $MISSING" \
	"a component's first file removed (another component left out): the per-file error" $V "$D"

fresh emptydir u
rm "$D/data/checkpoints/step-1000/ckpt-1000.safetensors"
expect_rej "data/checkpoints/step-1000/ckpt-1000.safetensors: $MISSING" \
	"a left-out component's empty folder left behind: its file is missing, with --partial" $V "$D"
expect_rej "data/checkpoints/step-1000/ckpt-1000.safetensors: $MISSING" \
	"the same without --partial" "$OSPACK" verify "$D"

fresh emptysection u
rm -rf "$D/data/checkpoints/final" "$D/data/checkpoints/step-1000"
expect_ok "partial: 2 components left out: checkpoints/final, checkpoints/step-1000" \
	"a section folder left empty, all its components left out: verified with --partial" $V "$D"
mkdir "$D/data/nosuch"
expect_rej "data/nosuch/: a folder the statement does not account for" \
	"an empty folder of no section: rejected with --partial" $V "$D"

fresh extra u
cut code/trainer
echo extra >"$D/data/docs/model-card/extra.txt"
expect_rej "data/docs/model-card/extra.txt: not covered by the statement" \
	"an extra file in a present component: rejected with --partial" $V "$D"
fresh extra2 u
cut checkpoints/step-1000
mkdir "$D/data/checkpoints/step-1000" && echo x >"$D/data/checkpoints/step-1000/other.bin"
expect_rej "data/checkpoints/step-1000/ckpt-1000.safetensors: $MISSING" \
	"another file in a left-out component's place: its file is missing" $V "$D"

fresh modified u
cut datasets/tinystories
printf 'X' | dd of="$D/data/docs/model-card/MODEL_CARD.md" bs=1 seek=3 conv=notrunc 2>/dev/null
expect_rej "data/docs/model-card/MODEL_CARD.md: digest mismatch" \
	"a modified file in a present component: rejected with --partial" $V "$D"

fresh mode u
cut datasets/tinystories
chmod +x "$D/data/docs/model-card/MODEL_CARD.md"
expect_rej "data/docs/model-card/MODEL_CARD.md: mode 0755 differs from the statement's 0644" \
	"a mode changed in a present component: rejected with --partial" $V "$D"

fresh tag u
cut datasets/tinystories
echo more >>"$D/bag-info.txt"
expect_rej "bag-info.txt: digest mismatch" \
	"a tag file changed: rejected with --partial" $V "$D"

# ---- archives: the verifier is shared ----
python3 "$top_srcdir/tests/tamper.py" "$T/u.tar" "$T/p1.tar" remove data/checkpoints/step-1000/ckpt-1000.safetensors &&
	python3 "$top_srcdir/tests/tamper.py" "$T/p1.tar" "$T/p.tar" remove data/checkpoints/step-1000
ok $? "an archive without checkpoints/step-1000"
expect_rej "partial: 1 of $ncomps components are not here: checkpoints/step-1000 $HINT" \
	"an archive lacking a component, without --partial: rejected" "$OSPACK" verify "$T/p.tar"
expect_ok "partial: 1 component left out: checkpoints/step-1000" \
	"an archive lacking a component, --partial: verified" $V "$T/p.tar"
expect_ok "$T/u.tar: verified $BAG ($FILES files, $BYTES bytes)" \
	"a whole archive, --partial: verified" $V "$T/u.tar"
python3 "$top_srcdir/tests/tamper.py" "$T/p.tar" "$T/oxum.tar" tagedit bag-info.txt \
	"t = t.replace('Payload-Oxum: $OXUM', 'Payload-Oxum: $POXUM')" &&
	! cmp -s "$T/p.tar" "$T/oxum.tar"
ok $? "a partial archive whose Payload-Oxum counts only what is there"
expect_rej "bag-info.txt: Payload-Oxum $POXUM does not match the payload ($OXUM)" \
	"Payload-Oxum must still count the whole release with --partial" $V "$T/oxum.tar"

# ---- a format 1 bundle ----
expect_rej "ospack/statement.dsse.json: a format 1 bundle: partial verification needs format 2 (verify it without --partial)" \
	"a v1 bundle with --partial: rejected, saying why" $V "$top_srcdir/tests/data/v1-example.tar"

# ---- --help and the man page ----
"$OSPACK" verify --help | grep -q -e '--partial'
ok $? "verify --help lists --partial"
grep -q 'partial' "$top_srcdir/docs/ospack.1"
ok $? "the man page lists --partial"

done_testing
