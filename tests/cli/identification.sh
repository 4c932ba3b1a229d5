#!/bin/bash
# Identification weighs every piece of evidence (docs/identification.md): one case per kind of
# evidence, on dumps built here from real parts (tests/data, ../shared/testdata/real when present)
# and from documented facts (formats.md 3.2, 3.5-3.7, 4.1, 6.2), read back as typed fields of
# `fwkit identify --json` (never its prose):
#   size, eeprom-chip, env, bdata, bdata-model, bootloader-model (Xiaomi's model= and HAME's own
#   U-Boot), compatible (whole and exact, any case), supported-devices (without a vendor prefix
#   too), device-tree, ties; and the two wrong names of issue 12: a 4A Gigabit dump whose Bdata
#   says model=R4AG named "3G v2", an A5-V11 dump named "HAME MPR-A1".
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
need python3

D=$FWKIT_TEST_DATA
REAL=${FWKIT_REAL_DATA:-/nonexistent}
R4A_BOOT=$D/bootloader/xiaomi-r4a-gigabit-uboot3.bin # stock U-Boot of the 4A Gigabit: "model=R4A"
MPR_BOOT=$D/uimage/good/hame-mpr-a1-v22-uboot128.bin # HAME's U-Boot: "get hame message"
A5_BOOT=$REAL/openwrt-precompiled-a5-v11/stock_bootloader.bin
FW_3GV2=$REAL/openwrtinvasion/openwrt-ramips-mt7621-xiaomi_mir3g-v2-squashfs-sysupgrade.bin
A5_FW=$D/uimage/good/a5-v11-19.07.7-sysupgrade.bin

# build OUT SIZE [OFFSET=FILE|OFFSET:env:SIZE:TEXT|OFFSET:raw:PYTHON-BYTES ...]: 0xFF, then the parts
build() {
	python3 - "$@" << 'EOF'
import struct, sys, zlib
out, size = sys.argv[1], int(sys.argv[2], 0)
d = bytearray(b"\xff" * size)
for spec in sys.argv[3:]:
    parts = spec.split(":", 2)
    if len(parts) < 3 or parts[1] not in ("env", "raw"):
        off, path = spec.split("=", 1)
        b = open(path, "rb").read()
    else:
        off, kind, rest = parts
        if kind == "env":  # a U-Boot env (formats.md 2.1): CRC-32 LE over the data, NUL-separated
            esize, text = rest.split(":", 1)
            data = b"\0".join(v.encode() for v in text.split(";")) + b"\0\0"
            data = data.ljust(int(esize, 0) - 4, b"\0")
            b = struct.pack("<I", zlib.crc32(data)) + data
        else:
            b = eval(rest)
    off = int(off, 0)
    d[off:off + len(b)] = b
open(out, "wb").write(d)
EOF
}
# fwtool metadata (formats.md 6.2): an 8-byte header, the JSON, the trailer "FWx0", the CRC (zlib's
# CRC-32 inverted, over everything before the trailer), type 1, size; IMAGE's bytes come first
metadata() {
	python3 - "$1" "$2" "$3" << 'EOF'
import struct, sys, zlib
img = open(sys.argv[1], "rb").read()
block = b"\0" * 8 + sys.argv[2].encode()
size = len(block) + 16
crc = zlib.crc32(img + block) ^ 0xFFFFFFFF
open(sys.argv[3], "wb").write(img + block + b"FWx0" + struct.pack(">IB3xI", crc, 1, size))
EOF
}
# q FILE EXPR: a Python expression over `fwkit identify FILE --json` (j) with tests/inspect_tree.py
q() {
	"$FWKIT" identify "$1" --json > q.json 2> /dev/null
	python3 -c 'import json,sys; sys.path.insert(0, sys.argv[3]); from inspect_tree import *
j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' q.json "$2" "$FWKIT_SOURCE_DIR/tests"
}
device() { q "$1" 'f(kid(j, "identification"), "device")'; }
# has FILE DEVICE KIND WEIGHT VALUE: DEVICE's evidence holds (KIND, WEIGHT, VALUE)
has() { test "$(q "$1" "('$3', $4, '$5') in evidence(j, '$2')")" = True; }
hasnt() { test "$(q "$1" "'$3' in [k for k, w, v in evidence(j, '$2')]")" = False; }
MiB=1048576
# a kernel uImage without a device tree, for firmware whose word is its metadata alone
head -c 100000 /dev/zero > kernel.raw
SOURCE_DATE_EPOCH=0 "$FWKIT" uimage create -A mips -O linux -T kernel -C none -a 0x80000000 -n test -d kernel.raw kernel.uimg > /dev/null || exit 1
FACTORY='0x50000:raw:b"\x03\x76\x01\x00\x02\x00\x00\x00\x10\x00" + b"\xff" * 0x7ff6 + b"\x62\x76\x01\x00\x02\x00\x00\x00\x10\x01"'

