#!/bin/bash
# Quick start 2 (and CI): install what is missing, then build and run every test three ways:
# the dev build (-Werror), the whole suite again under ASan+UBSan, and the libFuzzer targets
# built with clang and run over their committed corpora; then the Debian packages (built,
# lintian, unpacked and run) and the static mipsel build with its CLI suite under qemu-user. Builds stop at the first error; every
# test stage runs to its end, and the closing summary (scripts/test-summary.py) prints each SKIP
# with its reason, names each fuzz target, and ends with "N passed, N failed, N skipped": a
# check that could not run here is a skip, never a pass. Exit 1 when anything failed.
set -eu
cd "$(dirname "$0")/.."
bash scripts/deps.sh test
jobs=$(nproc)
status=0
# ctest keeps only 1 KiB of a passed test's output by default; the summary reads each test's
# closing line and SKIP lines, so keep all of it (in the JUnit report, not on the terminal)
full_output="--test-output-size-passed 4000000 --test-output-size-failed 4000000"

echo "== dev build (gcc, -Wall -Wextra -Werror) and the full suite"
cmake --preset dev > /dev/null
cmake --build --preset dev -j"$jobs"
ctest --preset dev -j"$jobs" --output-junit junit.xml $full_output || status=1

echo "== release build (-O2 -Werror: optimisation finds warnings the debug build does not)"
cmake --preset release > /dev/null
cmake --build --preset release -j"$jobs"

echo "== the full suite under ASan + UBSan"
cmake --preset asan > /dev/null
cmake --build --preset asan -j"$jobs"
ctest --preset asan -j"$jobs" --output-junit junit.xml $full_output || status=1

echo "== libFuzzer targets (clang) over their corpora"
cmake --preset fuzz > /dev/null
cmake --build --preset fuzz -j"$jobs"
mkdir -p build/fuzz/replay-logs
logs=()
for f in build/fuzz/fuzz/fuzz_*; do
	name=$(basename "$f")
	corpus=fuzz/corpus/${name#fuzz_}
	log=build/fuzz/replay-logs/$name.log
	inputs=$(find "$corpus" -maxdepth 1 -type f | wc -l)
	if "$f" -runs=0 "$corpus" > "$log" 2>&1; then
		echo "$inputs passed, 0 failed" >> "$log"
	else
		echo "0 passed, 1 failed" >> "$log"
		status=1
	fi
	logs+=("$log")
done

# stage_log LOG CMD...: a stage that is one script, its whole output in LOG (its closing line
# counts in the summary); a script that skipped itself (exit 77) is one skipped check
stage_log() {
	local log=$1 rc
	shift
	mkdir -p "$(dirname "$log")"
	rc=0
	"$@" > "$log" 2>&1 || rc=$?
	[ $rc = 77 ] && echo "0 passed, 0 failed, 1 skipped" >> "$log"
	[ $rc = 0 ] || [ $rc = 77 ] || status=1
	grep -E '^(SKIP|FAIL)' "$log" | head -20
	tail -1 "$log"
}

echo "== Debian package: dpkg-buildpackage -b, lintian, dpkg -x, the unpacked tool and library (tests/package/deb.sh)"
start=$(date +%s)
if command -v dpkg-buildpackage > /dev/null 2>&1; then
	stage_log build/package/deb.log env FWKIT_SOURCE_DIR="$PWD" FWKIT_TEST_DATA="$PWD/tests/data" \
		FWKIT_SCRATCH="$PWD/build/package/scratch" bash tests/package/deb.sh
else
	mkdir -p build/package
	printf 'SKIP: dpkg-buildpackage not installed (not a Debian machine): no .deb built\n0 passed, 0 failed, 1 skipped\n' > build/package/deb.log
	cat build/package/deb.log
fi
echo "(Debian package stage: $(($(date +%s) - start)) s)"

echo "== mipsel static build (preset mipsel-static) and the CLI suite under qemu-user (scripts/test-mipsel.sh)"
start=$(date +%s)
bash scripts/mipsel-sysroot.sh
cmake --preset mipsel-static > /dev/null
cmake --build --preset mipsel-static -j"$jobs"
stage_log build/mipsel-static/suite.log bash scripts/test-mipsel.sh
echo "(mipsel stage: $(($(date +%s) - start)) s)"

echo "== summary"
python3 scripts/test-summary.py dev=build/dev/junit.xml asan=build/asan/junit.xml \
	--log deb=build/package/deb.log --log mipsel=build/mipsel-static/suite.log --fuzz "${logs[@]}" || status=1
exit $status
