#!/bin/bash
# fwkit poray against the reference algorithm (tests/poray_ref.py, written from formats.md 5,
# not from fwkit) and against real mkporayfw outputs:
#  - encode == the reference for every board, at sizes 0, 1, odd, 64 KiB +/- 1, 200 000 (the
#    signed-wrap case of formats.md 5.4), the exact limit, and one byte over (refused, "too big");
#  - decode names the board: HAME (MPR-A1/MPR-L8) and A5-V11 share "R3G2" and are told apart;
#  - the real A5-V11 19.07.7 pair: decode(factory) == the sysupgrade without its trailer, and
#    encode(that) == the factory file byte for byte (SHA-256 from ../shared/testdata/real/PROVENANCE.md);
#  - the must-fail corpus tests/data/poray/bad, each with its error; nothing written on a refusal.
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
need python3 sha256sum
REF="python3 $FWKIT_SOURCE_DIR/tests/poray_ref.py"
D=$FWKIT_TEST_DATA

# ---- encode == the reference, for every board and size -------------------------------------------
python3 -c 'import random, sys
r = random.Random(11)
for n in (0, 1, 3, 1001, 65535, 65536, 65537, 200000):
    open("in-%d.bin" % n, "wb").write(bytes(r.randrange(256) for _ in range(n)))
# all 0xFF: the 16-bit sum grows fastest, so the signed 32-bit accumulator wraps soonest
open("in-ff.bin", "wb").write(b"\xff" * 300000)'
SIZES="0 1 3 1001 65535 65536 65537 200000 ff"
# shellcheck disable=SC2086
$REF encode-all $SIZES
mismatch=0
for b in A5-V11 MPR-A1 MPR-L8 R50B R50D R50E M3 M4 Q3 X5 X6 X8 X1 WT1520 WT3020; do
	for n in $SIZES; do
		"$FWKIT" poray encode "in-$n.bin" --board "$b" --force -o fw.bin > /dev/null 2>&1
		cmp -s "ref-$b-$n.bin" fw.bin || { mismatch=$((mismatch + 1)); echo "#   $b size $n differs"; }
	done
done
check encode-equals-reference-15-boards-9-sizes test $mismatch = 0
# the exact limit (4M: 0x3C0000 - 28 bytes of firmware) fits; one more byte is refused
head -c $((0x3C0000 - 28)) /dev/zero > exact.bin
"$FWKIT" poray encode exact.bin --board MPR-L8 --force -o exact.out > /dev/null
check exact-limit-fits test "$(stat -c %s exact.out)" = $((0x3C0000 + 2))
$REF encode MPR-L8 exact.bin exact.ref && check exact-limit-equals-reference cmp -s exact.out exact.ref
head -c $((0x3C0000 - 27)) /dev/zero > over.bin
"$FWKIT" poray encode over.bin --board MPR-L8 --force -o over.out > out.txt 2> err.txt
check one-over-exit-1 test $? = 1
check one-over-says-by-how-much grep -q 'poray: the firmware is too big for MPR-L8 by 1 bytes: expected at most 3932132 bytes, found 3932133 bytes' err.txt
check one-over-nothing-written test ! -e over.out
# 8M boards take twice that, and --layout 4M holds an X5 to the smaller limit
"$FWKIT" poray encode over.bin --board X5 --force -o x5.out > /dev/null
check x5-8m-takes-it test -s x5.out
"$FWKIT" poray encode over.bin --board X5 --layout 4M --force -o x5-4m.out > /dev/null 2>&1
check x5-layout-4m-refuses test $? = 1

# ---- decode names the board and key -----------------------------------------------------------------
fw_show() { "$FWKIT" poray show "$1" --json | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j.get("boards"), j.get("key"), j["checksum_ok"], j.get("uimage_ok"))'; }
check hame-file-is-hame test "$(fw_show "$D/poray/good/mpr-l8-breed-r1163.bin")" = "MPR-A1, MPR-L8 HAME True True"
check a5v11-file-is-a5v11 test "$(fw_show "$D/poray/good/a5-v11-breed-r1163.bin")" = "A5-V11 A5_V11 True True"
"$FWKIT" poray decode "$D/poray/good/mpr-l8-breed-r1163.bin" -o dec.bin > /dev/null
check decode-gives-the-uimage cmp -s dec.bin "$D/uimage/good/breed-rt5350-hame-a5-r1163.bin"
# the seed's HAME step in one command, from a real OpenWrt image, and back
SYS=$D/uimage/good/a5-v11-19.07.7-sysupgrade.bin
head -c 3670020 "$SYS" > a5-fw.bin  # the image without its 222-byte fwtool trailer (formats.md 6.1)
"$FWKIT" poray encode a5-fw.bin --board MPR-L8 -o hame.bin > /dev/null
$REF encode MPR-L8 a5-fw.bin hame.ref
check seed-hame-step-equals-reference cmp -s hame.bin hame.ref
# the real mkporayfw output for the A5-V11 (PROVENANCE.md #19): its SHA-256 without needing the file
"$FWKIT" poray encode a5-fw.bin --board A5-V11 -o a5.bin > /dev/null
check a5v11-equals-real-mkporayfw-sha256 test "$(sha256sum < a5.bin | cut -d' ' -f1)" = f9d1f591b87dcb69db9ac090ecee4b07d4f0c3861b3f1ee3855324c0ff755560
# encode refuses what is not an image (the stock web UI would flash it) unless --force
"$FWKIT" poray encode in-1001.bin --board MPR-L8 -o notimg.bin > out.txt 2> err.txt
check not-an-image-refused test $? = 1
check not-an-image-nothing-written test ! -e notimg.bin

