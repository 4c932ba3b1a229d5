#!/bin/bash
# fwkit inspect / mac list / mac set / layout / compare / profile on whole-chip dumps that the test
# builds from real parts (formats.md 3.2, 3.5, 3.6, 4.3, 6; seed 000):
#
#   xiaomi.bin  16 MiB: Xiaomi R4A Gigabit U-Boot at 0, env (0x1000) at 0x30000, Bdata (0x4000) at
#               0x40000, the first 64 KiB of a real Mi R3G factory partition at 0x50000, the OpenWrt
#               3G v2 sysupgrade image at 0x180000; then `mac set --label 02:00:00:00:10:00` so no
#               real MAC is ever compared or stored. Without $FWKIT_REAL_DATA a synthetic stand-in
#               (same layout, made-up EEPROM/kernel/squashfs) is used and the golden files are skipped.
#   a5v11.bin   4 MiB: stock A5-V11 bootloader (real data), factory made here, A5-V11 19.07.7 sysupgrade
#   mpra1.bin   4 MiB: HAME MPR-A1 U-Boot, the same factory and firmware (tests/data only)
#
#   1. golden text and JSON (tests/cli/inspect.expected/; FWKIT_UPDATE_GOLDEN=1 rewrites them)
#   2. identification, 3. every verdict provoked by a variant dump (checked by code in --json),
#   4. mac list / set, 5. layout, 6. compare, 7. profile
#
# On a failure the lines starting with '#' say how to reproduce it (files stay in $FWKIT_SCRATCH).
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
need python3 cmp diff od
start=$(date +%s)

EXP=$FWKIT_SOURCE_DIR/tests/cli/inspect.expected
REAL=${FWKIT_REAL_DATA:-/nonexistent}
TEST_MAC=02:00:00:00:10:00 # locally administered; every golden file holds only such MACs
# the sticker of a 3G v2 / 4A Gigabit shows the WAN MAC (OpenWrt mt7621_xiaomi_mi-router-4a-3g-v2.dtsi:
# label-mac-device = &wan, formats.md 3.2): LAN = label - 1, 2.4 GHz + 1, 5 GHz + 2 (seed 000's stock values)
XIAOMI_LABEL=02:00:00:00:10:01
CLONE=EC:41:18:C8:D4:2C    # seed 000: the MAC of a dump shared on the OpenWrt forum
CLONE_LABEL=EC:41:18:C8:D4:2D # that dump's WAN MAC (eth0.2 at 0xE006), its label
MiB=1048576

# ---- helpers ------------------------------------------------------------------------------------

