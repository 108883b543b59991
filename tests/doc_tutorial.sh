#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# docs/tutorial.md, then docs/pipelines.md, followed literally: their blocks run in order in
# one shell, in a folder of this test's, with this build's ospack first on PATH.
#
# The convention the docs follow (docs/tutorial.md says it to its readers too):
# - a ```sh block runs as it is; every command in it must succeed;
# - a ```console block holds commands, each on a line starting with "$ " (a line ending in
#   "\" continues it), and below each the output it prints, stdout and stderr together.
#   Each command must exit 0 (the docs show a failure as `cmd; echo "exit $?"`), and print
#   exactly the lines shown, but that <keyid> and <sha256> in a shown line each stand for
#   64 lowercase hex digits (a key made by keygen differs at each run, and so does what it
#   signs); nothing else may differ.
# - other blocks (yaml, json, text, indented ones) are for reading and do not run.
. "${top_srcdir:-.}/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || need_skip_all "python3 missing"
command -v git >/dev/null 2>&1 || need_skip_all "git missing"

mkdir "$T/bin" "$T/work" "$T/res"
ln -s "$(cd "$(dirname "$OSPACK")" && pwd)/$(basename "$OSPACK")" "$T/bin/ospack"

# The blocks of each doc, as one script, and what each console command should print.
python3 - "$T/res" "$top_srcdir/docs/tutorial.md" "$top_srcdir/docs/pipelines.md" <<'EOF' >"$T/gen.err" 2>&1
import os, sys
res = sys.argv[1]
script = ["set -e"]
n = 0
for doc in sys.argv[2:]:
    name = os.path.basename(doc)
    script.append("echo '#doc %s' >&2" % name)
    lines = open(doc, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        fence = lines[i]
        i += 1
        if fence not in ("```sh", "```console"):
            continue
        block = []
        while lines[i] != "```":
            block.append(lines[i])
            i += 1
        i += 1
        if fence == "```sh":
            script.append("\n".join(block))
            continue
        cmds = []  # [command lines, expected lines]
        for l in block:
            if l.startswith("$ ") and not (cmds and cmds[-1][0][-1].endswith("\\")
                                           and not cmds[-1][1]):
                cmds.append([[l[2:]], []])
            elif cmds and cmds[-1][0][-1].endswith("\\") and not cmds[-1][1]:
                cmds[-1][0].append(l)
            elif cmds:
                cmds[-1][1].append(l)
            else:
                sys.exit("%s: a console block's first line is not a command" % name)
        for cmd, want in cmds:
            n += 1
            with open("%s/%d.cmd" % (res, n), "w") as f:
                f.write("%s: %s\n" % (name, "\n".join(cmd)))
            with open("%s/%d.want" % (res, n), "w") as f:
                f.write("".join(w + "\n" for w in want))
            script.append("if { %s\n} >\"$RES/%d.out\" 2>&1; then echo 0; else echo $?; fi >\"$RES/%d.rc\""
                          % ("\n".join(cmd), n, n))
with open(res + "/run.sh", "w") as f:
    f.write("\n".join(script) + "\n")
print(n)
EOF
ok $? "the docs' blocks are read"
ncmd=$(cat "$T/gen.err")
[ "$ncmd" -gt 20 ] 2>/dev/null
ok $? "the docs show commands and their output ($ncmd of them)"

(cd "$T/work" && RES=$T/res PATH=$T/bin:$PATH HOME=$T/work sh "$T/res/run.sh") >"$T/out" 2>"$T/err"
rc=$?
ok $rc "every block of both docs runs, in order, each command succeeding"
[ $rc -eq 0 ] || diag "$(tail -n 15 "$T/err")"

# Each command's output against the doc's, the placeholders standing for hex digests only.
python3 - "$T/res" "$ncmd" <<'EOF' >"$T/cmp" 2>&1
import re, sys
res, n = sys.argv[1], int(sys.argv[2])
bad = 0
def pattern(line):
    parts = re.split(r"(<keyid>|<sha256>)", line)
    return "".join("[0-9a-f]{64}" if p in ("<keyid>", "<sha256>") else re.escape(p)
                   for p in parts)
for k in range(1, n + 1):
    cmd = open("%s/%d.cmd" % (res, k)).read().strip()
    try:
        rc = open("%s/%d.rc" % (res, k)).read().strip()
        got = open("%s/%d.out" % (res, k), errors="replace").read().split("\n")[:-1]
    except OSError:
        print("not run: " + cmd)
        bad += 1
        continue
    want = open("%s/%d.want" % (res, k)).read().split("\n")[:-1]
    if rc != "0":
        print("exit %s: %s" % (rc, cmd))
        bad += 1
    same = len(got) == len(want) and all(re.fullmatch(pattern(w), g) for w, g in zip(want, got))
    if not same:
        bad += 1
        print("differs: " + cmd)
        for w, g in zip(want + [""] * len(got), got + [""] * len(want)):
            if not re.fullmatch(pattern(w), g):
                print("  doc: %r\n  got: %r" % (w, g))
                break
        if len(got) != len(want):
            print("  the doc shows %d lines, the command printed %d" % (len(want), len(got)))
sys.exit(1 if bad else 0)
EOF
st=$?
ok $st "every command prints what the docs show"
[ $st -eq 0 ] || diag "$(head -n 40 "$T/cmp")"

done_testing
