#!/bin/bash
# fwkit check: a corpus of (image, device, method) cases, each with the verdict and the rule that
# decides it, written from the sources (docs/check.md): OpenWrt's fwtool.sh (metadata, -F,
# compat_version), the device trees behind the profiles (partition sizes), mkporayfw (boards,
# keys), U-Boot's bootm (uImage CRCs). Images are the bundled real A5-V11 19.07.7 sysupgrade and
# files made from it here with mkimage-compatible tools, fwtool's trailer layout
# (tests/fwtool_ref.py) and mkporayfw's encoding (tests/poray_ref.py); the real 3G v2 image and
# Breed binaries of ../shared/testdata/real where present (skipped visibly otherwise).
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
REAL=${FWKIT_REAL_DATA:-/nonexistent}
D=$FWKIT_TEST_DATA
A5=$D/uimage/good/a5-v11-19.07.7-sysupgrade.bin
MiB=1048576
ff() { head -c "$1" /dev/zero | tr '\0' '\377'; }
put() { dd if="$3" of="$1" bs=64k seek="$(($2))" oflag=seek_bytes conv=notrunc status=none; }

# rule FILE.json CODE: the result of rule CODE ("pass", "warn", "fail"; "none" when not applied)
rule() {
	python3 - "$1" "$2" << 'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
r = [c["fields"] for c in d.get("children", []) if c["format"] == "rule" and c["fields"]["code"] == sys.argv[2]]
print(r[0]["result"]["name"] if r else "none")
EOF
}
verdict() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["fields"]["verdict"]["name"])' "$1"; }

# case NAME IMAGE DEVICE METHOD WANT_VERDICT RULE WANT_RESULT [check options...]
case_() {
	local name=$1 img=$2 dev=$3 via=$4 want=$5 code=$6 res=$7
	shift 7
	timeout 60 "$FWKIT" check "$img" --device "$dev" --via "$via" --json "$@" > "$name.json" 2> "$name.err"
	local rc=$? got gotr
	got=$(verdict "$name.json" 2> /dev/null)
	gotr=$(rule "$name.json" "$code" 2> /dev/null)
	local wantrc=0
	[ "$want" = will-brick ] && wantrc=1
	# "ok": safe or risky, where which one depends on identification evidence the case is not about
	[ "$want" = ok ] && { [ "$got" = safe ] || [ "$got" = risky ]; } && want=$got
	if [ "$got" = "$want" ] && [ "$gotr" = "$res" ] && [ $rc = $wantrc ]; then
		ok "$name: $want ($code $res)"
	else
		bad "$name: want $want ($code $res, exit $wantrc), got ${got:-nothing} ($code ${gotr:-?}, exit $rc): $(head -c 300 "$name.err")"
	fi
}

# ---- images made from the real A5-V11 sysupgrade ----------------------------------------------
"$FWKIT" sysupgrade strip "$A5" -o a5.stripped > /dev/null || exit 1
# mkporayfw's factory files of the stripped image (tests/poray_ref.py: formats.md 5, not fwkit)
python3 "$FWKIT_SOURCE_DIR/tests/poray_ref.py" encode A5-V11 a5.stripped a5.poray || exit 1
python3 "$FWKIT_SOURCE_DIR/tests/poray_ref.py" encode MPR-L8 a5.stripped a5.mprl8.poray || exit 1
# the A5-V11 firmware partition is 0x3B0000 bytes (rt305x.mk IMAGE_SIZE 3776k): an exact fit and 100 over
cp a5.stripped fit.bin && ff $((0x3B0000 - $(stat -c %s a5.stripped))) >> fit.bin
cp fit.bin over100.bin && ff 100 >> over100.bin
cp "$A5" flipped.bin && printf '\x55' | dd of=flipped.bin bs=1 seek=$((0x1000)) conv=notrunc status=none
head -c $((2 * MiB)) "$A5" > truncated.bin
head -c $MiB /dev/urandom > random.bin
# metadata as OpenWrt's fwtool writes it (tests/fwtool_ref.py, formats.md 6.2)
meta() { printf '%s' "$2" > meta.json && cp a5.stripped "$1" && python3 "$FWKIT_SOURCE_DIR/tests/fwtool_ref.py" meta "$1" meta.json; }
meta compat11.bin '{"metadata_version":"1.1","compat_version":"1.1","supported_devices":["a5-v11"],"new_supported_devices":["unbranded,a5-v11"],"version":{"dist":"OpenWrt"}}'
meta otherboard.bin '{"metadata_version":"1.0","compat_version":"1.0","supported_devices":["hame,mpr-a1"],"version":{"dist":"OpenWrt"}}'
cp "$A5" badmeta.bin && printf '\x00' | dd of=badmeta.bin bs=1 seek=$(($(stat -c %s "$A5") - 100)) conv=notrunc status=none

