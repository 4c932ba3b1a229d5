# Shared helpers for the shell tests (sourced). Each test counts its own checks and ends with
# the plain "N passed, N failed" line; exit 0 all passed, 1 any failed, 77 skipped.
set -u
: "${FWKIT:?FWKIT must name the fwkit binary}"
: "${FWKIT_SCRATCH:=$(mktemp -d)}"
rm -rf "$FWKIT_SCRATCH"
mkdir -p "$FWKIT_SCRATCH"
cd "$FWKIT_SCRATCH" || exit 1
export TZ=UTC LC_ALL=C
pass=0
fail=0
skipped=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
# check NAME CMD...: passes when CMD exits 0
check() { local n=$1; shift; if "$@"; then ok "$n"; else bad "$n"; fi; }
# skip REASON: the whole test is skipped (ctest shows it as skipped: exit 77)
skip() { echo "SKIP: $*"; exit 77; }
# skip_part REASON: some checks cannot run here; counted as skipped, never as passed
skip_part() { echo "SKIP: $*"; skipped=$((skipped + 1)); }
need() { for t in "$@"; do command -v "$t" > /dev/null 2>&1 || skip "$t not installed"; done; }
# expect NAME WANT_EXIT STDERR_REGEX CMD...: CMD (under a 20 s timeout) exits WANT_EXIT and, when
# STDERR_REGEX is not empty, says so on stderr; stdout is left in out.txt, stderr in err.txt
expect() {
	local name=$1 want=$2 pat=$3
	shift 3
	timeout 20 "$@" > out.txt 2> err.txt
	local rc=$?
	if [ "$rc" != "$want" ]; then
		bad "$name (exit $rc, wanted $want; stderr: $(head -c 400 err.txt))"
	elif [ -n "$pat" ] && ! grep -qE -- "$pat" err.txt; then
		bad "$name (stderr lacks /$pat/: $(head -c 400 err.txt))"
	else
		ok "$name"
	fi
}
done_testing() {
	echo "$pass passed, $fail failed, $skipped skipped"
	[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
	exit $?
}
