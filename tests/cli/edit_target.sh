#!/bin/bash
# Edits verify their target before a byte is written: `mac set` and `env set` refuse a dump of
# another device (wrong --device), a dump that grew or shrank, a firmware image, and a partition
# file that is not the partition they expect; cmp proves nothing was written anywhere.
# The dump is built from the documented Xiaomi 3G v2 / 4A Gigabit layout (formats.md 3.2):
# env 0x1000 at 0x30000, Bdata at 0x40000, factory at 0x50000 with the MT7603 EEPROM (chip id
# 0x7603, little-endian word 0) at +0 and the MT7612E one (0x7662) at +0x8000, MACs at +0xE000
# (lan), +0xE006 (wan), +0x4 (2.4 GHz), +0x8004 (5 GHz).
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
need python3 cmp

DEV=xiaomi_mi-router-3g-v2
LABEL=02:00:00:00:10:00
MiB=1048576
ff() { head -c "$1" /dev/zero | tr '\0' '\377'; }
put() { dd if="$3" of="$1" bs=64k seek="$(($2))" oflag=seek_bytes conv=notrunc status=none; }

# refused NAME STDERR_REGEX INPUT CMD...: exit 1, the reason on stderr, INPUT unchanged, no output file
refused() {
	local name=$1 pat=$2 input=$3
	shift 3
	cp "$input" before.bin
	rm -f out.bin
	expect "$name" 1 "$pat" "$@"
	check "$name-input-unchanged" cmp -s "$input" before.bin
	check "$name-nothing-written" test ! -e out.bin
	check "$name-one-line" test "$(wc -l < err.txt)" -le 2
}

printf 'bootcmd=tftp\nbootdelay=1\nuart_en=0\n' > env.txt
printf 'model=R4AG\ncolor=101\nCountryCode=EU\n' > bdata.txt
"$FWKIT" env create -s 0x1000 -o env.bin env.txt > /dev/null || exit 1
"$FWKIT" env create -s 0x4000 -o bdata.bin bdata.txt > /dev/null || exit 1
python3 - << 'EOF'
f = bytearray(b"\xff" * 0x10000)
f[0:2] = b"\x03\x76"; f[0x8000:0x8002] = b"\x62\x76"
for i, o in enumerate((0xE000, 0xE006, 0x4, 0x8004)):
    f[o:o + 6] = bytes([0x02, 0, 0, 0, 0xEE, i])
open("factory.bin", "wb").write(f)
EOF
ff $((16 * MiB)) > dump.bin
put dump.bin 0 "$FWKIT_TEST_DATA/bootloader/xiaomi-r4a-gigabit-uboot3.bin"
put dump.bin 0x30000 env.bin
put dump.bin 0x40000 bdata.bin
put dump.bin 0x50000 factory.bin

# the good case first: the same command on the right dump works (so each refusal below is the check's)
expect good-mac-set 0 '' "$FWKIT" mac set dump.bin --device $DEV --label $LABEL -o good.bin
check good-mac-set-changed-factory eval '! cmp -s dump.bin good.bin'
expect good-env-set 0 '' "$FWKIT" env set dump.bin bootdelay=5 -o good-env.bin

# ---- the wrong device -------------------------------------------------------------------------
# the 4A 100M / 4C (MT7628) keep factory at 0x30000: here that is the U-Boot env's text
refused wrong-device-mt7628 'offset 0x30000: mac: no Wi-Fi EEPROM where xiaomi_mi-router-4a-100m keeps one .*: expected 2.4GHz EEPROM chip id 0x7628, found 0x' \
	dump.bin "$FWKIT" mac set dump.bin --device xiaomi_mi-router-4a-100m --label $LABEL -o out.bin
# the MPR-A1 has a 4 MiB flash
refused wrong-device-size 'expected 4194304 bytes \(the 4 MiB flash of hame_mpr-a1\), found 16777216 bytes, 12582912 more' \
	dump.bin "$FWKIT" mac set dump.bin --device hame_mpr-a1 --label $LABEL -o out.bin
refused wrong-device-dry-run 'no Wi-Fi EEPROM' dump.bin "$FWKIT" mac set dump.bin --device xiaomi_mi-router-4a-100m --label $LABEL --dry-run -o out.bin

# a factory whose EEPROM is there but whose LAN MAC field holds text: not a MAC, not erased
cp dump.bin textmac.bin
printf 'model=' | dd of=textmac.bin bs=1 seek=$((0x5e000)) conv=notrunc status=none
refused mac-field-not-a-mac 'offset 0x5e000: mac: the lan MAC field of xiaomi_mi-router-3g-v2 holds no MAC.*expected a unicast MAC or erased bytes \(ff\), found 6d 6f 64 65 6c 3d' \
	textmac.bin "$FWKIT" mac set textmac.bin --device $DEV --label $LABEL -o out.bin
