#!/bin/bash
# Inputs and outputs that are not what they seem: FIFOs, devices, symlinks, hard links, files
# owned by someone else, huge sparse files, and a write interrupted by SIGINT or SIGKILL.
# Every refusal leaves every file as it was (cmp), and nothing blocks (each call under timeout).
. "$FWKIT_SOURCE_DIR/tests/lib.sh"

tmp_left() { find "$1" -maxdepth 1 -name '.*fwkit-tmp-*' | grep -q .; }

# a 256 KiB "dump" with an env at 0x30000 (as env_errors.sh)
printf 'bootcmd=tftp\nbootdelay=1\n' > env.txt
"$FWKIT" env create -s 0x1000 -o env.bin env.txt || exit 1
head -c 262144 /dev/zero | tr '\0' '\377' > dump.bin
dd if=env.bin of=dump.bin bs=1 seek=$((0x30000)) conv=notrunc status=none
cp dump.bin dump.orig
# what a clean edit gives: the reference for every write below
"$FWKIT" env set dump.bin bootdelay=5 -o want.bin > /dev/null || exit 1
check reference-edit-differs eval '! cmp -s want.bin dump.bin'

# ---- inputs that are not regular files: refused at open, without blocking -------------------
mkfifo fifo.in
expect fifo-input-refused 3 '^fwkit: fifo.in: refusing to read: expected a regular file, found a FIFO$' "$FWKIT" env list fifo.in
expect fifo-input-inspect 3 'found a FIFO' "$FWKIT" inspect fifo.in
expect devzero-input-refused 3 '^fwkit: /dev/zero: refusing to read: expected a regular file, found a character device$' "$FWKIT" inspect /dev/zero
expect devzero-uimage 3 'found a character device' "$FWKIT" uimage list /dev/zero
expect directory-input 3 'a directory' "$FWKIT" env list .
# a text input may come from a pipe (mkenvimage reads '-')
printf 'a=1\n' | "$FWKIT" env create -s 0x100 -o piped.bin - > /dev/null
check stdin-text-still-works test -s piped.bin

# a 4 GiB sparse file: refused before a byte is read, not "flash size 0x0", not written out in full
truncate -s 4G huge.bin
expect huge-env-set 3 '^fwkit: huge.bin: refusing to read: larger than any flash chip: expected at most 512 MiB \(the largest flash fwkit knows\), found 4294967296 bytes$' "$FWKIT" env set huge.bin a=1 -o huge-out.bin
check huge-nothing-written test ! -e huge-out.bin
expect huge-inspect 3 'larger than any flash chip' "$FWKIT" inspect huge.bin
rm -f huge.bin

# ---- outputs that are not regular files -----------------------------------------------------
mkfifo fifo.out
expect fifo-output-refused 2 '^fwkit: fifo.out: refusing to replace a special file: expected a regular file, found a FIFO$' "$FWKIT" env set dump.bin bootdelay=5 -o fifo.out
check fifo-output-still-fifo test -p fifo.out
if mknod null.dev c 1 3 2> /dev/null; then
	expect device-output-refused 2 'found a character device' "$FWKIT" env set dump.bin bootdelay=5 -o null.dev
	check device-output-still-device test -c null.dev
	expect device-output-uimage-extract 2 'found a character device' "$FWKIT" uimage create -A mips -O linux -T kernel -C none -d env.txt null.dev
	check device-output-still-device-2 test -c null.dev
else
	skip_part "device-output: mknod needs root (the FIFO cases cover the same path)"
fi

# -o a symlink: refused; with --follow the file it points at is written and the link stays
cp dump.bin target.bin
ln -s target.bin link.bin
expect symlink-output-refused 2 '^fwkit: link.bin: refusing to replace a symbolic link \(--follow writes the file it points at\): expected a regular file, found a symbolic link$' "$FWKIT" env set dump.bin bootdelay=5 -o link.bin
check symlink-output-target-unchanged cmp -s target.bin dump.orig
check symlink-output-still-link test -L link.bin
expect symlink-output-follow 0 '' "$FWKIT" env set dump.bin bootdelay=5 -o link.bin --follow
check symlink-follow-wrote-target cmp -s target.bin want.bin
check symlink-follow-kept-link test -L link.bin

