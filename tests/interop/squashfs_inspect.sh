#!/bin/bash
# What fwkit inspect says about a firmware's squashfs root file system (offset, compression,
# block size, bytes used) against squashfs-tools' own reading (unsquashfs -s, and unsquashfs -l
# to validate the whole file system at the offset fwkit reports), on a real OpenWrt image and on
# file systems made here by mksquashfs.
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
need unsquashfs mksquashfs mkimage xz python3

# fwkit's squashfs facts for DUMP: "OFFSET COMP BLOCK USED" from inspect --json
fwkit_fs() {
	"$FWKIT" inspect "$1" --device unbranded_a5-v11 --json > fs.json
	python3 - "$FWKIT_SOURCE_DIR/tests" << 'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
from inspect_tree import f, kid, part
j = json.load(open("fs.json"))
sq = kid(part(j, "firmware"), "squashfs")
print(sq["offset"], f(sq, "compression"), f(sq, "block_size"), f(sq, "bytes_used")) if sq else print("none")
PY
}
# unsquashfs's facts for a file system image: "COMP BLOCK USED"
tool_fs() {
	unsquashfs -s "$1" > us.txt 2>&1 || { echo "unsquashfs-failed"; return; }
	local comp block used
	comp=$(sed -n 's/^Compression //p' us.txt)
	block=$(sed -n 's/^Block size //p' us.txt)
	used=$(sed -n 's/^Filesystem size \([0-9]*\) bytes.*/\1/p' us.txt)
	echo "$comp $block $used"
}
# compare NAME DUMP: fwkit's offset, then the file system cut from the dump there, read by the tool
compare() {
	local name=$1 dump=$2 f off rest
	f=$(fwkit_fs "$dump")
	if [ "$f" = none ]; then bad "$name: fwkit found no squashfs"; return; fi
	off=${f%% *}
	rest=${f#* }
	tail -c +$((off + 1)) "$dump" > cut.sqfs
	check "$name: unsquashfs -s on the file system at fwkit's offset $off agrees ($rest)" test "$(tool_fs cut.sqfs)" = "$rest"
	check "$name: unsquashfs -l validates the whole file system at that offset" list_ok cut.sqfs
}
list_ok() { unsquashfs -l -no-progress "$1" > /dev/null 2>&1; }
blank4m() { head -c 4194304 /dev/zero | tr '\0' '\377' > "$1"; }

# 1. a real OpenWrt 19.07.7 image for the A5-V11 (bundled), at the firmware partition of a 4 MiB dump
blank4m real.bin
dd if="$FWKIT_TEST_DATA/uimage/good/a5-v11-19.07.7-sysupgrade.bin" of=real.bin bs=64k seek=5 conv=notrunc status=none
compare real-a5v11 real.bin

# 2. file systems made here, right after a kernel uImage (as a sysupgrade image lays them out)
export SOURCE_DATE_EPOCH=1700000000
mkdir -p root/etc root/bin
echo hello > root/etc/banner
head -c 300000 /dev/urandom > root/bin/blob
head -c 100000 /dev/urandom | xz --format=lzma -c > k.lzma
mkimage -A mips -O linux -T kernel -C lzma -a 80000000 -n kernel -d k.lzma k.img > /dev/null
for spec in "xz 262144" "gzip 131072" "xz 1048576"; do
	set -- $spec
	rm -f fs.sqfs
	mksquashfs root fs.sqfs -comp "$1" -b "$2" -noappend -all-root -no-progress -quiet > /dev/null 2>&1
	blank4m made.bin
	cat k.img fs.sqfs > fw.bin
	dd if=fw.bin of=made.bin bs=64k seek=5 conv=notrunc status=none
	compare "mksquashfs -comp $1 -b $2" made.bin
	# and the offset is exactly where the kernel ends
	f=$(fwkit_fs made.bin)
	check "mksquashfs -comp $1 -b $2: offset = firmware + uImage size" test "${f%% *}" = $((0x50000 + $(stat -c %s k.img)))
done
done_testing
