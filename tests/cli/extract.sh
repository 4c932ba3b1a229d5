#!/bin/bash
# fwkit extract against outside tools:
#  1. --part firmware of a 16 MiB dump built here (ff fill, the R4A Gigabit U-Boot at 0, the A5-V11
#     sysupgrade at 0x180000, the 4A Gigabit's layout: firmware 0x180000..0x1000000) equals dd
#     of that range, with the device identified and with --device;
#  2. --node of the uImage's LZMA stream equals dumpimage's payload decoded by python's lzma
#     (both by offset and by format name, in the image and in the dump);
#  3. --all -C on the sysupgrade image: the kernel's decoded bytes equal python's lzma.decompress,
#     --deep finds the DTB inside it (dtc reads it), and with --fs the file list equals
#     `unsquashfs -l` and every regular file equals what unsquashfs extracts (sha256);
#  4. the same on tests/data/squashfs/good/*.sqsh;
#  5. refusals with nothing written (cmp, ls): DIR not empty, DIR a symlink, -o a symlink, an
#     unknown partition, a dump of the wrong size;
#  6. a hostile squashfs (mksquashfs: a symlink to /etc/passwd, a symlink to .., a folder symlink
#     and a file inside it, names with control bytes and a backslash) writes nothing outside DIR and
#     creates no symlink.
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
need python3 unsquashfs mksquashfs dumpimage sha256sum dtc
D=$FWKIT_TEST_DATA
IMG=$D/uimage/good/a5-v11-19.07.7-sysupgrade.bin
BOOT=$D/bootloader/xiaomi-r4a-gigabit-uboot3.bin

# ---- 1. --part ---------------------------------------------------------------------------------
python3 - "$BOOT" "$IMG" <<'EOF'
import sys
d = bytearray(b'\xff' * 0x1000000)
boot = open(sys.argv[1], 'rb').read()
img = open(sys.argv[2], 'rb').read()
d[0:len(boot)] = boot
d[0x180000:0x180000 + len(img)] = img
open('dump.bin', 'wb').write(d)
open('small.bin', 'wb').write(d[:0x800000])
EOF
dd if=dump.bin of=fw.dd bs=64k skip=$((0x180000 / 0x10000)) count=$(((0x1000000 - 0x180000) / 0x10000)) status=none
check "part: firmware (device identified) exits 0" "$FWKIT" extract dump.bin --part firmware -o fw.bin
check "part: firmware equals dd 0x180000..0x1000000" cmp fw.bin fw.dd
check "part: firmware with --device" "$FWKIT" extract dump.bin --part firmware --device xiaomi_mi-router-3g-v2 -o fw2.bin
check "part: --device result equals dd" cmp fw2.bin fw.dd
dd if=dump.bin of=boot.dd bs=64k count=3 status=none
check "part: u-boot equals dd 0..0x30000" bash -c '"$FWKIT" extract dump.bin --part u-boot -o boot.bin && cmp boot.bin boot.dd'
"$FWKIT" extract dump.bin --part firmware --json -o fw3.bin > part.json
check "part: --json names the device and the range" python3 -c '
import json; j = json.load(open("part.json"))
assert j["offset"] == 0x180000 and j["size"] == 0x1000000 - 0x180000, j
# the 4A Gigabit: its stock U-Boot at 0 carries model=R4A (docs/identification.md); the 3G v2 has
# the same map, so the range is the same
assert j["fields"]["device"] == "xiaomi_mi-router-4a-gigabit" and j["fields"]["bytes"] == j["size"], j'

