#!/bin/bash
# The router build's suite: the shell tests of tests/cli (and the loopback TFTP client test) run
# against the static mipsel fwkit (preset mipsel-static) under qemu-user (qemu-mipsel-static),
# two at a time. Each test's whole output is in build/mipsel-static/suite/<test>.log; this prints
# each test's closing line, every SKIP with its reason, and ends with the sum
# "N passed, N failed, N skipped" (scripts/test-all.sh hands that to scripts/test-summary.py).
# A test whose tool cannot work under qemu-user is a skip with its reason, never a pass.
set -u
cd "$(dirname "$0")/.."
src=$PWD
build=$src/build/mipsel-static
out=$build/suite
if ! command -v qemu-mipsel-static > /dev/null 2>&1; then
	echo "SKIP: qemu-mipsel-static (qemu-user-static) not installed: the mipsel suite did not run"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
if [ ! -x "$build/fwkit" ]; then
	echo "FAIL: $build/fwkit not built (cmake --build --preset mipsel-static)"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
rm -rf "$out"
mkdir -p "$out/bin"
# the tests run $FWKIT; the man page and completion the build made lie beside it (manpage.sh)
cat > "$out/bin/fwkit" << EOT
#!/bin/sh
exec qemu-mipsel-static "$build/fwkit" "\$@"
EOT
chmod +x "$out/bin/fwkit"
ln -s "$build/fwkit.1" "$build/fwkit.bash-completion" "$out/bin/"

# not run under qemu-user, and why (each is one skipped check)
declare -A not_here=(
	[safe_io]="strace injects signals at fwkit's own system calls; under qemu-user the traced process is QEMU, whose system calls are not fwkit's"
)
tests=$(ls tests/cli/*.sh tests/interop/tftp_clients.sh)
# test-mipsel.sh NAME...: only those tests (e.g. extract manpage)
if [ $# -gt 0 ]; then
	tests=$(for n in "$@"; do echo "$tests" | grep "/$n\.sh$"; done)
fi
run_one() {
	local t=$1 name start
	name=$(basename "$t" .sh)
	start=$(date +%s)
	FWKIT=$out/bin/fwkit FWKIT_SOURCE_DIR=$src FWKIT_TEST_DATA=$src/tests/data \
		FWKIT_REAL_DATA=${FWKIT_REAL_DATA:-$src/../shared/testdata/real} FWKIT_SCRATCH=$out/scratch/$name \
		TZ=UTC LC_ALL=C timeout -k 10 900 bash "$t" > "$out/$name.log" 2>&1
	echo "exit $? after $(($(date +%s) - start)) s" >> "$out/$name.log"
}
export -f run_one
export out src
# the two longest (inspect, scan: about 2 minutes each under qemu) start first, one per core
for t in $(echo "$tests" | grep -E '/(inspect|scan)\.sh$') $(echo "$tests" | grep -vE '/(inspect|scan)\.sh$'); do
	name=$(basename "$t" .sh)
	[ -n "${not_here[$name]:-}" ] && continue
	echo "$t"
done | xargs -P "$(nproc)" -I{} bash -c 'run_one {}'

pass=0 fail=0 skipped=0
for t in $tests; do
	name=$(basename "$t" .sh)
	if [ -n "${not_here[$name]:-}" ]; then
		echo "SKIP: mipsel/$name: ${not_here[$name]}"
		skipped=$((skipped + 1))
		continue
	fi
	log=$out/$name.log
	rc=$(sed -n 's/^exit \([0-9]*\).*/\1/p' "$log" | tail -1)
	secs=$(sed -n 's/^exit .* after \([0-9]*\) s$/\1/p' "$log" | tail -1)
	closing=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	grep '^SKIP' "$log" | sed "s|^SKIP:\? *|SKIP: mipsel/$name: |"
	if [ "$rc" = 77 ]; then
		[ -n "$(grep '^SKIP' "$log")" ] || echo "SKIP: mipsel/$name: (no reason printed)"
		skipped=$((skipped + 1))
		continue
	fi
	read -r p f s <<< "$(echo "$closing" | sed -E 's/^([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?.*/\1 \2 \4/')"
	p=${p:-0} f=${f:-0} s=${s:-0}
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
	echo "mipsel/$name: ${closing:-no closing line} (exit $rc, ${secs:-?} s)"
	[ "$rc" != 0 ] && grep '^FAIL' "$log" | head -20 | sed "s|^|  mipsel/$name: |"
	pass=$((pass + p)) fail=$((fail + f)) skipped=$((skipped + s))
done

# the router build's size aim (issue 14): the env/mac/inspect/serve set under 1 MiB stripped, and
# the binary the suite ran is static (no interpreter to find on the router)
size_row=$(bash scripts/mipsel-sizes.sh "env, mac, inspect, serve... (" 2> "$out/size.log" | grep '^| env')
bytes=$(echo "$size_row" | awk -F'|' '{gsub(/ /, "", $3); print $3}')
if [ -n "$bytes" ] && [ "$bytes" -lt 1048576 ]; then
	echo "PASS: mipsel/size: env/mac/inspect/serve set $bytes bytes stripped (< 1048576)"
	pass=$((pass + 1))
else
	echo "FAIL: mipsel/size: env/mac/inspect/serve set ${bytes:-not built} bytes stripped, aim < 1048576 (see $out/size.log)"
	fail=$((fail + 1))
fi
if mipsel-linux-gnu-readelf -lW "$build/fwkit" | grep -q INTERP; then
	echo "FAIL: mipsel/static: $build/fwkit has a program interpreter (not static)"
	fail=$((fail + 1))
else
	echo "PASS: mipsel/static: $build/fwkit has no program interpreter"
	pass=$((pass + 1))
fi
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" = 0 ]
