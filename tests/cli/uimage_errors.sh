#!/bin/bash
# Must-fail corpus for fwkit uimage: each damaged input gets its exit code and a message that
# names the file and the offset; nothing is written and no input changes.
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
GOOD=$FWKIT_TEST_DATA/uimage/good/breed-rt5350-hame-a5-r1163.bin
[ -f "$GOOD" ] || { echo "missing $GOOD"; exit 1; }
cp "$GOOD" good.bin
size=$(stat -c %s good.bin)

# expect NAME EXIT PATTERN CMD...: exit status and a stderr line matching PATTERN (grep -E)
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
patch_byte() { printf "$(printf '\\%03o' "$3")" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }

# --- damaged images ---
head -c 40 good.bin > short.bin
expect truncated-header-list 3 '^fwkit: short.bin: offset 0x0: uimage: header truncated: expected a 64-byte header, found 40 bytes$' "$FWKIT" uimage list short.bin
expect truncated-header-verify 3 'short.bin: offset 0x0: uimage: header truncated' "$FWKIT" uimage verify short.bin

cp good.bin magic.bin; patch_byte magic.bin 0 0x28
expect bad-magic 3 '^fwkit: magic.bin: offset 0x0: uimage: bad magic: expected 0x27051956, found 0x28051956$' "$FWKIT" uimage list magic.bin

cp good.bin hcrc.bin; patch_byte hcrc.bin 40 0x41
expect bad-header-crc-list 1 '^fwkit: hcrc.bin: offset 0x4: error: bad header CRC: expected 0x[0-9a-f]{8}, found 0x[0-9a-f]{8}$' "$FWKIT" uimage list hcrc.bin
expect bad-header-crc-verify 1 'hcrc.bin: offset 0x4: error: bad header CRC' "$FWKIT" uimage verify hcrc.bin
check bad-header-crc-verify-names-check grep -q '^Header CRC:   FAILED: offset 0x4' out.txt
check bad-header-crc-result grep -q '^Result:       FAILED: header-crc$' out.txt

cp good.bin dcrc.bin; patch_byte dcrc.bin 1000 0x00; patch_byte dcrc.bin 1001 0x01
expect bad-data-crc-verify 1 '^fwkit: dcrc.bin: offset 0x18: error: bad data CRC: expected 0x[0-9a-f]{8}, found 0x[0-9a-f]{8}$' "$FWKIT" uimage verify dcrc.bin
check bad-data-crc-result grep -q '^Result:       FAILED: data-crc$' out.txt
expect bad-data-crc-list 1 'dcrc.bin: offset 0x18: error: bad data CRC' "$FWKIT" uimage list dcrc.bin

head -c $((size - 100)) good.bin > past.bin
expect size-past-eof-verify 1 '^fwkit: past.bin: offset 0xc: error: payload runs 100 bytes past the end of the input .*: expected 82882 bytes, found 82782 bytes$' "$FWKIT" uimage verify past.bin
check size-past-eof-names-check grep -q '^Data Size:    FAILED: offset 0xc: expected 82882 bytes after the header, found 82782' out.txt
expect size-past-eof-list 1 'past.bin: offset 0xc' "$FWKIT" uimage list past.bin
check size-past-eof-list-says-truncated grep -q '^Truncated:    payload needs 82882 bytes, the file holds 82782 after the header (100 missing)$' out.txt

# --- files that cannot be read ---
: > empty.bin
expect empty-file 3 '^fwkit: empty.bin: offset 0x0: uimage: header truncated: expected a 64-byte header, found 0 bytes$' "$FWKIT" uimage list empty.bin
mkdir -p adir
expect directory 3 '^fwkit: adir: cannot read: expected a file, found a directory$' "$FWKIT" uimage list adir
expect missing-file 3 '^fwkit: nosuch.bin: cannot open: No such file or directory$' "$FWKIT" uimage verify nosuch.bin
cp good.bin locked.bin; chmod 000 locked.bin
if [ "$(id -u)" = 0 ]; then
	# root reads anything: run as nobody so the permission really applies
	if command -v setpriv > /dev/null; then
		# in a folder of its own under /tmp, so nobody can reach it whatever the clone's parents allow
		nob=$(mktemp -d /tmp/fwkit-nobody.XXXXXX)
		chmod 755 "$nob"
		cp "$FWKIT" "$nob/fwkit"
		cp locked.bin "$nob/locked.bin"
		chmod 755 "$nob/fwkit"
		chmod 000 "$nob/locked.bin"
		expect unreadable-file 3 "^fwkit: $nob/locked.bin: cannot open: Permission denied\$" setpriv --reuid=65534 --regid=65534 --clear-groups "$nob/fwkit" uimage list "$nob/locked.bin"
		rm -rf "$nob"
	else
		skip_part "unreadable-file: setpriv not available to drop root"
	fi