# --in-place through a symlink: refused (the link is not replaced, the file not half-edited) ...
cp dump.orig real.bin
ln -s real.bin inplace-link.bin
expect inplace-symlink-refused 2 'refusing to replace a symbolic link' "$FWKIT" env set inplace-link.bin bootdelay=5 --in-place
check inplace-symlink-real-unchanged cmp -s real.bin dump.orig
check inplace-symlink-still-link test -L inplace-link.bin
# ... and with --follow the real file is edited, the link kept
expect inplace-symlink-follow 0 '' "$FWKIT" env set inplace-link.bin bootdelay=5 --in-place --follow
check inplace-follow-edited-real cmp -s real.bin want.bin
check inplace-follow-kept-link test -L inplace-link.bin

# --in-place on a hard-linked file: every link sees the edit (the inode is rewritten, not replaced)
cp dump.orig hard1.bin
ln hard1.bin hard2.bin
ino_before=$(stat -c %i hard1.bin)
expect inplace-hardlink 0 '' "$FWKIT" env set hard1.bin bootdelay=5 --in-place
check hardlink-both-edited cmp -s hard2.bin want.bin
check hardlink-same-inode test "$(stat -c %i hard1.bin)" = "$ino_before"
check hardlink-count-kept test "$(stat -c %h hard1.bin)" = 2

# --in-place keeps owner, group and mode (as root: a file owned by nobody:nogroup stays theirs)
cp dump.orig owned.bin
chmod 0640 owned.bin
if [ "$(id -u)" = 0 ] && chown nobody:nogroup owned.bin 2> /dev/null; then
	expect inplace-owner 0 '' "$FWKIT" env set owned.bin bootdelay=5 --in-place
	check inplace-owner-kept test "$(stat -c %U:%G owned.bin)" = nobody:nogroup
	cp dump.orig owned2.bin && chown nobody:nogroup owned2.bin && ln owned2.bin owned2-link.bin
	expect inplace-owner-hardlink 0 '' "$FWKIT" env set owned2.bin bootdelay=5 --in-place
	check inplace-owner-hardlink-kept test "$(stat -c %U:%G owned2-link.bin)" = nobody:nogroup
	check inplace-owner-hardlink-edited cmp -s owned2-link.bin want.bin
else
	skip_part "inplace-owner: needs root to give the file to nobody (mode is still checked)"
	expect inplace-owner 0 '' "$FWKIT" env set owned.bin bootdelay=5 --in-place
fi
check inplace-mode-kept test "$(stat -c %a owned.bin)" = 640
check inplace-owner-edited cmp -s owned.bin want.bin

# ---- temp files: SIGINT while the temp exists removes nothing half-done; SIGKILL's leftovers go --
if command -v strace > /dev/null 2>&1; then
	mkdir -p sig && cp dump.orig sig/d.bin
	# the signal arrives at fsync of the temp file: it is held until the temp is renamed or removed
	timeout 20 strace -f -o /dev/null -e trace=fsync -e inject=fsync:signal=SIGINT:when=1 \
		"$FWKIT" env set sig/d.bin bootdelay=5 --in-place > /dev/null 2>&1
	rc=$?
	check sigint-killed-by-signal test "$rc" -ne 0
	check sigint-no-temp-left eval '! tmp_left sig'
	check sigint-file-whole eval 'cmp -s sig/d.bin want.bin || cmp -s sig/d.bin dump.orig'
	# SIGKILL cannot be held: the temp stays behind, and the next write beside it removes it
	cp dump.orig sig/k.bin
	timeout 20 strace -f -o /dev/null -e trace=fsync -e inject=fsync:signal=SIGKILL:when=1 \
		"$FWKIT" env set sig/k.bin bootdelay=5 --in-place > /dev/null 2>&1
	check sigkill-left-a-temp eval 'tmp_left sig'
	check sigkill-file-untouched cmp -s sig/k.bin dump.orig
	expect next-run-ok 0 '' "$FWKIT" env set sig/k.bin bootdelay=5 --in-place
	check next-run-removed-stale-temp eval '! tmp_left sig'
	check next-run-edited cmp -s sig/k.bin want.bin
else
	skip_part "signal cases: strace not installed"
fi

check input-never-changed cmp -s dump.bin dump.orig
done_testing
