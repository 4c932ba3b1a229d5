#!/bin/bash
# fwkit image show | verify | unwrap over the vendor containers (TP-Link v1/v2, Seama, Netgear
# CHK, the NAND sysupgrade tar; TRX, DNI, Xiaomi HDR, Poray through the same command), against
# outside facts:
#  - the fixtures were made by tests/vendor_ref.py (from formats.md and the firmware-utils field
#    layouts) and GNU tar; the MD5s are recomputed here with md5sum/hashlib, the Netgear checksums
#    with the reference's own sum, the tar members listed by GNU tar;
#  - every file of tests/data/<format>/bad fails with the error tests/data/<format>/bad-expected.txt
#    names, and nothing is written for it;
#  - unwrap writes exactly the payload the maker put in (cmp with the input files);
#  - identify names each one a firmware image of its format; scan finds it at 0 with its extent;
#  - real files from ../shared/testdata/real where such exist (a visible skip otherwise).
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
need python3 md5sum tar cmp
D=$FWKIT_TEST_DATA
REF="python3 $FWKIT_SOURCE_DIR/tests/vendor_ref.py"
K=$D/uimage/good/breed-rt5350-hame-a5-r1163.bin
R=$D/squashfs/good/xz.sqsh

# field FILE NAME [ARGS]: a field of `image show --json` (verify with ARGS=verify)
field() {
	local cmd=${3:-show}
	"$FWKIT" image "$cmd" "$1" --json | python3 -c 'import json, sys
f = json.load(sys.stdin)["fields"].get(sys.argv[1])
print(f["name"] if isinstance(f, dict) else f)' "$2"
}

