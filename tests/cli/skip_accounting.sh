#!/bin/bash
# The test report hides nothing: a check skipped inside a shell test (skip_part) and a whole test
# skipped by ctest (exit 77) are counted as skipped, never as passed, each with its reason, and a
# failed or crashed test is a failure (scripts/test-summary.py, what scripts/test-all.sh prints).
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
need python3
SUM=$FWKIT_SOURCE_DIR/scripts/test-summary.py

# a shell test of our own kind, with one check skipped: its closing line counts the skip
cat > inner.sh << EOF2
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
ok first
skip_part "the thing this check needs is absent"
ok second
done_testing
EOF2
FWKIT_SCRATCH=$FWKIT_SCRATCH/inner bash inner.sh > inner.out
check inner-closing-line test "$(tail -1 inner.out)" = "2 passed, 0 failed, 1 skipped"
check inner-skip-reason grep -qx 'SKIP: the thing this check needs is absent' inner.out

# a JUnit file as ctest writes it: that shell test, a cmocka binary, a test ctest skipped (77), a crash
python3 - "$(cat inner.out)" << 'EOF2'
import sys
from xml.sax.saxutils import escape
shell = sys.argv[1]
cmocka = "[==========] 3 test(s) run.\n[  PASSED  ] 3 test(s).\n"
xml = """<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="x" tests="4">
<testcase name="cli/inner" status="run"><system-out>%s</system-out></testcase>
<testcase name="unit/thing" status="run"><system-out>%s</system-out></testcase>
<testcase name="interop/qemu" status="notrun"><skipped message="SKIP_RETURN_CODE=77"/><system-out>SKIP: /dev/net/tun unavailable
</system-out></testcase>
</testsuite>
""" % (escape(shell), escape(cmocka))
open("junit.xml", "w").write(xml)
open("junit-fail.xml", "w").write(xml.replace('</testsuite>', '<testcase name="cli/crash" status="fail"><failure message="SEGFAULT"/><system-out>PASS a\n</system-out></testcase>\n</testsuite>'))
EOF2
printf 'INFO: Done 12 runs\n12 passed, 0 failed\n' > fuzz_uimage.log
python3 "$SUM" dev=junit.xml --fuzz fuzz_uimage.log > sum.out
check summary-exit-0 test $? = 0
check summary-closing-line test "$(tail -1 sum.out)" = "17 passed, 0 failed, 2 skipped"
check summary-inner-skip-named grep -qF 'SKIP [dev] cli/inner: the thing this check needs is absent' sum.out
check summary-ctest-skip-named grep -qF 'SKIP [dev] interop/qemu: /dev/net/tun unavailable' sum.out
check summary-fuzz-target-named grep -qF 'fuzz replay fuzz_uimage: 12 passed, 0 failed' sum.out
python3 "$SUM" dev=junit-fail.xml > fail.out
check summary-crash-exit-1 test $? = 1
check summary-crash-counted test "$(tail -1 fail.out)" = "5 passed, 1 failed, 2 skipped"
check summary-crash-named grep -qF 'FAIL [dev] cli/crash' fail.out
# a stage that is one script (--log: the Debian package, the mipsel suite): its closing line
# counts, each SKIP is named with the stage, and a log without a closing line is a failure
printf 'SKIP: mipsel/safe_io: strace would trace QEMU\nmipsel/help: 3 passed, 0 failed, 0 skipped (exit 0)\n3 passed, 0 failed, 1 skipped\n' > mipsel.log
python3 "$SUM" dev=junit.xml --log mipsel=mipsel.log --fuzz fuzz_uimage.log > staged.out
check summary-log-exit-0 test $? = 0
check summary-log-counted test "$(tail -1 staged.out)" = "20 passed, 0 failed, 3 skipped"
check summary-log-skip-named grep -qF 'SKIP [mipsel] mipsel/safe_io: strace would trace QEMU' staged.out
printf 'building...\n' > cut.log
python3 "$SUM" dev=junit.xml --log deb=cut.log > cut.out
check summary-log-without-closing-fails test $? = 1
check summary-log-without-closing-named grep -qF 'FAIL [deb] no closing line in cut.log' cut.out
printf '<?xml version="1.0"?><testsuite name="x" tests="0"></testsuite>' > empty.xml
python3 "$SUM" dev=empty.xml > empty.out
check summary-no-test-is-a-failure test $? = 1
done_testing
