#!/usr/bin/env python3
"""TFTP clients for the reliability tests: loopback only, every wait bounded.

usage:
  tftp_load.py get HOST PORT FILE OUT [--mode octet|netascii] [--blksize N] [--timeout S]
               [--src ADDR] [--pause-after K --paused-file P --resume-file R]
      One lock-step read. The bytes as they came on the wire (netascii is not decoded) go to OUT.
      With --pause-after, block K is not acknowledged until R exists (at most 60 s); P is
      created when the pause begins. Prints "OK <bytes>" or "ERROR <code> <message>" or "TIMEOUT".
  tftp_load.py silent HOST PORT N FILE [--src ADDR] [--hold S]
      N requests (timeout 255 asked), each from its own socket, never answered; the sockets stay
      open S seconds (default 10). Prints "SENT <n> <ms since the first>" at once.
  tftp_load.py many HOST PORT FILE N --expect REF [--mode M] [--blksize B] [--sources K]
      N lock-step reads at once (one process, one poll loop), from 127.0.0.1 .. 127.0.0.K in
      turn; each result is hashed and compared with the file REF. Prints
      "MANY <identical> <of> <ms>".
  tftp_load.py dup HOST PORT FILE
      A request, then the same request again from the same address and port once DATA 1 has
      come; prints "TIDS <number of server ports that sent to us>" after 1.5 s of listening.
"""
import hashlib
import os
import select
import socket
import struct
import sys
import time

LOOPBACK_V4 = "127."


def loopback(host):
    if not (host.startswith(LOOPBACK_V4) or host == "::1"):
        sys.stderr.write("tftp_load.py: loopback only (127.0.0.0/8, ::1)\n")
        sys.exit(2)


def rrq(name, mode, opts):
    p = struct.pack("!H", 1) + name.encode() + b"\0" + mode.encode() + b"\0"
    for k, v in opts:
        p += k.encode() + b"\0" + str(v).encode() + b"\0"
    return p


def opt(args, name, default=None):
    if name in args:
        i = args.index(name)
        v = args[i + 1]
        del args[i:i + 2]
        return v
    return default


def sock_for(host, src):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((src or host, 0))
    return s


class Reader:
    """One lock-step read; feed() takes each datagram, returns what to send back."""

    def __init__(self, blksize):
        self.blksize = blksize
        self.expect = 1
        self.data = bytearray()
        self.h = hashlib.sha256()
        self.size = 0
        self.keep = True
        self.tid = None
        self.done = False
        self.error = None

    def feed(self, pkt, peer):
        if self.tid is None:
            self.tid = peer
        elif peer != self.tid:
            return struct.pack("!HH", 5, 5) + b"unknown transfer id\0", peer
        op = struct.unpack("!H", pkt[:2])[0] if len(pkt) >= 2 else 0
        if op == 5:
            code = struct.unpack("!H", pkt[2:4])[0] if len(pkt) >= 4 else 0
            self.error = "ERROR %d %s" % (code, pkt[4:].split(b"\0", 1)[0].decode("ascii", "replace"))
            self.done = True
            return None, None
        if op == 6:
            parts = pkt[2:].split(b"\0")
            for i in range(0, len(parts) - 1, 2):
                if parts[i].lower() == b"blksize":
                    self.blksize = int(parts[i + 1])
            return struct.pack("!HH", 4, 0), peer
        if op == 3 and len(pkt) >= 4:
            blk = struct.unpack("!H", pkt[2:4])[0]
            if blk == (self.expect & 0xFFFF):
                payload = pkt[4:]
                if self.keep:
                    self.data += payload
                self.h.update(payload)
                self.size += len(payload)
                self.expect += 1
                if len(payload) < self.blksize:
                    self.done = True
                return struct.pack("!HH", 4, blk), peer
            if blk == ((self.expect - 1) & 0xFFFF):
                return struct.pack("!HH", 4, blk), peer  # our ACK was lost
        return None, None


