/*
 * Ranged number parsing: the only place in libfwkit that calls strtoull (scripts/checksrc.sh
 * enforces it), so every number read from text is checked for syntax, overflow and range.
 */
#include <errno.h>
#include <stdlib.h>

#include "core/internal.h"

bool num_parse_u64(const char *s, int base, uint64_t max, uint64_t *out)
{
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ' || *s == '\t')
		return false;
	errno = 0;
	char *end = NULL;
	unsigned long long v = strtoull(s, &end, base);
	if (errno || !end || *end || end == s || v > max)
		return false;
	*out = v;
	return true;
}
