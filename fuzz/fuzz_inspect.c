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

/* Every finding of the tree below N with CODE. */
static bool has_code(const struct fwkit_node *n, const char *code)
{
	for (size_t i = 0; i < fwkit_node_finding_count(n); i++)
		if (strcmp(fwkit_node_finding(n, i)->code, code) == 0)
			return true;
	for (size_t i = 0; i < fwkit_node_child_count(n); i++)
		if (has_code(fwkit_node_child(n, i), code))
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t np = fwkit_profiles_builtin_count();
	const struct fwkit_profile *forced = size ? fwkit_profiles_builtin_get(data[0] % (np + 1)) : NULL;
	static struct fwkit_ctx *ctx; /* one context, its budget reset per inspection */
	if (!ctx && !(ctx = fwkit_ctx_new()))
		return 0;
	for (int pass = 0; pass < 2; pass++) {
		const struct fwkit_profile *p = pass ? forced : NULL;
		fwkit_ctx_reset_decompress_budget(ctx);
		struct fwkit_node *in = NULL;
		REQUIRE(fwkit_inspect(pass ? ctx : NULL, data, size, p, NULL, 0, &in) == FWKIT_OK);
		struct fwkit_decompress_budget b;
		fwkit_decompress_budget(ctx, &b);
		REQUIRE(b.used <= b.limit && b.tried <= b.candidates);
		REQUIRE(!pass || has_code(in, "budget.decompress") == b.hit);
		REQUIRE(fwkit_node_size(in) == size);
		const struct fwkit_field *dev = fwkit_node_get(in, "device");
		if (dev && p)
			REQUIRE(strcmp(dev->text, p->id) == 0);
		/* every MAC node lies inside the dump unless it says it does not */
		for (size_t i = 0; i < fwkit_node_child_count(in); i++) {
			const struct fwkit_node *c = fwkit_node_child(in, i);
			for (size_t k = 0; !strcmp(fwkit_node_format(c), "macs") && k < fwkit_node_child_count(c); k++) {
				const struct fwkit_node *m = fwkit_node_child(c, k);
				REQUIRE(fwkit_node_get(m, "outside") || fwkit_node_offset(m) + 6 <= size);
			}
		}
		char *json = NULL;
		REQUIRE(fwkit_node_to_json(NULL, in, false, &json) == FWKIT_OK);
		free(json);
		fwkit_node_free(in);
	}
	return 0;
}
