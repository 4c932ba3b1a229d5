/*
 * Fuzz target for the JSON profile reader. Properties: a profile that is accepted passes the
 * selfcheck, prints, and the printed text reads back to a profile that prints the same.
 * Replayed over fuzz/corpus/profile in every test build.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fwkit/fwkit.h"

#define REQUIRE(c)                                                                                 \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fwkit_profile *ps = NULL;
	size_t n = 0;
	if (fwkit_profiles_from_json(NULL, (const char *)data, size, &ps, &n) != FWKIT_OK)
		return 0;
	for (size_t i = 0; i < n; i++) {
		REQUIRE(fwkit_profile_check(NULL, &ps[i]) == FWKIT_OK);
		char *a = NULL, *b = NULL;
		REQUIRE(fwkit_profile_to_json(NULL, &ps[i], &a) == FWKIT_OK);
		struct fwkit_profile *back = NULL;
		size_t m = 0;
		REQUIRE(fwkit_profiles_from_json(NULL, a, strlen(a), &back, &m) == FWKIT_OK && m == 1);
		REQUIRE(fwkit_profile_to_json(NULL, back, &b) == FWKIT_OK);
		REQUIRE(strcmp(a, b) == 0);
		free(a);
		free(b);
		free(back);
	}
	free(ps);
	return 0;
}
