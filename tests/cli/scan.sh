#!/bin/bash
# fwkit scan against outside facts:
#  1. every fixture in tests/data/<format>/good is found as that format at its offset, with the
#     extent and decoded size the real tools report (unsquashfs -s, xz/gzip/zstd -dc, the file size);
#  2. no file in tests/data/<format>/bad gives a hit of that format;
#  3. the nested tree of a real OpenWrt image and a dump built from it (uImage > LZMA > DTB);
#  4. against binwalk 2.3.4 on every real file in ../shared/testdata/real (when present): each
#     uImage/squashfs/LZMA/xz/gzip/zstd/DTB hit binwalk reports is a fwkit hit at the same offset,
#     or lies inside data fwkit's hit claims (a squashfs or a compressed stream: binwalk's false
#     positive, counted); exceptions are listed with their reasons.
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
need python3
D=$FWKIT_TEST_DATA

# hits FILE [ARGS]: "offset format size decoded_size" for every hit (all levels), from --json
hits() {
	"$FWKIT" scan "$@" --json | python3 -c '
import json, sys
def walk(n, decoded):
    for c in n["children"]:
        f = c["fields"]
        print(("d" if decoded else "") + str(c["offset"]), c["format"], c["size"], f.get("decoded_size", "-"))
        walk(c, decoded or "decoded_size" in f)
walk(json.load(sys.stdin), False)'
}
# has FILE "OFFSET FORMAT SIZE DECODED" [ARGS]: that hit is there
has() {
	local f=$1 want=$2
	shift 2
	local got
	got=$(hits "$f" "$@")
	if grep -qxF -- "$want" <<< "$got"; then ok "$(basename "$f"): $want"; else
		bad "$(basename "$f"): no hit \"$want\"; found: $(tr '\n' ';' <<< "$got")"
	fi
}
size() { stat -c %s "$1"; }

# ---- 1. good fixtures, with the real tools' figures ----------------------------------------------
for f in "$D"/squashfs/good/*; do
	if command -v unsquashfs > /dev/null; then
		used=$(unsquashfs -s "$f" | sed -n 's/^Filesystem size \([0-9]*\) bytes.*/\1/p')
		has "$f" "0 squashfs $used -"
	fi
done
has "$D/xz/good/text.xz" "0 xz $(size "$D/xz/good/text.xz") $(xz -dc "$D/xz/good/text.xz" | wc -c)" --deep
has "$D/lzma/good/text.lzma" "0 lzma $(size "$D/lzma/good/text.lzma") $(xz --format=lzma -dc "$D/lzma/good/text.lzma" | wc -c)" --deep
has "$D/gzip/good/text.gz" "0 gzip $(size "$D/gzip/good/text.gz") $(gzip -dc "$D/gzip/good/text.gz" | wc -c)" --deep
if command -v zstd > /dev/null; then
	has "$D/zstd/good/text.zst" "0 zstd $(size "$D/zstd/good/text.zst") -"
	has "$D/zstd/good/text.zst" "0 zstd $(size "$D/zstd/good/text.zst") $(zstd -dc "$D/zstd/good/text.zst" | wc -c)" --deep
fi
has "$D/fdt/good/a5-v11.dtb" "0 fdt $(size "$D/fdt/good/a5-v11.dtb") -"
if command -v dtc > /dev/null; then
	model=$(dtc -I dtb -O dts "$D/fdt/good/a5-v11.dtb" 2> /dev/null | sed -n 's/^\tmodel = "\(.*\)";/\1/p' | head -1)
	got=$("$FWKIT" scan "$D/fdt/good/a5-v11.dtb" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["children"][0]["fields"]["model"])')
	check "fdt-model-as-dtc" test -n "$model" -a "$model" = "$got"
