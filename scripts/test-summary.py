#!/usr/bin/env python3
"""Sums what the test stages ran, from ctest's JUnit files and the fuzz replay logs.

    test-summary.py STAGE=junit.xml ... [--log STAGE=LOG ...] [--fuzz LOG ...]

Every check counts once: a shell test's closing line "N passed, N failed, N skipped", a cmocka
binary's "[  PASSED  ] N test(s)" / "[  FAILED  ] N test(s)", a fuzz replay's "N passed, N failed",
a stage that is one script (--log: the Debian package, the mipsel suite) by its closing line.
A ctest test that exited 77 is one skipped check, with its reason. Every SKIP line is printed with
the stage and test that printed it. The last line is "N passed, N failed, N skipped": a skip is
never counted as a pass. Exit 1 when anything failed or a stage ran no test.
"""
import re
import sys
import xml.etree.ElementTree as ET

CLOSING = re.compile(r"^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$")
CMOCKA_PASSED = re.compile(r"^\[  PASSED  \] (\d+) test")
CMOCKA_FAILED = re.compile(r"^\[  FAILED  \] (\d+) test")
CMOCKA_SKIPPED = re.compile(r"^\[  SKIPPED \] (\d+) test")


def count_output(text):
    """(passed, failed, skipped, skip lines) from one test's output; None when it has no count."""
    lines = [l.rstrip() for l in text.splitlines()]
    skips = [l for l in lines if l.startswith("SKIP")]
    for l in reversed(lines):
        m = CLOSING.match(l)
        if m:
            return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0), skips
    p = f = s = 0
    seen = False
    for l in lines:
        for rx, which in ((CMOCKA_PASSED, 0), (CMOCKA_FAILED, 1), (CMOCKA_SKIPPED, 2)):
            m = rx.match(l)
            if m:
                seen = True
                n = int(m.group(1))
                p, f, s = (p + n, f, s) if which == 0 else (p, f + n, s) if which == 1 else (p, f, s + n)
    return (p, f, s, skips) if seen else None


def main(argv):
    total = [0, 0, 0]
    bad_stage = False
    args = argv[1:]
    fuzz = []
    if "--fuzz" in args:
        i = args.index("--fuzz")
        fuzz, args = args[i + 1:], args[:i]
    logs = []
    while "--log" in args:
        i = args.index("--log")
        logs.append(args[i + 1])
        args = args[:i] + args[i + 2:]
    for arg in args:
        stage, path = arg.split("=", 1)
        cases = ET.parse(path).getroot().iter("testcase")
        ran = 0
        for case in cases:
            ran += 1
            name = case.get("name")
            out = "".join(x.text or "" for x in case.iter("system-out"))
            status = case.get("status")
            if status in ("notrun", "disabled") or case.find("skipped") is not None:
                reason = next((l for l in out.splitlines() if l.startswith("SKIP")), "SKIP: (no reason printed)")
                print("SKIP [%s] %s: %s" % (stage, name, reason[5:].strip(": ")))
                total[2] += 1
                continue
            failed = case.find("failure") is not None
            c = count_output(out)
            if c is None:
                c = (0, 1, 0, []) if failed else (1, 0, 0, [])
            elif failed and c[1] == 0:
                c = (c[0], 1, c[2], c[3])  # the test failed outside its counted checks (crash, timeout)
            for l in c[3]:
                print("SKIP [%s] %s: %s" % (stage, name, l[4:].strip(": ")))
            total[0] += c[0]
            total[1] += c[1]
            total[2] += c[2]
            if failed:
                print("FAIL [%s] %s" % (stage, name))
        if ran == 0:
            print("FAIL [%s] ran no test" % stage)
            bad_stage = True
    for arg in logs:
        stage, path = arg.split("=", 1)
        try:
            text = open(path, errors="replace").read()
        except OSError:
            text = ""
        c = count_output(text)
        if c is None:
            print("FAIL [%s] no closing line in %s" % (stage, path))
            total[1] += 1
            continue
        for l in c[3]:
            print("SKIP [%s] %s" % (stage, l[4:].strip(": ")))
        for l in text.splitlines():
            if l.startswith("FAIL"):
                print("FAIL [%s] %s" % (stage, l[4:].strip(": ")))
        print("stage %s: %d passed, %d failed, %d skipped" % (stage, c[0], c[1], c[2]))
        total[0] += c[0]
        total[1] += c[1]
        total[2] += c[2]
    for log in fuzz:
        name = log.rsplit("/", 1)[-1].replace(".log", "")
        text = open(log, errors="replace").read()
        c = count_output(text)
        if c is None:
            print("FAIL [fuzz] %s: no closing line" % name)
            total[1] += 1
            continue
        print("fuzz replay %s: %d passed, %d failed" % (name, c[0], c[1]))
        total[0] += c[0]
        total[1] += c[1]
    print("%d passed, %d failed, %d skipped" % tuple(total))
    return 1 if total[1] or bad_stage else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
