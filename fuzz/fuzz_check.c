/*
 * Fuzz target for fwkit check: byte 0 picks the device profile, byte 1 the method and whether
 * -F is given; the rest is the image. Properties beyond "does not crash":
 * - a check either runs or is refused because the device has no such path (FWKIT_E_INVALID_ARG);
 * - the verdict is will-brick exactly when a rule failed, risky exactly when one warned and none
 *   failed (the verdict is the worst rule, never a separate guess);
 * - the result serialises to JSON.
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

static int worst_rule(const struct fwkit_node *n)
{
	int worst = 0;
	for (size_t i = 0; i < fwkit_node_child_count(n); i++) {
		const struct fwkit_field *r = fwkit_node_get(fwkit_node_child(n, i), "result");
		REQUIRE(r != NULL);
		if ((int)r->u > worst)
			worst = (int)r->u;
	}
	return worst;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	struct fwkit_check_request req = { 0 };
	req.device = fwkit_profiles_builtin_get(data[0] % fwkit_profiles_builtin_count());
	req.via = (enum fwkit_method)((data[1] & 0x7F) % 6);
	req.force = data[1] & 0x80;
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	if (!ctx)
		return 0;
	struct fwkit_node *n = NULL;
	enum fwkit_status st = fwkit_check(ctx, data + 2, size - 2, &req, &n);
	if (st == FWKIT_OK) {
		REQUIRE(n != NULL);
		REQUIRE((int)fwkit_check_verdict(n) == worst_rule(n));
		char *json = NULL;
		REQUIRE(fwkit_node_to_json(ctx, n, false, &json) == FWKIT_OK);
		free(json);
	} else {
		REQUIRE(st == FWKIT_E_INVALID_ARG && n == NULL && !fwkit_profile_method(req.device, req.via));
	}
	fwkit_node_free(n);
	fwkit_ctx_free(ctx);
	return 0;
}
