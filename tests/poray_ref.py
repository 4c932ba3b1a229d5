#!/usr/bin/env python3
"""An independent reference of mkporayfw's algorithm, written from ../shared/reference/formats.md
section 5 (not from fwkit's code): used by the tests to check fwkit's encoder byte for byte.

    poray_ref.py encode BOARD IN OUT      (exit 3 "too big" like mkporayfw's refusal)
"""
import struct
import sys

KEYS = [
    "C8 3C 3A 93 A2 95 C3 63 48 45 58 09 12 03 08",  # 0 HAME
    "89 6B 5A 93 92 95 C3 63 D0 A3 9C 92 2E E6 C7",  # 1 PORAY_1
    "C9 1C 3A 93 92 95 C3 63 D0 A3 9C 92 2E E6 C7",  # 2 PORAY_2
    "19 1B 3A 93 92 95 C3 63 D0 A3 9C 92 2E E6 C7",  # 3 PORAY_3
    "79 7B 7A 93 92 95 C3 63 D0 A3 9C 92 2E E6 C7",  # 4 PORAY_4
    "19 1C 4A 93 96 95 C3 63 D0 A3 9C 92 2E 16 C6",  # 5 NEXX_1
    "39 1C 4A 93 96 95 C3 63 D0 A3 9C 92 2E 16 C6",  # 6 NEXX_2
    "C8 3C 3A 93 A2 95 C3 63 48 45 58 09 20 11 08",  # 7 A5_V11
]
KEYS = [bytes(int(x, 16) for x in k.split()) for k in KEYS]
M4, M8 = 0x3C0000, 0x7C0000
BOARDS = {  # formats.md 5.2: id -> (hw_id, limit, key)
    "A5-V11": (0x32473352, M4, 7), "MPR-A1": (0x32473352, M4, 0), "MPR-L8": (0x32473352, M4, 0),
    "R50B": (0x31353033, M4, 2), "R50D": (0x33353033, M4, 3), "R50E": (0x34353033, M4, 4),
    "M3": (0x31353335, M4, 1), "M4": (0x32353335, M4, 1), "Q3": (0x33353335, M4, 1),
    "X5": (0x35353335, M8, 1), "X6": (0x35353335, M8, 1), "X8": (0x36353335, M8, 1), "X1": (0x38353335, M8, 1),
    "WT1520": (0x30353332, M4, 5), "WT3020": (0x30323033, M4, 6),
}


def s32(v):
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


def checksum(d):
    # a signed 32-bit int that wraps, arithmetic right shifts (formats.md 5.4); a wrapping sum is
    # the same whether it wraps at each step or once at the end
    n = len(d) // 2
    acc = s32(sum(struct.unpack("<%dH" % n, d[:2 * n])) + (d[-1] if len(d) % 2 else 0))
    t = s32(acc + (acc >> 16) + 0xFFFF)
    return ~s32(t + (t >> 16)) & 0xFFFF


def encode(board, data):
    hw, limit, key = BOARDS[board]
    if len(data) > limit - 28:
        return None
    body = data + struct.pack("<H", checksum(data))
    stream = (KEYS[key] * (len(body) // 15 + 1))[:len(body)]
    x = (int.from_bytes(body, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(body), "big")
    return struct.pack("<III", hw, len(data), 0x020E0000) + bytes(16) + x


if __name__ == "__main__":
    if sys.argv[1] == "encode-all":  # encode-all SIZES...: ref-BOARD-SIZE.bin for every board, from in-SIZE.bin
        for b in BOARDS:
            for n in sys.argv[2:]:
                out = encode(b, open("in-%s.bin" % n, "rb").read())
                open("ref-%s-%s.bin" % (b, n), "wb").write(out if out is not None else b"")
    elif sys.argv[1] == "encode":
        out = encode(sys.argv[2], open(sys.argv[3], "rb").read())
        if out is None:
            sys.exit(3)
        open(sys.argv[4], "wb").write(out)
