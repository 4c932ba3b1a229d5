#!/bin/bash
# fwkit sysupgrade show / strip against images whose fwtool blocks are appended by
# tests/fwtool_ref.py (written from formats.md 6.2: the trailer layout and fwtool's CRC) and against
# the real A5-V11 19.07.7 sysupgrade image; strip == the image before its blocks, and for the A5-V11
# pair == what `fwkit poray decode` gets from the real mkporayfw factory file.
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
need python3 mkimage
REF="python3 $FWKIT_SOURCE_DIR/tests/fwtool_ref.py"
D=$FWKIT_TEST_DATA
field() { "$FWKIT" sysupgrade show "$1" --json 2> /dev/null | python3 -c "import json,sys; j=json.load(sys.stdin); print(j.get('$2'))"; }

# the real image: OpenWrt 19.07.7 for the A5-V11, metadata appended by OpenWrt's own fwtool
SYS=$D/uimage/good/a5-v11-19.07.7-sysupgrade.bin
check real-supported test "$(field "$SYS" supported_devices)" = a5-v11
check real-version test "$(field "$SYS" version)" = 19.07.7
check real-board test "$(field "$SYS" board)" = a5-v11
check real-not-signed test "$(field "$SYS" signed)" = False
"$FWKIT" sysupgrade strip "$SYS" -o stripped.bin > /dev/null
check real-strip-size test "$(stat -c %s stripped.bin)" = 3670020
check real-strip-is-prefix cmp -s stripped.bin <(head -c 3670020 "$SYS")
# the stripped image, made into the A5-V11 factory file, is the real mkporayfw output (PROVENANCE #19)
"$FWKIT" poray encode stripped.bin --board A5-V11 -o factory.bin > /dev/null
check strip-then-poray-is-real-factory test "$(sha256sum < factory.bin | cut -d' ' -f1)" = f9d1f591b87dcb69db9ac090ecee4b07d4f0c3861b3f1ee3855324c0ff755560

# images made here: a kernel uImage, then metadata (compat 1.0 and 1.1), then a signature
head -c 100000 /dev/urandom > kernel.raw
mkimage -A mips -O linux -T kernel -C none -a 0x80000000 -e 0x80000000 -n test -d kernel.raw img.bin > /dev/null
cp img.bin plain.bin
printf '{ "metadata_version": "1.0", "supported_devices":["xiaomi,mi-router-4a-gigabit","xiaomi,mir4ag"], "version": { "dist": "OpenWrt", "version": "22.03.5", "revision": "r20134", "target": "ramips/mt7621", "board": "xiaomi_mi-router-4a-gigabit" } }' > m10.json
cp img.bin m10.bin && $REF meta m10.bin m10.json
check compat-1.0-supported test "$(field m10.bin supported_devices)" = "xiaomi,mi-router-4a-gigabit xiaomi,mir4ag"
check compat-1.0-exit-0 "$FWKIT" sysupgrade show m10.bin
cp "$D/fwtool/good/compat-1.1-signed.bin" m11.bin
check compat-1.1-new-supported test "$(field m11.bin new_supported_devices)" = "xiaomi,mi-router-4a-gigabit"
check compat-1.1-version test "$(field m11.bin compat_version)" = 1.1
check compat-1.1-old-list-is-the-refusal grep -q 'Image version mismatch' <<< "$(field m11.bin supported_devices)"
check signed-yes test "$(field m11.bin signed)" = True
# strip removes both blocks: the image before them, byte for byte
cp img.bin s.bin && $REF meta s.bin m10.json && head -c 64 /dev/urandom > sig && $REF sign s.bin sig
"$FWKIT" sysupgrade strip s.bin -o s-stripped.bin > /dev/null
check strip-two-blocks cmp -s s-stripped.bin img.bin
check strip-says-two grep -q '2 blocks removed' <("$FWKIT" sysupgrade strip s.bin -o s2.bin)
# a changed image byte breaks every CRC (fwtool's "CRC error"): exit 1, named on stderr
"$FWKIT" sysupgrade show "$D/fwtool/bad/image-byte-changed.bin" > out.txt 2> err.txt
check bad-crc-exit-1 test $? = 1
check bad-crc-stderr grep -q 'fwtool: bad CRC: expected 0x' err.txt
# no metadata: what sysupgrade refuses without -F
"$FWKIT" sysupgrade show plain.bin > out.txt 2> err.txt
check no-metadata-exit-1 test $? = 1
check no-metadata-says grep -q 'Image metadata not present' out.txt
"$FWKIT" sysupgrade strip plain.bin -o nothing.bin > /dev/null 2>&1
check strip-nothing-refused test $? = 1 -a ! -e nothing.bin
# "FWx0" inside the data is not a trailer: only blocks that end the file count
python3 -c 'import struct; d = open("img.bin","rb").read(); open("inner.bin","wb").write(d[:200] + struct.pack(">IIB3xI", 0x46577830, 0, 1, 40) + d[200:])'
check inner-magic-not-a-block test "$(field inner.bin image_end)" = "$(stat -c %s inner.bin)"
done_testing
