#!/usr/bin/env python3
"""Makes TRX and Xiaomi HDR1/HDR2 containers from ../shared/reference/formats.md (sections 8 and
4.5), independently of fwkit, for the fixtures and tests of those formats.

    vendor_ref.py trx OUT PART...          TRX v1: "HDR0", length, raw CRC over [12, length), offsets
    vendor_ref.py hdr1|hdr2 OUT DEVICE_ID NAME=FILE...   Xiaomi container with one blob per file
"""
import struct
import sys
import zlib


def raw_crc(data):
    return (~zlib.crc32(data)) & 0xFFFFFFFF  # start 0xFFFFFFFF, no final inversion


def trx(parts):
    body = b""
    offsets = []
    pos = 28
    for p in parts:
        offsets.append(pos)
        body += p
        pos += len(p)
    offsets += [0] * (3 - len(offsets))
    length = 28 + len(body)
    rest = struct.pack("<HH3I", 0, 1, *offsets) + body  # flags 0, version 1
    return struct.pack("<II", 0x30524448, length) + struct.pack("<I", raw_crc(rest)) + rest


def hdr(version, device, blobs):
    head = 0x10 + 32 if version == 1 else 0x30 + 32
    out = bytearray(head)
    offsets = []
    for kind, name, data in blobs:
        while len(out) % 4:
            out += b"\x00"
        offsets.append(len(out))
        out += struct.pack("<IIIHH", 0x0000BABE, 0, len(data), kind, 0) + name.encode().ljust(32, b"\x00") + data
    out[0:4] = b"HDR1" if version == 1 else b"HDR2"
    if version == 1:
        struct.pack_into("<H", out, 14, device)
        struct.pack_into("<8I", out, 0x10, *(offsets + [0] * (8 - len(offsets))))
    else:
        struct.pack_into("<QQ", out, 16, device, 0)
        struct.pack_into("<8I", out, 0x30, *(offsets + [0] * (8 - len(offsets))))
    struct.pack_into("<I", out, 8, raw_crc(bytes(out[12:])))
    return bytes(out)


if __name__ == "__main__":
    kind, out = sys.argv[1], sys.argv[2]
    if kind == "trx":
        data = trx([open(p, "rb").read() for p in sys.argv[3:]])
    else:
        dev = int(sys.argv[3], 0)
        blobs = []
        for arg in sys.argv[4:]:
            name, path = arg.split("=", 1)
            blobs.append((1 if name == "uboot" else 4, name, open(path, "rb").read()))
        data = hdr(1 if kind == "hdr1" else 2, dev, blobs)
    open(out, "wb").write(data)