# ---- 1. good fixtures verify, as the format that made them ---------------------------------------
for fmt in tplink seama netgear-chk sysupgrade-tar; do
	for f in "$D/$fmt"/good/*; do
		expect "$fmt/good/$(basename "$f") verifies" 0 '' "$FWKIT" image verify "$f"
		check "$fmt/good/$(basename "$f") is $fmt" grep -q "^Format: *$fmt$" out.txt
		expect "$fmt/good/$(basename "$f") --format $fmt" 0 '' "$FWKIT" image verify "$f" --format "$fmt"
	done
done

# the fixture makers are deterministic: they remake the committed files byte for byte
$REF tplink1 t1.bin "$K" "$R" && check maker-tplink1-reproduces cmp -s t1.bin "$D/tplink/good/v1-uimage-squashfs.bin"
$REF tplink2 t2.bin "$K" "$R" && check maker-tplink2-reproduces cmp -s t2.bin "$D/tplink/good/v2-uimage-squashfs.bin"
$REF seama s.bin "$K" dev=/dev/mtdblock/2 type=firmware && check maker-seama-reproduces cmp -s s.bin "$D/seama/good/entity-uimage.bin"
$REF chk c.chk U12H139T01_NETGEAR "$K" "$R" && check maker-chk-reproduces cmp -s c.chk "$D/netgear-chk/good/kernel-rootfs.chk"

# TP-Link: the salted MD5 (salt in the MD5 field, MD5 of the whole file) recomputed by hashlib
salted() {
	python3 -c 'import hashlib, sys
b = bytearray(open(sys.argv[1], "rb").read()); at = int(sys.argv[2], 0)
b[at:at + 16] = bytes.fromhex(sys.argv[3]); print(hashlib.md5(b).hexdigest())' "$@"
}
for t in "v1-uimage-squashfs.bin 76 dcd73aa5c39598fbddf9e7f40eae4738" "v2-uimage-squashfs.bin 0x40 dcd73aa5c39598fbdcf9e7f40eae4737"; do
	set -- $t
	want=$(salted "$D/tplink/good/$1" "$2" "$3")
	check "tplink-$1-md5-as-hashlib" test "$(field "$D/tplink/good/$1" md5)" = "$want"
done
check tplink-v1-hw-id test "$(field "$D/tplink/good/v1-uimage-squashfs.bin" hw_id)" = $((0x30200001))
check tplink-v2-layout test "$(field "$D/tplink/good/v2-uimage-squashfs.bin" layout)" = mktplinkfw2
check tplink-v1-kernel-uimage test "$(field "$D/tplink/good/v1-uimage-squashfs.bin" kernel_format verify)" = uimage
check tplink-v1-rootfs-squashfs test "$(field "$D/tplink/good/v1-uimage-squashfs.bin" rootfs_format verify)" = squashfs
check tplink-kernel-only-no-md5 grep -q 'kernel-only' <("$FWKIT" image show "$D/tplink/good/v1-kernel-only.bin")

# what OpenWrt and TP-Link put around those headers:
#  - a sysupgrade image: mktplinkfw's file with fwtool metadata appended (the MD5 covers the file before it);
#  - mktplinkfw2 -c (the MD5 covers header and kernel) with the rootfs appended after it;
#  - a stock file: rootfs_ofs 0x100000 in the header, the squashfs right after the kernel (PROVENANCE note)
cp "$D/tplink/good/v1-uimage-squashfs.bin" meta.bin
printf '{"supported_devices":["tplink,tl-mr3020-v1"]}' > meta.json
python3 "$FWKIT_SOURCE_DIR/tests/fwtool_ref.py" meta meta.bin meta.json
expect tplink-with-fwtool-metadata 0 '' "$FWKIT" image verify meta.bin
check tplink-md5-covers-the-file-before-the-metadata test "$(field meta.bin md5_covers)" = "$(stat -c %s "$D/tplink/good/v1-uimage-squashfs.bin")"
$REF tplink2 v2c.bin "$K" && cat "$R" >> v2c.bin
expect tplink2-combined-then-rootfs 0 '' "$FWKIT" image verify v2c.bin
check tplink2-combined-md5-covers-header-and-kernel test "$(field v2c.bin md5_covers)" = $((512 + $(stat -c %s "$K")))
$REF tplink1-stock stock.bin "$K" "$R"
expect tplink-stock-layout-verifies 0 '' "$FWKIT" image verify stock.bin
check tplink-stock-rootfs-located grep -q "found a squashfs at 0x$(printf '%x' $((512 + $(stat -c %s "$K"))))" out.txt

# Seama: the MD5 is md5sum of the payload; the meta strings are the maker's
check seama-md5-as-md5sum test "$(field "$D/seama/good/entity-uimage.bin" entity_0_md5)" = "$(md5sum < "$K" | cut -c1-32)"
check seama-meta test "$(field "$D/seama/good/entity-uimage.bin" entity_0_meta_1)" = type=firmware
check seama-seal-meta test "$(field "$D/seama/good/seal-uimage.bin" seal_meta_0)" = signature=wrgac00_dlink.2013gui

# CHK: the board id, and the checksums as the reference sums them
sums=$(python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import vendor_ref as v
k = open(sys.argv[2], "rb").read(); r = open(sys.argv[3], "rb").read()
print(v.netgear_sum(k), v.netgear_sum(r), v.netgear_sum(k + r))' "$FWKIT_SOURCE_DIR/tests" "$K" "$R")
C=$D/netgear-chk/good/kernel-rootfs.chk
check chk-board-id test "$(field "$C" board_id)" = U12H139T01_NETGEAR
check chk-checksums-as-reference test "$(field "$C" kernel_checksum) $(field "$C" rootfs_checksum) $(field "$C" image_checksum)" = "$sums"

# sysupgrade tar: members and sizes as GNU tar lists them; the board; the root's kind
for f in squashfs-root ubi-root; do
	T=$D/sysupgrade-tar/good/$f.tar
	want=$(tar tvf "$T" | awk '{print $6, $3}' | tr '\n' ';')
	got=$("$FWKIT" image show "$T" --json | python3 -c 'import json, sys
f = json.load(sys.stdin)["fields"]
print("".join("%s %d;" % (f["member_%d" % i], f["member_%d_size" % i]) for i in range(f["members"])))')
	check "sysupgrade-tar-$f-members-as-gnu-tar" test "$got" = "$want"
done
check sysupgrade-tar-board test "$(field "$D/sysupgrade-tar/good/squashfs-root.tar" control_board)" = xiaomi_mi-router-3g
check sysupgrade-tar-root-squashfs test "$(field "$D/sysupgrade-tar/good/squashfs-root.tar" root_kind)" = squashfs
check sysupgrade-tar-root-ubi test "$(field "$D/sysupgrade-tar/good/ubi-root.tar" root_kind)" = ubi

# ---- 2. the must-fail corpora, each file with its expected error ----------------------------------
for fmt in tplink seama netgear-chk sysupgrade-tar; do
	for f in "$D/$fmt"/bad/*; do
		line=$(grep -E "^$(basename "$f") " "$D/$fmt/bad-expected.txt")
		if [ -z "$line" ]; then
			bad "$fmt/bad/$(basename "$f"): no line in bad-expected.txt"
			continue
		fi
		read -r _ rc pat <<< "$line"
		expect "$fmt/bad/$(basename "$f")" "$rc" "$pat" "$FWKIT" image verify "$f"
		rm -f never.bin
		"$FWKIT" image unwrap "$f" -o never.bin > /dev/null 2>&1
		check "$fmt/bad/$(basename "$f") unwrap refused, nothing written" test ! -e never.bin
	done
done
expect wrong-format-named 3 'not a valid tplink header at offset 0' "$FWKIT" image show "$D/seama/good/entity-uimage.bin" --format tplink
expect unknown-format-named 2 'unknown format' "$FWKIT" image show "$K" --format nosuch
expect not-a-container 3 'no container format of the table at offset 0' "$FWKIT" image show "$R"

# ---- 3. unwrap: exactly the payload the maker put in ---------------------------------------------
unwraps() {
	local name=$1 file=$2 want=$3
	rm -f u.bin
	expect "unwrap-$name" 0 '' "$FWKIT" image unwrap "$file" -o u.bin
	check "unwrap-$name-is-the-payload" cmp -s u.bin "$want"
}
unwraps seama "$D/seama/good/entity-uimage.bin" "$K"
unwraps seama-seal "$D/seama/good/seal-uimage.bin" "$K"
unwraps trx "$D/trx/good/uimage-v1.trx" "$K"
unwraps dni "$D/netgear-dni/good/ex2700-breed.bin" "$K"
unwraps tplink-kernel-only "$D/tplink/good/v1-kernel-only.bin" "$K"
cat "$K" "$R" > kr.bin
unwraps chk "$D/netgear-chk/good/kernel-rootfs.chk" kr.bin
tail -c +513 "$D/tplink/good/v1-uimage-squashfs.bin" > body.bin
unwraps tplink-body "$D/tplink/good/v1-uimage-squashfs.bin" body.bin
"$FWKIT" poray decode "$D/poray/good/mpr-l8-breed-r1163.bin" -o poray.bin > /dev/null
unwraps poray-decoded "$D/poray/good/mpr-l8-breed-r1163.bin" poray.bin
rm -f dry.bin
expect unwrap-dry-run 0 '' "$FWKIT" image unwrap "$D/seama/good/entity-uimage.bin" -o dry.bin --dry-run
check unwrap-dry-run-writes-nothing test ! -e dry.bin
expect unwrap-xiaomi-several-payloads 1 'no single payload' "$FWKIT" image unwrap "$D/xiaomi-hdr/good/r3g-hdr1.bin" -o x.bin
expect unwrap-output-is-input 2 '' "$FWKIT" image unwrap "$K" -o "$K"

# ---- 4. JSON and text are the same tree ----------------------------------------------------------
"$FWKIT" image verify "$C" --json > c.json
check json-format python3 -c 'import json, sys; d = json.load(open("c.json")); sys.exit(d["format"] != "netgear-chk" or d["fields"]["image_checksum_ok"] is not True)'
check text-has-json-fields grep -q "^image_checksum_ok: *yes$" <("$FWKIT" image verify "$C")

# ---- 5. identify and scan ------------------------------------------------------------------------
for t in "tplink/good/v1-uimage-squashfs.bin tplink" "tplink/good/v2-uimage-squashfs.bin tplink" \
	"seama/good/entity-uimage.bin seama" "netgear-chk/good/kernel-rootfs.chk netgear-chk" \
	"sysupgrade-tar/good/squashfs-root.tar sysupgrade-tar"; do
	set -- $t
	got=$("$FWKIT" identify "$D/$1" --json | python3 -c 'import json, sys
d = json.load(sys.stdin)["fields"]; print(d["kind"]["name"], d.get("image", {}).get("name", "-"))')
	check "identify-$1" test "$got" = "firmware-image $2"
	size=$(stat -c %s "$D/$1")
	check "scan-$1" grep -q "^0 $2 $size\$" <("$FWKIT" scan "$D/$1" --json | python3 -c 'import json, sys
for c in json.load(sys.stdin)["children"]: print(c["offset"], c["format"], c["size"])')
done

# ---- 6. a sysupgrade cut inside its root file system: verify looks past the container ------------
# An OpenWrt sysupgrade is a kernel uImage, then the squashfs root, then maybe fwtool's metadata:
# the squashfs must be whole. Its offset is where "hsqs" follows the uImage (64 + the header's
# data size, read with od); its size is unsquashfs -s's "Filesystem size" (the superblock's
# bytes_used); the cut file must fail naming both, the whole one verify.
be32() { od -An -tu4 --endian=big -j "$2" -N 4 "$1" | tr -d ' '; }
hsqs_after() { python3 -c 'import sys; print(open(sys.argv[1], "rb").read().find(b"hsqs", int(sys.argv[2])))' "$1" "$2"; }
fs_size() { unsquashfs -s -o "$2" "$1" 2> /dev/null | sed -n 's/^Filesystem size \([0-9]*\) bytes.*/\1/p'; }
# cut_rootfs NAME FILE: FILE whole verifies; cut 100 bytes inside its squashfs it fails with exit 1
cut_rootfs() {
	local name=$1 file=$2 sq used
	sq=$(hsqs_after "$file" $((64 + $(be32 "$file" 12))))
	used=$(fs_size "$file" "$sq")
	if [ "$sq" -le 0 ] || [ -z "$used" ]; then
		bad "$name: no squashfs after the uImage (hsqs at $sq, unsquashfs -s: '$used')"
		return
	fi
	expect "$name-whole-verifies" 0 '' "$FWKIT" image verify "$file"
	check "$name-rootfs-named" grep -q "^rootfs_offset: *0x$(printf '%x' "$sq")$" out.txt
	head -c $((sq + used - 100)) "$file" > "$name-cut.bin"
	expect "$name-cut-in-squashfs-fails" 1 \
		"offset 0x[0-9a-f]+: error: squashfs: the file system at 0x$(printf '%x' "$sq") runs past the end of the input.*: expected $used bytes, found $((used - 100)) bytes$" \
		"$FWKIT" image verify "$name-cut.bin"
	check "$name-cut-says-bad" grep -q '^Result: *BAD$' out.txt
}
if command -v mkimage > /dev/null && command -v unsquashfs > /dev/null; then
	# synthetic: a kernel uImage made by mkimage, then tests/data/squashfs/good/xz.sqsh
	head -c 70000 /dev/urandom > kernel.raw
	mkimage -A mips -O linux -T kernel -C none -a 0x80000000 -e 0x80000000 -n test -d kernel.raw ks.bin > /dev/null
	cat "$R" >> ks.bin
	check synthetic-bytes-used-as-od test "$(fs_size ks.bin 70064)" = "$(od -An -tu8 -j 40 -N 8 "$R" | tr -d ' ')"
	cut_rootfs synthetic-sysupgrade ks.bin
	# the whole squashfs followed by its padding is not cut: only bytes_used counts
	head -c $((70064 + $(fs_size ks.bin 70064))) ks.bin > exact.bin
	expect synthetic-squashfs-exact-end-verifies 0 '' "$FWKIT" image verify exact.bin
	REAL=${FWKIT_REAL_DATA:-/nonexistent}
	if [ -d "$REAL" ]; then
		cut_rootfs real-a5-v11 "$REAL/openwrt-a5-v11/firmware.bin"
		cut_rootfs real-r3gv2 "$REAL/openwrtinvasion/openwrt-ramips-mt7621-xiaomi_mir3g-v2-squashfs-sysupgrade.bin"
	else
		skip_part "real sysupgrade images cut in their squashfs: $REAL is absent"
	fi
