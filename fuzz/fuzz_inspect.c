/*
 * Fuzz target for the inspect entry point: identification, dump judgement and every partition
 * report, on arbitrary bytes, both identified and with each built-in profile forced (the first
 * input byte picks one). Properties: reports stay within the profile's partitions and every MAC
 * location read lies inside the input; the device-tree search stays within the decompression
 * budget, and inspect reports budget.decompress exactly when it hit a limit. Replayed over
 * fuzz/corpus/inspect in every test build.
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
	static struct fwkit_ctx *ctx; /* one context, its budget reset per inspection */
	if (!ctx && !(ctx = fwkit_ctx_new())) {
		free(in);
		return 0;
	}
	for (int pass = 0; pass < 2; pass++) {
		const struct fwkit_profile *p = pass ? forced : NULL;
		fwkit_ctx_reset_decompress_budget(ctx);
		REQUIRE(fwkit_inspect(pass ? ctx : NULL, data, size, p, NULL, 0, in) == FWKIT_OK);
		struct fwkit_decompress_budget b;
		fwkit_decompress_budget(ctx, &b);
		REQUIRE(b.used <= b.limit && b.tried <= b.candidates);
		bool reported = false;
		for (size_t i = 0; i < in->dt_findings.count; i++)
			reported |= strcmp(in->dt_findings.items[i].code, "budget.decompress") == 0;
		REQUIRE(!pass || reported == b.hit);
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
