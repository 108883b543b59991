#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A fault-injecting HTTP proxy in front of a registry, for tests/registry_client.sh.

usage: registry_proxy.py UPSTREAM-PORT PORT-FILE LOG-FILE FAULT...

Forwards every request to 127.0.0.1:UPSTREAM-PORT (the Host header kept, so the
registry's Locations point back here). Each FAULT applies once, to the first
request it matches:
  busy          the first request gets 503 with Retry-After: 1
  hang          the first request gets no answer for 20 s
  patch-drop    the second PATCH: half its body goes on (as a PATCH of that half),
                then the connection is closed without an answer. Distribution then
                refuses the session's old URL (its _state holds the old offset); the
                proxy sends later requests for that URL to the one the registry gave
                for the half, as a registry that keeps its session URLs does
  get-drop      a blob GET: half the body is sent, then the connection is closed
  wrong-digest  a manifest PUT's answer says Docker-Content-Digest: sha256:000...
  manifest-swap a manifest GET by digest gets a space after the body
  redirect      every blob GET and HEAD is answered 307 to http://localhost:PORT/_blob/...,
                where the proxy fetches it itself; LOG-FILE says whether that
                request came with an Authorization header
Writes its port to PORT-FILE and one line per request to LOG-FILE.
"""
import http.client
import http.server
import sys
import threading
import time

UPSTREAM = int(sys.argv[1])
PORT_FILE, LOG_FILE = sys.argv[2], sys.argv[3]
faults = set(sys.argv[4:])
lock = threading.Lock()
patches = 0
remembered_auth = None
remap = {}


def log(line):
    with lock, open(LOG_FILE, "a") as f:
        f.write(line + "\n")


def take(fault):
    with lock:
        if fault in faults:
            faults.discard(fault)
            return True
    return False


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def upstream(self, method, path, headers, body):
        conn = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=30)
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in headers:
            if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                conn.putheader(k, v)
        conn.putheader("Content-Length", str(len(body)))
        conn.putheader("Connection", "close")
        conn.endheaders(body)
        return conn.getresponse()

    def relay(self, resp, cut=False, digest=None, extra=b""):
        body = resp.read() + extra
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() == "docker-content-digest" and digest:
                v = digest
            if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(k, v)
        length = resp.getheader("Content-Length") if self.command == "HEAD" else None
        self.send_header("Content-Length", length or str(len(body)))
        self.end_headers()
        if cut:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        global patches, remembered_auth
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        headers = list(self.headers.items())
        auth = self.headers.get("Authorization")
        with lock:
            self.path = remap.get(self.path, self.path)
        log("%s %s auth=%s range=%s content-range=%s" % (
            self.command, self.path, "yes" if auth else "no", self.headers.get("Range", "-"),
            self.headers.get("Content-Range", "-")))
        if take("hang"):
            time.sleep(20)
            self.close_connection = True
            return
        if take("busy"):
            self.send_response(503)
            self.send_header("Retry-After", "1")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.command == "PATCH":
            with lock:
                patches += 1
                nth = patches
            if nth == 2 and take("patch-drop"):
                half = body[: len(body) // 2]
                start = int(self.headers["Content-Range"].split("-")[0])
                fixed = [(k, v) for k, v in headers if k.lower() != "content-range"]
                fixed.append(("Content-Range", "%d-%d" % (start, start + len(half) - 1)))
                resp = self.upstream("PATCH", self.path, fixed, half)
                resp.read()
                loc = resp.getheader("Location", "")
                with lock:
                    remap[self.path] = "/" + loc.split("/", 3)[3] if "://" in loc else loc
                log("dropped a PATCH after %d of its %d bytes" % (len(half), len(body)))
                self.close_connection = True
                return
        blob_get = self.command == "GET" and "/blobs/sha256:" in self.path
        if self.path.startswith("/_blob/"):
            log("redirected %s auth=%s" % (self.command, "yes" if auth else "no"))
            fixed = [(k, v) for k, v in headers if k.lower() != "authorization"]
            if remembered_auth:
                fixed.append(("Authorization", remembered_auth))
            return self.relay(self.upstream(self.command, self.path[6:], fixed, b""))
        blob_head = self.command == "HEAD" and "/blobs/sha256:" in self.path
        # A registry challenges first: only a request with credentials is redirected.
        if (blob_get or blob_head) and auth and "redirect" in faults:
            remembered_auth = auth
            self.send_response(307)
            self.send_header("Location", "http://localhost:%d/_blob%s" %
                             (self.server.server_address[1], self.path))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        resp = self.upstream(self.command, self.path, headers, body)
        manifest = "/manifests/" in self.path
        if manifest and self.command == "PUT" and take("wrong-digest"):
            return self.relay(resp, digest="sha256:" + "0" * 64)
        if manifest and self.command == "GET" and "sha256:" in self.path and take("manifest-swap"):
            return self.relay(resp, extra=b" ")
        self.relay(resp, cut=blob_get and resp.status == 200 and take("get-drop"))

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
with open(PORT_FILE + ".tmp", "w") as f:
    f.write("%d\n" % server.server_address[1])
import os  # noqa: E402

os.rename(PORT_FILE + ".tmp", PORT_FILE)
server.serve_forever()
