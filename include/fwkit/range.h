/*
 * Byte ranges of an input: what an edit changed, which erase blocks differ, where reads disagree.
 */
#ifndef FWKIT_RANGE_H
#define FWKIT_RANGE_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

struct fwkit_byte_range {
	uint64_t offset;
	uint64_t length;
};

/* A list of ranges of any length, sorted by offset and disjoint. */
struct fwkit_ranges {
	size_t count;
	struct fwkit_byte_range *items; /* malloc'ed; free with fwkit_ranges_free */
};

/* Frees the items and empties R (safe on an empty or already freed list). */
FWKIT_API void fwkit_ranges_free(struct fwkit_ranges *r);

#endif
