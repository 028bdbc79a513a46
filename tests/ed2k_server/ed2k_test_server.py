#!/usr/bin/env python3
"""An eD2k test server for mulenet's tests: logs clients in the way real
servers do, written independently of mulenet's C++ codec (from the layouts
in ../shared/reference/amule-protocol.md §0-§2) so that a bug in one is not
mirrored by the other.

Login (normal mode): on OP_LOGINREQUEST the server connects back to the
client's address (as it sees the connection) at the TCP port of the login,
sends OP_HELLO, and waits for OP_HELLOANSWER. High ID (the address in ed2k
order) only if the answer parses and carries the user hash of the login;
Low ID otherwise. Then OP_SERVERMESSAGE (saying what the connect-back did),
OP_IDCHANGE (with TCP flags, aux port, the address it saw, obfuscation port
0), OP_SERVERSTATUS and OP_SERVERIDENT. UDP on TCP+4 answers
OP_GLOBSERVSTATREQ with OP_GLOBSERVSTATRES.

Other modes, one per listening port (--listen PORT:MODE, repeatable):
  lowid      never connects back: everyone gets a Low ID ("overloaded")
  garbage    answers the login with bytes that are no eD2k packet
  oversized  announces a 3,000,000-byte packet
  reject     sends OP_REJECT and closes
  silent     accepts and never says anything
  close      closes right after the login, before any ID
  bomb       a zlib-packed OP_SERVERMESSAGE that inflates to 5 MB
  slow       the normal answer, one byte every 200 ms
  badtags    OP_SERVERIDENT whose tag count is absurd, then a normal OP_IDCHANGE

After the answer, a session stays as on a real server: packets from the
client are read and logged (OP_OFFERFILES: "offer of N files", which with
0 files is aMule's keep-alive) until the client leaves or says nothing for
--idle-timeout seconds (default 60).

Every wait has a timeout and every loop a bound. Logs one line per event
on stdout.
"""
import argparse
import asyncio
import os
import random
import struct
import sys
import zlib

OP_LOGINREQUEST = 0x01
OP_REJECT = 0x05
OP_SERVERSTATUS = 0x34
OP_SERVERMESSAGE = 0x38
OP_IDCHANGE = 0x40
OP_SERVERIDENT = 0x41
OP_HELLO = 0x01
OP_HELLOANSWER = 0x4C
OP_GLOBSERVSTATREQ = 0x96
OP_GLOBSERVSTATRES = 0x97
MAX_PACKET = 2_000_000
CONNECT_BACK_TIMEOUT = 5.0
SERVER_HASH = bytes.fromhex("2d6d756c656e65742d746573742d2d2d")  # not "****": no eFarm
USERS, FILES = 7, 42


def log(*parts):
    print(" ".join(str(p) for p in parts), flush=True)


def packet(opcode, payload=b"", protocol=0xE3):
    return struct.pack("<BIB", protocol, len(payload) + 1, opcode) + payload


def tag_str(tag_id, text):
    data = text.encode()
    return struct.pack("<BHBH", 0x02, 1, tag_id, len(data)) + data


def tag_u32(tag_id, value):
    return struct.pack("<BHBI", 0x03, 1, tag_id, value)


def ip_ed2k(address):
    a, b, c, d = (int(x) for x in address.split("."))
    return a | (b << 8) | (c << 16) | (d << 24)


async def read_packet(reader, timeout):
    header = await asyncio.wait_for(reader.readexactly(6), timeout)
    protocol, length, opcode = struct.unpack("<BIB", header)
    if protocol not in (0xE3, 0xC5, 0xD4) or length == 0 or length - 1 > MAX_PACKET:
        raise ValueError(f"bad header {header.hex()}")
    payload = await asyncio.wait_for(reader.readexactly(length - 1), timeout)
    return protocol, opcode, payload


