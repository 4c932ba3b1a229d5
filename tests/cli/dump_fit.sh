#!/bin/bash
# A dump that grew or was cut: every edit and layout refuses it and says where it grew (between
# which structures, found where the profile puts them and that many bytes further) or where the
# read ends; an env whose CRC is bad takes its size from the device profile or from U-Boot's zero
# padding, and --repair --size works without --at (fw_printenv reads the result).
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
D=$FWKIT_TEST_DATA
MiB=1048576
ff() { head -c "$1" /dev/zero | tr '\0' '\377'; }
put() { dd if="$3" of="$1" bs=64k seek="$(($2))" oflag=seek_bytes conv=notrunc status=none; }

# HAME MPR-A1 layout (OpenWrt rt5350_hame_mpr-a1.dts): U-Boot 0, env 0x30000, factory 0x40000
# (RT5350 EEPROM: chip id 0x5350 little-endian), firmware 0x50000
python3 -c 'open("fac","wb").write(b"\x50\x53\x01\x00"+bytes([2,0,0,0,0x20,0])+bytes(0x200-10))'
printf 'bootcmd=tftp\nbootdelay=1\nipaddr=10.10.10.123\n' > env.txt
"$FWKIT" env create -s 0x1000 -o env.bin env.txt > /dev/null || exit 1
ff $((4 * MiB)) > d.bin
put d.bin 0 "$D/uimage/good/hame-mpr-a1-v22-uboot128.bin"
put d.bin 0x30000 env.bin
put d.bin 0x40000 fac
put d.bin 0x50000 "$D/uimage/good/a5-v11-19.07.7-sysupgrade.bin"
python3 - << 'PY'
d = open("d.bin", "rb").read()
open("grown.bin", "wb").write(d[:0x20000] + b"X" + d[0x20000:])    # a hex editor's insert in the bootloader
open("deleted.bin", "wb").write(d[:0x45000] + d[0x45010:])          # 16 bytes deleted inside factory
open("half.bin", "wb").write(d[:0x200000])                           # a read cut at 2 MiB
PY
expect mac-grown 1 '1 byte inserted after 0x0 and before 0x40000 \(the 2.4GHz EEPROM of factory is at 0x40001\)' \
	"$FWKIT" mac set grown.bin --label 02:00:00:00:30:00 -o o.bin --device hame_mpr-a1
check mac-grown-wrote-nothing test ! -e o.bin
expect mac-deleted 1 '16 bytes deleted after 0x40000 \(the 2.4GHz EEPROM of factory is in place\) and before 0x50000 \(the uImage of firmware is at 0x4fff0\)' \
	"$FWKIT" mac set deleted.bin --label 02:00:00:00:30:00 -o o.bin --device hame_mpr-a1
expect env-grown 1 'hame_mpr-a1 dump with 1 byte inserted' "$FWKIT" env set grown.bin bootdelay=3 -o o.bin
expect env-half 1 'the read ends at 0x200000 inside partition firmware, 2097152 bytes before the end of the 4 MiB flash' \
	"$FWKIT" env set half.bin bootdelay=3 -o o.bin
check env-half-wrote-nothing test ! -e o.bin
expect layout-half 1 'not the 4194304 bytes of hame_mpr-a1.s flash: the read ends at 0x200000' "$FWKIT" layout half.bin --device hame_mpr-a1
expect layout-grown 1 '1 byte inserted after 0x0 and before 0x40000' "$FWKIT" layout grown.bin --device hame_mpr-a1
expect layout-whole 0 '' "$FWKIT" layout d.bin --device hame_mpr-a1
# without --device too: the grown dump and a firmware image are refused as what they are (exit 1),
# not for want of a device (exit 2)
expect mac-grown-no-device 1 'a hame_mpr-a1 dump of the wrong size: 1 byte inserted after 0x0' \
	"$FWKIT" mac set grown.bin --label 02:00:00:00:30:00 -o o.bin
expect extract-grown 1 'extract: a hame_mpr-a1 dump of the wrong size: 1 byte inserted after 0x0.*expected 4194304 bytes' \
	"$FWKIT" extract grown.bin --part factory -o o.bin
check extract-grown-wrote-nothing test ! -e o.bin
expect mac-image-no-device 1 'offset 0x0: a firmware image, not a flash dump.*found openwrt-sysupgrade' \
	"$FWKIT" mac set "$D/uimage/good/a5-v11-19.07.7-sysupgrade.bin" --label 02:00:00:00:30:00 -o o.bin
