#!/bin/bash
# Must-fail corpus for fwkit env: each bad input or refused edit gets its exit code and a
# message naming the file and offset; nothing is written and no input changes.
. "$FWKIT_SOURCE_DIR/tests/lib.sh"

expect() {
	local name=$1 want=$2 pat=$3
	shift 3
	"$@" > out.txt 2> err.txt
	local rc=$?
	if [ "$rc" != "$want" ]; then
		bad "$name (exit $rc, wanted $want; stderr: $(head -c 300 err.txt))"
	elif [ -n "$pat" ] && ! grep -qE -- "$pat" err.txt; then
		bad "$name (stderr lacks /$pat/: $(head -c 300 err.txt))"
	else
		ok "$name"
	fi
}

# a 256 KiB "dump": 0xFF, an env of 0x1000 bytes at 0x30000 made by fwkit's own mkenvimage twin
printf 'bootcmd=tftp\nbootdelay=1\nuart_en=0\n' > env.txt
"$FWKIT" env create -s 0x1000 -o env.bin env.txt || exit 1
head -c 262144 /dev/zero | tr '\0' '\377' > dump.bin
dd if=env.bin of=dump.bin bs=1 seek=$((0x30000)) conv=notrunc status=none
cp dump.bin dump.orig

# truncated: the block runs past the end of the file
head -c $((0x800)) env.bin > short.bin
expect truncated-block 3 '^fwkit: short.bin: offset 0x0: env: block runs past the end of the file: expected at most 0x800, found 0x1000$' "$FWKIT" env list short.bin --at 0 --size 0x1000
expect truncated-block-no-crc-match 1 '^fwkit: short.bin: offset 0x0: error: env: bad CRC: expected 0x[0-9a-f]{8}, found 0x[0-9a-f]{8}' "$FWKIT" env list short.bin
expect too-short-for-a-header 3 'offset 0x3fffc: env: block too short: expected at least 8 bytes, found 4 bytes' "$FWKIT" env list dump.bin --at 0x3fffc

# bad CRC: listed as a finding, exit 1; edits refused unless --repair
cp dump.bin badcrc.bin
printf 'X' | dd of=badcrc.bin bs=1 seek=$((0x30006)) conv=notrunc status=none
expect bad-crc-list 1 '^fwkit: badcrc.bin: offset 0x30000: error: env: bad CRC: expected 0x[0-9a-f]{8}, found 0x[0-9a-f]{8}' "$FWKIT" env list badcrc.bin
check bad-crc-still-lists grep -q '^bootdelay=1$' out.txt
expect bad-crc-find 1 '' "$FWKIT" env find badcrc.bin
check bad-crc-find-says-bad grep -q 'CRC BAD: stored 0x' out.txt
expect bad-crc-set-refused 1 '^fwkit: badcrc.bin: offset 0x30000: env: the block.s CRC is already bad; refusing to edit it \(--repair to rewrite it\): expected 0x[0-9a-f]{8}, found 0x[0-9a-f]{8}$' "$FWKIT" env set badcrc.bin bootdelay=3 -o fixed.bin
check bad-crc-set-wrote-nothing test ! -e fixed.bin
expect bad-crc-repair-needs-size 1 'guessed size' "$FWKIT" env set badcrc.bin bootdelay=3 -o fixed.bin --repair
expect bad-crc-repair 0 '' "$FWKIT" env set badcrc.bin bootdelay=3 -o fixed.bin --repair --at 0x30000 --size 0x1000
expect repaired-reads-ok 0 '' "$FWKIT" env get fixed.bin bootdelay
check repaired-value grep -qx 3 out.txt

# overflow: the new env does not fit
big=$(head -c 5000 /dev/zero | tr '\0' 'x')
expect overflow 1 '^fwkit: dump.bin: offset 0x30000: env: the new environment needs 5042 bytes, block holds 4092: expected at most 4092 bytes, found 5042 bytes$' "$FWKIT" env set dump.bin "huge=$big" -o over.bin
check overflow-wrote-nothing test ! -e over.bin

