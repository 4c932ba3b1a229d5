#!/bin/bash
# The quick start's flash dump (scripts/demo-dump.sh, the assembly step of scripts/demo.sh): a
# 4 MiB A5-V11 chip holding the real parts at the offsets of OpenWrt's a5-v11 device tree, which
# identify names by the device tree inside its own kernel, inspect passes with no error, and whose
# env and MAC are the ones put there (compared with the source text and the factory bytes).
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
need od cmp
D=$FWKIT_TEST_DATA
check demo-script-parses bash -n "$FWKIT_SOURCE_DIR/scripts/demo.sh"
bash "$FWKIT_SOURCE_DIR/scripts/demo-dump.sh" dump.bin "$FWKIT" > assemble.log 2>&1
check assemble-exit-0 test $? = 0
check dump-is-4MiB test "$(stat -c %s dump.bin)" = 4194304
# each part where the device tree's partitions put it (cmp -n: only the part's own bytes)
at() { cmp -s -i "$1:0" -n "$(stat -c %s "$2")" dump.bin "$2"; }
check part-u-boot-at-0 at 0 "$D/bootloader/a5-v11-stock-uboot.bin"
check part-factory-at-0x40000 at $((0x40000)) "$D/wifi-eeprom/good/rt5350-factory.bin"
check part-firmware-at-0x50000 at $((0x50000)) "$D/uimage/good/a5-v11-19.07.7-sysupgrade.bin"
check erased-after-firmware test "$(tail -c 4096 dump.bin | od -An -v -tx1 | tr -d ' \n' | tr -d f)" = ""

expect identify-exit-0 0 "" "$FWKIT" identify dump.bin
check identify-names-a5-v11 grep -qx 'Device        unbranded_a5-v11' out.txt
check identify-kind-dump grep -qx 'Kind          flash-dump' out.txt
check identify-by-device-tree grep -qF 'compatible "unbranded,a5-v11"' out.txt
"$FWKIT" identify --json dump.bin > id.json
check identify-json-device python3 -c 'import json,sys; sys.exit(json.load(open("id.json"))["fields"]["device"] != "unbranded_a5-v11")'

expect inspect-exit-0 0 "" "$FWKIT" inspect dump.bin
check inspect-no-error grep -qx 'Verdict:      0 errors, 0 warnings' out.txt
check inspect-quiet test ! -s err.txt

expect env-list-exit-0 0 "" "$FWKIT" env list dump.bin
check env-is-the-bootloaders-default cmp -s out.txt "$D/flash/a5-v11-default-env.txt"
if command -v fw_printenv > /dev/null 2>&1; then
	printf '%s 0x30000 0x1000\n' "$PWD/dump.bin" > fw_env.config
	# fw_printenv lists the variables sorted
	fw_printenv -c fw_env.config > fw.txt 2> fw.err
	check env-fw_printenv-agrees cmp -s <(sort fw.txt) <(sort "$D/flash/a5-v11-default-env.txt")
else
	skip_part "fw_printenv (libubootenv-tool) not installed: the env is not read by it"
fi

expect mac-list-exit-0 0 "" "$FWKIT" mac list dump.bin
mac=$(od -An -tx1 -j $((0x40004)) -N 6 dump.bin | tr -d ' \n' | sed 's/../&:/g; s/:$//')
check mac-list-factory-mac grep -qiE "^lan +$mac +0x040004 \(factory\)" out.txt
# the same chip with Breed r1163 for HAME A5 as its bootloader (the usual Breed on these boards): a
# uImage stamped "kernel" at 0 that is a bootloader, so the read is still a whole dump, and the
# edits and extracts that take dumps take it
head -c $((0x30000)) /dev/zero | tr '\0' '\377' > boot.bin
dd if="$D/uimage/good/breed-rt5350-hame-a5-r1163.bin" of=boot.bin conv=notrunc status=none
cp dump.bin breed.bin
dd if=boot.bin of=breed.bin conv=notrunc status=none
check breed-dump-has-breed-at-0 cmp -s -n "$(stat -c %s "$D/uimage/good/breed-rt5350-hame-a5-r1163.bin")" breed.bin "$D/uimage/good/breed-rt5350-hame-a5-r1163.bin"
expect breed-identify-exit-0 0 "" "$FWKIT" identify breed.bin
check breed-identify-kind-dump grep -qx 'Kind          flash-dump' out.txt
check breed-identify-names-a5-v11 grep -qx 'Device        unbranded_a5-v11' out.txt
expect breed-inspect-exit-0 0 "" "$FWKIT" inspect breed.bin
check breed-inspect-no-error grep -q '^Verdict:      0 errors' out.txt
expect breed-extract-factory 0 "" "$FWKIT" extract breed.bin --part factory -o factory.bin
check breed-factory-bytes cmp -s factory.bin <(tail -c +$((0x40000 + 1)) breed.bin | head -c 65536)
expect breed-mac-set-dry-run 0 "" "$FWKIT" mac set breed.bin --label 02:00:00:00:20:09 -o mac.bin --dry-run
check breed-mac-set-names-factory grep -q '0x040004' out.txt
# the same Breed uImage alone, cut to a size no chip has, stays a bootloader partition, and a
# kernel uImage at 0 of a chip-sized file stays a firmware image
expect breed-alone-is-bootloader 0 "" "$FWKIT" identify "$D/uimage/good/breed-rt5350-hame-a5-r1163.bin"
check breed-alone-partition grep -qx 'Partition     bootloader' out.txt
head -c $((4 * 1024 * 1024)) /dev/zero | tr '\0' '\377' > kernel4m.bin
dd if="$D/uimage/good/a5-v11-19.07.7-sysupgrade.bin" of=kernel4m.bin conv=notrunc status=none
expect kernel-at-0-is-image 0 "" "$FWKIT" identify kernel4m.bin
check kernel-at-0-kind grep -qx 'Kind          firmware-image' out.txt
done_testing