# ---- must-fail corpus ---------------------------------------------------------------------------------
bad() {
	local f=$1 want=$2 pat=$3
	"$FWKIT" poray decode "$D/poray/bad/$f" -o out.bin > out.txt 2> err.txt
	local rc=$?
	if [ $rc = "$want" ] && grep -qE -- "$pat" err.txt && [ ! -e out.bin ]; then ok "bad/$f"; else
		bad "bad/$f: exit $rc (wanted $want), stderr: $(head -c 200 err.txt)"; fi
}
bad truncated.bin 3 'offset 0x4: poray: the file is shorter than its firmware length says: expected 82976 bytes, found 41488 bytes'
bad flags.bin 3 'offset 0x8: poray: unexpected flags: expected flags 0x020e0000, found 0x00000000'
bad unknown-hw-id.bin 3 'offset 0x0: poray: unknown hardware id: .* found 0x5a5a5a5a'
bad checksum.bin 1 'poray: no key of this hardware id gives a good checksum'
bad payload-byte.bin 1 'poray: no key of this hardware id gives a good checksum'

# serve checks what it serves through the format table: a Poray file with a bad checksum is refused
timeout 10 "$FWKIT" serve "$D/poray/bad/checksum.bin" --bind 127.0.0.1:0 --once > out.txt 2> err.txt
check serve-refuses-bad-poray test $? = 1
check serve-refusal-names-the-checksum grep -q 'poray: bad checksum: expected 0x' err.txt

# encode knows its input first: a bootloader is no firmware for the stock web UI, and a file
# that would not fit the board's firmware partition (rt305x.mk IMAGE_SIZE 3776k = 0x3B0000 for the
# A5-V11; seed 002's "a few hundred bytes too big") is refused as fwkit check --via vendor-web
# refuses it; --force writes both
expect encode-refuses-bootloader 1 'expected a firmware image .a kernel uImage., found a bootloader partition' \
	"$FWKIT" poray encode "$D/uimage/good/breed-rt5350-hame-a5-r1163.bin" --board A5-V11 -o boot.poray
check encode-bootloader-nothing-written test ! -e boot.poray
"$FWKIT" poray encode "$D/uimage/good/breed-rt5350-hame-a5-r1163.bin" --board A5-V11 -o boot.poray --force > /dev/null
expect check-wrapped-bootloader 1 'a Poray factory file holding a bootloader, not firmware' \
	"$FWKIT" check boot.poray --device unbranded_a5-v11 --via vendor-web
"$FWKIT" sysupgrade strip "$D/uimage/good/a5-v11-19.07.7-sysupgrade.bin" -o a5.img > /dev/null
cp a5.img big.img && head -c $((0x3B0000 + 300 - $(stat -c %s a5.img))) /dev/zero | tr '\0' '\377' >> big.img
expect encode-refuses-too-big 1 '300 bytes more than the firmware partition holds' \
	"$FWKIT" poray encode big.img --board A5-V11 -o big.poray
check encode-too-big-nothing-written test ! -e big.poray
expect encode-fits 0 "" "$FWKIT" poray encode a5.img --board A5-V11 -o a5.poray
# a factory file cut by 100 bytes (a download that stopped): every command says so, with the
# length its header gives (28-byte header + firmware + 2-byte checksum, formats.md 5)
head -c -100 a5.poray > cut.poray
want_len=$((28 + $(stat -c %s a5.img) + 2))
expect identify-cut-poray 3 "offset 0x4: error: poray: the file is shorter than its firmware length says: expected $want_len bytes, found $((want_len - 100)) bytes" \
	"$FWKIT" identify cut.poray
expect check-cut-poray 1 "poray: the file is shorter than its firmware length says at 0x4: expected $want_len bytes" \
	"$FWKIT" check cut.poray --device unbranded_a5-v11 --via vendor-web
expect image-verify-cut-poray 1 "expected $want_len bytes, found $((want_len - 100)) bytes" "$FWKIT" image verify cut.poray
expect encode-too-big-forced 0 "" "$FWKIT" poray encode big.img --board A5-V11 -o big.poray --force
check encode-forced-written test -s big.poray

# ---- the real files --------------------------------------------------------------------------------------
REAL=${FWKIT_REAL_DATA:-/nonexistent}
if [ -r "$REAL/openwrt-precompiled-a5-v11/19.07.7_firmware.bin" ]; then
	F=$REAL/openwrt-precompiled-a5-v11/19.07.7_firmware.bin
	"$FWKIT" poray decode "$F" -o real-dec.bin > /dev/null
	check real-decode-is-sysupgrade-without-trailer cmp -s real-dec.bin <(head -c "$(stat -c %s real-dec.bin)" "$REAL/openwrt-precompiled-a5-v11/19.07.7_sysupgrade.bin")
	check real-decode-length test "$(stat -c %s real-dec.bin)" = 3670020
	"$FWKIT" poray encode real-dec.bin --board A5-V11 -o real-enc.bin > /dev/null
	check real-encode-byte-identical cmp -s real-enc.bin "$F"
	F2=$REAL/rt5350f-cheap-router/openwrt-ramips-rt305x-a5-v11-squashfs-factory.bin
	"$FWKIT" poray decode "$F2" -o real2.bin > /dev/null
	"$FWKIT" poray encode real2.bin --board A5-V11 -o real2-enc.bin > /dev/null
	check real-2015-round-trip cmp -s real2-enc.bin "$F2"
	check real-2015-board test "$(fw_show "$F2")" = "A5-V11 A5_V11 True True"
else
	skip_part "real mkporayfw files: $REAL is absent"
fi
done_testing
