#!/usr/bin/env python3
"""Decompression bombs for tests/cli/budget.sh, made at test time (nothing binary is committed).

    make_bombs.py DIR

writes into DIR:
  kernel.bin   ~1 MiB: a uImage kernel (compression none, as OpenWrt's lzma-loader images) whose
               payload is a small stand-in loader followed by thousands of LZMA-alone streams
               (properties 0x5d, dictionary 8 MiB, size unknown), each 2 MiB of zeros: every one
               is a candidate the device-tree finder may decode (`fwkit profile from-dump`)
  dump.bin     4 MiB: an A5-V11 flash layout (unbranded_a5-v11) with kernel.bin in the firmware
               partition at 0x50000 (`fwkit inspect --device unbranded_a5-v11`)
  multi.bin    a multi-file uImage (type multi, compression lzma) of 8 parts, each an LZMA-alone
               stream of 64 MiB of zeros: 512 MiB in all from ~80 KiB (`fwkit uimage verify`)
  total.bin    a multi-file uImage (compression lzma) of 20 parts of 16 MiB each at 600:1, below
               the ratio cap: 320 MiB in all, past the total budget of 256 MiB
  plain.bin    a multi-file uImage (compression gzip) of 3 small ordinary parts: must stay "ok"

The compressed streams come from Python's lzma and zlib modules (liblzma and zlib), never by hand.
"""
import lzma
import os
import random
import struct
import sys
import zlib

MiB = 1 << 20


def uimage(payload, type_, comp, name):
    """A legacy U-Boot image: 64-byte big-endian header (U-Boot include/image.h) + payload."""
    def header(hcrc):
        return struct.pack(">IIIIIIIBBBB32s", 0x27051956, hcrc, 1700000000, len(payload), 0x80000000,
                           0x80000000, zlib.crc32(payload), 5, 5, type_, comp, name.encode())
    return header(zlib.crc32(header(0))) + payload


def multi(parts):
    """Multi-file payload: big-endian sizes ended by 0, then the parts, each but the last padded to 4."""
    table = b"".join(struct.pack(">I", len(p)) for p in parts) + b"\0\0\0\0"
    body = b"".join(p + b"\0" * (-len(p) % 4) for p in parts[:-1]) + parts[-1]
    return table + body


def alone(data, dict_size):
    return lzma.compress(data, format=lzma.FORMAT_ALONE,
                         filters=[{"id": lzma.FILTER_LZMA1, "dict_size": dict_size}])


def main():
    out = sys.argv[1]
    # 1. the kernel: a stand-in loader, then LZMA-alone streams back to back
    stream = alone(bytes(2 * MiB), 8 * MiB)
    assert stream[0] == 0x5D and stream[5:13] == b"\xff" * 8  # unknown size
    loader = bytes((i * 37 + 11) & 0x7F for i in range(4096))  # no plausible LZMA header in it
    payload = loader + stream * ((MiB - len(loader)) // len(stream))
    kernel = uimage(payload, 2, 0, "bomb kernel")
    with open(os.path.join(out, "kernel.bin"), "wb") as f:
        f.write(kernel)
    # 2. the dump: A5-V11 layout, 4 MiB, the kernel in the firmware partition
    dump = bytearray(b"\xff" * (4 * MiB))
    dump[0x50000:0x50000 + len(kernel)] = kernel
    with open(os.path.join(out, "dump.bin"), "wb") as f:
        f.write(dump)
    # 3. the multi-file image: 8 parts of 64 MiB of zeros each
    part = alone(bytes(64 * MiB), 8 * MiB)
    with open(os.path.join(out, "multi.bin"), "wb") as f:
        f.write(uimage(multi([part] * 8), 4, 3, "bomb multi"))
    # 4. the total: 20 lzma parts of 16 MiB each, 600:1 (below the ratio cap), 320 MiB in all
    rng = random.Random(1)
    sparse = bytearray(16 * MiB)
    for i in range(0, len(sparse), 2048):
        sparse[i] = rng.randrange(256)
    part = alone(bytes(sparse), 8 * MiB)
    with open(os.path.join(out, "total.bin"), "wb") as f:
        f.write(uimage(multi([part] * 20), 4, 3, "bomb total"))
    # an ordinary multi-file image (gzip parts of text) that must still verify
    text = b"".join(b"line %d of an ordinary part\n" % i for i in range(20000))
    parts = [zlib.compressobj(9, zlib.DEFLATED, 31) for _ in range(3)]
    parts = [c.compress(text[: 100000 * (k + 1)]) + c.flush() for k, c in enumerate(parts)]
    with open(os.path.join(out, "plain.bin"), "wb") as f:
        f.write(uimage(multi(parts), 4, 1, "plain multi"))
    print("kernel.bin: %d streams of %d bytes" % (payload.count(stream[:13]), len(stream)))


main()