case_ a5-uboot-tftp "$A5" unbranded_a5-v11 uboot-tftp safe board pass
case_ a5-sysupgrade "$A5" unbranded_a5-v11 sysupgrade safe board pass
case_ a5-mtd-write "$A5" unbranded_a5-v11 mtd-write safe size pass
case_ a5-vendor-web-wants-poray "$A5" unbranded_a5-v11 vendor-web will-brick kind fail
grep -q 'fwkit poray encode IMAGE --board A5-V11' a5-vendor-web-wants-poray.json && ok "the fix names the Poray command" || bad "the fix names the Poray command"
case_ a5-flashrom-wants-chip "$A5" unbranded_a5-v11 flashrom will-brick size fail
# the HAME MPR-A1 places the A5-V11's partitions, and seed 002 finds the A5-V11 "also compatible":
# through the bootloader the other board's image is a warning; sysupgrade (fwtool.sh) refuses it
case_ a5-for-mpr-a1 "$A5" hame_mpr-a1 uboot-tftp risky board warn
case_ a5-for-mpr-a1-sysupgrade "$A5" hame_mpr-a1 sysupgrade will-brick board fail
case_ a5-for-4a-gigabit "$A5" xiaomi_mi-router-4a-gigabit uboot-tftp will-brick board fail
case_ a5-for-4a-gigabit-map "$A5" xiaomi_mi-router-4a-gigabit sysupgrade will-brick partition-map fail
case_ a5-for-4a-gigabit-forced "$A5" xiaomi_mi-router-4a-gigabit sysupgrade will-brick board fail --force
case_ a5-for-4a-breed "$A5" xiaomi_mi-router-4a-gigabit breed-web will-brick board fail
expect no-vendor-web-on-xiaomi 2 'has no vendor-web path' "$FWKIT" check "$A5" --device xiaomi_mi-router-4a-gigabit --via vendor-web
expect unknown-method 2 'expected sysupgrade, uboot-tftp' "$FWKIT" check "$A5" --device unbranded_a5-v11 --via tftp
expect unknown-device 2 "unknown device 'nope'" "$FWKIT" check "$A5" --device nope --via sysupgrade
case_ poray-vendor-web a5.poray unbranded_a5-v11 vendor-web safe board pass
case_ poray-wrong-key a5.mprl8.poray unbranded_a5-v11 vendor-web will-brick board fail
case_ poray-mprl8-on-mpr-a1 a5.mprl8.poray hame_mpr-a1 vendor-web risky board warn
case_ poray-to-bootloader a5.poray unbranded_a5-v11 uboot-tftp will-brick kind fail
grep -q 'poray decode' poray-to-bootloader.json && ok "the fix names poray decode" || bad "the fix names poray decode"
case_ poray-to-xiaomi a5.poray xiaomi_mi-router-4a-gigabit uboot-tftp will-brick kind fail
case_ no-metadata-sysupgrade a5.stripped unbranded_a5-v11 sysupgrade will-brick kind fail
grep -q 'Image metadata not present' no-metadata-sysupgrade.json && ok "says what fwtool.sh says" || bad "says what fwtool.sh says"
case_ no-metadata-forced a5.stripped unbranded_a5-v11 sysupgrade risky kind warn --force
case_ no-metadata-uboot a5.stripped unbranded_a5-v11 uboot-tftp safe kind pass
case_ exact-fit fit.bin unbranded_a5-v11 uboot-tftp safe size pass
grep -q 'an exact fit' exact-fit.json && ok "an exact fit is named" || bad "an exact fit is named"
case_ over-by-100 over100.bin unbranded_a5-v11 uboot-tftp will-brick size fail
grep -q '3 866 724 bytes: 100 bytes more than the firmware partition holds' over-by-100.json && ok "the overflow in bytes" || bad "the overflow in bytes"
case_ over-by-100-mtd over100.bin unbranded_a5-v11 mtd-write will-brick size fail
case_ bad-data-crc flipped.bin unbranded_a5-v11 uboot-tftp will-brick checksum fail
case_ truncated truncated.bin unbranded_a5-v11 uboot-tftp will-brick payload fail
case_ random random.bin unbranded_a5-v11 uboot-tftp will-brick what fail
case_ compat-1.1 compat11.bin unbranded_a5-v11 sysupgrade risky compat-version warn
case_ metadata-other-board otherboard.bin xiaomi_mi-router-4a-gigabit sysupgrade will-brick board fail
case_ metadata-disagrees otherboard.bin unbranded_a5-v11 sysupgrade risky board warn
case_ metadata-bad-crc badmeta.bin unbranded_a5-v11 sysupgrade will-brick checksum fail

