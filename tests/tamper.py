#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Makes tampered copies of an ospack bundle for tests/cli_verify.sh: one change per call.
"""usage: tamper.py IN OUT OP [ARG]...

PATH is a path inside the bag folder (data/..., bagit.txt, ospack/...); the bag
folder is the first entry's top folder. Every OP but flip, flip-b64, cut, claim
and smuggle rewrites the archive, keeping the entry order: an entry ospack could have written
gets the header bytes ospack writes (see ospack_header), any other the one Python's tarfile
writes (pax format).

  repack                    rewrite, changing nothing
  flip PATH [OFFSET]        xor 0x01 into one byte of PATH's data, in place
                            (OFFSET defaults to the middle of the file)
  flip-b64 FIELD [PATH]     flip, in place, one base64 character of the envelope:
                            FIELD payload changes one digit of PATH's subject digest,
                            FIELD sig changes the first signature
  cut WHERE [PATH]          keep only the bytes before WHERE: a byte offset, header
                            (the middle of PATH's header), data (the middle of PATH's
                            data), pad (in the zero padding after PATH's data), end
                            (the end-of-archive blocks) or lone-end (the second
                            end-of-archive block)
  claim PATH SIZE           PATH's header replaced by one claiming SIZE bytes, the rest
                            of the archive left as it was (so it ends too early)
  smuggle PATH TEXT         after the first end-of-archive block, a new entry PATH
                            and a proper end: what `tar -i` would still read
  remove PATH               leave PATH's entry out
  add PATH TEXT [MODE]      a new regular file (mode 0644 by default) after the last
                            payload entry; PATH may be any entry name, also absolute
                            or with '..', when it starts with '/' or '=' ('=' is dropped)
  dup PATH                  PATH's entry written twice in a row
  rename PATH NEWPATH       the entry renamed (NEWPATH as for add)
  rebag NEWROOT             every entry moved from the bag folder to NEWROOT/
  chmod PATH MODE           the entry's mode changed (octal)
  special NAME KIND [TARGET] a symlink, hardlink, chardev or fifo entry after the last
                            payload entry (NAME as for add)
  mkdir PATH                an extra folder entry where byte order puts it in the payload
                            (after the last payload entry for a PATH as for add)
  rawtype PATH TYPE         an entry of tar type TYPE (one character) just before PATH
  paxkey PATH KEY VALUE     PATH's entry gets the pax record KEY=VALUE
  owner PATH UNAME          PATH's entry gets the owner name UNAME
  sigs N                    the envelope's first signature repeated N times
  fetchpath PATH [URL]      the url source's path (and URL) changed in the statement,
                            fetch.txt and the manifest alike (unsigned)
  statement CODE            Python CODE run on the statement (dict st); the envelope
                            unsigned, the tag manifest redone
  envelope CODE             Python CODE run on the envelope (dict env); the tag
                            manifest redone
  tagedit FILE CODE         Python CODE run on the text t of tag file FILE; then its
                            subject, the envelope (unsigned) and the tag manifest agree
  rawedit FILE CODE         the same, but nothing else changes (for the tag manifest)
  addtag PATH TEXT          a new tag file before the tag manifest, with a subject and
                            a tag manifest line (envelope unsigned)
  rmtag PATH                a tag file removed with its subject and tag manifest line
  bigtags SIZE...           the payload, then tag files of SIZEs (zeros, written sparse),
                            the archive cut after the last one's header
  extratags N               N more tag files (extra-NN.txt) after bagit.txt
  move PATH                 PATH's entry moved to the end of the archive
  swap PATH1 PATH2          two entries swapped
  unsign                    the envelope's signatures removed, the tag manifest redone
  retag FILE OLD NEW        in tag file FILE, OLD replaced by NEW; then the statement's
                            subject for FILE, the envelope (unsigned) and the tag
                            manifest are made to agree, so only the edit remains
  restate PATH FIELD VALUE  in the signed record of payload file PATH (ospack/files.txt),
                            FIELD (size or mode) set to VALUE; the statement's subject for
                            it made to agree, envelope unsigned, tag manifest redone
  header PATH VARIANT       PATH's header bytes (and only they) rewritten as ospack never
                            writes them, the rest of the archive as it was (signatures stay
                            valid): paxsize (a pax size record over a ustar size of 0, as
                            BusyBox tar reads it), dotdot and absolute (a pax path over a
                            ustar name ../x or /x), paxpath (a pax path where none is needed),
                            mtime (one second later), base256 (the size in base-256),
                            zeromode (mode 0000644 and a NUL), junk (bytes after the name's
                            NUL), magic (GNU tar's magic)
  envelope-file FILE        the envelope's content replaced by FILE's bytes
  tagfile PATH FILE         tag file PATH's content replaced by FILE's bytes; its subject
                            made to agree, the envelope unsigned, the tag manifest redone
  statement-file FILE       the envelope's payload replaced by FILE's bytes, unsigned
  phantom PATH [keep]       the statement lists a payload file PATH the archive lacks
                            (in manifest-sha256.txt and ospack/files.txt, their subjects
                            and the first component's count); the envelope is unsigned, or
                            keeps its now invalid signatures with 'keep'; the tag
                            manifest is redone
"""
import base64
import hashlib
import io
import json
import sys
import tarfile

