# Sourced by shell tests (after tests/lib.sh): makes old.bin, a 16 MiB Xiaomi Mi Router 3G v2 / 4A
# Gigabit dump (formats.md 3.2) from real parts, as tests/interop/flashrom_layout.sh does: the stock
# U-Boot from tests/data, a U-Boot env (bootdelay=1) and Bdata made here, the Mi R3G factory
# partition from ../shared/testdata/real and FIRMWARE_PART (a file) or the OpenWrt 3G v2 sysupgrade
# in the firmware partition. Without the real parts: XIAOMI_SYNTHETIC=1 puts a synthetic factory and
# firmware in their place (said as a skipped part), otherwise the test is skipped.
# Leaves env.bin, factory.bin and the helpers ff, put and part.
MiB=1048576
ff() { head -c "$1" /dev/zero | tr '\0' '\377'; }
put() { dd if="$3" of="$1" bs=64k seek="$(($2))" oflag=seek_bytes conv=notrunc status=none; }
# part FILE OFFSET LEN: those bytes of FILE
part() { dd if="$1" bs=64k skip="$(($2))" count="$(($3))" iflag=skip_bytes,count_bytes status=none; }
REAL=${FWKIT_REAL_DATA:-/nonexistent}
EEPROM=$REAL/mi-r3g-noob/eeprom.bin
FIRMWARE=$REAL/openwrtinvasion/openwrt-ramips-mt7621-xiaomi_mir3g-v2-squashfs-sysupgrade.bin
printf 'bootcmd=tftp\nbootdelay=1\nuart_en=0\nboot_wait=off\n' > env.txt
printf 'model=R3G\ncolor=101\nCountryCode=EU\n' > bdata.txt
# mkenvimage (u-boot-tools) makes the env blocks, fwkit's own env create where it is missing
xiaomi_mkenv() {
	if command -v mkenvimage > /dev/null 2>&1; then mkenvimage -s "$1" -o "$2" "$3"; else "$FWKIT" env create -s "$1" -o "$2" "$3"; fi
}
xiaomi_mkenv 0x1000 env.bin env.txt > /dev/null || exit 1
xiaomi_mkenv 0x4000 bdata.bin bdata.txt > /dev/null || exit 1
ff $((16 * MiB)) > old.bin
put old.bin 0 "$FWKIT_TEST_DATA/bootloader/xiaomi-r4a-gigabit-uboot3.bin"
put old.bin 0x30000 env.bin
put old.bin 0x40000 bdata.bin
if [ -r "$EEPROM" ] && [ -r "$FIRMWARE" ]; then
	head -c 65536 "$EEPROM" > factory.bin
	put old.bin 0x50000 factory.bin
	put old.bin 0x180000 "${FIRMWARE_PART:-$FIRMWARE}"
elif [ "${XIAOMI_SYNTHETIC:-0}" = 1 ]; then
	skip_part "real Xiaomi parts absent ($REAL): a synthetic 16 MiB Xiaomi dump stands in"
	# EEPROM ids 0x7603 / 0x7662, test MACs, and 8 MiB of fixed pseudo-random "firmware"
	python3 -c '
import random
f = bytearray(b"\xff" * 0x10000)
f[0:2] = b"\x03\x76"; f[0x8000:0x8002] = b"\x62\x76"
for i, o in enumerate((0xE000, 0xE006, 0x4, 0x8004)):
    f[o:o + 6] = bytes([2, 0, 0, 0, 0xFF, i])
open("factory.bin", "wb").write(f)
open("fw.bin", "wb").write(random.Random(7).randbytes(8 << 20))'
	put old.bin 0x50000 factory.bin
	put old.bin 0x180000 "${FIRMWARE_PART:-fw.bin}"
else
	skip "real Xiaomi parts absent ($REAL): ../shared/testdata/real is needed"
fi
