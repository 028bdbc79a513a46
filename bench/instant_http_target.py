#!/usr/bin/env python3
"""The target of bench/run.sh: a TCP service that, on each connection, at once
sends a complete HTTP answer without a body ("HTTP/1.0 204 No Content"), then
waits (at most 5 s) for the client to send its request or to close, and closes.

Through a proxy, `curl -x PROXY http://target/` then ends as soon as its tunnel
is up and its request is sent: the answer is already there, and nothing waits
for a connection to close (closing through `ssh -D` takes tens of ms). A
client that only opens the tunnel and closes (mulenet's bench) just gets the
answer unread.

    instant_http_target.py ADDRESS PORT
"""
import socket
import socketserver
import sys

ANSWER = b"HTTP/1.0 204 No Content\r\nConnection: close\r\n\r\n"


class Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        conn = self.request
        conn.settimeout(5)
        try:
            conn.sendall(ANSWER)
            conn.recv(4096)  # the request (or the end): closing before it arrives would reset the tunnel
        except OSError:
            pass


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 1024


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit("usage: instant_http_target.py ADDRESS PORT")
    with Server((sys.argv[1], int(sys.argv[2])), Handler) as server:
        server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        server.serve_forever()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