# nothing env-like at all
head -c 65536 /dev/zero > zeros.bin
expect no-env-found 3 '^fwkit: zeros.bin: env: no U-Boot environment found in 65536 bytes' "$FWKIT" env list zeros.bin
expect no-env-find 3 'no environment found' "$FWKIT" env find zeros.bin
expect nothing-at-offset 3 '^fwkit: dump.bin: offset 0x10000: env: no environment here: expected a CRC then name=value text$' "$FWKIT" env list dump.bin --at 0x10000

# invalid names and values
expect empty-name 2 'env: invalid variable name: expected a name, found an empty name' "$FWKIT" env set dump.bin =x -o x.bin
expect blank-in-name 2 'invalid variable name "a b"' "$FWKIT" env set dump.bin 'a b=1' -o x.bin
expect newline-in-value 2 'invalid value for "a": expected one line of text, found a newline' "$FWKIT" env set dump.bin "$(printf 'a=1\n2')" -o x.bin
expect no-equals 2 "'novalue': expected NAME=VALUE" "$FWKIT" env set dump.bin novalue -o x.bin
expect equals-in-unset-name 2 'invalid variable name "a=b"' "$FWKIT" env unset dump.bin a=b -o x.bin
check invalid-wrote-nothing test ! -e x.bin
printf 'good=1\nbad=two\\\nlines\n' > nl.txt
# import takes multi-line values (mkenvimage's continuation); set never does (above)
expect import-multiline-value 0 '' "$FWKIT" env import dump.bin nl.txt -o ml.bin
"$FWKIT" env export ml.bin > ml.txt
check import-export-round-trip cmp -s nl.txt ml.txt

# where the output goes
expect no-output-given 2 'give exactly one of -o OUT and --in-place' "$FWKIT" env set dump.bin a=1
expect both-outputs 2 'give exactly one of -o OUT and --in-place' "$FWKIT" env set dump.bin a=1 -o x.bin --in-place
expect output-is-input 2 'refusing to overwrite the input \(use --in-place to edit it\)' "$FWKIT" env set dump.bin a=1 -o dump.bin
expect dry-run 0 '' "$FWKIT" env set dump.bin bootdelay=9 -o dry.bin --dry-run
check dry-run-wrote-nothing test ! -e dry.bin
check dry-run-shows-change grep -q '^Changed:      0x300' out.txt
check dump-untouched cmp -s dump.bin dump.orig
cp dump.bin inplace.bin
expect in-place 0 '' "$FWKIT" env set inplace.bin bootdelay=9 --in-place
check in-place-same-size test "$(stat -c %s inplace.bin)" = 262144
expect in-place-value 0 '' "$FWKIT" env get inplace.bin bootdelay
check in-place-value-9 grep -qx 9 out.txt
expect get-undefined 1 '^fwkit: dump.bin: offset 0x30000: env: "nosuch" not defined$' "$FWKIT" env get dump.bin nosuch
expect corrupt-then-bad 0 '' "$FWKIT" env corrupt dump.bin -o corrupt.bin
expect corrupted-is-bad 1 'offset 0x30000: error: env: bad CRC' "$FWKIT" env list corrupt.bin

# create: mkenvimage's errors
printf 'a=1\nb=2\n' > two.txt
expect create-too-large 1 'too large for the environment size' "$FWKIT" env create -s 9 -o tl.bin two.txt
check create-too-large-wrote-nothing test ! -e tl.bin
expect create-bad-size 2 '-s needs a size' "$FWKIT" env create -s zz -o tl.bin two.txt
expect create-bad-pad 2 '-p a byte value' "$FWKIT" env create -s 64 -p 300 -o tl.bin two.txt
expect create-missing-text 3 '^fwkit: nope.txt: cannot open: No such file or directory$' "$FWKIT" env create -s 64 -o tl.bin nope.txt

check dump-still-untouched cmp -s dump.bin dump.orig
done_testing
