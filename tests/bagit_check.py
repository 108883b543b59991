#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""An independent BagIt (RFC 8493) validator for the tests: exit 0 valid, 1 invalid, 2 usage."""

import codecs
import hashlib
import os
import re
import stat
import sys
import unicodedata

USAGE = "usage: bagit_check.py [--strict] [-q] BAGDIR"

# Tag files are read whole; a manifest of millions of files stays well below this.
TAG_FILE_LIMIT = 256 * 1024 * 1024
CHUNK = 1024 * 1024

# Normalized algorithm names (RFC 8493 section 2.4) that hashlib provides.
ALGORITHMS = {
    "md5": "md5",
    "sha1": "sha1",
    "sha224": "sha224",
    "sha256": "sha256",
    "sha384": "sha384",
    "sha512": "sha512",
    "sha3224": "sha3_224",
    "sha3256": "sha3_256",
    "sha3384": "sha3_384",
    "sha3512": "sha3_512",
}

# Files that operating systems drop into folders on their own.
SYSTEM_FILES = {".ds_store", "thumbs.db", "desktop.ini", ".directory", ".spotlight-v100",
                ".trashes", ".fseventsd"}

LINE_END = re.compile(r"\r\n|\r|\n")
KNOWN_VERSIONS = {(0, 93), (0, 94), (0, 95), (0, 96), (0, 97), (1, 0)}


class Report:
    """Collects the errors and warnings found in one bag."""

    def __init__(self, quiet):
        self.errors = []
        self.warnings = []
        self.quiet = quiet

    def error(self, msg):
        self.errors.append(msg)
        print("error: " + msg, file=sys.stderr)

    def warn(self, msg):
        self.warnings.append(msg)
        if not self.quiet:
            print("warning: " + msg, file=sys.stderr)


class Bag:
    """What the checks learn about a bag as they go."""

    def __init__(self, root, report):
        self.root = root
        self.r = report
        self.version = None
        self.encoding = None
        self.manifests = {}      # alg -> {path: digest}, payload manifests
        self.tagmanifests = {}   # alg -> {path: digest}
        self.fetch = {}          # path -> (url, length)
        self.disk = {}           # payload path on disk -> size
        self.by_nfc = {}         # NFC(path) -> [disk paths]
        self.by_fold = {}        # casefold(NFC(path)) -> [disk paths]

    def strict(self):
        """True for BagIt 1.0 and later, whose rules are tighter than the drafts'."""
        return self.version is not None and self.version >= (1, 0)

    def lapse(self, msg):
        """An error under BagIt 1.0, a warning for bags of earlier versions."""
        if self.strict():
            self.r.error(msg)
        else:
            self.r.warn(msg + " (tolerated before BagIt 1.0)")


def quote(path):
    return repr(path)


def read_limited(path, limit=TAG_FILE_LIMIT):
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise ValueError("larger than %d bytes" % limit)
    return data


def split_lines(text):
    """Splits on CR, LF or CRLF only; says whether the last line was terminated."""
    if text == "":
        return [], True
    lines = LINE_END.split(text)
    terminated = lines[-1] == ""
    if terminated:
        lines.pop()
    return lines, terminated


def plain_file(bag, rel):
    """True when rel names a regular file inside the bag reached without symbolic links."""
    cur = bag.root
    parts = rel.split("/")
    for i, part in enumerate(parts):
        cur = os.path.join(cur, part)
        try:
            st = os.lstat(cur)
        except OSError:
            return False
        last = i == len(parts) - 1
        if stat.S_ISLNK(st.st_mode):
            return False
        if not last and not stat.S_ISDIR(st.st_mode):
            return False
        if last and not stat.S_ISREG(st.st_mode):
            return False
    return True


# ---- bagit.txt ----

def check_declaration(bag):
    """bagit.txt: exactly two lines, UTF-8 without BOM; gives the version and encoding."""
    path = os.path.join(bag.root, "bagit.txt")
    if not plain_file(bag, "bagit.txt"):
        bag.r.error("bagit.txt is missing (or not a regular file)")
        return False
    raw = read_limited(path, 64 * 1024)
    if raw.startswith(codecs.BOM_UTF8):
        bag.r.error("bagit.txt starts with a byte-order mark")
        return False
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        bag.r.error("bagit.txt is not UTF-8")
        return False
    lines, terminated = split_lines(text)
    if len(lines) != 2:
        bag.r.error("bagit.txt must have exactly two lines, it has %d" % len(lines))
        return False
    return parse_declaration(bag, lines, terminated)


