#!/bin/bash
# docs/exit-codes.md against the code: each case names a phrase of the table; the exit code the
# table gives for the row holding that phrase is the one expected, and every non-zero exit must
# say why on stderr in one line naming the file.
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
need python3
DOC=$FWKIT_SOURCE_DIR/docs/exit-codes.md

# doc_code PHRASE: the exit code of the table row that holds PHRASE (empty when none or several)
doc_code() {
	python3 - "$DOC" "$1" << 'EOF'
import sys
rows = [l for l in open(sys.argv[1]) if l.startswith("|") and sys.argv[2] in l]
if len(rows) == 1:
    print(rows[0].split("|")[1].strip())
EOF
}
# case_ PHRASE FILE CMD...: exit code as documented; a non-zero exit names FILE on stderr
case_() {
	local phrase=$1 file=$2
	shift 2
	local want
	want=$(doc_code "$phrase")
	if [ -z "$want" ]; then
		bad "doc: no single row of docs/exit-codes.md holds \"$phrase\""
		return
	fi
	timeout 20 "$@" > out.txt 2> err.txt < /dev/null
	local rc=$?
	if [ "$rc" != "$want" ]; then
		bad "\"$phrase\": exit $rc, the table says $want ($(head -c 200 err.txt))"
	elif [ "$rc" != 0 ] && ! grep -qF -- "$file" err.txt; then
		bad "\"$phrase\": exit $rc without a reason naming $file on stderr"
	else
		ok "\"$phrase\" = $rc"
	fi
}
ff() { head -c "$1" /dev/zero | tr '\0' '\377'; }
put() { dd if="$3" of="$1" bs=64k seek="$(($2))" oflag=seek_bytes conv=notrunc status=none; }

IMG=$FWKIT_TEST_DATA/uimage/good/a5-v11-19.07.7-sysupgrade.bin
head -c 100000 "$IMG" > trunc.img
cp "$IMG" hcrc.img && printf '\x00' | dd of=hcrc.img bs=1 seek=4 conv=notrunc status=none
printf 'bootdelay=1\n' > env.txt
"$FWKIT" env create -s 0x1000 -o env.bin env.txt > /dev/null
ff 65536 > dump.bin && put dump.bin 0x1000 env.bin
cp dump.bin bad.bin && printf 'X' | dd of=bad.bin bs=1 seek=$((0x1006)) conv=notrunc status=none
ff 65536 > other.bin && ff 32768 > small.bin
mkfifo fifo
ln -s dump.bin link.bin

case_ "payload runs past the end of the file" trunc.img "$FWKIT" uimage verify trunc.img
case_ "payload runs past the end of the file" trunc.img "$FWKIT" uimage extract trunc.img -o x.bin
case_ "bad header or data CRC" hcrc.img "$FWKIT" uimage list hcrc.img
"$FWKIT" uimage create -A mips -O linux -T multi -C none -d env.txt:env.txt multi.img > /dev/null
case_ "no such part" multi.img "$FWKIT" uimage extract multi.img -p 5 -o x.bin
case_ "bad magic" dump.bin "$FWKIT" uimage list dump.bin
case_ "missing file" nope.bin "$FWKIT" inspect nope.bin
case_ "a directory" . "$FWKIT" env list .
case_ "an env with a bad CRC" bad.bin "$FWKIT" env find bad.bin
case_ "a container whose vendor checksum or payload is bad" v1-payload-byte.bin "$FWKIT" image verify "$FWKIT_TEST_DATA/tplink/bad/v1-payload-byte.bin"
case_ "no firmware container at offset 0" dump.bin "$FWKIT" image show dump.bin
case_ "an env with a bad CRC" bad.bin "$FWKIT" env list bad.bin
case_ "needs N bytes, block holds M" dump.bin "$FWKIT" env set dump.bin "big=$(head -c 5000 /dev/zero | tr '\0' a)" -o x.bin
case_ "a bad CRC without \`--repair\`" bad.bin "$FWKIT" env set bad.bin a=1 -o x.bin
case_ "no environment found" other.bin "$FWKIT" env list other.bin
case_ "\`env get\` of an undefined name" dump.bin "$FWKIT" env get dump.bin nosuchvar
case_ "unknown option" fwkit "$FWKIT" inspect dump.bin --no-such-option
case_ "an unknown device id" no_such-device "$FWKIT" inspect dump.bin --device no_such-device
case_ "an output that names an input" dump.bin "$FWKIT" env set dump.bin a=1 -o dump.bin
case_ "an output that is a symbolic link" link.bin "$FWKIT" env set dump.bin a=1 -o link.bin
case_ "a FIFO, a device or a socket |" fifo "$FWKIT" env set dump.bin a=1 -o fifo
case_ "an input that is a FIFO" fifo "$FWKIT" inspect fifo
case_ "reads of different sizes" small.bin "$FWKIT" compare dump.bin small.bin
case_ "\`compare\` of reads that differ" bad.bin "$FWKIT" compare dump.bin bad.bin
case_ "a dump of another size than the device's flash" dump.bin "$FWKIT" mac set dump.bin --device hame_mpr-a1 --label 02:00:00:00:00:01 -o x.bin
case_ "a firmware image" "$(basename "$IMG")" "$FWKIT" mac set "$IMG" --device hame_mpr-a1 --label 02:00:00:00:00:01 -o x.bin
case_ "cannot write the output (missing folder" no/such "$FWKIT" env set dump.bin a=1 -o no/such/x.bin
if [ -w /dev/full ]; then
	case_ "standard output cannot be written" fwkit sh -c "exec \"$FWKIT\" env list dump.bin > /dev/full"
fi
# fwkit flash, against flashrom's dummy programmer (no hardware)
if "$FWKIT" --version | grep -q '^flash: libflashrom'; then
	ff $((8 * 1048576)) > chip8.bin
	case_ "several flash chip definitions match" "MX25L6405" "$FWKIT" flash probe -p "dummy:emulate=MX25L6436,image=$PWD/chip8.bin"
	case_ "no flash chip found (check the clip and pin 1)" "pin 1" "$FWKIT" flash probe -p dummy:bus=spi
else
	skip_part "fwkit built without libflashrom: the flash exit codes are not tried"
fi
# messages that name where: a JSON profile error by line and column, an --at/--size end that
# would pass 2^64 shown as the sum it is (never a wrapped small number)
printf '{"profiles": [\n  {"id": "x",\n   "name": }' > bad-syntax.json
"$FWKIT" profile list --profiles bad-syntax.json > out.txt 2> err.txt
check json-error-exit-3 test $? = 3
check json-error-line-column grep -q 'bad-syntax.json: .*not valid JSON at line 3, column 12' err.txt
printf '{"profiles": [\n' > cut.json
"$FWKIT" profile list --profiles cut.json > out.txt 2> err.txt
check json-cut-says-unclosed grep -q 'at line 2, column 1: the text ends inside a value' err.txt
"$FWKIT" env list dump.bin --at 0xfffffffffffff000 --size 0x2000 > out.txt 2> err.txt
check at-size-no-wrap grep -qF 'found 0xfffffffffffff000 + 0x2000 (past 2^64)' err.txt
check nothing-written test ! -e x.bin
done_testing
