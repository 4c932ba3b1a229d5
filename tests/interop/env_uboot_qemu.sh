#!/bin/bash
# Interop: environments written by fwkit (env create / set / unset / corrupt / import) against
# real U-Boot (Debian u-boot-qemu, maltael) under qemu-system-mipsel -M malta, reading its env
# from the 4 MiB flash at 0x3E0000 (size 0x20000): U-Boot loads what fwkit writes ("Loading
# Environment from Flash... OK") and printenv shows fwkit's values; a block fwkit corrupts falls
# back to the default env in U-Boot and is reported as a bad CRC by fwkit itself.
#
# Recipe and pitfalls: ../shared/reference/lab.md sections 1 and 7. Every env keeps
# fdtcontroladdr first with variables after it (or U-Boot runs out of malloc at boot), and
# CONFIG_AUTOBOOT is off, so ub.exp drives the console. No network: ub.exp gets "-" (no NIC).
. "$FWKIT_SOURCE_DIR/tests/lib.sh"

UBOOT=/usr/lib/u-boot/maltael/u-boot.bin
UBEXP=$FWKIT_SOURCE_DIR/tests/interop/ub.exp
need qemu-system-mipsel expect objcopy mkenvimage cmp timeout
[ -r "$UBOOT" ] || skip "$UBOOT missing (package u-boot-qemu)"

ENV_OFF=$((0x3E0000))
ENV_END=$((0x3FFFFF))
FLASH_SIZE=4194304

# has NAME LINE FILE: passes when FILE holds LINE as a whole line
has() { if grep -qxF -- "$2" "$3"; then ok "$1"; else bad "$1 (no line '$2' in $FWKIT_SCRATCH/$3)"; fi; }
# lacks NAME LINE FILE: passes when FILE has no line LINE
lacks() { if grep -qxF -- "$2" "$3"; then bad "$1 (line '$2' in $FWKIT_SCRATCH/$3)"; else ok "$1"; fi; }
# ub FLASH LOG CMD...: boot U-Boot from FLASH with no NIC, run the commands, keep the transcript
# without CRs in LOG and each command's own output in LOG.N (N = 1, 2, ...); returns ub.exp's status
ub() {
	local flash=$1 log=$2 rc
	shift 2
	timeout 120 expect -f "$UBEXP" "$flash" - "$@" > "$log.raw" 2>&1
	rc=$?
	tr -d '\r' < "$log.raw" > "$log"
	awk -v out="$log" '/^UBEXP-CMD: / { n++ } n { print > (out "." n) }' "$log"
	return $rc
}
# ub_ran NAME RC LOG: passes when the ub.exp session ended normally (status 0)
ub_ran() { if [ "$2" = 0 ]; then ok "$1"; else bad "$1 (ub.exp exit $2; see $FWKIT_SCRATCH/$3)"; fi; }
# same_size NAME FILE: passes when FILE is exactly the flash size
same_size() {
	local n
	n=$(wc -c < "$2")
	if [ "$n" = "$FLASH_SIZE" ]; then ok "$1"; else bad "$1 ($2 is $n bytes, want $FLASH_SIZE)"; fi
}
# env_only NAME A B: passes when A and B differ, and only in bytes 0x3E0000..0x3FFFFF
env_only() {
	local outside
	cmp -l "$2" "$3" > "$3.cmp" 2> /dev/null
	# cmp -l numbers bytes from 1
	outside=$(awk -v lo=$ENV_OFF -v hi=$ENV_END '{ o = $1 - 1; if (o < lo || o > hi) n++ } END { print n + 0 }' "$3.cmp")
	if [ -s "$3.cmp" ] && [ "$outside" = 0 ]; then
		ok "$1"
	else
		bad "$1 ($(wc -l < "$3.cmp") bytes differ, $outside outside 0x3e0000..0x3fffff; see $FWKIT_SCRATCH/$3.cmp)"
	fi
}
# run_ok NAME OUT CMD...: passes when CMD exits 0; its stdout and stderr go to OUT
run_ok() {
	local n=$1 out=$2 rc
	shift 2
	"$@" > "$out" 2>&1
	rc=$?
	if [ $rc = 0 ]; then ok "$n"; else bad "$n (exit $rc; see $FWKIT_SCRATCH/$out)"; fi
}

# --- 1. flash A: swapped U-Boot at 0, fwkit env create at 0x3E0000, the rest 0xFF ------------
objcopy -I binary -O binary --reverse-bytes=4 "$UBOOT" u-boot-swap.bin
printf '%s\n' fdtcontroladdr=8ff6fae0 bootdelay=1 ipaddr=10.0.2.15 serverip=10.0.2.2 \
	fwkitmarker=hello-from-fwkit > envA.txt
mkenvimage -s 0x20000 -o envA-mk.bin envA.txt
run_ok "env create -s 0x20000 exits 0" create.out "$FWKIT" env create -s 0x20000 -o envA.bin envA.txt
check "env create is byte-identical to mkenvimage" cmp envA-mk.bin envA.bin
head -c $FLASH_SIZE /dev/zero | tr '\0' '\377' > flashA
dd if=u-boot-swap.bin of=flashA conv=notrunc status=none
dd if=envA.bin of=flashA bs=64k seek=62 conv=notrunc status=none # 62 * 64 KiB = 0x3E0000
same_size "flash A is 4 MiB" flashA

ub flashA a.log 'printenv fwkitmarker'
ub_ran "flash A: U-Boot session ran to the end" $? a.log
has "flash A: U-Boot loaded the env from flash" 'Loading Environment from Flash... OK' a.log
has "flash A: printenv fwkitmarker" 'fwkitmarker=hello-from-fwkit' a.log.1

