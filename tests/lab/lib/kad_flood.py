#!/usr/bin/env python3
"""A load of Kad and eD2k traffic at one node, from many lab addresses.

Every source address sends, round after round, every kind of Kad request
(BOOTSTRAP, HELLO, KADEMLIA2_REQ, PING, FIREWALLED2, FINDBUDDY, CALLBACK,
SEARCH/PUBLISH) and malformed datagrams (random bytes, truncated packets,
broken compressed ones), far above aMule's per-address flood limits; and
keeps TCP connections to the node's client port half-open (a partial eD2k
header, then nothing). It counts, per source address, the bytes it sent and
the bytes the node sent back, and how many of the half-open connections the
node closed. The report is one JSON object on stdout.

Bounded: --seconds of sending at most --rate datagrams a second in all, then
--drain seconds of listening; --half-open connections at most.
Only for the lab's own addresses (tests/lab/cases/daemon_flood.sh).
"""
import argparse
import json
import os
import random
import select
import socket
import struct
import time

E4 = 0xE4  # Kad, plain
E5 = 0xE5  # Kad, zlib-packed


def kad(opcode, payload=b""):
    return bytes([E4, opcode]) + payload


def requests(rng):
    """One of each request kind aMule answers or limits."""
    rid = lambda: rng.randbytes(16)  # noqa: E731
    port = struct.pack("<H", rng.randrange(1024, 65535))
    return [
        kad(0x01),                                               # KADEMLIA2_BOOTSTRAP_REQ
        kad(0x11, rid() + port + bytes([8, 0])),                 # KADEMLIA2_HELLO_REQ, no tags
        kad(0x21, bytes([0x0B]) + rid() + rid()),                # KADEMLIA2_REQ, 11 contacts
        kad(0x60),                                               # KADEMLIA2_PING
        kad(0x53, port + rid() + bytes([0])),                    # KADEMLIA_FIREWALLED2_REQ
        kad(0x50, port),                                         # KADEMLIA_FIREWALLED_REQ
        kad(0x51, rid() + rid() + port),                         # KADEMLIA_FINDBUDDY_REQ
        kad(0x52, rid() + rid() + port),                         # KADEMLIA_CALLBACK_REQ
        kad(0x33, rid() + bytes([0, 0])),                        # KADEMLIA2_SEARCH_KEY_REQ
        kad(0x34, rid() + struct.pack("<HQ", 0, 1 << 20)),       # KADEMLIA2_SEARCH_SOURCE_REQ
        kad(0x43, rid() + struct.pack("<H", 1) + rid() + b"\x00"),  # KADEMLIA2_PUBLISH_KEY_REQ
    ]


def malformed(rng):
    """Datagrams no Kad node should take for anything."""
    return [
        rng.randbytes(rng.randrange(1, 600)),                    # noise (or obfuscated-looking)
        kad(0x11, rng.randbytes(rng.randrange(0, 18))),          # a HELLO cut short
        kad(0x21, rng.randbytes(rng.randrange(0, 32))),          # a REQ cut short
        kad(rng.randrange(256), rng.randbytes(rng.randrange(0, 64))),  # any opcode, any body
        bytes([E5, 0x21]) + rng.randbytes(rng.randrange(0, 200)),  # "compressed" garbage
        bytes([E4]),                                             # a header alone
        bytes([E4, 0x01]) + b"\xff" * 1400,                      # a request padded far past its size
    ]


def udp_sockets(sources):
    socks = {}
    for src in sources:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        s.bind((src, 0))
        s.setblocking(False)
        socks[s] = src
    return socks


def half_open(sources, target, port, count):
    """TCP connections left half-open: a partial eD2k header, then silence."""
    conns = []
    for i in range(count):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.bind((sources[i % len(sources)], 0))
        c.settimeout(2)
        try:
            c.connect((target, port))
            c.send(b"\xe3\x10\x00")  # 0xE3, then 2 of the 4 length bytes
            c.setblocking(False)
            conns.append(c)
        except OSError:
            c.close()
    return conns


def drain(socks, stats, until):
    """Reads every answer that came, until `until` (monotonic)."""
    while True:
        left = until - time.monotonic()
        if left <= 0:
            return
        ready, _, _ = select.select(list(socks), [], [], min(left, 0.05))
        if not ready:
            continue
        for s in ready:
            for _ in range(64):  # bounded per wake-up
                try:
                    data = s.recv(65535)
                except BlockingIOError:
                    break
                except OSError:
                    break
                stats[socks[s]]["received"] += len(data)
                stats[socks[s]]["answers"] += 1


def closed_by_peer(conns):
    closed = 0
    for c in conns:
        try:
            if c.recv(1024) == b"":
                closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
    return closed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--target", required=True)
    ap.add_argument("--udp-port", type=int, required=True)
    ap.add_argument("--tcp-port", type=int, required=True)
    ap.add_argument("--sources", required=True, help="comma-separated local addresses to send from")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--rate", type=int, default=2000, help="datagrams per second, all sources together")
    ap.add_argument("--drain", type=float, default=2)
    ap.add_argument("--half-open", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    sources = a.sources.split(",")
    socks = udp_sockets(sources)
    stats = {src: {"sent": 0, "received": 0, "datagrams": 0, "answers": 0} for src in sources}
    conns = half_open(sources, a.target, a.tcp_port, a.half_open)
    start = time.monotonic()
    end = start + a.seconds
    sent_total = 0
    tick = 0.02
    per_tick = max(1, int(a.rate * tick))
    order = list(socks)
    while time.monotonic() < end and sent_total < a.rate * a.seconds:
        tick_end = time.monotonic() + tick
        batch = requests(rng) + malformed(rng)
        for i in range(per_tick):
            s = order[(sent_total + i) % len(order)]
            d = batch[(sent_total + i) % len(batch)]
            try:
                s.sendto(d, (a.target, a.udp_port))
            except OSError:
                continue
            st = stats[socks[s]]
            st["sent"] += len(d)
            st["datagrams"] += 1
        sent_total += per_tick
        drain(socks, stats, tick_end)
    drain(socks, stats, time.monotonic() + a.drain)
    worst = max(stats.values(), key=lambda s: s["received"] / max(1, s["sent"]))
    report = {
        "seconds": round(time.monotonic() - start, 2),
        "sources": len(sources),
        "datagrams": sum(s["datagrams"] for s in stats.values()),
        "bytes_sent": sum(s["sent"] for s in stats.values()),
        "bytes_received": sum(s["received"] for s in stats.values()),
        "answers": sum(s["answers"] for s in stats.values()),
        "worst_source_ratio": round(worst["received"] / max(1, worst["sent"]), 4),
        "sources_answered_more_than_sent": sum(1 for s in stats.values() if s["received"] > s["sent"]),
        "half_open": {"opened": len(conns), "closed_by_node": closed_by_peer(conns)},
    }
    for c in conns:
        c.close()
    print(json.dumps(report))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
