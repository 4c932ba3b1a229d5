#!/bin/bash
# Fails on calls the project does not use (../shared/reference/style.md 9.11, curl's checksrc):
# unbounded string functions, and number parsing outside the two ranged helpers.
set -u
cd "$(dirname "$0")/.."
bad=0
banned='\b(gets|sprintf|vsprintf|strcpy|strcat|strncpy|strncat|strtok|atoi|atol|atoll)[[:space:]]*\('
if grep -rnE "$banned" src include | grep -vE '\b(v?snprintf)\b'; then
	echo "checksrc: banned call(s) above"
	bad=1
fi
numbers='\b(strtol|strtoul|strtoll|strtoull)[[:space:]]*\('
if grep -rnE "$numbers" src include | grep -vE '^src/(core/numbers\.c|cli/options\.c):' | grep -vE ':[0-9]+:[[:space:]]*/?\*'; then
	echo "checksrc: number parsing outside src/core/numbers.c and src/cli/options.c"
	bad=1
fi
if [ $bad = 0 ]; then echo "checksrc: 1 passed, 0 failed"; else echo "checksrc: 0 passed, 1 failed"; fi
exit $bad