# --- 2. flash B: env set on the whole 4 MiB file (fwkit finds the block at 0x3E0000) ----------
run_ok "env set on flash A exits 0" setB.out "$FWKIT" env set flashA fwkitmarker=edited-by-fwkit newvar=42 -o flashB
same_size "flash B keeps the size 4194304" flashB
env_only "flash B differs from flash A only inside 0x3e0000..0x3fffff" flashA flashB

ub flashB b.log 'printenv fwkitmarker' 'printenv newvar'
ub_ran "flash B: U-Boot session ran to the end" $? b.log
has "flash B: U-Boot loaded the env from flash" 'Loading Environment from Flash... OK' b.log
has "flash B: printenv fwkitmarker shows the new value" 'fwkitmarker=edited-by-fwkit' b.log.1
has "flash B: printenv newvar shows the new variable" 'newvar=42' b.log.2

# --- 3. flash C: env unset of the marker ------------------------------------------------------
run_ok "env unset on flash A exits 0" unsetC.out "$FWKIT" env unset flashA fwkitmarker -o flashC
same_size "flash C keeps the size 4194304" flashC
env_only "flash C differs from flash A only inside 0x3e0000..0x3fffff" flashA flashC

ub flashC c.log 'printenv fwkitmarker' 'printenv serverip'
ub_ran "flash C: U-Boot session ran to the end" $? c.log
has "flash C: U-Boot loaded the env from flash" 'Loading Environment from Flash... OK' c.log
has "flash C: fwkitmarker is not defined" '## Error: "fwkitmarker" not defined' c.log.1
has "flash C: the other variables stay (serverip)" 'serverip=10.0.2.2' c.log.2

# --- 4. flash D: env corrupt inverts the stored CRC ---------------------------------------------
run_ok "env corrupt on flash A exits 0" corruptD.out "$FWKIT" env corrupt flashA -o flashD
same_size "flash D keeps the size 4194304" flashD
env_only "flash D differs from flash A only inside 0x3e0000..0x3fffff" flashA flashD
if [ "$(awk '{ print $1 - 1 }' flashD.cmp | tr '\n' ' ')" = "$((ENV_OFF)) $((ENV_OFF + 1)) $((ENV_OFF + 2)) $((ENV_OFF + 3)) " ]; then
	ok "flash D: exactly the 4 CRC bytes at 0x3e0000 changed"
else
	bad "flash D: exactly the 4 CRC bytes at 0x3e0000 changed (see $FWKIT_SCRATCH/flashD.cmp)"
fi

ub flashD d.log 'printenv fwkitmarker'
ub_ran "flash D: U-Boot session ran to the end" $? d.log
has "flash D: U-Boot reports the bad CRC and uses the default env" \
	'Loading Environment from Flash... *** Warning - bad CRC, using default environment' d.log
has "flash D: fwkitmarker is not defined" '## Error: "fwkitmarker" not defined' d.log.1

"$FWKIT" env list flashD > listD.out 2> listD.err
rc=$?
if [ $rc = 1 ]; then ok "env list flash D exits 1"; else bad "env list flash D exits 1 (got $rc; see $FWKIT_SCRATCH/listD.err)"; fi
if grep -q 'offset 0x3e0000' listD.err && grep -q 'bad CRC' listD.err; then
	ok "env list flash D names offset 0x3e0000 and the bad CRC on stderr"
else
	bad "env list flash D names offset 0x3e0000 and the bad CRC on stderr (got: $(head -c 300 listD.err))"
fi
"$FWKIT" env find flashD > findD.out 2> findD.err
rc=$?
if [ $rc = 1 ] && grep -q '^0x003e0000 ' findD.out; then
	ok "env find flash D lists the block at 0x3e0000 and exits 1 (bad CRC)"
else
	bad "env find flash D lists the block at 0x3e0000 and exits 1 (got exit $rc; see $FWKIT_SCRATCH/findD.out, findD.err)"
fi

# --- 5. flash E: env import replaces every variable ---------------------------------------------
printf '%s\n' fdtcontroladdr=8ff6fae0 importone=first-import 'importtwo=two words=and an equals sign' \
	zz_importlast=end > envE.txt
run_ok "env import on flash A exits 0" importE.out "$FWKIT" env import flashA envE.txt -o flashE
same_size "flash E keeps the size 4194304" flashE
env_only "flash E differs from flash A only inside 0x3e0000..0x3fffff" flashA flashE
"$FWKIT" env list flashE > listE.out 2>&1
check "env list flash E prints the imported text, in order" cmp envE.txt listE.out

ub flashE e.log 'printenv'
ub_ran "flash E: U-Boot session ran to the end" $? e.log
has "flash E: U-Boot loaded the env from flash" 'Loading Environment from Flash... OK' e.log
# printenv lists every variable sorted by name: the imported ones plus the three U-Boot's console
# setup always adds (stdin/stdout/stderr); nothing of flash A's env may survive
{
	cat envE.txt
	printf '%s\n' stderr=serial@3f8 stdin=serial@3f8 stdout=serial@3f8
} | sort > e.want
grep -E '^[^ =#]+=' e.log.1 > e.got
if cmp -s e.want e.got; then
	ok "flash E: printenv shows exactly the imported variables"
else
	bad "flash E: printenv shows exactly the imported variables (diff $FWKIT_SCRATCH/e.want $FWKIT_SCRATCH/e.got)"
fi

done_testing
