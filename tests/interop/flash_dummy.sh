#!/bin/bash
# Interop: `fwkit flash` through libflashrom against flashrom's dummy programmer, which emulates
# the chips these routers use (flashrom(8), "dummy programmer"; lab.md 4): W25Q128FV (16 MiB),
# MX25L6436 (8 MiB) and SST25VF032B (4 MiB), with image=FILE holding the chip's bytes (written
# back when the programmer shuts down). No real hardware is touched.
#
#   probe: names and sizes of the three chips; several matches ask for -c; no chip says "check the
#          clip and pin 1"; an unknown programmer says it did not start
#   read:  two reads compared, equal to the chip; fwkit reads what the flashrom CLI wrote
#   write: a one-variable env edit touches exactly one erase block (cmp -l of the chip image, and
#          the erase/program commands the dummy logs); the flashrom CLI reads back what fwkit wrote;
#          a backup the chip does not hold is refused and nothing is written; bootloader blocks are
#          erased last; a chip that ignores page programs (spi_ignorelist=02) fails the verify; an
#          image of another size than the chip is refused; Ctrl-C between blocks leaves every block
#          old or new and says which; a stopped write run again finishes it
#   env set / mac set on the chip: a backup first, fw_printenv reads the new value from the chip
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
need flashrom python3 cmp fw_printenv
"$FWKIT" --version | grep -q '^flash: libflashrom' || skip "fwkit built without libflashrom (FWKIT_WITH_FLASHROM)"

W25="dummy:emulate=W25Q128FV,image=$PWD/chip.bin"
# blocks A B: the 64 KiB erase blocks in which files A and B differ, one per line
blocks() { cmp -l "$1" "$2" | awk '{ printf "0x%x\n", int(($1 - 1) / 65536) * 65536 }' | uniq; }
# erased LOG: the 64 KiB blocks of the erase (0x20, 0x52, 0xd8) and program (0x02) commands the dummy
# logged (libflashrom's spew level, `--log`), in order, one line per run of commands in one block
touched() {
	sed -nE 's/.*dummy_spi_send_command: writing [0-9]+ bytes: 0x(20|52|d8|02) 0x(..) 0x(..) 0x(..).*/\2\3\4/p' "$1" |
		while read -r a; do printf '0x%x\n' $((0x$a / 65536 * 65536)); done | uniq
}

# ---- OLD: a Xiaomi Mi Router 3G v2 / 4A Gigabit dump --------------------------------------------

XIAOMI_SYNTHETIC=1
. "$FWKIT_SOURCE_DIR/tests/xiaomi_dump.sh"
DEV=()
[ -r "$EEPROM" ] && [ -r "$FIRMWARE" ] || DEV=(--device xiaomi_mi-router-4a-gigabit)
cp old.bin new.bin
"$FWKIT" env set new.bin bootdelay=5 --in-place > /dev/null || exit 1

# ---- probe ------------------------------------------------------------------------------------

cp old.bin chip.bin
expect probe-w25q128 0 '' "$FWKIT" flash probe -p "$W25"
check probe-w25q128-name grep -q 'Winbond W25Q128.V (16777216 bytes' out.txt
ff $((8 * MiB)) > chip8.bin
ff $((4 * MiB)) > chip4.bin
expect probe-mx25l6436-several-match 2 'several flash chip definitions match: give the chip.s name with -c.*MX25L6405' \
	"$FWKIT" flash probe -p "dummy:emulate=MX25L6436,image=$PWD/chip8.bin"
expect probe-mx25l6436-with-c 0 '' "$FWKIT" flash probe -p "dummy:emulate=MX25L6436,image=$PWD/chip8.bin" -c MX25L6405D
check probe-mx25l6436-8mib grep -q '(8388608 bytes' out.txt
expect probe-sst25vf032b 0 '' "$FWKIT" flash probe -p "dummy:emulate=SST25VF032B,image=$PWD/chip4.bin" --json
check probe-sst25vf032b-json python3 -c 'import json; d=json.load(open("out.txt")); assert d["chip"]["size"] == 4194304 and d["chip"]["name"] == "SST25VF032B"'
expect probe-no-chip 4 'no EEPROM/flash device found: check the clip.*pin 1' "$FWKIT" flash probe -p dummy:bus=spi
expect probe-no-programmer 4 'programmer nosuchprogrammer did not start' "$FWKIT" flash probe -p nosuchprogrammer
expect probe-needs-p 2 'give the programmer with -p' "$FWKIT" flash probe

# ---- read -------------------------------------------------------------------------------------

