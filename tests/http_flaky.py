#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A test HTTP server that drops connections mid-transfer, for tests/cli_fetch.sh.

usage: http_flaky.py DIR PORTFILE

Serves the files of DIR on 127.0.0.1, on a free port written to PORTFILE. The
first part of the URL path says how it behaves, the rest names the file:
  /once/F     the first GET of F sends its headers (full Content-Length) and half
              the body, then closes; later GETs answer Range with 206
  /always/F   every GET sends half of what it promised, then closes
  /norange/F  like once, but later GETs ignore Range and send all of F (200)
  /endless/F  F, then zeros (no Content-Length), 64 MiB in all: more than a
              client that stops at the expected size ever reads
  /F          F, answering Range with 206
Every request is logged to stderr, with its Range header.
"""
import http.server
import os
import re
import socket
import sys

ROOT, PORTFILE = sys.argv[1], sys.argv[2]
SEEN = set()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s range=%s\n" % (self.requestline, self.headers.get("Range", "")))

    def endless(self, data):
        self.send_response(200)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            self.wfile.write(data)
            for _ in range(1024):
                self.wfile.write(bytes(65536))
        except OSError:
            pass

    def do_GET(self):
        parts = self.path.lstrip("/").split("/", 1)
        mode, name = (parts[0], parts[1]) if len(parts) == 2 else ("plain", parts[0])
        path = os.path.join(ROOT, os.path.basename(name))
        if not os.path.isfile(path):
            self.send_error(404)
            return
        with open(path, "rb") as f:
            data = f.read()
        if mode == "endless":
            self.endless(data)
            return
        first = (mode, name) not in SEEN
        SEEN.add((mode, name))
        start = 0
        m = re.match(r"bytes=(\d+)-$", self.headers.get("Range", ""))
        if m and not (mode == "norange" and not first):
            start = int(m.group(1))
        body = data[start:]
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        drop = mode == "always" or (mode in ("once", "norange") and first)
        if drop:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        else:
            self.wfile.write(body)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
server.serve_forever()
