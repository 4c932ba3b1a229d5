#!/bin/bash
# Interop: the firmware part of an image `fwkit build` made, booted by real U-Boot (Debian
# u-boot-qemu, maltael) under qemu-system-mipsel -M malta, straight from the emulated flash.
#
# The board (lab.md 1): 4 MiB CFI NOR, U-Boot at 0, its env at 0x3E0000. QEMU swaps the bytes of
# every 32-bit word of the first 0x3E0000 bytes (not the last 128 KiB), so the profile given with
# --profiles puts the firmware partition in those last 128 KiB (the env is lost; U-Boot falls back
# to its default env and still boots). The backup holds the unswapped U-Boot, as a chip read
# would; the test swaps that region only for QEMU. The firmware is a uImage of a 152-byte MIPS
# payload (as in tests/interop/uboot_qemu.sh: it prints PAYLOAD-RAN and resets the board) with a
# device tree appended to its data, whose compatible is the profile's: `build` refuses a firmware
# that does not name the device. U-Boot runs `bootm 0xbe3e0000` (KSEG1 of flash offset 0x3E0000).
. "$FWKIT_SOURCE_DIR/tests/lib.sh"

UBOOT=/usr/lib/u-boot/maltael/u-boot.bin
UBEXP=$FWKIT_SOURCE_DIR/tests/interop/ub.exp
need qemu-system-mipsel expect mkenvimage mkimage objcopy python3 dtc cmp timeout
[ -r "$UBOOT" ] || skip "$UBOOT missing (package u-boot-qemu)"

python3 - << 'PY'
import json, struct
ins = [0x3c08b800, 0x350803f8]                       # lui/ori t0 = 0xb80003f8 (UART)
for c in b'\r\nPAYLOAD-RAN\r\n':
    ins += [0x24090000 | c, 0xa1090000]              # li t1,c ; sb t1,0(t0)
ins += [0x3c08bf00, 0x35080500, 0x24090042, 0xad090000, 0x1000ffff, 0]  # *0xbf000500=0x42; b .
open('payload.bin', 'wb').write(struct.pack('<%dI' % len(ins), *ins))
part = lambda n, o, s, c: {"name": n, "offset": hex(o), "size": hex(s), "read_only": c != "firmware", "content": c}
json.dump({"id": "fwkit_qemu-malta", "name": "QEMU malta (fwkit test)", "vendor": "qemu", "soc": "MIPS 24Kc",
           "flash_size": "0x400000", "erase_size": "0x10000", "nand": False, "compatible": ["fwkit,qemu-malta-test"],
           "partitions": [part("u-boot", 0, 0x3e0000, "bootloader"), part("firmware", 0x3e0000, 0x20000, "firmware")],
           "envs": [], "macs": [], "eeproms": [], "firmware_max": "0x20000", "recovery": [],
           "source": "lab.md 1 (QEMU malta)", "tested": "tests/interop/build_uboot_qemu.sh"},
          open("malta.json", "w"), indent=1)
PY
# uimage NAME MODEL COMPATIBLE: NAME.img, the payload with a device tree naming that board
uimage() {
	printf '/dts-v1/;\n/ {\n\tmodel = "%s";\n\tcompatible = "%s";\n};\n' "$2" "$3" > "$1.dts"
	dtc -I dts -O dtb -o "$1.dtb" "$1.dts" 2> /dev/null || return 1
	cat payload.bin "$1.dtb" > "$1.kernel"
	mkimage -A mips -O linux -T kernel -C none -a 0x80100000 -e 0x80100000 -n "fwkit payload" -d "$1.kernel" "$1.img" > /dev/null
}
uimage fw "fwkit QEMU malta test" fwkit,qemu-malta-test || exit 1
uimage other "another board" other,board || exit 1

# the backup: U-Boot at 0, a valid env at 0x3E0000 (fdtcontroladdr first: lab.md 1)
printf 'fdtcontroladdr=8ff6fae0\nipaddr=10.0.2.15\nserverip=10.0.2.2\n' > env.txt
mkenvimage -s 0x20000 -o env.bin env.txt
head -c 4194304 /dev/zero | tr '\0' '\377' > backup.bin
dd if="$UBOOT" of=backup.bin conv=notrunc status=none
dd if=env.bin of=backup.bin bs=64k seek=62 conv=notrunc status=none

B=("$FWKIT" build --from backup.bin --profiles malta.json --device fwkit_qemu-malta)
expect build-malta 0 '' "${B[@]}" --firmware fw.img -o new.bin
check build-malta-size test "$(stat -c %s new.bin)" = 4194304
check build-malta-uboot-kept cmp -s <(head -c $((0x3e0000)) new.bin) <(head -c $((0x3e0000)) backup.bin)
check build-malta-firmware-bytes cmp -s <(tail -c +$((0x3e0000 + 1)) new.bin | head -c "$(stat -c %s fw.img)") fw.img
expect build-malta-other-board 1 'other.img: offset 0x0: the firmware is for another device' "${B[@]}" --firmware other.img -o bad.bin
check build-malta-other-board-nothing-written test ! -e bad.bin

# QEMU's view: the first 0x3E0000 bytes word-swapped (lab.md 1), the firmware partition as built
head -c $((0x3e0000)) new.bin > boot-region.bin
objcopy -I binary -O binary --reverse-bytes=4 boot-region.bin boot-swap.bin
{ cat boot-swap.bin; tail -c +$((0x3e0000 + 1)) new.bin; } > flash.bin
timeout 120 expect -f "$UBEXP" flash.bin - "bootm 0xbe3e0000" > ub.raw 2>&1
rc=$?
tr -d '\r' < ub.raw > ub.log
check uboot-bootm-reset-the-board test $rc = 4
check uboot-image-name grep -qxF '   Image Name:   fwkit payload' ub.log
check uboot-checksum-ok grep -qxF '   Verifying Checksum ... OK' ub.log
check uboot-payload-ran grep -qxF 'PAYLOAD-RAN' ub.log
done_testing