ENVELOPE = "ospack/statement.dsse.json"
FILES = "ospack/files.txt"


def die(msg):
    sys.stderr.write("tamper.py: %s\n" % msg)
    sys.exit(2)


# --- the header bytes ospack's writer (libarchive's restricted pax) makes ---

BLOCK = 512


def _octal(v, digits):
    s = "%0*o" % (digits, v)
    return s.encode() if len(s) == digits else None


def _number(v, digits, maxdigits):
    """libarchive's number when not strict: octal, overflowing the terminator, then base-256."""
    for d in range(digits, maxdigits + 1):
        if v < 8 ** d:
            return _octal(v, d)
    b = bytearray(v.to_bytes(maxdigits, "big"))
    b[0] |= 0x80
    return bytes(b)


def _short_name(src, insert=None):
    """libarchive's shortened name for a path ustar cannot hold (see lib/verify/tarscan.c)."""
    if len(src) < 100 and insert is None:
        return src
    room = 98 - (len(insert) + 2 if insert else 0)
    fend, slash = len(src), False
    while True:
        if fend > 0 and src[fend - 1:fend] == b"/":
            fend, slash = fend - 1, True
        elif fend > 1 and src[fend - 2:fend] == b"/.":
            fend, slash = fend - 2, True
        else:
            break
    room -= slash
    fname = fend - 1 if fend > 0 else 0
    while fname > 0 and src[fname:fname + 1] != b"/":
        fname -= 1
    if src[fname:fname + 1] == b"/" and fname + 1 < fend:
        fname += 1
    fend = min(fend, fname + room)
    room -= fend - fname
    pend = min(fname, 154)
    while pend > 0 and src[pend:pend + 1] != b"/":
        pend -= 1
    if pend < fname and src[pend:pend + 1] == b"/":
        pend += 1
    send = max(min(pend + room, fname), pend)
    while send > pend and src[send:send + 1] != b"/":
        send -= 1
    if send < fname and src[send:send + 1] == b"/":
        send += 1
    out = src[:send] + (insert + b"/" if insert else b"") + src[fname:fend]
    return out + b"/" if slash else out


def _split(name):
    """(prefix, name) as ustar holds a name, or None."""
    if len(name) <= 100:
        return b"", name
    p = name.find(b"/", len(name) - 101)
    if p == 0:
        p = name.find(b"/", 1)
    if p < 0 or p + 1 == len(name) or p > 155:
        return None
    return name[:p], name[p + 1:]