def skip_tags(data, pos, count):
    """Returns the position after `count` tags (old or compact layout), and
    the tags as {id: value}."""
    tags = {}
    if count > 1000:
        raise ValueError("too many tags")
    for _ in range(count):
        ttype = data[pos]
        pos += 1
        if ttype & 0x80:
            ttype &= 0x7F
            name = data[pos]
            pos += 1
        else:
            (nlen,) = struct.unpack_from("<H", data, pos)
            pos += 2
            name = data[pos] if nlen == 1 else data[pos:pos + nlen]
            pos += nlen
        if 0x11 <= ttype <= 0x20:
            value = data[pos:pos + ttype - 0x10]
            pos += ttype - 0x10
        elif ttype == 0x02:
            (slen,) = struct.unpack_from("<H", data, pos)
            value = data[pos + 2:pos + 2 + slen]
            pos += 2 + slen
        elif ttype == 0x03:
            (value,) = struct.unpack_from("<I", data, pos)
            pos += 4
        elif ttype == 0x08:
            (value,) = struct.unpack_from("<H", data, pos)
            pos += 2
        elif ttype == 0x09:
            value = data[pos]
            pos += 1
        elif ttype == 0x01:
            value = data[pos:pos + 16]
            pos += 16
        elif ttype == 0x0B:
            (value,) = struct.unpack_from("<Q", data, pos)
            pos += 8
        elif ttype == 0x04:
            value = data[pos:pos + 4]
            pos += 4
        else:
            raise ValueError(f"tag type {ttype:#x}")
        if pos > len(data):
            raise ValueError("tag past the end")
        tags[name] = value
    return pos, tags


def parse_login(payload):
    user_hash = payload[0:16]
    client_id, port, count = struct.unpack_from("<IHI", payload, 16)
    _, tags = skip_tags(payload, 26, count)
    return user_hash, port, tags


def parse_hello_answer(payload):
    user_hash = payload[0:16]
    user_id, port, count = struct.unpack_from("<IHI", payload, 16)
    pos, tags = skip_tags(payload, 26, count)
    if pos + 6 > len(payload):
        raise ValueError("no server address after the tags")
    return user_hash, port, tags


