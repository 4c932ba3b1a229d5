#!/bin/bash
# Rebuilds the seed inputs of fuzz/corpus/ubootenv with mkenvimage (u-boot-tools). The committed
# corpus is these seeds plus inputs libFuzzer found interesting; all small, none from firmware.
set -eu
out=$(cd "$(dirname "$0")" && pwd)/ubootenv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
printf 'bootcmd=tftp\nbootdelay=1\nipaddr=192.168.1.1\n' > t
mkenvimage -s 0x100 -o "$out/seed-single" t
mkenvimage -s 0x100 -b -o "$out/seed-be" t
mkenvimage -s 0x80 -r -o r t
cat r r > "$out/seed-redundant-pair"
printf 'SN=1/2\ncolor=101\nCountryCode=CN\nmodel=R3G\n' > b
mkenvimage -s 0x100 -p 0 -o "$out/seed-bdata" b
printf 'ENV\0a=1\0b=2\0\0' > "$out/seed-breed"
printf 'bootcmd=x\0bootdelay=2\0baudrate=57600\0\0' > "$out/seed-text-no-crc"
{ head -c 512 /dev/zero | tr '\0' '\377'; cat "$out/seed-single"; } > "$out/seed-offset"
printf 'a=1\n#c\n\nb=2\\\nc\r\n' > "$out/seed-text"
