#!/bin/bash
# Stripped size of the static mipsel fwkit (preset mipsel-static, musl) with and without each
# optional part (CMakeLists.txt FWKIT_DISABLE_*), and two of them against glibc (preset
# mipsel-static-glibc) for comparison; one build folder per variant under build/mipsel-size/.
# Prints a Markdown table (README.md "The router build" keeps the latest). With arguments, only
# the builds whose names start with them (scripts/test-mipsel.sh checks "env, mac" < 1 MiB).
set -eu
cd "$(dirname "$0")/.."
bash scripts/mipsel-sysroot.sh > /dev/null
variants=("all parts|" "all parts, glibc|glibc" "without squashfs|-DFWKIT_DISABLE_SQUASHFS=ON" "without zstd|-DFWKIT_DISABLE_ZSTD=ON"
	"without tftp-server|-DFWKIT_DISABLE_TFTP=ON"
	"env, mac, inspect, serve... (without squashfs, zstd)|-DFWKIT_DISABLE_SQUASHFS=ON -DFWKIT_DISABLE_ZSTD=ON"
	"env, mac, inspect, serve..., glibc|glibc -DFWKIT_DISABLE_SQUASHFS=ON -DFWKIT_DISABLE_ZSTD=ON"
	"without all three|-DFWKIT_DISABLE_SQUASHFS=ON -DFWKIT_DISABLE_ZSTD=ON -DFWKIT_DISABLE_TFTP=ON")
mkdir -p build/mipsel-size
echo "| build | stripped bytes | MiB |"
echo "|---|---:|---:|"
for v in "${variants[@]}"; do
	name=${v%%|*}
	flags=${v#*|}
	if [ $# -gt 0 ]; then
		wanted=0
		for w in "$@"; do [[ $name == "$w"* ]] && wanted=1; done
		[ $wanted = 1 ] || continue
	fi
	preset=mipsel-static
	case $flags in glibc*) preset=mipsel-static-glibc flags=${flags#glibc} ;; esac
	dir=build/mipsel-size/$(echo "$name" | tr -c 'a-z0-9\n' '-' | cut -c1-40)
	# shellcheck disable=SC2086
	cmake --preset "$preset" -B "$dir" $flags > "$dir.log" 2>&1 || { mkdir -p "$dir"; cat "$dir.log" >&2; exit 1; }
	cmake --build "$dir" -j"$(nproc)" --target fwkit-cli >> "$dir.log" 2>&1 || { tail -30 "$dir.log" >&2; exit 1; }
	mipsel-linux-gnu-strip -o "$dir/fwkit.stripped" "$dir/fwkit"
	bytes=$(stat -c %s "$dir/fwkit.stripped")
	awk -v n="$name" -v b="$bytes" 'BEGIN { printf "| %s | %d | %.2f |\n", n, b, b / 1048576 }'
done
