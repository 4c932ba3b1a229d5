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

# ---- a Mi 4C / 4A-100M dump whose bootloader is Breed (red-team finding 6) -------------------------
# 16 MiB: Breed's partition (its empty "ENV\0" at 0x2FFFC, PROVENANCE) at 0, config (0x20000..0x30000,
# the profile's U-Boot env partition) holding no U-Boot env, factory at 0x30000 with the 4C's EEPROM
# chip ids and a Bdata block at factory+0x1000 (0x31000), as the real 4C's factory holds one.
put16() { dd if="$3" of="$1" bs=64k seek="$(($2))" oflag=seek_bytes conv=notrunc status=none; }
head -c $((16 << 20)) /dev/zero | tr '\0' '\377' > r4c.bin
put16 r4c.bin 0 "$FWKIT_TEST_DATA/ubootenv/good/xiaomi-r4c-breed-partition.bin"
cp "$FWKIT_TEST_DATA/wifi-eeprom/good/mt7603-mt7662-factory.bin" factory.bin
printf '\x28\x76' | dd of=factory.bin bs=1 conv=notrunc status=none # chip id 0x7628 (MT7628), little-endian
printf 'SN=12345/A1XX00000\nmodel=R4CM\ncolor=100\n' > bdata.txt
"$FWKIT" env create -s 0x4000 -o bdata.bin bdata.txt || exit 1
put16 factory.bin 0x1000 bdata.bin
put16 r4c.bin 0x30000 factory.bin
cp r4c.bin r4c.orig
WANT='expected a U-Boot env in partition config at 0x20000, found a xiaomi-bdata block at 0x31000 inside partition factory; Breed.s env at 0x2fffc inside partition config; use --at 0x31000 to'
expect breed-dump-list-refused 1 "^fwkit: r4c.bin: offset 0x20000: env: .*$WANT read it anyway$" "$FWKIT" env list r4c.bin
check breed-dump-list-prints-no-bdata test ! -s out.txt
check breed-dump-list-one-line test "$(wc -l < err.txt)" = 1
expect breed-dump-get-refused 1 "$WANT read it anyway" "$FWKIT" env get r4c.bin model
expect breed-dump-set-refused 1 "^fwkit: r4c.bin: offset 0x20000: env: .*$WANT edit it anyway$" \
	"$FWKIT" env set r4c.bin 'autoboot.command=boot flash 0x160000' -o r4c-set.bin
check breed-dump-set-wrote-nothing test ! -e r4c-set.bin
# an explicit --at still edits the Bdata, and only inside its 0x4000 bytes at 0x31000
expect breed-dump-set-at-bdata 0 '' "$FWKIT" env set r4c.bin --at 0x31000 color=101 -o r4c-at.bin
check breed-dump-set-at-only-inside-bdata test "$(cmp -l r4c.bin r4c-at.bin | awk -v lo=$((0x31000)) -v hi=$((0x35000)) '$1 - 1 < lo || $1 - 1 >= hi' | wc -l)" = 0
check breed-dump-set-at-changed-something test "$(cmp -l r4c.bin r4c-at.bin | wc -l)" -gt 0
expect breed-dump-list-at-breed 0 '' "$FWKIT" env list r4c.bin --at 0x2fffc
# a U-Boot env in config: that one is the default, not the Bdata found first in scan order's way
printf 'bootdelay=5\nuart_en=1\n' > cfg.txt
"$FWKIT" env create -s 0x1000 -o cfg.bin cfg.txt || exit 1
cp r4c.bin r4c-env.bin && put16 r4c-env.bin 0x20000 cfg.bin
expect breed-dump-config-env-is-default 0 '' "$FWKIT" env get r4c-env.bin bootdelay
check breed-dump-config-env-value test "$(cat out.txt)" = 5
expect breed-dump-config-env-set 0 '' "$FWKIT" env set r4c-env.bin bootdelay=2 -o r4c-env2.bin
check breed-dump-config-env-set-inside-config test "$(cmp -l r4c-env.bin r4c-env2.bin | awk -v lo=$((0x20000)) -v hi=$((0x21000)) '$1 - 1 < lo || $1 - 1 >= hi' | wc -l)" = 0
# without a device (the factory partition read alone): the first U-Boot env or Bdata, as before
expect factory-alone-lists-bdata 0 '' "$FWKIT" env get factory.bin model
check factory-alone-bdata-model test "$(cat out.txt)" = R4CM
# inspect: Breed's env has no CRC (formats.md 4.4): no "CRC BAD", no env size warning
expect breed-dump-inspect 1 '' "$FWKIT" inspect r4c.bin
check breed-dump-inspect-breed-env grep -qE '^ +0x00020000 0x00010000 config +ro Breed env at 0x2fffc: no CRC, 0 variables' out.txt
check breed-dump-inspect-no-crc-bad sh -c '! grep -q "CRC BAD" out.txt'
check breed-dump-inspect-no-size-warning sh -c '! grep -q "env size 0x4" out.txt'
"$FWKIT" inspect --json r4c.bin > r4c.json 2> /dev/null
check breed-dump-inspect-json-no-crc-verdict python3 -c '
import json, sys
def envs(n):
    if isinstance(n, dict):
        if n.get("format") == "ubootenv": yield n
        for v in n.values(): yield from envs(v)
    elif isinstance(n, list):
        for v in n: yield from envs(v)
