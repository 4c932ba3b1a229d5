#!/usr/bin/env python3
"""Makes vendor containers from ../shared/reference/formats.md (sections 8 and 4.5) and the
field layouts of openwrt/firmware-utils (mktplinkfw.c, mktplinkfw2.c, oseama.c/seama.h, mkchkimg.c),
independently of fwkit, for the fixtures and tests of those formats. MD5 is Python's hashlib.

    vendor_ref.py trx OUT PART...          TRX v1: "HDR0", length, raw CRC over [12, length), offsets
    vendor_ref.py hdr1|hdr2 OUT DEVICE_ID NAME=FILE...   Xiaomi container with one blob per file
    vendor_ref.py tplink1 OUT KERNEL [ROOTFS]   mktplinkfw -s (-c: no ROOTFS, no MD5), hw id 0x30200001
    vendor_ref.py tplink1-stock OUT KERNEL ROOTFS  a stock TP-Link layout (rootfs_ofs 0x100000, squashfs after the kernel)
    vendor_ref.py tplink2 OUT KERNEL [ROOTFS]   mktplinkfw2 -s (-c: no ROOTFS; the MD5 covers header and kernel), hw id 0x07600001
    vendor_ref.py seama OUT FILE [META...]      one Seama entity (oseama entity -m META -f FILE)
    vendor_ref.py seal OUT FILE [META...]       a seal (size 0, its meta) holding that entity
    vendor_ref.py chk OUT BOARD KERNEL [ROOTFS] mkchkimg -b BOARD -k KERNEL [-f ROOTFS], region 1
    vendor_ref.py systar OUT BOARD KERNEL ROOT  NAND sysupgrade tar, made by GNU tar with the options of
                                                openwrt/openwrt scripts/sysupgrade-tar.sh (root padded to 1 KiB)
"""
import hashlib
import os
import struct
import subprocess
import tempfile
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


TPLINK_SALT_V1 = bytes.fromhex("dcd73aa5c39598fbddf9e7f40eae4738")  # mktplinkfw md5salt_normal
TPLINK_SALT_V2 = bytes.fromhex("dcd73aa5c39598fbdcf9e7f40eae4737")  # mktplinkfw2 md5salt_normal


def tplink_body(kernel, rootfs, fill):
    """The file after the 512-byte header: kernel, FILL up to the rootfs offset (64 KiB aligned), rootfs."""
    if rootfs is None:
        return kernel, 0, 0
    rootfs_ofs = (512 + len(kernel) + 0xFFFF) & ~0xFFFF
    body = kernel + fill * (rootfs_ofs - 512 - len(kernel)) + rootfs
    return body, rootfs_ofs, len(rootfs)


def tplink1_stock(kernel, rootfs):
    """A stock TP-Link layout: rootfs_ofs 0x100000 in the header, the squashfs right after the kernel."""
    h = bytearray(512)
    struct.pack_into(">I", h, 0, 0x01000000)
    h[4:24] = b"TP-LINK Technologies"
    h[28:36] = b"ver. 1.0"
    struct.pack_into(">III", h, 64, 0x30200001, 1, 0)
    struct.pack_into(">9I", h, 116, 0x80002000, 0x80002000, 0x3C0000, 512, len(kernel), 0x100000, 0x2C0000, 0, 0)
    h[76:92] = TPLINK_SALT_V1
    h[76:92] = hashlib.md5(bytes(h) + kernel + rootfs).digest()
    return bytes(h) + kernel + rootfs


def tplink1(kernel, rootfs):
    body, rootfs_ofs, rootfs_len = tplink_body(kernel, rootfs, b"\xff")
    h = bytearray(512)
    struct.pack_into(">I", h, 0, 0x01000000)
    h[4:4 + 7] = b"OpenWrt"
    h[28:28 + 9] = b"r12345-ab"
    struct.pack_into(">III", h, 64, 0x30200001, 1, 0)  # hw_id, hw_rev, region
    # kernel_la, kernel_ep, fw_length, kernel_ofs, kernel_len, rootfs_ofs, rootfs_len, boot_ofs, boot_len
    struct.pack_into(">9I", h, 116, 0x80060000, 0x80060000, 0x3C0000 if rootfs else 0, 512, len(kernel),
                     rootfs_ofs, rootfs_len, 0, 0)
    struct.pack_into(">HHH", h, 152, 1, 2, 3)
    if rootfs is None:
        return bytes(h) + body  # mktplinkfw -c: no MD5
    h[76:92] = TPLINK_SALT_V1
    h[76:92] = hashlib.md5(bytes(h) + body).digest()
    return bytes(h) + body