expect read-two-agree 0 '' "$FWKIT" flash read -p "$W25" -o read.bin
check read-equals-chip cmp -s read.bin old.bin
check read-says-agree grep -q 'Reads: *2 reads, 0 unstable bytes.*the reads agree' out.txt
check read-inspects grep -qE '^Inspect: *[0-9]+ errors?' out.txt
check read-progress-json-lines grep -q '^{"progress":"read","done":16777216,"total":16777216' err.txt
expect read-majority-needs-3 2 'at least 3 with --majority' "$FWKIT" flash read -p "$W25" --majority -o m.bin
check read-majority-needs-3-nothing-written test ! -e m.bin
expect read-three-majority 0 '' "$FWKIT" flash read -p "$W25" --reads 3 --majority -o read3.bin
check read-three-equals-chip cmp -s read3.bin old.bin
# fwkit reads what the flashrom CLI wrote
ff $((16 * MiB)) > chip.bin
flashrom -p "$W25" -w old.bin > fr-w.log 2>&1
check flashrom-cli-wrote grep -q 'VERIFIED' fr-w.log
expect read-what-flashrom-wrote 0 '' "$FWKIT" flash read -p "$W25" -o read2.bin
check read-what-flashrom-wrote-equal cmp -s read2.bin old.bin
# a chip that reads all 0xFF twice (the emulated chip is erased): no contact or an empty chip, no
# backup (compare.blank); nothing is written
expect read-blank-chip 1 'both reads are all 0xFF: an erased chip, or the clip made no contact' \
	"$FWKIT" flash read -p "dummy:emulate=MX25L6436,image=$PWD/chip8.bin" -c MX25L6405D -o blank.bin
check read-blank-nothing-written test ! -e blank.bin
expect read-device-size-mismatch 1 'chip SST25VF032B: 4194304 bytes, but xiaomi_mi-router-3g-v2 has 16777216' \
	"$FWKIT" flash read -p "dummy:emulate=SST25VF032B,image=$PWD/chip4.bin" --device xiaomi_mi-router-3g-v2 -o x.bin

# ---- write: a one-variable env edit -----------------------------------------------------------

cp old.bin chip.bin
expect write-bootdelay 0 '' "$FWKIT" flash write -p "$W25" new.bin --backup old.bin "${DEV[@]}" --log w1.log
check write-bootdelay-chip-equals-new cmp -s chip.bin new.bin
check write-bootdelay-one-block test "$(blocks old.bin chip.bin)" = 0x30000
check write-bootdelay-dummy-touched-one-block test "$(touched w1.log | sort -u)" = 0x30000
check write-bootdelay-plan-says-one grep -q '^Plan: *1 erase block of 64 KiB differ' out.txt
flashrom -p "$W25" -r back.bin > fr-r.log 2>&1
check flashrom-cli-reads-what-fwkit-wrote cmp -s back.bin new.bin
printf '%s 0x30000 0x1000 0x10000\n' "$PWD/chip.bin" > fw_env.config
check fw_printenv-reads-bootdelay test "$(fw_printenv -c fw_env.config -n bootdelay 2> /dev/null)" = 5

# the same again: every block holds NEW already, nothing is erased
expect write-again-nothing-erased 0 '' "$FWKIT" flash write -p "$W25" new.bin --backup old.bin "${DEV[@]}" --log w2.log
check write-again-no-erase test -z "$(touched w2.log)"

# ---- write: a backup the chip does not hold -----------------------------------------------------

cp old.bin chip.bin
"$FWKIT" env set chip.bin bootdelay=9 --in-place > /dev/null
cp chip.bin chip.before
expect write-wrong-backup 1 'offset 0x30[0-9a-f]*: the chip does not hold the backup there.*nothing written' \
	"$FWKIT" flash write -p "$W25" new.bin --backup old.bin "${DEV[@]}" --log w3.log
check write-wrong-backup-chip-unchanged cmp -s chip.bin chip.before
check write-wrong-backup-no-erase test -z "$(touched w3.log)"

# ---- write: bootloader blocks last --------------------------------------------------------------

cp new.bin boot.bin
python3 -c '
b = bytearray(open("boot.bin", "rb").read())
b[0x2ffff] ^= 0xFF        # a byte of the bootloader partition (0..0x2ffff)
b[0x1000000 - 1] ^= 0xFF  # and one in the last block of the firmware partition
open("boot.bin", "wb").write(b)'
cp old.bin chip.bin
expect write-bootloader 0 '' "$FWKIT" flash write -p "$W25" boot.bin --backup old.bin "${DEV[@]}" --log w4.log
check write-bootloader-chip-equals cmp -s chip.bin boot.bin
check write-bootloader-says-last grep -q '^Bootloader: *changes (1 block): written last' out.txt
check write-bootloader-erased-last test "$(touched w4.log | tr '\n' ' ')" = "0x30000 0xff0000 0x20000 "

# ---- write: verify failure, size mismatch, dry run, --full ----------------------------------------

cp old.bin chip.bin
expect write-verify-fails 1 'offset 0x30[0-9a-f]*: verify failed: the block reads back different' \
	"$FWKIT" flash write -p "dummy:emulate=W25Q128FV,spi_ignorelist=02,image=$PWD/chip.bin" new.bin --backup old.bin "${DEV[@]}"
check write-verify-fails-reports-bad grep -q '0x030000..0x03ffff bad' err.txt
expect write-chip-size-mismatch 1 'chip SST25VF032B: 4194304 bytes, but new.bin has 16777216' \
	"$FWKIT" flash write -p "dummy:emulate=SST25VF032B,image=$PWD/chip4.bin" new.bin --backup old.bin "${DEV[@]}"
