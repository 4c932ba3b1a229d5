#!/bin/bash
# Rebuilds the seeds of fuzz/corpus/{tplink,seama,chk,sysupgrade_tar}: each container made by
# tests/vendor_ref.py around a tiny mkimage kernel (u-boot-tools) and tests/data/squashfs/good/xz.sqsh,
# plus one-byte damaged copies. Small, made by us; none comes from third-party firmware. The
# committed corpora also hold what libFuzzer found in 150 s per target (-merge=1, files up to 12 KB).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
ref="python3 $src/tests/vendor_ref.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
printf 'tiny kernel\n' > p
SOURCE_DATE_EPOCH=1700000000 mkimage -A mips -O linux -T kernel -C none -a 80000000 -n tiny -d p k > /dev/null
r=$src/tests/data/squashfs/good/xz.sqsh
flip() { python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[int(sys.argv[2])] ^= 1; open(sys.argv[3], "wb").write(b)' "$@"; }
$ref tplink1 "$here/tplink/seed-v1" k "$r"
$ref tplink1 "$here/tplink/seed-v1-kernel-only" k
$ref tplink2 "$here/tplink/seed-v2" k "$r"
flip "$here/tplink/seed-v1" 600 "$here/tplink/seed-v1-body-byte"
$ref seama "$here/seama/seed-entity" k dev=/dev/mtdblock/2 type=firmware
$ref seal "$here/seama/seed-seal" k type=firmware
flip "$here/seama/seed-entity" 70 "$here/seama/seed-image-byte"
$ref chk "$here/chk/seed-kernel-rootfs" U12H139T01_NETGEAR k "$r"
$ref chk "$here/chk/seed-kernel-only" U12H319T00_NETGEAR k
flip "$here/chk/seed-kernel-rootfs" 41 "$here/chk/seed-board-id"
$ref systar "$here/sysupgrade_tar/seed-squashfs" tiny_board k "$r"
flip "$here/sysupgrade_tar/seed-squashfs" 700 "$here/sysupgrade_tar/seed-header-byte"