fi
has "$D/jffs2-eof/good/marker.bin" "4096 jffs2-eof 4 -"
has "$D/u-boot/good/version.bin" "32 u-boot 37 -"
has "$D/breed/good/version.bin" "29 breed 19 -"
has "$D/netgear-dni/good/ex2700-breed.bin" "0 netgear-dni $(size "$D/netgear-dni/good/ex2700-breed.bin") -"
# TRX and Xiaomi containers made by tests/vendor_ref.py (formats.md 8 and 4.5): the whole file, the uImage inside
has "$D/trx/good/uimage-v1.trx" "0 trx $(size "$D/trx/good/uimage-v1.trx") -"
has "$D/trx/good/uimage-v1.trx" "28 uimage $(size "$D/uimage/good/breed-rt5350-hame-a5-r1163.bin") -"
has "$D/xiaomi-hdr/good/r3g-hdr1.bin" "0 xiaomi-hdr $(size "$D/xiaomi-hdr/good/r3g-hdr1.bin") -"
has "$D/xiaomi-hdr/good/hdr2.bin" "0 xiaomi-hdr $(size "$D/xiaomi-hdr/good/hdr2.bin") -"
for f in tplink/good/v1-uimage-squashfs.bin tplink/good/v2-uimage-squashfs.bin seama/good/entity-uimage.bin \
	seama/good/seal-uimage.bin netgear-chk/good/kernel-rootfs.chk sysupgrade-tar/good/squashfs-root.tar; do
	# the extent: the whole file (TP-Link's MD5, Seama's sizes, CHK's lengths, tar's record of 10 KiB)
	has "$D/$f" "0 $(dirname "$(dirname "$f")") $(size "$D/$f") -"
