#!/bin/bash
# fwkit identify, and inspect asking it first: what each file is, with expected answers from
# outside facts (tests/data/PROVENANCE.md and ../shared/testdata/real/PROVENANCE.md say what
# each file is; OpenWrt's device trees name the boards).
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
need python3
D=$FWKIT_TEST_DATA
# kind FILE: "kind partition-or-image device" from --json
kind() {
	"$FWKIT" identify "$1" --json 2> /dev/null | python3 -c 'import json,sys
j = json.load(sys.stdin)["fields"]
print(j["kind"]["name"], j.get("partition", j.get("image", {"name": "-"})["name"] if isinstance(j.get("image"), dict) else j.get("partition", "-")), j.get("device", "-"))'
}
is() {
	local name=$1 file=$2 want=$3
	local got
	got=$(kind "$file")
	if [ "$got" = "$want" ]; then ok "$name: $want"; else bad "$name: got \"$got\", wanted \"$want\""; fi
}
ff() { head -c "$1" /dev/zero | tr '\0' '\377'; }
put() { dd if="$3" of="$1" bs=64k seek="$(($2))" oflag=seek_bytes conv=notrunc status=none; }

# the A5-V11 19.07.7 sysupgrade: OpenWrt's image for the A5-V11 (its DT: "unbranded,a5-v11")
is sysupgrade "$D/uimage/good/a5-v11-19.07.7-sysupgrade.bin" "firmware-image openwrt-sysupgrade unbranded_a5-v11"
# the HAME MPR-A1 U-Boot partition (a U-Boot uImage, 128 KiB): a bootloader partition
is mpr-a1-uboot "$D/uimage/good/hame-mpr-a1-v22-uboot128.bin" "partition bootloader -"
# the Xiaomi R4A Gigabit U-Boot (raw, "U-Boot 1.1.3 ..." inside)
is r4ag-uboot "$D/bootloader/xiaomi-r4a-gigabit-uboot3.bin" "partition bootloader -"
# an env partition alone and a 4 KiB env blob made by mkenvimage's twin
printf 'bootcmd=tftp\nbootdelay=1\n' > env.txt
"$FWKIT" env create -s 0x1000 -o env.bin env.txt > /dev/null
is env-blob env.bin "partition u-boot-env -"
ff 65536 > envpart.bin && put envpart.bin 0 env.bin
is env-partition envpart.bin "partition u-boot-env -"
# a factory partition alone: MT7603 EEPROM (chip id 0x7603 little-endian at 0, formats.md 3.9)
python3 -c 'd = bytearray(b"\xff" * 0x10000); d[0:2] = b"\x03\x76"; d[4:10] = bytes([2,0,0,0,0x10,0]); open("factory.bin","wb").write(d)'
is factory-partition factory.bin "partition factory -"
# a 16 MiB dump of the Xiaomi layout (formats.md 3.2)
ff $((16 << 20)) > dump.bin
put dump.bin 0 "$D/bootloader/xiaomi-r4a-gigabit-uboot3.bin"
put dump.bin 0x30000 env.bin
put dump.bin 0x50000 factory.bin
python3 -c 'd = bytearray(open("dump.bin","rb").read()); d[0x58000:0x58002] = b"\x62\x76"; open("dump.bin","wb").write(d)'
got=$(kind dump.bin)
check dump-kind test "${got%% *}" = flash-dump
check dump-device-xiaomi-layout grep -qE 'xiaomi_mi-router-(3g-v2|4a-gigabit)$' <<< "$got"
# vendor containers made by tests/vendor_ref.py: what they are, and the model the Xiaomi header names
is trx-image "$D/trx/good/uimage-v1.trx" "firmware-image trx -"
is xiaomi-hdr1-image "$D/xiaomi-hdr/good/r3g-hdr1.bin" "firmware-image xiaomi-hdr -"
check xiaomi-hdr1-model grep -q '^Xiaomi model *r3g$' <("$FWKIT" identify "$D/xiaomi-hdr/good/r3g-hdr1.bin")
# random bytes of no flash size: unknown, exit 3 with a reason
head -c 100000 /dev/urandom > random.bin
"$FWKIT" identify random.bin > out.txt 2> err.txt
check unknown-exit-3 test $? = 3
check unknown-says-why grep -q 'random.bin: not a flash dump, a partition or a firmware image' err.txt

