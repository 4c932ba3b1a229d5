#!/usr/bin/env bash
# bench/scan.sh: `fwkit scan` (plain and --deep), `fwkit identify` and `fwkit inspect` against
# `binwalk` on one 16 MiB flash dump, side by side in one hyperfine run; ratios (binwalk time /
# fwkit time), peak memory (max RSS, /usr/bin/time) and what each found.
#
#   bash bench/scan.sh [OUT.md]        (needs hyperfine, binwalk, python3; builds build/bench)
#
# The dump: 0xFF, the Xiaomi R4A Gigabit U-Boot (tests/data) at 0, an env at 0x30000, Bdata at
# 0x40000, the real Mi R3G factory partition and the real OpenWrt 3G v2 sysupgrade image from
# ../shared/testdata/real when present (else the A5-V11 image in tests/data) at 0x50000 and
# 0x180000; its MACs are replaced with 02:00:00:00:10:0x before anything is timed or printed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
OUT=${1:-$ROOT/build/bench/scan.md}
DATA=${FWKIT_BENCH_DATA:-$ROOT/../shared/testdata/real}
for t in hyperfine binwalk python3; do
	command -v "$t" > /dev/null || { echo "bench/scan.sh: missing $t (apt-get install $t)" >&2; exit 2; }
done
if [[ -z ${FWKIT_BENCH_FWKIT:-} ]]; then
	cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DFWKIT_BENCH=ON > /dev/null
	cmake --build build/bench -j"$(nproc)" > /dev/null
fi
FWKIT=${FWKIT_BENCH_FWKIT:-$ROOT/build/bench/fwkit}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

FW=$DATA/openwrtinvasion/openwrt-ramips-mt7621-xiaomi_mir3g-v2-squashfs-sysupgrade.bin
EE=$DATA/mi-r3g-noob/eeprom.bin
[[ -r $FW && -r $EE ]] || { FW=$ROOT/tests/data/uimage/good/a5-v11-19.07.7-sysupgrade.bin; EE=; }
printf 'bootcmd=tftp\nbootdelay=1\n' > "$W/env.txt"
printf 'model=R3G\nCountryCode=EU\n' > "$W/bdata.txt"
"$FWKIT" env create -s 0x1000 -o "$W/env.bin" "$W/env.txt" > /dev/null
"$FWKIT" env create -s 0x4000 -o "$W/bdata.bin" "$W/bdata.txt" > /dev/null
python3 - "$W" "$ROOT/tests/data/bootloader/xiaomi-r4a-gigabit-uboot3.bin" "$FW" "${EE:-}" << 'PY'
import sys
w, boot, fw, ee = sys.argv[1:5]
d = bytearray(b"\xff" * (16 << 20))
def put(off, path, n=None):
    b = open(path, "rb").read()[:n]
    d[off:off + len(b)] = b
put(0, boot); put(0x30000, w + "/env.bin"); put(0x40000, w + "/bdata.bin"); put(0x180000, fw)
if ee:
    put(0x50000, ee, 0x10000)
else:
    d[0x50000:0x50002] = b"\x03\x76"; d[0x58000:0x58002] = b"\x62\x76"
open(w + "/dump.bin", "wb").write(d)
PY
"$FWKIT" mac set "$W/dump.bin" --device xiaomi_mi-router-3g-v2 --label 02:00:00:00:10:00 --in-place > /dev/null 2>&1 || true
D=$W/dump.bin

hyperfine -N -i --warmup 2 --min-runs 5 --max-runs 50 --export-json "$W/h.json" \
	-n binwalk "binwalk $D" -n "fwkit scan" "$FWKIT scan $D" -n "fwkit scan --deep" "$FWKIT scan --deep $D" \
	-n "fwkit identify" "$FWKIT identify $D" -n "fwkit inspect" "$FWKIT inspect $D" > "$W/h.txt" 2>&1
rss() { /usr/bin/time -f %M "$@" > /dev/null 2> "$W/rss" || true; tail -1 "$W/rss"; }
binwalk "$D" > "$W/bw.txt"
"$FWKIT" scan "$D" > "$W/scan.txt" || true
{
	echo "## scan, identify and inspect against binwalk (16 MiB dump)"
	echo
	echo "One hyperfine run (\`-N --warmup 2\`), $(hyperfine --version), binwalk $(binwalk 2>&1 | sed -n 's/^Binwalk v//p' | head -1), $(nproc) cores."
	echo
	python3 - "$W/h.json" << 'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
b = r["binwalk"]["mean"]
print("| command | mean | sigma | binwalk / this |")
print("|---|---:|---:|---:|")
for name, x in r.items():
    print("| `%s` | %.1f ms | %.1f ms | %.1fx |" % (name, x["mean"] * 1000, x["stddev"] * 1000, b / x["mean"]))
PY
	echo
	echo "Peak memory (max RSS): binwalk $(rss binwalk "$D") KB, fwkit scan $(rss "$FWKIT" scan "$D") KB, scan --deep $(rss "$FWKIT" scan --deep "$D") KB, identify $(rss "$FWKIT" identify "$D") KB, inspect $(rss "$FWKIT" inspect "$D") KB."
	echo
	echo "binwalk found $(grep -cE '^[0-9]+ ' "$W/bw.txt") signatures; fwkit scan: $(tail -1 "$W/scan.txt")."
	echo
	echo '```'
	grep -E '^[0-9]+ ' "$W/bw.txt" | cut -c1-100
	echo '```'
	echo '```'
	cut -c1-140 "$W/scan.txt"
	echo '```'
} > "$W/out.md"
mkdir -p "$(dirname "$OUT")"
cp "$W/out.md" "$OUT"
cat "$OUT"
