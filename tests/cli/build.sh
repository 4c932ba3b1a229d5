#!/bin/bash
# `fwkit build`: a new full flash image from a backup made of real parts (a Xiaomi Mi Router 3G v2 /
# 4A Gigabit dump as in tests/interop/flashrom_layout.sh: its stock U-Boot from tests/data, the
# Mi R3G factory partition and the OpenWrt 3G v2 sysupgrade from ../shared/testdata/real).
#
#   the result is the chip's size and passes `fwkit inspect` with no error; the firmware bytes are
#   the image's, the rest of the partition 0xFF; fw_printenv reads the env edit; factory (cmp) and
#   Bdata are unchanged unless MACs are asked for, and then only the MAC bytes change; --layout
#   drives the flashrom CLI (dummy programmer) to exactly the new image; --dry-run writes nothing
#   must fail, nothing written: a backup of the wrong size, an image for another device, a bootloader
#   for another SoC or naming none, something that is no bootloader, a firmware or bootloader too big
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
need python3 cmp fw_printenv

# the backup holds some other firmware: 4 MiB of fixed pseudo-random bytes
python3 -c 'import random; open("oldfw.bin", "wb").write(random.Random(5).randbytes(4 << 20))'
FIRMWARE_PART=oldfw.bin
. "$FWKIT_SOURCE_DIR/tests/xiaomi_dump.sh"
A5=$REAL/openwrt-precompiled-a5-v11/19.07.7_sysupgrade.bin
RT5350_UBOOT=$REAL/openwrt-precompiled-a5-v11/stock_bootloader.bin
BREED_R3G=$REAL/wc7086-breed/breed-mt7621-xiaomi-r3g.bin
BREED_RAW=$REAL/wc7086-breed/breed-mt7621-pbr-m1.bin
UBOOT_R4AG=$REAL/mi4c-install-openwrt/ubootR4AGE.bin
for f in "$A5" "$RT5350_UBOOT" "$BREED_R3G" "$BREED_RAW" "$UBOOT_R4AG"; do
	[ -r "$f" ] || skip "real test data absent ($f): ../shared/testdata/real is needed"
done
cp old.bin old.orig
printf '%s 0x30000 0x1000 0x10000\n' "$PWD/new.bin" > fw_env.config

# ---- a firmware and an env edit ----------------------------------------------------------------

expect build-firmware-env 0 '' "$FWKIT" build --from old.bin --firmware "$FIRMWARE" --env bootdelay=5 --env boot_wait=on \
	--device xiaomi_mi-router-3g-v2 -o new.bin --layout new.layout
check build-size-is-chip test "$(stat -c %s new.bin)" = $((16 * MiB))
check build-backup-untouched cmp -s old.bin old.orig
expect build-inspect-no-error 0 '' "$FWKIT" inspect new.bin
check build-inspect-verdict grep -q '^Verdict: *0 errors' out.txt
# the image without its fwtool blocks (formats.md 6.2: a 16-byte trailer "FWx0" ... size u32 BE at the
# end of each block, read backwards from the end)
image_len() {
	python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read(); end = len(d)
while end >= 16 and d[end - 16:end - 12] == b"FWx0":
    end -= struct.unpack(">I", d[end - 4:end])[0]
print(end)' "$1"
}
fwlen=$(image_len "$FIRMWARE")
check build-firmware-metadata-found test "$fwlen" -lt "$(stat -c %s "$FIRMWARE")"
check build-firmware-bytes cmp -s <(part new.bin 0x180000 "$fwlen") <(head -c "$fwlen" "$FIRMWARE")
check build-firmware-rest-erased cmp -s <(part new.bin $((0x180000 + fwlen)) $((0x1000000 - 0x180000 - fwlen))) \
	<(ff $((0x1000000 - 0x180000 - fwlen)))
