#!/usr/bin/env python3
"""Send one raw TFTP datagram to a server on loopback and print what comes back.

usage: tftp_raw.py HOST PORT PACKET [TIMEOUT]

HOST must be 127.0.0.1 or ::1 (loopback only). PACKET is a Python bytes literal, e.g.
"b'\\x00\\x01file\\x00octet\\x00'". The reply may come from another port (the transfer's own
socket). Prints one line and exits 0:
  ERROR <code> <message>
  OACK <name>=<value> ...      (then answers ERROR 8, which ends the transfer)
  DATA <block> <length>        (then answers ERROR 0, which ends the transfer)
  OTHER <opcode> <length>
  TIMEOUT                      (no reply within TIMEOUT seconds, default 2)
"""
import ast
import socket
import struct
import sys


def main():
    if len(sys.argv) not in (4, 5):
        sys.stderr.write(__doc__)
        return 2
    host, port = sys.argv[1], int(sys.argv[2])
    if host not in ("127.0.0.1", "::1"):
        sys.stderr.write("tftp_raw.py: loopback only (127.0.0.1 or ::1)\n")
        return 2
    pkt = ast.literal_eval(sys.argv[3])
    if not isinstance(pkt, bytes):
        sys.stderr.write("tftp_raw.py: PACKET must be a bytes literal\n")
        return 2
    timeout = float(sys.argv[4]) if len(sys.argv) == 5 else 2.0
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((host, 0))
    s.settimeout(timeout)
    s.sendto(pkt, (host, port))
    try:
        data, peer = s.recvfrom(70000)
    except socket.timeout:
        print("TIMEOUT")
        return 0
    if len(data) < 2:
        print("OTHER ? %d" % len(data))
        return 0
    op = struct.unpack("!H", data[:2])[0]
    if op == 5 and len(data) >= 4:
        code = struct.unpack("!H", data[2:4])[0]
        msg = data[4:].split(b"\0", 1)[0].decode("ascii", "replace")
        print("ERROR %d %s" % (code, msg))
    elif op == 6:
        parts = data[2:].split(b"\0")
        if parts and parts[-1] == b"":
            parts = parts[:-1]
        opts = ["%s=%s" % (parts[i].decode("ascii", "replace"), parts[i + 1].decode("ascii", "replace"))
                for i in range(0, len(parts) - 1, 2)]
        print("OACK " + " ".join(opts))
        s.sendto(struct.pack("!HH", 5, 8) + b"test: option acknowledgement declined\0", peer)
    elif op == 3 and len(data) >= 4:
        blk = struct.unpack("!H", data[2:4])[0]
        print("DATA %d %d" % (blk, len(data) - 4))
        s.sendto(struct.pack("!HH", 5, 0) + b"test: transfer cancelled\0", peer)
    else:
        print("OTHER %d %d" % (op, len(data)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
