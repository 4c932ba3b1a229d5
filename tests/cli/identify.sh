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
check inspect-partition-json python3 -c 'import json; j = json.load(open("out.json")); assert (j["kind"], j["partition"]) == ("partition", "factory")'
"$FWKIT" inspect env.bin > out.txt
check inspect-env-blob grep -q 'one partition read alone (u-boot-env)' out.txt
check inspect-env-not-whole-chip eval '! grep -q "whole chip" out.txt'
# a real dump is still inspected as one
"$FWKIT" inspect dump.bin > out.txt
check inspect-dump-still-dump grep -q '^Verdict:' out.txt

REAL=${FWKIT_REAL_DATA:-/nonexistent}
if [ -d "$REAL" ]; then
	is real-mir3g-v2 "$REAL/openwrtinvasion/openwrt-ramips-mt7621-xiaomi_mir3g-v2-squashfs-sysupgrade.bin" "firmware-image openwrt-sysupgrade xiaomi_mi-router-3g-v2"
	is real-r3g-factory "$REAL/mi-r3g-noob/eeprom.bin" "partition factory -"
	is real-r4c-factory "$REAL/xiv3r-r4c-ch341a/Xiaomi-R4C-eeprom.bin" "partition factory -"
	is real-a5-stock-uboot "$REAL/openwrt-precompiled-a5-v11/stock_bootloader.bin" "partition bootloader -"
	is real-breed-r3g "$REAL/wc7086-breed/breed-mt7621-xiaomi-r3g.bin" "partition bootloader -"
else
	echo "SKIP real files: $REAL is absent"
fi
done_testing
