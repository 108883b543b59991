#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A token service for docker-registry's "auth: token" mode, for the tests.

usage: token_server.py KEY.pem CERT.pem ISSUER USER PASSWORD COUNT-FILE

GET /auth?service=S&scope=repository:NAME:ACTIONS[&scope=...] answers
{"token": JWT, "access_token": JWT}. With right Basic credentials the JWT grants
the actions asked for; without credentials it grants nothing (anonymous); with
wrong ones the answer is 401. The JWT is ES256, its x5c header the certificate
the registry's rootcertbundle lists. Prints its port on the first line of stdout,
and writes the number of tokens issued to COUNT-FILE after each one.
"""
import base64
import http.server
import json
import sys
import time
import urllib.parse
import uuid

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

KEY_PATH, CERT_PATH, ISSUER, USER, PASSWORD, COUNT_PATH = sys.argv[1:7]
with open(KEY_PATH, "rb") as f:
    KEY = serialization.load_pem_private_key(f.read(), password=None)
with open(CERT_PATH, "rb") as f:
    CERT_DER = x509.load_pem_x509_certificate(f.read()).public_bytes(serialization.Encoding.DER)
issued = 0


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def jwt(claims):
    header = {"typ": "JWT", "alg": "ES256", "x5c": [base64.b64encode(CERT_DER).decode()]}
    signing = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    r, s = decode_dss_signature(KEY.sign(signing.encode(), ec.ECDSA(hashes.SHA256())))
    return signing + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write("token_server: " + (fmt % args) + "\n")

    def answer(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        global issued
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/auth":
            return self.answer(404, {"error": "not found"})
        query = urllib.parse.parse_qs(url.query)
        auth = self.headers.get("Authorization", "")
        user = None
        if auth.startswith("Basic "):
            try:
                u, _, p = base64.b64decode(auth[6:]).decode().partition(":")
            except ValueError:
                u, p = "", ""
            if u != USER or p != PASSWORD:
                return self.answer(401, {"errors": [{"code": "UNAUTHORIZED",
                                                     "message": "wrong user name or password"}]})
            user = u
        access = []
        for scope in query.get("scope", []):
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            if kind == "repository" and name and user is not None:
                access.append({"type": kind, "name": name, "actions": actions.split(",")})
        now = int(time.time())
        claims = {"iss": ISSUER, "sub": user or "", "aud": query.get("service", [""])[0],
                  "exp": now + 300, "nbf": now - 10, "iat": now, "jti": str(uuid.uuid4()),
                  "access": access}
        token = jwt(claims)
        issued += 1
        with open(COUNT_PATH, "w") as f:
            f.write("%d\n" % issued)
        self.answer(200, {"token": token, "access_token": token, "expires_in": 300})


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
