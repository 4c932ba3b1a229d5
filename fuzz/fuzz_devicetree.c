/*
 * Fuzz target for the device-tree finder: the input is a kernel payload (the first byte picks
 * uImage compression none or lzma). Properties: whatever is found fits the profile limits, and a
 * profile made from it either passes or fails the selfcheck without crashing; the search stays
 * within the context's decompression budget (never more output than the total, never more
 * candidate streams than the bound) and reports budget.decompress exactly when it hit a limit.
 * Replayed over fuzz/corpus/devicetree in every test build.
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
	if (size < 1)
		return 0;
	static struct fwkit_ctx *ctx; /* one context, its budget reset per input: one input, one command */
	if (!ctx && !(ctx = fwkit_ctx_new()))
		return 0;
	fwkit_ctx_reset_decompress_budget(ctx);
	uint8_t comp = (data[0] & 1) ? 3 : 0;
	struct fwkit_devicetree dt;
	enum fwkit_status st = fwkit_devicetree_from_kernel(ctx, data + 1, size - 1, comp, &dt);
	struct fwkit_decompress_budget b;
	fwkit_decompress_budget(ctx, &b);
	REQUIRE(b.used <= b.limit && b.tried <= b.candidates);
	struct fwkit_findings f = { 0 };
	REQUIRE(fwkit_decompress_budget_report(ctx, FWKIT_SEV_WARN, &f) == b.hit);
	REQUIRE(!b.hit || strcmp(f.items[0].code, "budget.decompress") == 0);
	if (st != FWKIT_OK)
		return 0;
	REQUIRE(dt.nparts <= FWKIT_PROFILE_MAX_PARTS && dt.nmacs <= FWKIT_PROFILE_MAX_MACS);
	REQUIRE(dt.model[sizeof(dt.model) - 1] == 0);
	struct fwkit_profile p;
	if (fwkit_profile_from_devicetree(NULL, &dt, 0, &p) == FWKIT_OK)
		(void)fwkit_profile_check(NULL, &p);
	return 0;
}
