#!/bin/bash
# env find reports no environment inside data a decoder claims (a uImage's payload, a squashfs, a
# compressed stream), and a block with a bad CRC only where its text reads like an environment;
# a real env beside such data is still found, and a real env with a bad CRC still reported.
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
need python3 mkimage
ff() { head -c "$1" /dev/zero | tr '\0' '\377'; }

# a kernel uImage whose payload holds, at file offset 0x200, bytes shaped like an env with a bad CRC
python3 -c 'import sys
p = bytearray(b"\x11" * 0x4000)
blk = b"\x30\x00\x00\x00" + b"bootcmd=tftp\x00bootdelay=1\x00\x00"
p[0x1c0:0x1c0 + len(blk)] = blk
open("payload.bin", "wb").write(p)'
mkimage -A mips -O linux -T kernel -C none -a 0x80000000 -e 0x80000000 -n test -d payload.bin kernel.img > /dev/null
"$FWKIT" env find kernel.img > out.txt 2> err.txt
check inside-uimage-payload-not-reported test $? = 3
check inside-uimage-says-none grep -q 'no environment found' err.txt

# random bytes behind a header whose CRC is off: noise, not an env
python3 -c 'import random, zlib, struct
r = random.Random(3); d = bytearray(b"\xff" * 0x10000)
data = bytes(r.randrange(256) for _ in range(0xffc)); d[0x2000:0x3000] = struct.pack("<I", zlib.crc32(data) ^ 1) + data
open("noise.bin", "wb").write(d)'
"$FWKIT" env find noise.bin > out.txt 2> err.txt
check random-bad-crc-not-reported test $? = 3

# the same dump with a real env (mkenvimage) at 0x8000 and then one with a byte changed
printf 'bootcmd=tftp\nbootdelay=1\n' > env.txt
mkenvimage -s 0x1000 -o env.bin env.txt
cp noise.bin dump.bin && dd if=env.bin of=dump.bin bs=1 seek=$((0x8000)) conv=notrunc status=none
"$FWKIT" env find dump.bin > out.txt 2> err.txt
check real-env-found test $? = 0
check real-env-at-0x8000 grep -q '^0x00008000 ' out.txt
check only-the-real-env test "$(grep -c '^0x' out.txt)" = 1
printf 'X' | dd of=dump.bin bs=1 seek=$((0x8006)) conv=notrunc status=none
"$FWKIT" env find dump.bin > out.txt 2> err.txt
check real-env-bad-crc-still-reported test $? = 1
check real-env-bad-crc-line grep -q '^0x00008000 .*CRC BAD' out.txt
check real-env-bad-crc-stderr grep -q 'offset 0x8000: env: 1 block with a bad CRC' err.txt

# real vendor bootloaders whose code once gave "CRC BAD" blocks (tests/data has the HAME one)
"$FWKIT" env find "$FWKIT_TEST_DATA/uimage/good/hame-mpr-a1-v22-uboot128.bin" > out.txt 2> err.txt
check hame-uboot-no-bad-crc-noise eval '! grep -q "CRC BAD" out.txt'
REAL=${FWKIT_REAL_DATA:-/nonexistent}
if [ -r "$REAL/rt5350-mini-router/orig_uboot.img" ]; then
	for f in rt5350-mini-router/orig_uboot.img ixmu-openwrt-build/mtd0.bin openwrt-rt5350-jiapengli/mpr-a1-16m-luci-usb-mjpg.bin; do
		"$FWKIT" env find "$REAL/$f" > out.txt 2> err.txt
		check "real-$(basename "$f")-no-noise" eval '! grep -q "CRC BAD" out.txt'
	done
else
	skip_part "real vendor images: $REAL is absent"
fi
done_testing