else
	skip_part "sysupgrade cut in its squashfs: mkimage or unsquashfs is not installed"
fi

# ---- 7. real files -------------------------------------------------------------------------------
REAL=${FWKIT_REAL_DATA:-/nonexistent}
if [ -d "$REAL" ]; then
	expect real-ex2700-dni-verifies 0 '' "$FWKIT" image verify "$REAL/ex2700/openwrt-ramips-mt7620-ex2700-squashfs-factory.bin"
	check real-ex2700-is-dni grep -q '^Format: *netgear-dni$' out.txt
	expect real-a5-v11-poray-verifies 0 '' "$FWKIT" image verify "$REAL/openwrt-precompiled-a5-v11/19.07.7_firmware.bin"
	check real-a5-v11-is-poray grep -q '^Format: *poray$' out.txt
	found=0
	for f in $(find "$REAL" -type f ! -name '*.md'); do
		case $(head -c 4 "$f" | od -An -tx1 | tr -d ' ') in
		01000000 | 02000000 | 03000000 | 5ea3a417)
			expect "real-$(basename "$f")-verifies" 0 '' "$FWKIT" image verify "$f"
			found=1
			;;
		esac
	done
	[ $found = 1 ] || skip_part "no TP-Link or Seama file in $REAL (its PROVENANCE.md lists none)"
else
	skip_part "real files: $REAL is absent"
fi

done_testing
