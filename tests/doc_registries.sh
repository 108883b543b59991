#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# docs/registries.md's "Try it" block, run as written: a registry of one's own, the example
# pushed, its final checkpoint pulled alone and verified, the whole release pulled back byte
# for byte. Only the port (a free one) and the folder (this test's) are changed.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/registry_lib.sh"

registry_need

DOC=$top_srcdir/docs/registries.md
awk '/^## Try it/ { on = 1 } on && /^```sh$/ { grab = 1; next } grab && /^```$/ { exit }
	grab { print }' "$DOC" >"$T/block.sh"
[ -s "$T/block.sh" ] && grep -q 'docker-registry serve' "$T/block.sh"
ok $? "the doc has its shell block"

port=$(free_port)
# The registry's PID is also written down, for this test to stop it if the block fails early.
sed -e "s|127.0.0.1:5000|127.0.0.1:$port|g" -e "s|/tmp/try-registry|$T/try|g" \
	-e "s|^REGISTRY_PID=\\\$!\$|&; echo \"\\\$REGISTRY_PID\" >$T/registry.pid|" "$T/block.sh" >"$T/run.sh"
grep -q "127.0.0.1:$port" "$T/run.sh" && ! grep -q '/tmp/try-registry' "$T/run.sh" &&
	grep -q "registry.pid" "$T/run.sh"
ok $? "only the port and the folder are changed"

# The commands call "ospack": this build's, first on PATH.
mkdir "$T/bin"
ln -s "$(cd "$(dirname "$OSPACK")" && pwd)/$(basename "$OSPACK")" "$T/bin/ospack"
(cd "$top_srcdir" && PATH=$T/bin:$PATH sh -e "$T/run.sh") >"$T/out" 2>"$T/err"
rc=$?
ok $rc "the block runs, every command succeeding"
[ $rc -eq 0 ] || diag "$(cat "$T/err")"
grep -q "^byte-identical$" "$T/out"
ok $? "the whole release comes back byte-identical"
grep -q "partial: 12 components left out: " "$T/out"
ok $? "the pull of the final checkpoint names what it left out"
test -f "$T/try/final/tiny-stories-15m-1.0.0/data/checkpoints/final/model.safetensors" &&
	[ "$(cd "$T/try/final/tiny-stories-15m-1.0.0/data" && find . -type f | wc -l)" -eq 1 ]
ok $? "and fetched the final checkpoint alone"
rpid=$(cat "$T/registry.pid" 2>/dev/null)
for _ in $(seq 50); do
	kill -0 "$rpid" 2>/dev/null || break
	sleep 0.1
done
test -n "$rpid" && ! kill -0 "$rpid" 2>/dev/null
ok $? "the block stopped the registry it started"
# A block that failed early left it running: stopped here, by its PID.
[ -n "$rpid" ] && kill "$rpid" 2>/dev/null

done_testing