# ---- vendor containers: none of these devices' paths takes them, and each names its own board
for f in tplink/good/$(ls "$D/tplink/good" | head -1) seama/good/seal-uimage.bin netgear-chk/good/kernel-only.chk; do
	case_ "container-$(dirname "$(dirname "$f")")" "$D/$f" xiaomi_mi-router-4a-gigabit uboot-tftp will-brick kind fail
done
grep -q 'TP-Link factory image' container-tplink.json && ok "names the TP-Link image" || bad "names the TP-Link image"
case_ nand-tar-on-nor "$D/sysupgrade-tar/good/squashfs-root.tar" xiaomi_mi-router-4a-gigabit sysupgrade will-brick kind fail
grep -q 'sysupgrade tar board xiaomi_mi-router-3g' nand-tar-on-nor.json && ok "names the tar's board" || bad "names the tar's board"

# ---- whole-chip images and backups: 4 MiB A5-V11 layout (u-boot 0, env 0x30000, factory
# 0x40000, firmware 0x50000: OpenWrt rt5350_unbranded_a5-v11.dts) --------------------------------
mkfactory() { python3 -c 'import sys; m=bytes.fromhex(sys.argv[2]); open(sys.argv[1],"wb").write(b"\x50\x53\x01\x00" + m + bytes(0x200 - 10))' "$1" "$2"; }
mkfactory own.factory 020000002000
mkfactory other.factory 020000002001
# a MAC fwkit lists as published in others' dumps (src/devices/mac.c: the seed's forum dump)
mkfactory clone.factory ec4118c8d42c
# the A5-V11's own stock U-Boot (tests/data/bootloader, real) with the A5-V11 firmware
chip() {
	ff $((4 * MiB)) > "$1"
	put "$1" 0 "$D/bootloader/a5-v11-stock-uboot.bin"
	put "$1" 0x40000 "$2"
	put "$1" 0x50000 "$A5"
}
chip backup.bin own.factory
chip new-own.bin own.factory
chip new-other.bin other.factory
chip new-clone.bin clone.factory
case_ chip-keeps-factory new-own.bin unbranded_a5-v11 flashrom safe keep-partitions pass --dump backup.bin
case_ chip-overwrites-factory new-other.bin unbranded_a5-v11 flashrom will-brick keep-partitions fail --dump backup.bin
grep -q 'overwrite the factory partition that holds your calibration data and MACs' chip-overwrites-factory.json && ok "names the factory partition" || bad "names the factory partition"
case_ chip-cloned-macs new-clone.bin unbranded_a5-v11 flashrom will-brick macs fail
case_ chip-without-backup new-own.bin unbranded_a5-v11 flashrom risky macs warn
head -c $((4 * MiB - 1)) new-own.bin > short.bin
case_ chip-one-byte-short short.bin unbranded_a5-v11 flashrom will-brick size fail
cp backup.bin grown.bin && printf 'x' >> grown.bin
case_ backup-grown "$A5" unbranded_a5-v11 uboot-tftp will-brick backup fail --dump grown.bin
grep -q '1 bytes more than this device' backup-grown.json && ok "says the backup grew" || bad "says the backup grew"
head -c $((2 * MiB)) backup.bin > half.bin
case_ backup-half "$A5" unbranded_a5-v11 uboot-tftp will-brick backup fail --dump half.bin
case_ backup-good "$A5" unbranded_a5-v11 sysupgrade safe backup pass --dump backup.bin
case_ breed-web-without-breed "$A5" unbranded_a5-v11 uboot-tftp safe backup pass --dump backup.bin

