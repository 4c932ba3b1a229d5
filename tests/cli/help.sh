#!/bin/bash
# The command table: every command answers --help with exit 0 and its synopsis; the top-level
# help lists them all; --version works; JSON output parses and escapes firmware bytes.
. "$FWKIT_SOURCE_DIR/tests/lib.sh"

"$FWKIT" help > help.txt; check help-exit-0 test $? = 0
commands=$(sed -n 's/^  \([a-z]\+\( [a-z-]\+\)\?\) \+.*/\1/p' help.txt)
check help-lists-commands test -n "$commands"
n=0
while read -r c; do
	[ -z "$c" ] && continue
	n=$((n + 1))
	# shellcheck disable=SC2086
	"$FWKIT" $c --help > h.txt 2> e.txt
	rc=$?
	check "help-$c-exit-0" test $rc = 0
	check "help-$c-synopsis" grep -q "^usage: fwkit $c" h.txt
	check "help-$c-no-stderr" test ! -s e.txt
	# shellcheck disable=SC2086
	"$FWKIT" help $c > h2.txt
	check "help-$c-same-via-help" cmp -s h.txt h2.txt
	# the synopsis in the docs matches the one the tool prints
	syn=$(sed -n 's/^usage: fwkit //p' h.txt)
	check "help-$c-documented" grep -qF "fwkit $syn" "$FWKIT_SOURCE_DIR/docs/fwkit.md"
done <<< "$commands"
check help-has-every-command test $n -ge 22
"$FWKIT" --version > v.txt; check version-exit-0 test $? = 0
check version-text grep -qE '^fwkit [0-9]+\.[0-9]+\.[0-9]+ ' v.txt
check version-says-flash grep -qE '^flash: (libflashrom|not built in \(configure with libflashrom-dev\))' v.txt
"$FWKIT" > /dev/null 2> e.txt; check no-args-exit-2 test $? = 2

# JSON: valid, with a schema, and firmware bytes that are not UTF-8 escaped, never raw
GOOD=$FWKIT_TEST_DATA/uimage/good/breed-rt5350-hame-a5-r1163.bin
printf 'payload' > p
"$FWKIT" uimage create -A mips -T kernel -C none -n "$(printf 'ok\377\376name')" -d p bin-name.img > /dev/null
for c in list verify; do
	"$FWKIT" uimage $c --json "$GOOD" > j.json
	check "json-$c-parses" python3 -c 'import json,sys; d=json.load(open("j.json")); sys.exit(0 if d["schema"]==1 else 1)'
done
"$FWKIT" uimage list --json bin-name.img > j.json
check json-escapes-invalid-utf8 python3 -c '
import json,sys
raw=open("j.json","rb").read()
raw.decode("utf-8")                       # the document itself is valid UTF-8
d=json.loads(raw)
sys.exit(0 if d["image"]["name"]=="ok\\xff\\xfename" and d["image"]["name_hex"]=="6f6bfffe6e616d65" else 1)'
"$FWKIT" uimage verify --json "$GOOD" > j.json
check json-verify-checks python3 -c '
import json,sys
d=json.load(open("j.json"))
names=[c["check"] for c in d["checks"]]
sys.exit(0 if d["ok"] and names==["header-crc","data-size","data-crc","payload"] else 1)'
"$FWKIT" uimage list --json "$FWKIT_TEST_DATA/uimage/good/hame-mpr-a1-v22-uboot128.bin" > j.json
check json-trailer python3 -c '
import json,sys
d=json.load(open("j.json"))
sys.exit(0 if d["image"]["trailer"]=={"size":22580,"kind":"zero"} else 1)'
done_testing