# ---- the hardware: size, EEPROM chip ids, env, Bdata (formats.md 3.2, 4.1) -----------------------
build hw.bin $((16 * MiB)) "$FACTORY" '0x30000:env:0x1000:bootdelay=1;uart_en=0' '0x40000:env:0x4000:color=101;CountryCode=EU'
check size-counts has hw.bin xiaomi_mi-router-3g-v2 size 10 0x1000000
check eeprom-chip-counts has hw.bin xiaomi_mi-router-3g-v2 eeprom-chip 8 0x7603
check eeprom-chip-5ghz-counts has hw.bin xiaomi_mi-router-3g-v2 eeprom-chip 8 0x7662
check env-counts has hw.bin xiaomi_mi-router-3g-v2 env 4 0x1000
check bdata-counts has hw.bin xiaomi_mi-router-3g-v2 bdata 6 0x4000
# nothing tells the 3G v2 from the 4A Gigabit (formats.md 3.2: the same map): a tie, said as such
check tie-reported test "$(q hw.bin '(f(kid(j, "identification"), "tie"), sorted(candidates(j)[:2]))')" \
	= "(True, ['xiaomi_mi-router-3g-v2', 'xiaomi_mi-router-4a-gigabit'])"
check tie-same-layout test "$(q hw.bin 'f(kids(kid(j, "identification"), "candidate")[1], "same_layout_as_best")')" = True
build small.bin $((8 * MiB)) "$FACTORY" '0x40000:env:0x4000:model=R4AG'
check size-differs-counts-against has small.bin xiaomi_mi-router-4a-gigabit size -20 0x800000

# ---- Bdata model= (issue 12's first wrong name) -------------------------------------------------
if [ -r "$FW_3GV2" ]; then
	FW="0x180000=$FW_3GV2"
else
	skip_part "$FW_3GV2 absent: the firmware's word for the 3G v2 is its sysupgrade metadata alone"
	metadata kernel.uimg '{"metadata_version":"1.0","supported_devices":["xiaomi,mir3g-v2"]}' fw-3gv2.bin
	FW="0x180000=fw-3gv2.bin"
fi
build r4ag.bin $((16 * MiB)) "$FACTORY" '0x30000:env:0x1000:bootdelay=1' '0x40000:env:0x4000:model=R4AG;color=101' "$FW"
check bdata-model-counts has r4ag.bin xiaomi_mi-router-4a-gigabit bdata-model 50 R4AG
check bdata-model-r4ag-names-4a-gigabit test "$(device r4ag.bin)" = xiaomi_mi-router-4a-gigabit
check bdata-model-claims-disagree test "$(q r4ag.bin 'f(kid(j, "identification"), "claims_disagree")')" = True
check bdata-model-claim-typed test "$(q r4ag.bin '[(f(c, "kind"), f(c, "value"), f(c, "device")) for c in kids(kid(j, "identification"), "claim")][0]')" \
	= "('bdata-model', 'R4AG', 'xiaomi_mi-router-4a-gigabit')"
build r3gv2.bin $((16 * MiB)) "$FACTORY" '0x40000:env:0x4000:model=R3GV2'
# the same 4A Gigabit dump grown by 3 bytes: identify says whose dump it is, by how much it is off
# the chip's size (16 MiB), and an edit names the same device (the 3G v2 places the same
# structures: the Bdata model= decides between the two, as for a whole dump)
cp r4ag.bin r4ag-grown.bin && printf 'XYZ' >> r4ag-grown.bin
expect grown-identify 3 'a xiaomi_mi-router-4a-gigabit dump of the wrong size: 3 bytes more than the 16 MiB flash.*expected 16777216 bytes.*found 16777219 bytes' \
	"$FWKIT" identify r4ag-grown.bin