# ---- serve uses the same check ----------------------------------------------------------------
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
expect serve-wrong-board 1 'will-brick xiaomi_mi-router-4a-gigabit via uboot-tftp: this is a sysupgrade image for' \
	"$FWKIT" serve "$A5" --device xiaomi_mi-router-4a-gigabit --bind 127.0.0.1:0 --user root
expect serve-100-too-big 1 '100 bytes more than the firmware partition holds' \
	"$FWKIT" serve over100.bin --device unbranded_a5-v11 --bind 127.0.0.1:0 --user root
expect serve-poray-to-bootloader 1 'will-brick' "$FWKIT" serve a5.poray --device unbranded_a5-v11 --bind 127.0.0.1:0 --user root
expect serve-not-an-image 1 'not a firmware image' "$FWKIT" serve random.bin --bind 127.0.0.1:0 --user root
timeout -k 5 2 "$FWKIT" serve "$A5" --device unbranded_a5-v11 --bind 127.0.0.1:0 --user root > out.txt 2>&1
check serve-right-image grep -q '^listening on 127.0.0.1:' out.txt
# without --device: what a bootloader's TFTP path takes is a firmware image; a whole dump, a
# bootloader or factory partition read alone and a Poray file for the stock web UI are refused
# (served with --force)
bash "$FWKIT_SOURCE_DIR/scripts/demo-dump.sh" whole.bin "$FWKIT" > /dev/null 2>&1
expect serve-whole-dump 1 'a whole flash dump .4194304 bytes., not a firmware image' \
	"$FWKIT" serve whole.bin --bind 127.0.0.1:0 --user root
expect serve-bootloader 1 'a bootloader partition read alone' \
	"$FWKIT" serve "$D/bootloader/a5-v11-stock-uboot.bin" --bind 127.0.0.1:0 --user root
expect serve-factory 1 'a factory partition read alone' \
	"$FWKIT" serve "$D/wifi-eeprom/good/rt5350-factory.bin" --bind 127.0.0.1:0 --user root
expect serve-poray-without-device 1 'fwkit poray decode' "$FWKIT" serve a5.poray --bind 127.0.0.1:0 --user root
timeout -k 5 2 "$FWKIT" serve whole.bin --force --bind 127.0.0.1:0 --user root > out.txt 2>&1
check serve-whole-dump-forced grep -q '^listening on 127.0.0.1:' out.txt
timeout -k 5 2 "$FWKIT" serve "$A5" --bind 127.0.0.1:0 --user root > out.txt 2>&1
check serve-image-without-device grep -q '^listening on 127.0.0.1:' out.txt

