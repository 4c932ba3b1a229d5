#!/bin/bash
# Interop: uImages made by `fwkit uimage create` against real U-Boot (Debian u-boot-qemu,
# maltael) under qemu-system-mipsel -M malta: byte-identical to mkimage, accepted by iminfo,
# booted by bootm (none and gzip), and damaged copies rejected by U-Boot and by
# `fwkit uimage verify` alike.
#
# Recipe and pitfalls: ../shared/reference/lab.md sections 1, 2 and 7. The guest's only network
# is QEMU's user network with restrict=on and its built-in TFTP server on 10.0.2.2; ub.exp builds
# that network itself and refuses any other address.
. "$FWKIT_SOURCE_DIR/tests/lib.sh"

UBOOT=/usr/lib/u-boot/maltael/u-boot.bin
UBEXP=$FWKIT_SOURCE_DIR/tests/interop/ub.exp
need qemu-system-mipsel expect mkenvimage mkimage objcopy python3 gzip cmp od timeout
[ -r "$UBOOT" ] || skip "$UBOOT missing (package u-boot-qemu)"

ADDR=0x81000000 # download buffer (loadaddr); the payload itself loads and runs at 0x80100000
IMGARGS=(-A mips -O linux -T kernel -a 0x80100000 -e 0x80100000 -n "fwkit payload")
export SOURCE_DATE_EPOCH=1700000000
mkdir tftproot

