#!/usr/bin/env python3
"""Watches a live page in headless Chromium through the DevTools protocol
(a minimal WebSocket client of our own: Debian's python3 has none): opens
URL, evaluates EXPRESSION every 250 ms until its value contains READY (then
creates READY_FILE, so a test knows the page is up and can change the world),
then until it contains TEXT, or TIMEOUT seconds pass. The page is not
reloaded meanwhile: TEXT appearing shows the page updates itself. Prints the
last value; exit 0 when TEXT appeared, 1 if not, 2 when Chromium could not be
driven. Every wait has a timeout.

usage: page_watch.py DEBUG_PORT URL EXPRESSION READY READY_FILE TEXT TIMEOUT
"""
import base64
import json
import os
import socket
import struct
import sys
import time
import urllib.request


def ws_connect(url, timeout):
    assert url.startswith("ws://")
    hostport, path = url[5:].split("/", 1)
    host, port = hostport.split(":")
    s = socket.create_connection((host, int(port)), timeout=timeout)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head and len(head) < 65536:
        chunk = s.recv(4096)
        if not chunk:
            raise OSError("closed during the handshake")
        head += chunk
    if b" 101 " not in head.split(b"\r\n", 1)[0]:
        raise OSError("no WebSocket upgrade: " + head[:80].decode(errors="replace"))
    return s, head.split(b"\r\n\r\n", 1)[1]


def ws_send(s, text):
    data = text.encode()
    mask = os.urandom(4)
    header = bytes([0x81])
    n = len(data)
    if n < 126:
        header += bytes([0x80 | n])
    elif n < 65536:
        header += bytes([0x80 | 126]) + struct.pack(">H", n)
    else:
        header += bytes([0x80 | 127]) + struct.pack(">Q", n)
    s.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))


class Reader:
    def __init__(self, s, rest):
        self.s, self.buf = s, rest

    def need(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(65536)
            if not chunk:
                raise OSError("closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def message(self):
        parts = b""
        for _ in range(1000):  # fragments of one message
            b0, b1 = self.need(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self.need(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self.need(8))[0]
            if n > 64 * 1024 * 1024:
                raise OSError("message too large")
            parts += self.need(n)
            if b0 & 0x80:
                return parts.decode(errors="replace")
        raise OSError("too many fragments")


def main():
    port, url, expression, ready, ready_file, text = sys.argv[1:7]
    timeout = float(sys.argv[7])
    deadline = time.monotonic() + timeout
    targets = None
    for _ in range(100):  # Chromium's debugging endpoint comes up after a moment
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as r:
                targets = [t for t in json.load(r) if t.get("type") == "page"]
            if targets:
                break
        except OSError:
            pass
        time.sleep(0.2)
    if not targets:
        print("page_watch: Chromium's DevTools endpoint did not answer", file=sys.stderr)
        return 2
    s, rest = ws_connect(targets[0]["webSocketDebuggerUrl"], 5)
    s.settimeout(5)
    reader = Reader(s, rest)
    ident = 0

    def call(method, params):
        nonlocal ident
        ident += 1
        ws_send(s, json.dumps({"id": ident, "method": method, "params": params}))
        for _ in range(10000):  # events may come before the answer
            m = json.loads(reader.message())
            if m.get("id") == ident:
                return m
        raise OSError("no answer")

    call("Page.navigate", {"url": url})
    value = ""
    is_ready = False
    while time.monotonic() < deadline:
        r = call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        value = str(r.get("result", {}).get("result", {}).get("value", ""))
        if not is_ready and ready in value:
            is_ready = True
            open(ready_file, "w").close()
        if is_ready and text in value:
            print(value)
            return 0
        time.sleep(0.25)
    print(value)
    return 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except OSError as e:
        print(f"page_watch: {e}", file=sys.stderr)
        sys.exit(2)