# ---- the real Xiaomi 3G v2 image and Breed (../shared/testdata/real) ---------------------------
X=$REAL/openwrtinvasion/openwrt-ramips-mt7621-xiaomi_mir3g-v2-squashfs-sysupgrade.bin
BREED=$REAL/wc7086-breed/breed-mt7621-xiaomi-r3g.bin
if [ -r "$X" ] && [ -r "$BREED" ]; then
	case_ mir3g-v2-uboot "$X" xiaomi_mi-router-3g-v2 uboot-tftp safe board pass
	case_ mir3g-v2-on-4a "$X" xiaomi_mi-router-4a-gigabit sysupgrade will-brick board fail
	# seed 000: this image on a 4A Gigabit through U-Boot's TFTP menu booted; the two place the same
	# partitions (formats.md 3.2), and only sysupgrade without -F checks the board
	case_ mir3g-v2-on-4a-uboot-tftp "$X" xiaomi_mi-router-4a-gigabit uboot-tftp risky board warn
	case_ mir3g-v2-on-4a-forced "$X" xiaomi_mi-router-4a-gigabit sysupgrade risky board warn --force
	check mir3g-v2-on-4a-names-the-board grep -q 'for xiaomi_mi-router-3g-v2' mir3g-v2-on-4a-uboot-tftp.json
	# the Mi 4C (MT7628) places other partitions: the kernel of another layout is refused
	case_ mir3g-v2-on-4c-uboot-tftp "$X" xiaomi_mi-router-4c uboot-tftp will-brick board fail
	case_ mir3g-v2-breed-no-backup "$X" xiaomi_mi-router-3g-v2 breed-web risky bootloader warn
	# a 3G v2 backup with Breed at 0 and Breed's ENV ("ENV\0", formats.md 4.4) naming its boot address
	breed_dump() {
		ff $((16 * MiB)) > "$1"
		put "$1" 0 "$BREED"
		python3 -c 'import sys; e=b"ENV\0"+b"autoboot.command=boot flash "+sys.argv[2].encode()+b"\0\0"; open(sys.argv[1],"wb").write(e+b"\xff"*(0x10000-len(e)))' env.breed "$2"
		put "$1" 0x30000 env.breed
		put "$1" 0x180000 "$X"
	}
	breed_dump breed-50000.bin 0x50000
	breed_dump breed-180000.bin 0x180000
	case_ breed-boots-elsewhere "$X" xiaomi_mi-router-3g-v2 breed-web will-brick bootloader fail --dump breed-50000.bin
	case_ breed-boots-here "$X" xiaomi_mi-router-3g-v2 breed-web safe bootloader pass --dump breed-180000.bin
	case_ breed-and-bootloader-tftp "$X" xiaomi_mi-router-3g-v2 uboot-tftp will-brick bootloader fail --dump breed-50000.bin
	# Breed in the backup replaced the U-Boot whose TFTP recovery uboot-tftp means, wherever Breed boots
	case_ breed-no-uboot-tftp "$X" xiaomi_mi-router-3g-v2 uboot-tftp will-brick bootloader fail --dump breed-180000.bin
	check breed-no-uboot-tftp-says-breed-web grep -q 'use --via breed-web' breed-no-uboot-tftp.json
	ff $((16 * MiB)) > stock.bin && put stock.bin 0 "$D/bootloader/xiaomi-r4a-gigabit-uboot3.bin" && put stock.bin 0x180000 "$X"
	case_ breed-web-on-stock-uboot "$X" xiaomi_mi-router-3g-v2 breed-web will-brick bootloader fail --dump stock.bin
else
	skip_part "$X or $BREED absent: the 3G v2 and Breed cases (7) not run"
fi
done_testing