# ---- 2. --node ---------------------------------------------------------------------------------
head -c 1347726 "$IMG" > uimage.dd # the header's 64 bytes + data_size (mkimage -l)
dumpimage -T kernel -p 0 -o payload.lzma uimage.dd > /dev/null
python3 -c 'import lzma, sys; open("kernel.py", "wb").write(lzma.decompress(open("payload.lzma", "rb").read(), format=lzma.FORMAT_ALONE))'
check "node: 0x0 (the uImage) equals its bytes" bash -c '"$FWKIT" extract "$0" --node 0x0 -o uimage.bin && cmp uimage.bin uimage.dd' "$IMG"
check "node: 0x0/0x40 equals dumpimage's payload decoded by python lzma" bash -c '"$FWKIT" extract "$0" --node 0x0/0x40 -o k1.bin && cmp k1.bin kernel.py' "$IMG"
check "node: 0x0/lzma the same" bash -c '"$FWKIT" extract "$0" --node 0x0/lzma -o k2.bin && cmp k2.bin kernel.py' "$IMG"
check "node: in the dump, 0x180000/lzma the same" bash -c '"$FWKIT" extract dump.bin --node 0x180000/lzma -o k3.bin && cmp k3.bin kernel.py'
python3 -c '
d = open("kernel.py", "rb").read(); i = d.find(b"\xd0\x0d\xfe\xed")
n = int.from_bytes(d[i + 4:i + 8], "big"); open("dtb.py", "wb").write(d[i:i + n]); print(hex(i))' > dtb.off
check "node: the DTB inside the decoded kernel (0x0/lzma/$(cat dtb.off)) equals python's slice" \
	bash -c '"$FWKIT" extract "$0" --node 0x0/lzma/$(cat dtb.off) -o dtb.bin && cmp dtb.bin dtb.py' "$IMG"
check "node: the squashfs equals unsquashfs -s's extent" bash -c '"$FWKIT" extract "$0" --node squashfs -o fs.sqsh && cmp fs.sqsh <(tail -c +$((0x14908e + 1)) "$0" | head -c 2089830)' "$IMG"
"$FWKIT" extract "$IMG" --node 0x1234 -o nonode.bin 2> nonode.err
check "node: no such node exits 3" test $? = 3
check "node: ... says what is there" grep -q "expected one of 0x0 (uimage), 0x14908e (squashfs)" nonode.err
check "node: ... writes nothing" test ! -e nonode.bin

