/*
 * Fuzz target for the format layer as a whole: fwkit_scan over arbitrary bytes, plain and
 * --deep, with every probe and describe in the table. Properties beyond "does not crash":
 * - every top-level hit lies inside the input, and a child inside its parent's extent (outside
 *   decoded data);
 * - the JSON of the tree is produced and parses back (json-c) with the same number of hits;
 * - a scan is deterministic (two runs, the same JSON);
 * - identify gives one of the four kinds.
 */
#include <json-c/json.h>
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

static size_t count_and_check(const struct fwkit_node *n, uint64_t start, uint64_t end, bool decoded)
{
	size_t c = 1;
	uint64_t off = fwkit_node_offset(n), sz = fwkit_node_size(n);
	if (!decoded) {
		REQUIRE(off >= start && off <= end);
		REQUIRE(sz <= end - off || sz == 0 || strcmp(fwkit_node_format(n), "squashfs") == 0 ||
			strcmp(fwkit_node_format(n), "uimage") == 0); /* a truncated instance says so in a finding */
	}
	bool below_decoded = decoded || fwkit_node_get(n, "decoded_size") != NULL;
	for (size_t i = 0; i < fwkit_node_child_count(n); i++)
		c += count_and_check(fwkit_node_child(n, i), off, sz ? off + sz : end, below_decoded);
	return c;
}

static size_t json_count(json_object *o)
{
	size_t c = 1;
	json_object *ch;
	if (json_object_object_get_ex(o, "children", &ch))
		for (size_t i = 0; i < json_object_array_length(ch); i++)
			c += json_count(json_object_array_get_idx(ch, i));
	return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	if (!ctx)
		return 0;
	fwkit_ctx_set_decompress_limit(ctx, 1 << 20);
	for (int deep = 0; deep < 2; deep++) {
		struct fwkit_scan_options o = { .deep = deep != 0, .max_depth = 2 };
		struct fwkit_node *a = NULL, *b = NULL;
		if (fwkit_scan(ctx, data, size, &o, &a) != FWKIT_OK)
			break;
		REQUIRE(fwkit_scan(ctx, data, size, &o, &b) == FWKIT_OK);
		size_t hits = count_and_check(a, 0, size, false);
		char *ja = NULL, *jb = NULL;
		REQUIRE(fwkit_node_to_json(ctx, a, false, &ja) == FWKIT_OK);
		REQUIRE(fwkit_node_to_json(ctx, b, false, &jb) == FWKIT_OK);
		REQUIRE(strcmp(ja, jb) == 0);
		json_object *parsed = json_tokener_parse(ja);
		REQUIRE(parsed && json_count(parsed) == hits);
		json_object_put(parsed);
		free(ja);
		free(jb);
		fwkit_node_free(a);
		fwkit_node_free(b);
	}
	/* identify on the same bytes: a kind, and the scan's top-level hits as its children */
	struct fwkit_node *id = NULL;
	if (fwkit_identify_file(ctx, data, size, NULL, 0, &id) == FWKIT_OK) {
		const struct fwkit_field *k = fwkit_node_get(id, "kind");
		REQUIRE(k && k->kind == FWKIT_VALUE_ENUM && k->u <= FWKIT_KIND_FIRMWARE_IMAGE);
		fwkit_node_free(id);
	}
	fwkit_ctx_free(ctx);
	return 0;
}