else
	expect unreadable-file 3 '^fwkit: locked.bin: cannot open: Permission denied$' "$FWKIT" uimage list locked.bin
fi
expect offset-past-end 3 "^fwkit: good.bin: offset 0x100000: uimage: offset past the end of the file: expected at most 0x$(printf %x "$size")$" "$FWKIT" uimage list --offset 0x100000 good.bin

# --- writes: refused, dry-run, never in place ---
rm -f out.bin
expect extract-refuses-bad-crc 1 'refusing to extract from a damaged image' "$FWKIT" uimage extract dcrc.bin -o out.bin
check extract-refused-wrote-nothing test ! -e out.bin
expect extract-force 0 '' "$FWKIT" uimage extract dcrc.bin -o out.bin --force
check extract-force-bytes cmp -s out.bin <(tail -c +65 dcrc.bin)
rm -f dry.bin
expect extract-dry-run 0 '' "$FWKIT" uimage extract good.bin -o dry.bin --dry-run
check extract-dry-run-wrote-nothing test ! -e dry.bin
expect extract-onto-input 2 'refusing to overwrite the input file' "$FWKIT" uimage extract good.bin -o good.bin
check input-unchanged cmp -s good.bin "$GOOD"
printf 'abc' > p1; printf 'defgh' > p2
expect make-multi 0 '' "$FWKIT" uimage create -A mips -T multi -C none -d p1:p2 multi.img
expect extract-no-such-part 3 '^fwkit: multi.img: offset 0x40: uimage: no such part: expected a part below 2, found 5$' "$FWKIT" uimage extract multi.img -p 5 -o part.bin
check extract-no-such-part-wrote-nothing test ! -e part.bin
expect create-onto-input 2 'refusing to overwrite an input file' "$FWKIT" uimage create -A mips -d p1 p1
check create-onto-input-unchanged test "$(cat p1)" = abc
expect create-dry-run 0 '' "$FWKIT" uimage create -A mips -d p1 --dry-run never.img
check create-dry-run-wrote-nothing test ! -e never.img
expect create-missing-data 3 '^fwkit: nope: cannot open: No such file or directory$' "$FWKIT" uimage create -A mips -d nope x.img
check create-missing-data-wrote-nothing test ! -e x.img
expect create-into-missing-folder 4 'no/such/dir/x.img: cannot create temporary file: No such file or directory' "$FWKIT" uimage create -A mips -d p1 no/such/dir/x.img

# --- usage errors: exit 2 with the synopsis ---
expect unknown-option 2 "unknown option '--frobnicate'" "$FWKIT" uimage list --frobnicate good.bin
expect missing-value 2 "option '--offset' needs a value" "$FWKIT" uimage list good.bin --offset
expect bad-number 2 "'zz' is not a non-negative number" "$FWKIT" uimage list --offset zz good.bin
expect no-file 2 'expected one FILE' "$FWKIT" uimage verify
expect unknown-arch 2 "unknown architecture 'vax'" "$FWKIT" uimage create -A vax -d p1 x.img
expect unsupported-type 2 'type not supported for legacy images' "$FWKIT" uimage create -A mips -T kwbimage -d p1 x.img
expect unknown-command 2 "'frob' is not a fwkit command" "$FWKIT" frob
expect group-without-subcommand 2 "'uimage' needs a subcommand" "$FWKIT" uimage

# --- a full disk never exits 0 ---
if [ -w /dev/full ]; then
	"$FWKIT" uimage list good.bin > /dev/full 2> err.txt
	rc=$?
	if [ $rc = 4 ] && grep -q 'cannot write to standard output' err.txt; then ok stdout-full-disk; else bad "stdout-full-disk (exit $rc)"; fi
fi

# --- inputs were never modified by any of the above ---
check good-input-untouched cmp -s good.bin "$GOOD"
done_testing