# ---- 3. --all on the sysupgrade image ----------------------------------------------------------------
"$FWKIT" extract "$IMG" --all -C out --deep --fs > all.txt
check "all: exits 0" test $? = 0
K=out/0x00000000.uimage/0x00000040.lzma
check "all: the uImage's bytes" cmp out/0x00000000.uimage/data.bin uimage.bin
check "all: the kernel decoded equals python's lzma.decompress" cmp $K/decoded.bin kernel.py
check "all: --deep: the DTB in the decoded kernel, which dtc reads" bash -c "cmp $K/$(printf '0x%08x' "$(cat dtb.off)").fdt/data.bin dtb.py && dtc -I dtb -O dts $K/$(printf '0x%08x' "$(cat dtb.off)").fdt/data.bin > /dev/null 2>&1"
SQ=out/0x0014908e.squashfs
check "all: the squashfs's bytes" cmp $SQ/data.bin fs.sqsh
cut -f2 $SQ/fs.list | sort > fwkit.list
unsquashfs -l fs.sqsh | sed -n 's|^squashfs-root||p' | grep . | sort > unsquashfs.list
check "all: --fs: fs.list has unsquashfs -l's $(wc -l < unsquashfs.list) entries, the same paths" diff fwkit.list unsquashfs.list
unsquashfs -q -d ref fs.sqsh > /dev/null 2>&1
(cd ref && find . -type f -exec sha256sum {} + | sort -k2) > ref.sums
(cd $SQ/fs && find . -type f -exec sha256sum {} + | sort -k2) > fwkit.sums
check "all: --fs: the $(wc -l < ref.sums) regular files equal unsquashfs's" diff ref.sums fwkit.sums
check "all: --fs: the same folders" diff <(cd ref && find . -type d | sort) <(cd $SQ/fs && find . -type d | sort)
check "all: no symlink, device or fifo created" test -z "$(find out ! -type f ! -type d)"
check "all: the symlinks are listed with their target" grep -qxF "$(printf 'l\t/bin/sh\t-> busybox')" $SQ/fs.list
# the summary counts what is on disk (the node files and the file system's regular files)
check "all: the summary line" grep -q "^wrote $(find out -type f | wc -l) files .* 193 symlinks listed, 1 entries skipped" all.txt
"$FWKIT" extract "$IMG" --all -C dry --fs --dry-run --json > dry.json
check "all: --dry-run writes nothing and lists the same files" bash -c '
test ! -e dry && python3 -c "
import json, sys; j = json.load(open(\"dry.json\"))
print(\"\n\".join(sorted(c[\"fields\"][\"path\"] for c in j[\"children\"])))" > dry.paths &&
(cd out && find . -type f | sed "s|^\./||" | sort) | grep -v "0x000000.*lzma/0x" | diff - dry.paths'

# ---- 4. the squashfs fixtures ------------------------------------------------------------------
for f in "$D"/squashfs/good/*.sqsh; do
	n=$(basename "$f" .sqsh)
	"$FWKIT" extract "$f" --all -C "fx-$n" --fs > /dev/null
	cut -f2 "fx-$n"/0x00000000.squashfs/fs.list | sort > "fx-$n.list"
	unsquashfs -l "$f" | sed -n 's|^squashfs-root||p' | grep . | sort > "ux-$n.list"
	check "fixture $n: the file list equals unsquashfs -l ($(wc -l < "ux-$n.list") entries)" diff "fx-$n.list" "ux-$n.list"
	unsquashfs -q -d "ref-$n" "$f" > /dev/null 2>&1
	check "fixture $n: the files equal unsquashfs's" diff -r "ref-$n" "fx-$n/0x00000000.squashfs/fs"
	check "fixture $n: scan counts the files as unsquashfs -l does" bash -c '
"$FWKIT" scan --deep --json "$0" | python3 -c "
import json, sys; f = json.load(sys.stdin)[\"children\"][0][\"fields\"]
print(f[\"files\"] + f[\"dirs\"] + f[\"symlinks\"] + f[\"other_entries\"])" | grep -qx "$(wc -l < "$1")"' "$f" "ux-$n.list"
done

# ---- 5. refusals ---------------------------------------------------------------------------------
mkdir full && echo keep > full/keep
"$FWKIT" extract "$IMG" --all -C full 2> full.err
check "refuse: DIR not empty exits 2" test $? = 2
check "refuse: ... says so" grep -q "expected an empty folder or no file, found a folder holding 'keep'" full.err
check "refuse: ... DIR unchanged" test "$(ls -A full)" = keep
mkdir realdir && ln -s realdir linkdir
"$FWKIT" extract "$IMG" --all -C linkdir 2> link.err
check "refuse: DIR a symlink exits 2" test $? = 2
check "refuse: ... found a symbolic link" grep -q "found a symbolic link" link.err
"$FWKIT" extract "$IMG" --all -C linkdir/ 2> /dev/null
check "refuse: DIR/ (trailing slash) a symlink, too" test $? = 2
check "refuse: ... nothing written through it" test -z "$(ls -A realdir)"
echo original > victim && ln -s victim out.lnk
"$FWKIT" extract dump.bin --part firmware -o out.lnk 2> lnk.err
check "refuse: -o a symlink exits 2" test $? = 2
check "refuse: ... the target unchanged" bash -c 'test "$(cat victim)" = original && test -L out.lnk'
"$FWKIT" extract dump.bin --part firmwarex -o wrong.bin 2> part.err
check "refuse: unknown partition exits 3" test $? = 3
check "refuse: ... expected the partitions, found the name" grep -q "expected one of u-boot, u-boot-env, Bdata, factory, crash, cfg_bak, overlay, firmware.*found firmwarex" part.err
check "refuse: ... nothing written" test ! -e wrong.bin
"$FWKIT" extract small.bin --part firmware --device xiaomi_mi-router-3g-v2 -o small.out 2> size.err
check "refuse: dump of the wrong size exits 1" test $? = 1
check "refuse: ... expected 0x1000000, found 0x800000" grep -q "expected 0x1000000 bytes (the flash of xiaomi_mi-router-3g-v2), found 0x800000 bytes" size.err
check "refuse: ... nothing written" test ! -e small.out
"$FWKIT" extract small.bin --part firmware -o small.out 2> /dev/null
check "refuse: an 8 MiB file that is no known dump, device not given, exits 1" test $? = 1
check "refuse: ... nothing written" test ! -e small.out

# ---- 6. a hostile squashfs ---------------------------------------------------------------------
mkdir -p hostile/d && echo secret > hostile/d/file
ln -s /etc/passwd hostile/passwd
ln -s .. hostile/up
ln -s /tmp hostile/tmpdir
printf 'x' > "hostile/$(printf 'ctl\001\002name')"
printf 'y' > 'hostile/back\slash'
printf 'z' > hostile/..dots
mksquashfs hostile hostile.sqsh -quiet -noappend -comp gzip > /dev/null
cp /etc/passwd passwd.before
mkdir jail
"$FWKIT" extract hostile.sqsh --all -C jail/x --fs > hostile.txt
check "hostile: exits 0" test $? = 0
check "hostile: no symlink created" test -z "$(find jail -type l)"
check "hostile: only files and folders inside DIR" test -z "$(find jail ! -type f ! -type d)"
check "hostile: /etc/passwd untouched" cmp /etc/passwd passwd.before
check "hostile: nothing next to DIR" test "$(ls -A jail)" = x
H=jail/x/0x00000000.squashfs
check "hostile: the passwd symlink listed, not followed" grep -qxF "$(printf 'l\t/passwd\t-> /etc/passwd')" $H/fs.list
check "hostile: the .. symlink listed" grep -qxF "$(printf 'l\t/up\t-> ..')" $H/fs.list
check "hostile: control bytes escaped in the name" test -f "$H/fs/ctl\\x01\\x02name"
check "hostile: a backslash escaped" test -f "$H/fs/back\\x5cslash"
check "hostile: ..dots kept as a plain name" test -f "$H/fs/..dots"
check "hostile: d/file extracted" grep -qx secret $H/fs/d/file
check "hostile: the list has unsquashfs -l's entries" test "$(wc -l < $H/fs.list)" = "$(unsquashfs -l hostile.sqsh | sed -n 's|^squashfs-root/||p' | wc -l)"

# names mksquashfs refuses, patched into an uncompressed image: "zz" -> "..", "a_b" -> "a/b"
# (unsquashfs stops at them: "invalid characters in name"; libsquashfs reads them)
mkdir -p h2/zz && echo inner > h2/zz/file && echo slash > h2/a_b
mksquashfs h2 h2.sqsh -quiet -noappend -comp gzip -noI -noD -noF -noX > /dev/null
python3 -c '
d = bytearray(open("h2.sqsh", "rb").read())
for a, b in ((b"zz", b".."), (b"a_b", b"a/b")):
    assert d.count(a) == 1, a
    i = d.find(a); d[i:i + len(a)] = b
open("dotdot.sqsh", "wb").write(d)'
mkdir jail2
"$FWKIT" extract dotdot.sqsh --all -C jail2/x --fs > /dev/null
check "hostile ..: exits 0" test $? = 0
H=jail2/x/0x00000000.squashfs
check "hostile ..: nothing beside DIR" test "$(ls -A jail2)" = x
check "hostile ..: nothing beside fs/" test "$(ls -A $H | tr '\n' ' ')" = "data.bin fs fs.list "
check "hostile ..: the folder .. became \\x2e. inside fs/" grep -qx inner "$H/fs/\\x2e./file"
check "hostile ..: a/b became one file a\\x2fb" grep -qx slash "$H/fs/a\\x2fb"
check "hostile ..: listed escaped" grep -qxF "$(printf 'd\t/')\\x2e." "$H/fs.list"

done_testing