def parse_declaration(bag, lines, terminated):
    m = re.fullmatch(r"BagIt-Version: ([0-9]+)\.([0-9]+)", lines[0])
    if not m:
        bag.r.error("bagit.txt: first line must be 'BagIt-Version: M.N', not %s" % quote(lines[0]))
        return False
    bag.version = (int(m.group(1)), int(m.group(2)))
    m = re.fullmatch(r"Tag-File-Character-Encoding: (\S+)", lines[1])
    if not m:
        bag.r.error("bagit.txt: second line must be 'Tag-File-Character-Encoding: ENCODING', "
                    "not %s" % quote(lines[1]))
        return False
    try:
        bag.encoding = codecs.lookup(m.group(1)).name
    except LookupError:
        bag.r.error("bagit.txt: unknown character encoding %s" % quote(m.group(1)))
        return False
    if bag.version not in KNOWN_VERSIONS:
        bag.r.warn("bagit.txt: unknown BagIt version %d.%d" % bag.version)
    if not terminated and bag.strict():
        bag.r.error("bagit.txt: the last line has no line ending")
    if bag.strict() and bag.encoding != "utf-8":
        bag.r.warn("tag files are encoded in %s; BagIt 1.0 strongly recommends UTF-8"
                   % bag.encoding)
    return True


# ---- text tag files ----

def read_tag_text(bag, rel):
    """Reads and decodes a text tag file in the bag's encoding; None after an error."""
    try:
        raw = read_limited(os.path.join(bag.root, rel))
    except (OSError, ValueError) as e:
        bag.r.error("%s: cannot read: %s" % (rel, e))
        return None
    if bag.encoding == "utf-8" and raw.startswith(codecs.BOM_UTF8):
        bag.lapse("%s starts with a byte-order mark" % rel)
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        text = raw.decode(bag.encoding)
    except UnicodeDecodeError as e:
        bag.r.error("%s is not valid %s: %s" % (rel, bag.encoding, e))
        return None
    lines, terminated = split_lines(text)
    # The drafts before 1.0 were silent on it, and many bags of theirs end without one.
    if not terminated and bag.strict():
        bag.r.error("%s: the last line has no line ending" % rel)
    return lines


# ---- paths in manifests and fetch.txt ----

def decode_path(bag, raw):
    """BagIt 1.0 percent-encodes CR, LF and '%' in file names; older versions encode nothing."""
    if not bag.strict():
        return raw
    return re.sub(r"%(0[AaDd]|25)", lambda m: chr(int(m.group(1), 16)), raw)


def clean_path(bag, where, raw, payload):
    """Normalizes a path from a manifest or fetch.txt; None when it is not acceptable."""
    path = decode_path(bag, raw)
    if path.startswith("./"):
        bag.r.warn("%s: %s starts with './'" % (where, quote(raw)))
        while path.startswith("./"):
            path = path[2:]
    parts = path.split("/")
    if path.startswith("/") or path.startswith("~") or ".." in parts:
        bag.r.error("%s: %s points outside the bag" % (where, quote(raw)))
        return None
    if "" in parts or "." in parts or "\0" in path:
        bag.r.error("%s: %s is not a clean relative path" % (where, quote(raw)))
        return None
    if payload and parts[0] != "data":
        bag.r.error("%s: %s is outside the payload folder data/" % (where, quote(raw)))
        return None
    if not payload and parts[0] == "data":
        bag.r.error("%s: a tag manifest lists the payload file %s" % (where, quote(raw)))
        return None
    if "\\" in path:
        bag.r.warn("%s: %s holds a backslash; BagIt paths use '/'" % (where, quote(raw)))
    return path


# ---- manifests ----

def manifest_names(bag, prefix):
    """Finds prefix-ALG.txt files in the base folder: {alg: file name}."""
    found = {}
    for name in sorted(os.listdir(bag.root)):
        m = re.fullmatch(re.escape(prefix) + r"-(.+)\.txt", name, re.IGNORECASE)
        if not m or not name.startswith(prefix + "-"):
            if m:
                bag.r.error("%s: manifest names are lower case" % name)
            continue
        alg = m.group(1)
        if not re.fullmatch(r"[a-z0-9]+", alg):
            bag.r.error("%s: the algorithm name is not normalized (lower case letters and "
                        "digits only)" % name)
        elif alg not in ALGORITHMS:
            bag.r.error("%s: unsupported checksum algorithm %s" % (name, alg))
        elif not plain_file(bag, name):
            bag.r.error("%s is not a regular file" % name)
        else:
            found[alg] = name
    return found


