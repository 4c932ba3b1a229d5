#!/bin/bash
# Quick start 1: install what is missing, build fwkit, and run it on a bundled real image
# (OpenWrt 19.07.7 sysupgrade for the A5-V11: an lzma kernel uImage followed by squashfs).
set -eu
cd "$(dirname "$0")/.."
bash scripts/deps.sh build
cmake --preset release > /dev/null
cmake --build --preset release -j"$(nproc)" > /dev/null
img=tests/data/uimage/good/a5-v11-19.07.7-sysupgrade.bin
echo "\$ fwkit uimage list $img"
build/release/fwkit uimage list "$img"
echo
echo "\$ fwkit uimage verify $img"
build/release/fwkit uimage verify "$img"