note() { echo "#     $*"; }
fw() { "$FWKIT" "$@"; }
# ff SIZE: SIZE bytes of 0xFF on stdout
ff() { head -c "$1" /dev/zero | tr '\0' '\377'; }
# put DUMP OFFSET FILE: FILE's bytes into DUMP at OFFSET (the size stays)
put() { dd if="$3" of="$1" bs=64k seek="$(($2))" oflag=seek_bytes conv=notrunc status=none; }
# poke DUMP OFFSET 'printf-bytes'
poke() { printf "$3" | dd of="$1" bs=64k seek="$(($2))" oflag=seek_bytes conv=notrunc status=none; }
# flip DUMP OFFSET: invert one byte
flip() { python3 -c 'import sys
f = open(sys.argv[1], "r+b"); o = int(sys.argv[2], 0); f.seek(o); b = f.read(1)[0]; f.seek(o); f.write(bytes([b ^ 0xFF]))' "$1" "$2"; }
# js JSONFILE PYEXPR: a Python expression over the parsed JSON `j`
# (the tree's helpers: f(node, field), kid(node, format), part(j, name), findings(node), candidates(j))
js() { python3 -c 'import json,sys; sys.path.insert(0, sys.argv[3]); from inspect_tree import *; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" "$FWKIT_SOURCE_DIR/tests" 2> /dev/null; }
# mkenv SIZE OUT TEXT: an env blob by mkenvimage (fwkit env create, byte-identical, if it is absent)
mkenv() {
	if command -v mkenvimage > /dev/null 2>&1; then mkenvimage -s "$1" -o "$2" "$3"; else fw env create -s "$1" -o "$2" "$3"; fi
}
size_of() { stat -c %s "$1"; }
# changed_within OLD NEW 'START:LEN ...': OLD and NEW differ, and only inside those fields
changed_within() {
	cmp -l "$1" "$2" | awk '{ print $1 - 1 }' | python3 -c 'import sys
f = [(int(a, 0), int(b, 0)) for a, b in (x.split(":") for x in sys.argv[1].split())]
o = [int(x) for x in sys.stdin]
out = [hex(x) for x in o if not any(s <= x < s + n for s, n in f)]
if out: print("#     changed outside the MAC fields:", " ".join(out[:10]))
sys.exit(0 if o and not out else 1)' "$3"
}
XIAOMI_MAC_FIELDS="0x5e000:6 0x5e006:6 0x50004:6 0x58004:6"

# inspect_json NAME DUMP [ARGS...]: `inspect --json` into NAME.json (exit status in NAME.rc) and its
# findings as "code severity offset message" lines in NAME.codes
inspect_json() {
	local n=$1
	shift
	fw inspect "$@" --json > "$n.json" 2> "$n.err"
	echo $? > "$n.rc"
	python3 - "$n.json" "$FWKIT_SOURCE_DIR/tests" > "$n.codes" 2>> "$n.err" << 'EOF'
import json, sys
sys.path.insert(0, sys.argv[2])
from inspect_tree import findings
for f in findings(json.load(open(sys.argv[1]))):
    print(f["code"], f["severity"], hex(f["offset"]), f["message"])
EOF
}
# verdict NAME CODE SEVERITY OFFSET WANT_EXIT [MESSAGE-PART]: after inspect_json NAME, the finding is there
verdict() {
	local n=$1 code=$2 sev=$3 off=$4 want=$5 msg=${6:-}
	local got rc
	got=$(grep "^$code $sev $off " "$n.codes")
	rc=$(cat "$n.rc")
	if [ -z "$got" ]; then
		bad "verdict-$n: no $code ($sev at $off); found: $(cut -d' ' -f1-3 "$n.codes" | tr '\n' ';') $(head -c 200 "$n.err")"
		note "$FWKIT inspect $n.bin --json   (in $FWKIT_SCRATCH)"
	elif [ -n "$msg" ] && ! grep -qF -- "$msg" <<< "$got"; then
		bad "verdict-$n: $code message lacks \"$msg\": $got"
	elif [ "$rc" != "$want" ]; then
		bad "verdict-$n: exit $rc, wanted $want"
	else
		ok "verdict-$n: $code"
	fi
}
# only_codes NAME 'code ...': the warning and error codes found are exactly these (info is ignored)
only_codes() {
	local got
	got=$(awk '$2 != "info" { print $1 }' "$1.codes" | sort -u | tr '\n' ' ')
	local want
	want=$(tr ' ' '\n' <<< "$2" | sed '/^$/d' | sort -u | tr '\n' ' ')
	if [ "$got" = "$want" ]; then ok "verdict-$1-nothing-else"; else bad "verdict-$1-nothing-else: found [$got], wanted [$want]"; fi
}

# golden NAME FILE: FILE equals $EXP/NAME (FWKIT_UPDATE_GOLDEN=1: store it there)
golden() {
	local name=$1 f=$2
	if ! only_test_macs "$f"; then
		bad "golden-$name: output holds a MAC that is not a locally administered test MAC; not compared, not stored"
		return
	fi
	if [ "${FWKIT_UPDATE_GOLDEN:-0}" = 1 ]; then
		mkdir -p "$EXP" && cp "$f" "$EXP/$name" && ok "golden-$name (updated $EXP/$name)" || bad "golden-$name: cannot write $EXP/$name"
	elif [ ! -f "$EXP/$name" ]; then
		bad "golden-$name: $EXP/$name is missing (FWKIT_UPDATE_GOLDEN=1 writes it)"
	elif cmp -s "$EXP/$name" "$f"; then
		ok "golden-$name"
	else
		bad "golden-$name differs from $EXP/$name (FWKIT_UPDATE_GOLDEN=1 rewrites it):"
		diff -u "$EXP/$name" "$f" | sed -n '3,30p' | sed 's/^/#     /'
	fi
}

# only_test_macs FILE...: every MAC-shaped string is locally administered (second bit of the first
# octet), and none of the real MACs of the real factory partition (REAL_MACS) appears in any form
REAL_MACS=
only_test_macs() {
	python3 - "$REAL_MACS" "$@" << 'EOF'
import re, sys
real = [m for m in sys.argv[1].split() if m]
bad = 0
for fn in sys.argv[2:]:
    t = open(fn, "rb").read().decode("utf-8", "replace")
    for m in re.findall(r"\b[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}\b", t):
        if not int(m[:2], 16) & 2:
            print("#     %s: a universally administered MAC (%s:...)" % (fn, m[:8])); bad = 1
    flat = re.sub(r"[^0-9a-f]", "", t.lower())
    for r in real:
        if r in flat or r in t.lower():
            print("#     %s: a real MAC of the factory partition appears" % fn); bad = 1
sys.exit(bad)
EOF
}

# ---- the dumps ----------------------------------------------------------------------------------

XIAOMI_BOOT=$FWKIT_TEST_DATA/bootloader/xiaomi-r4a-gigabit-uboot3.bin
XIAOMI_EEPROM=$REAL/mi-r3g-noob/eeprom.bin
XIAOMI_FW=$REAL/openwrtinvasion/openwrt-ramips-mt7621-xiaomi_mir3g-v2-squashfs-sysupgrade.bin
A5_BOOT=$REAL/openwrt-precompiled-a5-v11/stock_bootloader.bin
A5_FW=$FWKIT_TEST_DATA/uimage/good/a5-v11-19.07.7-sysupgrade.bin
MPR_BOOT=$FWKIT_TEST_DATA/uimage/good/hame-mpr-a1-v22-uboot128.bin
have_real_xiaomi=0
[ -r "$XIAOMI_EEPROM" ] && [ -r "$XIAOMI_FW" ] && have_real_xiaomi=1
have_real_a5=0
[ -r "$A5_BOOT" ] && have_real_a5=1

# the Xiaomi env and Bdata (formats.md 4.1, 4.2)
printf 'bootcmd=tftp\nbootdelay=1\nuart_en=0\nboot_wait=off\nipaddr=192.168.31.1\nserverip=192.168.31.100\n' > env.txt
printf 'model=R3G\ncolor=101\nCountryCode=EU\nSN=00000/T0000000\nwl0_ssid=test\nwl1_ssid=test5G\n' > bdata.txt
mkenv 0x1000 env.bin env.txt || exit 1
mkenv 0x4000 bdata.bin bdata.txt || exit 1

BDATA_MODEL=R3G
ff $((16 * MiB)) > xiaomi.bin
put xiaomi.bin 0 "$XIAOMI_BOOT"
put xiaomi.bin 0x30000 env.bin
put xiaomi.bin 0x40000 bdata.bin
if [ $have_real_xiaomi = 1 ]; then
	head -c 65536 "$XIAOMI_EEPROM" > factory.bin
	put xiaomi.bin 0x50000 factory.bin
	put xiaomi.bin 0x180000 "$XIAOMI_FW"
	# the real MACs (lan, wan, 2.4 GHz, 5 GHz): only to prove they never reach an output
	REAL_MACS=$(python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); print(" ".join(d[o:o+6].hex() for o in (0xE000,0xE006,4,0x8004)))' factory.bin)
else
	skip_part "$REAL lacks the Mi R3G factory / OpenWrt 3G v2 image: a synthetic Xiaomi dump stands in; golden files not compared"
	# without the real 3G v2 firmware no device tree names the board: its Bdata does (model=R3GV2,
	# seed 000's "model show r3gv2"), as a 3G v2's own board data would; "R3G" would name the NAND Mi R3G
	sed 's/^model=R3G$/model=R3GV2/' bdata.txt > bdata-v2.txt
	mkenv 0x4000 bdata.bin bdata-v2.txt || exit 1
	put xiaomi.bin 0x40000 bdata.bin
	BDATA_MODEL=R3GV2
	# factory: MT7603 EEPROM at 0, MT7612E (id 0x7662) at 0x8000, MACs at 0x4, 0x8004, 0xE000, 0xE006
	python3 - << 'EOF'
f = bytearray(b"\xff" * 0x10000)
f[0:2] = b"\x03\x76"; f[0x8000:0x8002] = b"\x62\x76"
for i, o in enumerate((0xE000, 0xE006, 0x4, 0x8004)):
    f[o:o + 6] = bytes([0x02, 0, 0, 0, 0xFF, i])
open("factory.bin", "wb").write(f)
import random
open("kernel.raw", "wb").write(random.Random(1).randbytes(200000))
EOF
	SOURCE_DATE_EPOCH=0 fw uimage create -A mips -O linux -T kernel -C none -a 0x80001000 -n "synthetic test kernel" \
		-d kernel.raw kernel.uimg > /dev/null || exit 1
	# squashfs 4.0 superblock (formats.md 6.5) right after the kernel, 4 MiB used, then the deadc0de mark
	python3 - << 'EOF'
import struct
k = open("kernel.uimg", "rb").read()
used = 0x400000
# the tables where mksquashfs puts them: inode, directory, fragment, export and id tables in that
# order at the end of the file system (squashfs_fs.h), so the superblock is one a probe accepts
sb = b"hsqs" + struct.pack("<IIIIHHHHHHQQQQQQQQ", 10, 0, 0x40000, 0, 4, 18, 0xC0, 1, 4, 0, 0, used,
                           used - 0x40, 0xFFFFFFFFFFFFFFFF, used - 0x400, used - 0x200, used - 0x100, used - 0x80)
fw = bytearray(k + sb + bytes(used - len(sb)))
fw += b"\xff" * (-len(fw) % 0x10000)
fw += b"\xde\xad\xc0\xde"
open("firmware.bin", "wb").write(fw)
EOF
	put xiaomi.bin 0x50000 factory.bin
	put xiaomi.bin 0x180000 firmware.bin
fi
cp xiaomi.bin xiaomi.orig.bin

# the A5-V11 / MPR-A1 factory: RT5350 EEPROM (bytes 50 53 = chip 0x5350 little-endian), MAC at +4
python3 -c 'open("rt5350-factory.bin","wb").write(b"\x50\x53\x01\x00" + bytes([2,0,0,0,0x20,0]) + bytes(0x200 - 10))'
ff $((4 * MiB)) > mpra1.bin
put mpra1.bin 0 "$MPR_BOOT"
put mpra1.bin 0x40000 rt5350-factory.bin
put mpra1.bin 0x50000 "$A5_FW"
if [ $have_real_a5 = 1 ]; then
	ff $((4 * MiB)) > a5v11.bin
	put a5v11.bin 0 "$A5_BOOT"
	put a5v11.bin 0x40000 rt5350-factory.bin
	put a5v11.bin 0x50000 "$A5_FW"
else
	skip_part "$A5_BOOT absent: no A5-V11 dump (the MPR-A1 dump is still checked)"
fi

# ---- 1. mac set on the built Xiaomi dump, then the golden files ---------------------------------

fw mac set xiaomi.bin --label $XIAOMI_LABEL --in-place > set1.out 2> set1.err
check mac-set-in-place-exit-0 test $? = 0
check mac-set-in-place-keeps-size test "$(size_of xiaomi.bin)" = $((16 * MiB))
# only bytes inside the four 6-byte MAC fields changed (formats.md 3.2: 0xE000, 0xE006; EEPROM +4)
check mac-set-changes-only-mac-bytes changed_within xiaomi.orig.bin xiaomi.bin "$XIAOMI_MAC_FIELDS"
rm -f xiaomi.orig.bin
check mac-set-prints-4-changes test "$(grep -c '^Changed: .* -> 02:00:00:00:10:0[0-3]$' set1.out)" = 4

fw mac list xiaomi.bin --json > list1.json
check mac-list-exit-0 test $? = 0
check mac-list-follows-rule test "$(js list1.json '" ".join("%s=%s/%d" % (f(m, "role"), f(m, "mac"), f(m, "label_delta")) for m in kids(j, "mac"))')" \
	= "lan=02:00:00:00:10:00/-1 wan=02:00:00:00:10:01/0 wlan-2.4ghz=02:00:00:00:10:02/1 wlan-5ghz=02:00:00:00:10:03/2"
check mac-list-offsets test "$(js list1.json '" ".join(hex(m["offset"]) for m in kids(j, "mac"))')" = "0x5e000 0x5e006 0x50004 0x58004"
check mac-list-no-problems test "$(js list1.json '[k for m in kids(j, "mac") for k in ("multicast", "zero", "erased", "clone", "duplicate", "off-rule", "outside") if f(m, k)] + findings(j)')" = "[]"
check mac-list-device test "$(js list1.json '(j["format"], f(j, "device"))')" = "('macs', 'xiaomi_mi-router-3g-v2')"

fw inspect xiaomi.bin > xiaomi.txt 2> xiaomi.err
check inspect-xiaomi-exit-0 test $? = 0
check inspect-xiaomi-no-stderr test ! -s xiaomi.err
fw inspect xiaomi.bin --json > xiaomi.json
check inspect-xiaomi-json-exit-0 test $? = 0
check inspect-xiaomi-json-clean test "$(js xiaomi.json '(j["schema"], j["format"], f(j, "kind"), f(j, "size"), f(j, "errors"), f(j, "warnings"))')" = "(2, 'inspect', 'flash-dump', 16777216, 0, 0)"
# the facts as typed fields of the tree, not prose
check inspect-xiaomi-json-env test "$(js xiaomi.json '[(f(e, "crc_ok"), f(e, "variables"), f(e, "bootdelay"), f(e, "env_size")) for e in kids(part(j, "u-boot-env"), "ubootenv")]')" = "[(True, 6, '1', 4096)]"
check inspect-xiaomi-json-bdata test "$(js xiaomi.json '[(f(e, "bdata"), f(e, "model")) for e in kids(part(j, "Bdata"), "ubootenv")]')" = "[(True, '$BDATA_MODEL')]"
check inspect-xiaomi-json-eeproms test "$(js xiaomi.json '[(f(e, "chip"), hex(e["offset"])) for e in kids(part(j, "factory"), "wifi-eeprom")]')" = "[('MT7603', '0x50000'), ('MT7662', '0x58000')]"
check inspect-xiaomi-json-macs test "$(js xiaomi.json '[(f(m, "role"), f(m, "mac")) for m in kids(kid(j, "macs"), "mac")][:2]')" = "[('lan', '02:00:00:00:10:00'), ('wan', '02:00:00:00:10:01')]"
check inspect-xiaomi-json-uboot test "$(js xiaomi.json 'f(kid(part(j, "u-boot"), "u-boot"), "version")')" = "U-Boot 1.1.3 (Aug 18 2020 - 11:10:29)"
check inspect-xiaomi-mentions-test-macs grep -q '02:00:00:00:10:03' xiaomi.txt
check inspect-xiaomi-env-line grep -qE '^ +0x00030000 0x00010000 u-boot-env +ro .*CRC ok, 6 variables, bootdelay=1, uart_en=0, boot_wait=off' xiaomi.txt
check inspect-xiaomi-bdata-line grep -qE 'Bdata env \(size 0x4000\): CRC ok, 6 variables, model=R3G' xiaomi.txt
check inspect-xiaomi-eeproms grep -qE 'MT7603 EEPROM 0x7603; factory\+0x8000: MT7662 EEPROM 0x7662' xiaomi.txt
check inspect-xiaomi-uboot-version grep -qE '^ +0x00000000 0x00030000 u-boot +ro U-Boot 1\.1\.3 ' xiaomi.txt
check inspect-xiaomi-verdict grep -qx 'Verdict:      0 errors, 0 warnings' xiaomi.txt
if [ $have_real_xiaomi = 1 ]; then
	check inspect-xiaomi-firmware grep -qF 'kernel "MIPS OpenWrt Linux-5.4.43" 2434950 bytes none, CRCs ok; squashfs 4.x at 0x3d27c6, xz, block 256 KiB, 1409076 bytes used' xiaomi.txt
	# the same as typed fields: the uImage (mkimage -l says these), the squashfs (unsquashfs -s), the overlay
	check inspect-xiaomi-json-kernel test "$(js xiaomi.json '(lambda k: (f(k, "name"), f(k, "data_size"), f(k, "header_crc_ok"), f(k, "data_crc_ok")))(kid(part(j, "firmware"), "uimage"))')" = "('MIPS OpenWrt Linux-5.4.43', 2434950, True, True)"
	check inspect-xiaomi-json-squashfs test "$(js xiaomi.json '(lambda s: (hex(s["offset"]), f(s, "compression"), f(s, "block_size"), f(s, "bytes_used")))(kid(part(j, "firmware"), "squashfs"))')" = "('0x3d27c6', 'xz', 262144, 1409076)"
	check inspect-xiaomi-json-overlay test "$(js xiaomi.json '(lambda o: (hex(o["offset"]), f(o, "state")))(kid(part(j, "firmware"), "jffs2-eof"))')" = "('0x530000', 'marked')"
	check inspect-xiaomi-json-devicetree test "$(js xiaomi.json '(f(kid(j, "devicetree"), "model"), f(kid(j, "devicetree"), "compatible"))')" = "('Xiaomi Mi Router 3G v2', 'xiaomi,mir3g-v2')"
	golden xiaomi.txt xiaomi.txt
	golden xiaomi.json xiaomi.json
else
	skip_part "golden xiaomi.txt / xiaomi.json (need the real Xiaomi parts)"
fi
# the stored expectations themselves hold only test MACs (also when they are not compared)
for g in "$EXP"/*; do
	[ -f "$g" ] && check "golden-$(basename "$g")-only-test-macs" only_test_macs "$g"
done

if [ $have_real_a5 = 1 ]; then
	fw inspect a5v11.bin > a5v11.txt 2> a5v11.err
	check inspect-a5v11-exit-0 test $? = 0
	check inspect-a5v11-uboot grep -qF 'U-Boot 1.1.3 (Jul  8 2013 - 10:13:26): uImage "SPI Flash Image", 110344 bytes, header CRC ok, data CRC ok' a5v11.txt
	check inspect-a5v11-firmware grep -qF 'kernel "MIPS OpenWrt Linux-4.14.221" 1347662 bytes lzma, CRCs ok; squashfs 4.x at 0x19908e, xz' a5v11.txt
	check inspect-a5v11-eeprom grep -qF 'factory+0x0: RT5350 EEPROM 0x5350; lan 02:00:00:00:20:00' a5v11.txt
	golden a5v11.txt a5v11.txt
else
	skip_part "golden a5v11.txt (needs $A5_BOOT)"
fi

# ---- 2. identification --------------------------------------------------------------------------

ids() { js "$1" '" ".join(candidates(j))'; }
check id-xiaomi-device test "$(js xiaomi.json 'f(j, "device") in ("xiaomi_mi-router-3g-v2", "xiaomi_mi-router-4a-gigabit")')" = True
check id-xiaomi-candidates-3g-v2 grep -qw xiaomi_mi-router-3g-v2 <<< "$(ids xiaomi.json)"
check id-xiaomi-candidates-4a-gigabit grep -qw xiaomi_mi-router-4a-gigabit <<< "$(ids xiaomi.json)"
check id-xiaomi-text-names-both grep -q 'xiaomi_mi-router-4a-gigabit' xiaomi.txt
check id-xiaomi-evidence-size grep -qF '+10 dump size 0x1000000 equals the flash size' xiaomi.txt
check id-xiaomi-evidence-bdata grep -qF 'Bdata at 0x40000: Bdata with a good CRC (size 0x4000)' xiaomi.txt
check id-xiaomi-not-forced test "$(js xiaomi.json 'f(j, "device_forced")')" = False

# the same-layout RT5350 4 MiB devices (formats.md 3.5-3.7): the dump alone cannot tell them apart
RT5350_4M="unbranded_a5-v11 hame_mpr-a1 poray_m3 poray_m4-4m"
if [ $have_real_a5 = 1 ]; then
	inspect_json a5v11 a5v11.bin
	dev=$(js a5v11.json 'f(j, "device")')
	echo "#     the A5-V11 dump is identified as $dev; candidates: $(ids a5v11.json)"
	check id-a5v11-device-same-layout grep -qw -- "$dev" <<< "$RT5350_4M"
	check id-a5v11-candidates-a5v11 grep -qw unbranded_a5-v11 <<< "$(ids a5v11.json)"
	check id-a5v11-a5v11-same-or-best test "$(js a5v11.json '[f(c, "same_layout_as_best") or i == 0 for i, c in enumerate(kids(kid(j, "identification"), "candidate")) if f(c, "device") == "unbranded_a5-v11"][0]')" = True
	# issue 12: an A5-V11 dump is not named HAME MPR-A1 (its stock U-Boot lacks HAME's own code)
	check id-a5v11-not-mpra1 test "$dev" != hame_mpr-a1
	only_codes a5v11 ""
fi
inspect_json mpra1 mpra1.bin
check id-mpra1-candidates grep -qw hame_mpr-a1 <<< "$(ids mpra1.json)"
check id-mpra1-device-same-layout grep -qw -- "$(js mpra1.json 'f(j, "device")')" <<< "$RT5350_4M"
inspect_json mpra1-forced mpra1.bin --device hame_mpr-a1
check id-mpra1-forced test "$(js mpra1-forced.json '(f(j, "device"), f(j, "device_forced"), f(j, "errors"))')" = "('hame_mpr-a1', True, 0)"
# the firmware is the A5-V11 build: where fwkit reads the kernel's device tree, it says so (a warning only)
if [ "$(js mpra1-forced.json 'kid(j, "devicetree") is not None')" = True ]; then
	verdict mpra1-forced dt.compatible warning 0x0 0 'the firmware was built for "A5-V11"'
	only_codes mpra1-forced dt.compatible
else
	only_codes mpra1-forced ""
fi
check id-mpra1-uboot test "$(js mpra1-forced.json 'f(kid(part(j, "u-boot"), "u-boot"), "version")')" = "U-Boot 1.1.7 (Dec 13 2011 - 13:49:42)"
fw inspect mpra1.bin --device hame_mpr-a1 > mpra1-forced.txt
check id-mpra1-forced-text grep -qF 'Device:       HAME MPR-A1 (hame_mpr-a1), given with --device' mpra1-forced.txt
fw inspect mpra1.bin --device no_such-device > /dev/null 2> nodev.err
check id-unknown-device-refused test $? -ne 0

# ---- 3. verdicts: one variant of the dumps each -------------------------------------------------

# the dump itself
cp xiaomi.bin dump-size.bin
printf '\0' >> dump-size.bin
inspect_json dump-size dump-size.bin
verdict dump-size dump.size error 0x0 1 '16777217 bytes: 1 byte more than 16 MiB'
head -c $((16 * MiB - 1)) xiaomi.bin > dump-size2.bin
inspect_json dump-size2 dump-size2.bin --device xiaomi_mi-router-3g-v2
verdict dump-size2 dump.size error 0x0 1 '1 byte fewer than 16 MiB'
head -c $((8 * MiB)) xiaomi.bin > dump-truncated.bin
inspect_json dump-truncated dump-truncated.bin --device xiaomi_mi-router-3g-v2
verdict dump-truncated dump.truncated error 0x800000 1 'a truncated read'
cat dump-truncated.bin dump-truncated.bin > dump-mirrored.bin
inspect_json dump-mirrored dump-mirrored.bin
verdict dump-mirrored dump.mirrored error 0x800000 1 '(the real chip is 8388608 bytes?)'
ff $((16 * MiB)) > dump-blank.bin
inspect_json dump-blank dump-blank.bin
verdict dump-blank dump.blank error 0x0 1 'every byte is 0xFF'
head -c $((16 * MiB)) /dev/zero > dump-zero.bin
inspect_json dump-zero dump-zero.bin
verdict dump-zero dump.zero error 0x0 1 'every byte is 0x00'
inspect_json dump-zero-forced dump-zero.bin --device xiaomi_mi-router-3g-v2
verdict dump-zero-forced dump.zero error 0x0 1

# the env: one byte of the variables changed, the stored CRC no longer matches
cp xiaomi.bin env-crc.bin
flip env-crc.bin 0x30010
inspect_json env-crc env-crc.bin
verdict env-crc env.crc error 0x30000 1 'bad env CRC'
only_codes env-crc env.crc

# MACs: a known public clone set by role, then by label (warned)
fw mac set xiaomi.bin --role lan $CLONE -o mac-clone.bin > clone.out 2> clone.err
check mac-set-role-clone-exit-0 test $? = 0
check mac-set-role-clone-warns grep -qi 'clone' clone.err
inspect_json mac-clone mac-clone.bin
verdict mac-clone mac.clone error 0x5e000 1 'known public clone'
only_codes mac-clone mac.clone
fw mac set xiaomi.bin --label $CLONE_LABEL -o mac-clone2.bin > clone2.out 2> clone2.err
check mac-set-label-clone-exit-0 test $? = 0
check mac-set-label-clone-warns grep -qi 'warning: .*clone' clone2.err
fw mac list mac-clone2.bin --json > clone2.json
check mac-list-clone-problems test "$(js clone2.json '[f(m, "clone", False) for m in kids(j, "mac")]')" = "[True, True, True, True]"
check mac-list-clone-codes test "$(js clone2.json 'sorted(set(x["code"] for x in findings(j)))')" = "['mac.clone']"
check mac-list-clone-values test "$(js clone2.json '" ".join(f(m, "mac") for m in kids(j, "mac"))')" = "EC:41:18:C8:D4:2C EC:41:18:C8:D4:2D EC:41:18:C8:D4:2E EC:41:18:C8:D4:2F"
# two MACs equal: mac set refuses to make one (section 4), so the dump is edited by hand: wan := lan
cp xiaomi.bin mac-duplicate.bin
poke mac-duplicate.bin 0x5e006 '\x02\x00\x00\x00\x10\x00'
inspect_json mac-duplicate mac-duplicate.bin
verdict mac-duplicate mac.duplicate error 0x5e000 1 'used twice'
verdict mac-duplicate mac.duplicate error 0x5e006 1 'used twice'
only_codes mac-duplicate mac.duplicate
cp xiaomi.bin mac-invalid.bin
poke mac-invalid.bin 0x58004 '\xff\xff\xff\xff\xff\xff'
inspect_json mac-invalid mac-invalid.bin
verdict mac-invalid mac.invalid error 0x58004 1 'wlan-5ghz MAC is not a usable address'
only_codes mac-invalid mac.invalid

# the 2.4 GHz EEPROM's chip id word erased
cp xiaomi.bin eeprom-chip.bin
poke eeprom-chip.bin 0x50000 '\xff\xff'
inspect_json eeprom-chip eeprom-chip.bin
verdict eeprom-chip eeprom.chip error 0x50000 1 'EEPROM is erased'
only_codes eeprom-chip eeprom.chip

# the kernel: one payload byte changed, the data CRC is bad
cp xiaomi.bin firmware-kernel.bin
flip firmware-kernel.bin $((0x180000 + 64 + 4096))
inspect_json firmware-kernel firmware-kernel.bin
verdict firmware-kernel firmware.kernel error 0x180018 1 'data CRC'
only_codes firmware-kernel firmware.kernel

# the rootfs does not fit: a user profile (from profile show) whose firmware partition is 3 MiB
fw profile show xiaomi_mi-router-3g-v2 > profile-3g-v2.json
check profile-show-exit-0 test $? = 0
python3 - << 'EOF'
import json
p = json.load(open("profile-3g-v2.json"))
p["id"] = "test_short-firmware"
p["name"] = "test: 3G v2 layout with a 3 MiB firmware partition"
p["compatible"] = ["test,short-firmware"]
p["firmware_max"] = "0x300000"
for x in p["partitions"]:
    if x["name"] == "firmware":
        x["size"] = "0x300000"
p["partitions"].append({"name": "rest", "offset": "0x480000", "size": "0xb80000", "read_only": False, "content": "other"})
json.dump({"profiles": [p]}, open("short.json", "w"), indent=1)
EOF
fw profile list --profiles short.json > plist.txt 2> plist.err
check profile-user-listed grep -q '^test_short-firmware ' plist.txt
inspect_json rootfs-overflow xiaomi.bin --profiles short.json --device test_short-firmware
verdict rootfs-overflow firmware.rootfs-overflow error "$(js xiaomi.json 'hex(kid(part(j, "firmware"), "squashfs")["offset"])')" 1 'runs past the firmware partition'
# where fwkit reads the kernel's device tree, it also sees that the firmware was built for another
# device and that its partition map disagrees with this profile: warnings, both true here
if [ "$(js rootfs-overflow.json 'kid(j, "devicetree") is not None')" = True ]; then
	verdict rootfs-overflow dt.partition warning 0x180000 1
	# squashfs.truncated: the squashfs module, reading the file system within the partition, says it too
	only_codes rootfs-overflow "firmware.rootfs-overflow squashfs.truncated dt.partition dt.compatible"
else
	only_codes rootfs-overflow "firmware.rootfs-overflow squashfs.truncated"
fi

# the crash partition's factory-mode flag (formats.md 4.3): a warning, not an error
cp xiaomi.bin crash.bin
poke crash.bin 0x60000 '\xa5\x5a\x00\x00'
inspect_json crash crash.bin
verdict crash crash.factory-mode warning 0x60000 0 'factory mode is on'
only_codes crash crash.factory-mode

# erased bootloader, erased firmware
cp xiaomi.bin boot-erased.bin
ff $((0x30000)) > ff-boot.bin
put boot-erased.bin 0 ff-boot.bin
inspect_json boot-erased boot-erased.bin
verdict boot-erased boot.erased error 0x0 1 'the router will not start'
only_codes boot-erased boot.erased
cp xiaomi.bin firmware-erased.bin
ff $((0xE80000)) > ff-fw.bin
put firmware-erased.bin 0x180000 ff-fw.bin
inspect_json firmware-erased firmware-erased.bin
verdict firmware-erased firmware.erased error 0x180000 1 'nothing to boot'
only_codes firmware-erased firmware.erased

# the MPR-A1 dump with --device: a variant with the kernel damaged says so too
cp mpra1.bin mpra1-kernel.bin
flip mpra1-kernel.bin $((0x50000 + 64 + 100))
inspect_json mpra1-kernel mpra1-kernel.bin --device hame_mpr-a1
verdict mpra1-kernel firmware.kernel error 0x50018 1 'data CRC'

# ---- 4. mac set / list --------------------------------------------------------------------------

md5() { md5sum < "$1" | cut -d' ' -f1; }
before=$(md5 xiaomi.bin)
fw mac set xiaomi.bin --label 02:00:00:00:30:01 -o set2.bin > set2.out 2> set2.err
check mac-set-o-exit-0 test $? = 0
check mac-set-o-input-untouched test "$(md5 xiaomi.bin)" = "$before"
check mac-set-o-keeps-size test "$(size_of set2.bin)" = "$(size_of xiaomi.bin)"
check mac-set-prints-changes test "$(grep -c '^Changed:' set2.out)" = 4
fw mac list set2.bin --json > list2.json
check mac-set-rule-values test "$(js list2.json '" ".join(f(m, "mac") for m in kids(j, "mac"))')" = "02:00:00:00:30:00 02:00:00:00:30:01 02:00:00:00:30:02 02:00:00:00:30:03"
check mac-set-rule-deltas test "$(js list2.json '[f(m, "label_delta") for m in kids(j, "mac")]')" = "[-1, 0, 1, 2]"
check mac-set-changes-only-mac-bytes-2 changed_within xiaomi.bin set2.bin "$XIAOMI_MAC_FIELDS"
check mac-set-changed-4-bytes test "$(cmp -l xiaomi.bin set2.bin | wc -l)" = 4
# --role: one MAC only
fw mac set xiaomi.bin --role wlan-5ghz 02:00:00:00:40:00 -o role.bin > role.out 2>&1
check mac-set-role-exit-0 test $? = 0
check mac-set-role-one-field changed_within xiaomi.bin role.bin 0x58004:6
# --dry-run writes nothing
fw mac set xiaomi.bin --label 02:00:00:00:50:01 -o dry.bin --dry-run > dry.out 2>&1
check mac-set-dry-run-exit-0 test $? = 0
check mac-set-dry-run-no-file test ! -e dry.bin
check mac-set-dry-run-shows-changes grep -q '02:00:00:00:50:03' dry.out
cp xiaomi.bin dry-in-place.bin
fw mac set dry-in-place.bin --label 02:00:00:00:50:01 --in-place --dry-run > /dev/null 2>&1
check mac-set-dry-run-in-place-untouched cmp -s dry-in-place.bin xiaomi.bin
# refusals: exit non-zero, nothing written (neither -o nor --in-place)
refuse() {
	local n=$1
	shift
	cp xiaomi.bin refuse-in.bin
	fw mac set refuse-in.bin "$@" -o refused.bin > "refuse-$n.out" 2> "refuse-$n.err"
	local rc=$?
	fw mac set refuse-in.bin "$@" --in-place > /dev/null 2>&1
	local rc2=$?
	if [ $rc = 0 ] || [ $rc2 = 0 ]; then
		bad "mac-set-refuses-$n (exit $rc / $rc2)"
	elif [ -e refused.bin ]; then
		bad "mac-set-refuses-$n: refused.bin was written"
	elif ! cmp -s refuse-in.bin xiaomi.bin; then
		bad "mac-set-refuses-$n: --in-place changed the dump"
	elif ! grep -q 'refusing' "refuse-$n.err"; then
		bad "mac-set-refuses-$n: stderr lacks 'refusing': $(head -c 200 "refuse-$n.err")"
	else
		ok "mac-set-refuses-$n"
	fi
	rm -f refused.bin
}
refuse multicast --label 01:00:00:00:10:00
refuse all-zero --label 00:00:00:00:00:00
refuse broadcast --label FF:FF:FF:FF:FF:FF
refuse role-all-zero --role lan 00:00:00:00:00:00
refuse duplicate --role wan $TEST_MAC
refuse wraps-into-multicast --label FF:FF:FF:FF:FF:FD
# the refusal names the two places in a form that is true: "factory+OFF" must lie inside factory (64 KiB)
check mac-set-duplicate-message-offsets test -z "$(grep -oE 'factory\+0x[0-9a-f]{5,}' refuse-duplicate.err)"
grep -oE 'factory\+0x[0-9a-f]{5,}' refuse-duplicate.err > /dev/null &&
	note "stderr: $(cat refuse-duplicate.err)"
# the A5-V11 / MPR-A1 rule: one MAC, the label itself
fw mac set mpra1.bin --device hame_mpr-a1 --label 02:00:00:00:20:10 -o mpra1-set.bin > /dev/null 2>&1
check mac-set-mpra1-exit-0 test $? = 0
check mac-set-mpra1-value test "$(fw mac list mpra1-set.bin --device hame_mpr-a1 --json > m.json && js m.json '[(f(m, "role"), f(m, "mac"), hex(m["offset"])) for m in kids(j, "mac")]')" = "[('lan', '02:00:00:00:20:10', '0x40004')]"
check mac-set-mpra1-only-mac-bytes changed_within mpra1.bin mpra1-set.bin 0x40004:6

# ---- 5. layout ----------------------------------------------------------------------------------

# formats.md 3.2 / 7.1: the Xiaomi partitions as flashrom layout lines
fw layout xiaomi.bin > layout.txt
check layout-exit-0 test $? = 0
printf '%s\n' '00000000:0002ffff u-boot' '00030000:0003ffff u-boot-env' '00040000:0004ffff Bdata' \
	'00050000:0005ffff factory' '00060000:0006ffff crash' '00070000:0007ffff cfg_bak' \
	'00080000:0017ffff overlay' '00180000:00ffffff firmware' > layout.want
check layout-xiaomi diff layout.want layout.txt
cp set2.bin layout-new.bin
fw env set layout-new.bin bootdelay=5 --in-place > /dev/null
fw layout layout-new.bin --changed-against xiaomi.bin > changed-layout.txt 2> changed-layout.err
check layout-changed-exit-0 test $? = 0
check layout-changed-regions test "$(awk '{ print $1 }' changed-layout.txt | tr '\n' ' ')" = "00030000:0003ffff 00050000:0005ffff "
check layout-changed-names test "$(awk '{ sub(/_[0-9]+$/, "", $2); print $2 }' changed-layout.txt | tr '\n' ' ')" = "u-boot-env factory "
check layout-changed-says-command grep -q 'flashrom .*-l .* -w layout-new.bin' changed-layout.err
fw layout xiaomi.bin --changed-against xiaomi.bin > same-layout.txt 2> same-layout.err
check layout-identical-empty test ! -s same-layout.txt

# ---- 6. compare ---------------------------------------------------------------------------------

cp xiaomi.bin read1.bin
cp xiaomi.bin read2.bin
cp xiaomi.bin read3.bin
flipped="0x100 0x101 0x102 0x5e003 0x5e004 0x200000 0x200010 0x7fffff 0xfffffe 0xffffff"
for o in $flipped; do flip read2.bin "$o"; done
fw compare read1.bin read2.bin read3.bin -o consensus.bin > compare.txt 2> compare.err
check compare-differ-exit-1 test $? = 1
check compare-10-unstable grep -qE '(^|[^0-9])10 unstable bytes' compare.txt
check compare-consensus-is-good-read cmp -s consensus.bin read1.bin
fw compare read1.bin read2.bin read3.bin --json > compare.json
check compare-json-unstable test "$(js compare.json 'j["unstable_bytes"]')" = 10
check compare-json-ranges test "$(js compare.json '" ".join("%x+%d" % (r["offset"], r["length"]) for r in j["ranges"])')" \
	= "100+3 5e003+2 200000+1 200010+1 7fffff+1 fffffe+2"
for r in 0x00000100..0x00000102 0x0005e003..0x0005e004 0x00fffffe..0x00ffffff; do
	check "compare-text-range-$r" grep -qF "$r" compare.txt
done
fw compare read1.bin read3.bin > agree.txt 2>&1
check compare-agree-exit-0 test $? = 0
fw compare read1.bin read2.bin -o two.bin > two.out 2> two.err
check compare-two-reads-o-refused test $? -ne 0
check compare-two-reads-o-nothing-written test ! -e two.bin
# two reads that agree but hold nothing (all 0xFF, all 0x00: a clip without contact) are no proof
ff $((16 << 20)) > blank1.bin && cp blank1.bin blank2.bin && cp blank1.bin blank3.bin
fw compare blank1.bin blank2.bin > blank.out 2> blank.err
check compare-blank-ff-exit-1 test $? = 1
check compare-blank-ff-says-no-contact grep -q '^fwkit: blank1.bin: offset 0x0: error: both reads are all 0xFF: an erased chip, or the clip made no contact' blank.err
check compare-blank-ff-one-line test "$(wc -l < blank.err)" = 1
fw compare blank1.bin blank2.bin --json > blank.json 2> /dev/null
check compare-blank-json-finding test "$(js blank.json '[f["code"] for f in j["findings"]]')" = "['compare.blank']"
head -c $((16 << 20)) /dev/zero > zero1.bin && cp zero1.bin zero2.bin
fw compare zero1.bin zero2.bin > zero.out 2> zero.err
check compare-blank-00-exit-1 test $? = 1
check compare-blank-00-says-no-contact grep -q 'both reads are all 0x00: the clip made no contact' zero.err
fw compare blank1.bin blank2.bin blank3.bin -o blank-majority.bin > bm.out 2> bm.err
check compare-blank-majority-exit-1 test $? = 1
check compare-blank-majority-says-why grep -q 'all 3 reads are all 0xFF' bm.err
check compare-blank-majority-nothing-written test ! -e blank-majority.bin
# one read with data among blank ones: the majority is blank, refused as well
cp blank1.bin blank4.bin && printf '\x42' | dd of=blank4.bin bs=1 seek=$((0x100)) conv=notrunc status=none
fw compare blank1.bin blank2.bin blank4.bin -o blank-majority2.bin > bm2.out 2> bm2.err
check compare-blank-majority-of-3-exit-1 test $? = 1
check compare-blank-majority-of-3-says-why grep -q 'the majority of the 3 reads is all 0xFF' bm2.err
check compare-blank-majority-of-3-nothing-written test ! -e blank-majority2.bin
rm -f blank[1-4].bin zero[12].bin
# a byte with three different values has no majority: -o is refused
cp read3.bin read4.bin
printf '\x42' | dd of=read4.bin bs=1 seek=$((0x100)) conv=notrunc status=none
fw compare read1.bin read2.bin read4.bin -o nomajority.bin > nm.out 2> nm.err
check compare-no-majority-refused test $? -ne 0
check compare-no-majority-nothing-written test ! -e nomajority.bin

# ---- 7. profile ---------------------------------------------------------------------------------

fw profile list > profiles.txt
check profile-list-exit-0 test $? = 0
for id in xiaomi_mi-router-3g-v2 xiaomi_mi-router-4a-gigabit unbranded_a5-v11 hame_mpr-a1; do
	check "profile-list-$id" grep -q "^$id " profiles.txt
done
# 3G v2 and 4A Gigabit: the same layout (formats.md 3.2)
fw profile show xiaomi_mi-router-4a-gigabit > profile-4ag.json
check profile-same-layout test "$(js profile-3g-v2.json '(j["partitions"], j["macs"], j["eeproms"], j["envs"])')" \
	= "$(js profile-4ag.json '(j["partitions"], j["macs"], j["eeproms"], j["envs"])')"
check profile-show-firmware test "$(js profile-3g-v2.json '[(p["offset"], p["size"]) for p in j["partitions"] if p["name"] == "firmware"]')" = "[('0x180000', '0xe80000')]"
# a profile printed by show reads back as a user profile
fw inspect xiaomi.bin --profiles profile-3g-v2.json --json > roundtrip.json 2> roundtrip.err
check profile-show-reads-back test "$(js roundtrip.json 'f(j, "errors")')" = 0
fw profile show no_such-device > /dev/null 2>&1
check profile-show-unknown-refused test $? -ne 0

echo "# $(($(date +%s) - start)) s"
done_testing
