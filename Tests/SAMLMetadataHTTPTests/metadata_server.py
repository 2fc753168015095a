#!/usr/bin/env python3
"""A loopback HTTP server for the metadata-fetching tests.

Prints the port it listens on (127.0.0.1, chosen by the system) as its first line, then serves
paths whose behaviour the tests set with `PUT /_control/<path>` and a JSON body:

  {"body": "<base64>" or "file": "<path of the body>", "status": 200, "etag": "...", "last_modified": "...",
   "mode": "normal" | "slow" | "trickle" | "chunked" | "endless" | "redirect",
   "delay": seconds, "chunk": bytes, "location": "...", "headers": {...}}

- normal: answers `body`; 304 when If-None-Match equals `etag` or If-Modified-Since equals `last_modified`.
- slow: sleeps `delay` seconds before answering.
- trickle: sends headers, then the body one byte every `delay` seconds.
- chunked: sends the body in chunks of `chunk` bytes (default 16384) without a Content-Length,
  sleeping `delay` seconds (if given) after each.
- endless: sends headers without a length, then zero-filled chunks until the client goes away.
- redirect: answers `status` (default 302) with `Location: location`.

`GET /_count/<path>` returns how many requests `<path>` received; `GET /_requests/<path>` the
request headers of the last one as JSON.
"""
import base64
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROUTES = {}
COUNTS = {}
LAST = {}
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", headers=None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_PUT(self):
        if not self.path.startswith("/_control/"):
            return self._send(404)
        length = int(self.headers.get("Content-Length", "0"))
        spec = json.loads(self.rfile.read(length) or b"{}")
        with LOCK:
            ROUTES["/" + self.path[len("/_control/"):]] = spec
        self._send(204)

    def do_GET(self):
        if self.path.startswith("/_count/"):
            with LOCK:
                count = COUNTS.get("/" + self.path[len("/_count/"):], 0)
            return self._send(200, str(count).encode())
        if self.path.startswith("/_requests/"):
            with LOCK:
                last = LAST.get("/" + self.path[len("/_requests/"):], {})
            return self._send(200, json.dumps(last).encode(), {"Content-Type": "application/json"})
        with LOCK:
            spec = ROUTES.get(self.path)
            COUNTS[self.path] = COUNTS.get(self.path, 0) + 1
            LAST[self.path] = {k.lower(): v for k, v in self.headers.items()}
        if spec is None:
            return self._send(404, b"not found")
        mode = spec.get("mode", "normal")
        if spec.get("file"):
            with open(spec["file"], "rb") as f:
                body = f.read()
        else:
            body = base64.b64decode(spec.get("body", ""))
        headers = {"Content-Type": "application/samlmetadata+xml"}
        headers.update(spec.get("headers", {}))
        if spec.get("etag"):
            headers["ETag"] = spec["etag"]
        if spec.get("last_modified"):
            headers["Last-Modified"] = spec["last_modified"]
        if mode == "redirect":
            return self._send(spec.get("status", 302), b"", {"Location": spec["location"]})
        if mode == "slow":
            time.sleep(spec.get("delay", 5))
        if mode == "normal" or mode == "slow":
            if spec.get("etag") and self.headers.get("If-None-Match") == spec["etag"]:
                return self._send(304, b"", {"ETag": spec["etag"]})
            if spec.get("last_modified") and self.headers.get("If-Modified-Since") == spec["last_modified"]:
                return self._send(304, b"", {"Last-Modified": spec["last_modified"]})
            return self._send(spec.get("status", 200), body, headers)
        try:
            if mode == "trickle":
                self.send_response(200)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                for i in range(len(body)):
                    self.wfile.write(body[i:i + 1])
                    self.wfile.flush()
                    time.sleep(spec.get("delay", 1))
            elif mode == "chunked":
                self.send_response(spec.get("status", 200))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                size = max(1, spec.get("chunk", 16384))
                for i in range(0, len(body), size):
                    piece = body[i:i + size]
                    self.wfile.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
                    self.wfile.flush()
                    if spec.get("delay"):
                        time.sleep(spec["delay"])
                self.wfile.write(b"0\r\n\r\n")
            elif mode == "endless":
                self.send_response(200)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                chunk = b"<!-- " + b" " * 65536 + b" -->"
                framed = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
                while True:
                    self.wfile.write(framed)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True


def exit_when_parent_goes():
    # the test process holds our stdin open; when it ends (even killed), stdin reaches EOF
    sys.stdin.buffer.read()
    os._exit(0)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=exit_when_parent_goes, daemon=True).start()
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
