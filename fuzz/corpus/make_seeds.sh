#!/bin/bash
# Rebuilds the seed inputs of fuzz/corpus/uimage from mkimage (u-boot-tools). The committed
# corpus is these seeds plus inputs libFuzzer found interesting (minimised); all are small and
# made by us or by the fuzzer, none comes from third-party firmware.
set -eu
out=$(cd "$(dirname "$0")" && pwd)/uimage
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
export SOURCE_DATE_EPOCH=1700000000
printf 'hello router\n%.0s' 1 2 3 4 5 6 7 8 > p
gzip -9 -n -c p > p.gz
xz --format=lzma -c p > p.lzma
xz -c p > p.xz
zstd -q -19 -c p > p.zst
mk() { mkimage -A mips -O linux "$@" > /dev/null; }
mk -T kernel -C none -a 80000000 -n none -d p "$out/seed-none"
mk -T kernel -C gzip -a 80000000 -n gzip -d p.gz "$out/seed-gzip"
mk -T kernel -C lzma -a 80000000 -n lzma -d p.lzma "$out/seed-lzma"
mk -T kernel -C lzma -a 80000000 -n xz-as-lzma -d p.xz "$out/seed-xz"
mk -T kernel -C zstd -a 80000000 -n zstd -d p.zst "$out/seed-zstd"
mk -T multi -C none -a 80000000 -n multi -d p:p.gz:p "$out/seed-multi"
mk -T script -C none -n script -d p "$out/seed-script"
head -c 40 "$out/seed-none" > "$out/seed-short-header"
{ printf '\377\377\377'; cat "$out/seed-gzip"; } > "$out/seed-offset3"
head -c 100 "$out/seed-lzma" > "$out/seed-truncated-payload"
