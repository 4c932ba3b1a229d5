#!/bin/bash
# Quick start 1: install what is missing, build and install fwkit into ./_install (inside this
# checkout), assemble a whole 4 MiB flash dump of an A5-V11 router from the real parts bundled
# in tests/data (scripts/demo-dump.sh), and run what a user runs first on a dump: identify,
# inspect, env list, mac list. Every build step shows its progress and its errors.
set -eu
cd "$(dirname "$0")/.."
top=$PWD
prefix=$top/_install
step() { printf '\n==== %s\n' "$*"; }
# show CMD...: print the command as a user would type it, then run it (a non-zero exit is shown, not fatal)
show() {
	printf '\n$ fwkit %s\n' "$*"
	"$prefix/bin/fwkit" "$@" || echo "(exit $?: docs/exit-codes.md)"
}

step "1/4 packages (scripts/deps.sh build: only what is missing)"
bash scripts/deps.sh build

step "2/4 build (cmake, release, build/demo) and install into $prefix"
cmake -S . -B build/demo -DCMAKE_BUILD_TYPE=Release -DFWKIT_TESTS=OFF
cmake --build build/demo -j"$(nproc)"
cmake --install build/demo --prefix "$prefix"

step "3/4 a whole flash dump from real parts (scripts/demo-dump.sh)"
dump=_demo/a5-v11-4m.bin
bash scripts/demo-dump.sh "$dump" "$prefix/bin/fwkit"
echo "$dump: 4 MiB SPI NOR of an A5-V11 (RT5350F): stock U-Boot 1.1.3, its environment, the"
echo "factory (Wi-Fi EEPROM) partition, OpenWrt 19.07.7; offsets and sources in scripts/demo-dump.sh"

step "4/4 what fwkit says about it"
show identify "$dump"
show inspect "$dump"
show env list "$dump"
show mac list "$dump"

step "fwkit is installed in $prefix"
cat << EOT
  the tool       $prefix/bin/fwkit
  the manual     man -l $prefix/share/man/man1/fwkit.1
  the library    $prefix/include/fwkit/, $prefix/lib/libfwkit.so.0 and libfwkit.a, lib/pkgconfig/fwkit.pc
To call it as plain 'fwkit' in this shell (and Tab-complete its commands and options):
  export PATH="$prefix/bin:\$PATH" MANPATH="$prefix/share/man:"
  . $prefix/share/bash-completion/completions/fwkit

On your own dump (a read of the whole chip, e.g. 'flashrom -p ch341a_spi -r mine.bin'), next:
  fwkit inspect mine.bin                                 # the device, and a verdict on every partition
  fwkit env set mine.bin bootdelay=3 -o mine-new.bin     # an edit: same size, CRC recomputed (--dry-run first shows the bytes)
  fwkit layout mine.bin --changed-against mine-new.bin   # a flashrom layout that writes only what changed
EOT
