#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""An OMS (OpenSSF Model Signing) v1.0 checker written from the format, independent of ospack.

usage: oms_check.py MODEL_DIR PUBKEY.pem [SIGNATURE]   (SIGNATURE: MODEL_DIR/ospack/model.sig)

Checks what model_signing's key-based verifier checks, with python3-cryptography only:
the Sigstore bundle v0.3 names the key by the SHA-256 of its PEM text (the hint), its
first DSSE signature verifies over the PAE (ECDSA with SHA-256/384/512 for P-256/384/521),
the in-toto statement has the OMS predicate, one subject whose digest is the SHA-256 of
the resources' digests in their order, and the resources are exactly the regular files
of MODEL_DIR, hashed here, but for those under serialization.ignore_paths (symbolic
links refused, as allow_symlinks false says). Exit 0 when all hold, else 1 with the reason.
"""
import base64
import hashlib
import json
import os
import stat
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
PREDICATE_TYPE = "https://model_signing/signature/v1.0"
CURVE_HASH = {"secp256r1": hashes.SHA256, "secp384r1": hashes.SHA384, "secp521r1": hashes.SHA512}


class Rejected(Exception):
    pass


def need(cond, msg):
    if not cond:
        raise Rejected(msg)


def check_signature(bundle, pem):
    need(bundle.get("mediaType") == MEDIA_TYPE, "media type %r" % bundle.get("mediaType"))
    key = serialization.load_pem_public_key(pem)
    need(isinstance(key, ec.EllipticCurvePublicKey), "the key is not an ECDSA key")
    need(key.curve.name in CURVE_HASH, "unsupported curve %s" % key.curve.name)
    canonical = key.public_bytes(serialization.Encoding.PEM,
                                 serialization.PublicFormat.SubjectPublicKeyInfo)
    hint = bundle["verificationMaterial"]["publicKey"].get("hint")
    need(hint == hashlib.sha256(canonical).hexdigest(), "the hint does not name this key")
    env = bundle["dsseEnvelope"]
    need(env["payloadType"] == PAYLOAD_TYPE, "payload type %r" % env["payloadType"])
    payload = base64.b64decode(env["payload"], validate=True)
    sig = base64.b64decode(env["signatures"][0]["sig"], validate=True)
    pae = b"DSSEv1 %d %s %d %s" % (len(PAYLOAD_TYPE), PAYLOAD_TYPE.encode(), len(payload), payload)
    try:
        key.verify(sig, pae, ec.ECDSA(CURVE_HASH[key.curve.name]()))
    except InvalidSignature:
        raise Rejected("the signature does not verify")
    return json.loads(payload)


def expected_files(statement):
    need(statement["_type"] == "https://in-toto.io/Statement/v1", "not an in-toto statement")
    need(statement["predicateType"] == PREDICATE_TYPE, "predicate %r" % statement["predicateType"])
    need(len(statement["subject"]) == 1, "not one subject")
    ser = statement["predicate"]["serialization"]
    need(ser["method"] == "files" and ser["hash_type"] == "sha256", "serialization %r" % ser)
    root = hashlib.sha256()
    files = {}
    for r in statement["predicate"]["resources"]:
        need(r["algorithm"] == "sha256", "%s: algorithm %r" % (r["name"], r["algorithm"]))
        need(r["name"] not in files, "%s listed twice" % r["name"])
        files[r["name"]] = r["digest"]
        root.update(bytes.fromhex(r["digest"]))
    need(root.hexdigest() == statement["subject"][0]["digest"]["sha256"],
         "the subject digest is not that of the resources")
    return files, ser.get("ignore_paths", []), ser["allow_symlinks"]


def actual_files(top, ignore, symlinks):
    def skipped(rel):
        return any(rel == p or rel.startswith(p.rstrip("/") + "/") for p in ignore)

    files = {}
    for d, dirs, names in os.walk(top):
        for name in sorted(dirs + names):
            path = os.path.join(d, name)
            rel = os.path.relpath(path, top)
            if skipped(rel):
                continue
            mode = os.lstat(path).st_mode
            need(symlinks or not stat.S_ISLNK(mode), "%s: a symbolic link" % rel)
            if stat.S_ISREG(os.stat(path).st_mode):
                h = hashlib.sha256()
                with open(path, "rb") as f:
                    for chunk in iter(lambda: f.read(1 << 20), b""):
                        h.update(chunk)
                files[rel] = h.hexdigest()
    return files


def main(argv):
    top, keyfile = argv[1], argv[2]
    sigfile = argv[3] if len(argv) > 3 else os.path.join(top, "ospack", "model.sig")
    with open(sigfile, "rb") as f:
        bundle = json.load(f)
    with open(keyfile, "rb") as f:
        statement = check_signature(bundle, f.read())
    want, ignore, symlinks = expected_files(statement)
    have = actual_files(top, ignore, symlinks)
    for name in sorted(want.keys() | have.keys()):
        need(name in have, "%s: signed but missing" % name)
        need(name in want, "%s: not signed" % name)
        need(want[name] == have[name], "%s: digest mismatch" % name)
    print("OMS signature verified: %d files of %s" % (len(want), statement["subject"][0]["name"]))


if __name__ == "__main__":
    try:
        main(sys.argv)
    except (Rejected, KeyError, ValueError, TypeError, IndexError) as e:
        why = "rejected" if isinstance(e, Rejected) else type(e).__name__
        print("OMS check failed: %s: %s" % (why, e), file=sys.stderr)
        sys.exit(1)