def tplink2(kernel, rootfs):
    body, rootfs_ofs, rootfs_len = tplink_body(kernel, rootfs, b"\xff")
    h = bytearray(b"\xff" * 512)
    struct.pack_into("<I", h, 0, 2)  # htonl(bswap_32(2)): 02 00 00 00
    h[4:4 + 10] = b"ver. 1.0\x00\x00"[:9] + b"\xff"
    struct.pack_into(">III", h, 0x34, 0x07600001, 1, 0)  # hw_id, hw_rev, hw_ver_add
    h[0x40:0x50] = TPLINK_SALT_V2
    struct.pack_into(">I", h, 0x50, 0)
    struct.pack_into(">I", h, 0x64, 0xFFFFFFFF)
    if rootfs is None:  # -c: the rootfs fields keep the header's 0xFF fill
        rootfs_ofs = rootfs_len = 0xFFFFFFFF
    struct.pack_into(">9I", h, 0x68, 0x80000000, 0x80000000, 0x3C0000, 512, len(kernel), rootfs_ofs, rootfs_len, 0, 0)
    struct.pack_into(">HBBBBBB", h, 0x8C, 0x55AA, 1, 0, 0xA5, 1, 2, 3)
    h[0x40:0x50] = hashlib.md5(bytes(h) + body).digest()
    return bytes(h) + body


def seama_meta(metas):
    meta = b""
    for m in metas:
        meta += m.encode() + b"\x00"
        meta += b"\x00" * (-(28 + len(meta)) % 4)  # oseama pads each entry to 4 from the entity start
    return meta


def seama(data, metas):
    meta = seama_meta(metas)
    return struct.pack(">IHHI", 0x5EA3A417, 0, len(meta), len(data)) + hashlib.md5(data).digest() + meta + data


def seal(data, metas):
    meta = b"".join(m.encode() + b"\x00" for m in ["signature=wrgac00_dlink.2013gui"])
    meta += b"\x00" * (-len(meta) % 4)
    return struct.pack(">IHHI", 0x5EA3A417, 0, len(meta), 0) + meta + seama(data, metas)


def netgear_sum(data):
    c0 = c1 = 0
    for b in data:
        c0 = (c0 + b) & 0xFFFFFFFF
        c1 = (c1 + c0) & 0xFFFFFFFF

    def fold(v):
        b = (v & 0xFFFF) + ((v >> 16) & 0xFFFF)
        return ((b >> 16) + b) & 0xFFFF

    return (fold(c1) << 16) | fold(c0)


def chk(board, kernel, rootfs):
    rootfs = rootfs or b""
    reserved = bytes([1]) + bytes([99] * 7)  # region WW, then mkchkimg's 99s
    fields = [netgear_sum(kernel), netgear_sum(rootfs) if rootfs else 0, len(kernel), len(rootfs),
              netgear_sum(kernel + rootfs)]
    head = struct.pack(">II", 0x2A23245E, 40 + len(board)) + reserved + struct.pack(">5I", *fields)
    hsum = netgear_sum(head + b"\x00\x00\x00\x00" + board.encode())
    return head + struct.pack(">I", hsum) + board.encode() + kernel + rootfs


def systar(out, board, kernel, root):
    with tempfile.TemporaryDirectory() as tmp:
        d = os.path.join(tmp, "sysupgrade-" + board)
        os.mkdir(d)
        open(os.path.join(d, "CONTROL"), "w").write("BOARD=%s\n" % board)
        open(os.path.join(d, "kernel"), "wb").write(kernel)
        open(os.path.join(d, "root"), "wb").write(root + b"\x00" * (-len(root) % 1024))
        for name in ("", "CONTROL", "kernel", "root"):
            os.utime(os.path.join(d, name), (0, 0))
        subprocess.run(["tar", "-c", "-f", os.path.abspath(out), "--owner=0", "--group=0", "--numeric-owner",
                        "--mode=a-s", "--sort=name", "--mtime=@0", "-C", tmp, "sysupgrade-" + board], check=True)


def read(path):
    return open(path, "rb").read()


if __name__ == "__main__":
    kind, out = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    if kind == "systar":
        systar(out, args[0], read(args[1]), read(args[2]))
        sys.exit(0)
    if kind == "tplink1-stock":
        open(out, "wb").write(tplink1_stock(read(args[0]), read(args[1])))
        sys.exit(0)
    if kind in ("tplink1", "tplink2", "seama", "seal", "chk"):
        if kind == "tplink1":
            data = tplink1(read(args[0]), read(args[1]) if len(args) > 1 else None)
        elif kind == "tplink2":
            data = tplink2(read(args[0]), read(args[1]) if len(args) > 1 else None)
        elif kind in ("seama", "seal"):
            data = (seama if kind == "seama" else seal)(read(args[0]), args[1:])
        else:
            data = chk(args[0], read(args[1]), read(args[2]) if len(args) > 2 else None)
        open(out, "wb").write(data)
        sys.exit(0)
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
