#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# completions/ospack in bash: commands, each command's flags, levels and key types.
. "${top_srcdir:-.}/tests/lib.sh"

command -v bash >/dev/null 2>&1 || need_skip_all "bash is not installed"

# complete WORD...: what the completion offers for the command line WORD... (the last word is
# the one being completed), one per line, sorted
complete_words() {
	bash -c '
		. "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		_ospack
		printf "%s\n" "${COMPREPLY[@]}" | sort' sh "$top_srcdir/completions/ospack" "$OSPACK" "$@"
}

complete_words "" >"$T/cmds"
for c in build check verify extract fetch inspect push pull ls diff init keygen; do
	grep -qx "$c" "$T/cmds" || { echo "missing $c" >>"$T/missing"; }
done
test ! -e "$T/missing"
ok $? "every command is offered"
[ "$(complete_words pu)" = "$(printf 'pull\npush')" ]
ok $? "'pu' completes to pull and push"
complete_words pull --o >"$T/o"
[ "$(cat "$T/o")" = "$(printf -- '--only\n--output')" ]
ok $? "pull's flags come from its help: --o gives --only and --output"
complete_words push -- >"$T/push"
grep -qx -- --oci-layout "$T/push" && grep -qx -- --plain-http "$T/push" && ! grep -qx -- --only "$T/push"
ok $? "push offers its own flags, not pull's"
[ "$(complete_words build --require mof)" = "$(printf 'mof-class-1\nmof-class-2\nmof-class-3')" ]
ok $? "--require offers the openness levels"
for l in $(complete_words check --require ""); do
	"$OSPACK" check --help | grep -q -- "$l" || echo "$l" >>"$T/unknown"
done
test ! -e "$T/unknown"
ok $? "every level offered is one check --help names"
[ "$(complete_words keygen -t "")" = "$(printf 'ecdsa-p256\ned25519')" ]
ok $? "keygen -t offers the key types"
[ "$(complete_words pull x --only ch)" = "checkpoints" ]
ok $? "--only offers the sections"
[ "$(complete_words build m.yaml --compress zstd:1)" = "$(printf 'zstd:1\nzstd:19')" ]
ok $? "--compress offers the compressions and their levels"
for l in $(complete_words build m.yaml --compress ""); do
	"$OSPACK" build "$top_srcdir/manifests/example/manifest.yaml" --compress "$l" \
		-o "$T/c.bin" -q 2>/dev/null || echo "$l" >>"$T/badlevel"
done
test ! -e "$T/badlevel"
ok $? "every --compress value offered is one build takes"

done_testing