e = [x for x in envs(json.load(open("r4c.json"))) if x["offset"] == 0x2fffc]
sys.exit(not (len(e) == 1 and e[0]["fields"]["kind"]["name"] == "breed" and "crc_ok" not in e[0]["fields"] and not e[0]["findings"]))'
check breed-dump-untouched cmp -s r4c.bin r4c.orig

# the same with the real 4C files the red team used (../shared/testdata/real/xiv3r-r4c-ch341a)
R4C=${FWKIT_REAL_DATA:-/nonexistent}/xiv3r-r4c-ch341a
if [ -f "$R4C/Xiaomi_4C_Router_Breed_Env_Variables.bin" ] && [ -f "$R4C/Xiaomi-R4C-eeprom.bin" ]; then
	head -c $((16 << 20)) /dev/zero | tr '\0' '\377' > real4c.bin
	put16 real4c.bin 0 "$R4C/Xiaomi_4C_Router_Breed_Env_Variables.bin"
	put16 real4c.bin 0x30000 "$R4C/Xiaomi-R4C-eeprom.bin"
	expect real-breed-dump-list-refused 1 "^fwkit: real4c.bin: offset 0x20000: env: .*$WANT read it anyway$" "$FWKIT" env list real4c.bin
	expect real-breed-dump-set-refused 1 "$WANT edit it anyway" "$FWKIT" env set real4c.bin 'autoboot.command=boot flash 0x160000' -o real4c-set.bin
	check real-breed-dump-set-wrote-nothing test ! -e real4c-set.bin
	"$FWKIT" inspect real4c.bin > real4c.txt 2> /dev/null
	check real-breed-dump-inspect-breed-env grep -qE ' config +ro Breed env at 0x2fffc: no CRC' real4c.txt
	check real-breed-dump-inspect-no-crc-bad sh -c '! grep -q "CRC BAD" real4c.txt'
else
	skip_part "$R4C absent: the Breed 4C dump from the real files is not tried (the synthetic one above is)"
fi

check dump-still-untouched cmp -s dump.bin dump.orig
# --json is one JSON document for export, create and corrupt too (docs/json.md), with what they did
"$FWKIT" env export env.bin --json > ex.json
check export-json python3 -c 'import json; d=json.load(open("ex.json")); assert d["command"] == "env export" and [v["name"] for v in d["variables"]] == [l.split("=", 1)[0] for l in open("env.txt").read().splitlines() if l]'
"$FWKIT" env create -s 0x1000 -o envj.bin env.txt --json > cr.json
check create-json python3 -c 'import json,os; d=json.load(open("cr.json")); assert d["command"] == "env create" and d["bytes"] == 4096 == os.path.getsize("envj.bin") and d["written"]'
"$FWKIT" env corrupt env.bin -o envc.bin --dry-run --json > co.json
check corrupt-json python3 -c 'import json,os; d=json.load(open("co.json")); assert d["command"] == "env corrupt" and d["offset"] == 0 and d["length"] == 4 and not d["written"] and not os.path.exists("envc.bin")'
done_testing
