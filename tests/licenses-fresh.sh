# SPDX-License-Identifier: Apache-2.0
# Checks that the committed lib/licenses.c is what tools/gen-licenses.py makes from its inputs.
. "${top_srcdir:-.}/tests/lib.sh"

GEN=$top_srcdir/tools/gen-licenses.py
MOF=$SHARED/reference/mof
REUSE=/usr/lib/python3/dist-packages/reuse/resources
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
[ -f "$REUSE/licenses.json" ] || skip_all "the reuse package's SPDX list is not installed"

if [ -f "$MOF/licenses.json" ] && [ -f "$MOF/mof-licenses.json" ]; then
	run python3 "$GEN" "$MOF/licenses.json" "$MOF/mof-licenses.json" -o "$T/licenses.c"
	ok "$rc" "the generator runs with the MOF lists"
	[ -s "$T/err" ]
	ok $((1 - $?)) "every open license is classified (no warning)"
	cmp -s "$T/licenses.c" "$top_srcdir/lib/licenses.c"
	ok $? "lib/licenses.c is up to date (make regen-licenses)"
else
	skip "the generator runs with the MOF lists" "$MOF is absent"
	skip "every open license is classified" "$MOF is absent"
	skip "lib/licenses.c is up to date" "$MOF is absent"
fi

# Without ../shared the generator still works, from the SPDX list alone.
run python3 "$GEN" -o "$T/base.c"
ok "$rc" "the generator runs without the MOF lists"
grep -q '^const char osp_license_table_version\[\] = "3.19";' "$T/base.c"
ok $? "the table without the MOF lists says SPDX list 3.19"
grep -A1 '{"OpenMDW-1.0"' "$T/base.c" | grep -q 'OSP_LIC_OPEN_DATA | OSP_LIC_PERMISSIVE'
ok $? "OpenMDW-1.0 is an open, permissive license even without the MOF lists"
run python3 "$GEN"
cmp -s "$T/out" "$T/base.c"
ok $? "the output is the same on standard output and in a file"

done_testing