def parse_manifest_line(bag, name, alg, line):
    """Gives (path, digest) of one manifest line, or None after an error."""
    m = re.fullmatch(r"([0-9A-Fa-f]+)[ \t]+(.+)", line)
    if not m:
        bag.r.error("%s: malformed line %s" % (name, quote(line)))
        return None
    digest, raw = m.group(1).lower(), m.group(2)
    if len(digest) != 2 * hashlib.new(ALGORITHMS[alg]).digest_size:
        bag.r.error("%s: %s is not a %s digest" % (name, quote(m.group(1)), alg))
        return None
    if raw.startswith("*"):
        bag.r.warn("%s: %s carries md5sum's binary-mode '*'; strict validators reject it"
                   % (name, quote(raw)))
        raw = raw[1:]
    return raw, digest


def read_manifest(bag, name, alg, payload):
    """Parses a manifest into {path: digest}, enforcing one entry per file."""
    lines = read_tag_text(bag, name)
    entries = {}
    for line in lines or []:
        if line.strip() == "":
            bag.lapse("%s: blank line" % name)
            continue
        got = parse_manifest_line(bag, name, alg, line)
        if got is None:
            continue
        path = clean_path(bag, name, got[0], payload)
        if path is None:
            continue
        if path in entries:
            listed_twice(bag, name, path, entries[path] == got[1])
            if entries[path] != got[1]:
                continue
        entries[path] = got[1]
    return entries


def listed_twice(bag, name, path, same):
    if not same:
        bag.r.error("%s: %s is listed twice with different digests" % (name, quote(path)))
    else:
        bag.lapse("%s: %s is listed twice" % (name, quote(path)))


# ---- the payload on disk ----

def scan_payload(bag):
    """Lists the payload files; links and special files are errors."""
    data = os.path.join(bag.root, "data")
    st = os.lstat(data) if os.path.lexists(data) else None
    if st is None or not stat.S_ISDIR(st.st_mode):
        bag.r.error("the payload folder data/ is missing (or not a folder)")
        return False
    for dirpath, dirnames, filenames in os.walk(data, onerror=walk_error(bag)):
        rel = os.path.relpath(dirpath, bag.root).replace(os.sep, "/")
        for name in dirnames + filenames:
            add_payload_entry(bag, dirpath, rel + "/" + name, name)
    for path in bag.disk:
        nfc = unicodedata.normalize("NFC", path)
        bag.by_nfc.setdefault(nfc, []).append(path)
        bag.by_fold.setdefault(nfc.casefold(), []).append(path)
    report_lookalikes(bag)
    return True


def walk_error(bag):
    def report(e):
        bag.r.error("cannot read the payload: %s" % e)
    return report


def add_payload_entry(bag, dirpath, rel, name):
    st = os.lstat(os.path.join(dirpath, name))
    if stat.S_ISLNK(st.st_mode):
        bag.r.error("%s is a symbolic link (not followed)" % quote(rel))
    elif stat.S_ISREG(st.st_mode):
        bag.disk[rel] = st.st_size
        if name.lower() in SYSTEM_FILES or name.startswith("._"):
            bag.r.warn("%s is a file the operating system made, not content" % quote(rel))
    elif not stat.S_ISDIR(st.st_mode):
        bag.r.error("%s is neither a regular file nor a folder" % quote(rel))


def report_lookalikes(bag):
    for paths in bag.by_fold.values():
        if len(paths) > 1:
            bag.r.warn("payload files %s differ only in case or Unicode normalization; they "
                       "collide on many file systems" % ", ".join(map(quote, sorted(paths))))


def resolve(bag, path, entries):
    """Finds the payload file an entry names, tolerating what RFC 8493 advises on normalization."""
    if path in bag.disk:
        return path
    nfc = unicodedata.normalize("NFC", path)
    same = bag.by_nfc.get(nfc, [])
    if len(same) == 1:
        bag.r.warn("%s is on disk as %s: the names differ in Unicode normalization"
                   % (ascii(path), ascii(same[0])))
        return same[0]
    for other in bag.by_fold.get(nfc.casefold(), []):
        if other in entries:
            bag.r.warn("%s and %s differ only in case: one file on a case-insensitive file "
                       "system, but only %s exists here" % (quote(path), quote(other),
                                                             quote(other)))
            return other
    return None


