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

# cut inside the metadata: the file ends in the block's header and part of its JSON, no "FWx0"
# trailer. That is a cut download, not an image without metadata: show, strip, image verify and
# check fail it. The block's offset and size come from the whole file's trailer (formats.md 6.2:
# size u32 BE in its last 4 bytes), read with od.
be32_at_end() { tail -c 4 "$1" | od -An -tu4 --endian=big | tr -d ' '; }
# cut_meta NAME FILE BYTES EXPECTED_REGEX: FILE less its last BYTES fails everywhere, naming the block
cut_meta() {
	local name=$1 file=$2 n=$3 want=$4 len size at
	len=$(stat -c %s "$file")
	size=$(be32_at_end "$file")
	at=$(printf '0x%x' $((len - size)))
	head -c $((len - n)) "$file" > "$name.bin"
	local msg="offset $at: error: fwtool: the file ends inside its fwtool metadata \\(the block at $at has no \"FWx0\" trailer\\): the image is cut: expected $want, found $((size - n)) bytes$"
	expect "$name-show-fails" 1 "$msg" "$FWKIT" sysupgrade show "$name.bin"
	check "$name-show-not-none" grep -q "^Metadata: *cut: the file ends inside the block at $at" out.txt
	expect "$name-strip-refused" 1 "$msg" "$FWKIT" sysupgrade strip "$name.bin" -o "$name-stripped.bin"
	check "$name-strip-wrote-nothing" test ! -e "$name-stripped.bin"
	expect "$name-image-verify-fails" 1 "$msg" "$FWKIT" image verify "$name.bin"
}
# the real 19.07.7 image (OpenWrt's own fwtool wrote its 222-byte metadata block) cut by 100
# bytes: inside the JSON, so only a lower bound is known (the rest of the JSON, a 16-byte trailer)
cut_meta real-meta-cut-100 "$SYS" 100 "over $(($(be32_at_end "$SYS") - 100 + 16)) bytes \\(the JSON's rest, a 16-byte trailer\\)"
"$FWKIT" check real-meta-cut-100.bin --device unbranded_a5-v11 --via uboot-tftp > out.txt 2> err.txt
check real-meta-cut-check-exit-1 test $? = 1
check real-meta-cut-check-checksum-fails grep -q '^ *fail *checksum .*the file ends inside its fwtool metadata' out.txt
check real-meta-cut-check-not-safe test "$(grep -c '^verdict: safe' out.txt)" = 0
"$FWKIT" check real-meta-cut-100.bin --device unbranded_a5-v11 --via sysupgrade > out.txt 2> err.txt
check real-meta-cut-sysupgrade-kind grep -q '^ *fail *kind .*the image is cut' out.txt
# cut by 5 inside the trailer: the JSON is whole, so the block's size is known: the trailer's
cut_meta real-meta-cut-5 "$SYS" 5 "$(be32_at_end "$SYS") bytes \\(a 16-byte trailer ending them\\)"
# a synthetic image (mkimage kernel + metadata by tests/fwtool_ref.py) cut inside its JSON
cut_meta synthetic-meta-cut m10.bin 60 "over $(($(be32_at_end m10.bin) - 60 + 16)) bytes \\(the JSON's rest, a 16-byte trailer\\)"
# not cut: an image without metadata, and text that only looks like metadata
"$FWKIT" sysupgrade show plain.bin > out.txt 2> err.txt
check plain-not-cut test "$(grep -c 'cut' out.txt err.txt | awk -F: '{s += $2} END {print s}')" = 0
{ cat img.bin; printf 'padding{  "metadata_version": "1.0", "supported_devices":["x"'; } > decoy1.bin # no zero header
{ cat img.bin; head -c 8 /dev/zero; printf '{ "version": {"dist": "x"'; } > decoy2.bin                # no metadata_version
{ cat img.bin; head -c 8 /dev/zero; printf '{ "metadata_version": "1.0"'; printf '\001\002\003'; } > decoy3.bin # binary after it
for d in decoy1 decoy2 decoy3; do
	"$FWKIT" sysupgrade show $d.bin > out.txt 2> err.txt
	check "$d-is-no-metadata-not-cut" grep -q 'Image metadata not present' out.txt
done
REAL=${FWKIT_REAL_DATA:-/nonexistent}
if [ -d "$REAL" ]; then
	# OpenWrt 15.05 for the A5-V11: kernel + squashfs + jffs2 markers, no metadata at all
	"$FWKIT" sysupgrade show "$REAL/openwrt-a5-v11/firmware.bin" > out.txt 2> err.txt
	check real-no-metadata-not-cut grep -q 'Image metadata not present' out.txt
	expect real-no-metadata-image-verifies 0 '' "$FWKIT" image verify "$REAL/openwrt-a5-v11/firmware.bin"
	check real-whole-19.07.7-same-as-tests-data cmp -s "$SYS" "$REAL/openwrt-precompiled-a5-v11/19.07.7_sysupgrade.bin"
else
	skip_part "real A5-V11 15.05 image without metadata: $REAL is absent"
fi
expect real-whole-19.07.7-image-verifies 0 '' "$FWKIT" image verify "$SYS"
done_testing