done
# mktplinkfw -c: the header and the kernel (512 + the uImage's size), the uImage at 512
has "$D/tplink/good/v1-kernel-only.bin" "0 tplink $((512 + $(size "$D/uimage/good/breed-rt5350-hame-a5-r1163.bin"))) -"
has "$D/tplink/good/v1-kernel-only.bin" "512 uimage $(size "$D/uimage/good/breed-rt5350-hame-a5-r1163.bin") -"
# GNU tar puts the kernel member's data at 0x800 (directory, CONTROL and kernel headers before it)
has "$D/sysupgrade-tar/good/squashfs-root.tar" "2048 uimage $(size "$D/uimage/good/breed-rt5350-hame-a5-r1163.bin") -"
check xiaomi-hdr1-device-r3g test "$("$FWKIT" scan "$D/xiaomi-hdr/good/r3g-hdr1.bin" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["children"][0]["fields"]["device"]["name"])')" = r3g
has "$D/poray/good/mpr-l8-breed-r1163.bin" "0 poray $(size "$D/poray/good/mpr-l8-breed-r1163.bin") -"
# EEPROM sizes the mt76 driver reads (formats.md 3.9): MT7603 1024, MT7662 512, RT5350 0x200
has "$D/wifi-eeprom/good/mt7603-mt7662-factory.bin" "0 wifi-eeprom 1024 -"
has "$D/wifi-eeprom/good/mt7603-mt7662-factory.bin" "32768 wifi-eeprom 512 -"
has "$D/wifi-eeprom/good/rt5350-factory.bin" "0 wifi-eeprom 512 -"
# every uImage in tests/data: the header mkimage would read, at 0, with its data size
for f in "$D"/uimage/good/*; do
	want=$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(64); print(64 + struct.unpack(">I", d[12:16])[0])' "$f")
	got=$(hits "$f")
	if grep -q '^0 uimage ' <<< "$got"; then
		check "$(basename "$f")-uimage-size" test "$(awk '$1 == 0 && $2 == "uimage" { print $3 }' <<< "$got")" = "$want"
	else
		bad "$(basename "$f"): no uimage hit at 0"
	fi
done

# ---- 2. must-fail fixtures: no hit of their format, or one that carries an error finding ---------
for dir in "$D"/*/bad; do
	fmt=$(basename "$(dirname "$dir")")
	for f in "$dir"/*; do
		[ -f "$f" ] || continue
		if "$FWKIT" scan "$f" --deep --json | python3 -c 'import json, sys
fmt = sys.argv[1]
def walk(n):
    for c in n["children"]:
        if c["format"] == fmt and not any(x["severity"] == "error" for x in c["findings"]):
            sys.exit(1)
        walk(c)
walk(json.load(sys.stdin))' "$fmt"; then ok "$fmt/bad/$(basename "$f"): no clean hit"; else bad "$fmt/bad/$(basename "$f") gave a $fmt hit without an error"; fi
	done
done

# ---- 3. the tree of a real image: the LZMA kernel is the uImage's child, the DTB the kernel's -----
IMG=$D/uimage/good/a5-v11-19.07.7-sysupgrade.bin
has "$IMG" "64 lzma 0 -"
hits "$IMG" --deep > tree.txt
check tree-lzma-extent grep -qE '^64 lzma [0-9]+ [0-9]+$' tree.txt
klen=$(python3 -c 'import lzma,struct,sys; d=open(sys.argv[1],"rb").read(); n=struct.unpack(">I",d[12:16])[0]; print(len(lzma.decompress(d[64:64+n], format=lzma.FORMAT_ALONE)))' "$IMG")
check tree-lzma-decoded-size-as-python-lzma grep -qE "^64 lzma [0-9]+ $klen\$" tree.txt
dtb_at=$(python3 -c 'import lzma,struct,sys; d=open(sys.argv[1],"rb").read(); n=struct.unpack(">I",d[12:16])[0]; print(lzma.decompress(d[64:64+n], format=lzma.FORMAT_ALONE).find(b"\xd0\x0d\xfe\xed"))' "$IMG")
check tree-dtb-in-decoded-kernel grep -qE "^d$dtb_at fdt " tree.txt
sq_at=$(python3 -c 'import sys; print(open(sys.argv[1],"rb").read().find(b"hsqs"))' "$IMG")
check tree-squashfs-top-level grep -qE "^$sq_at squashfs " tree.txt
# nothing reported inside the squashfs (its xz blocks are its data)
python3 - "$sq_at" tree.txt << 'EOF' && ok tree-nothing-inside-squashfs || bad tree-nothing-inside-squashfs
import sys
sq = int(sys.argv[1]); rows = [l.split() for l in open(sys.argv[2])]
size = [int(r[2]) for r in rows if r[0] == str(sq) and r[1] == "squashfs"][0]
inside = [r for r in rows if not r[0].startswith("d") and sq < int(r[0]) < sq + size]
sys.exit(1 if inside else 0)
EOF
"$FWKIT" scan "$IMG" > scan.txt
check text-counts-suppressed grep -qE '^[0-9]+ hits in 3670242 bytes; [0-9]+ magic match' scan.txt
check text-indents-child grep -qE '^  0x00000040  lzma' scan.txt
"$FWKIT" scan "$D/lzma/bad/props-225.lzma" --min-confidence 2000 > /dev/null 2>&1
check min-confidence-range test $? = 2

# ---- 4. binwalk on the real files --------------------------------------------------------------------
REAL=${FWKIT_REAL_DATA:-/nonexistent}
if ! command -v binwalk > /dev/null 2>&1; then
	skip_part "binwalk comparison: binwalk not installed"
elif [ ! -d "$REAL" ]; then
	skip_part "binwalk comparison: $REAL is absent"
else
	find "$REAL" -type f ! -name '*.md' | sort > real.list
	: > binwalk.summary
	while read -r f; do
		binwalk "$f" > bw.txt 2> /dev/null
		hits "$f" --deep > fw.txt
		python3 - "$f" bw.txt fw.txt >> binwalk.summary << 'EOF'
import sys, re
name, bw, fw = sys.argv[1], sys.argv[2], sys.argv[3]
kinds = [("uImage header", "uimage"), ("Squashfs filesystem", "squashfs"), ("LZMA compressed data", "lzma"),
         ("xz compressed data", "xz"), ("gzip compressed data", "gzip"), ("Zstandard", "zstd"),
         ("Flattened device tree", "fdt")]
rows = [l.split() for l in open(fw)]
top = [(int(r[0]), r[1], int(r[2])) for r in rows if not r[0].startswith("d")]
opaque = [(o, o + s) for o, f, s in top if f in ("squashfs", "lzma", "xz", "gzip", "zstd") and s]
matched = fp = missed = 0
for l in open(bw):
    m = re.match(r"^(\d+)\s+0x[0-9A-Fa-f]+\s+(.*)", l)
    if not m:
        continue
    off, desc = int(m.group(1)), m.group(2)
    kind = next((k for d, k in kinds if desc.startswith(d)), None)
    if not kind:
        continue
    if any(o == off and f == kind for o, f, s in top):
        matched += 1
    elif any(a < off < b for a, b in opaque):
        fp += 1          # inside a squashfs or a stream fwkit decoded: binwalk's false positive
    else:
        missed += 1
        print("MISSED %s %d %s" % (name, off, desc[:60]))
print("FILE %s matched=%d binwalk_false_positives=%d missed=%d fwkit_hits=%d" % (name, matched, fp, missed, len(top)))
EOF
	done < real.list
	grep '^FILE' binwalk.summary | sed 's|^FILE .*/testdata/real/|#   |'
	missed=$(grep -c '^MISSED' binwalk.summary)
	grep '^MISSED' binwalk.summary | sed 's/^/#   /'
	check binwalk-true-hits-all-found test "$missed" = 0
	check binwalk-compared-files test "$(grep -c '^FILE' binwalk.summary)" -ge 20
fi
done_testing