def cmd_get(args):
    mode = opt(args, "--mode", "octet")
    blksize = int(opt(args, "--blksize", "512"))
    tmo = int(opt(args, "--timeout", "5"))
    src = opt(args, "--src")
    pause_after = int(opt(args, "--pause-after", "0"))
    paused_file = opt(args, "--paused-file")
    resume_file = opt(args, "--resume-file")
    host, port, name, out = args[0], int(args[1]), args[2], args[3]
    loopback(host)
    if src:
        loopback(src)
    s = sock_for(host, src)
    s.sendto(rrq(name, mode, [("blksize", blksize), ("timeout", tmo), ("tsize", 0)]), (host, port))
    r = Reader(512)
    end = time.time() + 120
    last = time.time()
    while not r.done and time.time() < end:
        rd, _, _ = select.select([s], [], [], 1.0)
        if not rd:
            if time.time() - last > 10:
                print("TIMEOUT after %d bytes" % r.size)
                return 1
            continue
        pkt, peer = s.recvfrom(70000)
        last = time.time()
        reply, to = r.feed(pkt, peer)
        if pause_after and r.expect - 1 == pause_after:
            pause_after = 0
            if paused_file:
                open(paused_file, "w").close()
            wait_end = time.time() + 60
            while resume_file and not os.path.exists(resume_file) and time.time() < wait_end:
                time.sleep(0.02)
            # drain what the server resent meanwhile (duplicates of block K: acknowledged below)
            last = time.time()
        if reply:
            s.sendto(reply, to)
    with open(out, "wb") as f:
        f.write(r.data)
    if r.error:
        print(r.error)
        return 1
    if not r.done:
        print("TIMEOUT after %d bytes" % r.size)
        return 1
    print("OK %d" % r.size)
    return 0


def cmd_silent(args):
    src = opt(args, "--src")
    hold = float(opt(args, "--hold", "10"))
    host, port, n, name = args[0], int(args[1]), int(args[2]), args[3]
    loopback(host)
    if src:
        loopback(src)
    socks = []
    t0 = time.time()
    for _ in range(n):
        s = sock_for(host, src)
        s.sendto(rrq(name, "octet", [("timeout", 255), ("blksize", 512)]), (host, port))
        socks.append(s)
    print("SENT %d %d" % (n, (time.time() - t0) * 1000))
    sys.stdout.flush()
    time.sleep(hold)
    return 0


def cmd_many(args):
    ref = opt(args, "--expect")
    mode = opt(args, "--mode", "octet")
    blksize = int(opt(args, "--blksize", "65464"))
    sources = int(opt(args, "--sources", "1"))
    host, port, name, n = args[0], int(args[1]), args[2], int(args[3])
    loopback(host)
    with open(ref, "rb") as f:
        want = hashlib.sha256(f.read()).hexdigest()
    t0 = time.time()
    clients = []
    for i in range(n):
        s = sock_for(host, "127.0.0.%d" % (1 + i % sources))
        s.setblocking(False)
        r = Reader(512)
        r.keep = False
        s.sendto(rrq(name, mode, [("blksize", blksize), ("timeout", 5)]), (host, port))
        clients.append((s, r))
    end = time.time() + 120
    while time.time() < end and not all(r.done for _, r in clients):
        socks = [s for s, r in clients if not r.done]
        rd, _, _ = select.select(socks, [], [], 1.0)
        for s in rd:
            r = next(r for c, r in clients if c is s)
            while True:
                try:
                    pkt, peer = s.recvfrom(70000)
                except BlockingIOError:
                    break
                reply, to = r.feed(pkt, peer)
                if reply:
                    s.sendto(reply, to)
    good = sum(1 for _, r in clients if r.done and not r.error and r.h.hexdigest() == want)
    for i, (_, r) in enumerate(clients):
        if not (r.done and not r.error and r.h.hexdigest() == want):
            print("# client %d: %s, %d bytes" % (i, r.error or ("done" if r.done else "unfinished"), r.size))
    print("MANY %d %d %d" % (good, n, (time.time() - t0) * 1000))
    return 0


def cmd_dup(args):
    host, port, name = args[0], int(args[1]), args[2]
    loopback(host)
    s = sock_for(host, None)
    req = rrq(name, "octet", [])
    s.sendto(req, (host, port))
    s.settimeout(3)
    tids = set()
    try:
        _, peer = s.recvfrom(70000)
        tids.add(peer)
    except socket.timeout:
        print("TIDS 0")
        return 0
    s.sendto(req, (host, port))
    end = time.time() + 1.5
    while time.time() < end:
        s.settimeout(max(0.01, end - time.time()))
        try:
            _, peer = s.recvfrom(70000)
            tids.add(peer)
        except socket.timeout:
            break
    for t in tids:
        s.sendto(struct.pack("!HH", 5, 0) + b"test: done\0", t)
    print("TIDS %d" % len(tids))
    return 0


def main():
    if len(sys.argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    cmd, args = sys.argv[1], sys.argv[2:]
    fn = {"get": cmd_get, "silent": cmd_silent, "many": cmd_many, "dup": cmd_dup}.get(cmd)
    if not fn:
        sys.stderr.write(__doc__)
        return 2
    return fn(args)


if __name__ == "__main__":
    sys.exit(main())
