#!/bin/bash
# The decompression budget (docs/fwkit.md "Decompression budget") against three bombs made at
# test time by tests/cli/make_bombs.py (nothing binary is committed):
#
#   kernel.bin  ~1 MiB uImage kernel holding 2700 LZMA-alone streams of 2 MiB of zeros each
#               (profile from-dump: before the budget, 22 s; an hour for nastier streams)
#   dump.bin    4 MiB A5-V11 dump with that kernel in its firmware partition (inspect: was 16 s)
#   multi.bin   multi-file uImage of 8 lzma parts of 64 MiB of zeros, 512 MiB in all (uimage
#               verify: said "ok"); stopped by the ratio cap
#   total.bin   multi-file uImage of 20 lzma parts of 16 MiB at 600:1, 320 MiB in all: stopped by
#               the total
#
# Each command must end under `timeout` (a generous 20 s; they take a few hundredths of a second)
# and report the finding budget.decompress, in --json by code and in the text by its words.
# uimage verify must not say ok and must exit 1; an ordinary multi-file image still verifies.
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
need python3 timeout /usr/bin/time

fw() { timeout 20 "$FWKIT" "$@"; }
# js JSONFILE PYEXPR: a Python expression over the parsed JSON `j`
js() { python3 -c 'import json,sys; sys.path.insert(0, sys.argv[3]); from inspect_tree import *; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" "$FWKIT_SOURCE_DIR/tests" 2> /dev/null; }

python3 "$FWKIT_SOURCE_DIR/tests/cli/make_bombs.py" . > make.txt || { bad make-bombs; done_testing; }
check make-bombs test -s kernel.bin -a -s dump.bin -a -s multi.bin
check kernel-is-about-1MiB test "$(stat -c %s kernel.bin)" -gt 1000000

# ---- 1. profile from-dump on the kernel ------------------------------------------------------
fw profile from-dump kernel.bin --json > fd.json 2> fd.err
rc=$?
check from-dump-ends-exit-3 test $rc = 3 # no device tree found: input invalid (docs/exit-codes.md)
check from-dump-json-code test "$(js fd.json '[f["code"] for f in j["findings"]]')" = "['budget.decompress']"
check from-dump-json-says-unchecked grep -q 'the rest was not checked' fd.json
fw profile from-dump kernel.bin > fd.txt 2> fd.err
check from-dump-text grep -q 'warning: decompression budget: .* (a bomb); the rest was not checked' fd.err
check from-dump-text-no-dtb grep -q 'no kernel with a device tree found' fd.err

# ---- 2. inspect on the dump ------------------------------------------------------------------
fw inspect dump.bin --device unbranded_a5-v11 --json > in.json 2> in.err
rc=$?
check inspect-ends test $rc = 1 # the bomb dump has real error findings (erased factory, no rootfs)
check inspect-json-code test "$(js in.json '[(f["code"], f["severity"]) for f in j["findings"]]')" = "[('budget.decompress', 'warning')]"
check inspect-json-partitions-still-reported test "$(js in.json 'len(kids(j, "partition"))')" = 4
fw inspect dump.bin --device unbranded_a5-v11 > in.txt 2> in.err
check inspect-text grep -q 'warning: 0x0: decompression budget: .* the rest was not checked' in.txt
check inspect-text-goes-on grep -q 'uImage kernel' in.txt

# ---- 3. uimage verify on the multi-file image ------------------------------------------------
fw uimage verify multi.bin --json > v.json 2> v.err
rc=$?
check verify-exit-1 test $rc = 1
check verify-json-not-ok test "$(js v.json 'j["ok"], j["complete"]')" = "(False, False)"
check verify-json-code test "$(js v.json '[f["code"] for f in j["findings"]]')" = "['budget.decompress']"
check verify-json-every-part-unchecked test "$(js v.json 'sum(1 for c in j["checks"] if c["check"].startswith("payload-") and not c["ok"])')" = 8
check verify-json-crcs-still-checked test "$(js v.json '[c["ok"] for c in j["checks"] if c["check"] in ("header-crc", "data-crc")]')" = "[True, True]"
fw uimage verify multi.bin > v.txt 2> v.err
rc=$?
check verify-text-exit-1 test $rc = 1
check verify-text-result grep -q '^Result: *NOT FULLY CHECKED: payload-0, .*payload-7 (decompression budget hit)' v.txt
check verify-text-never-ok sh -c '! grep -q "^Result: *ok" v.txt'
check verify-text-payload grep -q '^Payload 0: *NOT CHECKED: lzma payload not fully checked, stopped after 1048576 output bytes' v.txt
check verify-text-finding grep -q 'multi.bin: offset 0x0: error: decompression budget: .* the rest was not checked' v.err
# the total, not the ratio: 16 parts checked whole (256 MiB), the rest not
fw uimage verify total.bin --json > t.json 2> t.err
check verify-total-exit-1 test $? = 1
check verify-total-first-parts-ok test "$(js t.json '[c["ok"] for c in j["checks"] if c["check"].startswith("payload-")]')" = "$(python3 -c 'print([True] * 16 + [False] * 4)')"
check verify-total-finding test "$(js t.json '[(f["code"], f["message"]) for f in j["findings"]]')" = "[('budget.decompress', 'decompression budget of 268435456 bytes hit after 16 streams; the rest was not checked')]"
fw uimage verify plain.bin > plain.txt 2> plain.err
check verify-plain-still-ok test $? = 0
check verify-plain-result grep -q '^Result: *ok$' plain.txt
check verify-plain-parts test "$(grep -c '^Payload .*ok: gzip, decompresses to' plain.txt)" = 3

# ---- 4. the work is bounded: measured, reported, not asserted as a unit test ------------------
for c in "profile from-dump kernel.bin" "inspect dump.bin --device unbranded_a5-v11" "uimage verify multi.bin" "uimage verify total.bin"; do
	# shellcheck disable=SC2086
	/usr/bin/time -f "%e s %M KiB: fwkit $c" timeout 20 "$FWKIT" $c > /dev/null 2>> times.txt
	check "bounded: $c" test $? -ne 124
done
grep "KiB: fwkit" times.txt | sed 's/^/# /'
done_testing