check build-fw_printenv-bootdelay test "$(fw_printenv -c fw_env.config -n bootdelay 2> /dev/null)" = 5
check build-fw_printenv-boot_wait test "$(fw_printenv -c fw_env.config -n boot_wait 2> /dev/null)" = on
check build-factory-unchanged cmp -s <(part new.bin 0x50000 0x10000) factory.bin
check build-bdata-unchanged cmp -s <(part new.bin 0x40000 0x10000) <(part old.bin 0x40000 0x10000)
check build-bootloader-unchanged cmp -s <(part new.bin 0 0x30000) <(part old.bin 0 0x30000)
# the layout names the runs of erase blocks that differ, and flashrom writes exactly NEW with it
check build-layout-env grep -qx '00030000:0003ffff u-boot-env_0' new.layout
check build-layout-firmware grep -qE '^00180000:[0-9a-f]{8} firmware_1$' new.layout
if command -v flashrom > /dev/null; then
	cp old.bin chip.bin
	mapfile -t regions < <(awk '{ print "-i"; print $2 }' new.layout)
	flashrom -p "dummy:emulate=W25Q128FV,image=$PWD/chip.bin" -l new.layout "${regions[@]}" -w new.bin > fr.log 2>&1
	check build-layout-flashrom-writes-new cmp -s chip.bin new.bin
else
	skip_part "flashrom not installed: the layout is not tried"
fi

# ---- MACs: only the MAC bytes of factory change ---------------------------------------------------

expect build-mac 0 '' "$FWKIT" build --from old.bin --mac 02:00:00:00:10:00 --device xiaomi_mi-router-3g-v2 -o mac.bin
# the profile's MAC fields (formats.md 3.2): factory 0x0004, 0x8004, 0xe000, 0xe006
check build-mac-only-mac-bytes python3 -c '
old, new = open("old.bin", "rb").read(), open("mac.bin", "rb").read()
fields = [0x50000 + o for o in (0x4, 0x8004, 0xe000, 0xe006)]
diff = [i for i in range(len(old)) if old[i] != new[i]] if len(old) == len(new) else [-1]
assert diff and all(any(f <= i < f + 6 for f in fields) for i in diff), diff[:8]'
# the label is WAN's (0xE006, OpenWrt's label-mac-device = &wan); LAN is one below it
check build-mac-lan test "$(od -An -tx1 -j $((0x5e000)) -N 6 mac.bin | tr -d ' \n')" = 020000000fff
check build-mac-wan test "$(od -An -tx1 -j $((0x5e006)) -N 6 mac.bin | tr -d ' \n')" = 020000001000
check build-mac-changed-factory grep -q '^Changed: *factory$' out.txt

# ---- a bootloader for this SoC, the dry run ---------------------------------------------------------

expect build-bootloader 0 '' "$FWKIT" build --from old.bin --bootloader "$UBOOT_R4AG" --device xiaomi_mi-router-3g-v2 -o boot.bin
check build-bootloader-says-soc grep -q 'a MT7621 bootloader at 0x000000' out.txt
check build-bootloader-bytes cmp -s <(part boot.bin 0 "$(stat -c %s "$UBOOT_R4AG")") "$UBOOT_R4AG"
check build-bootloader-rest-erased cmp -s <(part boot.bin "$(stat -c %s "$UBOOT_R4AG")" $((0x30000 - $(stat -c %s "$UBOOT_R4AG")))) \
	<(ff $((0x30000 - $(stat -c %s "$UBOOT_R4AG"))))
check build-bootloader-only-bootloader-changed cmp -s <(part boot.bin 0x30000 $((16 * MiB - 0x30000))) <(part old.bin 0x30000 $((16 * MiB - 0x30000)))
expect build-dry-run 0 '' "$FWKIT" build --from old.bin --env bootdelay=3 --device xiaomi_mi-router-3g-v2 -o dry.bin --dry-run
check build-dry-run-nothing test ! -e dry.bin

# ---- a device whose profile names no env (A5-V11): the one good U-Boot env the dump holds ---------