expect grown-env-set-names-4a 1 'a xiaomi_mi-router-4a-gigabit dump with 3 bytes more' "$FWKIT" env set r4ag-grown.bin bootdelay=3 -o o.bin
check bdata-model-r3gv2 has r3gv2.bin xiaomi_mi-router-3g-v2 bdata-model 50 R3GV2

# ---- the bootloader's own model string -----------------------------------------------------------
build r4a-boot.bin $((16 * MiB)) "0=$R4A_BOOT" "$FACTORY"
check bootloader-model-counts has r4a-boot.bin xiaomi_mi-router-4a-gigabit bootloader-model 25 R4A
check bootloader-model-not-for-3g-v2 hasnt r4a-boot.bin xiaomi_mi-router-3g-v2 bootloader-model
check bootloader-model-names-4a-gigabit test "$(device r4a-boot.bin)" = xiaomi_mi-router-4a-gigabit
# model= inside a Bdata is Bdata's, not the bootloader's (the 3G's NAND bootloader span covers it)
check bootloader-model-not-from-bdata hasnt r3gv2.bin xiaomi_mi-router-3g bootloader-model

# ---- HAME's own U-Boot, and the A5-V11 (issue 12's second wrong name; formats.md 3.5-3.7) --------
RT_FACTORY='0x40000:raw:b"\x50\x53\x01\x00\x02\x00\x00\x00\x20\x00" + bytes(0x1f6)'
build mpra1.bin $((4 * MiB)) "0=$MPR_BOOT" "$RT_FACTORY"
check hame-bootloader-counts has mpra1.bin hame_mpr-a1 bootloader-model 15 hame
check hame-bootloader-names-hame test "$(device mpra1.bin)" = hame_mpr-a1
if [ -r "$A5_BOOT" ]; then
	build a5.bin $((4 * MiB)) "0=$A5_BOOT" "$RT_FACTORY"
	check a5v11-not-named-mpr-a1 test "$(device a5.bin)" != hame_mpr-a1
	check a5v11-hame-counts-against has a5.bin hame_mpr-a1 bootloader-model -10 not-hame
	build a5fw.bin $((4 * MiB)) "0=$A5_BOOT" "$RT_FACTORY" "0x50000=$A5_FW"
	check a5v11-with-firmware-named test "$(device a5fw.bin)" = unbranded_a5-v11
	# the kernel's device tree (formats.md 5): the strongest form of the firmware's word, counted once
	check device-tree-counts has a5fw.bin unbranded_a5-v11 device-tree 30 unbranded,a5-v11
	check device-tree-once test "$(q a5fw.bin '[k for k, w, v in evidence(j, "unbranded_a5-v11") if k in ("device-tree", "supported-devices", "compatible")]')" = "['device-tree']"
else
	skip_part "$A5_BOOT absent: the A5-V11 stock bootloader cases"
fi

# ---- compatibles: whole names, any case; the sysupgrade metadata's supported_devices -------------
build compat.bin $((16 * MiB)) "$FACTORY" '0x200000:raw:b"\0XIAOMI,MIR3G-V2\0"'
check compatible-any-case has compat.bin xiaomi_mi-router-3g-v2 compatible 10 xiaomi,mir3g-v2
# "xiaomi,mir3g" is the 3G's: a prefix of the 3G v2's name is not the 3G's name
check compatible-not-by-prefix hasnt compat.bin xiaomi_mi-router-3g compatible
build longer.bin $((16 * MiB)) "$FACTORY" '0x200000:raw:b"\0xiaomi,mir3g-v2x\0"'
check compatible-whole-name-only hasnt longer.bin xiaomi_mi-router-3g-v2 compatible
# supported_devices without a vendor prefix ("a5-v11", OpenWrt 19.07's own names), in the metadata
# of a kernel without a device tree
metadata kernel.uimg '{"metadata_version":"1.0","supported_devices":["a5-v11"],"version":{"board":"a5-v11"}}' fw-meta.bin
build meta.bin $((4 * MiB)) "0=$MPR_BOOT" "$RT_FACTORY" "0x50000=fw-meta.bin"
check supported-devices-counts has meta.bin unbranded_a5-v11 supported-devices 20 a5-v11
check supported-devices-only-its-device hasnt meta.bin hame_mpr-a1 supported-devices
check supported-devices-claim test "$(q meta.bin '[f(c, "device") for c in kids(kid(j, "identification"), "claim") if f(c, "kind") == "supported-devices"]')" = "['unbranded_a5-v11']"

done_testing