def _ustar(name, typ, mode, size, mtime, strict):
    parts = _split(name)
    if parts is None:
        die("no ustar name for %r" % name)
    h = bytearray(BLOCK)
    h[0:len(parts[1])] = parts[1]
    h[345:345 + len(parts[0])] = parts[0]
    for off in (100, 108, 116, 329, 337):
        h[off:off + 7] = b"000000 "
    h[124:156] = b"00000000000 00000000000         "
    h[100:106] = _octal(mode & 0o7777, 6)
    if strict:
        h[124:135], h[136:147] = _octal(size, 11), _octal(mtime, 11)
    else:
        sz, mt = _number(size, 11, 12), _number(mtime, 11, 12)
        h[124:124 + len(sz)], h[136:136 + len(mt)] = sz, mt
    h[156:157] = typ
    h[257:265] = b"ustar\x0000"
    h[148:154] = _octal(sum(h), 6)
    h[154] = 0
    return bytes(h)


def _record(key, value):
    body = len(key) + len(value) + 3
    n = body + 1
    while n != body + len(str(n)):
        n = body + len(str(n))
    return b"%d %s=%s\n" % (n, key, value)


def ospack_header(path, isdir, mode, size, mtime):
    """The headers ospack writes for an entry (path as bytes, without a folder's '/')."""
    name = path + b"/" if isdir else path
    size = 0 if isdir else size
    recs, ustar = b"", name
    fits = all(c < 0x80 for c in name) and _split(name) is not None
    if not fits:
        recs += _record(b"path", name)
        ustar = _short_name(name)
    if mtime >= 0x7fffffff:
        recs += _record(b"mtime", b"%d" % mtime)
    if size >= 1 << 33:
        recs += _record(b"size", b"%d" % size)
    typ = b"5" if isdir else b"0"
    main = _ustar(ustar, typ, mode, size, mtime, False)
    if not recs:
        return main
    strip = name
    while strip.endswith(b"/") or (len(strip) > 1 and strip.endswith(b"/.")):
        strip = strip[:-1]
    pax = _ustar(_short_name(strip, b"PaxHeader"), b"x", mode, len(recs),
                 min(mtime, 0x7fffffff), True)
    return pax + recs + bytes(-len(recs) % BLOCK) + main


def ospack_like(m):
    """Whether ospack's writer could have written this entry's header (type, owner, records)."""
    try:
        m.name.encode("utf-8")
    except UnicodeEncodeError:
        return False  # not UTF-8: ospack writes no such name
    return (m.type in (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.DIRTYPE) and
            m.uid == 0 and m.gid == 0 and not m.uname and not m.gname and
            not set(m.pax_headers) - {"path", "size", "mtime"} and
            0 <= int(m.mtime) < 1 << 33)