def missing(bag, name, path):
    if path in bag.fetch:
        bag.r.warn("%s: %s is not here yet (fetch.txt lists it); its digest is not checked"
                   % (name, quote(path)))
    elif os.path.isdir(os.path.join(bag.root, path)):
        bag.r.error("%s: %s is a folder; manifests list files" % (name, quote(path)))
    else:
        bag.r.error("%s lists %s, which is missing" % (name, quote(path)))


def verify_files(bag, todo):
    """Hashes each file once with every algorithm it is listed under, and compares."""
    for path in sorted(todo):
        wants = todo[path]
        hashers = {alg: hashlib.new(ALGORITHMS[alg]) for alg, _, _ in wants}
        try:
            with open(os.path.join(bag.root, path), "rb") as f:
                for chunk in iter(lambda: f.read(CHUNK), b""):
                    for h in hashers.values():
                        h.update(chunk)
        except OSError as e:
            bag.r.error("%s: cannot read: %s" % (quote(path), e))
            continue
        for alg, digest, name in wants:
            if hashers[alg].hexdigest() != digest:
                bag.r.error("%s: the %s digest of %s does not match" % (name, alg, quote(path)))


# ---- fetch.txt ----

def check_fetch(bag):
    if not os.path.lexists(os.path.join(bag.root, "fetch.txt")):
        return
    if not plain_file(bag, "fetch.txt"):
        bag.r.error("fetch.txt is not a regular file")
        return
    for line in read_tag_text(bag, "fetch.txt") or []:
        if line.strip() == "":
            bag.lapse("fetch.txt: blank line")
            continue
        parts = re.split(r"[ \t]+", line, maxsplit=2)
        if len(parts) != 3:
            bag.r.error("fetch.txt: malformed line %s" % quote(line))
            continue
        url, length, raw = parts
        if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", url):
            bag.r.error("fetch.txt: %s is not an absolute URL" % quote(url))
        if not re.fullmatch(r"[0-9]+|-", length):
            bag.r.error("fetch.txt: %s is not a length or '-'" % quote(length))
        path = clean_path(bag, "fetch.txt", raw, True)
        if path is None:
            continue
        if path in bag.fetch:
            bag.r.warn("fetch.txt: %s is listed twice" % quote(path))
        bag.fetch[path] = (url, length)


# ---- checks over the whole bag ----

def check_payload_manifests(bag):
    names = manifest_names(bag, "manifest")
    if not names:
        bag.r.error("no payload manifest (manifest-ALGORITHM.txt)")
    for alg, name in names.items():
        bag.manifests[alg] = read_manifest(bag, name, alg, True)
    for path in sorted(bag.fetch):
        for alg, entries in sorted(bag.manifests.items()):
            if path not in entries:
                bag.r.error("fetch.txt lists %s, which manifest-%s.txt does not"
                            % (quote(path), alg))


def check_completeness(bag):
    """Every listed file is here (or awaits fetch.txt) and every payload file is listed."""
    todo, covered = {}, {}
    for alg, entries in sorted(bag.manifests.items()):
        name = "manifest-%s.txt" % alg
        for path, digest in sorted(entries.items()):
            found = resolve(bag, path, entries)
            if found is None:
                missing(bag, name, path)
                continue
            todo.setdefault(found, []).append((alg, digest, name))
            covered.setdefault(found, set()).add(alg)
    for path in sorted(bag.disk):
        algs = covered.get(path, set())
        if not algs:
            bag.r.error("payload file %s is in no payload manifest" % quote(path))
        for alg in sorted(set(bag.manifests) - algs):
            if algs:
                bag.lapse("payload file %s is not in manifest-%s.txt" % (quote(path), alg))
    verify_files(bag, todo)


def check_tag_manifests(bag):
    todo = {}
    for alg, name in manifest_names(bag, "tagmanifest").items():
        entries = read_manifest(bag, name, alg, False)
        bag.tagmanifests[alg] = entries
        for other in sorted(bag.manifests):
            if "manifest-%s.txt" % other not in entries:
                bag.lapse("%s does not list manifest-%s.txt" % (name, other))
        for path, digest in sorted(entries.items()):
            if path == name:
                bag.r.error("%s lists itself" % name)
            elif not plain_file(bag, path):
                bag.r.error("%s lists %s, which is missing (or not a regular file)"
                            % (name, quote(path)))
            else:
                todo.setdefault(path, []).append((alg, digest, name))
    verify_files(bag, todo)