expect identify-grown 3 'offset 0x0: error: a hame_mpr-a1 dump of the wrong size: 1 byte inserted after 0x0 and before 0x40000' \
	"$FWKIT" identify grown.bin
# an env partition read alone is edited as it is
dd if=d.bin of=envpart.bin bs=64k skip=3 count=1 status=none
expect env-partition-alone 0 '' "$FWKIT" env set envpart.bin bootdelay=4 -o envpart.out

# Xiaomi 3G v2 / 4A Gigabit layout (formats.md 3.2): env 0x1000 at 0x30000, Bdata at 0x40000
printf 'model=R4AG\ncolor=101\nSN=1/2\n' > bd.txt
"$FWKIT" env create -s 0x4000 -o bd.bin bd.txt > /dev/null || exit 1
python3 -c '
f=bytearray(b"\xff"*0x10000); f[0:2]=b"\x03\x76"; f[0x8000:0x8002]=b"\x62\x76"
for i,o in enumerate((0xE000,0xE006,4,0x8004)): f[o:o+6]=bytes([2,0,0,0,0xff,i])
open("xf.bin","wb").write(f)'
ff $((16 * MiB)) > x.bin
put x.bin 0 "$D/bootloader/xiaomi-r4a-gigabit-uboot3.bin"
put x.bin 0x30000 env.bin
put x.bin 0x40000 bd.bin
put x.bin 0x50000 xf.bin
"$FWKIT" env corrupt x.bin -o xbad.bin --at 0x30000 --size 0x1000 > /dev/null || exit 1
expect env-find-profile-size 1 'bad CRC' "$FWKIT" env find xbad.bin
check env-size-from-profile grep -q '^0x00030000  u-boot        size 0x1000 ' out.txt
# U-Boot's saveenv zero-fills the env after its variables: a 0x1000 block followed by erased flash
python3 -c '
d=bytearray(open("d.bin","rb").read()); o=0x30000
d[o:o+4]=b"\0\0\0\0"; end=d.index(b"\0\0",o+4)+2; d[end:o+0x1000]=bytes(o+0x1000-end)
open("zbad.bin","wb").write(d)'
expect env-find-padding-size 1 'bad CRC' "$FWKIT" env find zbad.bin
check env-size-from-padding grep -q '^0x00030000  u-boot        size 0x1000 ' out.txt
# ... and an env blob with 0xFF padding cannot tell: the message says which option to add
"$FWKIT" env corrupt d.bin -o bad1.bin --at 0x30000 --size 0x1000 > /dev/null || exit 1
expect repair-needs-size 1 'add --size 0x400 if that is the env size' "$FWKIT" env set bad1.bin bootdelay=5 --repair -o o.bin
expect repair-with-size-no-at 0 '' "$FWKIT" env set bad1.bin bootdelay=5 --repair --size 0x1000 -o repaired.bin
if command -v fw_printenv > /dev/null; then
	printf 'repaired.bin 0x30000 0x1000\n' > fw_env.config
	check fw_printenv-reads-repair bash -c 'fw_printenv -c fw_env.config bootdelay | grep -qx bootdelay=5'
else
	skip_part "fw_printenv (libubootenv-tool) not installed"
fi
# --json promises one JSON document on stdout: refusals that happen before a command prints its own
# give {"ok": false, "exit_code": N, "error": ...} (docs/json.md), N the process's exit code
json_fail() {
	local name=$1
	shift
	"$@" --json > jf.json 2> /dev/null
	local rc=$?
	check "json-failure-$name" python3 -c 'import json,sys; d=json.load(open("jf.json")); assert d["ok"] is False and d["exit_code"] == int(sys.argv[1]) != 0 and d["command"], d' "$rc"
}
json_fail layout "$FWKIT" layout grown.bin --device hame_mpr-a1
json_fail extract "$FWKIT" extract grown.bin --part factory -o o.bin
json_fail mac-set "$FWKIT" mac set grown.bin --label 02:00:00:00:30:00 -o o.bin
json_fail env-set "$FWKIT" env set half.bin bootdelay=3 -o o.bin
json_fail missing-file "$FWKIT" identify nosuchfile.bin
check json-failure-names-reason grep -q 'cannot open' jf.json
done_testing