# an erased MAC field (all ff) is a slot to fill, not a refusal
cp dump.bin erased.bin
ff 6 > six.ff && put erased.bin 0x5e000 six.ff
expect erased-mac-field-filled 0 '' "$FWKIT" mac set erased.bin --device $DEV --label $LABEL -o erased-out.bin

# ---- a dump that grew or shrank ---------------------------------------------------------------
# one byte inserted by a hex editor before the factory partition: everything after it moved
python3 -c 'import sys; d=open("dump.bin","rb").read(); open("grown.bin","wb").write(d[:0x20000] + b"\x00" + d[0x20000:])'
refused grown-mac 'the dump is larger than the flash .*: expected 16777216 bytes \(the 16 MiB flash of xiaomi_mi-router-3g-v2\), found 16777217 bytes, 1 more' \
	grown.bin "$FWKIT" mac set grown.bin --device $DEV --label $LABEL -o out.bin
refused grown-mac-in-place 'larger than the flash' grown.bin "$FWKIT" mac set grown.bin --device $DEV --label $LABEL --in-place
refused grown-env 'not a flash dump or a partition as read from flash .*: expected a whole number of 4 KiB flash sectors, found 16777217 bytes \(1 past a 4 KiB boundary\)' \
	grown.bin "$FWKIT" env set grown.bin bootdelay=5 -o out.bin
head -c $((8 * MiB)) dump.bin > half.bin
refused half-mac 'smaller than the flash .*found 8388608 bytes, 8388608 fewer' half.bin "$FWKIT" mac set half.bin --device $DEV --label $LABEL -o out.bin

# ---- a firmware image is not a dump -------------------------------------------------------------
IMG=$FWKIT_TEST_DATA/uimage/good/a5-v11-19.07.7-sysupgrade.bin
refused image-mac 'offset 0x0: refusing to edit a firmware image.*found U-Boot legacy image' \
	"$IMG" "$FWKIT" mac set "$IMG" --device hame_mpr-a1 --label $LABEL -o out.bin
# an env with a good CRC planted inside the image's rootfs: still the image's bytes, not a flash env
cp "$IMG" img-env.bin && put img-env.bin 0x100000 env.bin
refused image-env 'offset 0x0: refusing to edit a firmware image' img-env.bin "$FWKIT" env set img-env.bin bootdelay=5 --at 0x100000 -o out.bin

# ---- partition files: the factory partition alone is edited as that partition -------------------
expect factory-part-mac 0 '' "$FWKIT" mac set factory.bin --device $DEV --label $LABEL -o factory-out.bin
python3 - << 'EOF' && ok factory-part-only-mac-bytes || bad factory-part-only-mac-bytes
a = open("factory.bin", "rb").read(); b = open("factory-out.bin", "rb").read()
fields = [(o, 6) for o in (0xE000, 0xE006, 0x4, 0x8004)]
diff = [i for i in range(len(a)) if a[i] != b[i]]
assert len(a) == len(b) and diff and all(any(s <= i < s + n for s, n in fields) for i in diff), diff[:8]
# the label rule of the profile: the label is WAN's (OpenWrt's dtsi: label-mac-device = &wan), lan = label - 1,
# 2.4 GHz +1, 5 GHz +2 (seed 000's stock values)
assert [b[o:o + 6].hex() for o in (0xE000, 0xE006, 0x4, 0x8004)] == ["020000000fff", "020000001000", "020000001001", "020000001002"]
EOF
# the same edit in the whole dump gives the same factory bytes
python3 -c 'import sys; a=open("good.bin","rb").read()[0x50000:0x60000]; b=open("factory-out.bin","rb").read(); sys.exit(a != b)' \
	&& ok factory-part-equals-dump-edit || bad factory-part-equals-dump-edit
# a Bdata partition read alone has the factory partition's size, but no EEPROM
ff 65536 > bdata-part.bin && put bdata-part.bin 0 bdata.bin
refused bdata-part-not-factory 'offset 0x0: mac: no Wi-Fi EEPROM where xiaomi_mi-router-3g-v2 keeps one' \
	bdata-part.bin "$FWKIT" mac set bdata-part.bin --device $DEV --label $LABEL -o out.bin
# an env partition read alone (64 KiB, env at 0) is edited like the dump
ff 65536 > env-part.bin && put env-part.bin 0 env.bin
expect env-part-set 0 '' "$FWKIT" env set env-part.bin bootdelay=5 -o env-part-out.bin
python3 -c 'import sys; a=open("good-env.bin","rb").read()[0x30000:0x40000]; b=open("env-part-out.bin","rb").read(); sys.exit(a != b)' \
	&& ok env-part-equals-dump-edit || bad env-part-equals-dump-edit

done_testing