async def connect_back(ip, port, expected_hash):
    """The High ID test: (True, why) if the client at ip:port answers our
    Hello with the user hash of its login."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(ip, port), CONNECT_BACK_TIMEOUT)
    except Exception as e:  # refused, unreachable, timed out
        return False, f"connect-back to {ip}:{port} failed: {type(e).__name__} {e}".strip()
    try:
        body = bytes([16]) + SERVER_HASH + struct.pack("<IHI", 0, 4661, 2) + tag_str(0x01, "test server") + \
            tag_u32(0x11, 0x3C) + struct.pack("<IH", 0, 0)
        writer.write(packet(OP_HELLO, body))
        await writer.drain()
        for _ in range(4):  # the answer may follow other packets
            protocol, opcode, payload = await read_packet(reader, CONNECT_BACK_TIMEOUT)
            if protocol == 0xE3 and opcode == OP_HELLOANSWER:
                user_hash, _, _ = parse_hello_answer(payload)
                if user_hash != expected_hash:
                    return False, f"connect-back to {ip}:{port}: the Hello answer carries another user hash"
                return True, f"connect-back to {ip}:{port}: Hello answered"
        return False, f"connect-back to {ip}:{port}: no Hello answer"
    except Exception as e:
        return False, f"connect-back to {ip}:{port}: {type(e).__name__} {e}".strip()
    finally:
        writer.close()


def answer_packets(client_id, seen_ip, message, aux_port):
    text = f"server version 17.15 (mulenet test server)\r\n{message}".encode()
    out = packet(OP_SERVERMESSAGE, struct.pack("<H", len(text)) + text)
    out += packet(OP_IDCHANGE, struct.pack("<IIIII", client_id, 0x0519, aux_port, ip_ed2k(seen_ip), 0))
    out += packet(OP_SERVERSTATUS, struct.pack("<II", USERS, FILES))
    ident = SERVER_HASH + struct.pack("<IHI", 0, aux_port, 2) + tag_str(0x01, "mulenet test server") + \
        tag_str(0x0B, "logs clients in the way real servers do")
    out += packet(OP_SERVERIDENT, ident)
    return out


IDLE_TIMEOUT = 60  # --idle-timeout
OP_OFFERFILES = 0x15


async def stay(reader, mode, port, peer_ip):
    """The session after the answer: the client's packets, until it leaves or
    is silent for IDLE_TIMEOUT seconds (bounded in packets too)."""
    for _ in range(100_000):
        try:
            protocol, opcode, payload = await read_packet(reader, IDLE_TIMEOUT)
        except asyncio.TimeoutError:
            log(port, mode, peer_ip, f"silent for {IDLE_TIMEOUT} s: closing")
            return
        except asyncio.IncompleteReadError:
            log(port, mode, peer_ip, "client left")
            return
        if protocol == 0xE3 and opcode == OP_OFFERFILES and len(payload) >= 4:
            (count,) = struct.unpack_from("<I", payload)
            log(port, mode, peer_ip, f"offer of {count} files")
        else:
            log(port, mode, peer_ip, "packet", hex(opcode))


async def handle(reader, writer, mode, port):
    peer_ip, peer_port = writer.get_extra_info("peername")[:2]
    try:
        protocol, opcode, payload = await read_packet(reader, 30)
        if protocol != 0xE3 or opcode != OP_LOGINREQUEST:
            log(port, mode, peer_ip, "first packet is not a login:", hex(opcode))
            return
        user_hash, login_port, _ = parse_login(payload)
        log(port, mode, peer_ip, "login, port", login_port, "hash", user_hash.hex())
        if mode == "normal" or mode == "slow":
            ok, why = await connect_back(peer_ip, login_port, user_hash)
            client_id = ip_ed2k(peer_ip) if ok else random.randint(1, 16777215)
            data = answer_packets(client_id, peer_ip, why, port)
            log(port, mode, peer_ip, "high id" if ok else "low id", why)
            if mode == "slow":
                for i in range(min(len(data), 400)):
                    writer.write(data[i:i + 1])
                    await writer.drain()
                    await asyncio.sleep(0.2)
            else:
                writer.write(data)
        elif mode == "lowid":
            writer.write(answer_packets(random.randint(1, 16777215), peer_ip,
                                        "too many users: Low ID for everyone", port))
        elif mode == "garbage":
            writer.write(b"HTTP/1.1 400 Bad Request\r\n\r\n" + os.urandom(64))
        elif mode == "oversized":
            writer.write(struct.pack("<BIB", 0xE3, 3_000_001, OP_SERVERMESSAGE) + b"x" * 1000)
        elif mode == "reject":
            writer.write(packet(OP_REJECT))
        elif mode == "silent":
            await asyncio.sleep(60)
        elif mode == "close":
            return  # closes (finally) before any ID
        elif mode == "bomb":
            bomb = zlib.compress(struct.pack("<H", 0xFFFF) + b"A" * 5_000_000, 9)
            writer.write(packet(OP_SERVERMESSAGE, bomb, protocol=0xD4))
        elif mode == "badtags":
            writer.write(packet(OP_SERVERIDENT, SERVER_HASH + struct.pack("<IHI", 0, port, 0x7FFFFFFF) + b"\x01" * 30))
            writer.write(packet(OP_IDCHANGE, struct.pack("<I", ip_ed2k(peer_ip))))
        await writer.drain()
        await stay(reader, mode, port, peer_ip)
    except Exception as e:
        log(port, mode, peer_ip, "ended:", type(e).__name__, e)
    finally:
        writer.close()


class StatusProtocol(asyncio.DatagramProtocol):
    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        if len(data) >= 6 and data[0] == 0xE3 and data[1] == OP_GLOBSERVSTATREQ:
            (challenge,) = struct.unpack_from("<I", data, 2)
            reply = bytes([0xE3, OP_GLOBSERVSTATRES]) + struct.pack("<IIIIII", challenge, USERS, FILES, 5000, 1000, 2000)
            self.transport.sendto(reply, addr)
            log("udp status ping from", addr[0], addr[1])


async def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--address", required=True, help="address to listen on")
    parser.add_argument("--listen", action="append", required=True, metavar="PORT:MODE")
    parser.add_argument("--idle-timeout", type=int, default=60, metavar="SECONDS",
                        help="close a session whose client said nothing this long (default 60)")
    args = parser.parse_args()
    global IDLE_TIMEOUT
    IDLE_TIMEOUT = max(1, min(args.idle_timeout, 86400))
    loop = asyncio.get_running_loop()
    servers = []
    for spec in args.listen:
        port_text, mode = spec.split(":")
        port = int(port_text)
        servers.append(await asyncio.start_server(
            lambda r, w, m=mode, p=port: handle(r, w, m, p), args.address, port))
        if mode in ("normal", "lowid"):
            await loop.create_datagram_endpoint(StatusProtocol, local_addr=(args.address, port + 4))
        log("listening", args.address, port, mode)
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
