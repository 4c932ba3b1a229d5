/*
 * Fuzz target for the device-tree finder: the input is a kernel payload (the first byte picks
 * uImage compression none or lzma). Properties: whatever is found fits the profile limits, and a
 * profile made from it either passes or fails the selfcheck without crashing. Replayed over
 * fuzz/corpus/devicetree in every test build.
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
	uint8_t comp = (data[0] & 1) ? 3 : 0;
	struct fwkit_devicetree dt;
	if (fwkit_devicetree_from_kernel(NULL, data + 1, size - 1, comp, &dt) != FWKIT_OK)
		return 0;
	REQUIRE(dt.nparts <= FWKIT_PROFILE_MAX_PARTS && dt.nmacs <= FWKIT_PROFILE_MAX_MACS);
	REQUIRE(dt.model[sizeof(dt.model) - 1] == 0);
	struct fwkit_profile p;
	if (fwkit_profile_from_devicetree(NULL, &dt, 0, &p) == FWKIT_OK)
		(void)fwkit_profile_check(NULL, &p);
	return 0;
}
