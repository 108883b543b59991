#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# make install into a staging folder, then use what was installed as a user would, with
# LD_LIBRARY_PATH unset: the program, its library through pkg-config, the man page and the
# bash completion. Run from a configured and built tree; exits non-zero on the first failure.
set -eu
cd "$(dirname "$0")/.."
D=$(mktemp -d "${TMPDIR:-/tmp}/ospack-install.XXXXXX")
trap 'rm -rf "$D"' EXIT
unset LD_LIBRARY_PATH

make install DESTDIR="$D" >"$D/install.log" 2>&1 || { cat "$D/install.log"; exit 1; }
prefix=$(sed -n 's/^prefix=//p' ospack.pc)
libdir=$(sed -n 's/^libdir=//p' ospack.pc | sed "s|\${exec_prefix}|$prefix|; s|\${prefix}|$prefix|")
bin=$D$prefix/bin/ospack

"$bin" --version
"$bin" build manifests/example/manifest.yaml -o "$D/ex.tar" -q
"$bin" verify "$D/ex.tar" -q
echo "the installed program builds and verifies the example"

test -f "$D$prefix/share/man/man1/ospack.1"
test -f "$D$prefix/share/bash-completion/completions/ospack"
bash -c ". '$D$prefix/share/bash-completion/completions/ospack' && complete -p ospack" >/dev/null
echo "the man page and the bash completion are installed"

cat >"$D/use.c" <<'C'
#include <ospack.h>
#include <stdio.h>
int main(void)
{
	printf("libospack %s, level 0 %s\n", ospack_version(), ospack_level_name(0));
	return ospack_level_known("baseline") ? 0 : 1;
}
C
PKG_CONFIG_SYSROOT_DIR=$D PKG_CONFIG_PATH=$D$libdir/pkgconfig \
	sh -c 'cc "$1" -o "$2" $(pkg-config --cflags --libs ospack) -Wl,-rpath,"$3"' sh \
	"$D/use.c" "$D/use" "$D$libdir"
"$D/use"
echo "a program builds against the installed library through pkg-config"
