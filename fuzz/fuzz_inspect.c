/*
 * Fuzz target for the inspect entry point: identification, dump judgement and every partition
 * report, on arbitrary bytes, both identified and with each built-in profile forced (the first
 * input byte picks one). Properties: reports stay within the profile's partitions and every MAC
 * location read lies inside the input. Replayed over fuzz/corpus/inspect in every test build.
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
	struct fwkit_inspection *in = malloc(sizeof(*in));
	if (!in)
		return 0;
	size_t np = fwkit_profiles_builtin_count();
	const struct fwkit_profile *forced = size ? fwkit_profiles_builtin_get(data[0] % (np + 1)) : NULL;
	for (int pass = 0; pass < 2; pass++) {
		const struct fwkit_profile *p = pass ? forced : NULL;
		REQUIRE(fwkit_inspect(NULL, data, size, p, NULL, 0, in) == FWKIT_OK);
		REQUIRE(in->size == size);
		REQUIRE(in->id.n <= FWKIT_MAX_CANDIDATES);
		if (in->profile) {
			REQUIRE(in->nparts == in->profile->nparts);
			for (size_t i = 0; i < in->macs.n; i++)
				REQUIRE((in->macs.e[i].problems & FWKIT_MACP_OUTSIDE) || in->macs.e[i].offset + 6 <= size);
		}
	}
	free(in);
	return 0;
}