# ---- bag-info.txt ----

def parse_element(bag, n, line):
    """One 'Label: value' line; BagIt 1.0 allows no space around the label, drafts did."""
    if bag.strict():
        m = re.fullmatch(r"([^:\s](?:[^:]*[^:\s])?):[ \t](.*)", line)
    else:
        m = re.fullmatch(r"[ \t]*([^:]*?)[ \t]*:[ \t]*(.*)", line)
    if not m or m.group(1) == "":
        bag.r.error("bag-info.txt:%d: not 'Label: value': %s" % (n, quote(line)))
        return None
    return [m.group(1), m.group(2)]


def parse_bag_info(bag, lines):
    tags = []
    for n, line in enumerate(lines, 1):
        if line[:1] in (" ", "\t") and line.strip() != "":
            if not tags:
                bag.r.error("bag-info.txt:%d: a continuation line with nothing to continue" % n)
            else:
                tags[-1][1] += " " + line.strip(" \t")
            continue
        if line.strip() == "":
            bag.lapse("bag-info.txt:%d: blank line" % n)
            continue
        tag = parse_element(bag, n, line)
        if tag is not None:
            tags.append(tag)
    return tags


def check_oxum(bag, tags):
    """Payload-Oxum, when given once as OCTETS.STREAMS, must match the payload on disk."""
    values = [v for label, v in tags if label.lower() == "payload-oxum"]
    if not values:
        return
    if len(values) > 1:
        bag.r.error("bag-info.txt: Payload-Oxum appears %d times" % len(values))
        return
    value = values[0] if bag.strict() else values[0].strip()
    m = re.fullmatch(r"([0-9]+)\.([0-9]+)", value)
    if not m:
        bag.r.error("bag-info.txt: Payload-Oxum %s is not OCTETS.STREAMS" % quote(value))
        return
    if any(p not in bag.disk for p in bag.fetch):
        bag.r.warn("bag-info.txt: Payload-Oxum not checked: files listed in fetch.txt are "
                   "not here yet")
        return
    want = (int(m.group(1)), int(m.group(2)))
    have = (sum(bag.disk.values()), len(bag.disk))
    if want != have:
        bag.r.error("bag-info.txt: Payload-Oxum says %d.%d but the payload holds %d bytes in "
                    "%d files" % (want + have))


def check_bag_info(bag):
    if not os.path.lexists(os.path.join(bag.root, "bag-info.txt")):
        return
    if not plain_file(bag, "bag-info.txt"):
        bag.r.error("bag-info.txt is not a regular file")
        return
    lines = read_tag_text(bag, "bag-info.txt")
    if lines is None:
        return
    tags = parse_bag_info(bag, lines)
    check_oxum(bag, tags)
    for label, value in tags:
        if label.lower() == "bagging-date" and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
                                                                value.strip()):
            bag.r.warn("bag-info.txt: Bagging-Date %s is not YYYY-MM-DD" % quote(value))


def validate(root, quiet):
    report = Report(quiet)
    bag = Bag(root, report)
    if not os.path.isdir(root):
        report.error("%s is not a folder" % quote(root))
        return report
    try:
        if check_declaration(bag) and scan_payload(bag):
            check_fetch(bag)
            check_payload_manifests(bag)
            check_completeness(bag)
            check_tag_manifests(bag)
            check_bag_info(bag)
    except OSError as e:
        report.error("cannot read the bag: %s" % e)
    return report


def main(argv):
    strict = quiet = False
    args = []
    for a in argv[1:]:
        if a == "--strict":
            strict = True
        elif a == "-q":
            quiet = True
        elif a.startswith("-") and a != "-":
            print(USAGE, file=sys.stderr)
            return 2
        else:
            args.append(a)
    if len(args) != 1:
        print(USAGE, file=sys.stderr)
        return 2
    report = validate(args[0], quiet)
    bad = bool(report.errors) or (strict and bool(report.warnings))
    print("%s: %s (%d errors, %d warnings)" % (args[0], "invalid" if bad else "valid",
                                              len(report.errors), len(report.warnings)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
