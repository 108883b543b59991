#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The release tarball holds every file git tracks under cmd/ lib/ tests/ docs/ tools/
# completions/ manifests/ and at the top (dot files aside), and no build product there:
# compares `git ls-files` with the tree `make distdir` makes (what `make dist` packs).
. "${top_srcdir:-.}/tests/lib.sh"

DIRS="cmd lib tests docs tools completions manifests"

# make distcheck runs the suite in a tree unpacked from the tarball, which is no git checkout
# (though it may sit inside one): there is nothing to compare it with.
command -v git >/dev/null 2>&1 || need_skip_all "git is not installed"
top=$(git -C "$top_srcdir" rev-parse --show-toplevel 2>/dev/null)
if [ -z "$top" ] || [ "$(cd "$top" && pwd -P)" != "$(cd "$top_srcdir" && pwd -P)" ]; then
	skip_all "$top_srcdir is not a git checkout (a tree unpacked from the tarball)"
fi

# The make running this test must not lend its jobs or flags to this one.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" distdir \
	distdir="$T/dist" top_distdir="$T/dist" >"$T/make.log" 2>&1
rc=$?
ok $rc "make distdir makes the tarball's tree"
[ "$rc" -eq 0 ] || diag "$(tail -n 20 "$T/make.log")"

# What git tracks and the working tree still has, and what the tarball's tree holds.
(cd "$top_srcdir" && git -c core.quotePath=false ls-files -- $DIRS && git ls-files | grep -v -e / -e '^\.') |
	while IFS= read -r f; do [ -e "$top_srcdir/$f" ] && printf '%s\n' "$f"; done |
	LC_ALL=C sort >"$T/tracked"
(cd "$T/dist" && find $DIRS -type f 2>/dev/null && find . -maxdepth 1 -type f | sed 's|^\./||') |
	LC_ALL=C sort >"$T/shipped"

[ -s "$T/tracked" ] && [ -s "$T/shipped" ]
ok $? "both lists are read: $(wc -l <"$T/tracked") files tracked, $(wc -l <"$T/shipped") shipped"

LC_ALL=C comm -23 "$T/tracked" "$T/shipped" >"$T/missing"
[ ! -s "$T/missing" ]
ok $? "every tracked file is in the tarball (Makefile.am: EXTRA_DIST, *_SOURCES, dist_*)"
[ -s "$T/missing" ] && diag "missing from the tarball:" "$(head -n 30 "$T/missing")"

# A file shipped but not tracked: a build product leaking in is an error; anything else is
# work not yet added to git, named only.
LC_ALL=C comm -13 "$T/tracked" "$T/shipped" | grep -v -x -e configure -e Makefile.in \
	-e aclocal.m4 -e config.h.in >"$T/extra"
(cd "$top_srcdir" && git check-ignore --stdin <"$T/extra") >"$T/ignored"
[ ! -s "$T/ignored" ]
ok $? "the tarball holds no file that git ignores (a build product)"
[ -s "$T/ignored" ] && diag "ignored by git, yet in the tarball:" "$(head -n 30 "$T/ignored")"
grep -v -x -F -f "$T/ignored" "$T/extra" >"$T/untracked"
[ -s "$T/untracked" ] && diag "not tracked by git, yet in the tarball:" "$(head -n 30 "$T/untracked")"

# The tarball builds without autotools: the generated files are in it.
for f in configure Makefile.in aclocal.m4 config.h.in build-aux/tap-driver.sh build-aux/install-sh; do
	[ -f "$T/dist/$f" ] || echo "$f" >>"$T/nogen"
done
[ ! -e "$T/nogen" ]
ok $? "the generated build files are in it: configure, Makefile.in, build-aux/"
[ -e "$T/nogen" ] && diag "missing:" "$(cat "$T/nogen")"

done_testing
