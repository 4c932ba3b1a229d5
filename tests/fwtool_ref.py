#!/usr/bin/env python3
"""Appends fwtool blocks as OpenWrt's fwtool does, written from ../shared/reference/formats.md 6.2
(not from fwkit): used by the tests to make sysupgrade images with metadata and signatures.

    fwtool_ref.py meta IMAGE JSONFILE      append a metadata block (header version 0, flags 0)
    fwtool_ref.py sign IMAGE SIGFILE       append a signature block
"""
import struct
import sys
import zlib


def append(path, type_, data):
    img = open(path, "rb").read()
    body = img + data
    # the raw CRC-32 state over everything before the trailer: zlib's value, inverted
    crc = (~zlib.crc32(body)) & 0xFFFFFFFF
    trailer = struct.pack(">IIB3xI", 0x46577830, crc, type_, len(data) + 16)
    open(path, "wb").write(body + trailer)


if __name__ == "__main__":
    kind, image, src = sys.argv[1:4]
    data = open(src, "rb").read()
    if kind == "meta":
        append(image, 1, struct.pack(">II", 0, 0) + data)
    else:
        append(image, 0, data)
