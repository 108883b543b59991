#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Mutation testing: each mutant is one deliberate bug in lib/, a perl substitution. It is built
# in a copy of the tree (the checkout is never touched) and the tests it names must then fail:
# the mutant is killed. A mutant they let pass survived: a gap in the tests.
#   tools/mutate.sh [NAME]...     (make mutate [MUTANTS="NAME..."])
# Exits 0 only when every mutant chosen was killed. MUTATE_KEEP=1 keeps the copy.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)

names=() files=() substs=() tests=()
# mutant NAME FILE PERL-SUBSTITUTION TESTS
mutant() { names+=("$1"); files+=("$2"); substs+=("$3"); tests+=("$4"); }

VR=tests/verify_rejections.sh
mutant oxum-file-count lib/verify/finish.c 's/if \(o != octets \|\| c != count\)/if (o != octets)/' "$VR"
mutant tagmanifest-count lib/verify/finish.c 's/rc == OSPACK_OK && n != ntags/rc == OSPACK_OK \&\& 0/' "$VR"
mutant tagmanifest-twice lib/verify/finish.c 's/rc == OSPACK_OK && listed\[f - v->tags\]/0 \&\& listed[f - v->tags]/' "$VR"
mutant statement-type lib/verify/finish.c \
	's/strcmp\(type, OSP_STATEMENT_TYPE\) == 0 && strcmp\(ptype, OSP_PREDICATE_TYPE\) == 0/strcmp(ptype, OSP_PREDICATE_TYPE) == 0/' "$VR"
mutant predicate-type lib/verify/finish.c \
	's/else\n\t\trc = osp_reject\(v, "%s: statement type/else\n\t\trc = finish_v2(v, subjects, pred);\n\tif (0)\n\t\trc = osp_reject(v, "%s: statement type/' "$VR"
mutant subject-twice lib/verify/finish.c 's/for \(size_t k = 0; k < i; k\+\+\)\n(\t+if \(strcmp\(name)/for (size_t k = 0; k < i \&\& 0; k++)\n$1/' "$VR"
mutant list-twice lib/verify/finish.c 's/strcmp\(l->prev, l->path\) >= 0/strcmp(l->prev, l->path) > 0/' "$VR"
mutant files-mode lib/verify/finish.c 's/: r->mode != files->mode\)/: 0)/' "$VR"
mutant component-count lib/verify/finish.c 's/c->seen_files != c->files \|\| //' "$VR"
mutant url-path lib/verify/finish.c 's/if \(strncmp\(fe->path, "data\/", 5\) != 0 \|\|/if (/' "$VR"
mutant fetch-same lib/verify/finish.c 's/return same \? OSPACK_OK/return (same || 1) ? OSPACK_OK/' "$VR"
mutant payload-after-tags lib/verify/stream.c 's/if \(v->in_tags\) \{/if (0) {/' "$VR"
mutant tag-files-max lib/verify/verifier.h 's/#define OSP_TAG_FILES_MAX 64/#define OSP_TAG_FILES_MAX 80/' "$VR"
mutant header-mtime lib/verify/finish.c 's/if \(v->mtime < 0\)\n/if (1)\n/' "$VR"
mutant tar-flush-order lib/tar_write.c 's/ \|\| n >= OUT_BUF \/ 2\) && flush_out/) \&\& flush_out/' "tests/cli_build.sh"
mutant bag-line-digest lib/bag.c 's/if \(i != hexlen \|\| i == n/if (i < 8 || i == n/' "$VR"
mutant bag-encode-percent lib/bag.c 's/osp_buf_puts\(b, "%25"\);/osp_buf_putc(b, 0x25);/' "tests/test_bag"
mutant dsse-pae lib/dsse.c 's/"DSSEv1 %zu "/"DSSEv1  %zu "/' "tests/test_sign"
mutant sign-verify lib/sign.c 's/EVP_DigestVerify\(md, sig, siglen, msg, n\) == 1/EVP_DigestVerify(md, sig, siglen, msg, n) >= 0/' \
	"tests/test_sign"
mutant key-mode lib/sign.c 's/priv \? 0600 : 0644/0644/' "tests/test_sign"
mutant manifest-unique lib/manifest.c 's/rc = check_unique\(L\);/rc = (check_unique(L), OSPACK_OK);/' "tests/test_manifest"
mutant openness-permissive lib/openness.c 's/else if \(permissive && !f.permissive\)/else if (0 \&\& permissive \&\& !f.permissive)/' \
	"tests/cli_check.sh"

# Only the mutants named on the command line, if any.
if [ $# -gt 0 ]; then
	keep=()
	for i in "${!names[@]}"; do
		for want in "$@"; do [ "${names[$i]}" = "$want" ] && keep+=("$i"); done
	done
	[ ${#keep[@]} -eq $# ] || { echo "mutate: unknown mutant among: $*" >&2; exit 2; }
else
	keep=("${!names[@]}")
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/ospack-mutate.XXXXXX") || exit 4
cleanup() { [ "${MUTATE_KEEP:-}" = 1 ] && echo "kept $W" || rm -rf "$W"; }
trap cleanup EXIT
start=$(date +%s)

echo "mutate: copying the tree to $W and building it"
(cd "$top" && git ls-files -z | tar --null -T - -cf -) | tar -xf - -C "$W" || exit 4
cd "$W" || exit 4
if ! { autoreconf -fi && ./configure && make -j2; } >"$W/build.log" 2>&1; then
	echo "mutate: the unmutated tree does not build: see $W/build.log" >&2
	MUTATE_KEEP=1
	exit 4
fi

# Every test named must pass on the unmutated tree, or a kill would prove nothing.
all=$(for i in "${keep[@]}"; do printf '%s\n' ${tests[$i]}; done | sort -u | tr '\n' ' ')
echo "mutate: the unmutated tree must pass: $all"
if ! make check TESTS="$all" >"$W/baseline.log" 2>&1; then
	echo "mutate: the named tests fail without a mutation: see $W/test-suite.log" >&2
	MUTATE_KEEP=1
	exit 1
fi

killed=0 survived=0 broken=0 report=
for i in "${keep[@]}"; do
	f=${files[$i]} name=${names[$i]}
	cp "$f" "$W/orig"
	perl -0pi -e "${substs[$i]}" "$f"
	t0=$(date +%s)
	if cmp -s "$f" "$W/orig"; then
		verdict="NOT APPLIED (the pattern matches nothing)"
		broken=$((broken + 1))
	elif ! make -j2 >"$W/$name.build.log" 2>&1; then
		verdict="DOES NOT BUILD (see $name.build.log)"
		broken=$((broken + 1))
	elif make check TESTS="${tests[$i]}" >"$W/$name.check.log" 2>&1; then
		verdict="SURVIVED: ${tests[$i]} passed"
		survived=$((survived + 1))
	else
		failing=$(for t in ${tests[$i]}; do grep -h '^not ok' "${t%.sh}.log"; done 2>/dev/null |
			head -n 3 | tr '\n' ';')
		verdict="killed ($failing)"
		killed=$((killed + 1))
	fi
	# A plain copy (new mtime): make rebuilds what the mutant changed.
	cp "$W/orig" "$f"
	line=$(printf '%-22s %4ss  %s' "$name" $(($(date +%s) - t0)) "$verdict")
	echo "$line"
	report="$report$line
"
done
make -j2 >/dev/null 2>&1
total=${#keep[@]}
echo
echo "mutate: $killed of $total killed, $survived survived, $broken not applied or not built," \
	"in $(($(date +%s) - start)) s"
[ "$killed" -eq "$total" ]