class Bundle:
    """The entries of a bundle, in order, each a (TarInfo, bytes or None)."""

    def __init__(self, path):
        self.entries = []
        with tarfile.open(path, "r:") as t:
            for m in t:
                data = t.extractfile(m).read() if m.isreg() else None
                self.entries.append((m, data))
        self.bag = self.entries[0][0].name.split("/")[0]

    def full(self, path):
        """An entry name: PATH inside the bag, or literally after '=' or '/'."""
        if path.startswith("="):
            return path[1:]
        if path.startswith("/"):
            return path
        return self.bag + "/" + path

    def index(self, path):
        for i, (m, _) in enumerate(self.entries):
            if m.name == self.full(path):
                return i
        die("no entry %s" % path)

    def get(self, path):
        return self.entries[self.index(path)][1]

    def put(self, path, data):
        i = self.index(path)
        m = self.entries[i][0]
        m.size = len(data)
        self.entries[i] = (m, data)

    def after_payload(self):
        """The position just after the last entry under data/."""
        last = 0
        for i, (m, _) in enumerate(self.entries):
            if m.name.startswith(self.bag + "/data/"):
                last = i
        return last + 1

    def insert(self, info, data=None):
        self.entries.insert(self.after_payload(), (info, data))

    def insert_in_order(self, info, data=None):
        """Among the payload entries, where byte order puts it (a folder as "name/")."""
        def key(m):
            return (m.name + ("/" if m.isdir() else "")).encode()
        at = self.after_payload()
        for i, (m, _) in enumerate(self.entries[:at]):
            if key(m) > key(info):
                at = i
                break
        self.entries.insert(at, (info, data))

    def write(self, path):
        """Headers as ospack writes them where it could have, else as Python's tarfile does.
        Every entry gets the first one's mtime, as ospack gives them all one."""
        mtime = int(self.entries[0][0].mtime)
        with open(path, "wb") as f:
            for m, data in self.entries:
                if ospack_like(m):
                    f.write(ospack_header(m.name.rstrip("/").encode("utf-8", "surrogateescape"),
                                          m.isdir(), m.mode, m.size, mtime))
                else:
                    f.write(m.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape"))
                if data is not None:
                    f.write(data + bytes(-len(data) % BLOCK))
            f.write(bytes(2 * BLOCK))

    # --- the statement and the tag manifest ---

    def envelope(self):
        return json.loads(self.get(ENVELOPE))

    def statement(self):
        return json.loads(base64.b64decode(self.envelope()["payload"]))

    def set_envelope(self, env):
        self.put(ENVELOPE, json.dumps(env, sort_keys=True, separators=(",", ":")).encode())

    def set_statement(self, st, signatures=None):
        payload = json.dumps(st, sort_keys=True, separators=(",", ":")).encode()
        env = self.envelope()
        env["payload"] = base64.b64encode(payload).decode()
        env["signatures"] = signatures if signatures is not None else []
        self.set_envelope(env)

    def redo_tagmanifest(self):
        """Recomputes every line of the tag manifest over the current tag files."""
        for alg in ("sha256", "sha512"):
            tm = "tagmanifest-%s.txt" % alg
            if alg == "sha512" and not any(m.name == self.full(tm) for m, _ in self.entries):
                continue
            lines = []
            for line in self.get(tm).decode().splitlines():
                name = line.split("  ", 1)[1]
                lines.append("%s  %s\n" % (hashlib.new(alg, self.get(name)).hexdigest(), name))
            self.put(tm, "".join(lines).encode())


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def restated(b, path, field, value):
    """ospack/files.txt with PATH's FIELD (size or mode) set to VALUE."""
    out = []
    for line in b.get(FILES).decode().splitlines(keepends=True):
        mode, size, name = line.rstrip("\n").split(" ", 2)
        if name == path:
            if field == "size":
                size = value
            else:
                mode = value
        out.append("%s %s %s\n" % (mode, size, name))
    return "".join(out).encode()


def resubject(b, st, names):
    """The statement's subjects for the tag files NAMES made to match their content."""
    for s in st["subject"]:
        if s["name"] in names:
            s["digest"]["sha256"] = sha256(b.get(s["name"]))
            if "sha512" in s["digest"]:
                s["digest"]["sha512"] = hashlib.sha512(b.get(s["name"])).hexdigest()


def with_line(text, line):
    """A per-file list with LINE added, kept in byte order of the paths."""
    def key(l):
        return l.split(" ", 2)[2] if l[:1] in "01234567" and l[4:5] == " " else l.split("  ", 1)[1]
    lines = text.decode().splitlines(keepends=True) + [line]
    return "".join(sorted(lines, key=lambda l: key(l.rstrip("\n")).encode())).encode()


def flip_at(raw, offset):
    raw[offset] ^= 0x01


def members(path):
    with tarfile.open(path, "r:") as t:
        return t.getmembers()


def member(path, name):
    ms = members(path)
    bag = ms[0].name.split("/")[0]
    for m in ms:
        if m.name == bag + "/" + name:
            return m
    die("no entry %s" % name)


def member_offset(path, name):
    m = member(path, name)
    return m.offset_data, m.size


def end_offset(path):
    """Where the end-of-archive blocks start: after the last entry's padded data."""
    last = members(path)[-1]
    return last.offset_data + (last.size + 511) // 512 * 512


def cut_offset(path, args):
    where = args[0]
    if where == "header":
        return member(path, args[1]).offset + 100
    if where == "data":
        m = member(path, args[1])
        return m.offset_data + m.size // 2
    if where == "pad":
        m = member(path, args[1])
        return m.offset_data + m.size + 6
    if where == "end":
        return end_offset(path)
    if where == "lone-end":
        return end_offset(path) + 512
    return int(where)


def claimed(path, raw, args):
    m = member(path, args[0])
    return (raw[:m.offset] + ospack_header(m.name.encode(), False, m.mode, int(args[1]),
                                           int(m.mtime)) + raw[m.offset_data:])


def smuggled(path, raw, args):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as t:
        bag = members(path)[0].name.split("/")[0]
        info = tarfile.TarInfo(bag + "/" + args[0])
        data = args[1].encode()
        info.size = len(data)
        info.mode = 0o644
        t.addfile(info, io.BytesIO(data))
    return raw[:end_offset(path) + 512] + out.getvalue()


def _checksummed(h):
    h = bytearray(h)
    h[148:156] = b"        "
    h[148:154] = _octal(sum(h), 6)
    h[154] = 0
    return bytes(h)


def _edited(block, **fields):
    """A ustar block with some fields replaced (offset: bytes), checksum redone."""
    h = bytearray(block)
    for off, val in fields.items():
        o = int(off[1:])
        h[o:o + len(val)] = val
    return _checksummed(h)


def hostile_header(m, variant, mtime):
    """The header bytes of a hostile VARIANT for entry m (an ospack-written regular file)."""
    name = m.name.encode()
    good = ospack_header(name, m.isdir(), m.mode, m.size, mtime)
    main, before = good[-BLOCK:], good[:-BLOCK]
    pax = lambda recs: _ustar(_short_name(name, b"PaxHeader"), b"x", m.mode, len(recs), mtime,
                              True) + recs + bytes(-len(recs) % BLOCK)
    if variant == "paxsize":
        return pax(_record(b"size", b"%d" % m.size)) + _edited(main, o124=b"00000000000 ")
    if variant in ("dotdot", "absolute"):
        evil = b"../evil.txt" if variant == "dotdot" else b"/tmp/evil.txt"
        return pax(_record(b"path", name)) + _edited(main, o0=evil + bytes(100 - len(evil)),
                                                     o345=bytes(155))
    if variant == "paxpath":
        return pax(_record(b"path", name)) + main
    if variant == "mtime":
        return before + _edited(main, o136=_octal(mtime + 1, 11))
    if variant == "base256":
        return before + _edited(main, o124=b"\x80" + m.size.to_bytes(11, "big"))
    if variant == "zeromode":
        return before + _edited(main, o100=b"0000644\x00")
    if variant == "junk":
        return before + _edited(main, o0=name + b"\x00junk")
    if variant == "magic":
        return before + _edited(main, o257=b"ustar  \x00")
    die("unknown header variant %s" % variant)


def reheadered(path, raw, args):
    m = member(path, args[0])
    with tarfile.open(path, "r:") as t:
        mtime = int(next(iter(t)).mtime)
    return raw[:m.offset] + hostile_header(m, args[1], mtime) + raw[m.offset_data:]


def op_flip(src, raw, args):
    off, size = member_offset(src, args[0])
    flip_at(raw, off + (int(args[1]) if len(args) > 1 else size // 2))


B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def op_flip_b64(src, raw, args):
    """Flips the low bit of one base64 character of the envelope, in place."""
    b = Bundle(src)
    env_off, env_size = member_offset(src, ENVELOPE)
    text = bytes(raw[env_off:env_off + env_size]).decode()
    env = json.loads(text)
    if args[0] == "sig":
        b64 = env["signatures"][0]["sig"]
        pos = text.index(b64)
    else:
        # A digit of the subject digest (a tag file's) whose byte is the third of a base64 group:
        # its low six bits are exactly one base64 character, and a digit stays a digit.
        payload = base64.b64decode(env["payload"])
        want = [s for s in b.statement()["subject"] if s["name"] == args[1]][0]
        start = payload.index(json.dumps(want, sort_keys=True, separators=(",", ":")).encode())
        start = payload.index(want["digest"]["sha256"].encode(), start)
        p = next(i for i in range(start, start + 64) if i % 3 == 2 and payload[i] in b"0123456789")
        pos = text.index(env["payload"]) + p // 3 * 4 + 3
    ch = text[pos]
    raw[env_off + len(text[:pos].encode())] = ord(B64[B64.index(ch) ^ 1])


def op_rewrite(b, op, args):
    if op == "repack":
        pass
    elif op == "remove":
        del b.entries[b.index(args[0])]
    elif op == "add":
        info = tarfile.TarInfo(b.full(args[0]))
        data = args[1].encode()
        info.size = len(data)
        info.mode = int(args[2], 8) if len(args) > 2 else 0o644
        b.insert(info, data)
    elif op == "dup":
        i = b.index(args[0])
        b.entries.insert(i + 1, b.entries[i])
    elif op == "rename":
        b.entries[b.index(args[0])][0].name = b.full(args[1])
    elif op == "rebag":
        for m, _ in b.entries:
            m.name = args[0] + m.name[len(b.bag):]
    elif op == "chmod":
        b.entries[b.index(args[0])][0].mode = int(args[1], 8)
    elif op == "special":
        info = tarfile.TarInfo(b.full(args[0]))
        kinds = {"symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE,
                 "chardev": tarfile.CHRTYPE, "fifo": tarfile.FIFOTYPE}
        info.type = kinds[args[1]]
        info.mode = 0o644
        if args[1] == "hardlink":
            info.linkname = b.full(args[2])
        elif args[1] == "symlink":
            info.linkname = args[2]
        elif args[1] == "chardev":
            info.devmajor, info.devminor = 1, 3
        b.insert(info)
    elif op == "mkdir":
        info = tarfile.TarInfo(b.full(args[0]))
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
        if args[0][:1] in "=/":
            b.insert(info)
        else:
            b.insert_in_order(info)
    elif op == "unsign":
        env = b.envelope()
        env["signatures"] = []
        b.set_envelope(env)
        b.redo_tagmanifest()
    elif op == "retag":
        text = b.get(args[0]).decode()
        if args[1] not in text:
            die("%s does not hold %r" % (args[0], args[1]))
        b.put(args[0], text.replace(args[1], args[2], 1).encode())
        st = b.statement()
        for s in st["subject"]:
            if s["name"] == args[0]:
                s["digest"]["sha256"] = sha256(b.get(args[0]))
        b.set_statement(st)
        b.redo_tagmanifest()
    elif op == "restate":
        st = b.statement()
        b.put(FILES, restated(b, args[0], args[1], args[2]))
        resubject(b, st, [FILES])
        b.set_statement(st)
        b.redo_tagmanifest()
    elif op == "phantom":
        st = b.statement()
        b.put("manifest-sha256.txt", with_line(b.get("manifest-sha256.txt"), "%s  %s\n" % (
            sha256(b"not in the archive\n"), args[0])))
        b.put(FILES, with_line(b.get(FILES), "0644 19 %s\n" % args[0]))
        resubject(b, st, ["manifest-sha256.txt", FILES])
        comp = [c for c in st["predicate"]["components"]
                if args[0].startswith("data/%s/%s/" % (c["section"], c["name"]))][0]
        comp["files"] += 1
        comp["bytes"] += 19
        keep = len(args) > 1 and args[1] == "keep"
        b.set_statement(st, b.envelope()["signatures"] if keep else None)
        b.redo_tagmanifest()
    elif op == "rawtype":
        # An entry of tar type TYPE (one character) just before PATH, with a small body.
        info = tarfile.TarInfo(b.full(args[0]) + ".extra")
        info.type = args[1].encode()
        data = b"hidden\n"
        info.size = len(data)
        info.mode = 0o644
        b.entries.insert(b.index(args[0]), (info, data))
    elif op == "paxkey":
        b.entries[b.index(args[0])][0].pax_headers[args[1]] = args[2]
    elif op == "owner":
        b.entries[b.index(args[0])][0].uname = args[1]
    elif op == "sigs":
        env = b.envelope()
        env["signatures"] = env["signatures"][:1] * int(args[0])
        b.set_envelope(env)
        b.redo_tagmanifest()
    elif op == "envelope-file":
        with open(args[0], "rb") as f:
            b.put(ENVELOPE, f.read())
    elif op == "tagfile":
        with open(args[1], "rb") as f:
            b.put(args[0], f.read())
        st = b.statement()
        resubject(b, st, [args[0]])
        b.set_statement(st)
        b.redo_tagmanifest()
    elif op == "statement-file":
        env = b.envelope()
        with open(args[0], "rb") as f:
            env["payload"] = base64.b64encode(f.read()).decode()
        env["signatures"] = []
        b.set_envelope(env)
        b.redo_tagmanifest()
    elif op == "fetchpath":
        # The url source's path and URL rewritten in the statement, fetch.txt and the
        # manifest alike, so that only the path or URL itself is wrong (unsigned).
        st = b.statement()
        src = [c["source"] for c in st["predicate"]["components"] if c["source"]["type"] == "url"][0]
        old_path, old_url = src["path"], src["url"]
        src["path"] = args[0]
        if len(args) > 1:
            src["url"] = args[1]
        fetch = b.get("fetch.txt").decode()
        b.put("fetch.txt", fetch.replace(old_url, src["url"]).replace(old_path, src["path"]).encode())
        man = b.get("manifest-sha256.txt").decode()
        b.put("manifest-sha256.txt", man.replace(old_path, src["path"]).encode())
        for s in st["subject"]:
            if s["name"] in ("fetch.txt", "manifest-sha256.txt"):
                s["digest"]["sha256"] = sha256(b.get(s["name"]))
        b.set_statement(st)
        b.redo_tagmanifest()
    elif op == "statement":
        st = b.statement()
        exec(args[0], {"st": st})
        b.set_statement(st)
        b.redo_tagmanifest()
    elif op == "envelope":
        env = b.envelope()
        exec(args[0], {"env": env})
        b.set_envelope(env)
        b.redo_tagmanifest()
    elif op in ("tagedit", "rawedit"):
        scope = {"t": b.get(args[0]).decode()}
        exec(args[1], scope)
        b.put(args[0], scope["t"].encode())
        if op == "tagedit":
            st = b.statement()
            resubject(b, st, [args[0]])
            b.set_statement(st)
            b.redo_tagmanifest()
    elif op == "addtag":
        info = tarfile.TarInfo(b.full(args[0]))
        data = args[1].encode()
        info.size = len(data)
        info.mode = 0o644
        b.entries.insert(b.index("tagmanifest-sha256.txt"), (info, data))
        st = b.statement()
        st["subject"].append({"digest": {"sha256": sha256(data)}, "name": args[0]})
        st["subject"].sort(key=lambda s: s["name"].encode())
        b.set_statement(st)
        b.put("tagmanifest-sha256.txt", b.get("tagmanifest-sha256.txt") +
              ("%s  %s\n" % (sha256(data), args[0])).encode())
        b.redo_tagmanifest()
    elif op == "rmtag":
        del b.entries[b.index(args[0])]
        st = b.statement()
        st["subject"] = [s for s in st["subject"] if s["name"] != args[0]]
        b.set_statement(st)
        for tmn in ("tagmanifest-sha256.txt", "tagmanifest-sha512.txt"):
            if any(m.name == b.full(tmn) for m, _ in b.entries):
                tm = b.get(tmn).decode().splitlines(keepends=True)
                b.put(tmn, "".join(l for l in tm
                                   if l.rstrip("\n").split("  ", 1)[1] != args[0]).encode())
        b.redo_tagmanifest()
    elif op == "extratags":
        at = b.index("bagit.txt") + 1
        for i in range(int(args[0])):
            info = tarfile.TarInfo(b.full("extra-%02d.txt" % i))
            info.size, info.mode = 1, 0o644
            b.entries.insert(at + i, (info, b"x"))
    elif op == "move":
        b.entries.append(b.entries.pop(b.index(args[0])))
    elif op == "swap":
        i, j = b.index(args[0]), b.index(args[1])
        b.entries[i], b.entries[j] = b.entries[j], b.entries[i]
    else:
        die("unknown operation %s" % op)


def main(argv):
    if len(argv) < 4:
        die(__doc__)
    src, dst, op, args = argv[1], argv[2], argv[3], argv[4:]
    if op == "bigtags":
        # The payload as it was, then tag files of the sizes given, written sparse: the
        # archive ends after the last header (verify refuses it at that header).
        first = member(src, "bagit.txt")
        start, mtime = first.offset, int(first.mtime)
        bag = members(src)[0].name.split("/")[0]
        with open(src, "rb") as f, open(dst, "wb") as out:
            out.write(f.read(start))
            for i, size in enumerate(args):
                path = ("%s/big-%d.txt" % (bag, i)).encode()
                out.write(ospack_header(path, False, 0o644, int(size), mtime))
                if i + 1 < len(args):
                    out.seek((int(size) + 511) // 512 * 512, 1)
            out.truncate()
        return
    if op in ("flip", "flip-b64", "cut", "claim", "smuggle", "header"):
        with open(src, "rb") as f:
            raw = bytearray(f.read())
        if op == "flip":
            op_flip(src, raw, args)
        elif op == "flip-b64":
            op_flip_b64(src, raw, args)
        elif op == "cut":
            raw = raw[:cut_offset(src, args)]
        elif op == "claim":
            raw = claimed(src, raw, args)
        elif op == "header":
            raw = reheadered(src, raw, args)
        else:
            raw = smuggled(src, raw, args)
        with open(dst, "wb") as f:
            f.write(raw)
        return
    b = Bundle(src)
    op_rewrite(b, op, args)
    b.write(dst)


def run_jobs(folder):
    """--jobs FOLDER: each FOLDER/N.job holds IN, OUT, OP and ARGs, each ended by a NUL byte;
    all are made in this one process (a Python start can cost seconds). A job that fails
    leaves its message in N.err and no OUT."""
    import os
    jobs = sorted((f for f in os.listdir(folder) if f.endswith(".job")), key=lambda f: int(f[:-4]))
    for job in jobs:
        with open(os.path.join(folder, job), "rb") as f:
            args = [a.decode("utf-8", "surrogateescape") for a in f.read().split(b"\0")[:-1]]
        err = io.StringIO()
        saved, sys.stderr = sys.stderr, err
        try:
            main(["tamper.py"] + args)
        except SystemExit:
            pass
        except Exception as e:  # a job that cannot be made: the test that needs it fails
            import traceback
            err.write("tamper.py: %s: %r\n%s" % (job, e, traceback.format_exc()))
        finally:
            sys.stderr = saved
        if err.getvalue():
            with open(os.path.join(folder, job[:-4] + ".err"), "w") as f:
                f.write(err.getvalue())


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--jobs":
        run_jobs(sys.argv[2])
    else:
        main(sys.argv)