# inspect asks identify first: an image and a partition are named as such, not judged as dumps
"$FWKIT" inspect "$D/uimage/good/a5-v11-19.07.7-sysupgrade.bin" > out.txt 2> err.txt
check inspect-image-exit-0 test $? = 0
check inspect-image-kind grep -q '^Kind: *a firmware image (openwrt-sysupgrade), not a flash dump$' out.txt
check inspect-image-device grep -q '^Device: *unbranded_a5-v11 (its own device tree: model "A5-V11", compatible "unbranded,a5-v11")' out.txt
check inspect-image-next grep -q '^Next: *fwkit uimage verify' out.txt
check inspect-image-not-truncated eval '! grep -qi "truncated\|fewer than" out.txt'
"$FWKIT" inspect factory.bin --json > out.json
check inspect-partition-json python3 -c 'import json; j = json.load(open("out.json")); i = [c for c in j["children"] if c["format"] == "identify"][0]; assert (j["fields"]["kind"]["name"], i["fields"]["partition"]) == ("partition", "factory")'
"$FWKIT" inspect env.bin > out.txt
check inspect-env-blob grep -q 'one partition read alone (u-boot-env)' out.txt
check inspect-env-not-whole-chip eval '! grep -q "whole chip" out.txt'
# a real dump is still inspected as one
"$FWKIT" inspect dump.bin > out.txt
check inspect-dump-still-dump grep -q '^Verdict:' out.txt

REAL=${FWKIT_REAL_DATA:-/nonexistent}
if [ -d "$REAL" ]; then
	# Every real file, with what ../shared/testdata/real/PROVENANCE.md says it is ("What" column):
	# FILE | expected kind, partition or image, device ("-": none claimed). The mkporayfw
	# (Poray) files are firmware images whose own device tree names the A5-V11; the Netgear
	# DNI-header image is a firmware image for the EX2700 (no fwkit profile); the 26-byte
	# "eeprom" is a truncated file.
	while IFS='|' read -r file want; do
		[ -n "$file" ] || continue
		is "real-$(basename "$file")" "$REAL/$file" "$want"
	done << 'TABLE'
xmir-patcher/breed_r3g_eng.bin|partition bootloader -
xmir-patcher/uboot_r3g.bin|partition bootloader -
wc7086-breed/breed-mt7621-xiaomi-r3g.bin|partition bootloader -
wc7086-breed/breed-mt7621-pbr-m1.bin|partition bootloader -
wc7086-breed/breed-mt7688-reset38.bin|partition bootloader -
wc7086-breed/breed-mt76x8-blank.bin|partition bootloader -
wc7086-breed/breed-rt5350-hame-a5-r1163.bin|partition bootloader -
xiv3r-r4c-ch341a/Xiaomi_4C_Router_Breed_Env_Variables.bin|partition bootloader -
xiv3r-r4c-ch341a/Xiaomi-R4C-eeprom.bin|partition factory -
mir3g-padavan-mtd-backup/Bootloader.bin|partition bootloader -
mir3g-padavan-mtd-backup/Kernel.bin|firmware-image uimage-kernel -
mi4c-install-openwrt/ubootR4AGE.bin|partition bootloader -
mi4c-install-openwrt/eeprom.bin|unknown - -
r4a-gigabit-installer/uboot3.bin|partition bootloader -
openwrt-precompiled-a5-v11/stock_bootloader.bin|partition bootloader -
openwrt-precompiled-a5-v11/uboot.bin|partition bootloader -
openwrt-precompiled-a5-v11/19.07.7_firmware.bin|firmware-image poray unbranded_a5-v11
openwrt-precompiled-a5-v11/19.07.7_sysupgrade.bin|firmware-image openwrt-sysupgrade unbranded_a5-v11
rt5350f-cheap-router/openwrt-ramips-rt305x-a5-v11-squashfs-factory.bin|firmware-image poray unbranded_a5-v11
openwrt-a5-v11/firmware.bin|firmware-image openwrt-sysupgrade unbranded_a5-v11
openwrt-rt5350-jiapengli/hame-mpr-a1-v22-uboot128.bin|partition bootloader -
openwrtinvasion/openwrt-ramips-mt7621-xiaomi_mir3g-v2-squashfs-sysupgrade.bin|firmware-image openwrt-sysupgrade xiaomi_mi-router-3g-v2
mi-r3g-noob/eeprom.bin|partition factory -
hc5661-liyun/u-boot.bin|partition bootloader -
rt5350-mini-router/orig_uboot.img|partition bootloader -
ex2700/openwrt-ramips-mt7620-ex2700-squashfs-factory.bin|firmware-image netgear-dni -
ixmu-openwrt-build/mtd0.bin|partition bootloader -
r4a100m-keenetic/ENV.bin|partition u-boot-env -
binwalk/squashfs.bin|partition rootfs -
TABLE
	# the 2013 MPR-A1 image: OpenWrt, a kernel and a squashfs (its kernel predates the DTB-in-kernel, so no device)
	got=$(kind "$REAL/openwrt-rt5350-jiapengli/mpr-a1-16m-luci-usb-mjpg.bin")
	check real-mpr-a1-2013-image test "${got% *}" = "firmware-image openwrt-sysupgrade"
else
	skip_part "real files: $REAL is absent"
fi
# 4 MiB of random bytes has a chip's size and no device's structures: inspect does not call it a
# whole, sound read
head -c $((4 * 1024 * 1024)) /dev/urandom > random4m.bin
expect random-inspect-exit-0 0 "" "$FWKIT" inspect random4m.bin
check random-inspect-warns grep -q 'no device profile matches this read' out.txt
check random-not-called-whole sh -c '! grep -q "look like a whole chip read" out.txt'
done_testing