cp old.bin chip.bin
expect write-dry-run 0 '' "$FWKIT" flash write -p "$W25" new.bin --backup old.bin "${DEV[@]}" --dry-run
check write-dry-run-chip-unchanged cmp -s chip.bin old.bin
check write-dry-run-says grep -q 'the chip holds the backup in those blocks; nothing written' out.txt
expect write-full-verify 0 '' "$FWKIT" flash write -p "$W25" new.bin --backup old.bin "${DEV[@]}" --full
check write-full-verify-says grep -q 'the whole chip verified' out.txt
expect write-image-too-small 1 'env.bin: 4096 bytes: expected 16777216' "$FWKIT" flash write -p "$W25" env.bin --backup old.bin "${DEV[@]}"
# a firmware image padded to the chip's size is still no flash dump
{ cat "$FWKIT_TEST_DATA/uimage/good/a5-v11-19.07.7-sysupgrade.bin"; ff $((16 * MiB)); } | head -c $((16 * MiB)) > image16.bin
expect write-image-not-a-dump 1 'will-brick: kind: this is a sysupgrade image; flashrom takes flash-image' "$FWKIT" flash write -p "$W25" image16.bin --backup old.bin "${DEV[@]}"

# ---- write: Ctrl-C between blocks ---------------------------------------------------------------

python3 -c '
import random
b = bytearray(open("old.bin", "rb").read())
b[0x80000:0x180000] = random.Random(3).randbytes(0x100000)   # 16 blocks of the overlay partition
open("many.bin", "wb").write(b)'
cp old.bin chip.bin
rm -f prog.fifo
mkfifo prog.fifo
# a slow emulated chip (1-byte page writes: about 0.3 s a block), stopped at the first block written
"$FWKIT" flash write -p "dummy:emulate=W25Q128FV,spi_write_256_chunksize=1,image=$PWD/chip.bin" many.bin --backup old.bin \
	"${DEV[@]}" > int.out 2> prog.fifo &
pid=$!
sent=0
while IFS= read -r line; do
	echo "$line" >> int.err
	case $line in *'"progress":"write"'*) [ $sent = 0 ] && kill -INT $pid && sent=1 ;; esac
done < prog.fifo
wait $pid
rc=$?
check interrupt-exit-4 test $rc = 4
check interrupt-says-cancelled grep -q 'cancelled between blocks' int.err
check interrupt-report grep -qE 'stopped: [0-9]+ blocks? new \(verified\), [0-9]+ old \(untouched\), 0 interrupted, 0 bad' int.err
# every block of the chip is the old or the new one, as the report says
check interrupt-blocks-old-or-new python3 -c '
import re
chip, old, new = (open(f, "rb").read() for f in ("chip.bin", "old.bin", "many.bin"))
said = {int(m.group(1), 16): m.group(2) for m in re.finditer(r"0x([0-9a-f]{6})\.\.0x[0-9a-f]{6} (\w+)", open("int.err").read())}
n_new = 0
for off in range(0x80000, 0x180000, 0x10000):
    blk = chip[off:off + 0x10000]
    assert blk in (old[off:off + 0x10000], new[off:off + 0x10000]), hex(off)
    is_new = blk == new[off:off + 0x10000]
    n_new += is_new
    assert said.get(off, "old") == ("new" if is_new else "old"), hex(off)
assert 0 < n_new < 16, n_new
assert chip[:0x80000] == old[:0x80000] and chip[0x180000:] == old[0x180000:]'
expect interrupt-resume 0 '' "$FWKIT" flash write -p "$W25" many.bin --backup old.bin "${DEV[@]}"
check interrupt-resume-chip-equals cmp -s chip.bin many.bin

# ---- env set / mac set on the chip --------------------------------------------------------------

cp old.bin chip.bin
expect env-set-on-chip 0 '' "$FWKIT" flash env set -p "$W25" --backup-to bk.bin "${DEV[@]}" bootdelay=7
check env-set-backup-is-old cmp -s bk.bin old.bin
check env-set-one-block test "$(blocks old.bin chip.bin)" = 0x30000
check env-set-fw_printenv test "$(fw_printenv -c fw_env.config -n bootdelay 2> /dev/null)" = 7
expect env-set-needs-backup 2 'give --backup-to FILE' "$FWKIT" flash env set -p "$W25" bootdelay=8
cp old.bin chip.bin
expect mac-set-on-chip 0 '' "$FWKIT" flash mac set -p "$W25" --label 02:00:00:00:10:00 --backup-to bk2.bin "${DEV[@]}"
check mac-set-backup-is-old cmp -s bk2.bin old.bin
check mac-set-one-block test "$(blocks old.bin chip.bin)" = 0x50000
# the label MAC is WAN's (factory 0xe006; OpenWrt's label-mac-device = &wan, formats.md 3.2), LAN one below
check mac-set-wan-mac test "$(od -An -tx1 -j $((0x5e006)) -N 6 chip.bin | tr -d ' \n')" = 020000001000
check mac-set-lan-mac test "$(od -An -tx1 -j $((0x5e000)) -N 6 chip.bin | tr -d ' \n')" = 020000000fff

done_testing