ff $((4 * MiB)) > a5.bin
put a5.bin 0 "$RT5350_UBOOT"
printf 'bootdelay=1\nbootcmd=bootm\n' > a5env.txt
"$FWKIT" env create -s 0x1000 -o a5env.bin a5env.txt > /dev/null
put a5.bin 0x30000 a5env.bin
put a5.bin 0x50000 "$A5"
# a sysupgrade with fwtool metadata: the image goes in without it
expect build-a5-firmware-without-metadata 0 '' "$FWKIT" build --from a5.bin --device unbranded_a5-v11 --firmware "$A5" -o a5fw.bin
a5len=$(image_len "$A5")
check build-a5-firmware-bytes cmp -s <(part a5fw.bin 0x50000 "$a5len") <(head -c "$a5len" "$A5")
check build-a5-metadata-not-written cmp -s <(part a5fw.bin $((0x50000 + a5len)) $(($(stat -c %s "$A5") - a5len))) \
	<(ff $(($(stat -c %s "$A5") - a5len)))
expect build-a5-env-by-scan 0 '' "$FWKIT" build --from a5.bin --device unbranded_a5-v11 --env bootdelay=3 -o a5new.bin
printf '%s 0x30000 0x1000 0x10000\n' "$PWD/a5new.bin" > a5_env.config
check build-a5-fw_printenv test "$(fw_printenv -c a5_env.config -n bootdelay 2> /dev/null)" = 3

# ---- must fail, nothing written ----------------------------------------------------------------

head -c $((8 * MiB)) old.bin > half.bin
{ cat "$FIRMWARE"; head -c $((12 * MiB)) /dev/zero; } > big.bin
{ cat "$UBOOT_R4AG"; ff $((200 * 1024)); } > bigboot.bin
fail() {
	local name=$1 pat=$2
	shift 2
	rm -f bad.bin
	expect "must-fail-$name" 1 "$pat" "$FWKIT" build --from "$@" --device xiaomi_mi-router-3g-v2 -o bad.bin
	check "must-fail-$name-nothing-written" test ! -e bad.bin
}
fail wrong-chip-size 'half.bin: .*the dump is smaller than the flash.*expected 16777216 bytes' half.bin
# the 3G v2 image with --device xiaomi_mi-router-4a-gigabit: the two place the same partitions and
# seed 000 booted it on a 4A Gigabit: built, with a warning naming both (check --via flashrom: risky)
expect build-same-layout-board 0 'warning: the firmware is for xiaomi_mi-router-3g-v2, which has xiaomi_mi-router-4a-gigabit.s partitions' \
	"$FWKIT" build --from old.bin --firmware "$FIRMWARE" --device xiaomi_mi-router-4a-gigabit -o other.bin --json
check build-same-layout-json python3 -c 'import json; d=json.load(open("out.txt")); assert d["firmware"]["other_board"] is True'
fail image-for-another-device "$(basename "$A5"): offset 0x0: the firmware is for another device.*unbranded,a5-v11" old.bin --firmware "$A5"
fail bootloader-other-soc 'stock_bootloader.bin: offset 0x0: the bootloader is not one for this device.s SoC.*expected MT7621A, found RT5350' \
	old.bin --bootloader "$RT5350_UBOOT"
fail bootloader-no-soc 'the bootloader is not one for this device.s SoC.*found no SoC named' old.bin --bootloader "$BREED_RAW"
# Breed for the NAND Mi R3G (a uImage, MT7621): not for the NOR 3G v2
fail bootloader-for-nand 'breed-mt7621-xiaomi-r3g.bin: offset 0x0: the bootloader is a NAND or upgrade-page image.*found a uImage header' \
	old.bin --bootloader "$BREED_R3G"
fail bootloader-too-big 'bigboot.bin: offset 0x0: the bootloader does not fit: expected at most 196608 bytes' old.bin --bootloader bigboot.bin
fail firmware-too-big 'big.bin: offset 0x180000: the firmware does not fit: expected at most 15204352 bytes' old.bin --firmware big.bin
fail not-a-bootloader 'the bootloader does not fit|no bootloader the format table knows' old.bin --bootloader env.bin
fail firmware-not-an-image 'the firmware is not an image for the firmware partition' old.bin --firmware env.bin
expect must-fail-same-output 2 'refusing to overwrite an input' "$FWKIT" build --from old.bin --env bootdelay=2 -o old.bin
check must-fail-same-output-backup-untouched cmp -s old.bin old.orig

done_testing