# has NAME LINE FILE: passes when FILE holds LINE as a whole line
has() { if grep -qxF -- "$2" "$3"; then ok "$1"; else bad "$1 (no line '$2' in $FWKIT_SCRATCH/$3)"; fi; }
# in_order NAME FIRST SECOND FILE: passes when a line SECOND follows a line FIRST in FILE
in_order() {
	if awk -v a="$2" -v b="$3" '$0 == a { s = 1 } s && $0 == b { f = 1 } END { exit !f }' "$4"; then
		ok "$1"
	else
		bad "$1 (no line '$3' after '$2' in $FWKIT_SCRATCH/$4)"
	fi
}
# flip FILE OFFSET MASK: XOR the byte at OFFSET with MASK, in place
flip() {
	local b
	b=$(od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' \n')
	printf '%b' "\\0$(printf %03o $((b ^ $3)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# ub LOG TFTP-CMD...: boot U-Boot, run the commands, keep the transcript without CRs in LOG and
# each command's own output in LOG.N (N = 1, 2, ...); returns ub.exp's exit status
ub() {
	local log=$1 rc
	shift
	timeout 120 expect -f "$UBEXP" flash.bin "$PWD/tftproot" "$@" > "$log.raw" 2>&1
	rc=$?
	tr -d '\r' < "$log.raw" > "$log"
	awk -v out="$log" '/^UBEXP-CMD: / { n++ } n { print > (out "." n) }' "$log"
	return $rc
}
# tftp_then CMD FILE: one U-Boot command line that runs CMD only when FILE downloaded
tftp_then() { echo "if tftpboot $ADDR $2; then $1; echo rc=\$?; else echo tftp-failed; fi"; }

# --- the payload: print PAYLOAD-RAN on the malta UART (0xB80003F8), then reset the board by
# writing 0x42 to SOFTRES (0xBF000500); with -no-reboot QEMU then exits. 152 bytes of MIPS code.
python3 - << 'EOF'
import struct
ins = [0x3c08b800, 0x350803f8]                       # lui/ori t0 = 0xb80003f8
for c in b'\r\nPAYLOAD-RAN\r\n':
    ins += [0x24090000 | c, 0xa1090000]              # li t1,c ; sb t1,0(t0)
ins += [0x3c08bf00, 0x35080500, 0x24090042, 0xad090000, 0x1000ffff, 0]  # *0xbf000500=0x42; b .
open('payload.bin', 'wb').write(struct.pack('<%dI' % len(ins), *ins))
EOF
gzip -9 -n -c payload.bin > payload.gz

# --- 1. fwkit uimage create == mkimage, byte for byte -----------------------------------------
for c in none gzip; do
	d=payload.bin
	[ $c = gzip ] && d=payload.gz
	mkimage "${IMGARGS[@]}" -C $c -d $d mk-$c.img > /dev/null
	if "$FWKIT" uimage create "${IMGARGS[@]}" -C $c -d $d tftproot/u-$c.img > create-$c.out 2>&1 &&
		cmp mk-$c.img tftproot/u-$c.img; then
		ok "create -C $c is byte-identical to mkimage"
	else
		bad "create -C $c is byte-identical to mkimage (see $FWKIT_SCRATCH/create-$c.out)"
	fi
done

# damaged copies of the fwkit image: one payload byte inverted (payload byte 6, file offset 70),
# and one bit of the header's name field ('f' -> 'F' at offset 32)
cp tftproot/u-none.img tftproot/u-baddata.img
flip tftproot/u-baddata.img 70 0xff
cp tftproot/u-none.img tftproot/u-badhdr.img
flip tftproot/u-badhdr.img 32 0x20

# --- the flash: byte-swapped U-Boot at 0 (QEMU swaps each 32-bit word back on malta), env at
# 0x3E0000. fdtcontroladdr goes first and must not be last, or U-Boot runs out of malloc.
objcopy -I binary -O binary --reverse-bytes=4 "$UBOOT" u-boot-swap.bin
printf 'fdtcontroladdr=8ff6fae0\nipaddr=10.0.2.15\nserverip=10.0.2.2\n' > env.txt
mkenvimage -s 0x20000 -o env.bin env.txt
head -c 4194304 /dev/zero | tr '\0' '\377' > flash.bin
dd if=u-boot-swap.bin of=flash.bin conv=notrunc status=none
dd if=env.bin of=flash.bin bs=64k seek=62 conv=notrunc status=none # 62 * 64 KiB = 0x3E0000

# --- 2, 4, 5. iminfo on the good and the damaged images, in one session ----------------------
ub iminfo.log "$(tftp_then "iminfo $ADDR" u-none.img)" \
	"$(tftp_then "iminfo $ADDR" u-baddata.img)" \
	"$(tftp_then "iminfo $ADDR" u-badhdr.img)"
rc=$?
if [ $rc = 0 ]; then ok "iminfo session ran to the end"; else bad "iminfo session: ub.exp exit $rc (see $FWKIT_SCRATCH/iminfo.log)"; fi
has "U-Boot loaded the env from flash" 'Loading Environment from Flash... OK' iminfo.log
has "TFTP from slirp's 10.0.2.2 only" 'TFTP from server 10.0.2.2; our IP address is 10.0.2.15' iminfo.log
has "iminfo none: Legacy image found" '   Legacy image found' iminfo.log.1
has "iminfo none: image name" '   Image Name:   fwkit payload' iminfo.log.1
has "iminfo none: Verifying Checksum ... OK" '   Verifying Checksum ... OK' iminfo.log.1
has "iminfo none: exit status 0" 'rc=0' iminfo.log.1
has "iminfo bad data: Bad Data CRC" '   Verifying Checksum ...    Bad Data CRC' iminfo.log.2
has "iminfo bad data: exit status 1" 'rc=1' iminfo.log.2
has "iminfo bad header: Bad Header Checksum" '   Bad Header Checksum' iminfo.log.3
has "iminfo bad header: exit status 1" 'rc=1' iminfo.log.3

# --- 4, 5. fwkit uimage verify agrees with U-Boot ----------------------------------------------
for f in none:0 gzip:0 baddata:1 badhdr:1; do
	"$FWKIT" uimage verify tftproot/u-${f%:*}.img > verify-${f%:*}.out 2>&1
	rc=$?
	if [ $rc = "${f#*:}" ]; then
		ok "fwkit uimage verify u-${f%:*}.img exits ${f#*:}"
	else
		bad "fwkit uimage verify u-${f%:*}.img exits ${f#*:} (got $rc; see $FWKIT_SCRATCH/verify-${f%:*}.out)"
	fi
done

# --- fwkit check agrees: the image U-Boot loads passes every blocking rule, the one it rejects
# (Bad Data CRC) is will-brick. The board is QEMU's Malta with this test's flash layout, as a
# user profile (U-Boot at 0, the firmware after it, the env at 0x3E0000 as above).
cat > malta.json << 'EOF2'
{ "id": "qemu_malta-lab", "name": "QEMU Malta (this test's flash)", "vendor": "QEMU", "soc": "MIPS 24Kf",
  "flash_size": "0x400000", "erase_size": "0x10000", "nand": false, "compatible": ["mti,malta"],
  "partitions": [
    { "name": "u-boot", "offset": "0x0", "size": "0x100000", "read_only": true, "content": "bootloader" },
    { "name": "firmware", "offset": "0x100000", "size": "0x2e0000", "read_only": false, "content": "firmware" },
    { "name": "u-boot-env", "offset": "0x3e0000", "size": "0x20000", "read_only": true, "content": "u-boot-env" } ],
  "envs": [ { "partition": "u-boot-env", "offset": "0x0", "size": "0x20000", "redundant": false, "bdata": false } ],
  "macs": [], "eeproms": [], "firmware_max": "0x2e0000",
  "recovery": [ { "kind": "uboot-tftp-menu", "device_ip": "10.0.2.15", "server_ip": "10.0.2.2", "prefix": 24,
                  "file_name": "", "accepts": ["uimage"], "target": "firmware", "flags": ["whole-blocks"],
                  "steps": "tftpboot, then bootm", "source": "lab.md 1-2" } ],
  "source": "tests/interop/uboot_qemu.sh", "tested": "U-Boot under QEMU" }
EOF2
for f in none:0 baddata:1; do
	"$FWKIT" check tftproot/u-${f%:*}.img --device qemu_malta-lab --via uboot-tftp --profiles malta.json > check-${f%:*}.out 2>&1
	rc=$?
	if [ $rc = "${f#*:}" ]; then
		ok "fwkit check u-${f%:*}.img exits ${f#*:} (U-Boot $([ ${f#*:} = 0 ] && echo loads || echo rejects) it)"
	else
		bad "fwkit check u-${f%:*}.img exits ${f#*:} (got $rc; see $FWKIT_SCRATCH/check-${f%:*}.out)"
	fi
done
has "fwkit check names U-Boot's reason" "  fail  checksum        offset 0x18: bad data CRC: expected $(python3 -c 'import zlib,sys; d=open(sys.argv[1],"rb").read(); print("0x%08x" % zlib.crc32(d[64:]))' tftproot/u-baddata.img), found $(od -An -tx1 -j 24 -N 4 tftproot/u-baddata.img | tr -d ' \n' | sed 's/^/0x/')" check-baddata.out

# --- 3. bootm, one session per image: the payload resets the board and QEMU exits (ub.exp 4) --
for c in none gzip; do
	ub bootm-$c.log "$(tftp_then "bootm $ADDR" u-$c.img)"
	rc=$?
	if [ $rc = 4 ]; then ok "bootm $c: the payload reset the board"; else bad "bootm $c: ub.exp exit $rc, want 4 (see $FWKIT_SCRATCH/bootm-$c.log)"; fi
	has "bootm $c: Verifying Checksum ... OK" '   Verifying Checksum ... OK' bootm-$c.log.1
	step='   Loading Kernel Image'
	[ $c = gzip ] && step='   Uncompressing Kernel Image'
	in_order "bootm $c: '${step#   }' then PAYLOAD-RAN" "$step" PAYLOAD-RAN bootm-$c.log.1
done

done_testing
