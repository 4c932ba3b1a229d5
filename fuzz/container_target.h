/*
 * The body of the per-format fuzz targets of the vendor containers (fuzz_tplink.c, ...): the
 * container read through the library (include/fwkit/container.h), plain and with its payload
 * checks. Properties beyond "does not crash":
 * - the read succeeds or fails with "bad magic" (never another error);
 * - the node's extent and its payload range lie inside the input;
 * - reading is deterministic (the JSON of two reads is the same);
 * - when the format's checksum covers the payload (COVERED) and the input reads clean, flipping
 *   one payload byte gives an error finding.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fwkit/fwkit.h"

#define REQUIRE(c)                                                                                 \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

static bool has_error(const struct fwkit_node *n)
{
	for (size_t i = 0; i < fwkit_node_finding_count(n); i++)
		if (fwkit_node_finding(n, i)->severity == FWKIT_SEV_ERROR)
			return true;
	return false;
}

static char *read_json(struct fwkit_ctx *ctx, const char *format, const uint8_t *data, size_t size, bool verify,
		       struct fwkit_node **out)
{
	enum fwkit_status st = fwkit_container_read(ctx, data, size, format, verify, out);
	REQUIRE(st == FWKIT_OK || st == FWKIT_E_BAD_MAGIC || st == FWKIT_E_NOMEM);
	char *json = NULL;
	if (st == FWKIT_OK)
		REQUIRE(fwkit_node_to_json(ctx, *out, false, &json) == FWKIT_OK);
	return json;
}

/* A checksum of N vouches for its bytes: some boolean field NAME_ok (md5_ok, image_checksum_ok). */
static bool checksummed(const struct fwkit_node *n)
{
	for (size_t i = 0; i < fwkit_node_field_count(n); i++) {
		const struct fwkit_field *f = fwkit_node_field(n, i);
		size_t l = strlen(f->name);
		if (f->kind == FWKIT_VALUE_BOOL && l > 3 && !strcmp(f->name + l - 3, "_ok"))
			return true;
	}
	return false;
}

static void flip_payload_byte(struct fwkit_ctx *ctx, const char *format, const uint8_t *data, size_t size,
			      const struct fwkit_node *n)
{
	const struct fwkit_field *off = fwkit_node_get(n, "payload_offset"), *len = fwkit_node_get(n, "payload_size");
	if (!off || !len || !len->u || has_error(n) || !checksummed(n))
		return;
	uint8_t *copy = malloc(size);
	if (!copy)
		return;
	memcpy(copy, data, size);
	copy[off->u + len->u / 2] ^= 0x01;
	struct fwkit_node *m = NULL;
	if (fwkit_container_read(ctx, copy, size, format, false, &m) == FWKIT_OK)
		REQUIRE(has_error(m));
	fwkit_node_free(m);
	free(copy);
}

static int fuzz_container(const char *format, bool covered, const uint8_t *data, size_t size)
{
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	if (!ctx)
		return 0;
	struct fwkit_node *a = NULL, *b = NULL, *v = NULL;
	char *ja = read_json(ctx, format, data, size, false, &a);
	char *jb = read_json(ctx, format, data, size, false, &b);
	REQUIRE((ja == NULL) == (jb == NULL) && (!ja || strcmp(ja, jb) == 0));
	if (a) {
		REQUIRE(fwkit_node_offset(a) == 0 && fwkit_node_size(a) <= size);
		const struct fwkit_field *off = fwkit_node_get(a, "payload_offset"), *len = fwkit_node_get(a, "payload_size");
		if (off && len)
			REQUIRE(off->u <= size && len->u <= size - off->u);
		if (covered)
			flip_payload_byte(ctx, format, data, size, a);
	}
	free(read_json(ctx, format, data, size, true, &v));
	free(ja);
	free(jb);
	fwkit_node_free(a);
	fwkit_node_free(b);
	fwkit_node_free(v);
	fwkit_ctx_free(ctx);
	return 0;
}
