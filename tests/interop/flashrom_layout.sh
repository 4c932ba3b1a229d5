#!/bin/bash
# Interop: `fwkit layout` files used by a real flashrom (dummy programmer emulating a 16 MiB
# W25Q128FV, formats.md 7; lab.md 4). The emulated chip holds the original Xiaomi dump (OLD: built
# from real parts as in tests/cli/inspect.sh, or a synthetic 16 MiB Xiaomi dump without them).
# NEW = OLD after `fwkit mac set --label` and `fwkit env set`. Then:
#
#   1. flashrom -l <fwkit layout NEW> -i factory -i u-boot-env -w NEW     -> the chip equals NEW
#   2. flashrom -l <fwkit layout NEW --changed-against OLD> -i (all) -w NEW -> the chip equals NEW,
#      using the command fwkit prints for it
#   3. the same onto a chip whose bytes outside the printed regions differ from both OLD and NEW:
#      inside the regions the chip equals NEW, outside not one byte changed
#
# About 2 s per flashrom write. On a failure the '#' lines say how to reproduce it.
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
need flashrom python3 cmp
start=$(date +%s)

REAL=${FWKIT_REAL_DATA:-/nonexistent}
MiB=1048576
note() { echo "#     $*"; }
fw() { "$FWKIT" "$@"; }
ff() { head -c "$1" /dev/zero | tr '\0' '\377'; }
put() { dd if="$3" of="$1" bs=64k seek="$(($2))" oflag=seek_bytes conv=notrunc status=none; }
# flash NAME CHIP LAYOUT -i ...: flashrom -w NEW onto the emulated chip CHIP through LAYOUT
flash() {
	local n=$1 chip=$2 layout=$3
	shift 3
	flashrom -p "dummy:emulate=W25Q128FV,image=$PWD/$chip" -l "$layout" "$@" -w new.bin > "$n.log" 2>&1
	local rc=$?
	if [ $rc != 0 ]; then
		bad "$n: flashrom exit $rc: $(grep -iE 'error|fail' "$n.log" | head -3 | tr '\n' ' ')"
		note "flashrom -p dummy:emulate=W25Q128FV,image=$PWD/$chip -l $layout $* -w new.bin"
		return 1
	fi
	ok "$n: flashrom exit 0"
	check "$n: flashrom verified" grep -q 'VERIFIED' "$n.log"
}

# ---- OLD: the Xiaomi dump (formats.md 3.2) ----------------------------------------------------------

XIAOMI_SYNTHETIC=1
. "$FWKIT_SOURCE_DIR/tests/xiaomi_dump.sh"

# ---- NEW: mac set + env set on a copy -------------------------------------------------------------

cp old.bin new.bin
fw mac set new.bin --label 02:00:00:00:10:00 --in-place > mac.out 2>&1
check mac-set-exit-0 test $? = 0
fw env set new.bin bootdelay=3 boot_wait=on --in-place > env.out 2>&1
check env-set-exit-0 test $? = 0
check new-keeps-size test "$(stat -c %s new.bin)" = $((16 * MiB))

fw layout new.bin > layout.txt 2> layout.err
check layout-exit-0 test $? = 0
check layout-has-factory grep -qx '00050000:0005ffff factory' layout.txt
check layout-has-env grep -qx '00030000:0003ffff u-boot-env' layout.txt

# ---- 1. the full layout, -i factory -i u-boot-env ---------------------------------------------------

cp old.bin chip1.bin
if flash write-factory-env chip1.bin layout.txt -i factory -i u-boot-env; then
	check write-factory-env-regions grep -qE 'Using regions?: .*"u-boot-env"' write-factory-env.log
	check write-factory-env-chip-equals-new cmp -s chip1.bin new.bin
fi

# ---- 2. only the erase blocks that changed, with the command fwkit prints ---------------------------

fw layout new.bin --changed-against old.bin > changed.txt 2> changed.err
check changed-exit-0 test $? = 0
check changed-has-regions test -s changed.txt
echo "#     fwkit layout new.bin --changed-against old.bin:"
sed 's/^/#       /' changed.txt
# every region is whole 64 KiB erase blocks inside the partition it is named after
check changed-regions-are-erase-blocks python3 -c '
import sys
parts = {}
for l in open("layout.txt"):
    se, n = l.split(); s, e = (int(x, 16) for x in se.split(":")); parts[n] = (s, e)
for l in open("changed.txt"):
    se, n = l.split(); s, e = (int(x, 16) for x in se.split(":"))
    base = n.rsplit("_", 1)[0] if n not in parts else n
    ps, pe = parts[base]
    assert s % 0x10000 == 0 and (e + 1) % 0x10000 == 0 and ps <= s <= e <= pe, l
'
# the printed command: flashrom -p PROGRAMMER -l LAYOUT -i A -i B ... -w new.bin
cmdline=$(sed -n 's/^fwkit: write only what changed: //p' changed.err)
check changed-prints-command grep -qE '^flashrom -p PROGRAMMER -l LAYOUT( -i [^ ]+)+ -w new\.bin$' <<< "$cmdline"
read -r -a includes <<< "$(grep -oE -- '-i [^ ]+' <<< "$cmdline" | tr '\n' ' ')"
check changed-command-includes-every-region test "$(grep -oE -- '-i [^ ]+' <<< "$cmdline" | cut -c4- | sort | tr '\n' ' ')" \
	= "$(awk '{ print $2 }' changed.txt | sort | tr '\n' ' ')"
cp old.bin chip2.bin
if flash write-changed chip2.bin changed.txt "${includes[@]}"; then
	check write-changed-chip-equals-new cmp -s chip2.bin new.bin
fi

# ---- 3. nothing outside the printed regions is touched ----------------------------------------------

# the chip: OLD inverted outside the regions (so it differs from OLD and NEW there), OLD inside
python3 -c '
regions = []
for l in open("changed.txt"):
    s, e = (int(x, 16) for x in l.split()[0].split(":")); regions.append((s, e + 1))
old = open("old.bin", "rb").read()
inv = bytearray(old.translate(bytes(255 - i for i in range(256))))
for s, e in regions:
    inv[s:e] = old[s:e]
open("chip3.bin", "wb").write(inv)'
cp chip3.bin chip3.before
if flash write-changed-only chip3.bin changed.txt "${includes[@]}"; then
	python3 -c '
import sys
regions = []
for l in open("changed.txt"):
    s, e = (int(x, 16) for x in l.split()[0].split(":")); regions.append((s, e + 1))
chip, before, new = (open(f, "rb").read() for f in ("chip3.bin", "chip3.before", "new.bin"))
bad = 0
if len(chip) != len(new):
    print("#     chip3.bin has %d bytes" % len(chip)); sys.exit(1)
for s, e in regions:
    if chip[s:e] != new[s:e]:
        print("#     region 0x%x..0x%x does not equal new.bin" % (s, e - 1)); bad = 1
pos = 0
for s, e in sorted(regions) + [(len(chip), len(chip))]:
    if chip[pos:s] != before[pos:s]:
        d = next(i for i in range(pos, s) if chip[i] != before[i])
        print("#     outside the regions, 0x%x changed" % d); bad = 1
    pos = e
sys.exit(bad)'
	check write-changed-only-touches-regions test $? = 0
fi

echo "# $(($(date +%s) - start)) s"
done_testing
