/*
 * The format table's selfcheck (flashrom's selfcheck.c is the model) and the result tree.
 * Every format in src/formats/registry.c has a name, a probe or a scan hook, a describe, a page
 * in docs/formats/, good and must-fail fixtures in tests/data/<name>/; the node tree keeps typed
 * values exactly and its JSON (json-c) parses back to the same values.
 */
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "formats/registry.h"
#include "fwkit/fwkit.h"

static bool exists(const char *dir, const char *name, const char *tail)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s/%s%s", FWKIT_SOURCE_DIR, dir, name, tail);
	struct stat st;
	return stat(path, &st) == 0;
}

static void every_format_is_complete(void **state)
{
	(void)state;
	size_t n = 0;
	for (size_t i = 0; fwkit_formats[i]; i++, n++) {
		const struct fwkit_format *f = fwkit_formats[i];
		assert_non_null(f->name);
		assert_non_null(f->summary);
		assert_true(f->probe || f->scan);
		assert_non_null(f->describe);
		assert_true(f->magics[0].len > 0 || f->scan);
		assert_true(f->verified_bits > 0);
		assert_true(f->role != FORMAT_STREAM || f->codec != FWKIT_CODEC_NONE);
		if (!exists("docs/formats", f->name, ".md"))
			fail_msg("docs/formats/%s.md is missing", f->name);
		if (!exists("tests/data", f->name, "/good"))
			fail_msg("tests/data/%s/good is missing", f->name);
		for (size_t k = i + 1; fwkit_formats[k]; k++)
			assert_string_not_equal(f->name, fwkit_formats[k]->name);
		assert_ptr_equal(formats_by_name(f->name), f);
	}
	assert_true(n >= 10);
	const char *summary = NULL;
	assert_string_equal(fwkit_format_name(0, &summary), fwkit_formats[0]->name);
	assert_null(fwkit_format_name(n, NULL));
}

/* A probe never claims what a buffer of one repeated byte holds (erased flash, zeros). */
static void probes_reject_blank_flash(void **state)
{
	(void)state;
	uint8_t *buf = malloc(1 << 16);
	for (int fill = 0; fill < 256; fill += 255) {
		memset(buf, fill, 1 << 16);
		for (size_t i = 0; fwkit_formats[i]; i++) {
			struct probe_result r;
			formats_probe(fwkit_formats[i], buf, 1 << 16, 0, &r);
			assert_true(r.bits < fwkit_formats[i]->verified_bits);
		}
	}
	free(buf);
}

static void node_json_round_trip(void **state)
{
	(void)state;
	struct fwkit_node *root = fwkit_node_new("file", 0, 100);
	struct fwkit_node *c = fwkit_node_new("uimage", 0x40, 0x20);
	assert_true(fwkit_node_add_uint(c, "big", UINT64_MAX, true));
	assert_true(fwkit_node_add_int(c, "negative", -5));
	assert_true(fwkit_node_add_bool(c, "ok", true));
	assert_true(fwkit_node_add_string(c, "name", "abc", 3));
	assert_true(fwkit_node_add_string(c, "raw", "\xff\x01", 2));
	assert_true(fwkit_node_add_enum(c, "comp", 3, "lzma"));
	struct fwkit_finding f = { .severity = FWKIT_SEV_ERROR, .code = "x.y", .offset = 7, .message = "m" };
	assert_true(fwkit_node_add_finding(c, &f));
	assert_true(fwkit_node_add_child(root, c));
	assert_int_equal(fwkit_node_worst(root), FWKIT_SEV_ERROR);
	assert_int_equal(fwkit_node_get(c, "big")->u, UINT64_MAX);
	char *text = NULL;
	assert_int_equal(fwkit_node_to_json(NULL, root, false, &text), FWKIT_OK);
	json_object *j = json_tokener_parse(text), *ch, *fl, *v;
	assert_non_null(j);
	assert_true(json_object_object_get_ex(j, "schema", &v) && json_object_get_int(v) == FWKIT_NODE_SCHEMA);
	assert_true(json_object_object_get_ex(j, "children", &ch) && json_object_array_length(ch) == 1);
	json_object *c0 = json_object_array_get_idx(ch, 0);
	assert_true(json_object_object_get_ex(c0, "fields", &fl));
	assert_true(json_object_object_get_ex(fl, "big", &v) && json_object_get_uint64(v) == UINT64_MAX);
	assert_true(json_object_object_get_ex(fl, "negative", &v) && json_object_get_int64(v) == -5);
	assert_true(json_object_object_get_ex(fl, "raw_hex", &v) && strcmp(json_object_get_string(v), "ff01") == 0);
	assert_true(json_object_object_get_ex(fl, "comp", &v));
	json_object *name;
	assert_true(json_object_object_get_ex(v, "name", &name) && strcmp(json_object_get_string(name), "lzma") == 0);
	json_object_put(j);
	free(text);
	fwkit_node_free(root);
}

/* A file of many small nodes: arrays grow, nothing is fixed-size. */
static void node_grows(void **state)
{
	(void)state;
	struct fwkit_node *root = fwkit_node_new("file", 0, 0);
	for (int i = 0; i < 5000; i++) {
		struct fwkit_node *c = fwkit_node_new("x", (uint64_t)i, 1);
		fwkit_node_add_uint(c, "i", (uint64_t)i, false);
		assert_true(fwkit_node_add_child(root, c));
	}
	assert_int_equal(fwkit_node_child_count(root), 5000);
	assert_int_equal(fwkit_node_get(fwkit_node_child(root, 4999), "i")->u, 4999);
	fwkit_node_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_format_is_complete),
		cmocka_unit_test(probes_reject_blank_flash),
		cmocka_unit_test(node_json_round_trip),
		cmocka_unit_test(node_grows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
