#!/bin/bash
# Assembles the demo's whole flash dump: the 4 MiB SPI NOR chip of an A5-V11 (RT5350F) as a
# CH341A read of it would look after OpenWrt was installed, from the real parts in tests/data
# (tests/data/PROVENANCE.md), laid out as OpenWrt's rt5350_unbranded_a5-v11.dts does:
#
#   0x000000  u-boot      192 KiB  the stock A5-V11 bootloader (U-Boot 1.1.3, Ralink SDK), real dump
#   0x030000  u-boot-env   64 KiB  that U-Boot's own default environment (the text compiled into it),
#                                  as its saveenv stores it: 4 KiB, CRC-32 first (made by mkenvimage)
#   0x040000  factory      64 KiB  RT5350 Wi-Fi EEPROM, MAC 02:00:00:00:20:00 (locally administered)
#   0x050000  firmware   3776 KiB  OpenWrt 19.07.7 for the A5-V11 (the real sysupgrade.bin)
#
# Erased flash (0xFF) everywhere else. Only dd, head and tr write the dump; the env block is made
# by mkenvimage (u-boot-tools) or, without it, `fwkit env create` (byte-identical to it, tests/interop).
#   demo-dump.sh OUT [FWKIT]
set -eu
out=${1:?usage: demo-dump.sh OUT [FWKIT]}
fwkit=${2:-fwkit}
data=$(cd "$(dirname "$0")/../tests/data" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# put OFFSET FILE: FILE's bytes into the dump at OFFSET, the dump's size unchanged
put() { dd if="$2" of="$tmp/dump" bs=64k seek="$(($1))" oflag=seek_bytes conv=notrunc status=none; }

if command -v mkenvimage > /dev/null 2>&1; then
	mkenvimage -s 0x1000 -o "$tmp/env" "$data/flash/a5-v11-default-env.txt"
else
	"$fwkit" env create -s 0x1000 -o "$tmp/env" "$data/flash/a5-v11-default-env.txt" > /dev/null
fi
head -c $((4 * 1024 * 1024)) /dev/zero | tr '\0' '\377' > "$tmp/dump"
put 0x000000 "$data/bootloader/a5-v11-stock-uboot.bin"
put 0x030000 "$tmp/env"
put 0x040000 "$data/wifi-eeprom/good/rt5350-factory.bin"
put 0x050000 "$data/uimage/good/a5-v11-19.07.7-sysupgrade.bin"
mkdir -p "$(dirname "$out")"
mv "$tmp/dump" "$out"
